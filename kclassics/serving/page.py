"""The page for people at `GET /`: the served models and versions, and a classifier to try in the browser.

For each version with an image-classification signature (see
`app.image_input`) the page offers a canvas to draw on and a file picker;
the picture is resized in the browser to the model's input size, scaled to
the chosen range ([0, 1] by default: kclassics' MNIST models; [-1, 1] for the
Inception and ResNet V2 families), sent to the REST API's `:predict` like any
client would, and the top five classes are shown with their probabilities.
"""

import html
import json

STYLE = """
body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:60em}
h1{font-size:1.4em} h2{font-size:1.15em;margin-top:1.6em}
table{border-collapse:collapse} td,th{padding:.25em .7em;border-bottom:1px solid #ddd;text-align:left}
.AVAILABLE{color:#17813a} .LOADING{color:#b07800} .END{color:#777}
.try{display:flex;gap:2em;align-items:flex-start;margin:.8em 0 1.5em}
canvas.draw{background:#000;border:1px solid #999;cursor:crosshair;touch-action:none}
.bar{background:#3b7dd8;height:.9em;display:inline-block;vertical-align:middle}
button,select,input{margin:.2em 0;font-size:.95em}
code{background:#f3f3f3;padding:0 .25em}
"""

SCRIPT = """
function setupPanel(panel) {
  const spec = JSON.parse(panel.dataset.spec);
  const canvas = panel.querySelector('canvas.draw');
  const ctx = canvas.getContext('2d');
  const clear = () => { ctx.fillStyle = '#000'; ctx.fillRect(0, 0, canvas.width, canvas.height); };
  clear();
  let drawing = false;
  const point = (e) => { const r = canvas.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; };
  canvas.addEventListener('pointerdown', (e) => { drawing = true; ctx.beginPath(); ctx.moveTo(...point(e)); });
  canvas.addEventListener('pointermove', (e) => {
    if (!drawing) return;
    ctx.lineWidth = canvas.width / 12; ctx.lineCap = 'round'; ctx.strokeStyle = '#fff';
    ctx.lineTo(...point(e)); ctx.stroke();
  });
  window.addEventListener('pointerup', () => { drawing = false; });
  panel.querySelector('.clear').addEventListener('click', clear);
  panel.querySelector('.file').addEventListener('change', (e) => {
    const file = e.target.files[0]; if (!file) return;
    const image = new Image();
    image.onload = () => { clear(); ctx.drawImage(image, 0, 0, canvas.width, canvas.height); classify(); };
    image.src = URL.createObjectURL(file);
  });
  const classify = async () => {
    const small = document.createElement('canvas');
    small.width = spec.width; small.height = spec.height;
    const sctx = small.getContext('2d');
    sctx.drawImage(canvas, 0, 0, spec.width, spec.height);
    const pixels = sctx.getImageData(0, 0, spec.width, spec.height).data;
    const [low, high] = panel.querySelector('.scale').value.split(',').map(Number);
    const image = [];
    for (let y = 0; y < spec.height; y++) {
      const row = [];
      for (let x = 0; x < spec.width; x++) {
        const i = 4 * (y * spec.width + x);
        const rgb = [pixels[i], pixels[i + 1], pixels[i + 2]].map((v) => low + (high - low) * v / 255);
        row.push(spec.channels === 1 ? [(rgb[0] + rgb[1] + rgb[2]) / 3] : rgb);
      }
      image.push(row);
    }
    const out = panel.querySelector('.result');
    const url = `/v1/models/${encodeURIComponent(spec.model)}/versions/${spec.version}:predict`;
    const response = await fetch(url, {method: 'POST', headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({signature_name: spec.signature, instances: [image]})});
    const body = await response.json();
    if (!response.ok) { out.textContent = body.error; return; }
    const probabilities = body.predictions[0].probabilities;
    const top = probabilities.map((p, c) => [p, c]).sort((a, b) => b[0] - a[0]).slice(0, 5);
    out.innerHTML = '<table class="top5"><tr><th>class</th><th>probability</th><th></th></tr>' + top.map(([p, c]) =>
      `<tr><td>${c}</td><td>${p.toFixed(4)}</td><td><span class="bar" style="width:${Math.round(p * 150)}px"></span></td></tr>`
    ).join('') + '</table>';
  };
  panel.querySelector('.classify').addEventListener('click', classify);
}
document.querySelectorAll('.try').forEach(setupPanel);
"""


def page_models(manager):
    """Name, versions and their states, and the image-classifier input of each model, for the page."""
    models = []
    for name, model in sorted(manager.models.items()):
        with manager.lock:
            versions = [(v, s.state, s.error_message, s.servable) for v, s in sorted(model.versions.items(), reverse=True)]
        entries = []
        for version, state, message, servable in versions:
            entries.append({"version": version, "state": state, "error": message, "image": image_input(servable)})
        models.append({"name": name, "policy": model.config.policy.describe(), "versions": entries})
    return models


def image_input(servable):
    """`{signature, input, output, height, width, channels}` when a signature classifies images, else None.

    An image classifier takes one float input of shape (batch, height, width, 1 or 3)
    and returns `probabilities` (batch, classes), as kclassics exports do.
    """
    if servable is None:
        return None
    for name, signature in sorted(servable.signatures.items(), key=lambda item: item[0] != "serving_default"):
        if len(signature.inputs) != 1:
            continue
        (input_name, spec), = signature.inputs.items()
        out = signature.outputs.get("probabilities")
        shape = spec.shape
        if (
            out is not None and spec.dtype.is_floating and shape is not None and len(shape) == 4
            and shape[3] in (1, 3) and shape[1] and shape[2] and out.shape is not None and len(out.shape) == 2
        ):
            return {"signature": name, "input": input_name, "height": shape[1], "width": shape[2], "channels": shape[3]}
    return None


def render(models):
    """The page's HTML for `models` (as `page_models` lists them)."""
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>kclassics serve</title>",
        f"<style>{STYLE}</style></head><body><h1>kclassics serve</h1>",
        "<p>TensorFlow Serving's REST API (<code>/v1/models/NAME:predict</code>) and KServe V1. "
        "Status of a model: <code>GET /v1/models/NAME</code>; its signatures: <code>GET /v1/models/NAME/metadata</code>.</p>",
    ]
    for model in models:
        name = html.escape(model["name"])
        parts.append(f"<h2 id='model-{name}'>{name}</h2><p>version policy: {html.escape(model['policy'])}</p>")
        if not model["versions"]:
            parts.append("<p>No version yet.</p>")
            continue
        panels = []
        parts.append("<table class='versions'><tr><th>version</th><th>state</th><th>note</th></tr>")
        for entry in model["versions"]:
            state = html.escape(entry["state"])
            parts.append(
                f"<tr><td>{entry['version']}</td><td class='{state}'>{state}</td><td>{html.escape(entry['error'])}</td></tr>"
            )
            if entry["image"] and entry["state"] == "AVAILABLE":
                panels.append(entry)
        parts.append("</table>")
        for entry in panels:
            spec = dict(entry["image"], model=model["name"], version=entry["version"])
            size = 224 if max(spec["height"], spec["width"]) > 64 else 196
            parts.append(
                f"<div class='try' data-spec='{html.escape(json.dumps(spec))}'>"
                f"<div><canvas class='draw' width='{size}' height='{size}'></canvas><br>"
                "<button class='classify'>Classify</button> <button class='clear'>Clear</button></div>"
                f"<div><b>Version {entry['version']}</b>: draw a digit, or pick a picture<br>"
                "<input type='file' class='file' accept='image/*'><br>"
                "input scale <select class='scale'><option value='0,1'>[0, 1]</option><option value='-1,1'>[-1, 1]</option>"
                "<option value='0,255'>[0, 255]</option></select>"
                f"<p>{spec['height']}x{spec['width']}x{spec['channels']} input <code>{html.escape(spec['input'])}</code>, "
                f"signature <code>{html.escape(spec['signature'])}</code></p><div class='result'></div></div></div>"
            )
    parts.append(f"<script>{SCRIPT}</script></body></html>")
    return "".join(parts)

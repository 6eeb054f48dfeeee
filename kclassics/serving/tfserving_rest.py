"""TensorFlow Serving's REST API and KServe V1: the parse and format functions of their endpoints.

    GET  /v1/models/NAME[/versions/N|/labels/L]            status (model_version_status), with KServe V1's name and ready
    GET  /v1/models/NAME[/versions/N|/labels/L]/metadata   the signature_def map
    POST /v1/models/NAME[/versions/N|/labels/L]:predict    predictions (row format) or outputs (columnar)
    POST /v1/models/NAME[/versions/N|/labels/L]:classify   results: [[label, score], ...] per example
    POST /v1/models/NAME[/versions/N|/labels/L]:regress    results: one number per example
    GET  /monitoring/prometheus/metrics                    counters, batches, traces (Prometheus text)
    GET  /v1/models                                        KServe V1: {"models": [names]}
    GET  /                                                 KServe V1's {"status": "alive"}, or the page for people (HTML)

The bodies are those of TF Serving's `api_rest.md` (see `codec`); the routes
and their calls are rows of `protocols.ENDPOINTS`.
"""

from starlette.responses import HTMLResponse, PlainTextResponse

from kclassics.serving import codec
from kclassics.serving.calls import Examples, Inference, ModelRef, check_method
from kclassics.serving.rest import json_object, json_response

def model_ref(core, request):
    params = request.params
    return ModelRef(params["name"], int(params["version"]) if params.get("version") else None, params.get("label"))


def format_status(request, status):
    return json_response(status)


def format_metadata(request, servable):
    return json_response({
        "model_spec": {"name": servable.model_name, "signature_name": "", "version": str(servable.version)},
        "metadata": {"signature_def": servable.signature_def_map()},
    })


def _servable_and_body(core, request):
    ref = model_ref(core, request)
    servable = core.resolve(ref.name, ref.version, ref.label)
    body = json_object(request.body)
    signature_name = body.get("signature_name")
    return servable, servable.signature(signature_name), body


def parse_predict(core, request):
    servable, signature, body = _servable_and_body(core, request)
    inputs, row_format = codec.parse_predict(body, signature)
    rows = len(next(iter(inputs.values()))) if row_format else None
    return Inference(servable, signature, inputs, context={"row_format": row_format, "rows": rows})


def format_predict(inference, outputs):
    return json_response(codec.format_predict(outputs, inference.context["row_format"], inference.context["rows"]))


def _examples_parser(method):
    def parse(core, request):
        servable, signature, body = _servable_and_body(core, request)
        check_method(signature, method)
        inputs, count = codec.parse_examples(body, signature)
        return Examples(servable, signature, inputs, count, method)

    parse.__name__ = f"parse_{method}"
    return parse


parse_classify = _examples_parser("classify")
parse_regress = _examples_parser("regress")


def format_classify(examples, rows):
    return json_response({"results": [[[label, score] for label, score in row] for row in rows]})


def format_regress(examples, values):
    return json_response({"results": values})


def format_metrics(request, text):
    return PlainTextResponse(text, media_type="text/plain; version=0.0.4")


def format_model_list(request, names):
    return json_response({"models": names})


def parse_home(core, request):
    return "text/html" in request.headers.get("accept", "")


def format_home(wants_html, models):
    if wants_html:
        from kclassics.serving.page import render

        return HTMLResponse(render(models))
    return json_response({"status": "alive"})

"""The HTTP routes: TF Serving's REST API and KServe V1 over the `ModelManager`, on Starlette.

    GET  /v1/models                                   KServe V1: {"models": [names]}
    GET  /v1/models/NAME[/versions/N|/labels/L]       status (model_version_status), with KServe's name and ready
    GET  /v1/models/NAME[/versions/N|/labels/L]/metadata
    POST /v1/models/NAME[/versions/N|/labels/L]:predict|:classify|:regress
    GET  /monitoring/prometheus/metrics               counters, batches, traces (Prometheus text)
    GET  /                                            the page for people (HTML), or KServe's {"status": "alive"}
"""

import asyncio
import collections
import json
import re

try:  # several times faster than json on the large float arrays that images are sent as
    import orjson
except ImportError:  # pragma: no cover - a dependency; json does the same work, slower
    orjson = None

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from kclassics.serving import codec
from kclassics.serving.batching import Batcher
from kclassics.serving.errors import ServingError

MODEL_PATH = re.compile(
    r"^/v1/models/(?P<name>[^/:]+)(?:/versions/(?P<version>\d+)|/labels/(?P<label>[^/:]+))?"
    r"(?:(?P<metadata>/metadata)|:(?P<verb>predict|classify|regress))?$"
)


def json_response(body, status=200):
    return Response(encode_json(body), status_code=status, media_type="application/json")


def encode_json(body):
    """`body` as compact JSON; NaN and Infinity as tokens, as TF Serving writes them (its JSON conformance section)."""
    if orjson is not None:
        text = orjson.dumps(body)
        if b"null" not in text:  # orjson writes NaN and Infinity as null (and the bodies here hold no None)
            return text
    return json.dumps(body, allow_nan=True, separators=(",", ":"))


def error_response(error):
    return json_response({"error": error.message}, error.http_status)


class ServingApp:
    """The routes of one server. `manager` holds the models; `batching` (`BatchingOptions` or None) merges requests."""

    def __init__(self, manager, executor, batching=None, max_body_bytes=64 << 20):
        self.manager, self.executor, self.batching, self.max_body_bytes = manager, executor, batching, max_body_bytes
        self.requests = collections.Counter()
        self.batchers = {}

    def asgi(self, lifespan=None):
        """The ASGI app: the model routes straight to their handler (the hot path), the rest through Starlette's router."""

        async def not_found(request, exc):
            message = exc.detail if exc.status_code != 404 else f"Malformed request: {request.method} {request.url.path}"
            return json_response({"error": message}, exc.status_code)

        routed = Starlette(
            routes=[
                Route("/", self.home, methods=["GET"]),
                Route("/v1/models", self.list_models, methods=["GET"]),
                Route("/monitoring/prometheus/metrics", self.metrics, methods=["GET"]),
            ],
            exception_handlers={HTTPException: not_found},
            lifespan=lifespan,
        )

        async def app(scope, receive, send):
            if scope["type"] == "http" and scope["path"].startswith("/v1/models/"):
                request = Request(scope, receive)
                try:
                    response = await self.model_route(request)
                except Exception as error:  # noqa: BLE001 - a bug answers 500 with its message, and the server goes on
                    response = error_response(ServingError("INTERNAL", f"{type(error).__name__}: {error}"))
                await response(scope, receive, send)
            else:
                await routed(scope, receive, send)

        return app

    async def home(self, request):
        if "text/html" in request.headers.get("accept", ""):
            from kclassics.serving.page import render

            return HTMLResponse(render(self.page_models()))
        return json_response({"status": "alive"})

    def page_models(self):
        """Name, versions and their states, and the image-classifier input of each model, for the page."""
        models = []
        for name, model in sorted(self.manager.models.items()):
            with self.manager.lock:
                versions = [(v, s.state, s.error_message, s.servable) for v, s in sorted(model.versions.items(), reverse=True)]
            entries = []
            for version, state, message, servable in versions:
                entries.append({"version": version, "state": state, "error": message, "image": image_input(servable)})
            models.append({"name": name, "policy": model.config.policy.describe(), "versions": entries})
        return models

    async def list_models(self, request):
        return json_response({"models": sorted(self.manager.models)})

    async def model_route(self, request):
        path = request.scope["path"]
        match = MODEL_PATH.match(path)
        verb = "malformed"
        try:
            if not match:
                raise ServingError("NOT_FOUND", f"Malformed request: {request.method} {path}")
            name, label = match["name"], match["label"]
            version = int(match["version"]) if match["version"] else None
            verb = match["verb"] or ("metadata" if match["metadata"] else "status")
            expected = "POST" if match["verb"] else "GET"
            if request.method != expected:
                raise ServingError(
                    "INVALID_ARGUMENT", f"{verb} takes {expected}, not {request.method}: {path}", http_status=405
                )
            if verb == "status":
                response = json_response(self.manager.status(name, version, label))
            elif verb == "metadata":
                response = json_response(self.manager.resolve(name, version, label).metadata())
            else:
                servable = self.manager.resolve(name, version, label)
                body = parse_json(await read_body(request, self.max_body_bytes))
                response = json_response(await self.call(servable, verb, body))
        except ServingError as error:
            response = error_response(error)
        self.requests[(match["name"] if match else "", verb, response.status_code)] += 1
        return response

    async def call(self, servable, verb, body):
        signature_name = body.get("signature_name") if isinstance(body, dict) else None
        signature = servable.signature(signature_name)
        if verb == "predict":
            inputs, row_format = codec.parse_predict(body, signature)
        else:
            (codec.check_classify if verb == "classify" else codec.check_regress)(signature)
            inputs, count = codec.parse_examples(body, signature)
        outputs = await self.run(servable, signature, inputs)
        if verb == "predict":
            rows = len(next(iter(inputs.values()))) if row_format else None
            return codec.format_predict(outputs, row_format, rows)
        return (codec.format_classify if verb == "classify" else codec.format_regress)(outputs, count)

    async def run(self, servable, signature, inputs):
        """Runs a signature, through its batcher when batching is on and the inputs share one batch size."""
        sizes = {value.shape[0] if value.ndim else None for value in inputs.values()}
        if self.batching is not None and signature.batchable and len(sizes) == 1 and not sizes & {None, 0}:
            key = (id(servable), signature.name, tuple((k, v.shape[1:], v.dtype.str) for k, v in inputs.items()))
            batcher = self.batchers.get(key)
            if batcher is None or batcher.servable is not servable:
                batcher = Batcher(lambda batch: signature.run(batch, batched=True), self.batching, self.executor)
                batcher.servable, batcher.signature = servable, signature
                self.batchers[key] = batcher
                self._forget_unloaded()
            return await batcher.submit(inputs)
        return await asyncio.get_running_loop().run_in_executor(self.executor, signature.run, inputs)

    def _forget_unloaded(self):
        live = {id(s.servable) for m in self.manager.models.values() for s in m.versions.values() if s.servable is not None}
        for key in [k for k, b in self.batchers.items() if id(b.servable) not in live and not b.queue]:
            del self.batchers[key]

    async def metrics(self, request):
        lines = ["# TYPE kclassics_serving_requests_total counter"]
        for (name, verb, status), count in sorted(self.requests.items()):
            lines.append(f'kclassics_serving_requests_total{{model="{name}",api="{verb}",code="{status}"}} {count}')
        lines.append("# TYPE kclassics_serving_batches_total counter")
        for batcher in self.batchers.values():
            labels = f'model="{batcher.servable.model_name}",version="{batcher.servable.version}",signature="{batcher.signature.name}"'
            lines.append(f"kclassics_serving_batches_total{{{labels}}} {batcher.batches}")
            lines.append(f"kclassics_serving_batched_rows_total{{{labels}}} {batcher.rows}")
        lines.append("# TYPE kclassics_serving_traces gauge")
        for name, model in sorted(self.manager.models.items()):
            for version, status in sorted(model.versions.items()):
                if status.servable is None:
                    continue
                for signature in status.servable.signatures.values():
                    labels = f'model="{name}",version="{version}",signature="{signature.name}"'
                    lines.append(f"kclassics_serving_traces{{{labels}}} {signature.traces}")
        return PlainTextResponse("\n".join(lines) + "\n", media_type="text/plain; version=0.0.4")


async def read_body(request, limit):
    """The request body, refused with 413 past `limit` bytes.

    A body a little over the limit is read to its end and dropped, so that the
    client, still sending, receives the 413 rather than a broken connection;
    one declared (Content-Length) or sent far over it is refused at once.
    """
    declared = request.headers.get("content-length")
    drain = 4 * limit
    if declared and declared.isdigit() and int(declared) > drain:
        raise ServingError("INVALID_ARGUMENT", f"The request body ({int(declared)} bytes) is over the limit of {limit} bytes.", 413)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size <= limit:
            chunks.append(chunk)
        elif size > drain:
            break
    if size > limit:
        raise ServingError("INVALID_ARGUMENT", f"The request body ({size}{'+' if size > drain else ''} bytes) is over the limit of {limit} bytes.", 413)
    return b"".join(chunks)


def parse_json(body):
    if not body.strip():
        raise ServingError("INVALID_ARGUMENT", "The request body is empty; expected a JSON object.")
    if orjson is not None:
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            pass  # NaN / Infinity (which TF Serving's JSON accepts), or malformed: json accepts the first and words the second
    try:
        return json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise ServingError("INVALID_ARGUMENT", "The request body is not UTF-8 text.") from None
    except json.JSONDecodeError as error:
        raise ServingError("INVALID_ARGUMENT", f"Malformed JSON in the request body: {error}") from None


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

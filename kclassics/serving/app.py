"""The HTTP transport: the HTTP rows of `protocols.ENDPOINTS` (TF Serving REST, KServe V1, KServe V2) as one ASGI app.

A request is matched against the rows' routes (method and path), its body
read (up to `max_body_bytes`), and the row's parse, call and format run on
the serving core. A `ServingError` becomes `{"error": message}` with its
HTTP status, any other exception a 500 with its message; the server goes on.
"""

import re

from starlette.requests import Request

from kclassics.serving import protocols
from kclassics.serving.core import ServingCore
from kclassics.serving.errors import ServingError
from kclassics.serving.rest import HttpRequest, error_response, read_body


class ServingApp:
    """The HTTP endpoints of one server over `manager` (the models), `executor` (where models run) and `batching`."""

    def __init__(self, manager, executor, batching=None, max_body_bytes=64 << 20, core=None):
        self.core = core or ServingCore(manager, executor, batching)
        self.max_body_bytes = max_body_bytes
        self.routes = {}  # the path's first segment -> [(regex, endpoint)], so a request tries few patterns
        for endpoint in protocols.endpoints(protocols.HTTP):
            first = endpoint.path.split("/")[1].split("(")[0]
            self.routes.setdefault(first, []).append((re.compile(endpoint.path + "$"), endpoint))

    def match(self, method, path):
        """`(endpoint, params, None)` for the row a request names, or `(None, None, error)`: 405 or 404."""
        allowed = []
        for pattern, endpoint in self.routes.get(path.split("/")[1], ()):
            found = pattern.match(path)
            if found:
                if endpoint.method == method:
                    return endpoint, found.groupdict(), None
                allowed.append(endpoint)
        if allowed:
            methods = " or ".join(sorted({e.method for e in allowed}))
            return None, None, ServingError("INVALID_ARGUMENT", f"{allowed[0].api} takes {methods}, not {method}: {path}", http_status=405)
        return None, None, ServingError("NOT_FOUND", f"Malformed request: {method} {path}")

    async def handle(self, scope, receive):
        method, path = scope["method"], scope["path"]
        endpoint, params, refusal = self.match(method, path)
        if endpoint is None:
            self.core.count("http", "", "malformed", refusal.code)
            return error_response(refusal)
        request = Request(scope, receive)
        code = "OK"
        try:
            body = await read_body(request.stream(), request.headers, self.max_body_bytes) if method == "POST" else b""
            arguments = endpoint.parse(self.core, HttpRequest(method, path, params, request.headers, body))
            response = endpoint.format(arguments, await endpoint.call(self.core, arguments))
        except ServingError as error:
            code, response = error.code, error_response(error)
        except Exception as error:  # noqa: BLE001 - a bug answers 500 with its message, and the server goes on
            code, response = "INTERNAL", error_response(ServingError("INTERNAL", f"{type(error).__name__}: {error}"))
        self.core.count(endpoint.protocol, params.get("name"), endpoint.api, code)
        return response

    def asgi(self, lifespan=None):
        """The ASGI app; `lifespan(app)`, an async context manager, runs around the server's life."""

        async def app(scope, receive, send):
            if scope["type"] == "http":
                response = await self.handle(scope, receive)
                await response(scope, receive, send)
            elif scope["type"] == "lifespan":
                await run_lifespan(lifespan, app, receive, send)

        return app


async def run_lifespan(lifespan, app, receive, send):
    """ASGI's lifespan protocol around `lifespan(app)` (or nothing)."""
    await receive()  # lifespan.startup
    if lifespan is None:
        await send({"type": "lifespan.startup.complete"})
        await receive()
        await send({"type": "lifespan.shutdown.complete"})
        return
    try:
        context = lifespan(app)
        await context.__aenter__()
    except Exception as error:  # noqa: BLE001 - reported to the server, which stops
        await send({"type": "lifespan.startup.failed", "message": f"{type(error).__name__}: {error}"})
        return
    await send({"type": "lifespan.startup.complete"})
    await receive()  # lifespan.shutdown
    await context.__aexit__(None, None, None)
    await send({"type": "lifespan.shutdown.complete"})

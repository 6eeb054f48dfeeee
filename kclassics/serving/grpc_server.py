"""The gRPC transport: the gRPC rows of `protocols.ENDPOINTS` (TF Serving's gRPC API, KServe V2 gRPC) on one `grpc.aio` server.

The server runs on the HTTP server's event loop, so both share the serving
core and its batchers. Each row's method is served by a generic handler
whose request and response messages come from protobuf's pool, by the
method's full name. A `ServingError` ends the call with the gRPC status of
its code (they are gRPC's canonical codes) and its message; a message over
`max_message_bytes` is refused by gRPC itself with RESOURCE_EXHAUSTED.
"""

import importlib

import grpc
from google.protobuf import descriptor_pool, message_factory

from kclassics.serving import protocols
from kclassics.serving.errors import ServingError


def _model_name(request):
    spec = getattr(request, "model_spec", None)
    if spec is not None:
        return spec.name
    return getattr(request, "model_name", None) or getattr(request, "name", "")


def _handler(core, endpoint):
    method = descriptor_pool.Default().FindMethodByName(endpoint.route.replace("/", "."))
    request_class = message_factory.GetMessageClass(method.input_type)
    response_class = message_factory.GetMessageClass(method.output_type)

    async def behaviour(request, context):
        code = "OK"
        try:
            arguments = endpoint.parse(core, request)
            return endpoint.format(arguments, await endpoint.call(core, arguments))
        except ServingError as error:
            code = error.code
            await context.abort(grpc.StatusCode[error.code], error.message)
        except Exception as error:  # noqa: BLE001 - a bug ends this call with INTERNAL and its message; the server goes on
            code = "INTERNAL"
            await context.abort(grpc.StatusCode.INTERNAL, f"{type(error).__name__}: {error}")
        finally:
            core.count(endpoint.protocol, _model_name(request), endpoint.api, code)

    return grpc.unary_unary_rpc_method_handler(
        behaviour, request_deserializer=request_class.FromString, response_serializer=response_class.SerializeToString)


def grpc_server(core, max_message_bytes):
    """A `grpc.aio.Server` (not started) serving every gRPC endpoint on `core`; add its port with `add_insecure_port`."""
    for protocol in protocols.PROTOCOLS.values():
        if protocol.messages:
            importlib.import_module(protocol.messages)
    services = {}
    for endpoint in protocols.endpoints(protocols.GRPC):
        service, method = endpoint.route.split("/")
        services.setdefault(service, {})[method] = _handler(core, endpoint)
    server = grpc.aio.server(options=[
        ("grpc.max_receive_message_length", max_message_bytes),
        ("grpc.max_send_message_length", -1),
        ("grpc.so_reuseport", 0),  # a port in use is an error, not shared
    ])
    server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler(name, methods) for name, methods in services.items()])
    return server

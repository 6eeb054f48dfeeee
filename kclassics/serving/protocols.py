"""The protocols as data: every endpoint of every protocol, and the parse, call and format functions it is made of.

    parse(core, request) -> arguments    the protocol's request read into a call's arguments (servable resolved, inputs as arrays)
    call(core, arguments) -> result      a coroutine of `calls`, on the one model manager and batcher of `core`
    format(arguments, result) -> reply   the protocol's response

An HTTP endpoint's route is its method and path (a regular expression of
named parts); a gRPC endpoint's is its full method name, whose request and
response messages are found in protobuf's pool by that name. The transports
(`app` for HTTP, `grpc_server` for gRPC) read this table and nothing else:
adding a verb or a protocol is adding rows (see docs/architecture.md).

This module imports TensorFlow's protos: the server imports it when it starts.
"""

import dataclasses

from kclassics.serving import calls, tfserving_grpc, tfserving_rest, v2

HTTP, GRPC = "http", "grpc"


@dataclasses.dataclass(frozen=True)
class Protocol:
    name: str
    transport: str  # HTTP or GRPC
    document: str  # the published description its wire format follows
    messages: str = None  # gRPC: the module whose import puts its services' messages in protobuf's pool


@dataclasses.dataclass(frozen=True)
class Endpoint:
    protocol: str
    api: str  # the verb, as the metrics and docs name it
    route: str  # HTTP: "METHOD /path regex"; gRPC: "package.Service/Method"
    parse: object
    call: object
    format: object

    @property
    def method(self):
        return self.route.split(" ", 1)[0] if self.transport == HTTP else None

    @property
    def path(self):
        return self.route.split(" ", 1)[1] if self.transport == HTTP else None

    @property
    def transport(self):
        return PROTOCOLS[self.protocol].transport


PROTOCOLS = {
    "tfserving-rest": Protocol("tfserving-rest", HTTP, "TensorFlow Serving's api_rest.md"),
    "kserve-v1": Protocol("kserve-v1", HTTP, "KServe's V1 data plane"),
    "tfserving-grpc": Protocol("tfserving-grpc", GRPC, "tensorflow_serving/apis/*.proto (tensorflow-serving-api)",
                               "tensorflow_serving.apis.prediction_service_pb2"),
    "v2-rest": Protocol("v2-rest", HTTP, "KServe's Open Inference Protocol, REST, with Triton's binary tensor extension"),
    "v2-grpc": Protocol("v2-grpc", GRPC, "KServe's Open Inference Protocol, gRPC (grpc_predict_v2.proto, as tritonclient ships it)",
                        "tritonclient.grpc.service_pb2"),
}

_TFS = r"/v1/models/(?P<name>[^/:]+)(?:/versions/(?P<version>\d+)|/labels/(?P<label>[^/:]+))?"
_V2 = r"/v2/models/(?P<name>[^/]+)(?:/versions/(?P<version>[^/]+))?"
_PS, _MS, _V2S = "tensorflow.serving.PredictionService/", "tensorflow.serving.ModelService/", "inference.GRPCInferenceService/"

ENDPOINTS = (
    # TensorFlow Serving's REST API.
    Endpoint("tfserving-rest", "status", f"GET {_TFS}", tfserving_rest.model_ref, calls.status, tfserving_rest.format_status),
    Endpoint("tfserving-rest", "metadata", f"GET {_TFS}/metadata", tfserving_rest.model_ref, calls.servable, tfserving_rest.format_metadata),
    Endpoint("tfserving-rest", "predict", f"POST {_TFS}:predict", tfserving_rest.parse_predict, calls.predict, tfserving_rest.format_predict),
    Endpoint("tfserving-rest", "classify", f"POST {_TFS}:classify", tfserving_rest.parse_classify, calls.classify_or_regress,
             tfserving_rest.format_classify),
    Endpoint("tfserving-rest", "regress", f"POST {_TFS}:regress", tfserving_rest.parse_regress, calls.classify_or_regress,
             tfserving_rest.format_regress),
    Endpoint("tfserving-rest", "metrics", "GET /monitoring/prometheus/metrics", calls.no_arguments, calls.metrics,
             tfserving_rest.format_metrics),
    # KServe V1: its model ready and predict are TF Serving's status and predict above.
    Endpoint("kserve-v1", "list", "GET /v1/models", calls.no_arguments, calls.list_models, tfserving_rest.format_model_list),
    Endpoint("kserve-v1", "live", "GET /", tfserving_rest.parse_home, calls.page_or_alive, tfserving_rest.format_home),
    # TensorFlow Serving's gRPC API.
    Endpoint("tfserving-grpc", "predict", _PS + "Predict", tfserving_grpc.parse_predict, calls.predict, tfserving_grpc.format_predict),
    Endpoint("tfserving-grpc", "classify", _PS + "Classify", tfserving_grpc.parse_classify, calls.classify_or_regress,
             tfserving_grpc.format_classify),
    Endpoint("tfserving-grpc", "regress", _PS + "Regress", tfserving_grpc.parse_regress, calls.classify_or_regress,
             tfserving_grpc.format_regress),
    Endpoint("tfserving-grpc", "multi_inference", _PS + "MultiInference", tfserving_grpc.parse_multi_inference, calls.multi_inference,
             tfserving_grpc.format_multi_inference),
    Endpoint("tfserving-grpc", "metadata", _PS + "GetModelMetadata", tfserving_grpc.parse_metadata, calls.servable,
             tfserving_grpc.format_metadata),
    Endpoint("tfserving-grpc", "status", _MS + "GetModelStatus", tfserving_grpc.parse_status, calls.status, tfserving_grpc.format_status),
    Endpoint("tfserving-grpc", "reload_config", _MS + "HandleReloadConfigRequest", tfserving_grpc.parse_reload_config,
             calls.reload_config, tfserving_grpc.format_reload_config),
    # KServe's Open Inference Protocol (V2) over HTTP.
    Endpoint("v2-rest", "server_metadata", "GET /v2", calls.no_arguments, calls.server_info, v2.format_server_metadata),
    Endpoint("v2-rest", "live", "GET /v2/health/live", calls.no_arguments, calls.server_live, v2.format_live),
    Endpoint("v2-rest", "ready", "GET /v2/health/ready", calls.no_arguments, calls.server_ready, v2.format_ready),
    Endpoint("v2-rest", "model_metadata", f"GET {_V2}", v2.rest_ref, calls.servable_and_versions, v2.format_model_metadata),
    Endpoint("v2-rest", "model_ready", f"GET {_V2}/ready", v2.rest_ref, calls.model_ready, v2.format_model_ready),
    Endpoint("v2-rest", "infer", f"POST {_V2}/infer", v2.parse_rest_infer, calls.predict, v2.format_rest_infer),
    # KServe's Open Inference Protocol (V2) over gRPC.
    Endpoint("v2-grpc", "live", _V2S + "ServerLive", calls.no_arguments, calls.server_live, v2.format_grpc_live),
    Endpoint("v2-grpc", "ready", _V2S + "ServerReady", calls.no_arguments, calls.server_ready, v2.format_grpc_ready),
    Endpoint("v2-grpc", "model_ready", _V2S + "ModelReady", v2.grpc_ref, calls.model_ready, v2.format_grpc_model_ready),
    Endpoint("v2-grpc", "server_metadata", _V2S + "ServerMetadata", calls.no_arguments, calls.server_info,
             v2.format_grpc_server_metadata),
    Endpoint("v2-grpc", "model_metadata", _V2S + "ModelMetadata", v2.grpc_ref, calls.servable_and_versions, v2.format_grpc_model_metadata),
    Endpoint("v2-grpc", "infer", _V2S + "ModelInfer", v2.parse_grpc_infer, calls.predict, v2.format_grpc_infer),
)


def endpoints(transport):
    """The endpoints of one transport (HTTP or GRPC), in table order."""
    return [endpoint for endpoint in ENDPOINTS if endpoint.transport == transport]

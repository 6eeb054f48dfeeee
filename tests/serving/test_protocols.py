"""The protocol table: every row routed to by its transport, and the rows no other test file calls (KServe V1's list and liveness)."""

import grpc
import pytest

from kclassics.serving import protocols
from kclassics.serving.app import ServingApp

# A path of each HTTP row, and the row it must reach.
PATHS = {
    ("GET", "/v1/models/m"): "status", ("GET", "/v1/models/m/versions/3"): "status", ("GET", "/v1/models/m/labels/stable"): "status",
    ("GET", "/v1/models/m/metadata"): "metadata", ("POST", "/v1/models/m/versions/3:predict"): "predict",
    ("POST", "/v1/models/m:classify"): "classify", ("POST", "/v1/models/m/labels/a:regress"): "regress",
    ("GET", "/monitoring/prometheus/metrics"): "metrics", ("GET", "/v1/models"): "list", ("GET", "/"): "live",
    ("GET", "/v2"): "server_metadata", ("GET", "/v2/health/live"): "live", ("GET", "/v2/health/ready"): "ready",
    ("GET", "/v2/models/m"): "model_metadata", ("GET", "/v2/models/m/versions/2"): "model_metadata",
    ("GET", "/v2/models/m/ready"): "model_ready", ("GET", "/v2/models/m/versions/2/ready"): "model_ready",
    ("POST", "/v2/models/m/infer"): "infer", ("POST", "/v2/models/m/versions/2/infer"): "infer",
}


def test_every_http_row_is_reached_by_its_paths():
    app = ServingApp(manager=None, executor=None)
    reached = set()
    for (method, path), api in PATHS.items():
        endpoint, _, refusal = app.match(method, path)
        assert refusal is None and endpoint.api == api, (method, path, refusal and refusal.message)
        reached.add(endpoint)
    assert reached == set(protocols.endpoints(protocols.HTTP))
    _, _, refusal = app.match("GET", "/v2/models/m/infer")
    assert (refusal.http_status, refusal.message) == (405, "infer takes POST, not GET: /v2/models/m/infer")
    assert app.match("GET", "/v3")[2].message == "Malformed request: GET /v3"


def test_every_grpc_row_names_a_method_of_its_protocols_messages():
    import importlib

    from google.protobuf import descriptor_pool

    for protocol in protocols.PROTOCOLS.values():
        if protocol.messages:
            importlib.import_module(protocol.messages)
    routes = [endpoint.route for endpoint in protocols.endpoints(protocols.GRPC)]
    assert len(set(routes)) == len(routes)
    for route in routes:
        assert descriptor_pool.Default().FindMethodByName(route.replace("/", ".")) is not None


def test_kserve_v1_list_and_liveness(grpc_server):
    status, body = grpc_server.get("/v1/models")
    assert status == 200 and set(grpc_server.models) <= set(body["models"])
    assert grpc_server.get("/") == (200, {"status": "alive"})


def test_a_method_the_server_does_not_have_is_unimplemented(grpc_server):
    from tritonclient.grpc import service_pb2, service_pb2_grpc

    with grpc.insecure_channel(grpc_server.grpc) as channel, pytest.raises(grpc.RpcError) as raised:
        service_pb2_grpc.GRPCInferenceServiceStub(channel).RepositoryIndex(service_pb2.RepositoryIndexRequest(), timeout=30)
    assert raised.value.code() == grpc.StatusCode.UNIMPLEMENTED

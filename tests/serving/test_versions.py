"""No failed request while versions change: REST and gRPC clients keep calling while versions come and go.

Version N of the model `live` computes `0.5 x + N`, so every answer says
which version gave it. Under load from two REST and two gRPC clients, the
test publishes a version (renamed into the base directory), withdraws it (the
previous one comes back), and sends HandleReloadConfigRequests that change
the policy, move the model to another base directory and add a model. It
counts the failed requests (0) and checks which versions answered, in which
order. Then the reload's refusals, which change nothing.
"""

import os
import shutil
import threading
import time

import grpc
import numpy as np
import pytest
import tensorflow as tf
from tensorflow_serving.apis import model_management_pb2, model_service_pb2_grpc, predict_pb2, prediction_service_pb2_grpc
from tensorflow_serving.config import model_server_config_pb2

from tests.serving.conftest import model_config


@pytest.fixture(scope="module")
def server(grpc_server):
    return grpc_server


class Load:
    """Clients calling `live` until stopped: REST (TF Serving's predict) and gRPC (Predict); each answer's version recorded."""

    def __init__(self, server, rest=2, grpc_clients=2):
        self.server, self.answers, self.failures = server, [], []
        self.stopping = threading.Event()
        self.channel = grpc.insecure_channel(server.grpc)
        self.threads = [threading.Thread(target=self.rest) for _ in range(rest)] + [threading.Thread(target=self.grpc) for _ in range(grpc_clients)]

    def record(self, protocol, ok, version, detail=""):
        (self.answers if ok else self.failures).append((time.monotonic(), protocol, version if ok else detail))

    def rest(self):
        while not self.stopping.is_set():
            try:
                status, body = self.server.post("/v1/models/live:predict", {"instances": [0.0]})
                self.record("rest", status == 200, int(body["predictions"][0]) if status == 200 else None, f"{status} {body}")
            except Exception as error:  # noqa: BLE001 - a broken connection is a failed request too
                self.record("rest", False, None, repr(error))

    def grpc(self):
        stub = prediction_service_pb2_grpc.PredictionServiceStub(self.channel)
        request = predict_pb2.PredictRequest()
        request.model_spec.name = "live"
        request.inputs["x"].CopyFrom(tf.make_tensor_proto(np.zeros(1, np.float32)))
        while not self.stopping.is_set():
            try:
                response = stub.Predict(request, timeout=30)
                version = response.model_spec.version.value
                assert response.outputs["y"].float_val[0] == version  # the version that says it answered computed it
                self.record("grpc", True, version)
            except Exception as error:  # noqa: BLE001
                self.record("grpc", False, None, repr(error))

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_):
        self.stopping.set()
        for thread in self.threads:
            thread.join(60)
        self.channel.close()

    def since(self, moment):
        return [answer for answer in self.answers if answer[0] >= moment]

    def wait_for(self, version, timeout=60):
        """Waits until both protocols answer from `version` only; returns the moment it held."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            start = time.monotonic()
            time.sleep(0.3)
            recent = self.since(start)
            if recent and {a[2] for a in recent} == {version} and {a[1] for a in recent} == {"rest", "grpc"}:
                return start
        raise AssertionError(f"version {version} does not answer alone: {sorted({a[2] for a in self.answers[-50:]})}, {self.failures[:3]}")


def reload_config(server, live=(), extra=""):
    """HandleReloadConfigRequest: the shared server's models, `live` as `live` (text of its config entry) says, and `extra`."""
    from google.protobuf import text_format

    entries = [model_config(server.root, name) for name in server.models if name != "live"] + [f'name: "live" {live}'] + ([extra] if extra else [])
    request = model_management_pb2.ReloadConfigRequest()
    text_format.Parse("model_config_list { " + " ".join(f"config {{ {entry} }}" for entry in entries) + " }", request.config)
    with grpc.insecure_channel(server.grpc) as channel:
        return model_service_pb2_grpc.ModelServiceStub(channel).HandleReloadConfigRequest(request, timeout=120)


def test_no_failed_request_while_versions_change(server):
    models = server.root
    live = models / "live"
    steps = []  # (moment the change was made, moment the new version alone answered, that version)

    def step(version, change):
        made = time.monotonic()
        change()
        steps.append((made, load.wait_for(version), version))

    def publish():  # renamed into place, as exports are written
        shutil.copytree(models / "store" / "3", live / ".staging-3")
        os.rename(live / ".staging-3", live / "3")

    def withdraw_newest():  # version 2 comes back, loaded again before 3 goes
        shutil.rmtree(live / "3")

    def serve_version_1_and_add_a_model():  # version 1 is loaded before 2 is unloaded; `extra` is served when the call returns
        response = reload_config(server, f'base_path: "{live}" model_version_policy {{ specific {{ versions: 1 }} }}',
                                 f'name: "extra" base_path: "{models / "elsewhere"}"')
        assert response.status.error_code == 0
        assert server.post("/v1/models/extra:predict", {"instances": [0.0]}) == (200, {"predictions": [7.0]})

    def move():  # another base directory: its version 7 loads beside version 1, then takes its place
        reload_config(server, f'base_path: "{models / "elsewhere"}" version_labels {{ key: "stable" value: 7 }}')

    with Load(server) as load:
        steps.append((0.0, load.wait_for(2), 2))
        for version, change in ((3, publish), (2, withdraw_newest), (1, serve_version_1_and_add_a_model), (7, move)):
            step(version, change)
        time.sleep(0.3)
        stopped = time.monotonic()
    assert load.failures == [], load.failures[:5]
    assert len(load.answers) > 100 and {a[1] for a in load.answers} == {"rest", "grpc"}
    # Which version answered: once a version answers alone, only it answers until the next change; during a change, the
    # old version or the new one, nothing else.
    for (_, settled, version), (made, _, new) in zip(steps, steps[1:] + [(stopped, None, None)]):
        assert {a[2] for a in load.answers if settled <= a[0] < made} == {version}, (version, settled, made)
        if new is not None:
            during = {a[2] for a in load.answers if made <= a[0] < next(s for m, s, v in steps if m == made)}
            assert during <= {version, new}, (version, new, during)
    assert server.get("/v1/models/extra")[0] == 404  # left out of the last config: unloaded
    assert server.post("/v1/models/live/labels/stable:predict", {"instances": [2.0]}) == (200, {"predictions": [8.0]})


def test_reload_refusals_change_nothing(server):
    elsewhere = f'base_path: "{server.root / "elsewhere"}" version_labels {{ key: "stable" value: 7 }}'
    reload_config(server, elsewhere)  # the state the refusals must keep, whether or not the test above ran on this server
    with pytest.raises(grpc.RpcError) as raised:
        reload_config(server, elsewhere, f'name: "ghost" base_path: "{server.root / "missing"}"')
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "No model base directory at" in raised.value.details()
    assert server.post("/v1/models/live:predict", {"instances": [0.0]}) == (200, {"predictions": [7.0]})
    with pytest.raises(grpc.RpcError) as raised:
        reload_config(server, f'base_path: "{server.root / "elsewhere"}" version_labels {{ key: "canary" value: 9 }}')
    assert raised.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert raised.value.details() == ("Request to assign label 'canary' to version 9 of model 'live', which is not currently "
                                      "available for inference")
    assert server.post("/v1/models/live/labels/stable:predict", {"instances": [0.0]}) == (200, {"predictions": [7.0]})  # old labels kept
    request = model_management_pb2.ReloadConfigRequest(config=model_server_config_pb2.ModelServerConfig())
    with grpc.insecure_channel(server.grpc) as channel, pytest.raises(grpc.RpcError) as raised:
        model_service_pb2_grpc.ModelServiceStub(channel).HandleReloadConfigRequest(request, timeout=30)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "Only ModelConfigList" in raised.value.details()
    assert server.post("/v1/models/live:predict", {"instances": [0.0]}) == (200, {"predictions": [7.0]})
    reload_config(server, elsewhere)  # the labels as before, for whatever runs next

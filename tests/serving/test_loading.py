"""While a version loads the API answers 503 (and KServe's ready is false); a failed load is reported, not served."""

import concurrent.futures
import threading
import time

import warnings

with warnings.catch_warnings():  # starlette's TestClient asks for httpx2; httpx works
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from kclassics.serving.app import ServingApp
from kclassics.serving.config import ModelConfig
from kclassics.serving.manager import ModelManager


def test_503_while_loading_then_the_failure_in_the_status(tmp_path):
    (tmp_path / "m" / "1").mkdir(parents=True)
    (tmp_path / "m" / "1" / "saved_model.pb").write_bytes(b"")
    gate = threading.Event()

    def load(name, version, path):  # stands for a long SavedModel load that ends in an error
        gate.wait(30)
        raise ValueError("not a SavedModel")

    manager = ModelManager([ModelConfig("m", tmp_path / "m")], poll_seconds=0, load=load)
    with concurrent.futures.ThreadPoolExecutor(1) as executor, TestClient(ServingApp(manager, executor).asgi()) as client:
        assert client.post("/v1/models/m:predict", json={"instances": [1.0]}).status_code == 503  # not started yet
        manager.start()
        while manager.models["m"].versions.get(1) is None:
            time.sleep(0.01)
        response = client.post("/v1/models/m:predict", json={"instances": [1.0]})
        assert (response.status_code, response.json()) == (503, {"error": "Model 'm' is loading; no version is available yet."})
        status = client.get("/v1/models/m").json()
        assert (status["model_version_status"][0]["state"], status["ready"]) == ("LOADING", False)
        gate.set()
        manager.started.wait(30)
        assert manager.startup_failures() == [f"Model 'm' has no servable version in {tmp_path / 'm'}: version 1: Failed to load: not a SavedModel"]
        status = client.get("/v1/models/m").json()
        assert status["model_version_status"] == [
            {"version": "1", "state": "END", "status": {"error_code": "UNKNOWN", "error_message": "Failed to load: not a SavedModel"}}
        ]
        assert client.post("/v1/models/m:predict", json={"instances": [1.0]}).status_code == 404
        assert client.get("/v1/models").json() == {"models": ["m"]}

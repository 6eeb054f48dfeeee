"""Warm-up: kclassics' exports write TF Serving's warm-up requests; a version replays them before it is AVAILABLE."""

import re
import shutil
import time
import urllib.request

import grpc
import numpy as np
import pytest
import tensorflow as tf
from tensorflow_serving.apis import predict_pb2, prediction_log_pb2, prediction_service_pb2_grpc

from kclassics.serving import warmup
from kclassics.serving.servable import Servable
from tests.serving.conftest import half_plus_two

KCLASSICS_EXPORTS = {  # model: the kind of warm-up request of each of its signatures
    "mnist": {"serving_default": "predict_log", "predict_images": "predict_log"},
    "autoencoder": {"serving_default": "predict_log"},
    "word2vec": {"serving_default": "predict_log"},
    "ptb_lm": {"serving_default": "predict_log"},
    "cartpole_pg": {"serving_default": "predict_log"},
    "iris_dnn": {"serving_default": "predict_log", "classify": "classify_log"},
    "linear_regressor": {"serving_default": "predict_log", "regress": "regress_log"},
    "kmeans": {"serving_default": "predict_log"},
}


def logs(path):
    return [prediction_log_pb2.PredictionLog.FromString(r.numpy()) for r in tf.data.TFRecordDataset(str(path / warmup.WARMUP_FILE))]


def signature_of(log):
    kind = log.WhichOneof("log_type")
    return getattr(log, kind).request.model_spec.signature_name, kind


def test_every_export_writes_warmup_requests(exports, task_exports):
    for model, expected in KCLASSICS_EXPORTS.items():
        assert dict(signature_of(log) for log in logs(exports["root"] / model / "1")) == expected, model
    iris = {signature_of(log)[0]: log for log in logs(exports["root"] / "iris_dnn" / "1")}
    example = iris["classify"].classify_log.request.input.example_list.examples[0]
    assert list(example.features.feature["x"].float_list.value) == [0.0] * 4  # the feature its parse op reads, as zeros


def metric(server, name, model):
    text = urllib.request.urlopen(server.url + "/monitoring/prometheus/metrics", timeout=30).read().decode()
    return int(re.search(rf'^{name}{{model="{model}",version="1"}} (\d+)$', text, re.M).group(1))


def test_first_request_latency_with_and_without_warmup(grpc_server):
    """Two copies of one export, one without its warm-up file: the first request to the warmed one does not pay the first call."""
    assert (metric(grpc_server, "kclassics_serving_warmup_requests", "warm_probe"),
            metric(grpc_server, "kclassics_serving_warmup_requests", "cold_probe")) == (2, 0)
    image = np.random.default_rng(8).random((1, 28, 28, 1), dtype=np.float32)
    times = {}
    with grpc.insecure_channel(grpc_server.grpc) as channel:
        stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
        grpc.channel_ready_future(channel).result(timeout=30)  # the connection is made before the clock starts
        for model in ("warm_probe", "cold_probe"):
            request = predict_pb2.PredictRequest()
            request.model_spec.name = model
            request.inputs["images"].CopyFrom(tf.make_tensor_proto(image))
            for attempt in ("first", "second"):
                start = time.perf_counter()
                stub.Predict(request, timeout=60)
                times[model, attempt] = time.perf_counter() - start
    print({k: f"{v * 1e3:.1f} ms" for k, v in times.items()})
    assert times["warm_probe", "first"] < times["cold_probe", "first"], times
    assert times["cold_probe", "first"] > times["cold_probe", "second"], times


def test_any_saved_model_gets_warmup_requests(tmp_path):
    """The writer reads what to send from the signatures themselves: TF Serving's half_plus_two, tf.Example inputs and all."""
    half_plus_two(tmp_path / "1")
    path = warmup.write_warmup_requests(tmp_path / "1")
    assert path == tmp_path / "1" / "assets.extra" / "tf_serving_warmup_requests"
    assert sorted(signature_of(log)[0] for log in logs(tmp_path / "1")) == ["classify_x_to_y", "regress_x_to_y", "regress_x_to_y2", "serving_default"]
    servable = Servable("half_plus_two", 1, tmp_path / "1")
    assert warmup.replay(servable) == 4


def test_a_failing_warmup_request_fails_the_load(tmp_path):
    half_plus_two(tmp_path / "1")
    request = predict_pb2.PredictRequest()
    request.inputs["z"].CopyFrom(tf.make_tensor_proto(np.zeros(1, np.float32)))
    (tmp_path / "1" / "assets.extra").mkdir()
    with tf.io.TFRecordWriter(str(tmp_path / "1" / warmup.WARMUP_FILE)) as writer:
        writer.write(prediction_log_pb2.PredictionLog(predict_log=prediction_log_pb2.PredictLog(request=request)).SerializeToString())
    servable = Servable("half_plus_two", 1, tmp_path / "1")
    with pytest.raises(ValueError, match=r"Warm-up request 0 of .*tf_serving_warmup_requests failed: input size does not match signature"):
        warmup.replay(servable)
    (tmp_path / "1" / warmup.WARMUP_FILE).write_bytes(b"not a TFRecord file")
    with pytest.raises(ValueError, match="is not a readable TFRecord file"):
        warmup.replay(servable)
    shutil.rmtree(tmp_path / "1" / "assets.extra")
    assert warmup.replay(servable) == 0

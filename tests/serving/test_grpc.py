"""TensorFlow Serving's gRPC API, spoken to with the published `tensorflow-serving-api` stubs, as its clients do.

Golden: the requests and answers of TF Serving's own model-server tests
(`tensorflow_model_server_test.py`: half_plus_two's Predict, Classify,
Regress, MultiInference, GetModelMetadata, GetModelStatus) and of its example
clients (`mnist_client.py` reads `outputs[...].float_val`). Every status code
the API answers with, each followed by a good request.
"""

import asyncio
import concurrent.futures
import threading
import time

import grpc
import numpy as np
import pytest
import tensorflow as tf
from tensorflow.core.framework import tensor_pb2
from tensorflow_serving.apis import (
    classification_pb2,
    get_model_metadata_pb2,
    get_model_status_pb2,
    inference_pb2,
    model_service_pb2_grpc,
    predict_pb2,
    prediction_service_pb2_grpc,
    regression_pb2,
)

from tests.serving.conftest import GRPC_MAX_MESSAGE


@pytest.fixture(scope="module")
def channel(grpc_server):
    with grpc.insecure_channel(grpc_server.grpc) as channel:
        yield channel


@pytest.fixture(scope="module")
def stub(channel):
    return prediction_service_pb2_grpc.PredictionServiceStub(channel)


def predict_request(name, inputs, signature_name="", version=None, label=None):
    request = predict_pb2.PredictRequest()
    request.model_spec.name = name
    request.model_spec.signature_name = signature_name
    if version is not None:
        request.model_spec.version.value = version
    if label is not None:
        request.model_spec.version_label = label
    for key, value in inputs.items():
        request.inputs[key].CopyFrom(value if isinstance(value, tensor_pb2.TensorProto) else tf.make_tensor_proto(value))
    return request


def assert_model_spec(spec, name, signature_name, version=123):
    """tensorflow_model_server_test.py's `_VerifyModelSpec`."""
    assert (spec.name, spec.signature_name, spec.version.value) == (name, signature_name, version)


def test_golden_predict(stub):
    request = predict_request("half_plus_two", {"x": np.array([1.0, 2.0, 5.0], np.float32)})
    response = stub.Predict(request, timeout=30)
    assert list(response.outputs["y"].float_val) == [2.5, 3.0, 4.5]  # written in the typed field, as TF Serving does
    assert tf.make_ndarray(response.outputs["y"]).tolist() == [2.5, 3.0, 4.5]
    assert_model_spec(response.model_spec, "half_plus_two", "serving_default")
    for spec in ({"version": 123}, {"label": "stable"}):
        response = stub.Predict(predict_request("half_plus_two", {"x": np.array([2.0], np.float32)}, **spec), timeout=30)
        assert list(response.outputs["y"].float_val) == [3.0]


def examples_input(request, *xs, context=None):
    if context is None:
        target = request.input.example_list
    else:
        target = request.input.example_list_with_context
        for key, value in context.items():
            target.context.features.feature[key].float_list.value.extend([value])
    for x in xs:
        example = target.examples.add()
        if x is not None:
            example.features.feature["x"].float_list.value.extend([x])
    return request


def test_golden_classify(stub):
    request = examples_input(classification_pb2.ClassificationRequest(), 2.0)
    request.model_spec.name = "half_plus_two"
    request.model_spec.signature_name = "classify_x_to_y"
    result = stub.Classify(request, timeout=30)
    assert len(result.result.classifications) == 1 and len(result.result.classifications[0].classes) == 1
    assert result.result.classifications[0].classes[0].score == 3.0
    assert_model_spec(result.model_spec, "half_plus_two", "classify_x_to_y")


def test_golden_regress(stub):
    request = examples_input(regression_pb2.RegressionRequest(), 2.0)
    request.model_spec.name = "half_plus_two"
    request.model_spec.signature_name = "regress_x_to_y"
    result = stub.Regress(request, timeout=30)
    assert [r.value for r in result.result.regressions] == [3.0]
    assert_model_spec(result.model_spec, "half_plus_two", "regress_x_to_y")
    # A context shared by the examples (ExampleListWithContext): an example's own feature wins, as protobuf merges.
    request = examples_input(regression_pb2.RegressionRequest(), 4.0, None, context={"x": 2.0})
    request.model_spec.name = "half_plus_two"
    request.model_spec.signature_name = "regress_x_to_y2"
    assert [r.value for r in stub.Regress(request, timeout=30).result.regressions] == [5.0, 4.0]


def test_golden_multi_inference(stub):
    request = inference_pb2.MultiInferenceRequest()
    request.tasks.add().model_spec.name = "half_plus_two"
    request.tasks[0].model_spec.signature_name = "regress_x_to_y"
    request.tasks[0].method_name = "tensorflow/serving/regress"
    request.tasks.add().model_spec.name = "half_plus_two"
    request.tasks[1].model_spec.signature_name = "classify_x_to_y"
    request.tasks[1].method_name = "tensorflow/serving/classify"
    examples_input(request, 2.0)
    result = stub.MultiInference(request, timeout=30)
    assert len(result.results) == 2
    assert result.results[0].regression_result.regressions[0].value == 3.0
    assert result.results[1].classification_result.classifications[0].classes[0].score == 3.0
    for i in range(2):
        assert_model_spec(result.results[i].model_spec, "half_plus_two", request.tasks[i].model_spec.signature_name)


def test_golden_metadata(stub, grpc_server):
    request = get_model_metadata_pb2.GetModelMetadataRequest()
    request.model_spec.name = "half_plus_two"
    request.metadata_field.append("signature_def")
    result = stub.GetModelMetadata(request, timeout=30)
    assert (result.model_spec.name, result.model_spec.version.value) == ("half_plus_two", 123)
    assert list(result.metadata) == ["signature_def"]
    signature_def_map = get_model_metadata_pb2.SignatureDefMap()
    result.metadata["signature_def"].Unpack(signature_def_map)
    assert sorted(signature_def_map.signature_def) == ["classify_x_to_y", "regress_x_to_y", "regress_x_to_y2", "serving_default"]
    x = signature_def_map.signature_def["serving_default"].inputs["x"]
    assert (x.dtype, [d.size for d in x.tensor_shape.dim]) == (tf.float32.as_datatype_enum, [-1])
    # The same map as the REST metadata's.
    rest = grpc_server.get("/v1/models/half_plus_two/metadata")[1]["metadata"]["signature_def"]["signature_def"]
    assert rest["serving_default"]["inputs"]["x"]["name"] == x.name


def test_golden_status(channel):
    request = get_model_status_pb2.GetModelStatusRequest()
    request.model_spec.name = "half_plus_two"
    result = model_service_pb2_grpc.ModelServiceStub(channel).GetModelStatus(request, timeout=30)
    assert len(result.model_version_status) == 1
    assert result.model_version_status[0].version == 123
    assert result.model_version_status[0].state == get_model_status_pb2.ModelVersionStatus.AVAILABLE
    assert result.model_version_status[0].status.error_code == 0  # OK


def test_mnist_client_style_predict(stub, exports):
    """TF Serving's mnist_client.py: a flat image tensor in, `float_val` read out; here the image tensor of kclassics' export."""
    image = np.random.default_rng(5).random((2, 28, 28, 1), dtype=np.float32)
    response = stub.Predict(predict_request("mnist", {"images": image}), timeout=30)
    scores = np.array(response.outputs["probabilities"].float_val).reshape(2, 10)
    np.testing.assert_allclose(scores, exports["classifier"].predict(image, verbose=0), atol=1e-6)
    assert list(response.outputs["classes"].int64_val) == scores.argmax(1).tolist()
    # output_filter: only the outputs asked for.
    request = predict_request("mnist", {"images": image})
    request.output_filter.append("classes")
    assert list(stub.Predict(request, timeout=30).outputs) == ["classes"]


def test_tensor_forms(stub):
    """tensor_content, typed values, one value for the whole shape (TensorFlow's rule: the last value repeats), strings."""
    content = tf.make_tensor_proto(np.array([1.0, 2.0], np.float32))
    assert content.tensor_content  # make_tensor_proto packs numpy arrays as bytes
    assert list(stub.Predict(predict_request("half_plus_two", {"x": content}), timeout=30).outputs["y"].float_val) == [2.5, 3.0]
    typed = tensor_pb2.TensorProto(dtype=tf.float32.as_datatype_enum, float_val=[4.0])
    typed.tensor_shape.dim.add(size=3)
    assert list(stub.Predict(predict_request("half_plus_two", {"x": typed}), timeout=30).outputs["y"].float_val) == [4.0] * 3
    text = {"text": np.array([b"ab", "héllo".encode()], dtype=object), "scale": np.array([1.0, 2.0], np.float32)}
    outputs = stub.Predict(predict_request("text", text), timeout=30).outputs
    assert list(outputs["upper"].string_val) == [b"AB", "HéLLO".encode()] and list(outputs["length"].int_val) == [2, 6]


def error(call, request):
    with pytest.raises(grpc.RpcError) as raised:
        call(request, timeout=30)
    return raised.value.code(), raised.value.details()


def bad_content():
    proto = tf.make_tensor_proto(np.zeros(3, np.float32))
    proto.tensor_content = proto.tensor_content[:-1]
    return proto


ERRORS = [
    # (request, code, fragment of the message)
    (predict_request("nope", {"x": np.zeros(1, np.float32)}), "NOT_FOUND", "Servable not found for request: Latest(nope)"),
    (predict_request("half_plus_two", {"x": np.zeros(1, np.float32)}, version=7), "NOT_FOUND", "Specific(half_plus_two, 7)"),
    (predict_request("half_plus_two", {"x": np.zeros(1, np.float32)}, label="canary"), "NOT_FOUND", "Unrecognized servable version label: canary"),
    (predict_request("half_plus_two", {"z": np.zeros(1, np.float32)}), "INVALID_ARGUMENT", "Sent extra: {z}. Missing but required: {x}."),
    (predict_request("half_plus_two", {"x": np.zeros(1, np.float64)}), "INVALID_ARGUMENT", "Input 'x' expects DT_FLOAT (float32 [-1]). Received: DT_DOUBLE"),
    (predict_request("half_plus_two", {"x": np.zeros((1, 1), np.float32)}), "INVALID_ARGUMENT", "Input 'x' expects float32 [-1]. Received: shape [1, 1]"),
    (predict_request("half_plus_two", {"x": bad_content()}), "INVALID_ARGUMENT", "tensor_content holds 11 bytes; shape [3] of DT_FLOAT needs 12"),
    (predict_request("mnist", {"images": np.zeros((1, 28, 28), np.float32)}), "INVALID_ARGUMENT", "expects float32 [-1, 28, 28, 1]"),
    (predict_request("half_plus_two", {"x": np.zeros(1, np.float32)}, signature_name="nope"), "FAILED_PRECONDITION", "'nope' not found"),
    (predict_request("", {"x": np.zeros(1, np.float32)}), "INVALID_ARGUMENT", "model_spec.name is empty"),
]


def test_status_codes_and_the_server_keeps_serving(stub):
    for request, code, fragment in ERRORS:
        got, details = error(stub.Predict, request)
        assert (got.name, fragment in details) == (code, True), (code, fragment, got, details)
    request = predict_request("half_plus_two", {"x": np.zeros(1, np.float32)})
    request.output_filter.append("z")
    assert error(stub.Predict, request)[0] == grpc.StatusCode.INVALID_ARGUMENT
    # A signature that does not fit the call: classify on a predict signature.
    classify = examples_input(classification_pb2.ClassificationRequest(), 2.0)
    classify.model_spec.name = "half_plus_two"
    code, details = error(stub.Classify, classify)
    assert code == grpc.StatusCode.FAILED_PRECONDITION and "not a classification signature" in details
    classify.model_spec.signature_name = "classify_x_to_y"
    classify.input.Clear()
    assert error(stub.Classify, classify) == (grpc.StatusCode.INVALID_ARGUMENT, "Input is empty: give input.example_list or input.example_list_with_context.")
    metadata = get_model_metadata_pb2.GetModelMetadataRequest(model_spec={"name": "half_plus_two"}, metadata_field=["graph"])
    assert error(stub.GetModelMetadata, metadata) == (grpc.StatusCode.INVALID_ARGUMENT, "Metadata field graph is not supported. Accepted: signature_def")
    # A message over --max-body-bytes: gRPC refuses it, RESOURCE_EXHAUSTED.
    big = predict_request("half_plus_two", {"x": np.zeros(GRPC_MAX_MESSAGE // 4 + 10, np.float32)})
    code, details = error(stub.Predict, big)
    assert code == grpc.StatusCode.RESOURCE_EXHAUSTED and "larger than max" in details
    response = stub.Predict(predict_request("half_plus_two", {"x": np.array([2.0], np.float32)}), timeout=30)
    assert list(response.outputs["y"].float_val) == [3.0]


def test_unavailable_while_loading(tmp_path):
    """A model still loading answers UNAVAILABLE over gRPC, as over REST (503); then it serves."""
    from kclassics.serving.config import ModelConfig
    from kclassics.serving.core import ServingCore
    from kclassics.serving.grpc_server import grpc_server
    from kclassics.serving.manager import ModelManager
    from kclassics.serving.servable import Servable
    from tests.serving.conftest import half_plus_two

    half_plus_two(tmp_path / "m" / "1")
    gate = threading.Event()

    def load(name, version, path):  # a load that waits for the test
        gate.wait(60)
        return Servable(name, version, path)

    manager = ModelManager([ModelConfig("m", tmp_path / "m")], poll_seconds=0, load=load)
    loop = asyncio.new_event_loop()
    ready = concurrent.futures.Future()

    async def run():
        with concurrent.futures.ThreadPoolExecutor(2) as executor:
            server = grpc_server(ServingCore(manager, executor), 1 << 20)
            port = server.add_insecure_port("127.0.0.1:0")
            await server.start()
            ready.set_result(port)
            while not gate.is_set() or not manager.started.is_set():
                await asyncio.sleep(0.05)
            await asyncio.sleep(1)  # the last requests
            await server.stop(grace=5)

    thread = threading.Thread(target=loop.run_until_complete, args=(run(),))
    thread.start()
    try:
        with grpc.insecure_channel(f"127.0.0.1:{ready.result(30)}") as channel:
            stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
            request = predict_request("m", {"x": np.array([2.0], np.float32)})
            manager.start()
            code, details = error(stub.Predict, request)
            assert (code, details) == (grpc.StatusCode.UNAVAILABLE, "Model 'm' is loading; no version is available yet.")
            gate.set()
            manager.started.wait(60)
            assert list(stub.Predict(request, timeout=30).outputs["y"].float_val) == [3.0]
    finally:
        gate.set()
        thread.join(60)
        loop.close()
        time.sleep(0)

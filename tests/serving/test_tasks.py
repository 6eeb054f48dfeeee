"""Every export task through every protocol: each answer equals the SavedModel's own, called in this process.

The tasks: image classification (float pixels and encoded images), the
autoencoder's reconstruction, word2vec's lookups, the language model's next
word, the RL policies, the canned tabular models
(predict, classify and regress) and k-means. The protocols: TF Serving's REST
API (KServe V1's predict is the same route), TF Serving's gRPC API, and KServe
V2 over HTTP (JSON and binary) and gRPC (raw contents), each through the
client its users run.
"""

import base64
import functools

import numpy as np
import pytest
import tensorflow as tf

from tests.serving.conftest import TABLE

RNG = np.random.default_rng(11)


def png(pixels):
    return tf.io.encode_png(pixels).numpy()


CASES = {
    # name: (model, signature, inputs)
    "image_pixels": ("mnist", "serving_default", {"images": RNG.random((2, 28, 28, 1), dtype=np.float32)}),
    "image_encoded": ("mnist", "predict_images", {"image_bytes": np.array(
        [png((RNG.random((28, 28, 1)) * 255).astype(np.uint8)), png((RNG.random((40, 30, 1)) * 255).astype(np.uint8))], dtype=object)}),
    "reconstruction": ("autoencoder", "serving_default", {"inputs": RNG.random((2, 16), dtype=np.float32)}),
    "embedding_lookup": ("word2vec", "serving_default", {"words": np.array([b"cat", b"zebra", b"the"], dtype=object)}),
    "next_word": ("ptb_lm", "serving_default", {"token_ids": np.array([[1, 5, 7], [2, 2, 11]], np.int32),
                                                 "state": RNG.normal(size=(2, 2, 2, 4)).astype(np.float32)}),
    "policy_probabilities": ("cartpole_pg", "serving_default", {"observations": RNG.normal(size=(3, 4)).astype(np.float32)}),
    "tabular_classifier": ("iris_dnn", "serving_default", {"x": TABLE[:3]}),
    "tabular_regressor": ("linear_regressor", "serving_default", {"x": TABLE[:3]}),
    "clustering": ("kmeans", "serving_default", {"points": TABLE[:5]}),
}


@functools.lru_cache(maxsize=None)
def signature(root, model, name):
    return tf.saved_model.load(str(root / model / "1")).signatures[name]


def reference(exports, model, name, inputs):
    outputs = signature(exports["root"], model, name)(**{k: tf.constant(v) for k, v in inputs.items()})
    return {k: v.numpy() for k, v in outputs.items()}


def json_value(array):
    if array.dtype == object:
        return [{"b64": base64.b64encode(item).decode()} for item in array.tolist()]
    return array.tolist()


def tf_rest(server, model, name, inputs):
    status, body = server.post(f"/v1/models/{model}:predict", {"signature_name": name, "inputs": {k: json_value(v) for k, v in inputs.items()}})
    assert status == 200, body
    outputs = body["outputs"]
    return outputs if isinstance(outputs, dict) else {"": outputs}


def tf_grpc(server, model, name, inputs):
    import grpc
    from tensorflow_serving.apis import predict_pb2, prediction_service_pb2_grpc

    request = predict_pb2.PredictRequest()
    request.model_spec.name, request.model_spec.signature_name = model, name
    for key, value in inputs.items():
        request.inputs[key].CopyFrom(tf.make_tensor_proto(value))
    with grpc.insecure_channel(server.grpc) as channel:
        response = prediction_service_pb2_grpc.PredictionServiceStub(channel).Predict(request, timeout=30)
    return {key: tf.make_ndarray(value) for key, value in response.outputs.items()}


def v2(client_module, server, model, name, inputs, binary=True):
    from tritonclient.utils import np_to_triton_dtype

    address = server.url.removeprefix("http://") if client_module.__name__.endswith("http") else server.grpc
    client = client_module.InferenceServerClient(address)
    try:
        tensors = []
        for key, value in inputs.items():
            tensor = client_module.InferInput(key, list(value.shape), np_to_triton_dtype(value.dtype))
            tensor.set_data_from_numpy(value, **({"binary_data": binary} if client_module.__name__.endswith("http") else {}))
            tensors.append(tensor)
        result = client.infer(model, tensors, parameters={"signature_name": name})
        response = result.get_response(as_json=True) if not client_module.__name__.endswith("http") else result.get_response()
        return {output["name"]: result.as_numpy(output["name"]) for output in response["outputs"]}
    finally:
        client.close()


def v2_http(server, model, name, inputs):
    import tritonclient.http as httpclient

    return v2(httpclient, server, model, name, inputs, binary=True)


def v2_http_json(server, model, name, inputs):
    import tritonclient.http as httpclient

    return v2(httpclient, server, model, name, inputs, binary=False)


def v2_grpc(server, model, name, inputs):
    import tritonclient.grpc as grpcclient

    return v2(grpcclient, server, model, name, inputs)


PROTOCOLS = {"tfserving-rest": tf_rest, "tfserving-grpc": tf_grpc, "v2-rest-binary": v2_http, "v2-rest-json": v2_http_json,
             "v2-grpc": v2_grpc}


def assert_same(got, expected, where):
    if set(got) == {""}:
        assert len(expected) == 1, where
        got = {next(iter(expected)): got[""]}
    assert sorted(got) == sorted(expected), where
    for key, value in expected.items():
        answer = np.asarray(got[key])
        if value.dtype.kind == "f":
            np.testing.assert_allclose(answer, value, atol=1e-5, rtol=1e-5, err_msg=f"{where} {key}")
        else:
            assert answer.tolist() == value.tolist(), (where, key)


# V2's JSON form carries BYTES as UTF-8 text, which encoded images are not: they go in its binary form (v2-rest-binary).
COMBINATIONS = [(case, protocol) for case in CASES for protocol in PROTOCOLS if (case, protocol) != ("image_encoded", "v2-rest-json")]


@pytest.mark.parametrize("case, protocol", COMBINATIONS)
def test_every_task_through_every_protocol(grpc_server, exports, case, protocol):
    model, name, inputs = CASES[case]
    got = PROTOCOLS[protocol](grpc_server, model, name, inputs)
    assert_same(got, reference(exports, model, name, inputs), f"{case} over {protocol}")


def serialized_examples(rows):
    from tensorflow.core.example import example_pb2

    examples = []
    for row in rows:
        example = example_pb2.Example()
        example.features.feature["x"].float_list.value.extend(row.tolist())
        examples.append(example)
    return examples


@pytest.mark.parametrize("method, model", [("classify", "iris_dnn"), ("regress", "linear_regressor")])
def test_classify_and_regress_through_every_protocol(grpc_server, exports, method, model):
    """TF Serving's classify / regress over REST and gRPC, and the same signature over V2 (BYTES of tf.Examples)."""
    import grpc
    from tensorflow_serving.apis import classification_pb2, prediction_service_pb2_grpc, regression_pb2

    rows = TABLE[3:7]
    examples = serialized_examples(rows)
    expected = reference(exports, model, method, {"inputs": np.array([e.SerializeToString() for e in examples], dtype=object)})
    status, body = grpc_server.post(f"/v1/models/{model}:{method}", {"signature_name": method, "examples": [{"x": r.tolist()} for r in rows]})
    assert status == 200, body
    request = (classification_pb2.ClassificationRequest if method == "classify" else regression_pb2.RegressionRequest)()
    request.model_spec.name, request.model_spec.signature_name = model, method
    request.input.example_list.examples.extend(examples)
    with grpc.insecure_channel(grpc_server.grpc) as channel:
        stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
        result = (stub.Classify if method == "classify" else stub.Regress)(request, timeout=30).result
    if method == "classify":
        assert [[label for label, _ in row] for row in body["results"]] == [["setosa", "versicolor", "virginica"]] * 4
        np.testing.assert_allclose([[score for _, score in row] for row in body["results"]], expected["scores"], atol=1e-6)
        assert [[c.label for c in r.classes] for r in result.classifications] == [["setosa", "versicolor", "virginica"]] * 4
        np.testing.assert_allclose([[c.score for c in r.classes] for r in result.classifications], expected["scores"], atol=1e-6)
    else:
        np.testing.assert_allclose(body["results"], expected["outputs"], atol=1e-5)
        np.testing.assert_allclose([r.value for r in result.regressions], expected["outputs"], atol=1e-5)
    inputs = {"inputs": np.array([e.SerializeToString() for e in examples], dtype=object)}
    for call in (v2_http, v2_grpc):
        assert_same(call(grpc_server, model, method, inputs), expected, f"{method} over {call.__name__}")

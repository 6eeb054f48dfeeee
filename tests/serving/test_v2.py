"""KServe's Open Inference Protocol (V2) over HTTP and gRPC, spoken to with Triton's clients and with the documents' bodies.

Golden: the inference request and response of KServe's `required_api.md`
(its `mymodel`: `input0` UINT32 [2, 2], `input1` BOOL [3] -> `output0` FP32
[3, 2]) and of Triton's binary tensor extension (`binary_data.md`), sent as
the documents write them. Then `tritonclient.http` and `tritonclient.grpc`
as their users call them, every datatype a kclassics export uses, and 30
malformed gRPC and V2 requests followed by a good one.
"""

import json
import urllib.request

import grpc
import numpy as np
import pytest

from tests.serving.conftest import GRPC_MAX_MESSAGE

OUTPUT0 = [1.0, 1.1, 2.0, 2.1, 3.0, 3.1]


@pytest.fixture(scope="module")
def http_client(grpc_server):
    import tritonclient.http as httpclient

    client = httpclient.InferenceServerClient(grpc_server.url.removeprefix("http://"))
    yield client
    client.close()


@pytest.fixture(scope="module")
def grpc_client(grpc_server):
    import tritonclient.grpc as grpcclient

    client = grpcclient.InferenceServerClient(grpc_server.grpc)
    yield client
    client.close()


def raw_post(server, path, body, headers=None):
    request = urllib.request.Request(server.url + path, data=body, method="POST", headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers, response.read()  # headers: case-insensitive
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_golden_json_inference(grpc_server):
    """required_api.md's inference request, as written (with `input1`'s three values), and its response."""
    body = {
        "id": "42",
        "inputs": [
            {"name": "input0", "shape": [2, 2], "datatype": "UINT32", "data": [1, 2, 3, 4]},
            {"name": "input1", "shape": [3], "datatype": "BOOL", "data": [True, True, True]},
        ],
        "outputs": [{"name": "output0"}],
    }
    assert grpc_server.post("/v2/models/spec_example/infer", body) == (200, {
        "model_name": "spec_example", "model_version": "1", "id": "42",
        "outputs": [{"name": "output0", "shape": [3, 2], "datatype": "FP32", "data": [1.0, 1.1, 2.0, 2.1, 3.0, 3.1]}],
    })  # float32 numbers in their shortest form, as the document writes them


def test_golden_binary_inference(grpc_server):
    """binary_data.md's request: input0 and input1 as binary after the JSON, output0 asked for in binary, output1 in JSON."""
    header = json.dumps({
        "model_name": "spec_example",
        "inputs": [
            {"name": "input0", "shape": [2, 2], "datatype": "UINT32", "parameters": {"binary_data_size": 16}},
            {"name": "input1", "shape": [3], "datatype": "BOOL", "parameters": {"binary_data_size": 3}},
        ],
        "outputs": [{"name": "output0", "parameters": {"binary_data": True}}, {"name": "output1"}],
    }).encode()
    data = np.array([1, 2, 3, 4], np.uint32).tobytes() + np.array([True, False, True]).tobytes()
    status, headers, body = raw_post(grpc_server, "/v2/models/spec_example/infer", header + data,
                                     {"Content-Type": "application/octet-stream", "Inference-Header-Content-Length": str(len(header))})
    assert status == 200, body
    length = int(headers["Inference-Header-Content-Length"])
    response = json.loads(body[:length])
    output0, output1 = response["outputs"]
    assert output0 == {"name": "output0", "datatype": "FP32", "shape": [3, 2], "parameters": {"binary_data_size": 24}}
    np.testing.assert_allclose(np.frombuffer(body[length:], np.float32), [1.0, 1.1, 0.0, 0.0, 3.0, 3.1], rtol=1e-7)
    assert (output1["shape"], output1["datatype"]) == ([2, 2], "FP32")
    np.testing.assert_allclose(output1["data"], OUTPUT0[:4], rtol=1e-7)


def test_golden_health_and_metadata(grpc_server):
    assert grpc_server.get("/v2/health/live") == (200, {"live": True})
    assert grpc_server.get("/v2/health/ready") == (200, {"ready": True})
    status, metadata = grpc_server.get("/v2")
    assert (status, metadata["name"], metadata["extensions"]) == (200, "kclassics", ["binary_tensor_data", "parameters"])
    assert grpc_server.get("/v2/models/spec_example") == (200, {
        "name": "spec_example", "versions": ["1"], "platform": "tensorflow_savedmodel",
        "inputs": [{"name": "input0", "datatype": "UINT32", "shape": [-1, 2]}, {"name": "input1", "datatype": "BOOL", "shape": [-1]}],
        "outputs": [{"name": "output0", "datatype": "FP32", "shape": [-1, 2]}, {"name": "output1", "datatype": "FP32", "shape": [-1, 2]}],
    })
    assert grpc_server.get("/v2/models/spec_example/versions/1")[1]["name"] == "spec_example"
    assert grpc_server.get("/v2/models/spec_example/ready") == (200, {"name": "spec_example", "ready": True})
    assert grpc_server.get("/v2/models/spec_example/versions/2/ready") == (400, {"name": "spec_example", "ready": False})


def test_tritonclient_http(http_client, exports):
    import tritonclient.http as httpclient

    assert http_client.is_server_live() and http_client.is_server_ready() and http_client.is_model_ready("mnist")
    assert not http_client.is_model_ready("mnist", "9")
    metadata = http_client.get_model_metadata("mnist")
    assert metadata["inputs"] == [{"name": "images", "datatype": "FP32", "shape": [-1, 28, 28, 1]}]
    image = np.random.default_rng(6).random((2, 28, 28, 1), dtype=np.float32)
    expected = exports["classifier"].predict(image, verbose=0)
    for binary in (True, False):  # Triton's binary tensors (the client's default), and JSON
        tensor = httpclient.InferInput("images", [2, 28, 28, 1], "FP32")
        tensor.set_data_from_numpy(image, binary_data=binary)
        outputs = [httpclient.InferRequestedOutput("probabilities", binary_data=binary), httpclient.InferRequestedOutput("classes", binary_data=binary)]
        result = http_client.infer("mnist", [tensor], outputs=outputs, request_id="7")
        np.testing.assert_allclose(result.as_numpy("probabilities"), expected, atol=1e-6)
        assert result.as_numpy("classes").tolist() == expected.argmax(1).tolist()
        assert result.get_response()["id"] == "7"


def test_tritonclient_grpc(grpc_client, exports):
    import tritonclient.grpc as grpcclient

    assert grpc_client.is_server_live() and grpc_client.is_server_ready() and grpc_client.is_model_ready("mnist")
    assert grpc_client.get_server_metadata().name == "kclassics"
    metadata = grpc_client.get_model_metadata("mnist", as_json=True)
    assert (metadata["platform"], metadata["versions"]) == ("tensorflow_savedmodel", ["1"])
    image = np.random.default_rng(7).random((3, 28, 28, 1), dtype=np.float32)
    tensor = grpcclient.InferInput("images", [3, 28, 28, 1], "FP32")
    tensor.set_data_from_numpy(image)
    result = grpc_client.infer("mnist", [tensor], model_version="1")
    np.testing.assert_allclose(result.as_numpy("probabilities"), exports["classifier"].predict(image, verbose=0), atol=1e-6)
    assert result.get_response().model_version == "1"


def test_typed_contents_over_grpc(grpc_server):
    """Values in typed `contents` (not raw) are answered in typed contents."""
    from tritonclient.grpc import service_pb2, service_pb2_grpc

    request = service_pb2.ModelInferRequest(model_name="spec_example", id="typed")
    input0 = request.inputs.add(name="input0", datatype="UINT32", shape=[2, 2])
    input0.contents.uint_contents.extend([1, 2, 3, 4])
    input1 = request.inputs.add(name="input1", datatype="BOOL", shape=[3])
    input1.contents.bool_contents.extend([True, True, False])
    with grpc.insecure_channel(grpc_server.grpc) as channel:
        response = service_pb2_grpc.GRPCInferenceServiceStub(channel).ModelInfer(request, timeout=30)
    assert response.id == "typed" and not response.raw_output_contents
    output0 = next(o for o in response.outputs if o.name == "output0")
    assert list(output0.shape) == [3, 2]
    np.testing.assert_allclose(output0.contents.fp32_contents, OUTPUT0[:4] + [0.0, 0.0], rtol=1e-7)


@pytest.mark.parametrize("protocol", ["http", "grpc"])
def test_datatypes_of_the_exports(protocol, http_client, grpc_client):
    """FP16 and BF16 (binary / raw), INT32 and INT64 (the language model's ids, the classes), BYTES (words)."""
    import ml_dtypes
    import tritonclient.grpc as grpcclient
    import tritonclient.http as httpclient

    module, client = (httpclient, http_client) if protocol == "http" else (grpcclient, grpc_client)
    half = np.array([1.5, -2.0], np.float16)
    brain = np.array([0.5, 3.0], ml_dtypes.bfloat16)
    inputs = [module.InferInput("half", [2], "FP16"), module.InferInput("brain", [2], "BF16")]
    inputs[0].set_data_from_numpy(half)
    inputs[1].set_data_from_numpy(brain)
    result = client.infer("halves", inputs)
    assert result.as_numpy("half").tolist() == [3.0, -4.0] and result.as_numpy("half").dtype == np.float16
    assert result.as_numpy("brain").astype(np.float32).tolist() == [1.0, 6.0]
    assert result.as_numpy("sum").tolist() == [2.0, 1.0]
    words = module.InferInput("words", [3], "BYTES")
    words.set_data_from_numpy(np.array([b"cat", b"zebra", "the".encode()], dtype=object))
    result = client.infer("word2vec", [words])
    assert result.as_numpy("ids").tolist() == [2, 0, 1] and result.as_numpy("ids").dtype == np.int64
    ids = module.InferInput("token_ids", [1, 2], "INT32")
    ids.set_data_from_numpy(np.array([[3, 4]], np.int32))
    state = module.InferInput("state", [2, 2, 1, 4], "FP32")
    state.set_data_from_numpy(np.zeros((2, 2, 1, 4), np.float32))
    result = client.infer("ptb_lm", [ids, state])
    assert result.as_numpy("logits").shape == (1, 12) and result.as_numpy("state").shape == (2, 2, 1, 4)


def v2_http(name="spec_example", inputs=None, outputs=None, **extra):
    inputs = inputs if inputs is not None else [
        {"name": "input0", "shape": [2, 2], "datatype": "UINT32", "data": [1, 2, 3, 4]},
        {"name": "input1", "shape": [3], "datatype": "BOOL", "data": [True, True, True]},
    ]
    body = {"inputs": inputs, **extra}
    if outputs is not None:
        body["outputs"] = outputs
    return f"/v2/models/{name}/infer", json.dumps(body).encode(), {}


def v2_binary(header, data, declared=None, path="/v2/models/spec_example/infer"):
    text = json.dumps(header).encode()
    return path, text + data, {"Inference-Header-Content-Length": str(len(text) if declared is None else declared)}


BINARY = {"inputs": [{"name": "input0", "shape": [2, 2], "datatype": "UINT32", "parameters": {"binary_data_size": 16}},
                     {"name": "input1", "shape": [3], "datatype": "BOOL", "data": [True, True, True]}]}
GOOD_INPUT0 = np.array([1, 2, 3, 4], np.uint32).tobytes()

MALFORMED_HTTP = [
    # (path, body, headers, status, fragment)
    (*v2_http(name="nope"), 404, "Servable not found for request: Latest(nope)"),
    (*v2_http(name="spec_example/versions/7"), 404, "Specific(spec_example, 7)"),
    (*v2_http(name="spec_example/versions/one"), 400, "A model version is a non-negative integer. Received: version 'one'"),
    (*v2_http(inputs=[{"name": "input0", "shape": [2, 2], "datatype": "FP32", "data": [1, 2, 3, 4]}]), 400, "input 'input0' is UINT32"),
    (*v2_http(inputs=[{"name": "input0", "shape": [2, 2], "datatype": "FP8", "data": [1, 2, 3, 4]}]), 400, "unknown datatype 'FP8'"),
    (*v2_http(inputs=[{"name": "input0", "shape": [2, 2], "datatype": "UINT32", "data": [1, 2, 3]}]), 400, "'data' holds 3 values; shape [2, 2] holds 4"),
    (*v2_http(inputs=[{"name": "input0", "shape": [4], "datatype": "UINT32", "data": [1, 2, 3, 4]}]), 400, "expects uint32 [-1, 2]. Received: shape [4]"),
    (*v2_http(inputs=[{"name": "input0", "shape": [2, -2], "datatype": "UINT32", "data": [1]}]), 400, "'shape' must be a list of non-negative integers"),
    (*v2_http(inputs=[{"name": "inputX", "shape": [1], "datatype": "UINT32", "data": [1]}]), 400, "unexpected input 'inputX'"),
    (*v2_http(inputs=[{"name": "input0", "shape": [2, 2], "datatype": "UINT32", "data": [1, 2, 3, 4]}]), 400, "missing input(s) input1"),
    (*v2_http(inputs=[{"name": "input0", "shape": [2, 2], "datatype": "UINT32", "data": [1, 2, 3, -4]}]), 400, "UINT32 values lie in [0, 4294967295]"),
    (*v2_http(inputs=[{"name": "input1", "shape": [1], "datatype": "BOOL", "data": ["yes"]}]), 400, "BOOL data is true / false"),
    (*v2_http(inputs=[{"name": "input0", "shape": [2, 2], "datatype": "UINT32", "data": [1, 2, 3, 4.5]}]), 400, "UINT32 data are integers"),
    (*v2_http(inputs=[]), 400, "'inputs' must be a non-empty list"),
    (*v2_http(outputs=[{"name": "output9"}]), 400, "unknown output 'output9'"),
    (*v2_http(parameters={"signature_name": "nope"}), 400, "'nope' not found in signature def"),
    (*v2_http(extra=1), 400, "Unknown key(s) in the inference request: extra"),
    (*v2_http(model_name="mnist"), 400, "The body's model_name ('mnist') is not the path's (spec_example)"),
    ("/v2/models/spec_example/infer", b'{"inputs": [', {}, 400, "Malformed JSON"),
    (*v2_binary(BINARY, GOOD_INPUT0[:10]), 400, "binary_data_size 16 runs past the binary data (10 bytes left)"),
    (*v2_binary(BINARY, GOOD_INPUT0 + b"extra"), 400, "5 bytes of binary data past the inputs' binary_data_size"),
    (*v2_binary(BINARY, GOOD_INPUT0, declared=10_000), 400, "Inference-Header-Content-Length must be a byte count within the body"),
    (*v2_binary(BINARY, GOOD_INPUT0, declared=20), 400, "Malformed JSON"),
    (*v2_binary({"inputs": [{"name": "words", "shape": [1], "datatype": "BYTES", "parameters": {"binary_data_size": 6}}]},
                b"\x09\x00\x00\x00ab", path="/v2/models/word2vec/infer"), 400, "a BYTES element of 9 bytes runs past the end of its data"),
    ("/v2/models/halves/infer", json.dumps({"inputs": [{"name": "half", "shape": [1], "datatype": "FP16", "data": [1.0]},
                                                       {"name": "brain", "shape": [1], "datatype": "BF16", "data": [1.0]}]}).encode(),
     {}, 400, "BF16 data travels in binary form"),
]


def grpc_infer(name="spec_example", version="", inputs=(("input0", "UINT32", [2, 2]), ("input1", "BOOL", [3])), raw=None, **fields):
    from tritonclient.grpc import service_pb2

    request = service_pb2.ModelInferRequest(model_name=name, model_version=version, **fields)
    for tensor_name, datatype, shape in inputs:
        request.inputs.add(name=tensor_name, datatype=datatype, shape=shape)
    default_raw = [GOOD_INPUT0, np.array([True, True, True]).tobytes()]
    request.raw_input_contents.extend(default_raw if raw is None else raw)
    return request


def malformed_grpc():
    from tritonclient.grpc import service_pb2

    typed = grpc_infer(raw=[])
    typed.inputs[0].contents.uint_contents.extend([1, 2, 3])
    typed.inputs[1].contents.bool_contents.extend([True, True, True])
    half = grpc_infer("halves", inputs=[("half", "FP16", [1]), ("brain", "BF16", [1])], raw=[])
    half.inputs[0].contents.fp32_contents.append(1.0)
    wrong_field = grpc_infer(raw=[])
    wrong_field.inputs[0].contents.int_contents.extend([1, 2, 3, 4])
    wrong_field.inputs[1].contents.bool_contents.extend([True, True, True])
    return [
        # (request, code, fragment)
        (grpc_infer(name="nope"), "NOT_FOUND", "Latest(nope)"),
        (grpc_infer(version="x"), "INVALID_ARGUMENT", "A model version is a non-negative integer"),
        (grpc_infer(name=""), "INVALID_ARGUMENT", "model_name is empty"),
        (grpc_infer(inputs=[("input0", "INT64", [2, 2]), ("input1", "BOOL", [3])]), "INVALID_ARGUMENT", "input 'input0' is UINT32"),
        (grpc_infer(inputs=[("input0", "UINT32", [2, 3]), ("input1", "BOOL", [3])]), "INVALID_ARGUMENT", "needs 24"),
        (grpc_infer(raw=[GOOD_INPUT0]), "INVALID_ARGUMENT", "raw_input_contents holds 1 tensors for 2 inputs"),
        (grpc_infer(raw=[GOOD_INPUT0[:-1], b"\x01\x01\x01"]), "INVALID_ARGUMENT", "15 bytes of data; shape [2, 2] of UINT32 needs 16"),
        (typed, "INVALID_ARGUMENT", "contents.uint_contents holds 3 values; shape [2, 2] holds 4"),
        (half, "INVALID_ARGUMENT", "FP16 has no typed contents field; send it in raw_input_contents"),
        (wrong_field, "INVALID_ARGUMENT", "values go in contents.uint_contents. Received: contents.int_contents"),
        (grpc_infer(parameters={"signature_name": service_pb2.InferParameter(string_param="nope")}), "FAILED_PRECONDITION", "'nope' not found"),
        (grpc_infer(outputs=[service_pb2.ModelInferRequest.InferRequestedOutputTensor(name="output7")]), "INVALID_ARGUMENT", "unknown output 'output7'"),
        (grpc_infer(inputs=[], raw=[]), "INVALID_ARGUMENT", "holds no input"),
        (grpc_infer(raw=[b"\x00" * (GRPC_MAX_MESSAGE + 10), b"\x01\x01\x01"]), "RESOURCE_EXHAUSTED", "larger than max"),
    ]


def test_malformed_requests_then_a_good_one(grpc_server):
    from tritonclient.grpc import service_pb2_grpc

    http_cases, grpc_cases = MALFORMED_HTTP, malformed_grpc()
    assert len(http_cases) + len(grpc_cases) >= 25
    for path, body, headers, status, fragment in http_cases:
        code, _, answer = raw_post(grpc_server, path, body, {"Content-Type": "application/json", **headers})
        answer = json.loads(answer)
        assert (code, list(answer)) == (status, ["error"]), (path, body[:120], code, answer)
        assert fragment in answer["error"], (path, body[:120], answer)
    with grpc.insecure_channel(grpc_server.grpc, options=[("grpc.max_send_message_length", -1)]) as channel:
        stub = service_pb2_grpc.GRPCInferenceServiceStub(channel)
        for request, code, fragment in grpc_cases:
            with pytest.raises(grpc.RpcError) as raised:
                stub.ModelInfer(request, timeout=30)
            assert (raised.value.code().name, fragment in raised.value.details()) == (code, True), (code, fragment, raised.value.details())
        response = stub.ModelInfer(grpc_infer(), timeout=30)
    np.testing.assert_allclose(np.frombuffer(response.raw_output_contents[0], np.float32), OUTPUT0, rtol=1e-7)
    path, body, _ = v2_http()
    status, body = grpc_server.post(path, raw=body)
    assert status == 200 and len(body["outputs"]) == 2

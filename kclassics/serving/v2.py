"""KServe's Open Inference Protocol (V2), over HTTP and over gRPC: the parse and format functions of its endpoints.

HTTP, on the REST port (`required_api.md` of KServe's open-inference-protocol):

    GET  /v2                                         server metadata: name, version, extensions
    GET  /v2/health/live, /v2/health/ready           200, or 400 when not ready
    GET  /v2/models/NAME[/versions/V]                model metadata: versions, platform, inputs, outputs
    GET  /v2/models/NAME[/versions/V]/ready          200, or 400 when not ready
    POST /v2/models/NAME[/versions/V]/infer          tensors in, tensors out

gRPC, `inference.GRPCInferenceService` on the gRPC port, with the messages
of Triton's client (`tritonclient.grpc.service_pb2`): ServerLive, ServerReady,
ModelReady, ServerMetadata, ModelMetadata, ModelInfer.

A tensor is `{name, shape, datatype, data}` in JSON (`data` flat or nested,
row-major), or its bytes after the JSON with Triton's binary tensor
extension (`Inference-Header-Content-Length`, `binary_data_size`; outputs
in binary with `binary_data` / `binary_data_output`); over gRPC, typed
`contents` or `raw_input_contents`, and the answer in the same form (raw
when an output has no typed field: FP16, BF16). BYTES elements are UTF-8
text in JSON, and 4-byte little-endian lengths each followed by the bytes in
binary and raw form. The signature called is `serving_default`, or the one
the request's `parameters` name (`signature_name`).
"""

import math

import numpy as np

from kclassics.serving import codec
from kclassics.serving.calls import Inference, ModelRef
from kclassics.serving.errors import invalid
from kclassics.serving.rest import json_object, json_response

PLATFORM = "tensorflow_savedmodel"
EXTENSIONS = ("binary_tensor_data", "parameters")
SIGNATURE_PARAMETER = "signature_name"

# V2 datatype -> (numpy dtype name, the InferTensorContents field of its values or None when it travels raw only).
DATATYPES = {
    "BOOL": ("bool", "bool_contents"),
    "UINT8": ("uint8", "uint_contents"),
    "UINT16": ("uint16", "uint_contents"),
    "UINT32": ("uint32", "uint_contents"),
    "UINT64": ("uint64", "uint64_contents"),
    "INT8": ("int8", "int_contents"),
    "INT16": ("int16", "int_contents"),
    "INT32": ("int32", "int_contents"),
    "INT64": ("int64", "int64_contents"),
    "FP16": ("float16", None),
    "FP32": ("float32", "fp32_contents"),
    "FP64": ("float64", "fp64_contents"),
    "BF16": ("bfloat16", None),
    "BYTES": ("object", "bytes_contents"),
}
_TF_TO_V2 = {"bool": "BOOL", "uint8": "UINT8", "uint16": "UINT16", "uint32": "UINT32", "uint64": "UINT64", "int8": "INT8",
             "int16": "INT16", "int32": "INT32", "int64": "INT64", "float16": "FP16", "float32": "FP32", "float64": "FP64",
             "bfloat16": "BF16", "string": "BYTES"}


def datatype_of(spec):
    """The V2 datatype of a signature tensor, or None when V2 has none (a complex or quantized tensor)."""
    return _TF_TO_V2.get(spec.dtype.name)


def numpy_dtype(datatype):
    name = DATATYPES[datatype][0]
    if name == "bfloat16":
        import ml_dtypes

        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(name)


def _short(value, limit=60):
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# -- model references and metadata ----------------------------------------------------------------------------------


def version_number(text):
    """A V2 model version ("" for the latest) as an integer or None; anything else is INVALID_ARGUMENT."""
    if text in (None, ""):
        return None
    if not isinstance(text, str) or not text.isdigit():
        raise invalid(f"A model version is a non-negative integer. Received: version {_short(text)}")
    return int(text)


def rest_ref(core, request):
    return ModelRef(request.params["name"], version_number(request.params.get("version")))


def grpc_ref(core, request):
    """The model of a ModelReady / ModelMetadata request (`name`, `version`) or a ModelInfer one (`model_name`, `model_version`)."""
    infer = hasattr(request, "model_name")
    name, version = (request.model_name, request.model_version) if infer else (request.name, request.version)
    if not name:
        raise invalid(f"The request's {'model_name' if infer else 'name'} is empty: name the model to call.")
    return ModelRef(name, version_number(version))


def _tensor_metadata(specs):
    return [{"name": name, "datatype": datatype_of(spec) or spec.dtype.name,
             "shape": [-1] if spec.shape is None else [-1 if d is None else d for d in spec.shape]} for name, spec in specs.items()]


def model_metadata(servable, versions):
    """The V2 model metadata of a servable's default signature."""
    signature = servable.signatures.get("serving_default") or next(iter(servable.signatures.values()))
    return {
        "name": servable.model_name,
        "versions": [str(v) for v in versions],
        "platform": PLATFORM,
        "inputs": _tensor_metadata(signature.inputs),
        "outputs": _tensor_metadata(signature.outputs),
    }


# -- tensors --------------------------------------------------------------------------------------------------------


def _shape(where, shape):
    if not isinstance(shape, (list, tuple)) or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape):
        raise invalid(f"{where}: 'shape' must be a list of non-negative integers. Received: {_short(shape)}")
    return tuple(shape)


def _check_datatype(where, name, datatype, spec):
    if not isinstance(datatype, str) or datatype not in DATATYPES:
        raise invalid(f"{where}: unknown datatype {_short(datatype)}. Accepted: {', '.join(DATATYPES)}")
    want = datatype_of(spec)
    if datatype != want:
        raise invalid(f"{where} is {want} ({spec.describe()}). Received: datatype {datatype}")


def decode_bytes(where, data, count):
    """Elements of a BYTES tensor in binary form: each a 4-byte little-endian length, then that many bytes."""
    items, offset = [], 0
    view = memoryview(data)
    while offset < len(data):
        if offset + 4 > len(data):
            raise invalid(f"{where}: the BYTES data ends inside an element's 4-byte length (at byte {offset} of {len(data)}).")
        length = int.from_bytes(view[offset : offset + 4], "little")
        offset += 4
        if offset + length > len(data):
            raise invalid(f"{where}: a BYTES element of {length} bytes runs past the end of its data ({len(data) - offset} left).")
        items.append(bytes(view[offset : offset + length]))
        offset += length
    if len(items) != count:
        raise invalid(f"{where}: the BYTES data holds {len(items)} elements; the shape holds {count}.")
    array = np.empty(count, dtype=object)
    array[:] = items
    return array


def encode_bytes(array):
    parts = []
    for item in array.ravel().tolist():
        item = item if isinstance(item, bytes) else str(item).encode("utf-8")
        parts.append(len(item).to_bytes(4, "little"))
        parts.append(item)
    return b"".join(parts)


def from_raw(where, data, datatype, shape):
    count = math.prod(shape)
    if datatype == "BYTES":
        return decode_bytes(where, data, count).reshape(shape)
    dtype = numpy_dtype(datatype)
    if len(data) != count * dtype.itemsize:
        raise invalid(f"{where}: {len(data)} bytes of data; shape {list(shape)} of {datatype} needs {count * dtype.itemsize}.")
    return np.frombuffer(data, dtype=dtype).reshape(shape)


def to_raw(array, datatype):
    return encode_bytes(array) if datatype == "BYTES" else np.ascontiguousarray(array).tobytes()


def _flatten(value):
    if not isinstance(value, list):
        return [value]
    if value and isinstance(value[0], list):
        flat = []
        for item in value:
            flat.extend(_flatten(item))
        return flat
    return value


def from_json(where, data, datatype, shape):
    """A JSON `data` list (flat or nested, row-major) as an array of `datatype` and `shape`."""
    if not isinstance(data, list):
        raise invalid(f"{where}: 'data' must be a list. Received: {_short(data)}")
    flat = _flatten(data)
    count = math.prod(shape)
    if len(flat) != count:
        raise invalid(f"{where}: 'data' holds {len(flat)} values; shape {list(shape)} holds {count}.")
    if datatype == "BYTES":
        if not all(isinstance(item, str) for item in flat):
            bad = next(item for item in flat if not isinstance(item, str))
            raise invalid(f"{where}: BYTES data in JSON is text (UTF-8 strings). Received: {_short(bad)}")
        array = np.empty(count, dtype=object)
        array[:] = [item.encode("utf-8") for item in flat]
        return array.reshape(shape)
    if datatype == "BF16":
        raise invalid(f"{where}: BF16 data travels in binary form (binary_data_size), not as JSON numbers.")
    dtype = numpy_dtype(datatype)
    if datatype == "BOOL":
        if not all(isinstance(item, bool) for item in flat):
            raise invalid(f"{where}: BOOL data is true / false. Received: {_short(next(i for i in flat if not isinstance(i, bool)))}")
    else:
        bad = next((item for item in flat if isinstance(item, bool) or not isinstance(item, (int, float))), None)
        if bad is not None:
            raise invalid(f"{where}: {datatype} data are numbers. Received: {_short(bad)}")
        if dtype.kind in "iu":
            bad = next((item for item in flat if isinstance(item, float)), None)
            if bad is not None:
                raise invalid(f"{where}: {datatype} data are integers. Received: {_short(bad)}")
            info = np.iinfo(dtype)
            if flat and (min(flat) < info.min or max(flat) > info.max):
                raise invalid(f"{where}: {datatype} values lie in [{info.min}, {info.max}]. Received: {min(flat)}..{max(flat)}")
    return np.asarray(flat, dtype=dtype).reshape(shape)


def to_json(name, array, datatype):
    if datatype == "BYTES":
        try:
            return [item.decode("utf-8") if isinstance(item, bytes) else str(item) for item in array.ravel().tolist()]
        except UnicodeDecodeError:
            raise invalid(f"Output {name!r} holds bytes that are not UTF-8 text; ask for it in binary form (binary_data).") from None
    if datatype == "BF16":
        return array.astype(np.float32).ravel()
    return np.ascontiguousarray(array).ravel()  # written by `rest.encode_json`, float32 in its shortest form


def _output_datatype(name, array, spec):
    datatype = datatype_of(spec)
    if datatype is None:
        raise invalid(f"Output {name!r} is {spec.dtype.name}, which KServe V2 has no datatype for.")
    return datatype


def _check_inputs(signature, inputs, where):
    missing = sorted(set(signature.inputs) - set(inputs))
    if missing:
        raise invalid(f"{where}: missing input(s) {', '.join(missing)}. The signature's inputs: {', '.join(signature.inputs)}")


def _input_spec(signature, name, where):
    if not isinstance(name, str) or name not in signature.inputs:
        raise invalid(f"{where}: unexpected input {_short(name)}. The signature's inputs: {', '.join(signature.inputs)}")
    return signature.inputs[name]


def _requested_outputs(signature, names, where):
    for name in names:
        if not isinstance(name, str) or name not in signature.outputs:
            raise invalid(f"{where}: unknown output {_short(name)}. The signature's outputs: {', '.join(signature.outputs)}")
    if len(set(names)) != len(names):
        raise invalid(f"{where}: an output is requested twice.")
    return tuple(names)


# -- HTTP infer -----------------------------------------------------------------------------------------------------

REQUEST_KEYS = {"id", "parameters", "inputs", "outputs", "model_name", "model_version"}  # the last two: Triton's examples send them


def parse_rest_infer(core, request):
    ref = rest_ref(core, request)
    servable = core.resolve(ref.name, ref.version)
    body, binary = request.body, b""
    declared = request.headers.get("inference-header-content-length")
    if declared is not None:
        if not declared.isdigit() or int(declared) > len(body):
            raise invalid(f"Inference-Header-Content-Length must be a byte count within the body ({len(body)} bytes). Received: {declared!r}")
        body, binary = body[: int(declared)], body[int(declared):]
    body = json_object(body)
    unknown = sorted(set(body) - REQUEST_KEYS)
    if unknown:
        raise invalid(f"Unknown key(s) in the inference request: {', '.join(unknown)}. Accepted: {', '.join(sorted(REQUEST_KEYS))}")
    for key, value in (("model_name", servable.model_name), ("model_version", str(servable.version))):
        if key in body and body[key] != value and not (key == "model_version" and ref.version is None and body[key] == ""):
            raise invalid(f"The body's {key} ({_short(body[key])}) is not the path's ({value}).")
    parameters = body.get("parameters", {})
    if not isinstance(parameters, dict):
        raise invalid(f"'parameters' must be an object. Received: {_short(parameters)}")
    signature = servable.signature(parameters.get(SIGNATURE_PARAMETER))
    tensors = body.get("inputs")
    if not isinstance(tensors, list) or not tensors or not all(isinstance(t, dict) for t in tensors):
        raise invalid(f"'inputs' must be a non-empty list of tensors ({{name, shape, datatype, data}}). Received: {_short(tensors)}")
    inputs, offset = {}, 0
    for index, tensor in enumerate(tensors):
        where = f"input {index}"
        name = tensor.get("name")
        spec = _input_spec(signature, name, where)
        where = f"input {name!r}"
        if name in inputs:
            raise invalid(f"{where} is given twice.")
        shape = _shape(where, tensor.get("shape"))
        datatype = tensor.get("datatype")
        _check_datatype(where, name, datatype, spec)
        tensor_parameters = tensor.get("parameters") or {}
        size = tensor_parameters.get("binary_data_size") if isinstance(tensor_parameters, dict) else None
        if size is not None:
            if not isinstance(size, int) or isinstance(size, bool) or size < 0:
                raise invalid(f"{where}: binary_data_size must be a non-negative integer. Received: {_short(size)}")
            if "data" in tensor:
                raise invalid(f"{where}: give 'data' or binary_data_size, not both.")
            if offset + size > len(binary):
                raise invalid(f"{where}: binary_data_size {size} runs past the binary data ({len(binary) - offset} bytes left).")
            array = from_raw(where, binary[offset : offset + size], datatype, shape)
            offset += size
        elif "data" in tensor:
            array = from_json(where, tensor["data"], datatype, shape)
        else:
            raise invalid(f"{where}: no 'data' and no binary_data_size.")
        codec._check_shape(name, array.shape, spec)
        inputs[name] = array
    if offset != len(binary):
        raise invalid(f"The body holds {len(binary) - offset} bytes of binary data past the inputs' binary_data_size.")
    _check_inputs(signature, inputs, "The inference request")
    requested = body.get("outputs")
    binary_default = bool(parameters.get("binary_data_output", False))
    binary_outputs = {}
    names = None
    if requested is not None:
        if not isinstance(requested, list) or not all(isinstance(o, dict) for o in requested):
            raise invalid(f"'outputs' must be a list of {{name, parameters}}. Received: {_short(requested)}")
        names = _requested_outputs(signature, [o.get("name") for o in requested], "outputs")
        for output in requested:
            wanted = (output.get("parameters") or {}).get("binary_data", binary_default)
            binary_outputs[output["name"]] = bool(wanted)
    context = {"id": body.get("id"), "binary": binary_outputs, "binary_default": binary_default}
    return Inference(servable, signature, inputs, names, context)


def format_rest_infer(inference, outputs):
    binary_outputs, default = inference.context["binary"], inference.context["binary_default"]
    body = {"model_name": inference.servable.model_name, "model_version": str(inference.servable.version)}
    if inference.context["id"] is not None:
        body["id"] = inference.context["id"]
    tensors, chunks = [], []
    for name, array in outputs.items():
        datatype = _output_datatype(name, array, inference.signature.outputs[name])
        tensor = {"name": name, "datatype": datatype, "shape": list(array.shape)}
        if binary_outputs.get(name, default):
            chunk = to_raw(array, datatype)
            tensor["parameters"] = {"binary_data_size": len(chunk)}
            chunks.append(chunk)
        else:
            tensor["data"] = to_json(name, array, datatype)
        tensors.append(tensor)
    body["outputs"] = tensors
    if not chunks:
        return json_response(body)
    from starlette.responses import Response

    from kclassics.serving.rest import encode_json

    header = encode_json(body)
    return Response(header + b"".join(chunks), media_type="application/octet-stream",
                    headers={"Inference-Header-Content-Length": str(len(header))})


# -- HTTP health and metadata ---------------------------------------------------------------------------------------


def server_metadata(info):
    return {**info, "extensions": list(EXTENSIONS)}


def format_server_metadata(request, info):
    return json_response(server_metadata(info))


def format_live(request, live):
    return json_response({"live": live}, 200 if live else 400)


def format_ready(request, ready):
    return json_response({"ready": ready}, 200 if ready else 400)


def format_model_ready(ref, ready):
    return json_response({"name": ref.name, "ready": ready}, 200 if ready else 400)


def format_model_metadata(ref, servable_and_versions):
    return json_response(model_metadata(*servable_and_versions))


# -- gRPC -----------------------------------------------------------------------------------------------------------


def _grpc_messages():
    from tritonclient.grpc import service_pb2

    return service_pb2


def parse_grpc_infer(core, request):
    ref = grpc_ref(core, request)
    servable = core.resolve(ref.name, ref.version)
    signature_parameter = request.parameters.get(SIGNATURE_PARAMETER)
    signature = servable.signature(signature_parameter.string_param if signature_parameter is not None else None)
    if not request.inputs:
        raise invalid("The inference request holds no input.")
    raw = request.raw_input_contents
    if raw and len(raw) != len(request.inputs):
        raise invalid(f"raw_input_contents holds {len(raw)} tensors for {len(request.inputs)} inputs; give one per input, in order.")
    inputs = {}
    for index, tensor in enumerate(request.inputs):
        spec = _input_spec(signature, tensor.name, f"input {index}")
        where = f"input {tensor.name!r}"
        if tensor.name in inputs:
            raise invalid(f"{where} is given twice.")
        shape = _shape(where, list(tensor.shape))
        _check_datatype(where, tensor.name, tensor.datatype, spec)
        field = DATATYPES[tensor.datatype][1]
        has_contents = tensor.HasField("contents") and tensor.contents.ListFields()
        if raw:
            if has_contents:
                raise invalid(f"{where}: give its values in contents or in raw_input_contents, not both.")
            array = from_raw(where, raw[index], tensor.datatype, shape)
        elif field is None:
            raise invalid(f"{where}: {tensor.datatype} has no typed contents field; send it in raw_input_contents.")
        else:
            others = [f.name for f, _ in tensor.contents.ListFields() if f.name != field]
            if others:
                raise invalid(f"{where}: a {tensor.datatype} tensor's values go in contents.{field}. Received: contents.{others[0]}")
            values = getattr(tensor.contents, field)
            count = math.prod(shape)
            if len(values) != count:
                raise invalid(f"{where}: contents.{field} holds {len(values)} values; shape {list(shape)} holds {count}.")
            if tensor.datatype == "BYTES":
                array = np.empty(count, dtype=object)
                array[:] = list(values)
                array = array.reshape(shape)
            else:
                dtype = numpy_dtype(tensor.datatype)
                array = np.asarray(values, dtype=dtype if dtype.kind not in "iu" else np.int64)
                if dtype.kind in "iu" and array.size:
                    info = np.iinfo(dtype)
                    if array.min() < info.min or array.max() > info.max:
                        raise invalid(f"{where}: {tensor.datatype} values lie in [{info.min}, {info.max}]. Received: {array.min()}..{array.max()}")
                array = array.astype(dtype).reshape(shape)
        codec._check_shape(tensor.name, array.shape, spec)
        inputs[tensor.name] = array
    _check_inputs(signature, inputs, "The inference request")
    names = _requested_outputs(signature, [o.name for o in request.outputs], "outputs") if request.outputs else None
    return Inference(servable, signature, inputs, names, {"id": request.id, "raw": bool(raw)})


def format_grpc_infer(inference, outputs):
    service_pb2 = _grpc_messages()
    response = service_pb2.ModelInferResponse(
        model_name=inference.servable.model_name, model_version=str(inference.servable.version), id=inference.context["id"])
    datatypes = {name: _output_datatype(name, array, inference.signature.outputs[name]) for name, array in outputs.items()}
    raw = inference.context["raw"] or any(DATATYPES[d][1] is None for d in datatypes.values())
    for name, array in outputs.items():
        datatype = datatypes[name]
        tensor = response.outputs.add(name=name, datatype=datatype, shape=array.shape)
        if raw:
            response.raw_output_contents.append(to_raw(array, datatype))
        elif datatype == "BYTES":
            tensor.contents.bytes_contents.extend(item if isinstance(item, bytes) else str(item).encode() for item in array.ravel().tolist())
        else:
            getattr(tensor.contents, DATATYPES[datatype][1]).extend(array.ravel().tolist())
    return response


def format_grpc_live(request, live):
    return _grpc_messages().ServerLiveResponse(live=live)


def format_grpc_ready(request, ready):
    return _grpc_messages().ServerReadyResponse(ready=ready)


def format_grpc_model_ready(ref, ready):
    return _grpc_messages().ModelReadyResponse(ready=ready)


def format_grpc_server_metadata(request, info):
    return _grpc_messages().ServerMetadataResponse(**server_metadata(info))


def format_grpc_model_metadata(ref, servable_and_versions):
    metadata = model_metadata(*servable_and_versions)
    service_pb2 = _grpc_messages()
    tensor = service_pb2.ModelMetadataResponse.TensorMetadata
    return service_pb2.ModelMetadataResponse(
        name=metadata["name"], versions=metadata["versions"], platform=metadata["platform"],
        inputs=[tensor(**t) for t in metadata["inputs"]], outputs=[tensor(**t) for t in metadata["outputs"]],
    )

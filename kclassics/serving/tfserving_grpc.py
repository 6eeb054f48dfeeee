"""TensorFlow Serving's gRPC API: the parse and format functions of `PredictionService` and `ModelService`.

The messages are TF Serving's own, from the published `tensorflow-serving-api`
package, so `PredictionServiceStub(channel).Predict(request)` works as it does
against `tensorflow_model_server --port`:

    tensorflow.serving.PredictionService/Predict            PredictRequest -> PredictResponse
    tensorflow.serving.PredictionService/Classify           ClassificationRequest -> ClassificationResponse
    tensorflow.serving.PredictionService/Regress            RegressionRequest -> RegressionResponse
    tensorflow.serving.PredictionService/MultiInference     MultiInferenceRequest -> MultiInferenceResponse
    tensorflow.serving.PredictionService/GetModelMetadata   GetModelMetadataRequest -> GetModelMetadataResponse
    tensorflow.serving.ModelService/GetModelStatus          GetModelStatusRequest -> GetModelStatusResponse
    tensorflow.serving.ModelService/HandleReloadConfigRequest  ReloadConfigRequest -> ReloadConfigResponse

Tensors: a `TensorProto` input is read from `tensor_content` or from its typed
field (`float_val`, `int64_val`, `string_val`, ...) with TensorFlow's rules
(fewer values than the shape holds: the last one repeats; none: zeros);
outputs are written in the typed fields, as TF Serving writes them by
default, so clients that read `response.outputs["scores"].float_val` work.
"""

import math

import numpy as np
from tensorflow.core.framework import tensor_pb2, types_pb2
from tensorflow.core.protobuf import error_codes_pb2
from tensorflow_serving.apis import (
    classification_pb2,
    get_model_metadata_pb2,
    get_model_status_pb2,
    inference_pb2,
    model_management_pb2,
    predict_pb2,
    prediction_service_pb2,  # noqa: F401 - registers PredictionService with protobuf's pool
    model_service_pb2,  # noqa: F401 - registers ModelService
    regression_pb2,
)
from tensorflow_serving.apis import status_pb2

from kclassics.serving import codec
from kclassics.serving.calls import CLASSIFY_METHOD, REGRESS_METHOD, Examples, Inference, ModelRef, check_method
from kclassics.serving.errors import invalid

_BFLOAT16 = None


def _bfloat16():
    global _BFLOAT16
    if _BFLOAT16 is None:
        import ml_dtypes

        _BFLOAT16 = np.dtype(ml_dtypes.bfloat16)
    return _BFLOAT16


# TF dtype -> (numpy dtype, the TensorProto field its values go in). half and bfloat16 go in half_val as their 16 bits.
FIELDS = {
    types_pb2.DT_FLOAT: (np.float32, "float_val"),
    types_pb2.DT_DOUBLE: (np.float64, "double_val"),
    types_pb2.DT_INT32: (np.int32, "int_val"),
    types_pb2.DT_INT16: (np.int16, "int_val"),
    types_pb2.DT_INT8: (np.int8, "int_val"),
    types_pb2.DT_UINT8: (np.uint8, "int_val"),
    types_pb2.DT_UINT16: (np.uint16, "int_val"),
    types_pb2.DT_INT64: (np.int64, "int64_val"),
    types_pb2.DT_UINT32: (np.uint32, "uint32_val"),
    types_pb2.DT_UINT64: (np.uint64, "uint64_val"),
    types_pb2.DT_BOOL: (np.bool_, "bool_val"),
    types_pb2.DT_HALF: (np.float16, "half_val"),
    types_pb2.DT_BFLOAT16: (None, "half_val"),
    types_pb2.DT_STRING: (object, "string_val"),
}


_ENUMS = {np.dtype(dtype): enum for enum, (dtype, _) in FIELDS.items() if dtype not in (None, object)}


def dtype_name(enum):
    return types_pb2.DataType.Name(enum) if enum in types_pb2.DataType.values() else f"an unknown dtype ({enum})"


def numpy_dtype(enum):
    dtype = FIELDS[enum][0]
    return _bfloat16() if enum == types_pb2.DT_BFLOAT16 else np.dtype(dtype)


# -- TensorProto <-> numpy ------------------------------------------------------------------------------------------


def to_array(name, proto, spec):
    """The numpy value of TensorProto `proto` fed to input `name` of `spec`, or INVALID_ARGUMENT naming the problem."""
    want = spec.dtype.as_datatype_enum
    if proto.dtype != want:
        raise invalid(f"Input {name!r} expects {dtype_name(want)} ({spec.describe()}). Received: {dtype_name(proto.dtype)}")
    if proto.tensor_shape.unknown_rank:
        raise invalid(f"Input {name!r}: the tensor's shape has unknown_rank; give its dims.")
    shape = tuple(dim.size for dim in proto.tensor_shape.dim)
    if any(size < 0 for size in shape):
        raise invalid(f"Input {name!r}: a tensor's dims must be non-negative. Received: shape {list(shape)}")
    count = math.prod(shape)
    dtype = numpy_dtype(want)
    if proto.tensor_content:
        if want == types_pb2.DT_STRING:
            raise invalid(f"Input {name!r} is DT_STRING: its values go in string_val, not tensor_content.")
        if len(proto.tensor_content) != count * dtype.itemsize:
            raise invalid(
                f"Input {name!r}: tensor_content holds {len(proto.tensor_content)} bytes; shape {list(shape)} of "
                f"{dtype_name(want)} needs {count * dtype.itemsize}."
            )
        array = np.frombuffer(proto.tensor_content, dtype=dtype).reshape(shape)
    else:
        values = getattr(proto, FIELDS[want][1])
        if len(values) > count:
            raise invalid(f"Input {name!r}: {FIELDS[want][1]} holds {len(values)} values; shape {list(shape)} holds {count}.")
        if want == types_pb2.DT_STRING:
            flat = np.empty(count, dtype=object)
            flat[: len(values)] = list(values)
            if 0 < len(values) < count:
                flat[len(values):] = values[-1]
            elif not values:
                flat[:] = b""
            array = flat.reshape(shape)
        else:
            if want in (types_pb2.DT_HALF, types_pb2.DT_BFLOAT16):
                flat = np.asarray(values, dtype=np.int64).astype(np.uint16).view(dtype)
            else:
                flat = np.asarray(values, dtype=dtype)
            if len(flat) < count:  # TensorFlow's Tensor::FromProto: the last value repeats; no value: zeros
                flat = np.concatenate([flat, np.full(count - len(flat), flat[-1] if len(flat) else 0, dtype=dtype)])
            array = flat.reshape(shape)
    codec._check_shape(name, array.shape, spec)
    return array


def from_array(array, proto=None):
    """`array` as a TensorProto, its values in the typed field (TF Serving's default, `AsProtoField`)."""
    proto = proto if proto is not None else tensor_pb2.TensorProto()
    array = np.asarray(array)
    enum = _ENUMS.get(array.dtype)
    if enum is None:
        if array.dtype == object or array.dtype.kind in "SU":
            enum = types_pb2.DT_STRING
        elif array.dtype == _bfloat16():
            enum = types_pb2.DT_BFLOAT16
        else:
            raise invalid(f"An output of dtype {array.dtype} has no TensorProto form here.")
    proto.dtype = enum
    dims = proto.tensor_shape.dim
    for size in array.shape:
        dims.add(size=size)
    field = getattr(proto, FIELDS[enum][1])
    if enum == types_pb2.DT_STRING:
        field.extend(item if isinstance(item, bytes) else str(item).encode("utf-8") for item in array.ravel().tolist())
    elif enum in (types_pb2.DT_HALF, types_pb2.DT_BFLOAT16):
        field.extend(array.ravel().view(np.uint16).tolist())
    else:
        field.extend(array.ravel().tolist())
    return proto


# -- model specs ----------------------------------------------------------------------------------------------------


def model_ref(spec):
    """`ModelRef` of a ModelSpec: its name, and its version or version_label."""
    if not spec.name:
        raise invalid("model_spec.name is empty: name the model to call.")
    choice = spec.WhichOneof("version_choice")
    if choice == "version":
        return ModelRef(spec.name, version=spec.version.value)
    if choice == "version_label":
        return ModelRef(spec.name, label=spec.version_label)
    return ModelRef(spec.name)


def fill_model_spec(spec, servable, signature_name=None):
    spec.name = servable.model_name
    spec.version.value = servable.version
    if signature_name is not None:
        spec.signature_name = signature_name


def _resolve(core, request):
    if not request.HasField("model_spec"):
        raise invalid("Missing ModelSpec: the request names no model.")
    ref = model_ref(request.model_spec)
    return core.resolve(ref.name, ref.version, ref.label)


# -- Predict --------------------------------------------------------------------------------------------------------


def parse_predict(core, request):
    servable = _resolve(core, request)
    signature = servable.signature(request.model_spec.signature_name)
    specs = signature.inputs
    sent = set(request.inputs)
    if sent != set(specs):
        extra, missing = sorted(sent - set(specs)), sorted(set(specs) - sent)
        raise invalid(
            f"input size does not match signature: {len(sent)}!={len(specs)} len({{{', '.join(sorted(sent))}}}) != "
            f"len({{{', '.join(specs)}}}). Sent extra: {{{', '.join(extra)}}}. Missing but required: {{{', '.join(missing)}}}."
        )
    inputs = {name: to_array(name, request.inputs[name], spec) for name, spec in specs.items()}
    wanted = None
    if request.output_filter:
        wanted = tuple(request.output_filter)
        for name in wanted:
            if name not in signature.outputs:
                raise invalid(f"output tensor alias not found in signature: {name} Outputs expected to be in the set {{{', '.join(signature.outputs)}}}.")
        if len(set(wanted)) != len(wanted):
            raise invalid(f"duplicate output tensor alias in output_filter: {', '.join(sorted(n for n in set(wanted) if wanted.count(n) > 1))}")
    return Inference(servable, signature, inputs, wanted)


def format_predict(inference, outputs):
    response = predict_pb2.PredictResponse()
    fill_model_spec(response.model_spec, inference.servable, inference.signature.name)
    for name, value in outputs.items():
        from_array(value, response.outputs[name])
    return response


# -- Classify, Regress, MultiInference ------------------------------------------------------------------------------


def _examples(request_input):
    """The serialized tf.Examples of an `Input` (an ExampleList, or an ExampleListWithContext merged as TF Serving merges it)."""
    kind = request_input.WhichOneof("kind")
    if kind == "example_list":
        examples = [e.SerializeToString() for e in request_input.example_list.examples]
    elif kind == "example_list_with_context":
        listed = request_input.example_list_with_context
        context = listed.context.SerializeToString()
        examples = [context + e.SerializeToString() for e in listed.examples]  # protobuf merge: the example's features win
    else:
        raise invalid("Input is empty: give input.example_list or input.example_list_with_context.")
    if not examples:
        raise invalid("Input is empty: the example list holds no example.")
    return examples


def _feature_values(feature):
    kind = feature.WhichOneof("kind")
    values = list(getattr(feature, kind).value) if kind else []
    return values


def examples_inputs(serialized, signature):
    """The signature's inputs for `serialized` tf.Examples: as they are for an `inputs` string signature, else by feature."""
    if codec.takes_serialized_examples(signature):
        array = np.empty(len(serialized), dtype=object)
        array[:] = serialized
        codec._check_shape(codec.EXAMPLES_INPUT, array.shape, signature.inputs[codec.EXAMPLES_INPUT])
        return {codec.EXAMPLES_INPUT: array}
    from tensorflow.core.example import example_pb2

    rows = []
    for data in serialized:
        example = example_pb2.Example.FromString(data)
        rows.append({name: _feature_values(feature) for name, feature in example.features.feature.items()})
    return codec.feature_columns(rows, signature)


def _examples_parser(method):
    def parse(core, request):
        servable = _resolve(core, request)
        signature = servable.signature(request.model_spec.signature_name)
        check_method(signature, method)
        serialized = _examples(request.input)
        return Examples(servable, signature, examples_inputs(serialized, signature), len(serialized), method)

    parse.__name__ = f"parse_{method}"
    return parse


parse_classify = _examples_parser("classify")
parse_regress = _examples_parser("regress")


def _classification_result(result, rows):
    for row in rows:
        classes = result.classifications.add().classes
        for label, score in row:
            classes.add(label=label, score=score)


def _regression_result(result, values):
    for value in values:
        result.regressions.add(value=value)


def format_classify(examples, rows):
    response = classification_pb2.ClassificationResponse()
    fill_model_spec(response.model_spec, examples.servable, examples.signature.name)
    _classification_result(response.result, rows)
    return response


def format_regress(examples, values):
    response = regression_pb2.RegressionResponse()
    fill_model_spec(response.model_spec, examples.servable, examples.signature.name)
    _regression_result(response.result, values)
    return response


METHODS = {CLASSIFY_METHOD: "classify", REGRESS_METHOD: "regress"}


def parse_multi_inference(core, request):
    """The tasks of a MultiInferenceRequest: classify / regress signatures of one model, each once, on the same examples."""
    if not request.tasks:
        raise invalid("MultiInferenceRequest holds no task.")
    names = {task.model_spec.name for task in request.tasks}
    if len(names) != 1:
        raise invalid(f"All ModelSpecs in a MultiInferenceRequest must access the same model name. Received: {', '.join(sorted(names))}")
    serialized = _examples(request.input)
    tasks, seen = [], set()
    for task in request.tasks:
        if task.method_name not in METHODS:
            raise invalid(f"Unsupported signature method_name: {task.method_name!r}. Accepted: {', '.join(METHODS)}")
        ref = model_ref(task.model_spec)
        servable = core.resolve(ref.name, ref.version, ref.label)
        signature = servable.signature(task.model_spec.signature_name)
        if signature.name in seen:
            raise invalid(f"Duplicate evaluation of signature: {signature.name}")
        seen.add(signature.name)
        method = METHODS[task.method_name]
        check_method(signature, method)
        tasks.append(Examples(servable, signature, examples_inputs(serialized, signature), len(serialized), method))
    return tasks


def format_multi_inference(tasks, results):
    response = inference_pb2.MultiInferenceResponse()
    for task, result in zip(tasks, results):
        entry = response.results.add()
        fill_model_spec(entry.model_spec, task.servable, task.signature.name)
        if task.method == "classify":
            _classification_result(entry.classification_result, result)
        else:
            _regression_result(entry.regression_result, result)
    return response


# -- GetModelMetadata, GetModelStatus, HandleReloadConfigRequest ----------------------------------------------------


def parse_metadata(core, request):
    if not request.HasField("model_spec"):
        raise invalid("Missing ModelSpec: the request names no model.")
    if not request.metadata_field:
        raise invalid("GetModelMetadataRequest must specify at least one metadata_field (signature_def).")
    for field in request.metadata_field:
        if field != "signature_def":
            raise invalid(f"Metadata field {field} is not supported. Accepted: signature_def")
    return model_ref(request.model_spec)


def format_metadata(ref, servable):
    response = get_model_metadata_pb2.GetModelMetadataResponse()
    fill_model_spec(response.model_spec, servable)
    signatures = get_model_metadata_pb2.SignatureDefMap()
    for name, signature_def in servable.signature_defs.items():
        signatures.signature_def[name].CopyFrom(signature_def)
    response.metadata["signature_def"].Pack(signatures)
    return response


def parse_status(core, request):
    if not request.HasField("model_spec"):
        raise invalid("Missing ModelSpec: the request names no model.")
    return model_ref(request.model_spec)


def format_status(ref, status):
    response = get_model_status_pb2.GetModelStatusResponse()
    for entry in status["model_version_status"]:
        version = response.model_version_status.add()
        version.version = int(entry["version"])
        version.state = get_model_status_pb2.ModelVersionStatus.State.Value(entry["state"])
        version.status.error_code = error_codes_pb2.Code.Value(entry["status"]["error_code"])
        version.status.error_message = entry["status"]["error_message"]
    return response


def parse_reload_config(core, request):
    from kclassics.serving.config import model_configs

    if request.config.WhichOneof("config") != "model_config_list":
        raise invalid("ServerModelConfig type not supported by HandleReloadConfigRequest. Only ModelConfigList is currently supported")
    try:
        return model_configs(request.config, "the ReloadConfigRequest", ".")
    except ValueError as error:
        raise invalid(str(error)) from None


def format_reload_config(configs, seconds):
    return model_management_pb2.ReloadConfigResponse(status=status_pb2.StatusProto(error_code=error_codes_pb2.OK))

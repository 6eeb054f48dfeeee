"""Warm-up, as TF Serving's: requests stored with a SavedModel, replayed when a version loads, before it is AVAILABLE.

A version may hold `assets.extra/tf_serving_warmup_requests`, a TFRecord file
of `PredictionLog`s (TF Serving's `prediction_log.proto`). The first call of
a loaded signature pays for TensorFlow's graph optimisation and kernel set-up;
replaying these requests at load time pays it there, so the first real
request does not. A request that fails fails the load, as in TF Serving.

`write_warmup_requests(saved_model_dir)` writes one request per signature
(one example each), made up from the signatures themselves: zeros for
numbers; for a string input, a tiny image when the signature decodes images,
a tf.Example with every feature its parse op reads (as zeros) when it parses
tf.Examples, and a word otherwise. kclassics' exports call it.
"""

import os
from pathlib import Path

import numpy as np

WARMUP_FILE = Path("assets.extra") / "tf_serving_warmup_requests"
MAX_RECORDS = 1000  # TF Serving's limit on the records of a warm-up file
_IMAGE_DECODERS = {"DecodeImage", "DecodePng", "DecodeJpeg", "DecodeBmp", "DecodeGif", "DecodeAndCropJpeg"}
_WORD = b"the"


class _ThisVersion:
    """The core a warm-up request is parsed against: whatever model it names, it is answered by the version loading."""

    def __init__(self, servable):
        self.servable = servable

    def resolve(self, name=None, version=None, label=None):
        return self.servable


def replay(servable, batched=False):
    """Runs the warm-up requests of `servable`'s directory on it; returns how many ran. A failure raises ValueError."""
    from tensorflow_serving.apis import prediction_log_pb2

    from kclassics.serving import calls, tfserving_grpc

    path = Path(servable.path) / WARMUP_FILE
    if not path.is_file():
        return 0
    core = _ThisVersion(servable)
    parsers = {
        "predict_log": tfserving_grpc.parse_predict,
        "classify_log": tfserving_grpc.parse_classify,
        "regress_log": tfserving_grpc.parse_regress,
        "multi_inference_log": tfserving_grpc.parse_multi_inference,
    }
    count = 0
    for index, record in enumerate(_records(path)):
        if index >= MAX_RECORDS:
            raise ValueError(f"The warm-up file {path} holds more than {MAX_RECORDS} requests, TF Serving's limit.")
        log = prediction_log_pb2.PredictionLog.FromString(record)
        kind = log.WhichOneof("log_type")
        if kind not in parsers:
            raise ValueError(f"Warm-up request {index} of {path} is a {kind}; accepted: {', '.join(parsers)}.")
        request = getattr(log, kind).request
        for spec in [task.model_spec for task in request.tasks] if kind == "multi_inference_log" else [request.model_spec]:
            spec.name = servable.model_name  # the model it was recorded for may have had another name
        try:
            parsed = parsers[kind](core, request)
            for task in parsed if isinstance(parsed, list) else [parsed]:
                together = batched and task.signature.batchable
                if not together:  # the server runs a fast call on its loop by the single-threaded executor: it is readied too
                    task.signature.run(task.inputs, single_threaded=True)
                outputs = task.signature.run(task.inputs, batched=together)
                if isinstance(task, calls.Examples):
                    (calls.classification if task.method == "classify" else calls.regression)(outputs, task.count)
        except Exception as error:  # noqa: BLE001 - a failed warm-up request fails the load, with its message
            message = getattr(error, "message", None) or str(error)
            raise ValueError(f"Warm-up request {index} of {path} failed: {message}") from None
        count += 1
    return count


def _records(path):
    import tensorflow as tf

    try:
        for record in tf.data.TFRecordDataset(str(path)):
            yield record.numpy()
    except tf.errors.OpError as error:
        raise ValueError(f"The warm-up file {path} is not a readable TFRecord file: {error.message}") from None


# -- writing --------------------------------------------------------------------------------------------------------


def write_warmup_requests(saved_model_dir):
    """Writes `assets.extra/tf_serving_warmup_requests` into a SavedModel directory: one request per signature.

    Returns the path written, or None when no signature's inputs could be made up.
    """
    import tensorflow as tf
    from tensorflow.core.protobuf import saved_model_pb2
    from tensorflow_serving.apis import prediction_log_pb2

    from kclassics.serving.calls import CLASSIFY_METHOD, REGRESS_METHOD

    if not isinstance(saved_model_dir, (str, os.PathLike)) or not str(saved_model_dir):
        raise ValueError(f"`saved_model_dir` must be the path of a SavedModel directory. Received: saved_model_dir={saved_model_dir!r}")
    saved_model_dir = Path(saved_model_dir)
    if not saved_model_dir.is_dir():
        raise FileNotFoundError(f"No SavedModel directory at {saved_model_dir}. Received: saved_model_dir={str(saved_model_dir)!r}")
    if not (saved_model_dir / "saved_model.pb").is_file():
        raise ValueError(f"{saved_model_dir} is not a SavedModel directory: it has no saved_model.pb. "
                         f"Received: saved_model_dir={str(saved_model_dir)!r}")
    meta_graph = saved_model_pb2.SavedModel.FromString((saved_model_dir / "saved_model.pb").read_bytes()).meta_graphs[0]
    graph = _Graph(meta_graph.graph_def)
    logs = []
    for name, signature in sorted(meta_graph.signature_def.items()):
        if name.startswith("__"):
            continue
        ops = graph.ops_reached([info.name for info in signature.outputs.values()])
        inputs = {key: _value(info, ops) for key, info in signature.inputs.items()}
        if any(value is None for value in inputs.values()):
            continue
        if signature.method_name in (CLASSIFY_METHOD, REGRESS_METHOD) and list(inputs) == ["inputs"]:
            logs.append(_examples_log(name, signature.method_name, ops))
        else:
            logs.append(_predict_log(name, inputs))
    if not logs:
        return None
    path = saved_model_dir / WARMUP_FILE
    path.parent.mkdir(exist_ok=True)
    with tf.io.TFRecordWriter(str(path)) as writer:
        for log in logs:
            writer.write(prediction_log_pb2.PredictionLog(**log).SerializeToString())
    return path


def _predict_log(signature_name, inputs):
    from tensorflow_serving.apis import predict_pb2, prediction_log_pb2

    from kclassics.serving.tfserving_grpc import from_array

    request = predict_pb2.PredictRequest()
    request.model_spec.signature_name = signature_name
    for key, value in inputs.items():
        from_array(value, request.inputs[key])
    return {"predict_log": prediction_log_pb2.PredictLog(request=request)}


def _examples_log(signature_name, method_name, ops):
    from tensorflow_serving.apis import classification_pb2, prediction_log_pb2, regression_pb2

    from kclassics.serving.calls import CLASSIFY_METHOD

    if method_name == CLASSIFY_METHOD:
        request = classification_pb2.ClassificationRequest()
        kind = ("classify_log", prediction_log_pb2.ClassifyLog)
    else:
        request = regression_pb2.RegressionRequest()
        kind = ("regress_log", prediction_log_pb2.RegressLog)
    request.model_spec.signature_name = signature_name
    request.input.example_list.examples.add().ParseFromString(_example(ops))
    return {kind[0]: kind[1](request=request)}


def _value(info, ops):
    """One example for a signature input (TensorInfo): zeros, or a string the signature can read; None if unknown."""
    from tensorflow.core.framework import types_pb2

    from kclassics.serving.tfserving_grpc import FIELDS, numpy_dtype

    if info.tensor_shape.unknown_rank or info.dtype not in FIELDS:
        return None
    shape = tuple(1 if dim.size < 0 else dim.size for dim in info.tensor_shape.dim)
    if info.dtype != types_pb2.DT_STRING:
        return np.zeros(shape, dtype=numpy_dtype(info.dtype))
    if ops.types & _IMAGE_DECODERS:
        value = _image(jpeg="DecodeJpeg" in ops.types and not ops.types & {"DecodeImage", "DecodePng"})
    elif "ParseExampleV2" in ops.types:
        value = _example(ops)
    else:
        value = _WORD
    array = np.empty(shape, dtype=object)
    array[...] = value
    return array


def _image(jpeg=False):
    import tensorflow as tf

    pixels = tf.zeros((1, 1, 3), tf.uint8)
    return (tf.io.encode_jpeg(pixels) if jpeg else tf.io.encode_png(pixels)).numpy()


def _example(ops):
    """A serialized tf.Example holding every feature the ParseExampleV2 ops read, as zeros of their types and shapes."""
    from tensorflow.core.example import example_pb2
    from tensorflow.core.framework import types_pb2

    example = example_pb2.Example()
    for function, node in ops.nodes:
        if node.op != "ParseExampleV2":
            continue
        # ParseExampleV2's inputs: serialized, names, sparse_keys, dense_keys, ragged_keys, dense_defaults.
        dense = zip(ops.strings(function, node, 3), node.attr["Tdense"].list.type, node.attr["dense_shapes"].list.shape)
        sparse = ((key, dtype, None) for key, dtype in zip(ops.strings(function, node, 2), node.attr["sparse_types"].list.type))
        for key, dtype, shape in [*dense, *sparse]:
            size = 1 if shape is None else int(np.prod([max(d.size, 1) for d in shape.dim], dtype=np.int64))
            feature = example.features.feature[key.decode()]
            if dtype == types_pb2.DT_FLOAT:
                feature.float_list.value.extend([0.0] * size)
            elif dtype == types_pb2.DT_INT64:
                feature.int64_list.value.extend([0] * size)
            else:
                feature.bytes_list.value.extend([_WORD] * size)
    return example.SerializeToString()


class _Graph:
    """The function library of a SavedModel's graph: which ops a signature's outputs reach through function calls."""

    def __init__(self, graph_def):
        self.main = {node.name: node for node in graph_def.node}
        self.functions = {function.signature.name: function for function in graph_def.library.function}

    def ops_reached(self, tensor_names):
        """The ops of every function the signature's output nodes call, directly or not."""
        stack = [name for tensor in tensor_names for name in _called(self.main.get(tensor.split(":")[0]))]
        reached = _Reached()
        while stack:
            name = stack.pop()
            if name in reached.functions or name not in self.functions:
                continue
            function = self.functions[name]
            reached.add(function)
            for node in function.node_def:
                stack.extend(_called(node))
        return reached


class _Reached:
    """The ops a signature reaches: their `types`, the `(function, node)` pairs, and the functions' constants."""

    def __init__(self):
        self.functions, self.nodes, self.types, self.constants = set(), [], set(), {}

    def add(self, function):
        name = function.signature.name
        self.functions.add(name)
        for node in function.node_def:
            self.nodes.append((name, node))
            self.types.add(node.op)
            if node.op == "Const":
                self.constants[(name, node.name)] = node.attr["value"].tensor

    def strings(self, function, node, index):
        """The strings of the constant feeding input `index` of `node` (a ParseExampleV2's keys)."""
        if index >= len(node.input):
            return []
        tensor = self.constants.get((function, node.input[index].split(":")[0]))
        return list(tensor.string_val) if tensor is not None else []


def _called(node):
    if node is None:
        return []
    names = []
    for attr in node.attr.values():
        if attr.HasField("func"):
            names.append(attr.func.name)
        names.extend(f.name for f in attr.list.func)
    return names

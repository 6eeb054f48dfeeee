"""One loaded version of a model: its signatures, their tensor specs, its metadata, and the calls that run them."""

import time
from pathlib import Path

import numpy as np

from kclassics import _backend, _tensorflow

_backend.require_tensorflow("kclassics.serving")

import tensorflow as tf  # noqa: E402
from google.protobuf import json_format  # noqa: E402
from tensorflow.core.protobuf import meta_graph_pb2, saved_model_pb2  # noqa: E402

from kclassics.serving import codec  # noqa: E402
from kclassics.serving.errors import ServingError, from_tensorflow, invalid  # noqa: E402

INIT_OP = "__saved_model_init_op"
SINGLE_THREADED = "SINGLE_THREADED_EXECUTOR"


class TensorSpec:
    """A signature tensor: name, TF dtype, numpy dtype and shape (None for any size)."""

    def __init__(self, name, dtype, shape):
        self.name = name
        self.dtype = tf.as_dtype(dtype)
        self.numpy_dtype = np.dtype(object) if self.dtype == tf.string else np.dtype(self.dtype.as_numpy_dtype)
        self.shape = None if shape.rank is None else tuple(shape.as_list())

    @property
    def batched(self):
        return bool(self.shape) and self.shape[0] is None

    def describe(self):
        shape = "?" if self.shape is None else "[" + ", ".join("-1" if d is None else str(d) for d in self.shape) + "]"
        return f"{self.dtype.name} {shape}"


class Signature:
    """A named signature of a loaded SavedModel; `run` calls it on numpy inputs and returns numpy outputs.

    `run(..., batched=True)` is the dynamic batcher's call: a `tf.function`
    over the signature whose input signature leaves the batch size open, so
    one trace serves every batch; `warm()` makes it when the version loads
    (as TF Serving's warm-up does), so no request waits for a trace.
    """

    def __init__(self, name, function, method_name="tensorflow/serving/predict"):
        self.name = name
        self.function = function
        self.method_name = method_name
        self.inputs = {k: TensorSpec(k, s.dtype, s.shape) for k, s in sorted(function.structured_input_signature[1].items())}
        self.outputs = {k: TensorSpec(k, t.dtype, t.shape) for k, t in sorted(function.structured_outputs.items())}
        self.batchable = bool(self.inputs) and all(s.batched for s in (*self.inputs.values(), *self.outputs.values()))
        names = list(self.inputs)
        self._batched_function = tf.function(
            lambda *values: function(**dict(zip(names, values))),
            input_signature=[tf.TensorSpec(spec.shape, spec.dtype, name=name) for name, spec in self.inputs.items()],
        ) if self.batchable else None
        # keyword inputs in name order (every SavedModel signature's): an unbatched call is the function's flat call
        self._flat = [p.name for p in function.function_type.parameters.values()] == list(self.inputs)
        self.seconds = float("inf")  # how long the last unbatched call took (none yet: infinity)
        self.single_threaded = True  # whether TensorFlow's single-threaded executor can run it (until it refuses)

    def warm(self):
        """Traces the batched call (once: its input signature holds for any batch size)."""
        if self.batchable:
            self._batched_function.get_concrete_function()

    @property
    def traces(self):
        """How many times the batched call was traced (once, at load, when batching is on)."""
        return self._batched_function.experimental_get_tracing_count() if self.batchable else 0

    def run(self, inputs, batched=False, single_threaded=False):
        """Outputs (numpy) for `inputs` ({name: numpy array}); a TensorFlow error becomes a `ServingError`.

        `single_threaded`: the function's ops run one after another on the calling thread (TensorFlow's
        single-threaded executor), not handed to the inter-op threads: a small model's call is then not
        slowed by waking those threads. (A kernel still uses the intra-op threads.)
        """
        started = time.perf_counter()
        self._check(inputs)
        tensors = [tf.constant(inputs[name], dtype=spec.dtype) for name, spec in self.inputs.items()]
        try:
            if batched:
                outputs = self._batched_function(*tensors)
            elif single_threaded and self.single_threaded:
                outputs = self._single_threaded(tensors)
            else:
                outputs = self._call(tensors)
        except tf.errors.OpError as error:
            raise from_tensorflow(error) from None
        except (TypeError, ValueError) as error:
            raise ServingError("INVALID_ARGUMENT", str(error).strip().splitlines()[0]) from None
        outputs = {name: value.numpy() for name, value in outputs.items()}
        if not batched:
            self.seconds = time.perf_counter() - started
        return outputs

    def _check(self, inputs):
        """INVALID_ARGUMENT unless `inputs` are the signature's, by name and shape (each protocol's parser checks them
        first, with its own words; the flat call below would not)."""
        if inputs.keys() != self.inputs.keys():
            raise invalid(f"Signature {self.name!r} takes inputs {', '.join(self.inputs)}. Received: {', '.join(sorted(inputs))}")
        for name, spec in self.inputs.items():
            codec._check_shape(name, np.shape(inputs[name]), spec)

    def _call(self, tensors):
        """The signature on `tensors` (in input-name order): its flat call, or its keyword call where it is not flat."""
        if self._flat:
            return _tensorflow.call_flat(self.function, tensors)
        return self.function(**dict(zip(self.inputs, tensors)))

    def _single_threaded(self, tensors):
        try:
            with tf.experimental.function_executor_type(SINGLE_THREADED):
                return self._call(tensors)
        except tf.errors.OpError:
            # That executor refuses some graphs (TF1-style control flow, as a lowered `tf.map_fn`): if the default
            # executor answers, this signature is run by it from now on; if not, the error is the request's.
            outputs = self._call(tensors)
            self.single_threaded = False
            return outputs


class Servable:
    """A SavedModel version loaded for serving: `signatures` by name and its `signature_def` metadata.

    `warm`: trace the dynamic batcher's call at load (with batching on).
    """

    def __init__(self, model_name, version, path, warm=False):
        self.model_name = model_name
        self.version = version
        self.path = Path(path)
        self.signature_defs = _signature_defs(self.path)
        loaded = tf.saved_model.load(str(self.path))
        self._loaded = loaded  # keeps the variables the signatures capture alive
        self.signatures = {
            name: Signature(name, fn, self.signature_defs[name].method_name if name in self.signature_defs else "")
            for name, fn in loaded.signatures.items()
        }
        if not self.signatures:
            raise ValueError(f"The SavedModel at {self.path} has no serving signature.")
        if warm:
            for signature in self.signatures.values():
                signature.warm()

    def signature(self, name):
        name = name or tf.saved_model.DEFAULT_SERVING_SIGNATURE_DEF_KEY
        if not isinstance(name, str) or name not in self.signatures:
            raise ServingError(
                "FAILED_PRECONDITION",
                f"Serving signature name: {name!r} not found in signature def. Accepted: {', '.join(sorted(self.signatures))}",
            )
        return self.signatures[name]

    def signature_def_map(self):
        """The SignatureDefMap as TF Serving's REST metadata prints it (proto JSON, field names kept)."""
        mapped = meta_graph_pb2.MetaGraphDef()
        for key in sorted(self.signature_defs):
            mapped.signature_def[key].CopyFrom(self.signature_defs[key])
        as_json = json_format.MessageToDict(mapped, always_print_fields_with_no_presence=True, preserving_proto_field_name=True)
        return {"signature_def": as_json.get("signature_def", {})}


def _signature_defs(path):
    """`{name: SignatureDef}` of a SavedModel directory, without its init op."""
    saved_model = saved_model_pb2.SavedModel.FromString((path / "saved_model.pb").read_bytes())
    if not saved_model.meta_graphs:
        return {}
    return {key: value for key, value in saved_model.meta_graphs[0].signature_def.items() if key != INIT_OP}

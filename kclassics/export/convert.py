"""ONNX and LiteRT files of a Keras model, written by the field's own converters with the task's signature, and checked.

The task's `serving_default` signature (`kclassics.export.TASKS`: the same
function TF Serving's SavedModel serves) is what each converter takes, so the
input and output names are the SavedModel's: tf2onnx converts it traced
(`tf2onnx.convert.from_function`, as Keras's `model.export(format="onnx")`
does), and TensorFlow's LiteRT converter reads it from a SavedModel written
by `export_saved_model` (Keras's own LiteRT path). LiteRT gets the builtin
operators only, which every LiteRT interpreter has (no TensorFlow "flex" ops).

Where a converter cannot take a layer as it is, the layer is either lowered
to an equal form the format has, or refused with one line naming the layer
and the format:

- a recurrent layer that loops over a known number of steps is unrolled for
  LiteRT (the converter's loop lowering needs a static batch size);
- any other operator the format lacks is refused (`UnsupportedError`).

Every file is then run in its runtime on the same inputs as the Keras model
before it is moved into place: a float32 export whose answers differ by more
than `TOLERANCE` (relative) is refused (`ExportMismatchError`) and nothing is
written.
"""

import dataclasses
import importlib
import logging
import os
import re
import shutil
import tempfile
import warnings
from pathlib import Path

import keras
import numpy as np

from kclassics.export.formats import FORMATS, TOLERANCE, check_request
from kclassics.export.runtimes import compare, load_exported, task_outputs
from kclassics.export.saved_model import TASKS, _umask, export_saved_model
from kclassics.layers._xla import without_xla

CHECK_EXAMPLES = 8
CALIBRATION_EXAMPLES = 300  # "a few hundred samples" (tf.lite.RepresentativeDataset)


class UnsupportedError(ValueError):
    """The format cannot take the model: a layer has an operator the format lacks, or its signature has no form there."""


class ExportMismatchError(ValueError):
    """The exported file's answers differ from the Keras model's beyond the tolerance."""


@dataclasses.dataclass(frozen=True)
class ExportResult:
    """What `export_model` wrote and how close its answers are to Keras's.

    Attributes:
        path: the file (ONNX, LiteRT) or the SavedModel version directory.
        format, quantize: as requested.
        bytes: the size on disk (a SavedModel's files summed).
        difference: the `kclassics.export.Difference` measured on the check inputs (None with `check=False`).
        lowered: one line per layer lowered for the format (`"'forward_lstm' (RNN) unrolled over 28 steps"`).
    """

    path: Path
    format: str
    quantize: str
    bytes: int
    difference: object = None
    lowered: tuple = ()


def serving_function(model, task="image_classification", input_name="images", options=None):
    """The task's `serving_default` function and its input specs: `(specs, serve)`, as `export_saved_model` signs it."""
    if task not in TASKS:
        raise ValueError(f"Unknown `task`. Accepted: {', '.join(TASKS)}. Received: task={task!r}")
    endpoints = TASKS[task](model, input_name, **dict(options or {}))
    if isinstance(endpoints, dict):
        specs, serve = endpoints["serving_default"][:2]
        return list(specs), serve
    spec, serve = endpoints
    return (list(spec) if isinstance(spec, tuple) else [spec]), serve


def export_model(model, path, format="savedmodel", quantize="none", task="image_classification", input_name="images",
                 representative_data=None, check=True, check_inputs=None, **options):
    """Exports `model` with its task's signature as a SavedModel, an ONNX file or a LiteRT file; checks the answers.

    Args:
        model: a built Keras model.
        path: the `.onnx` / `.tflite` file to write (never overwritten), or the
            SavedModel's base directory (a new numbered version is added).
        format: `"savedmodel"`, `"onnx"` or `"litert"` (`kclassics.export.FORMATS`).
        quantize: `"none"`; for LiteRT also `"float16"`, `"dynamic"` or `"int8"`
            (`kclassics.export.QUANTIZATIONS`).
        task, input_name, **options: the signature, as `export_saved_model`'s.
        representative_data: {input name: array} (or one array for a
            single-input signature) of a few hundred typical inputs, drawn from
            the training split: int8 calibrates its ranges on them (up to
            `CALIBRATION_EXAMPLES`, one at a time).
        check: run the written file in its runtime against the Keras model
            before it is moved into place.
        check_inputs: the inputs of that check, as `representative_data`;
            default `CHECK_EXAMPLES` of the representative data, else random
            inputs of the signature's shapes.

    Returns:
        An `ExportResult`.

    Raises:
        ValueError: an unknown format or quantisation, one not offered for the
            format, or int8 without representative data; nothing is written.
        FileExistsError: `path` exists (a file format).
        UnsupportedError: the format lacks an operator of a layer (named).
        ExportMismatchError: a float32 export differs from Keras by more than `TOLERANCE`.
    """
    spec = check_request(format, quantize, path, representative_data is not None)
    specs, _ = serving_function(model, task, input_name, options)  # a task refuses its options before anything is written
    representative = _as_inputs(representative_data, specs)
    if check_inputs is not None:
        check_inputs = _as_inputs(check_inputs, specs)
    elif representative is not None:
        check_inputs = {name: x[:CHECK_EXAMPLES] for name, x in representative.items()}
    path = Path(path).expanduser()
    if not spec.is_file:
        written = export_saved_model(model, path, input_name=input_name, task=task, **options)
        try:
            return _checked(model, written, format, quantize, task, input_name, options, check, check_inputs, ())
        except ExportMismatchError:
            shutil.rmtree(written, ignore_errors=True)
            raise
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}-", dir=path.parent))
    try:
        staged = staging / path.name
        lowered = ()
        if format == "onnx":
            _write_onnx(model, staged, task, input_name, options)
        else:
            converted, lowered = _lowered_for_litert(model)
            _write_litert(converted, staged, staging, task, input_name, options, quantize, representative)
        result = _checked(model, staged, format, quantize, task, input_name, options, check, check_inputs, lowered)
        os.chmod(staged, 0o666 & ~_umask())
        os.link(staged, path)  # fails rather than replace a file written meanwhile
        return dataclasses.replace(result, path=path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _checked(model, written, format, quantize, task, input_name, options, check, inputs, lowered):
    size = written.stat().st_size if written.is_file() else sum(f.stat().st_size for f in written.rglob("*") if f.is_file())
    result = ExportResult(written, format, quantize, size, lowered=lowered)
    if not check:
        return result
    if inputs is None:
        inputs = random_inputs(serving_function(model, task, input_name, options)[0], model, CHECK_EXAMPLES)
    expected = task_outputs(model, inputs, task, input_name, **options)
    difference = compare(expected, load_exported(written, format)(**inputs))
    if quantize == "none" and not difference.within(TOLERANCE):
        raise ExportMismatchError(f"The {format} export of {model.name!r} differs from the Keras model beyond the "
                                  f"tolerance {TOLERANCE:g}: {difference}; it was not written")
    return dataclasses.replace(result, difference=difference)


def flat_specs(specs):
    """The `tf.TensorSpec` of every input of a signature whose arguments are specs or dicts of specs (raw columns)."""
    return [s for spec in specs for s in (spec.values() if isinstance(spec, dict) else [spec])]


def _as_inputs(data, specs):
    """{input name: float32/int array} from an array (one input) or a dict."""
    if data is None:
        return None
    names = [spec.name for spec in flat_specs(specs)]
    if not isinstance(data, dict):
        if len(names) != 1:
            raise ValueError(f"The signature takes {', '.join(names)}: pass the inputs as a dict. Received: one array")
        data = {names[0]: data}
    if sorted(data) != sorted(names):
        raise ValueError(f"The signature takes {', '.join(names)}. Received: {', '.join(sorted(data))}")
    dtypes = {spec.name: spec.dtype for spec in flat_specs(specs)}
    return {name: np.asarray(x).astype(dtypes[name].as_numpy_dtype) for name, x in data.items()}


def random_inputs(specs, model, count, seed=0):
    """Random inputs of the signature, `count` for each unknown size.

    Standard normal floats, integer ids below the model's `vocab_size`, and
    strings drawn from its `words` (an embedding's vocabulary) plus one unknown word.
    """
    rng = np.random.default_rng(seed)
    inputs = {}
    for spec in flat_specs(specs):
        shape = [count if dim is None else dim for dim in spec.shape.as_list()]  # batch and any unknown length
        if spec.dtype.is_floating:
            inputs[spec.name] = rng.standard_normal(shape).astype(spec.dtype.as_numpy_dtype)
        elif spec.dtype.is_integer:
            inputs[spec.name] = rng.integers(0, getattr(model, "vocab_size", 2), size=shape).astype(spec.dtype.as_numpy_dtype)
        elif getattr(model, "words", None):  # an embedding's vocabulary, and one word it does not know
            words = np.array([*model.words, "<not a word>"], dtype=object)
            inputs[spec.name] = words[rng.integers(0, len(words), size=shape)]
        else:
            raise ValueError(f"Random check inputs cannot be made for input {spec.name!r} ({spec.dtype.name}): pass "
                             f"`check_inputs`. Received: a {spec.dtype.name} input")
    return inputs


# -- ONNX ------------------------------------------------------------------------------------------------------------


def _write_onnx(model, path, task, input_name, options):
    import onnx
    import tensorflow as tf
    import tf2onnx

    from kclassics._tensorflow import tf2onnx_collecting_between_optimizers

    specs, serve = serving_function(model, task, input_name, options)
    function = tf.function(serve, input_signature=specs)
    with without_xla():
        outputs = function.get_concrete_function().structured_outputs
    shared = sorted({spec.name for spec in flat_specs(specs)} & set(outputs))
    if shared:
        raise UnsupportedError(f"ONNX names each tensor of a graph once, and the {task} signature of {model.name!r} has an "
                               f"input and an output both named {shared[0]!r}. Received: format='onnx', task={task!r}")
    logging.getLogger("tf2onnx").setLevel(logging.CRITICAL)  # it logs each op it cannot take; the refusal below names them
    try:
        # XLA-compiled functions (the Winograd transforms) trace as plain ops; large weights are not copied a dozen times
        with without_xla(), tf2onnx_collecting_between_optimizers():
            proto, _ = tf2onnx.convert.from_function(function, input_signature=specs, output_path=str(path))
    except Exception as error:  # tf2onnx raises plain exceptions for what it cannot take
        raise UnsupportedError(f"tf2onnx cannot convert {model.name!r} to ONNX: {_first_line(error)}. "
                                    f"Received: format='onnx'") from error
    unknown = [node for node in proto.graph.node
               if node.domain not in ("", "ai.onnx") or not onnx.defs.has(node.op_type, node.domain)]
    if unknown:
        path.unlink(missing_ok=True)
        raise UnsupportedError(_refusal(model, "onnx", [(node.op_type, node.name) for node in unknown]))


# -- LiteRT ----------------------------------------------------------------------------------------------------------


def _lowered_for_litert(model):
    """`model` with its recurrent layers unrolled where the step count is known (an equal clone), and what was lowered.

    LiteRT's converter lowers a recurrent loop's tensor lists only when their
    shapes are static, batch size included; unrolled, the loop is plain
    operators for any batch size. Only functional models are cloned.
    """
    loops = [layer for layer in getattr(model, "layers", ())
             if isinstance(layer, keras.layers.RNN) and not layer.unroll and _steps(layer) is not None]
    if not loops or not isinstance(model, keras.Model) or not hasattr(model, "inputs") or model.inputs is None:
        return model, ()

    def unrolled(layer):
        config = layer.get_config()
        if layer in loops:
            config["unroll"] = True
        return layer.__class__.from_config(config)

    try:
        clone = keras.models.clone_model(model, clone_function=unrolled)
    except (TypeError, ValueError):  # a subclassed model: converted as it is
        return model, ()
    clone.set_weights(model.get_weights())
    return clone, tuple(f"{layer.name!r} ({type(layer).__name__}) unrolled over {_steps(layer)} steps" for layer in loops)


def _steps(layer):
    try:
        shape = layer.input.shape
    except (AttributeError, ValueError):
        return None
    return shape[1] if len(shape) > 2 else None


def _write_litert(model, path, staging, task, input_name, options, quantize, representative):
    import tensorflow as tf

    saved = export_saved_model(model, staging / "savedmodel", version=1, input_name=input_name, task=task, **options)
    converter = tf.lite.TFLiteConverter.from_saved_model(str(saved), signature_keys=["serving_default"])
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    if quantize != "none":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if quantize == "float16":
        converter.target_spec.supported_types = [tf.float16]
    if quantize == "int8":
        count = min(CALIBRATION_EXAMPLES, min(len(x) for x in representative.values()))
        converter.representative_dataset = lambda: ({name: x[i : i + 1] for name, x in representative.items()}
                                                    for i in range(count))
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    try:
        with warnings.catch_warnings():  # int8 calibration runs TensorFlow's deprecated tf.lite.Interpreter
            warnings.simplefilter("ignore", UserWarning)
            path.write_bytes(converter.convert())
    except Exception as error:  # the converter's ConverterError names each operator it refuses with its location
        ops = _converter_ops(str(error))
        if not ops:
            raise
        raise UnsupportedError(_refusal(model, "litert", ops, quantize)) from None


_CONVERTER_OP = re.compile(r"""fused\["(\w+):", "([^"@]+)""")


def _converter_ops(message):
    """[(op type, op name)] of the operators a LiteRT ConverterError refuses (its `error:` lines name them)."""
    found = []
    for line in message.splitlines():
        match = _CONVERTER_OP.search(line) if "error:" in line and "'tf." in line else None
        if match and (match.group(1), match.group(2)) not in found:
            found.append((match.group(1), match.group(2)))
    return found


# -- naming the layer ------------------------------------------------------------------------------------------------


def _refusal(model, format, ops, quantize="none"):
    """One line: the layer of the first refused operator, the format, and the other operators refused."""
    op_type, op_name = ops[0]
    layer = _layer_of(model, op_name)
    where = f"layer {layer.name!r} ({type(layer).__name__})" if layer is not None else f"model {model.name!r}"
    others = sorted({t for t, _ in ops[1:]} - {op_type})
    more = f" (nor {', '.join(others)})" if others else ""
    title = FORMATS[format].title + (" int8" if quantize == "int8" else "")
    # LiteRT has tensor lists only where their shapes are static: a loop over an unknown number of steps has none
    why = " for a loop over an unknown number of steps" if op_type.startswith("TensorList") else ""
    return (f"{title} cannot take {where} of {model.name!r}: it has no {op_type} operator{more}{why}. "
            f"Received: format={format!r}" + (f", quantize={quantize!r}" if quantize != "none" else ""))


def _layer_of(model, op_name):
    """The deepest of the model's layers whose name is a component of the TensorFlow op name (`model_1/lstm_1/...`)."""
    layers = {layer.name: layer for layer in getattr(model, "layers", ())}
    found = None
    for part in op_name.split("/"):
        base = re.sub(r"_\d+$", "", part)
        layer = layers.get(part) or layers.get(base)
        if layer is not None:
            found = layer
    return found


def _first_line(error):
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:300]


def resolve(name):
    """A function named `"module:qualified.name"`."""
    module, _, qualname = name.partition(":")
    value = importlib.import_module(module)
    for part in qualname.split("."):
        value = getattr(value, part)
    return value

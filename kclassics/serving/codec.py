"""Request bodies to numpy inputs and numpy outputs to response bodies, as TF Serving's REST API shapes them.

predict: `instances` (row format: a list, one item per example; an object per
item when the signature has several inputs) or `inputs` (columnar: a value, or
an object of named values), never both. The response mirrors the request:
`predictions` (a list per example; objects when there are several outputs) or
`outputs` (a value, or an object of named values). A single output is unnamed.
Strings are UTF-8 text, or `{"b64": ...}` for bytes; outputs whose name ends in
`_bytes` are always written as `{"b64": ...}`.

classify / regress: `examples` (a list of feature objects) and an optional
`context` merged into each; they become serialized `tf.train.Example`s for a
signature whose one input is the string tensor `inputs` (TF Serving's
classification and regression signatures), or feed a signature's named inputs
directly (`tfserving_rest` writes their `{"results": ...}`).
"""

import base64
import binascii

import numpy as np

from kclassics.serving.errors import invalid

EXAMPLES_INPUT = "inputs"


def _decode_strings(name, value):
    """Nested lists of text / {"b64": ...} -> nested lists of bytes; anything else is refused."""
    if isinstance(value, list):
        return [_decode_strings(name, item) for item in value]
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, dict) and set(value) == {"b64"} and isinstance(value["b64"], str):
        try:
            return base64.b64decode(value["b64"], validate=True)
        except (binascii.Error, ValueError):
            raise invalid(f"Input {name!r}: the 'b64' value is not valid base64. Received: {value['b64'][:40]!r}") from None
    raise invalid(f"Input {name!r} is a string tensor (DT_STRING): expected text or {{\"b64\": ...}}. Received: {_short(value)}")


def _nested_shape(name, value):
    if not isinstance(value, list):
        return ()
    if not value:
        return (0,)
    shapes = {_nested_shape(name, item) for item in value}
    if len(shapes) != 1:
        raise invalid(f"Input {name!r} is not a rectangular array: its lists have different lengths.")
    return (len(value), *shapes.pop())


def _short(value, limit=60):
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def to_array(name, value, spec):
    """`value` (nested JSON lists) as a numpy array of `spec`'s dtype and shape, or a clear INVALID_ARGUMENT."""
    if spec.numpy_dtype == object:
        shape = _nested_shape(name, value)
        array = np.empty(shape, dtype=object)
        decoded = _decode_strings(name, value)
        if shape:
            array[...] = _object_fill(decoded, shape)
        else:
            array[()] = decoded
    else:
        if _has_b64(value):
            raise invalid(f"Input {name!r} is {spec.dtype.name}; {{\"b64\": ...}} is only for string (DT_STRING) inputs.")
        try:
            array = np.asarray(value)
        except (ValueError, TypeError):
            raise invalid(f"Input {name!r} is not a rectangular array of numbers: its lists have different lengths.") from None
        array = _cast(name, array, spec)
    _check_shape(name, array.shape, spec)
    return array


def _object_fill(decoded, shape):
    """Nested lists of bytes as an object array of `shape`, without numpy guessing at nested bytes."""
    flat = []

    def walk(item):
        if isinstance(item, list):
            for sub in item:
                walk(sub)
        else:
            flat.append(item)

    walk(decoded)
    array = np.empty(len(flat), dtype=object)
    array[:] = flat
    return array.reshape(shape)


def _has_b64(value):
    if isinstance(value, dict):
        return True
    return isinstance(value, list) and bool(value) and isinstance(value[0], (dict, list)) and _has_b64(value[0])


def _cast(name, array, spec):
    kind, target = array.dtype.kind, spec.numpy_dtype
    if array.size == 0:
        return array.astype(target)
    if kind in "USO":
        raise invalid(f"Input {name!r} expects {spec.dtype.name} numbers. Received: {_first_offender(array)}")
    if target.kind == "b":
        if kind != "b":
            raise invalid(f"Input {name!r} expects booleans (true/false). Received: {_short(array.flat[0].item())}")
        return array
    if kind == "b":
        raise invalid(f"Input {name!r} expects {spec.dtype.name} numbers. Received: a boolean")
    if target.kind in "iu":
        if kind == "f":
            bad = array[~np.isfinite(array) | (array != np.round(array))]
            offender = bad.flat[0].item() if bad.size else array.flat[0].item()
            raise invalid(f"Input {name!r} expects {spec.dtype.name} integers. Received: {offender!r}")
        info = np.iinfo(target)
        if array.min() < info.min or array.max() > info.max:
            raise invalid(f"Input {name!r}: values must lie in [{info.min}, {info.max}] for {spec.dtype.name}. Received: {array.min()}..{array.max()}")
    return array.astype(target, copy=False)


def _first_offender(array):
    for item in array.ravel().tolist():
        if not isinstance(item, (int, float)) or isinstance(item, bool):
            return _short(item)
    return _short(array.ravel()[0].item())


def _check_shape(name, shape, spec):
    if spec.shape is None:
        return
    if len(shape) != len(spec.shape) or any(want is not None and want != got for want, got in zip(spec.shape, shape)):
        raise invalid(f"Input {name!r} expects {spec.describe()}. Received: shape {list(shape)}")


def parse_predict(body, signature):
    """`(inputs, row_format)` of a predict request body against a signature."""
    if not isinstance(body, dict):
        raise invalid(f"The request body must be a JSON object. Received: {type(body).__name__}")
    has_rows, has_columns = "instances" in body, "inputs" in body
    if has_rows and has_columns:
        raise invalid("A request may hold 'instances' (row format) or 'inputs' (columnar format), not both.")
    if not has_rows and not has_columns:
        raise invalid("Missing 'instances' (row format) or 'inputs' (columnar format) in the request body.")
    unknown = set(body) - {"instances", "inputs", "signature_name"}
    if unknown:
        raise invalid(f"Unknown key(s) in the request body: {', '.join(sorted(unknown))}. Accepted: signature_name, instances, inputs")
    specs = signature.inputs
    if has_rows:
        return _rows(body["instances"], specs), True
    return _columns(body["inputs"], specs), False


def _is_named(item, specs):
    return isinstance(item, dict) and not (set(item) == {"b64"} and "b64" not in specs)


def _rows(instances, specs):
    if not isinstance(instances, list) or not instances:
        raise invalid(f"'instances' must be a non-empty list, one item per example. Received: {_short(instances)}")
    named = [_is_named(item, specs) for item in instances]
    if len(specs) == 1 and not any(named):
        (name, spec), = specs.items()
        return {name: to_array(name, instances, spec)}
    if not all(named):
        raise invalid(
            f"Each instance must be an object of the named inputs {', '.join(specs)} (the signature has {len(specs)} inputs)."
        )
    for index, item in enumerate(instances):
        _check_names(set(item), specs, f"instance {index}")
    return {name: to_array(name, [item[name] for item in instances], spec) for name, spec in specs.items()}


def _columns(inputs, specs):
    if len(specs) == 1 and not _is_named(inputs, specs):
        (name, spec), = specs.items()
        return {name: to_array(name, inputs, spec)}
    if not isinstance(inputs, dict):
        raise invalid(f"'inputs' must be an object of the named inputs {', '.join(specs)}. Received: {_short(inputs)}")
    _check_names(set(inputs), specs, "'inputs'")
    return {name: to_array(name, inputs[name], spec) for name, spec in specs.items()}


def _check_names(names, specs, where):
    missing, extra = sorted(set(specs) - names), sorted(names - set(specs))
    if missing or extra:
        parts = ([f"missing input(s) {', '.join(missing)}"] if missing else []) + ([f"unknown input(s) {', '.join(extra)}"] if extra else [])
        raise invalid(f"{where}: {'; '.join(parts)}. The signature's inputs: {', '.join(specs)}")


def to_json_value(name, array):
    """A numpy output as JSON values (bytes as text, or b64 for `*_bytes` outputs and non-UTF-8 bytes)."""
    if array.dtype != object and array.dtype.kind not in "SU":
        return array  # written by `rest.encode_json`, float32 in its shortest form
    binary = name.endswith("_bytes")

    def convert(item):
        if isinstance(item, list):
            return [convert(sub) for sub in item]
        if isinstance(item, bytes):
            if not binary:
                try:
                    return item.decode("utf-8")
                except UnicodeDecodeError:
                    pass
            return {"b64": base64.b64encode(item).decode("ascii")}
        return item

    return convert(array.tolist())


def format_predict(outputs, row_format, rows):
    """The predict response body: `predictions` (row format) or `outputs` (columnar), a single output unnamed."""
    if not row_format:
        if len(outputs) == 1:
            (name, value), = outputs.items()
            return {"outputs": to_json_value(name, value)}
        return {"outputs": {name: to_json_value(name, value) for name, value in outputs.items()}}
    for name, value in outputs.items():
        if value.ndim == 0 or value.shape[0] != rows:
            raise invalid(
                f"Output {name!r} has batch size {value.shape[0] if value.ndim else 'none (a scalar)'} but the request has "
                f"{rows} instances; ask in columnar format ('inputs') instead."
            )
    if len(outputs) == 1:
        (name, value), = outputs.items()
        return {"predictions": to_json_value(name, value)}
    columns = {name: to_json_value(name, value) for name, value in outputs.items()}
    return {"predictions": [{name: column[i] for name, column in columns.items()} for i in range(rows)]}


def parse_examples(body, signature):
    """`(inputs, count)` of a classify/regress request: serialized tf.Examples, or the signature's named inputs."""
    if not isinstance(body, dict):
        raise invalid(f"The request body must be a JSON object. Received: {type(body).__name__}")
    unknown = set(body) - {"examples", "context", "signature_name"}
    if unknown:
        raise invalid(f"Unknown key(s) in the request body: {', '.join(sorted(unknown))}. Accepted: signature_name, context, examples")
    examples, context = body.get("examples"), body.get("context", {})
    if not isinstance(examples, list) or not examples or not all(isinstance(e, dict) for e in examples):
        raise invalid(f"'examples' must be a non-empty list of feature objects. Received: {_short(examples)}")
    if not isinstance(context, dict):
        raise invalid(f"'context' must be an object of features. Received: {_short(context)}")
    for index, example in enumerate(examples):
        both = sorted(set(example) & set(context))
        if both:
            raise invalid(f"Example {index}: feature(s) {', '.join(both)} also appear in 'context'; a feature goes in one place.")
    merged = [{**context, **example} for example in examples]
    if takes_serialized_examples(signature):
        serialized = np.array([_serialize_example(i, e) for i, e in enumerate(merged)], dtype=object)
        _check_shape(EXAMPLES_INPUT, serialized.shape, signature.inputs[EXAMPLES_INPUT])
        return {EXAMPLES_INPUT: serialized}, len(merged)
    return feature_columns(merged, signature), len(merged)


def takes_serialized_examples(signature):
    """True for TF Serving's classification / regression signature form: one string input, `inputs`, of tf.Examples."""
    specs = signature.inputs
    return list(specs) == [EXAMPLES_INPUT] and specs[EXAMPLES_INPUT].numpy_dtype == object


def feature_columns(examples, signature):
    """The signature's named inputs from examples given as `{feature: value or list}` (features it does not take are ignored, as tf.Example parsing ignores them)."""
    specs = signature.inputs
    for index, example in enumerate(examples):
        missing = sorted(set(specs) - set(example))
        if missing:
            raise invalid(f"Example {index}: missing feature(s) {', '.join(missing)}. The signature's inputs: {', '.join(specs)}")
    inputs = {}
    for name, spec in specs.items():
        column = [example[name] for example in examples]
        if spec.shape is not None and len(spec.shape) == 2 and spec.shape[1] == 1:
            column = [value if isinstance(value, list) else [value] for value in column]
        inputs[name] = to_array(name, column, spec)
    return inputs


def _serialize_example(index, features):
    import tensorflow as tf

    feature = {}
    for name, value in features.items():
        values = value if isinstance(value, list) else [value]
        if all(isinstance(v, bool) for v in values) and values:
            raise invalid(f"Example {index}, feature {name!r}: booleans are not a tf.Example type; use 0 and 1.")
        if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            feature[name] = tf.train.Feature(int64_list=tf.train.Int64List(value=values))
        elif all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            feature[name] = tf.train.Feature(float_list=tf.train.FloatList(value=values))
        elif all(isinstance(v, (str, dict)) for v in values):
            feature[name] = tf.train.Feature(bytes_list=tf.train.BytesList(value=_decode_strings(name, values)))
        else:
            raise invalid(
                f"Example {index}, feature {name!r}: expected numbers, or text / {{\"b64\": ...}}, all of one kind. Received: {_short(value)}"
            )
    return tf.train.Example(features=tf.train.Features(feature=feature)).SerializeToString()

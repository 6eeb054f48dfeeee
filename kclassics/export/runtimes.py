"""An exported model run in its own runtime (TensorFlow, ONNX Runtime, the LiteRT interpreter), and its answers compared.

    exported = load_exported("mnist.tflite", threads=2)   # the signature: exported.inputs, exported.outputs
    outputs = exported(images=x)                          # {"probabilities": ..., "classes": ...}
    difference = compare(task_outputs(model, {"images": x}), outputs)
    difference.relative <= TOLERANCE
"""

import dataclasses
import time
from pathlib import Path

import numpy as np

from kclassics.export.formats import FORMATS

SIGNATURE = "serving_default"


def format_of(path):
    """The format of an exported path: by its suffix, or a SavedModel directory (a version or a base of versions)."""
    path = Path(path)
    for spec in FORMATS.values():
        if spec.is_file and path.suffix == spec.suffix:
            return spec.name
    if path.is_dir():
        return "savedmodel"
    raise ValueError(f"Cannot tell the format of {path}: accepted are a directory holding saved_model.pb and files ending "
                     f"in {', '.join(s.suffix for s in FORMATS.values() if s.is_file)}. Received: path={str(path)!r}")


class Exported:
    """An exported model loaded in its runtime: `exported(**inputs)` -> {output name: NumPy array}.

    Attributes:
        format: the format's name.
        inputs: the signature's input names.
        outputs: its output names.
    """

    def __init__(self, format, inputs, outputs, run):
        self.format, self.inputs, self.outputs, self._run = format, tuple(inputs), tuple(outputs), run

    def __call__(self, **inputs):
        unknown = sorted(set(inputs) ^ set(self.inputs))
        if unknown:
            raise ValueError(f"The signature takes {', '.join(self.inputs)}. Received: {', '.join(sorted(inputs))}")
        return self._run(inputs)


def load_exported(path, format=None, threads=None):
    """Loads an export in its runtime (the SavedModel's `serving_default` signature; a LiteRT file's too).

    Args:
        path: the `.onnx` or `.tflite` file, or a SavedModel version directory.
        format: one of `FORMATS`; default told from `path`.
        threads: the runtime's threads (ONNX Runtime's intra-op threads, the
            LiteRT interpreter's); default the runtime's own. TensorFlow's are
            set for the process (`tf.config.threading`).

    Returns:
        An `Exported`.
    """
    format = format or format_of(path)
    path = str(path)
    if format == "onnx":
        import onnxruntime

        options = onnxruntime.SessionOptions()
        if threads:
            options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
        session = onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        names = [output.name for output in session.get_outputs()]
        return Exported(format, [i.name for i in session.get_inputs()], names,
                        lambda inputs: dict(zip(names, session.run(names, inputs))))
    if format == "litert":
        from ai_edge_litert.interpreter import Interpreter

        interpreter = Interpreter(model_path=path, num_threads=threads)
        signature = interpreter.get_signature_list()[SIGNATURE]
        runner = interpreter.get_signature_runner(SIGNATURE)
        return Exported(format, signature["inputs"], signature["outputs"], lambda inputs: dict(runner(**inputs)))
    import tensorflow as tf

    serve = tf.saved_model.load(path).signatures[SIGNATURE]
    names = list(serve.structured_outputs)
    return Exported(format, list(serve.structured_input_signature[1]), names,
                    lambda inputs: {k: v.numpy() for k, v in serve(**{n: tf.constant(x) for n, x in inputs.items()}).items()})


def task_outputs(model, inputs, task="image_classification", input_name="images", **options):
    """The Keras model's answers through its task's signature (`kclassics.export.TASKS`), computed by TensorFlow.

    Args:
        model: the Keras model.
        inputs: {input name: array}, as the export takes them.
        task, input_name, **options: as `export_saved_model`.

    Returns:
        {output name: NumPy array}.
    """
    from kclassics.export.convert import serving_function

    specs, serve = serving_function(model, task, input_name, options)
    arguments = [inputs[spec.name] if not isinstance(spec, dict) else {k: inputs[k] for k in spec} for spec in specs]
    return {name: np.asarray(value) for name, value in serve(*arguments).items()}


@dataclasses.dataclass(frozen=True)
class Difference:
    """How far an export's answers are from Keras's on the same inputs.

    Attributes:
        absolute: the largest |exported - Keras| over the float outputs.
        relative: the largest, over the float outputs, of max |exported - Keras| / max |Keras|.
        per_output: {output name: (absolute, relative)} of the float outputs.
        integer_mismatches: {output name: how many entries differ} of the integer outputs (classes, actions, ids).
        examples: how many examples were compared.
    """

    absolute: float
    relative: float
    per_output: dict
    integer_mismatches: dict
    examples: int

    def within(self, tolerance):
        return self.relative <= tolerance and not any(self.integer_mismatches.values())

    def __str__(self):
        text = f"max difference {self.absolute:.3g} (relative {self.relative:.3g}) on {self.examples} examples"
        for name, count in self.integer_mismatches.items():
            text += f"; {name} differ on {count}" if count else f"; {name} equal"
        return text


def compare(expected, actual):
    """The `Difference` between two {output name: array} answers (an output missing from `actual` is an error)."""
    missing = sorted(set(expected) - set(actual))
    if missing:
        raise ValueError(f"The export lacks the outputs {', '.join(missing)}; it has {', '.join(sorted(actual))}")
    per_output, mismatches, examples = {}, {}, 0
    for name, reference in expected.items():
        reference, value = np.asarray(reference), np.asarray(actual[name])
        examples = max(examples, len(reference) if reference.ndim else 1)
        if reference.shape != value.shape:
            raise ValueError(f"Output {name!r} has shape {value.shape} in the export and {reference.shape} in Keras")
        if np.issubdtype(reference.dtype, np.floating):
            absolute = float(np.max(np.abs(value.astype(np.float64) - reference), initial=0.0))
            scale = float(np.max(np.abs(reference), initial=0.0))
            per_output[name] = (absolute, absolute / scale if scale else absolute)
        else:
            mismatches[name] = int(np.sum(value.reshape(reference.shape) != reference))
    return Difference(max((a for a, _ in per_output.values()), default=0.0),
                      max((r for _, r in per_output.values()), default=0.0), per_output, mismatches, examples)


def predict(call, inputs, batch_size=256):
    """`call(**batch)` over `inputs` ({name: array}, examples on the first axis) in batches; the outputs concatenated."""
    count = len(next(iter(inputs.values())))
    parts = [call(**{name: x[i : i + batch_size] for name, x in inputs.items()}) for i in range(0, count, batch_size)]
    return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}


def latencies(calls, repeats=20, warmup=3, min_seconds=0.0):
    """Median seconds per call of each of `calls` ({name: function}), timed in turn, one call of each per round.

    Interleaved, the runtimes share whatever else the machine is doing, so
    their ratios hold on a busy machine. Rounds continue until `repeats`
    are done and `min_seconds` have passed.
    """
    for call in calls.values():
        for _ in range(warmup):
            call()
    times, start = {name: [] for name in calls}, time.perf_counter()
    while len(next(iter(times.values()))) < repeats or time.perf_counter() - start < min_seconds:
        for name, call in calls.items():
            begin = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - begin)
    return {name: float(np.median(values)) for name, values in times.items()}

"""ONNX and LiteRT exports measured: the answers against Keras, the file sizes, the latency per image, int8's accuracy cost.

    flock /tmp/kclassics-bench.lock python benchmarks/benchmark_export.py zoo [--models mnist_cnn vgg16] [--input-size 64] [--json zoo.json]
    flock /tmp/kclassics-bench.lock python benchmarks/benchmark_export.py int8 [--programs mnist_cnn] [--mnist-dir DIR] [--json int8.json]

`zoo`: every registered model (or `--models`) at its full input size, random
weights (seed 0; the book's zero-initialised kernels drawn too), the
classifiers built with `classifier_activation=None` so that the logits
themselves are compared. Each is exported to ONNX and to LiteRT (float32)
by `kclassics.export.export_model`; on the same four standard-normal inputs
the largest relative difference to the Keras model (max |exported - Keras| /
max |Keras|) is reported per format, with the file sizes, the conversion
seconds and the latency per image (batch 1, median, two threads) of ONNX
Runtime, the LiteRT interpreter and the Keras model itself (its call traced
by `tf.function`, TensorFlow at two intra-op threads), all in the same
process, timed in turn one call each per round, so that they share whatever
else the machine is doing. A format that refuses the model says so in one line, counted.

`int8`: the MNIST programs trained on the embedded digits (and on MNIST's
IDX files with `--mnist-dir`), and `cifar10_cnn` on CIFAR-10 files written
here (ten class templates plus noise, in the binary format), each for its
book length on its data unless `--steps` says otherwise. Each run's model is
exported to LiteRT as float32, float16, dynamic and int8 (300 training
examples drawn at random as the representative data), and ONNX; each file's
test accuracy, size and latency per image are printed beside the float Keras
model's.
"""

import argparse
import dataclasses
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

THREADS = 2


def setup_threads():
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(THREADS)
    tf.config.threading.set_inter_op_parallelism_threads(1)


def keras_call(model, example):
    """One call of the Keras model on `example`, its call traced once by `tf.function` (the form a SavedModel serves)."""
    import tensorflow as tf

    from kclassics.layers import without_xla

    with without_xla():
        call = tf.function(lambda x: model(x, training=False))
        x = tf.constant(example)
        call(x)
    return lambda: call(x).numpy()


def timed(calls):
    """Milliseconds per image of each call, timed in turn (interleaved), medians over at least 20 rounds and 3 s."""
    from kclassics.export import latencies

    return {name: 1000 * seconds for name, seconds in latencies(calls, repeats=20, warmup=3, min_seconds=3.0).items()}


def zoo_row(name, out, side=None):
    import keras

    from kclassics import apps
    from kclassics.export import ExportMismatchError, UnsupportedError, export_model, load_exported

    card = apps.model_info(name)
    keras.utils.set_random_seed(0)
    kwargs = {"classifier_activation": None} if card.task == "image_classification" else {}
    shape = tuple(card.input_shape)
    if side is not None and len(shape) == 3:  # an image model at another input size (`--input-size`)
        shape = (side, side, shape[2])
        kwargs["input_shape"] = shape
    model = apps.create_model(name, **kwargs)
    for weight in model.weights:
        if "kernel" in weight.path and not np.any(keras.ops.convert_to_numpy(weight)):
            weight.assign(np.random.default_rng(2).normal(0, 0.05, weight.shape))
    x = np.random.default_rng(1).standard_normal((4, *shape)).astype("float32")
    row = {"model": name, "input": "x".join(map(str, shape)), "params": model.count_params()}
    calls = {"keras": keras_call(model, x[:1])}
    for fmt, suffix in (("onnx", ".onnx"), ("litert", ".tflite")):
        start = time.perf_counter()
        try:
            result = export_model(model, out / f"{name}{suffix}", format=fmt, task=card.task, check_inputs=x)
        except (UnsupportedError, ExportMismatchError) as error:  # a refusal, or answers beyond the tolerance: counted
            row[fmt] = {"refused": str(error)}
            continue
        exported = load_exported(result.path, threads=THREADS)
        calls[fmt] = lambda exported=exported: exported(images=x[:1])
        row[fmt] = {"relative": result.difference.relative, "absolute": result.difference.absolute,
                    "integers_equal": not any(result.difference.integer_mismatches.values()),
                    "bytes": result.bytes, "convert_s": time.perf_counter() - start, "lowered": list(result.lowered)}
    for runtime, ms in timed(calls).items():
        if runtime == "keras":
            row["keras_ms"] = ms
        else:
            row[runtime]["ms"] = ms
    for path in out.iterdir():
        path.unlink()
    return row


def size(count):
    return f"{count / 2**20:.1f} MB" if count >= 2**20 else f"{count / 2**10:.0f} KB"


def print_zoo_row(row):
    cells = [row["model"], row["input"]]
    for fmt in ("onnx", "litert"):
        entry = row[fmt]
        cells.append("refused" if "refused" in entry else f"{entry['relative']:.1e}")
    for fmt in ("onnx", "litert"):
        entry = row[fmt]
        cells.append("-" if "refused" in entry else size(entry["bytes"]))
    cells.append(f"{row['keras_ms']:.3g}")
    for fmt in ("onnx", "litert"):
        entry = row[fmt]
        cells.append("-" if "refused" in entry else f"{entry['ms']:.3g}")
    print("| " + " | ".join(cells) + " |", flush=True)
    for fmt in ("onnx", "litert"):
        if "refused" in row[fmt]:
            print(f"  {fmt}: {row[fmt]['refused']}", flush=True)


def zoo_row_in_a_child(name, side=None):
    """`zoo_row(name)` in a process of its own: a full-size conversion holds several copies of the weights
    (the graph's constants, the ONNX protobuf, each runtime's), which one process would pile up model after model."""
    with tempfile.TemporaryDirectory() as out:
        size = [] if side is None else ["--input-size", str(side)]
        done = subprocess.run([sys.executable, __file__, "zoo-row", name, str(Path(out) / "row.json"), *size], text=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if done.returncode:
            raise RuntimeError(f"{name}: the child process ended with status {done.returncode}:\n{done.stderr[-3000:]}")
        return json.loads((Path(out) / "row.json").read_text())


def run_zoo(args):
    from kclassics import apps

    names = args.models or apps.list_models()
    print("| model | input | ONNX rel. diff | LiteRT rel. diff | ONNX size | LiteRT size | Keras ms | ONNX Runtime ms | LiteRT ms |")
    print("|---|---|---|---|---|---|---|---|---|", flush=True)
    rows = []
    for name in names:
        rows.append(zoo_row_in_a_child(name, args.input_size))
        print_zoo_row(rows[-1])
    refused = sum("refused" in row[fmt] for row in rows for fmt in ("onnx", "litert"))
    worst = max((row[fmt]["relative"] for row in rows for fmt in ("onnx", "litert") if "refused" not in row[fmt]), default=0)
    print(f"{len(rows)} models, {2 * len(rows) - refused} exports within {worst:.1e} relative, {refused} refused")
    return rows


# -- int8 ------------------------------------------------------------------------------------------------------------

MNIST_PROGRAMS = ("softmax_regression", "mlp", "mnist_cnn", "birnn_mnist", "tensorboard_mnist")


def write_cifar10(root, train_per_file=2000, test=2000, noise=90, seed=0):
    """CIFAR-10 binary files of ten fixed random templates plus Gaussian noise (sd `noise`): learnable, not trivial."""
    rng = np.random.default_rng(seed)
    templates = rng.integers(0, 256, size=(10, 32, 32, 3))
    folder = Path(root) / "cifar-10-batches-bin"
    folder.mkdir(parents=True)
    for name, count in [*((f"data_batch_{i}.bin", train_per_file) for i in range(1, 6)), ("test_batch.bin", test)]:
        labels = rng.integers(0, 10, size=count)
        images = np.clip(templates[labels] + rng.normal(0, noise, size=(count, 32, 32, 3)), 0, 255).astype(np.uint8)
        records = np.concatenate([labels[:, None], images.transpose(0, 3, 1, 2).reshape(count, -1)], axis=1)
        records.astype(np.uint8).tofile(folder / name)
    return Path(root)


def int8_rows(name, data_dir, data_name, steps, out):
    from kclassics import programs
    from kclassics.export import export_model, load_exported, predict, task_outputs
    from kclassics.export.convert import CALIBRATION_EXAMPLES
    from kclassics.runs import RunDir

    program = programs.get(name)
    config = program.config if steps is None else program.length.set(program.config, steps)
    run_dir = out / f"{name}-{data_name}"
    start = time.perf_counter()
    program.run(config, out=run_dir, data_dir=data_dir, verbose=0)
    train_seconds = time.perf_counter() - start
    run = RunDir(run_dir)
    model, task, options = run.model(), run.task, dict(run.export_options)
    options.pop("preprocess", None)  # the encoded-image signature (predict_images) is the SavedModel's alone
    config = run.config_for(program)
    train_x, _ = program.model_inputs(config, data_dir, "train")
    test_x, test_y = program.model_inputs(config, data_dir, "test")
    representative = train_x[np.random.default_rng(0).permutation(len(train_x))[:CALIBRATION_EXAMPLES]]
    input_name = options.get("input_name", "images")
    keras_classes = predict(lambda **x: task_outputs(model, x, task, **options), {input_name: test_x})["classes"]
    base = {"program": name, "data": data_name, "steps": run.step, "train_s": train_seconds, "test_examples": len(test_y),
            "keras_accuracy": float(np.mean(keras_classes == test_y))}
    rows, calls = [], {"keras": keras_call(model, test_x[:1])}
    for fmt, quantize, suffix in (("onnx", "none", ".onnx"), ("litert", "none", ".tflite"), ("litert", "float16", ".tflite"),
                                  ("litert", "dynamic", ".tflite"), ("litert", "int8", ".tflite")):
        path = run_dir / f"model-{quantize}{suffix}"
        result = export_model(model, path, format=fmt, quantize=quantize, task=task,
                              representative_data=representative if quantize == "int8" else None,
                              check_inputs=test_x[:100], **options)
        exported = load_exported(path, threads=THREADS)
        classes = predict(exported, {input_name: test_x})["classes"]
        calls[f"{fmt} {quantize}"] = lambda exported=exported: exported(**{input_name: test_x[:1]})
        rows.append({**base, "format": fmt, "quantize": quantize, "bytes": result.bytes,
                     "accuracy": float(np.mean(classes == test_y)), "relative": result.difference.relative})
    ms = timed(calls)
    for row in rows:
        row["keras_ms"], row["ms"] = ms["keras"], ms[f"{row['format']} {row['quantize']}"]
    return rows


def print_int8_rows(rows):
    float_bytes = next(r["bytes"] for r in rows if r["format"] == "litert" and r["quantize"] == "none")
    for row in rows:
        print(f"| {row['program']} | {row['data']} ({row['steps']} steps) | {row['format']} {row['quantize']} | "
              f"{row['keras_accuracy']:.4f} | {row['accuracy']:.4f} | {100 * (row['accuracy'] - row['keras_accuracy']):+.2f} | "
              f"{size(row['bytes'])} ({row['bytes'] / float_bytes:.2f}x) | {row['keras_ms']:.3g} | {row['ms']:.3g} |",
              flush=True)


def run_int8(args):
    jobs = []
    for name in args.programs:
        if name in MNIST_PROGRAMS:
            jobs.append((name, None, "digits"))
            if args.mnist_dir:
                jobs.append((name, args.mnist_dir, "mnist"))
        else:
            jobs.append((name, "cifar", "written CIFAR-10"))
    print("| program | data | export | Keras accuracy | export accuracy | points | size (x float LiteRT) | Keras ms | export ms |")
    print("|---|---|---|---|---|---|---|---|---|", flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as out:
        out = Path(out)
        for name, data_dir, data_name in jobs:
            if data_dir == "cifar":
                data_dir = out / "cifar" if (out / "cifar").exists() else write_cifar10(out / "cifar")
            new = int8_rows(name, data_dir, data_name, args.steps.get(name), out)
            print_int8_rows(new)
            rows.extend(new)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="part", required=True)
    zoo = sub.add_parser("zoo", help="every registered model at full size in ONNX and LiteRT")
    zoo.add_argument("--models", nargs="+", help="registered names (default: all)")
    zoo.add_argument("--input-size", type=int, help="the image models' input height and width (default: each one's own)")
    int8 = sub.add_parser("int8", help="the programs' float and quantised LiteRT files: accuracy, size, latency")
    int8.add_argument("--programs", nargs="+", default=[*MNIST_PROGRAMS, "cifar10_cnn"])
    int8.add_argument("--mnist-dir", help="MNIST's four IDX files: the MNIST programs are also trained and measured on them")
    int8.add_argument("--steps", nargs="*", default=[], metavar="PROGRAM=STEPS",
                      help="train a program for STEPS steps instead of its book length, e.g. mnist_cnn=5000")
    for sub_parser in (zoo, int8):
        sub_parser.add_argument("--json", help="write the rows to this file (never overwritten)")
    row = sub.add_parser("zoo-row", help=argparse.SUPPRESS)  # one model's row, for `zoo`'s child processes
    row.add_argument("model")
    row.add_argument("json")
    row.add_argument("--input-size", type=int)
    args = parser.parse_args()
    if args.part == "zoo-row":
        setup_threads()
        with tempfile.TemporaryDirectory() as out:
            Path(args.json).write_text(json.dumps(zoo_row(args.model, Path(out), args.input_size)))
        return
    if args.json and Path(args.json).exists():
        parser.error(f"--json {args.json} exists")
    if args.part == "int8":
        args.steps = {k: int(v) for k, v in (item.split("=") for item in args.steps)}
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    setup_threads()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; {THREADS} threads per runtime", flush=True)
    rows = run_zoo(args) if args.part == "zoo" else run_int8(args)
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()

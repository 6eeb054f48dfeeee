"""The book's timing harness (chapter 6, `time_tensorflow_run`) for Keras 3 models, on any backend.

The book times each network on one random batch of 32: 10 burn-in steps, then
100 timed batches, printing `step %d, duration = %.3f` every 10 and finally
`<time>: Forward across 100 steps, 0.145 +/- 0.000 sec / batch`. Here the same
loop also gives images per second, the achieved GFLOP/s (from the model's
multiply-adds, see `kclassics.profiler`) and the fraction of this machine's
matrix-multiply peak, measured at start-up; and it can time a second model
(the keras.applications twin) interleaved step by step, so that both see the
same machine load and the ratio of each step pair is fair. It runs on the
TensorFlow, JAX and PyTorch backends (the op profile on TensorFlow only).

Library code does not print: progress lines go to the `log` callback.
"""

import dataclasses
import datetime
import functools
import glob
import json
import os
import platform
import re
import statistics
import time
from typing import Callable, Optional

import numpy as np

from kclassics import validation

BOOK_WARMUP_STEPS = 10  # `num_steps_burn_in = 10` (book 6.1, L2264)
BOOK_TIMED_STEPS = 100  # `num_batches = 100` (book 6.1, L2126)
BOOK_BATCH_SIZE = 32  # `batch_size = 32` (book 6.1, L2125)
REPORT_EVERY = 10  # `if not i % 10` (L2628)

MODES = ("forward", "forward-backward", "train")
MODE_TITLES = {"forward": "Forward", "forward-backward": "Forward-backward", "train": "Train"}
# Model FLOPs per example in multiples of the forward multiply-adds: one
# multiply-add is 2 FLOPs and the backward pass costs two forward passes
# (gradients with respect to the inputs and to the weights).
PASSES = {"forward": 1, "forward-backward": 3, "train": 3}
TRAIN_LEARNING_RATE = 0.01
# "wall": elapsed time, as the book measures. "cpu": CPU seconds of this
# process (all its threads), which other programs on a shared machine hardly
# disturb; on an idle machine with N busy threads it is about N x wall.
CLOCKS = {"wall": "perf_counter", "cpu": "process_time"}


@dataclasses.dataclass
class StepTimes:
    """Durations of the timed steps of one model, in seconds."""

    durations: list

    @property
    def mean(self):
        return statistics.fmean(self.durations)

    @property
    def sd(self):
        # The book's population standard deviation, sqrt(E[t^2] - E[t]^2) (L2634),
        # computed without its cancellation error.
        return statistics.pstdev(self.durations)

    @property
    def median(self):
        return statistics.median(self.durations)


def check_run_arguments(mode, batch_size, steps, warmup):
    """Rejects bad harness arguments before any model is built."""
    validation.one_of("mode", mode, MODES)
    validation.positive_int("batch_size", batch_size)
    validation.positive_int("steps", steps)
    validation.non_negative_int("warmup", warmup)


def make_step(model, mode, batch_size, input_shape=None, jit_compile=None, seed=0):
    """A function that runs one benchmark step of `model` on a fixed random batch, on any Keras backend.

    Args:
        model: a built `keras.Model` with one image input.
        mode: `"forward"` (inference outputs), `"forward-backward"` (the book's
            gradients of `l2_loss(outputs)` with respect to every trainable
            weight, no update) or `"train"` (one SGD step through the model's
            own `compile`/`train_on_batch` path, as `fit` runs it, on random
            labels, or on the batch itself for a model whose output has the
            input's shape, such as the autoencoder).
        batch_size: images per step.
        input_shape: shape of one image; default the model's input shape.
        jit_compile: XLA-compile the step (`tf.function(jit_compile=...)` on
            TensorFlow, `jax.jit` on JAX; on PyTorch the train step follows
            Keras's `jit_compile`, the other modes run eagerly); `None` uses the
            model's own default (`model.jit_compile`, Keras's "auto" resolution).
        seed: seed of the random batch.

    Returns:
        `(step, jit_compile)`: `step()` runs one step and returns when its
        results are computed (in `"train"` mode a `functools.partial` of
        `train_on_batch`, whose `args` are the batch); `jit_compile` is the
        setting used.
    """
    import keras

    validation.one_of("mode", mode, MODES)
    shape = tuple(input_shape) if input_shape is not None else tuple(model.inputs[0].shape[1:])
    rng = np.random.default_rng(seed)
    # The book feeds `tf.random_uniform((batch_size, height, width, 3))` (L3293).
    images = keras.ops.convert_to_tensor(rng.uniform(size=(batch_size, *shape)).astype("float32"))
    if jit_compile is None:
        jit_compile = bool(model.jit_compile)

    if mode != "train":
        backend = keras.backend.backend()
        steps = {"tensorflow": _tensorflow_step, "jax": _jax_step, "torch": _torch_step}
        if backend not in steps:
            raise ValueError(
                f"`mode={mode!r}` is timed on the backends {tuple(steps)}. Received: KERAS_BACKEND={backend!r}"
            )
        step = steps[backend](model, mode, jit_compile)
        return (lambda: wait_for(step(images))), jit_compile and backend != "torch"

    output_shape = _first_output_shape(model, images)
    if output_shape == shape:  # a model that reconstructs its input (the autoencoder) learns to reproduce it
        targets = images
    else:
        targets = keras.ops.convert_to_tensor(rng.integers(0, output_shape[-1], size=(batch_size,)).astype("int32"))
    model.compile(
        optimizer=keras.optimizers.SGD(TRAIN_LEARNING_RATE),
        loss=keras.losses.SparseCategoricalCrossentropy(),
        jit_compile=jit_compile,
    )
    # `train_on_batch` converts the loss to a Python float, so it has finished; `step.args` is the batch.
    return functools.partial(model.train_on_batch, images, targets), bool(model.jit_compile)


def train_step_memory(model, x, y):
    """The device memory of a compiled `model`'s training step on the batch `(x, y)`, from XLA's memory analysis (JAX backend).

    The step is the one `fit` and `train_on_batch` compile, `jax.jit(model.train_step,
    donate_argnums=0)`, compiled here without being run, so a batch too large for
    the device is measured too, and JAX's persistent compilation cache, where it is
    on, then serves `train_on_batch` the same executable.

    Returns:
        Bytes: `arguments` (weights, optimizer and metric state, the batch),
        `outputs`, `aliased` (outputs written over donated arguments),
        `temporaries`, and `total = arguments + outputs - aliased + temporaries`,
        the most the step holds at once. None on other backends.
    """
    import keras

    if keras.backend.backend() != "jax":
        return None
    import jax

    from kclassics._keras import build_for_training

    data = (x, y, None)
    build_for_training(model, data)
    state = tuple([v.value for v in variables] for variables in (
        model.trainable_variables, model.non_trainable_variables, model.optimizer.variables, model.metrics_variables))
    analysis = jax.jit(model.train_step, donate_argnums=0).lower(state, data).compile().memory_analysis()
    found = {"arguments": analysis.argument_size_in_bytes, "outputs": analysis.output_size_in_bytes,
             "aliased": analysis.alias_size_in_bytes, "temporaries": analysis.temp_size_in_bytes}
    found["total"] = found["arguments"] + found["outputs"] - found["aliased"] + found["temporaries"]
    return found


def _l2_loss(outputs):
    """The book's `tf.nn.l2_loss(pool5)` (L2320), `sum(y**2) / 2` in float32, summed over the outputs."""
    import keras

    return sum(
        keras.ops.sum(keras.ops.square(keras.ops.cast(y, "float32"))) / 2 for y in keras.tree.flatten(outputs)
    )


def _tensorflow_step(model, mode, jit_compile):
    import tensorflow as tf

    if mode == "forward":
        return tf.function(lambda x: model(x, training=False), jit_compile=jit_compile)
    weights = model.trainable_variables

    @tf.function(jit_compile=jit_compile)
    def forward_backward(x):
        with tf.GradientTape() as tape:
            objective = _l2_loss(model(x, training=True))
        return tape.gradient(objective, weights)

    return forward_backward


def _jax_step(model, mode, jit_compile):
    """The step as a pure function of the model's variables (`stateless_call`), `jax.jit`-compiled."""
    import jax

    trainable = [v.value for v in model.trainable_variables]
    non_trainable = [v.value for v in model.non_trainable_variables]

    def forward(trainable, non_trainable, x, training):
        return model.stateless_call(trainable, non_trainable, x, training=training)[0]

    if mode == "forward":
        function = lambda trainable, non_trainable, x: forward(trainable, non_trainable, x, False)  # noqa: E731
    else:
        function = jax.grad(lambda trainable, non_trainable, x: _l2_loss(forward(trainable, non_trainable, x, True)))
    if jit_compile:
        function = jax.jit(function)
    return lambda x: function(trainable, non_trainable, x)


def _torch_step(model, mode, jit_compile):
    """The step in eager PyTorch: inference under `no_grad`, or autograd's gradients."""
    import torch

    if mode == "forward":

        def forward(x):
            with torch.no_grad():
                return model(x, training=False)

        return forward
    weights = [v.value for v in model.trainable_variables]
    return lambda x: torch.autograd.grad(_l2_loss(model(x, training=True)), weights)


def _first_output_shape(model, images):
    """The shape of one example of the model's (first) output; a subclassed model is called on one image to learn it."""
    try:
        output = model.outputs[0]
    except AttributeError:  # a subclassed model has no symbolic outputs
        output = model(images[:1])
        output = output[0] if isinstance(output, (list, tuple)) else output
    return tuple(output.shape[1:])


def without_weight_penalties(model):
    """Drops `model`'s weight regularizers (the book's L2 weight decay) and returns it.

    keras.applications models have none, so with `--compare keras` both train
    steps minimise the same loss: cross entropy alone.
    """
    for variable in model.weights:
        if getattr(variable, "regularizer", None) is not None:
            variable.regularizer = None
    return model


def wait_for(outputs):
    """Returns `outputs` once they are computed (a GPU call returns before its kernels finish)."""
    from kclassics import _backend

    return _backend.block_until_ready(outputs)


def time_steps(step, steps, warmup, on_step=None, clock="wall"):
    """The book's loop: `warmup` untimed steps, then `steps` timed ones.

    Args:
        step: a function that runs one step.
        steps: timed steps (the book's `num_batches`).
        warmup: burn-in steps, not timed.
        on_step: called as `on_step(index, duration)` every 10 timed steps.
        clock: `"wall"` or `"cpu"` (see `CLOCKS`).

    Returns:
        `StepTimes` of the timed steps.
    """
    now = _clock(clock)
    durations = []
    for i in range(warmup + steps):
        start = now()
        step()
        duration = now() - start
        if i >= warmup:
            durations.append(duration)
            if on_step is not None and not (i - warmup) % REPORT_EVERY:
                on_step(i - warmup, duration)
    return StepTimes(durations)


def time_paired(step, other_step, steps, warmup, on_step=None, clock="wall"):
    """Times two steps interleaved, alternating which one goes first.

    Both see the same machine load, so the ratio of each pair is fair even on
    a shared machine; alternating the order cancels any advantage of going
    first (warm caches) or second.

    Returns:
        `(StepTimes, StepTimes)` of `step` and `other_step`.
    """
    now = _clock(clock)
    durations, other_durations = [], []
    for i in range(warmup + steps):
        first, second = (step, other_step) if i % 2 == 0 else (other_step, step)
        start = now()
        first()
        middle = now()
        second()
        end = now()
        duration, other = (middle - start, end - middle) if i % 2 == 0 else (end - middle, middle - start)
        if i >= warmup:
            durations.append(duration)
            other_durations.append(other)
            if on_step is not None and not (i - warmup) % REPORT_EVERY:
                on_step(i - warmup, duration, other)
    return StepTimes(durations), StepTimes(other_durations)


def _clock(name):
    validation.one_of("clock", name, tuple(CLOCKS))
    # Looked up at call time so tests can substitute a fake clock.
    return lambda: getattr(time, CLOCKS[name])()


def pair_ratios(times, other_times):
    """Speed of `times` over `other_times`, one ratio per step pair (> 1: the first is faster)."""
    return [other / own for own, other in zip(times.durations, other_times.durations)]


def measure_matmul_peak(size=2048, repeats=5, dtype="float32", clock="wall"):
    """This machine's matrix-multiply throughput in GFLOP/s: the best of `repeats` timed products.

    Args:
        size: the matrices are `size x size`.
        repeats: timed products; the fastest counts (the peak, not the mean).
        dtype: `"float32"`, or the compute dtype of a mixed-precision policy.
        clock: `"wall"` or `"cpu"`; with `"cpu"` the peak is FLOPs per CPU
            second, to compare with steps timed in CPU seconds.

    Returns:
        GFLOP/s, counting `2 * size**3` FLOPs per product.
    """
    import keras

    rng = np.random.default_rng(0)
    a, b = (keras.ops.cast(rng.standard_normal((size, size)).astype("float32"), dtype) for _ in range(2))

    def product():
        return keras.ops.convert_to_numpy(keras.ops.sum(keras.ops.cast(keras.ops.matmul(a, b), "float32")))

    product()
    best = min(time_steps(product, repeats, 0, clock=clock).durations)
    return 2 * size**3 / best / 1e9


def book_line(title, steps, times, when=None):
    """`<time>: Forward across 100 steps, 0.145 +/- 0.000 sec / batch` (L2636)."""
    when = when or datetime.datetime.now()
    return f"{when}: {title} across {steps} steps, {times.mean:.3f} +/- {times.sd:.3f} sec / batch"


def step_line(index, duration, when=None):
    """`<time>: step 10, duration = 0.145` (L2629)."""
    return f"{when or datetime.datetime.now()}: step {index}, duration = {duration:.3f}"


def machine():
    """What the figures were measured on: the host, the Keras backend, its devices and versions."""
    from kclassics import _backend

    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "devices": _backend.devices(),
        **_backend.versions(),
    }


_OP_EVENT = re.compile(r"^[^\s:]+:(?P<type>[A-Za-z0-9_]+)$")  # "scope/name:OpType", as the executor names them
_CALL_OPS = {"PartitionedCall", "StatefulPartitionedCall"}  # their time is their callees'
_XLA_EVENT = "CpuExecutable::ExecuteAsyncOnStream"  # one run of an XLA-compiled function on the CPU


PROFILE_BY = ("type", "layer")
OUTSIDE_LAYERS = "(outside the model's layers)"  # input handling, loss, optimizer update
XLA_FUNCTIONS = "(XLA-compiled functions)"  # their events carry no layer name


def op_seconds(step, steps=3, layers_of=None):
    """Seconds per step spent in each TensorFlow op type (or layer) while `step` runs, largest first.

    Runs `step` `steps` times under the TensorFlow profiler and sums the
    executor's op events by op type, the way the book's tfprof reported op
    time (11.3); the runs of XLA-compiled functions count as type `"XLA"`.
    With `layers_of` (a `keras.Model`), the events are summed by the model's
    top-level layer they belong to instead, the backward pass of a layer
    counted with it, like tfprof's time per graph node.
    Ops on different threads overlap, so the total can exceed the elapsed
    time; the shares say where the step's work goes.
    """
    import shutil
    import tempfile

    from kclassics import _backend

    _backend.require_tensorflow("The op profile of `kclassics bench --profile-ops`")
    import tensorflow as tf
    from tensorflow.tsl.profiler.protobuf import xplane_pb2

    validation.positive_int("steps", steps)
    label = _op_type if layers_of is None else _layer_labeller(layers_of)
    step()  # traced and warm before the profiler starts
    logdir = tempfile.mkdtemp(prefix="kclassics-ops-")
    try:
        tf.profiler.experimental.start(logdir)
        try:
            for _ in range(steps):
                wait_for(step())
        finally:
            tf.profiler.experimental.stop()
        totals = {}
        for path in glob.glob(os.path.join(logdir, "**", "*.xplane.pb"), recursive=True):
            space = xplane_pb2.XSpace()
            with open(path, "rb") as stream:
                space.ParseFromString(stream.read())
            for plane in space.planes:
                names = {key: meta.name for key, meta in plane.event_metadata.items()}
                for line in plane.lines:
                    for event in line.events:
                        key = label(names.get(event.metadata_id, ""))
                        if key:
                            totals[key] = totals.get(key, 0.0) + event.duration_ps * 1e-12
    finally:
        shutil.rmtree(logdir, ignore_errors=True)
    return dict(sorted(((k, v / steps) for k, v in totals.items()), key=lambda item: -item[1]))


def _op_type(event_name):
    """The op type of a profiler event ("scope/name:OpType"), "XLA" for a compiled function's run, else None."""
    if event_name == _XLA_EVENT:
        return "XLA"
    match = _OP_EVENT.match(event_name)
    return match["type"] if match and match["type"] not in _CALL_OPS else None


def _layer_labeller(model):
    """A function from a profiler event name to the top-level layer of `model` its op belongs to."""
    model_scope = re.compile(re.escape(model.name) + r"(_\d+)?")
    layer_names = {layer.name for layer in model.layers}

    def layer_of(event_name):
        if event_name == _XLA_EVENT:
            return XLA_FUNCTIONS
        if _op_type(event_name) is None:
            return None
        scopes = event_name.rsplit(":", 1)[0].split("/")
        for i, scope in enumerate(scopes[:-1]):
            if model_scope.fullmatch(scope):
                # Keras's name scopes add "_1" when a layer is traced again.
                for name in (scopes[i + 1], re.sub(r"_\d+$", "", scopes[i + 1])):
                    if name in layer_names:
                        return name
        return OUTSIDE_LAYERS

    return layer_of


def op_table_lines(seconds_by_label, top=12, key="op type"):
    """A Markdown table of op time per step by op type (or `key`) for one or more models, the `top` rows by the first."""
    labels = list(seconds_by_label)
    totals = {label: sum(seconds_by_label[label].values()) or 1.0 for label in labels}
    first = seconds_by_label[labels[0]]
    types = list(first)[:top] + [t for label in labels[1:] for t in list(seconds_by_label[label])[:top] if t not in first]
    lines = [f"| {key} | " + " | ".join(f"{label} ms/step (share)" for label in labels) + " |",
             "|---|" + "---|" * len(labels)]
    for op_type in types:
        cells = []
        for label in labels:
            seconds = seconds_by_label[label].get(op_type, 0.0)
            cells.append(f"{1000 * seconds:.1f} ({100 * seconds / totals[label]:.1f}%)")
        lines.append(f"| {op_type} | " + " | ".join(cells) + " |")
    lines.append("| all ops | " + " | ".join(f"{1000 * totals[label]:.1f} (100%)" for label in labels) + " |")
    return lines


@dataclasses.dataclass
class BenchmarkResult:
    """The figures of one `benchmark` run (all durations in seconds)."""

    model: str
    mode: str
    batch_size: int
    input_shape: tuple
    steps: int
    warmup: int
    jit_compile: bool
    dtype_policy: str
    clock: str
    times: StepTimes
    multiply_adds: int
    peak_gflops: float
    compare: Optional[dict] = None
    op_seconds: Optional[dict] = None
    profile_by: str = "type"
    memory: Optional[dict] = None
    date: str = dataclasses.field(default_factory=lambda: datetime.datetime.now(datetime.timezone.utc).isoformat())
    machine: dict = dataclasses.field(default_factory=dict)

    @property
    def images_per_sec(self):
        return self.batch_size / self.times.mean

    @property
    def gflops(self):
        """Achieved model GFLOP/s: 2 FLOPs per multiply-add, x3 with the backward pass."""
        return 2 * PASSES[self.mode] * self.multiply_adds * self.images_per_sec / 1e9

    @property
    def fraction_of_peak(self):
        return self.gflops / self.peak_gflops

    def as_dict(self):
        return {
            "model": self.model,
            "mode": self.mode,
            "batch_size": self.batch_size,
            "input_shape": list(self.input_shape),
            "steps": self.steps,
            "warmup": self.warmup,
            "jit_compile": self.jit_compile,
            "dtype_policy": self.dtype_policy,
            "clock": self.clock,
            "durations": self.times.durations,
            "mean": self.times.mean,
            "sd": self.times.sd,
            "median": self.times.median,
            "images_per_sec": self.images_per_sec,
            "multiply_adds_per_image": self.multiply_adds,
            "gflops": self.gflops,
            "peak_gflops": self.peak_gflops,
            "fraction_of_peak": self.fraction_of_peak,
            "compare": self.compare,
            "op_seconds": self.op_seconds,
            "profile_by": self.profile_by,
            "memory": self.memory,
            "date": self.date,
            "machine": self.machine,
        }


def check_json_path(path):
    """Refuses to overwrite a file the user already has (checked before any timing)."""
    if path is None:
        return
    if os.path.exists(path):
        raise FileExistsError(f"`--json` file {path!r} already exists; it is never overwritten. Received: json={path!r}")
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise FileNotFoundError(f"The directory of the `--json` file does not exist: {parent!r}. Received: json={path!r}")


def write_json(result, path):
    """Writes the figures of `result` to a new file `path`."""
    check_json_path(path)
    with open(path, "x", encoding="utf-8") as stream:
        json.dump(result.as_dict(), stream, indent=2)
        stream.write("\n")


def benchmark(
    name,
    mode="forward",
    batch_size=BOOK_BATCH_SIZE,
    image_size=None,
    steps=BOOK_TIMED_STEPS,
    warmup=BOOK_WARMUP_STEPS,
    jit_compile=None,
    mixed_precision=False,
    compare=None,
    model_kwargs=None,
    peak_size=2048,
    peak_gflops=None,
    clock="wall",
    profile_ops=0,
    profile_by="type",
    memory=False,
    log: Optional[Callable[[str], None]] = None,
):
    """Times a registered kclassics model as the book's chapter 6 does.

    Args:
        name: registered model name (`kclassics.apps.list_models()`).
        mode: `"forward"`, `"forward-backward"` or `"train"` (see `make_step`).
        batch_size: images per step (the book's 32).
        image_size: height and width of the input; default the model's.
        steps: timed steps (the book's 100).
        warmup: burn-in steps (the book's 10).
        jit_compile: XLA for both models; `None` lets each model use its own
            default.
        mixed_precision: False, True (build the models under `mixed_float16`
            on a GPU, `mixed_bfloat16` on a CPU) or a policy name,
            `"mixed_bfloat16"` or `"mixed_float16"`, on any device.
        compare: `None` or `"keras"`: also time the keras.applications twin,
            with the kclassics model holding the twin's weights.
        model_kwargs: extra builder arguments (such as `lrn=False`).
        peak_size: matrix size of the start-up matmul peak measurement.
        peak_gflops: a peak already measured (in the compute dtype), to skip measuring.
        clock: `"wall"` (elapsed seconds, the book's) or `"cpu"` (CPU seconds
            of this process, steadier on a shared machine; the peak is then
            measured in CPU seconds too).
        profile_ops: after the timing, profile this many more steps of each
            model and report the op time per step by op type (`op_seconds`;
            TensorFlow backend only).
        profile_by: `"type"` (op types) or `"layer"` (each model's top-level
            layers, forward and backward together).
        memory: in `"train"` mode on the JAX backend, also record the device
            memory of each model's compiled step (`train_step_memory`), before
            the timing.
        log: receives each progress line (the CLI prints them).

    Returns:
        A `BenchmarkResult`.
    """
    from kclassics import apps, precision, profiler
    from kclassics._backend import name as machine_backend

    check_run_arguments(mode, batch_size, steps, warmup)
    validation.non_negative_int("profile_ops", profile_ops)
    validation.one_of("profile_by", profile_by, PROFILE_BY)
    if profile_ops:
        from kclassics import _backend

        _backend.require_tensorflow("The op profile of `kclassics bench --profile-ops`")
    _clock(clock)
    card = apps.model_info(name)
    validation.one_of("compare", compare, (None, "keras"))
    if compare == "keras":
        _check_twin(card)
    log = log or (lambda line: None)
    kwargs = dict(model_kwargs or {})
    if image_size is not None:
        if len(card.input_shape) != 3:
            raise ValueError(
                f"`image_size` needs an image model; {name!r} takes inputs of shape {card.input_shape}. "
                f"Received: image_size={image_size}"
            )
        kwargs["input_shape"] = (image_size, image_size, card.input_shape[-1])
    input_shape = tuple(kwargs.get("input_shape", card.input_shape))

    policy = precision.policy_name(mixed_precision)
    with precision.dtype_policy(policy) as dtype_policy:
        compute_dtype = dtype_policy.compute_dtype
        peak = peak_gflops
        if peak is None:
            peak = measure_matmul_peak(peak_size, dtype=compute_dtype, clock=clock)
            per = " per CPU second" if clock == "cpu" else ""
            log(f"matmul peak: {peak:.1f} GFLOP/s{per} ({peak_size}x{peak_size} {compute_dtype})")
        twin = None
        if compare == "keras" and card.keras_compatible == "option":
            # The configuration that computes the twin's function, so its weights fit.
            model = apps.create_model(name, keras_compatible=True, **kwargs)
        else:
            model = apps.create_model(name, **kwargs)
        multiply_adds = profiler.multiply_adds(model, input_shape)
        if compare == "keras":
            twin = apps.keras_twin(name, **kwargs)
            apps.transplant_weights(twin, model)
            without_weight_penalties(model)
        step, used_jit = make_step(model, mode, batch_size, input_shape, jit_compile)
        twin_step, twin_jit = make_step(twin, mode, batch_size, input_shape, jit_compile) if twin is not None else (None, None)
        step_memory = None
        if memory and mode == "train" and machine_backend() == "jax":
            steps_of = {"kclassics": (model, step), "keras": (twin, twin_step)}
            step_memory = {label: train_step_memory(m, *s.args) for label, (m, s) in steps_of.items() if m is not None}
        title = MODE_TITLES[mode]
        compared = None
        if twin is None:
            times = time_steps(step, steps, warmup, lambda i, d: log(step_line(i, d)), clock=clock)
        else:
            def paired_line(i, duration, other):
                log(f"{step_line(i, duration)} (keras: {other:.3f}, ratio {other / duration:.2f})")

            times, twin_times = time_paired(step, twin_step, steps, warmup, paired_line, clock=clock)
            compared = _comparison(card.keras_twin, twin_jit, times, twin_times)
        profiled = None
        if profile_ops:
            by_layer = profile_by == "layer"
            profiled = {"kclassics": op_seconds(step, profile_ops, layers_of=model if by_layer else None)}
            if twin is not None:
                profiled["keras"] = op_seconds(twin_step, profile_ops, layers_of=twin if by_layer else None)
        result = BenchmarkResult(
            model=name, mode=mode, batch_size=batch_size, input_shape=input_shape, steps=steps, warmup=warmup,
            jit_compile=used_jit, dtype_policy=policy, clock=clock, times=times, multiply_adds=multiply_adds, peak_gflops=peak,
            compare=compared, op_seconds=profiled, profile_by=profile_by, memory=step_memory, machine=machine(),
        )
    for line in summary_lines(result, title):
        log(line)
    return result


def _comparison(twin, twin_jit, times, twin_times):
    """The `compare` record of a result: the twin's times and the speed ratio of each step pair."""
    ratios = pair_ratios(times, twin_times)
    return {
        "against": "keras",
        "twin": twin,
        "jit_compile": twin_jit,
        "durations": twin_times.durations,
        "mean": twin_times.mean,
        "sd": twin_times.sd,
        "ratios": ratios,
        "ratio_median": statistics.median(ratios),
        "ratio_min": min(ratios),
        "ratio_max": max(ratios),
    }


def summary_lines(result, title=None):
    """The book's closing line and the throughput figures of a result."""
    from kclassics.profiler import format_count

    lines = [book_line(title or MODE_TITLES[result.mode], result.steps, result.times)]
    lines.append(
        f"{result.images_per_sec:.1f} images/sec, {result.gflops:.1f} GFLOP/s achieved "
        f"({format_count(result.multiply_adds)} multiply-adds per image), "
        f"{100 * result.fraction_of_peak:.1f}% of the {result.peak_gflops:.1f} GFLOP/s matmul peak "
        f"(jit_compile={result.jit_compile}, {result.dtype_policy}"
        + (", CPU seconds)" if result.clock == "cpu" else ")")
    )
    if result.compare:
        c = result.compare
        lines.append(
            f"keras.applications.{c['twin']}: {c['mean']:.3f} +/- {c['sd']:.3f} sec / batch "
            f"(jit_compile={c['jit_compile']})"
        )
        lines.append(
            f"speed ratio kclassics/keras per step pair: median {c['ratio_median']:.3f}, "
            f"min {c['ratio_min']:.3f}, max {c['ratio_max']:.3f} (> 1: kclassics faster)"
        )
    if result.op_seconds and result.profile_by == "layer":
        for label, seconds in result.op_seconds.items():  # the two models' layers have different names
            lines.append(f"op time per step by layer, {label} (TensorFlow profiler):")
            lines.extend(op_table_lines({label: seconds}, key="layer"))
    elif result.op_seconds:
        lines.append("op time per step by op type (TensorFlow profiler):")
        lines.extend(op_table_lines(result.op_seconds))
    return lines


def _check_twin(card):
    from kclassics import apps

    if not card.keras_twin:
        with_twin = [n for n in apps.list_models() if apps.model_info(n).keras_twin]
        raise ValueError(
            f"Model {card.name!r} has no keras.applications twin to compare with. "
            f"Received: compare='keras'; models with a twin: {', '.join(with_twin) or 'none registered'}."
        )

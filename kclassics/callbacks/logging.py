"""The book's default training log and step counter (book 10.5, L6969)."""

import time

import keras
import tensorflow as tf

from kclassics.callbacks._base import StepCallback, format_value, format_values, log


class _StepRate:
    """Global steps per second between two calls of `update`."""

    def __init__(self):
        self.step = None
        self.time = None

    def reset(self, step):
        self.step, self.time = step, time.perf_counter()

    def update(self, step):
        """Returns (steps since the last call, seconds since the last call) and restarts the clock."""
        now = time.perf_counter()
        steps, seconds = step - self.step, max(now - self.time, 1e-9)
        self.step, self.time = step, now
        return steps, seconds


class StepLogger(StepCallback):
    """Logs `Step N: loss = v, <metric> = v` and `global_step/sec: r`, like the book's default Monitor.

    Keras reports each metric as its running mean over the current epoch, so
    `loss` is that mean rather than the single batch's loss that TF.Learn printed
    (book 10.5, L6969: `Step 1: loss_1:0 = 2.34635`).

    Args:
        every_n_steps: log at every multiple of this global step (the book: 100).
        first_n_steps: also log each of the first global steps up to this one.
    """

    def __init__(self, every_n_steps=100, first_n_steps=1):
        super().__init__(every_n_steps, first_n_steps)
        self._rate = _StepRate()

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        self._rate.reset(self.trigger.last_step)

    def on_step(self, step, logs):
        steps, seconds = self._rate.update(step)
        log(f"global_step/sec: {format_value(steps / seconds)}")
        log(f"Step {step}: {format_values(logs)}")


class StepCounter(StepCallback):
    """Logs and records global steps per second and examples per second.

    Examples are counted by the model's loss tracker, which Keras weights by
    each batch's size, so a short last batch counts for what it holds. Rates
    are appended to `rates` as `(step, steps_per_sec, examples_per_sec)` and,
    with `log_dir`, written to TensorBoard as `global_step/sec` and `examples/sec`.

    Args:
        every_n_steps: measure over every this many global steps.
        log_dir: TensorBoard directory for the rates, or None.
    """

    def __init__(self, every_n_steps=100, log_dir=None):
        super().__init__(every_n_steps)
        self.log_dir = None if log_dir is None else str(log_dir)
        self.rates = []
        self._rate = _StepRate()
        self._writer = None
        self._examples = 0.0
        self._examples_at_epoch_begin = 0.0
        self._examples_at_last_step = 0.0

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        if getattr(self.model, "_loss_tracker", None) is None:
            raise ValueError("StepCounter needs a compiled model: call `model.compile(...)` before `fit`.")
        self._rate.reset(self.trigger.last_step)
        self._examples = self._examples_at_epoch_begin = self._examples_at_last_step = 0.0
        if self.log_dir is not None:
            self._writer = tf.summary.create_file_writer(self.log_dir)

    def on_epoch_begin(self, epoch, logs=None):
        # Keras resets its metrics (and the example count) at each epoch.
        self._examples_at_epoch_begin = self._examples

    def on_train_batch_end(self, batch, logs=None):
        count = keras.ops.convert_to_numpy(self.model._loss_tracker.count)
        self._examples = self._examples_at_epoch_begin + float(count)
        super().on_train_batch_end(batch, logs)

    def on_step(self, step, logs):
        steps, seconds = self._rate.update(step)
        examples, self._examples_at_last_step = self._examples - self._examples_at_last_step, self._examples
        steps_per_sec, examples_per_sec = steps / seconds, examples / seconds
        self.rates.append((step, steps_per_sec, examples_per_sec))
        log(f"global_step/sec: {format_value(steps_per_sec)}, examples/sec: {format_value(examples_per_sec)}")
        if self._writer is not None:
            with self._writer.as_default(step=step):
                tf.summary.scalar("global_step/sec", steps_per_sec)
                tf.summary.scalar("examples/sec", examples_per_sec)
            self._writer.flush()

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()
            self._writer = None

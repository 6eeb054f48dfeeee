"""What every step-driven callback shares: argument checks, the every-N trigger, output."""

import math

import keras
import numpy as np

from kclassics import validation
from kclassics.log import log  # noqa: F401  (the callbacks' logger)


def global_step(model):
    """The global training step: the optimizer's iteration count."""
    return int(keras.ops.convert_to_numpy(model.optimizer.iterations))


check_positive_int = validation.positive_int
check_non_negative_int = validation.non_negative_int


def format_value(value):
    """A number as the book's logs show it: 6 significant digits (`0.0608345`)."""
    value = np.asarray(value)
    if value.ndim == 0:
        return f"{float(value):.6g}"
    return np.array2string(value, precision=6, threshold=20, edgeitems=3)


def format_values(values):
    """`loss = v, name = v, ...` for a mapping of metric names to numbers, the loss first as in the book."""
    ordered = sorted(values, key=lambda name: name != "loss")
    return ", ".join(f"{name} = {format_value(values[name])}" for name in ordered)


class StepTrigger:
    """Decides at which global steps an every-N callback acts.

    A callback fires at global step `s` when `s <= first_n_steps` or `s` is a
    multiple of `every_n_steps`. Global steps, not batch indices, are used, so
    the schedule ignores epoch boundaries and survives a resumed run. When
    several steps run between two callback calls (`steps_per_execution > 1`),
    the callback fires if any of those steps qualifies.
    """

    def __init__(self, every_n_steps, first_n_steps=0):
        check_positive_int("every_n_steps", every_n_steps)
        check_non_negative_int("first_n_steps", first_n_steps)
        self.every_n_steps = int(every_n_steps)
        self.first_n_steps = int(first_n_steps)
        self.last_step = 0

    def start(self, step):
        """Starts watching from global step `step` (when training begins)."""
        self.last_step = step

    def advance(self, step):
        """Moves on to global step `step`; whether a step since the last call qualifies."""
        previous, self.last_step = self.last_step, step
        return self.fires(previous, step)

    def fires(self, previous_step, step):
        """Whether any global step in `(previous_step, step]` qualifies."""
        if step <= previous_step:
            return False
        if previous_step < self.first_n_steps:
            return True
        return step // self.every_n_steps > previous_step // self.every_n_steps

    def fires_at(self, step):
        """Whether the single global step `step` qualifies."""
        return self.fires(step - 1, step)


class StepCallback(keras.callbacks.Callback):
    """Base class of callbacks that act every N global steps.

    Subclasses implement `on_step(step, logs)`, called after the training step
    whose global step qualifies (see `StepTrigger`).

    Args:
        every_n_steps: act at every multiple of this global step.
        first_n_steps: also act at each of the first global steps up to this one.
    """

    def __init__(self, every_n_steps, first_n_steps=0):
        super().__init__()
        self.trigger = StepTrigger(every_n_steps, first_n_steps)
        self.every_n_steps = self.trigger.every_n_steps
        self.first_n_steps = self.trigger.first_n_steps

    def on_train_begin(self, logs=None):
        self.trigger.start(global_step(self.model))

    def on_train_batch_end(self, batch, logs=None):
        step = global_step(self.model)
        if self.trigger.advance(step):
            self.on_step(step, logs or {})

    def on_step(self, step, logs):
        """Acts at a qualifying global step; `logs` are the batch's metrics."""
        raise NotImplementedError


def patience_in_evaluations(rounds, every_n_steps):
    """Evaluations without improvement that span at least `rounds` steps."""
    return math.inf if rounds is None else max(1, math.ceil(rounds / every_n_steps))

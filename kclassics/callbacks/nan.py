"""NanLoss: stop, or fail, when the loss becomes NaN or infinite (book 10.5, same-era Monitors)."""

import math

import keras

from kclassics.callbacks._base import StepTrigger, global_step, log


class NanLossDuringTrainingError(RuntimeError):
    """Raised by `NanLoss` when the training loss is NaN or infinite."""


class NanLoss(keras.callbacks.TerminateOnNaN):
    """Checks the loss every N global steps; raises an error naming the step, or stops training.

    Extends Keras's `TerminateOnNaN` with the TF.Learn `NanLoss` monitor's
    options: a check interval in global steps, and failing (the default) rather
    than stopping. Keras reports the epoch's running mean loss, which turns
    NaN at the first NaN batch, so the step reported is the first bad one.

    Args:
        every_n_steps: check at every multiple of this global step.
        fail_on_nan_loss: raise `NanLossDuringTrainingError`; if False, log
            and stop training gracefully.
    """

    def __init__(self, every_n_steps=1, fail_on_nan_loss=True):
        super().__init__(raise_error=bool(fail_on_nan_loss))
        self.trigger = StepTrigger(every_n_steps)
        self.every_n_steps = self.trigger.every_n_steps
        self.fail_on_nan_loss = bool(fail_on_nan_loss)
        self.nan_step = None

    def on_train_begin(self, logs=None):
        self.nan_step = None
        self.trigger.start(global_step(self.model))

    def on_batch_end(self, batch, logs=None):
        step = global_step(self.model)
        loss = (logs or {}).get("loss")
        if not self.trigger.advance(step) or loss is None or math.isfinite(loss):
            return
        self.nan_step = step
        message = f"NaN or infinite loss during training at step {step}: loss = {loss}."
        if self.fail_on_nan_loss:
            raise NanLossDuringTrainingError(message)
        log(message + " Stopping training.")
        self.model.stop_training = True

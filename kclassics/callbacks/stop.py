"""Stop training at a global step."""

import keras

from kclassics.callbacks._base import check_non_negative_int, global_step


class StopAtStep(keras.callbacks.Callback):
    """Stops training after `num_steps` more steps, or when the global step reaches `last_step`.

    The global step is the optimizer's iteration count, so `last_step` holds
    across resumed runs, like the book's `StopAtStep` monitor (book 10.5).
    Keras checks `stop_training` only after a batch, so a `fit` that starts at
    or past `last_step` still runs one step.

    Args:
        num_steps: steps to run from the start of this `fit` call.
        last_step: global step at which to stop. Give exactly one of the two.
    """

    def __init__(self, num_steps=None, last_step=None):
        super().__init__()
        if (num_steps is None) == (last_step is None):
            raise ValueError(
                "Give exactly one of `num_steps` and `last_step`. "
                f"Received: num_steps={num_steps!r}, last_step={last_step!r}"
            )
        for arg, value in (("num_steps", num_steps), ("last_step", last_step)):
            if value is not None:
                check_non_negative_int(arg, value)
        self.num_steps = num_steps
        self.last_step = last_step
        self._stop_at = None

    def on_train_begin(self, logs=None):
        self._stop_at = self.last_step if self.last_step is not None else global_step(self.model) + self.num_steps
        if global_step(self.model) >= self._stop_at:
            self.model.stop_training = True

    def on_train_batch_end(self, batch, logs=None):
        if global_step(self.model) >= self._stop_at:
            self.model.stop_training = True

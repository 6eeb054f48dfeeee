"""A run's progress as people read it: one bar over the whole run on a terminal, whole lines in a log file.

Keras draws a bar per epoch, and a program whose "epoch" is a dozen steps of
the small embedded data draws dozens of them; written to a file, its bar
leaves carriage returns and escapes, and the next log line is glued to it.
`RunProgress` replaces it: on a terminal one bar over the run's global steps,
elsewhere one plain line at most `LINES` times a run (and at its end).
"""

import math
import sys

import keras

from kclassics import validation
from kclassics.callbacks._base import format_value, global_step
from kclassics.log import log

LINES = 20  # at most this many progress lines when the output is not a terminal


def is_terminal(stream=None):
    """Whether `stream` (default standard output) is an interactive terminal."""
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", None)) and stream.isatty()


def progress_mode(verbose):
    """`verbose` as this callback reads it: 0 (silent), 1 (a bar) or 2 (lines); "auto" picks 1 on a terminal, else 2."""
    if verbose == "auto":
        return 1 if is_terminal() and keras.config.is_interactive_logging_enabled() else 2
    validation.one_of("verbose", verbose, (0, 1, 2, "auto"))
    return verbose


class RunProgress(keras.callbacks.Callback):
    """The progress of a run of `total_steps` global steps: a bar (verbose 1) or plain lines (verbose 2).

    Args:
        total_steps: the global step the run ends at.
        verbose: 0, 1, 2 or "auto" (see `progress_mode`).
        unit: what a step is called in the lines.
    """

    def __init__(self, total_steps, verbose="auto", unit="step"):
        super().__init__()
        self.total_steps, self.unit = int(total_steps), unit
        self.mode = progress_mode(verbose)
        self._bar = None
        self._every = None
        self._epochs_seen = 0

    def on_train_begin(self, logs=None):
        if self.mode == 1:
            self._bar = keras.utils.Progbar(self.total_steps, verbose=1, unit_name=self.unit)
            self._bar.update(global_step(self.model))

    def on_train_batch_end(self, batch, logs=None):
        if self._bar is not None:
            self._bar.update(min(global_step(self.model), self.total_steps), _numbers(logs))

    def on_epoch_end(self, epoch, logs=None):
        if self.mode != 2:
            return
        step = global_step(self.model)
        if self._every is None:
            epochs = math.ceil(self.total_steps / max(self.params.get("steps") or 1, 1))
            self._every = max(1, math.ceil(epochs / LINES))
        self._epochs_seen += 1
        if self._epochs_seen % self._every == 0 or step >= self.total_steps:
            values = " - ".join(f"{name}: {format_value(value)}" for name, value in _numbers(logs))
            log(f"{self.unit} {step}/{self.total_steps}" + (f" - {values}" if values else ""))

    def on_train_end(self, logs=None):
        if self._bar is not None:
            self._bar.update(min(global_step(self.model), self.total_steps), finalize=True)


def _numbers(logs):
    return [(name, float(value)) for name, value in (logs or {}).items() if _is_number(value)]


def _is_number(value):
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True

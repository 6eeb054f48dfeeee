"""CheckpointSaver: step- or time-based checkpoints with rotation and resume (book 10.5, same-era Monitors)."""

import os
import re
import time
from pathlib import Path

import keras

from kclassics import validation
from kclassics.callbacks._base import StepTrigger, check_positive_int, global_step, log
from kclassics.files import STAGING, keep_newest, staged

_CHECKPOINT = re.compile(r"^ckpt-(\d+)\.weights\.h5$")


def list_checkpoints(directory):
    """The checkpoints in `directory` as a list of `(step, path)`, oldest first."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    found = [(int(m.group(1)), path) for path in directory.iterdir() if (m := _CHECKPOINT.match(path.name))]
    return sorted(found)


def restore_checkpoint(model, path):
    """Loads a checkpoint written by `CheckpointSaver` (weights and optimizer state) into `model`.

    Args:
        model: a built model, compiled with the optimizer the checkpoint was written with.
        path: a `ckpt-<step>.weights.h5` file.

    Returns:
        The restored global step.
    """
    if not model.built:
        raise ValueError("The model must be built (called on data or given an Input) before restoring a checkpoint.")
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None and not optimizer.built:
        optimizer.build(model.trainable_variables)
    model.load_weights(path)
    return global_step(model) if optimizer is not None else None


class CheckpointSaver(keras.callbacks.Callback):
    """Saves checkpoints every N global steps or every N seconds, keeps the newest few, and resumes.

    Each checkpoint is `directory/ckpt-<global step>.weights.h5`, written by
    Keras's `save_weights` (model and optimizer variables, so the global step
    resumes too) to a staging file that is renamed into place: a crash
    mid-write leaves the earlier checkpoints intact. A last checkpoint is
    written when training ends. Keras's `ModelCheckpoint` counts batches of
    the current `fit` and `BackupAndRestore` keeps a single backup; this
    callback counts global steps or seconds and keeps a rotation, like
    TF.Learn's `CheckpointSaver`.

    Resuming: with `restore=True` (default) the newest checkpoint is loaded
    when training begins; put this callback first in the list so the others
    see the restored step. `restore_latest(model)` does the same before `fit`.
    With `restore=False` a directory that already holds checkpoints is refused,
    so no checkpoint is overwritten.

    Args:
        directory: where the checkpoints go.
        save_steps: save at every multiple of this global step.
        save_secs: save when this many seconds have passed since the last save.
            Give exactly one of `save_steps` and `save_secs`.
        keep: number of newest checkpoints kept; older ones are deleted.
        restore: load the newest checkpoint when training begins.
    """

    def __init__(self, directory, save_steps=None, save_secs=None, keep=5, restore=True):
        super().__init__()
        if not isinstance(directory, (str, os.PathLike)) or not str(directory):
            raise ValueError(f"`directory` must be a directory path. Received: directory={directory!r}")
        if (save_steps is None) == (save_secs is None):
            raise ValueError(
                f"Give exactly one of `save_steps` and `save_secs`. Received: save_steps={save_steps!r}, save_secs={save_secs!r}"
            )
        if save_secs is not None:
            validation.positive_float("save_secs", save_secs)
        check_positive_int("save_steps", save_steps, allow_none=True)
        check_positive_int("keep", keep)
        self.directory = Path(directory)
        self.trigger = None if save_steps is None else StepTrigger(save_steps)
        self.save_steps = save_steps
        self.save_secs = save_secs
        self.keep = keep
        self.restore = restore
        self.saved = []
        self._last_save_time = None
        self._last_saved_step = None

    def checkpoints(self):
        """The checkpoints in `directory`, oldest first, as `(step, path)`."""
        return list_checkpoints(self.directory)

    def restore_latest(self, model=None):
        """Loads the newest checkpoint into `model` (default: the fitted model).

        Returns:
            The restored global step, or None when there is no checkpoint.
        """
        found = self.checkpoints()
        if not found:
            return None
        step, path = found[-1]
        restore_checkpoint(model if model is not None else self.model, path)
        log(f"Restored checkpoint {path} (step {step}).")
        return step

    def on_train_begin(self, logs=None):
        self.directory.mkdir(parents=True, exist_ok=True)
        for stale in self.directory.glob(STAGING + "*"):
            stale.unlink()  # left by a crash mid-write; never a complete checkpoint
        existing = self.checkpoints()
        if existing and self.restore:
            self.restore_latest(self.model)
        elif existing:
            raise FileExistsError(
                f"{self.directory} already holds checkpoints up to step {existing[-1][0]}; checkpoints are never "
                "overwritten. Pass restore=True to continue from them, or choose another directory."
            )
        if self.trigger is not None:
            self.trigger.start(global_step(self.model))
        self._last_saved_step = existing[-1][0] if existing and self.restore else None
        self._last_save_time = time.monotonic()

    def on_train_batch_end(self, batch, logs=None):
        step = global_step(self.model)
        if self.trigger is not None:
            due = self.trigger.advance(step)
        else:
            due = time.monotonic() - self._last_save_time >= self.save_secs
        if due:
            self.save(step)

    def on_train_end(self, logs=None):
        step = global_step(self.model)
        if step != self._last_saved_step:
            self.save(step)

    def save(self, step):
        """Writes `ckpt-<step>.weights.h5` atomically and deletes checkpoints beyond `keep`."""
        target = self.directory / f"ckpt-{step}.weights.h5"
        staged(target, self.model.save_weights, suffix=".weights.h5")
        self._last_saved_step, self._last_save_time = step, time.monotonic()
        self.saved.append((step, target))
        keep_newest([[path] for _, path in self.checkpoints()], self.keep)
        return target

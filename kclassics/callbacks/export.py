"""ExportMonitor: SavedModel exports for TF Serving during training, with rotation (book 10.5, same-era Monitors)."""

import os
import shutil
from pathlib import Path

from kclassics.callbacks._base import StepCallback, check_positive_int, global_step, log
from kclassics.export import export_saved_model, next_version


def list_versions(export_dir):
    """The integer version directories of `export_dir`, oldest first, as `(version, path)`."""
    export_dir = Path(export_dir)
    if not export_dir.is_dir():
        return []
    return sorted((int(p.name), p) for p in export_dir.iterdir() if p.name.isdigit() and p.is_dir())


class ExportMonitor(StepCallback):
    """Exports the model as a versioned SavedModel every N global steps and keeps the newest few.

    Exports go through `kclassics.export.export_saved_model` (atomic: staged
    and renamed into place; signature `images` -> `probabilities`, `classes`).
    The version is the global step, or the next free version when that is
    lower (a replayed step after a resume), so TF Serving always serves the
    newest. A final export is made when training ends. With `best_only_metric`
    only steps where that entry of the step's logs improves are exported; put
    a `ValidationMonitor` with the same `every_n_steps` before this callback and
    use e.g. `"val_loss"`. Versions beyond `exports_to_keep` (oldest first) are
    deleted from `export_dir`.

    Args:
        export_dir: the model's base directory; versions are its sub-directories.
        every_n_steps: export at every multiple of this global step.
        exports_to_keep: number of newest versions kept.
        best_only_metric: a log entry; export only when it improves. None exports every time.
        best_only_minimize: whether smaller values of `best_only_metric` are better.
        input_name: name of the signature's input.
        from_logits: whether the model outputs logits.
    """

    def __init__(
        self, export_dir, every_n_steps, exports_to_keep=5, best_only_metric=None, best_only_minimize=True,
        input_name="images", from_logits=False,
    ):
        super().__init__(every_n_steps)
        if not isinstance(export_dir, (str, os.PathLike)) or not str(export_dir):
            raise ValueError(f"`export_dir` must be a directory path. Received: export_dir={export_dir!r}")
        check_positive_int("exports_to_keep", exports_to_keep)
        if best_only_metric is not None and (not isinstance(best_only_metric, str) or not best_only_metric):
            raise ValueError(f"`best_only_metric` must be a log entry name or None. Received: best_only_metric={best_only_metric!r}")
        self.export_dir = Path(export_dir)
        self.exports_to_keep = exports_to_keep
        self.best_only_metric = best_only_metric
        self.best_only_minimize = best_only_minimize
        self.input_name = input_name
        self.from_logits = from_logits
        self.exports = []
        self.best_value = None
        self._last_exported_step = None

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        self.best_value = None
        self._last_exported_step = None

    def on_step(self, step, logs):
        if self.best_only_metric is not None:
            if self.best_only_metric not in logs:
                raise ValueError(
                    f"Unknown best_only_metric {self.best_only_metric!r}: the logs of step {step} hold "
                    f"{', '.join(logs)}. Received: best_only_metric={self.best_only_metric!r}"
                )
            value = float(logs[self.best_only_metric])
            better = self.best_value is None or (value < self.best_value if self.best_only_minimize else value > self.best_value)
            if not better:
                return
            self.best_value = value
        self.export(step)

    def on_train_end(self, logs=None):
        step = global_step(self.model)
        if self.best_only_metric is None and step != self._last_exported_step:
            self.export(step)

    def export(self, step):
        """Exports version `max(step, next free version)` and deletes versions beyond `exports_to_keep`."""
        version = max(step, next_version(self.export_dir))
        path = export_saved_model(
            self.model, self.export_dir, version=version, input_name=self.input_name, from_logits=self.from_logits
        )
        self._last_exported_step = step
        self.exports.append((step, path))
        log(f"Exported step {step} to {path}.")
        for _, old in list_versions(self.export_dir)[: -self.exports_to_keep]:
            doomed = old.with_name(f".deleting-{old.name}")
            os.rename(old, doomed)  # the version disappears at once; the files go after
            shutil.rmtree(doomed)
        return path

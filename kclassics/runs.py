"""The run scaffold every program stands on, whatever its loop.

    run = Run.open(out, "mnist_cnn", config, resume=resume)
    state = run.restore(model)                # {} for a new run
    for step in range(run.step, config.steps):
        ...                                   # one update
        run.record(step + 1, loss=loss)       # the curves
        if run.due(step + 1):
            run.checkpoint(step + 1, model)   # model, optimizer and any plain state
    return run.finish(model, {"test_accuracy": accuracy}, task="image_classification")

A run directory holds `config.json`, `checkpoints/`, `logs/` (TensorBoard),
`metrics.json`, `curves.png`, `model.keras` and `export/<version>/` (a
SavedModel). It is never overwritten: a non-empty directory is refused
unless the run is resumed, and a resumed run must keep its settings (only its
length may grow). A checkpoint is a step's model and optimizer weights
(`ckpt-<step>.weights.h5`, Keras's format), its arrays (`ckpt-<step>.npz`, for
a replay buffer) and its plain state (`ckpt-<step>.json`: the history so far,
the training time, a data position), each staged and renamed into place, the
JSON last: a checkpoint exists once its JSON does. So `kill -9` at any moment
loses at most the steps since the last checkpoint, and `--resume` continues
from there with the whole run's history.
"""

import dataclasses
import datetime
import json
import os
import re
import shutil
import time
from pathlib import Path

import numpy as np

from kclassics.files import keep_newest, read_json, staged, write_json
from kclassics.log import log

CHECKPOINT_SECONDS = 120  # a checkpoint at least this often, whatever the step schedule
KEEP_CHECKPOINTS = 3
_RUN_STATE = "run.json"
_STATE = re.compile(r"^ckpt-(\d+)\.json$")


@dataclasses.dataclass
class RunResult:
    """What every program returns: its metrics and run directory (plus the live model and this call's history).

    `metrics` is what `metrics.json` holds; its entries also read as
    attributes (`result.test_accuracy`). `history` is what this call trained
    (empty for a finished run that was resumed); `metrics["history"]` is the
    whole run's.
    """

    run_dir: Path
    metrics: dict
    model: object = None
    history: dict = dataclasses.field(default_factory=dict)
    export_path: Path = None

    def __getattr__(self, name):
        metrics = self.__dict__.get("metrics", {})
        if name in metrics:
            return metrics[name]
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}; its metrics are {', '.join(metrics)}")

    @property
    def steps(self):
        return self.metrics["steps"]

    @property
    def seconds(self):
        """Training seconds of the whole run, over all its resumes."""
        return self.metrics["train_seconds"]


def config_dict(config):
    """A config dataclass as JSON-ready data."""
    return json.loads(json.dumps(dataclasses.asdict(config), default=list))


def config_from_dict(template, values, source="config"):
    """`template` (a config dataclass) with the fields of `values`, as `config_dict` wrote them (lists back to tuples).

    A key that is not a field of the config is refused, naming it.
    """
    fields = {field.name: getattr(template, field.name) for field in dataclasses.fields(template)}
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise ValueError(f"{source} sets {', '.join(unknown)}, which {type(template).__name__} does not have; "
                         f"its fields are {', '.join(fields)}.")

    def restore(default, value):
        if isinstance(default, tuple) and isinstance(value, list):
            return tuple(tuple(item) if isinstance(item, list) else item for item in value)
        return value

    return dataclasses.replace(template, **{name: restore(fields[name], value) for name, value in values.items()})


class Run:
    """A program's run directory: configuration, checkpoints, history, metrics, model and export.

    Make one with `Run.open`. Attributes after `restore`: `step` (the global
    step reached), `restored_step` (the step this call started from: 0 for a
    new run), `history` (the whole run's recorded values).
    """

    def __init__(self, path, resumed, checkpoint_steps=None, checkpoint_seconds=CHECKPOINT_SECONDS):
        self.path = Path(path)
        self.resumed = resumed
        self.checkpoint_steps = checkpoint_steps
        self.checkpoint_seconds = checkpoint_seconds
        self.step = 0
        self.restored_step = 0
        self.history = {}
        self._train_seconds = 0.0
        self._segment_start = time.perf_counter()
        self._last_checkpoint = (0, time.monotonic())

    # -- opening -------------------------------------------------------------------------------

    @staticmethod
    def load(path):
        """The run directory at `path` for reading (a `RunDir`): its program, config, history, model, files and exports."""
        return RunDir(path)

    @classmethod
    def open(cls, out=None, name="run", config=None, resume=False, root="runs", **schedule):
        """Creates a run directory, or reopens one with `resume`.

        Args:
            out: the directory; default a new `root/<name>-<timestamp>`.
            name: the program (a `kclassics.programs.Program`, whose name is
                recorded in `run.json` and whose length fields are the
                settings a resume may change), or a plain name for a run of
                your own, which a resume must continue unchanged.
            config: the program's config dataclass, written to `config.json`.
            resume: continue the run in `out` from its last checkpoint (from
                step 0 when it was stopped before its first one).
            root: parent of default directories.
            **schedule: `checkpoint_steps` and `checkpoint_seconds` (see `due`).

        Raises:
            FileExistsError: `out` is not empty and `resume` is not set.
            FileNotFoundError: `resume` of a directory that holds no run.
            ValueError: `resume` with settings other than the run's length changed.
        """
        if resume and out is None:
            raise ValueError("Resuming needs the run directory to continue. Received: out=None")
        program, length = (name, None) if isinstance(name, str) else (name.name, name.length)
        length_fields = length.fields if length else ()
        path = _new_path(root, program) if out is None else Path(out).expanduser()
        if resume:
            check_resumable(path)
            if config is not None:
                _check_resumable(path, config, length_fields)
        else:
            check_new_run_dir(path)
            _create(path)
        run = cls(path, resume, **schedule)
        run._clean_staging()
        if config is not None:
            write_json(path / "config.json", config_dict(config))
        if not resume:
            write_json(path / _RUN_STATE, {"program": program})
        return run

    def _clean_staging(self):
        """Removes what a killed run left half-written: staged checkpoints and exports."""
        for directory in (self.checkpoint_dir, self.path / "export"):
            if directory.is_dir():
                for stale in directory.iterdir():
                    if stale.name.startswith("."):
                        shutil.rmtree(stale) if stale.is_dir() else stale.unlink()

    @property
    def checkpoint_dir(self):
        return self.path / "checkpoints"

    @property
    def log_dir(self):
        return self.path / "logs"

    # -- checkpoints ---------------------------------------------------------------------------

    def checkpoints(self):
        """The complete checkpoints as `(step, json path)`, oldest first."""
        if not self.checkpoint_dir.is_dir():
            return []
        return sorted((int(m.group(1)), p) for p in self.checkpoint_dir.iterdir() if (m := _STATE.match(p.name)))

    def restore(self, model=None):
        """Loads the newest checkpoint into `model` and returns its plain state ({} when there is none).

        Sets `step`, `history` and the training time so far. `model` must be
        built, and compiled with its optimizer when it has one.
        """
        found = self.checkpoints() if self.resumed else []
        if not found:
            return {}
        step, path = found[-1]
        saved = json.loads(path.read_text())
        weights = path.with_name(f"ckpt-{step}.weights.h5")
        if model is not None and weights.is_file():
            from kclassics.callbacks.checkpoint import restore_checkpoint

            restore_checkpoint(model, weights)
        arrays = path.with_name(f"ckpt-{step}.npz")
        state = dict(saved["state"])
        if arrays.is_file():
            with np.load(arrays) as loaded:
                state.update({key: loaded[key] for key in loaded.files})
        self.step = self.restored_step = saved["step"]
        self.history = saved["history"]
        self._train_seconds = saved["train_seconds"]
        self._last_checkpoint = (self.step, time.monotonic())
        log(f"Restored checkpoint {weights if weights.is_file() else path} (step {self.step}).")
        return state

    def due(self, step, by_steps=True):
        """Whether a checkpoint is due at `step`: every `checkpoint_steps`, or `checkpoint_seconds` after the last.

        The time schedule bounds the work a kill can lose however long the
        step schedule's interval is (1,100 steps is an epoch of real MNIST).
        """
        last_step, last_time = self._last_checkpoint
        if step <= last_step:
            return False
        if by_steps and self.checkpoint_steps and step // self.checkpoint_steps > last_step // self.checkpoint_steps:
            return True
        return time.monotonic() - last_time >= self.checkpoint_seconds

    def checkpoint(self, step, model=None, **state):
        """Writes checkpoint `step`: the model's (and optimizer's) weights, arrays and plain state, atomically."""
        directory = self.checkpoint_dir
        directory.mkdir(parents=True, exist_ok=True)
        arrays = {k: v for k, v in state.items() if isinstance(v, np.ndarray)}
        plain = {k: v for k, v in state.items() if k not in arrays}
        if model is not None:
            staged(directory / f"ckpt-{step}.weights.h5", model.save_weights, suffix=".weights.h5")
        if arrays:
            staged(directory / f"ckpt-{step}.npz", lambda p: np.savez(p, **arrays), suffix=".npz")
        record = {"step": step, "train_seconds": self.train_seconds, "history": self.history, "state": plain}
        write_json(directory / f"ckpt-{step}.json", record)
        self.step = step
        self._last_checkpoint = (step, time.monotonic())
        keep_newest([list(directory.glob(f"ckpt-{old}.*")) for old, _ in self.checkpoints()], KEEP_CHECKPOINTS)

    @property
    def train_seconds(self):
        """Training seconds of the whole run so far."""
        return self._train_seconds + time.perf_counter() - self._segment_start

    def start_training(self):
        """Starts the clock of this call's training (after data loading and model building)."""
        self._segment_start = time.perf_counter()

    # -- history -------------------------------------------------------------------------------

    def record(self, step, **values):
        """Adds points to the run's curves: each value reached at global `step`, as `history[name] = [[step, value], ...]`."""
        for key, value in values.items():
            self.history.setdefault(key, []).append([int(step), float(value)])

    # -- the end -------------------------------------------------------------------------------

    def finish(self, model=None, metrics=None, task=None, history=None, step=None, curves=None, **export_options):
        """Writes `model.keras`, the export for `task`, `metrics.json` and `curves.png`; returns the `RunResult`.

        A run that was killed after its export and is resumed at the same
        step keeps that export rather than writing a second version.

        Args:
            model: the trained model (None for a program without one).
            metrics: the program's results, e.g. `{"test_accuracy": 0.99}`.
            task: the export's signature (see `kclassics.export.TASKS`); None writes no export.
            history: what this call trained (e.g. `model.fit(...).history`), for the result.
            step: the run's final step; default the optimizer's iteration count.
            curves: `path -> None`, draws the program's own `curves.png` (a reward curve); default
                `plot_history` of the run's history.
            **export_options: passed on to `kclassics.export.export_saved_model`.
        """
        seconds = self.train_seconds
        step = _global_step(model, self.step) if step is None else step
        run_state = read_json(self.path / _RUN_STATE) or {}
        export_path = None
        if model is not None:
            from kclassics.model import portable

            staged(self.path / "model.keras", portable(model).save, suffix=".keras")
        if model is not None and task is not None:
            export_path = self._export(model, step, task, run_state, export_options)
        resumes = run_state.get("resumed_at", []) + ([self.restored_step] if self.resumed else [])
        full = {
            **(metrics or {}),
            "steps": step,
            "train_seconds": round(seconds, 3),
            "history": self.history,
            **({"export": export_path.relative_to(self.path).as_posix()} if export_path else {}),
            **({"resumed_at": resumes} if resumes else {}),
        }
        write_json(self.path / "metrics.json", full)
        write_json(self.path / _RUN_STATE, {**run_state, "resumed_at": resumes})
        staged(self.path / "curves.png", curves or (lambda path: plot_history(self.history, path)), suffix=".png")
        return RunResult(self.path, full, model, history or {}, export_path)

    def _export(self, model, step, task, run_state, options):
        from kclassics.export import export_saved_model, next_version

        base = self.path / "export"
        done = run_state.get("export")
        if done and done["step"] == step and (base / str(done["version"])).is_dir():
            return base / str(done["version"])
        version = done["version"] if done and not (base / str(done["version"])).exists() else next_version(base)
        run_state["export"] = {"step": step, "version": version, "task": task}
        write_json(self.path / _RUN_STATE, run_state)
        return export_saved_model(model, base, version=version, task=task, **options)


class RunDir:
    """A run directory as its readers see it, finished or interrupted: what `Run` wrote, read in one place.

        run = RunDir("runs/ptb_lm-20261207-101500")     # or Run.load(path)
        run.program, run.config["batch_size"], run.finished, run.step
        model = run.model()                             # model.keras, loaded
        run.file("vocab.txt"), run.export, run.history

    Args:
        path: the run directory.

    Raises:
        FileNotFoundError: `path` does not exist, or holds no run (no `config.json`).
        NotADirectoryError: `path` is a file.
    """

    def __init__(self, path):
        self.path = Path(path).expanduser()
        if self.path.exists() and not self.path.is_dir():
            raise NotADirectoryError(f"{self.path} is a file, not a run directory. Received: RUN_DIR={str(path)!r}")
        if not (self.path / "config.json").is_file():
            raise FileNotFoundError(f"{_what_is(self.path)}: it is not a run directory. Received: RUN_DIR={str(path)!r}")
        self.config = read_json(self.path / "config.json")
        self.metrics = read_json(self.path / "metrics.json")
        self._state = read_json(self.path / _RUN_STATE) or {}

    def __repr__(self):
        return f"RunDir({str(self.path)!r}, program={self.program!r}, step={self.step}, finished={self.finished})"

    @property
    def program(self):
        """The name of the program that wrote the run (None for a run written by your own code with a plain name)."""
        return self._state.get("program")

    @property
    def finished(self):
        """Whether the run ended (`metrics.json` exists); an interrupted run resumes with `--resume`."""
        return self.metrics is not None

    def _last_checkpoint(self):
        found = Run(self.path, resumed=True).checkpoints()
        return read_json(found[-1][1]) if found else None

    @property
    def step(self):
        """The global step reached: the finished run's last, else its newest checkpoint's (0 before the first)."""
        if self.finished:
            return self.metrics["steps"]
        return (self._last_checkpoint() or {"step": 0})["step"]

    @property
    def history(self):
        """The whole run's curves, `{name: [[step, value], ...]}` (an interrupted run's up to its newest checkpoint)."""
        if self.finished:
            return self.metrics.get("history", {})
        return (self._last_checkpoint() or {"history": {}})["history"]

    @property
    def task(self):
        """The task of the run's export (see `kclassics.export.TASKS`), or None when it wrote none."""
        return self._state.get("export", {}).get("task")

    @property
    def exports(self):
        """The export's version directories, oldest first."""
        base = self.path / "export"
        versions = [p for p in base.iterdir() if p.is_dir() and p.name.isdigit()] if base.is_dir() else []
        return sorted(versions, key=lambda p: int(p.name))

    @property
    def export(self):
        """The newest export version directory, or None."""
        return self.exports[-1] if self.exports else None

    def file(self, name):
        """The path of a file the run wrote (`"vocab.txt"`, `"model.keras"`); a missing one is an error naming the run."""
        path = self.path / name
        if not path.exists():
            state = "finished" if self.finished else f"interrupted at step {self.step}; --resume finishes it"
            raise FileNotFoundError(f"The run {self.path} ({self.program or 'a run'}, {state}) has no {name}. "
                                    f"Received: RUN_DIR={str(self.path)!r}")
        return path

    def model(self, **load_options):
        """The trained model (`model.keras`) loaded with `keras.saving.load_model(path, **load_options)`."""
        import keras

        return keras.saving.load_model(self.file("model.keras"), **load_options)

    def config_for(self, program):
        """The run's config as `program`'s config dataclass (`program`: a `Program`)."""
        return config_from_dict(program.config, self.config, source=f"{self.path / 'config.json'}")


def _global_step(model, fallback):
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        return fallback
    import keras

    return int(keras.ops.convert_to_numpy(optimizer.iterations))


def _new_path(root, name):
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = Path(root) / f"{name}-{stamp}"
    suffix = 1
    while path.exists():
        path = Path(root) / f"{name}-{stamp}-{suffix}"
        suffix += 1
    return path


def check_new_run_dir(path):
    """Refuses a directory a new run cannot be written to (a file, a non-empty directory, an unwritable parent).

    Cheap (it touches no file), so the command line calls it before loading TensorFlow.
    """
    path = Path(path).expanduser()
    if path.exists() and not path.is_dir():
        raise FileExistsError(f"The run directory {path} is a file, not a directory. Received: out={str(path)!r}")
    if path.is_dir() and any(path.iterdir()):
        raise FileExistsError(
            f"Run directory {path} already exists and is not empty; runs are never overwritten. "
            "Choose another --out, or pass --resume to continue that run."
        )
    parent = next(p for p in (path, *path.parents) if p.exists())
    if not parent.is_dir():
        raise NotADirectoryError(f"Cannot create the run directory {path}: {parent} is a file, not a directory.")
    if not os.access(parent, os.W_OK):
        raise PermissionError(f"Cannot create the run directory {path}: {parent} is not writable.")


def check_resumable(path):
    """Refuses to resume `path` unless it is a run directory (it holds `config.json`), saying what it is instead."""
    path = Path(path).expanduser()
    if not (path / "config.json").is_file():
        raise FileNotFoundError(f"Cannot resume: {_what_is(path)}. Received: out={str(path)!r}")


def _what_is(path):
    """Why `path` is not a run directory, in words."""
    if not path.exists():
        return f"{path} does not exist"
    if not path.is_dir():
        return f"{path} is a file, not a run directory"
    return f"{path} holds no run (no config.json)"


def _create(path):
    parent = next(p for p in (path, *path.parents) if p.exists())
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise PermissionError(f"Cannot create the run directory {path}: {parent} is not writable ({error.strerror}).") from None


def _check_resumable(path, config, length_fields):
    """Refuses to resume a run whose settings (other than its length) would change."""
    saved = read_json(path / "config.json")
    if saved is None:
        return
    new = config_dict(config)
    changed = {k: (saved.get(k), new.get(k)) for k in sorted(set(saved) | set(new))
               if saved.get(k) != new.get(k) and k not in length_fields}
    if changed:
        listed = ", ".join(f"{k} {old!r} -> {value!r}" for k, (old, value) in changed.items())
        may = f"only its length ({', '.join(length_fields)}) may change" if length_fields else "none may change"
        raise ValueError(
            f"Cannot resume {path} with changed settings ({listed}): a resumed run continues with the settings "
            f"it started with, and {may}. "
            "Give the first run's settings again (its config.json lists them), or start a new run with "
            "another --out to train with other settings."
        )


def plot_history(history, path):
    """The run's curves against the global step, one panel per quantity (train and validation together), as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    names = list(dict.fromkeys(k[4:] if k.startswith("val_") else k for k in history)) or ["loss"]
    fig, axes = plt.subplots(1, len(names), figsize=(5 * len(names), 3.5), squeeze=False)
    for ax, name in zip(axes[0], names):
        counts = []
        for key, label in ((name, "train"), ("val_" + name, "validation")):
            points = history.get(key)
            if points:
                steps, values = zip(*points)
                ax.plot(steps, values, marker="o" if len(points) < 30 else None, label=label)
                counts.append(len(points))
        ax.set_xlabel("step")
        ax.set_title(name)
        if ax.lines:
            ax.legend()
        if not counts or max(counts) == 1:  # a run too short for a curve: say so rather than draw a lone dot
            ax.text(0.5, 0.5, "no curve: one measurement" if counts else "no measurement", transform=ax.transAxes,
                    ha="center", va="center", color="gray")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)

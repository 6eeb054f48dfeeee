"""The fit path shared by the book's classification programs.

data -> model -> `model.fit` (callbacks) -> evaluation -> run directory with
checkpoints, TensorBoard logs, `metrics.json`, `curves.png`, `model.keras` and
a versioned SavedModel export.
"""

import dataclasses
import datetime
import json
import math
import os
import time
from pathlib import Path
from typing import Optional

import keras

from kclassics import data as kdata
from kclassics import distribute, precision
from kclassics.apps import create_model
from kclassics.callbacks import CheckpointSaver, StopAtStep
from kclassics.callbacks.stop import global_step
from kclassics.export import export_saved_model

OPTIMIZERS = ("sgd", "adam", "adagrad", "rmsprop", "momentum")


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """The hyperparameters of one classification program, with the book's values as defaults.

    Attributes:
        model: registry name of the network.
        optimizer: one of `OPTIMIZERS`.
        learning_rate: the optimizer's learning rate.
        steps: training steps (batches) on the book's dataset.
        batch_size: examples per step.
        dataset: name accepted by `kclassics.data.load`.
        digits_steps: steps on the embedded digits, whose training split
            (1,257 images) is 44x smaller than MNIST's; None means `steps`.
        epochs: if set, train this many passes over the training split instead
            of `steps`.
        model_kwargs: extra builder arguments as `(name, value)` pairs.
        seed: seed of weights, shuffling and dropout.
        mixed_precision: compute in 16 bits with float32 variables (see
            `kclassics.precision`); the book trains in float32.
        source: where in the book these values come from.
    """

    model: str
    optimizer: str
    learning_rate: float
    steps: int
    batch_size: int
    dataset: str = "digits"
    digits_steps: Optional[int] = None
    epochs: Optional[int] = None
    model_kwargs: tuple = ()
    seed: int = 0
    mixed_precision: bool = False
    source: str = ""

    def __post_init__(self):
        precision.check_flag(self.mixed_precision)
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"Unknown optimizer. Accepted: {', '.join(OPTIMIZERS)}. Received: optimizer={self.optimizer!r}")
        for field in ("steps", "batch_size"):
            _check_positive(field, getattr(self, field))
        for field in ("digits_steps", "epochs"):
            if getattr(self, field) is not None:
                _check_positive(field, getattr(self, field))
        if not self.learning_rate > 0:
            raise ValueError(f"`learning_rate` must be positive. Received: learning_rate={self.learning_rate!r}")

    def total_steps(self, num_train_examples):
        """Training steps this config runs on a training split of the given size."""
        if self.epochs is not None:
            return self.epochs * math.ceil(num_train_examples / self.batch_size)
        if self.dataset == "digits" and self.digits_steps is not None:
            return self.digits_steps
        return self.steps

    def make_optimizer(self):
        if self.optimizer == "momentum":
            return keras.optimizers.SGD(self.learning_rate, momentum=0.9)
        return keras.optimizers.get({"class_name": self.optimizer, "config": {"learning_rate": self.learning_rate}})


def _check_positive(name, value):
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"`{name}` must be a positive integer. Received: {name}={value!r}")


@dataclasses.dataclass
class RunResult:
    """What `train_classifier` produced."""

    run_dir: Path
    model: keras.Model
    history: dict
    test_loss: float
    test_accuracy: float
    steps: int
    seconds: float
    export_path: Path


def prepare_run_dir(out=None, name="run", resume=False, root="runs"):
    """Creates (or, with `resume`, reopens) a run directory and returns its path.

    With `out=None` a fresh `root/<name>-<timestamp>` is made. An existing,
    non-empty `out` is refused unless `resume` is set: runs are never overwritten.
    """
    if out is None:
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        out = Path(root) / f"{name}-{stamp}"
        suffix = 1
        while out.exists():
            out = Path(root) / f"{name}-{stamp}-{suffix}"
            suffix += 1
    out = Path(out)
    if resume:
        if not (out / "checkpoints").is_dir():
            raise FileNotFoundError(f"Cannot resume: {out} holds no checkpoints/ of an earlier run. Received: out={str(out)!r}")
        return out
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise FileExistsError(
            f"Run directory {out} already exists and is not empty; runs are never overwritten. "
            "Choose another --out, or pass --resume to continue that run."
        )
    parent = next(p for p in (out, *out.parents) if p.exists())
    if not parent.is_dir():
        raise NotADirectoryError(f"Cannot create the run directory {out}: {parent} is not a directory.")
    if not os.access(parent, os.W_OK):
        raise PermissionError(f"Cannot create the run directory {out}: {parent} is not writable.")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise PermissionError(f"Cannot create the run directory {out}: {parent} is not writable ({error.strerror}).") from None
    return out


def train_classifier(config, out=None, resume=False, data_dir=None, callbacks=(), verbose="auto", run_name=None, strategy=None):
    """Trains `config.model` on `config.dataset` and writes a run directory.

    Args:
        config: a `TrainConfig`.
        out: run directory; default a new `runs/<model>-<timestamp>`.
        resume: continue the run in `out` from its last checkpoint.
        data_dir: directory of the dataset's files, for loaders that read files.
        callbacks: extra Keras callbacks.
        verbose: `model.fit` verbosity (progress bar by default).
        run_name: prefix of a default run directory, default `config.model`.
        strategy: a `tf.distribute.Strategy` to build and fit the model under
            (see `kclassics.distribute`); default: the current one.

    Returns:
        A `RunResult`.
    """
    splits = kdata.load(config.dataset, **({"data_dir": data_dir} if data_dir else {}))  # bad data fails before the run dir exists
    strategy = strategy or distribute.current_strategy()
    config = dataclasses.replace(config, learning_rate=distribute.per_update_learning_rate(strategy, config.learning_rate))
    run_dir = prepare_run_dir(distribute.worker_run_dir(strategy, out), run_name or config.model, resume)
    keras.utils.set_random_seed(config.seed)

    with strategy.scope(), precision.dtype_policy(precision.policy_name(config.mixed_precision)):
        model = create_model(
            config.model, input_shape=splits.input_shape, classes=splits.num_classes, **dict(config.model_kwargs)
        )
        model.compile(optimizer=config.make_optimizer(), loss="sparse_categorical_crossentropy", metrics=["accuracy"])

    steps = config.total_steps(len(splits.train))
    steps_per_epoch = min(steps, max(1, len(splits.train) // config.batch_size))
    checkpoints = CheckpointSaver(run_dir / "checkpoints", save_steps=steps_per_epoch, keep=3, restore=resume)
    if resume and checkpoints.restore_latest(model) is None:
        raise FileNotFoundError(f"Cannot resume: {run_dir / 'checkpoints'} holds no checkpoint.")
    done = global_step(model)
    (run_dir / "config.json").write_text(json.dumps(dataclasses.asdict(config), indent=2, default=list))

    start = time.perf_counter()
    history = {}
    if done < steps:  # a finished run that is resumed only evaluates and exports again
        history = model.fit(
            distribute.training_input(strategy, kdata.training_pipeline, splits.train, config.batch_size, seed=config.seed + done),
            steps_per_epoch=steps_per_epoch,
            initial_epoch=done // steps_per_epoch,
            epochs=done // steps_per_epoch + math.ceil((steps - done) / steps_per_epoch),
            validation_data=kdata.evaluation_pipeline(splits.validation, 500),
            callbacks=[checkpoints, keras.callbacks.TensorBoard(str(run_dir / "logs")), StopAtStep(last_step=steps), *callbacks],
            verbose=verbose,
        ).history
    seconds = time.perf_counter() - start
    test_loss, test_accuracy = model.evaluate(kdata.evaluation_pipeline(splits.test, 500), verbose=0)

    model.save(run_dir / "model.keras")
    export_path = export_saved_model(model, run_dir / "export")
    result = RunResult(
        run_dir, model, history, float(test_loss), float(test_accuracy),
        global_step(model), seconds, export_path,
    )
    write_metrics(result, steps_per_epoch)
    return result


def write_metrics(result, steps_per_epoch):
    """Writes `metrics.json` and the training-curve plot `curves.png` into the run directory."""
    metrics = {
        "test_loss": result.test_loss,
        "test_accuracy": result.test_accuracy,
        "steps": result.steps,
        "train_seconds": round(result.seconds, 3),
        "steps_per_epoch": steps_per_epoch,
        "history": {k: [float(v) for v in vs] for k, vs in result.history.items()},
        "export": str(result.export_path),
    }
    (result.run_dir / "metrics.json").write_text(json.dumps(metrics, indent=2))
    plot_curves(result.history, steps_per_epoch, result.run_dir / "curves.png")


def plot_curves(history, steps_per_epoch, path):
    """Loss and accuracy (train and validation) against training steps, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    metrics = [m for m in ("loss", "accuracy") if m in history] or ["loss"]
    fig, axes = plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 3.5), squeeze=False)
    for ax, metric in zip(axes[0], metrics):
        for prefix, label in (("", "train"), ("val_", "validation")):
            values = history.get(prefix + metric, [])
            ax.plot([(i + 1) * steps_per_epoch for i in range(len(values))], values, label=label)
        ax.set_xlabel("step")
        ax.set_title(metric)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)

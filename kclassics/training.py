"""The fit path shared by the book's classification programs.

data -> model -> `model.fit` (callbacks, strategy) -> evaluation -> a run
directory (`kclassics.runs.Run`) with checkpoints, TensorBoard logs,
`metrics.json`, `curves.png`, `model.keras` and a versioned SavedModel export.
"""

import dataclasses
import math
from typing import Callable, Optional

import keras

from kclassics import data as kdata
from kclassics import distribute, precision, validation
from kclassics.apps import create_model
from kclassics.callbacks import StopAtStep
from kclassics.callbacks.stop import global_step
from kclassics.export import scale_to_unit
from kclassics.runs import Run, RunResult  # noqa: F401  (RunResult: what every program returns)

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
        validation.boolean("mixed_precision", self.mixed_precision)
        validation.one_of("optimizer", self.optimizer, OPTIMIZERS)
        for field in ("steps", "batch_size"):
            validation.positive_int(field, getattr(self, field))
        for field in ("digits_steps", "epochs"):
            validation.positive_int(field, getattr(self, field), allow_none=True)
        validation.positive_float("learning_rate", self.learning_rate)
        validation.seed("seed", self.seed)

    def total_steps(self, num_train_examples):
        """Training steps this config runs on a training split of the given size."""
        if self.epochs is not None:
            return self.epochs * math.ceil(num_train_examples / self.batch_size)
        if self.dataset == "digits" and self.digits_steps is not None:
            return self.digits_steps
        return self.steps

    def steps_per_epoch(self, num_train_examples):
        """Steps of one Keras epoch: a pass over the training split with `epochs`, else whole batches of it."""
        if self.epochs is not None:
            return math.ceil(num_train_examples / self.batch_size)
        return min(self.total_steps(num_train_examples), max(1, num_train_examples // self.batch_size))

    def make_optimizer(self):
        if self.optimizer == "momentum":
            return keras.optimizers.SGD(self.learning_rate, momentum=0.9)
        return keras.optimizers.get({"class_name": self.optimizer, "config": {"learning_rate": self.learning_rate}})


def _evaluate_in_batches_of_500(split, batch_size):
    return kdata.evaluation_pipeline(split, 500)


def _shape_and_classes_of(splits):
    return {"input_shape": splits.input_shape, "classes": splits.num_classes}


@dataclasses.dataclass(frozen=True)
class FitRecipe:
    """How a classification program feeds, judges and serves its model; the MNIST programs' by default.

    Attributes:
        training_pipeline: `(split, batch_size, seed=)` -> an endless `tf.data.Dataset`.
        evaluation_pipeline: `(split, batch_size)` -> a finite dataset that holds every example once.
        from_logits: whether the model outputs logits (the loss and the export then apply softmax).
        validate: evaluate the validation split after every epoch.
        report: `(metrics) -> dict`, the program's own entries of `metrics.json` after the test.
        model_arguments: `(splits) -> dict`, the builder's arguments that depend on the data.
        serving_preprocess: pixel values 0-255 -> the model's input, for the export's `predict_images`
            signature (encoded images in); None, or a model whose input is not an image, exports none.
        training_evaluation_pipeline: `(split, batch_size)` -> a finite dataset of the training split as
            training feeds it, evaluated after training into `train_loss` and `train_accuracy`; None for none.
    """

    training_pipeline: Callable = kdata.training_pipeline
    evaluation_pipeline: Callable = _evaluate_in_batches_of_500
    from_logits: bool = False
    validate: bool = True
    report: Optional[Callable] = None
    model_arguments: Callable = _shape_and_classes_of
    serving_preprocess: Optional[Callable] = scale_to_unit
    training_evaluation_pipeline: Optional[Callable] = None


def check_batch_size(batch_size, train):
    """Refuses a batch larger than the training split, which would repeat examples within a batch."""
    if batch_size > len(train):
        raise ValueError(
            f"`batch_size` (--batch-size) must be at most the {len(train)} training examples. Received: batch_size={batch_size}"
        )


def prepare_run_dir(out=None, name="run", resume=False, root="runs"):
    """The path of a new (or, with `resume`, an existing) run directory: `kclassics.runs.Run.open(...).path`."""
    return Run.open(out, name, resume=resume, root=root).path


class RunCheckpoint(keras.callbacks.Callback):
    """Records each epoch's logs in the run's history and checkpoints the run on its schedule (see `Run.due`)."""

    def __init__(self, run):
        super().__init__()
        self.run = run

    def on_train_begin(self, logs=None):
        self.run.start_training()

    def on_train_batch_end(self, batch, logs=None):
        step = global_step(self.model)
        if self.run.due(step, by_steps=False):  # on time; the step schedule waits for the epoch's logs
            self.run.checkpoint(step, self.model)

    def on_epoch_end(self, epoch, logs=None):
        step = global_step(self.model)
        self.run.record(step, **(logs or {}))
        if self.run.due(step):
            self.run.checkpoint(step, self.model)

    def on_train_end(self, logs=None):
        step = global_step(self.model)
        if step > self.run.step:
            self.run.checkpoint(step, self.model)


def train_classifier(config, out=None, resume=False, data_dir=None, callbacks=(), verbose="auto", run_name=None, strategy=None,
                     splits=None, recipe=FitRecipe()):
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
        splits: the dataset's `Splits` when already loaded; default loaded here.
        recipe: the program's `FitRecipe`.

    Returns:
        A `RunResult` with `test_loss` and `test_accuracy`.
    """
    if splits is None:  # bad data fails before the run dir exists
        splits = kdata.load(config.dataset, **({"data_dir": data_dir} if data_dir else {}))
    check_batch_size(config.batch_size, splits.train)
    strategy = strategy or distribute.current_strategy()
    config = dataclasses.replace(config, learning_rate=distribute.per_update_learning_rate(strategy, config.learning_rate))
    steps = config.total_steps(len(splits.train))
    steps_per_epoch = config.steps_per_epoch(len(splits.train))
    run = Run.open(distribute.worker_run_dir(strategy, out), run_name or config.model, config, resume,
                   checkpoint_steps=steps_per_epoch)
    keras.utils.set_random_seed(config.seed)

    with strategy.scope(), precision.dtype_policy(precision.policy_name(config.mixed_precision)):
        model = create_model(config.model, **recipe.model_arguments(splits), **dict(config.model_kwargs))
        model.compile(
            optimizer=config.make_optimizer(),
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=recipe.from_logits),
            metrics=["accuracy"],
        )
    run.restore(model)
    done = global_step(model)

    history = {}
    if done < steps:  # a finished run that is resumed only evaluates and exports again
        history = model.fit(
            distribute.training_input(strategy, recipe.training_pipeline, splits.train, config.batch_size, seed=config.seed + done),
            steps_per_epoch=steps_per_epoch,
            initial_epoch=done // steps_per_epoch,
            epochs=done // steps_per_epoch + math.ceil((steps - done) / steps_per_epoch),
            validation_data=recipe.evaluation_pipeline(splits.validation, config.batch_size) if recipe.validate else None,
            callbacks=[RunCheckpoint(run), keras.callbacks.TensorBoard(str(run.log_dir)), StopAtStep(last_step=steps), *callbacks],
            verbose=verbose,
        ).history
    test_loss, test_accuracy = model.evaluate(recipe.evaluation_pipeline(splits.test, config.batch_size), verbose=0)
    metrics = {"test_loss": float(test_loss), "test_accuracy": float(test_accuracy), "steps_per_epoch": steps_per_epoch}
    if recipe.training_evaluation_pipeline is not None:
        train_loss, train_accuracy = model.evaluate(recipe.training_evaluation_pipeline(splits.train, config.batch_size), verbose=0)
        metrics.update(train_loss=float(train_loss), train_accuracy=float(train_accuracy))
    if recipe.report is not None:
        metrics.update(recipe.report(metrics))
    preprocess = recipe.serving_preprocess if len(model.input_shape) == 4 else None
    return run.finish(model, metrics, task="image_classification", history=history, from_logits=recipe.from_logits,
                      preprocess=preprocess)

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
from kclassics.programs.classifier import TrainConfig  # noqa: F401  (what train_classifier takes)
from kclassics.runs import Run, RunResult  # noqa: F401  (RunResult: what every program returns)

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


class RunCheckpoint(keras.callbacks.Callback):
    """Records each epoch's logs in the run's history and checkpoints the run on its schedule (see `Run.due`).

    Within an epoch it checkpoints on time (a long epoch loses little to a
    kill), at an epoch's end on the run's step schedule, and at the end of
    training.

    Args:
        run: the `kclassics.runs.Run`.
        epochs: False for a loop that records and checkpoints its epochs itself
            (after an evaluation `fit` does not see): only the timed checkpoints within epochs.
    """

    def __init__(self, run, epochs=True):
        super().__init__()
        self.run, self.epochs = run, epochs

    def on_train_begin(self, logs=None):
        if self.epochs:
            self.run.start_training()

    def on_train_batch_end(self, batch, logs=None):
        step = global_step(self.model)
        if self.run.due(step, by_steps=False):  # on time; the step schedule waits for the epoch's logs
            self.run.checkpoint(step, self.model)

    def on_epoch_end(self, epoch, logs=None):
        if not self.epochs:
            return
        step = global_step(self.model)
        self.run.record(step, **(logs or {}))
        if self.run.due(step):
            self.run.checkpoint(step, self.model)

    def on_train_end(self, logs=None):
        step = global_step(self.model)
        if self.epochs and step > self.run.step:
            self.run.checkpoint(step, self.model)


def fit_run(run, model, train, steps, steps_per_epoch, callbacks=(), verbose="auto", validation_data=None,
            tensorboard=True, steps_per_call=1):
    """Restores `model` from the run's newest checkpoint and fits it up to global step `steps`, checkpointing on the run's schedule.

    The one restore -> fit(initial_epoch) -> checkpoint path of every `fit`-based
    program: a resumed run continues from its step with the data position it had.

    Args:
        run: the `kclassics.runs.Run`.
        model: the compiled model.
        train: `done -> dataset`, the training data for a run that has done `done` steps.
        steps: the global step to train to.
        steps_per_epoch: steps between Keras epochs (the run records its curves and checkpoints at each).
        callbacks: extra Keras callbacks.
        verbose: the progress: 0, 1 (a bar), 2 (lines) or "auto" (a bar on a terminal, lines in a file).
        validation_data: evaluated after every epoch, or None.
        tensorboard: write TensorBoard logs to the run's `logs/`.
        steps_per_call: global steps one batch of `train` trains (a divisor of `steps_per_epoch`): a model
            that runs several steps in one compiled call (`kclassics.embeddings.SkipGram` on a stack of batches).

    Returns:
        This call's `History.history` ({} when the run had already reached `steps`).
    """
    from kclassics.callbacks.progress import RunProgress

    run.restore(model)
    done = global_step(model)
    if done >= steps:
        return {}
    board = [keras.callbacks.TensorBoard(str(run.log_dir))] if tensorboard else []
    return model.fit(
        train(done),
        steps_per_epoch=steps_per_epoch // steps_per_call,
        initial_epoch=done // steps_per_epoch,
        epochs=done // steps_per_epoch + math.ceil((steps - done) / steps_per_epoch),
        validation_data=validation_data,
        callbacks=[RunCheckpoint(run), *board, StopAtStep(last_step=steps), RunProgress(steps, verbose), *callbacks],
        verbose=0,
    ).history


def train_classifier(config, program, out=None, resume=False, data_dir=None, callbacks=(), verbose="auto", strategy=None,
                     splits=None, recipe=FitRecipe()):
    """Trains `config.model` on `config.dataset` and writes a run directory.

    Args:
        config: a `TrainConfig`.
        program: the `kclassics.programs.Program` being run (its name and length).
        out: run directory; default a new `runs/<program>-<timestamp>`.
        resume: continue the run in `out` from its last checkpoint.
        data_dir: directory of the dataset's files, for loaders that read files.
        callbacks: extra Keras callbacks.
        verbose: the progress (see `fit_run`).
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
    run = Run.open(distribute.worker_run_dir(strategy, out), program, config, resume, checkpoint_steps=steps_per_epoch)
    keras.utils.set_random_seed(config.seed)

    with strategy.scope(), precision.dtype_policy(precision.policy_name(config.mixed_precision)):
        model = create_model(config.model, **recipe.model_arguments(splits), **dict(config.model_kwargs))
        model.compile(
            optimizer=program.optimizer(config),
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=recipe.from_logits),
            metrics=["accuracy"],
        )

    def train(done):
        return distribute.training_input(strategy, recipe.training_pipeline, splits.train, config.batch_size,
                                         seed=config.seed + done)

    validation = recipe.evaluation_pipeline(splits.validation, config.batch_size) if recipe.validate else None
    history = fit_run(run, model, train, steps, steps_per_epoch, callbacks, verbose, validation)
    test_loss, test_accuracy = model.evaluate(recipe.evaluation_pipeline(splits.test, config.batch_size), verbose=0)
    metrics = {"test_loss": float(test_loss), "test_accuracy": float(test_accuracy), "steps_per_epoch": steps_per_epoch}
    if recipe.training_evaluation_pipeline is not None:
        train_loss, train_accuracy = model.evaluate(recipe.training_evaluation_pipeline(splits.train, config.batch_size), verbose=0)
        metrics.update(train_loss=float(train_loss), train_accuracy=float(train_accuracy))
    if recipe.report is not None:
        metrics.update(recipe.report(metrics))
    preprocess = recipe.serving_preprocess if len(model.input_shape) == 4 else None
    return run.finish(model, metrics, task=program.task, history=history, from_logits=recipe.from_logits,
                      preprocess=preprocess)

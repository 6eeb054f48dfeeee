"""The book's CIFAR-10 program (book 5.3, L1817-2027): the CNN with LRN, trained on distorted crops.

The book's run: Adam 1e-3, 3,000 steps of 128, loss = cross entropy + L2 of
the hidden FC layers, a log line every 10 steps and `precision @ 1` on the
test set. The long schedule (`schedule="sgd_decay"`) is the one the book
mentions for ~86% (L2031): SGD with the staircase decay of the TensorFlow
models `cifar10.py` the book's code comes from.
"""

import dataclasses
import json
import math
import time

import keras

from kclassics import data as kdata
from kclassics import distribute, precision
from kclassics.apps import create_model
from kclassics.callbacks import StopAtStep
from kclassics.export import export_saved_model
from kclassics.programs import Program, register
from kclassics.programs.mnist import load_program_data
from kclassics.training import RunResult, prepare_run_dir, write_metrics

SCHEDULES = ("adam", "sgd_decay")
# tensorflow/models tutorials/image/cifar10/cifar10.py: INITIAL_LEARNING_RATE 0.1,
# LEARNING_RATE_DECAY_FACTOR 0.1, NUM_EPOCHS_PER_DECAY 350 (50,000 images per epoch).
SGD_INITIAL_LEARNING_RATE = 0.1
SGD_DECAY_FACTOR = 0.1
SGD_EPOCHS_PER_DECAY = 350
TRAIN_EXAMPLES = 50000


@dataclasses.dataclass(frozen=True)
class Cifar10Config:
    """The book's CIFAR-10 hyperparameters.

    Attributes:
        model: registry name of the network.
        learning_rate: Adam's learning rate (or SGD's initial rate with `sgd_decay`).
        steps: training steps.
        batch_size: examples per step.
        schedule: `"adam"` (the book's run) or `"sgd_decay"` (the long schedule).
        log_every: steps between log lines.
        dataset: name accepted by `kclassics.data.load`.
        seed: seed of weights, shuffling and distortions.
        mixed_precision: compute in 16 bits with float32 variables (see
            `kclassics.precision`); the book trains in float32.
        source: where in the book these values come from.
    """

    model: str = "cifar10_cnn"
    learning_rate: float = 1e-3  # AdamOptimizer(1e-3), L1958
    steps: int = 3000  # max_steps = 3000, L1817
    batch_size: int = 128  # batch_size = 128, L1818
    schedule: str = "adam"
    log_every: int = 10  # if step % 10 == 0, L1994
    dataset: str = "cifar10"
    seed: int = 0
    mixed_precision: bool = False
    source: str = "book 5.3, L1817-1818, L1958, L1994-1998, L2006-2027"

    def __post_init__(self):
        precision.check_flag(self.mixed_precision)
        if self.schedule not in SCHEDULES:
            raise ValueError(f"Unknown schedule. Accepted: {', '.join(SCHEDULES)}. Received: schedule={self.schedule!r}")
        for field in ("steps", "batch_size", "log_every"):
            value = getattr(self, field)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"`{field}` must be a positive integer. Received: {field}={value!r}")
        if not self.learning_rate > 0:
            raise ValueError(f"`learning_rate` must be positive. Received: learning_rate={self.learning_rate!r}")

    def learning_rate_schedule(self):
        """The learning rate, or with `sgd_decay` the rate decayed by 10x every 350 epochs (staircase)."""
        if self.schedule == "adam":
            return self.learning_rate
        decay_steps = int(TRAIN_EXAMPLES / self.batch_size * SGD_EPOCHS_PER_DECAY)
        return keras.optimizers.schedules.ExponentialDecay(self.learning_rate, decay_steps, SGD_DECAY_FACTOR, staircase=True)

    def make_optimizer(self):
        optimizer = keras.optimizers.Adam if self.schedule == "adam" else keras.optimizers.SGD
        return optimizer(self.learning_rate_schedule())


CIFAR10_CNN = Cifar10Config()
# The long run (L2031-2033): 100k steps with decaying SGD.
CIFAR10_CNN_LONG = dataclasses.replace(CIFAR10_CNN, schedule="sgd_decay", learning_rate=SGD_INITIAL_LEARNING_RATE, steps=100_000)


class BookStepLogger(keras.callbacks.Callback):
    """Prints `step %d,loss=%.2f (%.1f examples/sec; %.3f sec/batch)` every `every` steps (L1997).

    The step counts from 0 and the loss is that step's batch loss (cross
    entropy + L2), recovered from Keras's running mean; the duration covers
    fetching the batch and the update, as the book's `time.time()` pair does.
    """

    def __init__(self, batch_size, every=10):
        super().__init__()
        self.batch_size = batch_size
        self.every = every
        self.lines = []
        self._previous_mean = 0.0
        self._end = None

    def on_train_batch_begin(self, batch, logs=None):
        if self._end is None:
            self._end = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        now = time.perf_counter()
        duration, self._end = now - self._end, now
        mean = float(logs["loss"])
        batch_loss = (batch + 1) * mean - batch * self._previous_mean  # the running mean restarts each epoch
        self._previous_mean = mean
        step = int(keras.ops.convert_to_numpy(self.model.optimizer.iterations)) - 1
        if step % self.every == 0:
            line = "step %d,loss=%.2f (%.1f examples/sec; %.3f sec/batch)" % (
                step, batch_loss, self.batch_size / duration, duration
            )
            self.lines.append(line)
            print(line)

    def on_epoch_begin(self, epoch, logs=None):
        self._previous_mean = 0.0


def train_cifar10(config, out=None, resume=False, data_dir=None, callbacks=(), verbose=0, run_name=None, strategy=None):
    """Trains the book's CIFAR-10 CNN and writes a run directory.

    Args:
        config: a `Cifar10Config`.
        out: run directory; default a new `runs/cifar10_cnn-<timestamp>`.
        resume: continue the run in `out` from its last checkpoint.
        data_dir: directory holding `cifar-10-batches-bin/` (default: tensorflow-datasets).
        callbacks: extra Keras callbacks.
        verbose: unused: the book's log line every `log_every` steps is the progress report.
        run_name: prefix of a default run directory.
        strategy: a `tf.distribute.Strategy` (see `kclassics.distribute`); under
            MirroredStrategy this is the book's multi-GPU program (9.2): every
            replica takes a batch of `config.batch_size`.

    Returns:
        A `RunResult` whose `test_accuracy` is the precision @ 1.
    """
    splits = load_program_data(config.dataset, data_dir)
    strategy = strategy or distribute.current_strategy()
    config = dataclasses.replace(config, learning_rate=distribute.per_update_learning_rate(strategy, config.learning_rate))
    run_dir = prepare_run_dir(distribute.worker_run_dir(strategy, out), run_name or config.model, resume)
    keras.utils.set_random_seed(config.seed)
    with strategy.scope(), precision.dtype_policy(precision.policy_name(config.mixed_precision)):
        model = create_model(config.model, classes=splits.num_classes, classifier_activation=None)
        model.compile(
            optimizer=config.make_optimizer(),
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            metrics=["accuracy"],
        )
    (run_dir / "config.json").write_text(json.dumps(dataclasses.asdict(config), indent=2))
    steps_per_epoch = min(config.steps, max(1, len(splits.train) // config.batch_size))
    logger = BookStepLogger(config.batch_size, config.log_every)
    start = time.perf_counter()
    history = model.fit(
        distribute.training_input(strategy, kdata.cifar10_training_pipeline, splits.train, config.batch_size, seed=config.seed),
        steps_per_epoch=steps_per_epoch,
        epochs=math.ceil(config.steps / steps_per_epoch),
        callbacks=[
            keras.callbacks.BackupAndRestore(str(run_dir / "checkpoints"), delete_checkpoint=False),
            keras.callbacks.TensorBoard(str(run_dir / "logs")),
            StopAtStep(last_step=config.steps),
            logger,
            *callbacks,
        ],
        verbose=0,
    )
    seconds = time.perf_counter() - start
    # every test image exactly once: the last batch is short, nothing wraps around (the book's
    # num_iter * batch_size counts 10,112 predictions for 10,000 images, L2008-2025)
    test_loss, precision_at_1 = model.evaluate(kdata.cifar10_evaluation_pipeline(splits.test, config.batch_size), verbose=0)
    print("precision @ 1 = %.3f" % precision_at_1)
    model.save(run_dir / "model.keras")
    export_path = export_saved_model(model, run_dir / "export", from_logits=True)
    result = RunResult(
        run_dir, model, history.history, float(test_loss), float(precision_at_1),
        int(keras.ops.convert_to_numpy(model.optimizer.iterations)), seconds, export_path,
    )
    write_metrics(result, steps_per_epoch)
    metrics = json.loads((run_dir / "metrics.json").read_text())
    metrics.update(precision_at_1=float(precision_at_1), log=logger.lines)
    (run_dir / "metrics.json").write_text(json.dumps(metrics, indent=2))
    return result


register(Program("cifar10_cnn", CIFAR10_CNN, train_cifar10, "CIFAR-10 CNN with LRN and L2, Adam 1e-3, 3000 steps x 128 (5.3)"))
register(Program("cifar10_cnn_long", CIFAR10_CNN_LONG, train_cifar10, "CIFAR-10 CNN, SGD 0.1 with staircase decay, 100k steps (5.3)"))

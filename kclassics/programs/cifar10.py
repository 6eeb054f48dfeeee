"""The book's CIFAR-10 program (book 5.3, L1817-2027): the CNN with LRN, trained on distorted crops.

The book's run: Adam 1e-3, 3,000 steps of 128, loss = cross entropy + L2 of
the hidden FC layers, a log line every 10 steps and `precision @ 1` on the
test set. The long schedule (`schedule="sgd_decay"`) is the one the book
mentions for ~86% (L2031): SGD with the staircase decay of the TensorFlow
models `cifar10.py` the book's code comes from.
"""

import dataclasses

from kclassics import validation
from kclassics.distribute.cluster import STRATEGIES
from kclassics.optimizers import make_optimizer
from kclassics.programs import Length, Program, register

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

    model_kwargs: tuple = ()

    def __post_init__(self):
        validation.boolean("mixed_precision", self.mixed_precision)
        validation.one_of("schedule", self.schedule, SCHEDULES)
        for field in ("steps", "batch_size", "log_every"):
            validation.positive_int(field, getattr(self, field))
        validation.positive_float("learning_rate", self.learning_rate)
        validation.seed("seed", self.seed)

    def total_steps(self, num_train_examples):
        """Training steps of the run (the book counts steps, not epochs)."""
        return self.steps

    def steps_per_epoch(self, num_train_examples):
        """Steps between Keras epochs: whole batches of the training split."""
        return min(self.steps, max(1, num_train_examples // self.batch_size))

    def learning_rate_schedule(self):
        """The learning rate, or with `sgd_decay` the rate decayed by 10x every 350 epochs (staircase)."""
        if self.schedule == "adam":
            return self.learning_rate
        import keras

        decay_steps = int(TRAIN_EXAMPLES / self.batch_size * SGD_EPOCHS_PER_DECAY)
        return keras.optimizers.schedules.ExponentialDecay(self.learning_rate, decay_steps, SGD_DECAY_FACTOR, staircase=True)

    def make_optimizer(self):
        """Adam at `learning_rate`, or SGD on the decaying schedule."""
        return make_optimizer("adam" if self.schedule == "adam" else "sgd", self.learning_rate_schedule())


CIFAR10_CNN = Cifar10Config()
# The long run (L2031-2033): 100k steps with decaying SGD.
CIFAR10_CNN_LONG = dataclasses.replace(CIFAR10_CNN, schedule="sgd_decay", learning_rate=SGD_INITIAL_LEARNING_RATE, steps=100_000)


def train_cifar10(config, program, out=None, resume=False, data_dir=None, callbacks=(), verbose=0, strategy=None):
    """Trains the book's CIFAR-10 CNN and writes a run directory.

    Args:
        config: a `Cifar10Config`.
        program: the `Program` being run.
        out: run directory; default a new `runs/cifar10_cnn-<timestamp>`.
        resume: continue the run in `out` from its last checkpoint.
        data_dir: directory holding `cifar-10-batches-bin/` (default: tensorflow-datasets).
        callbacks: extra Keras callbacks.
        verbose: unused: the book's log line every `log_every` steps is the progress report.
        strategy: a `tf.distribute.Strategy` (see `kclassics.distribute`); under
            MirroredStrategy this is the book's multi-GPU program (9.2): every
            replica takes a batch of `config.batch_size`.

    Returns:
        A `RunResult` whose `test_accuracy` is the precision @ 1; `metrics.json`
        also holds `precision_at_1` and the book's log lines of this call (`log`).
    """
    from kclassics import data as kdata
    from kclassics.callbacks.book import BookStepLogger
    from kclassics.log import log
    from kclassics.programs._data import load_program_data
    from kclassics.training import FitRecipe, train_classifier

    splits = load_program_data(config.dataset, data_dir)
    logger = BookStepLogger(config.batch_size, config.log_every)

    def report(metrics):
        log("precision @ 1 = %.3f" % metrics["test_accuracy"])
        return {"precision_at_1": metrics["test_accuracy"], "log": logger.lines}

    recipe = FitRecipe(
        training_pipeline=kdata.cifar10_training_pipeline,
        # every test image exactly once: the last batch is short, nothing wraps around (the book's
        # num_iter * batch_size counts 10,112 predictions for 10,000 images, L2008-2025)
        evaluation_pipeline=kdata.cifar10_evaluation_pipeline,
        from_logits=True,
        validate=False,
        report=report,
        model_arguments=lambda splits: {"classes": splits.num_classes, "classifier_activation": None},
        # the model sees 24 x 24 centre crops of 32 x 32 images, standardized per image: no encoded-image
        # signature, whose decoder resizes (the float `serving_default` takes the crops)
        serving_preprocess=None,
    )
    return train_classifier(config, program, out, resume, data_dir, (logger, *callbacks), 0, strategy, splits, recipe)


_SUMMARY = "precision @ 1 = {precision_at_1:.3f} (test loss {test_loss:.4f}, {steps} steps, {train_seconds:.1f} s)"
for _name, _config, _description in (
    ("cifar10_cnn", CIFAR10_CNN, "CIFAR-10 CNN with LRN and L2, Adam 1e-3, 3000 steps x 128 (5.3)"),
    ("cifar10_cnn_long", CIFAR10_CNN_LONG, "CIFAR-10 CNN, SGD 0.1 with staircase decay, 100k steps (5.3)"),
):
    register(Program(_name, _config, f"{__name__}:train_cifar10", _description, summary=_SUMMARY, length=Length("steps"),
                     optimizer=Cifar10Config.make_optimizer, strategies=STRATEGIES,
                     data="directory holding cifar-10-batches-bin/ (default: tensorflow-datasets' cifar10)"))

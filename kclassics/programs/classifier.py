"""The config of the book's classification programs: the hyperparameters `kclassics.training.train_classifier` runs.

Declared apart from the fit path, so naming a program and checking its
settings loads no TensorFlow.
"""

import dataclasses
import math
from typing import Optional

from kclassics import validation
from kclassics.optimizers import OPTIMIZERS, make_optimizer
from kclassics.programs import Length

# `steps` counts the book's batches; `epochs` trains whole passes instead; the
# embedded digits have their own, shorter `digits_steps` (see docs/reproduction.md).
CLASSIFIER_LENGTH = Length("steps", "steps", instead=("epochs",), embedded="digits_steps")


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
        if self.dataset != "digits" and self.digits_steps is not None:
            object.__setattr__(self, "digits_steps", None)  # the digits' own length does not apply to other data

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
        """The book's optimizer at `learning_rate`."""
        return make_optimizer(self.optimizer, self.learning_rate)


def classifier_total_steps(config, data_dir=None):
    """The global steps a classification program's run takes on its data (the split's size fixes the steps of `epochs`)."""
    from kclassics.programs._data import load_program_data, with_dataset

    config = with_dataset(config, data_dir)
    if config.epochs is None:
        return config.total_steps(None)
    return config.total_steps(len(load_program_data(config.dataset, data_dir).train))

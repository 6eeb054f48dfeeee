"""The book's denoising autoencoder experiment (book 4.2, L1378-1445).

Standardise the images with a scaler fitted on the training split, then for
20 epochs draw `int(n / 128)` random contiguous blocks of 128 per epoch and
call `partial_fit` on each; print the average cost per epoch and finally the
total cost of the test set.
"""

import dataclasses
import math
from typing import Optional

import numpy as np

from kclassics import validation
from kclassics.log import log
from kclassics.optimizers import make_optimizer
from kclassics.programs import MNIST_FILES, Length, Program, register
from kclassics.runs import Run


@dataclasses.dataclass(frozen=True)
class AutoencoderConfig:
    """The book's autoencoder hyperparameters.

    Attributes:
        model: registry name of the autoencoder.
        learning_rate: Adam's learning rate.
        epochs: passes of `int(n / batch_size)` random blocks.
        steps: if set, train this many blocks instead (epochs derived).
        batch_size: examples per block.
        hidden_units: hidden layer width.
        scale: noise standard deviation.
        dataset: name accepted by `kclassics.data.load`.
        seed: seed of weights, noise and block positions.
        source: where in the book these values come from.
    """

    model: str = "denoising_autoencoder"
    learning_rate: float = 1e-3  # AdamOptimizer(learning_rate = 0.001), L1424
    epochs: int = 20  # training_epochs = 20, L1410
    steps: Optional[int] = None
    batch_size: int = 128  # batch_size = 128, L1414
    hidden_units: int = 200  # n_hidden = 200, L1422
    scale: float = 0.01  # scale = 0.01, L1425
    dataset: str = "digits"
    seed: int = 0
    source: str = "book 4.2, L1410-1425"

    def __post_init__(self):
        for field in ("epochs", "batch_size", "hidden_units"):
            validation.positive_int(field, getattr(self, field))
        validation.positive_int("steps", self.steps, allow_none=True)
        validation.positive_float("learning_rate", self.learning_rate)
        validation.non_negative_float("scale", self.scale)
        validation.seed("seed", self.seed)


DENOISING_AUTOENCODER = AutoencoderConfig()


def standard_scale(x_train, x_test):
    """Standardises both splits with the mean and std of the training split (the book's `standard_scale`, L1385)."""
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(x_train)
    return scaler.transform(x_train).astype(np.float32), scaler.transform(x_test).astype(np.float32)


def get_random_block_from_data(data, batch_size, rng):
    """A random contiguous block of `batch_size` rows (L1395)."""
    start = rng.integers(0, len(data) - batch_size)
    return data[start : start + batch_size]


def train_autoencoder(config, program, out=None, resume=False, data_dir=None, callbacks=(), verbose=1):
    """Runs the book's autoencoder experiment and writes a run directory.

    Args:
        config: an `AutoencoderConfig`.
        program: the `Program` being run.
        out: run directory; default a new `runs/denoising_autoencoder-<timestamp>`.
        resume: continue the run in `out` after its last finished epoch.
        data_dir: directory of the MNIST IDX files (switches the dataset to MNIST).
        callbacks: unused, for the common program signature.
        verbose: log the book's per-epoch line when truthy.

    Returns:
        A `RunResult` whose metrics hold `test_total_cost`, and the average
        training cost (`epoch_costs`) and the test total cost
        (`test_costs`, also `test_costs_per_epoch`) after every epoch.
    """
    import keras
    import tensorflow as tf

    from kclassics.apps import create_model
    from kclassics.programs._data import load_program_data

    splits = load_program_data(config.dataset, data_dir, flatten=True)
    if len(splits.train) <= config.batch_size:
        raise ValueError(
            f"`batch_size` must be smaller than the {len(splits.train)} training examples. Received: batch_size={config.batch_size}"
        )
    run = Run.open(out, program, config, resume)
    x_train, x_test = standard_scale(splits.train.x, splits.test.x)
    keras.utils.set_random_seed(config.seed)
    model = create_model(config.model, input_shape=(x_train.shape[1],), hidden_units=config.hidden_units, scale=config.scale)
    model.compile(optimizer=program.optimizer(config))
    first_epoch = run.restore(model).get("epoch", 0)

    batches_per_epoch = int(len(x_train) / config.batch_size)  # total_batch = int(n_samples / batch_size), L1433
    epochs = math.ceil(config.steps / batches_per_epoch) if config.steps else config.epochs
    total_steps = config.steps or epochs * batches_per_epoch

    writer = tf.summary.create_file_writer(str(run.log_dir))
    run.start_training()
    for epoch in range(first_epoch, epochs):
        steps_this_epoch = min(batches_per_epoch, total_steps - epoch * batches_per_epoch)
        avg_cost = 0.0
        rng = np.random.default_rng([config.seed, epoch])  # per epoch, so a resumed run draws the same blocks
        for _ in range(steps_this_epoch):
            cost = model.partial_fit(get_random_block_from_data(x_train, config.batch_size, rng))
            avg_cost += cost / len(x_train) * config.batch_size  # L1438
        test_cost = model.calc_total_cost(x_test)
        if verbose:
            log("Epoch: %04d cost= %.9f" % (epoch + 1, avg_cost))
        with writer.as_default():
            tf.summary.scalar("cost", avg_cost, step=epoch + 1)
            tf.summary.scalar("test_total_cost", test_cost, step=epoch + 1)
        step = int(keras.ops.convert_to_numpy(model.optimizer.iterations))
        run.record(step, cost=avg_cost, test_total_cost=test_cost)
        run.checkpoint(step, model, epoch=epoch + 1)
    writer.close()
    total_cost = model.calc_total_cost(x_test)
    if verbose:
        log("Total cost: " + str(total_cost))

    test_costs = [cost for _, cost in run.history.get("test_total_cost", [])]
    metrics = {
        "test_total_cost": total_cost,
        "epoch_costs": [cost for _, cost in run.history.get("cost", [])],
        "test_costs": test_costs,
        "test_costs_per_epoch": test_costs,
    }
    return run.finish(model, metrics, task=program.task)


register(Program(
    "denoising_autoencoder", DENOISING_AUTOENCODER, f"{__name__}:train_autoencoder",
    "Additive Gaussian noise autoencoder, Adam 1e-3, 20 epochs x 128 (4.2)",
    summary="test total cost {test_total_cost:.1f} ({steps} steps, {train_seconds:.1f} s)",
    length=Length("epochs", "epochs", instead=("steps",)),
    optimizer=lambda config: make_optimizer("adam", config.learning_rate),
    data=MNIST_FILES, task="reconstruction",
))

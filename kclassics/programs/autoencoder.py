"""The book's denoising autoencoder experiment (book 4.2, L1378-1445).

Standardise the images with a scaler fitted on the training split, then for
20 epochs draw `int(n / 128)` random contiguous blocks of 128 per epoch and
call `partial_fit` on each; print the average cost per epoch and finally the
total cost of the test set.
"""

import dataclasses
import json
import math
import time
from typing import Optional

import keras
import numpy as np

from kclassics.apps import create_model
from kclassics.programs import Program, register
from kclassics.programs.mnist import load_program_data
from kclassics.training import prepare_run_dir


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
            value = getattr(self, field)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"`{field}` must be a positive integer. Received: {field}={value!r}")
        if self.steps is not None and (not isinstance(self.steps, int) or self.steps < 1):
            raise ValueError(f"`steps` must be a positive integer or None. Received: steps={self.steps!r}")
        if not self.learning_rate > 0:
            raise ValueError(f"`learning_rate` must be positive. Received: learning_rate={self.learning_rate!r}")


DENOISING_AUTOENCODER = AutoencoderConfig()


@dataclasses.dataclass
class AutoencoderResult:
    """What `train_autoencoder` produced."""

    run_dir: object
    model: keras.Model
    epoch_costs: list
    test_costs: list
    test_total_cost: float
    steps: int
    seconds: float
    export_path: object


def standard_scale(x_train, x_test):
    """Standardises both splits with the mean and std of the training split (the book's `standard_scale`, L1385)."""
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(x_train)
    return scaler.transform(x_train).astype(np.float32), scaler.transform(x_test).astype(np.float32)


def get_random_block_from_data(data, batch_size, rng):
    """A random contiguous block of `batch_size` rows (L1395)."""
    start = rng.integers(0, len(data) - batch_size)
    return data[start : start + batch_size]


def train_autoencoder(config, out=None, resume=False, data_dir=None, callbacks=(), verbose=1, run_name=None):
    """Runs the book's autoencoder experiment and writes a run directory.

    Args:
        config: an `AutoencoderConfig`.
        out: run directory; default a new `runs/denoising_autoencoder-<timestamp>`.
        resume: continue the run in `out` after its last finished epoch.
        data_dir: directory of the MNIST IDX files (switches the dataset to MNIST).
        callbacks: unused, for the common program signature.
        verbose: print the book's per-epoch line when truthy.
        run_name: prefix of a default run directory.

    Returns:
        An `AutoencoderResult` with the average training cost and the test
        total cost after every epoch.
    """
    splits = load_program_data(config.dataset, data_dir, flatten=True)
    if len(splits.train) <= config.batch_size:
        raise ValueError(
            f"`batch_size` must be smaller than the {len(splits.train)} training examples. Received: batch_size={config.batch_size}"
        )
    run_dir = prepare_run_dir(out, run_name or config.model, resume)
    x_train, x_test = standard_scale(splits.train.x, splits.test.x)
    keras.utils.set_random_seed(config.seed)
    model = create_model(config.model, input_shape=(x_train.shape[1],), hidden_units=config.hidden_units, scale=config.scale)
    model.compile(optimizer=keras.optimizers.Adam(config.learning_rate))

    batches_per_epoch = int(len(x_train) / config.batch_size)  # total_batch = int(n_samples / batch_size), L1433
    epochs = math.ceil(config.steps / batches_per_epoch) if config.steps else config.epochs
    total_steps = config.steps or epochs * batches_per_epoch
    checkpoint = run_dir / "checkpoints" / "last.weights.h5"
    state_path = run_dir / "checkpoints" / "state.json"
    state = {"epoch": 0, "epoch_costs": [], "test_costs": []}
    if resume and state_path.is_file():
        model.train_on_batch(x_train[:1], x_train[:1])  # creates the optimizer variables before loading them
        model.load_weights(checkpoint)
        state = json.loads(state_path.read_text())
    (run_dir / "config.json").write_text(json.dumps(dataclasses.asdict(config), indent=2))

    import tensorflow as tf

    writer = tf.summary.create_file_writer(str(run_dir / "logs"))
    start = time.perf_counter()
    for epoch in range(state["epoch"], epochs):
        steps_this_epoch = min(batches_per_epoch, total_steps - epoch * batches_per_epoch)
        avg_cost = 0.0
        rng = np.random.default_rng([config.seed, epoch])  # per epoch, so a resumed run draws the same blocks
        for _ in range(steps_this_epoch):
            cost = model.partial_fit(get_random_block_from_data(x_train, config.batch_size, rng))
            avg_cost += cost / len(x_train) * config.batch_size  # L1438
        test_cost = model.calc_total_cost(x_test)
        state["epoch"] = epoch + 1
        state["epoch_costs"].append(avg_cost)
        state["test_costs"].append(test_cost)
        if verbose:
            print("Epoch:", "%04d" % (epoch + 1), "cost=", "{:.9f}".format(avg_cost))
        with writer.as_default():
            tf.summary.scalar("cost", avg_cost, step=epoch + 1)
            tf.summary.scalar("test_total_cost", test_cost, step=epoch + 1)
        checkpoint.parent.mkdir(exist_ok=True)
        model.save_weights(checkpoint)
        state_path.write_text(json.dumps(state))
    writer.close()
    seconds = time.perf_counter() - start
    total_cost = model.calc_total_cost(x_test)
    if verbose:
        print("Total cost: " + str(total_cost))

    model.save(run_dir / "model.keras")
    export_path = export_autoencoder(model, run_dir / "export")
    result = AutoencoderResult(
        run_dir, model, state["epoch_costs"], state["test_costs"], total_cost,
        int(keras.ops.convert_to_numpy(model.optimizer.iterations)), seconds, export_path,
    )
    metrics = {
        "test_total_cost": total_cost,
        "epoch_costs": result.epoch_costs,
        "test_costs_per_epoch": result.test_costs,
        "steps": result.steps,
        "train_seconds": round(seconds, 3),
        "export": str(export_path),
    }
    (run_dir / "metrics.json").write_text(json.dumps(metrics, indent=2))
    plot_costs(result.epoch_costs, result.test_costs, run_dir / "curves.png")
    return result


def export_autoencoder(model, export_dir):
    """A versioned SavedModel with `images` -> `reconstruction` and `hidden` (standardised 784-vectors)."""
    import tensorflow as tf

    from kclassics.export import next_version

    target = export_dir / str(next_version(export_dir))
    archive = keras.export.ExportArchive()
    archive.track(model)
    spec = tf.TensorSpec((None, model.n_input), tf.float32, name="images")

    def serve(images):
        hidden = model.transfer(model.hidden_layer(images))
        return {"reconstruction": model.reconstruction_layer(hidden), "hidden": hidden}

    archive.add_endpoint(name="serving_default", fn=serve, input_signature=[spec])
    export_dir.mkdir(parents=True, exist_ok=True)
    archive.write_out(str(target), verbose=False)
    return target


def plot_costs(epoch_costs, test_costs, path):
    """Average training cost and test total cost per epoch, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
    epochs = range(1, len(epoch_costs) + 1)
    for ax, values, title in ((axes[0], epoch_costs, "average cost per example batch"), (axes[1], test_costs, "test total cost")):
        ax.plot(epochs, values, marker="o")
        ax.set_xlabel("epoch")
        ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


register(Program("denoising_autoencoder", DENOISING_AUTOENCODER, train_autoencoder, "Additive Gaussian noise autoencoder, Adam 1e-3, 20 epochs x 128 (4.2)"))

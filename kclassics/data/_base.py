"""Containers for in-memory datasets and their tf.data pipelines."""

import dataclasses
from pathlib import Path
from typing import Callable

import numpy as np

from kclassics.registry import Registry


@dataclasses.dataclass(frozen=True)
class Split:
    """One split of a dataset: features `x` and sparse integer labels `y`."""

    x: np.ndarray
    y: np.ndarray

    def __post_init__(self):
        if len(self.x) != len(self.y):
            raise ValueError(f"x and y differ in length: {len(self.x)} != {len(self.y)}")

    def __len__(self):
        return len(self.x)

    def one_hot(self, num_classes):
        """The labels as one-hot float32 rows."""
        return np.eye(num_classes, dtype=np.float32)[self.y]


@dataclasses.dataclass(frozen=True)
class Splits:
    """Train, validation and test splits of a classification dataset."""

    name: str
    train: Split
    validation: Split
    test: Split
    num_classes: int

    @property
    def input_shape(self):
        return self.train.x.shape[1:]


DATASETS = Registry("dataset")


def check_directory(dataset, directory, argument, holds):
    """`directory` as a `Path` if it is an existing directory.

    Args:
        dataset: the dataset's name, for messages.
        directory: the directory the user named.
        argument: how the user named it (`"data_dir"`, `"KCLASSICS_DATA_DIR"`).
        holds: what the directory should hold, for messages.

    Raises:
        NotADirectoryError: `directory` is a file.
        FileNotFoundError: `directory` does not exist.
    """
    path = Path(directory)
    where = f"{argument} (--data-dir on the command line)" if argument == "data_dir" else argument
    if path.exists() and not path.is_dir():
        raise NotADirectoryError(
            f"{dataset} {where} must name a directory, but {str(path)!r} is a file. "
            f"Name the directory that holds {holds}. Received: {argument}={str(directory)!r}"
        )
    if not path.is_dir():
        raise FileNotFoundError(
            f"{dataset} directory {str(path)!r} does not exist. It must hold {holds}. Received: {argument}={str(directory)!r}"
        )
    return path


def register_loader(name: str, loader: Callable):
    """Makes `load(name, ...)` call `loader(...)`; a name is registered once."""
    return DATASETS.register(name, loader)


def available():
    """Names accepted by `load`."""
    return DATASETS.names()


def load(name, **kwargs):
    """Loads a dataset by name: `load("digits")`.

    Args:
        name: one of `available()`.
        **kwargs: passed to the dataset's loader (for example `data_dir`).

    Returns:
        A `Splits`.
    """
    return DATASETS.get(name)(**kwargs)


def training_pipeline(split, batch_size, seed=0, augment=None):
    """An endless shuffled, batched, prefetched `tf.data.Dataset` of `(x, y)`.

    Batches are full (`drop_remainder=True`) so every step sees `batch_size`
    examples, as the book's `next_batch` does.
    """
    import tensorflow as tf

    ds = tf.data.Dataset.from_tensor_slices((split.x, split.y))
    ds = ds.shuffle(len(split), seed=seed, reshuffle_each_iteration=True).repeat()
    ds = ds.batch(batch_size, drop_remainder=True)
    if augment is not None:
        ds = ds.map(augment, num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)


def evaluation_pipeline(split, batch_size, preprocess=None):
    """A single pass over `split` in order, the last batch possibly short."""
    import tensorflow as tf

    ds = tf.data.Dataset.from_tensor_slices((split.x, split.y)).batch(batch_size)
    if preprocess is not None:
        ds = ds.map(preprocess, num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)


def _causes(error):
    """`error` and the exceptions it was raised from or during, outermost first."""
    seen = []
    while error is not None and error not in seen:
        seen.append(error)
        error = error.__cause__ or error.__context__
    return seen


def _network_errors(error):
    """The exceptions in `error`'s chain that say a download could not reach its server, outermost first."""
    import socket
    import urllib.error

    import requests

    network = (requests.exceptions.RequestException, urllib.error.URLError, ConnectionError, TimeoutError, socket.gaierror)
    return [e for e in _causes(error) if isinstance(e, network)]


def load_tfds_arrays(name, data_dir=None, hint=""):
    """The train and test splits of a tensorflow-datasets dataset as `((x, y), (x, y))` numpy arrays.

    Args:
        name: the tfds name (`"mnist"`, `"cifar10"`).
        data_dir: tfds data directory, default tfds's own.
        hint: what the user can give instead, appended to the error.

    Raises:
        ModuleNotFoundError: a module tensorflow-datasets needs is not installed.
        FileNotFoundError: tfds has no prepared copy and its download failed.
    """
    import numpy as np
    import tensorflow_datasets as tfds

    try:
        splits = tfds.load(name, split=["train", "test"], as_supervised=True, data_dir=data_dir)
    except Exception as error:
        missing = next((e for e in _causes(error) if isinstance(e, ModuleNotFoundError)), None)
        if missing is not None:  # an installation problem, not a data one: say which module
            raise ModuleNotFoundError(
                f"tensorflow-datasets cannot load {name}: the module {missing.name!r} it imports is not installed "
                f"({type(missing).__name__}: {missing}). Install it (pip install {missing.name}) or reinstall "
                f"kclassics, which declares it.",
                name=missing.name,
            ) from error
        network = _network_errors(error)
        if not network:
            raise  # neither missing data nor a missing module: tfds's own error says more than a rewording would
        where = repr(str(data_dir)) if data_dir is not None else f"tfds's default directory {tfds.core.constants.DATA_DIR!r}"
        reason, request = network[-1], network[0]  # the root cause (refused, unresolved host) and the failed request
        raise FileNotFoundError(
            f"{name} is not prepared in {where} and tensorflow-datasets could not download it: the download failed "
            f"({type(reason).__name__}: {reason}; {type(request).__name__}: {str(request)[:200]}). Without a network: {hint}"
        ) from error
    # one batch larger than any split turns each split into two arrays
    arrays = [next(iter(tfds.as_numpy(split.batch(1 << 30)))) for split in splits]
    return tuple((x, y.astype(np.int64)) for x, y in arrays)

"""MNIST from the four standard IDX files (raw or gzip) or from tensorflow-datasets.

The book reads MNIST with `input_data.read_data_sets` (book 3.2, L1043), which
splits the 60,000 training images into train 55,000 and validation 5,000 (the
first 5,000) and keeps the 10,000 test images (L1046). The files are looked
for in `data_dir`, else in the directory named by the environment variable
`KCLASSICS_DATA_DIR`; with neither, tensorflow-datasets is used when it has (or
can download) the data.
"""

import gzip
import os
import zlib
from pathlib import Path

import numpy as np

from kclassics import validation
from kclassics.data._base import Split, Splits, check_directory, load_tfds_arrays

ENV_DATA_DIR = "KCLASSICS_DATA_DIR"
TRAIN_IMAGES = "train-images-idx3-ubyte"
TRAIN_LABELS = "train-labels-idx1-ubyte"
TEST_IMAGES = "t10k-images-idx3-ubyte"
TEST_LABELS = "t10k-labels-idx1-ubyte"
FILES = (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)
HOLDS = f"the four IDX files {', '.join(FILES)} (raw or .gz)"
VALIDATION_SIZE = 5000  # read_data_sets(validation_size=5000): the first 5,000 training images

# IDX magic numbers: 0x0000 08 (unsigned byte) 0N (number of dimensions).
_IMAGES_MAGIC, _LABELS_MAGIC = 2051, 2049


def data_dir_from_env(data_dir=None):
    """`data_dir` if given, else `$KCLASSICS_DATA_DIR`, else None."""
    if data_dir is not None:
        return data_dir
    return os.environ.get(ENV_DATA_DIR) or None


def resolve_source(dataset, source, file_source, data_dir, holds):
    """Where a loader reads from: `("tfds", tfds_dir_or_None)` or `(file_source, directory)`.

    A directory of standard files is checked here, before anything is read.

    Args:
        dataset: the dataset's name, for messages.
        source: the loader's `source` argument: `"auto"`, `file_source` or `"tfds"`.
        file_source: the name of the standard-files source (`"idx"`, `"bin"`).
        data_dir: the directory argument (default `$KCLASSICS_DATA_DIR`).
        holds: what that directory should hold, for messages.

    Raises:
        NotADirectoryError: the directory of standard files is a file.
        FileNotFoundError: it does not exist.
    """
    accepted = ("auto", file_source, "tfds")
    if source not in accepted:
        raise ValueError(f"Unknown {dataset} source. Accepted: {', '.join(accepted)}. Received: source={source!r}")
    directory = data_dir_from_env(data_dir)
    if source == file_source and directory is None:
        raise ValueError(f"source={file_source!r} needs data_dir (or {ENV_DATA_DIR}). Received: data_dir=None")
    if source == "tfds" or (source == "auto" and directory is None):
        return "tfds", directory if source == "tfds" else None
    argument = "data_dir" if data_dir is not None else ENV_DATA_DIR
    return file_source, check_directory(dataset, directory, argument, holds)


def find_file(data_dir, name):
    """The path of `name` or `name.gz` in `data_dir`.

    Raises:
        FileNotFoundError: naming the directory and the files it should hold.
    """
    directory = check_directory("MNIST", data_dir, "data_dir", HOLDS)
    for candidate in (directory / name, directory / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        f"{name} (or {name}.gz) is missing from {str(directory)!r}; an MNIST directory holds {HOLDS}. "
        f"Received: data_dir={str(data_dir)!r}"
    )


def read_idx(path, expected_magic):
    """Reads an IDX file of unsigned bytes (raw or gzip) into a uint8 array.

    Args:
        path: the file; a `.gz` suffix means gzip.
        expected_magic: 2051 for images, 2049 for labels.

    Returns:
        A uint8 array with the shape the header declares.

    Raises:
        ValueError: wrong magic number, or a file shorter or longer than its header says.
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            raw = f.read()
    except zlib.error as error:
        raise ValueError(
            f"Cannot read the IDX file {str(path)!r}: its gzip data is corrupt (zlib.error: {error}). "
            f"Replace it with an intact copy."
        ) from error
    except EOFError as error:
        raise ValueError(
            f"Cannot read the IDX file {str(path)!r}: its gzip stream ends early ({error}): the file is truncated. "
            f"Replace it with an intact copy."
        ) from error
    except gzip.BadGzipFile as error:  # not gzip at all, or a failed CRC / length check
        raise ValueError(
            f"Cannot read the IDX file {str(path)!r}: it is not an intact gzip file ({error}). A raw IDX file "
            f"must not end in .gz; a damaged one must be replaced."
        ) from error
    except OSError as error:  # unreadable: permissions, a directory in its place
        raise ValueError(f"Cannot read the IDX file {str(path)!r}: {error}") from error
    if len(raw) < 4 or int.from_bytes(raw[:4], "big") != expected_magic:
        found = int.from_bytes(raw[:4], "big") if len(raw) >= 4 else None
        raise ValueError(
            f"{str(path)!r} is not an IDX {'image' if expected_magic == _IMAGES_MAGIC else 'label'} file: "
            f"magic number {found} where {expected_magic} is expected."
        )
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{str(path)!r} is truncated: its header needs {header} bytes, the file has {len(raw)}.")
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = header + int(np.prod(shape))
    if len(raw) != expected:
        raise ValueError(
            f"{str(path)!r} has {len(raw)} bytes but its header declares shape {shape}, "
            f"which needs {expected}: the file is {'truncated' if len(raw) < expected else 'too long'}."
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def _read_pair(data_dir, images_name, labels_name):
    images = read_idx(find_file(data_dir, images_name), _IMAGES_MAGIC)
    labels = read_idx(find_file(data_dir, labels_name), _LABELS_MAGIC)
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise ValueError(f"{images_name} holds images of shape {images.shape[1:]}; MNIST images are 28x28.")
    if labels.ndim != 1 or len(labels) != len(images):
        raise ValueError(f"{labels_name} holds {labels.shape} labels for {len(images)} images in {images_name}.")
    if labels.size and labels.max() > 9:
        raise ValueError(f"{labels_name} holds label {int(labels.max())}; MNIST labels are 0-9.")
    return images, labels.astype(np.int64)


def _read_tfds(data_dir):
    (train_x, train_y), (test_x, test_y) = load_tfds_arrays(
        "mnist", data_dir, f"Pass --data-dir (or set {ENV_DATA_DIR}) to a directory holding {', '.join(FILES)} (raw or .gz)."
    )
    return (train_x[..., 0], train_y), (test_x[..., 0], test_y)


def _check_training_count(count, validation_size, found_in, received):
    """Raises if `count` training images leave none to train on once `validation_size` are held out."""
    if validation_size < count:
        return
    if validation_size == VALIDATION_SIZE:  # the book's split: the user never chose it, so say what it needs
        raise ValueError(
            f"MNIST's training images: found {count} in {found_in}, but the book's split (read_data_sets, L1043) "
            f"holds out the first {VALIDATION_SIZE:,} for validation and trains on the rest, so it needs more than "
            f"{VALIDATION_SIZE:,} (the standard file has 60,000). Received: {received} (validation_size={validation_size})"
        )
    raise ValueError(
        f"`validation_size` must be between 0 and {count - 1}: {found_in} holds {count} training images and at "
        f"least one must be left to train on. Received: validation_size={validation_size!r}"
    )


def load_mnist(data_dir=None, flatten=False, one_hot=False, source="auto", validation_size=VALIDATION_SIZE):
    """MNIST with the book's splits: train 55,000 / validation 5,000 / test 10,000.

    Args:
        data_dir: directory with the four IDX files (raw or `.gz`); default
            `$KCLASSICS_DATA_DIR`.
        flatten: 784-vectors (the book's layout) instead of 28x28x1 images.
        one_hot: one-hot float labels instead of sparse integers.
        source: `"idx"` reads `data_dir`, `"tfds"` uses tensorflow-datasets,
            `"auto"` reads the files when a directory is named, tfds otherwise.
        validation_size: how many of the first training images form the
            validation split.

    Returns:
        `Splits` named "mnist", pixels scaled to [0, 1] as float32.
    """
    validation.non_negative_int("validation_size", validation_size)
    reader, directory = resolve_source("MNIST", source, "idx", data_dir, HOLDS)
    if reader == "tfds":
        (train_x, train_y), (test_x, test_y) = _read_tfds(directory)
        _check_training_count(len(train_x), validation_size, "tensorflow-datasets' mnist train split", f"source={source!r}")
    else:
        train_x, train_y = _read_pair(directory, TRAIN_IMAGES, TRAIN_LABELS)
        found = f"{str(find_file(directory, TRAIN_IMAGES))!r}"
        _check_training_count(len(train_x), validation_size, found, f"data_dir={str(directory)!r}")
        test_x, test_y = _read_pair(directory, TEST_IMAGES, TEST_LABELS)

    def split(images, labels):
        x = images.astype(np.float32) / 255.0  # read_data_sets scales to [0, 1] (dtype=float32)
        x = x.reshape(len(x), -1) if flatten else x[..., None]
        y = np.eye(10, dtype=np.float32)[labels] if one_hot else labels
        return Split(x, y)

    return Splits(
        "mnist",
        train=split(train_x[validation_size:], train_y[validation_size:]),
        validation=split(train_x[:validation_size], train_y[:validation_size]),
        test=split(test_x, test_y),
        num_classes=10,
    )

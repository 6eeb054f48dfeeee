"""CIFAR-10 from the standard binary batches or tensorflow-datasets, with the book's input pipelines.

The book (5.3, L1843-1851) trains on `cifar10_input.distorted_inputs` and tests
on `cifar10_input.inputs(eval_data=True)`, both reading `cifar-10-batches-bin`:
each record is one label byte then 3,072 bytes of a 32x32 image stored
channel-first (1,024 red, 1,024 green, 1,024 blue). The pipelines here do the
same preprocessing as batched, vectorised `tf.data` maps.
"""

from pathlib import Path

import numpy as np

from kclassics.data._base import Split, Splits, check_directory, load_tfds_arrays
from kclassics.data.mnist import ENV_DATA_DIR, resolve_source

BATCHES_DIR = "cifar-10-batches-bin"
TRAIN_FILES = tuple(f"data_batch_{i}.bin" for i in range(1, 6))
TEST_FILES = ("test_batch.bin",)
IMAGE_SIZE = 32
CROP_SIZE = 24  # cifar10_input.IMAGE_SIZE: the network sees 24x24 crops
RECORD_BYTES = 1 + IMAGE_SIZE * IMAGE_SIZE * 3
RECORDS_PER_FILE = 10000  # each batch file of the binary version
HOLDS = f"{BATCHES_DIR}/ (or be it) with {', '.join(TRAIN_FILES + TEST_FILES)}"
NUM_CLASSES = 10
# The distortions of cifar10_input.distorted_inputs (book L1840), for pixels in [0, 1].
MAX_BRIGHTNESS_DELTA = 63 / 255  # random_brightness(max_delta=63) on 0-255 pixels
CONTRAST_RANGE = (0.2, 1.8)  # random_contrast(lower=0.2, upper=1.8)


def batches_dir(data_dir):
    """The directory holding the `.bin` files: `data_dir` itself or its `cifar-10-batches-bin/`."""
    directory = check_directory("CIFAR-10", data_dir, "data_dir", HOLDS)
    nested = directory / BATCHES_DIR
    return nested if nested.is_dir() else directory


def read_batch_file(path):
    """Reads one CIFAR-10 binary batch file.

    Args:
        path: a `.bin` file of 3,073-byte records.

    Returns:
        `(images, labels)`: uint8 `(n, 32, 32, 3)` and int64 `(n,)`.

    Raises:
        ValueError: the size is not a whole number of records, or a label is not 0-9.
    """
    raw = np.fromfile(path, dtype=np.uint8)
    standard = f"a batch file of the binary version holds {RECORDS_PER_FILE:,} records, {RECORDS_PER_FILE * RECORD_BYTES:,} bytes"
    if raw.size == 0:
        raise ValueError(f"{str(path)!r} is empty; {standard}. Replace it with an intact copy.")
    if raw.size % RECORD_BYTES:
        whole, extra = divmod(raw.size, RECORD_BYTES)
        raise ValueError(
            f"{str(path)!r} has {raw.size} bytes, not a whole number of {RECORD_BYTES}-byte CIFAR-10 records "
            f"(1 label byte + 32x32x3 pixels): {whole} records and {extra} bytes over, so the file is truncated or "
            f"not a CIFAR-10 binary batch ({standard})."
        )
    records = raw.reshape(-1, RECORD_BYTES)
    labels = records[:, 0].astype(np.int64)
    if labels.max() >= NUM_CLASSES:
        bad = int(np.argmax(labels >= NUM_CLASSES))
        raise ValueError(f"{str(path)!r} record {bad} has label {int(labels[bad])}; CIFAR-10 labels are 0-9.")
    images = records[:, 1:].reshape(-1, 3, IMAGE_SIZE, IMAGE_SIZE).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(images), labels


def _read_files(directory, names):
    missing = [name for name in names if not (directory / name).is_file()]
    if missing:
        python_version = [name for name in missing if (directory / Path(name).stem).is_file()]
        hint = (
            f" {str(directory)!r} holds {', '.join(Path(n).stem for n in python_version)} without .bin: that is the "
            f"Python (pickled) version; kclassics reads the binary version, cifar-10-binary.tar.gz."
            if python_version
            else ""
        )
        raise FileNotFoundError(
            f"{', '.join(missing)} missing from {str(directory)!r}; the CIFAR-10 binary version holds "
            f"{', '.join(TRAIN_FILES + TEST_FILES)} in {BATCHES_DIR}/.{hint}"
        )
    parts = [read_batch_file(directory / name) for name in names]
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def _read_tfds(data_dir):
    return load_tfds_arrays(
        "cifar10", data_dir, f"Pass --data-dir (or set {ENV_DATA_DIR}) to the directory holding {BATCHES_DIR}/."
    )


def load_cifar10(data_dir=None, source="auto"):
    """CIFAR-10: train 50,000 / test 10,000 uint8 32x32x3 images (the book has no validation split).

    Args:
        data_dir: a directory holding `cifar-10-batches-bin/` (or that folder
            itself); default `$KCLASSICS_DATA_DIR`.
        source: `"bin"` reads `data_dir`, `"tfds"` uses tensorflow-datasets,
            `"auto"` reads the files when a directory is named, tfds otherwise.

    Returns:
        `Splits` named "cifar10" with an empty validation split; pixels stay
        uint8 (the pipelines convert them).
    """
    reader, directory = resolve_source("CIFAR-10", source, "bin", data_dir, HOLDS)
    if reader == "tfds":
        (train_x, train_y), (test_x, test_y) = _read_tfds(directory)
    else:
        folder = batches_dir(directory)
        train_x, train_y = _read_files(folder, TRAIN_FILES)
        test_x, test_y = _read_files(folder, TEST_FILES)
    empty = Split(train_x[:0], train_y[:0])
    return Splits("cifar10", Split(train_x, train_y), empty, Split(test_x, test_y), num_classes=NUM_CLASSES)


def distort_batch(images, labels):
    """The book's training distortions on a batch of uint8 32x32x3 images, vectorised over the batch.

    Per image: a random 24x24 crop, a random left-right flip, a random
    brightness shift (max 63/255), a random contrast factor in [0.2, 1.8], then
    per-image standardisation (`cifar10_input.distorted_inputs`, book L1840).

    Returns:
        `(float32 (n, 24, 24, 3) images, labels)`.
    """
    import tensorflow as tf

    uniform = tf.random.uniform
    x = tf.cast(images, tf.float32) / 255.0
    n = tf.shape(x)[0]
    limit = IMAGE_SIZE - CROP_SIZE + 1
    top = uniform([n], 0, limit, dtype=tf.int32)
    left = uniform([n], 0, limit, dtype=tf.int32)
    window = tf.range(CROP_SIZE)
    x = tf.gather(x, top[:, None] + window, axis=1, batch_dims=1)  # rows of each image's crop
    x = tf.gather(x, left[:, None] + window, axis=2, batch_dims=1)  # then its columns
    flip = uniform([n, 1, 1, 1], 0.0, 1.0) < 0.5
    x = tf.where(flip, tf.reverse(x, axis=[2]), x)
    x = x + uniform([n, 1, 1, 1], -MAX_BRIGHTNESS_DELTA, MAX_BRIGHTNESS_DELTA)
    mean = tf.reduce_mean(x, axis=[1, 2], keepdims=True)  # adjust_contrast: per image and channel
    x = (x - mean) * uniform([n, 1, 1, 1], *CONTRAST_RANGE) + mean
    return tf.image.per_image_standardization(x), labels


def evaluation_batch(images, labels):
    """The book's evaluation input: central 24x24 crop and per-image standardisation (`cifar10_input.inputs`)."""
    import tensorflow as tf

    x = tf.cast(images, tf.float32) / 255.0
    offset = (IMAGE_SIZE - CROP_SIZE) // 2
    x = x[:, offset : offset + CROP_SIZE, offset : offset + CROP_SIZE, :]
    return tf.image.per_image_standardization(x), labels


def cifar10_training_pipeline(split, batch_size, seed=0):
    """Endless shuffled batches of distorted 24x24 crops, prefetched (seed the distortions with `keras.utils.set_random_seed`)."""
    import tensorflow as tf

    ds = tf.data.Dataset.from_tensor_slices((split.x, split.y))
    # cifar10_input keeps 40% of the epoch (20,000 images) in its shuffling queue.
    ds = ds.shuffle(min(len(split), 20000), seed=seed, reshuffle_each_iteration=True).repeat()
    ds = ds.batch(batch_size, drop_remainder=True)
    ds = ds.map(distort_batch, num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)


def cifar10_evaluation_pipeline(split, batch_size):
    """One ordered pass over `split` of centrally cropped, standardised images; the last batch may be short."""
    import tensorflow as tf

    ds = tf.data.Dataset.from_tensor_slices((split.x, split.y)).batch(batch_size)
    return ds.map(evaluation_batch, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)

"""The MNIST readers on small files in the real IDX format (raw and gzip), and through mocked tfds."""

import gzip

import numpy as np
import pytest

from kclassics import data
from kclassics.data import mnist

TRAIN, TEST = 5003, 7  # just over the book's 5,000-image validation split


def write_idx(path, array, magic, compress=False):
    header = magic.to_bytes(4, "big") + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    payload = header + np.asarray(array, dtype=np.uint8).tobytes()
    if compress:
        path = path.with_name(path.name + ".gz")
        with gzip.open(path, "wb") as f:
            f.write(payload)
    else:
        path.write_bytes(payload)
    return path


def write_mnist(directory, compress=False, train=TRAIN, test=TEST, seed=0):
    """Writes the four MNIST files; pixel value = (index * 7 + row) % 256 so positions are checkable."""
    rng = np.random.default_rng(seed)
    directory.mkdir(parents=True, exist_ok=True)
    arrays = {}
    for prefix, count in (("train", train), ("t10k", test)):
        images = rng.integers(0, 256, size=(count, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, size=count, dtype=np.uint8)
        write_idx(directory / f"{prefix}-images-idx3-ubyte", images, 2051, compress)
        write_idx(directory / f"{prefix}-labels-idx1-ubyte", labels, 2049, compress)
        arrays[prefix] = (images, labels)
    return arrays


@pytest.mark.parametrize("compress", [False, True], ids=["raw", "gzip"])
def test_reads_idx_files_with_the_book_splits(tmp_path, compress):
    arrays = write_mnist(tmp_path, compress)
    splits = data.load("mnist", data_dir=tmp_path)
    train_images, train_labels = arrays["train"]
    assert (len(splits.train), len(splits.validation), len(splits.test)) == (TRAIN - 5000, 5000, TEST)
    assert splits.train.x.shape[1:] == (28, 28, 1) and splits.train.x.dtype == np.float32
    # validation is the first 5,000 training images, train the rest, scaled to [0, 1]
    np.testing.assert_allclose(splits.validation.x[:, :, :, 0], train_images[:5000] / 255.0, rtol=1e-6)
    np.testing.assert_allclose(splits.train.x[:, :, :, 0], train_images[5000:] / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(splits.train.y, train_labels[5000:])
    np.testing.assert_array_equal(splits.test.y, arrays["t10k"][1])
    assert splits.train.x.min() >= 0.0 and splits.train.x.max() <= 1.0


def test_flat_one_hot_and_environment_variable(tmp_path, monkeypatch):
    arrays = write_mnist(tmp_path, compress=True)
    monkeypatch.setenv("KCLASSICS_DATA_DIR", str(tmp_path))
    splits = mnist.load_mnist(flatten=True, one_hot=True)
    assert splits.test.x.shape == (TEST, 784)
    np.testing.assert_array_equal(splits.test.y.argmax(1), arrays["t10k"][1])
    assert splits.test.y.shape == (TEST, 10) and splits.test.y.sum() == TEST


def test_missing_directory_and_file_name_the_expected_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte.*t10k-labels-idx1-ubyte"):
        data.load("mnist", data_dir=tmp_path / "nowhere")
    write_mnist(tmp_path, train=5001, test=1)
    (tmp_path / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(FileNotFoundError, match=r"t10k-labels-idx1-ubyte \(or t10k-labels-idx1-ubyte.gz\) is missing"):
        data.load("mnist", data_dir=tmp_path)


@pytest.mark.parametrize("compress", [False, True], ids=["raw", "gzip"])
def test_truncated_idx_file(tmp_path, compress):
    images = np.zeros((3, 28, 28), np.uint8)
    path = write_idx(tmp_path / "x-idx3-ubyte", images, 2051, compress)
    payload = gzip.decompress(path.read_bytes()) if compress else path.read_bytes()
    cut = payload[:-10]
    path.write_bytes(gzip.compress(cut) if compress else cut)
    with pytest.raises(ValueError, match=r"declares shape \(3, 28, 28\).*truncated"):
        mnist.read_idx(path, 2051)


def test_wrong_magic_and_damaged_gzip(tmp_path):
    labels_as_images = write_idx(tmp_path / "labels-idx1-ubyte", np.zeros(4, np.uint8), 2049)
    with pytest.raises(ValueError, match="not an IDX image file: magic number 2049 where 2051"):
        mnist.read_idx(labels_as_images, 2051)
    damaged = tmp_path / "images-idx3-ubyte.gz"
    damaged.write_bytes(b"\x1f\x8b not really gzip")
    with pytest.raises(ValueError, match="Cannot read the IDX file"):
        mnist.read_idx(damaged, 2051)


def test_labels_out_of_range_and_count_mismatch(tmp_path):
    write_mnist(tmp_path, train=5001, test=2)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", np.array([3, 12], np.uint8), 2049)
    with pytest.raises(ValueError, match="holds label 12; MNIST labels are 0-9"):
        data.load("mnist", data_dir=tmp_path)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", np.array([3], np.uint8), 2049)
    with pytest.raises(ValueError, match=r"\(1,\) labels for 2 images"):
        data.load("mnist", data_dir=tmp_path)


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="source='web'"):
        mnist.load_mnist(source="web")
    write_mnist(tmp_path, train=10, test=1)
    with pytest.raises(ValueError, match="validation_size=5000"):
        mnist.load_mnist(tmp_path)  # only 10 training images


def test_tensorflow_datasets_path(monkeypatch):
    import tensorflow_datasets as tfds

    monkeypatch.delenv("KCLASSICS_DATA_DIR", raising=False)
    with tfds.testing.mock_data(num_examples=5008):
        splits = data.load("mnist", flatten=True)
    assert (len(splits.train), len(splits.validation), len(splits.test)) == (8, 5000, 5008)
    assert splits.train.x.shape[1:] == (784,) and splits.train.x.max() <= 1.0
    assert splits.train.y.dtype == np.int64 and splits.train.y.max() < 10

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


def test_corrupt_gzip_names_the_file_and_the_damage(tmp_path):
    path = write_idx(tmp_path / "train-images-idx3-ubyte", np.zeros((3, 28, 28), np.uint8), 2051, compress=True)
    intact = gzip.compress(gzip.decompress(path.read_bytes()), mtime=0)  # no file name in the header: deflate data at byte 10
    damaged = bytearray(intact)
    damaged[10] = 0xFF  # the first deflate block header: reserved block type 3
    path.write_bytes(bytes(damaged))
    with pytest.raises(ValueError, match=rf"Cannot read the IDX file '{path}': its gzip data is corrupt \(zlib.error: .*invalid block type"):
        mnist.read_idx(path, 2051)
    path.write_bytes(intact[: len(intact) // 2])
    with pytest.raises(ValueError, match=rf"'{path}': its gzip stream ends early .*the file is truncated"):
        mnist.read_idx(path, 2051)
    damaged = bytearray(intact)
    damaged[-6] ^= 0xFF  # the CRC-32 of the uncompressed data
    path.write_bytes(bytes(damaged))
    with pytest.raises(ValueError, match=rf"'{path}': it is not an intact gzip file \(CRC check failed"):
        mnist.read_idx(path, 2051)
    # through the loader, the same error for the file the directory holds
    write_mnist(tmp_path / "mnist", compress=True, train=5001, test=1)
    (tmp_path / "mnist" / "t10k-images-idx3-ubyte.gz").write_bytes(bytes(damaged))
    with pytest.raises(ValueError, match="t10k-images-idx3-ubyte.gz': it is not an intact gzip file"):
        data.load("mnist", data_dir=tmp_path / "mnist")


def test_data_dir_naming_a_file_says_it_is_not_a_directory(tmp_path, monkeypatch):
    file = tmp_path / "train-images-idx3-ubyte.gz"
    file.write_bytes(b"")
    with pytest.raises(NotADirectoryError, match=rf"MNIST data_dir \(--data-dir on the command line\) must name a directory, but '{file}' is a file\..*Received: data_dir='{file}'"):
        data.load("mnist", data_dir=file)
    monkeypatch.setenv("KCLASSICS_DATA_DIR", str(file))
    with pytest.raises(NotADirectoryError, match=rf"MNIST KCLASSICS_DATA_DIR must name a directory.*Received: KCLASSICS_DATA_DIR='{file}'"):
        mnist.load_mnist()


def test_too_few_training_images_for_the_book_split(tmp_path):
    write_mnist(tmp_path, train=100, test=1)
    found = tmp_path / "train-images-idx3-ubyte"
    with pytest.raises(ValueError, match=rf"found 100 in '{found}', but the book's split .* holds out the first 5,000 for validation .* needs more than 5,000") as caught:
        data.load("mnist", data_dir=tmp_path)
    assert "must be between" not in str(caught.value)  # the command line has no validation_size to change
    with pytest.raises(ValueError, match=r"`validation_size` must be between 0 and 99: .* holds 100 training images.*Received: validation_size=100"):
        mnist.load_mnist(tmp_path, validation_size=100)
    with pytest.raises(ValueError, match="`validation_size` must be a non-negative integer. Received: validation_size=-1"):
        mnist.load_mnist(tmp_path / "not read", validation_size=-1)  # checked before the files
    assert len(mnist.load_mnist(tmp_path, validation_size=99).train) == 1


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

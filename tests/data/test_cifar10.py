"""The CIFAR-10 binary reader on small files in the real format, the book's pipelines, and mocked tfds."""

import numpy as np
import pytest

from kclassics import data
from kclassics.data import cifar10


def write_cifar10(root, per_file=6, test=5, seed=0, nested=True):
    """Writes data_batch_1..5.bin and test_batch.bin; returns {name: (images NHWC uint8, labels)}."""
    rng = np.random.default_rng(seed)
    folder = root / "cifar-10-batches-bin" if nested else root
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, count in [*((f"data_batch_{i}.bin", per_file) for i in range(1, 6)), ("test_batch.bin", test)]:
        images = rng.integers(0, 256, size=(count, 32, 32, 3), dtype=np.uint8)
        labels = rng.integers(0, 10, size=count, dtype=np.uint8)
        records = np.concatenate([labels[:, None], images.transpose(0, 3, 1, 2).reshape(count, -1)], axis=1)
        records.astype(np.uint8).tofile(folder / name)
        written[name] = (images, labels)
    return written


@pytest.mark.parametrize("nested", [True, False], ids=["parent-dir", "batches-dir"])
def test_reads_binary_batches(tmp_path, nested):
    written = write_cifar10(tmp_path, nested=nested)
    splits = data.load("cifar10", data_dir=tmp_path)
    assert (len(splits.train), len(splits.validation), len(splits.test)) == (30, 0, 5)
    expected = np.concatenate([written[f"data_batch_{i}.bin"][0] for i in range(1, 6)])
    np.testing.assert_array_equal(splits.train.x, expected)  # channel-first records -> NHWC
    np.testing.assert_array_equal(splits.test.y, written["test_batch.bin"][1])
    assert splits.train.x.dtype == np.uint8 and splits.num_classes == 10


def test_bad_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="data_batch_1.bin.*test_batch.bin"):
        data.load("cifar10", data_dir=tmp_path / "nowhere")
    write_cifar10(tmp_path)
    folder = tmp_path / "cifar-10-batches-bin"
    (folder / "data_batch_3.bin").unlink()
    with pytest.raises(FileNotFoundError, match="data_batch_3.bin missing"):
        data.load("cifar10", data_dir=tmp_path)
    write_cifar10(tmp_path)
    with open(folder / "test_batch.bin", "ab") as f:
        f.write(b"\x00" * 100)
    with pytest.raises(ValueError, match="15465 bytes, not a whole number of 3073-byte"):
        data.load("cifar10", data_dir=tmp_path)
    record = np.zeros(3073, np.uint8)
    record[0] = 10
    record.tofile(folder / "test_batch.bin")
    with pytest.raises(ValueError, match="record 0 has label 10; CIFAR-10 labels are 0-9"):
        data.load("cifar10", data_dir=tmp_path)
    with pytest.raises(ValueError, match="source='disk'"):
        data.load("cifar10", source="disk")


def test_bad_directory_and_damaged_files_say_what_is_wrong(tmp_path):
    write_cifar10(tmp_path)
    folder = tmp_path / "cifar-10-batches-bin"
    batch = folder / "data_batch_1.bin"
    with pytest.raises(NotADirectoryError, match=rf"must name a directory, but '{batch}' is a file.*Received: data_dir='{batch}'"):
        data.load("cifar10", data_dir=batch)
    intact = batch.read_bytes()
    batch.write_bytes(b"")
    with pytest.raises(ValueError, match=rf"'{batch}' is empty; a batch file of the binary version holds 10,000 records"):
        data.load("cifar10", data_dir=tmp_path)
    batch.write_bytes(intact[:-1000])  # truncated mid-record
    with pytest.raises(ValueError, match=r"17438 bytes, not a whole number .*: 5 records and 2073 bytes over, so the file is truncated"):
        data.load("cifar10", data_dir=tmp_path)
    batch.write_bytes(intact)
    (folder / "test_batch.bin").rename(folder / "test_batch")  # the Python version's name
    with pytest.raises(FileNotFoundError, match="test_batch.bin missing.*holds test_batch without .bin: that is the Python"):
        data.load("cifar10", data_dir=tmp_path)


def test_training_pipeline_distorts_per_image(tmp_path):
    import tensorflow as tf

    write_cifar10(tmp_path)
    splits = data.load("cifar10", data_dir=tmp_path)
    images, labels = next(iter(data.cifar10_training_pipeline(splits.train, batch_size=8)))
    assert images.shape == (8, 24, 24, 3) and images.dtype == tf.float32 and labels.shape == (8,)
    flat = tf.reshape(images, (8, -1))
    np.testing.assert_allclose(tf.reduce_mean(flat, 1), 0.0, atol=1e-4)  # per-image standardisation
    np.testing.assert_allclose(tf.math.reduce_std(flat, 1), 1.0, atol=1e-3)


def test_distortions_are_crops_flips_brightness_and_contrast():
    import tensorflow as tf

    # A ramp image whose 24x24 crops are recognisable after standardisation.
    ramp = (np.arange(32 * 32 * 3).reshape(1, 32, 32, 3) % 251).astype(np.uint8)
    batch = np.repeat(ramp, 64, axis=0)
    tf.random.set_seed(1)
    distorted, _ = cifar10.distort_batch(batch, np.zeros(64))
    crops = {}
    for top in range(9):
        for left in range(9):
            crop = tf.image.per_image_standardization(ramp[0, top : top + 24, left : left + 24].astype(np.float32))
            crops[(top, left, False)] = crop.numpy()
            crops[(top, left, True)] = crop.numpy()[:, ::-1]
    found = set()
    for image in distorted.numpy():
        # brightness and contrast are affine per channel, so the standardised crop is matched up to that
        match = [k for k, c in crops.items() if np.corrcoef(c.ravel(), image.ravel())[0, 1] > 0.999]
        assert match, "each distorted image is a (flipped) 24x24 crop of its source"
        found.add(match[0])
    assert len({(t, l) for t, l, _ in found}) > 10  # offsets differ per image, not per batch
    assert {flip for _, _, flip in found} == {False, True}


def test_evaluation_pipeline_central_crop_and_full_pass(tmp_path):
    import tensorflow as tf

    write_cifar10(tmp_path, test=5)
    splits = data.load("cifar10", data_dir=tmp_path)
    batches = list(data.cifar10_evaluation_pipeline(splits.test, batch_size=2))
    assert [len(y) for _, y in batches] == [2, 2, 1]  # no wrap-around: every image once
    expected = tf.image.per_image_standardization(splits.test.x[:2, 4:28, 4:28].astype(np.float32))
    np.testing.assert_allclose(batches[0][0], expected, atol=1e-5)


def test_tensorflow_datasets_path(monkeypatch):
    import tensorflow_datasets as tfds

    monkeypatch.delenv("KCLASSICS_DATA_DIR", raising=False)
    with tfds.testing.mock_data(num_examples=12):
        splits = data.load("cifar10")
    assert len(splits.train) == 12 and splits.train.x.shape[1:] == (32, 32, 3)
    assert splits.train.x.dtype == np.uint8 and splits.test.y.dtype == np.int64

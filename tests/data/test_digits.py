import numpy as np
import pytest

from kclassics import data


def test_digits_have_mnist_shape_and_fixed_split():
    splits = data.load("digits")
    assert splits.input_shape == (28, 28, 1)
    assert (len(splits.train), len(splits.validation), len(splits.test)) == (1257, 180, 360)
    for split in (splits.train, splits.validation, splits.test):
        assert split.x.dtype == np.float32 and 0.0 <= split.x.min() and split.x.max() <= 1.0
        assert set(np.unique(split.y)) == set(range(10))
    # a 4-pixel empty border, like MNIST's 20x20 box in a 28x28 frame
    assert not splits.train.x[:, :4].any() and not splits.train.x[:, -4:].any()


def test_split_is_deterministic_and_disjoint():
    a, b = data.load_digits(), data.load_digits()
    np.testing.assert_array_equal(a.test.x, b.test.x)
    rows = lambda s: {r.tobytes() for r in s.x}  # noqa: E731
    assert not rows(a.train) & rows(a.test)


def test_flatten_and_one_hot():
    splits = data.load_digits(flatten=True, one_hot=True)
    assert splits.train.x.shape == (1257, 784)
    assert splits.train.y.shape == (1257, 10) and np.all(splits.train.y.sum(1) == 1)


def test_unknown_dataset():
    with pytest.raises(ValueError, match="Unknown dataset 'mnits'"):
        data.load("mnits")


def test_training_pipeline_gives_full_batches():
    splits = data.load_digits()
    x, y = next(iter(data.training_pipeline(splits.train, 32)))
    assert x.shape == (32, 28, 28, 1) and y.shape == (32,)

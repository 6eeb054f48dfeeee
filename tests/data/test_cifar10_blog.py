"""The Tensorflow_CNN blog's augmentation as one batched stage, against a per-image transcription of the post's code."""

import numpy as np
import pytest
import tensorflow as tf

from kclassics.data import Split
from kclassics.data import cifar10_blog as blog


def post_train_aug(im, draws, i):
    """The post's `train_aug` (L862-874) on one image, with image `i`'s random draws.

    Each `tf.image.random_*` op of the post draws its parameter, then applies the matching `adjust_*`
    op (`random_crop` slices at its drawn offset), so with the draws given this is the post's function.
    """
    im = tf.compat.v1.image.resize_images(im, [120, 120])  # TF1's resize_images, BILINEAR by default
    if draws["flip"][i]:  # tf.image.random_flip_left_right(im)
        im = tf.image.flip_left_right(im)
    im = tf.slice(im, [draws["top"][i], draws["left"][i], 0], [96, 96, 3])  # tf.random_crop(im, [96, 96, 3])
    im = tf.image.adjust_brightness(im, draws["brightness"][i])  # random_brightness(im, max_delta=0.5)
    im = tf.image.adjust_contrast(im, draws["contrast"][i])  # random_contrast(im, lower=0.0, upper=0.5)
    im = tf.image.adjust_hue(im, draws["hue"][i])  # random_hue(im, max_delta=0.5)
    return tf.image.per_image_standardization(im)


def post_test_aug(im):
    """The post's `test_aug` (L876-882) on one image."""
    return tf.image.per_image_standardization(tf.compat.v1.image.resize_images(im, [96, 96]))


def cifar_like(n, seed):
    """uint8 32x32x3 images with structure (gradients and blobs) and noise, as CIFAR images have."""
    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[0:32, 0:32] / 31.0
    base = np.stack([rows, cols, 1 - rows * cols], axis=-1)
    images = base[None] * rng.uniform(0, 255, size=(n, 1, 1, 3)) + rng.normal(0, 30, size=(n, 32, 32, 3))
    return np.clip(images, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_train_aug_batch_equals_the_posts_per_image_function(seed):
    images = cifar_like(6, seed)
    tf.random.set_seed(seed)
    augmented, _ = blog.train_aug_batch(images, np.zeros(6))
    tf.random.set_seed(seed)  # the same draws again, as the stage draws them
    draws = {key: value.numpy() for key, value in blog.train_aug_parameters(6).items()}
    expected = tf.stack([post_train_aug(tf.constant(image, tf.float32) / 255.0, draws, i) for i, image in enumerate(images)])
    assert augmented.shape == (6, 96, 96, 3)
    np.testing.assert_allclose(augmented.numpy(), expected.numpy(), atol=2e-4, rtol=1e-5)


def test_test_aug_and_plain_batches_equal_the_per_image_functions():
    images = cifar_like(4, 3)
    resized, labels = blog.test_aug_batch(images, np.arange(4))
    expected = tf.stack([post_test_aug(tf.constant(image, tf.float32) / 255.0) for image in images])
    np.testing.assert_allclose(resized.numpy(), expected.numpy(), atol=1e-5)
    assert list(labels) == [0, 1, 2, 3]
    plain, _ = blog.plain_batch(images, labels)
    x = images.astype(np.float64) / 255.0
    mean = x.mean(axis=(1, 2, 3), keepdims=True)
    std = np.maximum(x.std(axis=(1, 2, 3), keepdims=True), 1 / np.sqrt(32 * 32 * 3))  # per_image_standardization
    np.testing.assert_allclose(plain.numpy(), (x - mean) / std, atol=1e-5)


def test_the_draws_cover_the_posts_ranges():
    tf.random.set_seed(7)
    draws = {key: value.numpy() for key, value in blog.train_aug_parameters(4000).items()}
    assert 0.46 < draws["flip"].mean() < 0.54
    for offset in ("top", "left"):
        assert set(draws[offset]) == set(range(25))  # 120 - 96 + 1 crop positions
    for key, (low, high) in (("brightness", (-0.5, 0.5)), ("contrast", (0.0, 0.5)), ("hue", (-0.5, 0.5))):
        assert low <= draws[key].min() and draws[key].max() < high
        assert draws[key].min() < low + 0.01 and draws[key].max() > high - 0.01


def test_pipelines():
    split = Split(cifar_like(10, 4), np.arange(10) % 10)
    train = next(iter(blog.training_pipeline(split, 4, augment=True)))
    assert train[0].shape == (4, 96, 96, 3) and train[0].dtype == tf.float32
    assert next(iter(blog.training_pipeline(split, 4)))[0].shape == (4, 32, 32, 3)
    for augment, side in ((False, 32), (True, 96)):
        batches = list(blog.evaluation_pipeline(split, 4, augment=augment))
        assert [len(y) for _, y in batches] == [4, 4, 2]  # every image once, in order
        assert np.concatenate([y for _, y in batches]).tolist() == split.y.tolist()
        assert batches[0][0].shape == (4, side, side, 3)
    # the [TRAIN] pass sees the training input, train_aug's random crops, not test_aug's resized images
    trained, _ = next(iter(blog.evaluation_pipeline(split, 10, augment=True, training_input=True)))
    tested, _ = next(iter(blog.evaluation_pipeline(split, 10, augment=True)))
    assert trained.shape == tested.shape == (10, 96, 96, 3) and not np.allclose(trained, tested, atol=0.1)
    assert blog.image_shape(True) == (96, 96, 3) and blog.image_shape(False) == (32, 32, 3)

"""fused_batch_norm.BatchNormalization computes exactly what keras.layers.BatchNormalization computes."""

import numpy as np
import pytest
import keras
import tensorflow as tf

from kclassics.layers import fused_batch_norm


def _pair(shape, **kwargs):
    reference = keras.layers.BatchNormalization(**kwargs)
    fused = fused_batch_norm.BatchNormalization(**kwargs)
    reference.build(shape)
    fused.build(shape)
    rng = np.random.default_rng(1)
    weights = [rng.uniform(0.5, 1.5, w.shape).astype("float32") for w in reference.get_weights()]
    reference.set_weights(weights)
    fused.set_weights(weights)
    return reference, fused


@pytest.mark.parametrize("scale, center", [(True, True), (False, True), (True, False)])
@pytest.mark.parametrize("training", [False, True])
def test_same_outputs_gradients_and_moving_statistics(scale, center, training):
    shape = (3, 5, 4, 6)
    reference, fused = _pair(shape, momentum=0.9, epsilon=1e-3, scale=scale, center=center)
    x = tf.constant(np.random.default_rng(2).normal(2.0, 3.0, shape).astype("float32"))
    before = reference.moving_variance.numpy().copy()
    results = []
    for layer in (reference, fused):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = layer(x, training=training)
            loss = tf.reduce_sum(y * tf.range(6, dtype="float32"))
        results.append((y, tape.gradient(loss, [x, *layer.trainable_weights])))
    (y_ref, g_ref), (y_fused, g_fused) = results
    np.testing.assert_allclose(y_fused, y_ref, atol=1e-5)
    for a, b in zip(g_fused, g_ref):
        np.testing.assert_allclose(a, b, atol=1e-4)
    for a, b in zip(fused.non_trainable_weights, reference.non_trainable_weights):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5)
    # Both moved their statistics in training (by the biased batch variance), neither in inference.
    assert np.allclose(fused.moving_variance.numpy(), before) == (not training)


def test_falls_back_where_the_kernel_does_not_apply():
    for shape, axis in (((4, 6), -1), ((2, 3, 4, 5), 1)):
        reference, fused = _pair(shape, axis=axis)
        x = np.random.default_rng(3).normal(size=shape).astype("float32")
        assert not fused._fused_applies(tf.constant(x), None)
        np.testing.assert_allclose(fused(x, training=True), reference(x, training=True), atol=1e-6)


def test_mixed_precision_normalizes_in_float32():
    shape = (2, 3, 3, 4)
    reference, fused = _pair(shape, dtype="mixed_bfloat16")
    x = tf.cast(np.random.default_rng(4).normal(size=shape), "bfloat16")
    y = fused(x, training=True)
    assert y.dtype == tf.bfloat16
    np.testing.assert_allclose(tf.cast(y, "float32"), tf.cast(reference(x, training=True), "float32"), atol=1e-2)


def test_serialization_round_trip(tmp_path):
    inputs = keras.Input((4, 4, 3))
    model = keras.Model(inputs, fused_batch_norm.BatchNormalization(momentum=0.997, epsilon=1e-5, name="bn")(inputs))
    model.layers[-1].set_weights([np.full(3, v, "float32") for v in (2.0, 0.5, 0.1, 4.0)])
    path = tmp_path / "bn.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded.layers[-1]) is fused_batch_norm.BatchNormalization
    assert loaded.layers[-1].get_config()["epsilon"] == 1e-5
    x = np.ones((1, 4, 4, 3), "float32")
    np.testing.assert_allclose(loaded(x), model(x))

import numpy as np
import pytest
import tensorflow as tf

import keras
from kclassics.layers import LocalResponseNormalization

# (depth_radius, bias, alpha, beta): the book's AlexNet/CIFAR values, VGG's, and generic exponents.
CASES = [(4, 1.0, 0.001 / 9, 0.75), (2, 2.0, 1e-4, 0.75), (2, 1.0, 0.1, 0.5), (1, 0.5, 0.3, 0.6), (0, 1.0, 1.0, 1.0)]


@pytest.mark.parametrize("implementation", ["matmul", "fused"])
@pytest.mark.parametrize("params", CASES)
def test_matches_tensorflow_forward_and_gradient(params, implementation):
    x = tf.constant(np.random.default_rng(0).normal(size=(2, 5, 5, 19)).astype("float32") * 3)
    layer = LocalResponseNormalization(*params, implementation=implementation)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        ours = layer(x)
        reference = tf.nn.local_response_normalization(x, *params)
        ours_loss, reference_loss = tf.reduce_sum(ours * ours), tf.reduce_sum(reference * reference)
    np.testing.assert_allclose(ours, reference, atol=1e-5, rtol=1e-5)
    np.testing.assert_allclose(tape.gradient(ours_loss, x), tape.gradient(reference_loss, x), atol=1e-4, rtol=1e-4)


def test_compiles_with_xla():
    layer = LocalResponseNormalization(4, 1.0, 0.001 / 9, 0.75)
    x = tf.random.normal((2, 4, 4, 8))

    @tf.function(jit_compile=True)
    def forward_backward(inputs):
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            y = tf.reduce_sum(layer(inputs) ** 2)
        return y, tape.gradient(y, inputs)

    value, grad = forward_backward(x)
    np.testing.assert_allclose(value, tf.reduce_sum(tf.nn.local_response_normalization(x, 4, 1.0, 0.001 / 9, 0.75) ** 2), rtol=1e-5)
    assert grad.shape == x.shape


def test_config_round_trip_and_serialization(tmp_path):
    layer = LocalResponseNormalization(3, 2.0, 0.01, 0.75, name="lrn")
    clone = LocalResponseNormalization.from_config(layer.get_config())
    assert (clone.depth_radius, clone.bias, clone.alpha, clone.beta) == (3, 2.0, 0.01, 0.75)
    inputs = keras.Input((4, 4, 6))
    model = keras.Model(inputs, layer(inputs))
    model.save(tmp_path / "lrn.keras")
    loaded = keras.saving.load_model(tmp_path / "lrn.keras", safe_mode=True)
    x = np.random.rand(1, 4, 4, 6).astype("float32")
    np.testing.assert_array_equal(model(x), loaded(x))


@pytest.mark.parametrize("kwargs, match", [({"depth_radius": -1}, "depth_radius"), ({"implementation": "cuda"}, "implementation")])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        LocalResponseNormalization(**kwargs)


@pytest.mark.parametrize(
    "kwargs, message",
    [({"beta": -1}, "beta=-1"), ({"alpha": -0.1}, "alpha=-0.1"), ({"bias": float("nan")}, "bias=nan"), ({"depth_radius": -1}, "depth_radius=-1")],
)
def test_bad_arguments_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        LocalResponseNormalization(**kwargs)

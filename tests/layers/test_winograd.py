"""kclassics.layers.Conv2D: Winograd F(2x2, 3x3) against Keras's direct convolution."""

import numpy as np
import pytest
import tensorflow as tf

import keras
from kclassics.export import export_saved_model
from kclassics.layers import Conv2D, without_xla
from kclassics.layers.winograd import winograd_conv2d


def _pair(shape, filters, algorithm="winograd", **kwargs):
    """A keras Conv2D and a kclassics Conv2D with the same weights."""
    direct = keras.layers.Conv2D(filters, 3, padding="same", **kwargs)
    direct.build(shape)
    ours = Conv2D(filters, 3, padding="same", algorithm=algorithm, **kwargs)
    ours.build(shape)
    ours.set_weights(direct.get_weights())
    return direct, ours


@pytest.mark.parametrize("shape, filters", [((2, 8, 8, 4), 5), ((3, 7, 9, 3), 2), ((1, 1, 1, 2), 3), ((2, 2, 5, 6), 4), ((1, 6, 6, 64), 32)])
def test_same_outputs_and_gradients_as_the_direct_convolution(shape, filters):
    x = tf.constant(np.random.default_rng(0).normal(size=shape).astype("float32"))
    direct, ours = _pair(shape, filters, activation="relu")
    np.testing.assert_allclose(ours(x), direct(x), atol=2e-5)
    gradients = []
    for layer in (direct, ours):
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = tf.reduce_sum(layer(x) ** 2)
        gradients.append(tape.gradient(loss, [x, *layer.trainable_weights]))
    for expected, got in zip(*gradients):
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4 * float(np.max(np.abs(expected))))


def test_functional_model_with_unknown_batch_and_compiled_step():
    direct, ours = _pair((None, 10, 10, 3), 4)
    images = keras.Input((10, 10, 3))
    model = keras.Model(images, ours(images))
    x = np.random.default_rng(1).normal(size=(5, 10, 10, 3)).astype("float32")
    np.testing.assert_allclose(model.predict(x, verbose=0), direct(x), atol=2e-5)
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, np.zeros((5, 10, 10, 4), "float32"), batch_size=2, epochs=1, verbose=0)


def test_auto_takes_winograd_only_where_it_pays():
    wide = Conv2D(256, 3, padding="same")
    assert wide.algorithm == "auto" and wide.uses_winograd((None, 14, 14, 256))
    assert not wide.uses_winograd((None, 14, 14, 128))  # too few channels
    assert not wide.uses_winograd((None, 7, 7, 256))  # 31% of the tiles would be padding
    assert wide.uses_winograd((None, 21, 22, 256)) and not wide.uses_winograd((None, 19, 19, 256))
    assert not wide.uses_winograd((None, None, None, 256))
    assert not wide.uses_winograd((None, 14, 14, 256), "bfloat16")
    assert not Conv2D(256, 3, padding="valid").uses_winograd((None, 14, 14, 256))
    assert not Conv2D(256, 3, strides=2, padding="same").uses_winograd((None, 14, 14, 256))
    assert not Conv2D(256, 1).uses_winograd((None, 14, 14, 256))
    assert not Conv2D(256, 3, padding="same", algorithm="direct").uses_winograd((None, 14, 14, 512))
    forced = Conv2D(8, 3, padding="same", algorithm="winograd")
    assert forced.uses_winograd((None, 7, 7, 8)) and not forced.uses_winograd((None, None, 7, 8))
    with without_xla():
        assert not wide.uses_winograd((None, 14, 14, 256))
    assert wide.uses_winograd((None, 14, 14, 256))


def test_unknown_spatial_size_falls_back_to_the_direct_convolution():
    images = keras.Input((None, None, 3))
    layer = Conv2D(4, 3, padding="same", algorithm="winograd")
    model = keras.Model(images, layer(images))
    x = np.ones((1, 5, 6, 3), "float32")
    direct = keras.layers.Conv2D(4, 3, padding="same")
    direct.build(x.shape)
    direct.set_weights(layer.get_weights())
    np.testing.assert_allclose(model(x), direct(x), atol=1e-6)


def test_bad_algorithm_and_shape_are_refused():
    with pytest.raises(ValueError, match="algorithm.*Received: algorithm='fft'"):
        Conv2D(8, 3, algorithm="fft")
    with pytest.raises(ValueError, match="kernel_size 3, strides 1.*Received: kernel_size=\\(5, 5\\)"):
        Conv2D(8, 5, padding="same", algorithm="winograd")


def test_config_round_trip(tmp_path):
    direct, ours = _pair((None, 6, 6, 3), 4)
    assert Conv2D.from_config(ours.get_config()).algorithm == "winograd"
    images = keras.Input((6, 6, 3))
    model = keras.Model(images, ours(images))
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras", safe_mode=True)
    x = np.ones((1, 6, 6, 3), "float32")
    assert loaded.layers[-1].algorithm == "winograd"
    np.testing.assert_allclose(loaded(x), model(x), atol=1e-6)


def test_export_traces_the_direct_convolution(tmp_path):
    """A SavedModel carries no XLA-compiled function, so serving needs no XLA."""
    images = keras.Input((6, 6, 3))
    ours = Conv2D(4, 3, padding="same", algorithm="winograd")
    model = keras.Model(images, keras.layers.Flatten()(ours(images)))
    path = export_saved_model(model, tmp_path / "export")
    assert b"_XlaMustCompile" not in (path / "saved_model.pb").read_bytes()
    serve = tf.saved_model.load(str(path)).signatures["serving_default"]
    x = np.random.default_rng(2).normal(size=(2, 6, 6, 3)).astype("float32")
    np.testing.assert_allclose(serve(images=tf.constant(x))["probabilities"], model(x), atol=2e-5)


def test_the_function_matches_tf_conv2d_at_a_wide_shape():
    rng = np.random.default_rng(3)
    x = tf.constant(rng.normal(size=(2, 9, 8, 256)).astype("float32"))
    kernel = tf.constant(rng.normal(size=(3, 3, 256, 256)).astype("float32") * 0.05)
    expected = tf.nn.conv2d(x, kernel, 1, "SAME")
    got = winograd_conv2d(x, kernel)
    assert float(tf.reduce_max(tf.abs(got - expected)) / tf.reduce_max(tf.abs(expected))) < 1e-5

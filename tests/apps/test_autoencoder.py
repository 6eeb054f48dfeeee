"""The denoising autoencoder keeps the book's interface and cost."""

import keras
import numpy as np
import pytest

from kclassics import apps
from kclassics.apps.autoencoder import AdditiveGaussianNoiseAutoencoder


def test_parameter_count_and_initialisation():
    model = apps.denoising_autoencoder()
    assert model.count_params() == apps.model_info("denoising_autoencoder").params == 314_584
    limit = np.sqrt(6 / (784 + 200))  # xavier_init
    assert np.abs(model.get_hidden_weights()).max() <= limit and model.get_hidden_weights().shape == (784, 200)
    assert not np.any(model.get_hidden_biases()) and not np.any(model.reconstruction_layer.kernel.numpy())


def test_cost_is_half_the_summed_squared_error():
    model = AdditiveGaussianNoiseAutoencoder(n_input=6, n_hidden=3, scale=0.0)
    model.build((None, 6))
    model.reconstruction_layer.kernel.assign(np.random.default_rng(0).normal(size=(3, 6)))
    x = np.random.default_rng(1).normal(size=(4, 6)).astype(np.float32)
    expected = 0.5 * np.sum((model.reconstruct(x) - x) ** 2)
    assert model.calc_total_cost(x) == pytest.approx(expected, rel=1e-5)
    np.testing.assert_allclose(model.reconstruct(x), model.generate(model.transform(x)), atol=1e-6)


def test_one_noise_vector_per_batch():
    model = AdditiveGaussianNoiseAutoencoder(n_input=5, n_hidden=4, scale=1.0)
    model.build((None, 5))
    hidden = model.transform(np.zeros((3, 5), np.float32))
    np.testing.assert_allclose(hidden[0], hidden[1], atol=1e-6)  # the same noise for every row
    assert not np.allclose(hidden, model.transform(np.zeros((3, 5), np.float32)))  # fresh noise per call
    clean = keras.ops.convert_to_numpy(model(np.zeros((1, 5), np.float32)))
    np.testing.assert_allclose(clean, keras.ops.convert_to_numpy(model(np.zeros((1, 5), np.float32))))


def test_partial_fit_lowers_the_cost_and_generate_samples():
    model = apps.denoising_autoencoder(input_shape=(20,), hidden_units=8)
    model.compile(optimizer=keras.optimizers.Adam(0.01))
    x = np.random.default_rng(2).normal(size=(32, 20)).astype(np.float32)
    costs = [model.partial_fit(x) for _ in range(30)]
    assert costs[-1] < 0.7 * costs[0]
    assert model.generate().shape == (1, 20) and model.generate(np.ones((2, 8))).shape == (2, 20)


def test_saves_and_loads(tmp_path):
    model = apps.denoising_autoencoder(input_shape=(10,), hidden_units=4)
    model.reconstruction_layer.kernel.assign(np.ones((4, 10)))
    model.save(tmp_path / "ae.keras")
    loaded = keras.saving.load_model(tmp_path / "ae.keras")
    assert isinstance(loaded, AdditiveGaussianNoiseAutoencoder) and loaded.training_scale == 0.01
    x = np.ones((2, 10), np.float32)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(loaded(x)), keras.ops.convert_to_numpy(model(x)), atol=1e-6)


def test_bad_arguments():
    with pytest.raises(ValueError, match="n_hidden=0"):
        AdditiveGaussianNoiseAutoencoder(n_hidden=0)
    with pytest.raises(ValueError, match=r"\(features,\).*Received: input_shape=\(28, 28\)"):
        apps.denoising_autoencoder(input_shape=(28, 28))

"""The book's bidirectional LSTM: parameter count and logits from the last step of both directions."""

import keras
import numpy as np
import pytest

from kclassics import apps
from tests.layers.test_recurrent import numpy_lstm


def test_parameter_count_and_card():
    model = apps.birnn_mnist()
    assert model.count_params() == apps.model_info("birnn_mnist").params == 588_810
    assert model.output_shape == (None, 10)


def test_logits_concatenate_forward_last_and_backward_aligned_at_last_step():
    model = apps.birnn_mnist(input_shape=(5, 3), units=4, classifier_activation=None)
    x = np.random.default_rng(1).normal(size=(2, 5, 3)).astype(np.float32)
    forward, backward = model.get_layer("forward_lstm").cell, model.get_layer("backward_lstm").cell
    fw = numpy_lstm(x, forward.kernel.numpy(), forward.bias.numpy(), 4, 1.0)[:, -1]
    # static_bidirectional_rnn's outputs[-1]: the backward cell after reading only the last step
    bw = numpy_lstm(x[:, ::-1], backward.kernel.numpy(), backward.bias.numpy(), 4, 1.0)[:, 0]
    dense = model.get_layer("predictions")
    expected = np.concatenate([fw, bw], axis=1) @ dense.kernel.numpy() + dense.bias.numpy()
    np.testing.assert_allclose(keras.ops.convert_to_numpy(model(x)), expected, atol=1e-4)
    # the backward direction's final output (after every row) would differ
    bw_final = numpy_lstm(x[:, ::-1], backward.kernel.numpy(), backward.bias.numpy(), 4, 1.0)[:, -1]
    assert not np.allclose(bw, bw_final)


def test_saves_and_loads(tmp_path):
    model = apps.birnn_mnist(units=8)
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    x = np.random.default_rng(0).random((2, 28, 28, 1)).astype(np.float32)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)


def test_bad_input_shape():
    with pytest.raises(ValueError, match=r"\(steps, features\).*Received: input_shape=\(28, 28, 3\)"):
        apps.birnn_mnist(input_shape=(28, 28, 3))

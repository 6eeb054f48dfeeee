"""BasicLSTMCell against a NumPy transcription of TF1's BasicLSTMCell."""

import keras
import numpy as np
import pytest

from kclassics.layers.recurrent import BasicLSTMCell


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def numpy_lstm(x, kernel, bias, units, forget_bias):
    h = np.zeros((x.shape[0], units))
    c = np.zeros((x.shape[0], units))
    outputs = []
    for t in range(x.shape[1]):
        i, j, f, o = np.split(np.concatenate([x[:, t], h], axis=1) @ kernel + bias, 4, axis=1)
        c = c * sigmoid(f + forget_bias) + sigmoid(i) * np.tanh(j)
        h = np.tanh(c) * sigmoid(o)
        outputs.append(h)
    return np.stack(outputs, axis=1)


@pytest.mark.parametrize("forget_bias", [0.0, 1.0])
def test_matches_tf1_basic_lstm_cell(forget_bias):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 5, 4)).astype(np.float32)
    layer = keras.layers.RNN(BasicLSTMCell(6, forget_bias=forget_bias, bias_initializer="random_normal"), return_sequences=True)
    got = keras.ops.convert_to_numpy(layer(x))
    cell = layer.cell
    expected = numpy_lstm(x, cell.kernel.numpy(), cell.bias.numpy(), 6, forget_bias)
    np.testing.assert_allclose(got, expected, atol=1e-5)
    assert cell.kernel.shape == (4 + 6, 24)


def test_forget_bias_is_a_constant_not_a_weight():
    cell = BasicLSTMCell(3, forget_bias=1.0)
    keras.layers.RNN(cell)(np.zeros((1, 2, 2), np.float32))
    assert len(cell.trainable_weights) == 2 and not np.any(cell.bias.numpy())  # biases start at zero, as TF1


def test_config_round_trip_and_bad_units():
    cell = BasicLSTMCell(7, forget_bias=0.5)
    clone = BasicLSTMCell.from_config(cell.get_config())
    assert (clone.units, clone.forget_bias) == (7, 0.5)
    with pytest.raises(ValueError, match="units=0"):
        BasicLSTMCell(0)

"""Recurrent cells with the semantics of TF1's `tf.contrib.rnn` cells used by the book."""

import keras
from keras import ops

from kclassics import validation


@keras.saving.register_keras_serializable(package="kclassics")
class BasicLSTMCell(keras.layers.Layer):
    """TF1's `BasicLSTMCell`: an LSTM cell that adds a constant to the forget gate.

    `[x, h] @ W + b` is split into the input gate `i`, candidate `j`, forget
    gate `f` and output gate `o`; then `c' = c * sigmoid(f + forget_bias) +
    sigmoid(i) * tanh(j)` and `h' = tanh(c') * sigmoid(o)`. Keras's
    `unit_forget_bias=True` only initialises the forget bias to 1, which
    training then moves; here the constant stays (book 7.3, L4579).
    Use it inside `keras.layers.RNN`.

    Args:
        units: size of the hidden state.
        forget_bias: constant added to the forget gate pre-activation.
        kernel_initializer: initialiser of the joint input/recurrent kernel
            (TF1's default for variables is Glorot uniform).
        bias_initializer: initialiser of the gate biases (zeros in TF1).
    """

    def __init__(self, units, forget_bias=1.0, kernel_initializer="glorot_uniform", bias_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        validation.positive_int("units", units)
        self.units = units
        self.forget_bias = float(forget_bias)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.state_size = [units, units]  # (h, c)
        self.output_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(
            shape=(input_shape[-1] + self.units, 4 * self.units), initializer=self.kernel_initializer, name="kernel"
        )
        self.bias = self.add_weight(shape=(4 * self.units,), initializer=self.bias_initializer, name="bias")

    def call(self, inputs, states, training=None):
        h, c = states
        z = ops.matmul(ops.concatenate([inputs, h], axis=-1), self.kernel) + self.bias
        i, j, f, o = ops.split(z, 4, axis=-1)
        c = c * ops.sigmoid(f + self.forget_bias) + ops.sigmoid(i) * ops.tanh(j)
        h = ops.tanh(c) * ops.sigmoid(o)
        return h, [h, c]

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "forget_bias": self.forget_bias,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
        }

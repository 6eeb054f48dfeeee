"""The chapter's two networks as `kclassics.Model`s: the CartPole policy and the dueling Q-network."""

import keras

from kclassics import validation
from kclassics.model import Model

# The book's Q-network convolutions on 84 x 84 x 3 (filters, kernel, stride), VALID, no bias, ReLU
# (tf.contrib.layers.convolution2d's default activation), L5256-5282: 20x20x32, 9x9x64, 7x7x64, 1x1x512.
BOOK_CONVOLUTIONS = ((32, 8, 4), (64, 4, 2), (64, 3, 1), (512, 7, 1))
# The same head on the compact 7 x 7 x 3 grid (not the book's): 5x5x64, 3x3x64, 1x1x512.
GRID_CONVOLUTIONS = ((64, 3, 1), (64, 3, 1), (512, 3, 1))


def policy_network(observation_size=4, hidden_units=50, name="cartpole_policy"):
    """observation -> 50 ReLU -> P(action 1), no biases, Glorot weights (W1, W2, L4830-4840)."""
    validation.positive_int("observation_size", observation_size)
    validation.positive_int("hidden_units", hidden_units)
    inputs = keras.Input((observation_size,), name="observations")
    hidden = keras.layers.Dense(hidden_units, activation="relu", use_bias=False, kernel_initializer="glorot_uniform",
                                name="W1")(inputs)
    probability = keras.layers.Dense(1, activation="sigmoid", use_bias=False, kernel_initializer="glorot_uniform",
                                     name="W2")(hidden)
    return Model(inputs, probability, name=name)


@keras.saving.register_keras_serializable(package="kclassics")
class DuelingHead(keras.layers.Layer):
    """Splits features in two halves, `V = half_v @ VW`, `A = half_a @ AW`, `Q = V + (A - mean A)` (L5283-5293).

    The book draws `AW` and `VW` from N(0, 1) (`tf.random_normal`) and adds no bias.
    """

    def __init__(self, actions, **kwargs):
        super().__init__(**kwargs)
        self.actions = validation.positive_int("actions", actions)

    def build(self, input_shape):
        if input_shape[-1] is None or input_shape[-1] % 2:
            raise ValueError("DuelingHead splits its features into two halves, so their width must be even. "
                             f"Received: features of shape {tuple(input_shape)}")
        half = input_shape[-1] // 2
        normal = keras.initializers.RandomNormal(stddev=1.0)
        self.advantage_kernel = self.add_weight(shape=(half, self.actions), initializer=normal, name="AW")
        self.value_kernel = self.add_weight(shape=(half, 1), initializer=normal, name="VW")

    def call(self, features):
        from keras import ops

        stream_a, stream_v = ops.split(features, 2, axis=-1)  # tf.split(conv4, 2, 3): A first, L5283
        advantage = ops.matmul(stream_a, self.advantage_kernel)
        value = ops.matmul(stream_v, self.value_kernel)
        return value + (advantage - ops.mean(advantage, axis=-1, keepdims=True))

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.actions)

    def get_config(self):
        return {**super().get_config(), "actions": self.actions}


def q_network(input_shape=(84, 84, 3), actions=4, convolutions=None, name="dueling_q_network"):
    """The book's dueling Q-network: VALID convolutions to 1 x 1 x 512, then `DuelingHead` (Qnetwork, L5256-5293).

    Inputs are the observation's pixel values as float (0-255, as the book feeds them).
    `convolutions` default: the book's for 84 x 84 inputs, `GRID_CONVOLUTIONS` for a 7 x 7 grid.
    """
    input_shape = validation.shape("input_shape", input_shape, rank=3)
    validation.positive_int("actions", actions)
    if convolutions is None:
        convolutions = BOOK_CONVOLUTIONS if input_shape[0] == 84 else GRID_CONVOLUTIONS
    if not convolutions or not all(isinstance(c, (list, tuple)) and len(c) == 3 and all(
            validation._is_int(v) and v > 0 for v in c) for c in convolutions):
        raise ValueError("`convolutions` must be a non-empty list of (filters, kernel, stride) positive integers. "
                         f"Received: convolutions={convolutions!r}")
    inputs = keras.Input(input_shape, name="observations")
    x = inputs
    for i, (filters, kernel, stride) in enumerate(convolutions, 1):
        x = keras.layers.Conv2D(filters, kernel, stride, padding="valid", activation="relu", use_bias=False,
                                kernel_initializer="glorot_uniform", name=f"conv{i}")(x)
    if x.shape[1:3] != (1, 1):
        raise ValueError(f"The convolutions must end at 1 x 1; on {tuple(input_shape)} they end at {tuple(x.shape[1:3])}. "
                         f"Received: input_shape={tuple(input_shape)}, convolutions={tuple(map(tuple, convolutions))}")
    q_values = DuelingHead(actions, name="dueling")(keras.layers.Flatten(name="flatten")(x))
    return Model(inputs, q_values, name=name)

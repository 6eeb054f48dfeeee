"""Local response normalization (Krizhevsky et al. 2012) with TensorFlow's semantics, made fast."""

import numpy as np

import keras
from keras import layers

IMPLEMENTATIONS = ("matmul", "fused")


@keras.saving.register_keras_serializable(package="kclassics")
class LocalResponseNormalization(layers.Layer):
    """`x / (bias + alpha * sum_{|c'-c| <= depth_radius} x_c'^2) ** beta` over channels (last axis).

    The same function as `tf.nn.local_response_normalization`: the sum runs over
    `2 * depth_radius + 1` channels and `alpha` is NOT divided by the window size.

    The default implementation writes the windowed sum of squares as a matmul
    with a banded 0/1 matrix: the forward and backward passes are then two
    matmuls and elementwise ops, which compile with XLA and are much faster on
    CPU than the fused `LRNGrad` kernel (see docs/performance.md).
    `implementation="fused"` calls `tf.nn.local_response_normalization` itself.

    Args:
        depth_radius: half-width of the channel window.
        bias: the additive constant `k`.
        alpha: the scale of the sum of squares.
        beta: the exponent.
        implementation: `"matmul"` (default) or `"fused"` (TensorFlow backend only).
    """

    def __init__(self, depth_radius=5, bias=1.0, alpha=1.0, beta=0.5, implementation="matmul", **kwargs):
        super().__init__(**kwargs)
        if not isinstance(depth_radius, int) or isinstance(depth_radius, bool) or depth_radius < 0:
            raise ValueError(f"`depth_radius` must be a non-negative integer. Received: depth_radius={depth_radius!r}")
        if implementation not in IMPLEMENTATIONS:
            raise ValueError(
                f"`implementation` must be one of {IMPLEMENTATIONS}. Received: implementation={implementation!r}"
            )
        self.depth_radius, self.bias, self.alpha, self.beta = depth_radius, float(bias), float(alpha), float(beta)
        self.implementation = implementation
        self._band = None

    def build(self, input_shape):
        channels = input_shape[-1]
        if channels is None:
            raise ValueError(f"LocalResponseNormalization needs a known channel count. Received: input_shape={input_shape}")
        index = np.arange(channels)
        # band[i, j] = 1 when channel i is inside channel j's window.
        self._band = (np.abs(index[:, None] - index[None, :]) <= self.depth_radius).astype("float32")
        self.built = True

    def call(self, inputs):
        if self.implementation == "fused":
            import tensorflow as tf

            return tf.nn.local_response_normalization(inputs, self.depth_radius, self.bias, self.alpha, self.beta)
        band = keras.ops.convert_to_tensor(self._band, dtype=inputs.dtype)
        square_sum = keras.ops.matmul(keras.ops.square(inputs), band)
        scale = self.bias + self.alpha * square_sum
        if self.beta == 0.75:  # the AlexNet value: rsqrt(s) * sqrt(rsqrt(s)) avoids a pow
            inverse = keras.ops.rsqrt(scale)
            return inputs * inverse * keras.ops.sqrt(inverse)
        if self.beta == 0.5:
            return inputs * keras.ops.rsqrt(scale)
        return inputs * keras.ops.exp(-self.beta * keras.ops.log(scale))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            depth_radius=self.depth_radius, bias=self.bias, alpha=self.alpha, beta=self.beta,
            implementation=self.implementation,
        )
        return config

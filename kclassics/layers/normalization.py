"""Local response normalization (Krizhevsky et al. 2012) with TensorFlow's semantics, made fast."""

import numpy as np

import keras
from keras import layers

from kclassics import validation


IMPLEMENTATIONS = ("matmul", "fused")


def _inverse_power(scale, exponent):
    """`scale ** -exponent`, without a pow for AlexNet's 0.75 and for 0.5."""
    if exponent == 0.75:  # rsqrt(s) * sqrt(rsqrt(s))
        inverse = keras.ops.rsqrt(scale)
        return inverse * keras.ops.sqrt(inverse)
    if exponent == 0.5:
        return keras.ops.rsqrt(scale)
    return keras.ops.exp(-exponent * keras.ops.log(scale))


def _normalize(inputs, scaled_band, bias, beta):
    """`x * (bias + x**2 @ scaled_band) ** -beta`, with its gradient written out.

    The gradient, `dy * f - 2 * beta * x * ((dy * y / s) @ scaled_band)` for
    `s = bias + x**2 @ scaled_band`, `f = s ** -beta` and `y = x * f` (the band
    is symmetric), is the derivative of the same function in fewer passes over
    memory than automatic differentiation of the forward chain makes.
    """

    @keras.ops.custom_gradient
    def normalize(x):
        scale = bias + keras.ops.matmul(keras.ops.square(x), scaled_band)
        factor = _inverse_power(scale, beta)
        outputs = x * factor

        def grad(*args, upstream=None):
            upstream = args[0] if upstream is None else upstream
            spread = keras.ops.matmul(upstream * outputs / scale, scaled_band)
            return upstream * factor - (2.0 * beta) * x * spread

        return outputs, grad

    return normalize(inputs)


@keras.saving.register_keras_serializable(package="kclassics")
class LocalResponseNormalization(layers.Layer):
    """`x / (bias + alpha * sum_{|c'-c| <= depth_radius} x_c'^2) ** beta` over channels (last axis).

    The same function as `tf.nn.local_response_normalization`: the sum runs over
    `2 * depth_radius + 1` channels and `alpha` is NOT divided by the window size.

    The default implementation writes the windowed sum of squares as a matmul
    with a banded matrix (alpha on the band), and its gradient in closed form:
    the forward and backward passes are then one matmul each and elementwise
    ops, which compile with XLA and are much faster on CPU than the fused
    `LRNGrad` kernel (see docs/performance.md).
    `implementation="fused"` calls `tf.nn.local_response_normalization` itself
    on the TensorFlow backend; on the others, which have no such kernel, it
    computes the same function by the matmul form, so a model saved on one
    backend runs on any.

    Args:
        depth_radius: half-width of the channel window.
        bias: the additive constant `k`.
        alpha: the scale of the sum of squares.
        beta: the exponent.
        implementation: `"matmul"` (default) or `"fused"` (TensorFlow's kernel on its backend).
    """

    def __init__(self, depth_radius=5, bias=1.0, alpha=1.0, beta=0.5, implementation="matmul", **kwargs):
        super().__init__(**kwargs)
        validation.non_negative_int("depth_radius", depth_radius)
        validation.non_negative_float("bias", bias)
        validation.non_negative_float("alpha", alpha)
        validation.non_negative_float("beta", beta)  # a negative exponent would amplify, not normalise
        validation.one_of("implementation", implementation, IMPLEMENTATIONS)
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
        if self.implementation == "fused" and keras.backend.backend() == "tensorflow":
            import tensorflow as tf

            return tf.nn.local_response_normalization(inputs, self.depth_radius, self.bias, self.alpha, self.beta)
        band = keras.ops.convert_to_tensor(self.alpha * self._band, dtype=inputs.dtype)
        return _normalize(inputs, band, self.bias, self.beta)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            depth_radius=self.depth_radius, bias=self.bias, alpha=self.alpha, beta=self.beta,
            implementation=self.implementation,
        )
        return config

"""Winograd F(2x2, 3x3) convolution for CPUs, behind a drop-in `Conv2D`.

A 3x3, stride-1 convolution computed on 2x2 output tiles (Lavin & Gray 2016):
each 4x4 input tile is transformed (`B^T d B`), the 16 transformed planes are
multiplied by the transformed kernels (`G g G^T`) as 16 matrix products, and the
products are transformed back (`A^T m A`). That is 16 multiplies per 2x2 outputs
instead of 36, 2.25x fewer multiply-adds, for the same function (the float32
results differ from a direct convolution by rounding, about 3e-6 relative).

The transforms are additions only; they run as XLA-compiled functions so each
is one pass over memory, and the matrix products stay TensorFlow's (oneDNN).
On two CPU cores and batch 32 this is 1.3-1.7x faster than oneDNN's direct
convolution, forward and backward, when both channel counts are 256 or more,
even at 128, and slower below or on a 7x7 grid, which wastes 31% of its tiles
(docs/performance.md): `algorithm="auto"` uses it exactly where it pays. GPUs
already pick Winograd kernels in cuDNN, so "auto" keeps the direct convolution
on a machine with a GPU. Inside `kclassics.layers.without_xla()` every call
traces the direct convolution.
"""

import keras

from kclassics import _backend, validation
from kclassics.layers._xla import xla_allowed

ALGORITHMS = ("auto", "direct", "winograd")
AUTO_MIN_CHANNELS = 256
AUTO_MAX_TILE_PADDING = 1.1


def winograd_conv2d(inputs, kernel, bias=None, relu=False):
    """A 3x3, stride-1, SAME convolution of NHWC float32 `inputs` by `kernel` `[3, 3, in, out]` (TensorFlow backend).

    Args:
        inputs: `[batch, height, width, in]`.
        kernel: `[3, 3, in, out]`.
        bias: optional `[out]`, added to the result.
        relu: whether to apply a ReLU last (bias and ReLU fuse into the output transform).
    """
    from kclassics.layers import _winograd_tf  # TensorFlow loads here, never on the other backends

    return _winograd_tf.winograd_conv2d(inputs, kernel, bias, relu)


@keras.saving.register_keras_serializable(package="kclassics")
class Conv2D(keras.layers.Conv2D):
    """`keras.layers.Conv2D` with a choice of algorithm; same weights, config and outputs.

    Args:
        algorithm: `"auto"` (Winograd for 3x3, stride-1, SAME, float32
            convolutions with at least 256 input and output channels, on inputs
            whose padding to whole 2x2 tiles adds at most 10% (even sides, or
            odd ones of 21 and more), when no GPU is present; direct otherwise),
            `"direct"` (always TensorFlow's convolution) or `"winograd"` (always,
            where the geometry allows and the input's height and width are known
            when the layer is traced).
        *args, **kwargs: as `keras.layers.Conv2D`.
    """

    def __init__(self, *args, algorithm="auto", **kwargs):
        super().__init__(*args, **kwargs)
        validation.one_of("algorithm", algorithm, ALGORITHMS)
        if algorithm == "winograd" and not self.winograd_shaped:
            raise ValueError(
                "`algorithm='winograd'` needs kernel_size 3, strides 1, dilation_rate 1, groups 1, padding 'same' "
                f"and channels_last. Received: kernel_size={self.kernel_size}, strides={self.strides}, "
                f"dilation_rate={self.dilation_rate}, groups={self.groups}, padding={self.padding!r}, "
                f"data_format={self.data_format!r}"
            )
        self.algorithm = algorithm

    @property
    def winograd_shaped(self):
        """Whether this convolution's geometry is one F(2x2, 3x3) computes."""
        return (
            tuple(self.kernel_size) == (3, 3)
            and tuple(self.strides) == (1, 1)
            and tuple(self.dilation_rate) == (1, 1)
            and self.groups == 1
            and self.padding == "same"
            and self.data_format == "channels_last"
        )

    def uses_winograd(self, input_shape, dtype="float32"):
        """Whether a call on inputs of `input_shape` (NHWC) and `dtype` takes the Winograd path now."""
        if self.algorithm == "direct" or not self.winograd_shaped or not xla_allowed():
            return False
        if keras.backend.backend() != "tensorflow" or keras.backend.standardize_dtype(dtype) != "float32":
            return False
        _, height, width, channels = input_shape
        if height is None or width is None:  # the tiles need a static size
            return False
        if self.algorithm == "winograd":
            return True
        # An odd side is padded to whole 2x2 tiles: at 7x7 that is 31% more work, and no gain left.
        padded = (height + height % 2) * (width + width % 2)
        return (
            min(channels, self.filters) >= AUTO_MIN_CHANNELS
            and padded <= AUTO_MAX_TILE_PADDING * height * width
            and not _backend.has_gpu()
        )

    def call(self, inputs):
        fusable = self.activation in (keras.activations.linear, keras.activations.relu)
        if not fusable or not self.uses_winograd(tuple(inputs.shape), self.compute_dtype):
            return super().call(inputs)
        bias = self.bias if self.use_bias else None
        return winograd_conv2d(inputs, self.kernel, bias, relu=self.activation is keras.activations.relu)

    def convolution_op(self, inputs, kernel):
        if self.uses_winograd(tuple(inputs.shape), kernel.dtype):
            return winograd_conv2d(inputs, kernel)
        return super().convolution_op(inputs, kernel)

    def get_config(self):
        return {**super().get_config(), "algorithm": self.algorithm}

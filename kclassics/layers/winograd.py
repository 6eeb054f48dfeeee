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

import functools

import keras
import tensorflow as tf

from kclassics.layers._xla import xla_allowed

ALGORITHMS = ("auto", "direct", "winograd")
AUTO_MIN_CHANNELS = 256
AUTO_MAX_TILE_PADDING = 1.1


@functools.lru_cache(maxsize=None)
def _has_gpu():
    return bool(tf.config.list_logical_devices("GPU"))


# F(2x2, 3x3) (Lavin & Gray 2016, section 4.1):
#   B^T = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]]
#   G   = [[1, 0, 0], [1/2, 1/2, 1/2], [1/2, -1/2, 1/2], [0, 0, 1]]
#   A^T = [[1, 1, 1, 0], [0, 1, -1, -1]]
# B^T and A^T are applied as the additions they stand for, G as a small einsum.


def _input_transform_1d(x, axis):
    """`B^T d` along `axis` of a padded tensor of size 2t + 2 there: four tensors of size t."""
    tiles = (x.shape[axis] - 2) // 2

    def rows(k):
        index = [slice(None)] * 4
        index[axis] = slice(k, k + 2 * tiles, 2)
        return x[tuple(index)]

    d0, d1, d2, d3 = (rows(k) for k in range(4))
    return [d0 - d2, d1 + d2, d2 - d1, d1 - d3]


@tf.function(jit_compile=True, autograph=False)
def _input_transform(x):
    """`B^T d B` of every 4x4 tile (stride 2) of the zero-padded input: `[16, tiles, channels]`."""
    height, width = x.shape[1], x.shape[2]
    x = tf.pad(x, [[0, 0], [1, 1 + height % 2], [1, 1 + width % 2], [0, 0]])
    planes = [p for rows in _input_transform_1d(x, 1) for p in _input_transform_1d(rows, 2)]
    return tf.reshape(tf.stack(planes), [16, -1, x.shape[-1]])


def _output_transform_1d(m0, m1, m2, m3):
    """`A^T m` along one axis."""
    return m0 + m1 + m2, m1 - m2 - m3


@tf.function(jit_compile=True, autograph=False)
def _output_transform(products, batch, height, width, bias=None, relu=False):
    """`A^T m A` of the 16 products `[16, tiles, filters]`, reassembled into `[batch, height, width, filters]`.

    The bias and ReLU of the layer, when given, are applied in the same fused pass.
    """
    filters = products.shape[-1]
    m = [[products[4 * i + j] for j in range(4)] for i in range(4)]
    columns = [_output_transform_1d(*(m[i][j] for i in range(4))) for j in range(4)]  # columns[j][a]
    outputs = [[_output_transform_1d(*(columns[j][a] for j in range(4)))[b] for b in range(2)] for a in range(2)]
    tiles_h, tiles_w = (height + 1) // 2, (width + 1) // 2
    y = tf.reshape(tf.stack([tf.stack(row) for row in outputs]), [2, 2, batch, tiles_h, tiles_w, filters])
    y = tf.reshape(tf.transpose(y, [2, 3, 0, 4, 1, 5]), [batch, 2 * tiles_h, 2 * tiles_w, filters])[:, :height, :width]
    if bias is not None:
        y = y + bias
    return tf.nn.relu(y) if relu else y


_G = [[1.0, 0.0, 0.0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0.0, 0.0, 1.0]]


def winograd_conv2d(inputs, kernel, bias=None, relu=False):
    """A 3x3, stride-1, SAME convolution of NHWC float32 `inputs` by `kernel` `[3, 3, in, out]`.

    Args:
        inputs: `[batch, height, width, in]`.
        kernel: `[3, 3, in, out]`.
        bias: optional `[out]`, added to the result.
        relu: whether to apply a ReLU last (bias and ReLU fuse into the output transform).
    """
    channels, filters = kernel.shape[2], kernel.shape[3]
    g = tf.constant(_G, kernel.dtype)
    transformed_kernel = tf.reshape(tf.einsum("ai,ijcf,bj->abcf", g, kernel, g), [16, channels, filters])
    products = tf.matmul(_input_transform(inputs), transformed_kernel)
    return _output_transform(products, tf.shape(inputs)[0], inputs.shape[1], inputs.shape[2], bias, bool(relu))


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
        if algorithm not in ALGORITHMS:
            raise ValueError(f"`algorithm` must be one of {ALGORITHMS}. Received: algorithm={algorithm!r}")
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
            and not _has_gpu()
        )

    def call(self, inputs):
        fusable = self.activation in (keras.activations.linear, keras.activations.relu)
        if not fusable or not self.uses_winograd(tuple(inputs.shape), self.compute_dtype):
            return super().call(inputs)
        bias = tf.convert_to_tensor(self.bias) if self.use_bias else None
        return winograd_conv2d(inputs, self.kernel, bias, relu=self.activation is keras.activations.relu)

    def convolution_op(self, inputs, kernel):
        if self.uses_winograd(tuple(inputs.shape), kernel.dtype):
            return winograd_conv2d(inputs, kernel)
        return super().convolution_op(inputs, kernel)

    def get_config(self):
        return {**super().get_config(), "algorithm": self.algorithm}

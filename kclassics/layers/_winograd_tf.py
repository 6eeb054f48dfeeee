"""Winograd F(2x2, 3x3) convolution in TensorFlow ops, its tile transforms XLA-compiled.

Imported by `kclassics.layers.winograd` on the TensorFlow backend only, so
the layers import without TensorFlow.
"""

import tensorflow as tf

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
    bias = None if bias is None else tf.convert_to_tensor(bias)
    return _output_transform(products, tf.shape(inputs)[0], inputs.shape[1], inputs.shape[2], bias, bool(relu))

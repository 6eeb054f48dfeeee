"""Batch normalization on TensorFlow's fused kernel: the same function as Keras's, faster.

Keras 3's `BatchNormalization` computes the batch moments and the affine
transform with separate element-wise ops (`tf.nn.moments`, then
`tf.nn.batch_normalization`: a Mul and an Add per element, plus the gradient
ops of each in training). TensorFlow's `FusedBatchNormV3` kernel does the same
arithmetic in one pass, and on CPU the graph optimizer (oneDNN remapper) folds
an inference-mode fused batch norm, and the ReLU after it, into the preceding
convolution. Profiled on ResNet V2 50 (docs/performance.md) the element-wise
ops of Keras's form take about 10% of a CPU step; the fused kernel removes
most of that time.
"""

import keras


@keras.saving.register_keras_serializable(package="kclassics")
class BatchNormalization(keras.layers.BatchNormalization):
    """`keras.layers.BatchNormalization` computed with TensorFlow's fused kernel where it applies.

    It keeps Keras's class name, so tools that pair layers by type (the
    keras.applications weight transplant) treat both alike.

    Same arguments, weights, config and mathematics as the Keras layer (its
    weights load into this one and back); it takes the fused path for 4-D
    channels-last inputs on the TensorFlow backend without masks, renorm or
    synchronized statistics, and falls back to the Keras computation
    otherwise. As in Keras, the moving variance is updated with the biased
    batch variance (the kernel's Bessel-corrected one is converted back) and
    half-precision inputs are normalized in float32.

    Reference: Ioffe and Szegedy 2015, "Batch Normalization".
    """

    def _fused_applies(self, inputs, mask):
        rank = len(inputs.shape)
        return (
            keras.backend.backend() == "tensorflow"
            and rank == 4
            and self.axis % rank == rank - 1
            and mask is None
            and not self.renorm
            and not self.synchronized
        )

    def call(self, inputs, training=None, mask=None):
        if not self._fused_applies(inputs, mask):
            return super().call(inputs, training=training, mask=mask)
        import tensorflow as tf

        # As Keras: normalize half-precision inputs in float32.
        x = tf.cast(inputs, keras.backend.result_type(inputs.dtype, "float32"))
        ones = tf.ones_like(self.moving_mean, dtype=x.dtype)
        gamma = tf.cast(self.gamma, x.dtype) if self.scale else ones
        beta = tf.cast(self.beta, x.dtype) if self.center else tf.zeros_like(ones)
        moving_mean = tf.cast(self.moving_mean, x.dtype)
        moving_variance = tf.cast(self.moving_variance, x.dtype)
        if training and self.trainable:
            outputs, mean, variance = tf.compat.v1.nn.fused_batch_norm(
                x, gamma, beta, epsilon=self.epsilon, data_format="NHWC", is_training=True
            )
            # The kernel returns the unbiased batch variance, Keras keeps the biased one.
            count = tf.cast(tf.size(x) // tf.shape(x)[-1], x.dtype)
            variance = tf.where(count > 1, variance * (count - 1) / tf.maximum(count, 1), variance)
            self.moving_mean.assign(moving_mean * self.momentum + mean * (1.0 - self.momentum))
            self.moving_variance.assign(moving_variance * self.momentum + variance * (1.0 - self.momentum))
        else:
            outputs, _, _ = tf.compat.v1.nn.fused_batch_norm(
                x, gamma, beta, mean=moving_mean, variance=moving_variance,
                epsilon=self.epsilon, data_format="NHWC", is_training=False,
            )
        return tf.cast(outputs, self.compute_dtype)

"""Residual units: ResNet V1 basic and bottleneck (post-activation) and ResNet V2 pre-activation bottleneck.

Sub-layers are named like keras.applications' layers without the unit prefix
(`preact_bn`, `1` holding `1_conv`/`1_bn`, `0_conv`, ...), so a unit named
`conv2_block1` holds `conv2_block1_1_conv` as in `keras.applications.ResNet50V2`.
"""

import keras
from keras import layers

from kclassics import validation
from kclassics.layers._composite import CompositeLayer
from kclassics.layers.conv import ConvBNAct, conv_defaults
from kclassics.layers import fused_batch_norm


def _check_positive(**values):
    for argument, value in values.items():
        validation.positive_int(argument, value)


@keras.saving.register_keras_serializable(package="kclassics")
class PreActBottleneck(CompositeLayer):
    """ResNet V2 bottleneck unit: BN-ReLU first, then 1x1, 3x3 (stride), 1x1 convolutions.

    As slim's `bottleneck` of `resnet_v2` (book 6.4, L3455): the shortcut is the
    input subsampled by a 1x1 max-pool when the depth is unchanged, otherwise a
    1x1 convolution (with bias, no BN) of the pre-activation; the last 1x1
    convolution has a bias and no normalizer; the 3x3 convolution uses
    `conv2d_same` padding.

    Args:
        depth: output channels (4x the bottleneck).
        depth_bottleneck: channels of the 1x1 and 3x3 convolutions.
        stride: stride of the 3x3 convolution and of the shortcut.
        projection: whether the shortcut is a 1x1 convolution (the first unit
            of a block, where the depth changes).
        family: `CONV_DEFAULTS` key.
    """

    def __init__(self, depth, depth_bottleneck, stride=1, projection=False, family="resnet_v2", **kwargs):
        super().__init__(**kwargs)
        _check_positive(depth=depth, depth_bottleneck=depth_bottleneck, stride=stride)
        self.depth, self.depth_bottleneck, self.stride = depth, depth_bottleneck, stride
        self.projection, self.family = bool(projection), family
        defaults = conv_defaults(family)
        conv_args = dict(
            kernel_initializer=keras.initializers.get(defaults.kernel_initializer),
            kernel_regularizer=keras.regularizers.L2(defaults.weight_decay / 2) if defaults.weight_decay else None,
        )
        self.preact_bn = fused_batch_norm.BatchNormalization(
            momentum=defaults.bn_momentum, epsilon=defaults.bn_epsilon, scale=defaults.bn_scale, name="preact_bn"
        )
        if self.projection:
            self.shortcut = layers.Conv2D(depth, 1, strides=stride, name="0_conv", **conv_args)
        else:
            self.shortcut = layers.MaxPooling2D(1, strides=stride, name="0_subsample") if stride > 1 else None
        self.conv1 = ConvBNAct(depth_bottleneck, 1, family=family, name="1")
        self.conv2 = ConvBNAct(depth_bottleneck, 3, strides=stride, padding="conv2d_same", family=family, name="2")
        self.conv3 = layers.Conv2D(depth, 1, name="3_conv", **conv_args)

    def call(self, inputs, training=None):
        preact = keras.ops.relu(self.preact_bn(inputs, training=training))
        if self.projection:
            shortcut = self.shortcut(preact)
        else:
            shortcut = inputs if self.shortcut is None else self.shortcut(inputs)
        x = self.conv1(preact, training=training)
        x = self.conv2(x, training=training)
        return shortcut + self.conv3(x)


    def get_config(self):
        config = super().get_config()
        config.update(
            depth=self.depth, depth_bottleneck=self.depth_bottleneck, stride=self.stride,
            projection=self.projection, family=self.family,
        )
        return config


class _ResidualUnitV1(CompositeLayer):
    """Post-activation residual unit: `relu(shortcut + F(x))` with BN after every convolution."""

    bottleneck = False

    def __init__(self, filters, stride=1, projection=False, family="resnet_v1", use_bias=None, **kwargs):
        super().__init__(**kwargs)
        _check_positive(filters=filters, stride=stride)
        self.filters, self.stride, self.projection = filters, stride, bool(projection)
        self.family, self.use_bias = family, use_bias
        depth = 4 * filters if self.bottleneck else filters
        common = dict(family=family, use_bias=use_bias)
        self.shortcut = (
            ConvBNAct(depth, 1, strides=stride, activation=None, name="0", **common) if self.projection else None
        )
        if self.bottleneck:
            # Stride on the first 1x1 convolution, as the paper's Caffe model and keras.applications.ResNet50.
            self.residual = [
                ConvBNAct(filters, 1, strides=stride, name="1", **common),
                ConvBNAct(filters, 3, name="2", **common),
                ConvBNAct(depth, 1, activation=None, name="3", **common),
            ]
        else:
            self.residual = [
                ConvBNAct(filters, 3, strides=stride, name="1", **common),
                ConvBNAct(filters, 3, activation=None, name="2", **common),
            ]

    def call(self, inputs, training=None):
        x = inputs
        for conv in self.residual:
            x = conv(x, training=training)
        shortcut = inputs if self.shortcut is None else self.shortcut(inputs, training=training)
        return keras.ops.relu(shortcut + x)


    def get_config(self):
        config = super().get_config()
        config.update(
            filters=self.filters, stride=self.stride, projection=self.projection, family=self.family,
            use_bias=self.use_bias,
        )
        return config


@keras.saving.register_keras_serializable(package="kclassics")
class BasicResidualUnit(_ResidualUnitV1):
    """ResNet V1 basic unit (ResNet-18/34): two 3x3 convolutions, stride on the first.

    Args:
        filters: channels of both convolutions and of the output.
        stride: stride of the first convolution and of the projection shortcut.
        projection: whether the shortcut is a 1x1 convolution + BN (first unit of a stage
            whose shape changes; the paper's option B).
        family: `CONV_DEFAULTS` key.
        use_bias: biases before the batch norms (keras.applications' ResNet50 has them).
    """


@keras.saving.register_keras_serializable(package="kclassics")
class BottleneckResidualUnit(_ResidualUnitV1):
    """ResNet V1 bottleneck unit (ResNet-50/101/152): 1x1 (stride), 3x3, 1x1 with 4x the channels.

    Args: as `BasicResidualUnit`; the output has `4 * filters` channels.
    """

    bottleneck = True

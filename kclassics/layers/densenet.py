"""DenseNet-BC pieces (Huang et al. 2017; the Tensorflow_CNN blog, docs/sources.md): dense layer, dense block, transition.

Sub-layers follow keras.applications' names: a block `conv2` holds layers
`block1`, `block2`, ... each holding `0_bn`, `1_conv`, `1_bn`, `2_conv`
(keras' `conv2_block1_1_conv`); a transition `pool2` holds `bn` and `conv`.
"""

import keras
from keras import layers

from kclassics import validation
from kclassics.layers._composite import CompositeLayer
from kclassics.layers.conv import conv_defaults
from kclassics.layers import fused_batch_norm


def _conv(filters, kernel, name, family):
    defaults = conv_defaults(family)
    return layers.Conv2D(
        filters, kernel, padding="same", use_bias=False, name=name,
        kernel_initializer=keras.initializers.get(defaults.kernel_initializer),
        kernel_regularizer=keras.regularizers.L2(defaults.weight_decay / 2) if defaults.weight_decay else None,
    )


def _bn(name, family):
    defaults = conv_defaults(family)
    return fused_batch_norm.BatchNormalization(momentum=defaults.bn_momentum, epsilon=defaults.bn_epsilon, name=name)


@keras.saving.register_keras_serializable(package="kclassics")
class DenseLayer(CompositeLayer):
    """BN-ReLU-1x1 conv (4k, the BC bottleneck) - BN-ReLU-3x3 conv (k); its input and output concatenated.

    Args:
        growth_rate: k, the channels each layer adds.
        bottleneck_factor: the 1x1 conv has `bottleneck_factor * k` channels (4 in DenseNet-BC).
        family: `CONV_DEFAULTS` key.
    """

    def __init__(self, growth_rate=32, bottleneck_factor=4, family="densenet", **kwargs):
        super().__init__(**kwargs)
        self.growth_rate, self.bottleneck_factor, self.family = growth_rate, bottleneck_factor, family
        self.bn0 = _bn("0_bn", family)
        self.conv1 = _conv(bottleneck_factor * growth_rate, 1, "1_conv", family)
        self.bn1 = _bn("1_bn", family)
        self.conv2 = _conv(growth_rate, 3, "2_conv", family)

    def call(self, inputs, training=None):
        x = self.conv1(keras.ops.relu(self.bn0(inputs, training=training)))
        x = self.conv2(keras.ops.relu(self.bn1(x, training=training)))
        return keras.ops.concatenate([inputs, x], axis=-1)

    def get_config(self):
        config = super().get_config()
        config.update(growth_rate=self.growth_rate, bottleneck_factor=self.bottleneck_factor, family=self.family)
        return config


@keras.saving.register_keras_serializable(package="kclassics")
class DenseBlock(CompositeLayer):
    """`num_layers` `DenseLayer`s, each seeing the concatenation of all earlier outputs.

    Args:
        num_layers: layers in the block (6, 12, 24, 16 in DenseNet-121).
        growth_rate: k.
        family: `CONV_DEFAULTS` key.
    """

    def __init__(self, num_layers, growth_rate=32, family="densenet", **kwargs):
        super().__init__(**kwargs)
        validation.positive_int("num_layers", num_layers)
        self.num_layers, self.growth_rate, self.family = num_layers, growth_rate, family
        self.dense_layers = [DenseLayer(growth_rate, family=family, name=f"block{i}") for i in range(1, num_layers + 1)]

    def call(self, inputs, training=None):
        x = inputs
        for layer in self.dense_layers:
            x = layer(x, training=training)
        return x

    def get_config(self):
        config = super().get_config()
        config.update(num_layers=self.num_layers, growth_rate=self.growth_rate, family=self.family)
        return config


@keras.saving.register_keras_serializable(package="kclassics")
class Transition(CompositeLayer):
    """BN-ReLU-1x1 conv to `filters` channels (compression), then 2x2/2 average pooling.

    Args:
        filters: output channels, `int(compression * input channels)` (compression 0.5 in DenseNet-BC).
        family: `CONV_DEFAULTS` key.
    """

    def __init__(self, filters, family="densenet", **kwargs):
        super().__init__(**kwargs)
        self.filters, self.family = filters, family
        self.bn = _bn("bn", family)
        self.conv = _conv(filters, 1, "conv", family)
        self.pool = layers.AveragePooling2D(2, strides=2, name="pool")

    def call(self, inputs, training=None):
        return self.pool(self.conv(keras.ops.relu(self.bn(inputs, training=training))))

    def get_config(self):
        config = super().get_config()
        config.update(filters=self.filters, family=self.family)
        return config

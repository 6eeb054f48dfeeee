"""The Tensorflow_CNN blog's CIFAR-10 networks, as the post writes them (docs/sources.md).

Five networks for 32x32x3 images, each with the post's training log and results (`alexnet_cifar`,
`vgg_cifar`, `googlenet_cifar`, `resnet_cifar`, `densenet_cifar`), and the small network of its
batch-norm trick (`conv_bn_net`). Two kinds of layers, as in the post:

- AlexNet and VGG use the post's own `conv` and `fc` helpers (L115-145): truncated-normal weights
  (stddev 5e-2), biases 0.1, ReLU.
- GoogLeNet, ResNet, DenseNet and conv_bn_net are TF-Slim code: `slim.conv2d` (Xavier weights, zero
  biases) under a scope whose normalizer is `slim.batch_norm` (decay 0.999, epsilon 0.001, no gamma),
  which then replaces the bias; the logits are a `slim.fully_connected` without normalizer.

Where the post's code is incomplete or contradicts itself, docs/sources.md gives the reading taken
and why. The tricks of its last chapter are arguments of every builder: `dropout_rate` (1 - keep_prob),
`weight_decay` (slim's `l2_regularizer(wd)` on every convolution and fully connected kernel,
`wd * sum(w**2) / 2`) and `batch_norm`; their defaults are the networks of the post's runs.
"""

import dataclasses
from typing import NamedTuple

import keras
from keras import layers, regularizers

from kclassics import validation
from kclassics.apps import _common
from kclassics.apps._registry import register
from kclassics.layers import ConvBNAct, InceptionModule, conv_defaults, inception_v1_module
from kclassics.layers import fused_batch_norm
from kclassics.model import Model

FAMILY = "cifar_blog"
INPUT_SHAPE = (32, 32, 3)  # CIFAR-10 images: AlexNet's tf.reshape(net, [-1, 6*6*64]) (L169) fixes this size
POST = "Tensorflow_CNN blog"


@dataclasses.dataclass(frozen=True)
class Tricks:
    """The post's training tricks (L926-1021) as the layers of one network apply them.

    Attributes:
        dropout_rate: fraction dropped (`1 - keep_prob` of `tf.nn.dropout`, L940) after each hidden fully
            connected layer (AlexNet's fc3 and fc4, VGG's fc1), or before the logits of the networks without
            one; 0 builds no dropout layer.
        weight_decay: slim's `l2_regularizer(weight_decay)` on every convolution and fully connected
            kernel (L963): `weight_decay * sum(w**2) / 2` per kernel, Keras's `L2(weight_decay / 2)`.
        batch_norm: batch norm after every convolution, instead of its bias (`normalizer_fn=slim.batch_norm`,
            L999); in DenseNet, whose BN-ReLU-conv layers hold their batch norms themselves, False removes them.
    """

    dropout_rate: float = 0.0
    weight_decay: float = 0.0
    batch_norm: bool = False

    def __post_init__(self):
        validation.fraction("dropout_rate", self.dropout_rate, high_open=True)
        validation.non_negative_float("weight_decay", self.weight_decay)
        validation.boolean("batch_norm", self.batch_norm)

    @property
    def regularizer(self):
        return regularizers.L2(self.weight_decay / 2) if self.weight_decay else None

    def post_conv(self, filters, kernel, name, padding="same"):
        """The post's `conv` (L115-145): stride 1, truncated normal 5e-2, bias 0.1, ReLU."""
        initializer = keras.initializers.TruncatedNormal(stddev=5e-2)  # variable_weight(shape, stddev=5e-2)
        if self.batch_norm:
            return ConvBNAct(filters, kernel, padding=padding, family="slim", kernel_initializer=initializer,
                             weight_decay=self.weight_decay, name=name)
        return layers.Conv2D(filters, kernel, padding=padding, activation="relu", kernel_initializer=initializer,
                             bias_initializer=keras.initializers.Constant(0.1), kernel_regularizer=self.regularizer, name=name)

    def post_fc(self, units, name, activation="relu"):
        """The post's `fc`: truncated normal 5e-2, bias 0.1 (variable_bias), ReLU unless `activation`."""
        return layers.Dense(units, activation=activation, kernel_initializer=keras.initializers.TruncatedNormal(stddev=5e-2),
                            bias_initializer=keras.initializers.Constant(0.1), kernel_regularizer=self.regularizer, name=name)

    def slim_conv(self, filters, kernel, name, strides=1, activation="relu"):
        """`slim.conv2d` with SAME padding under the course's `conv_scope` (batch norm, then `activation`)."""
        return ConvBNAct(filters, kernel, strides=strides, family="slim", normalize=self.batch_norm, activation=activation,
                         weight_decay=self.weight_decay, name=name)

    def slim_logits(self, classes, classifier_activation):
        """`slim.fully_connected(net, num_classes, activation_fn=None, normalizer_fn=None)`: Xavier weights, zero bias."""
        return layers.Dense(classes, activation=classifier_activation, kernel_regularizer=self.regularizer, name="predictions")

    def batch_norm_relu(self, x, name):
        """`slim.batch_norm` then `tf.nn.relu` (DenseNet's BN-ReLU-conv, L726-738); only the ReLU without batch norm."""
        if self.batch_norm:
            defaults = conv_defaults("slim")
            x = fused_batch_norm.BatchNormalization(momentum=defaults.bn_momentum, epsilon=defaults.bn_epsilon,
                                                    scale=defaults.bn_scale, name=f"{name}_bn")(x)
        return layers.ReLU(name=f"{name}_relu")(x)

    def dropout(self, x, name):
        return layers.Dropout(self.dropout_rate, name=name)(x) if self.dropout_rate else x


# The smallest input side each builder takes (`min_input_side` of its card); AlexNet takes 32x32 only.
MIN_INPUT_SIDES = {
    "vgg_cifar": 1,  # SAME convolutions and pools throughout
    "googlenet_cifar": 1,
    "resnet_cifar": 1,
    "densenet_cifar": 29,  # three VALID 2x2/2 transition pools after the stem's /4
    "conv_bn_net": 4,  # two VALID 2x2/2 pools
}


def _inputs(builder, input_shape, input_tensor, classes, classifier_activation, weights):
    _common.check_head(classes, classifier_activation)
    _common.check_weights(weights)
    inputs = _common.model_input(input_shape, input_tensor, INPUT_SHAPE)
    shape = tuple(inputs.shape[1:])
    min_side = MIN_INPUT_SIDES.get(builder)
    if min_side is None and shape != INPUT_SHAPE:
        raise ValueError(
            f"{builder} takes {INPUT_SHAPE} images only: the post flattens its last map with "
            f"tf.reshape(net, [-1, 6*6*64]) (L169). Received: input_shape={shape}"
        )
    if min_side is not None and any(side is not None and side < min_side for side in shape[:2]):
        raise ValueError(f"{builder} takes images of side {min_side} or more. Received: input_shape={shape}")
    return inputs


def _model(inputs, outputs, name, weights):
    return _common.load_weights(Model(inputs, outputs, name=name), weights)


def alexnet_cifar(input_shape=None, input_tensor=None, classes=10, dropout_rate=0.0, weight_decay=0.0, batch_norm=False,
                  classifier_activation="softmax", weights=None, name=None):
    """The post's AlexNet for CIFAR-10 (L151-173): conv 5x5x64 VALID, pool, conv 5x5x64, pool, FC 384-192-10.

    32x32 -> conv1 28 -> pool1 (3x3/2 VALID) 13 -> conv2 (SAME) 13 -> pool2 6: the 6x6x64 map the post
    reshapes (L169). The post's AlexNet prose puts dropout on the two hidden FC layers (L107), so
    `dropout_rate` drops after fc3 and fc4.

    Args:
        input_shape: `(32, 32, 3)`, the only size the post's fixed reshape takes.
        input_tensor: optional Keras tensor to use as the input.
        classes: number of classes.
        dropout_rate, weight_decay, batch_norm: the post's tricks (see `Tricks`); default none, as its run.
        classifier_activation: activation of `predictions` (`None` for logits).
        weights: `None` or the path of a weights file.
        name: model name.

    Returns:
        A `kclassics.Model`.
    """
    tricks = Tricks(dropout_rate, weight_decay, batch_norm)
    inputs = _inputs("alexnet_cifar", input_shape, input_tensor, classes, classifier_activation, weights)
    x = tricks.post_conv(64, 5, "conv1", padding="valid")(inputs)
    x = layers.MaxPooling2D(3, strides=2, padding="valid", name="pool1")(x)
    x = tricks.post_conv(64, 5, "conv2")(x)  # the helper's default padding, SAME
    x = layers.MaxPooling2D(3, strides=2, padding="valid", name="pool2")(x)
    x = layers.Flatten(name="flatten")(x)
    for units, scope in ((384, "fc3"), (192, "fc4")):
        x = tricks.dropout(tricks.post_fc(units, scope)(x), f"{scope}_dropout")
    outputs = tricks.post_fc(classes, "predictions", classifier_activation)(x)  # the post's fc5
    return _model(inputs, outputs, name or "alexnet_cifar", weights)


# (num_convs, out_depth) of each vgg_block: the course's call vgg(inputs, (1, 1, 2, 2, 2), (64, 128, 256, 512, 512), 10),
# VGG's configuration A; the post shows vgg_stack but not its arguments (docs/sources.md).
VGG_BLOCKS = ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512))


def vgg_cifar(input_shape=None, input_tensor=None, classes=10, dropout_rate=0.0, weight_decay=0.0, batch_norm=False,
              classifier_activation="softmax", weights=None, name=None):
    """The post's VGG for CIFAR-10 (L324-417): vgg_block(num_convs, out_depth) x5, FC 100, classification.

    Each vgg_block is `num_convs` 3x3 SAME convolutions and a 2x2/2 max-pool (the helper's default
    padding, SAME); on 32x32 the fifth block leaves 1x1x512, flattened into FC 100 (ReLU) and the logits.
    `dropout_rate` drops after fc1.

    Args: as `alexnet_cifar`; any input side works (SAME pools).
    """
    tricks = Tricks(dropout_rate, weight_decay, batch_norm)
    inputs = _inputs("vgg_cifar", input_shape, input_tensor, classes, classifier_activation, weights)
    x = inputs
    for block, (num_convs, depth) in enumerate(VGG_BLOCKS):
        for conv in range(num_convs):
            x = tricks.post_conv(depth, 3, f"block{block}_conv{conv}")(x)
        x = layers.MaxPooling2D(2, strides=2, padding="same", name=f"block{block}_pool")(x)
    x = layers.Flatten(name="flatten")(x)  # tf.reshape(net, (batch_size, -1)), L414
    x = tricks.dropout(tricks.post_fc(100, "fc1")(x), "fc1_dropout")
    outputs = tricks.post_fc(classes, "predictions", classifier_activation)(x)  # the post's `classification`
    return _model(inputs, outputs, name or "vgg_cifar", weights)


class InceptionWidths(NamedTuple):
    """The arguments of the post's `inception(x, d0_1, d1_1, d1_3, d2_1, d2_5, d3_1)` (L479)."""

    d0_1: int  # branch 0: 1x1
    d1_1: int  # branch 1: 1x1, then
    d1_3: int  # 3x3
    d2_1: int  # branch 2: 1x1, then a 5x5 of d2_1 channels (L495; d2_5 is never used)
    d2_5: int
    d3_1: int  # branch 3: 3x3/1 max-pool, then 1x1


def post_inception_branches(widths):
    """The post's inception module: 1x1 | 1x1-3x3 | 1x1-5x5 | maxpool-1x1, its 5x5 conv `d2_1` wide (L495)."""
    return inception_v1_module(widths.d0_1, widths.d1_1, widths.d1_3, widths.d2_1, widths.d2_1, widths.d3_1)


# Blocks 3-5 (L517-538): the inception modules, then the block's pool (3x3/2 max, or 2x2/2 average), SAME.
GOOGLENET_BLOCKS = (
    ("block3", (InceptionWidths(64, 96, 128, 16, 32, 32), InceptionWidths(128, 128, 192, 32, 96, 64)), "max"),
    ("block4", (InceptionWidths(192, 96, 208, 16, 48, 64), InceptionWidths(160, 112, 224, 24, 64, 64),
                InceptionWidths(128, 128, 256, 24, 64, 64), InceptionWidths(112, 144, 288, 24, 64, 64),
                InceptionWidths(256, 160, 320, 32, 128, 128)), "max"),
    ("block5", (InceptionWidths(256, 160, 320, 32, 128, 128), InceptionWidths(384, 182, 384, 48, 128, 128)), "avg"),
)


def googlenet_cifar(input_shape=None, input_tensor=None, classes=10, dropout_rate=0.0, weight_decay=0.0, batch_norm=True,
                    classifier_activation="softmax", weights=None, name=None):
    """The post's GoogLeNet for CIFAR-10 (L479-548): a 5x5/2 stem, nine inception modules, a 2x2 average pool.

    block1 conv 5x5/2 64; block2 conv 1x1 64, conv 3x3 192, max-pool 3x3/2; block3-5 the modules of
    `GOOGLENET_BLOCKS` with the post's widths (its 4d reduces to 24, its 5b to 182) and its 5x5
    convolutions `d2_1` wide; flatten and the logits. On 32x32 the blocks print 16x16x64, 8x8x192,
    4x4x416, 2x2x736, 1x1x944 (`block1`..`block5` are the layers of those outputs). `dropout_rate`
    drops before the logits.

    Args: as `alexnet_cifar`; `batch_norm` defaults to True (the course's conv_scope); any input side works.
    """
    tricks = Tricks(dropout_rate, weight_decay, batch_norm)
    inputs = _inputs("googlenet_cifar", input_shape, input_tensor, classes, classifier_activation, weights)
    x = tricks.slim_conv(64, 5, "block1_conv_5x5", strides=2)(inputs)
    x = layers.Identity(name="block1")(x)
    x = tricks.slim_conv(64, 1, "block2_conv_1x1")(x)
    x = tricks.slim_conv(192, 3, "block2_conv_3x3")(x)
    x = layers.MaxPooling2D(3, strides=2, padding="same", name="block2_max_pool")(x)
    x = layers.Identity(name="block2")(x)
    conv_kwargs = {"weight_decay": weight_decay} if weight_decay else None
    for block, modules, pool in GOOGLENET_BLOCKS:
        for index, widths in enumerate(modules, start=1):
            x = InceptionModule(post_inception_branches(widths), family="slim", normalize=batch_norm, conv_kwargs=conv_kwargs,
                                name=f"{block}_inception_{index}")(x)
        if pool == "max":
            x = layers.MaxPooling2D(3, strides=2, padding="same", name=f"{block}_max_pool")(x)
        else:
            x = layers.AveragePooling2D(2, strides=2, padding="same", name=f"{block}_avg_pool")(x)
        x = layers.Identity(name=block)(x)
    x = tricks.dropout(layers.Flatten(name="flatten")(x), "dropout")
    outputs = tricks.slim_logits(classes, classifier_activation)(x)
    return _model(inputs, outputs, name or "googlenet_cifar", weights)


# (bottleneck_depth, out_depth, stride) of each residual_block of blocks 2-4 (L611-629).
RESNET_BLOCKS = (
    ("block2", ((32, 128, 1), (32, 128, 1))),
    ("block3", ((64, 256, 2), (64, 256, 1))),
    ("block4", ((128, 512, 2), (128, 512, 1))),
)


def residual_block(x, bottleneck_depth, out_depth, stride, name, tricks):
    """The post's `residual_block` (L647-661): relu(shortcut + 1x1 -> 3x3 (stride) -> 1x1), post-activation.

    The shortcut is the input subsampled by a 1x1 max-pool when the depth is unchanged (`subsample`,
    L602), else a 1x1 convolution with the stride, batch norm and no activation. The residual's last
    1x1 convolution has batch norm and no activation; the sum goes through a ReLU.
    """
    if x.shape[-1] == out_depth:
        shortcut = x if stride == 1 else layers.MaxPooling2D(1, strides=stride, name=f"{name}_shortcut")(x)
    else:
        shortcut = tricks.slim_conv(out_depth, 1, f"{name}_shortcut", strides=stride, activation=None)(x)
    residual = tricks.slim_conv(bottleneck_depth, 1, f"{name}_conv1")(x)
    residual = tricks.slim_conv(bottleneck_depth, 3, f"{name}_conv2", strides=stride)(residual)
    residual = tricks.slim_conv(out_depth, 1, f"{name}_conv3", activation=None)(residual)
    x = layers.Add(name=f"{name}_add")([shortcut, residual])
    return layers.ReLU(name=f"{name}_relu")(x)


def resnet_cifar(input_shape=None, input_tensor=None, classes=10, dropout_rate=0.0, weight_decay=0.0, batch_norm=True,
                 classifier_activation="softmax", weights=None, name=None):
    """The post's ResNet for CIFAR-10 (L602-661): a 5x5/2 stem, six bottleneck blocks, global mean, logits.

    block1 conv 5x5/2 32 (the course's; the post's listing starts at block2); block2 max-pool 3x3/2 and
    two residual blocks 32->128; block3 and block4 two each, 64->256 and 128->512, the first with
    stride 2. On 32x32 the blocks print 16x16x32, 8x8x128, 4x4x256, 2x2x512. `dropout_rate` drops
    before the logits.

    Args: as `alexnet_cifar`; `batch_norm` defaults to True (the course's resnet_arg_scope); any input side works.
    """
    tricks = Tricks(dropout_rate, weight_decay, batch_norm)
    inputs = _inputs("resnet_cifar", input_shape, input_tensor, classes, classifier_activation, weights)
    x = tricks.slim_conv(32, 5, "block1_conv_5x5", strides=2)(inputs)
    x = layers.Identity(name="block1")(x)
    x = layers.MaxPooling2D(3, strides=2, padding="same", name="block2_max_pool")(x)
    for block, units in RESNET_BLOCKS:
        for index, (bottleneck_depth, out_depth, stride) in enumerate(units, start=1):
            x = residual_block(x, bottleneck_depth, out_depth, stride, f"{block}_residual_block{index}", tricks)
        x = layers.Identity(name=block)(x)
    x = layers.GlobalAveragePooling2D(name="global_pool")(x)  # tf.reduce_mean(net, [1, 2]) then flatten
    x = tricks.dropout(x, "dropout")
    outputs = tricks.slim_logits(classes, classifier_activation)(x)
    return _model(inputs, outputs, name or "resnet_cifar", weights)


DENSENET_GROWTH_RATE = 32  # the course's densenet(..., growth_rate=32, block_layers=[6, 12, 24, 16])
DENSENET_BLOCK_LAYERS = (6, 12, 24, 16)


def densenet_cifar(input_shape=None, input_tensor=None, classes=10, dropout_rate=0.0, weight_decay=0.0, batch_norm=True,
                   classifier_activation="softmax", weights=None, name=None):
    """The post's DenseNet for CIFAR-10 (L726-766): BN-ReLU-conv 3x3 layers (k=32) in blocks of 6, 12, 24, 16.

    The post gives the dense block and the transition; the network around them is the course's:
    block1 conv 7x7/2 64 (bias, no normalizer), BN, ReLU, max-pool 3x3/2 (SAME: with VALID, 32x32 inputs
    run out of pixels at the third transition); block2-block5 the dense blocks, a transition (BN, ReLU,
    1x1 conv to half the channels, 2x2/2 average pool) after each but the last; block6 BN, ReLU and the
    global mean; the logits. On 32x32: 8x8x64, 4x4x128, 2x2x256, 1x1x512, 1x1x1024. `dropout_rate`
    drops before the logits; `batch_norm=False` removes every batch norm (ReLU-conv layers).

    Args: as `alexnet_cifar`; `batch_norm` defaults to True; inputs of side 29 or more.
    """
    tricks = Tricks(dropout_rate, weight_decay, batch_norm)
    inputs = _inputs("densenet_cifar", input_shape, input_tensor, classes, classifier_activation, weights)

    def conv(filters, kernel, name, **kwargs):  # slim.conv2d(..., activation_fn=None, normalizer_fn=None, ...)
        return layers.Conv2D(filters, kernel, padding="same", kernel_regularizer=tricks.regularizer, name=name, **kwargs)

    x = conv(64, 7, "block1_conv_7x7", strides=2)(inputs)
    x = tricks.batch_norm_relu(x, "block1")
    x = layers.MaxPooling2D(3, strides=2, padding="same", name="block1_max_pool")(x)
    x = layers.Identity(name="block1")(x)
    for index, num_layers in enumerate(DENSENET_BLOCK_LAYERS):
        block = f"block{index + 2}"
        for layer in range(num_layers):  # dense_block (L742-753)
            out = tricks.batch_norm_relu(x, f"{block}_dense{layer}")
            out = conv(DENSENET_GROWTH_RATE, 3, f"{block}_dense{layer}_conv", use_bias=False)(out)
            x = layers.Concatenate(name=f"{block}_dense{layer}_concat")([x, out])
        if index < len(DENSENET_BLOCK_LAYERS) - 1:  # transition(net, depth // 2) (L757-766)
            depth = x.shape[-1]
            x = tricks.batch_norm_relu(x, f"{block}_transition")
            x = conv(depth // 2, 1, f"{block}_transition_conv", use_bias=False)(x)
            x = layers.AveragePooling2D(2, strides=2, name=f"{block}_transition_avg_pool")(x)  # slim's VALID
        x = layers.Identity(name=block)(x)
    x = tricks.batch_norm_relu(x, "block6")
    x = layers.GlobalAveragePooling2D(name="block6")(x)
    x = tricks.dropout(x, "dropout")
    outputs = tricks.slim_logits(classes, classifier_activation)(x)
    return _model(inputs, outputs, name or "densenet_cifar", weights)


def conv_bn_net(input_shape=None, input_tensor=None, classes=10, dropout_rate=0.0, weight_decay=0.0, batch_norm=True,
                classifier_activation="softmax", weights=None, name=None):
    """The post's batch-norm example `conv_bn_net` (L1002-1021): conv 3x3x6, pool, conv 5x5x16, pool, logits.

    `slim.conv2d` (SAME) with batch norm then ReLU, 2x2/2 max-pools (slim's VALID), flatten and a
    10-way `fully_connected`; `batch_norm=False` is the same network without batch norm (a biased
    convolution), the comparison the trick is about. The post gives no input; here CIFAR-10's 32x32x3
    (16x16x6, 8x8x16, 1,024 features). `dropout_rate` drops before the logits.

    Args: as `alexnet_cifar`; `batch_norm` defaults to True; inputs of side 4 or more.
    """
    tricks = Tricks(dropout_rate, weight_decay, batch_norm)
    inputs = _inputs("conv_bn_net", input_shape, input_tensor, classes, classifier_activation, weights)
    x = tricks.slim_conv(6, 3, "conv1")(inputs)  # conv, batch norm, then activation1
    x = layers.MaxPooling2D(2, strides=2, name="max_pool1")(x)
    x = tricks.slim_conv(16, 5, "conv2")(x)
    x = layers.MaxPooling2D(2, strides=2, name="max_pool2")(x)
    x = tricks.dropout(layers.Flatten(name="flatten")(x), "dropout")
    outputs = tricks.slim_logits(classes, classifier_activation)(x)  # the post's `classification`
    return _model(inputs, outputs, name or "conv_bn_net", weights)


# The networks in the post's order.
NETWORKS = ("alexnet_cifar", "vgg_cifar", "googlenet_cifar", "resnet_cifar", "densenet_cifar", "conv_bn_net")


def _register(builder, params, lines, paper, description, build_cost="light"):
    register(builder, family=FAMILY, input_shape=INPUT_SHAPE, params=params, paper=paper, book_section=f"{POST} ({lines})",
             description=description, min_input_side=MIN_INPUT_SIDES.get(builder.__name__), build_cost=build_cost)


_register(alexnet_cifar, 1_068_298, "L151-173", "Krizhevsky et al. 2012, ImageNet Classification with Deep CNNs",
          "The post's CIFAR AlexNet: conv 5x5x64 twice to 6x6x64, FC 384-192")
_register(vgg_cifar, 9_272_790, "L324-417", "Simonyan & Zisserman 2014, Very Deep Convolutional Networks",
          "The post's CIFAR VGG: vgg_blocks (1, 1, 2, 2, 2) x (64, 128, 256, 512, 512), FC 100")
_register(googlenet_cifar, 5_321_820, "L479-548", "Szegedy et al. 2014, Going Deeper with Convolutions",
          "The post's CIFAR GoogLeNet: 5x5/2 stem, nine BN inception modules, 2x2 average pool")
_register(resnet_cifar, 873_418, "L602-661", "He et al. 2015, Deep Residual Learning for Image Recognition",
          "The post's CIFAR ResNet: 5x5/2 stem, six BN bottleneck blocks to 512, global mean")
_register(densenet_cifar, 9_888_810, "L726-766", "Huang et al. 2017, Densely Connected Convolutional Networks",
          "The post's CIFAR DenseNet: BN-ReLU-conv3x3, k=32, blocks (6, 12, 24, 16), halving transitions",
          build_cost="heavy")
_register(conv_bn_net, 12_878, "L1002-1021", "Ioffe & Szegedy 2015, Batch Normalization",
          "The post's batch-norm example: conv 3x3x6, conv 5x5x16, each with BN, logits")

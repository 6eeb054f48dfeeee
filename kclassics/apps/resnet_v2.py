"""ResNet V2 (He et al. 2016, "Identity Mappings in Deep Residual Networks"), as book 6.4.

The book's slim listing (L3331; also the ResNet article of docs/sources.md): a 7x7/2 root convolution
without BN, a 3x3/2 max-pool, four blocks of pre-activation bottleneck units
with the stride on the LAST unit of blocks 1-3, a post-norm BN + ReLU, global
mean and the logits. Units are named `conv{2..5}_block{i}` as in
keras.applications; the book's end points `block1`..`block4` are identity
layers on the output of each block.

One deliberate option: the book pools the root with TF's SAME padding, while
keras.applications pads one zero on every side then pools VALID (another grid
alignment, and zeros instead of -inf under a non-ReLU'd input). With
`keras_compatible=True` the model uses keras' pooling and BN epsilon 1.001e-5
and then loads `keras.applications.ResNet*V2` weights; by default it is the book's.
"""

import dataclasses

import keras
from keras import layers

from kclassics.apps import _common
from kclassics.apps._zoo import Family, Variant, register_family
from kclassics.layers import ConvBNAct, PreActBottleneck, conv_defaults
from kclassics.layers import fused_batch_norm

# Output depth of each block (the bottleneck is a quarter), and the stride of its last unit.
BLOCK_DEPTHS = (256, 512, 1024, 2048)
BLOCK_STRIDES = (2, 2, 2, 1)


@dataclasses.dataclass(frozen=True, kw_only=True)
class ResNetV2Variant(Variant):
    """A ResNet V2 depth: bottleneck units per block (book L3560-L3610, slim resnet_v2_50/101/152/200)."""

    units: tuple


VARIANTS = (
    ResNetV2Variant(name="resnet_v2_50", units=(3, 4, 6, 3), params=25_613_800, multiply_adds=3_482_255_360,
                    keras_twin="ResNet50V2", description="Pre-activation ResNet, 50 layers (3, 4, 6, 3)"),
    ResNetV2Variant(name="resnet_v2_101", units=(3, 4, 23, 3), params=44_675_560, multiply_adds=7_194_476_544,
                    keras_twin="ResNet101V2", build_cost="heavy",
                    description="Pre-activation ResNet, 101 layers (3, 4, 23, 3)"),
    ResNetV2Variant(name="resnet_v2_152", units=(3, 8, 36, 3), params=60_380_648, multiply_adds=10_906_697_728,
                    keras_twin="ResNet152V2", build_cost="heavy",
                    description="Pre-activation ResNet, 152 layers (3, 8, 36, 3); the book's timed network"),
    ResNetV2Variant(name="resnet_v2_200", units=(3, 24, 36, 3), params=64_894_440, multiply_adds=14_400_552_960,
                    build_cost="heavy", description="Pre-activation ResNet, 200 layers (3, 24, 36, 3)"),
)


def resnet_v2_features(images, units, keras_compatible=False):
    """The ResNet V2 body up to the post-norm ReLU.

    Args:
        images: input tensor.
        units: units per block, e.g. `(3, 4, 6, 3)`.
        keras_compatible: keras.applications' root pooling and BN epsilon.

    Returns:
        The final feature map.
    """
    family = "keras_resnet" if keras_compatible else "resnet_v2"
    # Root: conv2d_same 7x7/2 with bias, no normalizer (L3520).
    x = ConvBNAct(64, 7, strides=2, padding="conv2d_same", normalize=False, activation=None, family=family, name="conv1")(
        images
    )
    if keras_compatible:
        x = layers.ZeroPadding2D(1, name="pool1_pad")(x)
        x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    else:
        x = layers.MaxPooling2D(3, strides=2, padding="same", name="pool1")(x)
    for block, (count, depth, stride) in enumerate(zip(units, BLOCK_DEPTHS, BLOCK_STRIDES), start=1):
        for unit in range(1, count + 1):
            x = PreActBottleneck(
                depth,
                depth // 4,
                stride=stride if unit == count else 1,
                projection=unit == 1,
                family=family,
                name=f"conv{block + 1}_block{unit}",
            )(x)
        x = layers.Identity(name=f"block{block}")(x)
    # Post-norm (L3532): the pre-activation design leaves the last unit's sum un-normalised.
    defaults = conv_defaults(family)
    x = fused_batch_norm.BatchNormalization(momentum=defaults.bn_momentum, epsilon=defaults.bn_epsilon, name="post_bn")(x)
    return layers.Activation("relu", name="post_relu")(x)


RESNET_V2 = Family(
    name="resnet_v2",
    body=lambda images, variant, args: (resnet_v2_features(images, variant.units, args.keras_compatible), []),
    head=lambda x, args: _common.dense_head(x, args.classes, args.classifier_activation),
    paper="He et al. 2016, Identity Mappings in Deep Residual Networks",
    book_section="6.4",
    top="the classifier (global mean + `predictions`)",
    end_points="`block1`..`block4` (the book's; `model.get_layer(\"block3\").output`)",
    keras_compatible="keras.applications' root pooling and BN epsilon (needed for its weights);",
)
register_family(RESNET_V2, VARIANTS)

preprocess_input = keras.applications.resnet_v2.preprocess_input  # scale to [-1, 1], as slim's inception preprocessing
decode_predictions = keras.applications.resnet_v2.decode_predictions

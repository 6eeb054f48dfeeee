"""VGG (Simonyan & Zisserman 2014), configurations A, A-LRN, B, D, E, as book 6.2 (L2385).

3x3 SAME convolutions with ReLU, a 2x2/2 max-pool after each of five stages, and
the FC head 4096-4096-classes with dropout 0.5 (book L2593, keep_prob 0.5 in
training). Convolutions are named `block{i}_conv{j}` and the FC layers `fc1`,
`fc2`, `predictions` as keras.applications.VGG16/19 (so their weights transplant);
the pools carry the book's end-point names `pool1`..`pool5`. The convolutions are
`kclassics.layers.Conv2D`: Winograd on a CPU for the 256- and 512-channel stages.
"""

import keras
from keras import layers

from kclassics.apps import _common
from kclassics.apps._registry import register
from kclassics.layers import Conv2D, LocalResponseNormalization

WIDTHS = (64, 128, 256, 512, 512)
# Convolutions per stage, and whether LRN follows the first convolution (config A-LRN).
CONFIGS = {
    "vgg11": ((1, 1, 2, 2, 2), False),  # A
    "vgg11_lrn": ((1, 1, 2, 2, 2), True),  # A-LRN
    "vgg13": ((2, 2, 2, 2, 2), False),  # B
    "vgg16": ((2, 2, 3, 3, 3), False),  # D, the book's VGGNet-16 (L2523)
    "vgg19": ((2, 2, 4, 4, 4), False),  # E
}
KERAS_TWINS = {"vgg16": "VGG16", "vgg19": "VGG19"}
# A-LRN uses Krizhevsky et al.'s constants (paper section 3.3: k=2, n=5, alpha=1e-4, beta=0.75).
VGG_LRN = dict(depth_radius=2, bias=2.0, alpha=1e-4, beta=0.75)
DROPOUT_RATE = 0.5


def vgg_features(images, convs_per_stage, lrn=False):
    """The five convolution stages of a VGG configuration."""
    x = images
    for stage, (count, width) in enumerate(zip(convs_per_stage, WIDTHS), start=1):
        for index in range(1, count + 1):
            x = Conv2D(width, 3, padding="same", activation="relu", name=f"block{stage}_conv{index}")(x)
            if lrn and stage == 1 and index == 1:
                x = LocalResponseNormalization(**VGG_LRN, name="lrn1")(x)
        x = layers.MaxPooling2D(2, strides=2, name=f"pool{stage}")(x)
    return x


def _vgg(
    variant,
    include_top=True,
    weights=None,
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    keras_compatible=None,
    name=None,
):
    _common.resolve_keras_compatible(keras_compatible, weights)
    convs, lrn = CONFIGS[variant]
    return _common.imagenet_model(
        lambda images: (vgg_features(images, convs, lrn), []),
        lambda x: _common.fully_connected_head(x, classes, classifier_activation, dropout_rate=DROPOUT_RATE),
        default_name=variant, default_size=224, min_size=32, fixed_top=True, include_top=include_top,
        weights=weights, input_tensor=input_tensor, input_shape=input_shape, pooling=pooling, classes=classes,
        classifier_activation=classifier_activation, name=name, keras_twin=KERAS_TWINS.get(variant),
    )


_DOC = """VGG configuration {config} ({layers} weight layers), book 6.2.

    Args:
        include_top: whether to build the FC head (flatten, fc1, fc2 with dropout 0.5, `predictions`);
            it needs a fixed input size.
        weights: `None`, `"imagenet"` ({twin}) or a weights file path.
        input_tensor: optional Keras tensor to build on.
        input_shape: `(height, width, 3)`, sides >= 32; default `(224, 224, 3)`.
        pooling: `None`, `"avg"` or `"max"` when `include_top=False`.
        classes: number of classes.
        classifier_activation: activation of `predictions` (`None` for logits).
        keras_compatible: accepted for symmetry; the architecture already equals keras' (dropout has no weights).
        name: model name.

    Returns:
        A `kclassics.Model`; end points `pool1`..`pool5`, `fc1`, `fc2`.
    """


def _variant(variant, config):
    depth = sum(CONFIGS[variant][0]) + 3
    twin = f"keras.applications.{KERAS_TWINS[variant]}'s weights" if variant in KERAS_TWINS else "no published twin"
    return _common.variant_builder(_vgg, variant, _DOC.format(config=config, layers=depth, twin=twin))


vgg11 = _variant("vgg11", "A")
vgg11_lrn = _variant("vgg11_lrn", "A-LRN")
vgg13 = _variant("vgg13", "B")
vgg16 = _variant("vgg16", "D")
vgg19 = _variant("vgg19", "E")

preprocess_input = keras.applications.vgg16.preprocess_input  # caffe: BGR, ImageNet mean subtracted
decode_predictions = keras.applications.vgg16.decode_predictions

_CARD = dict(family="vgg", input_shape=(224, 224, 3), book_section="6.2",
             paper="Simonyan & Zisserman 2014, Very Deep Convolutional Networks")
register(vgg11, multiply_adds=7_609_090_048, params=132_863_336, description="VGG configuration A, 11 weight layers", **_CARD)
register(vgg11_lrn, multiply_adds=7_609_090_048, params=132_863_336, description="VGG configuration A-LRN: A with LRN after conv1", **_CARD)
register(vgg13, multiply_adds=11_308_466_176, params=133_047_848, description="VGG configuration B, 13 weight layers", **_CARD)
register(vgg16, multiply_adds=15_470_264_320, params=138_357_544, keras_twin="VGG16", description="VGG configuration D, 16 weight layers", **_CARD)
register(vgg19, multiply_adds=19_632_062_464, params=143_667_240, keras_twin="VGG19", description="VGG configuration E, 19 weight layers", **_CARD)

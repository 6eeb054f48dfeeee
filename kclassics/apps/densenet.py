"""DenseNet-BC 121/169/201 (Huang et al. 2017), seed 002 L696.

A 7x7/2 conv-BN-ReLU stem and a 3x3/2 max-pool, four dense blocks (growth rate
k = 32, 4k bottlenecks) joined by transitions with compression 0.5, a final
BN-ReLU, global average pooling and the classifier. The layout and names are
keras.applications.DenseNet*'s, so `keras_compatible` changes nothing.
"""

import keras
from keras import layers

from kclassics.apps import _common
from kclassics.apps._registry import register
from kclassics.layers import ConvBNAct, DenseBlock, Transition
from kclassics.layers import fused_batch_norm

FAMILY = "densenet"
BLOCKS = {"densenet121": (6, 12, 24, 16), "densenet169": (6, 12, 32, 32), "densenet201": (6, 12, 48, 32)}
GROWTH_RATE = 32
COMPRESSION = 0.5
KERAS_TWINS = {"densenet121": "DenseNet121", "densenet169": "DenseNet169", "densenet201": "DenseNet201"}


def densenet_features(images, blocks, growth_rate=GROWTH_RATE, compression=COMPRESSION):
    """The DenseNet body; end points `conv2`..`conv5` (dense blocks) and `pool2`..`pool4` (transitions)."""
    x = ConvBNAct(64, 7, strides=2, padding="conv2d_same", family=FAMILY, name="conv1")(images)
    x = layers.ZeroPadding2D(1, name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    for index, num_layers in enumerate(blocks, start=2):
        x = DenseBlock(num_layers, growth_rate, family=FAMILY, name=f"conv{index}")(x)
        if index < len(blocks) + 1:
            x = Transition(int(x.shape[-1] * compression), family=FAMILY, name=f"pool{index}")(x)
    x = fused_batch_norm.BatchNormalization(epsilon=1.001e-5, name="bn")(x)
    return layers.Activation("relu", name="relu")(x)


def _densenet(
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
    return _common.imagenet_model(
        lambda images: (densenet_features(images, BLOCKS[variant]), []),
        lambda x: _common.dense_head(x, classes, classifier_activation),
        default_name=variant, default_size=224, min_size=32, include_top=include_top, weights=weights,
        input_tensor=input_tensor, input_shape=input_shape, pooling=pooling, classes=classes,
        classifier_activation=classifier_activation, name=name, keras_twin=KERAS_TWINS[variant],
    )


_DOC = """DenseNet-{depth} (blocks {blocks}, k=32, BC), keras.applications' {twin} layout.

    Args:
        include_top: whether to build the classifier (global mean + `predictions`).
        weights: `None`, `"imagenet"` ({twin}'s weights) or a weights file path.
        input_tensor: optional Keras tensor to build on.
        input_shape: `(height, width, 3)`, sides >= 32; default `(224, 224, 3)`.
        pooling: `None`, `"avg"` or `"max"` when `include_top=False`.
        classes: number of classes.
        classifier_activation: activation of `predictions` (`None` for logits).
        keras_compatible: accepted for symmetry; the architecture already equals keras'.
        name: model name.

    Returns:
        A `kclassics.Model`; end points `conv2`..`conv5` and `pool2`..`pool4`.
    """


def _variant(variant):
    doc = _DOC.format(depth=variant[len("densenet"):], blocks=BLOCKS[variant], twin=KERAS_TWINS[variant])
    return _common.variant_builder(_densenet, variant, doc)


densenet121 = _variant("densenet121")
densenet169 = _variant("densenet169")
densenet201 = _variant("densenet201")

preprocess_input = keras.applications.densenet.preprocess_input  # torch: [0, 1] then ImageNet mean/std
decode_predictions = keras.applications.densenet.decode_predictions

_CARD = dict(family="densenet", input_shape=(224, 224, 3), book_section="seed 002 (DenseNet)",
             paper="Huang et al. 2017, Densely Connected Convolutional Networks")
register(densenet121, multiply_adds=2_834_161_664, params=8_062_504, keras_twin="DenseNet121", description="DenseNet-BC-121, k=32", **_CARD)
register(densenet169, multiply_adds=3_359_843_328, params=14_307_880, keras_twin="DenseNet169", description="DenseNet-BC-169, k=32", **_CARD)
register(densenet201, multiply_adds=4_291_365_888, params=20_242_984, keras_twin="DenseNet201", description="DenseNet-BC-201, k=32", **_CARD)

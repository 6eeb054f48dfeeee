"""ResNet V1 18/34/50/101/152 (He et al. 2015), seed 002 L582 and the table at book L3375.

Post-activation residual units: basic (two 3x3) for 18/34, bottleneck (1x1, 3x3,
1x1 with 4x channels) for 50/101/152; the stride is on the first unit of stages
conv3-conv5 (on its first convolution, as the paper's Caffe model and
keras.applications.ResNet50); projection shortcuts (1x1 conv + BN) where the shape
changes (the paper's option B). The stem is a 7x7/2 conv-BN-ReLU and a 3x3/2
max-pool padded by one pixel. Units are named `conv{2..5}_block{i}` as keras'; the
end points `block1`..`block4` are the stage outputs.

The book's convolutions followed by BN have no bias. keras.applications' ResNet50
(ported from the Caffe model) has biases on every convolution and BN epsilon
1.001e-5: `keras_compatible=True` builds that version, which loads its weights.
"""

import keras
from keras import layers

from kclassics.apps import _common
from kclassics.apps._registry import register
from kclassics.layers import BasicResidualUnit, BottleneckResidualUnit, ConvBNAct

# (units per stage, unit type) for each depth (paper Table 1; book L3375).
VARIANTS = {
    "resnet_v1_18": ((2, 2, 2, 2), BasicResidualUnit),
    "resnet_v1_34": ((3, 4, 6, 3), BasicResidualUnit),
    "resnet_v1_50": ((3, 4, 6, 3), BottleneckResidualUnit),
    "resnet_v1_101": ((3, 4, 23, 3), BottleneckResidualUnit),
    "resnet_v1_152": ((3, 8, 36, 3), BottleneckResidualUnit),
}
STAGE_FILTERS = (64, 128, 256, 512)
STAGE_STRIDES = (1, 2, 2, 2)
KERAS_TWINS = {"resnet_v1_50": "ResNet50", "resnet_v1_101": "ResNet101", "resnet_v1_152": "ResNet152"}


def resnet_v1_features(images, units, unit_type, keras_compatible=False):
    """The ResNet V1 body up to the last unit."""
    family = "keras_resnet" if keras_compatible else "resnet_v1"
    use_bias = True if keras_compatible else None
    x = ConvBNAct(64, 7, strides=2, padding="conv2d_same", family=family, use_bias=use_bias, name="conv1")(images)
    x = layers.ZeroPadding2D(1, name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    expansion = 4 if unit_type is BottleneckResidualUnit else 1
    for stage, (count, filters, stride) in enumerate(zip(units, STAGE_FILTERS, STAGE_STRIDES), start=1):
        for unit in range(1, count + 1):
            first = unit == 1
            projection = first and (stride > 1 or x.shape[-1] != filters * expansion)
            x = unit_type(filters, stride=stride if first else 1, projection=projection, family=family,
                          use_bias=use_bias, name=f"conv{stage + 1}_block{unit}")(x)
        x = layers.Identity(name=f"block{stage}")(x)
    return x


def _resnet_v1(
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
    keras_compatible = _common.resolve_keras_compatible(keras_compatible, weights)
    units, unit_type = VARIANTS[variant]
    return _common.imagenet_model(
        lambda images: (resnet_v1_features(images, units, unit_type, keras_compatible), []),
        lambda x: _common.dense_head(x, classes, classifier_activation),
        default_name=variant, default_size=224, min_size=32, include_top=include_top, weights=weights,
        input_tensor=input_tensor, input_shape=input_shape, pooling=pooling, classes=classes,
        classifier_activation=classifier_activation, name=name, keras_twin=KERAS_TWINS.get(variant),
    )


_DOC = """ResNet V1 {depth} ({kind} units {units}), He et al. 2015.

    Args:
        include_top: whether to build the classifier (global mean + `predictions`).
        weights: `None`, `"imagenet"` ({twin}) or a weights file path.
        input_tensor: optional Keras tensor to build on.
        input_shape: `(height, width, 3)`, sides >= 32; default `(224, 224, 3)`.
        pooling: `None`, `"avg"` or `"max"` when `include_top=False`.
        classes: number of classes.
        classifier_activation: activation of `predictions` (`None` for logits).
        keras_compatible: biases before BN and epsilon 1.001e-5 as keras.applications
            (needed for its weights); `None` means True exactly when `weights="imagenet"`.
        name: model name.

    Returns:
        A `kclassics.Model`; end points `block1`..`block4`.
    """


def _variant(variant):
    units, unit_type = VARIANTS[variant]
    kind = "bottleneck" if unit_type is BottleneckResidualUnit else "basic"
    twin = f"keras.applications.{KERAS_TWINS[variant]}'s weights" if variant in KERAS_TWINS else "no published twin"
    doc = _DOC.format(depth=variant.rsplit("_", 1)[1], kind=kind, units=units, twin=twin)
    return _common.variant_builder(_resnet_v1, variant, doc)


resnet_v1_18 = _variant("resnet_v1_18")
resnet_v1_34 = _variant("resnet_v1_34")
resnet_v1_50 = _variant("resnet_v1_50")
resnet_v1_101 = _variant("resnet_v1_101")
resnet_v1_152 = _variant("resnet_v1_152")

preprocess_input = keras.applications.resnet.preprocess_input  # caffe: BGR, ImageNet mean subtracted
decode_predictions = keras.applications.resnet.decode_predictions

_CARD = dict(family="resnet_v1", input_shape=(224, 224, 3), book_section="6.4 (L3375), seed 002",
             paper="He et al. 2015, Deep Residual Learning for Image Recognition")
register(resnet_v1_18, multiply_adds=1_814_073_344, params=11_699_112, description="ResNet-18, basic units (2, 2, 2, 2)", **_CARD)
register(resnet_v1_34, multiply_adds=3_663_761_408, params=21_814_696, description="ResNet-34, basic units (3, 4, 6, 3)", **_CARD)
register(resnet_v1_50, multiply_adds=3_857_973_248, params=25_610_152, keras_twin="ResNet50",
         description="ResNet-50, bottleneck units (3, 4, 6, 3)", **_CARD)
register(resnet_v1_101, multiply_adds=7_570_194_432, params=44_654_504, keras_twin="ResNet101",
         description="ResNet-101, bottleneck units (3, 4, 23, 3)", **_CARD)
register(resnet_v1_152, multiply_adds=11_282_415_616, params=60_344_232, keras_twin="ResNet152",
         description="ResNet-152, bottleneck units (3, 8, 36, 3)", **_CARD)

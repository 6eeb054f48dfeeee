"""ResNet V1 18/34/50/101/152 (He et al. 2015), the Tensorflow_CNN blog's ResNet and book L3375.

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

import dataclasses

import keras
from keras import layers

from kclassics.apps import _common
from kclassics.apps._zoo import Family, Variant, register_family
from kclassics.layers import BasicResidualUnit, BottleneckResidualUnit, ConvBNAct

STAGE_FILTERS = (64, 128, 256, 512)
STAGE_STRIDES = (1, 2, 2, 2)


@dataclasses.dataclass(frozen=True, kw_only=True)
class ResNetV1Variant(Variant):
    """A ResNet V1 depth: residual units per stage and their kind (paper Table 1; book L3375)."""

    units: tuple
    bottleneck: bool


VARIANTS = (
    ResNetV1Variant(name="resnet_v1_18", units=(2, 2, 2, 2), bottleneck=False, params=11_699_112,
                    multiply_adds=1_814_073_344, description="ResNet-18, basic units (2, 2, 2, 2)"),
    ResNetV1Variant(name="resnet_v1_34", units=(3, 4, 6, 3), bottleneck=False, params=21_814_696,
                    multiply_adds=3_663_761_408, description="ResNet-34, basic units (3, 4, 6, 3)"),
    ResNetV1Variant(name="resnet_v1_50", units=(3, 4, 6, 3), bottleneck=True, params=25_610_152,
                    multiply_adds=3_857_973_248, keras_twin="ResNet50", description="ResNet-50, bottleneck units (3, 4, 6, 3)"),
    ResNetV1Variant(name="resnet_v1_101", units=(3, 4, 23, 3), bottleneck=True, params=44_654_504,
                    multiply_adds=7_570_194_432, keras_twin="ResNet101", build_cost="heavy",
                    description="ResNet-101, bottleneck units (3, 4, 23, 3)"),
    ResNetV1Variant(name="resnet_v1_152", units=(3, 8, 36, 3), bottleneck=True, params=60_344_232,
                    multiply_adds=11_282_415_616, keras_twin="ResNet152", build_cost="heavy",
                    description="ResNet-152, bottleneck units (3, 8, 36, 3)"),
)


def resnet_v1_features(images, units, bottleneck, keras_compatible=False):
    """The ResNet V1 body up to the last unit."""
    family = "keras_resnet" if keras_compatible else "resnet_v1"
    use_bias = True if keras_compatible else None
    x = ConvBNAct(64, 7, strides=2, padding="conv2d_same", family=family, use_bias=use_bias, name="conv1")(images)
    x = layers.ZeroPadding2D(1, name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    unit_type, expansion = (BottleneckResidualUnit, 4) if bottleneck else (BasicResidualUnit, 1)
    for stage, (count, filters, stride) in enumerate(zip(units, STAGE_FILTERS, STAGE_STRIDES), start=1):
        for unit in range(1, count + 1):
            first = unit == 1
            projection = first and (stride > 1 or x.shape[-1] != filters * expansion)
            x = unit_type(filters, stride=stride if first else 1, projection=projection, family=family,
                          use_bias=use_bias, name=f"conv{stage + 1}_block{unit}")(x)
        x = layers.Identity(name=f"block{stage}")(x)
    return x


RESNET_V1 = Family(
    name="resnet_v1",
    body=lambda images, variant, args: (
        resnet_v1_features(images, variant.units, variant.bottleneck, args.keras_compatible), []
    ),
    head=lambda x, args: _common.dense_head(x, args.classes, args.classifier_activation),
    paper="He et al. 2015, Deep Residual Learning for Image Recognition",
    book_section="6.4 (L3375); Tensorflow_CNN blog, ResNet",
    top="the classifier (global mean + `predictions`)",
    end_points="`block1`..`block4`",
    keras_compatible="biases before BN and epsilon 1.001e-5 as keras.applications (needed for its weights);",
)
register_family(RESNET_V1, VARIANTS)

preprocess_input = keras.applications.resnet.preprocess_input  # caffe: BGR, ImageNet mean subtracted
decode_predictions = keras.applications.resnet.decode_predictions

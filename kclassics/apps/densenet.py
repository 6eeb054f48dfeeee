"""DenseNet-BC 121/169/201 (Huang et al. 2017), as the Tensorflow_CNN blog's DenseNet.

A 7x7/2 conv-BN-ReLU stem and a 3x3/2 max-pool, four dense blocks (growth rate
k = 32, 4k bottlenecks) joined by transitions with compression 0.5, a final
BN-ReLU, global average pooling and the classifier. The layout and names are
keras.applications.DenseNet*'s, so `keras_compatible` changes nothing.
"""

import dataclasses

import keras
from keras import layers

from kclassics.apps import _common
from kclassics.apps._zoo import Family, Variant, register_family
from kclassics.layers import ConvBNAct, DenseBlock, Transition
from kclassics.layers import fused_batch_norm

FAMILY = "densenet"
GROWTH_RATE = 32
COMPRESSION = 0.5


@dataclasses.dataclass(frozen=True, kw_only=True)
class DenseNetVariant(Variant):
    """A DenseNet-BC depth: layers per dense block (k = 32)."""

    blocks: tuple


VARIANTS = (
    DenseNetVariant(name="densenet121", blocks=(6, 12, 24, 16), params=8_062_504, multiply_adds=2_834_161_664,
                    keras_twin="DenseNet121", build_cost="heavy", description="DenseNet-BC-121, k=32"),
    DenseNetVariant(name="densenet169", blocks=(6, 12, 32, 32), params=14_307_880, multiply_adds=3_359_843_328,
                    keras_twin="DenseNet169", build_cost="heavy", description="DenseNet-BC-169, k=32"),
    DenseNetVariant(name="densenet201", blocks=(6, 12, 48, 32), params=20_242_984, multiply_adds=4_291_365_888,
                    keras_twin="DenseNet201", build_cost="heavy", description="DenseNet-BC-201, k=32"),
)


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


DENSENET = Family(
    name="densenet",
    body=lambda images, variant, args: (densenet_features(images, variant.blocks), []),
    head=lambda x, args: _common.dense_head(x, args.classes, args.classifier_activation),
    paper="Huang et al. 2017, Densely Connected Convolutional Networks",
    book_section="Tensorflow_CNN blog, DenseNet",
    top="the classifier (global mean + `predictions`)",
    end_points="`conv2`..`conv5` (dense blocks) and `pool2`..`pool4` (transitions)",
    keras_compatible="accepted for symmetry; the architecture already equals keras'.",
    keras_by_default=True,
)
register_family(DENSENET, VARIANTS)

preprocess_input = keras.applications.densenet.preprocess_input  # torch: [0, 1] then ImageNet mean/std
decode_predictions = keras.applications.densenet.decode_predictions

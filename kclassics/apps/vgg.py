"""VGG (Simonyan & Zisserman 2014), configurations A, A-LRN, B, D, E, as book 6.2 (L2385).

3x3 SAME convolutions with ReLU, a 2x2/2 max-pool after each of five stages, and
the FC head 4096-4096-classes with dropout 0.5 (book L2593, keep_prob 0.5 in
training). Convolutions are named `block{i}_conv{j}` and the FC layers `fc1`,
`fc2`, `predictions` as keras.applications.VGG16/19 (so their weights transplant);
the pools carry the book's end-point names `pool1`..`pool5`. The convolutions are
`kclassics.layers.Conv2D`: Winograd on a CPU for the 256- and 512-channel stages.
"""

import dataclasses

import keras
from keras import layers

from kclassics.apps import _common
from kclassics.apps._zoo import Family, Variant, register_family
from kclassics.layers import Conv2D, LocalResponseNormalization

WIDTHS = (64, 128, 256, 512, 512)
# A-LRN uses Krizhevsky et al.'s constants (paper section 3.3: k=2, n=5, alpha=1e-4, beta=0.75).
VGG_LRN = dict(depth_radius=2, bias=2.0, alpha=1e-4, beta=0.75)
DROPOUT_RATE = 0.5


@dataclasses.dataclass(frozen=True, kw_only=True)
class VGGVariant(Variant):
    """A VGG configuration (paper Table 1): convolutions per stage, and LRN after the first (A-LRN)."""

    config: str
    convs: tuple
    lrn: bool = False


VARIANTS = (
    VGGVariant(name="vgg11", config="A", convs=(1, 1, 2, 2, 2), params=132_863_336, multiply_adds=7_609_090_048,
               description="VGG configuration A, 11 weight layers"),
    VGGVariant(name="vgg11_lrn", config="A-LRN", convs=(1, 1, 2, 2, 2), lrn=True, params=132_863_336,
               multiply_adds=7_609_090_048, description="VGG configuration A-LRN: A with LRN after conv1"),
    VGGVariant(name="vgg13", config="B", convs=(2, 2, 2, 2, 2), params=133_047_848, multiply_adds=11_308_466_176,
               description="VGG configuration B, 13 weight layers"),
    # D is the book's VGGNet-16 (L2523).
    VGGVariant(name="vgg16", config="D", convs=(2, 2, 3, 3, 3), params=138_357_544, multiply_adds=15_470_264_320,
               keras_twin="VGG16", description="VGG configuration D, 16 weight layers"),
    VGGVariant(name="vgg19", config="E", convs=(2, 2, 4, 4, 4), params=143_667_240, multiply_adds=19_632_062_464,
               keras_twin="VGG19", description="VGG configuration E, 19 weight layers"),
)


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


VGG = Family(
    name="vgg",
    body=lambda images, variant, args: (vgg_features(images, variant.convs, variant.lrn), []),
    head=lambda x, args: _common.fully_connected_head(x, args.classes, args.classifier_activation, dropout_rate=DROPOUT_RATE),
    paper="Simonyan & Zisserman 2014, Very Deep Convolutional Networks",
    book_section="6.2",
    top="the FC head (flatten, fc1, fc2 with dropout 0.5, `predictions`); it needs a fixed input size",
    end_points="`pool1`..`pool5`, `fc1`, `fc2`",
    fixed_top=True,
    keras_compatible="accepted for symmetry; the architecture already equals keras' (dropout has no weights).",
    keras_by_default=True,
)
register_family(VGG, VARIANTS)

preprocess_input = keras.applications.vgg16.preprocess_input  # caffe: BGR, ImageNet mean subtracted
decode_predictions = keras.applications.vgg16.decode_predictions

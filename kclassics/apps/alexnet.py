"""AlexNet (Krizhevsky et al. 2012) as book 6.1 (L2066), with the book's and the paper's widths.

The book's code: conv 11x11/4 64 -> LRN -> max-pool 3/2 VALID -> conv 5x5 192 ->
LRN -> pool -> conv 3x3 384 -> 256 -> 256 -> pool (6x6x256 at 224x224), SAME
convolutions with ReLU. The book leaves the FC head to the reader; here it is
the paper's 4096-4096-classes with dropout 0.5. LRN uses the book's constants
(L2163: depth_radius 4, bias 1, alpha 0.001/9, beta 0.75) and can be dropped with
`lrn=False` (the book's timing comparison). `alexnet_paper` has the paper's
widths 96-256-384-384-256 on one tower (no grouped convolutions).
"""

import dataclasses
from typing import NamedTuple

import keras
from keras import layers

from kclassics.apps import _common
from kclassics.apps._zoo import Family, Option, Variant, register_family
from kclassics.layers import LocalResponseNormalization


class AlexNetConv(NamedTuple):
    """One convolution of AlexNet and what follows it (book L2150-L2240)."""

    kernel: int
    stride: int
    lrn: bool
    pool: bool


CONVS = (
    AlexNetConv(kernel=11, stride=4, lrn=True, pool=True),
    AlexNetConv(kernel=5, stride=1, lrn=True, pool=True),
    AlexNetConv(kernel=3, stride=1, lrn=False, pool=False),
    AlexNetConv(kernel=3, stride=1, lrn=False, pool=False),
    AlexNetConv(kernel=3, stride=1, lrn=False, pool=True),
)
BOOK_LRN = dict(depth_radius=4, bias=1.0, alpha=0.001 / 9, beta=0.75)
DROPOUT_RATE = 0.5


@dataclasses.dataclass(frozen=True, kw_only=True)
class AlexNetVariant(Variant):
    """AlexNet's convolution widths: the book's or the paper's."""

    widths: tuple


VARIANTS = (
    AlexNetVariant(name="alexnet", widths=(64, 192, 384, 256, 256), params=61_100_840, multiply_adds=716_767_232,
                   description="AlexNet, book widths 64-192-384-256-256, LRN, FC 4096-4096"),
    AlexNetVariant(name="alexnet_paper", widths=(96, 256, 384, 384, 256), params=62_378_344,
                   multiply_adds=1_139_124_224, description="AlexNet, paper widths 96-256-384-384-256, one tower"),
)


def _book_normal():
    """`tf.truncated_normal(stddev=1e-1)` (L2152), a new initializer per layer.

    A module-level instance would draw its seed once at import time, so two
    builds after the same `keras.utils.set_random_seed` would differ.
    """
    return keras.initializers.TruncatedNormal(stddev=0.1)


def alexnet_features(images, widths, lrn=True, lrn_implementation="matmul"):
    """The five convolutions, LRNs and pools of AlexNet; end points `conv1`..`conv5`, `lrn1/2`, `pool1/2/5`."""
    x = images
    for index, (width, conv) in enumerate(zip(widths, CONVS), start=1):
        x = layers.Conv2D(width, conv.kernel, strides=conv.stride, padding="same", activation="relu",
                          kernel_initializer=_book_normal(), name=f"conv{index}")(x)
        if conv.lrn and lrn:
            x = LocalResponseNormalization(**BOOK_LRN, implementation=lrn_implementation, name=f"lrn{index}")(x)
        if conv.pool:
            x = layers.MaxPooling2D(3, strides=2, padding="valid", name=f"pool{index}")(x)
    return x


def _check_lrn(args):
    if not isinstance(args.lrn, bool):
        raise ValueError(f"`lrn` must be True or False. Received: lrn={args.lrn!r}")


ALEXNET = Family(
    name="alexnet",
    body=lambda images, variant, args: (
        alexnet_features(images, variant.widths, args.lrn, args.lrn_implementation), []
    ),
    head=lambda x, args: _common.fully_connected_head(
        x, args.classes, args.classifier_activation, dropout_rate=DROPOUT_RATE, names=("fc6", "fc7")
    ),
    paper="Krizhevsky et al. 2012, ImageNet Classification with Deep CNNs",
    book_section="6.1",
    top="the FC head (fc6, fc7 with dropout 0.5, `predictions`); it needs a fixed input size",
    end_points="`conv1`..`conv5`, `lrn1`, `lrn2`, `pool1`, `pool2`, `pool5`, `fc6`, `fc7`",
    min_size=57,
    fixed_top=True,
    options=(
        Option("lrn", True, "whether LRN follows conv1 and conv2 (the book times both).", _check_lrn),
        Option("lrn_implementation", "matmul", '`"matmul"` (fast) or `"fused"` (`tf.nn.local_response_normalization`).'),
    ),
)
register_family(ALEXNET, VARIANTS)

preprocess_input = keras.applications.vgg16.preprocess_input  # caffe-style mean subtraction, as the paper
decode_predictions = keras.applications.vgg16.decode_predictions

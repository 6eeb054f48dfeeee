"""AlexNet (Krizhevsky et al. 2012) as book 6.1 (L2066), with the book's and the paper's widths.

The book's code: conv 11x11/4 64 -> LRN -> max-pool 3/2 VALID -> conv 5x5 192 ->
LRN -> pool -> conv 3x3 384 -> 256 -> 256 -> pool (6x6x256 at 224x224), SAME
convolutions with ReLU. The book leaves the FC head to the reader; here it is
the paper's 4096-4096-classes with dropout 0.5. LRN uses the book's constants
(L2163: depth_radius 4, bias 1, alpha 0.001/9, beta 0.75) and can be dropped with
`lrn=False` (the book's timing comparison). `alexnet_paper` has the paper's
widths 96-256-384-384-256 on one tower (no grouped convolutions).
"""

import keras
from keras import layers

from kclassics.apps import _common
from kclassics.apps._registry import register
from kclassics.layers import LocalResponseNormalization

# (filters, kernel, stride, LRN after, pool after) per convolution (book L2150-L2240).
_LAYERS = ((11, 4, True, True), (5, 1, True, True), (3, 1, False, False), (3, 1, False, False), (3, 1, False, True))
WIDTHS = {"alexnet": (64, 192, 384, 256, 256), "alexnet_paper": (96, 256, 384, 384, 256)}
BOOK_LRN = dict(depth_radius=4, bias=1.0, alpha=0.001 / 9, beta=0.75)
DROPOUT_RATE = 0.5


def _book_normal():
    """`tf.truncated_normal(stddev=1e-1)` (L2152), a new initializer per layer.

    A module-level instance would draw its seed once at import time, so two
    builds after the same `keras.utils.set_random_seed` would differ.
    """
    return keras.initializers.TruncatedNormal(stddev=0.1)


def alexnet_features(images, widths, lrn=True, lrn_implementation="matmul"):
    """The five convolutions, LRNs and pools of AlexNet; end points `conv1`..`conv5`, `lrn1/2`, `pool1/2/5`."""
    x = images
    for index, (width, (kernel, stride, has_lrn, has_pool)) in enumerate(zip(widths, _LAYERS), start=1):
        x = layers.Conv2D(width, kernel, strides=stride, padding="same", activation="relu",
                          kernel_initializer=_book_normal(), name=f"conv{index}")(x)
        if has_lrn and lrn:
            x = LocalResponseNormalization(**BOOK_LRN, implementation=lrn_implementation, name=f"lrn{index}")(x)
        if has_pool:
            x = layers.MaxPooling2D(3, strides=2, padding="valid", name=f"pool{index}")(x)
    return x


def _alexnet(
    variant,
    include_top=True,
    weights=None,
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    lrn=True,
    lrn_implementation="matmul",
    name=None,
):
    if not isinstance(lrn, bool):
        raise ValueError(f"`lrn` must be True or False. Received: lrn={lrn!r}")
    return _common.imagenet_model(
        lambda images: (alexnet_features(images, WIDTHS[variant], lrn, lrn_implementation), []),
        lambda x: _common.fully_connected_head(
            x, classes, classifier_activation, dropout_rate=DROPOUT_RATE, names=("fc6", "fc7")
        ),
        default_name=variant, default_size=224, min_size=57, fixed_top=True, include_top=include_top,
        weights=weights, input_tensor=input_tensor, input_shape=input_shape, pooling=pooling, classes=classes,
        classifier_activation=classifier_activation, name=name,
    )


_DOC = """AlexNet with {which} widths {widths} (book 6.1), LRN on by default.

    Args:
        include_top: whether to build the FC head (fc6, fc7 with dropout 0.5, `predictions`);
            it needs a fixed input size.
        weights: `None` or a weights file path (there are no published weights).
        input_tensor: optional Keras tensor to build on.
        input_shape: `(height, width, 3)`, sides >= 57; default `(224, 224, 3)`.
        pooling: `None`, `"avg"` or `"max"` when `include_top=False`.
        classes: number of classes.
        classifier_activation: activation of `predictions` (`None` for logits).
        lrn: whether LRN follows conv1 and conv2.
        lrn_implementation: `"matmul"` (fast) or `"fused"` (`tf.nn.local_response_normalization`).
        name: model name.

    Returns:
        A `kclassics.Model`; end points `conv1`..`conv5`, `lrn1`, `lrn2`, `pool1`, `pool2`, `pool5`, `fc6`, `fc7`.
    """

alexnet = _common.variant_builder(_alexnet, "alexnet", _DOC.format(which="the book's", widths=WIDTHS["alexnet"]))
alexnet_paper = _common.variant_builder(
    _alexnet, "alexnet_paper", _DOC.format(which="the paper's", widths=WIDTHS["alexnet_paper"])
)

preprocess_input = keras.applications.vgg16.preprocess_input  # caffe-style mean subtraction, as the paper
decode_predictions = keras.applications.vgg16.decode_predictions

_CARD = dict(family="alexnet", input_shape=(224, 224, 3), book_section="6.1",
             paper="Krizhevsky et al. 2012, ImageNet Classification with Deep CNNs")
register(alexnet, multiply_adds=716_767_232, params=61_100_840, description="AlexNet, book widths 64-192-384-256-256, LRN, FC 4096-4096", **_CARD)
register(alexnet_paper, multiply_adds=1_139_124_224, params=62_378_344, description="AlexNet, paper widths 96-256-384-384-256, one tower", **_CARD)

"""Inception V3 (Szegedy et al. 2015, "Rethinking the Inception Architecture"), as book 6.3.

The book's slim listing (L2725, seed 000): a stem of five convolutions and two
max-pools, three 35x35 modules (Mixed_5b-5d), a grid reduction (Mixed_6a), four
17x17 modules (Mixed_6b-6e), a reduction (Mixed_7a), two 8x8 modules
(Mixed_7b, 7c), global average pooling, dropout (keep 0.8) and the logits; an
optional auxiliary head on Mixed_6e. Layers carry the book's end-point names.

Deliberate differences: the book's 8x8 average pool is a global mean here (equal
at 299x299, and it works at smaller inputs), and its 1x1-conv logits are the
equivalent Dense layer `predictions`. The architecture equals
`keras.applications.InceptionV3`, so `keras_compatible` changes nothing.
"""

import keras
from keras import layers

from kclassics.apps import _common
from kclassics.apps._registry import register
from kclassics.layers import (
    AuxiliaryHead,
    ConvBNAct,
    InceptionModule,
    inception_v3_module_a,
    inception_v3_module_b,
    inception_v3_module_c,
    inception_v3_reduction_a,
    inception_v3_reduction_b,
)

FAMILY = "inception_v3"
# (end point, filters, kernel, stride, padding) of the stem (book L2810-L2830), pools as ("max", ...).
STEM = (
    ("Conv2d_1a_3x3", 32, 3, 2, "valid"),
    ("Conv2d_2a_3x3", 32, 3, 1, "valid"),
    ("Conv2d_2b_3x3", 64, 3, 1, "same"),
    ("MaxPool_3a_3x3", "max", 3, 2, "valid"),
    ("Conv2d_3b_1x1", 80, 1, 1, "valid"),
    ("Conv2d_4a_3x3", 192, 3, 1, "valid"),
    ("MaxPool_5a_3x3", "max", 3, 2, "valid"),
)
MODULES = (
    ("Mixed_5b", inception_v3_module_a(32)),
    ("Mixed_5c", inception_v3_module_a(64)),
    ("Mixed_5d", inception_v3_module_a(64)),
    ("Mixed_6a", inception_v3_reduction_a()),
    ("Mixed_6b", inception_v3_module_b(128)),
    ("Mixed_6c", inception_v3_module_b(160)),
    ("Mixed_6d", inception_v3_module_b(160)),
    ("Mixed_6e", inception_v3_module_b(192)),
    ("Mixed_7a", inception_v3_reduction_b()),
    ("Mixed_7b", inception_v3_module_c()),
    ("Mixed_7c", inception_v3_module_c()),
)
AUX_END_POINT = "Mixed_6e"
DROPOUT_RATE = 0.2  # keep_prob 0.8 (L3200)


def stem(images, table, family, normalize=True):
    """Applies a stem table of convolutions `(name, filters, kernel, stride, padding)` and pools `(name, kind, ...)`."""
    x = images
    for end_point, filters, kernel, stride, padding in table:
        if filters in ("max", "avg"):
            pool = layers.MaxPooling2D if filters == "max" else layers.AveragePooling2D
            x = pool(kernel, strides=stride, padding=padding, name=end_point)(x)
        else:
            x = ConvBNAct(filters, kernel, strides=stride, padding=padding, family=family, normalize=normalize,
                          name=end_point)(x)
    return x


def auxiliary_head(x, classes, classifier_activation, family, style, normalize=True, name="AuxLogits"):
    """An `AuxiliaryHead` whose pool and kernel shrink for small grids (slim's `_reduced_kernel_size_for_small_input`)."""
    side = min(x.shape[1], x.shape[2])
    pool_size = min(5, side)
    grid = (side - pool_size) // 3 + 1
    return AuxiliaryHead(classes, pool_size=pool_size, grid_size=min(5, grid), style=style, family=family,
                         normalize=normalize, activation=classifier_activation, name=name)(x)


def _inception_v3(
    variant,
    include_top=True,
    weights=None,
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    aux_logits=False,
    keras_compatible=None,
    name=None,
):
    _common.resolve_keras_compatible(keras_compatible, weights)
    if aux_logits and (weights == "imagenet" or not include_top):
        raise ValueError(
            "`aux_logits=True` needs `include_top=True` and no ImageNet weights (keras.applications' "
            f"InceptionV3 has no auxiliary head). Received: aux_logits={aux_logits}, include_top={include_top}, "
            f"weights={weights!r}"
        )

    def features(images):
        x = stem(images, STEM, FAMILY)
        aux = []
        for end_point, branches in MODULES:
            x = InceptionModule(branches, family=FAMILY, name=end_point)(x)
            if aux_logits and end_point == AUX_END_POINT:
                aux.append(auxiliary_head(x, classes, classifier_activation, FAMILY, "conv"))
        return x, aux

    return _common.imagenet_model(
        features,
        lambda x: _common.dense_head(x, classes, classifier_activation, DROPOUT_RATE),
        default_name=variant, default_size=299, min_size=75, include_top=include_top, weights=weights,
        input_tensor=input_tensor, input_shape=input_shape, pooling=pooling, classes=classes,
        classifier_activation=classifier_activation, name=name, keras_twin="InceptionV3",
    )


inception_v3 = _common.variant_builder(
    _inception_v3,
    "inception_v3",
    """Inception V3, the book's slim listing (book 6.3), 299x299 by default.

    Args:
        include_top: whether to build the classifier (global mean, dropout 0.2, `predictions`).
        weights: `None`, `"imagenet"` (keras.applications.InceptionV3's weights) or a weights file path.
        input_tensor: optional Keras tensor to build on.
        input_shape: `(height, width, 3)`, sides >= 75; default `(299, 299, 3)`.
        pooling: `None`, `"avg"` or `"max"` when `include_top=False`.
        classes: number of classes.
        classifier_activation: activation of `predictions` and of the auxiliary head.
        aux_logits: add the auxiliary head on Mixed_6e; the model then has two outputs
            `[predictions, AuxLogits]` (train with loss weights such as `[1.0, 0.4]`).
        keras_compatible: accepted for symmetry; the architecture already equals keras'.
        name: model name.

    Returns:
        A `kclassics.Model`; end points by the book's names (`Mixed_6e`, `Mixed_7c`, ...).
    """,
)

preprocess_input = keras.applications.inception_v3.preprocess_input  # [-1, 1], slim's inception preprocessing
decode_predictions = keras.applications.inception_v3.decode_predictions

register(
    inception_v3, multiply_adds=5_713_216_096, family="inception_v3", input_shape=(299, 299, 3), params=23_851_784,
    paper="Szegedy et al. 2015, Rethinking the Inception Architecture", book_section="6.3",
    description="Inception V3 with factorised 7x7 and split 8x8 modules", keras_twin="InceptionV3",
)

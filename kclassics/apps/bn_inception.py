"""BN-Inception / Inception v2 (Ioffe & Szegedy 2015), as seed 004 (L288, L360).

Inception v1 with batch norm after every convolution, each 5x5 replaced by two
3x3, no LRN, and stride-2 modules (3c, 4e) whose pool branch is a pass-through
max-pool in place of the max-pools between stages. Auxiliary heads on 4a and 4d
as seed 004's `build_sub_cost`. The module table is seed 004's (paper Fig. 5).
Seed 004's bugs are not reproduced: dropout is active in training, the heads
return logits or probabilities as asked, and training mode comes from Keras.
"""

import keras

from kclassics.apps import _common
from kclassics.apps.googlenet import inception_classifier
from kclassics.apps.inception_v3 import auxiliary_head, stem
from kclassics.apps._registry import register
from kclassics.layers import InceptionModule, bn_inception_module

FAMILY = "bn_inception"
STEM = (
    ("Conv2d_1a_7x7", 64, 7, 2, "same"),
    ("MaxPool_2a_3x3", "max", 3, 2, "same"),
    ("Conv2d_2b_1x1", 64, 1, 1, "same"),
    ("Conv2d_2c_3x3", 192, 3, 1, "same"),
    ("MaxPool_3a_3x3", "max", 3, 2, "same"),
)
# Seed 004 L415-L447: (1x1, 3x3 reduce, 3x3, double 3x3 reduce, double 3x3, pool, pool proj, stride).
MODULES = (
    ("Mixed_3a", (64, 64, 64, 64, 96, "avg", 32, 1)),
    ("Mixed_3b", (64, 64, 96, 64, 96, "avg", 64, 1)),
    ("Mixed_3c", (0, 128, 160, 64, 96, "max", None, 2)),
    ("Mixed_4a", (224, 64, 96, 96, 128, "avg", 128, 1)),
    ("Mixed_4b", (192, 96, 128, 96, 128, "avg", 128, 1)),
    ("Mixed_4c", (160, 128, 160, 128, 160, "avg", 128, 1)),
    ("Mixed_4d", (96, 128, 192, 160, 192, "avg", 128, 1)),
    ("Mixed_4e", (0, 128, 192, 192, 256, "max", None, 2)),
    ("Mixed_5a", (352, 192, 320, 160, 224, "avg", 128, 1)),
    ("Mixed_5b", (352, 192, 320, 192, 224, "max", 128, 1)),
)
AUX_END_POINTS = ("Mixed_4a", "Mixed_4d")


def bn_inception_features(images, classes, classifier_activation, aux_logits):
    """The BN-Inception body and, when asked, its two auxiliary heads."""
    x = stem(images, STEM, FAMILY)
    aux = []
    for end_point, row in MODULES:
        x = InceptionModule(bn_inception_module(*row), family=FAMILY, name=end_point)(x)
        if aux_logits and end_point in AUX_END_POINTS:
            aux.append(auxiliary_head(x, classes, classifier_activation, FAMILY, "dense", normalize=False,
                                      name=f"AuxLogits_{end_point[-2:]}"))
    return x, aux


def _bn_inception(
    variant,
    include_top=True,
    weights=None,
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    aux_logits=False,
    name=None,
):
    return inception_classifier(
        bn_inception_features, variant, include_top, weights, input_tensor, input_shape, pooling, classes,
        classifier_activation, aux_logits, name,
    )


bn_inception = _common.variant_builder(
    _bn_inception,
    "bn_inception",
    """BN-Inception (Inception v2) per seed 004's module table, auxiliary heads optional.

    Args:
        include_top: whether to build the classifier (global mean, dropout 0.4, `predictions`).
        weights: `None` or a weights file path.
        input_tensor: optional Keras tensor to build on.
        input_shape: `(height, width, 3)`, sides >= 32; default `(224, 224, 3)`.
        pooling: `None`, `"avg"` or `"max"` when `include_top=False`.
        classes: number of classes.
        classifier_activation: activation of `predictions` and of the auxiliary heads.
        aux_logits: add the heads on Mixed_4a and Mixed_4d (three outputs).
        name: model name.

    Returns:
        A `kclassics.Model`; end points `Mixed_3a`..`Mixed_5b` and the stem's names.
    """,
)

preprocess_input = keras.applications.inception_v3.preprocess_input
decode_predictions = keras.applications.inception_v3.decode_predictions

register(
    bn_inception, multiply_adds=2_032_600_064, family="bn_inception", input_shape=(224, 224, 3), params=11_305_256,
    paper="Ioffe & Szegedy 2015, Batch Normalization", book_section="seed 004 (BN-Inception)",
    description="Inception v2: BN everywhere, double 3x3, stride-2 modules, optional auxiliary heads",
)

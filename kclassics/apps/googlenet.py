"""GoogLeNet / Inception v1 (Szegedy et al. 2014), the paper's network (REFERENCE, seed 002 L456).

Stem 7x7/2 conv, 3x3/2 max-pool, LRN, 1x1 and 3x3 convs, LRN, max-pool; nine
Inception modules (3a-5b) with max-pools after 3b and 4e; global average pooling,
dropout 0.4 and the classifier. Optional auxiliary heads on 4a and 4d (avg-pool
5/3, 1x1x128, FC 1024, dropout 0.7, FC), weighted 0.3 in the paper's loss.
Convolutions have biases and ReLU, no batch norm. The blog's (seed 002) code has
bugs (5x5 uses the reduce width, 4d/5b widths), so the widths are the paper's Table 1.
"""

import keras
from keras import layers

from kclassics.apps import _common
from kclassics.apps.inception_v3 import auxiliary_head, stem
from kclassics.apps._registry import register
from kclassics.layers import InceptionModule, LocalResponseNormalization, inception_v1_module

FAMILY = "googlenet"
STEM = (
    ("Conv2d_1a_7x7", 64, 7, 2, "same"),
    ("MaxPool_2a_3x3", "max", 3, 2, "same"),
    ("LRN_2a", "lrn"),
    ("Conv2d_2b_1x1", 64, 1, 1, "same"),
    ("Conv2d_2c_3x3", 192, 3, 1, "same"),
    ("LRN_2c", "lrn"),
    ("MaxPool_3a_3x3", "max", 3, 2, "same"),
)
# Paper Table 1: (1x1, 3x3 reduce, 3x3, 5x5 reduce, 5x5, pool proj); "pool" rows are 3x3/2 max-pools.
MODULES = (
    ("Mixed_3a", (64, 96, 128, 16, 32, 32)),
    ("Mixed_3b", (128, 128, 192, 32, 96, 64)),
    ("MaxPool_4a_3x3", "pool"),
    ("Mixed_4a", (192, 96, 208, 16, 48, 64)),
    ("Mixed_4b", (160, 112, 224, 24, 64, 64)),
    ("Mixed_4c", (128, 128, 256, 24, 64, 64)),
    ("Mixed_4d", (112, 144, 288, 32, 64, 64)),
    ("Mixed_4e", (256, 160, 320, 32, 128, 128)),
    ("MaxPool_5a_2x2", "pool"),
    ("Mixed_5a", (256, 160, 320, 32, 128, 128)),
    ("Mixed_5b", (384, 192, 384, 48, 128, 128)),
)
AUX_END_POINTS = ("Mixed_4a", "Mixed_4d")
# Caffe's LRN (local_size 5, alpha 1e-4, beta 0.75) in TF's terms: alpha is divided by the window size.
GOOGLENET_LRN = dict(depth_radius=2, bias=1.0, alpha=1e-4 / 5, beta=0.75)
DROPOUT_RATE = 0.4


def googlenet_features(images, classes, classifier_activation, aux_logits):
    """The GoogLeNet body and, when asked, its two auxiliary heads."""
    x = images
    for row in STEM:
        if row[1] == "lrn":
            x = LocalResponseNormalization(**GOOGLENET_LRN, name=row[0])(x)
        else:
            x = stem(x, (row,), FAMILY, normalize=False)
    aux = []
    for end_point, widths in MODULES:
        if widths == "pool":
            x = layers.MaxPooling2D(3, strides=2, padding="same", name=end_point)(x)
            continue
        x = InceptionModule(inception_v1_module(*widths), family=FAMILY, normalize=False, name=end_point)(x)
        if aux_logits and end_point in AUX_END_POINTS:
            aux.append(auxiliary_head(x, classes, classifier_activation, FAMILY, "dense", normalize=False,
                                      name=f"AuxLogits_{end_point[-2:]}"))
    return x, aux


def inception_classifier(
    features, variant, include_top, weights, input_tensor, input_shape, pooling, classes, classifier_activation,
    aux_logits, name,
):
    """A GoogLeNet-style classifier (global mean, dropout 0.4, FC) on `features`, shared with BN-Inception.

    Args:
        features: `features(images, classes, classifier_activation, aux_logits) -> (feature_map, aux_outputs)`.
        Others: as `googlenet`.
    """
    if aux_logits and not include_top:
        raise ValueError(f"`aux_logits=True` needs `include_top=True`. Received: include_top={include_top}")
    return _common.imagenet_model(
        lambda images: features(images, classes, classifier_activation, aux_logits),
        lambda x: _common.dense_head(x, classes, classifier_activation, DROPOUT_RATE),
        default_name=variant, default_size=224, min_size=32, include_top=include_top, weights=weights,
        input_tensor=input_tensor, input_shape=input_shape, pooling=pooling, classes=classes,
        classifier_activation=classifier_activation, name=name,
    )


def _googlenet(
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
        googlenet_features, variant, include_top, weights, input_tensor, input_shape, pooling, classes,
        classifier_activation, aux_logits, name,
    )


googlenet = _common.variant_builder(
    _googlenet,
    "googlenet",
    """GoogLeNet (Inception v1) per the paper's Table 1, auxiliary heads optional.

    Args:
        include_top: whether to build the classifier (global mean, dropout 0.4, `predictions`).
        weights: `None` or a weights file path.
        input_tensor: optional Keras tensor to build on.
        input_shape: `(height, width, 3)`, sides >= 32; default `(224, 224, 3)`.
        pooling: `None`, `"avg"` or `"max"` when `include_top=False`.
        classes: number of classes.
        classifier_activation: activation of `predictions` and of the auxiliary heads.
        aux_logits: add the heads on Mixed_4a and Mixed_4d; the model then has three
            outputs (train with loss weights `[1.0, 0.3, 0.3]` as the paper).
        name: model name.

    Returns:
        A `kclassics.Model`; end points `Mixed_3a`..`Mixed_5b` and the stem's names.
    """,
)

preprocess_input = keras.applications.inception_v3.preprocess_input
decode_predictions = keras.applications.inception_v3.decode_predictions

register(
    googlenet, multiply_adds=1_582_671_872, family="googlenet", input_shape=(224, 224, 3), params=6_998_552,
    paper="Szegedy et al. 2014, Going Deeper with Convolutions", book_section="seed 002 (GoogLeNet)",
    description="Inception v1: nine modules, LRN stem, optional auxiliary heads",
)

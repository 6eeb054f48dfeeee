"""Inception V3 (Szegedy et al. 2015, "Rethinking the Inception Architecture"), as book 6.3.

The book's slim listing (L2725): a stem of five convolutions and two
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

from kclassics.apps._inception import AuxiliaryHeads, Conv, Module, Pool, inception_family
from kclassics.apps._zoo import Variant, register_family
from kclassics.layers import (
    inception_v3_module_a,
    inception_v3_module_b,
    inception_v3_module_c,
    inception_v3_reduction_a,
    inception_v3_reduction_b,
)

FAMILY = "inception_v3"
# The stem (book L2810-L2830).
STEM = (
    Conv("Conv2d_1a_3x3", 32, 3, 2, "valid"),
    Conv("Conv2d_2a_3x3", 32, 3, 1, "valid"),
    Conv("Conv2d_2b_3x3", 64, 3, 1, "same"),
    Pool("MaxPool_3a_3x3", "max", 3, 2, "valid"),
    Conv("Conv2d_3b_1x1", 80, 1, 1, "valid"),
    Conv("Conv2d_4a_3x3", 192, 3, 1, "valid"),
    Pool("MaxPool_5a_3x3", "max", 3, 2, "valid"),
)
# The modules, their branches built by kclassics.layers' functions (book L2850-L3120).
MODULES = (
    Module("Mixed_5b", inception_v3_module_a(32)),
    Module("Mixed_5c", inception_v3_module_a(64)),
    Module("Mixed_5d", inception_v3_module_a(64)),
    Module("Mixed_6a", inception_v3_reduction_a()),
    Module("Mixed_6b", inception_v3_module_b(128)),
    Module("Mixed_6c", inception_v3_module_b(160)),
    Module("Mixed_6d", inception_v3_module_b(160)),
    Module("Mixed_6e", inception_v3_module_b(192)),
    Module("Mixed_7a", inception_v3_reduction_b()),
    Module("Mixed_7b", inception_v3_module_c()),
    Module("Mixed_7c", inception_v3_module_c()),
)
AUX_HEADS = AuxiliaryHeads(end_points=("Mixed_6e",), style="conv", normalize=True)
DROPOUT_RATE = 0.2  # keep_prob 0.8 (L3200)

VARIANTS = (
    Variant(name="inception_v3", params=23_851_784, multiply_adds=5_713_216_096, keras_twin="InceptionV3",
            description="Inception V3 with factorised 7x7 and split 8x8 modules"),
)


INCEPTION_V3 = inception_family(
    FAMILY, stem_table=STEM, modules=MODULES, branches=lambda branches: branches, aux=AUX_HEADS,
    dropout_rate=DROPOUT_RATE, loss_weights="`[1.0, 0.4]`",
    paper="Szegedy et al. 2015, Rethinking the Inception Architecture", book_section="6.3",
    end_points="by the book's names (`Mixed_6e`, `Mixed_7c`, ...)", default_size=299, min_size=75,
    keras_compatible="accepted for symmetry; the architecture already equals keras'.",
    keras_by_default=True,
)
register_family(INCEPTION_V3, VARIANTS)

preprocess_input = keras.applications.inception_v3.preprocess_input  # [-1, 1], slim's inception preprocessing
decode_predictions = keras.applications.inception_v3.decode_predictions

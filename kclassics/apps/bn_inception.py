"""BN-Inception / Inception v2 (Ioffe & Szegedy 2015), as the BN-Inception paper notes of docs/sources.md.

Inception v1 with batch norm after every convolution, each 5x5 replaced by two
3x3, no LRN, and stride-2 modules (3c, 4e) whose pool branch is a pass-through
max-pool in place of the max-pools between stages. Auxiliary heads on 4a and 4d
as the notes' `build_sub_cost`. The module table is the notes' (paper Fig. 5).
The notes' code bugs are not reproduced: dropout is active in training, the heads
return logits or probabilities as asked, and training mode comes from Keras.
"""

from typing import NamedTuple, Optional

import keras

from kclassics.apps._inception import AuxiliaryHeads, Conv, Module, Pool, inception_family
from kclassics.apps._zoo import Variant, register_family
from kclassics.layers import bn_inception_module

FAMILY = "bn_inception"
STEM = (
    Conv("Conv2d_1a_7x7", 64, 7, 2),
    Pool("MaxPool_2a_3x3", "max"),
    Conv("Conv2d_2b_1x1", 64, 1),
    Conv("Conv2d_2c_3x3", 192, 3),
    Pool("MaxPool_3a_3x3", "max"),
)


class BNInceptionWidths(NamedTuple):
    """A row of the notes' module table: branch widths, the pool branch's pool and projection, the stride."""

    c1x1: int
    c3x3_reduce: int
    c3x3: int
    double_reduce: int
    double_3x3: int
    pool: str
    pool_proj: Optional[int]
    stride: int


MODULES = (
    Module("Mixed_3a", BNInceptionWidths(64, 64, 64, 64, 96, "avg", 32, 1)),
    Module("Mixed_3b", BNInceptionWidths(64, 64, 96, 64, 96, "avg", 64, 1)),
    Module("Mixed_3c", BNInceptionWidths(0, 128, 160, 64, 96, "max", None, 2)),
    Module("Mixed_4a", BNInceptionWidths(224, 64, 96, 96, 128, "avg", 128, 1)),
    Module("Mixed_4b", BNInceptionWidths(192, 96, 128, 96, 128, "avg", 128, 1)),
    Module("Mixed_4c", BNInceptionWidths(160, 128, 160, 128, 160, "avg", 128, 1)),
    Module("Mixed_4d", BNInceptionWidths(96, 128, 192, 160, 192, "avg", 128, 1)),
    Module("Mixed_4e", BNInceptionWidths(0, 128, 192, 192, 256, "max", None, 2)),
    Module("Mixed_5a", BNInceptionWidths(352, 192, 320, 160, 224, "avg", 128, 1)),
    Module("Mixed_5b", BNInceptionWidths(352, 192, 320, 192, 224, "max", 128, 1)),
)
AUX_HEADS = AuxiliaryHeads(end_points=("Mixed_4a", "Mixed_4d"), style="dense", normalize=False)
DROPOUT_RATE = 0.4  # GoogLeNet's head, which BN-Inception keeps

VARIANTS = (
    Variant(name="bn_inception", params=11_305_256, multiply_adds=2_032_600_064,
            description="Inception v2: BN everywhere, double 3x3, stride-2 modules, optional auxiliary heads"),
)


BN_INCEPTION = inception_family(
    FAMILY, stem_table=STEM, modules=MODULES, branches=lambda widths: bn_inception_module(**widths._asdict()),
    aux=AUX_HEADS, dropout_rate=DROPOUT_RATE, loss_weights="`[1.0, 0.3, 0.3]`",
    paper="Ioffe & Szegedy 2015, Batch Normalization", book_section="BN-Inception paper notes",
    end_points="`Mixed_3a`..`Mixed_5b` and the stem's names",
)
register_family(BN_INCEPTION, VARIANTS)

preprocess_input = keras.applications.inception_v3.preprocess_input
decode_predictions = keras.applications.inception_v3.decode_predictions

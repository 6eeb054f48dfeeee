"""GoogLeNet / Inception v1 (Szegedy et al. 2014), the paper's network (Tensorflow_CNN blog, GoogleNet).

Stem 7x7/2 conv, 3x3/2 max-pool, LRN, 1x1 and 3x3 convs, LRN, max-pool; nine
Inception modules (3a-5b) with max-pools after 3b and 4e; global average pooling,
dropout 0.4 and the classifier. Optional auxiliary heads on 4a and 4d (avg-pool
5/3, 1x1x128, FC 1024, dropout 0.7, FC), weighted 0.3 in the paper's loss.
Convolutions have biases and ReLU, no batch norm. The blog's code has bugs (5x5
uses the reduce width, 4d/5b widths), so the widths are the paper's Table 1.
"""

from typing import NamedTuple

import keras

from kclassics.apps._inception import LRN, AuxiliaryHeads, Conv, Module, Pool, inception_family
from kclassics.apps._zoo import Variant, register_family
from kclassics.layers import inception_v1_module

FAMILY = "googlenet"
STEM = (
    Conv("Conv2d_1a_7x7", 64, 7, 2),
    Pool("MaxPool_2a_3x3", "max"),
    LRN("LRN_2a"),
    Conv("Conv2d_2b_1x1", 64, 1),
    Conv("Conv2d_2c_3x3", 192, 3),
    LRN("LRN_2c"),
    Pool("MaxPool_3a_3x3", "max"),
)


class GoogLeNetWidths(NamedTuple):
    """A row of the paper's Table 1: the width of each branch's convolutions."""

    c1x1: int
    c3x3_reduce: int
    c3x3: int
    c5x5_reduce: int
    c5x5: int
    pool_proj: int


MODULES = (
    Module("Mixed_3a", GoogLeNetWidths(64, 96, 128, 16, 32, 32)),
    Module("Mixed_3b", GoogLeNetWidths(128, 128, 192, 32, 96, 64)),
    Pool("MaxPool_4a_3x3", "max"),
    Module("Mixed_4a", GoogLeNetWidths(192, 96, 208, 16, 48, 64)),
    Module("Mixed_4b", GoogLeNetWidths(160, 112, 224, 24, 64, 64)),
    Module("Mixed_4c", GoogLeNetWidths(128, 128, 256, 24, 64, 64)),
    Module("Mixed_4d", GoogLeNetWidths(112, 144, 288, 32, 64, 64)),
    Module("Mixed_4e", GoogLeNetWidths(256, 160, 320, 32, 128, 128)),
    Pool("MaxPool_5a_2x2", "max"),
    Module("Mixed_5a", GoogLeNetWidths(256, 160, 320, 32, 128, 128)),
    Module("Mixed_5b", GoogLeNetWidths(384, 192, 384, 48, 128, 128)),
)
AUX_HEADS = AuxiliaryHeads(end_points=("Mixed_4a", "Mixed_4d"), style="dense", normalize=False)
# Caffe's LRN (local_size 5, alpha 1e-4, beta 0.75) in TF's terms: alpha is divided by the window size.
GOOGLENET_LRN = dict(depth_radius=2, bias=1.0, alpha=1e-4 / 5, beta=0.75)
DROPOUT_RATE = 0.4

VARIANTS = (
    Variant(name="googlenet", params=6_998_552, multiply_adds=1_582_671_872,
            description="Inception v1: nine modules, LRN stem, optional auxiliary heads"),
)


GOOGLENET = inception_family(
    FAMILY, stem_table=STEM, modules=MODULES, branches=lambda widths: inception_v1_module(**widths._asdict()),
    aux=AUX_HEADS, dropout_rate=DROPOUT_RATE, loss_weights="`[1.0, 0.3, 0.3]` as the paper", normalize=False,
    lrn=GOOGLENET_LRN, paper="Szegedy et al. 2014, Going Deeper with Convolutions",
    book_section="Tensorflow_CNN blog, GoogleNet", end_points="`Mixed_3a`..`Mixed_5b` and the stem's names",
)
register_family(GOOGLENET, VARIANTS)

preprocess_input = keras.applications.inception_v3.preprocess_input
decode_predictions = keras.applications.inception_v3.decode_predictions

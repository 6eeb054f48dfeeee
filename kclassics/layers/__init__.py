"""Keras layers of the classic networks, each registered for `.keras` serialization.

- `normalization`: `LocalResponseNormalization`.
- `winograd`: `Conv2D`, keras' layer with a faster CPU algorithm for wide 3x3 convolutions.
- `conv`: `ConvBNAct`, the family defaults `CONV_DEFAULTS`, `conv2d_same_padding`.
- `residual`: `PreActBottleneck` (ResNet V2), `BasicResidualUnit`, `BottleneckResidualUnit` (ResNet V1).
- `inception`: `InceptionModule` with the v1 / BN-Inception / V3 module tables, `AuxiliaryHead`.
- `densenet`: `DenseLayer`, `DenseBlock`, `Transition`.
- `recurrent`: `BasicLSTMCell` (a constant forget bias, as TF1's).
"""

from kclassics.layers._xla import without_xla
from kclassics.layers.winograd import Conv2D
from kclassics.layers.conv import CONV_DEFAULTS, ConvBNAct, ConvDefaults, conv2d_same_padding, conv_defaults
from kclassics.layers.densenet import DenseBlock, DenseLayer, Transition
from kclassics.layers.inception import (
    AuxiliaryHead,
    InceptionModule,
    bn_inception_module,
    inception_v1_module,
    inception_v3_module_a,
    inception_v3_module_b,
    inception_v3_module_c,
    inception_v3_reduction_a,
    inception_v3_reduction_b,
)
from kclassics.layers.normalization import LocalResponseNormalization
from kclassics.layers.recurrent import BasicLSTMCell
from kclassics.layers.residual import BasicResidualUnit, BottleneckResidualUnit, PreActBottleneck

__all__ = [
    "AuxiliaryHead",
    "BasicResidualUnit",
    "BasicLSTMCell",
    "BottleneckResidualUnit",
    "CONV_DEFAULTS",
    "Conv2D",
    "ConvBNAct",
    "ConvDefaults",
    "DenseBlock",
    "DenseLayer",
    "InceptionModule",
    "LocalResponseNormalization",
    "PreActBottleneck",
    "Transition",
    "bn_inception_module",
    "conv2d_same_padding",
    "conv_defaults",
    "inception_v1_module",
    "inception_v3_module_a",
    "inception_v3_module_b",
    "inception_v3_module_c",
    "inception_v3_reduction_a",
    "inception_v3_reduction_b",
    "without_xla",
]

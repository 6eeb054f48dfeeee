"""Keras layers of the classic networks, each registered for `.keras` serialization."""

from kclassics.layers.conv import CONV_DEFAULTS, ConvBNAct, ConvDefaults, conv2d_same_padding, conv_defaults
from kclassics.layers.residual import BasicResidualUnit, BottleneckResidualUnit, PreActBottleneck
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
from kclassics.layers.densenet import DenseBlock, DenseLayer, Transition

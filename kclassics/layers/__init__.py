"""Keras layers of the classic networks, each registered for `.keras` serialization."""

from kclassics.layers.conv import CONV_DEFAULTS, ConvBNAct, ConvDefaults, conv2d_same_padding, conv_defaults
from kclassics.layers.residual import BasicResidualUnit, BottleneckResidualUnit, PreActBottleneck
from kclassics.layers.fused_batch_norm import FusedBatchNormalization

"""Convolution blocks with each family's defaults made explicit, and `conv2d_same` padding.

The book builds its networks inside slim `arg_scope`s that silently set the
initializer, the weight decay and the batch-norm parameters of every
convolution. Here those defaults are one frozen record per family
(`CONV_DEFAULTS`) and `ConvBNAct` reads them, so a model file states them once.
"""

import dataclasses

import keras
from keras import layers

from kclassics import validation
from kclassics.layers import fused_batch_norm
from kclassics.layers.winograd import Conv2D


@dataclasses.dataclass(frozen=True)
class ConvDefaults:
    """The defaults a family's `arg_scope` gives every convolution.

    Attributes:
        kernel_initializer: Keras initializer name or config.
        weight_decay: slim's L2 factor `wd` in `wd * sum(w**2) / 2`; the Keras
            regularizer is `L2(wd / 2)` (TF1's `l2_regularizer(wd)` is `wd * sum(w**2) / 2`).
        bn_momentum: slim BN `decay`.
        bn_epsilon: BN epsilon.
        bn_scale: whether BN learns gamma (slim's default is no gamma).
    """

    kernel_initializer: object = "glorot_uniform"
    weight_decay: float = 0.0
    bn_momentum: float = 0.99
    bn_epsilon: float = 1e-3
    bn_scale: bool = True


def _truncated_normal(stddev):
    return {"class_name": "TruncatedNormal", "config": {"mean": 0.0, "stddev": stddev, "seed": None}}


CONV_DEFAULTS = {
    "default": ConvDefaults(),
    # Inception V3 arg_scope (book 6.3, L2790): trunc-normal 0.1, L2 4e-5, BN decay 0.9997, eps 1e-3, no gamma.
    "inception_v3": ConvDefaults(_truncated_normal(0.1), 4e-5, 0.9997, 1e-3, False),
    # ResNet V2 arg_scope (book 6.4, L3490): He init, L2 1e-4, BN decay 0.997, eps 1e-5, scale on.
    "resnet_v2": ConvDefaults("he_normal", 1e-4, 0.997, 1e-5, True),
    # ResNet V1 (He et al. 2015): He init, weight decay 1e-4, BN as ResNet V2.
    "resnet_v1": ConvDefaults("he_normal", 1e-4, 0.997, 1e-5, True),
    # keras.applications ResNet / DenseNet batch norm: eps 1.001e-5, momentum 0.99.
    "keras_resnet": ConvDefaults("he_normal", 1e-4, 0.99, 1.001e-5, True),
    # DenseNet (Huang et al. 2017): He init, weight decay 1e-4; BN as keras.applications.
    "densenet": ConvDefaults("he_normal", 1e-4, 0.99, 1.001e-5, True),
    # BN-Inception as in the BN-Inception paper notes (docs/sources.md): tf.layers Conv2D/BatchNormalization defaults, gamma on, no weight decay.
    "bn_inception": ConvDefaults("glorot_uniform", 0.0, 0.99, 1e-3, True),
    # GoogLeNet: no batch norm; Xavier init and L2 4e-5 as slim's inception_v1 scope.
    "googlenet": ConvDefaults("glorot_uniform", 4e-5, 0.99, 1e-3, True),
    # slim's own defaults, which the Tensorflow_CNN blog's CIFAR networks keep: `slim.conv2d`'s Xavier (Glorot
    # uniform) weights, no weight decay; `slim.batch_norm`'s decay 0.999, epsilon 0.001, no gamma.
    "slim": ConvDefaults("glorot_uniform", 0.0, 0.999, 1e-3, False),
}


def conv_defaults(family):
    """The `ConvDefaults` of a family, with a clear error for unknown names."""
    if family not in CONV_DEFAULTS:
        raise ValueError(
            f"Unknown convolution family {family!r}. Accepted: {sorted(CONV_DEFAULTS)}. Received: family={family!r}"
        )
    return CONV_DEFAULTS[family]


def conv2d_same_padding(kernel_size, rate=1):
    """Explicit padding of slim's `conv2d_same` for a stride > 1 convolution.

    The total padding is `k_eff - 1` (k_eff = k + (k - 1)(rate - 1)), split with the
    smaller half first, so the output no longer depends on the input size's parity
    the way TF's SAME padding does (book 6.4, L3420).

    Returns:
        `((top, bottom), (left, right))` for `keras.layers.ZeroPadding2D`.
    """
    kernel_size = _pair(kernel_size, "kernel_size")
    pads = []
    for k in kernel_size:
        effective = k + (k - 1) * (rate - 1)
        total = effective - 1
        pads.append((total // 2, total - total // 2))
    return tuple(pads)


def _pair(value, argument):
    if isinstance(value, int) and not isinstance(value, bool):
        value = (value, value)
    value = tuple(value)
    if len(value) != 2 or not all(isinstance(v, int) and v > 0 for v in value):
        raise ValueError(f"`{argument}` must be a positive integer or a pair of them. Received: {argument}={value!r}")
    return value


PADDINGS = ("same", "valid", "conv2d_same")


@keras.saving.register_keras_serializable(package="kclassics")
class ConvBNAct(layers.Layer):
    """Convolution, optional batch norm, optional activation: slim's `conv2d` in one layer.

    A convolution followed by batch norm has no bias (BN's beta replaces it);
    one without a normalizer has a bias, as in slim. Sub-layers are named
    `pad`, `conv`, `bn`, so a block named `conv1` holds `conv1_conv` and
    `conv1_bn` in keras.applications' naming.

    Args:
        filters: output channels.
        kernel_size: int or pair.
        strides: int or pair.
        padding: `"same"`, `"valid"` or `"conv2d_same"` (explicit `k - 1` padding
            then VALID when the stride is above 1, SAME otherwise).
        family: key of `CONV_DEFAULTS` giving initializer, weight decay and BN parameters.
        normalize: whether batch norm follows the convolution.
        activation: activation name, or None.
        use_bias: override of the bias rule above (keras.applications' ResNet50
            has biases before its batch norms).
        kernel_initializer, weight_decay, bn_momentum, bn_epsilon, bn_scale:
            overrides of the family defaults.
    """

    def __init__(
        self,
        filters,
        kernel_size,
        strides=1,
        padding="same",
        family="default",
        normalize=True,
        activation="relu",
        use_bias=None,
        kernel_initializer=None,
        weight_decay=None,
        bn_momentum=None,
        bn_epsilon=None,
        bn_scale=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        validation.one_of("padding", padding, PADDINGS)
        defaults = conv_defaults(family)
        self.filters = int(filters)
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.strides = _pair(strides, "strides")
        self.padding = padding
        self.family = family
        self.normalize = bool(normalize)
        self.activation = activation
        self.use_bias = (not self.normalize) if use_bias is None else bool(use_bias)
        self.kernel_initializer = defaults.kernel_initializer if kernel_initializer is None else kernel_initializer
        self.weight_decay = defaults.weight_decay if weight_decay is None else float(weight_decay)
        self.bn_momentum = defaults.bn_momentum if bn_momentum is None else float(bn_momentum)
        self.bn_epsilon = defaults.bn_epsilon if bn_epsilon is None else float(bn_epsilon)
        self.bn_scale = defaults.bn_scale if bn_scale is None else bool(bn_scale)

        conv_padding = padding
        self.pad = None
        if padding == "conv2d_same":
            conv_padding = "same"
            if max(self.strides) > 1:
                self.pad = layers.ZeroPadding2D(conv2d_same_padding(self.kernel_size), name="pad")
                conv_padding = "valid"
        self.conv = Conv2D(
            self.filters,
            self.kernel_size,
            strides=self.strides,
            padding=conv_padding,
            use_bias=self.use_bias,
            kernel_initializer=keras.initializers.get(self.kernel_initializer),
            kernel_regularizer=keras.regularizers.L2(self.weight_decay / 2) if self.weight_decay else None,
            name="conv",
        )
        self.bn = (
            fused_batch_norm.BatchNormalization(momentum=self.bn_momentum, epsilon=self.bn_epsilon, scale=self.bn_scale, name="bn")
            if self.normalize
            else None
        )
        self.act = keras.activations.get(activation) if activation is not None else None

    def build(self, input_shape):
        shape = input_shape
        for layer in (self.pad, self.conv, self.bn):
            if layer is not None:
                layer.build(shape)
                shape = layer.compute_output_shape(shape)
        self.built = True

    def compute_output_shape(self, input_shape):
        shape = input_shape
        for layer in (self.pad, self.conv):
            if layer is not None:
                shape = layer.compute_output_shape(shape)
        return shape

    def call(self, inputs, training=None, pool=None):
        """Convolution, batch norm, activation; `pool`, a layer, runs between the convolution and the batch norm."""
        x = inputs if self.pad is None else self.pad(inputs)
        x = self.conv(x)
        if pool is not None:
            x = pool(x)
        if self.bn is not None:
            x = self.bn(x, training=training)
        return x if self.act is None else self.act(x)

    def get_config(self):
        config = super().get_config()
        config.update(
            filters=self.filters,
            kernel_size=self.kernel_size,
            strides=self.strides,
            padding=self.padding,
            family=self.family,
            normalize=self.normalize,
            activation=self.activation,
            use_bias=self.use_bias,
            kernel_initializer=keras.initializers.serialize(keras.initializers.get(self.kernel_initializer)),
            weight_decay=self.weight_decay,
            bn_momentum=self.bn_momentum,
            bn_epsilon=self.bn_epsilon,
            bn_scale=self.bn_scale,
        )
        return config

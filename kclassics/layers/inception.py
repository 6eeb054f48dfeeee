"""Inception modules as data: GoogLeNet (v1), BN-Inception (v2), Inception V3, and auxiliary heads.

An `InceptionModule` is a list of parallel branches concatenated on channels.
A branch is a list of operations, each a short list:

- `["conv", filters, [kh, kw], stride, padding]`: a `ConvBNAct` of the module's family,
- `["avg" | "max", size, stride, padding]`: a pooling,
- `["split", [branch, branch, ...]]`: the branch forks and its forks are concatenated
  (Inception V3's 8x8 modules, 1x3 beside 3x1).

The functions below (`inception_v1_module`, `inception_v3_module_b`, ...) return the
branch lists of the book's and papers' modules, so a network is a table of them.
"""

import keras
from keras import layers

from kclassics.layers._composite import CompositeLayer
from kclassics.layers.conv import ConvBNAct

_POOLS = {"avg": layers.AveragePooling2D, "max": layers.MaxPooling2D}


def _conv(filters, kernel, stride=1, padding="same"):
    kernel = [kernel, kernel] if isinstance(kernel, int) else list(kernel)
    return ["conv", filters, kernel, stride, padding]


def inception_v1_module(c1x1, c3x3_reduce, c3x3, c5x5_reduce, c5x5, pool_proj):
    """GoogLeNet module (Szegedy et al. 2014, Table 1): 1x1 | 1x1-3x3 | 1x1-5x5 | maxpool-1x1."""
    return [
        [_conv(c1x1, 1)],
        [_conv(c3x3_reduce, 1), _conv(c3x3, 3)],
        [_conv(c5x5_reduce, 1), _conv(c5x5, 5)],
        [["max", 3, 1, "same"], _conv(pool_proj, 1)],
    ]


def bn_inception_module(c1x1, c3x3_reduce, c3x3, double_reduce, double_3x3, pool, pool_proj=None, stride=1):
    """BN-Inception module (Ioffe & Szegedy 2015, Fig. 5; the BN-Inception paper notes, docs/sources.md).

    The 5x5 branch is two 3x3 convolutions. With `stride=2` (3c, 4e) there is no 1x1
    branch (`c1x1=0`), the 3x3 branches end with stride 2 and the pool branch is a
    pass-through max-pool (`pool_proj=None`).
    """
    branches = []
    if c1x1:
        branches.append([_conv(c1x1, 1)])
    branches.append([_conv(c3x3_reduce, 1), _conv(c3x3, 3, stride)])
    branches.append([_conv(double_reduce, 1), _conv(double_3x3, 3), _conv(double_3x3, 3, stride)])
    if pool_proj:
        branches.append([[pool, 3, 1, "same"], _conv(pool_proj, 1, stride)])
    else:
        branches.append([[pool, 3, stride, "same"]])
    return branches


def inception_v3_module_a(pool_filters):
    """Inception V3 35x35 module, Mixed_5b/5c/5d (book L2850): 1x1 | 1x1-5x5 | 1x1-3x3-3x3 | avgpool-1x1."""
    return [
        [_conv(64, 1)],
        [_conv(48, 1), _conv(64, 5)],
        [_conv(64, 1), _conv(96, 3), _conv(96, 3)],
        [["avg", 3, 1, "same"], _conv(pool_filters, 1)],
    ]


def inception_v3_reduction_a():
    """Mixed_6a, 35x35 -> 17x17 (book L2920): 3x3/2 | 1x1-3x3-3x3/2 | maxpool/2 (keeps 288 channels, erratum)."""
    return [
        [_conv(384, 3, 2, "valid")],
        [_conv(64, 1), _conv(96, 3), _conv(96, 3, 2, "valid")],
        [["max", 3, 2, "valid"]],
    ]


def inception_v3_module_b(c7):
    """Inception V3 17x17 module, Mixed_6b-6e (book L2950): 7x7 factorised as 1x7 and 7x1."""
    return [
        [_conv(192, 1)],
        [_conv(c7, 1), _conv(c7, [1, 7]), _conv(192, [7, 1])],
        [_conv(c7, 1), _conv(c7, [7, 1]), _conv(c7, [1, 7]), _conv(c7, [7, 1]), _conv(192, [1, 7])],
        [["avg", 3, 1, "same"], _conv(192, 1)],
    ]


def inception_v3_reduction_b():
    """Mixed_7a, 17x17 -> 8x8 (book L3060): 1x1-3x3/2 | 1x1-1x7-7x1-3x3/2 | maxpool/2."""
    return [
        [_conv(192, 1), _conv(320, 3, 2, "valid")],
        [_conv(192, 1), _conv(192, [1, 7]), _conv(192, [7, 1]), _conv(192, 3, 2, "valid")],
        [["max", 3, 2, "valid"]],
    ]


def inception_v3_module_c():
    """Inception V3 8x8 module, Mixed_7b/7c (book L3090): 3x3 branches split into 1x3 and 3x1."""
    split = ["split", [[_conv(384, [1, 3])], [_conv(384, [3, 1])]]]
    return [
        [_conv(320, 1)],
        [_conv(384, 1), split],
        [_conv(448, 1), _conv(384, 3), split],
        [["avg", 3, 1, "same"], _conv(192, 1)],
    ]


def _check_branches(branches):
    if not isinstance(branches, (list, tuple)) or not branches:
        raise ValueError(f"`branches` must be a non-empty list of branches. Received: branches={branches!r}")
    for branch in branches:
        if not isinstance(branch, (list, tuple)) or not branch:
            raise ValueError(f"Each branch must be a non-empty list of operations. Received: branch={branch!r}")
        for op in branch:
            kind = op[0] if isinstance(op, (list, tuple)) and op else None
            if kind == "split":
                _check_branches(op[1])
            elif kind not in ("conv", "avg", "max"):
                raise ValueError(
                    "Operations must start with 'conv', 'avg', 'max' or 'split'. "
                    f"Received: operation={op!r}"
                )


@keras.saving.register_keras_serializable(package="kclassics")
class InceptionModule(CompositeLayer):
    """Parallel branches concatenated on channels; the branches are data (see module docstring).

    A stride-1 average pool followed by a 1x1 convolution to fewer channels runs
    as the convolution first, then the pool: the same function, on fewer channels.

    Args:
        branches: list of branches, each a list of operations.
        family: `CONV_DEFAULTS` key of the convolutions.
        normalize: whether convolutions are followed by batch norm (False for GoogLeNet).
        conv_kwargs: extra `ConvBNAct` arguments (e.g. `{"bn_scale": True}`).
    """

    def __init__(self, branches, family="inception_v3", normalize=True, conv_kwargs=None, **kwargs):
        super().__init__(**kwargs)
        _check_branches(branches)
        self.branches_spec = _as_lists(branches)
        self.family, self.normalize = family, bool(normalize)
        self.conv_kwargs = dict(conv_kwargs or {})
        self.branch_layers = [self._make(branch, f"branch_{i}") for i, branch in enumerate(self.branches_spec)]

    def _make(self, branch, prefix):
        made = []
        for j, op in enumerate(branch):
            if op[0] == "conv":
                _, filters, kernel, stride, padding = op
                made.append(
                    ConvBNAct(
                        filters, tuple(kernel), strides=stride, padding=padding, family=self.family,
                        normalize=self.normalize, name=f"{prefix}_{j}_conv{kernel[0]}x{kernel[1]}", **self.conv_kwargs,
                    )
                )
            elif op[0] == "split":
                made.append([self._make(fork, f"{prefix}_{j}_{k}") for k, fork in enumerate(op[1])])
            else:
                kind, size, stride, padding = op
                made.append(_POOLS[kind](size, strides=stride, padding=padding, name=f"{prefix}_{j}_{kind}pool"))
        return made

    def _run(self, branch, x, training):
        index = 0
        while index < len(branch):
            op = branch[index]
            if isinstance(op, list):
                x = keras.ops.concatenate([self._run(fork, x, training) for fork in op], axis=-1)
            elif isinstance(op, ConvBNAct):
                x = op(x, training=training)
            elif index + 1 < len(branch) and _projection_commutes(op, branch[index + 1], x.shape[-1]):
                x = branch[index + 1](x, training=training, pool=op)
                index += 1
            else:
                x = op(x)
            index += 1
        return x

    def call(self, inputs, training=None):
        return keras.ops.concatenate([self._run(b, inputs, training) for b in self.branch_layers], axis=-1)

    def get_config(self):
        config = super().get_config()
        config.update(
            branches=self.branches_spec, family=self.family, normalize=self.normalize, conv_kwargs=self.conv_kwargs
        )
        return config


def _projection_commutes(pool, conv, channels):
    """Whether `pool` then `conv` may run as `conv`'s convolution, `pool`, then its batch norm and activation.

    A 1x1, stride-1 convolution mixes channels pixel by pixel and an average pool
    mixes pixels channel by channel with weights that sum to one, so the two
    commute, bias included: `conv(avg_pool(x)) == avg_pool(conv(x))` up to
    rounding. Inception V3's pool branches project 192-2048 channels to 32-192;
    pooling the projection instead of the input makes Inception V3 (batch 32,
    299x299, CPU) about 2% faster forward and 1% in a training step
    (docs/performance.md). The layers, weights and names are unchanged.
    """
    return (
        isinstance(pool, layers.AveragePooling2D)
        and tuple(pool.strides) == (1, 1)
        and pool.padding == "same"
        and isinstance(conv, ConvBNAct)
        and conv.kernel_size == (1, 1)
        and conv.strides == (1, 1)
        and conv.pad is None
        and conv.filters < channels
    )


def _as_lists(value):
    if isinstance(value, (list, tuple)):
        return [_as_lists(v) for v in value]
    return value


@keras.saving.register_keras_serializable(package="kclassics")
class AuxiliaryHead(CompositeLayer):
    """Auxiliary classifier on an intermediate grid (GoogLeNet, BN-Inception, Inception V3).

    `style="conv"` is Inception V3's head (book L3150): avg-pool 5/3 VALID, 1x1x128
    conv-BN, a conv over the remaining grid (5x5x768, stddev 0.01), 1x1 logits (stddev 0.001).
    `style="dense"` is GoogLeNet's (paper section 5): avg-pool 5/3, 1x1x128 conv, FC 1024,
    dropout 0.7, FC logits.

    Args:
        classes: number of classes.
        pool_size: side of the average pool (reduce for small inputs, as slim does).
        grid_size: side of the map after pooling and the 1x1 conv (the "conv" style's kernel).
        style: `"conv"` or `"dense"`.
        family, normalize: of the convolutions.
        activation: activation of the logits (`None` for logits).
    """

    def __init__(self, classes, pool_size=5, grid_size=5, style="conv", family="inception_v3", normalize=True,
                 activation=None, **kwargs):
        super().__init__(**kwargs)
        if style not in ("conv", "dense"):
            raise ValueError(f"`style` must be 'conv' or 'dense'. Received: style={style!r}")
        self.classes, self.pool_size, self.grid_size, self.style = classes, pool_size, grid_size, style
        self.family, self.normalize, self.activation = family, bool(normalize), activation
        self.pool = layers.AveragePooling2D(pool_size, strides=3, padding="valid", name="avgpool")
        self.proj = ConvBNAct(128, 1, family=family, normalize=normalize, name="proj")
        if style == "conv":
            self.hidden = ConvBNAct(
                768, grid_size, padding="valid", family=family, normalize=normalize,
                kernel_initializer=keras.initializers.TruncatedNormal(stddev=0.01), name="hidden",
            )
            self.dropout = None
            self.logits = layers.Dense(
                classes, activation=activation, kernel_initializer=keras.initializers.TruncatedNormal(stddev=0.001),
                name="logits",
            )
        else:
            self.hidden = layers.Dense(1024, activation="relu", name="hidden")
            self.dropout = layers.Dropout(0.7, name="dropout")
            self.logits = layers.Dense(classes, activation=activation, name="logits")

    def call(self, inputs, training=None):
        x = self.proj(self.pool(inputs), training=training)
        if self.style == "conv":
            x = self.hidden(x, training=training)
        x = keras.ops.reshape(x, (-1, x.shape[1] * x.shape[2] * x.shape[3]))
        if self.style == "dense":
            x = self.dropout(self.hidden(x), training=training)
        return self.logits(x)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.classes)

    def get_config(self):
        config = super().get_config()
        config.update(
            classes=self.classes, pool_size=self.pool_size, grid_size=self.grid_size, style=self.style,
            family=self.family, normalize=self.normalize, activation=self.activation,
        )
        return config

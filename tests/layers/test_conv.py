import numpy as np
import pytest

import keras
from kclassics.layers import CONV_DEFAULTS, ConvBNAct, conv2d_same_padding


@pytest.mark.parametrize("kernel, rate, expected", [(7, 1, ((3, 3), (3, 3))), (3, 1, ((1, 1), (1, 1))), (4, 1, ((1, 2), (1, 2))), (3, 2, ((2, 2), (2, 2))), ((1, 7), 1, ((0, 0), (3, 3)))])
def test_conv2d_same_padding(kernel, rate, expected):
    assert conv2d_same_padding(kernel, rate) == expected


@pytest.mark.parametrize("side, expected", [(224, 112), (225, 113), (32, 16)])
def test_conv2d_same_pads_explicitly_when_strided(side, expected):
    layer = ConvBNAct(8, 7, strides=2, padding="conv2d_same", family="resnet_v2")
    x = keras.Input((side, side, 3))
    assert layer(x).shape == (None, expected, expected, 8)
    assert layer.pad is not None and layer.conv.padding == "valid"
    # Stride 1 uses SAME directly, as slim's conv2d_same.
    assert ConvBNAct(8, 3, padding="conv2d_same").pad is None


def test_family_defaults_and_bias_rule():
    block = ConvBNAct(4, 3, family="inception_v3")
    block.build((None, 8, 8, 3))
    assert not block.use_bias and block.bn is not None and not block.bn.scale
    assert block.bn.momentum == 0.9997 and block.bn.epsilon == 1e-3
    # slim's l2_regularizer(wd) is wd * sum(w^2) / 2: Keras L2 gets wd / 2.
    assert block.conv.kernel_regularizer.l2 == pytest.approx(CONV_DEFAULTS["inception_v3"].weight_decay / 2)
    plain = ConvBNAct(4, 3, normalize=False, activation=None, family="resnet_v2")
    plain.build((None, 8, 8, 3))
    assert plain.use_bias and plain.bn is None
    assert [w.name for w in plain.weights] == ["kernel", "bias"]


def test_computes_conv_bn_relu():
    block = ConvBNAct(2, 1, family="default")
    x = np.random.default_rng(0).normal(size=(1, 3, 3, 2)).astype("float32")
    block(x)
    kernel = np.random.default_rng(1).normal(size=(1, 1, 2, 2)).astype("float32")
    block.conv.kernel.assign(kernel)
    expected = np.maximum(x @ kernel[0, 0] / np.sqrt(1 + block.bn_epsilon), 0)
    np.testing.assert_allclose(block(x, training=False), expected, rtol=1e-5, atol=1e-6)


def test_config_round_trip():
    block = ConvBNAct(5, (1, 7), strides=2, padding="valid", family="resnet_v2", activation=None, name="c")
    clone = ConvBNAct.from_config(block.get_config())
    assert clone.get_config() == block.get_config()


@pytest.mark.parametrize("kwargs, match", [({"padding": "full"}, "padding"), ({"family": "lenet"}, "family"), ({"kernel_size": 0}, "kernel_size")])
def test_bad_arguments(kwargs, match):
    args = {"filters": 4, "kernel_size": 3, **kwargs}
    with pytest.raises(ValueError, match=match):
        ConvBNAct(**args)

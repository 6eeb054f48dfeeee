import numpy as np
import pytest

import keras
from kclassics.layers import BasicResidualUnit, BottleneckResidualUnit, PreActBottleneck


@pytest.mark.parametrize("projection, stride, channels_in, side_out", [(True, 1, 64, 8), (False, 2, 256, 4), (False, 1, 256, 8), (True, 2, 64, 4)])
def test_preact_bottleneck_shapes_and_shortcut(projection, stride, channels_in, side_out):
    unit = PreActBottleneck(256, 64, stride=stride, projection=projection)
    y = unit(keras.Input((8, 8, channels_in)))
    assert y.shape == (None, side_out, side_out, 256)
    names = {w.path.split("/", 1)[1] for w in unit.weights}
    assert ("0_conv/kernel" in names) == projection
    assert {"preact_bn/gamma", "1/conv/kernel", "2/conv/kernel", "3_conv/kernel", "3_conv/bias"} <= names


def test_preact_identity_shortcut_is_subsampled_input():
    unit = PreActBottleneck(8, 2, stride=2)
    x = np.random.default_rng(0).normal(size=(1, 6, 6, 8)).astype("float32")
    unit(x)
    unit.conv3.kernel.assign(np.zeros_like(unit.conv3.kernel))  # residual branch -> 0
    np.testing.assert_allclose(unit(x, training=False), x[:, ::2, ::2, :], atol=1e-6)


@pytest.mark.parametrize("cls, filters, projection, stride, channels_out", [(BasicResidualUnit, 64, False, 1, 64), (BasicResidualUnit, 128, True, 2, 128), (BottleneckResidualUnit, 64, True, 1, 256), (BottleneckResidualUnit, 128, True, 2, 512)])
def test_v1_units_shapes(cls, filters, projection, stride, channels_out):
    unit = cls(filters, stride=stride, projection=projection)
    y = unit(keras.Input((8, 8, 64)))
    assert y.shape == (None, 8 // stride, 8 // stride, channels_out)
    assert float(np.min(unit(np.random.rand(1, 8, 8, 64).astype("float32")))) >= 0  # post-activation ReLU


def test_config_round_trip():
    unit = PreActBottleneck(256, 64, stride=2, projection=True, name="conv2_block1")
    assert PreActBottleneck.from_config(unit.get_config()).get_config() == unit.get_config()
    basic = BasicResidualUnit(64, stride=2, projection=True, use_bias=True)
    assert BasicResidualUnit.from_config(basic.get_config()).get_config() == basic.get_config()


def test_bad_arguments():
    with pytest.raises(ValueError, match="stride"):
        PreActBottleneck(256, 64, stride=0)

import pytest

import keras
from kclassics.layers import (
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

# (module branches, input shape, output shape) from the book's and papers' shape tables.
SHAPES = [
    (inception_v3_module_a(32), (35, 35, 192), (35, 35, 256)),  # Mixed_5b
    (inception_v3_module_a(64), (35, 35, 256), (35, 35, 288)),  # Mixed_5c
    (inception_v3_reduction_a(), (35, 35, 288), (17, 17, 768)),  # Mixed_6a
    (inception_v3_module_b(128), (17, 17, 768), (17, 17, 768)),  # Mixed_6b
    (inception_v3_reduction_b(), (17, 17, 768), (8, 8, 1280)),  # Mixed_7a
    (inception_v3_module_c(), (8, 8, 1280), (8, 8, 2048)),  # Mixed_7b
    (inception_v1_module(64, 96, 128, 16, 32, 32), (28, 28, 192), (28, 28, 256)),  # GoogLeNet 3a
    (inception_v1_module(384, 192, 384, 48, 128, 128), (7, 7, 832), (7, 7, 1024)),  # GoogLeNet 5b
    (bn_inception_module(64, 64, 64, 64, 96, "avg", 32), (28, 28, 192), (28, 28, 256)),  # BN-Inception 3a
    (bn_inception_module(0, 128, 160, 64, 96, "max", None, 2), (28, 28, 320), (14, 14, 576)),  # 3c, stride 2
    (bn_inception_module(0, 128, 192, 192, 256, "max", None, 2), (14, 14, 576), (7, 7, 1024)),  # 4e
]


@pytest.mark.parametrize("branches, input_shape, output_shape", SHAPES)
def test_module_output_shapes(branches, input_shape, output_shape):
    module = InceptionModule(branches, family="inception_v3")
    assert module(keras.Input(input_shape)).shape == (None, *output_shape)


def test_config_round_trip_and_no_bn_option():
    module = InceptionModule(inception_v3_module_c(), family="inception_v3", name="Mixed_7b")
    assert InceptionModule.from_config(module.get_config()).get_config() == module.get_config()
    plain = InceptionModule(inception_v1_module(8, 4, 8, 2, 4, 4), family="googlenet", normalize=False)
    plain(keras.Input((6, 6, 3)))
    assert not any("bn" in w.path for w in plain.weights) and any(w.name == "bias" for w in plain.weights)


@pytest.mark.parametrize("style, grid", [("conv", 5), ("dense", 4)])
def test_auxiliary_head(style, grid):
    head = AuxiliaryHead(10, pool_size=5, grid_size=grid, style=style)
    side = 17 if style == "conv" else 14
    assert head(keras.Input((side, side, 768))).shape == (None, 10)


@pytest.mark.parametrize("branches", [[], [[["pool", 3, 1, "same"]]]])
def test_bad_branches(branches):
    with pytest.raises(ValueError):
        InceptionModule(branches)

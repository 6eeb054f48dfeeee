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


@pytest.mark.parametrize(
    "branches, channels, normalize",
    [
        (inception_v3_module_a(32), 48, True),  # Mixed_5b's pool branch: avg-pool, 1x1 projection to fewer channels
        (bn_inception_module(8, 8, 8, 8, 8, "avg", 16), 24, True),
        ([[["avg", 3, 1, "same"], ["conv", 6, [1, 1], 1, "same"]]], 10, False),  # with a bias and no batch norm
    ],
)
@pytest.mark.parametrize("training", [False, True])
def test_pool_branch_projects_before_pooling_with_the_same_result(monkeypatch, branches, channels, normalize, training):
    import numpy as np
    import tensorflow as tf

    from kclassics.layers import inception

    module = InceptionModule(branches, family="inception_v3", normalize=normalize)
    x = tf.constant(np.random.default_rng(0).normal(size=(2, 9, 9, channels)).astype("float32"))
    module(x)
    for weight in module.weights:  # a bias and beta away from zero, so their passage through the pool is checked
        weight.assign(weight + 0.1)
    assert any(inception._projection_commutes(*b[:2], channels) for b in module.branch_layers if len(b) > 1)

    def output_and_gradients():
        with tf.GradientTape() as tape:
            y = module(x, training=training)
            loss = tf.reduce_sum(y * tf.sin(y))
        return [y, *tape.gradient(loss, module.trainable_weights)]

    projected_first = output_and_gradients()
    monkeypatch.setattr(inception, "_projection_commutes", lambda *args: False)
    pooled_first = output_and_gradients()
    for fast, plain in zip(projected_first, pooled_first):
        np.testing.assert_allclose(fast, plain, rtol=1e-5, atol=1e-5 * float(np.max(np.abs(plain))))


def test_max_pool_and_widening_projections_keep_their_order():
    from kclassics.layers import inception

    module = InceptionModule(
        [[["max", 3, 1, "same"], ["conv", 4, [1, 1], 1, "same"]], [["avg", 3, 1, "same"], ["conv", 16, [1, 1], 1, "same"]]]
    )
    module(keras.Input((5, 5, 8)))
    assert not any(inception._projection_commutes(*branch, 8) for branch in module.branch_layers)

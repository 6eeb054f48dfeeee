"""The Tensorflow_CNN blog's CIFAR-10 networks: parameter counts from the post's code, its printed shapes, its tricks."""

import keras
import numpy as np
import pytest

from kclassics import apps
from kclassics.apps import cifar_blog

NAMES = cifar_blog.NETWORKS


def conv(k, cin, cout):
    """The post's `conv` / a slim.conv2d without normalizer: k x k x cin x cout weights and a bias each."""
    return k * k * cin * cout + cout


def conv_bn(k, cin, cout):
    """slim.conv2d with normalizer_fn=slim.batch_norm: no bias; BN's beta, moving mean and moving variance
    (no gamma: slim's scale=False). Keras counts the moving statistics, as TF1 holds them as variables."""
    return k * k * cin * cout + 3 * cout


def fc(cin, cout):
    return cin * cout + cout


def inception(cin, d0_1, d1_1, d1_3, d2_1, d2_5, d3_1):
    """The post's inception (L479-498): its 5x5 conv outputs d2_1 channels (L495); returns (params, output depth)."""
    params = (conv_bn(1, cin, d0_1) + conv_bn(1, cin, d1_1) + conv_bn(3, d1_1, d1_3) + conv_bn(1, cin, d2_1)
              + conv_bn(5, d2_1, d2_1) + conv_bn(1, cin, d3_1))
    return params, d0_1 + d1_3 + d2_1 + d3_1


def googlenet_by_hand():
    total = conv_bn(5, 3, 64) + conv_bn(1, 64, 64) + conv_bn(3, 64, 192)  # block1, block2 (L508-513)
    depth = 192
    for widths in [(64, 96, 128, 16, 32, 32), (128, 128, 192, 32, 96, 64),  # block3 (L518-519)
                   (192, 96, 208, 16, 48, 64), (160, 112, 224, 24, 64, 64), (128, 128, 256, 24, 64, 64),
                   (112, 144, 288, 24, 64, 64), (256, 160, 320, 32, 128, 128),  # block4 (L524-531)
                   (256, 160, 320, 32, 128, 128), (384, 182, 384, 48, 128, 128)]:  # block5 (L536-537)
        params, depth = inception(depth, *widths)
        total += params
    return total + fc(depth, 10)  # 1x1x944 after the 2x2 average pool


def residual_block(cin, bottleneck, out):
    """L647-661: 1x1, 3x3, 1x1 with BN; a 1x1 BN shortcut when the depth changes, else a parameter-free subsample."""
    shortcut = conv_bn(1, cin, out) if cin != out else 0
    return shortcut + conv_bn(1, cin, bottleneck) + conv_bn(3, bottleneck, bottleneck) + conv_bn(1, bottleneck, out)


def densenet_by_hand(batch_norm=True):
    bn = 3 if batch_norm else 0  # slim.batch_norm per channel: beta, moving mean, moving variance
    total = conv(7, 3, 64) + bn * 64  # block1: conv 7x7 with bias (normalizer_fn=None), then BN
    depth = 64
    for index, layers in enumerate((6, 12, 24, 16)):
        for _ in range(layers):  # bn_relu_conv: BN, 3x3 conv to k=32 without bias (L726-738)
            total += bn * depth + 9 * depth * 32
            depth += 32
        if index < 3:  # transition: BN, 1x1 conv to half the depth without bias (L757-766)
            total += bn * depth + depth * (depth // 2)
            depth //= 2
    return total + bn * depth + fc(depth, 10)  # block6's BN, the logits on 1,024 features


BY_HAND = {
    # conv1 5x5x3x64, conv2 5x5x64x64, fc3 6*6*64 -> 384, fc4 384 -> 192, fc5 192 -> 10 (L162-172)
    "alexnet_cifar": conv(5, 3, 64) + conv(5, 64, 64) + fc(6 * 6 * 64, 384) + fc(384, 192) + fc(192, 10),
    # vgg_blocks (1, 1, 2, 2, 2) x (64, 128, 256, 512, 512) of 3x3 convs, 1x1x512 -> fc1 100 -> 10 (L356, L415-416)
    "vgg_cifar": (conv(3, 3, 64) + conv(3, 64, 128) + conv(3, 128, 256) + conv(3, 256, 256) + conv(3, 256, 512)
                  + 3 * conv(3, 512, 512) + fc(512, 100) + fc(100, 10)),
    "googlenet_cifar": googlenet_by_hand(),
    # block1 conv 5x5/2 32; residual blocks 32->128 (x2), 64->256 (x2), 128->512 (x2); logits on 512 (L611-637)
    "resnet_cifar": (conv_bn(5, 3, 32) + residual_block(32, 32, 128) + residual_block(128, 32, 128)
                     + residual_block(128, 64, 256) + residual_block(256, 64, 256)
                     + residual_block(256, 128, 512) + residual_block(512, 128, 512) + fc(512, 10)),
    "densenet_cifar": densenet_by_hand(),
    # conv1 3x3x3x6 + BN, conv2 5x5x6x16 + BN, 32 -> 16 -> 8: 8*8*16 features -> 10 (L1008-1019)
    "conv_bn_net": conv_bn(3, 3, 6) + conv_bn(5, 6, 16) + fc(8 * 8 * 16, 10),
}


@pytest.fixture(scope="module")
def models():
    keras.utils.set_random_seed(0)
    return {name: apps.create_model(name) for name in NAMES}


def test_every_network_is_registered_in_its_family():
    assert NAMES == ("alexnet_cifar", "vgg_cifar", "googlenet_cifar", "resnet_cifar", "densenet_cifar", "conv_bn_net")
    assert apps.list_models("*_cifar") == ["alexnet_cifar", "densenet_cifar", "googlenet_cifar", "resnet_cifar", "vgg_cifar"]
    for name in NAMES:
        card = apps.model_info(name)
        assert (card.family, card.input_shape) == ("cifar_blog", (32, 32, 3))
        assert card.book_section.startswith("Tensorflow_CNN blog (L")


@pytest.mark.parametrize("name", NAMES)
def test_parameter_count_is_the_posts_code_counted_by_hand(models, name):
    assert models[name].count_params() == BY_HAND[name] == apps.model_info(name).params


def test_hand_counts():
    # the figures the cards and docs quote
    assert BY_HAND == {"alexnet_cifar": 1_068_298, "vgg_cifar": 9_272_790, "googlenet_cifar": 5_321_820,
                       "resnet_cifar": 873_418, "densenet_cifar": 9_888_810, "conv_bn_net": 12_878}


def shapes(model, names):
    points = apps.end_points(model)
    return {name: tuple(points[name].shape[1:]) for name in names}


def test_googlenet_stages_print_the_posts_shapes(models):
    # `print('block1 output: {}'.format(net.shape))` ... (L510-545) for a batch of 32x32 images
    model = models["googlenet_cifar"]
    assert shapes(model, ["block1", "block2", "block3", "block4", "block5"]) == {
        "block1": (16, 16, 64), "block2": (8, 8, 192), "block3": (4, 4, 416), "block4": (2, 2, 736), "block5": (1, 1, 944)}
    assert model.output_shape == (None, 10)  # classification output


def test_resnet_and_densenet_stages(models):
    # resnet: print('block2: {}'...) ... 'classification: {}' (L618-640); block1 is the course's stem
    assert shapes(models["resnet_cifar"], ["block1", "block2", "block3", "block4"]) == {
        "block1": (16, 16, 32), "block2": (8, 8, 128), "block3": (4, 4, 256), "block4": (2, 2, 512)}
    assert shapes(models["densenet_cifar"], ["block1", "block2", "block3", "block4", "block5", "block6"]) == {
        "block1": (8, 8, 64), "block2": (4, 4, 128), "block3": (2, 2, 256), "block4": (1, 1, 512), "block5": (1, 1, 1024),
        "block6": (1024,)}
    assert models["resnet_cifar"].output_shape == models["densenet_cifar"].output_shape == (None, 10)


def test_alexnet_vgg_and_conv_bn_net_maps(models):
    assert shapes(models["alexnet_cifar"], ["pool2", "flatten"]) == {"pool2": (6, 6, 64), "flatten": (6 * 6 * 64,)}
    assert [shapes(models["vgg_cifar"], [f"block{i}_pool"])[f"block{i}_pool"] for i in range(5)] == [
        (16, 16, 64), (8, 8, 128), (4, 4, 256), (2, 2, 512), (1, 1, 512)]
    assert shapes(models["conv_bn_net"], ["max_pool1", "max_pool2"]) == {"max_pool1": (16, 16, 6), "max_pool2": (8, 8, 16)}


def test_layers_are_the_posts(models):
    # AlexNet and VGG: the post's conv/fc helpers (truncated normal 5e-2, bias 0.1); the slim nets: BN without gamma
    conv1 = models["alexnet_cifar"].get_layer("conv1")
    np.testing.assert_allclose(conv1.bias.numpy(), 0.1)
    assert np.abs(conv1.kernel.numpy()).max() <= 2 * 5e-2 and 0.04 < conv1.kernel.numpy().std() < 0.05
    slim_conv = models["resnet_cifar"].get_layer("block3_residual_block1_conv2")
    assert slim_conv.conv.use_bias is False and slim_conv.bn.scale is False
    assert (slim_conv.bn.momentum, slim_conv.bn.epsilon, slim_conv.conv.strides) == (0.999, 1e-3, (2, 2))
    assert models["resnet_cifar"].get_layer("block3_residual_block1_shortcut").activation is None
    assert not any(isinstance(layer, keras.layers.Dropout) for model in models.values() for layer in model.layers)


def test_tricks_dropout_weight_decay_and_batch_norm():
    model = apps.alexnet_cifar(dropout_rate=0.5, weight_decay=1e-4, batch_norm=True, classifier_activation=None)
    names = [layer.name for layer in model.layers]
    assert names.index("fc3_dropout") == names.index("fc3") + 1 and names.index("fc4_dropout") == names.index("fc4") + 1
    assert model.get_layer("conv1").bn is not None and model.get_layer("conv1").conv.use_bias is False
    model(np.zeros((1, 32, 32, 3), "float32"))
    kernels = [model.get_layer(n).conv.kernel for n in ("conv1", "conv2")] + [model.get_layer(n).kernel for n in ("fc3", "fc4", "predictions")]
    expected = sum(1e-4 * np.sum(k.numpy() ** 2) / 2 for k in kernels)  # slim.l2_regularizer(1e-4) on every kernel
    assert float(sum(keras.ops.convert_to_numpy(loss) for loss in model.losses)) == pytest.approx(expected, rel=1e-4)
    # batch_norm=False: conv_bn_net's comparison network, biased convolutions without batch norm
    plain = apps.conv_bn_net(batch_norm=False, dropout_rate=0.3)
    assert plain.count_params() == conv(3, 3, 6) + conv(5, 6, 16) + fc(8 * 8 * 16, 10)
    assert plain.get_layer("dropout").rate == 0.3
    assert apps.densenet_cifar(batch_norm=False, input_shape=(29, 29, 3)).count_params() == densenet_by_hand(batch_norm=False)


def test_input_sizes_and_bad_arguments():
    assert apps.resnet_cifar(input_shape=(96, 96, 3)).count_params() == BY_HAND["resnet_cifar"]  # the augmented crops
    with pytest.raises(ValueError, match=r"6\*6\*64.*Received: input_shape=\(96, 96, 3\)"):
        apps.alexnet_cifar(input_shape=(96, 96, 3))
    with pytest.raises(ValueError, match=r"side 29 or more. Received: input_shape=\(28, 28, 3\)"):
        apps.densenet_cifar(input_shape=(28, 28, 3))
    with pytest.raises(ValueError, match="dropout_rate=1.0"):
        apps.vgg_cifar(dropout_rate=1.0)
    with pytest.raises(ValueError, match="weight_decay=-0.1"):
        apps.googlenet_cifar(weight_decay=-0.1)
    with pytest.raises(ValueError, match="batch_norm=1"):
        apps.conv_bn_net(batch_norm=1)
    assert cifar_blog.MIN_INPUT_SIDES["densenet_cifar"] == apps.model_info("densenet_cifar").min_input_side == 29


def test_keras_file_round_trip(models, tmp_path):
    model = models["resnet_cifar"]
    model.save(tmp_path / "resnet_cifar.keras")
    loaded = keras.saving.load_model(tmp_path / "resnet_cifar.keras")
    images = np.random.default_rng(0).normal(size=(2, 32, 32, 3)).astype("float32")
    np.testing.assert_allclose(loaded(images, training=False), model(images, training=False), rtol=1e-5, atol=1e-6)


def test_the_program_names_the_family():
    from kclassics import apps
    from kclassics.programs.cifar10_blog import NETWORKS

    assert set(NETWORKS) == {name for name in apps.list_models() if apps.model_info(name).family == "cifar_blog"}

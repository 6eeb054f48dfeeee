import pytest

import kclassics.apps as apps
from kclassics import profiler

ZOO = [name for name in apps.list_models() if apps.model_info(name).multiply_adds is not None]


def count_multiply_adds(name):
    """Multiply-adds of the convolutions and FC layers for one image, as the papers count."""
    return profiler.papers_multiply_adds(profiler.profile(apps.create_model(name)))


def test_alexnet_multiply_adds_by_hand():
    # conv1 56*56*64*(11*11*3) + conv2 27*27*192*(5*5*64) + conv3-5 13*13*(384*3*3*192 + 256*3*3*384 + 256*3*3*256)
    # + fc6 9216*4096 + fc7 4096*4096 + fc8 4096*1000
    expected = (
        56 * 56 * 64 * 363 + 27 * 27 * 192 * 1600 + 169 * 9 * (384 * 192 + 256 * 384 + 256 * 256)
        + 9216 * 4096 + 4096 * 4096 + 4096 * 1000
    )
    assert count_multiply_adds("alexnet") == expected == apps.model_info("alexnet").multiply_adds


@pytest.mark.slow
@pytest.mark.parametrize("name", ZOO)
def test_cards_hold_the_counted_multiply_adds(name):
    assert count_multiply_adds(name) == apps.model_info(name).multiply_adds


def test_published_figures():
    # Published (docs/sources.md): ResNet 18/34/50/101/152 = 1.8/3.6/3.8/7.6/11.3 G (book L3375), VGG16 15.5 G, Inception V3 5.7 G.
    giga = {name: apps.model_info(name).multiply_adds / 1e9 for name in ZOO}
    assert giga["vgg16"] == pytest.approx(15.5, abs=0.05)
    assert giga["inception_v3"] == pytest.approx(5.7, abs=0.05)
    for name, published in (("resnet_v1_18", 1.8), ("resnet_v1_34", 3.6), ("resnet_v1_50", 3.8), ("resnet_v1_101", 7.6), ("resnet_v1_152", 11.3)):
        assert giga[name] == pytest.approx(published, rel=0.04)

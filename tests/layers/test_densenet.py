import pytest

import keras
from kclassics.layers import DenseBlock, DenseLayer, Transition


def test_dense_layer_adds_growth_rate_channels():
    assert DenseLayer(32)(keras.Input((8, 8, 64))).shape == (None, 8, 8, 96)


@pytest.mark.parametrize("num_layers, channels_in, channels_out", [(6, 64, 256), (12, 128, 512), (24, 256, 1024)])
def test_dense_block_channels(num_layers, channels_in, channels_out):
    block = DenseBlock(num_layers, 32, name="conv2")
    assert block(keras.Input((4, 4, channels_in))).shape == (None, 4, 4, channels_out)
    kernel_paths = [w.path for w in block.weights if w.name == "kernel"]
    assert kernel_paths[0] == "conv2/block1/1_conv/kernel" and len(kernel_paths) == 2 * num_layers


def test_transition_compresses_and_halves():
    assert Transition(128)(keras.Input((8, 8, 256))).shape == (None, 4, 4, 128)


def test_config_round_trip_and_errors():
    block = DenseBlock(3, 12)
    assert DenseBlock.from_config(block.get_config()).get_config() == block.get_config()
    with pytest.raises(ValueError, match="num_layers"):
        DenseBlock(0)


def test_keras_file_round_trip(tmp_path):
    import numpy as np

    inputs = keras.Input((8, 8, 16))
    x = Transition(8, name="pool2")(DenseBlock(2, 4, name="conv2")(inputs))
    model = keras.Model(inputs, x)
    model.save(tmp_path / "dense.keras")
    loaded = keras.saving.load_model(tmp_path / "dense.keras", safe_mode=True)
    sample = np.random.rand(1, 8, 8, 16).astype("float32")
    np.testing.assert_allclose(loaded(sample), model(sample), atol=1e-6)

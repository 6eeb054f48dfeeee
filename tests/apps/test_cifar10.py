"""The book's CIFAR-10 CNN: exact structure, LRN settings, L2 on the hidden FC layers only, parameter count."""

import keras
import numpy as np
import pytest

from kclassics import apps
from kclassics.layers import LocalResponseNormalization


def test_structure_and_parameter_count():
    model = apps.cifar10_cnn()
    assert model.count_params() == apps.model_info("cifar10_cnn").params == 1_068_298
    names = [layer.name for layer in model.layers[1:]]
    assert names == ["conv1", "pool1", "norm1", "conv2", "norm2", "pool2", "flatten", "local3", "local4", "predictions"]
    for name in ("norm1", "norm2"):
        lrn = model.get_layer(name)
        assert isinstance(lrn, LocalResponseNormalization)
        assert (lrn.depth_radius, lrn.bias, lrn.alpha, lrn.beta) == (4, 1.0, pytest.approx(0.001 / 9), 0.75)
    assert model.get_layer("flatten").output.shape == (None, 6 * 6 * 64)
    assert model.get_layer("conv2").bias.numpy() == pytest.approx(np.full(64, 0.1))


def test_weight_decay_only_on_local3_and_local4_with_the_l2_loss_factor():
    model = apps.cifar10_cnn(classifier_activation=None)
    regularized = [layer.name for layer in model.layers if getattr(layer, "kernel_regularizer", None) is not None]
    assert regularized == ["local3", "local4"]
    model(np.zeros((1, 24, 24, 3), np.float32))
    # the book's loss adds wl * tf.nn.l2_loss(w) = 0.004 * sum(w ** 2) / 2 per layer
    expected = sum(0.004 * np.sum(model.get_layer(n).kernel.numpy() ** 2) / 2 for n in regularized)
    assert float(sum(keras.ops.convert_to_numpy(loss) for loss in model.losses)) == pytest.approx(expected, rel=1e-4)
    # which is about 2.3 at initialisation: with the cross entropy of 10 classes, the book's first loss of ~4.6
    assert 2.0 < expected < 2.6


def test_bad_arguments():
    with pytest.raises(ValueError, match="weight_decay=-1"):
        apps.cifar10_cnn(weight_decay=-1)
    with pytest.raises(ValueError, match=r"Received: input_shape=\(24, 24\)"):
        apps.cifar10_cnn(input_shape=(24, 24))

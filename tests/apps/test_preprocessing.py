import numpy as np
import pytest

import keras
import kclassics.apps as apps


@pytest.mark.parametrize("name, keras_module", [("resnet_v2_50", "resnet_v2"), ("inception_v3", "inception_v3"), ("resnet_v1_50", "resnet"), ("vgg16", "vgg16"), ("densenet121", "densenet")])
def test_family_preprocessing_is_keras_applications(name, keras_module):
    preprocess_input, decode_predictions = apps.preprocessing(name)
    images = np.random.default_rng(0).uniform(0, 255, size=(2, 8, 8, 3)).astype("float32")
    expected = getattr(keras.applications, keras_module).preprocess_input(images.copy())
    np.testing.assert_allclose(preprocess_input(images.copy()), expected)
    assert callable(decode_predictions)


def test_tf_mode_scales_to_minus_one_one():
    preprocess_input, _ = apps.preprocessing("googlenet")
    np.testing.assert_allclose(preprocess_input(np.array([[0.0, 127.5, 255.0]], "float32")), [[-1.0, 0.0, 1.0]])


def test_unknown_model():
    with pytest.raises(ValueError, match="resnet_v2_51"):
        apps.preprocessing("resnet_v2_51")

import numpy as np
import pytest

from kclassics import apps

BOOK_PARAMS = {"softmax_regression": 7_850, "mlp": 238_510, "mnist_cnn": 3_274_634}  # the book, chapters 3-5


@pytest.mark.parametrize("name,params", sorted(BOOK_PARAMS.items()))
def test_book_parameter_counts(name, params):
    assert apps.create_model(name).count_params() == params


def test_book_initialisers():
    softmax = apps.softmax_regression()
    assert all(not np.any(w) for w in softmax.get_weights())  # W and b zero, L1130
    mlp = apps.mlp()
    w1, b1, w2, b2 = mlp.get_weights()
    assert 0.05 < w1.std() < 0.1 and np.abs(w1).max() <= 0.2  # truncated normal, stddev 0.1, cut at 2 sigma
    assert not b1.any() and not w2.any() and not b2.any()
    cnn = apps.mnist_cnn()
    biases = [w for w in cnn.get_weights() if w.ndim == 1]
    assert all(np.allclose(b, 0.1) for b in biases)  # bias_variable: constant 0.1, L1662


def test_cnn_shapes_follow_the_book():
    model = apps.mnist_cnn()
    assert model.get_layer("pool2").output.shape[1:] == (7, 7, 64)
    assert model.get_layer("fc1").output.shape[1:] == (1024,)
    assert model.get_layer("dropout").rate == 0.5


def test_softmax_output_sums_to_one_and_logits_option():
    x = np.random.default_rng(0).random((2, 28, 28, 1), dtype=np.float32)
    probs = apps.mnist_cnn()(x).numpy()
    np.testing.assert_allclose(probs.sum(-1), 1.0, rtol=1e-5)
    logits = apps.mnist_cnn(classifier_activation=None)(x).numpy()
    assert not np.allclose(logits.sum(-1), 1.0)


def test_flat_input_for_dense_models():
    model = apps.mlp(input_shape=(784,))
    assert model.output.shape[1:] == (10,)
    assert model.count_params() == BOOK_PARAMS["mlp"]


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"classes": 0}, "classes"),
        ({"classes": "ten"}, "classes"),
        ({"input_shape": (28, 28)}, "input_shape"),
        ({"input_shape": (28, -1, 1)}, "input_shape"),
        ({"weights": "imagenet"}, "weights"),
        ({"classifier_activation": "nope"}, "nope"),
    ],
)
def test_bad_arguments_raise_clear_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        apps.mnist_cnn(**kwargs)


def test_weights_from_a_file(tmp_path):
    model = apps.mlp()
    path = tmp_path / "mlp.weights.h5"
    model.save_weights(path)
    again = apps.mlp(weights=str(path))
    for a, b in zip(model.get_weights(), again.get_weights()):
        np.testing.assert_array_equal(a, b)

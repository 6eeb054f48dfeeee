"""Every zoo model from the registry: parameter counts, argument checks, small inputs, round trips."""

import json

import numpy as np
import pytest

import keras
import kclassics.apps as apps
from kclassics.export import export_saved_model
from kclassics.layers import without_xla
from tests.apps.conftest import by_build_cost

ZOO = [name for name in apps.list_models() if apps.model_info(name).multiply_adds is not None]


def _small_shape(name):
    side = apps.model_info(name).min_input_side
    return (side, side, 3)


def test_zoo_is_complete():
    expected = {
        "alexnet", "alexnet_paper", "vgg11", "vgg11_lrn", "vgg13", "vgg16", "vgg19", "googlenet", "bn_inception",
        "inception_v3", "resnet_v1_18", "resnet_v1_34", "resnet_v1_50", "resnet_v1_101", "resnet_v1_152",
        "resnet_v2_50", "resnet_v2_101", "resnet_v2_152", "resnet_v2_200", "densenet121", "densenet169", "densenet201",
    }
    assert expected <= set(ZOO)


# Full-size parameter counts against the cards: tests/apps/test_registry.py, over every registered model.


@pytest.mark.parametrize("name", by_build_cost(ZOO))
def test_small_input_headless_and_pooling(name):
    shape = _small_shape(name)
    model = apps.create_model(name, include_top=False, pooling="avg", input_shape=shape)
    features = model(np.zeros((1, *shape), "float32"))
    assert features.shape[0] == 1 and len(features.shape) == 2


@pytest.mark.parametrize("name", ["resnet_v2_50", "inception_v3", "vgg16", "densenet121", "alexnet"])
def test_keras_applications_argument_errors(name):
    builder = apps.model_info(name).builder
    with pytest.raises(ValueError, match="pooling"):
        builder(include_top=False, pooling="mean")
    with pytest.raises(ValueError, match="classes"):
        builder(classes=0)
    with pytest.raises(ValueError, match="weights"):
        builder(weights="no/such/file.h5")
    with pytest.raises(ValueError, match="input_shape"):
        builder(input_shape=(8, 8, 3), include_top=False)
    if apps.model_info(name).keras_twin:
        with pytest.raises(ValueError, match="classes"):
            builder(weights="imagenet", classes=10)
    else:
        with pytest.raises(ValueError, match="no published ImageNet weights"):
            builder(weights="imagenet")


def test_imagenet_refuses_the_book_configuration():
    with pytest.raises(ValueError, match="keras_compatible"):
        apps.resnet_v2_50(weights="imagenet", keras_compatible=False)


def test_input_tensor_and_name():
    images = keras.Input((64, 64, 3))
    model = apps.resnet_v1_18(input_tensor=images, classes=7, name="tiny")
    assert model.name == "tiny" and model.output_shape == (None, 7)


@pytest.mark.parametrize("name", ["googlenet", "bn_inception", "inception_v3"])
def test_auxiliary_heads(name):
    shape = (96, 96, 3) if name == "inception_v3" else (64, 64, 3)
    model = apps.create_model(name, aux_logits=True, classes=5, input_shape=shape)
    outputs = model(np.zeros((2, *shape), "float32"))
    assert [tuple(o.shape) for o in outputs] == [(2, 5)] * len(model.outputs) and len(model.outputs) >= 2


def test_alexnet_lrn_option():
    with_lrn = apps.alexnet(include_top=False)
    without = apps.alexnet(include_top=False, lrn=False)
    assert {"lrn1", "lrn2"} <= {layer.name for layer in with_lrn.layers}
    assert not {"lrn1", "lrn2"} & {layer.name for layer in without.layers}
    assert with_lrn.output_shape == without.output_shape == (None, 6, 6, 256)  # the book's pool5 (L2240)


def test_resnet_v2_book_and_keras_root_pooling_differ():
    book = apps.resnet_v2_50(include_top=False, input_shape=(64, 64, 3))
    compatible = apps.resnet_v2_50(include_top=False, input_shape=(64, 64, 3), keras_compatible=True)
    assert "pool1" in {l.name for l in book.layers} and "pool1_pad" in {l.name for l in compatible.layers}
    compatible.set_weights(book.get_weights())
    x = np.random.default_rng(0).normal(size=(1, 64, 64, 3)).astype("float32")
    assert not np.allclose(book(x), compatible(x), atol=1e-4)


def _model_and_input(name):
    shape = _small_shape(name)
    model = apps.create_model(name, input_shape=shape, classes=3)
    x = np.random.default_rng(0).uniform(-1, 1, size=(2, *shape)).astype("float32")
    return model, x, np.asarray(model(x, training=False))


KERAS_ROUND_TRIPS = {"resnet_v1_18", "googlenet", "alexnet", "vgg11_lrn"}  # one per layer kind; the rest with -m slow


@pytest.mark.parametrize("name", [n if n in KERAS_ROUND_TRIPS else pytest.param(n, marks=pytest.mark.slow) for n in ZOO])
def test_keras_file_round_trip(name, tmp_path):
    model, x, expected = _model_and_input(name)
    model.save(tmp_path / "model.keras")
    loaded = keras.saving.load_model(tmp_path / "model.keras", safe_mode=True)
    assert type(loaded) is type(model)
    np.testing.assert_allclose(loaded(x, training=False), expected, atol=1e-5)


@pytest.mark.parametrize("name", [n if n == "alexnet" else pytest.param(n, marks=pytest.mark.slow) for n in ZOO])
def test_saved_model_reloads_in_a_fresh_process(name, tmp_path, run_python):
    model, x, _ = _model_and_input(name)
    with without_xla():  # the function the export serves: direct convolutions where the model may use Winograd's
        expected = np.asarray(model(x, training=False))
    export = export_saved_model(model, tmp_path / "export")
    np.save(tmp_path / "x.npy", x)
    code = (
        "import json, numpy as np, tensorflow as tf\n"
        f"serve = tf.saved_model.load({str(export)!r}).signatures['serving_default']\n"
        f"out = serve(images=tf.constant(np.load({str(tmp_path / 'x.npy')!r})))['probabilities'].numpy()\n"
        "print(json.dumps(out.tolist()))\n"
    )
    result = run_python(code)
    assert result.returncode == 0, result.stderr[-2000:]
    np.testing.assert_allclose(np.array(json.loads(result.stdout.strip().splitlines()[-1])), expected, atol=1e-5)


def test_bn_inception_modules_follow_the_table_exactly():
    """Each module's parameters and depth equal what its row of the BN-Inception notes' table implies (docs/models.md).

    A convolution has k*k*in*out weights and, with batch norm after it, 2*out trainable
    gamma/beta; the pass-through modules (3c, 4e) concatenate their input unchanged.
    """
    from kclassics.apps.bn_inception import MODULES

    def conv(k, cin, cout):
        return k * k * cin * cout + 2 * cout

    model = apps.bn_inception()
    depth = 192
    for name, (c1, r3, c3, rd, cd, _pool, proj, _stride) in MODULES:
        expected = conv(1, depth, c1) if c1 else 0
        expected += conv(1, depth, r3) + conv(3, r3, c3) + conv(1, depth, rd) + conv(3, rd, cd) + conv(3, cd, cd)
        expected += conv(1, depth, proj) if proj else 0
        layer = model.get_layer(name)
        trainable = sum(int(np.prod(w.shape)) for w in layer.trainable_weights)
        assert trainable == expected, name
        depth = c1 + c3 + cd + (proj or depth)
        assert layer.output.shape[-1] == depth, name
    # The paper's Figure 5 prints 576 for 4c and 1024 for 4e; its own columns sum to 608 and 1056.
    assert [model.get_layer(n).output.shape[-1] for n in ("Mixed_4c", "Mixed_4e")] == [608, 1056]
    body = sum(int(np.prod(w.shape)) for w in model.trainable_weights) - (1024 * 1000 + 1000)
    assert body == 10_260_224

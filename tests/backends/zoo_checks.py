"""The zoo on the Keras backend of this process: build, forward, one training step, `.keras` round trip.

Not collected by the default run (the file name has no `test_` prefix): Keras
fixes its backend when it is first imported, so `test_backends.py` runs this
file in a child pytest process with `KERAS_BACKEND` set (`jax`, `torch`).
"""

import os

import numpy as np
import pytest

import keras
import kclassics.apps as apps
from kclassics import benchmark

BACKEND = keras.backend.backend()
ZOO = apps.list_models()
# One of each family and each kind of program, cheap enough for the default run; the rest with -m slow.
# (every layer kind of the zoo is also checked on JAX, layer by layer, by cross_backend.py).
DEFAULT_FORWARD = {"mnist_cnn", "cifar10_cnn", "birnn_mnist", "denoising_autoencoder", "alexnet", "resnet_v1_18"}
DEFAULT_TRAINED = {"cifar10_cnn", "birnn_mnist", "resnet_v1_18"}
SMALL_SIDE = {"inception_v3": 75, "alexnet": 64, "alexnet_paper": 64}


def test_runs_on_the_backend_it_was_started_for():
    assert BACKEND == os.environ["KERAS_BACKEND"]


def _small_model(name):
    """The model at a small input (32x32 for the ImageNet networks) and a batch of two for it."""
    card = apps.model_info(name)
    kwargs, shape = {}, tuple(card.input_shape)
    if len(shape) == 3 and shape[0] >= 64:
        side = SMALL_SIDE.get(name, 32)
        shape = (side, side, 3)
        kwargs = dict(input_shape=shape, classes=10)
    keras.utils.set_random_seed(0)
    model = apps.create_model(name, **kwargs)
    x = np.random.default_rng(0).uniform(size=(2, *shape)).astype("float32")
    return model, x


def _params(names, default):
    return [n if n in default else pytest.param(n, marks=pytest.mark.slow) for n in names]


@pytest.mark.parametrize("name", _params(ZOO, DEFAULT_FORWARD))
def test_builds_and_runs_forward(name):
    model, x = _small_model(name)
    outputs = keras.tree.flatten(model.predict_on_batch(x))
    assert all(np.all(np.isfinite(y)) and y.shape[0] == 2 for y in outputs)


@pytest.mark.parametrize("name", _params(ZOO, DEFAULT_TRAINED))
def test_one_training_step_then_keras_round_trip(name, tmp_path):
    model, x = _small_model(name)
    before = [keras.ops.convert_to_numpy(w).copy() for w in model.trainable_weights]
    step, _ = benchmark.make_step(model, "train", batch_size=2, input_shape=x.shape[1:])
    loss = step()
    assert np.all(np.isfinite(keras.tree.flatten(loss))) and int(model.optimizer.iterations) == 1
    # A softmax saturated at initialization on random images (every example's loss clipped at
    # -log(epsilon)) has no gradient; any other step moves the weights.
    if np.max(keras.tree.flatten(loss)) < -np.log(keras.config.epsilon()) - 1e-3:
        assert any(not np.array_equal(keras.ops.convert_to_numpy(w), b) for w, b in zip(model.trainable_weights, before))
    path = tmp_path / f"{name}.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    assert type(loaded) is type(model)
    for ours, theirs in zip(keras.tree.flatten(model.predict_on_batch(x)), keras.tree.flatten(loaded.predict_on_batch(x))):
        np.testing.assert_allclose(theirs, ours, rtol=1e-5, atol=1e-6)


def test_fit_is_keras_fit_on_this_backend():
    model, x = _small_model("mnist_cnn")
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    history = model.fit(np.repeat(x, 4, axis=0), np.arange(8) % 10, batch_size=4, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert model.evaluate(x, np.arange(2), verbose=0) > 0 and model.predict(x, verbose=0).shape == (2, 10)


@pytest.mark.parametrize("mode", benchmark.MODES)
def test_each_benchmark_mode_runs_a_real_step(mode):
    model = apps.mnist_cnn(input_shape=(12, 12, 1))
    before = [keras.ops.convert_to_numpy(w).copy() for w in model.trainable_weights]
    step, _ = benchmark.make_step(model, mode, batch_size=4)
    step()
    changed = any(not np.array_equal(np.array(w), b) for w, b in zip(model.trainable_weights, before))
    assert changed == (mode == "train")


def test_train_step_memory_is_the_compiled_steps():
    model = apps.softmax_regression()
    small, _ = benchmark.make_step(model, "train", batch_size=2)
    memory = benchmark.train_step_memory(model, *small.args)
    if BACKEND != "jax":  # XLA's memory analysis of the step is JAX's
        assert memory is None
        return
    weights = sum(int(np.prod(w.shape)) * 4 for w in model.trainable_weights)
    assert memory["arguments"] >= weights and memory["aliased"] >= weights  # the donated weights are updated in place
    assert memory["total"] == memory["arguments"] + memory["outputs"] - memory["aliased"] + memory["temporaries"]
    large, _ = benchmark.make_step(model, "train", batch_size=64)
    assert benchmark.train_step_memory(model, *large.args)["temporaries"] > memory["temporaries"]


def test_benchmark_compares_with_keras_applications_in_mixed_bfloat16():
    result = benchmark.benchmark(
        "vgg16", mode="forward", batch_size=2, image_size=32, steps=2, warmup=1, compare="keras",
        mixed_precision="mixed_bfloat16", peak_size=64,
    )
    assert result.dtype_policy == "mixed_bfloat16" and result.machine["backend"] == BACKEND
    assert result.compare["twin"] == "VGG16" and len(result.compare["ratios"]) == 2
    assert result.multiply_adds > 0 and result.images_per_sec > 0


@pytest.mark.parametrize("feature", ["kclassics.programs", "kclassics.distribute", "kclassics.export"])
def test_tensorflow_features_say_they_need_tensorflow(feature):
    import importlib

    from kclassics._backend import BackendError

    with pytest.raises(BackendError, match=f"{feature} runs on the TensorFlow backend only.*Received: KERAS_BACKEND='{BACKEND}'"):
        importlib.import_module(feature)

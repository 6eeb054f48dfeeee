"""Weight transplant from keras.applications, and ImageNet weights loaded offline."""

import numpy as np
import pytest

import keras
import kclassics.apps as apps
from kclassics.apps import _keras_twins

TWINS = [name for name in apps.list_models() if apps.model_info(name).keras_twin]


def _lightest_twin_per_family():
    """The twin of each family with the fewest parameters, unless its build is heavy (DenseNet's)."""
    lightest = {}
    for name in TWINS:
        card = apps.model_info(name)
        if card.family not in lightest or card.params < apps.model_info(lightest[card.family]).params:
            lightest[card.family] = name
    return {name for name in lightest.values() if not apps.model_info(name).heavy}


FAST = _lightest_twin_per_family()


def _small_shape(name):
    side = apps.model_info(name).min_input_side
    return (side, side, 3)


def _assert_transplant_equivalent(name, shape, include_top=True):
    kwargs = dict(input_shape=shape, classifier_activation=None) if include_top else dict(input_shape=shape, include_top=False)
    twin = apps.keras_twin(name, **kwargs)
    model = apps.create_model(name, keras_compatible=True, **kwargs)
    apps.transplant_weights(twin, model)
    x = np.random.default_rng(0).uniform(-1, 1, size=(2, *shape)).astype("float32")
    assert float(np.max(np.abs(np.asarray(model(x, training=False)) - np.asarray(twin(x, training=False))))) <= 1e-4


def test_every_keras_twin_is_registered():
    assert {apps.model_info(n).keras_twin for n in TWINS} == set(_keras_twins.IMAGENET_WEIGHTS)


@pytest.mark.parametrize("name", [n if n in FAST else pytest.param(n, marks=pytest.mark.slow) for n in TWINS])
def test_transplant_equivalence_small_input(name):
    _assert_transplant_equivalent(name, _small_shape(name))


@pytest.mark.slow
@pytest.mark.parametrize("name", TWINS)
def test_transplant_equivalence_full_size(name):
    _assert_transplant_equivalent(name, apps.model_info(name).input_shape)


def test_transplant_mismatch_is_a_clear_error():
    twin = apps.keras_twin("resnet_v2_50", input_shape=(32, 32, 3), classes=10)
    model = apps.resnet_v2_50(input_shape=(32, 32, 3), keras_compatible=True)
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(ValueError, match="predictions"):
        apps.transplant_weights(twin, model)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))  # nothing copied
    with pytest.raises(ValueError, match="unmatched"):
        apps.transplant_weights(twin, apps.resnet_v1_18(input_shape=(32, 32, 3), classes=10))
    with pytest.raises(ValueError, match="no keras.applications twin"):
        apps.keras_twin("alexnet")


def test_a_book_variant_is_refused_as_a_transplant_target():
    """Its weights have the twin's shapes, but its function differs (SAME root pooling, BN epsilon 1e-5)."""
    twin = apps.keras_twin("resnet_v2_50", input_shape=(32, 32, 3))
    book = apps.resnet_v2_50(input_shape=(32, 32, 3))
    assert book.keras_compatible is False and apps.model_info("resnet_v2_50").keras_compatible == "option"
    with pytest.raises(ValueError, match="the target is the book's variant.*Build the target with keras_compatible=True"):
        apps.transplant_weights(twin, book)
    assert apps.model_info("densenet121").keras_compatible == "default"
    assert apps.model_info("alexnet").keras_compatible == "-"


@pytest.fixture
def offline_weights(tmp_path, monkeypatch):
    """Replaces the download with a weights file written from a keras.applications model."""
    calls = []

    def serve(twin, include_top, input_shape):
        source = apps.keras_twin(twin, include_top=include_top, input_shape=input_shape)
        path = tmp_path / f"{twin}.weights.h5"
        source.save_weights(path)

        def fake_get_file(fname, origin, cache_subdir=None, file_hash=None, **kwargs):
            calls.append((fname, origin, cache_subdir, file_hash))
            return str(path)

        monkeypatch.setattr(keras.utils, "get_file", fake_get_file)
        return source

    serve.calls = calls
    return serve


def test_imagenet_weights_offline(offline_weights):
    source = offline_weights("ResNet50V2", include_top=False, input_shape=(64, 64, 3))
    model = apps.resnet_v2_50(weights="imagenet", include_top=False, input_shape=(64, 64, 3))
    assert offline_weights.calls == [(
        "resnet50v2_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "https://storage.googleapis.com/tensorflow/keras-applications/resnet/resnet50v2_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "models",
        "fac2f116257151a9d068a22e544a4917",
    )]
    x = np.random.default_rng(1).uniform(-1, 1, size=(1, 64, 64, 3)).astype("float32")
    np.testing.assert_allclose(model(x, training=False), source(x, training=False), atol=1e-4)


def test_imagenet_fetch_failure_is_a_clear_error(monkeypatch):
    def failing_get_file(*args, **kwargs):
        raise Exception("URL fetch failure on https://storage.googleapis.com/...: None -- [Errno -3]")

    monkeypatch.setattr(keras.utils, "get_file", failing_get_file)
    with pytest.raises(RuntimeError, match=r"Could not fetch the ImageNet weights of DenseNet121.*~/.keras/models"):
        apps.densenet121(weights="imagenet", include_top=False, input_shape=(32, 32, 3))


def test_imagenet_files_match_keras_applications_sources():
    assert _keras_twins.imagenet_weights_file("InceptionV3") == (
        "inception_v3_weights_tf_dim_ordering_tf_kernels.h5",
        "https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels.h5",
        "9a0d58056eeedaa3f26cb7ebd46da564",
    )


def write_keras_applications_file(directory, name, include_top, input_shape):
    """Writes the keras.applications weights file of `name`'s twin, laid out as keras.applications' published
    `.h5` files (Keras 2's `save_weights`: `layer_names`, one group per layer) and named as they are.

    Returns:
        `(path, source)`: the file and the keras.applications model it was written from.
    """
    import h5py
    from keras.src.legacy.saving import legacy_h5_format

    twin = apps.model_info(name).keras_twin
    source = apps.keras_twin(twin, include_top=include_top, input_shape=input_shape)
    file_name = _keras_twins.imagenet_weights_file(twin, include_top)[0]
    path = directory / file_name
    with h5py.File(path, "w") as file:
        legacy_h5_format.save_weights_to_hdf5_group(file, source)
    return path, source


def _file_cases():
    """Without top: the lightest twin of each family; with top: ResNet50V2's; the rest with -m slow."""
    for include_top in (False, True):
        for name in TWINS:
            fast = name == "resnet_v2_50" if include_top else name in FAST
            marks = () if fast else (pytest.mark.slow,)
            yield pytest.param(name, include_top, marks=marks, id=f"{name}-{'top' if include_top else 'notop'}")


@pytest.mark.parametrize("name, include_top", list(_file_cases()))
def test_weights_from_a_keras_applications_file(name, include_top, tmp_path):
    shape = _small_shape(name)
    path, source = write_keras_applications_file(tmp_path, name, include_top, shape)
    # As `keras.applications.<twin>(weights=path)` would: the keras-compatible twin, by transplant.
    model = apps.create_model(name, weights=str(path), include_top=include_top, input_shape=shape)
    x = np.random.default_rng(2).uniform(-1, 1, size=(2, *shape)).astype("float32")
    np.testing.assert_allclose(model(x, training=False), source(x, training=False), atol=1e-4)


def test_keras_applications_file_under_home_and_its_errors(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / ".keras" / "models").mkdir(parents=True)
    path, source = write_keras_applications_file(tmp_path / ".keras" / "models", "resnet_v2_50", False, (32, 32, 3))
    model = apps.resnet_v2_50(
        weights="~/.keras/models/resnet50v2_weights_tf_dim_ordering_tf_kernels_notop.h5", include_top=False,
        input_shape=(32, 32, 3),
    )
    x = np.random.default_rng(3).uniform(-1, 1, size=(1, 32, 32, 3)).astype("float32")
    np.testing.assert_allclose(model(x, training=False), source(x, training=False), atol=1e-4)
    with pytest.raises(ValueError, match=r"(?s)include_top=False.*Received: weights='.*_notop\.h5', include_top=True"):
        apps.resnet_v2_50(weights=str(path), input_shape=(32, 32, 3))
    with pytest.raises(ValueError, match="keras_compatible=False"):
        apps.resnet_v2_50(weights=str(path), include_top=False, keras_compatible=False)
    with pytest.raises(ValueError, match="resnet_v2_200 has no keras.applications twin"):
        apps.resnet_v2_200(weights=str(path), include_top=False)
    with pytest.raises(ValueError, match="aux_logits"):
        apps.inception_v3(weights=str(path), aux_logits=True)

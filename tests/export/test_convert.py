"""ONNX and LiteRT exports run in ONNX Runtime and the LiteRT interpreter give the Keras model's answers, names kept.

Every registered model round-trips through both formats: the small ones at
their own input size here (and the layers a converter could trip on, one by
one, below: LRN's fused kernel, recurrent loops, clusters, lookups), every
ImageNet model at its smallest input and every model at full size with
`-m slow` (a conversion of an ImageNet network takes 25-40 s here). The classifiers
are built with `classifier_activation=None`, so the logits themselves are
compared (a saturated softmax would hide a difference).
"""

import os

import keras
import numpy as np
import pytest

from kclassics import apps
from kclassics.export import TOLERANCE, ExportMismatchError, UnsupportedError, export_model, load_exported

SMALL = ("softmax_regression", "tensorboard_mnist", "denoising_autoencoder", "cifar10_cnn", "conv_bn_net", "resnet_cifar")
FILE_FORMATS = {"onnx": ".onnx", "litert": ".tflite"}
OUTPUTS = {"image_classification": {"probabilities", "classes"}, "reconstruction": {"reconstruction", "hidden"}}


def relative_difference(actual, expected):
    return float(np.max(np.abs(actual.astype(np.float64) - expected)) / np.max(np.abs(expected)))


# The ImageNet-sized models, each also at its smallest input (at least 32x32).
SMALL_INPUT = [name for name in apps.list_models() if apps.model_info(name).input_shape[0] >= 224]
# VGG's full-size ONNX conversion holds about 13 GiB at its peak (tf2onnx's graph and its optimizers' copy of
# 531 MB of weights, docs/export.md): the five run one after another on one test worker (an xdist group), on a
# machine with room for one of them beside another worker's test.
MEMORY = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
HEAVY = [pytest.mark.xdist_group("vgg_full_size"),
         pytest.mark.skipif(MEMORY < 20 * 2**30, reason="VGG's full-size ONNX conversion needs a machine of 20 GiB")]


def _full_size(name):
    return pytest.param(name, marks=[pytest.mark.slow, *(HEAVY if name.startswith("vgg") and name != "vgg_cifar" else [])])


CASES = [*(n if n in SMALL else _full_size(n) for n in apps.list_models()),
         *(pytest.param((n, "smallest input"), marks=pytest.mark.slow, id=f"{n}-small") for n in SMALL_INPUT)]


@pytest.fixture(scope="module", params=CASES)
def zoo_export(request, tmp_path_factory):
    """A registered model (random weights, seed 0), at its own or its smallest input, exported to ONNX and LiteRT, and four inputs."""
    name, size = request.param if isinstance(request.param, tuple) else (request.param, "own input")
    card = apps.model_info(name)
    keras.utils.set_random_seed(0)
    kwargs = {"classifier_activation": None} if card.task == "image_classification" else {}
    if size == "smallest input":
        side = max(card.min_input_side, 32)
        kwargs["input_shape"] = (side, side, card.input_shape[2])
    model = apps.create_model(name, **kwargs)
    for weight in model.weights:  # the book's zero-initialised kernels (softmax regression, the autoencoder) drawn instead
        if "kernel" in weight.path and not np.any(keras.ops.convert_to_numpy(weight)):
            weight.assign(np.random.default_rng(2).normal(0, 0.05, weight.shape))
    shape = kwargs.get("input_shape", card.input_shape)
    x = np.random.default_rng(1).standard_normal((4, *shape)).astype("float32")
    out = tmp_path_factory.mktemp(name)
    results = {fmt: export_model(model, out / f"{name}{suffix}", format=fmt, task=card.task, check_inputs=x)
               for fmt, suffix in FILE_FORMATS.items()}
    return card, model, x, results


@pytest.mark.parametrize("fmt", FILE_FORMATS)
def test_round_trip_gives_the_keras_answers_with_the_signature_names(zoo_export, fmt):
    card, model, x, results = zoo_export
    exported = load_exported(results[fmt].path, threads=2)
    assert exported.inputs == ("images",) and set(exported.outputs) == OUTPUTS[card.task]
    outputs = exported(images=x)
    expected = model.predict(x, verbose=0)
    main = "probabilities" if card.task == "image_classification" else "reconstruction"
    assert relative_difference(outputs[main], expected) <= TOLERANCE, card.name
    if card.task == "image_classification":
        np.testing.assert_array_equal(outputs["classes"], expected.argmax(-1))
    assert results[fmt].difference.within(TOLERANCE) and results[fmt].difference.examples == 4


def test_a_loop_over_known_steps_is_unrolled_for_litert_and_stays_equal(tmp_path):
    keras.utils.set_random_seed(0)
    inputs = keras.Input((5, 3))
    model = keras.Model(inputs, keras.layers.Dense(2)(keras.layers.LSTM(4, name="rows")(inputs)), name="reader")
    x = np.random.default_rng(0).standard_normal((3, 5, 3)).astype("float32")
    result = export_model(model, tmp_path / "reader.tflite", format="litert", task="image_classification",
                          check_inputs=x)
    assert result.lowered == ("'rows' (LSTM) unrolled over 5 steps",)
    assert not model.get_layer("rows").unroll, "the model itself is left as it was"
    probabilities = load_exported(result.path)(images=x)["probabilities"]
    assert relative_difference(probabilities, model.predict(x, verbose=0)) <= TOLERANCE


@pytest.mark.parametrize("fmt", FILE_FORMATS)
def test_tensorflow_fused_lrn_kernel_converts(tmp_path, fmt):
    from kclassics.layers import LocalResponseNormalization

    keras.utils.set_random_seed(0)
    inputs = keras.Input((8, 8, 6))
    x = LocalResponseNormalization(depth_radius=2, bias=1.0, alpha=0.5, beta=0.75, implementation="fused", name="lrn")(
        keras.layers.Conv2D(6, 3, padding="same")(inputs))
    model = keras.Model(inputs, keras.layers.Dense(3)(keras.layers.Flatten()(x)))
    images = np.random.default_rng(0).standard_normal((2, 8, 8, 6)).astype("float32")
    result = export_model(model, tmp_path / f"lrn{FILE_FORMATS[fmt]}", format=fmt, check_inputs=images)
    assert relative_difference(load_exported(result.path)(images=images)["probabilities"], model.predict(images, verbose=0)) <= TOLERANCE


def test_clusters_are_the_models_own(tmp_path):
    from kclassics import learn

    points = np.random.default_rng(0).standard_normal((40, 2)).astype("float32")
    kmeans = learn.KMeans(3, seed=0)
    kmeans.fit(points, epochs=2, verbose=0)
    for fmt, suffix in FILE_FORMATS.items():
        result = export_model(kmeans, tmp_path / f"kmeans{suffix}", format=fmt, task="clustering", input_name="points",
                              check_inputs=points)
        answers = load_exported(result.path)(points=points)
        np.testing.assert_array_equal(answers["clusters"], keras.ops.convert_to_numpy(kmeans(points)))


def test_refusals_name_the_layer_and_the_format_and_write_nothing(tmp_path):
    from kclassics.embeddings import SkipGram
    from kclassics.language_model import LanguageModel

    words = SkipGram(["the", "cat", "sat"], embedding_size=4, num_sampled=2)
    words(np.array([0, 1]))
    with pytest.raises(UnsupportedError, match=r"^ONNX cannot take .* of 'skip_gram': it has no LookupTableFindV2 operator.*"
                                               r"Received: format='onnx'$"):
        export_model(words, tmp_path / "words.onnx", format="onnx", task="embedding_lookup", input_name="words")
    language = LanguageModel(vocab_size=20, hidden_size=4, num_layers=1)
    language(np.zeros((1, 2), "int32"))
    with pytest.raises(UnsupportedError, match="input and an output both named 'state'"):
        export_model(language, tmp_path / "words.onnx", format="onnx", task="next_word", input_name="token_ids")
    with pytest.raises(UnsupportedError, match=r"^LiteRT cannot take layer 'lstm_0' \(BasicLSTM\) of 'language_model': "
                                               r"it has no TensorListReserve operator .*for a loop over an unknown number of steps"):
        export_model(language, tmp_path / "words.tflite", format="litert", task="next_word", input_name="token_ids")
    assert list(tmp_path.iterdir()) == []


def test_embedding_lookup_in_litert(tmp_path):
    from kclassics.embeddings import SkipGram

    words = SkipGram(["the", "cat", "sat"], embedding_size=4, num_sampled=2)
    words(np.array([0, 1]))
    result = export_model(words, tmp_path / "words.tflite", format="litert", task="embedding_lookup", input_name="words")
    answers = load_exported(result.path)(words=np.array(["cat", "dog"], dtype=object))
    np.testing.assert_array_equal(answers["ids"], [words.words.index("cat"), 0])  # an unknown word is UNK's
    np.testing.assert_allclose(answers["vectors"], keras.ops.convert_to_numpy(words.embeddings)[answers["ids"]])


def test_a_float_export_beyond_the_tolerance_is_not_kept(tmp_path, monkeypatch):
    from kclassics.export import convert

    model = apps.create_model("softmax_regression")
    monkeypatch.setattr(convert, "TOLERANCE", -1.0)  # any difference, even none, is too large
    with pytest.raises(ExportMismatchError, match="differs from the Keras model beyond the tolerance -1.*it was not written"):
        export_model(model, tmp_path / "m.onnx", format="onnx")
    with pytest.raises(ExportMismatchError):
        export_model(model, tmp_path / "saved", format="savedmodel")
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["saved"]


def test_int8_is_a_quarter_of_float_and_reports_its_difference(tmp_path):
    keras.utils.set_random_seed(0)
    model = apps.create_model("tensorboard_mnist", classifier_activation=None)
    data = np.random.default_rng(0).random((64, 28, 28, 1), dtype=np.float32)
    float32 = export_model(model, tmp_path / "f.tflite", format="litert", check_inputs=data[:8])
    int8 = export_model(model, tmp_path / "q.tflite", format="litert", quantize="int8", representative_data=data)
    assert int8.bytes <= 0.3 * float32.bytes and int8.difference.examples == 8
    assert 0 < int8.difference.relative < 0.2  # quantised, not broken

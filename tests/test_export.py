import numpy as np
import pytest

from kclassics import apps
from kclassics.export import export_saved_model, next_version


def test_versions_are_numbered_and_never_overwritten(tmp_path):
    model = apps.softmax_regression()
    assert export_saved_model(model, tmp_path / "m").name == "1"
    assert export_saved_model(model, tmp_path / "m").name == "2"
    assert next_version(tmp_path / "m") == 3
    with pytest.raises(FileExistsError, match="never overwritten"):
        export_saved_model(model, tmp_path / "m", version=1)
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == ["1", "2"]  # no staging left behind


def test_bad_version(tmp_path):
    with pytest.raises(ValueError, match="version"):
        export_saved_model(apps.softmax_regression(), tmp_path, version=-1)


def test_named_signature_reloads_in_a_fresh_process(tmp_path, run_python):
    model = apps.mlp(classifier_activation=None)
    x = np.random.default_rng(0).random((4, 28, 28, 1), dtype=np.float32)
    path = export_saved_model(model, tmp_path / "export", from_logits=True)
    np.save(tmp_path / "x.npy", x)
    probe = f"""
import numpy as np, tensorflow as tf
serve = tf.saved_model.load({str(path)!r}).signatures["serving_default"]
inputs = serve.structured_input_signature[1]
assert list(inputs) == ["images"], inputs
out = serve(images=tf.constant(np.load({str(tmp_path / 'x.npy')!r})))
assert sorted(out) == ["classes", "probabilities"], sorted(out)
np.save({str(tmp_path / 'p.npy')!r}, out["probabilities"].numpy())
"""
    result = run_python(probe)
    assert result.returncode == 0, result.stderr[-2000:]
    expected = np.exp(model.predict(x, verbose=0))
    expected /= expected.sum(-1, keepdims=True)
    np.testing.assert_allclose(np.load(tmp_path / "p.npy"), expected, atol=1e-6)


def test_encoded_image_signature_decodes_resizes_and_preprocesses(tmp_path):
    import tensorflow as tf

    from kclassics.export import scale_to_unit

    model = apps.softmax_regression()
    model.set_weights([np.random.default_rng(0).normal(0, 0.05, w.shape).astype("float32") for w in model.get_weights()])
    signatures = tf.saved_model.load(str(export_saved_model(model, tmp_path / "m", preprocess=scale_to_unit))).signatures
    assert sorted(signatures) == ["predict_images", "serving_default"]
    rng = np.random.default_rng(1)
    digit = (rng.random((28, 28, 1)) * 255).astype(np.uint8)
    large = (rng.random((56, 40, 3)) * 255).astype(np.uint8)  # colour, another size: to grey, resized
    encoded = [tf.io.encode_png(digit), tf.io.encode_jpeg(large, quality=95)]
    served = signatures["predict_images"](image_bytes=tf.stack(encoded))["probabilities"].numpy()
    grey = tf.io.decode_jpeg(encoded[1], channels=1)
    pixels = np.stack([digit.astype(np.float32), tf.image.resize(tf.cast(grey, tf.float32), (28, 28)).numpy()])
    np.testing.assert_allclose(served, model.predict(pixels / 255.0, verbose=0), atol=1e-6)


def test_encoded_image_signature_needs_an_image_input(tmp_path):
    from kclassics.export import scale_to_unit

    autoencoder = apps.denoising_autoencoder(input_shape=(16,), hidden_units=4)
    with pytest.raises(ValueError, match=r"`preprocess`.*image input.*\[16\]"):
        export_saved_model(autoencoder, tmp_path / "a", task="image_classification", preprocess=scale_to_unit)
    assert not (tmp_path / "a").exists()

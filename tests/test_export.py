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

"""The main job end to end: data -> model -> fit -> run directory -> SavedModel."""

import dataclasses
import json

import numpy as np
import pytest

from kclassics import data, programs
from kclassics.runs import Run
from kclassics.training import TrainConfig, train_classifier

SHORT = dataclasses.replace(programs.get("mnist_cnn").config, digits_steps=30)


@pytest.fixture(scope="module")
def short_run(tmp_path_factory):
    return train_classifier(SHORT, programs.get("mnist_cnn"), out=tmp_path_factory.mktemp("runs") / "cnn", verbose=0)


def test_run_directory_contents(short_run):
    names = {p.name for p in short_run.run_dir.iterdir()}
    assert {"config.json", "checkpoints", "logs", "metrics.json", "curves.png", "model.keras", "export"} <= names
    assert (short_run.run_dir / "export" / "1" / "saved_model.pb").exists()
    assert list((short_run.run_dir / "logs" / "train").iterdir()), "TensorBoard wrote no training events"
    metrics = json.loads((short_run.run_dir / "metrics.json").read_text())
    assert metrics["steps"] == 30 == short_run.steps
    assert metrics["test_accuracy"] == pytest.approx(short_run.test_accuracy)
    assert json.loads((short_run.run_dir / "config.json").read_text())["learning_rate"] == 1e-4
    assert (short_run.run_dir / "curves.png").read_bytes()[:4] == b"\x89PNG"


def test_export_in_a_fresh_process_predicts_like_the_model(short_run, tmp_path, run_python):
    x = data.load_digits().test.x[:16]
    np.save(tmp_path / "x.npy", x)
    code = f"""
import numpy as np, tensorflow as tf
serve = tf.saved_model.load({str(short_run.export_path)!r}).signatures["serving_default"]
out = serve(images=tf.constant(np.load({str(tmp_path / 'x.npy')!r})))
np.save({str(tmp_path / 'p.npy')!r}, out["probabilities"].numpy())
np.save({str(tmp_path / 'c.npy')!r}, out["classes"].numpy())
"""
    result = run_python(code)
    assert result.returncode == 0, result.stderr[-2000:]
    expected = short_run.model.predict(x, verbose=0)
    np.testing.assert_allclose(np.load(tmp_path / "p.npy"), expected, atol=1e-5)
    np.testing.assert_array_equal(np.load(tmp_path / "c.npy"), expected.argmax(-1))


def test_resume_continues_the_step_count(short_run):
    longer = dataclasses.replace(SHORT, digits_steps=40)
    resumed = train_classifier(longer, programs.get("mnist_cnn"), out=short_run.run_dir, resume=True, verbose=0)
    assert resumed.steps == 40
    assert (resumed.run_dir / "export" / "2").is_dir(), "a resumed run exports a new version"
    assert [p.name for p in sorted((resumed.run_dir / "checkpoints").iterdir())][-1] == "ckpt-40.weights.h5"
    finished = train_classifier(longer, programs.get("mnist_cnn"), out=short_run.run_dir, resume=True, verbose=0)
    assert finished.steps == 40 and finished.history == {}, "a finished run is not trained further"
    assert finished.test_accuracy == pytest.approx(resumed.test_accuracy)


def test_epochs_override_steps():
    config = dataclasses.replace(SHORT, epochs=2)
    assert config.total_steps(1257) == 2 * 26
    assert dataclasses.replace(SHORT, digits_steps=None).total_steps(1257) == 20000


@pytest.mark.parametrize(
    "change,match",
    [({"steps": 0}, "steps"), ({"batch_size": -1}, "batch_size"), ({"optimizer": "lbfgs"}, "optimizer"),
     ({"learning_rate": 0.0}, "learning_rate")],
)
def test_config_validation(change, match):
    with pytest.raises(ValueError, match=match):
        dataclasses.replace(SHORT, **change)


def test_run_dirs_are_never_overwritten(tmp_path):
    first = Run.open(None, "x", root=tmp_path).path
    (first / "f").write_text("1")
    with pytest.raises(FileExistsError):
        Run.open(first)
    with pytest.raises(FileNotFoundError, match="Cannot resume"):
        Run.open(tmp_path / "new", resume=True)
    assert Run.open(None, "x", root=tmp_path).path != first


@pytest.mark.slow
def test_main_job_reaches_97_percent_within_3_minutes(run_cli, tmp_path):
    import time

    start = time.perf_counter()
    result = run_cli("train", "--out", tmp_path / "run", "--quiet")
    elapsed = time.perf_counter() - start
    assert result.returncode == 0, result.stderr[-3000:]
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["test_accuracy"] >= 0.97, metrics["test_accuracy"]
    assert elapsed < 180, elapsed
    assert "test accuracy" in result.stdout


def test_saved_model_cli_lists_the_named_signature(short_run):
    import subprocess
    import sys
    from pathlib import Path

    from tests.conftest import subprocess_env

    cli = Path(sys.executable).with_name("saved_model_cli")
    result = subprocess.run(
        [str(cli), "show", "--dir", str(short_run.export_path), "--all"],
        capture_output=True, text=True, timeout=300, env=subprocess_env(),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    signature = result.stdout.split("signature_def['serving_default']")[1]
    for line in ("inputs['images']", "outputs['probabilities']", "outputs['classes']", "shape: (-1, 28, 28, 1)"):
        assert line in signature, result.stdout

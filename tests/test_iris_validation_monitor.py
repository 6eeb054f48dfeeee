"""The book's iris ValidationMonitor example (apps/iris_validation_monitor.py)."""

import importlib.util
import re
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "apps" / "iris_validation_monitor.py"


@pytest.fixture(scope="module")
def iris_app():
    spec = importlib.util.spec_from_file_location("iris_validation_monitor", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_validation_monitor_stops_early_and_reports_its_best_step(iris_app, capsys):
    config = iris_app.IrisConfig()
    assert (config.hidden_units, config.every_n_steps, config.early_stopping_rounds) == ((10, 15, 10), 50, 200)
    result = iris_app.run(config)

    assert result["early_stopped"] and result["stopped_at_step"] < config.steps
    assert result["stopped_at_step"] - result["best_step"] >= config.early_stopping_rounds
    assert result["best_step"] % config.every_n_steps == 0
    assert result["test_accuracy"] >= 0.93  # the book: 0.967
    out = capsys.readouterr().out
    assert re.search(rf"^Validation \(step {result['stopped_at_step']}\): loss = [\d.]+, accuracy = [\d.]+$", out, re.M)
    assert f"Stopping. Best step: {result['best_step']} with loss = {result['best_loss']:.6g}." in out


def test_bad_steps_are_refused(iris_app, capsys):
    with pytest.raises(SystemExit):
        iris_app.main(["--steps", "0"])
    assert "--steps must be a positive integer. Received: --steps=0" in capsys.readouterr().err

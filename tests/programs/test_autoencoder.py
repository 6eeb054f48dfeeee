"""The autoencoder experiment: the book's loop, a run directory, resuming after the last epoch."""

import dataclasses
import json

import numpy as np
import pytest

from kclassics import programs
from kclassics.programs import autoencoder as program


def test_book_defaults():
    config = program.DENOISING_AUTOENCODER
    assert (config.learning_rate, config.epochs, config.batch_size, config.hidden_units, config.scale) == (1e-3, 20, 128, 200, 0.01)


def test_standard_scale_uses_the_training_statistics():
    train = np.array([[0.0, 1.0], [2.0, 3.0]])
    scaled_train, scaled_test = program.standard_scale(train, np.array([[1.0, 2.0]]))
    np.testing.assert_allclose(scaled_train, [[-1, -1], [1, 1]])
    np.testing.assert_allclose(scaled_test, [[0, 0]])


def test_test_cost_decreases_every_epoch_and_run_directory(tmp_path, capsys):
    result = programs.get("denoising_autoencoder").run(program.DENOISING_AUTOENCODER, out=tmp_path / "run")
    costs = result.test_costs
    assert len(costs) == 20 and all(b < a for a, b in zip(costs, costs[1:])), costs
    assert result.epoch_costs[-1] < result.epoch_costs[0] / 5
    out = capsys.readouterr().out
    assert "Epoch: 0001 cost=" in out and "Total cost: " in out
    assert result.steps == 20 * (1257 // 128)
    metrics = json.loads((result.run_dir / "metrics.json").read_text())
    assert metrics["test_costs_per_epoch"] == costs
    assert {"curves.png", "model.keras", "logs", "checkpoints"} <= {p.name for p in result.run_dir.iterdir()}
    assert (result.export_path / "saved_model.pb").is_file()


def test_resume_after_the_last_epoch(tmp_path):
    config = dataclasses.replace(program.DENOISING_AUTOENCODER, epochs=2)
    first = programs.get("denoising_autoencoder").run(config, out=tmp_path / "run", verbose=0)
    resumed = programs.get("denoising_autoencoder").run(dataclasses.replace(config, epochs=3), out=tmp_path / "run", resume=True, verbose=0)
    assert resumed.test_costs[:2] == first.test_costs and len(resumed.test_costs) == 3
    assert resumed.steps == 3 * (1257 // 128)


def test_bad_config():
    with pytest.raises(ValueError, match="epochs=0"):
        program.AutoencoderConfig(epochs=0)

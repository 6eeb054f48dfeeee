import re

import keras
import numpy as np
import pytest
import tensorflow as tf

from kclassics.callbacks import CaptureVariable, ValidationMonitor


@pytest.fixture
def diverging(data):
    """Validation targets opposite to the training targets: validation loss rises from the start."""
    x, y = data
    return x, y, (x, -10 * y)


def test_early_stopping_at_the_right_step(make_model, diverging, capsys):
    x, y, validation = diverging
    model = make_model()
    monitor = ValidationMonitor(validation, every_n_steps=2, early_stopping_rounds=4)
    model.fit(x, y, batch_size=4, epochs=10, verbose=0, callbacks=[monitor])

    assert monitor.early_stopped and monitor.best_step == 2
    assert int(model.optimizer.iterations.numpy()) == 6  # 6 - 2 >= 4 rounds
    assert [step for step, _ in monitor.evaluations] == [2, 4, 6]
    assert monitor.best_value == monitor.evaluations[0][1]["loss"]
    out = capsys.readouterr().out
    assert re.findall(r"^Validation \(step (\d+)\): loss = [\d.]+, mae = [\d.]+$", out, re.M) == ["2", "4", "6"]
    assert f"Stopping. Best step: 2 with loss = {monitor.best_value:.6g}." in out


def test_no_stopping_without_rounds_and_maximised_metrics(make_model, diverging):
    x, y, validation = diverging
    model = make_model()
    monitor = ValidationMonitor(validation, every_n_steps=5, early_stopping_metric="mae", early_stopping_metric_minimize=False)
    model.fit(x, y, batch_size=4, epochs=3, verbose=0, callbacks=[monitor])
    assert not monitor.early_stopped and len(monitor.evaluations) == 3
    maes = [results["mae"] for _, results in monitor.evaluations]
    assert monitor.best_value == max(maes) and monitor.best_step == 5 * (1 + maes.index(max(maes)))


def test_restore_best_puts_back_the_best_step_weights(make_model, diverging):
    x, y, validation = diverging
    model = make_model()
    capture = CaptureVariable("hidden/kernel", every_n_steps=2, first_n_steps=0)
    monitor = ValidationMonitor(validation, every_n_steps=2, early_stopping_rounds=4, restore_best=True)
    model.fit(x, y, batch_size=4, epochs=10, verbose=0, callbacks=[capture, monitor])
    np.testing.assert_array_equal(model.get_layer("hidden").kernel.numpy(), capture.values[2])


def test_training_metrics_are_not_disturbed(make_model, data):
    x, y = data
    plain, monitored = make_model(), make_model()
    history = plain.fit(x, y, batch_size=4, epochs=2, verbose=0, shuffle=False).history
    monitor = ValidationMonitor((x[:8], y[:8] + 5), every_n_steps=3)
    monitored_history = monitored.fit(x, y, batch_size=4, epochs=2, verbose=0, shuffle=False, callbacks=[monitor]).history
    np.testing.assert_allclose(monitored_history["loss"], history["loss"], rtol=1e-6)


def test_extra_metrics_on_a_dataset(make_model, data):
    x, y = data
    model = make_model()
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(6)
    monitor = ValidationMonitor(dataset, every_n_steps=5, metrics={"rmse": keras.metrics.RootMeanSquaredError()})
    model.fit(x, y, batch_size=4, epochs=1, verbose=0, callbacks=[monitor])
    (_, results), = monitor.evaluations
    assert list(results) == ["loss", "mae", "rmse"]
    np.testing.assert_allclose(results["rmse"] ** 2, results["loss"], rtol=1e-4)  # mse loss = rmse^2


def test_arguments_are_validated(make_model, data):
    with pytest.raises(ValueError, match="every_n_steps=0"):
        ValidationMonitor(data, every_n_steps=0)
    with pytest.raises(ValueError, match="early_stopping_rounds=-5"):
        ValidationMonitor(data, early_stopping_rounds=-5)
    with pytest.raises(ValueError, match="validation_data of type ndarray"):
        ValidationMonitor(data[0])
    with pytest.raises(ValueError, match="`metrics` must be"):
        ValidationMonitor(data, metrics=[3])
    with pytest.raises(ValueError, match=r"Unknown early_stopping_metric 'auc': the evaluation gives loss, mae"):
        make_model().fit(*data, batch_size=4, verbose=0, callbacks=[ValidationMonitor(data, every_n_steps=1, early_stopping_metric="auc")])

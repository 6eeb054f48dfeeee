import re

import keras
import numpy as np
import pytest

from kclassics.callbacks import CaptureVariable, LoggingTrainable, find_variable


def test_capture_variable_records_values_at_the_right_steps(make_model, data):
    model = make_model()
    capture = CaptureVariable("hidden/kernel", every_n_steps=3, first_n_steps=1)
    history = []
    record = keras.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: history.append(model.get_layer("hidden").kernel.numpy()))
    model.fit(*data, batch_size=4, epochs=2, verbose=0, shuffle=False, callbacks=[capture, record])
    assert sorted(capture.values) == [1, 3, 6, 9]
    for step, value in capture.values.items():
        np.testing.assert_array_equal(value, history[step - 1])  # the value after that step's update
    assert not np.array_equal(capture.values[1], capture.values[9])


def test_find_variable_by_path_suffix_and_errors(make_model):
    model = make_model()
    assert find_variable(model, "out/bias").path == "tiny/out/bias"
    assert find_variable(model, "tiny/out/bias").path == "tiny/out/bias"
    with pytest.raises(ValueError, match=r"No variable .* 'dense/kernel'.*Available: tiny/hidden/kernel"):
        find_variable(model, "dense/kernel")
    with pytest.raises(ValueError, match="ambiguous"):
        find_variable(model, "kernel")
    with pytest.raises(ValueError, match="non-empty variable path"):
        CaptureVariable("")


def test_unknown_variable_fails_before_training(make_model, data):
    model = make_model()
    with pytest.raises(ValueError, match="Received: name='missing/kernel'"):
        model.fit(*data, batch_size=4, verbose=0, callbacks=[CaptureVariable("missing/kernel")])
    assert int(model.optimizer.iterations.numpy()) == 0


def test_logging_trainable_logs_matching_variables(make_model, data, capsys):
    model = make_model()
    model.fit(*data, batch_size=4, epochs=1, verbose=0, callbacks=[LoggingTrainable("out/", every_n_steps=5, first_n_steps=0)])
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("Step ")]
    assert [re.match(r"Step (\d+): (\S+) = ", line).groups() for line in lines] == [("5", "tiny/out/kernel"), ("5", "tiny/out/bias")]
    bias = model.get_layer("out").bias.numpy()
    assert lines[1].endswith(np.array2string(bias, precision=6))


def test_logging_trainable_validates_its_pattern(make_model, data):
    with pytest.raises(ValueError, match="regular expression"):
        LoggingTrainable("(")
    with pytest.raises(ValueError, match="No trainable variable's path matches 'conv'"):
        make_model().fit(*data, verbose=0, callbacks=[LoggingTrainable("conv")])

import re

import keras
import numpy as np
import pytest

from kclassics.callbacks import PrintTensor


def test_print_tensor_gives_layer_outputs_of_the_current_batch_before_the_update(make_model, data, capsys):
    x, y = data
    model = make_model(learning_rate=0.5)
    hidden = model.get_layer("hidden")
    before = []  # the hidden layer's output on each batch, with the weights the step starts from
    record = keras.callbacks.LambdaCallback(
        on_train_batch_begin=lambda batch, logs: before.append(hidden(x[4 * (batch % 5) : 4 * (batch % 5) + 4]).numpy())
    )
    printer = PrintTensor(["hidden", "out"], every_n_steps=3, first_n_steps=1)
    model.fit(x, y, batch_size=4, epochs=2, verbose=0, shuffle=False, callbacks=[record, printer])

    assert sorted(printer.values) == [1, 3, 6, 9]
    for step, values in printer.values.items():
        np.testing.assert_allclose(values["hidden"], before[step - 1], rtol=1e-5, atol=1e-6)
        assert values["out"].shape == (4, 2)
    printed = re.findall(r"^Step (\d+): (hidden|out) = \[", capsys.readouterr().out, re.M)
    assert printed[:2] == [("1", "hidden"), ("1", "out")] and len(printed) == 8


def test_the_model_is_left_as_it_was(make_model, data):
    model = make_model()
    model.fit(*data, batch_size=4, verbose=0, callbacks=[PrintTensor("hidden", every_n_steps=1)])
    assert "train_step" not in model.__dict__ and model.train_function is None
    before = [w.copy() for w in model.get_weights()]
    model.fit(*data, batch_size=4, verbose=0)  # a plain fit afterwards trains as usual
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_print_tensor_errors(make_model, data):
    with pytest.raises(ValueError, match="at least one layer"):
        PrintTensor([])
    with pytest.raises(ValueError, match=r"no layer named 'dense'. Available: hidden, out. Received: names='dense'"):
        make_model().fit(*data, verbose=0, callbacks=[PrintTensor("dense")])

    class Subclassed(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(2)

        def call(self, inputs):
            return self.dense(inputs)

    model = Subclassed()
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match="functional or Sequential"):
        model.fit(*data, verbose=0, callbacks=[PrintTensor("dense")])


def test_several_probes_and_a_failed_fit_leave_the_model_clean(make_model, data, tmp_path):
    from kclassics.callbacks import NanLoss, NanLossDuringTrainingError, SummarySaver

    x, y = data
    model = make_model()
    first, summaries = PrintTensor("hidden", every_n_steps=2), SummarySaver(2, tmp_path, activations="out")
    model.fit(x, y, batch_size=4, verbose=0, callbacks=[first, summaries])
    assert "train_step" not in model.__dict__ and sorted(first.values) == [1, 2, 4]

    poisoned = y.copy()
    poisoned[5, 0] = float("nan")
    stale = PrintTensor("hidden", every_n_steps=1)
    with pytest.raises(NanLossDuringTrainingError):  # on_train_end is never called
        model.fit(x, poisoned, batch_size=4, verbose=0, shuffle=False, callbacks=[stale, NanLoss()])
    fresh = PrintTensor("out", every_n_steps=1)
    model.fit(x, y, batch_size=4, verbose=0, callbacks=[fresh])
    assert len(fresh.values) == 5 and max(stale.values) == 7  # the stale probe no longer runs
    assert "train_step" not in model.__dict__

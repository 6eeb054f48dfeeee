import numpy as np
import pytest

from kclassics.callbacks import NanLoss, NanLossDuringTrainingError


@pytest.fixture
def poisoned(data):
    """The third batch of 4 holds a NaN target."""
    x, y = data
    y = y.copy()
    y[9, 0] = np.nan
    return x, y


def test_nan_raises_naming_the_step(make_model, poisoned):
    model = make_model()
    with pytest.raises(NanLossDuringTrainingError, match="at step 3: loss = nan"):
        model.fit(*poisoned, batch_size=4, epochs=2, verbose=0, shuffle=False, callbacks=[NanLoss()])


def test_nan_checked_every_n_steps(make_model, poisoned):
    with pytest.raises(NanLossDuringTrainingError, match="at step 4"):
        make_model().fit(*poisoned, batch_size=4, epochs=2, verbose=0, shuffle=False, callbacks=[NanLoss(every_n_steps=2)])


def test_nan_only_stops_when_asked(make_model, poisoned, capsys):
    model = make_model()
    nan_loss = NanLoss(fail_on_nan_loss=False)
    model.fit(*poisoned, batch_size=4, epochs=2, verbose=0, shuffle=False, callbacks=[nan_loss])
    assert nan_loss.nan_step == 3 and int(model.optimizer.iterations.numpy()) == 3
    assert "at step 3: loss = nan. Stopping training." in capsys.readouterr().out


def test_finite_loss_passes_and_arguments_are_validated(make_model, data):
    make_model().fit(*data, batch_size=4, verbose=0, callbacks=[NanLoss()])
    with pytest.raises(ValueError, match="every_n_steps=0"):
        NanLoss(every_n_steps=0)

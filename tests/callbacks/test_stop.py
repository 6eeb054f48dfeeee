import keras
import pytest

from kclassics.callbacks import StopAtStep, global_step


def test_last_step_holds_across_fits(make_model, data):
    model = make_model()
    model.fit(*data, batch_size=4, epochs=10, verbose=0, callbacks=[StopAtStep(last_step=7)])
    assert global_step(model) == 7
    model.fit(*data, batch_size=4, epochs=10, verbose=0, callbacks=[StopAtStep(num_steps=3)])
    assert global_step(model) == 10
    model.fit(*data, batch_size=4, epochs=10, verbose=0, callbacks=[StopAtStep(last_step=9)])
    assert global_step(model) == 11  # already past: Keras runs one batch before it looks at stop_training


def test_arguments_are_validated():
    with pytest.raises(ValueError, match="exactly one"):
        StopAtStep()
    with pytest.raises(ValueError, match="num_steps=-2"):
        StopAtStep(num_steps=-2)
    assert isinstance(StopAtStep(last_step=0), keras.callbacks.Callback)

import numpy as np
import pytest

from kclassics.callbacks._base import StepTrigger, check_positive_int, format_value, format_values


def test_trigger_fires_at_first_steps_and_multiples():
    trigger = StepTrigger(every_n_steps=5, first_n_steps=2)
    assert [s for s in range(1, 21) if trigger.fires_at(s)] == [1, 2, 5, 10, 15, 20]


def test_trigger_fires_when_a_multiple_is_skipped_over():
    # steps_per_execution=3: the callback sees steps 3, 6, 9, ...
    trigger = StepTrigger(every_n_steps=5)
    assert [s for s in range(3, 22, 3) if trigger.fires(s - 3, s)] == [6, 12, 15, 21]
    assert not trigger.fires(7, 7)


@pytest.mark.parametrize("value", [0, -1, 1.5, True, None, "3"])
def test_intervals_are_validated(value):
    with pytest.raises(ValueError, match=r"`every_n_steps` must be a positive integer. Received: every_n_steps="):
        StepTrigger(value)


def test_first_n_steps_is_validated():
    with pytest.raises(ValueError, match="first_n_steps=-1"):
        StepTrigger(10, first_n_steps=-1)
    check_positive_int("keep", None, allow_none=True)


def test_values_are_formatted_like_the_book():
    assert format_value(0.060834512) == "0.0608345"
    assert format_values({"accuracy": 1.0, "loss": 2.346351}) == "loss = 2.34635, accuracy = 1"
    assert format_value(np.zeros((2, 2))).startswith("[[0.")

"""Every model test starts from the same random weights, so a tolerance that holds once holds on every run."""

import pytest

import keras


@pytest.fixture(autouse=True)
def _seeded_weights():
    keras.utils.set_random_seed(0)

"""Every model test starts from the same random weights, so a tolerance that holds once holds on every run."""

import pytest

import keras
import kclassics.apps as apps


def by_build_cost(names):
    """`names` as test parameters, the heavy builds (several seconds on two cores, their cards say) marked slow."""
    return [pytest.param(n, marks=pytest.mark.slow) if apps.model_info(n).heavy else n for n in names]


@pytest.fixture(autouse=True)
def _seeded_weights():
    keras.utils.set_random_seed(0)

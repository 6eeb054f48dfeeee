"""Small models and data for the callback tests."""

import keras
import numpy as np
import pytest


@pytest.fixture
def make_model():
    """Builds a compiled 4 -> 3 -> 2 regression model (layers `hidden`, `out`)."""

    def make(learning_rate=0.1, optimizer="sgd", metrics=("mae",)):
        keras.utils.set_random_seed(0)
        model = keras.Sequential(
            [keras.Input((4,)), keras.layers.Dense(3, activation="relu", name="hidden"), keras.layers.Dense(2, name="out")],
            name="tiny",
        )
        model.compile(
            optimizer=keras.optimizers.get({"class_name": optimizer, "config": {"learning_rate": learning_rate}}),
            loss="mse",
            metrics=list(metrics),
        )
        return model

    return make


@pytest.fixture
def data():
    """20 examples: with batch_size=4 that is 5 steps per epoch."""
    rng = np.random.default_rng(0)
    return rng.random((20, 4), dtype="float32"), rng.random((20, 2), dtype="float32")


@pytest.fixture(autouse=True, scope="module")
def fresh_keras_session():
    """Each test module starts from a clear Keras/TF state: the graphs that earlier
    modules leave behind made later traces many times slower."""
    yield
    keras.backend.clear_session(free_memory=True)

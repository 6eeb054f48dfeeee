"""The HyperModels' defaults are the book's programs and networks; their spaces come from the configs."""

import dataclasses

import keras
import keras_tuner
import numpy as np
import pytest

from kclassics import programs
from kclassics.apps import MODELS, create_model
from kclassics.tuning import SPACE, FamilyHyperModel, ProgramHyperModel, hypermodel
from kclassics.tuning.space import dimension, dimensions, merged

# Families whose default network builds in about a second (the others: the slow test below).
LIGHT_FAMILIES = ("mnist", "autoencoder", "birnn", "cifar10")


def _tunable(config):
    return [d for d in dimensions(config) if d.name not in ("steps", "epochs", "digits_steps", "seed")]


@pytest.mark.parametrize("name", programs.list_programs())
def test_default_hyperparameters_reproduce_every_program(name):
    program = programs.get(name)
    if not _tunable(program.config):  # a program with nothing to search is refused clearly
        with pytest.raises(ValueError, match="has no setting to search"):
            ProgramHyperModel(name)
        return
    hm = ProgramHyperModel(name)
    hp = keras_tuner.HyperParameters()
    assert hm.config(hp) == program.config
    assert {d.name: d.default for d in hm.dimensions} == merged(hp.values)
    model_name = getattr(program.config, "model", None)
    if model_name in MODELS:
        model = hm.build(keras_tuner.HyperParameters())
        kwargs = dict(getattr(program.config, "model_kwargs", ()))
        expected = create_model(model_name, **kwargs).count_params() if kwargs else MODELS.get(model_name).params
        assert model.count_params() == expected
        keras.backend.clear_session()


def _check_family(family):
    hm = FamilyHyperModel(family)
    model = hm.build(keras_tuner.HyperParameters())
    card = MODELS.get(hm.default_variant)
    assert model.count_params() == card.params, family
    assert model.name == card.name
    keras.backend.clear_session()


@pytest.mark.parametrize("family", LIGHT_FAMILIES)
def test_family_defaults_build_the_registered_network(family):
    _check_family(family)


@pytest.mark.slow
@pytest.mark.parametrize("family", sorted({card.family for _, card in MODELS.items()}))
def test_every_family_and_variant_builds_its_registered_network(family):
    hm = FamilyHyperModel(family)
    for variant, card in hm.cards.items():
        hp = keras_tuner.HyperParameters()
        if len(hm.cards) > 1:
            hp.Fixed("variant", variant)
        model = hm.build(hp)
        assert model.count_params() == card.params, variant
        keras.backend.clear_session()


def test_spaces_are_ranges_around_the_book_values():
    mlp = {d.name: d for d in ProgramHyperModel("mlp").dimensions}
    assert set(mlp) == {"optimizer", "learning_rate", "batch_size", "hidden_units", "dropout_rate"}
    assert mlp["learning_rate"].describe() == "0.03 to 3 (log)" and mlp["learning_rate"].default == 0.3
    assert mlp["batch_size"].choices == (50, 100, 200)
    assert mlp["hidden_units"].target == "model" and mlp["hidden_units"].default == 300
    assert mlp["optimizer"].default == "adagrad"
    # the config's own validation decides which choices exist: cifar10's schedules
    cifar = {d.name: d for d in ProgramHyperModel("cifar10_cnn").dimensions}
    assert cifar["schedule"].choices == ("adam", "sgd_decay")
    # a grid gives every float a step, with the book's value on the grid
    hp = keras_tuner.HyperParameters()
    ProgramHyperModel("mlp", grid=True).values(hp)
    assert 0.3 in [round(v, 10) for v in hp._hps["adagrad/learning_rate"][0].values]
    assert 0.25 in hp._hps["dropout_rate"][0].values


def test_the_learning_rate_range_follows_the_drawn_optimizer():
    hm = ProgramHyperModel("mlp")
    ranges = {"adagrad": (0.03, 3.0), "sgd": (0.01, 1.0), "momentum": (0.001, 0.1), "adam": (1e-4, 1e-2),
              "rmsprop": (1e-4, 1e-2)}
    oracle = keras_tuner.oracles.RandomSearchOracle(objective="val_accuracy", max_trials=40, seed=0)
    hp = keras_tuner.HyperParameters()
    hm.values(hp)
    oracle.update_space(hp)
    drawn = [oracle._random_values() for _ in range(40)]
    assert {values["optimizer"] for values in drawn} == set(ranges)
    for values in drawn:
        low, high = ranges[values["optimizer"]]
        assert set(values) == {"optimizer", f"{values['optimizer']}/learning_rate", "batch_size", "hidden_units",
                               "dropout_rate"}  # only the drawn optimizer's rate
        assert low * 0.999 <= merged(values)["learning_rate"] <= high * 1.001, values
    hp = keras_tuner.HyperParameters()
    hp.Fixed("optimizer", "adam")
    assert hm.values(hp)["learning_rate"] == pytest.approx(1e-3)  # another optimizer's default: its own
    assert hm.config(hp).optimizer == "adam" and hm.config(hp).learning_rate == pytest.approx(1e-3)


def test_a_tuned_network_setting_goes_into_model_kwargs():
    hm = ProgramHyperModel("mlp")
    config = hm.config({"hidden_units": 600, "dropout_rate": 0.25, "learning_rate": 0.1})
    assert dict(config.model_kwargs) == {"hidden_units": 600}
    assert config.learning_rate == 0.1 and config.optimizer == "adagrad"
    hp = keras_tuner.HyperParameters()
    hp.Fixed("hidden_units", 600)
    assert hm.build(hp).get_layer("hidden1").units == 600


def test_a_config_without_tunable_settings_is_refused_clearly():
    @dataclasses.dataclass(frozen=True)
    class Fixed:
        steps: int = 10
        seed: int = 0

    program = programs.Program("fixed", Fixed(), lambda config, **kwargs: None, "nothing to search")
    with pytest.raises(ValueError, match=r"Program 'fixed' has no setting to search: its config's fields \(steps, seed\)"):
        ProgramHyperModel(program)
    with pytest.raises(ValueError, match="dropout is not a hyperparameter of 'mlp'"):
        ProgramHyperModel("mlp", only=["dropout"])
    with pytest.raises(ValueError, match="Unknown program or network family 'nope'"):
        hypermodel("nope")


def test_unsearchable_values_are_left_alone():
    assert dimension("learning_rate", 0.0) is None  # no log range around 0
    assert dimension("batch_size", None) is None
    assert dimension("unknown_field", 3) is None
    assert set(SPACE) >= {"learning_rate", "optimizer", "batch_size", "dropout_rate", "weight_decay", "hidden_units"}


def _digits_like(n=64):
    rng = np.random.default_rng(0)
    x, y = rng.random((n, 28, 28, 1), dtype=np.float32), rng.integers(0, 10, n)
    return x, y, dict(epochs=1, validation_data=(x[:16], y[:16]), verbose=0)


@pytest.mark.slow  # docs/tuning.md runs the same search in the default tests
def test_a_program_hypermodel_works_with_a_keras_tuner_tuner(tmp_path):
    x, y, data = _digits_like()
    tuner = keras_tuner.RandomSearch(hypermodel("mlp"), objective="val_accuracy", max_trials=1, seed=1,
                                     directory=str(tmp_path), project_name="mlp")
    tuner.search(x, y, **data)
    assert tuner.oracle.trials["0"].status == "COMPLETED"


@pytest.mark.slow
def test_family_and_grid_hypermodels_work_with_keras_tuner_tuners(tmp_path):
    x, y, data = _digits_like()
    grid = keras_tuner.GridSearch(ProgramHyperModel("softmax_regression", grid=True, only=["learning_rate"]),
                                  objective="val_accuracy", max_trials=2, directory=str(tmp_path), project_name="grid")
    grid.search(x, y, **data)
    assert [t.hyperparameters.values["learning_rate"] for t in grid.oracle.trials.values()][0] == pytest.approx(0.5)
    family = keras_tuner.RandomSearch(FamilyHyperModel("mnist"), objective="val_loss", max_trials=2, seed=3,
                                      directory=str(tmp_path), project_name="mnist")
    family.search(x, y, **data)
    assert [t.status for t in family.oracle.trials.values()] == ["COMPLETED", "COMPLETED"]

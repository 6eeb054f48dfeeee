"""The tuners a search can use: keras-tuner's oracles by name, a registry with did-you-mean errors.

    TUNERS.get("hyperband")(objective, max_trials=6, seed=0, max_consecutive_failed_trials=3)

Adding a tuner is a function here and its `TUNERS.register` line; `kclassics tune --tuner NAME` and
`kclassics.tuning.tuner(tuner=NAME)` then take it.
"""

from kclassics.registry import Registry

TUNERS = Registry("tuner")
HYPERBAND_EPOCHS = 3  # Hyperband's budget unit: a third of a trial's length


def random_search(objective, max_trials, **common):
    """Trials drawn at random from the space."""
    import keras_tuner

    return keras_tuner.oracles.RandomSearchOracle(objective=objective, max_trials=max_trials, **common)


def bayesian(objective, max_trials, **common):
    """Gaussian-process Bayesian optimisation after 3 random trials (fewer when `max_trials` is smaller)."""
    import keras_tuner

    return keras_tuner.oracles.BayesianOptimizationOracle(objective=objective, max_trials=max_trials,
                                                          num_initial_points=min(3, max_trials), **common)


def grid(objective, max_trials, **common):
    """Every combination of the space's grid, in order (floats on their grid steps)."""
    import keras_tuner

    return keras_tuner.oracles.GridSearchOracle(objective=objective, max_trials=max_trials, **common)


def hyperband(objective, max_trials, hyperband_epochs=HYPERBAND_EPOCHS, **common):
    """Hyperband's brackets over thirds of a trial's length (factor 3), capped at `max_trials` trials."""
    import keras_tuner

    oracle = keras_tuner.oracles.HyperbandOracle(objective=objective, max_epochs=hyperband_epochs, factor=3, **common)
    oracle.max_trials = max_trials  # a cap on Hyperband's brackets
    return oracle


for _name, _make in (("random", random_search), ("bayesian", bayesian), ("hyperband", hyperband), ("grid", grid)):
    TUNERS.register(_name, _make)

"""Bad input to every public function and class of kclassics.tuning: one line naming the argument and the value received."""

import keras_tuner
import pytest

from kclassics import tuning
from kclassics.optimizers import make_optimizer
from kclassics.tuning.space import Dimension, Rule, builder_defaults, declare_all, dimension, dimensions, merged, rate_ranges
from kclassics.tuning.search import ProgramTuner, make_oracle
from tests.tuning import toy_program  # noqa: F401  (registers the toy programs)

RULE = tuning.SPACE["learning_rate"]
CURVE = [(10, 0.5)]


def _oracle():
    return make_oracle("random", keras_tuner.Objective("score", "max"), 1, 0, 1)


CASES = {
    "tuner(program)": (lambda: tuning.tuner("nope"), r"Unknown program 'nope'\. Received: name='nope'"),
    "tuner(tuner)": (lambda: tuning.tuner("toy_tune", tuner="annealing"), r"Unknown tuner 'annealing'\. Received: tuner='annealing'; 4 are registered: bayesian, grid, hyperband, random"),
    "tuner(max_trials)": (lambda: tuning.tuner("toy_tune", max_trials=0), r"`max_trials` must be a positive integer\. Received: max_trials=0"),
    "tuner(steps)": (lambda: tuning.tuner("toy_tune", steps=-5), r"steps=-5"),
    "tuner(seed)": (lambda: tuning.tuner("toy_tune", seed=-1), r"seed=-1"),
    "tuner(max_consecutive_failed_trials)": (lambda: tuning.tuner("toy_tune", max_consecutive_failed_trials=0), r"max_consecutive_failed_trials=0"),
    "tuner(resume)": (lambda: tuning.tuner("toy_tune", resume="yes"), r"`resume` must be True or False\. Received: resume='yes'"),
    "tuner(objective)": (lambda: tuning.tuner("toy_tune", objective="bleu"), r"No trial of 'toy_tune' reports 'bleu'.*Received: objective='bleu'"),
    "tuner(only)": (lambda: tuning.tuner("toy_tune", only="learning_rate"), r"`only` must be a list of hyperparameter names.*Received: only='learning_rate'"),
    "tuner(only): unknown": (lambda: tuning.tuner("toy_tune", only=["dropout"]), r"dropout is not a hyperparameter of 'toy_tune'.*Received: only=dropout"),
    "tuner(strategy)": (lambda: tuning.tuner("toy_tune", strategy="tpu"), r"Received: strategy='tpu'"),
    "tuner(pruning)": (lambda: tuning.tuner("toy_tune", pruning="median"), r"`pruning` must be True, False, a MedianStopping or a SuccessiveHalving\. Received: pruning='median'"),
    "ProgramTuner(hypermodel)": (lambda: ProgramTuner("toy_tune", _oracle(), "search"), r"`hypermodel` must be a ProgramHyperModel\. Received: hypermodel='toy_tune'"),
    "ProgramTuner(oracle)": (lambda: ProgramTuner(tuning.ProgramHyperModel("toy_tune"), "random", "search"), r"`oracle` must be a keras-tuner oracle\. Received: oracle='random'"),
    "ProgramTuner(steps)": (lambda: ProgramTuner(tuning.ProgramHyperModel("toy_tune"), _oracle(), "search", steps=0), r"steps=0"),
    "ProgramTuner(pruner)": (lambda: ProgramTuner(tuning.ProgramHyperModel("toy_tune"), _oracle(), "search", pruner=3), r"pruning=3"),
    "ProgramHyperModel(program)": (lambda: tuning.ProgramHyperModel("nope"), r"Unknown program 'nope'"),
    "ProgramHyperModel(grid)": (lambda: tuning.ProgramHyperModel("toy_tune", grid="yes"), r"`grid` must be True or False\. Received: grid='yes'"),
    "ProgramHyperModel(only)": (lambda: tuning.ProgramHyperModel("toy_tune", only=[3]), r"only=\[3\]"),
    "ProgramHyperModel.config(hp_or_values)": (lambda: tuning.ProgramHyperModel("toy_tune").config(0.1), r"`hp_or_values` must be a keras_tuner\.HyperParameters or a dict.*Received: hp_or_values=0\.1"),
    "ProgramHyperModel.build(hp)": (lambda: tuning.ProgramHyperModel("mlp").build({"learning_rate": 0.1}), r"`hp` must be a keras_tuner\.HyperParameters\. Received: hp=\{'learning_rate': 0\.1\}"),
    "FamilyHyperModel.build(hp)": (lambda: tuning.FamilyHyperModel("mnist").build(None), r"hp=None"),
    "FamilyHyperModel(family)": (lambda: tuning.FamilyHyperModel("resnet_v9"), r"Unknown network family 'resnet_v9'.*Received: family='resnet_v9'"),
    "FamilyHyperModel(input_shape)": (lambda: tuning.FamilyHyperModel("mnist", input_shape=(28, 0, 1)), r"input_shape=\(28, 0, 1\)"),
    "FamilyHyperModel(classes)": (lambda: tuning.FamilyHyperModel("mnist", classes=0), r"`classes` must be a positive integer or None\. Received: classes=0"),
    "FamilyHyperModel(grid)": (lambda: tuning.FamilyHyperModel("mnist", grid=None), r"grid=None"),
    "hypermodel(name)": (lambda: tuning.hypermodel("nope"), r"Unknown program or network family 'nope'.*Received: name='nope'"),
    "hypermodel(name): not a string": (lambda: tuning.hypermodel(["mlp"]), r"`name` must be a non-empty string\. Received: name=\['mlp'\]"),
    "MedianStopping(warmup)": (lambda: tuning.MedianStopping(warmup=1.5), r"warmup=1\.5"),
    "MedianStopping(min_trials)": (lambda: tuning.MedianStopping(min_trials=0), r"min_trials=0"),
    "MedianStopping.should_stop(direction)": (lambda: tuning.MedianStopping().should_stop(CURVE, [], 10, 40, "up"), r"Unknown `direction`\. Accepted: max, min\. Received: direction='up'"),
    "MedianStopping.should_stop(step)": (lambda: tuning.MedianStopping().should_stop(CURVE, [], -1, 40, "max"), r"step=-1"),
    "MedianStopping.should_stop(curve)": (lambda: tuning.MedianStopping().should_stop([0.5], [], 10, 40, "max"), r"`curve` must be a list of \(step, value\) pairs\. Received: curve=\[0\.5\]"),
    "SuccessiveHalving(min_fraction)": (lambda: tuning.SuccessiveHalving(min_fraction=0.0), r"min_fraction=0\.0"),
    "SuccessiveHalving(reduction_factor)": (lambda: tuning.SuccessiveHalving(reduction_factor=1), r"reduction_factor=1"),
    "SuccessiveHalving.rungs(total_steps)": (lambda: tuning.SuccessiveHalving().rungs(0), r"total_steps=0"),
    "SuccessiveHalving.should_stop(total_steps)": (lambda: tuning.SuccessiveHalving().should_stop(CURVE, [], 10, 0, "max"), r"total_steps=0"),
    "write_report(directory)": (lambda: tuning.write_report("nowhere"), r"`directory` must be a search directory \(holding search\.json\); nowhere does not exist\. Received: directory='nowhere'"),
    "write_report(directory): not a search": (lambda: tuning.write_report("."), r"holds no search"),
    "format_table(rows)": (lambda: tuning.format_table("trials", "score"), r"`rows` must be a list of trial rows .*Received: rows='trials'"),
    "format_table(objective)": (lambda: tuning.format_table([], None), r"`objective` must be a non-empty string\. Received: objective=None"),
    "reported_metrics(program)": (lambda: tuning.reported_metrics("nope"), r"Unknown program 'nope'"),
    "trial_seed(search_seed)": (lambda: tuning.trial_seed(-1, 0), r"`search_seed` must be an integer between 0 and 4294967295\. Received: search_seed=-1"),
    "trial_seed(trial_id)": (lambda: tuning.trial_seed(0, "trial-3"), r"trial_id='trial-3'"),
    "Rule(kind)": (lambda: Rule("cubic"), r"Unknown `kind`\. Accepted: log, linear, scaled, choice\. Received: kind='cubic'"),
    "Rule(low, high)": (lambda: Rule("linear", 1.0, 0.5), r"`low` must be below `high`\. Received: low=1\.0, high=0\.5"),
    "Rule(low): log of zero": (lambda: Rule("log", 0.0, 10.0), r"low=0\.0"),
    "Rule(choices)": (lambda: Rule("choice"), r"`choices` of a choice rule must be a non-empty tuple of names\. Received: choices=\(\)"),
    "Rule(step)": (lambda: Rule("linear", 0.0, 1.0, step=-0.25), r"step=-0\.25"),
    "Dimension(name)": (lambda: Dimension("", RULE, 0.1), r"`name` must be a non-empty string\. Received: name=''"),
    "Dimension(rule)": (lambda: Dimension("learning_rate", "log", 0.1), r"`rule` must be a Rule .*Received: rule='log'"),
    "Dimension(target)": (lambda: Dimension("learning_rate", RULE, 0.1, target="layer"), r"Unknown `target`\. Accepted: config, model\. Received: target='layer'"),
    "Dimension.declare(hp)": (lambda: Dimension("learning_rate", RULE, 0.1).declare({}), r"`hp` must be a keras_tuner\.HyperParameters\. Received: hp=\{\}"),
    "dimension(name)": (lambda: dimension(None, 0.1), r"name=None"),
    "dimension(target)": (lambda: dimension("learning_rate", 0.1, target="layer"), r"target='layer'"),
    "dimension(config)": (lambda: dimension("learning_rate", 0.1, config={"learning_rate": 0.1}), r"`config` must be a program config \(a dataclass\) or None"),
    "dimensions(config)": (lambda: dimensions({"learning_rate": 0.1}), r"`config` must be a program config \(a dataclass instance\)"),
    "declare_all(found)": (lambda: declare_all(["learning_rate"], keras_tuner.HyperParameters()), r"`found` must be a list of Dimensions"),
    "declare_all(hp)": (lambda: declare_all([], None), r"hp=None"),
    "declare_all(grid)": (lambda: declare_all([], keras_tuner.HyperParameters(), grid=1), r"grid=1"),
    "merged(values)": (lambda: merged(["learning_rate"]), r"`values` must be a dict of hyperparameter values by name"),
    "rate_ranges(found)": (lambda: rate_ranges("learning_rate"), r"`found` must be a list of Dimensions"),
    "builder_defaults(builder)": (lambda: builder_defaults("resnet_v1_50"), r"`builder` must be a network builder \(a function\)\. Received: builder='resnet_v1_50'"),
    "make_optimizer(name)": (lambda: make_optimizer("lion", 0.1), r"Unknown `optimizer`\. Accepted: sgd, momentum, adam, adagrad, rmsprop, ftrl\. Received: optimizer='lion'"),
    "make_optimizer(learning_rate)": (lambda: make_optimizer("adam", float("inf")), r"learning_rate=inf"),
    "make_optimizer(weight_decay)": (lambda: make_optimizer("adam", 0.1, weight_decay=-1e-4), r"weight_decay=-0\.0001"),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_one_line_naming_the_argument_and_the_value(case, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a search directory would be made here: none may be
    call, message = CASES[case]
    with pytest.raises(ValueError, match=message) as raised:
        call()
    assert len(str(raised.value).splitlines()) == 1, str(raised.value)
    assert not list(tmp_path.iterdir())

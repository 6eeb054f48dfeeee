"""Searches that run the programs: the report, failures, bad input, kill and resume, pruning, distribution."""

import contextlib
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kclassics import tuning
from kclassics.cli import main
from kclassics.tuning.pruning import MedianStopping, SuccessiveHalving, trial_curves
from kclassics.tuning.search import TrialReport, trial_rows, trial_seed
from tests.conftest import ROOT, subprocess_env
from tests.tuning import toy_program  # noqa: F401  (registers the toy programs)

TOY_CLI = ("import sys; sys.path.insert(0, {root!r}); import tests.tuning.toy_program; "
           "from kclassics.cli import main; sys.exit(main(sys.argv[1:]))").format(root=str(ROOT))


def _main(*args):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def mlp_search(tmp_path_factory):
    out = tmp_path_factory.mktemp("search") / "mlp"
    code, stdout, stderr = _main("tune", "mlp", "--steps", 12, "--max-trials", 2, "--out", out, "--quiet")
    return out, code, stdout, stderr


def test_a_tiny_search_writes_its_table_best_config_and_export(mlp_search):
    out, code, stdout, stderr = mlp_search
    assert code == 0, stderr
    assert "trial  status     optimizer  learning_rate  batch_size  hidden_units  dropout_rate  val_accuracy" in stdout
    assert "best config:" in stdout and "2 trials, 0 failed, 0 stopped early" in stdout
    rows = (out / "trials.csv").read_text().splitlines()
    assert rows[0].startswith("trial,status,hp:optimizer,hp:learning_rate") and len(rows) == 3
    assert (out / "trials.png").read_bytes()[:4] == b"\x89PNG"
    assert (out / "best" / "export" / "1" / "saved_model.pb").is_file()
    best = json.loads((out / "best.json").read_text())
    assert best["model"] == "mlp" and best["steps"] == 12 and best["digits_steps"] is None
    assert best["seed"] in (trial_seed(0, 0), trial_seed(0, 1))  # each trial's seed: the search's and the trial id


def test_the_best_config_trains_again_to_the_same_result(mlp_search, tmp_path):
    out = mlp_search[0]
    summary = json.loads((out / "summary.json").read_text())
    trial = json.loads(summary["best"].replace("'", '"').replace("None", "null")) if isinstance(summary["best"], str) \
        else summary["best"]
    ran = json.loads((out / "search" / f"trial_{trial['trial']}" / "run" / "metrics.json").read_text())
    code, stdout, stderr = _main("train", "mlp", "--config", out / "best.json", "--out", tmp_path / "again", "--quiet")
    assert code == 0, stderr
    again = json.loads((tmp_path / "again" / "metrics.json").read_text())
    assert again["test_accuracy"] == ran["test_accuracy"] and again["test_loss"] == ran["test_loss"]
    assert again["steps"] == ran["steps"] == 12


def test_failing_trials_are_reported_and_counted(tmp_path):
    tuner = tuning.tuner("toy_tune_fails", max_trials=3, out=tmp_path / "fails", seed=1, max_consecutive_failed_trials=3)
    tuner.search()
    rows = tuner.results()
    failed = [row for row in rows if row["status"] == "FAILED"]
    assert failed and len(failed) < len(rows) == 3
    assert all("ValueError: the toy diverges above learning_rate=0.1" in row["error"] for row in failed)
    assert all(row["hp:learning_rate"] > 0.1 for row in failed)
    summary = tuning.write_report(tmp_path / "fails")
    assert summary["failed"] == len(failed) and summary["best"]["hp:learning_rate"] <= 0.1


@pytest.mark.slow
def test_consecutive_failures_end_the_search_with_the_error(tmp_path):
    code, stdout, stderr = _main("tune", "toy_tune_broken", "--max-trials", 5, "--max-consecutive-failed-trials", 2,
                                 "--out", tmp_path / "broken", "--quiet")
    assert code == 1
    assert "Trial 0 failed: ValueError: the toy diverges" in stdout and "2 trials, 2 failed" in stdout
    assert "kclassics: error: the search ended: Number of consecutive failures exceeded the limit of 2." in stderr


@pytest.mark.parametrize("args, fragment", [
    (["nope"], "Unknown program 'nope'"),
    (["mlp", "--tuner", "annealing"], "Unknown tuner 'annealing'. Received: --tuner='annealing'; 4 are registered: bayesian, grid, hyperband, random."),
    (["mlp", "--objective", "bleu"], "No trial of 'mlp' reports 'bleu'; its trials report val_accuracy, val_loss"),
    (["mlp", "--only", "dropout"], "dropout is not a hyperparameter of 'mlp'"),
    (["mlp", "--strategy", "parameter_server"], "--strategy must be default or mirrored for a search"),
    (["mlp", "--worker", "w0"], "--oracle must be HOST:PORT"),
    (["mlp", "--pruning-warmup", "0.1"], "--pruning-warmup needs --pruning. Received: --pruning-warmup=0.1"),
    (["mlp", "--pruning", "asha", "--pruning-min-trials", "2"],
     "--pruning-min-trials needs --pruning. Received: --pruning-min-trials=2 with --pruning asha"),
    (["mlp", "--pruning", "--pruning-min-fraction", "0.1"],
     "--pruning-min-fraction needs --pruning asha. Received: --pruning-min-fraction=0.1 with --pruning median"),
    (["mlp", "--pruning", "asha", "--pruning-min-fraction", "0"], "--pruning-min-fraction must be above 0 and below 1"),
    (["mlp", "--pruning", "asha", "--pruning-reduction-factor", "1"],
     "--pruning-reduction-factor must be 2 or more. Received: --pruning-reduction-factor=1"),
])
def test_bad_input_is_one_line_before_any_trial(tmp_path, args, fragment):
    code, stdout, stderr = _main("tune", *args, "--out", tmp_path / "s")
    assert code == 2 and stderr.count("\n") <= 2 and stderr.startswith("kclassics: error:"), stderr
    assert fragment in stderr, stderr
    assert not (tmp_path / "s").exists() and "Trial" not in stdout


def test_zero_trials_and_a_resume_of_another_programs_search_are_refused(tmp_path, capsys):
    assert main(["tune", "mlp", "--max-trials", "0"]) == 2
    assert "argument --max-trials: expected a positive integer, received '0'" in capsys.readouterr().err
    assert main(["tune", "mlp", "--pruning", "--pruning-warmup", "1.5"]) == 2
    assert "argument --pruning-warmup: expected a number from 0 to 1, received '1.5'" in capsys.readouterr().err
    assert main(["tune", "mlp", "--pruning", "hyperband"]) == 2
    assert "argument --pruning: invalid choice: 'hyperband'" in capsys.readouterr().err
    tuning.tuner("toy_tune", max_trials=1, out=tmp_path / "toy", verbose=0).search()
    code, _, stderr = _main("tune", "mlp", "--out", tmp_path / "toy", "--resume")
    assert code == 2 and "it is a search of 'toy_tune', not of 'mlp'" in stderr
    code, _, stderr = _main("tune", "toy_tune", "--out", tmp_path / "toy")
    assert code == 2 and "already exists and is not empty; runs are never overwritten" in stderr


@pytest.mark.slow
def test_a_killed_search_resumes_without_repeating_finished_trials(tmp_path):
    out = tmp_path / "killed"
    command = [sys.executable, "-c", TOY_CLI, "tune", "toy_tune", "--max-trials", 3, "--out", out, "--quiet"]
    command = [str(c) for c in command]
    env = subprocess_env(KCLASSICS_TOY_SLEEP="0.4")
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    second = out / "search" / "trial_1" / "run" / "checkpoints" / "ckpt-2.json"
    deadline = time.monotonic() + 120
    while not second.exists() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert second.exists()
    first = (out / "search" / "trial_0" / "result.json").read_text()
    result = subprocess.run([*command, "--resume"], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert (out / "search" / "trial_0" / "result.json").read_text() == first  # finished: not run again
    assert "Trial 0:" not in result.stdout and "Trial 1:" in result.stdout and "resumed" in result.stdout
    resumed = json.loads((out / "search" / "trial_1" / "run" / "metrics.json").read_text())
    assert resumed["resumed_at"][0] >= 2 and resumed["steps"] == 5
    assert [row["status"] for row in trial_rows(out)] == ["COMPLETED"] * 3


def test_the_same_seed_proposes_the_same_trials():
    import keras_tuner

    from kclassics.tuning.search import make_oracle

    def proposals(seed):
        oracle = make_oracle("random", keras_tuner.Objective("val_accuracy", "max"), 3, seed, 3)
        hp = keras_tuner.HyperParameters()
        tuning.ProgramHyperModel("mlp").values(hp)
        oracle.hyperparameters = hp
        return [oracle.populate_space(str(i))["values"] for i in range(3)]

    assert proposals(0) == proposals(0) != proposals(1)  # seed 0 too (keras-tuner draws a random seed for 0)


def test_the_median_rule():
    rule = MedianStopping(warmup=0.25, min_trials=2)
    finished = [[(10, 0.8), (20, 0.9)], [(10, 0.7), (20, 0.95)], [(10, 0.9), (20, 0.97)]]
    assert rule.should_stop([(10, 0.3)], finished, 10, 40, "max")  # clearly behind at step 10
    assert not rule.should_stop([(10, 0.85)], finished, 10, 40, "max")  # at the median's side
    assert not rule.should_stop([(5, 0.1)], finished, 5, 40, "max")  # within the warm-up
    assert not rule.should_stop([(10, 0.3)], finished[:1], 10, 40, "max")  # too few finished trials
    assert rule.should_stop([(10, 2.0)], [[(10, 0.5)], [(10, 0.6)]], 10, 40, "min")  # a loss
    with pytest.raises(ValueError, match="warmup"):
        MedianStopping(warmup=1.5)


def test_successive_halving_keeps_the_top_third_at_each_rung():
    rule = SuccessiveHalving(min_fraction=1 / 9, reduction_factor=3)
    assert rule.rungs(90) == [10, 30] and SuccessiveHalving().rungs(1000) == [38, 112, 334]
    others = [[(10, 0.8), (30, 0.9)], [(10, 0.7), (30, 0.95)], [(10, 0.9)], [(12, 0.6)], [(5, 0.99)]]  # the last: not at 10 yet
    assert rule.should_stop([(5, 0.1), (10, 0.5)], others, 10, 90, "max")  # clearly behind at the first rung
    assert not rule.should_stop([(5, 0.1), (10, 0.92)], others, 10, 90, "max")  # the leader goes on
    assert not rule.should_stop([(5, 0.1), (10, 0.5)], [], 10, 90, "max")  # the first trial at a rung goes on
    assert not rule.should_stop([(10, 0.5), (15, 0.5)], others, 15, 90, "max")  # between rungs: decided at 10 already
    assert rule.should_stop([(10, 0.85), (30, 0.91)], others, 30, 90, "max")  # at the second rung, behind 0.95
    assert not rule.should_stop([(10, 0.95), (30, 0.96)], others, 30, 90, "max")
    assert rule.should_stop([(10, 2.0)], [[(10, 0.5)], [(10, 0.6)]], 10, 90, "min")  # a loss
    assert rule.should_stop([(10, float("nan"))], [[(10, 0.5)]], 10, 90, "min")  # a diverged trial is the worst
    with pytest.raises(ValueError, match="reduction_factor"):
        SuccessiveHalving(reduction_factor=1)
    with pytest.raises(ValueError, match="min_fraction"):
        SuccessiveHalving(min_fraction=1.0)


def test_successive_halving_compares_with_stopped_and_running_trials_too(tmp_path):
    for name, status in (("trial_0", {"status": "COMPLETED"}), ("trial_1", {"status": "COMPLETED", "pruned_at": 10}),
                         ("trial_2", None)):  # finished, stopped, running
        (tmp_path / name).mkdir()
        (tmp_path / name / "curve.json").write_text(json.dumps([[10, 0.5]]))
        if status:
            (tmp_path / name / "result.json").write_text(json.dumps(status))
    assert len(SuccessiveHalving().compared_with(tmp_path, "trial_3")) == 3
    assert len(MedianStopping().compared_with(tmp_path, "trial_3")) == 1
    assert len(trial_curves(tmp_path, except_trial="trial_0")) == 2


def test_the_median_rule_stops_a_real_trial_that_is_clearly_behind(tmp_path):
    from kclassics import programs

    search = tmp_path / "search"
    for i in range(3):  # three finished trials at 0.9 from their first epoch
        trial = search / f"trial_{i}"
        trial.mkdir(parents=True)
        (trial / "curve.json").write_text(json.dumps([[s, 0.9] for s in range(12, 49, 12)]))
        (trial / "result.json").write_text(json.dumps({"status": "COMPLETED"}))
    behind = search / "trial_3"
    behind.mkdir()
    report = TrialReport(behind, "val_accuracy", "max", 48, MedianStopping(warmup=0.25, min_trials=3), verbose=0)
    config = programs.get("mlp").config
    config = type(config)(**{**config.__dict__, "optimizer": "sgd", "learning_rate": 1e-4, "steps": 48, "digits_steps": None})
    result = programs.get("mlp").run(config, out=behind / "run", callbacks=(report,), verbose=0)
    assert report.pruned_at == 12 and result.metrics["steps"] == 12  # stopped after its first epoch past the warm-up


def test_successive_halving_stops_a_real_trial_at_its_first_rung(tmp_path):
    from kclassics import programs

    search = tmp_path / "search"
    for i, status in enumerate(({"status": "COMPLETED", "pruned_at": 12}, {"status": "COMPLETED"}, None)):
        trial = search / f"trial_{i}"  # a stopped, a finished and a running trial, all at 0.9 at the first rung
        trial.mkdir(parents=True)
        (trial / "curve.json").write_text(json.dumps([[12, 0.9]]))
        if status:
            (trial / "result.json").write_text(json.dumps(status))
    behind = search / "trial_3"
    behind.mkdir()
    report = TrialReport(behind, "val_accuracy", "max", 48, SuccessiveHalving(min_fraction=0.25), verbose=0)
    config = programs.get("mlp").config
    config = type(config)(**{**config.__dict__, "optimizer": "sgd", "learning_rate": 1e-4, "steps": 48, "digits_steps": None})
    result = programs.get("mlp").run(config, out=behind / "run", callbacks=(report,), verbose=0)
    assert report.pruned_at == 12 and result.metrics["steps"] == 12  # the first epoch ends at the rung, step 12


@pytest.mark.slow
def test_hyperband_continues_a_trial_from_its_parents_run(tmp_path):
    tuner = tuning.tuner("toy_tune", tuner="hyperband", max_trials=6, out=tmp_path / "hb", objective="score", verbose=0)
    tuner.search()
    rows = tuner.results()
    assert rows and all(row["status"] == "COMPLETED" for row in rows)
    continued = [row for row in rows if row["steps"] == 5]
    assert continued, rows
    search = tmp_path / "hb" / "search"
    resumed = [json.loads((search / f"trial_{row['trial']}" / "run" / "metrics.json").read_text()) for row in continued]
    assert any(metrics.get("resumed_at") for metrics in resumed)


@pytest.mark.slow
def test_bayesian_and_grid_searches_run(tmp_path):
    for name in ("bayesian", "grid"):
        tuner = tuning.tuner("toy_tune", tuner=name, max_trials=4, out=tmp_path / name, verbose=0)
        tuner.search()
        assert [row["status"] for row in tuner.results()] == ["COMPLETED"] * 4
    grid = tuning.write_report(tmp_path / "grid")
    assert grid["rows"][0]["hp:learning_rate"] == pytest.approx(0.1)  # grid search starts at the book's values


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_one_chief_and_two_workers_on_loopback_complete_the_search(tmp_path):
    out, port = tmp_path / "distributed", _free_port()
    base = [sys.executable, "-c", TOY_CLI, "tune", "toy_tune", "--max-trials", "6", "--out", str(out),
            "--oracle", f"127.0.0.1:{port}", "--quiet"]
    env = subprocess_env(KCLASSICS_TOY_SLEEP="0.2")
    chief = subprocess.Popen([*base, "--chief"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    workers = [subprocess.Popen([*base, "--worker", f"tuner{i}"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True) for i in range(2)]
    outputs = [p.communicate(timeout=300) for p in (*workers, chief)]
    assert [p.returncode for p in (*workers, chief)] == [0, 0, 0], outputs
    rows = trial_rows(out)
    assert [row["status"] for row in rows] == ["COMPLETED"] * 6
    ran = [sum(f"Trial {row['trial']}:" in stdout for stdout, _ in outputs[:2]) for row in rows]
    assert ran == [1] * 6  # every trial ran once, on one worker
    assert all(any("Trial" in stdout for stdout, _ in outputs[i:i + 1]) for i in range(2))  # both workers took trials
    assert "6 trials, 0 failed" in outputs[2][0] and (out / "best.json").is_file()


def test_train_config_file_is_checked_before_anything_runs(tmp_path):
    (tmp_path / "other.json").write_text(json.dumps({"model": "mnist_cnn"}))
    (tmp_path / "unknown.json").write_text(json.dumps({"learning_rate": 0.1, "momentum": 0.9}))
    (tmp_path / "list.json").write_text("[1, 2]")
    for name, fragment in (("other", "--config is a config of 'mnist_cnn', not of program 'mlp'"),
                           ("unknown", "sets momentum, which TrainConfig does not have; its fields are model, optimizer"),
                           ("list", "--config must be a JSON object of settings")):
        code, _, stderr = _main("train", "mlp", "--config", tmp_path / f"{name}.json", "--out", tmp_path / "run")
        assert code == 2 and fragment in stderr and stderr.count("\n") == 1, stderr
        assert not (tmp_path / "run").exists()


@pytest.mark.slow
def test_trials_train_under_a_mirrored_strategy(tmp_path):
    code, stdout, stderr = _main("tune", "mlp", "--steps", 12, "--max-trials", 1, "--strategy", "mirrored",
                                 "--out", tmp_path / "mirrored", "--quiet")
    assert code == 0, stderr
    assert "1 trials, 0 failed" in stdout


def test_a_trial_leaves_no_traced_graph_behind_in_tensorflows_gradient_registry():
    import gc

    import tensorflow as tf
    from tensorflow.python.framework import func_graph

    from kclassics._tensorflow import custom_gradient_names as _custom_gradients
    from kclassics._tensorflow import forget_custom_gradients as _forget_custom_gradients

    @tf.custom_gradient
    def double(x):
        return 2 * x, lambda dy: 2 * dy

    def traced_graphs():
        gc.collect()
        return sum(isinstance(o, func_graph.FuncGraph) and o.name == "step" for o in gc.get_objects())

    @tf.function
    def step(x):
        return tf.gradients(double(x), x)[0]

    before, graphs = _custom_gradients(), traced_graphs()
    assert float(step(tf.constant(1.0))) == 2.0
    del step
    assert len(_custom_gradients() - before) == 1 and traced_graphs() == graphs + 1  # TensorFlow keeps the graph
    _forget_custom_gradients(before)
    assert _custom_gradients() == before and traced_graphs() == graphs

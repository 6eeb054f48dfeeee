"""The run scaffold: one run directory, one checkpoint mechanism, the whole run's history, exports kept once."""

import dataclasses
import json
import os
import signal
import stat
import subprocess
import sys
import time

import pytest

from kclassics import programs
from kclassics.runs import Run
from tests.conftest import subprocess_env

SOFTMAX = dataclasses.replace(programs.get("softmax_regression").config, steps=24)  # 12 steps per epoch of the digits


def metrics_of(run_dir):
    return json.loads((run_dir / "metrics.json").read_text())


def test_a_new_program_is_a_config_and_a_loop_and_resumes_through_the_cli(tmp_path):
    """A program declared in a few lines, with an option of its own, killed mid-run and resumed from the command line."""
    code = f"""
import dataclasses, os, signal, sys
from kclassics import programs, validation
from kclassics.cli import main
from kclassics.runs import Run

@dataclasses.dataclass(frozen=True)
class SumConfig:
    steps: int = 6
    start: int = 0
    seed: int = 0

def sum_steps(config, program, out=None, resume=False, data_dir=None, callbacks=(), verbose="auto"):
    run = Run.open(out, program, config, resume, checkpoint_steps=2)
    total = run.restore().get("total", config.start)
    for step in range(run.step + 1, config.steps + 1):
        total += step
        run.record(step, total=total)
        if run.due(step):
            run.checkpoint(step, total=total)
        if step == int(os.environ.get("KILL_AT", 0)):
            os.kill(os.getpid(), signal.SIGKILL)
    return run.finish(metrics={{"total": total}}, step=config.steps)

programs.register(programs.Program(
    "sum_steps", SumConfig(), sum_steps, "adds the step numbers", summary="total {{total}} after {{steps}} steps",
    options=(programs.Option("start", int, "the number to add to", validation.non_negative_int),), task=None))
sys.exit(main(sys.argv[1:]))
"""
    out = tmp_path / "run"

    def cli(*args, **env):
        return subprocess.run([sys.executable, "-c", code, "train", "sum_steps", *args],
                              capture_output=True, text=True, timeout=300, env=subprocess_env(**env))

    shown = cli("--help")
    assert "--start START" in shown.stdout and "the number to add to (default: 0)" in shown.stdout
    assert "--steps N" in shown.stdout and "--batch-size" not in shown.stdout, "only the options its config has"
    assert cli("--start", "-1").returncode == 2
    killed = cli("--out", str(out), "--start", "100", KILL_AT="5")
    assert killed.returncode == -signal.SIGKILL
    assert cli("--out", str(out), "--start", "100").returncode == 2, "a killed run is not overwritten by a new one"
    resumed = cli("--out", str(out), "--start", "100", "--resume", "--steps", "7")
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "total 128 after 7 steps" in resumed.stdout
    metrics = metrics_of(out)
    assert metrics["total"] == 128 and metrics["resumed_at"] == [4]
    assert [value for _, value in metrics["history"]["total"]] == [101, 103, 106, 110, 115, 121, 128]
    assert (out / "curves.png").read_bytes()[:4] == b"\x89PNG"
    assert json.loads((out / "run.json").read_text())["program"] == "sum_steps"


# Each program with a long first run (killed after its first checkpoint) and the options of a small one.
KILLED_RUNS = {
    "softmax_regression": (["--steps", "100000", "--batch-size", "100"], "--steps", 5),
    "denoising_autoencoder": (["--steps", "100000"], "--steps", 9),
    "tensorboard_mnist": (["--steps", "100000"], "--steps", 5),
    "mlp": (["--steps", "100000", "--batch-size", "100"], "--steps", 5),
    "mnist_cnn": (["--steps", "100000", "--batch-size", "50"], "--steps", 5),
    "birnn_mnist": (["--steps", "100000", "--batch-size", "128"], "--steps", 5),
    "cifar10_cnn": (["--steps", "100000", "--batch-size", "32"], "--steps", 5),
    "cifar10_blog": (["--steps", "100000", "--batch-size", "32", "--set", "model=conv_bn_net"], "--steps", 5),
    "word2vec": (["--steps", "100000", "--set", "log_every=100", "--set", "tsne_iterations=250"], "--steps", 5),
    "ptb_lm": (["--epochs", "100000", "--batch-size", "4"], "--epochs", 2),  # one batch an epoch: epochs count steps
    # chapter 10: checkpoints every 100 steps (KMeans every Lloyd iteration); the random forest grows in one call, no checkpoints
    "iris_linear": (["--steps", "100000"], "--steps", 5),
    "iris_custom_model": (["--steps", "100000"], "--steps", 5),
    "iris_dnn": (["--steps", "100000"], "--steps", 5),
    "iris_svm": (["--steps", "100000"], "--steps", 5),
    "kmeans_blobs": (["--steps", "100000"], "--steps", 2),
    "wide_deep_penguins": (["--steps", "100000"], "--steps", 5),
}
# The default run kills softmax_regression (the fit path); each other loop's resume is also tested in its own
# module in one process (tests/programs/test_tensorboard.py, test_autoencoder.py, ...).
SLOW_KILLS = {"denoising_autoencoder", "tensorboard_mnist",
              "mlp", "mnist_cnn", "birnn_mnist", "cifar10_cnn", "cifar10_blog", "word2vec", "ptb_lm",  # chapter 10's: 23-55 s each here (two TensorFlow starts)
              "iris_linear", "iris_custom_model", "iris_dnn", "iris_svm", "kmeans_blobs", "wide_deep_penguins"}


@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW_KILLS else n for n in KILLED_RUNS]
)
def test_kill_9_after_the_first_checkpoint_then_resume(name, tmp_path):
    first, length_flag, more = KILLED_RUNS[name]
    data = []
    if name in ("cifar10_cnn", "cifar10_blog"):
        from tests.programs.test_cifar10 import write_learnable_cifar10

        data = ["--data-dir", str(write_learnable_cifar10(tmp_path / "data"))]
    if name == "ptb_lm":
        from tests.programs.test_ptb_lm import write_text_corpus

        data = ["--data-dir", str(write_text_corpus(tmp_path / "data", sizes=(150, 150, 150)))]
    out = tmp_path / "run"
    command = [sys.executable, "-m", "kclassics", "train", name, "--out", str(out), "--quiet", *data]
    process = subprocess.Popen([*command, *first], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=subprocess_env())
    deadline = time.monotonic() + 300
    while not list(out.glob("checkpoints/ckpt-*.json")):
        assert process.poll() is None, process.stderr.read().decode()[-2000:]
        assert time.monotonic() < deadline, "no checkpoint within 300 s"
        time.sleep(0.2)
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.stderr.close()
    reached = max(int(p.name.split("-")[1].split(".")[0]) for p in (out / "checkpoints").glob("ckpt-*.json"))

    total = reached + more
    same_settings = [arg for arg in first if arg not in (length_flag, first[first.index(length_flag) + 1])]
    done = subprocess.run([*command, *same_settings, "--resume", length_flag, str(total)], capture_output=True, text=True,
                          timeout=600, env=subprocess_env())
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.count("Restored checkpoint") == 1
    metrics = metrics_of(out)
    assert metrics["resumed_at"] == [reached]
    assert metrics["steps"] >= total if name == "denoising_autoencoder" else metrics["steps"] == total
    first_points = {key: points[0][0] for key, points in metrics["history"].items()}
    assert min(first_points.values()) <= reached, "the history holds the steps before the kill"


def test_resume_refuses_changed_settings_and_records_nothing(tmp_path):
    program = programs.get("softmax_regression")
    program.run(dataclasses.replace(SOFTMAX, steps=12), out=tmp_path / "run", verbose=0)
    saved = (tmp_path / "run" / "config.json").read_text()
    changed = dataclasses.replace(SOFTMAX, learning_rate=0.01, batch_size=7)
    with pytest.raises(ValueError, match=r"learning_rate 0.5 -> 0.01.*only its length"):
        program.run(changed, out=tmp_path / "run", resume=True, verbose=0)
    assert (tmp_path / "run" / "config.json").read_text() == saved


def test_history_is_the_whole_run_across_resumes(tmp_path):
    program = programs.get("softmax_regression")
    program.run(dataclasses.replace(SOFTMAX, steps=12), out=tmp_path / "run", verbose=0)
    resumed = program.run(SOFTMAX, out=tmp_path / "run", resume=True, verbose=0)
    assert [step for step, _ in resumed.metrics["history"]["loss"]] == [12, 24]
    assert [step for step, _ in resumed.metrics["history"]["val_accuracy"]] == [12, 24]
    seconds = resumed.metrics["train_seconds"]
    finished = program.run(SOFTMAX, out=tmp_path / "run", resume=True, verbose=0)
    assert finished.history == {} and finished.metrics["history"] == resumed.metrics["history"]
    assert finished.metrics["train_seconds"] >= seconds > 0
    assert finished.metrics["resumed_at"] == [12, 24]


def test_a_run_killed_before_its_first_checkpoint_resumes_from_step_0(tmp_path):
    Run.open(tmp_path / "run", "softmax_regression", SOFTMAX)  # what a kill before the first checkpoint leaves
    result = programs.get("softmax_regression").run(SOFTMAX, out=tmp_path / "run", resume=True, verbose=0)
    assert result.steps == 24 and result.metrics["resumed_at"] == [0]


def test_a_checkpoint_is_due_on_time_as_well_as_steps(tmp_path):
    run = Run.open(tmp_path / "run", checkpoint_steps=1000, checkpoint_seconds=0.05)
    assert not run.due(1)
    time.sleep(0.06)
    assert run.due(2) and run.due(2, by_steps=False)
    run.checkpoint(2, position=7)
    assert not run.due(3) and run.due(1000)


def test_export_is_kept_once_and_staging_is_cleaned(tmp_path):
    program = programs.get("softmax_regression")
    first = program.run(dataclasses.replace(SOFTMAX, steps=12), out=tmp_path / "run", verbose=0)
    (first.run_dir / "metrics.json").unlink()  # a kill after the export, before metrics.json
    stale = first.run_dir / "export" / ".2-abc123"
    stale.mkdir()  # a kill during an export
    again = program.run(dataclasses.replace(SOFTMAX, steps=12), out=tmp_path / "run", resume=True, verbose=0)
    assert sorted(p.name for p in (first.run_dir / "export").iterdir()) == ["1"]
    assert again.export_path == first.export_path
    assert [step for step, _ in again.metrics["history"]["loss"]] == [12]


def test_exports_and_run_files_follow_the_umask(tmp_path):
    previous = os.umask(0o022)
    try:
        result = programs.get("softmax_regression").run(dataclasses.replace(SOFTMAX, steps=3), out=tmp_path / "run", verbose=0)
    finally:
        os.umask(previous)
    for path in (result.export_path, result.export_path / "saved_model.pb", result.run_dir / "metrics.json",
                 result.run_dir / "model.keras", next((result.run_dir / "checkpoints").glob("*.weights.h5"))):
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o044 == 0o044, f"{path} is {oct(mode)}: others cannot read it"


def test_a_file_as_run_directory_is_named(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(FileExistsError, match="is a file, not a directory"):
        Run.open(tmp_path / "file")

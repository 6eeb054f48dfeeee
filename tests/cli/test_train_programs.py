"""`kclassics train NAME` and `apps/NAME.py` for the book's programs, and their bad-input errors."""

import json
import subprocess
import sys

from tests.conftest import ROOT, subprocess_env
from tests.data.test_mnist import write_mnist

PROGRAMS = {
    "softmax_regression", "denoising_autoencoder", "mlp", "mnist_cnn", "cifar10_cnn", "cifar10_cnn_long", "cifar10_blog",
    "birnn_mnist", "tensorboard_mnist", "cartpole_pg", "gridworld_dqn",
}


def test_every_program_is_registered_with_an_apps_script():
    from kclassics import programs

    assert PROGRAMS <= set(programs.list_programs())
    for name in PROGRAMS - {"cifar10_cnn_long"}:
        assert f'"train", "{name}"' in (ROOT / "apps" / f"{name}.py").read_text()


def test_apps_holds_one_launcher_per_program_and_nothing_else():
    from kclassics import programs

    scripts = {path.stem for path in (ROOT / "apps").glob("*.py")}
    # The book's two scripts that are not `kclassics train` programs: its cluster (book 9.3) and its monitor example.
    assert scripts - set(programs.list_programs()) == {"distributed_mnist", "iris_validation_monitor"}
    assert not list((ROOT / "apps").glob("benchmark_*")), "benchmarks belong in benchmarks/"


def test_data_dir_runs_the_book_experiment_on_mnist_files(run_cli, tmp_path):
    write_mnist(tmp_path / "mnist", train=5100, test=20)
    done = run_cli("train", "softmax_regression", "--data-dir", tmp_path / "mnist", "--steps", 3, "--out", tmp_path / "run", "--quiet")
    assert done.returncode == 0, done.stderr
    assert "test accuracy" in done.stdout
    assert json.loads((tmp_path / "run" / "config.json").read_text())["dataset"] == "mnist"


def test_apps_script_runs_the_program(tmp_path):
    done = subprocess.run(
        [sys.executable, str(ROOT / "apps" / "denoising_autoencoder.py"), "--epochs", "1", "--out", str(tmp_path / "run")],
        capture_output=True, text=True, timeout=600, cwd=tmp_path, env=subprocess_env(),
    )
    assert done.returncode == 0, done.stderr
    assert "Epoch: 0001 cost=" in done.stdout and "test total cost" in done.stdout


def test_bad_inputs_are_one_line_errors(run_cli, tmp_path):
    done = run_cli("train", "mlp", "--data-dir", tmp_path / "nowhere", "--out", tmp_path / "run")
    assert done.returncode == 2
    assert "kclassics: error: --data-dir" in done.stderr and "nowhere does not exist" in done.stderr
    assert not (tmp_path / "run").exists()
    (tmp_path / "empty").mkdir()
    done = run_cli("train", "mlp", "--data-dir", tmp_path / "empty", "--out", tmp_path / "run")
    assert done.returncode == 2 and "train-images-idx3-ubyte" in done.stderr
    assert not (tmp_path / "run").exists()
    done = run_cli("train", "cifar10_cnn", "--epochs", 2)
    assert done.returncode == 2 and "--epochs 2 is not an option of program 'cifar10_cnn'" in done.stderr
    assert done.stderr.strip().splitlines()[-1] == "see: kclassics train cifar10_cnn --help"


def test_mixed_precision_flag(run_cli, tmp_path):
    done = run_cli("train", "softmax_regression", "--steps", 3, "--mixed-precision", "--out", tmp_path / "run", "--quiet")
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "run" / "config.json").read_text())["mixed_precision"] is True
    done = run_cli("train", "denoising_autoencoder", "--mixed-precision")
    assert done.returncode == 2 and "--mixed-precision is not an option of program 'denoising_autoencoder'" in done.stderr

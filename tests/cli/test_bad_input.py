"""Bad input on the command line and in configs: one clear line naming the option, and no run directory left behind."""

import dataclasses
import subprocess
import sys
import time

import pytest

from kclassics import programs
from kclassics.export import export_saved_model
from tests.conftest import subprocess_env
from tests.test_cli import assert_one_line_error


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["--learning-rate", "inf"], "argument --learning-rate: expected a finite positive number, received 'inf'"),
        (["--epochs", "1", "--steps", "5"], "argument --steps: not allowed with argument --epochs"),
        (["--seed", "-1"], "argument --seed: expected an integer between 0 and 4294967295, received '-1'"),
        (["--batch-size", "5000"], "`batch_size` (--batch-size) must be at most the 1257 training examples"),
    ],
)
def test_refused_before_any_run_directory(run_cli, tmp_path, args, fragment):
    assert_one_line_error(run_cli("train", "softmax_regression", "--out", tmp_path / "run", *args), fragment)
    assert not (tmp_path / "run").exists()


def test_out_naming_a_file(run_cli, tmp_path):
    (tmp_path / "file").write_text("mine")
    assert_one_line_error(run_cli("train", "softmax_regression", "--out", tmp_path / "file", "--steps", 1), "is a file, not a directory")
    assert (tmp_path / "file").read_text() == "mine"


def test_config_refuses_infinite_learning_rate_and_bad_seed():
    config = programs.get("mlp").config
    with pytest.raises(ValueError, match="learning_rate=inf"):
        dataclasses.replace(config, learning_rate=float("inf"))
    with pytest.raises(ValueError, match="seed=-1"):
        dataclasses.replace(config, seed=-1)


def test_export_onto_a_file(tmp_path):
    from kclassics import apps

    (tmp_path / "file").write_text("mine")
    with pytest.raises(NotADirectoryError, match="`export_dir` must be a directory"):
        export_saved_model(apps.softmax_regression(), tmp_path / "file")


def test_one_epoch_is_one_pass(tmp_path):
    result = programs.get("softmax_regression").run(
        dataclasses.replace(programs.get("softmax_regression").config, epochs=1), out=tmp_path / "run", verbose=0
    )
    assert result.steps == 13  # ceil(1,257 / 100)
    assert [step for step, _ in result.metrics["history"]["loss"]] == [13]


def test_help_version_and_list_do_not_load_tensorflow(tmp_path):
    code = "import sys; from kclassics.cli import main; main(sys.argv[1:]); assert 'tensorflow' not in sys.modules, 'loaded'"
    for args in (["--help"], ["--version"], ["train", "--help"], ["list", "resnet*"], ["list", "--json"]):
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120, env=subprocess_env())
        assert done.returncode == 0 and "loaded" not in done.stderr, done.stderr[-2000:]
        assert time.perf_counter() - start < 30


def test_tensorflow_logs_hidden_unless_verbose(tmp_path):
    env = subprocess_env()
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)  # as a user's shell has it

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "kclassics", *args], capture_output=True, text=True, timeout=300, env=env)

    quiet = cli("info", "mlp")  # loads TensorFlow
    assert quiet.returncode == 0 and quiet.stderr == "", quiet.stderr
    verbose = cli("--verbose", "info", "mlp")
    assert verbose.returncode == 0 and "I0000" in verbose.stderr

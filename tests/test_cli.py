"""The command line: help, listing, and one-line errors with exit status 2."""

import json
import os

import pytest

from kclassics import __version__


def assert_one_line_error(result, *fragments):
    """Exit status 2 and one `kclassics: error:` line holding every fragment, followed by at most one hint line."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    errors = [i for i, line in enumerate(lines) if line.startswith("kclassics: error:")]
    assert len(errors) == 1, result.stderr
    line = lines[errors[0]]
    assert len(lines) - errors[0] <= 2, f"more than one hint line: {lines[errors[0]:]}"
    for fragment in fragments:
        assert fragment in line, line


def test_version(run_cli):
    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"kclassics {__version__}"


@pytest.mark.parametrize("command", [[], ["list"], ["info"], ["train"]])
def test_help(run_cli, command):
    result = run_cli(*command, "--help")
    assert result.returncode == 0 and "usage: kclassics" in result.stdout


def test_list_and_info(run_cli):
    table = run_cli("list", "m*")
    assert table.returncode == 0
    assert "mnist_cnn" in table.stdout and "3,274,634" in table.stdout and "softmax_regression" not in table.stdout
    card = json.loads(run_cli("info", "mlp", "--json").stdout)
    assert card["params"] == 238_510 and card["book_section"] == "4.4"


def test_unknown_model(run_cli):
    assert_one_line_error(run_cli("info", "mnist_cn"), "Did you mean 'mnist_cnn'?")


def test_unknown_program(run_cli):
    assert_one_line_error(run_cli("train", "mnist_cn"), "Unknown program 'mnist_cn'")


def test_no_pattern_match(run_cli):
    assert_one_line_error(run_cli("list", "zz*"), "No model matches")


@pytest.mark.parametrize(
    "args,fragment",
    [
        (["--batch-size", "0"], "--batch-size: expected a positive integer, received '0'"),
        (["--epochs", "-1"], "--epochs: expected a positive integer, received '-1'"),
        (["--steps", "x"], "--steps: expected a positive integer"),
        (["--learning-rate", "0"], "--learning-rate: expected a finite positive number"),
    ],
)
def test_bad_train_arguments(run_cli, args, fragment):
    assert_one_line_error(run_cli("train", *args), fragment)


def test_unwritable_output_directory(run_cli, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    # root may write anywhere, so also try a kernel filesystem that refuses everyone
    target = locked / "run" if os.geteuid() != 0 else "/sys/kclassics-run"
    assert_one_line_error(run_cli("train", "--out", target), "not writable")


def test_unwritable_output_directory_under_a_file(run_cli, tmp_path):
    (tmp_path / "file").write_text("x")
    assert_one_line_error(run_cli("train", "--out", tmp_path / "file" / "run"), "not a directory")


def test_existing_run_directory_is_not_overwritten(run_cli, tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "mine.txt").write_text("keep")
    assert_one_line_error(run_cli("train", "--out", run), "never overwritten")
    assert (run / "mine.txt").read_text() == "keep"


def test_resume_needs_out(run_cli):
    assert_one_line_error(run_cli("train", "--resume"), "--resume needs --out")


def test_strategy_with_a_program_that_does_not_take_one(run_cli):
    assert_one_line_error(run_cli("train", "tensorboard_mnist", "--strategy", "mirrored"),
                          "argument --strategy: invalid choice: 'mirrored' (choose from 'default')")

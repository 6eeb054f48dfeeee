"""`kclassics bench`: the book's lines, the figures, the JSON file and clear errors."""

import json
import re

import pytest

from kclassics import cli

STEP = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: step (\d+), duration = \d+\.\d{3}"
SUMMARY = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: Train across 12 steps, \d+\.\d{3} \+/- \d+\.\d{3} sec / batch"


def test_bench_prints_the_book_lines_and_writes_json(run_cli, tmp_path):
    result = run_cli("bench", "mnist_cnn", "--mode", "train", "--batch-size", "4", "--image-size", "12",
                     "--steps", "12", "--warmup", "2", "--no-jit", "--json", "figures.json")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"matmul peak: \d+\.\d GFLOP/s \(2048x2048 float32\)", lines[0])
    assert [int(re.fullmatch(STEP, line).group(1)) for line in lines[1:3]] == [0, 10]
    assert re.fullmatch(SUMMARY, lines[3])
    assert re.fullmatch(
        r"\d+\.\d images/sec, \d+\.\d GFLOP/s achieved \(2\.56M multiply-adds per image\), "
        r"\d+\.\d% of the \d+\.\d GFLOP/s matmul peak \(jit_compile=False, float32\)",
        lines[4],
    )
    assert lines[5] == "figures written to figures.json"
    figures = json.loads((tmp_path / "figures.json").read_text())
    assert figures["mode"] == "train" and figures["steps"] == 12 and len(figures["durations"]) == 12
    assert figures["batch_size"] == 4 and figures["input_shape"] == [12, 12, 1]
    assert f"{figures['mean']:.3f} +/- {figures['sd']:.3f}" in lines[3]


def test_bench_compare_keras_pairs_steps_with_the_twin(capsys, tmp_path):
    path = tmp_path / "pairs.json"
    argv = ["bench", "resnet_v2_50", "--mode", "forward", "--image-size", "32", "--batch-size", "2",
            "--steps", "3", "--warmup", "1", "--compare", "keras", "--json", str(path)]
    assert cli.main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    assert re.fullmatch(STEP + r" \(keras: \d+\.\d{3}, ratio \d+\.\d\d\)", lines[1])
    assert re.fullmatch(r"keras.applications.ResNet50V2: \d+\.\d{3} \+/- \d+\.\d{3} sec / batch \(jit_compile=False\)", lines[4])
    figures = json.loads(path.read_text())
    pairs = figures["compare"]
    assert pairs["ratios"] == pytest.approx([k / c for c, k in zip(figures["durations"], pairs["durations"])])
    assert lines[5] == (
        f"speed ratio kclassics/keras per step pair: median {pairs['ratio_median']:.3f}, "
        f"min {pairs['ratio_min']:.3f}, max {pairs['ratio_max']:.3f} (> 1: kclassics faster)"
    )
    assert pairs["ratio_median"] > 0 and figures["op_seconds"] is None
    # Both networks do the same arithmetic: the twin's count is the kclassics count.
    from kclassics import apps, profiler

    assert figures["multiply_adds_per_image"] == profiler.multiply_adds(apps.keras_twin("resnet_v2_50", input_shape=(32, 32, 3)))


@pytest.mark.parametrize(
    "argv, message",
    [
        (["bench", "resnet_v2_51"], "kclassics: error: Unknown model 'resnet_v2_51'"),
        (["bench", "mnist_cnn", "--compare", "keras"], "kclassics: error: Model 'mnist_cnn' has no keras.applications twin"),
    ],
)
def test_bench_user_errors(capsys, argv, message):
    assert cli.main(argv) == 2
    assert capsys.readouterr().err.startswith(message)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--steps", "0"], "argument --steps: expected a positive integer, received '0'"),
        (["--warmup", "-1"], "argument --warmup: expected a non-negative integer, received '-1'"),
        (["--mode", "backward"], "argument --mode: invalid choice: 'backward'"),
        (["--compare", "torch"], "argument --compare: invalid choice: 'torch'"),
        (["--profile-ops", "-2"], "argument --profile-ops: expected a non-negative integer, received '-2'"),
        (["--profile-by", "scope"], "argument --profile-by: invalid choice: 'scope'"),
    ],
)
def test_bench_bad_arguments(capsys, argv, message):
    assert cli.main(["bench", "mnist_cnn", *argv]) == 2
    error, hint = capsys.readouterr().err.splitlines()
    assert error.startswith(f"kclassics: error: {message}") and hint == "see: kclassics bench --help"


def test_bench_never_overwrites_json(capsys, tmp_path):
    path = tmp_path / "mine.json"
    path.write_text("keep me")
    assert cli.main(["bench", "mnist_cnn", "--json", str(path)]) == 2
    assert "already exists; it is never overwritten" in capsys.readouterr().err
    assert path.read_text() == "keep me"

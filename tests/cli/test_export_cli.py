"""`kclassics export` of a program's run: its signature in LiteRT and ONNX, int8 calibrated on its training split."""

import json

import pytest

from kclassics import programs
from kclassics.cli import main


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    program = programs.get("softmax_regression")
    out = tmp_path_factory.mktemp("runs") / "softmax"
    program.run(program.length.set(program.config, 40), out=out, verbose=0)
    return out


def export(capsys, *args):
    status = main(["export", *map(str, args)])
    captured = capsys.readouterr()
    return status, captured.out.splitlines(), captured.err


def test_the_run_records_its_export_options(run_dir):
    options = json.loads((run_dir / "run.json").read_text())["export"]["options"]
    assert options == {"from_logits": False, "preprocess": "kclassics.export.saved_model:scale_to_unit"}


def test_int8_calibrated_on_the_training_split_reports_its_test_accuracy(run_dir, capsys):
    status, lines, err = export(capsys, run_dir, "--format", "litert", "--quantize", "int8")
    assert status == 0, err
    assert lines[0].startswith(f"kclassics export: wrote {run_dir / 'model-int8.tflite'}: LiteRT, int8 weights and activations")
    assert lines[1] == "kclassics export: signature serving_default: images -> classes, probabilities"
    assert lines[2].startswith("kclassics export: the LiteRT interpreter vs Keras on 100 test examples: max difference")
    accuracy = lines[3].split("Keras float32 ")[1]
    before, after = float(accuracy.split(",")[0]), float(accuracy.split("int8 ")[1].split(" ")[0])
    assert lines[3].startswith("kclassics export: test accuracy on 360 examples") and before > 0.7 and abs(after - before) < 0.05


def test_onnx_of_the_run_is_within_the_tolerance_and_never_overwritten(run_dir, capsys):
    status, lines, err = export(capsys, run_dir, "--format", "onnx")
    assert status == 0, err
    assert "(within 0.0001)" in lines[-1] and "classes equal" in lines[-1]
    status, _, err = export(capsys, run_dir, "--format", "onnx")
    assert status == 2 and "model.onnx exists; exports are never overwritten" in err


@pytest.mark.parametrize("args, fragment", [
    (["--format", "litert", "--data-dir", "."], "the run of softmax_regression reads no dataset files (digits)"),
    (["--format", "onnx", "--input-size", "32"], "a run's model keeps the input it was trained on"),
])
def test_bad_run_arguments(run_dir, capsys, args, fragment):
    status, _, err = export(capsys, run_dir, *args)
    assert status == 2 and fragment in err and len(err.strip().splitlines()) == 1


def test_a_run_without_its_model(tmp_path, capsys):
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "run.json").write_text(json.dumps({"program": "mnist_cnn", "export": {"task": "image_classification", "options": {}}}))
    status, _, err = export(capsys, tmp_path, "--format", "onnx")
    assert status == 2 and "(mnist_cnn, interrupted at step 0; --resume finishes it) has no model.keras" in err


def test_int8_of_a_program_without_data_splits(tmp_path, capsys):
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "model.keras").write_text("")  # refused before the model is read
    (tmp_path / "run.json").write_text(json.dumps({"program": "cartpole_pg", "export": {"task": "policy", "options": {}}}))
    status, _, err = export(capsys, tmp_path, "--format", "litert", "--quantize", "int8")
    assert status == 2 and "program 'cartpole_pg' declares none (float16 and dynamic need no data)" in err

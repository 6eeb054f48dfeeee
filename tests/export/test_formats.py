"""Bad export requests: each refused with one line before anything is built or written, on the command line before TensorFlow loads."""

import json
import subprocess
import sys

import pytest

from kclassics.export.formats import FORMATS, QUANTIZATIONS, TOLERANCE, check_request
from tests.conftest import subprocess_env


@pytest.mark.parametrize(
    "format, quantize, path, data, error, fragment",
    [
        ("tflite", "none", None, False, ValueError, "Unknown `format`. Accepted: savedmodel, onnx, litert. Received: format='tflite'"),
        ("litert", "int4", None, False, ValueError, "Unknown `quantize`. Accepted: none, float16, dynamic, int8. Received: quantize='int4'"),
        ("onnx", "int8", None, True, ValueError, "`quantize='int8'` is not offered for format 'onnx'"),
        ("savedmodel", "float16", None, False, ValueError, "Accepted for savedmodel: none."),
        ("litert", "int8", None, False, ValueError, "int8 quantisation calibrates the activations' ranges on representative inputs"),
        ("litert", "none", "model.onnx", False, ValueError, "A LiteRT export is a file ending in .tflite"),
        ("onnx", "none", "taken.onnx", False, FileExistsError, "taken.onnx exists; exports are never overwritten"),
        ("savedmodel", "none", "taken.onnx", False, NotADirectoryError, "goes to a directory of numbered versions"),
    ],
)
def test_bad_requests(tmp_path, format, quantize, path, data, error, fragment):
    (tmp_path / "taken.onnx").write_text("mine")
    with pytest.raises(error) as raised:
        check_request(format, quantize, None if path is None else tmp_path / path, representative_data=data)
    assert fragment in str(raised.value) and "\n" not in str(raised.value)
    assert (tmp_path / "taken.onnx").read_text() == "mine" and sorted(p.name for p in tmp_path.iterdir()) == ["taken.onnx"]


def test_every_format_offers_none_and_litert_every_quantisation():
    assert all("none" in spec.quantizations for spec in FORMATS.values())
    assert FORMATS["litert"].quantizations == tuple(QUANTIZATIONS)


# Each answered with one line and exit status 2, before TensorFlow is imported and before anything is written.
BAD_COMMANDS = {
    "unknown format": (["mnist_cnn", "--format", "tflite"], "Unknown `format`. Accepted: savedmodel, onnx, litert"),
    "unknown quantisation": (["mnist_cnn", "--format", "litert", "--quantize", "int4"], "Unknown `quantize`"),
    "a quantisation the format lacks": (["mnist_cnn", "--format", "onnx", "--quantize", "dynamic"],
                                        "`quantize='dynamic'` is not offered for format 'onnx'"),
    "int8 without data": (["mnist_cnn", "--format", "litert", "--quantize", "int8"], "int8 quantisation calibrates"),
    "a path that exists": (["mnist_cnn", "--format", "onnx", "--out", "taken.onnx"], "taken.onnx exists"),
    "an unknown model": (["mnsit_cnn", "--format", "onnx"], "Did you mean 'mnist_cnn'?"),
    "an input size below the smallest": (["resnet_v2_50", "--format", "onnx", "--input-size", "8"], "at least 32x32"),
    "an input size of a fixed-size model": (["mnist_cnn", "--format", "onnx", "--input-size", "32"], "takes only its 28x28x1"),
    "data for a model": (["mnist_cnn", "--format", "onnx", "--data-dir", "."], "goes with a run directory"),
    "a directory that is no run": (["empty", "--format", "onnx"], "it is not a run directory"),
    "a model name whose directory is no run": (["mnist_cnn", "--format", "savedmodel", "--quantize", "int8"], "Accepted for savedmodel: none"),
    "no format": (["mnist_cnn"], "the following arguments are required: --format"),
}


def test_bad_commands_answer_one_line_before_tensorflow(tmp_path):
    (tmp_path / "taken.onnx").write_text("mine")
    (tmp_path / "empty").mkdir()
    (tmp_path / "mnist_cnn" / "1").mkdir(parents=True)  # the model's SavedModel base directory: the name still names it
    code = f"""
import contextlib, io, json, sys
from kclassics.cli import main
answers = {{}}
for name, (args, _) in {json.dumps(BAD_COMMANDS)}.items():
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        status = main(["export", *args])
    answers[name] = (status, err.getvalue(), "tensorflow" in sys.modules)
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        main(["export", "--help"])
    except SystemExit as exit:
        answers["--help"] = (exit.code, out.getvalue(), "tensorflow" in sys.modules)
print(json.dumps(answers))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path,
                          env=subprocess_env())
    assert done.returncode == 0, done.stderr[-2000:]
    answers = json.loads(done.stdout)
    for name, (_, fragment) in BAD_COMMANDS.items():
        status, err, tensorflow = answers[name]
        lines = err.strip().splitlines()
        assert status == 2 and lines[0].startswith("kclassics: error:") and fragment in lines[0], (name, err)
        assert len(lines) <= 2 and not tensorflow, (name, err)
    status, shown, tensorflow = answers["--help"]
    assert status == 0 and "--quantize KIND" in shown and not tensorflow
    shown = " ".join(shown.split())  # the help names what kclassics.export.formats declares
    assert "savedmodel, onnx or litert" in shown and list(FORMATS) == ["savedmodel", "onnx", "litert"]
    assert all(kind in shown for kind in QUANTIZATIONS) and TOLERANCE == 1e-4 and "within 1e-4" in shown
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "mnist_cnn", "taken.onnx"]
    assert (tmp_path / "taken.onnx").read_text() == "mine"

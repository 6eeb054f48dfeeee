"""Name, path and value errors are answered before TensorFlow loads, as one error line and at most one hint.

One child process runs every case through `kclassics.cli.main` and reports,
for each, the exit status, what it printed and whether TensorFlow (or Keras)
was imported by then; `benchmarks/benchmark_cli.py` times the same cases as whole
processes.
"""

import json
import subprocess
import sys

import pytest

from tests.conftest import subprocess_env

# (case, argv); {out}, {run} and {file} are filled with a non-empty directory, a directory with no run and a file.
CASES = [
    ("unknown program", ["train", "mnst"]),
    ("unknown model", ["train", "mlp", "--set", "model=resnet_v2_51"]),
    ("existing --out", ["train", "mlp", "--out", "{out}"]),
    ("missing run to resume", ["train", "mlp", "--out", "{missing}", "--resume"]),
    ("bad option value", ["train", "mnist_cnn", "--steps", "0"]),
    ("bad --set value", ["train", "mlp", "--set", "learning_rate=-1"]),
    ("option of another program", ["train", "cifar10_cnn", "--episodes", "3"]),
    ("missing --data-dir", ["train", "mlp", "--data-dir", "{missing}"]),
    ("unknown --config", ["train", "ptb_lm", "--config", "huge"]),
    ("tune: unknown program", ["tune", "nope"]),
    ("tune: unknown tuner", ["tune", "mlp", "--tuner", "annealing"]),
    ("tune: existing --out", ["tune", "mlp", "--out", "{out}"]),
    ("tune: missing search to resume", ["tune", "mlp", "--out", "{missing}", "--resume"]),
    ("generate: missing run", ["generate", "{missing}"]),
    ("generate: not a run", ["generate", "{run}"]),
    ("play: missing run", ["play", "{missing}"]),
    ("play: a file", ["play", "{file}"]),
    ("serve: missing base directory", ["serve", "{missing}"]),
    ("list: no match", ["list", "zz*"]),
    ("info: unknown model", ["info", "resnet_v2_5"]),
    ("bench: unknown model", ["bench", "alexnt"]),
    ("bench: existing --json", ["bench", "mlp", "--json", "{file}"]),
    ("profile: unknown model", ["profile", "vgg"]),
    ("export: unknown model", ["export", "mnst_cnn", "--format", "onnx"]),
    ("cluster serve: task out of range", ["cluster", "serve", "--job", "ps", "--task", "3", "--ps_hosts", "127.0.0.1:2222",
                                          "--worker_hosts", "127.0.0.1:2223"]),
    ("train: cluster flags without a cluster strategy", ["train", "mlp", "--strategy", "mirrored", "--ps_hosts", "127.0.0.1:2222"]),
    ("train: sync_replicas with parameter servers", ["train", "mlp", "--strategy", "parameter_server", "--ps_hosts",
                                                     "127.0.0.1:2222", "--worker_hosts", "127.0.0.1:2223", "--sync_replicas"]),
]

CHILD = """
import contextlib, io, json, sys
from kclassics.cli import main
reports = []
for name, argv in json.loads(sys.argv[1]):
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        status = main(argv)
    reports.append({"case": name, "status": status, "stderr": err.getvalue(),
                    "tensorflow": "tensorflow" in sys.modules, "keras": "keras" in sys.modules})
print(json.dumps(reports))
"""


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    root = tmp_path_factory.mktemp("fast")
    (root / "out").mkdir()
    (root / "out" / "mine.txt").write_text("keep")
    (root / "run").mkdir()
    (root / "file").write_text("not a run")
    paths = {"out": root / "out", "run": root / "run", "file": root / "file", "missing": root / "missing"}
    cases = [(name, [arg.format(**paths) for arg in argv]) for name, argv in CASES]
    done = subprocess.run([sys.executable, "-c", CHILD, json.dumps(cases)], capture_output=True, text=True, timeout=300,
                          env=subprocess_env())
    assert done.returncode == 0, done.stderr[-3000:]
    assert (root / "out" / "mine.txt").read_text() == "keep" and not (root / "missing").exists()
    return {report["case"]: report for report in json.loads(done.stdout)}


@pytest.mark.parametrize("case", [name for name, _ in CASES])
def test_answered_before_tensorflow_in_one_line(reports, case):
    report = reports[case]
    assert report["status"] == 2, report
    assert not report["tensorflow"] and not report["keras"], f"{case}: TensorFlow was imported before the answer"
    lines = report["stderr"].strip().splitlines()
    assert lines[0].startswith("kclassics: error: ") and len(lines) <= 2, lines
    assert len(lines) == 1 or lines[1].startswith("see: "), lines


def test_the_errors_say_what_is_wrong(reports):
    said = {case: report["stderr"].splitlines()[0] for case, report in reports.items()}
    assert "Did you mean 'mnist_cnn'" in said["unknown program"]
    assert "Did you mean 'resnet_v2_50'" in said["unknown model"]
    assert "already exists and is not empty" in said["existing --out"]
    assert "missing does not exist" in said["missing run to resume"] and "missing does not exist" in said["play: missing run"]
    assert "holds no run (no config.json)" in said["generate: not a run"]
    assert "--episodes 3 is not an option of program 'cifar10_cnn'" in said["option of another program"]
    assert "expected a positive integer, received '0'" in said["bad option value"]
    assert "Did you mean" not in said["tune: unknown tuner"] and "4 are registered" in said["tune: unknown tuner"]

"""A run's output written to a file reads as lines: no terminal escapes, no carriage returns, nothing glued.

Each program runs a few steps through `kclassics train` with its output sent
to a file (not a terminal), all in one child process. The default run covers
each kind of loop (the classifiers' `fit`, the book's own loops, TF.Learn's
examples, KMeans, word2vec, the language model, policy gradient); `slow`
runs every registered program.
"""

import json
import re
import subprocess
import sys

import pytest

from kclassics import programs
from tests.conftest import subprocess_env

# one worker runs this module, so its module-scoped fixture (tens of seconds) is built once, not once per worker
pytestmark = pytest.mark.xdist_group("program_logs")

# A few steps of each program, its data where it needs some ({cifar} and {ptb} are written by the fixture).
SHORT = {
    "softmax_regression": ["--steps", "30"],
    "mlp": ["--steps", "3"],
    "mnist_cnn": ["--steps", "3"],
    "birnn_mnist": ["--steps", "2"],
    "denoising_autoencoder": ["--steps", "3"],
    "tensorboard_mnist": ["--steps", "3"],
    "cifar10_cnn": ["--steps", "3", "--batch-size", "8", "--data-dir", "{cifar}"],
    "cifar10_cnn_long": ["--steps", "3", "--batch-size", "8", "--data-dir", "{cifar}"],
    "cifar10_blog": ["--steps", "3", "--batch-size", "8", "--data-dir", "{cifar}", "--set", "model=conv_bn_net",
                     "--set", "train_log_every=2", "--set", "val_log_every=2"],
    "word2vec": ["--steps", "30", "--set", "log_every=10", "--set", "neighbours_every=20", "--set", "tsne_iterations=250",
                 "--set", "tsne_words=40", "--set", "tsne_perplexity=10"],
    "ptb_lm": ["--epochs", "1", "--batch-size", "4", "--data-dir", "{ptb}"],
    "cartpole_pg": ["--episodes", "3", "--batch-size", "2", "--set", "until=episodes"],
    "gridworld_dqn": ["--episodes", "2", "--set", "observation=grid", "--set", "pre_train_steps=60",
                      "--set", "annealing_steps=100"],
    "iris_custom_model": ["--steps", "120"],
    "iris_dnn": ["--steps", "120"],
    "iris_linear": ["--steps", "20"],
    "iris_svm": ["--steps", "20"],
    "iris_random_forest": [],
    "kmeans_blobs": ["--steps", "2"],
    "wide_deep_penguins": ["--steps", "20"],
}
# One program of each loop for the default run.
EACH_LOOP = ("softmax_regression", "denoising_autoencoder", "tensorboard_mnist", "iris_dnn", "kmeans_blobs", "word2vec",
             "ptb_lm", "cartpole_pg")

CHILD = """
import json, sys
from kclassics.cli import main
statuses = {}
for name, argv, log in json.loads(sys.argv[1]):
    with open(log, "w") as out:
        sys.stdout = sys.stderr = out
        try:
            statuses[name] = main(["train", name, *argv])
        finally:
            sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
print(json.dumps(statuses))
"""
ESCAPE = re.compile(r"\x1b\[|\r|\x08")


def run_programs(names, root):
    from tests.programs.test_cifar10 import write_learnable_cifar10
    from tests.programs.test_ptb_lm import write_text_corpus

    data = {"cifar": write_learnable_cifar10(root / "cifar", per_file=16, test=16),
            "ptb": write_text_corpus(root / "ptb", sizes=(300, 100, 100))}
    jobs = [(name, ["--out", str(root / name), *(arg.format(**data) for arg in SHORT[name])], str(root / f"{name}.log"))
            for name in names]
    done = subprocess.run([sys.executable, "-c", CHILD, json.dumps(jobs)], capture_output=True, text=True, timeout=1800,
                          env=subprocess_env())
    assert done.returncode == 0, done.stderr[-3000:]
    statuses = json.loads(done.stdout.strip().splitlines()[-1])
    return {name: (statuses[name], (root / f"{name}.log").read_text()) for name in names}


def check_log(name, status, text):
    assert status == 0, f"{name} failed:\n{text[-2000:]}"
    assert not ESCAPE.search(text), f"{name}'s log holds terminal escapes or carriage returns: {ESCAPE.search(text)!r}"
    lines = text.splitlines()
    assert lines[-1].startswith("run directory: "), lines[-3:]
    for line in lines:  # a log line glued behind another: "... loss: 19.48Average loss at step 2000"
        assert not re.search(r"\d[A-Z][a-z]+ [a-z]+ at step", line), line
        assert "None" not in line, line
    progress = [line for line in lines if re.match(r"(step|epoch|episode|iteration)s? \d+/\d+", line)]
    assert len(progress) <= 21, f"{name}: {len(progress)} progress lines"


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    return run_programs(EACH_LOOP, tmp_path_factory.mktemp("logs"))


@pytest.mark.parametrize("name", EACH_LOOP)
def test_each_kind_of_loop_writes_plain_lines_to_a_file(logs, name):
    check_log(name, *logs[name])


def test_the_table_names_every_program():
    assert set(SHORT) == {name for name in programs.list_programs() if not name.startswith("toy_")}  # the tuner tests' toys


def test_a_short_classifier_run_prints_few_progress_lines(logs):
    _, text = logs["softmax_regression"]  # 30 steps of 12-step epochs: three lines, each whole
    assert [line.split(" - ")[0] for line in text.splitlines() if line.startswith("step ")] == ["step 12/30", "step 24/30",
                                                                                              "step 30/30"]


@pytest.mark.slow
def test_every_program_writes_plain_lines_to_a_file(tmp_path):
    for name, (status, text) in run_programs(sorted(SHORT), tmp_path).items():
        check_log(name, status, text)

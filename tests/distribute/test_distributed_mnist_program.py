"""apps/distributed_mnist.py, the book's chapter 9.3 program, on a cluster on 127.0.0.1."""

import json
import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT, subprocess_env

SCRIPT = ROOT / "apps" / "distributed_mnist.py"
STEP_LINE = re.compile(r"^\d+\.\d+: Worker (\d): training step (\d+) done \(global step: (\d+)\)$", re.M)


def run_program(tmp_path, *flags):
    result = tmp_path / "result.json"
    completed = subprocess.run(
        [sys.executable, str(SCRIPT), "--train_steps", "120", "--log_every", "1", "--result", str(result), *flags],
        capture_output=True, text=True, timeout=300, cwd=tmp_path, env=subprocess_env(),
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return completed.stdout, json.loads(result.read_text())


@pytest.mark.slow
def test_asynchronous_global_step_counts_every_worker(tmp_path):
    stdout, result = run_program(tmp_path)
    steps = [(int(w), int(local), int(glob)) for w, local, glob in STEP_LINE.findall(stdout)]
    assert sorted(g for _, _, g in steps) == list(range(1, 121))  # every update of every worker counts once
    by_worker = {}
    for worker, local, _ in steps:
        by_worker.setdefault(worker, []).append(local)
    assert set(by_worker) == {0, 1}
    assert sum(max(v) for v in by_worker.values()) == 120  # global step = sum of the workers' steps
    assert "Training elapsed time:" in stdout
    assert re.search(r"After 120 training step\(s\), validation cross entropy = [0-9.e-]+", stdout)
    assert result["val_cross_entropy"] < 1.0 and result["global_steps"] == 120


@pytest.mark.slow
def test_sync_replicas_global_step_counts_rounds(tmp_path):
    stdout, result = run_program(tmp_path, "--sync_replicas")
    steps = STEP_LINE.findall(stdout)
    for worker in ("0", "1"):  # both workers take every step; the global step is the round
        assert [(int(l), int(g)) for w, l, g in steps if w == worker] == [(i, i) for i in range(1, 121)]
    assert result["sync"] and result["global_steps"] == 120 and result["val_cross_entropy"] < 1.5


def test_bad_flags_fail_before_any_server_starts(tmp_path):
    completed = subprocess.run(
        [sys.executable, str(SCRIPT), "--job_name", "worker", "--task_index", "5",
         "--ps_hosts", "127.0.0.1:2222", "--worker_hosts", "127.0.0.1:2223,127.0.0.1:2224"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path, env=subprocess_env(),
    )
    assert completed.returncode == 2, completed.stderr[-2000:]
    assert "distributed_mnist.py: error: `task_index` 5 is out of range" in completed.stderr

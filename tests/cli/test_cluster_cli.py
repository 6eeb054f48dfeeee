"""`kclassics cluster serve` and `kclassics train --strategy`: processes and their errors."""

import json
import signal
import socket
import subprocess
import sys
import time

import pytest

from kclassics.distribute.cluster import STRATEGIES
from kclassics.distribute.local import local_jobs
from tests.conftest import subprocess_env


def test_serve_listens_then_exits_cleanly_on_sigterm(tmp_path):
    jobs = local_jobs(num_workers=1, num_ps=1)
    host, port = jobs["ps"][0].rsplit(":", 1)
    process = subprocess.Popen(
        [sys.executable, "-m", "kclassics", "cluster", "serve", "--job", "ps", "--task", "0",
         "--ps_hosts", jobs["ps"][0], "--worker_hosts", jobs["worker"][0]],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=subprocess_env(), cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.stderr.read()[-2000:]
            try:
                socket.create_connection((host, int(port)), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "server did not listen within 60 s"
                time.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, stderr[-2000:]
    assert f"serving ps:0 at {jobs['ps'][0]}" in stdout
    assert "ps:0 stopped (SIGTERM)" in stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["cluster", "serve", "--job", "ps", "--task", "3", "--ps_hosts", "127.0.0.1:2222", "--worker_hosts", "127.0.0.1:2223"], "out of range"),
        (["train", "softmax_regression", "--strategy", "parameter_server", "--ps_hosts", "127.0.0.1:2222",
          "--worker_hosts", "127.0.0.1:2223", "--sync_replicas"], "sync_replicas"),
    ],
)
def test_bad_cluster_flags_exit_2_before_any_server_starts(run_cli, args, message):
    completed = run_cli(*args, timeout=120)
    assert completed.returncode == 2, completed.stderr[-2000:]
    assert message in completed.stderr and "kclassics: error:" in completed.stderr


def test_cli_strategies_match_the_library():
    from kclassics.distribute import STRATEGIES as LIBRARY_STRATEGIES

    assert STRATEGIES == LIBRARY_STRATEGIES


@pytest.mark.slow
def test_train_under_parameter_server_writes_a_complete_run(run_cli, tmp_path):
    from kclassics.distribute.local import LocalCluster

    with LocalCluster(num_workers=2, num_ps=1, env=subprocess_env(), log_dir=str(tmp_path)) as cluster:
        completed = run_cli(
            "train", "softmax_regression", "--steps", "60", "--strategy", "parameter_server", "--quiet",
            "--ps_hosts", ",".join(cluster.jobs["ps"]), "--worker_hosts", ",".join(cluster.jobs["worker"]),
            "--out", tmp_path / "run", timeout=300,
        )
    assert completed.returncode == 0, completed.stderr[-3000:]
    run = tmp_path / "run"
    for name in ("config.json", "metrics.json", "model.keras", "curves.png", "export/1/saved_model.pb"):
        assert (run / name).exists(), name
    assert '"steps": 60' in (run / "metrics.json").read_text()


@pytest.mark.slow
def test_train_under_multi_worker_chief_and_worker_agree(tmp_path):
    workers = ",".join(local_jobs(num_workers=2)["worker"])
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "kclassics", "train", "softmax_regression", "--steps", "40", "--quiet",
             "--strategy", "multi_worker", "--worker_hosts", workers, "--task_index", str(index), "--out", str(tmp_path / "run")],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=subprocess_env(), cwd=tmp_path,
        )
        for index in range(2)
    ]
    try:
        outputs = [process.communicate(timeout=300) for process in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    for process, (_, stderr) in zip(processes, outputs):
        assert process.returncode == 0, stderr[-3000:]
    chief, worker = (json.loads((tmp_path / name / "metrics.json").read_text()) for name in ("run", "run-worker1"))
    assert chief["steps"] == worker["steps"] == 40
    assert chief["test_loss"] == worker["test_loss"]  # synchronous: identical weights

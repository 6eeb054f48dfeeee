"""A canned model under ParameterServerStrategy on a loopback cluster (1 parameter server, 2 workers)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import subprocess_env


@pytest.mark.slow
def test_dnn_classifier_trains_on_parameter_servers(tmp_path):
    from kclassics.distribute.local import LocalCluster

    result = tmp_path / "result.json"
    with LocalCluster(num_workers=2, num_ps=1, env=subprocess_env(), log_dir=str(tmp_path)) as cluster:
        config = json.dumps({"cluster": cluster.jobs, "task": {"type": "chief", "index": 0}})
        done = subprocess.run([sys.executable, str(Path(__file__).with_name("ps_program.py")), config, str(result)],
                              capture_output=True, text=True, timeout=300, env=subprocess_env())
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    data = json.loads(result.read_text())
    assert data["iterations"] == 200  # every worker's update counts
    assert data["loss"][-1] < data["loss"][0]
    assert data["accuracy"] >= 0.9
    # FTRL overwrites its accumulators, so the linear models' default is refused on parameter servers
    assert "Ftrl" in data["errors"]["ftrl"] and "ParameterServerStrategy" in data["errors"]["ftrl"]

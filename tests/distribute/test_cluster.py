"""Cluster specs: the book's flags, TF_CONFIG, and the errors of bad configurations."""

import json

import pytest

from kclassics.distribute.cluster import Cluster, parse_hosts, serve
from kclassics.distribute.local import local_jobs

PS = "127.0.0.1:2222"
WORKERS = "127.0.0.1:2223,127.0.0.1:2224"


def test_flags_map_onto_the_cluster():
    cluster = Cluster.from_flags("worker", 1, ps_hosts=PS, worker_hosts=WORKERS)
    assert cluster.jobs == {"ps": [PS], "worker": WORKERS.split(",")}
    assert cluster.address == "127.0.0.1:2224"
    assert not cluster.is_chief
    assert Cluster.from_flags("chief", 0, ps_hosts=PS, worker_hosts=WORKERS).is_chief  # the coordinator
    sync = Cluster.from_flags("worker", 0, worker_hosts=WORKERS, sync_replicas=True, replicas_to_aggregate=2)
    assert sync.jobs == {"worker": WORKERS.split(",")} and sync.is_chief  # book 9.3: task 0 is the chief


def test_tf_config_round_trip():
    cluster = Cluster.from_flags("ps", 0, ps_hosts=PS, worker_hosts=WORKERS)
    assert Cluster.from_tf_config(cluster.tf_config()) == cluster
    assert json.loads(cluster.tf_config())["task"] == {"type": "ps", "index": 0}
    coordinator = Cluster.from_tf_config({"cluster": {"ps": [PS], "worker": WORKERS.split(",")}})
    assert coordinator.task_type == "chief" and coordinator.address is None


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"job_name": "trainer", "ps_hosts": PS, "worker_hosts": WORKERS}, "Unknown job name"),
        ({"job_name": "worker", "task_index": 2, "ps_hosts": PS, "worker_hosts": WORKERS}, "out of range"),
        ({"job_name": "ps", "task_index": 1, "ps_hosts": PS, "worker_hosts": WORKERS}, "out of range"),
        ({"job_name": "worker", "ps_hosts": PS, "worker_hosts": f"{PS},127.0.0.1:2225"}, "given twice"),
        ({"job_name": "worker", "ps_hosts": PS, "worker_hosts": "127.0.0.1:2223,127.0.0.1:2223"}, "given twice"),
        ({"job_name": "worker", "ps_hosts": PS, "worker_hosts": "127.0.0.1"}, "Malformed address"),
        ({"job_name": "worker", "ps_hosts": PS, "worker_hosts": "127.0.0.1:99999"}, "Malformed address"),
        ({"job_name": "worker", "ps_hosts": "ps host:1", "worker_hosts": WORKERS}, "Malformed address"),
        ({"job_name": "worker", "ps_hosts": PS, "worker_hosts": WORKERS, "sync_replicas": True}, "sync_replicas"),
        ({"job_name": "worker", "worker_hosts": WORKERS, "sync_replicas": True, "replicas_to_aggregate": 3}, "replicas_to_aggregate"),
        ({"job_name": "worker", "ps_hosts": PS, "worker_hosts": WORKERS, "replicas_to_aggregate": 2}, "needs `sync_replicas`"),
        ({"job_name": "worker", "worker_hosts": WORKERS}, "needs parameter servers"),
        ({"job_name": "worker", "ps_hosts": PS, "worker_hosts": ""}, "worker_hosts"),
        ({"job_name": "worker", "task_index": -1, "ps_hosts": PS, "worker_hosts": WORKERS}, "task_index"),
    ],
)
def test_bad_flags_are_refused_with_a_clear_error(kwargs, message):
    with pytest.raises(ValueError, match=message) as error:
        Cluster.from_flags(**kwargs)
    assert "Received:" in str(error.value)


@pytest.mark.parametrize(
    "tf_config, message",
    [
        ("{not json", "not valid JSON"),
        ({"task": {"type": "worker", "index": 0}}, "'cluster'"),
        ({"cluster": {"worker": [PS]}, "task": {"type": "ps", "index": 0}}, "not in the cluster"),
        ({"cluster": {"trainer": [PS]}, "task": {"type": "trainer", "index": 0}}, "Unknown job name"),
        ({"cluster": {"worker": [PS, PS]}, "task": {"type": "worker", "index": 0}}, "given twice"),
    ],
)
def test_bad_tf_config_is_refused(tf_config, message):
    with pytest.raises(ValueError, match=message):
        Cluster.from_tf_config(json.dumps(tf_config) if isinstance(tf_config, dict) else tf_config)


def test_tf_config_read_from_the_environment(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    with pytest.raises(ValueError, match="TF_CONFIG is not set"):
        Cluster.from_tf_config()
    monkeypatch.setenv("TF_CONFIG", json.dumps({"cluster": {"worker": [PS]}, "task": {"type": "worker", "index": 0}}))
    assert Cluster.from_tf_config().address == PS


def test_parse_hosts_accepts_names_and_ipv6():
    assert parse_hosts("ps-0.ps.default.svc:2222, [::1]:2223") == ["ps-0.ps.default.svc:2222", "[::1]:2223"]
    assert parse_hosts(None) == []


def test_serve_refuses_tasks_without_a_server():
    cluster = Cluster(local_jobs(num_workers=1, num_ps=1), "chief", 0)
    with pytest.raises(ValueError, match="Only ps and worker"):
        serve(cluster)

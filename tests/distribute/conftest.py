"""Fixtures for the distributed tests: local clusters that are always stopped."""

import pytest

from tests.conftest import subprocess_env


@pytest.fixture
def local_cluster(tmp_path):
    """Starts `LocalCluster(num_workers, num_ps)`; every server is stopped at teardown."""
    from kclassics.distribute.local import LocalCluster

    clusters = []

    def start(num_workers=2, num_ps=1):
        cluster = LocalCluster(num_workers, num_ps, env=subprocess_env(), log_dir=str(tmp_path))
        clusters.append(cluster)
        return cluster.__enter__()

    yield start
    for cluster in clusters:
        cluster.close()

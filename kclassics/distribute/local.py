"""A whole cluster on this machine: server processes on free 127.0.0.1 ports.

For tests, benchmarks and trying the distributed programs without a cluster.
Every process is stopped (SIGTERM, then SIGKILL) when the context exits.
"""

import os
import signal
import socket
import subprocess
import sys
import time

from kclassics.distribute.cluster import Cluster


def free_ports(count, host="127.0.0.1"):
    """`count` distinct TCP ports that are free on `host` right now."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind((host, 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def local_jobs(num_workers, num_ps=0, host="127.0.0.1"):
    """A `{job: [host:port, ...]}` dict with free ports on `host`."""
    ports = free_ports(num_workers + num_ps, host)
    jobs = {"worker": [f"{host}:{port}" for port in ports[:num_workers]]}
    if num_ps:
        jobs["ps"] = [f"{host}:{port}" for port in ports[num_workers:]]
    return jobs


class LocalCluster:
    """Parameter-server and worker processes (`kclassics cluster serve`) on 127.0.0.1.

    Usage:
        with LocalCluster(num_workers=2, num_ps=1) as cluster:
            strategy = make_strategy("parameter_server", cluster.coordinator)

    Args:
        num_workers: worker processes.
        num_ps: parameter-server processes.
        env: environment of the server processes (default: this one's).
        start_timeout: seconds to wait for each server to listen.
        log_dir: directory for each server's output (`ps-0.log`, ...); default: discarded.
    """

    def __init__(self, num_workers=2, num_ps=1, env=None, start_timeout=60, log_dir=None):
        self.jobs = local_jobs(num_workers, num_ps)
        self.env = dict(env if env is not None else os.environ)
        # The servers run this same kclassics, wherever it was imported from.
        package_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        self.env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, self.env.get("PYTHONPATH")) if p)
        self.start_timeout = start_timeout
        self.log_dir = log_dir
        self.processes = {}

    @property
    def coordinator(self):
        """The cluster as seen by the process that runs `fit`."""
        return Cluster(self.jobs, "chief", 0)

    def start_task(self, job, index):
        """Starts (or restarts) one server process and waits until it listens."""
        self.stop_task(job, index)
        output = open(os.path.join(self.log_dir, f"{job}-{index}.log"), "a") if self.log_dir else subprocess.DEVNULL
        process = subprocess.Popen(
            [sys.executable, "-m", "kclassics", "cluster", "serve", "--job", job, "--task", str(index),
             "--worker_hosts", ",".join(self.jobs["worker"]), *(["--ps_hosts", ",".join(self.jobs["ps"])] if "ps" in self.jobs else [])],
            env=self.env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
        )
        self.processes[(job, index)] = process
        host, port = self.jobs[job][index].rsplit(":", 1)
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{job}:{index} exited with status {process.returncode} before listening")
            try:
                socket.create_connection((host, int(port)), timeout=1).close()
                return process
            except OSError:
                time.sleep(0.2)
        raise TimeoutError(f"{job}:{index} did not listen on {host}:{port} within {self.start_timeout} s")

    def kill_task(self, job, index, sig=signal.SIGKILL):
        """Sends `sig` to one server (a fault, for SIGKILL) and waits for it to end."""
        process = self.processes.pop((job, index))
        process.send_signal(sig)
        process.wait(timeout=30)
        return process.returncode

    def stop_task(self, job, index, timeout=10):
        process = self.processes.pop((job, index), None)
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout)

    def __enter__(self):
        try:
            for job in ("ps", "worker"):
                for index in range(len(self.jobs.get(job, ()))):
                    self.start_task(job, index)
        except BaseException:
            self.close()
            raise
        return self

    def close(self):
        for job, index in list(self.processes):
            self.stop_task(job, index)

    def __exit__(self, *exc):
        self.close()
        return False

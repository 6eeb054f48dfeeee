"""Cluster descriptions: parsed and checked before any server starts.

A cluster comes from `TF_CONFIG` (one JSON per process, the TensorFlow 2
convention) or from the book's flags (`--job_name`, `--task_index`,
`--ps_hosts`, `--worker_hosts`, book 9.3, L5983-6010). Either way it becomes a
`Cluster`, which refuses unknown job names, task indices out of range and
duplicate or malformed `host:port` entries with an error naming the argument.
"""

import dataclasses
import json
import os
import re
import signal
import threading

from kclassics import validation

STRATEGIES = ("default", "mirrored", "multi_worker", "parameter_server")
JOBS = ("chief", "worker", "ps", "evaluator")
# The process that runs `fit` under ParameterServerStrategy is not in the
# cluster spec; it connects to every task as the client "chief".
COORDINATOR = "chief"
_HOST_PORT = re.compile(r"^(?P<host>[A-Za-z0-9][A-Za-z0-9.\-]*|\[[0-9A-Fa-f:]+\]):(?P<port>[0-9]{1,5})$")


def parse_hosts(text, argument="hosts"):
    """Splits a comma-separated `host:port` list and checks every entry.

    Args:
        text: a string such as `"10.0.0.1:2222,10.0.0.2:2222"`, or a list of such entries.
        argument: the flag or field name used in error messages.

    Returns:
        The list of `host:port` strings, in order.
    """
    if text is None:
        return []
    entries = text.split(",") if isinstance(text, str) else list(text)
    hosts = [str(entry).strip() for entry in entries if str(entry).strip()]
    for host in hosts:
        match = _HOST_PORT.match(host)
        if match is None or not 1 <= int(match["port"]) <= 65535:
            raise ValueError(
                f"Malformed address {host!r} in `{argument}`: expected host:port with a port in 1..65535, "
                f"such as 'localhost:2222'. Received: {argument}={text!r}"
            )
    return hosts


@dataclasses.dataclass(frozen=True)
class Cluster:
    """The jobs of a cluster and the role of this process in it.

    Attributes:
        jobs: job name -> list of `host:port` (`"ps"`, `"worker"`, optionally `"chief"`).
        task_type: this process's job (`"ps"`, `"worker"`, `"chief"`), or `"chief"`
            for a parameter-server coordinator that is not listed in `jobs`.
        task_index: this process's index in its job.
    """

    jobs: dict
    task_type: str
    task_index: int = 0

    def __post_init__(self):
        if not self.jobs:
            raise ValueError("The cluster has no jobs: give at least one worker address. Received: jobs={}")
        seen = {}
        for job, hosts in self.jobs.items():
            if job not in JOBS:
                raise ValueError(f"Unknown job name {job!r} in the cluster. Accepted: {', '.join(JOBS)}. Received: jobs={self.jobs!r}")
            parse_hosts(list(hosts), f"{job}_hosts")
            if not hosts:
                raise ValueError(f"Job {job!r} lists no addresses. Received: {job}_hosts={list(hosts)!r}")
            for index, host in enumerate(hosts):
                if host in seen:
                    raise ValueError(
                        f"Address {host!r} is given twice ({seen[host]} and {job}:{index}); every task needs its own "
                        f"host:port. Received: jobs={self.jobs!r}"
                    )
                seen[host] = f"{job}:{index}"
        if self.task_type not in JOBS:
            raise ValueError(f"Unknown job name. Accepted: {', '.join(JOBS)}. Received: job_name={self.task_type!r}")
        validation.non_negative_int("task_index", self.task_index)
        listed = self.jobs.get(self.task_type)
        if listed is None:
            if not (self.task_type == COORDINATOR and "ps" in self.jobs and self.task_index == 0):
                raise ValueError(
                    f"Job {self.task_type!r} is not in the cluster, whose jobs are {', '.join(self.jobs)}. "
                    f"Received: job_name={self.task_type!r}"
                )
        elif self.task_index >= len(listed):
            raise ValueError(
                f"`task_index` {self.task_index} is out of range for job {self.task_type!r}, which has "
                f"{len(listed)} task(s) (indices 0..{len(listed) - 1}). Received: task_index={self.task_index}"
            )

    @property
    def address(self):
        """This task's `host:port`, or None for a coordinator outside the spec."""
        hosts = self.jobs.get(self.task_type)
        return hosts[self.task_index] if hosts else None

    @property
    def num_workers(self):
        return len(self.jobs.get("worker", ())) + len(self.jobs.get("chief", ()))

    @property
    def is_chief(self):
        """True for the process that writes checkpoints, logs and exports (book 9.3: task 0 is the chief)."""
        if "chief" in self.jobs or self.task_type == COORDINATOR:
            return self.task_type == COORDINATOR
        return self.task_type == "worker" and self.task_index == 0

    def cluster_spec(self):
        import tensorflow as tf

        return tf.train.ClusterSpec({job: list(hosts) for job, hosts in self.jobs.items()})

    def resolver(self):
        """A `tf.distribute.cluster_resolver.ClusterResolver` describing this process."""
        import tensorflow as tf

        if self.address is None:  # a coordinator outside the spec connects as a client
            return tf.distribute.cluster_resolver.SimpleClusterResolver(self.cluster_spec(), rpc_layer="grpc")
        return tf.distribute.cluster_resolver.SimpleClusterResolver(
            self.cluster_spec(), task_type=self.task_type, task_id=self.task_index, rpc_layer="grpc"
        )

    def tf_config(self):
        """The `TF_CONFIG` JSON string of this process."""
        return json.dumps({"cluster": self.jobs, "task": {"type": self.task_type, "index": self.task_index}})

    def with_task(self, task_type, task_index=0):
        """The same cluster seen from another process."""
        return Cluster(self.jobs, task_type, task_index)

    @classmethod
    def from_tf_config(cls, tf_config=None):
        """Parses a `TF_CONFIG` JSON string (default: the environment variable).

        Args:
            tf_config: the JSON text, or a dict; None reads `os.environ["TF_CONFIG"]`.

        Returns:
            A `Cluster`.
        """
        if tf_config is None:
            tf_config = os.environ.get("TF_CONFIG")
            if not tf_config:
                raise ValueError("TF_CONFIG is not set: give the cluster as TF_CONFIG or as --ps_hosts/--worker_hosts.")
        if isinstance(tf_config, str):
            try:
                tf_config = json.loads(tf_config)
            except json.JSONDecodeError as error:
                raise ValueError(f"TF_CONFIG is not valid JSON ({error}). Received: TF_CONFIG={tf_config!r}") from None
        if not isinstance(tf_config, dict) or not isinstance(tf_config.get("cluster"), dict):
            raise ValueError(f"TF_CONFIG needs a 'cluster' object mapping job names to host lists. Received: TF_CONFIG={tf_config!r}")
        task = tf_config.get("task") or {"type": COORDINATOR, "index": 0}
        jobs = {job: parse_hosts(hosts, f"cluster.{job}") for job, hosts in tf_config["cluster"].items()}
        return cls(jobs, task.get("type", COORDINATOR), task.get("index", 0))

    @classmethod
    def from_flags(cls, job_name, task_index=0, ps_hosts=None, worker_hosts=None, sync_replicas=False, replicas_to_aggregate=None):
        """The cluster of the book's distributed programs (book 9.3, L5983-6010).

        Args:
            job_name: `"ps"`, `"worker"`, or `"chief"` for the coordinator of a parameter-server run.
            task_index: index of this task in its job.
            ps_hosts: comma-separated `host:port` of the parameter servers.
            worker_hosts: comma-separated `host:port` of the workers.
            sync_replicas: synchronous training. In TensorFlow 2 that is
                MultiWorkerMirroredStrategy: all-reduce among the workers, no parameter servers.
            replicas_to_aggregate: replicas averaged per update with `sync_replicas`;
                all-reduce aggregates every worker, so only the number of workers is accepted.

        Returns:
            A `Cluster`.
        """
        ps = parse_hosts(ps_hosts, "ps_hosts")
        workers = parse_hosts(worker_hosts, "worker_hosts")
        if not workers:
            raise ValueError(f"`worker_hosts` is empty: list at least one worker as host:port. Received: worker_hosts={worker_hosts!r}")
        if sync_replicas and ps:
            raise ValueError(
                "`sync_replicas` trains synchronously by all-reduce among the workers and uses no parameter servers; "
                f"drop --ps_hosts or --sync_replicas. Received: sync_replicas=True, ps_hosts={ps_hosts!r}"
            )
        if replicas_to_aggregate is not None:
            if not sync_replicas:
                raise ValueError(f"`replicas_to_aggregate` needs `sync_replicas`. Received: replicas_to_aggregate={replicas_to_aggregate!r}")
            if replicas_to_aggregate != len(workers):
                raise ValueError(
                    f"`replicas_to_aggregate` must equal the number of workers ({len(workers)}): all-reduce averages every "
                    f"worker's gradients each step. Received: replicas_to_aggregate={replicas_to_aggregate!r}"
                )
        if not sync_replicas and not ps:
            raise ValueError(
                "Asynchronous training needs parameter servers: give --ps_hosts, or --sync_replicas for synchronous "
                f"training. Received: ps_hosts={ps_hosts!r}"
            )
        jobs = {"ps": ps, "worker": workers} if ps else {"worker": workers}
        return cls(jobs, job_name, task_index)


def serve(cluster, stop_event=None, on_ready=None):
    """Runs this process's `tf.distribute.Server` until SIGTERM, SIGINT or `stop_event`.

    Args:
        cluster: a `Cluster` whose `task_type` is `"ps"` or `"worker"`.
        stop_event: a `threading.Event` that stops the server when set (for embedding).
        on_ready: called with the bound `host:port` once the server listens.

    Returns:
        The signal number that stopped the server, or 0.
    """
    if cluster.task_type not in ("ps", "worker"):
        raise ValueError(f"Only ps and worker tasks run a server. Received: job={cluster.task_type!r}")
    import tensorflow as tf

    stop_event = stop_event or threading.Event()
    received = []

    def stop(signum, _frame):
        received.append(signum)
        stop_event.set()

    # Signal handlers can only be installed from the main thread.
    in_main = threading.current_thread() is threading.main_thread()
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)} if in_main else {}
    try:
        # Workers execute what the coordinator sends; parameter servers only hold variables.
        tf.distribute.Server(
            cluster.cluster_spec(), job_name=cluster.task_type, task_index=cluster.task_index, protocol="grpc", start=True
        )
        if on_ready is not None:
            on_ready(cluster.address)
        while not stop_event.wait(0.5):
            pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return received[0] if received else 0

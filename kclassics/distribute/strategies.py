"""`tf.distribute` strategies by name, and which training loop each one needs."""

import tensorflow as tf

from kclassics.distribute.cluster import Cluster

STRATEGIES = ("default", "mirrored", "multi_worker", "parameter_server")


def make_strategy(name="default", cluster=None, devices=None):
    """Builds a `tf.distribute.Strategy` from its name.

    Args:
        name: `"default"` (one device), `"mirrored"` (synchronous, the devices of
            this machine), `"multi_worker"` (synchronous all-reduce, one process per
            worker) or `"parameter_server"` (asynchronous; this process is the coordinator).
        cluster: a `Cluster`, or None to read `TF_CONFIG` (multi_worker, parameter_server).
        devices: for `"mirrored"`, the devices to use (default: all GPUs, else the CPU).

    Returns:
        A `tf.distribute.Strategy`.
    """
    if name not in STRATEGIES:
        raise ValueError(f"Unknown strategy. Accepted: {', '.join(STRATEGIES)}. Received: strategy={name!r}")
    if devices is not None and name != "mirrored":
        raise ValueError(f"`devices` applies to the mirrored strategy only. Received: strategy={name!r}, devices={devices!r}")
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        return tf.distribute.MirroredStrategy(devices)
    cluster = cluster if cluster is not None else Cluster.from_tf_config()
    if name == "multi_worker":
        if "ps" in cluster.jobs:
            raise ValueError(
                "The multi_worker strategy is synchronous all-reduce and uses no parameter servers; the cluster lists "
                f"ps tasks {cluster.jobs['ps']!r}. Use strategy='parameter_server', or drop the ps job."
            )
        if cluster.task_type not in ("worker", "chief") or cluster.address is None:
            raise ValueError(f"Under multi_worker every process is a listed worker. Received: job_name={cluster.task_type!r}")
        return tf.distribute.MultiWorkerMirroredStrategy(cluster_resolver=cluster.resolver())
    if "ps" not in cluster.jobs or "worker" not in cluster.jobs:
        raise ValueError(
            f"The parameter_server strategy needs 'ps' and 'worker' jobs. Received: jobs={sorted(cluster.jobs)!r}"
        )
    if cluster.task_type != "chief":
        raise ValueError(
            "Under parameter_server only the coordinator (job 'chief') runs training; ps and worker tasks run "
            f"`kclassics cluster serve`. Received: job_name={cluster.task_type!r}"
        )
    return tf.distribute.ParameterServerStrategy(cluster.resolver())


def is_parameter_server(strategy):
    return isinstance(strategy, tf.distribute.ParameterServerStrategy)


def is_multi_worker(strategy):
    return isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)


def needs_own_loop(strategy):
    """Whether Keras 3's `fit` fails under `strategy`, so kclassics runs its own loop."""
    return is_parameter_server(strategy) or is_multi_worker(strategy)


def strategy_of(model):
    """The strategy `model`'s variables were created under."""
    return getattr(model, "_distribute_strategy", None) or tf.distribute.get_strategy()

"""`tf.distribute` strategies by name, and which training loop each one needs."""

import tensorflow as tf

from kclassics import _keras as keras_compat
from kclassics.distribute.cluster import STRATEGIES, Cluster


def make_strategy(name="default", cluster=None, devices=None):
    """Builds a `tf.distribute.Strategy` from its name.

    Args:
        name: `"default"` (one device), `"mirrored"` (synchronous, the devices of
            this machine), `"multi_worker"` (synchronous all-reduce, one process per
            worker) or `"parameter_server"` (asynchronous; this process is the coordinator).
        cluster: a `Cluster`, or None to read `TF_CONFIG` (multi_worker, parameter_server).
            Create a multi_worker strategy first thing in the program, before
            any TensorFlow operation runs.
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
        try:
            return tf.distribute.MultiWorkerMirroredStrategy(cluster_resolver=cluster.resolver())
        except RuntimeError as error:
            if "at program startup" not in str(error):
                raise
            raise RuntimeError(
                "Create the multi_worker strategy before any TensorFlow operation runs in this process "
                "(loading data, building a model): it configures the collective ops at startup."
            ) from error
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
    return keras_compat.distribute_strategy(model) or tf.distribute.get_strategy()


def current_strategy():
    """The strategy of the enclosing `strategy.scope()`, or the default one."""
    return tf.distribute.get_strategy()


def training_input(strategy, pipeline, split, batch_size, seed=0):
    """The training input of a kclassics program under `strategy`.

    Args:
        strategy: a `tf.distribute.Strategy`.
        pipeline: `pipeline(split, batch_size, seed=)` -> an endless `tf.data.Dataset`,
            such as `kclassics.data.training_pipeline`.
        split: the training `Split`.
        batch_size: examples per step on one replica. Synchronous strategies
            step all replicas at once, so their global batch is `batch_size`
            times the replicas, as the book's towers each take a full batch (book 9.2, L5805).
        seed: shuffling seed.

    Returns:
        A dataset, or under ParameterServerStrategy a dataset function whose
        per-worker copies shuffle differently (unseeded), so workers see different batches.
    """
    if is_parameter_server(strategy):
        return lambda input_context=None: pipeline(split, batch_size, seed=None)
    return pipeline(split, batch_size * strategy.num_replicas_in_sync, seed=seed)


def per_update_learning_rate(strategy, learning_rate):
    """The learning rate of one update of a kclassics program under `strategy`.

    Under ParameterServerStrategy the workers compute their gradients
    concurrently from the same weights, and each applies its own: N workers
    move the weights about N times as far between two reads as one process
    does. The book's rates do not all survive that: the MLP's Adagrad 0.3 kills
    every hidden unit with two workers (test accuracy 0.10), as it does in one
    process at 0.6. Dividing by the number of workers keeps the distance moved
    between two reads the book's (see docs/distributed.md).

    Args:
        strategy: a `tf.distribute.Strategy`.
        learning_rate: the program's (one-process) learning rate.

    Returns:
        `learning_rate / workers` under ParameterServerStrategy, else `learning_rate`.
    """
    if not is_parameter_server(strategy):
        return learning_rate
    return learning_rate / strategy.extended._num_workers  # no public accessor in TF 2.21


def worker_run_dir(strategy, out):
    """Where this process writes its run directory: `out` on the chief, `out-workerN` on other workers.

    Under MultiWorkerMirroredStrategy every worker runs the same program; all
    hold the same weights, but only the chief's directory is the run's result.
    """
    resolver = getattr(strategy, "cluster_resolver", None)
    if out is None or not is_multi_worker(strategy) or resolver is None or resolver.task_type is None:
        return out
    if resolver.task_type == "chief" or (resolver.task_type == "worker" and resolver.task_id == 0
                                         and "chief" not in resolver.cluster_spec().as_dict()):
        return out
    return f"{out}-{resolver.task_type}{resolver.task_id}"

"""`kclassics cluster serve`: run a parameter-server or worker task of a training cluster."""

import signal
import sys

from kclassics.cli._args import non_negative_int, positive_int


def add_cluster_arguments(parser, job_help="job of this process"):
    """The book's cluster flags (book 9.3, L5983-6010), also accepted in dashed form."""
    parser.add_argument("--job", "--job_name", "--job-name", dest="job_name", help=job_help)
    parser.add_argument("--task", "--task_index", "--task-index", dest="task_index", type=non_negative_int, default=0,
                        help="index of this task in its job (default 0)")
    parser.add_argument("--ps_hosts", "--ps-hosts", dest="ps_hosts", help="comma-separated host:port of the parameter servers")
    parser.add_argument("--worker_hosts", "--worker-hosts", dest="worker_hosts", help="comma-separated host:port of the workers")
    parser.add_argument("--sync_replicas", "--sync-replicas", dest="sync_replicas", action="store_true",
                        help="synchronous training (all-reduce among the workers, no parameter servers)")
    parser.add_argument("--replicas_to_aggregate", "--replicas-to-aggregate", dest="replicas_to_aggregate",
                        type=positive_int, help="with --sync_replicas: must equal the number of workers")


def cluster_from_args(args):
    """The `Cluster` given by the flags, or by TF_CONFIG when no host list is given."""
    from kclassics.distribute import Cluster

    if args.ps_hosts is None and args.worker_hosts is None:
        cluster = Cluster.from_tf_config()
        if args.job_name is not None and (args.job_name, args.task_index) != (cluster.task_type, cluster.task_index):
            cluster = cluster.with_task(args.job_name, args.task_index)
        return cluster
    if args.job_name is None:
        raise ValueError("--job_name is required with --ps_hosts/--worker_hosts. Accepted: ps, worker, chief")
    return Cluster.from_flags(
        args.job_name, args.task_index, args.ps_hosts, args.worker_hosts, args.sync_replicas, args.replicas_to_aggregate
    )


def register(commands, argv=()):
    cluster = commands.add_parser("cluster", help="run the server side of a distributed training cluster")
    actions = cluster.add_subparsers(title="actions", metavar="ACTION")
    serve = actions.add_parser(
        "serve",
        help="run a ps or worker task until SIGTERM",
        description="Start this task's tf.distribute.Server at its host:port from --ps_hosts/--worker_hosts "
        "(or TF_CONFIG) and serve until SIGTERM or Ctrl-C. Parameter servers hold the variables; workers run the "
        "steps the coordinator (`kclassics train --strategy parameter_server`) sends them.",
    )
    add_cluster_arguments(serve, job_help="ps or worker")
    serve.set_defaults(check=check_serve, run=run_serve)
    cluster.set_defaults(run=lambda args: cluster.print_help() or 2)


def check_serve(args):
    """The cluster and this task in it, before TensorFlow loads."""
    args.cluster = cluster_from_args(args)
    if args.cluster.task_type not in ("ps", "worker"):
        raise ValueError(f"`cluster serve` runs ps and worker tasks. Received: --job={args.cluster.task_type!r}")


def run_serve(args):
    from kclassics.distribute import serve

    cluster = args.cluster

    def ready(address):
        print(f"serving {cluster.task_type}:{cluster.task_index} at {address} (SIGTERM to stop)", flush=True)

    signum = serve(cluster, on_ready=ready)
    name = signal.Signals(signum).name if signum else "stop"
    print(f"{cluster.task_type}:{cluster.task_index} stopped ({name})", file=sys.stderr, flush=True)
    return 0

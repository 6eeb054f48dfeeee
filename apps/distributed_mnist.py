"""The book's distributed MNIST program (chapter 9.3, L5983-6270), for TensorFlow 2 and Keras 3.

The book starts one process per task with the same script:

    python apps/distributed_mnist.py --job_name=ps --task_index=0 --ps_hosts=h0:2222 --worker_hosts=h1:2222,h2:2222
    python apps/distributed_mnist.py --job_name=worker --task_index=0 ...     # and task 1

In TensorFlow 2 the parameter servers and workers of asynchronous training are
servers, and one more process, the coordinator (`--job_name=chief`), runs the
training loop and sends steps to whichever worker is free:

    python apps/distributed_mnist.py --job_name=chief --ps_hosts=h0:2222 --worker_hosts=h1:2222,h2:2222

With `--sync_replicas` there are no parameter servers: every worker runs the
training loop and gradients are averaged across workers each step (task 0 is
the chief that reports the result). Without `--job_name` the program starts
the whole cluster (1 ps + 2 workers, or 2 synchronous workers) on 127.0.0.1.

Book values: 100 hidden units, batch 100, Adam 0.01 (L6013-6018); asynchronous
by default, the global step counts every worker's update. Differences: the
book trains for `train_steps` = 1,000,000 global steps on MNIST; on the
embedded digits (1,257 training images) the default here is 2,000. The network
is the 4.4 MLP at 100 units without dropout (`kclassics.apps.mlp`), with that
section's initial weights.
"""

import argparse
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402

from kclassics.cli._args import positive_float, positive_int  # noqa: E402
from kclassics.cli.cluster import add_cluster_arguments, cluster_from_args  # noqa: E402

HIDDEN_UNITS = 100  # flags.DEFINE_integer("hidden_units", 100), L6013
BATCH_SIZE = 100  # L6017
LEARNING_RATE = 0.01  # L6018
DIGITS_TRAIN_STEPS = 2000  # the book's 1,000,000 (L6015) is for MNIST's 55,000 images


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_cluster_arguments(parser, job_help="ps, worker or chief (the coordinator of asynchronous training)")
    parser.set_defaults(task_index=0)
    parser.add_argument("--hidden_units", type=positive_int, default=HIDDEN_UNITS)
    parser.add_argument("--train_steps", type=positive_int, default=DIGITS_TRAIN_STEPS, help="global steps to train")
    parser.add_argument("--batch_size", type=positive_int, default=BATCH_SIZE)
    parser.add_argument("--learning_rate", type=positive_float, default=LEARNING_RATE)
    parser.add_argument("--data_dir", help="directory of MNIST's files for the dataset 'mnist' (default: embedded digits)")
    parser.add_argument("--dataset", default="digits", help="kclassics.data dataset name (default: digits)")
    parser.add_argument("--log_every", type=positive_int, default=1, help="print every N-th step (the book prints each)")
    parser.add_argument("--result", help="write the final figures as JSON here")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.job_name is None:
        return run_locally(args, argv if argv is not None else sys.argv[1:])
    cluster = cluster_from_args(args)
    if cluster.task_type in ("ps",) or (cluster.task_type == "worker" and not args.sync_replicas):
        from kclassics.distribute import serve

        print(f"{cluster.task_type} {cluster.task_index}: serving at {cluster.address}", flush=True)
        serve(cluster)
        return 0
    return train(args, cluster)


def train(args, cluster):
    from kclassics import apps, data, distribute

    strategy = distribute.make_strategy("multi_worker" if args.sync_replicas else "parameter_server", cluster)
    splits = data.load(args.dataset, **({"data_dir": args.data_dir} if args.data_dir else {}))
    with strategy.scope():
        model = apps.mlp(input_shape=splits.input_shape, classes=splits.num_classes, hidden_units=args.hidden_units, dropout_rate=0.0)
        model.compile(keras.optimizers.Adam(args.learning_rate), loss="sparse_categorical_crossentropy", metrics=["accuracy"])

    begin = time.time()
    say(f"Training begins @ {begin:f}")
    model.fit(
        distribute.training_input(strategy, data.training_pipeline, splits.train, args.batch_size),
        epochs=1,
        steps_per_epoch=args.train_steps,
        callbacks=[BookStepLog(cluster.task_index if args.sync_replicas else None, args.log_every)],
        verbose=0,
    )
    end = time.time()
    say(f"Training ends @ {end:f}")
    say(f"Training elapsed time: {end - begin:f} s")
    val_loss, val_accuracy = model.evaluate(data.evaluation_pipeline(splits.validation, 500), verbose=0)
    steps = int(keras.ops.convert_to_numpy(model.optimizer.iterations))
    say(f"After {steps} training step(s), validation cross entropy = {val_loss:g}")
    if args.result and cluster.is_chief:
        with open(args.result, "w") as f:
            json.dump({"global_steps": steps, "seconds": end - begin, "val_cross_entropy": float(val_loss),
                       "val_accuracy": float(val_accuracy), "sync": bool(args.sync_replicas)}, f)
    return 0


def say(line):
    """Prints a line in one write, so the lines of workers sharing a terminal do not interleave."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class BookStepLog(keras.callbacks.Callback):
    """Prints the book's per-step line `%f: Worker %d: training step %d done (global step: %d)` (L6246).

    Asynchronous: the worker that ran the step and the global step the
    parameter servers counted (every worker's updates). Synchronous: this
    worker and the number of aggregated rounds.
    """

    def __init__(self, task_index=None, every=1):
        super().__init__()
        self.task_index, self.every, self.local_steps = task_index, every, {}

    def on_train_batch_end(self, batch, logs=None):
        logs = logs or {}
        if "worker" not in logs and self.task_index is None:
            return  # a step whose worker died: its logs were lost with it
        worker = self.task_index if self.task_index is not None else int(logs["worker"])
        self.local_steps[worker] = self.local_steps.get(worker, 0) + 1
        global_step = int(logs["global_step"]) if "global_step" in logs else batch + 1
        if global_step % self.every == 0:
            say(f"{time.time():f}: Worker {worker}: training step {self.local_steps[worker]} done "
                f"(global step: {global_step})")


def run_locally(args, argv):
    """Starts the whole cluster on 127.0.0.1 and returns the chief's exit status."""
    from kclassics.distribute.local import LocalCluster, local_jobs

    script = os.path.abspath(__file__)
    if args.sync_replicas:
        workers = local_jobs(num_workers=2)["worker"]
        flags = ["--worker_hosts", ",".join(workers), "--sync_replicas"]
        processes = [subprocess.Popen([sys.executable, script, *argv, *flags, "--job_name", "worker", "--task_index", str(i)])
                     for i in range(len(workers))]
        try:
            return max(process.wait() for process in processes)
        finally:
            for process in processes:
                if process.poll() is None:
                    process.kill()
    with LocalCluster(num_workers=2, num_ps=1) as cluster:
        flags = ["--ps_hosts", ",".join(cluster.jobs["ps"]), "--worker_hosts", ",".join(cluster.jobs["worker"])]
        return subprocess.call([sys.executable, script, *argv, *flags, "--job_name", "chief"])


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ValueError as error:
        print(f"distributed_mnist.py: error: {error}", file=sys.stderr)
        sys.exit(2)

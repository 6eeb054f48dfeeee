"""Measures what distribution costs: coordinator overhead and multi-worker step time.

1. Parameter-server `fit` with 1 worker (and 1 ps) against plain `fit` of the
   same model in one process: the ratio of steps per second.
2. MultiWorkerMirroredStrategy with 2 workers against 1 worker: time per step
   (each worker takes the same per-worker batch).

Every run is a fresh process; the cluster runs on 127.0.0.1. Timings cover the
second epoch only (the first one traces and warms up).

    python benchmarks/benchmark_distributed.py --steps 100 --json bench.json
"""

import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from kclassics.cli._args import positive_int  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="mnist_cnn", help="registry name (default mnist_cnn, a step of >= 20 ms on CPU)")
    parser.add_argument("--batch-size", type=positive_int, default=50, help="examples per step per worker")
    parser.add_argument("--steps", type=positive_int, default=100, help="timed steps (the second epoch)")
    parser.add_argument("--repeats", type=positive_int, default=1, help="measure each setting this many times, report the best")
    parser.add_argument("--json", help="write the figures here")
    parser.add_argument("--role", choices=("plain", "ps", "mwms"), help=argparse.SUPPRESS)
    parser.add_argument("--tf-config", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def timed_fit(args, strategy):
    """Seconds per step of the second epoch of `fit` under `strategy`."""
    import keras
    import tensorflow as tf

    from kclassics import apps, data

    splits = data.load("digits")
    with strategy.scope():
        keras.utils.set_random_seed(0)
        model = apps.create_model(args.model, input_shape=splits.input_shape, classes=splits.num_classes)
        model.compile(keras.optimizers.Adam(1e-4), loss="sparse_categorical_crossentropy")

    class EpochTimer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.seconds = []

        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(time.perf_counter() - self.start)

    replicas = strategy.num_replicas_in_sync if not isinstance(strategy, tf.distribute.ParameterServerStrategy) else 1
    train = splits.train
    batch = args.batch_size * replicas

    def dataset_fn(input_context=None):
        return tf.data.Dataset.from_tensor_slices((train.x, train.y)).shuffle(len(train), seed=0).repeat().batch(batch, drop_remainder=True).prefetch(2)

    timer = EpochTimer()
    x = dataset_fn if isinstance(strategy, tf.distribute.ParameterServerStrategy) else dataset_fn()
    model.fit(x, epochs=2, steps_per_epoch=args.steps, callbacks=[timer], verbose=0)
    return timer.seconds[1] / args.steps


def child(args):
    from kclassics import distribute

    if args.role == "plain":
        strategy = distribute.make_strategy("default")
    else:
        cluster = distribute.Cluster.from_tf_config(args.tf_config)
        strategy = distribute.make_strategy("parameter_server" if args.role == "ps" else "multi_worker", cluster)
    print(json.dumps({"seconds_per_step": timed_fit(args, strategy)}), flush=True)


def run_child(args, role, tf_config=None, count=1):
    """Runs `count` copies of this script in a role; returns their seconds per step."""
    command = [sys.executable, os.path.abspath(__file__), "--role", role, "--model", args.model,
               "--batch-size", str(args.batch_size), "--steps", str(args.steps)]
    processes = []
    try:
        for index in range(count):
            config = tf_config(index) if callable(tf_config) else tf_config
            processes.append(subprocess.Popen(command + (["--tf-config", config] if config else []),
                                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        results = []
        for process in processes:
            out, err = process.communicate(timeout=900)
            if process.returncode != 0:
                raise RuntimeError(f"{role} run failed:\n{err[-3000:]}")
            results.append(json.loads(out.strip().splitlines()[-1])["seconds_per_step"])
        return results
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()


def main(argv=None):
    args = parse_args(argv)
    if args.role:
        return child(args)
    from kclassics.distribute.local import LocalCluster, local_jobs

    best = {"plain": [], "ps_1_worker": [], "mwms_1_worker": [], "mwms_2_workers": []}
    for _ in range(args.repeats):
        best["plain"].append(run_child(args, "plain")[0])
        with LocalCluster(num_workers=1, num_ps=1) as cluster:
            best["ps_1_worker"].append(run_child(args, "ps", json.dumps({"cluster": cluster.jobs}))[0])
        for workers, key in ((1, "mwms_1_worker"), (2, "mwms_2_workers")):
            jobs = local_jobs(num_workers=workers)
            per_worker = run_child(
                args, "mwms", lambda i: json.dumps({"cluster": jobs, "task": {"type": "worker", "index": i}}), count=workers
            )
            best[key].append(max(per_worker))
    figures = {key: min(values) for key, values in best.items()}
    result = {
        "model": args.model,
        "batch_size_per_worker": args.batch_size,
        "timed_steps": args.steps,
        "repeats": args.repeats,
        "cpus": os.cpu_count(),
        "seconds_per_step": figures,
        "ps_vs_plain_steps_per_sec_ratio": figures["plain"] / figures["ps_1_worker"],
        "mwms_2_vs_1_step_time_ratio": figures["mwms_2_workers"] / figures["mwms_1_worker"],
    }
    print(f"model {args.model}, batch {args.batch_size} per worker, {args.steps} timed steps, {os.cpu_count()} CPUs")
    for key, seconds in figures.items():
        print(f"  {key:15s} {seconds * 1000:8.1f} ms/step  {1 / seconds:8.1f} steps/s")
    print(f"  parameter-server (1 worker) / plain steps/s: {result['ps_vs_plain_steps_per_sec_ratio']:.2f}")
    print(f"  multi-worker 2 / 1 worker time per step:     {result['mwms_2_vs_1_step_time_ratio']:.2f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())

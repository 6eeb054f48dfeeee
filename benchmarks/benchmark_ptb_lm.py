"""Training words/sec of the book's small, medium and large language models, and the fraction of the matmul peak.

    python benchmarks/benchmark_ptb_lm.py [--configs small medium large] [--steps 20 6 3] [--burn-in 2]
        [--lstm basic keras] [--jit] [--json PATH]

Each config trains `TruncatedBPTT` (the program's `fit` step: the book's cost,
global-norm clipping, SGD, the carried state) on batches of random word ids
from a 10,000-word vocabulary at the book's batch size and window. The
matmul peak (`kclassics.benchmark.measure_matmul_peak`, a 2048x2048 float32
product) is measured in the same run, before and after each config; the
better of the two counts. FLOPs per word are the matmuls of
`kclassics.language_model.train_flops_per_word` (3x the forward's: the
embedding lookup, gates and softmax normalisation are not counted).

The book's small run trained at about 21,000 words/s on a GTX 1080 (L4494-4503);
the ratio against it is printed too.
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

BOOK_SMALL_WPS = 21_000  # speed: ~21,500 wps on a GTX 1080, L4494-4503


def time_training(config, lstm, steps, burn_in, jit, vocab_size=10_000):
    """Seconds per step (each of `steps` timed after `burn_in`) of the program's training step for `config`, and the trainer.

    Runs on the TensorFlow and JAX backends: `fit` over the windows in order,
    each step waited for (its cost read back) before the next is stamped.
    """
    import dataclasses

    import keras

    from kclassics.language_model import TruncatedBPTT
    from kclassics.language_model_configs import build_language_model

    keras.utils.set_random_seed(0)
    config = dataclasses.replace(config, lstm=lstm)
    model = build_language_model(config, vocab_size)
    trainer = TruncatedBPTT(model, config.batch_size)
    trainer.compile(optimizer=keras.optimizers.SGD(config.learning_rate, global_clipnorm=config.max_grad_norm), jit_compile=jit)
    x, y = windows(config, burn_in + steps, vocab_size)
    stamps = []

    class Stamp(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            float(logs["cost"])  # waits for the step (a GPU step returns before its kernels finish)
            stamps.append(time.perf_counter())

    start = time.perf_counter()
    trainer.fit(x.reshape(-1, config.num_steps), y.reshape(-1, config.num_steps), batch_size=config.batch_size,
                verbose=0, shuffle=False, callbacks=[Stamp()])
    return np.diff([start, *stamps])[burn_in:], trainer


def windows(config, count, vocab_size=10_000):
    """`count` windows of random word ids and their targets at `config`'s batch and steps: `(count, batch, steps)` each."""
    rng = np.random.default_rng(0)
    shape = (count, config.batch_size, config.num_steps)
    return tuple(rng.integers(0, vocab_size, shape).astype(np.int32) for _ in range(2))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--configs", nargs="+", default=["small", "medium", "large"], choices=["small", "medium", "large"])
    parser.add_argument("--steps", nargs="+", type=int, default=[20, 6, 3], help="timed steps per config, in order")
    parser.add_argument("--burn-in", type=int, default=2, help="untimed steps first (tracing, warm-up)")
    parser.add_argument("--lstm", nargs="+", default=["basic"], choices=["basic", "keras"],
                        help="LSTM implementations to time (keras: keras.layers.LSTM, cuDNN on a GPU)")
    parser.add_argument("--jit", action="store_true", help="compile the training step with XLA")
    parser.add_argument("--json", help="also write the rows as JSON to this file")
    args = parser.parse_args(argv)
    if len(args.steps) < len(args.configs):
        parser.error(f"argument --steps: expected one count per config ({len(args.configs)}), received {len(args.steps)}")

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import tensorflow as tf

    from kclassics.benchmark import machine, measure_matmul_peak
    from kclassics.language_model import train_flops_per_word
    from kclassics.language_model_configs import CONFIGS

    device = "GPU" if tf.config.list_physical_devices("GPU") else "CPU"
    print(f"machine: {machine()}; device: {device}; jit: {args.jit}")
    print(f"{'config':<8} {'lstm':<6} {'hidden':>6} {'MFLOP/word':>10} {'words/s':>9} {'GFLOP/s':>8} {'peak':>7} {'of peak':>8} {'x book 1080':>11}")
    rows = []
    for name, steps in zip(args.configs, args.steps):
        config = CONFIGS[name]
        flops = train_flops_per_word(config.hidden_size, 10_000, config.num_layers)
        for lstm in args.lstm:
            peak_before = measure_matmul_peak()
            durations, _ = time_training(config, lstm, steps, args.burn_in, args.jit)
            peak = max(peak_before, measure_matmul_peak())
            words_per_sec = config.batch_size * config.num_steps / float(np.median(durations))
            gflops = words_per_sec * flops / 1e9
            row = {"config": name, "lstm": lstm, "device": device, "jit": args.jit, "hidden_size": config.hidden_size,
                   "flops_per_word": flops, "words_per_sec": words_per_sec, "gflops": gflops, "peak_gflops": peak,
                   "fraction_of_peak": gflops / peak, "vs_book_gtx1080": words_per_sec / BOOK_SMALL_WPS,
                   "step_seconds": [float(d) for d in durations]}
            rows.append(row)
            print(f"{name:<8} {lstm:<6} {config.hidden_size:>6} {flops / 1e6:>10.2f} {words_per_sec:>9.0f} {gflops:>8.1f} "
                  f"{peak:>7.1f} {gflops / peak:>8.1%} {words_per_sec / BOOK_SMALL_WPS:>11.3f}", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

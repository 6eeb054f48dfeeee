"""Times AlexNet (book widths) forward-backward at batch 32 with and without LRN, in one run.

    python benchmarks/benchmark_lrn.py [--batch-size 32] [--steps 5] [--burn-in 2] [--jit]
        [--implementation matmul|fused] [--lrn-alone]

As the book's `time_tensorflow_run` (L2263): burn-in steps, then timed steps of the
gradients of `l2_loss(output)` w.r.t. all parameters (no optimizer update), on
random input. Prints both timings (median of steps timed in alternation) and their ratio.
"""

import argparse
import time

import numpy as np
import tensorflow as tf

import kclassics.apps as apps


def forward_backward_step(model, jit):
    """A compiled step computing the gradients of `l2_loss(model(x))` w.r.t. all trainable weights."""

    @tf.function(jit_compile=jit)
    def step(x):
        with tf.GradientTape() as tape:
            loss = tf.nn.l2_loss(model(x, training=True))
        return tape.gradient(loss, model.trainable_weights)

    return step


def time_interleaved(steps_by_label, images, steps, burn_in):
    """Median and spread of seconds per step for each step function, timed in alternation.

    Alternating the two models step by step exposes both to the same machine load,
    which matters on a shared CPU.
    """
    for step in steps_by_label.values():
        for _ in range(burn_in):
            step(images)
    durations = {label: [] for label in steps_by_label}
    for _ in range(steps):
        for label, step in steps_by_label.items():
            start = time.perf_counter()
            step(images)[0].numpy()  # wait for the result
            durations[label].append(time.perf_counter() - start)
    return {label: (float(np.median(d)), float(np.std(d))) for label, d in durations.items()}


def time_lrn_alone(batch_size, steps, burn_in, jit):
    """Median seconds of one LRN forward-backward at AlexNet's lrn1 and lrn2 shapes, per implementation."""
    from kclassics.apps.alexnet import BOOK_LRN
    from kclassics.layers import LocalResponseNormalization

    results = {}
    for shape in ((batch_size, 56, 56, 64), (batch_size, 27, 27, 192)):
        x = tf.random.normal(shape)
        steps_by_label = {}
        for implementation in ("matmul", "fused"):
            layer = LocalResponseNormalization(**BOOK_LRN, implementation=implementation)

            @tf.function(jit_compile=jit and implementation == "matmul")
            def step(inputs, layer=layer):
                with tf.GradientTape() as tape:
                    tape.watch(inputs)
                    loss = tf.nn.l2_loss(layer(inputs))
                return [tape.gradient(loss, inputs)]

            steps_by_label[f"{implementation} {shape}"] = step
        results.update(time_interleaved(steps_by_label, x, steps, burn_in))
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--burn-in", type=int, default=2)
    parser.add_argument("--jit", action="store_true", help="compile the step with XLA (jit_compile=True)")
    parser.add_argument("--implementation", choices=("matmul", "fused"), default="matmul")
    parser.add_argument("--lrn-alone", action="store_true", help="also time the LRN layer alone, both implementations")
    args = parser.parse_args()
    if args.lrn_alone:
        for label, (median, std) in time_lrn_alone(args.batch_size, args.steps, args.burn_in, args.jit).items():
            print(f"LRN alone forward-backward, {label}: {median * 1000:.1f} ms median (+/- {std * 1000:.1f})")
    images = tf.random.normal((args.batch_size, 224, 224, 3))
    steps = {
        label: forward_backward_step(
            apps.alexnet(lrn=lrn, lrn_implementation=args.implementation, classifier_activation=None), args.jit
        )
        for label, lrn in (("with LRN", True), ("without LRN", False))
    }
    results = time_interleaved(steps, images, args.steps, args.burn_in)
    for label, (median, std) in results.items():
        print(f"AlexNet forward-backward {label} ({args.implementation}, jit={args.jit}): "
              f"{median:.3f} s median (+/- {std:.3f}) per batch of {args.batch_size}, {args.steps} steps")
    print(f"ratio with/without LRN: {results['with LRN'][0] / results['without LRN'][0]:.2f}")


if __name__ == "__main__":
    main()

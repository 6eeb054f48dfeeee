"""Times kclassics' Winograd 3x3 convolution against the direct one, layer by layer, in one run.

    python benchmarks/benchmark_winograd.py [--shapes 32x28x512x512 ...] [--steps 6] [--warmup 2] [--clock wall|cpu]

For each shape `batch x side x in x out` (VGG's and ResNet's 3x3 layers by default),
a `kclassics.layers.Conv2D` with `algorithm="winograd"` and one with `"direct"`
(same weights) are timed in alternation (`kclassics.benchmark.time_paired`), forward and
forward-backward (the gradients of `l2_loss` w.r.t. the input and the weights). Prints a
Markdown table: median seconds of each, the ratio per step pair (median, min-max; > 1 means
Winograd is faster), and the largest difference of the outputs relative to their largest value.
"""

import argparse

import numpy as np

from kclassics import benchmark  # light: TensorFlow is imported once the arguments hold

DEFAULT_SHAPES = (
    "32x224x64x64", "32x112x128x128", "32x56x256x256", "32x28x512x512", "32x14x512x512",
    "32x56x64x64", "32x28x128x128", "32x14x256x256", "32x7x512x512",
)


def parse_shape(text):
    """`"32x28x512x512"` -> `(32, 28, 512, 512)`, with a clear error."""
    try:
        shape = tuple(int(v) for v in text.lower().split("x"))
    except ValueError:
        shape = ()
    if len(shape) != 4 or min(shape) < 1:
        raise argparse.ArgumentTypeError(f"a shape is BATCHxSIDExINxOUT of positive integers, e.g. 32x28x512x512; got {text!r}")
    return shape


def steps_for(shape, seed=0):
    """The forward and forward-backward steps of both algorithms, and their output difference."""
    import tensorflow as tf

    from kclassics.layers import Conv2D

    batch, side, channels, filters = shape
    x = tf.random.stateless_normal((batch, side, side, channels), seed=(seed, 0))
    layers = {algorithm: Conv2D(filters, 3, padding="same", algorithm=algorithm) for algorithm in ("winograd", "direct")}
    for layer in layers.values():
        layer.build(x.shape)
    layers["winograd"].set_weights(layers["direct"].get_weights())

    def forward(layer):
        return tf.function(lambda: layer(x))

    def forward_backward(layer):
        @tf.function
        def step():
            with tf.GradientTape() as tape:
                tape.watch(x)
                loss = tf.nn.l2_loss(layer(x))
            return tape.gradient(loss, [x, *layer.trainable_weights])

        return step

    expected = layers["direct"](x)
    error = float(tf.reduce_max(tf.abs(layers["winograd"](x) - expected)) / tf.reduce_max(tf.abs(expected)))
    modes = {
        "forward": [forward(layers[a]) for a in ("winograd", "direct")],
        "forward-backward": [forward_backward(layers[a]) for a in ("winograd", "direct")],
    }
    return modes, error


def _waited(step):
    return lambda: benchmark.wait_for(step())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", nargs="+", type=parse_shape, default=[parse_shape(s) for s in DEFAULT_SHAPES])
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall")
    args = parser.parse_args()
    try:
        benchmark.check_run_arguments("forward", 1, args.steps, args.warmup)
    except ValueError as error:
        parser.error(str(error))
    print("| shape (batch x side x in x out) | mode | direct s | Winograd s | ratio median (min-max) | max rel. difference |")
    print("|---|---|---|---|---|---|")
    for shape in args.shapes:
        modes, error = steps_for(shape)
        for mode, (winograd, direct) in modes.items():
            ours, theirs = benchmark.time_paired(_waited(winograd), _waited(direct), args.steps, args.warmup, clock=args.clock)
            ratios = benchmark.pair_ratios(ours, theirs)
            print(
                f"| {'x'.join(map(str, shape))} | {mode} | {np.median(theirs.durations):.3f} | {np.median(ours.durations):.3f} "
                f"| {np.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f}) | {error:.1e} |",
                flush=True,
            )


if __name__ == "__main__":
    main()

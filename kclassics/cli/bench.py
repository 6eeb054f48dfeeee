"""`kclassics bench`: the book's chapter 6 timing harness for any registered model, on any Keras backend."""

import argparse

from kclassics.cli._args import non_negative_int, positive_int


def mixed_policy(value):
    """`--mixed-precision POLICY`: one of the mixed dtype policies."""
    from kclassics import precision

    if value not in precision.MIXED_POLICIES:
        raise argparse.ArgumentTypeError(f"must be one of {', '.join(precision.MIXED_POLICIES)}. Received: {value!r}")
    return value


def register(commands, argv=()):
    from kclassics import benchmark

    parser = commands.add_parser(
        "bench",
        help="time a model as the book's chapter 6 does (forward, forward-backward, train)",
        description="Time a model on one random batch: burn-in steps, then timed steps, printing the book's "
        "`step N, duration = ...` lines and `... across N steps, mean +/- sd sec / batch`, then images/sec, "
        "achieved GFLOP/s and the fraction of this machine's matmul peak (measured at start-up). Runs on the "
        "Keras backend KERAS_BACKEND names (tensorflow, jax, torch).",
    )
    parser.add_argument("model", help="registered model name (see `kclassics list`)")
    parser.add_argument("--mode", choices=benchmark.MODES, default="forward", help="what one step does (default: forward)")
    parser.add_argument("--batch-size", type=positive_int, default=benchmark.BOOK_BATCH_SIZE, help="images per step (default: 32)")
    parser.add_argument("--image-size", type=positive_int, help="input height and width (default: the model's)")
    parser.add_argument("--steps", type=positive_int, default=benchmark.BOOK_TIMED_STEPS, help="timed steps (default: 100)")
    parser.add_argument("--warmup", type=non_negative_int, default=benchmark.BOOK_WARMUP_STEPS, help="burn-in steps (default: 10)")
    parser.add_argument(
        "--jit", action=argparse.BooleanOptionalAction, default=None,
        help="XLA-compile the step of both models (default: each model's own default)",
    )
    parser.add_argument(
        "--mixed-precision", nargs="?", const=True, default=False, type=mixed_policy, metavar="POLICY",
        help="alone: mixed_float16 on GPU, mixed_bfloat16 on CPU; or name the policy, mixed_bfloat16 or mixed_float16, "
        "on any device",
    )
    parser.add_argument("--compare", choices=("keras",), help="also time the keras.applications twin, interleaved, same weights")
    parser.add_argument(
        "--clock", choices=tuple(benchmark.CLOCKS), default="wall",
        help="wall: elapsed seconds, as the book (default); cpu: CPU seconds of this process, steadier on a shared machine",
    )
    parser.add_argument(
        "--profile-ops", type=non_negative_int, default=0, metavar="STEPS",
        help="after the timing, profile STEPS more steps of each model and print the op time by op type",
    )
    parser.add_argument(
        "--profile-by", choices=benchmark.PROFILE_BY, default="type",
        help="with --profile-ops: sum the op time by op type (default) or by the model's top-level layer",
    )
    parser.add_argument("--json", metavar="FILE", help="write the figures to FILE (never overwritten)")
    parser.set_defaults(check=check, run=run)


def check(args):
    from kclassics import benchmark
    from kclassics.cli.models import check_model_name

    check_model_name(args.model, "model")
    benchmark.check_json_path(args.json)


def run(args):
    from kclassics import apps, benchmark

    result = benchmark.benchmark(
        args.model,
        mode=args.mode,
        batch_size=args.batch_size,
        image_size=args.image_size,
        steps=args.steps,
        warmup=args.warmup,
        jit_compile=args.jit,
        mixed_precision=args.mixed_precision,
        compare=args.compare,
        clock=args.clock,
        profile_ops=args.profile_ops,
        profile_by=args.profile_by,
        log=lambda line: print(line, flush=True),
    )
    if args.json:
        benchmark.write_json(result, args.json)
        print(f"figures written to {args.json}")
    return 0

"""The book's chapter 6 timing table, re-measured here, with its GTX 1080 numbers beside.

    python benchmarks/benchmark_convnets.py [--models alexnet vgg16 ...] [--modes forward forward-backward]
        [--batch-size 32] [--steps 100] [--warmup 10] [--image-size N] [--jit/--no-jit] [--clock wall|cpu]
        [--json FILE]

Each row runs `kclassics.benchmark.benchmark` (the book's `time_tensorflow_run`:
10 burn-in steps, 100 timed batches of 32 random images) and prints the book's
lines, then one table: measured seconds per batch, the book's, images/sec,
achieved GFLOP/s and the fraction of this machine's matmul peak. As in the
book, AlexNet is timed up to `pool5` (its FC layers were "left to the reader",
L2066) and the book did not time Inception V3 or ResNet-152 backward ("-").
"""

import argparse
import dataclasses
import json
import sys
from pathlib import Path
from typing import Optional

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kclassics import benchmark  # noqa: E402


@dataclasses.dataclass(frozen=True)
class BookRow:
    """One network of the book's chapter 6 timings (GTX 1080, CUDA 8, cuDNN 5.1, batch 32)."""

    label: str
    model: str
    model_kwargs: dict
    forward: Optional[float]  # seconds per batch
    forward_backward: Optional[float]


BOOK_TABLE = {
    # AlexNet with LRN: forward 0.026 s, forward-backward 0.078 s (book 6.1, L2342, L2362).
    "alexnet": BookRow("AlexNet (LRN)", "alexnet", {"include_top": False}, 0.026, 0.078),
    # Without the two LRN layers: 0.007 s and 0.025 s (book 6.1, L2342, L2362).
    "alexnet_no_lrn": BookRow("AlexNet (no LRN)", "alexnet", {"include_top": False, "lrn": False}, 0.007, 0.025),
    # VGG-16: forward 0.152 s, forward-backward 0.617 s (book 6.2, L2688, L2705).
    "vgg16": BookRow("VGG-16", "vgg16", {}, 0.152, 0.617),
    # Inception V3 at 299x299: forward 0.145 s (book 6.3, L3304, L3317).
    "inception_v3": BookRow("Inception V3", "inception_v3", {}, 0.145, None),
    # ResNet-152 (V2): forward 0.202 s (book 6.4, L3663).
    "resnet_v2_152": BookRow("ResNet-152", "resnet_v2_152", {}, 0.202, None),
}
BOOK_MODES = ("forward", "forward-backward")


def table(rows):
    """The measured figures beside the book's as a Markdown table."""
    header = ("network", "mode", "measured s/batch", "book GTX 1080 s/batch", "images/sec", "GFLOP/s", "% of peak")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row, result in rows:
        book = row.forward if result.mode == "forward" else row.forward_backward
        lines.append(
            f"| {row.label} | {result.mode} | {result.times.mean:.3f} +/- {result.times.sd:.3f} | "
            f"{'-' if book is None else f'{book:.3f}'} | {result.images_per_sec:.1f} | {result.gflops:.1f} | "
            f"{100 * result.fraction_of_peak:.1f}% |"
        )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", choices=list(BOOK_TABLE), default=list(BOOK_TABLE))
    parser.add_argument("--modes", nargs="+", choices=BOOK_MODES, default=list(BOOK_MODES))
    parser.add_argument("--batch-size", type=int, default=benchmark.BOOK_BATCH_SIZE)
    parser.add_argument("--steps", type=int, default=benchmark.BOOK_TIMED_STEPS)
    parser.add_argument("--warmup", type=int, default=benchmark.BOOK_WARMUP_STEPS)
    parser.add_argument("--image-size", type=int, help="override every network's input size (for quick checks)")
    parser.add_argument("--jit", action=argparse.BooleanOptionalAction, default=None, help="XLA on or off (default: the model's)")
    parser.add_argument("--clock", choices=tuple(benchmark.CLOCKS), default="wall", help="wall (the book's) or cpu seconds")
    parser.add_argument("--json", metavar="FILE", help="write every row's figures to FILE (never overwritten)")
    args = parser.parse_args(argv)
    try:
        benchmark.check_run_arguments(args.modes[0], args.batch_size, args.steps, args.warmup)
        benchmark.check_json_path(args.json)
    except (ValueError, FileExistsError, FileNotFoundError) as error:
        parser.error(str(error))

    peak = benchmark.measure_matmul_peak(clock=args.clock)
    print(f"matmul peak: {peak:.1f} GFLOP/s{' per CPU second' if args.clock == 'cpu' else ''} (2048x2048 float32)", flush=True)
    rows = []
    for key in args.models:
        row = BOOK_TABLE[key]
        for mode in args.modes:
            print(f"== {row.label}, {mode}", flush=True)
            result = benchmark.benchmark(
                row.model, mode=mode, batch_size=args.batch_size, image_size=args.image_size, steps=args.steps,
                warmup=args.warmup, jit_compile=args.jit, model_kwargs=row.model_kwargs, peak_gflops=peak, clock=args.clock,
                log=lambda line: print(line, flush=True),
            )
            rows.append((row, result))
    print()
    print(table(rows))
    if args.json:
        with open(args.json, "x", encoding="utf-8") as stream:
            json.dump([{"network": row.label, **result.as_dict()} for row, result in rows], stream, indent=2)
        print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

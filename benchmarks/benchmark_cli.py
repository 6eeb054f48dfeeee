"""How long the command line takes to refuse bad input: each error case as a whole process, beside `kclassics --version`.

    python benchmarks/benchmark_cli.py [--repeats 7] [--json FILE]

Every case of tests/cli/test_fast_errors.py runs `--repeats` times as
`python -m kclassics ...`; the table gives the median and the slowest wall
time, and the floor: `kclassics --version`, the interpreter's and the
package's start with nothing to check.
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.cli.test_fast_errors import CASES  # noqa: E402


def timed(argv, repeats):
    seconds, status = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        status = subprocess.run([sys.executable, "-m", "kclassics", *argv], capture_output=True, cwd=ROOT).returncode
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), max(seconds), status


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="runs of each case (default 7)")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as root:
        root = Path(root)
        (root / "out").mkdir()
        (root / "out" / "mine.txt").write_text("keep")
        (root / "run").mkdir()
        (root / "file").write_text("not a run")
        paths = {"out": root / "out", "run": root / "run", "file": root / "file", "missing": root / "missing"}
        rows = [("floor: kclassics --version", *timed(["--version"], args.repeats))]
        for name, case in CASES:
            rows.append((name, *timed([arg.format(**paths) for arg in case], args.repeats)))
    width = max(len(row[0]) for row in rows)
    print(f"{'case'.ljust(width)}  median s  slowest s  exit")
    for name, median, slowest, status in rows:
        print(f"{name.ljust(width)}  {median:8.3f}  {slowest:9.3f}  {status}")
    worst = max(row[1] for row in rows[1:])
    print(f"slowest median of an error case: {worst:.3f} s (goal: under 1 s)")
    if args.json:
        Path(args.json).write_text(json.dumps([dict(zip(("case", "median_s", "slowest_s", "status"), row)) for row in rows],
                                              indent=1))
    return 0 if worst < 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())

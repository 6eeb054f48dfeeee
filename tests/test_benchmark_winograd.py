"""benchmarks/benchmark_winograd.py: the per-layer Winograd/direct table."""

import re
import subprocess
import sys

from tests.conftest import ROOT, subprocess_env


def _run(tmp_path, *args):
    return subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "benchmark_winograd.py"), *args],
        capture_output=True, text=True, cwd=tmp_path, env=subprocess_env(), timeout=600,
    )


def test_rows_for_each_shape_and_mode(tmp_path):
    result = _run(tmp_path, "--shapes", "2x8x4x4", "1x5x3x2", "--steps", "2", "--warmup", "1")
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if re.match(r"\| \d+x", line)]
    assert [row.split(" | ")[:2] for row in rows] == [
        ["| 2x8x4x4", "forward"], ["| 2x8x4x4", "forward-backward"], ["| 1x5x3x2", "forward"], ["| 1x5x3x2", "forward-backward"],
    ]
    for row in rows:
        cells = row.strip("| ").split(" | ")
        assert re.fullmatch(r"\d+\.\d{2} \(\d+\.\d{2}-\d+\.\d{2}\)", cells[4])
        assert float(cells[5]) < 1e-5  # the two algorithms agree to rounding


def test_bad_shape_and_steps(tmp_path):
    result = _run(tmp_path, "--shapes", "2x8x4")
    assert result.returncode == 2 and "BATCHxSIDExINxOUT" in result.stderr and "'2x8x4'" in result.stderr
    result = _run(tmp_path, "--shapes", "2x8x4x4", "--steps", "0")
    assert result.returncode == 2 and "`steps` must be a positive integer. Received: steps=0" in result.stderr

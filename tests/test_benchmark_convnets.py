"""benchmarks/benchmark_convnets.py: the book's chapter 6 table, measured, beside the GTX 1080 numbers."""

import json
import re
import subprocess
import sys

from tests.conftest import ROOT, subprocess_env


def test_table_rows_and_json(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "benchmark_convnets.py"), "--models", "alexnet", "alexnet_no_lrn",
         "--batch-size", "2", "--steps", "2", "--warmup", "1", "--image-size", "64", "--json", "rows.json"],
        capture_output=True, text=True, cwd=tmp_path, env=subprocess_env(), timeout=600,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert re.search(r"^\S+ \S+: Forward-backward across 2 steps, \d+\.\d{3} \+/- \d+\.\d{3} sec / batch$", out, re.M)
    rows = [line for line in out.splitlines() if line.startswith("| AlexNet")]
    assert len(rows) == 4
    assert re.fullmatch(r"\| AlexNet \(LRN\) \| forward \| \d+\.\d{3} \+/- \d+\.\d{3} \| 0\.026 \| .* \| .* \| .*% \|", rows[0])
    assert "| AlexNet (no LRN) | forward-backward |" in rows[3] and "| 0.025 |" in rows[3]
    figures = json.loads((tmp_path / "rows.json").read_text())
    assert [f["network"] for f in figures] == ["AlexNet (LRN)"] * 2 + ["AlexNet (no LRN)"] * 2
    # Without LRN the network does fewer multiply-adds: the LRN layers are counted.
    assert figures[0]["multiply_adds_per_image"] > figures[2]["multiply_adds_per_image"]


def test_bad_arguments(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "benchmark_convnets.py"), "--steps", "0"],
        capture_output=True, text=True, cwd=tmp_path, env=subprocess_env(), timeout=600,
    )
    assert result.returncode == 2 and "`steps` must be a positive integer. Received: steps=0" in result.stderr

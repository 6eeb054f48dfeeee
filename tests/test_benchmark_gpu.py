"""benchmarks/benchmark_gpu.py's plan: the priority order, what a rerun skips, the skip-gram pairs and the tables.

The measurements themselves need a GPU; `--rehearse` runs them at toy sizes on a CPU (docs/performance.md).
"""

import importlib.util

import numpy as np

from tests.conftest import ROOT

spec = importlib.util.spec_from_file_location("benchmark_gpu", ROOT / "benchmarks" / "benchmark_gpu.py")
gpu = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gpu)


def test_the_headline_ladder_comes_first_and_compiled_timm_on_it_first():
    args = gpu.parse_args(["--out", "unused"])
    rows = gpu.row_jobs(args)
    assert [(j["model"], j["policy"], j["batch_size"]) for j in rows[:5]] == [
        ("resnet_v2_50", "mixed_bfloat16", 128), ("resnet_v2_50", "mixed_bfloat16", 256), ("resnet_v2_50", "mixed_bfloat16", 512),
        ("resnet_v2_50", "float32", 128), ("densenet121", "mixed_bfloat16", 128)]
    assert {j["model"] for j in rows} == set(gpu.MODELS) and len(rows) == 4 * 4
    timm = gpu.timm_jobs(args)
    assert [j["compiled"] for j in timm[:3]] == [True] * 3 and {j["model"] for j in timm[:3]} == {"resnet_v2_50"}
    assert sum(j["compiled"] for j in timm) == 4 * 3  # compiled beside eager on every mixed rung
    assert [j["attempt"] for j in gpu.attempt_jobs(args)] == list(gpu.ATTEMPTS)
    sequence = gpu.sequence_jobs(args)
    assert [(j["config"], j["lstm"]) for j in sequence[:3]] == [("small", "basic"), ("medium", "basic"), ("large", "basic")]
    assert [j["settings"] for j in sequence if j["kind"] == "skipgram"] == list(gpu.SKIPGRAM)


def test_a_rerun_measures_only_what_is_missing(tmp_path):
    args = gpu.parse_args(["--out", str(tmp_path), "--models", "vgg16"])
    rows = gpu.row_jobs(args)
    path = tmp_path / "rows.jsonl"
    first, second, third = gpu.pending(rows, path)[:3]
    gpu.append(path, {"job": gpu.key(first), **first, "images_per_sec": 1.0})
    gpu.append(path, gpu.error_record(second, RuntimeError("RESOURCE_EXHAUSTED: out of memory allocating 80 GiB")))
    gpu.append(path, gpu.error_record(third, RuntimeError("a crash")))
    left = gpu.pending(rows, path)
    assert first not in left and second not in left  # a figure, and a batch that does not fit, are results
    assert third in left and len(left) == len(rows) - 2
    assert len(gpu.pending(rows, path, repeat=2)) == len(rows)


def test_skipgram_pairs_take_every_context_within_the_window():
    ids = np.arange(10, 17)
    centres, contexts = gpu.skipgram_pairs(ids, 1)
    assert centres.tolist() == [11, 11, 12, 12, 13, 13, 14, 14, 15, 15]
    assert contexts.tolist() == [10, 12, 11, 13, 12, 14, 13, 15, 14, 16]
    centres, contexts = gpu.skipgram_pairs(ids, 2)
    assert centres.tolist()[:4] == [12] * 4 and contexts.tolist()[:4] == [10, 11, 13, 14]


def test_tables_show_each_row_beside_its_peers():
    gib = 2**30
    summary = {
        "device": "NVIDIA H100 80GB HBM3",
        "rows": [
            {"model": "resnet_v2_50", "policy": "mixed_bfloat16", "batch_size": 256, "pass": 1, "images_per_sec": 6000.0,
             "twin_images_per_sec": 5000.0, "memory": {"kclassics": {"total": 30 * gib}, "keras": {"total": 31 * gib}}},
            {"model": "resnet_v2_50", "policy": "mixed_bfloat16", "batch_size": 1024, "pass": 1, "error": "XlaRuntimeError: RESOURCE_EXHAUSTED"},
        ],
        "timm": [
            {"model": "resnet_v2_50", "policy": "mixed_bfloat16", "batch_size": 256, "compiled": False, "pass": 1, "images_per_sec": 4000.0,
             "peak_bytes": 20 * gib},
            {"model": "resnet_v2_50", "policy": "mixed_bfloat16", "batch_size": 256, "compiled": True, "pass": 1, "images_per_sec": 5000.0},
        ],
        "attempts": [{"attempt": "conv_nhwc", "flags": "--xla_gpu_force_conv_nhwc=true", "batch_size": 256, "images_per_sec": 6100.0}],
        "sequence": [
            {"kind": "ptb_lm", "config": "small", "lstm": "basic", "words_per_sec": 98000.0, "vs_anchor": 2.0},
            {"kind": "skipgram", "settings": "book", "status": "not available on this backend"},
        ],
    }
    lines = gpu.tables(summary)
    assert "| resnet_v2_50 | mixed_bfloat16 | 256 | 1 | 6,000 | 5,000 | 1.20 | 4,000 | 5,000 | 1.20 | 30.00 / 31.00 | 20.00 |" in lines
    assert any(line.startswith("| resnet_v2_50 | mixed_bfloat16 | 1024 | 1 | XlaRuntimeError: RESOURCE_EXHAUSTED") for line in lines)
    assert "| conv_nhwc | `--xla_gpu_force_conv_nhwc=true` | 256 | 6,100 | - |" in lines
    assert "| ptb_lm small | lstm=basic | 98,000 | 49,000 (TF ptb_word_lm, cuDNN, Titan X) | 2.00 | - |" in lines
    assert "| skip-gram | book | not available on this backend | | | |" in lines

"""Measures the search layer on the embedded digits; each figure against a peer measured in the same run.

    flock /tmp/kclassics-bench.lock python benchmarks/benchmark_tuning.py --part all --out /tmp/tuning-bench
    python benchmarks/benchmark_tuning.py --part mlp --pruning-warmup 0.1 --pruning-min-trials 2 --out /tmp/tuning-bench-rule
    python benchmarks/benchmark_tuning.py --part mlp --pruning asha --out /tmp/tuning-bench-asha

Parts:
  mlp          a random search over the MLP's space (book 4.4) against the book's defaults at the same steps;
               the same search again with a pruning rule (--pruning median or asha): wall time with and without,
               same trials
  mlp_book_optimizer  a Bayesian search of the MLP's learning rate and dropout only (Adagrad, 300 units, batch 100
               as the book), at the book's 3,000 steps, against the book's defaults at 3,000 steps
  cnn          a random search over the CNN's space (book 5.2) against the book's defaults at the same steps
  memory       the process's resident memory after each of 20 trials
  memory_peer  the same after each of 20 runs of the program in a loop, without the tuner
  distributed  one chief and two workers (processes on this machine) against one process, same search

Prints one line per figure and writes them to `<out>/tuning.json`.
"""

import argparse
import dataclasses
import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _search(program, out, trials, steps, seed=0, pruning=False, tuner="random", only=None):
    from kclassics import tuning

    started = time.perf_counter()
    search = tuning.tuner(program, tuner=tuner, max_trials=trials, out=out, seed=seed, steps=steps, pruning=pruning,
                          only=only, verbose=0)
    search.search()
    seconds = time.perf_counter() - started
    summary = tuning.write_report(out)
    return seconds, summary


def _book(program, steps, out):
    """The book's config of `program` (seed 0) trained for `steps` steps: the peer of a search."""
    from kclassics import programs
    from kclassics.tuning.search import with_steps

    found = programs.get(program)
    result = found.run(with_steps(found.config, steps), out=out, verbose=0)
    return result.metrics["test_accuracy"]


def _best(summary):
    best = summary["best"]
    return {
        "trial": best["trial"],
        "val_accuracy": best["objective"],
        "test_accuracy": best["test_accuracy"],
        "hyperparameters": {k[3:]: v for k, v in best.items() if k.startswith("hp:")},
        "seed": best["seed"],
    }


def part_search(program, out, trials, steps, pruning_too, tuner="random", only=None, tag="", rule=None):
    figures = {"program": program, "trials": trials, "steps": steps, "tuner": tuner, "only": only}
    figures["book_test_accuracy"] = _book(program, steps, out / f"{program}{tag}-book")
    print(f"{program}: the book's defaults, {steps} steps, seed 0: test accuracy {figures['book_test_accuracy']:.4f}", flush=True)
    seconds, summary = _search(program, out / f"{program}{tag}-search", trials, steps, tuner=tuner, only=only)
    figures["search_seconds"] = round(seconds, 1)
    figures["best"] = _best(summary)
    figures["trial_test_accuracy"] = [row.get("test_accuracy") for row in summary["rows"]]
    print(f"{program}: best of {trials} trials ({seconds:.0f} s): test accuracy {figures['best']['test_accuracy']:.4f} "
          f"(validation {figures['best']['val_accuracy']:.4f}) with {figures['best']['hyperparameters']}", flush=True)
    if pruning_too:
        pruned_seconds, pruned = _search(program, out / f"{program}-search-pruned", trials, steps, pruning=rule or True)
        drawn = lambda rows: [{k: v for k, v in r.items() if k.startswith("hp:")} for r in rows]
        same = drawn(summary["rows"]) == drawn(pruned["rows"])
        name = type(rule).__name__ if rule else "MedianStopping"
        figures["pruned"] = {
            "rule": {"name": name, **dataclasses.asdict(rule)} if rule else "default",
            "search_seconds": round(pruned_seconds, 1),
            "speedup": round(seconds / pruned_seconds, 2),
            "stopped": pruned["stopped"],
            "same_trials": same,
            "best": _best(pruned),
            "steps_trained": sum(r["stopped_at"] or r["steps"] for r in pruned["rows"]),
            "steps_without": sum(r["steps"] for r in summary["rows"]),
        }
        print(f"{program}: with {name} {pruned_seconds:.0f} s against {seconds:.0f} s "
              f"({seconds / pruned_seconds:.2f}x less wall time; {pruned['stopped']} of {trials} trials stopped; "
              f"same trials: {same}); best test accuracy {figures['pruned']['best']['test_accuracy']:.4f}", flush=True)
    return figures


def _slope(rss, warmup=5):
    """MiB per trial: the least-squares slope of the resident memory after the first `warmup` trials."""
    import numpy as np

    return round(float(np.polyfit(np.arange(warmup, len(rss)), np.asarray(rss[warmup:]), 1)[0]), 2)


def part_memory(out, trials=20, steps=24):
    _, summary = _search("mlp", out / "memory", trials, steps)
    rss = [row["rss_mb"] for row in summary["rows"]]
    half = len(rss) // 2
    figures = {"trials": trials, "steps": steps, "rss_mb": rss,
               "growth_first_to_last_mb": round(rss[-1] - rss[0], 1),
               "growth_second_half_mb": round(rss[-1] - rss[half], 1), "slope_after_trial_5_mb": _slope(rss)}
    print(f"memory: resident {rss[0]:.0f} MiB after trial 0, {rss[half]:.0f} after trial {half}, {rss[-1]:.0f} after "
          f"trial {len(rss) - 1} ({trials} MLP trials of {steps} steps); {_slope(rss):+.2f} MiB a trial from trial 5 on",
          flush=True)
    return figures


def part_memory_peer(out, runs=20, steps=24):
    """The peer of `memory`: the same MLP runs in a loop without the tuner (book config, session cleared between)."""
    import keras

    from kclassics import programs
    from kclassics.tuning.search import _rss_mb, with_steps

    program = programs.get("mlp")
    rss = []
    for i in range(runs):
        keras.backend.clear_session()
        result = program.run(with_steps(program.config, steps), out=out / "memory-peer" / str(i), verbose=0)
        del result
        keras.backend.clear_session()
        rss.append(round(_rss_mb(), 1))
    print(f"memory without the tuner: resident {rss[0]:.0f} MiB after run 0, {rss[runs // 2]:.0f} after run {runs // 2}, "
          f"{rss[-1]:.0f} after run {runs - 1} ({runs} MLP runs of {steps} steps); {_slope(rss):+.2f} MiB a run from run 5 on",
          flush=True)
    return {"runs": runs, "steps": steps, "rss_mb": rss, "growth_first_to_last_mb": round(rss[-1] - rss[0], 1),
            "slope_after_run_5_mb": _slope(rss)}


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def part_distributed(out, trials=6, steps=120):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
    base = [sys.executable, "-m", "kclassics", "tune", "mlp", "--max-trials", str(trials), "--steps", str(steps), "--quiet"]
    started = time.perf_counter()
    single = subprocess.run([*base, "--out", str(out / "one-process")], env=env, capture_output=True, text=True)
    one_seconds = time.perf_counter() - started
    assert single.returncode == 0, single.stderr
    port = _free_port()
    shared = [*base, "--out", str(out / "distributed"), "--oracle", f"127.0.0.1:{port}"]
    started = time.perf_counter()
    processes = [subprocess.Popen([*shared, "--chief"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)]
    processes += [subprocess.Popen([*shared, "--worker", f"tuner{i}"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True) for i in range(2)]
    outputs = [p.communicate() for p in processes]
    distributed_seconds = time.perf_counter() - started
    assert all(p.returncode == 0 for p in processes), outputs
    from kclassics.tuning.search import trial_rows

    one = {r["trial"]: (r["hp:learning_rate"], r["objective"]) for r in trial_rows(out / "one-process")}
    two = {r["trial"]: (r["hp:learning_rate"], r["objective"]) for r in trial_rows(out / "distributed")}
    per_worker = [len(re.findall(r"^Trial \d+:", o, re.MULTILINE)) for o, _ in outputs[1:]]
    figures = {"trials": trials, "steps": steps, "one_process_seconds": round(one_seconds, 1),
               "chief_and_two_workers_seconds": round(distributed_seconds, 1),
               "ratio": round(one_seconds / distributed_seconds, 2), "identical_trials": one == two,
               "trials_per_worker": per_worker}
    print(f"distributed: chief + 2 workers {distributed_seconds:.0f} s against one process {one_seconds:.0f} s "
          f"({one_seconds / distributed_seconds:.2f}x); trials per worker {per_worker}; every trial's hyperparameters "
          f"and objective identical to the one-process search: {one == two}", flush=True)
    return figures


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", choices=("mlp", "mlp_book_optimizer", "cnn", "memory", "memory_peer", "distributed", "all"), default="all")
    parser.add_argument("--out", default="/tmp/kclassics-tuning-bench", help="directory of the searches (must not exist)")
    parser.add_argument("--mlp-trials", type=int, default=12)
    parser.add_argument("--mlp-steps", type=int, default=1000)
    parser.add_argument("--pruning", choices=("median", "asha"), default="median", help="the pruning rule of part mlp")
    parser.add_argument("--pruning-warmup", type=float, help="the median rule's warmup (default: MedianStopping's)")
    parser.add_argument("--pruning-min-trials", type=int, help="the median rule's min_trials (default: MedianStopping's)")
    parser.add_argument("--pruning-min-fraction", type=float, help="asha's first rung (default: SuccessiveHalving's)")
    parser.add_argument("--pruning-reduction-factor", type=int, help="asha's reduction factor (default: SuccessiveHalving's)")
    parser.add_argument("--focused-trials", type=int, default=8, help="trials of mlp_book_optimizer")
    parser.add_argument("--cnn-trials", type=int, default=6)
    parser.add_argument("--cnn-steps", type=int, default=300)
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=False)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    keras.config.disable_interactive_logging()
    figures = {"machine": f"{os.cpu_count()} CPU cores, no GPU", "load_average_at_start": os.getloadavg()}
    parts = ("mlp", "mlp_book_optimizer", "cnn", "memory", "distributed") if args.part == "all" else (args.part,)
    for part in parts:
        if part == "mlp":
            from kclassics.tuning import MedianStopping, SuccessiveHalving

            if args.pruning == "asha":
                given = {"min_fraction": args.pruning_min_fraction, "reduction_factor": args.pruning_reduction_factor}
                rule = SuccessiveHalving(**{k: v for k, v in given.items() if v is not None})
            else:
                given = {"warmup": args.pruning_warmup, "min_trials": args.pruning_min_trials}
                rule = MedianStopping(**{k: v for k, v in given.items() if v is not None}) if any(
                    v is not None for v in given.values()) else None
            figures["mlp"] = part_search("mlp", out, args.mlp_trials, args.mlp_steps, pruning_too=True, rule=rule)
        elif part == "mlp_book_optimizer":
            figures["mlp_book_optimizer"] = part_search("mlp", out, args.focused_trials, 3000, pruning_too=False, tuner="bayesian",
                                                        only=["learning_rate", "dropout_rate"], tag="-book-optimizer")
        elif part == "cnn":
            figures["cnn"] = part_search("mnist_cnn", out, args.cnn_trials, args.cnn_steps, pruning_too=False)
        elif part == "memory":
            figures["memory"] = part_memory(out)
        elif part == "memory_peer":
            figures["memory_peer"] = part_memory_peer(out)
        else:
            figures["distributed"] = part_distributed(out)
        (out / "tuning.json").write_text(json.dumps(figures, indent=1, default=str))
    figures["load_average_at_end"] = os.getloadavg()
    (out / "tuning.json").write_text(json.dumps(figures, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())

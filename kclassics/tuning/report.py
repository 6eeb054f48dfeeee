"""A finished search's report: the results table, `trials.csv`, `trials.png`, the best config and its SavedModel.

    summary = write_report("search/mlp", "val_accuracy")
    summary["best_config"]        # search/mlp/best.json: `kclassics train mlp --config search/mlp/best.json`
    summary["best_export"]        # search/mlp/best/export/<version>: the best trial's SavedModel
"""

import csv
import shutil
from pathlib import Path

import numpy as np

from kclassics import validation
from kclassics.files import read_json, write_json
from kclassics.runs import RunDir
from kclassics.tuning.search import PROJECT, SEARCH_FILE, direction_of, trial_rows


def best_row(rows, objective):
    """The finished trial with the best objective (None when no trial finished)."""
    finished = [row for row in rows if row["status"] == "COMPLETED" and row["objective"] is not None]
    if not finished:
        return None
    sign = 1.0 if direction_of(objective) == "max" else -1.0
    return max(finished, key=lambda row: (sign * row["objective"], -int(row["trial"])))


def format_table(rows, objective):
    """The results table: one line per trial (id, status, hyperparameters, objective, time, step stopped at, error)."""
    if not isinstance(rows, (list, tuple)) or not all(hasattr(row, "get") for row in rows):
        raise ValueError(f"`rows` must be a list of trial rows (dicts, `tuner.results()`). Received: rows={validation.describe(rows)}")
    validation.text("objective", objective)
    hps = list(dict.fromkeys(k for row in rows for k in row if k.startswith("hp:")))
    columns = ["trial", "status", *hps, "objective", "seconds", "stopped_at", "error"]
    header = ["trial", "status", *(h[3:] for h in hps), objective, "seconds", "stopped at", "error"]
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(header)]
    widths[-1] = len(header[-1])
    line = lambda values: "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()
    return "\n".join([line(header), *(line(r) for r in cells)])


def _cell(value):
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def write_csv(rows, path):
    columns = list(dict.fromkeys(k for row in rows for k in row))
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(rows)


MIN_TRIALS_FOR_IMPORTANCE = 4  # fewer finished trials say nothing about how the objective varies


def importance(rows, name):
    """How much the objective varies with one hyperparameter over the finished trials (0 to 1), or None with too few.

    Numbers: the absolute Spearman rank correlation; names: the correlation
    ratio (the share of the objective's variance between the groups). With
    fewer than `MIN_TRIALS_FOR_IMPORTANCE` finished trials there is no estimate.
    """
    pairs = [(row.get(name), row["objective"]) for row in rows if row["status"] == "COMPLETED"
             and row.get(name) is not None and row["objective"] is not None]
    if len(pairs) < MIN_TRIALS_FOR_IMPORTANCE:
        return None
    values, objective = zip(*pairs)
    objective = np.asarray(objective, dtype=float)
    if objective.std() == 0:
        return 0.0
    if all(isinstance(v, (int, float)) for v in values):
        a, b = _ranks(np.asarray(values, dtype=float)), _ranks(objective)
        if a.std() == 0:
            return 0.0
        return float(abs(np.corrcoef(a, b)[0, 1]))
    groups = {}
    for value, score in pairs:
        groups.setdefault(str(value), []).append(score)
    between = sum(len(g) * (np.mean(g) - objective.mean()) ** 2 for g in groups.values())
    return float(between / (len(objective) * objective.var()))


def _ranks(values):
    order = values.argsort(kind="stable")
    ranks = np.empty(len(values))
    ranks[order] = np.arange(len(values))
    for value in np.unique(values):  # ties share their mean rank
        ranks[values == value] = ranks[values == value].mean()
    return ranks


def plot(rows, objective, path, most_important=2):
    """trials.png: the objective per trial with the best so far, and against the most important hyperparameters."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    hps = list(dict.fromkeys(k for row in rows for k in row if k.startswith("hp:")))
    ranked = sorted(hps, key=lambda name: -(importance(rows, name) or 0.0))[:most_important]
    figure, axes = plt.subplots(1, 1 + len(ranked), figsize=(5 * (1 + len(ranked)), 4), squeeze=False)
    axes = axes[0]
    sign = 1.0 if direction_of(objective) == "max" else -1.0
    ids = [int(row["trial"]) for row in rows]
    for status, marker, color in (("COMPLETED", "o", "C0"), ("STOPPED", "x", "C1")):
        points = [(int(r["trial"]), r["objective"]) for r in rows if r["status"] == status and r["objective"] is not None]
        if points:
            axes[0].scatter(*zip(*points), marker=marker, color=color,
                            label="finished" if status == "COMPLETED" else "stopped early")
    best, line = None, []
    for row in rows:
        if row["status"] == "COMPLETED" and row["objective"] is not None:
            best = row["objective"] if best is None else (max if sign > 0 else min)(best, row["objective"])
        line.append(best)
    if any(v is not None for v in line):
        axes[0].step(ids, [np.nan if v is None else v for v in line], where="post", color="C2", label="best so far")
    failed = [int(r["trial"]) for r in rows if r["status"] in ("FAILED", "INVALID")]
    for trial in failed:
        axes[0].axvline(trial, color="C3", alpha=0.3)
    axes[0].set(xlabel="trial" + (" (red: failed)" if failed else ""), ylabel=objective, title="objective per trial")
    if axes[0].get_legend_handles_labels()[0]:
        axes[0].legend(loc="best", fontsize=8)
    for axis, name in zip(axes[1:], ranked):
        points = [(r[name], r["objective"]) for r in rows if r.get(name) is not None and r["objective"] is not None
                  and r["status"] == "COMPLETED"]
        if points:
            xs, ys = zip(*points)
            numeric = all(isinstance(x, (int, float)) for x in xs)
            axis.scatter(xs if numeric else [str(x) for x in xs], ys)
            if numeric and min(xs) > 0 and max(xs) / min(xs) > 20:
                axis.set_xscale("log")
        estimate = importance(rows, name)
        title = (f"importance {estimate:.2f}" if estimate is not None
                 else f"(importance needs {MIN_TRIALS_FOR_IMPORTANCE} finished trials)")
        axis.set(xlabel=name[3:], ylabel=objective, title=title)
    figure.tight_layout()
    figure.savefig(path, dpi=80)
    plt.close(figure)


def write_report(directory, objective=None):
    """Writes trials.csv, trials.png, best.json and best/export/ of the search in `directory`; returns a summary.

    `best.json` is the best trial's config as its run wrote it (seed included),
    so `kclassics train PROGRAM --config best.json` trains it again.
    """
    directory = Path(directory)
    settings = read_json(directory / SEARCH_FILE)
    if settings is None:
        state = "holds no search" if directory.is_dir() else "does not exist"
        raise ValueError(f"`directory` must be a search directory (holding {SEARCH_FILE}); {directory} {state}. "
                         f"Received: directory={str(directory)!r}")
    if objective is not None:
        validation.text("objective", objective)
    objective = objective or settings["objective"]
    rows = trial_rows(directory)
    write_csv(rows, directory / "trials.csv")
    plot(rows, objective, directory / "trials.png")
    best = best_row(rows, objective)
    summary = {"objective": objective, "trials": len(rows), "rows": rows, "best": best,
               "failed": sum(r["status"] in ("FAILED", "INVALID") for r in rows),
               "stopped": sum(r["status"] == "STOPPED" for r in rows)}
    if best is not None:
        run = RunDir(directory / PROJECT / f"trial_{best['trial']}" / "run")
        write_json(directory / "best.json", run.config)
        summary["best_config"] = directory / "best.json"
        if run.export is not None:
            target = directory / "best" / "export" / run.export.name
            shutil.rmtree(directory / "best", ignore_errors=True)
            shutil.copytree(run.export, target)
            summary["best_export"] = target
    write_json(directory / "summary.json", {k: (str(v) if isinstance(v, Path) else v) for k, v in summary.items() if k != "rows"},
               indent=1, default=str)
    return summary

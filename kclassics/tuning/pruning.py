"""Stopping a bad trial early: the median-stopping rule, applied at every epoch against the finished trials.

As Optuna's `MedianPruner` and Ray Tune's `MedianStoppingRule`: once a trial
has trained `warmup` of its steps and at least `min_trials` trials have
finished, it stops when its best objective so far is worse than the median of
the finished trials' best objective at the same step. Curves are read from
the search directory (each trial's `curve.json`), so the rule works the same
for the workers of a distributed search sharing it.
"""

import dataclasses
import json
from pathlib import Path

import numpy as np

from kclassics import validation

CURVE = "curve.json"
RESULT = "result.json"


@dataclasses.dataclass(frozen=True)
class MedianStopping:
    """The median-stopping rule.

    Attributes:
        warmup: the fraction of a trial's steps it always trains.
        min_trials: finished (not stopped) trials needed before any trial is stopped.
    """

    warmup: float = 0.2
    min_trials: int = 3

    def __post_init__(self):
        validation.fraction("warmup", self.warmup)
        validation.positive_int("min_trials", self.min_trials)

    def should_stop(self, curve, finished, step, total_steps, direction):
        """Whether a trial at `step` (of `total_steps`) with `curve` [(step, value), ...] stops.

        Args:
            curve: this trial's objective so far, a list of (step, value).
            finished: the finished trials' curves.
            step: this trial's step now.
            total_steps: this trial's length.
            direction: `"max"` or `"min"`.
        """
        if step < self.warmup * total_steps or len(finished) < self.min_trials or not curve:
            return False
        sign = 1.0 if direction == "max" else -1.0
        mine = max(sign * value for _, value in curve)
        theirs = [_best_until(other, step, sign) for other in finished]
        theirs = [value for value in theirs if value is not None]
        if len(theirs) < self.min_trials:
            return False
        return mine < float(np.median(theirs))


def _best_until(curve, step, sign):
    values = [sign * value for s, value in curve if s <= step]
    return max(values) if values else None


def finished_curves(search_dir, except_trial=None):
    """The curves of the search's trials that finished without being stopped."""
    curves = []
    for trial_dir in sorted(Path(search_dir).glob("trial_*")):
        if trial_dir.name == except_trial:
            continue
        result, curve = _read(trial_dir / RESULT), _read(trial_dir / CURVE)
        if result and result.get("status") == "COMPLETED" and not result.get("pruned_at") and curve:
            curves.append([tuple(point) for point in curve])
    return curves


def _read(path):
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None

"""Stopping a bad trial early, at the end of an epoch, against the other trials' curves.

Two rules, each with `compared_with(search_dir, trial)` (the curves it compares
with) and `should_stop(curve, others, step, total_steps, direction)`:

- `MedianStopping`, as Optuna's `MedianPruner` and Ray Tune's
  `MedianStoppingRule`: once a trial has trained `warmup` of its steps and at
  least `min_trials` trials have finished, it stops when its best objective so
  far is worse than the median of the finished trials' best objective at the
  same step.
- `SuccessiveHalving`, asynchronous successive halving (ASHA) as Optuna's
  `SuccessiveHalvingPruner` and Ray Tune's `ASHAScheduler`: rungs at
  `min_fraction`, `min_fraction * reduction_factor`, ... of a trial's steps; a
  trial reaching a rung goes on only if its best objective so far is in the
  top `1 / reduction_factor` of every trial that has reached that rung (itself
  included; the first trial at a rung goes on).

Curves are read from the search directory (each trial's `curve.json`), so the
rules work the same for the workers of a distributed search sharing it.
"""

import dataclasses
import math
from pathlib import Path

import numpy as np

from kclassics import validation
from kclassics.files import read_json
from kclassics.registry import Registry

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

    name = "the median rule"

    def __post_init__(self):
        validation.fraction("warmup", self.warmup)
        validation.positive_int("min_trials", self.min_trials)

    def compared_with(self, search_dir, trial):
        """The curves this rule compares with: the finished (not stopped) trials'."""
        return finished_curves(search_dir, except_trial=trial)

    def should_stop(self, curve, finished, step, total_steps, direction):
        """Whether a trial at `step` (of `total_steps`) with `curve` [(step, value), ...] stops.

        Args:
            curve: this trial's objective so far, a list of (step, value).
            finished: the finished trials' curves.
            step: this trial's step now.
            total_steps: this trial's length.
            direction: `"max"` or `"min"`.
        """
        _check_progress(curve, step, total_steps, direction)
        if step < self.warmup * total_steps or len(finished) < self.min_trials or not curve:
            return False
        sign = 1.0 if direction == "max" else -1.0
        mine = _best_until(curve, step, sign)
        theirs = [_best_until(other, step, sign) for other in finished]
        theirs = [value for value in theirs if value is not None]
        if len(theirs) < self.min_trials:
            return False
        return mine < float(np.median(theirs))


@dataclasses.dataclass(frozen=True)
class SuccessiveHalving:
    """Asynchronous successive halving (ASHA).

    Attributes:
        min_fraction: the first rung, a fraction of a trial's steps.
        reduction_factor: the rungs' ratio, and the inverse of the share of the trials that go on at each.
    """

    min_fraction: float = 1 / 27
    reduction_factor: int = 3

    name = "successive halving"

    def __post_init__(self):
        validation.fraction("min_fraction", self.min_fraction, low_open=True, high_open=True)
        validation.int_at_least("reduction_factor", self.reduction_factor, 2)

    def rungs(self, total_steps):
        """The steps of the rungs of a trial of `total_steps` steps (its end is not one)."""
        validation.positive_int("total_steps", total_steps)
        rungs, fraction = [], self.min_fraction
        while fraction < 1 - 1e-9:
            rungs.append(max(1, math.ceil(fraction * total_steps - 1e-6)))
            fraction *= self.reduction_factor
        return sorted(set(rung for rung in rungs if rung < total_steps))

    def compared_with(self, search_dir, trial):
        """The curves this rule compares with: every other trial's, finished, stopped or running."""
        return trial_curves(search_dir, except_trial=trial)

    def should_stop(self, curve, others, step, total_steps, direction):
        """Whether a trial at `step` (of `total_steps`) with `curve` [(step, value), ...] stops at a rung it has just reached.

        Args:
            curve: this trial's objective so far, a list of (step, value), the last at `step`.
            others: the other trials' curves.
            step: this trial's step now.
            total_steps: this trial's length.
            direction: `"max"` or `"min"`.
        """
        _check_progress(curve, step, total_steps, direction)
        if not curve:
            return False
        sign = 1.0 if direction == "max" else -1.0
        before = max((s for s, _ in curve if s < step), default=0)
        mine = _best_until(curve, step, sign)
        for rung in self.rungs(total_steps):
            if not before < rung <= step:
                continue  # a rung reached before this epoch was decided then
            competing = [value for value in (_at_rung(other, rung, sign) for other in others) if value is not None]
            competing = sorted([*competing, mine], reverse=True)
            if mine < competing[max(1, len(competing) // self.reduction_factor) - 1]:
                return True
        return False


DIRECTIONS = ("max", "min")


def _check_progress(curve, step, total_steps, direction):
    validation.one_of("direction", direction, DIRECTIONS)
    validation.non_negative_int("step", step)
    validation.positive_int("total_steps", total_steps)
    if not isinstance(curve, (list, tuple)) or not all(isinstance(p, (list, tuple)) and len(p) == 2 for p in curve):
        raise ValueError(f"`curve` must be a list of (step, value) pairs. Received: curve={validation.describe(curve)}")


def _at_rung(curve, rung, sign):
    """A trial's best objective when it reached `rung` (its first point at or past it); None if it has not."""
    reached = [s for s, _ in curve if s >= rung]
    return _best_until(curve, min(reached), sign) if reached else None


def _best_until(curve, step, sign):
    values = [_score(sign * value) for s, value in curve if s <= step]
    return max(values) if values else None


def _score(value):
    return -math.inf if math.isnan(value) else value  # a diverged trial's NaN is the worst


def finished_curves(search_dir, except_trial=None):
    """The curves of the search's trials that finished without being stopped."""
    return trial_curves(search_dir, except_trial, finished_only=True)


def trial_curves(search_dir, except_trial=None, finished_only=False):
    """The curves of the search's trials (those with one): all, or only those that finished without being stopped."""
    curves = []
    for trial_dir in sorted(Path(search_dir).glob("trial_*")):
        if trial_dir.name == except_trial:
            continue
        curve = read_json(trial_dir / CURVE)
        if finished_only:
            result = read_json(trial_dir / RESULT)
            if not (result and result.get("status") == "COMPLETED" and not result.get("pruned_at")):
                continue
        if curve:
            curves.append([tuple(point) for point in curve])
    return curves


# The pruning rules by the names `kclassics tune --pruning RULE` takes.
PRUNING_RULES = Registry("pruning rule")
PRUNING_RULES.register("median", MedianStopping)
PRUNING_RULES.register("asha", SuccessiveHalving)

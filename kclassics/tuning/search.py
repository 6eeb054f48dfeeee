"""A keras-tuner search that runs a book program per trial, each trial a run directory of its own.

    tuner = kclassics.tuning.tuner("mlp", tuner="random", max_trials=10, out="search/mlp", steps=1000)
    tuner.search()
    tuner.results()                 # one row per trial: hyperparameters, objective, time, status, error

The search directory holds keras-tuner's oracle and trials (`search/`), and in
each `search/trial_<id>/` the trial's run directory (`run/`, with the
program's checkpoints, metrics and export), its objective per epoch
(`curve.json`) and its outcome (`result.json`). A search killed at any moment
continues with `resume=True`: finished trials are kept, the interrupted one
resumes from its run's last checkpoint.
"""

import dataclasses
import json
import math
import os
import shutil
import string
import time
import traceback
from pathlib import Path

import keras
import keras_tuner
import numpy as np

from kclassics import _keras, _tensorflow, validation
from kclassics.files import read_json, write_json
from kclassics.runs import RunDir
from kclassics.log import log
from kclassics.tuning.hypermodels import ProgramHyperModel
from kclassics.tuning.oracles import HYPERBAND_EPOCHS, TUNERS, hyperband
from kclassics.tuning.space import merged
from kclassics.tuning.pruning import CURVE, RESULT, MedianStopping

PROJECT = "search"
SEARCH_FILE = "search.json"
_MINIMISED = ("loss", "cost", "perplexity", "error", "seconds")
_PER_EPOCH = ("val_accuracy", "val_loss", "accuracy", "loss")


def reported_metrics(program):
    """The metrics every trial of `program` reports: those its summary line names, and for the
    `training.TrainConfig` programs the per-epoch ones of `model.fit` (validation included)."""
    from kclassics import programs
    from kclassics.training import TrainConfig

    if not isinstance(program, programs.Program):
        program = programs.get(program)  # a name; anything else is refused naming the registered ones
    names = [field for _, field, _, _ in string.Formatter().parse(program.summary) if field]
    names = [name for name in names if name not in ("steps", "train_seconds")]
    if isinstance(program.config, TrainConfig):
        names = [*_PER_EPOCH, *names]
    return tuple(dict.fromkeys(names))


def direction_of(metric):
    """`"min"` for a loss, cost, perplexity or error, else `"max"`."""
    return "min" if any(word in metric for word in _MINIMISED) else "max"


def trial_seed(search_seed, trial_id):
    """A trial's seed (weights, shuffling, dropout), a function of the search's seed and the trial id only."""
    validation.seed("search_seed", search_seed)
    if not (validation._is_int(trial_id) or (isinstance(trial_id, str) and trial_id.isdigit())) or int(trial_id) < 0:
        raise ValueError(f"`trial_id` must be a trial's id, a non-negative integer or its digits. Received: trial_id={trial_id!r}")
    return int(np.random.SeedSequence([int(search_seed), int(trial_id)]).generate_state(1)[0] % 2**31)


def _rss_mb():
    """This process's resident memory in MiB (Linux), else its peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class TrialReport(keras.callbacks.Callback):
    """Per epoch: writes the trial's objective to `curve.json`, moves its progress bar, applies the pruning rule."""

    def __init__(self, trial_dir, objective, direction, total_steps, pruner=None, verbose=1):
        super().__init__()
        self.trial_dir, self.objective, self.direction = Path(trial_dir), objective, direction
        self.total_steps, self.pruner = total_steps, pruner
        self.curve = [tuple(point) for point in read_json(self.trial_dir / CURVE) or []]
        self.pruned_at = None
        self.epochs_seen = 0
        self.progbar = keras.utils.Progbar(total_steps, verbose=verbose, stateful_metrics=[objective])

    def on_epoch_end(self, epoch, logs=None):
        from kclassics.callbacks.stop import global_step

        self.epochs_seen += 1
        step = global_step(self.model)
        logs = logs or {}
        if self.objective in logs:
            self.curve = [point for point in self.curve if point[0] < step] + [(step, float(logs[self.objective]))]
            write_json(self.trial_dir / CURVE, self.curve, indent=None)
            self.progbar.update(min(step, self.total_steps), [(self.objective, float(logs[self.objective]))])
        if self.pruner is not None and self.curve:
            others = self.pruner.compared_with(self.trial_dir.parent, self.trial_dir.name)
            if self.pruner.should_stop(self.curve, others, step, self.total_steps, self.direction):
                self.pruned_at = step
                self.model.stop_training = True


class ProgramTuner(keras_tuner.Tuner):
    """A keras-tuner `Tuner` whose trial is a run of a book program at the trial's hyperparameters.

    Any keras-tuner oracle drives it (random, Bayesian, Hyperband, grid), in one
    process or as keras-tuner's chief and workers.

    Args:
        hypermodel: a `ProgramHyperModel`.
        oracle: a keras-tuner oracle whose objective is one of the program's metrics.
        directory: the search directory.
        seed: the search's seed; each trial's is `trial_seed(seed, trial_id)`.
        steps: steps of every trial (default the program's length).
        pruner: a `MedianStopping` or `SuccessiveHalving` rule, or None.
        strategy: a `tf.distribute.Strategy` each trial trains under (programs that take one).
        data_dir: passed on to the program.
        verbose: show each trial's progress bar.
    """

    def __init__(self, hypermodel, oracle, directory, seed=0, steps=None, pruner=None, strategy=None, data_dir=None,
                 verbose=1, hyperband_epochs=HYPERBAND_EPOCHS, **kwargs):
        if not isinstance(hypermodel, ProgramHyperModel):
            raise ValueError(f"`hypermodel` must be a ProgramHyperModel. Received: hypermodel={validation.describe(hypermodel)}")
        if not isinstance(oracle, keras_tuner.Oracle):
            raise ValueError(f"`oracle` must be a keras-tuner oracle. Received: oracle={validation.describe(oracle)}")
        validation.seed("seed", seed)
        validation.positive_int("steps", steps, allow_none=True)
        validation.positive_int("hyperband_epochs", hyperband_epochs)
        _check_pruner(pruner)
        self.program = hypermodel.program
        self.hyperband_epochs = hyperband_epochs  # a worker's oracle client does not tell it
        self.search_seed, self.steps, self.pruner = seed, steps, pruner
        self.strategy, self.data_dir, self.verbose = strategy, data_dir, verbose
        self.directory_path = Path(directory)
        super().__init__(oracle=oracle, hypermodel=hypermodel, directory=str(directory), project_name=PROJECT, **kwargs)

    # -- keras-tuner's hooks ------------------------------------------------------------------

    def _populate_initial_space(self):
        hp = self.oracle.get_space()
        self.hypermodel.values(hp)  # declares the space without building a network
        self.oracle.update_space(hp)

    def run_trial(self, trial, *args, **kwargs):
        """Runs the program at the trial's hyperparameters; returns its objective (and the other metrics)."""
        keras.backend.clear_session()  # and a garbage collection: the last trial's graphs and models go
        gradients = _tensorflow.custom_gradient_names()
        try:
            return self._run_trial(trial)
        finally:
            keras.backend.clear_session()
            _tensorflow.forget_custom_gradients(gradients)

    def _run_trial(self, trial):
        trial_dir = Path(self.get_trial_dir(trial.trial_id))
        values = merged({k: v for k, v in trial.hyperparameters.values.items() if not k.startswith("tuner/")})
        config, resume = self._trial_config(trial, values, trial_dir)
        objective = self.oracle.objective.name
        total = self._length(config)
        report = TrialReport(trial_dir, objective, self.oracle.objective.direction, total, self.pruner, self.verbose)
        shown = ", ".join(f"{k}={_short(v)}" for k, v in values.items())
        log(f"Trial {trial.trial_id}: {shown} (seed {config.seed}, {total} steps{', resumed' if resume else ''})")
        started = time.perf_counter()
        outcome = {"trial_id": trial.trial_id, "values": values, "seed": config.seed, "steps": total}
        try:
            extra = {"strategy": self.strategy} if self.strategy is not None else {}
            result = self.program.run(config, out=trial_dir / "run", resume=resume, data_dir=self.data_dir,
                                      callbacks=(report,), verbose=0, **extra)
            value = _objective_value(result.metrics, objective)
            if value is None:
                raise ValueError(f"The program reported no {objective!r}; its metrics are "
                                 f"{', '.join(k for k in result.metrics if k != 'history')}.")
        except Exception as error:  # a trial's failure is reported and counted, never hidden
            outcome.update(status="FAILED", error=f"{type(error).__name__}: {error}",
                           traceback=traceback.format_exc(), seconds=round(time.perf_counter() - started, 3))
            self._write_outcome(trial_dir, outcome)
            log(f"Trial {trial.trial_id} failed: {outcome['error']}")
            raise keras_tuner.errors.FailedTrialError(outcome["error"]) from error
        seconds = time.perf_counter() - started
        metrics = {k: v for k, v in result.metrics.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
        del result
        outcome.update(status="COMPLETED", objective=value, metrics=metrics, seconds=round(seconds, 3),
                       pruned_at=report.pruned_at, per_epoch=report.epochs_seen > 0, rss_mb=round(_rss_mb(), 1))
        self._write_outcome(trial_dir, outcome)
        if self.pruner is not None and report.epochs_seen == 0:
            log(f"Pruning: {self.program.name} calls no Keras callback per epoch, so {self.pruner.name} cannot stop its trials.")
        ending = f"stopped by {self.pruner.name} at step {report.pruned_at}" if report.pruned_at else "done"
        log(f"Trial {trial.trial_id} {ending}: {objective} {value:.4f} ({seconds:.1f} s)")
        return {objective: value}

    def on_trial_end(self, trial):
        outcome = read_json(Path(self.get_trial_dir(trial.trial_id)) / RESULT) or {}
        status = _keras.trial_status()
        if outcome.get("pruned_at") and trial.status == status.COMPLETED:
            trial.status = status.STOPPED  # not a finished trial: no score
        super().on_trial_end(trial)

    def load_model(self, trial):
        return RunDir(Path(self.get_trial_dir(trial.trial_id)) / "run").model()

    def search(self, *args, **kwargs):
        kwargs.setdefault("verbose", 0)  # the trials' own lines replace keras-tuner's display
        if _keras.is_chief_oracle():
            self.save()
            serve_oracle(self.oracle)
            return
        with _keras.keras_tuner_debug(False):  # a failed trial is one line; its traceback is in result.json
            super().search(*args, **kwargs)

    # -- this search's --------------------------------------------------------------------------

    def _trial_config(self, trial, values, trial_dir):
        """The trial's config and whether its run resumes (after a kill, or Hyperband continuing a trial)."""
        config = self.hypermodel.config(values)
        length = self.program.length
        if self.steps is not None:
            config = length.set(config, self.steps)
        seed = trial_seed(self.search_seed, trial.trial_id)
        hps = trial.hyperparameters.values
        run_dir = trial_dir / "run"
        if "tuner/epochs" in hps:  # Hyperband: a fraction of the length; a continued trial resumes its parent's run
            full = length.value(config)
            config = length.set(config, max(1, round(full * hps["tuner/epochs"] / self.hyperband_epochs)))
            parent = hps.get("tuner/trial_id")
            if parent:
                seed = _parent_seed(self, parent, seed)  # a continued trial keeps its parent's seed
                parent_run = Path(self.get_trial_dir(parent)) / "run"
                if not (run_dir / "config.json").exists() and (parent_run / "config.json").exists():
                    shutil.rmtree(run_dir, ignore_errors=True)
                    shutil.copytree(parent_run, run_dir, ignore=shutil.ignore_patterns("export"))
        config = dataclasses.replace(config, seed=seed)
        resume = (run_dir / "config.json").exists()
        if not resume and run_dir.exists():
            shutil.rmtree(run_dir)  # a run killed before its config was written holds nothing
        return config, resume

    def _length(self, config):
        """The global steps of a trial (its progress bar's end and the pruning rules' scale)."""
        return self.program.steps_of(config, self.data_dir) or self.program.length.value(config)

    @staticmethod
    def _write_outcome(trial_dir, outcome):
        write_json(Path(trial_dir) / RESULT, outcome, indent=1, default=str)

    def results(self):
        """One dict per trial in id order: hyperparameters, status, objective, seconds, step stopped at, error."""
        return trial_rows(self.directory_path)


def _parent_seed(tuner, parent, fallback):
    outcome = read_json(Path(tuner.get_trial_dir(parent)) / RESULT)
    return outcome["seed"] if outcome and "seed" in outcome else fallback


def trial_rows(directory):
    """The trials of the search in `directory`, from keras-tuner's records and each trial's outcome."""
    rows = []
    for trial_file in sorted((Path(directory) / PROJECT).glob("trial_*/trial.json")):
        trial = json.loads(trial_file.read_text())
        outcome = read_json(trial_file.parent / RESULT) or {}
        values = merged({k: v for k, v in trial["hyperparameters"]["values"].items() if not k.startswith("tuner/")})
        status = outcome.get("status") or trial.get("status")  # the trial's own record: keras-tuner's may lag a failure
        if outcome.get("pruned_at"):
            status = "STOPPED"
        rows.append({
            "trial": trial["trial_id"],
            "status": status,
            **{f"hp:{k}": v for k, v in values.items()},
            "objective": outcome.get("objective"),
            **{k: outcome.get("metrics", {}).get(k) for k in ("test_accuracy", "test_loss")
               if k in outcome.get("metrics", {})},
            "seconds": outcome.get("seconds"),
            "steps": outcome.get("steps"),
            "stopped_at": outcome.get("pruned_at"),
            "rss_mb": outcome.get("rss_mb"),
            "seed": outcome.get("seed"),
            "error": outcome.get("error") or ((trial.get("message") or "").strip().splitlines() or [None])[-1],
        })
    return rows


def _objective_value(metrics, objective):
    if objective in metrics and isinstance(metrics[objective], (int, float)):
        return float(metrics[objective])
    curve = metrics.get("history", {}).get(objective)
    return float(curve[-1][1]) if curve else None


def _short(value):
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def serve_oracle(oracle, poll_seconds=0.2):
    """keras-tuner's chief: serves the oracle over gRPC until every trial has ended and every worker has left.

    keras-tuner's own `start_server` polls every 20 s once the workers are told to stop; this one polls fast.
    """
    from concurrent import futures

    import grpc

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=1))
    servicer, finished = _keras.oracle_servicer(oracle, server)
    server.add_insecure_port(f"{os.environ['KERASTUNER_ORACLE_IP']}:{os.environ['KERASTUNER_ORACLE_PORT']}")
    server.start()
    try:
        while not (servicer.stop_triggered and finished()):
            time.sleep(poll_seconds)
    finally:
        server.stop(grace=1)


def oracle_seed(seed):
    """The oracle's seed for a search seed: never 0, which keras-tuner replaces by a random seed."""
    return int(np.random.SeedSequence([int(seed), 1]).generate_state(1)[0] % (2**31 - 2)) + 1


def make_oracle(name, objective, max_trials, seed, max_consecutive_failed_trials, hyperband_epochs=HYPERBAND_EPOCHS):
    """The keras-tuner oracle registered as `name` in `TUNERS`."""
    make = TUNERS.get(name)
    common = dict(seed=oracle_seed(seed), max_consecutive_failed_trials=max_consecutive_failed_trials)
    if make is hyperband:
        common["hyperband_epochs"] = hyperband_epochs
    return make(objective, max_trials, **common)


def tuner(program, tuner="random", max_trials=10, out=None, resume=False, objective=None, seed=0, steps=None,
          pruning=False, strategy=None, max_consecutive_failed_trials=3, only=None, data_dir=None, verbose=1):
    """A search over a book program's hyperparameters, ready to `search()`.

    Args:
        program: a registered program's name.
        tuner: `"random"`, `"bayesian"`, `"hyperband"` or `"grid"` (keras-tuner's oracles).
        max_trials: trials to run (a cap for Hyperband, whose brackets decide).
        out: the search directory; default `runs/tune-<program>-<timestamp>`. Never overwritten:
            an existing one is continued with `resume=True` only.
        resume: continue the search in `out` (made by the same program).
        objective: a metric the program reports (`reported_metrics`); default `val_accuracy` where it
            reports one, else its summary's first metric.
        seed: the search's seed: the oracle's sampling and each trial's seed (`trial_seed`).
        steps: training steps of every trial (default: the program's own length).
        pruning: stop bad trials early: True (the median rule), a `MedianStopping` or a `SuccessiveHalving`.
        strategy: a `tf.distribute.Strategy` (or its name) each trial trains under.
        max_consecutive_failed_trials: failed trials in a row that end the search.
        only: names of the hyperparameters to search (the others keep the book's values).
        data_dir: the dataset's files, passed on to the program.
        verbose: show each trial's progress bar.

    Returns:
        A `ProgramTuner`.
    """
    from kclassics import programs

    found = programs.get(program)  # an unknown name fails here, naming the known ones
    TUNERS.get(tuner, argument="tuner")  # an unknown name fails here, with the closest ones
    validation.boolean("resume", resume)
    validation.positive_int("max_trials", max_trials)
    validation.positive_int("steps", steps, allow_none=True)
    validation.positive_int("max_consecutive_failed_trials", max_consecutive_failed_trials)
    validation.seed("seed", seed)
    metrics = reported_metrics(found)
    objective = objective or ("val_accuracy" if "val_accuracy" in metrics else metrics[0])
    if objective not in metrics:
        raise ValueError(f"No trial of {program!r} reports {objective!r}; its trials report {', '.join(metrics)}. "
                         f"Received: objective={objective!r}")
    hypermodel = ProgramHyperModel(found, grid=tuner == "grid", only=only)
    if tuner == "hyperband" and found.length is None:
        raise ValueError(f"Hyperband trains trials for parts of their length, and program {program!r} has no length to "
                         f"set. Accepted: random, bayesian, grid. Received: tuner='hyperband'")
    if steps is not None:
        if found.length is None:
            raise ValueError(f"Program {program!r} has no length to set; its trials run as its config says. "
                             f"Received: steps={steps}")
        found.length.set(found.config, steps)
    if isinstance(strategy, str):
        if strategy not in found.strategies:
            raise ValueError(f"Program {program!r} trains under {', '.join(found.strategies)}. Received: strategy={strategy!r}")
        from kclassics import distribute

        strategy = None if strategy == "default" else distribute.make_strategy(strategy)
    pruner = MedianStopping() if pruning is True else (pruning or None)
    _check_pruner(pruner, pruning)
    settings = {"program": program, "tuner": tuner, "objective": objective, "seed": seed, "steps": steps,
                "only": sorted(only) if only else None}
    directory = _search_directory(out, program, resume, settings)
    oracle = make_oracle(tuner, keras_tuner.Objective(objective, direction_of(objective)), max_trials, seed,
                         max_consecutive_failed_trials)
    return ProgramTuner(hypermodel, oracle, directory, seed=seed, steps=steps, pruner=pruner, strategy=strategy,
                        data_dir=data_dir, verbose=verbose)


def _check_pruner(pruner, given=None):
    if pruner is not None and not (callable(getattr(pruner, "should_stop", None)) and callable(getattr(pruner, "compared_with", None))):
        raise ValueError("`pruning` must be True, False, a MedianStopping or a SuccessiveHalving. Received: "
                         f"pruning={given if given is not None else pruner!r}")


def _search_directory(out, program, resume, settings):
    """Checks and prepares the search directory; a resumed one must be this program's search with these settings."""
    from kclassics.runs import Run, check_new_run_dir

    if out is None and resume:
        raise ValueError("resume needs the search directory to continue. Received: out=None")
    path = Path(out).expanduser() if out is not None else Run.open(None, f"tune-{program}").path
    record = path / SEARCH_FILE
    if resume:
        saved = read_json(record)
        if saved is None:
            raise ValueError(f"Cannot resume: {path} holds no search (no {SEARCH_FILE}). Received: out={str(path)!r}")
        if saved.get("program") != program:
            raise ValueError(f"Cannot resume {path}: it is a search of {saved.get('program')!r}, not of {program!r}. "
                             f"Received: program={program!r}")
        changed = [f"{k} {saved.get(k)!r} -> {v!r}" for k, v in settings.items() if saved.get(k) != v]
        if changed:
            raise ValueError(f"Cannot resume {path} with changed settings ({', '.join(changed)}); give the first "
                             "search's settings again (its search.json lists them); only --max-trials may change.")
        return path
    check_new_run_dir(path)
    path.mkdir(parents=True, exist_ok=True)
    write_json(record, settings)
    return path

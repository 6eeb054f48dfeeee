"""`kclassics tune`: a keras-tuner search over a book program's hyperparameters, each trial a run of the program."""

import argparse
import importlib.util
import os
import time
from pathlib import Path

from kclassics import validation
from kclassics.cli._args import _typed, positive_int, seed
from kclassics.cli.train import find_program, programs_epilog
from kclassics.tuning.oracles import TUNERS
from kclassics.tuning.pruning import PRUNING_RULES

WORKER_WAIT_SECONDS = 120
fraction = _typed(float, validation.fraction, "a number from 0 to 1")
RULE_FLAGS = {"median": ("pruning_warmup", "pruning_min_trials"), "asha": ("pruning_min_fraction", "pruning_reduction_factor")}


def register(commands, argv=()):
    parser = commands.add_parser(
        "tune",
        help="search a book program's hyperparameters with keras-tuner",
        description="Search a program's hyperparameters (learning rate, optimizer, batch size, dropout, widths: "
        "each around the book's value, the book's value the default). Every trial is a run of the program, "
        "seeded from --seed and its trial id. Writes the search to --out: trials.csv, trials.png, best.json "
        "(`kclassics train PROGRAM --config best.json` trains it again) and best/export/ (a SavedModel).",
    )
    parser.add_argument("program", help="program name (see below, or kclassics list --programs)")
    parser.add_argument("--tuner", default="random", help=f"one of {', '.join(TUNERS)} (default: random)")
    parser.add_argument("--max-trials", type=positive_int, default=10, help="trials to run (a cap for hyperband; default 10)")
    parser.add_argument("--out", help="search directory (default: runs/tune-<program>-<timestamp>); never overwritten")
    parser.add_argument("--resume", action="store_true", help="continue the search in --out; finished trials are kept")
    parser.add_argument("--objective", help="metric to optimise (default: val_accuracy where the program reports it)")
    parser.add_argument("--steps", type=positive_int, metavar="N",
                        help="every trial's length, in the program's unit (steps; ptb_lm: epochs; the RL programs: "
                        "episodes; default: the program's)")
    parser.add_argument("--seed", type=seed, default=0, help="search seed: the sampling and every trial's seed (default 0)")
    parser.add_argument("--pruning", nargs="?", const="median", choices=list(PRUNING_RULES), metavar="RULE",
                        help="stop bad trials early: median (the default: a trial behind the median of the finished "
                        "trials stops) or asha (asynchronous successive halving: at each rung only the top third goes on)")
    parser.add_argument("--pruning-warmup", type=fraction, metavar="FRACTION",
                        help="with --pruning median: the fraction of its steps every trial trains before it may stop (default 0.2)")
    parser.add_argument("--pruning-min-trials", type=positive_int, metavar="N",
                        help="with --pruning median: finished trials needed before any trial is stopped (default 3)")
    parser.add_argument("--pruning-min-fraction", type=fraction, metavar="FRACTION",
                        help="with --pruning asha: the first rung, a fraction of a trial's steps (default 1/27)")
    parser.add_argument("--pruning-reduction-factor", type=positive_int, metavar="N",
                        help="with --pruning asha: the rungs' ratio; 1/N of the trials go on at each rung (default 3)")
    parser.add_argument("--only", help="comma-separated hyperparameters to search; the others keep the book's values")
    parser.add_argument("--max-consecutive-failed-trials", type=positive_int, default=3,
                        help="failed trials in a row that end the search (default 3)")
    parser.add_argument("--strategy", default="default", help="train each trial under this strategy: default or mirrored")
    parser.add_argument("--data-dir", help="the dataset's files, as for `kclassics train`")
    role = parser.add_mutually_exclusive_group()
    role.add_argument("--chief", action="store_true", help="serve the search's oracle to workers (keras-tuner's chief)")
    role.add_argument("--worker", metavar="ID", help="run trials for the chief as tuner ID (a shared --out)")
    parser.add_argument("--oracle", metavar="HOST:PORT",
                        help="the chief's address (default: KERASTUNER_ORACLE_IP and KERASTUNER_ORACLE_PORT)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.set_defaults(check=check, run=run)
    if argv[:1] == ["tune"]:
        parser.epilog = programs_epilog()
        parser.formatter_class = argparse.RawDescriptionHelpFormatter


def check(args):
    """Every argument, before TensorFlow loads and before anything is written."""
    from kclassics.runs import check_new_run_dir, check_resumable

    program = find_program(args.program)
    if args.steps is not None and program.length is None:
        raise ValueError(f"--steps: program {program.name!r} has no length to set. Received: --steps={args.steps}")
    if args.resume and not args.worker:
        if args.out is None:
            raise ValueError("--resume needs --out naming the search to continue. Received: --out=None")
        if not os.path.isdir(args.out):
            raise FileNotFoundError(f"Cannot resume: {args.out} does not exist. Received: --out={args.out}")
    elif args.out is not None and not args.worker:
        check_new_run_dir(args.out)
    if args.data_dir is not None and not os.path.isdir(args.data_dir):
        raise FileNotFoundError(f"--data-dir {args.data_dir} does not exist. Received: --data-dir={args.data_dir}")
    TUNERS.get(args.tuner, argument="--tuner")
    if args.strategy not in ("default", "mirrored"):
        raise ValueError(f"--strategy must be default or mirrored for a search. Received: --strategy={args.strategy}")
    for rule, names in RULE_FLAGS.items():
        for name in names:
            flag, value = "--" + name.replace("_", "-"), getattr(args, name)
            if value is not None and args.pruning != rule:
                needs = "--pruning" if rule == "median" else f"--pruning {rule}"
                raise ValueError(f"{flag} needs {needs}. Received: {flag}={value}"
                                 + (f" with --pruning {args.pruning}" if args.pruning else ""))
    if args.pruning_min_fraction is not None and not 0 < args.pruning_min_fraction < 1:
        raise ValueError(f"--pruning-min-fraction must be above 0 and below 1. Received: --pruning-min-fraction={args.pruning_min_fraction}")
    if args.pruning_reduction_factor is not None and args.pruning_reduction_factor < 2:
        raise ValueError(f"--pruning-reduction-factor must be 2 or more. Received: --pruning-reduction-factor={args.pruning_reduction_factor}")
    if args.resume and args.out is None:
        raise ValueError("--resume needs --out naming the search to continue. Received: --out=None")
    if args.oracle and not (args.chief or args.worker):
        raise ValueError(f"--oracle needs --chief or --worker. Received: --oracle={args.oracle}")
    if args.chief or args.worker:
        if importlib.util.find_spec("grpc") is None:
            raise ModuleNotFoundError("--chief/--worker need grpcio (keras-tuner's distributed search): pip install grpcio")
        if args.out is None:
            raise ValueError("--chief and --worker need --out, a directory they share. Received: --out=None")
        address = args.oracle or (os.environ.get("KERASTUNER_ORACLE_IP") and
                                  f"{os.environ['KERASTUNER_ORACLE_IP']}:{os.environ.get('KERASTUNER_ORACLE_PORT', '')}")
        host, _, port = (address or "").rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"--oracle must be HOST:PORT (or set KERASTUNER_ORACLE_IP and KERASTUNER_ORACLE_PORT). "
                             f"Received: --oracle={args.oracle}")
        os.environ.update(KERASTUNER_ORACLE_IP=host, KERASTUNER_ORACLE_PORT=port,
                          KERASTUNER_TUNER_ID="chief" if args.chief else args.worker)
        if args.worker and "chief" in args.worker:
            raise ValueError(f"A worker's ID must not contain 'chief'. Received: --worker={args.worker}")
    else:
        for name in ("KERASTUNER_ORACLE_IP", "KERASTUNER_ORACLE_PORT", "KERASTUNER_TUNER_ID"):
            os.environ.pop(name, None)  # one process: no chief to talk to


def run(args):
    from kclassics import tuning
    from kclassics.tuning.search import SEARCH_FILE

    only = [name.strip() for name in args.only.split(",") if name.strip()] if args.only else None
    resume = args.resume
    if args.worker:  # a worker joins the chief's search: wait for it to be made
        deadline = time.monotonic() + WORKER_WAIT_SECONDS
        while not (Path(args.out) / SEARCH_FILE).exists():
            if time.monotonic() > deadline:
                raise FileNotFoundError(f"No search in {args.out} after {WORKER_WAIT_SECONDS} s: start the chief "
                                        f"with the same --out first. Received: --out={args.out}")
            time.sleep(0.5)
        resume = True
    pruning = None
    if args.pruning:
        rule = {name[len("pruning_"):]: getattr(args, name) for name in RULE_FLAGS[args.pruning]}
        pruning = PRUNING_RULES.get(args.pruning)(**{k: v for k, v in rule.items() if v is not None})
    tuner = tuning.tuner(
        args.program, tuner=args.tuner, max_trials=args.max_trials, out=args.out, resume=resume,
        objective=args.objective, seed=args.seed, steps=args.steps, pruning=pruning, strategy=args.strategy,
        max_consecutive_failed_trials=args.max_consecutive_failed_trials, only=only, data_dir=args.data_dir,
        verbose=0 if args.quiet else 1,
    )
    ended = None
    try:
        tuner.search()
    except RuntimeError as error:  # keras-tuner's limit of consecutive failed trials
        if "consecutive failures" not in str(error):
            raise
        ended = str(error).splitlines()[0]
    if args.worker:
        print(f"worker {args.worker}: done")
        return 0
    summary = tuning.write_report(tuner.directory_path)
    print(tuning.format_table(summary["rows"], summary["objective"]))
    best = summary["best"]
    if best is not None:
        print(f"best: trial {best['trial']}, {summary['objective']} {best['objective']:.4f}")
        print(f"best config: {summary['best_config']}  (kclassics train {args.program} --config {summary['best_config']})")
        if "best_export" in summary:
            print(f"best model: {summary['best_export']}")
    print(f"{summary['trials']} trials, {summary['failed']} failed, {summary['stopped']} stopped early; "
          f"trials.csv and trials.png in {tuner.directory_path}")
    if ended:
        print(f"kclassics: error: the search ended: {ended}", file=__import__("sys").stderr)
        return 1
    return 0 if best is not None else 1

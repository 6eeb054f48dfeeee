"""`kclassics train`: run a book program and write its run directory."""

import argparse
import dataclasses
import os

from kclassics.cli._args import positive_float, positive_int, seed
from kclassics.cli.cluster import add_cluster_arguments, cluster_from_args
from kclassics.distribute.cluster import STRATEGIES

DEFAULT_PROGRAM = "mnist_cnn"


def register(commands):
    parser = commands.add_parser(
        "train",
        help="train a book program (default: mnist_cnn on the embedded digits)",
        description="Train one of the book's programs with its defaults, overridable below. "
        "Writes a run directory with checkpoints, TensorBoard logs, metrics.json, curves.png "
        "and a SavedModel export.",
    )
    parser.add_argument("program", nargs="?", default=DEFAULT_PROGRAM, help=f"program name (default: {DEFAULT_PROGRAM})")
    length = parser.add_mutually_exclusive_group()
    length.add_argument("--steps", type=positive_int, help="training steps (default: the book's)")
    length.add_argument("--epochs", type=positive_int, help="train this many passes over the training split instead")
    parser.add_argument("--config", metavar="NAME|FILE",
                        help="a named configuration of the program (ptb_lm: small, medium, large; default: its first), or a "
                        "JSON file of its settings (a run's config.json, a search's best.json); the options below override it")
    parser.add_argument("--batch-size", type=positive_int, help="examples per step")
    parser.add_argument("--learning-rate", type=positive_float, help="optimizer learning rate")
    parser.add_argument("--seed", type=seed, help="random seed, 0 to 2**32 - 1")
    parser.add_argument("--episodes", type=positive_int, help="episodes to play (reinforcement-learning programs)")
    parser.add_argument("--gamma", type=float, help="discount of future rewards, in [0, 1] (reinforcement-learning programs)")
    parser.add_argument("--env", help="gymnasium environment id (reinforcement-learning programs)")
    parser.add_argument("--buffer-size", type=positive_int, help="transitions the replay buffer keeps (gridworld_dqn)")
    parser.add_argument(
        "--data-dir",
        help="directory with the dataset's standard files: the four MNIST IDX files (raw or .gz), which switches "
        "the MNIST programs from the embedded digits to MNIST, cifar-10-batches-bin/ for cifar10_cnn, or "
        "ptb.train.txt, ptb.valid.txt and ptb.test.txt (or train.txt, valid.txt, test.txt) for ptb_lm",
    )
    parser.add_argument(
        "--dataset", help="dataset name (digits, mnist, cifar10); mnist or cifar10 without --data-dir use tensorflow-datasets"
    )
    parser.add_argument("--corpus", help="a UTF-8 text file to train the text programs (word2vec) on, instead of the "
                        "embedded Lee background corpus; --data-dir DIR holding text8 or text8.zip trains on the book's text8")
    parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", dest="settings",
                        help="set any field of the program's config (repeatable), e.g. --set loss=negative_sampling; "
                        "an unknown field lists them")
    parser.add_argument("--out", help="run directory (default: runs/<program>-<timestamp>); never overwritten")
    parser.add_argument("--resume", action="store_true",
                        help="continue the run in --out from its last checkpoint, with its settings (only --steps/--epochs may grow)")
    parser.add_argument(
        "--mixed-precision", action="store_true",
        help="compute in 16 bits with float32 variables: mixed_float16 on a GPU, mixed_bfloat16 on a CPU (default: float32, the book's)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--verbose", action="store_true", default=argparse.SUPPRESS, help="show TensorFlow's own logs (hidden by default)")
    add_strategy_arguments(parser)
    parser.set_defaults(run=run)


def overrides(args, config=None):
    """The config fields the command line sets; an option the program's config lacks is an error."""
    changes = {}
    if args.steps is not None:
        changes.update(steps=args.steps, **{name: None for name in _SHORT_DEFAULT_FIELDS})
    for field in ("epochs", "batch_size", "learning_rate", "seed", "dataset", "corpus", "episodes", "gamma", "env", "buffer_size"):
        if getattr(args, field, None) is not None:
            changes[field] = getattr(args, field)
    if getattr(args, "mixed_precision", False):
        changes["mixed_precision"] = True
    if config is not None:
        fields = {f.name for f in dataclasses.fields(config)}
        unknown = [name for name in changes if name not in fields and name not in _SHORT_DEFAULT_FIELDS]
        if unknown:
            options = ", ".join("--" + name.replace("_", "-") for name in unknown)
            raise ValueError(
                f"{options} is not a setting of program {args.program!r}; it accepts "
                f"{', '.join('--' + f.replace('_', '-') for f in sorted(fields) if f in _OPTION_FIELDS)}."
            )
        changes = {name: value for name, value in changes.items() if name in fields}
        for given, other in (("steps", "epochs"), ("epochs", "steps")):  # each replaces the other where both may be unset
            if given in changes and other not in changes and _optional(config, other):
                changes[other] = None
        changes.update(settings(getattr(args, "settings", []), config, args.program))
    return changes


_OPTION_FIELDS = ("steps", "epochs", "batch_size", "learning_rate", "seed", "dataset", "mixed_precision", "corpus",
                  "episodes", "gamma", "env", "buffer_size")
def _example_of(config, name):
    """A value of the type an unset (None) `Optional[...]` field holds when set, so `--set` reads the text as one."""
    import typing

    field = next(f for f in dataclasses.fields(config) if f.name == name)
    kinds = [kind for kind in typing.get_args(field.type) if kind is not type(None)]
    return kinds[0]() if kinds and kinds[0] in (bool, int, float, str) else None


def _optional(config, name):
    """Whether the config has a field `name` that may be None (typed `Optional[...]`)."""
    import typing

    field = next((f for f in dataclasses.fields(config) if f.name == name), None)
    return field is not None and type(None) in typing.get_args(field.type)


# Shorter defaults for an embedded dataset, which --steps replaces.
_SHORT_DEFAULT_FIELDS = ("digits_steps", "embedded_steps")


def settings(items, config, program):
    """The `--set FIELD=VALUE` changes, each value read as the type of the field's current value."""
    fields = {f.name: getattr(config, f.name) for f in dataclasses.fields(config)}
    changes = {}
    for item in items:
        name, equals, text = item.partition("=")
        if not equals or name not in fields:
            raise ValueError(f"--set takes FIELD=VALUE with a field of program {program!r} ({', '.join(fields)}). "
                             f"Received: --set {item}")
        current = fields[name] if fields[name] is not None else _example_of(config, name)
        try:
            if text.lower() == "none":
                value = None
            elif isinstance(current, bool):
                value = {"true": True, "false": False}[text.lower()]
            elif isinstance(current, int):
                value = int(text)
            elif isinstance(current, float):
                value = float(text)
            else:
                value = text
        except (KeyError, ValueError):
            raise ValueError(f"--set {name} takes a value like {current!r}. Received: --set {item}") from None
        changes[name] = value
    return changes


def run(args):
    from kclassics import programs

    program = programs.get(args.program)
    base = named_config(program, getattr(args, "config", None))
    changes = overrides(args, base)
    if args.resume and args.out is None:
        raise ValueError("--resume needs --out naming the run to continue. Received: --out=None")
    config = dataclasses.replace(base, **changes)
    extra = {}
    if args.strategy != "default":
        if args.strategy not in program.strategies:
            from kclassics import programs

            takers = [name for name, p in programs.PROGRAMS.items() if args.strategy in p.strategies]
            raise ValueError(
                f"Program {args.program!r} does not train under a distribution strategy. Received: "
                f"--strategy={args.strategy}; accepted with {', '.join(takers)}."
            )
        extra["strategy"] = strategy_from_args(args)
    result = program.run(
        config, out=args.out, resume=args.resume, data_dir=args.data_dir, verbose=0 if args.quiet else "auto", **extra
    )
    print(program.summary.format(**result.metrics))
    print(f"run directory: {result.run_dir}")
    return 0


def named_config(program, value):
    """The config `--config` names: one of the program's named configurations, or a JSON file of settings
    (a run's config.json, a search's best.json); the program's default config when `value` is None."""
    if value is None:
        return program.config
    if value in program.configs:
        return program.configs[value]
    named = f"one of {', '.join(program.configs)} or " if program.configs else ""
    if not value.endswith(".json") and not os.path.isfile(value):
        raise ValueError(f"Unknown --config for program {program.name!r}. Accepted: {named}a JSON file of settings "
                         f"(a run's config.json, a search's best.json). Received: --config={value}")
    import json

    from kclassics.runs import config_from_dict

    try:
        with open(value) as file:
            values = json.load(file)
    except json.JSONDecodeError as error:
        raise ValueError(f"--config must be a JSON object of settings: {error}. Received: --config={value}") from None
    if not isinstance(values, dict):
        raise ValueError(f"--config must be a JSON object of settings. Received: --config={value}")
    model = getattr(program.config, "model", None)
    if model is not None and values.get("model", model) != model:
        raise ValueError(f"--config is a config of {values.get('model')!r}, not of program {program.name!r}. "
                         f"Received: --config={value}")
    return config_from_dict(program.config, values, source=f"--config {value}")


def add_strategy_arguments(parser):
    """--strategy and the cluster flags of the coordinator (parameter_server) or of a worker (multi_worker)."""
    parser.add_argument("--strategy", choices=STRATEGIES, default="default",
                        help="distribution strategy: mirrored (this machine's GPUs), multi_worker (run on every worker; "
                        "--worker_hosts with --task_index, or TF_CONFIG), parameter_server (this process coordinates; "
                        "--ps_hosts and --worker_hosts, or TF_CONFIG)")
    add_cluster_arguments(parser, job_help="this process's job (default: chief under parameter_server, worker under multi_worker)")


def strategy_from_args(args):
    """The `tf.distribute.Strategy` the flags ask for, after checking the cluster."""
    from kclassics import distribute

    if args.strategy in ("default", "mirrored"):
        if args.ps_hosts or args.worker_hosts or args.job_name:
            raise ValueError(f"--ps_hosts/--worker_hosts/--job_name need a cluster strategy. Received: --strategy={args.strategy}")
        return distribute.make_strategy(args.strategy)
    if args.job_name is None and (args.ps_hosts or args.worker_hosts):
        args.job_name = "chief" if args.strategy == "parameter_server" else "worker"
    if args.strategy == "multi_worker" and args.worker_hosts:
        args.sync_replicas = True
    return distribute.make_strategy(args.strategy, cluster_from_args(args))

"""`kclassics train`: run a book program and write its run directory.

The options come from the program's declaration (`kclassics.programs.Program`):
its length (`--steps`, `--epochs`, `--episodes`), the standard options its
config has fields for, its own options, `--data-dir` when it reads data and
`--strategy` when it trains under more than one. `kclassics train PROGRAM
--help` shows that program's.
"""

import argparse
import dataclasses
import json
import os
import re

from kclassics import validation
from kclassics.cli import UsageError
from kclassics.cli._args import _typed
from kclassics.cli.cluster import add_cluster_arguments, cluster_from_args

DEFAULT_PROGRAM = "mnist_cnn"


def program_in(argv, command, default=None):
    """The program `argv` names after `command` (its first positional argument), else `default`."""
    if len(argv) < 2 or argv[0] != command or argv[1].startswith("-"):
        return default
    return argv[1]


def find_program(name):
    """The registered program called `name`, or a one-line error with the closest names and where to see them all."""
    from kclassics import programs

    try:
        return programs.get(name)
    except ValueError:
        import difflib

        close = difflib.get_close_matches(name, programs.list_programs(), n=3, cutoff=0.5)
        hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        raise UsageError(f"Unknown program {name!r}.{hint} Received: PROGRAM={name!r}",
                         "see: kclassics list --programs") from None


def programs_epilog():
    """The programs with their one-line descriptions, for `train --help` and `tune --help`."""
    from kclassics import programs

    names = programs.list_programs()
    width = max(map(len, names))
    return "programs:\n" + "\n".join(f"  {name.ljust(width)}  {programs.get(name).description}" for name in names)


def option_type(option):
    """The argparse type of a declared `Option`: the text read as its kind, then checked by its check."""
    kind_name = {int: "an integer", float: "a number"}.get(option.kind, "a value")

    def parse(text):
        try:
            value = option.kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {kind_name}, received {text!r}") from None
        if option.check is None:
            return value
        try:
            return option.check(option.field, value)
        except ValueError as error:  # "`name` must be <accepted>. Received: ..." said as argparse says it
            accepted = re.match(r"`[^`]+` must be (.*)\. Received: ", str(error))
            raise argparse.ArgumentTypeError(f"expected {accepted.group(1)}, received {text!r}" if accepted
                                             else str(error)) from None

    parse.__name__ = option.field
    return parse


def add_program_arguments(parser, program, length_help="{unit} to run (default: {value})"):
    """The options `program` declares: its length flags, standard and own options, --data-dir, --config and --set."""
    if program.length is not None:
        group = parser.add_mutually_exclusive_group()
        for field in (program.length.field, *program.length.instead):
            unit = program.length.unit if field == program.length.field else field
            value = getattr(program.config, field)
            text = length_help.format(unit=unit, value=value) if value is not None else f"train for this many {field} instead"
            group.add_argument("--" + field.replace("_", "-"), dest=f"length_{field}", metavar="N",
                               type=_typed(int, validation.positive_int, "a positive integer"), help=text)
    for option in program.all_options():
        default = getattr(program.config, option.field)
        if option.kind is bool:
            parser.add_argument(option.flag, dest=f"option_{option.field}", action="store_true", default=None, help=option.help)
        else:
            parser.add_argument(option.flag, dest=f"option_{option.field}", type=option_type(option),
                                help=f"{option.help} (default: {default})", metavar=option.field.split("_")[-1].upper())
    if program.data:
        parser.add_argument("--data-dir", help=program.data)
    names = ", ".join(program.configs)
    parser.add_argument("--config", metavar="NAME|FILE",
                        help=(f"a named configuration ({names}; default: the first) or " if names else "")
                        + "a JSON file of settings (a run's config.json, a search's best.json); the options override it")
    parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", dest="settings",
                        help="set any field of the program's config (repeatable), e.g. --set " + _example_field(program))


def _example_field(program):
    fields = [f.name for f in dataclasses.fields(program.config) if f.name not in ("source", "seed")]
    name = fields[0] if fields else "seed"
    return f"{name}={getattr(program.config, name)}"


def register(commands, argv=()):
    name = program_in(argv, "train")
    program = find_program(name) if name else None
    if argv[:1] == ["train"] and program is None:
        program = find_program(DEFAULT_PROGRAM)
    parser = commands.add_parser(
        "train",
        help="train a book program (default: mnist_cnn on the embedded digits)",
        description=(f"{program.name}: {program.description}. " if program else "Train one of the book's programs. ")
        + "Writes a run directory (config.json, checkpoints, metrics.json, curves.png, model.keras"
        + (", TensorBoard logs" if program is None or program.tensorboard else "")
        + (f", {', '.join(program.files)}" if program and program.files else "")
        + (", a SavedModel export" if program is None or program.task else "") + ").",
        epilog=programs_epilog() if argv[:1] == ["train"] else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("program", nargs="?", default=DEFAULT_PROGRAM, help=f"program name (default: {DEFAULT_PROGRAM})")
    if program is not None:
        parser.program = program.name
        add_program_arguments(parser, program)
        add_strategy_arguments(parser, program.strategies)
    parser.add_argument("--out", help="run directory (default: runs/<program>-<timestamp>); never overwritten")
    parser.add_argument("--resume", action="store_true",
                        help="continue the run in --out from its last checkpoint, with its settings (only its length may grow)")
    parser.add_argument("--quiet", action="store_true", help="no progress")
    parser.add_argument("--verbose", action="store_true", default=argparse.SUPPRESS, help="show TensorFlow's own logs (hidden by default)")
    parser.set_defaults(check=check, run=run)


def config_from_args(program, args):
    """The config the arguments ask for: --config, then the declared options and length, then --set; checked."""
    config = named_config(program, getattr(args, "config", None))
    changes = {}
    for option in program.all_options():
        value = getattr(args, f"option_{option.field}", None)
        if value is not None:
            changes[option.field] = value
    changes.update(settings(getattr(args, "settings", []), config, program))
    config = dataclasses.replace(config, **changes)
    if program.length is not None:
        for field in (program.length.field, *program.length.instead):
            value = getattr(args, f"length_{field}", None)
            if value is not None:
                config = program.length.set(config, value, field)
    check_model(config)
    return config


def check_model(config):
    """A config's `model`, if it has one, must be a registered network (read from the model cards, without Keras)."""
    name = getattr(config, "model", None)
    if not isinstance(name, str):
        return
    from kclassics.cli.models import card_index

    names = [card["name"] for card in card_index()]
    if name not in names:
        import difflib

        close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
        hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        raise UsageError(f"Unknown model {name!r}.{hint} Received: model={name!r}", "see: kclassics list")


def settings(items, config, program):
    """The `--set FIELD=VALUE` changes, each value read as the type of the field's current value.

    A field that is None reads its value as the type its annotation allows besides None
    (`batch_norm: Optional[bool] = None` takes `--set batch_norm=false`).
    """
    fields = {f.name: f for f in dataclasses.fields(config)}
    checks = {option.field: option.check for option in program.all_options() if option.check}
    changes = {}
    for item in items:
        name, equals, text = item.partition("=")
        if not equals or name not in fields:
            raise ValueError(f"--set takes FIELD=VALUE with a field of program {program.name!r} ({', '.join(fields)}). "
                             f"Received: --set {item}")
        current = getattr(config, name)
        kind = type(current) if current is not None else _optional_type(fields[name].type)
        try:
            if text.lower() == "none":
                value = None
            elif issubclass(kind, bool):
                value = {"true": True, "false": False}[text.lower()]
            elif issubclass(kind, int):
                value = int(text)
            elif issubclass(kind, float):
                value = float(text)
            elif issubclass(kind, tuple):
                value = tuple(json.loads(text))
            else:
                value = text
        except (KeyError, ValueError, TypeError):
            accepted = f"a value like {current!r}" if current is not None else f"a {kind.__name__} or none"
            raise ValueError(f"--set {name} takes {accepted}. Received: --set {item}") from None
        if name in checks and value is not None:
            checks[name](name, value)
        changes[name] = value
    return changes


def _optional_type(annotation):
    """`bool` for `Optional[bool]`, and so on; `str` when the annotation names no single type."""
    import typing

    types = [t for t in typing.get_args(annotation) if t is not type(None)]
    return types[0] if len(types) == 1 and isinstance(types[0], type) else str


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
    from kclassics.files import read_json
    from kclassics.runs import config_from_dict

    if not os.path.isfile(value):
        raise FileNotFoundError(f"--config {value} does not exist. Received: --config={value}")
    values = read_json(value)
    if not isinstance(values, dict):
        raise ValueError(f"--config must be a JSON object of settings. Received: --config={value}")
    model = getattr(program.config, "model", None)
    if model is not None and values.get("model", model) != model:
        raise ValueError(f"--config is a config of {values.get('model')!r}, not of program {program.name!r}. "
                         f"Received: --config={value}")
    return config_from_dict(program.config, values, source=f"--config {value}")


def check(args):
    """Everything the arguments say, before TensorFlow loads and before anything is written."""
    from kclassics.runs import check_new_run_dir, check_resumable

    program = find_program(args.program)
    args.config_object = config_from_args(program, args)
    if args.resume:
        if args.out is None:
            raise ValueError("--resume needs --out naming the run to continue. Received: --out=None")
        check_resumable(args.out)
    elif args.out is not None:
        check_new_run_dir(args.out)
    data_dir = getattr(args, "data_dir", None)
    if data_dir is not None and not os.path.exists(os.path.expanduser(data_dir)):  # what it holds, the program checks
        raise FileNotFoundError(f"--data-dir {data_dir} does not exist. Received: --data-dir={data_dir}")
    if getattr(args, "strategy", "default") != "default":
        args.cluster = cluster_of_strategy(args)
    args.program_object = program


def run(args):
    program, config = args.program_object, args.config_object
    extra = {}
    if getattr(args, "strategy", "default") != "default":
        from kclassics import distribute

        extra["strategy"] = distribute.make_strategy(args.strategy, args.cluster)
    result = program.run(config, out=args.out, resume=args.resume, data_dir=getattr(args, "data_dir", None),
                         verbose=0 if args.quiet else "auto", **extra)
    print(format_summary(program.summary, result.metrics))
    print(f"run directory: {result.run_dir}")
    return 0


def format_summary(template, metrics):
    """A program's summary line: `template` with its metrics, a metric that was never reached said as such."""
    import string

    class NotReached(string.Formatter):
        def format_field(self, value, spec):
            return "not reached" if value is None else super().format_field(value, spec)

    return NotReached().format(template, **metrics)


def add_strategy_arguments(parser, strategies):
    """--strategy and the cluster flags of the coordinator (parameter_server) or of a worker (multi_worker)."""
    parser.add_argument("--strategy", choices=strategies, default="default",
                        help="distribution strategy: mirrored (this machine's GPUs), multi_worker (run on every worker; "
                        "--worker_hosts with --task_index, or TF_CONFIG), parameter_server (this process coordinates; "
                        "--ps_hosts and --worker_hosts, or TF_CONFIG)")
    if len(strategies) > 1:
        add_cluster_arguments(parser, job_help="this process's job (default: chief under parameter_server, worker under multi_worker)")


def cluster_of_strategy(args):
    """The `Cluster` the flags give the strategy (None for one machine), checked before TensorFlow loads."""
    if args.strategy in ("default", "mirrored"):
        if args.ps_hosts or args.worker_hosts or args.job_name:
            raise ValueError(f"--ps_hosts/--worker_hosts/--job_name need a cluster strategy. Received: --strategy={args.strategy}")
        return None
    if args.job_name is None and (args.ps_hosts or args.worker_hosts):
        args.job_name = "chief" if args.strategy == "parameter_server" else "worker"
    if args.strategy == "multi_worker" and args.worker_hosts:
        args.sync_replicas = True
    return cluster_from_args(args)

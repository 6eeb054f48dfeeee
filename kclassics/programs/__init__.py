"""The book's runnable programs: each a name, a frozen config of the book's defaults and a loop, declared as data.

    from kclassics import programs
    program = programs.get("mnist_cnn")
    result = program.run()                        # the book's defaults
    result = program.run(program.length.set(program.config, 500))
    result.metrics["test_accuracy"], result.run_dir

A `Program` declares everything the command line, the run scaffold and the
tuner need to know about it: how long it runs (`Length`), the options it adds
to `kclassics train` and `kclassics tune` (`Option`), its optimizer, its
export, and what its run directory holds. Declaring programs loads no
TensorFlow: a program's loop is named as `"module:function"` and imported when
the program first runs, so the command line answers a bad name or value at once.

Every loop stands on the run scaffold (`kclassics.runs.Run`): one run
directory layout, one checkpoint and resume mechanism, one result type.
"""

import dataclasses
import importlib
from typing import Any, Callable, Optional, Union

from kclassics import _backend, validation
from kclassics.registry import Registry

_backend.require_tensorflow("kclassics.programs")

ACCURACY_SUMMARY = "test accuracy {test_accuracy:.4f} (loss {test_loss:.4f}, {steps} steps, {train_seconds:.1f} s)"
UNITS = ("steps", "epochs", "episodes", "iterations")


@dataclasses.dataclass(frozen=True)
class Length:
    """How long a program runs: the config field that says it, and what it counts.

    Attributes:
        field: the field `--steps` (or `--epochs`, `--episodes`: the unit) sets.
        unit: what `field` counts, one of `UNITS`.
        instead: fields that set the length another way when not None
            (`epochs` of a classifier counted in steps), each a flag of its own.
        embedded: the field that says how long to train on the embedded
            default data, which is much smaller than the book's
            (`digits_steps`); it applies when not None, and setting the
            length clears it.
    """

    field: str = "steps"
    unit: str = "steps"
    instead: tuple = ()
    embedded: Optional[str] = None

    def __post_init__(self):
        validation.one_of("unit", self.unit, UNITS)

    @property
    def fields(self):
        """Every field that sets the length: the ones a resumed run may change."""
        return (self.field, *self.instead, *((self.embedded,) if self.embedded else ()))

    def value(self, config):
        """How many units `config` runs: the first of `instead`, `embedded` and `field` that is set."""
        for name in (*self.instead, *((self.embedded,) if self.embedded else ()), self.field):
            if getattr(config, name) is not None:
                return getattr(config, name)
        return None

    def set(self, config, value, field=None):
        """`config` running `value` units of `field` (default `field`); the other length fields that would win are cleared."""
        field = field or self.field
        if field not in self.fields:
            raise ValueError(f"`{field}` is not a length of this program; its length is set by "
                             f"{', '.join(self.fields)}. Received: {field}={value!r}")
        cleared = {name: None for name in self.fields if name not in (field, self.field)}
        return dataclasses.replace(config, **{**cleared, field: value})


@dataclasses.dataclass(frozen=True)
class Option:
    """A setting a program takes on the command line: `--name-with-dashes VALUE` sets config field `field`.

    Attributes:
        field: the config field.
        kind: the type the text is read as (`int`, `float`, `str`, or `bool` for a switch that sets True).
        help: one line for `--help`.
        check: a `kclassics.validation` check `(name, value) -> value`, run on the value before anything starts.
    """

    field: str
    kind: type
    help: str
    check: Optional[Callable] = None

    @property
    def flag(self):
        return "--" + self.field.replace("_", "-")


MNIST_FILES = ("directory with the four MNIST IDX files (raw or .gz): trains on MNIST, the book's data, instead of "
               "the embedded digits")

# The options every program whose config has the field takes (a program adds its own with `options=`).
STANDARD_OPTIONS = (
    Option("batch_size", int, "examples per step", validation.positive_int),
    Option("learning_rate", float, "the optimizer's learning rate", validation.positive_float),
    Option("seed", int, f"random seed, 0 to {validation.SEED_MAX}", validation.seed),
    Option("dataset", str, "dataset name (digits, mnist, cifar10); mnist or cifar10 without --data-dir use "
           "tensorflow-datasets"),
    Option("mixed_precision", bool, "compute in 16 bits with float32 variables: mixed_float16 on a GPU, mixed_bfloat16 "
           "on a CPU (default: float32, the book's)"),
)


@dataclasses.dataclass(frozen=True)
class Program:
    """A runnable book program and what it can do, as data.

    Attributes:
        name: the name `kclassics train NAME` takes.
        config: a frozen dataclass holding the book's defaults (each citing its book line).
        loop: `loop(config, program, out=None, resume=False, data_dir=None, callbacks=(), verbose="auto", **options)`
            returning a `kclassics.runs.RunResult`, or its name `"module:function"`, imported on the first run.
        description: one line.
        summary: the line the command line prints, formatted with the result's metrics.
        length: how long it runs (`Length`); None for a program whose length is not a setting (a forest grows whole trees).
        options: the command-line options it takes beyond the `STANDARD_OPTIONS` its config has fields for.
        optimizer: `config -> keras optimizer`, the optimizer it trains with (None: it has none to tune).
        total_steps: `(config, data_dir) -> int`, the global steps (optimizer updates) a run takes, for
            progress and pruning; default its length, when the length counts steps.
        strategies: the `--strategy` values it trains under.
        data: what `--data-dir` reads (its help line); None when the program reads no data directory.
        task: what its export serves (a key of `kclassics.export.TASKS`); None when it writes no export.
        tensorboard: whether its run directory holds TensorBoard logs (`logs/`).
        files: the files its run directory holds beyond the scaffold's (`vocab.txt`, `play.gif`).
        configs: named configurations besides `config` (`kclassics train NAME --config KEY`).
    """

    name: str
    config: Any
    loop: Union[str, Callable] = dataclasses.field(repr=False)
    description: str
    summary: str = ACCURACY_SUMMARY
    length: Optional[Length] = Length()
    options: tuple = ()
    optimizer: Optional[Callable] = dataclasses.field(default=None, repr=False)
    total_steps: Optional[Callable] = dataclasses.field(default=None, repr=False)
    strategies: tuple = ("default",)
    data: Optional[str] = None
    task: Optional[str] = "image_classification"
    tensorboard: bool = True
    files: tuple = ()
    configs: dict = dataclasses.field(default_factory=dict, repr=False)

    def __post_init__(self):
        fields = {field.name for field in dataclasses.fields(self.config)}
        declared = [*(self.length.fields if self.length else ()), *(option.field for option in self.options)]
        missing = [name for name in declared if name not in fields]
        if missing:
            raise ValueError(f"Program {self.name!r} declares {', '.join(missing)}, which its config "
                             f"{type(self.config).__name__} does not have. Received: {', '.join(missing)}")

    def run(self, config=None, **kwargs):
        """Runs the program (with its default config when `config` is None); returns its `RunResult`."""
        loop = self.loop
        if isinstance(loop, str):
            module, _, function = loop.partition(":")
            loop = getattr(importlib.import_module(module), function)
        return loop(self.config if config is None else config, self, **kwargs)

    def steps_of(self, config, data_dir=None):
        """The global steps a run of `config` takes (None when the program does not say)."""
        if self.total_steps is not None:
            return self.total_steps(config, data_dir)
        if self.length is not None and self.length.unit == "steps":
            return self.length.value(config)
        return None

    def all_options(self):
        """Every option it takes: the standard ones its config has fields for, then its own."""
        fields = {field.name for field in dataclasses.fields(self.config)}
        own = {option.field for option in self.options}
        return (*(o for o in STANDARD_OPTIONS if o.field in fields and o.field not in own), *self.options)

    def named_config(self, name):
        """`config` or one of `configs` by name; an unknown name lists them."""
        if name in self.configs:
            return self.configs[name]
        accepted = ", ".join(self.configs) or "none: it has one configuration"
        raise ValueError(f"Unknown configuration of program {self.name!r}. Accepted: {accepted}. Received: --config={name}")


PROGRAMS = Registry(
    "program",
    modules=("kclassics.programs.mnist", "kclassics.programs.autoencoder", "kclassics.programs.cifar10",
             "kclassics.programs.cifar10_blog",
             "kclassics.programs.tensorboard", "kclassics.programs.learn",
             "kclassics.programs.word2vec", "kclassics.programs.ptb_lm",
             "kclassics.programs.cartpole_pg", "kclassics.programs.gridworld_dqn"),
)


def register(program):
    """Adds a `Program` to the registry and returns it."""
    return PROGRAMS.register(program.name, program)


def list_programs(pattern="*"):
    """Names of the registered programs matching a shell wildcard."""
    return PROGRAMS.names(pattern)


def get(name):
    """The registered `Program` called `name`."""
    return PROGRAMS.get(name)

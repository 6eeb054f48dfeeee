"""The book's runnable programs: each a name, a frozen config of the book's defaults and a run function.

    from kclassics import programs
    program = programs.get("mnist_cnn")
    result = program.run(program.config)          # the book's defaults
    result = program.run(dataclasses.replace(program.config, steps=500))
    result.metrics["test_accuracy"], result.run_dir

Every run function stands on the run scaffold (`kclassics.runs.Run`): one run
directory layout, one checkpoint and resume mechanism, one result type.
"""

import dataclasses
from typing import Any, Callable

from kclassics import _backend
from kclassics.registry import Registry

_backend.require_tensorflow("kclassics.programs")

ACCURACY_SUMMARY = "test accuracy {test_accuracy:.4f} (loss {test_loss:.4f}, {steps} steps, {train_seconds:.1f} s)"


@dataclasses.dataclass(frozen=True)
class Program:
    """A runnable book program and what it can do, as data.

    Attributes:
        name: the name `kclassics train NAME` takes.
        config: a frozen dataclass holding the book's defaults (each citing its book line).
        run: `run(config, out=None, resume=False, data_dir=None, callbacks=(), verbose="auto", **options)`
            returning a `kclassics.runs.RunResult`; `strategy=` is among the
            options when `strategies` names more than the default.
        description: one line.
        summary: the line the command line prints, formatted with the result's metrics.
        strategies: the `--strategy` values it trains under.
        task: what its export serves (a key of `kclassics.export.TASKS`).
        configs: named configurations besides `config` (`kclassics train NAME --config KEY`).
    """

    name: str
    config: Any
    run: Callable = dataclasses.field(repr=False)
    description: str
    summary: str = ACCURACY_SUMMARY
    strategies: tuple = ("default",)
    task: str = "image_classification"
    configs: dict = dataclasses.field(default_factory=dict, repr=False)


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

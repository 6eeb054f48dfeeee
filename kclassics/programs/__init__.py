"""The book's runnable programs: each a name, a frozen config of the book's defaults and a run function.

    from kclassics import programs
    program = programs.get("mnist_cnn")
    result = program.run(program.config)          # the book's defaults
    result = program.run(dataclasses.replace(program.config, steps=500))
"""

import dataclasses
import difflib
from typing import Any, Callable

from kclassics import _backend

_backend.require_tensorflow("kclassics.programs")


@dataclasses.dataclass(frozen=True)
class Program:
    """A runnable book program.

    Attributes:
        name: the name `kclassics train NAME` takes.
        config: a frozen dataclass holding the book's defaults.
        run: `run(config, out=None, resume=False, data_dir=None, **kwargs)`, returns a result
            with `run_dir`.
        description: one line.
    """

    name: str
    config: Any
    run: Callable = dataclasses.field(repr=False)
    description: str


_PROGRAMS: dict = {}


def register(program):
    """Adds a `Program` to the registry and returns it."""
    if program.name in _PROGRAMS:
        raise ValueError(f"Program {program.name!r} is already registered.")
    _PROGRAMS[program.name] = program
    return program


def list_programs():
    """Names of the registered programs."""
    _load_all()
    return sorted(_PROGRAMS)


def get(name):
    """The registered `Program` called `name`."""
    _load_all()
    if name in _PROGRAMS:
        return _PROGRAMS[name]
    close = difflib.get_close_matches(str(name), list(_PROGRAMS), n=3, cutoff=0.6)
    hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    raise ValueError(f"Unknown program {name!r}.{hint} Accepted: {', '.join(sorted(_PROGRAMS))}. Received: name={name!r}")


def _load_all():
    from kclassics.programs import mnist  # noqa: F401  (registers on import)
    from kclassics.programs import autoencoder, cifar10, tensorboard  # noqa: F401,E401

"""The `kclassics` command line.

Every command answers a bad name, path or value before TensorFlow loads: its
`check(args)` (what it can judge from the arguments and the file system) runs
first, TensorFlow is imported (quietly) only then, and `run(args)` does the
work. Errors are one line, `kclassics: error: ...`, with at most one hint line.
"""

import argparse
import importlib
import logging
import os
import sys

from kclassics._backend import BackendError
from kclassics._version import __version__

# Each module registers its sub-commands with `register(subparsers, argv)`.
COMMAND_MODULES = ("models", "train", "bench", "profile", "cluster", "generate", "serve", "play", "tune")

USER_ERRORS = (ValueError, FileExistsError, FileNotFoundError, PermissionError, NotADirectoryError, IsADirectoryError, ModuleNotFoundError, BackendError)


class UsageError(Exception):
    """A command-line error: its message and the hint line printed under it."""

    def __init__(self, message, hint=None):
        super().__init__(message)
        self.hint = hint


class Parser(argparse.ArgumentParser):
    """argparse, with its errors as one `kclassics: error:` line and a pointer to `--help` instead of the usage block.

    A parser made for one program (`kclassics train PROGRAM`) has its name in
    `program`, so an option it does not take is said as such.
    """

    program = None

    def error(self, message):
        prog = f"{self.prog} {self.program}" if self.program else self.prog
        if self.program and message.startswith("unrecognized arguments: "):
            message = (f"{message[len('unrecognized arguments: '):]} is not an option of program {self.program!r}; "
                       f"its options are listed by --help")
        raise UsageError(message, f"see: {prog} --help")


def build_parser(argv=()):
    """The parser of every command; `argv` lets `train` and `tune` add the named program's own options."""
    parser = Parser(
        prog="kclassics",
        description="The classic networks and programs of TensorFlow 实战, for Keras 3.",
    )
    parser.add_argument("--version", action="version", version=f"kclassics {__version__}")
    parser.add_argument("--verbose", action="store_true", help="show TensorFlow's own logs (hidden by default)")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=Parser)
    for module in COMMAND_MODULES:
        importlib.import_module(f"kclassics.cli.{module}").register(commands, argv)
    parser.commands = commands.choices
    return parser


def import_tensorflow_quietly():
    """Imports TensorFlow with its start-up logs (CUDA probes, oneDNN notes) silenced.

    TensorFlow's C++ logging writes them to file descriptor 2 while it loads,
    whatever `TF_CPP_MIN_LOG_LEVEL` says, so stderr is closed for the import;
    the variable (unless the user set it) keeps its later logs quiet.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    if "tensorflow" in sys.modules:
        return
    sys.stderr.flush()
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        import tensorflow  # noqa: F401
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def _fail(message, hint=None):
    print(f"kclassics: error: {' '.join(str(message).split())}", file=sys.stderr)
    if hint:
        print(hint, file=sys.stderr)
    return 2


def main(argv=None):
    """Runs the command line; returns the exit status (2 for bad arguments or input)."""
    argv = sys.argv[1:] if argv is None else [str(arg) for arg in argv]
    try:
        parser = build_parser(argv)
        args, extra = parser.parse_known_args(argv)
        if extra:  # said by the command's own parser, which knows the program
            (parser.commands.get(argv[0]) or parser).error(f"unrecognized arguments: {' '.join(extra)}")
        if not hasattr(args, "run"):
            parser.print_help()
            return 2
        if hasattr(args, "check"):
            args.check(args)
    except UsageError as error:
        return _fail(error, error.hint)
    except USER_ERRORS as error:
        return _fail(error)
    if getattr(args, "uses_tensorflow", True) and not args.verbose:
        import_tensorflow_quietly()
    try:
        return args.run(args)
    except UsageError as error:
        return _fail(error, error.hint)
    except USER_ERRORS as error:
        return _fail(error)
    except KeyboardInterrupt:
        print("kclassics: interrupted", file=sys.stderr)
        return 130

"""The `kclassics` command line."""

import argparse
import importlib
import logging
import os
import sys

from kclassics._backend import BackendError
from kclassics._version import __version__

# Each module registers its sub-commands with `register(subparsers)`.
COMMAND_MODULES = ("models", "train", "bench", "profile", "cluster", "generate", "serve", "play", "tune")

USER_ERRORS = (ValueError, FileExistsError, FileNotFoundError, PermissionError, NotADirectoryError, ModuleNotFoundError, BackendError)


def build_parser():
    parser = argparse.ArgumentParser(
        prog="kclassics",
        description="The classic networks and programs of TensorFlow 实战, for Keras 3.",
    )
    parser.add_argument("--version", action="version", version=f"kclassics {__version__}")
    parser.add_argument("--verbose", action="store_true", help="show TensorFlow's own logs (hidden by default)")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    for module in COMMAND_MODULES:
        importlib.import_module(f"kclassics.cli.{module}").register(commands)
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


def main(argv=None):
    """Runs the command line; returns the exit status (2 for bad arguments or input)."""
    argv = sys.argv[1:] if argv is None else [str(arg) for arg in argv]
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    if getattr(args, "uses_tensorflow", True) and not args.verbose:
        import_tensorflow_quietly()
    try:
        return args.run(args)
    except USER_ERRORS as error:
        print(f"kclassics: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("kclassics: interrupted", file=sys.stderr)
        return 130

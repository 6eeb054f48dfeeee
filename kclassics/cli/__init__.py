"""The `kclassics` command line."""

import argparse
import importlib
import os
import sys

from kclassics._version import __version__

# Each module registers its sub-commands with `register(subparsers)`.
COMMAND_MODULES = ("models", "train", "bench", "profile", "cluster")

USER_ERRORS = (ValueError, FileExistsError, FileNotFoundError, PermissionError, NotADirectoryError)


def build_parser():
    parser = argparse.ArgumentParser(
        prog="kclassics",
        description="The classic networks and programs of TensorFlow 实战, for Keras 3.",
    )
    parser.add_argument("--version", action="version", version=f"kclassics {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    for module in COMMAND_MODULES:
        importlib.import_module(f"kclassics.cli.{module}").register(commands)
    return parser


def main(argv=None):
    """Runs the command line; returns the exit status (2 for bad arguments or input)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    try:
        return args.run(args)
    except USER_ERRORS as error:
        print(f"kclassics: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("kclassics: interrupted", file=sys.stderr)
        return 130

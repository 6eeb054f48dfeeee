"""The `kclassics` command line."""

import argparse
import importlib
import logging
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
    parser.add_argument("--verbose", action="store_true", help="show TensorFlow's own logs (hidden by default)")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    for module in COMMAND_MODULES:
        importlib.import_module(f"kclassics.cli.{module}").register(commands)
    return parser


def quiet_tensorflow():
    """Silences TensorFlow's start-up logs (CUDA probes, oneDNN notes); call before TensorFlow is imported."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    logging.getLogger("tensorflow").setLevel(logging.ERROR)


def main(argv=None):
    """Runs the command line; returns the exit status (2 for bad arguments or input)."""
    argv = sys.argv[1:] if argv is None else [str(arg) for arg in argv]
    if "--verbose" not in argv:
        quiet_tensorflow()
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

"""Argument types for the command line: each rejects a bad value with a one-line message naming the flag."""

import argparse
import math

from kclassics import validation


def _typed(kind, check, accepted):
    def parse(text):
        try:
            return check("value", kind(text))
        except ValueError:
            finite = kind is not float or not _parses_to_non_finite(text)
            raise argparse.ArgumentTypeError(f"expected {accepted}, received {text!r}" + ("" if finite else " (not finite)")) from None

    parse.__name__ = check.__name__  # argparse names the type in its messages
    return parse


positive_int = _typed(int, validation.positive_int, "a positive integer")
non_negative_int = _typed(int, validation.non_negative_int, "a non-negative integer")
positive_float = _typed(float, validation.positive_float, "a positive number")
seed = _typed(int, validation.seed, f"an integer between 0 and {validation.SEED_MAX}")


def _parses_to_non_finite(text):
    try:
        return not math.isfinite(float(text))
    except ValueError:
        return False

"""Argument types for the command line: each rejects bad values with a one-line message."""

import argparse


def positive_int(text):
    return _number(text, int, lambda v: v > 0, "a positive integer")


def non_negative_int(text):
    return _number(text, int, lambda v: v >= 0, "a non-negative integer")


def positive_float(text):
    return _number(text, float, lambda v: v > 0, "a positive number")


def _number(text, kind, accept, what):
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or not accept(value):
        raise argparse.ArgumentTypeError(f"expected {what}, received {text!r}")
    return value

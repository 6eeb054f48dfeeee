"""Argument checks shared by configs, layers, callbacks and the command line.

Each check returns the value it accepts and otherwise raises a ValueError that
names the argument, the value received and what is accepted, in the
keras.applications style: "`steps` must be a positive integer. Received: steps=0".
"""

import math
import numbers

SEED_MAX = 2**32 - 1


def _fail(name, value, accepted):
    raise ValueError(f"`{name}` must be {accepted}. Received: {name}={value!r}")


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _int_at_least(name, value, low, accepted, allow_none):
    if allow_none and value is None:
        return value
    if not _is_int(value) or value < low:
        _fail(name, value, accepted + (" or None" if allow_none else ""))
    return value


def int_at_least(name, value, low, allow_none=False):
    """`value` if it is an integer >= `low` (or None when allowed)."""
    return _int_at_least(name, value, low, f"an integer >= {low}", allow_none)


def positive_int(name, value, allow_none=False):
    """`value` if it is an integer >= 1 (or None when allowed)."""
    return _int_at_least(name, value, 1, "a positive integer", allow_none)


def non_negative_int(name, value, allow_none=False):
    """`value` if it is an integer >= 0 (or None when allowed)."""
    return _int_at_least(name, value, 0, "a non-negative integer", allow_none)


def seed(name, value):
    """`value` if it is a valid random seed: an integer in [0, 2**32 - 1]."""
    if not _is_int(value) or not 0 <= value <= SEED_MAX:
        _fail(name, value, f"an integer between 0 and {SEED_MAX}")
    return value


def positive_float(name, value):
    """`value` if it is a finite number > 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value <= 0:
        _fail(name, value, "a finite positive number")
    return value


def non_negative_float(name, value):
    """`value` if it is a finite number >= 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value < 0:
        _fail(name, value, "a finite non-negative number")
    return value


def fraction(name, value, low_open=False, high_open=False):
    """`value` if it lies in [0, 1] (ends excluded when `low_open` / `high_open`)."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
    if ok:
        ok = (value > 0 if low_open else value >= 0) and (value < 1 if high_open else value <= 1)
    if not ok:
        _fail(name, value, f"a number in {'(' if low_open else '['}0, 1{')' if high_open else ']'}")
    return value


def boolean(name, value):
    """`value` if it is True or False."""
    if not isinstance(value, bool):
        _fail(name, value, "True or False")
    return value


def one_of(name, value, accepted):
    """`value` if it is one of `accepted`."""
    if value not in accepted:
        raise ValueError(f"Unknown `{name}`. Accepted: {', '.join(map(str, accepted))}. Received: {name}={value!r}")
    return value

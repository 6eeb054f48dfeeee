"""Argument checks shared by configs, layers, callbacks and the command line.

Each check returns the value it accepts and otherwise raises a ValueError that
names the argument, the value received and what is accepted, in the
keras.applications style: "`steps` must be a positive integer. Received: steps=0".
"""

import math
import numbers

import numpy as np

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


def finite_float(name, value):
    """`value` if it is a finite number (of any sign)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        _fail(name, value, "a finite number")
    return value


def text(name, value):
    """`value` if it is a non-empty string."""
    if not isinstance(value, str) or not value:
        _fail(name, value, "a non-empty string")
    return value


def shape(name, value, rank=None):
    """`value` as a tuple if it is a shape: a sequence of positive integers (`rank` of them when given)."""
    dims = tuple(value) if isinstance(value, (list, tuple)) else None
    if dims is None or not dims or not all(_is_int(d) and d > 0 for d in dims) or (rank is not None and len(dims) != rank):
        _fail(name, value, f"a shape of {rank or 'one or more'} positive integers")
    return dims


def describe(value):
    """A short description of a received value for an error: an array by its shape and dtype, else its repr."""
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return f"an array of shape {tuple(value.shape)} and dtype {value.dtype}"
    text = repr(value)
    return text if len(text) <= 80 else f"{type(value).__name__} {text[:60]}..."


def array(name, value, ndim=None, what="numbers", kinds="fiub", allow_empty=False, finite=True):
    """`value` as a NumPy array if it holds numbers (`kinds`: NumPy dtype kinds) of rank `ndim`, not empty, all finite.

    The error names the array by its shape and dtype, or the first element that is not finite:
    "`points` must hold finite numbers. Received: points[3, 1]=nan".
    """
    try:
        converted = np.asarray(value)
    except (ValueError, TypeError):  # a ragged nest of lists
        raise ValueError(f"`{name}` must be an array of {what}. Received: {name}={type(value).__name__} of unequal rows") from None
    rank = f"a {ndim}-D array" if ndim is not None else "an array"
    if converted.dtype.kind not in kinds or (ndim is not None and converted.ndim != ndim):
        raise ValueError(f"`{name}` must be {rank} of {what}. Received: {name}={describe(converted)}")
    if not allow_empty and converted.size == 0:
        raise ValueError(f"`{name}` must not be empty. Received: {name}={describe(converted)}")
    if finite and converted.dtype.kind in "fc":
        bad = np.argwhere(~np.isfinite(converted))
        if len(bad):
            index = tuple(int(i) for i in bad[0])
            where = ", ".join(map(str, index))
            raise ValueError(f"`{name}` must hold finite numbers. Received: {name}[{where}]={converted[index].item()!r}")
    return converted


def class_ids(name, value, n_classes, what="class ids", count_name="n_classes", ndim=None, allow_empty=True):
    """`value` as an int64 array if every element is a class id 0 .. n_classes - 1 (integer-valued numbers).

    `what` and `count_name` word the error for other ids, e.g. word ids below `vocab_size`.
    """
    labels = array(name, value, ndim=ndim, what=what, finite=False, allow_empty=allow_empty)
    flat = labels.reshape(-1)
    wrong = ~np.isfinite(flat) | (flat < 0) | (flat >= n_classes) if flat.dtype.kind == "f" else (flat < 0) | (flat >= n_classes)
    if flat.dtype.kind == "f":
        wrong |= np.isfinite(flat) & (flat != np.round(flat))
    if wrong.any():
        index = np.unravel_index(int(np.argmax(wrong)), labels.shape)
        where = ", ".join(map(str, index))
        item = labels[index].item()
        raise ValueError(f"`{name}` must hold {what} 0 .. {n_classes - 1} ({count_name}={n_classes}). "
                         f"Received: {name}[{where}]={item!r}")
    return labels.astype(np.int64)

"""contrib.layers' `stack` and `repeat` (book 11.2.1, L7190-7215) as Keras layer builders.

    stack(keras.layers.Dense, [32, 64, 128], name="fc")      # fc/fc_1 (32), fc/fc_2 (64), fc/fc_3 (128)
    repeat(3, keras.layers.Conv2D, 64, 3, name="conv1")      # conv1/conv1_1 .. conv1/conv1_3, the same arguments

Each returns a `keras.Sequential` whose layers are named as the book's scopes
(`fc/fc_1`, ...); `arg_scope` is `functools.partial` (see docs/contrib.md).
"""

import keras

from kclassics import validation


def stack(layer_fn, args_list, name="stack", **kwargs):
    """One layer per entry of `args_list` (a value or a tuple of positional arguments), each `layer_fn(*args, **kwargs)`.

    Args:
        layer_fn: a layer class or factory, e.g. `keras.layers.Dense`.
        args_list: e.g. `[10, 20, 10]` for three Dense layers of those widths.
        name: the scope: layers are `name_1`, `name_2`, ... inside a Sequential called `name`.
        **kwargs: passed to every layer (the book's shared arguments, e.g. `activation="relu"`).
    """
    _check_layer_fn(layer_fn)
    validation.text("name", name)
    if isinstance(args_list, (str, bytes)) or not isinstance(args_list, (list, tuple)) or not args_list:
        raise ValueError(f"`args_list` must be a non-empty list, one entry per layer. Received: args_list={args_list!r}")
    layers = [layer_fn(*(args if isinstance(args, tuple) else (args,)), name=f"{name}_{i}", **kwargs)
              for i, args in enumerate(args_list, start=1)]
    return keras.Sequential(layers, name=name)


def repeat(repetitions, layer_fn, *args, name="repeat", **kwargs):
    """`repetitions` layers `layer_fn(*args, **kwargs)`, each with its own weights, in a Sequential called `name`."""
    validation.positive_int("repetitions", repetitions)
    _check_layer_fn(layer_fn)
    validation.text("name", name)
    return keras.Sequential([layer_fn(*args, name=f"{name}_{i}", **kwargs) for i in range(1, repetitions + 1)], name=name)


def _check_layer_fn(layer_fn):
    if not callable(layer_fn):
        raise ValueError(f"`layer_fn` must be a layer class or factory, e.g. keras.layers.Dense. Received: layer_fn={layer_fn!r}")

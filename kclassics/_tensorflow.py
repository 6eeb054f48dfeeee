"""Every use of TensorFlow's private names in kclassics, in one place, so a TensorFlow upgrade is checked here.

TensorFlow 2.21's internals these rely on: the global gradient registry that
`tf.custom_gradient` adds to and never empties (the tuner's trials);
tf2onnx 1.17's table of ONNX graph optimizers (the export of large models);
and a concrete function's flat call (the server's call of a signature).
"""

import contextlib


def call_flat(function, tensors):
    """Calls concrete function `function` on `tensors`, its inputs in its own order, as its structured call ends up doing.

    It skips the structured call's binding of keyword arguments and its
    checks, about 0.1 ms a call: the caller passes the right dtypes and shapes
    (`kclassics.serving.servable.Signature.run` checks them).
    """
    return function._call_flat(tensors, function.captured_inputs)


def custom_gradient_names():
    """The names in TensorFlow's global gradient registry now."""
    from tensorflow.python.framework import ops

    return set(ops._gradient_registry.list())


def forget_custom_gradients(before):
    """Unregisters the gradients that `tf.custom_gradient` registered since `before` (`custom_gradient_names()`).

    Traced in a `tf.function` (Keras's train step), `tf.custom_gradient`
    registers its gradient under a new name in TensorFlow's global gradient
    registry, never removed, and that function holds the traced graph: about
    5 MiB a trial of the MLP that no session clearing frees. Once the trial's
    models are gone no graph uses those names.
    """
    from tensorflow.python.framework import ops

    registry = ops._gradient_registry._registry
    for name in set(registry) - before:
        if name.startswith("CustomGradient-"):
            del registry[name]


@contextlib.contextmanager
def tf2onnx_collecting_between_optimizers():
    """tf2onnx's ONNX optimizers, each run after a garbage collection, for as long as the block lasts.

    tf2onnx runs each of its dozen optimizers, again and again until none
    changes the graph, on a `copy.deepcopy` of the graph, constants included;
    a graph refers to itself, so each copy left behind waits for Python's
    cyclic collector, which counts objects, not bytes. VGG11's 531 MB of
    weights piled up past 21 GiB that way; collected before each optimizer,
    at most the graph and its copy are held.
    """
    import gc

    from tf2onnx import optimizer

    table = optimizer._optimizers
    originals = dict(table)

    def collecting(factory):
        def make():
            gc.collect()
            return factory()

        return make

    table.update({name: collecting(factory) for name, factory in originals.items()})
    try:
        yield
    finally:
        table.update(originals)

"""Every use of TensorFlow's private names in kclassics, in one place, so a TensorFlow upgrade is checked here.

TensorFlow 2.21's internals these rely on: the global gradient registry that
`tf.custom_gradient` adds to and never empties (the tuner's trials).
"""


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

"""Where kclassics layers may run XLA-compiled functions inside a graph that is not compiled."""

import contextlib
import contextvars

_disabled = contextvars.ContextVar("kclassics_without_xla", default=False)


@contextlib.contextmanager
def without_xla():
    """Within this context kclassics layers trace plain TensorFlow ops, no XLA-compiled functions.

    The Winograd convolutions (`kclassics.layers.Conv2D`) then trace the direct
    convolution: the same function. `kclassics.export.export_saved_model`
    uses it, so a SavedModel never needs XLA where it is served. The choice is
    made when a function is traced.
    """
    token = _disabled.set(True)
    try:
        yield
    finally:
        _disabled.reset(token)


def xla_allowed():
    """False inside `without_xla()`."""
    return not _disabled.get()

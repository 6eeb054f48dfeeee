"""Which Keras backend runs, what it has, and the features that need TensorFlow.

The networks and layers run on every Keras 3 backend (TensorFlow, JAX,
PyTorch). The programs, distributed training, SavedModel export and serving
are built on TensorFlow (tf.data, tf.distribute, SavedModel) and stay
TensorFlow features: they call `require_tensorflow` first.
"""

import functools
import json
import os
import sys
from pathlib import Path

BACKENDS = ("tensorflow", "jax", "torch")


class BackendError(RuntimeError):
    """A TensorFlow feature of kclassics was used on another Keras backend."""


def name():
    """The Keras backend in use: `"tensorflow"`, `"jax"` or `"torch"` (others as Keras names them).

    Before Keras is imported, the one it will choose (`KERAS_BACKEND`, else
    `keras.json`), so asking costs no import of Keras or TensorFlow.
    """
    if "keras" in sys.modules:
        return sys.modules["keras"].backend.backend()
    if os.environ.get("KERAS_BACKEND"):
        return os.environ["KERAS_BACKEND"]
    home = Path(os.environ.get("KERAS_HOME") or Path(os.path.expanduser("~")) / ".keras")
    try:
        return json.loads((home / "keras.json").read_text()).get("backend", "tensorflow")
    except (OSError, ValueError):
        return "tensorflow"


def is_tensorflow():
    return name() == "tensorflow"


def require_tensorflow(feature):
    """Raises `BackendError` unless Keras runs on TensorFlow.

    Args:
        feature: what needs TensorFlow, as the user calls it (`"kclassics.export"`).
    """
    backend = name()
    if backend != "tensorflow":
        raise BackendError(
            f"{feature} runs on the TensorFlow backend only: it is built on TensorFlow's tf.data, tf.distribute "
            f"and SavedModel. Accepted: KERAS_BACKEND='tensorflow'. Received: KERAS_BACKEND={backend!r}. The "
            f"networks of kclassics.apps and the layers of kclassics.layers run on every backend."
        )


def require(feature, backends):
    """Raises `BackendError` unless Keras runs on one of `backends`.

    Args:
        feature: what needs them, as the user calls it (`"TruncatedBPTT"`).
        backends: the backends it runs on (`("tensorflow", "jax")`).
    """
    backend = name()
    if backend not in backends:
        raise BackendError(
            f"{feature} runs on the backends {', '.join(map(repr, backends))}. Accepted: KERAS_BACKEND in "
            f"{tuple(backends)}. Received: KERAS_BACKEND={backend!r}."
        )


@functools.lru_cache(maxsize=None)
def has_gpu():
    """Whether the backend sees a GPU (TensorFlow: a logical GPU; JAX: a GPU device; PyTorch: CUDA)."""
    backend = name()
    if backend == "tensorflow":
        import tensorflow as tf

        return bool(tf.config.list_logical_devices("GPU"))
    if backend == "jax":
        import jax

        return any(device.platform == "gpu" for device in jax.devices())
    if backend == "torch":
        import torch

        return torch.cuda.is_available()
    return False


def devices():
    """The backend's devices, as short strings (`"CPU"`, `"GPU"`, `"cuda:0 NVIDIA H100 80GB HBM3"`)."""
    backend = name()
    if backend == "tensorflow":
        import tensorflow as tf

        return [device.device_type for device in tf.config.list_physical_devices()]
    if backend == "jax":
        import jax

        return [f"{device.platform}:{device.id} {device.device_kind}" for device in jax.devices()]
    if backend == "torch":
        import torch

        if torch.cuda.is_available():
            return [f"cuda:{i} {torch.cuda.get_device_name(i)}" for i in range(torch.cuda.device_count())]
        return ["cpu"]
    return []


def versions():
    """The versions of Keras and of the backend's framework."""
    import keras

    found = {"keras": keras.__version__, "backend": name()}
    framework = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}.get(name())
    if framework:
        found[framework] = __import__(framework).__version__
    return found


def block_until_ready(outputs):
    """Returns `outputs` once computed: reads the smallest tensor back to the host.

    A GPU call returns before its kernels finish; reading one value back waits
    for the stream, as `session.run` did in the book. Non-tensors (the floats
    of `train_on_batch`) are already on the host.
    """
    import keras

    tensors = [t for t in keras.tree.flatten(outputs) if keras.ops.is_tensor(t)]
    if tensors:
        keras.ops.convert_to_numpy(min(tensors, key=lambda t: _size(t.shape)))
    return outputs


def _size(shape):
    size = 1
    for dim in shape:
        size *= int(dim)
    return size

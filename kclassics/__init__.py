"""kclassics: the classic networks and programs of *TensorFlow 实战*, for Keras 3.

Importing the package registers its Keras objects (the model classes, the
layers of `kclassics.layers`, the model subclasses of `kclassics.apps`), so a
`.keras` file written from a kclassics model loads with plain
`keras.saving.load_model` once `kclassics` is imported. The other submodules
load on first use.
"""

import importlib

from kclassics._version import __version__
from kclassics.model import Model
from kclassics import apps, layers  # noqa: F401  (registers every serializable class)

_SUBMODULES = ("apps", "callbacks", "data", "export", "layers", "programs", "training")

__all__ = ["Model", "__version__", *_SUBMODULES]


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"kclassics.{name}")
    raise AttributeError(f"module 'kclassics' has no attribute {name!r}")

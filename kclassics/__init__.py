"""kclassics: the classic networks and programs of *TensorFlow 实战*, for Keras 3.

Importing the package is cheap; Keras and TensorFlow load on first use of
``kclassics.Model`` or a submodule such as ``kclassics.apps``.
"""

import importlib

from kclassics._version import __version__

_SUBMODULES = ("apps", "callbacks", "data", "export", "layers", "programs", "training")

__all__ = ["Model", "__version__", *_SUBMODULES]


def __getattr__(name):
    if name == "Model":
        from kclassics.model import Model

        return Model
    if name in _SUBMODULES:
        return importlib.import_module(f"kclassics.{name}")
    raise AttributeError(f"module 'kclassics' has no attribute {name!r}")

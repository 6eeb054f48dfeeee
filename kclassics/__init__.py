"""kclassics: the classic networks and programs of *TensorFlow 实战*, for Keras 3.

Importing the package is cheap: its submodules load on first use. Its Keras
objects (the model classes, the layers of `kclassics.layers`, the model
subclasses of `kclassics.apps`) are registered as soon as Keras is imported,
before or after `import kclassics`, so a `.keras` file written from a
kclassics model loads with plain `keras.saving.load_model` once `kclassics`
is imported.
"""

import importlib
import importlib.abc
import importlib.util
import sys

from kclassics._version import __version__

_SUBMODULES = ("apps", "callbacks", "data", "export", "layers", "programs", "runs", "training")

__all__ = ["Model", "__version__", *_SUBMODULES]


def __getattr__(name):
    if name == "Model":
        from kclassics.model import Model

        return Model
    if name in _SUBMODULES:
        return importlib.import_module(f"kclassics.{name}")
    raise AttributeError(f"module 'kclassics' has no attribute {name!r}")


def _register_keras_objects():
    """Imports the modules that register kclassics' serializable classes with Keras."""
    importlib.import_module("kclassics.apps")
    importlib.import_module("kclassics.layers")


class _RegisterAfterKeras(importlib.abc.MetaPathFinder):
    """Registers kclassics' Keras objects right after `keras` is first imported (so `--help` never loads TensorFlow)."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "keras":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec("keras")
        if spec is None or spec.loader is None:
            return spec
        execute = spec.loader.exec_module

        def exec_module(module):
            execute(module)
            _register_keras_objects()

        spec.loader.exec_module = exec_module
        return spec


if "keras" in sys.modules:
    _register_keras_objects()
else:
    sys.meta_path.insert(0, _RegisterAfterKeras())

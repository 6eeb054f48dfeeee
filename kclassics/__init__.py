"""kclassics: the classic networks and programs of *TensorFlow 实战*, for Keras 3.

Importing the package is cheap: its submodules load on first use. Its Keras
objects (the model classes, the layers of `kclassics.layers`, the model
subclasses of `kclassics.apps`, `SkipGram`, the language model, the canned
models and losses of `kclassics.learn`, the networks of `kclassics.rl`) are
registered as soon as Keras is imported,
before or after `import kclassics`, so a `.keras` file written from a
kclassics model loads with plain `keras.saving.load_model` once `kclassics`
is imported.
"""

import importlib
import importlib.abc
import importlib.util
import sys
import threading

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


# The modules whose import registers kclassics' serializable Keras objects (models, layers, losses), on every backend
# and on TensorFlow only (the packages that refuse other backends).
_REGISTERING = ("apps", "layers", "embeddings", "language_model")
_REGISTERING_ON_TENSORFLOW = ("learn", "rl")


def _register_keras_objects():
    """Imports the modules that register kclassics' serializable objects with Keras, so any `.keras` file a run
    writes loads with `keras.saving.load_model`."""
    for name in _REGISTERING:
        importlib.import_module(f"kclassics.{name}")
    if sys.modules["keras"].backend.backend() == "tensorflow":
        for name in _REGISTERING_ON_TENSORFLOW:
            importlib.import_module(f"kclassics.{name}")


class _RegisterAfterKeras(importlib.abc.MetaPathFinder):
    """Registers kclassics' Keras objects once `keras` is imported (so `--help` never loads TensorFlow).

    Registration imports `kclassics.apps`, `kclassics.layers` and the other
    `_REGISTERING` modules, which must not happen while a kclassics module is
    half-executed (say `kclassics.layers`, whose first submodule imports
    Keras): `kclassics.apps` would then import names that `kclassics.layers`
    has not defined yet. So this finder follows
    the kclassics modules being executed, and registers when Keras is loaded
    and none is: at once if Keras comes first, else when the outermost
    kclassics import that loaded Keras completes. Then it leaves `sys.meta_path`.
    """

    def __init__(self):
        self._finding = threading.local()
        self._executing = 0  # kclassics modules between the start and the end of their code

    def find_spec(self, fullname, path=None, target=None):
        if (fullname != "keras" and not fullname.startswith("kclassics.")) or getattr(self._finding, "busy", False):
            return None
        self._finding.busy = True
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            self._finding.busy = False
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        execute, counted = spec.loader.exec_module, fullname != "keras"

        def exec_module(module):
            self._executing += counted
            try:
                execute(module)
            finally:
                self._executing -= counted
            self.register_if_safe()

        spec.loader.exec_module = exec_module
        return spec

    def register_if_safe(self):
        if "keras" in sys.modules and not self._executing and self in sys.meta_path:
            sys.meta_path.remove(self)
            _register_keras_objects()


if "keras" in sys.modules:
    _register_keras_objects()
else:
    sys.meta_path.insert(0, _RegisterAfterKeras())

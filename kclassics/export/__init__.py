"""Exports of a Keras model: versioned SavedModels for TF Serving, and ONNX and LiteRT files whose answers are checked.

    from kclassics.export import export_saved_model, export_model
    export_saved_model(model, "exports/mnist")                   # exports/mnist/1, TF Serving's layout
    export_model(model, "mnist.onnx", format="onnx")             # tf2onnx, checked in ONNX Runtime
    export_model(model, "mnist.tflite", format="litert", quantize="int8", representative_data=images)

Every format carries the same task signature (`TASKS`): the same input and
output names. The declarations (`FORMATS`, `QUANTIZATIONS`, `check_request`)
load no TensorFlow, so the command line answers a bad request at once; the
rest loads on first use.
"""

import importlib

from kclassics import _backend

_backend.require_tensorflow("kclassics.export")

from kclassics.export.formats import FORMATS, QUANTIZATIONS, TOLERANCE, check_request  # noqa: E402

# name -> the submodule that defines it, imported when the name is first used.
_LAZY = {
    **dict.fromkeys(("export_saved_model", "next_version", "TASKS", "IMAGE_BYTES", "scale_to_unit"), "saved_model"),
    **dict.fromkeys(("export_model", "ExportResult", "UnsupportedError", "ExportMismatchError"), "convert"),
    **dict.fromkeys(("load_exported", "task_outputs", "compare", "Difference", "predict", "latencies"), "runtimes"),
}

__all__ = ["FORMATS", "QUANTIZATIONS", "TOLERANCE", "check_request", *_LAZY]


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(f"kclassics.export.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'kclassics.export' has no attribute {name!r}")

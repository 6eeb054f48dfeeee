"""The export formats and their quantisations, as data, and the checks of a request (no TensorFlow is loaded here)."""

import dataclasses
from pathlib import Path

from kclassics import validation


@dataclasses.dataclass(frozen=True)
class Format:
    """An export format: where it goes, what writes it, what runs it, and the quantisations offered for it.

    Attributes:
        name: the `format=` value.
        title: its name in prose.
        suffix: the file's suffix; "" for the SavedModel, a directory of numbered versions.
        converter: what writes it.
        runtime: what runs it (the exported file is checked there).
        quantizations: the `quantize=` values offered.
    """

    name: str
    title: str
    suffix: str
    converter: str
    runtime: str
    quantizations: tuple

    @property
    def is_file(self):
        return bool(self.suffix)


FORMATS = {
    "savedmodel": Format("savedmodel", "SavedModel", "", "Keras's ExportArchive", "TensorFlow", ("none",)),
    "onnx": Format("onnx", "ONNX", ".onnx", "tf2onnx", "ONNX Runtime", ("none",)),
    "litert": Format("litert", "LiteRT", ".tflite", "TensorFlow's LiteRT converter", "the LiteRT interpreter",
                     ("none", "float16", "dynamic", "int8")),
}

# What each quantisation stores and computes; the inputs and outputs stay float32 (and int64 classes) in all.
QUANTIZATIONS = {
    "none": "float32 weights and arithmetic",
    "float16": "float16 weights, float32 arithmetic (half the size)",
    "dynamic": "int8 weights; activations quantised on the fly (dynamic range)",
    "int8": "int8 weights and activations, their ranges calibrated on representative data (full integer)",
}

# The largest relative difference (max |exported - Keras| / max |Keras|, per output) a float32 export may show.
TOLERANCE = 1e-4


def check_request(format, quantize="none", path=None, representative_data=False):
    """Refuses a request that cannot be met, with one line, before anything is built or written.

    Args:
        format: one of `FORMATS`.
        quantize: one of `QUANTIZATIONS`, offered for `format`.
        path: where the export goes: a file for ONNX and LiteRT (it must not
            exist, and ends with the format's suffix), the base directory of
            numbered versions for the SavedModel.
        representative_data: whether representative data is given (int8 needs it).

    Returns:
        The `Format`.
    """
    validation.one_of("format", format, tuple(FORMATS))
    validation.one_of("quantize", quantize, tuple(QUANTIZATIONS))
    spec = FORMATS[format]
    if quantize not in spec.quantizations:
        raise ValueError(f"`quantize={quantize!r}` is not offered for format {format!r}, whose {spec.converter} writes "
                         f"{', '.join(spec.quantizations)} here. Accepted for {format}: {', '.join(spec.quantizations)}. "
                         f"Received: format={format!r}, quantize={quantize!r}")
    if quantize == "int8" and not representative_data:
        raise ValueError("int8 quantisation calibrates the activations' ranges on representative inputs: pass "
                         "`representative_data` (on the command line, export a program's run directory: its training "
                         "split is drawn). Received: quantize='int8' without data")
    if path is not None:
        check_path(spec, path)
    return spec


def check_path(spec, path):
    """Refuses an existing file, a directory where a file goes, or the wrong suffix."""
    path = Path(path).expanduser()
    if not spec.is_file:
        if path.exists() and not path.is_dir():
            raise NotADirectoryError(f"A SavedModel export goes to a directory of numbered versions, and {path} is a "
                                     f"file. Received: path={str(path)!r}")
        return
    if path.suffix != spec.suffix:
        raise ValueError(f"A {spec.title} export is a file ending in {spec.suffix}. Received: path={str(path)!r}")
    if path.exists() or path.is_symlink():
        raise FileExistsError(f"{path} exists; exports are never overwritten. Choose another path. "
                              f"Received: path={str(path)!r}")
    if path.parent.exists() and not path.parent.is_dir():
        raise NotADirectoryError(f"{path.parent} is a file, so {path.name} cannot be written in it. "
                                 f"Received: path={str(path)!r}")

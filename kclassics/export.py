"""SavedModel export for TF Serving: versioned directories, named signatures, atomic writes."""

import os
import shutil
import tempfile
from pathlib import Path

import keras

from kclassics import _backend

_backend.require_tensorflow("kclassics.export")

import tensorflow as tf  # noqa: E402

from kclassics.layers._xla import without_xla


def next_version(export_dir):
    """One more than the largest integer sub-directory of `export_dir` (1 when none)."""
    export_dir = Path(export_dir)
    versions = [int(p.name) for p in export_dir.iterdir() if p.name.isdigit()] if export_dir.is_dir() else []
    return max(versions, default=0) + 1


def export_saved_model(model, export_dir, version=None, input_name="images", from_logits=False):
    """Exports a classifier as `export_dir/<version>`, the layout TF Serving reads.

    The `serving_default` signature takes `input_name` (float32, the model's input
    shape with any batch size) and returns `probabilities` (batch x classes) and
    `classes` (int64 argmax). The SavedModel is written to a temporary directory
    beside the target and renamed into place, so a crash never leaves a partial
    export and an existing version is never overwritten.

    Args:
        model: a built single-input classification model.
        export_dir: the model's base directory; versions are its sub-directories.
        version: integer version, default `next_version(export_dir)`.
        input_name: name of the signature's input.
        from_logits: whether the model outputs logits (softmax is then applied).

    Returns:
        The `Path` of the written version.
    """
    export_dir = Path(export_dir)
    version = next_version(export_dir) if version is None else version
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise ValueError(f"`version` must be a non-negative integer. Received: version={version!r}")
    target = export_dir / str(version)
    if target.exists():
        raise FileExistsError(f"Export version {version} already exists at {target}; versions are never overwritten.")
    export_dir.mkdir(parents=True, exist_ok=True)

    spec = tf.TensorSpec((None, *model.input_shape[1:]), tf.float32, name=input_name)

    def serve(inputs):
        outputs = tf.cast(model(inputs, training=False), tf.float32)  # a mixed-precision model computes in 16 bits
        probabilities = tf.nn.softmax(outputs) if from_logits else outputs
        return {"probabilities": probabilities, "classes": tf.argmax(probabilities, axis=-1)}

    staging = Path(tempfile.mkdtemp(prefix=f".{version}-", dir=export_dir))
    try:
        with without_xla():  # the SavedModel then needs no XLA where it is served
            archive = keras.export.ExportArchive()
            archive.track(model)
            archive.add_endpoint(name="serving_default", fn=serve, input_signature=[spec])
            archive.write_out(str(staging), verbose=False)
        os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


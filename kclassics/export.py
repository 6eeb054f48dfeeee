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


def _input_spec(model, input_name):
    """float32 inputs of the model's input shape, any batch size (a subclassed model's shape is the one it was built for)."""
    try:
        shape = model.input_shape
    except (AttributeError, ValueError):
        shape = (model.get_build_config() or {}).get("input_shape")
        if shape is None:
            raise ValueError(f"Cannot export {model.name!r}: it is not built, so its input shape is unknown.") from None
    return tf.TensorSpec((None, *shape[1:]), tf.float32, name=input_name)


def _image_classification(model, input_name, from_logits=False):
    """`input_name` (float32 images) -> `probabilities` (batch x classes) and `classes` (int64 argmax)."""
    spec = _input_spec(model, input_name)

    def serve(inputs):
        outputs = tf.cast(model(inputs, training=False), tf.float32)  # a mixed-precision model computes in 16 bits
        probabilities = tf.nn.softmax(outputs) if from_logits else outputs
        return {"probabilities": probabilities, "classes": tf.argmax(probabilities, axis=-1)}

    return spec, serve


def _reconstruction(model, input_name):
    """`input_name` (float32 vectors) -> `reconstruction` and the noise-free code `hidden` (`model.encode`)."""
    spec = _input_spec(model, input_name)

    def serve(inputs):
        return {"reconstruction": model(inputs, training=False), "hidden": model.encode(inputs)}

    return spec, serve


def _policy(model, input_name, values="q_values"):
    """`input_name` (float32 observations) -> `actions` (int64) and the policy's `q_values` or `probabilities`.

    `values="q_values"`: the model outputs Q(s, a) per action and acts by
    argmax. `values="probabilities"`: the model outputs P(action 1) of a
    two-action policy; the signature returns both actions' probabilities
    and the more probable action.
    """
    if values not in ("q_values", "probabilities"):
        raise ValueError(f"`values` must be 'q_values' or 'probabilities'. Received: values={values!r}")
    spec = _input_spec(model, input_name)

    def serve(inputs):
        outputs = tf.cast(model(inputs, training=False), tf.float32)
        if values == "probabilities":
            outputs = tf.concat([1.0 - outputs, outputs], axis=-1)
        return {values: outputs, "actions": tf.argmax(outputs, axis=-1)}

    return spec, serve


# The signature each kind of model is served with: task -> fn(model, input_name, **options) -> (input spec, serve fn).
TASKS = {"image_classification": _image_classification, "reconstruction": _reconstruction, "policy": _policy}


def export_saved_model(model, export_dir, version=None, input_name="images", task="image_classification", **options):
    """Exports a model as `export_dir/<version>`, the layout TF Serving reads, with its task's signature.

    The `serving_default` signature depends on `task` (see `TASKS`):
    `"image_classification"` takes `input_name` (float32, the model's input
    shape with any batch size) and returns `probabilities` (batch x classes)
    and `classes` (int64 argmax); `"reconstruction"` returns `reconstruction`
    and `hidden`; `"policy"` returns `actions` and `q_values` (or
    `probabilities` with `values="probabilities"`). The SavedModel is written to a staging directory beside the
    target and renamed into place, so a crash never leaves a partial export
    (a run directory removes such leftovers when it is reopened) and an
    existing version is never overwritten. Its files follow the user's umask,
    so a serving process of another user can read them.

    Args:
        model: a built single-input model.
        export_dir: the model's base directory; versions are its sub-directories.
        version: integer version, default `next_version(export_dir)`.
        input_name: name of the signature's input.
        task: one of `TASKS`.
        **options: the task's options, e.g. `from_logits=True` for a
            classifier that outputs logits (softmax is then applied).

    Returns:
        The `Path` of the written version.
    """
    export_dir = Path(export_dir)
    if task not in TASKS:
        raise ValueError(f"Unknown `task`. Accepted: {', '.join(TASKS)}. Received: task={task!r}")
    if export_dir.exists() and not export_dir.is_dir():
        raise NotADirectoryError(f"`export_dir` must be a directory; {export_dir} is a file. Received: export_dir={str(export_dir)!r}")
    version = next_version(export_dir) if version is None else version
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise ValueError(f"`version` must be a non-negative integer. Received: version={version!r}")
    target = export_dir / str(version)
    if target.exists():
        raise FileExistsError(f"Export version {version} already exists at {target}; versions are never overwritten.")
    export_dir.mkdir(parents=True, exist_ok=True)
    spec, serve = TASKS[task](model, input_name, **options)

    staging = Path(tempfile.mkdtemp(prefix=f".{version}-", dir=export_dir))
    try:
        with without_xla():  # the SavedModel then needs no XLA where it is served
            archive = keras.export.ExportArchive()
            archive.track(model)
            archive.add_endpoint(name="serving_default", fn=serve, input_signature=[spec])
            archive.write_out(str(staging), verbose=False)
        os.chmod(staging, 0o777 & ~_umask())  # mkdtemp makes it private (0700)
        os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _umask():
    mask = os.umask(0o022)
    os.umask(mask)
    return mask

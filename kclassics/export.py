"""SavedModel export for TF Serving: versioned directories, named signatures, atomic writes."""

import os
import shutil
import tempfile
from pathlib import Path

import keras

from kclassics import _backend, validation

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


IMAGE_BYTES = "image_bytes"  # the encoded-image input's name, as TF Serving's image clients send it ({"b64": ...})


def _image_classification(model, input_name, from_logits=False, preprocess=None):
    """`input_name` (float32 images) -> `probabilities` (batch x classes) and `classes` (int64 argmax).

    With `preprocess`, a second signature, `predict_images`, takes the images
    encoded (`image_bytes`: JPEG, PNG, GIF or BMP, any size), decodes them to
    the model's channels, resizes them (bilinear) to its height and width, and
    feeds `preprocess(pixels)` (float32 pixel values 0-255, as the family's
    `preprocess_input` takes them) to the model.
    """
    spec = _input_spec(model, input_name)

    def serve(inputs):
        outputs = tf.cast(model(inputs, training=False), tf.float32)  # a mixed-precision model computes in 16 bits
        probabilities = tf.nn.softmax(outputs) if from_logits else outputs
        return {"probabilities": probabilities, "classes": tf.argmax(probabilities, axis=-1)}

    if preprocess is None:
        return spec, serve
    if spec.shape.rank != 4 or spec.shape[3] not in (1, 3):
        raise ValueError(
            f"`preprocess` makes an encoded-image signature, which needs an image input (height, width, 1 or 3 channels). "
            f"Received: a model whose input is {spec.shape.as_list()[1:]}"
        )
    height, width, channels = spec.shape[1:]

    def decode(data):
        image = tf.io.decode_image(data, channels=channels, expand_animations=False)
        image.set_shape((None, None, channels))
        image = tf.cast(image, tf.float32)
        same_size = tf.reduce_all(tf.shape(image)[:2] == (height, width))
        image = tf.cond(same_size, lambda: image, lambda: tf.image.resize(image, (height, width)))
        image.set_shape((height, width, channels))  # the true branch's size, by its condition
        return image

    def serve_images(image_bytes):
        pixels = tf.map_fn(decode, image_bytes, fn_output_signature=tf.TensorSpec((height, width, channels), tf.float32))
        return serve(tf.cast(preprocess(pixels), tf.float32))

    return {
        "serving_default": ([spec], serve),
        "predict_images": ([tf.TensorSpec((None,), tf.string, name=IMAGE_BYTES)], serve_images),
    }


def scale_to_unit(pixels):
    """Pixel values 0-255 -> [0, 1], the inputs of the MNIST programs (`read_data_sets` scales so)."""
    return pixels / 255.0


def _reconstruction(model, input_name):
    """`input_name` (float32 vectors) -> `reconstruction` and the noise-free code `hidden` (`model.encode`)."""
    spec = _input_spec(model, input_name)

    def serve(inputs):
        return {"reconstruction": model(inputs, training=False), "hidden": model.encode(inputs)}

    return spec, serve


def _embedding_lookup(model, input_name):
    """`input_name` (a batch of strings) -> `vectors` (batch x dim) and `ids` (int64); an unknown word gets UNK's (id 0).

    For a model with `lookup_table` (word -> id) and `embeddings`, such as `kclassics.embeddings.SkipGram`.
    """
    spec = tf.TensorSpec((None,), tf.string, name=input_name)

    def serve(words):
        ids = tf.cast(model.lookup_table(words), tf.int64)
        return {"vectors": tf.gather(model.embeddings, ids), "ids": ids}

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


def _next_word(model, input_name):
    """`input_name` (int32 word ids, batch x words) and `state` -> the next word's `logits` and the new `state`.

    For a `kclassics.language_model.LanguageModel`: the words (at least one)
    are read from `state` (zeros of `(num_layers, 2, batch, hidden_size)` to
    start), so a client feeds a prompt, samples a word from the logits, and
    feeds it with the state it got back.
    """
    ids_spec = tf.TensorSpec((None, None), tf.int32, name=input_name)
    state_spec = tf.TensorSpec((model.num_layers, 2, None, model.hidden_size), tf.float32, name="state")

    def serve(token_ids, state):
        logits, state = model.unroll(token_ids, state)
        return {"logits": tf.cast(logits[:, -1], tf.float32), "state": state}

    return (ids_spec, state_spec), serve


# The signature each kind of model is served with: task -> fn(model, input_name, **options) -> (input spec(s), serve fn).
TASKS = {"image_classification": _image_classification, "reconstruction": _reconstruction,
         "embedding_lookup": _embedding_lookup, "next_word": _next_word, "policy": _policy}


def export_saved_model(model, export_dir, version=None, input_name="images", task="image_classification", **options):
    """Exports a model as `export_dir/<version>`, the layout TF Serving reads, with its task's signature.

    The `serving_default` signature depends on `task` (see `TASKS`):
    `"image_classification"` takes `input_name` (float32, the model's input
    shape with any batch size) and returns `probabilities` (batch x classes)
    and `classes` (int64 argmax), and with `preprocess=` adds `predict_images`,
    which takes encoded images (`image_bytes`); `"reconstruction"` returns `reconstruction`
    and `hidden`; `"embedding_lookup"` takes a batch of words and returns
    their `vectors` and `ids`; `"next_word"` takes word ids and an LSTM state and returns
    the next word's `logits` and the new `state`; `"policy"` returns `actions` and `q_values` (or
    `probabilities` with `values="probabilities"`). The tasks of
    `kclassics.learn`'s canned models add TF Serving's `classify` or
    `regress` signature beside `serving_default`. The SavedModel is written to a staging directory beside the
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
            classifier that outputs logits (softmax is then applied), or
            `preprocess=keras.applications.resnet_v2.preprocess_input`
            for a classifier's `predict_images` signature.

    Returns:
        The `Path` of the written version.
    """
    export_dir = Path(export_dir)
    validation.one_of("task", task, TASKS)
    if export_dir.exists() and not export_dir.is_dir():
        raise NotADirectoryError(f"`export_dir` must be a directory; {export_dir} is a file. Received: export_dir={str(export_dir)!r}")
    version = next_version(export_dir) if version is None else version
    validation.non_negative_int("version", version)
    target = export_dir / str(version)
    if target.exists():
        raise FileExistsError(f"Export version {version} already exists at {target}; versions are never overwritten.")
    endpoints = TASKS[task](model, input_name, **options)  # a task refuses its options before anything is written
    export_dir.mkdir(parents=True, exist_ok=True)
    if not isinstance(endpoints, dict):  # one (input spec, serve fn): the serving_default signature
        spec, serve = endpoints  # a task with several inputs gives a tuple of specs
        endpoints = {"serving_default": (list(spec) if isinstance(spec, tuple) else [spec], serve)}

    staging = Path(tempfile.mkdtemp(prefix=f".{version}-", dir=export_dir))
    try:
        with without_xla():  # the SavedModel then needs no XLA where it is served
            archive = keras.export.ExportArchive()
            archive.track(model)
            for name, (signature, serve, *_) in endpoints.items():
                archive.add_endpoint(name=name, fn=serve, input_signature=signature)
            archive.write_out(str(staging), verbose=False)
        methods = {name: endpoint[2] for name, endpoint in endpoints.items() if len(endpoint) > 2}
        if methods:
            _set_method_names(staging, methods)
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


# -- the canned models of kclassics.learn: TF Serving's predict, classify and regress signatures ------------------------

_CLASSIFY_METHOD = "tensorflow/serving/classify"
_REGRESS_METHOD = "tensorflow/serving/regress"


def _raw_inputs(model):
    """{name: TensorSpec} of a functional model's raw-column inputs, any batch size."""
    return {t.name: tf.TensorSpec((None, *t.shape[1:]), t.dtype, name=t.name) for t in tf.nest.flatten(model.inputs)}


def _parse_examples(model):
    """A function from serialized tf.Example protos to the model's inputs (TF Serving's classify/regress `inputs`)."""
    specs = _raw_inputs(model)
    parsing = {name: tf.io.FixedLenFeature(spec.shape[1:], tf.int64 if spec.dtype.is_integer else spec.dtype)
               for name, spec in specs.items()}

    def parse(serialized):
        parsed = tf.io.parse_example(serialized, parsing)
        return {name: tf.cast(parsed[name], specs[name].dtype) for name in specs}

    return parse


def _scores(outputs, head):
    """(batch, classes) scores of a classifier head: probabilities, or margins for an SVM."""
    outputs = tf.cast(outputs, tf.float32)
    if head == "sigmoid":
        return tf.concat([1.0 - outputs, outputs], axis=-1)
    if head == "margin" and outputs.shape[-1] == 1:
        return tf.concat([-outputs, outputs], axis=-1)
    return outputs


def _tabular_classification(model, input_name, head="softmax", labels=None):
    """`serving_default` (raw columns -> `scores`, `classes`) and `classify` (serialized tf.Example `inputs` -> `classes`, `scores`).

    `classify` is TF Serving's classification signature: `classes` is a
    (batch, classes) string tensor of the class labels, `scores` their
    probabilities (margins for an SVM).
    """
    parse = _parse_examples(model)

    def predict(features):
        scores = _scores(model(features, training=False), head)
        return {"scores": scores, "classes": tf.argmax(scores, axis=-1)}

    def classify(inputs):
        scores = _scores(model(parse(inputs), training=False), head)
        names = tf.constant(list(labels) if labels else [str(i) for i in range(scores.shape[-1])])
        return {"classes": tf.tile(names[None, :], [tf.shape(scores)[0], 1]), "scores": scores}

    examples = tf.TensorSpec((None,), tf.string, name="inputs")
    return {"serving_default": ([_raw_inputs(model)], predict), "classify": ([examples], classify, _CLASSIFY_METHOD)}


def _tabular_regression(model, input_name):
    """`serving_default` (raw columns -> `outputs`) and `regress` (serialized tf.Example `inputs` -> `outputs`, one value each)."""
    parse = _parse_examples(model)

    def predict(features):
        return {"outputs": tf.cast(model(features, training=False), tf.float32)}

    def regress(inputs):
        return {"outputs": tf.reshape(tf.cast(model(parse(inputs), training=False), tf.float32), (-1,))}

    examples = tf.TensorSpec((None,), tf.string, name="inputs")
    return {"serving_default": ([_raw_inputs(model)], predict), "regress": ([examples], regress, _REGRESS_METHOD)}


def _clustering(model, input_name):
    """`input_name` (float32 points) -> `clusters` (the nearest centre) and `distances` (squared, to every centre)."""
    spec = tf.TensorSpec((None, model.centers.shape[-1]), tf.float32, name=input_name)

    def serve(points):
        return {"clusters": model(points), "distances": model.transform(points)}

    return spec, serve


TASKS.update({"classify": _tabular_classification, "regress": _tabular_regression, "clustering": _clustering})


def _set_method_names(saved_model_dir, methods):
    """Marks signatures as TF Serving's classify / regress (the TF2 SavedModel API writes every one as predict)."""
    from tensorflow.core.protobuf import saved_model_pb2

    path = Path(saved_model_dir) / "saved_model.pb"
    proto = saved_model_pb2.SavedModel.FromString(path.read_bytes())
    for graph in proto.meta_graphs:
        for name, method in methods.items():
            graph.signature_def[name].method_name = method
    path.write_bytes(proto.SerializeToString())

"""Interchange with keras.applications: build a model's twin, copy its weights, load ImageNet weights.

A kclassics model built in its keras-compatible configuration (`keras_compatible=True`
on the builders whose book version differs from keras.applications; see each family's
module docstring) computes the same function as its keras.applications twin, so the
twin's weights can be copied in:

    twin = keras_twin("resnet_v2_50", input_shape=(64, 64, 3))
    model = kclassics.apps.resnet_v2_50(input_shape=(64, 64, 3), keras_compatible=True)
    transplant_weights(twin, model)

Layers are paired by keras.applications' names (a kclassics unit `conv2_block1` holding
`1` -> `conv` is keras' `conv2_block1_1_conv`). Keras layers with automatic names
(Inception V3's `conv2d_57`) are paired in creation order, type by type.
"""

import re

import keras

from kclassics import _keras
from kclassics.apps._registry import list_models, model_info

_RESNET = "https://storage.googleapis.com/tensorflow/keras-applications/resnet/"
_DENSENET = "https://storage.googleapis.com/tensorflow/keras-applications/densenet/"
_APPS = "https://storage.googleapis.com/tensorflow/keras-applications/"
# (base URL, file stem, md5 with top, md5 without top): keras/src/applications/{resnet,vgg16,vgg19,inception_v3,densenet}.py
IMAGENET_WEIGHTS = {
    "ResNet50": (_RESNET, "resnet50", "2cb95161c43110f7111970584f804107", "4d473c1dd8becc155b73f8504c6f6626"),
    "ResNet101": (_RESNET, "resnet101", "f1aeb4b969a6efcfb50fad2f0c20cfc5", "88cf7a10940856eca736dc7b7e228a21"),
    "ResNet152": (_RESNET, "resnet152", "100835be76be38e30d865e96f2aaae62", "ee4c566cf9a93f14d82f913c2dc6dd0c"),
    "ResNet50V2": (_RESNET, "resnet50v2", "3ef43a0b657b3be2300d5770ece849e0", "fac2f116257151a9d068a22e544a4917"),
    "ResNet101V2": (_RESNET, "resnet101v2", "6343647c601c52e1368623803854d971", "c0ed64b8031c3730f411d2eb4eea35b5"),
    "ResNet152V2": (_RESNET, "resnet152v2", "a49b44d1979771252814e80f8ec446f9", "ed17cf2e0169df9d443503ef94b23b33"),
    "VGG16": (_APPS + "vgg16/", "vgg16", "64373286793e3c8b2b4e3219cbf3544b", "6d6bbae143d832006294945121d1f1fc"),
    "VGG19": (_APPS + "vgg19/", "vgg19", "cbe5617147190e668d6c5d5026f83318", "253f8cb515780f3b799900260a226db6"),
    "InceptionV3": (
        _APPS + "inception_v3/", "inception_v3", "9a0d58056eeedaa3f26cb7ebd46da564", "bcbd6486424b2319ff4ef7d526e38f63"
    ),
    "DenseNet121": (_DENSENET, "densenet121", "9d60b8095a5708f2dcce2bca79d332c7", "30ee3e1110167f948a6b9946edeeb738"),
    "DenseNet169": (_DENSENET, "densenet169", "d699b8f76981ab1b30698df4c175e90b", "b8c4d4c20dd625c148057b9ff1c1176b"),
    "DenseNet201": (_DENSENET, "densenet201", "1ceb130c1ea1b78c3bf6114dbdfd8807", "c13680b51ded0fb44dff2d8f86ac8bb1"),
}


def imagenet_weights_file(twin, include_top=True):
    """`(file name, URL, md5)` of keras.applications' ImageNet weights for `twin`."""
    if twin not in IMAGENET_WEIGHTS:
        raise ValueError(f"No ImageNet weights are known for {twin!r}. Accepted: {sorted(IMAGENET_WEIGHTS)}")
    base, stem, top_hash, notop_hash = IMAGENET_WEIGHTS[twin]
    file_name = f"{stem}_weights_tf_dim_ordering_tf_kernels{'' if include_top else '_notop'}.h5"
    return file_name, base + file_name, top_hash if include_top else notop_hash


def twin_name(name):
    """The keras.applications function name for a kclassics model name (or a keras name itself)."""
    if name in IMAGENET_WEIGHTS:
        return name
    twins = {model_info(n).keras_twin: n for n in list_models() if model_info(n).keras_twin}
    if name in list_models() and model_info(name).keras_twin:
        return model_info(name).keras_twin
    raise ValueError(
        f"{name!r} has no keras.applications twin. Accepted: {sorted(twins.values())} "
        f"or their keras names {sorted(twins)}. Received: name={name!r}"
    )


def keras_twin(name, **kwargs):
    """Builds the keras.applications twin of a kclassics model, with random weights by default.

    Args:
        name: a kclassics model name (`"resnet_v2_50"`) or a keras.applications
            name (`"ResNet50V2"`).
        **kwargs: keras.applications arguments (`include_top`, `input_shape`,
            `classes`, `pooling`, `classifier_activation`); `weights` defaults to None.

    Returns:
        The `keras.Model` built by `keras.applications.<twin>`.
    """
    kwargs.setdefault("weights", None)
    return getattr(keras.applications, twin_name(name))(**kwargs)


def _leaves(layer, prefix=""):
    """`(keras name, layer)` for every weight-holding leaf layer, in creation order."""
    children = _keras.sublayers(layer)
    if not children:
        if layer.weights:
            yield prefix + layer.name, layer
        return
    for child in children:
        yield from _leaves(child, prefix + layer.name + "_")


def _model_leaves(model):
    leaves = []
    for layer in model.layers:
        leaves.extend(_leaves(layer))
    return leaves


def _creation_index(layer):
    match = re.search(r"_(\d+)$", layer.name)
    return int(match.group(1)) if match else 0


def _pairs(source, target):
    source_leaves, target_leaves = _model_leaves(source), _model_leaves(target)
    by_name = dict(source_leaves)
    pairs, source_left, target_left = [], [], []
    matched = set()
    for name, layer in target_leaves:
        if name in by_name:
            pairs.append((by_name[name], layer))
            matched.add(name)
        else:
            target_left.append(layer)
    source_left = [layer for name, layer in source_leaves if name not in matched]
    # Automatically named keras layers: pair the i-th of each type in creation order.
    for kind in sorted({type(layer).__name__ for layer in source_left + target_left}):
        sources = sorted((l for l in source_left if type(l).__name__ == kind), key=_creation_index)
        targets = [l for l in target_left if type(l).__name__ == kind]
        if len(sources) != len(targets):
            raise ValueError(
                f"Cannot transplant {source.name!r} into {target.name!r}: {len(sources)} unmatched {kind} layers "
                f"in the source but {len(targets)} in the target "
                f"(source: {[l.name for l in sources[:5]]}..., target: {[l.path for l in targets[:5]]}...). "
                "Build the target with the twin's configuration (keras_compatible=True, same include_top, "
                "pooling, classes and aux heads off)."
            )
        pairs.extend(zip(sources, targets))
    return pairs


def transplant_weights(source, target):
    """Copies the weights of a keras.applications model into its kclassics twin.

    Args:
        source: a built keras.applications model (e.g. `keras_twin("resnet_v2_50")`).
        target: the kclassics model in its keras-compatible configuration, with the
            same `include_top`, `classes` and input channels.

    Returns:
        `target`, now holding the source's weights.

    Raises:
        ValueError: when the target is a book variant built without `keras_compatible=True`, or
            layers or weight shapes do not correspond; nothing is copied in that case.
    """
    for argument, model in (("source", source), ("target", target)):
        if not isinstance(model, keras.Model):
            raise ValueError(f"`{argument}` must be a keras.Model. Received: {argument}={model!r}")
    if getattr(target, "keras_compatible", True) is False:
        raise ValueError(
            f"Cannot transplant {source.name!r} into {target.name!r}: the target is the book's variant, whose function "
            f"differs from keras.applications' (same weight shapes, other padding or epsilon), so the copy would "
            f"compute something else. Build the target with keras_compatible=True. Received: target={target.name!r}"
        )
    updates = []
    for from_layer, to_layer in _pairs(source, target):
        values = from_layer.get_weights()
        expected = [tuple(w.shape) for w in to_layer.weights]
        if [tuple(v.shape) for v in values] != expected:
            raise ValueError(
                f"Cannot transplant {source.name!r} into {target.name!r}: layer {from_layer.name!r} has weights "
                f"{[tuple(v.shape) for v in values]} but {to_layer.path!r} expects {expected}. "
                "Build the target with keras_compatible=True and the twin's input channels, classes and head."
            )
        updates.append((to_layer, values))
    for to_layer, values in updates:
        to_layer.set_weights(values)
    return target


def fetch_imagenet_weights(twin, include_top=True):
    """The local path of keras.applications' ImageNet weights of `twin`, downloading them if needed.

    The file is fetched (or found in Keras's cache, `~/.keras/models`) by
    `keras.utils.get_file` and checked against keras.applications' md5.

    Raises:
        RuntimeError: when the file cannot be fetched.
    """
    file_name, origin, file_hash = imagenet_weights_file(twin, include_top)
    try:
        return keras.utils.get_file(file_name, origin, cache_subdir="models", file_hash=file_hash)
    except Exception as error:  # get_file raises bare Exceptions for network and hash failures
        raise RuntimeError(
            f"Could not fetch the ImageNet weights of {twin} ({origin}): {error}. Without network access, "
            f"place the file at ~/.keras/models/{file_name} (Keras's cache) or build with weights=None."
        ) from error


def load_keras_weights(model, twin, path, include_top=True, pooling=None, classes=1000, classifier_activation="softmax"):
    """Loads a keras.applications weights file into `model` through its twin.

    The twin is built as `keras.applications.<twin>(weights=path, ...)` with the
    model's input shape, head and pooling, so a file loads here exactly when it
    loads there (legacy `.h5` with or without top, or Keras 3 `.weights.h5`);
    its weights are then transplanted into `model`.

    Raises:
        ValueError: when keras.applications cannot load the file into that twin
            (a file with the classifier under `include_top=False`, other classes).
    """
    try:
        source = keras_twin(
            twin, weights=str(path), include_top=include_top, input_shape=tuple(model.input_shape[1:]),
            pooling=pooling, classes=classes, classifier_activation=classifier_activation,
        )
    except ValueError as error:
        raise ValueError(
            f"keras.applications.{twin}(include_top={include_top}, classes={classes}) cannot load {str(path)!r}: "
            f"{error}. A file with the classifier needs include_top=True and its classes; a `_notop` file needs "
            f"include_top=False. Received: weights={str(path)!r}, include_top={include_top}"
        ) from error
    return transplant_weights(source, model)

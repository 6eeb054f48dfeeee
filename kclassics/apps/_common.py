"""Argument handling shared by every builder, with keras.applications' conventions."""

import os

import keras

from kclassics import validation


def model_input(input_shape, input_tensor, default_shape, name="images", any_rank=False):
    """The input tensor of a builder: `input_tensor` if given, else a new `keras.Input`.

    Args:
        input_shape: shape without the batch dimension, or None for `default_shape`.
        input_tensor: an existing Keras tensor to build on, or None.
        default_shape: the architecture's default input shape.
        name: name of a new input layer.
        any_rank: accept shapes of any rank (models that flatten their input).
    """
    if input_shape is not None:
        input_shape = tuple(input_shape)
        wrong_rank = not any_rank and len(input_shape) != len(default_shape)
        if wrong_rank or any(d is not None and (not isinstance(d, int) or d <= 0) for d in input_shape):
            rank = "" if any_rank else f"{len(default_shape)} "
            raise ValueError(
                f"`input_shape` must be a tuple of {rank}positive integers such as {tuple(default_shape)}. "
                f"Received: input_shape={input_shape}"
            )
    if input_tensor is None:
        return keras.Input(shape=input_shape or tuple(default_shape), name=name)
    if not keras.backend.is_keras_tensor(input_tensor):
        raise ValueError(
            "`input_tensor` must be a Keras tensor (the output of `keras.Input` or of a layer). "
            f"Received: input_tensor={input_tensor!r}"
        )
    return input_tensor


def check_head(classes, classifier_activation):
    """Validates the classifier head arguments."""
    validation.positive_int("classes", classes)
    if classifier_activation is not None:
        keras.activations.get(classifier_activation)  # raises on unknown names


def check_weights(weights, allowed=(None,)):
    """Validates `weights`: one of `allowed` or the path of an existing weights file."""
    if weights in allowed or (isinstance(weights, (str, os.PathLike)) and os.path.exists(weights)):
        return
    accepted = ", ".join(repr(a) for a in allowed)
    files = "a keras.applications `.h5`, `.weights.h5` or `.keras`" if "imagenet" in allowed else "`.weights.h5` or `.keras`"
    raise ValueError(
        f"`weights` must be one of {accepted} or the path to a weights file ({files}). Received: weights={weights!r}"
    )


def expand_weights_path(weights):
    """`weights` with a leading `~` expanded, as in `"~/.keras/models/resnet50v2_..._notop.h5"`."""
    if isinstance(weights, (str, os.PathLike)) and weights != "imagenet":
        return os.path.expanduser(weights)
    return weights


def is_keras_applications_file(weights):
    """Whether `weights` is a weights file in the HDF5 layout of keras.applications' published files.

    Those files (and every `.h5` written by Keras 2's `save_weights`) list their
    layers in a `layer_names` attribute (split into `layer_names0`, `layer_names1`, ...
    when long, as DenseNet's); Keras 3's `.weights.h5` files have none.
    """
    if not isinstance(weights, (str, os.PathLike)) or str(weights) == "imagenet":
        return False
    path = str(weights)
    if not path.endswith(".h5") or path.endswith(".weights.h5") or not os.path.isfile(path):
        return False
    import h5py

    with h5py.File(path, "r") as file:
        group = file["model_weights"] if "model_weights" in file else file  # a whole-model file holds them there
        return any(name.startswith("layer_names") for name in group.attrs)


def load_weights(model, weights):
    """Loads a weights file into `model` when `weights` is a path."""
    if weights is None:
        return model
    if str(weights).endswith(".keras"):
        model.set_weights(keras.saving.load_model(weights, compile=False).get_weights())
    else:
        model.load_weights(weights)
    return model


POOLINGS = (None, "avg", "max")


def check_pooling(pooling):
    """Validates `pooling` (used when `include_top=False`)."""
    if pooling not in POOLINGS:
        raise ValueError(f"`pooling` must be one of {POOLINGS}. Received: pooling={pooling!r}")


def image_input_shape(input_shape, default_size, min_size, include_top, weights, fixed_top=False, channels=3):
    """The `(height, width, channels)` input shape of an ImageNet builder, keras.applications' rules.

    Args:
        input_shape: the user's shape, or None for `(default_size, default_size, channels)`.
        default_size: the architecture's default side.
        min_size: the smallest side the architecture accepts (its stride and VALID pools).
        include_top: whether the classifier head is built.
        weights: `None`, `"imagenet"` or a path; ImageNet weights with a head need the default size.
        fixed_top: whether the head needs a fixed spatial size (Flatten + Dense, as VGG);
            `None` sides are then refused when `include_top=True`.
        channels: expected number of channels.

    Returns:
        A tuple of three ints (or None sides when allowed).
    """
    default = (default_size, default_size, channels)
    if input_shape is None:
        return default
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3:
        raise ValueError(
            f"`input_shape` must be a tuple (height, width, channels) such as {default}. Received: input_shape={input_shape!r}"
        )
    input_shape = tuple(input_shape)
    if input_shape[-1] != channels and weights == "imagenet":
        raise ValueError(
            f"With `weights='imagenet'` the input must have {channels} channels. Received: input_shape={input_shape}"
        )
    for side in input_shape[:2]:
        if side is None:
            if include_top and fixed_top:
                raise ValueError(
                    "With `include_top=True` this architecture needs a fixed input size. "
                    f"Received: input_shape={input_shape}"
                )
            continue
        if not isinstance(side, int) or isinstance(side, bool) or side < min_size:
            raise ValueError(
                f"`input_shape` sides must be integers of at least {min_size} for this architecture. "
                f"Received: input_shape={input_shape}"
            )
    if not isinstance(input_shape[2], int) or input_shape[2] < 1:
        raise ValueError(f"`input_shape` must end with a positive channel count. Received: input_shape={input_shape}")
    if weights == "imagenet" and include_top and input_shape != default:
        raise ValueError(
            f"With `weights='imagenet'` and `include_top=True` the input shape must be {default}. "
            f"Received: input_shape={input_shape}"
        )
    return input_shape


def check_imagenet(weights, include_top, classes, classifier_activation, keras_twin):
    """Validates the arguments that go with `weights='imagenet'`."""
    if weights != "imagenet":
        return
    if keras_twin is None:
        raise ValueError(
            "This model has no published ImageNet weights (no keras.applications twin); "
            "use `weights=None` or the path of a weights file. Received: weights='imagenet'"
        )
    if include_top and classes != 1000:
        raise ValueError(
            f"With `weights='imagenet'` and `include_top=True`, `classes` must be 1000. Received: classes={classes}"
        )
    if include_top and classifier_activation not in (None, "softmax"):
        raise ValueError(
            "With `weights='imagenet'`, `classifier_activation` must be None or 'softmax'. "
            f"Received: classifier_activation={classifier_activation!r}"
        )


def pooled_features(x, pooling):
    """The feature output of a headless model: the map itself, or its global average or max."""
    if pooling == "avg":
        return keras.layers.GlobalAveragePooling2D(name="avg_pool")(x)
    if pooling == "max":
        return keras.layers.GlobalMaxPooling2D(name="max_pool")(x)
    return x


def dense_head(x, classes, classifier_activation, dropout_rate=0.0, kernel_initializer="glorot_uniform"):
    """Global average pooling, optional dropout, and the `predictions` layer.

    The book's 1x1-convolution logits on a 1x1 map are this Dense layer (same
    weights, same outputs); a Dense layer keeps keras.applications' layout.
    """
    x = keras.layers.GlobalAveragePooling2D(name="avg_pool")(x)
    if dropout_rate:
        x = keras.layers.Dropout(dropout_rate, name="dropout")(x)
    return keras.layers.Dense(
        classes, activation=classifier_activation, kernel_initializer=kernel_initializer, name="predictions"
    )(x)


def fully_connected_head(x, classes, classifier_activation, units=(4096, 4096), dropout_rate=0.5, names=("fc1", "fc2")):
    """Flatten, then ReLU fully-connected layers each followed by dropout, then `predictions` (AlexNet, VGG)."""
    x = keras.layers.Flatten(name="flatten")(x)
    for width, layer_name in zip(units, names):
        x = keras.layers.Dense(width, activation="relu", name=layer_name)(x)
        x = keras.layers.Dropout(dropout_rate, name=f"{layer_name}_dropout")(x)
    return keras.layers.Dense(classes, activation=classifier_activation, name="predictions")(x)


def resolve_keras_compatible(keras_compatible, weights, keras_weights):
    """`keras_compatible=None` means True exactly when keras.applications weights are loaded.

    Args:
        keras_compatible: the builder's argument.
        weights: the builder's `weights`, for messages.
        keras_weights: whether `weights` comes from keras.applications (`"imagenet"` or its `.h5` files).
    """
    if keras_compatible is None:
        return keras_weights
    if not isinstance(keras_compatible, bool):
        raise ValueError(f"`keras_compatible` must be True, False or None. Received: keras_compatible={keras_compatible!r}")
    if keras_weights and not keras_compatible:
        raise ValueError(
            "keras.applications weights load only into the keras-compatible configuration. "
            f"Received: weights={weights!r}, keras_compatible=False"
        )
    return keras_compatible

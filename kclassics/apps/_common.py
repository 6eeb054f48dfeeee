"""Argument handling shared by every builder, with keras.applications' conventions."""

import os

import keras


def model_input(input_shape, input_tensor, default_shape, name="images"):
    """The input tensor of a builder: `input_tensor` if given, else a new `keras.Input`.

    Args:
        input_shape: shape without the batch dimension, or None for `default_shape`.
        input_tensor: an existing Keras tensor to build on, or None.
        default_shape: the architecture's default input shape.
        name: name of a new input layer.
    """
    if input_shape is not None:
        input_shape = tuple(input_shape)
        if len(input_shape) != len(default_shape) or any(
            d is not None and (not isinstance(d, int) or d <= 0) for d in input_shape
        ):
            raise ValueError(
                f"`input_shape` must be a tuple of {len(default_shape)} positive integers "
                f"such as {tuple(default_shape)}. Received: input_shape={input_shape}"
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
    if not isinstance(classes, int) or isinstance(classes, bool) or classes < 1:
        raise ValueError(f"`classes` must be a positive integer. Received: classes={classes!r}")
    if classifier_activation is not None:
        keras.activations.get(classifier_activation)  # raises on unknown names


def check_weights(weights, allowed=(None,)):
    """Validates `weights`: one of `allowed` or the path of an existing weights file."""
    if weights in allowed or (isinstance(weights, (str, os.PathLike)) and os.path.exists(weights)):
        return
    accepted = ", ".join(repr(a) for a in allowed)
    raise ValueError(
        f"`weights` must be one of {accepted} or the path to a weights file "
        f"(`.weights.h5` or `.keras`). Received: weights={weights!r}"
    )


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


def imagenet_model(
    features,
    head,
    *,
    default_name,
    default_size,
    min_size,
    include_top,
    weights,
    input_tensor,
    input_shape,
    pooling,
    classes,
    classifier_activation,
    name,
    keras_twin=None,
    fixed_top=False,
):
    """Validates keras.applications' arguments, then builds and loads a classifier.

    Args:
        features: `features(images) -> (feature_map, extra_outputs)`, the body of the network;
            `extra_outputs` is a list (auxiliary heads), empty for most models.
        head: `head(feature_map) -> outputs`, the classifier used when `include_top=True`.
        default_name: model name when `name` is None.
        default_size, min_size, fixed_top: see `image_input_shape`.
        keras_twin: name of the keras.applications function whose weights
            `weights='imagenet'` loads, or None.
        Others: as keras.applications.

    Returns:
        A `kclassics.Model`.
    """
    from kclassics.model import Model  # imported late: keeps `import kclassics.apps._common` light

    if not isinstance(include_top, bool):
        raise ValueError(f"`include_top` must be True or False. Received: include_top={include_top!r}")
    check_weights(weights, allowed=(None, "imagenet"))
    check_pooling(pooling)
    check_head(classes, classifier_activation)
    check_imagenet(weights, include_top, classes, classifier_activation, keras_twin)
    shape = image_input_shape(input_shape, default_size, min_size, include_top, weights, fixed_top)
    if weights == "imagenet":  # fetch before the (slow) build, so a failed download fails fast
        from kclassics.apps._keras_twins import fetch_imagenet_weights

        weights_path = fetch_imagenet_weights(keras_twin, include_top)
    if input_tensor is not None and input_shape is None:
        shape = tuple(input_tensor.shape[1:])
    images = model_input(shape, input_tensor, shape)
    x, extra_outputs = features(images)
    outputs = head(x) if include_top else pooled_features(x, pooling)
    if extra_outputs:
        outputs = [outputs, *extra_outputs]
    inputs = keras.utils.get_source_inputs(input_tensor) if input_tensor is not None else images
    model = Model(inputs, outputs, name=name or default_name)
    if weights == "imagenet":
        from kclassics.apps._keras_twins import load_imagenet_weights

        return load_imagenet_weights(model, keras_twin, weights_path, include_top=include_top, pooling=pooling)
    return load_weights(model, weights)


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


def resolve_keras_compatible(keras_compatible, weights):
    """`keras_compatible=None` means True exactly when ImageNet weights are loaded."""
    if keras_compatible is None:
        return weights == "imagenet"
    if not isinstance(keras_compatible, bool):
        raise ValueError(f"`keras_compatible` must be True, False or None. Received: keras_compatible={keras_compatible!r}")
    if weights == "imagenet" and not keras_compatible:
        raise ValueError(
            "ImageNet weights come from keras.applications and load only into the keras-compatible "
            "configuration. Received: weights='imagenet', keras_compatible=False"
        )
    return keras_compatible


def variant_builder(build, variant, doc):
    """A public builder for one row of a family table: `build(variant, ...)` with `variant` fixed.

    The returned function has `build`'s signature without its first argument, the
    variant's name (the registry key) and `doc` as its docstring.
    """
    import inspect

    def builder(*args, **kwargs):
        return build(variant, *args, **kwargs)

    signature = inspect.signature(build)
    builder.__signature__ = signature.replace(parameters=list(signature.parameters.values())[1:])
    builder.__name__ = builder.__qualname__ = variant
    builder.__module__ = build.__module__
    builder.__doc__ = doc
    return builder

"""Argument handling shared by every builder, with keras.applications' conventions."""

import os

import keras


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

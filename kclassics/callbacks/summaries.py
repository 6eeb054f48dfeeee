"""SummarySaver: the chapter 9.1 TensorBoard summaries, every N global steps (book 10.5, L6984)."""

import math
import os
import re

import keras
import numpy as np
import tensorflow as tf

from kclassics.callbacks._base import check_positive_int
from kclassics.callbacks._probe import BatchProbe, check_names


class SummarySaver(BatchProbe):
    """Writes the book's chapter 9.1 summaries to TensorBoard every N global steps.

    At each qualifying step it writes, under global step `N`:
    - the step's metrics (`loss`, ...) as scalars;
    - for each trainable variable whose path matches `variables`, the
      `variable_summaries` of chapter 9.1: `<path>/mean`, `/stddev`, `/max`,
      `/min` scalars and a `<path>` histogram;
    - a histogram `activations/<layer>` of each layer named in `activations`,
      on the batch being trained on;
    - with `images`, up to `max_images` of the batch's inputs as `input` images
      (flat inputs are reshaped to `image_shape`, as the book does for MNIST).
    Keras's `TensorBoard` callback covers epoch-level scalars and the graph;
    this callback adds what it does not: step-based summaries of variables,
    activations and inputs.

    Args:
        every_n_steps: write at every multiple of this global step (the book's `save_steps`).
        log_dir: directory of the event files.
        variables: regular expression (`re.search`) selecting variables by path,
            or None for no variable summaries.
        activations: a layer name or names whose outputs get histograms.
        images: whether to write the batch's inputs as images.
        max_images: number of images written per step.
        image_shape: `(height, width, channels)` for flat inputs, e.g. `(28, 28, 1)`.
    """

    def __init__(
        self, every_n_steps, log_dir, variables=".*", activations=(), images=False, max_images=3, image_shape=None
    ):
        if not isinstance(log_dir, (str, os.PathLike)) or not str(log_dir):
            raise ValueError(f"`log_dir` must be a directory path. Received: log_dir={log_dir!r}")
        activations = check_names(activations, "activations")
        super().__init__(activations, every_n_steps, capture_inputs=bool(images), names_argument="activations")
        try:
            self.variables = None if variables is None else re.compile(variables)
        except (re.error, TypeError) as error:
            raise ValueError(f"`variables` must be a regular expression or None ({error}). Received: variables={variables!r}") from None
        check_positive_int("max_images", max_images)
        if image_shape is not None and (
            len(tuple(image_shape)) != 3 or not all(isinstance(d, int) and d > 0 for d in image_shape) or image_shape[-1] not in (1, 3, 4)
        ):
            raise ValueError(
                "`image_shape` must be (height, width, channels) with positive integers and 1, 3 or 4 channels. "
                f"Received: image_shape={image_shape!r}"
            )
        self.log_dir = str(log_dir)
        self.images = bool(images)
        self.max_images = max_images
        self.image_shape = None if image_shape is None else tuple(image_shape)
        self._writer = None
        self._watched = []

    def on_train_begin(self, logs=None):
        if self.images:
            self._check_image_input()
        super().on_train_begin(logs)
        trainable = self.model.trainable_variables
        self._watched = [v for v in trainable if self.variables.search(v.path)] if self.variables else []
        if self.variables is not None and not self._watched:
            raise ValueError(
                f"No trainable variable's path matches {self.variables.pattern!r}. "
                f"Available: {', '.join(v.path for v in trainable)}. Received: variables={self.variables.pattern!r}"
            )
        self._writer = tf.summary.create_file_writer(self.log_dir)

    def _check_image_input(self):
        input_shape = tuple(keras.tree.flatten(self.model.inputs)[0].shape[1:]) if getattr(self.model, "inputs", None) else None
        if input_shape is None:
            raise ValueError("`images=True` needs a model with an Input (functional or Sequential).")
        if self.image_shape is None:
            if len(input_shape) != 3 or input_shape[-1] not in (1, 3, 4):
                raise ValueError(
                    f"The model's input of shape {input_shape} is not an image (height, width, 1|3|4 channels); "
                    "pass `image_shape` to reshape flat inputs. Received: image_shape=None"
                )
        elif None in input_shape or math.prod(input_shape) != math.prod(self.image_shape):
            raise ValueError(
                f"`image_shape` {self.image_shape} does not hold the model's input of shape {input_shape}. "
                f"Received: image_shape={self.image_shape!r}"
            )

    def on_step(self, step, logs):
        with self._writer.as_default(step=step):
            for name, value in logs.items():
                if np.ndim(value) == 0:
                    tf.summary.scalar(name, value)
            for variable in self._watched:
                value = keras.ops.convert_to_numpy(variable)
                tf.summary.scalar(f"{variable.path}/mean", np.mean(value))
                tf.summary.scalar(f"{variable.path}/stddev", np.std(value))
                tf.summary.scalar(f"{variable.path}/max", np.max(value))
                tf.summary.scalar(f"{variable.path}/min", np.min(value))
                tf.summary.histogram(variable.path, value)
        self._writer.flush()

    def on_batch_values(self, step, values, inputs):
        with self._writer.as_default(step=step):
            for name, value in values.items():
                tf.summary.histogram(f"activations/{name}", value)
            if self.images:
                images = inputs[: self.max_images]
                if self.image_shape is not None:
                    images = images.reshape((-1, *self.image_shape))
                tf.summary.image("input", images, max_outputs=self.max_images)
        self._writer.flush()

    def on_train_end(self, logs=None):
        super().on_train_end(logs)
        if self._writer is not None:
            self._writer.close()
            self._writer = None

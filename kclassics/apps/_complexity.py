"""Counting the multiply-adds of a network's forward pass."""

import math

import numpy as np

from keras import layers

from kclassics.apps._registry import model_info


def _conv_multiply_adds(layer, inputs, outputs):
    kernel_h, kernel_w = layer.kernel_size
    in_channels = inputs.shape[-1] // layer.groups
    return math.prod(outputs.shape[1:]) * kernel_h * kernel_w * in_channels


def _dense_multiply_adds(layer, inputs, outputs):
    return math.prod(inputs.shape[1:]) * layer.units


_COUNTERS = {layers.Conv2D: _conv_multiply_adds, layers.Dense: _dense_multiply_adds}


def count_multiply_adds(name, **kwargs):
    """Multiply-adds of convolutions and fully-connected layers for one image, as the papers count.

    Builds the registered model `name` (at its default input size unless
    `input_shape` is given) and runs one image through it, recording the
    shapes of each Conv2D and Dense call.
    Biases, batch norm, pooling and activations are not counted.

    Args:
        name: a registered model name.
        **kwargs: builder arguments.

    Returns:
        The count as an int.
    """
    builder = model_info(name).builder
    counts = {}
    originals = {cls: cls.__call__ for cls in _COUNTERS}

    def recording(cls, original):
        def call(self, *args, **kw):
            outputs = original(self, *args, **kw)
            if type(self) is cls:
                counts[id(self)] = _COUNTERS[cls](self, args[0], outputs)
            return outputs

        return call

    try:
        for cls, original in originals.items():
            cls.__call__ = recording(cls, original)
        model = builder(**kwargs)
        model(np.zeros((1, *model.input_shape[1:]), "float32"), training=False)
    finally:
        for cls, original in originals.items():
            cls.__call__ = original
    return sum(counts.values())

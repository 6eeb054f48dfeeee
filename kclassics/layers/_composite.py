"""A base for layers made of sub-layers."""

import keras


class CompositeLayer(keras.layers.Layer):
    """A layer whose state is its sub-layers; `build` builds them by tracing `call` once.

    Without it, a loaded `.keras` file would call `build` on a layer that has no
    variables of its own and the sub-layers would stay unbuilt when the weights arrive.
    """

    def build(self, input_shape):
        self.call(keras.KerasTensor(tuple(input_shape)))
        self.built = True

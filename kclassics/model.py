"""The base class that every kclassics network is an instance of."""

import keras


@keras.saving.register_keras_serializable(package="kclassics")
class Model(keras.Model):
    """A `keras.Model` that every kclassics app returns.

    Use it like `keras.Model`: as a functional graph, `Model(inputs, outputs)`,
    or as a base class with its own `call`. It is registered for serialization,
    so `.keras` files written from it load again with `safe_mode=True`.
    Behaviour shared by every kclassics network (such as distributed `fit`)
    lives here.
    """

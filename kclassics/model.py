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

    def fit(self, *args, **kwargs):
        """`keras.Model.fit`, also under ParameterServer and MultiWorkerMirrored strategies (see `kclassics.distribute.fit`)."""
        from kclassics import distribute

        return distribute.fit(self, *args, **kwargs)

    def evaluate(self, *args, **kwargs):
        """`keras.Model.evaluate` under any strategy (see `kclassics.distribute.evaluate`)."""
        from kclassics import distribute

        return distribute.evaluate(self, *args, **kwargs)

    def predict(self, *args, **kwargs):
        """`keras.Model.predict` under any strategy (see `kclassics.distribute.predict`)."""
        from kclassics import distribute

        return distribute.predict(self, *args, **kwargs)

"""The base class that every kclassics network is an instance of."""

import keras

from kclassics._keras import Functional, functional_init_arguments


@keras.saving.register_keras_serializable(package="kclassics")
class Model(keras.Model):
    """A `keras.Model` that every kclassics app returns.

    Use it like `keras.Model`: as a functional graph, `Model(inputs, outputs)`
    (which returns a `FunctionalModel`, still an instance of `Model`), or as a
    base class with its own `call`. It is registered for serialization, so
    `.keras` files written from it load again with `safe_mode=True`. Behaviour
    shared by every kclassics network (such as distributed `fit`) lives here;
    on the JAX and PyTorch backends `fit`, `evaluate` and `predict` are
    Keras's own (the distribution strategies are TensorFlow's).
    """

    def __new__(cls, *args, **kwargs):
        # keras.Model makes a functional model of a subclass by rewriting the
        # subclass's bases in place, which would turn every later subclass of
        # this class into a functional model too; a separate class avoids that.
        if cls is Model and functional_init_arguments(args, kwargs):
            return FunctionalModel.__new__(FunctionalModel, *args, **kwargs)
        return super().__new__(cls, *args, **kwargs)


    def fit(self, *args, **kwargs):
        """`keras.Model.fit`, also under ParameterServer and MultiWorkerMirrored strategies (see `kclassics.distribute.fit`)."""
        if keras.backend.backend() != "tensorflow":
            return super().fit(*args, **kwargs)
        from kclassics import distribute

        return distribute.fit(self, *args, **kwargs)

    def evaluate(self, *args, **kwargs):
        """`keras.Model.evaluate` under any strategy (see `kclassics.distribute.evaluate`)."""
        if keras.backend.backend() != "tensorflow":
            return super().evaluate(*args, **kwargs)
        from kclassics import distribute

        return distribute.evaluate(self, *args, **kwargs)

    def predict(self, *args, **kwargs):
        """`keras.Model.predict` under any strategy (see `kclassics.distribute.predict`)."""
        if keras.backend.backend() != "tensorflow":
            return super().predict(*args, **kwargs)
        from kclassics import distribute

        return distribute.predict(self, *args, **kwargs)


@keras.saving.register_keras_serializable(package="kclassics")
class FunctionalModel(Model, Functional):
    """A `kclassics.Model` defined as a graph of layers: what `Model(inputs, outputs)` returns."""

    __init__ = Functional.__init__


def portable(model):
    """`model` as Keras's own functional `Model` when every layer is a Keras built-in, else `model` itself.

    A `.keras` file of a `kclassics.Model` names kclassics' class, so loading it
    needs kclassics; the same graph as a plain `keras.Model` (sharing the layers,
    the weights and the compile configuration) loads with `keras.saving.load_model`
    anywhere Keras is. A model with kclassics' own layers or a subclass with its
    own `call` stays as it is: loading it needs `import kclassics`, and Keras's error
    without it names the kclassics module the class lives in. So does a model
    with its own `compile` (the wide and deep model's two optimizers), whose
    training a plain `keras.Model` could not take over.
    """
    if (not isinstance(model, FunctionalModel) or type(model).compile is not keras.Model.compile
            or not all(_is_keras_builtin(layer) for layer in _layers(model))):
        return model
    plain = keras.Model(model.inputs, model.outputs, name=model.name)
    if model.compiled:
        plain.compile_from_config(model.get_compile_config())
    return plain


def _layers(model):
    for layer in model.layers:
        yield layer
        if isinstance(layer, keras.Model):
            yield from _layers(layer)


def _is_keras_builtin(layer):
    return type(layer).__module__.split(".")[0] == "keras"

"""The book's canned estimators (10.2-10.3) as compiled `kclassics.Model`s over a feature recipe.

Each constructor returns a compiled `CannedModel`, a functional model from
the recipe's raw columns (`recipe.inputs()`) to its head, trained with
`model.fit` on a `tf.data.Dataset` of `(frame, labels)` batches
(`recipe.dataset`), or on plain arrays for a recipe inferred from one (the
book's `fit(x, y)`), under any strategy of `kclassics.distribute`. Defaults
are tf.contrib.learn 0.11's (the version the book uses, L6342): DNN models on
Adagrad with learning rate 0.05, linear models on FTRL with learning rate
min(0.2, 1/sqrt(number of columns)).
"""

import math
import re

import keras
import numpy as np
import tensorflow as tf

from kclassics import validation
from kclassics.learn.features import FeatureRecipe, check_columns_in, infer_real_valued_columns_from_input
from kclassics.model import FunctionalModel

DNN_LEARNING_RATE = 0.05  # tf.contrib.learn dnn.py: _LEARNING_RATE = 0.05 (Adagrad)
LINEAR_LEARNING_RATE = 0.2  # tf.contrib.learn linear.py: _LEARNING_RATE = 0.2 (FTRL), capped at 1/sqrt(columns)
SVM_LEARNING_RATE = 1.0  # ours: contrib's SVM used SDCA (no rate); FTRL at 1.0 reaches LinearSVC's hinge optimum on iris in 800 steps, 0.2 needs ~3000
HEADS = ("softmax", "sigmoid", "margin", "regression")


def linear_learning_rate(num_columns):
    """FTRL's default learning rate for a linear model of `num_columns` columns (tf.contrib.learn's `_get_default_optimizer`)."""
    return min(LINEAR_LEARNING_RATE, 1.0 / math.sqrt(num_columns))


@keras.saving.register_keras_serializable(package="kclassics")
def one_vs_rest_hinge(y_true, y_pred):
    """Multi-class hinge loss, one binary SVM per class: mean over classes of max(0, 1 - t * margin), t = +1 for the label, -1 otherwise."""
    return keras.ops.mean(_one_vs_rest_violations(y_true, y_pred), axis=-1)


@keras.saving.register_keras_serializable(package="kclassics")
def one_vs_rest_squared_hinge(y_true, y_pred):
    """`one_vs_rest_hinge` with each violation squared (scikit-learn's LinearSVC default, `loss="squared_hinge"`)."""
    return keras.ops.mean(keras.ops.square(_one_vs_rest_violations(y_true, y_pred)), axis=-1)


def _one_vs_rest_violations(y_true, y_pred):
    labels = keras.ops.one_hot(keras.ops.cast(keras.ops.reshape(y_true, (-1,)), "int32"), keras.ops.shape(y_pred)[-1])
    signs = 2.0 * labels - 1.0
    return keras.ops.relu(1.0 - signs * y_pred)


SVM_LOSSES = ("hinge", "squared_hinge")


def _recipe(features):
    """A feature recipe, or one inferred from a plain 2-D array (the book's `infer_real_valued_columns_from_input`)."""
    if isinstance(features, FeatureRecipe):
        if not features.adapted:
            raise ValueError("Adapt the feature recipe to the training frame first: `recipe.adapt(train_frame)`.")
        return features
    return infer_real_valued_columns_from_input(features)


def _check_classes(n_classes):
    validation.positive_int("n_classes", n_classes)
    if n_classes < 2:
        raise ValueError(f"`n_classes` must be at least 2 (a classifier chooses between classes). Received: n_classes={n_classes}")


def _check_hidden_units(hidden_units, argument="hidden_units"):
    units = list(hidden_units) if isinstance(hidden_units, (list, tuple)) else None
    if not units or not all(isinstance(u, int) and not isinstance(u, bool) and u > 0 for u in units):
        raise ValueError(
            f"`{argument}` must be a non-empty list of positive layer widths, e.g. [10, 20, 10]. "
            f"Received: {argument}={hidden_units!r}"
        )
    return units


def _check_dropout(dropout, argument="dropout"):
    if dropout is not None:
        validation.fraction(argument, dropout, high_open=True)


def _head(head, n_classes, label_dimension=1, margin_loss="hinge"):
    """(output units, activation, loss, metrics) of a head."""
    if head == "softmax":
        return n_classes, "softmax", keras.losses.SparseCategoricalCrossentropy(), [keras.metrics.SparseCategoricalAccuracy("accuracy")]
    if head == "sigmoid":
        metrics = [keras.metrics.BinaryAccuracy("accuracy"), keras.metrics.AUC(name="auc"),
                   keras.metrics.Precision(name="precision"), keras.metrics.Recall(name="recall")]
        return 1, "sigmoid", keras.losses.BinaryCrossentropy(), metrics
    if head == "margin":
        squared = margin_loss == "squared_hinge"
        if n_classes == 2:
            loss = keras.losses.SquaredHinge() if squared else keras.losses.Hinge()
            return 1, None, loss, [keras.metrics.BinaryAccuracy("accuracy", threshold=0.0)]
        loss = one_vs_rest_squared_hinge if squared else one_vs_rest_hinge
        return n_classes, None, loss, [keras.metrics.SparseCategoricalAccuracy("accuracy")]
    return label_dimension, None, keras.losses.MeanSquaredError(), [keras.metrics.RootMeanSquaredError("rmse")]


def _dnn_body(x, hidden_units, dropout, activation="relu", prefix="dnn_"):
    for i, units in enumerate(hidden_units):
        x = keras.layers.Dense(units, activation=activation, name=f"{prefix}hiddenlayer_{i}")(x)
        if dropout:
            x = keras.layers.Dropout(dropout, name=f"{prefix}dropout_{i}")(x)
    return x


def _compile(model, optimizer, loss, metrics):
    model.compile(optimizer=optimizer, loss=loss, metrics=metrics)
    return model


def _check_optimizer(name, optimizer):
    """`optimizer` if it is None (the canned default), a Keras optimizer or a name Keras knows ("adam")."""
    if optimizer is None or isinstance(optimizer, keras.optimizers.Optimizer):
        return optimizer
    try:
        if isinstance(optimizer, str):
            return keras.optimizers.get(optimizer)
    except ValueError:
        pass
    raise ValueError(f"`{name}` must be None, a keras.optimizers.Optimizer or a name such as 'adam'. Received: {name}={optimizer!r}")


def _check_common(name, activation=None):
    validation.text("name", name)
    if activation is not None:
        try:
            keras.activations.get(activation)
        except ValueError:
            raise ValueError(f"`activation` must be a Keras activation, e.g. 'relu'. Received: activation={activation!r}") from None


def _dnn(features, hidden_units, head, n_classes, dropout, optimizer, activation, name):
    _check_common(name, activation)
    optimizer = _check_optimizer("optimizer", optimizer)
    recipe = _recipe(features)
    hidden_units = _check_hidden_units(hidden_units)
    _check_dropout(dropout)
    units, output_activation, loss, metrics = _head(head, n_classes)
    inputs = recipe.inputs()
    x = _dnn_body(recipe.encode(inputs, prefix="dnn_"), hidden_units, dropout, activation)
    outputs = keras.layers.Dense(units, activation=output_activation, name="dnn_logits")(x)
    model = CannedModel(inputs, outputs, name=name)
    return _compile(model, optimizer or keras.optimizers.Adagrad(DNN_LEARNING_RATE), loss, metrics)


def DNNClassifier(features, hidden_units, n_classes=2, dropout=None, optimizer=None, activation="relu", name="dnn_classifier"):
    """`tf.contrib.learn.DNNClassifier`: fully connected ReLU layers and a softmax over `n_classes`.

    Args:
        features: an adapted `FeatureRecipe`, or a 2-D array whose width the model's single input takes.
        hidden_units: widths of the hidden layers, e.g. [10, 20, 10].
        n_classes: number of classes (labels 0 .. n_classes - 1).
        dropout: drop rate after each hidden layer, or None.
        optimizer: default Adagrad(0.05), the canned estimator's.
        activation: of the hidden layers.
        name: the model's name.

    Returns:
        A compiled `kclassics.Model` (loss sparse cross-entropy, metric accuracy).
    """
    _check_classes(n_classes)
    return _dnn(features, hidden_units, "softmax", n_classes, dropout, optimizer, activation, name)


def DNNRegressor(features, hidden_units, dropout=None, optimizer=None, activation="relu", name="dnn_regressor"):
    """`tf.contrib.learn.DNNRegressor`: fully connected ReLU layers and one linear output (loss MSE, metric RMSE)."""
    return _dnn(features, hidden_units, "regression", 1, dropout, optimizer, activation, name)


def _linear(features, head, n_classes, optimizer, l1, l2, name, margin_loss="hinge"):
    _check_common(name)
    optimizer = _check_optimizer("optimizer", optimizer)
    recipe = _recipe(features)
    for argument, value in (("l1_regularization", l1), ("l2_regularization", l2)):
        validation.non_negative_float(argument, value)
    units, activation, loss, metrics = _head(head, n_classes, margin_loss=margin_loss)
    inputs = recipe.inputs()
    regularizer = keras.regularizers.L1L2(l1, l2) if (l1 or l2) and head == "margin" else None
    outputs = keras.layers.Dense(units, activation=activation, kernel_regularizer=regularizer, kernel_initializer="zeros",
                                 name="linear_logits")(recipe.encode(inputs, prefix="linear_"))
    model = CannedModel(inputs, outputs, name=name)
    if optimizer is None:
        rate = SVM_LEARNING_RATE if head == "margin" else linear_learning_rate(len(recipe.columns))
        optimizer = keras.optimizers.Ftrl(rate, l1_regularization_strength=l1, l2_regularization_strength=l2) \
            if head != "margin" else keras.optimizers.Ftrl(rate)
    return _compile(model, optimizer, loss, metrics)


def LinearClassifier(features, n_classes=2, optimizer=None, l1_regularization=0.0, l2_regularization=0.0, name="linear_classifier"):
    """`tf.contrib.learn.LinearClassifier`: softmax of a linear function of the columns, trained with FTRL.

    Args:
        features: an adapted `FeatureRecipe` (categories one-hot: one weight per category), or a 2-D array.
        n_classes: number of classes.
        optimizer: default `keras.optimizers.Ftrl` at min(0.2, 1/sqrt(columns)) with the L1/L2 strengths below.
        l1_regularization, l2_regularization: FTRL's regularization strengths.
        name: the model's name.
    """
    _check_classes(n_classes)
    return _linear(features, "softmax", n_classes, optimizer, l1_regularization, l2_regularization, name)


def LinearRegressor(features, optimizer=None, l1_regularization=0.0, l2_regularization=0.0, name="linear_regressor"):
    """`tf.contrib.learn.LinearRegressor`: a linear function of the columns, FTRL, loss MSE."""
    return _linear(features, "regression", 1, optimizer, l1_regularization, l2_regularization, name)


def LogisticRegressor(features, optimizer=None, l1_regularization=0.0, l2_regularization=0.0, name="logistic_regressor"):
    """`tf.contrib.learn.LogisticRegressor`: binary logistic regression (labels 0/1) with the book's metrics (L6480): accuracy, AUC, precision, recall."""
    return _linear(features, "sigmoid", 2, optimizer, l1_regularization, l2_regularization, name)


def SVM(features, n_classes=2, optimizer=None, l1_regularization=0.0, l2_regularization=0.01, loss="hinge", name="svm"):
    """`tf.contrib.learn.SVM`: a linear support vector machine, hinge loss plus L1/L2 penalties on the weights.

    Binary for `n_classes=2` (labels 0/1 are read as -1/+1, class 1 when the
    margin is positive); one-vs-rest for more classes. The book's SVM needs an
    `example_id` column for its SDCA solver; this one trains with FTRL, so
    needs none.

    Args:
        features: an adapted `FeatureRecipe` or a 2-D array.
        n_classes: number of classes.
        optimizer: default FTRL at 1.0 (`SVM_LEARNING_RATE`, docs/learn.md: measured on iris).
        l1_regularization, l2_regularization: penalties l1 * sum|w| + l2 * sum w^2 added to the mean hinge loss.
        loss: "hinge" (the book's SVM) or "squared_hinge" (each violation squared: scikit-learn's LinearSVC default).
        name: the model's name.
    """
    _check_classes(n_classes)
    validation.one_of("loss", loss, SVM_LOSSES)
    return _linear(features, "margin", n_classes, optimizer, l1_regularization, l2_regularization, name, margin_loss=loss)


_LABEL_MARKER = "kclassics-bad-label"


@keras.saving.register_keras_serializable(package="kclassics")
class CannedModel(FunctionalModel):
    """A canned model: `fit`, `evaluate` and `predict` check their data against the model before any step.

    Arrays and frames are checked whole, first: each input's width (a plain
    array against the columns inferred from it), one label per example, and
    the labels against the head (class ids 0 .. n_classes - 1 for a
    classifier, finite numbers for a regressor). A `tf.data.Dataset` is
    checked by its structure first and its labels as each batch is read: a
    bad label stops `fit` with the same one line (the batches before it have
    trained).
    """

    __init__ = FunctionalModel.__init__

    def fit(self, x=None, y=None, *args, **kwargs):
        x = check_data(self, x, y, "fit")
        with _one_line_label_errors():
            return super().fit(x, y, *args, **kwargs)

    def evaluate(self, x=None, y=None, *args, **kwargs):
        x = check_data(self, x, y, "evaluate")
        with _one_line_label_errors():
            return super().evaluate(x, y, *args, **kwargs)

    def predict(self, x, *args, **kwargs):
        return super().predict(check_data(self, x, None, "predict"), *args, **kwargs)


def n_classes_of(model):
    """The classes a canned classifier chooses between (None for a regressor), from its head."""
    head = head_of(model)
    if head == "regression":
        return None
    units = model.outputs[0].shape[-1]
    return 2 if units == 1 else units


def _input_widths(model):
    """{input name: width} of a model's raw-column inputs."""
    return {t.name: t.shape[-1] for t in tf.nest.flatten(model.inputs)}


def _check_features(model, x):
    """Refuses features whose columns or widths differ from the model's inputs; returns the number of examples."""
    widths = _input_widths(model)
    if isinstance(x, dict):
        missing = sorted(set(widths) - set(x))
        if missing:
            raise ValueError(f"`x` lacks the model's input column(s) {missing}. Received: x with columns {sorted(map(str, x))}")
        arrays = {name: validation.array(f"x[{name!r}]", x[name], what="values", kinds="fiubUSO") for name in widths}
    else:
        if len(widths) != 1:
            raise ValueError(f"This model reads the columns {sorted(widths)}: pass a frame (a dict of columns), e.g. through "
                             f"`recipe.dataset(frame, labels)`. Received: x={validation.describe(x)}")
        arrays = {next(iter(widths)): validation.array("x", x, ndim=2, what="numbers (examples x features)")}
    for name, values in arrays.items():
        width = values.shape[-1] if values.ndim > 1 else 1
        if width != widths[name]:
            column = "x" if not isinstance(x, dict) else f"x[{name!r}]"
            raise ValueError(f"`{column}` must have {widths[name]} feature(s) per example, as the columns the model was "
                             f"built from. Received: {column}=an array of shape {values.shape}")
    lengths = {len(v) for v in arrays.values()}
    if len(lengths) != 1:
        raise ValueError(f"The columns of `x` must be equally long. Received lengths {sorted(lengths)}")
    return lengths.pop()


def _check_labels(model, y, examples):
    n_classes = n_classes_of(model)
    if n_classes is None:
        labels = validation.array("y", y, what="numbers")
    else:
        labels = validation.class_ids("y", y, n_classes)
    if len(labels) != examples:
        raise ValueError(f"`y` must hold one label per example: {examples} examples. Received: {len(labels)} labels")


def _check_dataset(model, data, call):
    """Checks a dataset's structure against the model's inputs; returns it with its labels checked as they are read."""
    spec = data.element_spec
    features, labels = (spec[0], spec[1] if len(spec) > 1 else None) if isinstance(spec, tuple) else (spec, None)
    widths = _input_widths(model)
    given = features if isinstance(features, dict) else ({next(iter(widths)): features} if len(widths) == 1 else None)
    if given is None or not set(widths) <= set(given):
        names = sorted(features) if isinstance(features, dict) else "one unnamed tensor"
        raise ValueError(f"The dataset's features must be the model's input columns {sorted(widths)}. Received: {names}")
    for name, width in widths.items():
        found = given[name].shape[-1] if given[name].shape.rank and given[name].shape.rank > 1 else 1
        if found is not None and found != width:
            raise ValueError(f"The dataset's column {name!r} must have {width} feature(s) per example. "
                             f"Received: batches of shape {tuple(given[name].shape)}")
    if labels is None or call == "predict":
        return data
    n_classes = n_classes_of(model)
    return data.map(lambda *element: _checked(element, n_classes))


def _checked(element, n_classes):
    """A dataset element whose labels are asserted: class ids below `n_classes`, or finite numbers (None)."""
    labels = tf.reshape(element[1], [-1])
    if n_classes is None:
        bad = tf.logical_not(tf.math.is_finite(tf.cast(labels, tf.float32)))
        accepted = "finite numbers"
    else:
        value = tf.cast(labels, tf.float64)
        bad = (value < 0) | (value >= n_classes) | (value != tf.round(value))
        accepted = f"class ids 0 .. {n_classes - 1} (n_classes={n_classes})"
    first = tf.concat([tf.boolean_mask(labels, bad), tf.zeros([1], labels.dtype)], 0)[0]
    message = tf.strings.format(f"{_LABEL_MARKER}: `y` must hold {accepted}. Received: a label {{}} in the dataset", first)
    with tf.control_dependencies([tf.debugging.Assert(tf.logical_not(tf.reduce_any(bad)), [message])]):
        return (element[0], tf.identity(element[1]), *element[2:])


class _one_line_label_errors:
    """Turns the assertion of `_checked` (TensorFlow's multi-line error) into its one-line ValueError."""

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if isinstance(error, tf.errors.InvalidArgumentError) and _LABEL_MARKER in (error.message or ""):
            found = re.search(re.escape(_LABEL_MARKER) + r": (.*?)\]", error.message)
            raise ValueError(found.group(1) if found else error.message) from None
        return False


def check_data(model, x, y, call):
    """Checks `fit` / `evaluate` / `predict` data against a canned model (see `CannedModel`); returns `x` to use."""
    if isinstance(x, tf.data.Dataset):
        return _check_dataset(model, x, call)
    if x is None or callable(x) or not (isinstance(x, (dict, list, tuple)) or hasattr(x, "shape")):
        return x  # a dataset function or another Keras input: Keras's own checks
    examples = _check_features(model, x)
    if y is not None:
        _check_labels(model, y, examples)
    elif call == "fit":
        raise ValueError("`fit` needs the labels `y` with the features `x`. Received: y=None")
    return x


@keras.saving.register_keras_serializable(package="kclassics")
class WideAndDeepModel(CannedModel):
    """A functional model whose `linear_` layers train with one optimizer and every other layer with another, in one step.

    The canned `DNNLinearCombinedClassifier` trained its linear part with FTRL
    and its DNN part with Adagrad; `train_step` computes one loss, takes the
    gradients of both parts and applies each part's with its own optimizer.
    `model.optimizer` is the DNN part's, `model.linear_optimizer` the linear
    part's; both are saved in checkpoints.
    """

    __init__ = CannedModel.__init__

    def compile(self, optimizer="adagrad", linear_optimizer=None, **kwargs):
        """`keras.Model.compile` with a second optimizer, `linear_optimizer`, for the `linear_` layers.

        Both are needed, each its own object: a new one (or a name), or the
        one this model already trains that part with. A reloaded model
        (`keras.saving.load_model`) comes back compiled with both, their state
        restored; to recompile it, pass both again.
        """
        if linear_optimizer is None:
            raise ValueError(
                "A wide & deep model trains its linear part with its own optimizer: pass `linear_optimizer=` as well as "
                "`optimizer=` (the canned default: keras.optimizers.Ftrl(min(0.2, 1/sqrt(wide columns)))). "
                "Received: linear_optimizer=None"
            )
        optimizer, linear_optimizer = keras.optimizers.get(optimizer), keras.optimizers.get(linear_optimizer)
        if optimizer is linear_optimizer:
            raise ValueError(
                "`optimizer` and `linear_optimizer` must be two optimizer objects, one per part (each holds its part's slots). "
                f"Received the same {type(optimizer).__name__} for both"
            )
        for argument, given in (("optimizer", optimizer), ("linear_optimizer", linear_optimizer)):
            if given.built and given is not getattr(self, argument, None):
                raise ValueError(
                    f"`{argument}` was already built for other variables (another model's, or the other part's): pass a new "
                    f"optimizer, or this model's own `model.{argument}`. Received: {argument}={type(given).__name__}"
                )
        super().compile(optimizer=optimizer, **kwargs)
        self.linear_optimizer = linear_optimizer
        linear, deep = self._parts()
        self.optimizer.build(deep)  # each optimizer owns its part's slots, from the start (checkpoints then match)
        self.linear_optimizer.build(linear)

    def fit(self, *args, **kwargs):
        """`kclassics.Model.fit`; under ParameterServerStrategy the linear part's optimizer is checked too (FTRL is refused there)."""
        from kclassics.distribute import optimizers, strategies

        if strategies.is_parameter_server(strategies.strategy_of(self)):
            optimizers.check_parameter_server_optimizer(self.linear_optimizer)
        return super().fit(*args, **kwargs)

    def get_compile_config(self):
        config = super().get_compile_config()
        if config is not None and getattr(self, "linear_optimizer", None) is not None:
            config["linear_optimizer"] = keras.saving.serialize_keras_object(self.linear_optimizer)
        return config

    def compile_from_config(self, config):
        config = keras.saving.deserialize_keras_object(config)
        self.compile(**config)

    def _parts(self):
        linear = [v for v in self.trainable_variables if v.path.startswith("linear_")]
        deep = [v for v in self.trainable_variables if not v.path.startswith("linear_")]
        return linear, deep

    def train_step(self, data):
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=True)
        self._loss_tracker.update_state(loss, sample_weight=tf.shape(tf.nest.flatten(x)[0])[0])
        linear, deep = self._parts()
        gradients = tape.gradient(loss, linear + deep)
        self.linear_optimizer.apply(gradients[: len(linear)], linear)
        self.optimizer.apply(gradients[len(linear):], deep)
        return self.compute_metrics(x, y, y_pred, sample_weight=sample_weight)


def DNNLinearCombinedClassifier(features, linear_feature_columns, dnn_feature_columns, dnn_hidden_units, n_classes=2,
                                dnn_dropout=None, linear_optimizer=None, dnn_optimizer=None, name="wide_and_deep"):
    """`tf.contrib.learn.DNNLinearCombinedClassifier` (wide & deep): the sum of a linear model's and a DNN's logits.

    Args:
        features: the adapted `FeatureRecipe` holding both parts' columns.
        linear_feature_columns: the wide part's columns (categories one-hot, crosses).
        dnn_feature_columns: the deep part's columns (numbers, embeddings).
        dnn_hidden_units: widths of the DNN's hidden layers, e.g. [100, 50].
        n_classes: number of classes.
        dnn_dropout: drop rate after each hidden layer, or None.
        linear_optimizer: default FTRL at min(0.2, 1/sqrt(wide columns)).
        dnn_optimizer: default Adagrad(0.05).
        name: the model's name.

    Returns:
        A compiled `WideAndDeepModel`: `fit` applies FTRL to the linear part and Adagrad to the DNN in each step.
    """
    _check_classes(n_classes)
    _check_common(name)
    linear_optimizer = _check_optimizer("linear_optimizer", linear_optimizer)
    dnn_optimizer = _check_optimizer("dnn_optimizer", dnn_optimizer)
    recipe = _recipe(features)
    hidden_units = _check_hidden_units(dnn_hidden_units, "dnn_hidden_units")
    _check_dropout(dnn_dropout, "dnn_dropout")
    for argument, columns in (("linear_feature_columns", linear_feature_columns), ("dnn_feature_columns", dnn_feature_columns)):
        if not isinstance(columns, (list, tuple)):
            raise ValueError(f"`{argument}` must be a list of the recipe's columns. Received: {argument}={columns!r}")
    linear_columns, dnn_columns = list(linear_feature_columns), list(dnn_feature_columns)
    if not linear_columns or not dnn_columns:
        raise ValueError(
            "Wide & deep needs columns for both parts. Received: "
            f"linear_feature_columns={linear_columns!r}, dnn_feature_columns={dnn_columns!r}"
        )
    check_columns_in(recipe, linear_columns, "linear_feature_columns")
    check_columns_in(recipe, dnn_columns, "dnn_feature_columns")
    units, activation, loss, metrics = _head("softmax", n_classes)
    inputs = recipe.inputs()
    wide = keras.layers.Dense(units, kernel_initializer="zeros", name="linear_logits")(
        recipe.encode(inputs, linear_columns, prefix="linear_"))
    deep = keras.layers.Dense(units, name="dnn_logits")(_dnn_body(recipe.encode(inputs, dnn_columns, prefix="dnn_"), hidden_units, dnn_dropout))
    logits = keras.layers.Add(name="logits")([wide, deep])
    outputs = keras.layers.Activation(activation, name="probabilities")(logits)
    model = WideAndDeepModel(inputs, outputs, name=name)
    model.compile(
        optimizer=dnn_optimizer or keras.optimizers.Adagrad(DNN_LEARNING_RATE),
        linear_optimizer=linear_optimizer or keras.optimizers.Ftrl(linear_learning_rate(len(linear_columns))),
        loss=loss, metrics=metrics,
    )
    return model


def head_of(model):
    """The head of a canned model, from its output layer: what its export serves."""
    if not isinstance(model, keras.Model):
        raise ValueError(f"`model` must be a Keras model (a canned model). Received: model={validation.describe(model)}")
    output = model.layers[-1]
    activation = getattr(getattr(output, "activation", None), "__name__", None)
    loss = getattr(model, "loss", None)
    if activation == "softmax":
        return "softmax"
    if activation == "sigmoid":
        return "sigmoid"
    if loss in (one_vs_rest_hinge, one_vs_rest_squared_hinge) or isinstance(loss, (keras.losses.Hinge, keras.losses.SquaredHinge)):
        return "margin"
    return "regression"

"""Each canned model: fit lowers the loss; the export reloads with equal outputs and serves TF Serving's signatures."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from kclassics import learn
from kclassics.export import export_saved_model

RNG = np.random.default_rng(0)
X = RNG.normal(size=(96, 4)).astype("float32")
Y3 = (X[:, 0] > 0.5).astype("int64") + (X[:, 1] > 0).astype("int64")
Y2 = (X[:, 0] + X[:, 1] > 0).astype("int64")
TARGET = (X @ np.array([1.0, -2.0, 0.5, 0.0], "float32") + 1).astype("float32")


def frame(n=96):
    rng = np.random.default_rng(1)
    sex = rng.choice(["female", "male"], n).astype(object)
    island = rng.choice(["Biscoe", "Dream", "Torgersen"], n).astype(object)
    mass = rng.normal(4000, 500, n).astype("float32")
    labels = ((sex == "male") ^ (mass > 4200)).astype("int64")
    return {"sex": sex, "island": island, "body_mass_g": mass}, labels


def wide_and_deep():
    sex = learn.sparse_column_with_keys("sex", ["female", "male"])
    island = learn.sparse_column_with_hash_bucket("island", 10)
    mass = learn.real_valued_column("body_mass_g")
    buckets = learn.bucketized_column(mass, [3500, 4200, 4500])
    wide = [sex, island, buckets, learn.crossed_column([sex, buckets], 50)]
    deep = [mass, learn.embedding_column(island, 4), learn.embedding_column(sex, 2)]
    data, labels = frame()
    recipe = learn.FeatureRecipe(wide + deep).adapt(data)
    return learn.DNNLinearCombinedClassifier(recipe, wide, deep, [8, 4]), recipe, data, labels


MODELS = {
    "dnn_classifier": (lambda: learn.DNNClassifier(X, [8, 8], n_classes=3, dropout=0.1), Y3),
    "dnn_regressor": (lambda: learn.DNNRegressor(X, [8]), TARGET),
    "linear_classifier": (lambda: learn.LinearClassifier(X, n_classes=3, l1_regularization=0.001), Y3),
    "linear_regressor": (lambda: learn.LinearRegressor(X), TARGET),
    "logistic_regressor": (lambda: learn.LogisticRegressor(X), Y2),
    "svm_binary": (lambda: learn.SVM(X), Y2),
    "svm_one_vs_rest": (lambda: learn.SVM(X, n_classes=3), Y3),
    "svm_squared_hinge": (lambda: learn.SVM(X, n_classes=3, loss="squared_hinge"), Y3),
}


@pytest.mark.parametrize("name", [pytest.param(n, marks=() if n == "dnn_classifier" else pytest.mark.slow) for n in MODELS])
def test_fit_lowers_the_loss(name):
    build, labels = MODELS[name]
    keras.utils.set_random_seed(0)
    model = build()
    recipe = learn.infer_real_valued_columns_from_input(X)
    history = model.fit(recipe.dataset(X, labels, 16, shuffle=True), epochs=5, verbose=0).history
    assert history["loss"][-1] < 0.9 * history["loss"][0]


def test_wide_and_deep_trains_each_part_with_its_own_optimizer():
    keras.utils.set_random_seed(0)
    model, recipe, data, labels = wide_and_deep()
    linear_before = model.get_layer("linear_logits").get_weights()[0].copy()
    deep_before = model.get_layer("dnn_logits").get_weights()[0].copy()
    history = model.fit(recipe.dataset(data, labels, 16, shuffle=True), epochs=8, verbose=0).history
    assert history["loss"][-1] < 0.9 * history["loss"][0]
    assert type(model.linear_optimizer).__name__ == "Ftrl" and type(model.optimizer).__name__ == "Adagrad"
    assert int(model.linear_optimizer.iterations) == int(model.optimizer.iterations) == 8 * 6
    assert not np.allclose(linear_before, model.get_layer("linear_logits").get_weights()[0])
    assert not np.allclose(deep_before, model.get_layer("dnn_logits").get_weights()[0])
    # each optimizer holds slots for its own part only
    linear_paths = {v.path for v in model.trainable_variables if v.path.startswith("linear_")}
    slots = model.linear_optimizer.variables[2:]  # after the iteration count and the learning rate
    assert len(slots) == 2 * len(linear_paths) and all("linear_" in v.path for v in slots)  # FTRL: accumulator, linear
    assert not any("linear_logits" in v.path for v in model.optimizer.variables)


@pytest.mark.slow
def test_wide_and_deep_reloads_from_keras_with_both_optimizers_and_recompiles(tmp_path):
    keras.utils.set_random_seed(0)
    model, recipe, data, labels = wide_and_deep()
    train = recipe.dataset(data, labels, 16)
    model.fit(train, epochs=1, verbose=0)
    model.save(tmp_path / "model.keras")
    loaded = keras.saving.load_model(tmp_path / "model.keras")
    assert isinstance(loaded, learn.WideAndDeepModel)
    np.testing.assert_allclose(loaded.predict(recipe.dataset(data), verbose=0), model.predict(recipe.dataset(data), verbose=0), atol=1e-6)
    for part in ("optimizer", "linear_optimizer"):  # each part's optimizer comes back with its slots
        saved, restored = getattr(model, part), getattr(loaded, part)
        assert type(restored) is type(saved) and float(restored.learning_rate) == pytest.approx(float(saved.learning_rate))
        for a, b in zip(saved.variables, restored.variables, strict=True):
            np.testing.assert_allclose(np.asarray(b), np.asarray(a))
    loaded.fit(train, epochs=1, verbose=0)
    assert int(loaded.optimizer.iterations) == int(loaded.linear_optimizer.iterations) == 12

    loaded.compile(optimizer=keras.optimizers.Adam(0.01), linear_optimizer=keras.optimizers.SGD(0.1),
                   loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    linear_before = loaded.get_layer("linear_logits").get_weights()[0].copy()
    loaded.fit(train, epochs=1, verbose=0)
    assert int(loaded.optimizer.iterations) == int(loaded.linear_optimizer.iterations) == 6
    assert not np.allclose(linear_before, loaded.get_layer("linear_logits").get_weights()[0])
    assert not any("linear_" in v.path for v in loaded.optimizer.variables[2:])


def test_wide_and_deep_recompile_needs_two_fresh_or_own_optimizers():
    model, _, _, _ = wide_and_deep()
    with pytest.raises(ValueError, match=r"pass `linear_optimizer=` as well.*Received: linear_optimizer=None"):
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    shared = keras.optimizers.Adagrad()
    with pytest.raises(ValueError, match=r"two optimizer objects.*the same Adagrad for both"):
        model.compile(optimizer=shared, linear_optimizer=shared, loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"`linear_optimizer` was already built for other variables.*linear_optimizer=Adagrad"):
        model.compile(optimizer="adagrad", linear_optimizer=model.optimizer, loss="sparse_categorical_crossentropy")
    own = model.optimizer, model.linear_optimizer
    model.compile(optimizer=own[0], linear_optimizer=own[1], loss="sparse_categorical_crossentropy")  # its own: accepted
    assert (model.optimizer, model.linear_optimizer) == own


def _example(features):
    feature = {}
    for name, value in features.items():
        if isinstance(value, str):
            feature[name] = tf.train.Feature(bytes_list=tf.train.BytesList(value=[value.encode()]))
        else:
            feature[name] = tf.train.Feature(float_list=tf.train.FloatList(value=np.atleast_1d(value).tolist()))
    return tf.train.Example(features=tf.train.Features(feature=feature)).SerializeToString()


def _method_names(path):
    from tensorflow.core.protobuf import saved_model_pb2

    proto = saved_model_pb2.SavedModel.FromString((path / "saved_model.pb").read_bytes())
    return {name: d.method_name for name, d in proto.meta_graphs[0].signature_def.items() if not name.startswith("__")}


def test_wide_and_deep_export_classify_signature(tmp_path):
    keras.utils.set_random_seed(0)
    model, recipe, data, labels = wide_and_deep()
    model.fit(recipe.dataset(data, labels, 16), epochs=2, verbose=0)
    expected = model.predict(recipe.dataset(data, batch_size=96), verbose=0)
    path = export_saved_model(model, tmp_path, task="classify", labels=["female", "male"])
    loaded = tf.saved_model.load(str(path))
    served = loaded.signatures["serving_default"](**{k: tf.constant(v) for k, v in recipe.to_inputs(data).items()})
    np.testing.assert_allclose(served["scores"].numpy(), expected, atol=1e-6)
    examples = [_example({name: data[name][i] for name in data}) for i in range(5)]
    classified = loaded.signatures["classify"](inputs=tf.constant(examples))
    assert classified["classes"].numpy().tolist() == [[b"female", b"male"]] * 5
    np.testing.assert_allclose(classified["scores"].numpy(), expected[:5], atol=1e-6)
    assert _method_names(path) == {"serving_default": "tensorflow/serving/predict", "classify": "tensorflow/serving/classify"}


@pytest.mark.slow
def test_svm_export_scores_are_margins(tmp_path):
    model = learn.SVM(X)
    recipe = learn.infer_real_valued_columns_from_input(X)
    model.fit(recipe.dataset(X, Y2, 16), epochs=2, verbose=0)
    margins = model.predict(recipe.dataset(X[:4]), verbose=0)
    loaded = tf.saved_model.load(str(export_saved_model(model, tmp_path, task="classify", head=learn.head_of(model))))
    scores = loaded.signatures["classify"](inputs=tf.constant([_example({"x": row}) for row in X[:4]]))["scores"].numpy()
    np.testing.assert_allclose(scores, np.concatenate([-margins, margins], axis=1), atol=1e-6)


@pytest.mark.slow
def test_regressor_export_regress_signature(tmp_path):
    model = learn.LinearRegressor(X)
    recipe = learn.infer_real_valued_columns_from_input(X)
    model.fit(recipe.dataset(X, TARGET, 16), epochs=2, verbose=0)
    expected = model.predict(recipe.dataset(X[:4]), verbose=0).reshape(-1)
    path = export_saved_model(model, tmp_path, task="regress")
    outputs = tf.saved_model.load(str(path)).signatures["regress"](inputs=tf.constant([_example({"x": r}) for r in X[:4]]))["outputs"]
    np.testing.assert_allclose(outputs.numpy(), expected, atol=1e-5)
    assert _method_names(path)["regress"] == "tensorflow/serving/regress"


def test_heads():
    assert [learn.head_of(build()) for build, _ in MODELS.values()] == [
        "softmax", "regression", "softmax", "regression", "sigmoid", "margin", "margin", "margin"]


@pytest.mark.parametrize("build, message", [
    (lambda: learn.DNNClassifier(X, [8], n_classes=1), r"`n_classes` must be at least 2.*n_classes=1"),
    (lambda: learn.DNNClassifier(X, []), r"`hidden_units` must be a non-empty list.*hidden_units=\[\]"),
    (lambda: learn.DNNRegressor(X, [8, 0]), r"hidden_units=\[8, 0\]"),
    (lambda: learn.DNNClassifier(X, [8], dropout=1.5), r"dropout=1.5"),
    (lambda: learn.SVM(X, n_classes=1), r"n_classes=1"),
    (lambda: learn.SVM(X, loss="log"), r"Unknown `loss`. Accepted: hinge, squared_hinge. Received: loss='log'"),
    (lambda: learn.LinearClassifier(X, l1_regularization=-1.0), r"l1_regularization"),
    (lambda: learn.DNNClassifier(np.array([["a", "b"]]), [8]), r"`x` must be a 2-D array of numbers \(examples x features\)\. Received: x=an array of shape \(1, 2\)"),
    (lambda: learn.DNNClassifier(learn.FeatureRecipe([learn.real_valued_column("a")]), [8]), r"adapt"),
])
def test_bad_arguments_are_one_clear_error(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_wide_and_deep_refuses_columns_outside_its_recipe():
    model, recipe, data, labels = wide_and_deep()
    stranger = learn.real_valued_column("flipper_length_mm")
    with pytest.raises(ValueError, match=r"`dnn_feature_columns` names columns that are not in the feature recipe: \['flipper_length_mm'\]"):
        learn.DNNLinearCombinedClassifier(recipe, recipe.columns[:1], [stranger], [4])


def test_one_vs_rest_hinge_and_its_square():
    from kclassics.learn.canned import one_vs_rest_hinge, one_vs_rest_squared_hinge

    labels = np.array([0, 2])
    margins = np.array([[0.5, -2.0, 0.2], [1.5, 0.0, 3.0]], "float32")  # violations [0.5, 0, 1.2] and [2.5, 1, 0]
    np.testing.assert_allclose(np.asarray(one_vs_rest_hinge(labels, margins)), [1.7 / 3, 3.5 / 3], rtol=1e-6)
    np.testing.assert_allclose(np.asarray(one_vs_rest_squared_hinge(labels, margins)), [1.69 / 3, 7.25 / 3], rtol=1e-6)


def test_the_books_call_fits_a_plain_array_without_a_structure_warning():
    import warnings

    keras.utils.set_random_seed(0)
    recipe = learn.infer_real_valued_columns_from_input(X)  # the book's feature_columns (L6710)
    model = learn.DNNClassifier(recipe, [8], n_classes=3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X, Y3, batch_size=32, epochs=1, verbose=0)  # the book's fit(x, y)
        model.fit(recipe.dataset(X, Y3, 32), epochs=1, verbose=0)  # a frame, matched by name
        assert model.predict(X[:5], verbose=0).shape == (5, 3)
    assert not [w for w in caught if "structure" in str(w.message)], [str(w.message) for w in caught]


BAD_LABELS = {  # a classifier, its n_classes, and a label it cannot take
    "dnn_classifier": (lambda: learn.DNNClassifier(X, [4], n_classes=3), 3, 5),
    "linear_classifier": (lambda: learn.LinearClassifier(X, n_classes=3), 3, -1),
    "logistic_regressor": (lambda: learn.LogisticRegressor(X), 2, 2),
    "svm": (lambda: learn.SVM(X), 2, 1.5),
}


@pytest.mark.parametrize("name", BAD_LABELS)
def test_a_label_outside_n_classes_is_one_line_before_training(name):
    build, n_classes, label = BAD_LABELS[name]
    model = build()
    labels = (Y3 % n_classes).astype(np.asarray(label).dtype)
    labels[17] = label
    with pytest.raises(ValueError, match=rf"^`y` must hold class ids 0 \.\. {n_classes - 1} \(n_classes={n_classes}\)\. "
                                         rf"Received: y\[17\]={label}$"):
        model.fit(X, labels, epochs=1, verbose=0)
    assert int(model.optimizer.iterations) == 0


def test_labels_and_features_are_checked_against_the_model():
    model = learn.DNNClassifier(X, [4], n_classes=3)
    recipe = learn.infer_real_valued_columns_from_input(X)
    bad = Y3.copy()
    bad[40] = 7
    with pytest.raises(ValueError, match=r"^`y` must hold class ids 0 \.\. 2 \(n_classes=3\)\. Received: a label 7 in the dataset$"):
        model.fit(recipe.dataset(X, bad, 96), epochs=1, verbose=0)  # in a dataset: checked as the batch is read
    with pytest.raises(ValueError, match=r"^`x` must have 4 feature\(s\) per example, as the columns the model was built from\. "
                                         r"Received: x=an array of shape \(96, 3\)$"):
        model.fit(X[:, :3], Y3, verbose=0)
    with pytest.raises(ValueError, match=r"^The dataset's column 'x' must have 4 feature\(s\) per example"):
        model.evaluate(learn.infer_real_valued_columns_from_input(X[:, :2]).dataset(X[:, :2], Y3), verbose=0)
    with pytest.raises(ValueError, match=r"^`y` must hold one label per example: 96 examples\. Received: 95 labels$"):
        model.fit(X, Y3[:-1], verbose=0)
    with_nan = X.copy()
    with_nan[3, 1] = np.nan
    with pytest.raises(ValueError, match=r"^`x` must hold finite numbers\. Received: x\[3, 1\]=nan$"):
        model.fit(with_nan, Y3, verbose=0)
    regressor = learn.LinearRegressor(X)
    with pytest.raises(ValueError, match=r"^`y` must hold finite numbers\. Received: y\[2\]=inf$"):
        regressor.fit(X, np.where(np.arange(96) == 2, np.inf, TARGET), verbose=0)
    model, recipe, data, labels = wide_and_deep()
    with pytest.raises(ValueError, match=r"^`y` must hold class ids 0 \.\. 1 \(n_classes=2\)\. Received: y\[0\]=3$"):
        model.fit(recipe.to_inputs(data), np.where(np.arange(96) == 0, 3, labels), verbose=0)

"""Bad input to every public function and class of kclassics.learn: one line naming the argument and the value received."""

import dataclasses

import keras
import numpy as np
import pytest
import tensorflow as tf

from kclassics import learn, programs

X = np.random.default_rng(0).normal(size=(12, 3)).astype("float32")
Y = np.arange(12) % 3
WITH_NAN = np.where(np.arange(36).reshape(12, 3) == 4, np.nan, X)
AGE = learn.real_valued_column("age")
GENDER = learn.sparse_column_with_keys("gender", ["f", "m"])
FRAME = {"age": np.array([20.0, 30, 40]), "gender": np.array(["f", "m", "f"], dtype=object)}
IRIS = programs.get("iris_custom_model").config


@pytest.fixture(scope="module")
def fitted():
    """A canned classifier, a recipe, a KMeans and a forest on 3 features, made (and the forest grown) once."""
    recipe = learn.FeatureRecipe([AGE, GENDER]).adapt(FRAME)
    kmeans = learn.KMeans(2, seed=0).initialize(X)
    forest = learn.RandomForestClassifier(num_trees=1, max_nodes=4, n_classes=3).fit(X, Y)
    return {"dnn": learn.DNNClassifier(X, [4], n_classes=3), "recipe": recipe, "kmeans": kmeans, "forest": forest}


def wide_deep(**kwargs):
    return learn.DNNLinearCombinedClassifier(learn.FeatureRecipe([AGE, GENDER]).adapt(FRAME), [GENDER], [AGE], [4], **kwargs)


CASES = {
    # feature columns and recipes
    "real_valued_column(column_name)": (lambda f: learn.real_valued_column(""), r"`column_name` must be a non-empty string\. Received: column_name=''"),
    "real_valued_column(dimension)": (lambda f: learn.real_valued_column("age", dimension=0), r"`dimension` must be a positive integer\. Received: dimension=0"),
    "real_valued_column(normalize)": (lambda f: learn.real_valued_column("age", normalize="yes"), r"normalize='yes'"),
    "sparse_column_with_keys(column_name)": (lambda f: learn.sparse_column_with_keys(3, ["a"]), r"column_name=3"),
    "sparse_column_with_keys(keys)": (lambda f: learn.sparse_column_with_keys("g", []), r"`keys` of column 'g' must be a non-empty list of distinct values\. Received: keys=\(\)"),
    "sparse_column_with_keys(keys): duplicates": (lambda f: learn.sparse_column_with_keys("g", ["a", "a"]), r"keys=\('a', 'a'\)"),
    "sparse_column_with_hash_bucket(column_name)": (lambda f: learn.sparse_column_with_hash_bucket(None, 10), r"column_name=None"),
    "sparse_column_with_hash_bucket(hash_bucket_size)": (lambda f: learn.sparse_column_with_hash_bucket("g", 0), r"hash_bucket_size=0"),
    "bucketized_column(source_column)": (lambda f: learn.bucketized_column(GENDER, [1]), r"`source_column` of a bucketized column must be a real_valued_column"),
    "bucketized_column(boundaries)": (lambda f: learn.bucketized_column(AGE, [3, 1]), r"`boundaries` must be a non-empty increasing list of numbers\. Received: boundaries=\(3, 1\)"),
    "bucketized_column(boundaries): NaN": (lambda f: learn.bucketized_column(AGE, [1, float("nan")]), r"boundaries=\(1, nan\)"),
    "crossed_column(columns)": (lambda f: learn.crossed_column([GENDER], 10), r"`columns` of a crossed column must be two or more sparse or bucketized columns"),
    "crossed_column(hash_bucket_size)": (lambda f: learn.crossed_column([GENDER, learn.bucketized_column(AGE, [30])], -1), r"hash_bucket_size=-1"),
    "embedding_column(sparse_id_column)": (lambda f: learn.embedding_column(AGE, 4), r"`sparse_column` of an embedding column must be a sparse"),
    "embedding_column(dimension)": (lambda f: learn.embedding_column(GENDER, 0), r"dimension=0"),
    "infer_real_valued_columns_from_input(x)": (lambda f: learn.infer_real_valued_columns_from_input([1.0, 2.0]), r"`x` must be a 2-D array of numbers \(examples x features\)\. Received: x=an array of shape \(2,\)"),
    "infer_real_valued_columns_from_input(x): NaN": (lambda f: learn.infer_real_valued_columns_from_input(WITH_NAN), r"`x` must hold finite numbers\. Received: x\[1, 1\]=nan"),
    "FeatureRecipe(columns)": (lambda f: learn.FeatureRecipe([]), r"at least one column\. Received: columns=\[\]"),
    "FeatureRecipe(columns): not columns": (lambda f: learn.FeatureRecipe(["age"]), r"`columns` must be feature columns .*Received: 'age'"),
    "FeatureRecipe(columns): a name twice": (lambda f: learn.FeatureRecipe([AGE, learn.real_valued_column("age", 2)]), r"more than one column named \['age'\]"),
    "FeatureRecipe.adapt(frame)": (lambda f: learn.FeatureRecipe([AGE]).adapt([1.0, 2.0]), r"Expected a frame: a dict of column name -> values\. Received: list"),
    "FeatureRecipe.adapt(frame): a column missing": (lambda f: learn.FeatureRecipe([AGE]).adapt({"height": [1.0]}), r"Column 'age' of the feature recipe is not in the data\. Received columns: \['height'\]"),
    "FeatureRecipe.to_inputs(frame): unequal columns": (lambda f: f["recipe"].to_inputs({"age": [1.0, 2.0], "gender": ["f"]}), r"equally long\. Received lengths \[1, 2\]"),
    "FeatureRecipe.dataset(batch_size)": (lambda f: f["recipe"].dataset(FRAME, batch_size=0), r"batch_size=0"),
    "FeatureRecipe.dataset(labels)": (lambda f: f["recipe"].dataset(FRAME, [0, 1]), r"`labels` must hold one label per example: 3 examples\. Received: 2 labels"),
    "FeatureRecipe.dataset(labels): NaN": (lambda f: f["recipe"].dataset(FRAME, [0.0, np.nan, 1.0]), r"`labels` must hold finite numbers\. Received: labels\[1\]=nan"),
    "FeatureRecipe.dataset(shuffle)": (lambda f: f["recipe"].dataset(FRAME, shuffle=1), r"shuffle=1"),
    "FeatureRecipe.dataset(seed)": (lambda f: f["recipe"].dataset(FRAME, seed=-2), r"seed=-2"),
    "FeatureRecipe.encode(columns)": (lambda f: f["recipe"].encode(f["recipe"].inputs(), [learn.real_valued_column("height")]), r"`columns` names columns that are not in the feature recipe: \['height'\]"),
    # canned models
    "DNNClassifier(features)": (lambda f: learn.DNNClassifier(np.array([["a", "b"]]), [8]), r"`x` must be a 2-D array of numbers"),
    "DNNClassifier(hidden_units)": (lambda f: learn.DNNClassifier(X, []), r"hidden_units=\[\]"),
    "DNNClassifier(n_classes)": (lambda f: learn.DNNClassifier(X, [4], n_classes=1), r"n_classes=1"),
    "DNNClassifier(dropout)": (lambda f: learn.DNNClassifier(X, [4], dropout=1.0), r"`dropout` must be a number in \[0, 1\)\. Received: dropout=1\.0"),
    "DNNClassifier(optimizer)": (lambda f: learn.DNNClassifier(X, [4], optimizer="fastest"), r"`optimizer` must be None, a keras\.optimizers\.Optimizer or a name such as 'adam'\. Received: optimizer='fastest'"),
    "DNNClassifier(activation)": (lambda f: learn.DNNClassifier(X, [4], activation="wiggle"), r"activation='wiggle'"),
    "DNNClassifier(name)": (lambda f: learn.DNNClassifier(X, [4], name=""), r"name=''"),
    "DNNRegressor(hidden_units)": (lambda f: learn.DNNRegressor(X, [8, 0]), r"hidden_units=\[8, 0\]"),
    "LinearClassifier(l1_regularization)": (lambda f: learn.LinearClassifier(X, l1_regularization=-1.0), r"l1_regularization=-1\.0"),
    "LinearClassifier(n_classes)": (lambda f: learn.LinearClassifier(X, n_classes=2.5), r"n_classes=2\.5"),
    "LinearRegressor(l2_regularization)": (lambda f: learn.LinearRegressor(X, l2_regularization=float("nan")), r"l2_regularization=nan"),
    "LogisticRegressor(optimizer)": (lambda f: learn.LogisticRegressor(X, optimizer=3), r"optimizer=3"),
    "SVM(loss)": (lambda f: learn.SVM(X, loss="log"), r"Unknown `loss`\. Accepted: hinge, squared_hinge\. Received: loss='log'"),
    "SVM(n_classes)": (lambda f: learn.SVM(X, n_classes=1), r"n_classes=1"),
    "DNNLinearCombinedClassifier(dnn_hidden_units)": (lambda f: learn.DNNLinearCombinedClassifier(learn.FeatureRecipe([AGE, GENDER]).adapt(FRAME), [GENDER], [AGE], []), r"dnn_hidden_units=\[\]"),
    "DNNLinearCombinedClassifier(dnn_dropout)": (lambda f: wide_deep(dnn_dropout=-0.1), r"dnn_dropout=-0\.1"),
    "DNNLinearCombinedClassifier(linear_feature_columns)": (lambda f: learn.DNNLinearCombinedClassifier(learn.FeatureRecipe([AGE, GENDER]).adapt(FRAME), GENDER, [AGE], [4]), r"`linear_feature_columns` must be a list of the recipe's columns"),
    "DNNLinearCombinedClassifier(dnn_feature_columns): not the recipe's": (lambda f: learn.DNNLinearCombinedClassifier(learn.FeatureRecipe([AGE, GENDER]).adapt(FRAME), [GENDER], [learn.real_valued_column("h")], [4]), r"`dnn_feature_columns` names columns that are not in the feature recipe: \['h'\]"),
    "DNNLinearCombinedClassifier(linear_optimizer)": (lambda f: wide_deep(linear_optimizer="fastest"), r"linear_optimizer='fastest'"),
    "DNNLinearCombinedClassifier(n_classes)": (lambda f: wide_deep(n_classes=0), r"n_classes=0"),
    "CannedModel.fit(y)": (lambda f: f["dnn"].fit(X, np.where(Y == 2, 3, Y), verbose=0), r"`y` must hold class ids 0 \.\. 2 \(n_classes=3\)\. Received: y\[2\]=3"),
    "CannedModel.fit(y): missing": (lambda f: f["dnn"].fit(X, verbose=0), r"`fit` needs the labels `y` with the features `x`\. Received: y=None"),
    "CannedModel.fit(x): NaN": (lambda f: f["dnn"].fit(WITH_NAN, Y, verbose=0), r"Received: x\[1, 1\]=nan"),
    "CannedModel.evaluate(x)": (lambda f: f["dnn"].evaluate(X[:, :2], Y, verbose=0), r"`x` must have 3 feature\(s\) per example.*Received: x=an array of shape \(12, 2\)"),
    "CannedModel.predict(x)": (lambda f: f["dnn"].predict(np.zeros((0, 3)), verbose=0), r"`x` must not be empty"),
    "CannedModel.fit(x): a dataset of other columns": (lambda f: f["dnn"].fit(tf.data.Dataset.from_tensor_slices(({"age": X}, Y)).batch(4), verbose=0), r"The dataset's features must be the model's input columns \['x'\]\. Received: \['age'\]"),
    "head_of(model)": (lambda f: learn.head_of("svm"), r"`model` must be a Keras model \(a canned model\)\. Received: model='svm'"),
    # KMeans
    "KMeans(num_centers)": (lambda f: learn.KMeans(0), r"`num_centers` must be a positive integer\. Received: num_centers=0"),
    "KMeans(initial_clusters)": (lambda f: learn.KMeans(2, initial_clusters="farthest"), r"Received: initial_clusters='farthest'"),
    "KMeans(use_mini_batch)": (lambda f: learn.KMeans(2, use_mini_batch=1), r"use_mini_batch=1"),
    "KMeans(seed)": (lambda f: learn.KMeans(2, seed=-1), r"seed=-1"),
    "KMeans.initialize(points)": (lambda f: learn.KMeans(2).initialize(WITH_NAN), r"`points` must hold finite numbers\. Received: points\[1, 1\]=nan"),
    "KMeans.initialize(points): too few": (lambda f: learn.KMeans(4).initialize(X[:3]), r"3 points cannot seed 4 centres\. Received: num_centers=4 with 3 points"),
    "KMeans.fit(x)": (lambda f: learn.KMeans(2).fit(X[0], verbose=0), r"`x` must be a 2-D array of numbers \(points x dimensions\)\. Received: x=an array of shape \(3,\)"),
    "KMeans.fit(x): empty": (lambda f: learn.KMeans(2).fit(np.zeros((0, 3)), verbose=0), r"`x` must not be empty"),
    "KMeans.fit(x): other dimensions": (lambda f: f["kmeans"].fit(X[:, :2], verbose=0), r"`x` must have 3 dimensions, as the centres do\. Received: x=an array of shape \(12, 2\)"),
    "KMeans.fit(epochs)": (lambda f: learn.KMeans(2).fit(X, epochs=0, verbose=0), r"epochs=0"),
    "KMeans.fit(relative_tolerance)": (lambda f: learn.KMeans(2).fit(X, relative_tolerance=-1e-4, verbose=0), r"relative_tolerance=-0\.0001"),
    "KMeans.fit(max_iterations)": (lambda f: learn.KMeans(2).fit(X, max_iterations=0, verbose=0), r"max_iterations=0"),
    "KMeans.fit(x): a dataset without epochs": (lambda f: f["kmeans"].fit(tf.data.Dataset.from_tensor_slices(X).batch(4), verbose=0), r"needs `epochs=`.*Received: x=.*Dataset, epochs=None"),
    "KMeans.predict(x)": (lambda f: f["kmeans"].predict(X[:, :1], verbose=0), r"`x` must have 3 dimensions"),
    "KMeans.transform(points)": (lambda f: learn.KMeans(2).transform(X), r"KMeans has no centres yet"),
    "KMeans.score(points)": (lambda f: f["kmeans"].score(WITH_NAN), r"points\[1, 1\]=nan"),
    # the forest
    "RandomForestClassifier(num_trees)": (lambda f: learn.RandomForestClassifier(num_trees=0), r"num_trees=0"),
    "RandomForestClassifier(max_nodes)": (lambda f: learn.RandomForestClassifier(max_nodes=1.5), r"max_nodes=1\.5"),
    "RandomForestClassifier(n_classes)": (lambda f: learn.RandomForestClassifier(n_classes=1), r"n_classes=1"),
    "RandomForestClassifier(seed)": (lambda f: learn.RandomForestClassifier(seed=-1), r"seed=-1"),
    "RandomForestClassifier.fit(y)": (lambda f: learn.RandomForestClassifier(n_classes=2).fit(X, Y), r"`y` must hold class ids 0 \.\. 1 \(n_classes=2\)\. Received: y\[2\]=2"),
    "RandomForestClassifier.fit(x)": (lambda f: learn.RandomForestClassifier().fit(np.full((2, 2), np.inf), [0, 1]), r"`x` must hold finite numbers or NaN \(missing\)\. Received: x\[0, 0\]=inf"),
    "RandomForestClassifier.fit(y): count": (lambda f: learn.RandomForestClassifier(n_classes=3).fit(X, Y[:5]), r"12 examples\. Received: 5 labels"),
    "RandomForestClassifier.predict(x)": (lambda f: f["forest"].predict(X[:, :2]), r"`x` must have the 3 features the forest was grown on"),
    "RandomForestClassifier.predict_proba(x): unfitted": (lambda f: learn.RandomForestClassifier().predict_proba(X), r"The forest has not been grown: call `forest.fit\(x, y\)` first"),
    "RandomForestClassifier.save(path): unfitted": (lambda f: learn.RandomForestClassifier().save("forest"), r"The forest has not been grown: call `forest.fit\(x, y\)` first"),
    "RandomForestClassifier.evaluate(y)": (lambda f: f["forest"].evaluate(X, Y + 3), r"Received: y\[0\]=3"),
    # contrib
    "stack(layer_fn)": (lambda f: learn.stack("Dense", [4]), r"`layer_fn` must be a layer class or factory.*Received: layer_fn='Dense'"),
    "stack(args_list)": (lambda f: learn.stack(keras.layers.Dense, []), r"`args_list` must be a non-empty list, one entry per layer\. Received: args_list=\[\]"),
    "stack(name)": (lambda f: learn.stack(keras.layers.Dense, [4], name=""), r"name=''"),
    "repeat(repetitions)": (lambda f: learn.repeat(0, keras.layers.Dense, 4), r"`repetitions` must be a positive integer\. Received: repetitions=0"),
    "repeat(layer_fn)": (lambda f: learn.repeat(2, None, 4), r"layer_fn=None"),
    # the programs' configs
    "IrisConfig(test_size)": (lambda f: dataclasses.replace(IRIS, test_size=1.0), r"test_size=1\.0"),
    "IrisConfig(learning_rate)": (lambda f: dataclasses.replace(IRIS, learning_rate=-0.1), r"learning_rate=-0\.1"),
    "SVMConfig(svm_loss)": (lambda f: dataclasses.replace(programs.get("iris_svm").config, svm_loss="log"), r"svm_loss='log'"),
    "KMeansConfig(num_centers)": (lambda f: dataclasses.replace(programs.get("kmeans_blobs").config, num_centers=0), r"num_centers=0"),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_one_line_naming_the_argument_and_the_value(case, fitted):
    call, message = CASES[case]
    with pytest.raises(ValueError, match=message) as raised:
        call(fitted)
    assert len(str(raised.value).splitlines()) == 1, str(raised.value)
    assert int(fitted["dnn"].optimizer.iterations) == 0 and not fitted["kmeans"].iterations_used  # refused before any step

"""Each of the book's feature columns as a recipe row, on a small frame."""

import keras
import numpy as np
import pytest

from kclassics import learn

FRAME = {
    "age": np.array([18.0, 26, 33, 47, 61, 29], "float32"),
    "gender": np.array(["female", "male", "female", "male", "other", "female"], dtype=object),
    "education": np.array(["Bachelors", "HS-grad", "Masters", "Bachelors", "HS-grad", "Doctorate"], dtype=object),
}


def encoded(columns, frame=FRAME):
    recipe = learn.FeatureRecipe(columns).adapt(frame)
    inputs = recipe.inputs()
    model = keras.Model(inputs, recipe.encode(inputs))
    return model.predict(recipe.dataset(frame), verbose=0)


def test_real_valued_column_is_standardised():
    values = encoded([learn.real_valued_column("age")])
    assert values.shape == (6, 1)
    assert abs(values.mean()) < 1e-5 and abs(values.std() - 1) < 1e-3


def test_sparse_column_with_keys_is_a_lookup_with_an_unknown_id():
    values = encoded([learn.sparse_column_with_keys("gender", ["female", "male"])])
    assert values.shape == (6, 3)  # the unknown value, then the two keys
    assert values.argmax(1).tolist() == [1, 2, 1, 2, 0, 1]


def test_sparse_column_with_hash_bucket_hashes_equal_values_alike():
    ids = encoded([learn.sparse_column_with_hash_bucket("education", hash_bucket_size=20)]).argmax(1)
    assert ids[0] == ids[3] and ids[1] == ids[4]
    assert len(set(ids.tolist())) >= 3


def test_bucketized_column_cuts_at_the_boundaries():
    column = learn.bucketized_column(learn.real_valued_column("age"), [25, 30, 35, 40, 45, 50, 55, 60, 65])
    values = encoded([column])
    assert values.shape == (6, 10)
    assert values.argmax(1).tolist() == [0, 1, 2, 5, 8, 1]


def test_crossed_column_hashes_the_combinations():
    gender = learn.sparse_column_with_keys("gender", ["female", "male"])
    ages = learn.bucketized_column(learn.real_valued_column("age"), [30])
    ids = encoded([learn.crossed_column([ages, gender], hash_bucket_size=1000)]).argmax(1)
    assert ids.shape == (6,)
    assert ids[0] == ids[5]  # (<30, female) twice
    assert ids[0] != ids[1] and ids[1] != ids[3]  # (<30, female) vs (<30, male) vs (>=30, male)


def test_embedding_column_is_a_learned_vector_per_id():
    education = learn.sparse_column_with_hash_bucket("education", hash_bucket_size=20)
    values = encoded([learn.embedding_column(education, dimension=8)])
    assert values.shape == (6, 8)
    np.testing.assert_array_equal(values[0], values[3])
    assert not np.allclose(values[0], values[1])


def test_infer_real_valued_columns_takes_a_plain_array():
    x = np.arange(12, dtype="float32").reshape(4, 3)
    recipe = learn.infer_real_valued_columns_from_input(x)
    inputs = recipe.inputs()
    np.testing.assert_array_equal(keras.Model(inputs, recipe.encode(inputs)).predict(recipe.dataset(x), verbose=0), x)


def test_each_column_is_a_feature_space_feature():
    columns = [learn.real_valued_column("age"), learn.sparse_column_with_keys("gender", ["female", "male"]),
               learn.sparse_column_with_hash_bucket("education", 20), learn.bucketized_column(learn.real_valued_column("age"), [30])]
    layers = [type(c.feature().preprocessor).__name__ for c in columns]
    assert layers == ["Normalization", "StringLookup", "Hashing", "Discretization"]
    assert learn.crossed_column(columns[1:], 10).feature().crossing_dim == 10


def test_a_column_the_data_lacks_is_named():
    recipe = learn.FeatureRecipe([learn.real_valued_column("income")])
    with pytest.raises(ValueError, match=r"Column 'income' of the feature recipe is not in the data.*\['age', 'education', 'gender'\]"):
        recipe.adapt(FRAME)


@pytest.mark.parametrize("column", [learn.real_valued_column("gender"),
                                    learn.bucketized_column(learn.real_valued_column("gender"), [1.0])])
def test_a_text_column_fed_to_a_numeric_recipe_is_named(column):
    with pytest.raises(ValueError, match=r"Column 'gender' holds text values, but the recipe reads it as numbers"):
        learn.FeatureRecipe([column]).adapt(FRAME)


@pytest.mark.parametrize("build, message", [
    (lambda: learn.sparse_column_with_keys("g", []), "keys"),
    (lambda: learn.sparse_column_with_hash_bucket("g", 0), "hash_bucket_size"),
    (lambda: learn.bucketized_column(learn.real_valued_column("a"), [3, 1]), "boundaries"),
    (lambda: learn.crossed_column([learn.real_valued_column("a"), learn.real_valued_column("b")], 10), "columns"),
    (lambda: learn.embedding_column(learn.real_valued_column("a"), 4), "sparse_column"),
    (lambda: learn.FeatureRecipe([]), "at least one column"),
])
def test_bad_columns_are_refused(build, message):
    with pytest.raises(ValueError, match=message):
        build()

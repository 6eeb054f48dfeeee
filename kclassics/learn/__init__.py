"""TF.Learn for Keras 3 (book chapter 10): feature recipes and canned models that train with `model.fit`.

    from kclassics import learn
    recipe = learn.FeatureRecipe([learn.real_valued_column("age"),
                                  learn.sparse_column_with_keys("sex", ["female", "male"])]).adapt(train)
    model = learn.DNNClassifier(recipe, hidden_units=[10, 20, 10], n_classes=2)
    model.fit(recipe.dataset(train, y_train, shuffle=True), epochs=10)
    model.evaluate(recipe.dataset(test, y_test))

The book's estimators map to: `DNNClassifier` / `DNNRegressor`,
`LinearClassifier` / `LinearRegressor`, `LogisticRegressor`, `SVM`,
`DNNLinearCombinedClassifier` (wide & deep), `KMeans`, and
`RandomForestClassifier` (TensorForest, on ydf). See docs/learn.md.
"""

from kclassics import _backend

_backend.require_tensorflow("kclassics.learn")

from kclassics.learn.canned import (  # noqa: E402
    SVM,
    DNNClassifier,
    DNNLinearCombinedClassifier,
    DNNRegressor,
    LinearClassifier,
    LinearRegressor,
    LogisticRegressor,
    WideAndDeepModel,
    head_of,
)
from kclassics.learn.contrib import repeat, stack  # noqa: E402
from kclassics.learn.features import (  # noqa: E402
    FeatureRecipe,
    bucketized_column,
    crossed_column,
    embedding_column,
    infer_real_valued_columns_from_input,
    real_valued_column,
    sparse_column_with_hash_bucket,
    sparse_column_with_keys,
)
from kclassics.learn.forest import RandomForestClassifier  # noqa: E402
from kclassics.learn.kmeans import KMeans  # noqa: E402

__all__ = [
    "DNNClassifier", "DNNLinearCombinedClassifier", "DNNRegressor", "FeatureRecipe", "KMeans", "LinearClassifier",
    "LinearRegressor", "LogisticRegressor", "RandomForestClassifier", "SVM", "WideAndDeepModel", "bucketized_column",
    "crossed_column", "embedding_column", "head_of", "infer_real_valued_columns_from_input", "real_valued_column", "repeat",
    "sparse_column_with_hash_bucket", "sparse_column_with_keys", "stack",
]

"""Each canned model of kclassics.learn beside the matching scikit-learn estimator, on the same split.

    python apps/benchmark_learn.py            # about 3 minutes on 2 CPU cores

Prints one row per pair: test accuracy (KMeans: inertia, the summed squared
distance to the nearest centre) of kclassics.learn and of scikit-learn, and
the wide & deep model against its linear part alone and its deep part alone,
each trained for the same steps on the same penguins split.
"""

import dataclasses
import tempfile

import numpy as np


def main():
    import keras
    from sklearn.cluster import KMeans as SKMeans
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier
    from sklearn.svm import LinearSVC

    from kclassics import learn, programs
    from kclassics.learn.datasets import load_iris_split, penguin_sex_split
    from kclassics.programs import learn as examples

    (x_train, y_train), (x_test, y_test) = load_iris_split()
    rows = []
    out = tempfile.mkdtemp()

    def program(name, **changes):
        config = dataclasses.replace(programs.get(name).config, **changes)
        return programs.get(name).run(config, out=f"{out}/{name}-{len(rows)}", verbose=0)

    def accuracy(estimator):
        return float(np.mean(estimator.fit(x_train, y_train).predict(x_test) == y_test))

    rows.append(("LinearClassifier (FTRL 0.1, 800 steps) / LogisticRegression", program("iris_linear").test_accuracy,
                 accuracy(LogisticRegression(max_iter=1000))))
    rows.append(("SVM (hinge + L2, one-vs-rest, 800 steps) / LinearSVC", program("iris_svm").test_accuracy,
                 accuracy(LinearSVC(random_state=0))))
    rows.append(("DNNClassifier [10, 20, 10] (Adagrad 0.05, 800 steps) / MLPClassifier", program("iris_dnn", learning_rate=0.05, decay_steps=0).test_accuracy,
                 accuracy(MLPClassifier((10, 20, 10), max_iter=2000, random_state=0))))
    rows.append(("DNNClassifier, the book's decaying rate / MLPClassifier", program("iris_dnn").test_accuracy,
                 accuracy(MLPClassifier((10, 20, 10), max_iter=2000, random_state=0))))
    rows.append(("custom model_fn (stack + logistic, 700 steps) / MLPClassifier", program("iris_custom_model").test_accuracy,
                 accuracy(MLPClassifier((10, 20, 10), max_iter=2000, random_state=0))))
    rows.append(("RandomForestClassifier (ydf, 3 trees) / RandomForestClassifier (3 trees)", program("iris_random_forest").test_accuracy,
                 accuracy(RandomForestClassifier(3, random_state=0))))

    config = programs.get("kmeans_blobs").config
    points = examples.blobs(config)
    kmeans = learn.KMeans(6, initial_clusters="kmeans_plus_plus", seed=config.seed)
    kmeans.fit(points, epochs=50, verbose=0)
    reference = SKMeans(6, init="k-means++", n_init=1, max_iter=50, algorithm="lloyd", random_state=0).fit(points)
    rows.append(("KMeans k-means++, 50 Lloyd iterations: inertia / scikit-learn", kmeans.score(points), float(reference.inertia_)))

    (frame, labels), (test_frame, test_labels) = penguin_sex_split()
    columns, wide, deep = examples.penguin_columns()
    steps = programs.get("wide_deep_penguins").config.steps

    def fit(model, recipe):
        keras.utils.set_random_seed(0)
        model.fit(recipe.dataset(frame, labels, 32, shuffle=True, repeat=True), steps_per_epoch=100, epochs=steps // 100, verbose=0)
        return model.evaluate(recipe.dataset(test_frame, test_labels), verbose=0, return_dict=True)["accuracy"]

    keras.utils.set_random_seed(0)
    wide_deep = program("wide_deep_penguins").test_accuracy
    keras.utils.set_random_seed(0)
    wide_recipe = learn.FeatureRecipe(wide).adapt(frame)
    linear_only = fit(learn.LinearClassifier(wide_recipe), wide_recipe)
    keras.utils.set_random_seed(0)
    deep_recipe = learn.FeatureRecipe(deep).adapt(frame)
    deep_only = fit(learn.DNNClassifier(deep_recipe, [100, 50]), deep_recipe)

    print(f"{'pair':78s} {'kclassics':>12s} {'scikit-learn':>14s}")
    for name, ours, theirs in rows:
        print(f"{name:78s} {ours:12.4f} {theirs:14.4f}")
    print(f"\nwide & deep on the penguins (sex), {steps} steps: wide & deep {wide_deep:.4f}, "
          f"linear part alone {linear_only:.4f}, deep part alone {deep_only:.4f}")


if __name__ == "__main__":
    main()

"""The book's TensorForest random forest (10.3.2, L6792-6820) on ydf (`pip install kclassics[forests]`).

TensorFlow Decision Forests, TensorForest's successor, is pinned to TF 2.19
and does not support Keras 3; ydf is the maintained library behind it. The
model is a ydf model behind the fit / predict / evaluate surface of the other
canned models; it trains on the CPU, not under a `tf.distribute` strategy.
"""

import numpy as np

from kclassics import validation


def _ydf():
    try:
        import ydf
    except ImportError:  # an optional extra
        raise ImportError("The random forest needs ydf: pip install 'kclassics[forests]' (or pip install ydf).") from None
    return ydf


class RandomForestClassifier:
    """`tf.contrib.learn.TensorForestEstimator(ForestHParams(num_trees, max_nodes, num_classes, num_features))`.

    Args:
        num_trees: trees in the forest (the book's example: 3).
        max_nodes: at most this many nodes per tree (the book's: 1000); grown best-first, as TensorForest did.
        n_classes: number of classes (labels 0 .. n_classes - 1).
        seed: the forest's random seed.
    """

    def __init__(self, num_trees=3, max_nodes=1000, n_classes=2, seed=0):
        validation.positive_int("num_trees", num_trees)
        validation.positive_int("max_nodes", max_nodes)
        validation.positive_int("n_classes", n_classes)
        if n_classes < 2:
            raise ValueError(f"`n_classes` must be at least 2 (a classifier chooses between classes). Received: n_classes={n_classes}")
        validation.seed("seed", seed)
        self.num_trees, self.max_nodes, self.n_classes, self.seed = num_trees, max_nodes, n_classes, seed
        self.model = None
        self.num_features = None

    def _frame(self, x):
        """`x` as ydf's frame; NaN is a missing value (ydf's), infinities are refused."""
        x = validation.array("x", x, ndim=2, what="numbers (examples x features)", finite=False)
        if np.isinf(x).any():
            index = tuple(int(i) for i in np.argwhere(np.isinf(x))[0])
            raise ValueError(f"`x` must hold finite numbers or NaN (missing). Received: x[{index[0]}, {index[1]}]={x[index].item()!r}")
        if self.num_features is not None and x.shape[1] != self.num_features:
            raise ValueError(f"`x` must have the {self.num_features} features the forest was grown on. "
                             f"Received: x=an array of shape {x.shape}")
        return {"x": x.astype("float32")}

    def fit(self, x, y):
        """Grows the forest on `x` (examples x features; NaN is a missing value) and integer labels `y`; returns self."""
        self.num_features = None  # a new forest, of any width
        frame = self._frame(x)
        y = validation.class_ids("y", y, self.n_classes, allow_empty=False).reshape(-1)
        if len(y) != len(frame["x"]):
            raise ValueError(f"`y` must hold one label per example: {len(frame['x'])} examples. Received: {len(y)} labels")
        ydf = _ydf()
        learner = ydf.RandomForestLearner(
            label="label", num_trees=self.num_trees, max_num_nodes=self.max_nodes, growing_strategy="BEST_FIRST_GLOBAL",
            label_classes=[str(c) for c in range(self.n_classes)], random_seed=self.seed,
        )
        self.model = learner.train({**frame, "label": y.astype(str)}, verbose=0)
        self.num_features = frame["x"].shape[1]
        return self

    def _check_fitted(self):
        if self.model is None:
            raise ValueError("The forest has not been grown: call `forest.fit(x, y)` first.")

    def predict_proba(self, x):
        """(n, n_classes) class probabilities (the trees' votes)."""
        self._check_fitted()
        probabilities = np.asarray(self.model.predict(self._frame(x)))
        if probabilities.ndim == 1:  # binary: ydf returns the second class's probability
            probabilities = np.stack([1 - probabilities, probabilities], axis=1)
        return probabilities

    def predict(self, x):
        """The most probable class of each example."""
        return self.predict_proba(x).argmax(axis=1)

    def evaluate(self, x, y):
        """{"accuracy": ...} on `x`, `y`."""
        predicted = self.predict(x)
        y = validation.class_ids("y", y, self.n_classes).reshape(-1)
        if len(y) != len(predicted):
            raise ValueError(f"`y` must hold one label per example: {len(predicted)} examples. Received: {len(y)} labels")
        return {"accuracy": float(np.mean(predicted == y))}

    def save(self, path):
        """Saves the ydf model to the directory `path` (load it with `ydf.load_model`)."""
        self._check_fitted()
        self.model.save(str(path))

"""K-means clustering (book 10.3.3, L6850-6905) as a `kclassics.Model`: Lloyd's algorithm in `keras.ops`.

    kmeans = KMeans(num_centers=6, initial_clusters="random", seed=12)
    kmeans.fit(points)                    # Lloyd's algorithm to convergence (kmeans.iterations_used, kmeans.converged)
    kmeans.fit(points, epochs=10)         # exactly 10 Lloyd iterations, as the book's `steps=10`
    kmeans.predict(points)                # the nearest centre of each point
    kmeans.score(points)                  # the summed squared distance to the nearest centre (scikit-learn's inertia)
    kmeans.transform(points)              # the squared distance to every centre
    kmeans.cluster_centers                # (num_centers, dims)

`fit` calls `train_step`, which assigns each point of the batch to its
nearest centre and moves every centre to the mean of its points (a centre
with no points stays): with the whole data set as one batch, one step is one
iteration of Lloyd's algorithm (the book's `use_mini_batch=False`).
Without `epochs`, `fit` iterates until the inertia changes by less than
`relative_tolerance` from one iteration to the next (TF.Learn's
`KMeansClustering(relative_tolerance=)` rule) or `max_iterations` have run
(scikit-learn's `max_iter`); with `epochs` it runs exactly that many, as
`keras.Model.fit` does.
"""

import keras
from keras import ops

from kclassics import validation
from kclassics.model import Model

INITIALIZATIONS = ("random", "kmeans_plus_plus")
RELATIVE_TOLERANCE = 1e-4  # scikit-learn's `tol` default; TF.Learn's `relative_tolerance` had none (it ran `steps`)
MAX_ITERATIONS = 300  # scikit-learn's `max_iter` default


def squared_distances(points, centers):
    """(n, k) squared Euclidean distances between each point and each centre."""
    return ops.maximum(
        ops.sum(points**2, axis=1, keepdims=True) - 2.0 * ops.matmul(points, ops.transpose(centers)) + ops.sum(centers**2, axis=1)[None, :],
        0.0,
    )


@keras.saving.register_keras_serializable(package="kclassics")
class KMeans(Model):
    """`tf.contrib.factorization.KMeansClustering`: `num_centers` centres fitted by Lloyd's algorithm.

    Args:
        num_centers: number of clusters.
        initial_clusters: "random" (the book's RANDOM_INIT: distinct points drawn at random) or
            "kmeans_plus_plus" (each next centre drawn with probability proportional to its squared
            distance from the nearest chosen one).
        use_mini_batch: False (the book's choice): each step moves the centres to the means of the batch's
            points, so feed the whole data set as one batch (the default for an array); True: to the running
            means of all points assigned so far (mini-batch k-means).
        seed: seed of the initialisation.
        name: the model's name.
    """

    def __init__(self, num_centers, initial_clusters="random", use_mini_batch=False, seed=None, name="kmeans", **kwargs):
        super().__init__(name=name, **kwargs)
        validation.positive_int("num_centers", num_centers)
        validation.one_of("initial_clusters", initial_clusters, INITIALIZATIONS)
        validation.boolean("use_mini_batch", use_mini_batch)
        if seed is not None:
            validation.seed("seed", seed)
        self.num_centers = num_centers
        self.initial_clusters = initial_clusters
        self.use_mini_batch = use_mini_batch
        self.seed = seed
        self.initialized = False
        self.iterations_used = 0  # Lloyd iterations (passes over the points) of the last `fit`
        self.converged = None  # whether the last `fit` without `epochs` met `relative_tolerance`

    def build(self, input_shape):
        self.centers = self.add_weight((self.num_centers, input_shape[-1]), initializer="zeros", trainable=False, name="centers")
        self.counts = self.add_weight((self.num_centers,), initializer="zeros", trainable=False, name="counts")

    def call(self, points):
        return ops.argmin(squared_distances(ops.cast(points, self.centers.dtype), self.centers), axis=1)

    def compile(self, **kwargs):
        # No gradients: the optimizer only counts the Lloyd iterations (the global step of checkpoints and logs).
        super().compile(optimizer=keras.optimizers.SGD(0.0), **kwargs)

    def load_own_variables(self, store):
        """Keras's; the loaded centres are where `fit` goes on from (a KMeans loaded by `keras.saving.load_model`
        would otherwise choose new ones and drop them)."""
        super().load_own_variables(store)
        self.initialized = self.built

    def compile_from_config(self, config):
        """Compiles as saved, for `keras.saving.load_model` (which leaves a model whose `compile` is its own uncompiled)."""
        config = keras.saving.deserialize_keras_object(config)
        config.pop("optimizer", None)  # always its own
        self.compile(**config)

    def initialize(self, points):
        """Chooses the initial centres among `points` (an (n, dims) array) and resets the running counts."""
        points = ops.convert_to_tensor(self._check_points("points", points), "float32")
        n = int(ops.shape(points)[0])
        if n < self.num_centers:
            raise ValueError(
                f"KMeans needs at least as many points as centres: {n} points cannot seed {self.num_centers} centres. "
                f"Received: num_centers={self.num_centers} with {n} points"
            )
        if not self.built:
            self.build(points.shape)
        generator = keras.random.SeedGenerator(self.seed)
        if self.initial_clusters == "random":
            order = keras.random.shuffle(ops.arange(n), seed=generator)
            centers = ops.take(points, order[: self.num_centers], axis=0)
        else:
            first = keras.random.randint((), 0, n, seed=generator)
            centers = ops.take(points, ops.reshape(first, (1,)), axis=0)
            for _ in range(1, self.num_centers):
                nearest = ops.min(squared_distances(points, centers), axis=1)
                logits = ops.log(ops.maximum(nearest, 1e-30))[None, :]
                chosen = keras.random.categorical(logits, 1, seed=generator)[0]
                centers = ops.concatenate([centers, ops.take(points, chosen, axis=0)], axis=0)
        self.centers.assign(centers)
        self.counts.assign(ops.zeros((self.num_centers,)))
        self.initialized = True
        return self

    def _check_points(self, name, points):
        """`points` as a 2-D array of finite numbers, as wide as the centres once they exist (a tensor: by its shape)."""
        if not ops.is_tensor(points):
            points = validation.array(name, points, ndim=2, what="numbers (points x dimensions)")
        elif len(points.shape) != 2:
            raise ValueError(f"`{name}` must be a 2-D tensor of points x dimensions. Received: {name} of shape {tuple(points.shape)}")
        if self.built and points.shape[1] is not None and points.shape[1] != self.centers.shape[1]:
            raise ValueError(f"`{name}` must have {self.centers.shape[1]} dimensions, as the centres do. "
                             f"Received: {name}=an array of shape {points.shape}")
        return points

    def fit(self, x=None, y=None, epochs=None, relative_tolerance=RELATIVE_TOLERANCE, max_iterations=MAX_ITERATIONS, **kwargs):
        """Lloyd's algorithm on the points `x`: to convergence, or for exactly `epochs` iterations.

        Args:
            x: an (n, dims) array of points (the centres are first chosen among them), or a dataset of
                batches once `initialize(points)` has chosen the centres (then `epochs` is needed).
            epochs: Lloyd iterations to run (passes over the points, with `use_mini_batch`), as
                `keras.Model.fit`; None: until convergence.
            relative_tolerance: without `epochs`, stop once the inertia (summed squared distance to the
                nearest centre) changes by at most this fraction, `|previous - now| / (1 + |previous|)`,
                TF.Learn's rule; 0 runs until no point changes cluster.
            max_iterations: without `epochs`, stop after this many iterations (`converged` is then False).
            **kwargs: `keras.Model.fit`'s (callbacks, verbose, initial_epoch, ...).

        Returns:
            The `History`; `iterations_used` holds the iterations this call ran.
        """
        validation.positive_int("epochs", epochs, allow_none=True)
        validation.non_negative_float("relative_tolerance", relative_tolerance)
        validation.positive_int("max_iterations", max_iterations)
        is_array = x is not None and not _is_dataset(x)
        if is_array:
            x = self._check_points("x", x)
        if not self.initialized:
            if not is_array:
                raise ValueError("Call `initialize(points)` before fitting KMeans on a dataset. "
                                 f"Received: x={type(x).__name__}")
            self.initialize(x)
        if is_array and not self.use_mini_batch and kwargs.get("batch_size") is None:
            kwargs["batch_size"] = len(x)
        if not self.compiled:
            self.compile()
        callbacks = list(kwargs.pop("callbacks", None) or [])
        until = None
        if epochs is None:
            if not is_array:
                raise ValueError("KMeans.fit on a dataset needs `epochs=`: convergence is judged on all the points, "
                                 f"given as an array. Received: x={type(x).__name__}, epochs=None")
            until = Convergence(relative_tolerance, None if not self.use_mini_batch else x)
            callbacks.insert(0, until)
            epochs = kwargs.get("initial_epoch", 0) + max_iterations
        history = super().fit(x, y, epochs=epochs, callbacks=callbacks, **kwargs)
        self.iterations_used = len(history.epoch)
        self.converged = until.converged if until is not None else None
        return history

    def train_step(self, data):
        points, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        points = ops.cast(points, self.centers.dtype)
        assignment = ops.one_hot(self(points), self.num_centers)  # (n, k)
        batch_counts = ops.sum(assignment, axis=0)
        batch_sums = ops.matmul(ops.transpose(assignment), points)
        if self.use_mini_batch:  # the running mean of all points assigned so far
            totals = self.counts + batch_counts
            moved = (self.centers * self.counts[:, None] + batch_sums) / ops.maximum(totals, 1.0)[:, None]
        else:  # Lloyd: the mean of this batch's points
            totals = batch_counts
            moved = batch_sums / ops.maximum(totals, 1.0)[:, None]
        self.centers.assign(ops.where((batch_counts > 0)[:, None], moved, self.centers))
        self.counts.assign(totals)
        self.optimizer.iterations.assign_add(1)
        inertia = ops.sum(ops.min(squared_distances(points, self.centers), axis=1))
        return {"inertia": inertia}

    def score(self, points, batch_size=None):
        """The summed squared distance of each point to its nearest centre (the book's `score`; scikit-learn's inertia)."""
        return float(ops.convert_to_numpy(ops.sum(ops.min(self.transform(points), axis=1))))

    def transform(self, points, batch_size=None):
        """(n, num_centers) squared distances of each point to each centre (the book's `transform`)."""
        self._check_fitted()
        return squared_distances(ops.convert_to_tensor(self._check_points("points", points), "float32"), self.centers)

    def predict(self, x, **kwargs):
        """The nearest centre of each point (the book's `predict_cluster_idx`)."""
        self._check_fitted()
        if not _is_dataset(x):
            x = self._check_points("x", x)
        return super().predict(x, **kwargs)

    def _check_fitted(self):
        if not self.initialized and not self.built:
            raise ValueError("KMeans has no centres yet: call `fit(points)` or `initialize(points)` first.")

    @property
    def cluster_centers(self):
        """The centres as a (num_centers, dims) NumPy array (the book's `clusters()`)."""
        return ops.convert_to_numpy(self.centers)

    def clusters(self):
        """The book's name for `cluster_centers`."""
        return self.cluster_centers

    def get_config(self):
        return {"num_centers": self.num_centers, "initial_clusters": self.initial_clusters,
                "use_mini_batch": self.use_mini_batch, "seed": self.seed, "name": self.name}


def _is_dataset(x):
    """Whether `x` is a dataset (tf.data, a generator, a PyDataset) rather than an array of points."""
    return not hasattr(x, "shape") and not isinstance(x, (list, tuple))


class Convergence(keras.callbacks.Callback):
    """Stops `KMeans.fit` once the inertia's relative change `|previous - now| / (1 + |previous|)` is at most `tolerance`.

    The rule of TF.Learn's `KMeansClustering(relative_tolerance=)`. The inertia is
    the full-batch step's (`logs["inertia"]`, the points' summed squared distance to
    the moved centres), or with mini-batches the model's `score(points)` after the pass.
    """

    def __init__(self, tolerance, points=None):
        super().__init__()
        self.tolerance, self.points = tolerance, points
        self.previous, self.converged = None, False

    def on_epoch_end(self, epoch, logs=None):
        inertia = self.model.score(self.points) if self.points is not None else float(logs["inertia"])
        if self.previous is not None and abs(self.previous - inertia) / (1.0 + abs(self.previous)) <= self.tolerance:
            self.converged = True
            self.model.stop_training = True
        self.previous = inertia

"""The book's TF.Learn examples (chapter 10) as programs: canned models trained with `model.fit`.

    kclassics train iris_custom_model      # stack(10, 20, 10) + zero-initialised logistic regression, Adagrad 0.1, 700 steps
    kclassics train iris_dnn               # DNNClassifier [10, 20, 10], Adagrad with exponential decay, 800 steps
    kclassics train iris_linear            # LinearClassifier, FTRL 0.1
    kclassics train iris_svm               # SVM, hinge + L2
    kclassics train iris_random_forest     # TensorForest: 3 trees of at most 1,000 nodes (ydf)
    kclassics train kmeans_blobs           # KMeans: 6 random centres, 10,000 points, 10 Lloyd iterations
    kclassics train wide_deep_penguins     # DNNLinearCombinedClassifier [100, 50] on the Palmer penguins

Each prints the book's kind of lines (the loss every 100 steps, then the test
accuracy or score) and writes a run directory with its export.
"""

import dataclasses
from typing import Optional

import numpy as np

from kclassics import validation
from kclassics.log import log
from kclassics.programs import Length, Program, register
from kclassics.runs import Run

LOG_EVERY = 100  # the book's Estimators logged the loss every 100 steps


@dataclasses.dataclass(frozen=True)
class IrisConfig:
    """What every TF.Learn example trained with `fit` shares: its steps, batches, data split and seed.

    Attributes:
        steps: training steps (`fit(..., steps=)`).
        batch_size: examples per step (not given in the book; tf.contrib.learn's feeder took 32 by default).
        learning_rate: the optimizer's (initial) learning rate; None: the canned estimator's default.
        test_size: share of the examples held out for the test.
        random_state: `train_test_split`'s seed.
        seed: seed of weights and shuffling.
        source: where in the book these values come from.
    """

    steps: int = 800
    batch_size: int = 32
    learning_rate: Optional[float] = None
    test_size: float = 0.2
    random_state: int = 42
    seed: int = 0
    source: str = ""

    def __post_init__(self):
        for field in ("steps", "batch_size"):
            validation.positive_int(field, getattr(self, field))
        if self.learning_rate is not None:
            validation.positive_float("learning_rate", self.learning_rate)
        validation.fraction("test_size", self.test_size, low_open=True, high_open=True)
        validation.seed("random_state", self.random_state)
        validation.seed("seed", self.seed)

    def split(self):
        """(train, test): iris's features and labels, split as the book's `train_test_split`."""
        from kclassics.learn.datasets import load_iris_split

        return load_iris_split(self.test_size, self.random_state)


@dataclasses.dataclass(frozen=True)
class CustomModelConfig(IrisConfig):
    """The book's own `model_fn` (10.1.1): `stack` of fully connected ReLU layers, then a zero-initialised logistic regression.

    Attributes:
        hidden_units: the stack's widths.
    """

    hidden_units: tuple = (10, 20, 10)

    def build(self, train):
        """(compiled model, feature recipe) for the training data `train`."""
        import keras

        from kclassics import learn
        from kclassics.learn import stack
        from kclassics.model import Model

        recipe = learn.infer_real_valued_columns_from_input(train[0])
        inputs = recipe.inputs()
        features = stack(keras.layers.Dense, list(self.hidden_units), name="fully_connected",
                         activation="relu")(recipe.encode(inputs))
        outputs = keras.layers.Dense(_classes(train), activation="softmax", kernel_initializer="zeros",
                                     name="logistic_regression")(features)
        model = Model(inputs, outputs, name="my_model")
        model.compile(optimizer=keras.optimizers.Adagrad(self.learning_rate), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        return model, recipe


@dataclasses.dataclass(frozen=True)
class DNNConfig(IrisConfig):
    """`DNNClassifier` (10.2.1) on Adagrad, its rate decayed exponentially (`optimizer_exp_decay`, L6702).

    Attributes:
        hidden_units: the hidden layers' widths.
        decay_steps, decay_rate: the exponential decay of the learning rate; decay_steps 0 keeps it constant.
    """

    hidden_units: tuple = (10, 20, 10)
    decay_steps: int = 0
    decay_rate: float = 0.0

    def __post_init__(self):
        super().__post_init__()
        validation.non_negative_int("decay_steps", self.decay_steps)
        validation.non_negative_float("decay_rate", self.decay_rate)

    def build(self, train):
        import keras

        from kclassics import learn

        recipe = learn.infer_real_valued_columns_from_input(train[0])
        rate = self.learning_rate or learn.canned.DNN_LEARNING_RATE
        if self.decay_steps:
            rate = keras.optimizers.schedules.ExponentialDecay(rate, self.decay_steps, self.decay_rate)
        return learn.DNNClassifier(recipe, list(self.hidden_units), _classes(train),
                                   optimizer=keras.optimizers.Adagrad(rate)), recipe


@dataclasses.dataclass(frozen=True)
class LinearConfig(IrisConfig):
    """`LinearClassifier` (10.3.1) on FTRL."""

    def build(self, train):
        import keras

        from kclassics import learn

        recipe = learn.infer_real_valued_columns_from_input(train[0])
        return learn.LinearClassifier(recipe, _classes(train), optimizer=keras.optimizers.Ftrl(self.learning_rate)), recipe


@dataclasses.dataclass(frozen=True)
class SVMConfig(IrisConfig):
    """The linear `SVM` (10.3.4): one-vs-rest hinge loss with an L2 penalty.

    Attributes:
        l2_regularization: the L2 penalty.
        svm_loss: "hinge" (the book's) or "squared_hinge" (scikit-learn's LinearSVC default).
    """

    l2_regularization: float = 0.0
    svm_loss: str = "hinge"

    def __post_init__(self):
        super().__post_init__()
        validation.non_negative_float("l2_regularization", self.l2_regularization)
        validation.one_of("svm_loss", self.svm_loss, ("hinge", "squared_hinge"))

    def build(self, train):
        from kclassics import learn

        recipe = learn.infer_real_valued_columns_from_input(train[0])
        return learn.SVM(recipe, _classes(train), l2_regularization=self.l2_regularization, loss=self.svm_loss), recipe


@dataclasses.dataclass(frozen=True)
class WideDeepConfig(IrisConfig):
    """`DNNLinearCombinedClassifier` (10.2.2) on the Palmer penguins, a census-shaped table of words and numbers.

    Attributes:
        hidden_units: the deep part's widths.
    """

    hidden_units: tuple = (100, 50)

    def split(self):
        from kclassics.learn.datasets import penguin_sex_split

        return penguin_sex_split(self.test_size, self.random_state)

    def build(self, train):
        from kclassics import learn

        columns, wide, deep = penguin_columns()
        recipe = learn.FeatureRecipe(columns).adapt(train[0])
        return learn.DNNLinearCombinedClassifier(recipe, wide, deep, list(self.hidden_units), n_classes=_classes(train)), recipe


@dataclasses.dataclass(frozen=True)
class ForestConfig:
    """TensorForest (10.3.2) on iris, grown by ydf.

    Attributes:
        num_trees, max_nodes: the forest's size.
        test_size, random_state: the iris split, as the other examples'.
        seed: the forest's seed.
        source: where in the book these values come from.
    """

    num_trees: int = 3
    max_nodes: int = 1000
    test_size: float = 0.2
    random_state: int = 42
    seed: int = 0
    source: str = ""

    def __post_init__(self):
        for field in ("num_trees", "max_nodes"):
            validation.positive_int(field, getattr(self, field))
        validation.fraction("test_size", self.test_size, low_open=True, high_open=True)
        validation.seed("random_state", self.random_state)
        validation.seed("seed", self.seed)

    def split(self):
        from kclassics.learn.datasets import load_iris_split

        return load_iris_split(self.test_size, self.random_state)


@dataclasses.dataclass(frozen=True)
class KMeansConfig:
    """KMeans (10.3.3) on the book's blobs: `num_points` points around `num_centers` random centres.

    Attributes:
        steps: Lloyd iterations (the book's `fit(..., steps=10)`).
        num_centers, num_points, num_dims, max_offset: the data (L6860-6880).
        seed: seed of the data and the initial centres.
        source: where in the book these values come from.
    """

    steps: int = 10
    num_centers: int = 6
    num_points: int = 10000
    num_dims: int = 2
    max_offset: float = 20.0
    seed: int = 12
    source: str = ""

    def __post_init__(self):
        for field in ("steps", "num_centers", "num_points", "num_dims"):
            validation.positive_int(field, getattr(self, field))
        validation.non_negative_float("max_offset", self.max_offset)
        validation.seed("seed", self.seed)
        if self.num_centers > self.num_points:
            raise ValueError(
                f"KMeans needs at least as many points as centres. Received: num_centers={self.num_centers}, num_points={self.num_points}"
            )


IRIS_CUSTOM_MODEL = CustomModelConfig(
    steps=700, learning_rate=0.1, random_state=35,
    source="book 10.1.1, L6372-6412: stack(10, 20, 10), logistic_regression_zero_init, Adagrad 0.1, test_size=0.2, random_state=35, steps=700",
)
IRIS_DNN = DNNConfig(
    steps=800, learning_rate=0.1, decay_steps=100, decay_rate=0.001,
    source="book 10.2.1, L6700-6725: exponential_decay(0.1, decay_steps=100, decay_rate=0.001), Adagrad, [10, 20, 10], steps=800",
)
IRIS_LINEAR = LinearConfig(
    steps=800, learning_rate=0.1,
    source="book 10.3.1, L6785: LinearClassifier(n_classes=3, optimizer=FtrlOptimizer(learning_rate=0.1)); iris as in 10.2.1",
)
IRIS_SVM = SVMConfig(
    steps=800, l2_regularization=0.001,
    source="book 10.3.4, L6915-6940: SVM(l1_regularization, l2_regularization); iris as in 10.2.1",
)
IRIS_RANDOM_FOREST = ForestConfig(
    source="book 10.3.2, L6800-6815: ForestHParams(num_trees=3, max_nodes=1000, num_classes=3, num_features=4), "
           "fit(steps=100): ydf grows each tree whole, so the steps have no counterpart",
)
KMEANS_BLOBS = KMeansConfig(
    source="book 10.3.3, L6860-6895: 6 centres * 500, 10,000 points + 20 * randn, RANDOM_INIT, random_seed=12, steps=10",
)
WIDE_DEEP_PENGUINS = WideDeepConfig(
    steps=2000,
    source="book 10.2.2, L6750-6770: DNNLinearCombinedClassifier(dnn_hidden_units=[100, 50]) on a census-shaped table",
)


def _classes(train):
    return int(np.max(train[1])) + 1


def penguin_columns():
    """The wide & deep example's columns, as the book's census example splits them (L6750-6770, L7330-7345).

    Returns:
        (all columns, wide columns, deep columns).
    """
    from kclassics import learn

    species = learn.sparse_column_with_keys("species", ["Adelie", "Chinstrap", "Gentoo"])
    island = learn.sparse_column_with_hash_bucket("island", hash_bucket_size=100)
    mass = learn.real_valued_column("body_mass_g")
    mass_buckets = learn.bucketized_column(mass, [3000, 3500, 4000, 4500, 5000, 5500])
    numbers = [learn.real_valued_column(n) for n in ("bill_length_mm", "bill_depth_mm", "flipper_length_mm")]
    wide = [species, island, mass_buckets, learn.crossed_column([species, mass_buckets], hash_bucket_size=1000),
            learn.crossed_column([species, island], hash_bucket_size=100)]
    deep = [mass, *numbers, learn.embedding_column(species, dimension=8), learn.embedding_column(island, dimension=8)]
    return wide + deep, wide, deep


def run_example(config, program, out=None, resume=False, data_dir=None, callbacks=(), verbose="auto", strategy=None):
    """Trains a canned or custom model on its table, logging the loss every 100 steps; returns the `RunResult`."""
    import keras

    from kclassics import distribute
    from kclassics.callbacks.book import LossLogger
    from kclassics.learn import head_of
    from kclassics.training import fit_run

    _no_data(program, data_dir)
    train, test = config.split()
    steps_per_epoch = min(LOG_EVERY, config.steps)
    strategy = strategy or distribute.current_strategy()
    run = Run.open(distribute.worker_run_dir(strategy, out), program, config, resume, checkpoint_steps=steps_per_epoch)
    keras.utils.set_random_seed(config.seed)
    with strategy.scope():
        model, recipe = config.build(train)

    def batches(done):
        return recipe.dataset(train[0], train[1], config.batch_size, shuffle=True, repeat=True, seed=config.seed + done)

    history = fit_run(run, model, batches, config.steps, steps_per_epoch, (LossLogger(), *callbacks), verbose,
                      tensorboard=program.tensorboard)
    evaluation = model.evaluate(recipe.dataset(test[0], test[1], 256), verbose=0, return_dict=True)
    log(f"Accuracy: {evaluation['accuracy']:f}")
    metrics = {"test_accuracy": float(evaluation["accuracy"]), "test_loss": float(evaluation["loss"])}
    return run.finish(model, metrics, task=program.task, history=history, head=head_of(model))


def run_forest(config, program, out=None, resume=False, data_dir=None, callbacks=(), verbose="auto"):
    """Grows the forest on iris and saves it (ydf's format, `forest/`); it writes no SavedModel export."""
    from kclassics.learn import RandomForestClassifier

    _no_data(program, data_dir)
    train, test = config.split()
    run = Run.open(out, program, config, resume)
    run.start_training()
    forest = RandomForestClassifier(config.num_trees, config.max_nodes, n_classes=_classes(train), seed=config.seed)
    forest.fit(*train)
    accuracy = forest.evaluate(*test)["accuracy"]
    log(f"Accuracy: {accuracy:f}")
    if not (run.path / "forest").exists():
        forest.save(run.path / "forest")
    return run.finish(None, {"test_accuracy": accuracy, "num_trees": config.num_trees}, step=config.num_trees)


def _no_data(program, data_dir):
    if data_dir is not None:
        raise ValueError(f"{program.name} trains on the table it ships with and reads no data directory. "
                         f"Received: data_dir={data_dir!r}")


def make_random_centers(num_centers, num_dims, rng):
    """The book's `make_random_centers` (L6862): centres rounded from uniform [0, 500)."""
    return np.round(rng.random((num_centers, num_dims)).astype(np.float32) * 500)


def make_random_points(centers, num_points, rng, max_offset=20):
    """The book's `make_random_points` (L6866): points around random centres, offsets rounded from N(0, max_offset)."""
    num_centers, num_dims = centers.shape
    assignments = rng.choice(num_centers, num_points)
    offsets = np.round(rng.standard_normal((num_points, num_dims)).astype(np.float32) * max_offset)
    return centers[assignments] + offsets, assignments, np.add.reduce(offsets * offsets, 1)


def blobs(config):
    """The book's KMeans data: `num_points` points around `num_centers` random centres."""
    rng = np.random.default_rng(config.seed)
    centers = make_random_centers(config.num_centers, config.num_dims, rng)
    points, _, _ = make_random_points(centers, config.num_points, rng, config.max_offset)
    return points.astype("float32")


def run_kmeans(config, program, out=None, resume=False, data_dir=None, callbacks=(), verbose="auto"):
    """Lloyd's iterations on the book's blobs, one a Keras epoch; returns the `RunResult` with the score and centres."""
    from kclassics.callbacks.progress import progress_mode
    from kclassics.callbacks.stop import global_step
    from kclassics.learn import KMeans
    from kclassics.training import RunCheckpoint

    _no_data(program, data_dir)
    points = blobs(config)
    run = Run.open(out, program, config, resume, checkpoint_steps=1)
    kmeans = KMeans(config.num_centers, initial_clusters="random", seed=config.seed).initialize(points)
    kmeans.compile()
    run.restore(kmeans)
    done = global_step(kmeans)
    history = {}
    if done < config.steps:
        history = kmeans.fit(points, epochs=config.steps, initial_epoch=done, callbacks=[RunCheckpoint(run), *callbacks],
                             verbose=min(progress_mode(verbose), 2)).history
    score = kmeans.score(points)
    log(f"score (sum of squared distances to the nearest centre): {score:.1f}")
    metrics = {"score": score, "cluster_centers": kmeans.cluster_centers.tolist()}
    return run.finish(kmeans, metrics, task=program.task, history=history, input_name="points")


_ACCURACY = "test accuracy {test_accuracy:.4f} ({steps} steps, {train_seconds:.1f} s)"
for _name, _config, _description in (
    ("iris_custom_model", IRIS_CUSTOM_MODEL, "The book's custom model_fn on iris: stack 10-20-10 + logistic regression, Adagrad 0.1, 700 steps (10.1.1)"),
    ("iris_dnn", IRIS_DNN, "DNNClassifier [10, 20, 10] on iris, Adagrad with exponential decay, 800 steps (10.2.1)"),
    ("iris_linear", IRIS_LINEAR, "LinearClassifier on iris, FTRL 0.1 (10.3.1)"),
    ("iris_svm", IRIS_SVM, "Linear SVM (hinge + L2, one-vs-rest) on iris (10.3.4)"),
    ("wide_deep_penguins", WIDE_DEEP_PENGUINS, "Wide & deep [100, 50] on the Palmer penguins: FTRL + Adagrad in one step (10.2.2)"),
):
    register(Program(_name, _config, f"{__name__}:run_example", _description, summary=_ACCURACY, length=Length("steps"),
                     task="classify", tensorboard=False))
register(Program(
    "iris_random_forest", IRIS_RANDOM_FOREST, f"{__name__}:run_forest",
    "TensorForest on iris: 3 trees, at most 1,000 nodes, on ydf (10.3.2)",
    summary="test accuracy {test_accuracy:.4f} ({num_trees} trees, {train_seconds:.1f} s)", length=None,
    task=None, tensorboard=False, files=("forest",),
))
register(Program(
    "kmeans_blobs", KMEANS_BLOBS, f"{__name__}:run_kmeans",
    "KMeans (Lloyd in keras.ops) on the book's 10,000 points around 6 centres (10.3.3)",
    summary="score {score:.1f} ({steps} iterations, {train_seconds:.1f} s)", length=Length("steps", "iterations"),
    task="clustering", tensorboard=False,
))

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
import math

import keras
import numpy as np

from kclassics import validation
from kclassics.callbacks import StopAtStep
from kclassics.callbacks._base import global_step
from kclassics.log import log
from kclassics.programs import Program, register
from kclassics.runs import Run
from kclassics.training import RunCheckpoint

ESTIMATORS = ("custom", "dnn", "linear", "svm", "random_forest", "kmeans", "wide_deep")
LOG_EVERY = 100  # the book's Estimators logged the loss every 100 steps


@dataclasses.dataclass(frozen=True)
class LearnConfig:
    """One TF.Learn example: the estimator, its data and the book's settings.

    Attributes:
        estimator: one of `ESTIMATORS`.
        steps: training steps (`fit(..., steps=)`); Lloyd iterations for KMeans.
        batch_size: examples per step (not given in the book; tf.contrib.learn's feeder took 32 by default).
        learning_rate: the optimizer's (initial) learning rate; None: the canned estimator's default.
        hidden_units: the DNN's hidden layer widths.
        decay_steps, decay_rate: exponential decay of the learning rate (`optimizer_exp_decay`, L6702), or 0.
        test_size: share of the examples held out for the test.
        random_state: `train_test_split`'s seed.
        l2_regularization: the SVM's L2 penalty.
        svm_loss: the SVM's loss, "hinge" (the book's) or "squared_hinge" (scikit-learn's LinearSVC default).
        num_trees, max_nodes: the random forest's.
        num_centers, num_points, num_dims, max_offset: KMeans's data (L6860-6880).
        seed: seed of weights, shuffling and data.
        source: where in the book these values come from.
    """

    estimator: str
    steps: int
    batch_size: int = 32
    learning_rate: float = None
    hidden_units: tuple = ()
    decay_steps: int = 0
    decay_rate: float = 0.0
    test_size: float = 0.2
    random_state: int = 42
    l2_regularization: float = 0.0
    svm_loss: str = "hinge"
    num_trees: int = 3
    max_nodes: int = 1000
    num_centers: int = 6
    num_points: int = 10000
    num_dims: int = 2
    max_offset: float = 20.0
    seed: int = 0
    source: str = ""

    def __post_init__(self):
        validation.one_of("estimator", self.estimator, ESTIMATORS)
        for field in ("steps", "batch_size", "num_trees", "max_nodes", "num_centers", "num_points", "num_dims"):
            validation.positive_int(field, getattr(self, field))
        if self.learning_rate is not None:
            validation.positive_float("learning_rate", self.learning_rate)
        validation.fraction("test_size", self.test_size, low_open=True, high_open=True)
        validation.seed("random_state", self.random_state)
        validation.seed("seed", self.seed)
        validation.non_negative_float("l2_regularization", self.l2_regularization)
        validation.one_of("svm_loss", self.svm_loss, ("hinge", "squared_hinge"))
        if self.num_centers > self.num_points and self.estimator == "kmeans":
            raise ValueError(
                f"KMeans needs at least as many points as centres. Received: num_centers={self.num_centers}, num_points={self.num_points}"
            )


IRIS_CUSTOM_MODEL = LearnConfig(
    "custom", steps=700, learning_rate=0.1, hidden_units=(10, 20, 10), random_state=35,
    source="book 10.1.1, L6372-6412: stack(10, 20, 10), logistic_regression_zero_init, Adagrad 0.1, test_size=0.2, random_state=35, steps=700",
)
IRIS_DNN = LearnConfig(
    "dnn", steps=800, learning_rate=0.1, hidden_units=(10, 20, 10), decay_steps=100, decay_rate=0.001, random_state=42,
    source="book 10.2.1, L6700-6725: exponential_decay(0.1, decay_steps=100, decay_rate=0.001), Adagrad, [10, 20, 10], steps=800",
)
IRIS_LINEAR = LearnConfig(
    "linear", steps=800, learning_rate=0.1, random_state=42,
    source="book 10.3.1, L6785: LinearClassifier(n_classes=3, optimizer=FtrlOptimizer(learning_rate=0.1)); iris as in 10.2.1",
)
IRIS_SVM = LearnConfig(
    "svm", steps=800, l2_regularization=0.001, random_state=42,
    source="book 10.3.4, L6915-6940: SVM(l1_regularization, l2_regularization); iris as in 10.2.1",
)
IRIS_RANDOM_FOREST = LearnConfig(
    "random_forest", steps=100, num_trees=3, max_nodes=1000, random_state=42,
    source="book 10.3.2, L6800-6815: ForestHParams(num_trees=3, max_nodes=1000, num_classes=3, num_features=4), fit(steps=100)",
)
KMEANS_BLOBS = LearnConfig(
    "kmeans", steps=10, num_centers=6, num_dims=2, num_points=10000, max_offset=20.0, seed=12,
    source="book 10.3.3, L6860-6895: 6 centres * 500, 10,000 points + 20 * randn, RANDOM_INIT, random_seed=12, steps=10",
)
WIDE_DEEP_PENGUINS = LearnConfig(
    "wide_deep", steps=2000, hidden_units=(100, 50), random_state=42,
    source="book 10.2.2, L6750-6770: DNNLinearCombinedClassifier(dnn_hidden_units=[100, 50]) on a census-shaped table",
)


def _iris(config):
    from kclassics.learn.datasets import load_iris_split

    return load_iris_split(config.test_size, config.random_state)


def _penguins(config):
    from kclassics.learn.datasets import penguin_sex_split

    return penguin_sex_split(config.test_size, config.random_state)


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


def build_model(config, train):
    """(model, recipe) of an example, compiled; `train` is the training (frame or array, labels)."""
    from kclassics import learn

    x, y = train
    n_classes = int(np.max(y)) + 1
    if config.estimator == "wide_deep":
        columns, wide, deep = penguin_columns()
        recipe = learn.FeatureRecipe(columns).adapt(x)
        return learn.DNNLinearCombinedClassifier(recipe, wide, deep, list(config.hidden_units), n_classes=n_classes), recipe
    recipe = learn.infer_real_valued_columns_from_input(x)
    if config.estimator == "custom":
        return iris_custom_model(recipe, config, n_classes), recipe
    if config.estimator == "dnn":
        rate = config.learning_rate or learn.canned.DNN_LEARNING_RATE
        if config.decay_steps:
            rate = keras.optimizers.schedules.ExponentialDecay(rate, config.decay_steps, config.decay_rate)
        return learn.DNNClassifier(recipe, list(config.hidden_units), n_classes, optimizer=keras.optimizers.Adagrad(rate)), recipe
    if config.estimator == "linear":
        return learn.LinearClassifier(recipe, n_classes, optimizer=keras.optimizers.Ftrl(config.learning_rate)), recipe
    return learn.SVM(recipe, n_classes, l2_regularization=config.l2_regularization, loss=config.svm_loss), recipe


def iris_custom_model(recipe, config, n_classes):
    """The book's `my_model` (L6372-6385): `stack` of fully connected ReLU layers, then logistic regression with zero-initialised weights."""
    from kclassics.learn import stack
    from kclassics.model import Model

    inputs = recipe.inputs()
    features = stack(keras.layers.Dense, list(config.hidden_units), name="fully_connected", activation="relu")(recipe.encode(inputs))
    outputs = keras.layers.Dense(n_classes, activation="softmax", kernel_initializer="zeros", name="logistic_regression")(features)
    model = Model(inputs, outputs, name="my_model")
    model.compile(optimizer=keras.optimizers.Adagrad(config.learning_rate), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


class LossLogger(keras.callbacks.Callback):
    """Logs `step N: loss = v` every `LOG_EVERY` global steps, as the book's Estimators did."""

    def on_train_batch_end(self, batch, logs=None):
        step = global_step(self.model)
        if step % LOG_EVERY == 0 and logs and "loss" in logs:
            log(f"step {step}: loss = {float(logs['loss']):g}")


def run_example(config, out=None, resume=False, data_dir=None, callbacks=(), verbose="auto", run_name=None, strategy=None):
    """Trains one example and writes a run directory; returns the `RunResult` (test accuracy, or KMeans's score)."""
    if config.estimator == "kmeans":
        return _run_kmeans(config, out, resume, verbose, run_name)
    train, test = _penguins(config) if config.estimator == "wide_deep" else _iris(config)
    if config.estimator == "random_forest":
        return _run_forest(config, train, test, out, resume, run_name)
    from kclassics import distribute
    from kclassics.learn import head_of

    steps_per_epoch = min(LOG_EVERY, config.steps)
    strategy = strategy or distribute.current_strategy()
    run = Run.open(distribute.worker_run_dir(strategy, out), run_name or f"learn_{config.estimator}", config, resume,
                   checkpoint_steps=steps_per_epoch)
    keras.utils.set_random_seed(config.seed)
    with strategy.scope():
        model, recipe = build_model(config, train)
    run.restore(model)
    done = global_step(model)
    history = {}
    if done < config.steps:
        history = model.fit(
            recipe.dataset(train[0], train[1], config.batch_size, shuffle=True, repeat=True, seed=config.seed + done),
            steps_per_epoch=steps_per_epoch, initial_epoch=done // steps_per_epoch,
            epochs=math.ceil(config.steps / steps_per_epoch),
            callbacks=[RunCheckpoint(run), StopAtStep(last_step=config.steps), LossLogger(), *callbacks], verbose=verbose,
        ).history
    evaluation = model.evaluate(recipe.dataset(test[0], test[1], 256), verbose=0, return_dict=True)
    log(f"Accuracy: {evaluation['accuracy']:f}")
    metrics = {"test_accuracy": float(evaluation["accuracy"]), "test_loss": float(evaluation["loss"])}
    return run.finish(model, metrics, task="classify", history=history, head=head_of(model))


def _run_forest(config, train, test, out, resume, run_name):
    from kclassics.learn import RandomForestClassifier

    run = Run.open(out, run_name or "iris_random_forest", config, resume)
    run.start_training()
    forest = RandomForestClassifier(config.num_trees, config.max_nodes, n_classes=int(np.max(train[1])) + 1, seed=config.seed)
    forest.fit(*train)
    accuracy = forest.evaluate(*test)["accuracy"]
    log(f"Accuracy: {accuracy:f}")
    if not (run.path / "forest").exists():
        forest.save(run.path / "forest")
    return run.finish(None, {"test_accuracy": accuracy, "num_trees": config.num_trees}, step=config.num_trees)


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


def _run_kmeans(config, out, resume, verbose, run_name):
    from kclassics.learn import KMeans

    points = blobs(config)
    run = Run.open(out, run_name or "kmeans_blobs", config, resume, checkpoint_steps=1)
    kmeans = KMeans(config.num_centers, initial_clusters="random", seed=config.seed).initialize(points)
    kmeans.compile()
    run.restore(kmeans)
    done = global_step(kmeans)
    history = {}
    if done < config.steps:
        history = kmeans.fit(points, epochs=config.steps, initial_epoch=done, callbacks=[RunCheckpoint(run)], verbose=verbose).history
    score = kmeans.score(points)
    log(f"score (sum of squared distances to the nearest centre): {score:.1f}")
    metrics = {"score": score, "cluster_centers": kmeans.cluster_centers.tolist()}
    return run.finish(kmeans, metrics, task="clustering", history=history, input_name="points")


_ACCURACY = "test accuracy {test_accuracy:.4f} ({steps} steps, {train_seconds:.1f} s)"
for _name, _config, _description in (
    ("iris_custom_model", IRIS_CUSTOM_MODEL, "The book's custom model_fn on iris: stack 10-20-10 + logistic regression, Adagrad 0.1, 700 steps (10.1.1)"),
    ("iris_dnn", IRIS_DNN, "DNNClassifier [10, 20, 10] on iris, Adagrad with exponential decay, 800 steps (10.2.1)"),
    ("iris_linear", IRIS_LINEAR, "LinearClassifier on iris, FTRL 0.1 (10.3.1)"),
    ("iris_svm", IRIS_SVM, "Linear SVM (hinge + L2, one-vs-rest) on iris (10.3.4)"),
    ("iris_random_forest", IRIS_RANDOM_FOREST, "TensorForest on iris: 3 trees, at most 1,000 nodes, on ydf (10.3.2)"),
    ("wide_deep_penguins", WIDE_DEEP_PENGUINS, "Wide & deep [100, 50] on the Palmer penguins: FTRL + Adagrad in one step (10.2.2)"),
):
    register(Program(_name, _config, run_example, _description, summary=_ACCURACY, task="classify"))
register(Program(
    "kmeans_blobs", KMEANS_BLOBS, run_example, "KMeans (Lloyd in keras.ops) on the book's 10,000 points around 6 centres (10.3.3)",
    summary="score {score:.1f} ({steps} iterations, {train_seconds:.1f} s)", task="clustering",
))

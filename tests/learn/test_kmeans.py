"""KMeans: Lloyd's algorithm in keras.ops against scikit-learn's, both initialisations, the export, bad input."""

import numpy as np
import pytest
import tensorflow as tf

from kclassics import learn
from kclassics.export import export_saved_model

CENTERS = np.array([[0, 0], [10, 10], [0, 10], [10, 0]], "float32")
POINTS = np.concatenate([np.random.default_rng(0).normal(size=(60, 2)) + c for c in CENTERS]).astype("float32")


@pytest.mark.parametrize("init", ["random", pytest.param("kmeans_plus_plus", marks=pytest.mark.slow)])
def test_lloyd_matches_scikit_learn_from_the_same_start(init):
    from sklearn.cluster import KMeans as SKMeans

    kmeans = learn.KMeans(4, initial_clusters=init, seed=3)
    history = kmeans.fit(POINTS, epochs=10, verbose=0).history
    assert history["inertia"][-1] <= history["inertia"][0] * (1 + 1e-6)  # float32: a converged start may wobble in the last digit
    start = learn.KMeans(4, initial_clusters=init, seed=3).initialize(POINTS).cluster_centers
    reference = SKMeans(4, init=start, n_init=1, max_iter=10, algorithm="lloyd").fit(POINTS)
    assert kmeans.score(POINTS) == pytest.approx(reference.inertia_, rel=1e-4)
    np.testing.assert_allclose(np.sort(kmeans.cluster_centers, axis=0), np.sort(reference.cluster_centers_, axis=0), atol=1e-3)
    assert (kmeans.predict(POINTS, verbose=0) == reference.predict(POINTS)).all()
    assert kmeans.transform(POINTS).shape == (240, 4)


@pytest.mark.parametrize("data", ["iris", "blobs"])
def test_fit_without_epochs_converges_to_scikit_learns_inertia_from_the_same_start(data):
    from sklearn.cluster import KMeans as SKMeans
    from sklearn.datasets import load_iris

    from kclassics.programs import learn as programs

    if data == "iris":
        points, k, seed = load_iris().data.astype("float32"), 3, 0
    else:  # the kmeans_blobs program's 10,000 points around 6 centres, its random start
        points, k, seed = programs.blobs(programs.KMEANS_BLOBS), programs.KMEANS_BLOBS.num_centers, programs.KMEANS_BLOBS.seed
    kmeans = learn.KMeans(k, seed=seed)
    start = learn.KMeans(k, seed=seed).initialize(points).cluster_centers
    kmeans.fit(points, verbose=0)
    reference = SKMeans(k, init=start, n_init=1, algorithm="lloyd").fit(points)
    assert kmeans.converged and 1 < kmeans.iterations_used < learn.kmeans.MAX_ITERATIONS
    assert kmeans.score(points) == pytest.approx(reference.inertia_, rel=1e-3)
    assert int(kmeans.optimizer.iterations) == kmeans.iterations_used


def test_epochs_keeps_its_meaning_and_max_iterations_caps_the_search():
    kmeans = learn.KMeans(4, seed=3)
    kmeans.fit(POINTS, epochs=1, verbose=0)
    assert (kmeans.iterations_used, kmeans.converged, int(kmeans.optimizer.iterations)) == (1, None, 1)
    capped = learn.KMeans(4, seed=5)
    capped.fit(POINTS, max_iterations=1, verbose=0)
    assert (capped.iterations_used, capped.converged) == (1, False)


def test_a_saved_kmeans_loads_compiled_and_trains_on(tmp_path):
    """`keras.saving.load_model` compiles a KMeans as saved (Keras skips a model whose `compile` is its own unless it
    says how), so the loaded model counts on from the saved iterations and trains as the original does."""
    import keras

    kmeans = learn.KMeans(4, seed=3)
    kmeans.fit(POINTS, epochs=2, verbose=0)
    kmeans.save(tmp_path / "kmeans.keras")
    loaded = keras.saving.load_model(tmp_path / "kmeans.keras")
    assert int(loaded.optimizer.iterations) == 2
    for model in (kmeans, loaded):
        model.fit(POINTS, epochs=1, verbose=0)
    assert int(loaded.optimizer.iterations) == 3
    np.testing.assert_allclose(loaded.cluster_centers, kmeans.cluster_centers, rtol=1e-5)  # not new centres (1.2 apart)


def test_kmeans_plus_plus_spreads_the_start():
    start = learn.KMeans(4, initial_clusters="kmeans_plus_plus", seed=0).initialize(POINTS).cluster_centers
    nearest_true = np.sqrt(((start[:, None] - CENTERS[None]) ** 2).sum(-1)).argmin(1)
    assert len(set(nearest_true.tolist())) == 4


@pytest.mark.slow
def test_export_serves_clusters(tmp_path):
    kmeans = learn.KMeans(4, seed=1)
    kmeans.fit(POINTS, epochs=3, verbose=0)
    served = tf.saved_model.load(str(export_saved_model(kmeans, tmp_path, task="clustering", input_name="points")))
    out = served.signatures["serving_default"](points=tf.constant(POINTS))
    assert (out["clusters"].numpy() == kmeans.predict(POINTS, verbose=0)).all()


def test_more_centres_than_points_is_refused():
    with pytest.raises(ValueError, match=r"3 points cannot seed 4 centres.*num_centers=4"):
        learn.KMeans(4).fit(POINTS[:3], epochs=1, verbose=0)


def test_bad_initialisation_is_refused():
    with pytest.raises(ValueError, match="initial_clusters"):
        learn.KMeans(4, initial_clusters="farthest")

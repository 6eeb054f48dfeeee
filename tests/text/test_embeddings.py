"""kclassics.embeddings: the skip-gram model (the book's and gensim's), its random draws, the vectors' API and exports."""

import math
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from kclassics import embeddings
from kclassics.embeddings import SkipGram, WordVectors
from tests.conftest import ROOT, subprocess_env
from tests.text import skipgram_on_backend

# the tests of `steps_on_backends` (two child processes, 25 s) share a worker, so it is built once, not once per worker
ONE_WORKER = pytest.mark.xdist_group("skipgram_steps")
FAST_XLA = "--xla_backend_optimization_level=0 --xla_llvm_disable_expensive_passes=true"


def test_the_books_variables():
    keras.utils.set_random_seed(0)
    model = SkipGram(["UNK", *(f"w{i}" for i in range(999))], embedding_size=128, num_sampled=64)
    assert [w.name for w in model.weights] == ["embeddings", "nce_weights", "nce_biases", "batches_drawn"]
    assert [w.name for w in model.trainable_weights] == ["embeddings", "nce_weights", "nce_biases"]
    e, w, b = (keras.ops.convert_to_numpy(v) for v in model.trainable_weights)
    assert -1 <= e.min() < -0.99 and 0.99 < e.max() <= 1 and abs(e.mean()) < 0.01  # U(-1, 1)
    assert abs(w.std() - 0.88 / math.sqrt(128)) < 0.003 and np.abs(w).max() <= 2 / math.sqrt(128)  # truncated at 2 stddev
    assert not b.any()
    gensim_like = SkipGram(["UNK", "a", "b"], 100, 5, "negative_sampling", noise_counts=[0, 1, 1], initialization="gensim")
    assert gensim_like.nce_biases is None and not keras.ops.convert_to_numpy(gensim_like.nce_weights).any()


@pytest.fixture(scope="module")
def steps_on_backends(tmp_path_factory):
    """Every case of `skipgram_on_backend` trained on TensorFlow and on JAX, in two child processes side by side."""
    directory = tmp_path_factory.mktemp("skipgram")
    inputs = skipgram_on_backend.make_inputs()
    np.savez(directory / "inputs.npz", **inputs)
    children = [subprocess.Popen([sys.executable, str(Path(skipgram_on_backend.__file__)), str(directory)], cwd=ROOT,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                 env=subprocess_env(KERAS_BACKEND=backend, JAX_PLATFORMS="cpu", XLA_FLAGS=FAST_XLA))
                for backend in ("tensorflow", "jax")]
    for child in children:
        _, err = child.communicate(timeout=600)
        assert child.returncode == 0, err[-3000:]
    return inputs, dict(np.load(directory / "tensorflow.npz")), dict(np.load(directory / "jax.npz"))


def _close(a, b):
    np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-6)


@ONE_WORKER
@pytest.mark.parametrize("loss", ["nce", "sampled_softmax", "negative_sampling"])
def test_the_closed_form_step_equals_the_gradient_step_and_learns(steps_on_backends, loss):
    inputs, results, _ = steps_on_backends
    for name in ("embeddings", "nce_weights", "nce_biases", "batches_drawn", "loss"):
        if f"{loss}_fused/{name}" in results:
            _close(results[f"{loss}_fused/{name}"], results[f"{loss}_generic/{name}"])
    assert not np.allclose(results[f"{loss}_fused/embeddings"], inputs["embeddings"])


@ONE_WORKER
def test_a_stack_of_batches_trains_as_its_batches_one_after_another(steps_on_backends):
    _, results, _ = steps_on_backends
    for name in ("embeddings", "nce_weights", "nce_biases", "batches_drawn", "loss"):
        _close(results[f"nce_stack/{name}"], results[f"nce_fused/{name}"])
    for name in ("embeddings", "nce_weights", "batches_drawn", "loss"):
        _close(results[f"sentences_stack/{name}"], results[f"sentences/{name}"])


@ONE_WORKER
def test_workers_train_the_parts_of_a_stack_from_the_same_tables_and_sum_their_changes(steps_on_backends):
    """`workers=2` on a stack of 3 sentences: parts of 2 and 1 sentences, each trained alone from the stack's start
    (the second from draw 2 and learning-rate step 2), their changes summed. On TensorFlow each part is its own call."""
    inputs, results, _ = steps_on_backends
    for name in ("embeddings", "nce_weights"):
        start = inputs[name]
        _close(results[f"workers/{name}"], start + (results[f"part_1/{name}"] - start) + (results[f"part_2/{name}"] - start))
        assert not np.allclose(results[f"part_2/{name}"], start)
    assert results["workers/batches_drawn"] == results["part_2/batches_drawn"] == 3


def test_an_export_does_not_trace_the_training_calls_again(tmp_path):
    """The compiled training calls are kept out of TensorFlow's tracking: a SavedModel traces a model's `tf.function`
    attributes again to list them (0.6 s of `--config gensim`'s export), and these are never served."""
    from kclassics.export.saved_model import export_saved_model

    model = SkipGram(["UNK", "a", "b", "c", "d"], 4, 1, "negative_sampling", noise_counts=[0, 3, 2, 2, 1], window=2, workers=2)
    model.compile(optimizer=keras.optimizers.SGD(0.025))
    model.fit(np.array([[[1, 2, 3, 4, 1, 2]]] * 2, "int32"), verbose=0)
    function = model._compiled_calls.functions["_xla_train"]
    assert function.experimental_get_tracing_count() == 1
    export_saved_model(model, tmp_path, task="embedding_lookup", input_name="words")
    assert function.experimental_get_tracing_count() == 1


def test_a_recompiled_model_trains_with_its_new_optimizer():
    """`compile` again after `fit` (a new learning rate): the next `fit` equals a new model's from the same weights and
    draws (the compiled training call held the old optimizer's variables)."""
    x = np.array([[[1, 2, 3, 4, 1, 2]]] * 2, "int32")
    models = [SkipGram(["UNK", "a", "b", "c", "d"], 4, 1, "negative_sampling", noise_counts=[0, 3, 2, 2, 1], window=2)
              for _ in range(2)]
    models[0].compile(optimizer=keras.optimizers.SGD(0.0))
    models[0].fit(x, verbose=0)
    start = models[0].get_weights()
    models[1].set_weights(start)  # the same tables and draw counter
    for model in models:
        model.compile(optimizer=keras.optimizers.SGD(0.5))
        model.fit(x, verbose=0)
    assert not np.allclose(models[0].embeddings.numpy(), start[0])
    for trained, fresh in zip(models[0].get_weights(), models[1].get_weights()):
        np.testing.assert_array_equal(trained, fresh)


@ONE_WORKER
def test_the_jax_backend_trains_the_same_steps(steps_on_backends):
    """Every case on Keras's JAX backend (CPU): the same weights and losses as on TensorFlow from the same start."""
    _, results, on_jax = steps_on_backends
    assert sorted(on_jax) == sorted(results) and len(results) == 53  # the weights, draw counter and loss of the 12 cases
    for key in results:
        _close(on_jax[key], results[key])


def test_nce_and_sampled_softmax_equal_tf_nn_on_the_same_samples():
    rng = np.random.default_rng(0)
    for loss in ("nce", "sampled_softmax"):
        model = SkipGram(["UNK", *(f"w{i}" for i in range(29))], embedding_size=6, num_sampled=5, loss=loss)
        model.nce_biases.assign(rng.normal(size=30).astype("float32"))
        inputs = tf.constant(rng.normal(size=(16, 6)).astype("float32"))
        contexts = tf.constant(rng.integers(0, 30, 16), tf.int32)
        sampled, true_count, sampled_count = tf.random.log_uniform_candidate_sampler(
            tf.cast(contexts[:, None], tf.int64), 1, 5, True, 30, seed=1)
        sampled = tf.concat([sampled[:4], tf.cast(contexts[:1], tf.int64)], 0)  # an accidental hit for sampled softmax
        theirs = (tf.nn.nce_loss if loss == "nce" else tf.nn.sampled_softmax_loss)(
            model.nce_weights.value, model.nce_biases.value, tf.cast(contexts[:, None], tf.int64), inputs, 5, 30,
            sampled_values=(sampled, true_count, sampled_count))
        true_logits, sampled_logits = model.sampled_logits(model._tables(), inputs, contexts, tf.cast(sampled, tf.int32),
                                                           true_count[:, 0], sampled_count)
        if loss == "nce":
            ours = tf.nn.softplus(-true_logits) + tf.reduce_sum(tf.nn.softplus(sampled_logits), -1)
        else:
            ours = -tf.nn.log_softmax(tf.concat([true_logits[:, None], sampled_logits], 1))[:, 0]
        np.testing.assert_allclose(ours, theirs, rtol=1e-5)


def test_the_log_uniform_sampler_draws_as_tensorflows():
    """Distinct ids with TensorFlow's inclusion frequencies, and expected counts from the same number of tries."""
    vocabulary, sampled, draws = 200, 16, 1500

    @tf.function(jit_compile=True)
    def ours(step):
        return embeddings.log_uniform_unique(lambda r: embeddings.random_key(7, step, 8 + r), sampled, vocabulary)

    ids, tries = zip(*(ours(tf.constant(s)) for s in range(draws)))
    ids, tries = np.array(ids), np.array(tries)
    assert all(len(set(row)) == sampled for row in ids) and ids.min() >= 0 and ids.max() < vocabulary
    rare = 50  # a true id whose expected count is far from 1, to read TensorFlow's tries back from it
    tf.random.set_seed(0)  # one seeded kernel drawing again and again (a seed per call would build a kernel per call)
    theirs = [tf.random.log_uniform_candidate_sampler(tf.fill((1, 1), tf.constant(rare, tf.int64)), 1, sampled, True,
                                                      vocabulary, seed=1) for _ in range(draws)]
    their_ids = np.array([t[0].numpy() for t in theirs])
    p_rare, p0 = (float(np.log((i + 2) / (i + 1)) / np.log(vocabulary + 1)) for i in (rare, 0))
    their_tries = np.array([np.log1p(-t[1].numpy()[0, 0]) / np.log1p(-p_rare) for t in theirs])  # E = -expm1(tries log1p(-p))
    mine, theirs_freq = (np.bincount(x.ravel(), minlength=vocabulary) / draws for x in (ids, their_ids))
    assert np.abs(mine - theirs_freq).max() < 0.06, np.abs(mine - theirs_freq).max()  # each within ~4 standard errors
    assert abs(tries.mean() - their_tries.mean()) < 4 * tries.std() * math.sqrt(2 / draws), (tries.mean(), their_tries.mean())
    expected = keras.ops.convert_to_numpy(embeddings.unique_expected_count(
        embeddings.log_uniform_probability(np.zeros(1, "int32"), vocabulary), int(tries[0]), sampled))
    np.testing.assert_allclose(expected, -np.expm1(tries[0] * np.log1p(-p0)), rtol=1e-5)


def test_alias_table_draws_the_distribution():
    p = np.array([0.5, 0.25, 0.125, 0.0625, 0.0625])
    keep, alias = embeddings.alias_table(p)
    # each id's probability: its own kept share plus the shares aliased to it, over n
    exact = np.array([(keep[i] + sum(1 - keep[j] for j in range(5) if alias[j] == i and keep[j] < 1)) / 5 for i in range(5)])
    np.testing.assert_allclose(exact, p, atol=1e-6)
    draws = embeddings.alias_draw(tuple(map(tf.constant, (keep, alias))), embeddings.random_key(0, 0, 1), (200000,))
    np.testing.assert_allclose(np.bincount(draws.numpy(), minlength=5) / 200000, p, atol=0.005)


def test_the_random_numbers_are_uniform_and_streams_unrelated():
    from scipy import stats

    u = keras.ops.convert_to_numpy(embeddings.random_uniform(embeddings.random_key(0, 0, 2), (200000,)))
    assert stats.chisquare(np.bincount((u * 100).astype(int), minlength=100)).pvalue > 1e-4
    v = keras.ops.convert_to_numpy(embeddings.random_uniform(embeddings.random_key(0, 1, 2), (200000,)))  # the next step
    w = keras.ops.convert_to_numpy(embeddings.random_uniform(embeddings.random_key(1, 0, 2), (200000,)))  # another seed
    for other in (v, w, u[1:]):
        assert abs(np.corrcoef(u[: len(other)], other)[0, 1]) < 0.01
    n = keras.ops.convert_to_numpy(embeddings.random_integers(embeddings.random_key(0, 0, 3), (100000,), 5))
    assert stats.chisquare(np.bincount(n, minlength=5)).pvalue > 1e-4


# --- gensim's skip-gram (`window`): the draws against gensim's own, on the same seeds ---


LENGTHS = (3, 6, 12)


def _gensim_pairs_per_sentence(seeds, sentences=300, vocabulary=1000):
    """Pairs gensim trains per sentence of each of `LENGTHS` words (window 5, no subsampling), from its training loss.

    With a learning rate of 1e-30 every logit stays 0, so each pair adds the
    same loss (its word and one negative, less the rare negative equal to
    the word); sentences of 2 words, which always make 2 pairs, measure it.
    """
    from gensim.models import Word2Vec

    rng = np.random.default_rng(0)
    counts = []
    for seed in seeds:
        model = Word2Vec(sg=1, window=5, negative=1, sample=0, min_count=1, vector_size=4, alpha=1e-30, min_alpha=1e-30,
                         compute_loss=True, workers=1, seed=seed)
        model.build_vocab([[f"w{i}" for i in range(vocabulary)]])
        loss = {}
        for n in (2, *LENGTHS):
            model.train([[f"w{w}" for w in rng.permutation(vocabulary)[:n]] for _ in range(sentences)],
                        total_examples=sentences, epochs=1, compute_loss=True)
            loss[n] = model.get_latest_training_loss()
        counts.append([loss[n] / loss[2] * 2 for n in LENGTHS])
    return np.array(counts)


def _window_model(window=5, subsample=0.0, counts=None, seed=0):
    counts = np.ones(1000, "int64") if counts is None else counts
    return SkipGram(["UNK", *(f"w{i}" for i in range(len(counts) - 1))], 4, 1, "negative_sampling", noise_counts=counts,
                    window=window, subsample=subsample, seed=seed)


def test_the_reduced_windows_are_gensims():
    """Pairs per sentence of 3, 6 and 12 words (which weigh the windows of 1 to 5 differently): ours, gensim's, the exact count."""
    seeds = range(5)
    theirs = _gensim_pairs_per_sentence(seeds)
    ours = []
    for seed in seeds:
        model = _window_model(seed=seed)
        counts = []
        for length in LENGTHS:
            sentences = np.random.default_rng(seed).integers(1, 1000, (300, length)).astype("int32")
            counts.append(float(model._sentence_update(model._tables(), sentences, length, 0.0)[2]) / 300)
        ours.append(counts)
    ours = np.array(ours)
    for k, length in enumerate(LENGTHS):
        exact = np.mean([sum(min(r, i) + min(r, length - 1 - i) for i in range(length)) for r in range(1, 6)])  # reach 1..5
        spread = max(np.std(theirs[:, k]), np.std(ours[:, k]), 0.02 * exact / math.sqrt(5))
        assert abs(ours[:, k].mean() - theirs[:, k].mean()) < 4 * spread, (length, ours[:, k], theirs[:, k])
        assert abs(ours[:, k].mean() - exact) < 4 * spread and abs(theirs[:, k].mean() - exact) < 4 * spread


def test_subsampling_keeps_what_gensim_keeps():
    """The keep probabilities are gensim's `sample_int`s, and the words kept in a pass match gensim's `train` counts."""
    from gensim.models import Word2Vec

    rng = np.random.default_rng(0)
    words = ["the"] * 6000 + ["of"] * 2000 + [f"r{i}" for i in range(1000) for _ in range(6)] + ["seldom"] * 3
    rng.shuffle(words)
    sentences = [words[i : i + 1000] for i in range(0, len(words), 1000)]
    from kclassics.data.text import Vocabulary

    vocabulary = Vocabulary.build(words, size=None, min_count=5)
    model = _window_model(subsample=1e-3, counts=vocabulary.counts)
    gensim_kept = []
    for seed in range(5):
        theirs = Word2Vec(sg=1, sample=1e-3, min_count=5, vector_size=4, workers=1, seed=seed)
        theirs.build_vocab(sentences)
        if seed == 0:
            probabilities = np.array([theirs.wv.get_vecattr(w, "sample_int") / 2**32 for w in vocabulary.words[1:]])
            np.testing.assert_allclose(keras.ops.convert_to_numpy(model._keep)[1:], probabilities, atol=1e-7)
            assert keras.ops.convert_to_numpy(model._keep)[0] == 0  # "seldom", seen 3 times, is UNK: dropped
        gensim_kept.append(theirs.train(sentences, total_examples=len(sentences), epochs=1)[0])
    data = vocabulary.encode(words)
    ours = [int(model.sentence_draws(data[None], step)[2])
            for step in range(5)]
    expected = float(np.sum(vocabulary.counts[1:] * keras.ops.convert_to_numpy(model._keep)[1:]))
    spread = math.sqrt(expected)  # a sum of Bernoulli draws: its variance is below its mean
    assert abs(np.mean(ours) - np.mean(gensim_kept)) < 4 * spread, (ours, gensim_kept)
    assert abs(np.mean(ours) - expected) < 4 * spread / math.sqrt(5)


def test_windows_stay_inside_sentences_and_skip_unk_and_padding():
    model = _window_model(window=2, counts=np.array([5, 5, 5, 5, 5, 5]))
    sentences = np.array([[1, 0, 2, -1, -1], [3, 4, 5, 1, -1]], "int32")  # UNK (0) and -1 are dropped before windowing
    words, sentence, n_kept, reach, _ = (keras.ops.convert_to_numpy(t) for t in model.sentence_draws(sentences, 0))
    assert n_kept == 6 and words[:6].tolist() == [1, 2, 3, 4, 5, 1] and sentence[:6].tolist() == [0, 0, 1, 1, 1, 1]
    keras.utils.set_random_seed(0)
    _, _, pairs = model._sentence_update(model._tables(), sentences, 0, 0.0)
    expected = sum(min(r, i) + min(r, n - 1 - i) for n, start in ((2, 0), (4, 2)) for i, r in enumerate(reach[start:start + n]))
    assert float(pairs) == expected


# --- WordVectors: gensim's KeyedVectors API, tested against gensim on the same vectors ---


@pytest.fixture(scope="module")
def vectors_and_gensims():
    from gensim.models import KeyedVectors

    rng = np.random.default_rng(0)
    words = ["UNK", "king", "queen", "man", "woman", "paris", "france", "rome", "italy", "über", *(f"w{i}" for i in range(60))]
    vectors = WordVectors(tuple(words), rng.normal(size=(len(words), 12)).astype(np.float32))
    keyed = KeyedVectors(12)
    keyed.add_vectors(words, vectors.vectors)
    return vectors, keyed


def test_keyed_vectors_attributes_equal_gensims(vectors_and_gensims):
    vectors, keyed = vectors_and_gensims
    assert vectors.index_to_key == keyed.index_to_key and vectors.key_to_index == keyed.key_to_index
    np.testing.assert_array_equal(vectors.vectors, keyed.vectors)
    np.testing.assert_array_equal(vectors["queen"], keyed["queen"])
    np.testing.assert_array_equal(vectors[["queen", "w3"]], keyed[["queen", "w3"]])
    assert "king" in vectors and "emperor" not in vectors and len(vectors) == len(keyed)
    np.testing.assert_allclose(vectors.get_vector("rome", norm=True), keyed.get_vector("rome", norm=True), rtol=1e-6)


@pytest.mark.parametrize("query", [
    dict(positive=["king"]),
    dict(positive=["king", "woman"], negative=["man"], topn=5),
    dict(positive="paris", negative="france", topn=3),
    dict(positive=[], negative=["w1", "w2"], topn=4),
    dict(positive=["italy"], topn=7, restrict_vocab=20),
    dict(positive=["w5"], topn=0),
])
def test_most_similar_equals_gensims(vectors_and_gensims, query):
    vectors, keyed = vectors_and_gensims
    ours, theirs = vectors.most_similar(**query), keyed.most_similar(**query)
    assert [word for word, _ in ours] == [word for word, _ in theirs]
    np.testing.assert_allclose([s for _, s in ours], [s for _, s in theirs], rtol=1e-5, atol=1e-6)
    all_ours = vectors.most_similar(positive=["king"], topn=None)
    np.testing.assert_allclose(all_ours, keyed.most_similar(positive=["king"], topn=None), rtol=1e-5, atol=1e-6)


def test_similarity_and_doesnt_match_equal_gensims(vectors_and_gensims):
    vectors, keyed = vectors_and_gensims
    for a, b in (("king", "queen"), ("paris", "w7"), ("über", "über")):
        assert vectors.similarity(a, b) == pytest.approx(float(keyed.similarity(a, b)), rel=1e-6, abs=1e-7)
    for group in (["king", "queen", "man", "w4"], ["paris", "rome", "italy", "france", "w9"], ["w1", "emperor", "w2", "w3"]):
        assert vectors.doesnt_match(group) == keyed.doesnt_match(group)


@pytest.mark.parametrize("binary", [False, True])
def test_word2vec_files_are_gensims_byte_for_byte_both_ways(vectors_and_gensims, tmp_path, binary):
    from gensim.models import KeyedVectors

    vectors, keyed = vectors_and_gensims
    ours = vectors.save_word2vec_format(tmp_path / "ours", binary=binary, include_unk=True)
    keyed.save_word2vec_format(str(tmp_path / "theirs"), binary=binary)
    assert ours.read_bytes() == (tmp_path / "theirs").read_bytes()
    for path in (ours, tmp_path / "theirs"):
        loaded, gensim_loaded = WordVectors.load_word2vec_format(path, binary=binary), KeyedVectors.load_word2vec_format(str(path), binary=binary)
        assert loaded.index_to_key == gensim_loaded.index_to_key == vectors.index_to_key
        np.testing.assert_array_equal(loaded.vectors, gensim_loaded.vectors)
        np.testing.assert_array_equal(loaded.vectors, vectors.vectors)
    without = vectors.save_word2vec_format(tmp_path / "without", binary=binary)  # UNK left out unless asked for
    assert WordVectors.load_word2vec_format(without, binary=binary).index_to_key == vectors.index_to_key[1:]


def test_projector_files_leave_unk_out_unless_asked(tmp_path):
    vectors = WordVectors(("UNK", "the", "über"), np.random.default_rng(0).normal(size=(3, 7)).astype(np.float32))
    tsv, metadata = embeddings.save_projector_files(vectors, tmp_path / "projector")
    np.testing.assert_allclose(np.loadtxt(tsv, delimiter="\t"), vectors.vectors[1:], rtol=1e-5)
    assert metadata.read_text(encoding="utf-8").splitlines() == ["the", "über"]
    _, metadata = embeddings.save_projector_files(vectors, tmp_path / "all", include_unk=True)
    assert metadata.read_text(encoding="utf-8").splitlines() == ["UNK", "the", "über"]


def tiny_vectors():
    # king - man + woman = queen exactly; paris - france + italy = rome, and a distractor near everything
    words = ["UNK", "king", "man", "woman", "queen", "paris", "france", "italy", "rome", "cat"]
    vectors = np.array([
        [0, 0, 0, 0, 1], [1, 1, 0, 0, 0], [0, 1, 0, 0, 0], [0, 0, 1, 0, 0], [1, 0, 1, 0, 0],
        [1, 0, 0, 1, 0], [0, 0, 0, 1, 0], [0, 0, 0, 0.1, 0.9], [1, 0, 0, 0.1, 0.9], [0.5, 0.5, 0.5, 0.5, 0.5],
    ], dtype=np.float32)
    return WordVectors(tuple(words), vectors)


def test_analogies_on_a_hand_made_set(tmp_path):
    questions = tmp_path / "questions.txt"
    questions.write_text(": royal\nMan King Woman Queen\nman king woman cat\n: capitals\n"
                         "France Paris Italy Rome\nFrance Paris Spain Madrid\n")
    result = embeddings.evaluate_analogies(tiny_vectors(), questions)
    assert (result["correct"], result["total"], result["skipped"]) == (2, 3, 1)
    assert result["sections"]["royal"] == {"accuracy": 0.5, "correct": 1, "total": 2}
    assert result["sections"]["capitals"]["accuracy"] == 1.0
    assert embeddings.evaluate_analogies(tiny_vectors(), questions, top_n=5)["total"] == 1  # cat, paris, ... are past the top 5


def test_analogies_and_similarities_match_gensim(tmp_path):
    from gensim.models import KeyedVectors

    from kclassics.data.corpora import embedded_path

    words = [line.split()[i].lower() for line in embedded_path("questions_words").read_text().splitlines()[:3000]
             if not line.startswith(":") for i in range(4)]
    words = list(dict.fromkeys(words))
    vectors = WordVectors(tuple(words), np.random.default_rng(0).normal(size=(len(words), 8)).astype(np.float32))
    keyed = KeyedVectors(8)
    keyed.add_vectors(words, vectors.vectors)
    for top_n in (len(words), 60):
        ours = embeddings.evaluate_analogies(vectors, embedded_path("questions_words"), top_n=top_n)
        theirs, _ = keyed.evaluate_word_analogies(str(embedded_path("questions_words")), restrict_vocab=top_n)
        assert ours["total"] > 10 and ours["accuracy"] == pytest.approx(theirs)
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("# header\n" + "".join(f"{words[i]}\t{words[i + 1]}\t{(i * 7) % 10}\n" for i in range(0, 60, 2)))
    ours = embeddings.evaluate_word_pairs(vectors, pairs)
    (pearson, _), (spearman, _), oov = keyed.evaluate_word_pairs(str(pairs))
    assert ours["spearman"] == pytest.approx(spearman) and ours["pearson"] == pytest.approx(pearson) and ours["pairs"] == 30


def test_similarities_on_a_hand_made_set(tmp_path):
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("# word1\tword2\tscore\nking\tqueen\t9\nking\tman\t8\nman\tcat\t2\nparis\tfrance\t5\nzebra\tcat\t3\n")
    result = embeddings.evaluate_word_pairs(tiny_vectors(), pairs)
    # cosines: king-queen 0.5, king-man 0.71, man-cat 0.45, paris-france 0.71: ranks (2, 3.5, 1, 3.5) against (4, 3, 1, 2)
    assert (result["pairs"], result["skipped"]) == (4, 1)
    assert result["spearman"] == pytest.approx(1.5 / math.sqrt(4.5 * 5))  # the Pearson correlation of the ranks


def test_tsne_picture_is_written(tmp_path):
    vectors = WordVectors(tuple(f"w{i}" for i in range(40)), np.random.default_rng(0).normal(size=(40, 8)))
    path = embeddings.plot_tsne(vectors, tmp_path / "tsne.png", count=40, perplexity=10, iterations=250)
    assert path.read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(ValueError, match="more words than its perplexity"):
        embeddings.plot_tsne(vectors, tmp_path / "x.png", count=20, perplexity=30)


def test_nearest_leaves_the_word_out():
    # cosines to king: itself 1, man 0.71, cat 0.63, rome 0.52, queen and paris 0.5
    assert tiny_vectors().neighbours("king", k=3) == ["man", "cat", "rome"]


def test_nearest_a_block_at_a_time_is_the_whole_tables(monkeypatch):
    # blocks of the unit vectors instead of the whole table: the same cosines bit for bit, the same neighbours and ties
    rng = np.random.default_rng(0)
    table = rng.normal(size=(950, 16)) * rng.uniform(0.1, 3, (950, 1))
    vectors = WordVectors(tuple(f"w{i}" for i in range(1000)), np.vstack([table, table[:50]]))  # 50 words twice: ties
    ids = np.arange(0, 160, 10)
    unit = vectors.unit()
    similarity = unit[ids] @ unit.T
    similarity[np.arange(len(ids)), ids] = -np.inf
    expected = np.argsort(-similarity, axis=1, kind="stable")[:, :8]
    for rows in (1000, 300, 7):
        monkeypatch.setattr(embeddings, "_NEAREST_ROWS", rows)
        assert np.array_equal(vectors.nearest(ids, 8), expected)


def test_saved_weights_are_the_variables(tmp_path):
    keras.utils.set_random_seed(0)
    model = SkipGram(["UNK", *(f"w{i}" for i in range(99))], embedding_size=8, num_sampled=4)
    model.batches_drawn.assign(7)
    model.save_weights(tmp_path / "a.weights.h5")
    other = SkipGram(["UNK", *(f"w{i}" for i in range(99))], embedding_size=8, num_sampled=4)
    other.load_weights(tmp_path / "a.weights.h5")
    for saved, loaded in zip(model.weights, other.weights):
        assert np.array_equal(keras.ops.convert_to_numpy(saved), keras.ops.convert_to_numpy(loaded))
    assert int(keras.ops.convert_to_numpy(other.batches_drawn)) == 7

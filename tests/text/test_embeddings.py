"""kclassics.embeddings: the skip-gram model, the evaluations (gensim's protocols) and the exports."""

import math

import keras
import numpy as np
import pytest

from kclassics import embeddings
from kclassics.embeddings import SkipGram, WordVectors


def test_the_books_variables():
    keras.utils.set_random_seed(0)
    model = SkipGram(["UNK", *(f"w{i}" for i in range(999))], embedding_size=128, num_sampled=64)
    assert [w.name for w in model.weights] == ["embeddings", "nce_weights", "nce_biases"]
    assert model.count_params() == 1000 * 128 * 2 + 1000
    e, w, b = (keras.ops.convert_to_numpy(v) for v in model.weights)
    assert -1 <= e.min() < -0.99 and 0.99 < e.max() <= 1 and abs(e.mean()) < 0.01  # U(-1, 1)
    assert abs(w.std() - 0.88 / math.sqrt(128)) < 0.003 and np.abs(w).max() <= 2 / math.sqrt(128)  # truncated at 2 stddev
    assert not b.any()


@pytest.mark.parametrize("loss", ["nce", "negative_sampling", "sampled_softmax"])
def test_each_loss_learns_pairs(loss):
    keras.utils.set_random_seed(0)
    words = ["UNK", *(f"w{i}" for i in range(49))]
    model = SkipGram(words, embedding_size=16, num_sampled=8, loss=loss, noise_counts=np.arange(50, 0, -1))
    model.compile(optimizer=keras.optimizers.SGD(1.0))
    rng = np.random.default_rng(0)
    centres = rng.integers(1, 50, 4096)
    contexts = (centres % 49) + 1  # each word has one context word
    history = model.fit(centres, contexts, batch_size=128, epochs=3, verbose=0).history["loss"]
    assert history[-1] < history[0] * 0.7, history


def test_alias_table_draws_the_distribution():
    p = np.array([0.5, 0.25, 0.125, 0.0625, 0.0625])
    keep, alias = embeddings.alias_table(p)
    # each id's probability: its own kept share plus the shares aliased to it, over n
    exact = np.array([(keep[i] + sum(1 - keep[j] for j in range(5) if alias[j] == i and keep[j] < 1)) / 5 for i in range(5)])
    np.testing.assert_allclose(exact, p, atol=1e-6)


def test_the_fused_negative_sampling_step_equals_the_generic_one():
    # two words, nearly all the noise on id 1: both paths draw the same negatives (always id 1)
    words, counts = ["UNK", "a"], [1, 10**12]
    centres, contexts = np.array([0, 1, 1, 0], np.int32), np.array([1, 0, 1, 1], np.int32)
    results = []
    for optimizer in (keras.optimizers.SGD(0.5), keras.optimizers.SGD(0.5, global_clipnorm=1e9)):  # fused, generic
        keras.utils.set_random_seed(0)
        model = SkipGram(words, embedding_size=4, num_sampled=3, loss="negative_sampling", noise_counts=counts,
                         initialization="book")
        model.compile(optimizer=optimizer)
        assert model._fused_step() is (optimizer.global_clipnorm is None)
        loss = model.fit(centres, contexts, batch_size=4, epochs=2, shuffle=False, verbose=0).history["loss"]
        results.append((loss, [keras.ops.convert_to_numpy(v) for v in model.weights]))
    (fused_loss, fused), (generic_loss, generic) = results
    np.testing.assert_allclose(fused_loss, generic_loss, rtol=1e-5)
    for a, b in zip(fused, generic):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert fused_loss[1] < fused_loss[0]  # it learned


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


def test_word2vec_format_loads_in_gensim_with_identical_vectors(tmp_path):
    from gensim.models import KeyedVectors

    vectors = WordVectors(("UNK", "the", "über"), np.random.default_rng(0).normal(size=(3, 7)).astype(np.float32))
    loaded = KeyedVectors.load_word2vec_format(str(embeddings.save_word2vec_format(vectors, tmp_path / "v.txt")))
    assert loaded.index_to_key == ["UNK", "the", "über"]
    np.testing.assert_array_equal(loaded.vectors, vectors.vectors)
    tsv, metadata = embeddings.save_projector_files(vectors, tmp_path / "projector")
    np.testing.assert_allclose(np.loadtxt(tsv, delimiter="\t"), vectors.vectors, rtol=1e-5)
    assert metadata.read_text(encoding="utf-8").splitlines() == ["UNK", "the", "über"]


def test_tsne_picture_is_written(tmp_path):
    vectors = WordVectors(tuple(f"w{i}" for i in range(40)), np.random.default_rng(0).normal(size=(40, 8)))
    path = embeddings.plot_tsne(vectors, tmp_path / "tsne.png", count=40, perplexity=10, iterations=250)
    assert path.read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(ValueError, match="more words than its perplexity"):
        embeddings.plot_tsne(vectors, tmp_path / "x.png", count=20, perplexity=30)


def test_nearest_leaves_the_word_out():
    # cosines to king: itself 1, man 0.71, cat 0.63, rome 0.52, queen and paris 0.5
    assert tiny_vectors().neighbours("king", k=3) == ["man", "cat", "rome"]

"""The book's Word2Vec program: its settings, a short run on the embedded corpus, its exports and its refusals."""

import dataclasses
import json
import re

import keras
import numpy as np
import pytest

from kclassics import programs
from kclassics.cli import main
from kclassics.programs import word2vec as program

SHORT = dataclasses.replace(program.WORD2VEC, embedded_steps=300, log_every=100, neighbours_every=150, tsne_iterations=250)


def test_book_settings():
    c = program.WORD2VEC
    assert (c.vocabulary_size, c.embedding_size, c.batch_size, c.skip_window, c.num_skips, c.num_sampled) == (50000, 128, 128, 1, 2, 64)
    assert (c.learning_rate, c.steps, c.loss, c.log_every, c.neighbours_every) == (1.0, 100001, "nce", 2000, 10000)
    assert (c.valid_size, c.valid_window, c.top_k, c.tsne_words, c.tsne_perplexity) == (16, 100, 8, 100, 30.0)
    assert not c.linear_decay and c.subsample == 0 and (c.pairs, c.initialization, c.min_count, c.epochs) == ("book", "book", 1, None)
    assert sorted(program.validation_words(c)) == sorted(set(program.validation_words(c))) and max(program.validation_words(c)) < 100
    # the embedded corpus's documented deviations; text8 (--data-dir) keeps the book's values
    embedded = program.effective(c)
    assert (embedded.steps, embedded.vocabulary_size, embedded.initialization, embedded.learning_rate) == (20000, 4000, "word2vec", 2.0)
    assert program.effective(dataclasses.replace(c, corpus="text8:/data")) == dataclasses.replace(c, corpus="text8:/data")


def test_the_gensim_config_is_gensims_skip_gram_defaults():
    """Read from gensim: Word2Vec's defaults, its initialisation and its noise exponent, against the `gensim` config."""
    import inspect

    from gensim.models import Word2Vec

    from kclassics import embeddings

    defaults = {name: p.default for name, p in inspect.signature(Word2Vec.__init__).parameters.items()}
    g = program.GENSIM
    assert program.CONFIGS["gensim"] is g and program.CONFIGS["book"] is program.WORD2VEC
    assert (g.embedding_size, g.skip_window, g.num_sampled, g.subsample) == (
        defaults["vector_size"], defaults["window"], defaults["negative"], defaults["sample"])
    assert (g.min_count, g.learning_rate, g.min_learning_rate, g.epochs, g.batch_size) == (
        defaults["min_count"], defaults["alpha"], defaults["min_alpha"], defaults["epochs"], defaults["batch_words"])
    assert embeddings.NOISE_EXPONENT == defaults["ns_exponent"] and defaults["hs"] == 0 and g.loss == "negative_sampling"
    assert defaults["shrink_windows"] is True and g.pairs == "gensim" and defaults["max_final_vocab"] is None
    assert g.vocabulary_size is None and g.linear_decay and g.steps is None and g.initialization == "gensim"
    gensim_model = Word2Vec([["a", "b", "c"] * 5], sg=1, min_count=1, seed=0)
    ours = embeddings.SkipGram(["UNK", "a", "b", "c"], g.embedding_size, g.num_sampled, g.loss, noise_counts=[0, 5, 5, 5],
                               initialization=g.initialization, window=g.skip_window)
    bound = 1 / g.embedding_size  # gensim's prep_vectors: U(-1 / size, 1 / size); syn1neg zeros
    for vectors in (gensim_model.wv.vectors, keras.ops.convert_to_numpy(ours.embeddings)):
        assert np.abs(vectors).max() <= bound and np.abs(vectors).max() > 0.9 * bound and abs(vectors.mean()) < 0.1 * bound
    assert not gensim_model.syn1neg.any() and not keras.ops.convert_to_numpy(ours.nce_weights).any()


def test_steps_and_epochs_replace_each_other_on_the_command_line():
    from kclassics.cli import build_parser
    from kclassics.cli.train import config_from_args

    def config(*argv):
        return config_from_args(programs.get("word2vec"), build_parser(["train", "word2vec"]).parse_args(["train", "word2vec", *argv]))

    gensim_steps = config("--config", "gensim", "--steps", "7")
    assert (gensim_steps.steps, gensim_steps.epochs) == (7, None)
    book_epochs = config("--epochs", "3")
    assert book_epochs.epochs == 3 and book_epochs.embedded_steps is None
    assert program.effective(book_epochs).epochs == 3  # passes, not embedded_steps, set the length
    assert program.effective(config("--set", "epochs=2")).epochs == 2  # epochs, when set, is the length
    assert program.effective(config()).steps == 20000 and programs.get("word2vec").steps_of(config()) == 20000
    with pytest.raises(ValueError, match=r"Give the run's length as `steps` or as `epochs`.*Received: steps=None, epochs=None"):
        config("--config", "gensim", "--set", "epochs=none")


def test_nce_lowers_the_loss_on_the_embedded_corpus_and_the_run_exports_the_vectors(tmp_path, capsys):
    import tensorflow as tf
    from gensim.models import KeyedVectors

    result = programs.get("word2vec").run(SHORT, out=tmp_path / "run", verbose=0)
    losses = [loss for _, loss in result.metrics["history"]["loss"]]
    assert len(losses) == 3 and losses[-1] < losses[0] * 0.5, losses  # 100 steps each
    out = capsys.readouterr().out
    assert "Average loss at step 300 : " in out and out.count("Nearest to ") == 2 * 16
    assert "progress: 100.0% of 0.333 passes, " in out and " words/s" in out
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["vocabulary_size"] == 4000 and metrics["corpus_words"] == 60302
    assert metrics["analogy_questions"] > 0 and metrics["wordsim353_pairs"] > 50 and metrics["simlex999_pairs"] > 50
    assert len(metrics["neighbours"]) == 16 and all(len(words) == 8 for words in metrics["neighbours"].values())
    assert (tmp_path / "run" / "tsne.png").read_bytes()[:4] == b"\x89PNG"

    vectors = result.model.word_vectors()
    reloaded = keras.saving.load_model(tmp_path / "run" / "model.keras")
    assert reloaded.compiled and type(reloaded.optimizer) is keras.optimizers.SGD  # compiled as saved, ready to train on
    np.testing.assert_array_equal(reloaded.word_vectors().vectors, vectors.vectors)
    loaded = KeyedVectors.load_word2vec_format(str(tmp_path / "run" / "vectors.txt"))
    np.testing.assert_array_equal(loaded.vectors, vectors.vectors[1:])  # UNK left out of the exports
    assert loaded.index_to_key[:2] == ["the", "to"] and "UNK" not in loaded.key_to_index
    assert (tmp_path / "run" / "projector" / "metadata.tsv").read_text().splitlines()[:2] == ["the", "to"]

    serve = tf.saved_model.load(str(result.export_path)).signatures["serving_default"]
    looked_up = serve(words=tf.constant(["the", "no-such-word", "said"]))
    assert looked_up["ids"].numpy().tolist() == [1, 0, vectors.words.index("said")]
    np.testing.assert_allclose(looked_up["vectors"].numpy(), vectors.vectors[[1, 0, vectors.words.index("said")]])


@pytest.mark.slow
def test_resume_continues_the_history(tmp_path):
    short = dataclasses.replace(SHORT, embedded_steps=60, log_every=20, tsne_words=40, tsne_perplexity=5.0)
    programs.get("word2vec").run(dataclasses.replace(short, embedded_steps=40), out=tmp_path / "run", verbose=0)
    resumed = programs.get("word2vec").run(short, out=tmp_path / "run", resume=True, verbose=0)
    assert resumed.metrics["resumed_at"] == [40] and [s for s, _ in resumed.metrics["history"]["loss"]] == [20, 40, 60]


@pytest.mark.parametrize("make, args, message", [
    (None, ["--corpus", "missing.txt"], "does not exist"),
    (b"", ["--corpus", "corpus.txt"], "holds no words"),
    (b"\x7fELF\x02\x01\x01\x00\x00", ["--corpus", "corpus.txt"], "binary file"),
    (b"the cat sat on the mat", ["--corpus", "corpus.txt"], "5 distinct words, fewer than the vocabulary of 50000"),
    (None, ["--data-dir", "."], "holds neither text8 nor text8.zip"),
    (None, ["--set", "num_skips=4"], "`num_skips` must be at most 2 \\* skip_window = 2"),
    (b"PK\x03\x04 damaged", ["--data-dir", "."], r"The zip archive .*text8.zip is damaged"),
    (b"caf\xe9 society", ["--corpus", "corpus.txt"], r"corpus.txt is not UTF-8 text: undecodable byte at offset 3"),
    (None, ["--config", "gensim", "--set", "loss=nce"], "pairs='gensim' .* trains with loss='negative_sampling'"),
    (None, ["--config", "gensim", "--set", "min_count=100000"], "has 0 words seen at least min_count=100000 times"),
    (None, ["--config", "nope"], "Unknown --config for program 'word2vec'. Accepted: one of book, gensim or a JSON file"),
])
def test_bad_input_is_one_line_before_any_run_directory(make, args, message, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    if make is not None:
        (tmp_path / ("text8.zip" if make.startswith(b"PK") else "corpus.txt")).write_bytes(make)
    assert main(["train", "word2vec", "--out", "run", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("kclassics: error: ")
    assert re.search(message, err), err
    assert not (tmp_path / "run").exists() and not (tmp_path / "runs").exists()


def test_steps_zero_is_refused(capsys):
    assert main(["train", "word2vec", "--steps", "0"]) == 2
    assert "--steps: expected a positive integer, received '0'" in capsys.readouterr().err


def test_the_gensim_config_trains_sentences_and_exports_gensims_vocabulary(tmp_path, capsys):
    from gensim.models import KeyedVectors

    config = dataclasses.replace(program.GENSIM, epochs=1, tsne_iterations=250)
    result = programs.get("word2vec").run(config, out=tmp_path / "run", verbose=0)
    metrics = result.metrics
    assert metrics["steps"] == 7 and metrics["corpus_words"] == 60302  # 10,000-word sentences: 7 a pass
    assert metrics["vocabulary_size"] == 1 + 1759  # UNK and the words seen 5 times: gensim's vocabulary of the Lee corpus
    assert metrics["words_per_second"] == pytest.approx(60302 / metrics["fit_seconds"])
    out = capsys.readouterr().out
    assert "Average loss at step 7 : " in out and "progress: 100.0% of 1 passes, " in out
    assert "UNK" not in metrics["neighbours"] and not any("UNK" in words for words in metrics["neighbours"].values())
    loaded = KeyedVectors.load_word2vec_format(str(tmp_path / "run" / "vectors.txt"))
    np.testing.assert_array_equal(loaded.vectors, keras.ops.convert_to_numpy(result.model.embeddings)[1:])
    assert len(loaded) == 1759

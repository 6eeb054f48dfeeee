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
    assert not c.linear_decay and c.subsample == 0
    assert sorted(program.validation_words(c)) == sorted(set(program.validation_words(c))) and max(program.validation_words(c)) < 100


def test_nce_lowers_the_loss_on_the_embedded_corpus_and_the_run_exports_the_vectors(tmp_path, capsys):
    import tensorflow as tf
    from gensim.models import KeyedVectors

    result = programs.get("word2vec").run(SHORT, out=tmp_path / "run", verbose=0)
    losses = [loss for _, loss in result.metrics["history"]["loss"]]
    assert len(losses) == 3 and losses[-1] < losses[0] * 0.5, losses  # 100 steps each
    out = capsys.readouterr().out
    assert "Average loss at step 300 : " in out and out.count("Nearest to ") == 2 * 16
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["vocabulary_size"] == 4000 and metrics["corpus_words"] == 60302
    assert metrics["analogy_questions"] > 0 and metrics["wordsim353_pairs"] > 50 and metrics["simlex999_pairs"] > 50
    assert len(metrics["neighbours"]) == 16 and all(len(words) == 8 for words in metrics["neighbours"].values())
    assert (tmp_path / "run" / "tsne.png").read_bytes()[:4] == b"\x89PNG"

    vectors = result.model.word_vectors()
    reloaded = keras.saving.load_model(tmp_path / "run" / "model.keras")
    np.testing.assert_array_equal(reloaded.word_vectors().vectors, vectors.vectors)
    loaded = KeyedVectors.load_word2vec_format(str(tmp_path / "run" / "vectors.txt"))
    np.testing.assert_array_equal(loaded.vectors, vectors.vectors)
    assert (tmp_path / "run" / "projector" / "metadata.tsv").read_text().splitlines()[:2] == ["UNK", "the"]

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
])
def test_bad_input_is_one_line_before_any_run_directory(make, args, message, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    if make is not None:
        (tmp_path / "corpus.txt").write_bytes(make)
    assert main(["train", "word2vec", "--out", "run", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("kclassics: error: ")
    assert re.search(message, err), err
    assert not (tmp_path / "run").exists() and not (tmp_path / "runs").exists()


def test_steps_zero_is_refused(capsys):
    assert main(["train", "word2vec", "--steps", "0"]) == 2
    assert "--steps: expected a positive integer, received '0'" in capsys.readouterr().err

"""Bad input to every public function and option of the skip-gram, the word vectors and the word2vec config.

Each case is answered by kclassics' own check, in one line that names the
argument and the value received, before any work is done.
"""

import dataclasses

import numpy as np
import pytest

from kclassics import embeddings
from kclassics.embeddings import SkipGram, UnknownWord, WordVectors
from kclassics.programs import word2vec as program

WORDS = ["UNK", "king", "queen", "man", "woman"]
COUNTS = [0, 5, 4, 3, 2]
NAN = float("nan")


def skipgram(**changes):
    return lambda: SkipGram(**{"words": WORDS, "embedding_size": 4, "num_sampled": 2, "loss": "negative_sampling",
                               "noise_counts": COUNTS, **changes})


def vectors():
    return WordVectors(tuple(WORDS), np.arange(20, dtype=np.float32).reshape(5, 4) + 1)


# (case, call, exception, the argument and value the one-line message names)
SKIPGRAM = [
    ("words not a sequence", skipgram(words=5), ValueError, r"`words` must be a sequence of words \(strings\).*Received: words=5"),
    ("words empty", skipgram(words=[]), ValueError, r"`words` must hold UNK and at least one word. Received: 0 words"),
    ("words not strings", skipgram(words=["UNK", 3]), ValueError, r"`words` must be a sequence of words.*Received: words=\['UNK', 3\]"),
    ("words repeated", skipgram(words=["UNK", "a", "a"]), ValueError, r"`words` must be distinct. Received: 'a' twice"),
    ("embedding_size zero", skipgram(embedding_size=0), ValueError, r"`embedding_size` must be a positive integer. Received: embedding_size=0"),
    ("embedding_size float", skipgram(embedding_size=2.5), ValueError, r"Received: embedding_size=2.5"),
    ("embedding_size NaN", skipgram(embedding_size=NAN), ValueError, r"Received: embedding_size=nan"),
    ("num_sampled negative", skipgram(num_sampled=-1), ValueError, r"`num_sampled` must be a positive integer. Received: num_sampled=-1"),
    ("num_sampled too many for nce", skipgram(loss="nce", num_sampled=5), ValueError,
     r"`num_sampled` must be smaller than the 5 words.*Received: num_sampled=5"),
    ("loss unknown", skipgram(loss="hinge"), ValueError, r"Unknown `loss`. Accepted: nce, negative_sampling, sampled_softmax. Received: loss='hinge'"),
    ("noise_counts missing", skipgram(noise_counts=None), ValueError, r"`noise_counts`.*Received: noise_counts=None"),
    ("noise_counts wrong shape", skipgram(noise_counts=[1, 2]), ValueError, r"`noise_counts` must hold one non-negative count per word \(5\). Received: noise_counts of shape \(2,\)"),
    ("noise_counts NaN", skipgram(noise_counts=[0, 1, NAN, 1, 1]), ValueError, r"`noise_counts`.*Received: noise_counts of shape \(5,\) and dtype float64"),
    ("noise_counts negative", skipgram(noise_counts=[0, 1, -2, 1, 1]), ValueError, r"`noise_counts` must hold one non-negative count"),
    ("noise_counts all zero", skipgram(noise_counts=[0] * 5, window=2), ValueError, r"`noise_counts` must count at least one word besides UNK. Received: all zero"),
    ("initialization unknown", skipgram(initialization="glorot"), ValueError, r"Unknown `initialization`.*Received: initialization='glorot'"),
    ("window zero", skipgram(window=0), ValueError, r"`window` must be a positive integer or None. Received: window=0"),
    ("window string", skipgram(window="5"), ValueError, r"Received: window='5'"),
    ("window with nce", skipgram(window=5, loss="nce", num_sampled=2), ValueError,
     r"`window` .* trains with loss='negative_sampling'. Received: loss='nce', window=5"),
    ("subsample 1", skipgram(subsample=1.0), ValueError, r"`subsample` must be a number in \[0, 1\). Received: subsample=1.0"),
    ("subsample NaN", skipgram(subsample=NAN), ValueError, r"Received: subsample=nan"),
    ("centres_per_update zero", skipgram(centres_per_update=0), ValueError, r"Received: centres_per_update=0"),
    ("workers zero", skipgram(workers=0, window=2), ValueError, r"`workers` must be a positive integer. Received: workers=0"),
    ("workers without window", skipgram(workers=2), ValueError, r"`workers` .* needs `window`.*Received: workers=2, window=None"),
    ("seed negative", skipgram(seed=-1), ValueError, r"`seed` must be an integer between 0 and 4294967295. Received: seed=-1"),
    ("fit ids past the vocabulary", lambda: _compiled(skipgram()()).fit(np.array([1, 9]), np.array([2, 3]), verbose=0), ValueError,
     r"`x` must hold word ids in \[0, 5\). Received: x of shape \(2,\) and dtype int64, in \[1, 9\]"),
    ("fit contexts missing", lambda: _compiled(skipgram()()).fit(np.array([1, 2]), None, verbose=0), ValueError,
     r"`y` must hold a context word id for each centre word of `x` \(shape \(2,\)\). Received: y None"),
    ("fit contexts of another shape", lambda: _compiled(skipgram()()).fit(np.array([1, 2]), np.array([1]), verbose=0), ValueError,
     r"Received: y of shape \(1,\)"),
    ("fit contexts negative", lambda: _compiled(skipgram()()).fit(np.array([1, 2]), np.array([1, -3]), verbose=0), ValueError,
     r"`y` must hold word ids in \[0, 5\). Received: y of dtype int64, in \[-3, 1\]"),
    ("fit float ids", lambda: _compiled(skipgram()()).fit(np.array([1.5]), np.array([1]), verbose=0), ValueError,
     r"`x` must hold word ids.*dtype float64"),
    ("fit empty", lambda: _compiled(skipgram(window=2)()).fit(np.zeros((0, 1, 3), "int32"), verbose=0), ValueError,
     r"`x` must hold word ids in \[-1, 5\). Received: x of shape \(0, 1, 3\)"),
    ("window without plain SGD", lambda: _compiled(skipgram(window=2)(), momentum=0.9).fit(np.ones((1, 1, 3), "int32"), verbose=0),
     ValueError, r"trains with plain SGD.*Received: optimizer=SGD"),
]

WORD_VECTORS = [
    ("words not strings", lambda: WordVectors((1, 2), np.ones((2, 3))), ValueError, r"`words` must be a sequence of strings. Received: words=\(1, 2\)"),
    ("vectors of another length", lambda: WordVectors(("a", "b"), np.ones((3, 2))), ValueError,
     r"`vectors` must be a float array of one row per word \(2, dim\). Received: vectors of shape \(3, 2\)"),
    ("vectors one-dimensional", lambda: WordVectors(("a",), np.ones(3)), ValueError, r"Received: vectors of shape \(3,\)"),
    ("vectors of integers", lambda: WordVectors(("a",), np.ones((1, 3), int)), ValueError, r"Received: vectors of shape \(1, 3\) and dtype int64"),
    ("vectors empty", lambda: WordVectors((), np.ones((0, 3))), ValueError, r"at least one word and one dimension. Received: shape \(0, 3\)"),
    ("vectors NaN", lambda: WordVectors(("a",), np.array([[1.0, NAN]])), ValueError, r"`vectors` must be finite. Received: 1 NaN or infinite values"),
    ("words repeated", lambda: WordVectors(("a", "a"), np.ones((2, 2))), ValueError, r"`words` must be distinct. Received: 'a' twice"),
    ("word unknown", lambda: vectors()["emperor"], UnknownWord, r"`word` is not in the vocabulary of 5 words. Received: word='emperor'"),
    ("word not a string", lambda: vectors().get_vector(3), ValueError, r"`word` must be a word \(a string\). Received: word=3"),
    ("words list empty", lambda: vectors()[[]], ValueError, r"`words` must hold at least one word. Received: words=\[\]"),
    ("similarity unknown word", lambda: vectors().similarity("king", "emperor"), UnknownWord, r"Received: word2='emperor'"),
    ("most_similar nothing", lambda: vectors().most_similar(), ValueError,
     r"`positive` and `negative` must hold at least one word between them. Received: none"),
    ("most_similar positive not words", lambda: vectors().most_similar(positive=[1]), ValueError, r"Received: positive=\[1\]"),
    ("most_similar unknown negative", lambda: vectors().most_similar(["king"], ["emperor"]), UnknownWord, r"Received: negative='emperor'"),
    ("most_similar topn negative", lambda: vectors().most_similar(["king"], topn=-1), ValueError,
     r"`topn` must be a non-negative integer. Received: topn=-1"),
    ("most_similar topn float", lambda: vectors().most_similar(["king"], topn=2.5), ValueError, r"Received: topn=2.5"),
    ("most_similar restrict_vocab zero", lambda: vectors().most_similar(["king"], restrict_vocab=0), ValueError,
     r"Received: restrict_vocab=0"),
    ("doesnt_match empty", lambda: vectors().doesnt_match([]), ValueError, r"`words` must hold at least one word. Received: words=\[\]"),
    ("doesnt_match unknown words", lambda: vectors().doesnt_match(["emperor", "tsar"]), UnknownWord,
     r"`words` holds no word of the vocabulary. Received: words=\['emperor', 'tsar'\]"),
    ("neighbours k zero", lambda: vectors().neighbours("king", k=0), ValueError, r"Received: k=0"),
    ("nearest ids past the vocabulary", lambda: vectors().nearest([7]), ValueError, r"`word_ids` must be ids in \[0, 5\). Received: word_ids=\[7\]"),
    ("nearest k negative", lambda: vectors().nearest([1], k=-2), ValueError, r"Received: k=-2"),
    ("save binary not a boolean", lambda: vectors().save_word2vec_format("x", binary="yes"), ValueError, r"Received: binary='yes'"),
    ("save include_unk not a boolean", lambda: vectors().save_word2vec_format("x", include_unk=1), ValueError, r"Received: include_unk=1"),
    ("load missing file", lambda: WordVectors.load_word2vec_format("/no/such.bin"), FileNotFoundError,
     r"No word2vec file at /no/such.bin. Received: path='/no/such.bin'"),
]


def _compiled(model, momentum=0.0):
    import keras

    model.compile(optimizer=keras.optimizers.SGD(0.1, momentum=momentum))
    return model


def _file_cases(tmp_path):
    bad_header, short, not_numbers = tmp_path / "header.txt", tmp_path / "short.txt", tmp_path / "letters.txt"
    bad_header.write_text("five words\n")
    short.write_text("3 2\na 1 2\nb 3 4\n")
    not_numbers.write_text("1 2\na 1 x\n")
    (tmp_path / "questions.txt").write_text("king queen man\n")
    return [
        ("load header not COUNT DIM", lambda: WordVectors.load_word2vec_format(bad_header), ValueError,
         r"header.txt is not in the word2vec format: its first line must be 'COUNT DIM'. Received: b'five words\\n'"),
        ("load fewer vectors than announced", lambda: WordVectors.load_word2vec_format(short), ValueError,
         r"short.txt ends after 2 of the 3 vectors its header announces"),
        ("load a number that is not one", lambda: WordVectors.load_word2vec_format(not_numbers), ValueError,
         r"letters.txt:2: expected a word and 2 numbers. Received: 'a 1 x'"),
        ("load binary not a boolean", lambda: WordVectors.load_word2vec_format(short, binary=None), ValueError, r"Received: binary=None"),
        ("analogies top_n zero", lambda: embeddings.evaluate_analogies(vectors(), tmp_path / "questions.txt", top_n=0), ValueError,
         r"Received: top_n=0"),
        ("analogies case_insensitive not a boolean", lambda: embeddings.evaluate_analogies(vectors(), tmp_path / "questions.txt",
                                                                                          case_insensitive="no"),
         ValueError, r"Received: case_insensitive='no'"),
        ("analogies a question before a section", lambda: embeddings.evaluate_analogies(vectors(), tmp_path / "questions.txt"),
         ValueError, r"questions.txt:1: a question before the first ': section' line"),
        ("analogies missing file", lambda: embeddings.evaluate_analogies(vectors(), tmp_path / "none.txt"), FileNotFoundError,
         r"none.txt"),
        ("word pairs top_n negative", lambda: embeddings.evaluate_word_pairs(vectors(), tmp_path / "questions.txt", top_n=-1),
         ValueError, r"Received: top_n=-1"),
        ("word pairs line without a score", lambda: embeddings.evaluate_word_pairs(vectors(), tmp_path / "questions.txt"),
         ValueError, r"questions.txt:1: expected 'word1<TAB>word2<TAB>score'"),
        ("projector include_unk not a boolean", lambda: embeddings.save_projector_files(vectors(), tmp_path / "p", include_unk="no"),
         ValueError, r"Received: include_unk='no'"),
        ("t-SNE count zero", lambda: embeddings.plot_tsne(vectors(), tmp_path / "t.png", count=0), ValueError, r"Received: count=0"),
        ("t-SNE perplexity NaN", lambda: embeddings.plot_tsne(vectors(), tmp_path / "t.png", perplexity=NAN), ValueError,
         r"Received: perplexity=nan"),
        ("t-SNE iterations too few", lambda: embeddings.plot_tsne(vectors(), tmp_path / "t.png", iterations=10), ValueError,
         r"`iterations` must be at least 250 \(scikit-learn's minimum\). Received: iterations=10"),
        ("alias table empty", lambda: embeddings.alias_table([]), ValueError, r"`probabilities` must be non-negative numbers.*Received: \[\]"),
        ("alias table negative", lambda: embeddings.alias_table([0.5, -0.1]), ValueError, r"Received: \[0.5, -0.1\]"),
        ("alias table NaN", lambda: embeddings.alias_table([0.5, NAN]), ValueError, r"Received: \[0.5, nan\]"),
    ]


CONFIG = [(field, value, rf"`{field}`.*Received: {field}={value!r}".replace("(", r"\(").replace(")", r"\)").replace("[", r"\["))
          for field, value in [
              ("vocabulary_size", 1), ("vocabulary_size", 0.5), ("min_count", 0), ("embedding_size", -3), ("batch_size", 0),
              ("skip_window", 0), ("num_skips", "2"), ("num_sampled", 0), ("learning_rate", 0.0), ("learning_rate", NAN),
              ("min_learning_rate", -1.0), ("min_learning_rate", 5.0), ("steps", 0), ("epochs", 0), ("loss", "l2"),
              ("pairs", "skipgram"), ("linear_decay", "yes"), ("initialization", "zeros"), ("subsample", -0.5),
              ("subsample", NAN), ("centres_per_update", 0), ("workers", 0), ("workers", 2), ("steps_per_call", -1), ("corpus", ""),
              ("embedded_steps", 0), ("embedded_vocabulary_size", 1), ("embedded_initialization", "ones"),
              ("embedded_learning_rate", NAN), ("log_every", 0), ("neighbours_every", 0), ("valid_size", 0),
              ("valid_size", 101), ("valid_window", 0), ("top_k", 0), ("tsne_words", 0), ("tsne_perplexity", 0.0),
              ("tsne_iterations", 100), ("evaluation_top_n", 0), ("seed", 2**32), ("seed", 1.5),
          ]]


def _one_line(error, message):
    text = str(error.value)
    assert "\n" not in text, text
    assert __import__("re").search(message, text), text


@pytest.mark.parametrize("case, call, kind, message", SKIPGRAM + WORD_VECTORS, ids=[c[0] for c in SKIPGRAM + WORD_VECTORS])
def test_the_model_and_the_vectors_refuse_bad_input_in_one_line(case, call, kind, message):
    with pytest.raises(kind) as error:
        call()
    _one_line(error, message)


def test_the_functions_refuse_bad_files_and_options_in_one_line(tmp_path):
    for case, call, kind, message in _file_cases(tmp_path):
        with pytest.raises(kind) as error:
            call()
        _one_line(error, message)


@pytest.mark.parametrize("field, value, message", CONFIG, ids=[f"{f}={v!r}" for f, v, _ in CONFIG])
def test_every_config_field_refuses_a_bad_value_in_one_line(field, value, message):
    with pytest.raises(ValueError) as error:
        dataclasses.replace(program.WORD2VEC, **{field: value})
    _one_line(error, message)


def test_the_cases_cover_every_option(tmp_path):
    """Every config field (but `source`), every SkipGram argument and every public function of the vectors has a case."""
    import inspect

    fields = {f.name for f in dataclasses.fields(program.Word2VecConfig)} - {"source"}
    assert fields == {field for field, _, _ in CONFIG}
    arguments = set(inspect.signature(SkipGram.__init__).parameters) - {"self", "kwargs"}
    assert all(any(argument in case for case, *_ in SKIPGRAM) for argument in arguments), arguments
    cases = " ".join(case for case, *_ in WORD_VECTORS + _file_cases(tmp_path))
    for query in ("word unknown", "similarity", "most_similar", "doesnt_match", "neighbours", "nearest", "save", "load",
                  "analogies", "word pairs", "projector", "t-SNE", "alias table"):
        assert query in cases, query

"""The PTB reader, the plain-text reader, the embedded corpus and the book's `ptb_producer` batching."""

import collections

import numpy as np
import pytest

from kclassics.data import ptb


def transcribed_ptb_producer(raw_data, batch_size, num_steps):
    """TensorFlow's `reader.ptb_producer`, line by line, with numpy in place of tensors (the book's L4162)."""
    data_len = len(raw_data)
    batch_len = data_len // batch_size
    data = np.reshape(raw_data[0 : batch_size * batch_len], [batch_size, batch_len])
    epoch_size = (batch_len - 1) // num_steps
    assert epoch_size > 0, "epoch_size == 0, decrease batch_size or num_steps"
    for i in range(epoch_size):  # range_input_producer(epoch_size, shuffle=False)
        x = data[0:batch_size, i * num_steps : (i + 1) * num_steps]
        y = data[0:batch_size, i * num_steps + 1 : (i + 1) * num_steps + 1]
        yield x, y


@pytest.mark.parametrize("length, batch_size, num_steps", [(100, 3, 4), (61, 5, 2), (20, 1, 1), (48, 2, 23)])
def test_batching_is_the_books_ptb_producer(length, batch_size, num_steps):
    raw = np.arange(length, dtype=np.int32) * 7 % 101
    x, y = ptb.ptb_producer(raw, batch_size, num_steps)
    expected = list(transcribed_ptb_producer(raw, batch_size, num_steps))
    assert x.shape == (len(expected), batch_size, num_steps) == y.shape
    assert len(expected) == ptb.epoch_size(length, batch_size, num_steps)
    for i, (ex, ey) in enumerate(expected):
        np.testing.assert_array_equal(x[i], ex)
        np.testing.assert_array_equal(y[i], ey)


def test_each_row_continues_its_stream_in_the_next_batch():
    raw = np.arange(200, dtype=np.int32)
    x, y = ptb.ptb_producer(raw, 4, 5)
    np.testing.assert_array_equal(x[1][:, 0], x[0][:, -1] + 1)  # row r of batch i + 1 follows row r of batch i
    np.testing.assert_array_equal(y, x + 1)


def test_a_split_too_short_for_one_batch_is_refused():
    with pytest.raises(ValueError, match=r"too short for one batch of 20 streams x 20 steps .*Received: batch_size=20, num_steps=20"):
        ptb.ptb_producer(np.arange(400), 20, 20)


def test_newlines_become_eos_and_the_vocabulary_ranks_training_words(tmp_path):
    (tmp_path / "ptb.train.txt").write_text(" the cat sat \n the dog \n a cat \n")
    (tmp_path / "ptb.valid.txt").write_text(" the cat \n")
    (tmp_path / "ptb.test.txt").write_text(" a dog\n")
    assert ptb.read_words(tmp_path / "ptb.train.txt")[:4] == ["the", "cat", "sat", "<eos>"]
    assert ptb.read_words(tmp_path / "ptb.test.txt") == ["a", "dog", "<eos>"]  # no space before the newline
    corpus = ptb.load_ptb(tmp_path)
    # counts: <eos> 3, cat 2, the 2, a 1, dog 1, sat 1 -> by count, ties by spelling
    assert corpus.vocabulary == ("<eos>", "cat", "the", "a", "dog", "sat")
    np.testing.assert_array_equal(corpus.valid, [2, 1, 0])
    assert corpus.train.dtype == np.int32 and len(corpus.train) == 10


def test_vocabulary_size_and_unk():
    words = "a a a b b c d <unk>".split()
    assert ptb.build_vocabulary(words, 10) == ("a", "b", "<unk>", "c", "d")  # PTB: <unk> is a word of its own
    assert ptb.build_vocabulary("a a a b b c d".split(), 3) == ("a", "b", "<unk>")  # cut short: <unk> stands for the rest
    assert ptb.build_vocabulary("a a a b b c d".split(), 10, min_count=2) == ("a", "b", "<unk>")
    corpus = ptb.corpus_from_words("a a b".split(), "a z".split(), "b".split())
    assert corpus.vocabulary[-1] == "<unk>"  # z is met only outside training
    np.testing.assert_array_equal(corpus.valid, [0, 2])


def test_missing_and_empty_splits_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"lacks ptb.valid.txt, ptb.test.txt"):
        (tmp_path / "ptb.train.txt").write_text(" a b \n")
        ptb.load_ptb(tmp_path)
    (tmp_path / "ptb.valid.txt").write_text("")
    (tmp_path / "ptb.test.txt").write_text(" a \n")
    with pytest.raises(ValueError, match="The valid split of PTB .* is empty"):
        ptb.load_ptb(tmp_path)
    with pytest.raises(FileNotFoundError, match="must be a directory"):
        ptb.load_corpus(tmp_path / "nowhere")


def test_plain_text_directories_read_as_ptb(tmp_path):
    for name, text in zip(ptb.TEXT_FILES, ("One two.\nTwo three\n", "two\n", "three\n")):
        (tmp_path / name).write_text(text)
    corpus = ptb.load_corpus(tmp_path)
    assert corpus.source.startswith("text") and "two." in corpus.vocabulary  # same semantics: whitespace words
    normalized = ptb.load_text(tmp_path, normalize=True)
    assert normalized.normalized and ptb.normalize_line("One two.") == "one two ."


def test_embedded_corpus_is_the_lee_articles_cut_by_article():
    corpus = ptb.load_embedded()
    assert [ptb.embedded_split(i) for i in range(10)] == ["train"] * 8 + ["valid", "test"]
    lines = collections.Counter(ptb.embedded_split(i) for i in range(300))
    eos = corpus.word_to_id()[ptb.EOS]
    assert [(corpus.split(s) == eos).sum() for s in ptb.SPLITS] == [lines["train"], lines["valid"], lines["test"]] == [240, 30, 30]
    assert corpus.vocabulary[:3] == ("the", ".", ",") and corpus.vocabulary[-1] == ptb.UNK
    assert 50_000 < len(corpus.train) < 60_000 and corpus.vocab_size < ptb.VOCAB_SIZE


def test_unigram_perplexity_by_hand():
    corpus = ptb.Corpus(np.array([0, 0, 1]), np.array([1]), np.array([0, 1]), vocabulary=("a", "b", "c"))
    p = np.array([3, 2, 1]) / 6  # add-one counts
    assert ptb.unigram_perplexity(corpus) == pytest.approx(np.exp(-(np.log(p[0]) + np.log(p[1])) / 2))


def test_vocabulary_file_round_trip(tmp_path):
    ptb.write_vocabulary(("<eos>", "a", "<unk>"), tmp_path / "vocab.txt")
    assert ptb.read_vocabulary(tmp_path / "vocab.txt") == ("<eos>", "a", "<unk>")

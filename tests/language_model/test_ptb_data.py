"""The PTB reader, the plain-text reader, the embedded corpus and the book's `ptb_producer` batching."""

import collections
import re

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


def _write_splits(directory, splits=("ptb.train.txt", "ptb.valid.txt", "ptb.test.txt")):
    directory.mkdir(parents=True)
    for name, text in zip(splits, (" the cat sat \n the dog \n", " the cat \n", " a dog \n")):
        (directory / name).write_text(text)
    return directory


def test_a_file_that_is_not_utf8_is_named_with_the_offset_of_its_first_bad_byte(tmp_path):
    data = _write_splits(tmp_path / "data")
    (data / "ptb.valid.txt").write_bytes(b" the cat \n caf\xe9 \n")
    with pytest.raises(ValueError, match=rf"^{re.escape(str(data / 'ptb.valid.txt'))} is not UTF-8 text: byte 0xe9 at offset 14 "
                                         rf"cannot be decoded\. Received: path="):
        ptb.load_ptb(data)


def test_the_books_archive_is_read_as_its_directory_and_a_damaged_one_is_named(tmp_path):
    import tarfile
    import zipfile

    data = _write_splits(tmp_path / "simple-examples" / "data")
    expected = ptb.load_ptb(data)
    with tarfile.open(tmp_path / "simple-examples.tgz", "w:gz") as archive:
        archive.add(tmp_path / "simple-examples", arcname="simple-examples")
    with zipfile.ZipFile(tmp_path / "simple-examples.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        for name in ptb.PTB_FILES:
            archive.write(data / name, f"simple-examples/data/{name}")
    for name in ("simple-examples.tgz", "simple-examples.zip"):
        corpus = ptb.load_corpus(tmp_path / name)
        assert corpus.vocabulary == expected.vocabulary and (corpus.train == expected.train).all()

    raw = (tmp_path / "simple-examples.tgz").read_bytes()
    (tmp_path / "truncated.tgz").write_bytes(raw[: len(raw) // 2])
    zipped = bytearray((tmp_path / "simple-examples.zip").read_bytes())
    start = zipped.index(b"ptb.train.txt") + len("ptb.train.txt")  # the first member's compressed bytes
    zipped[start + 2] ^= 0xFF
    (tmp_path / "corrupt.zip").write_bytes(bytes(zipped))
    (tmp_path / "not_gzip.tgz").write_bytes(b"plain text, not gzip\n")
    for name in ("truncated.tgz", "corrupt.zip", "not_gzip.tgz"):
        with pytest.raises(ValueError, match=rf"^The archive {re.escape(str(tmp_path / name))} is damaged \(.+\); "
                                             r"replace it with an intact copy\. Received: data_dir="):
            ptb.load_ptb(tmp_path / name)
    with pytest.raises(FileNotFoundError, match=r"simple-examples.tgz lacks train.txt, valid.txt, test.txt"):
        ptb.load_text(tmp_path / "simple-examples.tgz")


def test_paths_that_are_not_split_files_are_said_as_such(tmp_path):
    (tmp_path / "notes.txt").write_text("a\n")
    with pytest.raises(FileNotFoundError, match=r"`data_dir` must be a directory or an archive .*; .*notes.txt is a file, not an archive"):
        ptb.load_ptb(tmp_path / "notes.txt")
    with pytest.raises(FileNotFoundError, match=r"; .*nowhere does not exist\. Received: data_dir="):
        ptb.load_ptb(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match=r"^`path` must be a text file; .* is a directory"):
        ptb.read_words(tmp_path)

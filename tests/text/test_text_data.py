"""kclassics.data.text: the readers, the book's vocabulary and its generate_batch pairs."""

import collections
import random
import zipfile

import numpy as np
import pytest

from kclassics.data import text


def book_generate_batch(data, batch_size, num_skips, skip_window, state):
    """The book's generate_batch (L3833-3862), transcribed with its global `data_index` held in `state`."""
    assert batch_size % num_skips == 0
    assert num_skips <= 2 * skip_window
    batch = np.ndarray(shape=(batch_size), dtype=np.int32)
    labels = np.ndarray(shape=(batch_size, 1), dtype=np.int32)
    span = 2 * skip_window + 1
    buffer = collections.deque(maxlen=span)
    for _ in range(span):
        buffer.append(data[state["data_index"]])
        state["data_index"] = (state["data_index"] + 1) % len(data)
    for i in range(batch_size // num_skips):
        target = skip_window
        targets_to_avoid = [skip_window]
        for j in range(num_skips):
            while target in targets_to_avoid:
                target = random.randint(0, span - 1)
            targets_to_avoid.append(target)
            batch[i * num_skips + j] = buffer[skip_window]
            labels[i * num_skips + j, 0] = buffer[target]
        buffer.append(data[state["data_index"]])
        state["data_index"] = (state["data_index"] + 1) % len(data)
    return batch, labels


def pipeline_batches(data, batch_size, num_skips, skip_window, count, first_batch=0, seed=0):
    dataset = text.skipgram_dataset(data, batch_size, num_skips, skip_window, seed=seed, first_batch=first_batch)
    return [(c.numpy(), x.numpy()) for c, x in dataset.take(count)]


def grouped(batch, labels, num_skips):
    """Each centre with the sorted context words drawn for it (the book draws their order at random)."""
    return [(int(batch[i]), sorted(labels[i : i + num_skips])) for i in range(0, len(batch), num_skips)]


# The corpus is 23 distinct ids, so a pair names its positions; 6 batches wrap around it several times.
@pytest.mark.parametrize("batch_size, num_skips, skip_window", [(8, 2, 1), (12, 4, 2), (6, 6, 3)])
def test_pairs_equal_the_books_generator_when_every_context_word_is_used(batch_size, num_skips, skip_window):
    data = np.arange(100, 123, dtype=np.int32)
    state = {"data_index": 0}
    random.seed(0)
    for centres, contexts in pipeline_batches(data, batch_size, num_skips, skip_window, 6):
        batch, labels = book_generate_batch(data, batch_size, num_skips, skip_window, state)
        np.testing.assert_array_equal(centres, batch)
        assert grouped(centres, contexts, num_skips) == grouped(batch, labels[:, 0], num_skips)


def test_pairs_draw_distinct_context_words_uniformly_when_fewer_are_asked_for():
    data = np.arange(50, dtype=np.int32)
    state = {"data_index": 0}
    random.seed(0)
    drawn = collections.Counter()
    for centres, contexts in pipeline_batches(data, 16, 2, 2, 200):
        batch, labels = book_generate_batch(data, 16, 2, 2, state)
        np.testing.assert_array_equal(centres, batch)
        for i in range(0, 16, 2):
            offsets = [int((c - centres[i] + 25) % 50) - 25 for c in contexts[i : i + 2]]
            assert offsets[0] != offsets[1] and all(o in (-2, -1, 1, 2) for o in offsets)
            drawn.update(offsets)
    counts = np.array([drawn[o] for o in (-2, -1, 1, 2)])
    assert counts.sum() == 200 * 16 and np.all(np.abs(counts / counts.sum() - 0.25) < 0.02), counts


def test_a_batch_is_the_same_whatever_batch_the_pipeline_starts_at():
    data = np.random.default_rng(0).integers(0, 30, size=500).astype(np.int32)
    full = pipeline_batches(data, 8, 2, 2, 5)
    resumed = pipeline_batches(data, 8, 2, 2, 2, first_batch=3)
    for (c1, x1), (c2, x2) in zip(full[3:], resumed):
        np.testing.assert_array_equal(c1, c2)
        np.testing.assert_array_equal(x1, x2)


def test_subsampling_drops_frequent_words_and_resumes_at_the_same_batch():
    tokens = ["the"] * 600 + [f"w{i}" for i in range(400)]
    random.Random(0).shuffle(tokens)
    vocabulary = text.Vocabulary.build(tokens, 500)
    keep = vocabulary.keep_probabilities(1e-2)
    assert keep[vocabulary.index["the"]] < 0.2 and keep[vocabulary.index["w7"]] == 1.0
    data = vocabulary.encode(tokens)
    dataset = text.skipgram_dataset(data, 8, 2, 1, keep_probabilities=keep)
    batches = [(c.numpy(), x.numpy()) for c, x in dataset.take(120)]  # passes of about 490 words kept, 70 batches each
    the = vocabulary.index["the"]
    share = np.mean(np.concatenate([c for c, _ in batches]) == the)
    assert share < 0.25, share  # 60% of the corpus
    resumed = [(c.numpy(), x.numpy()) for c, x in
               text.skipgram_dataset(data, 8, 2, 1, first_batch=100, keep_probabilities=keep).take(3)]
    for (c1, x1), (c2, x2) in zip(batches[100:], resumed):
        np.testing.assert_array_equal(c1, c2)
        np.testing.assert_array_equal(x1, x2)


def test_the_vocabulary_matches_a_hand_count():
    tokens = "b a c a b a d e d a".split()
    vocabulary = text.Vocabulary.build(tokens, size=4)  # UNK and the three most common
    assert vocabulary.words == ("UNK", "a", "b", "d")  # a: 4, b: 2, d: 2 (b seen first), c and e once
    assert vocabulary.counts.tolist() == [2, 4, 2, 2]  # UNK counts c and e
    assert vocabulary.encode(tokens).tolist() == [2, 1, 0, 1, 2, 1, 3, 0, 3, 1]


def test_readers(tmp_path):
    (tmp_path / "text8").write_text(" anarchism originated as a term")
    assert text.read_text8(tmp_path) == ["anarchism", "originated", "as", "a", "term"]
    with zipfile.ZipFile(tmp_path / "text8.zip", "w") as archive:
        archive.writestr("text8", " of abuse first used")
    (tmp_path / "text8").unlink()
    assert text.read_corpus(tmp_path / "text8.zip") == ["of", "abuse", "first", "used"]
    (tmp_path / "book.txt").write_text("The Cat's 2 hats -- Über-cool!\nNext line.", encoding="utf-8")
    assert text.read_corpus(tmp_path / "book.txt") == ["the", "cat", "s", "hats", "über", "cool", "next", "line"]
    (tmp_path / "binary").write_bytes(b"\x00\x01\x02abc")
    with pytest.raises(ValueError, match="binary file"):
        text.read_text(tmp_path / "binary")
    (tmp_path / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    with pytest.raises(ValueError, match="not UTF-8"):
        text.read_text(tmp_path / "latin1.txt")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="neither text8 nor text8.zip"):
        text.read_text8(tmp_path / "empty")


def test_the_books_asserts_are_clear_errors():
    with pytest.raises(ValueError, match="`batch_size` must be a multiple of num_skips=3"):
        text.check_pairs_arguments(8, 3, 2)
    with pytest.raises(ValueError, match="`num_skips` must be at most 2 \\* skip_window = 2"):
        text.check_pairs_arguments(8, 4, 1)


@pytest.mark.parametrize("kind", ["text8", "plain", "zip", "gzip"])
def test_the_stream_reads_the_words_a_whole_read_does(tmp_path, monkeypatch, kind):
    import gzip

    content = "The cat's 2 hats -- Über-cool!\nNext  line, naïve café.\n" * 3 if kind != "text8" else " anarchism originated as a term " * 4
    whole = content.split() if kind in ("text8", "zip") else text.normalize(content).split()
    path = tmp_path / {"text8": "text8", "plain": "book.txt", "zip": "text8.zip", "gzip": "book.txt.gz"}[kind]
    if kind == "zip":
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("text8", content)
    elif kind == "gzip":
        path.write_bytes(gzip.compress(content.encode("utf-8")))
    else:
        path.write_text(content, encoding="utf-8")
    monkeypatch.setattr(text, "CHUNK_BYTES", 5)  # words and multi-byte characters cut by every chunk
    chunks = list(text.stream_words(path))
    assert len(chunks) > 3 and [w for chunk in chunks for w in chunk] == whole
    vocabulary, data = text.encode_corpus(path, size=None)
    expected = text.Vocabulary.build(whole, size=None)
    assert vocabulary.words == expected.words and vocabulary.counts.tolist() == expected.counts.tolist()
    assert data.tolist() == expected.encode(whole).tolist()


def test_streamed_pairs_equal_in_memory_pairs(tmp_path, monkeypatch):
    words = ["w" + "abcdefghijklmnopqrstuvwxyz"[i % 37 % 26] * (1 + i % 37 // 26) for i in range(3000)]  # 37 words of letters
    (tmp_path / "corpus.txt").write_text(" ".join(words))
    monkeypatch.setattr(text, "CHUNK_BYTES", 64)
    vocabulary, data = text.encode_corpus(tmp_path / "corpus.txt", size=20)
    in_memory = text.Vocabulary.build(words, size=20)
    assert vocabulary.words == in_memory.words
    np.testing.assert_array_equal(data, in_memory.encode(words))
    for (c1, x1), (c2, x2) in zip(pipeline_batches(data, 8, 2, 1, 4), pipeline_batches(in_memory.encode(words), 8, 2, 1, 4)):
        np.testing.assert_array_equal(c1, c2)
        np.testing.assert_array_equal(x1, x2)


def test_damaged_archives_and_bad_text_are_named(tmp_path, monkeypatch):
    import gzip

    (tmp_path / "text8.zip").write_bytes(b"this is not a zip archive at all")
    with pytest.raises(text.DamagedArchive, match=r"The zip archive .*text8.zip is damaged"):
        text.read_corpus(tmp_path / "text8.zip")
    with zipfile.ZipFile(tmp_path / "good.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("text8", " a b c" * 1000)
    raw = (tmp_path / "good.zip").read_bytes()
    (tmp_path / "cut.zip").write_bytes(raw[: len(raw) // 2])  # truncated: its directory is gone
    with pytest.raises(text.DamagedArchive, match=r"cut.zip is damaged"):
        text.read_corpus(tmp_path / "cut.zip")
    flipped = bytearray(raw)
    flipped[60] ^= 0xFF  # a byte of the compressed member
    (tmp_path / "flipped.zip").write_bytes(bytes(flipped))
    with pytest.raises(text.DamagedArchive, match=r"flipped.zip is damaged"):
        text.read_corpus(tmp_path / "flipped.zip")
    packed = gzip.compress(b"the words of a book " * 100)
    (tmp_path / "book.txt.gz").write_bytes(packed[: len(packed) - 12])
    with pytest.raises(text.DamagedArchive, match=r"The gzip archive .*book.txt.gz is damaged"):
        text.read_corpus(tmp_path / "book.txt.gz")
    monkeypatch.setattr(text, "CHUNK_BYTES", 4)
    (tmp_path / "latin1.txt").write_bytes("naïve text then caf\xe9 au lait".encode("latin-1"))
    with pytest.raises(ValueError, match=r"latin1.txt is not UTF-8 text: undecodable byte at offset 2\b"):
        text.read_text(tmp_path / "latin1.txt")
    (tmp_path / "late.txt").write_bytes("plain words, then caf".encode() + b"\xe9 au lait")
    with pytest.raises(ValueError, match=r"late.txt is not UTF-8 text: undecodable byte at offset 21\b"):
        text.read_text(tmp_path / "late.txt")


def test_min_count_and_an_open_vocabulary():
    tokens = "b a c a b a d e d a".split()
    vocabulary = text.Vocabulary.build(tokens, size=None, min_count=2)
    assert vocabulary.words == ("UNK", "a", "b", "d") and vocabulary.counts.tolist() == [2, 4, 2, 2]
    assert text.Vocabulary.build(tokens, size=3, min_count=2).words == ("UNK", "a", "b")
    with pytest.raises(ValueError, match="`min_count` must be a positive integer. Received: min_count=0"):
        text.Vocabulary.build(tokens, min_count=0)


def test_sentence_blocks_cover_each_pass_and_resume_at_their_step():
    data = np.arange(25, dtype=np.int32)
    blocks = [b.numpy() for b in text.sentence_dataset(data, 10, steps=4)]
    assert [b.shape for b in blocks] == [(1, 10)] * 4
    assert blocks[2][0].tolist() == [20, 21, 22, 23, 24, -1, -1, -1, -1, -1] and blocks[3][0].tolist() == list(range(10))
    resumed = [b.numpy() for b in text.sentence_dataset(data, 10, first_step=2, steps=4)]
    assert all(np.array_equal(a, b) for a, b in zip(blocks[2:], resumed)) and len(resumed) == 2


def test_stacked_batches_pad_the_last_stack():
    import tensorflow as tf

    pairs = tf.data.Dataset.range(5).map(lambda b: (tf.fill([3], tf.cast(b, tf.int32)), tf.fill([3], tf.cast(b, tf.int32))))
    stacks = [(c.numpy(), x.numpy()) for c, x in text.stack_batches(pairs, 2)]
    assert [c[:, 0].tolist() for c, _ in stacks] == [[0, 1], [2, 3], [4, -1]] and stacks[2][1][1].tolist() == [-1, -1, -1]


def test_memory_is_given_back_after_a_large_corpus_only(tmp_path, monkeypatch):
    """A collection and malloc_trim cost 0.2 s: `encode_corpus` spends them on a corpus of LARGE_WORDS words or more."""
    released = []
    monkeypatch.setattr(text, "release_memory", lambda: released.append(True))
    path = tmp_path / "corpus.txt"
    path.write_text("the cat sat on the mat " * 10)
    text.encode_corpus(path, size=None)
    assert released == []
    monkeypatch.setattr(text, "LARGE_WORDS", 60)
    vocabulary, data = text.encode_corpus(path, size=None)
    assert released == [True] and len(data) == 60 and vocabulary.words[1] == "the"


def test_a_large_corpus_is_read_from_a_file_a_block_at_a_time_with_the_same_ids(tmp_path, monkeypatch):
    """From LARGE_WORDS words the ids go to a temporary file: the same ids, sentences and pairs as in memory."""
    words = ["w" + "abcdefghijklmnopqrstuvwxyz"[i * 7 % 31 % 26] for i in range(997)]
    (tmp_path / "corpus.txt").write_text(" ".join(words))
    vocabulary, in_memory = text.encode_corpus(tmp_path / "corpus.txt", size=None)
    monkeypatch.setattr(text, "LARGE_WORDS", 997)
    again, ids = text.encode_corpus(tmp_path / "corpus.txt", size=None)
    assert isinstance(ids, text.CorpusIds) and not isinstance(in_memory, text.CorpusIds) and again.words == vocabulary.words
    assert len(ids) == 997 and ids[990:2000].tolist() == in_memory[990:].tolist() and ids[5:5].tolist() == []
    np.testing.assert_array_equal(np.asarray(ids), in_memory)
    for theirs, ours in zip(text.sentence_dataset(in_memory, 100, first_step=3, steps=25), text.sentence_dataset(ids, 100, first_step=3, steps=25)):
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    for (c1, x1), (c2, x2) in zip(pipeline_batches(ids, 8, 2, 1, 4), pipeline_batches(in_memory, 8, 2, 1, 4)):
        np.testing.assert_array_equal(c1, c2)
        np.testing.assert_array_equal(x1, x2)
    with pytest.raises(TypeError, match=r"CorpusIds are read in contiguous slices \(ids\[a:b\]\). Received: 3"):
        ids[3]

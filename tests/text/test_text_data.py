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

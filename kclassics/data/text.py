"""Text corpora for the embedding programs: readers, the book's vocabulary and its skip-gram pairs (book 7.1, L3706).

    tokens = read_corpus("text8.zip")                 # or a directory holding text8 / text8.zip, or any UTF-8 text file
    vocabulary = Vocabulary.build(tokens, size=50000)  # the book's build_dataset: UNK = id 0, ids by frequency rank
    data = vocabulary.encode(tokens)                   # int32 ids
    pairs = skipgram_dataset(data, batch_size=128, num_skips=2, skip_window=1)  # (centres, contexts) per step

`skipgram_dataset` yields exactly the pairs of the book's `generate_batch`
(L3833): batch `b` slides a window of `2 * skip_window + 1` words over the
corpus from position `b * (batch_size // num_skips + span)` (the book reads a
fresh `span` words at the start of every call, so it steps over `span` words
between batches), takes `num_skips` distinct context words of each centre word
and wraps around the end of the corpus. It is computed per batch from the
batch's index, so a resumed run continues with the same pairs.
"""

import collections
import dataclasses
import re
import zipfile
from pathlib import Path

import numpy as np

TEXT8_NAMES = ("text8", "text8.zip")
UNK = "UNK"
_NON_LETTERS = re.compile(r"[\W\d_]+")


def normalize(text):
    """text8's normalisation for plain text: lowercase, and every run of non-letters becomes one space.

    text8 is Wikipedia reduced to lowercase a-z and spaces (digits spelled
    out); a plain-text corpus is lowercased and split at anything that is not
    a letter (Unicode letters are kept, so accented words survive).
    """
    return _NON_LETTERS.sub(" ", text.lower())


def _decode(raw, path):
    if b"\x00" in raw[:65536]:
        raise ValueError(f"The corpus {path} is a binary file, not UTF-8 text. Received: corpus={str(path)!r}")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(
            f"The corpus {path} is not UTF-8 text (undecodable byte at offset {error.start}). Received: corpus={str(path)!r}"
        ) from None


def read_text8(path):
    """The words of text8: the single-line `text8` file, `text8.zip`, or a directory holding either (book L3780)."""
    path = Path(path).expanduser()
    if path.is_dir():
        found = [path / name for name in TEXT8_NAMES if (path / name).is_file()]
        if not found:
            raise FileNotFoundError(
                f"{path} holds neither text8 nor text8.zip (http://mattmahoney.net/dc/text8.zip). Received: data_dir={str(path)!r}"
            )
        path = found[0]
    if not path.is_file():
        raise FileNotFoundError(f"No text8 file at {path}. Received: {str(path)!r}")
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            raw = archive.read(archive.namelist()[0])  # the book: f.read(f.namelist()[0]).split()
    else:
        raw = path.read_bytes()
    return _decode(raw, path).split()


def read_text(path):
    """The words of a UTF-8 text file, normalised as text8 is (see `normalize`)."""
    path = Path(path).expanduser()
    if not path.exists():
        raise FileNotFoundError(f"The corpus {path} does not exist. Received: corpus={str(path)!r}")
    if not path.is_file():
        raise ValueError(f"The corpus must be a text file; {path} is a directory. Received: corpus={str(path)!r}")
    return normalize(_decode(path.read_bytes(), path)).split()


def read_corpus(path):
    """The words of a corpus file: text8 (a file or directory named text8 / text8.zip, or any zip) or plain text."""
    path = Path(path).expanduser()
    if path.is_dir() or path.name in TEXT8_NAMES or (path.is_file() and zipfile.is_zipfile(path)):
        return read_text8(path)
    return read_text(path)


@dataclasses.dataclass(frozen=True)
class Vocabulary:
    """The book's vocabulary (`build_dataset`, L3795): `UNK` = id 0, then the most frequent words by rank.

    Attributes:
        words: the words in id order, `words[0] == "UNK"`.
        counts: int64 occurrences of each id in the corpus (`counts[0]`: the
            tokens outside the vocabulary, the book's `unk_count`).
    """

    words: tuple
    counts: np.ndarray = dataclasses.field(repr=False)

    @classmethod
    def build(cls, tokens, size=50000):
        """The `size - 1` most common words (ties in order of first appearance, as `Counter.most_common`) after UNK."""
        if size < 2:
            raise ValueError(f"`size` must be at least 2 (UNK and one word). Received: size={size!r}")
        common = collections.Counter(tokens).most_common(size - 1)
        words = (UNK, *(word for word, _ in common))
        counts = np.array([0, *(count for _, count in common)], dtype=np.int64)
        counts[0] = len(tokens) - counts[1:].sum()
        return cls(words, counts)

    @property
    def index(self):
        """word -> id."""
        return {word: i for i, word in enumerate(self.words)}

    def __len__(self):
        return len(self.words)

    def encode(self, tokens):
        """The ids of `tokens` (0 for a word outside the vocabulary), as int32."""
        index = self.index
        return np.fromiter((index.get(token, 0) for token in tokens), dtype=np.int32, count=len(tokens))

    def keep_probabilities(self, sample):
        """Probability of keeping each id under frequent-word subsampling (word2vec's and gensim's formula).

        A word of corpus frequency `f` is kept with probability
        `(sqrt(f / (sample * total)) + 1) * (sample * total) / f`, capped at 1
        (Mikolov et al. 2013, as in the C tool and gensim's `sample`).
        """
        total = self.counts.sum()
        threshold = sample * total
        counts = np.maximum(self.counts, 1).astype(np.float64)
        return np.minimum((np.sqrt(counts / threshold) + 1) * threshold / counts, 1.0).astype(np.float32)


def context_offsets(skip_window):
    """The buffer positions of the context words relative to the centre: -w..-1, 1..w (the book's targets)."""
    return np.array([*range(-skip_window, 0), *range(1, skip_window + 1)], dtype=np.int64)


def check_pairs_arguments(batch_size, num_skips, skip_window):
    """The book's asserts (L3835) as clear errors."""
    from kclassics import validation

    for name, value in (("batch_size", batch_size), ("num_skips", num_skips), ("skip_window", skip_window)):
        validation.positive_int(name, value)
    if batch_size % num_skips:
        raise ValueError(f"`batch_size` must be a multiple of num_skips={num_skips}. Received: batch_size={batch_size}")
    if num_skips > 2 * skip_window:
        raise ValueError(
            f"`num_skips` must be at most 2 * skip_window = {2 * skip_window} (the context words of one centre). "
            f"Received: num_skips={num_skips}"
        )


def tokens_per_batch(batch_size, num_skips, skip_window):
    """Corpus words one batch moves past: its centre words and the `span` the book reads afresh each call."""
    return batch_size // num_skips + 2 * skip_window + 1


def skipgram_dataset(data, batch_size, num_skips, skip_window, seed=0, first_batch=0, keep_probabilities=None):
    """The book's `generate_batch` pairs, vectorised: an endless `tf.data.Dataset` of `(centres, contexts)` batches.

    Args:
        data: the corpus as ids (int32 array).
        batch_size: pairs per batch, a multiple of `num_skips`.
        num_skips: distinct context words drawn per centre word, at most `2 * skip_window`.
        skip_window: how far a context word may be from its centre.
        seed: seed of the choice of context words (and of subsampling).
        first_batch: index of the first batch, for a resumed run (batch `b` is
            the same whatever batch the dataset starts at).
        keep_probabilities: None for the book's stream; else the per-id
            probability of keeping a word (`Vocabulary.keep_probabilities`):
            each pass over the corpus then subsamples it afresh and slides
            the book's window over the words kept (the words left over at
            the end of a pass are dropped).

    Returns:
        A dataset of `(centres int32 [batch_size], contexts int32 [batch_size])`.
    """
    import tensorflow as tf

    check_pairs_arguments(batch_size, num_skips, skip_window)
    data = np.asarray(data, dtype=np.int32)
    span = 2 * skip_window + 1
    if len(data) < span:
        raise ValueError(f"The corpus must hold at least {span} words (2 * skip_window + 1). Received: {len(data)} words")
    per_batch = batch_size // num_skips
    stride = tokens_per_batch(batch_size, num_skips, skip_window)
    offsets = tf.constant(context_offsets(skip_window))
    corpus = tf.constant(data)

    @tf.autograph.experimental.do_not_convert  # plain tensor code: converting it costs 2 s and changes nothing
    def pairs(stream, b):
        n = tf.cast(tf.shape(stream, out_type=tf.int64)[0], tf.int64)
        centres = (b * stride + skip_window + tf.range(per_batch, dtype=tf.int64)) % n
        # num_skips distinct context positions per centre, uniformly without replacement, as the book's rejection loop
        scores = tf.random.stateless_uniform([per_batch, 2 * skip_window], seed=tf.stack([tf.cast(seed, tf.int64), b]))
        chosen = tf.gather(offsets, tf.math.top_k(scores, k=num_skips, sorted=True).indices)
        centres = tf.repeat(centres, num_skips)
        contexts = (centres + tf.reshape(chosen, [-1])) % n
        return tf.gather(stream, centres), tf.gather(stream, contexts)

    if keep_probabilities is None:
        dataset = tf.data.Dataset.range(first_batch, np.iinfo(np.int64).max).map(
            tf.autograph.experimental.do_not_convert(lambda b: pairs(corpus, b)), num_parallel_calls=tf.data.AUTOTUNE,
            deterministic=True)
        return dataset.prefetch(tf.data.AUTOTUNE)

    keep = tf.constant(np.asarray(keep_probabilities, dtype=np.float32))
    epoch, offset = subsampled_position(data, keep_probabilities, batch_size, num_skips, skip_window, seed, first_batch)

    @tf.autograph.experimental.do_not_convert
    def one_pass(e):
        draws = tf.random.stateless_uniform([len(data)], seed=tf.stack([tf.cast(seed, tf.int64) + 1, e]))
        stream = tf.boolean_mask(corpus, draws < tf.gather(keep, corpus))
        batches = tf.cast(tf.shape(stream, out_type=tf.int64)[0] // stride, tf.int64)
        start = tf.where(tf.equal(e, epoch), tf.constant(offset, tf.int64), 0)
        return tf.data.Dataset.range(start, batches).map(tf.autograph.experimental.do_not_convert(lambda b: pairs(stream, b)))

    dataset = tf.data.Dataset.range(epoch, np.iinfo(np.int64).max).flat_map(one_pass)
    return dataset.prefetch(tf.data.AUTOTUNE)


def subsampled_passes(data, keep_probabilities, batch_size, num_skips, skip_window, seed):
    """Batches in each subsampled pass over the corpus, pass after pass (a generator)."""
    import tensorflow as tf

    corpus = tf.constant(np.asarray(data, dtype=np.int32))
    keep = tf.gather(tf.constant(np.asarray(keep_probabilities, dtype=np.float32)), corpus)
    stride = tokens_per_batch(batch_size, num_skips, skip_window)
    e = 0
    while True:
        draws = tf.random.stateless_uniform([len(data)], seed=tf.stack([tf.constant(seed, tf.int64) + 1, tf.constant(e, tf.int64)]))
        kept = int(tf.reduce_sum(tf.cast(draws < keep, tf.int64)))
        if kept < stride:
            raise ValueError(
                f"Subsampling keeps {kept} words of the corpus, fewer than one batch needs ({stride}); "
                "lower `subsample` or the batch size."
            )
        yield kept // stride
        e += 1


def subsampled_position(data, keep_probabilities, batch_size, num_skips, skip_window, seed, batch):
    """(pass, batch within the pass) of global batch `batch` of a subsampled stream."""
    for e, batches in enumerate(subsampled_passes(data, keep_probabilities, batch_size, num_skips, skip_window, seed)):
        if batch < batches:
            return e, batch
        batch -= batches

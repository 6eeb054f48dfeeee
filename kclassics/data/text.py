"""Text corpora for the embedding programs: readers, the book's vocabulary and its skip-gram pairs (book 7.1, L3706).

    vocabulary, data = encode_corpus("text8.zip")                  # or a directory holding text8 / text8.zip, any text file, .gz
    vocabulary, data = encode_corpus(path, size=50000)             # the book's build_dataset: UNK = id 0, ids by frequency rank
    vocabulary, data = encode_corpus(path, size=None, min_count=5) # gensim's: the words seen at least 5 times
    pairs = skipgram_dataset(data, batch_size=128, num_skips=2, skip_window=1)  # the book's (centres, contexts) per step
    blocks = sentence_dataset(data, words=10000)                    # gensim's 10,000-word sentences, one per step

The readers stream: a corpus is read in chunks of a few megabytes, counted,
then read again and encoded into int32 ids (4 bytes a word), so no list of the
corpus's words is ever held. The ids of a corpus of `LARGE_WORDS` (10 million)
words or more go to an unnamed temporary file (`CorpusIds`, 400 MB of disk
for 100 million words), read a block at a time as training needs them.

`skipgram_dataset` yields exactly the pairs of the book's `generate_batch`
(L3833): batch `b` slides a window of `2 * skip_window + 1` words over the
corpus from position `b * (batch_size // num_skips + span)` (the book reads a
fresh `span` words at the start of every call, so it steps over `span` words
between batches), takes `num_skips` distinct context words of each centre word
and wraps around the end of the corpus. It is computed per batch from the
batch's index, so a resumed run continues with the same pairs.
"""

import codecs
import collections
import dataclasses
import gzip
import os
import re
import tempfile
import weakref
import zipfile
import zlib
from pathlib import Path

import numpy as np

from kclassics._memory import LARGE_WORDS, release_memory

TEXT8_NAMES = ("text8", "text8.zip")
UNK = "UNK"
CHUNK_BYTES = 1 << 22
_NON_LETTERS = re.compile(r"[\W\d_]+")
_ZIP_MAGIC, _GZIP_MAGIC = b"PK\x03\x04", b"\x1f\x8b"


def normalize(text):
    """text8's normalisation for plain text: lowercase, and every run of non-letters becomes one space.

    text8 is Wikipedia reduced to lowercase a-z and spaces (digits spelled
    out); a plain-text corpus is lowercased and split at anything that is not
    a letter (Unicode letters are kept, so accented words survive).
    """
    return _NON_LETTERS.sub(" ", text.lower())


class DamagedArchive(ValueError):
    """A zip or gzip corpus that cannot be read to its end."""


def _archive_kind(path):
    with path.open("rb") as file:
        magic = file.read(4)
    if magic.startswith(_ZIP_MAGIC) or path.suffix == ".zip":
        return "zip"
    if magic.startswith(_GZIP_MAGIC) or path.suffix == ".gz":
        return "gzip"
    return None


def _raw_chunks(path, argument):
    """The bytes of a corpus file in chunks: a plain file, the first member of a zip (as the book), or a gzip file."""
    kind = _archive_kind(path)
    # what zipfile, gzip and zlib raise for a damaged archive (NotImplementedError: a compression method zipfile lacks)
    damaged = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError)
    try:
        if kind == "zip":
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()  # the book: f.read(f.namelist()[0])
                if not names:
                    raise DamagedArchive(f"The zip archive {path} holds no file. Received: {argument}={str(path)!r}")
                with archive.open(names[0]) as member:
                    while chunk := member.read(CHUNK_BYTES):
                        yield chunk
            return
        opener = gzip.open if kind == "gzip" else open
        with opener(path, "rb") as file:
            while chunk := file.read(CHUNK_BYTES):
                yield chunk
    except DamagedArchive:
        raise
    except damaged as error:
        if kind is None:
            raise
        raise DamagedArchive(f"The {kind} archive {path} is damaged ({type(error).__name__}: {error}); "
                             f"download or copy it again. Received: {argument}={str(path)!r}") from None


def _texts(path, argument):
    """The UTF-8 text of a corpus file in chunks, refusing a binary file and naming the byte offset of bad UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    consumed = 0
    for number, raw in enumerate(_raw_chunks(path, argument)):
        if number == 0 and b"\x00" in raw[:65536]:
            raise ValueError(f"The corpus {path} is a binary file, not UTF-8 text. Received: {argument}={str(path)!r}")
        pending = len(decoder.getstate()[0])
        try:
            text = decoder.decode(raw)
        except UnicodeDecodeError as error:
            raise ValueError(f"The corpus {path} is not UTF-8 text: undecodable byte at offset "
                             f"{consumed - pending + error.start}. Received: {argument}={str(path)!r}") from None
        consumed += len(raw)
        yield text
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise ValueError(f"The corpus {path} is not UTF-8 text: it ends inside a character, at offset "
                         f"{consumed - len(decoder.getstate()[0])}. Received: {argument}={str(path)!r}") from None


def _corpus_file(path, argument):
    """The file a corpus path names: itself, or the text8 / text8.zip in a directory."""
    path = Path(path).expanduser()
    if path.is_dir():
        found = [path / name for name in TEXT8_NAMES if (path / name).is_file()]
        if not found:
            raise FileNotFoundError(f"{path} holds neither text8 nor text8.zip (http://mattmahoney.net/dc/text8.zip). "
                                    f"Received: {argument}={str(path)!r}")
        return found[0]
    if not path.exists():
        raise FileNotFoundError(f"The corpus {path} does not exist. Received: {argument}={str(path)!r}")
    if not path.is_file():
        raise ValueError(f"The corpus must be a file. Received: {argument}={str(path)!r}")
    return path


def is_text8(path):
    """Whether a corpus path is text8 (a directory, `text8`, `text8.zip`, any zip): split at spaces, not normalised."""
    path = Path(path).expanduser()
    return path.is_dir() or path.name in TEXT8_NAMES or (path.is_file() and _archive_kind(path) == "zip")


def stream_words(path, text8=None, argument="corpus"):
    """The words of a corpus file, a chunk (a list of words) at a time, never the whole corpus at once.

    text8 (`text8=True`, by default for the names `is_text8` recognises) is
    split at whitespace, as the book (`f.read(f.namelist()[0]).split()`);
    other text is normalised first (`normalize`). A zip is read from its
    first member, a `.gz` file decompressed. A damaged archive, a binary file
    or bytes that are not UTF-8 end with an error naming the file (and the
    byte offset).
    """
    if text8 is None:
        text8 = is_text8(path)
    path = _corpus_file(path, argument)
    carry = ""
    for text in _texts(path, argument):
        text = carry + text
        cut = _last_separator(text, text8)
        carry, text = text[cut:], text[:cut]
        words = text.split() if text8 else normalize(text).split()
        if words:
            yield words
    words = carry.split() if text8 else normalize(carry).split()
    if words:
        yield words


def _last_separator(text, text8):
    """The end of the last separator of `text` (whitespace for text8, else a non-letter): a word may be cut after it."""
    i = len(text)
    while i > 0 and not (text[i - 1].isspace() if text8 else _NON_LETTERS.match(text[i - 1])):
        i -= 1
    return i


def read_text8(path):
    """The words of text8: the single-line `text8` file, `text8.zip`, or a directory holding either (book L3780)."""
    return [word for chunk in stream_words(path, text8=True, argument="data_dir") for word in chunk]


def read_text(path):
    """The words of a UTF-8 text file (or `.gz`), normalised as text8 is (see `normalize`)."""
    return [word for chunk in stream_words(path, text8=False) for word in chunk]


def read_corpus(path):
    """The words of a corpus file: text8 (a file or directory named text8 / text8.zip, or any zip) or plain text."""
    return [word for chunk in stream_words(path) for word in chunk]



def word_index(owner):
    """word -> id of `owner.words`, built on first use and kept on the (frozen) owner."""
    index = owner.__dict__.get("_index")
    if index is None:
        index = {word: i for i, word in enumerate(owner.words)}
        owner.__dict__["_index"] = index
    return index

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
    def build(cls, tokens, size=50000, min_count=1):
        """The most common words after UNK: at most `size - 1` of them (None: no limit), each seen `min_count` times.

        Ties keep the order of first appearance (`Counter.most_common`).
        """
        return cls.from_counts(collections.Counter(tokens), len(tokens), size, min_count)

    @classmethod
    def from_counts(cls, counter, total, size=50000, min_count=1):
        """`build` from a `Counter` of the corpus's words and its number of words."""
        from kclassics import validation

        validation.positive_int("size", size, allow_none=True)
        validation.positive_int("min_count", min_count)
        if size is not None and size < 2:
            raise ValueError(f"`size` must be at least 2 (UNK and one word). Received: size={size!r}")
        common = [(word, count) for word, count in counter.most_common(None if size is None else size - 1) if count >= min_count]
        words = (UNK, *(word for word, _ in common))
        counts = np.array([0, *(count for _, count in common)], dtype=np.int64)
        counts[0] = total - counts[1:].sum()
        return cls(words, counts)

    @property
    def index(self):
        """word -> id."""
        return word_index(self)

    def __len__(self):
        return len(self.words)

    def encode(self, tokens):
        """The ids of `tokens` (0 for a word outside the vocabulary), as int32."""
        index = self.index
        return np.fromiter((index.get(token, 0) for token in tokens), dtype=np.int32, count=len(tokens))

    def keep_probabilities(self, sample, unk_is_a_word=True):
        """Probability of keeping each id under frequent-word subsampling (word2vec's and gensim's formula).

        A word of count `c` is kept with probability `(sqrt(c / t) + 1) * t / c`,
        capped at 1, where `t = sample * total` (Mikolov et al. 2013, the C
        tool and gensim's `sample`). With `unk_is_a_word` (the book's pairs)
        UNK is one more word; without, as gensim, the words outside the
        vocabulary are dropped: UNK is never kept and not counted in `total`.
        `sample=0` keeps every word.
        """
        return keep_probabilities(self.counts, sample, unk_is_a_word)


def keep_probabilities(counts, sample, unk_is_a_word=False):
    """`Vocabulary.keep_probabilities` from counts in id order (UNK first), as float32."""
    counts = np.asarray(counts, np.float64).copy()
    if not unk_is_a_word:
        counts[0] = 0
    keep = np.ones(len(counts))
    if sample:
        threshold = sample * counts.sum()
        safe = np.maximum(counts, 1)
        keep = np.minimum((np.sqrt(safe / threshold) + 1) * threshold / safe, 1.0)
    if not unk_is_a_word:
        keep[0] = 0.0
    return keep.astype(np.float32)


def encode_corpus(path, size=50000, min_count=1, text8=None, argument="corpus"):
    """Reads a corpus twice as a stream: counts its words, builds the `Vocabulary`, then encodes it.

    Args:
        path: a text file (`.gz` too), `text8` / `text8.zip`, or a directory holding either.
        size: the vocabulary's size, UNK included (None: every word seen `min_count` times).
        min_count: a word must be seen this often to have an id (else it is UNK).
        text8: split at spaces without normalising (default: for text8's names, see `is_text8`).
        argument: the name errors give the path (`corpus`, `data_dir`).

    Returns:
        `(vocabulary, data)`: the `Vocabulary` and the corpus as int32 ids: an array, or
        for `LARGE_WORDS` words or more a `CorpusIds` file (its slices are arrays).
    """
    counter, total = collections.Counter(), 0
    for words in stream_words(path, text8, argument):
        counter.update(words)
        total += len(words)
    vocabulary = Vocabulary.from_counts(counter, total, size, min_count)
    del counter
    large = total >= LARGE_WORDS
    file = tempfile.TemporaryFile(prefix="kclassics-ids-") if large else None  # gone when closed, or with the process
    data, at = (None if large else np.empty(total, np.int32)), 0
    for words in stream_words(path, text8, argument):
        ids = np.asarray(vocabulary.encode(words), np.int32)
        if large:
            file.write(ids.tobytes())
        else:
            data[at : at + len(ids)] = ids
        at += len(ids)
    if not large:
        return vocabulary, data
    file.flush()
    release_memory()  # the passes' word lists and the counter: 60 MB that malloc would keep for 100 million words
    return vocabulary, CorpusIds(file, total)


class CorpusIds:
    """A corpus's int32 ids in a file, read a slice at a time: `len(ids)`, `ids[a:b]` and `np.asarray(ids)` answer
    as the array's. Reads are `pread`s, not a memory map, so what training has read is not kept in memory."""

    def __init__(self, file, length):
        self.file, self.length = file, length

    def __len__(self):
        return self.length

    def __getitem__(self, key):
        if not isinstance(key, slice) or key.step not in (None, 1):
            raise TypeError(f"CorpusIds are read in contiguous slices (ids[a:b]). Received: {key!r}")
        start, stop, _ = key.indices(self.length)
        data = bytearray(4 * max(stop - start, 0))
        done = 0
        while done < len(data):  # one pread returns at most about 2 GiB
            got = os.preadv(self.file.fileno(), [memoryview(data)[done:]], 4 * start + done)
            if not got:
                raise OSError(f"The corpus's id file ended {len(data) - done} bytes early (read from word {start})")
            done += got
        return np.frombuffer(data, np.int32)

    def __array__(self, dtype=None, copy=None):
        data = self[:]
        return data if dtype is None else data.astype(dtype)


def sentence_dataset(data, words, first_step=0, steps=None):
    """gensim's sentences, one per step: a `tf.data.Dataset` of `[1, words]` int32 blocks of the corpus.

    Step `s` is block `s % blocks` of the corpus cut in consecutive `words`-word
    blocks (the last one of each pass shorter, padded with -1), as gensim
    reads text8 (`Text8Corpus`: 10,000-word sentences, gensim's longest);
    `SkipGram(window=...)` windows, subsamples and draws within each block.
    The blocks are sliced from `data` as they are needed.

    Args:
        data: the corpus as ids (int32), or `CorpusIds`.
        words: words per block (gensim's `batch_words`, 10,000).
        first_step: the first step (a resumed run's).
        steps: steps in all, from step 0 (None: endless).
    """
    import tensorflow as tf

    from kclassics import validation

    validation.positive_int("words", words)
    if not isinstance(data, CorpusIds):  # a file's ids are read a block at a time
        data = np.asarray(data, dtype=np.int32)
    if not len(data):
        raise ValueError("The corpus must hold at least one word. Received: 0 words")
    blocks = -(-len(data) // words)
    # TensorFlow keeps the generator as long as the process (the default graph holds its py_func), so the generator
    # reaches the ids through a weak reference and the dataset holds them: they are freed with the dataset
    ids = weakref.ref(data)

    def generate():
        data = ids()
        step = first_step
        while steps is None or step < steps:
            start = (step % blocks) * words
            block = np.full((1, words), -1, np.int32)
            piece = data[start : start + words]
            block[0, : len(piece)] = piece
            yield block
            step += 1

    dataset = tf.data.Dataset.from_generator(generate, output_signature=tf.TensorSpec((1, words), tf.int32))
    if steps is not None:
        dataset = dataset.apply(tf.data.experimental.assert_cardinality(max(steps - first_step, 0)))
    dataset = dataset.prefetch(4)
    dataset._kclassics_ids = data  # every dataset made from this one holds it through its input datasets
    return dataset


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


def stack_batches(dataset, steps):
    """`steps` consecutive elements as one, stacked on a new first axis: `SkipGram` trains them one after another.

    An element is a batch of pairs `(centres, contexts)` or of sentences; rows of -1 pad the last stack.
    """
    import tensorflow as tf

    def pad(*tensors):
        missing = steps - tf.shape(tensors[0])[0]
        padded = tuple(tf.pad(t, [[0, missing]] + [[0, 0]] * (len(t.shape) - 1), constant_values=-1) for t in tensors)
        return padded if len(padded) > 1 else padded[0]

    return dataset.batch(steps).map(pad)


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

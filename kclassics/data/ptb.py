"""Word-level language-model corpora: the Penn Treebank reader, a plain-text reader, and the book's batching.

The book (7.2, L4139-4164) reads PTB with TensorFlow's `reader.py`: each
file's newlines become `<eos>`, the words are split on whitespace, the
vocabulary is the training split's words by descending frequency (ties by
spelling), ids are frequency ranks, and `ptb_producer` cuts a split into
`batch_size` parallel streams read `num_steps` words at a time, targets
shifted by one, so the state a batch leaves continues the same stream in the
next batch.

    from kclassics.data import ptb
    corpus = ptb.load_ptb("simple-examples/data")         # ptb.train.txt, ptb.valid.txt, ptb.test.txt
    corpus = ptb.load_ptb("simple-examples.tgz")          # or the book's download itself (a .tgz, .tar or .zip)
    corpus = ptb.load_embedded()                          # offline: the Lee corpus (see below)
    x, y = ptb.ptb_producer(corpus.train, batch_size=20, num_steps=20)   # (epoch_size, 20, 20) each

The offline default is real English that installs with gensim: the Lee
background corpus (`kclassics.data.corpora`, 300 news articles, one per
line), cut by article: article `i` (0-based line number) goes to the
validation split when `i % 10 == 8`, to the test split when `i % 10 == 9`, and
to training otherwise (240 / 30 / 30 articles). Its text is normalised the
way PTB's already is: lower case, punctuation split off as tokens of its own
(`normalize_line`).
"""

import collections
import dataclasses
import re
import tarfile
import zipfile
import zlib
from pathlib import Path

import numpy as np

from kclassics import validation

EOS = "<eos>"
UNK = "<unk>"
VOCAB_SIZE = 10000  # vocab_size = 10000, L4322
PTB_FILES = ("ptb.train.txt", "ptb.valid.txt", "ptb.test.txt")
TEXT_FILES = ("train.txt", "valid.txt", "test.txt")
SPLITS = ("train", "valid", "test")
ARCHIVES = (".tgz", ".tar.gz", ".tar", ".zip")
_TOKEN = re.compile(r"[a-z0-9]+(?:['.,\-][a-z0-9]+)*|[^\sa-z0-9]")


@dataclasses.dataclass(frozen=True)
class Corpus:
    """Three splits of word ids and the vocabulary they index.

    Attributes:
        train, valid, test: int32 arrays of word ids, `<eos>` ending every line.
        vocabulary: the words, id `i` being `vocabulary[i]`.
        source: where the text came from, for run directories and logs.
        normalized: whether the text went through `normalize_line` (a prompt
            for a model trained on it should too).
    """

    train: np.ndarray
    valid: np.ndarray
    test: np.ndarray
    vocabulary: tuple
    source: str = ""
    normalized: bool = False

    @property
    def vocab_size(self):
        return len(self.vocabulary)

    def word_to_id(self):
        return {word: i for i, word in enumerate(self.vocabulary)}

    def split(self, name):
        if name not in SPLITS:
            raise ValueError(f"Unknown `split`. Accepted: {', '.join(SPLITS)}. Received: split={name!r}")
        return getattr(self, name)


def normalize_line(line):
    """One line of ordinary English as PTB writes it: lower case, punctuation as separate tokens."""
    return " ".join(_TOKEN.findall(line.lower()))


def read_words(path, normalize=False):
    """The words of a text file, each line ending in `<eos>` (the book's `_read_words`).

    TensorFlow's reader replaces "\\n" by "<eos>" and splits on whitespace,
    which relies on PTB's lines starting and ending with a space; here the
    marker is its own token whatever the spacing, the same words for PTB.
    A file that is not UTF-8 is refused, naming it and the offset of its first
    undecodable byte.
    """
    path = Path(path).expanduser()
    if not path.is_file():
        state = "is a directory" if path.is_dir() else "does not exist"
        raise FileNotFoundError(f"`path` must be a text file; {path} {state}. Received: path={str(path)!r}")
    return words_of(decode(path.read_bytes(), str(path)), normalize)


def decode(raw, where):
    """`raw` bytes as UTF-8 text; otherwise a ValueError naming `where` (a file) and the first bad byte's offset."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(
            f"{where} is not UTF-8 text: byte 0x{raw[error.start]:02x} at offset {error.start} cannot be decoded. "
            f"Received: path={where!r}"
        ) from None


def words_of(text, normalize=False):
    """The words of a text, each line ending in `<eos>` (see `read_words`)."""
    if not text.strip():
        return []  # an empty split, refused by `corpus_from_words`
    words = []
    for line in text.split("\n")[: -1 if text.endswith("\n") else None]:
        words.extend((normalize_line(line) if normalize else line).split())
        words.append(EOS)
    return words


def build_vocabulary(words, vocab_size=VOCAB_SIZE, min_count=1):
    """The `vocab_size` most frequent words, most frequent first, ties by spelling (the book's `_build_vocab`).

    Words seen fewer than `min_count` times are left out. A vocabulary that
    leaves words out holds `<unk>` to stand for them (in the last place when
    it is full), so every word of every split has an id; PTB's training
    split has exactly 10,000 words, `<unk>` among them, and keeps them all.
    """
    validation.positive_int("vocab_size", vocab_size)
    validation.positive_int("min_count", min_count)
    counts = collections.Counter(words)
    kept = [word for word, n in sorted(counts.items(), key=lambda item: (-item[1], item[0])) if n >= min_count]
    leaves_out = len(kept) < len(counts) or len(kept) > vocab_size
    if leaves_out and UNK not in kept[:vocab_size]:
        kept = [word for word in kept if word != UNK][: vocab_size - 1] + [UNK]
    return tuple(kept[:vocab_size])


def to_ids(words, word_to_id):
    """Word ids, words outside the vocabulary as `<unk>` (the book's PTB has none outside it)."""
    unk = word_to_id.get(UNK)
    ids = [word_to_id.get(word, unk) for word in words]
    if unk is None and None in ids:
        missing = sorted({w for w in words if w not in word_to_id})
        raise ValueError(
            f"{len(missing)} words are outside the vocabulary, which has no {UNK!r} to stand for them "
            f"(first: {', '.join(missing[:5])})."
        )
    return np.asarray(ids, dtype=np.int32)


def corpus_from_words(train, valid, test, vocab_size=VOCAB_SIZE, min_count=1, source="", normalized=False):
    """A `Corpus` of three word lists, with the vocabulary of the training words (see `build_vocabulary`)."""
    for name, words in zip(SPLITS, (train, valid, test)):
        if not words:
            raise ValueError(f"The {name} split of {source or 'the corpus'} is empty; each split needs words.")
    vocabulary = build_vocabulary(train, vocab_size, min_count)
    if UNK not in vocabulary and not set(valid).union(test) <= set(vocabulary):
        vocabulary = vocabulary[: vocab_size - 1] + (UNK,)  # words met only outside training need a stand-in
    index = {word: i for i, word in enumerate(vocabulary)}
    return Corpus(*(to_ids(words, index) for words in (train, valid, test)), vocabulary=vocabulary, source=source,
                  normalized=normalized)


def is_archive(path):
    """Whether `path` names an archive file by its suffix (.tgz, .tar.gz, .tar, .zip)."""
    return path.name.lower().endswith(ARCHIVES)


def _split_texts(data_dir, names):
    """The texts of the split files `names` in a directory or an archive (found there at any depth), in order."""
    data_dir = Path(data_dir).expanduser()
    holding = f"a directory or an archive ({', '.join(ARCHIVES)}) holding {', '.join(names)}"
    if data_dir.is_file() and is_archive(data_dir):
        found = _archive_members(data_dir, names)
    elif data_dir.is_dir():
        found = {name: data_dir / name for name in names if (data_dir / name).is_file()}
    else:
        state = "is a file, not an archive" if data_dir.exists() else "does not exist"
        raise FileNotFoundError(f"`data_dir` must be {holding}; {data_dir} {state}. Received: data_dir={str(data_dir)!r}")
    missing = [name for name in names if name not in found]
    if missing:
        raise FileNotFoundError(f"{data_dir} lacks {', '.join(missing)}; a corpus needs {', '.join(names)}. "
                                f"Received: data_dir={str(data_dir)!r}")
    return [found[name] if isinstance(found[name], str) else decode(found[name].read_bytes(), str(found[name]))
            for name in names]


def _archive_members(path, names):
    """{name: text} of the files called `names` in a tar (gzip or not) or zip archive, e.g. simple-examples/data/ptb.train.txt.

    A damaged archive (a broken gzip stream, a truncated tar, a zip whose
    CRC fails) is refused naming it.
    """
    found = {}
    try:
        if path.name.lower().endswith(".zip"):
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    name = member.rsplit("/", 1)[-1]
                    if name in names and name not in found:
                        found[name] = decode(archive.read(member), f"{path}:{member}")
        else:
            with tarfile.open(path, "r:" if path.name.lower().endswith(".tar") else "r:gz") as archive:
                for member in archive:
                    name = member.name.rsplit("/", 1)[-1]
                    if member.isfile() and name in names and name not in found:
                        found[name] = decode(archive.extractfile(member).read(), f"{path}:{member.name}")
    except (tarfile.TarError, zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
        reason = " ".join(str(error).split())  # one line
        raise ValueError(f"The archive {path} is damaged ({type(error).__name__}: {reason}); replace it with an intact copy. "
                         f"Received: data_dir={str(path)!r}") from None
    return found


def load_ptb(data_dir, vocab_size=VOCAB_SIZE):
    """The Penn Treebank from `ptb.train.txt`, `ptb.valid.txt` and `ptb.test.txt` (the book's `ptb_raw_data`).

    Args:
        data_dir: a directory holding the three files, or an archive holding them (the book's
            `simple-examples.tgz`, where they are `simple-examples/data/ptb.*.txt`).
        vocab_size: most words in the vocabulary.
    """
    validation.positive_int("vocab_size", vocab_size)
    texts = _split_texts(data_dir, PTB_FILES)
    return corpus_from_words(*(words_of(t) for t in texts), vocab_size=vocab_size, source=f"PTB ({Path(data_dir)})")


def load_text(data_dir, vocab_size=VOCAB_SIZE, normalize=False):
    """Any text as a corpus: `train.txt`, `valid.txt` and `test.txt` in `data_dir` (or an archive), read as PTB is."""
    validation.positive_int("vocab_size", vocab_size)
    validation.boolean("normalize", normalize)
    texts = _split_texts(data_dir, TEXT_FILES)
    return corpus_from_words(*(words_of(t, normalize) for t in texts), vocab_size=vocab_size, source=f"text ({Path(data_dir)})",
                             normalized=normalize)


def embedded_split(index):
    """The split article `index` of the Lee corpus belongs to: valid when `index % 10 == 8`, test when 9, else train."""
    return {8: "valid", 9: "test"}.get(index % 10, "train")


def load_embedded(vocab_size=VOCAB_SIZE, min_count=2):
    """The Lee background corpus, normalised and cut by article into train/valid/test (see the module docstring).

    Training words seen once become `<unk>` (`min_count=2`), as PTB's rare
    words are, so the model learns to predict `<unk>` for the words it will
    meet only in validation and test.
    """
    from kclassics.data.corpora import embedded_path

    splits = {name: [] for name in SPLITS}
    lines = embedded_path("lee_background").read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        splits[embedded_split(index)].extend(normalize_line(line).split() + [EOS])
    return corpus_from_words(*(splits[name] for name in SPLITS), vocab_size=vocab_size, min_count=min_count,
                             source="lee_background (embedded)", normalized=True)


def load_corpus(data_dir=None, vocab_size=VOCAB_SIZE):
    """The corpus a language-model program reads: PTB or plain text in `data_dir` (or an archive), else the embedded Lee corpus."""
    if data_dir is None:
        return load_embedded(vocab_size)
    data_dir = Path(data_dir).expanduser()
    if data_dir.is_dir() and all((data_dir / name).is_file() for name in TEXT_FILES) \
            and not any((data_dir / name).exists() for name in PTB_FILES):
        return load_text(data_dir, vocab_size)
    return load_ptb(data_dir, vocab_size)


def epoch_size(num_words, batch_size, num_steps):
    """Batches per pass over a split: `((len(data) // batch_size) - 1) // num_steps` (L4157)."""
    validation.non_negative_int("num_words", num_words)
    validation.positive_int("batch_size", batch_size)
    validation.positive_int("num_steps", num_steps)
    return ((num_words // batch_size) - 1) // num_steps


def ptb_producer(ids, batch_size, num_steps):
    """The book's batching (`reader.ptb_producer`): all of an epoch's inputs and targets, in order.

    The split is cut into `batch_size` rows of `len // batch_size` consecutive
    words (the tail dropped); batch `i` is columns `i * num_steps` to
    `(i + 1) * num_steps` of every row, and its targets the same window one
    word later. Row `r` of batch `i + 1` continues row `r` of batch `i`.

    Returns:
        `(x, y)`: int32 arrays of shape `(epoch_size, batch_size, num_steps)`.

    Raises:
        ValueError: the split is too short for one batch.
    """
    ids = validation.array("ids", ids, ndim=1, what="word ids", kinds="iu", allow_empty=True).astype(np.int32)
    batches = epoch_size(len(ids), batch_size, num_steps)
    if batches < 1:
        raise ValueError(
            f"A split of {len(ids)} words is too short for one batch of {batch_size} streams x {num_steps} steps "
            f"(it needs at least {batch_size * (num_steps + 1)} words). Received: batch_size={batch_size}, num_steps={num_steps}"
        )
    batch_len = len(ids) // batch_size
    data = ids[: batch_size * batch_len].reshape(batch_size, batch_len)
    width = batches * num_steps
    x = data[:, :width].reshape(batch_size, batches, num_steps).transpose(1, 0, 2)
    y = data[:, 1 : width + 1].reshape(batch_size, batches, num_steps).transpose(1, 0, 2)
    return np.ascontiguousarray(x), np.ascontiguousarray(y)


def unigram_perplexity(corpus, split="test"):
    """Perplexity of a split under the training split's word frequencies, add-one smoothed: the no-context baseline."""
    counts = np.bincount(corpus.train, minlength=corpus.vocab_size).astype(np.float64) + 1.0
    log_p = np.log(counts / counts.sum())
    return float(np.exp(-log_p[corpus.split(split)].mean()))


def write_vocabulary(vocabulary, path):
    """The vocabulary as a file of one word a line, id order."""
    Path(path).write_text("\n".join(vocabulary) + "\n", encoding="utf-8")


def read_vocabulary(path):
    """A vocabulary written by `write_vocabulary`."""
    return tuple(Path(path).read_text(encoding="utf-8").split("\n")[:-1])

"""The book's skip-gram Word2Vec with NCE loss (book 7.1, L3706-4024), and gensim's skip-gram, on `model.fit`.

Reads a corpus (text8 with `data_dir`, any text file with `corpus`, the Lee
background corpus that ships with gensim by default) as a stream, builds the
vocabulary, trains `SkipGram` on the book's `generate_batch` pairs (the
default config) or on gensim's sentences (`--config gensim`), prints the
average loss and the progress every `log_every` steps and the 8 nearest
neighbours of 16 frequent words every `neighbours_every`, draws the t-SNE
picture, evaluates the vectors (analogies, WordSim-353, SimLex-999) and exports
them (word2vec text format, TensorBoard projector files, a SavedModel looking
words up).
"""

import dataclasses
import math
import time
from pathlib import Path
from typing import Optional

import numpy as np

from kclassics import validation
from kclassics._memory import LARGE_WORDS, release_memory
from kclassics.data import text as text_data
from kclassics.data.corpora import embedded_path
from kclassics.programs import Length, Option, Program, register
from kclassics.runs import Run

EMBEDDED_CORPUS = "lee_background"
PAIRS = ("book", "gensim")
LOSSES = ("nce", "negative_sampling", "sampled_softmax")  # kclassics.embeddings.LOSSES (tested equal): no Keras to import here
INITIALIZATIONS = ("book", "word2vec", "gensim")  # kclassics.embeddings.INITIALIZATIONS
GENSIM_LEARNING_RATE_RATIO = 0.0001 / 0.025  # gensim's min_alpha / alpha


@dataclasses.dataclass(frozen=True)
class Word2VecConfig:
    """The book's skip-gram settings, and the options beyond it (each off by default).

    Attributes:
        vocabulary_size: words kept, UNK included (None: every word seen `min_count` times).
        min_count: a word needs this many occurrences to be kept (gensim's `min_count`).
        embedding_size: width of the word vectors.
        batch_size: pairs per step (`pairs="book"`) or corpus words per step (`pairs="gensim"`: gensim's `batch_words`).
        skip_window: how far a context word may be from its centre (gensim's `window`).
        num_skips: context words drawn per centre word (`pairs="book"`).
        num_sampled: negative samples per step (`nce`, `sampled_softmax`), per pair
            (`negative_sampling`) or per centre word (`pairs="gensim"`, gensim's `negative`).
        learning_rate: SGD's learning rate, on the batch's mean loss (`pairs="book"`) or per pair (`pairs="gensim"`, gensim's `alpha`).
        min_learning_rate: with `linear_decay`, the rate at the end (gensim's `min_alpha`;
            None: `learning_rate` x 0.0001 / 0.025, gensim's ratio).
        steps: updates (the book's loop runs `num_steps = 100001`).
        epochs: passes over the corpus: when set, the run's length instead of `steps` (`--epochs`; `--steps` clears it).
        loss: `nce` (the book's), `negative_sampling` (per-pair negatives from
            the unigram^0.75 distribution, as gensim and the C tool) or `sampled_softmax`.
        pairs: `book`: the book's `generate_batch` pairs, `batch_size` a step;
            `gensim`: gensim's skip-gram on sentences of `batch_size` words, with
            its reduced windows, subsampling and `num_sampled` negatives per
            centre word shared by its context words (see `kclassics.embeddings.SkipGram`).
        linear_decay: decay the learning rate linearly over the run (as gensim).
        initialization: `book`, `word2vec` or `gensim` (see `kclassics.embeddings.SkipGram`).
        subsample: frequent-word subsampling threshold (gensim's `sample`, e.g. 1e-3); 0 keeps every word.
        centres_per_update: with `pairs="gensim"`, centre words whose updates are applied together.
        workers: with `pairs="gensim"`, the parts each compiled call's sentences train in at once, one core each
            (gensim's `workers`; see `kclassics.embeddings.SkipGram`).
        steps_per_call: steps run one after another in each compiled call of the training loop (a stack of
            batches or sentences; a divisor of `log_every` is used).
        corpus: the corpus: `lee_background` (embedded), a text file, or `text8:<path>`.
        embedded_steps: steps on the embedded corpus instead of `steps` (its 60,302
            words make 100,001 steps of 67 words 111 passes); None trains `steps`.
        embedded_vocabulary_size: vocabulary on the embedded corpus instead of
            `vocabulary_size` (it has 7,002 distinct words; 4,000 keeps those seen twice); None keeps `vocabulary_size`.
        embedded_initialization: initialization on the embedded corpus instead
            of `initialization`; None keeps it (see docs/word2vec.md).
        embedded_learning_rate: learning rate on the embedded corpus instead of
            `learning_rate`; None keeps it (see docs/word2vec.md).
        log_every: steps per average-loss and progress line.
        neighbours_every: steps between nearest-neighbour reports.
        valid_size: validation words for the neighbour report.
        valid_window: they are drawn from this many most frequent words.
        top_k: neighbours shown per validation word.
        tsne_words: words in the t-SNE picture (the book's `plot_only`).
        tsne_perplexity: t-SNE perplexity.
        tsne_iterations: t-SNE iterations.
        evaluation_top_n: the evaluations use the this many most frequent words (gensim's `restrict_vocab`).
        seed: seed of the weights, the pairs, the samples and the validation words.
        source: where these values come from.
    """

    vocabulary_size: Optional[int] = 50000  # vocabulary_size = 50000, L3794
    min_count: int = 1
    embedding_size: int = 128  # embedding_size = 128, L3891
    batch_size: int = 128  # batch_size = 128, L3890
    skip_window: int = 1  # skip_window = 1, L3892
    num_skips: int = 2  # num_skips = 2, L3893
    num_sampled: int = 64  # num_sampled = 64, L3898
    learning_rate: float = 1.0  # GradientDescentOptimizer(1.0), L3942
    min_learning_rate: Optional[float] = None
    steps: Optional[int] = 100001  # num_steps = 100001, L3960
    epochs: Optional[int] = None
    loss: str = "nce"  # tf.nn.nce_loss, L3933
    pairs: str = "book"  # generate_batch, L3833
    linear_decay: bool = False
    initialization: str = "book"  # tf.random_uniform(-1, 1), tf.truncated_normal(1/sqrt(128)), L3926-3932
    subsample: float = 0.0
    centres_per_update: int = 64
    workers: int = 1
    steps_per_call: int = 100
    corpus: str = EMBEDDED_CORPUS
    embedded_steps: Optional[int] = 20000
    embedded_vocabulary_size: Optional[int] = 4000
    embedded_initialization: Optional[str] = "word2vec"
    embedded_learning_rate: Optional[float] = 2.0
    log_every: int = 2000  # if step % 2000 == 0, L3972
    neighbours_every: int = 10000  # if step % 10000 == 0, L3980
    valid_size: int = 16  # valid_size = 16, L3895
    valid_window: int = 100  # valid_window = 100, L3896
    top_k: int = 8  # top_k = 8, L3985
    tsne_words: int = 100  # plot_only = 100, L4020
    tsne_perplexity: float = 30.0  # TSNE(perplexity=30, ...), L4018
    tsne_iterations: int = 5000  # n_iter=5000, L4018
    evaluation_top_n: int = 30000
    seed: int = 0
    source: str = "book 7.1, L3794-4020"

    def __post_init__(self):
        for field in ("min_count", "embedding_size", "batch_size", "skip_window", "num_skips", "num_sampled",
                      "centres_per_update", "workers", "steps_per_call", "log_every", "neighbours_every", "valid_size",
                      "valid_window", "top_k", "tsne_words", "evaluation_top_n", "tsne_iterations"):
            validation.positive_int(field, getattr(self, field))
        for field in ("vocabulary_size", "steps", "epochs", "embedded_steps", "embedded_vocabulary_size"):
            validation.positive_int(field, getattr(self, field), allow_none=True)
        if self.steps is None and self.epochs is None:
            raise ValueError("Give the run's length as `steps` or as `epochs` (passes over the corpus). "
                             f"Received: steps={self.steps}, epochs={self.epochs}")
        if self.tsne_iterations < 250:
            raise ValueError(f"`tsne_iterations` must be at least 250 (scikit-learn's minimum). Received: tsne_iterations={self.tsne_iterations}")
        validation.positive_float("learning_rate", self.learning_rate)
        if self.min_learning_rate is not None:
            validation.positive_float("min_learning_rate", self.min_learning_rate)
            if self.min_learning_rate > self.learning_rate:
                raise ValueError(f"`min_learning_rate` must be at most learning_rate={self.learning_rate}. "
                                 f"Received: min_learning_rate={self.min_learning_rate}")
        validation.positive_float("tsne_perplexity", self.tsne_perplexity)
        validation.fraction("subsample", self.subsample, high_open=True)
        validation.one_of("loss", self.loss, LOSSES)
        validation.one_of("pairs", self.pairs, PAIRS)
        validation.boolean("linear_decay", self.linear_decay)
        validation.one_of("initialization", self.initialization, INITIALIZATIONS)
        if self.embedded_initialization is not None:
            validation.one_of("embedded_initialization", self.embedded_initialization, INITIALIZATIONS)
        if self.embedded_learning_rate is not None:
            validation.positive_float("embedded_learning_rate", self.embedded_learning_rate)
        validation.seed("seed", self.seed)
        if not isinstance(self.corpus, str) or not self.corpus:
            raise ValueError(f"`corpus` must name a corpus ('{EMBEDDED_CORPUS}', a file or 'text8:PATH'). Received: corpus={self.corpus!r}")
        if self.pairs == "book":
            text_data.check_pairs_arguments(self.batch_size, self.num_skips, self.skip_window)
            if self.workers != 1:
                raise ValueError(f"`workers` trains gensim's sentences in parts at once: it needs pairs='gensim'. "
                                 f"Received: workers={self.workers}, pairs='book'")
        elif self.loss != "negative_sampling":
            raise ValueError(f"pairs='gensim' (gensim's skip-gram) trains with loss='negative_sampling'. Received: loss={self.loss!r}")
        for field in ("vocabulary_size", "embedded_vocabulary_size"):
            if getattr(self, field) is not None and getattr(self, field) < 2:
                raise ValueError(f"`{field}` must be at least 2 (UNK and a word). Received: {field}={getattr(self, field)}")
        if (self.vocabulary_size is not None and self.num_sampled >= self.vocabulary_size
                and self.loss != "negative_sampling"):
            raise ValueError(
                f"`num_sampled` must be smaller than vocabulary_size={self.vocabulary_size} (distinct negatives). "
                f"Received: num_sampled={self.num_sampled}"
            )
        if self.valid_size > self.valid_window:
            raise ValueError(f"`valid_size` must be at most valid_window={self.valid_window}. Received: valid_size={self.valid_size}")


WORD2VEC = Word2VecConfig()
# gensim 4's Word2Vec(sg=1) defaults (tests/programs/test_word2vec.py reads them from gensim): vector_size 100,
# window 5, negative 5, ns_exponent 0.75, sample 1e-3, min_count 5, alpha 0.025 -> min_alpha 0.0001, epochs 5,
# batch_words 10,000, its initialisation. 2 workers (gensim's default is 3 threads): each call's 2 sentences train at
# once, one a core, from the same vectors (10 a call, 5 a worker, was faster but lost analogies on small corpora).
GENSIM = Word2VecConfig(
    vocabulary_size=None, min_count=5, embedding_size=100, batch_size=10000, skip_window=5, num_sampled=5,
    learning_rate=0.025, min_learning_rate=0.0001, steps=None, epochs=5, loss="negative_sampling", pairs="gensim",
    linear_decay=True, initialization="gensim", subsample=1e-3, workers=2, steps_per_call=2, embedded_steps=None,
    embedded_vocabulary_size=None, embedded_initialization=None, embedded_learning_rate=None, log_every=100, neighbours_every=1000,
    evaluation_top_n=300000, source="gensim 4.4 Word2Vec(sg=1) defaults",
)
CONFIGS = {"book": WORD2VEC, "gensim": GENSIM}


def effective(config):
    """The config the run trains with: on the embedded corpus, the `embedded_*` settings apply."""
    if config.corpus != EMBEDDED_CORPUS:
        return config
    return dataclasses.replace(
        config, steps=config.steps if config.epochs is not None else (config.embedded_steps or config.steps),
        vocabulary_size=config.embedded_vocabulary_size or config.vocabulary_size,
        initialization=config.embedded_initialization or config.initialization,
        learning_rate=config.embedded_learning_rate or config.learning_rate)


@dataclasses.dataclass(frozen=True)
class Corpus:
    """A corpus read and encoded: its name, its vocabulary and its ids."""

    name: str
    vocabulary: text_data.Vocabulary
    data: object  # int32 ids: an array, or `text_data.CorpusIds` for a large corpus


def load_corpus(config):
    """Reads, checks and encodes `config.corpus` as a stream (before any run directory exists)."""
    if config.corpus.startswith("text8:"):
        name, path, text8, argument = config.corpus, config.corpus[len("text8:"):], True, "data_dir"
    elif config.corpus == EMBEDDED_CORPUS:
        name, path, text8, argument = EMBEDDED_CORPUS, embedded_path(EMBEDDED_CORPUS), False, "corpus"
    else:
        path = Path(config.corpus).expanduser()
        name, text8, argument = str(path.resolve()), None, "corpus"
    vocabulary, data = text_data.encode_corpus(path, config.vocabulary_size, config.min_count, text8=text8, argument=argument)
    if not len(data):
        raise ValueError(f"The corpus {name} holds no words. Received: corpus={config.corpus!r}")
    kept = len(vocabulary) - 1
    if config.vocabulary_size is not None and kept + 1 < config.vocabulary_size:
        raise ValueError(
            f"The corpus {name} has {kept} distinct words{' seen ' + str(config.min_count) + ' times' if config.min_count > 1 else ''}, "
            f"fewer than the vocabulary of {config.vocabulary_size} (UNK and {config.vocabulary_size - 1} words) needs; give a larger "
            f"corpus or a smaller vocabulary (--set vocabulary_size=N). Received: vocabulary_size={config.vocabulary_size}"
        )
    if kept < 1 or (config.loss != "negative_sampling" and config.num_sampled >= kept + 1):
        raise ValueError(f"The corpus {name} has {kept} words seen at least min_count={config.min_count} times, too few to "
                         f"train on (num_sampled={config.num_sampled}); lower --set min_count or give a larger corpus.")
    if config.pairs == "book" and len(data) < words_per_step(config):
        raise ValueError(f"The corpus {name} has {len(data)} words, fewer than one batch of {config.batch_size} "
                         f"pairs reads ({words_per_step(config)}).")
    return Corpus(name, vocabulary, data)


def words_per_step(config):
    """Corpus words a step moves past (before subsampling): the book's batch and its span, or gensim's block."""
    if config.pairs == "gensim":
        return config.batch_size
    return text_data.tokens_per_batch(config.batch_size, config.num_skips, config.skip_window)


def total_steps(config, corpus):
    """The run's steps: `steps`, or `epochs` passes over the corpus."""
    if config.epochs is None:
        return config.steps
    if config.pairs == "gensim":
        return config.epochs * -(-len(corpus.data) // config.batch_size)
    return math.ceil(config.epochs * len(corpus.data) * _kept_share(config, corpus) / words_per_step(config))


def _kept_share(config, corpus):
    """The share of the corpus the book's subsampled pairs slide over (1 without subsampling)."""
    if not config.subsample or config.pairs == "gensim":
        return 1.0
    counts = corpus.vocabulary.counts
    return float(np.sum(counts * corpus.vocabulary.keep_probabilities(config.subsample)) / counts.sum())


def _corpus_words_per_step(config, corpus):
    """Corpus words a step passes on average: subsampling shortens the book's stream; gensim's last block of a pass is shorter."""
    if config.pairs == "gensim":
        return len(corpus.data) / -(-len(corpus.data) // config.batch_size)
    return words_per_step(config) / _kept_share(config, corpus)


def build_model(config, vocabulary, steps=None, corpus_words=None):
    """The skip-gram model of `config` for `vocabulary`, compiled with SGD (decaying linearly when asked)."""
    import keras

    from kclassics.embeddings import LinearDecayOverWords, SkipGram

    steps = steps or config.steps
    model = SkipGram(vocabulary.words, config.embedding_size, config.num_sampled, config.loss,
                     noise_counts=vocabulary.counts if config.loss == "negative_sampling" else None,
                     initialization=config.initialization, window=config.skip_window if config.pairs == "gensim" else None,
                     subsample=config.subsample if config.pairs == "gensim" else 0.0,
                     centres_per_update=config.centres_per_update, workers=config.workers if config.pairs == "gensim" else 1,
                     seed=config.seed, name="skipgram")
    learning_rate = config.learning_rate
    if config.linear_decay:
        final = config.min_learning_rate or config.learning_rate * GENSIM_LEARNING_RATE_RATIO
        if config.pairs == "gensim" and corpus_words:
            passes = -(-steps // -(-corpus_words // config.batch_size))
            learning_rate = LinearDecayOverWords(config.learning_rate, final, config.batch_size, corpus_words, passes)
        else:
            learning_rate = keras.optimizers.schedules.PolynomialDecay(config.learning_rate, steps, end_learning_rate=final, power=1.0)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate))
    return model


def steps_per_call(config):
    """Steps a compiled call trains: a stack of batches or sentences, `steps_per_call` of them (a divisor of `log_every`)."""
    return math.gcd(config.steps_per_call, config.log_every)


def training_data(config, corpus, first_step=0, steps=None):
    """The run's batches from step `first_step` to `steps`: gensim's sentences, or the book's pairs in stacks of
    `steps_per_call` batches (`SkipGram` trains a stack's batches one after another; -1 rows pad the last stack)."""
    if config.pairs == "gensim":
        batches = text_data.sentence_dataset(corpus.data, config.batch_size, first_step=first_step, steps=steps)
    else:
        keep = corpus.vocabulary.keep_probabilities(config.subsample) if config.subsample else None
        batches = text_data.skipgram_dataset(corpus.data, config.batch_size, config.num_skips, config.skip_window,
                                             seed=config.seed, first_batch=first_step, keep_probabilities=keep)
        if steps is not None:
            batches = batches.take(steps - first_step)
    return text_data.stack_batches(batches, steps_per_call(config))


def trained_vectors(config, model):
    """The vectors of the words the run trains: gensim's pairs leave UNK out (it stands for the words gensim drops)."""
    vectors = model.word_vectors()
    return vectors.without_unk() if config.pairs == "gensim" else vectors


def validation_words(config):
    """The book's `valid_examples`: `valid_size` ids drawn without replacement from the `valid_window` most frequent (L3897)."""
    return np.random.default_rng(config.seed).choice(config.valid_window, config.valid_size, replace=False)


def evaluate(vectors, top_n):
    """Analogy accuracy (questions-words.txt) and Spearman's rho on WordSim-353 and SimLex-999, gensim's protocols.

    UNK is left out (gensim's vocabulary has none).
    """
    from kclassics.embeddings import evaluate_analogies, evaluate_word_pairs

    vectors = vectors.without_unk()
    analogies = evaluate_analogies(vectors, embedded_path("questions_words"), top_n=top_n)
    wordsim = evaluate_word_pairs(vectors, embedded_path("wordsim353"), top_n=top_n)
    simlex = evaluate_word_pairs(vectors, embedded_path("simlex999"), top_n=top_n)
    return {
        "analogy_accuracy": analogies["accuracy"],
        "analogy_questions": analogies["total"],
        "wordsim353_spearman": wordsim["spearman"],
        "wordsim353_pairs": wordsim["pairs"],
        "simlex999_spearman": simlex["spearman"],
        "simlex999_pairs": simlex["pairs"],
    }


def _with_corpus(config, corpus, data_dir):
    if corpus is not None:
        config = dataclasses.replace(config, corpus=str(corpus))
    if data_dir is not None:
        text8 = f"text8:{Path(data_dir).expanduser().resolve()}"
        if config.corpus not in (EMBEDDED_CORPUS, text8):
            raise ValueError(f"Give either --data-dir (text8) or --corpus, not both. Received: data_dir={str(data_dir)!r}, "
                             f"corpus={config.corpus!r}")
        config = dataclasses.replace(config, corpus=text8)
    return config


def train_word2vec(config, program, out=None, resume=False, data_dir=None, callbacks=(), verbose="auto", corpus=None):
    """Trains the skip-gram model of `config` and writes a run directory.

    Args:
        config: a `Word2VecConfig` (`WORD2VEC`, the book's, or `GENSIM`).
        program: the `Program` being run.
        out: run directory; default a new `runs/word2vec-<timestamp>`.
        resume: continue the run in `out` from its last checkpoint.
        data_dir: a directory holding `text8` or `text8.zip` (the book's corpus); overrides `config.corpus` and `corpus`.
        callbacks: extra Keras callbacks.
        verbose: the progress (see `kclassics.training.fit_run`).
        corpus: a text file to train on; overrides `config.corpus`.

    Returns:
        A `RunResult` whose metrics hold `average_loss` (of the last report),
        `words_per_second` (corpus words passed per second of `fit`, its
        tracing and compilation included), `fit_seconds`, the evaluations
        (`analogy_accuracy`, `wordsim353_spearman`, `simlex999_spearman`),
        `neighbours` and the paths of the exported vectors.
    """
    config = _with_corpus(config, corpus, data_dir)
    import keras

    from kclassics.callbacks.book import AverageLoss, NearestWords, PassProgress, nearest_words
    from kclassics.callbacks.stop import global_step
    from kclassics.embeddings import plot_tsne, save_projector_files
    from kclassics.training import fit_run

    loaded = load_corpus(effective(config))  # bad input fails before the run directory exists
    config = dataclasses.replace(config, corpus=loaded.name)
    run = Run.open(out, program, config, resume, checkpoint_steps=config.log_every)
    config = effective(config)
    steps = total_steps(config, loaded)
    keras.utils.set_random_seed(config.seed)
    model = build_model(config, loaded.vocabulary, steps, len(loaded.data))
    valid_ids = validation_words(config)  # ids among the trained words (gensim's pairs have no UNK to report on)
    reports = (AverageLoss(config.log_every), PassProgress(steps, _corpus_words_per_step(config, loaded), len(loaded.data)),
               NearestWords(valid_ids, config.neighbours_every, config.top_k, vectors=lambda m: trained_vectors(config, m)))
    start = time.perf_counter()
    history = fit_run(run, model, lambda done: training_data(config, loaded, first_step=done, steps=steps), steps,
                      config.log_every, (*reports, *callbacks), verbose, steps_per_call=steps_per_call(config))
    seconds = time.perf_counter() - start
    # the corpus's ids (400 MB for 100 million words) are not needed past training: freed before the evaluations and the
    # saves, whose copies of the tables come on top of what is held
    name, vocabulary, corpus_words = loaded.name, loaded.vocabulary, len(loaded.data)
    words_per_step = _corpus_words_per_step(config, loaded)
    del loaded
    if corpus_words >= LARGE_WORDS:
        release_memory()
    trained = global_step(model) - run.restored_step
    vectors = trained_vectors(config, model)
    plot_tsne(vectors, run.path / "tsne.png", config.tsne_words, config.tsne_perplexity, config.tsne_iterations, config.seed)
    vectors.save_word2vec_format(run.path / "vectors.txt")
    save_projector_files(vectors, run.path / "projector")
    losses = run.history.get("loss", [])
    metrics = {
        "average_loss": losses[-1][1] if losses else None,
        "corpus": name,
        "corpus_words": int(corpus_words),
        "vocabulary_size": len(vocabulary),
        "unk_count": int(vocabulary.counts[0]),
        "words_per_second": trained * words_per_step / seconds if trained and seconds > 0 else None,
        "fit_seconds": seconds,
        **evaluate(vectors, config.evaluation_top_n),
        "neighbours": nearest_words(vectors, valid_ids, config.top_k, verbose=steps % config.neighbours_every != 0),
        "word2vec_format": "vectors.txt",
        "projector": "projector",
        "tsne": "tsne.png",
    }
    return run.finish(model, metrics, task=program.task, history=history, input_name="words")


def _total_steps(config, data_dir=None):
    """The run's global steps when its length is counted in steps (None when in passes: that needs the corpus read)."""
    if config.epochs is not None:
        return None
    embedded = data_dir is None and config.corpus == EMBEDDED_CORPUS
    return (config.embedded_steps or config.steps) if embedded else config.steps


register(Program(
    "word2vec", WORD2VEC, f"{__name__}:train_word2vec",
    "Skip-gram Word2Vec with NCE loss, 64 samples, SGD 1.0, 100,001 steps x 128 pairs (7.1); --config gensim: gensim's skip-gram",
    summary="average loss {average_loss:.3f}, analogies {analogy_accuracy:.4f}, WordSim-353 {wordsim353_spearman:.3f}, "
            "SimLex-999 {simlex999_spearman:.3f} ({steps} steps, {train_seconds:.1f} s)",
    length=Length("steps", instead=("epochs",), embedded="embedded_steps"),
    options=(Option("corpus", str, "a UTF-8 text file (or .gz) to train on instead of the embedded Lee background corpus; "
                    "--data-dir DIR holding text8 or text8.zip trains on the book's text8"),),
    total_steps=_total_steps,
    data="directory holding text8 or text8.zip: the book's corpus instead of the embedded Lee corpus",
    task="embedding_lookup", files=("vectors.txt", "projector", "tsne.png"),
    configs=CONFIGS,
))

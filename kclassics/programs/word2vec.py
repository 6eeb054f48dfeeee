"""The book's skip-gram Word2Vec with NCE loss (book 7.1, L3706-4024), on `model.fit`.

Reads a corpus (text8 with `data_dir`, any text file with `corpus`, the Lee
background corpus that ships with gensim by default), builds the book's
vocabulary, trains `SkipGram` on the book's `generate_batch` pairs, prints the
average loss every 2,000 steps and the 8 nearest neighbours of 16 frequent
words every 10,000, draws the t-SNE picture, evaluates the vectors (analogies,
WordSim-353, SimLex-999) and exports them (word2vec text format, TensorBoard
projector files, a SavedModel looking words up).
"""

import dataclasses
import time
from pathlib import Path
from typing import Optional

import numpy as np

from kclassics import validation
from kclassics.data import text as text_data
from kclassics.data.corpora import embedded_path
from kclassics.log import log
from kclassics.programs import Length, Option, Program, register
from kclassics.runs import Run

EMBEDDED_CORPUS = "lee_background"


@dataclasses.dataclass(frozen=True)
class Word2VecConfig:
    """The book's skip-gram settings, and the options beyond it (each off by default).

    Attributes:
        vocabulary_size: words kept, UNK included.
        embedding_size: width of the word vectors.
        batch_size: pairs per step.
        skip_window: how far a context word may be from its centre.
        num_skips: context words drawn per centre word.
        num_sampled: negative samples per step (`nce`, `sampled_softmax`) or per pair (`negative_sampling`).
        learning_rate: SGD's learning rate (on the batch's mean loss).
        steps: updates (the book's loop runs `num_steps = 100001`).
        loss: `nce` (the book's), `negative_sampling` (per-pair negatives from
            the unigram^0.75 distribution, as gensim and the C tool) or `sampled_softmax`.
        linear_decay: decay the learning rate linearly to 1/10,000 of itself over the run (as gensim).
        initialization: `book`, or `word2vec` (small embeddings, zero output
            weights, as the C tool and gensim; see `kclassics.embeddings.SkipGram`).
        subsample: frequent-word subsampling threshold (gensim's `sample`, e.g. 1e-3); 0 keeps every word.
        corpus: the corpus: `lee_background` (embedded), a text file, or `text8:<path>`.
        embedded_steps: steps on the embedded corpus instead of `steps` (its 60,302
            words make 100,001 steps of 67 words 111 passes); None trains `steps`.
        embedded_vocabulary_size: vocabulary on the embedded corpus instead of
            `vocabulary_size` (it has 7,002 distinct words; 4,000 keeps those seen twice); None keeps `vocabulary_size`.
        log_every: steps per average-loss line.
        neighbours_every: steps between nearest-neighbour reports.
        valid_size: validation words for the neighbour report.
        valid_window: they are drawn from this many most frequent words.
        top_k: neighbours shown per validation word.
        tsne_words: words in the t-SNE picture (the book's `plot_only`).
        tsne_perplexity: t-SNE perplexity.
        tsne_iterations: t-SNE iterations.
        evaluation_top_n: the evaluations use the this many most frequent words (gensim's `restrict_vocab`).
        seed: seed of the weights, the pairs, the samples and the validation words.
        source: where in the book these values come from.
    """

    vocabulary_size: int = 50000  # vocabulary_size = 50000, L3794
    embedding_size: int = 128  # embedding_size = 128, L3891
    batch_size: int = 128  # batch_size = 128, L3890
    skip_window: int = 1  # skip_window = 1, L3892
    num_skips: int = 2  # num_skips = 2, L3893
    num_sampled: int = 64  # num_sampled = 64, L3898
    learning_rate: float = 1.0  # GradientDescentOptimizer(1.0), L3942
    steps: int = 100001  # num_steps = 100001, L3960
    loss: str = "nce"  # tf.nn.nce_loss, L3933
    linear_decay: bool = False
    initialization: str = "book"  # tf.random_uniform(-1, 1), tf.truncated_normal(1/sqrt(128)), L3926-3932
    subsample: float = 0.0
    corpus: str = EMBEDDED_CORPUS
    embedded_steps: Optional[int] = 20000
    embedded_vocabulary_size: Optional[int] = 4000
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
        for field in ("vocabulary_size", "embedding_size", "batch_size", "skip_window", "num_skips", "num_sampled",
                      "steps", "log_every", "neighbours_every", "valid_size", "valid_window", "top_k", "tsne_words",
                      "evaluation_top_n"):
            validation.positive_int(field, getattr(self, field))
        validation.positive_int("embedded_steps", self.embedded_steps, allow_none=True)
        validation.positive_int("embedded_vocabulary_size", self.embedded_vocabulary_size, allow_none=True)
        validation.positive_int("tsne_iterations", self.tsne_iterations)
        if self.tsne_iterations < 250:
            raise ValueError(f"`tsne_iterations` must be at least 250 (scikit-learn's minimum). Received: tsne_iterations={self.tsne_iterations}")
        validation.positive_float("learning_rate", self.learning_rate)
        validation.positive_float("tsne_perplexity", self.tsne_perplexity)
        validation.non_negative_float("subsample", self.subsample)
        validation.one_of("loss", self.loss, ("nce", "negative_sampling", "sampled_softmax"))
        validation.boolean("linear_decay", self.linear_decay)
        validation.one_of("initialization", self.initialization, ("book", "word2vec"))
        validation.seed("seed", self.seed)
        text_data.check_pairs_arguments(self.batch_size, self.num_skips, self.skip_window)
        if self.vocabulary_size < 2:
            raise ValueError(f"`vocabulary_size` must be at least 2 (UNK and a word). Received: vocabulary_size={self.vocabulary_size}")
        if self.num_sampled >= self.vocabulary_size and self.loss != "negative_sampling":
            raise ValueError(
                f"`num_sampled` must be smaller than vocabulary_size={self.vocabulary_size} (distinct negatives). "
                f"Received: num_sampled={self.num_sampled}"
            )
        if self.valid_size > self.valid_window:
            raise ValueError(f"`valid_size` must be at most valid_window={self.valid_window}. Received: valid_size={self.valid_size}")


WORD2VEC = Word2VecConfig()


def effective(config):
    """The config the run trains with: on the embedded corpus, `embedded_steps` and `embedded_vocabulary_size` apply."""
    if config.corpus != EMBEDDED_CORPUS:
        return config
    return dataclasses.replace(config, steps=config.embedded_steps or config.steps,
                               vocabulary_size=config.embedded_vocabulary_size or config.vocabulary_size)


@dataclasses.dataclass(frozen=True)
class Corpus:
    """A corpus read and encoded: its name, its vocabulary and its ids."""

    name: str
    vocabulary: text_data.Vocabulary
    data: np.ndarray


def load_corpus(config):
    """Reads, checks and encodes `config.corpus` (before any run directory exists)."""
    if config.corpus.startswith("text8:"):
        name, tokens = config.corpus, text_data.read_text8(config.corpus[len("text8:"):])
    elif config.corpus == EMBEDDED_CORPUS:
        name, tokens = EMBEDDED_CORPUS, text_data.read_text(embedded_path(EMBEDDED_CORPUS))
    else:
        path = Path(config.corpus).expanduser()
        tokens = text_data.read_text(path)
        name = str(path.resolve())
    where = name
    if not tokens:
        raise ValueError(f"The corpus {where} holds no words. Received: corpus={config.corpus!r}")
    distinct = len(set(tokens))
    if distinct + 1 < config.vocabulary_size:
        raise ValueError(
            f"The corpus {where} has {distinct} distinct words, fewer than the vocabulary of {config.vocabulary_size} "
            f"(UNK and {config.vocabulary_size - 1} words) needs; give a larger corpus or a smaller vocabulary (--set vocabulary_size=N). "
            f"Received: vocabulary_size={config.vocabulary_size}"
        )
    span = 2 * config.skip_window + 1
    if len(tokens) < text_data.tokens_per_batch(config.batch_size, config.num_skips, config.skip_window):
        raise ValueError(f"The corpus {where} has {len(tokens)} words, fewer than one batch of {config.batch_size} "
                         f"pairs reads ({config.batch_size // config.num_skips + span}).")
    vocabulary = text_data.Vocabulary.build(tokens, config.vocabulary_size)
    return Corpus(name, vocabulary, vocabulary.encode(tokens))


def build_model(config, vocabulary):
    """The book's skip-gram model for `vocabulary`, compiled with SGD (linear decay when asked)."""
    import keras

    model = _make_model(config, vocabulary)
    learning_rate = config.learning_rate
    if config.linear_decay:
        learning_rate = keras.optimizers.schedules.PolynomialDecay(
            config.learning_rate, config.steps, end_learning_rate=config.learning_rate * 1e-4, power=1.0)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate))
    return model


def _make_model(config, vocabulary):
    from kclassics.embeddings import SkipGram

    return SkipGram(vocabulary.words, config.embedding_size, config.num_sampled, config.loss,
                    noise_counts=vocabulary.counts if config.loss == "negative_sampling" else None,
                    initialization=config.initialization, name="skipgram")


def training_pairs(config, corpus, first_batch=0):
    """The book's pairs from batch `first_batch` on (subsampled afresh each pass when `config.subsample`)."""
    keep = corpus.vocabulary.keep_probabilities(config.subsample) if config.subsample else None
    return text_data.skipgram_dataset(corpus.data, config.batch_size, config.num_skips, config.skip_window,
                                      seed=config.seed, first_batch=first_batch, keep_probabilities=keep)


def validation_words(config):
    """The book's `valid_examples`: `valid_size` ids drawn without replacement from the `valid_window` most frequent (L3897)."""
    return np.random.default_rng(config.seed).choice(config.valid_window, config.valid_size, replace=False)


def evaluate(vectors, top_n):
    """Analogy accuracy (questions-words.txt) and Spearman's rho on WordSim-353 and SimLex-999, gensim's protocols."""
    from kclassics.embeddings import evaluate_analogies, evaluate_word_pairs

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


def train_word2vec(config, program, out=None, resume=False, data_dir=None, callbacks=(), verbose="auto", corpus=None):
    """Trains the book's skip-gram model and writes a run directory.

    Args:
        config: a `Word2VecConfig`.
        program: the `Program` being run.
        out: run directory; default a new `runs/word2vec-<timestamp>`.
        resume: continue the run in `out` from its last checkpoint.
        data_dir: a directory holding `text8` or `text8.zip` (the book's corpus); overrides `config.corpus` and `corpus`.
        callbacks: extra Keras callbacks.
        verbose: `model.fit` verbosity.
        corpus: a text file to train on; overrides `config.corpus`.

    Returns:
        A `RunResult` whose metrics hold `average_loss` (of the last report),
        `words_per_second`, the evaluations (`analogy_accuracy`,
        `wordsim353_spearman`, `simlex999_spearman`), `neighbours` and the
        paths of the exported vectors.
    """
    if corpus is not None:
        config = dataclasses.replace(config, corpus=str(corpus))
    if data_dir is not None:
        text8 = f"text8:{Path(data_dir).expanduser().resolve()}"
        if config.corpus not in (EMBEDDED_CORPUS, text8):
            raise ValueError(f"Give either --data-dir (text8) or --corpus, not both. Received: data_dir={str(data_dir)!r}, "
                             f"corpus={config.corpus!r}")
        config = dataclasses.replace(config, corpus=text8)
    import keras

    from kclassics.callbacks.book import AverageLoss, NearestWords, nearest_words
    from kclassics.callbacks.stop import global_step
    from kclassics.training import fit_run

    loaded = load_corpus(effective(config))  # bad input fails before the run directory exists
    config = dataclasses.replace(config, corpus=loaded.name)
    run = Run.open(out, program, config, resume, checkpoint_steps=config.log_every)
    config = effective(config)
    keras.utils.set_random_seed(config.seed)
    model = build_model(config, loaded.vocabulary)
    valid_ids = validation_words(config)
    reports = (AverageLoss(config.log_every), NearestWords(valid_ids, config.neighbours_every, config.top_k))
    start = time.perf_counter()
    history = fit_run(run, model, lambda done: training_pairs(config, loaded, first_batch=done), config.steps,
                      config.log_every, (*reports, *callbacks), verbose)
    seconds = time.perf_counter() - start
    trained = global_step(model) - run.restored_step
    vectors = model.word_vectors()
    from kclassics.embeddings import plot_tsne, save_projector_files, save_word2vec_format

    plot_tsne(vectors, run.path / "tsne.png", config.tsne_words, config.tsne_perplexity, config.tsne_iterations, config.seed)
    save_word2vec_format(vectors, run.path / "vectors.txt")
    save_projector_files(vectors, run.path / "projector")
    losses = run.history.get("loss", [])
    stride = text_data.tokens_per_batch(config.batch_size, config.num_skips, config.skip_window)
    if config.subsample:  # corpus words passed per batch: the words kept, over the fraction kept
        counts = loaded.vocabulary.counts
        stride /= float(np.sum(counts * loaded.vocabulary.keep_probabilities(config.subsample)) / counts.sum())
    metrics = {
        "average_loss": losses[-1][1] if losses else None,
        "corpus": loaded.name,
        "corpus_words": int(len(loaded.data)),
        "vocabulary_size": len(loaded.vocabulary),
        "unk_count": int(loaded.vocabulary.counts[0]),
        "words_per_second": trained * stride / seconds if trained and seconds > 0 else None,
        **evaluate(vectors, config.evaluation_top_n),
        "neighbours": nearest_words(vectors, valid_ids, config.top_k, verbose=config.steps % config.neighbours_every != 0),
        "word2vec_format": "vectors.txt",
        "projector": "projector",
        "tsne": "tsne.png",
    }
    return run.finish(model, metrics, task=program.task, history=history, input_name="words")


register(Program(
    "word2vec", WORD2VEC, f"{__name__}:train_word2vec",
    "Skip-gram Word2Vec with NCE loss, 64 samples, SGD 1.0, 100,001 steps x 128 pairs (7.1)",
    summary="average loss {average_loss:.3f}, analogies {analogy_accuracy:.4f}, WordSim-353 {wordsim353_spearman:.3f}, "
            "SimLex-999 {simlex999_spearman:.3f} ({steps} steps, {train_seconds:.1f} s)",
    length=Length("steps", embedded="embedded_steps"),
    options=(Option("corpus", str, "a UTF-8 text file to train on instead of the embedded Lee background corpus; "
                    "--data-dir DIR holding text8 or text8.zip trains on the book's text8"),),
    data="directory holding text8 or text8.zip: the book's corpus instead of the embedded Lee corpus",
    task="embedding_lookup", files=("vectors.txt", "projector", "tsne.png"),
))

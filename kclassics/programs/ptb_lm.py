"""The book's PTB LSTM language model (7.2, L4055-4518; Zaremba et al. 2014) as a program.

For each epoch: set the learning rate `learning_rate * lr_decay **
max(epoch + 1 - max_epoch, 0)`, train one pass over the training split's
`ptb_producer` batches in order with the state carried from batch to batch
(reset at the epoch's start), then measure the validation perplexity the
same way without training; after the last epoch, the test perplexity with
batch 1 and one step, the state carried over the whole split (L4430-4480).

    kclassics train ptb_lm                                   # small, on the embedded Lee corpus
    kclassics train ptb_lm --config medium --data-dir simple-examples/data

Resume: every epoch ends with a checkpoint, and one is taken mid-epoch at
least every `CHECKPOINT_SECONDS`. A checkpoint holds the carried state of the
streams and the epoch's running totals with the weights, so a run resumed
mid-epoch continues the same streams from the next batch: it trains exactly
the batches an uninterrupted run would.
"""

import dataclasses
import json
from pathlib import Path

import numpy as np

from kclassics import validation
from kclassics.data import ptb
from kclassics.log import log
from kclassics.files import read_json
from kclassics.programs import Length, Program, register
from kclassics.runs import Run

VOCABULARY_FILE = "vocab.txt"
CORPUS_FILE = "corpus.json"
# The LSTM layers kclassics.language_model.LanguageModel builds (its `lstm=`), checked here before it loads.
LSTM_IMPLEMENTATIONS = ("basic", "keras")


@dataclasses.dataclass(frozen=True)
class PTBConfig:
    """One of the book's three language-model configurations (L4309-4363).

    Attributes:
        name: small, medium or large.
        init_scale: weights start in `U(-init_scale, init_scale)`.
        learning_rate: SGD's learning rate for the first `max_epoch` epochs.
        max_grad_norm: gradients are clipped to this global norm.
        num_layers: LSTM layers.
        num_steps: time steps per window (the truncation of backpropagation).
        hidden_size: width of the embedding and of the LSTM layers.
        max_epoch: epochs at the full learning rate.
        epochs: epochs in all (the book's `max_max_epoch`).
        keep_prob: dropout keep probability.
        lr_decay: the learning rate's factor per epoch after `max_epoch`.
        batch_size: parallel streams.
        vocab_size: most words in the vocabulary (PTB has exactly 10,000).
        tie_weights: share the embedding and softmax matrices (not the book's).
        lstm: "basic" (the book's BasicLSTMCell) or "keras" (keras.layers.LSTM,
            cuDNN on a GPU; the same function).
        seed: seed of the weights and dropout masks.
        source: where in the book these values come from.
    """

    name: str = "small"
    init_scale: float = 0.1
    learning_rate: float = 1.0
    max_grad_norm: float = 5.0
    num_layers: int = 2
    num_steps: int = 20
    hidden_size: int = 200
    max_epoch: int = 4
    epochs: int = 13
    keep_prob: float = 1.0
    lr_decay: float = 0.5
    batch_size: int = 20
    vocab_size: int = ptb.VOCAB_SIZE
    tie_weights: bool = False
    lstm: str = "basic"
    seed: int = 0
    source: str = "book 7.2, SmallConfig L4309-4324"

    def __post_init__(self):
        for field in ("num_layers", "num_steps", "hidden_size", "max_epoch", "epochs", "batch_size", "vocab_size"):
            validation.positive_int(field, getattr(self, field))
        for field in ("init_scale", "learning_rate", "max_grad_norm"):
            validation.positive_float(field, getattr(self, field))
        validation.fraction("keep_prob", self.keep_prob, low_open=True)
        validation.fraction("lr_decay", self.lr_decay, low_open=True)
        validation.boolean("tie_weights", self.tie_weights)
        validation.one_of("lstm", self.lstm, LSTM_IMPLEMENTATIONS)
        validation.seed("seed", self.seed)


SMALL = PTBConfig()  # init_scale 0.1, lr 1.0, max_grad_norm 5, 2 layers, 20 steps, 200 units, 4/13 epochs, keep 1.0, decay 0.5, L4309-4324
MEDIUM = PTBConfig(  # MediumConfig, L4330-4342
    name="medium", init_scale=0.05, learning_rate=1.0, max_grad_norm=5.0, num_layers=2, num_steps=35, hidden_size=650,
    max_epoch=6, epochs=39, keep_prob=0.5, lr_decay=0.8, batch_size=20, vocab_size=10000,
    source="book 7.2, MediumConfig L4330-4342",
)
LARGE = PTBConfig(  # LargeConfig, L4348-4363
    name="large", init_scale=0.04, learning_rate=1.0, max_grad_norm=10.0, num_layers=2, num_steps=35, hidden_size=1500,
    max_epoch=14, epochs=55, keep_prob=0.35, lr_decay=1 / 1.15, batch_size=20, vocab_size=10000,
    source="book 7.2, LargeConfig L4348-4363",
)
CONFIGS = {"small": SMALL, "medium": MEDIUM, "large": LARGE}


def build_language_model(config, vocab_size):
    """The `LanguageModel` of `config` over a vocabulary of `vocab_size` words."""
    from kclassics.language_model import LanguageModel

    return LanguageModel(vocab_size, config.hidden_size, config.num_layers, keep_prob=config.keep_prob,
                         init_scale=config.init_scale, tie_weights=config.tie_weights, lstm=config.lstm)


def _check_vocabulary(out, vocabulary):
    """Refuses to resume a run with a vocabulary other than the one it was trained on."""
    path = Path(out).expanduser() / VOCABULARY_FILE
    if path.is_file():
        saved = ptb.read_vocabulary(path)
        if saved != tuple(vocabulary):
            differ = next((i for i, (a, b) in enumerate(zip(saved, vocabulary)) if a != b), min(len(saved), len(vocabulary)))
            raise ValueError(
                f"Cannot resume {out}: its vocabulary ({len(saved)} words, {path}) differs from this data's "
                f"({len(vocabulary)} words; first difference at id {differ}). Resume with the data the run was trained on."
            )


def train_ptb_lm(config, program, out=None, resume=False, data_dir=None, callbacks=(), verbose="auto"):
    """Trains the book's language model and writes a run directory.

    Args:
        config: a `PTBConfig` (`SMALL`, `MEDIUM`, `LARGE` or a variant).
        program: the `Program` being run.
        out: run directory; default a new `runs/ptb_lm-<timestamp>`.
        resume: continue the run in `out` from its last checkpoint.
        data_dir: a directory holding `ptb.train.txt`, `ptb.valid.txt` and
            `ptb.test.txt` (or plain-text `train.txt`, `valid.txt`,
            `test.txt`), or an archive holding them (the book's
            `simple-examples.tgz`); default the embedded Lee corpus.
        callbacks: extra Keras callbacks for every epoch's `fit`.
        verbose: `fit` verbosity (the progress bar); the book's lines are logged whatever it is.

    Returns:
        A `RunResult` whose metrics hold `train_perplexity`, `valid_perplexity`
        (last epoch), `test_perplexity`, `unigram_test_perplexity`, the
        per-epoch lists and `words_per_sec`.
    """
    import keras
    import tensorflow as tf

    from kclassics.callbacks.book import PerplexityLogger
    from kclassics.data import ptb
    from kclassics.language_model import EpochDecay, TruncatedBPTT, evaluate_perplexity
    from kclassics.training import RunCheckpoint

    corpus = ptb.load_corpus(data_dir, config.vocab_size)  # bad data fails before the run directory exists
    x, y = ptb.ptb_producer(corpus.train, config.batch_size, config.num_steps)
    ptb.ptb_producer(corpus.valid, config.batch_size, config.num_steps)
    ptb.ptb_producer(corpus.test, 1, 1)
    epoch_size = len(x)
    if resume and out is not None:
        _check_vocabulary(out, corpus.vocabulary)
    run = Run.open(out, program, config, resume, checkpoint_steps=epoch_size)
    if not (run.path / VOCABULARY_FILE).is_file():
        ptb.write_vocabulary(corpus.vocabulary, run.path / VOCABULARY_FILE)
        words = {name: len(corpus.split(name)) for name in ptb.SPLITS}
        (run.path / CORPUS_FILE).write_text(json.dumps({"source": corpus.source, "normalized": corpus.normalized, "words": words}))

    keras.utils.set_random_seed(config.seed)
    model = build_language_model(config, corpus.vocab_size)
    trainer = TruncatedBPTT(model, config.batch_size)
    schedule = EpochDecay(config.learning_rate, config.lr_decay, config.max_epoch, epoch_size)
    trainer.compile(optimizer=program.optimizer(config, schedule))
    run.restore(trainer)
    step = int(keras.ops.convert_to_numpy(trainer.optimizer.iterations))

    writer = tf.summary.create_file_writer(str(run.log_dir))
    speeds = []
    run.start_training()
    for epoch in range(step // epoch_size, config.epochs):
        start = step - epoch * epoch_size
        if start == 0:
            trainer.reset()
        learning_rate = schedule.for_epoch(epoch)
        log("Epoch: %d Learning rate: %.3f" % (epoch + 1, learning_rate))
        book_log = PerplexityLogger(trainer, epoch_size, config.batch_size * config.num_steps, start)
        data = tf.data.Dataset.from_tensor_slices((x[start:], y[start:]))
        trainer.fit(data, initial_epoch=epoch, epochs=epoch + 1, shuffle=False, verbose=0,
                    callbacks=[book_log, RunCheckpoint(run, epochs=False), *callbacks])
        step = (epoch + 1) * epoch_size
        train_perplexity = trainer.perplexity()
        log("Epoch: %d Train Perplexity: %.3f" % (epoch + 1, train_perplexity))
        valid_perplexity = evaluate_perplexity(model, corpus.valid, config.batch_size, config.num_steps)
        log("Epoch: %d Valid Perplexity: %.3f" % (epoch + 1, valid_perplexity))
        speeds.append(book_log.words_per_sec)
        with writer.as_default():
            for name, value in (("train_perplexity", train_perplexity), ("valid_perplexity", valid_perplexity),
                                ("learning_rate", learning_rate)):
                tf.summary.scalar(name, value, step=epoch + 1)
        run.record(step, perplexity=train_perplexity, val_perplexity=valid_perplexity, learning_rate=learning_rate)
        run.checkpoint(step, trainer, epoch=epoch + 1)
    writer.close()

    test_perplexity = evaluate_perplexity(model, corpus.test, 1, 1)  # eval_config: batch_size = 1, num_steps = 1, L4433-4434
    log("Test Perplexity: %.3f" % test_perplexity)
    with tf.summary.create_file_writer(str(run.log_dir)).as_default():
        tf.summary.scalar("test_perplexity", test_perplexity, step=config.epochs)
    history = run.history
    metrics = {
        "train_perplexity": history["perplexity"][-1][1],
        "valid_perplexity": history["val_perplexity"][-1][1],
        "test_perplexity": test_perplexity,
        "unigram_test_perplexity": ptb.unigram_perplexity(corpus, "test"),
        "train_perplexities": [value for _, value in history["perplexity"]],
        "valid_perplexities": [value for _, value in history["val_perplexity"]],
        "epoch_size": epoch_size,
        "vocab_size": corpus.vocab_size,
        "corpus": corpus.source,
        "parameters": model.count_params(),
        **({"words_per_sec": float(np.mean(speeds))} if speeds else {}),
    }
    return run.finish(model, metrics, task=program.task, step=step, input_name="token_ids")


def prompt_words(run, prompt):
    """The words of `prompt` as a ptb_lm run reads them (normalised as its corpus was, `<eos>` a word of its own)."""
    corpus = read_json(run.path / CORPUS_FILE) or {}
    text = ptb.normalize_line(prompt) if corpus.get("normalized") else prompt
    words = text.replace(ptb.EOS, f" {ptb.EOS} ").split()
    if not words:
        raise ValueError(f"argument --prompt: expected at least one word. Received: --prompt={prompt!r}")
    return words


def generate(run, words, count=50, temperature=1.0, seed=None):
    """Text a finished ptb_lm run's model writes after `words`: `count` words drawn at `temperature`, `<eos>` as a line break.

    Args:
        run: the run (a `kclassics.runs.RunDir`).
        words: the prompt's words (`prompt_words`).
        count: words to draw.
        temperature: softmax temperature: below 1 likelier words, above 1 more varied.
        seed: seed of the draws (None: fresh each time).
    """
    from kclassics.language_model import sample_words

    vocabulary = ptb.read_vocabulary(run.file(VOCABULARY_FILE))
    drawn = sample_words(run.model(), vocabulary, words, count, temperature, seed)
    text = " ".join([*words, *drawn])
    return text.replace(f" {ptb.EOS} ", "\n").replace(ptb.EOS, "\n").strip("\n")


def sgd_with_clipping(config, schedule=None):
    """The book's optimizer: SGD on the decaying rate, with the gradients' global norm clipped at `max_grad_norm` (L4374-4380)."""
    import keras

    return keras.optimizers.SGD(schedule or config.learning_rate, global_clipnorm=config.max_grad_norm)


register(Program(
    "ptb_lm", SMALL, f"{__name__}:train_ptb_lm",
    "Two-layer LSTM language model, truncated BPTT, SGD 1.0 with clipping (7.2; Zaremba et al. 2014)",
    summary="test perplexity {test_perplexity:.3f} (train {train_perplexity:.3f}, valid {valid_perplexity:.3f}; "
            "unigram {unigram_test_perplexity:.1f}; {steps} steps, {train_seconds:.1f} s)",
    length=Length("epochs", "epochs"),
    optimizer=sgd_with_clipping,
    data="directory with ptb.train.txt, ptb.valid.txt and ptb.test.txt (or train.txt, valid.txt, test.txt), or "
         "the simple-examples.tgz archive holding them: the book's PTB instead of the embedded Lee corpus",
    task="next_word", files=(VOCABULARY_FILE, CORPUS_FILE),
    configs=CONFIGS,
))

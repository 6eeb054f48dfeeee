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

import json
from pathlib import Path

import numpy as np

from kclassics.data import ptb
# The book's configurations load on every backend and before Keras: they are beside the model.
from kclassics.language_model_configs import CONFIGS, LARGE, MEDIUM, SMALL, PTBConfig, build_language_model  # noqa: F401
from kclassics.log import log
from kclassics.files import read_json
from kclassics.programs import Length, Program, register
from kclassics.runs import Run

VOCABULARY_FILE = "vocab.txt"
CORPUS_FILE = "corpus.json"
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

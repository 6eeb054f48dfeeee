"""The book programs' own log lines, as Keras callbacks: what each program printed while it trained.

- `TrainingAccuracyPrinter`: `step %d, training accuracy %g` (the MNIST CNN, 5.2).
- `BookStepLogger`: `step %d,loss=%.2f (%.1f examples/sec; %.3f sec/batch)` (CIFAR-10, 5.3).
- `LossLogger`: `step N: loss = v` every 100 steps (TF.Learn's Estimators, chapter 10).
- `PerplexityLogger`: `%.3f perplexity: %.3f speed: %.0f wps` ten times an epoch (the PTB model, 7.2).
- `AverageLoss`, `NearestWords`, `TSNEPicture`: word2vec's loss report, neighbours and t-SNE picture (7.1);
  `PassProgress`: its share of the passes done and words a second.
- `BlogLog`: the Tensorflow_CNN blog's `[train]: step N loss = ... acc = ... (s / batch)` and `[val]: ...` lines.
"""

import time
from pathlib import Path

import keras
import numpy as np

from kclassics.callbacks._base import global_step
from kclassics.data import training_pipeline
from kclassics.log import log

TRAINING_ACCURACY_EVERY = 100  # if i % 100 == 0: print training accuracy, L1757
LOG_EVERY = 100  # the book's Estimators logged the loss every 100 steps
LOG_LINES_PER_EPOCH = 10  # if step % (epoch_size // 10) == 10: print, L4415


class TrainingAccuracyPrinter(keras.callbacks.Callback):
    """Prints `step %d, training accuracy %g` every `every` steps, as the book's CNN loop (L1757-1760).

    The accuracy is measured with dropout off (`keep_prob: 1.0`) on a fresh
    training batch of the run's batch size, before that step's update.

    Args:
        train: the training `Split`.
        batch_size: examples in the measured batch.
        every: steps between prints.
        seed: shuffling seed of the measured batches.
    """

    def __init__(self, train, batch_size, every=TRAINING_ACCURACY_EVERY, seed=0):
        super().__init__()
        self.every = every
        self._batches = iter(training_pipeline(train, batch_size, seed=seed + 1))
        self.printed = []

    def on_train_batch_begin(self, batch, logs=None):
        step = global_step(self.model)
        if step % self.every:
            return
        x, y = next(self._batches)
        predicted = np.argmax(keras.ops.convert_to_numpy(self.model(x, training=False)), axis=-1)
        accuracy = float(np.mean(predicted == keras.ops.convert_to_numpy(y)))
        self.printed.append((step, accuracy))
        log("step %d, training accuracy %g" % (step, accuracy))


class BookStepLogger(keras.callbacks.Callback):
    """Prints `step %d,loss=%.2f (%.1f examples/sec; %.3f sec/batch)` every `every` steps (L1997).

    The step counts from 0 and the loss is that step's batch loss (cross
    entropy + L2), recovered from Keras's running mean; the duration covers
    fetching the batch and the update, as the book's `time.time()` pair does.
    """

    def __init__(self, batch_size, every=10):
        super().__init__()
        self.batch_size = batch_size
        self.every = every
        self.lines = []
        self._previous_mean = 0.0
        self._end = None

    def on_train_batch_begin(self, batch, logs=None):
        if self._end is None:
            self._end = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        now = time.perf_counter()
        duration, self._end = now - self._end, now
        mean = float(logs["loss"])
        batch_loss = (batch + 1) * mean - batch * self._previous_mean  # the running mean restarts each epoch
        self._previous_mean = mean
        step = global_step(self.model) - 1
        if step % self.every == 0:
            line = "step %d,loss=%.2f (%.1f examples/sec; %.3f sec/batch)" % (
                step, batch_loss, self.batch_size / duration, duration
            )
            self.lines.append(line)
            log(line)

    def on_epoch_begin(self, epoch, logs=None):
        self._previous_mean = 0.0


class LossLogger(keras.callbacks.Callback):
    """Logs `step N: loss = v` every `LOG_EVERY` global steps, as the book's Estimators did."""

    def on_train_batch_end(self, batch, logs=None):
        step = global_step(self.model)
        if step % LOG_EVERY == 0 and logs and "loss" in logs:
            log(f"step {step}: loss = {float(logs['loss']):g}")


class PerplexityLogger(keras.callbacks.Callback):
    """`%.3f perplexity: %.3f speed: %.0f wps` ten times per epoch, as the book's `run_epoch` (L4413-4418).

    The book prints when `step % (epoch_size // 10) == 10`; an epoch shorter
    than 110 batches prints at the last batch of each tenth instead.
    """

    def __init__(self, trainer, epoch_size, words_per_batch, start=0):
        super().__init__()
        self.trainer, self.epoch_size, self.words_per_batch, self.start = trainer, epoch_size, words_per_batch, start
        self.every = max(epoch_size // LOG_LINES_PER_EPOCH, 1)
        self.offset = min(10, self.every - 1)
        self.words_per_sec = float("nan")

    def on_epoch_begin(self, epoch, logs=None):
        self._began = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        step = self.start + batch
        if step % self.every == self.offset or batch + 1 + self.start == self.epoch_size:
            self.words_per_sec = (batch + 1) * self.words_per_batch / (time.perf_counter() - self._began)
        if step % self.every == self.offset:
            log("%.3f perplexity: %.3f speed: %.0f wps" % (step / self.epoch_size, self.trainer.perplexity(), self.words_per_sec))


class AverageLoss(keras.callbacks.Callback):
    """The book's report (L3972): `Average loss at step N : x`, the mean loss of the last `every` steps.

    An epoch of `fit` is `every` steps, so the loss Keras averages over an
    epoch is the book's average; it is logged and kept as `history`.
    """

    def __init__(self, every):
        super().__init__()
        self.every = every

    def on_epoch_end(self, epoch, logs=None):
        if logs and "loss" in logs:
            log(f"Average loss at step {global_step(self.model)} : {logs['loss']:.6f}")


def nearest_words(vectors, word_ids, top_k=8, verbose=True):
    """{validation word: its `top_k` nearest words}, logged as the book's `Nearest to five: six, four, ...` lines."""
    report = {}
    for word_id, row in zip(word_ids, vectors.nearest(word_ids, top_k)):
        word = vectors.words[word_id]
        report[word] = [vectors.words[i] for i in row]
        if verbose:
            log(f"Nearest to {word}: {', '.join(report[word])},")
    return report


class NearestWords(keras.callbacks.Callback):
    """The book's validation report (L3980): the `top_k` nearest words (cosine) of each validation word every `every` steps.

    Args:
        word_ids: the validation words, as ids of `vectors(model)`.
        every: global steps between reports (a compiled call may train several: the report follows the call that passes a multiple).
        top_k: neighbours shown.
        vectors: `model -> WordVectors` to report on (default `model.word_vectors()`).
    """

    def __init__(self, word_ids, every, top_k=8, vectors=None):
        super().__init__()
        self.word_ids = np.asarray(word_ids)
        self.every = every
        self.top_k = top_k
        self.vectors = vectors or (lambda model: model.word_vectors())
        self._reported = 0

    def on_train_begin(self, logs=None):
        self._reported = global_step(self.model) // self.every

    def on_train_batch_end(self, batch, logs=None):
        if global_step(self.model) // self.every > self._reported:
            self._reported = global_step(self.model) // self.every
            nearest_words(self.vectors(self.model), self.word_ids, self.top_k)


class PassProgress(keras.callbacks.Callback):
    """After each epoch, `progress: 12.5% of 5 passes, 412,345 words/s`: the run's share done and corpus words a second.

    Args:
        steps: the global step the run ends at.
        words_per_step: corpus words a step passes (on average).
        corpus_words: words in the corpus (a pass).
    """

    def __init__(self, steps, words_per_step, corpus_words):
        super().__init__()
        self.steps, self.words_per_step, self.corpus_words = steps, words_per_step, corpus_words

    def on_train_begin(self, logs=None):
        self._start, self._first = time.perf_counter(), global_step(self.model)

    def on_epoch_end(self, epoch, logs=None):
        step = global_step(self.model)
        rate = (step - self._first) * self.words_per_step / max(time.perf_counter() - self._start, 1e-9)
        passes = self.steps * self.words_per_step / self.corpus_words
        log(f"progress: {100 * step / self.steps:.1f}% of {passes:.3g} passes, {rate:,.0f} words/s")


class TSNEPicture(keras.callbacks.Callback):
    """At the end of training, the book's t-SNE picture of the most frequent words (L4018), written to `path`."""

    def __init__(self, path, count=100, perplexity=30.0, iterations=5000, seed=0):
        super().__init__()
        self.path, self.count, self.perplexity, self.iterations, self.seed = Path(path), count, perplexity, iterations, seed

    def on_train_end(self, logs=None):
        from kclassics.embeddings import plot_tsne

        plot_tsne(self.model.word_vectors(), self.path, self.count, self.perplexity, self.iterations, self.seed)


class BlogLog(keras.callbacks.Callback):
    """The post's `[train]` and `[val]` lines (the course's `train` harness), into `lines` and the log.

    At every `train_every`-th step (and the last) the loss and accuracy of the next training batch in
    inference mode, with the seconds per step since the previous `[train]` line (the measurements
    excluded); at every `val_every`-th step (and the last) those of the next validation batch. The
    loss is the one training minimises: cross entropy plus the weight decay, if any.

    Args:
        train_batches: an endless dataset of training batches (separate from the one training draws).
        val_batches: an endless dataset of validation batches, in order.
        last_step: the run's last global step.
        train_every, val_every: steps between lines.
    """

    def __init__(self, train_batches, val_batches, last_step, train_every=1000, val_every=4000):
        super().__init__()
        self.train_batches, self.val_batches = iter(train_batches), iter(val_batches)
        self.last_step, self.train_every, self.val_every = last_step, train_every, val_every
        self.lines = []
        self._clock = None

    def on_train_begin(self, logs=None):
        self._clock = (global_step(self.model), time.perf_counter())

    def on_train_batch_end(self, batch, logs=None):
        updates = global_step(self.model)
        step = updates - 1  # the post's `step`: its loop logs after the update of that index
        last = updates == self.last_step
        if step % self.train_every == 0 or last:
            since, start = self._clock
            seconds_per_step = (time.perf_counter() - start) / (updates - since)
            loss, accuracy = self.measure(next(self.train_batches))
            self._write("[train]: step %d loss = %.4f acc = %.4f (%.4f / batch)" % (step, loss, accuracy, seconds_per_step))
        if step % self.val_every == 0 or last:
            loss, accuracy = self.measure(next(self.val_batches))
            self._write("[val]: step %d loss = %.4f acc = %.4f" % (step, loss, accuracy))
        if step % self.train_every == 0 or last:
            self._clock = (updates, time.perf_counter())

    def measure(self, batch):
        """Loss (with the regularization) and accuracy of the model on one batch, in inference mode."""
        images, labels = batch
        logits = keras.ops.cast(self.model(images, training=False), "float32")
        cross_entropy = keras.losses.sparse_categorical_crossentropy(labels, logits, from_logits=True)
        loss = keras.ops.mean(cross_entropy) + sum(self.model.losses, 0.0)
        hits = keras.ops.equal(keras.ops.argmax(logits, axis=-1), keras.ops.cast(labels, "int32"))
        accuracy = keras.ops.mean(keras.ops.cast(hits, "float32"))
        return float(loss), float(accuracy)

    def _write(self, line):
        self.lines.append(line)
        log(line)

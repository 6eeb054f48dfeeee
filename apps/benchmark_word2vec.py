"""kclassics' skip-gram against gensim's `Word2Vec(sg=1)`, side by side in one run: words per second and quality.

    flock /tmp/kclassics-bench.lock python apps/benchmark_word2vec.py [--passes 10] [--threads 2]
        [--corpus FILE | --data-dir DIR_WITH_TEXT8] [--rows book,gensim] [--batch-size 8192]

Both train on the same corpus (default the embedded Lee background corpus), the
same vocabulary (words seen at least twice; kclassics maps the rest to UNK,
gensim drops them), the same vector size, window and negatives, for the same
number of passes, with the same number of threads (`--threads`: gensim's
`workers`, TensorFlow's intra- and inter-op threads). Words per second is the
corpus words each passes per second of training (`train` or `fit`; tracing
included): passes x corpus words / seconds, counted the same way for both.

Rows:

- `book`: the book's settings: window 1 (`skip_window=1, num_skips=2`), 64
  negatives, 128 dimensions, no subsampling. kclassics: NCE loss (the book's)
  with `--batch-size` pairs per step, so the 64 negatives it shares per step
  are drawn once for thousands of pairs.
- `gensim`: gensim's skip-gram defaults: window 5, 5 negatives, subsampling
  1e-3, learning rate 0.025 decaying linearly. kclassics: `skip_window=5,
  num_skips=10` (every context word; gensim samples a window of 1-5 per word,
  on average 3), per-pair negative sampling, subsampling 1e-3, linear decay.

Then the quality of both (kclassics' evaluations, gensim's protocol): analogy
accuracy (questions-words.txt), Spearman's rho on WordSim-353 and SimLex-999.
`--profile` adds where kclassics' time goes: the input pipeline alone, the
training step on one cached batch, and both together.
"""

import argparse
import collections
import dataclasses
import math
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

ROWS = {
    "book": dict(window=1, negative=64, sample=0.0, loss="nce"),
    "gensim": dict(window=5, negative=5, sample=1e-3, loss="negative_sampling"),
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", help="a UTF-8 text file (default: the embedded Lee background corpus)")
    parser.add_argument("--data-dir", help="a directory holding text8 or text8.zip")
    parser.add_argument("--passes", type=int, default=10, help="passes over the corpus, for both (default 10)")
    parser.add_argument("--threads", type=int, default=2, help="gensim workers and TensorFlow threads (default 2)")
    parser.add_argument("--rows", default="book,gensim", help="comma-separated rows: book, gensim")
    parser.add_argument("--batch-size", type=int, default=8192, help="kclassics pairs per step at the book's settings (default 8192)")
    parser.add_argument("--gensim-batch-size", type=int, default=1024,
                        help="kclassics pairs per step at gensim's settings (default 1024)")
    parser.add_argument("--book-learning-rate", type=float, default=4.0,
                        help="kclassics' SGD rate on the batch's mean NCE loss at the book's settings (default 4)")
    parser.add_argument("--gensim-learning-rate", type=float, default=0.025,
                        help="learning rate per pair at gensim's settings, gensim's alpha; kclassics' SGD rate on its "
                        "batch's mean loss is this x the batch size (default 0.025)")
    parser.add_argument("--min-count", type=int, default=2, help="words kept: seen at least this often (default 2)")
    parser.add_argument("--profile", action="store_true", help="also time kclassics' pipeline and step apart")
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args(argv)


def load_tokens(args):
    from kclassics.data import text
    from kclassics.data.corpora import embedded_path

    if args.data_dir:
        return f"text8 ({args.data_dir})", text.read_text8(args.data_dir)
    if args.corpus:
        return args.corpus, text.read_text(args.corpus)
    return "Lee background (embedded)", text.read_text(embedded_path("lee_background"))


def run_gensim(tokens, row, args):
    from gensim.models import Word2Vec

    from kclassics.embeddings import WordVectors

    sentences = [tokens[i : i + 10000] for i in range(0, len(tokens), 10000)]  # gensim's longest sentence
    model = Word2Vec(vector_size=128, window=row["window"], negative=row["negative"], sample=row["sample"], sg=1,
                     workers=args.threads, min_count=args.min_count, seed=args.seed, alpha=args.gensim_learning_rate)
    model.build_vocab(sentences)
    start = time.perf_counter()
    model.train(sentences, total_examples=len(sentences), epochs=args.passes)
    seconds = time.perf_counter() - start
    return seconds, WordVectors(tuple(model.wv.index_to_key), model.wv.vectors)


def kclassics_config(row, args, vocabulary_size):
    from kclassics.programs import word2vec as program

    window = row["window"]
    batch = args.batch_size if row["loss"] == "nce" else args.gensim_batch_size
    batch -= batch % (2 * window)
    rate = args.book_learning_rate if row["loss"] == "nce" else args.gensim_learning_rate * batch
    return dataclasses.replace(
        program.WORD2VEC, vocabulary_size=vocabulary_size, embedding_size=128, batch_size=batch, skip_window=window,
        num_skips=2 * window, num_sampled=row["negative"], loss=row["loss"], subsample=row["sample"],
        linear_decay=row["loss"] != "nce", initialization="book" if row["loss"] == "nce" else "word2vec",
        learning_rate=rate, seed=args.seed, corpus="benchmark")


def kept_fraction(vocabulary, sample):
    if not sample:
        return 1.0
    counts = vocabulary.counts
    return float((counts * vocabulary.keep_probabilities(sample)).sum() / counts.sum())


def run_kclassics(corpus, row, args, profile=False):
    import keras
    import tensorflow as tf

    from kclassics.data import text
    from kclassics.programs import word2vec as program

    config = kclassics_config(row, args, len(corpus.vocabulary))
    stride = text.tokens_per_batch(config.batch_size, config.num_skips, config.skip_window)
    per_step = stride / kept_fraction(corpus.vocabulary, config.subsample)  # corpus words passed per step
    steps = max(1, round(args.passes * len(corpus.data) / per_step))
    config = dataclasses.replace(config, steps=steps)
    keras.utils.set_random_seed(args.seed)
    model = program.build_model(config, corpus.vocabulary)
    pairs = program.training_pairs(config, corpus)
    start = time.perf_counter()
    history = model.fit(pairs, steps_per_epoch=steps, epochs=1, verbose=0).history
    seconds = time.perf_counter() - start
    words = steps * per_step
    parts = {}
    if profile:
        n = max(20, steps // 2)
        iterator = iter(pairs)
        next(iterator)
        t = time.perf_counter()
        for _ in range(n):
            next(iterator)
        parts["input pipeline alone"] = n * per_step / (time.perf_counter() - t)
        cached = pairs.take(1).cache().repeat()
        model.fit(cached, steps_per_epoch=5, epochs=1, verbose=0)  # traced
        t = time.perf_counter()
        model.fit(cached, steps_per_epoch=n, epochs=1, verbose=0)
        parts["training step alone (one cached batch)"] = n * per_step / (time.perf_counter() - t)
    return seconds, words, model.word_vectors(), history["loss"][-1], config, parts


def quality(vectors, top_n):
    from kclassics.programs.word2vec import evaluate

    scores = evaluate(vectors, top_n)
    return scores["analogy_accuracy"], scores["wordsim353_spearman"], scores["simlex999_spearman"], scores


def main(argv=None):
    args = parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    from kclassics.data import text
    from kclassics.programs.word2vec import Corpus

    name, tokens = load_tokens(args)
    counts = collections.Counter(tokens)
    kept = sum(1 for c in counts.values() if c >= args.min_count)
    vocabulary = text.Vocabulary.build(tokens, kept + 1)
    corpus = Corpus(name, vocabulary, vocabulary.encode(tokens))
    print(f"corpus: {name}, {len(tokens):,} words, vocabulary {kept:,} words seen >= {args.min_count} times (+ UNK); "
          f"{args.passes} passes; {args.threads} threads; cpus {os.cpu_count()}; load {os.getloadavg()[0]:.1f}")
    print()
    print("| settings | trainer | seconds | words/s | ratio (kclassics / gensim) | analogy acc. (questions) | WordSim-353 rho | SimLex-999 rho |")
    print("|---|---|---|---|---|---|---|---|")
    profiles = {}
    for key in args.rows.split(","):
        row = ROWS[key]
        g_seconds, g_vectors = run_gensim(tokens, row, args)
        g_rate = args.passes * len(tokens) / g_seconds
        k_seconds, k_words, k_vectors, k_loss, config, parts = run_kclassics(corpus, row, args, args.profile)
        k_rate = k_words / k_seconds
        label = f"{key}: window {row['window']}, {row['negative']} negatives, sample {row['sample']:g}"
        for trainer, seconds, rate, vectors in (("gensim Word2Vec(sg=1)", g_seconds, g_rate, g_vectors),
                                                (f"kclassics {config.loss}, batch {config.batch_size}, lr {config.learning_rate:g}",
                                                 k_seconds, k_rate, k_vectors)):
            analogy, wordsim, simlex, scores = quality(vectors, top_n=len(vectors.words))
            ratio = f"{k_rate / g_rate:.2f}x" if trainer.startswith("kclassics") else ""
            print(f"| {label} | {trainer} | {seconds:.2f} | {rate:,.0f} | {ratio} | {analogy:.4f} ({scores['analogy_questions']}) "
                  f"| {wordsim:.3f} | {simlex:.3f} |")
        if parts:
            profiles[label] = {**parts, "whole fit (tracing included)": k_rate}
    for label, parts in profiles.items():
        print(f"\nwhere kclassics' time goes at {label} (words/s of each part alone):")
        for part, rate in parts.items():
            print(f"- {part}: {rate:,.0f} words/s")


if __name__ == "__main__":
    main()

"""kclassics' skip-gram against gensim's `Word2Vec(sg=1)`: words per second in the same run, quality over seeds,
whole processes, the program at its defaults, and resident memory on a large corpus.

    flock /tmp/kclassics-bench.lock python benchmarks/benchmark_word2vec.py [--parts speed,quality,process,program,memory]
        [--corpus FILE | --data-dir DIR_WITH_TEXT8 | --zipf WORDS] [--passes 5] [--seeds 5] [--threads 2]

Parts (each prints a markdown table):

- `speed`: both trainers on the same corpus, for the same passes, with the same threads (`--threads`: gensim's
  `workers`, TensorFlow's intra- and inter-op threads), at two settings: `gensim`, gensim's skip-gram defaults
  (window 5, 5 negatives, subsampling 1e-3, 100 dimensions, min_count 5, alpha 0.025 -> 0.0001) against
  kclassics' `--config gensim`; `book`, the book's settings (window 1, 64 negatives, 128 dimensions, no
  subsampling) against kclassics' book config (NCE, 128 pairs a step, as the program trains) and against the
  same with 8,192 pairs a step. Words per second: corpus words passed per second of training (gensim's
  `train`, kclassics' `fit`, its tracing and compilation included), counted the same way for both.
- `quality`: analogy accuracy and Spearman's rho on WordSim-353 and SimLex-999 (gensim's protocols) of both
  trainers at the `gensim` settings over `--seeds` seeds: mean and standard deviation.
- `process`: whole processes, start to end: `kclassics train word2vec --config gensim --epochs N` and a
  Python process that imports gensim, reads the corpus and trains `Word2Vec(sg=1)` for N passes (`--process-passes`).
- `program`: `kclassics train word2vec --steps 20000` (the program at its defaults, on the embedded corpus): its
  `train_seconds` from `metrics.json` against gensim's training time at the book's settings on the same centre
  words (20,000 x 64), and both one's quality.
- `backends`: `SkipGram` at gensim's defaults, `fit` on the corpus's 10,000-word sentences on TensorFlow (this
  process) and on JAX (a child process, `KERAS_BACKEND=jax`): the training loop's words per second once compiled.
- `memory`: writes a Zipf-distributed corpus of `--memory-words` words (100 million) and trains
  `--config gensim` on it for `--memory-steps` steps in a child process: its peak resident memory.

`--wiki` trains on 453,000 words of Wikipedia (the dump in gensim's test data), a real corpus 7.5 times the
embedded one. `--zipf N` trains the speed part on a synthetic corpus of N Zipf-distributed words written to a temporary file
(for speed and memory only: its words mean nothing). The machine is shared: the load average is printed
with each table; compare the ratios, measured in the same run.
"""

import argparse
import dataclasses
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--parts", default="speed,quality,process,program,backends,memory")
    parser.add_argument("--corpus", help="a UTF-8 text file (default: the embedded Lee background corpus)")
    parser.add_argument("--data-dir", help="a directory holding text8 or text8.zip")
    parser.add_argument("--zipf", type=int, help="train the speed part on a synthetic Zipf corpus of this many words")
    parser.add_argument("--wiki", action="store_true", help="the 106 Wikipedia articles (453,000 words) of the dump in "
                        "gensim's test data, as text (gensim's WikiCorpus), for a larger real corpus than the embedded one")
    parser.add_argument("--rows", default="gensim,book", help="the speed part's settings: gensim, book or both")
    parser.add_argument("--passes", type=int, default=5, help="passes for the speed and quality parts (default 5, gensim's)")
    parser.add_argument("--book-passes", type=float, default=10, help="passes at the book's settings (default 10)")
    parser.add_argument("--seeds", type=int, default=5, help="seeds of the quality part (default 5)")
    parser.add_argument("--threads", type=int, default=2, help="gensim workers and TensorFlow threads (default 2)")
    parser.add_argument("--process-passes", type=int, default=1000, help="passes of the whole-process part (default 1000)")
    parser.add_argument("--memory-words", type=int, default=100_000_000)
    parser.add_argument("--memory-steps", type=int, default=1000, help="steps of 10,000 words the memory part trains")
    parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", dest="settings",
                        help="a field of kclassics' gensim config for the speed and quality parts (repeatable), e.g. "
                        "centres_per_update=256")
    parser.add_argument("--workdir", help="where the synthetic corpora and runs go (default: a temporary directory)")
    return parser.parse_args(argv)


def load():
    return f"load average {os.getloadavg()[0]:.1f}"


def write_zipf(path, words, vocabulary=200_000, seed=0, exponent=1.0):
    """A corpus of `words` words drawn from a Zipf distribution over `vocabulary` made-up words of letters."""
    import numpy as np

    rng = np.random.default_rng(seed)
    names = []
    for i in range(vocabulary):
        name, n = "", i
        while True:
            name += "abcdefghijklmnopqrstuvwxyz"[n % 26]
            n //= 26
            if not n:
                break
        names.append(name + "q")
    names = np.array(names)
    p = 1.0 / np.arange(1, vocabulary + 1) ** exponent
    cdf = np.cumsum(p / p.sum())
    with open(path, "w") as file:
        for start in range(0, words, 1_000_000):
            ids = np.searchsorted(cdf, rng.random(min(1_000_000, words - start)))
            file.write(" ".join(names[ids]) + "\n")
    return Path(path)


def write_wiki(path):
    """The text of the Wikipedia dump in gensim's test data, an article a line, as gensim's `WikiCorpus` reads it."""
    from gensim.corpora import WikiCorpus
    from gensim.test.utils import datapath

    dump = datapath("enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2")
    with open(path, "w") as file:
        for tokens in WikiCorpus(dump, dictionary={}, processes=1).get_texts():
            file.write(" ".join(tokens) + "\n")
    return Path(path)


def corpus_path(args, workdir):
    from kclassics.data.corpora import embedded_path

    if args.data_dir:
        return Path(args.data_dir), f"text8 ({args.data_dir})"
    if args.wiki:
        path = Path(workdir) / "enwiki-106-articles.txt"
        if not path.exists():
            write_wiki(path)
        return path, "106 Wikipedia articles (gensim's test data)"
    if args.zipf:
        path = Path(workdir) / f"zipf{args.zipf}.txt"
        if not path.exists():
            write_zipf(path, args.zipf)
        return path, f"synthetic Zipf corpus ({args.zipf:,} words)"
    if args.corpus:
        return Path(args.corpus), args.corpus
    return embedded_path("lee_background"), "Lee background (embedded)"


def gensim_run(tokens, passes, seed=1, threads=2, **settings):
    """gensim's training seconds and vectors, trained on 10,000-word sentences (gensim's longest) for `passes` passes."""
    from gensim.models import Word2Vec

    from kclassics.embeddings import WordVectors

    sentences = [tokens[i : i + 10000] for i in range(0, len(tokens), 10000)]
    model = Word2Vec(sg=1, workers=threads, seed=seed, **settings)
    model.build_vocab(sentences)
    start = time.perf_counter()
    model.train(sentences, total_examples=len(sentences), epochs=passes)
    return time.perf_counter() - start, WordVectors(tuple(model.wv.index_to_key), model.wv.vectors)


def kclassics_run(config, workdir):
    """kclassics' metrics (words/s of `fit`, quality) for a config, trained in this process."""
    from kclassics import programs

    config = dataclasses.replace(config, tsne_iterations=250)
    return programs.get("word2vec").run(config, out=tempfile.mkdtemp(dir=workdir) + "/run", verbose=0).metrics


def scores(vectors):
    from kclassics.programs.word2vec import evaluate

    return evaluate(vectors, 300000)


def row(*cells):
    print("| " + " | ".join(str(c) for c in cells) + " |")


def gensim_config(args, **changes):
    """kclassics' `--config gensim` with the benchmark's `--set` changes."""
    from kclassics import programs
    from kclassics.cli.train import settings
    from kclassics.programs import word2vec as program

    return dataclasses.replace(program.GENSIM, **settings(args.settings, program.GENSIM, programs.get("word2vec")), **changes)


def part_speed(args, workdir, path, name):
    from kclassics.data import text

    tokens = text.read_corpus(path)
    words = len(tokens)
    kind = f"text8:{Path(path).resolve()}" if text.is_text8(path) else str(path)
    print(f"\n### Speed: {name}, {words:,} words; {args.threads} threads; {load()}\n")
    row("settings", "trainer", "passes", "seconds", "words/s", "kclassics / gensim")
    row(*["---"] * 6)
    passes = args.passes
    if "gensim" not in args.rows.split(","):
        return part_book_speed(args, workdir, tokens, kind)
    seconds, _ = gensim_run(tokens, passes, threads=args.threads)
    gensim_rate = passes * words / seconds
    row("gensim's defaults", "gensim `Word2Vec(sg=1)`", passes, f"{seconds:.2f}", f"{gensim_rate:,.0f}", "")
    metrics = kclassics_run(gensim_config(args, epochs=passes, corpus=kind), workdir)
    label = "kclassics `--config gensim`" + "".join(f" `--set {item}`" for item in args.settings)
    row("gensim's defaults", label, passes, f"{metrics['fit_seconds']:.2f}",
        f"{metrics['words_per_second']:,.0f}", f"**{metrics['words_per_second'] / gensim_rate:.2f}x**")
    if "book" in args.rows.split(","):
        part_book_speed(args, workdir, tokens, kind)


def part_book_speed(args, workdir, tokens, kind):
    from kclassics.programs import word2vec as program

    words = len(tokens)
    book_vocabulary = min(50000, len(set(tokens)) + 1) if program.EMBEDDED_CORPUS not in kind else 4000
    book_passes = args.book_passes
    centre_words = int(book_passes * words)
    stream = (tokens * (int(book_passes) + 1))[:centre_words]
    seconds, _ = gensim_run(stream, 1, threads=args.threads, window=1, negative=64, vector_size=128, sample=0,
                            min_count=1, max_final_vocab=book_vocabulary - 1)
    gensim_rate = centre_words / seconds
    row("the book's", "gensim `Word2Vec(sg=1, window=1, negative=64, vector_size=128)`", f"{book_passes:g}",
        f"{seconds:.2f}", f"{gensim_rate:,.0f}", "")
    book = dataclasses.replace(program.WORD2VEC, corpus=kind, vocabulary_size=book_vocabulary, embedded_vocabulary_size=None,
                               embedded_initialization=None, embedded_learning_rate=None, embedded_steps=None,
                               steps=round(centre_words / 64))
    for label, config in (("kclassics, the book's NCE, 128 pairs a step", book),
                          ("kclassics, the book's NCE, 8,192 pairs a step, SGD 4.0",
                           dataclasses.replace(book, batch_size=8192, learning_rate=4.0, steps=round(centre_words / 4096),
                                               log_every=100, neighbours_every=100))):
        metrics = kclassics_run(config, workdir)
        rate = metrics["steps"] * config.batch_size / 2 / metrics["fit_seconds"]  # centre words passed a second
        row("the book's", label, f"{book_passes:g}", f"{metrics['fit_seconds']:.2f}", f"{rate:,.0f}",
            f"**{rate / gensim_rate:.2f}x**")


def part_quality(args, workdir, path, name):
    import numpy as np

    from kclassics.data import text

    tokens = text.read_corpus(path)
    kind = f"text8:{Path(path).resolve()}" if text.is_text8(path) else str(path)
    print(f"\n### Quality at gensim's defaults, {args.passes} passes: {name}, {len(tokens):,} words; "
          f"{args.seeds} seeds; {load()}\n")
    row("trainer", "analogy accuracy", "WordSim-353 rho", "SimLex-999 rho", "words/s (mean)")
    row(*["---"] * 5)
    results = {"gensim `Word2Vec(sg=1)`": [], "kclassics `--config gensim`": []}
    for seed in range(args.seeds):
        seconds, vectors = gensim_run(tokens, args.passes, seed=seed + 1, threads=args.threads)
        s = scores(vectors)
        results["gensim `Word2Vec(sg=1)`"].append((s["analogy_accuracy"], s["wordsim353_spearman"], s["simlex999_spearman"],
                                                   args.passes * len(tokens) / seconds))
        m = kclassics_run(gensim_config(args, epochs=args.passes, corpus=kind, seed=seed), workdir)
        results["kclassics `--config gensim`"].append((m["analogy_accuracy"], m["wordsim353_spearman"],
                                                       m["simlex999_spearman"], m["words_per_second"]))
    for trainer, values in results.items():
        a = np.array(values)
        row(trainer, *(f"{a[:, i].mean():.4f} ± {a[:, i].std():.4f}" for i in range(3)), f"{a[:, 3].mean():,.0f}")
    print(f"\n(analogy questions answered: {m['analogy_questions']}; WordSim-353 pairs: {m['wordsim353_pairs']}; "
          f"SimLex-999 pairs: {m['simlex999_pairs']})")


GENSIM_PROCESS = """
import sys, time
start = time.perf_counter()
from gensim.models import Word2Vec
from kclassics.data import text
tokens = text.read_corpus(sys.argv[1])
sentences = [tokens[i : i + 10000] for i in range(0, len(tokens), 10000)]
model = Word2Vec(sg=1, workers=int(sys.argv[3]), seed=1)
model.build_vocab(sentences)
model.train(sentences, total_examples=len(sentences), epochs=int(sys.argv[2]))
print("words", int(sys.argv[2]) * len(tokens))
"""


def _child(command, env=None):
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})
    if done.returncode:
        raise RuntimeError(f"{command} failed:\n{done.stderr[-3000:]}")
    return time.perf_counter() - start, done


def part_process(args, workdir, path, name):
    from kclassics.data import text

    words = args.process_passes * sum(len(chunk) for chunk in text.stream_words(path))
    print(f"\n### Whole processes at gensim's defaults, {args.process_passes} passes of {name} "
          f"({words:,} words); {args.threads} threads; {load()}\n")
    row("process", "seconds", "words/s", "kclassics / gensim")
    row(*["---"] * 4)
    seconds, _ = _child([sys.executable, "-c", GENSIM_PROCESS, str(path), str(args.process_passes), str(args.threads)])
    gensim_rate = words / seconds
    row(f"python: import gensim, read, `Word2Vec(sg=1, workers={args.threads})`, train", f"{seconds:.1f}", f"{gensim_rate:,.0f}", "")
    corpus = ["--data-dir", str(path)] if text.is_text8(path) else ["--corpus", str(path)]
    if "lee_background" in str(path):
        corpus = []
    command = [sys.executable, "-m", "kclassics", "train", "word2vec", "--config", "gensim", "--epochs", str(args.process_passes),
               "--quiet", "--out", tempfile.mkdtemp(dir=workdir) + "/run", *corpus,
               "--set", "tsne_iterations=250", "--set", f"log_every={10 ** 9}"]
    seconds, _ = _child(command)  # TensorFlow's default pools: one thread a core
    row(f"`kclassics train word2vec --config gensim --epochs {args.process_passes}`", f"{seconds:.1f}", f"{words / seconds:,.0f}",
        f"**{words / seconds / gensim_rate:.2f}x**")


def part_program(args, workdir, path, name):
    from kclassics.data import text
    from kclassics.data.corpora import embedded_path

    out = Path(tempfile.mkdtemp(dir=workdir)) / "run"
    print(f"\n### The program at its defaults: `kclassics train word2vec --steps 20000` (the embedded corpus); {load()}\n")
    seconds, _ = _child([sys.executable, "-m", "kclassics", "train", "word2vec", "--steps", "20000", "--quiet", "--out", str(out)])
    metrics = json.loads((out / "metrics.json").read_text())
    tokens = text.read_text(embedded_path("lee_background"))
    centre_words = 20000 * 64
    stream = (tokens * (centre_words // len(tokens) + 1))[:centre_words]
    gensim_seconds, vectors = gensim_run(stream, 1, threads=args.threads, window=1, negative=64, vector_size=128, sample=0,
                                         min_count=1, max_final_vocab=3999)
    s = scores(vectors)
    row("trainer", "training seconds", "whole process seconds", "kclassics / gensim (training time)", "analogy accuracy",
        "WordSim-353 rho", "SimLex-999 rho")
    row(*["---"] * 7)
    row("gensim `Word2Vec(sg=1, window=1, negative=64, vector_size=128)`, 1,280,000 centre words", f"{gensim_seconds:.1f}",
        "", "", f"{s['analogy_accuracy']:.4f}", f"{s['wordsim353_spearman']:.3f}", f"{s['simlex999_spearman']:.3f}")
    row("`kclassics train word2vec --steps 20000` (`train_seconds` of metrics.json)", f"{metrics['train_seconds']:.1f}",
        f"{seconds:.1f}", f"**{gensim_seconds / metrics['train_seconds']:.2f}x**", f"{metrics['analogy_accuracy']:.4f}",
        f"{metrics['wordsim353_spearman']:.3f}", f"{metrics['simlex999_spearman']:.3f}")
    print("\nkclassics' neighbours: " + "; ".join(f"{w}: {', '.join(n[:5])}" for w, n in list(metrics["neighbours"].items())[:6]))


BACKEND = """
import sys, time
import numpy as np
import keras
from kclassics.data import text
from kclassics.embeddings import SkipGram

vocabulary, data = text.encode_corpus(sys.argv[1], size=None, min_count=5)
blocks = np.full((-(-len(data) // 10000), 1, 10000), -1, "int32")
blocks.reshape(-1)[: len(data)] = data
model = SkipGram(vocabulary.words, 100, 5, "negative_sampling", noise_counts=vocabulary.counts, initialization="gensim",
                 window=5, subsample=1e-3, workers=int(sys.argv[3]))
model.compile(optimizer=keras.optimizers.SGD(0.025))
stack = int(sys.argv[4])  # sentences a compiled call, as the program trains them
repeats = max(stack, int(sys.argv[2]) * 1_000_000 // len(data))
x = np.concatenate([blocks] * repeats)
x = x[: len(x) // stack * stack]
model.fit(x[:stack], batch_size=stack, verbose=0)  # compiled
start = time.perf_counter()
model.fit(x, batch_size=stack, shuffle=False, verbose=0)
print("words_per_second", (x >= 0).sum() / (time.perf_counter() - start))
"""


def part_backends(args, workdir, path, name):
    from kclassics.data import text
    from kclassics.programs.word2vec import GENSIM

    tokens = text.read_corpus(path)
    print(f"\n### SkipGram's training loop on each backend, gensim's defaults ({GENSIM.steps_per_call} sentences a call): "
          f"{name}; {load()}\n")
    row("trainer", "words/s (compiled, steady)", "kclassics / gensim")
    row(*["---"] * 3)
    passes = max(1, 2_000_000 // len(tokens))
    seconds, _ = gensim_run(tokens, passes, threads=args.threads)
    gensim_rate = passes * len(tokens) / seconds
    row(f"gensim `Word2Vec(sg=1, workers={args.threads})`, {passes} passes", f"{gensim_rate:,.0f}", "")
    for backend in ("tensorflow", "jax"):
        for workers in (1, 2):
            _, done = _child([sys.executable, "-c", BACKEND, str(path), "2", str(workers), str(GENSIM.steps_per_call)],
                             env={"KERAS_BACKEND": backend, "JAX_PLATFORMS": "cpu"})
            rate = float(done.stdout.split("words_per_second")[1].split()[0])
            row(f"`SkipGram` on {backend}, `workers={workers}`", f"{rate:,.0f}", f"**{rate / gensim_rate:.2f}x**")


MEMORY = """
import resource, sys, time
from kclassics.cli import main
code = main(sys.argv[1:])
print("peak_rss_kib", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
sys.exit(code)
"""


def part_memory(args, workdir, path, name):
    corpus = Path(workdir) / f"zipf{args.memory_words}.txt"
    if not corpus.exists():
        write_zipf(corpus, args.memory_words)
    print(f"\n### Resident memory: `--config gensim` on a synthetic Zipf corpus of {args.memory_words:,} words "
          f"({corpus.stat().st_size / 2**20:,.0f} MiB), {args.memory_steps} steps; {load()}\n")
    out = tempfile.mkdtemp(dir=workdir) + "/run"
    seconds, done = _child([sys.executable, "-c", MEMORY, "train", "word2vec", "--config", "gensim", "--corpus", str(corpus),
                            "--steps", str(args.memory_steps), "--quiet", "--out", out, "--set", "tsne_iterations=250"])
    peak = int(done.stdout.split("peak_rss_kib")[1].split()[0]) * 1024
    metrics = json.loads((Path(out) / "metrics.json").read_text())
    row("corpus words", "vocabulary (min_count 5)", "steps trained", "seconds (whole process)", "peak resident memory")
    row(*["---"] * 5)
    row(f"{metrics['corpus_words']:,}", f"{metrics['vocabulary_size']:,}", metrics["steps"], f"{seconds:.0f}",
        f"**{peak / 2**30:.2f} GiB**")


def main(argv=None):
    args = parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="benchmark_word2vec-"))
    workdir.mkdir(parents=True, exist_ok=True)
    path, name = corpus_path(args, workdir)
    print(f"benchmark_word2vec: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, cpus {os.cpu_count()}, {load()}")
    parts = {"speed": part_speed, "quality": part_quality, "process": part_process, "program": part_program,
             "backends": part_backends, "memory": part_memory}
    for part in args.parts.split(","):
        parts[part](args, workdir, path, name)
    print(f"\n(finished at {load()})")


if __name__ == "__main__":
    main()

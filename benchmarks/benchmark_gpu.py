"""Training throughput on a GPU: kclassics on Keras's JAX backend against keras.applications and timm, in one run.

    KERAS_BACKEND=jax python3 benchmarks/benchmark_gpu.py --out DIR [--budget 540]
        [--parts rows timm attempts sequence repeat] [--models resnet_v2_50 densenet121 ...]
        [--batches 128 256 512] [--float32-batches 128] [--steps 10] [--warmup 3] [--rehearse]

The whole measurement is one prepared run under a time budget (`--budget`
seconds). Its parts, in the order of priority in which they are compiled
and timed:

- `rows`: kclassics against its keras.applications twin
  (`kclassics.benchmark.benchmark(name, mode="train", compare="keras")`: the
  same weights, train steps interleaved, SGD, cross entropy on random labels,
  Keras's `jax.jit`-ed `train_on_batch`), each network in float32 at
  `--float32-batches` and in mixed_bfloat16 up the ladder `--batches`: the
  best batch that fits is the rung with the most images/sec (a rung that
  runs out of memory ends its ladder).
- `timm`: the same networks from timm in PyTorch on the same rungs:
  channels-last, bf16 autocast for the mixed rows, TF32 allowed as XLA allows
  it for float32, SGD; eager, and compiled (`torch.compile`) for the mixed
  rows. Timed twice in its process (a second pass after the first).
- `attempts`: ways to make XLA faster for `--attempt-model` (ResNet V2 50)
  in mixed_bfloat16 at `--attempt-batch`, each kclassics alone in its own process: XLA flag sets
  (`ATTEMPTS`) and `jit_loop_donated` (the step that `train_on_batch`
  compiles, called in a loop holding its donated state, without Keras's
  per-step bookkeeping). A larger batch is the `rows` ladder.
- `sequence`: the book's PTB language model (small, medium, large) on this
  backend at the book's batch (20) and windows (20 / 35 / 35 steps):
  training words/sec of `TruncatedBPTT` on `fit`, beside TensorFlow's
  `ptb_word_lm` with cuDNN on a Titan X; then skip-gram words/sec at the
  book's and gensim's settings through `kclassics.embeddings` (on
  `keras.ops`: TensorFlow and JAX), or "not available on this backend"
  where it does not import.
- `repeat`: every `rows` rung timed a second time, after the rest, so each
  ratio has two runs minutes apart.
- `convnets` (not by default): the book's chapter 6 table
  (`benchmarks/benchmark_convnets.py`).

Memory: each JAX row records the device memory of each model's compiled
train step (XLA's memory analysis: arguments + outputs - donated aliases +
temporaries, `kclassics.benchmark.train_step_memory`) and the process's peak
so far; each PyTorch row `torch.cuda.max_memory_allocated`.

XLA compiles each train step for tens of seconds, far longer than the
timing. So the steps are first compiled by parallel worker processes, one
per configuration, that fill JAX's persistent compilation cache under
`--out`; the timing then runs in quiet processes that load them. Every record
is appended to a JSON-lines file under `--out` as soon as it is measured: a
run stopped by its budget keeps what it measured, and the same command run
again with the same `--out` measures only what is missing. The summary is
`gpu_benchmark.json`; the last lines printed are the tables.

`--rehearse` runs every part at toy sizes (batches 2 and 4, small images, a
tiny vocabulary, two timed steps), to check the script on a CPU.
"""

import argparse
import concurrent.futures
import dataclasses
import gc
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))  # its sibling benchmark_ptb_lm

MODELS = ("resnet_v2_50", "densenet121", "inception_v3", "vgg16")  # priority: the headline, then the open row
POLICIES = ("float32", "mixed_bfloat16")
TIMM_NAMES = {"resnet_v2_50": "resnetv2_50", "inception_v3": "inception_v3", "vgg16": "vgg16", "densenet121": "densenet121"}
CONVNETS = ("alexnet", "alexnet_no_lrn", "vgg16", "inception_v3", "resnet_v2_152")
PARTS = ("rows", "timm", "attempts", "sequence", "repeat", "convnets")
DEFAULT_PARTS = ("rows", "timm", "attempts", "sequence", "repeat")
# The least share of the budget each phase keeps for itself; a phase may use what earlier ones left.
SHARES = {"compile": 0.30, "rows": 0.15, "timm": 0.17, "attempts": 0.12, "sequence": 0.10, "repeat": 0.08, "convnets": 0.08}
# XLA attempts: name -> flags added to XLA_FLAGS ("jit_loop_donated" changes the loop, not the flags).
ATTEMPTS = {
    "baseline": "",
    "jit_loop_donated": "",
    "conv_nhwc": "--xla_gpu_force_conv_nhwc=true",
    "cublas_gemm": "--xla_gpu_enable_triton_gemm=false",
    "latency_hiding_scheduler": "--xla_gpu_enable_latency_hiding_scheduler=true",
    "autotune_level_4": "--xla_gpu_autotune_level=4",
}
ATTEMPT_POLICY = "mixed_bfloat16"
# TensorFlow's ptb_word_lm with cuDNN on a Titan X, words/sec (the anchor of these rows).
PTB_ANCHOR_WPS = {"small": 49_000, "medium": 24_000, "large": 10_500}
PTB_CONFIGS = ("small", "medium", "large")
LSTMS = ("basic", "keras")
# Skip-gram settings: the book's (7.1: batch 128, skip_window 1, num_skips 2, 64 NCE negatives, SGD 1.0, a
# 50,000-word vocabulary), the same with benchmarks/benchmark_word2vec.py's 8,192 pairs a step, and gensim's defaults.
SKIPGRAM = {
    "book": dict(window=1, negatives=64, loss="nce", batch_size=128, learning_rate=1.0, initialization="book"),
    "book_8192_pairs": dict(window=1, negatives=64, loss="nce", batch_size=8192, learning_rate=4.0, initialization="book"),
    "gensim": dict(window=5, negatives=5, loss="negative_sampling", batch_size=1020, learning_rate=0.025 * 1020,
                   initialization="word2vec"),
}
SKIPGRAM_VOCABULARY = 50_000
OUT_OF_MEMORY = ("RESOURCE_EXHAUSTED", "out of memory", "OutOfMemory")


# ----------------------------------------------------------------------------------------------------------------
# The plan: every measurement as a JSON-able job, in priority order.


def sizes(args):
    """Input side per model: the model's own, or the rehearsal's smallest that each network takes."""
    if args.image_size:
        return {name: args.image_size for name in MODELS}
    if args.rehearse:
        return {name: 75 if name == "inception_v3" else 32 for name in MODELS}
    return {name: None for name in MODELS}


def row_jobs(args):
    """`rows` jobs: the mixed ladder of the first two networks, their float32 rows, then the others likewise."""
    def ladder(name):
        return ([{"model": name, "policy": "mixed_bfloat16", "batch_size": b} for b in args.batches]
                + [{"model": name, "policy": "float32", "batch_size": b} for b in args.float32_batches])

    first, rest = [m for m in args.models if m in MODELS[:2]], [m for m in args.models if m not in MODELS[:2]]
    return [dict(job, kind="row") for name in first + rest for job in ladder(name)]


def attempt_jobs(args):
    return [{"kind": "attempt", "attempt": name, "flags": ATTEMPTS[name], "model": args.attempt_model, "policy": ATTEMPT_POLICY,
             "batch_size": args.attempt_batch} for name in args.attempts]


def sequence_jobs(args):
    jobs = [{"kind": "ptb_lm", "config": config, "lstm": lstm} for lstm in LSTMS for config in PTB_CONFIGS]
    return jobs + [{"kind": "skipgram", "settings": name} for name in SKIPGRAM]


def timm_jobs(args):
    jobs = []
    for job in row_jobs(args):
        jobs.append(dict(job, kind="timm", compiled=False))
        if job["policy"] == "mixed_bfloat16":
            jobs.append(dict(job, kind="timm", compiled=True))
    if "resnet_v2_50" in args.models:  # the goal's comparison first: compiled timm on ResNet V2 50
        jobs.sort(key=lambda job: (job["model"] != "resnet_v2_50" or not job["compiled"]))
    return jobs


def key(job):
    return json.dumps({k: v for k, v in job.items() if k not in ("flags",)}, sort_keys=True)


def done_keys(path):
    """Keys of the jobs that have a result in `path` (a figure, or a batch that does not fit)."""
    return {record["job"] for record in read(path) if "error" not in record or record.get("does_not_fit")}


def read(path):
    path = Path(path)
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()] if path.exists() else []


def append(path, record):
    with open(path, "a") as stream:
        stream.write(json.dumps(record) + "\n")
    shown = {k: v for k, v in record.items() if k not in ("durations", "result", "job", "machine")}
    print(json.dumps(shown), flush=True)


def error_record(job, error):
    text = f"{type(error).__name__}: {str(error)[:400]}"
    return {"job": key(job), **job, "error": text, "does_not_fit": any(s in text for s in OUT_OF_MEMORY)}


# ----------------------------------------------------------------------------------------------------------------
# Children: each phase's work in its own process (JAX's flags and memory are per process).


def jax_peak_bytes():
    """The process's peak device memory so far (JAX's allocator), or None where the device does not report it."""
    import jax

    stats = jax.devices()[0].memory_stats() or {}
    return stats.get("peak_bytes_in_use")


def run_rows(jobs, args, out_path, warming):
    """Times (or, when `warming`, compiles) each `rows` job: kclassics against keras.applications."""
    from kclassics import benchmark

    side = sizes(args)
    peaks, no_fit = {}, set()
    for job in jobs:
        ladder = (job["model"], job["policy"])
        if ladder in no_fit:
            append(out_path, dict(error_record(job, RuntimeError("skipped: a smaller batch of this ladder did not fit")),
                                  does_not_fit=True))
            continue
        compute = "bfloat16" if job["policy"] == "mixed_bfloat16" else "float32"
        if compute not in peaks:
            peaks[compute] = benchmark.measure_matmul_peak(256 if warming or args.rehearse else 4096, dtype=compute)
        start = time.time()
        try:
            result = benchmark.benchmark(
                job["model"], mode="train", batch_size=job["batch_size"], image_size=side[job["model"]],
                steps=1 if warming else args.steps, warmup=0 if warming else args.warmup, compare="keras",
                mixed_precision=False if job["policy"] == "float32" else job["policy"], peak_gflops=peaks[compute],
                memory=True,
            )
            record = {"job": key(job), **job, "images_per_sec": result.images_per_sec,
                      "twin_images_per_sec": job["batch_size"] / result.compare["mean"],
                      "ratio_median": result.compare["ratio_median"], "memory": result.memory,
                      "process_peak_bytes": jax_peak_bytes(), "seconds": time.time() - start, "result": result.as_dict()}
        except Exception as error:  # noqa: BLE001  (a batch that does not fit is a result too)
            record = dict(error_record(job, error), seconds=time.time() - start)
            if record["does_not_fit"]:
                no_fit.add(ladder)
        append(out_path, record)
        gc.collect()  # the models' device buffers go before the next row's


def run_attempt(jobs, args, out_path, warming):
    """Times kclassics alone for each attempt job (the flags are this process's XLA_FLAGS)."""
    import jax

    from kclassics import apps, benchmark, precision

    side = sizes(args)
    for job in jobs:
        start = time.time()
        try:
            kwargs = {"input_shape": (side[job["model"]],) * 2 + (3,)} if side[job["model"]] else {}
            with precision.dtype_policy(job["policy"]):
                model = apps.create_model(job["model"], keras_compatible=True, **kwargs)
                step, _ = benchmark.make_step(model, "train", job["batch_size"], jit_compile=True)
                memory = benchmark.train_step_memory(model, *step.args)
                if job["attempt"] == "jit_loop_donated":
                    step = _donated_loop(model, *step.args)
                times = benchmark.time_steps(step, 1 if warming else args.steps, 0 if warming else args.warmup)
            record = {"job": key(job), **job, "images_per_sec": job["batch_size"] / times.mean, "durations": times.durations,
                      "memory": memory, "process_peak_bytes": jax_peak_bytes(), "xla_flags": os.environ.get("XLA_FLAGS", ""),
                      "seconds": time.time() - start}
            del model
            jax.clear_caches()
        except Exception as error:  # noqa: BLE001
            record = dict(error_record(job, error), seconds=time.time() - start)
        append(out_path, record)


def _donated_loop(model, x, y):
    """A step that calls `jax.jit(model.train_step, donate_argnums=0)` on state it holds, waiting for each loss."""
    import jax

    step = jax.jit(model.train_step, donate_argnums=0)
    state = [tuple([v.value for v in variables] for variables in (
        model.trainable_variables, model.non_trainable_variables, model.optimizer.variables, model.metrics_variables))]
    data = (x, y, None)

    def run():
        logs, state[0] = step(state[0], data)
        return float(logs["loss"])

    return run


def run_sequence(jobs, args, out_path, warming):
    """PTB words/sec per config and LSTM, then the skip-gram slots, on this process's backend."""
    for job in jobs:
        start = time.time()
        try:
            record = time_ptb(job, args, warming) if job["kind"] == "ptb_lm" else time_skipgram(job, args, warming)
            record.update(job=key(job), seconds=time.time() - start, **job)
        except Exception as error:  # noqa: BLE001
            record = dict(error_record(job, error), seconds=time.time() - start)
        append(out_path, record)


def ptb_config(name, rehearse):
    from kclassics.language_model_configs import CONFIGS

    config = CONFIGS[name]
    return dataclasses.replace(config, hidden_size=8) if rehearse else config


def time_ptb(job, args, warming):
    import keras
    import numpy as np
    from benchmark_ptb_lm import time_training, windows

    from kclassics import benchmark
    from kclassics.language_model import train_flops_per_word

    vocab = 50 if args.rehearse else 10_000
    config = ptb_config(job["config"], args.rehearse)
    steps = 1 if warming else args.ptb_steps
    durations, trainer = time_training(config, job["lstm"], steps, 0 if warming else args.warmup, True, vocab_size=vocab)
    x, y = windows(config, 1, vocab)
    words_per_sec = config.batch_size * config.num_steps / float(np.median(durations))
    flops = train_flops_per_word(config.hidden_size, vocab, config.num_layers)
    return {"backend": keras.backend.backend(), "batch_size": config.batch_size, "num_steps": config.num_steps,
            "hidden_size": config.hidden_size, "vocab_size": vocab, "words_per_sec": words_per_sec,
            "gflops": words_per_sec * flops / 1e9, "anchor_words_per_sec": PTB_ANCHOR_WPS[job["config"]],
            "vs_anchor": words_per_sec / PTB_ANCHOR_WPS[job["config"]], "durations": [float(d) for d in durations],
            "memory": benchmark.train_step_memory(trainer, x[0], y[0]), "process_peak_bytes": _peak_bytes()}


def _peak_bytes():
    import keras

    return jax_peak_bytes() if keras.backend.backend() == "jax" else None


def skipgram_pairs(ids, window):
    """`(centres, contexts)`: every context word within `window` of each centre (num_skips = 2 x window), in order."""
    import numpy as np

    core = slice(window, len(ids) - window)
    offsets = [o for o in range(-window, window + 1) if o]
    contexts = np.stack([ids[window + o:len(ids) - window + o] for o in offsets], axis=1)
    return np.repeat(ids[core], len(offsets)), contexts.reshape(-1)


def time_skipgram(job, args, warming):
    """Skip-gram words/sec through `kclassics.embeddings` on this backend, or why it cannot run here."""
    from kclassics._backend import BackendError

    try:
        from kclassics import embeddings
    except BackendError as error:  # TensorFlow-only on this version of kclassics
        return {"status": "not available on this backend", "reason": str(error)}
    import keras
    import numpy as np

    settings = SKIPGRAM[job["settings"]]
    vocabulary = 200 if args.rehearse else SKIPGRAM_VOCABULARY
    batch = 16 if args.rehearse else settings["batch_size"]
    pairs_per_word = 2 * settings["window"]
    steps = 1 if warming else args.skipgram_steps
    rng = np.random.default_rng(0)
    ranks = np.arange(1, vocabulary + 1)
    zipf = (1.0 / ranks) / (1.0 / ranks).sum()  # word frequencies of a natural-language corpus (Zipf's law)
    words = (args.warmup + steps) * batch // pairs_per_word + 2 * settings["window"] + 1
    ids = rng.choice(vocabulary, size=words, p=zipf).astype(np.int32)
    centres, contexts = skipgram_pairs(ids, settings["window"])
    counts = np.bincount(ids, minlength=vocabulary)
    keras.utils.set_random_seed(0)
    model = embeddings.SkipGram([f"w{i}" for i in range(vocabulary)], embedding_size=128, num_sampled=settings["negatives"],
                                loss=settings["loss"], noise_counts=counts, initialization=settings["initialization"])
    model.compile(optimizer=keras.optimizers.SGD(settings["learning_rate"]))
    warm = args.warmup * batch
    model.fit(centres[:warm], contexts[:warm], batch_size=batch, shuffle=False, verbose=0)
    timed = slice(warm, warm + steps * batch)
    start = time.perf_counter()
    model.fit(centres[timed], contexts[timed], batch_size=batch, shuffle=False, verbose=0)
    keras.ops.convert_to_numpy(model.embeddings[:1])  # waits for the last step
    seconds = time.perf_counter() - start
    pairs = len(centres[timed])
    return {"backend": keras.backend.backend(), "status": "measured", "vocabulary": vocabulary, "batch_size": batch,
            "steps": steps, "pairs_per_sec": pairs / seconds, "words_per_sec": pairs / pairs_per_word / seconds,
            "process_peak_bytes": _peak_bytes()}


def run_timm(jobs, args, out_path):
    """timm's twin of each job in PyTorch (eager or `torch.compile`d), every pass (`--repeats`) of them in turn."""
    import timm
    import torch

    torch.backends.cudnn.benchmark = True
    torch.backends.cuda.matmul.allow_tf32 = True  # as XLA's default float32 precision on this GPU (TF32)
    torch.backends.cudnn.allow_tf32 = True
    device = "cuda" if torch.cuda.is_available() else "cpu"
    side = sizes(args)
    done = done_keys(out_path)
    no_fit = set()
    for repeat in range(1, args.repeats + 1):
        for job in jobs:
            job = dict(job, **{"pass": repeat})
            ladder = (job["model"], job["policy"], job["compiled"])
            if key(job) in done:
                continue
            if ladder in no_fit:
                append(out_path, dict(error_record(job, RuntimeError("skipped: a smaller batch did not fit")), does_not_fit=True))
                continue
            record = {"job": key(job), **job, "timm": TIMM_NAMES[job["model"]], "device": device}
            try:
                record.update(_time_timm_step(job, side[job["model"]], device, args))
                record.update(torch=torch.__version__, timm_version=timm.__version__)
            except Exception as error:  # noqa: BLE001
                record = error_record(job, error)
                if record["does_not_fit"]:
                    no_fit.add(ladder)
            if device == "cuda":
                torch.cuda.empty_cache()
            append(out_path, record)


def _time_timm_step(job, side, device, args):
    import timm
    import torch

    batch = job["batch_size"]
    model = timm.create_model(TIMM_NAMES[job["model"]], pretrained=False, num_classes=1000).to(device)
    model = model.to(memory_format=torch.channels_last).train()
    side = side or (299 if job["model"] == "inception_v3" else 224)
    images = torch.rand(batch, 3, side, side, device=device).to(memory_format=torch.channels_last)
    labels = torch.randint(0, 1000, (batch,), device=device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    autocast = torch.autocast(device, dtype=torch.bfloat16, enabled=job["policy"] == "mixed_bfloat16")
    forward = torch.compile(model, mode=args.timm_compile_mode, dynamic=False) if job["compiled"] else model
    if device == "cuda":
        torch.cuda.reset_peak_memory_stats()

    def step():
        with autocast:
            loss = torch.nn.functional.cross_entropy(forward(images), labels)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return loss.item()  # waits for the step, as train_on_batch's float does

    start = time.perf_counter()
    step()  # the compiled rows compile here
    first = time.perf_counter() - start
    durations = []
    for i in range(args.warmup + args.steps - 1):
        start = time.perf_counter()
        step()
        if i >= args.warmup - 1:
            durations.append(time.perf_counter() - start)
    mean = sum(durations) / len(durations)
    peak = torch.cuda.max_memory_allocated() if device == "cuda" else None
    return {"durations": durations, "mean": mean, "images_per_sec": batch / mean, "first_step_seconds": first,
            "peak_bytes": peak, "compile_mode": args.timm_compile_mode if job["compiled"] else None}


# ----------------------------------------------------------------------------------------------------------------
# The parent: the phases under the budget.


def jax_env(cache, warming, flags=""):
    env = dict(os.environ, KERAS_BACKEND="jax", JAX_COMPILATION_CACHE_DIR=str(cache), PYTHONUNBUFFERED="1")
    env["JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"] = "0"
    env["JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES"] = "-1"
    if flags:
        env["XLA_FLAGS"] = f"{env.get('XLA_FLAGS', '')} {flags}".strip()
    if warming:  # many processes share the GPU: each takes only what it needs, and gives it back
        env.update(XLA_PYTHON_CLIENT_PREALLOCATE="false", XLA_PYTHON_CLIENT_ALLOCATOR="platform")
    return env


def run_child(command, env, log_path, deadline):
    """Runs a child until it ends or `deadline`; returns its exit code (or "timeout") and seconds."""
    start = time.time()
    if deadline - start < 5:
        return "no time left", 0.0
    with open(log_path, "a") as log:
        try:
            code = subprocess.run(command, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=deadline - start, cwd=ROOT).returncode
        except subprocess.TimeoutExpired:
            code = "timeout"
    return code, time.time() - start


class Plan:
    """The phases of a run and the deadline of each: all of the budget but what later phases keep."""

    def __init__(self, args):
        self.args, self.out = args, Path(args.out)
        self.end = time.time() + args.budget
        self.phases = ["compile"] + [p for p in ("rows", "timm", "attempts", "sequence", "repeat", "convnets") if p in args.parts]
        self.me = [sys.executable, str(Path(__file__).resolve()), *self._passed()]
        self.cache = self.out / "xla_cache"
        self.seconds = {}

    def _passed(self):
        """The arguments every child gets (those that shape the measurements)."""
        a = self.args
        found = ["--out", str(a.out), "--steps", str(a.steps), "--warmup", str(a.warmup), "--repeats", str(a.repeats),
                 "--ptb-steps", str(a.ptb_steps), "--skipgram-steps", str(a.skipgram_steps), "--timm-compile-mode", a.timm_compile_mode]
        if a.image_size:
            found += ["--image-size", str(a.image_size)]
        return found + (["--rehearse"] if a.rehearse else [])

    def deadline(self, phase):
        later = self.phases[self.phases.index(phase) + 1:]
        return self.end - self.args.budget * sum(SHARES[p] for p in later)

    def child(self, phase, jobs, env, label=None, python=None, warming=False):
        command = [python or sys.executable] + self.me[1:] + ["--phase", phase, "--jobs", json.dumps(jobs)]
        command += ["--warming"] if warming else []
        code, seconds = run_child(command, env, self.out / f"{label or phase}.log", self.deadline(label or phase))
        print(f"{label or phase}: exit {code} in {seconds:.0f} s", flush=True)
        self.seconds[label or phase] = self.seconds.get(label or phase, 0) + seconds
        return code


def pending(jobs, path, repeat=1):
    done = done_keys(path)
    return [dict(job, **{"pass": repeat}) for job in jobs if key(dict(job, **{"pass": repeat})) not in done]


def run_all(args):
    plan = Plan(args)
    out = plan.out
    rows_path, attempts_path, sequence_path, timm_path = (out / f"{name}.jsonl" for name in ("rows", "attempts", "sequence", "timm"))
    rows = row_jobs(args) if {"rows", "repeat"} & set(args.parts) else []
    attempts = attempt_jobs(args) if "attempts" in args.parts else []
    sequence = sequence_jobs(args) if "sequence" in args.parts else []

    # 1. Compile every JAX step not yet measured, in parallel, filling the persistent cache: the headline network's
    #    rows, the attempts, the open row's network, the language models, then the rest.
    todo_rows = pending(rows, rows_path)
    headline = [job for job in todo_rows if job["model"] == args.models[0]]
    second = [job for job in todo_rows if len(args.models) > 1 and job["model"] == args.models[1]]
    warm = [("rows", job, "") for job in headline]
    warm += [("attempts", job, job["flags"]) for job in pending(attempts, attempts_path)]
    warm += [("rows", job, "") for job in second]
    warm += [("sequence", job, "") for job in pending(sequence, sequence_path) if job["kind"] == "ptb_lm"]
    warm += [("rows", job, "") for job in todo_rows if job not in headline and job not in second]
    start = time.time()
    with concurrent.futures.ThreadPoolExecutor(args.workers) as pool:
        futures = {}
        for i, (phase, job, flags) in enumerate(warm):
            command = [sys.executable] + plan.me[1:] + ["--phase", phase, "--warming", "--jobs", json.dumps([job])]
            label = f"warm_{i:02d}_{phase}"
            futures[pool.submit(run_child, command, jax_env(plan.cache, True, flags), out / f"{label}.log", plan.deadline("compile"))] = label
        for future in concurrent.futures.as_completed(futures):
            code, seconds = future.result()
            print(f"compiled {futures[future]}: exit {code} in {seconds:.0f} s", flush=True)
    plan.seconds["compile"] = time.time() - start

    # 2. kclassics against keras.applications, one configuration at a time in a quiet process.
    if "rows" in args.parts and pending(rows, rows_path):
        plan.child("rows", pending(rows, rows_path), jax_env(plan.cache, False))
    # 3. timm in PyTorch on the same GPU (after JAX has given its memory back).
    if "timm" in args.parts:
        plan.child("timm", timm_jobs(args), dict(os.environ, PYTHONUNBUFFERED="1"), python=args.timm_python)
    # 4. The XLA attempts, each in its own process: XLA reads its flags once per process.
    for job in pending(attempts, attempts_path):
        plan.child("attempts", [job], jax_env(plan.cache, False, job["flags"]), label="attempts")
    # 5. The sequence programs.
    if sequence and pending(sequence, sequence_path):
        plan.child("sequence", pending(sequence, sequence_path), jax_env(plan.cache, False))
    # 6. A second run of every rung that ran.
    if "repeat" in args.parts:
        measured = {key({k: v for k, v in r.items() if k in ("kind", "model", "policy", "batch_size")})
                    for r in read(rows_path) if "error" not in r}
        again = [job for job in rows if key(job) in measured]
        if pending(again, rows_path, repeat=2):
            plan.child("rows", pending(again, rows_path, repeat=2), jax_env(plan.cache, False), label="repeat")
    # 7. The book's chapter 6 table.
    if "convnets" in args.parts:
        command = [sys.executable, str(ROOT / "benchmarks" / "benchmark_convnets.py"), "--json", str(out / "convnets.json")]
        code, seconds = run_child(command + ["--steps", "2", "--warmup", "1"] * args.rehearse, jax_env(plan.cache, False),
                                  out / "convnets.log", plan.deadline("convnets"))
        print(f"convnets: exit {code} in {seconds:.0f} s", flush=True)

    summary = {"command": " ".join(sys.argv), "budget": args.budget, "phase_seconds": plan.seconds, "device": device_line(),
               "rows": read(rows_path), "timm": read(timm_path), "attempts": read(attempts_path), "sequence": read(sequence_path)}
    (out / "gpu_benchmark.json").write_text(json.dumps(summary, indent=1))
    print("\n".join(tables(summary)))
    return 0


def device_line():
    try:
        query = "--query-gpu=name,driver_version,memory.total,clocks.max.sm"
        return subprocess.run(["nvidia-smi", query, "--format=csv,noheader"], capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "no nvidia-smi: " + os.uname().machine


# ----------------------------------------------------------------------------------------------------------------
# Tables.


def _gib(value):
    return f"{value / 2**30:.2f}" if value else "-"


def _cell(value):
    """A throughput: whole numbers with thousands separators, three figures below 100 (the rehearsal's)."""
    return "-" if not value else f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


def tables(summary):
    """Markdown tables of the summary: rows (both passes) with timm eager and compiled beside them, attempts, sequence."""
    timm = {(r["model"], r["policy"], r["batch_size"], r["compiled"], r["pass"]): r.get("images_per_sec") for r in summary["timm"]}
    lines = [f"Device: {summary['device']}", "",
             "| network | policy | batch | pass | kclassics | keras.applications | kclassics/keras | timm eager | timm compiled "
             "| kclassics/timm compiled | step memory GiB (kclassics / keras) | timm peak GiB |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    timm_peak = {(r["model"], r["policy"], r["batch_size"]): r.get("peak_bytes") for r in summary["timm"] if not r.get("compiled")}
    for r in summary["rows"]:
        k = (r["model"], r["policy"], r["batch_size"])
        eager, compiled = (timm.get(k + (c, r["pass"])) for c in (False, True))
        if "error" in r:
            lines.append(f"| {r['model']} | {r['policy']} | {r['batch_size']} | {r['pass']} | {r['error'][:60]} | | | "
                         f"{_cell(eager)} | {_cell(compiled)} | | | |")
            continue
        memory = r.get("memory") or {}
        ours = r["images_per_sec"]
        lines.append(
            f"| {r['model']} | {r['policy']} | {r['batch_size']} | {r['pass']} | {_cell(ours)} | {_cell(r['twin_images_per_sec'])} "
            f"| {ours / r['twin_images_per_sec']:.2f} | {_cell(eager)} | {_cell(compiled)} | "
            f"{f'{ours / compiled:.2f}' if compiled else '-'} | {_gib(memory.get('kclassics', {}).get('total'))} / "
            f"{_gib(memory.get('keras', {}).get('total'))} | {_gib(timm_peak.get(k))} |")
    lines += ["", "| XLA attempt (kclassics alone) | flags | batch | images/sec | step memory GiB |", "|---|---|---|---|---|"]
    for r in summary["attempts"]:
        figure = r.get("error", "")[:60] or _cell(r["images_per_sec"])
        lines.append(f"| {r['attempt']} | `{r.get('flags') or '-'}` | {r['batch_size']} | {figure} | {_gib((r.get('memory') or {}).get('total'))} |")
    lines += ["", "| sequence program | settings | words/sec | anchor | vs anchor | step memory GiB |", "|---|---|---|---|---|---|"]
    for r in summary["sequence"]:
        if r["kind"] == "ptb_lm":
            figure = r.get("error", "")[:60] or _cell(r["words_per_sec"])
            ratio = f"{r['vs_anchor']:.2f}" if "vs_anchor" in r else "-"
            lines.append(f"| ptb_lm {r['config']} | lstm={r['lstm']} | {figure} | {_cell(PTB_ANCHOR_WPS[r['config']])} "
                         f"(TF ptb_word_lm, cuDNN, Titan X) | {ratio} | {_gib((r.get('memory') or {}).get('total'))} |")
        else:
            figure = _cell(r.get("words_per_sec")) if r.get("status") == "measured" else (r.get("status") or r.get("error", "")[:60])
            lines.append(f"| skip-gram | {r['settings']} | {figure} | | | |")
    return lines


# ----------------------------------------------------------------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="directory for the JSON figures, logs and the compilation cache")
    parser.add_argument("--budget", type=float, default=540, help="seconds for the whole run (default 540)")
    parser.add_argument("--parts", nargs="+", choices=PARTS, default=list(DEFAULT_PARTS))
    parser.add_argument("--models", nargs="+", choices=MODELS, default=list(MODELS))
    parser.add_argument("--batches", nargs="+", type=int, default=[128, 256, 512], help="the mixed_bfloat16 ladder")
    parser.add_argument("--float32-batches", nargs="*", type=int, default=[128])
    parser.add_argument("--attempts", nargs="+", choices=list(ATTEMPTS), default=list(ATTEMPTS))
    parser.add_argument("--attempt-model", choices=MODELS, default="resnet_v2_50")
    parser.add_argument("--attempt-batch", type=int, default=256)
    parser.add_argument("--steps", type=int, default=10, help="timed steps of each image row")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=2, help="passes over the timm rows (the JAX rows: the repeat part)")
    parser.add_argument("--ptb-steps", type=int, default=30)
    parser.add_argument("--skipgram-steps", type=int, default=2000)
    parser.add_argument("--image-size", type=int, help="override every input size (quick checks)")
    parser.add_argument("--workers", type=int, default=8, help="compiling processes at once")
    parser.add_argument("--timm-python", help="the Python that has torch and timm (default this one)")
    parser.add_argument("--timm-compile-mode", default="default", help="torch.compile's mode for the compiled timm rows")
    parser.add_argument("--rehearse", action="store_true", help="toy sizes, to check the whole script on a CPU")
    parser.add_argument("--phase", choices=("rows", "timm", "attempts", "sequence"), help=argparse.SUPPRESS)
    parser.add_argument("--jobs", help=argparse.SUPPRESS)
    parser.add_argument("--warming", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.rehearse:
        args.batches, args.float32_batches, args.attempt_batch = [2, 4], [2], 2
        args.steps, args.warmup, args.ptb_steps, args.skipgram_steps = 2, 1, 2, 2
        args.workers = min(args.workers, 2)
    return args


def main(argv=None):
    args = parse_args(argv)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    if args.phase is None:
        return run_all(args)
    jobs = json.loads(args.jobs)
    out = Path(args.out)
    if args.phase == "timm":
        run_timm(jobs, args, out / "timm.jsonl")
        return 0
    run = {"rows": run_rows, "attempts": run_attempt, "sequence": run_sequence}[args.phase]
    run(jobs, args, out / ("warm.jsonl" if args.warming else f"{args.phase}.jsonl"), args.warming)
    return 0


if __name__ == "__main__":
    sys.exit(main())

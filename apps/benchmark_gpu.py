"""Training throughput on a GPU: kclassics on Keras's JAX backend against keras.applications and timm.

    KERAS_BACKEND=jax python apps/benchmark_gpu.py --out DIR [--models resnet_v2_50 ...] [--batch-size 128]
        [--big-batch 256 --big-batch-models resnet_v2_50 vgg16] [--steps 10] [--warmup 3] [--no-timm] [--no-convnets]

For each network and dtype policy (`float32`, `mixed_bfloat16`) it times
`kclassics.benchmark.benchmark(name, mode="train", compare="keras")`: the
kclassics model and its keras.applications twin, holding the same weights,
train steps interleaved (SGD, cross entropy on random labels, `jax.jit`-ed
`train_on_batch`). Then the same networks from timm in PyTorch (channels-last,
bf16 autocast for the mixed rows, SGD), and the book's chapter 6 table
(`apps/benchmark_convnets.py`) on the same GPU.

XLA compiles each train step for tens of seconds, far longer than the timing.
So the steps are first compiled by parallel worker processes, one per
configuration, that fill JAX's persistent compilation cache (and free their
GPU memory after each step); the timing then runs one configuration at a time
in a quiet process that loads the compiled steps from the cache. Every phase
writes its figures as JSON under `--out`; the last lines printed are the table.
"""

import argparse
import concurrent.futures
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MODELS = ("resnet_v2_50", "inception_v3", "vgg16", "densenet121")
POLICIES = ("float32", "mixed_bfloat16")
TIMM_NAMES = {"resnet_v2_50": "resnetv2_50", "inception_v3": "inception_v3", "vgg16": "vgg16", "densenet121": "densenet121"}
CONVNETS = ("alexnet", "alexnet_no_lrn", "vgg16", "inception_v3", "resnet_v2_152")


def _configs(args):
    configs = [(name, policy, args.batch_size) for name in args.models for policy in POLICIES]
    configs += [(name, "mixed_bfloat16", args.big_batch) for name in args.big_batch_models if args.big_batch]
    return configs


def _jax_env(cache_dir, warming):
    env = dict(os.environ, KERAS_BACKEND="jax", JAX_COMPILATION_CACHE_DIR=str(cache_dir), PYTHONUNBUFFERED="1")
    env["JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"] = "0"
    env["JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES"] = "-1"
    if warming:  # many processes share the GPU: each takes only what a step needs, and gives it back
        env.update(XLA_PYTHON_CLIENT_PREALLOCATE="false", XLA_PYTHON_CLIENT_ALLOCATOR="platform")
    return env


def _run(command, env, log_path, timeout, deadline=None):
    start = time.time()
    if deadline is not None:
        timeout = max(1.0, min(timeout, deadline - start))
    with open(log_path, "w") as log:
        try:
            code = subprocess.run(command, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=timeout, cwd=ROOT).returncode
        except subprocess.TimeoutExpired:
            code = "timeout"
    return code, time.time() - start


def time_jax(configs, steps, warmup, image_size, out_path):
    """Times each configuration in this process (the JAX backend), appending one JSON record per line."""
    from kclassics import benchmark

    peak = {}
    for name, policy, batch in configs:
        compute = "bfloat16" if policy == "mixed_bfloat16" else "float32"
        if compute not in peak:
            peak[compute] = benchmark.measure_matmul_peak(4096 if steps > 1 else 256, dtype=compute)
        record = {"model": name, "policy": policy, "batch_size": batch}
        try:
            result = benchmark.benchmark(
                name, mode="train", batch_size=batch, image_size=image_size, steps=steps, warmup=warmup, compare="keras",
                mixed_precision=False if policy == "float32" else policy, peak_gflops=peak[compute],
                log=lambda line: print(line, flush=True),
            )
            record.update(result.as_dict(), images_per_sec=result.images_per_sec,
                          twin_images_per_sec=batch / result.compare["mean"])
        except Exception as error:  # noqa: BLE001  (out of memory at a big batch is a result too)
            record["error"] = f"{type(error).__name__}: {str(error)[:300]}"
        print(json.dumps({k: v for k, v in record.items() if k not in ("durations", "compare", "machine")}), flush=True)
        with open(out_path, "a") as stream:
            stream.write(json.dumps(record) + "\n")


def time_timm(configs, steps, warmup, image_size, out_path):
    """Times timm's twin of each configuration in PyTorch: channels-last, bf16 autocast for the mixed rows."""
    import timm
    import torch

    torch.backends.cudnn.benchmark = True
    torch.backends.cuda.matmul.allow_tf32 = True  # as XLA's default float32 precision on this GPU (TF32)
    torch.backends.cudnn.allow_tf32 = True
    device = "cuda" if torch.cuda.is_available() else "cpu"
    for name, policy, batch in configs:
        record = {"model": name, "timm": TIMM_NAMES[name], "policy": policy, "batch_size": batch, "device": device}
        try:
            model = timm.create_model(TIMM_NAMES[name], pretrained=False, num_classes=1000).to(device)
            model = model.to(memory_format=torch.channels_last).train()
            side = image_size or (299 if name == "inception_v3" else 224)
            images = torch.rand(batch, 3, side, side, device=device).to(memory_format=torch.channels_last)
            labels = torch.randint(0, 1000, (batch,), device=device)
            optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
            autocast = torch.autocast(device, dtype=torch.bfloat16, enabled=policy == "mixed_bfloat16")

            def step():
                with autocast:
                    loss = torch.nn.functional.cross_entropy(model(images), labels)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                return loss.item()  # waits for the step, as train_on_batch's float does

            durations = []
            for i in range(warmup + steps):
                start = time.perf_counter()
                step()
                if i >= warmup:
                    durations.append(time.perf_counter() - start)
            mean = sum(durations) / len(durations)
            record.update(durations=durations, mean=mean, images_per_sec=batch / mean, torch=torch.__version__, timm_version=timm.__version__)
            del model, optimizer, images
        except Exception as error:  # noqa: BLE001
            record["error"] = f"{type(error).__name__}: {str(error)[:300]}"
        if device == "cuda":
            torch.cuda.empty_cache()
        print(json.dumps({k: v for k, v in record.items() if k != "durations"}), flush=True)
        with open(out_path, "a") as stream:
            stream.write(json.dumps(record) + "\n")


def _read(path):
    return [json.loads(line) for line in open(path)] if Path(path).exists() else []


def table(jax_rows, timm_rows, device):
    timm_speed = {(r["model"], r["policy"], r["batch_size"]): r.get("images_per_sec") for r in timm_rows}
    lines = [
        f"Training images/sec on {device}, Keras {jax_rows[0].get('machine', {}).get('keras', '?') if jax_rows else '?'} JAX backend vs timm (PyTorch)",
        "| network | policy | batch | kclassics | keras.applications | kclassics/keras | timm | kclassics/timm |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in jax_rows:
        key = (r["model"], r["policy"], r["batch_size"])
        ours, theirs, torch_speed = r.get("images_per_sec"), r.get("twin_images_per_sec"), timm_speed.get(key)
        cell = lambda v: f"{v:.0f}" if v else "-"  # noqa: E731
        ratio = lambda a, b: f"{a / b:.2f}" if a and b else "-"  # noqa: E731
        note = f" ({r['error'][:40]})" if "error" in r else ""
        lines.append(
            f"| {r['model']} | {r['policy']} | {r['batch_size']} | {cell(ours)}{note} | {cell(theirs)} | {ratio(ours, theirs)} | "
            f"{cell(torch_speed)} | {ratio(ours, torch_speed)} |"
        )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="directory for the JSON figures and logs")
    parser.add_argument("--models", nargs="+", choices=MODELS, default=list(MODELS))
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--big-batch", type=int, default=256, help="a larger batch for the mixed rows (0: none)")
    parser.add_argument("--big-batch-models", nargs="*", choices=MODELS, default=["resnet_v2_50", "vgg16"])
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--image-size", type=int, help="override every input size (quick checks)")
    parser.add_argument("--workers", type=int, default=8, help="compiling processes at once")
    parser.add_argument("--timm", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--convnets", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--convnets-models", nargs="+", choices=CONVNETS, default=list(CONVNETS))
    parser.add_argument("--convnets-args", default="", help="extra arguments of apps/benchmark_convnets.py")
    parser.add_argument("--budget", type=float, default=480, help="seconds for the whole run; later phases get what is left")
    parser.add_argument("--phase", choices=("all", "jax", "timm"), default="all", help=argparse.SUPPRESS)
    parser.add_argument("--config", nargs=3, action="append", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.phase != "all":  # a child process: time (or, with --steps 0, compile) the given configurations
        configs = [(name, policy, int(batch)) for name, policy, batch in args.config]
        timer = time_jax if args.phase == "jax" else time_timm
        steps, warmup = (args.steps, args.warmup) if args.steps else (1, 0)
        timer(configs, steps, warmup, args.image_size, out / f"{args.phase}.jsonl" if args.steps else out / "warm.jsonl")
        return 0

    deadline = time.time() + args.budget
    cache = out / "xla_cache"
    configs = _configs(args)
    me = [sys.executable, str(Path(__file__).resolve()), "--out", str(out)]
    size = ["--image-size", str(args.image_size)] if args.image_size else []
    phases = {}

    # 1. Compile every train step in parallel, filling the persistent cache.
    jobs = [(f"warm_{n}_{p}_{b}", me + ["--phase", "jax", "--steps", "0", "--config", n, p, str(b)] + size) for n, p, b in configs]
    if args.convnets:
        convnets = [sys.executable, str(ROOT / "apps" / "benchmark_convnets.py"), "--steps", "1", "--warmup", "0", *args.convnets_args.split()]
        jobs += [(f"warm_convnets_{m}", convnets + ["--models", m]) for m in args.convnets_models]
    start = time.time()
    with concurrent.futures.ThreadPoolExecutor(args.workers) as pool:
        futures = {pool.submit(_run, command, _jax_env(cache, True), out / f"{label}.log", 600, deadline - 0.45 * args.budget): label for label, command in jobs}
        for future in concurrent.futures.as_completed(futures):
            code, seconds = future.result()
            print(f"compiled {futures[future]}: exit {code} in {seconds:.0f} s", flush=True)
    phases["compile_s"] = time.time() - start

    # 2. Time kclassics against keras.applications, one configuration at a time.
    command = me + ["--phase", "jax", "--steps", str(args.steps), "--warmup", str(args.warmup)] + size
    for n, p, b in configs:
        command += ["--config", n, p, str(b)]
    code, phases["jax_s"] = _run(command, _jax_env(cache, False), out / "jax.log", 900, deadline - 0.2 * args.budget)
    print(f"timed JAX: exit {code} in {phases['jax_s']:.0f} s", flush=True)

    # 3. timm in PyTorch on the same GPU.
    if args.timm:
        command = me + ["--phase", "timm", "--steps", str(args.steps), "--warmup", str(args.warmup)] + size
        for n, p, b in configs:
            command += ["--config", n, p, str(b)]
        code, phases["timm_s"] = _run(command, dict(os.environ, PYTHONUNBUFFERED="1"), out / "timm.log", 600, deadline - 0.1 * args.budget)
        print(f"timed timm: exit {code} in {phases['timm_s']:.0f} s", flush=True)

    # 4. The book's chapter 6 table.
    if args.convnets:
        command = [sys.executable, str(ROOT / "apps" / "benchmark_convnets.py"), "--json", str(out / "convnets.json"), "--models", *args.convnets_models, *args.convnets_args.split()]
        code, phases["convnets_s"] = _run(command, _jax_env(cache, False), out / "convnets.log", 600, deadline)
        print(f"timed the chapter 6 table: exit {code} in {phases['convnets_s']:.0f} s", flush=True)

    jax_rows, timm_rows = _read(out / "jax.jsonl"), _read(out / "timm.jsonl")
    device = ", ".join(jax_rows[0]["machine"]["devices"]) if jax_rows and "machine" in jax_rows[0] else "?"
    summary = {"phases": phases, "jax": jax_rows, "timm": timm_rows, "command": " ".join(sys.argv)}
    (out / "gpu_benchmark.json").write_text(json.dumps(summary, indent=1))
    if args.convnets and (out / "convnets.log").exists():
        print("\n".join(line for line in open(out / "convnets.log") if line.startswith("|")))
    print(table(jax_rows, timm_rows, device))
    return 0


if __name__ == "__main__":
    sys.exit(main())

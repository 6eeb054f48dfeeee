"""Load test of `kclassics serve` on 127.0.0.1 against the same SavedModel called in-process.

    flock /tmp/kclassics-bench.lock python apps/benchmark_serving.py \
        [--models mnist_cnn resnet_v2_50] [--concurrency 1 8 32] [--requests 256] [--json out.json]

For each model: exports it (random weights: speed does not depend on them),
times the `serving_default` signature called in-process on batches of 1, 8
and 32 (the limit), then starts `kclassics serve` without and with
`--enable-batching` and sends bounded loops of one-image `:predict` requests
(row format; each whole request encoded once beforehand) over `concurrency`
keep-alive connections driven by one asyncio (uvloop) loop in this process. Prints requests/sec, p50 and p99
latency, and the ratios the serving docs quote: examples/sec at concurrency 32
with batching over the in-process examples/sec at batch 32, and the latency
the server adds at concurrency 1 over the in-process call of one image. Last,
it times how long a new version takes to be served after its directory
appears (renamed into place, as exports are written), with the default
`--poll-seconds 1`.
"""

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
LISTENING = re.compile(r"listening on http://([^:]+):(\d+)")


def export(name, base):
    import keras

    from kclassics import apps
    from kclassics.export import export_saved_model

    keras.utils.set_random_seed(0)
    model = apps.create_model(name)
    export_saved_model(model, base, version=1)
    return tuple(model.input_shape[1:])


def in_process(path, input_shape, batch_sizes, seconds):
    """`{batch: (calls/sec, examples/sec, p50 seconds)}` of the signature called in this process."""
    import tensorflow as tf

    serve = tf.saved_model.load(str(path)).signatures["serving_default"]
    results = {}
    for batch in batch_sizes:
        x = tf.constant(np.random.default_rng(0).random((batch, *input_shape), dtype=np.float32))
        for _ in range(3):
            serve(images=x)["probabilities"].numpy()
        times, start = [], time.perf_counter()
        while time.perf_counter() - start < seconds or len(times) < 5:
            t = time.perf_counter()
            serve(images=x)["probabilities"].numpy()
            times.append(time.perf_counter() - t)
        median = float(np.median(times))
        results[batch] = (1 / median, batch / median, median)
    return results


class Server:
    def __init__(self, base, *flags):
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kclassics", "serve", str(base), "--model-name", "m", "--port", "0", *flags],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
        )
        match = LISTENING.search(self.process.stdout.readline())
        self.host, self.port = match.group(1), int(match.group(2))
        threading.Thread(target=self.process.stdout.read, daemon=True).start()  # keep the pipe drained

    def get(self, path):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=600)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, json.loads(response.read())
        finally:
            connection.close()

    def wait_version(self, version, timeout=600):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                status, body = self.get("/v1/models/m")
            except OSError:
                status = None
            if status == 200 and any(v["version"] == str(version) and v["state"] == "AVAILABLE" for v in body["model_version_status"]):
                return time.monotonic()
            time.sleep(0.01)
        raise TimeoutError(f"version {version} not served after {timeout} s")

    def stop(self):
        self.process.terminate()
        self.process.wait(60)


def load(server, body, concurrency, requests):
    """Requests/sec and per-request latencies of `requests` POSTs spread over `concurrency` keep-alive connections.

    A light client, so that it leaves the cores to the server it measures: one
    asyncio loop (uvloop when installed) in this process, separate from the
    server's; the whole request (headers and JSON body) encoded once and written
    as is; the response read by its Content-Length, its status checked, its body
    not parsed.
    """
    import asyncio

    request = (
        f"POST /v1/models/m:predict HTTP/1.1\r\nHost: {server.host}:{server.port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    latencies, errors = [], []
    per_connection = max(1, requests // concurrency)

    async def client():
        reader, writer = await asyncio.open_connection(server.host, server.port)
        writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for _ in range(per_connection):
            start = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head).group(1))
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - start)
            if not head.startswith(b"HTTP/1.1 200"):
                errors.append(head.split(b"\r\n", 1)[0].decode())
        writer.close()

    async def run():
        await asyncio.gather(*(client() for _ in range(concurrency)))

    try:
        import uvloop
    except ImportError:
        uvloop = None
    start = time.perf_counter()
    if uvloop is not None:
        uvloop.run(run())
    else:
        asyncio.run(run())
    elapsed = time.perf_counter() - start
    if errors:
        raise RuntimeError(f"{len(errors)} requests failed: {errors[:5]}")
    return len(latencies) / elapsed, np.percentile(latencies, 50), np.percentile(latencies, 99)


def pickup_times(base, input_shape, repeats=3):
    """Seconds from a new version's rename into place until the server reports it AVAILABLE."""
    server = Server(base)
    times = []
    try:
        server.wait_version(1)
        for version in range(2, 2 + repeats):
            staging = base / f".staging-{version}"
            shutil.copytree(base / "1", staging)
            time.sleep(1.5)  # the copy is done; the clock starts at the rename
            start = time.monotonic()
            os.rename(staging, base / str(version))
            times.append(server.wait_version(version) - start)
    finally:
        server.stop()
    return times


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["mnist_cnn", "resnet_v2_50"])
    parser.add_argument("--concurrency", nargs="+", type=int, default=[1, 8, 32])
    parser.add_argument("--requests", type=int, default=256, help="requests per (model, mode, concurrency); resnet_v2_50 uses a quarter")
    parser.add_argument("--batch-timeout-micros", type=int, default=2000)
    parser.add_argument("--json", help="write the figures here")
    args = parser.parse_args(argv)

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
    figures = {"cpus": os.cpu_count(), "models": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.models:
            base = Path(tmp) / name
            input_shape = export(name, base)
            requests = args.requests if name != "resnet_v2_50" else max(32, args.requests // 4)
            limit = in_process(base / "1", input_shape, sorted(set(args.concurrency)), seconds=3)
            x = np.round(np.random.default_rng(0).random((1, *input_shape)), 4)
            body = json.dumps({"instances": x.tolist()}).encode()
            rows = []
            for mode, flags in (("off", []), ("on", ["--enable-batching", "--max-batch-size", str(max(args.concurrency)),
                                                     "--batch-timeout-micros", str(args.batch_timeout_micros)])):
                server = Server(base, "--poll-seconds", "0", *flags)
                try:
                    server.wait_version(1)
                    load(server, body, max(args.concurrency), max(args.concurrency) * 2)  # warm-up: every batch size
                    for concurrency in args.concurrency:
                        rps, p50, p99 = load(server, body, concurrency, max(requests, concurrency * 2))
                        rows.append({"batching": mode, "concurrency": concurrency, "requests_per_sec": rps, "p50_ms": p50 * 1e3, "p99_ms": p99 * 1e3})
                        print(f"{name} batching {mode:3} concurrency {concurrency:2}: {rps:8.1f} req/s  p50 {p50 * 1e3:8.2f} ms  p99 {p99 * 1e3:8.2f} ms", flush=True)
                finally:
                    server.stop()
            top = max(args.concurrency)
            batched = next(r for r in rows if r["batching"] == "on" and r["concurrency"] == top)
            single = next(r for r in rows if r["batching"] == "off" and r["concurrency"] == 1)
            result = {
                "in_process": {b: {"calls_per_sec": c, "examples_per_sec": e, "p50_ms": m * 1e3} for b, (c, e, m) in limit.items()},
                "server": rows,
                "ratio_batched_vs_in_process": batched["requests_per_sec"] / limit[top][1],
                "added_latency_ms_at_1": single["p50_ms"] - limit[1][2] * 1e3,
            }
            figures["models"][name] = result
            for batch, (_, examples, median) in sorted(limit.items()):
                print(f"{name} in-process batch {batch:2}: {examples:8.1f} examples/s  p50 {median * 1e3:8.2f} ms")
            print(f"{name}: concurrency {top} with batching = {result['ratio_batched_vs_in_process']:.2f}x the in-process examples/sec at batch {top}; "
                  f"added latency at concurrency 1 = {result['added_latency_ms_at_1']:.2f} ms (p50 server - p50 in-process)", flush=True)
        name = args.models[0]
        times = pickup_times(Path(tmp) / name, None)
        figures["pickup_seconds"] = times
        print(f"new version served {', '.join(f'{t:.2f}' for t in times)} s after its directory appeared (--poll-seconds 1)")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()

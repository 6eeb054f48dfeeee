"""Load test of `kclassics serve` (REST and gRPC) on 127.0.0.1 against the same SavedModel called in-process.

    flock /tmp/kclassics-bench.lock python benchmarks/benchmark_serving.py \
        [--models mnist_cnn resnet_v2_50] [--formats json b64 grpc v2grpc] [--concurrency 1 8 32] [--requests 256] [--json out.json]
    python benchmarks/benchmark_serving.py --tables out.json    # the docs' tables of those figures

For each model: exports it (random weights: speed does not depend on them)
with both image signatures, times each signature called in-process on
batches of 1, 8 and 32 (the limit, timed before and after the servers, the
faster kept), then starts `kclassics serve --grpc-port 0` without and with
`--enable-batching` and, for each request format, sends bounded loops of
one-image requests over `concurrency` connections (REST: keep-alive HTTP/1.1
connections; gRPC: concurrent calls on one channel), all driven by one
asyncio loop in this process. The formats:

    json     REST :predict, float pixels as JSON numbers, to serving_default
    b64      REST :predict, the image encoded (PNG, or JPEG for colour) as {"b64": ...}, to predict_images
    grpc     TF Serving's gRPC Predict, float pixels as a TensorProto's tensor_content, to serving_default
    v2grpc   KServe V2's gRPC ModelInfer, float pixels as raw_input_contents, to serving_default

Each whole request is encoded once beforehand; a REST response is read by
its Content-Length and its status checked, a gRPC response is taken as
bytes (not parsed) and its status checked; at concurrency 1 a gRPC request
is the blocking call the published clients make (TF Serving's
`PredictionServiceStub.Predict`, tritonclient.grpc's `infer`), above it
concurrent grpc.aio calls. Prints requests/sec, p50 and p99
latency, the CPU time of the server process and of the client per request,
and the ratios the serving docs quote: examples/sec at concurrency 32 with
batching over the in-process examples/sec of the same signature at batch 32,
and the latency the server adds at concurrency 1 over the in-process call of
one image. Then the floor: a one-layer model on MNIST's input, whose rate is
what each protocol's stack itself allows; its CPU per request, with the
model's CPU time per example in-process, bound the requests/sec the cores
allow. Then the first request's latency after a version loads, with and
without its warm-up requests, and last, how long a new version takes to be
served after its directory appears (renamed into place, as exports are
written), with the default `--poll-seconds 1`.
"""

import argparse
import asyncio
import dataclasses
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
LISTENING = re.compile(r"listening on http://([^:]+):(\d+) and grpc://(\S+) ")
PREDICT = "/tensorflow.serving.PredictionService/Predict"
MODEL_INFER = "/inference.GRPCInferenceService/ModelInfer"


@dataclasses.dataclass(frozen=True)
class Format:
    transport: str  # "rest" or "grpc"
    signature: str
    description: str


FORMATS = {
    "json": Format("rest", "serving_default", "REST :predict, float pixels as JSON numbers, to serving_default"),
    "b64": Format("rest", "predict_images", 'REST :predict, the image encoded (PNG for 1 channel, JPEG quality 90 for 3) as {"b64": ...}, to predict_images'),
    "grpc": Format("grpc", "serving_default", "TF Serving gRPC Predict, float pixels as tensor_content, to serving_default"),
    "v2grpc": Format("grpc", "serving_default", "KServe V2 gRPC ModelInfer, float pixels as raw_input_contents, to serving_default"),
}
FLOOR = "floor"  # a one-layer model on MNIST's input: what a protocol's stack costs when the model costs nearly nothing


def export(name, base):
    import keras

    from kclassics import apps
    from kclassics.export import export_saved_model, scale_to_unit

    keras.utils.set_random_seed(0)
    if name == FLOOR:
        model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
        preprocess = scale_to_unit
    else:
        model = apps.create_model(name)
        preprocess = scale_to_unit if name.startswith("mnist") else apps.preprocessing(name)[0]
    export_saved_model(model, base, version=1, preprocess=preprocess)
    return tuple(model.input_shape[1:])


def example(fmt, input_shape):
    """`({input: one example}, request)` of one image in `fmt` (random pixels: speed does not depend on them).

    The request is the whole REST body, or the serialized gRPC message.
    """
    import base64

    import tensorflow as tf

    rng = np.random.default_rng(0)
    x = np.round(rng.random((1, *input_shape)), 4).astype(np.float32)
    if fmt == "json":
        return {"images": x}, json.dumps({"instances": x.tolist()}).encode()
    if fmt == "grpc":
        from tensorflow_serving.apis import predict_pb2

        request = predict_pb2.PredictRequest()
        request.model_spec.name = "m"
        request.inputs["images"].CopyFrom(tf.make_tensor_proto(x))
        return {"images": x}, request.SerializeToString()
    if fmt == "v2grpc":
        from tritonclient.grpc import service_pb2

        request = service_pb2.ModelInferRequest(model_name="m")
        request.inputs.add(name="images", datatype="FP32", shape=x.shape)
        request.raw_input_contents.append(x.tobytes())
        return {"images": x}, request.SerializeToString()
    pixels = (rng.random(input_shape) * 255).astype(np.uint8)
    encoded = (tf.io.encode_png(pixels) if input_shape[-1] == 1 else tf.io.encode_jpeg(pixels, quality=90)).numpy()
    body = {"signature_name": "predict_images", "instances": [{"b64": base64.b64encode(encoded).decode()}]}
    return {"image_bytes": np.array([encoded], dtype=object)}, json.dumps(body).encode()


def in_process(path, signature, one, batch_sizes, seconds):
    """`{batch: (calls/sec, examples/sec, p50 seconds, CPU seconds per example)}` of the signature called in this process."""
    import tensorflow as tf

    serve = tf.saved_model.load(str(path)).signatures[signature]
    results = {}
    for batch in batch_sizes:
        x = {name: tf.constant(np.concatenate([value] * batch)) for name, value in one.items()}
        for _ in range(3):
            serve(**x)["probabilities"].numpy()
        times, start, cpu = [], time.perf_counter(), time.process_time()
        while time.perf_counter() - start < seconds or len(times) < 5:
            t = time.perf_counter()
            serve(**x)["probabilities"].numpy()
            times.append(time.perf_counter() - t)
        median = float(np.median(times))
        results[batch] = (1 / median, batch / median, median, (time.process_time() - cpu) / (batch * len(times)))
    return results


class Server:
    def __init__(self, base, *flags):
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kclassics", "serve", str(base), "--model-name", "m", "--port", "0", "--grpc-port", "0", *flags],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
        )
        match = LISTENING.search(self.process.stdout.readline())
        self.host, self.port, self.grpc = match.group(1), int(match.group(2)), match.group(3)
        threading.Thread(target=self.process.stdout.read, daemon=True).start()  # keep the pipe drained

    def get(self, path):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=600)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, json.loads(response.read())
        finally:
            connection.close()

    def batches(self):
        """(batches run, rows batched) so far, all signatures together, from the server's Prometheus counters."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=600)
        try:
            connection.request("GET", "/monitoring/prometheus/metrics")
            text = connection.getresponse().read().decode()
        finally:
            connection.close()
        return tuple(sum(float(v) for v in re.findall(rf"^kclassics_serving_{name}_total{{[^}}]*}} (\S+)$", text, re.M))
                     for name in ("batches", "batched_rows"))

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


def cpu_seconds(pid):
    """User + system CPU seconds of process `pid` so far, all its threads (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rest_client(server, body):
    """A coroutine function: one client's loop of `count` REST requests over one keep-alive connection."""
    request = (
        f"POST /v1/models/m:predict HTTP/1.1\r\nHost: {server.host}:{server.port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body

    async def client(count, latencies, errors):
        reader, writer = await asyncio.open_connection(server.host, server.port)
        writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for _ in range(count):
            start = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head).group(1))
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - start)
            if not head.startswith(b"HTTP/1.1 200"):
                errors.append(head.split(b"\r\n", 1)[0].decode())
        writer.close()

    return client


def grpc_client(channel, method, body):
    """A coroutine function: one client's loop of `count` calls of `method` with the serialized request `body`."""
    import grpc

    call = channel.unary_unary(method)  # bytes in, bytes out: the client neither builds nor parses a message per call

    async def client(count, latencies, errors):
        for _ in range(count):
            start = time.perf_counter()
            try:
                await call(body, timeout=600)
            except grpc.aio.AioRpcError as error:
                errors.append(f"{error.code().name}: {error.details()}")
            latencies.append(time.perf_counter() - start)

    return client


def blocking_grpc_client(server, method, body, count, latencies, errors):
    """One client's loop of `count` blocking calls, as the published clients make them at concurrency 1
    (`PredictionServiceStub(channel).Predict(request, timeout)`, tritonclient.grpc's `infer`): bytes in, bytes out."""
    import grpc

    with grpc.insecure_channel(server.grpc, options=[("grpc.max_send_message_length", -1),
                                                     ("grpc.max_receive_message_length", -1)]) as channel:
        call = channel.unary_unary(method)
        for _ in range(count):
            start = time.perf_counter()
            try:
                call(body, timeout=600)
            except grpc.RpcError as error:
                errors.append(f"{error.code().name}: {error.details()}")
            latencies.append(time.perf_counter() - start)


def load(server, fmt, body, concurrency, requests, blocking=False):
    """Requests/sec, p50, p99 and CPU per request (server, client) of `requests` calls spread over `concurrency` clients.

    A light client, so that it leaves the cores to the server it measures: one
    asyncio loop in this process, separate from the server's; with `blocking`
    (gRPC at concurrency 1), the blocking call of the published clients instead.
    """
    latencies, errors = [], []
    per_client = max(1, requests // concurrency)

    async def run():
        if FORMATS[fmt].transport == "rest":
            client = rest_client(server, body)
            await asyncio.gather(*(client(per_client, latencies, errors) for _ in range(concurrency)))
            return
        import grpc

        async with grpc.aio.insecure_channel(server.grpc, options=[("grpc.max_send_message_length", -1),
                                                                   ("grpc.max_receive_message_length", -1)]) as channel:
            client = grpc_client(channel, PREDICT if fmt == "grpc" else MODEL_INFER, body)
            await asyncio.gather(*(client(per_client, latencies, errors) for _ in range(concurrency)))

    start, server_cpu, client_cpu = time.perf_counter(), cpu_seconds(server.process.pid), time.process_time()
    if blocking and concurrency == 1 and FORMATS[fmt].transport == "grpc":
        blocking_grpc_client(server, PREDICT if fmt == "grpc" else MODEL_INFER, body, per_client, latencies, errors)
    else:
        asyncio.run(run())
    elapsed = time.perf_counter() - start
    cpu = {"server": cpu_seconds(server.process.pid) - server_cpu, "client": time.process_time() - client_cpu}
    if errors:
        raise RuntimeError(f"{len(errors)} requests failed: {errors[:5]}")
    return len(latencies) / elapsed, np.percentile(latencies, 50), np.percentile(latencies, 99), {k: v / len(latencies) for k, v in cpu.items()}


def pickup_times(base, repeats=3):
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


def first_requests(base, input_shape, batching):
    """Latency (ms) of the first and second gRPC Predict after version 1 is AVAILABLE, with its warm-up requests and without."""
    import grpc

    cold = base.parent / f"{base.name}-cold"
    shutil.rmtree(cold, ignore_errors=True)
    shutil.copytree(base / "1", cold / "1")
    shutil.rmtree(cold / "1" / "assets.extra")
    _, body = example("grpc", input_shape)
    flags = ["--enable-batching", "--batch-timeout-micros", "1000"] if batching else []
    figures = {}
    for name, directory in (("with warm-up", base), ("without warm-up", cold)):
        server = Server(directory, "--poll-seconds", "0", *flags)
        try:
            server.wait_version(1)
            with grpc.insecure_channel(server.grpc, options=[("grpc.max_send_message_length", -1)]) as channel:
                grpc.channel_ready_future(channel).result(timeout=60)
                call = channel.unary_unary(PREDICT)
                times = []
                for _ in range(2):
                    start = time.perf_counter()
                    call(body, timeout=600)
                    times.append((time.perf_counter() - start) * 1e3)
            figures[name] = {"first_ms": times[0], "second_ms": times[1]}
        finally:
            server.stop()
    shutil.rmtree(cold)
    return figures


def measure(name, base, input_shape, args, modes=("off", "on")):
    """The in-process limit of each signature and the server's rows of every format, for one model."""
    formats = {fmt: example(fmt, input_shape) for fmt in args.formats}
    batches = sorted(set(args.concurrency))
    ones = {FORMATS[fmt].signature: one for fmt, (one, _) in formats.items()}
    limits = {signature: in_process(base / "1", signature, one, batches, seconds=3) for signature, one in ones.items()}
    requests = args.requests if name != "resnet_v2_50" else max(32, args.requests // 4)
    top = max(args.concurrency)
    rows = {fmt: [] for fmt in formats}
    for mode in modes:
        flags = ["--enable-batching", "--max-batch-size", str(top), "--batch-timeout-micros", str(args.batch_timeout_micros)] if mode == "on" else []
        server = Server(base, "--poll-seconds", "0", *flags)
        try:
            server.wait_version(1)
            for fmt, (_, body) in formats.items():
                load(server, fmt, body, top, top * 2)  # warm-up: every batch size
                for concurrency in args.concurrency if name != FLOOR else [top]:
                    before = server.batches()
                    rps, p50, p99, cpu = load(server, fmt, body, concurrency, max(requests, concurrency * 2), blocking=concurrency == 1)
                    batches_run, rows_batched = (after - then for after, then in zip(server.batches(), before))
                    rows[fmt].append({"batching": mode, "concurrency": concurrency, "requests_per_sec": rps, "p50_ms": p50 * 1e3,
                                      "p99_ms": p99 * 1e3, "server_cpu_ms_per_request": cpu["server"] * 1e3,
                                      "client_cpu_ms_per_request": cpu["client"] * 1e3,
                                      "mean_batch": rows_batched / batches_run if batches_run else None})
                    print(f"{name} {fmt:6} batching {mode:3} concurrency {concurrency:2}: {rps:8.1f} req/s  p50 {p50 * 1e3:8.2f} ms  "
                          f"p99 {p99 * 1e3:8.2f} ms  CPU ms/request: server {cpu['server'] * 1e3:.3f}, client {cpu['client'] * 1e3:.3f}"
                          + (f"  mean batch {rows_batched / batches_run:.1f}" if batches_run else ""), flush=True)
        finally:
            server.stop()
    # Measured again after the servers: the faster of the two is the limit, so a moment of load
    # elsewhere on the machine cannot lower it (and flatter the server's ratio).
    for signature, one in ones.items():
        again = in_process(base / "1", signature, one, batches, seconds=3)
        limits[signature] = {b: max(limits[signature][b], again[b], key=lambda figures: figures[1]) for b in batches}
        for batch, (_, examples, median, _) in sorted(limits[signature].items()):
            print(f"{name} {signature} in-process batch {batch:2}: {examples:8.1f} examples/s  p50 {median * 1e3:8.2f} ms")
    results = {}
    for fmt, (_, body) in formats.items():
        limit = limits[FORMATS[fmt].signature]
        result = {
            "signature": FORMATS[fmt].signature,
            "input_shape": list(input_shape),
            "request_bytes": len(body),
            "in_process": {b: {"calls_per_sec": c, "examples_per_sec": e, "p50_ms": m * 1e3, "cpu_ms_per_example": u * 1e3}
                           for b, (c, e, m, u) in limit.items()},
            "server": rows[fmt],
        }
        batched = next((r for r in rows[fmt] if r["batching"] == "on" and r["concurrency"] == top), None)
        single = next((r for r in rows[fmt] if r["batching"] == "off" and r["concurrency"] == 1), None)
        if batched:
            result["ratio_batched_vs_in_process"] = batched["requests_per_sec"] / limit[top][1]
            print(f"{name} {fmt}: concurrency {top} with batching = {result['ratio_batched_vs_in_process']:.2f}x "
                  f"the in-process examples/sec of {FORMATS[fmt].signature} at batch {top}", flush=True)
        if single:
            result["added_latency_ms_at_1"] = single["p50_ms"] - limit[1][2] * 1e3
            print(f"{name} {fmt}: added latency at concurrency 1 = {result['added_latency_ms_at_1']:.2f} ms (p50 server - p50 in-process)",
                  flush=True)
        results[fmt] = result
    return results


def cpu_bound(figures, args, cores):
    """The most requests/sec the cores allow: each request costs the model's CPU per example (in-process)
    plus the stack's CPU per request, server and client (the floor's, whose model costs almost nothing)."""
    top = max(args.concurrency)
    for name, formats in figures["models"].items():
        if name == FLOOR:
            continue
        for fmt, result in formats.items():
            floor = figures["models"][FLOOR][fmt]
            if floor["input_shape"] != result["input_shape"]:
                continue  # a request's stack cost grows with its size: the floor's requests are MNIST-sized
            row = floor["server"][0]
            model = result["in_process"][top]["cpu_ms_per_example"]
            stack = row["server_cpu_ms_per_request"] + row["client_cpu_ms_per_request"]
            bound = cores * 1e3 / (model + stack)
            result["cpu_bound"] = {"model_cpu_ms_per_example": model, "stack_cpu_ms_per_request": stack, "cores": cores,
                                   "requests_per_sec": bound, "ratio": bound / result["in_process"][top]["examples_per_sec"]}
            print(f"{name} {fmt}: {cores} cores allow at most {bound:.1f} req/s = {result['cpu_bound']['ratio']:.2f}x the in-process "
                  f"examples/sec (model {model:.3f} + stack {stack:.3f} CPU ms per image)", flush=True)


def _number(value, digits=None):
    """A figure as the docs print it: thousands separated, three significant digits below 100, whole above."""
    if value is None:
        return "-"
    if digits is not None:
        return f"{value:,.{digits}f}"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:#.3g}".rstrip(".")


def _cpu(value):
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def tables(figures):
    """The docs' tables (docs/serving.md, "Load test") of a `--json` file, as Markdown."""
    models = {name: formats for name, formats in figures["models"].items() if name != FLOOR}
    lines = ["| model | format | batching | concurrency | requests/sec | p50 ms | p99 ms | CPU ms per request: server | client |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name, formats in models.items():
        for mode in ("off", "on"):
            for fmt, result in formats.items():
                for row in (r for r in result["server"] if r["batching"] == mode):
                    lines.append(f"| {name} | {fmt} | {mode} | {row['concurrency']} | {_number(row['requests_per_sec'], 1)} | "
                                 f"{_number(row['p50_ms'])} | {_number(row['p99_ms'])} | {_cpu(row['server_cpu_ms_per_request'])} | "
                                 f"{_cpu(row['client_cpu_ms_per_request'])} |")
    lines += ["", "The limit, each signature called in-process in the same run, examples/sec (p50 ms):", "",
              "| model | signature | batch 1 | batch 8 | batch 32 | CPU ms per example at batch 32 |", "|---|---|---|---|---|---|"]
    for name, formats in figures["models"].items():
        seen = set()
        for result in formats.values():
            if result["signature"] in seen:
                continue
            seen.add(result["signature"])
            limit = result["in_process"]
            cells = " | ".join(f"{_number(limit[b]['examples_per_sec'], 1)} ({_number(limit[b]['p50_ms'])})" for b in ("1", "8", "32") if b in limit)
            lines.append(f"| {name} | {result['signature']} | {cells} | {limit[max(limit, key=int)]['cpu_ms_per_example']:.3f} |")
    if FLOOR in figures["models"]:
        lines += ["", "The floor at concurrency 32 with batching:", "",
                  "| format | requests/sec | CPU ms per request: server | client | together |", "|---|---|---|---|---|"]
        for fmt, result in figures["models"][FLOOR].items():
            row = result["server"][0]
            lines.append(f"| {fmt} | {_number(row['requests_per_sec'], 1)} | {row['server_cpu_ms_per_request']:.3f} | "
                         f"{row['client_cpu_ms_per_request']:.3f} | {row['server_cpu_ms_per_request'] + row['client_cpu_ms_per_request']:.3f} |")
    lines += ["", "| model | format | concurrency 32 with batching / in-process at batch 32 | the cores' bound (CPU accounting) | "
              "added p50 latency at concurrency 1, ms |", "|---|---|---|---|---|"]
    for name, formats in models.items():
        for fmt, result in formats.items():
            bound = result.get("cpu_bound", {}).get("ratio")
            lines.append(f"| {name} | {fmt} | **{result['ratio_batched_vs_in_process']:.2f}x** | "
                         f"{'-' if bound is None else f'{bound:.2f}x'} | {result['added_latency_ms_at_1']:.2f} |")
    if figures.get("first_request_ms"):
        lines += ["", "| model | batching | first request with warm-up | without | second request with / without |", "|---|---|---|---|---|"]
        for name, modes in figures["first_request_ms"].items():
            for mode, rows in modes.items():
                warm, cold = rows["with warm-up"], rows["without warm-up"]
                lines.append(f"| {name} | {mode} | **{warm['first_ms']:.1f} ms** | {cold['first_ms']:.1f} ms | "
                             f"{warm['second_ms']:.1f} / {cold['second_ms']:.1f} ms |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["mnist_cnn", "resnet_v2_50"])
    parser.add_argument("--formats", nargs="+", choices=list(FORMATS), default=list(FORMATS))
    parser.add_argument("--concurrency", nargs="+", type=int, default=[1, 8, 32])
    parser.add_argument("--requests", type=int, default=256, help="requests per (model, format, mode, concurrency); resnet_v2_50 uses a quarter")
    parser.add_argument("--batch-timeout-micros", type=int, default=2000)
    parser.add_argument("--no-floor", action="store_true", help="skip the one-layer model that measures each stack's own rate")
    parser.add_argument("--no-warmup", action="store_true", help="skip the first-request latencies with and without warm-up")
    parser.add_argument("--json", help="write the figures here")
    parser.add_argument("--tables", metavar="JSON", help="print the docs' Markdown tables of a --json file, and measure nothing")
    args = parser.parse_args(argv)
    if args.tables:
        print(tables(json.loads(Path(args.tables).read_text())))
        return

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
    figures = {"cpus": os.cpu_count(), "load_average": os.getloadavg(), "formats": {f: FORMATS[f].description for f in args.formats},
               "models": {}, "first_request_ms": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.models + ([] if args.no_floor else [FLOOR]):
            base = Path(tmp) / name
            input_shape = export(name, base)
            figures["models"][name] = measure(name, base, input_shape, args, ("on",) if name == FLOOR else ("off", "on"))
            if name != FLOOR and not args.no_warmup:
                figures["first_request_ms"][name] = {mode: first_requests(base, input_shape, mode == "on") for mode in ("off", "on")}
                for mode, rows in figures["first_request_ms"][name].items():
                    print(f"{name} batching {mode}: first request " + ", ".join(
                        f"{k} {v['first_ms']:.1f} ms (second {v['second_ms']:.1f} ms)" for k, v in rows.items()), flush=True)
        if not args.no_floor:
            cpu_bound(figures, args, os.cpu_count())
        times = pickup_times(Path(tmp) / args.models[0])
        figures["pickup_seconds"] = times
        print(f"new version served {', '.join(f'{t:.2f}' for t in times)} s after its directory appeared (--poll-seconds 1)")
    figures["load_average_after"] = os.getloadavg()
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()

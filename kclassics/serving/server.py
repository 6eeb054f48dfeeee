"""`serve(...)`: the models, the HTTP and gRPC transports and uvicorn, put together; what `kclassics serve` runs."""

import asyncio
import concurrent.futures
import os
import signal
import socket
import sys

from kclassics.serving.manager import ModelManager, check_servable  # noqa: F401 - check_servable: the command's early check

SWITCH_INTERVAL = 0.001  # seconds; Python's default is 0.005


def bind(host, port, option="--port"):
    """A listening socket on host:port, or a one-line error naming the option."""
    try:
        info = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    except socket.gaierror as error:
        raise ValueError(f"argument --host: cannot resolve {host!r} ({error.strerror})") from None
    sock = socket.socket(info[0], socket.SOCK_STREAM, socket.IPPROTO_TCP)  # asyncio sets TCP_NODELAY on TCP sockets only
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(info[4])
    except OSError as error:
        sock.close()
        raise ValueError(f"argument {option}: cannot listen on {host}:{port} ({error.strerror})") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def check_arguments(configs, host, port, poll_seconds, batching, max_body_bytes, on_event, grpc_port):
    """`serve`'s arguments, each refused in one line naming it and the value received."""
    from kclassics import validation
    from kclassics.serving.batching import BatchingOptions
    from kclassics.serving.config import ModelConfig

    if not isinstance(configs, (list, tuple)) or not configs or not all(isinstance(c, ModelConfig) for c in configs):
        raise ValueError(f"`configs` must be a non-empty list of ModelConfig. Received: configs={configs!r}")
    names = [c.name for c in configs]
    if len(set(names)) != len(names):
        raise ValueError(f"`configs` must name each model once. Received: {', '.join(sorted({n for n in names if names.count(n) > 1}))} more than once")
    if not isinstance(host, str) or not host:
        raise ValueError(f"`host` must be a host name or address, e.g. '127.0.0.1'. Received: host={host!r}")
    for name, value in (("port", port), ("grpc_port", grpc_port)):
        if value is None and name == "grpc_port":
            continue
        if not validation._is_int(value) or not 0 <= value <= 65535:
            raise ValueError(f"`{name}` must be a port number between 0 and 65535. Received: {name}={value!r}")
    if grpc_port == port != 0:
        raise ValueError(f"`grpc_port` must differ from `port`. Received: port={port}, grpc_port={grpc_port}")
    validation.non_negative_float("poll_seconds", poll_seconds)
    if batching is not None and not isinstance(batching, BatchingOptions):
        raise ValueError(f"`batching` must be a BatchingOptions or None. Received: batching={batching!r}")
    validation.positive_int("max_body_bytes", max_body_bytes)
    if not callable(on_event):
        raise ValueError(f"`on_event` must be callable (it receives each line to tell). Received: on_event={on_event!r}")


def _address(host, port):
    return f"{host if ':' not in host else f'[{host}]'}:{port}"


def load_version(batching):
    """The manager's `load`: a `Servable`, its warm-up requests replayed (and its batched call traced) before it is AVAILABLE."""
    from kclassics.serving import warmup
    from kclassics.serving.servable import Servable

    def load(model_name, version, path):
        servable = Servable(model_name, version, path, warm=batching is not None)
        servable.warmup_requests = warmup.replay(servable, batched=batching is not None)
        return servable

    return load


def serve(configs, host="127.0.0.1", port=8501, poll_seconds=1.0, batching=None, max_body_bytes=64 << 20, on_event=print,
          grpc_port=None):
    """Serves `configs` over HTTP (and gRPC) until SIGTERM or SIGINT, which let requests in flight finish first.

    Args:
        configs: `ModelConfig`s.
        host, port: where to listen for HTTP (port 0: any free port; the chosen one is announced).
        poll_seconds: seconds between scans of the base directories; 0 scans once.
        batching: `BatchingOptions` to merge concurrent requests, or None.
        max_body_bytes: larger request bodies (and gRPC messages) are refused (413, RESOURCE_EXHAUSTED).
        on_event: called with each line worth telling the user (listening, versions loaded and unloaded).
        grpc_port: where to listen for gRPC (TF Serving's and KServe V2's) on `host`; None: no gRPC, 0: any free port.

    Returns:
        A list of start-up failures (one line per model that could not load any version); empty after a clean stop.
    """
    import contextlib

    import uvicorn

    from kclassics.serving.app import ServingApp
    from kclassics.serving.core import ServingCore

    check_arguments(configs, host, port, poll_seconds, batching, max_body_bytes, on_event, grpc_port)
    check_servable(configs)
    sock = bind(host, port)
    grpc_sock = None
    if grpc_port is not None:
        grpc_sock = bind(host, grpc_port, "--grpc-port")  # checks the port and reserves it; gRPC listens on it below
    executor = concurrent.futures.ThreadPoolExecutor(max_workers=max(4, os.cpu_count() or 1), thread_name_prefix="kclassics-serving")
    manager = ModelManager(configs, poll_seconds, load_version(batching), on_event)
    core = ServingCore(manager, executor, batching)
    app = ServingApp(manager, executor, batching, max_body_bytes, core=core)
    failures = []
    server = None

    def initial_load(lines):
        if lines:
            failures.extend(lines)
            server.should_exit = True

    @contextlib.asynccontextmanager
    async def lifespan(_):
        manager.start(initial_load)
        yield
        manager.stop()

    # http stays "auto": httptools when installed, else h11; the loop is asyncio's when gRPC shares it.
    config = uvicorn.Config(
        app.asgi(lifespan), log_level="warning", access_log=False, timeout_graceful_shutdown=60, lifespan="on",
        timeout_keep_alive=30, loop="auto" if grpc_port is None else "asyncio",
    )
    server = uvicorn.Server(config)

    async def main():
        grpc = None
        shown = sock.getsockname()
        line = f"listening on http://{_address(shown[0], shown[1])}"
        if grpc_sock is not None:
            from kclassics.serving.grpc_server import grpc_server

            grpc = grpc_server(core, max_body_bytes)
            grpc_host, grpc_shown = grpc_sock.getsockname()[:2]
            grpc_sock.close()  # gRPC binds the port itself (SO_REUSEADDR: at once)
            if grpc.add_insecure_port(_address(grpc_host, grpc_shown)) != grpc_shown:
                raise ValueError(f"argument --grpc-port: cannot listen on {host}:{grpc_shown}")
            await grpc.start()
            line += f" and grpc://{_address(grpc_host, grpc_shown)}"
        on_event(f"{line} ({', '.join(c.name for c in configs)}; batching {'on' if batching else 'off'})")
        try:
            await server.serve(sockets=[sock])
        finally:
            if grpc is not None:
                await grpc.stop(grace=30)  # calls in flight finish; new ones are refused

    # uvicorn re-raises the signal it stopped on after its graceful shutdown; a drained SIGTERM is a clean exit.
    previous = signal.signal(signal.SIGTERM, lambda *_: None)
    # The event loop parses requests while batches run in threads; it gets the GIL back after 1 ms, not 5.
    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(min(switch_interval, SWITCH_INTERVAL))
    try:
        _run(main(), config.get_loop_factory() or asyncio.new_event_loop)
    finally:
        signal.signal(signal.SIGTERM, previous)
        sys.setswitchinterval(switch_interval)
        manager.stop()
        executor.shutdown(wait=False, cancel_futures=True)
        sock.close()
    return failures


def _run(coroutine, loop_factory):
    """`asyncio.run` on a loop of `loop_factory` (uvicorn's choice of loop)."""
    loop = loop_factory()
    try:
        asyncio.set_event_loop(loop)
        return loop.run_until_complete(coroutine)
    finally:
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        asyncio.set_event_loop(None)
        loop.close()

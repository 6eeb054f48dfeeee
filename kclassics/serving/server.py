"""`serve(...)`: the models, the app and uvicorn, put together; what `kclassics serve` runs."""

import concurrent.futures
import contextlib
import functools
import os
import signal
import socket
import sys

from kclassics.serving.app import ServingApp
from kclassics.serving.manager import ModelManager, version_directories


SWITCH_INTERVAL = 0.001  # seconds; Python's default is 0.005


def check_servable(configs):
    """Refuses, before anything loads, a model whose base directory holds no `<integer>/saved_model.pb`."""
    for config in configs:
        base = config.base_path
        if not base.exists():
            raise FileNotFoundError(f"No model base directory at {base}. Received: base_path={str(base)!r} for model {config.name!r}")
        if not base.is_dir():
            raise NotADirectoryError(f"The model base path {base} is a file, not a directory (of <integer>/saved_model.pb versions).")
        if (base / "saved_model.pb").is_file():
            raise ValueError(
                f"{base} is a SavedModel itself; serving reads a base directory of versions: move it to {base}/1 "
                f"and serve {base}. Received: base_path={str(base)!r}"
            )
        present = version_directories(base)
        if not config.policy.select(present):
            found = ", ".join(map(str, sorted(present))) or "none"
            raise ValueError(
                f"Model {config.name!r}: no valid version in {base} (versions with saved_model.pb: {found}; "
                f"policy: {config.policy.describe()}). Expected {base}/<integer>/saved_model.pb"
            )


def bind(host, port):
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
        raise ValueError(f"argument --port: cannot listen on {host}:{port} ({error.strerror})") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def serve(configs, host="127.0.0.1", port=8501, poll_seconds=1.0, batching=None, max_body_bytes=64 << 20, on_event=print):
    """Serves `configs` over HTTP until SIGTERM or SIGINT, which let requests in flight finish first.

    Args:
        configs: `ModelConfig`s.
        host, port: where to listen (port 0: any free port; the chosen one is announced).
        poll_seconds: seconds between scans of the base directories; 0 scans once.
        batching: `BatchingOptions` to merge concurrent requests, or None.
        max_body_bytes: larger request bodies are refused with 413.
        on_event: called with each line worth telling the user (listening, versions loaded and unloaded).

    Returns:
        A list of start-up failures (one line per model that could not load any version); empty after a clean stop.
    """
    import uvicorn

    from kclassics.serving.servable import Servable

    check_servable(configs)
    sock = bind(host, port)
    host_shown, port_shown = sock.getsockname()[:2]
    executor = concurrent.futures.ThreadPoolExecutor(max_workers=max(4, os.cpu_count() or 1), thread_name_prefix="kclassics-serving")
    load = functools.partial(Servable, warm=batching is not None)
    manager = ModelManager(configs, poll_seconds, load, on_event)
    app = ServingApp(manager, executor, batching, max_body_bytes)
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

    # http and loop stay "auto": httptools and uvloop when installed, else h11 and asyncio.
    config = uvicorn.Config(
        app.asgi(lifespan), log_level="warning", access_log=False, timeout_graceful_shutdown=60, lifespan="on",
        timeout_keep_alive=30,
    )
    server = uvicorn.Server(config)
    # uvicorn re-raises the signal it stopped on after its graceful shutdown; a drained SIGTERM is a clean exit.
    previous = signal.signal(signal.SIGTERM, lambda *_: None)
    # The event loop parses requests while batches run in threads; it gets the GIL back after 1 ms, not 5.
    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(min(switch_interval, SWITCH_INTERVAL))
    on_event(f"listening on http://{host_shown if ':' not in host_shown else f'[{host_shown}]'}:{port_shown}"
             f" ({', '.join(c.name for c in configs)}; batching {'on' if batching else 'off'})")
    try:
        server.run(sockets=[sock])
    finally:
        signal.signal(signal.SIGTERM, previous)
        sys.setswitchinterval(switch_interval)
        manager.stop()
        executor.shutdown(wait=False, cancel_futures=True)
        sock.close()
    return failures

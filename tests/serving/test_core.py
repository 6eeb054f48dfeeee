"""The serving core's choice of where a call runs: a fast call on the event loop when nothing else runs, else in a thread."""

import asyncio
import concurrent.futures
import threading

import numpy as np

from tests.serving.conftest import half_plus


class _Manager:
    def __init__(self, servable):
        self.servable = servable

    def resolve(self, name, version=None, label=None):
        return self.servable

    def servables(self):
        return [self.servable]


def _core(tmp_path, **options):
    from kclassics.serving.core import ServingCore
    from kclassics.serving.servable import Servable

    half_plus(tmp_path / "m" / "1", 1.0)
    servable = Servable("m", 1, tmp_path / "m" / "1")
    return ServingCore(_Manager(servable), concurrent.futures.ThreadPoolExecutor(2), **options), servable


def test_a_fast_call_runs_on_the_loop_when_nothing_else_runs(tmp_path):
    core, servable = _core(tmp_path)
    signature = servable.signature(None)
    x = {"x": np.array([2.0, 4.0], np.float32)}
    calls = []  # (the thread of each call, how long the call before it took)
    original = signature.run

    def run(inputs, **options):
        calls.append((threading.current_thread(), signature.seconds))
        return original(inputs, **options)

    signature.run = run

    async def serve(count):
        return [await core.run(servable, signature, x) for _ in range(count)], threading.current_thread()

    outputs, loop_thread = asyncio.run(serve(6))
    for value in outputs:
        np.testing.assert_allclose(next(iter(value.values())), [2.0, 3.0])
    assert calls[0] == (calls[0][0], float("inf")) and calls[0][0] is not loop_thread  # nothing measured yet: a thread
    for thread, before in calls:  # one call at a time: on the loop exactly when the call before it was fast
        assert (thread is loop_thread) == (before < core.inline_seconds), (thread, before)
    assert core.inline_calls == sum(thread is loop_thread for thread, _ in calls) >= 1


def test_calls_go_to_threads_when_slow_or_concurrent(tmp_path):
    core, servable = _core(tmp_path, inline_seconds=0.0)  # every call counts as slow
    signature = servable.signature(None)
    x = {"x": np.array([2.0], np.float32)}

    async def calls(*signatures):
        return await asyncio.gather(*(core.run(servable, s, x) for s in signatures))

    asyncio.run(calls(signature, signature, signature))
    assert core.inline_calls == 0 and core.running == 0

    core.inline_seconds = 1e9  # every call counts as fast, once measured
    other = _core(tmp_path / "other")[1].signature(None)  # not measured yet: it goes to a thread, and while it runs...
    outputs = asyncio.run(calls(other, signature))
    assert core.inline_calls == 0 and core.running == 0  # ...the fast one goes to a thread too
    assert [float(next(iter(o.values()))[0]) for o in outputs] == [2.0, 2.0]
    asyncio.run(calls(signature))  # alone: on the loop
    assert core.inline_calls == 1

"""The serving core's choice of where a call runs: a fast call on the event loop when nothing else runs, else in a thread."""

import asyncio
import concurrent.futures
import threading

import numpy as np
import pytest

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


def test_a_graph_the_single_threaded_executor_refuses_runs_on_the_default_one(tmp_path):
    """A signature with a `tf.map_fn` (lowered to TF1-style control flow, as the encoded-image signatures are) answers
    every call on the loop: the single-threaded executor refuses it once, and the default executor runs it from then on."""
    import tensorflow as tf

    from kclassics.serving.core import ServingCore
    from kclassics.serving.servable import Servable

    class Mapped(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None], tf.float32, name="x")])
        def serve(self, x):
            return {"y": tf.map_fn(lambda v: 2.0 * v, x)}

    module = Mapped()
    tf.saved_model.save(module, str(tmp_path / "m" / "1"), signatures={"serving_default": module.serve})
    servable = Servable("m", 1, tmp_path / "m" / "1")
    signature = servable.signature(None)
    core = ServingCore(_Manager(servable), concurrent.futures.ThreadPoolExecutor(2), inline_seconds=1e9)

    async def calls(count):
        return [await core.run(servable, signature, {"x": np.array([1.0, 2.0], np.float32)}) for _ in range(count)]

    outputs = asyncio.run(calls(4))
    assert [list(o["y"]) for o in outputs] == [[2.0, 4.0]] * 4
    assert core.inline_calls == 3 and not signature.single_threaded


def test_a_bad_input_on_the_loop_is_the_request_s_error(tmp_path):
    """An input the model refuses fails the request alone: the signature keeps the single-threaded executor."""
    import tensorflow as tf

    from kclassics.serving.errors import ServingError

    from kclassics.serving.servable import Servable

    core = _core(tmp_path, inline_seconds=1e9)[0]

    class Checked(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None], tf.float32, name="x")])
        def serve(self, x):
            tf.debugging.assert_non_negative(x, message="x must be >= 0")
            return {"y": x + 1.0}

    module = Checked()
    tf.saved_model.save(module, str(tmp_path / "c" / "1"), signatures={"serving_default": module.serve})
    servable = Servable("c", 1, tmp_path / "c" / "1")
    signature = servable.signature(None)

    async def call(value):
        return await core.run(servable, signature, {"x": np.array([value], np.float32)})

    assert float(asyncio.run(call(1.0))["y"][0]) == 2.0
    with pytest.raises(ServingError, match="x must be >= 0") as raised:
        asyncio.run(call(-1.0))
    assert raised.value.code == "INVALID_ARGUMENT" and signature.single_threaded and core.inline_calls == 1
    assert float(asyncio.run(call(3.0))["y"][0]) == 4.0 and core.inline_calls == 2


def test_a_signature_called_flat_answers_as_its_keyword_call_and_checks_its_inputs(tmp_path):
    """Inputs whose names sort differently from the function's arguments, of different dtypes and shapes:
    the flat call takes them in the signature's order and answers as the keyword call does."""
    import tensorflow as tf

    from kclassics.serving.errors import ServingError
    from kclassics.serving.servable import Servable

    class Model(tf.Module):
        def __init__(self):
            self.scale = tf.Variable(2.0)

        @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32, name="zeta"),
                                      tf.TensorSpec([None], tf.int64, name="alpha"),
                                      tf.TensorSpec([None, 2], tf.float32, name="mid")])
        def serve(self, zeta, alpha, mid):
            return {"out": tf.reduce_sum(zeta, 1) * self.scale + tf.cast(alpha, tf.float32) * 10 + tf.reduce_sum(mid, 1) * 100}

    model = Model()
    tf.saved_model.save(model, str(tmp_path / "m" / "1"), signatures={"serving_default": model.serve})
    servable = Servable("m", 1, tmp_path / "m" / "1")  # holds the variables its signatures use
    signature = servable.signature(None)
    assert signature._flat and list(signature.inputs) == ["alpha", "mid", "zeta"]
    inputs = {"zeta": np.array([[1, 2, 3], [0, 0, 1]], np.float32), "alpha": np.array([1, 2]), "mid": np.ones((2, 2), np.float32)}
    expected = signature.function(**{k: tf.constant(v, dtype=signature.inputs[k].dtype) for k, v in inputs.items()})["out"].numpy()
    np.testing.assert_array_equal(expected, [222.0, 222.0])
    for options in ({}, {"single_threaded": True}, {"batched": True}):
        np.testing.assert_array_equal(signature.run(inputs, **options)["out"], expected)
    with pytest.raises(ServingError, match=r"Input 'mid' expects float32 \[-1, 2\]. Received: shape \[2, 3\]") as error:
        signature.run({**inputs, "mid": np.ones((2, 3), np.float32)})
    assert error.value.code == "INVALID_ARGUMENT"
    with pytest.raises(ServingError, match="takes inputs alpha, mid, zeta. Received: alpha, zeta"):
        signature.run({"zeta": inputs["zeta"], "alpha": inputs["alpha"]})

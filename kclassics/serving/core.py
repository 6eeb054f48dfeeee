"""The one serving core under every protocol: the model manager, the batchers, the threads that run models.

Every endpoint of every protocol (see `protocols.ENDPOINTS`) parses its
request into a call on this core, so TF Serving's REST and gRPC APIs, KServe
V1 and KServe V2 see the same models, versions, labels and batches.
"""

import asyncio
import collections

from kclassics.serving.batching import Batcher

# A signature whose last call took less than this runs on the event loop itself when no
# other call is running: the hand-off to a thread and back costs 0.1-0.2 ms, a tenth of a small model's call,
# and nothing else is waiting. Longer calls, and any call while another runs, go to the thread pool.
INLINE_SECONDS = 0.005


class ServingCore:
    """The models (`manager`), the thread pool the models run in (`executor`) and dynamic batching (`batching`, or None)."""

    def __init__(self, manager, executor, batching=None, inline_seconds=INLINE_SECONDS):
        self.manager, self.executor, self.batching = manager, executor, batching
        self.inline_seconds = inline_seconds
        self.requests = collections.Counter()  # (protocol, model, api, code) -> count
        self.batchers = {}
        self.running = 0  # unbatched signature calls in progress
        self.inline_calls = 0

    def resolve(self, name, version=None, label=None):
        """The servable a request names (the manager's `resolve`)."""
        return self.manager.resolve(name, version, label)

    async def blocking(self, function, *args):
        """`function(*args)` in the executor: work that must not hold up the event loop."""
        return await asyncio.get_running_loop().run_in_executor(self.executor, function, *args)

    async def run(self, servable, signature, inputs):
        """Runs a signature, through its batcher when batching is on and the inputs share one batch size."""
        sizes = {value.shape[0] if value.ndim else None for value in inputs.values()}
        if self.batching is not None and signature.batchable and len(sizes) == 1 and not sizes & {None, 0}:
            key = (id(servable), signature.name, tuple((k, v.shape[1:], v.dtype.str) for k, v in sorted(inputs.items())))
            batcher = self.batchers.get(key)
            if batcher is None or batcher.servable is not servable:
                batcher = Batcher(lambda batch: signature.run(batch, batched=True), self.batching, self.executor)
                batcher.servable, batcher.signature = servable, signature
                self.batchers[key] = batcher
                self._forget_unloaded()
            return await batcher.submit(inputs)
        if not self.running and signature.seconds < self.inline_seconds:
            self.inline_calls += 1
            return signature.run(inputs, single_threaded=True)
        self.running += 1
        try:
            return await self.blocking(signature.run, inputs)
        finally:
            self.running -= 1

    def _forget_unloaded(self):
        live = {id(servable) for servable in self.manager.servables()}
        for key in [k for k, b in self.batchers.items() if id(b.servable) not in live and not b.queue]:
            del self.batchers[key]

    def count(self, protocol, model, api, code):
        self.requests[(protocol, model or "", api, code)] += 1

    def metrics(self):
        """The Prometheus text of the request counters, batches and traces."""
        lines = ["# TYPE kclassics_serving_requests_total counter"]
        for (protocol, name, api, code), count in sorted(self.requests.items()):
            labels = f'protocol="{protocol}",model="{name}",api="{api}",code="{code}"'
            lines.append(f"kclassics_serving_requests_total{{{labels}}} {count}")
        lines.append("# TYPE kclassics_serving_batches_total counter")
        for batcher in list(self.batchers.values()):
            labels = f'model="{batcher.servable.model_name}",version="{batcher.servable.version}",signature="{batcher.signature.name}"'
            lines.append(f"kclassics_serving_batches_total{{{labels}}} {batcher.batches}")
            lines.append(f"kclassics_serving_batched_rows_total{{{labels}}} {batcher.rows}")
        traces, warmed = ["# TYPE kclassics_serving_traces gauge"], ["# TYPE kclassics_serving_warmup_requests gauge"]
        for servable in sorted(self.manager.servables(), key=lambda s: (s.model_name, s.version)):
            name, version = servable.model_name, servable.version
            for signature in servable.signatures.values():
                labels = f'model="{name}",version="{version}",signature="{signature.name}"'
                traces.append(f"kclassics_serving_traces{{{labels}}} {signature.traces}")
            count = getattr(servable, "warmup_requests", 0)
            warmed.append(f'kclassics_serving_warmup_requests{{model="{name}",version="{version}"}} {count}')
        lines += traces + warmed
        return "\n".join(lines) + "\n"

"""Dynamic batching, as TF Serving's `--enable_batching`: concurrent requests merged, run once, split back.

Requests for the same signature (and the same non-batch input shapes) wait in
one queue. A batch closes when it holds `max_batch_size` rows or
`batch_timeout_micros` after its first request, whichever comes first; while a
batch runs, the next one fills, so under load batches close full without
waiting. A batch runs at its own size: the signature's call is traced once,
for any batch size, when the version loads. With `allowed_batch_sizes` (TF
Serving's parameter of that name), a batch is padded (repeating its last row)
up to the next allowed size, for models that want few distinct shapes. A
request larger than `max_batch_size` is split into full batches (TF Serving's
large-batch splitting) and put back together.
"""

import asyncio
import collections
import dataclasses

import numpy as np

from kclassics import validation


@dataclasses.dataclass(frozen=True)
class BatchingOptions:
    """TF Serving's batching parameters: rows per batch, how long a batch waits, how many batches run at once."""

    max_batch_size: int = 32
    batch_timeout_micros: int = 1000
    num_batch_threads: int = 1
    max_enqueued_batches: int = 1000
    allowed_batch_sizes: tuple = ()  # empty: batches of any size, unpadded (TF Serving's default)

    def __post_init__(self):
        validation.positive_int("max_batch_size", self.max_batch_size)
        validation.non_negative_int("batch_timeout_micros", self.batch_timeout_micros)
        validation.positive_int("num_batch_threads", self.num_batch_threads)
        validation.positive_int("max_enqueued_batches", self.max_enqueued_batches)
        if not isinstance(self.allowed_batch_sizes, (tuple, list)):
            raise ValueError(f"`allowed_batch_sizes` must be a list of batch sizes. Received: allowed_batch_sizes={self.allowed_batch_sizes!r}")
        sizes = tuple(self.allowed_batch_sizes)
        object.__setattr__(self, "allowed_batch_sizes", sizes)  # frozen: a list given is kept as a tuple
        if sizes and (
            not all(validation._is_int(size) and size > 0 for size in sizes)
            or list(sizes) != sorted(set(sizes)) or sizes[-1] != self.max_batch_size
        ):
            raise ValueError(
                f"`allowed_batch_sizes` must be increasing positive integers ending at max_batch_size ({self.max_batch_size}), "
                f"as TF Serving requires. Received: allowed_batch_sizes={list(sizes)}"
            )

    def bucket(self, rows):
        """The size a batch of `rows` runs at: the next allowed size, or `rows` itself when any size is allowed."""
        return next((size for size in self.allowed_batch_sizes if size >= rows), rows)


class _Task:
    __slots__ = ("inputs", "rows", "future")

    def __init__(self, inputs, rows, future):
        self.inputs, self.rows, self.future = inputs, rows, future


class Batcher:
    """One queue of requests for one signature; `await batcher.submit(inputs)` returns that request's outputs.

    Args:
        run: `run(inputs) -> outputs`, blocking ({name: array} both ways); called in `executor`.
        options: `BatchingOptions`.
        executor: where batches run (a thread pool: TensorFlow releases the GIL).
    """

    def __init__(self, run, options, executor):
        self.run, self.options, self.executor = run, options, executor
        self.queue = collections.deque()
        self.wakeup = asyncio.Event()
        self.slots = asyncio.Semaphore(options.num_batch_threads)
        self.worker = None
        self.batches = 0
        self.rows = 0

    async def submit(self, inputs):
        rows = len(next(iter(inputs.values())))
        limit = self.options.max_batch_size
        if rows > limit:
            parts = [{k: v[i : i + limit] for k, v in inputs.items()} for i in range(0, rows, limit)]
            results = await asyncio.gather(*(self.submit(part) for part in parts))
            return {k: np.concatenate([r[k] for r in results]) for k in results[0]}
        if len(self.queue) >= self.options.max_enqueued_batches * limit:
            from kclassics.serving.errors import ServingError

            raise ServingError("UNAVAILABLE", "The batch queue is full; try again later.")
        future = asyncio.get_running_loop().create_future()
        self.queue.append(_Task(inputs, rows, future))
        self.wakeup.set()
        if self.worker is None or self.worker.done():
            self.worker = asyncio.get_running_loop().create_task(self._work())
        return await future

    async def _work(self):
        loop = asyncio.get_running_loop()
        while self.queue:
            await self.slots.acquire()
            tasks = await self._collect(loop)
            if not tasks:
                self.slots.release()
                continue
            loop.create_task(self._run(tasks))
        self.worker = None

    async def _collect(self, loop):
        """Takes requests off the queue until the batch is full or its timeout has passed."""
        limit, deadline = self.options.max_batch_size, loop.time() + self.options.batch_timeout_micros / 1e6
        tasks, rows = [], 0
        while True:
            while self.queue and rows + self.queue[0].rows <= limit:
                task = self.queue.popleft()
                if task.future.cancelled():
                    continue
                tasks.append(task)
                rows += task.rows
            remaining = deadline - loop.time()
            if rows >= limit or (self.queue and tasks) or remaining <= 0:
                return tasks
            self.wakeup.clear()
            try:
                await asyncio.wait_for(self.wakeup.wait(), remaining)
            except asyncio.TimeoutError:
                pass

    async def _run(self, tasks):
        try:
            rows = sum(task.rows for task in tasks)
            names = list(tasks[0].inputs)
            batch = {name: np.concatenate([task.inputs[name] for task in tasks]) for name in names}
            padded = self.options.bucket(rows)
            if padded > rows:
                batch = {name: np.concatenate([value, np.repeat(value[-1:], padded - rows, axis=0)]) for name, value in batch.items()}
            try:
                outputs = await asyncio.get_running_loop().run_in_executor(self.executor, self.run, batch)
            except Exception as error:  # noqa: BLE001 - each waiting request gets the batch's error
                for task in tasks:
                    if not task.future.done():
                        task.future.set_exception(error)
                return
            self.batches += 1
            self.rows += rows
            start = 0
            for task in tasks:
                if not task.future.done():
                    task.future.set_result({name: value[start : start + task.rows] for name, value in outputs.items()})
                start += task.rows
        finally:
            self.slots.release()

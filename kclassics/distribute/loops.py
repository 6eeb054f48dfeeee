"""`fit`, `evaluate` and `predict` for the strategies whose Keras 3 loops fail.

Keras 3.15's `Model.fit` refuses a dataset under ParameterServerStrategy
(it must go through `ClusterCoordinator.create_per_worker_dataset`) and fails
under MultiWorkerMirroredStrategy (its symbolic build reduces a batch of
`PerReplica` inputs, and its metric reduction averages scalars over axis 0).
These functions run the same training step (`model.train_step`, so the
model's loss, optimizer and compiled metrics) in a loop that each strategy
supports, with Keras callbacks and a `History`; under any other strategy they
call Keras's own loop unchanged.

Parameter-server semantics (asynchronous): the coordinator schedules each
step on whichever worker is free; every update counts, and at the end of each
epoch `optimizer.iterations` equals the number of updates the parameter
servers applied. Batch callbacks run in scheduling order once their step has
finished; their logs also hold `global_step` (updates applied so far, as
counted on the parameter server) and `worker` (the worker that ran it). Epoch
logs are the compiled metrics, accumulated on the parameter servers by all
workers. Every increment of a variable in the step (metric totals and counts,
`optimizer.iterations`) is one atomic op on its server, so no worker's update
is lost (see `kclassics._keras.atomic_variable_updates`). A step is applied once scheduled,
so a `StopAtStep` callback caps the steps scheduled: training stops at exactly
its step; other ways of stopping (`model.stop_training`) still apply the steps
in flight, up to 4 per worker. Only the optimizers of
`kclassics.distribute.optimizers.ACCEPTED` are accepted. Evaluation and
prediction run on the coordinator, reading the variables from the parameter
servers, so every example counts once.

Multi-worker semantics (synchronous): every worker process runs the same
`fit`; each step all-reduces the gradients of all workers, so all workers hold
identical weights and `optimizer.iterations` counts global steps. Evaluation
and prediction run on each worker over the whole dataset (same result on
every worker).
"""

import collections
import contextlib
import inspect
import weakref

import keras
import tensorflow as tf

from kclassics import _keras as keras_compat
from kclassics.callbacks.stop import StopAtStep
from kclassics.distribute import optimizers, strategies

# Steps kept in flight per worker: enough that no worker idles while the
# coordinator waits for the oldest step's logs.
_IN_FLIGHT_PER_WORKER = 4
_global_steps = weakref.WeakKeyDictionary()


_UNREACHABLE = (tf.errors.UnavailableError, tf.errors.AbortedError, tf.errors.CancelledError)


class ParameterServerError(RuntimeError):
    """A parameter server stopped answering; rerun to resume from the last checkpoint."""


def fit(model, x=None, y=None, *, batch_size=None, epochs=1, verbose="auto", callbacks=None, validation_data=None,
        initial_epoch=0, steps_per_epoch=None, validation_steps=None, validation_freq=1, **kwargs):
    """`model.fit` that also works under ParameterServer and MultiWorkerMirrored strategies.

    Use it for a plain `keras.Model`; kclassics models call it from `Model.fit`.
    Create and compile the model under `strategy.scope()` first.

    Args:
        model: a compiled `keras.Model`.
        x: a `tf.data.Dataset` of `(inputs, targets)` batches (under ParameterServerStrategy
            each worker rebuilds a copy from its serialised graph), or a function
            `dataset_fn(input_context)` returning one (called once per worker, so each
            worker reads its own shard). Under the other strategies, anything `keras.Model.fit` takes.
        y, batch_size: as in `keras.Model.fit`; not accepted with the distributed loop.
        epochs, verbose, callbacks, validation_data, initial_epoch, validation_freq: as in `keras.Model.fit`.
        steps_per_epoch: steps per epoch; required under ParameterServerStrategy and
            MultiWorkerMirroredStrategy, where the training dataset should repeat.
        validation_steps: batches of `validation_data` per evaluation (default: all).
        **kwargs: other `keras.Model.fit` arguments, for the strategies Keras handles.

    Returns:
        A `keras.callbacks.History`.
    """
    strategy = strategies.strategy_of(model)
    if not strategies.needs_own_loop(strategy):
        if isinstance(x, tf.data.Dataset):
            # Keras ignores `shuffle` for a Dataset but warns on every fit with its default True.
            kwargs.setdefault("shuffle", False)
        return keras.Model.fit(
            model, x, y, batch_size=batch_size, epochs=epochs, verbose=verbose, callbacks=callbacks,
            validation_data=validation_data, initial_epoch=initial_epoch, steps_per_epoch=steps_per_epoch,
            validation_steps=validation_steps, validation_freq=validation_freq, **kwargs,
        )
    loop_class = _ParameterServerLoop if strategies.is_parameter_server(strategy) else _MultiWorkerLoop
    _check_arguments(loop_class.name, x, y, batch_size, steps_per_epoch, kwargs)
    _check_positive("epochs", epochs, allow_zero=True)
    keras_compat.assert_compiled(model, "fit")
    if loop_class is _ParameterServerLoop:
        optimizers.check_parameter_server_optimizer(model.optimizer)
    loop = loop_class(model, strategy)
    callbacks = _callback_list(model, callbacks, verbose, epochs, steps_per_epoch)
    iterator = loop.training_iterator(x)
    if isinstance(validation_data, (tuple, list)):
        *val_x_y, val_weight = keras.utils.unpack_x_y_sample_weight(tuple(validation_data))
    else:
        val_x_y, val_weight = (validation_data, None), None

    with loop.failures():
        model.stop_training = False
        callbacks.on_train_begin()
        loop.on_train_begin(callbacks)
        epoch_logs = None
        for epoch in range(model._initial_epoch or initial_epoch, epochs):
            model.reset_metrics()
            callbacks.on_epoch_begin(epoch)
            epoch_logs = loop.run_epoch(iterator, steps_per_epoch, callbacks)
            if validation_data is not None and (epoch + 1) % validation_freq == 0:
                val_logs = evaluate(
                    model, *val_x_y, sample_weight=val_weight, steps=validation_steps, callbacks=callbacks, verbose=0, return_dict=True
                )
                epoch_logs.update({f"val_{name}": value for name, value in val_logs.items()})
            callbacks.on_epoch_end(epoch, epoch_logs)
            if model.stop_training:
                break
        callbacks.on_train_end(logs=epoch_logs)
    return model.history


def evaluate(model, x=None, y=None, **kwargs):
    """`model.evaluate` under any strategy; arguments and return value as in `keras.Model.evaluate`.

    Under ParameterServerStrategy it runs on the coordinator, under
    MultiWorkerMirroredStrategy on each worker, over the whole dataset.
    """
    with _in_this_process(model):
        return keras.Model.evaluate(model, x, y, **kwargs)


def predict(model, x, **kwargs):
    """`model.predict` under any strategy; arguments and return value as in `keras.Model.predict`."""
    with _in_this_process(model):
        return keras.Model.predict(model, x, **kwargs)


@contextlib.contextmanager
def _in_this_process(model):
    """Runs Keras's evaluate/predict loops in this process, reading the distributed variables."""
    strategy = strategies.strategy_of(model)
    if not strategies.needs_own_loop(strategy):
        yield
        return
    if tf.distribute.has_strategy():
        raise RuntimeError(
            "Call evaluate/predict outside `strategy.scope()` under this strategy; they run in this "
            f"process and read the distributed variables. Active strategy: {type(strategy).__name__}"
        )
    with keras_compat.fresh_compiled_loops(model):
        yield


class _ParameterServerLoop:
    """Schedules training steps on the workers through a `ClusterCoordinator`."""

    name = "ParameterServerStrategy"

    def __init__(self, model, strategy):
        self.model = model
        self.strategy = strategy
        self.coordinator = tf.distribute.coordinator.ClusterCoordinator(strategy)
        self.num_workers = strategy.extended._num_workers  # no public accessor in TF 2.21
        global_step = _global_steps.get(model)
        with strategy.scope():
            _build_optimizer(model)
            if global_step is None:
                global_step = tf.Variable(0, dtype=tf.int64, trainable=False, name="kclassics_global_step")
                _global_steps[model] = global_step
        self.global_step = global_step

        @tf.function
        def train_function(iterator):
            def step(data):
                with keras_compat.atomic_variable_updates():
                    logs = model.train_step(data)
                logs["global_step"] = global_step.assign_add(1)
                logs["worker"] = tf.distribute.coordinator.experimental_get_current_worker_index()
                return logs

            return strategy.run(step, args=(next(iterator),))

        self.train_function = train_function

    def on_train_begin(self, callbacks):
        # Count on from `optimizer.iterations`, which a resumed run has restored (BackupAndRestore).
        start = int(keras.ops.convert_to_numpy(_iterations(self.model)))
        self.global_step.assign(start)
        # Steps still to schedule: a scheduled step is applied even if training stops while it is in flight,
        # so the step at which a StopAtStep ends training caps what is scheduled.
        stops = [_last_step(callback, start) for callback in callbacks.callbacks if isinstance(callback, StopAtStep)]
        self.steps_left = max(0, min(stops) - start) if stops else None

    def training_iterator(self, x):
        # A Dataset is serialised as a graph and rebuilt on each worker (also on a worker that comes back); its
        # handle is a resource of this process that cannot be copied to another.
        with self.strategy.scope():
            per_worker = self.coordinator.create_per_worker_dataset(x if isinstance(x, tf.data.Dataset) else _as_dataset_fn(x))
        return iter(per_worker)

    def run_epoch(self, iterator, steps, callbacks):
        in_flight = collections.deque()
        limit = _IN_FLIGHT_PER_WORKER * self.num_workers
        if self.steps_left is not None:
            steps = min(steps, self.steps_left)
            self.steps_left -= steps
        for step in range(steps):
            callbacks.on_train_batch_begin(step)
            in_flight.append((step, self.coordinator.schedule(self.train_function, args=(iterator,))))
            while len(in_flight) > limit:
                self._finish(*in_flight.popleft(), callbacks)
            if self.model.stop_training:
                break
        while in_flight:
            self._finish(*in_flight.popleft(), callbacks)
        self.coordinator.join()
        self.model.optimizer.iterations.assign(tf.cast(self.global_step.read_value(), self.model.optimizer.iterations.dtype))
        return {name: float(value) for name, value in _numpy(self.model.get_metrics_result()).items()}

    @contextlib.contextmanager
    def failures(self):
        """Turns the errors of a lost parameter server into one that says what to do."""
        try:
            yield
        except _UNREACHABLE as error:
            if self._parameter_servers_answer():
                raise
            raise ParameterServerError(
                "A parameter server stopped answering, so training cannot go on (its variables are lost). Restart "
                "the ps task and rerun the same command: training resumes from the last checkpoint written by "
                f"BackupAndRestore or kclassics' checkpoint callback. Cause: {str(error).splitlines()[0]}"
            ) from error

    def _finish(self, step, result, callbacks):
        """Runs the batch-end callbacks of a finished step with its logs."""
        try:
            logs = _numpy(result.fetch())
            self.last_logs = logs
        except _UNREACHABLE:
            if not self._parameter_servers_answer():
                raise
            # The step's update reached the parameter servers, but its outputs
            # died with its worker: report the latest logs that survived.
            logs = {k: v for k, v in getattr(self, "last_logs", {}).items() if k not in ("global_step", "worker")}
        callbacks.on_train_batch_end(step, logs)

    def _parameter_servers_answer(self):
        try:
            self.global_step.read_value()
            return True
        except _UNREACHABLE:
            return False


class _MultiWorkerLoop:
    """Synchronous steps, all-reduced across the worker processes."""

    name = "MultiWorkerMirroredStrategy"

    def __init__(self, model, strategy):
        self.model = model
        self.strategy = strategy
        with strategy.scope():
            _build_optimizer(model)

        @tf.function
        def train_function(iterator):
            logs = strategy.run(model.train_step, args=(next(iterator),))
            return {name: strategy.reduce("MEAN", value, axis=None) for name, value in logs.items()}

        self.train_function = train_function

    def failures(self):
        return contextlib.nullcontext()

    def on_train_begin(self, callbacks):
        pass

    def training_iterator(self, x):
        if isinstance(x, tf.data.Dataset):
            return iter(self.strategy.experimental_distribute_dataset(x))
        return iter(self.strategy.distribute_datasets_from_function(_as_dataset_fn(x)))

    def run_epoch(self, iterator, steps, callbacks):
        logs = {}
        for step in range(steps):
            callbacks.on_train_batch_begin(step)
            logs = _numpy(self.train_function(iterator))
            callbacks.on_train_batch_end(step, logs)
            if self.model.stop_training:
                break
        return {name: float(value) for name, value in logs.items()}





def _build_optimizer(model):
    """Creates the optimizer's slots under the strategy before the first step is traced."""
    if not model.optimizer.built:
        model.optimizer.build(model.trainable_variables)


def _iterations(model):
    return model.optimizer.iterations.value if hasattr(model.optimizer.iterations, "value") else model.optimizer.iterations


def _as_dataset_fn(dataset_fn):
    return lambda input_context=None: _call_dataset_fn(dataset_fn, input_context)


def _last_step(stop_at_step, start):
    """The global step at which a `StopAtStep` ends a `fit` that starts at global step `start`."""
    return stop_at_step.last_step if stop_at_step.last_step is not None else start + stop_at_step.num_steps


def _call_dataset_fn(dataset_fn, input_context):
    try:
        takes_context = bool(inspect.signature(dataset_fn).parameters)
    except (TypeError, ValueError):  # builtins without a signature
        takes_context = True
    return dataset_fn(input_context) if takes_context else dataset_fn()


def _numpy(logs):
    return {name: keras.ops.convert_to_numpy(value) for name, value in logs.items()}


def _callback_list(model, callbacks, verbose, epochs, steps):
    if isinstance(callbacks, keras.callbacks.CallbackList):
        return callbacks
    return keras.callbacks.CallbackList(
        callbacks, add_history=True, add_progbar=verbose != 0, verbose=verbose, epochs=epochs, steps=steps, model=model
    )


def _check_arguments(strategy_name, x, y, batch_size, steps_per_epoch, kwargs):
    if not (isinstance(x, tf.data.Dataset) or callable(x)):
        raise ValueError(
            f"Under {strategy_name}, `x` must be a tf.data.Dataset of (inputs, targets) batches or a function "
            f"dataset_fn(input_context) returning one. Received: x of type {type(x).__name__}"
        )
    for name, value in (("y", y), ("batch_size", batch_size)):
        if value is not None:
            raise ValueError(f"Under {strategy_name}, put targets and batching in the dataset. Received: {name}={value!r}")
    unsupported = {k: v for k, v in kwargs.items() if k != "shuffle" and v not in (None, 0, 0.0)}
    if unsupported:
        raise ValueError(f"Under {strategy_name} these fit arguments are not supported. Received: {unsupported!r}")
    if steps_per_epoch is None:
        raise ValueError(
            f"Under {strategy_name}, `steps_per_epoch` is required: workers read repeating datasets, so an epoch "
            "has no natural end. Received: steps_per_epoch=None"
        )
    _check_positive("steps_per_epoch", steps_per_epoch)


def _check_positive(name, value, allow_zero=False):
    low = 0 if allow_zero else 1
    if not isinstance(value, int) or isinstance(value, bool) or value < low:
        raise ValueError(f"`{name}` must be an integer >= {low}. Received: {name}={value!r}")

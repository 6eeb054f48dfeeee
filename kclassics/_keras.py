"""Every use of Keras's and keras-tuner's private names in kclassics, in one place, so an upgrade is checked here.

Keras 3.15's internals these rely on: the functional model class and its
argument test (`kclassics.Model`), a model's build before training, its compile check and its cached
strategy and compiled loops (parameter-server `fit`), the two-step
`Variable.assign_add` (replaced while a parameter-server step is traced), a
layer's direct sublayers, the backend's shape-only trace (the profiler) and an
optimizer's learning-rate schedule (read per step by the skip-gram's multi-step call).
keras-tuner 1.4's: the trial statuses, the chief's test and servicer, and its
debug switch (the search). TensorFlow's are in `kclassics._tensorflow`.
"""

import contextlib

import keras
from keras.src.models.functional import Functional  # noqa: F401  (the class kclassics.FunctionalModel extends)
from keras.src.models.model import functional_init_arguments  # noqa: F401  (whether Model(...) builds a graph)


def build_for_training(model, data):
    """Creates what `model`'s compiled training step holds (optimizer, loss and metric state) for a batch `data = (x, y, sample_weight)`, as `fit` does first."""
    model._symbolic_build(data_batch=data)


def assert_compiled(model, method):
    """Raises Keras's own error when `model` was not compiled before `method` ("fit", "evaluate")."""
    model._assert_compile_called(method)


def distribute_strategy(model):
    """The `tf.distribute` strategy a model was built under, or None."""
    return getattr(model, "_distribute_strategy", None)


@contextlib.contextmanager
def fresh_compiled_loops(model):
    """Keras caches its compiled evaluate/predict loops with the strategy they were built for: start from none."""
    saved = model._distribute_strategy, model.test_function, model.predict_function
    model._distribute_strategy = model.test_function = model.predict_function = None
    try:
        yield
    finally:
        model._distribute_strategy, model.test_function, model.predict_function = saved


@contextlib.contextmanager
def atomic_variable_updates():
    """While a step is traced, `assign_add` and `assign_sub` of Keras variables are the tf.Variable's own ops.

    Keras 3 implements them as a read followed by a separate write
    (`assign(self + value)`). On a parameter server the steps of two workers
    interleave between the two, and one worker's update is lost: metric totals
    and counts drop steps (an epoch's mean loss came out 1.84 where its steps
    averaged 2.1) and `optimizer.iterations` lags. The tf.Variable's
    AssignAdd/AssignSub apply each update whole, under the variable's lock on
    the server. Only the graph being traced is affected: the body of a
    `tf.function` runs in Python when it is traced, not when it is called.
    """
    import tensorflow as tf

    keras_updates = {name: getattr(keras.Variable, name) for name in ("assign_add", "assign_sub")}
    own = {name: keras.Variable.__dict__.get(name) for name in keras_updates}

    def atomic(name):
        def update(variable, value):
            target = variable.value
            if not isinstance(target, tf.Variable):  # an autocast read or a sharded variable: Keras's own path
                return keras_updates[name](variable, value)
            return getattr(target, name)(tf.cast(value, target.dtype))

        return update

    for name in keras_updates:
        setattr(keras.Variable, name, atomic(name))
    try:
        yield
    finally:
        for name, method in own.items():
            if method is None:
                delattr(keras.Variable, name)
            else:
                setattr(keras.Variable, name, method)

def sublayers(layer):
    """A layer's (or model's) direct sublayers, in the order Keras tracks them."""
    return list(layer._flatten_layers(include_self=False, recursive=False))


def compute_output_spec(fn, *args, **kwargs):
    """The backend's shape-only trace of `fn` (`jax.eval_shape` on JAX, a traced function on TensorFlow)."""
    from keras.src.backend import compute_output_spec as trace

    return trace(fn, *args, **kwargs)


def trial_status():
    """keras-tuner's `TrialStatus` (COMPLETED, STOPPED, FAILED, ...)."""
    from keras_tuner.src.engine.trial import TrialStatus

    return TrialStatus


def is_chief_oracle():
    """Whether this process is keras-tuner's chief (`KERASTUNER_TUNER_ID=chief`)."""
    from keras_tuner.src.distribute import utils

    return utils.is_chief_oracle()


@contextlib.contextmanager
def keras_tuner_debug(enabled):
    """keras-tuner's DEBUG switch (a failed trial's traceback printed, or one line) for the block."""
    from keras_tuner.src import config

    saved, config.DEBUG = config.DEBUG, enabled
    try:
        yield
    finally:
        config.DEBUG = saved


def oracle_servicer(oracle, server):
    """keras-tuner's gRPC `OracleServicer` of `oracle`, added to `server`; returns it and the chief's exit test."""
    from keras_tuner.src import protos
    from keras_tuner.src.distribute import oracle_chief

    servicer = oracle_chief.OracleServicer(oracle)
    protos.get_service_grpc().add_OracleServicer_to_server(servicer, server)
    return servicer, lambda: oracle_chief.exit_chief(oracle)


def learning_rate_at(optimizer, step):
    """The optimizer's learning rate at iteration `step` (its schedule's value there, or its fixed rate)."""
    schedule = optimizer._learning_rate
    if isinstance(schedule, keras.optimizers.schedules.LearningRateSchedule):
        return schedule(step)
    return optimizer.learning_rate

"""Reading layer outputs and inputs of the batch being trained on, without touching the model.

`model.fit` gives callbacks the batch's metrics but not the batch. `BatchProbe`
wraps the model's `train_step` for the duration of `fit`: at qualifying global
steps, before the step's update, it evaluates a side model
`keras.Model(model.inputs, [layer.output, ...])` on the step's inputs with
`training=False` (so dropout and batch-norm statistics are untouched) and hands
the results to Python with `tf.py_function`. The model, its layers and its
forward graph are not changed; `train_step` and XLA compilation are put back
when `fit` ends. Under a distribution strategy each replica sends its share
of the batch and the shares are joined in replica order.
"""

import threading

import keras
import numpy as np
import tensorflow as tf

from kclassics.callbacks._base import StepCallback


def _layer_outputs(model, layer_names, argument):
    """{name: symbolic output} of the named layers; `argument` names the callback's argument in errors."""
    if not getattr(model, "inputs", None):
        raise ValueError(
            f"`{argument}` needs a functional or Sequential model with an Input, whose layer outputs are reachable "
            f"by name; received a subclassed or unbuilt {type(model).__name__}."
        )
    available = [layer.name for layer in model.layers]
    outputs = {}
    for name in layer_names:
        if name not in available:
            raise ValueError(
                f"The model has no layer named {name!r}. Available: {', '.join(available)}. Received: {argument}={name!r}"
            )
        layer_output = model.get_layer(name).output
        flat = keras.tree.flatten(layer_output)
        for index, tensor in enumerate(flat):
            outputs[name if len(flat) == 1 else f"{name}:{index}"] = tensor
    return outputs


def _attach(model, probe):
    """Adds `probe` to the model's probed `train_step`, installing it on the first probe.

    One wrapper serves every probe of a `fit`, so probes may end in any order;
    probes left by a `fit` that raised (their `params` are another fit's) are dropped.
    """
    hook = model.__dict__.get("train_step")
    if getattr(hook, "probes", None) is None:
        inner_train_step = model.train_step
        restore = ("train_step" in model.__dict__, inner_train_step, model.jit_compile)
        probes = []

        def hook(data):
            for active in probes:
                active._probe(data)
            return inner_train_step(data)

        hook.probes, hook.restore = probes, restore
        model.train_step = hook
        model.jit_compile = False  # tf.py_function cannot run inside an XLA cluster.
    hook.probes[:] = [p for p in hook.probes if p.params is probe.params and p is not probe] + [probe]
    model.make_train_function(force=True)  # traced at the first step, with every probe attached by then


def _detach(model, probe):
    """Removes `probe`; the last one out puts back the original `train_step` and XLA setting."""
    hook = model.__dict__.get("train_step")
    if probe not in (getattr(hook, "probes", None) or ()):
        return
    hook.probes.remove(probe)
    if not hook.probes:
        had_own_train_step, train_step, jit_compile = hook.restore
        if had_own_train_step:
            model.train_step = train_step
        else:
            del model.__dict__["train_step"]
        model.jit_compile = jit_compile
    model.train_function = None  # the next fit builds it afresh


def check_names(names, argument):
    """`names` (a string or a sequence of strings) as a tuple, or a ValueError naming `argument`."""
    names = (names,) if isinstance(names, str) else tuple(names)
    if not all(isinstance(name, str) and name for name in names):
        raise ValueError(f"`{argument}` must be layer names (strings). Received: {argument}={names!r}")
    return names


class BatchProbe(StepCallback):
    """Base class of callbacks that look at the tensors of the current training batch.

    Subclasses implement `on_batch_values(step, values, inputs)`, where `values`
    maps each probed layer name to a numpy array holding the whole global batch,
    and `inputs` is the batch's (first) model input with `capture_inputs`, else None.

    Args:
        layer_names: names of the layers whose outputs are read.
        names_argument: the subclass's argument holding `layer_names`, for error messages.
        every_n_steps: probe at every multiple of this global step.
        first_n_steps: also probe each of the first global steps up to this one.
        capture_inputs: also hand over the batch's (first) model input.
    """

    def __init__(self, layer_names, every_n_steps, first_n_steps=0, capture_inputs=False, names_argument="names"):
        super().__init__(every_n_steps, first_n_steps)
        self.layer_names = tuple(layer_names)
        self.names_argument = names_argument
        self.capture_inputs = capture_inputs
        self._lock = threading.Lock()
        self._received = {}
        self._side_model = None
        self._output_names = ()

    @property
    def probing(self):
        return bool(self.layer_names) or self.capture_inputs

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        if not self.probing:
            return
        model = self.model
        outputs = _layer_outputs(model, self.layer_names, self.names_argument) if self.layer_names else {}
        self._output_names = tuple(outputs)
        self._side_model = keras.Model(model.inputs, list(outputs.values())) if outputs else None
        self._received = {}
        _attach(model, self)

    def on_train_end(self, logs=None):
        self.release()

    def release(self):
        """Takes this probe out of the model's `train_step` (done when `fit` ends;
        call it yourself if `fit` raised and the model is used on)."""
        if self.model is not None:
            _detach(self.model, self)

    def _probe(self, data):
        x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        step = tf.cast(self.model.optimizer.iterations, tf.int64) + 1
        fires = tf.logical_or(step <= self.first_n_steps, tf.equal(step % self.every_n_steps, 0))

        def send():
            tensors = list(keras.tree.flatten(self._side_model(x, training=False))) if self._side_model else []
            if self.capture_inputs:
                tensors.append(keras.tree.flatten(x)[0])
            replica = tf.distribute.get_replica_context().replica_id_in_sync_group
            tf.py_function(self._receive, [step, replica, *tensors], Tout=[])
            return tf.constant(True)

        tf.cond(fires, send, lambda: tf.constant(False))

    def _receive(self, step, replica, *tensors):
        arrays = [np.asarray(t) for t in tensors]
        with self._lock:
            self._received.setdefault(int(step), {})[int(replica)] = arrays

    def on_train_batch_end(self, batch, logs=None):
        super().on_train_batch_end(batch, logs)
        with self._lock:
            received, self._received = self._received, {}
        for step in sorted(received):
            shares = [received[step][replica] for replica in sorted(received[step])]
            joined = [np.concatenate(pieces, axis=0) for pieces in zip(*shares)]
            values = dict(zip(self._output_names, joined))
            inputs = joined[-1] if self.capture_inputs else None
            self.on_batch_values(step, values, inputs)

    def on_step(self, step, logs):
        """Probes act in `on_batch_values`; subclasses may also act on the step's metrics here."""

    def on_batch_values(self, step, values, inputs):
        """Acts on the probed layer outputs (name -> numpy array) and inputs of global step `step`."""
        raise NotImplementedError

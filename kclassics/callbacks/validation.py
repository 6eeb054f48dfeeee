"""ValidationMonitor: evaluation and early stopping every N global steps (book 10.5, L7006-L7050)."""

import numpy as np
import keras
import tensorflow as tf

from kclassics.callbacks._base import StepTrigger, check_positive_int, format_values, global_step, log, patience_in_evaluations


def _check_validation_data(validation_data):
    if isinstance(validation_data, tf.data.Dataset) or isinstance(validation_data, keras.utils.PyDataset):
        return validation_data
    if isinstance(validation_data, (tuple, list)) and len(validation_data) in (2, 3):
        return tuple(validation_data)
    raise ValueError(
        "`validation_data` must be a tuple (x, y) or (x, y, sample_weight), a tf.data.Dataset or a "
        f"keras.utils.PyDataset. Received: validation_data of type {type(validation_data).__name__}"
    )


def _check_metrics(metrics):
    """The extra metrics as a dict name -> keras.metrics.Metric."""
    if metrics is None:
        return {}
    items = metrics.items() if isinstance(metrics, dict) else [(None, metric) for metric in metrics]
    checked = {}
    for name, metric in items:
        if isinstance(metric, str):
            metric = keras.metrics.get(metric)
        if not isinstance(metric, keras.metrics.Metric):
            if not callable(metric):
                raise ValueError(
                    "`metrics` must be a dict of name -> keras.metrics.Metric (or metric function), or a list of them. "
                    f"Received: metrics={metrics!r}"
                )
            metric = keras.metrics.MeanMetricWrapper(metric, name=name or metric.__name__)
        checked[name or metric.name] = metric
    return checked


class ValidationMonitor(keras.callbacks.EarlyStopping):
    """Evaluates on validation data every N global steps and stops early, like the book's ValidationMonitor.

    Each evaluation logs `Validation (step N): loss = v, <metric> = v, ...`
    and adds the results to that step's logs as `val_<name>`, for callbacks
    placed after this one (e.g. `ExportMonitor(best_only_metric="val_loss")`).
    When `early_stopping_rounds` steps pass without improving
    `early_stopping_metric`, training stops with
    `Stopping. Best step: B with loss = v.` (book 10.5, L7050).

    It extends Keras's `EarlyStopping`, whose improvement test and best-weight
    restoring it reuses, treating each evaluation as one of its epochs; the
    patience is the number of evaluations spanning `early_stopping_rounds`
    steps. The results are `model.evaluate`'s (loss and compiled metrics) plus
    `metrics` computed on `model.predict`; the model's running training
    metrics are saved and put back around each evaluation.

    Args:
        validation_data: `(x, y)`, `(x, y, sample_weight)`, or a tf.data.Dataset
            / PyDataset of `(x, y)` batches in a fixed order.
        every_n_steps: evaluate at every multiple of this global step.
        metrics: extra metrics: a dict name -> `keras.metrics.Metric` (or a
            metric function or name), or a list of them. Default: only the
            model's loss and compiled metrics.
        early_stopping_metric: name of the result to watch.
        early_stopping_metric_minimize: whether smaller is better.
        early_stopping_rounds: steps without improvement before stopping, or
            None to never stop.
        restore_best: put back the weights of the best evaluation when training
            ends (TF.Learn did not; default False).
        batch_size: evaluation batch size for array data.

    Attributes:
        best_step: global step of the best evaluation (None before the first).
        best_value: the best value of `early_stopping_metric`.
        early_stopped: whether this callback stopped training.
        evaluations: list of `(step, results)` of every evaluation.
    """

    def __init__(
        self,
        validation_data,
        every_n_steps=100,
        metrics=None,
        early_stopping_metric="loss",
        early_stopping_metric_minimize=True,
        early_stopping_rounds=None,
        restore_best=False,
        batch_size=None,
    ):
        self.trigger = StepTrigger(every_n_steps)
        check_positive_int("early_stopping_rounds", early_stopping_rounds, allow_none=True)
        check_positive_int("batch_size", batch_size, allow_none=True)
        if not isinstance(early_stopping_metric, str) or not early_stopping_metric:
            raise ValueError(f"`early_stopping_metric` must be a metric name. Received: early_stopping_metric={early_stopping_metric!r}")
        super().__init__(
            monitor=early_stopping_metric,
            mode="min" if early_stopping_metric_minimize else "max",
            patience=patience_in_evaluations(early_stopping_rounds, every_n_steps),
            restore_best_weights=bool(restore_best),
        )
        self.validation_data = _check_validation_data(validation_data)
        self.metrics = _check_metrics(metrics)
        self.every_n_steps = self.trigger.every_n_steps
        self.early_stopping_metric = early_stopping_metric
        self.early_stopping_rounds = early_stopping_rounds
        self.batch_size = batch_size
        self._reset()

    def _reset(self):
        self.best_step = None
        self.early_stopped = False
        self.evaluations = []
        self._steps_of_evaluations = []

    @property
    def best_value(self):
        return self.best

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        self._reset()
        self.trigger.start(global_step(self.model))

    def on_epoch_end(self, epoch, logs=None):
        """Keras epochs play no part: evaluations happen at global steps."""

    def on_train_batch_end(self, batch, logs=None):
        step = global_step(self.model)
        if not self.trigger.advance(step):
            return
        results = self.evaluate()
        if self.early_stopping_metric not in results:
            raise ValueError(
                f"Unknown early_stopping_metric {self.early_stopping_metric!r}: the evaluation gives "
                f"{', '.join(results)}. Received: early_stopping_metric={self.early_stopping_metric!r}"
            )
        log(f"Validation (step {step}): {format_values(results)}")
        if logs is not None:
            logs.update({f"val_{name}": value for name, value in results.items()})
        self._judge(step, results)

    def _judge(self, step, results):
        """Hands the evaluation to EarlyStopping as its next 'epoch' and reads the verdict."""
        index = len(self._steps_of_evaluations)
        self._steps_of_evaluations.append(step)
        self.evaluations.append((step, results))
        super().on_epoch_end(index, results)
        self.best_step = self._steps_of_evaluations[self.best_epoch]
        if self.stopped_epoch == index and index > 0:
            self.early_stopped = True
            log(f"Stopping. Best step: {self.best_step} with {self.early_stopping_metric} = {self.best:.6g}.")

    def evaluate(self):
        """Evaluates the model on the validation data; returns a dict name -> float."""
        model = self.model
        saved = [keras.ops.convert_to_numpy(v) for metric in model.metrics for v in metric.variables]
        if isinstance(self.validation_data, tuple):
            x, y, *weights = self.validation_data
            sample_weight = weights[0] if weights else None
            results = model.evaluate(x, y, sample_weight=sample_weight, batch_size=self.batch_size, verbose=0, return_dict=True)
        else:
            results = model.evaluate(self.validation_data, verbose=0, return_dict=True)
        for variable, value in zip((v for metric in model.metrics for v in metric.variables), saved):
            variable.assign(value)
        # the loss first, as the book's log line and Keras's progress bar show it
        results = {name: float(results[name]) for name in sorted(results, key=lambda name: name != "loss")}
        if self.metrics:
            results.update(self._extra_metrics())
        return results

    def _extra_metrics(self):
        if isinstance(self.validation_data, tuple):
            x, y, *weights = self.validation_data
            predictions = self.model.predict(x, batch_size=self.batch_size, verbose=0)
        else:
            y, weights = [], []
            for batch in self.validation_data:
                _, batch_y, batch_weight = keras.utils.unpack_x_y_sample_weight(batch)
                y.append(keras.ops.convert_to_numpy(batch_y))
                weights.append(batch_weight)
            y = np.concatenate(y)
            weights = [np.concatenate(weights)] if all(w is not None for w in weights) and weights else []
            predictions = self.model.predict(self.validation_data, verbose=0)
        results = {}
        for name, metric in self.metrics.items():
            metric.reset_state()
            metric.update_state(y, predictions, sample_weight=weights[0] if weights else None)
            results[name] = float(keras.ops.convert_to_numpy(metric.result()))
        return results

    def on_train_end(self, logs=None):
        restoring = self.restore_best_weights and self.best_weights is not None
        super().on_train_end(logs)
        if restoring:
            log(f"Restored the weights of the best step: {self.best_step}.")

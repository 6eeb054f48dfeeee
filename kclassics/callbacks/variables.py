"""Watching variables during training: CaptureVariable and LoggingTrainable (book 10.5, L6984)."""

import re

import keras

from kclassics.callbacks._base import StepCallback, format_value, log


def _model_variables(model):
    variables = list(model.variables)
    if getattr(model, "optimizer", None) is not None:
        variables += list(model.optimizer.variables)
    return variables


def _available(paths, limit=12):
    shown = ", ".join(paths[:limit])
    return shown + (f", ... ({len(paths)} in all)" if len(paths) > limit else "")


def find_variable(model, name):
    """The variable of `model` (or of its optimizer) whose path is `name` or ends with `/name`.

    Args:
        model: a built Keras model.
        name: a variable path such as `"dense/kernel"`; the model's own name
            may be left out (`"dense/kernel"` finds `"sequential/dense/kernel"`).

    Returns:
        The `keras.Variable`.

    Raises:
        ValueError: no variable, or more than one, matches.
    """
    variables = _model_variables(model)
    exact = [v for v in variables if v.path == name]
    matches = exact or [v for v in variables if v.path.endswith("/" + name)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise ValueError(
            f"No variable of the model has the path {name!r}. "
            f"Available: {_available([v.path for v in variables])}. Received: name={name!r}"
        )
    raise ValueError(
        f"The path {name!r} is ambiguous; it matches {', '.join(v.path for v in matches)}. "
        f"Give a longer path. Received: name={name!r}"
    )


class CaptureVariable(StepCallback):
    """Records a variable's value every N global steps into `values` (step -> numpy array).

    The book's `CaptureVariable(var_name, every_n, first_n)` (book 10.5, L6984).
    Values are read after the step's update.

    Args:
        name: the variable's path, e.g. `"dense/kernel"` (see `find_variable`).
        every_n_steps: record at every multiple of this global step.
        first_n_steps: also record each of the first global steps up to this one.
    """

    def __init__(self, name, every_n_steps=100, first_n_steps=1):
        super().__init__(every_n_steps, first_n_steps)
        if not isinstance(name, str) or not name:
            raise ValueError(f"`name` must be a non-empty variable path such as 'dense/kernel'. Received: name={name!r}")
        self.name = name
        self.values = {}
        self.variable = None

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        self.variable = find_variable(self.model, self.name)

    def on_step(self, step, logs):
        self.values[step] = keras.ops.convert_to_numpy(self.variable).copy()


class LoggingTrainable(StepCallback):
    """Logs the trainable variables whose path matches a regular expression, every N global steps.

    Each line reads `Step N: <path> = <values>` (numpy's summarised print for
    large arrays). `re.search` is used, so `"dense"` matches `"model/dense/kernel"`
    and `"kernel$"` every kernel.

    Args:
        pattern: regular expression matched against each trainable variable's path.
        every_n_steps: log at every multiple of this global step.
        first_n_steps: also log each of the first global steps up to this one.
    """

    def __init__(self, pattern=".*", every_n_steps=100, first_n_steps=1):
        super().__init__(every_n_steps, first_n_steps)
        try:
            self.pattern = re.compile(pattern)
        except (re.error, TypeError) as error:
            raise ValueError(f"`pattern` must be a regular expression ({error}). Received: pattern={pattern!r}") from None
        self.variables = []

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        trainable = self.model.trainable_variables
        self.variables = [v for v in trainable if self.pattern.search(v.path)]
        if not self.variables:
            raise ValueError(
                f"No trainable variable's path matches {self.pattern.pattern!r}. "
                f"Available: {_available([v.path for v in trainable])}. Received: pattern={self.pattern.pattern!r}"
            )

    def on_step(self, step, logs):
        for variable in self.variables:
            log(f"Step {step}: {variable.path} = {format_value(keras.ops.convert_to_numpy(variable))}")

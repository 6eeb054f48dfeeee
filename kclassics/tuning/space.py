"""The search space as data: one table from a setting's name to a range around its book value.

A program's config field, or a network builder's keyword argument, whose name
is a key of `SPACE` becomes a hyperparameter whose default is the value the
book uses; so a search starts from the book and a program added later gets its
space from its config without new code.

    SPACE["learning_rate"]                 # a log range from a tenth to ten times the default
    dimensions(program.config)            # the config's tunable fields, each with its book default
"""

import dataclasses
import inspect
import math
from typing import Optional

from kclassics import validation

# Every optimizer name the programs' configs accept (kclassics.training.OPTIMIZERS); a config that
# accepts fewer keeps only those (each candidate is tried through the config's own validation).
OPTIMIZER_NAMES = ("sgd", "momentum", "adam", "adagrad", "rmsprop")
# Learning-rate schedules a config may name (cifar10's and cifar10_blog's `schedule`); the config's validation keeps its own.
SCHEDULE_NAMES = ("adam", "sgd_decay", "constant", "lr_step", "cosine", "exponential")
# Where a config's optimizer and learning rate are both searched, each optimizer has its own learning-rate
# range, a tenth to ten times its value here (the config's own optimizer: the book's rate): Keras's defaults
# for the adaptive ones, the usual 0.1 for plain SGD and 0.01 with momentum 0.9.
OPTIMIZER_LEARNING_RATES = {"sgd": 0.1, "momentum": 0.01, "adam": 1e-3, "adagrad": 0.01, "rmsprop": 1e-3}
LOG_GRID_STEP = math.sqrt(10.0)  # grid search: five values from a tenth to ten times the default
RULE_KINDS = ("log", "linear", "scaled", "choice")
TARGETS = ("config", "model")


@dataclasses.dataclass(frozen=True)
class Rule:
    """How one setting is searched.

    Attributes:
        kind: `"log"` (a float range in log scale), `"linear"` (a float range), `"scaled"` (the
            integers default/2, default, default*2) or `"choice"` (named values).
        low, high: the range of `"linear"`; for `"log"` the factors of the default (0.1, 10).
        choices: the names of `"choice"`.
        step: the grid step of a float range (multiplicative for `"log"`), used by grid search.
        doc: one line for docs/tuning.md.
    """

    kind: str
    low: float = 0.0
    high: float = 1.0
    choices: tuple = ()
    step: Optional[float] = None
    doc: str = ""

    def __post_init__(self):
        validation.one_of("kind", self.kind, RULE_KINDS)
        if self.kind in ("log", "linear"):
            validation.finite_float("low", self.low)
            validation.finite_float("high", self.high)
            if self.kind == "log":
                validation.positive_float("low", self.low)
            if self.low >= self.high:
                raise ValueError(f"`low` must be below `high`. Received: low={self.low!r}, high={self.high!r}")
        if self.kind == "choice" and (isinstance(self.choices, str) or not self.choices):
            raise ValueError(f"`choices` of a choice rule must be a non-empty tuple of names. Received: choices={self.choices!r}")
        if self.step is not None:
            validation.positive_float("step", self.step)


SPACE = {
    "learning_rate": Rule("log", 0.1, 10.0, step=LOG_GRID_STEP, doc="log scale, a tenth to ten times the book's"),
    "optimizer": Rule("choice", choices=OPTIMIZER_NAMES, doc="the optimizers the config accepts"),
    "schedule": Rule("choice", choices=SCHEDULE_NAMES, doc="the learning-rate schedules the config accepts"),
    "batch_size": Rule("scaled", doc="half, the book's, double"),
    "hidden_units": Rule("scaled", doc="half, the book's, double"),
    "units": Rule("scaled", doc="half, the book's, double (LSTM cells)"),
    "hidden_size": Rule("scaled", doc="half, the book's, double"),
    "embedding_size": Rule("scaled", doc="half, the book's, double"),
    "dropout_rate": Rule("linear", 0.0, 0.75, step=0.25, doc="0 to 0.75 (the fraction dropped)"),
    "keep_prob": Rule("linear", 0.25, 1.0, step=0.25, doc="0.25 to 1 (the fraction kept)"),
    "weight_decay": Rule("log", 0.1, 10.0, step=LOG_GRID_STEP, doc="log scale, a tenth to ten times the book's"),
    "momentum": Rule("linear", 0.0, 0.99, step=0.33, doc="0 to 0.99"),
    "scale": Rule("log", 0.1, 10.0, step=LOG_GRID_STEP, doc="log scale, a tenth to ten times the book's (noise)"),
}


@dataclasses.dataclass(frozen=True)
class Dimension:
    """One hyperparameter: its name, its rule, its default (the book's value), where it goes.

    Attributes:
        name: the hyperparameter's name (the config field or builder argument).
        rule: its `Rule`.
        default: the book's value.
        target: `"config"` (a config field) or `"model"` (a network builder argument, kept in
            the config's `model_kwargs`).
        choices: the accepted values of a choice or scaled rule.
    """

    name: str
    rule: Rule
    default: object
    target: str = "config"
    choices: tuple = ()

    def __post_init__(self):
        validation.text("name", self.name)
        if not isinstance(self.rule, Rule):
            raise ValueError(f"`rule` must be a Rule (a value of SPACE). Received: rule={validation.describe(self.rule)}")
        validation.one_of("target", self.target, TARGETS)

    def declare(self, hp, grid=False):
        """Declares the hyperparameter on `hp` (a `keras_tuner.HyperParameters`) and returns its value."""
        _check_hp(hp)
        rule = self.rule
        if rule.kind in ("choice", "scaled"):
            return hp.Choice(self.name, list(self.choices), default=self.default)
        if rule.kind == "log":
            low, high = self.default * rule.low, self.default * rule.high
            return hp.Float(self.name, low, high, sampling="log", default=self.default, step=rule.step if grid else None)
        low, high = min(rule.low, self.default), max(rule.high, self.default)
        step = rule.step if grid else None
        if step is not None and not _on_grid(self.default - low, step):
            low = self.default - step * math.floor((self.default - low) / step)  # the default stays a grid point
        return hp.Float(self.name, low, high, default=self.default, step=step)

    def describe(self):
        rule = self.rule
        if rule.kind in ("choice", "scaled"):
            return ", ".join(map(str, self.choices))
        if rule.kind == "log":
            return f"{self.default * rule.low:g} to {self.default * rule.high:g} (log)"
        return f"{min(rule.low, self.default):g} to {max(rule.high, self.default):g}"


def declare_all(found, hp, grid=False):
    """Declares the `Dimension`s `found` on `hp` and returns their values by name.

    Where both `optimizer` and `learning_rate` are searched, the learning rate
    is conditional on the optimizer (`hp.conditional_scope`): one
    hyperparameter per optimizer, `"<optimizer>/learning_rate"`, ranging
    around its `OPTIMIZER_LEARNING_RATES` value, the book's
    optimizer keeping the book's rate, so Adam is not tried at Adagrad's 0.3.
    """
    found = _check_dimensions(found)
    _check_hp(hp)
    validation.boolean("grid", grid)
    by_name = {d.name: d for d in found}
    optimizer, rate = by_name.get("optimizer"), by_name.get("learning_rate")
    values = {}
    for d in found:
        if d is rate and optimizer is not None:
            continue
        values[d.name] = d.declare(hp, grid)
        if d is optimizer and rate is not None:
            for name in optimizer.choices:  # the book's optimizer first: its range is the first declared
                default = rate.default if name == optimizer.default else OPTIMIZER_LEARNING_RATES.get(name, rate.default)
                with hp.conditional_scope("optimizer", [name]):  # a name of its own: keras-tuner keys values by name
                    value = dataclasses.replace(rate, name=f"{name}/learning_rate", default=float(default)).declare(hp, grid)
                if name == values["optimizer"]:
                    values["learning_rate"] = value
    return values


def merged(values):
    """Hyperparameter values with the drawn optimizer's `"<optimizer>/learning_rate"` named `learning_rate`."""
    if not hasattr(values, "items"):
        raise ValueError(f"`values` must be a dict of hyperparameter values by name. Received: values={validation.describe(values)}")
    return {("learning_rate" if name.endswith("/learning_rate") else name): value for name, value in values.items()}


def rate_ranges(found):
    """For docs: the learning-rate range of each optimizer where the rate depends on the optimizer, else None."""
    found = _check_dimensions(found)
    by_name = {d.name: d for d in found}
    optimizer, rate = by_name.get("optimizer"), by_name.get("learning_rate")
    if optimizer is None or rate is None:
        return None
    return {name: dataclasses.replace(rate, default=rate.default if name == optimizer.default
                                      else float(OPTIMIZER_LEARNING_RATES.get(name, rate.default))).describe()
            for name in optimizer.choices}


def _check_hp(hp):
    """Refuses anything but a `keras_tuner.HyperParameters` where one is declared on."""
    import keras_tuner

    if not isinstance(hp, keras_tuner.HyperParameters):
        raise ValueError(f"`hp` must be a keras_tuner.HyperParameters. Received: hp={validation.describe(hp)}")


def _check_dimensions(found):
    found = list(found) if isinstance(found, (list, tuple)) else found
    if not isinstance(found, list) or not all(isinstance(d, Dimension) for d in found):
        raise ValueError(f"`found` must be a list of Dimensions (from `dimensions(config)`). Received: found={validation.describe(found)}")
    return found


def _on_grid(distance, step):
    return abs(distance / step - round(distance / step)) < 1e-9


def _accepted(config, field, value):
    try:
        dataclasses.replace(config, **{field: value})
    except (ValueError, TypeError):
        return False
    return True


def _scaled(default):
    return tuple(sorted({max(1, default // 2), default, default * 2}))


def dimension(name, default, target="config", config=None):
    """The `Dimension` of a setting called `name` with the book's `default`, or None when it is not searched.

    A config field is searched only where the config accepts its candidate
    values (each tried through the config's validation); a setting whose
    default is None, zero (a log range around 0 is empty) or of another type
    than the rule's is not searched.
    """
    validation.text("name", name)
    validation.one_of("target", target, TARGETS)
    if config is not None and not dataclasses.is_dataclass(config):
        raise ValueError(f"`config` must be a program config (a dataclass) or None. Received: config={validation.describe(config)}")
    rule = SPACE.get(name)
    if rule is None or default is None or isinstance(default, bool):
        return None
    if rule.kind == "choice":
        if not isinstance(default, str):
            return None
        choices = tuple(c for c in dict.fromkeys((default, *rule.choices))
                        if config is None or c == default or _accepted(config, name, c))
        return Dimension(name, rule, default, target, choices) if len(choices) > 1 else None
    if rule.kind == "scaled":
        if not isinstance(default, int):
            return None
        choices = tuple(c for c in _scaled(default) if config is None or c == default or _accepted(config, name, c))
        return Dimension(name, rule, default, target, choices) if len(choices) > 1 else None
    if not isinstance(default, (int, float)) or (rule.kind == "log" and default <= 0):
        return None
    return Dimension(name, rule, float(default), target)


def builder_defaults(builder):
    """A network builder's keyword arguments and their defaults."""
    if not callable(builder):
        raise ValueError(f"`builder` must be a network builder (a function). Received: builder={validation.describe(builder)}")
    return {
        name: parameter.default
        for name, parameter in inspect.signature(builder).parameters.items()
        if parameter.default is not inspect.Parameter.empty
    }


def dimensions(config):
    """The `Dimension`s of a program config: its tunable fields, then its network's tunable builder arguments.

    A network's argument is searched when the config names a registered
    network (`model`) and holds its arguments (`model_kwargs`); its default
    is the config's `model_kwargs` value, else the builder's default.
    """
    if not dataclasses.is_dataclass(config) or isinstance(config, type):
        raise ValueError(f"`config` must be a program config (a dataclass instance). Received: config={validation.describe(config)}")
    fields = {field.name: getattr(config, field.name) for field in dataclasses.fields(config)}
    found = [d for d in (dimension(name, value, config=config) for name, value in fields.items()) if d is not None]
    if isinstance(fields.get("model"), str) and "model_kwargs" in fields:
        from kclassics.apps import MODELS

        if fields["model"] in MODELS:
            given = dict(fields["model_kwargs"])
            taken = {d.name for d in found}
            for name, default in builder_defaults(MODELS.get(fields["model"]).builder).items():
                if name not in taken:
                    found_dimension = dimension(name, given.get(name, default), target="model")
                    if found_dimension is not None:
                        found.append(found_dimension)
    return tuple(found)

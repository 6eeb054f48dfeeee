"""The one optimizer factory: the book's optimizers by the names its configs use.

    make_optimizer("adagrad", 0.3)                   # AdagradOptimizer(0.3), book 4.4
    make_optimizer("momentum", 0.1)                  # MomentumOptimizer(0.1, 0.9)
    make_optimizer("adam", schedule, weight_decay=1e-4)
"""

from kclassics import validation

# "momentum" is SGD with the momentum every book program and paper recipe uses, 0.9.
OPTIMIZERS = ("sgd", "momentum", "adam", "adagrad", "rmsprop", "ftrl")
MOMENTUM = 0.9


def make_optimizer(name, learning_rate, weight_decay=None, momentum=MOMENTUM):
    """A Keras optimizer by name.

    Args:
        name: one of `OPTIMIZERS`.
        learning_rate: a positive number or a `keras.optimizers.schedules.LearningRateSchedule`.
        weight_decay: decoupled weight decay, or None.
        momentum: the momentum of `"momentum"`.

    Returns:
        A `keras.optimizers.Optimizer`.
    """
    import keras

    validation.one_of("optimizer", name, OPTIMIZERS)
    if not isinstance(learning_rate, keras.optimizers.schedules.LearningRateSchedule):
        validation.positive_float("learning_rate", learning_rate)
    if weight_decay is not None:
        validation.non_negative_float("weight_decay", weight_decay)
    extra = {"weight_decay": weight_decay} if weight_decay else {}
    if name == "momentum":
        return keras.optimizers.SGD(learning_rate, momentum=momentum, **extra)
    classes = {"sgd": keras.optimizers.SGD, "adam": keras.optimizers.Adam, "adagrad": keras.optimizers.Adagrad,
               "rmsprop": keras.optimizers.RMSprop, "ftrl": keras.optimizers.Ftrl}
    return classes[name](learning_rate, **extra)


def optimizer_name(optimizer):
    """The name `make_optimizer` builds `optimizer` by (`"momentum"` for SGD with momentum), or None for another kind."""
    kind = type(optimizer).__name__.lower()
    if kind == "sgd":
        return "momentum" if float(optimizer.momentum) else "sgd"
    return kind if kind in OPTIMIZERS else None

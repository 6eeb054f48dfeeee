"""Datasets: in-memory splits and tf.data pipelines.

`load("digits")` is the offline default (scikit-learn's digits in MNIST's
shape). Readers for the standard files users already have register
themselves under their own names.
"""

from kclassics.data._base import (
    Split,
    Splits,
    available,
    evaluation_pipeline,
    load,
    register_loader,
    training_pipeline,
)
from kclassics.data.cifar10 import (
    cifar10_evaluation_pipeline,
    cifar10_training_pipeline,
    load_cifar10,
)
from kclassics.data.digits import load_digits
from kclassics.data.mnist import load_mnist, read_idx

register_loader("digits", load_digits)
register_loader("mnist", load_mnist)
register_loader("cifar10", load_cifar10)

__all__ = [
    "Split",
    "Splits",
    "available",
    "cifar10_evaluation_pipeline",
    "cifar10_training_pipeline",
    "evaluation_pipeline",
    "load",
    "load_cifar10",
    "load_digits",
    "load_mnist",
    "read_idx",
    "register_loader",
    "training_pipeline",
]

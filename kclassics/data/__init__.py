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
from kclassics.data.digits import load_digits

register_loader("digits", load_digits)

__all__ = [
    "Split",
    "Splits",
    "available",
    "evaluation_pipeline",
    "load",
    "load_digits",
    "register_loader",
    "training_pipeline",
]

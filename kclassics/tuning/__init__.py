"""Hyperparameter search with keras-tuner for every book program and network family.

    import kclassics.tuning
    tuner = kclassics.tuning.tuner("mnist_cnn", tuner="hyperband", max_trials=6, out="search/cnn", steps=300)
    tuner.search()                                  # each trial a run of the program, seeded from the search
    kclassics.tuning.write_report("search/cnn")     # trials.csv, trials.png, best.json, best/export/

    hm = kclassics.tuning.hypermodel("resnet_v1")   # a keras_tuner.HyperModel for any keras-tuner tuner
    keras_tuner.RandomSearch(hm, objective="val_accuracy", max_trials=5).search(x, y, validation_data=...)

The space of a program comes from its config (`kclassics.tuning.space.SPACE`
maps a field name to a range around the book's value), the space of a family
from its variants and builders; the defaults are the book's, so the default
trial is the book's program or network. The tuners (`TUNERS`) and pruning
rules (`PRUNING_RULES`) are registries; keras-tuner and TensorFlow load when a
search is made, so the command line checks a search's settings first.
"""

import importlib

from kclassics import _backend

_backend.require_tensorflow("kclassics.tuning")

from kclassics.tuning.oracles import TUNERS  # noqa: E402
from kclassics.tuning.pruning import PRUNING_RULES, MedianStopping, SuccessiveHalving  # noqa: E402
from kclassics.tuning.space import SPACE  # noqa: E402

_LAZY = {
    "RECIPES": "hypermodels", "FamilyHyperModel": "hypermodels", "ProgramHyperModel": "hypermodels",
    "hypermodel": "hypermodels", "format_table": "report", "write_report": "report",
    "ProgramTuner": "search", "reported_metrics": "search", "trial_seed": "search", "tuner": "search",
}


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(f"kclassics.tuning.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'kclassics.tuning' has no attribute {name!r}")


__all__ = ["SPACE", "RECIPES", "TUNERS", "PRUNING_RULES", "ProgramHyperModel", "FamilyHyperModel", "ProgramTuner",
           "MedianStopping", "SuccessiveHalving", "hypermodel", "tuner", "reported_metrics", "trial_seed", "write_report",
           "format_table"]

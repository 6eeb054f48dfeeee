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
trial is the book's program or network.
"""

from kclassics import _backend

_backend.require_tensorflow("kclassics.tuning")

from kclassics.tuning.hypermodels import RECIPES, FamilyHyperModel, ProgramHyperModel, hypermodel  # noqa: E402
from kclassics.tuning.pruning import MedianStopping, SuccessiveHalving  # noqa: E402
from kclassics.tuning.report import format_table, write_report  # noqa: E402
from kclassics.tuning.search import TUNERS, ProgramTuner, reported_metrics, trial_seed, tuner  # noqa: E402
from kclassics.tuning.space import SPACE  # noqa: E402

__all__ = ["SPACE", "RECIPES", "TUNERS", "ProgramHyperModel", "FamilyHyperModel", "ProgramTuner", "MedianStopping",
           "SuccessiveHalving", "hypermodel", "tuner", "reported_metrics", "trial_seed", "write_report", "format_table"]

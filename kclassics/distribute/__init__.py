"""Training on several devices and machines: strategies, clusters, and `fit` for all of them.

    from kclassics import distribute
    cluster = distribute.Cluster.from_flags("chief", ps_hosts="h0:2222", worker_hosts="h1:2222,h2:2222")
    strategy = distribute.make_strategy("parameter_server", cluster)
    with strategy.scope():
        model = kclassics.apps.mlp(); model.compile(...)
    model.fit(dataset, epochs=3, steps_per_epoch=100)      # a kclassics model
    distribute.fit(keras_model, dataset, epochs=3, steps_per_epoch=100)   # any keras.Model

See docs/distributed.md.
"""

import importlib

from kclassics import _backend

_backend.require_tensorflow("kclassics.distribute")

from kclassics.distribute.cluster import STRATEGIES, Cluster, parse_hosts, serve  # noqa: E402

# TensorFlow loads on first use of these, so the command line checks a
# cluster (and refuses a bad one) before importing it.
_LAZY = {
    "ParameterServerError": "loops",
    "evaluate": "loops",
    "fit": "loops",
    "predict": "loops",
    "current_strategy": "strategies",
    "is_multi_worker": "strategies",
    "is_parameter_server": "strategies",
    "make_strategy": "strategies",
    "needs_own_loop": "strategies",
    "per_update_learning_rate": "strategies",
    "strategy_of": "strategies",
    "training_input": "strategies",
    "worker_run_dir": "strategies",
}


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(f"kclassics.distribute.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'kclassics.distribute' has no attribute {name!r}")


__all__ = [
    "STRATEGIES",
    "Cluster",
    "current_strategy",
    "ParameterServerError",
    "evaluate",
    "fit",
    "is_multi_worker",
    "is_parameter_server",
    "make_strategy",
    "needs_own_loop",
    "parse_hosts",
    "per_update_learning_rate",
    "predict",
    "serve",
    "strategy_of",
    "training_input",
    "worker_run_dir",
]

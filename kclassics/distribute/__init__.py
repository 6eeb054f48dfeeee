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

from kclassics.distribute.cluster import Cluster, parse_hosts, serve
from kclassics.distribute.fit import ParameterServerError, evaluate, fit, predict
from kclassics.distribute.strategies import (
    STRATEGIES,
    current_strategy,
    is_multi_worker,
    is_parameter_server,
    make_strategy,
    needs_own_loop,
    strategy_of,
    training_input,
    worker_run_dir,
)

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
    "predict",
    "serve",
    "strategy_of",
    "training_input",
    "worker_run_dir",
]

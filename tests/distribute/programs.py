"""Coordinator and worker programs the distributed tests run in child processes.

Each writes a JSON of what it observed to the path given as its last argument.
"""

import json
import os
import sys
import time

import keras
import numpy as np
import tensorflow as tf

from kclassics import apps, distribute, programs
from kclassics.callbacks import StopAtStep
from kclassics.data import load_digits


def compiled_model(strategy, seed=0):
    with strategy.scope():
        keras.utils.set_random_seed(seed)
        model = apps.softmax_regression()
        model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def make_train_dataset_fn():
    """Loads the data now: the dataset function may be traced as a graph function on the workers."""
    train = load_digits().train

    def train_dataset_fn(input_context=None):
        return tf.data.Dataset.from_tensor_slices((train.x, train.y)).shuffle(1257).repeat().batch(50)

    return train_dataset_fn


class StepLog(keras.callbacks.Callback):
    """Records the batch logs; optionally writes a marker file at a given step, and waits for another."""

    def __init__(self, marker_step=None, marker=None, wait_for=None):
        super().__init__()
        self.steps, self.marker_step, self.marker, self.wait_for = [], marker_step, marker, wait_for

    def on_train_batch_end(self, batch, logs=None):
        self.steps.append({k: float(v) for k, v in logs.items()})  # empty for a step lost with its worker
        if self.marker and len(self.steps) == self.marker_step:
            open(self.marker, "w").close()

    def on_epoch_end(self, epoch, logs=None):
        if self.wait_for and epoch == 0:
            deadline = time.monotonic() + 120
            while not os.path.exists(self.wait_for) and time.monotonic() < deadline:
                time.sleep(0.2)


def parameter_server(cluster_json, out_dir, result_path):
    """Fit, evaluate, predict, save and export under ParameterServerStrategy."""
    cluster = distribute.Cluster.from_tf_config(cluster_json)
    strategy = distribute.make_strategy("parameter_server", cluster)
    model = compiled_model(strategy)
    digits = load_digits()
    log = StepLog()
    train_dataset_fn = make_train_dataset_fn()
    history = model.fit(train_dataset_fn, epochs=3, steps_per_epoch=20, validation_data=(digits.validation.x, digits.validation.y),
                        callbacks=[log], verbose=0)
    evaluation = model.evaluate(digits.test.x, digits.test.y, verbose=0, return_dict=True)
    predictions = model.predict(digits.test.x[:16], verbose=0)
    model.save(os.path.join(out_dir, "model.keras"))
    export = distribute_export(model, out_dir)
    reloaded = keras.saving.load_model(os.path.join(out_dir, "model.keras")).predict(digits.test.x[:16], verbose=0)
    served = tf.saved_model.load(str(export)).signatures["serving_default"](images=tf.constant(digits.test.x[:16]))

    errors = {}
    for case, call in {
        "no_steps": lambda: model.fit(train_dataset_fn, epochs=1, verbose=0),
        "arrays": lambda: model.fit(digits.train.x, digits.train.y, epochs=1, steps_per_epoch=2, verbose=0),
    }.items():
        try:
            call()
        except ValueError as error:
            errors[case] = str(error)

    with strategy.scope():  # a plain Keras model through the documented helper
        inputs = keras.Input((28, 28, 1))
        plain = keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(keras.layers.Flatten()(inputs)))
        plain.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    plain_initial_loss = distribute.evaluate(plain, digits.test.x, digits.test.y, verbose=0)
    plain_history = distribute.fit(plain, train_dataset_fn, epochs=2, steps_per_epoch=10, verbose=0)
    loss_tracker = next(metric for metric in plain.metrics if metric.name == "loss")
    plain_loss_count = float(next(v for v in loss_tracker.variables if v.name == "count").numpy())  # examples seen
    plain_loss = distribute.evaluate(plain, digits.test.x, digits.test.y, verbose=0)
    return {
        "errors": errors,
        "plain_history": plain_history.history,
        "plain_initial_test_loss": float(plain_initial_loss),
        "plain_test_loss": float(plain_loss),
        "plain_loss_count": plain_loss_count,
        "history": history.history,
        "evaluation": evaluation,
        "iterations": int(model.optimizer.iterations.numpy()),
        "devices": sorted({v.value.device for v in model.trainable_variables}),
        "workers": sorted({int(s["worker"]) for s in log.steps}),
        "global_steps": [int(s["global_step"]) for s in log.steps],
        "reload_error": float(np.abs(reloaded - predictions).max()),
        "export_error": float(np.abs(served["probabilities"].numpy() - predictions).max()),
    }


def distribute_export(model, out_dir):
    from kclassics.export import export_saved_model

    return export_saved_model(model, os.path.join(out_dir, "export"))


def user_dataset():
    """A user's plain dataset over numpy arrays: 512 MNIST-shaped examples, shuffled, repeated, batched."""
    digits = load_digits()
    x, y = digits.train.x[:512], digits.train.y[:512]
    return tf.data.Dataset.from_tensor_slices((x, y)).shuffle(512).repeat().batch(64)


def dataset_and_stop_at_step(cluster_json, out_dir, result_path):
    """Fit takes the user's Dataset, and a StopAtStep ends training at exactly its step."""
    strategy = distribute.make_strategy("parameter_server", distribute.Cluster.from_tf_config(cluster_json))
    model = compiled_model(strategy)
    digits = load_digits()
    log = StepLog()
    history = model.fit(user_dataset(), epochs=3, steps_per_epoch=12, callbacks=[log, StopAtStep(last_step=30)], verbose=0)
    return {
        "history": history.history,
        "iterations": int(model.optimizer.iterations.numpy()),
        "batch_logs": len(log.steps),
        "global_steps": [int(s["global_step"]) for s in log.steps],
        "workers": sorted({int(s["worker"]) for s in log.steps}),
        "evaluation": model.evaluate(digits.test.x, digits.test.y, verbose=0, return_dict=True),
    }


def worker_fault(cluster_json, out_dir, result_path):
    """Parameter-server training through a worker's death.

    The input is the dataset function of `make_train_dataset_fn`, or with
    TRAINING_INPUT=dataset the user's Dataset of `user_dataset`.

    Writes `kill-now` after 10 steps; after epoch 0 waits for `restarted`, then
    trains (slowly, so the coordinator has time to reconnect) until the restarted
    worker 1 has run steps again, at most 12 epochs.
    """
    strategy = distribute.make_strategy("parameter_server", distribute.Cluster.from_tf_config(cluster_json))
    model = compiled_model(strategy)
    digits = load_digits()
    log = StepLog(marker_step=10, marker=os.path.join(out_dir, "kill-now"), wait_for=os.path.join(out_dir, "restarted"))
    epochs_run = []

    class UntilRejoined(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if epochs_run and epochs_run[-1] >= 1:
                time.sleep(0.05)

        def on_epoch_begin(self, epoch, logs=None):
            epochs_run.append(epoch)

        def on_epoch_end(self, epoch, logs=None):
            if epoch >= 1 and 1 in {int(s["worker"]) for s in log.steps[-40:] if "worker" in s}:
                self.model.stop_training = True

    training_input = user_dataset() if os.environ.get("TRAINING_INPUT") == "dataset" else make_train_dataset_fn()
    history = model.fit(training_input, epochs=12, steps_per_epoch=40, callbacks=[log, UntilRejoined()], verbose=0)
    evaluation = model.evaluate(digits.test.x, digits.test.y, verbose=0, return_dict=True)
    return {
        "history": history.history,
        "evaluation": evaluation,
        "epochs_run": len(epochs_run),
        "iterations": int(model.optimizer.iterations.numpy()),
        "last_epoch_workers": sorted({int(s["worker"]) for s in log.steps[-40:] if "worker" in s}),
    }


def resumable(cluster_json, out_dir, result_path):
    """Parameter-server training with BackupAndRestore; writes `epoch-N` markers and sleeps after each epoch."""
    strategy = distribute.make_strategy("parameter_server", distribute.Cluster.from_tf_config(cluster_json))
    model = compiled_model(strategy)
    epochs_run = []

    class Marker(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            epochs_run.append(epoch)

        def on_epoch_end(self, epoch, logs=None):
            open(os.path.join(out_dir, f"epoch-{epoch}"), "w").close()
            time.sleep(1)

    backup = keras.callbacks.BackupAndRestore(os.path.join(out_dir, "backup"), delete_checkpoint=False)
    history = model.fit(make_train_dataset_fn(), epochs=4, steps_per_epoch=15, callbacks=[backup, Marker()], verbose=0)
    return {"epochs_run": epochs_run, "history": history.history, "iterations": int(model.optimizer.iterations.numpy())}


def multi_worker(cluster_json, out_dir, result_path):
    """One worker of a MultiWorkerMirroredStrategy run."""
    cluster = distribute.Cluster.from_tf_config(cluster_json)
    strategy = distribute.make_strategy("multi_worker", cluster)
    model = compiled_model(strategy)
    digits = load_digits()
    dataset = tf.data.Dataset.from_tensor_slices((digits.train.x, digits.train.y)).repeat().batch(64)
    history = model.fit(dataset, epochs=2, steps_per_epoch=10, validation_data=(digits.validation.x, digits.validation.y), verbose=0)
    return {
        "history": history.history,
        "iterations": int(model.optimizer.iterations.numpy()),
        "weights": [w.tolist() for w in model.get_weights()],
        "evaluation": model.evaluate(digits.test.x, digits.test.y, verbose=0, return_dict=True),
    }



# The small problem every optimizer trains, in one process and under
# ParameterServerStrategy: a 784-32-10 ReLU network on the embedded digits,
# 80 steps of 50 examples. Learning rates are each optimizer's usual range for such a network.
OPTIMIZER_MATRIX = {
    "SGD": lambda: keras.optimizers.SGD(0.1),
    "momentum": lambda: keras.optimizers.SGD(0.05, momentum=0.9),
    "Adam": lambda: keras.optimizers.Adam(0.005),
    "AdamW": lambda: keras.optimizers.AdamW(0.005, weight_decay=0.004),
    "Adagrad": lambda: keras.optimizers.Adagrad(0.1),
    "RMSprop": lambda: keras.optimizers.RMSprop(0.002),
    "Adadelta": lambda: keras.optimizers.Adadelta(1.0),
    "Adamax": lambda: keras.optimizers.Adamax(0.01),
    "Nadam": lambda: keras.optimizers.Nadam(0.005),
    "Ftrl": lambda: keras.optimizers.Ftrl(0.2),
    "Lion": lambda: keras.optimizers.Lion(0.0005),
}
MATRIX_STEPS = 160


def small_network(make_optimizer):
    keras.utils.set_random_seed(0)
    inputs = keras.Input((28, 28, 1))
    hidden = keras.layers.Dense(32, activation="relu")(keras.layers.Flatten()(inputs))
    model = keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(hidden))
    model.compile(optimizer=make_optimizer(), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def optimizer_matrix(cluster_json, out_dir, result_path):
    """Trains the small network with each optimizer of $OPTIMIZERS in this process, then under the parameter server.

    An optimizer the parameter-server fit refuses records the error and the steps run (none expected).
    """
    names = os.environ["OPTIMIZERS"].split(",")
    digits = load_digits()
    train_dataset_fn = make_train_dataset_fn()
    results = {}
    for name in names:
        model = small_network(OPTIMIZER_MATRIX[name])
        model.fit(train_dataset_fn().take(MATRIX_STEPS), epochs=1, verbose=0)
        results[name] = {"single": model.evaluate(digits.test.x, digits.test.y, verbose=0, return_dict=True)}
    strategy = distribute.make_strategy("parameter_server", distribute.Cluster.from_tf_config(cluster_json))
    for name in names:
        with strategy.scope():
            model = small_network(OPTIMIZER_MATRIX[name])
        start = time.monotonic()
        try:
            distribute.fit(model, train_dataset_fn, epochs=1, steps_per_epoch=MATRIX_STEPS, verbose=0)
        except ValueError as error:
            results[name]["error"] = str(error)
            results[name]["seconds_to_error"] = time.monotonic() - start
        else:
            results[name]["parameter_server"] = distribute.evaluate(model, digits.test.x, digits.test.y, verbose=0, return_dict=True)
        results[name]["iterations"] = int(model.optimizer.iterations.numpy())
    return results

def book_mlp(cluster_json, out_dir, result_path):
    """The book's MLP program (Adagrad 0.3, dropout), 200 steps, through the path of `kclassics train --strategy parameter_server`."""
    import dataclasses

    from kclassics.programs.mnist import MLP
    from kclassics.training import train_classifier

    strategy = distribute.make_strategy("parameter_server", distribute.Cluster.from_tf_config(cluster_json))
    result = train_classifier(dataclasses.replace(MLP, steps=200, digits_steps=None), programs.get("mlp"), out=os.path.join(out_dir, "run"),
                              strategy=strategy, verbose=0)
    config = json.loads((result.run_dir / "config.json").read_text())
    metrics = json.loads((result.run_dir / "metrics.json").read_text())
    return {"test_accuracy": result.test_accuracy, "steps": metrics["steps"], "learning_rate": config["learning_rate"]}


if __name__ == "__main__":
    name, cluster_json, out_dir, result_path = sys.argv[1:5]
    result = globals()[name](cluster_json, out_dir, result_path)
    with open(result_path, "w") as f:
        json.dump(result, f)

"""Coordinator program: a canned DNNClassifier fitted under ParameterServerStrategy (the book's Experiment on parameter servers).

Usage: ps_program.py TF_CONFIG_JSON RESULT_PATH
"""

import json
import sys

import keras
import numpy as np

from kclassics import distribute, learn
from kclassics.learn.datasets import load_iris_split


def main(cluster_json, result_path):
    strategy = distribute.make_strategy("parameter_server", distribute.Cluster.from_tf_config(cluster_json))
    (x_train, y_train), (x_test, y_test) = load_iris_split()
    recipe = learn.FeatureRecipe([learn.real_valued_column("x", dimension=4)]).adapt({"x": x_train})  # standardised measurements
    with strategy.scope():
        keras.utils.set_random_seed(0)
        model = learn.DNNClassifier(recipe, [10, 20, 10], n_classes=3)
    history = model.fit(recipe.dataset(x_train, y_train, 32, shuffle=True, repeat=True), epochs=4, steps_per_epoch=50, verbose=0)
    evaluation = model.evaluate(recipe.dataset(x_test, y_test), verbose=0, return_dict=True)
    errors = {}
    with strategy.scope():
        linear = learn.LinearClassifier(recipe, n_classes=3)
    try:
        linear.fit(recipe.dataset(x_train, y_train, 32, repeat=True), epochs=1, steps_per_epoch=2, verbose=0)
    except ValueError as error:
        errors["ftrl"] = str(error)
    with open(result_path, "w") as file:
        json.dump({"loss": history.history["loss"], "accuracy": evaluation["accuracy"],
                   "iterations": int(np.asarray(model.optimizer.iterations)), "errors": errors}, file)


if __name__ == "__main__":
    main(*sys.argv[1:])

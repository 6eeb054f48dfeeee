"""The small tables the chapter 10 examples read, all on disk: iris (scikit-learn) and the Palmer penguins.

The penguins table (Gorman, Williams & Fraser 2014; 344 penguins, CC0) is the
census-shaped table of the wide & deep example: text categories (species,
island, sex) beside numbers (bill, flipper, body mass, year). It ships inside
kclassics (`penguins.csv`, 15 KB, as in the palmerpenguins 0.1.6 wheel),
since the PyPI package that carries it also needs pandas.
"""

import csv
from pathlib import Path

import numpy as np

PENGUINS = Path(__file__).with_name("penguins.csv")
PENGUIN_NUMBERS = ("bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "year")


def load_iris_split(test_size=0.2, random_state=42):
    """(x_train, y_train), (x_test, y_test): scikit-learn's iris split as the book's `train_test_split` call (L6425)."""
    from sklearn.datasets import load_iris
    from sklearn.model_selection import train_test_split

    iris = load_iris()
    x_train, x_test, y_train, y_test = train_test_split(
        iris.data.astype("float32"), iris.target.astype("int64"), test_size=test_size, random_state=random_state
    )
    return (x_train, y_train), (x_test, y_test)


def load_penguins():
    """The penguins with every measurement known (333 of 344): a dict of columns, text as object arrays, numbers as float32."""
    with PENGUINS.open(newline="") as file:
        rows = [row for row in csv.DictReader(file) if "NA" not in row.values()]
    return {
        name: np.array([row[name] for row in rows], dtype="float32" if name in PENGUIN_NUMBERS else object)
        for name in rows[0]
    }


def penguin_sex_split(test_size=0.2, random_state=42):
    """(train frame, train labels), (test frame, test labels): the penguins' sex (male = 1) from the other columns, stratified."""
    from sklearn.model_selection import train_test_split

    frame = load_penguins()
    labels = (frame.pop("sex") == "male").astype("int64")
    train_index, test_index = train_test_split(np.arange(len(labels)), test_size=test_size, random_state=random_state, stratify=labels)
    take = lambda index: {name: values[index] for name, values in frame.items()}  # noqa: E731
    return (take(train_index), labels[train_index]), (take(test_index), labels[test_index])

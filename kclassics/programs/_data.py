"""The `--data-dir` switch every program shares: the book's dataset from its files instead of the embedded digits."""

import dataclasses

from kclassics import data as kdata


def dataset_for(dataset, data_dir):
    """The dataset a program reads: MNIST instead of the embedded digits when `data_dir` is given."""
    return "mnist" if data_dir is not None and dataset == "digits" else dataset


def load_program_data(dataset, data_dir=None, **kwargs):
    """`kclassics.data.load` of `dataset_for(dataset, data_dir)`, reading `data_dir` when given."""
    return kdata.load(dataset_for(dataset, data_dir), **({"data_dir": data_dir} if data_dir else {}), **kwargs)


def with_dataset(config, data_dir):
    """`config` reading MNIST when `data_dir` names the IDX files."""
    return dataclasses.replace(config, dataset=dataset_for(config.dataset, data_dir))

"""The book's MNIST classifiers as programs (chapters 3.2, 4.4, 5.2, 7.3).

Each config holds the book's optimizer, learning rate, steps and batch size.
They train on the embedded digits by default; a `data_dir` holding the four
MNIST IDX files (or `dataset="mnist"`, read through tensorflow-datasets)
runs the book's experiment. On the digits, whose training split is 44x
smaller than MNIST's, `digits_steps` says how long to train instead (see
docs/reproduction.md).
"""

from kclassics.distribute.cluster import STRATEGIES
from kclassics.programs import MNIST_FILES, Program, register
from kclassics.programs.classifier import CLASSIFIER_LENGTH, TrainConfig, classifier_total_steps

SOFTMAX_REGRESSION = TrainConfig(
    model="softmax_regression",
    optimizer="sgd",
    learning_rate=0.5,  # GradientDescentOptimizer(0.5), L1163
    steps=1000,  # for i in range(1000): next_batch(100), L1178
    batch_size=100,
    source="book 3.2, L1163-1180",
)

MLP = TrainConfig(
    model="mlp",
    optimizer="adagrad",
    learning_rate=0.3,  # AdagradOptimizer(0.3), L1551
    steps=3000,  # 3000 batches of 100, L1558
    batch_size=100,
    source="book 4.4, L1551-1560",
)

MNIST_CNN = TrainConfig(
    model="mnist_cnn",
    optimizer="adam",
    learning_rate=1e-4,  # AdamOptimizer(1e-4), L1741
    steps=20000,  # for i in range(20000): next_batch(50), L1755
    batch_size=50,
    digits_steps=1500,
    source="book 5.2, L1741-1762",
)

BIRNN_MNIST = TrainConfig(
    model="birnn_mnist",
    optimizer="adam",
    learning_rate=0.01,  # learning_rate = 0.01, L4545
    # while step * batch_size < max_samples (400,000), step from 1: 3,124 steps of 128, L4546-4547, L4614
    steps=3124,
    batch_size=128,
    digits_steps=600,
    source="book 7.3, L4545-4547, L4614",
)

def run_classifier(config, program, out=None, resume=False, data_dir=None, callbacks=(), verbose="auto", **kwargs):
    """`train_classifier` on the digits, or on MNIST when `data_dir` is given."""
    from kclassics.programs._data import with_dataset
    from kclassics.training import train_classifier

    return train_classifier(with_dataset(config, data_dir), program, out, resume, data_dir, callbacks, verbose, **kwargs)


def run_cnn(config, program, out=None, resume=False, data_dir=None, callbacks=(), verbose="auto", **kwargs):
    """`run_classifier` that also prints the training accuracy every 100 steps like the book."""
    from kclassics.callbacks.book import TrainingAccuracyPrinter
    from kclassics.programs._data import load_program_data, with_dataset
    from kclassics.training import train_classifier

    config = with_dataset(config, data_dir)
    splits = load_program_data(config.dataset, data_dir)
    printer = TrainingAccuracyPrinter(splits.train, config.batch_size, seed=config.seed)
    return train_classifier(config, program, out, resume, data_dir, (printer, *callbacks), verbose, splits=splits, **kwargs)


for _config, _run, _description in (
    (SOFTMAX_REGRESSION, run_classifier, "Softmax regression, SGD 0.5, 1000 steps x 100 (3.2)"),
    (MLP, run_classifier, "784-300-10 MLP with dropout, Adagrad 0.3, 3000 steps x 100 (4.4)"),
    (MNIST_CNN, run_cnn, "Two-layer CNN, Adam 1e-4, 20000 steps x 50, training accuracy every 100 steps (5.2)"),
    (BIRNN_MNIST, run_classifier, "Bidirectional LSTM over rows, Adam 0.01, 400,000 samples in batches of 128 (7.3)"),
):
    register(Program(_config.model, _config, f"{__name__}:{_run.__name__}", _description, length=CLASSIFIER_LENGTH,
                     optimizer=TrainConfig.make_optimizer, total_steps=classifier_total_steps, strategies=STRATEGIES,
                     data=MNIST_FILES))

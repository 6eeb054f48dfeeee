"""The book's MNIST classifiers as programs (chapters 3.2, 4.4, 5.2).

Each config holds the book's optimizer, learning rate, steps and batch size.
On the embedded digits, whose training split is 44x smaller than MNIST's,
`digits_steps` says how long to train instead (see docs/reproduction.md).
"""

from kclassics.programs import Program, register
from kclassics.training import TrainConfig, train_classifier

SOFTMAX_REGRESSION = TrainConfig(
    model="softmax_regression",
    optimizer="sgd",
    learning_rate=0.5,  # GradientDescentOptimizer(0.5), L1176
    steps=1000,  # for i in range(1000): next_batch(100), L1178
    batch_size=100,
    source="book 3.2, L1176-1180",
)

MLP = TrainConfig(
    model="mlp",
    optimizer="adagrad",
    learning_rate=0.3,  # AdagradOptimizer(0.3), L1552
    steps=3000,  # 3000 batches of 100, L1558
    batch_size=100,
    source="book 4.4, L1552-1560",
)

MNIST_CNN = TrainConfig(
    model="mnist_cnn",
    optimizer="adam",
    learning_rate=1e-4,  # AdamOptimizer(1e-4), L1745
    steps=20000,  # for i in range(20000): next_batch(50), L1755
    batch_size=50,
    digits_steps=1500,
    source="book 5.2, L1745-1762",
)

for _config, _description in (
    (SOFTMAX_REGRESSION, "Softmax regression, SGD 0.5, 1000 steps x 100 (3.2)"),
    (MLP, "784-300-10 MLP with dropout, Adagrad 0.3, 3000 steps x 100 (4.4)"),
    (MNIST_CNN, "Two-layer CNN, Adam 1e-4, 20000 steps x 50 (5.2)"),
):
    register(Program(_config.model, _config, train_classifier, _description))

"""The book's MNIST classifiers: softmax regression (3.2), MLP (4.4), simple CNN (5.2), TensorBoard MLP (9.1).

Initialisers follow the book's listings: zero weights for softmax regression,
truncated normal (stddev 0.1) for the hidden layers, biases 0.1 in the CNN.
Inputs are 28x28x1 images scaled to [0, 1]; the two dense models flatten them
first, which is the book's 784-vector.
"""

import keras
from keras import layers

from kclassics.apps import _common
from kclassics.apps._registry import register
from kclassics.model import Model

MNIST_SHAPE = (28, 28, 1)


def _book_normal():
    """`tf.truncated_normal(stddev=0.1)`: a new initializer per layer, created after `keras.utils.set_random_seed`.

    A module-level instance would fix its seed at import time (from an unseeded
    `random`), so runs would differ between processes whatever the seed.
    """
    return keras.initializers.TruncatedNormal(stddev=0.1)


def _head(x, classes, classifier_activation, kernel_initializer, bias_initializer="zeros"):
    return layers.Dense(
        classes,
        activation=classifier_activation,
        kernel_initializer=kernel_initializer,
        bias_initializer=bias_initializer,
        name="predictions",
    )(x)


def _build(features_fn, default_name, input_shape, input_tensor, classes, classifier_activation, weights, name, flat=True):
    _common.check_head(classes, classifier_activation)
    _common.check_weights(weights)
    inputs = _common.model_input(input_shape, input_tensor, MNIST_SHAPE, any_rank=flat)
    outputs = features_fn(inputs)
    model = Model(inputs, outputs, name=name or default_name)
    return _common.load_weights(model, weights)


def softmax_regression(
    input_shape=None, input_tensor=None, classes=10, classifier_activation="softmax", weights=None, name=None
):
    """Softmax regression, `y = softmax(xW + b)` with W and b zero (book 3.2, L1130).

    Args:
        input_shape: input shape, default `(28, 28, 1)`; any shape is flattened.
        input_tensor: optional Keras tensor to use as the input.
        classes: number of classes.
        classifier_activation: activation of the output layer (`None` for logits).
        weights: `None` or the path of a weights file.
        name: model name.

    Returns:
        A `kclassics.Model`.
    """

    def features(x):
        x = layers.Flatten(name="flatten")(x)
        return _head(x, classes, classifier_activation, "zeros")

    return _build(features, "softmax_regression", input_shape, input_tensor, classes, classifier_activation, weights, name)


def mlp(
    input_shape=None,
    input_tensor=None,
    classes=10,
    hidden_units=300,
    dropout_rate=0.25,
    classifier_activation="softmax",
    weights=None,
    name=None,
):
    """The book's multilayer perceptron, 784-300-10 with dropout (book 4.4, L1525).

    W1 is truncated normal (stddev 0.1); b1, W2, b2 are zero; dropout keeps 0.75.

    Args:
        hidden_units: width of the hidden ReLU layer (the book's `h1_units`).
        dropout_rate: fraction dropped in training (`1 - keep_prob`).
        Others as `softmax_regression`.
    """

    def features(x):
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(hidden_units, activation="relu", kernel_initializer=_book_normal(), name="hidden1")(x)
        x = layers.Dropout(dropout_rate, name="dropout")(x)
        return _head(x, classes, classifier_activation, "zeros")

    return _build(features, "mlp", input_shape, input_tensor, classes, classifier_activation, weights, name)


def mnist_cnn(
    input_shape=None,
    input_tensor=None,
    classes=10,
    dropout_rate=0.5,
    classifier_activation="softmax",
    weights=None,
    name=None,
):
    """The book's simple CNN: conv5x5x32-pool-conv5x5x64-pool-fc1024-dropout (book 5.2, L1682).

    Every weight is truncated normal (stddev 0.1) and every bias 0.1; convolutions
    and 2x2/2 max-pools use SAME padding; dropout keeps 0.5.

    Args:
        dropout_rate: fraction of fc1 dropped in training (`1 - keep_prob`).
        Others as `softmax_regression`; `input_shape` is `(height, width, channels)`.
    """
    def features(x):
        for i, filters in enumerate((32, 64), start=1):
            x = layers.Conv2D(
                filters, 5, padding="same", activation="relu",
                kernel_initializer=_book_normal(), bias_initializer=keras.initializers.Constant(0.1),
                name=f"conv{i}",
            )(x)
            x = layers.MaxPooling2D(2, padding="same", name=f"pool{i}")(x)
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(
            1024, activation="relu", kernel_initializer=_book_normal(),
            bias_initializer=keras.initializers.Constant(0.1), name="fc1",
        )(x)
        x = layers.Dropout(dropout_rate, name="dropout")(x)
        return _head(x, classes, classifier_activation, _book_normal(), keras.initializers.Constant(0.1))

    return _build(features, "mnist_cnn", input_shape, input_tensor, classes, classifier_activation, weights, name, flat=False)


def tensorboard_mnist(
    input_shape=None,
    input_tensor=None,
    classes=10,
    hidden_units=500,
    dropout_rate=0.1,
    classifier_activation="softmax",
    weights=None,
    name=None,
):
    """The MLP of the book's TensorBoard example, 784-500-10 with dropout (book 9.1, L5650-5670).

    Weights are truncated normal (stddev 0.1) and biases 0.1 (L5599-5605); dropout
    keeps 0.9 (L5572). Each `nn_layer` is a linear `Dense` (`layer1`, `layer2`:
    the book's `Wx_plus_b` pre-activations) followed by its activation layer, so
    both can be summarised.

    Args:
        hidden_units: width of the hidden ReLU layer.
        dropout_rate: fraction dropped in training (`1 - keep_prob`).
        Others as `softmax_regression`.
    """

    def features(x):
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(
            hidden_units, kernel_initializer=_book_normal(), bias_initializer=keras.initializers.Constant(0.1), name="layer1"
        )(x)
        x = layers.Activation("relu", name="layer1_activation")(x)
        x = layers.Dropout(dropout_rate, name="dropout")(x)
        x = layers.Dense(
            classes, kernel_initializer=_book_normal(), bias_initializer=keras.initializers.Constant(0.1), name="layer2"
        )(x)
        return layers.Activation(classifier_activation or "linear", name="predictions")(x)

    return _build(features, "tensorboard_mnist", input_shape, input_tensor, classes, classifier_activation, weights, name)


register(
    softmax_regression, family="mnist", input_shape=MNIST_SHAPE, params=7_850,
    paper="-", book_section="3.2",
    description="Softmax regression on 784 pixels, zero-initialised",
)
register(
    mlp, family="mnist", input_shape=MNIST_SHAPE, params=238_510,
    paper="Srivastava et al. 2014 (dropout)", book_section="4.4",
    description="784-300-10 ReLU perceptron with dropout (keep 0.75)",
)
register(
    mnist_cnn, family="mnist", input_shape=MNIST_SHAPE, params=3_274_634,
    paper="LeCun et al. 1998 (LeNet-style)", book_section="5.2",
    description="Two 5x5 conv-pool layers (32, 64), fc1024 with dropout",
)
register(
    tensorboard_mnist, family="mnist", input_shape=MNIST_SHAPE, params=397_510,
    paper="-", book_section="9.1",
    description="784-500-10 ReLU perceptron with dropout (keep 0.9), layers split for summaries",
)

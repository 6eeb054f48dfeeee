"""The book's bidirectional LSTM classifier on MNIST rows (book 7.3, L4573-4584).

Each 28x28 image is read as 28 time steps of 28 pixels. Two `BasicLSTMCell`s
(256 units, forget bias 1) run forwards and backwards; the logits come from
`outputs[-1]` of `static_bidirectional_rnn`, which is the forward output at
the last step concatenated with the backward output *aligned at the last
step*: the backward cell's first output, after it has read only the last row.
Keras's `Bidirectional(return_sequences=False)` would instead take the
backward cell's final output (after reading every row), a different network.
"""

import keras
from keras import layers

from kclassics.apps import _common
from kclassics.apps._registry import register
from kclassics.apps.mnist import MNIST_SHAPE
from kclassics.layers.recurrent import BasicLSTMCell
from kclassics.model import Model


def birnn_mnist(
    input_shape=None,
    input_tensor=None,
    classes=10,
    units=256,
    forget_bias=1.0,
    classifier_activation="softmax",
    weights=None,
    name=None,
):
    """Bidirectional LSTM over image rows, logits from the last step of both directions (book 7.3).

    Args:
        input_shape: `(steps, features)` or `(steps, features, 1)`, default
            `(28, 28, 1)`: rows are time steps.
        input_tensor: optional Keras tensor to use as the input.
        classes: number of classes.
        units: LSTM units per direction (the book's `n_hidden`, L4556).
        forget_bias: constant added to the forget gates (L4579).
        classifier_activation: activation of the output layer (`None` for logits).
        weights: `None` or the path of a weights file.
        name: model name.

    Returns:
        A `kclassics.Model`.
    """
    _common.check_head(classes, classifier_activation)
    _common.check_weights(weights)
    if input_shape is not None and (len(tuple(input_shape)) not in (2, 3) or (len(input_shape) == 3 and input_shape[2] != 1)):
        raise ValueError(
            f"`input_shape` must be (steps, features) or (steps, features, 1), such as (28, 28, 1). "
            f"Received: input_shape={tuple(input_shape)}"
        )
    default = MNIST_SHAPE if input_shape is None or len(tuple(input_shape)) == 3 else MNIST_SHAPE[:2]
    inputs = _common.model_input(input_shape, input_tensor, default)
    steps, features = inputs.shape[1], inputs.shape[2]
    if steps is None or features is None:
        raise ValueError(f"`input_shape` needs a known number of steps and features. Received: input_shape={inputs.shape[1:]}")
    x = layers.Reshape((steps, features), name="rows")(inputs)
    forward = layers.RNN(BasicLSTMCell(units, forget_bias), name="forward_lstm")(x)
    backward = layers.RNN(BasicLSTMCell(units, forget_bias), return_sequences=True, go_backwards=True, name="backward_lstm")(x)
    # go_backwards emits the sequence in reading order, so its first output is the one aligned at the last step.
    backward = layers.Cropping1D((0, steps - 1), name="backward_at_last_step")(backward)
    backward = layers.Flatten(name="backward_last")(backward)
    x = layers.Concatenate(name="outputs_last_step")([forward, backward])
    # weights and biases = tf.Variable(tf.random_normal(...)), L4566-4567: unit normal; new initializers
    # here (not module constants) so that `keras.utils.set_random_seed` decides their draws
    outputs = layers.Dense(
        classes, activation=classifier_activation, kernel_initializer=keras.initializers.RandomNormal(stddev=1.0),
        bias_initializer=keras.initializers.RandomNormal(stddev=1.0), name="predictions",
    )(x)
    model = Model(inputs, outputs, name=name or "birnn_mnist")
    return _common.load_weights(model, weights)


register(
    birnn_mnist, family="birnn", input_shape=MNIST_SHAPE, params=588_810,
    paper="Schuster & Paliwal 1997; Hochreiter & Schmidhuber 1997", book_section="7.3",
    description="Bidirectional LSTM (256 per direction, forget bias 1) over 28 image rows",
)

"""The book's CIFAR-10 CNN, after cuda-convnet (book 5.3, L1866-1916).

conv5x5x64 -> max-pool 3/2 -> LRN -> conv5x5x64 -> LRN -> max-pool 3/2 ->
fc384 -> fc192 -> 10 logits, on 24x24x3 crops. Only the two hidden fully
connected layers carry L2 weight decay, 0.004 * `tf.nn.l2_loss(w)` =
0.004 * sum(w**2) / 2 (the prose says 0.04; the code and the initial loss of
about 4.6 say 0.004).
"""

import keras
from keras import layers, regularizers

from kclassics import validation
from kclassics.apps import _common
from kclassics.apps._registry import register
from kclassics.layers.normalization import LocalResponseNormalization
from kclassics.model import Model

CIFAR10_CROP_SHAPE = (24, 24, 3)
WEIGHT_DECAY = 0.004  # variable_with_weight_loss(..., wl=0.004), L1898 and L1906


def _lrn(name):
    # tf.nn.lrn(x, 4, bias=1.0, alpha=0.001 / 9.0, beta=0.75), L1873 and L1887
    return LocalResponseNormalization(depth_radius=4, bias=1.0, alpha=0.001 / 9.0, beta=0.75, name=name)


def cifar10_cnn(
    input_shape=None,
    input_tensor=None,
    classes=10,
    weight_decay=WEIGHT_DECAY,
    classifier_activation="softmax",
    weights=None,
    name=None,
):
    """The book's CIFAR-10 CNN with LRN and L2 on the hidden FC layers (book 5.3).

    Args:
        input_shape: `(height, width, channels)`, default `(24, 24, 3)`.
        input_tensor: optional Keras tensor to use as the input.
        classes: number of classes.
        weight_decay: the book's `wl` of `local3` and `local4`; the Keras
            penalty is `L2(weight_decay / 2)`, which equals `wl * l2_loss(w)`.
        classifier_activation: activation of the output layer (`None` for logits).
        weights: `None` or the path of a weights file.
        name: model name.

    Returns:
        A `kclassics.Model`.
    """
    _common.check_head(classes, classifier_activation)
    _common.check_weights(weights)
    validation.non_negative_float("weight_decay", weight_decay)
    if input_shape is not None and len(tuple(input_shape)) != 3:
        raise ValueError(
            f"`input_shape` must be (height, width, channels), such as (24, 24, 3). Received: input_shape={tuple(input_shape)}"
        )
    inputs = _common.model_input(input_shape, input_tensor, CIFAR10_CROP_SHAPE)

    def conv(filters, bias, name):
        # weight stddev 5e-2, no weight decay (L1866, L1881); bias 0.0 then 0.1 (L1869, L1884)
        return layers.Conv2D(
            filters, 5, padding="same", activation="relu",
            kernel_initializer=keras.initializers.TruncatedNormal(stddev=5e-2),
            bias_initializer=keras.initializers.Constant(bias), name=name,
        )

    def local(units, name):
        # stddev 0.04, wl 0.004, bias 0.1 (L1898-1899, L1906)
        return layers.Dense(
            units, activation="relu", kernel_initializer=keras.initializers.TruncatedNormal(stddev=0.04),
            kernel_regularizer=regularizers.L2(weight_decay / 2) if weight_decay else None,
            bias_initializer=keras.initializers.Constant(0.1), name=name,
        )

    x = conv(64, 0.0, "conv1")(inputs)
    x = layers.MaxPooling2D(3, strides=2, padding="same", name="pool1")(x)
    x = _lrn("norm1")(x)
    x = conv(64, 0.1, "conv2")(x)
    x = _lrn("norm2")(x)
    x = layers.MaxPooling2D(3, strides=2, padding="same", name="pool2")(x)
    x = layers.Flatten(name="flatten")(x)
    x = local(384, "local3")(x)
    x = local(192, "local4")(x)
    outputs = layers.Dense(  # stddev 1/192, no weight decay, bias 0 (L1914-1915)
        classes, activation=classifier_activation, kernel_initializer=keras.initializers.TruncatedNormal(stddev=1 / 192.0),
        name="predictions",
    )(x)
    model = Model(inputs, outputs, name=name or "cifar10_cnn")
    return _common.load_weights(model, weights)


register(
    cifar10_cnn, family="cifar10", input_shape=CIFAR10_CROP_SHAPE, params=1_068_298,
    paper="Krizhevsky cuda-convnet (layers-18pct)", book_section="5.3",
    description="Two conv-LRN-pool layers (64, 64), fc384-fc192 with L2 0.004, on 24x24 crops",
)

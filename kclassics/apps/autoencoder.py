"""The book's additive Gaussian noise (denoising) autoencoder (book 4.2, L1290-1372).

The TF1 class `AdditiveGaussianNoiseAutoencoder` as a `kclassics.Model` subclass
that keeps its interface: `partial_fit`, `calc_total_cost`, `transform`,
`generate`, `reconstruct` and the hidden layer's weights and biases. As in
the book, one noise vector `scale * N(0, 1)` of shape `(n_input,)` is drawn
per batch and added to every example, the hidden layer is softplus, the
reconstruction linear, and the cost is half the summed squared error.
"""

import keras
import numpy as np
from keras import ops

from kclassics import validation
from kclassics.apps._registry import register
from kclassics.model import Model


@keras.saving.register_keras_serializable(package="kclassics")
class AdditiveGaussianNoiseAutoencoder(Model):
    """x + scale * noise -> hidden (softplus) -> linear reconstruction; cost 0.5 * SSE.

    `w1` is Glorot uniform (the book's `xavier_init`, L1277), `b1`, `w2`, `b2`
    are zero (L1336-1343). `call(x)` reconstructs without noise unless `training`;
    the book's methods (`partial_fit`, `calc_total_cost`, `transform`,
    `reconstruct`) add noise at `scale` like the TF1 graph they come from.

    Args:
        n_input: input features (784 for MNIST).
        n_hidden: hidden units (200 in the book's experiment, L1422).
        transfer_function: hidden activation, default softplus.
        scale: noise standard deviation (the class default 0.1, L1292; the
            book's experiment uses 0.01).
    """

    def __init__(self, n_input=784, n_hidden=200, transfer_function="softplus", scale=0.1, **kwargs):
        super().__init__(**kwargs)
        validation.positive_int("n_input", n_input)
        validation.positive_int("n_hidden", n_hidden)
        validation.non_negative_float("scale", scale)
        self.n_input = n_input
        self.n_hidden = n_hidden
        self.transfer_function = transfer_function
        self.transfer = keras.activations.get(transfer_function)
        self.training_scale = float(scale)
        self.hidden_layer = keras.layers.Dense(n_hidden, kernel_initializer="glorot_uniform", name="hidden")
        self.reconstruction_layer = keras.layers.Dense(n_input, kernel_initializer="zeros", name="reconstruction")
        self.seed_generator = keras.random.SeedGenerator()

    def build(self, input_shape):
        self.hidden_layer.build((None, self.n_input))
        self.reconstruction_layer.build((None, self.n_hidden))
        self.built = True

    def _hidden(self, x, noisy):
        if noisy and self.training_scale:
            # tf.random_normal((n_input,)): one noise vector shared by the whole batch (L1310)
            x = x + self.training_scale * keras.random.normal((self.n_input,), seed=self.seed_generator)
        return self.transfer(self.hidden_layer(x))

    def call(self, inputs, training=False):
        return self.reconstruction_layer(self._hidden(inputs, noisy=training))

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """Half the summed squared error between reconstruction and input (L1320)."""
        target = x if y is None else y
        return 0.5 * ops.sum(ops.square(y_pred - target))

    def partial_fit(self, X):
        """One optimizer step on the batch `X`; returns its cost (before the step, as the book's `sess.run`)."""
        if self.optimizer is None:
            self.compile(optimizer=keras.optimizers.Adam())  # the book's default optimizer (L1292)
        return float(self.train_on_batch(np.asarray(X, np.float32), np.asarray(X, np.float32)))

    def calc_total_cost(self, X):
        """The cost of all of `X` with noise at the training scale."""
        x = ops.convert_to_tensor(np.asarray(X, np.float32))
        reconstruction = self.reconstruction_layer(self._hidden(x, noisy=True))
        return float(ops.convert_to_numpy(0.5 * ops.sum(ops.square(reconstruction - x))))

    def encode(self, x):
        """The noise-free hidden code of a batch of tensors (what the SavedModel export serves as `hidden`)."""
        return self._hidden(x, noisy=False)

    def transform(self, X):
        """The hidden features of `X` (noisy input, as the book)."""
        return ops.convert_to_numpy(self._hidden(ops.convert_to_tensor(np.asarray(X, np.float32)), noisy=True))

    def generate(self, hidden=None):
        """Reconstructions from hidden features; a random standard-normal code when `hidden` is None."""
        if hidden is None:
            hidden = np.random.normal(size=(1, self.n_hidden))
        return ops.convert_to_numpy(self.reconstruction_layer(ops.convert_to_tensor(np.asarray(hidden, np.float32))))

    def reconstruct(self, X):
        """`generate(transform(X))`: the noisy input's reconstruction."""
        return self.generate(self.transform(X))

    def get_hidden_weights(self):
        """The hidden layer's weights `w1`, shape `(n_input, n_hidden)` (the book's `getWeights`)."""
        return ops.convert_to_numpy(self.hidden_layer.kernel)

    def get_hidden_biases(self):
        """The hidden layer's biases `b1` (the book's `getBiases`)."""
        return ops.convert_to_numpy(self.hidden_layer.bias)

    def get_config(self):
        return {
            "name": self.name,
            "n_input": self.n_input,
            "n_hidden": self.n_hidden,
            "transfer_function": self.transfer_function,
            "scale": self.training_scale,
        }


def denoising_autoencoder(input_shape=None, hidden_units=200, transfer_function="softplus", scale=0.01, name=None):
    """The book's experiment: a 784-200-784 additive Gaussian noise autoencoder, noise scale 0.01 (L1421-1425).

    Args:
        input_shape: `(n_input,)`, default `(784,)`: flat, standardised images.
        hidden_units: hidden layer width.
        transfer_function: hidden activation.
        scale: noise standard deviation.
        name: model name.

    Returns:
        A built `AdditiveGaussianNoiseAutoencoder`.
    """
    if input_shape is not None and (len(tuple(input_shape)) != 1 or not isinstance(input_shape[0], int)):
        raise ValueError(f"`input_shape` must be (features,), such as (784,). Received: input_shape={input_shape!r}")
    n_input = input_shape[0] if input_shape is not None else 784
    model = AdditiveGaussianNoiseAutoencoder(n_input, hidden_units, transfer_function, scale, name=name or "denoising_autoencoder")
    model.build((None, n_input))
    return model


register(
    denoising_autoencoder, family="autoencoder", input_shape=(784,), params=314_584, task="reconstruction",
    paper="Vincent et al. 2008 (denoising autoencoders)", book_section="4.2",
    description="784-200-784 additive Gaussian noise autoencoder, softplus, 0.5*SSE",
)

"""Every network of the book, one call away.

    import kclassics
    model = kclassics.apps.mnist_cnn()
    kclassics.apps.list_models("mnist*")
    kclassics.apps.model_info("mnist_cnn").params
"""

from kclassics.apps._registry import ModelCard, create_model, list_models, model_info
from kclassics.apps.mnist import mlp, mnist_cnn, softmax_regression
from kclassics.apps.mnist import tensorboard_mnist
from kclassics.apps.autoencoder import AdditiveGaussianNoiseAutoencoder, denoising_autoencoder
from kclassics.apps.birnn import birnn_mnist

__all__ = [
    "ModelCard",
    "create_model",
    "list_models",
    "model_info",
    "mlp",
    "mnist_cnn",
    "softmax_regression",
    "tensorboard_mnist",
    "AdditiveGaussianNoiseAutoencoder",
    "denoising_autoencoder",
    "birnn_mnist",
]

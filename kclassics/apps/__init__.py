"""Every network of the book, one call away.

    import kclassics
    model = kclassics.apps.mnist_cnn()
    kclassics.apps.list_models("mnist*")
    kclassics.apps.model_info("mnist_cnn").params
"""

from kclassics.apps._registry import ModelCard, create_model, list_models, model_info
from kclassics.apps.mnist import mlp, mnist_cnn, softmax_regression

__all__ = [
    "ModelCard",
    "create_model",
    "list_models",
    "model_info",
    "mlp",
    "mnist_cnn",
    "softmax_regression",
]

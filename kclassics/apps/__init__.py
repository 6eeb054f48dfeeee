"""Every network of the book, one call away.

    import kclassics
    model = kclassics.apps.mnist_cnn()
    kclassics.apps.list_models("mnist*")
    kclassics.apps.model_info("mnist_cnn").params
"""

from kclassics.apps._registry import ModelCard, create_model, list_models, model_info
from kclassics.apps.mnist import mlp, mnist_cnn, softmax_regression
from kclassics.apps._keras_twins import keras_twin, transplant_weights
from kclassics.apps._end_points import end_points, feature_extractor
from kclassics.apps.resnet_v2 import resnet_v2_50, resnet_v2_101, resnet_v2_152, resnet_v2_200

__all__ = [
    "ModelCard",
    "create_model",
    "list_models",
    "model_info",
    "mlp",
    "mnist_cnn",
    "softmax_regression",
    "keras_twin",
    "transplant_weights",
    "end_points",
    "feature_extractor",
    "resnet_v2_50",
    "resnet_v2_101",
    "resnet_v2_152",
    "resnet_v2_200",
]

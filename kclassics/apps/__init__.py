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
from kclassics.apps._preprocessing import preprocessing
from kclassics.apps.alexnet import alexnet, alexnet_paper
from kclassics.apps.vgg import vgg11, vgg11_lrn, vgg13, vgg16, vgg19
from kclassics.apps.densenet import densenet121, densenet169, densenet201
from kclassics.apps.googlenet import googlenet
from kclassics.apps.bn_inception import bn_inception
from kclassics.apps.inception_v3 import inception_v3
from kclassics.apps.resnet_v1 import resnet_v1_18, resnet_v1_34, resnet_v1_50, resnet_v1_101, resnet_v1_152
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
    "preprocessing",
    "alexnet",
    "alexnet_paper",
    "vgg11",
    "vgg11_lrn",
    "vgg13",
    "vgg16",
    "vgg19",
    "densenet121",
    "densenet169",
    "densenet201",
    "googlenet",
    "bn_inception",
    "inception_v3",
    "resnet_v1_18",
    "resnet_v1_34",
    "resnet_v1_50",
    "resnet_v1_101",
    "resnet_v1_152",
    "resnet_v2_50",
    "resnet_v2_101",
    "resnet_v2_152",
    "resnet_v2_200",
]

"""Every network of the book, one call away.

    import kclassics
    model = kclassics.apps.mnist_cnn()
    kclassics.apps.list_models("mnist*")
    kclassics.apps.model_info("mnist_cnn").params

Each registered model's builder is a function of this module, taken from the
registry (`from kclassics.apps import resnet_v2_50`).
"""

from kclassics.apps._registry import MODELS, ModelCard, create_model, list_models, model_info
from kclassics.apps._keras_twins import keras_twin, transplant_weights
from kclassics.apps._end_points import end_points, feature_extractor
from kclassics.apps._preprocessing import preprocessing
from kclassics.apps.autoencoder import AdditiveGaussianNoiseAutoencoder

# Set after the registry has imported the family modules: a module named as its model
# (`kclassics.apps.alexnet`) would otherwise shadow the builder.
globals().update((name, card.builder) for name, card in MODELS.items())

__all__ = [
    "ModelCard",
    "create_model",
    "list_models",
    "model_info",
    "keras_twin",
    "transplant_weights",
    "end_points",
    "feature_extractor",
    "preprocessing",
    "AdditiveGaussianNoiseAutoencoder",
    *MODELS.names(),
]

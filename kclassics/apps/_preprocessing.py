"""`preprocess_input` and `decode_predictions` of each family, by model name."""

import importlib

from kclassics.apps._registry import model_info


def preprocessing(name):
    """`(preprocess_input, decode_predictions)` of a registered model's family.

    They are keras.applications' functions wherever the arithmetic is the same:
    `"tf"` scaling to [-1, 1] for Inception and ResNet V2, `"caffe"` (BGR, mean
    subtracted) for ResNet V1, VGG and AlexNet, `"torch"` for DenseNet.

    Example:
        preprocess_input, decode_predictions = preprocessing("resnet_v2_50")
    """
    module = importlib.import_module(f"kclassics.apps.{model_info(name).family}")
    if not hasattr(module, "preprocess_input"):
        raise ValueError(f"Model {name!r} has no ImageNet preprocessing. Received: name={name!r}")
    return module.preprocess_input, module.decode_predictions

"""Every kclassics layer, and a zoo model, saved on one Keras backend and checked on another.

`save(directory)` writes, for each case, a `.keras` file and the inputs,
outputs (inference and training mode), updated moving statistics and input
gradient computed on this process's backend, where the TensorFlow-only paths
(the fused batch norm kernel, the fused LRN, the Winograd convolution) are
the ones taken. `check(directory)` loads each file on this process's backend,
where the `keras.ops` paths are taken, and asserts the same numbers.

    python tests/backends/cross_backend.py save|check DIRECTORY [NAME ...]
"""

import sys
from pathlib import Path

import numpy as np

import keras
import kclassics.apps as apps
from kclassics import layers
from kclassics.layers import fused_batch_norm

# float32 rounding of the same function computed by different kernels: relative to each
# element and, for sums that cancel to near zero, to the largest element.
RTOL, ATOL = 2e-4, 2e-5


def _functional(layer, shape):
    inputs = keras.Input(shape)
    return keras.Model(inputs, layer(inputs))


def _randomize(model, seed):
    """Weights away from their initial values (BN variances positive), so every term of each layer counts."""
    rng = np.random.default_rng(seed)
    weights = []
    for variable in model.weights:
        value = rng.uniform(0.5, 1.5, variable.shape) if "variance" in variable.path or "gamma" in variable.path else (
            rng.normal(0.0, 0.3, variable.shape)
        )
        weights.append(value.astype("float32"))
    model.set_weights(weights)
    return model


def cases(names=None):
    """`name -> (model, input shape, compare training-mode outputs)`, all of them or those in `names`."""
    keras.utils.set_random_seed(0)
    return {name: build() for name, build in _BUILDERS.items() if names is None or name in names}


_BUILDERS = {
    "batch_norm": lambda: (_functional(fused_batch_norm.BatchNormalization(momentum=0.9), (5, 5, 6)), (5, 5, 6), True),
    "lrn_fused": lambda: (_functional(layers.LocalResponseNormalization(2, 1.0, 0.1, 0.75, implementation="fused"), (3, 3, 9)), (3, 3, 9), True),
    "lrn_matmul": lambda: (_functional(layers.LocalResponseNormalization(2, 2.0, 1e-2, 0.5), (3, 3, 9)), (3, 3, 9), True),
    "winograd_conv2d": lambda: (_functional(layers.Conv2D(8, 3, padding="same", activation="relu", algorithm="winograd"), (6, 6, 4)), (6, 6, 4), True),
    "conv_bn_act": lambda: (_functional(layers.ConvBNAct(6, 3, strides=2, padding="conv2d_same", family="resnet_v2"), (7, 7, 3)), (7, 7, 3), True),
    "preact_bottleneck": lambda: (_functional(layers.PreActBottleneck(16, 4, stride=2, projection=True), (6, 6, 8)), (6, 6, 8), True),
    "basic_residual_unit": lambda: (_functional(layers.BasicResidualUnit(8, stride=2, projection=True), (6, 6, 4)), (6, 6, 4), True),
    "bottleneck_residual_unit": lambda: (_functional(layers.BottleneckResidualUnit(4, projection=True), (5, 5, 8)), (5, 5, 8), True),
    "inception_v3_module_a": lambda: (_functional(layers.InceptionModule(layers.inception_v3_module_a(4), name="mixed"), (7, 7, 8)), (7, 7, 8), True),
    "inception_v1_module": lambda: (_functional(layers.InceptionModule(layers.inception_v1_module(2, 2, 4, 2, 4, 2), family="googlenet", normalize=False, name="mixed"), (5, 5, 6)), (5, 5, 6), True),
    "auxiliary_head": lambda: (_functional(layers.AuxiliaryHead(5, name="aux"), (17, 17, 8)), (17, 17, 8), False),
    "dense_block": lambda: (_functional(layers.DenseBlock(2, growth_rate=4, name="conv2"), (5, 5, 6)), (5, 5, 6), True),
    "transition": lambda: (_functional(layers.Transition(4, name="pool2"), (6, 6, 8)), (6, 6, 8), True),
    "basic_lstm": lambda: (_functional(keras.layers.RNN(layers.BasicLSTMCell(5, forget_bias=1.0)), (4, 3)), (4, 3), True),
    "mnist_cnn": lambda: (apps.mnist_cnn(), (28, 28, 1), False),
}


def cases_names():
    """The names of every case, without building them."""
    return sorted(_BUILDERS)


def input_gradient(model, x):
    """`d sum(outputs * w) / d inputs` in inference mode, for a fixed `w`, on this process's backend."""
    backend = keras.backend.backend()

    def objective(outputs):
        total = 0.0
        for y in keras.tree.flatten(outputs):
            weights = np.linspace(-1.0, 1.0, int(np.prod(y.shape[1:])), dtype="float32").reshape(y.shape[1:])
            total = total + keras.ops.sum(y * weights)
        return total

    if backend == "tensorflow":
        import tensorflow as tf

        x = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(x)
            value = objective(model(x, training=False))
        return tape.gradient(value, x).numpy()
    if backend == "jax":
        import jax

        trainable = [v.value for v in model.trainable_variables]
        non_trainable = [v.value for v in model.non_trainable_variables]
        return np.asarray(jax.grad(lambda x: objective(model.stateless_call(trainable, non_trainable, x)[0]))(x))
    if backend == "torch":
        import torch

        x = torch.tensor(x, requires_grad=True)
        return torch.autograd.grad(objective(model(x, training=False)), x)[0].cpu().numpy()
    raise ValueError(f"No gradient for backend {backend!r}")


def _numbers(model, x, training_outputs):
    numbers = {"inference": [np.asarray(keras.ops.convert_to_numpy(y)) for y in keras.tree.flatten(model(x, training=False))]}
    numbers["gradient"] = [input_gradient(model, x)]
    if training_outputs:
        numbers["training"] = [np.asarray(keras.ops.convert_to_numpy(y)) for y in keras.tree.flatten(model(x, training=True))]
        numbers["moving"] = [np.asarray(keras.ops.convert_to_numpy(v)) for v in model.non_trainable_variables]
    return numbers


def save(directory, names=None):
    directory = Path(directory)
    for seed, (name, (model, shape, training_outputs)) in enumerate(sorted(cases(names).items())):
        _randomize(model, seed)
        x = np.random.default_rng(seed).normal(1.0, 2.0, (2, *shape)).astype("float32")
        model.save(directory / f"{name}.keras")  # before the training-mode call moves the statistics
        numbers = _numbers(model, x, training_outputs)
        np.savez(directory / f"{name}.npz", x=x, **{f"{k}_{i}": v for k, vs in numbers.items() for i, v in enumerate(vs)})
    (directory / "backend.txt").write_text(keras.backend.backend())


def check(directory):
    """Asserts every case saved in `directory` computes the same numbers here; returns the names checked."""
    directory = Path(directory)
    names = sorted(path.stem for path in directory.glob("*.keras"))
    for name in names:
        model = keras.saving.load_model(directory / f"{name}.keras", safe_mode=True)
        saved = np.load(directory / f"{name}.npz")
        numbers = _numbers(model, saved["x"], any(key.startswith("training") for key in saved.files))
        for kind, values in numbers.items():
            for i, value in enumerate(values):
                expected = saved[f"{kind}_{i}"]
                np.testing.assert_allclose(
                    value, expected, rtol=RTOL, atol=ATOL * max(1.0, float(np.max(np.abs(expected), initial=0.0))),
                    err_msg=f"{name}: {kind} output {i} differs between {(directory / 'backend.txt').read_text()} and {keras.backend.backend()}",
                )
    return names


if __name__ == "__main__":
    command, directory, *only = sys.argv[1:]
    if command == "save":
        save(directory, only or None)
    else:
        print("checked:", ", ".join(check(directory)))

"""Parameters and multiply-adds per layer, checked by hand and against the published counts."""

import keras
import pytest

from kclassics import apps, profiler


def _find(root, name):
    return next(node for _, node in root.walk() if node.name == name)


def test_mnist_cnn_counts_by_hand():
    root = profiler.profile(apps.mnist_cnn())
    # conv: output elements x kernel area x input channels.
    assert _find(root, "conv1").multiply_adds == 28 * 28 * 32 * 25 * 1
    assert _find(root, "conv2").multiply_adds == 14 * 14 * 64 * 25 * 32
    assert _find(root, "fc1").multiply_adds == 7 * 7 * 64 * 1024
    assert _find(root, "predictions").multiply_adds == 1024 * 10
    assert _find(root, "pool1").multiply_adds == 0
    assert root.total_params == 3_274_634 == apps.model_info("mnist_cnn").params
    assert root.total_multiply_adds == 627_200 + 10_035_200 + 3_211_264 + 10_240
    assert _find(root, "conv2").output_shape == (14, 14, 64)


@keras.saving.register_keras_serializable(package="kclassics_test")
class _SeparableBlock(keras.layers.Layer):
    """A block with sub-layers that are only ever called inside its `call`."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.depthwise = keras.layers.DepthwiseConv2D(3, padding="same", name="depthwise")
        self.norm = keras.layers.BatchNormalization(name="norm")
        self.pointwise = keras.layers.Conv2D(16, 1, use_bias=False, name="pointwise")

    def call(self, x, training=None):
        return self.pointwise(self.norm(self.depthwise(x), training=training))


class _Counted(keras.layers.Layer):
    def call(self, x):
        return x * 2.0

    def count_multiply_adds(self, input_shapes, output_shapes):
        return 7 * input_shapes[0][-1]


def test_nested_blocks_shared_layers_and_own_counts():
    inputs = keras.Input((8, 8, 4))
    block = _SeparableBlock(name="block")
    x = block(inputs)
    shared = keras.layers.Conv2D(16, 3, padding="same", name="shared")
    x = shared(shared(x))  # called twice: counted twice, weights once
    x = _Counted(name="counted")(x)
    x = keras.layers.SeparableConv2D(8, 3, padding="valid", name="separable")(x)
    x = keras.layers.AveragePooling2D(2, name="avg")(x)
    outputs = keras.layers.GlobalAveragePooling2D(name="gap")(x)
    model = keras.Model(inputs, outputs)
    root = profiler.profile(model)

    node = _find(root, "block")
    assert [c.name for c in node.children] == ["depthwise", "norm", "pointwise"]
    assert _find(root, "depthwise").multiply_adds == 8 * 8 * 4 * 9
    assert _find(root, "norm").multiply_adds == 8 * 8 * 4
    assert _find(root, "pointwise").multiply_adds == 8 * 8 * 16 * 4
    assert node.multiply_adds == 0 and node.total_multiply_adds == 8 * 8 * 4 * 9 + 8 * 8 * 4 + 8 * 8 * 16 * 4
    assert node.total_params == 4 * 9 + 4 + 4 * 4 + 16 * 4
    assert _find(root, "shared").multiply_adds == 2 * 8 * 8 * 16 * 9 * 16
    assert _find(root, "counted").multiply_adds == 7 * 16
    assert _find(root, "separable").multiply_adds == 6 * 6 * 16 * 9 + 6 * 6 * 16 * 8
    assert _find(root, "avg").multiply_adds == 3 * 3 * 8 * 4
    assert _find(root, "gap").multiply_adds == 3 * 3 * 8
    assert root.total_params == model.count_params()
    assert root.total_multiply_adds == sum(n.multiply_adds for _, n in root.walk())
    # A block that matches `show` comes with its layers; `hide` still removes some of them.
    shown = [line.split()[0] for line in profiler.render(root, show="^block$", hide="norm")]
    assert shown == [model.name, "block", "depthwise", "pointwise"]


@pytest.mark.parametrize(
    "name, published, tolerance",
    [
        # Book L3375: ResNet-50 3.8 G multiply-adds (He et al. 2015; ~4.1 G is torchvision's v1.5).
        ("resnet_v1_50", 3.8e9, 0.03),
        ("vgg16", 15.5e9, 0.01),  # book L3375 / Simonyan & Zisserman 2014
        ("inception_v3", 5.7e9, 0.01),  # book 6.3, at 299x299
    ],
)
def test_totals_match_published_counts_and_the_cards(name, published, tolerance):
    card = apps.model_info(name)
    root = profiler.profile(apps.create_model(name))
    assert root.total_params == card.params
    # The cards count convolutions and FC layers only, as the papers; the profile adds BN and pooling (< 2%).
    assert profiler.papers_multiply_adds(root) == card.multiply_adds
    assert 1.0 <= root.total_multiply_adds / card.multiply_adds < 1.02
    assert abs(card.multiply_adds - published) / published < tolerance


@pytest.mark.slow
@pytest.mark.parametrize("name", apps.list_models())
def test_every_registered_model_at_full_size(name):
    card = apps.model_info(name)
    root = profiler.profile(apps.create_model(name))
    assert root.total_params == card.params
    if card.multiply_adds is not None:
        assert profiler.papers_multiply_adds(root) == card.multiply_adds


def test_render_order_show_hide_and_depth():
    root = profiler.profile(apps.mnist_cnn())
    lines = profiler.render(root, max_depth=1)
    assert lines[0].startswith("mnist_cnn (0/3.27M params, 0/13.88M multiply-adds)")
    assert "  conv1 (832/832 params, 627.20k/627.20k multiply-adds)" in lines
    by_flops = [line.split()[0] for line in profiler.render(root, order_by="flops")[1:4]]
    assert by_flops == ["conv2", "fc1", "conv1"]
    by_params = [line.split()[0] for line in profiler.render(root, order_by="params")[1:3]]
    assert by_params == ["fc1", "conv2"]
    shown = profiler.render(root, show="^conv")
    assert [line.split()[0] for line in shown] == ["mnist_cnn", "conv1", "conv2"]
    hidden = profiler.render(root, hide="pool|dropout|flatten|images")
    assert [line.split()[0] for line in hidden] == ["mnist_cnn", "conv1", "conv2", "fc1", "predictions"]
    assert profiler.render(root, max_depth=0) == lines[:1]


def test_bad_arguments_are_named():
    root = profiler.ProfileNode("m", "Model")
    with pytest.raises(ValueError, match=r"`order_by` must be one of .* Received: order_by='time'"):
        profiler.render(root, order_by="time")
    with pytest.raises(ValueError, match=r"`show` must be a regular expression .* Received: show='\('"):
        profiler.render(root, show="(")
    inputs = keras.Input((None, None, 3))
    model = keras.Model(inputs, keras.layers.Conv2D(2, 3)(inputs))
    with pytest.raises(ValueError, match=r"fully known example shape .* Received: input_shape=\(None, None, 3\)"):
        profiler.profile(model)
    assert profiler.multiply_adds(model, (5, 5, 3)) == 3 * 3 * 2 * 9 * 3


def test_format_count():
    assert [profiler.format_count(v) for v in (999, 1_500, 2_000_000, 15_470_000_000)] == ["999", "1.50k", "2.00M", "15.47G"]


def test_a_built_subclassed_model_is_profiled_at_the_shape_it_was_built_for():
    root = profiler.profile(apps.create_model("denoising_autoencoder"))
    assert root.total_params == apps.model_info("denoising_autoencoder").params
    assert root.total_multiply_adds == 2 * 784 * 200

    class Unbuilt(keras.Model):
        def call(self, x):
            return x

    with pytest.raises(ValueError, match="`input_shape` is needed for a model without exactly one input"):
        profiler.profile(Unbuilt())

"""Parameters and multiply-adds per block and layer: the book's tfprof (11.3) for Keras 3.

tfprof walked a TF1 graph's name scopes; a Keras 3 model is a tree of layers
instead (a functional model holds blocks, a block holds layers). `profile`
traces one forward pass of a single example symbolically (no arithmetic is
done), records the input and output shapes every layer is called with, and
counts the multiply-adds of each call from those shapes and the layer's
configuration:

- convolutions (`Conv1D/2D/3D`, grouped): output elements x kernel area x
  input channels per group; depthwise: output elements x kernel area;
  separable: both parts; transposed: input elements x kernel area x filters;
- `Dense`: input rows x input width x units;
- batch, layer and group normalization, `Rescaling`, `Normalization`: one
  per element (their inference form is `x * a + b`);
- average pooling: one per summed element; local response normalization:
  the window's squares plus the scaling, per element;
- max pooling, activations, additions, concatenations, reshapes: zero (they
  multiply nothing).

Biases are not counted, as in the published counts (VGG16 15.5 G, ResNet-50
3.8-4.1 G, Inception V3 5.7 G). A layer can state its own count by defining
`count_multiply_adds(input_shapes, output_shapes)` (shapes without the batch
dimension).
"""

import contextlib
import dataclasses
import math
import re
from typing import Optional


@dataclasses.dataclass
class ProfileNode:
    """One layer (or block, or the model) of the profile tree.

    Attributes:
        name: the layer's name.
        kind: its class name.
        params: weights owned by this layer itself (not its sub-layers).
        total_params: weights of this layer and everything inside it.
        multiply_adds: multiply-adds of one example done by this layer's own
            arithmetic.
        total_multiply_adds: the same including everything inside it.
        output_shape: output shape of its last call, without the batch.
        children: the layers it holds, in the order they were built.
        conv_or_dense: whether its own count is a convolution's or a
            fully-connected layer's, the only layers the papers count.
    """

    name: str
    kind: str
    params: int = 0
    total_params: int = 0
    multiply_adds: int = 0
    total_multiply_adds: int = 0
    output_shape: Optional[tuple] = None
    children: list = dataclasses.field(default_factory=list)
    conv_or_dense: bool = False

    def walk(self, depth=0):
        """Yields `(depth, node)` for this node and every node below it, depth first."""
        yield depth, self
        for child in self.children:
            yield from child.walk(depth + 1)

    def as_dict(self):
        """The tree as plain data (for JSON)."""
        return {
            "name": self.name,
            "kind": self.kind,
            "params": self.params,
            "total_params": self.total_params,
            "multiply_adds": self.multiply_adds,
            "total_multiply_adds": self.total_multiply_adds,
            "output_shape": list(self.output_shape) if self.output_shape is not None else None,
            "conv_or_dense": self.conv_or_dense,
            "children": [child.as_dict() for child in self.children],
        }


ORDERS = ("name", "params", "flops")


def profile(model, input_shape=None):
    """Counts the parameters and multiply-adds of every layer of a built model.

    Args:
        model: a built `keras.Model` (functional or subclassed).
        input_shape: shape of one example without the batch dimension;
            default the model's own input shape.

    Returns:
        The root `ProfileNode`; its `total_params` equals
        `model.count_params()` and `total_multiply_adds` is the cost of one
        forward pass of one example.
    """
    shape = _example_shape(model, input_shape)
    calls = _trace_calls(model, shape)
    return _node(model, calls)


def multiply_adds(model, input_shape=None):
    """Multiply-adds of one forward pass of one example (see `profile`)."""
    return profile(model, input_shape).total_multiply_adds


def papers_multiply_adds(root):
    """Multiply-adds of the convolutions and fully-connected layers only, as papers and model cards count them."""
    return sum(node.multiply_adds for _, node in root.walk() if node.conv_or_dense)


def render(root, max_depth=4, order_by="name", show=None, hide=None):
    """The profile as tfprof-style lines, `name (self/total)` for params and multiply-adds.

    Args:
        root: a `ProfileNode` from `profile`.
        max_depth: deepest level printed (the model is level 0).
        order_by: `"name"` keeps the build order, `"params"` and `"flops"`
            put the heaviest children first.
        show: regular expression; only nodes whose name matches, the nodes
            above them and everything below them are printed.
        hide: regular expression; nodes whose name matches are left out,
            with everything below them.

    Returns:
        A list of lines.
    """
    show_re, hide_re = check_render_arguments(order_by, show, hide)
    lines = []

    def matches(node):
        return show_re is None or bool(show_re.search(node.name))

    def visible(node, shown):
        if hide_re and hide_re.search(node.name):
            return False
        return shown or matches(node) or any(visible(child, False) for child in node.children)

    def emit(node, depth, shown):
        lines.append(
            f"{'  ' * depth}{node.name} ({format_count(node.params)}/{format_count(node.total_params)} params, "
            f"{format_count(node.multiply_adds)}/{format_count(node.total_multiply_adds)} multiply-adds)"
        )
        if depth >= max_depth:
            return
        # Below a node that matches `show`, its whole subtree is shown.
        shown = shown or (show_re is not None and matches(node))
        children = [child for child in node.children if visible(child, shown)]
        if order_by == "params":
            children.sort(key=lambda c: -c.total_params)
        elif order_by == "flops":
            children.sort(key=lambda c: -c.total_multiply_adds)
        for child in children:
            emit(child, depth + 1, shown)

    emit(root, 0, False)
    return lines


def check_render_arguments(order_by="name", show=None, hide=None):
    """Validates `render`'s options (before a model is built); returns the compiled `show` and `hide`."""
    if order_by not in ORDERS:
        raise ValueError(f"`order_by` must be one of {ORDERS}. Received: order_by={order_by!r}")
    return _compile("show", show), _compile("hide", hide)


def format_count(value):
    """`1234567` -> `"1.23M"`, as tfprof prints counts."""
    for unit, size in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if value >= size:
            return f"{value / size:.2f}{unit}"
    return str(value)


def _compile(argument, pattern):
    if pattern is None:
        return None
    try:
        return re.compile(pattern)
    except re.error as error:
        raise ValueError(f"`{argument}` must be a regular expression ({error}). Received: {argument}={pattern!r}") from None


def _built_input_shape(model):
    """The one input shape a built subclassed model (no symbolic inputs) remembers, or None."""
    shape = (model.get_build_config() or {}).get("input_shape") if model.built else None
    if shape is not None and all(isinstance(d, int) or d is None for d in shape):
        return shape
    return None


def _example_shape(model, input_shape):
    if input_shape is not None:
        shape = tuple(input_shape)
    else:
        inputs = getattr(model, "inputs", None)
        built_for = None if inputs else _built_input_shape(model)
        if inputs and len(inputs) == 1:
            shape = tuple(inputs[0].shape[1:])
        elif built_for is not None:
            shape = tuple(built_for[1:])
        else:
            raise ValueError(
                "`input_shape` is needed for a model without exactly one input. "
                f"Received: input_shape=None for model {model.name!r}"
            )
    if any(d is None or d <= 0 for d in shape):
        raise ValueError(
            "Multiply-adds need a fully known example shape such as (224, 224, 3). "
            f"Received: input_shape={shape}"
        )
    return shape


@contextlib.contextmanager
def _recording_layer_calls(record):
    # Keras 3 has no forward hooks; wrapping `Layer.__call__` for the length of
    # one symbolic trace is the one place every nested call passes through.
    import keras

    original = keras.Layer.__call__

    def recording_call(layer, *args, **kwargs):
        outputs = original(layer, *args, **kwargs)
        record(layer, args, outputs)
        return outputs

    keras.Layer.__call__ = recording_call
    try:
        yield
    finally:
        keras.Layer.__call__ = original


def _trace_calls(model, shape):
    """Maps `id(layer)` to the list of `(input_shapes, output_shapes)` of its calls."""
    import keras

    calls = {}

    def record(layer, args, outputs):
        calls.setdefault(id(layer), []).append((_shapes(args), _shapes(outputs)))

    dtype = model.inputs[0].dtype if getattr(model, "inputs", None) else "float32"
    with _recording_layer_calls(record):
        # Tracing builds a graph only: no arithmetic, so full-size models are cheap.
        if keras.backend.backend() == "tensorflow":
            import tensorflow as tf

            tf.function(lambda x: model(x, training=False)).get_concrete_function(tf.TensorSpec((1, *shape), dtype=dtype))
        else:
            from kclassics import _keras

            _keras.compute_output_spec(lambda x: model(x, training=False), keras.KerasTensor((1, *shape), dtype=dtype))
    return calls


def _shapes(structure):
    import keras

    shapes = []
    for tensor in keras.tree.flatten(structure):
        if hasattr(tensor, "shape") and hasattr(tensor, "dtype"):
            shapes.append(tuple(int(d) for d in tensor.shape[1:]))
    return shapes


def _node(layer, calls):
    from kclassics import _keras

    children = [_node(child, calls) for child in _keras.sublayers(layer)]
    total_params = sum(math.prod(w.shape) for w in layer.weights)
    own_params = total_params - sum(child.total_params for child in children)
    own = 0
    output_shape = None
    counts_itself = not children or hasattr(layer, "count_multiply_adds")
    for input_shapes, output_shapes in calls.get(id(layer), []):
        own += _count(layer, input_shapes, output_shapes) if counts_itself else 0
        output_shape = output_shapes[0] if len(output_shapes) == 1 else tuple(output_shapes)
    return ProfileNode(
        name=layer.name,
        kind=type(layer).__name__,
        params=int(own_params),
        total_params=int(total_params),
        multiply_adds=int(own),
        total_multiply_adds=int(own + sum(child.total_multiply_adds for child in children)),
        output_shape=output_shape,
        children=children,
        conv_or_dense=counts_itself and _is_conv_or_dense(layer),
    )


def _is_conv_or_dense(layer):
    import keras

    layers = keras.layers
    kinds = (
        layers.Conv1D, layers.Conv2D, layers.Conv3D, layers.Conv1DTranspose, layers.Conv2DTranspose,
        layers.Conv3DTranspose, layers.DepthwiseConv1D, layers.DepthwiseConv2D, layers.SeparableConv1D,
        layers.SeparableConv2D, layers.Dense,
    )
    return isinstance(layer, kinds)


def _count(layer, input_shapes, output_shapes):
    """Multiply-adds of one call of a leaf layer."""
    if hasattr(layer, "count_multiply_adds"):
        return int(layer.count_multiply_adds(input_shapes, output_shapes))
    if not input_shapes or not output_shapes:
        return 0
    import keras

    x, y = input_shapes[0], output_shapes[0]
    layers = keras.layers
    if isinstance(layer, layers.SeparableConv2D) or isinstance(layer, layers.SeparableConv1D):
        kernel_area = math.prod(layer.kernel_size)
        middle = math.prod(y[:-1]) * x[-1] * layer.depth_multiplier
        return middle * kernel_area + math.prod(y[:-1]) * x[-1] * layer.depth_multiplier * y[-1]
    if isinstance(layer, (layers.DepthwiseConv2D, layers.DepthwiseConv1D)):
        return math.prod(y) * math.prod(layer.kernel_size)
    if isinstance(layer, (layers.Conv1DTranspose, layers.Conv2DTranspose, layers.Conv3DTranspose)):
        return math.prod(x) * math.prod(layer.kernel_size) * layer.filters
    if isinstance(layer, (layers.Conv1D, layers.Conv2D, layers.Conv3D)):
        return math.prod(y) * math.prod(layer.kernel_size) * x[-1] // layer.groups
    if isinstance(layer, layers.Dense):
        return math.prod(x) * layer.units
    if isinstance(
        layer,
        (layers.BatchNormalization, layers.LayerNormalization, layers.GroupNormalization, layers.Rescaling, layers.Normalization),
    ):
        return math.prod(x)
    if isinstance(layer, (layers.AveragePooling1D, layers.AveragePooling2D, layers.AveragePooling3D)):
        return math.prod(y) * math.prod(layer.pool_size)
    if isinstance(layer, (layers.GlobalAveragePooling1D, layers.GlobalAveragePooling2D, layers.GlobalAveragePooling3D)):
        return math.prod(x)
    if hasattr(layer, "depth_radius"):  # local response normalization, as tf.nn.lrn names it
        return math.prod(x) * (2 * int(layer.depth_radius) + 2)
    return 0

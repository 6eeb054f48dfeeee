"""The zoo as data: a family is a table of variant records and one body; one builder serves them all.

    @dataclasses.dataclass(frozen=True, kw_only=True)
    class ResNetV2Variant(Variant):
        units: tuple

    VARIANTS = (ResNetV2Variant(name="resnet_v2_50", units=(3, 4, 6, 3), params=..., ...), ...)
    RESNET_V2 = Family(name="resnet_v2", body=resnet_v2_body, head=..., paper=..., ...)
    register_family(RESNET_V2, VARIANTS)   # kclassics.apps.resnet_v2_50, ... and their cards

Every builder has keras.applications' signature (`include_top, weights, input_tensor,
input_shape, pooling, classes, classifier_activation`), then the family's own options,
then `keras_compatible` where the family has a keras-compatible configuration, then
`name`; and every builder checks its arguments the same way.
"""

import dataclasses
import inspect
import types
from typing import Callable, Optional

import keras

from kclassics.apps import _common
from kclassics.apps._registry import register


@dataclasses.dataclass(frozen=True, kw_only=True)
class Variant:
    """One row of a family table: what every variant states. Families add their architecture fields.

    Attributes:
        name: the registry name and public function name (`"resnet_v2_50"`).
        description: one line; the builder's docstring starts with it.
        params: parameter count with the default 1000-class head (tested against a build).
        multiply_adds: multiply-adds of one image at the default size (tested against a count).
        keras_twin: the keras.applications function with the same architecture, if any.
        build_cost: `"heavy"` where a build takes several seconds on two CPU cores.
    """

    name: str
    description: str
    params: int
    multiply_adds: int
    keras_twin: Optional[str] = None
    build_cost: str = "light"


@dataclasses.dataclass(frozen=True)
class Option:
    """A keyword argument of one family's builders beyond keras.applications' (`aux_logits`, `lrn`).

    Attributes:
        name: the argument.
        default: its default.
        doc: its line in the docstring's Args.
        check: `check(args)` raises a ValueError naming the argument when the
            combination of arguments is refused; None for no check.
    """

    name: str
    default: object
    doc: str
    check: Optional[Callable] = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Family:
    """What the variants of a family share: how they are built, checked, documented and cited.

    Attributes:
        name: the family module's name (`"resnet_v2"`).
        body: `body(images, variant, args) -> (feature_map, extra_outputs)`; `args`
            holds the builder's arguments by name (`args.keras_compatible`, `args.classes`);
            `extra_outputs` is a list (auxiliary heads), empty for most models.
        head: `head(feature_map, args) -> outputs`, the classifier of `include_top=True`.
        paper: the paper the architecture comes from.
        book_section: the book section, or the document of docs/sources.md, followed.
        top: what `include_top=True` builds, for the docstring.
        end_points: the named intermediate outputs, for the docstring.
        default_size: default input side.
        min_size: smallest input side (strides and VALID pools).
        fixed_top: whether the head needs a fixed input size (Flatten + Dense).
        keras_compatible: the docstring of the builders' `keras_compatible=`; None when
            they do not take it (no keras.applications twin).
        keras_by_default: the book's architecture already is keras.applications' (`keras_compatible` changes nothing).
        options: the family's own keyword arguments, `Option` records.
    """

    name: str
    body: Callable
    head: Callable
    paper: str
    book_section: str
    top: str
    end_points: str
    default_size: int = 224
    min_size: int = 32
    fixed_top: bool = False
    keras_compatible: Optional[str] = None
    keras_by_default: bool = False
    options: tuple = ()

    @property
    def input_shape(self):
        return (self.default_size, self.default_size, 3)


# keras.applications' arguments and defaults, in keras.applications' order.
KERAS_ARGUMENTS = (
    ("include_top", True),
    ("weights", None),
    ("input_tensor", None),
    ("input_shape", None),
    ("pooling", None),
    ("classes", 1000),
    ("classifier_activation", "softmax"),
)


def register_family(family, variants):
    """Makes and registers the public builder of every variant; returns them by name."""
    builders = {}
    for variant in variants:
        builder = make_builder(family, variant)
        register(
            builder,
            family=family.name,
            input_shape=family.input_shape,
            params=variant.params,
            multiply_adds=variant.multiply_adds,
            paper=family.paper,
            book_section=family.book_section,
            description=variant.description,
            keras_twin=variant.keras_twin,
            min_input_side=family.min_size,
            keras_compatible="-" if family.keras_compatible is None else "default" if family.keras_by_default else "option",
            build_cost=variant.build_cost,
        )
        builders[variant.name] = builder
    return builders


def make_builder(family, variant):
    """The public function of one variant: keras.applications' signature, the family's options, a docstring."""
    names_and_defaults = [*KERAS_ARGUMENTS, *((option.name, option.default) for option in family.options)]
    if family.keras_compatible is not None:
        names_and_defaults.append(("keras_compatible", None))
    names_and_defaults.append(("name", None))
    signature = inspect.Signature(
        [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=d) for n, d in names_and_defaults]
    )

    def builder(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        return build(family, variant, types.SimpleNamespace(**bound.arguments))

    builder.__signature__ = signature
    builder.__name__ = builder.__qualname__ = variant.name
    builder.__module__ = "kclassics.apps"
    builder.__doc__ = docstring(family, variant)
    return builder


def build(family, variant, args):
    """Checks keras.applications' arguments and the family's options, builds the model, loads its weights."""
    from kclassics.model import Model  # imported late: keeps `import kclassics.apps._zoo` light

    if not isinstance(args.include_top, bool):
        raise ValueError(f"`include_top` must be True or False. Received: include_top={args.include_top!r}")
    args.weights = _common.expand_weights_path(args.weights)
    _common.check_weights(args.weights, allowed=(None, "imagenet"))
    _common.check_pooling(args.pooling)
    _common.check_head(args.classes, args.classifier_activation)
    _common.check_imagenet(args.weights, args.include_top, args.classes, args.classifier_activation, variant.keras_twin)
    args.keras_weights = args.weights == "imagenet" or _common.is_keras_applications_file(args.weights)
    if args.keras_weights and variant.keras_twin is None:
        raise ValueError(
            f"{args.weights!r} is a keras.applications weights file, but {variant.name} has no keras.applications "
            "twin; its weights files are kclassics' `.weights.h5` or `.keras`. "
            f"Received: weights={args.weights!r}"
        )
    if family.keras_compatible is not None:
        args.keras_compatible = _common.resolve_keras_compatible(args.keras_compatible, args.weights, args.keras_weights)
    for option in family.options:
        if option.check is not None:
            option.check(args)
    shape = _common.image_input_shape(
        args.input_shape, family.default_size, family.min_size, args.include_top, args.weights, family.fixed_top
    )
    weights_path = args.weights
    if args.weights == "imagenet":  # fetch before the (slow) build, so a failed download fails fast
        from kclassics.apps._keras_twins import fetch_imagenet_weights

        weights_path = fetch_imagenet_weights(variant.keras_twin, args.include_top)
    if args.input_tensor is not None and args.input_shape is None:
        shape = tuple(args.input_tensor.shape[1:])
    images = _common.model_input(shape, args.input_tensor, shape)
    x, extra_outputs = family.body(images, variant, args)
    outputs = family.head(x, args) if args.include_top else _common.pooled_features(x, args.pooling)
    if extra_outputs:
        outputs = [outputs, *extra_outputs]
    inputs = keras.utils.get_source_inputs(args.input_tensor) if args.input_tensor is not None else images
    model = Model(inputs, outputs, name=args.name or variant.name)
    # whether this build computes its keras.applications twin's function (what transplant_weights needs)
    if variant.keras_twin:
        model.keras_compatible = family.keras_by_default or bool(getattr(args, "keras_compatible", False))
    if args.keras_weights:
        from kclassics.apps._keras_twins import load_keras_weights

        return load_keras_weights(
            model, variant.keras_twin, weights_path, include_top=args.include_top, pooling=args.pooling,
            classes=args.classes, classifier_activation=args.classifier_activation,
        )
    return _common.load_weights(model, args.weights)


def docstring(family, variant):
    """The builder's docstring: the variant's line, every argument, the end points, the sources."""
    side = family.default_size
    if variant.keras_twin:
        weights = (
            f'`None`, `"imagenet"` (keras.applications.{variant.keras_twin}\'s ImageNet weights), the path of '
            f"a keras.applications weights file (`.h5`, with or without top, loaded as "
            f"`keras.applications.{variant.keras_twin}(weights=path)` would) or of a kclassics weights file "
            "(`.weights.h5`, `.keras`)."
        )
    else:
        weights = "`None` or the path of a kclassics weights file (`.weights.h5`, `.keras`); no published weights."
    lines = [
        f"include_top: whether to build {family.top}.",
        f"weights: {weights}",
        "input_tensor: optional Keras tensor to build on.",
        f"input_shape: `(height, width, 3)`, sides >= {family.min_size}; default `({side}, {side}, 3)`.",
        'pooling: `None`, `"avg"` or `"max"` when `include_top=False`.',
        "classes: number of classes.",
        "classifier_activation: activation of `predictions` (`None` for logits).",
        *(f"{option.name}: {option.doc}" for option in family.options),
    ]
    if family.keras_compatible is not None:
        lines.append(
            f"keras_compatible: {family.keras_compatible} `None` means True exactly when the weights come "
            "from keras.applications."
        )
    lines.append(f"name: model name (default `{variant.name!r}`).")
    args = "\n".join(_wrap("        ", line) for line in lines)
    return (
        f"{variant.description}.\n\n    Args:\n{args}\n\n    Returns:\n"
        f"        A `kclassics.Model`; end points {family.end_points}.\n\n"
        f"    Reference: {family.paper}; {family.book_section} (docs/sources.md).\n    "
    )


def _wrap(indent, text, width=110):
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(indent) + len(line) + 1 + len(word) > width:
            lines.append(indent + line)
            line = "    " + word
        else:
            line = f"{line} {word}" if line else word
    lines.append(indent + line)
    return "\n".join(lines)

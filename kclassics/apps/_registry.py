"""The model registry: every network by name, with a card of facts about it."""

import dataclasses
from typing import Callable, Optional

from kclassics import validation
from kclassics.registry import Registry

# Importing a module registers its models; the registry imports them all on its first lookup.
MODEL_MODULES = (
    "kclassics.apps.mnist",
    "kclassics.apps.autoencoder",
    "kclassics.apps.birnn",
    "kclassics.apps.cifar10",
    "kclassics.apps.cifar_blog",
    "kclassics.apps.alexnet",
    "kclassics.apps.vgg",
    "kclassics.apps.googlenet",
    "kclassics.apps.bn_inception",
    "kclassics.apps.inception_v3",
    "kclassics.apps.resnet_v1",
    "kclassics.apps.resnet_v2",
    "kclassics.apps.densenet",
)
MODELS = Registry("model", modules=MODEL_MODULES)

TASKS = ("image_classification", "reconstruction")
BUILD_COSTS = ("light", "heavy")
KERAS_COMPATIBLE = ("-", "option", "default")


@dataclasses.dataclass(frozen=True)
class ModelCard:
    """What is known about a registered network without building it.

    Attributes:
        name: registry name, also the builder's function name.
        family: the family module the builder lives in (`"mnist"`, `"resnet_v2"`).
        input_shape: default input shape, without the batch dimension.
        params: parameter count with the default head; the tests build the
            model and check it.
        paper: the paper the architecture comes from.
        book_section: the section of *TensorFlow 实战*, or the document of
            docs/sources.md, it follows.
        description: one line.
        keras_twin: the `keras.applications` function with the same
            architecture, if there is one.
        multiply_adds: multiply-adds of one forward pass at `input_shape`, if
            measured.
        task: what the model outputs: `"image_classification"` (class
            scores) or `"reconstruction"` (its input, denoised).
        min_input_side: the smallest height and width the builder accepts, if
            it accepts other sides than `input_shape`'s.
        keras_compatible: what the builder's `keras_compatible=` does: "-" (it takes none: no
            keras.applications twin), "option" (the default builds the book's variant; `keras_compatible=True`,
            or keras.applications weights, builds the twin's architecture) or "default" (the book's
            architecture already is the twin's; the option changes nothing).
        build_cost: `"heavy"` for builds of several seconds on two CPU cores
            (several hundred layers), else `"light"`.
    """

    name: str
    family: str
    builder: Callable = dataclasses.field(repr=False, compare=False)
    input_shape: tuple
    params: int
    paper: str
    book_section: str
    description: str
    keras_twin: Optional[str] = None
    multiply_adds: Optional[int] = None
    task: str = "image_classification"
    min_input_side: Optional[int] = None
    keras_compatible: str = "-"
    build_cost: str = "light"

    def __post_init__(self):
        validation.one_of("task", self.task, TASKS)
        validation.one_of("keras_compatible", self.keras_compatible, KERAS_COMPATIBLE)
        validation.one_of("build_cost", self.build_cost, BUILD_COSTS)

    @property
    def heavy(self):
        """Whether building the model takes several seconds (tests build these with -m slow)."""
        return self.build_cost == "heavy"

    def as_dict(self):
        """The card as plain data (for JSON and the CLI)."""
        card = dataclasses.asdict(self)
        del card["builder"]
        card["input_shape"] = list(self.input_shape)
        return card


def register(builder, **card):
    """Registers `builder` under its function name and returns it unchanged."""
    MODELS.register(builder.__name__, ModelCard(name=builder.__name__, builder=builder, **card))
    return builder


def list_models(pattern="*"):
    """Names of the registered models that match a shell wildcard pattern.

    Args:
        pattern: `fnmatch` pattern such as `"resnet_v2_*"` or `"vgg1?"`.

    Returns:
        The names in natural order (`resnet_v1_18` before `resnet_v1_101`);
        empty when nothing matches.
    """
    return MODELS.names(pattern)


def model_info(name):
    """The `ModelCard` of a registered model."""
    return MODELS.get(name)


def create_model(name, **kwargs):
    """Builds a registered model: `create_model("mnist_cnn", classes=10)`."""
    return MODELS.get(name).builder(**kwargs)

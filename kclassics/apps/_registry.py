"""The model registry: every network by name, with a card of facts about it."""

import dataclasses
import difflib
import fnmatch
from typing import Callable, Optional


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
        book_section: the section of *TensorFlow 实战* (or seed document) it
            follows.
        description: one line.
        keras_twin: the `keras.applications` function with the same
            architecture, if there is one.
        multiply_adds: multiply-adds of one forward pass at `input_shape`, if
            measured.
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

    def as_dict(self):
        """The card as plain data (for JSON and the CLI)."""
        card = dataclasses.asdict(self)
        del card["builder"]
        card["input_shape"] = list(self.input_shape)
        return card


_REGISTRY: dict = {}


def register(builder, **card):
    """Registers `builder` under its function name and returns it unchanged."""
    name = builder.__name__
    if name in _REGISTRY:
        raise ValueError(f"Model {name!r} is already registered.")
    _REGISTRY[name] = ModelCard(name=name, builder=builder, **card)
    return builder


def list_models(pattern="*"):
    """Names of the registered models that match a shell wildcard pattern.

    Args:
        pattern: `fnmatch` pattern such as `"resnet_v2_*"` or `"vgg1?"`.

    Returns:
        A sorted list of names (empty when nothing matches).
    """
    if not isinstance(pattern, str):
        raise TypeError(
            f"`pattern` must be a string such as 'resnet*'. Received: pattern={pattern!r}"
        )
    return sorted(fnmatch.filter(_REGISTRY, pattern))


def model_info(name):
    """The `ModelCard` of a registered model."""
    return _card(name)


def create_model(name, **kwargs):
    """Builds a registered model: `create_model("mnist_cnn", classes=10)`."""
    return _card(name).builder(**kwargs)


def _card(name):
    if name in _REGISTRY:
        return _REGISTRY[name]
    close = difflib.get_close_matches(str(name), list(_REGISTRY), n=3, cutoff=0.6)
    hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    raise ValueError(
        f"Unknown model {name!r}.{hint} Received: name={name!r}; "
        f"see kclassics.apps.list_models() for the {len(_REGISTRY)} registered models."
    )

"""HyperModels of the book's programs and of the network families, derived from their configs and builders.

    hm = hypermodel("mlp")                       # a program: its config's tunable fields
    hm = hypermodel("resnet_v1")                 # a family: its variants, options and paper recipe
    hm.build(keras_tuner.HyperParameters())      # the book's network, compiled with the book's optimizer

Both are `keras_tuner.HyperModel`s, usable with any keras-tuner tuner on your
own data (`tuner.search(x, y, epochs=..., validation_data=...)`); a program's
own search, which runs the program itself, is `kclassics.tuning.tuner`.
"""

import dataclasses
import difflib

import keras
import keras_tuner

from kclassics import validation
from kclassics.optimizers import make_optimizer, optimizer_name
from kclassics.tuning.space import Dimension, SPACE, _check_hp, builder_defaults, declare_all, dimension, dimensions, merged

# The training recipe of each zoo family's paper (the networks' book chapters give none):
# optimizer, learning rate, batch size, weight decay. "momentum" is SGD with momentum 0.9.
RECIPES = {
    "alexnet": dict(optimizer="momentum", learning_rate=0.01, batch_size=128, weight_decay=5e-4,
                    source="Krizhevsky et al. 2012, section 5"),
    "vgg": dict(optimizer="momentum", learning_rate=0.01, batch_size=256, weight_decay=5e-4,
                source="Simonyan and Zisserman 2014, section 3.1"),
    "googlenet": dict(optimizer="momentum", learning_rate=0.01, batch_size=32, weight_decay=2e-4,
                      source="Szegedy et al. 2014, section 6 (momentum 0.9; rate, batch and decay as the TF-slim recipe)"),
    "bn_inception": dict(optimizer="momentum", learning_rate=0.0075, batch_size=32, weight_decay=4e-5,
                         source="Ioffe and Szegedy 2015, section 4.2 (BN-x5: rate 0.0075)"),
    "inception_v3": dict(optimizer="rmsprop", learning_rate=0.045, batch_size=32, weight_decay=4e-5,
                         source="Szegedy et al. 2015, section 8 (RMSProp, rate 0.045, batch 32)"),
    "resnet_v1": dict(optimizer="momentum", learning_rate=0.1, batch_size=256, weight_decay=1e-4,
                      source="He et al. 2015, section 3.4"),
    "resnet_v2": dict(optimizer="momentum", learning_rate=0.1, batch_size=256, weight_decay=1e-4,
                      source="He et al. 2016, section 4"),
    "densenet": dict(optimizer="momentum", learning_rate=0.1, batch_size=256, weight_decay=1e-4,
                     source="Huang et al. 2017, section 4.2"),
    # the Tensorflow_CNN blog's CIFAR-10 networks: the program cifar10_blog's runs (its schedule names no optimizer)
    "cifar_blog": dict(optimizer="momentum", learning_rate=0.01, batch_size=64,
                       source="program cifar10_blog: Tensorflow_CNN blog, Momentum 0.9, rate 0.01 (L253, L922)"),
}
TUNER_OWNED = ("seed",)  # each trial's seed is the tuner's, as is the program's length (its budget)


def compile_for(model, task, optimizer, from_logits=False):
    """Compiles a classifier with sparse cross entropy and accuracy; a model with its own loss with the optimizer only."""
    if task == "image_classification":
        model.compile(optimizer=optimizer, loss=keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits),
                      metrics=["accuracy"])
    else:
        model.compile(optimizer=optimizer)
    return model


class ProgramHyperModel(keras_tuner.HyperModel):
    """The search space of a book program: each tunable field of its config, with the config's value as default.

    `config(hp)` is the program's config at `hp`'s values (the book's config
    itself at the defaults); `build(hp)` the program's network compiled with its
    optimizer, for any keras-tuner tuner on your own data.

    Args:
        program: a registered program's name or `Program`.
        grid: give every float a grid step (for grid search).
        only: names of the hyperparameters to search; the others keep the book's values.
    """

    def __init__(self, program, grid=False, only=None):
        from kclassics import programs

        self.program = programs.get(program) if not isinstance(program, programs.Program) else program
        validation.boolean("grid", grid)
        only = _check_only(only)
        super().__init__(name=self.program.name, tunable=True)
        self.grid = grid
        owned = (*(self.program.length.fields if self.program.length else ()), *TUNER_OWNED)
        found = tuple(d for d in dimensions(self.program.config) if d.name not in owned)
        if not found:
            fields = ", ".join(f.name for f in dataclasses.fields(self.program.config))
            raise ValueError(
                f"Program {self.program.name!r} has no setting to search: its config's fields ({fields}) hold none "
                f"of {', '.join(SPACE)} with a value that can be varied. Received: program={self.program.name!r}"
            )
        if only:
            unknown = sorted(set(only) - {d.name for d in found})
            if unknown:
                raise ValueError(
                    f"{', '.join(unknown)} is not a hyperparameter of {self.program.name!r}; it has "
                    f"{', '.join(d.name for d in found)}. Received: only={','.join(only)}"
                )
            found = tuple(d for d in found if d.name in only)
        self.dimensions = found

    def values(self, hp):
        """Declares the hyperparameters on `hp` and returns their values by name."""
        return declare_all(self.dimensions, hp, self.grid)

    def config(self, hp_or_values):
        """The program's config at these hyperparameters (a `HyperParameters` or a dict of values)."""
        if not isinstance(hp_or_values, keras_tuner.HyperParameters) and not hasattr(hp_or_values, "items"):
            raise ValueError("`hp_or_values` must be a keras_tuner.HyperParameters or a dict of values by name. "
                             f"Received: hp_or_values={validation.describe(hp_or_values)}")
        values = self.values(hp_or_values) if isinstance(hp_or_values, keras_tuner.HyperParameters) else merged(hp_or_values)
        base = self.program.config
        fields = {d.name: values[d.name] for d in self.dimensions if d.target == "config" and d.name in values}
        model_values = {d.name: values[d.name] for d in self.dimensions if d.target == "model" and d.name in values}
        if model_values:
            kwargs = dict(base.model_kwargs)
            defaults = builder_defaults(_builder(base.model))
            for name, value in model_values.items():
                if name in kwargs or value != defaults.get(name):  # the book's value stays implicit, as in the config
                    kwargs[name] = value
            fields["model_kwargs"] = tuple(kwargs.items())
        return dataclasses.replace(base, **fields)

    def build(self, hp):
        """The program's network at `hp`, compiled with its optimizer (for the programs that name a registered network)."""
        from kclassics.apps import MODELS

        _check_hp(hp)
        config = self.config(hp)
        name = getattr(config, "model", None)
        if name not in MODELS:
            raise ValueError(
                f"Program {self.program.name!r} names no registered network to build; search it with "
                f"kclassics.tuning.tuner({self.program.name!r}), which runs the program. Received: model={name!r}"
            )
        if self.program.optimizer is None:
            raise ValueError(f"Program {self.program.name!r} declares no optimizer to compile its network with; search it "
                             f"with kclassics.tuning.tuner({self.program.name!r}), which runs the program.")
        card = MODELS.get(name)
        model = card.builder(**dict(getattr(config, "model_kwargs", ())))
        return compile_for(model, card.task, self.program.optimizer(config), _outputs_logits(model))

    def fit(self, hp, model, *args, **kwargs):
        """`model.fit` with the batch size at `hp` (the program's own when it is not searched)."""
        batch_size = getattr(self.config(hp), "batch_size", None)
        return model.fit(*args, batch_size=kwargs.pop("batch_size", batch_size), **kwargs)

    def declare_hyperparameters(self, hp):
        self.values(hp)


def _outputs_logits(model):
    last = model.layers[-1]
    return getattr(last, "activation", None) is keras.activations.linear


def _builder(name):
    from kclassics.apps import MODELS

    return MODELS.get(name).builder


class FamilyHyperModel(keras_tuner.HyperModel):
    """The search space of a network family: its variant, its builders' tunable options, its paper's recipe.

    The defaults are the family's first variant as registered (its card's
    parameter count), built with `weights=None` at the card's input shape and
    classes unless given, and compiled with the recipe of the family's paper
    (`RECIPES`) or, for the book programs' networks, of the program that trains it.

    Args:
        family: a family name of `kclassics.apps.MODELS` (`"resnet_v1"`, `"mnist"`).
        input_shape: the images' shape; default the card's.
        classes: number of classes; default the builder's.
        grid: give every float a grid step (for grid search).
    """

    def __init__(self, family, input_shape=None, classes=None, grid=False):
        from kclassics.apps import MODELS

        cards = [card for _, card in MODELS.items() if card.family == family]
        if not cards:
            families = sorted({card.family for _, card in MODELS.items()})
            raise ValueError(f"Unknown network family {family!r}; the families are {', '.join(families)}. Received: family={family!r}")
        if input_shape is not None:
            input_shape = validation.shape("input_shape", input_shape)
        validation.positive_int("classes", classes, allow_none=True)
        validation.boolean("grid", grid)
        super().__init__(name=family, tunable=True)
        self.family, self.cards, self.grid = family, {card.name: card for card in cards}, grid
        self.default_variant = cards[0].name
        self.input_shape, self.classes = input_shape, classes
        self.recipe = family_recipe(family, self.default_variant)
        self.options = self._options()
        self.training = tuple(
            d for d in (dimension(name, self.recipe.get(name)) for name in ("optimizer", "learning_rate", "batch_size", "weight_decay"))
            if d is not None
        )

    def _options(self):
        """(Dimension, variants having it) for each tunable builder argument; per-variant names where defaults differ."""
        by_name = {}
        for variant, card in self.cards.items():
            for name, default in builder_defaults(card.builder).items():
                if dimension(name, default, target="model") is not None and name != "classes":
                    by_name.setdefault(name, {})[variant] = default
        options = []
        for name, defaults in by_name.items():
            if len(set(map(repr, defaults.values()))) == 1:
                options.append((dimension(name, next(iter(defaults.values())), "model"), tuple(defaults)))
            else:
                for variant, default in defaults.items():
                    options.append((dataclasses.replace(dimension(name, default, "model"), name=f"{variant}/{name}"), (variant,)))
        return tuple(options)

    def values(self, hp):
        """Declares the hyperparameters on `hp`; returns the variant, its builder arguments and the training values."""
        _check_hp(hp)
        names = list(self.cards)
        variant = hp.Choice("variant", names, default=self.default_variant) if len(names) > 1 else names[0]
        arguments = {}
        for option, variants in self.options:
            if len(names) > 1 and set(variants) != set(names):
                with hp.conditional_scope("variant", list(variants)):
                    value = option.declare(hp, self.grid)
            else:
                value = option.declare(hp, self.grid)
            if variant in variants:
                arguments[option.name.split("/")[-1]] = value
        training = declare_all(self.training, hp, self.grid)
        return variant, arguments, training

    def build(self, hp):
        variant, arguments, training = self.values(hp)
        card = self.cards[variant]
        shape = {"input_shape": self.input_shape or card.input_shape}
        classes = {"classes": self.classes} if self.classes is not None else {}
        kwargs = dict(arguments, **shape, **classes)
        if "weights" in builder_defaults(card.builder):
            kwargs["weights"] = None  # nothing is downloaded
        model = card.builder(**kwargs)
        optimizer = make_optimizer(training.get("optimizer", self.recipe["optimizer"]),
                                   training.get("learning_rate", self.recipe["learning_rate"]),
                                   training.get("weight_decay", self.recipe.get("weight_decay")))
        return compile_for(model, card.task, optimizer, from_logits=_outputs_logits(model))

    def fit(self, hp, model, *args, **kwargs):
        """`model.fit` with the batch size at `hp`."""
        batch_size = hp.values.get("batch_size", self.recipe.get("batch_size"))
        return model.fit(*args, batch_size=kwargs.pop("batch_size", batch_size), **kwargs)


def family_recipe(family, variant):
    """The training recipe of a family: its paper's (`RECIPES`), or the book program's that trains `variant`."""
    if family in RECIPES:
        return RECIPES[family]
    from kclassics import programs

    for name, program in programs.PROGRAMS.items():
        config = program.config
        if getattr(config, "model", None) == variant and program.optimizer is not None:
            optimizer = program.optimizer(config)
            rate = keras.ops.convert_to_numpy(optimizer.learning_rate).item()
            return dict(optimizer=optimizer_name(optimizer) or "adam", learning_rate=rate,
                        batch_size=getattr(config, "batch_size", 32), source=f"program {name}: {getattr(config, 'source', '')}")
    return dict(optimizer="adam", learning_rate=1e-3, batch_size=32, source="Keras's Adam defaults (no published recipe)")


def hypermodel(name, **kwargs):
    """The HyperModel of a program (`"mlp"`) or of a network family (`"resnet_v1"`); programs win a shared name."""
    from kclassics import programs
    from kclassics.apps import MODELS

    validation.text("name", name)
    if name in programs.list_programs():
        return ProgramHyperModel(name, **kwargs)
    if name in {card.family for _, card in MODELS.items()}:
        return FamilyHyperModel(name, **kwargs)
    known = sorted(set(programs.list_programs()) | {card.family for _, card in MODELS.items()})
    close = difflib.get_close_matches(str(name), known, n=3, cutoff=0.6)
    hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    raise ValueError(f"Unknown program or network family {name!r}.{hint} Accepted: {', '.join(known)}. Received: name={name!r}")


def _check_only(only):
    """`only` as a tuple of hyperparameter names, or None."""
    if only is None:
        return None
    if isinstance(only, str) or not isinstance(only, (list, tuple, set, frozenset)) or not all(isinstance(n, str) for n in only):
        raise ValueError(f"`only` must be a list of hyperparameter names, e.g. ['learning_rate']. Received: only={only!r}")
    return tuple(only)


__all__ = ["ProgramHyperModel", "FamilyHyperModel", "Dimension", "hypermodel", "RECIPES"]

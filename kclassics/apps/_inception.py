"""What GoogLeNet, BN-Inception and Inception V3 share: table records, the stem, the modules, the heads.

A family's tables are lists of named records: `Conv` and `Pool` (and `LRN`) for the
stem, `Module` for each Inception module (and `Pool` between stages). `inception_body`
runs them, adding the auxiliary heads where `aux_logits=True` asks for them.
"""

from typing import NamedTuple

from keras import layers

from kclassics.apps import _common
from kclassics.apps._zoo import Family, Option
from kclassics.layers import AuxiliaryHead, ConvBNAct, InceptionModule, LocalResponseNormalization


class Conv(NamedTuple):
    """A convolution of a stem, named by its end point."""

    end_point: str
    filters: int
    kernel: int
    stride: int = 1
    padding: str = "same"


class Pool(NamedTuple):
    """A max or average pool, named by its end point."""

    end_point: str
    kind: str
    size: int = 3
    stride: int = 2
    padding: str = "same"


class LRN(NamedTuple):
    """A local response normalization with the family's constants."""

    end_point: str


class Module(NamedTuple):
    """An Inception module: its end point and its widths (or, for Inception V3, its branches)."""

    end_point: str
    widths: object


class AuxiliaryHeads(NamedTuple):
    """Where a family's auxiliary classifiers sit and how they are built (`AuxiliaryHead`'s style)."""

    end_points: tuple
    style: str
    normalize: bool


def stem(x, table, family, normalize=True, lrn=None):
    """Applies a stem table of `Conv`, `Pool` and `LRN` rows; `lrn` holds the LRN constants."""
    for row in table:
        if isinstance(row, Pool):
            pool = layers.MaxPooling2D if row.kind == "max" else layers.AveragePooling2D
            x = pool(row.size, strides=row.stride, padding=row.padding, name=row.end_point)(x)
        elif isinstance(row, LRN):
            x = LocalResponseNormalization(**lrn, name=row.end_point)(x)
        else:
            x = ConvBNAct(row.filters, row.kernel, strides=row.stride, padding=row.padding, family=family,
                          normalize=normalize, name=row.end_point)(x)
    return x


def auxiliary_head(x, classes, classifier_activation, family, style, normalize=True, name="AuxLogits"):
    """An `AuxiliaryHead` whose pool and kernel shrink for small grids (slim's `_reduced_kernel_size_for_small_input`)."""
    side = min(x.shape[1], x.shape[2])
    pool_size = min(5, side)
    grid = (side - pool_size) // 3 + 1
    return AuxiliaryHead(classes, pool_size=pool_size, grid_size=min(5, grid), style=style, family=family,
                         normalize=normalize, activation=classifier_activation, name=name)(x)


def inception_body(images, args, *, family, stem_table, modules, branches, aux, normalize=True, lrn=None):
    """The stem, the modules and (with `args.aux_logits`) the auxiliary heads of an Inception network.

    Args:
        images: input tensor.
        args: the builder's arguments (`classes`, `classifier_activation`, `aux_logits`).
        family: the `ConvBNAct` family of the convolutions.
        stem_table: `Conv`, `Pool` and `LRN` rows.
        modules: `Module` and `Pool` rows.
        branches: `branches(widths)`, the `InceptionModule` branches of a `Module` row.
        aux: an `AuxiliaryHeads` record.
        normalize: batch norm after the convolutions.
        lrn: the LRN constants of the stem's `LRN` rows.

    Returns:
        `(feature_map, auxiliary_outputs)`.
    """
    x = stem(images, stem_table, family, normalize, lrn)
    outputs = []
    for row in modules:
        if isinstance(row, Pool):
            x = stem(x, (row,), family)
            continue
        x = InceptionModule(branches(row.widths), family=family, normalize=normalize, name=row.end_point)(x)
        if args.aux_logits and row.end_point in aux.end_points:
            name = "AuxLogits" if len(aux.end_points) == 1 else f"AuxLogits_{row.end_point[-2:]}"
            outputs.append(auxiliary_head(x, args.classes, args.classifier_activation, family, aux.style,
                                          normalize=aux.normalize, name=name))
    return x, outputs


def inception_family(name, *, stem_table, modules, branches, aux, dropout_rate, loss_weights, normalize=True,
                     lrn=None, **family):
    """The `Family` of an Inception network: `inception_body` on its tables, global mean, dropout, `predictions`.

    Args:
        name: the family (and `ConvBNAct` family) name.
        stem_table, modules, branches, aux, normalize, lrn: see `inception_body`.
        dropout_rate: the head's dropout.
        loss_weights: the loss weights the docstring suggests for the auxiliary heads.
        **family: the other `Family` fields (paper, book_section, end_points, sizes, keras_compatible).
    """
    return Family(
        name=name,
        body=lambda images, variant, args: inception_body(
            images, args, family=name, stem_table=stem_table, modules=modules, branches=branches, aux=aux,
            normalize=normalize, lrn=lrn,
        ),
        head=lambda x, args: _common.dense_head(x, args.classes, args.classifier_activation, dropout_rate),
        top=f"the classifier (global mean, dropout {dropout_rate}, `predictions`)",
        options=(aux_logits_option(aux.end_points, loss_weights),),
        **family,
    )


def _check_aux_logits(args):
    if not isinstance(args.aux_logits, bool):
        raise ValueError(f"`aux_logits` must be True or False. Received: aux_logits={args.aux_logits!r}")
    if args.aux_logits and (not args.include_top or args.keras_weights):
        raise ValueError(
            "`aux_logits=True` needs `include_top=True` and no keras.applications weights (keras.applications' "
            f"twins have no auxiliary heads). Received: aux_logits=True, include_top={args.include_top}, "
            f"weights={args.weights!r}"
        )


def aux_logits_option(heads, loss_weights):
    """The `aux_logits` option of a family whose auxiliary heads sit on `heads`."""
    where = " and ".join(heads)
    outputs = len(heads) + 1
    return Option(
        "aux_logits",
        False,
        f"add the auxiliary heads on {where}; the model then has {outputs} outputs `[predictions, ...]` "
        f"(train with loss weights such as {loss_weights}); their activation is `classifier_activation`.",
        _check_aux_logits,
    )


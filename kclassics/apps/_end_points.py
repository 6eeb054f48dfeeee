"""Intermediate outputs by the book's end-point names (`Mixed_6e`, `block3`, `pool5`, ...)."""

from kclassics.model import Model


def end_points(model):
    """Every named intermediate output of a functional model: `{layer name: tensor}`.

    The book's slim networks return such a dict; here each end point is the output
    of the layer with that name, e.g. `end_points(model)["Mixed_6e"]`.
    """
    return {layer.name: layer.output for layer in model.layers}


def feature_extractor(model, names, name=None):
    """A model that returns the named end points of `model` (sharing its weights).

    Args:
        model: a functional kclassics model.
        names: a layer name or a list of them, e.g. `["Mixed_6e", "Mixed_7c"]`.
        name: name of the new model.

    Returns:
        A `kclassics.Model` whose outputs are the end points, in order (a single
        tensor when `names` is a string).
    """
    single = isinstance(names, str)
    wanted = [names] if single else list(names)
    available = {layer.name for layer in model.layers}
    missing = [n for n in wanted if n not in available]
    if missing or not wanted:
        raise ValueError(
            f"Unknown end point(s) {missing} for model {model.name!r}. Available: {sorted(available)}. "
            f"Received: names={names!r}"
        )
    outputs = [model.get_layer(n).output for n in wanted]
    inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs
    return Model(inputs, outputs[0] if single else outputs, name=name or f"{model.name}_features")

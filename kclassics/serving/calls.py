"""The calls every protocol's endpoints make on the serving core, whatever their wire format.

A protocol's `parse` turns its request into one of the records below (the
servable resolved, the inputs as numpy arrays); the call runs it on the core
(`core.ServingCore`); the protocol's `format` turns the result into its
response. A call knows nothing of JSON, protobuf or HTTP.
"""

import dataclasses
import time

import numpy as np

from kclassics.serving.errors import failed_precondition, invalid

CLASSIFY_METHOD = "tensorflow/serving/classify"
REGRESS_METHOD = "tensorflow/serving/regress"
PREDICT_METHOD = "tensorflow/serving/predict"


@dataclasses.dataclass
class ModelRef:
    """A model named by a request: its name, and a version or a label (neither: the latest available)."""

    name: str
    version: int = None
    label: str = None


@dataclasses.dataclass
class Inference:
    """A signature to run: the servable, the signature, `{input: array}`, the outputs wanted (None: all).

    `context` holds what the protocol's `format` needs from its request (row or
    columnar format, a request id, binary outputs...).
    """

    servable: object
    signature: object
    inputs: dict
    output_names: tuple = None
    context: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class Examples:
    """A classify or regress call: `count` examples as the signature's `inputs`; `method` is "classify" or "regress"."""

    servable: object
    signature: object
    inputs: dict
    count: int
    method: str
    context: dict = dataclasses.field(default_factory=dict)


# -- model status and metadata --------------------------------------------------------------------------------------


def no_arguments(core, request):
    """The `parse` of an endpoint whose call takes nothing from its request."""
    return None


async def status(core, ref):
    """TF Serving's model status (`model_version_status`), with KServe V1's `name` and `ready`."""
    return core.manager.status(ref.name, ref.version, ref.label)


async def servable(core, ref):
    """The servable a request names (for its metadata)."""
    return core.resolve(ref.name, ref.version, ref.label)


async def servable_and_versions(core, ref):
    """The servable a request names and the available versions of its model (KServe V2's model metadata)."""
    servable = core.resolve(ref.name, ref.version)
    return servable, core.manager.available(ref.name)


async def server_info(core, _):
    from kclassics import __version__

    return {"name": "kclassics", "version": __version__}


async def list_models(core, _):
    return sorted(core.manager.models)


async def server_live(core, _):
    return True


async def server_ready(core, _):
    """Ready when the first load is done and every model has an available version (KServe's server ready)."""
    return core.manager.started.is_set() and all(model.ready for model in core.manager.models.values())


async def model_ready(core, ref):
    """Whether the named version (or, without one, any version) of a model is available; an unknown model is NOT_FOUND."""
    available = core.manager.available(ref.name)
    return bool(available) if ref.version is None else ref.version in available


async def metrics(core, _):
    return core.metrics()


async def page_or_alive(core, wants_html):
    """The page's models when a browser asks (`wants_html`), else None: KServe V1's liveness."""
    if wants_html:
        from kclassics.serving.page import page_models

        return page_models(core.manager)
    return None


# -- inference ------------------------------------------------------------------------------------------------------


async def predict(core, inference):
    """`{output: array}` of the signature on the inputs, through the batcher: the outputs asked for, or all by name."""
    outputs = await core.run(inference.servable, inference.signature, inference.inputs)
    return {name: outputs[name] for name in inference.output_names or inference.signature.outputs}  # in a stable order


def check_method(signature, method):
    """Refuses a signature that cannot answer `method` ("classify" or "regress"), as FAILED_PRECONDITION."""
    outputs = signature.outputs
    if method == "classify" and not {"scores", "classes"} & set(outputs):
        raise failed_precondition(
            f"Signature {signature.name!r} is not a classification signature: it has neither a 'scores' nor a 'classes' "
            f"output (outputs: {', '.join(outputs)}). Use predict."
        )
    if method == "regress" and "outputs" not in outputs and len(outputs) != 1:
        raise failed_precondition(
            f"Signature {signature.name!r} is not a regression signature: it has no 'outputs' output "
            f"(outputs: {', '.join(outputs)}). Use predict."
        )


async def classify_or_regress(core, examples):
    """Classify: per example, `[(label, score), ...]`; regress: one float per example."""
    outputs = await core.run(examples.servable, examples.signature, examples.inputs)
    return classification(outputs, examples.count) if examples.method == "classify" else regression(outputs, examples.count)


async def multi_inference(core, tasks):
    """Several classify / regress signatures of one model on the same examples, each task's result in order."""
    return [await classify_or_regress(core, task) for task in tasks]


def classification(outputs, count):
    """`[[(label, score), ...] per example]` from a classification signature's `classes` and / or `scores`."""
    scores = outputs.get("scores")
    classes = outputs.get("classes")
    if scores is not None:
        scores = np.asarray(scores, dtype=np.float64)
        if scores.ndim != 2 or scores.shape[0] != count:
            raise invalid(f"The 'scores' output has shape {list(scores.shape)}; expected [{count}, classes] for {count} examples.")
    if classes is not None:
        classes = np.asarray(classes)
        if classes.ndim != 2 or classes.shape[0] != count:
            raise invalid(f"The 'classes' output has shape {list(classes.shape)}; expected [{count}, classes] for {count} examples.")
        if scores is not None and scores.shape != classes.shape:
            raise invalid(f"The 'classes' {list(classes.shape)} and 'scores' {list(scores.shape)} outputs differ in shape.")
        labels = [[c.decode("utf-8", "replace") if isinstance(c, bytes) else str(c) for c in row] for row in classes.tolist()]
    else:
        labels = [[""] * scores.shape[1]] * count
    score_rows = scores.tolist() if scores is not None else [[0.0] * len(row) for row in labels]
    return [list(zip(row_labels, row)) for row_labels, row in zip(labels, score_rows)]


def regression(outputs, count):
    value = outputs["outputs"] if "outputs" in outputs else next(iter(outputs.values()))
    value = np.asarray(value, dtype=np.float64)
    if value.size != count:
        raise invalid(f"The regression output has {value.size} values for {count} examples; expected one per example.")
    return value.reshape(count).tolist()


# -- configuration --------------------------------------------------------------------------------------------------


async def reload_config(core, configs):
    """Serves `configs` instead of the current models (TF Serving's HandleReloadConfigRequest); returns when loaded."""
    started = time.perf_counter()
    await core.blocking(core.manager.reload, configs)
    return time.perf_counter() - started

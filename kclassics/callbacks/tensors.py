"""PrintTensor: the values of intermediate layer outputs on the current batch (book 10.5, L6984)."""

from kclassics.callbacks._base import format_value, log
from kclassics.callbacks._probe import BatchProbe, check_names


class PrintTensor(BatchProbe):
    """Logs the outputs of named layers on the batch being trained on, every N global steps.

    Each line reads `Step N: <layer> = <values>`; the arrays are also kept in
    `values` (step -> {layer name: array}). The outputs are computed before the
    step's update, with `training=False`, by a side model that shares the
    layers; the model's training graph is unchanged (see `kclassics.callbacks._probe`).
    Needs a functional or Sequential model.

    Args:
        names: a layer name or a list of layer names.
        every_n_steps: log at every multiple of this global step.
        first_n_steps: also log each of the first global steps up to this one.
    """

    def __init__(self, names, every_n_steps=100, first_n_steps=1):
        names = check_names(names, "names")
        if not names:
            raise ValueError("`names` must name at least one layer. Received: names=()")
        super().__init__(names, every_n_steps, first_n_steps)
        self.values = {}

    def on_batch_values(self, step, values, inputs):
        self.values[step] = values
        for name, value in values.items():
            log(f"Step {step}: {name} = {format_value(value)}")

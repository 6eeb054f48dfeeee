"""Which Keras optimizers train correctly under ParameterServerStrategy, and why the others are refused.

Under the parameter server several workers apply their updates to the same
variables at once. An optimizer is accepted when no concurrent write can make a
worker's step unbounded: its slots are updated by atomic increments (Adam's
moments, Adagrad's accumulator), or its step is bounded whatever the slots hold
(SGD's momentum, Lion's sign). Each accepted optimizer trains the small network
of tests/distribute/test_optimizers.py to within `ACCURACY_TOLERANCE` of the
same training in one process; docs/distributed.md has the measured table.
"""

import keras

# Test accuracy of the parameter-server run minus that of the one-process run, at least.
ACCURACY_TOLERANCE = 0.05

# class name -> why concurrent updates stay correct (also the order of the error message)
ACCEPTED = {
    "SGD": "no slots; a momentum that a concurrent write replaces still bounds the step",
    "Adam": "both moments are updated by atomic increments",
    "AdamW": "Adam's atomic moments; the decay is an atomic decrement",
    "Nadam": "Adam's atomic moments; its momentum-schedule product only falls, so its correction stays bounded",
    "Adagrad": "the accumulator only grows, by atomic increments",
    "Lion": "the step is the learning rate times a sign",
}

# class name -> what goes wrong: each overwrites the average that divides its step
REFUSED = {
    "RMSprop": "it overwrites its average of squared gradients, so a concurrent worker's write can drop this worker's "
               "own gradient from the denominator of its step",
    "Adadelta": "it overwrites its averages of squared gradients and updates, so a concurrent write can drop this "
                "worker's own gradient from the denominator of its step",
    "Adamax": "it overwrites its infinity norm, so a concurrent write can drop this worker's own gradient from the "
              "denominator of its step (test accuracy 0.744 against 0.922 in one process)",
    "Ftrl": "it overwrites its accumulator and the variable itself, so concurrent workers lose each other's updates "
            "(test accuracy 0.692 against 0.792 in one process)",
}


def check_parameter_server_optimizer(optimizer):
    """Raises a ValueError unless `optimizer` is proven to train correctly under ParameterServerStrategy.

    Args:
        optimizer: the compiled model's `keras.optimizers.Optimizer`.
    """
    name = type(optimizer).__name__
    accepted = ", ".join(ACCEPTED)
    if getattr(keras.optimizers, name, None) is not type(optimizer) or name not in ACCEPTED:
        why = REFUSED.get(name, "it is not among the optimizers tested under asynchronous updates")
        raise ValueError(
            f"Under ParameterServerStrategy, the optimizer must be one of {accepted} (keras.optimizers classes): "
            f"workers update the variables concurrently and {why}. Received: optimizer={name}"
        )
    unproven = {
        "amsgrad": getattr(optimizer, "amsgrad", False),  # overwrites its maximum of the second moment
        "use_ema": optimizer.use_ema,  # the moving average is overwritten by each worker
        "gradient_accumulation_steps": optimizer.gradient_accumulation_steps,  # a shared, overwritten accumulator
    }
    for option, value in unproven.items():
        if value:
            raise ValueError(
                f"Under ParameterServerStrategy, `{option}` is not supported: workers update the optimizer's state "
                f"concurrently and this option overwrites shared state. Accepted: {option} unset. "
                f"Received: {name}({option}={value!r})"
            )

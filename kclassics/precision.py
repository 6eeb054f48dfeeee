"""Mixed precision: the Keras dtype policy a model is built and trained under.

With mixed precision the layers compute in 16 bits and keep float32
variables: `mixed_float16` on a GPU (tensor cores; Keras then scales the loss
automatically), `mixed_bfloat16` on a CPU, where oneDNN runs bfloat16 matrix
products at about twice the float32 rate on processors with AVX512-BF16 or
AMX. `mixed_bfloat16` can also be asked for by name on a GPU, where it needs
no loss scaling (Ampere and later have bfloat16 tensor cores). The book
trains in float32, which stays the default everywhere.
"""

import contextlib

MIXED_POLICIES = ("mixed_float16", "mixed_bfloat16")


def check_flag(mixed_precision):
    """Raises a clear error unless `mixed_precision` is True or False (no device query, so configs can call it)."""
    if not isinstance(mixed_precision, bool):
        raise ValueError(f"`mixed_precision` must be True or False. Received: mixed_precision={mixed_precision!r}")


def policy_name(mixed_precision):
    """`"float32"`, or the mixed policy for this machine when `mixed_precision` is true.

    Args:
        mixed_precision: False, True (`mixed_float16` where the Keras backend
            sees a GPU, `mixed_bfloat16` otherwise) or one of `MIXED_POLICIES`
            by name, on any device.
    """
    if isinstance(mixed_precision, str):
        if mixed_precision not in MIXED_POLICIES:
            raise ValueError(
                f"`mixed_precision` must be True or False. Received: mixed_precision={mixed_precision!r}. "
                f"A policy name is accepted too: one of {MIXED_POLICIES}."
            )
        return mixed_precision
    check_flag(mixed_precision)
    if not mixed_precision:
        return "float32"
    from kclassics import _backend

    return "mixed_float16" if _backend.has_gpu() else "mixed_bfloat16"


@contextlib.contextmanager
def dtype_policy(name):
    """Sets Keras's global dtype policy to `name` inside the block and restores the previous one after it.

    Layers take the policy in force when they are created, so build (and
    compile) the model inside the block; it keeps that policy afterwards.
    """
    import keras

    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(name)
    try:
        yield keras.config.dtype_policy()
    finally:
        keras.config.set_dtype_policy(previous)

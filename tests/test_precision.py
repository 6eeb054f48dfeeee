"""`kclassics.precision`: the mixed policy for this machine and a dtype policy that is always restored."""

import keras
import pytest
import tensorflow as tf

from kclassics import precision


def test_policy_names():
    assert precision.policy_name(False) == "float32"
    expected = "mixed_float16" if tf.config.list_physical_devices("GPU") else "mixed_bfloat16"
    assert precision.policy_name(True) == expected


def test_mixed_precision_must_be_a_bool():
    with pytest.raises(ValueError, match=r"`mixed_precision` must be True or False. Received: mixed_precision='yes'"):
        precision.policy_name("yes")


def test_dtype_policy_applies_inside_and_is_restored_even_after_an_error():
    before = keras.config.dtype_policy().name
    with pytest.raises(RuntimeError):
        with precision.dtype_policy("mixed_bfloat16") as policy:
            assert policy.compute_dtype == "bfloat16" and policy.variable_dtype == "float32"
            layer = keras.layers.Dense(3)
            raise RuntimeError("inside")
    assert keras.config.dtype_policy().name == before
    assert layer.compute_dtype == "bfloat16"  # a layer keeps the policy it was created under

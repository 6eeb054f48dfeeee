"""The language model on Keras's JAX backend computes what it computes on TensorFlow, from the same weights.

This process runs on TensorFlow; `lm_on_backend.py` runs here and in a child
under `KERAS_BACKEND=jax` (CPU), both from the weights this process writes.
"""

from pathlib import Path

import numpy as np
import pytest

import keras
from tests.conftest import run_on_backend
from tests.language_model import lm_on_backend

HERE = Path(__file__).resolve().parent
# float32 rounding of the same function through two compilers (XLA and TensorFlow's kernels).
RTOL, ATOL = 1e-5, 1e-6


@pytest.fixture(scope="module")
def numbers(tmp_path_factory):
    """`{"tensorflow": ..., "jax": ...}`: each backend's `lm_on_backend.compute` numbers."""
    directory = tmp_path_factory.mktemp("lm_backends")
    assert keras.backend.backend() == "tensorflow"
    tensorflow = np.load(lm_on_backend.compute(directory))
    run_on_backend("jax", [str(HERE / "lm_on_backend.py"), str(directory)], timeout=300)
    return {"tensorflow": tensorflow, "jax": np.load(directory / "jax.npz")}


def _same(numbers, key, rtol=RTOL, atol=ATOL):
    np.testing.assert_allclose(numbers["jax"][key], numbers["tensorflow"][key], rtol=rtol, atol=atol, err_msg=f"{key}: jax vs tensorflow")


def test_the_same_weights_give_the_same_logits_state_and_cost(numbers):
    for key in numbers["tensorflow"].files:
        if key.startswith("weights_0_"):
            np.testing.assert_array_equal(numbers["jax"][key], numbers["tensorflow"][key])
    for key in ("logits", "state", "cost"):
        _same(numbers, key)
    assert np.abs(numbers["tensorflow"]["state"]).max() > 0.1


def test_a_clipped_training_step_gives_the_same_weights_state_and_perplexity(numbers):
    tensorflow = numbers["tensorflow"]
    weights = sorted({key.rsplit("_", 1)[0] for key in tensorflow.files if key.startswith("weights_")})
    assert weights == ["weights_0", "weights_1", "weights_2"]
    count = sum(key.startswith("weights_0_") for key in tensorflow.files)
    for backend, found in numbers.items():
        for step in (1, 2):  # each step moves the weights by lr x the clipped global norm: the clip acted
            change = [found[f"weights_{step}_{i}"] - found[f"weights_{step - 1}_{i}"] for i in range(count)]
            norm = np.sqrt(sum(float((d**2).sum()) for d in change))
            assert norm == pytest.approx(lm_on_backend.MAX_GRAD_NORM, rel=1e-3), f"{backend}, step {step}"
    for step in (1, 2):
        for i in range(count):
            _same(numbers, f"weights_{step}_{i}", atol=1e-6)
        _same(numbers, f"carried_{step}")
        _same(numbers, f"perplexity_{step}")


def test_evaluation_gives_the_same_perplexity(numbers):
    _same(numbers, "evaluated")


def test_dropout_draws_a_new_mask_at_every_training_step(numbers):
    for backend, found in numbers.items():
        seeds = found["dropout_seeds"]
        assert all(not np.array_equal(a, b) for a, b in zip(seeds, seeds[1:])), backend

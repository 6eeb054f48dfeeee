"""The language model's numbers on this process's Keras backend, from weights written on another.

    python tests/language_model/lm_on_backend.py DIRECTORY

`compute(directory)` builds a tiny `LanguageModel`, takes its weights from
`DIRECTORY/weights.npz` (writing them there first when absent, so the first
backend to run sets them) and writes `DIRECTORY/<backend>.npz`: the logits
and state of a window read from a non-zero state, the book's cost, the
weights, carried state and perplexity after each of two `TruncatedBPTT`
steps (SGD 1.0 under a global-norm clip small enough to act), and
`evaluate_perplexity` batched and at batch 1, step 1. Dropout's masks come
from each backend's own random numbers, so the compared model keeps every
unit; a second trainer with dropout only records whether its seed moved on
at every step (a new mask each step, as the book's).
"""

import sys
from pathlib import Path

import numpy as np

import keras
from kclassics.language_model import LanguageModel, TruncatedBPTT, book_cost, evaluate_perplexity

VOCAB, HIDDEN, LAYERS, BATCH, STEPS = 31, 6, 2, 3, 5
MAX_GRAD_NORM = 0.05  # below the raw gradient norm, so the clip scales every step


def windows():
    """Two windows of ids and targets `(2, BATCH, STEPS)`, a non-zero starting state, and a sequence to evaluate."""
    rng = np.random.default_rng(0)
    x, y = (rng.integers(0, VOCAB, (2, BATCH, STEPS)).astype("int32") for _ in range(2))
    state = rng.normal(0.0, 0.5, (LAYERS, 2, BATCH, HIDDEN)).astype("float32")
    return x, y, state, rng.integers(0, VOCAB, 61).astype("int32")


def _numpy(value):
    return np.asarray(keras.ops.convert_to_numpy(value))


def _model(directory, keep_prob=1.0):
    path = Path(directory) / "weights.npz"
    if not path.exists():
        keras.utils.set_random_seed(0)  # (on JAX it would import TensorFlow to seed it too: seconds of the test)
        np.savez(path, **{f"w{i}": w for i, w in enumerate(LanguageModel(VOCAB, HIDDEN, LAYERS, init_scale=0.5).get_weights())})
    model = LanguageModel(VOCAB, HIDDEN, LAYERS, keep_prob=keep_prob, init_scale=0.5)
    saved = np.load(path)
    model.set_weights([saved[f"w{i}"] for i in range(len(saved.files))])
    return model


def _trainer(model):
    trainer = TruncatedBPTT(model, BATCH)
    trainer.compile(optimizer=keras.optimizers.SGD(1.0, global_clipnorm=MAX_GRAD_NORM))
    return trainer


def compute(directory):
    """Writes this backend's numbers to `directory/<backend>.npz` and returns its path."""
    x, y, state, sequence = windows()
    model = _model(directory)
    numbers = {f"weights_0_{i}": w for i, w in enumerate(model.get_weights())}
    logits, final = model.unroll(x[0], state)
    numbers.update(logits=_numpy(logits), state=_numpy(final), cost=_numpy(book_cost(y[0], logits)[0]))

    trainer = _trainer(model)
    trainer.carried_state.assign(state)
    for step in (1, 2):  # one `fit` per window: the state and the epoch's totals carry from one call to the next
        trainer.fit(x[step - 1], y[step - 1], batch_size=BATCH, shuffle=False, verbose=0)
        numbers.update({f"weights_{step}_{i}": w for i, w in enumerate(model.get_weights())})
        numbers[f"carried_{step}"] = _numpy(trainer.carried_state)
        numbers[f"perplexity_{step}"] = np.float64(trainer.perplexity())
    numbers["evaluated"] = np.array([evaluate_perplexity(model, sequence, 2, 4), evaluate_perplexity(model, sequence, 1, 1)])

    dropping = _trainer(_model(directory, keep_prob=0.5))
    seeds = [_numpy(dropping.language_model.dropout.seed_generator.state)]
    for step in (0, 1):
        dropping.fit(x[step], y[step], batch_size=BATCH, shuffle=False, verbose=0)
        seeds.append(_numpy(dropping.language_model.dropout.seed_generator.state))
    numbers["dropout_seeds"] = np.stack(seeds)
    path = Path(directory) / f"{keras.backend.backend()}.npz"
    np.savez(path, **numbers)
    return path


if __name__ == "__main__":
    print("wrote", compute(sys.argv[1]))

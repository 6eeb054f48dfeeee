"""The skip-gram's training steps on this process's Keras backend, from given weights and batches.

`python tests/text/skipgram_on_backend.py DIRECTORY` (run with `KERAS_BACKEND=jax`)
reads `DIRECTORY/inputs.npz`, trains each case of `CASES` from the same
starting weights on the same batches, and writes the weights and losses to
`DIRECTORY/<backend>.npz`; the TensorFlow test computes the same here and
compares. The random draws (negatives, windows, subsampling) are the same on
every backend, so the whole step must agree, not only its arithmetic.
"""

import sys
from pathlib import Path

import numpy as np

VOCABULARY = 40
COUNTS = np.arange(VOCABULARY, 0, -1) * 7

_FUSED, _GENERIC = dict(learning_rate=1.0), dict(learning_rate=1.0, global_clipnorm=1e9)  # plain SGD; Keras's gradient path
# name -> (SkipGram arguments, optimizer arguments, data): each pairs case trains two steps of 32 pairs, "sentences" two
# steps of one sentence; "nce_stack" and "sentences_stack" train the same two batches as one stack in one call
CASES = {
    **{f"{loss}_{path}": (dict(loss=loss, num_sampled=6), optimizer, "pairs")
       for loss in ("nce", "sampled_softmax", "negative_sampling") for path, optimizer in (("fused", _FUSED), ("generic", _GENERIC))},
    "nce_stack": (dict(loss="nce", num_sampled=6), _FUSED, "stack"),
    **{name: (dict(loss="negative_sampling", num_sampled=3, window=3, subsample=0.05, centres_per_update=8,
                   initialization="gensim"), dict(learning_rate=0.1), "sentences") for name in ("sentences", "sentences_stack")},
}
# `workers`: a stack of 3 sentences in 2 parts (2 sentences, then 1) trained at once; "part_1" and "part_2" train each
# part alone from the same start (the second from draw 2 and iteration 2), with a learning rate that falls per step
_WINDOW = dict(loss="negative_sampling", num_sampled=3, window=3, subsample=0.05, centres_per_update=8, initialization="gensim")
_DECAY = dict(initial_learning_rate=0.1, decay_steps=3, end_learning_rate=0.02)
CASES.update({"workers": ({**_WINDOW, "workers": 2}, _DECAY, "three"), "part_1": (_WINDOW, _DECAY, "first_two"),
              "part_2": (_WINDOW, _DECAY, "third")})
START = {"part_2": 2}  # the draw counter and the optimizer's iterations a case starts from


def make_inputs(seed=0):
    """The batches of every case and the starting weights."""
    rng = np.random.default_rng(seed)
    centres = rng.integers(0, VOCABULARY, 64).astype("int32")
    contexts = ((centres * 7 + 3) % VOCABULARY).astype("int32")
    return {
        "pairs_x": centres, "pairs_y": contexts, "stack_x": centres.reshape(2, 32), "stack_y": contexts.reshape(2, 32),
        "sentences_x": np.where(rng.random((2, 1, 50)) < 0.9, rng.integers(0, VOCABULARY, (2, 1, 50)), -1).astype("int32"),
        "three_x": (three := rng.integers(0, VOCABULARY, (3, 1, 50)).astype("int32")), "first_two_x": three[:2], "third_x": three[2:],
        "embeddings": rng.normal(0, 0.3, (VOCABULARY, 8)).astype("float32"),
        "nce_weights": rng.normal(0, 0.3, (VOCABULARY, 8)).astype("float32"),
        "nce_biases": rng.normal(0, 0.1, (VOCABULARY,)).astype("float32"),
    }


def train(inputs):
    """{case: weights after training} and {case_loss: the losses}, on this process's backend."""
    import keras

    from kclassics.embeddings import SkipGram

    results = {}
    for name, (arguments, optimizer, data) in CASES.items():
        model = SkipGram(["UNK", *(f"w{i}" for i in range(VOCABULARY - 1))], embedding_size=8, noise_counts=COUNTS, seed=3,
                         **arguments)
        for variable in model.weights:
            if variable.name in inputs:
                variable.assign(inputs[variable.name])
        rate = keras.optimizers.schedules.PolynomialDecay(**optimizer) if "decay_steps" in optimizer else None
        model.compile(optimizer=keras.optimizers.SGD(rate) if rate else keras.optimizers.SGD(**optimizer))
        assert model.fused_step() is ("global_clipnorm" not in optimizer)
        model.batches_drawn.assign(START.get(name, 0))
        model.optimizer.iterations.assign(START.get(name, 0))
        x, y = inputs[f"{data}_x"], inputs.get(f"{data}_y")
        batch_size = 2 if name.endswith("stack") else {"pairs": 32, "sentences": 1}.get(data, len(x))  # else the whole stack
        history = model.fit(x, y, batch_size=batch_size, epochs=1, shuffle=False, verbose=0).history
        for variable in model.weights:
            results[f"{name}/{variable.name}"] = keras.ops.convert_to_numpy(variable)
        results[f"{name}/loss"] = np.array(history["loss"])
    return results


if __name__ == "__main__":
    import keras

    directory = Path(sys.argv[1])
    np.savez(directory / f"{keras.backend.backend()}.npz", **train(dict(np.load(directory / "inputs.npz"))))

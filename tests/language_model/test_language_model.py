"""The language model's maths: parameters, the carried state, the forget bias, the book's cost, schedule, clipping and evaluation."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from kclassics.language_model import (
    BasicLSTM,
    EpochDecay,
    KerasLSTM,
    LanguageModel,
    TruncatedBPTT,
    book_cost,
    evaluate_perplexity,
    sample_words,
    train_flops_per_word,
)
from kclassics.layers import BasicLSTMCell
from kclassics.programs.ptb_lm import CONFIGS, build_language_model

VOCAB, HIDDEN = 31, 6


@pytest.fixture(autouse=True)
def _seeded():
    keras.utils.set_random_seed(0)


def tiny(**kwargs):
    return LanguageModel(VOCAB, HIDDEN, num_layers=2, init_scale=0.5, **kwargs)


def ids(*shape, seed=0):
    return np.random.default_rng(seed).integers(0, VOCAB, shape).astype(np.int32)


@pytest.mark.parametrize("name", ["small", "medium", "large"])
def test_parameter_counts_with_a_10000_word_vocabulary(name):
    h = {"small": 200, "medium": 650, "large": 1500}[name]
    embedding = 10_000 * h
    lstm = 2 * ((h + h) * 4 * h + 4 * h)  # joint kernel [x, h] -> i, j, f, o, and the bias, per layer
    softmax = h * 10_000 + 10_000
    expected = {"small": 4_651_600, "medium": 19_775_200, "large": 66_022_000}[name]
    assert embedding + lstm + softmax == expected
    model = build_language_model(CONFIGS[name], 10_000)
    assert model.count_params() == expected
    assert [w.shape for w in model.lstm_layers[0].weights] == [(2 * h, 4 * h), (4 * h,)]


def test_weight_tying_shares_the_embedding():
    assert tiny().count_params() - tiny(tie_weights=True).count_params() == VOCAB * HIDDEN


def test_two_half_windows_with_the_carried_state_equal_one_window():
    model = tiny()
    x = ids(3, 8)
    whole, state = model.unroll(x, model.initial_state(3))
    first, carried = model.unroll(x[:, :4], model.initial_state(3))
    second, final = model.unroll(x[:, 4:], carried)
    np.testing.assert_allclose(np.concatenate([first, second], axis=1), whole, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(final, state, rtol=1e-5, atol=1e-6)
    restarted, _ = model.unroll(x[:, 4:], model.initial_state(3))
    assert not np.allclose(restarted, second, atol=1e-4), "the state matters"


def test_forget_bias_is_a_constant_zero_and_the_steps_are_basic_lstm_cells():
    model = tiny()
    layer = model.lstm_layers[0]
    assert layer.cell.forget_bias == 0.0
    assert [w.name for w in layer.trainable_weights] == ["kernel", "bias"]  # no forget-bias variable to train
    np.testing.assert_array_equal(layer.cell.bias, np.zeros(4 * HIDDEN))  # BasicLSTMCell's biases start at zero
    x = np.random.default_rng(1).normal(size=(2, 5, HIDDEN)).astype("float32")
    zeros = np.zeros((2, HIDDEN), "float32")
    outputs, _ = layer(x, (zeros, zeros))
    rnn = keras.layers.RNN(BasicLSTMCell(HIDDEN, forget_bias=0.0), return_sequences=True)
    rnn.build((None, 5, HIDDEN))
    rnn.set_weights(layer.get_weights())
    np.testing.assert_allclose(outputs, rnn(x), rtol=1e-5, atol=1e-6)


def test_keras_lstm_layers_compute_the_same_function():
    basic, keras_lstm = tiny(), tiny(lstm="keras")
    keras_lstm.embedding.set_weights(basic.embedding.get_weights())
    keras_lstm.softmax.set_weights(basic.softmax.get_weights())
    for ours, theirs in zip(basic.lstm_layers, keras_lstm.lstm_layers):
        theirs.lstm.set_weights(KerasLSTM.from_basic_weights(*ours.get_weights(), input_width=HIDDEN))
    x = ids(2, 7)
    a, sa = basic.unroll(x, basic.initial_state(2))
    b, sb = keras_lstm.unroll(x, keras_lstm.initial_state(2))
    np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(sa, sb, rtol=1e-4, atol=1e-5)


def test_dropout_draws_a_new_mask_at_every_time_step():
    model = tiny(keep_prob=0.5)
    x = np.full((1, 6), 3, np.int32)  # the same word at every step
    embedded = model.dropout(model.embedding(x), training=True)
    masks = (np.asarray(embedded) != 0)[0]
    assert len({tuple(m) for m in masks}) > 1
    np.testing.assert_array_equal(model(x), model(x))  # no dropout outside training
    assert not np.allclose(model.unroll(x, model.initial_state(1), training=True)[0], model(x))


def test_the_cost_is_the_sum_over_steps_of_the_batch_mean_cross_entropy():
    logits = np.random.default_rng(0).normal(size=(4, 5, VOCAB)).astype("float32")
    targets = ids(4, 5)
    cost, _ = book_cost(targets, logits)
    log_p = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    nll = -np.take_along_axis(log_p, targets[..., None], -1)[..., 0]
    assert float(cost) == pytest.approx(nll.mean(axis=0).sum(), rel=1e-5)


def test_learning_rate_per_epoch():
    small = CONFIGS["small"]
    schedule = EpochDecay(small.learning_rate, small.lr_decay, small.max_epoch, epoch_size=7)
    book = [small.learning_rate * small.lr_decay ** max(i + 1 - small.max_epoch, 0.0) for i in range(small.epochs)]
    assert book[:5] == [1.0, 1.0, 1.0, 1.0, 0.5] and book[-1] == 0.5**9
    assert [schedule.for_epoch(i) for i in range(small.epochs)] == book
    for epoch in range(small.epochs):
        for step in (epoch * 7, epoch * 7 + 6):
            assert float(schedule(step)) == pytest.approx(book[epoch], rel=1e-6)
    large = CONFIGS["large"]
    assert EpochDecay(1.0, large.lr_decay, large.max_epoch, 1).for_epoch(54) == pytest.approx(1.15**-41)


def make_trainer(model, batch_size, learning_rate=1.0, max_grad_norm=5.0):
    trainer = TruncatedBPTT(model, batch_size)
    trainer.compile(optimizer=keras.optimizers.SGD(learning_rate, global_clipnorm=max_grad_norm))
    return trainer


def test_gradients_are_clipped_by_their_global_norm():
    model = tiny()
    trainer = make_trainer(model, 2, learning_rate=1.0, max_grad_norm=0.05)
    before = [np.array(w) for w in model.trainable_weights]
    x, y = ids(2, 4), ids(2, 4, seed=1)
    with tf.GradientTape() as tape:
        cost, _ = book_cost(y, model.unroll(x, model.initial_state(2), training=True)[0])
    raw = tape.gradient(cost, model.trainable_weights)
    raw_norm = float(tf.linalg.global_norm([tf.convert_to_tensor(g) for g in raw]))
    trainer.fit(tf.data.Dataset.from_tensor_slices((x[None], y[None])), verbose=0, shuffle=False)
    deltas = [b - np.array(w) for b, w in zip(before, model.trainable_weights)]
    assert raw_norm > 0.5
    assert np.sqrt(sum((d**2).sum() for d in deltas)) == pytest.approx(0.05, rel=1e-3)  # lr 1 x the clipped norm
    for delta, gradient in zip(deltas, raw):  # every gradient scaled by the same factor
        np.testing.assert_allclose(delta, np.asarray(tf.convert_to_tensor(gradient)) * 0.05 / raw_norm, atol=1e-7)


def test_fit_carries_the_state_across_batches_and_reset_zeroes_it():
    model = tiny()
    trainer = make_trainer(model, 3, learning_rate=0.0)
    x, y = ids(2, 3, 4), ids(2, 3, 4, seed=1)
    history = trainer.fit(tf.data.Dataset.from_tensor_slices((x, y)), verbose=0, shuffle=False).history
    logits0, state = model.unroll(x[0], model.initial_state(3))
    logits1, state = model.unroll(x[1], state)
    np.testing.assert_allclose(trainer.carried_state, state, rtol=1e-5, atol=1e-6)
    nll = [book_cost(y[i], l)[1] for i, l in enumerate((logits0, logits1))]
    expected = float(np.exp(np.mean(np.concatenate([np.ravel(n) for n in nll]))))
    assert trainer.perplexity() == pytest.approx(expected, rel=1e-5)
    assert history["perplexity"][-1] == pytest.approx(expected, rel=1e-5)
    trainer.reset()
    assert not np.any(trainer.carried_state) and np.isnan(trainer.perplexity())


def test_batch_1_step_1_evaluation_equals_batched_evaluation():
    model = tiny()
    sequence = ids(1, 41)[0]
    one_by_one = evaluate_perplexity(model, sequence, batch_size=1, num_steps=1)
    logits, _ = model.unroll(sequence[None, :-1], model.initial_state(1))  # the whole split in one window
    _, nll = book_cost(sequence[None, 1:], logits)
    assert one_by_one == pytest.approx(float(np.exp(np.mean(nll))), rel=1e-5)
    streams = ids(1, 4 * 21, seed=3)[0]
    together = evaluate_perplexity(model, streams, batch_size=4, num_steps=5)
    alone = [np.log(evaluate_perplexity(model, streams[r * 21 : (r + 1) * 21], batch_size=1, num_steps=5)) for r in range(4)]
    assert together == pytest.approx(float(np.exp(np.mean(alone))), rel=1e-5)  # rows are independent streams


def test_training_flops_count():
    assert train_flops_per_word(200, 10_000) == 3 * (2 * 2 * 400 * 800 + 2 * 200 * 10_000)


def test_sampling_reads_the_prompt_and_draws_vocabulary_words():
    model = tiny()
    vocabulary = tuple(f"w{i}" for i in range(VOCAB - 1)) + ("<unk>",)
    drawn = sample_words(model, vocabulary, ["w1", "never-seen"], 12, temperature=0.7, seed=5)
    assert len(drawn) == 12 and set(drawn) <= set(vocabulary)
    assert drawn == sample_words(model, vocabulary, ["w1", "never-seen"], 12, temperature=0.7, seed=5)
    greedy = sample_words(model, vocabulary, ["w1"], 1, temperature=1e-4, seed=0)
    assert greedy == [vocabulary[int(np.argmax(model(np.array([[1]]))[0, -1]))]]
    with pytest.raises(ValueError, match="temperature=0"):
        sample_words(model, vocabulary, ["w1"], 3, temperature=0)


def test_model_file_round_trip(tmp_path):
    model = tiny(tie_weights=True)
    model.save(tmp_path / "lm.keras")
    loaded = keras.saving.load_model(tmp_path / "lm.keras")
    assert isinstance(loaded, LanguageModel) and isinstance(loaded.lstm_layers[0], BasicLSTM)
    np.testing.assert_allclose(loaded(ids(2, 3)), model(ids(2, 3)), rtol=1e-6)


def test_the_trainer_refuses_a_backend_it_has_no_step_for(monkeypatch):
    from kclassics import _backend

    monkeypatch.setattr(_backend, "name", lambda: "torch")
    with pytest.raises(_backend.BackendError, match=r"TruncatedBPTT runs on the backends 'tensorflow', 'jax'.*Received: KERAS_BACKEND='torch'"):
        TruncatedBPTT(tiny(), 2)

"""The chapter's learning rules against hand computations: returns, the batched policy gradient, double DQN, soft updates, replay."""

import keras
import numpy as np
import pytest

from kclassics.rl import ReplayBuffer, discount_rewards, double_dqn_targets, episode_advantages, policy_network, q_network
from kclassics.rl.agents import DoubleDQN, PolicyGradient, soft_update


def test_discounted_standardised_returns_by_hand():
    np.testing.assert_allclose(discount_rewards([1.0, 1.0, 1.0], 0.5), [1.75, 1.5, 1.0])
    np.testing.assert_allclose(discount_rewards([0.0, 0.0, 2.0], 0.9), [1.62, 1.8, 2.0])
    returns = np.array([1.75, 1.5, 1.0])
    expected = (returns - returns.mean()) / returns.std()
    np.testing.assert_allclose(episode_advantages([1.0, 1.0, 1.0], 0.5), expected)
    assert episode_advantages([1.0], 0.99).tolist() == [0.0], "one step: nothing to prefer"


def test_the_batch_gradient_is_the_sum_of_25_episode_gradients():
    keras.utils.set_random_seed(1)
    learner = PolicyGradient(policy_network())
    rng = np.random.default_rng(0)
    episodes = []
    for _ in range(25):
        n = int(rng.integers(3, 30))
        episodes.append((rng.normal(size=(n, 4)).astype(np.float32), rng.integers(0, 2, n),
                         episode_advantages(np.ones(n), 0.99)))
    summed = learner.gradients(episodes)
    accumulated = [np.zeros_like(g) for g in summed]
    for episode in episodes:  # gradBuffer[ix] += grad, one episode at a time
        for total, g in zip(accumulated, learner.gradients([episode])):
            total += g
    for a, b in zip(summed, accumulated):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)

    # One episode's gradient is that of -mean(log pi(a|s) * advantage), by hand through autodiff of the formula.
    x, actions, advantages = episodes[0]
    w1, w2 = (v.numpy() for v in learner.model.trainable_variables)
    import tensorflow as tf

    v1, v2 = tf.Variable(w1), tf.Variable(w2)
    with tf.GradientTape() as tape:
        p = tf.sigmoid(tf.nn.relu(x @ v1) @ v2)[:, 0]
        y = 1.0 - actions.astype(np.float32)  # the book's label, input_y = 1 - action
        loss = -tf.reduce_mean(tf.math.log(y * (y - p) + (1 - y) * (y + p)) * advantages.astype(np.float32))
    for a, b in zip(learner.gradients([episodes[0]]), tape.gradient(loss, [v1, v2])):
        np.testing.assert_allclose(a, b.numpy(), rtol=1e-4, atol=1e-6)


def test_double_dqn_target_by_hand():
    rewards = np.array([1.0, 0.0, -1.0], np.float32)
    terminated = np.array([0.0, 0.0, 1.0], np.float32)
    q_main = np.array([[0.1, 0.9, 0.0, 0.0], [5.0, 0.0, 0.0, 1.0], [0.0, 0.0, 3.0, 0.0]], np.float32)
    q_target = np.array([[7.0, 2.0, 9.0, 9.0], [4.0, 8.0, 8.0, 8.0], [1.0, 1.0, 1.0, 1.0]], np.float32)
    targets = np.asarray(double_dqn_targets(rewards, terminated, q_main, q_target, 0.99))
    # main picks actions 1 and 0; the target network values them 2 and 4 (not its own max 9 and 8); the last is terminal
    np.testing.assert_allclose(targets, [1.0 + 0.99 * 2.0, 0.0 + 0.99 * 4.0, -1.0])


def test_the_soft_update_moves_the_target_by_tau():
    keras.utils.set_random_seed(0)
    main, target = policy_network(name="a"), policy_network(name="b")
    before = [w.numpy() for w in target.weights]
    soft_update(target, main, 0.001)
    for old, new, m in zip(before, target.weights, main.weights):
        np.testing.assert_allclose(new.numpy(), old + 0.001 * (m.numpy() - old), rtol=1e-5, atol=1e-7)


def test_dueling_q_network_shapes_parameters_and_training_step():
    network = q_network()
    assert network.count_params() == 6144 + 32768 + 36864 + 1605632 + 256 * 4 + 256  # no biases anywhere
    assert [tuple(layer.output.shape[1:]) for layer in network.layers[1:5]] == [(20, 20, 32), (9, 9, 64), (7, 7, 64), (1, 1, 512)]
    head = network.get_layer("dueling")
    features = np.random.default_rng(0).normal(size=(2, 512)).astype(np.float32)
    a = features[:, :256] @ head.advantage_kernel.numpy()
    v = features[:, 256:] @ head.value_kernel.numpy()
    np.testing.assert_allclose(head(features), v + a - a.mean(axis=1, keepdims=True), rtol=1e-4, atol=1e-3)
    assert policy_network().count_params() == 4 * 50 + 50

    keras.utils.set_random_seed(0)
    main, target = q_network((7, 7, 3), name="m"), q_network((7, 7, 3), name="t")
    main.compile(optimizer=keras.optimizers.Adam(1e-4))
    agent = DoubleDQN(main, target, 0.99, 0.001)
    rng = np.random.default_rng(0)
    batch = {"observations": rng.integers(0, 2, (4, 7, 7, 3)).astype(np.uint8) * 255, "actions": np.array([0, 1, 2, 3], np.int32),
             "rewards": np.array([1, 0, -1, 0], np.float32), "next_observations": rng.integers(0, 2, (4, 7, 7, 3)).astype(np.uint8) * 255,
             "terminated": np.zeros(4, np.float32)}
    before = [w.numpy() for w in target.weights]
    expected = double_dqn_targets(batch["rewards"], batch["terminated"], main(batch["next_observations"].astype(np.float32)),
                                  target(batch["next_observations"].astype(np.float32)), 0.99)
    q = main(batch["observations"].astype(np.float32)).numpy()[np.arange(4), batch["actions"]]
    loss = agent.train(batch)
    assert loss == pytest.approx(float(np.mean((np.asarray(expected) - q) ** 2)), rel=1e-4)
    assert int(main.optimizer.iterations) == 1
    moved = [w.numpy() for w in target.weights]
    for old, new, m in zip(before, moved, main.weights):
        np.testing.assert_allclose(new, old + 0.001 * (m.numpy() - old), rtol=1e-4, atol=1e-6)


def test_replay_buffer_is_a_uint8_ring():
    buffer = ReplayBuffer(3, (7, 7, 3))
    assert buffer.observations.dtype == np.uint8 and buffer.observations.nbytes == 3 * 147
    for i in range(5):
        buffer.add(np.full((7, 7, 3), i, np.uint8), i % 4, float(i), np.full((7, 7, 3), i + 1, np.uint8), False)
    assert len(buffer) == 3 and buffer.position == 2
    assert buffer.actions.tolist() == [3, 0, 2], "transitions 3 and 4 overwrote the oldest, 0 and 1"
    assert buffer.observations[:, 0, 0, 0].tolist() == [3, 4, 2]
    sample = buffer.sample(3, np.random.default_rng(0))
    assert sorted(sample["rewards"].tolist()) == [2.0, 3.0, 4.0], "distinct transitions, as random.sample"
    np.testing.assert_array_equal(sample["next_observations"][:, 0, 0, 0], sample["observations"][:, 0, 0, 0] + 1)
    with pytest.raises(ValueError, match="Cannot sample 4"):
        buffer.sample(4, np.random.default_rng(0))

    copy = ReplayBuffer(3, (7, 7, 3))
    copy.load_state(buffer.state())
    assert (copy.position, copy.size) == (2, 3)
    for name in ("observations", "actions", "rewards", "next_observations", "terminated"):
        np.testing.assert_array_equal(getattr(copy, name), getattr(buffer, name))
    with pytest.raises(ValueError, match="capacity"):
        ReplayBuffer(0, (1,))

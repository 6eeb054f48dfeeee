"""The learning targets of chapter 8: discounted returns for the policy gradient, double-DQN targets."""

import numpy as np

from kclassics import validation


def discount_rewards(rewards, gamma):
    """`G_t = r_t + gamma * G_{t+1}`, computed backwards over one episode (discount_rewards, L4857-4863)."""
    rewards = validation.array("rewards", rewards, ndim=1, what="numbers (one per step)", allow_empty=True).astype(np.float64)
    validation.fraction("gamma", gamma)
    returns = np.zeros_like(rewards)
    running = 0.0
    for t in reversed(range(rewards.size)):
        running = running * gamma + rewards[t]
        returns[t] = running
    return returns


def standardise(values):
    """`(x - mean) / std` over one episode (L4955-4957); an episode of equal values (one step) becomes zeros."""
    values = validation.array("values", values, ndim=1, what="numbers (one per step)").astype(np.float64)
    std = values.std()
    centred = values - values.mean()
    return centred / std if std > 0 else centred


def episode_advantages(rewards, gamma):
    """The book's advantage of each step: the episode's discounted returns, standardised."""
    return standardise(discount_rewards(rewards, gamma))


def double_dqn_targets(rewards, terminated, next_q_main, next_q_target, gamma):
    """`r + gamma * Q_target(s', argmax_a Q_main(s', a))`, nothing beyond a terminal state (L5474-5482).

    Works on numpy arrays and on tensors (it is part of the compiled training step).
    """
    from keras import ops

    if isinstance(gamma, (int, float)):
        validation.fraction("gamma", gamma)
    shapes = {name: _static_shape(value) for name, value in (("rewards", rewards), ("terminated", terminated),
                                                              ("next_q_main", next_q_main), ("next_q_target", next_q_target))}
    batch, actions = (shapes["next_q_main"] + (None, None))[:2]
    if len(shapes["next_q_main"]) != 2 or not all(
            _compatible(shapes[name], expected) for name, expected in (("rewards", (batch,)), ("terminated", (batch,)),
                                                                       ("next_q_target", (batch, actions)))):
        raise ValueError("`next_q_main` and `next_q_target` must both be (batch, actions), `rewards` and `terminated` (batch,). "
                         f"Received: {', '.join(f'{name} of shape {shape}' for name, shape in shapes.items())}")
    best = ops.argmax(next_q_main, axis=-1)
    chosen = ops.take_along_axis(next_q_target, ops.expand_dims(best, -1), axis=-1)[:, 0]
    return rewards + gamma * (1.0 - terminated) * chosen


def _static_shape(value):
    return tuple(getattr(value, "shape", None) if hasattr(value, "shape") else np.shape(value))


def _compatible(shape, expected):
    return len(shape) == len(expected) and all(a is None or b is None or a == b for a, b in zip(shape, expected))

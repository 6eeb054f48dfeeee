"""The chapter's two learners: the batched policy gradient and the double DQN update, each one compiled function."""

import keras
import numpy as np
import tensorflow as tf

from kclassics import validation
from kclassics.rl.returns import double_dqn_targets

_LOG_EPSILON = 1e-7  # keeps log(P) finite when the sigmoid saturates (the book takes log(P) as it is)


class PolicyGradient:
    """The book's policy-gradient update of a `policy_network` (L4870-4878, L4960-4990).

    The loss of one episode is `-mean_t(log pi(a_t|s_t) * advantage_t)`; the
    book sums the gradients of 25 episodes, then takes one optimizer step.
    `gradients` computes that sum in one call, weighting each step by one
    over its episode's length, which is the same sum.
    """

    def __init__(self, model):
        _check_model("model", model)
        if model.output_shape[-1] != 1:
            raise ValueError("`model` must be a policy with one output, P(action 1) (`policy_network`). "
                             f"Received: a model with output shape {model.output_shape}")
        self.model = model
        self._gradients = tf.function(self._summed_gradients, reduce_retracing=True)

    def _summed_gradients(self, observations, actions, advantages, weights):
        with tf.GradientTape() as tape:
            p = tf.reshape(self.model(observations, training=True), [-1])
            p = tf.clip_by_value(p, _LOG_EPSILON, 1.0 - _LOG_EPSILON)
            log_likelihood = tf.math.log(tf.where(actions == 1, p, 1.0 - p))  # loglik, L4872
            loss = -tf.reduce_sum(weights * log_likelihood * advantages)
        return tape.gradient(loss, self.model.trainable_variables)

    def gradients(self, episodes):
        """Sum over `episodes` of each one's gradient; an episode is `(observations, actions, advantages)`."""
        if isinstance(episodes, (str, bytes)) or not hasattr(episodes, "__len__") or not len(episodes):
            raise ValueError(f"`episodes` must be a non-empty list of (observations, actions, advantages). Received: episodes={episodes!r}")
        for i, episode in enumerate(episodes):
            if len(episode) != 3:
                raise ValueError(f"Each episode must be (observations, actions, advantages). Received: episodes[{i}] of {len(episode)} items")
            steps = {len(part) for part in episode}
            if len(steps) != 1 or 0 in steps:
                raise ValueError(f"Each episode's observations, actions and advantages must be equally long and not empty. "
                                 f"Received: episodes[{i}] of lengths {[len(part) for part in episode]}")
            validation.class_ids(f"episodes[{i}] actions", episode[1], 2, what="actions", count_name="actions")
            validation.array(f"episodes[{i}] advantages", episode[2], ndim=1)
            validation.array(f"episodes[{i}] observations", episode[0], ndim=2)
        observations = np.concatenate([e[0] for e in episodes]).astype(np.float32)
        actions = np.concatenate([e[1] for e in episodes]).astype(np.int32)
        advantages = np.concatenate([e[2] for e in episodes]).astype(np.float32)
        weights = np.concatenate([np.full(len(e[1]), 1.0 / len(e[1]), np.float32) for e in episodes])
        return [g.numpy() for g in self._gradients(observations, actions, advantages, weights)]

    def apply(self, gradients):
        """One optimizer step with `gradients` (updateGrads, L4975-4977)."""
        variables = self.model.trainable_variables
        if len(gradients) != len(variables) or any(np.shape(g) != tuple(v.shape) for g, v in zip(gradients, variables)):
            raise ValueError(f"`gradients` must be what `gradients(episodes)` returned: one per weight, shapes "
                             f"{[tuple(v.shape) for v in variables]}. Received: shapes {[np.shape(g) for g in gradients]}")
        if getattr(self.model, "optimizer", None) is None:
            raise ValueError("`model` must be compiled with its optimizer before `apply` (model.compile(optimizer=...)).")
        self.model.optimizer.apply_gradients(zip(gradients, self.model.trainable_variables))

    def numpy_forward(self):
        """P(action 1) as a numpy function of one observation, from the current weights (for the acting loop)."""
        w1, w2 = (keras.ops.convert_to_numpy(w) for w in self.model.trainable_variables)
        return lambda observation: float(1.0 / (1.0 + np.exp(-(np.maximum(observation @ w1, 0.0) @ w2)[0])))


def soft_update(target, main, tau):
    """`target <- tau * main + (1 - tau) * target` for every weight (updateTargetGraph, L5357-5363)."""
    if isinstance(tau, (int, float)):  # a tensor: inside the compiled step, checked when it was made
        validation.fraction("tau", tau, low_open=True)
    _check_twins(target, main)
    for t, m in zip(target.weights, main.weights):
        t.assign(tau * m + (1.0 - tau) * t)


class DoubleDQN:
    """The book's double DQN update (L5453-5485): one compiled training step of `main`, then `target` follows by `tau`.

    `main` must be compiled with its optimizer (Adam 1e-4 in the book); the
    loss is the mean squared error on Q(s, a).
    """

    def __init__(self, main, target, gamma, tau, jit_compile=False):
        _check_model("main", main)
        _check_model("target", target)
        _check_twins(target, main)
        validation.fraction("gamma", gamma)
        validation.fraction("tau", tau, low_open=True)
        validation.boolean("jit_compile", jit_compile)
        if getattr(main, "optimizer", None) is None:
            raise ValueError("`main` must be compiled with its optimizer (the book: Adam 1e-4). Received: main with no optimizer")
        self.main, self.target = main, target
        self.gamma, self.tau = float(gamma), float(tau)
        shape = (None, *main.input_shape[1:])
        spec = tf.TensorSpec(shape, tf.uint8)
        self.train_step = tf.function(
            self._train_step, jit_compile=jit_compile,
            input_signature=[spec, tf.TensorSpec([None], tf.int32), tf.TensorSpec([None], tf.float32), spec,
                             tf.TensorSpec([None], tf.float32)],
        )
        self.q_values = tf.function(lambda x: self.main(tf.cast(x, tf.float32), training=False),
                                    input_signature=[spec], jit_compile=jit_compile)

    def _train_step(self, observations, actions, rewards, next_observations, terminated):
        next_observations = tf.cast(next_observations, tf.float32)
        targets = double_dqn_targets(rewards, terminated, self.main(next_observations, training=False),
                                     self.target(next_observations, training=False), self.gamma)
        with tf.GradientTape() as tape:
            q = self.main(tf.cast(observations, tf.float32), training=True)
            chosen = tf.reduce_sum(q * tf.one_hot(actions, tf.shape(q)[-1]), axis=-1)  # self.Q, L5305
            loss = tf.reduce_mean(tf.square(tf.stop_gradient(targets) - chosen))  # td_error, loss, L5318-5320
        variables = self.main.trainable_variables
        self.main.optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        soft_update(self.target, self.main, self.tau)
        return loss

    def train(self, batch):
        """One update on a replay batch (a dict from `ReplayBuffer.sample`); returns the loss."""
        fields = ("observations", "actions", "rewards", "next_observations", "terminated")
        if not hasattr(batch, "keys") or any(name not in batch for name in fields):
            raise ValueError(f"`batch` must be a replay batch (ReplayBuffer.sample) with {', '.join(fields)}. "
                             f"Received: batch={validation.describe(batch) if not hasattr(batch, 'keys') else sorted(batch)}")
        if len({len(batch[name]) for name in fields}) != 1:
            raise ValueError(f"The fields of `batch` must be equally long. Received: lengths {[len(batch[name]) for name in fields]}")
        return float(self.train_step(batch["observations"], batch["actions"], batch["rewards"],
                                     batch["next_observations"], batch["terminated"]))

    def greedy_action(self, observation):
        """argmax_a Q_main(observation, a) for one observation (mainQN.predict, L5455)."""
        if np.shape(observation) != tuple(self.main.input_shape[1:]):
            raise ValueError(f"`observation` must be one observation of shape {tuple(self.main.input_shape[1:])}. "
                             f"Received: observation of shape {np.shape(observation)}")
        return int(np.argmax(self.q_values(observation[None])[0]))


def _check_model(name, model):
    if not isinstance(model, keras.Model):
        raise ValueError(f"`{name}` must be a Keras model. Received: {name}={validation.describe(model)}")


def _check_twins(target, main):
    """Refuses a target network whose weights are not the main network's in number and shape."""
    shapes = [tuple(w.shape) for w in main.weights]
    if [tuple(w.shape) for w in target.weights] != shapes:
        raise ValueError("`target` must be a copy of `main`'s architecture (the same weights' shapes). "
                         f"Received: target with {len(target.weights)} weights for main's {len(shapes)}")

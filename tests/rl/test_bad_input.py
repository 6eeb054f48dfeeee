"""Bad input to every public function and class of kclassics.rl: one line naming the argument and the value received."""

import dataclasses

import keras
import numpy as np
import pytest

from kclassics import programs
from kclassics.rl import (
    DuelingHead,
    GridWorldEnv,
    ReplayBuffer,
    discount_rewards,
    double_dqn_targets,
    episode_advantages,
    oracle_action,
    policy_network,
    q_network,
    standardise,
    upscale,
)
from kclassics.rl.agents import DoubleDQN, PolicyGradient, soft_update
from kclassics.rl.play import cartpole_frame, make_env, play_frames, play_run, plot_rewards, write_gif, write_play_gif


@pytest.fixture(scope="module")
def nets():
    """A policy, a compiled pair of grid Q-networks, a filled replay buffer and a reset GridWorld, made once."""
    policy = policy_network()
    main, target = q_network((7, 7, 3), name="main"), q_network((7, 7, 3), name="target")
    main.compile(optimizer=keras.optimizers.Adam(1e-4))
    buffer = ReplayBuffer(4, (7, 7, 3))
    for i in range(4):
        buffer.add(np.zeros((7, 7, 3), np.uint8), i % 4, 0.0, np.zeros((7, 7, 3), np.uint8), False)
    env = GridWorldEnv(observation="grid")
    env.reset(seed=0)
    return {"policy": policy, "main": main, "target": target, "buffer": buffer, "env": env,
            "learner": PolicyGradient(policy), "dqn": DoubleDQN(main, target, 0.99, 0.001)}


OBSERVATION = np.zeros((7, 7, 3), np.uint8)
EPISODE = (np.zeros((3, 4), np.float32), np.array([0, 1, 1]), np.zeros(3))
CARTPOLE, GRIDWORLD = (programs.get(name).config for name in ("cartpole_pg", "gridworld_dqn"))

CASES = {
    "GridWorldEnv(size)": (lambda n: GridWorldEnv(size=2), r"`size` must be an integer >= 3 \(room for the 7 objects\)\. Received: size=2"),
    "GridWorldEnv(observation)": (lambda n: GridWorldEnv(observation="rgb"), r"observation='rgb'"),
    "GridWorldEnv(render_mode)": (lambda n: GridWorldEnv(render_mode="human"), r"`render_mode` must be None or 'rgb_array'\. Received: render_mode='human'"),
    "GridWorldEnv.reset(seed)": (lambda n: GridWorldEnv().reset(seed=-3), r"`seed` must be an integer between 0 and 4294967295\. Received: seed=-3"),
    "GridWorldEnv.step(action)": (lambda n: n["env"].step(4), r"Received: action=4"),
    "upscale(grid)": (lambda n: upscale(np.zeros((7, 5, 3))), r"`grid` must be a square picture .*Received: grid=an array of shape \(7, 5, 3\)"),
    "upscale(pixels)": (lambda n: upscale(np.zeros((7, 7, 3)), pixels=0), r"pixels=0"),
    "oracle_action(env)": (lambda n: oracle_action(GridWorldEnv()), r"`env` must be a GridWorld \(kclassics/GridWorld-v0\) that has been reset"),
    "policy_network(observation_size)": (lambda n: policy_network(observation_size=0), r"observation_size=0"),
    "policy_network(hidden_units)": (lambda n: policy_network(hidden_units=2.5), r"hidden_units=2\.5"),
    "q_network(input_shape)": (lambda n: q_network((84, 84)), r"`input_shape` must be a shape of 3 positive integers\. Received: input_shape=\(84, 84\)"),
    "q_network(actions)": (lambda n: q_network(actions=0), r"actions=0"),
    "q_network(convolutions)": (lambda n: q_network((7, 7, 3), convolutions=[(64, 3)]), r"`convolutions` must be a non-empty list .*convolutions=\[\(64, 3\)\]"),
    "q_network(input_shape, convolutions): not 1 x 1": (lambda n: q_network((9, 9, 3)), r"must end at 1 x 1.*Received: input_shape=\(9, 9, 3\)"),
    "DuelingHead(actions)": (lambda n: DuelingHead(-1), r"actions=-1"),
    "DuelingHead(features): odd width": (lambda n: DuelingHead(4)(np.zeros((1, 5), np.float32)), r"width must be even\. Received: features of shape \(1, 5\)"),
    "ReplayBuffer(capacity)": (lambda n: ReplayBuffer(0, (1,)), r"`capacity` must be a positive integer\. Received: capacity=0"),
    "ReplayBuffer(observation_shape)": (lambda n: ReplayBuffer(4, (7, -7, 3)), r"observation_shape=\(7, -7, 3\)"),
    "ReplayBuffer.add(observation)": (lambda n: ReplayBuffer(4, (7, 7, 3)).add(np.zeros((7, 7)), 0, 0.0, OBSERVATION),
                                      r"`observation` must have the buffer's observation shape \(7, 7, 3\)\. Received: observation of shape \(7, 7\)"),
    "ReplayBuffer.add(next_observation)": (lambda n: ReplayBuffer(4, (7, 7, 3)).add(OBSERVATION, 0, 0.0, 0), r"next_observation of shape \(\)"),
    "ReplayBuffer.add(action)": (lambda n: ReplayBuffer(4, (7, 7, 3)).add(OBSERVATION, -1, 0.0, OBSERVATION), r"action=-1"),
    "ReplayBuffer.add(reward)": (lambda n: ReplayBuffer(4, (7, 7, 3)).add(OBSERVATION, 1, float("nan"), OBSERVATION), r"`reward` must be a finite number\. Received: reward=nan"),
    "ReplayBuffer.add(terminated)": (lambda n: ReplayBuffer(4, (7, 7, 3)).add(OBSERVATION, 1, 0.0, OBSERVATION, "no"), r"terminated='no'"),
    "ReplayBuffer.sample(batch_size)": (lambda n: n["buffer"].sample(5, np.random.default_rng(0)), r"Cannot sample 5 transitions from a buffer holding 4\. Received: batch_size=5"),
    "ReplayBuffer.sample(batch_size): zero": (lambda n: n["buffer"].sample(0, np.random.default_rng(0)), r"batch_size=0"),
    "ReplayBuffer.sample(rng)": (lambda n: n["buffer"].sample(2, 0), r"`rng` must be a numpy Generator .*Received: rng=0"),
    "ReplayBuffer.load_state(state)": (lambda n: ReplayBuffer(4, (7, 7, 3)).load_state({}), r"`state` must be what `ReplayBuffer.state\(\)` returned; it lacks replay_observations"),
    "ReplayBuffer.load_state(state): capacity": (lambda n: ReplayBuffer(3, (7, 7, 3)).load_state(n["buffer"].state()), r"Received: replay_capacity=4"),
    "discount_rewards(rewards)": (lambda n: discount_rewards([[1.0]], 0.9), r"`rewards` must be a 1-D array of numbers \(one per step\)"),
    "discount_rewards(gamma)": (lambda n: discount_rewards([1.0], 1.5), r"`gamma` must be a number in \[0, 1\]\. Received: gamma=1\.5"),
    "standardise(values)": (lambda n: standardise([1.0, float("inf")]), r"`values` must hold finite numbers\. Received: values\[1\]=inf"),
    "standardise(values): empty": (lambda n: standardise([]), r"`values` must not be empty"),
    "episode_advantages(rewards, gamma)": (lambda n: episode_advantages([1.0, float("nan")], 0.9), r"Received: rewards\[1\]=nan"),
    "double_dqn_targets(next_q_target)": (lambda n: double_dqn_targets(np.zeros(2), np.zeros(2), np.zeros((2, 4)), np.zeros((2, 3)), 0.9),
                                          r"must both be \(batch, actions\).*next_q_target of shape \(2, 3\)"),
    "double_dqn_targets(gamma)": (lambda n: double_dqn_targets(np.zeros(2), np.zeros(2), np.zeros((2, 4)), np.zeros((2, 4)), -1.0), r"gamma=-1\.0"),
    "PolicyGradient(model)": (lambda n: PolicyGradient(n["main"]), r"`model` must be a policy with one output.*output shape \(None, 4\)"),
    "PolicyGradient(model): not a model": (lambda n: PolicyGradient("policy"), r"`model` must be a Keras model\. Received: model='policy'"),
    "PolicyGradient.gradients(episodes)": (lambda n: n["learner"].gradients([]), r"`episodes` must be a non-empty list .*Received: episodes=\[\]"),
    "PolicyGradient.gradients(episodes): lengths": (lambda n: n["learner"].gradients([(np.zeros((3, 4)), [0, 1], [0.0, 0.0, 0.0])]),
                                                    r"equally long and not empty\. Received: episodes\[0\] of lengths \[3, 2, 3\]"),
    "PolicyGradient.gradients(episodes): actions": (lambda n: n["learner"].gradients([(EPISODE[0], [0, 2, 1], EPISODE[2])]),
                                                    r"`episodes\[0\] actions` must hold actions 0 \.\. 1 \(actions=2\)\. Received: episodes\[0\] actions\[1\]=2"),
    "PolicyGradient.apply(gradients)": (lambda n: n["learner"].apply([np.zeros(3)]), r"`gradients` must be what `gradients\(episodes\)` returned"),
    "soft_update(tau)": (lambda n: soft_update(n["target"], n["main"], 1.5), r"`tau` must be a number in \(0, 1\]\. Received: tau=1\.5"),
    "soft_update(target, main)": (lambda n: soft_update(n["policy"], n["main"], 0.1), r"`target` must be a copy of `main`'s architecture"),
    "DoubleDQN(gamma)": (lambda n: DoubleDQN(n["main"], n["target"], 2.0, 0.1), r"gamma=2\.0"),
    "DoubleDQN(tau)": (lambda n: DoubleDQN(n["main"], n["target"], 0.9, 0.0), r"tau=0\.0"),
    "DoubleDQN(main)": (lambda n: DoubleDQN(q_network((7, 7, 3)), n["target"], 0.9, 0.1), r"`main` must be compiled with its optimizer"),
    "DoubleDQN(target)": (lambda n: DoubleDQN(n["main"], n["policy"], 0.9, 0.1), r"`target` must be a copy of `main`'s architecture"),
    "DoubleDQN(jit_compile)": (lambda n: DoubleDQN(n["main"], n["target"], 0.9, 0.1, jit_compile="yes"), r"jit_compile='yes'"),
    "DoubleDQN.train(batch)": (lambda n: n["dqn"].train({"observations": OBSERVATION[None]}), r"`batch` must be a replay batch .*Received: batch=\['observations'\]"),
    "DoubleDQN.greedy_action(observation)": (lambda n: n["dqn"].greedy_action(np.zeros((84, 84, 3))),
                                             r"`observation` must be one observation of shape \(7, 7, 3\)\. Received: observation of shape \(84, 84, 3\)"),
    "make_env(env_id)": (lambda n: make_env("CartPole-v9"), r"Unknown environment id\. Received: env='CartPole-v9'"),
    "plot_rewards(rewards)": (lambda n: plot_rewards(["a", "b"], "x.png"), r"`rewards` must be a 1-D array of numbers \(one per episode\)"),
    "plot_rewards(window)": (lambda n: plot_rewards([1.0], "x.png", window=0), r"window=0"),
    "cartpole_frame(state)": (lambda n: cartpole_frame([0.0, 0.0, 0.1]), r"`state` must be CartPole's 4 numbers .*shape \(3,\)"),
    "cartpole_frame(width)": (lambda n: cartpole_frame([0.0] * 4, width=0), r"width=0"),
    "play_frames(model)": (lambda n: play_frames("policy", "CartPole-v1"), r"`model` must be a trained Keras policy or Q-network\. Received: model='policy'"),
    "play_frames(episodes)": (lambda n: play_frames(n["policy"], "CartPole-v1", episodes=0), r"episodes=0"),
    "play_frames(max_steps)": (lambda n: play_frames(n["policy"], "CartPole-v1", max_steps=-1), r"max_steps=-1"),
    "play_frames(env_id)": (lambda n: play_frames(n["policy"], "Pong-v0"), r"Received: env='Pong-v0'"),
    "write_gif(frames)": (lambda n: write_gif([], "x.gif"), r"`frames` must be a non-empty list"),
    "write_gif(frames): not RGB": (lambda n: write_gif([np.zeros((4, 4))], "x.gif"), r"`frames\[0\]` must be a 3-D array"),
    "write_gif(fps)": (lambda n: write_gif([np.zeros((4, 4, 3))], "x.gif", fps=0), r"fps=0"),
    "write_gif(stride)": (lambda n: write_gif([np.zeros((4, 4, 3))], "x.gif", stride=0), r"stride=0"),
    "write_play_gif(config)": (lambda n: write_play_gif(n["policy"], {"steps": 3}, "x.gif"), r"`config` must be a reinforcement-learning run's config"),
    "play_run(episodes)": (lambda n: play_run("anywhere", episodes=0), r"episodes=0"),
    "play_run(seed)": (lambda n: play_run("anywhere", seed=-1), r"seed=-1"),
    "CartPoleConfig(gamma)": (lambda n: dataclasses.replace(CARTPOLE, gamma=1.5), r"`gamma` must be a number in \[0, 1\]\. Received: gamma=1\.5"),
    "CartPoleConfig(learning_rate)": (lambda n: dataclasses.replace(CARTPOLE, learning_rate=0.0), r"learning_rate=0\.0"),
    "GridWorldDQNConfig(buffer_size)": (lambda n: dataclasses.replace(GRIDWORLD, buffer_size=16), r"Received: buffer_size=16"),
    "GridWorldDQNConfig(tau)": (lambda n: dataclasses.replace(GRIDWORLD, tau=0.0), r"tau=0\.0"),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_one_line_naming_the_argument_and_the_value(case, nets, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # nothing may be written, but if it were, not into the checkout
    call, message = CASES[case]
    with pytest.raises(ValueError, match=message) as raised:
        call(nets)
    assert len(str(raised.value).splitlines()) == 1, str(raised.value)
    assert not list(tmp_path.iterdir())

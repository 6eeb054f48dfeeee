"""The book's double dueling DQN with experience replay on GridWorld (book 8.3, L5012-5530).

Per step: a random action while fewer than 10,000 steps were taken or with
probability epsilon, else argmax Q_main(s); after the pre-training steps
epsilon falls linearly from 1 to 0.1 over 10,000 steps and every 4th step
trains Q_main on 32 replayed transitions towards the double-DQN target
r + gamma * Q_target(s', argmax_a Q_main(s', a)), then moves Q_target 0.1 %
of the way to Q_main. An episode's transitions join the replay buffer when
it ends (the book's `episodeBuffer`).

Deliberate differences, documented in docs/reinforcement_learning.md: the
buffer stores each observation as its 7 x 7 x 3 grid and upscales the sampled
ones to the identical 84 x 84 x 3 pictures (147 bytes a picture instead of
21,168, so 50,000 transitions fit a checkpoint); training continues after
epsilon reaches 0.1 (the book's printed indentation trains only while
epsilon falls, the code it comes from trains throughout).
"""

import dataclasses
import time

import numpy as np

from kclassics import validation
from kclassics.log import log
from kclassics.optimizers import make_optimizer
from kclassics.programs import Length, Option, Program, register
from kclassics.runs import Run

REPORT_EVERY = 25  # if i % 25 == 0: print(...), L5500
WINDOW = 100
EVAL_EPISODES = 100  # greedy episodes after training, on boards the training never drew


@dataclasses.dataclass(frozen=True)
class GridWorldDQNConfig:
    """The book's DQN hyperparameters.

    Attributes:
        env: the gymnasium id (the GridWorld).
        size: the board's width and height.
        observation: "pixels" (84 x 84 x 3, the book's) or "grid" (7 x 7 x 3, fast; not the book's network).
        batch_size: transitions per training step.
        update_freq: environment steps per training step.
        gamma: discount, in [0, 1].
        start_epsilon, end_epsilon: the exploration probability's ends.
        annealing_steps: steps over which epsilon falls.
        episodes: episodes to play (the book's loop plays num_episodes + 1).
        pre_train_steps: random steps before the network acts or trains.
        max_episode_steps: the episode's length (a TimeLimit).
        learning_rate: Adam's learning rate.
        tau: how far the target network moves towards the main one per training step.
        buffer_size: transitions the replay buffer keeps.
        checkpoint_episodes: a checkpoint (networks, optimizer, buffer, epsilon, counters) every so many episodes.
        seed: seeds the weights, the boards and the actions.
        source: where in the book these values come from.
    """

    env: str = "kclassics/GridWorld-v0"
    size: int = 5  # env = gameEnv(size=5), L5240
    observation: str = "pixels"  # 84 x 84 x 3, L5210-5225
    batch_size: int = 32  # batch_size = 32, L5374
    update_freq: int = 4  # update_freq = 4, L5375
    gamma: float = 0.99  # y = .99, L5376
    start_epsilon: float = 1.0  # startE = 1, L5377
    end_epsilon: float = 0.1  # endE = 0.1, L5378
    annealing_steps: int = 10000  # annealing_steps = 10000., L5379
    episodes: int = 10000  # num_episodes = 10000, L5380
    pre_train_steps: int = 10000  # pre_train_steps = 10000, L5381
    max_episode_steps: int = 50  # max_epLength = 50, L5382
    learning_rate: float = 1e-4  # AdamOptimizer(learning_rate= 0.0001), L5321
    tau: float = 0.001  # tau = 0.001, L5386
    buffer_size: int = 50000  # experience_buffer(buffer_size = 50000), L5330
    checkpoint_episodes: int = 1000  # if i % 1000 == 0: saver.save(...), L5503
    seed: int = 0
    source: str = "book 8.3, L5240-5505"

    def __post_init__(self):
        for field in ("size", "batch_size", "update_freq", "annealing_steps", "episodes", "max_episode_steps",
                      "buffer_size", "checkpoint_episodes"):
            validation.positive_int(field, getattr(self, field))
        validation.non_negative_int("pre_train_steps", self.pre_train_steps)
        validation.fraction("gamma", self.gamma)
        validation.fraction("start_epsilon", self.start_epsilon)
        validation.fraction("end_epsilon", self.end_epsilon)
        validation.fraction("tau", self.tau, low_open=True)
        validation.positive_float("learning_rate", self.learning_rate)
        validation.one_of("observation", self.observation, ("pixels", "grid"))
        validation.seed("seed", self.seed)
        if self.size < 3:
            raise ValueError(f"`size` must be at least 3 (room for the 7 objects). Received: size={self.size}")
        if self.end_epsilon > self.start_epsilon:
            raise ValueError(f"`end_epsilon` must not exceed `start_epsilon`. Received: start_epsilon={self.start_epsilon}, "
                             f"end_epsilon={self.end_epsilon}")
        if self.buffer_size < self.batch_size:
            raise ValueError(f"`buffer_size` must hold at least one batch of {self.batch_size} transitions. "
                             f"Received: buffer_size={self.buffer_size}")
        if self.observation == "pixels" and self.size != 5:
            raise ValueError(f"The book's network sees the 84 x 84 picture of a 5 x 5 board only (its 7 x 7 cells are 12 "
                             f"pixels each); use observation='grid' for other sizes. Received: size={self.size}")


GRIDWORLD_DQN = GridWorldDQNConfig()


def make_gridworld(config):
    """The GridWorld with the compact grid observation (what the replay buffer stores), after checking the id."""
    from kclassics.rl import ENV_ID
    from kclassics.rl.play import make_env

    if config.env != ENV_ID:
        make_env(config.env).close()  # an unknown id fails here with the registered ones listed
        raise ValueError(f"gridworld_dqn trains on {ENV_ID} only (the book's game). Received: env={config.env!r}")
    return make_env(ENV_ID, size=config.size, observation="grid", max_episode_steps=config.max_episode_steps)


class Timer:
    """Seconds spent per part of the loop."""

    def __init__(self, parts):
        self.seconds = dict.fromkeys(parts, 0.0)

    def add(self, part, start):
        now = time.perf_counter()
        self.seconds[part] += now - start
        return now


def train_gridworld(config, program, out=None, resume=False, data_dir=None, callbacks=(), verbose="auto",
                    eval_episodes=EVAL_EPISODES):
    """Trains the book's double dueling DQN on GridWorld and writes a run directory.

    Returns:
        A `RunResult` whose metrics hold `last100_mean_reward` (the mean
        reward of the last 100 training episodes, the book's figure),
        `greedy_mean_reward` (`eval_episodes` episodes acting by argmax Q), the counters and
        the time per part of the loop (`env_steps_per_second`,
        `train_steps_per_second`, `seconds`).
    """
    import keras

    from kclassics.rl import ReplayBuffer, q_network, upscale
    from kclassics.rl.agents import DoubleDQN
    from kclassics.rl.play import plot_rewards, write_play_gif

    if data_dir is not None:
        raise ValueError(f"gridworld_dqn plays its environment and reads no data. Received: data_dir={data_dir!r}")
    env = make_gridworld(config)
    run = Run.open(out, program, config, resume, checkpoint_steps=config.checkpoint_episodes)
    keras.utils.set_random_seed(config.seed)
    pixels = config.observation == "pixels"
    to_input = upscale if pixels else (lambda grid: grid)
    input_shape = (84, 84, 3) if pixels else env.observation_space.shape
    main, target = q_network(input_shape, env.action_space.n, name="main_q"), q_network(input_shape, env.action_space.n, name="target_q")
    main.compile(optimizer=program.optimizer(config))
    main.optimizer.build(main.trainable_variables)
    agent = DoubleDQN(main, target, config.gamma, config.tau)
    buffer = ReplayBuffer(config.buffer_size, env.observation_space.shape)

    state = run.restore(main)
    if state:
        buffer.load_state(state)
        for i, weight in enumerate(target.weights):
            weight.assign(state[f"target_{i}"])
    else:
        from kclassics.rl.agents import soft_update

        soft_update(target, main, config.tau)  # updateTarget(targetOps, sess) before the first episode, L5436
    episode = run.step
    epsilon = float(state.get("epsilon", config.start_epsilon))
    total_steps, train_steps = int(state.get("total_steps", 0)), int(state.get("train_steps", 0))
    drop = (config.start_epsilon - config.end_epsilon) / config.annealing_steps  # stepDrop, L5398
    rewards = [value for _, value in run.history.get("reward", [])]
    timer = Timer(("env", "act", "replay", "train", "other"))
    losses = []
    run.start_training()
    tick = time.perf_counter()
    while episode < config.episodes:
        episode += 1
        rng = np.random.default_rng([config.seed, episode])
        observation, _ = env.reset(seed=int(rng.integers(2**31)))
        transitions, total, done = [], 0.0, False
        while not done:
            if rng.random() < epsilon or total_steps < config.pre_train_steps:  # L5453
                action = int(rng.integers(env.action_space.n))
            else:
                tick = timer.add("other", tick)
                action = agent.greedy_action(to_input(observation))
                tick = timer.add("act", tick)
            next_observation, reward, terminated, truncated, _ = env.step(action)
            tick = timer.add("env", tick)
            total_steps += 1
            transitions.append((observation, action, reward, next_observation, terminated))
            if total_steps > config.pre_train_steps:
                if epsilon > config.end_epsilon:
                    epsilon = max(config.end_epsilon, epsilon - drop)
                if total_steps % config.update_freq == 0 and len(buffer) >= config.batch_size:
                    batch = buffer.sample(config.batch_size, rng)
                    batch["observations"] = to_input(batch["observations"])
                    batch["next_observations"] = to_input(batch["next_observations"])
                    tick = timer.add("replay", tick)
                    losses.append(agent.train(batch))
                    train_steps += 1
                    tick = timer.add("train", tick)
            total += reward
            observation = next_observation
            done = terminated or truncated
        for transition in transitions:  # myBuffer.add(episodeBuffer.buffer), L5496
            buffer.add(*transition)
        rewards.append(total)
        run.record(episode, reward=total)
        if episode % REPORT_EVERY == 0:
            recent = float(np.mean(rewards[-REPORT_EVERY:]))
            if losses:
                run.record(episode, loss=float(np.mean(losses)))
            if verbose:
                log(f"episode {episode}, average reward of last {REPORT_EVERY} episodes {recent:.2f}, epsilon "
                    f"{epsilon:.3f}, {total_steps} steps, {train_steps} training steps")
            losses = []
        if run.due(episode) or episode == config.episodes:
            run.checkpoint(episode, main, **buffer.state(),
                           **{f"target_{i}": keras.ops.convert_to_numpy(w) for i, w in enumerate(target.weights)},
                           epsilon=epsilon, total_steps=total_steps, train_steps=train_steps)
        tick = timer.add("other", tick)
    env.close()

    greedy = evaluate(agent, config, to_input, eval_episodes)
    seconds = {part: round(value, 2) for part, value in timer.seconds.items()}
    loop = sum(timer.seconds.values())
    acted = total_steps - int(state.get("total_steps", 0))
    trained = train_steps - int(state.get("train_steps", 0))
    metrics = {
        "last100_mean_reward": float(np.mean(rewards[-WINDOW:])) if rewards else None,
        "greedy_mean_reward": greedy,
        "episodes": episode,
        "env_steps": total_steps,
        "train_steps": train_steps,
        "epsilon": epsilon,
        "env_steps_per_second": round(acted / loop, 1) if loop else None,
        "train_steps_per_second": round(trained / timer.seconds["train"], 2) if timer.seconds["train"] else None,
        "seconds": seconds,
    }
    references = [("book's end ~22", 22.0), ("random ~2", 2.0)]
    result = run.finish(main, metrics, task=program.task, step=episode, input_name="observations",
                        curves=lambda path: plot_rewards(rewards, path, title="double dueling DQN on GridWorld",
                                                         references=references))
    _, played = write_play_gif(main, dataclasses.asdict(config), run.path / "play.gif", seed=config.seed)
    log(f"play.gif: greedy rewards {played}")
    return result


def evaluate(agent, config, to_input, episodes=WINDOW):
    """Mean reward of `episodes` greedy episodes on boards the training never drew (seeds from 2**31 up)."""
    env = make_gridworld(config)
    totals = []
    for i in range(episodes):
        observation, _ = env.reset(seed=2**31 + config.seed * episodes + i)
        total, done = 0.0, False
        while not done:
            observation, reward, terminated, truncated, _ = env.step(agent.greedy_action(to_input(observation)))
            total += reward
            done = terminated or truncated
        totals.append(total)
    env.close()
    return float(np.mean(totals))


register(Program(
    "gridworld_dqn", GRIDWORLD_DQN, f"{__name__}:train_gridworld",
    "Double dueling DQN with experience replay on the 5x5 GridWorld, 84x84 pixels (8.3)",
    summary="mean reward of the last 100 episodes {last100_mean_reward:.2f} (greedy {greedy_mean_reward:.2f}); "
    "{episodes} episodes, {env_steps} steps, {train_seconds:.1f} s",
    length=Length("episodes", "episodes"),
    options=(Option("gamma", float, "discount of future rewards, in [0, 1]", validation.fraction),
             Option("buffer_size", int, "transitions the replay buffer keeps", validation.positive_int)),
    optimizer=lambda config: make_optimizer("adam", config.learning_rate),
    task="policy", tensorboard=False, files=("play.gif",),
))

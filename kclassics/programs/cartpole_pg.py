"""The book's policy network on CartPole (book 8.2, L4726-5010), on gymnasium's CartPole-v1.

Each episode samples actions from P(action 1) = sigmoid(relu(s W1) W2); its
discounted returns (gamma 0.99), standardised, weight the log-likelihood of
the actions taken; the gradients of 25 episodes are summed and applied in one
Adam(0.1) step. The book stops when a batch of 25 averages more than 200
reward. CartPole-v0 (the book's) ends an episode at 200 steps, so 200 is its
ceiling; v1 allows 500 and calls the task solved at a 100-episode mean of
475, which this program reports too (and `until="475"` trains until then).
"""

import dataclasses

import numpy as np

from kclassics import validation
from kclassics.log import log
from kclassics.optimizers import make_optimizer
from kclassics.programs import Length, Option, Program, register
from kclassics.runs import Run

UNTIL = ("book", "475", "episodes")
V1_THRESHOLD = 475.0  # CartPole-v1's reward_threshold, over 100 consecutive episodes
WINDOW = 100


@dataclasses.dataclass(frozen=True)
class CartPoleConfig:
    """The book's policy-gradient hyperparameters.

    Attributes:
        env: a gymnasium id with 4 observations and 2 actions.
        hidden_units: width of the hidden ReLU layer.
        batch_size: episodes whose summed gradients make one update.
        learning_rate: Adam's learning rate.
        gamma: discount of future rewards, in [0, 1].
        episodes: the most episodes to play.
        solved_reward: the book's criterion: a batch averaging more than this.
        until: "book" stops at the book's criterion, "475" at a 100-episode
            mean >= 475 (CartPole-v1 solved), "episodes" plays them all.
        seed: seeds the weights, the environment and the actions.
        source: where in the book these values come from.
    """

    env: str = "CartPole-v1"  # gym.make('CartPole-v0'), L4774: v0 ends at 200 steps, v1 at 500
    hidden_units: int = 50  # H = 50, L4817
    batch_size: int = 25  # batch_size = 25, L4818
    learning_rate: float = 0.1  # learning_rate = 1e-1, L4822
    gamma: float = 0.99  # gamma = 0.99, L4824
    episodes: int = 10000  # total_episodes = 10000, L4888
    solved_reward: float = 200.0  # if reward_sum/batch_size > 200, L4985
    until: str = "book"
    seed: int = 0
    source: str = "book 8.2, L4817-4990"

    def __post_init__(self):
        for field in ("hidden_units", "batch_size", "episodes"):
            validation.positive_int(field, getattr(self, field))
        validation.positive_float("learning_rate", self.learning_rate)
        validation.fraction("gamma", self.gamma)
        validation.non_negative_float("solved_reward", self.solved_reward)
        validation.one_of("until", self.until, UNTIL)
        validation.seed("seed", self.seed)
        if not isinstance(self.env, str):
            raise ValueError(f"`env` must be a gymnasium environment id. Received: env={self.env!r}")


CARTPOLE_PG = CartPoleConfig()


def make_cartpole(env_id):
    """The environment, checked to have 4 continuous observations and 2 actions (the policy's shape)."""
    import gymnasium

    from kclassics.rl.play import make_env

    env = make_env(env_id)
    box, discrete = env.observation_space, env.action_space
    if not (isinstance(box, gymnasium.spaces.Box) and box.shape == (4,) and isinstance(discrete, gymnasium.spaces.Discrete)
            and discrete.n == 2):
        env.close()
        raise ValueError(f"cartpole_pg's policy takes 4 observations and chooses between 2 actions; {env_id} has "
                         f"{box} and {discrete}. Received: env={env_id!r}")
    return env


def play_episode(env, forward, rng):
    """One episode with actions sampled from the policy: (observations, actions, rewards)."""
    observation, _ = env.reset(seed=int(rng.integers(2**31)))
    observations, actions, rewards = [], [], []
    done = False
    while not done:
        action = 1 if rng.uniform() < forward(observation) else 0  # L4925
        observations.append(observation)
        actions.append(action)
        observation, reward, terminated, truncated, _ = env.step(action)
        rewards.append(reward)
        done = terminated or truncated
    return np.asarray(observations, np.float32), np.asarray(actions, np.int32), np.asarray(rewards, np.float64)


def train_cartpole(config, program, out=None, resume=False, data_dir=None, callbacks=(), verbose="auto"):
    """Trains the book's policy network and writes a run directory.

    Returns:
        A `RunResult` whose metrics hold `book_criterion_episode` (the episode
        whose batch first averaged more than `solved_reward`, None if none),
        `mean100_475_episode` (the first episode at which the last 100 averaged
        >= 475, None if none), `final_mean100`, `episodes` and `env_steps`.
    """
    import keras

    from kclassics.rl import episode_advantages, policy_network
    from kclassics.rl.agents import PolicyGradient
    from kclassics.rl.play import plot_rewards, write_play_gif

    if data_dir is not None:
        raise ValueError(f"cartpole_pg plays its environment and reads no data. Received: data_dir={data_dir!r}")
    env = make_cartpole(config.env)
    run = Run.open(out, program, config, resume, checkpoint_steps=config.batch_size)
    keras.utils.set_random_seed(config.seed)
    model = policy_network(env.observation_space.shape[0], config.hidden_units)
    model.compile(optimizer=program.optimizer(config))
    learner = PolicyGradient(model)
    model.optimizer.build(model.trainable_variables)
    state = run.restore(model)
    episode, env_steps = run.step, int(state.get("env_steps", 0))
    book_episode, solved_episode = state.get("book_criterion_episode"), state.get("mean100_475_episode")
    rewards = [value for _, value in run.history.get("reward", [])]
    done = _stopped(config, book_episode, solved_episode)
    forward = learner.numpy_forward()
    batch = []
    run.start_training()
    while not done and episode < config.episodes:
        episode += 1
        observations, actions, episode_rewards = play_episode(env, forward, np.random.default_rng([config.seed, episode]))
        batch.append((observations, actions, episode_advantages(episode_rewards, config.gamma)))
        env_steps += len(actions)
        rewards.append(float(episode_rewards.sum()))
        run.record(episode, reward=rewards[-1])
        if solved_episode is None and len(rewards) >= WINDOW and np.mean(rewards[-WINDOW:]) >= V1_THRESHOLD:
            solved_episode = episode
            log(f"100-episode mean reward {np.mean(rewards[-WINDOW:]):.1f} >= 475 at episode {episode}.")
        if episode % config.batch_size and episode < config.episodes:
            continue
        learner.apply(learner.gradients(batch))  # the batch's summed gradients, one step (L4975-4977)
        batch = []
        forward = learner.numpy_forward()
        average = float(np.mean(rewards[-config.batch_size:]))
        run.record(episode, batch_average=average)
        if verbose:
            log("Average reward for episode %d : %f." % (episode, average))  # L4981
        if book_episode is None and average > config.solved_reward:
            book_episode = episode
            log(f"Task solved in {episode} episodes!")
        done = _stopped(config, book_episode, solved_episode)
        if run.due(episode) or done or episode == config.episodes:
            run.checkpoint(episode, model, env_steps=env_steps, book_criterion_episode=book_episode,
                           mean100_475_episode=solved_episode)
    env.close()
    metrics = {
        "book_criterion_episode": book_episode,
        "mean100_475_episode": solved_episode,
        "final_mean100": float(np.mean(rewards[-WINDOW:])) if rewards else None,
        "episodes": episode,
        "env_steps": env_steps,
    }
    references = [("book's criterion 200", config.solved_reward), ("v1 solved 475", V1_THRESHOLD)]
    result = run.finish(model, metrics, task=program.task, step=episode, input_name="observations", values="probabilities",
                        curves=lambda path: plot_rewards(rewards, path, title=f"policy gradient on {config.env}",
                                                         references=references))
    _, played = write_play_gif(model, dataclasses.asdict(config), run.path / "play.gif", seed=config.seed)
    log(f"play.gif: greedy rewards {played}")
    return result


def _stopped(config, book_episode, solved_episode):
    return (config.until == "book" and book_episode is not None) or (config.until == "475" and solved_episode is not None)


register(Program(
    "cartpole_pg", CARTPOLE_PG, f"{__name__}:train_cartpole",
    "Policy gradient on CartPole-v1: 4-50-1 policy, 25 episodes a batch, Adam 0.1 (8.2)",
    summary="episode reaching the book's criterion (a batch averaging over 200): {book_criterion_episode}; reaching a "
    "100-episode mean >= 475: {mean100_475_episode}; {episodes} episodes, {env_steps} steps, {train_seconds:.1f} s",
    length=Length("episodes", "episodes"),
    options=(Option("gamma", float, "discount of future rewards, in [0, 1]", validation.fraction),
             Option("env", str, "gymnasium environment id with 4 observations and 2 actions")),
    optimizer=lambda config: make_optimizer("adam", config.learning_rate),
    task="policy", tensorboard=False, files=("play.gif",),
))

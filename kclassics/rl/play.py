"""What people look at: the reward curve with its running mean, and a GIF of the trained agent playing."""

from pathlib import Path

import gymnasium
import numpy as np

from kclassics import validation
from kclassics.rl.gridworld import ENV_ID, upscale

GIF_EPISODES = 3


def make_env(env_id, **kwargs):
    """`gymnasium.make(env_id, **kwargs)`, with a one-line error for an id gymnasium does not know."""
    if not isinstance(env_id, str) or env_id not in gymnasium.registry:
        known = sorted(k for k in gymnasium.registry if k.startswith(("CartPole", "kclassics/")))
        raise ValueError(f"Unknown environment id. Received: env={env_id!r}; registered ones include {', '.join(known)}.")
    return gymnasium.make(env_id, **kwargs)


def plot_rewards(rewards, path, window=100, title="reward per episode", references=()):
    """`rewards` per episode and their running mean over `window` episodes as a PNG; `references`: (label, y) lines."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    rewards = validation.array("rewards", rewards, ndim=1, what="numbers (one per episode)", allow_empty=True).astype(np.float64)
    validation.positive_int("window", window)
    episodes = np.arange(1, len(rewards) + 1)
    fig, ax = plt.subplots(figsize=(7, 3.8))
    ax.plot(episodes, rewards, lw=0.6, alpha=0.35, color="tab:blue", label="episode")
    if len(rewards):
        cumulative = np.cumsum(np.insert(rewards, 0, 0.0))
        counts = np.minimum(episodes, window)
        ax.plot(episodes, (cumulative[episodes] - cumulative[episodes - counts]) / counts, color="tab:blue",
                label=f"mean of the last {window}")
    for label, y in references:
        ax.axhline(y, ls="--", lw=0.8, color="gray")
        ax.annotate(label, (1, y), xycoords=("axes fraction", "data"), ha="right", va="bottom", fontsize=8, color="gray")
    ax.set_xlabel("episode")
    ax.set_ylabel("reward")
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def cartpole_frame(state, width=300, height=200):
    """A picture of CartPole's state (x, x_dot, theta, theta_dot), drawn with Pillow (gymnasium's needs pygame)."""
    from PIL import Image, ImageDraw

    state = validation.array("state", state, ndim=1, what="numbers (x, x_dot, theta, theta_dot)")
    if state.shape != (4,):
        raise ValueError(f"`state` must be CartPole's 4 numbers (x, x_dot, theta, theta_dot). Received: state={validation.describe(state)}")
    validation.positive_int("width", width)
    validation.positive_int("height", height)
    x, _, theta, _ = (float(v) for v in state)
    scale = width / 4.8  # the track spans x in [-2.4, 2.4]
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    ground = height * 0.7
    draw.line([(0, ground), (width, ground)], fill="black")
    cx = width / 2 + x * scale
    draw.rectangle([cx - 25, ground - 15, cx + 25, ground + 15], fill="black")
    pole = scale * 1.0  # the pole is 2 * 0.5 long
    tip = (cx + pole * np.sin(theta), ground - 15 - pole * np.cos(theta))
    draw.line([(cx, ground - 15), tip], fill=(202, 152, 101), width=8)
    draw.ellipse([cx - 4, ground - 19, cx + 4, ground - 11], fill=(129, 132, 203))
    return np.asarray(image)


def play_frames(model, env_id, episodes=GIF_EPISODES, seed=0, max_steps=None, **env_kwargs):
    """Frames and rewards of `episodes` greedy episodes of a trained policy or Q-network.

    A network with one output is the policy (P(action 1) > 0.5 pushes
    right); one with several outputs is a Q-network (argmax). GridWorld
    frames are the 84 x 84 picture enlarged 3 times.
    """
    import keras
    import tensorflow as tf

    if not isinstance(model, keras.Model):
        raise ValueError(f"`model` must be a trained Keras policy or Q-network. Received: model={validation.describe(model)}")
    validation.positive_int("episodes", episodes)
    validation.seed("seed", seed)
    validation.positive_int("max_steps", max_steps, allow_none=True)
    env = make_env(env_id, **env_kwargs)
    forward = tf.function(lambda x: model(x, training=False))  # one trace instead of an eager call a step
    frames, totals = [], []
    for episode in range(episodes):
        observation, _ = env.reset(seed=seed + episode)
        total, steps, done = 0.0, 0, False
        while not done and (max_steps is None or steps < max_steps):
            frames.append(_frame(env, env_id))
            output = forward(np.asarray(observation, np.float32)[None]).numpy()[0]
            action = int(output[0] > 0.5) if output.shape[-1] == 1 else int(np.argmax(output))
            observation, reward, terminated, truncated, _ = env.step(action)
            total += reward
            steps += 1
            done = terminated or truncated
        frames.append(_frame(env, env_id))
        totals.append(total)
    return frames, totals


def _frame(env, env_id):
    if env_id == ENV_ID:
        return upscale(env.unwrapped.grid(), pixels=252)
    return cartpole_frame(env.unwrapped.state)


# Every colour the frames use: black, white, the GridWorld's red, green and blue, the cart's pole and axle.
PALETTE = ((0, 0, 0), (255, 255, 255), (255, 0, 0), (0, 255, 0), (0, 0, 255), (202, 152, 101), (129, 132, 203))


def write_gif(frames, path, fps=10, stride=1):
    """An animated GIF of `frames` (every `stride`-th), looping, with Pillow, in the fixed `PALETTE`."""
    from PIL import Image

    if isinstance(frames, (str, bytes)) or not hasattr(frames, "__len__") or not len(frames):
        raise ValueError(f"`frames` must be a non-empty list of (height, width, 3) pictures. Received: frames={validation.describe(frames)}")
    first = validation.array("frames[0]", frames[0], ndim=3, what="numbers (height, width, 3)")
    if first.shape[-1] != 3:
        raise ValueError(f"`frames` must be RGB pictures (height, width, 3). Received: frames[0]={validation.describe(first)}")
    validation.positive_float("fps", fps)
    validation.positive_int("stride", stride)
    palette = Image.new("P", (1, 1))
    palette.putpalette([c for colour in PALETTE for c in colour] + [0] * 3 * (256 - len(PALETTE)))
    images = [Image.fromarray(np.asarray(f, np.uint8)).quantize(palette=palette, dither=Image.Dither.NONE)
              for f in frames[::stride]]
    images[0].save(path, save_all=True, append_images=images[1:], duration=int(1000 / fps), loop=0)
    return Path(path)


def write_play_gif(model, config, path, episodes=GIF_EPISODES, seed=0):
    """`play.gif` of a run: greedy episodes on the run's environment; returns (path, rewards)."""
    if not hasattr(config, "keys") or "env" not in config:
        raise ValueError(f"`config` must be a reinforcement-learning run's config (naming its env). Received: config={validation.describe(config)}")
    env_id = config["env"]
    kwargs = {k: config[k] for k in ("size", "observation") if k in config} if env_id == ENV_ID else {}
    frames, totals = play_frames(model, env_id, episodes, seed, **kwargs)
    fps, stride = (4, 1) if env_id == ENV_ID else (25, 2)
    return write_gif(frames, path, fps=fps, stride=stride), totals


def play_run(run, episodes=GIF_EPISODES, seed=0, out=None):
    """Writes `play.gif` again for a finished cartpole_pg or gridworld_dqn run (a path or a `kclassics.runs.RunDir`)."""
    import kclassics.rl  # noqa: F401  (registers the GridWorld and DuelingHead)
    from kclassics.runs import RunDir

    validation.positive_int("episodes", episodes)
    validation.seed("seed", seed)
    run = run if isinstance(run, RunDir) else RunDir(run)
    if "env" not in run.config:
        raise ValueError(f"{run.path} is not a reinforcement-learning run (its config names no env). "
                         f"Received: RUN_DIR={str(run.path)!r}")
    return write_play_gif(run.model(), run.config, Path(out) if out else run.path / "play.gif", episodes, seed)

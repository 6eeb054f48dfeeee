"""Deep reinforcement learning (book chapter 8): the GridWorld game, replay, the networks and their updates.

Importing this package registers `kclassics/GridWorld-v0` with gymnasium:

    import gymnasium, kclassics.rl
    env = gymnasium.make("kclassics/GridWorld-v0", size=5)   # 84 x 84 x 3 pictures, 50 steps an episode
"""

from kclassics import _backend

_backend.require_tensorflow("kclassics.rl")

from kclassics.rl.gridworld import ENV_ID, GridWorldEnv, oracle_action, register, upscale  # noqa: E402
from kclassics.rl.networks import DuelingHead, policy_network, q_network  # noqa: E402
from kclassics.rl.replay import ReplayBuffer  # noqa: E402
from kclassics.rl.returns import discount_rewards, double_dqn_targets, episode_advantages, standardise  # noqa: E402

register()

__all__ = [
    "ENV_ID", "GridWorldEnv", "oracle_action", "upscale", "DuelingHead", "policy_network", "q_network", "ReplayBuffer",
    "discount_rewards", "double_dqn_targets", "episode_advantages", "standardise",
]

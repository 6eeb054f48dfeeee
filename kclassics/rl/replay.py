"""Experience replay (book 8.3, L5329-5345) as a numpy ring buffer of uint8 observations."""

import numpy as np

_FIELDS = ("observations", "actions", "rewards", "next_observations", "terminated")


class ReplayBuffer:
    """The newest `capacity` transitions `(s, a, r, s', terminated)`; a full buffer overwrites its oldest.

    Observations are stored in their own dtype (uint8 pictures take one byte
    a pixel); `sample` draws distinct transitions uniformly, as the book's
    `random.sample`. `state()` and `load_state()` carry the contents and the
    write position through a checkpoint.
    """

    def __init__(self, capacity, observation_shape, observation_dtype=np.uint8):
        if isinstance(capacity, bool) or not isinstance(capacity, (int, np.integer)) or capacity < 1:
            raise ValueError(f"`capacity` must be a positive integer. Received: capacity={capacity!r}")
        self.capacity = int(capacity)
        shape = (self.capacity, *observation_shape)
        self.observations = np.zeros(shape, observation_dtype)
        self.next_observations = np.zeros(shape, observation_dtype)
        self.actions = np.zeros(self.capacity, np.int32)
        self.rewards = np.zeros(self.capacity, np.float32)
        self.terminated = np.zeros(self.capacity, np.float32)
        self.position = 0  # where the next transition goes
        self.size = 0

    def __len__(self):
        return self.size

    def add(self, observation, action, reward, next_observation, terminated=False):
        """Stores one transition in place of the oldest when full."""
        i = self.position
        self.observations[i] = observation
        self.actions[i] = action
        self.rewards[i] = reward
        self.next_observations[i] = next_observation
        self.terminated[i] = terminated
        self.position = (i + 1) % self.capacity
        self.size = min(self.size + 1, self.capacity)

    def sample(self, batch_size, rng):
        """`batch_size` distinct transitions drawn uniformly with `rng` (a numpy Generator), as a dict of arrays."""
        if batch_size > self.size:
            raise ValueError(f"Cannot sample {batch_size} transitions from a buffer holding {self.size}.")
        index = rng.choice(self.size, batch_size, replace=False)
        return {name: getattr(self, name)[index] for name in _FIELDS}

    def state(self):
        """The contents and position as arrays, for `Run.checkpoint` (only the filled part)."""
        return {**{f"replay_{name}": getattr(self, name)[: self.size] for name in _FIELDS},
                "replay_position": np.array(self.position), "replay_capacity": np.array(self.capacity)}

    def load_state(self, state):
        """Restores what `state()` returned."""
        if int(state["replay_capacity"]) != self.capacity:
            raise ValueError(f"The saved buffer holds {int(state['replay_capacity'])} transitions, this one {self.capacity}.")
        size = len(state["replay_actions"])
        for name in _FIELDS:
            getattr(self, name)[:size] = state[f"replay_{name}"]
        self.size = size
        self.position = int(state["replay_position"])

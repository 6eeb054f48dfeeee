"""Experience replay (book 8.3, L5329-5345) as a numpy ring buffer of uint8 observations."""

import math

import numpy as np

from kclassics import validation

_FIELDS = ("observations", "actions", "rewards", "next_observations", "terminated")


class ReplayBuffer:
    """The newest `capacity` transitions `(s, a, r, s', terminated)`; a full buffer overwrites its oldest.

    Observations are stored in their own dtype (uint8 pictures take one byte
    a pixel); `sample` draws distinct transitions uniformly, as the book's
    `random.sample`. `state()` and `load_state()` carry the contents and the
    write position through a checkpoint.
    """

    def __init__(self, capacity, observation_shape, observation_dtype=np.uint8):
        self.capacity = int(validation.positive_int("capacity", capacity))
        self.observation_shape = validation.shape("observation_shape", observation_shape)
        shape = (self.capacity, *self.observation_shape)
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
        for name, value in (("observation", observation), ("next_observation", next_observation)):
            if np.shape(value) != self.observation_shape:
                raise ValueError(f"`{name}` must have the buffer's observation shape {self.observation_shape}. "
                                 f"Received: {name} of shape {np.shape(value)}")
        validation.non_negative_int("action", action)
        if isinstance(reward, bool) or not isinstance(reward, (int, float, np.number)) or not math.isfinite(reward):
            raise ValueError(f"`reward` must be a finite number. Received: reward={reward!r}")
        if terminated not in (True, False):
            raise ValueError(f"`terminated` must be True or False. Received: terminated={terminated!r}")
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
        validation.positive_int("batch_size", batch_size)
        if not isinstance(rng, np.random.Generator):
            raise ValueError(f"`rng` must be a numpy Generator (np.random.default_rng(seed)). Received: rng={validation.describe(rng)}")
        if batch_size > self.size:
            raise ValueError(f"Cannot sample {batch_size} transitions from a buffer holding {self.size}. Received: batch_size={batch_size}")
        index = rng.choice(self.size, batch_size, replace=False)
        return {name: getattr(self, name)[index] for name in _FIELDS}

    def state(self):
        """The contents and position as arrays, for `Run.checkpoint` (only the filled part)."""
        return {**{f"replay_{name}": getattr(self, name)[: self.size] for name in _FIELDS},
                "replay_position": np.array(self.position), "replay_capacity": np.array(self.capacity)}

    def load_state(self, state):
        """Restores what `state()` returned."""
        missing = [key for key in (*(f"replay_{name}" for name in _FIELDS), "replay_position", "replay_capacity")
                   if not hasattr(state, "keys") or key not in state]
        if missing:
            raise ValueError(f"`state` must be what `ReplayBuffer.state()` returned; it lacks {', '.join(missing)}. "
                             f"Received: state={validation.describe(state)}")
        if int(state["replay_capacity"]) != self.capacity:
            raise ValueError(f"The saved buffer holds {int(state['replay_capacity'])} transitions, this one {self.capacity}. "
                             f"Received: replay_capacity={int(state['replay_capacity'])}")
        size = len(state["replay_actions"])
        for name in _FIELDS:
            getattr(self, name)[:size] = state[f"replay_{name}"]
        self.size = size
        self.position = int(state["replay_position"])

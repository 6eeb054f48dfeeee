"""The book's GridWorld game (book 8.3, L5090-5240) as a gymnasium environment.

A `size` x `size` board holds one hero, four goals (+1) and two fires (-1).
The hero moves up, down, left or right (actions 0-3); a move off the board
leaves it where it is. Touching a goal or a fire scores its reward, and that
object reappears at a random free cell. The game never ends by itself:
`gymnasium.make("kclassics/GridWorld-v0")` truncates it after 50 steps, the
book's `max_epLength`.

The observation is the book's picture: the board inside a one-cell white
border, hero blue, goals green, fires red, on black, each channel 0 or 255,
upscaled by nearest neighbour to 84 x 84 x 3 uint8 (a 5 x 5 board becomes
7 x 7 cells of 12 x 12 pixels). `observation="grid"` returns the
(size + 2) x (size + 2) x 3 picture itself, for fast experiments.
"""

import itertools

import gymnasium
import numpy as np
from gymnasium import spaces

from kclassics import validation

ENV_ID = "kclassics/GridWorld-v0"
MAX_EPISODE_STEPS = 50  # max_epLength = 50, L5382
PIXELS = 84  # scipy.misc.imresize(..., [84, 84, 1], interp='nearest'), L5210-5225
OBSERVATIONS = ("pixels", "grid")

HERO, GOAL, FIRE = "hero", "goal", "fire"
# name -> (RGB channel, reward), gameOb(coordinates, 1, 1, channel, reward, name), L5112-5130
OBJECTS = {HERO: (2, 0.0), GOAL: (1, 1.0), FIRE: (0, -1.0)}
LAYOUT = (HERO, GOAL, FIRE, GOAL, FIRE, GOAL, GOAL)  # the book's order of creation, L5112-5130
# action -> (dx, dy): 0 up, 1 down, 2 left, 3 right, moveChar, L5138-5160
MOVES = ((0, -1), (0, 1), (-1, 0), (1, 0))


def upscale(grid, pixels=PIXELS):
    """Nearest-neighbour resize of a square (n, n, 3) picture (or a batch of them) to `pixels` x `pixels`.

    Output pixel i takes input cell floor((i + 0.5) * n / pixels), PIL's
    nearest rule that the book's `scipy.misc.imresize` used; for n = 7 and
    84 pixels every cell becomes a 12 x 12 block.
    """
    grid = validation.array("grid", grid, what="pictures (..., n, n, 3)", kinds="fiub")
    validation.positive_int("pixels", pixels)
    if grid.ndim < 3 or grid.shape[-3] != grid.shape[-2]:
        raise ValueError(f"`grid` must be a square picture (n, n, channels) or a batch of them. Received: grid={validation.describe(grid)}")
    n = grid.shape[-2]
    index = ((np.arange(pixels) + 0.5) * n / pixels).astype(np.intp)
    return grid[..., index, :, :][..., index, :]


class GridWorldEnv(gymnasium.Env):
    """The book's `gameEnv`, on gymnasium's API: `reset(seed=)` -> (obs, info); `step` -> five values.

    Args:
        size: the board's width and height (the book: 5).
        observation: "pixels" (84 x 84 x 3, the book's) or "grid" ((size + 2)^2 x 3).
        render_mode: None or "rgb_array" (the 84 x 84 x 3 picture).
    """

    metadata = {"render_modes": ["rgb_array"], "render_fps": 4}

    def __init__(self, size=5, observation="pixels", render_mode=None):
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 3:
            raise ValueError(f"`size` must be an integer >= 3 (room for the 7 objects). Received: size={size!r}")
        if observation not in OBSERVATIONS:
            raise ValueError(f"`observation` must be one of {', '.join(OBSERVATIONS)}. Received: observation={observation!r}")
        if render_mode not in (None, *self.metadata["render_modes"]):
            raise ValueError(f"`render_mode` must be None or 'rgb_array'. Received: render_mode={render_mode!r}")
        self.size = int(size)
        self.observation = observation
        self.render_mode = render_mode
        side = PIXELS if observation == "pixels" else self.size + 2
        self.observation_space = spaces.Box(0, 255, (side, side, 3), np.uint8)
        self.action_space = spaces.Discrete(len(MOVES))
        self.objects = []  # [name, x, y]; the hero first

    # -- the book's rules --------------------------------------------------------------------

    def _new_position(self):
        """A random cell no object occupies (newPosition, L5163-5175)."""
        taken = {(x, y) for _, x, y in self.objects}
        free = [p for p in itertools.product(range(self.size), range(self.size)) if p not in taken]
        return free[int(self.np_random.integers(len(free)))]

    def _check_goal(self):
        """The reward of the object the hero touches, which reappears elsewhere (checkGoal, L5182-5200)."""
        _, hx, hy = self.objects[0]
        for other in self.objects[1:]:
            name, x, y = other
            if (x, y) == (hx, hy):
                self.objects.remove(other)
                self.objects.append([name, *self._new_position()])
                return OBJECTS[name][1]
        return 0.0

    def grid(self):
        """The board in its white border as (size + 2, size + 2, 3) uint8, each channel 0 or 255 (renderEnv, L5210-5225)."""
        picture = np.full((self.size + 2, self.size + 2, 3), 255, np.uint8)
        picture[1:-1, 1:-1] = 0
        for name, x, y in self.objects:
            picture[y + 1, x + 1, OBJECTS[name][0]] = 255
        return picture

    def _observation(self):
        grid = self.grid()
        return upscale(grid) if self.observation == "pixels" else grid

    # -- gymnasium's API ---------------------------------------------------------------------

    def reset(self, *, seed=None, options=None):
        if seed is not None:
            validation.seed("seed", seed)
        super().reset(seed=seed)
        self.objects = []
        for name in LAYOUT:
            self.objects.append([name, *self._new_position()])
        return self._observation(), {}

    def step(self, action):
        if not self.action_space.contains(action):
            raise ValueError(f"`action` must be 0 (up), 1 (down), 2 (left) or 3 (right). Received: action={action!r}")
        if not self.objects:
            raise RuntimeError("Call reset() before step().")
        hero = self.objects[0]
        dx, dy = MOVES[int(action)]
        hero[1] = min(max(hero[1] + dx, 0), self.size - 1)
        hero[2] = min(max(hero[2] + dy, 0), self.size - 1)
        reward = self._check_goal()
        return self._observation(), reward, False, False, {}

    def render(self):
        if self.render_mode == "rgb_array":
            return upscale(self.grid())
        return None


def register():
    """Registers `kclassics/GridWorld-v0` with gymnasium (once)."""
    if ENV_ID not in gymnasium.registry:
        gymnasium.register(ENV_ID, entry_point=GridWorldEnv, max_episode_steps=MAX_EPISODE_STEPS)


def oracle_action(env):
    """The first move of a shortest path to the nearest goal that steps on no fire (a baseline, not the book's).

    Breadth-first search over the board from the hero with fires as walls;
    when no goal can be reached without a fire, the move towards the nearest
    goal through fires.
    """
    env = getattr(env, "unwrapped", env)
    if not isinstance(env, GridWorldEnv) or not env.objects:
        raise ValueError(f"`env` must be a GridWorld ({ENV_ID}) that has been reset. Received: env={validation.describe(env)}")
    _, hx, hy = env.objects[0]
    goals = {(x, y) for name, x, y in env.objects if name == GOAL}
    fires = {(x, y) for name, x, y in env.objects if name == FIRE}
    for walls in (fires, set()):
        first = {(hx, hy): None}
        frontier = [(hx, hy)]
        while frontier:
            nxt = []
            for cell in frontier:
                if cell in goals:
                    return first[cell]
                for action, (dx, dy) in enumerate(MOVES):
                    x, y = cell[0] + dx, cell[1] + dy
                    if 0 <= x < env.size and 0 <= y < env.size and (x, y) not in first and (x, y) not in walls:
                        first[(x, y)] = action if first[cell] is None else first[cell]
                        nxt.append((x, y))
            frontier = nxt
    return 0

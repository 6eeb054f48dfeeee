"""The GridWorld's rules, picture, seeding and gymnasium conformance."""

import gymnasium
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import kclassics.rl  # noqa: F401  (registers the environment)
from kclassics.rl import ENV_ID, GridWorldEnv, oracle_action, upscale


def placed(objects, size=5):
    """An environment whose board holds `objects` ([name, x, y], hero first)."""
    env = GridWorldEnv(size=size, observation="grid")
    env.reset(seed=0)
    env.objects = [list(o) for o in objects]
    return env


BOARD = [["hero", 2, 2], ["goal", 3, 2], ["fire", 2, 3], ["goal", 0, 0], ["fire", 4, 4], ["goal", 0, 4], ["goal", 4, 0]]


def test_a_goal_scores_one_and_reappears_on_a_free_cell():
    env = placed(BOARD)
    _, reward, terminated, truncated, _ = env.step(3)  # right, onto the goal at (3, 2)
    assert (reward, terminated, truncated) == (1.0, False, False)
    assert env.objects[0] == ["hero", 3, 2]
    assert sorted(name for name, _, _ in env.objects) == sorted(name for name, _, _ in BOARD), "still 4 goals and 2 fires"
    cells = [(x, y) for _, x, y in env.objects]
    assert len(set(cells)) == 7, "the new goal is on a cell no other object holds"
    assert env.objects[-1][0] == "goal" and tuple(env.objects[-1][1:]) != (3, 2)


def test_a_fire_costs_one_and_reappears():
    env = placed(BOARD)
    _, reward, *_ = env.step(1)  # down, onto the fire at (2, 3)
    assert reward == -1.0
    assert [name for name, _, _ in env.objects].count("fire") == 2
    assert len({(x, y) for _, x, y in env.objects}) == 7


def test_moving_off_the_board_is_a_no_op_and_an_empty_cell_scores_nothing():
    env = placed([["hero", 0, 0], ["goal", 4, 4], ["fire", 3, 4], ["goal", 4, 3], ["fire", 3, 3], ["goal", 2, 4], ["goal", 4, 2]])
    for action in (0, 2):  # up and left from the corner
        observation, reward, *_ = env.step(action)
        assert env.objects[0] == ["hero", 0, 0] and reward == 0.0
    env.step(1)  # down
    assert env.objects[0] == ["hero", 0, 1]
    env.step(3)  # right
    assert env.objects[0] == ["hero", 1, 1]


def test_the_picture_is_the_bordered_grid_upscaled_12_times():
    env = placed(BOARD)
    grid = env.grid()
    assert grid.shape == (7, 7, 3) and grid.dtype == np.uint8
    assert (grid[0] == 255).all() and (grid[:, 0] == 255).all() and (grid[-1] == 255).all(), "white border"
    assert tuple(grid[3, 3]) == (0, 0, 255), "the hero at (2, 2) is blue"
    assert tuple(grid[3, 4]) == (0, 255, 0), "a goal is green"
    assert tuple(grid[4, 3]) == (255, 0, 0), "a fire is red"
    assert tuple(grid[2, 2]) == (0, 0, 0), "an empty cell is black"
    pixels = upscale(grid)
    assert pixels.shape == (84, 84, 3) and pixels.dtype == np.uint8
    np.testing.assert_array_equal(pixels, np.repeat(np.repeat(grid, 12, axis=0), 12, axis=1))
    env.observation = "pixels"
    observation, *_ = env.step(2)
    np.testing.assert_array_equal(observation, upscale(env.grid()))
    assert set(np.unique(observation)) <= {0, 255}


def test_registered_make_truncates_at_50_steps_and_never_terminates():
    env = gymnasium.make(ENV_ID, size=5)
    observation, info = env.reset(seed=3)
    assert observation.shape == (84, 84, 3) and info == {}
    for step in range(1, 51):
        observation, reward, terminated, truncated, _ = env.step(env.action_space.sample())
        assert not terminated
        assert truncated == (step == 50)
    assert env.render() is None
    assert gymnasium.make(ENV_ID, render_mode="rgb_array").unwrapped.render_mode == "rgb_array"


def test_reset_seed_draws_the_same_board():
    env = gymnasium.make(ENV_ID, observation="grid")
    first, _ = env.reset(seed=11)
    objects = [list(o) for o in env.unwrapped.objects]
    second, _ = env.reset(seed=11)
    np.testing.assert_array_equal(first, second)
    assert env.unwrapped.objects == objects
    assert len({(x, y) for _, x, y in objects}) == 7 and [o[0] for o in objects].count("goal") == 4


@pytest.mark.parametrize("observation", ["pixels", "grid"])
def test_passes_gymnasiums_env_checker(observation):
    check_env(gymnasium.make(ENV_ID, observation=observation, render_mode="rgb_array").unwrapped, skip_render_check=False)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="size=2"):
        GridWorldEnv(size=2)
    with pytest.raises(ValueError, match="observation='rgb'"):
        GridWorldEnv(observation="rgb")
    with pytest.raises(ValueError, match="action=4"):
        placed(BOARD).step(4)


def test_the_oracle_walks_to_the_nearest_goal_around_fires():
    env = placed([["hero", 0, 2], ["goal", 2, 2], ["fire", 1, 2], ["goal", 4, 4], ["fire", 4, 3], ["goal", 0, 4], ["goal", 4, 0]])
    assert oracle_action(env) == 1, "down, towards the goal at (0, 4), two steps without fire"

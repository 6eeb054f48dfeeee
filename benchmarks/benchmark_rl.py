"""Measures chapter 8: CartPole episodes to solve over seeds, GridWorld baselines, and the speed of both loops.

    flock /tmp/kclassics-bench.lock python benchmarks/benchmark_rl.py [--seeds 10] [--baseline-episodes 1000]
        [--max-episodes 5000] [--speed-steps 2000] [--json out.json]

1. cartpole_pg with the book's settings for seeds 0..N-1, trained until the
   100-episode mean reaches 475: the episode whose batch first averaged more
   than 200 (the book's criterion; the book: 200) and the episode of the 475
   mean (CartPole-v1 solved); median and range.
2. GridWorld baselines on kclassics/GridWorld-v0: a random policy and the
   shortest-path oracle (`kclassics.rl.oracle_action`), mean reward per
   50-step episode.
3. Speed, each in the same run as its peer: GridWorld steps/s with the 84x84
   picture and with the 7x7 grid, against gymnasium's CartPole-v1; the DQN's
   compiled training step (batch 32) and greedy forward on 84x84 pictures
   against the same on the 7x7 grid; and where a short gridworld_dqn run's
   time goes (environment, acting, replay sampling, training).
"""

import argparse
import dataclasses
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

import keras  # noqa: E402

from kclassics import programs  # noqa: E402


def cartpole_seeds(seeds, max_episodes, root):
    program = programs.get("cartpole_pg")
    rows = []
    for seed in range(seeds):
        config = dataclasses.replace(program.config, seed=seed, until="475", episodes=max_episodes)
        start = time.perf_counter()
        metrics = program.run(config, out=Path(root) / f"cartpole-{seed}", verbose=0).metrics
        rows.append({"seed": seed, "book_criterion_episode": metrics["book_criterion_episode"],
                     "mean100_475_episode": metrics["mean100_475_episode"], "env_steps": metrics["env_steps"],
                     "seconds": round(time.perf_counter() - start, 1)})
        print(f"  seed {seed}: batch average > 200 at episode {rows[-1]['book_criterion_episode']}, 100-episode mean "
              f">= 475 at {rows[-1]['mean100_475_episode']} ({metrics['env_steps']} steps, {rows[-1]['seconds']} s)", flush=True)
    summary = {}
    for key in ("book_criterion_episode", "mean100_475_episode"):
        values = [r[key] for r in rows if r[key] is not None]
        summary[key] = {"median": float(np.median(values)) if values else None, "min": min(values, default=None),
                        "max": max(values, default=None), "reached": f"{len(values)}/{len(rows)}"}
    return {"runs": rows, "summary": summary}


def gridworld_baselines(episodes):
    import gymnasium

    from kclassics.rl import ENV_ID, oracle_action

    results = {}
    for name in ("random", "oracle"):
        env = gymnasium.make(ENV_ID, observation="grid")
        rng = np.random.default_rng(0)
        totals = []
        for episode in range(episodes):
            env.reset(seed=episode)
            total, done = 0.0, False
            while not done:
                action = int(rng.integers(4)) if name == "random" else oracle_action(env)
                _, reward, terminated, truncated, _ = env.step(action)
                total += reward
                done = terminated or truncated
            totals.append(total)
        results[name] = {"mean": float(np.mean(totals)), "std": float(np.std(totals)), "episodes": episodes}
    return results


def env_speed(steps):
    import gymnasium

    from kclassics.rl import ENV_ID

    makers = {"gridworld_pixels": lambda: gymnasium.make(ENV_ID), "gridworld_grid": lambda: gymnasium.make(ENV_ID, observation="grid"),
              "cartpole_v1": lambda: gymnasium.make("CartPole-v1")}
    envs = {name: make() for name, make in makers.items()}
    rates = {name: [] for name in envs}
    for _ in range(3):  # alternate, so that the load falls on all alike
        for name, env in envs.items():
            env.reset(seed=0)
            actions = np.random.default_rng(0).integers(0, env.action_space.n, steps)
            start = time.perf_counter()
            for action in actions:
                _, _, terminated, truncated, _ = env.step(int(action))
                if terminated or truncated:
                    env.reset()
            rates[name].append(steps / (time.perf_counter() - start))
    return {name: round(float(np.median(r)), 1) for name, r in rates.items()}


def dqn_speed(steps):
    from kclassics.rl import q_network
    from kclassics.rl.agents import DoubleDQN

    rng = np.random.default_rng(0)
    results = {}
    agents = {}
    for name, shape in (("pixels_84x84", (84, 84, 3)), ("grid_7x7", (7, 7, 3))):
        keras.utils.set_random_seed(0)
        main, target = q_network(shape, name="m"), q_network(shape, name="t")
        main.compile(optimizer=keras.optimizers.Adam(1e-4))
        agent = DoubleDQN(main, target, 0.99, 0.001)
        batch = {"observations": rng.integers(0, 2, (32, *shape)).astype(np.uint8) * 255, "actions": rng.integers(0, 4, 32).astype(np.int32),
                 "rewards": rng.integers(-1, 2, 32).astype(np.float32), "next_observations": rng.integers(0, 2, (32, *shape)).astype(np.uint8) * 255,
                 "terminated": np.zeros(32, np.float32)}
        for _ in range(3):
            agent.train(batch)
            agent.greedy_action(batch["observations"][0])
        agents[name] = (agent, batch)
    for name, (agent, batch) in agents.items():
        start = time.perf_counter()
        for _ in range(steps // 10):
            agent.train(batch)
        train = (steps // 10) / (time.perf_counter() - start)
        start = time.perf_counter()
        for i in range(steps):
            agent.greedy_action(batch["observations"][i % 32])
        act = steps / (time.perf_counter() - start)
        results[name] = {"train_steps_per_second": round(train, 2), "greedy_actions_per_second": round(act, 1),
                         "parameters": agent.main.count_params()}
    return results


def dqn_time_split(root, episodes):
    program = programs.get("gridworld_dqn")
    config = dataclasses.replace(program.config, episodes=episodes, pre_train_steps=500, annealing_steps=1000)
    metrics = program.run(config, out=Path(root) / "dqn", verbose=0, eval_episodes=10).metrics
    return {key: metrics[key] for key in ("env_steps", "train_steps", "env_steps_per_second", "train_steps_per_second", "seconds")}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--max-episodes", type=int, default=5000, help="CartPole episodes at most per seed")
    parser.add_argument("--baseline-episodes", type=int, default=1000)
    parser.add_argument("--speed-steps", type=int, default=2000)
    parser.add_argument("--split-episodes", type=int, default=40, help="episodes of the timed gridworld_dqn run")
    parser.add_argument("--parts", default="cartpole,baselines,speed,split")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args(argv)
    keras.config.disable_interactive_logging()
    parts = args.parts.split(",")
    results = {}
    with tempfile.TemporaryDirectory() as root:
        if "cartpole" in parts:
            print(f"CartPole-v1, book settings, {args.seeds} seeds, until the 100-episode mean >= 475:", flush=True)
            results["cartpole"] = cartpole_seeds(args.seeds, args.max_episodes, root)
            for key, label in (("book_criterion_episode", "batch average > 200 (book: 200)"), ("mean100_475_episode", "100-episode mean >= 475")):
                s = results["cartpole"]["summary"][key]
                print(f"  {label}: median {s['median']} episodes, range {s['min']}-{s['max']}, reached {s['reached']}")
        if "baselines" in parts:
            results["baselines"] = gridworld_baselines(args.baseline_episodes)
            for name, r in results["baselines"].items():
                print(f"GridWorld {name}: {r['mean']:.2f} reward per 50-step episode (std {r['std']:.2f}, {r['episodes']} episodes)")
        if "speed" in parts:
            results["env_steps_per_second"] = rates = env_speed(args.speed_steps)
            for name, rate in rates.items():
                print(f"{name}: {rate:.0f} steps/s ({rate / rates['cartpole_v1']:.2f} x CartPole-v1)")
            results["dqn"] = dqn = dqn_speed(args.speed_steps)
            for name, r in dqn.items():
                print(f"Q-network on {name} ({r['parameters']:,} parameters): {r['train_steps_per_second']:.1f} training steps/s "
                      f"(batch 32), {r['greedy_actions_per_second']:.0f} greedy actions/s")
            print(f"  84x84 / 7x7: training {dqn['pixels_84x84']['train_steps_per_second'] / dqn['grid_7x7']['train_steps_per_second']:.2f} x, "
                  f"acting {dqn['pixels_84x84']['greedy_actions_per_second'] / dqn['grid_7x7']['greedy_actions_per_second']:.2f} x")
        if "split" in parts:
            results["time_split"] = split = dqn_time_split(root, args.split_episodes)
            total = sum(split["seconds"].values())
            shares = ", ".join(f"{k} {v:.1f} s ({v / total:.0%})" for k, v in split["seconds"].items())
            print(f"gridworld_dqn, {args.split_episodes} episodes (84x84, training from step 500): {split['env_steps_per_second']} env "
                  f"steps/s, {split['train_steps_per_second']} training steps/s; time: {shares}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main()

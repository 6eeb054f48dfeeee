"""`kclassics play RUN_DIR`: a GIF of a trained cartpole_pg or gridworld_dqn agent playing."""

import os

from kclassics.cli._args import non_negative_int, positive_int


def register(commands, argv=()):
    parser = commands.add_parser(
        "play",
        help="write play.gif: the trained agent of a reinforcement-learning run playing a few episodes",
        description="Load RUN_DIR's model.keras, play greedy episodes on the run's environment and write them "
        "as an animated GIF (default RUN_DIR/play.gif, replacing the one the run wrote).",
    )
    parser.add_argument("run_dir", metavar="RUN_DIR", help="a finished cartpole_pg or gridworld_dqn run directory")
    parser.add_argument("--episodes", type=positive_int, default=3, help="episodes to play (default: 3)")
    parser.add_argument("--seed", type=non_negative_int, default=0, help="seed of the first episode's board or pole (default: 0)")
    parser.add_argument("--out", help="GIF path (default: RUN_DIR/play.gif)")
    parser.set_defaults(check=check, run=run)


def check(args):
    """A finished reinforcement-learning run, and a GIF path that is not a directory, before TensorFlow loads."""
    from kclassics.runs import RunDir

    run = RunDir(args.run_dir)
    if "env" not in run.config:
        raise ValueError(f"{run.path} is a {run.program or 'run'} run, not a reinforcement-learning one (its config "
                         f"names no env). Received: RUN_DIR={args.run_dir!r}")
    run.file("model.keras")
    if args.out is not None and os.path.isdir(args.out):
        raise IsADirectoryError(f"--out {args.out} is a directory; give the GIF's file name. Received: --out={args.out}")
    args.run_object = run


def run(args):
    from kclassics.rl.play import play_run

    path, rewards = play_run(args.run_object, episodes=args.episodes, seed=args.seed, out=args.out)
    print(f"{path}: {len(rewards)} episodes, rewards {', '.join(f'{r:g}' for r in rewards)}")
    return 0

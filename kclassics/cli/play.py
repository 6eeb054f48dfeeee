"""`kclassics play RUN_DIR`: a GIF of a trained cartpole_pg or gridworld_dqn agent playing."""

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
    parser.set_defaults(run=run)


def run(args):
    from kclassics.rl.play import play_run

    path, rewards = play_run(args.run_dir, episodes=args.episodes, seed=args.seed, out=args.out)
    print(f"{path}: {len(rewards)} episodes, rewards {', '.join(f'{r:g}' for r in rewards)}")
    return 0

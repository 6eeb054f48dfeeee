"""`kclassics generate RUN_DIR`: text sampled from a trained language model (ptb_lm)."""

from kclassics.cli._args import positive_float, positive_int, seed


def register(commands, argv=()):
    parser = commands.add_parser(
        "generate",
        help="sample text from a trained language model (a ptb_lm run directory)",
        description="Read the prompt with the run's model, then draw each next word from its softmax at the "
        "given temperature and read it in turn. <eos> is printed as a line break.",
    )
    parser.add_argument("run_dir", metavar="RUN_DIR", help="a ptb_lm run directory (holding model.keras and vocab.txt)")
    parser.add_argument("--prompt", default="<eos>", help="the words to start from (default: <eos>, a new sentence)")
    parser.add_argument("--words", type=positive_int, default=50, help="words to draw (default: 50)")
    parser.add_argument("--temperature", type=positive_float, default=1.0,
                        help="softmax temperature: below 1 likelier words, above 1 more varied (default: 1.0)")
    parser.add_argument("--seed", type=seed, default=None, help="seed of the draws (default: fresh each time)")
    parser.set_defaults(check=check, run=run)


def check(args):
    """A finished ptb_lm run and a prompt of at least one word, before TensorFlow loads."""
    from kclassics.programs.ptb_lm import prompt_words
    from kclassics.runs import RunDir

    run = RunDir(args.run_dir)
    if run.program not in (None, "ptb_lm"):
        raise ValueError(f"{run.path} is a {run.program} run; generate samples text from a ptb_lm run. "
                         f"Received: RUN_DIR={args.run_dir!r}")
    run.file("model.keras"), run.file("vocab.txt")
    args.run_object, args.prompt_words = run, prompt_words(run, args.prompt)


def run(args):
    from kclassics.programs.ptb_lm import generate

    print(generate(args.run_object, args.prompt_words, args.words, args.temperature, args.seed))
    return 0

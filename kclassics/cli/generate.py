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
    parser.set_defaults(run=run)


def run(args):
    import json
    from pathlib import Path

    from kclassics.data import ptb

    run_dir = Path(args.run_dir).expanduser()
    needed = [run_dir / "model.keras", run_dir / "vocab.txt"]
    missing = [p.name for p in needed if not p.is_file()]
    if missing:
        raise FileNotFoundError(f"{run_dir} is not a finished language-model run: it lacks {', '.join(missing)}. "
                                f"Received: RUN_DIR={args.run_dir!r}")
    corpus = json.loads((run_dir / "corpus.json").read_text()) if (run_dir / "corpus.json").is_file() else {}
    prompt = ptb.normalize_line(args.prompt) if corpus.get("normalized") else args.prompt
    prompt_words = prompt.replace(ptb.EOS, f" {ptb.EOS} ").split()
    if not prompt_words:
        raise ValueError(f"argument --prompt: expected at least one word. Received: --prompt={args.prompt!r}")

    import keras

    from kclassics.language_model import sample_words

    model = keras.saving.load_model(needed[0])
    vocabulary = ptb.read_vocabulary(needed[1])
    drawn = sample_words(model, vocabulary, prompt_words, args.words, args.temperature, args.seed)
    text = " ".join(prompt_words + drawn)
    print(text.replace(f" {ptb.EOS} ", "\n").replace(ptb.EOS, "\n").strip("\n"))
    return 0

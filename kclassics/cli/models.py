"""`kclassics list` and `kclassics info`: the model registry on the command line."""

import difflib
import fnmatch
import json
import types
from pathlib import Path

CARD_INDEX = Path(__file__).resolve().parents[1] / "apps" / "cards.json"


def register(commands, argv=()):
    parser = commands.add_parser("list", help="list the registered models (or, with --programs, the book's programs)",
                                 description="List the registered models, or with --programs the book's programs.")
    parser.add_argument("pattern", nargs="?", default="*", help="shell wildcard, e.g. 'resnet_v2_*' (default: all)")
    parser.add_argument("--programs", action="store_true", help="list the programs `kclassics train` runs, with a line each")
    parser.add_argument("--json", action="store_true", help="print the model cards (or the programs) as JSON")
    parser.set_defaults(run=run_list, uses_tensorflow=False)

    parser = commands.add_parser("info", help="show a model's card", description="Show what is known about a model.")
    parser.add_argument("name", help="registered model name")
    parser.add_argument("--json", action="store_true", help="print the card as JSON")
    parser.set_defaults(check=check_info, run=run_info)


def run_list(args):
    if args.programs:
        return run_list_programs(args)
    cards = [types.SimpleNamespace(**card) for card in card_index(args.pattern)]
    if args.json:
        print(json.dumps([vars(card) for card in cards], indent=2))
        return 0
    if not cards:
        raise ValueError(f"No model matches {args.pattern!r}. Received: pattern={args.pattern!r}")
    print(models_table(cards))
    return 0


def run_list_programs(args):
    """The registered programs matching the pattern: name, length, task and description (their declarations, no TensorFlow)."""
    from kclassics import programs

    names = programs.list_programs(args.pattern)
    if not names:
        raise ValueError(f"No program matches {args.pattern!r}. Received: pattern={args.pattern!r}")
    rows = []
    for name in names:
        program = programs.get(name)
        length = program.length
        rows.append({"name": name, "description": program.description,
                     "length": f"{length.value(program.config)} {length.unit}" if length else "-",
                     "task": program.task or "-", "configs": list(program.configs)})
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    width = max(len(row["name"]) for row in rows)
    for row in rows:
        print(f"{row['name'].ljust(width)}  {row['description']}")
    return 0


def card_index(pattern="*"):
    """The model cards matching a wildcard, read from `kclassics/apps/cards.json` without loading Keras.

    `python docs/make_models_doc.py` writes that file from the registry, and a
    test checks that it is in sync, as for the README's table.
    """
    from kclassics.registry import natural_key

    cards = {card["name"]: card for card in json.loads(CARD_INDEX.read_text(encoding="utf-8"))}
    return [cards[name] for name in sorted(fnmatch.filter(cards, pattern), key=natural_key)]


def models_table(cards):
    """The registry as a Markdown table (also used for docs/models.md and the README)."""
    rows = [("name", "params", "input", "book", "keras twin")]
    for card in cards:
        rows.append(
            (card.name, f"{card.params:,}", "x".join(str(d) for d in card.input_shape), card.book_section, card.keras_twin or "-")
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths)) + " |" for row in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def unknown_model_hint(name, names):
    """` Did you mean 'x'?` for the registered names closest to `name`, or nothing."""
    close = difflib.get_close_matches(str(name), list(names), n=3, cutoff=0.6)
    return f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""


def check_model_name(name, argument="name"):
    """The card of a registered model; an unknown name is refused from the card index, before Keras loads."""
    cards = {card["name"]: card for card in card_index()}
    if name not in cards:
        raise ValueError(f"Unknown model {name!r}.{unknown_model_hint(name, cards)} Received: {argument}={name!r}; "
                         f"{len(cards)} are registered (kclassics list).")
    return cards[name]


def check_info(args):
    check_model_name(args.name)


def run_info(args):
    from kclassics import apps

    card = apps.model_info(args.name).as_dict()
    if card["multiply_adds"] is None:
        card["multiply_adds"] = _count_multiply_adds(args.name)
    if args.json:
        print(json.dumps(card, indent=2))
        return 0
    # What the model is, then how it is built and tested, each block aligned on its own keys.
    facts = {key: value for key, value in card.items() if key not in BUILD_FIELDS}
    for block in (facts, {key: card[key] for key in BUILD_FIELDS}):
        if block is not facts:
            print()
        width = max(map(len, block))
        for key, value in block.items():
            if key == "params" or key == "multiply_adds":
                value = f"{value:,}" if value is not None else "-"
            if key == "keras_compatible":
                value = KERAS_COMPATIBLE_SAYS[value]
            print(f"{key.ljust(width)}  {value if value is not None else '-'}")
    return 0


BUILD_FIELDS = ("task", "min_input_side", "keras_compatible", "build_cost")
KERAS_COMPATIBLE_SAYS = {
    "-": "- (no keras.applications twin)",
    "option": "option: the default builds the book's variant; keras_compatible=True (or keras.applications weights) "
              "builds the twin's architecture",
    "default": "the book's architecture already is the twin's (keras_compatible changes nothing)",
}


def _count_multiply_adds(name):
    """Multiply-adds of one forward pass at the default input, counted as `kclassics profile` does."""
    from kclassics import apps, profiler

    return profiler.multiply_adds(apps.create_model(name))

"""Writes docs/models.md, README.md's model table and the card index `kclassics list` reads from the registry.

    python docs/make_models_doc.py [--check]
"""

import argparse
import json
import sys
from pathlib import Path

from kclassics import apps
from kclassics.apps._models_doc import models_markdown
from kclassics.cli.models import CARD_INDEX, models_table

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "docs" / "models.md"
README = ROOT / "README.md"
START, END = "<!-- models:start (kclassics list) -->\n", "\n<!-- models:end -->"


def readme_text():
    """README.md with its model table replaced by `kclassics list`'s."""
    text = README.read_text(encoding="utf-8")
    before, rest = text.split(START)
    after = rest.split(END, 1)[1]
    table = models_table([apps.model_info(name) for name in apps.list_models()])
    return before + START + table + END + after


def card_index_text():
    """Every model card as JSON, in the registry's order."""
    return json.dumps([apps.model_info(name).as_dict() for name in apps.list_models()], indent=1, ensure_ascii=False) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is out of date instead of writing")
    args = parser.parse_args()
    stale = []
    for target, text in ((TARGET, models_markdown()), (README, readme_text()), (CARD_INDEX, card_index_text())):
        if target.exists() and target.read_text(encoding="utf-8") == text:
            print(f"{target}: in sync")
        elif args.check:
            print(f"{target}: OUT OF DATE")
            stale.append(target)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            print(f"wrote {target}")
    sys.exit(1 if stale else 0)


if __name__ == "__main__":
    main()

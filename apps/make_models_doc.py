"""Writes docs/models.md from the model registry: `python apps/make_models_doc.py [--check]`."""

import argparse
import sys
from pathlib import Path

from kclassics.apps._models_doc import models_markdown

TARGET = Path(__file__).resolve().parents[1] / "docs" / "models.md"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is out of date instead of writing")
    args = parser.parse_args()
    text = models_markdown()
    if args.check:
        in_sync = TARGET.exists() and TARGET.read_text(encoding="utf-8") == text
        print(f"{TARGET}: {'in sync' if in_sync else 'OUT OF DATE'}")
        sys.exit(0 if in_sync else 1)
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()

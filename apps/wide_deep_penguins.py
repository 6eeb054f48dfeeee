"""Book 10.2.2: wide & deep [100, 50] on the Palmer penguins (FTRL + Adagrad in one step).

    python apps/wide_deep_penguins.py                    # the book's settings
    python apps/wide_deep_penguins.py --out runs/try --resume ...

The same as `kclassics train wide_deep_penguins ...`; `--help` lists every option.
"""

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
    from kclassics.cli import main

    sys.exit(main(["train", "wide_deep_penguins", *sys.argv[1:]]))

"""Book 10.3.1: LinearClassifier on iris with FTRL 0.1.

    python apps/iris_linear.py                    # the book's settings
    python apps/iris_linear.py --out runs/try --resume ...

The same as `kclassics train iris_linear ...`; `--help` lists every option.
"""

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
    from kclassics.cli import main

    sys.exit(main(["train", "iris_linear", *sys.argv[1:]]))

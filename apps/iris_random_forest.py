"""Book 10.3.2: TensorForest on iris (3 trees, at most 1,000 nodes), on ydf.

    python apps/iris_random_forest.py                    # the book's settings
    python apps/iris_random_forest.py --out runs/try --resume ...

The same as `kclassics train iris_random_forest ...`; `--help` lists every option.
"""

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
    from kclassics.cli import main

    sys.exit(main(["train", "iris_random_forest", *sys.argv[1:]]))

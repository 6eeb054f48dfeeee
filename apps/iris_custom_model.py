"""Book 10.1.1: the custom model_fn on iris (stack 10-20-10 + zero-initialised logistic regression, Adagrad 0.1, 700 steps).

    python apps/iris_custom_model.py                    # the book's settings
    python apps/iris_custom_model.py --out runs/try --resume ...

The same as `kclassics train iris_custom_model ...`; `--help` lists every option.
"""

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
    from kclassics.cli import main

    sys.exit(main(["train", "iris_custom_model", *sys.argv[1:]]))

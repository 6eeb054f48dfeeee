"""Book 10.2.1: DNNClassifier [10, 20, 10] on iris with the exponentially decaying Adagrad rate.

    python apps/iris_dnn.py                    # the book's settings
    python apps/iris_dnn.py --out runs/try --resume ...

The same as `kclassics train iris_dnn ...`; `--help` lists every option.
"""

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
    from kclassics.cli import main

    sys.exit(main(["train", "iris_dnn", *sys.argv[1:]]))

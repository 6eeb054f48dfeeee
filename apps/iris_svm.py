"""Book 10.3.4: a linear SVM (hinge + L2) on iris.

    python apps/iris_svm.py                    # the book's settings
    python apps/iris_svm.py --out runs/try --resume ...

The same as `kclassics train iris_svm ...`; `--help` lists every option.
"""

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
    from kclassics.cli import main

    sys.exit(main(["train", "iris_svm", *sys.argv[1:]]))

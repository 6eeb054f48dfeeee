"""Book 3.2: Softmax regression on MNIST.

    python apps/softmax_regression.py                       # the book's defaults (offline: the embedded digits)
    python apps/softmax_regression.py --data-dir DIR        # the book's dataset from its standard files
    python apps/softmax_regression.py --steps 100 --out runs/try --resume ...

The same as `kclassics train softmax_regression ...`; `--help` lists every option.
"""

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
    from kclassics.cli import main

    sys.exit(main(["train", "softmax_regression", *sys.argv[1:]]))

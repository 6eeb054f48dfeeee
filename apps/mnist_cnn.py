"""Book 5.2: The simple CNN on MNIST, training accuracy every 100 steps.

    python apps/mnist_cnn.py                       # the book's defaults (offline: the embedded digits)
    python apps/mnist_cnn.py --data-dir DIR        # the book's dataset from its standard files
    python apps/mnist_cnn.py --steps 100 --out runs/try --resume ...

The same as `kclassics train mnist_cnn ...`; `--help` lists every option.
"""

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
    from kclassics.cli import main

    sys.exit(main(["train", "mnist_cnn", *sys.argv[1:]]))

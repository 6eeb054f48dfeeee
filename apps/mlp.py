"""Book 4.4: The 784-300-10 perceptron with dropout on MNIST.

    python apps/mlp.py                       # the book's defaults (offline: the embedded digits)
    python apps/mlp.py --data-dir DIR        # the book's dataset from its standard files
    python apps/mlp.py --steps 100 --out runs/try --resume ...

The same as `kclassics train mlp ...`; `--help` lists every option.
"""

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
    from kclassics.cli import main

    sys.exit(main(["train", "mlp", *sys.argv[1:]]))

"""Book 9.1: The MLP with TensorBoard summaries of everything.

    python apps/tensorboard_mnist.py                       # the book's defaults (offline: the embedded digits)
    python apps/tensorboard_mnist.py --data-dir DIR        # the book's dataset from its standard files
    python apps/tensorboard_mnist.py --steps 100 --out runs/try --resume ...

The same as `kclassics train tensorboard_mnist ...`; `--help` lists every option.
"""

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
    from kclassics.cli import main

    sys.exit(main(["train", "tensorboard_mnist", *sys.argv[1:]]))

"""Book 7.3: The bidirectional LSTM classifier on MNIST rows.

    python apps/birnn_mnist.py                       # the book's defaults (offline: the embedded digits)
    python apps/birnn_mnist.py --data-dir DIR        # the book's dataset from its standard files
    python apps/birnn_mnist.py --steps 100 --out runs/try --resume ...

The same as `kclassics train birnn_mnist ...`; `--help` lists every option.
"""

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
    from kclassics.cli import main

    sys.exit(main(["train", "birnn_mnist", *sys.argv[1:]]))

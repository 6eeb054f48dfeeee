"""Book 5.3: The CIFAR-10 CNN with LRN and L2 (needs --data-dir with cifar-10-batches-bin/ or tfds).

    python apps/cifar10_cnn.py --data-dir DIR        # DIR holds cifar-10-batches-bin/ (without it: tfds)
    kclassics train cifar10_cnn_long --data-dir DIR  # the long schedule: SGD 0.1, staircase decay, 100k steps
    python apps/cifar10_cnn.py --steps 100 --out runs/try --resume ...

The same as `kclassics train cifar10_cnn ...`; `--help` lists every option.
"""

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
    from kclassics.cli import main

    sys.exit(main(["train", "cifar10_cnn", *sys.argv[1:]]))

"""Book 4.2: The additive Gaussian noise autoencoder on MNIST.

    python apps/denoising_autoencoder.py                       # the book's defaults (offline: the embedded digits)
    python apps/denoising_autoencoder.py --data-dir DIR        # the book's dataset from its standard files
    python apps/denoising_autoencoder.py --steps 100 --out runs/try --resume ...

The same as `kclassics train denoising_autoencoder ...`; `--help` lists every option.
"""

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
    from kclassics.cli import main

    sys.exit(main(["train", "denoising_autoencoder", *sys.argv[1:]]))

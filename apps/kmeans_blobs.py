"""Book 10.3.3: KMeans on 10,000 points around 6 random centres (10 Lloyd iterations).

    python apps/kmeans_blobs.py                    # the book's settings
    python apps/kmeans_blobs.py --out runs/try --resume ...

The same as `kclassics train kmeans_blobs ...`; `--help` lists every option.
"""

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
    from kclassics.cli import main

    sys.exit(main(["train", "kmeans_blobs", *sys.argv[1:]]))

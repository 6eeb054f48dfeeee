"""Book 7.1: skip-gram Word2Vec with NCE loss.

    python apps/word2vec.py                          # the book's settings on the embedded Lee background corpus
    python apps/word2vec.py --data-dir DIR           # the book's run on text8 (DIR holds text8 or text8.zip)
    python apps/word2vec.py --corpus book.txt --set loss=negative_sampling --set subsample=1e-3

The same as `kclassics train word2vec ...`; `--help` lists every option.
"""

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
    from kclassics.cli import main

    sys.exit(main(["train", "word2vec", *sys.argv[1:]]))

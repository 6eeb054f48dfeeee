"""Book 7.2: the PTB LSTM language model (Zaremba et al. 2014), small, medium or large.

    python apps/ptb_lm.py                                          # small, offline, on the embedded Lee corpus
    python apps/ptb_lm.py --config medium --data-dir simple-examples/data   # the book's experiment on PTB
    python apps/ptb_lm.py --epochs 2 --out runs/try --resume ...

The same as `kclassics train ptb_lm ...`; `--help` lists every option, docs/language_model.md the details.
"""

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
    from kclassics.cli import main

    sys.exit(main(["train", "ptb_lm", *sys.argv[1:]]))

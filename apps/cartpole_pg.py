"""Book 8.2: the policy network on CartPole-v1, 25 episodes a batch, until a batch averages over 200.

    python apps/cartpole_pg.py                              # the book's defaults
    python apps/cartpole_pg.py --seed 3 --out runs/cp
    python apps/cartpole_pg.py --out runs/x --resume ...    # continue a stopped run
    kclassics play runs/x                          # play.gif of the trained agent again

The same as `kclassics train cartpole_pg ...`; `--help` lists every option.
"""

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
    from kclassics.cli import main

    sys.exit(main(["train", "cartpole_pg", *sys.argv[1:]]))

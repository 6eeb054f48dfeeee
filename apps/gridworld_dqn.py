"""Book 8.3: the double dueling DQN on the 5x5 GridWorld (84x84 pixels), 10,000 episodes of 50 steps.

    python apps/gridworld_dqn.py                              # the book's defaults
    python apps/gridworld_dqn.py --out runs/grid            # hours on 2 CPU cores; checkpoints every 1,000 episodes
    python apps/gridworld_dqn.py --out runs/x --resume ...    # continue a stopped run
    kclassics play runs/x                          # play.gif of the trained agent again

The same as `kclassics train gridworld_dqn ...`; `--help` lists every option.
"""

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
    from kclassics.cli import main

    sys.exit(main(["train", "gridworld_dqn", *sys.argv[1:]]))

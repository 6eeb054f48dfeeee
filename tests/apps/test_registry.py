"""The registry, tested over every registered model: a new model is tested the day it is registered."""

import pytest

import kclassics
from kclassics import apps
from kclassics.model import FunctionalModel
from kclassics.registry import natural_key
from tests.apps.conftest import by_build_cost


def test_list_models_wildcards():
    assert apps.list_models("mnist*") == ["mnist_cnn"]
    assert set(apps.list_models("*")) >= {"softmax_regression", "mlp", "mnist_cnn"}
    assert apps.list_models("m?p") == ["mlp"]
    assert apps.list_models("no_such_*") == []
    assert apps.list_models() == sorted(apps.list_models(), key=natural_key)


def test_list_models_rejects_non_string():
    with pytest.raises(TypeError, match="pattern"):
        apps.list_models(3)


def test_unknown_name_suggests_close_matches():
    with pytest.raises(ValueError, match=r"Unknown model 'mnist_cn'\. Did you mean 'mnist_cnn'\?"):
        apps.create_model("mnist_cn")
    with pytest.raises(ValueError, match=r"Received: name='zzz'"):
        apps.model_info("zzz")


def test_card_fields():
    card = apps.model_info("mnist_cnn")
    assert (card.family, card.input_shape, card.params, card.book_section) == ("mnist", (28, 28, 1), 3_274_634, "5.2")
    assert card.paper and card.description
    assert card.as_dict()["input_shape"] == [28, 28, 1]


@pytest.mark.parametrize("name", by_build_cost(apps.list_models()))
def test_every_model_matches_its_card(name):
    card = apps.model_info(name)
    model = apps.create_model(name)
    assert isinstance(model, kclassics.Model), "every app returns a kclassics.Model"
    if isinstance(model, FunctionalModel):
        assert tuple(model.input_shape[1:]) == tuple(card.input_shape)
    elif not model.built:  # a subclassed model (its own `call`) builds on the card's input shape
        model.build((None, *card.input_shape))
    assert model.count_params() == card.params
    assert getattr(apps, name) is card.builder, "each registered builder is a plain function of kclassics.apps"


def test_readme_model_table_is_in_sync():
    from pathlib import Path

    from kclassics.cli.models import models_table

    readme = (Path(__file__).parents[2] / "README.md").read_text()
    table = readme.split("<!-- models:start (kclassics list) -->\n")[1].split("\n<!-- models:end -->")[0]
    expected = models_table([apps.model_info(name) for name in apps.list_models()])
    assert table == expected, "README.md's model table is stale: paste the output of `kclassics list`"

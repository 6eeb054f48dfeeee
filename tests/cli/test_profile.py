"""`kclassics profile` and the multiply-add total of `kclassics info`."""

import json

import pytest

from kclassics import cli


def test_profile_tree(capsys):
    assert cli.main(["profile", "mnist_cnn", "--order-by", "flops", "--hide", "images|dropout"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "mnist_cnn (0/3.27M params, 0/13.88M multiply-adds)"
    assert lines[1] == "  conv2 (51.26k/51.26k params, 10.04M/10.04M multiply-adds)"
    assert not any("dropout" in line or "images" in line for line in lines)


def test_profile_json_and_image_size(capsys):
    assert cli.main(["profile", "mnist_cnn", "--json", "--image-size", "14"]) == 0
    tree = json.loads(capsys.readouterr().out)
    conv1 = next(child for child in tree["children"] if child["name"] == "conv1")
    assert conv1["multiply_adds"] == 14 * 14 * 32 * 25 and conv1["output_shape"] == [14, 14, 32]
    assert tree["total_multiply_adds"] == sum(child["total_multiply_adds"] for child in tree["children"])


@pytest.mark.parametrize(
    "argv, message",
    [
        (["profile", "mnist_cnx"], "kclassics: error: Unknown model 'mnist_cnx'"),
        (["profile", "mnist_cnn", "--show", "conv("], "kclassics: error: `show` must be a regular expression"),
    ],
)
def test_profile_errors(capsys, argv, message):
    assert cli.main(argv) == 2
    assert capsys.readouterr().err.startswith(message)


def test_info_shows_the_multiply_add_total(capsys):
    assert cli.main(["info", "mnist_cnn"]) == 0
    out = capsys.readouterr().out
    assert "multiply_adds  13,883,904" in out and "params         3,274,634" in out

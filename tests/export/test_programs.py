"""Every program's export (a short run of each) in ONNX and LiteRT through `kclassics export`: its answers, or a refusal.

A refusal is one line naming the layer (or the signature) the format cannot
take; the ones expected are listed, so a converter that starts to take them
(or stops) shows here.
"""

import dataclasses

import pytest

from kclassics import programs
from kclassics.cli import main
from tests.data.test_mnist import write_mnist
from tests.programs.test_cifar10 import write_learnable_cifar10

pytestmark = pytest.mark.slow

EXPORTED = [name for name in programs.list_programs() if programs.get(name).task is not None]
REFUSED = {
    ("wide_deep_penguins", "onnx"): "ONNX cannot take layer 'species_lookup' (StringLookup)",
    ("wide_deep_penguins", "litert"): "LiteRT cannot take layer 'island_preprocessor'",
    ("word2vec", "onnx"): "it has no LookupTableFindV2 operator",
    ("ptb_lm", "onnx"): "input and an output both named 'state'",
    ("ptb_lm", "litert"): "LiteRT cannot take layer 'lstm_0' (BasicLSTM)",
}
SMALL = {"cartpole_pg": 3, "gridworld_dqn": 2, "ptb_lm": 1, "iris_random_forest": None}
SETTINGS = {"ptb_lm": {"batch_size": 4}, "gridworld_dqn": {"pre_train_steps": 20}}


@pytest.fixture(scope="module", params=EXPORTED)
def program_run(request, tmp_path_factory):
    program = programs.get(request.param)
    config = program.config
    if program.length is not None:
        config = program.length.set(config, SMALL.get(program.name, 2))
    fields = {f.name for f in dataclasses.fields(config)}
    config = dataclasses.replace(config, **{k: v for k, v in SETTINGS.get(program.name, {}).items() if k in fields})
    data_dir = None
    if program.name.startswith("cifar10"):
        data_dir = write_learnable_cifar10(tmp_path_factory.mktemp("cifar"))
    out = tmp_path_factory.mktemp("runs") / program.name
    program.run(config, out=out, data_dir=data_dir)
    return program, out, data_dir


@pytest.mark.parametrize("fmt", ["onnx", "litert"])
def test_every_program_export_converts_within_the_tolerance_or_is_refused_by_name(program_run, fmt, capsys):
    program, out, data_dir = program_run
    status = main(["export", str(out), "--format", fmt, *(["--data-dir", str(data_dir)] if data_dir else [])])
    captured = capsys.readouterr()
    refusal = REFUSED.get((program.name, fmt))
    if refusal:
        assert status == 2 and refusal in captured.err and len(captured.err.strip().splitlines()) == 1, captured.err
        assert not list(out.glob("model.*[tx]"))
    else:
        assert status == 0, captured.err
        assert "(within 0.0001)" in captured.out.splitlines()[-1], captured.out


def test_int8_of_the_blog_program_on_its_evaluation_input(tmp_path, capsys):
    program = programs.get("cifar10_blog")
    data_dir = write_learnable_cifar10(tmp_path / "cifar")
    program.run(dataclasses.replace(program.length.set(program.config, 30), batch_size=32), out=tmp_path / "run",
                data_dir=data_dir)
    status = main(["export", str(tmp_path / "run"), "--format", "litert", "--quantize", "int8", "--data-dir", str(data_dir)])
    out = capsys.readouterr().out
    assert status == 0 and "test accuracy on 50 examples" in out


def test_int8_on_mnist_files(tmp_path, capsys):
    write_mnist(tmp_path / "mnist", train=5100, test=200)
    program = programs.get("mnist_cnn")
    program.run(program.length.set(program.config, 30), out=tmp_path / "run", data_dir=tmp_path / "mnist")
    assert main(["export", str(tmp_path / "run"), "--format", "litert", "--quantize", "int8"]) == 2
    assert "the run of mnist_cnn trained on mnist: give the directory of its files" in capsys.readouterr().err
    status = main(["export", str(tmp_path / "run"), "--format", "litert", "--quantize", "int8", "--data-dir", str(tmp_path / "mnist")])
    out = capsys.readouterr().out
    assert status == 0 and "test accuracy on 200 examples" in out

"""The Tensorflow_CNN blog's CIFAR-10 program on written CIFAR-10 binary files: its harness, log, schedule and tricks."""

import dataclasses
import json
import re

import keras
import pytest

from kclassics import apps, programs
from kclassics.apps.cifar_blog import NETWORKS
from kclassics.cli.train import settings
from kclassics.layers import ConvBNAct
from kclassics.programs import cifar10_blog as program
from tests.programs.test_cifar10 import write_learnable_cifar10

TRAIN_LINE = re.compile(r"^\[train\]: step (\d+) loss = \d+\.\d{4} acc = [01]\.\d{4} \(\d+\.\d{4} / batch\)$")
VAL_LINE = re.compile(r"^\[val\]: step (\d+) loss = \d+\.\d{4} acc = [01]\.\d{4}$")
OVERALL = re.compile(r"^\[(TRAIN|VAL)\]: loss = \d+\.\d{4} acc = [01]\.\d{4}$")


@pytest.fixture(scope="module")
def cifar_files(tmp_path_factory):
    return write_learnable_cifar10(tmp_path_factory.mktemp("cifar"), per_file=16, test=20)  # 80 training, 20 test images


def short(model, **changes):
    """Three steps of 16, a [train] and a [val] line at steps 0 and 2 (the last)."""
    settings = dict(model=model, steps=3, batch_size=16, train_log_every=2, val_log_every=2)
    return dataclasses.replace(program.CIFAR10_BLOG, **{**settings, **changes})


def check_log(lines):
    """The post's lines: [train] and [val] at steps 0 and 2, then the overall result."""
    assert [int(TRAIN_LINE.match(line).group(1)) for line in lines if line.startswith("[train]")] == [0, 2]
    assert [int(VAL_LINE.match(line).group(1)) for line in lines if line.startswith("[val]")] == [0, 2]
    assert [line.split(" loss")[0] for line in lines[:4]] == ["[train]: step 0", "[val]: step 0", "[train]: step 2", "[val]: step 2"]
    assert lines[-3] == "-----Over all Result-----"
    assert [OVERALL.match(line).group(1) for line in lines[-2:]] == ["TRAIN", "VAL"]


def test_defaults_are_the_posts_runs():
    config = programs.get("cifar10_blog").config
    assert (config.model, config.steps, config.batch_size, config.momentum) == ("alexnet_cifar", 20000, 64, 0.9)
    assert (config.schedule, config.learning_rate, config.augment, config.dropout_rate, config.weight_decay,
            config.batch_norm) == ("constant", 0.01, False, 0.0, 0.0, None)
    assert (config.train_log_every, config.val_log_every) == (1000, 4000)
    optimizer = config.make_optimizer()
    assert type(optimizer).__name__ == "SGD" and optimizer.momentum == 0.9 and float(optimizer.learning_rate) == pytest.approx(0.01)


def test_lr_step_rates_at_steps_11999_and_12000():
    config = dataclasses.replace(program.CIFAR10_BLOG, schedule="lr_step")
    rate = config.learning_rate_schedule()
    assert float(rate(11_999)) == pytest.approx(0.1) and float(rate(12_000)) == pytest.approx(0.01)
    optimizer = config.make_optimizer()  # the rate Keras applies at each update: the schedule at the updates done
    for step, expected in ((0, 0.1), (11_999, 0.1), (12_000, 0.01), (19_999, 0.01)):
        optimizer.iterations.assign(step)
        assert float(optimizer.learning_rate) == pytest.approx(expected)
    rate = dataclasses.replace(config, learning_rate=0.05).learning_rate_schedule()
    assert (float(rate(11_999)), float(rate(12_000))) == pytest.approx((0.5, 0.05))


def test_each_comparison_is_one_set_flag():
    config = program.CIFAR10_BLOG
    assert settings(["augment=true", "schedule=lr_step", "dropout_rate=0.5", "weight_decay=1e-4", "batch_norm=false"],
                    config, programs.get("cifar10_blog")) == {"augment": True, "schedule": "lr_step", "dropout_rate": 0.5,
                                                "weight_decay": 1e-4, "batch_norm": False}
    assert settings(["batch_norm=none"], config, programs.get("cifar10_blog")) == {"batch_norm": None}
    with pytest.raises(ValueError, match="--set batch_norm takes a bool or none. Received: --set batch_norm=maybe"):
        settings(["batch_norm=maybe"], config, programs.get("cifar10_blog"))


def test_bad_settings_fail_before_any_run_directory(cifar_files, tmp_path):
    with pytest.raises(ValueError, match=r"96x96 crops.*Received: model='alexnet_cifar', augment=True"):
        dataclasses.replace(program.CIFAR10_BLOG, augment=True)
    with pytest.raises(ValueError, match="Unknown `model`.*googlenet_cifar.*Received: model='googlenet'"):
        dataclasses.replace(program.CIFAR10_BLOG, model="googlenet")
    with pytest.raises(ValueError, match="schedule='exponential'"):
        dataclasses.replace(program.CIFAR10_BLOG, schedule="exponential")
    with pytest.raises(ValueError, match="batch_norm='yes'"):
        dataclasses.replace(program.CIFAR10_BLOG, batch_norm="yes")
    with pytest.raises(ValueError, match="momentum=1.0"):
        dataclasses.replace(program.CIFAR10_BLOG, momentum=1.0)
    with pytest.raises(FileNotFoundError, match="data_batch_1.bin"):
        programs.get("cifar10_blog").run(short("conv_bn_net"), out=tmp_path / "run", data_dir=tmp_path / "nowhere")
    with pytest.raises(ValueError, match=r"--batch-size\) must be at most the 80 training examples"):
        programs.get("cifar10_blog").run(short("conv_bn_net", batch_size=81), out=tmp_path / "run", data_dir=cifar_files)
    assert not (tmp_path / "run").exists()


def test_kclassics_train_runs_a_network_with_the_posts_log(cifar_files, run_cli, tmp_path):
    done = run_cli("train", "cifar10_blog", "--set", "model=alexnet_cifar", "--set", "batch_norm=false", "--data-dir", cifar_files,
                   "--steps", 3, "--batch-size", 16, "--set", "train_log_every=2", "--set", "val_log_every=2",
                   "--out", tmp_path / "run")
    assert done.returncode == 0, done.stderr[-3000:]
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    check_log(metrics["log"])
    printed = done.stdout.splitlines()
    assert [line for line in printed if line in metrics["log"]] == metrics["log"]  # the lines reach the terminal, in order
    assert re.search(r"^\[VAL\] acc [01]\.\d{4} \(loss \d+\.\d{4}\), \[TRAIN\] acc [01]\.\d{4}; 3 steps", done.stdout, re.M)
    assert metrics["steps"] == 3 and metrics["test_accuracy"] == pytest.approx(float(metrics["log"][-1].split("acc = ")[1]), abs=1e-4)
    config = json.loads((tmp_path / "run" / "config.json").read_text())
    assert (config["model"], config["schedule"], config["augment"], config["batch_norm"]) == ("alexnet_cifar", "constant", False, False)
    assert {"checkpoints", "model.keras", "export", "curves.png"} <= {p.name for p in (tmp_path / "run").iterdir()}


def test_every_trick_in_one_run(cifar_files, tmp_path):
    """conv_bn_net with augmentation, the lr_step schedule, dropout, weight decay and without batch norm."""
    config = short("conv_bn_net", augment=True, schedule="lr_step", dropout_rate=0.5, weight_decay=1e-4, batch_norm=False)
    result = programs.get("cifar10_blog").run(config, out=tmp_path / "run", data_dir=cifar_files)
    check_log(result.metrics["log"])
    model = result.model
    assert model.input_shape == (None, 96, 96, 3)  # train_aug's crops, test_aug's resized images
    assert model.get_layer("dropout").rate == 0.5
    conv1 = model.get_layer("conv1")
    assert isinstance(conv1, ConvBNAct) and conv1.bn is None and conv1.conv.use_bias
    assert conv1.conv.kernel_regularizer.l2 == pytest.approx(5e-5)  # slim.l2_regularizer(1e-4): 1e-4 * sum(w**2) / 2
    assert float(model.optimizer.learning_rate) == pytest.approx(0.1)  # lr_step below step 12,000
    assert 0 <= result.train_accuracy <= 1 and 0 <= result.test_accuracy <= 1
    assert (result.export_path / "saved_model.pb").is_file()


@pytest.mark.slow
@pytest.mark.parametrize("name", NETWORKS)
def test_each_network_runs_the_posts_harness(cifar_files, tmp_path, name):
    result = programs.get("cifar10_blog").run(short(name), out=tmp_path / "run", data_dir=cifar_files)
    check_log(result.metrics["log"])
    assert result.model.count_params() == apps.model_info(name).params
    assert result.steps == 3 and (result.export_path / "saved_model.pb").is_file()
    keras.saving.load_model(result.run_dir / "model.keras")


@pytest.mark.slow
def test_mixed_precision(cifar_files, tmp_path):
    result = programs.get("cifar10_blog").run(short("resnet_cifar", mixed_precision=True), out=tmp_path / "run",
                                              data_dir=cifar_files)
    check_log(result.metrics["log"])
    assert result.model.get_layer("block1_conv_5x5").compute_dtype in ("bfloat16", "float16")
    assert keras.config.dtype_policy().name == "float32"


@pytest.mark.slow
def test_alexnet_learns_the_written_classes(cifar_files, tmp_path):
    config = dataclasses.replace(short("alexnet_cifar"), steps=150, train_log_every=50, val_log_every=50)
    result = programs.get("cifar10_blog").run(config, out=tmp_path / "run", data_dir=cifar_files)
    losses = [float(line.split("loss = ")[1].split(" ")[0]) for line in result.metrics["log"] if line.startswith("[train]")]
    assert losses[-1] < losses[0] - 1.0
    assert result.train_accuracy > 0.9 and result.test_accuracy > 0.5

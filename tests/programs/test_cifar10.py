"""The CIFAR-10 program on a small set of real-format binary files: it learns, logs and evaluates like the book."""

import dataclasses
import json
import re

import keras
import numpy as np
import pytest
import tensorflow as tf

from kclassics import data, precision, programs
from kclassics.programs import cifar10 as program

LOG_LINE = re.compile(r"^step (\d+),loss=\d+\.\d\d \(\d+\.\d examples/sec; \d+\.\d{3} sec/batch\)$")


def write_learnable_cifar10(root, per_file=64, test=50, seed=0):
    """Five training files and a test file whose classes are ten fixed templates plus noise."""
    rng = np.random.default_rng(seed)
    templates = rng.integers(0, 256, size=(10, 32, 32, 3))
    folder = root / "cifar-10-batches-bin"
    folder.mkdir(parents=True)
    for name, count in [*((f"data_batch_{i}.bin", per_file) for i in range(1, 6)), ("test_batch.bin", test)]:
        labels = rng.integers(0, 10, size=count)
        images = np.clip(templates[labels] + rng.normal(0, 25, size=(count, 32, 32, 3)), 0, 255).astype(np.uint8)
        records = np.concatenate([labels[:, None], images.transpose(0, 3, 1, 2).reshape(count, -1)], axis=1)
        records.astype(np.uint8).tofile(folder / name)
    return root


@pytest.fixture(scope="module")
def cifar_run(tmp_path_factory):
    root = write_learnable_cifar10(tmp_path_factory.mktemp("cifar"))
    config = dataclasses.replace(program.CIFAR10_CNN, steps=61, batch_size=32)
    out = tmp_path_factory.mktemp("runs") / "cifar"
    result = programs.get("cifar10_cnn").run(config, out=out, data_dir=root)
    return root, config, result, json.loads((out / "metrics.json").read_text())


def test_learns_and_logs_every_10_steps_in_the_book_format(cifar_run):
    _, config, result, metrics = cifar_run
    assert [int(LOG_LINE.match(line).group(1)) for line in metrics["log"]] == list(range(0, 61, 10))
    losses = [float(line.split("loss=")[1].split(" ")[0]) for line in metrics["log"]]
    assert 4.2 < losses[0] < 5.0  # cross entropy ~2.3 + L2 ~2.3: the book's initial ~4.6
    assert losses[-1] < losses[0] - 1.5
    assert result.steps == 61 and metrics["precision_at_1"] == result.test_accuracy


def test_precision_at_1_counts_every_test_image_once(cifar_run):
    root, config, result, _ = cifar_run
    test = data.load("cifar10", data_dir=root).test
    logits = np.concatenate([result.model.predict(x, verbose=0) for x, _ in data.cifar10_evaluation_pipeline(test, 32)])
    assert len(logits) == 50
    assert result.test_accuracy == pytest.approx(np.mean(logits.argmax(1) == test.y))


def test_run_directory(cifar_run):
    _, config, result, _ = cifar_run
    files = {p.name for p in result.run_dir.iterdir()}
    assert {"config.json", "checkpoints", "logs", "metrics.json", "curves.png", "model.keras", "export"} <= files
    assert json.loads((result.run_dir / "config.json").read_text())["steps"] == 61
    assert (result.export_path / "saved_model.pb").is_file()


def test_long_schedule_is_staircase_sgd():
    config = programs.get("cifar10_cnn_long").config
    assert (config.schedule, config.learning_rate, config.steps) == ("sgd_decay", 0.1, 100_000)
    rate = config.learning_rate_schedule()
    assert type(config.make_optimizer()).__name__ == "SGD"
    decay_steps = int(50000 / 128 * 350)
    assert float(rate(decay_steps - 1)) == pytest.approx(0.1)
    assert float(rate(decay_steps)) == pytest.approx(0.01)


def test_bad_config_and_missing_data(tmp_path):
    with pytest.raises(ValueError, match="schedule='rmsprop'"):
        program.Cifar10Config(schedule="rmsprop")
    with pytest.raises(FileNotFoundError, match="data_batch_1.bin"):
        programs.get("cifar10_cnn").run(program.CIFAR10_CNN, out=tmp_path / "r", data_dir=tmp_path / "missing")
    assert not (tmp_path / "r").exists()  # refused before any run directory is made


def test_multi_device_program_under_mirrored_strategy(tmp_path, run_python):
    # Book 9.2: towers on two devices, each taking a full batch; two logical CPUs stand in for two GPUs.
    write_learnable_cifar10(tmp_path / "data", per_file=32, test=20)
    code = f"""
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
import dataclasses
from kclassics import programs
program = programs.get("cifar10_cnn")
strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
config = dataclasses.replace(program.config, steps=4, batch_size=8, log_every=2)
result = program.run(config, out={str(tmp_path / 'run')!r}, data_dir={str(tmp_path / 'data')!r}, strategy=strategy)
assert result.steps == 4, result.steps
print("replicas", strategy.num_replicas_in_sync)
"""
    result = run_python(code)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "replicas 2" in result.stdout
    assert "examples/sec" in result.stdout


def test_mixed_precision_learns_like_float32_and_serves_float32(cifar_run, tmp_path):
    root, config, result, metrics = cifar_run
    mixed = programs.get("cifar10_cnn").run(dataclasses.replace(config, steps=31, mixed_precision=True), out=tmp_path / "run", data_dir=root)
    assert {layer.compute_dtype for layer in mixed.model.layers[1:]} == {
        {"mixed_float16": "float16", "mixed_bfloat16": "bfloat16"}[precision.policy_name(True)]
    }
    assert all(v.dtype == "float32" for v in mixed.model.weights)
    float32_losses = [float(line.split("loss=")[1].split(" ")[0]) for line in metrics["log"][:4]]
    mixed_losses = [float(line.split("loss=")[1].split(" ")[0]) for line in json.loads((tmp_path / "run" / "metrics.json").read_text())["log"]]
    assert mixed_losses == pytest.approx(float32_losses, abs=0.1)  # same seed, same batches: 16-bit rounding only
    assert json.loads((tmp_path / "run" / "config.json").read_text())["mixed_precision"] is True
    serve = tf.saved_model.load(str(mixed.export_path)).signatures["serving_default"]
    out = serve(images=tf.zeros((2, 24, 24, 3)))
    assert out["probabilities"].dtype == tf.float32 and out["probabilities"].shape == (2, 10)
    assert keras.config.dtype_policy().name == "float32"


def test_mixed_precision_must_be_a_bool():
    with pytest.raises(ValueError, match="mixed_precision=1"):
        program.Cifar10Config(mixed_precision=1)

"""The TensorBoard example: train/ and test/ summaries, test accuracy every 10 steps, traces and checkpoints."""

import dataclasses

import pytest

from kclassics import programs
from kclassics import apps
from kclassics.programs import tensorboard as program


def event_tags(directory):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    accumulator = EventAccumulator(str(directory), size_guidance={"tensors": 0, "images": 0})
    accumulator.Reload()
    return set(accumulator.Tags()["tensors"]) | set(accumulator.Tags()["images"]), accumulator


def test_model_is_784_500_10():
    model = apps.tensorboard_mnist()
    assert model.count_params() == apps.model_info("tensorboard_mnist").params == 397_510
    assert model.get_layer("dropout").rate == pytest.approx(0.1)


@pytest.fixture(scope="module")
def tensorboard_run(tmp_path_factory):
    config = dataclasses.replace(program.TENSORBOARD_MNIST, steps=21, trace_every=10)
    return config, programs.get("tensorboard_mnist").run(config, out=tmp_path_factory.mktemp("runs") / "tb", verbose=0)


def test_summaries_of_the_book(tensorboard_run):
    config, result = tensorboard_run
    train_tags, _ = event_tags(result.run_dir / "logs" / "train")
    test_tags, test_events = event_tags(result.run_dir / "logs" / "test")
    for layer in ("layer1", "layer2"):
        for variable in ("weights", "biases"):
            for stat in ("mean", "stddev", "max", "min", "histogram"):
                assert f"{layer}/{variable}/summaries/{stat}" in train_tags
        assert {f"{layer}/Wx_plus_b/pre_activations", f"{layer}/activations"} <= train_tags & test_tags
    assert {"input_reshape/input", "cross_entropy", "accuracy/accuracy", "dropout/dropout_keep_probability"} <= test_tags
    assert [event.step for event in test_events.Tensors("accuracy/accuracy")] == [0, 10, 20]


def test_traces_checkpoints_and_resume(tensorboard_run, tmp_path):
    config, result = tensorboard_run
    assert list((result.run_dir / "logs" / "train" / "plugins" / "profile").iterdir())
    checkpoints = {p.name.split(".")[0] for p in (result.run_dir / "checkpoints").glob("ckpt-*.weights.h5")}
    assert {"ckpt-9", "ckpt-19"} <= checkpoints
    assert result.steps == 21 and 0.0 <= result.test_accuracy <= 1.0
    resumed = programs.get("tensorboard_mnist").run(dataclasses.replace(config, steps=25), out=result.run_dir, resume=True, verbose=0)
    assert resumed.steps == 25

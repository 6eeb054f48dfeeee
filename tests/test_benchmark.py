"""The chapter 6 timing harness: the loop, the statistics, paired ratios, the figures."""

import dataclasses
import json
import math

import keras
import tensorflow as tf
import pytest

from kclassics import apps, benchmark


class FakeClock:
    """`time.perf_counter` that advances only when a fake step runs."""

    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now

    def step(self, seconds):
        def run():
            self.now += seconds
        return run


def test_book_statistics():
    times = benchmark.StepTimes([0.1, 0.2, 0.3, 0.6])
    assert times.mean == pytest.approx(0.3)
    # The book's population sd: sqrt(E[t^2] - E[t]^2).
    assert times.sd == pytest.approx(math.sqrt((0.01 + 0.04 + 0.09 + 0.36) / 4 - 0.09))
    assert times.median == pytest.approx(0.25)
    assert benchmark.StepTimes([0.145] * 100).sd == 0.0


@pytest.mark.parametrize("clock_name, function", [("wall", "perf_counter"), ("cpu", "process_time")])
def test_time_steps_skips_burn_in_and_reports_every_ten(monkeypatch, clock_name, function):
    clock = FakeClock()
    monkeypatch.setattr(benchmark.time, function, clock)
    durations = iter([9.0] * 3 + [0.01 * i for i in range(1, 26)])
    reported = []
    times = benchmark.time_steps(lambda: clock.step(next(durations))(), steps=25, warmup=3,
                                 on_step=lambda i, d: reported.append((i, round(d, 6))), clock=clock_name)
    assert times.durations == pytest.approx([0.01 * i for i in range(1, 26)])
    assert reported == [(0, 0.01), (10, 0.11), (20, 0.21)]


def test_paired_ratios_come_from_each_step_pair(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(benchmark.time, "perf_counter", clock)
    order = []
    own = iter([0.1, 0.2, 0.1, 0.4, 0.5])
    other = iter([0.3, 0.2, 0.2, 0.4, 1.0])

    def step():
        order.append("own")
        clock.step(next(own))()

    def other_step():
        order.append("other")
        clock.step(next(other))()

    times, other_times = benchmark.time_paired(step, other_step, steps=4, warmup=1)
    # The order alternates so neither model always runs on a warm cache.
    assert order == ["own", "other", "other", "own", "own", "other", "other", "own", "own", "other"]
    assert times.durations == pytest.approx([0.2, 0.1, 0.4, 0.5])
    assert other_times.durations == pytest.approx([0.2, 0.2, 0.4, 1.0])
    assert benchmark.pair_ratios(times, other_times) == pytest.approx([1.0, 2.0, 1.0, 2.0])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(mode="backward"), r"Unknown `mode`. Accepted: .* Received: mode='backward'"),
        (dict(steps=0), r"`steps` must be a positive integer. Received: steps=0"),
        (dict(warmup=-1), r"`warmup` must be a non-negative integer. Received: warmup=-1"),
        (dict(batch_size=2.5), r"`batch_size` must be a positive integer. Received: batch_size=2.5"),
        (dict(clock="gpu"), r"Unknown `clock`. Accepted: wall, cpu. Received: clock='gpu'"),
        (dict(profile_ops=-1), r"`profile_ops` must be a non-negative integer. Received: profile_ops=-1"),
        (dict(profile_by="scope"), r"Unknown `profile_by`. Accepted: type, layer. Received: profile_by='scope'"),
    ],
)
def test_bad_arguments_fail_before_building(kwargs, message):
    with pytest.raises(ValueError, match=message):
        benchmark.benchmark("mnist_cnn", **kwargs)


def test_unknown_model_and_missing_twin():
    with pytest.raises(ValueError, match=r"Unknown model 'mnist_cnx'. Did you mean 'mnist_cnn'\?"):
        benchmark.benchmark("mnist_cnx")
    with pytest.raises(ValueError, match=r"'mlp' has no keras.applications twin .* Received: compare='keras'"):
        benchmark.benchmark("mlp", compare="keras")
    with pytest.raises(ValueError, match=r"Unknown `compare`. Accepted: None, keras. Received: compare='torch'"):
        benchmark.benchmark("mlp", compare="torch")


@pytest.mark.parametrize("mode", benchmark.MODES)
def test_each_mode_runs_a_real_step(mode):
    model = apps.mnist_cnn(input_shape=(12, 12, 1))
    before = [w.numpy().copy() for w in model.trainable_weights]
    step, jit = benchmark.make_step(model, mode, batch_size=4, jit_compile=False)
    step()
    assert jit is False
    changed = any((w.numpy() != b).any() for w, b in zip(model.trainable_weights, before))
    assert changed == (mode == "train")  # only train updates the weights


def test_matmul_peak_is_measured():
    assert 0.1 < benchmark.measure_matmul_peak(size=256, repeats=2) < 1e6


def test_benchmark_figures_and_json(tmp_path):
    lines = []
    result = benchmark.benchmark(
        "softmax_regression", mode="forward-backward", batch_size=8, image_size=10, steps=11, warmup=1,
        jit_compile=False, peak_size=256, log=lines.append,
    )
    assert lines[0].startswith("matmul peak: ")
    assert sum(" step " in line for line in lines) == 2  # steps 0 and 10
    assert lines[-2].endswith(f"Forward-backward across 11 steps, {result.times.mean:.3f} +/- {result.times.sd:.3f} sec / batch")
    assert result.multiply_adds == 100 * 10
    assert result.images_per_sec == pytest.approx(8 / result.times.mean)
    assert result.gflops == pytest.approx(2 * 3 * 1000 * result.images_per_sec / 1e9)
    assert result.fraction_of_peak == pytest.approx(result.gflops / result.peak_gflops)
    path = tmp_path / "figures.json"
    benchmark.write_json(result, str(path))
    figures = json.loads(path.read_text())
    assert figures["input_shape"] == [10, 10, 1] and len(figures["durations"]) == 11
    assert figures["mean"] == pytest.approx(result.times.mean)
    assert figures["machine"]["tensorflow"]
    with pytest.raises(FileExistsError, match="never overwritten"):
        benchmark.write_json(result, str(path))


def test_mixed_precision_policy_is_restored_and_cpu_clock():
    lines = []
    result = benchmark.benchmark(
        "mnist_cnn", batch_size=2, image_size=8, steps=1, warmup=1, mixed_precision=True, peak_size=128,
        clock="cpu", log=lines.append,
    )
    assert result.dtype_policy == "mixed_bfloat16" and result.clock == "cpu"
    assert lines[0].startswith("matmul peak: ") and "GFLOP/s per CPU second (128x128 bfloat16)" in lines[0]
    assert lines[-1].endswith("(jit_compile=False, mixed_bfloat16, CPU seconds)")
    assert keras.config.dtype_policy().name == "float32"


def _give_a_twin(monkeypatch, name, twin):
    """Makes `apps.model_info(name)` name a keras twin, for the duration of a test."""
    card = dataclasses.replace(apps.model_info(name), keras_twin=twin)
    model_info = apps.model_info
    monkeypatch.setattr(apps, "model_info", lambda n: card if n == name else model_info(n))


def test_compare_pairs_the_twin_with_the_same_weights(monkeypatch):
    """The comparison path, with a twin made by cloning (the zoo's twins are tested in tests/apps)."""
    _give_a_twin(monkeypatch, "mnist_cnn", "MnistCnnClone")
    transplanted = []

    def keras_twin(name, **kwargs):
        return keras.models.clone_model(apps.create_model(name, **kwargs))

    def transplant_weights(source, target):
        target.set_weights(source.get_weights())
        transplanted.append((source, target))

    monkeypatch.setattr(apps, "keras_twin", keras_twin, raising=False)
    monkeypatch.setattr(apps, "transplant_weights", transplant_weights, raising=False)
    lines = []
    result = benchmark.benchmark(
        "mnist_cnn", batch_size=2, image_size=8, steps=3, warmup=1, jit_compile=False, compare="keras",
        peak_size=128, log=lines.append,
    )
    assert len(transplanted) == 1
    c = result.compare
    assert c["ratios"] == pytest.approx([o / s for s, o in zip(result.times.durations, c["durations"])])
    assert c["ratio_median"] == pytest.approx(sorted(c["ratios"])[1])
    assert lines[-1].startswith(f"speed ratio kclassics/keras per step pair: median {c['ratio_median']:.3f}")
    assert "(keras: " in lines[1]


def test_op_seconds_sums_the_profiled_ops_by_type():
    from kclassics.layers import Conv2D

    images = keras.Input((8, 8, 3))
    model = keras.Model(images, keras.layers.Dense(2)(keras.layers.Flatten()(Conv2D(4, 3, padding="same", algorithm="winograd")(images))))
    forward = tf.function(lambda x: model(x))
    x = tf.ones((2, 8, 8, 3))
    seconds = benchmark.op_seconds(lambda: forward(x), steps=2)
    assert list(seconds.values()) == sorted(seconds.values(), reverse=True) and all(v > 0 for v in seconds.values())
    assert "XLA" in seconds  # the Winograd transforms run as XLA-compiled functions
    assert any("MatMul" in op_type for op_type in seconds)
    lines = benchmark.op_table_lines({"kclassics": seconds, "keras": {"Conv2D": 0.002}}, top=3)
    assert lines[0] == "| op type | kclassics ms/step (share) | keras ms/step (share) |"
    assert lines[-2] == "| Conv2D | 0.0 (0.0%) | 2.0 (100.0%) |" and lines[-1].startswith("| all ops | ")
    assert len(lines) == 2 + 3 + 1 + 1
    with pytest.raises(ValueError, match="`steps` must be a positive integer. Received: steps=0"):
        benchmark.op_seconds(lambda: forward(x), steps=0)


def test_op_seconds_by_layer_counts_each_layers_forward_and_backward_with_it():
    images = keras.Input((8, 8, 3))
    x = keras.layers.Conv2D(4, 3, padding="same", name="conv_a")(images)
    x = keras.layers.Conv2D(4, 3, padding="same", name="conv_b")(x)
    model = keras.Model(images, keras.layers.Dense(2, name="logits")(keras.layers.Flatten(name="flat")(x)), name="net")
    step, _ = benchmark.make_step(model, "train", 2)
    seconds = benchmark.op_seconds(step, steps=1, layers_of=model)
    assert {"conv_a", "conv_b", "logits"} <= set(seconds) <= {layer.name for layer in model.layers} | {benchmark.OUTSIDE_LAYERS}
    assert benchmark.OUTSIDE_LAYERS in seconds  # the loss and the SGD update
    lines = benchmark.op_table_lines({"kclassics": seconds}, key="layer")
    assert lines[0] == "| layer | kclassics ms/step (share) |"


def test_compare_drops_the_weight_penalties_keras_models_lack():
    model = apps.create_model("resnet_v2_50", input_shape=(32, 32, 3), weights=None, classes=3)
    assert model.losses
    assert benchmark.without_weight_penalties(model) is model and not model.losses


def test_profile_ops_reports_both_models(monkeypatch, tmp_path):
    _give_a_twin(monkeypatch, "mnist_cnn", "MnistCnnClone")
    monkeypatch.setattr(apps, "keras_twin", lambda name, **kw: keras.models.clone_model(apps.create_model(name, **kw)), raising=False)
    monkeypatch.setattr(apps, "transplant_weights", lambda source, target: target.set_weights(source.get_weights()), raising=False)
    lines = []
    result = benchmark.benchmark(
        "mnist_cnn", mode="train", batch_size=2, image_size=8, steps=1, warmup=0, compare="keras", peak_size=128,
        profile_ops=1, log=lines.append,
    )
    assert set(result.op_seconds) == {"kclassics", "keras"}
    assert "op time per step by op type (TensorFlow profiler):" in lines
    assert lines[-1].startswith("| all ops | ")
    path = tmp_path / "f.json"
    benchmark.write_json(result, str(path))
    assert set(json.loads(path.read_text())["op_seconds"]) == {"kclassics", "keras"}
    result = benchmark.benchmark(
        "mnist_cnn", mode="train", batch_size=2, image_size=8, steps=1, warmup=0, compare="keras", peak_size=128,
        profile_ops=1, profile_by="layer", log=lines.append,
    )
    assert result.profile_by == "layer" and "conv1" in result.op_seconds["kclassics"]
    assert "op time per step by layer, keras (TensorFlow profiler):" in lines


@pytest.mark.slow
@pytest.mark.parametrize("name", apps.list_models())
def test_every_registered_model_runs_each_mode(name):
    card = apps.model_info(name)
    # the ImageNet networks at a quarter of their side (at least 75); the small ones (some take one size only) at theirs
    size = None if len(card.input_shape) != 3 or card.input_shape[0] <= 75 else max(75, card.input_shape[0] // 4)
    for mode in benchmark.MODES:
        result = benchmark.benchmark(name, mode=mode, batch_size=2, image_size=size, steps=1, warmup=1, peak_size=128)
        assert result.times.mean > 0 and result.multiply_adds > 0

"""`fit`/`evaluate`/`predict` under the parameter-server, multi-worker and mirrored strategies, on 127.0.0.1."""

import json
import signal
import time

import numpy as np
import pytest

from harness import finish_program, start_program
from kclassics.distribute.local import local_jobs


def wait_for(path, process, timeout=180):
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert process.poll() is None, "program ended early:\n" + process.stdout.read()[-3000:]
        assert time.monotonic() < deadline, f"{path.name} did not appear within {timeout} s"
        time.sleep(0.2)


def coordinator_config(cluster):
    return json.dumps({"cluster": cluster.jobs, "task": {"type": "chief", "index": 0}})


def test_parameter_server_fit_evaluate_predict_save_export(local_cluster, tmp_path):
    cluster = local_cluster(num_workers=2, num_ps=1)
    status, output, result = finish_program(*start_program("parameter_server", coordinator_config(cluster), tmp_path))
    assert status == 0, output[-3000:]
    assert result["devices"] == ["/job:ps/replica:0/task:0/device:CPU:0"]
    losses = result["history"]["loss"]
    assert losses[-1] < losses[0]
    assert len(result["history"]["val_loss"]) == 3
    assert result["iterations"] == 60  # every worker's update counts
    assert sorted(result["global_steps"])[-1] == 60 and len(set(result["global_steps"])) == 60
    assert result["workers"] == [0, 1]
    assert result["evaluation"]["accuracy"] > 0.5
    assert result["reload_error"] < 1e-5
    assert result["export_error"] < 1e-5
    assert "`steps_per_epoch` is required" in result["errors"]["no_steps"]
    assert "tf.data.Dataset" in result["errors"]["arrays"] and "ndarray" in result["errors"]["arrays"]
    # every step of the last epoch (10 x 50 examples) reached the loss metric: no update lost between workers
    assert result["plain_loss_count"] == 10 * 50
    assert result["plain_history"]["loss"][-1] < result["plain_history"]["loss"][0]
    assert result["plain_test_loss"] < result["plain_initial_test_loss"] - 0.3


@pytest.fixture(scope="module")
def dataset_and_stop_at_step(tmp_path_factory):
    """One parameter-server fit of the user's Dataset with StopAtStep(last_step=30), 3 epochs of 12 steps."""
    from kclassics.distribute.local import LocalCluster
    from tests.conftest import subprocess_env

    tmp_path = tmp_path_factory.mktemp("dataset")
    with LocalCluster(num_workers=2, num_ps=1, env=subprocess_env(), log_dir=str(tmp_path)) as cluster:
        status, output, result = finish_program(*start_program("dataset_and_stop_at_step", coordinator_config(cluster), tmp_path))
    assert status == 0, output[-3000:]
    return result


@pytest.mark.xdist_group("ps_dataset")  # one worker builds the fixture (a parameter-server fit, 25 s) for both
def test_parameter_server_fit_takes_a_plain_dataset(dataset_and_stop_at_step):
    result = dataset_and_stop_at_step
    assert result["workers"] == [0, 1]  # each worker rebuilt the dataset from its graph
    assert result["history"]["loss"][-1] < result["history"]["loss"][0]
    assert result["evaluation"]["accuracy"] > 0.5


@pytest.mark.xdist_group("ps_dataset")  # one worker builds the fixture (a parameter-server fit, 25 s) for both
def test_parameter_server_stops_at_exactly_the_requested_step(dataset_and_stop_at_step):
    result = dataset_and_stop_at_step
    assert result["iterations"] == 30  # not the 36 of 3 epochs, nor 30 plus the steps in flight
    assert result["batch_logs"] == 30 and sorted(result["global_steps"]) == list(range(1, 31))
    assert len(result["history"]["loss"]) == 3


def test_multi_worker_weights_identical_on_both_workers(tmp_path):
    jobs = local_jobs(num_workers=2)
    runs = [
        start_program("multi_worker", json.dumps({"cluster": jobs, "task": {"type": "worker", "index": i}}), tmp_path, tag=f"worker{i}")
        for i in range(2)
    ]
    try:
        results = [finish_program(*run, timeout=240) for run in runs]
    finally:
        for process, _ in runs:
            if process.poll() is None:
                process.kill()
    for status, output, _ in results:
        assert status == 0, output[-3000:]
    first, second = (result for _, _, result in results)
    assert first["iterations"] == second["iterations"] == 20
    for a, b in zip(first["weights"], second["weights"]):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert first["history"] == second["history"]
    assert first["history"]["loss"][-1] < first["history"]["loss"][0]
    assert first["evaluation"] == second["evaluation"]


MIRRORED = """
import json, keras, numpy as np, tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
from kclassics import apps, distribute

def train(strategy):
    with strategy.scope():
        keras.utils.set_random_seed(0)
        model = apps.softmax_regression(input_shape=(4, 4, 1), classes=3)
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 4, 4, 1)).astype("float32")
    y = (x.reshape(256, -1).sum(1) > 0).astype("int64") + (x[:, 0, 0, 0] > 1)
    data = tf.data.Dataset.from_tensor_slices((x, y)).batch(32)
    history = model.fit(data, epochs=3, verbose=0)
    return model.get_weights(), history.history["loss"], model.evaluate(data, verbose=0), model.predict(x[:8], verbose=0)

mirrored = distribute.make_strategy("mirrored", devices=["/cpu:0", "/cpu:1"])
assert mirrored.num_replicas_in_sync == 2
one = train(distribute.make_strategy("default"))
two = train(mirrored)
print(json.dumps({
    "weight_diff": max(float(np.abs(a - b).max()) for a, b in zip(one[0], two[0])),
    "loss_one": one[1], "loss_two": two[1], "eval_diff": float(np.abs(np.subtract(one[2], two[2])).max()),
    "predict_diff": float(np.abs(one[3] - two[3]).max()),
}))
"""


def test_mirrored_two_devices_matches_one_device(run_python):
    completed = run_python(MIRRORED, timeout=240)
    assert completed.returncode == 0, completed.stderr[-3000:]
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result["weight_diff"] < 1e-5
    assert np.allclose(result["loss_one"], result["loss_two"], atol=1e-5)
    assert result["loss_two"][-1] < result["loss_two"][0]
    assert result["eval_diff"] < 1e-5 and result["predict_diff"] < 1e-5


@pytest.mark.slow
@pytest.mark.parametrize("training_input", ["dataset_fn", "dataset"])
def test_worker_killed_training_finishes_and_worker_rejoins(local_cluster, tmp_path, training_input):
    cluster = local_cluster(num_workers=2, num_ps=1)
    process, result_path = start_program(
        "worker_fault", coordinator_config(cluster), tmp_path, extra_env={"TRAINING_INPUT": training_input}
    )
    try:
        wait_for(tmp_path / "kill-now", process)
        assert cluster.kill_task("worker", 1, signal.SIGKILL) == -signal.SIGKILL
        time.sleep(2)
        cluster.start_task("worker", 1)
        (tmp_path / "restarted").touch()
        status, output, result = finish_program(process, result_path, timeout=300)
    finally:
        if process.poll() is None:
            process.kill()
    assert status == 0, output[-3000:]
    # No update is lost; a step cut short by the kill is run again elsewhere, so
    # one the dead worker had already applied counts twice (at most its in-flight steps).
    assert 40 * result["epochs_run"] <= result["iterations"] <= 40 * result["epochs_run"] + 4
    assert result["history"]["loss"][-1] < result["history"]["loss"][0]
    assert result["evaluation"]["accuracy"] > 0.5
    assert 1 in result["last_epoch_workers"], "the restarted worker did not rejoin"


@pytest.mark.slow
def test_parameter_server_killed_clear_error_then_resume(local_cluster, tmp_path):
    cluster = local_cluster(num_workers=2, num_ps=1)
    config = coordinator_config(cluster)
    process, result_path = start_program("resumable", config, tmp_path, tag="first")
    try:
        wait_for(tmp_path / "epoch-1", process)
        cluster.kill_task("ps", 0, signal.SIGKILL)
        status, output, _ = finish_program(process, result_path, timeout=180)
    finally:
        if process.poll() is None:
            process.kill()
    assert status != 0
    assert "ParameterServerError" in output and "rerun the same command" in output, output[-3000:]

    cluster.start_task("ps", 0)
    status, output, result = finish_program(*start_program("resumable", config, tmp_path, tag="second"), timeout=300)
    assert status == 0, output[-3000:]
    assert result["epochs_run"][0] >= 2  # finished epochs 0 and 1 are not repeated
    assert result["epochs_run"][-1] == 3
    assert result["iterations"] == 60

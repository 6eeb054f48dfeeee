import re
from pathlib import Path

import numpy as np
import pytest

from kclassics.callbacks import CheckpointSaver, StepLogger, global_step, list_checkpoints


def test_step_checkpoints_rotate(make_model, data, tmp_path):
    saver = CheckpointSaver(tmp_path, save_steps=2, keep=2)
    make_model().fit(*data, batch_size=4, epochs=3, verbose=0, callbacks=[saver])  # 15 steps
    assert [step for step, _ in saver.saved] == [2, 4, 6, 8, 10, 12, 14, 15]  # and a last one at the end
    assert [(step, path.name) for step, path in list_checkpoints(tmp_path)] == [
        (14, "ckpt-14.weights.h5"), (15, "ckpt-15.weights.h5")
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt-14.weights.h5", "ckpt-15.weights.h5"]


def test_time_based_checkpoints(make_model, data, tmp_path):
    saver = CheckpointSaver(tmp_path, save_secs=1e-6, keep=3)
    make_model().fit(*data, batch_size=4, epochs=1, verbose=0, callbacks=[saver])
    assert [step for step, _ in saver.saved] == [1, 2, 3, 4, 5]  # every step outlasts a microsecond
    assert len(list_checkpoints(tmp_path)) == 3

    slow = CheckpointSaver(tmp_path / "slow", save_secs=3600)
    make_model().fit(*data, batch_size=4, epochs=1, verbose=0, callbacks=[slow])
    assert [step for step, _ in slow.saved] == [5]  # only the final one


def test_resumed_training_continues_the_step_count(make_model, data, tmp_path, capsys):
    first = make_model()
    first.fit(*data, batch_size=4, epochs=1, verbose=0, callbacks=[CheckpointSaver(tmp_path, save_steps=100)])
    weights, optimizer_state = first.get_weights(), [v.numpy() for v in first.optimizer.variables]

    resumed = make_model(learning_rate=0.1)  # a fresh process would build the same model
    resumed.fit(
        *data, batch_size=4, epochs=1, verbose=0,
        callbacks=[CheckpointSaver(tmp_path, save_steps=100), StepLogger(every_n_steps=2, first_n_steps=0)],
    )
    out = capsys.readouterr().out
    assert "Restored checkpoint" in out and "(step 5)" in out
    assert re.findall(r"^Step (\d+):", out, re.M) == ["6", "8", "10"]
    assert global_step(resumed) == 10
    assert [step for step, _ in list_checkpoints(tmp_path)] == [5, 10]

    again = make_model()
    saver = CheckpointSaver(tmp_path, save_steps=100)
    again.optimizer.build(again.trainable_variables)
    assert saver.restore_latest(again) == 10 and global_step(again) == 10
    np.testing.assert_array_equal(again.get_weights()[0], resumed.get_weights()[0])
    assert len(optimizer_state) == len(again.optimizer.variables)
    assert not np.array_equal(weights[0], again.get_weights()[0])


def test_a_crash_mid_write_leaves_the_earlier_checkpoints(make_model, data, tmp_path, monkeypatch):
    model = make_model()
    saver = CheckpointSaver(tmp_path, save_steps=2)
    original_save = model.save_weights
    calls = []

    def crash_on_second_save(path, *args, **kwargs):
        calls.append(path)
        if len(calls) == 2:
            with open(path, "wb") as f:
                f.write(b"partial")
            raise OSError("disk full")
        return original_save(path, *args, **kwargs)

    monkeypatch.setattr(model, "save_weights", crash_on_second_save)
    with pytest.raises(OSError, match="disk full"):
        model.fit(*data, batch_size=4, epochs=1, verbose=0, callbacks=[saver])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt-2.weights.h5"]
    assert not Path(calls[1]).name.startswith("ckpt-")  # written beside, renamed only when complete


def test_existing_checkpoints_are_never_overwritten(make_model, data, tmp_path):
    make_model().fit(*data, batch_size=4, verbose=0, callbacks=[CheckpointSaver(tmp_path, save_steps=1)])
    with pytest.raises(FileExistsError, match="already holds checkpoints up to step 5"):
        make_model().fit(*data, batch_size=4, verbose=0, callbacks=[CheckpointSaver(tmp_path, save_steps=1, restore=False)])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({}, "exactly one of `save_steps` and `save_secs`"),
        ({"save_steps": 1, "save_secs": 1}, "exactly one"),
        ({"save_steps": 0}, "save_steps=0"),
        ({"save_secs": -1}, "save_secs=-1"),
        ({"save_steps": 5, "keep": 0}, "keep=0"),
    ],
)
def test_arguments_are_validated(tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        CheckpointSaver(tmp_path, **kwargs)

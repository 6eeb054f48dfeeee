import pytest
import tensorflow as tf

from kclassics.callbacks import ExportMonitor, ValidationMonitor, list_versions


def test_exports_are_versioned_by_step_and_rotated(make_model, data, tmp_path):
    monitor = ExportMonitor(tmp_path, every_n_steps=2, exports_to_keep=2)
    make_model().fit(*data, batch_size=4, epochs=1, verbose=0, callbacks=[monitor])  # 5 steps
    assert [step for step, _ in monitor.exports] == [2, 4, 5]  # and a final export
    assert [version for version, _ in list_versions(tmp_path)] == [4, 5]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["4", "5"]
    served = tf.saved_model.load(str(tmp_path / "5")).signatures["serving_default"]
    assert set(served(images=tf.constant(data[0][:3]))) == {"probabilities", "classes"}


def test_best_only_exports_improvements_of_a_validation_metric(make_model, data, tmp_path):
    x, y = data
    validation = ValidationMonitor((x, -10 * y), every_n_steps=2)  # validation loss only gets worse
    monitor = ExportMonitor(tmp_path, every_n_steps=2, best_only_metric="val_loss")
    make_model().fit(x, y, batch_size=4, epochs=1, verbose=0, callbacks=[validation, monitor])
    assert [step for step, _ in monitor.exports] == [2]
    assert monitor.best_value == validation.evaluations[0][1]["loss"]


def test_versions_stay_newer_than_existing_ones(make_model, data, tmp_path):
    (tmp_path / "7").mkdir()
    monitor = ExportMonitor(tmp_path, every_n_steps=100, exports_to_keep=5)
    make_model().fit(*data, batch_size=4, epochs=1, verbose=0, callbacks=[monitor])
    assert [version for version, _ in list_versions(tmp_path)] == [7, 8]  # step 5 would have been older


def test_arguments_are_validated(make_model, data, tmp_path):
    with pytest.raises(ValueError, match="exports_to_keep=0"):
        ExportMonitor(tmp_path, every_n_steps=1, exports_to_keep=0)
    with pytest.raises(ValueError, match="every_n_steps=-1"):
        ExportMonitor(tmp_path, every_n_steps=-1)
    with pytest.raises(ValueError, match=r"Unknown best_only_metric 'val_auc': the logs of step 1 hold loss, mae"):
        make_model().fit(*data, batch_size=4, verbose=0, callbacks=[ExportMonitor(tmp_path, 1, best_only_metric="val_auc")])

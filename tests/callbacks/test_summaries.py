import keras
import numpy as np
import pytest
import tensorflow as tf

from kclassics.callbacks import SummarySaver


def _events(log_dir):
    """{tag: [steps]} of every summary under `log_dir`."""
    found = {}
    for event_file in log_dir.iterdir():
        for event in tf.compat.v1.train.summary_iterator(str(event_file)):
            for value in event.summary.value:
                found.setdefault(value.tag, []).append(event.step)
    return found


def test_variable_activation_and_image_summaries(tmp_path):
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((16,)), keras.layers.Dense(5, activation="relu", name="hidden"), keras.layers.Dense(3, name="logits")]
    )
    model.compile("sgd", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    x, y = np.random.default_rng(0).random((12, 16), dtype="float32"), np.arange(12) % 3
    saver = SummarySaver(2, tmp_path, variables="hidden", activations="hidden", images=True, image_shape=(4, 4, 1))
    model.fit(x, y, batch_size=3, epochs=1, verbose=0, callbacks=[saver])

    events = _events(tmp_path)
    for stat in ("mean", "stddev", "max", "min"):
        assert events[f"sequential/hidden/kernel/{stat}"] == [2, 4]
    assert events["sequential/hidden/bias"] == [2, 4]  # histogram
    assert "sequential/logits/kernel/mean" not in events  # not selected by `variables`
    assert events["activations/hidden"] == [2, 4]
    assert events["loss"] == [2, 4]
    assert [tag for tag in events if tag.startswith("input")] and events[next(t for t in events if t.startswith("input"))] == [2, 4]


def test_summary_saver_arguments_are_validated(make_model, data, tmp_path):
    with pytest.raises(ValueError, match="log_dir=None"):
        SummarySaver(10, None)
    with pytest.raises(ValueError, match="image_shape"):
        SummarySaver(10, tmp_path, image_shape=(28, 28, 2))
    with pytest.raises(ValueError, match="max_images=0"):
        SummarySaver(10, tmp_path, max_images=0)
    with pytest.raises(ValueError, match=r"input of shape \(4,\) is not an image"):
        make_model().fit(*data, verbose=0, callbacks=[SummarySaver(10, tmp_path, images=True)])
    with pytest.raises(ValueError, match="does not hold the model's input"):
        make_model().fit(*data, verbose=0, callbacks=[SummarySaver(10, tmp_path, images=True, image_shape=(3, 3, 1))])

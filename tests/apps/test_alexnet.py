"""AlexNet's book initializer: seeded builds agree across processes."""

import numpy as np

import keras
import kclassics.apps as apps


def _kernels(model):
    return [np.asarray(model.get_layer(f"conv{i}").kernel) for i in range(1, 6)]


def test_seeded_weights_are_the_same_in_a_fresh_process(tmp_path, run_python):
    keras.utils.set_random_seed(7)
    expected = _kernels(apps.alexnet(include_top=False, input_shape=(64, 64, 3)))
    code = (
        "import keras, numpy as np, kclassics.apps as apps\n"
        "keras.utils.set_random_seed(7)\n"
        "model = apps.alexnet(include_top=False, input_shape=(64, 64, 3))\n"
        f"np.savez({str(tmp_path / 'k.npz')!r}, *[np.asarray(model.get_layer(f'conv{{i}}').kernel) for i in range(1, 6)])\n"
    )
    result = run_python(code)
    assert result.returncode == 0, result.stderr[-2000:]
    with np.load(tmp_path / "k.npz") as saved:
        for index, kernel in enumerate(expected):
            np.testing.assert_array_equal(saved[f"arr_{index}"], kernel)
    # One initializer per layer: the convolutions do not share a seed.
    assert not np.array_equal(expected[2][:, :, :64, :64].ravel()[:100], expected[3][:, :, :64, :64].ravel()[:100])

"""kclassics on Keras's other backends: each in a child process, since Keras fixes its backend at import.

This process runs on TensorFlow; the children run `zoo_checks.py` and
`cross_backend.py` under `KERAS_BACKEND=jax` (jax with CPU support is a test
extra). A `.keras` file written here, where the TensorFlow-only kernels run,
must give the same numbers on JAX, where the `keras.ops` paths run, and back.
"""

import textwrap
from pathlib import Path

import pytest

import keras
from tests.backends import cross_backend
from tests.conftest import run_on_backend

HERE = Path(__file__).resolve().parent
# Where the TensorFlow-only paths are: checked in both directions.
BOTH_WAYS = ["batch_norm", "lrn_fused", "winograd_conv2d", "mnist_cnn"]


def _pytest_on(backend, *args):
    return run_on_backend(backend, ["-m", "pytest", "-q", "-p", "no:cacheprovider", "--numprocesses", "0", str(HERE / "zoo_checks.py"),
                                     *args])


def test_zoo_on_jax():
    result = _pytest_on("jax")
    assert " passed" in result.stdout and "skipped" not in result.stdout


@pytest.mark.slow
def test_whole_zoo_on_jax():
    result = _pytest_on("jax", "-m", "slow")
    assert " passed" in result.stdout and "skipped" not in result.stdout


def test_keras_files_from_tensorflow_compute_the_same_on_jax(tmp_path):
    assert keras.backend.backend() == "tensorflow"
    cross_backend.save(tmp_path)
    result = run_on_backend("jax", [str(HERE / "cross_backend.py"), "check", str(tmp_path)])
    assert result.stdout.split("checked: ")[1].strip() == ", ".join(cross_backend.cases_names())


def test_keras_files_from_jax_compute_the_same_on_tensorflow(tmp_path):
    run_on_backend("jax", [str(HERE / "cross_backend.py"), "save", str(tmp_path), *BOTH_WAYS])
    assert (tmp_path / "backend.txt").read_text() == "jax"
    assert cross_backend.check(tmp_path) == sorted(BOTH_WAYS)


def test_apps_import_and_run_where_tensorflow_cannot_be_imported():
    code = textwrap.dedent(
        """
        import sys

        class NoTensorFlow:
            def find_spec(self, name, path=None, target=None):
                if name == "tensorflow" or name.startswith("tensorflow."):
                    raise ModuleNotFoundError(f"No module named {name!r} (blocked)", name=name)
                return None

        sys.meta_path.insert(0, NoTensorFlow())
        import numpy as np
        import keras
        import kclassics, kclassics.apps, kclassics.layers
        assert keras.backend.backend() == "jax"
        model = kclassics.apps.cifar10_cnn()
        assert model(np.zeros((2, 24, 24, 3), "float32")).shape == (2, 10)
        try:
            import kclassics.programs
        except kclassics._backend.BackendError as error:
            print("refused:", error)
        assert not any(name == "tensorflow" or name.startswith("tensorflow.") for name in sys.modules)
        print("imported without tensorflow")
        """
    )
    result = run_on_backend("jax", ["-c", code])
    assert "imported without tensorflow" in result.stdout
    assert "refused: kclassics.programs runs on the TensorFlow backend only" in result.stdout

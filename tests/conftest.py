"""Shared test fixtures: quiet TensorFlow, a CPU-only environment, and a CLI runner."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")


def subprocess_env(**extra):
    """The environment of a child process that imports this checkout of kclassics."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.update(extra)
    return env


# XLA's CPU code generation at its lowest effort: children on JAX compile many small
# functions (each initializer and each op shape once) and run each only a few times.
FAST_XLA = "--xla_backend_optimization_level=0 --xla_llvm_disable_expensive_passes=true"


def run_on_backend(backend, args, timeout=900):
    """Runs `python ARGS...` with `KERAS_BACKEND=backend` (JAX on the CPU) and asserts it succeeded; returns the CompletedProcess."""
    env = subprocess_env(KERAS_BACKEND=backend, XLA_FLAGS=FAST_XLA, JAX_PLATFORMS="cpu")
    result = subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env)
    assert result.returncode == 0, f"on {backend}:\n{result.stdout[-6000:]}\n{result.stderr[-4000:]}"
    return result


@pytest.fixture
def run_cli(tmp_path):
    """Runs `python -m kclassics ARGS...` in a child process and returns the CompletedProcess."""

    def run(*args, timeout=600, cwd=None):
        return subprocess.run(
            [sys.executable, "-m", "kclassics", *map(str, args)],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=cwd or tmp_path,
            env=subprocess_env(),
        )

    return run


@pytest.fixture
def run_python(tmp_path):
    """Runs a Python snippet in a fresh child process; returns the CompletedProcess."""

    def run(code, timeout=600):
        return subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout, cwd=tmp_path, env=subprocess_env()
        )

    return run


def pytest_configure(config):
    """Refuses `--dist loadgroup` where pytest-xdist cannot apply the groups: each worker would build every group's fixture."""
    if config.getoption("dist", "no") != "loadgroup" or hasattr(config, "workerinput"):
        return
    from importlib.metadata import version

    from packaging.version import Version

    if Version(pytest.__version__) >= Version("9.2") and Version(version("pytest-xdist")) <= Version("3.8"):
        raise pytest.UsageError(
            f"pytest {pytest.__version__} keeps a test's node id where pytest-xdist {version('pytest-xdist')} cannot add "
            f"its xdist_group, so `--dist loadgroup` would silently split the groups. Install the `test` extra's "
            f"versions: pip install -e '.[test]'"
        )

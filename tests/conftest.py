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

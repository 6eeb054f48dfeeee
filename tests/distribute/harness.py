"""Running `programs.py` in child processes with bounded time."""

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import subprocess_env

PROGRAMS = Path(__file__).with_name("programs.py")


def start_program(name, tf_config, tmp_path, tag="coordinator", extra_env=None):
    """Starts `programs.py NAME` in a child process; returns (process, result path)."""
    result = tmp_path / f"{tag}.json"
    process = subprocess.Popen(
        [sys.executable, str(PROGRAMS), name, tf_config, str(tmp_path), str(result)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=subprocess_env(**(extra_env or {})),
    )
    return process, result


def finish_program(process, result, timeout=300):
    """Waits for a program (killing it past `timeout`); returns (exit status, output, result dict or None)."""
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        raise AssertionError(f"program did not finish in {timeout} s:\n{output[-3000:]}")
    data = json.loads(result.read_text()) if result.exists() else None
    return process.returncode, output, data

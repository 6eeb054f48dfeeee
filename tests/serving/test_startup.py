"""A base directory whose only version does not load: the server stops after its first pass with one line, exit 2."""

import subprocess
import sys

import pytest

from tests.conftest import subprocess_env
from tests.test_cli import assert_one_line_error


@pytest.mark.slow
def test_no_version_loads(run_cli, tmp_path):
    version = tmp_path / "broken" / "1"
    version.mkdir(parents=True)
    (version / "saved_model.pb").write_bytes(b"not a protobuf")
    result = run_cli("serve", tmp_path / "broken", "--port", 0, timeout=300)
    assert_one_line_error(result, "Model 'broken' has no servable version in", "version 1: Failed to load")


def test_a_run_directory_is_served_under_its_programs_name(tmp_path):
    """`kclassics serve RUN_DIR`: the run's export, named after the program; a run without one is refused."""
    import dataclasses

    from kclassics import programs
    from kclassics.runs import Run
    from tests.serving.conftest import Server

    program = programs.get("softmax_regression")
    run = program.run(dataclasses.replace(program.config, steps=2), out=tmp_path / "mine", verbose=0)
    server = Server(run.run_dir)
    try:
        status, body = server.wait_ready("softmax_regression").get("/v1/models/softmax_regression")
        assert status == 200 and body["model_version_status"][0]["version"] == "1"
        assert server.get("/v1/models/mine")[0] == 404
    finally:
        server.stop()
    Run.open(tmp_path / "interrupted", program, program.config)  # a run with no checkpoint and no export
    done = subprocess.run([sys.executable, "-m", "kclassics", "serve", str(tmp_path / "interrupted")], capture_output=True,
                          text=True, timeout=120, env=subprocess_env())
    assert done.returncode == 2 and "is a softmax_regression run, and it was interrupted at step 0" in done.stderr, done.stderr

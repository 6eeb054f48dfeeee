"""A base directory whose only version does not load: the server stops after its first pass with one line, exit 2."""

import pytest

from tests.test_cli import assert_one_line_error


@pytest.mark.slow
def test_no_version_loads(run_cli, tmp_path):
    version = tmp_path / "broken" / "1"
    version.mkdir(parents=True)
    (version / "saved_model.pb").write_bytes(b"not a protobuf")
    result = run_cli("serve", tmp_path / "broken", "--port", 0, timeout=300)
    assert_one_line_error(result, "Model 'broken' has no servable version in", "version 1: Failed to load")

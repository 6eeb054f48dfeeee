"""What to serve: version policies, TF Serving's model config file, and the command line's refusals."""

import re

import pytest

from kclassics.serving.config import ModelConfig, VersionPolicy, read_model_config_file
from kclassics.cli import main


def assert_one_line_error(capsys, args, *fragments):
    """`kclassics serve ARGS`, run in this process (it refuses before loading anything), exits 2 with one line."""
    try:
        code = main(["serve", *map(str, args)])
    except SystemExit as exit:  # argparse's own refusals
        code = exit.code
    assert code == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith("kclassics"), last
    for fragment in fragments:
        assert fragment in last, last


@pytest.mark.parametrize(
    "policy, expected",
    [
        (VersionPolicy(), [7]),
        (VersionPolicy("latest", num_versions=2), [3, 7]),
        (VersionPolicy("all"), [1, 3, 7]),
        (VersionPolicy("specific", versions=(1, 3, 9)), [1, 3]),
    ],
)
def test_version_policies(policy, expected):
    assert policy.select([3, 1, 7]) == expected


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"kind": "newest"}, "Unknown version policy. Accepted: latest, all, specific. Received: policy='newest'"),
        ({"kind": "specific"}, "needs at least one version"),
        ({"kind": "all", "versions": (1,)}, "go with the `specific` policy only"),
        ({"num_versions": 0}, "`num_versions` must be a positive integer. Received: num_versions=0"),
    ],
)
def test_bad_policies(kwargs, fragment):
    with pytest.raises(ValueError, match=re.escape(fragment)):
        VersionPolicy(**kwargs)


def test_tf_serving_model_config_file(tmp_path):
    (tmp_path / "models.config").write_text(
        """
        model_config_list {
          config {
            name: 'mnist'
            base_path: '/models/mnist'
            model_platform: 'tensorflow'
            model_version_policy { specific { versions: 1 versions: 2 } }
            version_labels { key: 'stable' value: 1 }
            version_labels { key: 'canary' value: 2 }
          }
          config { name: "resnet" base_path: "resnet" model_version_policy { latest { num_versions: 2 } } }
          config { name: "all" base_path: "all" model_version_policy { all {} } }
        }
        """
    )
    mnist, resnet, every = read_model_config_file(tmp_path / "models.config")
    assert mnist == ModelConfig("mnist", "/models/mnist", VersionPolicy("specific", versions=(1, 2)), {"stable": 1, "canary": 2})
    assert resnet.base_path == tmp_path / "resnet" and resnet.policy == VersionPolicy("latest", num_versions=2)
    assert every.policy == VersionPolicy("all")


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("model_config_list { config { name: 'a' base_pth: '/x' } }", "has no field named \"base_pth\""),
        ("model_config_list { }", "lists no model"),
        ("model_config_list { config { name: 'a' } }", "has no base_path"),
        ("model_config_list { config { name: 'a' base_path: '/x' model_platform: 'onnx' } }", "model_platform='onnx'"),
        ("model_config_list { config { name: 'a' base_path: '/x' } config { name: 'a' base_path: '/y' } }", "a more than once"),
        ("model_config_list { config { name: 'a b' base_path: '/x' } }", "model_name='a b'"),
    ],
)
def test_bad_config_files(tmp_path, text, fragment):
    (tmp_path / "models.config").write_text(text)
    with pytest.raises(ValueError) as error:
        read_model_config_file(tmp_path / "models.config")
    assert fragment in str(error.value)


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["--port", "70000"], "argument --port: expected a port number between 0 and 65535, received '70000'"),
        (["--poll-seconds", "-1"], "argument --poll-seconds: expected a non-negative number of seconds, received '-1'"),
        (["--max-batch-size", "0"], "argument --max-batch-size: expected a positive integer, received '0'"),
        (["--versions", "1,x", "--version-policy", "specific"], "argument --versions: expected comma-separated"),
        (["--versions", "1"], "argument --versions: goes with --version-policy specific"),
        (["--version-policy", "specific"], "--version-policy specific needs the versions"),
    ],
)
def test_bad_flags_one_line(capsys, tmp_path, args, fragment):
    assert_one_line_error(capsys, [tmp_path, *args], fragment)


def test_no_valid_version_fails_with_one_line_before_loading(capsys, tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "1").mkdir()  # a version directory without saved_model.pb
    assert_one_line_error(capsys, [tmp_path / "empty"], "no valid version in", "Expected", "<integer>/saved_model.pb")
    assert_one_line_error(capsys, [tmp_path / "missing"], "No model base directory at")
    assert_one_line_error(capsys, [], "the base directory is missing")
    assert_one_line_error(capsys, [tmp_path / "empty", "--config", tmp_path / "x.config"], "argument --config")
    assert_one_line_error(capsys, ["--config", tmp_path / "x.config"], "No model config file at")

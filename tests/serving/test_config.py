"""What to serve: version policies, TF Serving's model config file, and the command line's refusals."""

import concurrent.futures
import re

import numpy as np
import pytest

from kclassics.serving.config import ModelConfig, VersionPolicy, read_model_config_file
from kclassics.cli import main


def assert_one_line_error(capsys, args, *fragments):
    """`kclassics serve ARGS`, run in this process (it refuses before loading anything), exits 2 with one error line.

    The line is `kclassics: error: ...` holding every fragment, followed by at most one hint line.
    """
    try:
        code = main(["serve", *map(str, args)])
    except SystemExit as exit:  # argparse's own refusals
        code = exit.code
    assert code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    errors = [i for i, line in enumerate(lines) if line.startswith("kclassics: error:")]
    assert len(errors) == 1 and len(lines) - errors[0] <= 2, lines
    for fragment in fragments:
        assert fragment in lines[errors[0]], lines[errors[0]]


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
        (["--allowed-batch-sizes", "8,x"], "argument --allowed-batch-sizes: expected comma-separated positive batch sizes"),
        (["--allowed-batch-sizes", "8,32"], "argument --allowed-batch-sizes: goes with --enable-batching"),
        (["--enable-batching", "--allowed-batch-sizes", "8,16"], "must be increasing positive integers ending at max_batch_size (32)"),
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


def test_batches_run_at_their_size_unless_sizes_are_allowed():
    """TF Serving's default runs a batch as it is; `allowed_batch_sizes` pads it (its last row repeated) to the next size."""
    import asyncio

    from kclassics.serving.batching import Batcher, BatchingOptions

    def batch_sizes(options, requests):
        seen = []

        def run(batch):
            seen.append(len(batch["x"]))
            return {"y": batch["x"] * 2}

        async def main():
            with concurrent.futures.ThreadPoolExecutor(1) as executor:
                batcher = Batcher(run, options, executor)
                answers = await asyncio.gather(*(batcher.submit({"x": np.full((rows, 1), i, "float32")}) for i, rows in enumerate(requests)))
            for i, (rows, answer) in enumerate(zip(requests, answers)):
                np.testing.assert_array_equal(answer["y"], np.full((rows, 1), 2 * i))  # each request gets its own rows back
            return seen

        return asyncio.run(main())

    assert batch_sizes(BatchingOptions(max_batch_size=8, batch_timeout_micros=100_000), [1, 2, 2]) == [5]
    assert batch_sizes(BatchingOptions(max_batch_size=8, batch_timeout_micros=100_000, allowed_batch_sizes=(2, 8)), [1, 2, 2]) == [8]
    assert batch_sizes(BatchingOptions(max_batch_size=4, batch_timeout_micros=100_000), [3, 3, 6]) == [3, 3, 4, 2]
    assert BatchingOptions(max_batch_size=8, allowed_batch_sizes=[2, 4, 8]).bucket(3) == 4

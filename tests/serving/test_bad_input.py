"""Bad input to every public function and class of kclassics.serving and every option of `kclassics serve`.

Out of range, wrong type, wrong shape, NaN and empty values, each answered by
kclassics' own check, before anything loads or listens, in one line naming
the argument and the value received.
"""

import shutil

import pytest

from kclassics.serving import BatchingOptions, ModelConfig, VersionPolicy, read_model_config_file, serve, write_warmup_requests
from tests.serving.test_config import assert_one_line_error

NAN = float("nan")


@pytest.fixture(scope="module")
def files(tmp_path_factory, exports):
    root = tmp_path_factory.mktemp("bad_input")
    (root / "binary.config").write_bytes(b"model_config_list \xff\xfe")
    (root / "empty.config").write_text("")
    (root / "not_a_saved_model").mkdir()
    return {"root": root, "model": exports["root"] / "mnist", "config": ModelConfig("m", exports["root"] / "mnist")}


API = {
    # case: (call(files), exception, fragment)
    "BatchingOptions(max_batch_size): out of range": (lambda f: BatchingOptions(0), ValueError, "Received: max_batch_size=0"),
    "BatchingOptions(max_batch_size): wrong type": (lambda f: BatchingOptions("32"), ValueError, "Received: max_batch_size='32'"),
    "BatchingOptions(max_batch_size): NaN": (lambda f: BatchingOptions(NAN), ValueError, "Received: max_batch_size=nan"),
    "BatchingOptions(batch_timeout_micros): out of range": (lambda f: BatchingOptions(batch_timeout_micros=-1), ValueError,
                                                            "`batch_timeout_micros` must be a non-negative integer. Received: batch_timeout_micros=-1"),
    "BatchingOptions(batch_timeout_micros): NaN": (lambda f: BatchingOptions(batch_timeout_micros=NAN), ValueError, "batch_timeout_micros=nan"),
    "BatchingOptions(num_batch_threads): out of range": (lambda f: BatchingOptions(num_batch_threads=0), ValueError, "num_batch_threads=0"),
    "BatchingOptions(max_enqueued_batches): wrong type": (lambda f: BatchingOptions(max_enqueued_batches=1.5), ValueError, "max_enqueued_batches=1.5"),
    "BatchingOptions(allowed_batch_sizes): wrong type": (lambda f: BatchingOptions(8, allowed_batch_sizes=8), ValueError,
                                                         "`allowed_batch_sizes` must be a list of batch sizes. Received: allowed_batch_sizes=8"),
    "BatchingOptions(allowed_batch_sizes): wrong shape": (lambda f: BatchingOptions(8, allowed_batch_sizes=[[8]]), ValueError,
                                                          "Received: allowed_batch_sizes=[[8]]"),
    "BatchingOptions(allowed_batch_sizes): NaN": (lambda f: BatchingOptions(8, allowed_batch_sizes=[NAN, 8]), ValueError, "allowed_batch_sizes=[nan, 8]"),
    "BatchingOptions(allowed_batch_sizes): out of range": (lambda f: BatchingOptions(8, allowed_batch_sizes=[4, 16]), ValueError,
                                                           "ending at max_batch_size (8), as TF Serving requires. Received: allowed_batch_sizes=[4, 16]"),
    "VersionPolicy(kind): wrong type": (lambda f: VersionPolicy(5), ValueError, "Accepted: latest, all, specific. Received: policy=5"),
    "VersionPolicy(num_versions): NaN": (lambda f: VersionPolicy(num_versions=NAN), ValueError, "Received: num_versions=nan"),
    "VersionPolicy(num_versions): wrong type": (lambda f: VersionPolicy(num_versions=True), ValueError, "Received: num_versions=True"),
    "VersionPolicy(versions): wrong type": (lambda f: VersionPolicy("specific", versions=3), ValueError,
                                            "`versions` must be a list of non-negative integers. Received: versions=3"),
    "VersionPolicy(versions): wrong shape": (lambda f: VersionPolicy("specific", versions=[[1]]), ValueError, "Received: versions=[1]"),
    "VersionPolicy(versions): out of range": (lambda f: VersionPolicy("specific", versions=(-1,)), ValueError, "Received: versions=-1"),
    "VersionPolicy(versions): NaN": (lambda f: VersionPolicy("specific", versions=(NAN,)), ValueError, "Received: versions=nan"),
    "VersionPolicy(versions): empty": (lambda f: VersionPolicy("specific", versions=()), ValueError, "needs at least one version. Received: versions=()"),
    "ModelConfig(name): empty": (lambda f: ModelConfig("", f["model"]), ValueError, "Received: model_name=''"),
    "ModelConfig(name): wrong type": (lambda f: ModelConfig(5, f["model"]), ValueError, "Received: model_name=5"),
    "ModelConfig(base_path): empty": (lambda f: ModelConfig("m", ""), ValueError, "`base_path` must be the path of a directory of versions. Received: base_path=''"),
    "ModelConfig(base_path): wrong type": (lambda f: ModelConfig("m", None), ValueError, "Received: base_path=None"),
    "ModelConfig(policy): wrong type": (lambda f: ModelConfig("m", f["model"], "latest"), ValueError,
                                        "`policy` must be a VersionPolicy, e.g. VersionPolicy('latest'). Received: policy='latest'"),
    "ModelConfig(labels): wrong type": (lambda f: ModelConfig("m", f["model"], labels=[1]), ValueError, "Received: labels=[1]"),
    "ModelConfig(labels): NaN": (lambda f: ModelConfig("m", f["model"], labels={"a": NAN}), ValueError, "Received: version_labels['a']=nan"),
    "ModelConfig(labels): out of range": (lambda f: ModelConfig("m", f["model"], labels={"a": -1}), ValueError, "version_labels['a']=-1"),
    "ModelConfig(labels): empty label": (lambda f: ModelConfig("m", f["model"], labels={"": 1}), ValueError, "Received: label=''"),
    "read_model_config_file(path): empty": (lambda f: read_model_config_file(""), ValueError, "Received: path=''"),
    "read_model_config_file(path): wrong type": (lambda f: read_model_config_file(5), ValueError, "Received: path=5"),
    "read_model_config_file(path): a directory": (lambda f: read_model_config_file(f["root"]), ValueError, "is a directory, not a model config file"),
    "read_model_config_file(path): missing": (lambda f: read_model_config_file(f["root"] / "none.config"), FileNotFoundError, "No model config file at"),
    "read_model_config_file(path): not UTF-8": (lambda f: read_model_config_file(f["root"] / "binary.config"), ValueError,
                                                "is not UTF-8 text: byte 0xff at offset 18"),
    "read_model_config_file(path): empty file": (lambda f: read_model_config_file(f["root"] / "empty.config"), ValueError, "lists no model"),
    "serve(configs): empty": (lambda f: serve([]), ValueError, "`configs` must be a non-empty list of ModelConfig. Received: configs=[]"),
    "serve(configs): wrong type": (lambda f: serve("mnist"), ValueError, "Received: configs='mnist'"),
    "serve(configs): wrong shape": (lambda f: serve(f["config"]), ValueError, "Received: configs=ModelConfig(name='m'"),
    "serve(configs): a name twice": (lambda f: serve([f["config"], f["config"]]), ValueError, "must name each model once. Received: m more than once"),
    "serve(host): empty": (lambda f: serve([f["config"]], host=""), ValueError, "Received: host=''"),
    "serve(port): out of range": (lambda f: serve([f["config"]], port=70000), ValueError,
                                  "`port` must be a port number between 0 and 65535. Received: port=70000"),
    "serve(port): wrong type": (lambda f: serve([f["config"]], port="8501"), ValueError, "Received: port='8501'"),
    "serve(port): NaN": (lambda f: serve([f["config"]], port=NAN), ValueError, "Received: port=nan"),
    "serve(grpc_port): out of range": (lambda f: serve([f["config"]], grpc_port=-5), ValueError, "Received: grpc_port=-5"),
    "serve(grpc_port): the HTTP port": (lambda f: serve([f["config"]], port=8600, grpc_port=8600), ValueError,
                                        "`grpc_port` must differ from `port`. Received: port=8600, grpc_port=8600"),
    "serve(poll_seconds): NaN": (lambda f: serve([f["config"]], poll_seconds=NAN), ValueError, "Received: poll_seconds=nan"),
    "serve(poll_seconds): out of range": (lambda f: serve([f["config"]], poll_seconds=-1), ValueError, "Received: poll_seconds=-1"),
    "serve(batching): wrong type": (lambda f: serve([f["config"]], batching={"max_batch_size": 8}), ValueError,
                                    "`batching` must be a BatchingOptions or None. Received: batching={'max_batch_size': 8}"),
    "serve(max_body_bytes): out of range": (lambda f: serve([f["config"]], max_body_bytes=0), ValueError, "Received: max_body_bytes=0"),
    "serve(on_event): wrong type": (lambda f: serve([f["config"]], on_event="print"), ValueError, "Received: on_event='print'"),
    "write_warmup_requests(saved_model_dir): wrong type": (lambda f: write_warmup_requests(5), ValueError, "Received: saved_model_dir=5"),
    "write_warmup_requests(saved_model_dir): empty": (lambda f: write_warmup_requests(""), ValueError, "Received: saved_model_dir=''"),
    "write_warmup_requests(saved_model_dir): missing": (lambda f: write_warmup_requests(f["root"] / "none"), FileNotFoundError, "No SavedModel directory at"),
    "write_warmup_requests(saved_model_dir): not a SavedModel": (lambda f: write_warmup_requests(f["root"] / "not_a_saved_model"), ValueError,
                                                                 "is not a SavedModel directory: it has no saved_model.pb"),
}


@pytest.mark.parametrize("case", API)
def test_the_apis_bad_input_is_one_line_naming_the_argument_and_the_value(files, case):
    call, exception, fragment = API[case]
    with pytest.raises(exception) as raised:
        call(files)
    message = str(raised.value)
    assert fragment in message and len(message.splitlines()) == 1, message


OPTIONS = {
    # case: (arguments after BASE_DIR, fragment of the last line)
    "--port: wrong type": (["--port", "abc"], "argument --port: expected a port number between 0 and 65535, received 'abc'"),
    "--port: empty": (["--port", ""], "argument --port: expected a port number between 0 and 65535, received ''"),
    "--grpc-port: out of range": (["--grpc-port", "70000"], "argument --grpc-port: expected a port number between 0 and 65535, received '70000'"),
    "--grpc-port: the HTTP port": (["--grpc-port", "8501"], "argument --grpc-port: the HTTP port is 8501 too"),
    "--num-versions: out of range": (["--num-versions", "0"], "argument --num-versions: expected a positive integer, received '0'"),
    "--num-versions: NaN": (["--num-versions", "nan"], "argument --num-versions: expected a positive integer, received 'nan'"),
    "--versions: empty": (["--version-policy", "specific", "--versions", ""], "argument --versions: expected comma-separated"),
    "--versions: wrong shape": (["--version-policy", "specific", "--versions", "1,,3"], "received '1,,3'"),
    "--version-policy: unknown": (["--version-policy", "newest"], "argument --version-policy: invalid choice: 'newest'"),
    "--poll-seconds: NaN": (["--poll-seconds", "nan"], "argument --poll-seconds: expected a non-negative number of seconds, received 'nan'"),
    "--poll-seconds: infinite": (["--poll-seconds", "inf"], "received 'inf'"),
    "--max-batch-size: wrong type": (["--enable-batching", "--max-batch-size", "x"], "argument --max-batch-size: expected a positive integer, received 'x'"),
    "--batch-timeout-micros: out of range": (["--batch-timeout-micros", "-1"], "argument --batch-timeout-micros: expected a non-negative integer, received '-1'"),
    "--num-batch-threads: out of range": (["--num-batch-threads", "0"], "argument --num-batch-threads: expected a positive integer, received '0'"),
    "--allowed-batch-sizes: empty": (["--enable-batching", "--allowed-batch-sizes", ""], "argument --allowed-batch-sizes: expected comma-separated"),
    "--max-body-bytes: out of range": (["--max-body-bytes", "0"], "argument --max-body-bytes: expected a positive integer, received '0'"),
    "--max-body-bytes: wrong type": (["--max-body-bytes", "1e9"], "received '1e9'"),
    "--model-name: empty": (["--model-name", ""], "argument --model-name: expected a name, received ''"),
    "--model-name: wrong characters": (["--model-name", "a b"], "Received: model_name='a b'"),
    "--host: empty": (["--host", ""], "argument --host: expected a host name or address, received ''"),
}


@pytest.mark.parametrize("case", OPTIONS)
def test_the_commands_bad_options_are_one_line(capsys, files, case):
    arguments, fragment = OPTIONS[case]
    assert_one_line_error(capsys, [files["model"], *arguments], fragment)


def test_bad_paths_are_one_line(capsys, files):
    assert_one_line_error(capsys, [""], "argument BASE_DIR: expected a path, received ''")
    assert_one_line_error(capsys, ["--config", ""], "argument --config: expected a path, received ''")
    assert_one_line_error(capsys, ["--config", files["root"]], "is a directory, not a model config file")
    assert_one_line_error(capsys, ["--config", files["root"] / "binary.config"], "is not UTF-8 text: byte 0xff at offset 18")
    copy = files["root"] / "copy"
    shutil.copytree(files["model"] / "1", copy / "1")
    assert_one_line_error(capsys, [copy / "1"], "is a SavedModel itself; serving reads a base directory of versions")

"""The tensorflow-datasets path through tfds's real builders and download manager, with the network refused.

Nothing is mocked inside tfds: `load` builds the dataset's builder in an empty
`data_dir`, constructs the download manager and sends the download request,
which fails because every proxy variable points at a local port that refuses
connections. A module missing from the install therefore fails here, before
any request, as it would for a user.
"""

import socket
import sys

import pytest

from kclassics import data


@pytest.fixture
def refused_network(monkeypatch):
    """Routes every HTTP(S) request to a bound, non-listening local port, so each connection is refused at once."""
    from tensorflow_datasets.core.download import downloader

    closed = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    closed.bind(("127.0.0.1", 0))  # bound (no one else can listen there) but not listening: connections are refused
    proxy = f"http://127.0.0.1:{closed.getsockname()[1]}"
    for variable in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.setenv(variable, proxy)
    for variable in ("NO_PROXY", "no_proxy", "KCLASSICS_DATA_DIR"):
        monkeypatch.delenv(variable, raising=False)
    # tfds retries a refused request 10 times with exponential backoff (minutes in all); one try says the same
    monkeypatch.setattr(downloader, "MAX_RETRIES", 0)
    yield
    closed.close()


@pytest.mark.parametrize("dataset", ["mnist", "cifar10"])
def test_download_failure_says_the_download_failed(tmp_path, refused_network, dataset):
    with pytest.raises(FileNotFoundError) as caught:
        data.load(dataset, source="tfds", data_dir=tmp_path)
    message = str(caught.value)
    assert f"{dataset} is not prepared in {str(tmp_path)!r}" in message
    assert "could not download it: the download failed (" in message and "Connection refused" in message
    assert "not available" not in message
    assert "Pass --data-dir" in message  # what to give instead


def test_a_module_missing_from_the_install_is_named(tmp_path, refused_network, monkeypatch):
    from etils import epy
    from tensorflow_datasets.core import dataset_builder

    # tfds imports importlib_resources lazily, on first use in the builder: make that import fail as in a bare install
    monkeypatch.setitem(sys.modules, "importlib_resources", None)
    with epy.lazy_imports():
        import importlib_resources as missing
    monkeypatch.setattr(dataset_builder, "importlib_resources", missing)
    # the builders memoise where their code lies and what it holds; forget both so this load looks again
    for memoised in ("code_path", "url_infos"):
        dataset_builder.DatasetBuilder.__dict__[memoised].fget.__func__.cache_clear()
    with pytest.raises(ModuleNotFoundError, match="the module 'importlib_resources' it imports is not installed") as caught:
        data.load("mnist", source="tfds", data_dir=tmp_path)
    assert caught.value.name == "importlib_resources"
    assert "pip install importlib_resources" in str(caught.value)

"""What to serve: models, their base directories, version policies and labels, and TF Serving's config file.

`--model_config_file` of TF Serving is a text protobuf (`ModelServerConfig`):

    model_config_list {
      config {
        name: "mnist"
        base_path: "/models/mnist"
        model_platform: "tensorflow"
        model_version_policy { specific { versions: 1 versions: 2 } }
        version_labels { key: "stable" value: 1 }
      }
    }

`read_model_config_file` parses the same text with protobuf's own text
format into TF Serving's own `ModelServerConfig` message (from the published
`tensorflow-serving-api` package), so a file written for TF Serving works
unchanged; `model_configs` reads the same message from a
`HandleReloadConfigRequest`.
"""

import dataclasses
import os
import re
from pathlib import Path

from kclassics import validation

POLICIES = ("latest", "all", "specific")
NAME = re.compile(r"^[A-Za-z0-9_.\-]+$")


@dataclasses.dataclass(frozen=True)
class VersionPolicy:
    """Which versions of a base directory are served, as TF Serving's `ServableVersionPolicy`.

    Args:
        kind: `"latest"` (the `num_versions` largest, default 1), `"all"`, or
            `"specific"` (exactly `versions`).
        num_versions: how many of the latest versions, for `"latest"`.
        versions: the version numbers, for `"specific"`.
    """

    kind: str = "latest"
    num_versions: int = 1
    versions: tuple = ()

    def __post_init__(self):
        if self.kind not in POLICIES:
            raise ValueError(f"Unknown version policy. Accepted: {', '.join(POLICIES)}. Received: policy={self.kind!r}")
        validation.positive_int("num_versions", self.num_versions)
        if not isinstance(self.versions, (tuple, list)):
            raise ValueError(f"`versions` must be a list of non-negative integers. Received: versions={self.versions!r}")
        object.__setattr__(self, "versions", tuple(self.versions))  # frozen: a list given is kept as a tuple
        for version in self.versions:
            validation.non_negative_int("versions", version)
        if self.kind == "specific" and not self.versions:
            raise ValueError("The `specific` version policy needs at least one version. Received: versions=()")
        if self.kind != "specific" and self.versions:
            raise ValueError(f"`versions` go with the `specific` policy only. Received: policy={self.kind!r}, versions={self.versions!r}")

    def select(self, versions):
        """The versions to serve among those present (`versions`, integers)."""
        present = sorted(versions)
        if self.kind == "all":
            return present
        if self.kind == "latest":
            return present[-self.num_versions :]
        return [v for v in present if v in self.versions]

    def describe(self):
        if self.kind == "latest":
            return f"latest {self.num_versions}"
        if self.kind == "specific":
            return "specific " + ", ".join(map(str, sorted(self.versions)))
        return "all"


@dataclasses.dataclass(frozen=True)
class ModelConfig:
    """One served model: its name in URLs, its base directory of `<version>/saved_model.pb`, policy and labels."""

    name: str
    base_path: Path
    policy: VersionPolicy = VersionPolicy()
    labels: dict = dataclasses.field(default_factory=dict)

    def __post_init__(self):
        if not isinstance(self.name, str) or not NAME.match(self.name):
            raise ValueError(f"A model name is letters, digits, '_', '-' and '.'. Received: model_name={self.name!r}")
        if not isinstance(self.base_path, (str, os.PathLike)) or not str(self.base_path):
            raise ValueError(f"`base_path` must be the path of a directory of versions. Received: base_path={self.base_path!r}")
        object.__setattr__(self, "base_path", Path(self.base_path).expanduser().absolute())
        if not isinstance(self.policy, VersionPolicy):
            raise ValueError(f"`policy` must be a VersionPolicy, e.g. VersionPolicy('latest'). Received: policy={self.policy!r}")
        if not isinstance(self.labels, dict):
            raise ValueError(f"`labels` must be a dict of version labels (label -> version). Received: labels={self.labels!r}")
        for label, version in self.labels.items():
            if not isinstance(label, str) or not NAME.match(label) or label.isdigit():
                raise ValueError(f"A version label is a word of letters, digits, '_', '-' and '.'. Received: label={label!r}")
            validation.non_negative_int(f"version_labels[{label!r}]", version)


def read_model_config_file(path):
    """The `ModelConfig`s of a TF Serving `--model_config_file` (text protobuf); relative paths are the file's."""
    from google.protobuf import text_format
    from tensorflow_serving.config import model_server_config_pb2

    if not isinstance(path, (str, os.PathLike)) or not str(path):
        raise ValueError(f"`path` must be the path of a model config file. Received: path={path!r}")
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{path} is a directory, not a model config file. Received: config={str(path)!r}")
    if not path.is_file():
        raise FileNotFoundError(f"No model config file at {path}. Received: config={str(path)!r}")
    message = model_server_config_pb2.ModelServerConfig()
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"The model config file {path} is not UTF-8 text: byte 0x{data[error.start]:02x} at offset {error.start}.") from None
    try:
        text_format.Parse(text, message)
    except text_format.ParseError as error:
        raise ValueError(f"Cannot read the model config file {path}: {error}") from None
    configs = model_configs(message, f"the model config file {path}", path.parent)
    if not configs:
        raise ValueError(f"The model config file {path} lists no model (expected model_config_list {{ config {{ ... }} }}).")
    return configs


def model_configs(message, source, relative_to):
    """The `ModelConfig`s of a `ModelServerConfig` message (TF Serving's model_server_config.proto).

    `source` names where it came from, for errors; relative base paths are
    taken relative to `relative_to`.
    """
    if message.WhichOneof("config") == "custom_model_config":
        raise ValueError(f"Only a model_config_list is served; {source} holds a custom_model_config.")
    configs = []
    for entry in message.model_config_list.config:
        platform = entry.model_platform or "tensorflow"
        if platform != "tensorflow":
            raise ValueError(f"Only TensorFlow SavedModels are served. Received: model_platform={platform!r} for model {entry.name!r}")
        which = _which_policy(entry.model_version_policy)
        if which == "specific":
            policy = VersionPolicy("specific", versions=tuple(entry.model_version_policy.specific.versions))
        elif which == "all":
            policy = VersionPolicy("all")
        else:
            policy = VersionPolicy("latest", num_versions=entry.model_version_policy.latest.num_versions or 1)
        if not entry.base_path:
            raise ValueError(f"Model {entry.name!r} in {source} has no base_path.")
        base = Path(entry.base_path).expanduser()
        configs.append(ModelConfig(entry.name, base if base.is_absolute() else Path(relative_to) / base, policy, dict(entry.version_labels)))
    names = [c.name for c in configs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"Model names must be unique in {source}. Received: {', '.join(duplicates)} more than once")
    return configs


def _which_policy(policy):
    for field in ("specific", "all", "latest"):
        if policy.HasField(field):
            return field
    return None

"""The served models: which versions of each base directory are loaded, kept up to date by polling.

Every `poll_seconds` the manager lists each base directory. A version is an
integer sub-directory holding `saved_model.pb`; it is loaded only once its
files (names, sizes and modification times) are the same in two scans in a
row, so a version still being copied in is never loaded half-written (exports
written by kclassics appear by an atomic rename and pass on the next scan).
The version policy picks the versions to serve among those; new ones are
loaded before old ones are unloaded, so a model never stops answering while a
newer version comes in. A version that fails to load is reported (state END
with its error) and tried again when its files change.

`reload(configs)` (TF Serving's `HandleReloadConfigRequest`) changes the
served models while they serve: a new model is loaded before it is listed, a
model whose policy changes loads its new versions before it unloads the old
ones, a model whose base path changes is loaded afresh beside the old one and
then takes its place, and a model left out is unloaded.
"""

import dataclasses
import os
import threading
import time
from pathlib import Path

from kclassics.serving.errors import ServingError

STATES = ("START", "LOADING", "AVAILABLE", "UNLOADING", "END")


@dataclasses.dataclass
class VersionStatus:
    state: str
    error_code: str = "OK"
    error_message: str = ""
    servable: object = None
    fingerprint: object = None

    def as_json(self, version):
        return {
            "version": str(version),
            "state": self.state,
            "status": {"error_code": self.error_code, "error_message": self.error_message},
        }


def version_directories(base_path):
    """`{version: fingerprint}` of the integer sub-directories of `base_path` that hold a saved_model.pb."""
    found = {}
    try:
        entries = list(os.scandir(base_path))
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return found
    for entry in entries:
        if not entry.name.isdigit() or not entry.is_dir():
            continue
        directory = Path(entry.path)
        if not (directory / "saved_model.pb").is_file():
            continue
        files = []
        for root, _, names in os.walk(directory):
            for name in names:
                try:
                    stat = os.stat(os.path.join(root, name))
                except FileNotFoundError:
                    continue
                files.append((os.path.relpath(os.path.join(root, name), directory), stat.st_size, stat.st_mtime_ns))
        found[int(entry.name)] = tuple(sorted(files))
    return found


def check_servable(configs):
    """Refuses, before anything loads, a model whose base directory holds no `<integer>/saved_model.pb`."""
    for config in configs:
        base = config.base_path
        if not base.exists():
            raise FileNotFoundError(f"No model base directory at {base}. Received: base_path={str(base)!r} for model {config.name!r}")
        if not base.is_dir():
            raise NotADirectoryError(f"The model base path {base} is a file, not a directory (of <integer>/saved_model.pb versions).")
        if (base / "saved_model.pb").is_file():
            raise ValueError(
                f"{base} is a SavedModel itself; serving reads a base directory of versions: move it to {base}/1 "
                f"and serve {base}. Received: base_path={str(base)!r}"
            )
        present = version_directories(base)
        if not config.policy.select(present):
            found = ", ".join(map(str, sorted(present))) or "none"
            raise ValueError(
                f"Model {config.name!r}: no valid version in {base} (versions with saved_model.pb: {found}; "
                f"policy: {config.policy.describe()}). Expected {base}/<integer>/saved_model.pb"
            )


class Model:
    """One configured model: its versions' statuses and the loaded servables; `labels` name versions."""

    def __init__(self, config):
        self.config = config
        self.name = config.name
        self.labels = dict(config.labels)
        self.versions = {}  # version -> VersionStatus
        self.previous_scan = None

    def available(self):
        return sorted(v for v, status in self.versions.items() if status.state == "AVAILABLE")

    @property
    def ready(self):
        return bool(self.available())


class ModelManager:
    """Loads the configured models' versions and keeps them in step with their base directories.

    Args:
        configs: `ModelConfig`s.
        poll_seconds: seconds between scans of the base directories (0: scan once at start).
        load: `load(model_name, version, path) -> servable`.
        on_event: called with one line for each version loaded, unloaded or failed.
    """

    def __init__(self, configs, poll_seconds, load, on_event=lambda line: None):
        self.models = {config.name: Model(config) for config in configs}
        self.poll_seconds = poll_seconds
        self.load = load
        self.on_event = on_event
        self.lock = threading.Lock()  # guards the versions' statuses, which requests read
        self.update_lock = threading.Lock()  # one update at a time: the polls and the reloads
        self.stopped = threading.Event()
        self.started = threading.Event()
        self.thread = None

    def start(self, on_initial_load=lambda failures: None):
        """Loads every model's versions in a background thread, then polls; `on_initial_load(failures)` after the first pass."""

        def loop():
            self.poll(initial=True)
            self.started.set()
            on_initial_load(self.startup_failures())
            while self.poll_seconds > 0 and not self.stopped.wait(self.poll_seconds):
                self.poll()

        self.thread = threading.Thread(target=loop, name="kclassics-serving-poll", daemon=True)
        self.thread.start()

    def stop(self):
        self.stopped.set()

    def startup_failures(self, names=None):
        """One line per model (of `names`, default all) with no available version after the first pass."""
        lines = []
        for model in self.models.values():
            if model.ready or (names is not None and model.name not in names):
                continue
            errors = [f"version {v}: {s.error_message}" for v, s in sorted(model.versions.items()) if s.error_message]
            detail = "; ".join(errors) if errors else "no version directory (<integer>/saved_model.pb) matches its version policy"
            lines.append(f"Model {model.name!r} has no servable version in {model.config.base_path}: {detail}")
        return lines

    def poll(self, initial=False):
        with self.update_lock:
            for model in list(self.models.values()):
                if self.stopped.is_set():
                    return
                self._update(model, initial)

    def reload(self, configs):
        """Serves `configs` (`ModelConfig`s) in place of the current models, loading before unloading; returns when done.

        Raises `ServingError`: INVALID_ARGUMENT for a base directory with no
        version its policy selects (nothing is changed), FAILED_PRECONDITION for a label
        on a version that is not available (that model keeps its old labels),
        and the load's error for a new model none of whose versions loaded.
        """
        with self.update_lock:
            current = self.models
            try:
                check_servable(configs)  # a missing directory, or a policy that selects nothing, changes nothing
            except (OSError, ValueError) as error:
                raise ServingError("INVALID_ARGUMENT", str(error)) from None
            models = {}
            for config in configs:
                model = current.get(config.name)
                if model is None or model.config.base_path != config.base_path:
                    model = Model(config)  # loaded beside the one it replaces, which serves until the swap
                else:
                    model.config = config
                self._update(model, initial=True)
                models[config.name] = model
            with self.lock:
                self.models = models
            for name in sorted(set(current) - set(models)):
                self.on_event(f"model {name!r} unloaded (not in the new model config)")
            problems = []
            for config in configs:
                model = models[config.name]
                unavailable = {label: v for label, v in config.labels.items() if v not in model.available()}
                if unavailable:
                    problems.append(ServingError("FAILED_PRECONDITION", "; ".join(
                        f"Request to assign label {label!r} to version {v} of model {config.name!r}, which is not currently "
                        f"available for inference" for label, v in sorted(unavailable.items()))))
                else:
                    model.labels = dict(config.labels)
            failures = self.startup_failures({config.name for config in configs})
            if failures:
                raise ServingError("UNKNOWN", " | ".join(failures))
            if problems:
                raise problems[0]

    def _update(self, model, initial):
        scan = version_directories(model.config.base_path)
        if initial:
            stable = scan  # at start-up, what is there is loaded; a half-written version fails and is retried
        else:
            stable = {v: fp for v, fp in scan.items() if model.previous_scan.get(v) == fp or v in model.available()}
        model.previous_scan = scan
        while True:  # a version that fails to load gives way to the next one the policy accepts
            candidates = {v: fp for v, fp in stable.items() if not self._failed(model, v, fp)}
            aspired = set(model.config.policy.select(candidates))
            wanted = [v for v in sorted(aspired, reverse=True) if model.versions.get(v, VersionStatus("START")).state != "AVAILABLE"]
            if not wanted:
                break
            for version in wanted:
                self._load(model, version, stable[version])
        # Unload what the policy no longer wants or what was deleted, once the wanted versions are in.
        for version, status in sorted(model.versions.items()):
            if version not in scan and status.state != "LOADING":
                with self.lock:
                    del model.versions[version]  # deleted: requests holding it finish on it
                if status.state == "AVAILABLE":
                    self.on_event(f"model {model.name!r} version {version} unloaded (deleted)")
            elif status.state == "AVAILABLE" and version not in aspired:
                with self.lock:
                    model.versions[version] = VersionStatus("END")
                self.on_event(f"model {model.name!r} version {version} unloaded (not in the version policy, {model.config.policy.describe()})")

    @staticmethod
    def _failed(model, version, fingerprint):
        status = model.versions.get(version)
        return status is not None and status.error_code != "OK" and status.fingerprint == fingerprint

    def _load(self, model, version, fingerprint):
        with self.lock:
            model.versions[version] = VersionStatus("LOADING", fingerprint=fingerprint)
        started = time.perf_counter()
        try:
            servable = self.load(model.name, version, model.config.base_path / str(version))
        except Exception as error:  # noqa: BLE001 - any failure to load is reported in the version's status
            message = " ".join(str(error).split())[:500] or type(error).__name__
            with self.lock:
                model.versions[version] = VersionStatus("END", "UNKNOWN", f"Failed to load: {message}", fingerprint=fingerprint)
            self.on_event(f"model {model.name!r} version {version} failed to load: {message}")
            return
        with self.lock:
            model.versions[version] = VersionStatus("AVAILABLE", servable=servable, fingerprint=fingerprint)
        self.on_event(f"model {model.name!r} version {version} available ({time.perf_counter() - started:.2f} s to load)")

    # Lookups for requests.

    def model(self, name):
        model = self.models.get(name)
        if model is None:
            raise ServingError("NOT_FOUND", f"Servable not found for request: Latest({name})")
        return model

    @staticmethod
    def _labelled_version(model, version, label):
        """The version a label names (`/labels/L`), else `version` as given."""
        if label is None:
            return version
        if label not in model.labels:
            raise ServingError("NOT_FOUND", f"Unrecognized servable version label: {label}")
        return model.labels[label]

    def resolve(self, name, version=None, label=None):
        """The servable a request names: the latest available version, a specific version, or a labelled one."""
        model = self.model(name)
        version = self._labelled_version(model, version, label)
        with self.lock:
            if version is None:
                available = model.available()
                if not available:
                    loading = [v for v, s in model.versions.items() if s.state == "LOADING"]
                    if loading or not self.started.is_set():
                        raise ServingError("UNAVAILABLE", f"Model {name!r} is loading; no version is available yet.")
                    raise ServingError("NOT_FOUND", f"Servable not found for request: Latest({name})")
                return model.versions[available[-1]].servable
            status = model.versions.get(version)
            if status is not None and status.state == "AVAILABLE":
                return status.servable
            if (status is not None and status.state == "LOADING") or not self.started.is_set():
                raise ServingError("UNAVAILABLE", f"Version {version} of model {name!r} is loading.")
            raise ServingError("NOT_FOUND", f"Servable not found for request: Specific({name}, {version})")

    def available(self, name):
        """The available versions of model `name` (NOT_FOUND for an unknown model)."""
        model = self.model(name)
        with self.lock:
            return model.available()

    def servables(self):
        """Every loaded servable, of every model."""
        with self.lock:
            return [s.servable for m in self.models.values() for s in m.versions.values() if s.servable is not None]

    def status(self, name, version=None, label=None):
        """TF Serving's GetModelStatusResponse, plus KServe V1's `name` and `ready`."""
        model = self.model(name)
        version = self._labelled_version(model, version, label)
        with self.lock:
            versions = dict(model.versions)
            ready = model.ready
        if not self.started.is_set() and not versions:
            raise ServingError("UNAVAILABLE", f"Model {name!r} is loading.")
        if version is not None:
            if version not in versions:
                raise ServingError("NOT_FOUND", f"Could not find version {version} of model {name}")
            versions = {version: versions[version]}
        elif not versions:
            raise ServingError("NOT_FOUND", f"Could not find any versions of model {name}")
        return {
            "model_version_status": [status.as_json(v) for v, status in sorted(versions.items(), reverse=True)],
            "name": name,
            "ready": ready if version is None else versions[version].state == "AVAILABLE",
        }

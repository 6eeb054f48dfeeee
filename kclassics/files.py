"""Files that are never half-written: staged beside their target and renamed into place.

    write_json(path, value)          # a reader sees the old file or the new one, never a part
    read_json(path)                  # the value, or None when the file is missing or not yet whole
    staged(path, model.save)         # any writer that takes a path
    keep_newest(groups, 3)           # a rotation: the files of all but the newest 3 checkpoints go
"""

import json
import os
from pathlib import Path

STAGING = ".staging-"  # the prefix of files and directories being written; a killed writer's are removed on reopening


def staging_path(target, suffix=""):
    """The path a writer of `target` writes to before the rename: beside it, named for this process."""
    target = Path(target)
    staging = target.with_name(f"{STAGING}{os.getpid()}-{target.name}")
    return staging if staging.name.endswith(suffix) else staging.with_name(staging.name + suffix)


def staged(target, write, suffix=""):
    """Calls `write(staging_path)` beside `target`, then renames the file into place (`suffix`: an ending `write` needs)."""
    staging = staging_path(target, suffix)
    try:
        write(str(staging))
        os.replace(staging, target)
    finally:
        if staging.exists():
            staging.unlink()


def write_json(path, value, indent=2, default=None):
    """Writes `value` as JSON to `path` atomically."""
    staged(path, lambda p: Path(p).write_text(json.dumps(value, indent=indent, default=default)))


def read_json(path):
    """The JSON value in `path`, or None when there is no such file (or it is not whole JSON)."""
    try:
        return json.loads(Path(path).read_text())
    except (FileNotFoundError, NotADirectoryError, json.JSONDecodeError):
        return None


def keep_newest(groups, keep):
    """Deletes the files of all but the newest `keep` groups (`groups`: lists of paths, oldest first)."""
    for group in list(groups)[: max(len(groups) - keep, 0)]:
        for path in group:
            Path(path).unlink(missing_ok=True)

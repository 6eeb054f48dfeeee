"""One registry class for everything kclassics looks up by name: models, programs, datasets.

    MODELS = Registry("model", modules=("kclassics.apps",))
    MODELS.register("mnist_cnn", card)
    MODELS.get("mnist_cnn")                 # the entry
    MODELS.names("resnet_v2_*")             # sorted, resnet_v2_50 before resnet_v2_101

A registry imports its `modules` (which register their entries) on the first
lookup, so naming a registry costs nothing until it is used.
"""

import difflib
import fnmatch
import importlib
import re


def natural_key(name):
    """Sort key that orders the numbers inside names by value: `resnet_v1_18` before `resnet_v1_101`."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


class Registry:
    """Entries of one kind by unique name, with did-you-mean errors, wildcard listing and lazy loading.

    Args:
        kind: what the entries are (`"model"`, `"program"`), used in messages.
        modules: modules imported on the first lookup; importing them registers the entries.
    """

    def __init__(self, kind, modules=()):
        self.kind = kind
        self._modules = tuple(modules)
        self._entries = {}
        self._loaded = not self._modules

    def register(self, name, entry):
        """Adds `entry` under `name` and returns it; a name is registered once."""
        if not isinstance(name, str) or not name:
            raise ValueError(f"A {self.kind} name must be a non-empty string. Received: name={name!r}")
        if name in self._entries:
            raise ValueError(f"{self.kind.capitalize()} {name!r} is already registered. Received: name={name!r}")
        self._entries[name] = entry
        return entry

    def get(self, name, argument="name"):
        """The entry registered as `name`; an unknown name is a ValueError with the closest names.

        Args:
            name: the name looked up.
            argument: how the caller's user gave it (`"--tuner"`), for the message.
        """
        self._load()
        if name in self._entries:
            return self._entries[name]
        close = difflib.get_close_matches(str(name), list(self._entries), n=3, cutoff=0.6)
        hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        raise ValueError(
            f"Unknown {self.kind} {name!r}.{hint} Received: {argument}={name!r}; "
            f"{len(self._entries)} are registered: {', '.join(self.names())}."
        )

    def names(self, pattern="*"):
        """Registered names matching a shell wildcard (`"resnet_v2_*"`, `"vgg1?"`), in natural order."""
        if not isinstance(pattern, str):
            raise TypeError(f"`pattern` must be a string such as 'resnet*'. Received: pattern={pattern!r}")
        self._load()
        return sorted(fnmatch.filter(self._entries, pattern), key=natural_key)

    def items(self, pattern="*"):
        """`(name, entry)` pairs in the order of `names(pattern)`."""
        return [(name, self._entries[name]) for name in self.names(pattern)]

    def __iter__(self):
        return iter(self.names())

    def __contains__(self, name):
        self._load()
        return name in self._entries

    def __len__(self):
        self._load()
        return len(self._entries)

    def _load(self):
        if not self._loaded:
            self._loaded = True
            for module in self._modules:
                importlib.import_module(module)

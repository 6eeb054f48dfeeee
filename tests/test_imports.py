"""Every public module, and every import the README and docs show, works as the first import of a fresh process.

An import cycle passes unnoticed in a test process that has imported
something else first, so each case runs in a new interpreter. The cases run
side by side (one process per core), and each test reads its case's outcome.
The default run covers the package, its public modules and subpackages
(`kclassics.layers`, ...) and the documented imports on TensorFlow, and on
JAX the modules documented to run there; `slow` adds every public module at
every depth (`kclassics.apps.alexnet`, ...) and the rest on JAX, where they
import or refuse with one line.
"""

import concurrent.futures
import os
import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT, subprocess_env

# one worker runs this module, so its module-scoped fixture (tens of seconds) is built once, not once per worker
pytestmark = pytest.mark.xdist_group("imports")

_DOC_IMPORT = re.compile(r"^\s*((?:from kclassics[\w.]* import [\w, ]+?(?: as \w+)?)|(?:import kclassics[\w.]*))\s*(?:#.*)?$")


def public_modules(depth=None):
    """`kclassics` and its modules and packages whose dotted name has no part starting with `_` (at most `depth` below it)."""
    names = []
    for path in sorted((ROOT / "kclassics").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if not any(part.startswith("_") for part in parts) and (depth is None or len(parts) <= depth + 1):
            names.append(".".join(parts))
    return names


def documented_imports():
    """The distinct `import kclassics...` / `from kclassics... import ...` lines of README.md and docs/*.md."""
    lines = set()
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for line in doc.read_text().splitlines():
            match = _DOC_IMPORT.match(line)
            if match:
                lines.add(match.group(1))
    return sorted(lines)


def first_module(statement):
    """The kclassics module a statement imports first (an import cycle depends on that one only)."""
    words = statement.replace(",", " ").split()
    if words[0] == "import":
        return words[1]
    package, first = words[1], words[3]
    return f"{package}.{first}" if f"{package}.{first}" in ALL_MODULES else package


ALL_MODULES = public_modules()
MODULES = public_modules(depth=1)
DEEP_MODULES = sorted(set(ALL_MODULES) - set(MODULES))
# A documented import whose first module is not already a case of its own (the names it takes are the docs tests').
STATEMENTS = sorted({first_module(s): s for s in documented_imports() if first_module(s) not in MODULES}.values())
# The modules documented to run on JAX (docs/zoo.md, language_model.md, word2vec.md); the rest are the slow run's.
ON_JAX = ["kclassics", "kclassics.apps", "kclassics.embeddings", "kclassics.language_model", "kclassics.layers"]
# On JAX a module imports, or refuses with kclassics' one-line BackendError (the TensorFlow features).
_ON_JAX = """
import sys
try:
    import {module}
except Exception as error:
    if type(error).__name__ != "BackendError":
        raise
    print("refused:", error)
"""


# The modules whose source registers Keras objects: `import keras, kclassics` must have registered everything they do.
REGISTERING = sorted(".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
                     for path in (ROOT / "kclassics").rglob("*.py") if "register_keras_serializable" in path.read_text())
_REGISTRATION = """
import importlib
import keras, kclassics

def registered():
    return {{name for name in keras.saving.get_custom_objects() if name.startswith("kclassics>")}}

found = registered()
for module in {modules!r}:
    try:
        importlib.import_module(module)
    except Exception as error:  # on JAX the TensorFlow features refuse with BackendError
        if type(error).__name__ != "BackendError":
            raise
late = sorted(registered() - found)
assert not late, f"registered only once their own module is imported, so a .keras file of them does not load: {{late}}"
"""


def _cases(modules, statements=(), jax_modules=None):
    cases = {("tensorflow", f"import {module}"): f"import {module}" for module in modules}
    cases.update({("tensorflow", statement): statement for statement in statements})
    jax_modules = modules if jax_modules is None else jax_modules
    cases.update({("jax", f"import {module}"): _ON_JAX.format(module=module) for module in jax_modules})
    return cases


def _run_all(cases):
    """Each case's `CompletedProcess`, run in its own interpreter, as many at a time as there are cores."""

    def run(key):
        backend, _ = key
        env = subprocess_env(KERAS_BACKEND=backend, JAX_PLATFORMS="cpu")
        return subprocess.run([sys.executable, "-c", cases[key]], capture_output=True, text=True, timeout=300, env=env,
                              cwd=ROOT)

    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        return dict(zip(cases, pool.map(run, cases)))


@pytest.fixture(scope="module")
def outcomes():
    registration = {(backend, "registration"): _REGISTRATION.format(modules=REGISTERING) for backend in ("tensorflow", "jax")}
    return _run_all({**_cases(MODULES, STATEMENTS, ON_JAX), **registration})


def _check(outcomes, key):
    done = outcomes[key]
    assert done.returncode == 0, f"{key[1]!r} on {key[0]} failed as the first import of a process:\n{done.stderr[-3000:]}"


def test_the_cases_cover_the_package():
    assert {"kclassics", "kclassics.layers", "kclassics.apps", "kclassics.serving", "kclassics.tuning"} <= set(MODULES)
    assert "kclassics.apps.alexnet" in DEEP_MODULES and "kclassics.apps" not in DEEP_MODULES
    assert first_module("from kclassics.data import ptb") == "kclassics.data.ptb"
    assert first_module("from kclassics import apps, data") == "kclassics.apps"
    assert first_module("from kclassics.runs import Run") == "kclassics.runs" and "kclassics.runs" in MODULES
    assert any(first_module(s) == "kclassics.data.ptb" for s in STATEMENTS)
    assert set(ON_JAX) <= set(MODULES)


@pytest.mark.parametrize("module", MODULES)
def test_module_is_importable_first_on_tensorflow(outcomes, module):
    _check(outcomes, ("tensorflow", f"import {module}"))


@pytest.mark.parametrize("statement", STATEMENTS)
def test_documented_import_runs_first(outcomes, statement):
    _check(outcomes, ("tensorflow", statement))


@pytest.mark.parametrize("module", ON_JAX)
def test_module_imports_or_refuses_clearly_on_jax(outcomes, module):
    _check(outcomes, ("jax", f"import {module}"))


@pytest.mark.parametrize("backend", ["tensorflow", "jax"])
def test_import_kclassics_registers_every_keras_object_of_the_backend(outcomes, backend):
    """`import keras, kclassics` registers what importing each registering module would (the docs' way to load a
    run's model.keras): on JAX, all but the TensorFlow-only packages'."""
    assert {"kclassics.embeddings", "kclassics.learn.kmeans", "kclassics.learn.canned", "kclassics.layers.conv"} <= set(REGISTERING)
    _check(outcomes, (backend, "registration"))


def test_the_layer_the_readme_names_imports_first(run_python):
    """The case the cycle broke: `kclassics.layers`, whose first submodule imports Keras."""
    done = run_python("from kclassics.layers import LocalResponseNormalization; print(LocalResponseNormalization.__name__)")
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "LocalResponseNormalization"


@pytest.mark.slow
def test_every_module_at_every_depth_is_importable_first():
    outcomes = _run_all({**_cases(DEEP_MODULES), **_cases([], jax_modules=sorted(set(MODULES) - set(ON_JAX)))})
    failed = {key: done.stderr[-1500:] for key, done in outcomes.items() if done.returncode}
    assert not failed, "\n\n".join(f"{statement!r} on {backend}:\n{err}" for (backend, statement), err in failed.items())

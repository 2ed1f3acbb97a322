"""docs/ARCHITECTURE.md names only code that exists (issue #17 item 10).

The document is written from the code; when a module moves or a function is renamed, this test says
which line of the document to fix. Two kinds of reference are checked, both in backticks:

* paths — ``counter_app/services/reception.py``, ``tests/test_architecture.py``, ``counter_dev/`` —
  must exist in the repository;
* dotted names — ``counter_app.services.reception.receive`` — must import (longest module prefix)
  and the rest must resolve as attributes.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "ARCHITECTURE.md"
TOPS = ("counter_app", "counter_dev", "tests", "bench", "docs", "resources")
#: A path in backticks: a top-level folder of the repository, then path characters (``:func`` cut off).
PATH = re.compile(r"`((?:" + "|".join(TOPS) + r")/[\w./-]*)")
#: A dotted name in backticks, e.g. `counter_app.sync.worker.sync_once` (a call's ``()`` allowed).
DOTTED = re.compile(r"`((?:counter_app|counter_dev)(?:\.\w+)+)(?:\(\))?`")


def doc_paths(text: str) -> list[str]:
    """Repository paths the document names in backticks (``path:function`` keeps only the path)."""
    return sorted({m.group(1).rstrip(".") for m in PATH.finditer(text)})


def doc_names(text: str) -> list[str]:
    """Dotted ``counter_app…``/``counter_dev…`` names the document names in backticks."""
    return sorted({m.group(1) for m in DOTTED.finditer(text)})


def resolve(dotted: str) -> object:
    """Import the longest module prefix of ``dotted`` and walk the rest as attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ModuleNotFoundError(dotted)


def test_every_path_in_the_architecture_document_exists() -> None:
    text = DOC.read_text(encoding="utf-8")
    paths = doc_paths(text)
    assert len(paths) >= 30, "the document names the modules it describes"
    assert [p for p in paths if not (ROOT / p).exists()] == []


def test_every_dotted_name_in_the_architecture_document_resolves() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = []
    for name in doc_names(text):
        try:
            resolve(name)
        except (ImportError, AttributeError) as exc:
            missing.append(f"{name}: {exc}")
    assert missing == []


def test_the_checks_see_a_missing_module_and_a_missing_function() -> None:
    text = "see `counter_app/db/nothing_here.py` and `counter_app.sync.worker.no_such_function`"
    assert doc_paths(text) == ["counter_app/db/nothing_here.py"]
    assert not (ROOT / doc_paths(text)[0]).exists()
    with pytest.raises(AttributeError):
        resolve(doc_names(text)[0])


def test_the_document_covers_every_package_of_the_runtime() -> None:
    # A new package (or one the document forgot: services/, reports/, vault.py, crypto.py before
    # this rewrite) must get its line in the layer map.
    text = DOC.read_text(encoding="utf-8")
    packages = sorted(p.name for p in (ROOT / "counter_app").iterdir()
                      if p.is_dir() and (p / "__init__.py").exists())
    modules = sorted(p.name for p in (ROOT / "counter_app").glob("*.py") if p.name != "__init__.py")
    assert [p for p in packages if f"{p}/" not in text] == []
    assert [m for m in modules if m not in text] == []

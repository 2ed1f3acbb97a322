"""The shipped versions are the locked ones (issue #12): uv.lock matches pyproject.toml, the venv holds
exactly the locked versions, and the pinned PySide6 survives the table-refill stress that 6.12.0 failed."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UV = ROOT / ".uv" / ("Scripts/uv.exe" if os.name == "nt" else "bin/uv")
STRESS = ROOT / "tests" / "ui" / "qt_table_stress.py"


def _locked() -> dict[str, set[str]]:
    """Name → versions in the lock (a universal lock may hold two, e.g. numpy per Python version)."""
    data = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    out: dict[str, set[str]] = {}
    for p in data["package"]:
        if "version" in p:
            out.setdefault(p["name"], set()).add(p["version"])
    return out


def _uv(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, UV_PROJECT_ENVIRONMENT=sys.prefix, UV_PYTHON=sys.executable, UV_NO_PROGRESS="1")
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run([str(UV), *args], cwd=ROOT, capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.skipif(not UV.exists(), reason="uv is installed by dev.py into .uv/; run the tests through dev.py")
def test_lock_matches_pyproject() -> None:
    run = _uv("lock", "--locked", "--offline")
    assert run.returncode == 0, f"uv.lock does not match pyproject.toml — run `uv lock`:\n{run.stderr}"


@pytest.mark.skipif(not UV.exists(), reason="uv is installed by dev.py into .uv/; run the tests through dev.py")
def test_the_test_environment_holds_exactly_the_locked_versions() -> None:
    run = _uv("sync", "--locked", "--check", "--offline", "--inexact", "--no-install-project",
              "--extra", "test", "--extra", "bundle")
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.skipif(not UV.exists(), reason="uv is installed by dev.py into .uv/; run the tests through dev.py")
@pytest.mark.parametrize(("name", "fmt"), [("pylock.toml", "pylock.toml"), ("requirements.lock", "requirements.txt")])
def test_exported_lock_files_match_uv_lock(name: str, fmt: str) -> None:
    """pylock.toml (PEP 751) and requirements.lock pin the same versions and hashes as uv.lock.

    After ``uv lock`` run ``python3 dev.py upgrade`` (which rewrites them), or the two ``uv export``
    commands at the top of each file.
    """
    out = _uv("export", "--locked", "--format", fmt, "--all-extras", "--no-emit-project")
    assert out.returncode == 0, out.stderr[-2000:]

    def body(text: str) -> list[str]:
        return [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]

    committed = body((ROOT / name).read_text(encoding="utf-8"))
    assert committed == body(out.stdout), f"{name} is out of date with uv.lock; re-export it"
    assert any("pyside6-essentials" in line.lower() for line in committed)


def test_direct_dependencies_are_installed_at_their_locked_versions() -> None:
    locked = _locked()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    from packaging.requirements import Requirement

    reqs = [Requirement(d) for d in project["dependencies"]]
    names = [r.name for r in reqs if r.marker is None or r.marker.evaluate()]  # pywin32: Windows only
    assert len(names) >= 15
    wrong = {}
    for name in names:
        key = name.lower().replace("_", "-")
        if metadata.version(name) not in locked[key]:
            wrong[name] = (metadata.version(name), locked[key])
    assert not wrong, f"installed ≠ locked: {wrong}"


def test_pinned_pyside6_survives_the_table_refill_stress() -> None:
    """300×6 table refilled 200 times with coloured items: PySide6 6.12.0 aborts with none_dealloc."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    run = subprocess.run([sys.executable, str(STRESS), "200", "300", "6"], capture_output=True, text=True,
                         env=env, timeout=120)
    assert run.returncode == 0, f"exit {run.returncode}: {run.stderr[-2000:]}"
    assert "ok 200 rounds" in run.stdout


def test_no_test_package_shadows_an_installed_module() -> None:
    """tests/ is on sys.path under pytest: a tests/X/__init__.py becomes the module ``X`` for the whole run.
    tests/packaging/ once did that to PyPI's ``packaging`` (``import packaging.requirements`` failed)."""
    installed = set(metadata.packages_distributions())
    shadowing = [p.parent.name for p in (ROOT / "tests").glob("*/__init__.py") if p.parent.name in installed]
    assert not shadowing, f"rename these test packages or drop their __init__.py: {shadowing}"

"""The core never imports Qt (STYLE: a Qt-free core, a thin GUI)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORE = ["domain", "db", "scanning", "sync", "documents", "services", "reports"]
# Top-level modules of the core; app.py (composition root) and cli.py (starts the GUI) may reach Qt.
CORE_MODULES = ["atomicio.py", "crypto.py", "demo.py", "errors.py", "logfilter.py", "paths.py", "textnorm.py",
                "vault.py"]


def _core_files() -> list[Path]:
    files = [p for pkg in CORE for p in (ROOT / "counter_app" / pkg).rglob("*.py")]
    return files + [ROOT / "counter_app" / name for name in CORE_MODULES]


def test_no_static_qt_import_in_core() -> None:
    offenders = []
    for path in _core_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n.split(".")[0] in ("PySide6", "PyQt5", "PyQt6", "shiboken6") for n in names):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, offenders


def test_importing_every_core_module_loads_no_qt() -> None:
    """Dynamic check: transitive imports (a helper module pulling in Qt) are caught too."""
    modules = sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for p in _core_files()
        if not p.name.startswith("__main__")
    )
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}:\n"
        "    importlib.import_module(m)\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6')]\n"
        "print('QT:' + ','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().endswith("QT:"), out.stdout


def test_repository_tracks_no_environment_or_huge_files() -> None:
    """A virtualenv or cache committed by accident would bloat every clone (and did once)."""
    import shutil

    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        return
    out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, timeout=60)
    files = [f for f in out.stdout.decode().split("\0") if f]
    bad = [f for f in files if f.startswith((".venv/", "venv/")) or "/__pycache__/" in f or f.endswith(".pyc")]
    assert not bad, bad[:10]
    big = [f for f in files if (ROOT / f).is_file() and (ROOT / f).stat().st_size > 5_000_000]
    assert not big, big


def test_runtime_package_never_imports_development_tooling() -> None:
    """The simulators, test pages and sample data live in ``counter_dev``; the shipped app needs none."""
    offenders = []
    for path in (ROOT / "counter_app").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n.split(".")[0] == "counter_dev" for n in names):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, offenders
    installed = subprocess.run(
        [sys.executable, "-c", "import setuptools; print(sorted(setuptools.find_packages(include=['counter_app*'])))"],
        cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert "counter_dev" not in installed.stdout, installed.stdout

"""Build the self-contained app folder: ``dist/counter-app/`` with ``counter-app`` (``.exe``) inside.

    .venv/bin/python packaging/bundle.py [--dist DIR] [--work DIR] [--clean]

PyInstaller "onedir" (see ``docs/packaging.md`` for why PyInstaller and not Briefcase): the
folder holds the Python runtime, Qt with its platform plugins, pypdfium2's PDFium library,
OpenCV, python-pkcs11 and the ``resources/`` tree, so it runs on a PC without Python. The spec is
``packaging/counter_app.spec``; this script only fixes the paths, runs PyInstaller in-process and
prints the folder's size, so ``dev.py bundle`` and CI call one thing.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "packaging" / "counter_app.spec"


def folder_size(path: Path) -> int:
    """Total bytes of the regular files under ``path`` (what the installer will copy)."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def executable(dist: Path) -> Path:
    """The console executable inside a built bundle."""
    name = "counter-app.exe" if sys.platform == "win32" else "counter-app"
    return dist / "counter-app" / name


def main(argv: Sequence[str] | None = None) -> int:
    """Build the bundle; returns 0 on success (PyInstaller's errors propagate as a non-zero code)."""
    p = argparse.ArgumentParser(prog="bundle", description=__doc__.splitlines()[0])
    p.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder (default dist/)")
    p.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller", help="PyInstaller's work folder")
    p.add_argument("--clean", action="store_true", help="empty PyInstaller's cache first (slower)")
    args = p.parse_args(argv)

    import PyInstaller.__main__

    t0 = time.perf_counter()
    pyi_args = [str(SPEC), "--noconfirm", "--distpath", str(args.dist), "--workpath", str(args.work),
                "--log-level", "WARN"]
    if args.clean:
        pyi_args.append("--clean")
    try:
        PyInstaller.__main__.run(pyi_args)
    except SystemExit as exc:  # PyInstaller exits on errors
        code = exc.code if isinstance(exc.code, int) else 1
        if code:
            print(f"bundle: PyInstaller failed ({code})", file=sys.stderr)
            return code
    exe = executable(args.dist)
    if not exe.exists():
        print(f"bundle: {exe} was not produced", file=sys.stderr)
        return 1
    size = folder_size(exe.parent)
    print(f"bundle: {exe.parent} ({size / 1e6:.0f} MB) built in {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

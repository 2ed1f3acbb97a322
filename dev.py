#!/usr/bin/env python3
"""Set up and run Quầy Một Cửa from a fresh clone — the two commands of the README.

    python3 dev.py run  [app arguments…]   create .venv, install, start the app
    python3 dev.py test [pytest arguments…] create .venv, install (+ Debian packages as root), run the tests

Only the standard library is used here, so it works before anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".installed"
APT_LIST = ROOT / ".ci" / "apt-packages.txt"


def sh(*cmd: str | os.PathLike[str], env: dict[str, str] | None = None) -> None:
    print("+", " ".join(map(str, cmd)), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, env=env)


def ensure_venv(extras: str) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may be started by an older python3
        sys.exit("Cần Python 3.11 trở lên (Python 3.11+ is required).")
    if not PY.exists():
        sh(sys.executable, "-m", "venv", VENV)
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == want:
        return
    sh(PY, "-m", "pip", "install", "--disable-pip-version-check", "-q", "--upgrade", "pip")
    sh(PY, "-m", "pip", "install", "--disable-pip-version-check", "-q", "-e", f".{extras}")
    STAMP.write_text(want)


def ensure_system_packages() -> None:
    """On Debian/Ubuntu as root (CI), install what the tests need; elsewhere say what is missing."""
    pkgs = [ln.strip() for ln in APT_LIST.read_text().splitlines() if ln.strip() and not ln.startswith("#")]
    if not sys.platform.startswith("linux") or not shutil.which("dpkg-query"):
        return
    missing = [p for p in pkgs if subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", p], capture_output=True, text=True).stdout != "install ok installed"]
    if not missing:
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        sh("apt-get", "update", "-qq", env=env)
        sh("apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing, env=env)
    else:
        print("Thiếu gói hệ thống (missing system packages), some tests will be skipped:\n  sudo apt-get install "
              + " ".join(missing), file=sys.stderr)


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in ("run", "test"):
        print(__doc__)
        return 2
    cmd, rest = sys.argv[1], sys.argv[2:]
    os.chdir(ROOT)
    if cmd == "run":
        ensure_venv("")
        return subprocess.call([str(PY), "-m", "counter_app.cli", *rest])
    ensure_venv("[test]")
    ensure_system_packages()
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    return subprocess.call([str(PY), "-m", "pytest", *rest], env=env)


if __name__ == "__main__":
    raise SystemExit(main())

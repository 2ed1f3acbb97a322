#!/usr/bin/env python3
"""Set up and run Quầy Một Cửa from a fresh clone — the two commands of the README.

    python3 dev.py run     [app arguments…]     create .venv with the locked versions, start the app
    python3 dev.py test    [pytest arguments…]  same with the test tools (+ Debian packages as root), run the tests
    python3 dev.py upgrade                      re-resolve uv.lock to the newest versions, test them, report
    python3 dev.py bundle  [bundle arguments…]  build the self-contained app folder under dist/ (PyInstaller)

Only the standard library is used here, so it works before anything is installed. The versions come
from ``uv.lock`` (one universal lock for Windows x64 and Linux x64); ``uv`` itself is installed from
PyPI with pip into ``.uv/`` with its hashes checked (``requirements-bootstrap.txt``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
UV_HOME = ROOT / ".uv"


def _bin(venv: Path, name: str) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin") / (name + (".exe" if os.name == "nt" else ""))


PY = _bin(VENV, "python")
UV = _bin(UV_HOME, "uv")
STAMP = VENV / ".installed"
APT_LIST = ROOT / ".ci" / "apt-packages.txt"
LOCK = ROOT / "uv.lock"
# The suite on two pytest-xdist workers, a test file per worker at a time (module fixtures that
# build pages once stay in one process): the CI machine's two cores, ~10 min → ~6 min.
XDIST = ["-n", "2", "--dist", "loadfile"]
BOOTSTRAP = ROOT / "requirements-bootstrap.txt"
STRESS = ROOT / "tests" / "ui" / "qt_table_stress.py"


def sh(*cmd: str | os.PathLike[str], env: dict[str, str] | None = None, check: bool = True) -> int:
    print("+", " ".join(map(str, cmd)), flush=True)
    return subprocess.run([str(c) for c in cmd], check=check, env=env).returncode


def uv_env(venv: Path = VENV) -> dict[str, str]:
    """Environment for uv: which venv to fill and which interpreter to build it from."""
    env = dict(os.environ)
    env.update(UV_PROJECT_ENVIRONMENT=str(venv), UV_PYTHON=sys.executable, UV_PYTHON_DOWNLOADS="never",
               UV_NO_PROGRESS="1")
    env.pop("VIRTUAL_ENV", None)
    return env


def ensure_uv() -> None:
    """Install the pinned uv into .uv/ (pip, hashes checked) unless it is already there."""
    want = hashlib.sha256(BOOTSTRAP.read_bytes() + sys.executable.encode()).hexdigest()
    stamp = UV_HOME / ".installed"
    if UV.exists() and stamp.exists() and stamp.read_text() == want:
        return
    if not _bin(UV_HOME, "python").exists():
        sh(sys.executable, "-m", "venv", UV_HOME)
    sh(_bin(UV_HOME, "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q",
       "--require-hashes", "-r", BOOTSTRAP)
    stamp.write_text(want)


def ensure_venv(test_tools: bool) -> None:
    """Make .venv hold exactly the locked versions (uv checks the hashes and that uv.lock matches pyproject)."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may be started by an older python3
        sys.exit("Cần Python 3.11 trở lên (Python 3.11+ is required).")
    extras = "test" if test_tools else ""
    want = hashlib.sha256(LOCK.read_bytes() + (ROOT / "pyproject.toml").read_bytes()
                          + extras.encode() + sys.executable.encode()).hexdigest()
    if PY.exists() and STAMP.exists() and STAMP.read_text() == want:
        return
    ensure_uv()
    # --locked: stop if uv.lock does not match pyproject.toml instead of quietly re-resolving.
    # `run` keeps test tools a previous `test` installed (--inexact); `test` makes the venv exact.
    # The test run includes the bundle tools: CI builds and smoke-tests the bundle.
    args = (["sync", "--locked", "--extra", "test", "--extra", "bundle"] if test_tools
            else ["sync", "--locked", "--inexact"])
    sh(UV, *args, env=uv_env())
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


def test_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    return env


def locked_versions(lock_text: str) -> dict[str, str]:
    """Package name → version from a uv.lock text."""
    data = tomllib.loads(lock_text)
    return {p["name"]: p.get("version", "?") for p in data.get("package", [])}


def run_suite_collecting_failures(py: Path) -> tuple[int, list[str]]:
    """Run the whole suite with ``py``, echoing its output; return the exit code and the FAILED/ERROR lines."""
    cmd = [str(py), "-m", "pytest", *XDIST, "-q", "-rfE", "-p", "no:cacheprovider"]
    print("+", " ".join(cmd), flush=True)
    failed: list[str] = []
    with subprocess.Popen(cmd, env=test_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, encoding="utf-8", errors="replace") as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            print(line, end="", flush=True)
            if line.startswith(("FAILED ", "ERROR ")):
                failed.append(line.strip())
    return proc.returncode, failed


#: Standard exports of uv.lock for tools without uv: PEP 751 ``pylock.toml`` and a pip requirements
#: file with hashes (``pip install --require-hashes -r requirements.lock``). Same versions, same hashes.
EXPORTS = {"pylock.toml": "pylock.toml", "requirements.lock": "requirements.txt"}


def export_command(name: str) -> list[str]:
    """The ``uv export`` call that writes ``name`` from uv.lock (tests check the files match it)."""
    return [str(UV), "export", "--locked", "--format", EXPORTS[name], "--all-extras", "--no-emit-project",
            "-q", "-o", name]


def export_locks() -> None:
    """Rewrite the exported lock files from uv.lock."""
    for name in EXPORTS:
        sh(*export_command(name), env=uv_env())


def upgrade() -> int:
    """Re-resolve to the newest versions, run the Qt stress test and the whole suite on them, report.

    The new lock is kept only when everything passes; otherwise uv.lock is restored and the candidate
    is left in uv.lock.candidate for a look.
    """
    ensure_uv()
    old_text = LOCK.read_text(encoding="utf-8")
    sh(UV, "lock", "--upgrade", env=uv_env())
    new_text = LOCK.read_text(encoding="utf-8")
    old, new = locked_versions(old_text), locked_versions(new_text)
    moved = sorted((n, old.get(n, "—"), v) for n, v in new.items() if old.get(n) != v)
    gone = sorted(n for n in old if n not in new)
    trial = ROOT / ".venv-upgrade"
    env = uv_env(trial)
    sh(UV, "sync", "--locked", "--extra", "test", "--extra", "bundle", env=env)
    py = _bin(trial, "python")
    ensure_system_packages()
    stress_rc = sh(py, STRESS, env=test_env(), check=False)
    suite_rc, failed = run_suite_collecting_failures(py)
    # The bounds in pyproject.toml hold back known breaks; try the newest PySide6 on its own to see if
    # the reason for the bound still stands.
    probe = ROOT / ".venv-probe"
    shutil.rmtree(probe, ignore_errors=True)
    sh(UV, "venv", "-q", probe, env=uv_env(probe))
    newest_rc = 1
    if sh(UV, "pip", "install", "-q", "--python", _bin(probe, "python"), "PySide6-Essentials",
          env=uv_env(probe), check=False) == 0:
        newest_rc = sh(_bin(probe, "python"), STRESS, env=test_env(), check=False)
    newest = subprocess.run([str(_bin(probe, "python")), "-c",
                             "import PySide6; print(PySide6.__version__)"],
                            capture_output=True, text=True).stdout.strip() or "?"
    print("\n=== dev.py upgrade report ===")
    print(f"moved: {len(moved)} package(s)")
    for name, a, b in moved:
        print(f"  {name}: {a} → {b}")
    for name in gone:
        print(f"  {name}: removed")
    print(f"Qt table stress on the locked PySide6: {'pass' if stress_rc == 0 else f'FAIL (exit {stress_rc})'}")
    print(f"whole suite: {'pass' if suite_rc == 0 else f'FAIL (exit {suite_rc})'}")
    for line in failed:
        print(f"  {line}")
    verdict = ("pass — the <6.12 bound can be reconsidered" if newest_rc == 0
               else f"FAIL (exit {newest_rc}) — keep the bound")
    print(f"newest PySide6 ({newest}) outside the bound, table stress: {verdict}")
    if stress_rc == 0 and suite_rc == 0:
        export_locks()
        print("kept the new uv.lock (and its exports pylock.toml, requirements.lock): commit them with this report")
        return 0
    (ROOT / "uv.lock.candidate").write_text(new_text, encoding="utf-8")
    LOCK.write_text(old_text, encoding="utf-8")
    print("restored the previous uv.lock; the candidate is in uv.lock.candidate")
    return 1


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in ("run", "test", "upgrade", "bundle"):
        print(__doc__)
        return 2
    cmd, rest = sys.argv[1], sys.argv[2:]
    os.chdir(ROOT)
    if cmd == "upgrade":
        return upgrade()
    if cmd == "bundle":
        ensure_venv(test_tools=True)  # the test venv carries the 'bundle' extra (PyInstaller)
        ensure_system_packages()  # the smoke test's Xvfb, SoftHSM2, pdfsig (installed when root, e.g. in CI)
        return subprocess.call([str(PY), str(ROOT / "packaging" / "bundle.py"), *rest])
    if cmd == "run":
        ensure_venv(test_tools=False)
        return subprocess.call([str(PY), "-m", "counter_app.cli", *rest])
    ensure_venv(test_tools=True)
    ensure_system_packages()
    return subprocess.call([str(PY), "-m", "pytest", *XDIST, *rest], env=test_env())


if __name__ == "__main__":
    raise SystemExit(main())

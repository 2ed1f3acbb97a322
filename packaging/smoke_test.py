"""Smoke test of a built bundle, run with nothing of the project on PATH (``env -i``).

    .venv/bin/python packaging/smoke_test.py [--bundle dist/counter-app] [--screenshot out.png]

Steps (each prints one line; exit code 0 only if all pass):

1. ``counter-app --version``, ``init`` on a fresh data directory, ``info``, ``check``;
2. the GUI: a real first run under Xvfb with the xcb platform plugin (the first-run window must
   appear; the time until it is visible is the start time reported);
3. ``counter-app-selftest``: a test scan built and signed with a PKCS#12 certificate, the file
   checked with poppler's ``pdfsig``; and, when SoftHSM2 is installed, signed from a SoftHSM2
   token (this script prepares the token with the project's venv; the bundle does the signing).

Every bundle process gets ``PATH=/usr/bin:/bin`` (or ``%SystemRoot%\\System32`` on Windows) and
``PYTHONHOME``/``PYTHONPATH`` pointing nowhere, so a Python installation cannot help it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WINDOWS = sys.platform == "win32"


class Smoke:
    """Runs the bundle's executables in a clean environment and records the outcome of each step."""

    def __init__(self, bundle: Path, work: Path) -> None:
        self.bundle = bundle
        self.work = work
        self.failures: list[str] = []
        home = work / "home"
        home.mkdir(exist_ok=True)
        if WINDOWS:
            sysroot = os.environ.get("SYSTEMROOT", r"C:\Windows")
            self.env = {"PATH": rf"{sysroot}\System32", "SYSTEMROOT": sysroot, "USERPROFILE": str(home),
                        "LOCALAPPDATA": str(home / "AppData" / "Local"), "TEMP": str(work), "TMP": str(work)}
        else:
            self.env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8", "TMPDIR": str(work)}
        self.env.update({"PYTHONHOME": str(work / "no-python"), "PYTHONPATH": str(work / "no-python")})

    def exe(self, name: str) -> str:
        return str(self.bundle / (name + (".exe" if WINDOWS else "")))

    def run(self, step: str, args: Sequence[str], *, expect: str = "", extra_env: dict[str, str] | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str] | None:
        """Run one command; the step passes on exit code 0 and ``expect`` in its output."""
        t0 = time.perf_counter()
        try:
            res = subprocess.run(list(args), capture_output=True, text=True, encoding="utf-8", errors="replace",
                                 env={**self.env, **(extra_env or {})}, timeout=timeout, cwd=self.work)
        except subprocess.TimeoutExpired:
            self.fail(step, f"timed out after {timeout:.0f} s")
            return None
        ms = (time.perf_counter() - t0) * 1000
        out = res.stdout + res.stderr
        if res.returncode != 0 or expect not in out:
            self.fail(step, f"exit {res.returncode}, output: {out[-1500:]}")
            return None
        print(f"PASS {step} ({ms:.0f} ms)")
        return res

    def fail(self, step: str, why: str) -> None:
        self.failures.append(step)
        print(f"FAIL {step}: {why}")


def _first_run_under_xvfb(s: Smoke, data: Path, screenshot: Path | None) -> None:
    """Start the GUI on an empty data directory on a real X server; the first-run window must show."""
    if WINDOWS or not shutil.which("Xvfb") or not shutil.which("xdotool"):
        print("SKIP first run under Xvfb (Xvfb/xdotool not installed)")
        return
    display = f":{90 + os.getpid() % 500}"
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "1366x768x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    app = None
    try:
        time.sleep(1.0)  # Xvfb has no readiness signal; xdotool below retries anyway
        env = {**s.env, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
        t0 = time.perf_counter()
        app = subprocess.Popen([s.exe("counter-app"), "--data-dir", str(data)], env=env, cwd=s.work,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        found = ""
        while time.perf_counter() - t0 < 60 and app.poll() is None:
            res = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "."], env={"DISPLAY": display},
                                 capture_output=True, text=True)
            names = []
            for wid in res.stdout.split():
                title = subprocess.run(["xdotool", "getwindowname", wid], env={"DISPLAY": display},
                                       capture_output=True, text=True).stdout.strip()
                if title:
                    names.append(title)
            if names:
                found = "; ".join(names)
                break
            time.sleep(0.3)
        shown_ms = (time.perf_counter() - t0) * 1000
        if not found:
            out = app.stdout.read() if app.poll() is not None and app.stdout else ""
            s.fail("gui first run (xcb)", f"no window within 60 s; exit {app.poll()}: {out[-1500:]}")
            return
        time.sleep(1.5)  # let it paint before the screenshot
        if screenshot and shutil.which("import"):
            subprocess.run(["import", "-window", "root", str(screenshot)], env={"DISPLAY": display},
                           capture_output=True, timeout=30)
        print(f"PASS gui first run (xcb): window «{found}» visible after {shown_ms:.0f} ms")
    finally:
        if app is not None and app.poll() is None:
            app.terminate()
            try:
                app.wait(10)
            except subprocess.TimeoutExpired:
                app.kill()
                app.wait(10)
        if app is not None and app.stdout is not None:
            app.stdout.close()
        xvfb.terminate()
        xvfb.wait(10)


def _softhsm_token(work: Path) -> dict[str, str] | None:
    """A SoftHSM2 token holding a key and its certificate (made with the venv; None if unavailable)."""
    module = Path("/usr/lib/softhsm/libsofthsm2.so")
    if WINDOWS or not module.exists() or not shutil.which("softhsm2-util"):
        return None
    sys.path.insert(0, str(ROOT))
    from tests.signing import conftest as soft  # the same token recipe as the PKCS#11 tests

    tokendir = work / "tokens"
    tokendir.mkdir()
    conf = work / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokendir}\nobjectstore.backend = file\nlog.level = ERROR\n",
                    encoding="utf-8")
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    os.environ["SOFTHSM2_CONF"] = str(conf)
    import datetime as dt

    import pkcs11
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID
    from pkcs11 import Attribute, CertificateType, ObjectClass

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "CA smoke test")])
    now = dt.datetime.now(dt.UTC)
    cert = soft.make_cert(key, "Cán bộ smoke test", key, name, now - dt.timedelta(days=1), now + dt.timedelta(days=90))
    soft.init_token("Smoke", env)
    soft.put_key_and_cert("Smoke", key, cert, work, env)
    lib = pkcs11.lib(str(module))
    with lib.get_token(token_label="Smoke").open(user_pin=soft.PIN, rw=True) as session:
        session.create_object({
            Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
            Attribute.TOKEN: True, Attribute.LABEL: "officer", Attribute.ID: b"\x01",
            Attribute.SUBJECT: cert.subject.public_bytes(),
            Attribute.VALUE: cert.public_bytes(serialization.Encoding.DER)})
    return {"SOFTHSM2_CONF": str(conf), "COUNTER_APP_TOKEN_PIN": soft.PIN, "module": str(module)}


def main(argv: Sequence[str] | None = None) -> int:
    """Run every step against the bundle; 0 if all passed."""
    p = argparse.ArgumentParser(prog="smoke_test")
    p.add_argument("--bundle", type=Path, default=ROOT / "dist" / "counter-app")
    p.add_argument("--screenshot", type=Path, help="save the Xvfb screen of the first run here")
    args = p.parse_args(argv)
    if not Path(args.bundle, "counter-app" + (".exe" if WINDOWS else "")).exists():
        print(f"no bundle at {args.bundle}; build it with packaging/bundle.py", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="smoke-") as tmp:
        work = Path(tmp)
        s = Smoke(args.bundle.resolve(), work)
        app = s.exe("counter-app")
        d1 = work / "data1"
        s.run("--version", [app, "--version"], expect="counter-app")
        s.run("init (fresh directory)", [app, "init", "--data-dir", str(d1), "--agency-code", "000.00.00.H01",
                                         "--agency-name", "UBND phường Thử Nghiệm", "--admin-password",
                                         "smoke-Test-2026"])
        s.run("info", [app, "info", "--data-dir", str(d1)], expect="Thư mục dữ liệu")
        s.run("check", [app, "check", "--data-dir", str(d1)], expect="toàn vẹn")
        # Start time = until the first-run window is visible on a real X server (the CLI does not
        # forward the GUI's --quit-after-shown benchmark flag).
        _first_run_under_xvfb(s, work / "data3", args.screenshot)
        signed = work / "signed.pdf"
        s.run("selftest: scan built and signed (PKCS#12)", [s.exe("counter-app-selftest"), "--out", str(signed)],
              expect='"sign_pkcs12", "ok": true')
        if signed.exists() and shutil.which("pdfsig"):
            out = subprocess.run(["pdfsig", str(signed)], capture_output=True, text=True).stdout
            if "Signature is Valid." in out:
                print("PASS pdfsig: the bundle's signature is valid")
            else:
                s.fail("pdfsig", out[-800:])
        token = _softhsm_token(work)
        if token is None:
            print("SKIP token signing (SoftHSM2 not installed)")
        else:
            tsigned = work / "token-signed.pdf"
            s.run("selftest: scan signed from a SoftHSM2 token (PKCS#11)",
                  [s.exe("counter-app-selftest"), "--pkcs11-module", token["module"], "--token-label", "Smoke",
                   "--token-out", str(tsigned)],
                  expect='"sign_pkcs11", "ok": true',
                  extra_env={"SOFTHSM2_CONF": token["SOFTHSM2_CONF"],
                             "COUNTER_APP_TOKEN_PIN": token["COUNTER_APP_TOKEN_PIN"]})
            if tsigned.exists() and shutil.which("pdfsig"):
                out = subprocess.run(["pdfsig", str(tsigned)], capture_output=True, text=True).stdout
                if "Signature is Valid." in out:
                    print("PASS pdfsig: the token signature is valid")
                else:
                    s.fail("pdfsig (token)", out[-800:])
        size = sum(f.stat().st_size for f in s.bundle.rglob("*") if f.is_file() and not f.is_symlink())
        print(json.dumps({"bundle_mb": round(size / 1e6), "failures": s.failures}))
        return 1 if s.failures else 0


if __name__ == "__main__":
    raise SystemExit(main())

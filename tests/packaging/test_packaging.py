"""Packaging pieces that can be checked without a 3–6 minute PyInstaller build (the build and its
smoke test run in CI: ``python3 dev.py bundle && .venv/bin/python packaging/smoke_test.py``)."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load(name: str) -> object:
    spec = importlib.util.spec_from_file_location(name, ROOT / "packaging" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_selftest_builds_and_signs_a_scan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The script frozen as counter-app-selftest works from source (so a build does not fail late)."""
    selftest = _load("selftest_main")
    out = tmp_path / "signed.pdf"
    assert selftest.main(["--out", str(out)]) == 0  # type: ignore[attr-defined]
    steps = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [s["step"] for s in steps] == ["build_scan_pdf", "sign_pkcs12"] and all(s["ok"] for s in steps)
    if shutil.which("pdfsig"):
        res = subprocess.run(["pdfsig", str(out)], capture_output=True, text=True, timeout=60)
        assert "Signature is Valid." in res.stdout


def test_spec_collects_what_the_frozen_app_needs() -> None:
    spec = (ROOT / "packaging" / "counter_app.spec").read_text(encoding="utf-8")
    for needed in ('collect_submodules("counter_app")', '"resources"', "twain_helper.py", "pyhanko.sign.pkcs11",
                   'name="counter-app"', 'name="counter-app-gui"', 'name="counter-app-selftest"', "upx=False"):
        assert needed in spec, needed


def test_installer_is_per_user_with_a_start_menu_shortcut() -> None:
    iss = (ROOT / "packaging" / "windows" / "counter_app.iss").read_text(encoding="utf-8-sig")
    assert "PrivilegesRequired=lowest" in iss
    assert 'Name: "{autoprograms}\\{#AppName}"; Filename: "{app}\\counter-app-gui.exe"' in iss
    # The data directory lives outside {app}: the uninstaller cannot delete citizens' dossiers.
    assert "QuayMotCua\\data" not in iss and "{localappdata}\\QuayMotCua" not in iss


def test_bundle_cli_refuses_unknown_options(capsys: pytest.CaptureFixture[str]) -> None:
    bundle = _load("bundle")
    with pytest.raises(SystemExit):
        bundle.main(["--no-such-option"])  # type: ignore[attr-defined]
    assert "usage: bundle" in capsys.readouterr().err

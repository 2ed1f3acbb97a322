"""The device self-test against real parts: SANE's ``test`` scanner, a SoftHSM2 token, the
provincial-system simulator on loopback. Every failing device yields a Vietnamese "what to do"."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from counter_app.scanning.sources import DiscoveryConfig
from counter_app.services import device_check as dc
from tests.signing.conftest import HOLDER, PIN, SoftToken, needs_softhsm


@pytest.fixture(scope="module")
def sane_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Only SANE's ``test`` backend (no network backends slowing discovery)."""
    if shutil.which("scanimage") is None:
        pytest.skip("scanimage not installed (sane-utils)")
    config = tmp_path_factory.mktemp("sane-config")
    (config / "dll.conf").write_text("test\n")
    env = {"SANE_CONFIG_DIR": str(config)}
    out = subprocess.run(["scanimage", "-L"], capture_output=True, text=True, timeout=30,
                         env={**os.environ, **env}, check=False).stdout
    if "test:0" not in out:
        pytest.skip("SANE test backend not available")
    return env


@pytest.mark.sane
def test_scanner_found_and_one_test_page(sane_env: dict[str, str]) -> None:
    result = dc.check_scanner(DiscoveryConfig(sane_env=sane_env, camera_probe=0), dpi=75)
    assert result.status == "ok", result
    assert "quét thử 1 trang" in result.detail and "75 dpi" in result.detail


def test_no_scanner_says_what_to_do() -> None:
    result = dc.check_scanner(DiscoveryConfig(sane=False, camera_probe=0))
    assert result.status == "fail" and result.detail == "Không tìm thấy máy quét nào."
    assert "Bật máy quét" in result.todo and "TWAIN" in result.todo


@needs_softhsm
def test_token_found_then_test_signature(softhsm: SoftToken) -> None:
    modules = [Path(softhsm.module)]
    seen = dc.check_token(modules=modules, token_label="CB-Trang")
    assert seen.status == "ok" and "Token «CB-Trang»" in seen.detail and "Chưa ký thử" in seen.detail
    signed = dc.check_token(modules=modules, token_label="CB-Trang", pin=PIN)
    assert signed.status == "ok", signed
    assert f"ký thử thành công bằng chứng thư của {HOLDER}" in signed.detail and PIN not in signed.detail
    soon = dc.check_token(modules=modules, token_label="CB-SapHetHan", pin=PIN)
    assert soon.status == "warn" and "còn 10 ngày" in soon.detail and "gia hạn" in soon.todo


@needs_softhsm
def test_token_problems_each_say_what_to_do(softhsm: SoftToken, tmp_path: Path) -> None:
    none = dc.check_token(modules=[])
    assert none.status == "fail" and "chưa cài phần mềm" in none.detail and "VNPT-CA" in none.todo
    absent = dc.check_token(modules=[Path(softhsm.module)], token_label="Khong-co")
    assert absent.status == "fail" and "Cắm USB token" in absent.todo
    expired = dc.check_token(modules=[Path(softhsm.module)], token_label="CB-HetHan", pin=PIN)
    assert expired.status == "fail" and "hết hạn" in expired.detail


def test_printer_judgement() -> None:
    assert dc.check_printer([], None).status == "fail"
    assert "Thêm máy in" in dc.check_printer([], None).todo
    assert dc.check_printer(["HP LaserJet"], None).status == "warn"
    ok = dc.check_printer(["HP LaserJet", "PDF"], "HP LaserJet")
    assert ok.status == "ok" and "HP LaserJet" in ok.detail


@pytest.fixture
def simulator(tmp_path: Path) -> Iterator[str]:
    from counter_dev.simulator.server import SimulatorConfig, build

    sim = build(SimulatorConfig(data_dir=tmp_path / "sim", users={"phuong": "mat-khau"}))
    thread = threading.Thread(target=sim.serve_forever, daemon=True)
    thread.start()
    try:
        yield sim.url
    finally:
        sim.stop()
        thread.join(10)


def test_province_connection(simulator: str, tmp_path: Path) -> None:
    from counter_app.db.privacy import set_secret_setting
    from tests.factories import make_db

    cdb = make_db(tmp_path / "db.sqlite3")
    try:
        missing = dc.check_province(cdb)
        assert missing.status == "fail" and "Cài đặt → Đồng bộ" in missing.todo
        cdb.set_setting("provincial_endpoint", simulator)
        cdb.set_setting("sync_username", "phuong")
        set_secret_setting(cdb, "sync_password", "sai")
        wrong = dc.check_province(cdb)
        assert wrong.status == "fail" and wrong.todo
        set_secret_setting(cdb, "sync_password", "mat-khau")
        ok = dc.check_province(cdb)
        assert ok.status == "ok" and simulator in ok.detail
    finally:
        cdb.close()

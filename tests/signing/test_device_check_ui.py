"""Cài đặt → Kiểm tra thiết bị: the four checks run off the UI thread and each row shows its outcome."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from counter_app.scanning.sources import DiscoveryConfig
from counter_app.ui.device_check import DeviceCheckDialog
from counter_app.ui.settings_page import SettingsPage
from counter_app.ui.tasks import DbWorker
from tests.factories import make_db
from tests.signing.conftest import HOLDER, PIN, SoftToken, needs_softhsm


def test_self_test_dialog_fills_every_row(qtbot: QtBot, tmp_path: Path) -> None:
    make_db(tmp_path / "c.db").close()
    worker = DbWorker(tmp_path / "c.db")
    with qtbot.waitSignal(worker.ready, timeout=10000):
        worker.start()
    try:
        # No scanner (discovery of SANE/cameras off), no token library, no province configured.
        dlg = DeviceCheckDialog(worker, {"pkcs11_module": str(tmp_path / "khong-co.dll")},
                                discovery=DiscoveryConfig(sane=False, camera_probe=0))
        qtbot.addWidget(dlg)
        dlg.show()
        dlg.run_checks()
        qtbot.waitUntil(lambda: dlg.pending == 0, timeout=30000)
        status = {k: r.status for k, r in dlg.rows.items()}
        assert status["scanner"] == "fail" and "Cần làm" in dlg.rows["scanner"].text.text()
        assert status["province"] == "fail" and "Cài đặt → Đồng bộ" in dlg.rows["province"].text.text()
        assert status["printer"] in ("ok", "warn", "fail") and "Máy in" in dlg.rows["printer"].text.text()
        assert status["token"] == "fail" and "khong-co.dll" in dlg.rows["token"].text.text()
        if os.environ.get("COUNTER_APP_SCREENSHOTS"):  # docs: look at what the officer sees
            qtbot.wait(50)
            dlg.grab().save(os.environ["COUNTER_APP_SCREENSHOTS"] + "/device_check.png")
    finally:
        worker.stop()


def test_settings_page_has_token_settings_and_self_test_entry(qtbot: QtBot, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    make_db(tmp_path / "c.db").close()
    worker = DbWorker(tmp_path / "c.db")
    with qtbot.waitSignal(worker.ready, timeout=10000):
        worker.start()
    try:
        page = SettingsPage(worker)
        qtbot.addWidget(page)
        page.set_editable(True)
        page.user_id = 1
        page.refresh()
        qtbot.waitUntil(lambda: "đang tải" not in page.signing_panel.current.text(), timeout=10000)
        assert "chưa cấu hình" in page.signing_panel.current.text()
        assert page.signing_panel.check_btn.text() == "Kiểm tra thiết bị…"
        errors: list[str] = []
        import counter_app.ui.settings_page as sp

        monkeypatch.setattr(sp, "show_exception", lambda _w, e: errors.append(e.user_message()))
        page.widgets["tsa_url"].setText("tsa.example.vn")
        page.save()
        qtbot.waitUntil(lambda: bool(errors), timeout=10000)
        assert "dấu thời gian" in errors[0]
    finally:
        worker.stop()


@needs_softhsm
def test_scan_station_token_signer_pin_once_off_the_ui_thread(qtbot: QtBot, softhsm: SoftToken,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The scan station's token path: PIN → login on the pool behind a wait box → a usable signer;
    a wrong PIN is shown and the officer (not the app) decides to try again."""
    import threading

    import counter_app.ui.device_check as dcu
    from counter_app.scanning import signing
    from counter_app.scanning.pkcs11_signing import token_reference
    from counter_app.ui.qt import QWidget

    parent = QWidget()
    qtbot.addWidget(parent)
    answers = iter(["999999", PIN])
    monkeypatch.setattr(dcu, "ask_pin", lambda _p, _w: next(answers, None))  # the officer's typing
    shown: list[str] = []
    monkeypatch.setattr(dcu, "show_exception", lambda _p, e: shown.append(e.user_message()))
    threads: list[str] = []
    real = signing.OfficerSigner.from_pkcs11

    def spy(*args: object, **kwargs: object) -> object:  # records the thread, then the real login
        threads.append(threading.current_thread().name)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(signing.OfficerSigner, "from_pkcs11", staticmethod(spy))
    signer = dcu.ask_token_signer(parent, token_reference("CB-Trang", b"\x01"),
                                  {"pkcs11_module": softhsm.module})
    try:
        assert signer is not None and signer.holder == HOLDER and signer.usable
        assert len(shown) == 1 and "Mã PIN của USB token không đúng" in shown[0]
        assert len(threads) == 2 and threading.main_thread().name not in threads
    finally:
        signer.close()
    assert not signer.usable


@needs_softhsm
def test_officer_picks_the_certificate_on_the_token(qtbot: QtBot, tmp_path: Path, softhsm: SoftToken,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Several tokens plugged in → the officer picks theirs → PIN → the certificate list shows holder,
    issuer and validity → the choice is stored for the account, audited."""
    import counter_app.ui.device_check as dcu
    from counter_app.db.database import CounterDB
    from counter_app.ui.device_check import SigningPanel

    make_db(tmp_path / "c.db").close()
    worker = DbWorker(tmp_path / "c.db")
    with qtbot.waitSignal(worker.ready, timeout=10000):
        worker.start()
    try:
        panel = SigningPanel(worker, lambda: 1)
        qtbot.addWidget(panel)
        panel.refresh()
        qtbot.waitUntil(lambda: "chưa cấu hình" in panel.current.text(), timeout=10000)
        panel.settings["pkcs11_module"] = softhsm.module
        offered: list[list[str]] = []

        def choose(_parent: object, _title: str, _label: str, items: list[str], *_a: object) -> tuple[str, bool]:
            offered.append(list(items))  # what the officer sees; they pick their own token / certificate
            return next(i for i in items if i.startswith(("CB-Trang", HOLDER))), True

        monkeypatch.setattr(dcu.QInputDialog, "getItem", staticmethod(choose))
        monkeypatch.setattr(dcu, "ask_pin", lambda _p, _w: PIN)
        panel.pick_certificate()
        qtbot.waitUntil(lambda: "USB token — CB-Trang/01" in panel.current.text(), timeout=20000)
        assert len(offered) == 2 and len(offered[0]) >= 6  # the token list, then the certificate list
        assert "cấp bởi CA thử nghiệm Quầy Một Cửa" in offered[1][0] and "hiệu lực" in offered[1][0]
        cdb = CounterDB(tmp_path / "c.db")
        try:
            assert cdb.scalar("SELECT signing_cert_path FROM users WHERE id = 1") == "pkcs11:CB-Trang/01"
            assert cdb.scalar("SELECT count(*) FROM audit_log WHERE action = 'user_changed'") == 1
        finally:
            cdb.close()
    finally:
        worker.stop()


@needs_softhsm
def test_certificate_expiring_within_30_days_is_announced(qtbot: QtBot, softhsm: SoftToken,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import counter_app.ui.device_check as dcu
    from counter_app.scanning.pkcs11_signing import token_reference
    from counter_app.ui.qt import QWidget

    parent = QWidget()
    qtbot.addWidget(parent)
    monkeypatch.setattr(dcu, "ask_pin", lambda _p, _w: PIN)
    warned: list[str] = []
    monkeypatch.setattr(dcu.QMessageBox, "warning", staticmethod(lambda _p, title, text: warned.append(text)))
    soon = dcu.ask_token_signer(parent, token_reference("CB-SapHetHan", b"\x01"), {"pkcs11_module": softhsm.module})
    soon.close()
    assert len(warned) == 1 and "sẽ hết hạn sau 10 ngày" in warned[0]
    fine = dcu.ask_token_signer(parent, token_reference("CB-Trang", b"\x01"), {"pkcs11_module": softhsm.module})
    fine.close()
    assert len(warned) == 1  # a year left: nothing to say


@needs_softhsm
def test_scan_station_never_signs_with_the_previous_officers_token(qtbot: QtBot, tmp_path: Path, softhsm: SoftToken,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Officer A opened their token; officer B signs in at the same counter: A's logged-in token
    session is closed and B's own certificate setting is loaded before anything is signed."""
    from counter_app.scanning import signing
    from counter_app.services.session import Actor
    from counter_app.ui.qt import QMessageBox
    from counter_app.ui.scan_station import ScanStationPage

    make_db(tmp_path / "counter.sqlite3").close()
    worker = DbWorker(tmp_path / "counter.sqlite3")
    with qtbot.waitSignal(worker.ready, timeout=10000):
        worker.start()
    try:
        page = ScanStationPage(worker, tmp_path)
        qtbot.addWidget(page)
        page.set_actor(Actor(1, "admin", "Cán bộ A", "officer"))
        page.refresh()
        qtbot.waitUntil(lambda: page.signing is not None and page.signing.officer_id == 1, timeout=10000)
        a_signer = signing.OfficerSigner.from_pkcs11(
            signing.Pkcs11Config(softhsm.module, token_label="CB-Trang"), PIN)
        page._cached_signer, page._signer_officer = a_signer, 1
        assert page._signer() is a_signer  # same officer: the PIN is not asked again
        told: list[str] = []
        monkeypatch.setattr(QMessageBox, "information", staticmethod(lambda _p, _t, text: told.append(text)))
        page.set_actor(Actor(2, "canbo-b", "Cán bộ B", "officer"))  # officer B signed in (main_window.set_user)
        assert page._signer() is False  # nothing is signed on this press
        assert not a_signer.usable and page._cached_signer is None  # A's token session was logged out
        assert told and "cán bộ vừa đăng nhập" in told[0]
        qtbot.waitUntil(lambda: page.signing is not None and page.signing.officer_id == 2, timeout=10000)
    finally:
        worker.stop()

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

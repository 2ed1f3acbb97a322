"""Settings page: an admin edits, values are validated, stored and audited; others cannot edit."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from counter_app.db.database import CounterDB
from counter_app.ui.settings_page import SettingsPage
from counter_app.ui.tasks import DbWorker
from tests.factories import make_db


def test_admin_edits_settings_with_validation_and_audit(qtbot: QtBot, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    make_db(tmp_path / "c.db").close()
    worker = DbWorker(tmp_path / "c.db")
    with qtbot.waitSignal(worker.ready, timeout=10000):
        worker.start()
    try:
        page = SettingsPage(worker)
        qtbot.addWidget(page)
        page.set_editable(True)
        page.refresh()
        qtbot.waitUntil(lambda: page.widgets["agency_name"].text() != "", timeout=10000)
        page.widgets["portal_url_template"].setText("https://dichvucong.example.vn/tthc")  # no {code}
        errors: list[str] = []
        import counter_app.ui.settings_page as sp

        # Capture the text the one error dialog would show, instead of a modal box in a test.
        monkeypatch.setattr(sp, "show_exception", lambda _w, e: errors.append(e.user_message()))
        page.save()
        qtbot.waitUntil(lambda: bool(errors), timeout=10000)
        assert "{code}" in errors[0]
        page.widgets["portal_url_template"].setText("https://dichvucong.example.vn/tthc?ma={code}")
        page.widgets["online_target_percent"].setValue(35)
        page.save()
        qtbot.waitUntil(lambda: "Đã lưu" in page.note.text(), timeout=10000)
        cdb = CounterDB(tmp_path / "c.db")
        assert cdb.get_setting("online_target_percent") == 35
        assert cdb.get_setting("portal_url_template").endswith("{code}")
        assert cdb.scalar("SELECT count(*) FROM audit_log WHERE action = 'settings'") == 1
        page.set_editable(False)
        assert not page.widgets["agency_name"].isEnabled() and not page.save_btn.isVisible()
    finally:
        worker.stop()

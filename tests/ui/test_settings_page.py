"""Settings page: an admin edits, values are validated, stored and audited; others cannot edit."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from counter_app.db.database import CounterDB
from counter_app.services.session import Actor
from counter_app.ui.settings_page import SettingsPage
from counter_app.ui.tasks import DbWorker
from tests.factories import make_db

ADMIN = Actor(1, "admin", "Quản trị viên", "admin")  # the account run_setup creates first


def test_admin_edits_settings_with_validation_and_audit(qtbot: QtBot, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    make_db(tmp_path / "c.db").close()
    worker = DbWorker(tmp_path / "c.db")
    worker.actor = ADMIN  # saving is recorded under the signed-in admin
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
        assert cdb.scalar("SELECT user_id FROM audit_log WHERE action = 'settings'") == ADMIN.user_id
        page.set_editable(False)
        assert not page.widgets["agency_name"].isEnabled() and not page.save_btn.isVisible()
    finally:
        worker.stop()


def test_wheel_over_a_number_box_scrolls_the_page_instead_of_changing_it(qtbot: QtBot, tmp_path: Path) -> None:
    """Found by hand: scrolling the long settings page changed the idle-lock minutes under the mouse."""
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent

    from counter_app.ui.qt import QApplication, QScrollArea

    make_db(tmp_path / "c.db").close()
    worker = DbWorker(tmp_path / "c.db")
    worker.actor = ADMIN  # saving is recorded under the signed-in admin
    with qtbot.waitSignal(worker.ready, timeout=10000):
        worker.start()
    try:
        page = SettingsPage(worker)
        qtbot.addWidget(page)
        page.resize(900, 400)  # shorter than the page: it scrolls
        page.show()
        page.set_editable(True)
        box = page.widgets["idle_lock_minutes"]
        box.setValue(10)
        bar = page.findChild(QScrollArea).verticalScrollBar()
        assert bar.maximum() > 0

        def wheel() -> None:
            centre = QPointF(box.rect().center())
            QApplication.sendEvent(box, QWheelEvent(centre, QPointF(box.mapToGlobal(centre.toPoint())), QPoint(0, 0),
                                                    QPoint(0, -120), Qt.MouseButton.NoButton,
                                                    Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
                                                    False))

        wheel()
        assert box.value() == 10 and bar.value() > 0  # the page moved, the value did not
        box.setFocus()
        qtbot.waitUntil(box.hasFocus, timeout=2000)
        wheel()
        assert box.value() != 10  # a focused box still takes the wheel on purpose
    finally:
        worker.stop()


def test_signer_24_11_and_period_settings_and_the_admins_todo(qtbot: QtBot, tmp_path: Path) -> None:
    """Issue #16 rows 1, 6, 8, 13: the signer per NĐ 30/2020, 24/11 off only by choice (basis shown,
    warning), the report period, and the fees the province sets that nobody entered."""
    from counter_app.db.catalogue import store_procedures
    from tests.factories import BIRTH

    cdb = make_db(tmp_path / "c.db")
    store_procedures(cdb, [{**BIRTH, "code": "1.001022", "fees": [
        {"code": "LP01", "name": "Lệ phí nhận cha, mẹ, con", "kind": "le_phi", "amount": None,
         "set_by_province": True}]}], version="t")
    cdb.close()
    worker = DbWorker(tmp_path / "c.db")
    worker.actor = ADMIN  # saving is recorded under the signed-in admin
    with qtbot.waitSignal(worker.ready, timeout=10000):
        worker.start()
    try:
        page = SettingsPage(worker)
        qtbot.addWidget(page)
        page.set_editable(True)
        page.refresh()
        qtbot.waitUntil(lambda: "chưa nhập mức thu" in page.todo.text(), timeout=10000)
        assert "Lệ phí nhận cha, mẹ, con" in page.todo.text() and "24/11" not in page.todo.text()
        w = page.widgets
        w["signer_head_title"].setText("Giám đốc")
        w["signer_authority"].setCurrentIndex(w["signer_authority"].findData("KT."))
        w["signer_title"].setText("Phó Giám đốc")
        w["signer_name"].setText("Lê Minh Tuấn")
        w["report_period"].setCurrentIndex(w["report_period"].findData("statutory"))
        w["calendar_culture_day_off"].setCurrentIndex(w["calendar_culture_day_off"].findData("1"))
        page.save()
        qtbot.waitUntil(lambda: "Đã lưu" in page.note.text(), timeout=10000)
        qtbot.waitUntil(lambda: "Đang tính 24/11 là ngày nghỉ" in page.todo.text(), timeout=10000)
        cdb = CounterDB(tmp_path / "c.db")
        assert [cdb.get_setting(k) for k in ("signer_authority", "signer_title", "report_period",
                                              "calendar_culture_day_off")] == ["KT.", "Phó Giám đốc", "statutory", "1"]
        from counter_app.services.forms import agency_from_settings

        assert agency_from_settings(cdb).head_name == "Lê Minh Tuấn"
        cdb.close()
    finally:
        worker.stop()

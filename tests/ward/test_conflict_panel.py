"""The conflict list of the «Đồng bộ» page (issue #19): both sides shown, «Đã xem» under the officer."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from counter_app.db import ward
from counter_app.services.session import Actor
from counter_app.ui.conflicts import ConflictPanel
from counter_app.ui.tasks import DbWorker
from tests.sync.conftest import build_counter


def test_conflicts_are_listed_with_both_sides_until_an_officer_marks_them_seen(qtbot: QtBot,
                                                                               tmp_path: Path) -> None:
    counter = build_counter(tmp_path / "quay-b")
    ward.record_conflict(
        counter.cdb, dossier_uid="u-1", dossier_code="H01.37.01-261005-0001", action="return",
        local_detail={"action": "return", "officer": "Trần Thị Quầy Hai", "at": "2026-10-05 10:00:00",
                      "detail": {"to": "Người nhận ở quầy B"}},
        province_detail={"status": 10, "counter": "H01.37.01-2", "last_step_by": "Lê Văn Giám Sát",
                         "last_step_at": "2026-10-05 09:58:00"})
    worker = DbWorker(counter.db_path)
    with qtbot.waitSignal(worker.ready, timeout=10000):
        worker.start()
    try:
        panel = ConflictPanel(worker)
        qtbot.addWidget(panel)
        panel.show()
        qtbot.waitUntil(lambda: panel.table.rowCount() == 1, timeout=10000)
        ours, theirs = panel.table.item(0, 1).text(), panel.table.item(0, 2).text()
        assert "Trả kết quả" in ours and "Người nhận ở quầy B" in ours and "05/10/2026 10:00" in ours
        assert "Đã trả kết quả" in theirs and "Quầy 2" in theirs and "Lê Văn Giám Sát" in theirs
        assert "1 thao tác" in panel.note.text()
        # Nobody signed in: refused with the Vietnamese message, the conflict stays.
        _select_first_row(panel)
        panel.acknowledge_selected()
        qtbot.waitUntil(lambda: "Chưa đăng nhập" in panel.note.text(), timeout=10000)
        assert ward.open_conflict_count(counter.cdb) == 1
        worker.actor = Actor(1, "admin", "Quản trị", "admin")   # what the main window sets at sign-in
        _select_first_row(panel)
        panel.acknowledge_selected()
        qtbot.waitUntil(lambda: panel.table.rowCount() == 0, timeout=10000)
        assert ward.open_conflict_count(counter.cdb) == 0
        (seen,) = ward.list_conflicts(counter.cdb, include_acknowledged=True)
        assert seen["acknowledged_by"] == 1
    finally:
        worker.stop()
        counter.cdb.close()


def _select_first_row(panel: ConflictPanel) -> None:
    """Select row 0 outright: ``selectRow`` honours the keyboard modifiers Qt believes are held, and a
    Ctrl left "pressed" by an earlier test's synthetic key events turns it into a toggle."""
    from PySide6.QtCore import QItemSelectionModel

    flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    panel.table.selectionModel().select(panel.table.model().index(0, 0), flags)

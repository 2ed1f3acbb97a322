"""The signed-in user is the one recorded: no operation falls back to "the first officer" (issue #17)."""

# ruff: noqa: F811  (the tests take the `page` fixture imported from test_reception by name)
from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from counter_app.db.database import CounterDB
from counter_app.ui.qt import Qt
from counter_app.ui.reception import ReceptionPage
from tests.ui.test_reception import page  # noqa: F401  (page: the fixture, signed in as canbo7)
from tests.ui.test_reception_safety import _count, _to_decision


def test_reception_without_sign_in_is_refused_then_recorded_under_the_signed_in_officer(
        qtbot: QtBot, page: ReceptionPage, tmp_path: Path) -> None:
    actor = page.worker.actor
    assert actor is not None and actor.username == "canbo7" and actor.user_id != 1  # 1: the setup's admin
    page.worker.actor = None                       # nobody signed in (e.g. after a log-out)
    _to_decision(qtbot, page)
    qtbot.keyClick(page.accept_btn, Qt.Key.Key_Return)
    assert "Chưa đăng nhập" in page.message.text()
    assert page.result is None and _count(tmp_path) == 0  # nothing written, not even under another account

    page.worker.actor = actor                      # signed in again: the same keys now record the dossier
    qtbot.keyClick(page.accept_btn, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.result is not None, timeout=15000)
    assert page.result is not None
    cdb = CounterDB(tmp_path / "counter.sqlite3")
    try:
        row = cdb.query_one("SELECT officer_id FROM dossiers WHERE id = ?", (page.result.dossier_id,))
        events = cdb.query("SELECT officer_id FROM dossier_events WHERE dossier_id = ?", (page.result.dossier_id,))
    finally:
        cdb.close()
    assert row is not None and row["officer_id"] == actor.user_id
    assert events and {e["officer_id"] for e in events} == {actor.user_id}

"""Page «Giám sát» on a ward: the per-counter table with «Dữ liệu tính đến», the stale notice, the scope box.

Real widgets and database worker; the data is the hand-counted reports fixture plus replicas of
Quầy 2 (fresh) and Quầy 3 (stale since yesterday) applied through the real replica path.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from counter_app.db.database import CounterDB
from counter_app.reports.indicators import FactsCache
from counter_app.ui.qt import Qt
from counter_app.ui.supervision import SupervisionPage
from counter_app.ui.supervision.ward import AS_OF_COLUMN
from counter_app.ui.tasks import DbWorker
from tests.reports.conftest import NOW, _template, copy_fixture  # noqa: F401 - fixture shared with tests/reports
from tests.ward.test_ward_views import add_ward


@pytest.fixture
def env(qtbot: QtBot, tmp_path: Path, _template: tuple[Path, dict[str, Any]]  # noqa: F811
        ) -> Iterator[tuple[DbWorker, Path, dict[str, str]]]:
    copy_fixture(_template, tmp_path / "counter.sqlite3")
    cdb = CounterDB(tmp_path / "counter.sqlite3")
    ids = add_ward(cdb)
    cdb.close()
    FactsCache.forget()
    worker = DbWorker(tmp_path / "counter.sqlite3")
    with qtbot.waitSignal(worker.ready, timeout=10000):
        worker.start()
    yield worker, tmp_path, ids
    worker.stop()
    FactsCache.forget()


def test_ward_tab_notice_and_scope(qtbot: QtBot, env: tuple[DbWorker, Path, dict[str, str]]) -> None:
    worker, root, ids = env
    page = SupervisionPage(worker, root, clock=lambda: NOW)
    page.no_preview = True
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.refreshed, timeout=15000):
        page.show()
    # This counter's cards are unchanged by the replicas (hand counts of tests/reports).
    assert page.cards["digitisation"].value.text() == "50,0%"
    assert page.scope.isVisible() and page.tabs.isTabVisible(page.tabs.indexOf(page.ward_tab))
    assert [page.scope.itemText(i) for i in range(page.scope.count())] == [
        "Quầy này", "Toàn phường", "Quầy 2", "Quầy 3 ⚠"]
    # Offline honesty: the stale counter is named with since when and why.
    assert page.ward_notice.isVisible()
    assert "Quầy 3: dữ liệu cũ từ 13:50 hôm qua — chưa đồng bộ được với tỉnh" in page.ward_notice.text()
    assert "Quầy 2" not in page.ward_notice.text()
    t = page.ward_tab.table
    assert [t.item(r, 0).text() for r in range(t.rowCount())] == ["Quầy này", "Quầy 2", "Quầy 3", "Toàn phường"]
    assert t.item(0, AS_OF_COLUMN).text() == "Hiện tại (quầy này)"
    assert t.item(1, AS_OF_COLUMN).text() == "07:55 hôm nay"
    assert t.item(2, AS_OF_COLUMN).text() == "⚠ 13:50 hôm qua"
    assert "chưa đồng bộ được với tỉnh" in t.item(2, AS_OF_COLUMN).toolTip()
    assert AS_OF_COLUMN == 1  # next to the name: never scrolled out of sight at 1024 px
    assert [t.item(1, c).text() for c in (2, 3, 4)] == ["3", "1", "1"]  # Quầy 2: received, online, finished
    assert t.item(1, 9).text() == "—" and t.item(0, 9).text() == "2"  # backlog: unknown for a replica
    assert t.item(3, 2).text() == "7"
    assert "1 quầy có dữ liệu cũ" in t.item(3, AS_OF_COLUMN).text()
    # By keyboard: Ctrl+PgDown reaches «Các quầy» and focuses its table; Enter on Quầy 2 shows its
    # figures: 1 of 3 received online; no made-up digitisation.
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow, timeout=5000)
    page.tabs.setCurrentIndex(0)
    qtbot.keyClick(page, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert page.tabs.currentWidget() is page.ward_tab and t.hasFocus()
    t.setCurrentCell(1, 0)
    with qtbot.waitSignal(page.refreshed, timeout=15000):
        qtbot.keyClick(t, Qt.Key.Key_Return)
    assert page.selected_scope() == ids["q2"]
    assert page.cards["online"].value.text() == "33,3%"
    assert page.cards["digitisation"].value.text() == "—"
    overdue = page.deadline_tab.overdue
    assert [overdue.item(r, 0).text() for r in range(overdue.rowCount())] == ["Q2-2"]
    assert overdue.item(0, 3).text() == "Quầy 2" and overdue.horizontalHeaderItem(3).text() == "Cán bộ / quầy"
    # The whole ward.
    with qtbot.waitSignal(page.refreshed, timeout=15000):
        page.set_scope(None)
    assert page.cards["online"].detail.text() == "1/7 hồ sơ"  # own D5, D6 on paper; Q2-2 online


def test_single_counter_shows_no_ward_parts(qtbot: QtBot, tmp_path: Path,
                                            _template: tuple[Path, dict[str, Any]]) -> None:  # noqa: F811
    copy_fixture(_template, tmp_path / "counter.sqlite3")
    FactsCache.forget()
    worker = DbWorker(tmp_path / "counter.sqlite3")
    with qtbot.waitSignal(worker.ready, timeout=10000):
        worker.start()
    try:
        page = SupervisionPage(worker, tmp_path, clock=lambda: NOW)
        qtbot.addWidget(page)
        with qtbot.waitSignal(page.refreshed, timeout=15000):
            page.show()
        assert not page.scope.isVisible() and not page.ward_notice.isVisible()
        assert not page.tabs.isTabVisible(page.tabs.indexOf(page.ward_tab))
    finally:
        worker.stop()
        FactsCache.forget()

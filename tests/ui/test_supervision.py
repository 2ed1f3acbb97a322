"""Page «Giám sát» through the real widgets and database worker, on the hand-counted fixture."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from counter_app.db import reviews
from counter_app.db.database import CounterDB
from counter_app.reports.indicators import FactsCache
from counter_app.services.session import Actor
from counter_app.ui.qt import QApplication, QDialog, QLineEdit, QTimer
from counter_app.ui.roles import can_edit_settings, can_review, visible_pages
from counter_app.ui.supervision import SupervisionPage
from counter_app.ui.tasks import DbWorker
from tests.reports.conftest import NOW, _template, copy_fixture  # noqa: F401 - fixture shared with tests/reports


@pytest.fixture
def env(qtbot: QtBot, tmp_path: Path, _template: tuple[Path, dict[str, Any]]  # noqa: F811
        ) -> Iterator[tuple[DbWorker, Path, dict[str, Any]]]:
    info = copy_fixture(_template, tmp_path / "counter.sqlite3")
    FactsCache.forget()
    worker = DbWorker(tmp_path / "counter.sqlite3")
    with qtbot.waitSignal(worker.ready, timeout=10000):
        worker.start()
    # The signed-in supervisor (the main window sets it at sign-in): reviews and apologies are theirs.
    worker.actor = Actor(info["sup"], "giamsat", "Phạm Quốc Hùng", "supervisor")
    yield worker, tmp_path, info
    worker.stop()
    FactsCache.forget()


def _page(qtbot: QtBot, worker: DbWorker, root: Path, now: datetime = NOW) -> SupervisionPage:
    page = SupervisionPage(worker, root, clock=lambda: now)
    page.no_preview = True
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.refreshed, timeout=15000):
        page.show()
    return page


def test_roles() -> None:
    assert "supervision" not in visible_pages("officer") and "settings" not in visible_pages("officer")
    assert {"reception", "dossiers", "scanning"} <= visible_pages("officer")
    assert "supervision" in visible_pages("supervisor") and "supervision" in visible_pages("admin")
    assert visible_pages("nobody") == visible_pages("officer")
    assert not can_edit_settings("supervisor") and can_edit_settings("admin")
    assert can_review("supervisor") and not can_review("officer")


def test_cards_backlog_deadlines(qtbot: QtBot, env: tuple[DbWorker, Path, dict[str, Any]]) -> None:
    worker, root, info = env
    page = _page(qtbot, worker, root)
    assert page.selected_month() == (2026, 11)
    assert page.status.text().startswith("Cập nhật ") and " ms" not in page.status.text()  # no developer timing
    assert page.cards["digitisation"].value.text() == "50,0%"
    assert page.cards["on_time"].value.text() == "100,0%"
    assert "Quyết định 766" in page.cards["online"].toolTip() and "50%" in page.cards["online"].toolTip()
    assert page.banner.isHidden()
    bt = page.backlog_tab
    assert [b.text() for b in bt.age_buttons] == ["0–1 ngày: 1", "2–3 ngày: 0", "4–7 ngày: 0", "> 7 ngày: 1"]
    assert bt.by_officer.rowCount() == 1 and bt.by_officer.item(0, 0).text() == "Trần Văn Minh"
    assert page.deadline_tab.overdue.rowCount() == 2 and page.deadline_tab.soon.rowCount() == 1
    assert page.overview_tab.sync_labels["queue"].text()
    # Drill-down to the oldest bucket, then jump to scanning.
    page.backlog_tab.drill(bucket=3)
    qtbot.waitUntil(lambda: page.backlog_tab.drill_table.rowCount() == 1, timeout=10000)
    with qtbot.waitSignal(page.scan_requested, timeout=5000) as sig:
        page.backlog_tab.scan_btn.click()
    assert sig.args == [info["ids"]["D4"]]
    # Previous month: October's figures.
    with qtbot.waitSignal(page.refreshed, timeout=15000):
        page.month.setCurrentIndex(1)
    assert page.cards["on_time"].value.text() == "50,0%"
    assert page.cards["satisfaction"].value.text() == "25,0%"


def test_quality_review_approve_and_reject(qtbot: QtBot, env: tuple[DbWorker, Path, dict[str, Any]]) -> None:
    worker, root, info = env
    page = _page(qtbot, worker, root)
    assert page.review_tab.review_table.rowCount() == 4  # D1 TK, GCS; D2 TK; D4 TK
    page.review_tab.review_table.selectRow(0)
    first = page.review_tab.current()
    assert first is not None
    qtbot.waitUntil(lambda: "Không mở được" in page.review_tab.preview.text(), timeout=10000)  # no bytes in the fixture
    with qtbot.waitSignal(page.refreshed, timeout=15000):
        page.review_tab.approve_btn.click()
    assert page.review_tab.review_table.rowCount() == 3
    page.review_tab.review_table.selectRow(0)
    second = page.review_tab.current()
    assert second is not None
    with qtbot.waitSignal(page.refreshed, timeout=15000):
        page.review_tab.reject_selected("Ảnh nghiêng, mất chữ")
    assert page.review_tab.review_table.rowCount() == 2
    cdb = CounterDB(root / "counter.sqlite3")
    states = {r["id"]: r["review_state"] for r in cdb.query("SELECT id, review_state FROM dossier_components")}
    assert states[first["component_id"]] == "approved" and states[second["component_id"]] == "rejected"
    sup = info["sup"]
    assert cdb.scalar("SELECT reviewer_id FROM component_reviews ORDER BY id DESC LIMIT 1") == sup
    owner = cdb.scalar("SELECT officer_id FROM dossiers WHERE id = ?", (second["dossier_id"],))
    assert second["component_id"] in {t["component_id"] for t in reviews.rescan_tasks(cdb, owner)}
    # The rejected component is back in the backlog: "shows as such everywhere".
    assert "bản bị trả lại" in page.backlog_tab.head.text()
    cdb.close()


def test_preview_renders_a_real_scan(qtbot: QtBot, env: tuple[DbWorker, Path, dict[str, Any]]) -> None:
    worker, root, _info = env
    from reportlab.pdfgen.canvas import Canvas

    cdb = CounterDB(root / "counter.sqlite3")
    for path in [r["path"] for r in cdb.query("SELECT path FROM files WHERE kind = 'scan'")]:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        c = Canvas(str(root / path))
        c.drawString(100, 700, "scan")
        c.save()
    cdb.close()
    page = _page(qtbot, worker, root)
    preview = page.review_tab.preview
    qtbot.waitUntil(lambda: preview.pixmap() is not None and not preview.pixmap().isNull(), timeout=10000)


def test_monthly_report_export_and_reminder(qtbot: QtBot, env: tuple[DbWorker, Path, dict[str, Any]]) -> None:
    worker, root, _info = env
    page = _page(qtbot, worker, root, now=datetime(2026, 12, 3, 9, 0))
    assert not page.banner.isHidden() and "11/2026" in page.banner.text()
    page.month.setCurrentIndex(1)  # 11/2026
    qtbot.waitSignal(page.refreshed, timeout=15000)
    with qtbot.waitSignal(page.report_saved, timeout=30000) as sig:
        page.export_pdf()
    pdf = sig.args[0]
    assert pdf == root / "documents" / "reports" / "bao-cao-thang-2026-11.pdf" and pdf.exists()
    import pypdf

    text = "".join(p.extract_text() for p in pypdf.PdfReader(pdf).pages)
    assert "BÁO CÁO" in text and "tháng 11 năm 2026" in text
    qtbot.waitUntil(lambda: page.banner.isHidden(), timeout=15000)  # report produced: reminder gone
    with qtbot.waitSignal(page.report_saved, timeout=30000) as sig:
        page.export_csv()
    assert sig.args[0].read_bytes().startswith(b"\xef\xbb\xbf")


def test_apology_from_overdue_list(qtbot: QtBot, env: tuple[DbWorker, Path, dict[str, Any]]) -> None:
    worker, root, info = env
    page = _page(qtbot, worker, root)
    d4 = info["ids"]["D4"]
    row = [page.deadline_tab.overdue.item(i, 0).text() for i in range(page.deadline_tab.overdue.rowCount())].index(
        CounterDB(root / "counter.sqlite3").scalar("SELECT code FROM dossiers WHERE id = ?", (d4,)))
    page.deadline_tab.overdue.selectRow(row)

    def fill() -> None:
        ask = QApplication.activeModalWidget()
        if ask is None:
            QTimer.singleShot(100, fill)
            return
        ask.findChildren(QLineEdit)[0].setText("Chờ xác minh nơi cư trú")
        assert isinstance(ask, QDialog)
        ask.accept()

    QTimer.singleShot(300, fill)
    page.deadline_tab.apology_btn.click()
    cdb = CounterDB(root / "counter.sqlite3")
    qtbot.waitUntil(lambda: cdb.scalar("SELECT new_due_at FROM dossiers WHERE id = ?", (d4,)) is not None,
                    timeout=20000)
    cdb.close()


def test_at_1024_px_chart_labels_fit_and_sync_error_is_vietnamese(
        qtbot: QtBot, env: tuple[DbWorker, Path, dict[str, Any]]) -> None:
    """A ward PC's 1024 px screen: no x-axis label is cut to «0…»; the last sync error of an item
    (stored as a kind code only) reads in Vietnamese, not as the code."""
    from PySide6.QtGui import QFontMetrics

    worker, root, _info = env
    cdb = CounterDB(root / "counter.sqlite3")
    with cdb.write():
        cdb.set_setting("sync_last_error_kind", "rejected")
        cdb.set_setting("sync_last_error_message", None)
    cdb.close()
    page = _page(qtbot, worker, root)
    page.resize(1024, 700)
    qtbot.wait(50)  # let the charts lay out at this width (the assertions below are positive)
    for chart in (page.overview_tab.trend_chart, page.overview_tab.age_chart):
        ax = chart.axes()[0]
        cats = ax.categories()
        per = chart.plotArea().width() / len(cats)
        fm = QFontMetrics(ax.labelsFont())
        # Qt Charts elides a category label wider than about half its category (seen: «0–1 ngày»
        # cut to «0–1 n…» in a 79 px category), so half the category is the room a label has.
        room = per / 2
        if abs(ax.labelsAngle()) == 90:
            assert fm.height() <= room, chart.title()
        else:
            assert max(fm.horizontalAdvance(c) for c in cats) <= room, (chart.title(), cats, per)
    assert page.overview_tab.sync_labels["last_error"].text() == "Máy chủ từ chối một số mục"


def test_review_without_signed_in_user_fails_clearly(env: tuple[DbWorker, Path, dict[str, Any]]) -> None:
    """No fallback to "the first supervisor": nobody signed in → a Vietnamese error, nothing recorded."""
    from counter_app.errors import ValidationError
    from counter_app.services import review

    _worker, root, info = env
    cdb = CounterDB(root / "counter.sqlite3")
    cid = reviews.pending_reviews(cdb)[0]["component_id"]
    before = cdb.scalar("SELECT count(*) FROM component_reviews")
    with pytest.raises(ValidationError, match="Chưa đăng nhập"):
        review.approve_component(cdb, cid, None)
    assert cdb.scalar("SELECT count(*) FROM component_reviews") == before
    review.approve_component(cdb, cid, info["sup"])
    assert cdb.scalar("SELECT reviewer_id FROM component_reviews ORDER BY id DESC LIMIT 1") == info["sup"]
    cdb.close()

"""Smoke test: the main window opens offscreen, reads its data on the worker and shows dossiers."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pytestqt.qtbot import QtBot

from counter_app.db import dossiers as repo
from counter_app.domain.calendar import WorkCalendar
from counter_app.ui.main_window import MainWindow
from counter_app.ui.tasks import DbWorker
from tests.factories import make_db


def _seed(path: Path) -> None:
    cdb = make_db(path)
    for i in range(250):  # more than one fetch page
        repo.receive(
            cdb,
            repo.ReceptionInput(
                procedure_code="1.001193",
                applicant=repo.ApplicantInput(full_name=f"Nguyễn Văn {i}", id_number=f"0010900{i:05d}"),
                components=[repo.ComponentInput("TK"), repo.ComponentInput("GCS"),
                            repo.ComponentInput("CCCD", "shown")],
            ),
            WorkCalendar.default(),
            now=datetime(2026, 10, 5, 9, 0, i % 60),
        )
    cdb.close()


def test_main_window_shows_dossiers(qtbot: QtBot, tmp_path: Path) -> None:
    db_path = tmp_path / "c.db"
    _seed(db_path)
    worker = DbWorker(db_path)
    with qtbot.waitSignal(worker.ready, timeout=10000):
        worker.start()
    try:
        win = MainWindow(worker, str(tmp_path))
        qtbot.addWidget(win)
        win.show_fitted()
        # A 1366×768 ward screen less a 40-px taskbar: the window, status bar included, must fit
        # (a fixed 1280×800 window once hid the sync state below the edge).
        least = win.minimumSizeHint()
        assert least.width() <= 1366 and least.height() <= 728, least
        avail = win.screen().availableGeometry()  # offscreen: 800×800, smaller than the default size
        assert win.geometry().height() <= avail.height(), (avail, win.geometry())
        win.start()
        model = win.dossiers.model
        qtbot.waitUntil(lambda: model.rowCount() >= 200, timeout=10000)
        assert model.data(model.index(0, 0)).startswith("H01.37.01-261005-")
        qtbot.waitUntil(lambda: "250" in win.dossiers.counts.text(), timeout=5000)
        qtbot.waitUntil(lambda: "H01.37.01" in win.agency_label.text(), timeout=5000)
        assert "Chờ gửi 250" in win.sync_label.text()
        # Scrolling to the end fetches the next page off the UI thread.
        win.dossiers.view.scrollToBottom()
        qtbot.waitUntil(lambda: model.rowCount() == 250, timeout=10000)
        # Search narrows the list.
        win.dossiers.search.setText("nguyen van 12")
        qtbot.waitUntil(lambda: model.rowCount() == 11, timeout=5000)  # 12, 120..129
        # Keyboard navigation between pages.
        win.show_page("settings")
        assert win.stack.currentWidget() is win.settings_page
    finally:
        worker.stop()


def test_dialogs_fit_the_screen(qtbot: QtBot) -> None:
    """Dialogs sized for a big monitor are shrunk to the screen's free area, never beyond it."""
    import numpy as np

    from counter_app.ui.corner_dialog import CornerDialog
    from counter_app.ui.qt import QGuiApplication, QWidget
    from counter_app.ui.screen import FRAME_MARGIN, fit_to_screen

    avail = QGuiApplication.primaryScreen().availableGeometry()  # offscreen: 800×800
    dlg = CornerDialog(np.full((3508, 2480, 3), 255, np.uint8), None)
    qtbot.addWidget(dlg)
    assert dlg.height() <= avail.height() - FRAME_MARGIN and dlg.width() <= avail.width()
    dlg.show()
    # The whole page is in view once the dialog has its size.
    shown = dlg.view.mapFromScene(dlg.view.scene().sceneRect()).boundingRect()
    assert dlg.view.viewport().rect().adjusted(-2, -2, 2, 2).contains(shown)
    small = QWidget()
    qtbot.addWidget(small)
    fit_to_screen(small, 300, 200)  # smaller than the screen: the asked size
    assert (small.width(), small.height()) == (300, 200)


def test_ctrl_n_on_the_reception_page_starts_a_new_dossier(qtbot: QtBot, tmp_path: Path) -> None:
    """Issue #14: the window and the page each had a Ctrl+N shortcut; Qt fired neither (ambiguous)."""
    from counter_app.ui.qt import QShortcut, Qt

    make_db(tmp_path / "c.db").close()
    worker = DbWorker(tmp_path / "c.db")
    with qtbot.waitSignal(worker.ready, timeout=10000):
        worker.start()
    try:
        win = MainWindow(worker, str(tmp_path))
        win.no_background_sync = True
        qtbot.addWidget(win)
        win.show()
        qtbot.waitExposed(win)
        owners = [sc for sc in win.findChildren(QShortcut) if sc.key().toString() == "Ctrl+N"]
        assert len(owners) == 1, "one owner of Ctrl+N, or Qt treats it as ambiguous"
        page = win.reception
        page.refresh()
        qtbot.waitUntil(lambda: page.index is not None, timeout=10000)
        win.show_page("reception", focus=True)
        qtbot.keyClicks(page.search, "khai sinh")
        qtbot.keyClick(page.search, Qt.Key.Key_Return)
        assert page.stack.currentIndex() == 1
        page.name.setText("Nguyễn Văn An")
        qtbot.keyClick(page.focusWidget(), Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
        assert page.stack.currentIndex() == 0 and page.name.text() == "" and page.focusWidget() is page.search
        win.show_page("dossiers", focus=True)  # from another page too
        qtbot.keyClick(win.focusWidget(), Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
        assert win.stack.currentWidget() is page
    finally:
        worker.stop()


def test_every_page_fits_a_1024_pixel_screen(qtbot: QtBot, tmp_path: Path) -> None:
    """Issue #14: at 1024×768 the window needed 1065 px (later 1298 px: a one-line key hint, seven
    indicator cards in a row, a long backup warning in the status bar) and fields collapsed."""
    db_path = tmp_path / "c.db"
    make_db(db_path).close()
    worker = DbWorker(db_path)
    with qtbot.waitSignal(worker.ready, timeout=10000):
        worker.start()
    try:
        win = MainWindow(worker, str(tmp_path))
        qtbot.addWidget(win)
        win._ensure_supervision()  # built on first opening: its indicator cards were the widest row
        win._show_backup_status("Chưa chọn thư mục sao lưu (Cài đặt → Sao lưu): dữ liệu chỉ nằm trên máy này. "
                                "Cắm ổ USB sao lưu và chọn thư mục.", "warn")
        win.sync_label.setText("⚠ ● Ngoại tuyến · Chờ gửi 12345 (lâu nhất 173 ngày) · gửi được lần cuối 10:05 01/11")
        win.agency_label.setText("Trung tâm Phục vụ hành chính công phường Ba Đình, thành phố Hà Nội (H01.37.01)")
        for key, page in win.pages.items():
            width = win.nav.width() + page.minimumSizeHint().width()
            assert width <= 1024, (key, width)
        assert win.minimumSizeHint().width() <= 1024, win.minimumSizeHint()
        assert win.minimumSizeHint().height() <= 728, win.minimumSizeHint()  # 768 less a taskbar
    finally:
        worker.stop()


def test_the_status_bar_and_every_operation_name_the_signed_in_user(qtbot: QtBot, tmp_path: Path) -> None:
    """Issue #17: before log-in the bar named "the first officer account"; now it names nobody until
    someone signs in, and a quick switch changes who the worker records operations under."""
    from counter_app.db.accounts import User
    from counter_app.db.setup import add_user

    cdb = make_db(tmp_path / "c.db")
    first = add_user(cdb, "canbo1", "Nguyễn Thị Lan", "officer", None)
    second = add_user(cdb, "canbo2", "Trần Văn Minh", "officer", None)
    cdb.close()
    worker = DbWorker(tmp_path / "c.db")
    with qtbot.waitSignal(worker.ready, timeout=10000):
        worker.start()
    try:
        win = MainWindow(worker, str(tmp_path))
        qtbot.addWidget(win)
        win.no_background_sync = True
        win.start()
        qtbot.waitUntil(lambda: "H01.37.01" in win.agency_label.text(), timeout=10000)
        assert "chưa đăng nhập" in win.officer_label.text() and "Nguyễn Thị Lan" not in win.officer_label.text()
        assert worker.actor is None
        win.set_user(User(second, "canbo2", "Trần Văn Minh", "officer"))
        assert win.officer_label.text() == "Cán bộ: Trần Văn Minh"
        assert worker.actor is not None and worker.actor.user_id == second != first
        assert win.reception.officer_id == second
        win.refresh_status()  # a later refresh keeps the signed-in name
        after: list[int] = []
        worker.submit(lambda _cdb: None, lambda _r: after.append(1))  # jobs and callbacks run in order
        qtbot.waitUntil(lambda: bool(after), timeout=10000)
        assert win.officer_label.text() == "Cán bộ: Trần Văn Minh"
    finally:
        worker.stop()


def test_a_sync_pass_that_changed_the_catalogue_reloads_the_reception_page(qtbot: QtBot, tmp_path: Path) -> None:
    """The province changed a procedure's papers: the next dossier is typed against the new list (a
    stale page sent the old components and the save was refused: «không thuộc thủ tục»)."""
    from types import SimpleNamespace

    from counter_app.db.catalogue import store_procedures
    from counter_app.db.database import CounterDB
    from tests.factories import BIRTH

    make_db(tmp_path / "c.db").close()
    worker = DbWorker(tmp_path / "c.db")
    with qtbot.waitSignal(worker.ready, timeout=10000):
        worker.start()
    try:
        win = MainWindow(worker, str(tmp_path))
        qtbot.addWidget(win)
        win.no_background_sync = True
        win.start()
        qtbot.waitUntil(lambda: "1.001193" in win.reception.procedures, timeout=10000)
        codes = [c["code"] for c in win.reception.procedures["1.001193"]["components"]]
        assert "TK-2027" not in codes
        cdb = CounterDB(tmp_path / "c.db")
        changed = {**BIRTH, "components": [{**BIRTH["components"][0], "code": "TK-2027"}, *BIRTH["components"][1:]]}
        store_procedures(cdb, [changed], version="province-2")
        cdb.close()
        win._sync_pass_done(SimpleNamespace(catalogue_updated=0))
        after: list[int] = []
        worker.submit(lambda _cdb: None, lambda _r: after.append(1))
        qtbot.waitUntil(lambda: bool(after), timeout=10000)
        assert "TK-2027" not in [c["code"] for c in win.reception.procedures["1.001193"]["components"]]
        win._sync_pass_done(SimpleNamespace(catalogue_updated=1))
        qtbot.waitUntil(lambda: "TK-2027" in [c["code"] for c in win.reception.procedures["1.001193"]["components"]],
                        timeout=10000)
    finally:
        worker.stop()

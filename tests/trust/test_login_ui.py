"""Log-in dialog, idle lock overlay and quick switch, with the real DbWorker and database (offscreen)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from counter_app.db import accounts, audit
from counter_app.db.database import CounterDB
from counter_app.db.setup import add_user
from counter_app.ui.login import IdleLock, IdleWatcher, LoginDialog
from counter_app.ui.qt import QLineEdit, QMainWindow, Qt
from counter_app.ui.tasks import DbWorker
from tests.trust.trust_helpers import fresh_db

PASSWORD = "Cay-bang-truoc-san"


@pytest.fixture
def worker(qtbot: QtBot, tmp_path: Path) -> Iterator[DbWorker]:
    cdb = fresh_db(tmp_path / "c.db")
    add_user(cdb, "canbo1", "Trần Thị Bình", "officer", PASSWORD)
    add_user(cdb, "canbo2", "Lê Văn Cường", "officer", PASSWORD)
    cdb.close()
    w = DbWorker(tmp_path / "c.db")
    with qtbot.waitSignal(w.ready, timeout=20000):
        w.start()
    yield w
    w.stop()


def _actions(path: Path) -> list[str]:
    cdb = CounterDB(path)
    try:
        return [r["action"] for r in reversed(audit.recent(cdb, limit=100))]
    finally:
        cdb.close()


def test_login_dialog_wrong_then_right(qtbot: QtBot, worker: DbWorker) -> None:
    dlg = LoginDialog(worker, username="canbo1")
    qtbot.addWidget(dlg)
    dlg.password.setText("sai")
    dlg.try_login()
    qtbot.waitUntil(lambda: "không đúng" in dlg.message.text(), timeout=10000)
    assert dlg.password.text() == "" and dlg.user is None and dlg.ok.isEnabled()
    dlg.password.setText(PASSWORD)
    with qtbot.waitSignal(dlg.accepted, timeout=10000):
        dlg.try_login()
    assert dlg.user is not None and dlg.user.username == "canbo1"


def test_idle_watcher_is_reset_by_input(qtbot: QtBot) -> None:
    edit = QLineEdit()
    qtbot.addWidget(edit)
    edit.show()
    watcher = IdleWatcher()
    watcher.set_timeout_ms(400)
    fired: list[bool] = []
    watcher.idle.connect(lambda: fired.append(True))
    watcher.start()
    try:
        for _ in range(6):  # 6 × 150 ms of typing > 400 ms: never idle meanwhile
            qtbot.keyClick(edit, Qt.Key.Key_A)
            qtbot.wait(150)
        assert not fired
        qtbot.waitUntil(lambda: bool(fired), timeout=3000)
    finally:
        watcher.stop()


def test_idle_lock_keeps_the_page_and_blocks_input_then_unlocks_and_switches(
    qtbot: QtBot, worker: DbWorker, tmp_path: Path
) -> None:
    window = QMainWindow()
    typing = QLineEdit("Nguyễn Văn An — đang nhập dở")
    window.setCentralWidget(typing)
    window.resize(800, 600)
    qtbot.addWidget(window)
    window.show()
    cdb = CounterDB(tmp_path / "c.db")
    user = accounts.authenticate(cdb, "canbo1", PASSWORD)
    cdb.close()
    lock = IdleLock(window, worker, accounts.Session(user, datetime.now()))
    lock.watcher.set_timeout_ms(300)
    try:
        with qtbot.waitSignal(lock.locked, timeout=5000):
            pass  # nobody touches anything: the idle timer locks the window
        overlay = lock.overlay
        screen = window.screen().geometry()
        assert overlay.isVisible() and overlay.geometry() == screen and overlay.isModal()
        assert "Trần Thị Bình" in overlay.who.text()
        qtbot.keyClicks(typing, "XYZ")  # keys aimed at the page underneath are swallowed
        assert typing.text() == "Nguyễn Văn An — đang nhập dở"

        overlay.password.setText("sai")
        overlay.unlock_button.click()
        qtbot.waitUntil(lambda: "không đúng" in overlay.message.text(), timeout=10000)
        # The whole message is visible: the label got the height its wrapped lines need (it was
        # laid out one line high and cut off at top and bottom).
        qtbot.waitUntil(lambda: overlay.message.height() >= overlay.message.heightForWidth(
            overlay.message.width()) > 0, timeout=3000)
        assert lock.is_locked
        overlay.password.setText(PASSWORD)
        with qtbot.waitSignal(lock.unlocked, timeout=10000) as unlocked:
            overlay.unlock_button.click()
        assert unlocked.args[0].username == "canbo1" and not overlay.isVisible()
        qtbot.keyClicks(typing, "!")
        assert typing.text().endswith("dở!")  # the page is live again, with what was typed before

        lock.watcher.set_timeout_ms(0)  # no idle lock during the switch below
        lock.lock()
        overlay.switch_button.click()
        overlay.switch_user.setText("canbo2")
        overlay.password.setText(PASSWORD)
        assert overlay.switch_user.isVisible(), overlay.message.text()
        with qtbot.waitSignal(lock.switched, timeout=10000) as switched:
            overlay.unlock_button.click()
        assert switched.args[0].user.username == "canbo2" and lock.session.user.username == "canbo2"
        assert typing.text().endswith("dở!")
    finally:
        lock.stop()
    qtbot.waitUntil(lambda: "switch_user" in _actions(tmp_path / "c.db"), timeout=5000)
    actions = _actions(tmp_path / "c.db")
    assert actions.count("screen_locked") == 2 and "screen_unlocked" in actions


def test_audit_panel_lists_entries_and_reports_a_break(qtbot: QtBot, worker: DbWorker, tmp_path: Path) -> None:
    from counter_app.ui.login import AuditPanel

    panel = AuditPanel(worker, page_size=2)
    qtbot.addWidget(panel)
    panel.reload()
    qtbot.waitUntil(lambda: panel.table.rowCount() == 2, timeout=10000)
    assert panel.more_button.isEnabled()
    assert panel.table.item(0, 2).text() == "Tạo tài khoản"  # newest first: canbo2 was created last
    panel.load_more()
    qtbot.waitUntil(lambda: panel.table.rowCount() == 4, timeout=10000)
    with qtbot.waitSignal(panel.verified, timeout=10000) as ok:
        panel.verify()
    assert ok.args == [True] and "nguyên vẹn" in panel.report.text()
    import sqlite3

    conn = sqlite3.connect(tmp_path / "c.db")
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("UPDATE audit_log SET action = 'print' WHERE id = 2")
    conn.commit()
    conn.close()
    with qtbot.waitSignal(panel.verified, timeout=10000) as bad:
        panel.verify()
    assert bad.args == [False] and "#2" in panel.report.text() and "PHÁT HIỆN" in panel.report.text()


def test_lock_covers_an_open_dialog_and_still_takes_the_password(
    qtbot: QtBot, worker: DbWorker, tmp_path: Path
) -> None:
    from counter_app.ui.qt import QDialog, QVBoxLayout

    window = QMainWindow()
    qtbot.addWidget(window)
    window.show()
    dialog = QDialog(window)
    field = QLineEdit("Phiếu đang điền", dialog)
    QVBoxLayout(dialog).addWidget(field)
    dialog.open()  # window-modal, like a confirmation or the print preview
    qtbot.waitUntil(dialog.isVisible)
    cdb = CounterDB(tmp_path / "c.db")
    user = accounts.authenticate(cdb, "canbo1", PASSWORD)
    cdb.close()
    lock = IdleLock(window, worker, accounts.Session(user, datetime.now()), minutes=0)
    try:
        lock.lock()
        qtbot.keyClicks(field, "XYZ")
        assert field.text() == "Phiếu đang điền"
        qtbot.keyClicks(lock.overlay.password, PASSWORD)
        assert lock.overlay.password.text() == PASSWORD  # the lock window is the top modal: it gets keys
        with qtbot.waitSignal(lock.unlocked, timeout=10000):
            qtbot.keyClick(lock.overlay.password, Qt.Key.Key_Return)
        assert dialog.isVisible() and field.text() == "Phiếu đang điền"  # the dialog was kept, not closed
    finally:
        lock.stop()
        dialog.reject()


def test_lock_takes_keys_and_clicks_delivered_to_its_window_as_a_real_window_system_does(
    qtbot: QtBot, worker: DbWorker, tmp_path: Path
) -> None:
    """Issue #14: on X11/Windows Qt delivers input to the ``QWindow`` first, not to a widget.

    The lock's application-wide filter once dropped every event whose receiver was not a child of
    the lock widget — so the window-level key and mouse events never reached the password field.
    """
    from PySide6.QtTest import QTest

    from counter_app.ui.qt import QApplication, QKeyEvent

    window = QMainWindow()
    typing = QLineEdit("đang nhập dở")
    window.setCentralWidget(typing)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    cdb = CounterDB(tmp_path / "c.db")
    user = accounts.authenticate(cdb, "canbo1", PASSWORD)
    cdb.close()
    lock = IdleLock(window, worker, accounts.Session(user, datetime.now()), minutes=0)

    def type_into(target: object, text: str) -> None:
        for ch in text:
            for kind in (QKeyEvent.Type.KeyPress, QKeyEvent.Type.KeyRelease):
                QApplication.sendEvent(target, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, ch))

    try:
        lock.lock()
        overlay = lock.overlay
        qtbot.waitExposed(overlay)
        handle = overlay.windowHandle()
        qtbot.waitUntil(lambda: overlay.password.hasFocus(), timeout=5000)
        type_into(handle, "sai")
        assert overlay.password.text() == "sai", "keys sent to the lock's QWindow must reach the password field"
        type_into(window.windowHandle(), "XYZ")  # the locked window's own QWindow stays blocked
        assert typing.text() == "đang nhập dở"
        # «Đổi cán bộ…» clicked through the window, as a mouse on a real screen does.
        centre = overlay.switch_button.mapTo(overlay, overlay.switch_button.rect().center())
        QTest.mouseClick(handle, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)
        assert overlay.switch_user.isVisible() and overlay.switch_user.hasFocus()
        QApplication.processEvents()  # the new field moved the buttons
        centre = overlay.switch_button.mapTo(overlay, overlay.switch_button.rect().center())
        QTest.mouseClick(handle, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)
        assert not overlay.switch_user.isVisible()
        overlay.password.clear()
        type_into(handle, PASSWORD)
        centre = overlay.unlock_button.mapTo(overlay, overlay.unlock_button.rect().center())
        with qtbot.waitSignal(lock.unlocked, timeout=10000):
            QTest.mouseClick(handle, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)
        type_into(window.windowHandle(), "!")
        assert typing.text() == "đang nhập dở!"  # unlocked: the page takes keys through its window again
    finally:
        lock.stop()


def test_enter_in_the_user_name_moves_to_the_password_without_trying_to_log_in(
    qtbot: QtBot, worker: DbWorker
) -> None:
    """Under X, Enter after the user name also fired the default button: an empty-password attempt
    whose failure then cleared the password being typed (issue #14)."""
    dlg = LoginDialog(worker)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    qtbot.keyClicks(dlg.username, "canbo1")
    qtbot.keyClick(dlg.username, Qt.Key.Key_Return)
    assert dlg.focusWidget() is dlg.password and dlg.message.text() == "" and dlg.ok.isEnabled()
    qtbot.keyClicks(dlg.password, PASSWORD)
    with qtbot.waitSignal(dlg.accepted, timeout=10000):
        qtbot.keyClick(dlg.password, Qt.Key.Key_Return)
    assert dlg.user is not None and dlg.user.username == "canbo1"

"""Accounts in the GUI («Cài đặt → Tài khoản»): the admin adds, resets, changes roles and disables
accounts; everyone changes their own password — real widgets, a real DbWorker, a real database."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from counter_app.db import accounts, audit
from counter_app.db.database import CounterDB
from counter_app.db.setup import add_user
from counter_app.ui.main_window import NAV, MainWindow
from counter_app.ui.qt import QApplication, QMessageBox, QTimer, QWidget
from counter_app.ui.settings_page import SettingsPage
from counter_app.ui.tasks import DbWorker
from counter_app.ui.users import COLUMNS, PasswordDialog, UsersPanel
from tests.qt_helpers import drain_worker
from tests.trust.trust_helpers import fresh_db

PASSWORD = "Cay-bang-truoc-san"
NEW_PASSWORD = "Hoa-sen-trong-dam"
WAIT = 15_000
ADMIN = accounts.User(1, "admin", "Quản trị hệ thống", "admin")


class Env:
    def __init__(self, path: Path, worker: DbWorker, officer: accounts.User) -> None:
        self.path, self.worker, self.officer = path, worker, officer

    def db(self) -> CounterDB:
        """A second connection, as another process would see the database."""
        return CounterDB(self.path, migrate=False)

    def authenticate(self, username: str, password: str) -> accounts.User:
        cdb = self.db()
        try:
            return accounts.authenticate(cdb, username, password)
        finally:
            cdb.close()

    def audit_rows(self, action: str) -> list[dict[str, Any]]:
        cdb = self.db()
        try:
            return [r for r in reversed(audit.recent(cdb, limit=1000)) if r["action"] == action]
        finally:
            cdb.close()

    def all_audit_text(self) -> str:
        cdb = self.db()
        try:
            assert audit.verify_chain(cdb) == []
            return str(cdb.query("SELECT * FROM audit_log"))
        finally:
            cdb.close()


@pytest.fixture
def env(qtbot: QtBot, tmp_path: Path) -> Iterator[Env]:
    path = tmp_path / "counter.sqlite3"
    cdb = fresh_db(path)  # configured, with admin / "x" (id 1)
    officer_id = add_user(cdb, "canbo1", "Trần Thị Bình", "officer", PASSWORD)
    cdb.close()
    worker = DbWorker(path)
    with qtbot.waitSignal(worker.ready, timeout=20_000):
        worker.start()
    try:
        yield Env(path, worker, accounts.User(officer_id, "canbo1", "Trần Thị Bình", "officer"))
    finally:
        worker.stop()


def _panel(qtbot: QtBot, env: Env, user: accounts.User) -> UsersPanel:
    panel = UsersPanel(env.worker)
    qtbot.addWidget(panel)
    panel.set_user(user)
    panel.show()
    if panel.admin:
        qtbot.waitUntil(lambda: panel.table.rowCount() >= 2 and not panel.loading, timeout=WAIT)
    return panel


def _cells(panel: UsersPanel, username: str) -> dict[str, str]:
    for r in range(panel.table.rowCount()):
        if panel.table.item(r, 0).text() == username:
            return {COLUMNS[c]: panel.table.item(r, c).text() for c in range(len(COLUMNS))}
    raise AssertionError(f"{username} not listed")


def _listed(panel: UsersPanel, username: str, column: str, predicate: Callable[[str], bool]) -> bool:
    try:
        return predicate(_cells(panel, username)[column])
    except AssertionError:
        return False


def _submit(qtbot: QtBot, dlg: Any) -> None:
    """Press the dialog's OK and wait until the worker stored the change (the dialog accepts)."""
    with qtbot.waitSignal(dlg.accepted, timeout=WAIT):
        dlg.ok.click()


def _refused(qtbot: QtBot, dlg: Any, expected: str) -> None:
    """Press OK; the refusal shows inline and the dialog stays (not accepted)."""
    dlg.ok.click()
    qtbot.waitUntil(lambda: expected in dlg.message.text() and not dlg.busy, timeout=WAIT)
    assert dlg.result() == 0 and dlg.ok.isEnabled()


class Modal:
    """Answer the modal windows that open while a button runs its ``exec()``: ``steps`` are
    ``(window type, action)`` in order. A window nobody expected is closed after 20 s and reported,
    so a test fails instead of hanging the run."""

    def __init__(self, steps: list[tuple[type, Callable[[Any], None]]]) -> None:
        self.steps, self.done, self.unexpected = list(steps), 0, []
        self._seen: object = None
        self._since = 0.0
        self.timer = QTimer()
        self.timer.timeout.connect(self._poll)
        self.timer.start(30)

    def _poll(self) -> None:
        w = QApplication.activeModalWidget()
        if w is None or (w is self._seen and time.monotonic() - self._since < 20):
            return
        if w is self._seen:
            self.unexpected.append(type(w).__name__)
            self.timer.stop()
            w.close()
            return
        self._seen, self._since = w, time.monotonic()
        if self.steps and isinstance(w, self.steps[0][0]):
            _kind, action = self.steps.pop(0)
            self.done += 1
            action(w)
            if not self.steps:
                self.timer.stop()


def _click(text: str) -> Callable[[QMessageBox], None]:
    def click(box: QMessageBox) -> None:
        for b in box.buttons():
            if b.text().replace("&", "") == text:
                b.click()
                return
        raise AssertionError(f"no button {text!r} in {[b.text() for b in box.buttons()]}")

    return click


# ------------------------------------------------------------------------------------------ tests
def test_admin_adds_an_officer_who_can_then_log_in(qtbot: QtBot, env: Env) -> None:
    panel = _panel(qtbot, env, ADMIN)
    assert not panel.table.isHidden() and not panel.add_button.isHidden()
    assert _cells(panel, "canbo1")[COLUMNS[2]] == "Cán bộ tiếp nhận"
    assert _cells(panel, "canbo1")[COLUMNS[5]] == "chưa"  # never logged in
    assert _cells(panel, "admin")[COLUMNS[3]] == "Đang dùng"
    dlg = panel.add_dialog()
    dlg.username.setText("canbo3")
    dlg.full_name.setText("Lê Văn Cường")
    dlg.role.setCurrentIndex(dlg.role.findData("supervisor"))
    dlg.password.setText(NEW_PASSWORD)
    dlg.again.setText(NEW_PASSWORD)
    _submit(qtbot, dlg)
    panel.finish(dlg)
    qtbot.waitUntil(lambda: _listed(panel, "canbo3", COLUMNS[2], lambda t: t == "Lãnh đạo / giám sát"),
                    timeout=WAIT)
    assert "Đã thêm tài khoản «canbo3»" in panel.note.text()
    assert panel.selected() is not None and panel.selected()["username"] == "canbo3"  # the new row is selected
    user = env.authenticate("canbo3", NEW_PASSWORD)
    assert (user.full_name, user.role) == ("Lê Văn Cường", "supervisor")
    created = env.audit_rows("user_created")[-1]
    assert created["user_id"] == ADMIN.id and created["object_id"] == str(user.id)
    assert NEW_PASSWORD not in env.all_audit_text()
    panel.refresh()  # the log-in just made shows as the last one
    qtbot.waitUntil(lambda: _listed(panel, "canbo3", COLUMNS[5], lambda t: t not in ("", "chưa")), timeout=WAIT)


def test_duplicate_name_weak_or_mismatched_password_are_refused_inline(qtbot: QtBot, env: Env) -> None:
    panel = _panel(qtbot, env, ADMIN)
    dlg = panel.add_dialog()
    qtbot.addWidget(dlg)
    dlg.username.setText("canbo2")
    dlg.full_name.setText("Phạm Văn Dũng")
    dlg.password.setText("ngan")
    dlg.again.setText("ngan")
    _refused(qtbot, dlg, "Mật khẩu cần ít nhất 8 ký tự")
    dlg.password.setText("CANBO2")
    _refused(qtbot, dlg, "Mật khẩu cần ít nhất 8 ký tự")
    dlg.username.setText("canbo2abc")
    dlg.password.setText("CANBO2ABC")
    dlg.again.setText("CANBO2ABC")
    _refused(qtbot, dlg, "không được trùng tên đăng nhập")
    dlg.password.setText(NEW_PASSWORD)
    dlg.again.setText(NEW_PASSWORD + "x")
    _refused(qtbot, dlg, "Hai lần nhập mật khẩu mới khác nhau")
    dlg.again.setText(NEW_PASSWORD)
    dlg.username.setText("CanBo1")  # exists (names ignore letter case): the database refuses
    _refused(qtbot, dlg, "Tên đăng nhập «CanBo1» đã có")
    cdb = env.db()
    try:
        assert cdb.scalar("SELECT count(*) FROM users") == 2
        # Only the fixture's two (the admin at setup, canbo1): no refused attempt was recorded as created.
        assert cdb.scalar("SELECT count(*) FROM audit_log WHERE action = 'user_created'") == 2
    finally:
        cdb.close()
    dlg.username.setText("canbo2")
    _submit(qtbot, dlg)  # the same dialog, corrected, goes through
    assert env.authenticate("canbo2", NEW_PASSWORD).full_name == "Phạm Văn Dũng"


def test_reset_password_lifts_a_lockout(qtbot: QtBot, env: Env) -> None:
    cdb = env.db()
    try:
        cdb.set_setting("lockout_threshold", 2)
    finally:
        cdb.close()
    with pytest.raises(accounts.LoginFailed):
        env.authenticate("canbo1", "sai")
    with pytest.raises(accounts.AccountLocked):
        env.authenticate("canbo1", "sai")
    panel = _panel(qtbot, env, ADMIN)
    assert _cells(panel, "canbo1")[COLUMNS[4]] != ""  # «Tạm khóa đến HH:MM dd/mm/yyyy»
    assert panel.select_user("canbo1")
    assert panel.reset_button.isEnabled()
    dlg = panel.reset_dialog()
    dlg.new.setText("canbo1")
    dlg.again.setText("canbo1")
    _refused(qtbot, dlg, "Mật khẩu cần ít nhất 8 ký tự")
    dlg.new.setText(NEW_PASSWORD)
    dlg.again.setText(NEW_PASSWORD)
    _submit(qtbot, dlg)
    panel.finish(dlg)
    qtbot.waitUntil(lambda: _listed(panel, "canbo1", COLUMNS[4], lambda t: t == ""), timeout=WAIT)
    assert "Đã đặt lại mật khẩu cho «canbo1»" in panel.note.text()
    with pytest.raises(accounts.LoginFailed):
        env.authenticate("canbo1", PASSWORD)  # the old password is gone
    assert env.authenticate("canbo1", NEW_PASSWORD).id == env.officer.id  # and the lock is lifted
    reset = env.audit_rows("password_reset")[-1]
    assert reset["user_id"] == ADMIN.id and reset["object_id"] == str(env.officer.id)
    assert NEW_PASSWORD not in env.all_audit_text()


def test_disable_through_the_confirmation_then_reenable(qtbot: QtBot, env: Env) -> None:
    panel = _panel(qtbot, env, ADMIN)
    panel.select_user("canbo1")
    assert panel.active_button.text() == "Khóa tài khoản"
    # «Không» in the confirmation: nothing happens.
    answer = Modal([(QMessageBox, _click("Không"))])
    panel.active_button.click()
    assert answer.done == 1 and not answer.unexpected
    drain_worker(qtbot, env.worker)  # anything the click queued has run
    assert env.authenticate("canbo1", PASSWORD).id == env.officer.id
    answer = Modal([(QMessageBox, _click("Khóa tài khoản"))])
    panel.active_button.click()
    assert answer.done == 1 and not answer.unexpected
    qtbot.waitUntil(lambda: _listed(panel, "canbo1", COLUMNS[3], lambda t: t == "Đã khóa"), timeout=WAIT)
    assert "Đã khóa tài khoản «canbo1»" in panel.note.text()
    with pytest.raises(accounts.LoginFailed):
        env.authenticate("canbo1", PASSWORD)
    changed = env.audit_rows("user_changed")[-1]
    assert changed["user_id"] == ADMIN.id and changed["detail"]["active"] == [1, 0]
    qtbot.waitUntil(lambda: panel.active_button.text() == "Mở lại tài khoản" and panel.active_button.isEnabled(),
                    timeout=WAIT)
    panel.active_button.click()  # re-enabling asks nothing
    qtbot.waitUntil(lambda: _listed(panel, "canbo1", COLUMNS[3], lambda t: t == "Đang dùng"), timeout=WAIT)
    assert env.authenticate("canbo1", PASSWORD).id == env.officer.id


def test_role_change_and_the_last_admin_is_protected(qtbot: QtBot, env: Env) -> None:
    panel = _panel(qtbot, env, ADMIN)
    panel.select_user("admin")
    panel.set_active(ADMIN.id, False)
    qtbot.waitUntil(lambda: "quản trị cuối cùng" in panel.note.text(), timeout=WAIT)
    dlg = panel.role_dialog()
    dlg.role.setCurrentIndex(dlg.role.findData("officer"))
    _refused(qtbot, dlg, "Không thể bỏ quyền hoặc khóa tài khoản quản trị cuối cùng")
    cdb = env.db()
    try:
        assert cdb.query_one("SELECT role, active FROM users WHERE id = 1") == {"role": "admin", "active": 1}
        assert cdb.scalar("SELECT count(*) FROM audit_log WHERE action = 'user_changed'") == 0
    finally:
        cdb.close()
    assert _cells(panel, "admin")[COLUMNS[3]] == "Đang dùng"
    # Promoting the officer works, and is recorded with the admin's id.
    panel.select_user("canbo1")
    dlg = panel.role_dialog()
    _refused(qtbot, dlg, "Chọn một vai trò khác")  # unchanged role: nothing to store
    dlg.role.setCurrentIndex(dlg.role.findData("supervisor"))
    _submit(qtbot, dlg)
    panel.finish(dlg)
    qtbot.waitUntil(lambda: _listed(panel, "canbo1", COLUMNS[2], lambda t: t == "Lãnh đạo / giám sát"),
                    timeout=WAIT)
    changed = env.audit_rows("user_changed")[-1]
    assert changed["user_id"] == ADMIN.id and changed["detail"]["role"] == ["officer", "supervisor"]
    assert env.authenticate("canbo1", PASSWORD).role == "supervisor"


def test_officer_sees_no_list_and_changes_own_password(qtbot: QtBot, env: Env) -> None:
    panel = _panel(qtbot, env, env.officer)
    assert panel.table.isHidden() and all(b.isHidden() for b in panel.admin_buttons)
    assert not panel.own_button.isHidden()
    drain_worker(qtbot, env.worker)  # a load the panel queued would have arrived by now
    assert panel.table.rowCount() == 0 and panel.users == []  # nothing about other accounts was even loaded
    dlg = panel.own_password_dialog()
    dlg.current.setText("sai-mat-khau")
    dlg.new.setText(NEW_PASSWORD)
    dlg.again.setText(NEW_PASSWORD)
    _refused(qtbot, dlg, "Mật khẩu hiện tại không đúng")
    assert dlg.current.text() == ""  # typed again; the new ones stay
    dlg.current.setText(PASSWORD)
    _submit(qtbot, dlg)
    panel.finish(dlg)
    assert "Đã đổi mật khẩu của bạn" in panel.note.text()
    with pytest.raises(accounts.LoginFailed):
        env.authenticate("canbo1", PASSWORD)
    assert env.authenticate("canbo1", NEW_PASSWORD).id == env.officer.id
    changed = env.audit_rows("password_changed")[-1]
    assert changed["user_id"] == env.officer.id
    assert NEW_PASSWORD not in env.all_audit_text() and PASSWORD not in env.all_audit_text()
    # The admin's actions are refused on the worker too, not only hidden (a stale or forged call).
    failures: list[BaseException] = []
    from counter_app.ui.users import add_user_job

    env.worker.submit(lambda cdb: add_user_job(cdb, env.officer.id, "x1", "X", "admin", NEW_PASSWORD),
                      None, failures.append)
    qtbot.waitUntil(lambda: bool(failures), timeout=WAIT)
    assert isinstance(failures[0], accounts.PermissionDenied)


def test_settings_page_and_status_bar_reach_the_panel(qtbot: QtBot, env: Env, tmp_path: Path) -> None:
    page = SettingsPage(env.worker)
    qtbot.addWidget(page)
    assert page.users_panel.title() == "Tài khoản"
    win = MainWindow(env.worker, str(tmp_path))
    qtbot.addWidget(win)
    win.show()
    try:
        assert not win.password_button.isVisible()  # nobody logged in yet
        win.set_user(env.officer)
        settings_row = [k for k, _t, _s in NAV].index("settings")
        assert win.nav.item(settings_row).isHidden()  # an officer has no settings page...
        assert win.password_button.isVisible()  # ...but changes their password from the status bar

        def fill(dlg: QWidget) -> None:
            assert isinstance(dlg, PasswordDialog)
            dlg.current.setText(PASSWORD)
            dlg.new.setText(NEW_PASSWORD)
            dlg.again.setText(NEW_PASSWORD)
            dlg.ok.click()

        answer = Modal([(PasswordDialog, fill), (QMessageBox, _click("OK"))])
        win.password_button.click()  # returns once the dialog is closed and the confirmation answered
        assert answer.done == 2 and not answer.unexpected
        assert env.authenticate("canbo1", NEW_PASSWORD).id == env.officer.id
        win.set_user(ADMIN)  # quick switch to the admin: the list shows on the settings page
        win.show_page("settings")
        qtbot.waitUntil(lambda: win.settings_page.users_panel.table.rowCount() == 2, timeout=WAIT)
        assert win.settings_page.users_panel.table.isVisible()
    finally:
        win.close()

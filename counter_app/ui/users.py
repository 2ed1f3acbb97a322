"""User accounts in the GUI: the «Tài khoản» group of the settings page, and «Đổi mật khẩu của tôi…».

* The admin sees every account (user name, full name, role, active or disabled, lock-out, last
  log-in) and adds accounts, resets a forgotten password (which also lifts a lock-out), changes a
  role, disables or re-enables an account. Accounts are never deleted: the audit trail and the
  dossiers refer to them; a disabled account simply cannot log in.
* Everyone changes their own password (current one + the new one twice). Officers do not see the
  settings page, so the main window also puts :meth:`UsersPanel.make_own_password_button` in its
  status bar.

The rules live in :mod:`counter_app.db.accounts` (permission, password policy, the last admin,
audit); the functions ending in ``_job`` are Qt-free and run on the
:class:`~counter_app.ui.tasks.DbWorker` with the acting user re-read from the database. The dialogs
check what they can locally (two entries equal, policy) and show every refusal inline, in the
dialog, which stays open until the change is stored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from counter_app.db.database import CounterDB
from counter_app.errors import CounterError
from counter_app.services import accounts
from counter_app.services.accounts import ROLE_LABELS, ROLES, User
from counter_app.timefmt import try_parse_db_ts
from counter_app.ui.errors import ERROR_COLOUR, error_html, error_text, ok_html
from counter_app.ui.login import Submitter
from counter_app.ui.qt import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from counter_app.vnformat import datetime_vn

log = logging.getLogger(__name__)

__all__ = [
    "COLUMNS",
    "AddUserDialog",
    "PasswordDialog",
    "RoleDialog",
    "UsersPanel",
    "add_user_job",
    "change_own_password_job",
    "reset_password_job",
    "update_user_job",
]

#: Table columns of the admin's list.
COLUMNS = ("Tên đăng nhập", "Họ và tên", "Vai trò", "Trạng thái", "Tạm khóa đến", "Đăng nhập gần nhất")


# ------------------------------------------------------------------------------ Qt-free jobs
# The use cases are in services.accounts; these names stay for the callers that know them.
add_user_job = accounts.add_user
reset_password_job = accounts.reset_password
update_user_job = accounts.update_user
change_own_password_job = accounts.change_own_password


# ------------------------------------------------------------------------------ helpers
def _when(ts: str | None) -> str:
    """«14:05 03/10/2026» from a stored time stamp (empty when there is none)."""
    # Stored text goes to datetime_vn as text: it is already local time, no zone to convert.
    return datetime_vn(ts) if try_parse_db_ts(ts) is not None else (ts or "")


def _state_text(u: dict[str, Any]) -> str:
    if not u["active"]:
        return "Đã khóa"
    if not u.get("has_password", True):
        return "Chưa có mật khẩu"  # cannot log in until an admin sets one («Đặt lại mật khẩu…»)
    return "Đang dùng"


def _password_field(placeholder: str) -> QLineEdit:
    w = QLineEdit()
    w.setEchoMode(QLineEdit.EchoMode.Password)
    w.setPlaceholderText(placeholder)
    return w


def _password_problem(new: str, again: str, username: str) -> str | None:
    """Why the two entries cannot be the new password (the policy's own message), or None."""
    if not new:
        return "Nhập mật khẩu mới."
    try:
        accounts.check_password_policy(new, username)
    except CounterError as exc:
        return exc.user_message()
    if new != again:
        return "Hai lần nhập mật khẩu mới khác nhau. Nhập lại cả hai ô cho giống nhau."
    return None


# ------------------------------------------------------------------------------ dialogs
class _WorkDialog(QDialog):
    """A small form whose change runs on the DB worker; refusals are shown inline and the dialog
    stays open until the change is stored (``result_value`` = what the job returned)."""

    def __init__(self, worker: Submitter, title: str, intro: str, ok_text: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{title} — Quầy Một Cửa")
        self.setMinimumWidth(460)
        self.worker = worker
        self.busy = False
        self.result_value: Any = None
        text = QLabel(intro)
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.RichText)
        self.form = QFormLayout()
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.ok = self.buttons.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel = self.buttons.addButton("Hủy", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(text)
        lay.addLayout(self.form)
        lay.addWidget(self.message)
        lay.addWidget(self.buttons)

    # Subclasses say what to check locally and what to run.
    def problem(self) -> str | None:
        """What is wrong with the entries, found without the database (or None)."""
        return None

    def job(self) -> Callable[[CounterDB], Any]:
        """The change to run on the worker."""
        raise NotImplementedError

    def failed_entry(self) -> None:
        """Clear what has to be typed again after a refusal."""

    def show_problem(self, text: str) -> None:
        """A refusal, in red under the form."""
        self.message.setStyleSheet(f"color: {ERROR_COLOUR}")
        self.message.setText(text)

    def submit(self) -> None:
        """Check locally, then store on the worker; accept once stored."""
        if self.busy:
            return
        problem = self.problem()
        if problem:
            self.show_problem(problem)
            return
        job = self.job()
        self._set_busy(True)
        self.message.setStyleSheet("color: #444")
        self.message.setText("Đang lưu…")
        self.worker.submit(job, self._done, self._failed)

    def _set_busy(self, on: bool) -> None:
        # Not cancellable while the change runs (a few tens of ms): a «Hủy» then would hide a change
        # that is stored anyway.
        self.busy = on
        self.ok.setEnabled(not on)
        self.cancel.setEnabled(not on)

    def _done(self, result: Any) -> None:
        self._set_busy(False)
        self.result_value = result
        self.message.setText("")
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.show_problem(error_text(exc, "khi lưu thay đổi tài khoản"))
        self.failed_entry()

    def reject(self) -> None:
        """Close without a change (not while one is being stored)."""
        if not self.busy:
            super().reject()


class AddUserDialog(_WorkDialog):
    """User name, full name, role and the first password twice."""

    def __init__(self, worker: Submitter, actor_id: int | None, parent: QWidget | None = None) -> None:
        super().__init__(worker, "Thêm tài khoản",
                         "Tạo tài khoản cho một cán bộ. Báo mật khẩu ban đầu cho cán bộ một cách kín đáo "
                         "và nhắc họ đổi mật khẩu sau lần đăng nhập đầu.", "Thêm tài khoản", parent)
        self.actor_id = actor_id
        self.username = QLineEdit()
        self.username.setPlaceholderText("Ví dụ: binh.tt (không dấu cách)")
        self.full_name = QLineEdit()
        self.full_name.setPlaceholderText("Ví dụ: Trần Thị Bình")
        self.role = QComboBox()
        for r in ROLES:
            self.role.addItem(ROLE_LABELS[r], r)
        self.password = _password_field(f"Ít nhất {accounts.MIN_PASSWORD_LENGTH} ký tự")
        self.again = _password_field("Nhập lại mật khẩu")
        self.form.addRow("Tên đăng nhập", self.username)
        self.form.addRow("Họ và tên", self.full_name)
        self.form.addRow("Vai trò", self.role)
        self.form.addRow("Mật khẩu ban đầu", self.password)
        self.form.addRow("Nhập lại mật khẩu", self.again)
        self.username.setFocus()

    def problem(self) -> str | None:
        """Name, full name and password checked before the database is asked."""
        try:
            name = accounts.check_username(self.username.text())
        except CounterError as exc:
            return exc.user_message()
        if not self.full_name.text().strip():
            return "Nhập họ và tên của cán bộ."
        return _password_problem(self.password.text(), self.again.text(), name)

    def job(self) -> Callable[[CounterDB], Any]:
        """Create the account."""
        actor, name, full = self.actor_id, self.username.text(), self.full_name.text()
        role, password = str(self.role.currentData()), self.password.text()
        return lambda cdb: add_user_job(cdb, actor, name, full, role, password)


class PasswordDialog(_WorkDialog):
    """A new password twice, with the current one first when a user changes their own.

    ``work(cdb, current, new)`` stores it (``current`` is "" when not asked).
    """

    def __init__(self, worker: Submitter, title: str, intro: str, username: str,
                 work: Callable[[CounterDB, str, str], Any], *, current: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(worker, title, intro, "Lưu mật khẩu", parent)
        self.username = username
        self.work = work
        self.current = _password_field("Mật khẩu đang dùng") if current else None
        self.new = _password_field(f"Ít nhất {accounts.MIN_PASSWORD_LENGTH} ký tự")
        self.again = _password_field("Nhập lại mật khẩu mới")
        if self.current is not None:
            self.form.addRow("Mật khẩu hiện tại", self.current)
        self.form.addRow("Mật khẩu mới", self.new)
        self.form.addRow("Nhập lại mật khẩu mới", self.again)
        (self.current or self.new).setFocus()

    def problem(self) -> str | None:
        """Current one given, new one twice the same and within the policy."""
        if self.current is not None and not self.current.text():
            return "Nhập mật khẩu hiện tại."
        problem = _password_problem(self.new.text(), self.again.text(), self.username)
        if problem:
            return problem
        if self.current is not None and self.new.text() == self.current.text():
            return "Mật khẩu mới phải khác mật khẩu hiện tại."
        return None

    def job(self) -> Callable[[CounterDB], Any]:
        """Store the new password."""
        work, new = self.work, self.new.text()
        current = self.current.text() if self.current is not None else ""
        return lambda cdb: work(cdb, current, new)

    def failed_entry(self) -> None:
        """A wrong current password is typed again; the new ones stay."""
        if self.current is not None:
            self.current.clear()
            self.current.setFocus()


class RoleDialog(_WorkDialog):
    """Pick the new role of one account."""

    def __init__(self, worker: Submitter, actor_id: int | None, target: dict[str, Any],
                 parent: QWidget | None = None) -> None:
        super().__init__(worker, "Đổi vai trò",
                         f"Vai trò của <b>{target['username']}</b> ({target['full_name']}) quyết định các trang "
                         "và thao tác được dùng: <b>Cán bộ tiếp nhận</b> — tiếp nhận, số hóa; <b>Lãnh đạo / "
                         "giám sát</b> — thêm giám sát, nhật ký, báo cáo, sao lưu; <b>Quản trị</b> — thêm cài "
                         "đặt, tài khoản, mã hóa.", "Đổi vai trò", parent)
        self.actor_id = actor_id
        self.target = target
        self.role = QComboBox()
        for r in ROLES:
            self.role.addItem(ROLE_LABELS[r], r)
        self.role.setCurrentIndex(max(0, self.role.findData(target["role"])))
        self.form.addRow("Vai trò mới", self.role)
        self.role.setFocus()  # the buttons come first in the tab order: ↓ would move to «Hủy»

    def problem(self) -> str | None:
        """Nothing to do when the role is the same."""
        if self.role.currentData() == self.target["role"]:
            return "Chọn một vai trò khác vai trò hiện tại."
        return None

    def job(self) -> Callable[[CounterDB], Any]:
        """Store the role."""
        actor, uid, role = self.actor_id, int(self.target["id"]), str(self.role.currentData())
        return lambda cdb: update_user_job(cdb, actor, uid, role=role)


# ------------------------------------------------------------------------------ the panel
class UsersPanel(QGroupBox):
    """«Tài khoản»: the admin's list of accounts and its actions; for everyone, their own password.

    :meth:`set_user` tells it who is logged in (the main window does, at log-in and quick switch).
    """

    def __init__(self, worker: Submitter, parent: QWidget | None = None) -> None:
        super().__init__("Tài khoản", parent)
        self.worker = worker
        self.user: User | None = None
        self.users: list[dict[str, Any]] = []
        self.last_dialog: QDialog | None = None
        # One load at a time; a refresh asked meanwhile runs once after it (a change stored while a
        # load was queued must still show), instead of piling up loads at start.
        self.loading = False
        self.reload_pending = False
        self._select_after_load: str | None = None
        self.intro = QLabel("")
        self.intro.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setMinimumHeight(220)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._apply)
        self.add_button = QPushButton("Thêm tài khoản…")
        self.reset_button = QPushButton("Đặt lại mật khẩu…")
        self.role_button = QPushButton("Đổi vai trò…")
        self.active_button = QPushButton("Khóa tài khoản")
        self.own_button = QPushButton("Đổi mật khẩu của tôi…")
        self.add_button.clicked.connect(lambda: self._run(self.add_dialog()))
        self.reset_button.clicked.connect(lambda: self._run(self.reset_dialog()))
        self.role_button.clicked.connect(lambda: self._run(self.role_dialog()))
        self.active_button.clicked.connect(self.toggle_active)
        self.own_button.clicked.connect(self.change_own_password)
        self.admin_buttons = (self.add_button, self.reset_button, self.role_button, self.active_button)
        self.note = QLabel("")
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.RichText)
        row = QHBoxLayout()
        for b in (*self.admin_buttons, self.own_button):
            row.addWidget(b)
        row.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addWidget(self.intro)
        lay.addWidget(self.table)
        lay.addLayout(row)
        lay.addWidget(self.note)
        self._apply()

    # -- who is logged in ---------------------------------------------------------------------
    @property
    def admin(self) -> bool:
        """Whether the logged-in user manages accounts."""
        return self.user is not None and accounts.has_role(self.user, accounts.PERMISSIONS["users.manage"])

    def set_user(self, user: User | None) -> None:
        """Admin: the list and its actions; others: only «Đổi mật khẩu của tôi…»."""
        changed = user != self.user
        self.user = user
        if changed:
            self.note.setText("")
            self.users = []
            self.table.setRowCount(0)
        if user is None:
            self.intro.setText("")
        elif self.admin:
            self.intro.setText("Tài khoản của các cán bộ dùng máy này. Tài khoản không bị xóa (nhật ký và hồ sơ "
                               "còn nhắc đến); khi cán bộ nghỉ hoặc chuyển công tác, hãy <b>khóa tài khoản</b>.")
            self.intro.setTextFormat(Qt.TextFormat.RichText)
        else:
            self.intro.setText(f"Bạn đang đăng nhập là «{user.username}» ({user.role_label}). Thêm tài khoản "
                               "và đặt lại mật khẩu do quản trị viên làm.")
            self.intro.setTextFormat(Qt.TextFormat.PlainText)
        self._apply()
        if changed:
            self.refresh()

    def refresh(self) -> None:
        """Reload the list on the worker (admin only)."""
        if not self.admin:
            return
        if self.loading:
            self.reload_pending = True
            return
        self.loading = True
        self.worker.submit(lambda cdb: accounts.user_overview(cdb), self._fill, self._load_failed)

    def showEvent(self, event: Any) -> None:
        """Lock-outs and log-ins change while the page is away: reload when it is shown."""
        super().showEvent(event)
        self.refresh()

    def _load_failed(self, exc: BaseException) -> None:
        self.loading = False
        self._show_note(error_text(exc, "khi lưu thay đổi tài khoản"), ok=False)
        if self.reload_pending:
            self.reload_pending = False
            self.refresh()

    def _fill(self, users: list[dict[str, Any]]) -> None:
        self.loading = False
        if self.reload_pending:  # something changed since this load was queued
            self.reload_pending = False
            self.refresh()
            return
        if not self.admin:
            return  # a quick switch to an officer happened while loading
        keep = self.selected_id()
        self.users = users
        self.table.setRowCount(len(users))
        for r, u in enumerate(users):
            cells = (u["username"], u["full_name"], ROLE_LABELS.get(u["role"], u["role"]), _state_text(u),
                     _when(u["locked_until"]) if u["locked"] else "", _when(u["last_login"]) or "chưa")
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, int(u["id"]))
                if (c == 3 and not u["active"]) or (c == 4 and u["locked"]):
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.table.setItem(r, c, item)
            if u["id"] == keep:
                self.table.selectRow(r)
        if self._select_after_load:
            self.select_user(self._select_after_load)
            self._select_after_load = None
        self._apply()

    def selected_id(self) -> int | None:
        """Id of the account selected in the table."""
        items = self.table.selectedItems()
        return int(items[0].data(Qt.ItemDataRole.UserRole)) if items else None

    def selected(self) -> dict[str, Any] | None:
        """The selected account's row (as loaded)."""
        uid = self.selected_id()
        return next((u for u in self.users if u["id"] == uid), None)

    def select_user(self, username: str) -> bool:
        """Select an account by user name (keyboard users and tests); False if it is not listed."""
        for r, u in enumerate(self.users):
            if u["username"].casefold() == username.casefold():
                self.table.selectRow(r)
                return True
        return False

    def _apply(self) -> None:
        admin = self.admin
        self.table.setVisible(admin)
        for b in self.admin_buttons:
            b.setVisible(admin)
        self.own_button.setVisible(self.user is not None)
        target = self.selected() if admin else None
        self.add_button.setEnabled(admin)
        for b in (self.reset_button, self.role_button, self.active_button):
            b.setEnabled(target is not None)
        self.active_button.setText("Mở lại tài khoản" if target is not None and not target["active"]
                                   else "Khóa tài khoản")

    def _show_note(self, text: str, *, ok: bool) -> None:
        self.note.setText(ok_html(text) if ok else error_html(text))

    # -- dialogs (built here, run by _run; tests fill and submit them without exec) ------------
    def add_dialog(self) -> AddUserDialog:
        """A new account."""
        return AddUserDialog(self.worker, self.user.id if self.user else None, parent=self)

    def reset_dialog(self, target: dict[str, Any] | None = None) -> PasswordDialog:
        """A new password for the selected account (or ``target``)."""
        t = target or self.selected()
        if t is None:
            raise ValueError("no account selected")
        actor, uid = (self.user.id if self.user else None), int(t["id"])
        return PasswordDialog(
            self.worker, "Đặt lại mật khẩu",
            f"Đặt mật khẩu mới cho <b>{t['username']}</b> ({t['full_name']}). Tài khoản đang tạm khóa vì nhập "
            "sai sẽ được mở. Báo mật khẩu mới cho cán bộ một cách kín đáo và nhắc họ đổi lại.",
            t["username"], lambda cdb, _cur, new: reset_password_job(cdb, actor, uid, new),
            current=False, parent=self)

    def role_dialog(self, target: dict[str, Any] | None = None) -> RoleDialog:
        """A new role for the selected account (or ``target``)."""
        t = target or self.selected()
        if t is None:
            raise ValueError("no account selected")
        return RoleDialog(self.worker, self.user.id if self.user else None, t, parent=self)

    def own_password_dialog(self) -> PasswordDialog:
        """The logged-in user's own password."""
        if self.user is None:
            raise ValueError("nobody is logged in")
        uid = self.user.id
        return PasswordDialog(
            self.worker, "Đổi mật khẩu của tôi",
            f"Đổi mật khẩu đăng nhập của <b>{self.user.username}</b>. Không dùng lại mật khẩu cũ và không "
            "cho người khác biết mật khẩu.",
            self.user.username, lambda cdb, cur, new: change_own_password_job(cdb, uid, cur, new),
            current=True, parent=self)

    def finish(self, dlg: _WorkDialog) -> None:
        """After a dialog stored its change: say what was done and reload the list."""
        if isinstance(dlg, AddUserDialog):
            name = dlg.username.text().strip()
            self._show_note(f"Đã thêm tài khoản «{name}» ({dlg.role.currentText()}). Báo mật khẩu ban đầu cho "
                            "cán bộ và nhắc họ đổi mật khẩu sau lần đăng nhập đầu.", ok=True)
            self._select_after_load = name
            self.refresh()
        elif isinstance(dlg, RoleDialog):
            self._show_note(f"Đã đổi vai trò của «{dlg.target['username']}» thành {dlg.role.currentText()}; "
                            "có hiệu lực từ lần đăng nhập sau của tài khoản đó.", ok=True)
            self.refresh()
        elif isinstance(dlg, PasswordDialog) and dlg.current is None:
            self._show_note(f"Đã đặt lại mật khẩu cho «{dlg.username}»; nếu tài khoản đang tạm khóa thì đã được "
                            "mở. Báo mật khẩu mới cho cán bộ.", ok=True)
            self.refresh()
        elif isinstance(dlg, PasswordDialog):
            text = "Đã đổi mật khẩu của bạn. Lần đăng nhập sau dùng mật khẩu mới."
            self._show_note(text, ok=True)
            if not self.isVisible():  # opened from the status bar: the note is not on screen
                QMessageBox.information(self.window(), "Đã đổi mật khẩu", text)

    def _run(self, dlg: _WorkDialog) -> None:
        self.last_dialog = dlg
        try:
            if dlg.exec():
                self.finish(dlg)
        finally:
            self.last_dialog = None
            dlg.deleteLater()

    def change_own_password(self) -> None:
        """«Đổi mật khẩu của tôi…» (from the panel or the status bar)."""
        if self.user is not None:
            self._run(self.own_password_dialog())

    def make_own_password_button(self) -> QPushButton:
        """A flat «Đổi mật khẩu…» button for the status bar: officers do not see the settings page."""
        button = QPushButton("Đổi mật khẩu…")
        button.setFlat(True)
        button.setToolTip("Đổi mật khẩu đăng nhập của bạn")
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        button.clicked.connect(self.change_own_password)
        return button

    # -- disable / re-enable ------------------------------------------------------------------
    def toggle_active(self) -> None:
        """Disable the selected account (after a confirmation) or re-enable it."""
        t = self.selected()
        if t is None:
            return
        if t["active"]:
            box = QMessageBox(QMessageBox.Icon.Question, "Khóa tài khoản",
                              f"Khóa tài khoản «{t['username']}» ({t['full_name']})?\n\nCán bộ này sẽ không đăng "
                              "nhập được nữa. Hồ sơ đã tiếp nhận và nhật ký vẫn giữ nguyên; có thể mở lại sau.",
                              parent=self)
            yes = box.addButton("Khóa tài khoản", QMessageBox.ButtonRole.AcceptRole)
            box.setDefaultButton(box.addButton("Không", QMessageBox.ButtonRole.RejectRole))  # Enter changes nothing
            box.exec()
            confirmed = box.clickedButton() is yes
            box.deleteLater()
            if not confirmed:
                return
        self.set_active(int(t["id"]), not t["active"])

    def set_active(self, user_id: int, active: bool) -> None:
        """Disable or re-enable an account on the worker; the outcome is shown under the list."""
        actor = self.user.id if self.user else None
        name = next((u["username"] for u in self.users if u["id"] == user_id), f"#{user_id}")
        self.active_button.setEnabled(False)

        def done(_r: object) -> None:
            self._show_note(f"Đã mở lại tài khoản «{name}»." if active else
                            f"Đã khóa tài khoản «{name}»: tài khoản này không đăng nhập được nữa. Hồ sơ và nhật "
                            "ký vẫn giữ nguyên.", ok=True)
            self.refresh()

        def failed(exc: BaseException) -> None:
            self._show_note(error_text(exc, "khi lưu thay đổi tài khoản"), ok=False)
            self._apply()

        self.worker.submit(lambda cdb: update_user_job(cdb, actor, user_id, active=active), done, failed)

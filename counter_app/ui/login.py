"""Log-in dialog, idle lock and quick switch of officer at a shared counter.

* :class:`LoginDialog` — user name + password; the check (scrypt, deliberately slow) runs on the
  :class:`~counter_app.ui.tasks.DbWorker`, never on the UI thread. ``dialog.user`` after ``exec()``.
* :class:`IdleWatcher` — an application-wide event filter that restarts a timer on every key,
  mouse, wheel or touch event and emits ``idle`` when nobody touched the PC for the set time
  (setting ``idle_lock_minutes``, default 10).
* :class:`IdleLock` — puts an opaque full-screen :class:`LockOverlay` over the app when idle (or on
  demand). The pages underneath are not touched — the dossier being typed stays exactly as it
  was — but nothing of it is visible and no key or shortcut reaches it until the same officer
  types their password, or another officer logs in (**quick switch**: the session changes hands
  and ``switched`` tells the window who works now).
* :class:`AuditPanel` — the supervisor's view of the audit trail and its integrity check.

Why an overlay rather than closing pages: officers are called away mid-reception all day; losing
half-typed data would teach them to disable the lock. Why swallow events rather than disabling
widgets: disabling would overwrite each page's own enabled/disabled state.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import Any, Protocol

from counter_app.services import accounts
from counter_app.services.accounts import Session, User
from counter_app.services.audit_trail import archive_report, audit_page, audit_verify_report
from counter_app.ui.errors import ERROR_COLOUR, error_text
from counter_app.ui.qt import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QEvent,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QObject,
    QPushButton,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)

log = logging.getLogger(__name__)

__all__ = ["DEFAULT_IDLE_MINUTES", "AuditPanel", "IdleLock", "IdleWatcher", "LockOverlay", "LoginDialog"]

DEFAULT_IDLE_MINUTES = 10.0


class Submitter(Protocol):
    """What the dialogs need from :class:`~counter_app.ui.tasks.DbWorker`."""

    def submit(self, fn: Callable[[Any], Any], on_done: Callable[[Any], None] | None = ...,
               on_error: Callable[[BaseException], None] | None = ...) -> int: ...


# ------------------------------------------------------------------------------------ log-in
class LoginDialog(QDialog):
    """User name + password. ``user`` holds the :class:`User` once accepted."""

    def __init__(self, worker: Submitter, parent: QWidget | None = None, *, username: str = "",
                 title: str = "Đăng nhập — Quầy Một Cửa") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.worker = worker
        self.user: User | None = None
        self.username = QLineEdit(username)
        self.username.setPlaceholderText("Tên đăng nhập")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("Mật khẩu")
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {ERROR_COLOUR}")
        self.ok = QPushButton("Đăng nhập")
        quit_button = QPushButton("Thoát")
        # Plain buttons, none of them default: Enter in the user-name field only moves to the
        # password. With a dialog button box the «Đăng nhập» button became the default and fired
        # there too — an empty-password attempt whose failure then cleared the password the officer
        # was already typing (seen under a real X server, issue #14).
        for button in (self.ok, quit_button):
            button.setAutoDefault(False)
        self.ok.clicked.connect(self.try_login)
        quit_button.clicked.connect(self.reject)
        self.buttons = QHBoxLayout()
        self.buttons.addStretch(1)
        self.buttons.addWidget(self.ok)
        self.buttons.addWidget(quit_button)
        self.password.returnPressed.connect(self.try_login)
        self.username.returnPressed.connect(self.password.setFocus)
        form = QFormLayout()
        form.addRow("Tên đăng nhập", self.username)
        form.addRow("Mật khẩu", self.password)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addLayout(self.buttons)
        self.setMinimumWidth(440)  # the title and a two-line error message are shown whole
        (self.password if username else self.username).setFocus()

    def try_login(self) -> None:
        """Check the credentials on the worker; accept on success, else show why and clear the password."""
        name, password = self.username.text(), self.password.text()
        if not name.strip():
            self.message.setText("Nhập tên đăng nhập.")
            return
        self.ok.setEnabled(False)
        self.message.setText("Đang kiểm tra…")
        self.worker.submit(lambda cdb: accounts.authenticate(cdb, name, password), self._done, self._failed)

    def _done(self, user: User) -> None:
        self.user = user
        self.password.clear()
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.ok.setEnabled(True)
        self.password.clear()
        self.password.setFocus()
        self.message.setText(error_text(exc, "khi đăng nhập"))


# --------------------------------------------------------------------------------- idle timer
_INPUT_EVENTS = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease,
    QEvent.Type.MouseMove, QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate,
    QEvent.Type.TabletPress,
})
# Events that must not reach the pages under the lock (keys, clicks, shortcuts, context menus).
_BLOCKED_WHILE_LOCKED = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.ShortcutOverride, QEvent.Type.Shortcut,
    QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease, QEvent.Type.MouseButtonDblClick,
    QEvent.Type.Wheel, QEvent.Type.ContextMenu, QEvent.Type.TouchBegin,
})


class IdleWatcher(QObject):
    """Emits ``idle`` after ``minutes`` without keyboard, mouse or touch input anywhere in the app.

    While a :class:`LockOverlay` is shown (:attr:`guard`), input and shortcuts aimed at anything
    outside it are swallowed here, since this filter sees every event first.
    """

    idle = Signal()

    def __init__(self, minutes: float = DEFAULT_IDLE_MINUTES, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.idle)
        self.guard: QWidget | None = None
        self.set_minutes(minutes)

    def set_minutes(self, minutes: float) -> None:
        """Change the idle time (0 or less = never lock)."""
        self.set_timeout_ms(int(minutes * 60_000))

    def set_timeout_ms(self, ms: int) -> None:
        """Idle time in milliseconds (tests use short ones)."""
        self._ms = ms
        if ms > 0:
            self._timer.setInterval(ms)
            if self._timer.isActive():
                self._timer.start()
        else:
            self._timer.stop()

    def start(self) -> None:
        """Install on the application and start counting."""
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self)
        if self._ms > 0:
            self._timer.start()

    def stop(self) -> None:
        """Remove the filter and stop counting."""
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self._timer.stop()

    def poke(self) -> None:
        """Count again from zero (what any input does)."""
        if self._ms > 0:
            self._timer.start()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # Qt's camelCase override
        """Restart the timer on input; swallow input outside the lock overlay while locked."""
        kind = event.type()
        if kind in _INPUT_EVENTS:
            self.poke()
        guard = self.guard
        return guard is not None and kind in _BLOCKED_WHILE_LOCKED and not self._inside(obj, guard)

    @staticmethod
    def _inside(obj: QObject, guard: QWidget) -> bool:
        node: QObject | None = obj
        if obj.isWindowType():
            # On a real window system (X11, Windows) Qt hands input to the QWindow first and only
            # then to the focused widget. That QWindow has no QObject parent, so it is mapped back
            # to the top-level widget it shows (issue #14: the lock could not be unlocked).
            node = next((w for w in QApplication.topLevelWidgets() if w.windowHandle() is obj), None)
        while node is not None:
            if node is guard:
                return True
            node = node.parent()
        return False


# ------------------------------------------------------------------------------- lock overlay
class LockOverlay(QFrame):
    """Opaque full-screen lock window with unlock and quick-switch controls.

    A top-level, application-modal, stay-on-top window rather than a child of the main window:
    a dialog open at the moment of locking (print preview, a confirmation) would otherwise stay
    visible above a child overlay, and its modality would keep the password field from getting
    keys. As the newest modal window it receives input; everything under it is blocked and hidden.
    """

    unlock_requested = Signal(str)          # password
    switch_requested = Signal(str, str)     # user name, password

    def __init__(self, window: QWidget) -> None:
        super().__init__(None)
        self._window = window
        self.setWindowFlags(Qt.WindowType.Window | Qt.WindowType.FramelessWindowHint
                            | Qt.WindowType.WindowStaysOnTopHint)
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.setWindowTitle("Máy đang khóa — Quầy Một Cửa")
        self.setObjectName("lockOverlay")
        self.setAutoFillBackground(True)
        self.setStyleSheet("#lockOverlay { background: #203040; } QLabel { color: white; }")
        self.title = QLabel("Máy đang khóa")
        self.title.setStyleSheet("font-size: 20pt; font-weight: bold; color: white")
        self.who = QLabel("")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("Mật khẩu để mở khóa")
        self.unlock_button = QPushButton("Mở khóa")
        self.switch_button = QPushButton("Đổi cán bộ…")
        self.switch_user = QLineEdit()
        self.switch_user.setPlaceholderText("Tên đăng nhập của cán bộ khác")
        self.switch_user.hide()
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #ffb4b4")
        box = QWidget(self)
        box.setFixedWidth(420)
        self._box = box
        inner = QVBoxLayout(box)
        for w in (self.title, self.who, self.switch_user, self.password):
            inner.addWidget(w)
        row = QHBoxLayout()
        row.addWidget(self.unlock_button)
        row.addWidget(self.switch_button)
        inner.addLayout(row)
        inner.addWidget(self.message)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)
        self.unlock_button.clicked.connect(self._submit)
        self.password.returnPressed.connect(self._submit)
        self.switch_button.clicked.connect(self._toggle_switch)
        self.switch_user.returnPressed.connect(self.password.setFocus)
        self.hide()

    def show_for(self, user: User) -> None:
        """Cover the window now, naming who locked it."""
        self.who.setText(f"Đang làm việc: {user.full_name} ({user.username})")
        self.busy(False)  # the buttons were disabled while the last unlock was being checked
        self.password.clear()
        self.message.clear()
        self.switch_user.clear()
        self.switch_user.hide()
        self.switch_button.setText("Đổi cán bộ…")
        self._cover()
        self.show()
        self.raise_()
        self.activateWindow()
        self.password.setFocus()

    def busy(self, on: bool) -> None:
        """Disable the buttons while the worker checks a password."""
        self.unlock_button.setEnabled(not on)
        self.switch_button.setEnabled(not on)
        if on:
            self._say("Đang kiểm tra…")

    def _say(self, text: str) -> None:
        """Show ``text`` whole. A word-wrapped label in a centred box is laid out from its one-line
        size hint, which cut a two-line message off at top and bottom: reserve the wrapped height."""
        self.message.setText(text)
        margins = self._box.layout().contentsMargins()
        width = self._box.width() - margins.left() - margins.right()
        self.message.setMinimumHeight(self.message.heightForWidth(width) if text else 0)
        self._box.adjustSize()

    def fail(self, text: str) -> None:
        """Show why unlocking failed and let the officer try again."""
        self.busy(False)
        self.password.clear()
        self.password.setFocus()
        self._say(text)

    def _cover(self) -> None:
        """Cover the screen the main window is on (the whole app, and any dialog above it)."""
        screen = self._window.screen() or QApplication.primaryScreen()
        if screen is not None:
            self.setGeometry(screen.geometry())

    def _toggle_switch(self) -> None:
        if self.switch_user.isVisible():
            self.switch_user.hide()
            self.switch_button.setText("Đổi cán bộ…")
            self.password.setFocus()
        else:
            self.switch_user.show()
            self.switch_button.setText("Mở khóa cho tôi")
            self.switch_user.setFocus()

    def _submit(self) -> None:
        if self.switch_user.isVisible() and self.switch_user.text().strip():
            self.switch_requested.emit(self.switch_user.text(), self.password.text())
        else:
            self.unlock_requested.emit(self.password.text())


class IdleLock(QObject):
    """Idle lock and quick switch for one main window.

    ``locked`` when the overlay goes up; ``unlocked(User)`` when the same officer unlocks;
    ``switched(Session)`` when another officer took over (the window should attribute later
    actions to ``session.user``; its pages are left as they were).
    """

    locked = Signal()
    unlocked = Signal(object)
    switched = Signal(object)

    def __init__(self, window: QWidget, worker: Submitter, session: Session,
                 minutes: float = DEFAULT_IDLE_MINUTES, parent: QObject | None = None) -> None:
        super().__init__(parent or window)
        self.window = window
        self.worker = worker
        self.session = session
        self._focus: QWidget | None = None
        self.overlay = LockOverlay(window)
        self.watcher = IdleWatcher(minutes, self)
        self.watcher.idle.connect(self.lock)
        self.overlay.unlock_requested.connect(self._unlock)
        self.overlay.switch_requested.connect(self._switch)
        self.watcher.start()

    @property
    def is_locked(self) -> bool:
        """Whether the overlay is up."""
        return self.watcher.guard is not None

    def set_minutes(self, minutes: float) -> None:
        """Apply a changed ``idle_lock_minutes`` setting."""
        self.watcher.set_minutes(minutes)

    def lock(self) -> None:
        """Cover the window now (idle timer, or Ctrl+L / «Khóa máy» in the window)."""
        if self.is_locked:
            return
        # Remember where the officer was typing: focus goes back there, cursor and all, on unlock.
        self._focus = QApplication.focusWidget()
        self.watcher.guard = self.overlay
        self.overlay.show_for(self.session.user)
        session = self.session
        self.worker.submit(lambda cdb: accounts.record_lock(cdb, session), None, lambda exc: log.warning(
            "could not record screen lock: %s", exc))
        self.locked.emit()

    def _finish(self) -> None:
        self.watcher.guard = None
        focus, self._focus = self._focus, None
        self.overlay.hide()
        if focus is not None:
            # Put focus back where the officer was typing with OtherFocusReason: a QLineEdit that
            # gets focus by Tab/activation selects all its text and the next key would replace it.
            with contextlib.suppress(RuntimeError):  # the widget was deleted meanwhile (page closed)
                focus.activateWindow()
                focus.setFocus(Qt.FocusReason.OtherFocusReason)
                if isinstance(focus, QLineEdit):
                    focus.deselect()
        self.watcher.poke()

    def _unlock(self, password: str) -> None:
        self.overlay.busy(True)
        session = self.session

        def done(result: Session) -> None:
            self._finish()
            self.unlocked.emit(result.user)

        self.worker.submit(lambda cdb: accounts.unlock_session(cdb, session, password), done,
                           lambda exc: self.overlay.fail(error_text(exc, "khi đăng nhập")))

    def _switch(self, username: str, password: str) -> None:
        self.overlay.busy(True)
        session = self.session

        def done(new: Session) -> None:
            self.session = new
            self._finish()
            self.switched.emit(new)

        self.worker.submit(
            lambda cdb: accounts.switch_user(cdb, session, username, password), done,
            lambda exc: self.overlay.fail(error_text(exc, "khi đăng nhập")))

    def stop(self) -> None:
        """Remove the application-wide filter and the lock window (main window closing)."""
        self.watcher.stop()
        self.watcher.guard = None
        self.overlay.hide()
        self.overlay.deleteLater()  # a top-level window without a parent: not deleted with the main window


# ------------------------------------------------------------------------ supervisor audit view
class AuditPanel(QWidget):
    """The supervisor's view of the audit trail: newest entries, paging, and the chain check.

    Reads on the :class:`~counter_app.ui.tasks.DbWorker`; the check (every entry re-hashed and
    compared with the anchors in the backups) runs there too and its report is shown as it is.
    """

    verified = Signal(bool)

    def __init__(self, worker: Submitter, parent: QWidget | None = None, *, page_size: int = 200) -> None:
        super().__init__(parent)
        self.worker = worker
        self.page_size = page_size
        self._last_id: int | None = None
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(["Thời điểm", "Người thực hiện", "Thao tác", "Đối tượng", "Chi tiết"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.verify_button = QPushButton("Kiểm tra tính toàn vẹn của nhật ký")
        self.archive_button = QPushButton("Kiểm tra kho bản số hóa")
        self.archive_button.setToolTip("Đọc lại mọi tệp đã lưu, so với mã SHA-256 ghi lúc lưu (khoảng 1 giây mỗi GB).")
        self.more_button = QPushButton("Xem thêm")
        self.report = QLabel("")
        self.report.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.verify_button)
        row.addWidget(self.archive_button)
        row.addWidget(self.more_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.report)
        layout.addWidget(self.table)
        self.verify_button.clicked.connect(self.verify)
        self.archive_button.clicked.connect(self.verify_archive)
        self.more_button.clicked.connect(self.load_more)

    def reload(self) -> None:
        """Show the newest page again."""
        self.table.setRowCount(0)
        self._last_id = None
        self.load_more()

    def load_more(self) -> None:
        """Append the next (older) page."""
        before, size = self._last_id, self.page_size
        self.worker.submit(lambda cdb: audit_page(cdb, limit=size, before_id=before), self._append)

    def _append(self, rows: list[dict[str, Any]]) -> None:
        for r in rows:
            i = self.table.rowCount()
            self.table.insertRow(i)
            who = r["full_name"] or ("(hệ thống)" if r["user_id"] is None else f"#{r['user_id']}")
            detail = ", ".join(f"{k}={v}" for k, v in r["detail"].items())
            for col, text in enumerate((r["at"], who, r["action_label"], f"{r['object_type']} {r['object_id']}",
                                        detail)):
                self.table.setItem(i, col, QTableWidgetItem(str(text)))
        if rows:
            self._last_id = rows[-1]["id"]
        self.more_button.setEnabled(len(rows) == self.page_size)

    def verify_archive(self) -> None:
        """Re-hash every stored file on a pool thread (its own connection) and show the report."""
        db_path = getattr(self.worker, "db_path", None)
        if db_path is None:
            return
        from counter_app.ui.tasks import run_in_pool

        self.archive_button.setEnabled(False)
        self.report.setText("Đang đọc lại các tệp trong kho bản số hóa…")

        def done(result: object) -> None:
            ok, text = result  # type: ignore[misc]
            self.archive_button.setEnabled(True)
            self.report.setStyleSheet("" if ok else f"color: {ERROR_COLOUR}; font-weight: bold")
            self.report.setText(text)
            self.verified.emit(bool(ok))

        def failed(exc: BaseException) -> None:
            self.archive_button.setEnabled(True)
            self.report.setText(error_text(exc, "khi kiểm tra"))

        run_in_pool(lambda: archive_report(db_path), done, failed)

    def verify(self) -> None:
        """Re-hash the whole chain against the backups' anchors (on the worker) and show the report."""
        self.verify_button.setEnabled(False)
        self.report.setText("Đang kiểm tra…")

        def done(result: tuple[bool, str]) -> None:
            ok, text = result
            self.verify_button.setEnabled(True)
            self.report.setStyleSheet("" if ok else f"color: {ERROR_COLOUR}; font-weight: bold")
            self.report.setText(text)
            self.verified.emit(ok)

        def failed(exc: BaseException) -> None:
            self.verify_button.setEnabled(True)
            self.report.setText(error_text(exc, "khi kiểm tra"))

        self.worker.submit(audit_verify_report, done, failed)

"""Backups in the GUI: the schedule that runs them, and the «Sao lưu» group of the settings page.

:class:`BackupScheduler` asks the database worker every few minutes whether a backup is due
(:func:`counter_app.db.backup.backup_status`) and runs :func:`~counter_app.db.backup.create_backup`
on its own one-thread pool: the copy of a 20 GB archive to a USB disk takes minutes and must block
neither the window nor the database worker (``create_backup`` opens its own SQLite connection and
uses the online backup API, so the counter keeps working meanwhile). Only the short
``record_backup`` goes through the worker. A missing folder (USB disk unplugged) or a full disk is
a line in the status bar, never a popup every few minutes; the next tick tries again.

:class:`BackupPanel` lets a supervisor back up now and check a backup, and the admin choose the
folder, the schedule and restore. A restore cannot replace the data directory of the running app,
so it restores into a new folder beside it and marks it (:func:`~counter_app.db.backup.prepare_restore`);
the next start swaps the folders before opening anything (``app.main``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from counter_app.db.database import CounterDB
from counter_app.paths import DataDir
from counter_app.services import accounts
from counter_app.services import backups as backup
from counter_app.ui.errors import error_text
from counter_app.ui.qt import (
    QAbstractItemView,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QObject,
    QProgressBar,
    QPushButton,
    QSpinBox,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QThread,
    QThreadPool,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from counter_app.ui.tasks import DbWorker, run_in_pool
from counter_app.vnformat import datetime_vn

log = logging.getLogger(__name__)

__all__ = ["BackupPanel", "BackupScheduler"]

OK, WARN, BUSY = "ok", "warn", "busy"
_COLOURS = {OK: "#2e7d32", WARN: "#c62828", BUSY: "#1565c0", "": ""}


class Cancelled(Exception):
    """The app is closing: stop the backup at the next file (``create_backup`` removes its partial folder)."""


def _error_text(exc: BaseException) -> str:
    """The problem on one line (the backup note is a single status line)."""
    return error_text(exc, "khi sao lưu").replace("\n", " ")


def _size(n: int) -> str:
    if n >= 1e9:
        return f"{n / 1e9:.1f} GB"
    if n >= 1e6:
        return f"{n / 1e6:.1f} MB"
    return f"{max(1, round(n / 1e3))} kB"


class BackupScheduler(QObject):
    """Runs scheduled and on-demand backups off the UI thread, one at a time, and reports the state.

    ``status_changed(text, level)`` feeds the status bar (level ``ok``/``warn``/``busy`` or ``""``
    for nothing to show); ``progress(done, total)`` and ``finished``/``failed`` feed the panel.
    Verification and restore use the same single thread (:meth:`run_exclusive`): two jobs hammering
    the same USB disk would only make both slower.
    """

    status_changed = Signal(str, str)
    started = Signal(str)
    progress = Signal(int, int)
    finished = Signal(object)
    failed = Signal(str)
    idle = Signal()

    #: How often the schedule is checked, and how soon after log-in (milliseconds).
    TICK_MS = 5 * 60_000
    FIRST_TICK_MS = 15_000
    #: Progress is reported at most this often (a backup of 100,000 files must not queue 100,000 signals).
    PROGRESS_EVERY_S = 0.1

    def __init__(self, worker: DbWorker, data: DataDir, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.data = data
        self.user: Any = None
        #: The clock (tests move it forward instead of waiting hours).
        self.now: Callable[[], datetime] = datetime.now
        self.status: backup.BackupStatus | None = None
        self.last_error: str | None = None
        self.running: str | None = None  # "backup", "verify", "restore" while a job runs
        self.last_result: backup.BackupResult | None = None
        self._missing_folder = False  # last_error is "the USB disk is not plugged in"
        self._cancel = threading.Event()
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        # Below the window's priority: on a 2-core counter PC the copy must not make typing lag.
        self.pool.setThreadPriority(QThread.Priority.LowPriority)
        self.timer = QTimer(self)
        self.timer.setInterval(self.TICK_MS)
        self.timer.timeout.connect(self.tick)

    # -------------------------------------------------------------------------- life cycle
    def set_user(self, user: Any) -> None:
        """Who is logged in: their id goes on manual backups; the messages depend on their role."""
        self.user = user
        self._publish()

    def start(self) -> None:
        """Start the schedule (once a user is logged in); the first check comes shortly after."""
        if self.timer.isActive():
            return
        self.timer.start()
        QTimer.singleShot(self.FIRST_TICK_MS, self.tick)

    def stop(self, timeout_ms: int = 30_000) -> None:
        """Stop the schedule; a running backup stops at its next file and removes its partial folder."""
        self.timer.stop()
        self._cancel.set()
        self.pool.waitForDone(timeout_ms)

    @property
    def can_run(self) -> bool:
        """Whether the logged-in user may start a backup (supervisor or admin)."""
        return self.user is not None and accounts.has_role(self.user, accounts.PERMISSIONS["backup.run"])

    # ------------------------------------------------------------------------------ checks
    def tick(self) -> None:
        """Ask the worker whether a backup is due; run it if the folder is there."""
        if self.running:
            return
        now = self.now()
        self.worker.submit(lambda cdb: backup.backup_status(cdb, now), self._on_status,
                           lambda exc: self._fail(_error_text(exc)))

    def refresh_status(self) -> None:
        """Re-read the schedule's state (after the settings changed) without starting a backup."""
        now = self.now()
        self.worker.submit(lambda cdb: backup.backup_status(cdb, now),
                           lambda st: self._on_status(st, run_if_due=False))

    def _on_status(self, st: backup.BackupStatus, run_if_due: bool = True) -> None:
        self.status = st
        if st.folder_present and self._missing_folder:
            self.last_error, self._missing_folder = None, False  # the disk is back
        if run_if_due and st.due and st.folder_present and not self.running:
            self._run(st, user_id=None)
            return
        self._publish()

    def backup_now(self) -> bool:
        """«Sao lưu ngay»: back up to the configured folder whether due or not. False if busy."""
        if self.running:
            return False
        if not self.can_run:
            self.failed.emit("Cần tài khoản Cán bộ quản lý hoặc Quản trị viên để sao lưu.")
            return False
        now = self.now()
        user_id = self.user.id
        self.running = "backup"  # reserved now: a second click before the status arrives does nothing
        self.started.emit("backup")

        def got(st: backup.BackupStatus) -> None:
            self.status = st
            self.running = None
            if st.folder is None:
                self._fail("Chưa chọn thư mục sao lưu — chọn thư mục trên ổ USB ở mục Sao lưu rồi bấm "
                           "«Lưu cài đặt sao lưu».")
            elif not st.folder_present:
                self._fail(st.missing_folder_message(True), missing_folder=True)
            else:
                self._run(st, user_id)

        def err(exc: BaseException) -> None:
            self.running = None
            self._fail(_error_text(exc))

        self.worker.submit(lambda cdb: backup.backup_status(cdb, now), got, err)
        return True

    # ------------------------------------------------------------------------------- jobs
    def _reporter(self) -> Callable[[int, int], None]:
        """A progress callback for the pool thread: throttled, and the place where closing cancels."""
        last = [0.0]

        def report(done: int, total: int) -> None:
            if self._cancel.is_set():
                raise Cancelled("Chương trình đang đóng: dừng sao lưu.")
            t = time.monotonic()
            if t - last[0] >= self.PROGRESS_EVERY_S or done >= total:
                last[0] = t
                # Emitted from the pool thread; Qt queues it to the UI thread (this object lives there).
                self.progress.emit(done, total)

        return report

    def run_exclusive(self, kind: str, fn: Callable[[Callable[[int, int], None]], Any],
                      on_done: Callable[[Any], None], on_error: Callable[[BaseException], None]) -> bool:
        """Run ``fn(progress)`` on the backup thread unless another backup job runs (then False)."""
        if self.running:
            return False
        self.running = kind
        self.started.emit(kind)
        self._publish()
        report = self._reporter()

        def done(result: Any) -> None:
            self.running = None
            on_done(result)
            if not self.running:  # a backup stays "running" until record_backup has stored it
                self._publish()
                self.idle.emit()

        def error(exc: BaseException) -> None:
            self.running = None
            on_error(exc)
            if not self.running:
                self._publish()
                self.idle.emit()

        run_in_pool(lambda: fn(report), done, error, pool=self.pool)
        return True

    def _run(self, st: backup.BackupStatus, user_id: int | None) -> None:
        data, folder, keep, when = self.data, st.folder, st.keep, self.now()
        assert folder is not None

        def work(report: Callable[[int, int], None]) -> backup.BackupResult:
            return backup.create_backup(data, folder, keep=keep, now=when, progress=report)

        def done(result: backup.BackupResult) -> None:
            self.running = "backup"  # still ours until it is recorded
            self.worker.submit(lambda cdb: backup.record_backup(cdb, result, user_id, now=when),
                               lambda _r: self._recorded(result), lambda exc: self._fail(_error_text(exc)))

        def error(exc: BaseException) -> None:
            if isinstance(exc, Cancelled):
                return
            self._fail("Chưa sao lưu được: " + _error_text(exc))

        self.run_exclusive("backup", work, done, error)

    def _recorded(self, result: backup.BackupResult) -> None:
        self.running = None
        self.last_error, self._missing_folder = None, False
        self.last_result = result
        self.finished.emit(result)
        self.idle.emit()
        self.refresh_status()

    def _fail(self, message: str, *, missing_folder: bool = False) -> None:
        self.running = None
        self.last_error, self._missing_folder = message, missing_folder
        self._publish()
        self.failed.emit(message)
        self.idle.emit()

    # ------------------------------------------------------------------------------ status
    def status_text(self) -> tuple[str, str]:
        """The status-bar line and its level for the current user."""
        can_run = self.can_run
        if self.running == "backup":
            return "Đang sao lưu… (đừng rút ổ USB sao lưu)", BUSY
        if self.last_error:
            if can_run:
                return self.last_error, WARN
            if self._missing_folder and self.status is not None:
                return self.status.missing_folder_message(False), WARN
            # Other failures (full disk...) are the supervisor's to fix; the officer still sees "stale".
        st = self.status
        if st is None:
            return "", ""
        if st.folder is None:
            return ("Chưa chọn thư mục sao lưu (Cài đặt → Sao lưu)", WARN) if can_run else ("", "")
        if st.due and not st.folder_present:
            return st.missing_folder_message(can_run), WARN
        if st.stale:
            return st.stale_message(can_run), WARN
        return (st.last_label(), OK) if can_run else ("", "")

    def _publish(self) -> None:
        self.status_changed.emit(*self.status_text())


class BackupPanel(QGroupBox):
    """«Sao lưu» group of the settings page: folder and schedule (admin), back up now and check
    (supervisor), restore (admin), and the backups found in the folder."""

    #: The admin accepted to close the app so a prepared restore takes effect.
    restart_requested = Signal()

    HEADERS = ("Thời điểm", "Dung lượng", "Số tệp", "Kiểm tra", "Mốc nhật ký")

    def __init__(self, worker: DbWorker, parent: QWidget | None = None) -> None:
        super().__init__("Sao lưu", parent)
        self.worker = worker
        self.scheduler: BackupScheduler | None = None
        self.user: Any = None
        self.details: list[backup.BackupDetails] = []
        self.pending: backup.PendingRestore | None = None
        self._loading = False

        self.status = QLabel("—")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.folder = QLineEdit()
        self.folder.setPlaceholderText("Ví dụ: E:\\SaoLuu — nên là ổ USB, không phải ổ chứa dữ liệu")
        self.choose_btn = QPushButton("Chọn…")
        self.choose_btn.clicked.connect(self.choose_folder)
        self.interval = QSpinBox()
        self.interval.setRange(1, backup.MAX_INTERVAL_HOURS)
        self.interval.setSuffix(" giờ")
        self.interval.setValue(backup.DEFAULT_INTERVAL_HOURS)
        self.keep = QSpinBox()
        self.keep.setRange(1, backup.MAX_KEEP)
        self.keep.setSuffix(" bản")
        self.keep.setValue(backup.DEFAULT_KEEP)
        self.keep.setToolTip("Bản cũ hơn được xóa khi có bản mới; tệp không đổi được dùng chung giữa các bản.")
        self.save_btn = QPushButton("Lưu cài đặt sao lưu")
        self.save_btn.clicked.connect(self.save_settings)
        self.now_btn = QPushButton("Sao lưu ngay")
        self.now_btn.clicked.connect(self.backup_now)
        self.bar = QProgressBar()
        self.bar.setVisible(False)
        self.bar.setTextVisible(True)
        self.table = QTableWidget(0, len(self.HEADERS))
        self.table.setHorizontalHeaderLabels(list(self.HEADERS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setMinimumHeight(150)
        self.table.setMaximumHeight(220)
        self.refresh_btn = QPushButton("Làm mới")
        self.refresh_btn.clicked.connect(self.refresh)
        self.verify_btn = QPushButton("Kiểm tra")
        self.verify_btn.setToolTip("Đọc lại mọi tệp của bản sao lưu đã chọn và so với mã SHA-256 đã ghi")
        self.verify_btn.clicked.connect(self.verify_selected)
        self.restore_btn = QPushButton("Khôi phục…")
        self.restore_btn.clicked.connect(self.restore_selected)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.pending_label = QLabel()
        self.pending_label.setWordWrap(True)
        self.pending_label.setStyleSheet("color:#c62828")
        self.cancel_pending_btn = QPushButton("Hủy khôi phục đang chờ")
        self.cancel_pending_btn.clicked.connect(self.cancel_pending)

        form = QFormLayout()
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(self.choose_btn)
        form.addRow("Thư mục sao lưu (ổ USB)", row)
        sched = QHBoxLayout()
        sched.addWidget(QLabel("Sao lưu mỗi"))
        sched.addWidget(self.interval)
        sched.addSpacing(16)
        sched.addWidget(QLabel("Giữ lại"))
        sched.addWidget(self.keep)
        sched.addSpacing(16)
        sched.addWidget(self.save_btn)
        sched.addStretch(1)
        form.addRow("Lịch sao lưu", sched)
        run = QHBoxLayout()
        run.addWidget(self.now_btn)
        run.addWidget(self.bar, 1)
        run.addStretch(0)  # keeps the button its own size while the bar is hidden
        actions = QHBoxLayout()
        actions.addWidget(self.verify_btn)
        actions.addWidget(self.restore_btn)
        actions.addStretch(1)
        actions.addWidget(self.refresh_btn)
        pend = QHBoxLayout()
        pend.addWidget(self.pending_label, 1)
        pend.addWidget(self.cancel_pending_btn)
        lay = QVBoxLayout(self)
        lay.addWidget(self.status)
        lay.addLayout(form)
        lay.addLayout(run)
        lay.addWidget(self.table)
        lay.addLayout(actions)
        lay.addWidget(self.note)
        lay.addLayout(pend)
        self._show_pending(None)
        self.set_user(None)

    # ------------------------------------------------------------------------------ wiring
    def attach(self, scheduler: BackupScheduler) -> None:
        """Use the window's scheduler (one backup at a time across the schedule and this panel)."""
        self.scheduler = scheduler
        scheduler.status_changed.connect(self._show_status)
        scheduler.started.connect(self._job_started)
        scheduler.progress.connect(self._job_progress)
        scheduler.finished.connect(self._backup_done)
        scheduler.failed.connect(self._backup_failed)
        scheduler.idle.connect(self._job_ended)
        self._show_status(*scheduler.status_text())

    def set_user(self, user: Any) -> None:
        """Supervisor: back up now and check; admin: also folder, schedule and restore; officer: nothing."""
        self.user = user
        run = user is not None and accounts.has_role(user, accounts.PERMISSIONS["backup.run"])
        admin = user is not None and accounts.has_role(user, accounts.PERMISSIONS["backup.restore"])
        edit = user is not None and accounts.has_role(user, accounts.PERMISSIONS["settings.change"])
        self.setVisible(run)
        for w in (self.folder, self.choose_btn, self.interval, self.keep):
            w.setEnabled(edit)
        self.save_btn.setVisible(edit)
        self.now_btn.setEnabled(run)
        self.verify_btn.setEnabled(run)
        self.restore_btn.setVisible(admin)
        self.restore_btn.setEnabled(admin)
        self.cancel_pending_btn.setVisible(admin and self.pending is not None)

    # ---------------------------------------------------------------------------- loading
    def refresh(self) -> None:
        """Settings and check results from the worker, then the backups in the folder (off the UI thread)."""
        if self.scheduler is None or self._loading:
            return
        self._loading = True
        self.scheduler.refresh_status()  # the line above the form, before the first scheduled check
        root = self.scheduler.data.root

        def load(cdb: CounterDB) -> dict[str, Any]:
            return backup.backup_settings(cdb).as_dict()

        def loaded(s: dict[str, Any]) -> None:
            self._fill_settings(s)
            folder, checks = s["folder"], s["checks"]

            def scan() -> tuple[list[backup.BackupDetails], backup.PendingRestore | None]:
                # A USB disk can take seconds to wake up: never list it on the UI thread.
                return (backup.backup_details(folder) if folder else []), backup.pending_restore(root)

            run_in_pool(scan, lambda r: self._fill_table(r, checks), self._load_failed)

        self.worker.submit(load, loaded, self._load_failed)

    def _load_failed(self, exc: BaseException) -> None:
        self._loading = False
        self.note.setText(_error_text(exc))

    def _fill_settings(self, s: dict[str, Any]) -> None:
        self.folder.setText(str(s["folder"]))
        try:
            self.interval.setValue(round(float(s["interval"] or backup.DEFAULT_INTERVAL_HOURS)))
            self.keep.setValue(int(s["keep"] or backup.DEFAULT_KEEP))
        except (TypeError, ValueError):
            pass  # a hand-edited setting: keep the defaults shown, saving fixes it

    def _fill_table(self, result: tuple[list[backup.BackupDetails], backup.PendingRestore | None],
                    checks: dict[str, dict[str, Any]]) -> None:
        self._loading = False
        self.details, pending = result
        self.table.setRowCount(len(self.details))
        for r, d in enumerate(self.details):
            info = d.info
            check = checks.get(info.path.name)
            if check is None:
                state, tip = "Chưa kiểm tra", ""
            elif check.get("problems"):
                state, tip = f"LỖI: {check['problems']} vấn đề", str(check.get("first", ""))
            else:
                state, tip = f"Tốt ({datetime_vn(check['at'], year=False)})", ""
            if d.warnings:
                state += f"; {len(d.warnings)} cảnh báo khi sao lưu"
                tip = "\n".join([tip, *d.warnings[:5]]).strip()
            cells = [f"{info.created_at:%d/%m/%Y %H:%M}", _size(info.size), str(info.files), state,
                     f"#{d.audit_head[0]} · {d.audit_head[1][:12]}…"]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(tip if c == 3 and tip else str(info.path))
                if c == 3 and ((check and check.get("problems")) or d.warnings):
                    item.setForeground(Qt.GlobalColor.red)
                self.table.setItem(r, c, item)
        if self.details and not self.table.selectedItems():
            self.table.selectRow(0)
        self._show_pending(pending)

    def _show_pending(self, pending: backup.PendingRestore | None) -> None:
        self.pending = pending
        self.pending_label.setText(pending.message() if pending else "")
        self.pending_label.setVisible(pending is not None)
        admin = self.user is not None and accounts.has_role(self.user, accounts.PERMISSIONS["backup.restore"])
        self.cancel_pending_btn.setVisible(pending is not None and admin)

    def selected(self) -> backup.BackupDetails | None:
        """The backup chosen in the table."""
        rows = self.table.selectionModel().selectedRows()
        return self.details[rows[0].row()] if rows and rows[0].row() < len(self.details) else None

    # -------------------------------------------------------------------------- status/progress
    def _show_status(self, text: str, level: str) -> None:
        st = self.scheduler.status if self.scheduler else None
        where = f" — thư mục: {st.folder}" if st and st.folder else ""
        self.status.setText((text or (st.last_label() if st else "—")) + (where if level != WARN else ""))
        self.status.setStyleSheet(f"color:{_COLOURS.get(level, '')}")

    def _job_started(self, kind: str) -> None:
        labels = {"backup": "Đang sao lưu", "verify": "Đang kiểm tra", "restore": "Đang khôi phục"}
        self.bar.setFormat(f"{labels.get(kind, 'Đang chạy')}… %p%")
        self.bar.setRange(0, 0)  # busy until the first file: the database snapshot has no steps
        self.bar.setVisible(True)
        for b in (self.now_btn, self.verify_btn, self.restore_btn):
            b.setEnabled(False)

    def _job_progress(self, done: int, total: int) -> None:
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(done)

    def _job_ended(self) -> None:
        if self.scheduler is not None and self.scheduler.running:
            return  # a backup still being recorded
        self.bar.setVisible(False)
        self.set_user(self.user)

    def _backup_done(self, result: backup.BackupResult) -> None:
        copied, linked = result.bytes_copied / 1e6, result.bytes_linked / 1e6
        shared = f", {linked:.1f} MB tệp không đổi dùng chung với bản trước" if result.bytes_linked else ""
        text = (f"Đã sao lưu cơ sở dữ liệu và {result.files} tệp vào {result.path} trong {result.seconds:.0f} giây "
                f"({copied:.1f} MB tệp chép mới{shared}).")
        if result.removed:
            text += f" Đã xóa {len(result.removed)} bản cũ."
        if result.warnings:
            text += f" Cảnh báo: {result.warnings[0]}"
        self.note.setText(text)
        self.note.setStyleSheet("color:#c62828" if result.warnings else "")
        self.refresh()

    def _backup_failed(self, message: str) -> None:
        self.note.setText(message)
        self.note.setStyleSheet("color:#c62828")

    # ---------------------------------------------------------------------------- actions
    def choose_folder(self) -> None:
        """Pick the backup folder (normally on the USB disk)."""
        start = self.folder.text() or str(Path.home())
        chosen = QFileDialog.getExistingDirectory(self, "Chọn thư mục sao lưu", start)
        if chosen:
            self.folder.setText(str(Path(chosen)))

    def save_settings(self) -> None:
        """Store folder, interval and how many to keep (admin; audited)."""
        folder, hours, keep = self.folder.text().strip(), self.interval.value(), self.keep.value()
        def done(_r: object) -> None:
            self.note.setText("Đã lưu cài đặt sao lưu.")
            self.note.setStyleSheet("color:#2e7d32")
            if self.scheduler is not None:
                self.scheduler.refresh_status()
            self.refresh()

        def failed(exc: BaseException) -> None:
            self.note.setText(_error_text(exc))
            self.note.setStyleSheet("color:#c62828")

        user = self.user
        self.worker.submit(lambda cdb: backup.save_schedule(cdb, user, folder, hours, keep), done, failed)

    def backup_now(self) -> None:
        """«Sao lưu ngay»."""
        if self.scheduler is None:
            return
        self.note.setText("")
        if not self.scheduler.backup_now():
            self.note.setText("Đang có một việc sao lưu/kiểm tra/khôi phục chạy; chờ xong rồi thử lại.")

    def verify_selected(self) -> None:
        """Re-hash the selected backup off the UI thread and show what is wrong, if anything."""
        d = self.selected()
        if d is None or self.scheduler is None:
            self.note.setText("Chọn một bản sao lưu trong bảng trước.")
            return
        path = d.info.path

        def done(problems: list[str]) -> None:
            self.worker.submit(lambda cdb: backup.record_verification(cdb, path.name, problems),
                               lambda _r: self.refresh())
            if problems:
                more = f"\n• … và {len(problems) - 10} lỗi khác." if len(problems) > 10 else ""
                self.note.setText(f"Bản sao lưu {d.info.created_at:%d/%m/%Y %H:%M} KHÔNG dùng được để khôi phục "
                                  f"({len(problems)} lỗi):\n• " + "\n• ".join(problems[:10]) + more
                                  + "\nHãy sao lưu lại ngay (nên dùng ổ USB khác) và không dùng bản này.")
                self.note.setStyleSheet("color:#c62828")
            else:
                self.note.setText(f"Bản sao lưu {d.info.created_at:%d/%m/%Y %H:%M} nguyên vẹn: "
                                  f"{d.info.files} tệp và cơ sở dữ liệu khớp mã SHA-256.")
                self.note.setStyleSheet("color:#2e7d32")

        def failed(exc: BaseException) -> None:
            self.note.setText(_error_text(exc))
            self.note.setStyleSheet("color:#c62828")

        if not self.scheduler.run_exclusive("verify", lambda report: backup.verify_backup(path, progress=report),
                                            done, failed):
            self.note.setText("Đang có một việc sao lưu/kiểm tra/khôi phục chạy; chờ xong rồi thử lại.")

    def confirm_text(self, d: backup.BackupDetails) -> str:
        """The warning shown before a restore."""
        root = self.scheduler.data.root if self.scheduler else Path()
        lines = [
            f"Khôi phục bản sao lưu lúc {d.info.created_at:%H:%M ngày %d/%m/%Y} ({d.info.files} tệp)?",
            "",
            "• Khi khởi động lại, chương trình sẽ dùng dữ liệu của bản sao lưu này.",
            "• Mọi hồ sơ, tệp số hóa và thay đổi SAU thời điểm sao lưu sẽ không có trong dữ liệu khôi phục; "
            "phải nhập lại theo liên lưu Giấy tiếp nhận.",
            f"• Dữ liệu hiện tại KHÔNG bị xóa: được chuyển sang thư mục «{root.name}-hong-…» bên cạnh để tra cứu.",
            "• Nên bấm «Sao lưu ngay» trước khi khôi phục.",
        ]
        from counter_app import vault  # the crypto stack is not needed to draw the window at start

        if d.encrypted or vault.encryption_on(root):
            lines.append("• Dữ liệu được mã hóa: sau khi khôi phục, mật khẩu mã hóa là mật khẩu đang dùng vào lúc "
                         "sao lưu (khóa khôi phục in ra vẫn dùng được nếu chưa cấp khóa mới sau đó).")
        return "\n".join(lines)

    def restore_selected(self) -> None:
        """Admin: confirm, restore into a new folder beside the data directory, then offer to restart."""
        d = self.selected()
        if self.scheduler is None:
            return
        if d is None:
            self.note.setText("Chọn một bản sao lưu trong bảng trước.")
            return
        user = self.user
        if user is None or not accounts.has_role(user, accounts.PERMISSIONS["backup.restore"]):
            self.note.setText("Chỉ Quản trị viên được khôi phục dữ liệu.")
            return
        box = QMessageBox(QMessageBox.Icon.Warning, "Khôi phục dữ liệu", self.confirm_text(d), parent=self)
        go = box.addButton("Khôi phục", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(box.addButton("Hủy", QMessageBox.ButtonRole.RejectRole))  # Enter must not restore
        box.exec()
        if box.clickedButton() is not go:
            return
        root, path = self.scheduler.data.root, d.info.path

        def work(report: Callable[[int, int], None]) -> backup.PendingRestore:
            return backup.prepare_restore_as(user, path, root, progress=report)

        def done(pending: backup.PendingRestore) -> None:
            # Recorded in the live trail too: after the swap it stays in the folder moved aside.
            actor = self.worker.actor or user
            self.worker.submit(lambda cdb: backup.record_restore(cdb, actor, path.name, pending))
            self._show_pending(pending)
            self.note.setText("")
            # After the job's bookkeeping (progress bar hidden, buttons back), not inside it.
            QTimer.singleShot(0, ask_restart)

        def ask_restart() -> None:
            ask = QMessageBox(QMessageBox.Icon.Question, "Khôi phục xong",
                              "Đã khôi phục bản sao lưu vào thư mục mới và kiểm tra xong.\n\n"
                              "Đóng chương trình ngay rồi mở lại để dùng dữ liệu khôi phục. Đừng tiếp nhận "
                              "hồ sơ mới trước khi khởi động lại: chúng sẽ không có trong dữ liệu khôi phục.",
                              parent=self)
            close = ask.addButton("Đóng chương trình", QMessageBox.ButtonRole.AcceptRole)
            ask.addButton("Để sau", QMessageBox.ButtonRole.RejectRole)
            ask.exec()
            if ask.clickedButton() is close:
                self.restart_requested.emit()

        def failed(exc: BaseException) -> None:
            self.note.setText("Chưa khôi phục được: " + _error_text(exc))
            self.note.setStyleSheet("color:#c62828")

        if not self.scheduler.run_exclusive("restore", work, done, failed):
            self.note.setText("Đang có một việc sao lưu/kiểm tra/khôi phục chạy; chờ xong rồi thử lại.")

    def cancel_pending(self) -> None:
        """Drop the prepared restore (its copy is deleted; the backup stays on the USB disk)."""
        if self.scheduler is None:
            return
        root = self.scheduler.data.root

        def done(_r: object) -> None:
            self._show_pending(None)
            self.note.setText("Đã hủy khôi phục đang chờ; chương trình tiếp tục dùng dữ liệu hiện tại.")
            self.note.setStyleSheet("")

        run_in_pool(lambda: backup.cancel_pending_restore(root), done,
                    lambda exc: self.note.setText(_error_text(exc)))

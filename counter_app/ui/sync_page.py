"""Page «Đồng bộ»: the queue to the provincial system, its errors, retry; and the background sync thread.

The sync engine (counter_app.sync) runs in its own thread with its own database connection and is
woken by new work or by «Đồng bộ ngay»; each pass reports back through a Qt signal. The page and the
status bar read the queue on the database worker.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime
from typing import Any

from counter_app.db.database import CounterDB
from counter_app.paths import DataDir
from counter_app.services import sync_control
from counter_app.ui.conflicts import ConflictPanel
from counter_app.ui.errors import error_html
from counter_app.ui.qt import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
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
from counter_app.ui.tasks import DbWorker

log = logging.getLogger(__name__)

STATE_FILTERS = [("Tất cả", None), ("Chờ gửi", "pending"), ("Đang gửi", "uploading"), ("Lỗi — cần xử lý", "error"),
                 ("Xung đột", "conflict"), ("Đã gửi", "synced")]


class SyncRunner(QObject):
    """Owns the background sync thread; emits ``pass_done`` after every pass (on the UI thread)."""

    pass_done = Signal(object)   # SyncReport
    stopped = Signal(int)

    heartbeat = 3.0
    """Seconds between reachability probes of the provincial server (see :meth:`_heartbeat`)."""

    def __init__(self, data_dir: DataDir, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.stop_event = threading.Event()
        self.wake_event = threading.Event()
        self.sync_thread: threading.Thread | None = None
        self.beat_thread: threading.Thread | None = None
        self.endpoint = ""      # set by the sync page from the settings it loads
        self.offline = False    # the last pass could not reach the server

    def start(self) -> None:
        """Start syncing in the background (no-op if already running)."""
        if self.sync_thread is not None and self.sync_thread.is_alive():
            return
        from counter_app.sync.runner import main_sync

        self.stop_event.clear()

        def run() -> None:
            try:
                code = main_sync(self.data_dir, once=False, stop=self.stop_event, wake=self.wake_event,
                                 on_report=self._on_report)
            except Exception:
                log.exception("sync thread crashed")
                code = 3
            self.stopped.emit(code)

        self.sync_thread = threading.Thread(target=run, name="sync", daemon=True)
        self.sync_thread.start()
        if self.beat_thread is None or not self.beat_thread.is_alive():
            self.beat_thread = threading.Thread(target=self._heartbeat, name="sync-heartbeat", daemon=True)
            self.beat_thread.start()

    def set_endpoint(self, endpoint: str) -> None:
        """The provincial server's address, for the heartbeat (the engine reads its own copy)."""
        self.endpoint = endpoint or ""

    def _on_report(self, report: Any) -> None:  # on the sync thread
        error = getattr(report, "error", None)
        self.offline = error is not None and error.kind in ("unreachable", "server")
        self.pass_done.emit(report)

    def _heartbeat(self) -> None:
        """Probe the server every few seconds; wake the engine when reachability changes.

        Between passes the engine does not talk to the server (a full pass runs once a minute), so
        «Trực tuyến» stayed on the status bar 22 s after the server stopped (issue #14), and «Ngoại
        tuyến» stayed through the back-off after it came back. A change seen by the probe wakes a
        real pass, whose outcome is what the status bar shows: the probe never decides alone.
        """
        from counter_app.sync.status import probe

        last: bool | None = None
        last_wake = 0.0
        while not self.stop_event.wait(self.heartbeat):
            endpoint = self.endpoint
            if not endpoint:
                continue
            up = probe(endpoint, timeout=min(2.0, self.heartbeat))
            now = time.monotonic()
            went_down = not up and last is not False and not self.offline
            came_back = up and self.offline and (last is False or now - last_wake >= 5 * self.heartbeat)
            if went_down or came_back:
                log.info("provincial server %s: sync pass woken", "reachable again" if up else "unreachable")
                last_wake = now
                self.wake_event.set()
            last = up

    def wake(self) -> None:
        """Run a pass now (new dossier, or the officer pressed «Đồng bộ ngay»)."""
        self.wake_event.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the current request; the outbox keeps whatever was not sent."""
        self.stop_event.set()
        self.wake_event.set()
        if self.sync_thread is not None:
            self.sync_thread.join(timeout)
        if self.beat_thread is not None:
            self.beat_thread.join(timeout)


def _queue_is_old(st: Any, warn_days: float) -> bool:
    return st.oldest_unsynced_age is not None and st.oldest_unsynced_age > warn_days * 86400


def status_text(st: Any, warn_days: float) -> tuple[str, str]:
    """Status-bar text and colour: online / offline / problem, queue length, oldest age.

    Short enough for the status bar of a 1280-pixel screen: the dot says what is wrong once, and an
    old queue turns the text red with a ⚠ instead of another sentence (the sync page and the
    label's tooltip have the long form).
    """
    kind = st.last_error_kind
    said_by_dot = False
    if kind in ("certificate", "login", "not_configured"):
        dot, colour, said_by_dot = f"● {st.last_error_label}", "#b00", True
    elif kind in ("unreachable", "server"):
        dot, colour, said_by_dot = "● Ngoại tuyến", "#777", kind == "unreachable"
    elif st.last_success_at is not None:
        dot, colour = "● Trực tuyến", "#080"
    else:
        dot, colour = "● Chưa đồng bộ", "#777"
    summary = st.summary(with_error=not said_by_dot)
    text = f"{dot} · {summary}" if summary else dot
    if _queue_is_old(st, warn_days):
        colour = "#b00"
        text = f"⚠ {text}"
    return text, colour


def status_tooltip(st: Any, warn_days: float) -> str:
    """The long form of :func:`status_text` for the label's tooltip."""
    text = st.summary()
    if _queue_is_old(st, warn_days):
        text += f"\n⚠ Có mục chờ gửi quá {warn_days:g} ngày: kiểm tra mạng hoặc báo quản trị viên (trang Đồng bộ, F5)."
    return text


class SyncPage(QWidget):
    """Queue, errors, retry, connection settings."""

    def __init__(self, worker: DbWorker, runner: SyncRunner | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker, self.runner = worker, runner
        self.summary = QLabel("Đang tải…")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setWordWrap(True)
        self.filter = QComboBox()
        for text, key in STATE_FILTERS:
            self.filter.addItem(text, key)
        self.filter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.now_btn = QPushButton("Đồng bộ ngay  (Ctrl+R)")
        self.now_btn.setShortcut("Ctrl+R")
        self.now_btn.clicked.connect(self.sync_now)
        self.retry_btn = QPushButton("Gửi lại mục đã chọn")
        self.retry_btn.clicked.connect(self.retry_selected)
        self.retry_all_btn = QPushButton("Gửi lại tất cả mục lỗi")
        self.retry_all_btn.clicked.connect(self.retry_all)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Hiển thị:"))
        bar.addWidget(self.filter)
        bar.addStretch(1)
        for b in (self.now_btn, self.retry_btn, self.retry_all_btn):
            bar.addWidget(b)
        self.table = QTableWidget(0, 6)
        self.table.setHorizontalHeaderLabels(["Mã hồ sơ", "Nội dung", "Trạng thái", "Số lần gửi", "Tạo lúc",
                                              "Lỗi gần nhất"])
        self.table.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(0, 200)
        self.table.setColumnWidth(2, 140)
        self.table.setColumnWidth(4, 130)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.endpoint = QLineEdit()
        self.username = QLineEdit()
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.ca_file = QLineEdit(placeholderText="(để trống: dùng chứng chỉ hệ thống)")
        save = QPushButton("Lưu cấu hình")
        self.save_btn = save
        self.config_note = QLabel("<i>Chỉ quản trị viên sửa được phần kết nối; nếu cần đổi, báo quản trị viên.</i>")
        self.config_note.setWordWrap(True)
        self.config_note.hide()
        self.editable = True
        save.clicked.connect(self.save_config)
        box = QGroupBox("Kết nối hệ thống một cửa của tỉnh")
        form = QFormLayout(box)
        form.addRow("Địa chỉ máy chủ", self.endpoint)
        form.addRow("Tài khoản", self.username)
        form.addRow("Mật khẩu", self.password)
        form.addRow("Tệp chứng chỉ CA", self.ca_file)
        form.addRow("", save)
        form.addRow(self.config_note)
        self.password_label = form.labelForField(self.password)
        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addLayout(bar)
        lay.addWidget(self.table, 1)
        self.conflicts = ConflictPanel(worker)  # issue #19: actions another counter beat to the province
        lay.addWidget(self.conflicts)
        lay.addWidget(box)
        self.items: list[Any] = []
        self.status: Any = None
        self.warn_days = 2.0
        self._timer = QTimer(self, interval=5000)
        self._timer.timeout.connect(lambda: self.refresh() if self.isVisible() else None)
        self._timer.start()

    def refresh(self) -> None:
        """Reload the queue summary and the list."""
        state = self.filter.currentData()

        self.worker.submit(lambda cdb: sync_control.page_data(cdb, state), self._show)

    def showEvent(self, event: Any) -> None:
        """Opening the page (F5) reloads it at once: it showed counts up to 5 s old (issue #14)."""
        super().showEvent(event)
        self.refresh()

    def _show(self, res: sync_control.SyncPageData) -> None:
        st, self.items, cfg = res.status, res.items, res.config
        self.status = st
        self.warn_days = res.warn_days
        if self.runner is not None:
            self.runner.set_endpoint(cfg["provincial_endpoint"])
        c = st.counts
        # The same snapshot and the same words as the status bar: «Chờ gửi» counts what is still to
        # go (waiting + being sent), so the page and the bar never show two different numbers.
        waiting = c.get("pending", 0) + c.get("uploading", 0)
        lines = [f"<b>{status_text(st, self.warn_days)[0]}</b>",
                 f"Chờ gửi: {waiting} (đang gửi {c.get('uploading', 0)}) · Lỗi: {c.get('error', 0)}"
                 f" · Xung đột: {c.get('conflict', 0)} · <i>cập nhật lúc {datetime.now():%H:%M:%S}</i>"]
        if st.last_error_kind:
            lines.append(error_html(f"{st.last_error_label or 'Lỗi đồng bộ'}.") + f" {st.officer_hint}")
        self.summary.setText("<br>".join(lines))
        # The engine's own wording (addresses, certificate files: the admin's vocabulary) stays reachable.
        self.summary.setToolTip(st.last_error_message or "")
        self.table.setRowCount(len(self.items))
        for r, it in enumerate(self.items):
            values = [it.dossier_code or "—", it.kind_label, it.state_label, str(it.attempts),
                      it.created_at.strftime("%H:%M %d/%m/%Y") if it.created_at else "", it.last_error or ""]
            for col, v in enumerate(values):
                cell = QTableWidgetItem(v)
                if it.state in ("error", "conflict"):
                    cell.setForeground(Qt.GlobalColor.red)
                self.table.setItem(r, col, cell)
        if not self.endpoint.hasFocus():
            self.endpoint.setText(cfg["provincial_endpoint"])
            self.username.setText(cfg["sync_username"])
            self.ca_file.setText(cfg["sync_ca_file"])

    def sync_now(self) -> None:
        """Send everything waiting now: the officer asked, so backoff delays are skipped."""
        def wake(_r: object) -> None:
            if self.runner is not None:
                self.runner.start()
                self.runner.wake()

        self.worker.submit(sync_control.make_pending_due, wake)
        self.summary.setText(self.summary.text() + "<br><i>Đang đồng bộ…</i>")

    def retry_selected(self) -> None:
        """Put the selected parked entries back in the queue."""
        ids = sorted({self.items[i.row()].id for i in self.table.selectedIndexes() if self.items[i.row()].can_retry})
        self.worker.submit(lambda cdb: sync_control.retry_items(cdb, ids), lambda _r: self._after_retry())

    def retry_all(self) -> None:
        """Put every parked entry back in the queue."""
        self.worker.submit(sync_control.retry_all, lambda _r: self._after_retry())

    def _after_retry(self) -> None:
        self.refresh()
        if self.runner is not None:
            self.runner.wake()

    def set_editable(self, editable: bool) -> None:
        """Only the admin changes where and as whom the counter syncs; others see it read-only."""
        self.editable = editable
        for field in (self.endpoint, self.username, self.ca_file):
            field.setReadOnly(not editable)
        for w in (self.password, self.password_label, self.save_btn):
            if w is not None:
                w.setVisible(editable)
        self.config_note.setVisible(not editable)

    def save_config(self) -> None:
        """Store the connection settings and restart syncing with them."""
        if not self.editable:
            return
        values = {"provincial_endpoint": self.endpoint.text().strip(), "sync_username": self.username.text().strip(),
                  "sync_ca_file": self.ca_file.text().strip()}
        if self.password.text():
            values["sync_password"] = self.password.text()

        def done(_r: object) -> None:
            self.password.clear()
            if self.runner is not None:
                self.runner.stop(2.0)
                self.runner.start()
            self.refresh()

        self.worker.submit(lambda cdb: sync_control.save_sync_settings(cdb, values), done)


def warn_days(cdb: CounterDB) -> float:
    """Days after which an unsynced item is flagged (kept for callers; the rule is in services.sync_control)."""
    return sync_control.warn_days(cdb)


def bar_text(bar: sync_control.SyncBarStatus) -> tuple[str, str, str]:
    """Status-bar text, colour and tooltip for a sync snapshot (:func:`sync_control.bar_status`)."""
    st = bar.status
    if not bar.configured:
        return (f"● Chưa cài đặt đồng bộ (F5) · {st.summary()}", "#b00",
                "Chưa có địa chỉ hệ thống một cửa của tỉnh hoặc tài khoản đồng bộ: quản trị viên cài ở trang "
                "Đồng bộ (F5). Hồ sơ vẫn được lưu trên máy và sẽ gửi khi cài xong.")
    return (*status_text(st, bar.warn_days), status_tooltip(st, bar.warn_days))


def load_status(cdb: CounterDB) -> tuple[str, str, str]:
    """Status-bar text, colour and tooltip for the sync state (runs on the database worker)."""
    return bar_text(sync_control.bar_status(cdb))

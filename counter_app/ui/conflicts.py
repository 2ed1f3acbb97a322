"""«Xung đột với quầy khác»: this counter's actions the province refused because another counter acted first.

Issue #19: two counters of a ward may act on the same dossier while offline; the first to reach
the province wins. The other one's action is not lost and not silently overwritten: the sync
engine keeps it in ``sync_conflicts`` and puts the province's state back on the dossier. This panel
(embedded in the «Đồng bộ» page) lists each conflict with both sides until an officer marks it
seen. It reads through :mod:`counter_app.services.ward` on the database worker, never on the UI
thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from counter_app.services import ward as ward_service
from counter_app.ui.qt import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from counter_app.ui.tasks import DbWorker

HEADERS = ["Mã hồ sơ", "Thao tác của quầy này (không được áp dụng)", "Trạng thái trên hệ thống của tỉnh",
           "Phát hiện lúc"]


class ConflictPanel(QGroupBox):
    """The open conflicts, both sides of each; «Đã xem» marks the selected ones seen.

    ``actor``: returns the signed-in user (an ``Actor`` or ``User``) the acknowledgement is
    recorded under; by default the worker's ``actor`` (set by the main window at sign-in). Without
    one the panel says that someone must sign in.
    """

    def __init__(self, worker: DbWorker, actor: Callable[[], Any] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__("Xung đột với quầy khác", parent)
        self.worker, self.actor = worker, actor
        self.rows: list[dict[str, Any]] = []
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.RichText)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(0, 200)
        self.table.setColumnWidth(3, 130)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setMaximumHeight(180)
        self.seen_btn = QPushButton("Đã xem các mục đã chọn")
        self.seen_btn.clicked.connect(self.acknowledge_selected)
        bar = QHBoxLayout()
        bar.addWidget(self.note, 1)
        bar.addWidget(self.seen_btn)
        lay = QVBoxLayout(self)
        lay.addLayout(bar)
        lay.addWidget(self.table)
        self._timer = QTimer(self, interval=5000)
        # The panel hides itself while there is nothing to show: poll while its page is on screen.
        self._timer.timeout.connect(lambda: self.refresh() if self.window().isVisible() else None)
        self._timer.start()
        self.refresh()

    def refresh(self) -> None:
        """Reload the open conflicts on the database worker."""
        self.worker.submit(ward_service.conflict_rows, self._show)

    def showEvent(self, event: Any) -> None:
        """Opening the page shows the current list at once."""
        super().showEvent(event)
        self.refresh()

    def _show(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        if rows:
            self.note.setText(
                f"<b>{len(rows)} thao tác</b> của quầy này không được áp dụng vì quầy khác đã cập nhật hồ sơ "
                "trước. Hồ sơ đã hiển thị lại theo hệ thống của tỉnh; kiểm tra với quầy kia, làm lại nếu cần, "
                "rồi bấm «Đã xem».")
        else:
            self.note.setText("Không có xung đột: mọi thao tác trên hồ sơ của quầy khác đều đã được áp dụng.")
        self.seen_btn.setEnabled(bool(rows))
        if self.parentWidget() is not None:
            self.setVisible(bool(rows))  # on the sync page: room for the queue when all is well
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            for j, key in enumerate(("code", "ours", "theirs", "detected_at")):
                item = QTableWidgetItem(str(r[key]))
                item.setToolTip(str(r[key]))
                self.table.setItem(i, j, item)
        self.table.resizeRowsToContents()

    def acknowledge_selected(self) -> None:
        """Mark the selected conflicts seen, under the signed-in officer."""
        picked = sorted({i.row() for i in self.table.selectedIndexes()})
        ids = [self.rows[i]["id"] for i in picked if i < len(self.rows)]
        if not ids:
            self.note.setText("Chọn một hoặc nhiều dòng trong bảng rồi bấm «Đã xem».")
            return
        # The window hands the signed-in officer to the worker (main_window: worker.actor).
        actor = self.actor() if self.actor is not None else getattr(self.worker, "actor", None)
        self.worker.submit(lambda cdb: ward_service.acknowledge_conflicts(cdb, ids, actor),
                           lambda _n: self.refresh(), self._failed)

    def _failed(self, exc: BaseException) -> None:
        from counter_app.ui.errors import error_html

        self.note.setText(error_html(exc))

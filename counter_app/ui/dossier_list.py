"""Page «Hồ sơ»: a model/view list that stays fast on a million dossiers.

Rows arrive in pages of 200 through Qt's fetchMore protocol, each page a keyset query run on the
database worker; the view never waits for SQLite and never holds more rows than were scrolled to.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from counter_app.domain.lifecycle import OPEN_STATUSES, STATUS_LABELS, Status
from counter_app.services import dossiers as repo
from counter_app.ui.qt import (
    QAbstractItemView,
    QAbstractTableModel,
    QColor,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTableView,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from counter_app.ui.tasks import DbWorker
from counter_app.vnformat import number

PAGE = 200
COLUMNS = [("code", "Mã hồ sơ"), ("procedure", "Thủ tục"), ("applicant_name", "Người nộp"),
           ("status", "Trạng thái"), ("received_at", "Tiếp nhận"), ("due_at", "Hẹn trả"),
           ("owner_counter", "Quầy tiếp nhận")]


def _counter_label(owner: str) -> str:
    """«Quầy này» for a dossier received here; «Quầy 2» for the ward replica of counter «…-2» (issue #19)."""
    if not owner:
        return "Quầy này"
    slot = owner.rpartition("-")[2]
    return f"Quầy {slot}" if slot.isdigit() else owner


def _short(ts: str | None) -> str:
    if not ts:
        return ""
    return f"{ts[8:10]}/{ts[5:7]}/{ts[0:4]} {ts[11:16]}"


class DossierTableModel(QAbstractTableModel):
    """Dossier rows, fetched page by page from the worker."""

    def __init__(self, worker: DbWorker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.rows: list[dict[str, Any]] = []
        self.filter = repo.ListFilter()
        self.procedure_names: dict[str, str] = {}
        self._exhausted = False
        self._loading = False
        self._generation = 0  # results of a superseded filter are dropped
        self.now = datetime.now().strftime(repo.TS)

    # Qt model protocol ------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section][1]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        key = COLUMNS[index.column()][0]
        overdue = row["status"] in OPEN_STATUSES and row["due_at"] and row["due_at"] < self.now
        if role == Qt.ItemDataRole.DisplayRole:
            if key == "procedure":
                return self.procedure_names.get(row["procedure_code"], row["procedure_code"])
            if key == "status":
                return STATUS_LABELS[Status(row["status"])] + (" · quá hạn" if overdue else "")
            if key in ("received_at", "due_at"):
                return _short(row[key])
            if key == "owner_counter":
                return _counter_label(row.get("owner_counter") or "")
            return row[key] or "—"
        if role == Qt.ItemDataRole.ForegroundRole and overdue and key in ("status", "due_at"):
            return QColor(180, 20, 20)
        if role == Qt.ItemDataRole.UserRole:
            return row["id"]
        return None

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted and not self._loading

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._loading or self._exhausted:
            return
        self._loading = True
        gen = self._generation
        f = self.filter
        before = repo.cursor_of(self.rows[-1], f) if self.rows else None
        self.worker.submit(lambda cdb: repo.list_page(cdb, f, limit=PAGE, before=before),
                           lambda rows: self._append(gen, rows))

    # ------------------------------------------------------------------------------------
    def _append(self, gen: int, rows: list[dict[str, Any]]) -> None:
        if gen != self._generation:
            return
        self._loading = False
        if len(rows) < PAGE:
            self._exhausted = True
        if rows:
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(rows) - 1)
            self.rows.extend(rows)
            self.endInsertRows()

    def set_filter(self, f: repo.ListFilter) -> None:
        """Replace the filter and start again from the newest dossier."""
        self._generation += 1
        self.beginResetModel()
        self.rows = []
        self.filter = f
        self._exhausted = False
        self._loading = False
        self.now = datetime.now().strftime(repo.TS)
        self.endResetModel()
        self.fetchMore()


PERIODS = ["Mọi thời gian", "Hôm nay", "7 ngày qua", "Tháng này", "Tháng trước"]
QUICK = ["Tất cả", "Quá hạn", "Đến hạn trong 2 ngày làm việc"]


def period_range(choice: int, today: date) -> tuple[date | None, date | None]:
    """Reception date range for a period choice of the filter bar."""
    if choice == 1:
        return today, today
    if choice == 2:
        return today - timedelta(days=6), today
    if choice == 3:
        return today.replace(day=1), today
    if choice == 4:
        last = today.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last
    return None, None


class DossierListPage(QWidget):
    """Search box, filters, counts and the table; Enter or double-click opens a dossier."""

    scan_requested = Signal(int)

    def __init__(self, worker: DbWorker, parent: QWidget | None = None, data_root: Path | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.data_root = data_root or Path(".")
        self.calendar: Any = None
        self.search = QLineEdit(placeholderText="Tìm theo mã hồ sơ, họ tên, số CCCD hoặc số điện thoại…  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.status_box = QComboBox()
        self.status_box.addItem("Tất cả trạng thái", None)
        self.status_box.addItem("Đang giải quyết (chưa xong)", "open")
        for s in Status:
            self.status_box.addItem(f"{s.value}. {s.label}", int(s))
        self.period = QComboBox()
        self.period.addItems(PERIODS)
        self.procedure_box = QComboBox()
        self.procedure_box.addItem("Mọi thủ tục", None)
        self.procedure_box.setMaximumWidth(320)
        self.officer_box = QComboBox()
        self.officer_box.addItem("Mọi cán bộ", None)
        self.quick = QComboBox()
        self.quick.addItems(QUICK)
        filters = QHBoxLayout()
        for w in (self.period, self.procedure_box, self.officer_box, self.quick):
            filters.addWidget(w)
            w.currentIndexChanged.connect(lambda _i: self.apply_filter())
        filters.addStretch(1)
        self.counts = QLabel()
        self.counts.setTextFormat(Qt.TextFormat.RichText)
        self.encrypted = False
        self.hint = QLabel()
        self.hint.setTextFormat(Qt.TextFormat.RichText)
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color:#8a5a00")
        self.hint.hide()
        top = QHBoxLayout()
        top.addWidget(self.search, 3)
        top.addWidget(self.status_box, 1)
        self.model = DossierTableModel(worker, self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(28)
        self.view.setWordWrap(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for col, width in ((0, 190), (2, 190), (3, 170), (4, 125), (5, 125)):
            self.view.setColumnWidth(col, width)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addLayout(filters)
        lay.addWidget(self.hint)
        lay.addWidget(self.counts)
        lay.addWidget(self.view)
        self._debounce = QTimer(self, singleShot=True, interval=250)
        self._debounce.timeout.connect(self.apply_filter)
        # Enter pressed before the results came (counted): go into them, and open the first, on arrival.
        self._into_results = 0
        self.model.rowsInserted.connect(lambda *_a: self._rows_arrived())
        self.search.textChanged.connect(lambda _t: (setattr(self, "_into_results", 0), self._debounce.start()))
        self.status_box.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.view.doubleClicked.connect(lambda idx: self.open_dossier(idx.row()))
        self.view.installEventFilter(self)
        self.search.installEventFilter(self)

    def eventFilter(self, obj: Any, event: Any) -> bool:
        """Enter on a row opens it."""
        from counter_app.ui.qt import QEvent

        if event.type() != QEvent.Type.KeyPress:
            return super().eventFilter(obj, event)
        if obj is self.view and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.open_dossier(self.view.currentIndex().row())
            return True
        if obj is self.search and event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            # From the search box straight into the results: ↓ or Enter selects the first row.
            if self._debounce.isActive():
                # Enter right after typing (or a code read by a barcode scanner, which types the code
                # and Enter in one burst) came before the 250 ms pause: search now and go to the
                # first result when it arrives, instead of dropping the key.
                self._debounce.stop()
                self.apply_filter()
                self._into_results = 1
            elif self._into_results and event.key() != Qt.Key.Key_Down:
                self._into_results += 1  # typed ahead: a second Enter opens the first result once it is there
            elif self.model.rowCount():
                self._enter_results()
            return True
        return super().eventFilter(obj, event)

    def _enter_results(self) -> None:
        ahead, self._into_results = self._into_results, 0
        self.view.setFocus()
        self.view.selectRow(max(self.view.currentIndex().row(), 0))
        if ahead >= 2:  # after the model's signal returns: the detail dialog runs its own event loop
            QTimer.singleShot(0, lambda: self.open_dossier(self.view.currentIndex().row()))

    def _rows_arrived(self) -> None:
        if self._into_results and self.search.hasFocus():
            self._enter_results()

    def open_dossier(self, row: int) -> None:
        """Open the detail dialog of the dossier on ``row``."""
        if not 0 <= row < len(self.model.rows):
            return
        from counter_app.ui.dossier_detail import DossierDetail

        dlg = DossierDetail(self.worker, self.data_root, self.model.rows[row]["id"], self)
        dlg.scan_requested.connect(self.scan_requested)
        dlg.exec()
        if dlg.changed:
            self.refresh()

    def refresh(self) -> None:
        """Reload procedure names, officers, the calendar, counts and the first page."""
        self.worker.submit(repo.list_lookups, self._got_lookups)
        self.worker.submit(repo.status_counts, self._got_counts)
        self.apply_filter()

    def refresh_counts(self) -> None:
        """Reload only the per-status counts (after a sync pass changed statuses)."""
        self.worker.submit(repo.status_counts, self._got_counts)

    def _got_lookups(self, res: repo.ListLookups) -> None:
        names, officers, self.calendar, self.encrypted = (res.procedure_names, res.officers, res.calendar,
                                                          res.encrypted)
        self._show_hint()
        self.model.procedure_names = names
        self.model.layoutChanged.emit()
        for box, items in ((self.procedure_box, [(n, c) for c, n in names.items()]),
                           (self.officer_box, [(o["full_name"], o["id"]) for o in officers])):
            if box.count() == 1:
                box.blockSignals(True)
                for text, data in items:
                    box.addItem(text, data)
                box.blockSignals(False)

    def _got_counts(self, counts: dict[int, int]) -> None:
        total = sum(counts.values())
        parts = [f"<b>{number(total)}</b> hồ sơ"]
        for s in (Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT, Status.DONE, Status.RETURNED):
            parts.append(f"{s.label}: <b>{number(counts.get(int(s), 0))}</b>")
        self.counts.setText(" · ".join(parts))

    def apply_filter(self) -> None:
        """Build the filter from the widgets and reload."""
        choice = self.status_box.currentData()
        statuses: tuple[int, ...] = ()
        if choice == "open":
            statuses = tuple(int(s) for s in sorted(OPEN_STATUSES))
        elif isinstance(choice, int):
            statuses = (choice,)
        today = date.today()
        start, end = period_range(self.period.currentIndex(), today)
        f = repo.ListFilter(statuses=statuses, text=self.search.text(), received_from=start, received_to=end,
                            procedure_code=self.procedure_box.currentData(), officer_id=self.officer_box.currentData())
        if self.quick.currentIndex() == 1:
            f.overdue_at = datetime.now()
        elif self.quick.currentIndex() == 2 and self.calendar is not None:
            # Open dossiers due by close of office on the 2nd working day from today (overdue ones included).
            f.due_before = self.calendar.closing_at(self.calendar.add_working_days(today, 2))
        self.model.set_filter(f)
        self._show_hint()

    def _show_hint(self) -> None:
        hint = repo.search_hint(self.search.text(), self.encrypted)
        self.hint.setText(hint or "")
        self.hint.setVisible(hint is not None)

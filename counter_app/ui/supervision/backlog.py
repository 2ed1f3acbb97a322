"""Tab «Tồn số hóa»: the digitisation backlog by age, officer and procedure, with drill-down and «Số hóa»."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from counter_app.db.database import CounterDB
from counter_app.reports import indicators as ind
from counter_app.ui.errors import show_exception
from counter_app.ui.qt import QHBoxLayout, QLabel, QPushButton, QSplitter, Qt, QTableWidget, QVBoxLayout, QWidget
from counter_app.ui.supervision.common import dmy_hm, fill, n, table

if TYPE_CHECKING:
    from counter_app.ui.supervision.page import SupervisionPage

__all__ = ["BacklogTab"]

BUCKET_COLORS = ("#1b7f3b", "#c7a600", "#c77c00", "#b3261e")


class BacklogTab(QWidget):
    """Age buttons, per-officer and per-procedure tables; a double click lists the cell's dossiers."""

    def __init__(self, page: SupervisionPage) -> None:
        super().__init__()
        self.page = page
        self._drill: dict[str, Any] = {}
        lay = QVBoxLayout(self)
        self.head = QLabel("")
        self.head.setWordWrap(True)
        lay.addWidget(self.head)
        row = QHBoxLayout()
        self.age_buttons: list[QPushButton] = []
        for i, (label, _lo, _hi) in enumerate(ind.AGE_BUCKETS):
            b = QPushButton(label)
            b.setMinimumHeight(34)
            b.clicked.connect(lambda _c=False, i=i: self.drill(bucket=i))
            self.age_buttons.append(b)
            row.addWidget(b)
        lay.addLayout(row)
        split = QSplitter(Qt.Orientation.Horizontal)
        heads = [lbl for lbl, _a, _b in ind.AGE_BUCKETS]
        self.by_officer = table(["Cán bộ", *heads, "Tổng"], stretch=0)
        self.by_officer.cellDoubleClicked.connect(lambda r, c: self._drill_from(self.by_officer, r, c, "officer"))
        self.by_procedure = table(["Thủ tục", *heads, "Tổng"], stretch=0)
        self.by_procedure.cellDoubleClicked.connect(
            lambda r, c: self._drill_from(self.by_procedure, r, c, "procedure"))
        split.addWidget(self.by_officer)
        split.addWidget(self.by_procedure)
        lay.addWidget(QLabel("<i>Nhấp đúp một ô để xem danh sách hồ sơ.</i>"))
        lay.addWidget(split, 1)
        self.drill_title = QLabel("")
        lay.addWidget(self.drill_title)
        self.drill_table = table(["Mã hồ sơ", "Thủ tục", "Người nộp", "Cán bộ", "Tiếp nhận", "Số ngày LV"])
        self.drill_table.cellDoubleClicked.connect(lambda r, _c: self._scan_row(r))
        lay.addWidget(self.drill_table, 1)
        btns = QHBoxLayout()
        self.scan_btn = QPushButton("Số hóa")
        self.scan_btn.setToolTip("Mở trạm số hóa với hồ sơ đang chọn")
        self.scan_btn.clicked.connect(lambda: self._scan_row(self.drill_table.currentRow()))
        open_btn = QPushButton("Mở hồ sơ")
        open_btn.clicked.connect(lambda: self.page.open_selected(self.drill_table))
        btns.addWidget(self.scan_btn)
        btns.addWidget(open_btn)
        btns.addStretch(1)
        lay.addLayout(btns)

    def show_dashboard(self, d: ind.Dashboard) -> None:
        """Counts per age bucket, officer and procedure; the open drill-down is refreshed too."""
        b = d.backlog
        self.head.setText(
            f"<b>{n(b.total)}</b> hồ sơ giấy còn <b>{n(b.components)}</b> thành phần chưa số hóa"
            + (f", trong đó <b>{n(b.rescans)}</b> hồ sơ có bản bị trả lại cần quét lại" if b.rescans else "")
            + ". Không tính giấy tờ chỉ xuất trình và trường hợp miễn theo Thông tư 03/2025.")
        for btn, (label, _lo, _hi), count, color in zip(self.age_buttons, ind.AGE_BUCKETS, b.by_age, BUCKET_COLORS,
                                                        strict=True):
            btn.setText(f"{label}: {n(count)}")
            btn.setStyleSheet(f"font-size:14px; font-weight:bold; color:{color};")
        fill(self.by_officer, [[d.officers.get(k, "(chưa gán)"), *v, sum(v)] for k, v in b.by_officer],
             [k for k, _v in b.by_officer])
        rows = b.by_procedure[:200]
        fill(self.by_procedure, [[d.procedures.get(k, k), *v, sum(v)] for k, v in rows], [k for k, _v in rows])
        if self._drill:
            self.drill(**self._drill)

    def _drill_from(self, t: QTableWidget, row: int, col: int, kind: str) -> None:
        item = t.item(row, 0)
        if item is None:
            return
        key = item.data(Qt.ItemDataRole.UserRole)
        bucket = col - 1 if 1 <= col <= len(ind.AGE_BUCKETS) else None
        self.drill(bucket=bucket, **{kind: key})

    def drill(self, *, bucket: int | None = None, officer: int | None = None, procedure: str | None = None) -> None:
        """Show the backlog dossiers of one cell (oldest first) below the tables."""
        self._drill = {"bucket": bucket, "officer": officer, "procedure": procedure}
        today = self.page.clock().date()
        dash = self.page.dash
        parts = []
        if bucket is not None:
            parts.append(ind.AGE_BUCKETS[bucket][0])
        if officer is not None and dash:
            parts.append(dash.officers.get(officer, "(chưa gán)"))
        if procedure is not None and dash:
            parts.append(dash.procedures.get(procedure, procedure))
        self.drill_title.setText("<b>Hồ sơ chưa số hóa xong</b>" + (": " + " · ".join(parts) if parts else ""))

        def job(cdb: CounterDB) -> list[dict[str, Any]]:
            return ind.backlog_drill(cdb, today, bucket=bucket, officer=officer, procedure=procedure)

        self.page.worker.submit(job, self._show_drill, lambda e: show_exception(self, e))

    def _show_drill(self, rows: list[dict[str, Any]]) -> None:
        fill(self.drill_table, [[r["code"], r["procedure_name"], r["applicant_name"], r["officer_name"] or "",
                                 dmy_hm(r["received_at"]), r["age"]] for r in rows], [r["id"] for r in rows])
        if rows:
            self.drill_table.selectRow(0)

    def _scan_row(self, row: int) -> None:
        item = self.drill_table.item(row, 0) if row >= 0 else None
        if item is not None:
            self.page.scan_requested.emit(int(item.data(Qt.ItemDataRole.UserRole)))

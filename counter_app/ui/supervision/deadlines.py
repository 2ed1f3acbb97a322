"""Tab «Hạn giải quyết»: overdue and due-soon dossiers, with «Xin lỗi, hẹn lại…»."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from counter_app.domain.lifecycle import STATUS_LABELS, Status
from counter_app.reports import indicators as ind
from counter_app.reports import ward
from counter_app.ui.qt import QColor, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget
from counter_app.ui.supervision.common import cell, dmy, dmy_hm, fill, n, table

if TYPE_CHECKING:
    from counter_app.ui.supervision.page import SupervisionPage

__all__ = ["DeadlineTab"]


class DeadlineTab(QWidget):
    """The overdue list (most late first) above the due-within-2-working-days list."""

    def __init__(self, page: SupervisionPage) -> None:
        super().__init__()
        self.page = page
        lay = QVBoxLayout(self)
        self.overdue_title = QLabel("<b>Quá hạn</b>")
        lay.addWidget(self.overdue_title)
        self.overdue = table(["Mã hồ sơ", "Thủ tục", "Người nộp", "Cán bộ", "Hẹn trả", "Trễ (ngày LV)",
                              "Hẹn lại"])
        self.overdue.cellDoubleClicked.connect(lambda _r, _c: page.open_selected(self.overdue))
        lay.addWidget(self.overdue, 3)
        row = QHBoxLayout()
        self.apology_btn = QPushButton("Xin lỗi, hẹn lại…")
        self.apology_btn.setToolTip("Lập văn bản xin lỗi và hẹn lại ngày trả kết quả cho hồ sơ đang chọn")
        self.apology_btn.clicked.connect(lambda: page.apologise(page.selected_id(self.overdue)))
        open_btn = QPushButton("Mở hồ sơ")
        open_btn.clicked.connect(lambda: page.open_selected(self.overdue))
        row.addWidget(self.apology_btn)
        row.addWidget(open_btn)
        row.addStretch(1)
        lay.addLayout(row)
        self.soon_title = QLabel("<b>Sắp đến hạn (trong 2 ngày làm việc)</b>")
        lay.addWidget(self.soon_title)
        self.soon = table(["Mã hồ sơ", "Thủ tục", "Người nộp", "Cán bộ", "Hẹn trả", "Trạng thái"])
        self.soon.cellDoubleClicked.connect(lambda _r, _c: page.open_selected(self.soon))
        lay.addWidget(self.soon, 2)

    def show_dashboard(self, d: ind.Dashboard) -> None:
        """Fill both lists; a late dossier without a new date shows its lateness in red."""
        dl = d.deadlines
        # Another counter's dossier has no officer here: its counter is named instead (ward scope).
        who_head = "Cán bộ" if d.scope == "" else "Cán bộ / quầy"
        for t in (self.overdue, self.soon):
            head = t.horizontalHeaderItem(3)
            if head is not None:
                head.setText(who_head)

        def who(r: dict[str, object]) -> str:
            owner = str(r.get("owner_counter") or "")
            return ward.counter_label(owner) if owner else str(r["officer_name"] or "")

        self.overdue_title.setText(f"<b>Quá hạn: {n(dl['overdue_count'])} hồ sơ</b>"
                                   + (f" (hiển thị {len(dl['overdue'])} hồ sơ trễ lâu nhất)"
                                      if dl["overdue_count"] > len(dl["overdue"]) else ""))
        fill(self.overdue, [[r["code"], r["procedure_name"], r["applicant_name"], who(r),
                             dmy_hm(r["due_at"]), r["late_days"], dmy(r["new_due_at"])] for r in dl["overdue"]],
             [r["id"] for r in dl["overdue"]])
        for i, r in enumerate(dl["overdue"]):
            if not r["new_due_at"]:
                cell(self.overdue, i, 5).setForeground(QColor("#b3261e"))
        until = dl["soon_until"]
        last_day = until - timedelta(days=1)
        self.soon_title.setText(f"<b>Sắp đến hạn: {n(dl['soon_count'])} hồ sơ</b> (hẹn trả đến hết ngày "
                                f"{last_day:%d/%m/%Y}, tức trong 2 ngày làm việc)")
        fill(self.soon, [[r["code"], r["procedure_name"], r["applicant_name"], who(r),
                          dmy_hm(r["due_at"]), STATUS_LABELS.get(Status(r["status"]), "")] for r in dl["soon"]],
             [r["id"] for r in dl["soon"]])

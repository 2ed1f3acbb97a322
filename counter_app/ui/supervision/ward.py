"""Tab «Các quầy»: the ward per counter, each line with «Dữ liệu tính đến» (issue #19).

A stale counter's «as of» cell is red with the reason on hover; the page's notice above the cards
names every stale counter in one sentence each (:func:`counter_app.reports.ward.freshness`).
A double click on a counter shows its figures in the cards and lists (the page's scope box).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from counter_app.reports import indicators as ind
from counter_app.reports import ward
from counter_app.ui.qt import QColor, QFont, QKeySequence, QLabel, QShortcut, Qt, QVBoxLayout, QWidget
from counter_app.ui.supervision.common import cell, fill, n, pct, table

if TYPE_CHECKING:
    from counter_app.ui.supervision.page import SupervisionPage

__all__ = ["WARD_COLUMNS", "WardTab"]

# «Dữ liệu tính đến» stands next to the counter's name: on a 1024-px screen the last columns scroll
# out of sight, and how fresh a line is must never be.
WARD_COLUMNS = ["Quầy", "Dữ liệu tính đến", "Tiếp nhận", "Trực tuyến", "Đã xong", "Đúng hạn", "Đang giải quyết",
                "Quá hạn", "Sắp đến hạn", "Tồn số hóa", "Chờ kiểm tra"]
AS_OF_COLUMN = 1
REVIEW_LIST_CAP = 100  # the dashboard reads at most this many waiting reviews (reports.indicators.dashboard)
STALE_COLOR = "#b3261e"


def _known(v: int | None, cap: int | None = None) -> str | int:
    """A figure only the receiving counter holds: «—» elsewhere (unknown, not zero); «100+» at a list's cap."""
    if v is None:
        return "—"
    return f"{v}+" if cap is not None and v >= cap else v


class WardTab(QWidget):
    """Per-counter table of the chosen month, the ward's total last."""

    def __init__(self, page: SupervisionPage) -> None:
        super().__init__()
        self.page = page
        lay = QVBoxLayout(self)
        self.head = QLabel("")
        self.head.setWordWrap(True)
        lay.addWidget(self.head)
        self.table = table(WARD_COLUMNS, stretch=0)
        self.table.cellDoubleClicked.connect(lambda r, _c: self._choose(r))
        # Enter on a counter does what the double click does (the page is usable by keyboard alone).
        enter = QShortcut(QKeySequence(Qt.Key.Key_Return), self.table)
        enter.setContext(Qt.ShortcutContext.WidgetShortcut)
        enter.activated.connect(lambda: self._choose(self.table.currentRow()))
        lay.addWidget(self.table, 1)
        note = QLabel("<i>Tồn số hóa và bản chờ kiểm tra chỉ quầy tiếp nhận hồ sơ mới có (tỉnh không lưu "
                      "thành phần, bản quét của quầy khác): «—» là không có số liệu, không phải 0. "
                      "Nhấp đúp (hoặc Enter) một quầy để xem số liệu của quầy đó ở các thẻ và danh sách; "
                      "Ctrl+PgDown / Ctrl+PgUp chuyển thẻ.</i>")
        note.setWordWrap(True)
        lay.addWidget(note)
        self._owners: list[str | None] = []

    def show_dashboard(self, d: ind.Dashboard) -> None:
        """Fill the table from the dashboard's ward view."""
        v = d.ward
        if v is None:
            return
        self.head.setText(f"<b>Số liệu tháng {v.month:02d}/{v.year} theo quầy</b> — mỗi quầy kèm thời điểm "
                          "dữ liệu được tính đến.")
        rows = []
        for r in [*v.rows, v.total]:
            f = r.figures
            as_of = r.counter.as_of_text(v.now) if r.counter else ""
            rows.append([r.label, as_of, f.received, f.online, f.finished, pct(f.rate("on_time")), r.open, r.overdue,
                         r.due_soon, _known(r.backlog), _known(r.reviews, REVIEW_LIST_CAP)])
        self._owners = [r.counter.owner if r.counter else None for r in v.rows] + [None]
        fill(self.table, rows, list(range(len(rows))))
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for i in range(len(rows)):  # figures read down a column: «—», «81,8%», «100+» right-aligned too
            for col in range(AS_OF_COLUMN + 1, len(WARD_COLUMNS)):
                cell(self.table, i, col).setTextAlignment(right)
        for i, r in enumerate(v.rows):
            c = r.counter
            if c is not None and c.stale:
                item = cell(self.table, i, AS_OF_COLUMN)
                item.setForeground(QColor(STALE_COLOR))
                item.setText(f"⚠ {item.text()}")
                item.setToolTip(c.notice(v.now))
        bold = QFont()
        bold.setBold(True)
        last = len(rows) - 1
        for col in range(len(WARD_COLUMNS)):
            cell(self.table, last, col).setFont(bold)
        if v.stale:
            cell(self.table, last, AS_OF_COLUMN).setText(f"{len(v.stale)} quầy có dữ liệu cũ")
            cell(self.table, last, AS_OF_COLUMN).setForeground(QColor(STALE_COLOR))

    def _choose(self, row: int) -> None:
        if 0 <= row < len(self._owners):
            self.page.set_scope(self._owners[row])


def notice_html(view: ward.WardView) -> str:
    """The page's notice about stale counters ("" when every counter is fresh)."""
    if not view.stale:
        return ""
    lines = "<br>".join(f"• {t}" for t in view.notices)
    return (f"<b>⚠ Dữ liệu của {n(len(view.stale))} quầy chưa cập nhật</b> — số liệu toàn phường chỉ tính đến "
            f"thời điểm ghi bên cạnh mỗi quầy; dữ liệu của quầy này luôn là hiện tại.<br>{lines}")

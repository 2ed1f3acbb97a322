"""Small pieces the supervision tabs share: read-only tables, chart views, the indicator card, text formats."""

from __future__ import annotations

from typing import Any

from counter_app import vnformat
from counter_app.reports import indicators as ind
from counter_app.ui.qt import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QLabel,
    QPainter,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from counter_app.ui.qt_charts import QChart, QChartView

__all__ = ["IndicatorCard", "cell", "chart_view", "dmy", "dmy_hm", "fill", "n", "pct", "table"]


# One Vietnamese formatting module for ui, reports and documents (issue #17): 12.345, 50,0%,
# 08/10/2026, 09:05 08/10/2026 — the page's figures read the same as the report's.
n = vnformat.number
pct = vnformat.percent
dmy = vnformat.date_vn
dmy_hm = vnformat.datetime_vn


def table(headers: list[str], stretch: int = 1) -> QTableWidget:
    """A read-only, single-row-selection table with the given headers (column ``stretch`` takes the rest)."""
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.verticalHeader().setVisible(False)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.setAlternatingRowColors(True)
    t.setWordWrap(False)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.horizontalHeader().setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return t


def cell(t: QTableWidget, row: int, col: int) -> QTableWidgetItem:
    """The item :func:`fill` put at (row, col)."""
    item = t.item(row, col)
    assert item is not None, (row, col)
    return item


def fill(t: QTableWidget, rows: list[list[Any]], data: list[Any] | None = None) -> None:
    """Replace the table's rows; integers align right; ``data[r]`` rides on column 0 (UserRole)."""
    t.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            item = QTableWidgetItem("" if v is None else str(v))
            if isinstance(v, int):
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if c == 0 and data is not None:
                item.setData(Qt.ItemDataRole.UserRole, data[r])
            t.setItem(r, c, item)


def chart_view(chart: QChart) -> QChartView:
    """An antialiased view of ``chart`` tall enough to read on a 768-px screen."""
    view = QChartView(chart)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(220)
    return view


class IndicatorCard(QFrame):
    """One indicator: value, band, counts; the formula on hover."""

    def __init__(self, definition: ind.IndicatorDef, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.definition = definition
        self.setObjectName("card")
        # Seven cards in a row fit a 1024-px screen beside the navigation (issue #14); long labels wrap.
        self.setMinimumWidth(104)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 8, 10, 8)
        lay.setSpacing(2)
        self.title = QLabel(definition.label)
        self.title.setStyleSheet("font-size:12px; color:#333;")
        self.value = QLabel("—")
        self.value.setStyleSheet("font-size:26px; font-weight:bold;")
        self.band = QLabel("")
        self.band.setStyleSheet("font-size:12px; font-weight:bold;")
        self.detail = QLabel("")
        self.detail.setStyleSheet("font-size:11px; color:#555;")
        for w in (self.title, self.value, self.band, self.detail):
            w.setWordWrap(w is not self.value)
            lay.addWidget(w)
        self.show_value(None, "")

    def show_value(self, value: float | None, detail: str) -> None:
        """Display a value with its band colour; the tooltip explains the formula and the band."""
        d = self.definition
        band = ind.band_for(value, d.target)
        self.value.setText(pct(value))
        self.value.setStyleSheet(f"font-size:26px; font-weight:bold; color:{band.color};")
        self.band.setText(band.label + (f" · {band.score * 100:.0f}% điểm" if value is not None else ""))
        self.band.setStyleSheet(f"font-size:12px; font-weight:bold; color:{band.color};")
        self.detail.setText(detail)
        self.setStyleSheet(f"#card {{ border:1px solid #ccc; border-left:6px solid {band.color}; "
                           "border-radius:4px; background:#fff; }")
        self.setToolTip(
            f"<b>{d.label}</b> — nhóm «{d.group}» (Quyết định 766/QĐ-TTg)<br><br>{d.formula}<br><br>"
            f"Điểm tối đa khi ≥ {d.target:g}%. Xanh: đạt; vàng: kém mức tối đa dưới {ind.BAND_MARGIN:g} điểm %; "
            "đỏ: thấp hơn nữa.")

"""Page «Giám sát»: the supervisor's desk.

Indicator cards (QĐ 766, formula on hover, band colour), a 12-month trend chart, the digitisation
backlog by working-day age / officer / procedure with drill-down and a jump to scanning, overdue
and due-soon lists with the apology letter, the quality review of digitised components, sync
health, the monthly report (PDF + CSV) and the 1st–15th reminder.

Every figure comes from :mod:`counter_app.reports` on the database worker; PDF rendering (report,
scan preview) runs in the thread pool. Widgets only display results.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from counter_app.db import reviews
from counter_app.db.database import CounterDB
from counter_app.domain.lifecycle import STATUS_LABELS, Status
from counter_app.errors import CounterError
from counter_app.reports import indicators as ind
from counter_app.reports import monthly
from counter_app.sync.status import ERROR_KIND_LABELS
from counter_app.ui.errors import show_exception
from counter_app.ui.qt import (
    QAbstractItemView,
    QColor,
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QImage,
    QInputDialog,
    QLabel,
    QPainter,
    QPen,
    QPixmap,
    QPushButton,
    QSplitter,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from counter_app.ui.qt_charts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QLineSeries,
    QValueAxis,
)
from counter_app.ui.tasks import DbWorker, run_in_pool

log = logging.getLogger(__name__)

TREND_KEYS = (("on_time", "Đúng hạn", "#2f5d8a"), ("online", "Trực tuyến", "#2e8b57"),
              ("digitisation", "Số hóa", "#b3261e"))
AUTO_REFRESH_MS = 120_000


def _n(v: int) -> str:
    return f"{v:,}".replace(",", ".")


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v:.1f}%".replace(".", ",")


def _dmy(ts: str | None) -> str:
    return f"{ts[8:10]}/{ts[5:7]}/{ts[:4]}" if ts else ""


def _dmy_hm(ts: str | None) -> str:
    return f"{ts[11:16]} {ts[8:10]}/{ts[5:7]}/{ts[:4]}" if ts else ""


def _age_text(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 3600:
        return f"{round(seconds / 60)} phút"
    if seconds < 2 * 86400:
        return f"{round(seconds / 3600)} giờ"
    return f"{round(seconds / 86400)} ngày"


def _table(headers: list[str], stretch: int = 1) -> QTableWidget:
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


def _fill(t: QTableWidget, rows: list[list[Any]], data: list[Any] | None = None) -> None:
    t.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            item = QTableWidgetItem("" if v is None else str(v))
            if isinstance(v, int):
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if c == 0 and data is not None:
                item.setData(Qt.ItemDataRole.UserRole, data[r])
            t.setItem(r, c, item)


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
        self.value.setText(_pct(value))
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


def _chart_view(chart: QChart) -> QChartView:
    view = QChartView(chart)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(220)
    return view


class SupervisionPage(QWidget):
    """The supervisor's page (see the module docstring)."""

    scan_requested = Signal(int)
    refreshed = Signal()
    report_saved = Signal(object)  # Path

    def __init__(self, worker: DbWorker, data_root: Path, parent: QWidget | None = None, *,
                 user_id: int | None = None, clock: Callable[[], datetime] | None = None) -> None:
        super().__init__(parent)
        self.worker, self.data_root = worker, data_root
        self.user_id = user_id
        self.clock = clock or (lambda: datetime.now().replace(microsecond=0))
        self.dash: ind.Dashboard | None = None
        self.no_preview = False  # tests: do not open the print preview
        self._generation = 0
        self._review_rows: list[dict[str, Any]] = []
        self._drill: dict[str, Any] = {}
        self._preview_for: int | None = None
        root = QVBoxLayout(self)
        root.setContentsMargins(8, 8, 8, 8)

        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background:#fff4d6; border:1px solid #e0b44c; padding:6px; font-size:13px;")
        self.banner.hide()
        root.addWidget(self.banner)

        top = QHBoxLayout()
        title = QLabel("<b style='font-size:17px'>Giám sát</b>")
        top.addWidget(title)
        top.addSpacing(12)
        top.addWidget(QLabel("Tháng:"))
        self.month = QComboBox()
        self._fill_months()
        self.month.currentIndexChanged.connect(lambda _i: self.refresh())
        top.addWidget(self.month)
        self.refresh_btn = QPushButton("Làm mới")
        self.refresh_btn.clicked.connect(lambda: self.refresh())
        top.addWidget(self.refresh_btn)
        top.addStretch(1)
        self.status = QLabel("Đang tính…")
        self.status.setStyleSheet("color:#555;")
        top.addWidget(self.status)
        self.pdf_btn = QPushButton("Báo cáo tháng (PDF)")
        self.pdf_btn.clicked.connect(lambda: self.export_pdf())
        self.csv_btn = QPushButton("Dữ liệu (CSV)")
        self.csv_btn.clicked.connect(lambda: self.export_csv())
        top.addWidget(self.pdf_btn)
        top.addWidget(self.csv_btn)
        root.addLayout(top)

        cards = QHBoxLayout()
        self.cards = {d.key: IndicatorCard(d) for d in ind.INDICATORS}
        for c in self.cards.values():
            cards.addWidget(c)
        root.addLayout(cards)

        self.tabs = QTabWidget()
        root.addWidget(self.tabs, 1)
        self.tabs.addTab(self._overview_tab(), "Tổng quan")
        self.tabs.addTab(self._backlog_tab(), "Tồn số hóa")
        self.tabs.addTab(self._deadline_tab(), "Hạn giải quyết")
        self.tabs.addTab(self._review_tab(), "Kiểm tra chất lượng")

        self._timer = QTimer(self, interval=AUTO_REFRESH_MS)
        self._timer.timeout.connect(lambda: self.refresh())

    # --- layout ---------------------------------------------------------------------------------
    def _fill_months(self) -> None:
        now = self.clock()
        self.month.blockSignals(True)
        self.month.clear()
        for y, m in reversed(ind.months_back(now.year, now.month, 13)):
            self.month.addItem(f"{m:02d}/{y}", (y, m))
        self.month.blockSignals(False)

    def _overview_tab(self) -> QWidget:
        w = QWidget()
        lay = QHBoxLayout(w)
        self.trend_chart = QChart()
        self.trend_chart.setTitle("Diễn biến 12 tháng (%)")
        self.trend_chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.trend_view = _chart_view(self.trend_chart)
        lay.addWidget(self.trend_view, 3)
        side = QVBoxLayout()
        self.age_chart = QChart()
        self.age_chart.setTitle("Hồ sơ chưa số hóa xong, theo số ngày làm việc")
        self.age_chart.legend().hide()
        self.age_view = _chart_view(self.age_chart)
        side.addWidget(self.age_view, 1)
        box = QGroupBox("Đồng bộ với hệ thống của tỉnh")
        grid = QGridLayout(box)
        self.sync_labels: dict[str, QLabel] = {}
        for i, (key, label) in enumerate((("queue", "Chờ gửi"), ("oldest", "Mục cũ nhất chờ"),
                                          ("errors", "Mục lỗi"), ("last", "Gửi thành công lần cuối"),
                                          ("last_error", "Lỗi gần nhất"))):
            grid.addWidget(QLabel(label + ":"), i, 0)
            value = QLabel("—")
            value.setWordWrap(True)
            self.sync_labels[key] = value
            grid.addWidget(value, i, 1)
        side.addWidget(box)
        lay.addLayout(side, 2)
        return w

    def _backlog_tab(self) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        self.backlog_head = QLabel("")
        self.backlog_head.setWordWrap(True)
        lay.addWidget(self.backlog_head)
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
        self.by_officer = _table(["Cán bộ", *heads, "Tổng"], stretch=0)
        self.by_officer.cellDoubleClicked.connect(lambda r, c: self._drill_from(self.by_officer, r, c, "officer"))
        self.by_procedure = _table(["Thủ tục", *heads, "Tổng"], stretch=0)
        self.by_procedure.cellDoubleClicked.connect(
            lambda r, c: self._drill_from(self.by_procedure, r, c, "procedure"))
        split.addWidget(self.by_officer)
        split.addWidget(self.by_procedure)
        lay.addWidget(QLabel("<i>Nhấp đúp một ô để xem danh sách hồ sơ.</i>"))
        lay.addWidget(split, 1)
        self.drill_title = QLabel("")
        lay.addWidget(self.drill_title)
        self.drill_table = _table(["Mã hồ sơ", "Thủ tục", "Người nộp", "Cán bộ", "Tiếp nhận", "Số ngày LV"])
        self.drill_table.cellDoubleClicked.connect(lambda r, _c: self._scan_row(self.drill_table, r))
        lay.addWidget(self.drill_table, 1)
        btns = QHBoxLayout()
        self.scan_btn = QPushButton("Số hóa")
        self.scan_btn.setToolTip("Mở trạm số hóa với hồ sơ đang chọn")
        self.scan_btn.clicked.connect(lambda: self._scan_row(self.drill_table, self.drill_table.currentRow()))
        open_btn = QPushButton("Mở hồ sơ")
        open_btn.clicked.connect(lambda: self._open_row(self.drill_table))
        btns.addWidget(self.scan_btn)
        btns.addWidget(open_btn)
        btns.addStretch(1)
        lay.addLayout(btns)
        return w

    def _deadline_tab(self) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        self.overdue_title = QLabel("<b>Quá hạn</b>")
        lay.addWidget(self.overdue_title)
        self.overdue = _table(["Mã hồ sơ", "Thủ tục", "Người nộp", "Cán bộ", "Hẹn trả", "Trễ (ngày LV)",
                               "Hẹn lại"])
        self.overdue.cellDoubleClicked.connect(lambda _r, _c: self._open_row(self.overdue))
        lay.addWidget(self.overdue, 3)
        row = QHBoxLayout()
        self.apology_btn = QPushButton("Xin lỗi, hẹn lại…")
        self.apology_btn.setToolTip("Lập văn bản xin lỗi và hẹn lại ngày trả kết quả cho hồ sơ đang chọn")
        self.apology_btn.clicked.connect(lambda: self.apologise(self._selected_id(self.overdue)))
        open_btn = QPushButton("Mở hồ sơ")
        open_btn.clicked.connect(lambda: self._open_row(self.overdue))
        row.addWidget(self.apology_btn)
        row.addWidget(open_btn)
        row.addStretch(1)
        lay.addLayout(row)
        self.soon_title = QLabel("<b>Sắp đến hạn (trong 2 ngày làm việc)</b>")
        lay.addWidget(self.soon_title)
        self.soon = _table(["Mã hồ sơ", "Thủ tục", "Người nộp", "Cán bộ", "Hẹn trả", "Trạng thái"])
        self.soon.cellDoubleClicked.connect(lambda _r, _c: self._open_row(self.soon))
        lay.addWidget(self.soon, 2)
        return w

    def _review_tab(self) -> QWidget:
        w = QWidget()
        lay = QHBoxLayout(w)
        left = QVBoxLayout()
        self.review_title = QLabel("<b>Bản số hóa chờ kiểm tra</b> (mới nhất trước)")
        left.addWidget(self.review_title)
        self.review_table = _table(["Mã hồ sơ", "Thành phần", "Cán bộ", "Quét lúc", "Ghi chú"])
        self.review_table.currentCellChanged.connect(lambda r, _c, _pr, _pc: self._select_review(r))
        left.addWidget(self.review_table, 1)
        lay.addLayout(left, 3)
        right = QVBoxLayout()
        self.preview = QLabel("Chọn một bản số hóa để xem trang đầu.")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumSize(300, 360)
        self.preview.setStyleSheet("background:#f4f4f4; border:1px solid #ccc;")
        right.addWidget(self.preview, 1)
        self.meta = QLabel("")
        self.meta.setWordWrap(True)
        self.meta.setTextFormat(Qt.TextFormat.RichText)
        right.addWidget(self.meta)
        row = QHBoxLayout()
        self.approve_btn = QPushButton("Đạt")
        self.approve_btn.setStyleSheet("font-weight:bold; color:#1b7f3b;")
        self.approve_btn.clicked.connect(lambda: self.approve_selected())
        self.reject_btn = QPushButton("Không đạt…")
        self.reject_btn.setStyleSheet("font-weight:bold; color:#b3261e;")
        self.reject_btn.clicked.connect(lambda: self.reject_selected())
        for b in (self.approve_btn, self.reject_btn):
            b.setEnabled(False)
            row.addWidget(b)
        right.addLayout(row)
        lay.addLayout(right, 2)
        return w

    # --- refresh ---------------------------------------------------------------------------------
    def selected_month(self) -> tuple[int, int]:
        """(year, month) chosen in the month box."""
        data = self.month.currentData()
        if data is None:
            now = self.clock()
            return now.year, now.month
        return int(data[0]), int(data[1])

    def refresh(self) -> None:
        """Recompute everything on the database worker.

        The first time on a large database the facts are built slice by slice (one worker job
        per slice), so the other pages' database jobs keep running meanwhile.
        """
        self._generation += 1
        gen = self._generation
        y, m = self.selected_month()
        now = self.clock()

        def job(cdb: CounterDB) -> Any:
            step = ind.FactsCache.for_db(cdb).build_step(cdb)
            if step is not None:
                return step
            return ind.dashboard(cdb, y, m, now=now)

        def done(result: Any) -> None:
            if gen != self._generation:
                return
            if isinstance(result, tuple):
                n, total = result
                self.status.setText(f"Đang tính số liệu lần đầu: {_n(n)}/{_n(total)} hồ sơ…")
                self.worker.submit(job, done, self._failed)
                return
            self._show(result, gen)

        if self.dash is None:
            self.status.setText("Đang tính…")
        self.worker.submit(job, done, self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.status.setText("Không tính được số liệu.")
        show_exception(self, exc)

    def showEvent(self, event: Any) -> None:
        """Refresh when the page appears and every two minutes while it is shown."""
        super().showEvent(event)
        self._timer.start()
        if self.dash is None:
            self.refresh()

    def hideEvent(self, event: Any) -> None:
        """Stop the auto-refresh while hidden."""
        super().hideEvent(event)
        self._timer.stop()

    def _show(self, d: ind.Dashboard, gen: int) -> None:
        if gen != self._generation:
            return
        self.dash = d
        f = d.figures
        # The build time is for developers (log), not for the supervisor's screen (issue #14).
        log.debug("dashboard built in %.0f ms", sum(d.timings_ms.values()))
        self.status.setText(f"Cập nhật {d.now:%H:%M:%S}")
        details = {
            "on_time": f"{_n(f.on_time)}/{_n(f.finished)} hồ sơ xong",
            "online": f"{_n(f.online)}/{_n(f.received)} hồ sơ",
            "online_payment": f"{_n(f.paid_online)}/{_n(f.pay_due)} hồ sơ có phí",
            # Over all received (online ones are electronic already), paper work shown beside it.
            "digitisation": f"{_n(f.digitised_all)}/{_n(f.received)} hồ sơ (giấy {_n(f.digitised)}/{_n(f.paper)})",
            "electronic_results": f"{_n(f.result_files)}/{_n(f.finished)} hồ sơ xong",
            "reuse": f"{_n(f.reused)}/{_n(f.received)} hồ sơ",
            "satisfaction": f"trễ {_n(f.late)} · phản ánh {_n(f.complaints)}"
                            + (f" · {f.rating_avg:.1f}★".replace(".", ",") if f.rating_avg else ""),
        }
        for key, card in self.cards.items():
            card.show_value(f.rate(key), details.get(key, ""))
        self._show_banner(d)
        self._show_trend(d)
        self._show_backlog(d)
        self._show_deadlines(d)
        self._show_reviews(d)
        self._show_sync(d)
        self.refreshed.emit()

    def _show_banner(self, d: ind.Dashboard) -> None:
        if d.reminder is None:
            self.banner.hide()
            return
        y, m = d.reminder
        self.banner.setText(f"⚠ Báo cáo tháng {m:02d}/{y} cần gửi trước ngày 15/{d.now.month:02d}/{d.now.year}. "
                            f"Chọn tháng {m:02d}/{y} rồi bấm «Báo cáo tháng (PDF)».")
        self.banner.show()

    def _show_trend(self, d: ind.Dashboard) -> None:
        chart = self.trend_chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        labels = [f"{t.month:02d}/{t.year % 100:02d}" for t in d.trend]
        ax = QBarCategoryAxis()
        ax.append(labels)
        # 13 months side by side do not fit a 1024 px screen («12…», «0…»): labels stand upright.
        ax.setLabelsAngle(-90)
        ay = QValueAxis()
        ay.setRange(0, 100)
        ay.setLabelFormat("%d%%")
        ay.setTickCount(6)
        chart.addAxis(ax, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(ay, Qt.AlignmentFlag.AlignLeft)
        for key, label, color in TREND_KEYS:
            s = QLineSeries()
            s.setName(label)
            pen = QPen(QColor(color))
            pen.setWidth(3)
            s.setPen(pen)
            s.setPointsVisible(True)
            for i, t in enumerate(d.trend):
                v = t.rate(key)
                if v is not None:
                    s.append(i, v)
            chart.addSeries(s)
            s.attachAxis(ax)
            s.attachAxis(ay)
        target = QLineSeries()
        target.setName("Mục tiêu số hóa 80%")
        pen = QPen(QColor("#b3261e"))
        pen.setStyle(Qt.PenStyle.DashLine)
        target.setPen(pen)
        target.append(0, 80)
        target.append(max(len(labels) - 1, 1), 80)
        chart.addSeries(target)
        target.attachAxis(ax)
        target.attachAxis(ay)

    def _show_backlog(self, d: ind.Dashboard) -> None:
        b = d.backlog
        self.backlog_head.setText(
            f"<b>{_n(b.total)}</b> hồ sơ giấy còn <b>{_n(b.components)}</b> thành phần chưa số hóa"
            + (f", trong đó <b>{_n(b.rescans)}</b> hồ sơ có bản bị trả lại cần quét lại" if b.rescans else "")
            + ". Không tính giấy tờ chỉ xuất trình và trường hợp miễn theo Thông tư 03/2025.")
        for btn, (label, _lo, _hi), n in zip(self.age_buttons, ind.AGE_BUCKETS, b.by_age, strict=True):
            btn.setText(f"{label}: {_n(n)}")
        bucket_colors = ("#1b7f3b", "#c7a600", "#c77c00", "#b3261e")
        for btn, color in zip(self.age_buttons, bucket_colors, strict=True):
            btn.setStyleSheet(f"font-size:14px; font-weight:bold; color:{color};")
        _fill(self.by_officer, [[d.officers.get(k, "(chưa gán)"), *v, sum(v)] for k, v in b.by_officer],
              [k for k, _v in b.by_officer])
        rows = b.by_procedure[:200]
        _fill(self.by_procedure, [[d.procedures.get(k, k), *v, sum(v)] for k, v in rows], [k for k, _v in rows])
        # Bar chart of the age buckets.
        chart = self.age_chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        bs = QBarSet("Hồ sơ")
        bs.append([float(x) for x in b.by_age])
        bs.setColor(QColor("#b3261e"))
        bs.setLabelColor(QColor("#222222"))
        series = QBarSeries()
        series.append(bs)
        series.setLabelsVisible(True)
        series.setLabelsPosition(QBarSeries.LabelsPosition.LabelsOutsideEnd)
        chart.addSeries(series)
        ax = QBarCategoryAxis()
        # «ngày» is in the chart's title: the bars carry only the ranges, which fit at 1024 px.
        ax.append([label.removesuffix(" ngày") for label, _lo, _hi in ind.AGE_BUCKETS])
        ay = QValueAxis()
        ay.setRange(0, max(max(b.by_age, default=0) * 1.15, 4))
        ay.applyNiceNumbers()
        ay.setLabelFormat("%d")
        chart.addAxis(ax, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(ay, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(ax)
        series.attachAxis(ay)
        if self._drill:
            self.drill(**self._drill)

    def _show_deadlines(self, d: ind.Dashboard) -> None:
        dl = d.deadlines
        self.overdue_title.setText(f"<b>Quá hạn: {_n(dl['overdue_count'])} hồ sơ</b>"
                                   + (f" (hiển thị {len(dl['overdue'])} hồ sơ trễ lâu nhất)"
                                      if dl["overdue_count"] > len(dl["overdue"]) else ""))
        _fill(self.overdue, [[r["code"], r["procedure_name"], r["applicant_name"], r["officer_name"] or "",
                              _dmy_hm(r["due_at"]), r["late_days"], _dmy(r["new_due_at"])] for r in dl["overdue"]],
              [r["id"] for r in dl["overdue"]])
        for i, r in enumerate(dl["overdue"]):
            if not r["new_due_at"]:
                self.overdue.item(i, 5).setForeground(QColor("#b3261e"))
        until = dl["soon_until"]
        last_day = until - timedelta(days=1)
        self.soon_title.setText(f"<b>Sắp đến hạn: {_n(dl['soon_count'])} hồ sơ</b> (hẹn trả đến hết ngày "
                                f"{last_day:%d/%m/%Y}, tức trong 2 ngày làm việc)")
        _fill(self.soon, [[r["code"], r["procedure_name"], r["applicant_name"], r["officer_name"] or "",
                           _dmy_hm(r["due_at"]), STATUS_LABELS.get(Status(r["status"]), "")] for r in dl["soon"]],
              [r["id"] for r in dl["soon"]])
        self.tabs.setTabText(2, f"Hạn giải quyết ({_n(dl['overdue_count'])} quá hạn)")
        self.tabs.setTabText(1, f"Tồn số hóa ({_n(d.backlog.total)})")

    def _show_reviews(self, d: ind.Dashboard) -> None:
        self._review_rows = d.reviews
        _fill(self.review_table, [[r["code"], r["component_name"], r["officer_name"] or "", _dmy_hm(r["scanned_at"]),
                                   "Đã quét lại" if r["rescanned"] else ""] for r in d.reviews],
              [r["component_id"] for r in d.reviews])
        self.tabs.setTabText(3, f"Kiểm tra chất lượng ({len(d.reviews)}{'+' if len(d.reviews) >= 100 else ''})")
        if not d.reviews:
            self._preview_for = None
            self.preview.setPixmap(QPixmap())
            self.preview.setText("Không có bản số hóa nào chờ kiểm tra.")
            self.meta.setText("")
            self.approve_btn.setEnabled(False)
            self.reject_btn.setEnabled(False)
        else:
            self.review_table.selectRow(0)
            self._select_review(0)

    def _show_sync(self, d: ind.Dashboard) -> None:
        s = d.sync
        lab = self.sync_labels
        lab["queue"].setText(f"<b>{_n(s['queue'])}</b> mục")
        lab["oldest"].setText(_age_text(s["oldest_age_s"]))
        lab["errors"].setText(f"<b style='color:{'#b3261e' if s['errors'] else '#1b7f3b'}'>{_n(s['errors'])}</b>")
        last = s["last_success_at"]
        lab["last"].setText(f"{last:%H:%M %d/%m/%Y}" if last else "chưa lần nào")
        # With only item errors the engine stores just the kind ("rejected", "local_file"): name it
        # in Vietnamese rather than show the code (the message, when there is one, already is).
        err = s["last_error"]
        lab["last_error"].setText(ERROR_KIND_LABELS.get(err, err) or "—")

    # --- backlog drill-down ---------------------------------------------------------------------
    def _drill_from(self, table: QTableWidget, row: int, col: int, kind: str) -> None:
        item = table.item(row, 0)
        if item is None:
            return
        key = item.data(Qt.ItemDataRole.UserRole)
        bucket = col - 1 if 1 <= col <= len(ind.AGE_BUCKETS) else None
        self.drill(bucket=bucket, **{kind: key})

    def drill(self, *, bucket: int | None = None, officer: int | None = None, procedure: str | None = None) -> None:
        """Show the backlog dossiers of one cell (oldest first) below the tables."""
        self._drill = {"bucket": bucket, "officer": officer, "procedure": procedure}
        now = self.clock()
        parts = []
        if bucket is not None:
            parts.append(ind.AGE_BUCKETS[bucket][0])
        if officer is not None and self.dash:
            parts.append(self.dash.officers.get(officer, "(chưa gán)"))
        if procedure is not None and self.dash:
            parts.append(self.dash.procedures.get(procedure, procedure))
        self.drill_title.setText("<b>Hồ sơ chưa số hóa xong</b>" + (": " + " · ".join(parts) if parts else ""))

        def job(cdb: CounterDB) -> list[dict[str, Any]]:
            from counter_app.db.calendar_store import load_calendar

            cache = ind.FactsCache.for_db(cdb)
            if not cache.ready:  # still building: never hold the worker for a whole build here
                return []
            cal = load_calendar(cdb)
            f = cache.update(cdb)
            ids = ind.backlog_ids(f, cal, now.date(), bucket=bucket, officer=officer, procedure=procedure)
            rows = ind.rows_for_ids(cdb, ids)
            ages = ind.working_ages(cal, now.date(), [date.fromisoformat(r["received_at"][:10]) for r in rows])
            for r, a in zip(rows, ages, strict=True):
                r["age"] = a
            return rows

        self.worker.submit(job, self._show_drill, lambda e: show_exception(self, e))

    def _show_drill(self, rows: list[dict[str, Any]]) -> None:
        _fill(self.drill_table, [[r["code"], r["procedure_name"], r["applicant_name"], r["officer_name"] or "",
                                  _dmy_hm(r["received_at"]), r["age"]] for r in rows], [r["id"] for r in rows])
        if rows:
            self.drill_table.selectRow(0)

    def _selected_id(self, table: QTableWidget) -> int | None:
        row = table.currentRow()
        item = table.item(row, 0) if row >= 0 else None
        return int(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def _scan_row(self, table: QTableWidget, row: int) -> None:
        item = table.item(row, 0) if row >= 0 else None
        if item is not None:
            self.scan_requested.emit(int(item.data(Qt.ItemDataRole.UserRole)))

    def _open_row(self, table: QTableWidget) -> None:
        did = self._selected_id(table)
        if did is not None:
            self.open_dossier(did)

    # --- dossier detail and apology -------------------------------------------------------------
    def open_dossier(self, dossier_id: int, then: Callable[[Any], None] | None = None) -> Any:
        """Open the dossier's detail (non-modal); ``then(dialog)`` runs once its data is shown."""
        from counter_app.ui.dossier_detail import DossierDetail

        dlg = DossierDetail(self.worker, self.data_root, dossier_id, self)
        dlg.no_preview = self.no_preview  # type: ignore[attr-defined]
        dlg.scan_requested.connect(self.scan_requested.emit)
        dlg.finished.connect(lambda _r: self.refresh() if dlg.changed else None)
        dlg.show()
        if then is not None:
            # The worker runs jobs in order: this no-op completes right after the dialog's load.
            self.worker.submit(lambda _cdb: None, lambda _r: then(dlg))
        return dlg

    def apologise(self, dossier_id: int | None) -> None:
        """«Xin lỗi, hẹn lại…» for an overdue dossier: the detail's apology (Mẫu 04 / 2025 letter)."""
        if dossier_id is None:
            return
        self.open_dossier(dossier_id, then=lambda dlg: dlg.apology())

    # --- quality review -------------------------------------------------------------------------
    def _select_review(self, row: int) -> None:
        if not 0 <= row < len(self._review_rows):
            return
        r = self._review_rows[row]
        self.approve_btn.setEnabled(True)
        self.reject_btn.setEnabled(True)
        pages = r["page_count"] or "?"
        declared = r["page_count_declared"]
        page_note = f"{pages} trang" + (f" (khai {declared})" if declared and declared != r["page_count"] else "")
        self.meta.setText(
            f"<b>{r['code']}</b> — {r['procedure_name'] or r['procedure_code']}<br>"
            f"Thành phần: <b>{r['component_name']}</b> ({r['component_code']})<br>"
            f"Người nộp: {r['applicant_name']} · Tiếp nhận: {_dmy_hm(r['received_at'])}<br>"
            f"Số hóa: {r['officer_name'] or '—'} lúc {_dmy_hm(r['scanned_at'])} · {page_note} · "
            f"{'đã ký số' if r['signed'] else 'chưa ký số'} · {r['size'] // 1024} KB"
            + (f"<br><span style='color:#b3261e'>Lần trước không đạt: {r['review_note']}</span>"
               if r["rescanned"] and r["review_note"] else ""))
        self._preview_for = r["file_id"]
        path = self.data_root / r["path"]
        self.preview.setPixmap(QPixmap())
        self.preview.setText("Đang mở…")
        fid = r["file_id"]
        run_in_pool(lambda: _render_first_page(path), lambda img: self._show_preview(fid, img),
                    lambda e: self._preview_failed(fid, e))

    def _show_preview(self, file_id: int, image: object) -> None:
        if file_id != self._preview_for or not isinstance(image, QImage):
            return
        pix = QPixmap.fromImage(image)
        size = self.preview.size()
        self.preview.setPixmap(pix.scaled(size.width() - 8, size.height() - 8, Qt.AspectRatioMode.KeepAspectRatio,
                                          Qt.TransformationMode.SmoothTransformation))

    def _preview_failed(self, file_id: int, exc: BaseException) -> None:
        if file_id == self._preview_for:
            log.info("preview failed: %s", exc)
            if isinstance(exc, CounterError):  # keys not opened, scan changed or moved: say what to do
                self.preview.setText(f"Không mở được tệp số hóa. {exc.user_message()}")
            else:
                self.preview.setText("Không mở được tệp số hóa (tệp bị mất hoặc hỏng).")

    def _current_review(self) -> dict[str, Any] | None:
        row = self.review_table.currentRow()
        return self._review_rows[row] if 0 <= row < len(self._review_rows) else None

    def approve_selected(self) -> None:
        """«Đạt»: the scan matches the paper."""
        r = self._current_review()
        if r is None:
            return
        cid, uid = int(r["component_id"]), self.user_id
        self.worker.submit(lambda cdb: reviews.approve(cdb, cid, reviewer_id=uid or _reviewer(cdb)),
                           lambda _r: self.refresh(), lambda e: show_exception(self, e))

    def reject_selected(self, reason: str | None = None) -> None:
        """«Không đạt…»: ask the reason; the component goes back to its officer for rescanning."""
        r = self._current_review()
        if r is None:
            return
        if reason is None:
            text, ok = QInputDialog.getText(self, "Bản số hóa không đạt",
                                            f"Lý do (cán bộ sẽ thấy khi quét lại «{r['component_name']}»):")
            if not ok:
                return
            reason = text
        cid, uid, why = int(r["component_id"]), self.user_id, reason
        self.worker.submit(lambda cdb: reviews.reject(cdb, cid, why, reviewer_id=uid or _reviewer(cdb)),
                           lambda _r: self.refresh(), lambda e: show_exception(self, e))

    # --- monthly report -------------------------------------------------------------------------
    def export_pdf(self) -> None:
        """Render the chosen month's report in the pool, save it, then preview it."""
        self._export(pdf=True)

    def export_csv(self) -> None:
        """Save the chosen month's underlying rows as CSV (UTF-8 with BOM, opens in Excel)."""
        self._export(pdf=False)

    def _export(self, *, pdf: bool) -> None:
        if self.dash is None:
            self.status.setText("Số liệu đang được tính lần đầu; lập báo cáo sau khi tính xong.")
            return
        y, m = self.selected_month()
        root = self.data_root
        today = self.clock().date()
        self.status.setText(f"Đang lập báo cáo tháng {m:02d}/{y}…")
        for b in (self.pdf_btn, self.csv_btn):
            b.setEnabled(False)

        def render(data: monthly.ReportData) -> Path:
            if pdf:
                return monthly.save(root, data, pdf=monthly.render_pdf(data))[0]  # type: ignore[return-value]
            return monthly.save(root, data, csv_bytes=monthly.render_csv(data))[1]  # type: ignore[return-value]

        def collected(data: monthly.ReportData) -> None:
            run_in_pool(lambda: render(data), saved, failed)

        def saved(path: object) -> None:
            for b in (self.pdf_btn, self.csv_btn):
                b.setEnabled(True)
            assert isinstance(path, Path)
            self.status.setText(f"Đã lưu {path.name} trong {path.parent}")
            self.report_saved.emit(path)
            from counter_app.services.access import record_export

            uid, fmt = self.user_id, ("pdf" if pdf else "csv")
            self.worker.submit(lambda cdb: record_export(cdb, uid, "monthly_report",
                                                         {"month": f"{y:04d}-{m:02d}", "format": fmt}))
            if pdf:
                self.worker.submit(lambda cdb: monthly.mark_exported(cdb, y, m), lambda _r: self.refresh())
                if not self.no_preview:
                    from counter_app.ui.printing import preview_pdf

                    preview_pdf(self, path)

        def failed(exc: BaseException) -> None:
            for b in (self.pdf_btn, self.csv_btn):
                b.setEnabled(True)
            self.status.setText("Không lập được báo cáo.")
            show_exception(self, exc)

        self.worker.submit(lambda cdb: monthly.collect(cdb, y, m, today=today, with_rows=not pdf), collected, failed)


def _reviewer(cdb: CounterDB) -> int | None:
    """Until sign-in exists, reviews are signed by the first supervisor (or admin) account."""
    v = cdb.scalar("SELECT id FROM users WHERE role IN ('supervisor', 'admin') AND active = 1 "
                   "ORDER BY role = 'supervisor' DESC, id LIMIT 1")
    return int(v) if v is not None else None


# PDFium is not thread-safe (pypdfium2 docs): two previews rendering at once in the pool could
# crash the process, so renders here take turns.
from counter_app.scanning.sources.fileimport import PDFIUM_LOCK as _PDFIUM_LOCK  # noqa: E402 - one lock for every PDFium user


def _render_first_page(path: Path) -> QImage:
    """Page 1 of a scan PDF as a QImage (pool thread; QImage is safe off the UI thread).

    The scan is decrypted in memory when the data directory is encrypted; a scan that cannot be
    decrypted raises its :class:`CounterError` (shown by :meth:`SupervisionPage._preview_failed`).
    """
    import pypdfium2 as pdfium

    from counter_app import vault

    data = vault.load_path(path)
    with _PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(data)
        try:
            page = pdf[0]
            w, _h = page.get_size()
            bitmap = page.render(scale=min(700 / max(w, 1), 2.0)).to_pil().convert("RGB")
            page.close()
        finally:
            pdf.close()
    data = bitmap.tobytes()
    return QImage(data, bitmap.width, bitmap.height, bitmap.width * 3, QImage.Format.Format_RGB888).copy()


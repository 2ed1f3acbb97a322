"""Tab «Tổng quan»: the 12-month trend, the backlog by age (bar chart) and the sync health box."""

from __future__ import annotations

from counter_app.reports import indicators as ind
from counter_app.sync.status import ERROR_KIND_LABELS
from counter_app.ui.qt import QColor, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QPen, Qt, QVBoxLayout, QWidget
from counter_app.ui.qt_charts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QLineSeries, QValueAxis
from counter_app.ui.supervision.common import chart_view, n
from counter_app.vnformat import age_text

__all__ = ["TREND_KEYS", "OverviewTab"]

TREND_KEYS = (("on_time", "Đúng hạn", "#2f5d8a"), ("online", "Trực tuyến", "#2e8b57"),
              ("digitisation", "Số hóa", "#b3261e"))


class OverviewTab(QWidget):
    """Trend chart on the left; backlog-by-age chart and sync health on the right."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QHBoxLayout(self)
        self.trend_chart = QChart()
        self.trend_chart.setTitle("Diễn biến 12 tháng (%)")
        self.trend_chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.trend_view = chart_view(self.trend_chart)
        lay.addWidget(self.trend_view, 3)
        side = QVBoxLayout()
        self.age_chart = QChart()
        self.age_chart.setTitle("Hồ sơ chưa số hóa xong, theo số ngày làm việc")
        self.age_chart.legend().hide()
        self.age_view = chart_view(self.age_chart)
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

    def show_dashboard(self, d: ind.Dashboard) -> None:
        """Draw the trend, the age bars and the sync figures of a fresh dashboard."""
        self._show_trend(d)
        self._show_ages(d.backlog)
        self._show_sync(d)

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

    def _show_ages(self, b: ind.Backlog) -> None:
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

    def _show_sync(self, d: ind.Dashboard) -> None:
        s = d.sync
        lab = self.sync_labels
        lab["queue"].setText(f"<b>{n(s['queue'])}</b> mục")
        lab["oldest"].setText(age_text(s["oldest_age_s"]))
        lab["errors"].setText(f"<b style='color:{'#b3261e' if s['errors'] else '#1b7f3b'}'>{n(s['errors'])}</b>")
        last = s["last_success_at"]
        lab["last"].setText(f"{last:%H:%M %d/%m/%Y}" if last else "chưa lần nào")
        # With only item errors the engine stores just the kind ("rejected", "local_file"): name it
        # in Vietnamese rather than show the code (the message, when there is one, already is).
        err = s["last_error"]
        lab["last_error"].setText(ERROR_KIND_LABELS.get(err, err) or "—")

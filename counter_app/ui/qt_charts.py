"""QtCharts names, kept out of :mod:`counter_app.ui.qt`: only the supervisor's desk draws charts,
and loading QtCharts costs ~0.1 s on every start otherwise."""

from __future__ import annotations

from PySide6.QtCharts import (  # noqa: F401 - re-exported
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QLineSeries,
    QValueAxis,
)

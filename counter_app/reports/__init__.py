"""Supervisor's figures and the monthly report (Qt-free).

- :mod:`counter_app.reports.indicators` — backlog, deadlines, QĐ 766 indicators, sync health.
  One module per concern: ``periods``, ``facts``, ``qd766``, ``backlog``, ``deadlines``,
  ``sync_health``; ``indicators`` re-exports them and builds the dashboard.
- :mod:`counter_app.reports.monthly` — the A4 monthly report (PDF) and its CSV rows.
- :mod:`counter_app.reports.ward` — the ward per counter with each counter's «as of» time (issue #19).
"""

from counter_app.reports.indicators import (
    AGE_BUCKETS,
    INDICATORS,
    Backlog,
    Band,
    Dashboard,
    Facts,
    FactsCache,
    MonthFigures,
    backlog,
    band_for,
    dashboard,
    load_facts,
    month_figures,
    report_due_reminder,
    series,
)

__all__ = [
    "AGE_BUCKETS",
    "INDICATORS",
    "Backlog",
    "Band",
    "Dashboard",
    "Facts",
    "FactsCache",
    "MonthFigures",
    "backlog",
    "band_for",
    "dashboard",
    "load_facts",
    "month_figures",
    "report_due_reminder",
    "series",
]

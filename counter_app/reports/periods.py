"""Report months and periods (Qt-free): month keys, calendar vs statutory periods, the report reminder.

Split from :mod:`counter_app.reports.indicators` (issue #17 item 7); the definitions are in
``docs/indicators.md``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

import numpy as np

__all__ = ["EPOCH", "PERIODS", "STATUTORY_FIRST_DAY", "month_key", "month_of", "month_range", "months_back",
           "period_range", "report_due_reminder"]

# Facts store days as integers counted from this day.
EPOCH = date(1970, 1, 1)

# Reporting periods: the calendar month, or Nghị định 09/2019/NĐ-CP Điều 12 khoản 1 — the monthly
# figures of a periodic report run from the 15th of the previous month to the 14th.
PERIODS = ("calendar", "statutory")
STATUTORY_FIRST_DAY = 15


def period_range(year: int, month: int, period: str = "calendar") -> tuple[datetime, datetime]:
    """[first moment, first moment after) of report month (year, month) under ``period``."""
    if period == "statutory":
        prev_y, prev_m = (year - 1, 12) if month == 1 else (year, month - 1)
        return datetime(prev_y, prev_m, STATUTORY_FIRST_DAY), datetime(year, month, STATUTORY_FIRST_DAY)
    if period != "calendar":
        raise ValueError(f"unknown reporting period {period!r}")
    return month_range(year, month)


def _statutory_keys(days: np.ndarray) -> np.ndarray:
    """Report-month keys (``month_key``) of days since 1970: the 15th onwards belongs to the next month."""
    d = days.astype("datetime64[D]")
    months = d.astype("datetime64[M]")
    dom = (d - months.astype("datetime64[D]")).astype(np.int64) + 1
    # datetime64[M] counts months since 1970-01; month_key counts from year 0.
    keys = months.astype(np.int64) + 1970 * 12 + (dom >= STATUTORY_FIRST_DAY)
    return np.where(days < 0, -1, keys)

def month_key(year: int, month: int) -> int:
    """Months counted from year 0: ``year * 12 + month - 1`` (what :class:`Facts` stores)."""
    return year * 12 + month - 1


def month_of(key: int) -> tuple[int, int]:
    """Inverse of :func:`month_key`: (year, month)."""
    return key // 12, key % 12 + 1


def month_range(year: int, month: int) -> tuple[datetime, datetime]:
    """[first moment, first moment of next month) of a month."""
    start = datetime(year, month, 1)
    nxt = datetime(year + (month == 12), month % 12 + 1, 1)
    return start, nxt


def months_back(year: int, month: int, n: int) -> list[tuple[int, int]]:
    """The ``n`` months ending with (year, month), oldest first."""
    k = month_key(year, month)
    return [month_of(k - i) for i in range(n - 1, -1, -1)]


def report_due_reminder(today: date, exported: Iterable[str] = ()) -> tuple[int, int] | None:
    """From the 1st to the 15th: last month's report is due (unless already exported).

    Counters report digitisation results monthly, before the 15th (DOMAIN §7). ``exported`` holds
    "YYYY-MM" of reports already produced.
    """
    if today.day > 15:
        return None
    y, m = month_of(month_key(today.year, today.month) - 1)
    return None if f"{y:04d}-{m:02d}" in set(exported) else (y, m)

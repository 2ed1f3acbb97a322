"""The supervisor's figures: digitisation backlog, deadlines, QĐ 766 indicators, sync health (Qt-free).

Glossary: *tồn số hóa* = digitisation backlog (paper dossiers with a component still to scan);
*đúng hạn* = on time; *trực tuyến* = online (KenhThucHien 2); *tái sử dụng* = reuse of data already
digitised; *kết quả điện tử* = an electronic result file.

How the figures are defined (docs/indicators.md has the same in Vietnamese for the supervisor):

- **Received** (tiếp nhận) in month M: dossiers with a dossier code whose ``received_at`` is in M.
  Incomplete or refused-at-the-counter dossiers never get a code and are not counted.
- **Paper** dossiers: channel 1 (counter) or 3 (public postal service) — both arrive on paper.
- **Component to digitise**: ``state = 'received'`` and no TT 03/2025 Đ5 exemption
  (``exempt_reason``). Components only shown (``state = 'shown'``) and missing ones never count.
  A component is *digitised* when it reuses an existing file (``reused_file_id``) or has a scan
  file — unless a supervisor rejected it and no newer scan exists yet (then it is back in the
  backlog, "cần quét lại").
- **Digitisation rate** (M) = dossiers received in M whose components are all electronic /
  **all** dossiers received in M (issue #16 row 10, the national portal's denominator): an online
  filing (channel 2) is electronic from the start (Thông tư 03/2025 Điều 5 exempts it from
  digitising), a paper one counts once every component has its file. A paper dossier with
  nothing to digitise counts as digitised. The paper-only figure (``digitised``/``paper``) stays
  beside it: it is the counter's own work and the backlog's.
- **Online payment** (M) = dossiers received in M with a fee to pay (an amount > 0 in the fee
  snapshot) paid online (a ``paid_online`` event) / dossiers received in M with a fee to pay
  (QĐ 766 group "thanh toán trực tuyến").
- **On-time rate** (M) = dossiers finished in M (``finished_at``) on or before ``due_at`` /
  dossiers finished in M. ``due_at`` already includes the supplement pause (``paused_days`` is
  added when the supplements arrive), so the pause is excluded as QĐ 766 requires. An apology's
  new date (``new_due_at``) does **not** make a late dossier on time: the legal deadline stands.
- **Online share** (M) = channel 2 / all received in M.
- **Electronic results** (M) = dossiers finished in M with a result file / dossiers finished in M.
- **Reuse** (M) = dossiers received in M with at least one reused component / received in M.
- **Period**: the calendar month, or the statutory reporting period of Nghị định 09/2019/NĐ-CP
  Điều 12 (from the 15th of the previous month to the 14th), per province (``period="statutory"``).
- **Satisfaction** (M) = 100% − (overdue rate + complaint rate), overdue rate = finished late in M /
  finished in M, complaint rate = dossiers received in M with a complaint / received in M. Ratings
  (1–5) are reported beside it where citizens gave one.

Speed: at 1,000,000 dossiers one month alone holds ~170,000 dossiers and ~560,000 components; any
SQL pass over a month costs 0.3–0.6 s and over the 12-month series several seconds. So the figures
are computed from :class:`Facts` — one small row of numbers per dossier in numpy arrays (~40 MB at
1M) — built once per process and then kept current **incrementally**: every change the app makes
to a dossier writes a ``dossier_events`` row, a ``files`` row or a ``component_reviews`` row, so
the ids above the last seen ids name exactly the dossiers to re-read. A refresh therefore costs
the re-read of the changed dossiers plus numpy aggregation (a few ms). A full rebuild is taken when
the database went backwards (restored backup) or on request («Tính lại»).

Where the code is (one module per concern, issue #17 item 7; every name stays importable here):
:mod:`~counter_app.reports.periods` (months, statutory period, report reminder),
:mod:`~counter_app.reports.facts` (the per-dossier facts and their cache),
:mod:`~counter_app.reports.qd766` (indicator definitions, score bands, month figures, per procedure),
:mod:`~counter_app.reports.backlog` (digitisation backlog and working-day ages),
:mod:`~counter_app.reports.deadlines` (overdue, due soon, list rows),
:mod:`~counter_app.reports.sync_health` (queue and last sync); this module assembles the
:class:`Dashboard` the page shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from counter_app.db.database import CounterDB
from counter_app.domain.calendar import WorkCalendar

# The figures live in one module per concern (issue #17 item 7); every public name stays importable
# from here, the page's and the report's one entry point.
from counter_app.reports.backlog import (
    AGE_BUCKETS,
    Backlog,
    age_bucket,
    backlog,
    backlog_components,
    backlog_ids,
    working_age,
    working_ages,
)
from counter_app.reports.deadlines import DEADLINE_COLUMNS, deadline_counts, deadline_lists, rows_for_ids
from counter_app.reports.facts import (
    FACTS_SQL,
    FINISHED_STATUSES,
    PAPER_CHANNELS,
    RUNNING_STATUSES,
    Facts,
    FactsCache,
    load_facts,
)
from counter_app.reports.periods import (
    EPOCH,
    PERIODS,
    STATUTORY_FIRST_DAY,
    month_key,
    month_of,
    month_range,
    months_back,
    period_range,
    report_due_reminder,
)
from counter_app.reports.qd766 import (
    BAND_MARGIN,
    INDICATOR_BY_KEY,
    INDICATORS,
    Band,
    IndicatorDef,
    MonthFigures,
    ProcedureRow,
    band_for,
    figures_by_group,
    month_figures,
    procedure_breakdown,
    series,
)
from counter_app.reports.sync_health import sync_health
from counter_app.reports.ward import WardView, scope_rows, ward_view

__all__ = [
    "AGE_BUCKETS",
    "BAND_MARGIN",
    "DEADLINE_COLUMNS",
    "EPOCH",
    "FACTS_SQL",
    "FINISHED_STATUSES",
    "INDICATORS",
    "INDICATOR_BY_KEY",
    "PAPER_CHANNELS",
    "PERIODS",
    "RUNNING_STATUSES",
    "STATUTORY_FIRST_DAY",
    "Backlog",
    "Band",
    "Dashboard",
    "Facts",
    "FactsCache",
    "IndicatorDef",
    "MonthFigures",
    "ProcedureRow",
    "age_bucket",
    "backlog",
    "backlog_components",
    "backlog_drill",
    "backlog_ids",
    "band_for",
    "dashboard",
    "deadline_counts",
    "deadline_lists",
    "exported_reports",
    "figures_by_group",
    "load_facts",
    "month_figures",
    "month_key",
    "month_of",
    "month_range",
    "months_back",
    "period_range",
    "procedure_breakdown",
    "report_due_reminder",
    "rows_for_ids",
    "series",
    "sync_health",
    "working_age",
    "working_ages",
]


# --- the dashboard ---------------------------------------------------------------------------

@dataclass
class Dashboard:
    """Everything page «Giám sát» shows, computed in one worker job."""

    year: int
    month: int
    now: datetime
    figures: MonthFigures
    trend: list[MonthFigures]
    backlog: Backlog
    deadlines: dict[str, Any]
    reviews: list[dict[str, Any]]
    sync: dict[str, Any]
    reminder: tuple[int, int] | None
    officers: dict[int, str] = field(default_factory=dict)
    procedures: dict[str, str] = field(default_factory=dict)
    changed: int = 0
    timings_ms: dict[str, float] = field(default_factory=dict)
    #: whose figures the cards, trend and deadline lists show: '' this counter, a counter id, None the ward
    scope: str | None = ""
    #: per-counter table with each counter's freshness (issue #19)
    ward: WardView | None = None


def exported_reports(cdb: CounterDB) -> list[str]:
    """Months ("YYYY-MM") whose monthly report was produced (setting ``reports_exported``)."""
    return list(cdb.get_setting("reports_exported", []) or [])


def dashboard(cdb: CounterDB, year: int, month: int, *, now: datetime | None = None,
              cal: WorkCalendar | None = None, cache: FactsCache | None = None,
              trend_months: int = 12, scope: str | None = "") -> Dashboard:
    """Refresh every figure of the supervisor's page for a month (run on the database worker).

    ``scope``: the cards, the trend and the deadline lists cover this counter ('', the default),
    one other counter of the ward (its ``owner_counter``) or the whole ward (None). The backlog and
    the review queue are always this counter's (only the receiving counter holds components and
    scans); the ward table (:attr:`Dashboard.ward`) has every counter with its "as of" time.
    """
    import time

    from counter_app.db.calendar_store import load_calendar
    from counter_app.db.reviews import pending_reviews

    t0 = time.perf_counter()
    now = now or datetime.now().replace(microsecond=0)
    cal = cal or load_calendar(cdb)
    cache = cache or FactsCache.for_db(cdb)
    f = cache.update(cdb)
    t1 = time.perf_counter()
    # Unchanged facts, month and day give the same figures: a refresh with nothing new reuses them.
    rows = scope_rows(f, scope)
    trend = cache.memoized(("series", year, month, trend_months, scope),
                           lambda: series(f, months_back(year, month, trend_months), rows=rows))
    figures = trend[-1]
    bl = cache.memoized(("backlog", now.date(), cal.overrides), lambda: backlog(f, cal, now.date()))
    t2 = time.perf_counter()
    deadlines = deadline_lists(cdb, now, cal, facts=f, owner=scope)
    reviews = pending_reviews(cdb, limit=100)
    ward = ward_view(cdb, f, year, month, now, deadlines["soon_until"], own_backlog=bl.total,
                     own_reviews=len(reviews))
    sync = sync_health(cdb, now)
    reminder = report_due_reminder(now.date(), exported_reports(cdb))
    officers = {int(r["id"]): r["full_name"] for r in cdb.query("SELECT id, full_name FROM users")}
    procs = {r["code"]: r["name"] for r in cdb.query("SELECT code, name FROM procedures")}
    t3 = time.perf_counter()
    return Dashboard(year, month, now, figures, trend, bl, deadlines, reviews, sync, reminder, officers, procs,
                     cache.last_changed, {"facts": (t1 - t0) * 1000, "figures": (t2 - t1) * 1000,
                                          "lists": (t3 - t2) * 1000}, scope, ward)


def backlog_drill(cdb: CounterDB, today: date, *, bucket: int | None = None, officer: int | None = None,
                  procedure: str | None = None) -> list[dict[str, Any]]:
    """The backlog dossiers of one cell (oldest first) with their working-day age (``age``).

    Empty while the facts are still being built slice by slice: a drill-down never holds the
    database worker for a whole first build.
    """
    from counter_app.db.calendar_store import load_calendar

    cache = FactsCache.for_db(cdb)
    if not cache.ready:
        return []
    cal = load_calendar(cdb)
    f = cache.update(cdb)
    ids = backlog_ids(f, cal, today, bucket=bucket, officer=officer, procedure=procedure)
    rows = rows_for_ids(cdb, ids)
    ages = working_ages(cal, today, [date.fromisoformat(r["received_at"][:10]) for r in rows])
    for r, a in zip(rows, ages, strict=True):
        r["age"] = a
    return rows

"""Overdue and due-soon dossiers, and list rows by id (Qt-free).

Split from ``indicators.py`` (issue #17 item 7); definitions in ``docs/indicators.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np

from counter_app.db.database import CounterDB
from counter_app.db.dossiers import ts
from counter_app.domain.calendar import WorkCalendar
from counter_app.reports.backlog import working_ages
from counter_app.reports.facts import Facts

__all__ = ["DEADLINE_COLUMNS", "deadline_counts", "deadline_lists", "rows_for_ids"]

# --- deadlines ---------------------------------------------------------------------------------

DEADLINE_COLUMNS = (
    "d.id, d.code, d.procedure_code, p.name AS procedure_name, d.applicant_name, d.status, d.received_at, "
    "d.due_at, d.new_due_at, d.officer_id, u.full_name AS officer_name, d.paused_days, d.owner_counter"
)


def _minutes(moment: datetime) -> int:
    return int((moment - datetime(1970, 1, 1)).total_seconds() // 60)


def deadline_counts(f: Facts, now: datetime, soon_end: datetime, rows: np.ndarray | None = None) -> tuple[int, int]:
    """(overdue, due soon) among running dossiers, from the facts (no table walk); ``rows`` restricts them."""
    c = f.cols
    st = c["status"]
    running = f.valid & ((st == 2) | (st == 4) | (st == 6)) & (c["due_min"] >= 0)  # RUNNING_STATUSES
    if rows is not None:
        running &= rows
    due = c["due_min"]
    t, e = _minutes(now), _minutes(soon_end)
    return int((running & (due < t)).sum()), int((running & (due >= t) & (due < e)).sum())


def deadline_lists(cdb: CounterDB, now: datetime, cal: WorkCalendar, *, limit: int = 200,
                   facts: Facts | None = None, owner: str | None = None) -> dict[str, Any]:
    """Overdue and due-within-2-working-days dossiers (running statuses 2, 4, 6), most urgent first.

    Rows walk the partial index ``dossiers_due`` in due order and stop at ``limit``; counts come
    from the facts when given (counting 60,000 overdue rows in SQL needs a table lookup each).
    "Due soon" ends at the close of the second working day after today. ``owner``: only the
    dossiers received at that counter ('' = this one; None = the whole ward, replicas included).
    """
    soon_day = cal.add_working_days(now.date(), 2)
    soon_end = datetime.combine(soon_day + timedelta(days=1), datetime.min.time())
    # The partial index's own condition must appear verbatim for SQLite to use it.
    running = "d.status IN (2, 4, 5, 6) AND d.status <> 5"
    base = (f"FROM dossiers d LEFT JOIN procedures p ON p.code = d.procedure_code "
            f"LEFT JOIN users u ON u.id = d.officer_id WHERE {running} AND d.due_at IS NOT NULL")
    mine: tuple[Any, ...] = ()
    if owner is not None:
        base += " AND d.owner_counter = ?"
        mine = (owner,)
        running += " AND d.owner_counter = ?"
    if facts is not None:
        rows = None
        if owner is not None:
            rows = facts.cols["owner"] == (facts.counters.index(owner) if owner in facts.counters else -1)
        n_over, n_soon = deadline_counts(facts, now, soon_end, rows)
    else:
        n_over = int(cdb.scalar(f"SELECT count(*) FROM dossiers d WHERE {running} AND d.due_at < ?",
                                (*mine, ts(now))))
        n_soon = int(cdb.scalar(f"SELECT count(*) FROM dossiers d WHERE {running} "
                                "AND d.due_at >= ? AND d.due_at < ?", (*mine, ts(now), ts(soon_end))))
    overdue = cdb.query(f"SELECT {DEADLINE_COLUMNS} {base} AND d.due_at < ? ORDER BY d.due_at LIMIT ?",
                        (*mine, ts(now), limit))
    soon = cdb.query(f"SELECT {DEADLINE_COLUMNS} {base} AND d.due_at >= ? AND d.due_at < ? "
                     "ORDER BY d.due_at LIMIT ?", (*mine, ts(now), ts(soon_end), limit))
    lates = working_ages(cal, now.date(), [date.fromisoformat(r["due_at"][:10]) for r in overdue])
    for r, late in zip(overdue, lates, strict=True):
        r["late_days"] = late
    return {"overdue": overdue, "overdue_count": n_over, "soon": soon, "soon_count": n_soon,
            "soon_until": soon_end}


def rows_for_ids(cdb: CounterDB, ids: Sequence[int]) -> list[dict[str, Any]]:
    """List rows (with procedure and officer names) for dossier ids, in the given order."""
    out: dict[int, dict[str, Any]] = {}
    ids = list(ids)
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        for r in cdb.query(
                f"SELECT {DEADLINE_COLUMNS}, d.channel FROM dossiers d "
                "LEFT JOIN procedures p ON p.code = d.procedure_code LEFT JOIN users u ON u.id = d.officer_id "
                f"WHERE d.id IN ({','.join('?' * len(chunk))})", chunk):
            out[int(r["id"])] = r
    return [out[i] for i in ids if i in out]

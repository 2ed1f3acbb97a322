"""The digitisation backlog (tồn số hóa) by working-day age, officer and procedure (Qt-free).

Split from ``indicators.py`` (issue #17 item 7); definitions in ``docs/indicators.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from counter_app.db.database import CounterDB
from counter_app.domain.calendar import WorkCalendar
from counter_app.reports.facts import _COMPONENT_DONE, Facts
from counter_app.reports.periods import EPOCH

__all__ = ["AGE_BUCKETS", "Backlog", "age_bucket", "backlog", "backlog_components", "backlog_ids",
           "working_age", "working_ages"]

# Working-day age buckets of the backlog (issue: 0–1, 2–3, 4–7, > 7).
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0–1 ngày", 0, 1), ("2–3 ngày", 2, 3), ("4–7 ngày", 4, 7), ("> 7 ngày", 8, None))


def age_bucket(age: int) -> int:
    """Index into :data:`AGE_BUCKETS` of an age in working days."""
    for i, (_label, lo, hi) in enumerate(AGE_BUCKETS):
        if age >= lo and (hi is None or age <= hi):
            return i
    return 0


# --- backlog ---------------------------------------------------------------------------------

def _working_day_ordinals(cal: WorkCalendar, first: int, last: int) -> np.ndarray:
    """For each day (days since 1970) in [first, last]: working days from ``first`` up to it."""
    n = max(last - first + 1, 1)
    flags = np.fromiter((cal.is_working_day(EPOCH + timedelta(days=first + i)) for i in range(n)),
                        dtype=np.int32, count=n)
    return np.cumsum(flags)


def working_age(f: Facts, cal: WorkCalendar, today: date, mask: np.ndarray) -> np.ndarray:
    """Working days since reception (``cal.working_days_between(received, today)``) of masked dossiers."""
    days = f.cols["recv_day"][mask]
    if not len(days):
        return np.zeros(0, dtype=np.int32)
    t = (today - EPOCH).days
    first = int(min(days.min(), t))
    last = int(max(days.max(), t))
    ords = _working_day_ordinals(cal, first, last)
    return (ords[t - first] - ords[days - first]).astype(np.int32)


def working_ages(cal: WorkCalendar, today: date, days: Sequence[date]) -> list[int]:
    """``cal.working_days_between(d, today)`` for many dates at once (list rows, drill-downs)."""
    if not days:
        return []
    t = (today - EPOCH).days
    idx = np.asarray([(d - EPOCH).days for d in days], dtype=np.int64)
    first = int(min(idx.min(), t))
    last = int(max(idx.max(), t))
    ords = _working_day_ordinals(cal, first, last)
    return (ords[t - first] - ords[idx - first]).astype(int).tolist()


@dataclass(frozen=True)
class Backlog:
    """The digitisation backlog by working-day age, officer and procedure."""

    total: int
    components: int                        # components still to digitise
    by_age: list[int]                      # per AGE_BUCKETS
    by_officer: list[tuple[int, list[int]]]   # (officer id, counts per bucket), largest first
    by_procedure: list[tuple[str, list[int]]]  # (procedure code, counts per bucket), largest first
    rescans: int                           # dossiers with a component rejected and not yet rescanned


def backlog(f: Facts, cal: WorkCalendar, today: date, *, received_before: date | None = None,
            digitised_by: date | None = None) -> Backlog:
    """Paper dossiers with components still to digitise, by age; optionally as of a past day.

    With ``received_before``/``digitised_by`` (the report's "backlog at month end"), a dossier counts
    if it was received before that day and its last scan is not before it (approximation: a dossier
    digitised later than month end was in the backlog at month end).
    """
    c = f.cols
    mask = f.in_backlog
    if received_before is not None:
        cutoff = (received_before - EPOCH).days
        rec = f.paper & (c["recv_day"] < cutoff)
        if digitised_by is not None:
            by = (digitised_by - EPOCH).days
            late_scan = f.digitised & (c["n_req"] > 0) & (c["scan_day"] >= by)
            mask = rec & (f.in_backlog | late_scan)
        else:
            mask = rec & f.in_backlog
    nb = len(AGE_BUCKETS)
    if not mask.any():
        return Backlog(0, 0, [0] * nb, [], [], 0)
    # Whole-array arithmetic with a sentinel code instead of boolean indexing (see series()).
    t = (today - EPOCH).days
    recv = f.derived("recv_day")
    first = int(min(recv[mask].min(), t))
    ords = _working_day_ordinals(cal, first, t)
    age = ords[t - first] - ords[np.clip(recv - first, 0, t - first)]
    buckets = np.searchsorted(np.asarray([lo for _l, lo, _h in AGE_BUCKETS[1:]]), age, side="right")
    by_age = np.bincount(np.where(mask, buckets, nb), minlength=nb + 1)[:nb].tolist()

    def grouped(keys: np.ndarray) -> list[tuple[int, list[int]]]:
        size = int(keys.max()) + 1 if len(keys) else 1
        combo = np.where(mask, keys * nb + buckets, size * nb)
        counts = np.bincount(combo, minlength=size * nb + 1)[: size * nb].reshape(-1, nb)
        rows = [(int(k), counts[k].tolist()) for k in np.nonzero(counts.sum(axis=1))[0]]
        rows.sort(key=lambda r: (-sum(r[1]), r[0]))
        return rows

    by_officer = grouped(f.derived("officer"))
    by_proc = [(f.procedures[k], v) for k, v in grouped(f.derived("procedure"))]
    comps = int(np.where(mask, (c["n_req"].astype(np.int64) - c["n_done"]).clip(min=0), 0).sum())
    return Backlog(int(mask.sum()), comps, by_age, by_officer, by_proc, int((mask & c["rescan"]).sum()))


def backlog_ids(f: Facts, cal: WorkCalendar, today: date, *, bucket: int | None = None,
                officer: int | None = None, procedure: str | None = None, limit: int = 500) -> list[int]:
    """Dossier ids of a backlog cell (drill-down), oldest first."""
    c = f.cols
    mask = f.in_backlog.copy()
    if officer is not None:
        mask &= c["officer"] == officer
    if procedure is not None:
        if procedure not in f.procedures:
            return []
        mask &= c["procedure"] == f.procedures.index(procedure)
    if bucket is not None:
        age = working_age(f, cal, today, mask)
        _l, lo, hi = AGE_BUCKETS[bucket]
        keep = (age >= lo) & ((age <= hi) if hi is not None else True)
        idx = np.nonzero(mask)[0][keep]
    else:
        idx = np.nonzero(mask)[0]
    order = np.argsort(c["recv_day"][idx], kind="stable")
    return [int(x) for x in c["id"][idx][order][:limit]]


def backlog_components(cdb: CounterDB, dossier_id: int) -> list[dict[str, Any]]:
    """A backlog dossier's components still to digitise (name, whether it is a rescan)."""
    return cdb.query(
        "SELECT dc.id, dc.name, dc.review_state, dc.review_note FROM dossier_components dc "
        f"WHERE dc.dossier_id = ? AND dc.state = 'received' AND dc.exempt_reason IS NULL AND NOT {_COMPONENT_DONE} "
        "ORDER BY dc.position", (dossier_id,))

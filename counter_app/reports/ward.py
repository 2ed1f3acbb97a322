"""The ward's figures per counter, each with how fresh it is (issue #19, Qt-free).

A ward's one-stop centre has several counters; each PC holds its own dossiers and, pulled from
the provincial system, **replicas** of the other counters' dossiers (``dossiers.owner_counter``,
:mod:`counter_app.sync.replica`). The supervisor's page and the monthly report show, per counter
and for the whole ward: received, online, finished and on time in the month, dossiers in
processing, overdue and due soon — and the digitisation backlog and quality-review queue, which
only the receiving counter holds (the province keeps no components or scans of another counter's
dossier, so a replica's backlog is unknown, shown «—», never 0).

**Offline honesty.** Each counter's part carries its "as of" time: this counter's own data is
always current; another counter's is as fresh as this PC's last successful pull from the province
(``ward_counters.pulled_at``) and that counter's last accepted push to it (``last_push_at``), the
older of the two. :func:`freshness` says plainly which counters are stale and why, e.g.
"Quầy 2: dữ liệu cũ từ 14:05 hôm qua — chưa đồng bộ được với tỉnh". The thresholds are here,
in one place (:data:`STALE_PULL_AFTER`, :data:`QUIET_PUSH_AFTER`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from counter_app.db import ward as ward_db
from counter_app.db.database import CounterDB
from counter_app.db.dossiers import TS
from counter_app.reports.facts import Facts
from counter_app.reports.qd766 import MonthFigures, figures_by_group

__all__ = [
    "LOCAL_ONLY_INDICATORS",
    "QUIET_PUSH_AFTER",
    "STALE_PULL_AFTER",
    "CounterFreshness",
    "WardRow",
    "WardView",
    "counter_label",
    "freshness",
    "moment_text",
    "scope_rows",
    "ward_view",
]

# The sync worker pulls every 60 s (sync.worker.run_forever's interval): 15 minutes without a
# successful pull is ~15 failed cycles — the province is unreachable from here, not a hiccup.
STALE_PULL_AFTER = timedelta(minutes=15)
# A counter that has not had a push accepted by the province for 2 hours may hold changes the
# province (and so this PC) has not seen: its figures are "as of" that push, and said so.
QUIET_PUSH_AFTER = timedelta(hours=2)

# Indicators computed from what only the receiving counter holds — components and scans, result
# files, the fee snapshot and online payment, complaints and ratings — are shown for this counter
# only: "—" for another counter or the whole ward, never a made-up 100% (a replica has none of them).
LOCAL_ONLY_INDICATORS = ("online_payment", "digitisation", "electronic_results", "reuse", "satisfaction")

# dossiers.status values in processing (received … waiting for supplements … being decided).
_OPEN_STATUSES = (2, 4, 5, 6)


def _parse(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.strptime(text[:19], TS)
    except ValueError:
        return None


def moment_text(moment: datetime, now: datetime) -> str:
    """"14:05 hôm nay", "14:05 hôm qua", else "14:05 05/12/2026" — how an officer says a recent time."""
    day = moment.date()
    if day == now.date():
        return f"{moment:%H:%M} hôm nay"
    if day == now.date() - timedelta(days=1):
        return f"{moment:%H:%M} hôm qua"
    return f"{moment:%H:%M %d/%m/%Y}"


def counter_label(counter_id: str, name: str = "") -> str:
    """«Quầy 2» for ``…-2`` (the stored name when there is one)."""
    if name:
        return name
    _, _, slot = counter_id.rpartition("-")
    return f"Quầy {slot}" if slot.isdigit() else (counter_id or "Quầy này")


@dataclass(frozen=True)
class CounterFreshness:
    """How fresh one counter's data is on this PC."""

    counter_id: str            # the ward id (``<agency>-<slot>``); this counter's own too
    owner: str                 # its value of dossiers.owner_counter: '' for this counter
    name: str
    is_self: bool
    as_of: datetime | None     # the figures hold everything up to this time (None: never pulled)
    pulled_at: datetime | None
    last_push_at: datetime | None
    stale: bool
    reason: str                # why it is stale ("" when fresh)

    def as_of_text(self, now: datetime) -> str:
        """The «Dữ liệu tính đến» cell."""
        if self.is_self:
            return "Hiện tại (quầy này)"
        if self.as_of is None:
            return "Chưa nhận được từ tỉnh"
        return moment_text(self.as_of, now)

    def notice(self, now: datetime) -> str:
        """One plain sentence for a stale counter ("" when fresh)."""
        if not self.stale:
            return ""
        if self.as_of is None:
            return f"{self.name}: chưa có dữ liệu — {self.reason}"
        return f"{self.name}: dữ liệu cũ từ {moment_text(self.as_of, now)} — {self.reason}"


def _assess(counter_id: str, name: str, pulled: datetime | None, pushed: datetime | None,
            now: datetime) -> CounterFreshness:
    """Freshness of another counter from this PC's last pull and its last push at the province."""
    label = counter_label(counter_id, name)
    if pulled is None:
        return CounterFreshness(counter_id, counter_id, label, False, None, None, pushed, True,
                                "chưa đồng bộ được với tỉnh")
    as_of = min(pulled, pushed) if pushed is not None else pulled
    if now - pulled > STALE_PULL_AFTER:
        return CounterFreshness(counter_id, counter_id, label, False, as_of, pulled, pushed, True,
                                "chưa đồng bộ được với tỉnh")
    if pushed is not None and now - pushed > QUIET_PUSH_AFTER:
        return CounterFreshness(counter_id, counter_id, label, False, as_of, pulled, pushed, True,
                                "quầy này chưa gửi dữ liệu lên tỉnh")
    return CounterFreshness(counter_id, counter_id, label, False, as_of, pulled, pushed, False, "")


def freshness(cdb: CounterDB, now: datetime, owners: list[str] | None = None) -> list[CounterFreshness]:
    """Every counter this PC has data of: this counter first (always current), then by id.

    ``owners`` are the ``owner_counter`` values present in the dossiers (the facts know them):
    a counter whose dossiers are here but which the province did not list still gets a row.
    """
    me = ward_db.counter_id(cdb)
    rows = {r["counter_id"]: r for r in ward_db.list_counters(cdb)}
    out = [CounterFreshness(me, "", "Quầy này", True, now, None, _parse((rows.get(me) or {}).get("last_push_at")),
                            False, "")]
    others = sorted((set(rows) | set(owners or [])) - {me, ""})
    for cid in others:
        r = rows.get(cid) or {}
        if r.get("is_self"):
            continue  # an old self row left by a re-setup (db.ward.ensure_self keeps one "me")
        out.append(_assess(cid, str(r.get("name") or ""), _parse(r.get("pulled_at")), _parse(r.get("last_push_at")),
                           now))
    return out


@dataclass(frozen=True)
class WardRow:
    """One counter's line (or the ward's total, ``counter`` None) in the ward table."""

    counter: CounterFreshness | None
    figures: MonthFigures
    open: int                  # in processing (statuses 2, 4, 5, 6)
    overdue: int
    due_soon: int
    backlog: int | None        # digitisation backlog: known for this counter only
    reviews: int | None        # scans waiting for quality review: this counter only

    @property
    def label(self) -> str:
        """The counter's name, or «Toàn phường» for the total."""
        return self.counter.name if self.counter is not None else "Toàn phường"


@dataclass(frozen=True)
class WardView:
    """The ward table of page «Giám sát» and of the monthly report."""

    year: int
    month: int
    now: datetime
    rows: list[WardRow]
    total: WardRow
    counters: list[CounterFreshness] = field(default_factory=list)

    @property
    def stale(self) -> list[CounterFreshness]:
        """Counters whose data here is stale (never this counter)."""
        return [c for c in self.counters if c.stale]

    @property
    def notices(self) -> list[str]:
        """One sentence per stale counter."""
        return [c.notice(self.now) for c in self.stale]

    @property
    def has_replicas(self) -> bool:
        """Other counters' data is on this PC (the ward view is more than this counter)."""
        return len(self.counters) > 1


def _minutes(moment: datetime) -> int:
    return int((moment - datetime(1970, 1, 1)).total_seconds() // 60)


def ward_view(cdb: CounterDB, f: Facts, year: int, month: int, now: datetime, soon_end: datetime, *,
              own_backlog: int | None, own_reviews: int | None, period: str = "calendar") -> WardView:
    """Per-counter and whole-ward figures of a month, each counter with its freshness.

    ``soon_end``: the end of the "due soon" window (:func:`counter_app.reports.deadlines.deadline_lists`).
    ``own_backlog`` / ``own_reviews``: this counter's backlog total and review queue length,
    already computed by the dashboard. Runs on the database worker: numpy over the facts plus one
    small query (``ward_counters``).
    """
    counters = freshness(cdb, now, list(f.counters))
    c = f.cols
    owner = c["owner"].astype(np.int64)
    index = {code: i for i, code in enumerate(f.counters)}
    k = max(len(f.counters), 1)
    st = c["status"]
    valid = f.valid
    open_ = valid & np.isin(st, _OPEN_STATUSES)
    running = valid & np.isin(st, (2, 4, 6)) & (c["due_min"] >= 0)
    t, e = _minutes(now), _minutes(soon_end)
    overdue = running & (c["due_min"] < t)
    soon = running & (c["due_min"] >= t) & (c["due_min"] < e)

    def per(mask: np.ndarray) -> np.ndarray:
        return np.bincount(owner[mask], minlength=k) if len(owner) else np.zeros(k, dtype=np.int64)

    n_open, n_over, n_soon = per(open_), per(overdue), per(soon)
    by_counter = figures_by_group(f, year, month, owner, k, period=period)
    empty = MonthFigures(year, month, 0, {1: 0, 2: 0, 3: 0}, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, period=period)
    rows = []
    for cf in counters:
        i = index.get(cf.owner, -1)
        figs = by_counter[i] if i >= 0 else empty
        rows.append(WardRow(cf, figs, int(n_open[i]) if i >= 0 else 0, int(n_over[i]) if i >= 0 else 0,
                            int(n_soon[i]) if i >= 0 else 0, own_backlog if cf.is_self else None,
                            own_reviews if cf.is_self else None))
    total_figs = _sum_figures(by_counter, empty)
    total = WardRow(None, total_figs, int(n_open.sum()), int(n_over.sum()), int(n_soon.sum()), own_backlog,
                    own_reviews)
    return WardView(year, month, now, rows, total, counters)


def _sum_figures(parts: list[MonthFigures], empty: MonthFigures) -> MonthFigures:
    """The ward's figures: the counters' added up (every count is a sum over dossiers)."""
    if not parts:
        return empty
    from dataclasses import fields, replace

    sums: dict[str, Any] = {}
    for fl in fields(MonthFigures):
        if fl.name in ("year", "month", "period"):
            continue
        if fl.name == "by_channel":
            sums[fl.name] = {ch: sum(p.by_channel.get(ch, 0) for p in parts) for ch in (1, 2, 3)}
        else:
            sums[fl.name] = sum(getattr(p, fl.name) for p in parts)
    return replace(parts[0], **sums)


def scope_rows(f: Facts, scope: str | None) -> np.ndarray | None:
    """The facts mask of a scope: '' this counter, a counter id, None the whole ward (no mask)."""
    if scope is None:
        return None
    owner = f.cols["owner"]
    return owner == (f.counters.index(scope) if scope in f.counters else -1)

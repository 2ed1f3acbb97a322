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
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from counter_app.db.database import CounterDB
from counter_app.db.dossiers import TS, ts
from counter_app.domain.calendar import WorkCalendar

log = logging.getLogger(__name__)

__all__ = [
    "AGE_BUCKETS",
    "INDICATORS",
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
    "backlog_ids",
    "band_for",
    "dashboard",
    "deadline_counts",
    "deadline_lists",
    "exported_reports",
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

EPOCH = date(1970, 1, 1)
PAPER_CHANNELS = (1, 3)
# Deadlines run in these statuses; 5 (waiting for supplements) is paused and is neither overdue
# nor "due soon" — its due date moves when the supplements arrive (dossiers.supplement_received).
RUNNING_STATUSES = (2, 4, 6)
FINISHED_STATUSES = (9, 10)

# Working-day age buckets of the backlog (issue: 0–1, 2–3, 4–7, > 7).
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0–1 ngày", 0, 1), ("2–3 ngày", 2, 3), ("4–7 ngày", 4, 7), ("> 7 ngày", 8, None))


def age_bucket(age: int) -> int:
    """Index into :data:`AGE_BUCKETS` of an age in working days."""
    for i, (_label, lo, hi) in enumerate(AGE_BUCKETS):
        if age >= lo and (hi is None or age <= hi):
            return i
    return 0


# --- months ------------------------------------------------------------------------------------

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


# --- indicator definitions and score bands -------------------------------------------------------

@dataclass(frozen=True)
class IndicatorDef:
    """One QĐ 766 indicator as the dashboard shows it."""

    key: str
    label: str
    formula: str       # shown on hover
    target: float      # % for the full score
    group: str         # QĐ 766 group


INDICATORS: tuple[IndicatorDef, ...] = (
    IndicatorDef("on_time", "Giải quyết đúng hạn",
                 "Hồ sơ giải quyết xong trong tháng, trước hoặc đúng ngày hẹn trả (đã cộng thời gian chờ bổ sung) "
                 "÷ hồ sơ giải quyết xong trong tháng. Phiếu xin lỗi hẹn lại không làm hồ sơ trễ thành đúng hạn.",
                 100.0, "Tiến độ giải quyết"),
    IndicatorDef("online", "Hồ sơ trực tuyến",
                 "Hồ sơ tiếp nhận trực tuyến (kênh 2) ÷ tổng hồ sơ tiếp nhận trong tháng. Điểm tối đa khi ≥ 50%.",
                 50.0, "Dịch vụ công trực tuyến"),
    IndicatorDef("online_payment", "Thanh toán trực tuyến",
                 "Hồ sơ tiếp nhận trong tháng có phí, lệ phí phải nộp và đã thanh toán trực tuyến ÷ hồ sơ tiếp "
                 "nhận trong tháng có phí, lệ phí phải nộp.", 100.0, "Thanh toán trực tuyến"),
    IndicatorDef("digitisation", "Số hóa hồ sơ",
                 "Hồ sơ tiếp nhận trong tháng có mọi thành phần ở dạng điện tử (hồ sơ trực tuyến; hồ sơ giấy đã "
                 "số hóa đủ, trừ giấy tờ chỉ xuất trình và trường hợp miễn theo Thông tư 03/2025) ÷ tổng hồ sơ "
                 "tiếp nhận trong tháng. Điểm tối đa khi ≥ 80%.", 80.0, "Số hóa hồ sơ"),
    IndicatorDef("electronic_results", "Kết quả điện tử",
                 "Hồ sơ giải quyết xong trong tháng có tệp kết quả điện tử ÷ hồ sơ giải quyết xong trong tháng.",
                 100.0, "Số hóa hồ sơ"),
    IndicatorDef("reuse", "Tái sử dụng dữ liệu số",
                 "Hồ sơ tiếp nhận trong tháng có ít nhất một thành phần dùng lại bản số hóa đã có ÷ tổng hồ sơ "
                 "tiếp nhận trong tháng. Điểm tối đa khi ≥ 80%.", 80.0, "Số hóa hồ sơ"),
    IndicatorDef("satisfaction", "Mức độ hài lòng",
                 "100% − (tỷ lệ hồ sơ trễ hạn + tỷ lệ hồ sơ có phản ánh, kiến nghị). Tỷ lệ trễ hạn = hồ sơ xong "
                 "trễ hạn ÷ hồ sơ xong trong tháng; tỷ lệ phản ánh = hồ sơ có phản ánh ÷ hồ sơ tiếp nhận. "
                 "Điểm tối đa khi ≥ 90%.", 90.0, "Mức độ hài lòng"),
)
INDICATOR_BY_KEY = {i.key: i for i in INDICATORS}

# Band rule (ours; QĐ 766 scores each indicator in proportion to its target): full score at or
# above the target; "close" within 20 percentage points below it; "low" further below. The score
# fraction shown is min(value / target, 1).
BAND_MARGIN = 20.0


@dataclass(frozen=True)
class Band:
    """Where a value sits against its target."""

    name: str          # "full" | "close" | "low" | "none"
    label: str         # Vietnamese
    color: str         # hex, for cards and charts
    score: float       # 0..1 share of the indicator's points


def band_for(value: float | None, target: float) -> Band:
    """The score band of a percentage against its full-score target (see BAND_MARGIN)."""
    if value is None:
        return Band("none", "Chưa có số liệu", "#8a8a8a", 0.0)
    score = min(value / target, 1.0) if target > 0 else 1.0
    if value >= target:
        return Band("full", "Đạt điểm tối đa", "#1b7f3b", score)
    if value >= target - BAND_MARGIN:
        return Band("close", "Gần đạt", "#c77c00", score)
    return Band("low", "Chưa đạt", "#b3261e", score)


def _pct(num: int, den: int) -> float | None:
    return None if den <= 0 else 100.0 * num / den


# --- facts -------------------------------------------------------------------------------------

# One row per coded dossier. Dates become integers in SQL (days since 1970, months since year 0)
# so a million rows never pass through strptime.
_FACT_COLUMNS = (
    "id", "recv_day", "recv_month", "channel", "status", "officer", "procedure_code", "due_min",
    "fin_day", "fin_month", "on_time", "complaint", "rating", "n_req", "n_done", "reuse", "result",
    "scan_day", "rescan", "pay_due", "paid_online",
)
_DAY = "CAST(julianday(substr({c}, 1, 10)) - 2440587.5 AS INTEGER)"
_MONTH = "(CAST(substr({c}, 1, 4) AS INTEGER) * 12 + CAST(substr({c}, 6, 2) AS INTEGER) - 1)"
_COMPONENT_DONE = (
    "(dc.reused_file_id IS NOT NULL OR EXISTS (SELECT 1 FROM files f WHERE f.dossier_component_id = dc.id "
    "AND f.kind = 'scan' AND (dc.review_state <> 'rejected' OR f.id > COALESCE((SELECT max(r.file_id) "
    "FROM component_reviews r WHERE r.dossier_component_id = dc.id AND r.decision = 'rejected'), 0))))"
)
FACTS_SQL = f"""
SELECT d.id,
       {_DAY.format(c='d.received_at')},
       {_MONTH.format(c='d.received_at')},
       d.channel, d.status, COALESCE(d.officer_id, 0), d.procedure_code,
       CASE WHEN d.due_at IS NULL THEN -1
            ELSE CAST(round((julianday(d.due_at) - 2440587.5) * 1440) AS INTEGER) END,
       CASE WHEN d.finished_at IS NULL THEN -1 ELSE {_DAY.format(c='d.finished_at')} END,
       CASE WHEN d.finished_at IS NULL THEN -1 ELSE {_MONTH.format(c='d.finished_at')} END,
       d.finished_at IS NOT NULL AND (d.due_at IS NULL OR d.finished_at <= d.due_at),
       d.complaint <> 0,
       COALESCE(d.satisfaction, 0),
       (SELECT count(*) FROM dossier_components dc
         WHERE dc.dossier_id = d.id AND dc.state = 'received' AND dc.exempt_reason IS NULL),
       (SELECT count(*) FROM dossier_components dc
         WHERE dc.dossier_id = d.id AND dc.state = 'received' AND dc.exempt_reason IS NULL
           AND {_COMPONENT_DONE}),
       EXISTS (SELECT 1 FROM dossier_components dc WHERE dc.dossier_id = d.id AND dc.reused_file_id IS NOT NULL),
       EXISTS (SELECT 1 FROM files r WHERE r.dossier_id = d.id AND r.kind = 'result'),
       COALESCE((SELECT {_DAY.format(c='max(s.created_at)')} FROM files s
                  WHERE s.dossier_id = d.id AND s.kind = 'scan'), -1),
       EXISTS (SELECT 1 FROM dossier_components dc WHERE dc.dossier_id = d.id AND dc.review_state = 'rejected'
               AND dc.state = 'received' AND dc.exempt_reason IS NULL AND NOT {_COMPONENT_DONE}),
       EXISTS (SELECT 1 FROM dossier_fees df WHERE df.dossier_id = d.id AND df.amount > 0),
       EXISTS (SELECT 1 FROM dossier_events e WHERE e.dossier_id = d.id AND e.kind = 'paid_online')
FROM dossiers d
WHERE d.code IS NOT NULL
"""
_DTYPES = {
    "id": np.int64, "recv_day": np.int32, "recv_month": np.int32, "channel": np.int8, "status": np.int8,
    "officer": np.int32, "procedure": np.int32, "due_min": np.int64, "fin_day": np.int32,
    "fin_month": np.int32, "on_time": np.bool_, "complaint": np.bool_, "rating": np.int8,
    "n_req": np.int16, "n_done": np.int16, "reuse": np.bool_, "result": np.bool_, "scan_day": np.int32,
    "rescan": np.bool_, "pay_due": np.bool_, "paid_online": np.bool_,
}


def _derive(name: str, c: dict[str, np.ndarray], valid: np.ndarray) -> np.ndarray:
    """One derived array from fact columns (whole arrays, or the rows of a slice)."""
    if name == "rbits":  # bits 0–1 channel, 2 digitised, 3 reuse, 4 complaint, 5 fee due, 6 paid online
        return (c["channel"].astype(np.int64) | (c["n_done"] >= c["n_req"]).astype(np.int64) << 2
                | c["reuse"].astype(np.int64) << 3 | c["complaint"].astype(np.int64) << 4
                | c["pay_due"].astype(np.int64) << 5 | (c["pay_due"] & c["paid_online"]).astype(np.int64) << 6)
    if name in ("recv_stat", "fin_stat"):  # report-month keys of the statutory period (NĐ 09/2019)
        return _statutory_keys(c["recv_day" if name == "recv_stat" else "fin_day"].astype(np.int64))
    if name == "fbits":  # bits 0 on time, 1 result file, 2 rated
        return (c["on_time"].astype(np.int64) | c["result"].astype(np.int64) << 1
                | (c["rating"] > 0).astype(np.int64) << 2)
    if name in ("recv_month", "fin_month", "recv_day", "officer", "procedure"):
        return c[name].astype(np.int64)
    if name == "finished":
        return valid & (c["status"] >= 9) & (c["fin_month"] >= 0)  # 9, 10: finished
    raise KeyError(name)


class Facts:
    """Per-dossier numbers in aligned numpy arrays, sorted by dossier id.

    ``procedure`` indexes :attr:`procedures`; ``valid`` is False for a dossier that lost its code
    or was deleted since the build (kept in place so positions stay stable). Arrays live in
    buffers with spare capacity so that the few dossiers received between two refreshes are
    appended without copying a million rows (amortised like a Python list).
    """

    def __init__(self, cols: dict[str, np.ndarray], procedures: list[str], valid: np.ndarray) -> None:
        self._buf = dict(cols)
        self._valid = valid
        self._n = len(valid)
        self.procedures = procedures
        self._dbuf: dict[str, np.ndarray] = {}

    @property
    def cols(self) -> dict[str, np.ndarray]:
        """Column name → array (views of the first ``len`` rows of the buffers)."""
        n = self._n
        return {k: v[:n] for k, v in self._buf.items()}

    @property
    def valid(self) -> np.ndarray:
        """True for rows that count (see the class docstring)."""
        return self._valid[: self._n]

    def derived(self, name: str) -> np.ndarray:
        """Arrays that depend on the facts only (not on the month or today), kept with the facts."""
        got = self._dbuf.get(name)
        if got is None:
            got = np.empty(len(self._valid), dtype=np.bool_ if name == "finished" else np.int64)
            got[: self._n] = _derive(name, self.cols, self.valid)
            self._dbuf[name] = got
        return got[: self._n]

    def _patch(self, idx: np.ndarray) -> None:
        """Recompute derived arrays at rows ``idx`` after their facts changed."""
        if not len(idx):
            return
        sub = {k: v[idx] for k, v in self._buf.items()}
        for name, arr in self._dbuf.items():
            arr[idx] = _derive(name, sub, self._valid[idx])

    def _append(self, cols: dict[str, np.ndarray]) -> None:
        """Add rows whose ids are all above the current ones."""
        k = len(cols["id"])
        need = self._n + k
        if need > len(self._valid):
            cap = max(need, int(len(self._valid) * 1.25) + 1024)

            def grow(a: np.ndarray) -> np.ndarray:
                b = np.empty(cap, dtype=a.dtype)
                b[: self._n] = a[: self._n]
                return b

            self._buf = {name: grow(a) for name, a in self._buf.items()}
            self._valid = grow(self._valid)
            self._dbuf = {name: grow(a) for name, a in self._dbuf.items()}
        rows = slice(self._n, need)
        for name, a in self._buf.items():
            a[rows] = cols[name]
        self._valid[rows] = True
        self._n = need
        self._patch(np.arange(rows.start, rows.stop))

    def __len__(self) -> int:
        return int(self.valid.sum())

    @property
    def paper(self) -> np.ndarray:
        """Dossiers received on paper (channels 1 and 3)."""
        return self.valid & (self.cols["channel"] != 2)

    @property
    def digitised(self) -> np.ndarray:
        """Every component to digitise has its file (vacuously true when there is none)."""
        return self.cols["n_done"] >= self.cols["n_req"]

    @property
    def in_backlog(self) -> np.ndarray:
        """Paper dossiers with at least one component still to digitise (or to rescan)."""
        return self.paper & (self.cols["n_done"] < self.cols["n_req"])


def _rows_to_columns(rows: list[tuple[Any, ...]], procedures: list[str],
                     proc_index: dict[str, int]) -> dict[str, np.ndarray]:
    cols = list(zip(*rows, strict=True)) if rows else [() for _ in _FACT_COLUMNS]
    out: dict[str, np.ndarray] = {}
    for name, values in zip(_FACT_COLUMNS, cols, strict=True):
        if name == "procedure_code":
            idx = []
            for code in values:
                if code not in proc_index:
                    proc_index[code] = len(procedures)
                    procedures.append(code)
                idx.append(proc_index[code])
            out["procedure"] = np.asarray(idx, dtype=np.int32)
        else:
            out[name] = np.asarray(values, dtype=_DTYPES[name])
    return out


def load_facts(cdb: CounterDB, ids: Sequence[int] | None = None, *, after_id: int | None = None,
               limit: int | None = None) -> Facts:
    """Facts for every coded dossier (or only ``ids``, or ``limit`` dossiers after ``after_id``)."""
    procedures: list[str] = []
    index: dict[str, int] = {}
    if after_id is not None:
        rows = cdb.conn.execute(FACTS_SQL + " AND d.id > ? ORDER BY d.id LIMIT ?",
                                (int(after_id), int(limit or -1))).fetchall()
    elif ids is None:
        rows = cdb.conn.execute(FACTS_SQL + " ORDER BY d.id").fetchall()
    else:
        rows = []
        ids = sorted(set(int(i) for i in ids))
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            rows += cdb.conn.execute(
                FACTS_SQL + f" AND d.id IN ({','.join('?' * len(chunk))}) ORDER BY d.id", chunk).fetchall()
    cols = _rows_to_columns(rows, procedures, index)
    return Facts(cols, procedures, np.ones(len(rows), dtype=np.bool_))


def _watermarks(cdb: CounterDB) -> dict[str, int]:
    return {
        "events": int(cdb.scalar("SELECT COALESCE(max(id), 0) FROM dossier_events")),
        "files": int(cdb.scalar("SELECT COALESCE(max(id), 0) FROM files")),
        "reviews": int(cdb.scalar("SELECT COALESCE(max(id), 0) FROM component_reviews")),
        "dossiers": int(cdb.scalar("SELECT COALESCE(max(id), 0) FROM dossiers")),
    }


def _changed_ids(cdb: CounterDB, w: dict[str, int]) -> set[int]:
    ids: set[int] = set()
    for sql, key in (
        # Plain rowid ranges: with DISTINCT the planner walks a whole (dossier_id, …) index instead.
        ("SELECT dossier_id FROM dossier_events WHERE id > ?", "events"),
        ("SELECT dossier_id FROM files WHERE id > ?", "files"),
        ("SELECT dc.dossier_id FROM component_reviews r JOIN dossier_components dc "
         "ON dc.id = r.dossier_component_id WHERE r.id > ?", "reviews"),
        ("SELECT id FROM dossiers WHERE id > ?", "dossiers"),
    ):
        ids.update(int(r[0]) for r in cdb.conn.execute(sql, (w[key],)) if r[0] is not None)
    return ids


class FactsCache:
    """Facts of one database, kept current by re-reading only the dossiers that changed.

    One instance per database path (:meth:`for_db`), used from the database worker thread; the
    lock guards the odd call from another thread. The facts are also saved next to the database
    (``cache/indicator-facts.npz`` in the data directory) after a full build, so the next session
    starts from them and re-reads only what changed since — instead of a ~30 s build at 1M.
    A saved file is used only if it belongs to this database (same first dossier uid, ids not
    ahead of the database) and, once updated, counts exactly the coded dossiers the database has.
    """

    _instances: ClassVar[dict[str, FactsCache]] = {}
    _registry_lock: ClassVar[threading.Lock] = threading.Lock()
    # Above this many changed dossiers a full rebuild is cheaper than chunked re-reads.
    FULL_REBUILD_AT = 50_000
    FILE_VERSION = 2  # 2: pay_due, paid_online (issue #16)

    def __init__(self, path: Path | None = None) -> None:
        self.facts: Facts | None = None
        self.marks: dict[str, int] = {}
        self.built_at: datetime | None = None
        self.last_changed = 0
        self.path = path  # where the facts are saved (None: memory only)
        self.version = 0  # bumped whenever the facts change (keys the figures memo)
        self._building: dict[str, Any] | None = None  # state of a stepwise first build
        self.memo: dict[tuple[Any, ...], Any] = {}
        self._lock = threading.RLock()

    @classmethod
    def for_db(cls, cdb: CounterDB) -> FactsCache:
        """The cache of this database file (created on first use, saved in its data directory)."""
        key = str(cdb.path.resolve())
        with cls._registry_lock:
            inst = cls._instances.get(key)
            if inst is None:
                inst = cls._instances[key] = FactsCache(cdb.path.parent / "cache" / "indicator-facts.npz")
            return inst

    @classmethod
    def forget(cls, cdb: CounterDB | None = None) -> None:
        """Drop the in-memory cache of one database (or all)."""
        with cls._registry_lock:
            if cdb is None:
                cls._instances.clear()
            else:
                cls._instances.pop(str(cdb.path.resolve()), None)

    def rebuild(self, cdb: CounterDB) -> Facts:
        """Read every dossier again (and save the result)."""
        with self._lock:
            marks = _watermarks(cdb)
            self.facts = load_facts(cdb)
            self.marks = marks
            self.built_at = datetime.now()
            self.last_changed = len(self.facts.valid)
            self._bump()
            self._save(cdb)
            return self.facts

    @property
    def ready(self) -> bool:
        """Facts are built (or loaded) and no stepwise build is under way."""
        return self.facts is not None and self._building is None

    def build_step(self, cdb: CounterDB, chunk: int = 20_000) -> tuple[int, int] | None:
        """One slice of a first build; ``(done, total)`` while building, ``None`` once ready.

        The GUI calls this job after job so the shared database worker is never held for the
        whole build (~30 s at 1M): the officers' own jobs run between two slices.
        """
        with self._lock:
            if self.facts is not None and self._building is None:
                return None
            if self._building is None:
                if self._load(cdb):
                    return None
                total = int(cdb.scalar("SELECT COALESCE(sum(n), 0) FROM dossier_status_counts"))
                self._building = {"marks": _watermarks(cdb), "facts": None, "last": 0, "total": total}
            b = self._building
            part = load_facts(cdb, after_id=b["last"], limit=chunk)
            if len(part.valid):
                b["facts"] = part if b["facts"] is None else _merge(b["facts"], part, set())
                b["last"] = int(part.cols["id"][-1])
                done = len(b["facts"].valid)
                if len(part.valid) == chunk:
                    return done, max(b["total"], done)
            # Finished: changes made during the build are caught up by the next update().
            self.facts = b["facts"] if b["facts"] is not None else load_facts(cdb, [])
            self.marks = b["marks"]
            self.built_at = datetime.now()
            self._building = None
            self._bump()
            self._save(cdb)
            return None

    def _bump(self) -> None:
        self.version += 1
        self.memo.clear()

    def memoized(self, key: tuple[Any, ...], compute: Any) -> Any:
        """``compute()`` once per facts version and ``key`` (figures of an unchanged month and day)."""
        k = (self.version, *key)
        if k not in self.memo:
            self.memo[k] = compute()
        return self.memo[k]

    def update(self, cdb: CounterDB) -> Facts:
        """Bring the facts up to date and return them (saved or full build on first use)."""
        with self._lock:
            if self.facts is None and not self._load(cdb):
                return self.rebuild(cdb)
            assert self.facts is not None
            marks = _watermarks(cdb)
            if any(marks[k] < self.marks.get(k, 0) for k in marks):
                log.info("database went backwards (restored?); rebuilding indicator facts")
                return self.rebuild(cdb)
            changed = _changed_ids(cdb, self.marks)
            self.last_changed = len(changed)
            if len(changed) > self.FULL_REBUILD_AT:
                return self.rebuild(cdb)
            if changed:
                self.facts = _merge(self.facts, load_facts(cdb, sorted(changed)), changed)
                self._bump()
            self.marks = marks
            return self.facts

    # --- the saved copy ----------------------------------------------------------------------
    @staticmethod
    def _identity(cdb: CounterDB) -> str:
        return str(cdb.scalar("SELECT uid FROM dossiers ORDER BY id LIMIT 1") or "")

    def _save(self, cdb: CounterDB) -> None:
        if self.path is None or self.facts is None:
            return
        import io

        from counter_app.atomicio import atomic_write_bytes

        f = self.facts
        meta = {"version": self.FILE_VERSION, "identity": self._identity(cdb), "marks": self.marks,
                "procedures": f.procedures}
        buf = io.BytesIO()
        np.savez(buf, valid=f.valid, meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
                 **{f"col_{k}": v for k, v in f.cols.items()})
        try:
            atomic_write_bytes(self.path, buf.getvalue())
        except OSError as exc:  # a cache: the figures do not depend on it
            log.warning("cannot save indicator facts: %s", exc)

    def _load(self, cdb: CounterDB) -> bool:
        """Take the saved facts if they belong to this database; then :meth:`update` catches up."""
        if self.path is None or not self.path.exists():
            return False
        try:
            with np.load(self.path) as z:
                meta = json.loads(bytes(z["meta"]).decode())
                if meta.get("version") != self.FILE_VERSION or meta.get("identity") != self._identity(cdb):
                    return False
                cols = {k[4:]: z[k] for k in z.files if k.startswith("col_")}
                facts = Facts(cols, list(meta["procedures"]), z["valid"].copy())
        except (OSError, ValueError, KeyError) as exc:
            log.info("saved indicator facts unusable (%s); rebuilding", exc)
            return False
        marks = {k: int(v) for k, v in meta["marks"].items()}
        now = _watermarks(cdb)
        if any(now[k] < marks.get(k, 0) for k in now):
            return False
        self.facts, self.marks, self.built_at = facts, marks, None
        self._bump()
        # Catch up, then check the count: a change made outside the app's write paths (no event)
        # would show here as a mismatch, and the facts are rebuilt instead.
        changed = _changed_ids(cdb, marks)
        if len(changed) > self.FULL_REBUILD_AT:
            self.facts = None
            return False
        if changed:
            self.facts = _merge(facts, load_facts(cdb, sorted(changed)), changed)
        self.marks = now
        coded = int(cdb.scalar("SELECT count(*) FROM dossiers WHERE code IS NOT NULL"))
        if coded != len(self.facts):
            log.info("saved indicator facts disagree with the database; rebuilding")
            self.facts = None
            return False
        return True


def _merge(old: Facts, new: Facts, changed: set[int]) -> Facts:
    """Overwrite changed dossiers in place, append new ones, invalidate those that vanished.

    Returns ``old`` updated in place (the usual case: changed rows and new ids above the last
    one), or a fresh :class:`Facts` when new ids fall between existing ones.
    """
    index = {c: i for i, c in enumerate(old.procedures)}
    for c in new.procedures:
        if c not in index:
            index[c] = len(old.procedures)
            old.procedures.append(c)
    new_cols = dict(new.cols)
    if len(new.valid):
        remap = np.asarray([index[c] for c in new.procedures], dtype=np.int32)
        new_cols["procedure"] = remap[new_cols["procedure"]]
    old_ids = old.cols["id"]
    n = len(old_ids)
    pos = np.searchsorted(old_ids, new_cols["id"])
    exists = ((pos < n) & (old_ids[np.minimum(pos, n - 1)] == new_cols["id"])) if n \
        else np.zeros(len(new_cols["id"]), dtype=np.bool_)
    at = pos[exists]
    for k, a in old._buf.items():
        a[at] = new_cols[k][exists]
    old._valid[at] = True
    # Changed ids the query no longer returns (code removed, row deleted): out of every figure.
    gone = np.asarray(sorted(changed - set(new_cols["id"].tolist())), dtype=np.int64)
    gat = np.zeros(0, dtype=np.int64)
    if len(gone) and n:
        gpos = np.searchsorted(old_ids, gone)
        ok = (gpos < n) & (old_ids[np.minimum(gpos, n - 1)] == gone)
        gat = gpos[ok]
        old._valid[gat] = False
    old._patch(np.concatenate([at, gat]))
    add = ~exists
    if not add.any():
        return old
    extra = {k: v[add] for k, v in new_cols.items()}
    if not n or extra["id"].min() > old_ids[-1]:
        old._append(extra)
        return old
    cols = {k: np.concatenate([v, extra[k]]) for k, v in old.cols.items()}
    valid = np.concatenate([old.valid, np.ones(int(add.sum()), dtype=np.bool_)])
    order = np.argsort(cols["id"], kind="stable")
    return Facts({k: v[order] for k, v in cols.items()}, old.procedures, valid[order])


# --- monthly figures ---------------------------------------------------------------------------

@dataclass(frozen=True)
class MonthFigures:
    """Every number of one month (what the cards, the trend chart and the report show)."""

    year: int
    month: int
    received: int
    by_channel: dict[int, int]
    paper: int
    digitised: int
    finished: int
    on_time: int
    late: int
    result_files: int
    reused: int
    complaints: int
    ratings: int
    rating_sum: int
    pay_due: int = 0  # received with a fee to pay
    paid_online: int = 0  # … of which paid online
    period: str = "calendar"

    @property
    def digitised_all(self) -> int:
        """Received with every component electronic: online filings + fully digitised paper ones."""
        return self.digitised + self.online

    @property
    def label(self) -> str:
        """"MM/YYYY"."""
        return f"{self.month:02d}/{self.year}"

    @property
    def online(self) -> int:
        """Received online (channel 2)."""
        return self.by_channel.get(2, 0)

    def rate(self, key: str) -> float | None:
        """An indicator's value in % (None when its denominator is zero)."""
        if key == "on_time":
            return _pct(self.on_time, self.finished)
        if key == "online":
            return _pct(self.online, self.received)
        if key == "digitisation":
            return _pct(self.digitised_all, self.received)
        if key == "online_payment":
            return _pct(self.paid_online, self.pay_due)
        if key == "electronic_results":
            return _pct(self.result_files, self.finished)
        if key == "reuse":
            return _pct(self.reused, self.received)
        if key == "satisfaction":
            if self.finished == 0 and self.received == 0:
                return None
            overdue = (100.0 * self.late / self.finished) if self.finished else 0.0
            complaints = (100.0 * self.complaints / self.received) if self.received else 0.0
            return max(0.0, 100.0 - (overdue + complaints))
        raise KeyError(key)

    @property
    def rating_avg(self) -> float | None:
        """Average of the citizens' 1–5 ratings, where recorded."""
        return self.rating_sum / self.ratings if self.ratings else None

    def rates(self) -> dict[str, float | None]:
        """All indicator values."""
        return {i.key: self.rate(i.key) for i in INDICATORS}


def month_figures(f: Facts, year: int, month: int, *, period: str = "calendar") -> MonthFigures:
    """The figures of one month from the facts (see the module docstring for the definitions)."""
    return series(f, [(year, month)], period=period)[0]


def series(f: Facts, months: Sequence[tuple[int, int]], *, period: str = "calendar") -> list[MonthFigures]:
    """Figures for several months in one numpy pass (the trend chart's data).

    ``period="statutory"``: each report month runs from the 15th of the month before to the 14th
    (Nghị định 09/2019/NĐ-CP Điều 12).
    """
    if not months:
        return []
    if period not in PERIODS:
        raise ValueError(f"unknown reporting period {period!r}")
    stat = period == "statutory"
    keys = [month_key(y, m) for y, m in months]
    lo, hi = min(keys), max(keys)
    n = hi - lo + 1
    c = f.cols
    # One integer code per row — (month in window) × (flags) — and ONE bincount per side: at a
    # million rows, boolean masks and fancy indexing per figure cost ~15 ms each, this ~20 ms total.
    # Rows outside the window get the overflow code n * width and fall in the last, ignored bin.
    recv_m = f.derived("recv_stat" if stat else "recv_month")
    rs = f.valid & (recv_m >= lo) & (recv_m <= hi)
    rcode = np.where(rs, (recv_m - lo) * 128 + f.derived("rbits"), n * 128)
    rc = np.bincount(rcode, minlength=n * 128 + 1)[: n * 128].reshape(n, 128)
    fin_m = f.derived("fin_stat" if stat else "fin_month")
    fs = f.derived("finished") & (fin_m >= lo) & (fin_m <= hi)
    fcode = np.where(fs, (fin_m - lo) * 8 + f.derived("fbits"), n * 8)
    fc = np.bincount(fcode, minlength=n * 8 + 1)[: n * 8].reshape(n, 8)
    rated = fs & (c["rating"] > 0)
    rating_sum = np.bincount(fin_m[rated] - lo, weights=c["rating"][rated].astype(np.float64), minlength=n)
    bits = np.arange(128)
    ch_of = bits & 3

    def rsum(sel: np.ndarray) -> np.ndarray:
        return rc[:, sel].sum(axis=1)

    received = rc.sum(axis=1)
    channels = {k: rsum(ch_of == k) for k in (1, 2, 3)}
    paper_n = rsum(ch_of != 2)
    digitised = rsum((ch_of != 2) & (bits & 4 > 0))
    reused = rsum(bits & 8 > 0)
    complaints = rsum(bits & 16 > 0)
    pay_due = rsum(bits & 32 > 0)
    paid_online = rsum(bits & 64 > 0)
    fb = np.arange(8)
    finished = fc.sum(axis=1)
    on_time = fc[:, (fb & 1) > 0].sum(axis=1)
    results = fc[:, (fb & 2) > 0].sum(axis=1)
    ratings = fc[:, (fb & 4) > 0].sum(axis=1)
    out = []
    for (y, m), k in zip(months, keys, strict=True):
        i = k - lo
        out.append(MonthFigures(
            year=y, month=m, received=int(received[i]), by_channel={k2: int(v[i]) for k2, v in channels.items()},
            paper=int(paper_n[i]), digitised=int(digitised[i]), finished=int(finished[i]),
            on_time=int(on_time[i]), late=int(finished[i] - on_time[i]), result_files=int(results[i]),
            reused=int(reused[i]), complaints=int(complaints[i]), ratings=int(ratings[i]),
            rating_sum=int(rating_sum[i]), pay_due=int(pay_due[i]), paid_online=int(paid_online[i]),
            period=period))
    return out


@dataclass(frozen=True)
class ProcedureRow:
    """One procedure's line in the monthly report."""

    code: str
    name: str
    received: int
    by_channel: dict[int, int]
    paper: int
    digitised: int
    finished: int
    on_time: int


def procedure_breakdown(f: Facts, year: int, month: int, names: dict[str, str], *,
                        period: str = "calendar") -> list[ProcedureRow]:
    """Per procedure: received by channel, digitised, finished and on time in a month (busiest first)."""
    k = month_key(year, month)
    c = f.cols
    n = len(f.procedures)
    stat = period == "statutory"
    recv = f.valid & (f.derived("recv_stat") == k if stat else c["recv_month"] == k)
    fin = f.valid & (f.derived("fin_stat") == k if stat else c["fin_month"] == k) & (c["status"] >= 9)

    def per(mask: np.ndarray) -> np.ndarray:
        return np.bincount(c["procedure"][mask], minlength=n) if n else np.zeros(0, dtype=np.int64)

    received = per(recv)
    chans = {ch: per(recv & (c["channel"] == ch)) for ch in (1, 2, 3)}
    paper = per(recv & (c["channel"] != 2))
    digit = per(recv & (c["channel"] != 2) & f.digitised)
    finished = per(fin)
    on_time = per(fin & c["on_time"])
    rows = [ProcedureRow(code, names.get(code, code), int(received[i]), {ch: int(v[i]) for ch, v in chans.items()},
                         int(paper[i]), int(digit[i]), int(finished[i]), int(on_time[i]))
            for i, code in enumerate(f.procedures) if received[i] or finished[i]]
    rows.sort(key=lambda r: (-r.received, r.code))
    return rows


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


# --- deadlines ---------------------------------------------------------------------------------

DEADLINE_COLUMNS = (
    "d.id, d.code, d.procedure_code, p.name AS procedure_name, d.applicant_name, d.status, d.received_at, "
    "d.due_at, d.new_due_at, d.officer_id, u.full_name AS officer_name, d.paused_days"
)


def _minutes(moment: datetime) -> int:
    return int((moment - datetime(1970, 1, 1)).total_seconds() // 60)


def deadline_counts(f: Facts, now: datetime, soon_end: datetime) -> tuple[int, int]:
    """(overdue, due soon) among running dossiers, from the facts (no table walk)."""
    c = f.cols
    st = c["status"]
    running = f.valid & ((st == 2) | (st == 4) | (st == 6)) & (c["due_min"] >= 0)  # RUNNING_STATUSES
    due = c["due_min"]
    t, e = _minutes(now), _minutes(soon_end)
    return int((running & (due < t)).sum()), int((running & (due >= t) & (due < e)).sum())


def deadline_lists(cdb: CounterDB, now: datetime, cal: WorkCalendar, *, limit: int = 200,
                   facts: Facts | None = None) -> dict[str, Any]:
    """Overdue and due-within-2-working-days dossiers (running statuses 2, 4, 6), most urgent first.

    Rows walk the partial index ``dossiers_due`` in due order and stop at ``limit``; counts come
    from the facts when given (counting 60,000 overdue rows in SQL needs a table lookup each).
    "Due soon" ends at the close of the second working day after today.
    """
    soon_day = cal.add_working_days(now.date(), 2)
    soon_end = datetime.combine(soon_day + timedelta(days=1), datetime.min.time())
    # The partial index's own condition must appear verbatim for SQLite to use it.
    running = "d.status IN (2, 4, 5, 6) AND d.status <> 5"
    base = (f"FROM dossiers d LEFT JOIN procedures p ON p.code = d.procedure_code "
            f"LEFT JOIN users u ON u.id = d.officer_id WHERE {running} AND d.due_at IS NOT NULL")
    if facts is not None:
        n_over, n_soon = deadline_counts(facts, now, soon_end)
    else:
        n_over = int(cdb.scalar(f"SELECT count(*) FROM dossiers d WHERE {running} AND d.due_at < ?", (ts(now),)))
        n_soon = int(cdb.scalar(f"SELECT count(*) FROM dossiers d WHERE {running} "
                                "AND d.due_at >= ? AND d.due_at < ?", (ts(now), ts(soon_end))))
    overdue = cdb.query(f"SELECT {DEADLINE_COLUMNS} {base} AND d.due_at < ? ORDER BY d.due_at LIMIT ?",
                        (ts(now), limit))
    soon = cdb.query(f"SELECT {DEADLINE_COLUMNS} {base} AND d.due_at >= ? AND d.due_at < ? "
                     "ORDER BY d.due_at LIMIT ?", (ts(now), ts(soon_end), limit))
    lates = working_ages(cal, now.date(), [date.fromisoformat(r["due_at"][:10]) for r in overdue])
    for r, late in zip(overdue, lates, strict=True):
        r["late_days"] = late
    return {"overdue": overdue, "overdue_count": n_over, "soon": soon, "soon_count": n_soon,
            "soon_until": soon_end}


# --- sync health ---------------------------------------------------------------------------------

_UNSYNCED = ("pending", "uploading", "error", "conflict")


def sync_health(cdb: CounterDB, now: datetime) -> dict[str, Any]:
    """Queue length, oldest unsynced age, errors and last successful sync (outbox + settings).

    Every count and the oldest entry go through ``outbox_state`` one state at a time; a single
    ``MIN(created_at) … WHERE state IN (…)`` walks the whole table (0.7 s at a million entries).
    """
    from counter_app.sync import worker

    counts = {s: int(cdb.scalar("SELECT count(*) FROM outbox WHERE state = ?", (s,))) for s in _UNSYNCED}
    # INDEXED BY: ANALYZE sees ~2 states over a million rows and would rather scan the table.
    oldest_texts = [cdb.scalar("SELECT min(created_at) FROM outbox INDEXED BY outbox_state WHERE state = ?", (s,))
                    for s in _UNSYNCED if counts[s]]
    oldest = min((datetime.strptime(t, TS) for t in oldest_texts if t), default=None)
    last_success = cdb.get_setting(worker.LAST_SUCCESS_KEY)
    last_error_kind = cdb.get_setting(worker.LAST_ERROR_KIND_KEY)
    last_error_msg = cdb.get_setting(worker.LAST_ERROR_MESSAGE_KEY)
    last_error_at = cdb.get_setting(worker.LAST_ERROR_AT_KEY)
    return {
        "queue": sum(counts.values()),
        "counts": counts,
        "errors": counts["error"] + counts["conflict"],
        "oldest_at": oldest,
        "oldest_age_s": max((now - oldest).total_seconds(), 0.0) if oldest else None,
        "last_success_at": datetime.strptime(last_success, TS) if last_success else None,
        "last_error": last_error_msg or last_error_kind or "",
        "last_error_at": datetime.strptime(last_error_at, TS) if last_error_at else None,
    }


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


def exported_reports(cdb: CounterDB) -> list[str]:
    """Months ("YYYY-MM") whose monthly report was produced (setting ``reports_exported``)."""
    return list(cdb.get_setting("reports_exported", []) or [])


def dashboard(cdb: CounterDB, year: int, month: int, *, now: datetime | None = None,
              cal: WorkCalendar | None = None, cache: FactsCache | None = None,
              trend_months: int = 12) -> Dashboard:
    """Refresh every figure of the supervisor's page for a month (run on the database worker)."""
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
    trend = cache.memoized(("series", year, month, trend_months),
                           lambda: series(f, months_back(year, month, trend_months)))
    figures = trend[-1]
    bl = cache.memoized(("backlog", now.date(), cal.overrides), lambda: backlog(f, cal, now.date()))
    t2 = time.perf_counter()
    deadlines = deadline_lists(cdb, now, cal, facts=f)
    reviews = pending_reviews(cdb, limit=100)
    sync = sync_health(cdb, now)
    reminder = report_due_reminder(now.date(), exported_reports(cdb))
    officers = {int(r["id"]): r["full_name"] for r in cdb.query("SELECT id, full_name FROM users")}
    procs = {r["code"]: r["name"] for r in cdb.query("SELECT code, name FROM procedures")}
    t3 = time.perf_counter()
    return Dashboard(year, month, now, figures, trend, bl, deadlines, reviews, sync, reminder, officers, procs,
                     cache.last_changed, {"facts": (t1 - t0) * 1000, "figures": (t2 - t1) * 1000,
                                          "lists": (t3 - t2) * 1000})


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


def backlog_components(cdb: CounterDB, dossier_id: int) -> list[dict[str, Any]]:
    """A backlog dossier's components still to digitise (name, whether it is a rescan)."""
    return cdb.query(
        "SELECT dc.id, dc.name, dc.review_state, dc.review_note FROM dossier_components dc "
        f"WHERE dc.dossier_id = ? AND dc.state = 'received' AND dc.exempt_reason IS NULL AND NOT {_COMPONENT_DONE} "
        "ORDER BY dc.position", (dossier_id,))

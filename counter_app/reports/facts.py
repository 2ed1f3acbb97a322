"""Per-dossier facts in numpy arrays and their incremental cache (Qt-free).

Every figure of the supervisor's page and of the monthly report is an aggregation of
:class:`Facts` — one small row of numbers per coded dossier — kept current by :class:`FactsCache`
(see :mod:`counter_app.reports.indicators` for why, and ``docs/indicators.md`` for the numbers).
Split from ``indicators.py`` (issue #17 item 7).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from counter_app.db.database import CounterDB
from counter_app.reports.periods import _statutory_keys

log = logging.getLogger(__name__)

__all__ = ["FACTS_SQL", "FINISHED_STATUSES", "PAPER_CHANNELS", "RUNNING_STATUSES", "Facts", "FactsCache",
           "load_facts"]

PAPER_CHANNELS = (1, 3)
# Deadlines run in these statuses; 5 (waiting for supplements) is paused and is neither overdue
# nor "due soon" — its due date moves when the supplements arrive (dossiers.supplement_received).
RUNNING_STATUSES = (2, 4, 6)
FINISHED_STATUSES = (9, 10)


# --- facts -------------------------------------------------------------------------------------

# One row per coded dossier. Dates become integers in SQL (days since 1970, months since year 0)
# so a million rows never pass through strptime.
_FACT_COLUMNS = (
    "id", "recv_day", "recv_month", "channel", "status", "officer", "procedure_code", "due_min",
    "fin_day", "fin_month", "on_time", "complaint", "rating", "n_req", "n_done", "reuse", "result",
    "scan_day", "rescan", "pay_due", "paid_online", "owner_counter",
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
       EXISTS (SELECT 1 FROM dossier_events e WHERE e.dossier_id = d.id AND e.kind = 'paid_online'),
       d.owner_counter
FROM dossiers d
WHERE d.code IS NOT NULL
"""
_DTYPES = {
    "id": np.int64, "recv_day": np.int32, "recv_month": np.int32, "channel": np.int8, "status": np.int8,
    "officer": np.int32, "procedure": np.int32, "due_min": np.int64, "fin_day": np.int32,
    "fin_month": np.int32, "on_time": np.bool_, "complaint": np.bool_, "rating": np.int8,
    "n_req": np.int16, "n_done": np.int16, "reuse": np.bool_, "result": np.bool_, "scan_day": np.int32,
    "rescan": np.bool_, "pay_due": np.bool_, "paid_online": np.bool_, "owner": np.int16,
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

    ``procedure`` indexes :attr:`procedures`; ``owner`` indexes :attr:`counters`, the receiving
    counter of a ward replica (issue #19; index 0 is ``''``, this counter's own dossiers); ``valid``
    is False for a dossier that lost its code or was deleted since the build (kept in place so
    positions stay stable). Arrays live in
    buffers with spare capacity so that the few dossiers received between two refreshes are
    appended without copying a million rows (amortised like a Python list).
    """

    def __init__(self, cols: dict[str, np.ndarray], procedures: list[str], valid: np.ndarray,
                 counters: list[str] | None = None) -> None:
        self._buf = dict(cols)
        self._valid = valid
        self._n = len(valid)
        self.procedures = procedures
        self.counters = counters if counters is not None else [""]
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



def _intern(values: Any, index: dict[str, int], names: list[str]) -> list[int]:
    """Small integer codes for text values; new values are appended to ``names`` (and ``index``)."""
    codes = []
    for value in values:
        if value not in index:
            index[value] = len(names)
            names.append(value)
        codes.append(index[value])
    return codes


def _rows_to_columns(rows: list[tuple[Any, ...]], procedures: list[str],
                     proc_index: dict[str, int], counters: list[str] | None = None) -> dict[str, np.ndarray]:
    counters = counters if counters is not None else [""]
    counter_index = {c: i for i, c in enumerate(counters)}
    cols = list(zip(*rows, strict=True)) if rows else [() for _ in _FACT_COLUMNS]
    out: dict[str, np.ndarray] = {}
    for name, values in zip(_FACT_COLUMNS, cols, strict=True):
        if name == "procedure_code":
            out["procedure"] = np.asarray(_intern(values, proc_index, procedures), dtype=np.int32)
        elif name == "owner_counter":
            out["owner"] = np.asarray(_intern(values, counter_index, counters), dtype=np.int16)
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
    counters = [""]
    cols = _rows_to_columns(rows, procedures, index, counters)
    return Facts(cols, procedures, np.ones(len(rows), dtype=np.bool_), counters)


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
    FILE_VERSION = 3  # 2: pay_due, paid_online (issue #16); 3: owner, counters (ward replica, issue #19)

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
                "procedures": f.procedures, "counters": f.counters}
        buf = io.BytesIO()
        arrays: dict[str, Any] = {"valid": f.valid, "meta": np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
                                  **{f"col_{k}": v for k, v in f.cols.items()}}
        np.savez(buf, **arrays)
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
                facts = Facts(cols, list(meta["procedures"]), z["valid"].copy(), list(meta["counters"]))
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
    counter_index = {c: i for i, c in enumerate(old.counters)}
    for c in new.counters:
        if c not in counter_index:
            counter_index[c] = len(old.counters)
            old.counters.append(c)
    new_cols = dict(new.cols)
    if len(new.valid):
        remap = np.asarray([index[c] for c in new.procedures], dtype=np.int32)
        new_cols["procedure"] = remap[new_cols["procedure"]]
        owners = np.asarray([counter_index[c] for c in new.counters], dtype=np.int16)
        new_cols["owner"] = owners[new_cols["owner"]]
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
    return Facts({k: v[order] for k, v in cols.items()}, old.procedures, valid[order], old.counters)

"""The outbox: one row per change to send to the provincial system — every statement about it.

Contract (docs/ARCHITECTURE.md «Outbox»):

- ``outbox(id, event_id UNIQUE, dossier_id, kind, payload JSON, created_at, state, attempts,
  next_attempt_at, last_error, synced_at)``; ``kind`` in :data:`KINDS`, ``state`` in :data:`STATES`.
- An entry is written by :func:`enqueue` **inside the caller's transaction**, together with the
  change it reports (a dossier row, its timeline event): after a crash both exist or neither does.
- The sync engine (:mod:`counter_app.sync.worker`) claims a unit of entries (:func:`claim`, marks
  them ``uploading``), sends outside any transaction, then records each outcome
  (:func:`mark_synced`, :func:`mark_retry`, :func:`mark_attempt`); a killed process leaves
  ``uploading`` rows that :func:`reset_uploading` puts back.
- Queue order is ``id`` (order of entry), never a timestamp, so a clock set back or ahead never
  reorders the queue. Times are database text (:mod:`counter_app.timefmt`).
- Read paths used every few seconds (:func:`counts`, :func:`oldest_unsynced`) go through the
  ``outbox_state(state, next_attempt_at)`` index one state at a time: the ``synced`` rows grow
  without bound (a million after a few years) and a ``WHERE state IN (…)`` scan of them took 0.7 s.

Functions that write take the caller's transaction when there is one (:meth:`CounterDB.write`
nests as a savepoint) and open their own otherwise.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from counter_app.db.database import CounterDB
from counter_app.timefmt import db_ts, try_parse_db_ts

STATES = ("pending", "uploading", "synced", "error", "conflict")
#: Not yet accepted by the province.
UNSYNCED = ("pending", "uploading", "error", "conflict")
#: Waiting to be sent or being sent (not parked).
WAITING = ("pending", "uploading")
#: Parked until someone acts («Gửi lại»).
PARKED = ("error", "conflict")
KINDS = ("dossier_upsert", "progress", "file")

__all__ = ["KINDS", "PARKED", "STATES", "UNSYNCED", "WAITING", "claim", "counts", "enqueue", "has_state", "latest_id",
           "list_entries", "mark_attempt", "mark_conflict", "mark_retry", "mark_synced", "oldest_unsynced",
           "park_foreign_records", "park_unit", "pending_upsert_for", "requeue_parked", "reset_uploading",
           "unsynced_for_dossier"]


# --- writing -------------------------------------------------------------------------------------

def enqueue(cdb: CounterDB, dossier_id: int | None, kind: str, payload: dict[str, Any], now: datetime, *,
            event_id: str | None = None) -> str:
    """Add a pending entry, due now, in the caller's transaction; returns its event id."""
    if kind not in KINDS:
        raise ValueError(f"unknown outbox kind {kind!r}")
    event_id = event_id or str(uuid.uuid4())
    at = db_ts(now)
    with cdb.write():
        cdb.conn.execute(
            "INSERT INTO outbox(event_id, dossier_id, kind, payload, created_at, next_attempt_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (event_id, dossier_id, kind, json.dumps(payload, ensure_ascii=False), at, at))
    return event_id


def insert_many_synced(cdb: CounterDB, rows: Iterable[tuple[Any, ...]]) -> None:
    """Bulk rows ``(event_id, dossier_id, payload_json, created_at, state, synced_at)`` of kind
    ``dossier_upsert`` (demo data: history that was already sent); caller's transaction."""
    cdb.conn.executemany(
        "INSERT INTO outbox(event_id, dossier_id, kind, payload, created_at, state, synced_at) "
        "VALUES (?,?,'dossier_upsert',?,?,?,?)", rows)


def set_payload(cdb: CounterDB, outbox_id: int, payload: dict[str, Any]) -> None:
    """Replace an entry's payload (the worker freezes a progress step at its first attempt)."""
    cdb.conn.execute("UPDATE outbox SET payload = ? WHERE id = ?",
                     (json.dumps(payload, ensure_ascii=False), int(outbox_id)))


def reset_uploading(cdb: CounterDB) -> int:
    """Put entries left 'uploading' by a killed process back to 'pending'; returns how many.

    First looks (an index read) and writes only when needed: it runs before every sync pass.
    """
    if not has_state(cdb, "uploading"):
        return 0
    with cdb.write():
        return int(cdb.conn.execute("UPDATE outbox SET state = 'pending' WHERE state = 'uploading'").rowcount)


def requeue_parked(cdb: CounterDB, now: datetime, outbox_id: int | None = None,
                   states: Sequence[str] = PARKED) -> int:
    """Parked entries (one, or all of ``states``) back to 'pending', due ``now``, attempts from zero."""
    marks = ",".join("?" * len(states))
    where = f"state IN ({marks})"
    params: list[Any] = [*states]
    if outbox_id is not None:
        where += " AND id = ?"
        params.append(int(outbox_id))
    with cdb.write():
        return int(cdb.conn.execute(
            f"UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?, last_error = NULL WHERE {where}",
            (db_ts(now), *params)).rowcount)


def make_due(cdb: CounterDB, now: datetime, *, only_later: bool = True) -> int:
    """Pending entries waiting out a back-off become due ``now`` (after an outage; «Đồng bộ ngay»).

    ``only_later=False`` also touches entries already due (no difference to the queue, kept for
    the «Đồng bộ ngay» button's historical behaviour).
    """
    at = db_ts(now)
    with cdb.write():
        if only_later:
            return int(cdb.conn.execute(
                "UPDATE outbox SET next_attempt_at = ? WHERE state = 'pending' AND next_attempt_at > ?",
                (at, at)).rowcount)
        return int(cdb.conn.execute("UPDATE outbox SET next_attempt_at = ? WHERE state = 'pending'", (at,)).rowcount)


def due_keys(cdb: CounterDB, now: datetime, horizon: datetime, limit: int) -> list[int]:
    """Units due now, in order of entry: the dossier id, or ``-id`` for an entry without a dossier.

    A retry time later than ``horizon`` can only come from a clock that was ahead: due too.
    """
    rows = cdb.query(
        "SELECT COALESCE(dossier_id, -id) AS k, MIN(id) AS first FROM outbox "
        "WHERE state = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ? OR next_attempt_at > ?) "
        "GROUP BY k ORDER BY first LIMIT ?", (db_ts(now), db_ts(horizon), int(limit)))
    return [int(r["k"]) for r in rows]


def heal_future_stamps(cdb: CounterDB, now: datetime, horizon: datetime, future: datetime) -> int:
    """Repair what a clock that ran ahead left: retry times beyond ``horizon`` become now; creation
    times beyond ``future`` become the next honestly-stamped entry's (or now). Returns rows touched."""
    now_text, horizon_text, future_text = db_ts(now), db_ts(horizon), db_ts(future)
    unsynced = "state IN ('pending', 'uploading', 'error', 'conflict')"
    if not cdb.scalar(f"SELECT 1 FROM outbox WHERE (state = 'pending' AND next_attempt_at > ?) "
                      f"OR ({unsynced} AND created_at > ?) LIMIT 1", (horizon_text, future_text)):
        return 0  # the usual case: no write transaction at all
    with cdb.write():
        n = cdb.conn.execute(
            "UPDATE outbox SET next_attempt_at = ? WHERE state = 'pending' AND next_attempt_at > ?",
            (now_text, horizon_text)).rowcount
        n += cdb.conn.execute(
            "UPDATE outbox SET created_at = COALESCE((SELECT MIN(later.created_at) FROM outbox AS later "
            f"WHERE later.id > outbox.id AND later.created_at <= ?1), ?1) WHERE {unsynced} AND created_at > ?2",
            (now_text, future_text)).rowcount
    return int(n)


def claim(cdb: CounterDB, key: int) -> list[dict[str, Any]]:
    """In the caller's transaction: a unit's entries, marked 'uploading' (empty: nothing to send).

    ``key`` > 0 is a dossier: its pending entries, plus its parked upserts and files (the latest
    state supersedes an upsert refused earlier; a file that now uploads clears its own parked
    entry). ``key`` < 0 is the lone entry ``-key``.
    """
    if key > 0:
        entries = cdb.query(
            "SELECT * FROM outbox WHERE dossier_id = ? AND (state = 'pending' OR "
            "(state = 'error' AND kind IN ('dossier_upsert', 'file'))) ORDER BY id", (key,))
    else:
        entries = cdb.query("SELECT * FROM outbox WHERE id = ? AND state = 'pending'", (-key,))
    if entries:
        ids = [e["id"] for e in entries]
        cdb.conn.execute(f"UPDATE outbox SET state = 'uploading' WHERE id IN ({','.join('?' * len(ids))})", ids)
    return entries


def park_unit(cdb: CounterDB, key: int, now: datetime, message: str) -> None:
    """A unit that could not even be built: its pending entries parked in 'error' with ``message``."""
    where = "dossier_id = ?" if key > 0 else "id = ?"
    cdb.conn.execute(
        f"UPDATE outbox SET state = 'error', attempts = attempts + 1, next_attempt_at = ?, last_error = ? "
        f"WHERE {where} AND state = 'pending'", (db_ts(now), message, abs(key)))


def mark_synced(cdb: CounterDB, outbox_id: int, now: datetime) -> None:
    """The province accepted the entry."""
    cdb.conn.execute("UPDATE outbox SET state = 'synced', synced_at = ?, last_error = NULL WHERE id = ?",
                     (db_ts(now), int(outbox_id)))


def mark_retry(cdb: CounterDB, outbox_id: int, message: str, next_at: datetime | None = None) -> None:
    """Back to 'pending' without charging an attempt (not this entry's fault, or deferred)."""
    if next_at is None:
        cdb.conn.execute("UPDATE outbox SET state = 'pending', last_error = ? WHERE id = ?", (message, int(outbox_id)))
    else:
        cdb.conn.execute("UPDATE outbox SET state = 'pending', next_attempt_at = ?, last_error = ? WHERE id = ?",
                         (db_ts(next_at), message, int(outbox_id)))


def mark_attempt(cdb: CounterDB, outbox_id: int, state: str, attempts: int, next_at: datetime, message: str) -> None:
    """A failed attempt: 'pending' (retry at ``next_at``), 'error' or 'conflict' (parked)."""
    if state not in STATES:
        raise ValueError(f"unknown outbox state {state!r}")
    cdb.conn.execute("UPDATE outbox SET state = ?, attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?",
                     (state, int(attempts), db_ts(next_at), message, int(outbox_id)))


def mark_conflict(cdb: CounterDB, outbox_id: int) -> None:
    """Park an entry as 'conflict' (another counter acted on the dossier first)."""
    cdb.conn.execute("UPDATE outbox SET state = 'conflict' WHERE id = ?", (int(outbox_id),))


def park_foreign_records(cdb: CounterDB, dossier_id: int, now: datetime, message: str) -> int:
    """Park as 'conflict' every pending/failed entry of a replica that is not a ward action.

    A record of another counter's dossier must never travel (the receiving counter owns it);
    'conflict' is a state the push never picks up again by itself. Caller's transaction; returns how many.
    """
    return int(cdb.conn.execute(
        "UPDATE outbox SET state = 'conflict', attempts = attempts + 1, next_attempt_at = ?, last_error = ? "
        "WHERE dossier_id = ? AND state IN ('pending', 'error') "
        "AND json_extract(payload, '$.reason') IS NOT 'ward_action'",
        (db_ts(now), message, int(dossier_id))).rowcount)


# --- reading -------------------------------------------------------------------------------------

def has_state(cdb: CounterDB, *states: str) -> bool:
    """Whether any entry is in one of ``states`` (an index read)."""
    return any(cdb.scalar("SELECT 1 FROM outbox WHERE state = ? LIMIT 1", (s,)) for s in states)


def latest_id(cdb: CounterDB) -> int | None:
    """The newest entry's id (the sync loop's cheap "did the outbox grow" check)."""
    value = cdb.scalar("SELECT MAX(id) FROM outbox")
    return None if value is None else int(value)


def counts(cdb: CounterDB, *, include_synced: bool = False) -> dict[str, int]:
    """Entries per state; 'synced' (unbounded) only when asked for."""
    states = STATES if include_synced else UNSYNCED
    return {s: int(cdb.scalar("SELECT count(*) FROM outbox WHERE state = ?", (s,))) for s in states}


def oldest_unsynced(cdb: CounterDB, known_counts: dict[str, int] | None = None) -> datetime | None:
    """Creation time of the oldest entry not yet accepted (None: all sent).

    ``INDEXED BY``: ANALYZE sees ~2 states over a million rows and would rather scan the table.
    """
    found = [cdb.scalar("SELECT MIN(created_at) FROM outbox INDEXED BY outbox_state WHERE state = ?", (s,))
             for s in UNSYNCED if known_counts is None or known_counts.get(s)]
    stamps = [t for t in (try_parse_db_ts(x) for x in found) if t is not None]
    return min(stamps, default=None)


def unsynced_count(cdb: CounterDB) -> int:
    """Entries not yet accepted by the province."""
    return sum(counts(cdb).values())


def unsynced_for_dossier(cdb: CounterDB, dossier_id: int, states: Sequence[str] = ("pending", "uploading", "error"),
                         *, kind: str | None = None) -> bool:
    """Whether the dossier has an entry in ``states`` (of ``kind``, if given)."""
    sql = f"SELECT 1 FROM outbox WHERE dossier_id = ? AND state IN ({','.join('?' * len(states))})"
    params: list[Any] = [int(dossier_id), *states]
    if kind is not None:
        sql += " AND kind = ?"
        params.append(kind)
    return bool(cdb.scalar(sql + " LIMIT 1", params))


def pending_upsert_for(cdb: CounterDB, dossier_id: int, reason: str) -> bool:
    """Whether a pending ``dossier_upsert`` of this dossier with ``payload.reason == reason`` waits."""
    return bool(cdb.scalar(
        "SELECT 1 FROM outbox WHERE dossier_id = ? AND state = 'pending' AND kind = 'dossier_upsert' "
        "AND json_extract(payload, '$.reason') = ? LIMIT 1", (int(dossier_id), reason)))


def dossier_sent_before(cdb: CounterDB, dossier_id: int) -> bool:
    """The province already holds this dossier (an upsert of it was accepted)."""
    return bool(cdb.scalar(
        "SELECT 1 FROM outbox WHERE dossier_id = ? AND kind = 'dossier_upsert' AND state = 'synced' LIMIT 1",
        (int(dossier_id),)))


def unacked_status_change(cdb: CounterDB, dossier_id: int) -> bool:
    """A status change of this dossier not yet accepted by the province (the pull must not undo it)."""
    return bool(cdb.scalar(
        "SELECT 1 FROM outbox WHERE dossier_id = ? AND kind = 'dossier_upsert' AND state <> 'synced' "
        "AND json_extract(payload, '$.reason') LIKE 'status\\_%' ESCAPE '\\' LIMIT 1", (int(dossier_id),)))


def list_entries(cdb: CounterDB, state: str | None = None, limit: int = 200,
                 before_id: int | None = None) -> list[dict[str, Any]]:
    """Entries with their dossier code, newest first, optionally of one state; page with ``before_id``."""
    clauses: list[str] = []
    params: list[Any] = []
    if state is not None:
        if state not in STATES:
            raise ValueError(f"unknown outbox state {state!r}")
        clauses.append("o.state = ?")
        params.append(state)
    if before_id is not None:
        clauses.append("o.id < ?")
        params.append(int(before_id))
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    return cdb.query(
        "SELECT o.id, o.kind, o.dossier_id, o.state, o.attempts, o.created_at, o.next_attempt_at, o.synced_at, "
        f"o.last_error, d.code FROM outbox o LEFT JOIN dossiers d ON d.id = o.dossier_id{where} "
        "ORDER BY o.id DESC LIMIT ?", [*params, int(limit)])


def waiting_by_field(cdb: CounterDB) -> list[dict[str, Any]]:
    """Dossiers with an unsent record, counted per procedure field (``field_code``, ``field_name``,
    ``dossiers``): the admin's «field codes to map before sync» list."""
    return cdb.query(
        """SELECT p.field_code, p.field_name, count(DISTINCT o.dossier_id) AS dossiers
           FROM outbox o JOIN dossiers d ON d.id = o.dossier_id JOIN procedures p ON p.code = d.procedure_code
           WHERE o.kind = 'dossier_upsert' AND o.state IN ('pending', 'error', 'uploading')
           GROUP BY p.field_code, p.field_name ORDER BY p.field_code""")


def unsent(cdb: CounterDB, limit: int = 100) -> list[dict[str, Any]]:
    """Entries waiting or failed ('pending', 'uploading', 'error'), oldest first."""
    return cdb.query(
        "SELECT * FROM outbox WHERE state IN ('pending','uploading','error') ORDER BY id LIMIT ?", (int(limit),))

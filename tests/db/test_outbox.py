"""db/outbox.py owns the outbox contract: written with the change, claimed, recorded, counted."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from counter_app.db import outbox
from counter_app.db.database import CounterDB

T0 = datetime(2026, 10, 8, 9, 0, 0)


def _state(cdb: CounterDB, outbox_id: int) -> str:
    return str(cdb.scalar("SELECT state FROM outbox WHERE id = ?", (outbox_id,)))


def test_enqueue_is_part_of_the_callers_transaction(cdb: CounterDB) -> None:
    with pytest.raises(RuntimeError), cdb.write():
        outbox.enqueue(cdb, None, "progress", {"reason": "x"}, T0)
        raise RuntimeError("the change failed")
    assert outbox.counts(cdb) == {"pending": 0, "uploading": 0, "error": 0, "conflict": 0}
    event = outbox.enqueue(cdb, None, "progress", {"reason": "thử"}, T0)
    row = cdb.query_one("SELECT * FROM outbox WHERE event_id = ?", (event,))
    assert row is not None and row["state"] == "pending" and row["created_at"] == "2026-10-08 09:00:00"
    assert row["next_attempt_at"] == row["created_at"] and "thử" in row["payload"]  # readable JSON
    with pytest.raises(ValueError):
        outbox.enqueue(cdb, None, "email", {}, T0)


def test_claim_record_and_counts(cdb: CounterDB) -> None:
    outbox.enqueue(cdb, None, "progress", {"n": 1}, T0)
    outbox.enqueue(cdb, None, "progress", {"n": 2}, T0 + timedelta(minutes=5))
    keys = outbox.due_keys(cdb, T0 + timedelta(hours=1), T0 + timedelta(days=1), 10)
    assert len(keys) == 2 and all(k < 0 for k in keys)  # lone entries: keyed by -id, in order of entry
    with cdb.write():
        [entry] = outbox.claim(cdb, keys[0])
    assert _state(cdb, entry["id"]) == "uploading" and outbox.has_state(cdb, "uploading")
    assert outbox.oldest_unsynced(cdb) == T0
    with cdb.write():
        outbox.mark_synced(cdb, entry["id"], T0 + timedelta(hours=1))
    assert outbox.counts(cdb, include_synced=True)["synced"] == 1
    assert outbox.oldest_unsynced(cdb) == T0 + timedelta(minutes=5)
    with cdb.write():
        [second] = outbox.claim(cdb, keys[1])
        outbox.mark_attempt(cdb, second["id"], "error", 5, T0, "Máy chủ từ chối")
    assert outbox.counts(cdb)["error"] == 1 and outbox.unsynced_count(cdb) == 1
    assert outbox.list_entries(cdb, "error")[0]["id"] == second["id"]
    assert outbox.requeue_parked(cdb, T0 + timedelta(hours=2), second["id"]) == 1
    row = cdb.query_one("SELECT * FROM outbox WHERE id = ?", (second["id"],))
    assert row is not None and (row["state"], row["attempts"], row["last_error"]) == ("pending", 0, None)


def test_a_killed_pass_is_recovered_and_a_future_clock_healed(cdb: CounterDB) -> None:
    outbox.enqueue(cdb, None, "progress", {}, T0 + timedelta(days=365))  # stamped by a clock a year ahead
    [key] = outbox.due_keys(cdb, T0, T0 + timedelta(hours=1), 10)  # a retry time past the horizon is due
    with cdb.write():
        outbox.claim(cdb, key)
    assert outbox.reset_uploading(cdb) == 1 and outbox.reset_uploading(cdb) == 0
    assert outbox.heal_future_stamps(cdb, T0, T0 + timedelta(hours=1), T0 + timedelta(minutes=5)) == 2
    assert outbox.oldest_unsynced(cdb) == T0


def test_queue_status_and_supervisor_sync_health_are_one_snapshot(cdb: CounterDB) -> None:
    from counter_app.reports.sync_health import sync_health
    from counter_app.sync.status import queue_status

    outbox.enqueue(cdb, None, "progress", {}, T0)
    now = T0 + timedelta(hours=3)
    st, health = queue_status(cdb, now), sync_health(cdb, now)
    assert health["queue"] == st.unsynced == 1
    assert health["oldest_age_s"] == st.oldest_unsynced_age == 3 * 3600
    assert health["counts"] == st.counts


def test_only_db_outbox_holds_outbox_sql() -> None:
    """Every statement about the outbox lives in db/outbox.py (schema.py creates the table)."""
    import re
    from pathlib import Path

    root = Path(outbox.__file__).resolve().parents[2]
    sql = re.compile(r"\b(?:FROM|INTO|UPDATE|JOIN)\s+outbox\b", re.IGNORECASE)
    found = {}
    for path in (root / "counter_app").rglob("*.py"):
        rel = path.relative_to(root).as_posix()
        if rel in ("counter_app/db/outbox.py", "counter_app/db/schema.py"):
            continue
        n = len(sql.findall(path.read_text(encoding="utf-8")))
        if n:
            found[rel] = n
    assert not found, f"outbox SQL outside counter_app/db/outbox.py: {found}"
    assert sql.search('cdb.query("SELECT * FROM outbox WHERE id = ?")')

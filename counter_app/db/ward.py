"""The ward as this counter knows it (issue #19): counters, replica freshness and sync conflicts.

Every counter of a ward syncs to the provincial system, so the province is the ward's shared
record: each PC pulls the other counters' dossiers from it into its own database as **replicas**
(``dossiers.owner_counter`` = the receiving counter's id, '' for this counter's own). This module
holds the small tables around that (migration ``0010_ward_replica``):

* ``ward_counters`` — one row per counter of the ward: ``last_push_at`` is the province's record
  of the counter's last accepted push (how fresh its data is *at the province*), ``pulled_at`` when
  this PC last pulled data covering it. The row of this counter (``is_self``) is kept current by
  the sync worker after each successful push.
* ``sync_conflicts`` — an action of this counter on a dossier that another counter changed first
  at the province (the first to reach the province wins). The local action and the province's
  state are both kept, as JSON, until an officer acknowledges the entry.

Times are the database's local time text (``YYYY-MM-DD HH:MM:SS``, Asia/Ho_Chi_Minh).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from counter_app.db.database import CounterDB
from counter_app.timefmt import db_ts


def counter_id(cdb: CounterDB) -> str:
    """This counter's id in the ward: ``<agency code>-<workstation slot>`` (e.g. ``000.00.00.H01-2``).

    Both parts are chosen at first-run setup and never change; slots are unique within an agency
    (dossier codes already depend on it, :mod:`counter_app.domain.codes`), so the pair names one
    counter across the province. The province learns it from ``MaQuay`` in every dossier record.
    """
    agency = str(cdb.get_setting("agency_code") or "")
    slot = cdb.get_setting("workstation_slot", 0)
    return f"{agency}-{int(slot or 0)}"


def counter_name(counter: str) -> str:
    """What an officer reads for a counter id: «Quầy 2» for ``…-2`` (the id itself if unusual)."""
    _, _, slot = counter.rpartition("-")
    return f"Quầy {slot}" if slot.isdigit() else counter


def _now() -> str:
    return db_ts(datetime.now())


def ensure_self(cdb: CounterDB, *, pushed_at: str | None = None) -> str:
    """Make sure this counter's own ``ward_counters`` row exists; set ``last_push_at`` when given.

    Called by the sync worker after a successful push (so the self row says how fresh this
    counter's data is at the province) and harmless to call any time. Returns the counter id.
    """
    me = counter_id(cdb)
    agency = str(cdb.get_setting("agency_code") or "")
    with cdb.write():
        cdb.conn.execute(
            "INSERT INTO ward_counters(counter_id, name, agency_code, is_self, last_push_at) "
            "VALUES (?, ?, ?, 1, ?) ON CONFLICT(counter_id) DO UPDATE SET is_self = 1, "
            "last_push_at = COALESCE(excluded.last_push_at, ward_counters.last_push_at)",
            (me, counter_name(me), agency, pushed_at),
        )
        # A changed agency code or slot (re-setup) leaves one stale self row: only one is "me".
        cdb.conn.execute("UPDATE ward_counters SET is_self = 0 WHERE is_self = 1 AND counter_id <> ?", (me,))
    return me


def upsert_counter(cdb: CounterDB, counter: str, *, agency_code: str, last_push_at: str | None,
                   pulled_at: str | None, name: str = "") -> None:
    """Record what a pull said about one counter (inside the caller's transaction, if any)."""
    with cdb.write():
        cdb.conn.execute(
            "INSERT INTO ward_counters(counter_id, name, agency_code, last_push_at, pulled_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(counter_id) DO UPDATE SET "
            "name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE ward_counters.name END, "
            "agency_code = excluded.agency_code, "
            "last_push_at = COALESCE(excluded.last_push_at, ward_counters.last_push_at), "
            "pulled_at = COALESCE(excluded.pulled_at, ward_counters.pulled_at)",
            (counter, name or counter_name(counter), agency_code, last_push_at, pulled_at),
        )


def list_counters(cdb: CounterDB) -> list[dict[str, Any]]:
    """Every counter this PC knows, self first, then by id."""
    return cdb.query("SELECT counter_id, name, agency_code, is_self, last_push_at, pulled_at "
                     "FROM ward_counters ORDER BY is_self DESC, counter_id")


def record_conflict(cdb: CounterDB, *, dossier_uid: str, dossier_code: str | None, action: str,
                    local_detail: dict[str, Any], province_detail: dict[str, Any]) -> int:
    """Keep one refused action with both sides (inside the caller's transaction, if any)."""
    with cdb.write():
        cur = cdb.conn.execute(
            "INSERT INTO sync_conflicts(dossier_uid, dossier_code, action, local_detail, province_detail, "
            "detected_at) VALUES (?, ?, ?, ?, ?, ?)",
            (dossier_uid, dossier_code, action, json.dumps(local_detail, ensure_ascii=False),
             json.dumps(province_detail, ensure_ascii=False), _now()),
        )
        return int(cur.lastrowid or 0)


def list_conflicts(cdb: CounterDB, *, include_acknowledged: bool = False) -> list[dict[str, Any]]:
    """Conflicts, newest first, with ``local``/``province`` decoded from their JSON."""
    where = "" if include_acknowledged else "WHERE acknowledged_at IS NULL"
    rows = cdb.query(f"SELECT * FROM sync_conflicts {where} ORDER BY detected_at DESC, id DESC")
    for r in rows:
        r["local"] = json.loads(r["local_detail"])
        r["province"] = json.loads(r["province_detail"])
    return rows


def open_conflict_count(cdb: CounterDB) -> int:
    """How many conflicts still wait for an officer to look at them."""
    return int(cdb.scalar("SELECT COUNT(*) FROM sync_conflicts WHERE acknowledged_at IS NULL") or 0)


def acknowledge_conflict(cdb: CounterDB, conflict_id: int, user_id: int | None) -> bool:
    """Mark a conflict as seen by an officer; False when it was already acknowledged or unknown."""
    with cdb.write():
        cur = cdb.conn.execute(
            "UPDATE sync_conflicts SET acknowledged_at = ?, acknowledged_by = ? "
            "WHERE id = ? AND acknowledged_at IS NULL", (_now(), user_id, conflict_id))
        return cur.rowcount == 1

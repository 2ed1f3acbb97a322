"""Sync health for the supervisor: queue, oldest unsynced entry, errors, last success (Qt-free).

Split from ``indicators.py`` (issue #17 item 7).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from counter_app.db.database import CounterDB
from counter_app.db.dossiers import TS

__all__ = ["sync_health"]

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

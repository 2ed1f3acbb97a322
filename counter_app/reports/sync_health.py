"""Sync health for the supervisor: queue, oldest unsynced entry, errors, last success (Qt-free).

Split from ``indicators.py`` (issue #17 item 7).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from counter_app.db.database import CounterDB

__all__ = ["sync_health"]


def sync_health(cdb: CounterDB, now: datetime) -> dict[str, Any]:
    """Queue length, oldest unsynced age, errors and last successful sync, for the supervisor.

    The same snapshot as the sync page and the status bar (:func:`counter_app.sync.status.queue_status`,
    on :mod:`counter_app.db.outbox`), reshaped for the supervision views.
    """
    from counter_app.sync.status import queue_status

    st = queue_status(cdb, now)
    return {
        "queue": st.unsynced,
        "counts": dict(st.counts),
        "errors": st.errors,
        "oldest_at": st.oldest_unsynced_at,
        "oldest_age_s": st.oldest_unsynced_age,
        "last_success_at": st.last_success_at,
        "last_error": st.last_error_message or st.last_error_kind or "",
        "last_error_at": st.last_error_at,
    }

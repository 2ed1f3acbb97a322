"""Sync control for the «Đồng bộ» page and the status bar: the queue snapshot, sync now, retry, settings.

Plain functions on a :class:`CounterDB`, run on the database worker; the background sync thread
itself (``counter_app.sync.runner``) has its own connection and is woken by the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from counter_app.db.database import CounterDB
from counter_app.db.settings import SyncSettings

__all__ = ["SYNC_CONFIG_KEYS", "SyncBarStatus", "SyncPageData", "bar_status", "make_pending_due", "page_data",
           "retry_all", "retry_items", "save_sync_settings", "warn_days"]

#: The connection settings the page shows (the password is write-only: never read back to a screen).
SYNC_CONFIG_KEYS = ("provincial_endpoint", "sync_username", "sync_ca_file")


@dataclass(frozen=True)
class SyncPageData:
    """One snapshot of the queue for the page: its summary, the listed items and the connection settings."""

    status: Any  # counter_app.sync.status.QueueStatus
    items: list[Any]
    config: dict[str, str]
    warn_days: float


@dataclass(frozen=True)
class SyncBarStatus:
    """What the status bar says about sync: the queue summary, whether sync is set up, the age limit."""

    status: Any  # counter_app.sync.status.QueueStatus
    configured: bool
    warn_days: float


def warn_days(cdb: CounterDB) -> float:
    """Days after which an unsynced item is flagged (setting ``sync_warn_days``, default 2)."""
    return SyncSettings.load(cdb).warn_days


def page_data(cdb: CounterDB, state: str | None, *, limit: int = 300) -> SyncPageData:
    """The queue summary, up to ``limit`` items in ``state`` (all when ``None``) and the settings shown."""
    from counter_app.sync import status as sync_status

    settings = SyncSettings.load(cdb)
    config = {"provincial_endpoint": settings.endpoint, "sync_username": settings.username,
              "sync_ca_file": settings.ca_file}
    return SyncPageData(sync_status.queue_status(cdb), sync_status.list_items(cdb, state, limit=limit), config,
                        settings.warn_days)


def bar_status(cdb: CounterDB, now: datetime | None = None) -> SyncBarStatus:
    """The status bar's sync snapshot (the same queue counts as the page)."""
    from counter_app.sync import status as sync_status

    st = sync_status.queue_status(cdb, now or datetime.now())
    settings = SyncSettings.load(cdb)
    return SyncBarStatus(st, settings.configured, settings.warn_days)


def make_pending_due(cdb: CounterDB, now: datetime | None = None) -> None:
    """«Đồng bộ ngay»: every waiting entry becomes due now (the officer asked, so backoff delays are skipped)."""
    from counter_app.db import outbox

    outbox.make_due(cdb, now or datetime.now(), only_later=False)


def retry_items(cdb: CounterDB, ids: list[int]) -> None:
    """Put the given parked entries back in the queue."""
    from counter_app.sync.worker import retry_item

    for item_id in ids:
        retry_item(cdb, item_id)


def retry_all(cdb: CounterDB) -> None:
    """Put every parked entry back in the queue."""
    from counter_app.sync.worker import retry_all_errors

    retry_all_errors(cdb)


def save_sync_settings(cdb: CounterDB, values: dict[str, str]) -> None:
    """Store the connection settings in one transaction; the password is sealed when the data is encrypted."""
    from counter_app.db.privacy import SECRET_SETTINGS, set_secret_setting

    with cdb.write():
        for k, v in values.items():
            if k in SECRET_SETTINGS:
                set_secret_setting(cdb, k, v)
            else:
                cdb.set_setting(k, v)

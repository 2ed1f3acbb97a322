"""Backup use cases the screens call: status, back up now, verify, restore, the schedule's settings.

The work itself lives in :mod:`counter_app.db.backup` (files, manifest, restore, start-up check);
this module is the one door the UI goes through, so ``counter_app.ui`` imports no ``db`` module.
File work (copying to a USB disk, verifying, restoring) runs on the processing pool, the
bookkeeping (:func:`record_backup`, :func:`record_restore` …) on the database worker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from counter_app.db import audit
from counter_app.db.accounts import PermissionDenied, User, require
from counter_app.db.backup import (
    DEFAULT_INTERVAL_HOURS,
    DEFAULT_KEEP,
    MAX_INTERVAL_HOURS,
    MAX_KEEP,
    AppliedRestore,
    BackupDetails,
    BackupResult,
    BackupStatus,
    PendingRestore,
    StartupReport,
    audit_verify_report,
    backup_details,
    backup_status,
    cancel_pending_restore,
    create_backup,
    pending_restore,
    prepare_restore,
    record_backup,
    record_verification,
    restore_at_startup,
    save_backup_settings,
    verification_states,
    verify_backup,
)
from counter_app.db.database import CounterDB
from counter_app.db.settings import BackupSettings
from counter_app.services.session import Actor, require_actor

__all__ = [
    "DEFAULT_INTERVAL_HOURS",
    "DEFAULT_KEEP",
    "MAX_INTERVAL_HOURS",
    "MAX_KEEP",
    "AppliedRestore",
    "BackupDetails",
    "BackupResult",
    "BackupSettingsView",
    "BackupStatus",
    "PendingRestore",
    "StartupReport",
    "audit_verify_report",
    "backup_details",
    "backup_settings",
    "backup_status",
    "cancel_pending_restore",
    "create_backup",
    "pending_restore",
    "prepare_restore",
    "prepare_restore_as",
    "record_backup",
    "record_restore",
    "record_verification",
    "restore_at_startup",
    "save_backup_settings",
    "save_schedule",
    "verification_states",
    "verify_backup",
]


@dataclass(frozen=True)
class BackupSettingsView:
    """The schedule's settings as the backup panel shows them, with the last check of each backup."""

    folder: str
    interval: Any
    keep: Any
    checks: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        """The panel's form reads a mapping (``folder``, ``interval``, ``keep``, ``checks``)."""
        return {"folder": self.folder, "interval": self.interval, "keep": self.keep, "checks": self.checks}


def backup_settings(cdb: CounterDB) -> BackupSettingsView:
    """Where backups go, how often, how many are kept, and what each verification found."""
    settings = BackupSettings.load(cdb)
    return BackupSettingsView(folder=settings.folder, interval=settings.interval_hours, keep=settings.keep,
                              checks=verification_states(cdb))


def record_restore(cdb: CounterDB, actor: Actor | None, backup_name: str, pending: PendingRestore) -> None:
    """A restore was prepared by ``actor``: recorded in the live audit trail (it moves aside with the folder)."""
    who = require_actor(actor)
    audit.append(cdb, who.user_id, "restore", "backup", backup_name,
                 {"pending": True, "restored": pending.restored.name})


def save_schedule(cdb: CounterDB, user: User | None, folder: str, interval_hours: float, keep: int) -> None:
    """Store where backups go, how often and how many are kept — an administrator's change, audited.

    ``user`` is the signed-in account as the panel holds it; its role is checked here, on the worker,
    so a panel left open by someone else cannot store a change.
    """
    if user is None:
        raise PermissionDenied("Cần đăng nhập bằng tài khoản Quản trị viên.")
    require(user, "settings.change")
    save_backup_settings(cdb, folder, interval_hours, keep, user.id)


def prepare_restore_as(user: User, backup_path: str | Path, data_root: str | Path,
                       progress: Callable[[int, int], None] | None = None) -> PendingRestore:
    """Restore ``backup_path`` into a new folder beside the data (swapped in at the next start), as an
    administrator; file work, for the processing pool."""
    require(user, "backup.restore")
    return prepare_restore(backup_path, data_root, user_id=user.id, progress=progress)

"""Backups (sao lưu) to a chosen folder — normally a USB disk — with rotation, verified restore,
and the integrity check at start.

The package, by concern (callers import the public names from here):

* :mod:`.files` — folder layout, hashing, crash-safe copies, reading a manifest, listing backups;
* :mod:`.create` — snapshot + copy + manifest + rotation (:func:`create_backup`);
* :mod:`.schedule` — when a backup is due, the settings, what the settings page lists;
* :mod:`.verify` — re-hashing a backup (:func:`verify_backup`);
* :mod:`.restore` — restore into a new folder, the swap, the pending-restore marker;
* :mod:`.startup` — the check before the app opens its data, and the audit-chain check against
  the anchors backups keep.

A backup is one folder ``qmc-backup-YYYYmmdd-HHMMSS`` holding

* ``counter.sqlite3`` — an online snapshot made with SQLite's backup API (``Connection.backup``):
  consistent even while the counter keeps working (WAL: readers never block the writer), then
  switched to a self-contained rollback-journal file and checked with ``PRAGMA integrity_check``;
* ``scans/`` and ``documents/`` — copies of the data directory's files (temporary files of
  interrupted writes are skipped); a file unchanged since the previous backup in the same folder
  is hard-linked instead of copied where the file system allows it (NTFS/ext4 yes, FAT32/exFAT
  USB sticks no — then it is copied), so a daily backup of a 20 GB archive costs only the new scans;
* ``manifest.json`` — SHA-256 and size of every file, the database's hash, its migrations and the
  **audit-chain head** (an anchor that lets :func:`counter_app.db.audit.verify_chain` notice a
  truncated or rewritten audit log later).

Crash safety: everything is written under ``.partial-…`` in the target folder, fsync'ed, and the
folder is renamed to its final name only when complete; a power cut leaves a ``.partial`` folder
that the next backup deletes, never a backup that looks complete but is not. Rotation deletes the
oldest *complete* backups beyond ``keep`` only after the new one is in place.

Restore never overwrites: :func:`restore_backup` verifies the backup, copies it into a *new*
data directory (verifying every hash again after the copy), opens and checks the database there,
and only then gives the folder its name. :func:`replace_data_dir` moves the damaged directory aside
(kept for inspection) and puts the restored one in its place.

Encrypted scans (:mod:`counter_app.crypto`) are backed up as they are on disk — encrypted — so a
backup is as unreadable as the data directory; restoring it needs the key (key file + passphrase
or recovery key), which is why the key file is part of every backup.
"""

from __future__ import annotations

from counter_app.db.backup.create import DEFAULT_KEEP, BackupResult, create_backup
from counter_app.db.backup.files import (
    BACKUP_PREFIX,
    DB_NAME,
    EXTRA_FILES,
    FILE_DIRS,
    MANIFEST,
    BackupInfo,
    list_backups,
)
from counter_app.db.backup.restore import (
    AppliedRestore,
    PendingRestore,
    RestoreReport,
    apply_pending_restore,
    cancel_pending_restore,
    pending_restore,
    prepare_restore,
    replace_data_dir,
    restore_at_startup,
    restore_backup,
)
from counter_app.db.backup.schedule import (
    DEFAULT_INTERVAL_HOURS,
    MAX_INTERVAL_HOURS,
    MAX_KEEP,
    SETTING_KEYS,
    BackupDetails,
    BackupStatus,
    backup_details,
    backup_due,
    backup_status,
    record_backup,
    record_verification,
    save_backup_settings,
    verification_states,
)
from counter_app.db.backup.startup import (
    STARTUP_AUDIT_WINDOW,
    StartupReport,
    audit_anchors,
    audit_verify_report,
    clean_temp_files,
    startup_check,
)
from counter_app.db.backup.verify import verify_backup

__all__ = [
    "BACKUP_PREFIX",
    "DB_NAME",
    "DEFAULT_INTERVAL_HOURS",
    "DEFAULT_KEEP",
    "EXTRA_FILES",
    "FILE_DIRS",
    "MANIFEST",
    "MAX_INTERVAL_HOURS",
    "MAX_KEEP",
    "SETTING_KEYS",
    "STARTUP_AUDIT_WINDOW",
    "AppliedRestore",
    "BackupDetails",
    "BackupInfo",
    "BackupResult",
    "BackupStatus",
    "PendingRestore",
    "RestoreReport",
    "StartupReport",
    "apply_pending_restore",
    "audit_anchors",
    "audit_verify_report",
    "backup_details",
    "backup_due",
    "backup_status",
    "cancel_pending_restore",
    "clean_temp_files",
    "create_backup",
    "list_backups",
    "pending_restore",
    "prepare_restore",
    "record_backup",
    "record_verification",
    "replace_data_dir",
    "restore_at_startup",
    "restore_backup",
    "save_backup_settings",
    "startup_check",
    "verification_states",
    "verify_backup",
]

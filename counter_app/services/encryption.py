"""Switching encryption on for a data directory that already holds plain data, and finishing it.

The order makes every interruption safe:

1. the key file is created (from then on every *new* scan, form and personal field is encrypted)
   and the setting ``encryption_pending`` is set;
2. the existing personal fields are sealed in batches (one transaction each);
3. the existing files are encrypted one by one (atomic rename, row updated after; a re-run
   recognises a file already encrypted whose row was not yet updated);
4. ``encryption_pending`` is cleared.

Readers accept plain and encrypted values side by side, so the counter keeps working while the
job runs and after a power cut in the middle; :func:`resume_encryption` (called after the keys are
opened at the next start) finishes what was left.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from counter_app import vault

if TYPE_CHECKING:
    from counter_app.db.database import CounterDB

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
PENDING = "encryption_pending"

__all__ = ["PENDING", "Progress", "enable_encryption", "encryption_pending", "resume_encryption"]


def encryption_pending(cdb: CounterDB) -> bool:
    """True while existing data of an encrypted directory is still being sealed (or its dossier
    fields are still sealed to their column only and wait to be bound to their row)."""
    from counter_app.db.privacy import UNBOUND_SETTING

    return bool(cdb.get_setting(PENDING, False)) or bool(cdb.get_setting(UNBOUND_SETTING, False))


def _record(cdb: CounterDB, action: str, user_id: int | None, detail: dict[str, object]) -> None:
    from counter_app.db import audit

    with cdb.write():
        audit.append(cdb, user_id, action, detail=detail)


def resume_encryption(cdb: CounterDB, *, progress: Progress | None = None) -> dict[str, int]:
    """Seal the personal fields and encrypt the files still plain; idempotent, resumable."""
    from counter_app.db import files, privacy

    vault.require_ring(cdb.root)
    if not vault.encryption_on(cdb.root):
        return {}

    def fields_progress(done: int, total: int) -> None:
        if progress:
            progress("fields", done, total)

    def files_progress(done: int, total: int) -> None:
        if progress:
            progress("files", done, total)

    counts = dict(privacy.seal_existing(cdb, progress=fields_progress))
    counts["files"] = files.encrypt_existing_files(cdb, progress=files_progress)
    cdb.set_setting(PENDING, False)
    log.info("existing data encrypted: %s", counts)
    return counts


def enable_encryption(cdb: CounterDB, passphrase: str, *, user_id: int | None = None,
                      progress: Progress | None = None) -> str:
    """Create the keys (or reopen them after an interrupted run), encrypt what exists.

    Returns the recovery key to print. After an interrupted run a *new* recovery key is issued:
    the first one may never have been shown.
    """
    root = cdb.root
    if vault.encryption_on(root):
        ring = vault.ring(root) or vault.open_with_passphrase(root, passphrase)
        recovery = ring.new_recovery_key()
    else:
        _ring, recovery = vault.setup_encryption(root, passphrase)
    cdb.set_setting(PENDING, True)
    cdb.set_setting(vault.ENCRYPTED_SETTING, True)
    _record(cdb, "keys_enabled", user_id, {})
    resume_encryption(cdb, progress=progress)
    return recovery

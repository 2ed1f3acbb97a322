"""Encryption keys, the Qt-free half: passphrase rules and the admin's key jobs.

The functions ending in ``_job`` run on the GUI's DB worker (they take its ``CounterDB``);
:mod:`counter_app.ui.keys` only collects input and shows results. Every action is audited, never
with a secret in the detail.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from counter_app import crypto, vault
from counter_app.db import accounts, audit
from counter_app.db.accounts import PermissionDenied, User, secret_weakness
from counter_app.db.database import CounterDB
from counter_app.db.settings import AgencySettings
from counter_app.errors import ValidationError

log = logging.getLogger(__name__)

__all__ = [
    "DEMO_HINT_SETTING",
    "DEMO_PASSPHRASE",
    "ENCRYPTED_SETTING",
    "KEY_ACTIONS",
    "MIN_PASSPHRASE_LENGTH",
    "change_passphrase_job",
    "enable_encryption_job",
    "encryption_status",
    "passphrase_problem",
    "prepare_encryption",
    "recover_job",
    "reissue_recovery_job",
    "rotate_job",
    "startup_state",
]

#: With the rule set of :func:`counter_app.db.accounts.secret_weakness` (issue #15 item 6): the
#: passphrase guards every backup, which can be attacked offline.
MIN_PASSPHRASE_LENGTH = 8
#: The demo installation's passphrase (like the demo accounts' password «demo»); never for real data.
DEMO_PASSPHRASE = "demo"
#: Setting: the unlock prompt may say the passphrase is «demo» (set by a demo first run, cleared by
#: any passphrase change).
DEMO_HINT_SETTING = "encryption_demo_hint"
#: Setting: this directory was encrypted. A deleted ``keys.json`` must not make the app silently
#: treat an encrypted directory as a plain one, so the start-up asks for the key file instead.
ENCRYPTED_SETTING = vault.ENCRYPTED_SETTING

#: Audit actions of this module (declared in ``db/audit.ACTIONS``, which refuses unknown ones).
KEY_ACTIONS = ("keys_enabled", "key_passphrase_changed", "key_recovery_reissued", "key_rotated")


def passphrase_problem(new: str, confirm: str, *, admin_password: str | None = None,
                       allow_demo: bool = False, context: tuple[str, ...] = ()) -> str | None:
    """Why ``new`` cannot be the encryption passphrase (Vietnamese, says what to do), or None.

    At least :data:`MIN_PASSPHRASE_LENGTH` characters and not guessable
    (:func:`counter_app.db.accounts.secret_weakness`; ``context``: agency code and name).
    ``allow_demo``: the demo installation may use «demo» (it holds no real citizen's data).
    """
    if allow_demo and new == DEMO_PASSPHRASE and confirm == DEMO_PASSPHRASE:
        return None
    if not new:
        return "Nhập mật khẩu mã hóa dữ liệu."
    if len(new) < MIN_PASSPHRASE_LENGTH:
        return (f"Mật khẩu mã hóa dữ liệu cần ít nhất {MIN_PASSPHRASE_LENGTH} ký tự. "
                "Dùng một câu ngắn dễ nhớ, ví dụ «Cay-bang-truoc-san-2026».")
    if new != confirm:
        return "Hai lần nhập mật khẩu mã hóa khác nhau. Nhập lại cả hai ô cho giống nhau."
    if admin_password is not None and new == admin_password:
        return ("Mật khẩu mã hóa phải khác mật khẩu quản trị: ai biết mật khẩu đăng nhập không được "
                "vì thế mà mở được dữ liệu khi mang thư mục đi nơi khác.")
    if new == DEMO_PASSPHRASE:
        return ("Mật khẩu «demo» chỉ dùng cho dữ liệu mẫu. Dữ liệu thật cần mật khẩu mã hóa riêng, "
                "ví dụ «Cay-bang-truoc-san-2026».")
    # keys.json travels in every backup: a stolen USB disk lets a guesser try passphrases offline
    # (scrypt slows each try to ~0.1 s, not more), so the passphrase must not be a guessable one.
    return secret_weakness(new, min_length=MIN_PASSPHRASE_LENGTH, what="Mật khẩu mã hóa dữ liệu", context=context)


# ------------------------------------------------------------------------------ Qt-free jobs
def _admin(cdb: CounterDB, user_id: int | None) -> User:
    """The acting user, if they may manage keys (checked again here, not only by hiding buttons)."""
    row = cdb.query_one("SELECT id, username, full_name, role, active FROM users WHERE id = ?", (user_id,))
    if row is None or not row["active"]:
        raise PermissionDenied("Cần đăng nhập bằng tài khoản quản trị để thay đổi mã hóa.")
    user = User(int(row["id"]), row["username"], row["full_name"], row["role"])
    accounts.require(user, "keys.manage")
    return user


def _open_ring(cdb: CounterDB) -> crypto.KeyRing:
    ring = vault.require_ring(cdb.root)
    if ring is None:
        raise ValidationError("Dữ liệu trên máy này chưa được mã hóa.", hint="Dùng nút «Bật mã hóa» trước.")
    return ring


def _verify_passphrase(cdb: CounterDB, passphrase: str) -> None:
    # Against the file, not the ring in memory: proves the admin knows it before anything changes.
    crypto.KeyRing.unlock_with_passphrase(vault.key_file(cdb.root), passphrase)


def _record(cdb: CounterDB, user_id: int | None, action: str, ring: crypto.KeyRing,
            detail: dict[str, Any], *, passphrase_changed: bool = False) -> None:
    """Audit entry (+ settings) in one transaction. Key ids are not secrets: they name which key
    encrypted which file, nothing more."""
    with cdb.write():
        audit.append(cdb, user_id, action, "keys", ring.active, detail)
        cdb.set_setting(ENCRYPTED_SETTING, True)
        if passphrase_changed:
            cdb.set_setting(DEMO_HINT_SETTING, False)


def startup_state(cdb: CounterDB) -> dict[str, Any]:
    """What the start-up needs to know, read on the DB worker: configured? encrypted? unlocked?

    Tries the OS key store (Windows DPAPI) first, so a counter on Windows opens without a prompt.
    """
    from counter_app.db.setup import is_configured
    from counter_app.services.encryption import encryption_pending

    root = cdb.root
    encrypted = vault.encryption_on(root) or bool(cdb.get_setting(ENCRYPTED_SETTING))
    unlocked = vault.ring(root) is not None
    if encrypted and not unlocked and vault.encryption_on(root):
        unlocked = vault.open_with_os_store(root) is not None
    return {"configured": is_configured(cdb), "encrypted": encrypted, "unlocked": unlocked,
            "demo_hint": bool(cdb.get_setting(DEMO_HINT_SETTING)), "pending": encryption_pending(cdb),
            "root": root}


def prepare_encryption(root: Path, passphrase: str) -> str:
    """First run: create the key file and return the recovery key to show (once).

    A key file can already be there when a first run did not finish: the same process retrying
    after an error (its keys are open: re-wrap them for the passphrase typed now and issue a fresh
    recovery key, since the first one was never shown), or a first run that was killed (nothing
    real was encrypted yet since the directory was never configured: the file is moved aside,
    never deleted, and new keys are made).
    """
    if vault.encryption_on(root):
        ring = vault.ring(root)
        if ring is not None:
            ring.change_passphrase(passphrase)
            return ring.new_recovery_key()
        aside = vault.key_file(root).with_name(f"keys.json.unfinished-{datetime.now():%Y%m%d-%H%M%S}")
        os.replace(vault.key_file(root), aside)
        log.warning("key file of an unfinished first run moved to %s", aside.name)
    _ring, recovery = vault.setup_encryption(root, passphrase)
    return recovery


def encryption_status(cdb: CounterDB) -> dict[str, Any]:
    """Status of the data directory's encryption for the panel (no secrets)."""
    root = cdb.root
    out: dict[str, Any] = {"encrypted": vault.encryption_on(root), "unlocked": vault.ring(root) is not None,
                           "was_encrypted": bool(cdb.get_setting(ENCRYPTED_SETTING)),
                           "agency_name": AgencySettings.load(cdb).agency_name, "error": ""}
    if not out["encrypted"]:
        return out
    ring = vault.ring(root)
    try:
        doc = ring.doc if ring is not None else json.loads(vault.key_file(root).read_text(encoding="utf-8"))
        active = doc["active"]
        entry = doc["keys"][active]
        out.update(active=active, created_at=str(entry.get("created_at", "")), key_count=len(doc["keys"]),
                   os_store="dpapi" in entry.get("wrapped", {}))
    except (OSError, ValueError, KeyError, TypeError):
        out["error"] = "Tệp khóa keys.json bị hỏng. Chép lại tệp này từ bản sao lưu mới nhất."
    return out


def change_passphrase_job(cdb: CounterDB, current: str, new: str, user_id: int | None) -> None:
    """Admin: check the current passphrase, re-wrap the keys under ``new`` (no file re-encrypted)."""
    _admin(cdb, user_id)
    problem = passphrase_problem(new, new)
    if problem:
        raise ValidationError(problem)
    ring = _open_ring(cdb)
    _verify_passphrase(cdb, current)
    # The ring registered in the vault is the one changed: another copy would save a stale
    # key file over this change at its next save.
    ring.change_passphrase(new)
    _record(cdb, user_id, "key_passphrase_changed", ring, {"via": "admin"}, passphrase_changed=True)


def reissue_recovery_job(cdb: CounterDB, passphrase: str, user_id: int | None) -> str:
    """Admin: a new recovery key (the old printout stops working); returns it to show once.

    The passphrase is asked too: at an admin session left open, someone could otherwise print
    themselves a recovery key and walk away with a copy of the data directory.
    """
    _admin(cdb, user_id)
    ring = _open_ring(cdb)
    _verify_passphrase(cdb, passphrase)
    recovery = ring.new_recovery_key()
    _record(cdb, user_id, "key_recovery_reissued", ring, {})
    return recovery


def rotate_job(cdb: CounterDB, passphrase: str, user_id: int | None) -> str:
    """Admin: a new active data key (old files keep their key) and a new recovery key to show."""
    _admin(cdb, user_id)
    ring = _open_ring(cdb)
    old = ring.active
    key_id, recovery = crypto.rotate_data_key(ring, passphrase)
    _record(cdb, user_id, "key_rotated", ring, {"previous": old, "new": key_id})
    return recovery


def enable_encryption_job(cdb: CounterDB, passphrase: str, user_id: int | None,
                          progress: Callable[[str, int, int], None] | None = None) -> str:
    """Admin: switch encryption on for a plain directory (keys, then existing fields and files)."""
    from counter_app.services.encryption import enable_encryption

    _admin(cdb, user_id)
    problem = passphrase_problem(passphrase, passphrase)
    if problem:
        raise ValidationError(problem)
    # Audits keys_enabled and sets ENCRYPTED_SETTING itself.
    return enable_encryption(cdb, passphrase, user_id=user_id, progress=progress)


def recover_job(cdb: CounterDB, recovery_key: str, new_passphrase: str) -> crypto.KeyRing:
    """Forgotten passphrase: open with the recovery key, set ``new_passphrase``, register the keys.

    Nobody is logged in yet, so the audit entry has no user; it says it went through the recovery key.
    """
    problem = passphrase_problem(new_passphrase, new_passphrase)
    if problem:
        raise ValidationError(problem)
    ring = crypto.KeyRing.unlock_with_recovery(vault.key_file(cdb.root), recovery_key)
    ring.change_passphrase(new_passphrase)
    vault.unlock(cdb.root, ring)
    _record(cdb, None, "key_passphrase_changed", ring, {"via": "recovery"}, passphrase_changed=True)
    return ring

"""First-run setup: the agency, this workstation, the first admin, the catalogue.

Passwords are hashed with scrypt from the standard library (memory-hard, no extra dependency);
the accounts issue may move to argon2 — the hash string carries its scheme so both can coexist.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from datetime import datetime

from counter_app.db import audit
from counter_app.db.database import CounterDB
from counter_app.domain import codes
from counter_app.errors import ValidationError
from counter_app.textnorm import nfc
from counter_app.timefmt import db_ts

ROLES = ("officer", "supervisor", "admin")
ROLE_LABELS = {"officer": "Cán bộ tiếp nhận", "supervisor": "Lãnh đạo / giám sát", "admin": "Quản trị"}
# scrypt n=2**14, r=8: ~16 MB and ~50 ms per check on an old counter PC — slow for guessing, fine for login.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def hash_password(password: str) -> str:
    """Return a self-describing scrypt hash of ``password``."""
    salt = os.urandom(16)
    # NFC: the same Vietnamese password typed with another input method must still match.
    key = hashlib.scrypt(nfc(password).encode(), salt=salt, dklen=32, maxmem=64 * 1024 * 1024, **_SCRYPT)
    b64 = base64.b64encode
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${b64(salt).decode()}${b64(key).decode()}"


def verify_password(password: str, stored: str | None) -> bool:
    """Constant-time check of ``password`` against a stored hash."""
    if not stored or not stored.startswith("scrypt$"):
        return False
    _, n, r, p, salt, key = stored.split("$")
    calc = hashlib.scrypt(
        nfc(password).encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=32,
        maxmem=64 * 1024 * 1024,
    )
    return hmac.compare_digest(calc, base64.b64decode(key))


@dataclass
class SetupInput:
    """What the first-run dialog (or ``counter-app init``) collects."""

    agency_code: str
    agency_name: str
    parent_name: str = ""
    place_name: str = ""
    unit_code: str = ""
    province_name: str = ""
    workstation_slot: int = 0
    provincial_endpoint: str = ""
    admin_username: str = "admin"
    admin_full_name: str = "Quản trị hệ thống"
    admin_password: str = ""


def store_settings(cdb: CounterDB, values: dict[str, object], user_id: int | None) -> list[str]:
    """Store settings that changed, with one audit entry naming them, in one transaction."""
    with cdb.write():
        changed = {k: v for k, v in values.items() if cdb.get_setting(k) != v}
        for k, v in changed.items():
            cdb.set_setting(k, v)
        if changed:
            audit.append(cdb, user_id, "settings", "settings", "", {"changed": sorted(changed)})
    return sorted(changed)


def is_configured(cdb: CounterDB) -> bool:
    """Whether first-run setup has been completed."""
    from counter_app.db.settings import AgencySettings  # late: settings saves through this module

    return AgencySettings.load(cdb).configured


def add_user(
    cdb: CounterDB, username: str, full_name: str, role: str, password: str | None, *, actor_id: int | None = None
) -> int:
    """Create a user; the username is unique regardless of case. ``actor_id`` = the admin doing it (audit)."""
    if role not in ROLES:
        raise ValidationError(f"Vai trò «{role}» không hợp lệ.")
    username = nfc(username)
    if not username or not nfc(full_name):
        raise ValidationError("Cần nhập tên đăng nhập và họ tên.")
    with cdb.write():
        if cdb.scalar("SELECT 1 FROM users WHERE username = ?", (username,)):
            raise ValidationError(f"Tên đăng nhập «{username}» đã có.", hint="Chọn tên đăng nhập khác.")
        cur = cdb.conn.execute(
            "INSERT INTO users(username, full_name, role, password_hash, created_at) VALUES (?,?,?,?,?)",
            (username, nfc(full_name), role, hash_password(password) if password else None,
             db_ts(datetime.now())),
        )
        user_id = int(cur.lastrowid or 0)
        audit.append(cdb, actor_id, "user_created", "user", user_id, {"username": username, "role": role})
        return user_id


def run_setup(cdb: CounterDB, s: SetupInput) -> None:
    """Store agency and workstation settings and create the first admin, in one transaction."""
    code = codes.validate_agency_code(s.agency_code)
    slot = codes.validate_slot(s.workstation_slot)
    if not nfc(s.agency_name):
        raise ValidationError("Cần nhập tên cơ quan.", hint="Ví dụ: Trung tâm Phục vụ hành chính công phường Ba Đình.")
    if s.provincial_endpoint and not s.provincial_endpoint.startswith(("http://", "https://")):
        raise ValidationError(
            "Địa chỉ hệ thống một cửa của tỉnh phải bắt đầu bằng https:// (hoặc http:// khi thử nghiệm)."
        )
    with cdb.write():
        for key, value in {
            "agency_code": code,
            "agency_name": nfc(s.agency_name),
            "parent_name": nfc(s.parent_name),
            "place_name": nfc(s.place_name),
            "unit_code": nfc(s.unit_code) or code,
            "province_name": nfc(s.province_name),
            "workstation_slot": slot,
            "provincial_endpoint": s.provincial_endpoint.strip(),
        }.items():
            cdb.set_setting(key, value)
        if not cdb.scalar("SELECT 1 FROM users WHERE role = 'admin'"):
            add_user(cdb, s.admin_username, s.admin_full_name, "admin", s.admin_password or None)
        audit.append(cdb, None, "setup", "settings", "agency", {"agency_code": code, "workstation_slot": slot})


def load_default_catalogue_into(cdb: CounterDB) -> int:
    """Load the shipped starter catalogue if the database has none yet; return procedures stored."""
    from counter_app.db.catalogue import procedure_count, store_procedures
    from counter_app.domain.catalogue import load_default_catalogue

    if procedure_count(cdb):
        return 0
    return store_procedures(cdb, load_default_catalogue(), version="starter")

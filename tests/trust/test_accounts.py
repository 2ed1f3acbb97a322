"""Accounts: log-in, lock-out, roles, password changes, quick switch — against a real database."""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from counter_app.db import accounts, audit
from counter_app.db.database import CounterDB
from counter_app.db.setup import add_user
from counter_app.errors import ValidationError
from tests.trust.trust_helpers import fresh_db

T0 = datetime(2026, 10, 5, 9, 0, 0)
PASSWORD = "Cay-bang-truoc-san"


@pytest.fixture
def cdb(tmp_path: Path) -> CounterDB:
    db = fresh_db(tmp_path / "counter.db")
    add_user(db, "canbo1", "Trần Thị Bình", "officer", PASSWORD)
    add_user(db, "giamsat", "Lê Văn Cường", "supervisor", PASSWORD)
    return db


def _audit_actions(cdb: CounterDB) -> list[str]:
    return [r["action"] for r in reversed(audit.recent(cdb, limit=1000))]


def test_login_ok_returns_user_and_is_audited(cdb: CounterDB) -> None:
    user = accounts.authenticate(cdb, "CanBo1", PASSWORD, now=T0)  # user names ignore case
    assert (user.username, user.role, user.role_label) == ("canbo1", "officer", "Cán bộ tiếp nhận")
    assert _audit_actions(cdb)[-1] == "login"


def test_wrong_password_and_unknown_user_give_the_same_message(cdb: CounterDB) -> None:
    with pytest.raises(accounts.LoginFailed) as wrong:
        accounts.authenticate(cdb, "canbo1", "sai", now=T0)
    with pytest.raises(accounts.LoginFailed) as unknown:
        accounts.authenticate(cdb, PASSWORD, "x", now=T0)  # password typed into the name field
    assert wrong.value.message == unknown.value.message
    row = cdb.query("SELECT detail, object_id FROM audit_log WHERE action = 'login_failed' ORDER BY id")
    assert PASSWORD not in str(row)  # the typed "name" is not stored when no such user exists


def test_lockout_after_threshold_then_unlock_after_minutes(cdb: CounterDB) -> None:
    cdb.set_setting("lockout_threshold", 3)
    cdb.set_setting("lockout_minutes", 10)
    for _ in range(2):
        with pytest.raises(accounts.LoginFailed):
            accounts.authenticate(cdb, "canbo1", "sai", now=T0)
    with pytest.raises(accounts.AccountLocked) as locked:
        accounts.authenticate(cdb, "canbo1", "sai", now=T0)
    assert locked.value.until == T0 + timedelta(minutes=10)
    # While locked even the right password is refused (the lock stops guessing).
    with pytest.raises(accounts.AccountLocked):
        accounts.authenticate(cdb, "canbo1", PASSWORD, now=T0 + timedelta(minutes=9))
    user = accounts.authenticate(cdb, "canbo1", PASSWORD, now=T0 + timedelta(minutes=10, seconds=1))
    assert user.username == "canbo1"
    row = cdb.query_one("SELECT failed_logins, locked_until FROM users WHERE username = 'canbo1'")
    assert row == {"failed_logins": 0, "locked_until": None}
    assert "locked_out" in _audit_actions(cdb)


def test_success_resets_failure_count(cdb: CounterDB) -> None:
    cdb.set_setting("lockout_threshold", 3)
    for _ in range(2):
        with pytest.raises(accounts.LoginFailed):
            accounts.authenticate(cdb, "canbo1", "sai", now=T0)
    accounts.authenticate(cdb, "canbo1", PASSWORD, now=T0)
    for _ in range(2):
        with pytest.raises(accounts.LoginFailed):
            accounts.authenticate(cdb, "canbo1", "sai", now=T0)
    accounts.authenticate(cdb, "canbo1", PASSWORD, now=T0)  # not locked: the count restarted


def test_disabled_user_and_user_without_password_cannot_log_in(cdb: CounterDB) -> None:
    admin = accounts.authenticate(cdb, "admin", "x", now=T0)
    officer_id = cdb.scalar("SELECT id FROM users WHERE username = 'canbo1'")
    accounts.set_user_state(cdb, admin, officer_id, active=False)
    with pytest.raises(accounts.LoginFailed):
        accounts.authenticate(cdb, "canbo1", PASSWORD, now=T0)
    add_user(cdb, "moi", "Người Mới", "officer", None)
    with pytest.raises(accounts.LoginFailed):
        accounts.authenticate(cdb, "moi", "", now=T0)


def test_password_hash_is_scrypt_and_weak_hashes_are_upgraded(cdb: CounterDB) -> None:
    stored = cdb.scalar("SELECT password_hash FROM users WHERE username = 'canbo1'")
    assert stored.startswith("scrypt$16384$8$1$") and PASSWORD not in stored
    salt = b"0123456789abcdef"
    key = hashlib.scrypt(PASSWORD.encode(), salt=salt, n=1024, r=8, p=1, dklen=32)
    weak = f"scrypt$1024$8$1${base64.b64encode(salt).decode()}${base64.b64encode(key).decode()}"
    with cdb.write():
        cdb.conn.execute("UPDATE users SET password_hash = ? WHERE username = 'canbo1'", (weak,))
    accounts.authenticate(cdb, "canbo1", PASSWORD, now=T0)
    assert cdb.scalar("SELECT password_hash FROM users WHERE username = 'canbo1'").startswith("scrypt$16384$")


def test_change_password_needs_the_old_one_and_a_policy(cdb: CounterDB) -> None:
    user = accounts.authenticate(cdb, "canbo1", PASSWORD, now=T0)
    with pytest.raises(accounts.LoginFailed):
        accounts.change_password(cdb, user.id, "sai", "Mat-khau-moi-dai")
    with pytest.raises(ValidationError):
        accounts.change_password(cdb, user.id, PASSWORD, "ngan")
    with pytest.raises(ValidationError):
        accounts.check_password_policy("nguyenvana", "NguyenVanA")
    accounts.change_password(cdb, user.id, PASSWORD, "Mat-khau-moi-dai")
    accounts.authenticate(cdb, "canbo1", "Mat-khau-moi-dai", now=T0)
    assert "password_changed" in _audit_actions(cdb)


def test_roles_and_permissions(cdb: CounterDB) -> None:
    officer = accounts.authenticate(cdb, "canbo1", PASSWORD, now=T0)
    supervisor = accounts.authenticate(cdb, "giamsat", PASSWORD, now=T0)
    admin = accounts.authenticate(cdb, "admin", "x", now=T0)
    accounts.require(supervisor, "audit.view")
    accounts.require(admin, "audit.view")
    with pytest.raises(accounts.PermissionDenied):
        accounts.require(officer, "audit.view")
    with pytest.raises(accounts.PermissionDenied):
        accounts.reset_password(cdb, supervisor, officer.id, "Mat-khau-moi-dai")
    accounts.reset_password(cdb, admin, officer.id, "Mat-khau-moi-dai")
    # The last admin cannot be demoted or disabled.
    with pytest.raises(ValidationError):
        accounts.set_user_state(cdb, admin, admin.id, role="officer")
    accounts.set_user_state(cdb, admin, supervisor.id, role="admin")
    assert cdb.scalar("SELECT role FROM users WHERE id = ?", (supervisor.id,)) == "admin"


def test_reset_by_admin_lifts_a_lockout(cdb: CounterDB) -> None:
    cdb.set_setting("lockout_threshold", 1)
    with pytest.raises(accounts.AccountLocked):
        accounts.authenticate(cdb, "canbo1", "sai", now=T0)
    admin = accounts.authenticate(cdb, "admin", "x", now=T0)
    officer_id = cdb.scalar("SELECT id FROM users WHERE username = 'canbo1'")
    accounts.reset_password(cdb, admin, officer_id, "Mat-khau-moi-dai")
    accounts.authenticate(cdb, "canbo1", "Mat-khau-moi-dai", now=T0)


def test_quick_switch_and_idle_unlock(cdb: CounterDB) -> None:
    first = accounts.authenticate(cdb, "canbo1", PASSWORD, now=T0)
    session = accounts.Session(first, T0)
    accounts.record_lock(cdb, session, now=T0 + timedelta(minutes=10))
    assert session.locked
    with pytest.raises(accounts.LoginFailed):
        accounts.unlock_session(cdb, session, "sai")
    assert session.locked
    accounts.unlock_session(cdb, session, PASSWORD)
    assert not session.locked and session.user == first
    second = accounts.switch_user(cdb, session, "giamsat", PASSWORD, now=T0)
    assert second.user.username == "giamsat"
    entry = audit.recent(cdb, limit=1)[0]
    assert entry["action"] == "switch_user" and entry["detail"] == {"from_user_id": first.id}
    assert audit.verify_chain(cdb) == []


# ------------------------------------------------------------------ administration (create, update)
NEW_PASSWORD = "Hoa-sen-trong-dam"


def test_create_user_checks_permission_name_policy_and_audits_without_password(cdb: CounterDB) -> None:
    admin = accounts.authenticate(cdb, "admin", "x", now=T0)
    supervisor = accounts.authenticate(cdb, "giamsat", PASSWORD, now=T0)
    with pytest.raises(accounts.PermissionDenied):
        accounts.create_user(cdb, supervisor, "canbo2", "Phạm Văn Dũng", "officer", NEW_PASSWORD)
    with pytest.raises(ValidationError, match="ít nhất 8 ký tự"):
        accounts.create_user(cdb, admin, "canbo2", "Phạm Văn Dũng", "officer", "ngan")
    with pytest.raises(ValidationError, match="trùng tên đăng nhập"):
        accounts.create_user(cdb, admin, "canbo2xyz", "Phạm Văn Dũng", "officer", "CANBO2XYZ")
    with pytest.raises(ValidationError, match="dấu cách"):
        accounts.create_user(cdb, admin, "can bo2", "Phạm Văn Dũng", "officer", NEW_PASSWORD)
    with pytest.raises(ValidationError, match="họ và tên"):
        accounts.create_user(cdb, admin, "canbo2", "   ", "officer", NEW_PASSWORD)
    with pytest.raises(ValidationError, match="đã có"):  # user names ignore letter case
        accounts.create_user(cdb, admin, "CanBo1", "Người Trùng Tên", "officer", NEW_PASSWORD)
    assert cdb.scalar("SELECT count(*) FROM users") == 3  # nothing stored by the refusals
    decomposed = "Pha\u0323m Va\u0306n Du\u0303ng"  # typed with combining marks (another input method)
    uid = accounts.create_user(cdb, admin, "  canbo2 ", decomposed, "officer", NEW_PASSWORD)
    row = cdb.query_one("SELECT username, full_name, role FROM users WHERE id = ?", (uid,))
    assert row == {"username": "canbo2", "full_name": "Phạm Văn Dũng", "role": "officer"}
    user = accounts.authenticate(cdb, "canbo2", NEW_PASSWORD, now=T0)
    assert user.id == uid and user.full_name == "Phạm Văn Dũng"
    entry = cdb.query_one("SELECT user_id, object_id, detail FROM audit_log WHERE action = 'user_created' "
                          "ORDER BY id DESC LIMIT 1")
    assert entry is not None and entry["user_id"] == admin.id and entry["object_id"] == str(uid)
    assert NEW_PASSWORD not in str(cdb.query("SELECT * FROM audit_log"))
    assert audit.verify_chain(cdb) == []


def test_update_user_refuses_own_demotion_while_another_admin_exists_and_the_last_admin(cdb: CounterDB) -> None:
    admin = accounts.authenticate(cdb, "admin", "x", now=T0)
    officer_id = cdb.scalar("SELECT id FROM users WHERE username = 'canbo1'")
    supervisor_id = cdb.scalar("SELECT id FROM users WHERE username = 'giamsat'")
    # Alone: the core rule of set_user_state says why.
    for change in ({"role": "officer"}, {"active": False}):
        with pytest.raises(ValidationError, match="quản trị cuối cùng"):
            accounts.update_user(cdb, admin, admin.id, **change)
    # With a second admin: still not on one's own account (another admin does it).
    accounts.update_user(cdb, admin, supervisor_id, role="admin")
    for change in ({"role": "supervisor"}, {"active": False}):
        with pytest.raises(ValidationError, match="Không tự bỏ quyền"):
            accounts.update_user(cdb, admin, admin.id, **change)
    second = accounts.authenticate(cdb, "giamsat", PASSWORD, now=T0)
    accounts.update_user(cdb, second, admin.id, role="supervisor")  # the other admin may
    assert cdb.scalar("SELECT role FROM users WHERE id = ?", (admin.id,)) == "supervisor"
    # The old session's User still says «admin»; acting_user reads the role stored now.
    with pytest.raises(accounts.PermissionDenied):
        accounts.update_user(cdb, accounts.acting_user(cdb, admin.id), officer_id, active=False)
    accounts.update_user(cdb, second, officer_id, active=False)
    with pytest.raises(accounts.PermissionDenied):
        accounts.acting_user(cdb, officer_id)  # a disabled account acts no more
    with pytest.raises(accounts.PermissionDenied):
        accounts.acting_user(cdb, None)


def test_user_overview_shows_lockout_and_last_login_without_hashes(cdb: CounterDB) -> None:
    cdb.set_setting("lockout_threshold", 1)
    accounts.authenticate(cdb, "canbo1", PASSWORD, now=T0)
    accounts.authenticate(cdb, "canbo1", PASSWORD, now=T0 + timedelta(hours=2))
    with pytest.raises(accounts.AccountLocked):
        accounts.authenticate(cdb, "giamsat", "sai", now=T0 + timedelta(hours=3))
    add_user(cdb, "moi", "Người Mới", "officer", None)
    rows = {u["username"]: u for u in accounts.user_overview(cdb, now=T0 + timedelta(hours=3, minutes=1))}
    assert rows["canbo1"]["last_login"] == "2026-10-05 11:00:00" and not rows["canbo1"]["locked"]
    assert rows["giamsat"]["locked"] and rows["giamsat"]["last_login"] is None
    assert rows["moi"]["has_password"] is False and rows["canbo1"]["has_password"] is True
    assert not any("password_hash" in u for u in rows.values())
    later = {u["username"]: u for u in accounts.user_overview(cdb, now=T0 + timedelta(hours=4))}
    assert not later["giamsat"]["locked"]  # the 15-minute lock-out is over


def test_a_vietnamese_password_matches_whatever_its_unicode_composition() -> None:
    """Typed with a Windows IME (precomposed) at setup, with a Telex tool (combining marks) later."""
    import unicodedata

    from counter_app.db.setup import hash_password, verify_password

    stored = hash_password(unicodedata.normalize("NFD", "Mật khẩu Đà Nẵng 2026"))
    assert verify_password(unicodedata.normalize("NFC", "Mật khẩu Đà Nẵng 2026"), stored)
    assert not verify_password("Mat khau Da Nang 2026", stored)

"""Accounts: log-in with lock-out, roles, password changes, quick switch at a shared counter.

Passwords are hashed with scrypt (:func:`counter_app.db.setup.hash_password`): memory-hard
(16 MB per guess), in the standard library, so no undeclared dependency (argon2-cffi happens to be
installed in the dev venv but is not in ``pyproject.toml``; the hash string names its scheme, so a
move to argon2id later can rehash at the next log-in, see :func:`_needs_rehash`).

Lock-out: after ``lockout_threshold`` wrong passwords in a row (setting, default 5) the account is
locked for ``lockout_minutes`` (default 15). While locked the password is not even checked, so the
lock also stops guessing. A successful log-in resets the counter.

What is recorded (audit): ``login``, ``login_failed`` (with the user's row id when the name exists;
the typed name is *not* stored when it does not — officers type their password into the name
field more often than one thinks), ``locked_out``, ``switch_user``, ``password_changed``,
``password_reset``, ``user_changed``. Passwords never reach a log or the audit trail.

Roles: officer < supervisor < admin (:func:`has_role`, :func:`require`).

Administration (the «Tài khoản» group of the settings page): :func:`create_user`, :func:`reset_password`,
:func:`update_user` (role, disable), :func:`user_overview`. The acting admin is re-read from the
database for each action (:func:`acting_user`), so a role taken away counts at once, not at the next
log-in. Users are never deleted: the audit trail refers to them.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from counter_app.db import audit
from counter_app.db.database import CounterDB
from counter_app.db.setup import _SCRYPT, ROLE_LABELS, ROLES, add_user, hash_password, verify_password
from counter_app.errors import CounterError, ValidationError
from counter_app.textnorm import fold, nfc
from counter_app.timefmt import DB_TS

log = logging.getLogger(__name__)

__all__ = [
    "PERMISSIONS",
    "AccountLocked",
    "LoginFailed",
    "PermissionDenied",
    "Session",
    "User",
    "acting_user",
    "authenticate",
    "change_password",
    "check_credentials",
    "check_password_policy",
    "check_username",
    "create_user",
    "has_role",
    "idle_lock_minutes",
    "list_users",
    "logout",
    "record_lock",
    "require",
    "reset_password",
    "secret_weakness",
    "set_user_state",
    "switch_user",
    "unlock_session",
    "update_user",
    "user_overview",
]

_TS = DB_TS  # the one stored format (counter_app.timefmt)
DEFAULT_LOCKOUT_THRESHOLD = 5
DEFAULT_LOCKOUT_MINUTES = 15
MIN_PASSWORD_LENGTH = 8
_RANK = {role: i for i, role in enumerate(ROLES)}  # officer 0 < supervisor 1 < admin 2

#: Minimum role per permission; the GUI greys out what the current user may not do.
PERMISSIONS: dict[str, str] = {
    "dossier.receive": "officer",
    "dossier.edit": "officer",
    "audit.view": "supervisor",
    "audit.verify": "supervisor",
    "report.view": "supervisor",
    "backup.run": "supervisor",
    "backup.restore": "admin",
    "users.manage": "admin",
    "settings.change": "admin",
    "keys.manage": "admin",
}

# A real scrypt hash of a random password: unknown user names cost the same time as known ones,
# so the response time does not tell which names exist.
@functools.cache
def _dummy_hash() -> str:
    return hash_password("không-phải-mật-khẩu-của-ai")


class LoginFailed(CounterError):
    """Wrong user name or password (deliberately not saying which)."""


class AccountLocked(CounterError):
    """Too many wrong passwords; the account is locked until ``until``."""

    def __init__(self, message: str, *, until: datetime, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.until = until


class PermissionDenied(CounterError):
    """The current user's role does not allow the action."""


@dataclass(frozen=True)
class User:
    """A logged-in user (no password material)."""

    id: int
    username: str
    full_name: str
    role: str

    @property
    def role_label(self) -> str:
        """Vietnamese role name."""
        return ROLE_LABELS.get(self.role, self.role)


@dataclass
class Session:
    """Who is working at this counter now; the GUI keeps one and swaps ``user`` on a quick switch.

    ``locked`` is set by the idle lock; the page the officer was on is not part of the session and
    is left alone by locking, unlocking and switching.
    """

    user: User
    started_at: datetime
    locked: bool = False


def _user(row: dict[str, Any]) -> User:
    return User(int(row["id"]), row["username"], row["full_name"], row["role"])


def _setting_int(cdb: CounterDB, key: str, default: int) -> int:
    try:
        value = int(cdb.get_setting(key, default))
    except (TypeError, ValueError):
        return default
    return value if value > 0 else default


def _needs_rehash(stored: str) -> bool:
    """A hash made with weaker parameters than today's is upgraded at the next good log-in."""
    try:
        scheme, n, r, p, *_ = stored.split("$")
    except ValueError:
        return True
    return scheme != "scrypt" or (int(n), int(r), int(p)) < (_SCRYPT["n"], _SCRYPT["r"], _SCRYPT["p"])


def authenticate(cdb: CounterDB, username: str, password: str, *, now: datetime | None = None) -> User:
    """Check a user name and password; return the user or raise :class:`LoginFailed` / :class:`AccountLocked`.

    The failure counter and the audit entry are committed even when the log-in fails.
    """
    now = (now or datetime.now()).replace(microsecond=0)
    name = nfc(username).strip()
    threshold = _setting_int(cdb, "lockout_threshold", DEFAULT_LOCKOUT_THRESHOLD)
    minutes = _setting_int(cdb, "lockout_minutes", DEFAULT_LOCKOUT_MINUTES)
    row = cdb.query_one(
        "SELECT id, username, full_name, role, password_hash, active, failed_logins, locked_until "
        "FROM users WHERE username = ?",
        (name,),
    ) if name else None

    if row and row["locked_until"] and row["locked_until"] > now.strftime(_TS):
        until = datetime.strptime(row["locked_until"], _TS)
        with cdb.write():
            audit.append(cdb, int(row["id"]), "login_failed", "user", row["id"], {"reason": "locked"}, now=now)
        raise AccountLocked(
            f"Tài khoản đang tạm khóa đến {until:%H:%M} do nhập sai mật khẩu nhiều lần.",
            until=until,
            hint="Chờ đến giờ đó rồi thử lại, hoặc nhờ quản trị đặt lại mật khẩu.",
        )

    # Always run one scrypt, also for unknown or disabled users (equal timing).
    stored = row["password_hash"] if row and row["password_hash"] else _dummy_hash()
    good = verify_password(password, stored) and row is not None and bool(row["active"]) and bool(
        row["password_hash"])

    if not good:
        locked_until: datetime | None = None
        with cdb.write():
            if row is not None:
                failures = int(row["failed_logins"]) + 1
                if failures >= threshold:
                    locked_until = now + timedelta(minutes=minutes)
                    cdb.conn.execute(
                        "UPDATE users SET failed_logins = 0, locked_until = ? WHERE id = ?",
                        (locked_until.strftime(_TS), row["id"]),
                    )
                    audit.append(cdb, int(row["id"]), "locked_out", "user", row["id"],
                                 {"failures": failures, "minutes": minutes}, now=now)
                else:
                    cdb.conn.execute("UPDATE users SET failed_logins = ? WHERE id = ?", (failures, row["id"]))
                    audit.append(cdb, int(row["id"]), "login_failed", "user", row["id"],
                                 {"failures": failures}, now=now)
            else:
                audit.append(cdb, None, "login_failed", "user", "", {"unknown_user": True}, now=now)
        log.info("login failed (user row %s)", row["id"] if row else "unknown")
        if locked_until is not None:
            raise AccountLocked(
                f"Nhập sai mật khẩu {threshold} lần: tài khoản tạm khóa {minutes} phút "
                f"(đến {locked_until:%H:%M}).",
                until=locked_until,
                hint="Chờ hết thời gian khóa rồi thử lại, hoặc nhờ quản trị đặt lại mật khẩu.",
            )
        raise LoginFailed(
            "Tên đăng nhập hoặc mật khẩu không đúng.",
            hint="Kiểm tra phím Caps Lock và bộ gõ tiếng Việt (Unikey) rồi nhập lại.",
        )

    assert row is not None
    with cdb.write():
        sets, params = "failed_logins = 0, locked_until = NULL", []
        if _needs_rehash(row["password_hash"]):
            sets += ", password_hash = ?"
            params.append(hash_password(password))
        cdb.conn.execute(f"UPDATE users SET {sets} WHERE id = ?", [*params, row["id"]])
        audit.append(cdb, int(row["id"]), "login", "user", row["id"], now=now)
    log.info("user %s logged in", row["id"])
    return _user(row)


def check_credentials(cdb: CounterDB, username: str, password: str, *, now: datetime | None = None) -> User:
    """:func:`authenticate` without writing anything: for a database that must stay untouched.

    Used by ``counter-app backup`` (which must work from a read-only disk) and ``restore`` (checked
    against the backup's own accounts). No failure count and no audit entry here, so the caller
    audits the outcome where it can write; a locked account stays refused.
    """
    now = (now or datetime.now()).replace(microsecond=0)
    name = nfc(username).strip()
    row = cdb.query_one(
        "SELECT id, username, full_name, role, password_hash, active, locked_until FROM users WHERE username = ?",
        (name,)) if name else None
    if row and row["locked_until"] and row["locked_until"] > now.strftime(_TS):
        raise AccountLocked(f"Tài khoản đang tạm khóa đến {row['locked_until'][11:16]}.",
                            until=datetime.strptime(row["locked_until"], _TS),
                            hint="Chờ đến giờ đó rồi thử lại, hoặc nhờ quản trị đặt lại mật khẩu.")
    stored = row["password_hash"] if row and row["password_hash"] else _dummy_hash()
    if not (verify_password(password, stored) and row is not None and row["active"] and row["password_hash"]):
        raise LoginFailed("Tên đăng nhập hoặc mật khẩu không đúng.",
                          hint="Kiểm tra phím Caps Lock và bộ gõ tiếng Việt (Unikey) rồi nhập lại.")
    return _user(row)


def has_role(user: User, minimum: str) -> bool:
    """Whether ``user``'s role is ``minimum`` or higher (officer < supervisor < admin)."""
    return _RANK.get(user.role, -1) >= _RANK[minimum]


def require(user: User, permission: str) -> None:
    """Raise :class:`PermissionDenied` unless ``user`` may do ``permission`` (see :data:`PERMISSIONS`)."""
    minimum = PERMISSIONS[permission]
    if not has_role(user, minimum):
        raise PermissionDenied(
            f"Tài khoản «{user.username}» ({user.role_label}) không có quyền thực hiện thao tác này.",
            hint=f"Cần tài khoản {ROLE_LABELS[minimum]} trở lên.",
        )


#: Passwords tried first by any guessing tool, and what Vietnamese offices actually use (folded:
#: no diacritics, lower case, letters and digits only). The rule set below catches the patterns;
#: this list catches the words.
_COMMON_SECRETS = frozenset({
    "password", "passw0rd", "matkhau", "matkhau123", "admin", "admin123", "administrator", "quantri",
    "iloveyou", "anhyeuem", "emyeuanh", "yeuem", "yeuanh", "vietnam", "hanoi", "saigon", "hochiminh",
    "letmein", "welcome", "monkey", "dragon", "football", "baseball", "superman", "batman", "trustno1",
    "sunshine", "princess", "qazwsx", "zaq12wsx", "abc123", "abcd1234", "aa123456", "demo", "test", "user",
    "motcua", "quaymotcua", "bophanmotcua", "ubnd", "ubndxa", "ubndphuong", "canbo", "congchuc", "tiepnhan",
    "hanhchinh", "hanhchinhcong", "dichvucong", "chinhphu", "congan", "cccd", "cancuoc",
})
_SEQUENCES = ("01234567890", "09876543210", "abcdefghijklmnopqrstuvwxyz", "zyxwvutsrqponmlkjihgfedcba",
              "qwertyuiop", "asdfghjkl", "zxcvbnm", "1qaz2wsx3edc", "qazwsxedc")


def _alnum_fold(text: str) -> str:
    return "".join(ch for ch in fold(nfc(text)) if ch.isalnum())


def _strip_patterns(core: str) -> str:
    """What is left of ``core`` once common words, keyboard/alphabet runs and repeats are taken out."""
    for word in sorted(_COMMON_SECRETS, key=len, reverse=True):
        if len(word) >= 4:
            core = core.replace(word, "")
    for seq in _SEQUENCES:
        for size in range(len(seq), 3, -1):  # runs of 4+ from a sequence ("1234", "qwer")
            for i in range(len(seq) - size + 1):
                core = core.replace(seq[i:i + size], "")
    # "aaaa", "1212", "abcabc": a block repeated adds nothing a guesser has to try.
    for size in range(1, len(core) // 2 + 1):
        if len(core) % size == 0 and core[:size] * (len(core) // size) == core:
            return core[:size]
    return core


def secret_weakness(secret: str, *, min_length: int, context: tuple[str, ...] = (), what: str = "Mật khẩu"
                    ) -> str | None:
    """Why ``secret`` is too easy to guess (Vietnamese, says what to do), or None (issue #15 item 6).

    A rule set rather than an estimator package (none is a dependency): the length, then what a
    guessing tool tries first — a common word, a keyboard or alphabet run, one character or block
    repeated, only digits, the user name or agency code (``context``) — must leave at least 5
    characters of the secret's own. "Cay-bang-truoc-san" passes, "12345678", "matkhau123",
    "aaaaaaaa" and "admin2026" do not.
    """
    hint = "Dùng một câu ngắn dễ nhớ gồm vài từ, ví dụ «Cay-bang-truoc-san-2026»."
    if len(secret) < min_length:
        return f"{what} cần ít nhất {min_length} ký tự. {hint}"
    core = _alnum_fold(secret)
    if core.isdigit():
        return f"{what} không được chỉ gồm chữ số (dễ đoán như ngày sinh, số điện thoại). {hint}"
    if core in _COMMON_SECRETS:
        return f"{what} «…» là từ quá phổ biến, bị thử đầu tiên. {hint}"
    for word in context:
        w = _alnum_fold(word)
        if len(w) >= 3:
            core = core.replace(w, "")
    left = _strip_patterns(core)
    # Digits left over after the words are mostly a year or a counter: count them for half.
    own = sum(1 for ch in left if not ch.isdigit()) + sum(1 for ch in left if ch.isdigit()) / 2
    if own < 5 or len(set(left)) < 4:
        return (f"{what} dễ đoán: gồm từ phổ biến, tên đăng nhập/mã cơ quan, dãy phím liền nhau hoặc ký tự "
                f"lặp lại. {hint}")
    return None


def check_password_policy(password: str, username: str = "", *, context: tuple[str, ...] = ()) -> None:
    """At least 8 characters and not easy to guess (:func:`secret_weakness`), not the user name.

    Lock-out stops guessing at the counter, but the scrypt hashes travel in every backup, where
    a guesser has all the time in the world.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"Mật khẩu cần ít nhất {MIN_PASSWORD_LENGTH} ký tự.",
                              hint="Dùng một câu ngắn dễ nhớ, ví dụ «Cay-bang-truoc-san».")
    if username and password.casefold() == username.casefold():
        raise ValidationError("Mật khẩu không được trùng tên đăng nhập.")
    problem = secret_weakness(password, min_length=MIN_PASSWORD_LENGTH, context=(username, *context))
    if problem:
        raise ValidationError(problem)


def change_password(cdb: CounterDB, user_id: int, old_password: str, new_password: str) -> None:
    """A user changes their own password (the old one is required)."""
    row = cdb.query_one("SELECT username, password_hash FROM users WHERE id = ?", (user_id,))
    if row is None or not verify_password(old_password, row["password_hash"]):
        raise LoginFailed("Mật khẩu hiện tại không đúng.")
    check_password_policy(new_password, row["username"])
    with cdb.write():
        cdb.conn.execute("UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = NULL WHERE id = ?",
                         (hash_password(new_password), user_id))
        audit.append(cdb, user_id, "password_changed", "user", user_id)


def reset_password(cdb: CounterDB, admin: User, user_id: int, new_password: str) -> None:
    """An admin sets a new password for someone who forgot theirs (also lifts a lock-out)."""
    require(admin, "users.manage")
    row = cdb.query_one("SELECT username FROM users WHERE id = ?", (user_id,))
    if row is None:
        raise ValidationError(f"Không tìm thấy tài khoản #{user_id}.")
    check_password_policy(new_password, row["username"])
    with cdb.write():
        cdb.conn.execute("UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = NULL WHERE id = ?",
                         (hash_password(new_password), user_id))
        audit.append(cdb, admin.id, "password_reset", "user", user_id)


def set_user_state(
    cdb: CounterDB, admin: User, user_id: int, *, role: str | None = None, active: bool | None = None
) -> None:
    """An admin changes a user's role or disables the account (users are never deleted: the audit refers to them)."""
    require(admin, "users.manage")
    if role is not None and role not in ROLES:
        raise ValidationError(f"Vai trò «{role}» không hợp lệ.")
    row = cdb.query_one("SELECT id, role, active FROM users WHERE id = ?", (user_id,))
    if row is None:
        raise ValidationError(f"Không tìm thấy tài khoản #{user_id}.")
    new_role = role or row["role"]
    new_active = row["active"] if active is None else int(active)
    with cdb.write():
        if row["role"] == "admin" and (new_role != "admin" or not new_active):
            others = cdb.scalar("SELECT count(*) FROM users WHERE role = 'admin' AND active = 1 AND id <> ?",
                                (user_id,))
            if not others:
                raise ValidationError("Không thể bỏ quyền hoặc khóa tài khoản quản trị cuối cùng.",
                                      hint="Tạo một tài khoản quản trị khác trước.")
        cdb.conn.execute("UPDATE users SET role = ?, active = ? WHERE id = ?", (new_role, new_active, user_id))
        audit.append(cdb, admin.id, "user_changed", "user", user_id,
                     {"role": [row["role"], new_role], "active": [row["active"], new_active]})


def list_users(cdb: CounterDB) -> list[dict[str, Any]]:
    """Users for the admin page (no password hashes)."""
    return cdb.query(
        "SELECT id, username, full_name, role, active, failed_logins, locked_until, created_at "
        "FROM users ORDER BY username"
    )


def switch_user(cdb: CounterDB, session: Session, username: str, password: str,
                *, now: datetime | None = None) -> Session:
    """Quick switch at a shared counter: authenticate the next officer and hand them the session.

    The previous user's work stays where it is (the GUI keeps its pages); the audit trail records
    who handed over to whom, so every later action is attributed to the right person.
    """
    user = authenticate(cdb, username, password, now=now)
    if user.id != session.user.id:
        with cdb.write():
            audit.append(cdb, user.id, "switch_user", "user", user.id, {"from_user_id": session.user.id}, now=now)
    return Session(user=user, started_at=(now or datetime.now()).replace(microsecond=0), locked=False)


def unlock_session(cdb: CounterDB, session: Session, password: str, *, now: datetime | None = None) -> Session:
    """Unlock an idle-locked screen with the same user's password (lock-out rules apply)."""
    user = authenticate(cdb, session.user.username, password, now=now)
    with cdb.write():
        audit.append(cdb, user.id, "screen_unlocked", "user", user.id, now=now)
    session.locked = False
    return session


def record_lock(cdb: CounterDB, session: Session, *, now: datetime | None = None) -> None:
    """Record that the screen was locked (idle or by hand)."""
    session.locked = True
    with cdb.write():
        audit.append(cdb, session.user.id, "screen_locked", "user", session.user.id, now=now)


def logout(cdb: CounterDB, session: Session) -> None:
    """Record the end of a session."""
    with cdb.write():
        audit.append(cdb, session.user.id, "logout", "user", session.user.id)


def idle_lock_minutes(cdb: CounterDB) -> float:
    """Setting ``idle_lock_minutes`` (default 10; 0 = never lock, for a supervisor's own office PC)."""
    try:
        value = float(cdb.get_setting("idle_lock_minutes", 10))
    except (TypeError, ValueError):
        return 10.0
    return max(0.0, value)


MAX_USERNAME_LENGTH = 32


def acting_user(cdb: CounterDB, user_id: int | None) -> User:
    """The user doing an action, read again from the database (current role, still active).

    The GUI keeps the :class:`User` it got at log-in; an admin demoted or disabled since then must
    not keep the rights of the old role until they log out.
    """
    row = cdb.query_one("SELECT id, username, full_name, role, active FROM users WHERE id = ?",
                        (user_id,)) if user_id is not None else None
    if row is None or not row["active"]:
        raise PermissionDenied("Tài khoản đang đăng nhập không còn hoạt động.",
                               hint="Đăng xuất rồi đăng nhập bằng một tài khoản đang dùng được.")
    return _user(row)


def check_username(username: str) -> str:
    """The user name as stored (NFC, trimmed), or :class:`ValidationError` saying how to write one.

    No spaces: a name typed at the log-in with a stray space before or after still matches (the
    log-in trims), but one with a space inside is easily mistyped by the next officer.
    """
    name = nfc(username).strip()
    if not name:
        raise ValidationError("Nhập tên đăng nhập.", hint="Ví dụ: «binh.tt» hoặc «canbo3».")
    if len(name) > MAX_USERNAME_LENGTH or any(ch.isspace() for ch in name):
        raise ValidationError(f"Tên đăng nhập không có dấu cách và dài tối đa {MAX_USERNAME_LENGTH} ký tự.",
                              hint="Ví dụ: «binh.tt» hoặc «canbo3».")
    return name


def create_user(cdb: CounterDB, admin: User, username: str, full_name: str, role: str, password: str) -> int:
    """An admin adds an account with its first password; return the new user's id.

    Checks the admin's permission, the user name, the role and the password policy; a user name that
    exists (in any letter case) is refused. Audited as ``user_created`` (name and role, never the password).
    """
    require(admin, "users.manage")
    name = check_username(username)
    full = nfc(full_name).strip()
    if not full:
        raise ValidationError("Nhập họ và tên của cán bộ.", hint="Họ tên hiện trên phiếu tiếp nhận và trong nhật ký.")
    if role not in ROLES:
        raise ValidationError(f"Vai trò «{role}» không hợp lệ.")
    check_password_policy(password, name)
    return add_user(cdb, name, full, role, password, actor_id=admin.id)


def update_user(cdb: CounterDB, admin: User, user_id: int, *, role: str | None = None,
                active: bool | None = None) -> None:
    """:func:`set_user_state` from the admin screen, plus one rule: an admin does not demote or disable
    their own account while another admin exists — another admin does it, so nobody locks themselves
    out in the middle of a session by a wrong click. (When they are the last admin, the core rule of
    :func:`set_user_state` refuses, with its own message.)
    """
    require(admin, "users.manage")
    if user_id == admin.id and ((role is not None and role != "admin") or active is False):
        others = cdb.scalar("SELECT count(*) FROM users WHERE role = 'admin' AND active = 1 AND id <> ?",
                            (user_id,))
        if others:
            raise ValidationError("Không tự bỏ quyền quản trị hoặc tự khóa tài khoản đang đăng nhập.",
                                  hint="Nhờ một quản trị khác làm việc này.")
    set_user_state(cdb, admin, user_id, role=role, active=active)


def user_overview(cdb: CounterDB, *, now: datetime | None = None) -> list[dict[str, Any]]:
    """:func:`list_users` plus ``has_password``, ``locked`` (lock-out still running at ``now``) and ``last_login``.

    The last log-in comes from the audit trail (the users table does not store it), in one pass over
    the ``login`` entries.
    """
    stamp = (now or datetime.now()).strftime(_TS)
    last = {row["user_id"]: row["at"] for row in cdb.query(
        "SELECT user_id, max(at) AS at FROM audit_log WHERE action = 'login' AND user_id IS NOT NULL "
        "GROUP BY user_id")}
    has_password = {row["id"]: bool(row["ok"]) for row in cdb.query(
        "SELECT id, password_hash IS NOT NULL AS ok FROM users")}
    users = list_users(cdb)
    for u in users:
        u["has_password"] = has_password.get(u["id"], False)
        u["locked"] = bool(u["locked_until"] and u["locked_until"] > stamp)
        u["last_login"] = last.get(u["id"])
    return users

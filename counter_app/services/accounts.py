"""Account use cases the screens call: log-in, lock and quick switch, the administrator's user list.

The rules (password hashing, lock-out, roles) live in :mod:`counter_app.db.accounts`; this module is
the UI's door to them, so ``counter_app.ui`` imports no ``db`` module. The administrator's actions
are checked against the account as stored **now** (:func:`counter_app.db.accounts.acting_user`):
a role taken away counts at once.
"""

from __future__ import annotations

from datetime import datetime

from counter_app.db import accounts as _accounts
from counter_app.db.accounts import (
    MIN_PASSWORD_LENGTH,
    PERMISSIONS,
    AccountLocked,
    LoginFailed,
    PermissionDenied,
    Session,
    User,
    authenticate,
    check_password_policy,
    check_username,
    has_role,
    record_lock,
    require,
    unlock_session,
    user_overview,
)
from counter_app.db.database import CounterDB
from counter_app.db.setup import ROLE_LABELS, ROLES
from counter_app.services.session import Actor

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "PERMISSIONS",
    "ROLES",
    "ROLE_LABELS",
    "AccountLocked",
    "LoginFailed",
    "PermissionDenied",
    "Session",
    "User",
    "add_user",
    "authenticate",
    "change_own_password",
    "check_password_policy",
    "check_username",
    "has_role",
    "record_lock",
    "require",
    "reset_password",
    "switch_user",
    "unlock_session",
    "update_user",
    "user_overview",
]


def _admin_id(actor: Actor | User | int | None) -> int | None:
    # acting_user() refuses ``None`` with its own Vietnamese message (an admin must be signed in).
    if actor is None or isinstance(actor, int):
        return actor
    return int(actor.id)


def add_user(cdb: CounterDB, admin: Actor | User | int | None, username: str, full_name: str, role: str,
             password: str) -> int:
    """Create an account on behalf of the signed-in admin; return its id."""
    return _accounts.create_user(cdb, _accounts.acting_user(cdb, _admin_id(admin)), username, full_name, role,
                                 password)


def reset_password(cdb: CounterDB, admin: Actor | User | int | None, user_id: int, password: str) -> None:
    """Set a new password for a user who forgot theirs (lifts a lock-out)."""
    _accounts.reset_password(cdb, _accounts.acting_user(cdb, _admin_id(admin)), user_id, password)


def update_user(cdb: CounterDB, admin: Actor | User | int | None, user_id: int, *, role: str | None = None,
                active: bool | None = None) -> None:
    """Change a user's role or disable / re-enable the account."""
    _accounts.update_user(cdb, _accounts.acting_user(cdb, _admin_id(admin)), user_id, role=role, active=active)


def change_own_password(cdb: CounterDB, user_id: int, current: str, new: str) -> None:
    """The signed-in user changes their own password (the current one is required)."""
    _accounts.change_password(cdb, user_id, current, new)


def switch_user(cdb: CounterDB, session: Session, username: str, password: str,
                now: datetime | None = None) -> Session:
    """Quick switch at a shared counter: another officer takes over the locked window."""
    return _accounts.switch_user(cdb, session, username, password, now=now or datetime.now())

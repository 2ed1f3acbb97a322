"""Who is signed in: the current-user object every operation that records an actor takes (issue #17).

The main window signs an officer in (``db.accounts.authenticate``), keeps the :class:`Actor` built
from that user and passes it **explicitly** into every operation that records who did something
(reception, review, return of result, supplement, apology, printing audit, scan save). There is no
fallback to "the first officer" any more: a review recorded under the wrong supervisor, or a scan
under the wrong officer, is a false legal record, so an operation without a signed-in user fails
with a clear Vietnamese message instead (:func:`require_actor`).

Qt-free: the CLI, tests and services build an :class:`Actor` the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from counter_app.errors import ValidationError

if TYPE_CHECKING:  # only for the type of the argument; the module needs no database at import
    from counter_app.db.accounts import User

__all__ = ["NOT_SIGNED_IN", "Actor", "actor_from_user", "require_actor"]

#: Shown when an operation that records an actor is asked for without anyone signed in.
NOT_SIGNED_IN = "Chưa đăng nhập: không biết ai thực hiện thao tác này."
_NOT_SIGNED_IN_HINT = "Đăng nhập bằng tài khoản của mình rồi thực hiện lại."


@dataclass(frozen=True)
class Actor:
    """The signed-in user an operation is recorded under (no password material)."""

    user_id: int
    username: str
    full_name: str
    role: str

    @classmethod
    def from_user(cls, user: User) -> Actor:
        """The actor for an authenticated :class:`counter_app.db.accounts.User`."""
        return cls(int(user.id), user.username, user.full_name, user.role)

    @property
    def id(self) -> int:
        """Alias of :attr:`user_id`, so code written against ``User`` reads the same."""
        return self.user_id


def actor_from_user(user: User | None) -> Actor | None:
    """The actor for ``user``, or ``None`` when nobody is signed in."""
    return None if user is None else Actor.from_user(user)


def require_actor(actor: Actor | User | None) -> Actor:
    """``actor`` as an :class:`Actor`; raises :class:`ValidationError` (Vietnamese) when nobody is signed in.

    Accepts a ``db.accounts.User`` too (the window's session holds one), so callers need no
    conversion of their own.
    """
    if actor is None:
        raise ValidationError(NOT_SIGNED_IN, hint=_NOT_SIGNED_IN_HINT)
    if isinstance(actor, Actor):
        return actor
    user_id = getattr(actor, "id", None)
    if not isinstance(user_id, int) or user_id <= 0:
        raise ValidationError(NOT_SIGNED_IN, hint=_NOT_SIGNED_IN_HINT)
    return Actor(user_id, str(getattr(actor, "username", "")), str(getattr(actor, "full_name", "")),
                 str(getattr(actor, "role", "")))

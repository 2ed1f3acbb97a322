"""Quality review of digitised components (kiểm tra chất lượng): the supervisor's «Đạt» / «Không đạt».

A use case the supervision page calls on the database worker (issue #17: the widget says *what*,
this runs it). The review is recorded under the signed-in supervisor: there is no fallback to
"the first supervisor account" — a review under the wrong name is a false record — so a call
without a signed-in user fails with the Vietnamese "Chưa đăng nhập…" message
(:func:`counter_app.services.session.require_actor`).
"""

from __future__ import annotations

from counter_app.db import reviews
from counter_app.db.database import CounterDB
from counter_app.services.session import Actor, require_actor

__all__ = ["approve_component", "reject_component"]


def _reviewer(actor: Actor | int | None) -> int:
    """The reviewer's user id; an id alone (the page's ``user_id``) is accepted as the signed-in user."""
    if isinstance(actor, int) and not isinstance(actor, bool) and actor > 0:
        return actor
    return require_actor(None if isinstance(actor, int) else actor).user_id


def approve_component(cdb: CounterDB, component_id: int, actor: Actor | int | None) -> int:
    """«Đạt»: the newest scan of the component matches the paper; returns the review id.

    One transaction: the review row, the component's state, its event and the audit entry.
    """
    return reviews.approve(cdb, component_id, reviewer_id=_reviewer(actor))


def reject_component(cdb: CounterDB, component_id: int, reason: str, actor: Actor | int | None) -> int:
    """«Không đạt»: back to its officer for rescanning; the reason is required (Vietnamese error if empty)."""
    return reviews.reject(cdb, component_id, reason, reviewer_id=_reviewer(actor))

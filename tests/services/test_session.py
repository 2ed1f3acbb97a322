"""The current-user object: no operation that records an actor runs without one (issue #17)."""

from __future__ import annotations

import pytest

from counter_app.db.accounts import User
from counter_app.errors import ValidationError
from counter_app.services.session import Actor, actor_from_user, require_actor


def test_require_actor_without_sign_in_fails_in_vietnamese() -> None:
    with pytest.raises(ValidationError) as err:
        require_actor(None)
    assert "Chưa đăng nhập" in err.value.user_message()


def test_actor_from_user_keeps_identity() -> None:
    user = User(7, "lan", "Nguyễn Thị Lan", "supervisor")
    actor = require_actor(user)
    assert actor == Actor(7, "lan", "Nguyễn Thị Lan", "supervisor")
    assert actor.id == 7
    assert actor_from_user(user) == actor
    assert actor_from_user(None) is None
    assert require_actor(actor) is actor

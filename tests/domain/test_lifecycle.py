"""Dossier lifecycle: the transition table and regulation profiles."""

from __future__ import annotations

from datetime import date

import pytest

from counter_app.domain.lifecycle import (
    PROFILE_2018,
    PROFILE_2025,
    TRANSITIONS,
    Status,
    check_transition,
    regulation_profile,
)
from counter_app.errors import IllegalTransition


def test_codes_match_dvcqg() -> None:
    assert [s.value for s in Status] == list(range(1, 11))
    assert Status(10).label == "Đã trả kết quả"
    assert Status(5).label == "Yêu cầu bổ sung giấy tờ"


@pytest.mark.parametrize(
    ("cur", "tgt"),
    [(2, 4), (4, 9), (9, 10), (4, 5), (5, 4), (1, 2), (1, 3), (2, 9), (8, 4), (6, 4)],
)
def test_allowed(cur: int, tgt: int) -> None:
    assert check_transition(cur, tgt) == Status(tgt)


@pytest.mark.parametrize(("cur", "tgt"), [(2, 10), (10, 4), (3, 2), (7, 4), (9, 4), (1, 10), (4, 1)])
def test_illegal_transitions_raise_clear_error(cur: int, tgt: int) -> None:
    with pytest.raises(IllegalTransition) as exc:
        check_transition(cur, tgt)
    msg = exc.value.user_message()
    assert Status(cur).label in msg and Status(tgt).label in msg


def test_terminal_statuses_have_no_exit() -> None:
    for s in (Status.REFUSED, Status.WITHDRAWN, Status.RETURNED):
        assert not TRANSITIONS[s]
        for t in Status:
            with pytest.raises(IllegalTransition):
                check_transition(s, t)


def test_every_status_reaches_a_terminal_one() -> None:
    terminal = {s for s, nxt in TRANSITIONS.items() if not nxt}
    for start in Status:
        seen, todo = set(), [start]
        while todo:
            s = todo.pop()
            if s in seen:
                continue
            seen.add(s)
            todo.extend(TRANSITIONS[s])
        assert seen & terminal, start


def test_unknown_code() -> None:
    with pytest.raises(IllegalTransition):
        check_transition(2, 11)


def test_regulation_profile_by_date() -> None:
    assert regulation_profile(date(2025, 6, 30)) == PROFILE_2018
    assert regulation_profile(date(2025, 7, 1)) == PROFILE_2025
    assert regulation_profile(date(2025, 6, 30), PROFILE_2025) == PROFILE_2025
    with pytest.raises(ValueError):
        regulation_profile(date(2025, 1, 1), "nd_unknown")

"""Ward views (issue #19 items 3–4): per-counter figures with their "as of" time, and offline honesty.

The hand-counted reports fixture (this counter, D1–D6, "now" 23/11/2026 08:00) plus replicas of
two other counters applied through the real replica path (:func:`counter_app.sync.replica.apply_replica`):
Quầy 2 pulled two minutes ago, Quầy 3 last pulled yesterday at 14:05 (the province unreachable since).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from counter_app.db import ward as ward_db
from counter_app.db.database import CounterDB
from counter_app.db.dossiers import ts
from counter_app.reports import indicators as ind
from counter_app.reports import ward
from counter_app.sync import protocol as p
from counter_app.sync.replica import apply_replica
from tests.reports.conftest import NOW, _template, copy_fixture  # noqa: F401 - fixture shared with tests/reports

Q2_PULLED = NOW - timedelta(minutes=2)
Q2_PUSHED = NOW - timedelta(minutes=5)
Q3_PULLED = datetime(2026, 11, 22, 14, 5)
Q3_PUSHED = datetime(2026, 11, 22, 13, 50)


def _wire(moment: datetime) -> str:
    return p.format_timestamp(moment)


def _replica(cdb: CounterDB, code: str, owner: str, agency: str, received: datetime, *, status: int = 2,
             channel: int = 1, due: datetime | None = None, finished: datetime | None = None) -> None:
    item: dict[str, Any] = {
        "MaHoSo": code, p.RECEIVING_COUNTER_FIELD: owner, p.RECEIVING_AGENCY_FIELD: agency,
        "NgayTiepNhan": _wire(received), "TrangThaiHoSo": status, "KenhThucHien": channel,
        "MaTTHC": "1.001612", "TenTTHC": "Đăng ký khai sinh", "ChuHoSo": "Lê Thị Bình", p.VERSION_FIELD: 1,
    }
    if due is not None:
        item["NgayHenTra"] = _wire(due)
    if finished is not None:
        item["NgayKetThucXuLy"] = _wire(finished)
    with cdb.write():
        apply_replica(cdb, item, NOW, local=None)


def add_ward(cdb: CounterDB, now: datetime = NOW) -> dict[str, str]:
    """Replicas of Quầy 2 (fresh) and Quầy 3 (stale since yesterday 14:05); returns their counter ids.

    Quầy 2 in November: 3 received (1 online), 1 finished on time, 2 open of which 1 overdue.
    Quầy 3 in November: 2 received, both open, none overdue.
    """
    agency = str(cdb.get_setting("agency_code") or "")
    q2, q3 = f"{agency}-2", f"{agency}-3"
    _replica(cdb, "Q2-1", q2, agency, datetime(2026, 11, 3, 9), status=10, due=datetime(2026, 11, 6, 17),
             finished=datetime(2026, 11, 5, 10))
    _replica(cdb, "Q2-2", q2, agency, datetime(2026, 11, 10, 9), channel=2, due=datetime(2026, 11, 20, 17))
    _replica(cdb, "Q2-3", q2, agency, datetime(2026, 11, 20, 9), due=datetime(2026, 12, 4, 17))
    _replica(cdb, "Q3-1", q3, agency, datetime(2026, 11, 12, 9), due=datetime(2026, 12, 1, 17))
    _replica(cdb, "Q3-2", q3, agency, datetime(2026, 11, 21, 9), status=4, due=datetime(2026, 12, 8, 17))
    ward_db.upsert_counter(cdb, q2, agency_code=agency, last_push_at=ts(now - (NOW - Q2_PUSHED)),
                           pulled_at=ts(now - (NOW - Q2_PULLED)))
    ward_db.upsert_counter(cdb, q3, agency_code=agency, last_push_at=ts(Q3_PUSHED), pulled_at=ts(Q3_PULLED))
    return {"q2": q2, "q3": q3}


@pytest.fixture
def ward_db_(tmp_path: Path, _template: tuple[Path, dict[str, Any]]  # noqa: F811
             ) -> tuple[CounterDB, dict[str, Any], dict[str, str]]:
    info = copy_fixture(_template, tmp_path / "counter.sqlite3")
    cdb = CounterDB(tmp_path / "counter.sqlite3")
    before = ind.dashboard(cdb, 2026, 11, now=NOW, cache=ind.FactsCache())
    info["own_cards"] = before.figures.rates()
    info["own_overdue"] = before.deadlines["overdue_count"]
    ids = add_ward(cdb)
    return cdb, info, ids


def test_ward_table_counts_each_counter_and_the_ward(ward_db_: tuple[CounterDB, dict[str, Any], dict[str, str]]
                                                     ) -> None:
    cdb, info, ids = ward_db_
    d = ind.dashboard(cdb, 2026, 11, now=NOW, cache=ind.FactsCache())
    assert d.ward is not None and d.ward.has_replicas
    rows = {r.counter.owner if r.counter else "*": r for r in d.ward.rows}
    assert [r.label for r in d.ward.rows] == ["Quầy này", "Quầy 2", "Quầy 3"]
    own, q2, q3 = rows[""], rows[ids["q2"]], rows[ids["q3"]]
    # This counter's line is its own hand counts (tests/reports): D5, D6 received in November.
    assert (own.figures.received, own.figures.finished, own.figures.on_time) == (2, 1, 1)
    assert own.backlog == d.backlog.total == 2 and own.reviews == len(d.reviews)
    assert (q2.figures.received, q2.figures.online, q2.figures.finished, q2.figures.on_time) == (3, 1, 1, 1)
    assert (q2.open, q2.overdue) == (2, 1)
    assert (q3.figures.received, q3.open, q3.overdue) == (2, 2, 0)
    # Another counter's backlog and review queue are unknown here (no components, no scans): None, not 0.
    assert q2.backlog is None and q3.reviews is None
    t = d.ward.total
    assert t.figures.received == 2 + 3 + 2 and t.open == own.open + 2 + 2
    assert t.overdue == own.overdue + 1 == info["own_overdue"] + 1
    # The cards stay this counter's (scope ''): replicas change none of its indicators.
    assert d.figures.rates() == info["own_cards"]
    assert d.deadlines["overdue_count"] == info["own_overdue"]


def test_scope_whole_ward_and_one_counter(ward_db_: tuple[CounterDB, dict[str, Any], dict[str, str]]) -> None:
    cdb, info, ids = ward_db_
    cache = ind.FactsCache()
    whole = ind.dashboard(cdb, 2026, 11, now=NOW, cache=cache, scope=None)
    assert whole.figures.received == 7 and whole.deadlines["overdue_count"] == info["own_overdue"] + 1
    q2 = ind.dashboard(cdb, 2026, 11, now=NOW, cache=cache, scope=ids["q2"])
    assert q2.figures.received == 3 and q2.figures.rate("online") == pytest.approx(100 / 3)
    assert [r["code"] for r in q2.deadlines["overdue"]] == ["Q2-2"]
    assert {r["owner_counter"] for r in q2.deadlines["soon"]} <= {ids["q2"]}


def test_stale_counter_is_named_with_since_when(ward_db_: tuple[CounterDB, dict[str, Any], dict[str, str]]) -> None:
    cdb, _info, ids = ward_db_
    view = ind.dashboard(cdb, 2026, 11, now=NOW, cache=ind.FactsCache()).ward
    assert view is not None
    fresh = {c.owner: c for c in view.counters}
    assert not fresh[""].stale and fresh[""].as_of == NOW  # own data is always current
    assert fresh[""].as_of_text(NOW) == "Hiện tại (quầy này)"
    assert not fresh[ids["q2"]].stale and fresh[ids["q2"]].as_of == Q2_PUSHED
    assert fresh[ids["q2"]].as_of_text(NOW) == "07:55 hôm nay"
    q3 = fresh[ids["q3"]]
    assert q3.stale and q3.as_of == Q3_PUSHED  # the older of last pull (14:05) and its last push (13:50)
    assert view.notices == ["Quầy 3: dữ liệu cũ từ 13:50 hôm qua — chưa đồng bộ được với tỉnh"]


def test_freshness_thresholds() -> None:
    """One place for the thresholds; each edge decides the same way every time."""
    now = datetime(2026, 11, 23, 10, 0)
    edge = ward._assess("X-2", "", now - ward.STALE_PULL_AFTER, now - timedelta(minutes=1), now)
    assert not edge.stale
    late = ward._assess("X-2", "", now - ward.STALE_PULL_AFTER - timedelta(seconds=1), None, now)
    assert late.stale and late.reason == "chưa đồng bộ được với tỉnh" and late.name == "Quầy 2"
    quiet = ward._assess("X-2", "", now, now - ward.QUIET_PUSH_AFTER - timedelta(seconds=1), now)
    assert quiet.stale and quiet.reason == "quầy này chưa gửi dữ liệu lên tỉnh"
    assert quiet.notice(now) == "Quầy 2: dữ liệu cũ từ 07:59 hôm nay — quầy này chưa gửi dữ liệu lên tỉnh"
    assert not ward._assess("X-2", "", now, now - ward.QUIET_PUSH_AFTER, now).stale
    never = ward._assess("X-4", "", None, None, now)
    assert never.stale and never.notice(now) == "Quầy 4: chưa có dữ liệu — chưa đồng bộ được với tỉnh"
    assert ward.moment_text(datetime(2026, 11, 20, 9, 5), now) == "09:05 20/11/2026"


def test_facts_cache_follows_new_replicas_incrementally(
        ward_db_: tuple[CounterDB, dict[str, Any], dict[str, str]], tmp_path: Path) -> None:
    """A pull that adds replicas is caught by the incremental update, and the saved facts keep the counters."""
    cdb, _info, ids = ward_db_
    cache = ind.FactsCache(tmp_path / "facts.npz")
    cache.rebuild(cdb)
    agency = str(cdb.get_setting("agency_code") or "")
    _replica(cdb, "Q4-1", f"{agency}-4", agency, datetime(2026, 11, 22, 9))
    f = cache.update(cdb)
    fresh = ind.load_facts(cdb)
    view = ward.ward_view(cdb, f, 2026, 11, NOW, NOW + timedelta(days=2), own_backlog=0, own_reviews=0)
    assert [r.label for r in view.rows][-1] == "Quầy 4" and view.rows[-1].figures.received == 1
    assert sorted(f.counters) == sorted(fresh.counters)
    again = ind.FactsCache(tmp_path / "facts.npz")
    assert again._load(cdb) and again.facts is not None and sorted(again.facts.counters) == sorted(f.counters)
    assert ids["q3"] in again.facts.counters


def test_per_counter_figures_in_one_pass_match_one_pass_per_counter(
        ward_db_: tuple[CounterDB, dict[str, Any], dict[str, str]]) -> None:
    """The ward table's single bincount gives what a mask per counter gives (both periods)."""
    cdb, _info, _ids = ward_db_
    f = ind.load_facts(cdb)
    owner = f.cols["owner"].astype("int64")
    for period in ("calendar", "statutory"):
        grouped = ind.figures_by_group(f, 2026, 11, owner, len(f.counters), period=period)
        one_by_one = [ind.month_figures(f, 2026, 11, period=period, rows=owner == i) for i in range(len(f.counters))]
        assert grouped == one_by_one
        assert sum(g.received for g in grouped) == ind.month_figures(f, 2026, 11, period=period).received


def test_deadline_counts_per_counter_agree_in_sql_and_facts(
        ward_db_: tuple[CounterDB, dict[str, Any], dict[str, str]]) -> None:
    """One counter's overdue / due-soon counts: the SQL path (index dossiers_owner_due) and the facts agree."""
    cdb, info, ids = ward_db_
    from counter_app.db.calendar_store import load_calendar

    cal = load_calendar(cdb)
    f = ind.load_facts(cdb)
    for owner, overdue in (("", info["own_overdue"]), (ids["q2"], 1), (ids["q3"], 0), (None, info["own_overdue"] + 1)):
        by_sql = ind.deadline_lists(cdb, NOW, cal, owner=owner)
        by_facts = ind.deadline_lists(cdb, NOW, cal, owner=owner, facts=f)
        assert by_sql["overdue_count"] == by_facts["overdue_count"] == overdue, owner
        assert by_sql["soon_count"] == by_facts["soon_count"], owner
        assert [r["code"] for r in by_sql["overdue"]] == [r["code"] for r in by_facts["overdue"]]

"""One ward, three PCs, one province (issue #19), end to end over real HTTP.

Counters A and B receive dossiers; C is the supervisor's PC. All three are real data directories
with their own database; the province is the simulator process; every sync is the real engine
(``sync_once``: push, then the ward pull). Nothing is mocked.

1. a dossier received at A is returned at B, and A learns it;
2. C sees both counters' backlog, per counter, with each counter's "as of" (SQL on the replica and
   the supervisor's ward table, ``reports.ward``);
3. B and C hand over the same result while offline: the province applies one, the other PC gets
   a visible conflict with both sides, and its replica shows the province's state;
4. nothing is lost or duplicated at the province (counted and compared with each counter).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from counter_app.db import dossiers as repo
from counter_app.db import ward
from counter_app.domain.lifecycle import OPEN_STATUSES, Status
from counter_app.reports import indicators
from counter_app.reports import ward as ward_report
from counter_app.services import dossiers as screen
from counter_app.services import ward as ward_actions
from counter_app.services.session import Actor
from counter_app.sync import mapping
from counter_app.sync import protocol as p
from counter_app.sync.client import ClientConfig, ProvincialClient
from counter_app.sync.worker import SyncConfig, sync_once
from tests.sync.conftest import Counter, RunningSimulator

WARD = "H01.37.05"
FAST = SyncConfig(backoff_base=0.05, backoff_cap=0.5, catalogue_interval=None)
OFFICER_B = Actor(1, "canbo_b", "Trần Thị Quầy Hai", "officer")
OFFICER_C = Actor(1, "giamsat", "Lê Văn Giám Sát", "supervisor")
OPEN = tuple(int(s) for s in OPEN_STATUSES)


def sync(counter: Counter, url: str) -> Any:
    """One pass of the real engine against ``url``."""
    with ProvincialClient(ClientConfig(url, "demo", "demo", retry_delay=0.01)) as client:
        return sync_once(counter.cdb, counter.root, client, config=FAST)


def code_of(counter: Counter, dossier_id: int) -> str:
    return str(counter.cdb.scalar("SELECT code FROM dossiers WHERE id = ?", (dossier_id,)))


def replica_id(counter: Counter, code: str) -> int:
    return int(counter.cdb.scalar("SELECT id FROM dossiers WHERE code = ? AND owner_counter <> ''", (code,)))


def _record(dossier: dict[str, Any]) -> dict[str, Any]:
    """A dossier record without the fields the province's processing decides."""
    return {k: v for k, v in dossier.items()
            if k not in ("TrangThaiHoSo", "NgayTra", "ThongTinTra", "HinhThuc", "NgayKetThucXuLy")}


def backlog_by_counter(counter: Counter) -> dict[str, int]:
    """Open dossiers per receiving counter as this PC sees the ward ('' = its own)."""
    marks = ",".join("?" * len(OPEN))
    return {r["owner_counter"]: r["n"] for r in counter.cdb.query(
        f"SELECT owner_counter, COUNT(*) AS n FROM dossiers WHERE status IN ({marks}) GROUP BY owner_counter", OPEN)}


def test_a_ward_of_three_pcs_shares_one_record_at_the_province(
        simulator: RunningSimulator, ward_counter: Callable[..., Counter],
        receive: Callable[..., list[int]]) -> None:
    a = ward_counter("quay-a", WARD, 0)
    b = ward_counter("quay-b", WARD, 1)
    c = ward_counter("giam-sat-c", WARD, 2)
    at_a = receive(a, 4, seed=1)
    at_b = receive(b, 3, seed=2)
    for dossier in at_a[:2]:   # two of A's dossiers are decided: results wait at the ward
        repo.transition(a.cdb, dossier, Status.PROCESSING, officer_id=1)
        repo.transition(a.cdb, dossier, Status.DONE, officer_id=1)
    for pc in (a, b, c):
        report = sync(pc, simulator.url)
        assert report.error is None and report.parked == 0, report

    # --- 1. received at A, returned at B --------------------------------------------------------
    d1 = code_of(a, at_a[0])
    assert b.cdb.scalar("SELECT owner_counter FROM dossiers WHERE code = ?", (d1,)) == "H01.37.05-0"
    found = repo.list_dossiers(b.cdb, repo.ListFilter(text=d1))
    assert [r["code"] for r in found] == [d1] and found[0]["owner_counter"] == "H01.37.05-0"
    # Through the function the dossier screen calls, as for any dossier: it sends an action.
    screen.return_result(b.cdb, replica_id(b, d1), OFFICER_B, to_whom="Nguyễn Văn Thử 0", id_checked=True, method=0)
    assert sync(b, simulator.url).progress_sent == 1
    assert sync(a, simulator.url).error is None
    assert a.cdb.scalar("SELECT status FROM dossiers WHERE id = ?", (at_a[0],)) == int(Status.RETURNED)
    assert a.cdb.scalar("SELECT COUNT(*) FROM outbox WHERE dossier_id = ? AND state <> 'synced'", (at_a[0],)) == 0

    # --- 2. the supervisor's PC sees both counters' backlog, and how fresh each part is ----------
    assert sync(c, simulator.url).error is None
    backlog = backlog_by_counter(c)
    assert backlog == {"H01.37.05-0": 2, "H01.37.05-1": 3}     # A: 2 still in processing (1 decided); B: 3
    fresh = {r["counter_id"]: r for r in ward.list_counters(c.cdb)}
    assert set(fresh) == {"H01.37.05-0", "H01.37.05-1", "H01.37.05-2"}
    assert fresh["H01.37.05-2"]["is_self"] == 1
    assert all(fresh[k]["last_push_at"] and fresh[k]["pulled_at"] for k in ("H01.37.05-0", "H01.37.05-1"))
    # The same through the supervisor's ward table (reports.ward), each counter fresh, with its «as of».
    now = datetime.now()
    view = ward_report.ward_view(c.cdb, indicators.load_facts(c.cdb), now.year, now.month, now,
                                 now + timedelta(days=2), own_backlog=0, own_reviews=0)
    by_counter = {r.counter.counter_id: r for r in view.rows if r.counter is not None}
    assert by_counter["H01.37.05-0"].open == 2 and by_counter["H01.37.05-1"].open == 3
    assert by_counter["H01.37.05-2"].open == 0 and view.total.open == 5
    assert view.stale == [] and all(r.counter.as_of is not None for r in view.rows if r.counter is not None)

    # --- 3. two PCs hand over the same result while offline: one applied, one visible conflict ---
    d2 = code_of(a, at_a[1])
    ward_actions.return_result(b.cdb, replica_id(b, d2), OFFICER_B, to_whom="Người nhận ở quầy B",
                               id_checked=True, method=0)
    ward_actions.return_result(c.cdb, replica_id(c, d2), OFFICER_C, to_whom="Người nhận ở máy C",
                               id_checked=True, method=0)
    offline = sync(b, "http://127.0.0.1:9")        # the network is down: B's action waits in its outbox
    assert offline.error is not None and offline.error.kind == "unreachable"
    assert b.cdb.scalar("SELECT state FROM outbox WHERE dossier_id = ? ORDER BY id DESC", (replica_id(b, d2),)) \
        == "pending"
    assert sync(c, simulator.url).conflicts == 0        # C reaches the province first: applied
    report_b = sync(b, simulator.url)                   # B's comes back: the province says someone was first
    assert report_b.error is None and report_b.conflicts == 1
    (conflict,) = ward.list_conflicts(b.cdb)
    assert conflict["dossier_code"] == d2 and conflict["action"] == "return"
    assert conflict["local"]["detail"]["to"] == "Người nhận ở quầy B"     # nothing of B's action is lost
    assert conflict["province"]["counter"] == "H01.37.05-2"             # who got there first
    assert ward.list_conflicts(c.cdb) == []
    # B's replica shows the province's state (C's hand-over), never silently its own.
    (province_d2,) = simulator.admin(p.ADMIN_DOSSIERS_PATH, MaHoSo=d2)["dossiers"]
    assert b.cdb.scalar("SELECT province_version FROM dossiers WHERE code = ?", (d2,)) \
        == province_d2["current"][p.VERSION_FIELD]
    for pc in (a, c):
        sync(pc, simulator.url)
    assert a.cdb.scalar("SELECT status FROM dossiers WHERE id = ?", (at_a[1],)) == int(Status.RETURNED)

    # --- 4. nothing lost or duplicated at the province -----------------------------------------
    held = {d["MaHoSo"]: d for d in simulator.admin(p.ADMIN_DOSSIERS_PATH)["dossiers"]}
    stats = simulator.admin(p.ADMIN_STATS_PATH)
    assert len(held) == stats["dossiers"] == stats["counters"]["dossiers_created"] == len(at_a) + len(at_b)
    for pc, own in ((a, at_a), (b, at_b)):
        for dossier in own:
            # The reception record is the counter's, verbatim; the state is the province's view,
            # which a hand-over at another PC moved on (A took it over from the pull, no re-send).
            payload = mapping.dossier_payload(pc.cdb, dossier)
            remote = held[payload["MaHoSo"]]
            assert remote["current"]["TrangThaiHoSo"] == payload["TrangThaiHoSo"], payload["MaHoSo"]
            assert _record(remote["received"]) == _record(payload), payload["MaHoSo"]
    actions = {code: [s for s in d["current"]["QuaTrinhXuLy"] if p.BASE_VERSION_FIELD in s]
               for code, d in held.items()}
    assert {code: len(v) for code, v in actions.items() if v} == {d1: 1, d2: 1}
    assert actions[d2][0]["MaQuayThaoTac"] == "H01.37.05-2"
    assert stats["counters"].get("actions_applied") == 2 and stats["counters"].get("actions_stale") == 1
    # Every PC holds the whole ward once: own + replicas = everything at the province, no duplicate.
    for pc in (a, b, c):
        codes = [r["code"] for r in pc.cdb.query("SELECT code FROM dossiers")]
        assert sorted(codes) == sorted(held), pc.root.name
        states = {r["state"]: r["n"] for r in pc.cdb.query("SELECT state, COUNT(*) AS n FROM outbox GROUP BY state")}
        assert set(states) <= {"synced", "conflict"} and states.get("conflict", 0) == (pc is b)

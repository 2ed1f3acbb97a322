"""The ward replica (issue #19) against the simulator process: pull by agency, actions, conflicts.

Real counter databases, the real client over HTTP, the simulator as a subprocess. Counters of one
ward share the agency code and differ by workstation slot (``db.ward.counter_id``).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from counter_app.db import dossiers as repo
from counter_app.db import ward
from counter_app.domain.lifecycle import Status
from counter_app.services import ward as ward_actions
from counter_app.services.session import Actor
from counter_app.sync import protocol as p
from counter_app.sync.client import ClientConfig, ProvincialClient
from counter_app.sync.worker import SyncConfig, retry_item, sync_once

if TYPE_CHECKING:
    from collections.abc import Callable

    from conftest import Counter, RunningSimulator

    MakeCounter = Callable[..., Counter]
    Fill = Callable[..., list[int]]

FAST = SyncConfig(backoff_base=0.05, backoff_cap=0.5, catalogue_interval=None)
OFFICER = Actor(1, "admin", "Nguyễn Thị Quầy", "admin")


def client_for(sim: RunningSimulator) -> ProvincialClient:
    """A client of the simulator."""
    return ProvincialClient(ClientConfig(sim.url, "demo", "demo", retry_delay=0.01))


def counters(make_counter: MakeCounter, agency: str, *slots: int) -> list[Counter]:
    """Counters of one ward: same agency, one workstation slot each."""
    made = []
    for slot in slots:
        c = make_counter(f"quay{slot}", agency=agency)
        c.cdb.set_setting("workstation_slot", slot)
        made.append(c)
    return made


def sync(counter: Counter, sim: RunningSimulator) -> Any:
    """One real pass (push, then the ward pull)."""
    with client_for(sim) as client:
        report = sync_once(counter.cdb, counter.root, client, config=FAST)
    assert report.error is None, report.error
    return report


def test_other_counters_dossiers_arrive_as_searchable_replicas_without_outbox(
        shared_simulator: RunningSimulator, make_counter: MakeCounter, fill: Fill) -> None:
    a, b = counters(make_counter, "H01.90.01", 0, 1)
    other_ward = make_counter("other", agency="H01.90.02")
    ids = fill(a, 3, files_per_dossier=1)
    repo.transition(a.cdb, ids[0], Status.PROCESSING, officer_id=1)
    sync(a, shared_simulator)
    report = sync(b, shared_simulator)
    assert report.replicas == 3
    rows = b.cdb.query("SELECT code, owner_counter, replica_as_of, status, province_version FROM dossiers "
                       "ORDER BY code")
    codes_at_a = [r["code"] for r in a.cdb.query("SELECT code FROM dossiers ORDER BY code")]
    assert [r["code"] for r in rows] == codes_at_a
    assert {r["owner_counter"] for r in rows} == {ward.counter_id(a.cdb)} == {"H01.90.01-0"}
    assert all(r["replica_as_of"] for r in rows)
    assert {r["code"]: r["status"] for r in rows}[codes_at_a[0]] == int(Status.PROCESSING)
    # A replica never queues anything of its own on pull.
    assert b.cdb.scalar("SELECT COUNT(*) FROM outbox") == 0
    # The same search path as own dossiers: by name and by code.
    found = repo.list_dossiers(b.cdb, repo.ListFilter(text="Nguyễn Văn Thử 1"))
    assert [r["code"] for r in found] == [codes_at_a[1]]
    assert repo.list_dossiers(b.cdb, repo.ListFilter(text=codes_at_a[2]))[0]["code"] == codes_at_a[2]
    # Ward table: A as the province last saw it, pulled now; B's own row is kept by its sync.
    known = {r["counter_id"]: r for r in ward.list_counters(b.cdb)}
    assert known["H01.90.01-0"]["last_push_at"] and known["H01.90.01-0"]["pulled_at"]
    assert known["H01.90.01-1"]["is_self"] == 1 and known["H01.90.01-1"]["last_push_at"]
    # Another agency sees none of them; a second pull changes nothing.
    sync(other_ward, shared_simulator)
    assert other_ward.cdb.scalar("SELECT COUNT(*) FROM dossiers") == 0
    assert sync(b, shared_simulator).replicas == 0


def test_first_action_wins_and_the_second_becomes_a_visible_conflict(
        shared_simulator: RunningSimulator, make_counter: MakeCounter, fill: Fill) -> None:
    a, b, c = counters(make_counter, "H01.90.03", 0, 1, 2)
    (dossier,) = fill(a, 1, files_per_dossier=1)
    repo.transition(a.cdb, dossier, Status.PROCESSING, officer_id=1)
    repo.transition(a.cdb, dossier, Status.DONE, officer_id=1)
    sync(a, shared_simulator)
    sync(b, shared_simulator)
    sync(c, shared_simulator)
    code = a.cdb.scalar("SELECT code FROM dossiers WHERE id = ?", (dossier,))
    at_b = b.cdb.scalar("SELECT id FROM dossiers WHERE code = ?", (code,))
    at_c = c.cdb.scalar("SELECT id FROM dossiers WHERE code = ?", (code,))
    # Both hand the result over while offline (nothing synced in between).
    ward_actions.return_result(b.cdb, at_b, OFFICER, to_whom="Trần Văn Nhận", id_checked=True, method=0)
    ward_actions.return_result(c.cdb, at_c, OFFICER, to_whom="Lê Thị Khác", id_checked=True, method=0)
    assert c.cdb.scalar("SELECT status FROM dossiers WHERE id = ?", (at_c,)) == int(Status.RETURNED)
    sync(b, shared_simulator)
    report = sync(c, shared_simulator)
    assert report.conflicts == 1
    # One applied change at the province: B's, as a progress entry and status 10.
    (held,) = shared_simulator.admin(p.ADMIN_DOSSIERS_PATH, MaHoSo=code)["dossiers"]
    assert held["status"] == int(Status.RETURNED)
    actions = [s for s in held["current"]["QuaTrinhXuLy"] if p.BASE_VERSION_FIELD in s]
    assert len(actions) == 1 and actions[0]["MaQuayThaoTac"] == "H01.90.03-1"
    # C: the conflict is listed with both sides, the outbox entry parked, nothing lost.
    (conflict,) = ward.list_conflicts(c.cdb)
    assert conflict["dossier_code"] == code and conflict["action"] == "return"
    assert conflict["local"]["detail"]["to"] == "Lê Thị Khác"
    assert conflict["province"]["status"] == int(Status.RETURNED)
    assert conflict["province"]["counter"] == "H01.90.03-1"
    parked = c.cdb.query_one("SELECT state, last_error FROM outbox WHERE dossier_id = ?", (at_c,))
    assert parked["state"] == "conflict" and "Xung đột với quầy khác" in parked["last_error"]
    assert c.cdb.scalar("SELECT COUNT(*) FROM dossier_events WHERE dossier_id = ? AND kind = 'sync_conflict'",
                        (at_c,)) == 1
    # C's replica now shows the province's state (B's version), not its own refused action.
    assert c.cdb.scalar("SELECT province_version FROM dossiers WHERE id = ?", (at_c,)) == held["current"][
        p.VERSION_FIELD]
    # Status history kept on the replicas: the province's step (B's action) is on B's timeline too.
    sync(b, shared_simulator)
    steps = b.cdb.query("SELECT to_status, detail FROM dossier_events WHERE dossier_id = ? AND kind = 'province_step'",
                        (at_b,))
    assert [s["to_status"] for s in steps] == [int(Status.RETURNED)]
    assert "Trả kết quả tại Quầy 1" in json.loads(steps[0]["detail"])["note"]
    assert b.cdb.scalar("SELECT status FROM dossiers WHERE id = ?", (at_b,)) == int(Status.RETURNED)
    # A (the receiving counter) learns that its dossier was returned at B.
    sync(a, shared_simulator)
    assert a.cdb.scalar("SELECT status FROM dossiers WHERE id = ?", (dossier,)) == int(Status.RETURNED)
    # «Gửi lại» on the parked entry: refused again (its base is still old), still one conflict entry.
    assert retry_item(c.cdb, c.cdb.scalar("SELECT id FROM outbox WHERE dossier_id = ?", (at_c,)))
    assert sync(c, shared_simulator).conflicts == 1
    assert [x["id"] for x in ward.list_conflicts(c.cdb)] == [conflict["id"]]
    assert ward.acknowledge_conflict(c.cdb, conflict["id"], 1)
    assert ward.list_conflicts(c.cdb) == []


def test_a_retried_action_after_a_lost_reply_is_not_a_conflict(
        simulator_factory: Any, make_counter: MakeCounter, fill: Fill) -> None:
    sim = simulator_factory.start("--no-progress")
    a, b = counters(make_counter, "H01.90.04", 0, 1)
    (dossier,) = fill(a, 1)
    repo.transition(a.cdb, dossier, Status.PROCESSING, officer_id=1)
    repo.transition(a.cdb, dossier, Status.SUPPLEMENT, officer_id=1)
    sync(a, sim)
    sync(b, sim)
    at_b = b.cdb.scalar("SELECT id FROM dossiers WHERE owner_counter <> ''")
    ward_actions.supplement_received(b.cdb, at_b, OFFICER, note="Bản sao giấy khai sinh")
    entry = b.cdb.query_one("SELECT payload FROM outbox WHERE dossier_id = ?", (at_b,))
    wire = json.loads(entry["payload"])["wire"]
    with client_for(sim) as client:
        assert client.update_progress([wire]) == ["created"]   # the reply "lost": the worker sends it again
    sync(b, sim)
    assert ward.list_conflicts(b.cdb) == []
    assert b.cdb.scalar("SELECT state FROM outbox WHERE dossier_id = ?", (at_b,)) == "synced"
    assert sim.admin(p.ADMIN_DOSSIERS_PATH)["dossiers"][0]["status"] == int(Status.PROCESSING)


def test_a_replicas_result_document_is_fetched_on_demand_once(
        simulator_factory: Any, make_counter: MakeCounter, fill: Fill) -> None:
    import time

    from counter_app.atomicio import sha256_file
    from counter_app.sync import replica

    sim = simulator_factory.start("--progress-speed", "0.2", "--tick", "0.1", "--supplement-rate", "0")
    a, b = counters(make_counter, "H01.90.05", 0, 1)
    fill(a, 1)
    sync(a, sim)
    deadline = time.monotonic() + 20
    while sim.admin(p.ADMIN_DOSSIERS_PATH)["dossiers"][0]["status"] != int(Status.DONE):
        assert time.monotonic() < deadline, "the simulator did not decide the dossier"
        time.sleep(0.1)
    sync(b, sim)
    at_b = b.cdb.query_one("SELECT id, status, replica_results FROM dossiers WHERE owner_counter <> ''")
    assert at_b["status"] == int(Status.DONE)
    (doc,) = json.loads(at_b["replica_results"])
    assert b.cdb.scalar("SELECT COUNT(*) FROM files") == 0          # the pull downloads nothing for a replica
    b.cdb.set_setting("provincial_endpoint", sim.url)
    # What a screen calls (sync settings, the pull's download path); a second time fetches nothing.
    assert ward_actions.fetch_replica_results(b.cdb, b.root, at_b["id"]) == 1
    with client_for(sim) as client:
        assert replica.fetch_results(b.cdb, b.root, client, at_b["id"]) == 0     # never twice
    f = b.cdb.query_one("SELECT * FROM files WHERE dossier_id = ?", (at_b["id"],))
    assert f["kind"] == "result" and f["uid"] == doc["GiayToId"]
    assert sha256_file(b.root / f["path"]) == f["sha256"]
    (held,) = sim.admin(p.ADMIN_DOSSIERS_PATH)["dossiers"]
    assert json.loads(f["meta"])["plain_sha256"] == held["results"][0]["sha256"]


def test_a_supervisors_pc_replicates_the_units_it_supervises(
        shared_simulator: RunningSimulator, make_counter: MakeCounter, fill: Fill) -> None:
    from counter_app.sync.worker import WARD_UNITS_KEY

    (ward_a,) = counters(make_counter, "H01.90.06", 0)
    fill(ward_a, 2)
    sync(ward_a, shared_simulator)
    supervisor = make_counter("to-giam-sat", agency="H01.90.07")
    supervisor.cdb.set_setting(WARD_UNITS_KEY, ["H01.90.06"])
    neighbour = make_counter("phuong-ben", agency="H01.90.07")
    assert sync(supervisor, shared_simulator).replicas == 2
    assert {r["owner_counter"] for r in supervisor.cdb.query("SELECT owner_counter FROM dossiers")} == {"H01.90.06-0"}
    assert "H01.90.06-0" in {r["counter_id"] for r in ward.list_counters(supervisor.cdb)}
    assert sync(neighbour, shared_simulator).replicas == 0


def test_a_replica_is_never_sent_as_a_record_even_through_the_own_dossier_functions(
        shared_simulator: RunningSimulator, make_counter: MakeCounter, fill: Fill) -> None:
    a, b = counters(make_counter, "H01.90.08", 0, 1)
    (dossier,) = fill(a, 1)
    sync(a, shared_simulator)
    sync(b, shared_simulator)
    at_b = b.cdb.scalar("SELECT id FROM dossiers WHERE owner_counter <> ''")
    before = shared_simulator.admin(p.ADMIN_DOSSIERS_PATH, MaHoSo=code_of(a, dossier))["dossiers"][0]
    # A screen that calls the own-dossier function on a replica queues a record upsert …
    repo.transition(b.cdb, at_b, Status.PROCESSING, officer_id=1)
    report = sync(b, shared_simulator)
    # … which is parked with the reason, never sent: A's record at the province is untouched.
    assert report.dossiers_sent == 0
    (entry,) = b.cdb.query("SELECT state, last_error FROM outbox WHERE dossier_id = ?", (at_b,))
    assert entry["state"] == "conflict" and "Quầy 0 tiếp nhận" in entry["last_error"]
    after = shared_simulator.admin(p.ADMIN_DOSSIERS_PATH, MaHoSo=code_of(a, dossier))["dossiers"][0]
    assert after["received_sha256"] == before["received_sha256"] and after["update_count"] == before["update_count"]


def code_of(counter: Counter, dossier_id: int) -> str:
    """A dossier's code at its counter."""
    return str(counter.cdb.scalar("SELECT code FROM dossiers WHERE id = ?", (dossier_id,)))


def test_an_apology_for_another_counters_dossier_prints_and_reaches_the_province(
        shared_simulator: RunningSimulator, make_counter: MakeCounter, fill: Fill, tmp_path: Any) -> None:
    from counter_app.services import dossiers as screen

    a, b = counters(make_counter, "H01.90.09", 0, 1)
    (dossier,) = fill(a, 1)
    sync(a, shared_simulator)
    sync(b, shared_simulator)
    at_b = b.cdb.scalar("SELECT id FROM dossiers WHERE owner_counter <> ''")
    detail = repo.dossier_detail(b.cdb, at_b)
    letter = screen.apologise(b.cdb, b.root, detail, OFFICER, reason="Chờ xác minh hộ tịch", working_days=3)
    assert letter.exists() and letter.read_bytes().startswith(b"%PDF")
    assert sync(b, shared_simulator).progress_sent == 1
    (held,) = shared_simulator.admin(p.ADMIN_DOSSIERS_PATH, MaHoSo=code_of(a, dossier))["dossiers"]
    (step,) = [s for s in held["current"]["QuaTrinhXuLy"] if p.BASE_VERSION_FIELD in s]
    assert step["NgayHenTraMoi"] and "Chờ xác minh hộ tịch" in step["NoiDungXuLy"]
    assert held["status"] == int(Status.RECEIVED) and ward.list_conflicts(b.cdb) == []


def test_the_receiving_counter_acting_offline_after_another_counter_gets_a_conflict_too(
        shared_simulator: RunningSimulator, make_counter: MakeCounter, fill: Fill) -> None:
    from counter_app.services import dossiers as screen
    from counter_app.sync import mapping

    a, b = counters(make_counter, "H01.90.10", 0, 1)
    (dossier,) = fill(a, 1)
    repo.transition(a.cdb, dossier, Status.PROCESSING, officer_id=1)
    repo.transition(a.cdb, dossier, Status.DONE, officer_id=1)
    sync(a, shared_simulator)
    sync(b, shared_simulator)
    at_b = b.cdb.scalar("SELECT id FROM dossiers WHERE owner_counter <> ''")
    screen.return_result(b.cdb, at_b, OFFICER, to_whom="Người nhận ở quầy 1", id_checked=True, method=0)
    assert sync(b, shared_simulator).progress_sent == 1
    # A has not pulled since: its officer hands the same result over again.
    screen.return_result(a.cdb, dossier, OFFICER, to_whom="Người nhận ở quầy 0", id_checked=True, method=0)
    report = sync(a, shared_simulator)
    assert report.conflicts == 1
    (conflict,) = ward.list_conflicts(a.cdb)
    assert conflict["action"] == "return" and conflict["local"]["detail"]["to"] == "Người nhận ở quầy 0"
    assert conflict["province"]["counter"] == "H01.90.10-1" and conflict["province"]["status"] == 10
    # The rest of A's record goes again (nothing lost) and is accepted: A has now seen B's action.
    sync(a, shared_simulator)
    assert a.cdb.scalar("SELECT COUNT(*) FROM outbox WHERE dossier_id = ? AND state IN ('pending', 'error')",
                        (dossier,)) == 0
    (held,) = shared_simulator.admin(p.ADMIN_DOSSIERS_PATH, MaHoSo=code_of(a, dossier))["dossiers"]
    assert held["received_sha256"] == p.content_sha256(mapping.dossier_payload(a.cdb, dossier))
    assert held["status"] == int(Status.RETURNED) and len(ward.list_conflicts(a.cdb)) == 1
    rows = ward_actions.conflict_rows(a.cdb)
    assert "Người nhận ở quầy 0" in rows[0]["ours"] and "Quầy 1" in rows[0]["theirs"]

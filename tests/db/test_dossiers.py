"""Reception, status changes with their events and outbox entries, the list query."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from counter_app.db import dossiers as repo
from counter_app.db.database import CounterDB
from counter_app.db.dossiers import ApplicantInput, ComponentInput, ListFilter, ReceptionInput
from counter_app.domain.calendar import WorkCalendar
from counter_app.domain.lifecycle import Status
from counter_app.errors import IllegalTransition, ValidationError

CAL = WorkCalendar.default()
MON_10AM = datetime(2026, 10, 5, 10, 0)  # Monday 5/10/2026, an ordinary working day


def applicant(**kw: object) -> ApplicantInput:
    base = dict(full_name="Nguyễn Thị Lan", id_number="001190012345", date_of_birth=date(1990, 5, 1),
                gender="Nữ", address="Số 5 Đội Cấn, Phường Ba Đình, Hà Nội", phone="0912345678")
    base.update(kw)
    return ApplicantInput(**base)  # type: ignore[arg-type]


def birth(decision: str = "accept", **kw: object) -> ReceptionInput:
    comps = [ComponentInput("TK"), ComponentInput("GCS"), ComponentInput("CCCD", "shown")]
    return ReceptionInput(procedure_code="1.001193", applicant=applicant(), components=comps,
                          decision=decision, officer_id=1, **kw)  # type: ignore[arg-type]


def counts(cdb: CounterDB, table: str) -> int:
    return int(cdb.scalar(f"SELECT count(*) FROM {table}"))


def test_accept_writes_dossier_components_event_outbox(cdb: CounterDB) -> None:
    r = repo.receive(cdb, birth(), CAL, now=MON_10AM)
    assert r.code == "H01.37.01-261005-0001"
    assert r.status == Status.RECEIVED
    # 1 working day, received Monday 10:00 → due end of Tuesday.
    assert r.due_at is not None and r.due_at.date() == date(2026, 10, 6)
    d = repo.dossier_detail(cdb, r.dossier_id)
    assert d["applicant_name"] == "Nguyễn Thị Lan" and d["regulation_profile"] == "nd118_2025"
    # The optional authorisation letter was not marked: it does not apply, no row (issue #14).
    assert {c["component_code"]: c["state"] for c in d["components"]} == {
        "TK": "received", "GCS": "received", "CCCD": "shown"}
    assert [e["kind"] for e in d["events"]] == ["received"]
    out = cdb.query("SELECT * FROM outbox")
    assert len(out) == 1 and out[0]["state"] == "pending" and json.loads(out[0]["payload"])["code"] == r.code
    assert d["fee_total"] == 8000
    assert d["receiving_unit"] == d["deciding_unit"] == "H01.37.01"


def test_online_channel_uses_online_fee(cdb: CounterDB) -> None:
    r = repo.receive(cdb, birth(channel=2), CAL, now=MON_10AM)
    assert repo.dossier_detail(cdb, r.dossier_id)["fee_total"] == 0


def test_boundary_free_reception_keeps_both_units(cdb: CounterDB) -> None:
    r = repo.receive(cdb, birth(deciding_unit="00008"), CAL, now=MON_10AM)
    d = repo.dossier_detail(cdb, r.dossier_id)
    assert (d["receiving_unit"], d["deciding_unit"]) == ("H01.37.01", "00008")


def test_missing_required_component_refuses_accept_and_writes_nothing(cdb: CounterDB) -> None:
    data = birth()
    data.components = [ComponentInput("TK"), ComponentInput("GCS", "missing")]
    with pytest.raises(ValidationError) as exc:
        repo.receive(cdb, data, CAL, now=MON_10AM)
    assert "Giấy chứng sinh" in exc.value.user_message()
    assert counts(cdb, "dossiers") == counts(cdb, "outbox") == 0


def test_incomplete_and_refused_get_no_code_and_are_not_sent(cdb: CounterDB) -> None:
    r1 = repo.receive(cdb, birth("incomplete"), CAL, now=MON_10AM)
    r2 = repo.receive(cdb, birth("refuse", reason="Không thuộc thẩm quyền"), CAL, now=MON_10AM)
    assert (r1.code, r1.status, r2.code, r2.status) == (None, 5, None, 3)
    assert counts(cdb, "outbox") == 0
    with pytest.raises(ValidationError):
        repo.receive(cdb, birth("refuse"), CAL, now=MON_10AM)  # a refusal needs a reason


def test_online_only_procedure_cannot_be_accepted_on_paper(cdb: CounterDB) -> None:
    data = birth()
    data.procedure_code = "9.999999"
    with pytest.raises(ValidationError) as exc:
        repo.receive(cdb, data, CAL, now=MON_10AM)
    assert "trực tuyến" in exc.value.user_message()


def test_returning_citizen_is_reused(cdb: CounterDB) -> None:
    repo.receive(cdb, birth(), CAL, now=MON_10AM)
    data = birth()
    data.applicant = applicant(phone="0988000111", full_name="Nguye\u0302\u0303n Thị Lan")  # NFD typed name
    repo.receive(cdb, data, CAL, now=MON_10AM)
    assert counts(cdb, "citizens") == 1
    c = repo.find_citizen(cdb, "001190012345")
    assert c is not None and c["phone"] == "0988000111" and c["full_name"] == "Nguyễn Thị Lan"


def test_hour_based_cutoff(cdb: CounterDB) -> None:
    data = ReceptionInput(procedure_code="2.000815", applicant=applicant(),
                          components=[ComponentInput("BC", "shown"), ComponentInput("BS")])
    before = repo.receive(cdb, data, CAL, now=datetime(2026, 10, 5, 14, 59))
    after = repo.receive(cdb, data, CAL, now=datetime(2026, 10, 5, 15, 1))
    assert before.due_at is not None and before.due_at.date() == date(2026, 10, 5)
    assert after.due_at is not None and after.due_at.date() == date(2026, 10, 6)


def test_transition_event_and_outbox_in_one_transaction(cdb: CounterDB) -> None:
    r = repo.receive(cdb, birth(), CAL, now=MON_10AM)
    v = repo.transition(cdb, r.dossier_id, Status.PROCESSING, officer_id=1)
    repo.transition(cdb, r.dossier_id, Status.DONE, expected_version=v)
    repo.transition(cdb, r.dossier_id, Status.RETURNED, detail={"to": "Nguyễn Thị Lan"})
    d = repo.dossier_detail(cdb, r.dossier_id)
    assert d["status"] == 10 and d["finished_at"] and d["returned_at"]
    assert [e["to_status"] for e in d["events"]] == [2, 4, 9, 10]
    assert counts(cdb, "outbox") == 4
    with pytest.raises(IllegalTransition):
        repo.transition(cdb, r.dossier_id, Status.PROCESSING)
    assert counts(cdb, "outbox") == 4 and counts(cdb, "dossier_events") == 4


def test_stale_version_is_refused(cdb: CounterDB) -> None:
    r = repo.receive(cdb, birth(), CAL, now=MON_10AM)
    repo.transition(cdb, r.dossier_id, Status.PROCESSING)
    with pytest.raises(ValidationError):
        repo.transition(cdb, r.dossier_id, Status.DONE, expected_version=1)


def test_failure_after_status_update_rolls_everything_back(cdb: CounterDB, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fault injection: the outbox write fails → the status change must not survive alone."""
    r = repo.receive(cdb, birth(), CAL, now=MON_10AM)

    def broken(*_a: object, **_k: object) -> str:
        raise OSError("disk gone")

    monkeypatch.setattr(repo, "enqueue", broken)
    with pytest.raises(OSError):
        repo.transition(cdb, r.dossier_id, Status.PROCESSING)
    assert repo.dossier_detail(cdb, r.dossier_id)["status"] == 2
    assert counts(cdb, "dossier_events") == 1


def test_status_counts_follow_triggers(cdb: CounterDB) -> None:
    ids = [repo.receive(cdb, birth(), CAL, now=MON_10AM).dossier_id for _ in range(5)]
    repo.transition(cdb, ids[0], Status.PROCESSING)
    repo.transition(cdb, ids[1], Status.DONE)
    real = {r["status"]: r["n"] for r in cdb.query("SELECT status, count(*) n FROM dossiers GROUP BY status")}
    got = {k: v for k, v in repo.status_counts(cdb).items() if v}
    assert got == real == {2: 3, 4: 1, 9: 1}


def test_list_filters_search_and_keyset_paging(cdb: CounterDB) -> None:
    names = ["Trần Văn Đức", "Lê Thu Hà", "Phạm Quốc Hùng", "Đỗ Minh Anh"]
    for i in range(40):
        data = birth()
        data.applicant = applicant(full_name=names[i % 4], id_number=f"0011900{i:05d}", phone=f"09{i:08d}")
        repo.receive(cdb, data, CAL, now=datetime(2026, 10, 5, 8, 0, i))
    page1 = repo.list_dossiers(cdb, limit=15)
    page2 = repo.list_dossiers(cdb, limit=15, before=repo.cursor_of(page1[-1], None))
    page3 = repo.list_dossiers(cdb, limit=15, before=repo.cursor_of(page2[-1], None))
    seen = [r["id"] for r in page1 + page2 + page3]
    assert len(seen) == len(set(seen)) == 40
    assert [r["received_at"] for r in page1] == sorted((r["received_at"] for r in page1), reverse=True)
    # Diacritic-insensitive, đ included, prefix while typing.
    assert {r["applicant_name"] for r in repo.list_dossiers(cdb, ListFilter(text="tran van d"))} == {"Trần Văn Đức"}
    assert {r["applicant_name"] for r in repo.list_dossiers(cdb, ListFilter(text="Đỗ"))} == {"Đỗ Minh Anh"}
    assert len(repo.list_dossiers(cdb, ListFilter(text="00119000000"))) == 10  # ID number prefix
    assert len(repo.list_dossiers(cdb, ListFilter(text="0900000007"))) == 1  # phone
    assert len(repo.list_dossiers(cdb, ListFilter(text="H01.37.01-261005-000"))) == 9
    assert repo.count_dossiers(cdb, ListFilter(statuses=[2])) == 40
    assert repo.list_dossiers(cdb, ListFilter(text="'; DROP TABLE dossiers; --")) == []
    assert repo.list_dossiers(cdb, ListFilter(text="%")) == []
    assert counts(cdb, "dossiers") == 40
    # Name search comes alphabetically and pages by name without gaps or repeats.
    f = ListFilter(text="l")
    first = repo.list_dossiers(cdb, f, limit=4)
    rest = repo.list_dossiers(cdb, f, limit=100, before=repo.cursor_of(first[-1], f))
    names = [r["applicant_name_folded"] for r in first + rest]
    assert names == sorted(names) and len(names) == 10 and len({r["id"] for r in first + rest}) == 10


def test_overdue_filter(cdb: CounterDB) -> None:
    r = repo.receive(cdb, birth(), CAL, now=MON_10AM)
    repo.receive(cdb, birth(), CAL, now=datetime(2026, 10, 9, 10, 0))
    overdue = repo.list_dossiers(cdb, ListFilter(overdue_at=datetime(2026, 10, 8, 9, 0)))
    assert [d["id"] for d in overdue] == [r.dossier_id]
    # Due-soon lists come most urgent first.
    soon = repo.list_dossiers(cdb, ListFilter(due_before=datetime(2026, 10, 30)))
    assert [d["due_at"] for d in soon] == sorted(d["due_at"] for d in soon) and len(soon) == 2
    repo.transition(cdb, r.dossier_id, Status.DONE)
    assert repo.list_dossiers(cdb, ListFilter(overdue_at=datetime(2026, 10, 8, 9, 0))) == []


def test_supplement_pause_extends_deadline(cdb: CounterDB) -> None:
    r = repo.receive(cdb, birth(), CAL, now=MON_10AM)  # due Tue 6/10 17:00
    repo.transition(cdb, r.dossier_id, Status.SUPPLEMENT, now=datetime(2026, 10, 5, 15, 0))
    # Papers come back on Thursday 8/10: 3 working days paused (Tue, Wed, Thu).
    new_due = repo.supplement_received(cdb, r.dossier_id, CAL, now=datetime(2026, 10, 8, 9, 0))
    assert new_due == datetime(2026, 10, 9, 17, 0)
    d = repo.dossier_detail(cdb, r.dossier_id)
    assert d["status"] == 4 and d["paused_days"] == 3 and d["due_at"] == "2026-10-09 17:00:00"


def test_return_result_requires_identity_check(cdb: CounterDB) -> None:
    r = repo.receive(cdb, birth(), CAL, now=MON_10AM)
    repo.transition(cdb, r.dossier_id, Status.DONE)
    with pytest.raises(ValidationError):
        repo.return_result(cdb, r.dossier_id, to_whom="Nguyễn Thị Lan", id_checked=False, method=0)
    with pytest.raises(ValidationError):
        repo.return_result(cdb, r.dossier_id, to_whom=" ", id_checked=True, method=0)
    repo.return_result(cdb, r.dossier_id, to_whom="Nguyễn Thị Lan", id_checked=True, method=0)
    d = repo.dossier_detail(cdb, r.dossier_id)
    assert d["status"] == 10 and d["returned_to"] == "Nguyễn Thị Lan"
    assert json.loads(d["events"][-1]["detail"])["id_checked"] is True


def test_apology_records_new_date(cdb: CounterDB) -> None:
    r = repo.receive(cdb, birth(), CAL, now=MON_10AM)
    with pytest.raises(ValidationError):
        repo.record_apology(cdb, r.dossier_id, reason="Chờ xác minh", new_due_at=datetime(2026, 10, 6, 9, 0))
    repo.record_apology(cdb, r.dossier_id, reason="Chờ xác minh", new_due_at=datetime(2026, 10, 9, 17, 0))
    d = repo.dossier_detail(cdb, r.dossier_id)
    assert d["new_due_at"] == "2026-10-09 17:00:00" and d["events"][-1]["kind"] == "apology"
    assert cdb.scalar("SELECT count(*) FROM outbox WHERE kind = 'progress'") == 1
    assert cdb.scalar("SELECT count(*) FROM outbox WHERE kind = 'dossier_upsert'") == 2  # received + new date

"""The use cases the screens call, on a real database: each records the signed-in actor, and refuses
to run without one, instead of writing under "nobody" or "the first officer" (issue #17)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pypdf
import pytest

from counter_app.db.database import CounterDB
from counter_app.db.setup import add_user
from counter_app.documents.model import FormKind
from counter_app.domain.calendar import WorkCalendar
from counter_app.domain.lifecycle import Status
from counter_app.errors import CounterError, ValidationError
from counter_app.services import accounts, dossiers, guidance, settings, status, sync_control
from counter_app.services.session import Actor
from tests.factories import make_db


@pytest.fixture
def env(tmp_path: Path) -> Iterator[tuple[CounterDB, int, Actor]]:
    cdb = make_db(tmp_path / "c.db")
    from counter_app.db import dossiers as repo

    r = repo.receive(cdb, dossiers.ReceptionInput(
        procedure_code="1.001193",
        applicant=dossiers.ApplicantInput(full_name="Lê Văn Tư", id_number="001090012349"),
        components=[dossiers.ComponentInput("TK"), dossiers.ComponentInput("GCS"),
                    dossiers.ComponentInput("CCCD", "shown")],
    ), WorkCalendar.default(), now=datetime(2026, 10, 5, 9, 0))
    uid = add_user(cdb, "canbo5", "Đỗ Văn Năm", "officer", None)
    yield cdb, r.dossier_id, Actor(uid, "canbo5", "Đỗ Văn Năm", "officer")
    cdb.close()


def _events(cdb: CounterDB, dossier_id: int) -> dict[str, int | None]:
    return {r["kind"]: r["officer_id"] for r in cdb.query(
        "SELECT kind, officer_id FROM dossier_events WHERE dossier_id = ?", (dossier_id,))}


def test_dossier_actions_need_a_signed_in_actor_and_record_them(env: tuple[CounterDB, int, Actor]) -> None:
    cdb, did, actor = env
    with pytest.raises(ValidationError, match="Chưa đăng nhập"):
        dossiers.transition(cdb, did, Status.DONE, None)
    assert dossiers.detail(cdb, did)["status"] == int(Status.RECEIVED)  # nothing written
    dossiers.transition(cdb, did, Status.DONE, actor)
    with pytest.raises(ValidationError, match="Chưa đăng nhập"):
        dossiers.return_result(cdb, did, None, to_whom="Lê Văn Tư", id_checked=True, method=0)
    dossiers.return_result(cdb, did, actor, to_whom="Lê Văn Tư", id_checked=True, method=0)
    events = _events(cdb, did)
    assert events["status_9"] == events["status_10"] == actor.user_id != 1  # 1: the setup's admin


def test_printing_is_audited_under_the_actor_and_refused_without_one(
        env: tuple[CounterDB, int, Actor], tmp_path: Path) -> None:
    cdb, did, actor = env
    code = dossiers.detail(cdb, did)["code"]
    with pytest.raises(ValidationError):
        dossiers.print_form(cdb, tmp_path, did, code, FormKind.RECEIPT, None)
    path = dossiers.print_form(cdb, tmp_path, did, code, FormKind.RECEIPT, actor)
    assert "Lê Văn Tư" in "".join(p.extract_text() for p in pypdf.PdfReader(path).pages)
    prints = cdb.query("SELECT user_id FROM audit_log WHERE action = 'print'")
    assert [p["user_id"] for p in prints] == [actor.user_id]


def test_supplement_and_apology_record_the_actor(env: tuple[CounterDB, int, Actor], tmp_path: Path) -> None:
    cdb, did, actor = env
    dossiers.transition(cdb, did, Status.SUPPLEMENT, actor)
    dossiers.supplement_received(cdb, did, actor)
    d = dossiers.detail(cdb, did)
    path = dossiers.apologise(cdb, tmp_path, {**d, "id": did}, actor, reason="Chờ xác minh", working_days=2)
    assert path.is_file() and dossiers.detail(cdb, did)["new_due_at"]
    events = _events(cdb, did)
    assert events["apology"] == events["status_5"] == actor.user_id


def test_settings_and_guidance_are_recorded_under_the_actor(env: tuple[CounterDB, int, Actor]) -> None:
    cdb, _did, actor = env
    with pytest.raises(ValidationError):
        settings.save_settings(cdb, {"online_target_percent": 40}, None)
    assert settings.save_settings(cdb, {"online_target_percent": 40}, actor) == ["online_target_percent"]
    assert cdb.scalar("SELECT user_id FROM audit_log WHERE action = 'settings'") == actor.user_id
    later = guidance.SessionInput(procedure_code="1.001193", outcome="later",
                                  applicant=guidance.ApplicantInput(full_name="Lê Văn Tư", id_number=""),
                                  officer_id=1)  # whatever the screen put there, the actor counts
    with pytest.raises(ValidationError):
        guidance.record_session(cdb, later, None)
    guidance.record_session(cdb, later, actor)
    assert cdb.scalar("SELECT officer_id FROM guidance_sessions") == actor.user_id


def test_officer_cannot_create_accounts(env: tuple[CounterDB, int, Actor]) -> None:
    cdb, _did, actor = env
    with pytest.raises(CounterError):
        accounts.add_user(cdb, actor, "canbo6", "Phan Thị Sáu", "admin", "Mật-khẩu-dài-9")
    assert cdb.scalar("SELECT count(*) FROM users WHERE username = 'canbo6'") == 0


def test_status_snapshot_and_sync_now(env: tuple[CounterDB, int, Actor]) -> None:
    cdb, _did, _actor = env
    snap = status.status_snapshot(cdb, "/du-lieu")
    assert snap.agency_code == "H01.37.01" and snap.procedures == 3 and not snap.sync.configured
    assert snap.as_dict()["data_dir"] == "/du-lieu"
    with cdb.write():
        cdb.conn.execute("UPDATE outbox SET next_attempt_at = '2099-01-01 00:00:00' WHERE state = 'pending'")
    sync_control.make_pending_due(cdb, datetime(2026, 10, 5, 10, 0))
    assert cdb.scalar("SELECT max(next_attempt_at) FROM outbox WHERE state = 'pending'") == "2026-10-05 10:00:00"
    page = sync_control.page_data(cdb, None)
    assert page.items and page.config["provincial_endpoint"] == "" and page.warn_days == 2.0

"""services/reception.py: one idempotent operation per attempt token (issue #14, retry-safe saving)."""

from __future__ import annotations

from pathlib import Path

import pytest

from counter_app.db import dossiers as repo
from counter_app.domain.calendar import WorkCalendar
from counter_app.errors import EnvironmentProblem, ValidationError
from counter_app.services.reception import new_attempt_token, receive_with_form
from tests.factories import make_db


def _input(decision: str = "accept", reason: str = "") -> repo.ReceptionInput:
    return repo.ReceptionInput(
        procedure_code="1.001193", applicant=repo.ApplicantInput(full_name="Nguyễn Văn An"),
        components=[repo.ComponentInput("TK"), repo.ComponentInput("GCS"), repo.ComponentInput("CCCD", "shown")],
        decision=decision, reason=reason)


def test_a_retry_with_the_same_token_returns_the_same_dossier(tmp_path: Path) -> None:
    cdb = make_db(tmp_path / "c.db")
    token = new_attempt_token()
    (tmp_path / "documents").write_bytes(b"a file where the folder goes")  # the form cannot be stored
    with pytest.raises(EnvironmentProblem, match="Hồ sơ đã được lưu"):
        receive_with_form(cdb, tmp_path, _input(), token, calendar=WorkCalendar.default())
    assert cdb.scalar("SELECT count(*) FROM dossiers") == 1
    (tmp_path / "documents").unlink()
    second = receive_with_form(cdb, tmp_path, _input(), token, calendar=WorkCalendar.default())
    assert second.repeated and second.form_path.exists()
    third = receive_with_form(cdb, tmp_path, _input(), token, calendar=WorkCalendar.default())
    assert third.result == second.result and third.form_path == second.form_path  # nothing rendered again
    assert cdb.scalar("SELECT count(*) FROM dossiers") == 1
    assert cdb.scalar("SELECT count(*) FROM outbox") == 1
    assert cdb.scalar("SELECT count(*) FROM audit_log WHERE action = 'print'") == 1
    with pytest.raises(ValidationError, match="tiếp nhận"):  # the first decision stands
        receive_with_form(cdb, tmp_path, _input("refuse", "Không thuộc thẩm quyền"), token)
    other = receive_with_form(cdb, tmp_path, _input(), new_attempt_token(), calendar=WorkCalendar.default())
    assert not other.repeated and other.result.dossier_id != second.result.dossier_id
    cdb.close()


def test_a_rejected_input_records_nothing_and_the_token_stays_usable(tmp_path: Path) -> None:
    cdb = make_db(tmp_path / "c.db")
    token = new_attempt_token()
    bad = _input()
    bad.components = [repo.ComponentInput("TK")]  # GCS missing: cannot be accepted
    with pytest.raises(ValidationError):
        receive_with_form(cdb, tmp_path, bad, token, calendar=WorkCalendar.default())
    assert cdb.scalar("SELECT count(*) FROM reception_attempts") == 0
    done = receive_with_form(cdb, tmp_path, _input(), token, calendar=WorkCalendar.default())
    assert not done.repeated and done.result.code
    cdb.close()


def test_a_paper_that_must_be_kept_marked_only_shown_is_not_accepted(tmp_path: Path) -> None:
    cdb = make_db(tmp_path / "c.db")
    data = _input()
    data.components[0] = repo.ComponentInput("TK", "shown")  # the declaration must be handed in
    with pytest.raises(ValidationError, match="Tờ khai"):
        receive_with_form(cdb, tmp_path, data, new_attempt_token(), calendar=WorkCalendar.default())
    assert cdb.scalar("SELECT count(*) FROM dossiers") == 0
    cdb.close()

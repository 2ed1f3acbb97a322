"""Receive a dossier and produce its form — one idempotent use case (issue #14).

The reception screen used to commit the dossier, then render and store its form in a closure: if
the second half failed (disk full, a locked vault, a printer driver crash later in the same job),
pressing the key again received the dossier a *second* time, with a new code. Here the screen
sends a client-side **attempt token** (one per dossier being typed, :func:`new_attempt_token`) with
the request:

* the first call records the dossier (state change + outbox event, :func:`db.dossiers.receive`)
  and the token **in the same transaction**, then renders and stores the form;
* any later call with the same token finds the dossier already recorded and only finishes what is
  missing (the form), so a retry after *any* failure returns the same dossier and code.

A retry that asks for a different decision than the one recorded (accept vs refuse) is refused with
a clear message: the first decision is already a legal fact in the register.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from counter_app.db import dossiers as repo
from counter_app.db.database import CounterDB
from counter_app.documents.model import FormKind
from counter_app.errors import CounterError, EnvironmentProblem, ValidationError

log = logging.getLogger(__name__)

__all__ = ["DECISION_FORMS", "ReceptionOutcome", "new_attempt_token", "receive_with_form"]

#: Which form each decision produces (Thông tư 01/2018 and 03/2025, Mẫu 01–03).
DECISION_FORMS = {"accept": FormKind.RECEIPT, "incomplete": FormKind.SUPPLEMENT_REQUEST,
                  "refuse": FormKind.REFUSAL}
DECISION_LABELS = {"accept": "tiếp nhận", "incomplete": "yêu cầu bổ sung", "refuse": "từ chối tiếp nhận"}


@dataclass(frozen=True)
class ReceptionOutcome:
    """The recorded dossier, where its form is, and whether this call only repeated an earlier one."""

    result: repo.ReceptionResult
    form_path: Path
    kind: FormKind
    repeated: bool


def new_attempt_token() -> str:
    """A fresh token for one dossier being received (the screen keeps it until the dossier is done)."""
    return uuid.uuid4().hex


def _recorded_result(cdb: CounterDB, dossier_id: int) -> repo.ReceptionResult:
    row = cdb.query_one("SELECT id, uid, code, status, due_at FROM dossiers WHERE id = ?", (dossier_id,))
    if row is None:  # the attempt's row is cascaded with its dossier; a dangling one is a bug
        raise RuntimeError(f"reception attempt points at missing dossier #{dossier_id}")
    due = dt.datetime.fromisoformat(row["due_at"]) if row["due_at"] else None
    return repo.ReceptionResult(dossier_id=row["id"], uid=row["uid"], code=row["code"], status=row["status"],
                                due_at=due)


def receive_with_form(cdb: CounterDB, data_root: Path, data: repo.ReceptionInput, token: str, *,
                      calendar: Any = None, now: dt.datetime | None = None) -> ReceptionOutcome:
    """Record the dossier once per ``token`` and produce its form (Mẫu 01, 02 or 03).

    Runs on the database worker. Raises :class:`ValidationError` for bad input and
    :class:`EnvironmentProblem` when the form cannot be stored; in the second case the dossier is
    recorded and calling again with the same token finishes the job without a second dossier.
    """
    from counter_app.services.access import record_print
    from counter_app.services.forms import render_form, store_form

    if not token:
        raise ValueError("an attempt token is required")
    kind = DECISION_FORMS[data.decision]
    attempt = cdb.query_one("SELECT dossier_id, decision, form_path FROM reception_attempts WHERE token = ?",
                            (token,))
    if attempt is not None:
        if attempt["decision"] != data.decision:
            res = _recorded_result(cdb, attempt["dossier_id"])
            raise ValidationError(
                f"Hồ sơ này đã được lưu với quyết định «{DECISION_LABELS[attempt['decision']]}»"
                + (f" (mã {res.code})" if res.code else "") + ".",
                hint="Mở hồ sơ trong trang «Hồ sơ» để xử lý tiếp, hoặc nhấn Ctrl+N để nhận hồ sơ mới.")
        result, repeated = _recorded_result(cdb, attempt["dossier_id"]), True
        stored = attempt["form_path"]
        if stored and (data_root / stored).exists():
            return ReceptionOutcome(result, data_root / stored, kind, repeated)
    else:
        if calendar is None:
            from counter_app.db.calendar_store import load_calendar

            calendar = load_calendar(cdb)
        with cdb.write():  # the dossier, its outbox event and the token: all or nothing
            result = repo.receive(cdb, data, calendar, now=now)
            cdb.conn.execute(
                "INSERT INTO reception_attempts(token, dossier_id, decision, created_at) VALUES (?, ?, ?, ?)",
                (token, result.dossier_id, data.decision, dt.datetime.now().isoformat(sep=" ", timespec="seconds")))
        repeated = False
    try:
        pdf = render_form(cdb, result.dossier_id, kind)
        path = store_form(data_root, result.code or "", result.dossier_id, kind, pdf)
    except (OSError, CounterError) as exc:
        log.warning("dossier #%s recorded, its form not stored: %s", result.dossier_id, exc)
        what = f"mã {result.code}" if result.code else f"số {result.dossier_id}"
        detail = exc.user_message() if isinstance(exc, CounterError) else str(exc.strerror or exc)
        raise EnvironmentProblem(
            f"Hồ sơ đã được lưu ({what}) nhưng chưa lưu được phiếu in: {detail}",
            hint="Khắc phục (ổ đĩa, quyền ghi) rồi nhấn lại nút vừa bấm: hồ sơ không bị nhận lần thứ hai.",
        ) from exc
    with cdb.write():
        record_print(cdb, data.officer_id, result.dossier_id, kind.value)
        cdb.conn.execute("UPDATE reception_attempts SET form_path = ? WHERE token = ?",
                         (path.relative_to(data_root).as_posix(), token))
    return ReceptionOutcome(result, path, kind, repeated)

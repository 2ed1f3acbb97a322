"""Dossier persistence: reception, status changes, look-ups and the list query.

Every state change writes the dossier row, its timeline event and its outbox entry in ONE
transaction (:meth:`CounterDB.write`), so after a crash either all three exist or none does.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Protocol

from counter_app.db import audit, outbox, privacy
from counter_app.db.catalogue import load_procedure
from counter_app.db.database import CounterDB
from counter_app.db.settings import AgencySettings
from counter_app.domain import codes
from counter_app.domain.catalogue import FeeCharge, Procedure, charges, known_total
from counter_app.domain.lifecycle import (
    OPEN_STATUSES,
    Channel,
    Status,
    check_transition,
    regulation_profile,
)
from counter_app.errors import ValidationError
from counter_app.textnorm import fold, nfc
from counter_app.timefmt import DB_TS, db_ts, parse_db_ts

if TYPE_CHECKING:
    from counter_app import crypto

# The one stored format lives in counter_app.timefmt; these names stay for the many callers.
TS = DB_TS
ts = db_ts
parse_ts = parse_db_ts


class DueCalculator(Protocol):
    """What reception needs from the working-day calendar."""

    def due_at(self, received_at: datetime, procedure: Any) -> datetime: ...


@dataclass
class ComponentInput:
    """A checklist line as the officer marked it."""

    code: str
    state: str = "received"          # received | missing | shown
    note: str = ""
    page_count_declared: int | None = None
    reused_file_id: int | None = None


@dataclass
class ApplicantInput:
    """Who files the dossier (a citizen, or an organisation's representative)."""

    full_name: str
    id_number: str = ""
    old_id_number: str = ""
    date_of_birth: date | None = None
    gender: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    subject_type: int = 1


@dataclass
class ReceptionInput:
    """Everything the reception screen collects."""

    procedure_code: str
    applicant: ApplicantInput
    components: list[ComponentInput]
    decision: str = "accept"          # accept | incomplete | refuse
    channel: int = Channel.DIRECT
    return_method: int = 0
    reason: str = ""
    summary: str = ""
    deciding_unit: str | None = None
    portal_code: str | None = None
    officer_id: int | None = None
    received_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    submitted_at: datetime | None = None   # online filing: when submitted on the portal (NgayNopHoSo)
    fee_pages: int | None = None           # chứng thực: pages of the original (per-page fee)
    fee_copies: int = 1                    # chứng thực: number of certified copies


@dataclass(frozen=True)
class ReceptionResult:
    """What reception produced."""

    dossier_id: int
    uid: str
    code: str | None
    status: int
    due_at: datetime | None


def procedure_row(cdb: CounterDB, code: str) -> dict[str, Any]:
    """The procedure's raw table row, or a clear error if the catalogue does not have it.

    Prefer :func:`counter_app.db.catalogue.load_procedure` (the domain ``Procedure``); this row is
    for code that needs a column the domain shape does not carry.
    """
    row = cdb.query_one("SELECT * FROM procedures WHERE code = ?", (code,))
    if row is None:
        raise ValidationError(
            f"Không tìm thấy thủ tục mã {code} trong danh mục.",
            hint="Cập nhật danh mục thủ tục (Cài đặt → Danh mục) hoặc chọn thủ tục khác.",
        )
    return row


def procedure_timing(row: dict[str, Any]) -> SimpleNamespace:
    """The attributes the calendar's ``due_at`` reads, from a procedure row or dict.

    A :class:`~counter_app.domain.catalogue.Procedure` is read by ``due_at`` directly; this is for
    callers that still hold a dict (the reception screen, until it takes Procedure objects).
    """
    cut = row.get("cutoff_time")
    cutoff = datetime.strptime(cut, "%H:%M").time() if cut else None
    return SimpleNamespace(
        processing_days=row.get("processing_days"),
        processing_hours=row.get("processing_hours"),
        cutoff_time=cutoff,
        time_unit=row.get("time_unit") or "working_days",
    )


def _fee_snapshot(proc: Procedure, data: ReceptionInput) -> list[FeeCharge]:
    """The procedure's fees as charged for this dossier, frozen at reception (issue #16 row 1).

    An amount nobody entered stays None (never 0 đồng); a per-page chứng thực fee is charged from
    the pages × copies entered at reception (Thông tư 226/2016/TT-BTC), None without a page count.
    Ordered by fee code, as the snapshot always was.
    """
    return charges(sorted(proc.fees, key=lambda f: f.code), online=int(data.channel) == Channel.ONLINE,
                   pages=data.fee_pages, copies=data.fee_copies)


def fee_snapshot_row(dossier_id: int, position: int, c: FeeCharge) -> tuple[Any, ...]:
    """A ``dossier_fees`` row (dossier_id, position, code, name, kind, unit_amount, set_by_province,
    pricing, pages, copies, amount): what forms, receipts, sync and reports read afterwards."""
    f = c.fee
    return (dossier_id, position, f.code, f.name, f.kind, c.unit_amount, int(f.set_by_province), f.pricing,
            c.pages, c.copies, c.amount)


def next_code(cdb: CounterDB, agency_code: str, day: date, slot: int) -> str:
    """Allocate the next dossier code of this workstation's block (inside the caller's transaction)."""
    first, last = codes.slot_range(slot)
    with cdb.write():
        cdb.conn.execute(
            "INSERT INTO code_sequences(agency_code, day, slot, last) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(agency_code, day, slot) DO UPDATE SET last = last + 1",
            (agency_code, day.isoformat(), slot, first),
        )
        seq = cdb.scalar(
            "SELECT last FROM code_sequences WHERE agency_code = ? AND day = ? AND slot = ?",
            (agency_code, day.isoformat(), slot),
        )
        if seq > last:
            raise codes.SequenceExhausted(
                f"Máy tiếp nhận số {slot} đã dùng hết {last - first + 1} số hồ sơ của ngày {day:%d/%m/%Y}.",
                hint="Chuyển sang máy khác hoặc nhờ quản trị đặt số máy khác cho máy này.",
            )
    return codes.format_code(agency_code, day, seq)


def upsert_citizen(cdb: CounterDB, a: ApplicantInput, now: datetime) -> int:
    """Find a returning citizen by ID number (and refresh their details) or add a new one.

    Personal fields are sealed when the data directory is encrypted (:mod:`counter_app.db.privacy`);
    the citizen is found through the blind index of the ID number, which is also what keeps one row
    per citizen there (sealed values differ at every write).
    """
    name = nfc(a.full_name)
    idn = nfc(a.id_number)
    values = {
        "old_id_number": nfc(a.old_id_number) or None,
        "full_name": name,
        "name_folded": fold(name),
        "date_of_birth": a.date_of_birth.isoformat() if a.date_of_birth else None,
        "gender": nfc(a.gender),
        "address": nfc(a.address),
        "phone": nfc(a.phone),
        "email": nfc(a.email),
        "subject_type": int(a.subject_type),
        "updated_at": ts(now),
        "id_number": idn or None,
    }
    # Sealed before anything is written: a locked encrypted directory refuses here (vault.Locked).
    values = privacy.seal_row(cdb, "citizens", values)
    with cdb.write():
        if idn:
            clause, params = privacy.id_lookup_clause(cdb, "id_number", idn)
            # A row with a blind index first: the one the unique index protects.
            row = cdb.query_one(f"SELECT id FROM citizens WHERE {clause} ORDER BY id_bidx IS NULL, id LIMIT 1",
                                params)
            if row:
                sets = ", ".join(f"{k} = ?" for k in values)
                cdb.conn.execute(
                    f"UPDATE citizens SET {sets} WHERE id = ?", [*values.values(), row["id"]]
                )
                return int(row["id"])
        cur = cdb.conn.execute(
            "INSERT INTO citizens(created_at, " + ", ".join(values) + ") VALUES (?, "
            + ", ".join("?" for _ in values) + ")",
            [ts(now), *values.values()],
        )
        return int(cur.lastrowid or 0)


def add_event(
    cdb: CounterDB,
    dossier_id: int,
    kind: str,
    now: datetime,
    *,
    from_status: int | None = None,
    to_status: int | None = None,
    officer_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append to the dossier's timeline (caller holds the transaction)."""
    cdb.conn.execute(
        "INSERT INTO dossier_events(dossier_id, at, kind, from_status, to_status, officer_id, detail) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (dossier_id, ts(now), kind, from_status, to_status, officer_id,
         json.dumps(detail or {}, ensure_ascii=False)),
    )


def enqueue(cdb: CounterDB, dossier_id: int | None, kind: str, payload: dict[str, Any], now: datetime) -> str:
    """Add an outbox entry (caller holds the transaction); return its event id (:func:`outbox.enqueue`)."""
    return outbox.enqueue(cdb, dossier_id, kind, payload, now)


def receive(
    cdb: CounterDB,
    data: ReceptionInput,
    calendar: DueCalculator,
    *,
    now: datetime | None = None,
    slot: int | None = None,
) -> ReceptionResult:
    """Record a dossier at the counter: accept (code + due date), incomplete, or refuse.

    Accepted dossiers get a code from this workstation's block, a due date from the calendar, a
    ``received`` event and an outbox entry, all in one transaction. Incomplete and refused ones
    are kept for the counter's own records (guidance statistics) but get no code and are not sent.
    """
    now = now or datetime.now().replace(microsecond=0)
    received_at = (data.received_at or now).replace(microsecond=0)
    proc = load_procedure(cdb, data.procedure_code)
    by_code = {c.code: c for c in proc.components}
    marks = {c.code: c for c in data.components}
    unknown = set(marks) - set(by_code)
    if unknown:
        raise ValidationError(f"Thành phần hồ sơ không thuộc thủ tục: {', '.join(sorted(unknown))}.")
    if data.decision not in ("accept", "incomplete", "refuse"):
        raise ValueError(f"unknown decision {data.decision!r}")
    if not nfc(data.applicant.full_name):
        raise ValidationError("Chưa nhập họ tên người nộp hồ sơ.", hint="Quét mã QR trên CCCD hoặc gõ họ tên.")
    if data.decision == "accept":
        from counter_app.domain.inputs import component_complete

        # A paper the counter must keep does not count as there when it was only shown (issue #14).
        missing = [
            c.name for code, c in by_code.items()
            if not component_complete(c.required, c.show_only, marks.get(code, ComponentInput(code, "missing")).state)
        ]
        if missing:
            raise ValidationError(
                "Hồ sơ còn thiếu thành phần bắt buộc: " + "; ".join(missing) + ".",
                hint="Chọn «Yêu cầu bổ sung» để in Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02).",
            )
        from counter_app.db import guidance  # late: guidance imports this module

        if proc.online_only and int(data.channel) == Channel.DIRECT and not guidance.override_allows_paper(
                cdb, data.extra.get("online_only_override"), data.procedure_code):
            raise ValidationError(
                f"Thủ tục «{proc.name}» chỉ tiếp nhận trực tuyến.",
                hint="Hướng dẫn công dân nộp trên Cổng dịch vụ công (Hướng dẫn nộp trực tuyến).",
            )
    if data.decision == "refuse" and not nfc(data.reason):
        raise ValidationError("Cần ghi rõ lý do từ chối tiếp nhận hồ sơ.")

    agency = AgencySettings.load(cdb)
    agency_code, unit = agency.agency_code, agency.unit
    if not agency_code:
        raise ValidationError("Chưa cài đặt mã cơ quan.", hint="Mở Cài đặt → Cơ quan để khai báo mã định danh.")
    slot = agency.workstation_slot if slot is None else int(slot)
    profile = regulation_profile(received_at.date(), agency.regulation_profile_override or None)
    status = {"accept": Status.RECEIVED, "incomplete": Status.SUPPLEMENT, "refuse": Status.REFUSED}[
        data.decision
    ]
    if data.channel == Channel.ONLINE and data.decision == "accept" and data.portal_code is None:
        pass  # assisted online filing may still be waiting for the portal's code
    a = data.applicant
    name = nfc(a.full_name)
    fees = _fee_snapshot(proc, data)
    fee_total = known_total(fees)  # what is known; unknown amounts are shown as such
    uid = str(uuid.uuid4())
    # Sealed (when encrypted) with blind index and masked copies, before the transaction opens: a
    # locked encrypted directory refuses the reception here and nothing at all is written.
    personal = privacy.seal_row(cdb, "dossiers", {
        "applicant_id_number": nfc(a.id_number), "applicant_address": nfc(a.address),
        "phone": nfc(a.phone), "email": nfc(a.email)}, row_key=uid)  # bound to this dossier (issue #15)
    with cdb.write():
        citizen_id = upsert_citizen(cdb, a, now)
        code = next_code(cdb, agency_code, received_at.date(), slot) if status == Status.RECEIVED else None
        due = calendar.due_at(received_at, proc) if status == Status.RECEIVED else None
        cur = cdb.conn.execute(
            f"""INSERT INTO dossiers(uid, code, procedure_code, citizen_id, applicant_name,
                applicant_name_folded, {", ".join(personal)},
                subject_type, channel, status, received_at, due_at, return_method, receiving_unit,
                deciding_unit, regulation_profile, officer_id, workstation, portal_code, summary,
                note, fee_total, created_at, updated_at)
               VALUES (?,?,?,?,?,?,{",".join("?" * len(personal))},?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
            (uid, code, data.procedure_code, citizen_id, name, fold(name), *personal.values(),
             int(a.subject_type), int(data.channel),
             int(status), ts(received_at), ts(due) if due else None, int(data.return_method),
             unit, nfc(data.deciding_unit or unit), profile, data.officer_id, str(slot),
             data.portal_code, nfc(data.summary) or proc.name, nfc(data.reason), fee_total,
             ts(now), ts(now)),
        )
        dossier_id = int(cur.lastrowid or 0)
        cdb.conn.executemany(
            """INSERT INTO dossier_fees(dossier_id, position, code, name, kind, unit_amount, set_by_province,
                   pricing, pages, copies, amount) VALUES (?,?,?,?,?,?,?,?,?,?,?)""",
            [fee_snapshot_row(dossier_id, i, f) for i, f in enumerate(fees, start=1)],
        )
        if data.submitted_at is not None and int(data.channel) == Channel.ONLINE:
            cdb.conn.execute("UPDATE dossiers SET submitted_at = ? WHERE id = ?",
                             (ts(data.submitted_at.replace(microsecond=0)), dossier_id))
        for position, (code_, r) in enumerate(by_code.items(), start=1):
            # Unmarked means not received: the checklist pre-marks what the officer confirms. An
            # optional paper ("nếu có", "khi nộp thay") left unmarked does not apply to this dossier:
            # no row, so no form prints it as missing (issue #14).
            if code_ not in marks and not r.required:
                continue
            mark = marks.get(code_) or ComponentInput(code_, "missing")
            if mark.state not in ("received", "missing", "shown"):
                raise ValueError(f"bad component state {mark.state!r}")
            cdb.conn.execute(
                """INSERT INTO dossier_components(dossier_id, component_code, position, name, originals,
                    copies, required, state, reused_file_id, page_count_declared, note)
                   VALUES (?,?,?,?,?,?,?,?,?,?,?)""",
                (dossier_id, code_, position, r.name, r.originals, r.copies, int(r.required),
                 mark.state, mark.reused_file_id, mark.page_count_declared, nfc(mark.note)),
            )
        kind = {"accept": "received", "incomplete": "supplement_requested", "refuse": "refused"}[data.decision]
        add_event(cdb, dossier_id, kind, now, to_status=int(status), officer_id=data.officer_id,
                  detail={"reason": nfc(data.reason)} if data.reason else None)
        if code:
            enqueue(cdb, dossier_id, "dossier_upsert", {"uid": uid, "code": code, "reason": "received"}, now)
        # Audit in the same transaction; codes and row ids only, never the applicant's ID number.
        audit.append(cdb, data.officer_id, "receive", "dossier", dossier_id,
                     {"code": code, "procedure": data.procedure_code, "decision": data.decision}, now=now)
    return ReceptionResult(dossier_id, uid, code, int(status), due)


def transition(
    cdb: CounterDB,
    dossier_id: int,
    target: int,
    *,
    officer_id: int | None = None,
    detail: dict[str, Any] | None = None,
    now: datetime | None = None,
    expected_version: int | None = None,
) -> int:
    """Move a dossier to ``target`` status (checked against the table); return the new version.

    ``expected_version`` guards against two officers acting on the same dossier from stale screens.
    """
    now = now or datetime.now().replace(microsecond=0)
    with cdb.write():
        row = cdb.query_one("SELECT id, status, version, code FROM dossiers WHERE id = ?", (dossier_id,))
        if row is None:
            raise ValidationError(f"Không tìm thấy hồ sơ #{dossier_id}.")
        if expected_version is not None and row["version"] != expected_version:
            raise ValidationError(
                "Hồ sơ vừa được người khác cập nhật.", hint="Mở lại hồ sơ để xem trạng thái mới nhất."
            )
        tgt = check_transition(row["status"], target)
        sets = ["status = ?", "version = version + 1", "updated_at = ?"]
        params: list[Any] = [int(tgt), ts(now)]
        if tgt == Status.DONE:
            sets.append("finished_at = ?")
            params.append(ts(now))
        elif tgt == Status.RETURNED:
            sets.append("returned_at = ?")
            params.append(ts(now))
        cdb.conn.execute(f"UPDATE dossiers SET {', '.join(sets)} WHERE id = ?", [*params, dossier_id])
        add_event(cdb, dossier_id, f"status_{int(tgt)}", now, from_status=row["status"], to_status=int(tgt),
                  officer_id=officer_id, detail=detail)
        if row["code"]:
            enqueue(cdb, dossier_id, "dossier_upsert",
                    {"code": row["code"], "reason": f"status_{int(tgt)}"}, now)
        # ``detail`` may name the person who collected the result: not copied into the audit log.
        audit.append(cdb, officer_id, "status", "dossier", dossier_id,
                     {"code": row["code"], "from": row["status"], "to": int(tgt)}, now=now)
        return int(row["version"]) + 1


def supplement_received(
    cdb: CounterDB, dossier_id: int, calendar: Any, *, officer_id: int | None = None, note: str = "",
    now: datetime | None = None,
) -> datetime | None:
    """The citizen brought the missing papers: back to processing, deadline extended by the pause.

    The time waiting for supplements does not count against the deadline (QĐ 766 on-time rule),
    so the working days paused are recorded and added to the due date. Returns the new due date.
    """
    now = now or datetime.now().replace(microsecond=0)
    with cdb.write():
        row = cdb.query_one("SELECT status, due_at, paused_days FROM dossiers WHERE id = ?", (dossier_id,))
        if row is None:
            raise ValidationError(f"Không tìm thấy hồ sơ #{dossier_id}.")
        since = cdb.scalar(
            "SELECT MAX(at) FROM dossier_events WHERE dossier_id = ? AND to_status = 5", (dossier_id,))
        paused = calendar.working_days_between(parse_ts(since).date(), now.date()) if since else 0  # type: ignore[union-attr]
        transition(cdb, dossier_id, Status.PROCESSING, officer_id=officer_id, now=now,
                   detail={"supplement": nfc(note), "paused_working_days": paused})
        new_due = None
        if row["due_at"] and paused > 0:
            old = parse_ts(row["due_at"])
            assert old is not None
            new_due = datetime.combine(calendar.add_working_days(old.date(), paused), old.time())
            cdb.conn.execute("UPDATE dossiers SET due_at = ?, paused_days = paused_days + ? WHERE id = ?",
                             (ts(new_due), paused, dossier_id))
        return new_due


def check_handover(to_whom: str, *, id_checked: bool, method: int) -> None:
    """The rules of handing a result over, for any counter's dossier: a named recipient, and at the
    counter (``method`` 0) an ID document checked."""
    if not nfc(to_whom):
        raise ValidationError("Cần ghi họ tên người nhận kết quả.")
    if method == 0 and not id_checked:
        raise ValidationError(
            "Chưa kiểm tra giấy tờ tùy thân của người nhận.",
            hint="Đối chiếu CCCD (hoặc giấy ủy quyền) của người nhận rồi đánh dấu «Đã kiểm tra».")


def return_result(
    cdb: CounterDB, dossier_id: int, *, to_whom: str, id_checked: bool, method: int,
    officer_id: int | None = None, now: datetime | None = None,
) -> None:
    """Hand the result over (at the counter or by post) → status 10 Đã trả kết quả."""
    check_handover(to_whom, id_checked=id_checked, method=method)
    with cdb.write():
        transition(cdb, dossier_id, Status.RETURNED, officer_id=officer_id, now=now,
                   detail={"to": nfc(to_whom), "id_checked": id_checked, "method": int(method)})
        cdb.conn.execute("UPDATE dossiers SET returned_to = ?, return_method = ? WHERE id = ?",
                         (nfc(to_whom), int(method), dossier_id))


def record_apology(
    cdb: CounterDB, dossier_id: int, *, reason: str, new_due_at: datetime, officer_id: int | None = None,
    now: datetime | None = None,
) -> None:
    """An overdue dossier: record the apology (Mẫu 04 / 2025 letter) and the new appointment."""
    now = now or datetime.now().replace(microsecond=0)
    if not nfc(reason):
        raise ValidationError("Cần ghi lý do chậm trả kết quả.")
    with cdb.write():
        row = cdb.query_one("SELECT status, due_at, code FROM dossiers WHERE id = ?", (dossier_id,))
        if row is None:
            raise ValidationError(f"Không tìm thấy hồ sơ #{dossier_id}.")
        if row["status"] not in {int(s) for s in OPEN_STATUSES}:
            raise ValidationError("Chỉ lập phiếu xin lỗi cho hồ sơ đang giải quyết.")
        if row["due_at"] and ts(new_due_at) <= row["due_at"]:
            raise ValidationError("Ngày hẹn mới phải sau ngày hẹn trả cũ.")
        cdb.conn.execute("UPDATE dossiers SET new_due_at = ?, version = version + 1, updated_at = ? WHERE id = ?",
                         (ts(new_due_at), ts(now), dossier_id))
        add_event(cdb, dossier_id, "apology", now, officer_id=officer_id,
                  detail={"reason": nfc(reason), "new_due_at": ts(new_due_at)})
        if row["code"]:
            enqueue(cdb, dossier_id, "progress", {"code": row["code"], "reason": "apology"}, now)
            # The record is re-sent for its version; NgayHenTra in it stays the legal due date, the
            # new appointment travels in the progress entry above (issue #16 row 2).
            enqueue(cdb, dossier_id, "dossier_upsert", {"code": row["code"], "reason": "apology"}, now)
        audit.append(cdb, officer_id, "apology", "dossier", dossier_id,
                     {"code": row["code"], "new_due_at": ts(new_due_at)}, now=now)


def record_online_payment(
    cdb: CounterDB, dossier_id: int, *, reference: str = "", officer_id: int | None = None,
    now: datetime | None = None,
) -> None:
    """The dossier's fees were paid online (payment platform receipt ``reference``).

    A ``paid_online`` event (read by the QĐ 766 online-payment figure) and a dossier update, whose
    ``DuocThanhToanTrucTuyen`` is then 1, in one transaction (issue #16 row 10).
    """
    now = now or datetime.now().replace(microsecond=0)
    with cdb.write():
        row = cdb.query_one("SELECT code FROM dossiers WHERE id = ?", (dossier_id,))
        if row is None:
            raise ValidationError(f"Không tìm thấy hồ sơ #{dossier_id}.")
        add_event(cdb, dossier_id, "paid_online", now, officer_id=officer_id,
                  detail={"reference": nfc(reference)} if reference else None)
        if row["code"]:
            enqueue(cdb, dossier_id, "dossier_upsert", {"code": row["code"], "reason": "paid_online"}, now)


def status_counts(cdb: CounterDB) -> dict[int, int]:
    """Dossiers per status, from the trigger-maintained table (O(1) at any size)."""
    return {r["status"]: r["n"] for r in cdb.query("SELECT status, n FROM dossier_status_counts")}


@dataclass
class ListFilter:
    """Filters of the dossier list (all optional)."""

    statuses: Sequence[int] = ()
    received_from: date | None = None
    received_to: date | None = None
    procedure_code: str | None = None
    officer_id: int | None = None
    overdue_at: datetime | None = None       # open and due before this moment
    due_before: datetime | None = None       # open and due before this (e.g. 2 working days ahead)
    text: str = ""                           # code, name, ID number or phone


# The list reads the masked copies under the old names: 200 rows decrypt nothing, and an encrypted
# installation's list costs what a plain one does (see counter_app.db.privacy).
LIST_COLUMNS = (
    "id, code, procedure_code, applicant_name, applicant_name_folded, "
    "applicant_id_masked AS applicant_id_number, phone_masked AS phone, status, "
    "channel, received_at, due_at, officer_id, owner_counter"
)

# How a filtered list is ordered, chosen so that an index delivers rows already in order and the
# first page never sorts a large match set (measured at 1,000,000 dossiers: sorting 100k overdue rows
# by reception time took ~400 ms; walking the due-date index takes ~1 ms):
#   received — newest first (the default list);
#   due      — most urgent first, for overdue / due-soon views (partial index dossiers_due);
#   name     — alphabetical, when searching by name (index dossiers_name).
ORDERS = {
    "received": ("received_at DESC, id DESC", ("received_at", "id"), "<"),
    "due": ("due_at ASC, id ASC", ("due_at", "id"), ">"),
    "name": ("applicant_name_folded ASC, id ASC", ("applicant_name_folded", "id"), ">"),
}


def list_order(f: ListFilter | None) -> str:
    """The order a filter's results come in (see ORDERS)."""
    if f is None:
        return "received"
    if f.overdue_at is not None or f.due_before is not None:
        return "due"
    text = nfc(f.text)
    if text and not text.replace(" ", "").isdigit() and not ("-" in text and any(c.isdigit() for c in text)):
        return "name"
    return "received"


def cursor_of(row: dict[str, Any], f: ListFilter | None) -> tuple[Any, ...]:
    """The keyset cursor after ``row`` for the filter's order."""
    return tuple(row[c] for c in ORDERS[list_order(f)][1])


def _where(f: ListFilter, ring: crypto.KeyRing | None = None) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if f.statuses:
        clauses.append(f"status IN ({','.join('?' for _ in f.statuses)})")
        params += [int(s) for s in f.statuses]
    if f.received_from:
        clauses.append("received_at >= ?")
        params.append(f.received_from.isoformat())
    if f.received_to:
        clauses.append("received_at < date(?, '+1 day')")
        params.append(f.received_to.isoformat())
    if f.procedure_code:
        clauses.append("procedure_code = ?")
        params.append(f.procedure_code)
    if f.officer_id is not None:
        clauses.append("officer_id = ?")
        params.append(f.officer_id)
    open_list = ",".join(str(int(s)) for s in sorted(OPEN_STATUSES))
    for moment in (f.overdue_at, f.due_before):
        if moment is not None:
            clauses.append(f"status IN ({open_list}) AND due_at IS NOT NULL AND due_at < ?")
            params.append(ts(moment))
    text = nfc(f.text)
    if text:
        # Each kind of search text has its own index; a prefix range keeps it an index seek.
        digits = text.replace(" ", "")
        if codes.CODE_RE.match(text) or ("-" in text and any(ch.isdigit() for ch in text)):
            clauses.append("code >= ? AND code < ?")
            params += [text, text + "\uffff"]
        elif digits.isdigit():
            # Plain rows (plain installation, or not sealed yet): prefix of the ID number or phone.
            terms = ["(applicant_id_number >= ? AND applicant_id_number < ?)", "(phone >= ? AND phone < ?)"]
            params += [digits, digits + ":", digits, digits + ":"]
            if ring is not None:
                # Sealed rows: only the full number finds them, through its blind index. A partial
                # number matches nothing there — the price of not storing the numbers (security.md).
                terms += ["applicant_id_bidx = ?", "phone_bidx = ?"]
                params += [privacy.lookup_key(ring, "id", digits), privacy.lookup_key(ring, "phone", digits)]
            clauses.append(" OR ".join(terms))
        else:
            key = fold(text)
            clauses.append("applicant_name_folded >= ? AND applicant_name_folded < ?")
            params += [key, key + "\uffff"]
    return (" WHERE " + " AND ".join(f"({c})" for c in clauses)) if clauses else "", params


# Lengths at which a typed number can be a whole one: old CMND 9, phone 10 (11 with an old
# prefix), CCCD 12. Anything else cannot hit a blind index.
_WHOLE_NUMBER_LENGTHS = (9, 10, 11, 12)


def search_hint(text: str, encrypted: bool) -> str | None:
    """What to tell the officer when the typed search cannot work as they expect, or None.

    On an encrypted directory a *partial* ID or phone number matches no sealed row (only whole
    numbers have a blind index); saying so beats an empty list that looks like "no such citizen".
    """
    digits = nfc(text).replace(" ", "")
    if not encrypted or not digits.isdigit() or len(digits) in _WHOLE_NUMBER_LENGTHS:
        return None
    return ("Dữ liệu trên máy này được mã hóa: số CCCD hoặc số điện thoại chỉ tìm được khi nhập <b>đủ số</b> "
            "(12 số CCCD, 9 số CMND, 10 số điện thoại). Hoặc tìm theo họ tên, mã hồ sơ.")


def list_dossiers(
    cdb: CounterDB, f: ListFilter | None = None, *, limit: int = 100, before: tuple[Any, ...] | None = None
) -> list[dict[str, Any]]:
    """One page of the dossier list, using keyset paging in the filter's order (see ORDERS).

    ``before`` is :func:`cursor_of` the last row of the previous page: unlike OFFSET, the cost of
    page N does not grow with N on a million rows.
    """
    where, params = _where(f or ListFilter(), cdb.ring)
    order_sql, keys, op = ORDERS[list_order(f)]
    if before is not None:
        where += (" AND " if where else " WHERE ") + f"({', '.join(keys)}) {op} ({', '.join('?' for _ in keys)})"
        params += list(before)
    sql = f"SELECT {LIST_COLUMNS} FROM dossiers{where} ORDER BY {order_sql} LIMIT ?"
    return cdb.query(sql, [*params, int(limit)])


def count_dossiers(cdb: CounterDB, f: ListFilter | None = None) -> int:
    """Number of dossiers matching a filter (for the list's footer)."""
    where, params = _where(f or ListFilter(), cdb.ring)
    if not where:
        return sum(status_counts(cdb).values())
    return int(cdb.scalar(f"SELECT count(*) FROM dossiers{where}", params))


def dossier_detail(cdb: CounterDB, dossier_id: int) -> dict[str, Any]:
    """A dossier with its components, files, fees and timeline; personal fields in plain text.

    Everything that shows or prints one dossier (detail page, forms, receipts) reads it here, so
    sealed fields are opened in one place (:func:`counter_app.db.privacy.open_row`).
    """
    d = privacy.open_row(cdb, "dossiers", cdb.query_one("SELECT * FROM dossiers WHERE id = ?", (dossier_id,)))
    if d is None:
        raise ValidationError(f"Không tìm thấy hồ sơ #{dossier_id}.")
    d["components"] = cdb.query(
        "SELECT * FROM dossier_components WHERE dossier_id = ? ORDER BY position", (dossier_id,)
    )
    d["files"] = cdb.query("SELECT * FROM files WHERE dossier_id = ? ORDER BY id", (dossier_id,))
    # The fees frozen at reception (issue #16): a later catalogue change never rewrites a receipt.
    d["fees"] = cdb.query("SELECT * FROM dossier_fees WHERE dossier_id = ? ORDER BY position, code", (dossier_id,))
    d["events"] = cdb.query("SELECT * FROM dossier_events WHERE dossier_id = ? ORDER BY at, id", (dossier_id,))
    d["procedure"] = load_procedure(cdb, d["procedure_code"])  # the one Procedure shape
    return d


def find_citizen(cdb: CounterDB, id_number: str) -> dict[str, Any] | None:
    """A returning citizen by ID number (blind index when encrypted), with the components they
    already have digitised; personal fields in plain text."""
    clause, params = privacy.id_lookup_clause(cdb, "id_number", nfc(id_number))
    row = privacy.open_row(cdb, "citizens", cdb.query_one(
        f"SELECT * FROM citizens WHERE {clause} ORDER BY id_bidx IS NULL, id LIMIT 1", params))
    if row is None:
        return None
    row["digitised"] = cdb.query(
        """SELECT dc.component_code, dc.name, f.id AS file_id, f.created_at, d.code AS dossier_code
           FROM dossiers d JOIN dossier_components dc ON dc.dossier_id = d.id
           JOIN files f ON f.dossier_component_id = dc.id AND f.kind = 'scan'
           WHERE d.citizen_id = ? ORDER BY f.created_at DESC""",
        (row["id"],),
    )
    return row


def pending_outbox(cdb: CounterDB, limit: int = 100) -> list[dict[str, Any]]:
    """Outbox entries not yet synced, oldest first."""
    return outbox.unsent(cdb, limit)


def ids(rows: Iterable[dict[str, Any]]) -> list[int]:
    """The ``id`` column of rows."""
    return [int(r["id"]) for r in rows]

"""Actions on another counter's dossier (issue #19): return its result, record a supplement, apologise.

A citizen may come back to any counter of the ward. The dossier is then a **replica** here
(``dossiers.owner_counter`` ≠ ''), pulled from the province, which is the ward's shared record.
An action on it is written locally at once (the officer sees it, the forms print, the reports
count it) and queued as a ``progress`` outbox entry — a ``CapNhatTienDoHoSoMC`` item with the
province version the officer saw (``PhienBanGoc``) — in one transaction with the change. The
province applies the first action to reach it; another counter's action based on the same,
now older, version is refused and recorded as a conflict there
(:func:`counter_app.sync.replica.record_stale_action`): the province's state is shown again and
the refused action is kept in ``sync_conflicts`` for the officer, never silently overwritten.

A dossier received at this counter goes through the usual functions of
:mod:`counter_app.services.dossiers`; these functions pass such a dossier on to them, so a screen
can call them for any dossier.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from counter_app.db import audit, outbox, ward
from counter_app.db import dossiers as repo
from counter_app.db.database import CounterDB
from counter_app.db.dossiers import add_event, ts
from counter_app.domain.lifecycle import OPEN_STATUSES, Status, check_transition
from counter_app.errors import ValidationError
from counter_app.services.session import Actor, require_actor
from counter_app.sync import mapping
from counter_app.sync import protocol as p
from counter_app.textnorm import nfc

__all__ = ["ACTION_LABELS", "OFFLINE_TEXT", "acknowledge_conflicts", "conflict_rows", "fetch_replica_results",
           "fetch_replica_results_now", "is_replica", "record_apology", "result_documents", "return_result",
           "supplement_received"]

#: What an officer reads for each action (conflict list, timeline).
ACTION_LABELS = {
    "return": "Trả kết quả",
    "supplement": "Nhận hồ sơ bổ sung",
    "apology": "Xin lỗi, hẹn lại ngày trả",
    "status": "Chuyển trạng thái hồ sơ",   # a status change of a dossier this counter received
}


def is_replica(cdb: CounterDB, dossier_id: int) -> bool:
    """True when the dossier was received at another counter of the ward."""
    return bool(cdb.scalar("SELECT owner_counter <> '' FROM dossiers WHERE id = ?", (dossier_id,)))


def _replica(cdb: CounterDB, dossier_id: int, expected_version: int | None) -> dict[str, Any]:
    row = cdb.query_one("SELECT id, code, status, version, province_version, owner_counter, received_at, due_at "
                        "FROM dossiers WHERE id = ?", (dossier_id,))
    if row is None:
        raise ValidationError(f"Không tìm thấy hồ sơ #{dossier_id}.")
    if expected_version is not None and row["version"] != expected_version:
        raise ValidationError("Hồ sơ vừa được cập nhật từ hệ thống của tỉnh.",
                              hint="Mở lại hồ sơ để xem trạng thái mới nhất rồi thực hiện lại.")
    if outbox.unsynced_for_dossier(cdb, dossier_id):
        # One action in flight per replica: a second one would be based on a version the province
        # has not confirmed yet and would come back as a conflict with our own first action.
        raise ValidationError(
            f"Hồ sơ {row['code']}: thao tác trước trên hồ sơ này chưa được gửi lên hệ thống của tỉnh.",
            hint="Chờ đồng bộ xong (trang Đồng bộ) rồi thực hiện tiếp.")
    return row


def _queue_action(cdb: CounterDB, row: dict[str, Any], who: Actor, *, action: str, to_status: int,
                  text: str, now: datetime, detail: dict[str, Any], new_due: str = "") -> str:
    """The outbox entry of one action, with its wire item frozen now (inside the caller's transaction)."""
    event_id = str(uuid.uuid4())
    wire: dict[str, Any] = {
        "MaHoSo": row["code"], "IdTienDo": event_id,
        "NguoiXuLy": who.full_name or who.username, "ChucDanh": "Cán bộ tiếp nhận",
        "ThoiDiemXuLy": mapping.wire_time(ts(now)),
        "PhongBanXuLy": str(cdb.get_setting("unit_code") or cdb.get_setting("agency_code") or ""),
        "NoiDungXuLy": text, "TrangThai": int(to_status),
        "NgayBatDau": mapping.wire_time(row["received_at"]),
        "NgayKetThucTheoQuyDinh": mapping.wire_time(row["due_at"]),
        p.BASE_VERSION_FIELD: int(row["province_version"] or 1),
        "MaQuayThaoTac": ward.counter_id(cdb),
        **({"NgayHenTraMoi": new_due} if new_due else {}),
    }
    payload = {"code": row["code"], "reason": "ward_action", "action": action, "label": ACTION_LABELS[action],
               "to_status": int(to_status), "base_version": wire[p.BASE_VERSION_FIELD], "detail": detail,
               "officer": who.full_name or who.username, "wire": wire}
    return outbox.enqueue(cdb, int(row["id"]), "progress", payload, now, event_id=event_id)


def return_result(cdb: CounterDB, dossier_id: int, actor: Actor | None, *, to_whom: str, id_checked: bool,
                  method: int, now: datetime | None = None, expected_version: int | None = None) -> None:
    """Hand over the result of any dossier of the ward (status 10), recorded under ``actor``."""
    who = require_actor(actor)
    if not is_replica(cdb, dossier_id):
        repo.return_result(cdb, dossier_id, to_whom=to_whom, id_checked=id_checked, method=method,
                           officer_id=who.user_id, now=now)
        return
    repo.check_handover(to_whom, id_checked=id_checked, method=method)
    now = now or datetime.now().replace(microsecond=0)
    with cdb.write():
        row = _replica(cdb, dossier_id, expected_version)
        check_transition(row["status"], Status.RETURNED)
        detail = {"to": nfc(to_whom), "id_checked": bool(id_checked), "method": int(method),
                  "owner_counter": row["owner_counter"]}
        cdb.conn.execute("UPDATE dossiers SET status = ?, returned_at = ?, returned_to = ?, return_method = ?, "
                         "version = version + 1, updated_at = ? WHERE id = ?",
                         (int(Status.RETURNED), ts(now), nfc(to_whom), int(method), ts(now), dossier_id))
        add_event(cdb, dossier_id, f"status_{int(Status.RETURNED)}", now, from_status=row["status"],
                  to_status=int(Status.RETURNED), officer_id=who.user_id, detail=detail)
        _queue_action(cdb, row, who, action="return", to_status=Status.RETURNED, now=now, detail=detail,
                      text=f"Trả kết quả tại {ward.counter_name(ward.counter_id(cdb))} (hồ sơ tiếp nhận tại "
                           f"{ward.counter_name(row['owner_counter'])})")
        audit.append(cdb, who.user_id, "status", "dossier", dossier_id,
                     {"code": row["code"], "from": row["status"], "to": int(Status.RETURNED), "replica": True}, now=now)


def supplement_received(cdb: CounterDB, dossier_id: int, actor: Actor | None, *, note: str = "",
                        now: datetime | None = None, expected_version: int | None = None) -> None:
    """The citizen brought the missing papers to this counter: back to processing (5 → 4).

    For a replica the deadline extension is the province's to compute (it holds the pause of the
    receiving counter's calendar); the counter only records the step.
    """
    who = require_actor(actor)
    if not is_replica(cdb, dossier_id):
        from counter_app.services.dossiers import load_calendar

        repo.supplement_received(cdb, dossier_id, load_calendar(cdb), officer_id=who.user_id, note=note, now=now)
        return
    now = now or datetime.now().replace(microsecond=0)
    with cdb.write():
        row = _replica(cdb, dossier_id, expected_version)
        check_transition(row["status"], Status.PROCESSING)
        detail = {"supplement": nfc(note), "owner_counter": row["owner_counter"]}
        cdb.conn.execute("UPDATE dossiers SET status = ?, version = version + 1, updated_at = ? WHERE id = ?",
                         (int(Status.PROCESSING), ts(now), dossier_id))
        add_event(cdb, dossier_id, f"status_{int(Status.PROCESSING)}", now, from_status=row["status"],
                  to_status=int(Status.PROCESSING), officer_id=who.user_id, detail=detail)
        _queue_action(cdb, row, who, action="supplement", to_status=Status.PROCESSING, now=now, detail=detail,
                      text="Công dân đã nộp bổ sung giấy tờ" + (f": {nfc(note)}" if nfc(note) else ""))
        audit.append(cdb, who.user_id, "status", "dossier", dossier_id,
                     {"code": row["code"], "from": row["status"], "to": int(Status.PROCESSING), "replica": True},
                     now=now)


def record_apology(cdb: CounterDB, dossier_id: int, actor: Actor | None, *, reason: str, new_due_at: datetime,
                   now: datetime | None = None, expected_version: int | None = None) -> None:
    """An overdue dossier of another counter: the apology and the new appointment, sent as an action."""
    who = require_actor(actor)
    if not is_replica(cdb, dossier_id):
        repo.record_apology(cdb, dossier_id, reason=reason, new_due_at=new_due_at, officer_id=who.user_id, now=now)
        return
    now = now or datetime.now().replace(microsecond=0)
    if not nfc(reason):
        raise ValidationError("Cần ghi lý do chậm trả kết quả.")
    with cdb.write():
        row = _replica(cdb, dossier_id, expected_version)
        if row["status"] not in {int(s) for s in OPEN_STATUSES}:
            raise ValidationError("Chỉ lập phiếu xin lỗi cho hồ sơ đang giải quyết.")
        if row["due_at"] and ts(new_due_at) <= row["due_at"]:
            raise ValidationError("Ngày hẹn mới phải sau ngày hẹn trả cũ.")
        detail = {"reason": nfc(reason), "new_due_at": ts(new_due_at), "owner_counter": row["owner_counter"]}
        cdb.conn.execute("UPDATE dossiers SET new_due_at = ?, version = version + 1, updated_at = ? WHERE id = ?",
                         (ts(new_due_at), ts(now), dossier_id))
        add_event(cdb, dossier_id, "apology", now, officer_id=who.user_id, detail=detail)
        _queue_action(cdb, row, who, action="apology", to_status=row["status"], now=now, detail=detail,
                      text=f"Xin lỗi vì chậm trả kết quả ({nfc(reason)}); hẹn lại ngày trả {new_due_at:%d/%m/%Y %H:%M}",
                      new_due=mapping.wire_time(ts(new_due_at)))
        audit.append(cdb, who.user_id, "apology", "dossier", dossier_id,
                     {"code": row["code"], "new_due_at": ts(new_due_at), "replica": True}, now=now)


# --- the conflict list (sync page) -------------------------------------------------------------


def _status_text(value: Any) -> str:
    from counter_app.domain.lifecycle import STATUS_LABELS

    try:
        return STATUS_LABELS[Status(int(value))]
    except (TypeError, ValueError, KeyError):
        return "—"


def _when(text: Any) -> str:
    """``YYYY-MM-DD HH:MM:SS`` → ``dd/mm/yyyy HH:MM`` (what the officer reads)."""
    s = str(text or "")
    return f"{s[8:10]}/{s[5:7]}/{s[0:4]} {s[11:16]}" if len(s) >= 16 else s


def conflict_rows(cdb: CounterDB, *, include_acknowledged: bool = False) -> list[dict[str, Any]]:
    """The conflicts as the sync page shows them, newest first, each side in one Vietnamese sentence.

    ``ours``: what this counter did and was refused; ``theirs``: what the province holds now and
    which counter acted first — the officer sees both, nothing was overwritten silently.
    """
    out = []
    for c in ward.list_conflicts(cdb, include_acknowledged=include_acknowledged):
        local, province = c["local"], c["province"]
        detail = local.get("detail") or {}
        label = ACTION_LABELS.get(c["action"], c["action"])
        if c["action"] == "status" and local.get("status"):
            label += f" sang «{_status_text(local['status'])}»"
        ours = f"{label} — {local.get('officer') or 'cán bộ'}, {_when(local.get('at'))}"
        if detail.get("to"):
            ours += f"; người nhận: {detail['to']}"
        if detail.get("reason"):
            ours += f"; lý do: {detail['reason']}"
        who = ward.counter_name(str(province.get("counter") or "")) if province.get("counter") else "quầy khác"
        theirs = f"{_status_text(province.get('status'))} (do {who} cập nhật trước"
        if province.get("last_step_by"):
            theirs += f", {province['last_step_by']}"
        if province.get("last_step_at"):
            theirs += f", {_when(province['last_step_at'])}"
        theirs += ")"
        out.append({"id": c["id"], "code": c["dossier_code"] or "", "ours": ours, "theirs": theirs,
                    "detected_at": _when(c["detected_at"]), "acknowledged": c["acknowledged_at"] is not None})
    return out


def acknowledge_conflicts(cdb: CounterDB, ids: list[int], actor: Actor | None) -> int:
    """The officer has looked at these conflicts (recorded under ``actor``); returns how many."""
    who = require_actor(actor)
    n = sum(ward.acknowledge_conflict(cdb, int(i), who.user_id) for i in ids)
    if n:
        audit.append(cdb, who.user_id, "sync_conflict_seen", "sync_conflicts", ",".join(str(i) for i in ids),
                     {"count": n})
    return n


def fetch_replica_results(cdb: CounterDB, data_root: Any, dossier_id: int) -> int:
    """Download the result documents of another counter's dossier now (the officer asked to see them).

    Uses the sync settings (endpoint, account, CA) and the pull's download path
    (:func:`counter_app.sync.replica.fetch_results`); returns how many documents are new here.
    Network work: run it on a worker, never on the UI thread. A province that cannot be reached
    raises the sync engine's Vietnamese :class:`~counter_app.sync.client.SyncError`.
    """
    from counter_app.sync import replica
    from counter_app.sync.client import ProvincialClient
    from counter_app.sync.runner import client_config

    if not is_replica(cdb, dossier_id):
        return 0  # our own dossier's results come with the pull
    with ProvincialClient(client_config(cdb)) as client:
        return replica.fetch_results(cdb, data_root, client, dossier_id)


#: What the officer reads when the province cannot be reached for a replica's result documents.
OFFLINE_TEXT = "Chưa kết nối được với hệ thống của tỉnh — thử lại khi có mạng"


def result_documents(d: dict[str, Any]) -> list[dict[str, Any]]:
    """The result documents of a dossier as the detail page lists them (``d`` from ``dossiers.detail``).

    Each row: ``name``, ``path`` (relative to the data directory, ``None`` while only the province
    holds it) and ``uid``. For another counter's dossier the province's list (``replica_results``,
    recorded by the pull) is the reference, so a document not downloaded yet is shown too.
    """
    held = {f["uid"]: f for f in d.get("files") or [] if f.get("kind") == "result"}
    rows = [{"name": f["name"], "path": f["path"], "uid": uid} for uid, f in held.items()]
    try:
        listed = json.loads(d.get("replica_results") or "[]")
    except (TypeError, ValueError):
        listed = []  # a damaged list is not a reason to hide the documents we do hold
    for doc in listed if isinstance(listed, list) else []:
        if isinstance(doc, dict) and doc.get("GiayToId") and doc["GiayToId"] not in held:
            rows.append({"name": str(doc.get("TenGiayTo") or doc["GiayToId"]), "path": None, "uid": doc["GiayToId"]})
    return rows


def fetch_replica_results_now(db_path: Any, data_root: Any, dossier_id: int) -> int:
    """:func:`fetch_replica_results` on a connection of its own, for a pool thread of the UI.

    The download may take seconds; on the app's database worker it would hold every other job
    (list, search, printing) behind it. An unreachable province is reported in the words an
    officer acts on (:data:`OFFLINE_TEXT`).
    """
    from counter_app.sync.client import ServerUnreachable

    cdb = CounterDB(db_path, migrate=False)
    try:
        return fetch_replica_results(cdb, data_root, dossier_id)
    except ServerUnreachable as exc:
        raise ServerUnreachable(OFFLINE_TEXT + ".", hint=exc.message) from exc
    finally:
        cdb.close()

"""Supervisor's quality review of digitised components (kiểm tra chất lượng bản số hóa).

A review is one transaction: the ``component_reviews`` row, the component's ``review_state`` /
``review_note`` and a ``component_review`` event on the dossier's timeline. A rejected component
is back in the digitisation backlog and on its officer's task list (:func:`rescan_tasks`) until a
scan file newer than the rejected one exists; that new scan is then waiting for review again.

Review states: ``none`` (never reviewed), ``pending`` (asked for review), ``approved``, ``rejected``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from counter_app.db import audit
from counter_app.db.database import CounterDB
from counter_app.db.dossiers import add_event, ts
from counter_app.errors import ValidationError
from counter_app.textnorm import nfc

__all__ = ["approve", "latest_scan", "pending_reviews", "reject", "rescan_tasks", "review"]

# The newest scan file of a component (what the reviewer looked at).
_LATEST_SCAN = ("SELECT * FROM files WHERE dossier_component_id = ? AND kind = 'scan' "
                "ORDER BY id DESC LIMIT 1")


def latest_scan(cdb: CounterDB, component_id: int) -> dict[str, Any] | None:
    """The component's newest scan file row, or None."""
    return cdb.query_one(_LATEST_SCAN, (component_id,))


def review(cdb: CounterDB, component_id: int, decision: str, *, reviewer_id: int | None, reason: str = "",
           now: datetime | None = None) -> int:
    """Record a decision on the component's newest scan; return the review id.

    Rejecting needs a reason (the officer reads it on their rescan list).
    """
    now = now or datetime.now().replace(microsecond=0)
    if decision not in ("approved", "rejected"):
        raise ValueError(f"unknown decision {decision!r}")
    reason = nfc(reason)
    if decision == "rejected" and not reason:
        raise ValidationError("Cần ghi lý do không đạt để cán bộ biết cần quét lại thế nào.",
                              hint="Ví dụ: «Thiếu trang 2», «Ảnh mờ, không đọc được số», «Mất màu dấu đỏ».")
    with cdb.write():
        comp = cdb.query_one("SELECT id, dossier_id, name, component_code FROM dossier_components WHERE id = ?",
                             (component_id,))
        if comp is None:
            raise ValidationError(f"Không tìm thấy thành phần hồ sơ #{component_id}.")
        scan = latest_scan(cdb, component_id)
        if scan is None:
            raise ValidationError("Thành phần này chưa có bản số hóa để kiểm tra.")
        cur = cdb.conn.execute(
            "INSERT INTO component_reviews(dossier_component_id, file_id, reviewer_id, at, decision, reason) "
            "VALUES (?, ?, ?, ?, ?, ?)", (component_id, scan["id"], reviewer_id, ts(now), decision, reason))
        cdb.conn.execute("UPDATE dossier_components SET review_state = ?, review_note = ? WHERE id = ?",
                         (decision, reason, component_id))
        add_event(cdb, int(comp["dossier_id"]), "component_review", now, officer_id=reviewer_id,
                  detail={"component": comp["name"], "decision": decision, "reason": reason,
                          "file_id": scan["id"]})
        audit.append(cdb, reviewer_id, "review", "component", component_id,
                     {"decision": decision, "file_id": scan["id"]}, now=now)
        return int(cur.lastrowid or 0)


def approve(cdb: CounterDB, component_id: int, *, reviewer_id: int | None = None,
            now: datetime | None = None) -> int:
    """The scan matches the paper: approved."""
    return review(cdb, component_id, "approved", reviewer_id=reviewer_id, now=now)


def reject(cdb: CounterDB, component_id: int, reason: str, *, reviewer_id: int | None = None,
           now: datetime | None = None) -> int:
    """The scan is not acceptable: back to its officer for rescanning, with the reason."""
    return review(cdb, component_id, "rejected", reviewer_id=reviewer_id, reason=reason, now=now)


_LAST_REJECTED_FILE = ("COALESCE((SELECT max(r.file_id) FROM component_reviews r WHERE r.dossier_component_id = dc.id "
                       "AND r.decision = 'rejected'), 0)")


def rescan_tasks(cdb: CounterDB, officer_id: int | None = None) -> list[dict[str, Any]]:
    """Rejected components not yet rescanned, for one officer (who received the dossier) or everyone.

    Oldest rejection first; each row has the dossier code, component name and the reviewer's reason.
    """
    where = "" if officer_id is None else " AND d.officer_id = ?"
    params: tuple[Any, ...] = () if officer_id is None else (officer_id,)
    return cdb.query(
        "SELECT dc.id AS component_id, dc.dossier_id, dc.name AS component_name, dc.review_note AS reason, "
        "d.code, d.applicant_name, d.officer_id, "
        "(SELECT max(r.at) FROM component_reviews r WHERE r.dossier_component_id = dc.id) AS rejected_at "
        "FROM dossier_components dc JOIN dossiers d ON d.id = dc.dossier_id "
        "WHERE dc.review_state = 'rejected' AND NOT EXISTS (SELECT 1 FROM files f WHERE "
        f"f.dossier_component_id = dc.id AND f.kind = 'scan' AND f.id > {_LAST_REJECTED_FILE})"
        f"{where} ORDER BY rejected_at, dc.id", params)


def pending_reviews(cdb: CounterDB, limit: int = 100) -> list[dict[str, Any]]:
    """Digitised components waiting for a supervisor's look, newest scans first.

    Waiting means: review state ``none``/``pending`` with a scan, or ``rejected`` with a scan newer
    than the rejected one (rescanned). Walks ``files`` newest first, so it stays cheap on a large
    database however many old scans were never reviewed.
    """
    rows = cdb.query(
        "SELECT f.id AS file_id, f.path, f.name AS file_name, f.page_count, f.created_at AS scanned_at, "
        "f.signed, f.size, dc.id AS component_id, dc.name AS component_name, dc.component_code, dc.review_state, "
        "dc.review_note, dc.page_count_declared, d.id AS dossier_id, d.code, d.procedure_code, "
        "p.name AS procedure_name, d.applicant_name, d.received_at, u.full_name AS officer_name, d.officer_id "
        "FROM files f JOIN dossier_components dc ON dc.id = f.dossier_component_id "
        "JOIN dossiers d ON d.id = dc.dossier_id LEFT JOIN procedures p ON p.code = d.procedure_code "
        "LEFT JOIN users u ON u.id = COALESCE(f.created_by, d.officer_id) "
        "WHERE f.kind = 'scan' AND f.id = (SELECT max(g.id) FROM files g WHERE g.dossier_component_id = dc.id "
        "AND g.kind = 'scan') AND (dc.review_state IN ('none', 'pending') OR (dc.review_state = 'rejected' "
        f"AND f.id > {_LAST_REJECTED_FILE})) ORDER BY f.id DESC LIMIT ?", (int(limit),))
    for r in rows:
        r["rescanned"] = r["review_state"] == "rejected"
    return rows

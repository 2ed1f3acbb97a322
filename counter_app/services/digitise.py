"""Turning a scan session into signed PDFs: one per component, registered with its outbox entry."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from counter_app.db.database import CounterDB
from counter_app.errors import ValidationError
from counter_app.scanning.output import ComponentFile, OutputOptions, PageImage, ScanMeta, write_component_pdf
from counter_app.scanning.session import ScanSession
from counter_app.scanning.signing import OfficerSigner


def current_officer(cdb: CounterDB, officer_id: int | None = None) -> dict[str, Any]:
    """The signed-in officer (or, without sign-in, e.g. in tools, the first officer account)."""
    row = (cdb.query_one("SELECT * FROM users WHERE id = ?", (officer_id,)) if officer_id is not None
           else cdb.query_one("SELECT * FROM users ORDER BY role = 'officer' DESC, id LIMIT 1"))
    if row is None:
        raise ValidationError("Chưa có tài khoản cán bộ.", hint="Tạo tài khoản trong Cài đặt → Người dùng.")
    return row


def save_session(
    cdb: CounterDB,
    data_root: Path,
    session: ScanSession,
    dossier: dict[str, Any],
    declared: dict[int, int],
    signer: OfficerSigner | None = None,
    now: datetime | None = None,
    officer_id: int | None = None,
) -> list[ComponentFile]:
    """Write one PDF per component that has pages; pages never assigned are refused, not dropped."""
    now = now or datetime.now().replace(microsecond=0)
    loose = [p for p in session.pages if p.component_id is None and not p.blank]
    if loose:
        raise ValidationError(
            f"Còn {len(loose)} trang chưa gán cho thành phần nào.",
            hint="Chọn trang, chọn thành phần rồi nhấn Ctrl+G (hoặc xóa trang thừa).")
    officer = current_officer(cdb, officer_id)
    comps = {c["id"]: c for c in cdb.query(
        "SELECT * FROM dossier_components WHERE dossier_id = ?", (dossier["id"],))}
    agency = cdb.get_setting("agency_name") or ""
    out: list[ComponentFile] = []
    for cid, comp in comps.items():
        pages = session.component_pages(cid)
        if not pages:
            continue
        images = [PageImage(session.images(p.uid), float(p.dpi)) for p in pages]
        meta = ScanMeta(
            dossier_code=dossier["code"] or f"HS{dossier['id']}", component_code=comp["component_code"],
            officer_name=officer["full_name"], scanned_at=now, agency_name=agency, component_name=comp["name"],
            procedure_code=dossier["procedure_code"], officer_id=officer["id"], declared_pages=declared.get(cid))
        out.append(write_component_pdf(data_root, cdb, cid, images, meta, signer, declared.get(cid),
                                       OutputOptions(), now=now))
    if not out:
        raise ValidationError("Chưa có trang nào được gán cho thành phần hồ sơ.")
    return out

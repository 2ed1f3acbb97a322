"""Turning a scan session into signed PDFs: one per component, registered with its outbox entry."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from counter_app.atomicio import atomic_write_bytes
from counter_app.db.database import CounterDB
from counter_app.errors import ValidationError
from counter_app.scanning.output import ComponentFile, OutputOptions, PageImage, ScanMeta, write_component_pdf
from counter_app.scanning.session import ScanSession
from counter_app.scanning.signing import OfficerSigner

SAVED_RECORD = "saved.json"  # in the scan session's folder: components already stored from it


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
    """Write one PDF per component that has pages; pages never assigned are refused, not dropped.

    Idempotent per component: a save that stopped part-way (a USB token pulled out while component
    *k* was being signed) leaves components before *k* stored and recorded in the session folder;
    saving the same session again skips them (their stored files are returned as they were) and
    stores only the rest — never a second copy. A component whose pages or declared page count
    changed since it was stored is stored again (the officer re-scanned or corrected it).
    """
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
    saved = _saved_components(cdb, session.folder)
    out: list[ComponentFile] = []
    for cid, comp in comps.items():
        pages = session.component_pages(cid)
        if not pages:
            continue
        key = _component_key(pages, declared.get(cid))
        done = saved.get(str(cid))
        if done is not None and done["key"] == key:
            out.append(_component_file(done["file"]))  # stored by an earlier, interrupted save
            continue
        images = [PageImage(session.images(p.uid), float(p.dpi)) for p in pages]
        meta = ScanMeta(
            dossier_code=dossier["code"] or f"HS{dossier['id']}", component_code=comp["component_code"],
            officer_name=officer["full_name"], scanned_at=now, agency_name=agency, component_name=comp["name"],
            procedure_code=dossier["procedure_code"], officer_id=officer["id"], declared_pages=declared.get(cid))
        stored = write_component_pdf(data_root, cdb, cid, images, meta, signer, declared.get(cid),
                                     OutputOptions(), now=now)
        out.append(stored)
        # Recorded right after it is committed, so a failure on the next component cannot lose it.
        saved[str(cid)] = {"key": key, "file": {**asdict(stored), "path": str(stored.path)}}
        atomic_write_bytes(session.folder / SAVED_RECORD, json.dumps(saved, ensure_ascii=False).encode())
    if not out:
        raise ValidationError("Chưa có trang nào được gán cho thành phần hồ sơ.")
    return out


def _component_key(pages: list[Any], declared: int | None) -> str:
    """What a stored component was made from: its pages (ids, order, rotation, crop…) and the count
    the officer declared. A change in any of them means the stored file no longer matches."""
    return json.dumps({"pages": [p.to_json() for p in pages], "declared": declared}, sort_keys=True)


def _saved_components(cdb: CounterDB, folder: Path) -> dict[str, Any]:
    """Components stored by earlier saves of this session whose file row still exists."""
    try:
        saved = json.loads((folder / SAVED_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # no earlier save (or an unreadable record: storing again is the safe side)
    if not isinstance(saved, dict):
        return {}
    return {cid: v for cid, v in saved.items()
            if isinstance(v, dict) and isinstance(v.get("file"), dict)
            and cdb.scalar("SELECT 1 FROM files WHERE id = ?", (v["file"].get("file_id"),))}


def _component_file(raw: dict[str, Any]) -> ComponentFile:
    """A :class:`ComponentFile` back from the session's record."""
    return ComponentFile(**{**raw, "path": Path(raw["path"]), "warnings": tuple(raw.get("warnings") or ())})

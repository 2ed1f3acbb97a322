"""Local database rows → the provincial system's wire format (DVCQG field names, DOMAIN §4).

Pure read functions: they take the caller's :class:`CounterDB` (usually inside the worker's
transaction, so the record and the outbox snapshot agree) and return plain dicts ready for
``DongBoHoSoMC`` / ``CapNhatTienDoHoSoMC``.

The same database state always maps to the same dict (lists in a stable order, no "now"),
because the provincial side compares content: an unchanged update is answered ``unchanged``
and the tests compare ``protocol.content_sha256`` of what the server holds with a fresh mapping.

Wire conventions chosen here where DOMAIN §4 leaves the value open (documented in docs/sync.md):
- ``LoaiPhiLePhi``: 1 = phí, 2 = lệ phí; ``HinhThucThu``: 1 = nộp trực tiếp tại quầy;
- ``HoSoCoThanhPhanSoHoa``, ``DuocSoHoa``…: booleans as 1/0 integers, as vendors send them;
- ``DinhDanhCHS.LoaiDinhDanh``: 1 = 12-digit personal ID, 2 = 9-digit CMND.

What the province is told (issue #16, docs/sync.md, docs/legal.md):
- fees come from the dossier's snapshot frozen at reception; an amount nobody entered (a fee the
  provincial council sets) is sent **without** ``Gia`` — never an invented 0;
- ``NgayHenTra`` is always the legal due date; an apology's new appointment travels in the
  progress entry (``NoiDungXuLy`` and ``NgayHenTraMoi``), so the province's on-time figure and
  the app's own (QĐ 766: finished on or before NgayHenTra) agree;
- ``MaLinhVuc`` is the national field code mapped from the app's short code
  (``resources/catalogue/field_codes.json`` + the admin's table); unmapped codes are listed by
  :func:`unmapped_field_codes` before sync and sent empty, never as the app's own code;
- ``NgayNopHoSo`` is the portal submission time for online filings; ``NgayTuChoi`` the time of
  the refusal event.

Glossary: hồ sơ = dossier, thành phần hồ sơ = component, tệp đính kèm = attached file,
lệ phí = fee, chủ hồ sơ = applicant.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from counter_app.db.catalogue import load_procedure
from counter_app.db.database import CounterDB
from counter_app.db.dossiers import parse_ts
from counter_app.errors import ValidationError
from counter_app.sync import protocol as p

__all__ = [
    "FIELD_CODES_FILE",
    "FIELD_CODE_SETTING",
    "UPLOADED_FILE_KINDS",
    "FileRef",
    "dossier_files",
    "dossier_payload",
    "file_ref",
    "national_field_code",
    "progress_item",
    "set_national_field_code",
    "shipped_field_entries",
    "unmapped_field_codes",
    "wire_time",
]

log = logging.getLogger(__name__)

# App short field codes (HT, CT…) → national field codes; shipped table, the admin's entries win.
FIELD_CODES_FILE = Path(__file__).resolve().parents[2] / "resources" / "catalogue" / "field_codes.json"
FIELD_CODE_SETTING = "national_field_codes"

# Kinds of local files the counter sends along with a dossier. Results come *from* the province;
# generated forms (receipts) stay local.
UPLOADED_FILE_KINDS = ("scan", "attachment")

# Fee kinds of the catalogue → LoaiPhiLePhi.
_FEE_KIND = {"phi": 1, "le_phi": 2}

# What a progress entry says, by the outbox entry's ``reason`` (dossiers.py writes these).
_PROGRESS_TEXT = {
    "apology": "Xin lỗi vì chậm trả kết quả, hẹn lại ngày trả",
}


@dataclass(frozen=True)
class FileRef:
    """A local file that must be on the server before the dossier naming it is sent.

    ``size`` and ``sha256`` describe the *plaintext* document, which is what the province receives:
    in an encrypted data directory the bytes on disk are an envelope, and the client decrypts
    before uploading (see :meth:`counter_app.sync.client.ProvincialClient.upload_file`).
    """

    uid: str          # files.uid = TepDinhKemId = the upload's file_id (client-generated, stable)
    path: Path        # absolute path on this machine
    name: str
    size: int         # of the plaintext (files.meta plain_size, else files.size)
    sha256: str       # of the plaintext (files.meta plain_sha256, else files.sha256)
    dossier_id: int | None
    outside: bool = False  # the row's path leads out of the data directory: never read it


def wire_time(text: str | None) -> str:
    """A database timestamp (local ISO text) as ``yyyyMMddHHmmss``; empty when unknown."""
    moment = parse_ts(text) if text else None
    return p.format_timestamp(moment) if moment else ""


def _file_meta(meta: str | None) -> dict[str, Any]:
    try:
        decoded = json.loads(meta or "{}")
    except ValueError:
        return {}
    return decoded if isinstance(decoded, dict) else {}


def _file_ref(row: dict[str, Any], data_root: Path) -> FileRef:
    root = data_root.resolve()
    path = (root / row["path"]).resolve()
    # A tampered row ("../../secret") must not make the counter upload a file from elsewhere.
    outside = not path.is_relative_to(root)
    # files.sha256/size describe the bytes on disk (an envelope when the directory is encrypted);
    # the province gets the document itself, whose hash and size the meta keeps.
    meta = _file_meta(row.get("meta"))
    sha = meta.get("plain_sha256") if isinstance(meta.get("plain_sha256"), str) else None
    size = meta.get("plain_size") if isinstance(meta.get("plain_size"), int) else None
    return FileRef(uid=row["uid"], path=path, name=row["name"], size=int(size if size is not None else row["size"]),
                   sha256=sha or row["sha256"], dossier_id=row.get("dossier_id"), outside=outside)


def _is_deleted(meta: str | None) -> bool:
    try:
        return bool(json.loads(meta or "{}").get("deleted"))
    except (ValueError, AttributeError):
        return False


def dossier_files(cdb: CounterDB, dossier_id: int, data_root: Path) -> list[FileRef]:
    """Every file the dossier's record references (its scans and reused files), upload order.

    Reused files (a component digitised for an earlier dossier of the same citizen) are
    included: uploads are idempotent, so an already-uploaded one costs one status request.
    """
    rows = cdb.query(
        f"""SELECT f.* FROM files f
            WHERE f.dossier_id = ? AND f.kind IN ({",".join("?" * len(UPLOADED_FILE_KINDS))})
            UNION
            SELECT f.* FROM dossier_components dc JOIN files f ON f.id = dc.reused_file_id
            WHERE dc.dossier_id = ? AND dc.state = 'received'
            ORDER BY id""",
        (dossier_id, *UPLOADED_FILE_KINDS, dossier_id),
    )
    return [_file_ref(r, data_root) for r in rows if not _is_deleted(r.get("meta"))]


def file_ref(cdb: CounterDB, uid: str, data_root: Path) -> FileRef | None:
    """One file by its uid, or None when the row is gone."""
    row = cdb.query_one("SELECT * FROM files WHERE uid = ?", (uid,))
    return _file_ref(row, data_root) if row else None


def _documents(cdb: CounterDB, dossier_id: int) -> list[dict[str, Any]]:
    """TaiLieuNop: one item per digitised file, one per paper-only received component."""
    components = cdb.query(
        "SELECT * FROM dossier_components WHERE dossier_id = ? ORDER BY position, id", (dossier_id,))
    files = cdb.query(
        f"""SELECT * FROM files WHERE dossier_id = ? AND kind IN ({",".join("?" * len(UPLOADED_FILE_KINDS))})
            ORDER BY id""", (dossier_id, *UPLOADED_FILE_KINDS))
    by_component: dict[int | None, list[dict[str, Any]]] = {}
    for f in files:
        by_component.setdefault(f["dossier_component_id"], []).append(f)
    reused_ids = [c["reused_file_id"] for c in components if c["reused_file_id"]]
    reused = {r["id"]: r for r in cdb.query(
        f"SELECT * FROM files WHERE id IN ({','.join('?' * len(reused_ids))})", reused_ids)} if reused_ids else {}

    def item(f: dict[str, Any], code: str, *, reused_file: bool) -> dict[str, Any]:
        return {"TepDinhKemId": f["uid"], "TenTepDinhKem": f["name"], "MaThanhPhanHoSo": code,
                "DuongDanTaiTepTin": "", "DuocSoHoa": 1, "DuocTaiSuDung": 1 if reused_file else 0,
                "DuocLayTuKhoDMQG": 0, "MaKetQuaThayThe": "", "IsDeleted": 1 if _is_deleted(f["meta"]) else 0}

    out: list[dict[str, Any]] = []
    for c in components:
        # Shown-only components are not kept (TT 03/2025 Đ5) and missing ones were not handed in.
        if c["state"] != "received":
            continue
        own = by_component.pop(c["id"], [])
        for f in own:
            out.append(item(f, c["component_code"], reused_file=False))
        if c["reused_file_id"] in reused:
            out.append(item(reused[c["reused_file_id"]], c["component_code"], reused_file=True))
        if not own and c["reused_file_id"] not in reused:
            # Paper only: the province still needs to know the component was handed in.
            out.append({"TepDinhKemId": "", "TenTepDinhKem": c["name"], "MaThanhPhanHoSo": c["component_code"],
                        "DuongDanTaiTepTin": "", "DuocSoHoa": 0, "DuocTaiSuDung": 0, "DuocLayTuKhoDMQG": 0,
                        "MaKetQuaThayThe": "", "IsDeleted": 0})
    # Attachments not tied to a checklist line (or to a line no longer received) still travel.
    for rows in by_component.values():
        for f in rows:
            out.append(item(f, "", reused_file=False))
    return out


def _fees(cdb: CounterDB, dossier_id: int) -> list[dict[str, Any]]:
    """DanhSachLePhi from the snapshot frozen at reception (online amounts already applied)."""
    rows = cdb.query("SELECT * FROM dossier_fees WHERE dossier_id = ? ORDER BY position, code", (dossier_id,))
    out = []
    for r in rows:
        item: dict[str, Any] = {"TenPhiLePhi": r["name"], "MaPhiLePhi": r["code"], "HinhThucThu": 1,
                                "LoaiPhiLePhi": _FEE_KIND.get(r["kind"], 2)}
        # An amount nobody entered is not sent at all: "Gia": 0 would tell the province it was free.
        if r["amount"] is not None:
            item["Gia"] = int(r["amount"])
        out.append(item)
    return out


@lru_cache(maxsize=4)
def _shipped_entries(path: Path = FIELD_CODES_FILE) -> tuple[dict[str, Any], ...]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        log.warning("field code table %s unreadable", path.name)
        return ()
    return tuple(f for f in raw.get("fields", ()) if isinstance(f, dict) and f.get("app_code"))


def shipped_field_entries() -> list[dict[str, Any]]:
    """The shipped table's entries (``app_code``, ``name``, ``national_code`` or None, ``source``).

    A national code is shipped only with the public source it was verified in (docs/legal.md).
    """
    return [dict(f) for f in _shipped_entries()]


def _shipped_field_codes() -> dict[str, str]:
    return {str(f["app_code"]): str(f["national_code"]) for f in _shipped_entries() if f.get("national_code")}


def _field_table(cdb: CounterDB) -> dict[str, str]:
    admin = cdb.get_setting(FIELD_CODE_SETTING) or {}
    return {**_shipped_field_codes(), **{str(k): str(v) for k, v in admin.items() if v}}


def national_field_code(cdb: CounterDB, app_code: str) -> str | None:
    """The national field code (MaLinhVuc) for the app's short code, or None when not mapped."""
    return _field_table(cdb).get(app_code)


def set_national_field_code(cdb: CounterDB, app_code: str, national_code: str) -> None:
    """The admin maps one of the app's field codes to the national one ("" removes the entry)."""
    table = dict(cdb.get_setting(FIELD_CODE_SETTING) or {})
    if national_code.strip():
        table[app_code] = national_code.strip()
    else:
        table.pop(app_code, None)
    cdb.set_setting(FIELD_CODE_SETTING, table)


def unmapped_field_codes(cdb: CounterDB) -> list[dict[str, Any]]:
    """Field codes of dossiers waiting to be sent that have no national code yet (flag before sync).

    Each item: ``{"field_code", "field_name", "dossiers"}``; empty when everything is mapped.
    """
    from counter_app.db import outbox

    rows = outbox.waiting_by_field(cdb)
    table = _field_table(cdb)
    return [r for r in rows if r["field_code"] not in table]


def _identities(id_number: str) -> list[dict[str, Any]]:
    digits = id_number.strip()
    if digits.isdigit() and len(digits) == 12:
        return [{"LoaiDinhDanh": 1, "SoDinhDanh": digits}]
    if digits.isdigit() and len(digits) == 9:
        return [{"LoaiDinhDanh": 2, "SoDinhDanh": digits}]
    return []


def dossier_payload(cdb: CounterDB, dossier_id: int) -> dict[str, Any]:
    """The dossier as ``DongBoHoSoMC`` expects it. Raises ``LookupError`` if it has no code yet.

    Personal fields are sent in plain text (the province's system needs them): sealed ones are
    opened here; a locked encrypted directory raises :class:`counter_app.vault.Locked`.
    """
    from counter_app.db import privacy

    d = privacy.open_row(cdb, "dossiers", cdb.query_one("SELECT * FROM dossiers WHERE id = ?", (dossier_id,)))
    if d is None or not d["code"]:
        raise LookupError(f"dossier {dossier_id} has no code (not accepted) and is never sent")
    try:
        proc = load_procedure(cdb, d["procedure_code"])
        proc_name, app_field, field_name = proc.name, proc.field_code, proc.field_name
    except ValidationError:  # removed from the catalogue since: the record still goes, unnamed
        proc_name, app_field, field_name = "", "", ""
    documents = _documents(cdb, dossier_id)
    status = int(d["status"])
    field_code = national_field_code(cdb, app_field)
    if field_code is None:
        log.debug("field code %s has no national code: MaLinhVuc sent empty", app_field)
    refused_at = cdb.scalar("SELECT MAX(at) FROM dossier_events WHERE dossier_id = ? AND to_status = 3",
                            (dossier_id,)) if status == 3 else None
    online = int(d["channel"]) == 2
    return {
        "MaHoSo": d["code"],
        "MaTTHC": d["procedure_code"],
        "TenTTHC": proc_name,
        "MaLinhVuc": field_code or "",
        "TenLinhVuc": field_name,
        "KenhThucHien": int(d["channel"]),
        "SoGiayToChuHoSo": d["applicant_id_number"],
        "ChuHoSo": d["applicant_name"],
        "LoaiDoiTuong": int(d["subject_type"]),
        "MaDoiTuong": "",
        "ThongTinKhac": "",
        "Email": d["email"],
        "Fax": "",
        "SoDienThoai": d["phone"],
        "TrichYeuHoSo": d["summary"],
        "NgayTiepNhan": wire_time(d["received_at"]),
        # The legal due date stays the due date after an apology (QĐ 766 on-time rule); the new
        # appointment travels in the apology's progress entry (progress_item).
        "NgayHenTra": wire_time(d["due_at"]),
        "TrangThaiHoSo": status,
        "NgayTra": wire_time(d["returned_at"]),
        "ThongTinTra": d.get("returned_to") or "",
        "HinhThuc": int(d["return_method"]),
        "NgayKetThucXuLy": wire_time(d["finished_at"]),
        "NgayTuChoi": wire_time(refused_at) if refused_at else "",
        # Online: when the citizen submitted on the portal; at the counter it is the reception.
        "NgayNopHoSo": wire_time(d.get("submitted_at") if online and d.get("submitted_at") else d["received_at"]),
        "DonViXuLy": d["deciding_unit"],
        "GhiChu": d["note"],
        "TaiLieuNop": documents,
        "DanhSachLePhi": _fees(cdb, dossier_id),
        "DanhSachHoSoBoSung": [],
        "DanhSachGiayToKetQua": [],
        "DinhDanhCHS": _identities(d["applicant_id_number"]),
        "HoSoCoThanhPhanSoHoa": 1 if any(doc["DuocSoHoa"] for doc in documents) else 0,
        "TaiKhoanDuocXacThucVoiVNeID": 0,
        "DuocThanhToanTrucTuyen": 1 if cdb.scalar(
            "SELECT 1 FROM dossier_events WHERE dossier_id = ? AND kind = 'paid_online' LIMIT 1", (dossier_id,)) else 0,
    }


def progress_item(cdb: CounterDB, entry: dict[str, Any]) -> dict[str, Any]:
    """A ``CapNhatTienDoHoSoMC`` item for a ``progress`` outbox entry.

    ``IdTienDo`` is the entry's event id, so a retried call is recognised as the same step. The
    worker stores the result in the entry's payload at the first attempt: the status may move
    before a retry and the server refuses the same id with different content (error 7).
    """
    payload = json.loads(entry["payload"])
    d = cdb.query_one("SELECT * FROM dossiers WHERE id = ?", (entry["dossier_id"],))
    if d is None or not d["code"]:
        raise LookupError(f"progress entry {entry['id']} names no sent dossier")
    reason = str(payload.get("reason") or "")
    text = _PROGRESS_TEXT.get(reason, reason or "Cập nhật tiến độ")
    new_due = ""
    if reason == "apology" and d.get("new_due_at"):
        moment = parse_ts(d["new_due_at"])
        if isinstance(moment, datetime):
            text += f" {moment:%d/%m/%Y %H:%M}"
            new_due = wire_time(d["new_due_at"])
    officer = None
    if d["officer_id"]:
        officer = cdb.scalar("SELECT full_name FROM users WHERE id = ?", (d["officer_id"],))
    return {
        "MaHoSo": d["code"],
        "IdTienDo": entry["event_id"],
        "NguoiXuLy": officer or "Bộ phận Một cửa",
        "ChucDanh": "Cán bộ tiếp nhận",
        "ThoiDiemXuLy": wire_time(entry["created_at"]),
        "PhongBanXuLy": d["receiving_unit"],
        "NoiDungXuLy": text,
        "TrangThai": int(d["status"]),
        "NgayBatDau": wire_time(d["received_at"]),
        # The legal deadline, unchanged by an apology; the new appointment has its own field.
        "NgayKetThucTheoQuyDinh": wire_time(d["due_at"]),
        **({"NgayHenTraMoi": new_due} if new_due else {}),
    }

"""Field checks the simulated provincial system applies to what the counter sends (DOMAIN §4).

Pure functions: they read a decoded JSON item and return ``None`` or a :class:`Problem`
with the error code and a Vietnamese message naming the dossier and the field, so the counter's
sync log tells the officer exactly what to fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from counter_app.sync import protocol as p

# Real codes look like "H15.50.05.13-261008-0975"; 64 leaves room for vendor variants while
# still catching a client that sends a whole document in the field.
MAX_CODE_LENGTH = 64


@dataclass(frozen=True)
class Problem:
    """Why an item was refused."""

    error_code: str
    message: str
    field: str = ""

    def as_json(self, ma_ho_so: str = "") -> dict[str, Any]:
        """The reply body fragment describing this problem."""
        body: dict[str, Any] = {"error_code": self.error_code, "message": self.message}
        if self.field:
            body["field"] = self.field
        if ma_ho_so:
            body["MaHoSo"] = ma_ho_so
        return body


def as_code(value: object) -> int | None:
    """An integer code sent as a number or a digit string ("4"), else ``None``.

    Vendors' clients send codes both ways; ``True`` is refused because JSON ``true`` is a bug.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def dossier_code(item: object) -> str:
    """MaHoSo of an item when it is a usable string, else an empty string."""
    if isinstance(item, dict):
        code = item.get("MaHoSo")
        if isinstance(code, str):
            return code.strip()
    return ""


def _bad(field: str, message: str) -> Problem:
    return Problem(p.ErrorCode.INVALID_FIELD, message, field)


def check_dossier(item: object) -> Problem | None:
    """Check one dossier of ``DongBoHoSoMC``; files are checked separately against the store."""
    if not isinstance(item, dict):
        return _bad("data", "Mỗi phần tử của data phải là một hồ sơ (đối tượng JSON)")
    code = dossier_code(item)
    if not code:
        return _bad("MaHoSo", "Thiếu mã hồ sơ (MaHoSo)")
    if len(code) > MAX_CODE_LENGTH:
        return _bad("MaHoSo", f"Mã hồ sơ dài quá {MAX_CODE_LENGTH} ký tự")
    tthc = item.get("MaTTHC")
    if not isinstance(tthc, str) or not tthc.strip():
        return _bad("MaTTHC", f"Hồ sơ {code}: thiếu mã thủ tục hành chính (MaTTHC)")
    if not p.is_valid_timestamp(item.get("NgayTiepNhan")):
        return _bad("NgayTiepNhan", f"Hồ sơ {code}: NgayTiepNhan phải có dạng yyyyMMddHHmmss")
    for name in p.DOSSIER_DATE_FIELDS[1:]:
        value = item.get(name)
        # Optional dates may be absent, null or empty (not yet known), but never malformed.
        if value not in (None, "") and not p.is_valid_timestamp(value):
            return _bad(name, f"Hồ sơ {code}: {name} phải có dạng yyyyMMddHHmmss")
    if as_code(item.get("TrangThaiHoSo")) not in p.VALID_STATUSES:
        return _bad("TrangThaiHoSo", f"Hồ sơ {code}: TrangThaiHoSo phải là mã từ 1 đến 10")
    if as_code(item.get("KenhThucHien")) not in p.VALID_CHANNELS:
        return _bad("KenhThucHien", f"Hồ sơ {code}: KenhThucHien phải là 1, 2 hoặc 3")
    if item.get("LoaiDoiTuong") not in (None, "") and as_code(item["LoaiDoiTuong"]) not in p.VALID_SUBJECT_TYPES:
        return _bad("LoaiDoiTuong", f"Hồ sơ {code}: LoaiDoiTuong phải là mã từ 1 đến 4")
    if item.get("HinhThuc") not in (None, "") and as_code(item["HinhThuc"]) not in p.VALID_RETURN_MODES:
        return _bad("HinhThuc", f"Hồ sơ {code}: HinhThuc phải là 0 hoặc 1")
    for name in ("TaiLieuNop", "DanhSachLePhi", "DanhSachHoSoBoSung", "DanhSachGiayToKetQua", "DinhDanhCHS"):
        value = item.get(name)
        if value is not None and not isinstance(value, list):
            return _bad(name, f"Hồ sơ {code}: {name} phải là một danh sách")
    for doc in item.get("TaiLieuNop") or []:
        if not isinstance(doc, dict):
            return _bad("TaiLieuNop", f"Hồ sơ {code}: mỗi tài liệu nộp phải là một đối tượng JSON")
        file_id = doc.get("TepDinhKemId")
        if file_id not in (None, "") and not isinstance(file_id, str):
            return _bad("TaiLieuNop", f"Hồ sơ {code}: TepDinhKemId phải là chuỗi")
    return None


def referenced_file_ids(item: dict[str, Any]) -> list[tuple[str, str]]:
    """``(TepDinhKemId, TenTepDinhKem)`` of every live attachment of a checked dossier.

    Items without a file id are accepted: a component reused from the national data store
    (DuocLayTuKhoDMQG) or one only shown at the counter has nothing to upload.
    """
    refs: list[tuple[str, str]] = []
    for doc in item.get("TaiLieuNop") or []:
        file_id = doc.get("TepDinhKemId")
        if isinstance(file_id, str) and file_id and not doc.get("IsDeleted"):
            refs.append((file_id, str(doc.get("TenTepDinhKem") or "")))
    return refs


def check_progress(item: object) -> Problem | None:
    """Check one progress entry of ``CapNhatTienDoHoSoMC``."""
    if not isinstance(item, dict):
        return _bad("data", "Mỗi phần tử của data phải là một bước xử lý (đối tượng JSON)")
    code = dossier_code(item)
    if not code:
        return _bad("MaHoSo", "Bước xử lý thiếu mã hồ sơ (MaHoSo)")
    if not p.is_valid_timestamp(item.get("ThoiDiemXuLy")):
        return _bad("ThoiDiemXuLy", f"Hồ sơ {code}: ThoiDiemXuLy phải có dạng yyyyMMddHHmmss")
    if as_code(item.get("TrangThai")) not in p.VALID_STATUSES:
        return _bad("TrangThai", f"Hồ sơ {code}: TrangThai phải là mã từ 1 đến 10")
    for name in ("NgayBatDau", "NgayKetThucTheoQuyDinh"):
        value = item.get(name)
        if value not in (None, "") and not p.is_valid_timestamp(value):
            return _bad(name, f"Hồ sơ {code}: {name} phải có dạng yyyyMMddHHmmss")
    progress_id = item.get("IdTienDo")
    if progress_id not in (None, "") and not isinstance(progress_id, str):
        return _bad("IdTienDo", f"Hồ sơ {code}: IdTienDo phải là chuỗi")
    return None


def progress_key(item: dict[str, Any]) -> str:
    """Deduplication key of a progress entry: the client's IdTienDo, else what identifies a step.

    A retried call after a lost reply sends the same entry again; this key makes it a no-op.
    """
    progress_id = item.get("IdTienDo")
    if isinstance(progress_id, str) and progress_id:
        return f"id:{progress_id}"
    return f"k:{dossier_code(item)}|{item.get('ThoiDiemXuLy')}|{as_code(item.get('TrangThai'))}"

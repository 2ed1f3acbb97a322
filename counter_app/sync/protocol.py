"""Wire protocol shared by the sync client and the provincial-system simulator (DOMAIN §4).

Both sides import their names from here so a path, a service name or an error code is spelled
once. The conventions follow what provincial one-stop systems do in practice:

- a session login (``POST /api/auth/login``) gives a bearer token;
- every business call is ``POST /api/service`` with the envelope
  ``{"service": "DongBoHoSoMC", "isUpdating": false, "data": [...]}`` and answers HTTP 200 with
  ``error_code`` "0" on success or a business error code (e.g. "-3" = *đã tồn tại*);
- files travel separately through a resumable upload (``/api/files``) and dossiers only
  reference them by ``TaiLieuNop[].TepDinhKemId``;
- dates are ``yyyyMMddHHmmss`` in Asia/Ho_Chi_Minh.

Retry rule for clients: retry transport errors (disconnect, reset, timeout) and HTTP 5xx with the
same request (every call is idempotent or answers "-3" for a repeated create); on HTTP 401 log in
again and retry; never retry a 200 with a non-zero ``error_code`` or another 4xx unchanged.

Glossary: hồ sơ = dossier, mã hồ sơ (MaHoSo) = dossier code, TTHC = procedure,
tiến độ = progress entry, tệp đính kèm = attached file, giấy tờ kết quả = result document.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import unicodedata
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from counter_app.timefmt import COMPACT_TS

__all__ = [
    "ADMIN_DOSSIERS_PATH",
    "ADMIN_FILES_PATH",
    "ADMIN_STATS_PATH",
    "AGENCY_FIELD",
    "AUDIT_ANCHOR_FIELD",
    "BASE_VERSION_FIELD",
    "COUNTERS_FIELD",
    "COUNTER_FIELD",
    "DATE_FORMAT",
    "DEFAULT_CHUNK_SIZE",
    "DOSSIER_DATE_FIELDS",
    "FILES_PATH",
    "LOGIN_PATH",
    "MAX_CHUNK_SIZE",
    "MAX_JSON_BODY",
    "MSG_BAD_CREDENTIALS",
    "MSG_SESSION_EXPIRED",
    "QUEUE_EMPTY_FIELD",
    "REASON_BAD_CREDENTIALS",
    "REASON_SESSION_EXPIRED",
    "REASON_UNAUTHENTICATED",
    "RECEIVING_AGENCY_FIELD",
    "RECEIVING_COUNTER_FIELD",
    "SCOPE_FIELD",
    "SERVICE_PATH",
    "STATUS_DONE",
    "STATUS_PROCESSING",
    "STATUS_RECEIVED",
    "STATUS_RETURNED",
    "STATUS_SUPPLEMENT",
    "UPLOAD_COMPLETE_HEADER",
    "UPLOAD_LENGTH_HEADER",
    "UPLOAD_OFFSET_HEADER",
    "VALID_CHANNELS",
    "VALID_RETURN_MODES",
    "VALID_STATUSES",
    "VALID_SUBJECT_TYPES",
    "VERSION_FIELD",
    "VN_TZ",
    "ErrorCode",
    "LoginReply",
    "Service",
    "ServiceReply",
    "UploadStatus",
    "canonical_json",
    "content_sha256",
    "file_path",
    "file_status_path",
    "format_timestamp",
    "is_already_exists",
    "is_valid_timestamp",
    "make_envelope",
    "new_file_id",
    "now_vn",
    "parse_timestamp",
    "sha256_hex",
    "valid_audit_anchor",
]

# --- Audit anchor (issue #15 item 4) ------------------------------------------------------------

#: Optional top-level key of a ``DongBoHoSoMC`` envelope: the counter's audit-chain head when the
#: sync pass started, ``{"MaDonVi", "MaMay", "Id", "MaBam", "ThoiDiem"}``. The provincial system
#: keeps it (the simulator does), so a later ``counter-app audit-verify --anchor #Id:MaBam`` can
#: show that the counter's trail was cut or rewritten since. Systems that do not know the key
#: ignore it; it is never part of the dossier record, so it does not make a record "changed".
AUDIT_ANCHOR_FIELD = "MocNhatKy"


def valid_audit_anchor(value: object) -> bool:
    """Whether ``value`` is a well-formed :data:`AUDIT_ANCHOR_FIELD` object."""
    if not isinstance(value, Mapping):
        return False
    entry_id, digest = value.get("Id"), value.get("MaBam")
    return (isinstance(entry_id, int) and not isinstance(entry_id, bool) and entry_id > 0
            and isinstance(digest, str) and len(digest) == 64 and all(c in "0123456789abcdef" for c in digest)
            and isinstance(value.get("MaDonVi", ""), str) and isinstance(value.get("MaMay", ""), str))


# --- Ward replica (issue #19) -----------------------------------------------------------------

#: Top-level keys of every ``/api/service`` envelope from a counter: its agency (mã định danh cơ
#: quan) and its counter id in the ward (``counter_app.db.ward.counter_id``). The province records
#: the receiving counter of a dossier from the envelope that created it, and the time of each
#: counter's last accepted push; systems that do not know the keys ignore them. They are never part
#: of the dossier record, so they never make a record "changed".
AGENCY_FIELD = "MaDonVi"
COUNTER_FIELD = "MaQuay"
#: ``TraCuuHoSo`` with ``since``: the agencies whose dossiers the caller wants (its own, plus the
#: units it supervises). A string or a list. Absent: the old behaviour, every changed dossier.
SCOPE_FIELD = "DanhSachDonVi"
#: Added by the province to every looked-up dossier: the receiving counter and agency, and the
#: dossier's version (increased by every change of its state; what an action's base refers to).
RECEIVING_COUNTER_FIELD = "MaQuayTiepNhan"
RECEIVING_AGENCY_FIELD = "MaDonViTiepNhan"
VERSION_FIELD = "PhienBan"
#: ``TraCuuHoSo`` with ``since`` and a scope: per counter of those agencies, the province's time of
#: its last accepted push — ``[{"MaQuay", "MaDonVi", "LanDayCuoi"}]``.
COUNTERS_FIELD = "DanhSachQuay"
#: A ``CapNhatTienDoHoSoMC`` item carrying it is an **action** on the dossier (returning the
#: result, recording a supplement, an apology), not just a log line: the province applies it only
#: when its base is the dossier's current ``PhienBan`` — the first counter to arrive wins; a later
#: one based on an older version is refused with :attr:`ErrorCode.STALE_VERSION` and the reply
#: carries the province's current view of the dossier in ``HoSo``.
BASE_VERSION_FIELD = "PhienBanGoc"
#: ``TraCuuHoSo`` with a scope, sent by a counter whose outbox is empty after its push: the
#: province then holds all of its data as of now, and records that as its last push (a quiet
#: counter is not shown as stale just because it received nothing).
QUEUE_EMPTY_FIELD = "DaGuiHet"


# --- Endpoints -------------------------------------------------------------------------------

LOGIN_PATH = "/api/auth/login"
SERVICE_PATH = "/api/service"
FILES_PATH = "/api/files"
# Read-only views of the simulator (tests, demos); never part of the real provincial system.
ADMIN_DOSSIERS_PATH = "/admin/dossiers"
ADMIN_FILES_PATH = "/admin/files"
ADMIN_STATS_PATH = "/admin/stats"


def file_path(file_id: str) -> str:
    """Path for uploading (PUT) or downloading (GET) one file."""
    return f"{FILES_PATH}/{file_id}"


def file_status_path(file_id: str) -> str:
    """Path for asking how much of a file the server holds (GET or HEAD)."""
    return f"{FILES_PATH}/{file_id}/status"


# --- Upload ----------------------------------------------------------------------------------

UPLOAD_OFFSET_HEADER = "Upload-Offset"
UPLOAD_LENGTH_HEADER = "Upload-Length"
UPLOAD_COMPLETE_HEADER = "Upload-Complete"
# 256 KiB: a cut on a slow commune line loses at most a few seconds of upload, and the per-chunk
# overhead (one request, one database commit) stays small next to the data.
DEFAULT_CHUNK_SIZE = 256 * 1024
# The server refuses larger chunks (HTTP 413) so one request never holds much memory.
MAX_CHUNK_SIZE = 16 * 1024 * 1024
# Largest JSON request body accepted (a batch of dossiers, never file bytes).
MAX_JSON_BODY = 8 * 1024 * 1024


# --- Services and error codes ----------------------------------------------------------------


class Service:
    """Service names carried in the envelope's ``service`` field."""

    SYNC_DOSSIER = "DongBoHoSoMC"  # create / update (isUpdating) dossiers
    UPDATE_PROGRESS = "CapNhatTienDoHoSoMC"  # processing steps of a dossier
    LOOKUP = "TraCuuHoSo"  # look up by MaHoSo, or everything changed since a cursor
    CATALOGUE = "LayDanhSachTTHC"  # procedure catalogue
    CATALOGUE_ALIAS = "LayThuTuc"  # older vendors' name for the same list

    ALL = frozenset({SYNC_DOSSIER, UPDATE_PROGRESS, LOOKUP, CATALOGUE, CATALOGUE_ALIAS})


class ErrorCode:
    """Values of ``error_code`` (always a string on the wire, as vendors send it)."""

    OK = "0"
    BAD_REQUEST = "1"  # body is not JSON / envelope malformed
    INVALID_FIELD = "2"  # a dossier or progress field is missing or malformed
    ALREADY_EXISTS = "-3"  # "Hồ sơ ... đã tồn tại": send again with isUpdating = true
    ALREADY_EXISTS_ALT = "3"  # some vendors send the positive code; treat both the same
    FILE_MISSING = "4"  # a referenced file is not (fully) uploaded and verified
    NOT_FOUND = "5"  # dossier unknown (update / progress for a MaHoSo never created)
    UNKNOWN_SERVICE = "6"
    CONFLICT = "7"  # same progress id sent twice with different content
    STALE_VERSION = "8"  # an action based on PhienBanGoc older than the dossier's PhienBan (issue #19)
    UNAUTHORIZED = "401"  # bad credentials, or session expired (see ``reason``)
    FILE_NOT_FOUND = "404"
    FILE_CONFLICT = "409"  # offset mismatch / same file id with other size or hash
    TOO_LARGE = "413"
    CHECKSUM_MISMATCH = "422"  # SHA-256 of the completed upload differs; partial data discarded
    SERVER_ERROR = "500"


# ``reason`` accompanying HTTP 401, so a client can tell "log in again" from "wrong password".
REASON_SESSION_EXPIRED = "session_expired"
REASON_BAD_CREDENTIALS = "bad_credentials"
REASON_UNAUTHENTICATED = "unauthenticated"

MSG_BAD_CREDENTIALS = "Sai tên đăng nhập hoặc mật khẩu"
MSG_SESSION_EXPIRED = "Phiên đăng nhập hết hạn"

# --- Dossier field values (DOMAIN §4) --------------------------------------------------------

STATUS_RECEIVED = 2  # Được tiếp nhận
STATUS_PROCESSING = 4  # Đang xử lý
STATUS_SUPPLEMENT = 5  # Yêu cầu bổ sung giấy tờ
STATUS_DONE = 9  # Đã xử lý xong
STATUS_RETURNED = 10  # Đã trả kết quả
VALID_STATUSES = frozenset(range(1, 11))  # TrangThaiHoSo 1..10
VALID_CHANNELS = frozenset({1, 2, 3})  # KenhThucHien: trực tiếp, trực tuyến, bưu chính
VALID_SUBJECT_TYPES = frozenset({1, 2, 3, 4})  # LoaiDoiTuong
VALID_RETURN_MODES = frozenset({0, 1})  # HinhThuc: at the counter, by post
DOSSIER_DATE_FIELDS = ("NgayTiepNhan", "NgayHenTra", "NgayTra", "NgayKetThucXuLy", "NgayTuChoi", "NgayNopHoSo")

# --- Dates -----------------------------------------------------------------------------------

DATE_FORMAT = COMPACT_TS  # yyyyMMddHHmmss (counter_app.timefmt; DOMAIN §4)


def _vn_timezone() -> _dt.tzinfo:
    # Vietnam has kept UTC+7 without daylight saving since 1975, so a fixed offset is exact for
    # every date the app handles; it also works on Windows where tzdata may be missing.
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Asia/Ho_Chi_Minh")
    except Exception:  # zoneinfo raises several types when no tz database is installed
        return _dt.timezone(_dt.timedelta(hours=7), "Asia/Ho_Chi_Minh")


VN_TZ = _vn_timezone()


def now_vn() -> _dt.datetime:
    """The current time in Asia/Ho_Chi_Minh, to the second."""
    return _dt.datetime.now(VN_TZ).replace(microsecond=0)


def format_timestamp(moment: _dt.datetime) -> str:
    """``yyyyMMddHHmmss`` in Asia/Ho_Chi_Minh; naive datetimes are taken as already local."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(VN_TZ)
    return moment.strftime(DATE_FORMAT)


def parse_timestamp(text: str) -> _dt.datetime:
    """Parse ``yyyyMMddHHmmss`` into an aware datetime; raises ``ValueError`` when malformed."""
    if len(text) != 14 or not text.isdigit():
        raise ValueError(f"not a yyyyMMddHHmmss timestamp: {text!r}")
    return _dt.datetime.strptime(text, DATE_FORMAT).replace(tzinfo=VN_TZ)


def is_valid_timestamp(text: object) -> bool:
    """True when ``text`` is a string in ``yyyyMMddHHmmss`` naming a real moment."""
    if not isinstance(text, str):
        return False
    try:
        parse_timestamp(text)
    except ValueError:
        return False
    return True


# --- Helpers ---------------------------------------------------------------------------------


def sha256_hex(data: bytes) -> str:
    """Lower-case hexadecimal SHA-256, as sent in upload offers."""
    return hashlib.sha256(data).hexdigest()


def canonical_json(value: Any) -> str:
    """Key-sorted compact UTF-8 JSON: equal content gives equal text, whatever the key order."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def content_sha256(value: Any) -> str:
    """SHA-256 of :func:`canonical_json`; the simulator reports it as ``received_sha256``."""
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


def new_file_id() -> str:
    """A fresh client-side file id; generated once per file and kept across retries."""
    return str(uuid.uuid4())


def make_envelope(service: str, data: Sequence[Any] | None = None, *, is_updating: bool = False,
                  **extra: Any) -> dict[str, Any]:
    """Build the JSON envelope of ``POST /api/service``."""
    envelope: dict[str, Any] = {"service": service, "isUpdating": is_updating, "data": list(data or [])}
    envelope.update(extra)
    return envelope


def is_already_exists(error_code: str, message: str = "") -> bool:
    """True for the vendors' "đã tồn tại" answer ("3" or "-3", or the phrase in the message)."""
    # NFC: some vendors' messages arrive decomposed (NFD), which would not match the literal.
    return (error_code in (ErrorCode.ALREADY_EXISTS, ErrorCode.ALREADY_EXISTS_ALT)
            or "đã tồn tại" in unicodedata.normalize("NFC", message))


@dataclass(frozen=True)
class LoginReply:
    """Answer of a successful login. ``expires_in`` is in seconds."""

    token: str
    expires_in: int

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> LoginReply:
        """Read the reply body; raises ``KeyError``/``ValueError`` if it is not a success."""
        if str(body.get("error_code")) != ErrorCode.OK:
            raise ValueError(f"login failed: {body.get('message', '')}")
        return cls(token=str(body["token"]), expires_in=int(body["expires_in"]))

    def __repr__(self) -> str:  # never print the token, even in a traceback
        return f"LoginReply(token=<hidden>, expires_in={self.expires_in})"


@dataclass(frozen=True)
class ServiceReply:
    """Answer of ``POST /api/service``; ``raw`` keeps service-specific keys (cursor, results…)."""

    error_code: str
    message: str = ""
    data: list[Any] = field(default_factory=list)
    raw: Mapping[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when the server accepted the call."""
        return self.error_code == ErrorCode.OK

    @property
    def already_exists(self) -> bool:
        """True for "đã tồn tại": the dossier is there; update it instead."""
        return is_already_exists(self.error_code, self.message)

    @property
    def cursor(self) -> int | None:
        """``TraCuuHoSo`` with ``since``: the value to send as the next ``since``."""
        value = self.raw.get("cursor")
        return int(value) if value is not None else None

    @property
    def has_more(self) -> bool:
        """``TraCuuHoSo`` with ``since``: more changes wait; ask again with :attr:`cursor`."""
        return bool(self.raw.get("has_more", False))

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> ServiceReply:
        """Read a reply body (the server always sends ``error_code`` as a string)."""
        data = body.get("data")
        return cls(error_code=str(body.get("error_code", "")), message=str(body.get("message", "")),
                   data=list(data) if isinstance(data, list) else [], raw=dict(body))


@dataclass(frozen=True)
class UploadStatus:
    """How much of a file the server holds. ``offset == size`` and ``complete`` once verified."""

    file_id: str
    offset: int
    size: int
    sha256: str
    complete: bool

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> UploadStatus:
        """Read the JSON of ``POST /api/files``, ``PUT``, or ``.../status``."""
        return cls(file_id=str(body.get("file_id", "")), offset=int(body.get("offset", 0)),
                   size=int(body.get("size", 0)), sha256=str(body.get("sha256", "")),
                   complete=bool(body.get("complete", False)))

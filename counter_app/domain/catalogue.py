"""Procedure catalogue (danh mục thủ tục hành chính): data model, validation and import.

Glossary (the English words are loose; the Vietnamese ones are the meaning):

* procedure = thủ tục hành chính (TTHC), identified by its national code in the Cơ sở dữ liệu quốc gia
  về TTHC, e.g. ``1.001193`` Đăng ký khai sinh;
* component = thành phần hồ sơ; ``originals`` = số bản chính, ``copies`` = số bản sao;
  ``show_only`` = giấy tờ chỉ xuất trình để đối chiếu, không nộp lại, so never digitised
  (Thông tư 03/2025/TT-VPCP Điều 5);
* fee = phí (``kind="phi"``) or lệ phí (``kind="le_phi"``); ``set_by_province`` marks amounts each
  provincial council (HĐND tỉnh) sets itself, so the shipped amount is only a typical value.

Two import formats are supported. Both report bad rows as :class:`RowError` (Vietnamese message saying
what is wrong and how to fix it) and still import every good row.

JSON (the shipped ``resources/catalogue/procedures_xa.json``)::

    {"schema": 1, "version": "...", "generated": "...", "procedures": [ {<Procedure fields>}, ... ]}

Each procedure object uses the dataclass field names; ``cutoff_time`` is ``"HH:MM"``; ``components``
and ``fees`` are lists of objects with the :class:`Component` / :class:`Fee` field names. The row number
in errors is the 1-based position in ``procedures``.

CSV (for an administrator working in Excel): UTF-8 (a BOM is tolerated, Excel writes one), comma or
semicolon separated (detected from the header line), one row per procedure, header names equal to the
dataclass field names. Columns:

    code, name, field_code, field_name, processing_days, processing_hours, cutoff_time,
    processing_text, online_level, online_only, result_name, legal_basis, source,
    components, fees                                   (required)
    level, confidence, keywords, popularity, extended_days, note, time_unit   (optional)

* numbers may use a decimal comma (``0,5``); empty = none;
* booleans: ``1/0``, ``true/false``, ``có/không``, ``x``/empty;
* ``keywords``: separated by ``;``;
* ``components``: one component per line inside the cell (Alt+Enter in Excel) or items joined by
  ``||``; fields inside an item separated by ``|``::

      code | name | originals | copies | required | show_only [| note]

  e.g. ``TP01 | Tờ khai đăng ký khai sinh | 1 | 0 | 1 | 0`` then on the next line
  ``TP02 | Xuất trình CCCD | 1 | 0 | 1 | 1``;
* ``fees``: same encoding, ``code | name | kind | amount | online_amount | set_by_province [| note
  [| pricing]]`` with ``online_amount`` empty when it equals ``amount``; ``amount`` empty = not
  entered yet (allowed only when ``set_by_province`` is 1); ``pricing`` ``per_page`` for chứng thực;
* ``time_unit`` (optional): ``working_days`` (default) or ``calendar_days``.

``|`` was chosen because Vietnamese procedure texts use ``;`` and ``,`` freely but never ``|``; a
name or note that contains ``|`` or a line break cannot be written to CSV (use JSON for it).
The row number in CSV errors is the spreadsheet line (header = line 1) so the officer can find it;
for a row whose cells span several lines it is the row's last line.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import logging
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from counter_app.errors import ValidationError
from counter_app.textnorm import nfc

__all__ = [
    "CONFIDENCE_LEVELS",
    "CSV_COLUMNS",
    "FEE_KINDS",
    "ONLINE_LEVELS",
    "PRICINGS",
    "SCHEMA_VERSION",
    "TIME_UNITS",
    "Component",
    "Fee",
    "FeeCharge",
    "ImportResult",
    "Procedure",
    "RowError",
    "charges",
    "default_catalogue_path",
    "fee_charged",
    "is_national_code",
    "known_total",
    "load_catalogue",
    "load_catalogue_csv",
    "load_default_catalogue",
    "missing_fee_amounts",
    "parse_catalogue_csv_text",
    "parse_catalogue_json_text",
    "procedure_from_dict",
    "procedure_to_csv_row",
    "procedure_to_dict",
    "total_if_known",
    "write_catalogue_csv",
]

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
ONLINE_LEVELS: tuple[str, ...] = ("toan_trinh", "mot_phan", "khong")
FEE_KINDS: tuple[str, ...] = ("phi", "le_phi")
PRICINGS: tuple[str, ...] = ("flat", "per_page")
# Unit of processing_days: most announcements say "ngày làm việc"; some laws say "ngày" — calendar
# days (Luật Đất đai 2024 Điều 235 khoản 2 mediation, Luật Khiếu nại 2011 Điều 28, Luật Tố cáo
# 2018 Điều 30: "không quá 30 ngày"), whose last day, if a day off, moves to the next working day
# (Bộ luật Dân sự 2015 Điều 148 khoản 5).
TIME_UNITS: tuple[str, ...] = ("working_days", "calendar_days")
# Thông tư 226/2016/TT-BTC Điều 4 khoản 2 (phí chứng thực bản sao từ bản chính): 2.000 đ/trang for
# the first two pages, 1.000 đ/trang from the third, at most 200.000 đ per copy (bản).
PER_PAGE_FULL_PAGES = 2
PER_PAGE_LATER = 1_000
PER_PAGE_CAP = 200_000
CONFIDENCE_LEVELS: tuple[str, ...] = ("high", "medium", "low")

# Size limits: a real commune catalogue is < 2,000 procedures and < 5 MB; anything far beyond is a
# wrong file (a database dump, a binary renamed .json) and must be refused before parsing it.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_PROCEDURES = 20_000
MAX_NAME_CHARS = 1_000  # the longest real TTHC names are ~600 characters (land procedures)
MAX_TEXT_CHARS = 20_000  # processing_text, legal_basis, source, notes
MAX_CODE_CHARS = 40
MAX_ITEMS = 200  # components or fees per procedure
MAX_COUNT = 100  # originals / copies per component
MAX_AMOUNT = 1_000_000_000  # VND; no commune fee comes near a billion
MAX_DAYS = 3_650.0
MAX_HOURS = 10_000.0

# National codes are digits and dots ("1.001193", "2.000815"). Provinces sometimes publish local
# procedures with their own codes ("BNI-HT-01", "T-HPG-286470"), so those are accepted too; the
# search ranks and the sync layer can tell them apart with is_national_code().
_NATIONAL_CODE_RE = re.compile(r"^\d{1,2}\.\d{3,6}$")
_CODE_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]*$")
_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})$")
_CSV_ITEM_SEP_RE = re.compile(r"\r\n|\n|\r|\|\|")
_CSV_FIELD_SEP = "|"

_TRUE = {"1", "true", "yes", "y", "x", "có", "co", "đúng", "dung", "c"}
_FALSE = {"0", "false", "no", "n", "", "không", "khong", "k", "sai"}


@dataclass(frozen=True)
class Component:
    """Thành phần hồ sơ: one paper or file the applicant brings."""

    code: str  # stable within the procedure, e.g. "TP01"
    name: str
    originals: int  # bản chính
    copies: int  # bản sao
    required: bool
    show_only: bool  # only shown, not kept -> never digitised (TT 03/2025 Đ5)
    note: str = ""


@dataclass(frozen=True)
class Fee:
    """Phí or lệ phí of a procedure, in VND.

    ``amount`` None means *nobody has entered it yet*: a fee the provincial council (HĐND tỉnh)
    sets by resolution is not known to the shipped catalogue, and an unknown amount is never
    "0 đồng" (issue #16 row 1) — forms print a blank to fill and sync leaves ``Gia`` out.

    ``pricing`` is ``"flat"`` (one amount per dossier) or ``"per_page"``: the chứng thực fee of
    Thông tư 226/2016/TT-BTC Điều 4 khoản 2 — ``amount`` per page for the first two pages of the
    original, ``PER_PAGE_LATER`` from the third, at most ``PER_PAGE_CAP`` per copy (bản) — charged
    from the pages × copies entered at reception (:func:`fee_charged`).
    """

    code: str
    name: str
    kind: str  # "phi" | "le_phi"
    amount: int | None  # VND, paper filing; None = not entered yet (set_by_province only)
    online_amount: int | None  # VND when filed online (None = same as amount)
    set_by_province: bool  # many hộ tịch fees are set by each provincial council
    note: str = ""
    pricing: str = "flat"  # "flat" | "per_page" (chứng thực, TT 226/2016)

    @property
    def entered(self) -> bool:
        """False while the amount is unknown (set by the province and not entered)."""
        return self.amount is not None

    def amount_for(self, online: bool) -> int | None:
        """The unit amount for a paper (``online=False``) or online filing; None if not entered."""
        if online and self.online_amount is not None:
            return self.online_amount
        return self.amount


@dataclass(frozen=True)
class Procedure:
    """One administrative procedure as the counter needs it (contract: docs/ARCHITECTURE.md)."""

    code: str  # national procedure code, e.g. "1.001193"
    name: str
    field_code: str
    field_name: str
    processing_days: float | None  # working days
    processing_hours: float | None  # working hours (e.g. chứng thực)
    cutoff_time: datetime.time | None  # e.g. 15:00 rule
    processing_text: str  # as written in the announcement
    components: tuple[Component, ...]
    fees: tuple[Fee, ...]
    online_level: str  # "toan_trinh" | "mot_phan" | "khong"
    online_only: bool
    result_name: str
    legal_basis: str
    source: str  # where this entry comes from
    level: str = "xa"
    # --- additions (all defaulted, so the contract above stays valid) ---
    confidence: str = "high"  # how sure the catalogue is about code/fees/time: high | medium | low
    keywords: tuple[str, ...] = ()  # extra search words, e.g. colloquial names ("làm giấy khai sinh")
    popularity: int = 0  # higher = more frequent at a commune counter; breaks search ties
    extended_days: float | None = None  # longer limit the law allows when verification is needed
    note: str = ""
    time_unit: str = "working_days"  # unit of processing_days: working_days | calendar_days

    @property
    def is_national(self) -> bool:
        """True when ``code`` has the national digits-and-dots format."""
        return is_national_code(self.code)


@dataclass(frozen=True)
class RowError:
    """A row that could not be imported. ``row`` is a JSON index (1-based) or a CSV line number."""

    row: int | str
    code: str | None
    message: str

    def __str__(self) -> str:
        where = f"Dòng {self.row}" if isinstance(self.row, int) else str(self.row)
        what = f" (mã {self.code})" if self.code else ""
        return f"{where}{what}: {self.message}"


@dataclass
class ImportResult:
    """What an import produced: the good procedures and one error per rejected row (or file)."""

    procedures: list[Procedure] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing was rejected."""
        return not self.errors


def is_national_code(code: str) -> bool:
    """True for a code in the national format, e.g. ``"1.001193"``."""
    return bool(_NATIONAL_CODE_RE.match(code))


# --------------------------------------------------------------------------------------------------
# Validation of one procedure given as a mapping (shared by JSON and CSV)
# --------------------------------------------------------------------------------------------------


class _Problems:
    """Collects every problem of one row so the officer can fix them all in one pass."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, message: str) -> None:
        self.items.append(message)

    def __bool__(self) -> bool:
        return bool(self.items)

    def text(self) -> str:
        return "; ".join(self.items)


def _text(value: Any, label: str, problems: _Problems, *, required: bool, limit: int) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.add(f"{label} phải là chuỗi ký tự")
            return ""
        value = str(value)
    if len(value) > limit:
        # Checked before normalising: a 100k-character cell must not cost an NFC pass per check.
        problems.add(f"{label} dài {len(value):,} ký tự, vượt giới hạn {limit:,}; hãy rút gọn")
        return ""
    value = nfc(value)
    if required and not value:
        problems.add(f"thiếu {label}; hãy nhập {label}")
    return value


def _number(value: Any, label: str, problems: _Problems, *, limit: float) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        problems.add(f"{label} phải là số, không phải đúng/sai")
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip().replace(",", "."))
        except ValueError:
            problems.add(f"{label} “{value[:40]}” không phải là số; hãy nhập số, ví dụ 3 hoặc 0,5")
            return None
    if not isinstance(value, int | float) or not math.isfinite(value):
        problems.add(f"{label} phải là số hữu hạn")
        return None
    if value <= 0:
        problems.add(f"{label} phải lớn hơn 0 (để trống nếu không áp dụng)")
        return None
    if value > limit:
        problems.add(f"{label} = {value:g} quá lớn (tối đa {limit:g}); hãy kiểm tra lại đơn vị")
        return None
    return float(value)


def _integer(
    value: Any, label: str, problems: _Problems, *, limit: int, allow_none: bool = False
) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if allow_none:
            return None
        problems.add(f"thiếu {label}; hãy nhập số nguyên (0 nếu không có)")
        return None
    if isinstance(value, bool):
        problems.add(f"{label} phải là số nguyên, không phải đúng/sai")
        return None
    if isinstance(value, str):
        # Tolerate Vietnamese thousand separators typed by hand: "50.000" or "50,000" VND.
        cleaned = value.strip().replace(".", "").replace(",", "").replace(" ", "")
        if not re.fullmatch(r"-?\d{1,12}", cleaned):
            problems.add(f"{label} “{value[:40]}” không phải số nguyên; hãy nhập ví dụ 50000")
            return None
        value = int(cleaned)
    if isinstance(value, float):
        if not value.is_integer():
            problems.add(f"{label} = {value} phải là số nguyên")
            return None
        value = int(value)
    if not isinstance(value, int):
        problems.add(f"{label} phải là số nguyên")
        return None
    if value < 0:
        problems.add(f"{label} = {value} không được âm")
        return None
    if value > limit:
        problems.add(f"{label} = {value:,} quá lớn (tối đa {limit:,})")
        return None
    return value


def _boolean(value: Any, label: str, problems: _Problems, *, default: bool | None = None) -> bool:
    if isinstance(value, bool):
        return value
    if value is None and default is not None:
        return default
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        key = value.strip().casefold()
        if not key and default is not None:
            return default
        if key in _TRUE:
            return True
        if key in _FALSE:
            return False
    problems.add(f"{label} “{str(value)[:20]}” không hợp lệ; hãy nhập 1 (có) hoặc 0 (không)")
    return False


def _code(value: Any, label: str, problems: _Problems) -> str:
    code = _text(value, label, problems, required=True, limit=MAX_CODE_CHARS)
    if code and not _CODE_RE.match(code):
        problems.add(
            f"{label} “{code}” sai định dạng; mã quốc gia gồm chữ số và dấu chấm (ví dụ 1.001193), "
            "mã riêng của tỉnh chỉ gồm chữ, số, dấu chấm, gạch ngang"
        )
    return code


def _cutoff(value: Any, problems: _Problems) -> datetime.time | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.time):
        return value
    if not isinstance(value, str):
        problems.add("giờ chốt (cutoff_time) phải có dạng GIỜ:PHÚT, ví dụ 15:00")
        return None
    match = _TIME_RE.match(value.strip())
    if match is None:
        problems.add(f"giờ chốt “{value[:20]}” sai định dạng; hãy nhập GIỜ:PHÚT, ví dụ 15:00")
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        problems.add(f"giờ chốt “{value}” không có thật; giờ 0–23, phút 0–59, ví dụ 15:00")
        return None
    return datetime.time(hour, minute)


def _components(raw: Any, problems: _Problems) -> tuple[Component, ...]:
    if raw is None:
        raw = []
    if not isinstance(raw, list | tuple):
        problems.add("thành phần hồ sơ (components) phải là một danh sách")
        return ()
    if len(raw) > MAX_ITEMS:
        problems.add(f"có {len(raw)} thành phần hồ sơ, vượt giới hạn {MAX_ITEMS}")
        return ()
    result: list[Component] = []
    seen: set[str] = set()
    for index, item in enumerate(raw, start=1):
        label = f"thành phần thứ {index}"
        if isinstance(item, Component):
            item = _component_dict(item)
        if not isinstance(item, Mapping):
            problems.add(f"{label} phải là một đối tượng có code, name, originals, copies…")
            continue
        local = _Problems()
        code = _text(item.get("code"), f"mã {label}", local, required=True, limit=MAX_CODE_CHARS)
        name = _text(item.get("name"), f"tên {label}", local, required=True, limit=MAX_NAME_CHARS)
        originals = _integer(item.get("originals", 0), f"số bản chính của {label}", local, limit=MAX_COUNT)
        copies = _integer(item.get("copies", 0), f"số bản sao của {label}", local, limit=MAX_COUNT)
        required = _boolean(item.get("required"), f"“bắt buộc” của {label}", local, default=True)
        show_only = _boolean(item.get("show_only"), f"“chỉ xuất trình” của {label}", local, default=False)
        note = _text(item.get("note"), f"ghi chú của {label}", local, required=False, limit=MAX_TEXT_CHARS)
        if code and code in seen:
            local.add(f"mã thành phần “{code}” bị trùng; mỗi thành phần cần một mã riêng")
        seen.add(code)
        if local:
            problems.items.extend(local.items)
            continue
        assert originals is not None and copies is not None  # guaranteed by `local` being empty
        result.append(Component(code, name, originals, copies, required, show_only, note))
    return tuple(result)


def _fees(raw: Any, problems: _Problems) -> tuple[Fee, ...]:
    if raw is None:
        raw = []
    if not isinstance(raw, list | tuple):
        problems.add("phí, lệ phí (fees) phải là một danh sách")
        return ()
    if len(raw) > MAX_ITEMS:
        problems.add(f"có {len(raw)} khoản phí, vượt giới hạn {MAX_ITEMS}")
        return ()
    result: list[Fee] = []
    for index, item in enumerate(raw, start=1):
        label = f"khoản phí thứ {index}"
        if isinstance(item, Fee):
            item = _fee_dict(item)
        if not isinstance(item, Mapping):
            problems.add(f"{label} phải là một đối tượng có code, name, kind, amount…")
            continue
        local = _Problems()
        code = _text(item.get("code"), f"mã {label}", local, required=True, limit=MAX_CODE_CHARS)
        name = _text(item.get("name"), f"tên {label}", local, required=True, limit=MAX_NAME_CHARS)
        kind = _text(item.get("kind"), f"loại của {label}", local, required=True, limit=20)
        if kind and kind not in FEE_KINDS:
            local.add(f"loại “{kind}” của {label} không hợp lệ; chỉ nhận “phi” hoặc “le_phi”")
        by_province = _boolean(
            item.get("set_by_province"), f"“do tỉnh quy định” của {label}", local, default=False
        )
        # Empty = not entered yet, which only a fee the province sets may be (it is filled in by
        # the admin from the council's resolution); any other fee must state its amount.
        amount = _integer(item.get("amount"), f"mức thu của {label}", local, limit=MAX_AMOUNT,
                          allow_none=by_province)
        pricing = _text(item.get("pricing") or "flat", f"cách tính của {label}", local, required=False,
                        limit=20) or "flat"
        if pricing not in PRICINGS:
            local.add(f"cách tính “{pricing}” của {label} không hợp lệ; chỉ nhận flat hoặc per_page")
        online = _integer(
            item.get("online_amount"), f"mức thu trực tuyến của {label}", local, limit=MAX_AMOUNT,
            allow_none=True,
        )
        note = _text(item.get("note"), f"ghi chú của {label}", local, required=False, limit=MAX_TEXT_CHARS)
        if local:
            problems.items.extend(local.items)
            continue
        result.append(Fee(code, name, kind, amount, online, by_province, note, pricing))
    return tuple(result)


def _keywords(raw: Any, problems: _Problems) -> tuple[str, ...]:
    if raw is None or raw == "":
        return ()
    if isinstance(raw, str):
        raw = raw.split(";")
    if not isinstance(raw, list | tuple) or not all(isinstance(k, str) for k in raw):
        problems.add("từ khóa (keywords) phải là danh sách chuỗi hoặc các từ cách nhau bởi “;”")
        return ()
    if len(raw) > MAX_ITEMS or sum(len(k) for k in raw) > MAX_TEXT_CHARS:
        problems.add("danh sách từ khóa quá dài")
        return ()
    return tuple(k for k in (nfc(k) for k in raw) if k)


def _parse_procedure(data: Any) -> tuple[Procedure | None, str | None, _Problems]:
    """Validate one mapping. Returns (procedure or None, code if readable, problems)."""
    problems = _Problems()
    if not isinstance(data, Mapping):
        problems.add("mỗi thủ tục phải là một đối tượng JSON {…}")
        return None, None, problems
    code = _code(data.get("code"), "mã thủ tục", problems)
    name = _text(data.get("name"), "tên thủ tục", problems, required=True, limit=MAX_NAME_CHARS)
    field_code = _text(data.get("field_code"), "mã lĩnh vực", problems, required=True, limit=MAX_CODE_CHARS)
    field_name = _text(data.get("field_name"), "tên lĩnh vực", problems, required=True, limit=MAX_NAME_CHARS)
    before = len(problems.items)
    days = _number(data.get("processing_days"), "số ngày giải quyết", problems, limit=MAX_DAYS)
    hours = _number(data.get("processing_hours"), "số giờ giải quyết", problems, limit=MAX_HOURS)
    # Only say "missing" when neither value was given at all (a wrong value is reported above).
    if days is None and hours is None and len(problems.items) == before:
        problems.add(
            "thiếu thời hạn giải quyết; hãy nhập số ngày làm việc (processing_days) "
            "hoặc số giờ làm việc (processing_hours)"
        )
    cutoff = _cutoff(data.get("cutoff_time"), problems)
    processing_text = _text(
        data.get("processing_text"), "thời hạn ghi trong quyết định công bố", problems,
        required=False, limit=MAX_TEXT_CHARS,
    )
    components = _components(data.get("components"), problems)
    fees = _fees(data.get("fees"), problems)
    online_level = _text(data.get("online_level"), "mức độ dịch vụ công trực tuyến", problems,
                         required=True, limit=20)
    if online_level and online_level not in ONLINE_LEVELS:
        problems.add(
            f"mức độ trực tuyến “{online_level[:30]}” không hợp lệ; "
            "chỉ nhận toan_trinh, mot_phan hoặc khong"
        )
    online_only = _boolean(data.get("online_only"), "“chỉ nộp trực tuyến”", problems, default=False)
    if online_only and online_level == "khong":
        problems.add("thủ tục “chỉ nộp trực tuyến” không thể có mức trực tuyến “khong”")
    result_name = _text(data.get("result_name"), "tên kết quả", problems, required=False, limit=MAX_TEXT_CHARS)
    legal_basis = _text(data.get("legal_basis"), "căn cứ pháp lý", problems, required=False,
                        limit=MAX_TEXT_CHARS)
    source = _text(data.get("source"), "nguồn", problems, required=False, limit=MAX_TEXT_CHARS)
    level = _text(data.get("level", "xa"), "cấp thực hiện", problems, required=False, limit=20) or "xa"
    confidence = _text(data.get("confidence", "high"), "độ tin cậy", problems, required=False,
                       limit=20) or "high"
    if confidence not in CONFIDENCE_LEVELS:
        problems.add(f"độ tin cậy “{confidence[:20]}” không hợp lệ; chỉ nhận high, medium hoặc low")
    keywords = _keywords(data.get("keywords"), problems)
    popularity = _integer(data.get("popularity", 0), "độ phổ biến", problems, limit=1_000_000,
                          allow_none=True) or 0
    extended = _number(data.get("extended_days"), "số ngày khi phải xác minh", problems, limit=MAX_DAYS)
    note = _text(data.get("note"), "ghi chú", problems, required=False, limit=MAX_TEXT_CHARS)
    time_unit = _text(data.get("time_unit") or "working_days", "đơn vị thời hạn", problems, required=False,
                      limit=20) or "working_days"
    if time_unit not in TIME_UNITS:
        problems.add(f"đơn vị thời hạn “{time_unit[:20]}” không hợp lệ; chỉ nhận working_days (ngày làm việc) "
                     "hoặc calendar_days (ngày theo lịch)")
    elif time_unit == "calendar_days" and days is None:
        problems.add("thời hạn tính theo ngày lịch cần số ngày (processing_days)")
    if problems:
        return None, code or None, problems
    procedure = Procedure(
        code=code, name=name, field_code=field_code, field_name=field_name,
        processing_days=days, processing_hours=hours, cutoff_time=cutoff,
        processing_text=processing_text, components=components, fees=fees,
        online_level=online_level, online_only=online_only, result_name=result_name,
        legal_basis=legal_basis, source=source, level=level, confidence=confidence,
        keywords=keywords, popularity=popularity, extended_days=extended, note=note, time_unit=time_unit,
    )
    return procedure, code, problems


def procedure_from_dict(data: Mapping[str, Any]) -> Procedure:
    """Build a validated :class:`Procedure` from a JSON-style mapping.

    Raises :class:`~counter_app.errors.ValidationError` listing every problem found.
    """
    procedure, code, problems = _parse_procedure(data)
    if procedure is None:
        where = f"Thủ tục {code}" if code else "Thủ tục"
        raise ValidationError(f"{where} không hợp lệ: {problems.text()}",
                              hint="Sửa các mục trên trong danh mục rồi nhập lại.")
    return procedure


def _component_dict(c: Component) -> dict[str, Any]:
    return {"code": c.code, "name": c.name, "originals": c.originals, "copies": c.copies,
            "required": c.required, "show_only": c.show_only, "note": c.note}


def _fee_dict(f: Fee) -> dict[str, Any]:
    return {"code": f.code, "name": f.name, "kind": f.kind, "amount": f.amount,
            "online_amount": f.online_amount, "set_by_province": f.set_by_province, "note": f.note,
            "pricing": f.pricing}


def procedure_to_dict(p: Procedure) -> dict[str, Any]:
    """JSON-ready dict of ``p``; ``procedure_from_dict(procedure_to_dict(p)) == p``."""
    return {
        "code": p.code,
        "name": p.name,
        "field_code": p.field_code,
        "field_name": p.field_name,
        "processing_days": p.processing_days,
        "processing_hours": p.processing_hours,
        "cutoff_time": p.cutoff_time.strftime("%H:%M") if p.cutoff_time else None,
        "processing_text": p.processing_text,
        "components": [_component_dict(c) for c in p.components],
        "fees": [_fee_dict(f) for f in p.fees],
        "online_level": p.online_level,
        "online_only": p.online_only,
        "result_name": p.result_name,
        "legal_basis": p.legal_basis,
        "source": p.source,
        "level": p.level,
        "confidence": p.confidence,
        "keywords": list(p.keywords),
        "popularity": p.popularity,
        "extended_days": p.extended_days,
        "note": p.note,
        "time_unit": p.time_unit,
    }


# --------------------------------------------------------------------------------------------------
# Whole-file import
# --------------------------------------------------------------------------------------------------


def _collect(rows: Iterable[tuple[int | str, Any]]) -> ImportResult:
    """Validate rows in order; a code already seen is reported on the later row and skipped."""
    result = ImportResult()
    first_row: dict[str, int | str] = {}
    for row, data in rows:
        procedure, code, problems = _parse_procedure(data)
        if procedure is None:
            result.errors.append(RowError(row, code, problems.text() + "."))
            continue
        if procedure.code in first_row:
            result.errors.append(RowError(
                row, procedure.code,
                f"mã thủ tục {procedure.code} bị trùng với dòng {first_row[procedure.code]}; "
                "dòng này bị bỏ qua — hãy xóa một trong hai hoặc sửa mã.",
            ))
            continue
        first_row[procedure.code] = row
        result.procedures.append(procedure)
    return result


def _file_error(message: str) -> ImportResult:
    return ImportResult([], [RowError("Tệp", None, message)])


def _read_text(path: str | Path) -> tuple[str | None, ImportResult | None]:
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        return None, _file_error(f"Không đọc được tệp {p.name}: {exc.strerror or exc}. "
                                 "Hãy kiểm tra đường dẫn và quyền truy cập.")
    if size > MAX_FILE_BYTES:
        return None, _file_error(
            f"Tệp {p.name} nặng {size / 1_048_576:.1f} MB, vượt giới hạn "
            f"{MAX_FILE_BYTES // 1_048_576} MB của một danh mục thủ tục; có thể đã chọn nhầm tệp."
        )
    try:
        raw = p.read_bytes()
    except OSError as exc:
        return None, _file_error(f"Không đọc được tệp {p.name}: {exc.strerror or exc}.")
    try:
        # utf-8-sig strips the BOM Excel writes; anything else (cp1258, UTF-16) is refused clearly.
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        return None, _file_error(
            f"Tệp {p.name} không phải mã UTF-8. Trong Excel hãy chọn “Lưu thành… CSV UTF-8 "
            "(phân tách bằng dấu phẩy)”."
        )


def parse_catalogue_json_text(text: str) -> ImportResult:
    """Import a catalogue from JSON text (see the module docstring for the format)."""
    if len(text) > MAX_FILE_BYTES:
        return _file_error(f"Nội dung danh mục vượt giới hạn {MAX_FILE_BYTES // 1_048_576} MB.")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return _file_error(
            f"Tệp JSON bị lỗi cú pháp ở dòng {exc.lineno}, cột {exc.colno}: {exc.msg}. "
            "Hãy mở bằng trình soạn thảo và sửa (thường do thiếu dấu phẩy hoặc ngoặc)."
        )
    except RecursionError:
        return _file_error("Tệp JSON lồng nhau quá sâu; đây không phải tệp danh mục thủ tục.")
    if isinstance(data, list):
        procedures = data  # tolerate a bare list of procedures
    elif isinstance(data, dict):
        schema = data.get("schema", SCHEMA_VERSION)
        if schema != SCHEMA_VERSION:
            return _file_error(
                f"Tệp dùng phiên bản định dạng {schema!r}, phần mềm này đọc phiên bản {SCHEMA_VERSION}. "
                "Hãy cập nhật phần mềm hoặc xuất lại danh mục."
            )
        procedures = data.get("procedures")
        if not isinstance(procedures, list):
            return _file_error("Tệp JSON thiếu danh sách “procedures”.")
    else:
        return _file_error("Tệp JSON phải là một đối tượng có khóa “procedures”.")
    if len(procedures) > MAX_PROCEDURES:
        return _file_error(f"Tệp có {len(procedures):,} thủ tục, vượt giới hạn {MAX_PROCEDURES:,}.")
    return _collect((index, item) for index, item in enumerate(procedures, start=1))


def load_catalogue(path: str | Path) -> ImportResult:
    """Import a JSON catalogue file. Never raises for bad content: problems go into ``errors``."""
    text, failure = _read_text(path)
    if failure is not None:
        return failure
    assert text is not None
    result = parse_catalogue_json_text(text)
    log.info("catalogue %s: %d procedures, %d errors", Path(path).name,
             len(result.procedures), len(result.errors))
    return result


# --------------------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------------------

CSV_COLUMNS: tuple[str, ...] = (
    "code", "name", "field_code", "field_name", "processing_days", "processing_hours", "cutoff_time",
    "processing_text", "online_level", "online_only", "result_name", "legal_basis", "source",
    "components", "fees", "level", "confidence", "keywords", "popularity", "extended_days", "note",
    "time_unit",
)
_CSV_REQUIRED = CSV_COLUMNS[:15]
_COMPONENT_KEYS = ("code", "name", "originals", "copies", "required", "show_only", "note")
_FEE_KEYS = ("code", "name", "kind", "amount", "online_amount", "set_by_province", "note", "pricing")
_MIN_FIELDS = {"thành phần": len(_COMPONENT_KEYS) - 1, "khoản phí": 6}


def _split_items(cell: str, keys: tuple[str, ...], label: str, problems: _Problems) -> list[dict[str, str]]:
    items: list[dict[str, str]] = []
    if not cell.strip():
        return items
    chunks = [c for c in _CSV_ITEM_SEP_RE.split(cell) if c.strip()]
    for index, chunk in enumerate(chunks, start=1):
        parts = [p.strip() for p in chunk.split(_CSV_FIELD_SEP)]
        least = _MIN_FIELDS.get(label, len(keys) - 1)
        if len(parts) < least or len(parts) > len(keys):
            problems.add(
                f"{label} thứ {index} có {len(parts)} mục, cần từ {least} đến {len(keys)} "
                f"({' | '.join(keys)}); mỗi {label} một dòng trong ô hoặc cách nhau bởi “||”"
            )
            continue
        items.append(dict(zip(keys, parts, strict=False)))
    return items


def _csv_row_to_dict(row: dict[str, str], problems: _Problems) -> dict[str, Any]:
    data: dict[str, Any] = {k: (v if v is not None else "") for k, v in row.items() if k in CSV_COLUMNS}
    data["components"] = _split_items(data.get("components", ""), _COMPONENT_KEYS, "thành phần", problems)
    data["fees"] = _split_items(data.get("fees", ""), _FEE_KEYS, "khoản phí", problems)
    for key in ("level", "confidence", "popularity", "extended_days", "note", "keywords", "time_unit"):
        if data.get(key, "") == "":
            data.pop(key, None)
    return data


def parse_catalogue_csv_text(text: str) -> ImportResult:
    """Import a catalogue from CSV text (format in the module docstring)."""
    if len(text) > MAX_FILE_BYTES:
        return _file_error(f"Nội dung danh mục vượt giới hạn {MAX_FILE_BYTES // 1_048_576} MB.")
    text = text.removeprefix("\ufeff")
    first_line = text.split("\n", 1)[0]
    # Excel in a Vietnamese locale writes ";" because "," is the decimal separator there.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    # Cells may legitimately be long (legal_basis); the default 128 kB limit is enough for one cell,
    # and csv raises csv.Error beyond it, which is reported below rather than crashing.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        return _file_error(f"Không đọc được dòng tiêu đề CSV: {exc}.")
    if not header:
        return _file_error("Tệp CSV trống; dòng đầu phải là tiêu đề cột (code, name, …).")
    header = [nfc(h).casefold() for h in header]
    missing = [c for c in _CSV_REQUIRED if c not in header]
    if missing:
        return _file_error(
            f"Tệp CSV thiếu cột: {', '.join(missing)}. Dòng đầu phải chứa đúng tên cột: "
            f"{', '.join(CSV_COLUMNS)}."
        )
    rows: list[tuple[int | str, Any]] = []
    pre_errors: list[RowError] = []
    count = 0
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue  # blank lines Excel leaves at the end
            count += 1
            if count > MAX_PROCEDURES:
                return _file_error(f"Tệp có hơn {MAX_PROCEDURES:,} dòng, vượt giới hạn của một danh mục.")
            if len(cells) > len(header):
                pre_errors.append(RowError(line, nfc(cells[0])[:MAX_CODE_CHARS] or None,
                                           f"dòng có {len(cells)} ô nhưng tiêu đề chỉ có {len(header)} cột; "
                                           "có thể một ô chứa dấu phân cách chưa được đặt trong ngoặc kép."))
                continue
            row = dict(zip(header, cells, strict=False))
            problems = _Problems()
            data = _csv_row_to_dict(row, problems)
            if problems:
                code = nfc(row.get("code", ""))[:MAX_CODE_CHARS] or None
                pre_errors.append(RowError(line, code, problems.text() + "."))
                continue
            rows.append((line, data))
    except csv.Error as exc:
        pre_errors.append(RowError(reader.line_num, None,
                                   f"lỗi định dạng CSV: {exc}; phần còn lại của tệp không được đọc."))
    result = _collect(rows)
    errors = sorted(pre_errors + result.errors, key=lambda e: e.row if isinstance(e.row, int) else 0)
    return ImportResult(result.procedures, errors)


def load_catalogue_csv(path: str | Path) -> ImportResult:
    """Import a CSV catalogue file (UTF-8, BOM tolerated). Never raises for bad content."""
    text, failure = _read_text(path)
    if failure is not None:
        return failure
    assert text is not None
    return parse_catalogue_csv_text(text)


def _fmt_number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def _csv_item(fields: list[str], procedure: Procedure) -> str:
    for text in fields:
        if _CSV_FIELD_SEP in text or _CSV_ITEM_SEP_RE.search(text):
            raise ValidationError(
                f"Thủ tục {procedure.code}: “{text[:60]}” chứa ký tự “|” hoặc xuống dòng nên không ghi được "
                "vào CSV.",
                hint="Sửa nội dung đó hoặc xuất danh mục dạng JSON.",
            )
    return " | ".join(fields)


def procedure_to_csv_row(p: Procedure) -> dict[str, str]:
    """One CSV row (column name -> cell) in the format :func:`load_catalogue_csv` reads.

    Raises :class:`~counter_app.errors.ValidationError` if a component or fee text contains ``|``
    or a line break, which the CSV encoding cannot hold.
    """
    components = "\n".join(
        _csv_item([c.code, c.name, str(c.originals), str(c.copies), str(int(c.required)),
                   str(int(c.show_only)), c.note], p)
        for c in p.components
    )
    fees = "\n".join(
        _csv_item([f.code, f.name, f.kind, "" if f.amount is None else str(f.amount),
                   "" if f.online_amount is None else str(f.online_amount),
                   str(int(f.set_by_province)), f.note, *([f.pricing] if f.pricing != "flat" else [])], p)
        for f in p.fees
    )
    return {
        "code": p.code, "name": p.name, "field_code": p.field_code, "field_name": p.field_name,
        "processing_days": _fmt_number(p.processing_days),
        "processing_hours": _fmt_number(p.processing_hours),
        "cutoff_time": p.cutoff_time.strftime("%H:%M") if p.cutoff_time else "",
        "processing_text": p.processing_text, "online_level": p.online_level,
        "online_only": str(int(p.online_only)), "result_name": p.result_name,
        "legal_basis": p.legal_basis, "source": p.source, "components": components, "fees": fees,
        "level": p.level, "confidence": p.confidence, "keywords": ";".join(p.keywords),
        "popularity": str(p.popularity), "extended_days": _fmt_number(p.extended_days), "note": p.note,
        "time_unit": p.time_unit,
    }


def write_catalogue_csv(procedures: Iterable[Procedure], path: str | Path) -> None:
    """Write ``procedures`` as a CSV an administrator can edit in Excel (UTF-8 with BOM)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(CSV_COLUMNS), lineterminator="\r\n")
    writer.writeheader()
    for p in procedures:
        writer.writerow(procedure_to_csv_row(p))
    # The BOM makes Excel open the file as UTF-8 instead of the ANSI code page.
    Path(path).write_text(buffer.getvalue(), encoding="utf-8-sig", newline="")


# --------------------------------------------------------------------------------------------------
# Shipped catalogue
# --------------------------------------------------------------------------------------------------


def default_catalogue_path() -> Path:
    """Path of the catalogue shipped with the app (``resources/catalogue/procedures_xa.json``)."""
    return Path(__file__).resolve().parents[2] / "resources" / "catalogue" / "procedures_xa.json"


def load_default_catalogue() -> list[Procedure]:
    """Load the shipped catalogue; any error in it is a packaging bug, so this raises."""
    path = default_catalogue_path()
    result = load_catalogue(path)
    if result.errors:
        details = "\n".join(str(e) for e in result.errors[:10])
        raise ValidationError(
            f"Danh mục thủ tục kèm theo phần mềm bị lỗi ({len(result.errors)} lỗi):\n{details}",
            hint="Hãy cài lại phần mềm hoặc báo cho bộ phận kỹ thuật.",
        )
    return result.procedures


# --------------------------------------------------------------------------------------------------
# Fees: amount charged, and what the admin still has to enter
# --------------------------------------------------------------------------------------------------


def fee_charged(fee: Fee, *, online: bool = False, pages: int | None = None, copies: int = 1) -> int | None:
    """The amount to collect for ``fee`` (VND), or None while its amount is not entered.

    A ``per_page`` fee (chứng thực, Thông tư 226/2016/TT-BTC Điều 4 khoản 2) is charged per page
    of the original: the unit amount for each of the first two pages, ``PER_PAGE_LATER`` from the
    third, capped at ``PER_PAGE_CAP`` per copy, times the number of copies. Without ``pages`` the
    amount cannot be known and None is returned (the receipt then leaves it blank to fill).
    """
    unit = fee.amount_for(online)
    if unit is None:
        return None
    if fee.pricing != "per_page":
        return unit
    if pages is None or pages < 1:
        return None
    copies = max(1, int(copies))
    full = min(pages, PER_PAGE_FULL_PAGES) * unit
    later = max(0, pages - PER_PAGE_FULL_PAGES) * min(unit, PER_PAGE_LATER)
    return min(full + later, PER_PAGE_CAP) * copies


@dataclass(frozen=True)
class FeeCharge:
    """One fee as charged for one dossier: what reception freezes in ``dossier_fees``."""

    fee: Fee
    unit_amount: int | None  # the channel's unit amount (:meth:`Fee.amount_for`); None = not entered
    pages: int | None        # per-page fees only: pages of the original entered at reception
    copies: int | None       # per-page fees only: copies (bản) to certify
    amount: int | None       # to collect (:func:`fee_charged`); None = unknown, never 0 đồng


def charges(fees: Iterable[Fee], *, online: bool, pages: int | None = None, copies: int = 1) -> list[FeeCharge]:
    """The one fee rule for a dossier: each fee's unit amount for the channel and the amount charged.

    Reception's snapshot, the demo data and the reception screen's preview all call this, so an
    online filing is charged its online amount everywhere (the screen once ignored it).
    """
    out = []
    for fee in fees:
        per_page = fee.pricing == "per_page"
        out.append(FeeCharge(fee, fee.amount_for(online), pages if per_page else None,
                             copies if per_page else None,
                             fee_charged(fee, online=online, pages=pages, copies=copies)))
    return out


def known_total(items: Iterable[FeeCharge]) -> int:
    """Sum of the amounts known (an unknown amount adds nothing; the forms show it as unknown)."""
    return sum(c.amount or 0 for c in items)


def total_if_known(items: Iterable[FeeCharge]) -> int | None:
    """Sum of the amounts, or None when any amount is unknown (a screen must not show a partial total)."""
    amounts = [c.amount for c in items]
    return None if any(a is None for a in amounts) else sum(a or 0 for a in amounts)


def missing_fee_amounts(procedures: Iterable[Procedure]) -> list[tuple[Procedure, Fee]]:
    """Fees whose amount nobody has entered (set by the province), for the admin's to-do list."""
    return [(p, f) for p in procedures for f in p.fees if not f.entered]

"""The admin's catalogue screens: the province's fee amounts and the national field codes (issue #16 rows 1, 9).

Two things the law leaves to the province and the starter catalogue cannot know:

* **Fee amounts** the provincial council (HĐND tỉnh) sets — lệ phí hộ tịch, đăng ký hộ kinh
  doanh… (Luật Phí và lệ phí 2015; Thông tư 85/2019/TT-BTC). Until entered they print blank and
  sync without ``Gia``; once entered, dossiers received *from then on* use them (a received
  dossier keeps its fee snapshot).
* **National field codes** (``MaLinhVuc``): the app's short codes (HT, CT…) mapped to the codes
  of the national procedure database the province's system expects; unmapped fields are sent
  empty and flagged before sync.

Each change is validated (clear Vietnamese messages), allowed to an admin only, and written with
its audit entry (action ``settings``) in one transaction. Qt-free: the UI in
:mod:`counter_app.ui.catalogue_admin` calls these on the database worker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from counter_app.db import audit
from counter_app.db import catalogue as cat
from counter_app.db.database import CounterDB
from counter_app.errors import ValidationError
from counter_app.sync import mapping
from counter_app.textnorm import nfc
from counter_app.vnformat import money

__all__ = [
    "MAX_FEE_AMOUNT",
    "FeeRow",
    "FieldRow",
    "fee_list",
    "field_list",
    "format_dong",
    "parse_amount",
    "save_fee",
    "save_field_code",
    "validate_national_code",
]

#: Upper bound that catches a typo (an extra 000) rather than a real fee: commune-level fees are
#: in the thousands to hundreds of thousands of đồng (Thông tư 85/2019, 226/2016, 75/2022).
MAX_FEE_AMOUNT = 100_000_000

# Digits grouped by thousands with "." (Vietnamese), "," or spaces, or plain digits; an optional
# "đ"/"đồng"/"VND" after. Anything else (decimals, minus, letters) is refused with a message.
_AMOUNT = re.compile(r"^(\d{1,3}(?:([., \u00a0])\d{3})(?:\2\d{3})*|\d+)\s*(?:đ|đồng|vnđ|vnd)?$", re.IGNORECASE)

# National field codes as the provincial systems exchange them: letters, digits and the separators
# "." "-" "_" (no spaces, no Vietnamese letters), at most 30 characters.
_NATIONAL_CODE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,29})$")

_KIND_LABEL = {"phi": "Phí", "le_phi": "Lệ phí"}


@dataclass(frozen=True)
class FeeRow:
    """One fee of one procedure as the admin's screen shows it."""

    procedure_code: str
    procedure_name: str
    code: str
    name: str
    kind: str
    amount: int | None           # None = not entered yet (never shown or sent as 0)
    online_amount: int | None    # None = same as at the counter
    set_by_province: bool
    per_page: bool

    @property
    def kind_label(self) -> str:
        """«Phí» or «Lệ phí»."""
        return _KIND_LABEL.get(self.kind, self.kind)


@dataclass(frozen=True)
class FieldRow:
    """One of the app's field codes and its national code."""

    app_code: str
    name: str
    national_code: str | None
    origin: str                  # "admin" (entered here) | "shipped" (verified public source) | "" (unmapped)
    source: str                  # where a shipped code comes from; "" otherwise
    waiting: int                 # dossiers waiting to be sent with this field


def format_dong(amount: int | None) -> str:
    """``12000`` → ``"12.000 đồng"``; None → ``"chưa nhập"`` (:func:`counter_app.vnformat.money`)."""
    return money(amount)


def parse_amount(text: str, label: str = "Mức thu", *, blank_ok: bool = False) -> int | None:
    """A whole number of đồng ≥ 0 from what the admin typed ("12.000", "12000", "12 000 đ").

    Blank gives None when ``blank_ok`` (the online amount: "same as at the counter"), else an error.
    """
    raw = nfc(text or "").strip()
    if not raw:
        if blank_ok:
            return None
        raise ValidationError(f"{label}: chưa nhập số tiền.", hint="Nhập số đồng, ví dụ 8.000 (nhập 0 nếu miễn thu).")
    if raw.startswith("-"):
        raise ValidationError(f"{label}: số tiền không được âm.")
    m = _AMOUNT.match(raw)
    if not m:
        raise ValidationError(
            f"{label}: «{raw[:20]}» không phải số đồng nguyên.",
            hint="Chỉ nhập chữ số, có thể ngăn cách hàng nghìn bằng dấu chấm: 8.000; không nhập số lẻ.")
    value = int(re.sub(r"\D", "", m.group(1)))
    if value > MAX_FEE_AMOUNT:
        raise ValidationError(f"{label}: {format_dong(value)} vượt quá {format_dong(MAX_FEE_AMOUNT)} — kiểm tra lại "
                              "số chữ số 0.")
    return value


def validate_national_code(text: str, app_codes: set[str] | None = None) -> str:
    """A national field code as typed by the admin, trimmed; "" clears the mapping.

    Refused: spaces, Vietnamese letters or other signs, more than 30 characters, and the app's own
    short codes (sending HT, CT… as MaLinhVuc is the mistake row 9 of issue #16 removed).
    """
    code = nfc(text or "").strip()
    if not code:
        return ""
    if not _NATIONAL_CODE.match(code):
        raise ValidationError(
            f"Mã lĩnh vực «{code[:40]}» không hợp lệ.",
            hint="Chỉ gồm chữ không dấu, chữ số và các dấu . - _ (tối đa 30 ký tự), đúng như danh mục lĩnh vực "
                 "của hệ thống tỉnh hoặc Cơ sở dữ liệu quốc gia về TTHC.")
    if app_codes and code.upper() in {c.upper() for c in app_codes}:
        raise ValidationError(
            f"«{code}» là mã ngắn của ứng dụng, không phải mã lĩnh vực quốc gia.",
            hint="Nhập mã lĩnh vực theo danh mục của hệ thống tỉnh (LayDanhMucLinhVuc) hoặc csdl.dichvucong.gov.vn.")
    return code


def _require_admin(cdb: CounterDB, user_id: int | None) -> None:
    role = cdb.scalar("SELECT role FROM users WHERE id = ? AND active = 1", (user_id,)) if user_id else None
    if role != "admin":
        raise ValidationError("Chỉ quản trị viên được sửa danh mục phí, lệ phí và mã lĩnh vực.")


# ------------------------------------------------------------------------------------------ fees
def fee_list(cdb: CounterDB) -> list[FeeRow]:
    """All fees of the active procedures, those not entered yet first."""
    return [FeeRow(r["procedure_code"], r["procedure_name"], r["code"], r["name"], r["kind"],
                   int(r["amount"]) if r["entered"] else None, r["online_amount"],
                   bool(r["set_by_province"]), r["pricing"] == "per_page")
            for r in cat.fee_rows(cdb)]


def save_fee(cdb: CounterDB, user_id: int | None, procedure_code: str, fee_code: str,
             amount_text: str, online_text: str = "") -> FeeRow:
    """Validate and store a fee amount (and the online amount, blank = the same); audited.

    Returns the stored row. Dossiers already received keep the fee they were received with.
    """
    amount = parse_amount(amount_text, "Mức thu")
    online = parse_amount(online_text, "Mức thu khi nộp trực tuyến", blank_ok=True)
    if amount is not None and online is not None and online > amount:
        raise ValidationError("Mức thu khi nộp trực tuyến không được cao hơn mức thu tại quầy.",
                              hint="Để trống nếu nộp trực tuyến thu như tại quầy.")
    with cdb.write():
        _require_admin(cdb, user_id)
        before = next((f for f in fee_list(cdb) if (f.procedure_code, f.code) == (procedure_code, fee_code)), None)
        if before is None:
            raise ValidationError(f"Không tìm thấy khoản thu {fee_code} của thủ tục {procedure_code}.",
                                  hint="Danh mục có thể vừa được nhập lại; mở lại màn hình.")
        cat.set_fee_amount(cdb, procedure_code, fee_code, int(amount or 0), online)
        audit.append(cdb, user_id, "settings", "fee", f"{procedure_code}/{fee_code}",
                     {"what": "fee_amount", "before": before.amount, "after": amount,
                      "online_before": before.online_amount, "online_after": online})
        after = next(f for f in fee_list(cdb) if (f.procedure_code, f.code) == (procedure_code, fee_code))
    return after


# ------------------------------------------------------------------------------------ field codes
def field_list(cdb: CounterDB) -> list[FieldRow]:
    """The app's field codes (shipped table and the catalogue in use) with their national codes."""
    shipped = {e["app_code"]: e for e in mapping.shipped_field_entries()}
    admin = {str(k): str(v) for k, v in (cdb.get_setting(mapping.FIELD_CODE_SETTING) or {}).items() if v}
    names: dict[str, str] = {code: str(e.get("name") or "") for code, e in shipped.items()}
    for r in cdb.query("SELECT DISTINCT field_code, field_name FROM procedures WHERE active = 1 AND field_code != ''"):
        names.setdefault(r["field_code"], r["field_name"])
    waiting = {r["field_code"]: int(r["dossiers"]) for r in mapping.unmapped_field_codes(cdb)}
    rows = []
    for code in sorted(names):
        entry: dict[str, Any] = shipped.get(code, {})
        if code in admin:
            national, origin, source = admin[code], "admin", ""
        elif entry.get("national_code"):
            national, origin, source = str(entry["national_code"]), "shipped", str(entry.get("source") or "")
        else:
            national, origin, source = None, "", ""
        rows.append(FieldRow(code, names[code], national, origin, source, waiting.get(code, 0)))
    return rows


def save_field_code(cdb: CounterDB, user_id: int | None, app_code: str, national_text: str) -> FieldRow:
    """Validate and store the national code of one field ("" removes the admin's entry); audited."""
    with cdb.write():
        _require_admin(cdb, user_id)
        rows = {r.app_code: r for r in field_list(cdb)}
        if app_code not in rows:
            raise ValidationError(f"Không có lĩnh vực mã «{app_code}» trong danh mục.")
        code = validate_national_code(national_text, set(rows))
        before = rows[app_code]
        mapping.set_national_field_code(cdb, app_code, code)
        audit.append(cdb, user_id, "settings", "field_code", app_code,
                     {"what": "national_field_code", "before": before.national_code if before.origin == "admin"
                      else None, "after": code or None})
        after = next(r for r in field_list(cdb) if r.app_code == app_code)
    return after

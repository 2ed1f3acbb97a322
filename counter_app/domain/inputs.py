"""What an officer may type into a field that ends up on a printed form (issue #14).

Two things went wrong at the counter: an emoji in a name printed "??" on Mẫu 01 (Liberation Serif,
the forms' font, has no glyph for it), and a 780-character address pushed each receipt copy onto a
second A5 page. So every free-text field of the reception is, at input time:

* NFC-normalised, with invisible characters (zero-width, BOM, soft hyphen, controls) removed and
  runs of white space (tabs and line breaks from a paste) collapsed to one space;
* bounded in length (:data:`LIMITS`, chosen so the longest values still keep each receipt copy on
  one A5 page — ``tests/ui/test_reception_safety.py`` renders one);
* checked against the characters the forms' font can draw; anything else is refused with a
  Vietnamese message that names the character, never silently replaced.

It also recognises the CCCD QR text a keyboard-wedge scanner types into whatever field has focus
(DOMAIN §5: ``12 digits|old ID|name|ddMMyyyy|gender|address|ddMMyyyy``).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass

from counter_app.errors import ValidationError
from counter_app.textnorm import nfc

__all__ = ["COMPONENT_STATES", "LIMITS", "FieldLimit", "clean_text", "component_complete", "component_states",
           "ends_with_whole_qr",
           "printable_chars", "split_scanned_qr"]


@dataclass(frozen=True)
class FieldLimit:
    """A field's name as the officer sees it and its longest allowed value (characters, after NFC)."""

    label: str
    max_len: int


#: Lengths: the longest Vietnamese full names seen at counters run to ~45 characters, so 50; an
#: address with house, lane, street, residential group, commune and province fits in 150, and a
#: 150-character address keeps each copy of Mẫu 01 on one A5 page with a 50-character name (the
#: signature block shrinks a long name to one line, documents/_layout.signature_block; tested in
#: tests/documents/test_forms.py with the longest allowed name and address);
#: phone numbers with a country prefix and separators fit in 20; email 100; a refusal reason of 500
#: characters still fits Mẫu 03 on one page.
LIMITS: dict[str, FieldLimit] = {
    "full_name": FieldLimit("Họ và tên", 50),
    "address": FieldLimit("Địa chỉ", 150),
    "phone": FieldLimit("Điện thoại", 20),
    "email": FieldLimit("Email", 100),
    "reason": FieldLimit("Lý do", 500),
    "id_number": FieldLimit("Số định danh", 12),
}

# Format characters (Cf: zero-width joiner/space, BOM, soft hyphen…) and controls (Cc) print as
# nothing or as boxes; a paste from a web page or a PDF brings them along unseen.
_INVISIBLE = frozenset({"Cf", "Cc"})
_SPACES = re.compile(r"\s+")
_PHONE = re.compile(r"\+?[0-9][0-9 .()\-]*")
# A CCCD QR: 12 digits, a bar, then at least one more bar (newer cards may change the later
# fields, DOMAIN §5: the parser checks them; recognising the shape needs no more than this).
_QR_START = re.compile(r"\d{12}\|[^|\r\n]*\|")
# The whole of today's card QR (DOMAIN §5: seven fields, dates as ddMMyyyy): only this shape is read
# without the scanner's Enter (some scanners are set up without one).
_QR_WHOLE = re.compile(r"\d{12}\|[^|]*\|[^|]+\|\d{8}\|[^|]*\|[^|]*\|\d{8}\s*$")


@functools.cache
def printable_chars() -> frozenset[int]:
    """Code points the printed forms' font (Liberation Serif) can draw, read from the font itself."""
    from counter_app.documents._fonts import register_fonts

    return register_fonts()


def clean_text(field: str, text: str, printable: Collection[int] | None = None) -> str:
    """Normalise ``text`` for ``field`` (a key of :data:`LIMITS`) or raise a clear :class:`ValidationError`."""
    limit = LIMITS[field]
    text = nfc(text)
    text = "".join(" " if ch in "\t\r\n" else ch for ch in text
                   if ch in "\t\r\n" or unicodedata.category(ch) not in _INVISIBLE)
    text = _SPACES.sub(" ", text).strip()
    if len(text) > limit.max_len:
        raise ValidationError(
            f"«{limit.label}» dài {len(text)} ký tự, quá giới hạn {limit.max_len} ký tự.",
            hint="Rút gọn nội dung (ví dụ viết tắt «Phường», «Tổ dân phố»): phiếu in phải vừa một trang A5.")
    if field == "phone" and text:
        _check_phone(text, limit)
    glyphs = printable_chars() if printable is None else printable
    bad = sorted({ch for ch in text if ord(ch) not in glyphs and ch != " "})
    if bad:
        shown = " ".join(f"«{ch}»" for ch in bad[:5])
        raise ValidationError(
            f"«{limit.label}» có ký tự không in được trên biểu mẫu: {shown}.",
            hint="Xóa ký tự đó (biểu tượng cảm xúc, ký hiệu đặc biệt) và gõ lại bằng chữ tiếng Việt.")
    return text


def _check_phone(text: str, limit: FieldLimit) -> None:
    """Digits with the usual separators; 8–15 digits (a landline with its area code … E.164's maximum)."""
    if not _PHONE.fullmatch(text):
        raise ValidationError(f"«{limit.label}» chỉ gồm chữ số (có thể có +, dấu cách, dấu chấm, gạch ngang).",
                              hint="Ví dụ: 0912 345 678 hoặc +84 912 345 678.")
    digits = sum(ch.isdigit() for ch in text)
    if not 8 <= digits <= 15:
        raise ValidationError(f"«{limit.label}» có {digits} chữ số — số điện thoại có từ 8 đến 15 chữ số.",
                              hint="Kiểm tra lại: có thể số đã bị gõ hai lần.")


def ends_with_whole_qr(text: str) -> bool:
    """Whether ``text`` ends with a complete seven-field CCCD QR (read even without a final Enter)."""
    found = split_scanned_qr(text)
    return found is not None and _QR_WHOLE.fullmatch(found[1]) is not None


def split_scanned_qr(text: str) -> tuple[str, str] | None:
    """Find CCCD QR text a scanner typed into a field: ``(what was there before, the QR text)``.

    ``None`` when the text holds no QR. A scanner types into whatever has focus, after anything the
    officer had typed there, so the QR may follow other text (``"khai sinh001090012345|…"``).
    """
    m = _QR_START.search(text)
    if m is None:
        return None
    return text[:m.start()], text[m.start():].strip()


# ------------------------------------------------------------------ checklist (thành phần hồ sơ)
#: What the officer can mark a component as. ``na`` ("không áp dụng") is never stored: an optional
#: paper that does not apply to this dossier gets no row at all (``db.dossiers.receive``).
COMPONENT_STATES = ("received", "missing", "shown", "na")


def component_states(required: bool, show_only: bool) -> tuple[str, ...]:
    """The marks that make sense for a component, the default first (issue #14).

    * A paper that must be handed in and kept (``required``, not ``show_only``): received or missing.
      «Chỉ xuất trình» is not offered: Nghị định 61/2018 Điều 17 / Nghị định 118/2025 make the counter
      keep (and digitise) what the procedure lists as submitted; seeing it is not receiving it.
    * A paper only shown for comparison (``show_only``, TT 03/2025 Điều 5): shown or missing.
    * An optional paper ("nếu có", "khi nộp thay"): «không áp dụng» by default, so it is never
      printed as "chưa nộp" on Mẫu 01 nor asked for on Mẫu 02 unless the officer marks it missing.
    """
    base = ("shown", "missing") if show_only else ("received", "missing")
    return base if required else ("na", base[0], "missing")


def component_complete(required: bool, show_only: bool, state: str) -> bool:
    """Whether a component's mark lets the dossier be accepted (a required paper must be there)."""
    if not required:
        return True
    return state == ("shown" if show_only else "received") or (show_only and state == "received")

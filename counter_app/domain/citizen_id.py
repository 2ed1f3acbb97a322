"""Citizen identity: the 12-digit personal ID number and the QR code on the chip ID card.

Glossary: *CCCD* (căn cước công dân) / *thẻ căn cước* = chip ID card, whose number is the 12-digit
*số định danh cá nhân*; *CMND* (chứng minh nhân dân) = the old 9-digit identity card.

Structure of the 12-digit number (Nghị định 137/2015/NĐ-CP Điều 13; codes in Thông tư 59/2021/TT-BCA
Điều 7, formerly Thông tư 07/2016/TT-BCA — unchanged by Luật Căn cước 2023 as far as we know):

* digits 1–3: province (or country) where the birth was registered, 001–096;
* digit 4: century of birth and gender — 0/1 = 1900s male/female, 2/3 = 2000s, 4/5 = 2100s,
  6/7 = 2200s, 8/9 = 2300s; even = male, odd = female;
* digits 5–6: last two digits of the year of birth;
* digits 7–12: random.

The QR text is ``SốCCCD|SốCMNDcũ|Họ và tên|ddMMyyyy|Nam/Nữ|Địa chỉ thường trú|ddMMyyyy``, typed
into the focused field by a keyboard-wedge scanner. ID numbers are personal data: log lines
carry only :func:`mask_id`, and error messages never repeat the full number.
"""

from __future__ import annotations

import csv
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from counter_app.domain.timezone import LOCAL_TZ
from counter_app.errors import ValidationError
from counter_app.textnorm import fold, nfc

__all__ = [
    "PROVINCE_CODES_FILE",
    "CitizenCard",
    "InvalidCitizenId",
    "birth_province_name",
    "mask_id",
    "parse_cccd_qr",
    "validate_id_number",
    "validate_old_id_number",
]

log = logging.getLogger(__name__)

PROVINCE_CODES_FILE = (
    Path(__file__).resolve().parents[2] / "resources" / "reference" / "citizen-id-birth-province-codes.csv"
)

_QR_FIELDS = 7
# A real card has 7 fields; scanners may append empty ones and newer cards may append more data.
# Anything longer than this is not an ID card QR at all.
_MAX_QR_FIELDS = 16
_DIGITS_12 = re.compile(r"[0-9]{12}")
_DIGITS_9 = re.compile(r"[0-9]{9}")
_DATE_8 = re.compile(r"[0-9]{8}")
# Separators people type inside numbers ("001 099 012345", "001.099.012345").
_NUMBER_SEPARATORS = re.compile(r"[\s.\-]")
# Invisible characters scanners and clipboards add: BOM, zero-width space/joiners, word joiner.
_INVISIBLE = re.compile("[\ufeff\u200b\u200c\u200d\u2060]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

_RESCAN_HINT = "Quét lại mã QR trên thẻ; nếu vẫn lỗi, nhập tay thông tin theo mặt thẻ."
_RETYPE_HINT = "Kiểm tra lại số trên thẻ căn cước và nhập lại."


class InvalidCitizenId(ValidationError):
    """An ID number or ID-card QR that breaks a rule; the message says what and what to do."""


@dataclass(frozen=True)
class CitizenCard:
    """Data read from the QR code of a chip ID card.

    ``issued_on`` is ``None`` only for cards entered by hand without an issue date;
    :func:`parse_cccd_qr` always fills it, because it rejects QR text without the 7th field.
    """

    id_number: str
    old_id_number: str | None
    full_name: str
    date_of_birth: date
    gender: str  # "Nam" | "Nữ"
    address: str
    issued_on: date | None


def mask_id(number: str) -> str:
    """Mask an ID number for logs and lists: ``"001099012345"`` → ``"0010******45"``.

    Keeps the first 4 and last 2 characters of numbers of 8 or more characters (enough to tell
    records apart at the counter); shorter or odd input is masked completely.
    """
    text = _NUMBER_SEPARATORS.sub("", str(number))
    if len(text) < 8:
        return "*" * len(text)
    return text[:4] + "*" * (len(text) - 6) + text[-2:]


def _today() -> date:
    return datetime.now(LOCAL_TZ).date()


def _normalise_number(number: str) -> str:
    return _NUMBER_SEPARATORS.sub("", _INVISIBLE.sub("", nfc(str(number))))


def validate_id_number(
    number: str,
    *,
    birth_date: date | None = None,
    gender: str | None = None,
    today: date | None = None,
) -> str:
    """Check a 12-digit personal ID number and return it normalised (digits only).

    Spaces, dots and hyphens typed inside the number are removed. With ``birth_date`` and/or
    ``gender`` the number is cross-checked against them (digit 4 = century and gender,
    digits 5–6 = year of birth). An unknown province code within 001–096 is accepted: codes for
    registrations after the 2025 province merger are not published.

    Raises :class:`InvalidCitizenId` with a Vietnamese message.
    """
    digits = _normalise_number(number)
    if not digits:
        raise InvalidCitizenId("Chưa nhập số định danh cá nhân (số căn cước).", hint=_RETYPE_HINT)
    if not digits.isascii() or not digits.isdigit():
        raise InvalidCitizenId(
            "Số định danh cá nhân chỉ gồm chữ số 0–9, không có chữ cái hay ký hiệu.", hint=_RETYPE_HINT
        )
    if len(digits) != 12:
        if len(digits) == 9:
            raise InvalidCitizenId(
                "Đây là số chứng minh nhân dân 9 số, không phải số định danh cá nhân 12 số.",
                hint="Nhập số in trên thẻ căn cước (12 chữ số); số CMND cũ nhập vào ô riêng.",
            )
        raise InvalidCitizenId(
            f"Số định danh cá nhân phải có đúng 12 chữ số (đang có {len(digits)}).", hint=_RETYPE_HINT
        )
    if not _DIGITS_12.fullmatch(digits):  # pragma: no cover - isascii+isdigit already ensure it
        raise InvalidCitizenId("Số định danh cá nhân không hợp lệ.", hint=_RETYPE_HINT)

    # Digits 1–3: place of birth registration, 001–096 (province codes listed in Thông tư 59/2021/TT-BCA).
    province = int(digits[:3])
    if not 1 <= province <= 96:
        raise InvalidCitizenId(
            f"Ba số đầu của số định danh ({digits[:3]}) không phải mã nơi đăng ký khai sinh (001–096).",
            hint=_RETYPE_HINT,
        )

    # Digit 4: century (pairs from 1900) and gender (even = male); digits 5–6: year of birth.
    century_gender = int(digits[3])
    coded_year = 1900 + (century_gender // 2) * 100 + int(digits[4:6])
    coded_gender = "Nam" if century_gender % 2 == 0 else "Nữ"
    if birth_date is not None:
        if coded_year // 100 != birth_date.year // 100:
            raise InvalidCitizenId(
                f"Chữ số thứ 4 của số định danh ({digits[3]}) chỉ thế kỷ sinh {coded_year // 100 * 100}–"
                f"{coded_year // 100 * 100 + 99}, không khớp năm sinh {birth_date.year}.",
                hint="Kiểm tra lại số định danh và ngày sinh trên thẻ.",
            )
        if coded_year != birth_date.year:
            raise InvalidCitizenId(
                f"Chữ số thứ 5–6 của số định danh ({digits[4:6]}) phải là hai số cuối năm sinh "
                f"({birth_date.year % 100:02d}).",
                hint="Kiểm tra lại số định danh và ngày sinh trên thẻ.",
            )
    current_year = (today or _today()).year
    if coded_year > current_year:
        raise InvalidCitizenId(
            f"Chữ số thứ 4–6 của số định danh ứng với năm sinh {coded_year}, là năm chưa tới.",
            hint=_RETYPE_HINT,
        )
    if gender is not None:
        normalised_gender = _parse_gender(gender)
        if normalised_gender != coded_gender:
            raise InvalidCitizenId(
                f"Chữ số thứ 4 của số định danh ({digits[3]}) ứng với giới tính {coded_gender}, "
                f"không khớp giới tính {normalised_gender}.",
                hint="Kiểm tra lại số định danh và giới tính trên thẻ.",
            )
    return digits


def validate_old_id_number(number: str) -> str:
    """Check an old 9-digit identity card number (CMND) and return it as digits only.

    The 9-digit CMND has no checksum or date coding, so only the form can be checked.
    """
    digits = _normalise_number(number)
    if not digits:
        raise InvalidCitizenId("Chưa nhập số chứng minh nhân dân.", hint=_RETYPE_HINT)
    if not _DIGITS_9.fullmatch(digits):
        raise InvalidCitizenId(
            "Số chứng minh nhân dân cũ phải có đúng 9 chữ số 0–9.",
            hint="Kiểm tra lại số trên chứng minh nhân dân hoặc để trống ô này.",
        )
    return digits


@lru_cache(maxsize=1)
def _province_codes() -> dict[str, str]:
    try:
        with PROVINCE_CODES_FILE.open(encoding="utf-8", newline="") as fh:
            return {row["code"].strip(): nfc(row["province"]) for row in csv.DictReader(fh)}
    except OSError:
        # The list is informative only; a missing file must not stop reception.
        log.warning("Không đọc được danh sách mã tỉnh khai sinh %s", PROVINCE_CODES_FILE)
        return {}


def birth_province_name(number: str) -> str | None:
    """Name of the (pre-2025) province coded by the first 3 digits, or ``None`` if unknown.

    Accepts a full 12-digit number or just the 3-digit code; never raises.
    """
    digits = _normalise_number(number) if isinstance(number, str) else ""
    if len(digits) not in (3, 12) or not (digits.isascii() and digits.isdigit()):
        return None
    return _province_codes().get(digits[:3])


def _parse_gender(value: str) -> str:
    # Scanners with the wrong code page may drop diacritics ("Nu"); fold() compares without them.
    key = fold(value)
    if key == "nam":
        return "Nam"
    if key == "nu":
        return "Nữ"
    raise InvalidCitizenId(
        "Giới tính trên mã QR phải là “Nam” hoặc “Nữ”.",
        hint=_RESCAN_HINT,
    )


def _parse_date(value: str, what: str) -> date:
    text = value.strip()
    if not _DATE_8.fullmatch(text):
        raise InvalidCitizenId(f"{what} trên mã QR phải có dạng ngàythángnăm (8 chữ số).", hint=_RESCAN_HINT)
    try:
        return date(int(text[4:]), int(text[2:4]), int(text[:2]))
    except ValueError:
        raise InvalidCitizenId(
            f"{what} {text[:2]}/{text[2:4]}/{text[4:]} không phải ngày có thật.", hint=_RESCAN_HINT
        ) from None


def _clean_qr_text(text: str) -> str:
    # Keyboard wedges add CR/LF/Tab at the end; clipboards add a BOM; NFD comes from some scanners.
    return nfc(_INVISIBLE.sub("", text))


def parse_cccd_qr(text: str, *, today: date | None = None) -> CitizenCard:
    """Parse the QR text of a chip ID card into a :class:`CitizenCard`.

    Tolerated: surrounding whitespace and CR/LF (scanner Enter), a BOM, NFD text, trailing empty
    fields, and extra trailing fields after the 7 known ones (newer cards; ignored, never trusted).
    Rejected with :class:`InvalidCitizenId`: fewer than 7 fields (a 6-field text is taken as a
    truncated scan — the address may be cut too — so the officer rescans), bad ID numbers,
    impossible or future dates, an issue date before birth, gender other than Nam/Nữ, and an ID
    number whose century/gender/year digits contradict the birth date or gender.
    ``today`` is for tests; default is today's date in Vietnam.
    """
    if not isinstance(text, str):
        raise InvalidCitizenId("Dữ liệu quét được không phải văn bản.", hint=_RESCAN_HINT)
    cleaned = _clean_qr_text(text)
    if not cleaned:
        raise InvalidCitizenId("Chưa có dữ liệu mã QR.", hint=_RESCAN_HINT)
    fields = [nfc(part) for part in cleaned.split("|")]
    while len(fields) > _QR_FIELDS and not fields[-1]:
        fields.pop()
    if len(fields) < _QR_FIELDS or len(fields) > _MAX_QR_FIELDS:
        raise InvalidCitizenId(
            f"Mã QR có {len(fields)} trường, mã QR thẻ căn cước có {_QR_FIELDS} trường ngăn bởi dấu “|”.",
            hint=_RESCAN_HINT,
        )
    if len(fields) > _QR_FIELDS:
        log.info("QR thẻ căn cước có %d trường thêm ở cuối; bỏ qua", len(fields) - _QR_FIELDS)
    raw_id, raw_old, raw_name, raw_birth, raw_gender, raw_address, raw_issued = fields[:_QR_FIELDS]
    if any(_CONTROL.search(field) for field in fields[:_QR_FIELDS]):
        raise InvalidCitizenId("Mã QR có ký tự điều khiển lẫn trong dữ liệu.", hint=_RESCAN_HINT)

    today = today or _today()
    full_name = " ".join(raw_name.split())
    if not full_name:
        raise InvalidCitizenId("Mã QR không có họ và tên.", hint=_RESCAN_HINT)
    if any(ch.isdigit() for ch in full_name):
        raise InvalidCitizenId("Họ và tên trên mã QR có chữ số.", hint=_RESCAN_HINT)

    date_of_birth = _parse_date(raw_birth, "Ngày sinh")
    if date_of_birth > today:
        raise InvalidCitizenId(f"Ngày sinh {date_of_birth:%d/%m/%Y} ở tương lai.", hint=_RESCAN_HINT)
    issued_on = _parse_date(raw_issued, "Ngày cấp")
    if issued_on > today:
        raise InvalidCitizenId(f"Ngày cấp {issued_on:%d/%m/%Y} ở tương lai.", hint=_RESCAN_HINT)
    if issued_on < date_of_birth:
        raise InvalidCitizenId(
            f"Ngày cấp {issued_on:%d/%m/%Y} trước ngày sinh {date_of_birth:%d/%m/%Y}.", hint=_RESCAN_HINT
        )
    gender = _parse_gender(raw_gender)
    id_number = validate_id_number(raw_id, birth_date=date_of_birth, gender=gender, today=today)

    old_id_number: str | None = None
    old = _normalise_number(raw_old)
    if old:
        # 9 digits = CMND; some people held a 12-digit CMND (issued 2012–2016) and it appears here.
        if old.isascii() and old.isdigit() and len(old) in (9, 12):
            old_id_number = old
        else:
            raise InvalidCitizenId("Số CMND cũ trên mã QR phải trống hoặc có 9 hay 12 chữ số.", hint=_RESCAN_HINT)

    log.debug("Đọc QR thẻ căn cước %s", mask_id(id_number))
    return CitizenCard(
        id_number=id_number,
        old_id_number=old_id_number,
        full_name=full_name,
        date_of_birth=date_of_birth,
        gender=gender,
        address=" ".join(raw_address.split()),
        issued_on=issued_on,
    )

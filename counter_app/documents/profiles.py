"""Regulation profiles: which form set a form is printed from (DOMAIN §1–2, docs/legal.md).

- ``nd61_2018``: the forms of Thông tư 01/2018/TT-VPCP (guiding Nghị định 61/2018/NĐ-CP):
  01 receipt, 02 supplement request, 03 refusal, 04 apology, 05 control slip, 06 register.
- ``nd118_2025``: the forms of Thông tư 03/2025/TT-VPCP Phụ lục I (guiding Nghị định
  118/2025/NĐ-CP): 01 receipt (+ phí, lệ phí), 02 supplement request, 03 refusal, 04 Văn bản xin
  lỗi và đề nghị gia hạn thời gian giải quyết, **05 Thông báo dừng giải quyết hồ sơ, 06 Phiếu
  kiểm soát, 07 Sổ theo dõi hồ sơ**.

Which set applies follows the date *the form is issued* (issue #16 row 4), not the reception date
alone: a circular's forms can only be used once it is in force. Nghị định 118/2025 took effect on
1/7/2025 (Điều 37) but its forms came with Thông tư 03/2025/TT-VPCP, in force from 15/9/2025; in
between, the counters went on using the Thông tư 01/2018 forms, which had not been replaced yet.
So a dossier received on 30/6/2025 and apologised for in October 2025 gets the 2025 letter (04),
and a receipt issued on 20/7/2025 is still the 2018 Mẫu 01. The table is in docs/legal.md.

An admin override (settings) pins one set whatever the date.
"""

from __future__ import annotations

import datetime as dt

from counter_app.documents.model import FormKind
from counter_app.errors import ValidationError

ND61_2018 = "nd61_2018"
ND118_2025 = "nd118_2025"
PROFILES = (ND61_2018, ND118_2025)

# Nghị định 118/2025/NĐ-CP Điều 37: in force from 1/7/2025 (rules of reception, e.g. no
# administrative boundary; stored per dossier by domain.lifecycle.regulation_profile).
ND118_EFFECTIVE = dt.date(2025, 7, 1)
# Thông tư 03/2025/TT-VPCP: its forms (Phụ lục I) apply from its entry into force, 15/9/2025
# (DOMAIN §1; secondary source, see docs/legal.md). Before that date the Thông tư 01/2018 forms.
TT03_2025_EFFECTIVE = dt.date(2025, 9, 15)

_FORM_SETS: dict[str, tuple[FormKind, ...]] = {
    ND61_2018: (
        FormKind.RECEIPT,
        FormKind.SUPPLEMENT_REQUEST,
        FormKind.REFUSAL,
        FormKind.APOLOGY,
        FormKind.CONTROL_SLIP,
        FormKind.REGISTER,
    ),
    ND118_2025: (
        FormKind.RECEIPT,
        FormKind.SUPPLEMENT_REQUEST,
        FormKind.REFUSAL,
        FormKind.APOLOGY,
        FormKind.STOP_NOTICE,
        FormKind.CONTROL_SLIP,
        FormKind.REGISTER,
    ),
}

# The number each form carries in its circular ("Mẫu số 05"), printed in the QR ``mau=`` and
# shown in the UI. Thông tư 03/2025 Phụ lục I inserts the stop notice as 05 and shifts the
# control slip to 06 and the register to 07.
_NUMBERS: dict[str, dict[FormKind, str]] = {
    ND61_2018: {FormKind.RECEIPT: "01", FormKind.SUPPLEMENT_REQUEST: "02", FormKind.REFUSAL: "03",
                FormKind.APOLOGY: "04", FormKind.CONTROL_SLIP: "05", FormKind.REGISTER: "06"},
    ND118_2025: {FormKind.RECEIPT: "01", FormKind.SUPPLEMENT_REQUEST: "02", FormKind.REFUSAL: "03",
                 FormKind.APOLOGY: "04", FormKind.STOP_NOTICE: "05", FormKind.CONTROL_SLIP: "06",
                 FormKind.REGISTER: "07"},
}

_CIRCULAR = {ND61_2018: "Thông tư 01/2018/TT-VPCP", ND118_2025: "Thông tư 03/2025/TT-VPCP"}


def _day(moment: dt.date) -> dt.date:
    # datetime is a subclass of date but does not compare with one; reduce to the date.
    return moment.date() if isinstance(moment, dt.datetime) else moment


def profile_for(received_at: dt.date) -> str:
    """The decree in force on the reception date (NĐ 118/2025 from 1/7/2025) — reception rules."""
    return ND118_2025 if _day(received_at) >= ND118_EFFECTIVE else ND61_2018


def form_profile_for(issued_on: dt.date) -> str:
    """The form set in force on the day a form is issued (Thông tư 03/2025 from 15/9/2025)."""
    return ND118_2025 if _day(issued_on) >= TT03_2025_EFFECTIVE else ND61_2018


def check_profile(profile: str) -> str:
    """Return ``profile`` if known, else raise :class:`ValidationError`."""
    if profile not in _FORM_SETS:
        raise ValidationError(
            f"Không có bộ biểu mẫu cho quy định “{profile}”.",
            hint="Chọn nd61_2018 hoặc nd118_2025 trong phần cài đặt.",
        )
    return profile


def forms_for_profile(profile: str) -> tuple[FormKind, ...]:
    """The forms a counter working under ``profile`` can print, in the circular's order."""
    return _FORM_SETS[check_profile(profile)]


def form_number(kind: FormKind, profile: str) -> str:
    """``"05"``: the form's number in the circular of ``profile`` (QR ``mau=``, UI labels)."""
    number = _NUMBERS[check_profile(profile)].get(FormKind(kind))
    if number is None:
        raise ValidationError(
            f"Biểu mẫu này không có trong {_CIRCULAR[profile]}.",
            hint="Thông báo dừng giải quyết hồ sơ (Mẫu 05) chỉ có từ Thông tư 03/2025/TT-VPCP (15/9/2025).",
        )
    return number


def form_label(kind: FormKind, profile: str) -> str:
    """``"Mẫu 05"`` for the UI."""
    return f"Mẫu {form_number(kind, profile)}"


def circular_of(profile: str) -> str:
    """The circular whose forms ``profile`` prints."""
    return _CIRCULAR[check_profile(profile)]

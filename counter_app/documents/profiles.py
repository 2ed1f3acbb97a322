"""Regulation profiles: which form set applies to a dossier (DOMAIN §1–2).

- ``nd61_2018``: Nghị định 61/2018/NĐ-CP with the forms of Thông tư 01/2018/TT-VPCP
  (receptions before 1/7/2025).
- ``nd118_2025``: Nghị định 118/2025/NĐ-CP with Thông tư 03/2025/TT-VPCP (from 1/7/2025):
  form 04 becomes "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết", the receipt shows
  phí/lệ phí, and "Thông báo dừng giải quyết hồ sơ" is added.

The domain layer may keep its own, richer profile logic (settings can override the choice);
this module only needs the date rule and the form set.
"""

from __future__ import annotations

import datetime as dt

from counter_app.documents.model import FormKind
from counter_app.errors import ValidationError

ND61_2018 = "nd61_2018"
ND118_2025 = "nd118_2025"
PROFILES = (ND61_2018, ND118_2025)

# Nghị định 118/2025/NĐ-CP Điều 37: in force from 1/7/2025.
ND118_EFFECTIVE = dt.date(2025, 7, 1)

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
        FormKind.CONTROL_SLIP,
        FormKind.REGISTER,
        FormKind.STOP_NOTICE,
    ),
}


def profile_for(received_at: dt.date) -> str:
    """Return the regulation profile for a reception on ``received_at`` (a date or datetime)."""
    # datetime is a subclass of date but does not compare with one; reduce to the date.
    day = received_at.date() if isinstance(received_at, dt.datetime) else received_at
    return ND118_2025 if day >= ND118_EFFECTIVE else ND61_2018


def check_profile(profile: str) -> str:
    """Return ``profile`` if known, else raise :class:`ValidationError`."""
    if profile not in _FORM_SETS:
        raise ValidationError(
            f"Không có bộ biểu mẫu cho quy định “{profile}”.",
            hint="Chọn nd61_2018 hoặc nd118_2025 trong phần cài đặt.",
        )
    return profile


def forms_for_profile(profile: str) -> tuple[FormKind, ...]:
    """The forms a counter working under ``profile`` can print."""
    return _FORM_SETS[check_profile(profile)]

"""Dossier codes: ``{agency code}-{yyMMdd}-{NNNN}`` (DOMAIN §3, e.g. ``H15.50.05.13-261008-0975``).

Why partitioned sequences: several counters of one ward may work offline on the same day, so no
central counter can hand out the next number. Each workstation is given a **slot** 0–9 at first-run
setup and numbers from its own block of the 4-digit daily sequence: slot *s* uses
``s*1000 + 1 … s*1000 + 999``. Codes of different slots can never collide, with or without network,
and a commune counter (tens to a few hundred dossiers a day per desk) never exhausts a block. The
alternative — blocks reserved from the provincial server while online — fails exactly on the day the
network is down, which is the case we must survive.
"""

from __future__ import annotations

import re
from datetime import date

from counter_app.errors import ValidationError

SLOTS = 10
BLOCK = 1000
CODE_RE = re.compile(r"^(?P<agency>[A-Za-z0-9.\-]+)-(?P<day>\d{6})-(?P<seq>\d{4})$")
AGENCY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.]{0,39}$")


class SequenceExhausted(ValidationError):
    """A workstation used all 999 numbers of its block for the day."""


def validate_agency_code(code: str) -> str:
    """Check an agency's electronic identity code (letters, digits and dots, e.g. H15.50.05.13)."""
    code = code.strip()
    if not AGENCY_RE.match(code):
        raise ValidationError(
            f"Mã định danh cơ quan «{code}» không hợp lệ.",
            hint="Nhập mã định danh điện tử của cơ quan, ví dụ H15.50.05.13 (chữ, số và dấu chấm).",
        )
    return code


def validate_slot(slot: int) -> int:
    """A workstation slot must be 0–9."""
    if not 0 <= int(slot) < SLOTS:
        raise ValidationError(
            f"Số máy tiếp nhận {slot} không hợp lệ.",
            hint="Mỗi máy tại cùng một cơ quan cần một số khác nhau từ 0 đến 9.",
        )
    return int(slot)


def slot_range(slot: int) -> tuple[int, int]:
    """First and last sequence number of a slot's daily block."""
    validate_slot(slot)
    return slot * BLOCK + 1, slot * BLOCK + BLOCK - 1


def format_code(agency_code: str, day: date, seq: int) -> str:
    """Build a dossier code."""
    if not 1 <= seq <= 9999:
        raise ValueError(f"sequence {seq} out of range")
    return f"{agency_code}-{day:%y%m%d}-{seq:04d}"


def parse_code(code: str) -> tuple[str, date, int]:
    """Split a dossier code into agency, day and sequence; raise ValidationError if malformed."""
    m = CODE_RE.match(code.strip())
    if not m:
        raise ValidationError(f"Mã hồ sơ «{code}» không đúng định dạng mã cơ quan-yyMMdd-NNNN.")
    d = m["day"]
    try:
        day = date(2000 + int(d[:2]), int(d[2:4]), int(d[4:]))
    except ValueError as exc:
        raise ValidationError(f"Mã hồ sơ «{code}» có ngày không hợp lệ.") from exc
    return m["agency"], day, int(m["seq"])

"""Text helpers for the forms: cleaning, markup escaping and Vietnamese date/number formats."""

from __future__ import annotations

import datetime as dt
import unicodedata
from xml.sax.saxutils import escape

from counter_app import vnformat
from counter_app.documents._fonts import register_fonts
from counter_app.textnorm import nfc
from counter_app.timefmt import local_naive

# A real name, address or component never comes near this; the cap keeps a corrupted or hostile
# field from producing a hundred-page "receipt".
MAX_FIELD_CHARS = 1000
# Printed where a field is empty, so the officer can fill it in by hand (as on the paper forms).
BLANK = "……………"
_REPLACEMENT = "?"

# UTC+7 all year (Vietnam has no daylight saving): aware datetimes are shown in local time.
VN_TZ = dt.timezone(dt.timedelta(hours=7), "ICT")


def clean(text: object, *, limit: int = MAX_FIELD_CHARS) -> str:
    """NFC, one line, only characters the font can draw, at most ``limit`` characters.

    Control characters become spaces; characters missing from Liberation Serif (emoji, CJK)
    become "?" instead of the empty box the PDF would otherwise show.
    """
    if text is None:
        return ""
    covered = register_fonts()
    out: list[str] = []
    for ch in nfc(str(text)):
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Zl", "Zp") or cat == "Cf":
            out.append(" ")
        elif cat == "Mn" and (not out or not out[-1].isalpha()):
            continue  # a combining mark with no letter to sit on (e.g. after a replaced emoji)
        elif ord(ch) in covered:
            out.append(ch)
        elif cat == "Mn":
            continue  # a stray combining mark the font lacks: drop it rather than print "?"
        else:
            out.append(_REPLACEMENT)
    result = " ".join("".join(out).split())
    if len(result) > limit:
        result = result[: limit - 1].rstrip() + "…"
    return result


def para(text: object, *, blank: str = BLANK, limit: int = MAX_FIELD_CHARS) -> str:
    """Clean ``text`` and escape it for reportlab Paragraph markup; empty -> ``blank``."""
    cleaned = clean(text, limit=limit)
    return escape(cleaned) if cleaned else blank


def local(moment: dt.datetime) -> dt.datetime:
    """Naive local time: aware datetimes are converted to UTC+7, naive ones taken as local."""
    return local_naive(moment)


def vn_date(day: dt.date) -> str:
    """``ngày 08 tháng 10 năm 2026`` (Nghị định 30/2020 style; :func:`counter_app.vnformat.legal_date`)."""
    return vnformat.legal_date(day)


def vn_datetime(moment: dt.datetime) -> str:
    """``14 giờ 30 phút, ngày 08 tháng 10 năm 2026``."""
    return vnformat.legal_datetime(moment)


def place_date(place: str, day: dt.date) -> str:
    """``Ba Đình, ngày 08 tháng 10 năm 2026``; an empty place prints dots to fill in."""
    return f"{clean(place) or '……'}, {vn_date(day)}"


def short_date(moment: dt.datetime | dt.date | None) -> str:
    """``08/10/2026`` (register cells); ``None`` -> empty."""
    return vnformat.date_vn(moment)


def short_time(moment: dt.datetime | None) -> str:
    """``14:30`` or empty."""
    return "" if moment is None else local(moment).strftime("%H:%M")


def money(amount: int) -> str:
    """``1.250.000 đồng`` (:func:`counter_app.vnformat.money`, the one money text)."""
    return vnformat.money(amount)


def number(value: float) -> str:
    """``5`` / ``0,5`` (decimal comma)."""
    return vnformat.number(value)


def two_digits(value: int) -> str:
    """``01`` for counts on forms ("01 bộ"), plain for 10 and above."""
    return f"{value:02d}" if 0 <= value < 10 else str(value)

"""Vietnamese number, money, date and age texts: the one module every screen, form and report uses.

Vietnamese writes ``1.250.000`` (dot between thousands) and ``0,5`` (decimal comma). Money is
written ``1.250.000 đồng``: the unit in full, as administrative documents and the fee circulars
write it (``… đồng/hồ sơ``) and as the receipts the citizen takes home already printed it. Screens
used to show ``đ`` in some places and ``đồng`` in others for the same fee; they now agree with the
paper. A fee the provincial council sets that nobody entered is *unknown*, never ``0 đồng``
(DOMAIN §3), so :func:`money` prints a placeholder for ``None``.

Qt-free and reportlab-free: the UI, the reports and the forms all import it.
"""

from __future__ import annotations

import datetime as dt

from counter_app.timefmt import local_naive

#: Printed for a fee amount nobody has entered yet.
UNKNOWN_AMOUNT = "chưa nhập"
#: Shown where a figure cannot be computed (no data, nothing to divide by).
NO_VALUE = "—"


def _swap(text: str) -> str:
    """English ``1,234.5`` → Vietnamese ``1.234,5``."""
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def number(value: float) -> str:
    """``1.250.000``, ``0,5``, ``12.345,25`` (up to 6 decimals, trailing zeros dropped)."""
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    text = f"{value:,.6f}".rstrip("0").rstrip(".")
    return _swap(text)


def money(amount: int | None, *, unknown: str = UNKNOWN_AMOUNT) -> str:
    """``1.250.000 đồng``; ``None`` (amount not entered) → ``unknown``."""
    if amount is None:
        return unknown
    return f"{number(int(amount))} đồng"


def percent(value: float | None, digits: int = 1) -> str:
    """``12,5%`` with ``digits`` decimals; ``None`` → ``—``."""
    if value is None:
        return NO_VALUE
    return _swap(f"{value:.{digits}f}") + "%"


def age_text(seconds: float | None) -> str:
    """How long something has waited: ``dưới 2 phút``, ``45 phút``, ``5 giờ``, ``3 ngày``; ``None`` → ``—``.

    Minutes up to 1½ hours and hours up to two days: a queue 70 minutes old reads «70 phút», not
    «1 giờ», while a day-old item reads in hours. Under 90 s reads «dưới 2 phút» rather than «0 phút».
    """
    if seconds is None:
        return NO_VALUE
    seconds = max(0.0, float(seconds))
    if seconds < 90:
        return "dưới 2 phút"
    if seconds < 5400:
        return f"{round(seconds / 60)} phút"
    if seconds < 2 * 86400:
        return f"{round(seconds / 3600)} giờ"
    return f"{round(seconds / 86400)} ngày"


def _as_date(value: dt.date | str) -> dt.date:
    if isinstance(value, str):  # stored text: sliced, not parsed (lists of thousands of rows)
        return dt.date(int(value[:4]), int(value[5:7]), int(value[8:10]))
    if isinstance(value, dt.datetime):
        return local_naive(value).date()
    return value


def date_vn(value: dt.date | str | None) -> str:
    """``08/10/2026`` from a date, a datetime or stored text (``2026-10-08 …``); ``None``/empty → ``""``."""
    if not value:
        return ""
    day = _as_date(value)
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def datetime_vn(value: dt.datetime | str | None, *, year: bool = True) -> str:
    """``14:30 08/10/2026`` (``year=False``: ``14:30 08/10``); stored text accepted; ``None`` → ``""``."""
    if not value:
        return ""
    if isinstance(value, str):
        hm, day = value[11:16], _as_date(value)
    else:
        moment = local_naive(value)
        hm, day = f"{moment:%H:%M}", moment.date()
    return f"{hm} {day.day:02d}/{day.month:02d}" + (f"/{day.year}" if year else "")


def _legal_day(day: int) -> str:
    # Nghị định 30/2020 Phụ lục I: days below 10 take a leading zero.
    return f"{day:02d}"


def _legal_month(month: int) -> str:
    # Nghị định 30/2020 Phụ lục I: months 1 and 2 take a leading zero (so «tháng 01» cannot become «tháng 11»).
    return f"{month:02d}" if month <= 2 else str(month)


def legal_date(value: dt.date) -> str:
    """``ngày 08 tháng 10 năm 2026`` (Nghị định 30/2020 style, for printed documents)."""
    day = _as_date(value)
    return f"ngày {_legal_day(day.day)} tháng {_legal_month(day.month)} năm {day.year}"


def legal_datetime(moment: dt.datetime) -> str:
    """``14 giờ 30 phút, ngày 08 tháng 10 năm 2026``."""
    moment = local_naive(moment)
    return f"{moment.hour:02d} giờ {moment.minute:02d} phút, {legal_date(moment.date())}"


__all__ = ["NO_VALUE", "UNKNOWN_AMOUNT", "age_text", "date_vn", "datetime_vn", "legal_date", "legal_datetime",
           "money", "number", "percent"]

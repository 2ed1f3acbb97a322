"""Working-day calendar and legal due dates (hạn trả kết quả).

Glossary: *ngày làm việc* = working day; *ngày nghỉ lễ, Tết* = public holiday; *nghỉ bù* = day off
in lieu of a holiday that fell on a weekend; *làm bù* = make-up working day (usually a Saturday)
given in exchange for an extra day off; *giờ hành chính* = office hours.

Layers, lowest first:

1. Monday–Friday are working days (Quyết định 188/1999/QĐ-TTg: 40-hour, 5-day week).
2. Public holidays from the ``holidays`` package (Bộ luật Lao động 2019 Điều 112, nghỉ bù per
   Điều 111 khoản 3, plus the Government's swaps that the package already knows, including its
   make-up Saturdays). Its Vietnamese lunar calendar is computed at UTC+7: Tết differs from the
   Chinese one in 1985, 2007, 2030 and 2053, and the package gets all of them right — checked in
   ``tests/domain/test_calendar.py`` against an independent new-moon computation for 1901–2099,
   so no correction table is needed here.
3. Overrides: extra days off (``"off"``) and make-up working days (``"work"``). The shipped
   schedule is ``resources/calendar/overrides_vn.json``; the database layer may pass an
   admin-edited table. An override always wins, also over a holiday of the package.

24/11 "Ngày Văn hóa Việt Nam": the ``holidays`` package lists it as a paid day off from 2026
(with a nghỉ bù when it falls on a weekend), but it is not law: Nghị quyết 80-NQ/TW chose the
day and Nghị quyết 30/NQ-CP (2/2026) only *tasks* the Government with amending Bộ luật Lao động
Điều 112 khoản 1; no amendment was enacted for 2026, and 24/11/2026 was a working day. So the
package's 24/11 entries are dropped unless ``culture_day_off=True`` (an admin setting that shows
this basis, :data:`CULTURE_DAY_BASIS`); once the Labour Code lists the day, the admin switches it on.

Nothing here imports Qt.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from pathlib import Path
from typing import Literal, Protocol

import holidays

from counter_app.domain.timezone import LOCAL_TZ as _TZ_LOCAL
from counter_app.errors import ValidationError
from counter_app.textnorm import nfc

__all__ = [
    "CALENDAR_RESOURCES",
    "CULTURE_DAY_BASIS",
    "LOCAL_TZ",
    "CalendarOverride",
    "HolidayEntry",
    "OfficeHours",
    "TimedProcedure",
    "WorkCalendar",
    "load_overrides",
]

log = logging.getLogger(__name__)

CALENDAR_RESOURCES = Path(__file__).resolve().parents[2] / "resources" / "calendar"
DEFAULT_OVERRIDES_FILE = CALENDAR_RESOURCES / "overrides_vn.json"



# The package's name for 24/11 (and its nghỉ bù); these entries follow the admin setting.
_CULTURE_DAY_NAME = "Ngày Văn hóa Việt Nam"
CULTURE_DAY_BASIS = (
    "Ngày 24/11 (Ngày Văn hóa Việt Nam) chưa là ngày nghỉ lễ theo Bộ luật Lao động 2019 Điều 112: "
    "Nghị quyết 30/NQ-CP (02/2026) mới giao nhiệm vụ sửa đổi khoản 1 Điều 112; chưa có văn bản luật "
    "ban hành. Chỉ bật khi luật sửa đổi có hiệu lực."
)


# One definition of the zone for the whole app (counter_app.domain.timezone).
LOCAL_TZ: tzinfo = _TZ_LOCAL

OverrideKind = Literal["off", "work"]


@dataclass(frozen=True)
class CalendarOverride:
    """One exception to the normal calendar: a day off or a make-up working day.

    ``kind`` is ``"off"`` (extra day off, e.g. a swapped Friday) or ``"work"`` (a day that is
    worked although it is a weekend day or a holiday of the ``holidays`` package).
    """

    day: date
    kind: OverrideKind
    note: str = ""  # why, citing the decision ("Thông báo 6150/TB-LĐTBXH ...")
    name: str = ""  # short label for lists; empty = use the note

    def __post_init__(self) -> None:
        if self.kind not in ("off", "work"):
            raise ValueError(f"CalendarOverride.kind must be 'off' or 'work', not {self.kind!r}")
        if not isinstance(self.day, date) or isinstance(self.day, datetime):
            raise ValueError(f"CalendarOverride.day must be a date, not {self.day!r}")
        object.__setattr__(self, "note", nfc(self.note))
        object.__setattr__(self, "name", nfc(self.name))


@dataclass(frozen=True)
class HolidayEntry:
    """A listed day off for the admin view.

    ``source`` says where it comes from; ``is_day_off`` is False when a ``"work"`` override
    cancels a holiday of the package (shown struck through, e.g. 24/11 if the admin decides so).
    """

    day: date
    name: str
    source: Literal["holidays", "override"]
    is_day_off: bool = True


def _default_sessions() -> tuple[tuple[time, time], ...]:
    return ((time(7, 30), time(11, 30)), (time(13, 30), time(17, 0)))


@dataclass(frozen=True)
class OfficeHours:
    """Office hours of a working day as ordered, non-overlapping sessions ``[start, end)``.

    Default 07:30–11:30 and 13:30–17:00, the common schedule of commune offices; provinces set
    their own (Quyết định 188/1999/QĐ-TTg fixes the 40-hour week, not the clock times).
    """

    sessions: tuple[tuple[time, time], ...] = field(default_factory=_default_sessions)

    def __post_init__(self) -> None:
        if not self.sessions:
            raise ValueError("OfficeHours needs at least one session")
        previous_end: time | None = None
        for start, end in self.sessions:
            if not start < end:
                raise ValueError(f"office session must start before it ends: {start}–{end}")
            if previous_end is not None and start < previous_end:
                raise ValueError("office sessions must be ordered and must not overlap")
            previous_end = end

    @property
    def opening(self) -> time:
        """Start of the first session."""
        return self.sessions[0][0]

    @property
    def closing(self) -> time:
        """End of the last session ("close of office")."""
        return self.sessions[-1][1]

    @property
    def day_length(self) -> timedelta:
        """Total office time in one working day (7 h 30 min by default)."""
        anchor = date(2000, 1, 3)
        return sum(
            (datetime.combine(anchor, end) - datetime.combine(anchor, start) for start, end in self.sessions),
            timedelta(),
        )


class TimedProcedure(Protocol):
    """What :meth:`WorkCalendar.due_at` reads from a procedure (``domain.catalogue.Procedure``)."""

    @property
    def processing_days(self) -> float | None: ...

    @property
    def processing_hours(self) -> float | None: ...

    @property
    def cutoff_time(self) -> time | None: ...

    # Optional: ``time_unit`` ("working_days" default, or "calendar_days"), read with getattr.


def load_overrides(path: Path | str = DEFAULT_OVERRIDES_FILE) -> tuple[CalendarOverride, ...]:
    """Read overrides from a JSON file ``{"overrides": [{"day", "kind", "note", "name"?}, ...]}``.

    The shipped file is part of the program, so a malformed one is a bug: ``ValueError``.
    """
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        items = raw["overrides"]
        return tuple(
            CalendarOverride(date.fromisoformat(item["day"]), item["kind"], item.get("note", ""), item.get("name", ""))
            for item in items
        )
    except (OSError, KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"calendar overrides file {path} is unreadable: {exc}") from exc


@dataclass(frozen=True)
class _YearData:
    holidays: dict[date, str]
    package_workdays: frozenset[date]


@lru_cache(maxsize=256)
def _package_year(year: int) -> _YearData:
    """Holidays of one year from the ``holidays`` package, names in Vietnamese.

    The neighbouring years are populated too because a swap can cross the new year (2015: Friday
    2/1/2015 off, Saturday 27/12/2014 worked) and the package files it under the later year.
    """
    vn = holidays.country_holidays("VN", years=(year - 1, year, year + 1), language="vi")
    days = {d: name for d, name in vn.items() if d.year == year}
    workdays = frozenset(d for d in getattr(vn, "weekend_workdays", ()) if d.year == year)
    return _YearData(days, workdays)


@lru_cache(maxsize=256)
def _year_holidays(year: int, culture_day_off: bool) -> dict[date, str]:
    # Cached: is_working_day runs for every day of every count (reports walk whole years).
    days = _package_year(year).holidays
    if culture_day_off:
        return days
    return {d: n for d, n in days.items() if not n.startswith(_CULTURE_DAY_NAME)}


class WorkCalendar:
    """Vietnamese working days, holidays and legal due dates.

    ``overrides`` are applied in order, a later entry for the same day replacing an earlier one,
    so the database layer can pass ``[*shipped, *admin_rows]``.
    """

    def __init__(
        self,
        overrides: Iterable[CalendarOverride] = (),
        office_hours: OfficeHours | None = None,
        *,
        culture_day_off: bool = False,
    ) -> None:
        self.office_hours = office_hours or OfficeHours()
        # 24/11 is a day off only once the Labour Code says so (module docstring).
        self.culture_day_off = culture_day_off
        self._overrides: dict[date, CalendarOverride] = {}
        for override in overrides:
            self._overrides[override.day] = override

    @classmethod
    def default(cls, office_hours: OfficeHours | None = None, *, culture_day_off: bool = False) -> WorkCalendar:
        """Vietnam's calendar with the shipped overrides (``resources/calendar/overrides_vn.json``)."""
        return cls(load_overrides(DEFAULT_OVERRIDES_FILE), office_hours=office_hours,
                   culture_day_off=culture_day_off)

    @property
    def overrides(self) -> tuple[CalendarOverride, ...]:
        """The effective overrides, one per day, sorted by day."""
        return tuple(self._overrides[d] for d in sorted(self._overrides))

    def with_overrides(self, extra: Iterable[CalendarOverride]) -> WorkCalendar:
        """A copy with ``extra`` applied on top (they win over existing entries for the same day)."""
        return WorkCalendar([*self._overrides.values(), *extra], office_hours=self.office_hours,
                            culture_day_off=self.culture_day_off)

    def _holidays(self, year: int) -> dict[date, str]:
        """The package's holidays of ``year``, without 24/11 unless the admin switched it on."""
        return _year_holidays(year, self.culture_day_off)

    def culture_day_warning(self, year: int) -> str | None:
        """A warning for the calendar view when 24/11 of ``year`` is counted as a day off."""
        if not self.culture_day_off:
            return None
        listed = [d for d, n in _package_year(year).holidays.items() if n.startswith(_CULTURE_DAY_NAME)]
        if not listed:
            return None
        return ("Đang tính 24/11 là ngày nghỉ. " + CULTURE_DAY_BASIS
                + " Hạn trả kết quả rơi vào ngày này sẽ bị lùi sang ngày làm việc tiếp theo.")

    # ----------------------------------------------------------------- days

    def is_working_day(self, d: date) -> bool:
        """True if offices work on ``d``: Mon–Fri minus holidays and "off" days, plus "work" days."""
        if isinstance(d, datetime):
            d = d.date()
        override = self._overrides.get(d)
        if override is not None:
            return override.kind == "work"
        data = _package_year(d.year)
        if d in data.package_workdays:
            return True
        return d.weekday() < 5 and d not in self._holidays(d.year)

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        return self._step(d, 1)

    def previous_working_day(self, d: date) -> date:
        """The last working day strictly before ``d``."""
        return self._step(d, -1)

    def _step(self, d: date, direction: int) -> date:
        # No real calendar has a month without a working day; the bound only stops an admin's
        # runaway "off" table from looping forever.
        for offset in range(1, 400):
            candidate = d + timedelta(days=direction * offset)
            if self.is_working_day(candidate):
                return candidate
        raise ValidationError(
            "Lịch làm việc không có ngày làm việc nào trong hơn một năm.",
            hint="Kiểm tra lại bảng ngày nghỉ bổ sung trong phần quản trị.",
        )

    def add_working_days(self, start: date, n: int) -> date:
        """The date ``n`` working days after ``start``; ``start`` itself is never counted.

        Bộ luật Dân sự 2015 Điều 147: the first day of a period counted in days is the day after
        the event. So Friday + 1 = Monday, and Saturday + 1 = Monday too. ``n == 0`` returns
        ``start`` if it is a working day, else the next working day. Negative ``n`` counts back:
        the ``|n|``-th working day before ``start`` (for reminders "2 days before due").
        """
        if isinstance(start, datetime):
            start = start.date()
        if n == 0:
            return start if self.is_working_day(start) else self.next_working_day(start)
        direction = 1 if n > 0 else -1
        current = start
        for _ in range(abs(n)):
            current = self._step(current, direction)
        return current

    def working_days_between(self, a: date, b: date) -> int:
        """Working days ``d`` with ``a < d <= b``; negative (−count of ``b < d <= a``) if ``b < a``.

        ``working_days_between(received, today)`` is the age of a dossier in working days;
        ``working_days_between(due.date(), today) > 0`` means overdue by that many working days.
        For a working day ``a`` and ``n >= 0``: ``working_days_between(a, add_working_days(a, n)) == n``.
        """
        if isinstance(a, datetime):
            a = a.date()
        if isinstance(b, datetime):
            b = b.date()
        if b < a:
            return -self.working_days_between(b, a)
        count = 0
        d = a + timedelta(days=1)
        while d <= b:
            if self.is_working_day(d):
                count += 1
            d += timedelta(days=1)
        return count

    def holidays_in_year(self, year: int) -> list[HolidayEntry]:
        """Holidays and extra days off in ``year`` with names, sorted, for the admin view.

        Lists the package's holidays (also those on a weekend, e.g. Giỗ Tổ on Sunday 26/4/2026,
        whose nghỉ bù appears separately) and "off" overrides; a package holiday cancelled by a
        "work" override is listed with ``is_day_off=False``.
        """
        entries: dict[date, HolidayEntry] = {}
        for d, name in self._holidays(year).items():
            override = self._overrides.get(d)
            cancelled = override is not None and override.kind == "work"
            entries[d] = HolidayEntry(d, name, "holidays", is_day_off=not cancelled)
        for d, override in self._overrides.items():
            if d.year == year and override.kind == "off" and d not in entries:
                entries[d] = HolidayEntry(d, override.name or override.note or "Ngày nghỉ", "override")
        return [entries[d] for d in sorted(entries)]

    def make_up_working_days(self, year: int) -> list[date]:
        """Weekend days worked in ``year`` (làm bù), from the package and the overrides."""
        data = _package_year(year)
        days = {d for d in data.package_workdays if d.weekday() >= 5}
        for d, override in self._overrides.items():
            if d.year != year:
                continue
            if override.kind == "work" and d.weekday() >= 5:
                days.add(d)
            elif override.kind == "off":
                days.discard(d)
        return sorted(days)

    # ---------------------------------------------------------------- times

    def _at(self, d: date, t: time) -> datetime:
        return datetime.combine(d, t)

    def closing_at(self, d: date) -> datetime:
        """Close of office on ``d`` (naive local time)."""
        return self._at(d, self.office_hours.closing)

    def office_start(self, moment: datetime) -> datetime:
        """The first instant of office time at or after ``moment`` (naive local time).

        Sessions are half-open: a reception at exactly 11:30 counts from 13:30 and one at 17:00
        counts from the next working day's opening.
        """
        d = moment.date()
        if self.is_working_day(d):
            for start, end in self.office_hours.sessions:
                if moment < self._at(d, end):
                    return max(moment, self._at(d, start))
        return self._at(self.next_working_day(d), self.office_hours.opening)

    def add_office_time(self, start: datetime, amount: timedelta) -> datetime:
        """``start`` plus ``amount`` of office time, skipping breaks, nights and days off.

        An amount that ends exactly at the end of a session returns that end (11:30, 17:00), not
        the start of the next session.
        """
        if amount < timedelta():
            raise ValueError("office time to add must not be negative")
        current = self.office_start(start)
        remaining = amount
        while True:
            session_end = self._session_end(current)
            available = session_end - current
            if remaining <= available:
                return current + remaining
            remaining -= available
            current = self.office_start(session_end)

    def _session_end(self, moment: datetime) -> datetime:
        for start, end in self.office_hours.sessions:
            if self._at(moment.date(), start) <= moment < self._at(moment.date(), end):
                return self._at(moment.date(), end)
        raise AssertionError(f"{moment} is not inside office hours")  # office_start guarantees it

    def due_at(self, received_at: datetime, procedure: TimedProcedure) -> datetime:
        """Legal due date-time (hạn trả kết quả) for a dossier received at ``received_at``.

        Rules (each with its legal reasoning in the code):

        * Reception outside office hours (lunch, evening, weekend, holiday) counts from the next
          office-time instant: the office cannot start work before it opens, and portals treat
          online filings outside office hours the same way (Nghị định 45/2020 — article not
          re-checked). After close of office this moves the reception to the next working day.
        * ``cutoff_time`` (e.g. 15:00): a reception strictly after it counts from the opening of
          the next working day (Nghị định 23/2015 Điều 7: "nếu tiếp nhận sau 15 giờ thì trả trong
          ngày làm việc tiếp theo"). A procedure with a cut-off and no whole days is a same-day
          procedure: due at close of office of that (deemed) reception day at the latest; an hour
          limit can only make it earlier.
        * Whole days ``N``: the reception day is not counted (Bộ luật Dân sự 2015 Điều 147); due
          at close of office on the N-th working day after it.
        * A fraction of a day is that fraction of the office day (0.5 × 7 h 30 = 3 h 45), counted
          in office hours after the whole days; 0 days means "trong ngày" (close of that day).
        * Hours (used only when ``processing_days`` is None): counted in office hours from the
          reception instant (Bộ luật Dân sự 2015 Điều 147 khoản 1).
        * ``time_unit == "calendar_days"`` (a law that says "30 ngày", not "ngày làm việc": Luật
          Đất đai 2024 Điều 235, Luật Khiếu nại 2011 Điều 28): N calendar days from the day after
          the (deemed) reception day; a last day that is a day off moves to the next working day
          (Bộ luật Dân sự 2015 Điều 148 khoản 5); due at close of office of that day.

        Naive ``received_at`` is local (Asia/Ho_Chi_Minh) and a naive result is returned; an aware
        one is converted to Asia/Ho_Chi_Minh and the result is aware in that zone.
        """
        days = _non_negative(getattr(procedure, "processing_days", None), "processing_days")
        hours = _non_negative(getattr(procedure, "processing_hours", None), "processing_hours")
        cutoff = _as_time(getattr(procedure, "cutoff_time", None))
        if days is None and hours is None and cutoff is None:
            raise ValidationError(
                "Thủ tục chưa có thời hạn giải quyết nên không tính được ngày hẹn trả.",
                hint="Bổ sung thời hạn giải quyết cho thủ tục trong danh mục, hoặc nhập ngày hẹn trả thủ công.",
            )

        aware = received_at.tzinfo is not None
        local = received_at.astimezone(LOCAL_TZ).replace(tzinfo=None) if aware else received_at

        # Out-of-hours reception: the dossier is in the office's hands from the next opening.
        start = self.office_start(local)
        # Cut-off: "sau 15 giờ" = strictly later than 15:00:00, so 15:00 sharp is still today.
        if cutoff is not None and start.time() > cutoff:
            start = self._at(self.next_working_day(start.date()), self.office_hours.opening)

        whole = math.floor(days) if days is not None else 0
        fraction = (days - whole) if days is not None else 0.0
        day_length = self.office_hours.day_length
        unit = getattr(procedure, "time_unit", None) or "working_days"
        if unit not in ("working_days", "calendar_days"):
            raise ValueError(f"time_unit must be working_days or calendar_days, not {unit!r}")

        if unit == "calendar_days" and days is not None and whole >= 1:
            # BLDS Điều 147 (start the day after) and Điều 148 khoản 5 (a day off at the end).
            last = start.date() + timedelta(days=math.ceil(days))
            if not self.is_working_day(last):
                last = self.next_working_day(last)
            due = self.closing_at(last)
        elif days is not None and whole >= 1:
            # BLDS Điều 147: counting starts the day after the (deemed) reception day.
            due = self.closing_at(self.add_working_days(start.date(), whole))
            if fraction > 0:
                due = self.add_office_time(due, day_length * fraction)
        else:
            if days is not None:
                amount: timedelta | None = day_length * fraction if fraction > 0 else None
            else:
                amount = timedelta(hours=hours) if hours is not None else None
            same_day_close = self.closing_at(start.date())
            if amount is None:
                due = same_day_close  # "trong ngày"
            else:
                due = self.add_office_time(start, amount)
                if cutoff is not None:
                    # "trong ngày": never later than close of the (deemed) reception day.
                    due = min(due, same_day_close)

        return due.replace(tzinfo=LOCAL_TZ) if aware else due


def _non_negative(value: float | None, name: str) -> float | None:
    if value is None:
        return None
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"{name} must be a finite number >= 0, not {value!r}")
    return number


def _as_time(value: time | str | None) -> time | None:
    # Catalogue rows coming straight from JSON may still carry "15:00" as text.
    if value is None or isinstance(value, time):
        return value
    if isinstance(value, str):
        return time.fromisoformat(value)
    raise ValueError(f"cutoff_time must be a datetime.time, not {value!r}")

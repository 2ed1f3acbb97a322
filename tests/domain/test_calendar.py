"""Working-day calendar and due dates.

Every expected date below is derived by hand from the published schedules and a paper calendar,
not copied from the implementation. Weekdays used: 19/11/2026 is a Thursday, 24/11/2026 a Tuesday
(Ngày Văn hóa Việt Nam), 14/2/2026 a Saturday, 22/8/2026 a Saturday.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest

from counter_app.domain.calendar import (
    DEFAULT_OVERRIDES_FILE,
    CalendarOverride,
    OfficeHours,
    WorkCalendar,
    load_overrides,
)
from counter_app.errors import ValidationError


@dataclass(frozen=True)
class Proc:
    processing_days: float | None = None
    processing_hours: float | None = None
    cutoff_time: time | None = None
    time_unit: str = "working_days"


SAME_DAY = Proc(cutoff_time=time(15, 0))  # chứng thực: "trong ngày; sau 15 giờ thì ngày làm việc tiếp theo"
SAME_DAY_4H = Proc(processing_hours=4, cutoff_time=time(15, 0))  # as the catalogue encodes chứng thực


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    # With 24/11 switched on: many cases below count across it as a known mid-week day off.
    return WorkCalendar.default(culture_day_off=True)


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(n) for n in range((end - start).days + 1)]


# ----------------------------------------------------------------------------- working days


def test_tet_binh_ngo_2026_all_nine_days_off(cal: WorkCalendar) -> None:
    for d in days(date(2026, 2, 14), date(2026, 2, 22)):
        assert not cal.is_working_day(d), d
    assert cal.is_working_day(date(2026, 2, 13))  # Friday before
    assert cal.is_working_day(date(2026, 2, 23))  # Monday after


def test_quoc_khanh_2026_swap(cal: WorkCalendar) -> None:
    assert cal.is_working_day(date(2026, 8, 22))  # Saturday worked for Monday 31/8
    assert not cal.is_working_day(date(2026, 8, 23))  # Sunday stays off
    for d in days(date(2026, 8, 29), date(2026, 9, 2)):
        assert not cal.is_working_day(d), d
    assert cal.is_working_day(date(2026, 9, 3))


def test_2026_other_holidays(cal: WorkCalendar) -> None:
    assert not cal.is_working_day(date(2026, 1, 1))
    assert not cal.is_working_day(date(2026, 1, 2))  # swapped (12729/VPCP-KGVX), not in holidays 0.109
    assert cal.is_working_day(date(2026, 1, 10))  # make-up Saturday for it
    assert not cal.is_working_day(date(2026, 4, 27))  # Giỗ Tổ on Sunday 26/4 -> Monday off
    assert cal.is_working_day(date(2026, 4, 28))
    assert not cal.is_working_day(date(2026, 4, 30))
    assert not cal.is_working_day(date(2026, 5, 1))
    assert cal.is_working_day(date(2026, 5, 4))


def test_2025_schedule(cal: WorkCalendar) -> None:
    for d in days(date(2025, 1, 25), date(2025, 2, 2)):  # Tết Ất Tỵ
        assert not cal.is_working_day(d), d
    assert cal.is_working_day(date(2025, 1, 24))
    assert cal.is_working_day(date(2025, 2, 3))
    assert not cal.is_working_day(date(2025, 4, 7))  # Giỗ Tổ
    assert cal.is_working_day(date(2025, 4, 26))  # Saturday worked for Friday 2/5
    for d in days(date(2025, 4, 30), date(2025, 5, 4)):
        assert not cal.is_working_day(d), d
    assert not cal.is_working_day(date(2025, 9, 1))
    assert not cal.is_working_day(date(2025, 9, 2))
    assert cal.is_working_day(date(2025, 9, 3))


def test_ordinary_week(cal: WorkCalendar) -> None:
    assert [cal.is_working_day(d) for d in days(date(2026, 11, 16), date(2026, 11, 22))] == [
        True,
        True,
        True,
        True,
        True,
        False,
        False,
    ]


def test_shipped_overrides_add_what_holidays_lacks() -> None:
    # Without the shipped file the 2/1/2026 swap (12729/VPCP-KGVX) is unknown to holidays 0.109.
    bare = WorkCalendar()
    assert bare.is_working_day(date(2026, 1, 2))
    assert not bare.is_working_day(date(2026, 1, 10))


def test_shipped_overrides_are_well_formed() -> None:
    raw = json.loads(DEFAULT_OVERRIDES_FILE.read_text(encoding="utf-8"))
    overrides = load_overrides()
    assert len(overrides) == len(raw["overrides"])
    assert len({o.day for o in overrides}) == len(overrides)
    for o in overrides:
        assert o.note, o  # every entry cites its source
        if o.kind == "work":
            assert o.day.weekday() >= 5, o  # a make-up day is a weekend day
        else:
            assert o.day.weekday() < 5, o  # an extra day off is a weekday


# ------------------------------------------------------------------------- 24/11 and overrides


def test_24_11_is_worked_by_default_until_law(cal: WorkCalendar) -> None:
    # Issue #16 row 6: the holidays package lists 24/11 from 2026, but BLLĐ 2019 Điều 112 is not
    # amended (Nghị quyết 30/NQ-CP only tasks it): a working day unless the admin switches it on.
    tue = date(2026, 11, 24)
    default = WorkCalendar.default()
    assert default.is_working_day(tue)
    assert default.is_working_day(date(2029, 11, 26))  # and no nghỉ bù for a Saturday 24/11
    assert all(e.day != tue for e in default.holidays_in_year(2026))
    assert default.due_at(datetime(2026, 11, 23, 9, 0), Proc(processing_days=1)) == datetime(2026, 11, 24, 17, 0)
    assert default.culture_day_warning(2026) is None
    assert "chưa" in (cal.culture_day_warning(2026) or "")
    assert not cal.is_working_day(date(2029, 11, 26))


def test_24_11_switched_on_and_configurable(cal: WorkCalendar) -> None:
    tue = date(2026, 11, 24)
    assert not cal.is_working_day(tue)
    worked = cal.with_overrides([CalendarOverride(tue, "work", "UBND tỉnh: 24/11 vẫn làm việc")])
    assert worked.is_working_day(tue)
    assert cal.is_working_day(date(2025, 11, 24))  # not a holiday before 2026 (Monday)
    entry = next(e for e in worked.holidays_in_year(2026) if e.day == tue)
    assert entry.name == "Ngày Văn hóa Việt Nam"
    assert entry.is_day_off is False
    # 1 working day from Monday 23/11: Wednesday when 24/11 is off, Tuesday when it is worked.
    received = datetime(2026, 11, 23, 9, 0)
    assert cal.due_at(received, Proc(processing_days=1)) == datetime(2026, 11, 25, 17, 0)
    assert worked.due_at(received, Proc(processing_days=1)) == datetime(2026, 11, 24, 17, 0)


def test_constructor_overrides() -> None:
    wed = date(2026, 11, 18)
    sat = date(2026, 11, 21)
    c = WorkCalendar([CalendarOverride(wed, "off", "Bão"), CalendarOverride(sat, "work", "Làm bù")])
    assert not c.is_working_day(wed)
    assert c.is_working_day(sat)
    assert WorkCalendar().is_working_day(wed)
    # later entries win for the same day
    c2 = WorkCalendar([CalendarOverride(wed, "off", "a"), CalendarOverride(wed, "work", "b")])
    assert c2.is_working_day(wed)
    assert any(e.day == wed and e.source == "override" for e in c.holidays_in_year(2026))
    assert sat in c.make_up_working_days(2026)


def test_override_rejects_bad_kind() -> None:
    with pytest.raises(ValueError):
        CalendarOverride(date(2026, 1, 1), "holiday", "x")  # type: ignore[arg-type]


def test_holidays_in_year_lists_names(cal: WorkCalendar) -> None:
    entries = {e.day: e for e in cal.holidays_in_year(2026)}
    assert "Tết Nguyên Đán" in entries[date(2026, 2, 17)].name
    assert date(2026, 4, 26) in entries  # Giỗ Tổ itself, on a Sunday
    assert date(2026, 1, 2) in entries and entries[date(2026, 1, 2)].source == "override"
    assert cal.make_up_working_days(2026) == [date(2026, 1, 10), date(2026, 8, 22)]


# --------------------------------------------------------------------------- counting days


def test_add_working_days(cal: WorkCalendar) -> None:
    assert cal.add_working_days(date(2026, 11, 20), 1) == date(2026, 11, 23)  # Fri -> Mon
    assert cal.add_working_days(date(2026, 11, 21), 1) == date(2026, 11, 23)  # Sat -> Mon
    assert cal.add_working_days(date(2026, 11, 21), 0) == date(2026, 11, 23)
    assert cal.add_working_days(date(2026, 11, 19), 0) == date(2026, 11, 19)
    assert cal.add_working_days(date(2026, 11, 23), 1) == date(2026, 11, 25)  # over 24/11
    assert cal.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 23)  # over Tết
    assert cal.add_working_days(date(2026, 2, 23), -1) == date(2026, 2, 13)
    assert cal.add_working_days(date(2026, 8, 21), 1) == date(2026, 8, 22)  # make-up Saturday


def test_working_days_between(cal: WorkCalendar) -> None:
    assert cal.working_days_between(date(2026, 2, 13), date(2026, 2, 23)) == 1
    assert cal.working_days_between(date(2026, 2, 23), date(2026, 2, 13)) == -1
    assert cal.working_days_between(date(2026, 11, 19), date(2026, 11, 19)) == 0
    # 16/11 (Mon) .. 27/11 (Fri): 10 weekdays after 16/11 exclusive = 9, minus 24/11
    assert cal.working_days_between(date(2026, 11, 16), date(2026, 11, 27)) == 8
    for n in range(6):
        assert cal.working_days_between(date(2026, 8, 20), cal.add_working_days(date(2026, 8, 20), n)) == n


# ------------------------------------------------------------------------------ due dates


def test_cutoff_15h(cal: WorkCalendar) -> None:
    proc = SAME_DAY
    thu = date(2026, 11, 19)
    assert cal.due_at(datetime.combine(thu, time(14, 59)), proc) == datetime(2026, 11, 19, 17, 0)
    assert cal.due_at(datetime.combine(thu, time(15, 0)), proc) == datetime(2026, 11, 19, 17, 0)
    assert cal.due_at(datetime.combine(thu, time(15, 1)), proc) == datetime(2026, 11, 20, 17, 0)
    # Friday after 15:00 -> Monday
    assert cal.due_at(datetime(2026, 11, 20, 15, 30), proc) == datetime(2026, 11, 23, 17, 0)
    # Monday after 15:00, Tuesday 24/11 is a holiday -> Wednesday
    assert cal.due_at(datetime(2026, 11, 23, 15, 30), proc) == datetime(2026, 11, 25, 17, 0)
    # Wednesday 29/4/2026 after 15:00 -> over 30/4, 1/5 and the weekend -> Monday 4/5
    assert cal.due_at(datetime(2026, 4, 29, 15, 30), proc) == datetime(2026, 5, 4, 17, 0)
    # Friday 21/8/2026 after 15:00 -> the make-up Saturday 22/8
    assert cal.due_at(datetime(2026, 8, 21, 15, 30), proc) == datetime(2026, 8, 22, 17, 0)
    # Received on a Saturday -> Monday
    assert cal.due_at(datetime(2026, 11, 21, 9, 0), proc) == datetime(2026, 11, 23, 17, 0)


def test_cutoff_with_hours(cal: WorkCalendar) -> None:
    """Same-day procedure with an hour limit: the limit can only make the due time earlier."""
    proc = SAME_DAY_4H
    # 4 office hours from 08:00: 08:00-11:30 is 3 h 30, then 30 min after 13:30.
    assert cal.due_at(datetime(2026, 11, 19, 8, 0), proc) == datetime(2026, 11, 19, 14, 0)
    # 14:59 + 4 h would run into Friday: "trong ngày" caps it at close of Thursday.
    assert cal.due_at(datetime(2026, 11, 19, 14, 59), proc) == datetime(2026, 11, 19, 17, 0)
    # After 15:00: counted from Friday 07:30, 4 h -> 11:30.
    assert cal.due_at(datetime(2026, 11, 19, 15, 1), proc) == datetime(2026, 11, 20, 11, 30)
    assert cal.due_at(datetime(2026, 11, 20, 15, 30), proc) == datetime(2026, 11, 23, 11, 30)
    assert cal.due_at(datetime(2026, 11, 23, 15, 30), proc) == datetime(2026, 11, 25, 11, 30)


def test_cutoff_as_text_is_accepted(cal: WorkCalendar) -> None:
    proc = Proc(processing_hours=4, cutoff_time="15:00")  # type: ignore[arg-type]
    assert cal.due_at(datetime(2026, 11, 19, 15, 1), proc) == datetime(2026, 11, 20, 11, 30)


def test_day_based(cal: WorkCalendar) -> None:
    one, two, three, five = (Proc(processing_days=n) for n in (1, 2, 3, 5))
    assert cal.due_at(datetime(2026, 11, 19, 10, 0), one) == datetime(2026, 11, 20, 17, 0)
    assert cal.due_at(datetime(2026, 11, 20, 10, 0), one) == datetime(2026, 11, 23, 17, 0)  # weekend
    assert cal.due_at(datetime(2026, 11, 20, 10, 0), two) == datetime(2026, 11, 25, 17, 0)  # + 24/11
    # Thu 12/2/2026: Fri 13/2 = 1, Tết 14-22/2, Mon 23/2 = 2, Tue 24/2 = 3
    assert cal.due_at(datetime(2026, 2, 12, 10, 0), three) == datetime(2026, 2, 24, 17, 0)
    # Tue 25/8/2026: 26, 27, 28/8 = 1-3; 29/8-2/9 off; 3/9 = 4; 4/9 = 5
    assert cal.due_at(datetime(2026, 8, 25, 9, 0), five) == datetime(2026, 9, 4, 17, 0)
    assert cal.due_at(datetime(2026, 8, 21, 9, 0), one) == datetime(2026, 8, 22, 17, 0)


def test_day_based_out_of_hours(cal: WorkCalendar) -> None:
    one = Proc(processing_days=1)
    # After close on Friday: deemed received Monday 23/11; day 1 is Wednesday (24/11 off).
    assert cal.due_at(datetime(2026, 11, 20, 17, 30), one) == datetime(2026, 11, 25, 17, 0)
    assert cal.due_at(datetime(2026, 11, 21, 9, 0), one) == datetime(2026, 11, 25, 17, 0)  # Saturday
    # Lunch break and before opening do not change the day.
    assert cal.due_at(datetime(2026, 11, 19, 12, 0), one) == datetime(2026, 11, 20, 17, 0)
    assert cal.due_at(datetime(2026, 11, 19, 6, 45), one) == datetime(2026, 11, 20, 17, 0)
    # Received during Tết (an online filing) -> deemed 23/2, due 24/2.
    assert cal.due_at(datetime(2026, 2, 18, 20, 0), one) == datetime(2026, 2, 24, 17, 0)


def test_fractional_days(cal: WorkCalendar) -> None:
    half = Proc(processing_days=0.5)  # 0.5 x 7 h 30 = 3 h 45 of office time
    # 09:00-11:30 = 2 h 30, then 1 h 15 from 13:30
    assert cal.due_at(datetime(2026, 11, 19, 9, 0), half) == datetime(2026, 11, 19, 14, 45)
    # 16:00-17:00 = 1 h, then 2 h 45 from Friday 07:30
    assert cal.due_at(datetime(2026, 11, 19, 16, 0), half) == datetime(2026, 11, 20, 10, 15)
    # 1.5 days: close of Friday 20/11, then 3 h 45 from Monday 07:30
    assert cal.due_at(datetime(2026, 11, 19, 9, 0), Proc(processing_days=1.5)) == datetime(2026, 11, 23, 11, 15)
    # 0 days = same day
    assert cal.due_at(datetime(2026, 11, 19, 9, 0), Proc(processing_days=0)) == datetime(2026, 11, 19, 17, 0)


def test_hour_based(cal: WorkCalendar) -> None:
    four = Proc(processing_hours=4)
    assert cal.due_at(datetime(2026, 11, 19, 10, 0), four) == datetime(2026, 11, 19, 16, 0)  # over lunch
    assert cal.due_at(datetime(2026, 11, 19, 16, 0), four) == datetime(2026, 11, 20, 10, 30)  # overnight
    assert cal.due_at(datetime(2026, 11, 19, 12, 0), Proc(processing_hours=2)) == datetime(2026, 11, 19, 15, 30)
    assert cal.due_at(datetime(2026, 11, 19, 10, 0), Proc(processing_hours=1.5)) == datetime(2026, 11, 19, 11, 30)
    # Friday 14:00 + 8 h: 3 h Friday, 4 h Monday morning, 1 h after lunch
    assert cal.due_at(datetime(2026, 11, 20, 14, 0), Proc(processing_hours=8)) == datetime(2026, 11, 23, 14, 30)
    # Monday 16:00 + 4 h: 1 h Monday, Tuesday 24/11 off, 3 h Wednesday
    assert cal.due_at(datetime(2026, 11, 23, 16, 0), four) == datetime(2026, 11, 25, 10, 30)


def test_aware_datetimes(cal: WorkCalendar) -> None:
    received = datetime(2026, 11, 19, 2, 0, tzinfo=UTC)  # 09:00 in Vietnam
    due = cal.due_at(received, Proc(processing_hours=4))
    assert due.tzinfo is not None
    assert due.utcoffset() == timedelta(hours=7)
    assert due == datetime(2026, 11, 19, 8, 0, tzinfo=UTC)  # 15:00 in Vietnam
    naive = cal.due_at(datetime(2026, 11, 19, 9, 0), Proc(processing_hours=4))
    assert naive.tzinfo is None and naive == datetime(2026, 11, 19, 15, 0)


def test_custom_office_hours() -> None:
    hours = OfficeHours(((time(7, 0), time(11, 0)), (time(13, 0), time(17, 0))))
    assert hours.day_length == timedelta(hours=8)
    c = WorkCalendar(office_hours=hours)
    assert c.due_at(datetime(2026, 11, 19, 7, 0), Proc(processing_days=0.5)) == datetime(2026, 11, 19, 11, 0)
    with pytest.raises(ValueError):
        OfficeHours(((time(13, 0), time(17, 0)), (time(7, 0), time(11, 0))))


def test_due_at_rejects_bad_procedures(cal: WorkCalendar) -> None:
    with pytest.raises(ValidationError):
        cal.due_at(datetime(2026, 11, 19, 9, 0), Proc())
    with pytest.raises(ValueError):
        cal.due_at(datetime(2026, 11, 19, 9, 0), Proc(processing_days=-1))
    with pytest.raises(ValueError):
        cal.due_at(datetime(2026, 11, 19, 9, 0), Proc(processing_hours=math.nan))


# ------------------------------------------------------------ Vietnamese vs Chinese lunar calendar


@pytest.mark.parametrize(
    ("tet_vn", "tet_cn"),
    [
        (date(1985, 1, 21), date(1985, 2, 20)),
        (date(2007, 2, 17), date(2007, 2, 18)),
        (date(2030, 2, 2), date(2030, 2, 3)),
        (date(2053, 2, 18), date(2053, 2, 19)),
    ],
)
def test_tet_follows_vietnamese_calendar(tet_vn: date, tet_cn: date) -> None:
    c = WorkCalendar()
    names = {e.day: e.name for e in c.holidays_in_year(tet_vn.year)}
    assert names.get(tet_vn) == "Tết Nguyên Đán"
    assert tet_cn not in names or names[tet_cn] != "Tết Nguyên Đán"
    # Independent check of the facts themselves: new moon at UTC+7 vs UTC+8.
    assert _lunar_new_year(tet_vn.year, 7) == tet_vn
    assert _lunar_new_year(tet_vn.year, 8) == tet_cn


def test_vietnamese_eve_is_off_where_chinese_eve_differs() -> None:
    c = WorkCalendar()
    assert not c.is_working_day(date(2007, 2, 16))  # Friday, Giao thừa in Vietnam
    assert not c.is_working_day(date(2030, 2, 1))  # Friday, Giao thừa in Vietnam
    assert not c.is_working_day(date(2053, 2, 17))  # Monday, Giao thừa in Vietnam
    assert c.is_working_day(date(1985, 2, 20))  # Wednesday: Chinese New Year, ordinary day in Vietnam


def test_tet_and_gio_to_match_utc7_lunar_calendar_1901_2099() -> None:
    c = WorkCalendar()
    for year in range(1901, 2100):
        by_name = {e.name: e.day for e in c.holidays_in_year(year) if e.source == "holidays"}
        assert by_name["Tết Nguyên Đán"] == _lunar_new_year(year, 7), year
        if year >= 2007:  # Giỗ Tổ is a public holiday since 2007
            assert by_name["Ngày Giỗ Tổ Hùng Vương"] == _lunar_to_solar(10, 3, year, 7), year


# Independent oracle: Hồ Ngọc Đức's published algorithm (Meeus, "Astronomical Algorithms", low
# precision) for the Vietnamese lunisolar calendar; `tz` is the time zone whose midnight starts a
# day (7 = Vietnam since 1975, 8 = China). Kept here, in the test, so it cannot leak into the code
# it checks.


def _jd_from_date(dd: int, mm: int, yy: int) -> int:
    a = (14 - mm) // 12
    y = yy + 4800 - a
    m = mm + 12 * a - 3
    return dd + (153 * m + 2) // 5 + 365 * y + y // 4 - y // 100 + y // 400 - 32045


def _jd_to_date(jd: int) -> date:
    a = jd + 32044
    b = (4 * a + 3) // 146097
    c = a - (b * 146097) // 4
    d = (4 * c + 3) // 1461
    e = c - (1461 * d) // 4
    m = (5 * e + 2) // 153
    return date(b * 100 + d - 4800 + m // 10, m + 3 - 12 * (m // 10), e - (153 * m + 2) // 5 + 1)


def _new_moon(k: int) -> float:
    t = k / 1236.85
    t2, t3 = t * t, t * t * t
    dr = math.pi / 180
    jd1 = 2415020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3
    jd1 += 0.00033 * math.sin((166.56 + 132.87 * t - 0.009173 * t2) * dr)
    m = 359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3
    mpr = 306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3
    f = 21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3
    c1 = (0.1734 - 0.000393 * t) * math.sin(m * dr) + 0.0021 * math.sin(2 * dr * m)
    c1 -= 0.4068 * math.sin(mpr * dr) - 0.0161 * math.sin(dr * 2 * mpr)
    c1 -= 0.0004 * math.sin(dr * 3 * mpr)
    c1 += 0.0104 * math.sin(dr * 2 * f) - 0.0051 * math.sin(dr * (m + mpr))
    c1 -= 0.0074 * math.sin(dr * (m - mpr)) - 0.0004 * math.sin(dr * (2 * f + m))
    c1 -= 0.0004 * math.sin(dr * (2 * f - m)) - 0.0006 * math.sin(dr * (2 * f + mpr))
    c1 += 0.0010 * math.sin(dr * (2 * f - mpr)) + 0.0005 * math.sin(dr * (2 * mpr + m))
    if t < -11:
        delta_t = 0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3
    else:
        delta_t = -0.000278 + 0.000265 * t + 0.000262 * t2
    return jd1 + c1 - delta_t


def _new_moon_day(k: int, tz: int) -> int:
    return math.floor(_new_moon(k) + 0.5 + tz / 24)


def _sun_sector(day_number: int, tz: int) -> int:
    """Which 30° sector of ecliptic longitude the sun is in at local midnight starting the day."""
    t = (day_number - 0.5 - tz / 24 - 2451545.0) / 36525
    t2 = t * t
    dr = math.pi / 180
    m = 357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2
    l0 = 280.46645 + 36000.76983 * t + 0.0003032 * t2
    dl = (1.914600 - 0.004817 * t - 0.000014 * t2) * math.sin(dr * m)
    dl += (0.019993 - 0.000101 * t) * math.sin(dr * 2 * m) + 0.000290 * math.sin(dr * 3 * m)
    lon = (l0 + dl) * dr
    lon -= 2 * math.pi * math.floor(lon / (2 * math.pi))
    return math.floor(lon / math.pi * 6)


def _month11(yy: int, tz: int) -> int:
    """Day number of the start of lunar month 11 (the month holding the winter solstice) of yy."""
    k = math.floor((_jd_from_date(31, 12, yy) - 2415021) / 29.530588853)
    nm = _new_moon_day(k, tz)
    return _new_moon_day(k - 1, tz) if _sun_sector(nm, tz) >= 9 else nm


def _leap_month_offset(a11: int, tz: int) -> int:
    k = math.floor((a11 - 2415021.076998695) / 29.530588853 + 0.5)
    i = 1
    arc = _sun_sector(_new_moon_day(k + i, tz), tz)
    while True:
        last = arc
        i += 1
        arc = _sun_sector(_new_moon_day(k + i, tz), tz)
        if arc == last or i >= 14:
            return i - 1


def _lunar_to_solar(day: int, month: int, year: int, tz: int) -> date:
    """Non-leap lunar ``day``/``month`` (months 1–10) of lunar year ``year`` to the solar date."""
    a11 = _month11(year - 1, tz)
    b11 = _month11(year, tz)
    k = math.floor(0.5 + (a11 - 2415021.076998695) / 29.530588853)
    off = month + 1  # months after month 11 of the previous year
    if b11 - a11 > 365 and off >= _leap_month_offset(a11, tz):
        off += 1  # a leap month sits between month 11 and the wanted month
    return _jd_to_date(_new_moon_day(k + off, tz) + day - 1)


def _lunar_new_year(year: int, tz: int) -> date:
    return _lunar_to_solar(1, 1, year, tz)


def test_calendar_day_limit_ends_on_next_working_day() -> None:
    # Issue #16 row 5: "không quá 30 ngày" (Luật Đất đai 2024 Điều 235, hòa giải 1.012812) counts
    # calendar days from the day after reception (BLDS 2015 Điều 147); 12/2/2026 + 30 = Saturday
    # 14/3, a day off, so the period ends on Monday 16/3 (BLDS 2015 Điều 148 khoản 5).
    cal = WorkCalendar.default()
    thirty = Proc(processing_days=30, time_unit="calendar_days")
    assert cal.due_at(datetime(2026, 2, 12, 9, 0), thirty) == datetime(2026, 3, 16, 17, 0)
    # A last day that is a working day stays: 2/3/2026 + 30 = Wednesday 1/4.
    assert cal.due_at(datetime(2026, 3, 2, 9, 0), thirty) == datetime(2026, 4, 1, 17, 0)
    # Tết 2026 (14–22/2) does not stretch a calendar-day limit the way it does a working-day one.
    assert cal.due_at(datetime(2026, 2, 12, 9, 0), Proc(processing_days=21)) == datetime(2026, 3, 20, 17, 0)
    # From the shipped catalogue through the DB row as reception reads it.
    from counter_app.domain.catalogue import load_default_catalogue

    mediation = next(p for p in load_default_catalogue() if p.code == "1.012812")
    assert cal.due_at(datetime(2026, 2, 12, 9, 0), mediation) == datetime(2026, 3, 16, 17, 0)

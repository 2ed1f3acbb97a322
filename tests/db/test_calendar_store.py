"""Admin overrides stored in the database change working days and due dates."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace

from counter_app.db.calendar_store import load_calendar, remove_override, set_culture_day_off, set_override
from counter_app.db.database import CounterDB


def test_admin_override_changes_working_days(cdb: CounterDB) -> None:
    tue_24_11 = date(2026, 11, 24)  # Ngày Văn hóa Việt Nam: a day off only once the admin says so
    set_culture_day_off(cdb, True)
    assert not load_calendar(cdb).is_working_day(tue_24_11)
    set_override(cdb, tue_24_11, "work", "Tỉnh chưa áp dụng ngày nghỉ 24/11")
    assert load_calendar(cdb).is_working_day(tue_24_11)
    proc = SimpleNamespace(processing_days=1, processing_hours=None, cutoff_time=None)
    assert load_calendar(cdb).due_at(datetime(2026, 11, 23, 9, 0), proc).date() == tue_24_11
    set_override(cdb, date(2026, 10, 7), "off", "Nghỉ bù theo quyết định của tỉnh")
    assert not load_calendar(cdb).is_working_day(date(2026, 10, 7))
    remove_override(cdb, tue_24_11)
    assert not load_calendar(cdb).is_working_day(tue_24_11)
    # Shipped schedule still applies: Saturday 22/8/2026 is a make-up working day.
    assert load_calendar(cdb).is_working_day(date(2026, 8, 22))


def test_24_11_is_a_working_day_until_the_admin_switches_it_on(cdb: CounterDB) -> None:
    # Issue #16 row 6: not law in 2026 (Nghị quyết 30/NQ-CP only tasks an amendment of BLLĐ Điều 112).
    tue_24_11 = date(2026, 11, 24)
    assert load_calendar(cdb).is_working_day(tue_24_11)
    assert load_calendar(cdb).culture_day_warning(2026) is None
    set_culture_day_off(cdb, True)
    assert not load_calendar(cdb).is_working_day(tue_24_11)
    assert "Điều 112" in (load_calendar(cdb).culture_day_warning(2026) or "")

"""Admin overrides stored in the database change working days and due dates."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace

from counter_app.db.calendar_store import load_calendar, remove_override, set_override
from counter_app.db.database import CounterDB


def test_admin_override_changes_working_days(cdb: CounterDB) -> None:
    tue_24_11 = date(2026, 11, 24)  # Ngày Văn hóa Việt Nam: off by default (configurable)
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

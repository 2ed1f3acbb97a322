"""The admin-editable calendar overrides table, layered over the shipped schedule.

The shipped file (resources/calendar/overrides_vn.json) carries the Government's known schedule;
the table holds what an admin adds or corrects locally (a provincial decision, 24/11 worked or not).
Table entries win over shipped ones for the same day.
"""

from __future__ import annotations

from datetime import date

from counter_app.db.database import CounterDB
from counter_app.domain.calendar import CULTURE_DAY_BASIS, CalendarOverride, WorkCalendar
from counter_app.textnorm import nfc

__all__ = ["CULTURE_DAY_BASIS", "CULTURE_DAY_SETTING", "culture_day_off", "load_calendar", "remove_override",
           "set_culture_day_off", "set_override"]

# Settings key: "1" = count 24/11 (Ngày Văn hóa Việt Nam) as a day off. Default off: not law yet
# (domain.calendar module docstring, issue #16 row 6).
CULTURE_DAY_SETTING = "calendar_culture_day_off"


def culture_day_off(cdb: CounterDB) -> bool:
    """Whether the admin has switched 24/11 on as a day off (default: no)."""
    return (cdb.get_setting(CULTURE_DAY_SETTING) or "0") == "1"


def set_culture_day_off(cdb: CounterDB, on: bool) -> None:
    """Switch 24/11 as a day off on or off (only once the amended Labour Code is in force)."""
    cdb.set_setting(CULTURE_DAY_SETTING, "1" if on else "0")


def load_calendar(cdb: CounterDB) -> WorkCalendar:
    """Vietnam's calendar with shipped overrides plus this database's admin overrides."""
    rows = cdb.query("SELECT day, kind, note FROM calendar_overrides ORDER BY day")
    admin = [CalendarOverride(date.fromisoformat(r["day"]), r["kind"], r["note"]) for r in rows]
    return WorkCalendar.default(culture_day_off=culture_day_off(cdb)).with_overrides(admin)


def set_override(cdb: CounterDB, day: date, kind: str, note: str) -> None:
    """Add or replace an admin override (``kind`` is 'off' or 'work')."""
    CalendarOverride(day, kind, note)  # type: ignore[arg-type]  # validates kind and day
    with cdb.write():
        cdb.conn.execute(
            "INSERT INTO calendar_overrides(day, kind, note) VALUES (?, ?, ?) "
            "ON CONFLICT(day) DO UPDATE SET kind = excluded.kind, note = excluded.note",
            (day.isoformat(), kind, nfc(note)),
        )


def remove_override(cdb: CounterDB, day: date) -> None:
    """Remove an admin override; the shipped schedule applies again for that day."""
    with cdb.write():
        cdb.conn.execute("DELETE FROM calendar_overrides WHERE day = ?", (day.isoformat(),))

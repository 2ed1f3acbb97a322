"""The admin-editable calendar overrides table, layered over the shipped schedule.

The shipped file (resources/calendar/overrides_vn.json) carries the Government's known schedule;
the table holds what an admin adds or corrects locally (a provincial decision, 24/11 worked or not).
Table entries win over shipped ones for the same day.
"""

from __future__ import annotations

from datetime import date

from counter_app.db.database import CounterDB
from counter_app.domain.calendar import CalendarOverride, WorkCalendar
from counter_app.textnorm import nfc


def load_calendar(cdb: CounterDB) -> WorkCalendar:
    """Vietnam's calendar with shipped overrides plus this database's admin overrides."""
    rows = cdb.query("SELECT day, kind, note FROM calendar_overrides ORDER BY day")
    admin = [CalendarOverride(date.fromisoformat(r["day"]), r["kind"], r["note"]) for r in rows]
    return WorkCalendar.default().with_overrides(admin)


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

"""Settings use cases the screens call: the agency's settings page, the admin's to-do list, first-run
setup's input, and the officer's signing set-up.

Saving the settings page is recorded under the signed-in admin (one audit entry naming the changed
keys, in the same transaction as the change: :func:`counter_app.db.setup.store_settings`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from counter_app.db.database import CounterDB
from counter_app.db.setup import SetupInput
from counter_app.services.session import Actor, require_actor

__all__ = ["AdminTodo", "SetupInput", "admin_todo", "read_settings", "save_settings", "signing_setup"]


@dataclass(frozen=True)
class AdminTodo:
    """What the admin must look at this year: days off, make-up days, fees and field codes not entered."""

    year: int
    days_off: list[date]
    make_up_days: list[date]
    culture_day_warning: str | None
    missing_fees: list[dict[str, Any]]
    unmapped_fields: list[dict[str, Any]]


def read_settings(cdb: CounterDB, keys: list[str]) -> dict[str, Any]:
    """The stored values of the settings page's fields (``None`` where nothing is stored)."""
    return {k: cdb.get_setting(k) for k in keys}


def save_settings(cdb: CounterDB, values: dict[str, Any], actor: Actor | None) -> list[str]:
    """Store the changed settings with their audit entry, under the signed-in ``actor``; returns the changed keys.

    ``values`` must already be validated (the page checks them on the UI thread and shows the message).
    """
    from counter_app.db.setup import store_settings

    who = require_actor(actor)
    return store_settings(cdb, values, who.user_id)


def admin_todo(cdb: CounterDB, today: date | None = None) -> AdminTodo:
    """This year's days off and make-up days, the 24/11 warning, fees the provincial council sets that
    nobody entered, and field codes without a national code (issue #16 rows 1, 6, 9)."""
    from counter_app.db.calendar_store import load_calendar
    from counter_app.db.catalogue import missing_fee_amounts
    from counter_app.sync.mapping import unmapped_field_codes

    year = (today or date.today()).year
    cal = load_calendar(cdb)
    return AdminTodo(year=year,
                     days_off=[e.day for e in cal.holidays_in_year(year) if e.is_day_off],
                     make_up_days=list(cal.make_up_working_days(year)),
                     culture_day_warning=cal.culture_day_warning(year) or None,
                     missing_fees=list(missing_fee_amounts(cdb)),
                     unmapped_fields=list(unmapped_field_codes(cdb)))


def signing_setup(cdb: CounterDB, user_id: int | None) -> dict[str, Any]:
    """The officer's signing certificate reference and the token/timestamp settings (device panel)."""
    ref = cdb.scalar("SELECT signing_cert_path FROM users WHERE id = ?", (user_id,)) if user_id else None
    return {"ref": ref, "pkcs11_module": cdb.get_setting("pkcs11_module"), "tsa_url": cdb.get_setting("tsa_url")}

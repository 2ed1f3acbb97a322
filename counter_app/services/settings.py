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
from counter_app.db.settings import AgencySettings
from counter_app.db.setup import SetupInput
from counter_app.errors import ValidationError
from counter_app.services.session import Actor, require_actor

__all__ = ["SUPERVISED_UNITS_KEY", "AdminTodo", "SetupInput", "admin_todo", "parse_supervised_units",
           "read_settings", "read_supervised_units", "save_settings", "save_supervised_units", "signing_setup"]

#: The agencies a supervisor's PC replicates besides its own (issue #19; read by
#: ``counter_app.sync.worker.ward_scope``, documented in docs/sync.md): a JSON list of agency codes.
SUPERVISED_UNITS_KEY = "ward_supervised_units"
#: The pull's cursor (``counter_app.sync.worker.CURSOR_KEY``): reset when a unit is added, see below.
_PULL_CURSOR_KEY = "sync_pull_cursor"


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


def parse_supervised_units(text: str, own_agency: str = "") -> list[str]:
    """The agency codes an admin typed (separated by commas, semicolons, spaces or lines), checked.

    Each must be an agency's electronic identity code (:func:`counter_app.domain.codes.validate_agency_code`);
    the first wrong one raises a Vietnamese :class:`ValidationError` naming it. Repeats and the
    PC's own agency (always replicated) are dropped; the order typed is kept.
    """
    import re

    from counter_app.domain.codes import validate_agency_code

    codes: list[str] = []
    for part in re.split(r"[,;\s]+", text or ""):
        if not part:
            continue
        try:
            code = validate_agency_code(part)
        except ValidationError as exc:
            raise ValidationError(f"Đơn vị giám sát: mã «{part}» không hợp lệ.", hint=exc.hint) from None
        if code.upper() != own_agency.strip().upper() and code.upper() not in (c.upper() for c in codes):
            codes.append(code)
    return codes


def read_supervised_units(cdb: CounterDB) -> list[str]:
    """The agency codes this PC replicates besides its own (empty for an ordinary counter)."""
    value = cdb.get_setting(SUPERVISED_UNITS_KEY, []) or []
    return [str(u) for u in (value if isinstance(value, list) else [value]) if u]


def save_supervised_units(cdb: CounterDB, text: str, actor: Actor | None) -> list[str]:
    """Store the supervised units typed by the signed-in admin; returns the units newly added.

    One transaction holds the setting, its audit entry (old and new lists) and — when a unit is
    added — the pull cursor set back to 0: the cursor is one number for every agency pulled, so
    without it the new unit's dossiers changed before today would never reach this PC. The next
    pull then reads the ward again from the start (already held dossiers are applied as no-ops).
    """
    from counter_app.db import audit

    who = require_actor(actor)
    role = cdb.scalar("SELECT role FROM users WHERE id = ? AND active = 1", (who.user_id,))
    if role != "admin":
        raise ValidationError("Chỉ quản trị viên được sửa danh sách đơn vị giám sát.")
    units = parse_supervised_units(text, AgencySettings.load(cdb).agency_code)
    with cdb.write():
        old = read_supervised_units(cdb)
        if units == old:
            return []
        added = [u for u in units if u not in old]
        cdb.set_setting(SUPERVISED_UNITS_KEY, units)
        if added:
            cdb.set_setting(_PULL_CURSOR_KEY, 0)
        audit.append(cdb, who.user_id, "settings", "settings", SUPERVISED_UNITS_KEY,
                     {"changed": [SUPERVISED_UNITS_KEY], "old": old, "new": units, "pull_restarted": bool(added)})
    return added

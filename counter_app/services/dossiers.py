"""Dossier use cases the screens call: list and search, detail, the actions on a received dossier.

Each function is a plain call on a :class:`CounterDB` that runs on the database worker (Anki-style:
the widget says *what*, this runs it). Operations that change a dossier or print one of its forms
take the signed-in :class:`~counter_app.services.session.Actor` explicitly and refuse to run without
one (:func:`~counter_app.services.session.require_actor`): the register must say who returned a
result or granted a new date, never "nobody" or "the first officer".

The record types the screens build or read (:class:`ListFilter`, :class:`ReceptionInput` …) are
re-exported from :mod:`counter_app.db.dossiers`, so ``counter_app.ui`` needs no ``db`` import.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from counter_app.db import dossiers as repo
from counter_app.db.database import CounterDB
from counter_app.db.dossiers import (
    TS,
    ApplicantInput,
    ComponentInput,
    ListFilter,
    ReceptionInput,
    ReceptionResult,
    cursor_of,
    parse_ts,
    procedure_timing,
    search_hint,
    status_counts,
)
from counter_app.documents.model import FormKind
from counter_app.domain.lifecycle import Status
from counter_app.services import ward
from counter_app.services.session import Actor, require_actor


def load_calendar(cdb: CounterDB) -> Any:
    """The working calendar (imported when first needed: the holiday tables are not needed to open a window)."""
    from counter_app.db.calendar_store import load_calendar as load

    return load(cdb)

__all__ = [
    "TS",
    "ApplicantInput",
    "ComponentInput",
    "ListFilter",
    "ListLookups",
    "ReceptionCatalogue",
    "ReceptionInput",
    "ReceptionResult",
    "apologise",
    "cursor_of",
    "detail",
    "list_lookups",
    "list_page",
    "load_calendar",
    "parse_ts",
    "print_form",
    "procedure_timing",
    "reception_catalogue",
    "return_result",
    "search_hint",
    "status_counts",
    "supplement_received",
    "transition",
    "view",
]


@dataclass(frozen=True)
class ListLookups:
    """What the dossier list needs besides the rows: names for its filters, the calendar, encryption."""

    procedure_names: dict[str, str]
    officers: list[dict[str, Any]]
    calendar: Any
    encrypted: bool


@dataclass(frozen=True)
class ReceptionCatalogue:
    """The active procedures (stored dicts, by code order) and the working calendar for due dates."""

    procedures: list[dict[str, Any]]
    calendar: Any


def list_page(cdb: CounterDB, f: ListFilter, *, limit: int, before: tuple[Any, ...] | None = None
              ) -> list[dict[str, Any]]:
    """One page of the dossier list (keyset pagination: ``before`` is :func:`cursor_of` the last row)."""
    return repo.list_dossiers(cdb, f, limit=limit, before=before)


def list_lookups(cdb: CounterDB) -> ListLookups:
    """Procedure names and officers for the list's filters, the calendar (overdue marks), encryption."""
    names = {r["code"]: r["name"] for r in cdb.query("SELECT code, name FROM procedures ORDER BY name")}
    officers = cdb.query("SELECT id, full_name FROM users ORDER BY full_name")
    return ListLookups(names, officers, load_calendar(cdb), cdb.ring is not None)


def reception_catalogue(cdb: CounterDB) -> ReceptionCatalogue:
    """The active procedures and the calendar the reception screen searches and previews due dates with."""
    from counter_app.db.catalogue import load_procedures
    from counter_app.domain.catalogue import procedure_to_dict

    # Dicts at the edge until the reception screen takes Procedure objects (issue #17 item 4).
    return ReceptionCatalogue([procedure_to_dict(p) for p in load_procedures(cdb)], load_calendar(cdb))


def detail(cdb: CounterDB, dossier_id: int) -> dict[str, Any]:
    """The dossier with its components, files and timeline (a refresh: not recorded as a new look)."""
    return repo.dossier_detail(cdb, dossier_id)


def view(cdb: CounterDB, dossier_id: int, actor: Actor | None) -> dict[str, Any]:
    """The dossier opened by ``actor``: the look at the citizen's data goes into the audit trail."""
    from counter_app.services.access import view_dossier

    return view_dossier(cdb, dossier_id, actor.user_id if actor is not None else None)


def transition(cdb: CounterDB, dossier_id: int, target: Status | int, actor: Actor | None) -> None:
    """Move the dossier to ``target`` (processing, supplement requested, result ready) as ``actor``."""
    who = require_actor(actor)
    repo.transition(cdb, dossier_id, Status(int(target)), officer_id=who.user_id)


def supplement_received(cdb: CounterDB, dossier_id: int, actor: Actor | None) -> None:
    """The citizen brought the missing papers: back to processing; the pause extends the deadline."""
    who = require_actor(actor)
    if ward.is_replica(cdb, dossier_id):  # another counter's dossier: an action sent to the province (issue #19)
        ward.supplement_received(cdb, dossier_id, who)
        return
    repo.supplement_received(cdb, dossier_id, load_calendar(cdb), officer_id=who.user_id)


def return_result(cdb: CounterDB, dossier_id: int, actor: Actor | None, *, to_whom: str, id_checked: bool,
                  method: int) -> None:
    """The result was handed over (at the counter or by post), recorded under ``actor``."""
    who = require_actor(actor)
    if ward.is_replica(cdb, dossier_id):  # another counter's dossier: an action sent to the province (issue #19)
        ward.return_result(cdb, dossier_id, who, to_whom=to_whom, id_checked=id_checked, method=method)
        return
    repo.return_result(cdb, dossier_id, to_whom=to_whom, id_checked=id_checked, method=method,
                       officer_id=who.user_id)


def apologise(cdb: CounterDB, data_root: Path, dossier: dict[str, Any], actor: Actor | None, *, reason: str,
              working_days: int, today: dt.date | None = None) -> Path:
    """Record the apology with a new date ``working_days`` after the later of today and the old due date,
    render and store the apology letter (Mẫu 04 / the 2025 letter) and record its printing."""
    from counter_app.services.access import record_print
    from counter_app.services.forms import render_form, store_form

    who = require_actor(actor)
    dossier_id = int(dossier["id"])
    cal = load_calendar(cdb)
    due = parse_ts(dossier.get("due_at"))
    base = max(today or dt.date.today(), due.date()) if due is not None else (today or dt.date.today())
    new_due = cal.closing_at(cal.add_working_days(base, working_days))
    if ward.is_replica(cdb, dossier_id):  # another counter's dossier: an action sent to the province (issue #19)
        ward.record_apology(cdb, dossier_id, who, reason=reason, new_due_at=new_due)
    else:
        repo.record_apology(cdb, dossier_id, reason=reason, new_due_at=new_due, officer_id=who.user_id)
    pdf = render_form(cdb, dossier_id, FormKind.APOLOGY, reason=reason, new_due_at=new_due)
    path = store_form(data_root, dossier["code"], dossier_id, FormKind.APOLOGY, pdf)
    record_print(cdb, who.user_id, dossier_id, FormKind.APOLOGY.value)
    return path


def print_form(cdb: CounterDB, data_root: Path, dossier_id: int, code: str, kind: FormKind,
               actor: Actor | None) -> Path:
    """Render and store one of the dossier's forms again; who printed it goes into the audit trail."""
    from counter_app.services.access import record_print
    from counter_app.services.forms import render_form, store_form

    who = require_actor(actor)
    path = store_form(data_root, code, dossier_id, kind, render_form(cdb, dossier_id, kind))
    record_print(cdb, who.user_id, dossier_id, kind.value)
    return path

"""Reading a citizen's data, printing and exporting — each leaves an entry in the audit trail.

Nghị định 13/2023 asks who *accessed* personal data, not only who changed it. The UI reads a
dossier for display, looks a returning citizen up by ID number, prints forms and exports reports
through these functions, so the trail records the view/print/export next to the data it served.
Details carry codes and ids only, never the personal values themselves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from counter_app.db import audit
from counter_app.db import dossiers as repo

if TYPE_CHECKING:
    from counter_app.db.database import CounterDB

__all__ = ["lookup_citizen", "record_export", "record_print", "view_dossier"]


def view_dossier(cdb: CounterDB, dossier_id: int, user_id: int | None) -> dict[str, Any]:
    """The dossier with its personal fields opened, recorded as a view by ``user_id``."""
    d = repo.dossier_detail(cdb, dossier_id)
    audit.append(cdb, user_id, "view_citizen", "dossier", dossier_id, {"code": d.get("code") or ""})
    return d


def lookup_citizen(cdb: CounterDB, id_number: str, user_id: int | None) -> dict[str, Any] | None:
    """A returning citizen found by ID number (reception autofill); recorded only when found."""
    row = repo.find_citizen(cdb, id_number)
    if row is not None:
        audit.append(cdb, user_id, "view_citizen", "citizen", int(row["id"]), {"via": "id_lookup"})
    return row


def record_print(cdb: CounterDB, user_id: int | None, dossier_id: int, form: str) -> None:
    """A form about a dossier was produced for printing."""
    audit.append(cdb, user_id, "print", "dossier", dossier_id, {"form": form})


def record_export(cdb: CounterDB, user_id: int | None, what: str, detail: dict[str, Any]) -> None:
    """A report or list left the application (PDF/CSV file)."""
    audit.append(cdb, user_id, "export", what, "", detail)

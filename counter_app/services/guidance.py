"""Online-filing guidance use cases (Hướng dẫn nộp trực tuyến): prepare the guide, record how it ended.

The records and figures live in :mod:`counter_app.db.guidance`; this module is the UI's door to them.
Recording a session takes the signed-in :class:`~counter_app.services.session.Actor`: the officer
who guided the citizen is part of the record (and of the online-share figures per officer).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from counter_app.db.database import CounterDB
from counter_app.db.dossiers import ApplicantInput
from counter_app.db.guidance import (
    OnlineFigures,
    SessionInput,
    SessionResult,
    figures,
    figures_line,
    percent_text,
    recent_sessions,
    target_text,
    url_template,
    verify_supervisor,
)
from counter_app.services.session import Actor, require_actor

__all__ = ["ApplicantInput", "GuidePrep", "OnlineFigures", "SessionInput", "SessionResult", "figures",
           "figures_line", "percent_text", "prepare_guide", "recent_sessions", "record_session", "target_text"]


@dataclass(frozen=True)
class GuidePrep:
    """What the guidance dialog needs to show and print its sheet."""

    guide: Any          # counter_app.domain.online.Guide
    matrix: tuple[tuple[bool, ...], ...]
    agency: Any         # counter_app.documents.model.Agency
    officer_name: str


def prepare_guide(cdb: CounterDB, procedure: dict[str, Any], actor: Actor | None) -> GuidePrep:
    """The steps, the portal link as a QR matrix, the agency and who guides (the signed-in officer)."""
    from counter_app.documents.qr import qr_matrix
    from counter_app.domain.online import build_guide
    from counter_app.services.forms import agency_from_settings

    agency = agency_from_settings(cdb)
    guide = build_guide(procedure, url_template=url_template(cdb), agency_name=agency.unit_name)
    return GuidePrep(guide, qr_matrix(guide.url), agency, actor.full_name if actor is not None else "")


def record_session(cdb: CounterDB, data: SessionInput, actor: Actor | None,
                   supervisor: tuple[str, str] | None = None) -> SessionResult:
    """Record how the guidance ended, under ``actor``; a supervisor's name and password allow paper
    for an online-only procedure (checked here, recorded as the override)."""
    from counter_app.db.guidance import record_session as record

    who = require_actor(actor)
    data = dataclasses.replace(data, officer_id=who.user_id)
    if supervisor is not None:
        data.override_by = verify_supervisor(cdb, *supervisor)
    return record(cdb, data)

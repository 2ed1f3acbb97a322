"""Quality review of digitised components: one transaction, rescan list, pending list."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from counter_app.db import reviews
from counter_app.db.database import CounterDB
from counter_app.errors import ValidationError
from tests.reports.conftest import _template, add_file, comp, fixture_db  # noqa: F401 - fixtures shared with tests/reports


@pytest.fixture
def env(fixture_db: tuple[CounterDB, dict]) -> tuple[CounterDB, dict]:  # noqa: F811
    return fixture_db


def test_approve_writes_review_state_and_event(env: tuple[CounterDB, dict]) -> None:
    cdb, info = env
    d1 = info["ids"]["D1"]
    tk = comp(cdb, d1, "TK")
    rid = reviews.approve(cdb, tk, reviewer_id=info["sup"], now=datetime(2026, 11, 23, 9, 0))
    row = cdb.query_one("SELECT * FROM component_reviews WHERE id = ?", (rid,))
    assert row is not None and row["decision"] == "approved" and row["reviewer_id"] == info["sup"]
    assert row["file_id"] == reviews.latest_scan(cdb, tk)["id"]  # type: ignore[index]
    assert cdb.scalar("SELECT review_state FROM dossier_components WHERE id = ?", (tk,)) == "approved"
    ev = cdb.query_one("SELECT * FROM dossier_events WHERE dossier_id = ? AND kind = 'component_review'", (d1,))
    assert ev is not None and json.loads(ev["detail"])["decision"] == "approved"
    assert tk not in {r["component_id"] for r in reviews.pending_reviews(cdb)}


def test_reject_needs_a_reason_and_rolls_back(env: tuple[CounterDB, dict]) -> None:
    cdb, info = env
    tk = comp(cdb, info["ids"]["D1"], "TK")
    before = cdb.scalar("SELECT count(*) FROM component_reviews")
    with pytest.raises(ValidationError):
        reviews.reject(cdb, tk, "  ", reviewer_id=info["sup"])
    assert cdb.scalar("SELECT count(*) FROM component_reviews") == before
    assert cdb.scalar("SELECT review_state FROM dossier_components WHERE id = ?", (tk,)) == "none"


def test_cannot_review_without_a_scan(env: tuple[CounterDB, dict]) -> None:
    cdb, info = env
    d3 = info["ids"]["D3"]
    with pytest.raises(ValidationError):
        reviews.approve(cdb, comp(cdb, d3, "TK"))
    with pytest.raises(ValidationError):
        reviews.approve(cdb, 999_999)
    with pytest.raises(ValueError):
        reviews.review(cdb, comp(cdb, d3, "TK"), "maybe", reviewer_id=None)


def test_rejected_goes_to_its_officer_until_rescanned(env: tuple[CounterDB, dict]) -> None:
    cdb, info = env
    d6 = info["ids"]["D6"]          # received by officer o2; its GCS was rejected in the fixture
    gcs = comp(cdb, d6, "GCS")
    tasks = reviews.rescan_tasks(cdb, info["o2"])
    assert [(t["component_id"], t["reason"]) for t in tasks] == [(gcs, "Ảnh mờ")]
    assert reviews.rescan_tasks(cdb, info["o1"]) == []
    assert gcs not in {r["component_id"] for r in reviews.pending_reviews(cdb)}
    # Rescanned: off the officer's list, back on the supervisor's with a "rescanned" mark.
    add_file(cdb, d6, gcs, at="2026-11-23 09:00:00")
    assert reviews.rescan_tasks(cdb, info["o2"]) == []
    waiting = {r["component_id"]: r for r in reviews.pending_reviews(cdb)}
    assert waiting[gcs]["rescanned"] is True
    reviews.approve(cdb, gcs, reviewer_id=info["sup"])
    assert gcs not in {r["component_id"] for r in reviews.pending_reviews(cdb)}


def test_pending_reviews_newest_first_and_limited(env: tuple[CounterDB, dict]) -> None:
    cdb, _info = env
    rows = reviews.pending_reviews(cdb)
    assert [r["file_id"] for r in rows] == sorted((r["file_id"] for r in rows), reverse=True)
    assert len(reviews.pending_reviews(cdb, limit=1)) == 1
    assert {"code", "component_name", "officer_name", "path", "procedure_name"} <= set(rows[0])


def test_rescan_of_rejected_component_returns_to_review_queue(tmp_path: Path) -> None:
    """Rejected → shows as a rescan task; a new scan puts it back to 'pending' for the supervisor."""
    import numpy as np

    from counter_app.db import reviews
    from counter_app.db.dossiers import ApplicantInput, ComponentInput, ReceptionInput, receive
    from counter_app.domain.calendar import WorkCalendar
    from counter_app.scanning.output import PageImage, ScanMeta
    from counter_app.services.digitise import store_component
    from tests.factories import make_db

    cdb = make_db(tmp_path / "r.db")
    r = receive(cdb, ReceptionInput(procedure_code="1.001193", applicant=ApplicantInput(full_name="Lê Văn Tư"),
                                    components=[ComponentInput("TK"), ComponentInput("GCS"),
                                                ComponentInput("CCCD", "shown")], officer_id=1),
                WorkCalendar.default(), now=datetime(2026, 10, 5, 9, 0))
    comp = cdb.scalar("SELECT id FROM dossier_components WHERE dossier_id = ? AND component_code = 'TK'",
                      (r.dossier_id,))
    page = PageImage(np.full((2339, 1654, 3), 250, np.uint8), 200.0)

    def scan() -> None:
        meta = ScanMeta(dossier_code=r.code or "", component_code="TK", officer_name="Cán bộ",
                        scanned_at=datetime(2026, 10, 5, 10, 0))
        store_component(cdb, tmp_path, comp, [page], meta, None, 1)

    scan()
    reviews.reject(cdb, comp, "Mờ, thiếu góc", reviewer_id=1)
    assert [t["component_id"] for t in reviews.rescan_tasks(cdb, 1)] == [comp]
    scan()
    assert reviews.rescan_tasks(cdb, 1) == []
    assert cdb.scalar("SELECT review_state FROM dossier_components WHERE id = ?", (comp,)) == "pending"

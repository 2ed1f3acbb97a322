"""Issue #16 row 12: an online filing recorded at the counter carries its portal submission time.

Online filings enter the app through the guidance dialog («Đã nộp trực tuyến», db.guidance); the
time the citizen submitted on the portal must reach the dossier and the province's ``NgayNopHoSo``
instead of falling back to the counter's reception time.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from counter_app.db import guidance as g
from counter_app.db.database import CounterDB
from counter_app.db.dossiers import ApplicantInput
from counter_app.errors import ValidationError
from counter_app.sync.mapping import dossier_payload

NOW = datetime(2026, 11, 23, 10, 0, 0)
AN = ApplicantInput(full_name="Nguyễn Văn An", id_number="001090012345")


class _Cal:
    def due_at(self, received_at: datetime, procedure: object) -> datetime:
        return received_at.replace(hour=17, minute=0)


def _filed(cdb: CounterDB, code: str, **kw: object) -> g.SessionResult:
    data = g.SessionInput(procedure_code="1.001193", outcome="filed_online", applicant=AN, portal_code=code,
                          **kw)  # type: ignore[arg-type]
    return g.record_session(cdb, data, _Cal(), now=NOW)  # type: ignore[arg-type]


def test_portal_submission_time_reaches_the_dossier_and_ngay_nop_ho_so(cdb: CounterDB) -> None:
    # Filed at home the evening before, brought to the counter to digitise the papers.
    res = _filed(cdb, "G22.99-261122-0007", submitted_at=datetime(2026, 11, 22, 21, 15, 30, 123))
    row = cdb.query_one("SELECT received_at, submitted_at FROM dossiers WHERE id = ?", (res.dossier_id,))
    assert row is not None and row["submitted_at"].startswith("2026-11-22") and "21:15:30" in row["submitted_at"]
    payload = dossier_payload(cdb, res.dossier_id or 0)
    assert payload["KenhThucHien"] == 2
    assert payload["NgayNopHoSo"] == "20261122211530"
    assert payload["NgayTiepNhan"] == "20261123100000"  # the counter's own reception stays as it was


def test_filed_during_the_guidance_submitted_at_is_the_session_time(cdb: CounterDB) -> None:
    res = _filed(cdb, "G22.99-261123-0001", at=datetime(2026, 11, 23, 9, 42))
    assert cdb.scalar("SELECT submitted_at FROM dossiers WHERE id = ?", (res.dossier_id,)) is not None
    assert dossier_payload(cdb, res.dossier_id or 0)["NgayNopHoSo"] == "20261123094200"


def test_a_submission_after_the_recording_is_refused_in_vietnamese(cdb: CounterDB) -> None:
    with pytest.raises(ValidationError, match="Thời điểm nộp trên Cổng"):
        _filed(cdb, "G22.99-261123-0002", submitted_at=datetime(2026, 11, 23, 11, 0))
    assert cdb.scalar("SELECT count(*) FROM dossiers") == 0

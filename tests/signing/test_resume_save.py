"""Saving a scan session again after the USB token was pulled out mid-batch stores only what is
missing: the components stored before the pull are not stored a second time (real SoftHSM2 token,
real database, real PDFs)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from counter_app.db.database import CounterDB
from counter_app.db.dossiers import ApplicantInput, ComponentInput, ReceptionInput, receive
from counter_app.domain.calendar import WorkCalendar
from counter_app.scanning import pkcs11_signing as p11
from counter_app.scanning import signing
from counter_app.scanning.session import ScanSession
from counter_app.services.digitise import save_session
from counter_app.services.session import Actor
from tests.factories import make_db
from tests.signing.conftest import PIN, SoftToken, needs_softhsm
from tests.signing.test_pkcs11 import _label_of, ca, config

pytestmark = needs_softhsm
NOW = datetime(2026, 12, 6, 9, 30)
ACTOR = Actor(1, "admin", "Quản trị", "admin")  # the account make_db creates, signed in


def _page(seed: int) -> np.ndarray:
    """A small grey page (A7 at 200 dpi) with a dark bar: enough to build a real PDF fast."""
    img = np.full((580, 410, 3), 235, np.uint8)
    img[60 + 20 * seed: 90 + 20 * seed, 40:370] = 30
    return img


def test_save_again_after_token_pulled_stores_each_component_once(softhsm: SoftToken, tmp_path: Path) -> None:
    cdb = make_db(tmp_path / "counter.sqlite3")
    r = receive(cdb, ReceptionInput(
        procedure_code="1.001193", applicant=ApplicantInput(full_name="Lê Văn Minh", id_number="001090012345"),
        components=[ComponentInput("TK"), ComponentInput("GCS"), ComponentInput("CCCD", "shown")], officer_id=1),
        WorkCalendar.default(), now=NOW)
    dossier = cdb.query_one("SELECT * FROM dossiers WHERE id = ?", (r.dossier_id,))
    comps = [int(c["id"]) for c in cdb.query(
        "SELECT id FROM dossier_components WHERE dossier_id = ? AND component_code IN ('TK', 'GCS') ORDER BY id",
        (r.dossier_id,))]
    session = ScanSession(tmp_path / "phien-quet", r.dossier_id)
    for i, cid in enumerate(comps):
        session.assign([session.add(_page(i), 200).uid], cid)

    token_dir = next(d for d in softhsm.tokendir.iterdir() if _label_of(d) == "CB-Rut")
    parked = token_dir.with_name(token_dir.name + ".rut-ra")

    def pull_token() -> None:
        if token_dir.exists():
            token_dir.rename(parked)

    # The token is pulled the moment the first component's file is registered: a real condition in
    # the real save, so the second component's signature meets a token that is gone.
    cdb.conn.create_function("pull_token", 0, pull_token)
    cdb.conn.execute("CREATE TEMP TRIGGER pull_after_first AFTER INSERT ON files "
                     "BEGIN SELECT pull_token(); END")
    signer = signing.OfficerSigner.from_pkcs11(config(softhsm, "CB-Rut"), PIN)
    try:
        with pytest.raises(p11.TokenRemoved):
            save_session(cdb, tmp_path, session, dossier, {}, signer, now=NOW, actor=ACTOR)
    finally:
        cdb.conn.execute("DROP TRIGGER pull_after_first")
        if parked.exists():
            parked.rename(token_dir)  # re-inserted
        signer.close()
    stored = _files_per_component(cdb)
    assert list(stored.values()) == [1] and set(stored) < set(comps), \
        "the pull must come after the first component and before the second"

    again = signing.OfficerSigner.from_pkcs11(config(softhsm, "CB-Rut"), PIN)  # PIN asked again
    try:
        files = save_session(cdb, tmp_path, session, dossier, {}, again, now=NOW, actor=ACTOR)
    finally:
        again.close()
    assert _files_per_component(cdb) == {comps[0]: 1, comps[1]: 1}
    assert len(files) == 2 and all(f.signed and f.path.exists() for f in files)
    # The saved files are whole, signed PDFs (the first from before the pull, the second after).
    for f in files:
        check = signing.check_signature(f.path.read_bytes(), [ca(softhsm)])
        assert check.valid and check.intact
    cdb.close()


def _files_per_component(cdb: CounterDB) -> dict[int, int]:
    return {row["dossier_component_id"]: row["n"] for row in cdb.query(
        "SELECT dossier_component_id, COUNT(*) AS n FROM files WHERE kind = 'scan' GROUP BY 1")}


def test_save_again_restores_only_a_component_whose_pages_changed(tmp_path: Path) -> None:
    """Idempotent but not blind: saving twice stores nothing new; a page rotated in between makes
    its component stored again (the stored file no longer matches what is on screen)."""
    cdb = make_db(tmp_path / "counter.sqlite3")
    r = receive(cdb, ReceptionInput(
        procedure_code="1.001193", applicant=ApplicantInput(full_name="Lê Văn Minh", id_number="001090012345"),
        components=[ComponentInput("TK"), ComponentInput("GCS"), ComponentInput("CCCD", "shown")], officer_id=1),
        WorkCalendar.default(), now=NOW)
    dossier = cdb.query_one("SELECT * FROM dossiers WHERE id = ?", (r.dossier_id,))
    comps = [int(c["id"]) for c in cdb.query(
        "SELECT id FROM dossier_components WHERE dossier_id = ? AND component_code IN ('TK', 'GCS') ORDER BY id",
        (r.dossier_id,))]
    session = ScanSession(tmp_path / "phien-quet", r.dossier_id)
    uids = []
    for i, cid in enumerate(comps):
        uids.append(session.add(_page(i), 200).uid)
        session.assign([uids[-1]], cid)
    first = save_session(cdb, tmp_path, session, dossier, {}, None, now=NOW, actor=ACTOR)
    second = save_session(cdb, tmp_path, session, dossier, {}, None, now=NOW, actor=ACTOR)
    assert sorted(f.file_id for f in second) == sorted(f.file_id for f in first)
    assert _files_per_component(cdb) == {comps[0]: 1, comps[1]: 1}
    session.rotate(uids[1], 90)
    save_session(cdb, tmp_path, session, dossier, {}, None, now=NOW, actor=ACTOR)
    assert _files_per_component(cdb) == {comps[0]: 1, comps[1]: 2}
    cdb.close()

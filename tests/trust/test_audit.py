"""Audit trail: append-only, hash-chained; every kind of tampering is reported by verify_chain."""

from __future__ import annotations

import itertools
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from counter_app.db import audit
from counter_app.db.database import CounterDB
from counter_app.db.dossiers import ApplicantInput, ComponentInput, ReceptionInput, receive, record_apology, transition
from counter_app.domain.calendar import WorkCalendar
from counter_app.domain.lifecycle import Status
from tests.trust.trust_helpers import fresh_db

ID_NUMBER = "001099012345"


@pytest.fixture
def cdb(tmp_path: Path) -> CounterDB:
    return fresh_db(tmp_path / "counter.db")


def _receive(cdb: CounterDB) -> int:
    data = ReceptionInput(
        procedure_code="1.001193",
        applicant=ApplicantInput(full_name="Nguyễn Văn An", id_number=ID_NUMBER, address="12 Hàng Bông"),
        components=[ComponentInput("TK"), ComponentInput("GCS"), ComponentInput("CCCD", "shown")],
        officer_id=1,
    )
    return receive(cdb, data, WorkCalendar(), now=datetime(2026, 10, 5, 9, 0)).dossier_id


def _tamper(path: Path, sql: str, params: tuple[object, ...] = ()) -> None:
    """What someone with a copy of the file can do: drop the triggers and edit."""
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    conn.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    conn.execute(sql, params)
    conn.commit()
    conn.close()


def test_setup_and_dossier_actions_are_chained(cdb: CounterDB) -> None:
    dossier_id = _receive(cdb)
    transition(cdb, dossier_id, Status.PROCESSING, officer_id=1)
    record_apology(cdb, dossier_id, reason="Chờ xác minh", new_due_at=datetime(2027, 1, 1, 9), officer_id=1)
    entries = list(reversed(audit.recent(cdb)))
    actions = [r["action"] for r in entries if r["action"] != "db_change"]
    assert actions == ["user_created", "setup", "receive", "status", "apology"]
    # The triggers' entries (the admin account, the setup's settings) are the app's own.
    changes = [r for r in entries if r["action"] == "db_change"]
    assert changes and not any(r["detail"]["outside"] for r in changes)
    assert {r["object_type"] for r in changes} == {"users", "settings"}
    rows = cdb.query("SELECT * FROM audit_log ORDER BY id")
    assert rows[0]["prev_hash"] == audit.GENESIS
    for before, after in itertools.pairwise(rows):
        assert after["prev_hash"] == before["hash"]
    assert audit.verify_chain(cdb) == []
    # No personal data in the trail: codes and row ids only.
    text = " ".join(r["detail"] + r["object_id"] for r in rows)
    assert ID_NUMBER not in text and "Hàng Bông" not in text and "Nguyễn" not in text


def test_action_and_audit_entry_commit_together(cdb: CounterDB) -> None:
    n = cdb.scalar("SELECT count(*) FROM audit_log")
    with pytest.raises(RuntimeError), cdb.write():
        audit.append(cdb, 1, "print", "dossier", 1)
        raise RuntimeError("the print failed")
    assert cdb.scalar("SELECT count(*) FROM audit_log") == n


def test_triggers_refuse_update_and_delete(cdb: CounterDB) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="append-only"), cdb.write():
        cdb.conn.execute("UPDATE audit_log SET action = 'print'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"), cdb.write():
        cdb.conn.execute("DELETE FROM audit_log")


def test_unknown_action_is_a_bug(cdb: CounterDB) -> None:
    with pytest.raises(ValueError):
        audit.append(cdb, 1, "recieve")


def _chain_of(tmp_path: Path, n: int = 6) -> Path:
    cdb = fresh_db(tmp_path / "c.db")
    for i in range(n):
        audit.append(cdb, 1, "view_citizen", "citizen", i)
    cdb.close()
    return tmp_path / "c.db"


def _breaks(path: Path, **kw: object) -> list[audit.ChainBreak]:
    cdb = CounterDB(path)
    try:
        return audit.verify_chain(cdb, **kw)  # type: ignore[arg-type]
    finally:
        cdb.close()


def test_edited_entry_is_reported_once(tmp_path: Path) -> None:
    path = _chain_of(tmp_path)
    _tamper(path, "UPDATE audit_log SET user_id = 2 WHERE id = 4")
    breaks = _breaks(path)
    assert [(b.entry_id, b.kind) for b in breaks] == [(4, "hash")]
    assert "#4" in breaks[0].message()


def test_edit_with_recomputed_hash_breaks_the_next_link(tmp_path: Path) -> None:
    path = _chain_of(tmp_path)
    conn = sqlite3.connect(path)
    row = conn.execute("SELECT id, at, user_id, action, object_type, object_id, detail, prev_hash "
                       "FROM audit_log WHERE id = 4").fetchone()
    forged = audit.entry_hash(row[0], row[1], 2, *row[3:])
    conn.close()
    _tamper(path, "UPDATE audit_log SET user_id = 2, hash = ? WHERE id = 4", (forged,))
    assert [(b.entry_id, b.kind) for b in _breaks(path)] == [(5, "link")]


def test_deleted_entry_is_reported(tmp_path: Path) -> None:
    path = _chain_of(tmp_path)
    _tamper(path, "DELETE FROM audit_log WHERE id = 3")
    kinds = {(b.entry_id, b.kind) for b in _breaks(path)}
    assert (4, "link") in kinds and (4, "ids") in kinds


def test_deleted_first_entry_is_reported(tmp_path: Path) -> None:
    path = _chain_of(tmp_path)
    _tamper(path, "DELETE FROM audit_log WHERE id = 1")
    assert (2, "link") in {(b.entry_id, b.kind) for b in _breaks(path)}


def test_truncated_tail_is_caught_by_an_anchor(tmp_path: Path) -> None:
    path = _chain_of(tmp_path)
    cdb = CounterDB(path)
    anchor = audit.head(cdb)
    cdb.close()
    _tamper(path, "DELETE FROM audit_log WHERE id >= ?", (anchor[0] - 1,))
    assert _breaks(path) == []  # the chain alone cannot see a cut tail ...
    breaks = _breaks(path, anchors=[anchor])
    assert [(b.entry_id, b.kind) for b in breaks] == [(anchor[0], "anchor")]  # ... the anchor can


def test_rewritten_chain_is_caught_by_an_anchor(tmp_path: Path) -> None:
    path = _chain_of(tmp_path)
    cdb = CounterDB(path)
    anchor = audit.head(cdb)
    cdb.close()
    # Rewrite every hash after changing entry 2, as a careful forger would.
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER audit_log_no_update")
    rows = conn.execute("SELECT id, at, user_id, action, object_type, object_id, detail FROM audit_log "
                        "ORDER BY id").fetchall()
    prev = audit.GENESIS
    for r in rows:
        user = 99 if r[0] == 2 else r[2]
        h = audit.entry_hash(r[0], r[1], user, r[3], r[4], r[5], r[6], prev)
        conn.execute("UPDATE audit_log SET user_id = ?, prev_hash = ?, hash = ? WHERE id = ?", (user, prev, h, r[0]))
        prev = h
    conn.commit()
    conn.close()
    assert _breaks(path) == []
    assert [b.kind for b in _breaks(path, anchors=[anchor])] == ["anchor"]


def test_recent_pages_and_filters(cdb: CounterDB) -> None:
    for i in range(5):
        audit.append(cdb, 1, "print", "dossier", i)
    page = audit.recent(cdb, limit=3, action="print")
    assert [r["object_id"] for r in page] == ["4", "3", "2"]
    assert page[0]["username"] == "admin" and page[0]["action_label"] == "In"
    more = audit.recent(cdb, limit=3, action="print", before_id=page[-1]["id"])
    assert [r["object_id"] for r in more] == ["1", "0"]


def test_two_processes_appending_at_once_keep_one_chain(tmp_path: Path) -> None:
    """The counter and the headless sync process write the same database: BEGIN IMMEDIATE serialises
    them, so no two entries ever chain onto the same previous hash."""
    import subprocess
    import sys

    path = tmp_path / "c.db"
    fresh_db(path).close()
    code = (
        "import sys; from counter_app.db.database import CounterDB; from counter_app.db import audit\n"
        "cdb = CounterDB(sys.argv[1])\n"
        "for i in range(150):\n"
        "    audit.append(cdb, None, 'print', 'dossier', f'{sys.argv[2]}-{i}')\n"
        "cdb.close()\n"
    )
    root = Path(__file__).resolve().parents[2]
    procs = [subprocess.Popen([sys.executable, "-c", code, str(path), tag], cwd=root) for tag in ("a", "b")]
    assert [p.wait(120) for p in procs] == [0, 0]
    cdb = CounterDB(path)
    try:
        assert cdb.scalar("SELECT count(*) FROM audit_log WHERE action = 'print'") == 300
        assert audit.verify_chain(cdb) == []
        assert cdb.scalar("SELECT count(DISTINCT prev_hash) FROM audit_log") == cdb.scalar(
            "SELECT count(*) FROM audit_log")
    finally:
        cdb.close()

"""A small hand-counted database for the supervisor's figures (used by the report tests).

Dossiers (calendar 2026; "now" is Monday 23/11/2026 08:00):

=====  =========  =======  =====================================================================
name   received   channel  what is special
=====  =========  =======  =====================================================================
D1     05/10 9:00    1     TK, GCS scanned (CCCD only shown) → digitised; finished on time;
                           result file (electronic result)
D2     06/10 9:00    1     GCS exempt (TT 03/2025), TK scanned → digitised; finished LATE
                           after an apology with a new date (still late); complaint
D3     07/10 9:00    2     online: not in the digitisation figures; still open → overdue
D4     31/10 16:30   1     received on the LAST DAY of October; GCS not scanned → backlog > 7 days;
                           open → overdue
D5     02/11 9:00    1     chứng thực (4 working hours → due 02/11); supplement pause 02/11 →
                           05/11 (3 working days) moves the deadline to 05/11; finished 05/11
                           11:00, after the original deadline but on time with the pause; its
                           copy reuses D1's scan → reuse, digitised
D6     20/11 9:00    3     postal; TK not scanned; GCS scanned then REJECTED → backlog 0–1 days,
                           rescan; due within 2 working days
D7     05/10 10:00   1     refused at reception: no code, counted nowhere
=====  =========  =======  =====================================================================
"""

from __future__ import annotations

import shutil
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from counter_app.db import dossiers as repo
from counter_app.db import reviews
from counter_app.db.database import CounterDB
from counter_app.domain.calendar import WorkCalendar
from tests.factories import make_db

CAL = WorkCalendar.default()
NOW = datetime(2026, 11, 23, 8, 0)


def add_file(cdb: CounterDB, dossier_id: int, component_id: int | None, kind: str = "scan",
             at: str = "2026-10-05 10:00:00", officer: int | None = None) -> int:
    """A file row (no bytes needed for the figures)."""
    with cdb.write():
        cur = cdb.conn.execute(
            "INSERT INTO files(uid, dossier_id, dossier_component_id, kind, path, name, size, sha256, page_count, "
            "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, 1, 'x', 1, ?, ?)",
            (str(uuid.uuid4()), dossier_id, component_id, kind, f"scans/{uuid.uuid4()}.pdf", "f.pdf", officer, at))
        return int(cur.lastrowid or 0)


def comp(cdb: CounterDB, dossier_id: int, code: str) -> int:
    return int(cdb.scalar("SELECT id FROM dossier_components WHERE dossier_id = ? AND component_code = ?",
                          (dossier_id, code)))


def _receive(cdb: CounterDB, proc: str, at: datetime, comps: list[repo.ComponentInput], channel: int = 1,
             name: str = "Nguyễn Văn A", officer: int | None = None, decision: str = "accept") -> int:
    return repo.receive(cdb, repo.ReceptionInput(
        procedure_code=proc, applicant=repo.ApplicantInput(full_name=name), components=comps, channel=channel,
        officer_id=officer, decision=decision, reason="Không thuộc thẩm quyền" if decision == "refuse" else ""),
        CAL, now=at).dossier_id


def build(cdb: CounterDB) -> dict[str, Any]:
    """Fill ``cdb`` with D1–D7; return their ids and the officer ids."""
    from counter_app.db.setup import add_user

    add_user(cdb, "canbo1", "Nguyễn Thị Lan", "officer", "x")
    add_user(cdb, "canbo2", "Trần Văn Minh", "officer", "x")
    add_user(cdb, "giamsat", "Phạm Quốc Hùng", "supervisor", "x")
    o1 = int(cdb.scalar("SELECT id FROM users WHERE username = 'canbo1'"))
    o2 = int(cdb.scalar("SELECT id FROM users WHERE username = 'canbo2'"))
    sup = int(cdb.scalar("SELECT id FROM users WHERE username = 'giamsat'"))
    birth = [repo.ComponentInput("TK"), repo.ComponentInput("GCS"), repo.ComponentInput("CCCD", "shown")]
    ids: dict[str, int] = {}
    # D1
    ids["D1"] = d1 = _receive(cdb, "1.001193", datetime(2026, 10, 5, 9, 0), birth, officer=o1, name="Lê Văn Một")
    for code in ("TK", "GCS"):
        add_file(cdb, d1, comp(cdb, d1, code), at="2026-10-05 09:30:00", officer=o1)
    repo.transition(cdb, d1, 9, now=datetime(2026, 10, 5, 15, 0))
    add_file(cdb, d1, None, kind="result", at="2026-10-05 15:00:00")
    # D2
    ids["D2"] = d2 = _receive(cdb, "1.001193", datetime(2026, 10, 6, 9, 0), birth, officer=o1, name="Lê Văn Hai")
    with cdb.write():
        cdb.conn.execute("UPDATE dossier_components SET exempt_reason = 'mat' WHERE id = ?", (comp(cdb, d2, "GCS"),))
        cdb.conn.execute("UPDATE dossiers SET complaint = 1 WHERE id = ?", (d2,))
    add_file(cdb, d2, comp(cdb, d2, "TK"), at="2026-10-06 09:30:00", officer=o1)
    repo.record_apology(cdb, d2, reason="Chờ xác minh", new_due_at=datetime(2026, 10, 12, 17, 0),
                        now=datetime(2026, 10, 8, 8, 0))
    repo.transition(cdb, d2, 9, now=datetime(2026, 10, 9, 10, 0))
    # D3 (online)
    ids["D3"] = _receive(cdb, "1.001193", datetime(2026, 10, 7, 9, 0), birth, channel=2, officer=o2,
                         name="Lê Văn Ba")
    # D4: last day of October
    ids["D4"] = d4 = _receive(cdb, "1.001193", datetime(2026, 10, 31, 16, 30), birth, officer=o2,
                              name="Lê Văn Bốn")
    add_file(cdb, d4, comp(cdb, d4, "TK"), at="2026-10-31 16:40:00", officer=o2)
    # D5: supplement pause, reuse of D1's scan
    d1_file = int(cdb.scalar("SELECT id FROM files WHERE dossier_id = ? AND kind = 'scan' ORDER BY id LIMIT 1",
                             (d1,)))
    ids["D5"] = d5 = _receive(cdb, "2.000815", datetime(2026, 11, 2, 9, 0),
                              [repo.ComponentInput("BC", "shown"), repo.ComponentInput("BS", reused_file_id=d1_file)],
                              officer=o1, name="Lê Văn Năm")
    repo.transition(cdb, d5, 5, now=datetime(2026, 11, 2, 10, 0))
    repo.supplement_received(cdb, d5, CAL, now=datetime(2026, 11, 5, 9, 0))
    repo.transition(cdb, d5, 9, now=datetime(2026, 11, 5, 11, 0))
    # D6: postal, a rejected scan
    ids["D6"] = d6 = _receive(cdb, "1.001193", datetime(2026, 11, 20, 9, 0), birth, channel=3, officer=o2,
                              name="Lê Văn Sáu")
    add_file(cdb, d6, comp(cdb, d6, "GCS"), at="2026-11-20 09:30:00", officer=o2)
    reviews.reject(cdb, comp(cdb, d6, "GCS"), "Ảnh mờ", reviewer_id=sup, now=datetime(2026, 11, 20, 14, 0))
    # D7: refused
    ids["D7"] = _receive(cdb, "1.001193", datetime(2026, 10, 5, 10, 0), birth, officer=o1, name="Lê Văn Bảy",
                         decision="refuse")
    return {"ids": ids, "o1": o1, "o2": o2, "sup": sup}


@pytest.fixture(scope="session")
def _template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """Built once per session (set-up hashes passwords, ~1 s); each test gets a copy."""
    path = tmp_path_factory.mktemp("reports-template") / "reports.db"
    cdb = make_db(path)
    info = build(cdb)
    cdb.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    cdb.close()
    return path, info


def copy_fixture(template: tuple[Path, dict[str, Any]], target: Path) -> dict[str, Any]:
    """Copy the template database to ``target``; return its ids."""
    shutil.copyfile(template[0], target)
    return template[1]


@pytest.fixture
def fixture_db(_template: tuple[Path, dict[str, Any]], tmp_path: Path) -> tuple[CounterDB, dict[str, Any]]:
    info = copy_fixture(_template, tmp_path / "reports.db")
    return CounterDB(tmp_path / "reports.db"), info

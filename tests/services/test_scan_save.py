"""Saving a scan session in two stages (issue #17): a pure stage builds the PDF into the session's
staging folder, a short database stage moves it into ``scans/`` and registers it. Crashes between
and inside the stages lose nothing the officer was told was saved and leave no orphan; a save
needs a signed-in officer and is recorded under them.

Real parts: a real database, real PDFs, real files; the crashes are real process exits
(``os._exit`` in a child process at the named point), not simulated states.
"""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pypdf import PdfReader

from counter_app.db import files as dbfiles
from counter_app.db.backup import startup_check
from counter_app.db.database import CounterDB
from counter_app.db.dossiers import ApplicantInput, ComponentInput, ReceptionInput, receive
from counter_app.db.setup import add_user
from counter_app.domain.calendar import WorkCalendar
from counter_app.errors import ValidationError
from counter_app.paths import DataDir
from counter_app.scanning.output import read_staged
from counter_app.scanning.session import ScanSession
from counter_app.services import digitise
from counter_app.services.session import Actor
from tests.factories import make_db

NOW = datetime(2026, 12, 6, 9, 30)
ADMIN = Actor(1, "admin", "Quản trị viên", "admin")  # the account make_db creates


def _page(seed: int) -> np.ndarray:
    """A small grey page (A7 at 200 dpi) with a dark bar: a real PDF, built fast."""
    img = np.full((580, 410, 3), 235, np.uint8)
    img[60 + 20 * seed: 90 + 20 * seed, 40:370] = 30
    return img


def _setup(root: Path) -> tuple[CounterDB, dict[str, object], ScanSession, int]:
    cdb = make_db(root / "counter.sqlite3")
    r = receive(cdb, ReceptionInput(
        procedure_code="1.001193", applicant=ApplicantInput(full_name="Lê Văn Minh", id_number="001090012345"),
        components=[ComponentInput("TK"), ComponentInput("GCS"), ComponentInput("CCCD", "shown")], officer_id=1),
        WorkCalendar.default(), now=NOW)
    dossier = cdb.query_one("SELECT * FROM dossiers WHERE id = ?", (r.dossier_id,))
    assert dossier is not None
    tk = int(cdb.scalar("SELECT id FROM dossier_components WHERE dossier_id = ? AND component_code = 'TK'",
                        (r.dossier_id,)))
    session = ScanSession(root / "tmp" / "scan-sessions" / "s1", r.dossier_id)
    session.assign([session.add(_page(i), 200).uid for i in range(2)], tk)
    return cdb, dossier, session, tk


def _clean_start(root: Path, cdb: CounterDB) -> None:
    """What the officer would see at the next start: no orphan PDF, no interrupted write."""
    assert dbfiles.orphan_scans(cdb, root) == []
    report = startup_check(DataDir(root))
    assert report.ok and report.temp_files == 0 and not report.notes, report


def _crash_in_child(root: Path, point: str) -> None:
    """Save the session in a child process that dies (``os._exit``) at ``point`` of the commit stage."""
    script = textwrap.dedent(f"""
        import os, sys
        from pathlib import Path
        from counter_app.db.database import CounterDB
        from counter_app.scanning.session import ScanSession
        from counter_app.services import digitise
        from counter_app.services.session import Actor
        root = Path({str(root)!r})
        def die(*_a, **_k):
            os._exit(17)
        if {point!r} == "after_rename":
            digitise._fsync_dir = die          # the rename into scans/ is done; COMMIT never runs
        else:
            digitise._record_saved = die       # COMMIT is done; saved.json is never written
        cdb = CounterDB(root / "counter.sqlite3")
        session = ScanSession.reopen(root / "tmp" / "scan-sessions" / "s1")
        dossier = cdb.query_one("SELECT * FROM dossiers WHERE id = ?", (session.dossier_id,))
        digitise.save_session(cdb, root, session, dossier, {{}}, None, actor=Actor(1, "admin", "", "admin"))
        sys.exit(0)
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).resolve().parents[2],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 17, done.stderr[-2000:]


def test_crash_between_the_stages_leaves_no_orphan_and_the_next_save_stores_the_staged_file(tmp_path: Path) -> None:
    cdb, dossier, session, tk = _setup(tmp_path)
    plan = digitise.prepare_save(cdb, tmp_path, session, int(dossier["id"]), {}, ADMIN, NOW)
    (item,) = plan.todo
    staged = digitise.stage_component(plan, item, None)
    # The process dies here: stage 1 finished, stage 2 never ran. Nothing was told "saved".
    cdb.close()
    cdb = CounterDB(tmp_path / "counter.sqlite3")
    assert cdb.scalar("SELECT count(*) FROM files") == 0
    assert not any((tmp_path / "scans").rglob("*.pdf"))
    _clean_start(tmp_path, cdb)
    assert staged.staged_path.is_file() and read_staged(plan.staging) == [staged]

    # The officer saves again a minute later: the staged file is registered, not built again.
    again = ScanSession.reopen(session.folder)
    (stored,) = digitise.save_session(cdb, tmp_path, again, dossier, {}, None,
                                      now=NOW.replace(minute=31), actor=ADMIN)
    assert stored.rel_path == staged.rel_path and stored.sha256 == staged.sha256
    assert stored.path.is_file() and dbfiles.latest_scan_for_component(cdb, tk)["path"] == staged.rel_path  # type: ignore[index]
    assert read_staged(plan.staging) == [] and not staged.staged_path.exists()
    assert cdb.scalar("SELECT count(*) FROM outbox WHERE kind = 'file'") == 1
    _clean_start(tmp_path, cdb)
    cdb.close()


def test_crash_after_the_rename_before_commit_is_undone_by_the_next_save(tmp_path: Path) -> None:
    cdb, dossier, session, tk = _setup(tmp_path)
    cdb.close()
    _crash_in_child(tmp_path, "after_rename")
    cdb = CounterDB(tmp_path / "counter.sqlite3")
    assert cdb.scalar("SELECT count(*) FROM files") == 0  # the transaction never committed
    (orphan,) = dbfiles.orphan_scans(cdb, tmp_path)      # the one window a file sits in scans/ unregistered
    # When the station opens, the file goes back to the session's staging folder: no orphan is left
    # even if nobody saves this session again.
    assert digitise.recover_interrupted_saves(cdb, tmp_path) == 1
    _clean_start(tmp_path, cdb)

    again = ScanSession.reopen(session.folder)
    (stored,) = digitise.save_session(cdb, tmp_path, again, dossier, {}, None, now=NOW, actor=ADMIN)
    assert stored.path == orphan and stored.path.is_file()
    assert cdb.scalar("SELECT count(*) FROM files WHERE dossier_component_id = ?", (tk,)) == 1
    _clean_start(tmp_path, cdb)
    cdb.close()


def test_crash_after_commit_before_the_session_record_never_stores_twice(tmp_path: Path) -> None:
    cdb, dossier, session, tk = _setup(tmp_path)
    cdb.close()
    _crash_in_child(tmp_path, "after_commit")
    cdb = CounterDB(tmp_path / "counter.sqlite3")
    (row,) = cdb.query("SELECT id, path FROM files WHERE dossier_component_id = ?", (tk,))
    assert (tmp_path / row["path"]).is_file()
    _clean_start(tmp_path, cdb)

    again = ScanSession.reopen(session.folder)
    (stored,) = digitise.save_session(cdb, tmp_path, again, dossier, {}, None, now=NOW, actor=ADMIN)
    assert stored.file_id == row["id"]
    assert cdb.scalar("SELECT count(*) FROM files WHERE dossier_component_id = ?", (tk,)) == 1
    assert cdb.scalar("SELECT count(*) FROM outbox WHERE kind = 'file'") == 1
    cdb.close()


def test_a_failed_commit_puts_the_file_back_and_registers_nothing(tmp_path: Path) -> None:
    """A transaction that fails (here: the officer's account was deleted meanwhile, the foreign key
    refuses the row) leaves no file under scans/ and the staged file ready for the next attempt."""
    cdb, dossier, session, _tk = _setup(tmp_path)
    plan = digitise.prepare_save(cdb, tmp_path, session, int(dossier["id"]), {}, ADMIN, NOW)
    (item,) = plan.todo
    staged = digitise.stage_component(plan, item, None)
    broken = digitise.SavePlan(plan.data_root, plan.session, plan.dossier_id, 999, plan.todo, plan.done, plan.now)
    with pytest.raises(Exception, match="FOREIGN KEY"):
        digitise.commit_plan_item(cdb, broken, item, staged)
    assert cdb.scalar("SELECT count(*) FROM files") == 0
    assert not (tmp_path / staged.rel_path).exists() and staged.staged_path.is_file()
    _clean_start(tmp_path, cdb)
    stored = digitise.commit_plan_item(cdb, plan, item, staged)
    assert stored.path.is_file() and stored.sha256 == staged.sha256
    cdb.close()


def test_a_save_needs_a_signed_in_officer_and_is_recorded_under_them(tmp_path: Path) -> None:
    cdb, dossier, session, tk = _setup(tmp_path)
    with pytest.raises(ValidationError) as err:
        digitise.save_session(cdb, tmp_path, session, dossier, {}, None, now=NOW, actor=None)
    assert "Chưa đăng nhập" in err.value.user_message()
    assert cdb.scalar("SELECT count(*) FROM files") == 0

    binh_id = add_user(cdb, "binh", "Trần Văn Bình", "officer", "Mat-khau-dai-2026!", actor_id=1)
    officer = Actor(binh_id, "binh", "Trần Văn Bình", "officer")
    (stored,) = digitise.save_session(cdb, tmp_path, session, dossier, {}, None, now=NOW, actor=officer)
    row = dbfiles.latest_scan_for_component(cdb, tk)
    assert row is not None and row["created_by"] == binh_id and row["meta"]["officer"] == "Trần Văn Bình"
    assert cdb.scalar("SELECT user_id FROM audit_log WHERE action = 'scan' ORDER BY id DESC LIMIT 1") == binh_id
    info = PdfReader(io.BytesIO(stored.path.read_bytes())).metadata
    assert info is not None and info["/CanBo"] == "Trần Văn Bình"  # the stamp names who digitised it
    cdb.close()


def test_a_staged_file_of_another_officer_is_not_reused(tmp_path: Path) -> None:
    """Officer A's staged PDF carries A's name: if B saves the session, B's own copy is built."""
    cdb, dossier, session, _tk = _setup(tmp_path)
    plan = digitise.prepare_save(cdb, tmp_path, session, int(dossier["id"]), {}, ADMIN, NOW)
    staged = digitise.stage_component(plan, plan.todo[0], None)
    binh_id = add_user(cdb, "binh", "Trần Văn Bình", "officer", "Mat-khau-dai-2026!", actor_id=1)
    (stored,) = digitise.save_session(cdb, tmp_path, session, dossier, {}, None, now=NOW,
                                      actor=Actor(binh_id, "binh", "Trần Văn Bình", "officer"))
    assert stored.sha256 != staged.sha256
    info = PdfReader(io.BytesIO(stored.path.read_bytes())).metadata
    assert info is not None and info["/CanBo"] == "Trần Văn Bình"
    cdb.close()


# ------------------------------------------------------------------------------ the station's controller
def test_save_run_alternates_pool_and_database_stages_and_keeps_what_was_stored(tmp_path: Path) -> None:
    """The scan station's save, driven as the UI drives it but on one thread (Picard's FakeThreadPool
    idea): the database sees only prepare and one short commit per component; the pool builds and
    signs. A failure on the second component keeps the first stored and reports the error."""
    from counter_app.services.scan_station import SaveRun

    cdb, dossier, session, tk = _setup(tmp_path)
    gcs = int(cdb.scalar("SELECT id FROM dossier_components WHERE dossier_id = ? AND component_code = 'GCS'",
                         (dossier["id"],)))
    session.assign([session.add(_page(5), 200).uid], gcs)
    trail: list[str] = []

    def submit_db(fn: Callable[[CounterDB], Any], ok: Callable[[Any], None],
                  err: Callable[[BaseException], None]) -> None:
        trail.append("db")
        try:
            result = fn(cdb)
        except Exception as exc:
            err(exc)
        else:
            ok(result)

    def run_pool(fn: Callable[[], Any], ok: Callable[[Any], None], err: Callable[[BaseException], None]) -> None:
        trail.append("pool")
        try:
            result = fn()
        except Exception as exc:
            err(exc)
        else:
            ok(result)

    done: list[list[Any]] = []
    errors: list[BaseException] = []
    SaveRun(submit_db, run_pool, data_root=tmp_path, session=session, dossier_id=int(dossier["id"]), declared={},
            actor=ADMIN, signer=None, on_done=done.append, on_error=errors.append).start()
    assert not errors and [f.page_count for f in done[0]] == [2, 1]
    assert trail == ["db", "pool", "db", "pool", "db", "pool"]  # prepare; stage+commit ×2; the last record

    # The second component's page is turned: only it is stored again. Its build fails (the session's
    # page file is gone), the first stays as stored and the officer reads why.
    session.rotate(session.component_pages(gcs)[0].uid, 90)
    (session.folder / f"{session.component_pages(gcs)[0].uid}.proc.jpg").unlink(missing_ok=True)
    (session.folder / f"{session.component_pages(gcs)[0].uid}.orig.jpg").unlink()
    SaveRun(submit_db, run_pool, data_root=tmp_path, session=session, dossier_id=int(dossier["id"]), declared={},
            actor=ADMIN, signer=None, on_done=done.append, on_error=errors.append).start()
    assert len(errors) == 1 and len(done) == 1
    assert cdb.scalar("SELECT count(*) FROM files WHERE dossier_component_id = ?", (tk,)) == 1
    cdb.close()


def test_station_state_without_qt(tmp_path: Path) -> None:
    """The station's decisions (new session, pending pages, table rows, may it save) need no widget."""
    from counter_app.services.scan_station import ScanStation, load_dossier

    cdb, dossier, _session, _tk = _setup(tmp_path)
    station = ScanStation(tmp_path)
    assert station.why_not_save() == "Chưa có trang để lưu."
    d, comps = load_dossier(cdb, str(dossier["code"]))
    assert d is not None and [c["component_code"] for c in comps] == ["TK", "GCS"]  # CCCD was only shown
    assert station.adopt_dossier(d, comps) is True and station.session is not None
    assert station.adopt_dossier(d, comps) is False  # the same dossier keeps its session
    session = station.session
    uid = session.add(_page(0), 200).uid
    station.page_queued()
    assert station.why_not_save() == "Chờ xử lý xong các trang rồi lưu."
    station.page_finished()
    assert station.why_not_save() is None
    assert station.assign([uid], 1) and station.component_label(comps[1]["id"]) == "GCS"
    rows = station.component_rows([0, 3])
    assert [(r.pages, r.state) for r in rows] == [(0, "Chưa số hóa"), (1, "Lệch số trang (1 ảnh / 3 tờ)")]
    assert station.declared_by_component([0, 3]) == {comps[1]["id"]: 3}
    station.finish_saved()
    assert station.session is None and not session.folder.exists()
    cdb.close()

"""Looking at a citizen's data, printing and exporting leave audit entries (who, what, when) — and no
personal values in them. Driven through the real detail dialog and DB worker."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from counter_app.db import audit
from counter_app.db import dossiers as repo
from counter_app.db.database import CounterDB
from counter_app.db.setup import add_user
from counter_app.domain.calendar import WorkCalendar
from counter_app.services import access
from counter_app.services.session import Actor
from counter_app.ui.dossier_detail import DossierDetail
from counter_app.ui.qt import QPushButton
from counter_app.ui.tasks import DbWorker
from tests.factories import make_db

IDN = "001090012345"


@pytest.fixture
def env(qtbot: QtBot, tmp_path: Path) -> Iterator[tuple[DbWorker, Path, int, int]]:
    cdb = make_db(tmp_path / "counter.sqlite3")
    officer = add_user(cdb, "canbo9", "Ngô Cán Bộ", "officer", None)
    r = repo.receive(cdb, repo.ReceptionInput(
        procedure_code="1.001193",
        applicant=repo.ApplicantInput(full_name="Đỗ Thị Mai", id_number=IDN, phone="0912345678"),
        components=[repo.ComponentInput("TK"), repo.ComponentInput("GCS"), repo.ComponentInput("CCCD", "shown")],
    ), WorkCalendar.default(), now=datetime(2026, 11, 20, 9, 0))
    cdb.close()
    worker = DbWorker(tmp_path / "counter.sqlite3")
    with qtbot.waitSignal(worker.ready, timeout=10000):
        worker.start()
    worker.actor = Actor(officer, "canbo9", "Ngô Cán Bộ", "officer")  # signed in (issue #17: no fallback)
    yield worker, tmp_path, r.dossier_id, officer
    worker.stop()


def _entries(path: Path, action: str) -> list[dict[str, object]]:
    cdb = CounterDB(path, migrate=False)
    try:
        return [e for e in audit.recent(cdb, limit=500) if e["action"] == action]
    finally:
        cdb.close()


def test_opening_and_printing_a_dossier_is_audited_under_the_officer(
        qtbot: QtBot, env: tuple[DbWorker, Path, int, int]) -> None:
    worker, root, did, officer = env
    dlg = DossierDetail(worker, root, did)
    dlg.no_preview = True
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: IDN in dlg.header.text(), timeout=10000)
    views = _entries(root / "counter.sqlite3", "view_citizen")
    assert len(views) == 1 and views[0]["user_id"] == officer and str(views[0]["object_id"]) == str(did)
    printed = next(b for b in dlg.findChildren(QPushButton) if b.text().startswith("In giấy tiếp nhận"))
    printed.click()
    qtbot.waitUntil(lambda: dlg.last_pdf is not None, timeout=20000)
    prints = _entries(root / "counter.sqlite3", "print")
    assert len(prints) == 1 and prints[0]["user_id"] == officer
    dlg.reload()  # a refresh after an action is not a second look
    qtbot.wait(300)
    assert len(_entries(root / "counter.sqlite3", "view_citizen")) == 1
    cdb = CounterDB(root / "counter.sqlite3", migrate=False)
    try:
        text = json.dumps(audit.recent(cdb, limit=500), ensure_ascii=False, default=str)
        assert IDN not in text and "0912345678" not in text  # codes and ids only
        assert audit.verify_chain(cdb) == []
    finally:
        cdb.close()


def test_citizen_lookup_and_export_are_audited(tmp_path: Path) -> None:
    cdb = make_db(tmp_path / "counter.sqlite3")
    repo.receive(cdb, repo.ReceptionInput(
        procedure_code="1.001193", applicant=repo.ApplicantInput(full_name="Đỗ Thị Mai", id_number=IDN),
        components=[repo.ComponentInput("TK"), repo.ComponentInput("GCS"), repo.ComponentInput("CCCD", "shown")]),
        WorkCalendar.default(), now=datetime(2026, 11, 20, 9, 0))
    assert access.lookup_citizen(cdb, "079090000001", None) is None  # nobody: nothing viewed, nothing written
    assert [e for e in audit.recent(cdb) if e["action"] == "view_citizen"] == []
    found = access.lookup_citizen(cdb, IDN, None)
    assert found is not None and found["id_number"] == IDN
    access.record_export(cdb, None, "monthly_report", {"month": "2026-10", "format": "csv"})
    actions = [e["action"] for e in audit.recent(cdb)]
    assert actions[:2] == ["export", "view_citizen"]
    cdb.close()


def test_digitising_and_reviewing_a_component_are_audited(tmp_path: Path) -> None:
    from counter_app.db import reviews
    from tests.trust.trust_helpers import make_data_dir, receive_one, scan_component

    data, cdb = make_data_dir(tmp_path / "data")
    try:
        dossier_id = receive_one(cdb)
        f = scan_component(data.root, cdb, dossier_id)
        component = cdb.scalar("SELECT dossier_component_id FROM files WHERE id = ?", (f.file_id,))
        reviews.reject(cdb, component, "Ảnh mờ, không đọc được số", reviewer_id=1)
        entries = {e["action"]: e for e in audit.recent(cdb, limit=20)}
        assert entries["scan"]["user_id"] == 1 and str(entries["scan"]["object_id"]) == str(f.file_id)
        assert entries["review"]["user_id"] == 1 and str(entries["review"]["object_id"]) == str(component)
        assert audit.verify_chain(cdb) == []
    finally:
        cdb.close()


def test_archive_check_names_the_damaged_file_and_its_dossier(qtbot: QtBot, tmp_path: Path) -> None:
    """Supervisor's «Kiểm tra kho bản số hóa» and `counter-app check`: a changed scan is found and named."""
    from counter_app.cli import main
    from counter_app.ui.login import AuditPanel
    from tests.trust.trust_helpers import make_data_dir, receive_one, scan_component

    data, cdb = make_data_dir(tmp_path / "data")
    dossier_id = receive_one(cdb)
    code = cdb.scalar("SELECT code FROM dossiers WHERE id = ?", (dossier_id,))
    f = scan_component(data.root, cdb, dossier_id)
    cdb.close()
    worker = DbWorker(data.database)
    with qtbot.waitSignal(worker.ready, timeout=10000):
        worker.start()
    try:
        panel = AuditPanel(worker)
        qtbot.addWidget(panel)
        with qtbot.waitSignal(panel.verified, timeout=20000) as good:
            panel.archive_button.click()
        assert good.args == [True] and "1 tệp, tất cả còn nguyên" in panel.report.text()
        assert main(["check", "--data-dir", str(data.root)]) == 0
        damaged = bytearray(f.path.read_bytes())
        damaged[len(damaged) // 2] ^= 0xFF  # one flipped byte, as a failing disk would
        f.path.write_bytes(bytes(damaged))
        with qtbot.waitSignal(panel.verified, timeout=20000) as bad:
            panel.archive_button.click()
        assert bad.args == [False] and f.rel_path in panel.report.text() and code in panel.report.text()
        assert "khôi phục" in panel.report.text()
        assert main(["check", "--data-dir", str(data.root)]) == 1
    finally:
        worker.stop()

"""«Tải kết quả từ tỉnh» in the dossier detail of another counter's dossier (issue #19), against the
real simulator process: offline first (a clear Vietnamese sentence, the button usable again), then
the download, and the document opened as a real PDF.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from counter_app.domain.lifecycle import Status
from counter_app.services import ward
from counter_app.services.session import Actor
from counter_app.sync import protocol as p
from counter_app.sync.client import ClientConfig, ProvincialClient
from counter_app.sync.worker import SyncConfig, sync_once
from counter_app.ui.dossier_detail import DossierDetail
from counter_app.ui.printing import load_pdf
from counter_app.ui.tasks import DbWorker
from tests.sync.conftest import Counter, RunningSimulator, SimulatorFactory, add_dossiers, build_counter

FAST = SyncConfig(backoff_base=0.05, backoff_cap=0.5, catalogue_interval=None)
AGENCY = "H01.91.07"


def _sync(counter: Counter, sim: RunningSimulator) -> None:
    with ProvincialClient(ClientConfig(sim.url, "demo", "demo", retry_delay=0.01)) as client:
        report = sync_once(counter.cdb, counter.root, client, config=FAST)
    assert report.error is None, report.error


@pytest.fixture
def replica(tmp_path: Path) -> Iterator[tuple[Counter, RunningSimulator, int]]:
    """Counter B holding counter A's decided dossier as a replica (results listed, not downloaded)."""
    factory = SimulatorFactory(tmp_path / "province")
    sim = factory.start("--progress-speed", "0.2", "--tick", "0.1", "--supplement-rate", "0")
    made: list[Counter] = []
    try:
        for slot in (0, 1):
            c = build_counter(tmp_path / f"quay{slot}", endpoint=sim.url, agency=AGENCY)
            c.cdb.set_setting("workstation_slot", slot)
            made.append(c)
        a, b = made
        add_dossiers(a, 1)
        _sync(a, sim)
        deadline = time.monotonic() + 20
        while sim.admin(p.ADMIN_DOSSIERS_PATH)["dossiers"][0]["status"] != int(Status.DONE):
            assert time.monotonic() < deadline, "the simulator did not decide the dossier"
            time.sleep(0.1)
        _sync(b, sim)
        did = int(b.cdb.scalar("SELECT id FROM dossiers WHERE owner_counter <> ''"))
        assert b.cdb.scalar("SELECT COUNT(*) FROM files WHERE dossier_id = ?", (did,)) == 0
        yield b, sim, did
    finally:
        for c in made:
            c.cdb.close()
        factory.close()


def test_result_documents_of_another_counters_dossier_download_on_demand(
        qtbot: QtBot, replica: tuple[Counter, RunningSimulator, int]) -> None:
    b, sim, did = replica
    b.cdb.set_setting("provincial_endpoint", "http://127.0.0.1:9")   # nothing listens: offline
    worker = DbWorker(b.cdb.path)
    worker.actor = Actor(1, "admin", "Nguyễn Thị Quầy", "admin")
    with qtbot.waitSignal(worker.ready, timeout=10000):
        worker.start()
    try:
        dlg = DossierDetail(worker, b.root, did)
        qtbot.addWidget(dlg)
        dlg.no_preview = True
        dlg.show()
        qtbot.waitUntil(lambda: dlg.fetch_btn is not None and dlg.result_table is not None, timeout=10000)
        assert "quầy khác" in dlg.header.text()
        assert dlg.comp_table is not None and dlg.comp_table.isHidden()   # no empty table taking half the dialog
        assert dlg.result_table is not None and "Chưa tải" in dlg.result_table.item(0, 1).text()
        dlg.open_result(0)                                   # not here yet: said, nothing opened
        assert dlg.last_pdf is None and "chưa có trên máy" in dlg.results_status.text()

        assert dlg.fetch_btn is not None
        dlg.fetch_btn.click()
        assert not dlg.fetch_btn.isEnabled()                 # one download at a time
        qtbot.waitUntil(lambda: not dlg.fetching, timeout=15000)
        assert ward.OFFLINE_TEXT in dlg.results_status.text()
        assert dlg.fetch_btn.isEnabled() and dlg.fetch_btn.text() == "Tải kết quả từ tỉnh"

        b.cdb.set_setting("provincial_endpoint", sim.url)    # the network is back
        dlg.fetch_btn.click()
        qtbot.waitUntil(lambda: "Đã tải 1 giấy tờ" in dlg.results_status.text(), timeout=15000)
        qtbot.waitUntil(lambda: dlg.result_table is not None and bool(dlg.result_docs[0]["path"]), timeout=10000)
        assert "Đã tải về máy" in dlg.result_table.item(0, 1).text()
        dlg.open_result(0)
        assert dlg.last_pdf is not None and dlg.last_pdf.is_file()
        assert len(load_pdf(dlg.last_pdf)) >= 1              # a real PDF, as the province holds it
        assert b.cdb.scalar("SELECT COUNT(*) FROM files WHERE dossier_id = ? AND kind = 'result'", (did,)) == 1
    finally:
        worker.stop()

"""The sync page and status bar while the provincial system goes away and comes back (real simulator)."""

from __future__ import annotations

import datetime
import socket
from pathlib import Path

from pytestqt.qtbot import QtBot

from counter_app.paths import DataDir
from counter_app.sync.status import queue_status
from counter_app.ui.sync_page import SyncPage, SyncRunner, status_text
from counter_app.ui.tasks import DbWorker
from tests.sync.conftest import SimulatorFactory, add_dossiers, build_counter


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_offline_then_back_online(qtbot: QtBot, tmp_path: Path) -> None:
    factory = SimulatorFactory(tmp_path)
    port = _free_port()
    sim = factory.start("--port", str(port), "--no-progress")
    counter = build_counter(tmp_path / "counter", endpoint=sim.url)
    counter.cdb.set_setting("sync_catalogue_hours", 0)  # keep the test catalogue: no province updates here
    add_dossiers(counter, 5)
    worker = DbWorker(counter.db_path)
    with qtbot.waitSignal(worker.ready, timeout=10000):
        worker.start()
    runner = SyncRunner(DataDir(counter.root))
    page = SyncPage(worker, runner)
    qtbot.addWidget(page)
    page.show()
    try:
        with qtbot.waitSignal(runner.pass_done, timeout=60000) as first:
            runner.start()
        assert first.args[0].ok
        st = queue_status(counter.cdb)
        assert st.unsynced == 0
        assert "Trực tuyến" in status_text(st, 2)[0]

        sim.stop()  # the ward's network goes down
        add_dossiers(counter, 2, start=datetime.datetime(2026, 10, 6, 9, 0), seed=1)
        with qtbot.waitSignal(runner.pass_done, timeout=60000) as offline:
            runner.wake()
        assert offline.args[0].error is not None and offline.args[0].error.kind == "unreachable"
        st = queue_status(counter.cdb)
        text, _colour = status_text(st, 2)
        assert "Ngoại tuyến" in text and "Chờ gửi" in text and st.unsynced > 0
        page.refresh()
        qtbot.waitUntil(lambda: page.table.rowCount() > 0 and "Không kết nối" in page.summary.text(), timeout=10000)

        sim2 = factory.start("--port", str(port), "--no-progress", data_dir=sim.data_dir)  # back online
        with qtbot.waitSignal(runner.pass_done, timeout=60000) as back:
            runner.wake()  # the next timer pass: entries delayed by the outage go at once, no backoff wait
        assert back.args[0].ok, back.args[0]
        assert queue_status(counter.cdb).unsynced == 0
        held = sim2.admin("/admin/dossiers")
        rows = held["dossiers"] if isinstance(held, dict) else held
        assert len(rows) == 7
    finally:
        runner.stop()
        worker.stop()
        factory.close()
        counter.cdb.close()

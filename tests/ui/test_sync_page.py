"""The sync page and status bar while the provincial system goes away and comes back (real simulator)."""

from __future__ import annotations

import datetime
import socket
from pathlib import Path

from pytestqt.qtbot import QtBot

from counter_app.paths import DataDir
from counter_app.sync.status import queue_status
from counter_app.ui.sync_page import SyncPage, SyncRunner, status_text, status_tooltip
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
        # Said once, by the dot: the status bar of a 1280-pixel screen has no room for a repeat.
        assert "Không kết nối" not in text and "Không kết nối" in status_tooltip(st, 2)
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


def test_status_bar_line_is_short_and_warns_of_an_old_queue() -> None:
    """The ward's screenshot showed the warning cut off at the right edge: the line must fit."""
    from counter_app.sync.status import QueueStatus

    old = QueueStatus(counts={"pending": 25}, oldest_unsynced_age=13 * 86400.0, last_error_kind="unreachable",
                      last_success_at=datetime.datetime(2026, 11, 10, 16, 5))
    text, colour = status_text(old, 2)
    assert text.startswith("⚠") and colour == "#b00"
    assert text.count("Ngoại tuyến") == 1 and "Không kết nối" not in text
    assert len(text) <= 90, text
    tip = status_tooltip(old, 2)
    assert "Không kết nối được máy chủ" in tip and "quá 2 ngày" in tip
    fresh = QueueStatus(counts={"pending": 1}, oldest_unsynced_age=600.0, last_error_kind="login")
    text, colour = status_text(fresh, 2)
    assert text.startswith("● Sai tài khoản đồng bộ") and text.count("Sai tài khoản") == 1 and colour == "#b00"


def test_status_follows_the_server_within_seconds_without_new_work(qtbot: QtBot, tmp_path: Path) -> None:
    """Issue #14: «Trực tuyến» stayed 22 s after the server stopped (the engine only talks to it when
    there is work or once a minute), and the offline hint sent officers to «Cài đặt»."""
    import time

    factory = SimulatorFactory(tmp_path)
    port = _free_port()
    sim = factory.start("--port", str(port), "--no-progress")
    counter = build_counter(tmp_path / "counter", endpoint=sim.url)
    counter.cdb.set_setting("sync_catalogue_hours", 0)
    add_dossiers(counter, 2)
    worker = DbWorker(counter.db_path)
    with qtbot.waitSignal(worker.ready, timeout=10000):
        worker.start()
    runner = SyncRunner(DataDir(counter.root))
    page = SyncPage(worker, runner)
    qtbot.addWidget(page)
    page.show()  # showing the page loads it, and hands the endpoint to the heartbeat
    qtbot.waitUntil(lambda: runner.endpoint == sim.url, timeout=10000)
    try:
        with qtbot.waitSignal(runner.pass_done, timeout=60000) as first:
            runner.start()
        assert first.args[0].ok and queue_status(counter.cdb).unsynced == 0

        sim.stop()
        t0 = time.monotonic()
        # No new dossier, no «Đồng bộ ngay»: only the heartbeat can notice.
        qtbot.waitUntil(lambda: "Ngoại tuyến" in status_text(queue_status(counter.cdb), 2)[0], timeout=15000)
        went_offline = time.monotonic() - t0
        assert went_offline < 10, went_offline
        page.refresh()
        qtbot.waitUntil(lambda: "Ngoại tuyến" in page.summary.text(), timeout=10000)
        text = page.summary.text()
        assert "dây mạng" in text and "Cài đặt" not in text
        assert "Không kết nối được máy chủ của tỉnh" in page.summary.toolTip()  # the engine's words, for the admin

        factory.start("--port", str(port), "--no-progress", data_dir=sim.data_dir)
        t1 = time.monotonic()
        qtbot.waitUntil(lambda: "Trực tuyến" in status_text(queue_status(counter.cdb), 2)[0], timeout=15000)
        back = time.monotonic() - t1
        assert back < 10, back
    finally:
        runner.stop()
        worker.stop()
        factory.close()
        counter.cdb.close()


def test_page_and_status_bar_count_the_same_entries_as_soon_as_the_page_opens(
        qtbot: QtBot, tmp_path: Path) -> None:
    """Issue #14: the page said 25 while the status bar said 29 — it was only reloaded by its timer."""
    counter = build_counter(tmp_path / "counter", endpoint="http://127.0.0.1:9")
    add_dossiers(counter, 3)
    worker = DbWorker(counter.db_path)
    with qtbot.waitSignal(worker.ready, timeout=10000):
        worker.start()
    page = SyncPage(worker, None)
    qtbot.addWidget(page)
    try:
        page.show()
        qtbot.waitUntil(lambda: page.status is not None, timeout=10000)
        page.hide()
        add_dossiers(counter, 2, start=datetime.datetime(2026, 10, 6, 9, 0), seed=1)
        bar_text = status_text(queue_status(counter.cdb), 2)[0]
        waiting = queue_status(counter.cdb).counts["pending"]
        page.show()  # F5: no timer tick needed
        qtbot.waitUntil(lambda: f"Chờ gửi: {waiting} " in page.summary.text(), timeout=3000)
        assert f"Chờ gửi {waiting}" in bar_text and bar_text in page.summary.text()
    finally:
        worker.stop()
        counter.cdb.close()


def test_officers_see_the_connection_read_only(qtbot: QtBot, tmp_path: Path) -> None:
    """The connection (server, account, password) is the admin's: an officer reads it, never edits it."""
    counter = build_counter(tmp_path / "counter", endpoint="http://127.0.0.1:9")
    worker = DbWorker(counter.db_path)
    with qtbot.waitSignal(worker.ready, timeout=10000):
        worker.start()
    page = SyncPage(worker, None)
    qtbot.addWidget(page)
    try:
        page.show()
        qtbot.waitUntil(lambda: page.endpoint.text() == "http://127.0.0.1:9", timeout=10000)
        page.set_editable(False)
        assert page.endpoint.isReadOnly() and page.username.isReadOnly()
        assert page.save_btn.isHidden() and page.password.isHidden() and not page.config_note.isHidden()
        page.endpoint.setText("http://evil.example")  # even if a field were changed somehow
        page.save_config()
        barrier: list[object] = []
        worker.submit(lambda cdb: cdb.get_setting("provincial_endpoint"), barrier.append)  # FIFO: after any save
        qtbot.waitUntil(lambda: bool(barrier), timeout=10000)
        assert barrier == ["http://127.0.0.1:9"]
        page.set_editable(True)
        assert not page.endpoint.isReadOnly() and not page.save_btn.isHidden()
        page.endpoint.setText("http://127.0.0.1:8")
        page.save_config()
        qtbot.waitUntil(lambda: counter.cdb.get_setting("provincial_endpoint") == "http://127.0.0.1:8", timeout=10000)
    finally:
        worker.stop()
        counter.cdb.close()

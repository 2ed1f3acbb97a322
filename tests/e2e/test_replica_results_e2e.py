"""Issue #19 under X with real keys: at counter B, the admin opens a dossier received at counter A and
asks for its result from the province, offline first (nothing stored, the sentence on screen), then
online: the PDF is stored and opens in the preview. (The supervised-units setting is pinned by
tests/ui/test_settings_units.py.)"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.conftest import PASSPHRASE, closed_port, main_window, set_settings, unlock_and_login
from tests.e2e.xsession import App, Window, wait_for

pytestmark = pytest.mark.e2e


def _replica_at_b(tmp_path: Path, demo_template: Path, sim_url: str, admin: Callable[..., object]) -> Path:
    """Counter A (slot 3 of the demo's agency) receives a dossier the simulator decides; the demo
    directory (counter B, slot 0) pulls it as a replica. Returns B's data directory."""
    from counter_app import vault
    from counter_app.db.database import CounterDB
    from counter_app.sync import protocol as p
    from counter_app.sync.client import ClientConfig, ProvincialClient
    from counter_app.sync.worker import SyncConfig, sync_once
    from tests.sync.conftest import add_dossiers, build_counter

    fast = SyncConfig(backoff_base=0.05, backoff_cap=0.5, catalogue_interval=None)
    a = build_counter(tmp_path / "quay-a", endpoint=sim_url, agency="H01.37.01")
    try:
        a.cdb.set_setting("workstation_slot", 3)
        add_dossiers(a, 1)
        with ProvincialClient(ClientConfig(sim_url, "demo", "demo", retry_delay=0.01)) as client:
            assert sync_once(a.cdb, a.root, client, config=fast).error is None
    finally:
        a.cdb.close()
    wait_for("the province decides A's dossier", lambda: all(
        d["status"] == 9 for d in admin(p.ADMIN_DOSSIERS_PATH)["dossiers"]), 20, 0.1)  # type: ignore[index]
    data = tmp_path / "data"
    shutil.copytree(demo_template, data)
    vault.open_with_passphrase(data, PASSPHRASE)
    b = CounterDB(data / "counter.sqlite3")
    try:
        with ProvincialClient(ClientConfig(sim_url, "demo", "demo", retry_delay=0.01)) as client:
            report = sync_once(b, data, client, config=fast)
        assert report.error is None and report.replicas == 1, report
    finally:
        b.close()
        vault.lock(data)
    return data


def _red_text_above_buttons(app: App, detail: Window) -> bool:
    """Whether the strip above the detail's buttons holds text in the UI's error colour (#b00020)."""
    import numpy as np

    g = app.geometry(detail)
    top = g["Y"] + g["HEIGHT"] - 80
    strip = app.frame()[top:top + 45, g["X"]:g["X"] + g["WIDTH"]].astype(int)
    return int((np.abs(strip - np.array((0xB0, 0x00, 0x20))).max(axis=2) <= 40).sum()) >= 40


def test_results_of_another_counters_dossier_offline_then_online(
        launch: Callable[..., App], demo_template: Path, tmp_path: Path) -> None:
    from tests.sync.conftest import SimulatorFactory

    factory = SimulatorFactory(tmp_path / "sim")
    try:
        sim = factory.start("--progress-speed", "0.2", "--tick", "0.1", "--supplement-rate", "0")
        data = _replica_at_b(tmp_path, demo_template, sim.url, sim.admin)
        set_settings(data, provincial_endpoint=f"http://127.0.0.1:{closed_port()}")   # offline first
        app = launch(data_dir=data)
        replica = app.query("SELECT id, code FROM dossiers WHERE owner_counter <> ''")[0]
        results = "SELECT COUNT(*) FROM files WHERE dossier_id = ? AND kind = 'result'"
        unlock_and_login(app, "admin")
        app.activate(main_window(app))
        app.key("F3", "ctrl+f")
        app.type(replica["code"], officer=False)
        app.settle()                                 # the search answers off the UI thread: look first
        app.key("Return", "Return")                  # into the results, open the dossier
        detail = app.wait_window("^Chi tiết hồ sơ")
        app.activate(detail)
        app.settle()
        app.shot("ho-so-quay-khac")
        g = app.geometry(detail)
        fetch_at = (294, g["HEIGHT"] - 23)           # «Tải kết quả từ tỉnh», after «Trả kết quả…», «In giấy…»
        app.click(detail, *fetch_at)
        # The attempt is over once its sentence is on screen, in the error colour, above the buttons.
        wait_for("the offline sentence", lambda: _red_text_above_buttons(app, detail), 15, 0.3, app._fail_shot)
        app.shot("ngoai-tuyen")
        assert app.scalar(results, (replica["id"],)) == 0

        set_settings(data, provincial_endpoint=sim.url)   # the network is back
        # The pointer elsewhere first: ``mousemove --sync`` to where it already is waits for a move that never comes.
        app.display.run("xdotool", "mousemove", "0", "0")
        app.click(detail, *fetch_at)
        wait_for("the result stored", lambda: app.scalar(results, (replica["id"],)) == 1, 15, 0.2, app._fail_shot)
        app.settle()
        app.shot("da-tai-ket-qua")
        app.click(detail, 300, 198)                  # the result's row, then Enter: the preview
        app.key("Return")
        app.wait_window("^Xem trước khi in", timeout=10)
        app.settle()
        app.shot("xem-ket-qua")
        app.key("Escape")
        app.wait_no_window("^Xem trước khi in", timeout=10)
        app.activate(detail)
        app.key("Escape")
        app.wait_no_window("^Chi tiết hồ sơ", timeout=10)
    finally:
        factory.close()

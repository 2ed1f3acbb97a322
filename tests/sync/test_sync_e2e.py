"""The sync engine end to end: a real counter database, the real client, the simulator process.

No mocks: faults come from the simulator's own fault injection, crashes from SIGKILL.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from counter_app.atomicio import sha256_file
from counter_app.db import dossiers as repo
from counter_app.db.database import open_database
from counter_app.domain.lifecycle import Status
from counter_app.paths import DataDir
from counter_app.sync import mapping
from counter_app.sync import protocol as p
from counter_app.sync.client import ClientConfig, ProvincialClient
from counter_app.sync.runner import main_sync
from counter_app.sync.status import list_items, queue_status
from counter_app.sync.worker import (
    CURSOR_KEY,
    SyncConfig,
    SyncReport,
    pull_catalogue,
    pull_changes,
    retry_all_errors,
    retry_item,
    run_forever,
    sync_once,
)

if TYPE_CHECKING:  # fixtures come from tests/sync/conftest.py; importing it at run time is fragile
    from collections.abc import Callable

    from conftest import Counter, RunningSimulator, SimulatorFactory

    MakeCounter = Callable[..., Counter]
    Fill = Callable[..., list[int]]

REPO_ROOT = Path(__file__).resolve().parents[2]
# Short back-off so retries happen within the test; no catalogue refresh (it would rename the
# test procedures and change the payloads compared below).
FAST = SyncConfig(backoff_base=0.05, backoff_cap=0.5, catalogue_interval=None)
FAULTS = ("--fail-rate", "0.1", "--reset-rate", "0.1", "--lost-reply-rate", "0.1")


def client_for(sim: RunningSimulator, **kw: Any) -> ProvincialClient:
    """A client on the simulator (trusting its certificate if any)."""
    kw.setdefault("retry_delay", 0.01)
    return ProvincialClient(ClientConfig(sim.url, "demo", "demo", ca_file=str(sim.cert) if sim.cert else None,
                                         **kw))


def states(counter: Counter) -> dict[str, int]:
    """Outbox entries by state."""
    return {r["state"]: r["n"] for r in counter.cdb.query("SELECT state, count(*) AS n FROM outbox GROUP BY state")}


def drain(counter: Counter, client: ProvincialClient, *, config: SyncConfig = FAST, timeout: float = 90.0) -> int:
    """Run passes until nothing is pending; returns how many passes it took."""
    deadline = time.monotonic() + timeout
    passes = 0
    while True:
        sync_once(counter.cdb, counter.root, client, config=config)
        passes += 1
        left = counter.cdb.scalar("SELECT count(*) FROM outbox WHERE state IN ('pending', 'uploading')")
        if not left:
            return passes
        assert time.monotonic() < deadline, f"still {left} entries pending: {states(counter)}"
        time.sleep(0.2)


def assert_exactly_once(sim: RunningSimulator, counter: Counter, dossier_ids: list[int]) -> None:
    """Every dossier arrived once, with the content the counter holds now, and all its files."""
    held = {d["MaHoSo"]: d for d in sim.admin(p.ADMIN_DOSSIERS_PATH)["dossiers"]}
    files = {f["file_id"]: f for f in sim.admin(p.ADMIN_FILES_PATH)["files"]}
    stats = sim.admin(p.ADMIN_STATS_PATH)
    assert stats["dossiers"] == len(dossier_ids) == stats["counters"]["dossiers_created"]
    for dossier_id in dossier_ids:
        payload = mapping.dossier_payload(counter.cdb, dossier_id)
        remote = held[payload["MaHoSo"]]
        assert remote["received_sha256"] == p.content_sha256(payload), payload["MaHoSo"]
        local_files = counter.cdb.query("SELECT uid, sha256, size, path FROM files WHERE dossier_id = ?",
                                        (dossier_id,))
        assert local_files
        for f in local_files:
            assert files[f["uid"]]["complete"] and files[f["uid"]]["sha256"] == f["sha256"]
            assert sha256_file(counter.root / f["path"]) == f["sha256"]
        assert {x["file_id"] for x in remote["files"]} == {f["uid"] for f in local_files}


def test_thousand_dossiers_under_thirty_percent_faults_arrive_exactly_once(
        simulator_factory: SimulatorFactory, make_counter: MakeCounter, fill: Fill) -> None:
    sim = simulator_factory.start("--no-progress", *FAULTS, "--fault-seed", "11")
    counter = make_counter("counter", endpoint=sim.url)
    ids = fill(counter, 1000, file_size=2000)
    with client_for(sim) as client:
        drain(counter, client, timeout=150)
    assert states(counter) == {"synced": 2000}
    assert_exactly_once(sim, counter, ids)
    faults = sim.admin(p.ADMIN_STATS_PATH)["faults"]
    assert faults["reset"] > 50 and faults["lost_reply"] > 50 and faults["fail"] > 50


_CHILD = """
import logging, sys
from pathlib import Path
from counter_app.paths import DataDir
from counter_app.sync.runner import main_sync
logging.basicConfig(level=logging.WARNING)
sys.exit(main_sync(DataDir(Path(sys.argv[1])), once=sys.argv[2] == "once"))
"""


def _run_child(root: Path, mode: str) -> subprocess.Popen[bytes]:
    """``main_sync`` in a fresh interpreter; its stderr goes to ``root/sync-child.log``."""
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    with open(root / "sync-child.log", "ab") as log:
        return subprocess.Popen([sys.executable, "-c", _CHILD, str(root), mode], cwd=REPO_ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=log)


def test_sigkill_mid_batch_then_restart_still_exactly_once(simulator_factory: SimulatorFactory,
                                                           make_counter: MakeCounter, fill: Fill) -> None:
    # Latency keeps the run long enough to be killed in the middle; lost replies make it likelier
    # that the kill lands between the server's commit and ours.
    sim = simulator_factory.start("--no-progress", "--latency-ms", "4", "--lost-reply-rate", "0.05",
                                  "--fault-seed", "3")
    counter = make_counter("counter", endpoint=sim.url)
    counter.cdb.set_setting("sync_catalogue_hours", 0)
    ids = fill(counter, 300, file_size=1500)
    child = _run_child(counter.root, "forever")
    watcher = sqlite3.connect(f"file:{counter.db_path}?mode=ro", uri=True)
    try:
        deadline = time.monotonic() + 60
        while watcher.execute("SELECT count(*) FROM outbox WHERE state = 'synced'").fetchone()[0] < 150:
            assert child.poll() is None, (counter.root / "sync-child.log").read_text()
            assert time.monotonic() < deadline, "the sync process made no progress"
            time.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
        left = dict(watcher.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall())
    finally:
        watcher.close()
        if child.poll() is None:
            child.kill()
            child.wait()
    assert left.get("synced", 0) < 600, "killed too late to test anything"
    # Restart: a fresh process resets 'uploading' entries and finishes the job.
    for _ in range(10):
        again = _run_child(counter.root, "once")
        if again.wait(120) == 0:
            break
        time.sleep(1)  # an entry may wait out a back-off after a fault
    assert again.returncode == 0, (counter.root / "sync-child.log").read_text()
    assert states(counter) == {"synced": 600}
    assert_exactly_once(sim, counter, ids)


def test_poison_items_park_in_error_without_delaying_others(shared_simulator: RunningSimulator,
                                                            make_counter: MakeCounter, fill: Fill) -> None:
    counter = make_counter("counter", endpoint=shared_simulator.url)
    ids = fill(counter, 40, seed=21)
    cdb = counter.cdb
    # Poison 1: a scan damaged on disk after it was recorded.
    damaged = cdb.query_one("SELECT * FROM files WHERE dossier_id = ?", (ids[5],))
    assert damaged is not None
    original = (counter.root / damaged["path"]).read_bytes()
    (counter.root / damaged["path"]).write_bytes(original[:-10] + b"0123456789")
    # Poison 2: a record the province refuses (a code longer than the 64 characters it accepts).
    good_code = cdb.scalar("SELECT code FROM dossiers WHERE id = ?", (ids[9],))
    with cdb.write():
        cdb.conn.execute("UPDATE dossiers SET code = ? WHERE id = ?", (good_code + "-X" * 40, ids[9]))
    with client_for(shared_simulator) as client:
        report = sync_once(cdb, counter.root, client, config=FAST)
        # One pass: everything else arrived, the two poisoned dossiers are parked at once.
        assert report.synced == 77 and report.parked == 3
        parked = cdb.query("SELECT * FROM outbox WHERE state = 'error' ORDER BY id")
        assert {e["dossier_id"] for e in parked} == {ids[5], ids[9]}
        assert all(e["attempts"] == 1 and e["last_error"] for e in parked)
        by_kind = {(e["dossier_id"], e["kind"]): e for e in parked}
        assert "SHA-256 không khớp" in by_kind[(ids[5], "file")]["last_error"]
        assert "Chưa gửi hồ sơ" in by_kind[(ids[5], "dossier_upsert")]["last_error"]
        assert "từ chối" in by_kind[(ids[9], "dossier_upsert")]["last_error"]
        assert "64" in by_kind[(ids[9], "dossier_upsert")]["last_error"]
        status = queue_status(cdb)
        assert status.errors == 3 and status.unsynced == 3 and "3 mục lỗi" in status.summary()
        assert {i.id for i in list_items(cdb, state="error")} == {e["id"] for e in parked}
        assert all(i.can_retry and i.state_label for i in list_items(cdb, state="error"))
        # Nothing is retried behind the officer's back.
        assert sync_once(cdb, counter.root, client, config=FAST).synced == 0
        # The officer restores the scan and fixes the code, then presses «Gửi lại».
        (counter.root / damaged["path"]).write_bytes(original)
        with cdb.write():
            cdb.conn.execute("UPDATE dossiers SET code = ? WHERE id = ?", (good_code, ids[9]))
        assert retry_item(cdb, by_kind[(ids[9], "dossier_upsert")]["id"])
        assert not retry_item(cdb, by_kind[(ids[9], "dossier_upsert")]["id"])  # no longer parked
        assert retry_all_errors(cdb) == 2
        report = sync_once(cdb, counter.root, client, config=FAST)
    assert report.synced == 3 and states(counter) == {"synced": 80}
    assert queue_status(cdb).errors == 0


def test_coalescing_and_an_edit_during_the_upload_is_not_lost(simulator_factory: SimulatorFactory,
                                                               make_counter: MakeCounter, fill: Fill) -> None:
    sim = simulator_factory.start("--no-progress", "--latency-ms", "400")
    counter = make_counter("counter", endpoint=sim.url)
    [a, b] = fill(counter, 2, seed=5)
    cdb = counter.cdb
    # Coalescing: received + two status changes = three upserts of dossier a, sent once.
    repo.transition(cdb, a, Status.PROCESSING)
    repo.transition(cdb, a, Status.SUPPLEMENT)
    assert cdb.scalar("SELECT count(*) FROM outbox WHERE dossier_id = ? AND kind = 'dossier_upsert'", (a,)) == 3

    reports: list[Any] = []

    def run_pass() -> None:
        own = open_database(counter.db_path)  # a connection belongs to its thread
        with client_for(sim) as client:
            reports.append(sync_once(own, counter.root, client, config=FAST))
        own.close()

    thread = threading.Thread(target=run_pass)
    thread.start()
    deadline = time.monotonic() + 20
    while not cdb.scalar("SELECT 1 FROM outbox WHERE dossier_id = ? AND state = 'uploading'", (b,)):
        assert time.monotonic() < deadline
        time.sleep(0.01)
    repo.transition(cdb, b, Status.PROCESSING)  # the officer edits b while it is on the wire
    thread.join(60)
    [report] = reports
    assert report.dossiers_sent == 2 and report.synced == 6  # 3 upserts of a, 1 of b, 2 files
    pending = cdb.query("SELECT * FROM outbox WHERE state <> 'synced'")
    assert [(e["dossier_id"], json.loads(e["payload"])["reason"]) for e in pending] == [(b, "status_4")]
    held = {d["MaHoSo"]: d for d in sim.admin(p.ADMIN_DOSSIERS_PATH)["dossiers"]}
    code_a, code_b = (cdb.scalar("SELECT code FROM dossiers WHERE id = ?", (i,)) for i in (a, b))
    assert held[code_a]["update_count"] == 0 and held[code_a]["client_status"] == 5
    assert held[code_b]["client_status"] == 2
    with client_for(sim) as client:
        sync_once(cdb, counter.root, client, config=FAST)
    assert states(counter) == {"synced": 7}
    assert sim.admin(p.ADMIN_DOSSIERS_PATH, MaHoSo=code_b)["dossiers"][0]["client_status"] == 4


def test_pull_applies_province_status_and_downloads_the_result(simulator_factory: SimulatorFactory,
                                                               make_counter: MakeCounter, fill: Fill) -> None:
    sim = simulator_factory.start("--tick", "0.1", "--progress-speed", "0.3", "--supplement-rate", "0")
    counter = make_counter("counter", endpoint=sim.url)
    ids = fill(counter, 3, seed=9)
    cdb = counter.cdb
    with client_for(sim) as client:
        sync_once(cdb, counter.root, client, config=FAST)
        deadline = time.monotonic() + 30
        while cdb.scalar(f"SELECT count(*) FROM dossiers WHERE status = 9 AND id IN ({','.join('?' * 3)})", ids) < 3:
            assert time.monotonic() < deadline, cdb.query("SELECT id, status FROM dossiers")
            time.sleep(0.3)
            sync_once(cdb, counter.root, client, config=FAST)
        assert cdb.get_setting(CURSOR_KEY) > 0
        held = {d["MaHoSo"]: d for d in sim.admin(p.ADMIN_DOSSIERS_PATH)["dossiers"]}
        for dossier_id in ids:
            d = cdb.query_one("SELECT * FROM dossiers WHERE id = ?", (dossier_id,))
            assert d is not None and d["finished_at"] and d["applicant_name"].startswith("Nguyễn Văn Thử")
            events = cdb.query("SELECT * FROM dossier_events WHERE dossier_id = ? AND kind = 'province_update'",
                               (dossier_id,))
            assert [e["to_status"] for e in events if e["to_status"] != e["from_status"]][-1] == 9
            [result] = cdb.query("SELECT * FROM files WHERE dossier_id = ? AND kind = 'result'", (dossier_id,))
            assert sha256_file(counter.root / result["path"]) == result["sha256"]
            assert result["sha256"] == held[d["code"]]["results"][0]["sha256"]
            assert (counter.root / result["path"]).read_bytes().startswith(b"%PDF")
        # The counter hands the result over (10). A pull that still sees the province's 9 (here:
        # the cursor rewound, before the 10 is sent) does not undo the counter's change.
        repo.return_result(cdb, ids[0], to_whom="Nguyễn Văn Thử", id_checked=True, method=0)
        cdb.set_setting(CURSOR_KEY, 0)
        report = SyncReport(started_at=datetime.now())
        pull_changes(cdb, counter.root, client, report, config=FAST)
        assert report.pulled == 0 and report.results_downloaded == 0
        assert cdb.scalar("SELECT status FROM dossiers WHERE id = ?", (ids[0],)) == 10
        report = sync_once(cdb, counter.root, client, config=FAST)
        assert report.dossiers_sent == 1 and report.pulled == 0
    assert cdb.scalar("SELECT status FROM dossiers WHERE id = ?", (ids[0],)) == 10
    assert sim.admin(p.ADMIN_DOSSIERS_PATH, MaHoSo=cdb.scalar(
        "SELECT code FROM dossiers WHERE id = ?", (ids[0],)))["dossiers"][0]["status"] == 10
    assert cdb.scalar("SELECT count(*) FROM files WHERE kind = 'result'") == 3  # nothing downloaded twice


def test_progress_entries_and_catalogue(shared_simulator: RunningSimulator, make_counter: MakeCounter,
                                        fill: Fill) -> None:
    counter = make_counter("counter", endpoint=shared_simulator.url)
    [dossier_id] = fill(counter, 1, seed=33)
    cdb = counter.cdb
    repo.record_apology(cdb, dossier_id, reason="Chờ xác minh", new_due_at=datetime(2026, 10, 20, 10, 0))
    before = cdb.scalar("SELECT count(*) FROM procedures")
    with client_for(shared_simulator) as client:
        report = sync_once(cdb, counter.root, client, config=FAST)
        # received + file + apology progress + the dossier update (NgayHenTra stays the legal date)
        assert report.progress_sent == 1 and states(counter) == {"synced": 4}
        code = cdb.scalar("SELECT code FROM dossiers WHERE id = ?", (dossier_id,))
        [view] = client.lookup([code])
        assert view["QuaTrinhXuLy"][0]["NoiDungXuLy"].startswith("Xin lỗi")
        assert pull_catalogue(cdb, client) > 0
        assert pull_catalogue(cdb, client) == 0  # since the stored version: nothing new
    assert cdb.scalar("SELECT count(*) FROM procedures") >= before
    assert cdb.get_setting("sync_catalogue_version") >= 1


def test_runner_loop_in_a_thread_stops_cleanly_and_reports(shared_simulator: RunningSimulator,
                                                           make_counter: MakeCounter, fill: Fill) -> None:
    counter = make_counter("counter", endpoint=shared_simulator.url)
    root = counter.root
    counter.cdb.set_setting("sync_catalogue_hours", 0)
    fill(counter, 5, seed=44)
    stop, wake = threading.Event(), threading.Event()
    reports: list[Any] = []
    codes: list[int] = []
    thread = threading.Thread(target=lambda: codes.append(main_sync(DataDir(root), False, stop, wake=wake,
                                                                    on_report=reports.append)))
    thread.start()
    deadline = time.monotonic() + 30
    while counter.cdb.scalar("SELECT count(*) FROM outbox WHERE state = 'synced'") < 10:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    # A second sync process on the same data directory is refused while the loop runs.
    assert main_sync(DataDir(root), True) == 2
    # New work is picked up without waiting for the pull interval.
    fill(counter, 1, seed=45, start=datetime(2026, 10, 7, 9, 0))
    wake.set()
    while counter.cdb.scalar("SELECT count(*) FROM outbox WHERE state <> 'synced'"):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    stop.set()
    thread.join(15)
    assert not thread.is_alive() and codes == [0] and reports
    status = queue_status(counter.cdb, include_synced=True)
    assert status.counts["synced"] == 12 and status.last_success_at is not None
    assert status.summary().startswith("Đã đồng bộ")


def test_runner_refuses_without_settings_and_reports_outage(simulator_factory: SimulatorFactory,
                                                            make_counter: MakeCounter, fill: Fill) -> None:
    bare = make_counter("bare")
    assert main_sync(DataDir(bare.root), True) == 2
    sim = simulator_factory.start("--no-progress")
    counter = make_counter("counter", endpoint=sim.url)
    fill(counter, 3, seed=55)
    sim.stop()
    stop = threading.Event()
    reports: list[Any] = []

    def loop() -> None:
        own = open_database(counter.db_path)
        with ProvincialClient(ClientConfig(sim.url, "demo", "demo", retries=0, timeout=2)) as client:
            run_forever(own, counter.root, client, stop=stop, config=FAST, poll=0.05,
                        on_report=lambda r: (reports.append(r), stop.set()))
        own.close()

    thread = threading.Thread(target=loop)
    thread.start()
    thread.join(30)
    assert not thread.is_alive()
    [report] = reports
    assert report.error is not None and report.error.kind == "unreachable"
    # An outage delays, it never parks: everything is still pending with no attempt charged twice.
    assert states(counter) == {"pending": 6}
    status = queue_status(counter.cdb)
    assert status.last_error_kind == "unreachable" and "Không kết nối được máy chủ" in status.summary()


def test_sync_over_tls_with_configured_ca(simulator_factory: SimulatorFactory, make_counter: MakeCounter,
                                          fill: Fill) -> None:
    sim = simulator_factory.start("--no-progress", "--tls")
    counter = make_counter("counter", endpoint=sim.url)
    counter.cdb.set_setting("sync_catalogue_hours", 0)
    fill(counter, 3, seed=66)
    assert main_sync(DataDir(counter.root), True) == 1  # certificate not trusted: nothing sent
    assert counter.cdb.get_setting("sync_last_error_kind") == "certificate"
    assert states(counter) == {"pending": 6}
    counter.cdb.set_setting("sync_ca_file", str(sim.cert))
    assert main_sync(DataDir(counter.root), True) == 0
    assert states(counter) == {"synced": 6}


def test_what_the_province_receives(shared_simulator: RunningSimulator, make_counter: MakeCounter,
                                    fill: Fill) -> None:
    counter = make_counter("counter", endpoint=shared_simulator.url)
    [dossier_id] = fill(counter, 1, files_per_dossier=2, seed=77)
    cdb = counter.cdb
    with client_for(shared_simulator) as client:
        sync_once(cdb, counter.root, client, config=FAST)
    d = cdb.query_one("SELECT * FROM dossiers WHERE id = ?", (dossier_id,))
    assert d is not None
    [held] = shared_simulator.admin(p.ADMIN_DOSSIERS_PATH, MaHoSo=d["code"])["dossiers"]
    sent = held["received"]
    assert sent["MaTTHC"] == "1.001193" and sent["TenTTHC"] == "Đăng ký khai sinh" and sent["MaLinhVuc"] == ""
    assert sent["ChuHoSo"] == d["applicant_name"] and sent["SoGiayToChuHoSo"] == d["applicant_id_number"]
    assert sent["NgayTiepNhan"] == "20261005100000" and p.is_valid_timestamp(sent["NgayHenTra"])
    assert sent["TrangThaiHoSo"] == 2 and sent["KenhThucHien"] == 1 and sent["HinhThuc"] == 0
    assert sent["DinhDanhCHS"] == [{"LoaiDinhDanh": 1, "SoDinhDanh": d["applicant_id_number"]}]
    assert sent["DanhSachLePhi"] == [{"TenPhiLePhi": "Lệ phí", "MaPhiLePhi": "LP", "HinhThucThu": 1, "Gia": 8000,
                                      "LoaiPhiLePhi": 2}]
    files = {f["uid"]: f for f in cdb.query("SELECT * FROM files WHERE dossier_id = ?", (dossier_id,))}
    docs = sent["TaiLieuNop"]
    # Two digitised components (TK, GCS) with their files, UQ received on paper only; CCCD only shown.
    assert [x["MaThanhPhanHoSo"] for x in docs] == ["TK", "GCS", "UQ"]
    assert {x["TepDinhKemId"] for x in docs[:2]} == set(files) and docs[2]["TepDinhKemId"] == ""
    assert all(x["DuocSoHoa"] == 1 and x["IsDeleted"] == 0 for x in docs[:2]) and docs[2]["DuocSoHoa"] == 0
    assert sent["HoSoCoThanhPhanSoHoa"] == 1
    assert {f["file_id"]: f["sha256"] for f in held["files"]} == {u: f["sha256"] for u, f in files.items()}


def test_session_expiry_mid_queue_logs_in_again(simulator_factory: SimulatorFactory, make_counter: MakeCounter,
                                                fill: Fill) -> None:
    ttl = 2.0
    sim = simulator_factory.start("--no-progress", "--session-ttl", str(ttl))
    counter = make_counter("counter", endpoint=sim.url)
    fill(counter, 8, seed=88)
    with client_for(sim) as client:
        started = time.monotonic()
        assert sync_once(counter.cdb, counter.root, client, config=FAST).synced == 16
        first = time.monotonic() - started
        # The session expires while the counter is idle: wait until the simulator holds no live
        # session (bounded), not a fixed time.
        deadline = time.monotonic() + ttl + 10
        while sim.admin(p.ADMIN_STATS_PATH)["sessions_active"]:
            assert time.monotonic() < deadline, "the 2 s session never expired"
            time.sleep(0.05)
        fill(counter, 8, seed=89, start=datetime(2026, 10, 8, 9, 0))
        started = time.monotonic()
        report = sync_once(counter.cdb, counter.root, client, config=FAST)
        second = time.monotonic() - started
        assert report.ok and report.synced == 16
        # Exactly one login per session: the first, then one renewal that the four sending threads
        # share (a login per thread would make 5). Holds while each pass fits in the session.
        assert first < ttl and second < ttl, f"a pass outlived the session ({first:.2f} s, {second:.2f} s)"
        assert client.logins == 2
    assert states(counter) == {"synced": 32}
    assert sim.admin(p.ADMIN_STATS_PATH)["counters"]["sessions_expired"] >= 1


def test_a_scan_registered_after_the_dossier_was_sent_follows_it(shared_simulator: RunningSimulator,
                                                                  make_counter: MakeCounter, fill: Fill) -> None:
    from counter_app.db.files import register_scan

    counter = make_counter("counter", endpoint=shared_simulator.url)
    [dossier_id] = fill(counter, 1, files_per_dossier=0, seed=99)
    cdb = counter.cdb
    with client_for(shared_simulator) as client:
        assert sync_once(cdb, counter.root, client, config=FAST).dossiers_sent == 1
        # The officer digitises a component later: the scan module writes the file and its entry.
        data = b"%PDF-1.4\n" + os.urandom(3000)
        (counter.root / "scans" / "late.pdf").write_bytes(data)
        component = cdb.scalar("SELECT id FROM dossier_components WHERE dossier_id = ? AND component_code = 'GCS'",
                               (dossier_id,))
        registered = register_scan(cdb, dossier_component_id=component, rel_path="scans/late.pdf", name="GCS.pdf",
                                   sha256=sha256_file(counter.root / "scans" / "late.pdf"), size=len(data),
                                   page_count=1, declared_pages=1, signed=False, meta={}, officer_id=None,
                                   now=datetime(2026, 10, 5, 11, 0))
        report = sync_once(cdb, counter.root, client, config=FAST)
    # The file, then the record that now names it (an update, not a second dossier).
    assert report.files_uploaded == 1 and report.dossiers_sent == 1 and states(counter) == {"synced": 2}
    code = cdb.scalar("SELECT code FROM dossiers WHERE id = ?", (dossier_id,))
    [held] = shared_simulator.admin(p.ADMIN_DOSSIERS_PATH, MaHoSo=code)["dossiers"]
    assert held["update_count"] == 1 and [f["file_id"] for f in held["files"]] == [registered.uid]
    assert held["received_sha256"] == p.content_sha256(mapping.dossier_payload(cdb, dossier_id))


class _CountingEvent(threading.Event):
    """A stop event that counts the loop's waits on it: the paused loop waits once per turn."""

    def __init__(self) -> None:
        super().__init__()
        self.waits = 0

    def wait(self, timeout: float | None = None) -> bool:
        """Count, then wait as :meth:`threading.Event.wait` does."""
        self.waits += 1
        return super().wait(timeout)


def test_paused_loop_sends_nothing_until_resumed(shared_simulator: RunningSimulator, make_counter: MakeCounter,
                                                 fill: Fill) -> None:
    counter = make_counter("counter", endpoint=shared_simulator.url)
    fill(counter, 3, seed=101)
    stop, paused = _CountingEvent(), threading.Event()
    paused.set()

    def loop() -> None:
        own = open_database(counter.db_path)
        with client_for(shared_simulator) as client:
            run_forever(own, counter.root, client, stop=stop, paused=paused, config=FAST, poll=0.05)
        own.close()

    thread = threading.Thread(target=loop)
    thread.start()
    try:
        # Three turns of the paused loop (each one a wait on ``stop``), not a fixed time: unpaused,
        # the first turn would have sent everything before waiting at all.
        deadline = time.monotonic() + 20
        while stop.waits < 3:
            assert time.monotonic() < deadline, "the paused loop never turned"
            time.sleep(0.01)
        assert paused.is_set() and states(counter) == {"pending": 6}
        paused.clear()
        deadline = time.monotonic() + 20
        while states(counter) != {"synced": 6}:
            assert time.monotonic() < deadline, states(counter)
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(15)
    assert not thread.is_alive()

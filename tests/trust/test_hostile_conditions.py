"""Hostile conditions (issue #15, part A): the wrong folder, a held write lock, a damaged database,
read-only media, a full disk, a stranded queue, a clock that jumped, a hostile server.

Everything runs for real: the ``counter-app`` entry point (in-process or as a child process), a
second SQLite connection holding a write transaction, a tmpfs mounted read-only or filled up when
the tests run as root (else ``chmod`` and ``RLIMIT_FSIZE``), the simulator and a hostile HTTP
server on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from counter_app.cli import main
from counter_app.db import backup
from counter_app.db import database as database_module
from counter_app.db.database import CounterDB
from tests.trust.trust_helpers import make_data_dir, receive_one

ROOT = Path(__file__).resolve().parents[2]


# --- helpers ---------------------------------------------------------------------------------


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's default data folder, moved under tmp_path so a test can see it being created."""
    monkeypatch.delenv("COUNTER_APP_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return tmp_path / "xdg"


def _can_mount() -> bool:
    if not sys.platform.startswith("linux") or os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    probe = Path(f"/tmp/qmc-mount-probe-{os.getpid()}")
    probe.mkdir(exist_ok=True)
    ok = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(probe)],
                        capture_output=True).returncode == 0
    if ok:
        subprocess.run(["umount", str(probe)], check=True)
    probe.rmdir()
    return ok


CAN_MOUNT = _can_mount()


@contextlib.contextmanager
def tmpfs(where: Path, size: str) -> Iterator[Path]:
    """A real small file system (root only): a full disk is really full, read-only really is."""
    where.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], check=True)
    try:
        yield where
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(where)], capture_output=True)
        subprocess.run(["umount", "-l", str(where)], check=True)


@contextlib.contextmanager
def read_only_copy(src: Path, where: Path) -> Iterator[Path]:
    """``src`` copied to a directory this process cannot write (a ro mount as root, chmod otherwise)."""
    if CAN_MOUNT:
        with tmpfs(where, "64m") as mnt:
            shutil.copytree(src, mnt / "data")
            subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
            yield mnt / "data"
        return
    if os.name != "posix" or os.geteuid() == 0:
        pytest.skip("needs mount (root) or a non-root user for chmod")
    shutil.copytree(src, where / "data")
    paths = [where / "data", *(where / "data").rglob("*")]
    for p in paths:
        p.chmod(0o555 if p.is_dir() else 0o444)
    try:
        yield where / "data"
    finally:
        for p in paths:
            p.chmod(0o755 if p.is_dir() else 0o644)


def _cli(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``counter-app`` as a real process: what an officer would see, tracebacks included."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True,
                          timeout=timeout, env=full_env, cwd=ROOT)


@pytest.fixture(autouse=True)
def admin_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Administrative commands sign in (issue #15 item 8): the factory's admin, also for subprocesses."""
    monkeypatch.setenv("COUNTER_APP_USER", "admin")
    monkeypatch.setenv("COUNTER_APP_PASSWORD", "x")


@pytest.fixture
def data(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A configured data directory with two dossiers, closed (WAL checkpointed)."""
    d, cdb = make_data_dir(tmp_path / "data")
    receive_one(cdb, name="Công dân Một", id_number="001099012341")
    receive_one(cdb, name="Công dân Hai", id_number="001099012342")
    cdb.close()
    return d


# --- 1. the wrong folder -------------------------------------------------------------------------


def test_data_dir_before_the_subcommand_is_used(tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COUNTER_APP_PASSWORD", "demo")  # the demo administrator
    target = tmp_path / "d"
    assert main(["--data-dir", str(target), "demo-data", "--dossiers", "3", "--no-files", "--plain"]) == 0
    assert (target / "counter.sqlite3").is_file()
    assert not home.exists(), "the default folder must not be created"
    capsys.readouterr()
    for argv in (["--data-dir", str(target), "info"], ["info", "--data-dir", str(target)]):
        assert main(argv) == 0
        assert f"Thư mục dữ liệu: {target.resolve()}" in capsys.readouterr().out
    assert main(["--data-dir", str(target), "check"]) == 0
    assert main(["--data-dir", str(target), "audit-verify"]) == 0
    assert main(["--data-dir", str(target), "backup", "--to", str(tmp_path / "usb")]) == 0
    assert backup.list_backups(tmp_path / "usb")
    assert not home.exists()


def test_restore_and_read_commands_never_create_a_folder(data, tmp_path: Path, home: Path,  # type: ignore[no-untyped-def]
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    made = backup.create_backup(data, tmp_path / "usb")
    assert main(["restore", str(made.path), "--to", str(tmp_path / "new")]) == 0
    assert (tmp_path / "new" / "counter.sqlite3").is_file()
    missing = tmp_path / "missing"
    for command in ("info", "check", "audit-verify", "sync"):
        assert main([command, "--data-dir", str(missing)]) == 2
        assert "Không có dữ liệu Quầy Một Cửa" in capsys.readouterr().err
    assert main(["backup", "--to", str(tmp_path / "usb2"), "--data-dir", str(missing)]) == 2
    assert not missing.exists() and not home.exists()


def test_writing_command_names_its_folder(data, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cat = tmp_path / "cat.json"
    cat.write_text('{"procedures": []}', encoding="utf-8")
    main(["--data-dir", str(data.root), "import-catalogue", str(cat)])
    assert f"Dùng thư mục dữ liệu: {data.root}" in capsys.readouterr().err


def test_demo_data_refuses_a_real_installation(data, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    assert main(["demo-data", "--dossiers", "3", "--no-files", "--plain", "--data-dir", str(data.root)]) == 2
    err = capsys.readouterr().err
    assert "dữ liệu thật" in err and "--force" in err
    cdb = CounterDB(data.database, read_only=True)
    assert cdb.scalar("SELECT count(*) FROM dossiers") == 2
    assert cdb.scalar("SELECT count(*) FROM users WHERE username = 'canbo1'") == 0
    cdb.close()


def test_demo_data_may_run_again_on_its_own_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COUNTER_APP_PASSWORD", "demo")  # the second run signs in as the demo administrator
    target = str(tmp_path / "demo")
    assert main(["demo-data", "--dossiers", "2", "--no-files", "--plain", "--data-dir", target]) == 0
    assert main(["demo-data", "--dossiers", "2", "--no-files", "--plain", "--seed", "7", "--data-dir", target]) == 0


# --- 10. another process holds the write lock -----------------------------------------------------


@contextlib.contextmanager
def write_lock_held(db: Path) -> Iterator[None]:
    """Another connection inside a write transaction (same effect as another process)."""
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE settings SET value = value WHERE key = 'agency_code'")
    try:
        yield
    finally:
        conn.execute("ROLLBACK")
        conn.close()


def test_read_only_commands_run_while_another_process_writes(data, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    d = str(data.root)
    with write_lock_held(data.database):
        started = time.monotonic()
        assert main(["info", "--data-dir", d]) == 0
        assert main(["check", "--data-dir", d]) == 0
        assert main(["audit-verify", "--data-dir", d]) == 0
        assert main(["backup", "--to", str(tmp_path / "usb"), "--data-dir", d]) == 0
        # The busy timeout is 10 s: anything near it means a command waited on the writer.
        assert time.monotonic() - started < 8
    assert "Hồ sơ: 2" in capsys.readouterr().out
    assert backup.verify_backup(backup.list_backups(tmp_path / "usb")[0].path) == []


def test_a_writer_behind_a_held_lock_says_what_to_do(data, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(database_module, "BUSY_TIMEOUT", 0.3)  # the real wait is 10 s
    cat = tmp_path / "cat.json"
    cat.write_text('{"procedures": []}', encoding="utf-8")
    with write_lock_held(data.database):
        assert main(["import-catalogue", str(cat), "--data-dir", str(data.root)]) == 2
    err = capsys.readouterr().err
    assert "đang bận" in err and "thử lại" in err


# --- 11. a damaged database ----------------------------------------------------------------------


@pytest.mark.parametrize("where", ["middle", "header"])
def test_check_reports_a_damaged_database(data, where: str) -> None:  # type: ignore[no-untyped-def]
    size = data.database.stat().st_size
    with data.database.open("r+b") as f:
        if where == "header":
            f.write(b"this is not sqlite" * 4)
        else:
            for offset in range(4096 * 2, size, 4096 * 3):  # a b-tree page every three: real damage
                f.seek(offset)
                f.write(b"\xff" * 512)
    out = _cli("check", "--data-dir", str(data.root))
    assert out.returncode == 1, out.stderr
    assert "Traceback" not in out.stderr
    assert "BỊ HỎNG" in out.stdout and "counter-app restore" in out.stdout + out.stderr


# --- 12. read-only media and a full disk ----------------------------------------------------------


def test_read_only_data_directory(data, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with read_only_copy(data.root, tmp_path / "ro") as ro:
        d = str(ro)
        for command in ("info", "check", "audit-verify"):
            out = _cli(command, "--data-dir", d)
            assert out.returncode == 0, (command, out.stderr)
        out = _cli("backup", "--to", str(tmp_path / "usb"), "--data-dir", d)
        assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr
        made = backup.list_backups(tmp_path / "usb")[0].path
        assert backup.verify_backup(made) == []
        assert sqlite3.connect(made / "counter.sqlite3").execute("SELECT count(*) FROM dossiers").fetchone()[0] == 2
        for args in (["sync", "--once"], ["demo-data", "--dossiers", "1", "--no-files"], ["encrypt"]):
            out = _cli(*args, "--data-dir", d, env={"COUNTER_APP_PASSPHRASE": "a passphrase of length"})
            assert out.returncode == 2, (args, out.stderr)
            assert "Traceback" not in out.stderr and "chỉ đọc" in out.stderr, (args, out.stderr)
            assert "counter-app backup" in out.stderr  # says what to do


def test_backup_to_a_full_disk_says_so_and_leaves_nothing(data, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    if not CAN_MOUNT:
        pytest.skip("a really full disk needs a tmpfs mount (root)")
    with tmpfs(tmp_path / "usb", "96k") as usb:
        out = _cli("backup", "--to", str(usb), "--data-dir", str(data.root))
        assert out.returncode == 2 and "Traceback" not in out.stderr, out.stderr
        assert "đầy" in out.stderr
        assert not list(usb.iterdir()), "no half-made backup left"


# --- 2. a clock that was ahead; 3. a pass cut by a long lock --------------------------------------


@pytest.fixture
def sims(tmp_path: Path) -> Iterator[object]:
    from tests.sync.conftest import SimulatorFactory

    factory = SimulatorFactory(tmp_path / "sims")
    yield factory
    factory.close()


def _client(url: str, **kw: object):  # type: ignore[no-untyped-def]
    from counter_app.sync.client import ClientConfig, ProvincialClient

    return ProvincialClient(ClientConfig(base_url=url, username="demo", password="demo", **kw))  # type: ignore[arg-type]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_entries_queued_while_the_clock_was_ahead_are_sent_and_aged_honestly(sims, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from datetime import datetime, timedelta

    from counter_app.sync.status import queue_status
    from counter_app.sync.worker import SyncConfig, sync_once
    from tests.sync.conftest import add_dossiers, build_counter

    config = SyncConfig(catalogue_interval=None, pull=False)
    counter = build_counter(tmp_path / "c")
    ids = add_dossiers(counter, 6, files_per_dossier=0)
    fmt = "%Y-%m-%d %H:%M:%S"
    now = datetime.now()
    ahead = {ids[0]: timedelta(days=365), ids[1]: timedelta(days=365), ids[2]: timedelta(days=1),
             ids[3]: timedelta(days=1)}
    with counter.cdb.write():
        for dossier_id, skew in ahead.items():  # queued while the PC's clock ran ahead
            t = (now + skew).strftime(fmt)
            counter.cdb.conn.execute("UPDATE outbox SET created_at = ?, next_attempt_at = ? WHERE dossier_id = ?",
                                     (t, t, dossier_id))
        # ... then NTP corrected the clock; the next entries were stamped right two hours ago (and sent).
        t = (now - timedelta(hours=2)).strftime(fmt)
        counter.cdb.conn.execute("UPDATE outbox SET created_at = ?, next_attempt_at = ?, state = 'synced' "
                                 "WHERE dossier_id IN (?, ?)", (t, t, ids[4], ids[5]))
    # Offline first: nothing can be sent, but the age shown is at least the two hours, not 0.
    with _client(f"http://127.0.0.1:{_free_port()}", timeout=2.0, retries=0) as client:
        report = sync_once(counter.cdb, counter.root, client, config=config)
    assert report.synced == 0
    age = queue_status(counter.cdb).oldest_unsynced_age
    assert age is not None and age >= 2 * 3600 - 60
    sim = sims.start("--no-progress")
    with _client(sim.url) as client:
        report = sync_once(counter.cdb, counter.root, client, config=config)
    assert report.error is None
    assert counter.cdb.scalar("SELECT count(*) FROM outbox WHERE state <> 'synced'") == 0
    held = sim.admin("/admin/dossiers")
    assert len(held["dossiers"] if isinstance(held, dict) else held) == 4  # the four queued while ahead
    counter.cdb.close()


def test_a_wall_clock_jumping_forward_does_not_cut_the_back_off_short(tmp_path: Path) -> None:
    from datetime import datetime, timedelta

    from counter_app.sync.worker import SyncConfig, sync_once
    from tests.sync.conftest import add_dossiers, build_counter

    # A back-off of up to 10,000 s (uniform): below one second with probability 1e-4.
    config = SyncConfig(catalogue_interval=None, pull=False, backoff_base=10_000, backoff_cap=10_000,
                        unreachable_abort=100)
    counter = build_counter(tmp_path / "c")
    add_dossiers(counter, 1, files_per_dossier=0)
    holds: dict[int, float] = {}
    with _client(f"http://127.0.0.1:{_free_port()}", timeout=2.0, retries=0) as client:
        first = sync_once(counter.cdb, counter.root, client, config=config, holds=holds)
        assert first.failed == 1 and len(holds) == 1
        attempts = counter.cdb.scalar("SELECT attempts FROM outbox")
        # The wall clock jumps a day ahead: by the database every retry is due ...
        later = datetime.now() + timedelta(days=1)
        second = sync_once(counter.cdb, counter.root, client, later, config=config, holds=holds)
    # ... but within this process the back-off runs on the monotonic clock: nothing was tried again.
    assert second.failed == 0 and counter.cdb.scalar("SELECT attempts FROM outbox") == attempts
    counter.cdb.close()


def test_a_pass_cut_by_a_long_lock_does_not_strand_entries(sims, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from counter_app.paths import DataDir
    from counter_app.sync.runner import main_sync
    from tests.sync.conftest import add_dossiers, build_counter

    monkeypatch.setattr(database_module, "BUSY_TIMEOUT", 0.5)  # "more than the busy timeout", in 0.5 s not 10
    sim = sims.start("--no-progress", "--latency-ms", "400")
    counter = build_counter(tmp_path / "c", endpoint=sim.url)
    add_dossiers(counter, 12, files_per_dossier=0)
    counter.cdb.set_setting("sync_catalogue_hours", 0)
    counter.cdb.close()
    db = counter.root / "counter.sqlite3"
    watch = sqlite3.connect(db, isolation_level=None)
    stop = threading.Event()
    thread = threading.Thread(target=main_sync, args=(DataDir(counter.root), False, stop), daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not watch.execute("SELECT count(*) FROM outbox WHERE state = 'uploading'").fetchone()[0]:
            assert time.monotonic() < deadline, "the loop never claimed anything"
            time.sleep(0.02)
        watch.execute("BEGIN IMMEDIATE")  # another process writes for longer than the busy timeout
        time.sleep(1.5)
        assert watch.execute("SELECT count(*) FROM outbox WHERE state = 'uploading'").fetchone()[0] > 0
        watch.execute("ROLLBACK")
        deadline = time.monotonic() + 60
        while watch.execute("SELECT count(*) FROM outbox WHERE state <> 'synced'").fetchone()[0]:
            assert time.monotonic() < deadline, dict(watch.execute(
                "SELECT state, count(*) FROM outbox GROUP BY state").fetchall())
            time.sleep(0.1)
    finally:
        stop.set()
        thread.join(30)
        watch.close()
    held = sim.admin("/admin/dossiers")
    assert len(held["dossiers"] if isinstance(held, dict) else held) == 12


# --- 13. a hostile or broken server ----------------------------------------------------------------


@pytest.mark.parametrize("mode", ["drip", "drip-headers", "silent"])
def test_a_dripping_server_cannot_hold_a_call_past_its_deadline(mode: str) -> None:
    from bench.fault_campaign import HostileServer
    from counter_app.sync.client import ServerUnreachable

    with HostileServer(mode, interval=0.3) as server, _client(server.url, timeout=1.0, deadline=3.0,
                                                              retries=2) as client:
        started = time.monotonic()
        with pytest.raises(ServerUnreachable):
            client.call("TraCuuHoSo", since=0)
        elapsed = time.monotonic() - started
    # 3 s total for the call, its retries included; a per-read timeout alone never fires at 0.3 s a byte.
    assert elapsed < 5.5, elapsed


def test_a_huge_reply_is_cut_at_the_cap_without_filling_memory() -> None:
    import tracemalloc

    from bench.fault_campaign import HostileServer
    from counter_app.sync.client import ServerError

    with HostileServer("huge", size=120 * 1024 * 1024) as server, _client(server.url) as client:
        tracemalloc.start()
        try:
            with pytest.raises(ServerError, match="quá lớn"):
                client.call("TraCuuHoSo", since=0)
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert server.sent < 120 * 1024 * 1024  # stopped reading long before the end
    assert peak < 40 * 1024 * 1024, peak  # the 16 MB cap plus buffers, not 120 MB


def test_a_huge_result_file_streams_to_disk_and_stops_at_the_cap() -> None:
    import tracemalloc

    from bench.fault_campaign import HostileServer
    from counter_app.sync.client import ServerError

    with HostileServer("huge", size=120 * 1024 * 1024) as server, \
            _client(server.url, max_download=32 * 1024 * 1024) as client:
        tracemalloc.start()
        try:
            with pytest.raises(ServerError, match="quá lớn"):
                client.fetch("/api/files/ket-qua-1")
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < 8 * 1024 * 1024, peak  # chunks to a temporary file: never the 32 MB in memory


def test_sync_once_against_a_dripping_server_ends_with_a_message(tmp_path: Path) -> None:
    from bench.fault_campaign import HostileServer
    from tests.sync.conftest import add_dossiers, build_counter

    with HostileServer("drip", interval=0.5) as server:
        counter = build_counter(tmp_path / "c", endpoint=server.url)
        add_dossiers(counter, 6, files_per_dossier=1)
        counter.cdb.set_setting("sync_deadline_seconds", 3)  # 60 s by default: the same rule, shorter
        counter.cdb.close()
        started = time.monotonic()
        out = _cli("sync", "--once", "--data-dir", str(counter.root), timeout=400)
        elapsed = time.monotonic() - started
    assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr[-2000:]
    # Four units in parallel, the pass stops after three unreachable in a row: about two deadlines.
    assert elapsed < 25, elapsed
    cdb = CounterDB(counter.root / "counter.sqlite3", read_only=True)
    assert cdb.scalar("SELECT count(*) FROM outbox WHERE state NOT IN ('pending')") == 0  # nothing stranded
    cdb.close()


def test_sync_and_backup_on_a_full_data_disk(sims, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    if not CAN_MOUNT:
        pytest.skip("a really full disk needs a tmpfs mount (root)")
    from tests.sync.conftest import add_dossiers, build_counter

    sim = sims.start("--no-progress")
    with tmpfs(tmp_path / "disk", "4m") as disk:
        counter = build_counter(disk / "data", endpoint=sim.url)
        add_dossiers(counter, 20, files_per_dossier=1)
        counter.cdb.set_setting("sync_catalogue_hours", 0)
        counter.cdb.close()
        filler = disk / "filler"
        with contextlib.suppress(OSError), filler.open("wb", buffering=0) as f:
            while True:  # to the last byte
                f.write(b"\0" * 4096)
        assert shutil.disk_usage(disk).free < 64 * 1024
        out = _cli("sync", "--once", "--data-dir", str(counter.root))
        assert out.returncode == 2 and "Traceback" not in out.stderr, out.stderr[-2000:]
        assert "đầy" in out.stderr and "Giải phóng dung lượng" in out.stderr
        # A backup to another disk still works from the full one.
        out = _cli("backup", "--to", str(tmp_path / "usb"), "--data-dir", str(counter.root))
        assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr[-2000:]
        assert backup.verify_backup(backup.list_backups(tmp_path / "usb")[0].path) == []
        filler.unlink()  # the officer frees space: everything is sent, nothing was lost
        out = _cli("sync", "--once", "--data-dir", str(counter.root))
        assert out.returncode == 0, out.stderr[-2000:]
    held = sim.admin("/admin/dossiers")
    assert len(held["dossiers"] if isinstance(held, dict) else held) == 20


def test_a_server_answering_garbage_delays_entries_but_never_parks_them(tmp_path: Path) -> None:
    from bench.fault_campaign import HostileServer
    from counter_app.sync.worker import SyncConfig, sync_once
    from tests.sync.conftest import add_dossiers, build_counter

    counter = build_counter(tmp_path / "c")
    add_dossiers(counter, 3, files_per_dossier=1)
    config = SyncConfig(catalogue_interval=None, pull=False)
    with HostileServer("garbage") as server, _client(server.url, retries=0) as client:
        sync_once(counter.cdb, counter.root, client, config=config)
    # "200" with bytes that are not our protocol: the server's fault, tried again later, never
    # parked for the officer to press «Gửi lại» (the attack run found files parked this way).
    states = dict(counter.cdb.conn.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall())
    assert states == {"pending": 6}, states
    counter.cdb.close()


@pytest.mark.skipif(os.name != "posix", reason="RLIMIT_FSIZE is POSIX")
def test_sync_that_cannot_grow_its_files_says_so_and_loses_nothing(sims, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The no-root stand-in for a full disk: the kernel refuses to grow any file (EFBIG)."""
    import resource
    import signal

    from tests.sync.conftest import add_dossiers, build_counter

    sim = sims.start("--no-progress")
    counter = build_counter(tmp_path / "c", endpoint=sim.url)
    add_dossiers(counter, 10, files_per_dossier=1)
    counter.cdb.set_setting("sync_catalogue_hours", 0)
    counter.cdb.close()

    def tiny_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of being killed
        resource.setrlimit(resource.RLIMIT_FSIZE, (8192, 8192))

    out = subprocess.run([sys.executable, str(ROOT / "main.py"), "sync", "--once", "--data-dir", str(counter.root)],
                         capture_output=True, text=True, timeout=120, cwd=ROOT, preexec_fn=tiny_files)
    assert out.returncode == 2 and "Traceback" not in out.stderr, out.stderr[-2000:]
    assert "ổ đĩa" in out.stderr.lower()
    assert _cli("sync", "--once", "--data-dir", str(counter.root)).returncode == 0
    held = sim.admin("/admin/dossiers")
    assert len(held["dossiers"] if isinstance(held, dict) else held) == 10


def test_a_pass_stopping_on_an_outage_does_not_wait_out_every_queued_unit(tmp_path: Path) -> None:
    from bench.fault_campaign import HostileServer
    from counter_app.sync.worker import SyncConfig, sync_once
    from tests.sync.conftest import add_dossiers, build_counter

    counter = build_counter(tmp_path / "c")
    add_dossiers(counter, 30, files_per_dossier=0)
    config = SyncConfig(catalogue_interval=None, pull=False, workers=4)
    with HostileServer("silent") as server, _client(server.url, deadline=3.0, timeout=3.0, retries=0) as client:
        started = time.monotonic()
        report = sync_once(counter.cdb, counter.root, client, config=config)
        elapsed = time.monotonic() - started
    assert report.error is not None and report.error.kind == "unreachable"
    # 16 units are claimed ahead of 4 threads: sending each into the stalled server would take
    # 4 × 3 s; the pass ends about one deadline after it starts.
    assert elapsed < 6.5, elapsed
    states = {r["state"] for r in counter.cdb.query("SELECT DISTINCT state FROM outbox")}
    assert states == {"pending"}  # an outage never parks anything
    counter.cdb.close()

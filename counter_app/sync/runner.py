"""Run the sync engine from settings: once (``counter-app sync --once``) or until stopped.

Settings read (table ``settings``, JSON values, through :class:`counter_app.db.settings.SyncSettings`;
see docs/sync.md):

- ``provincial_endpoint`` — base URL, e.g. ``https://motcua.<tỉnh>.gov.vn`` (written by setup);
- ``sync_username``, ``sync_password`` — the counter's account at the provincial system (the
  password is sealed in an encrypted data directory: ``privacy.set_secret_setting``);
- ``sync_ca_file`` — optional PEM file of the CA to trust (a province's own CA or self-signed
  certificate); when empty the system's trusted CAs are used. Verification is never turned off;
- ``sync_interval_seconds`` (default 60) — how often the loop pulls the province's changes;
- ``sync_deadline_seconds`` (default 60) — the most one call to the province may take, retries
  included, however slowly the server answers;
- ``sync_catalogue_hours`` (default 6; 0 = never) — how often the catalogue is refreshed.

The UI runs the same loop in a background thread::

    stop = threading.Event()
    thread = threading.Thread(target=main_sync, args=(data_dir, False, stop), name="sync", daemon=True)
    thread.start()
    ...
    stop.set(); thread.join(timeout=30)
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from counter_app.db import outbox
from counter_app.db.database import CounterDB, open_database
from counter_app.db.privacy import get_secret_setting
from counter_app.db.settings import SyncSettings
from counter_app.paths import DataDir
from counter_app.sync.client import ClientConfig, ProvincialClient, SyncError, SyncNotConfigured
from counter_app.sync.worker import SyncConfig, SyncReport, run_forever, sync_once
from counter_app.vault import Locked

log = logging.getLogger(__name__)

__all__ = ["client_config", "main_sync", "sync_config"]

LOCK_NAME = "sync.lock"


def client_config(cdb: CounterDB) -> ClientConfig:
    """The client configuration from settings; raises :class:`SyncNotConfigured` if incomplete."""
    settings = SyncSettings.load(cdb)
    endpoint, username = settings.endpoint, settings.username
    # Sealed in an encrypted data directory (counter_app.db.privacy.set_secret_setting).
    password = get_secret_setting(cdb, "sync_password")
    ca_file = settings.ca_file or None
    # Total seconds one call may take, retries included (a slow provincial line may need more).
    deadline = settings.deadline_seconds or ClientConfig.deadline
    if not endpoint or not username:
        raise SyncNotConfigured(
            "Chưa cài đặt kết nối với hệ thống một cửa của tỉnh.",
            hint="Nhập địa chỉ máy chủ, tài khoản và mật khẩu đồng bộ trong Cài đặt → Đồng bộ.")
    if not endpoint.startswith(("http://", "https://")):
        raise SyncNotConfigured(f"Địa chỉ máy chủ «{endpoint}» không hợp lệ (phải bắt đầu bằng https://).")
    return ClientConfig(base_url=endpoint, username=username, password=password, ca_file=ca_file,
                        deadline=deadline, timeout=min(ClientConfig.timeout, deadline))


def sync_config(cdb: CounterDB) -> SyncConfig:
    """Engine tuning from settings (only the catalogue period is exposed)."""
    return SyncConfig(catalogue_interval=SyncSettings.load(cdb).catalogue_interval)


@contextlib.contextmanager
def _single_instance(data_dir: DataDir) -> Iterator[bool]:
    """An OS file lock so the GUI's sync thread and a ``counter-app sync`` never run together.

    An OS lock (not a row in the database) is released by the kernel when a process dies,
    even by SIGKILL, so a crash never leaves the queue locked.
    """
    path = data_dir.root / LOCK_NAME
    handle = open(path, "a+b")  # noqa: SIM115 - held for the whole run, closed in finally
    locked = False
    try:
        if os.name == "nt":  # pragma: no cover - Windows
            import msvcrt

            try:
                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
                locked = True
            except OSError:
                locked = False
        else:
            import fcntl

            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                locked = True
            except OSError:
                locked = False
        yield locked
    finally:
        handle.close()


def main_sync(data_dir: DataDir, once: bool, stop: threading.Event | None = None, *,
              wake: threading.Event | None = None, paused: threading.Event | None = None,
              on_report: Callable[[SyncReport], None] | None = None) -> int:
    """Sync the counter at ``data_dir`` with the province; returns a process exit code.

    ``once``: one pass (push, pull, catalogue if due), then return 0 if the server was reached and
    the whole outbox is synced, 1 if something failed or still waits (a back-off, a parked entry),
    2 if sync is not configured or already running.
    Otherwise loop until ``stop`` is set (SIGTERM / Ctrl-C set it when run in the main thread)
    and return 0. ``wake`` lets the UI trigger a pass at once; while ``paused`` is set nothing is
    sent (the officer's «Tạm dừng đồng bộ»); ``on_report`` receives each pass's
    :class:`SyncReport` (called on the sync thread).
    Opens its own database connection, so it can run in any thread.
    """
    data_dir.ensure()
    stop = stop or threading.Event()
    with _single_instance(data_dir) as locked:
        if not locked:
            log.warning("another sync process holds %s; not starting a second one", data_dir.root / LOCK_NAME)
            print("Lỗi: đồng bộ đang chạy ở một cửa sổ hoặc tiến trình khác.", file=sys.stderr)
            return 2
        cdb = open_database(data_dir.database)
        try:
            try:
                cfg = client_config(cdb)
                with ProvincialClient(cfg) as client:
                    if once:
                        report = sync_once(cdb, data_dir.root, client, config=sync_config(cdb), stop=stop)
                        if on_report:
                            on_report(report)
                        _log_report(report)
                        unsent = outbox.unsynced_count(cdb)
                        return 0 if report.error is None and unsent == 0 else 1
                    restore = _install_signal_handlers(stop)
                    try:
                        interval = SyncSettings.load(cdb).interval_seconds
                        run_forever(cdb, Path(data_dir.root), client, stop=stop, wake=wake, paused=paused,
                                    config=sync_config(cdb), interval=interval, on_report=on_report)
                    finally:
                        restore()
                    return 0
            except SyncNotConfigured as exc:
                log.error("sync not configured")
                print(f"Lỗi: {exc.user_message()}", file=sys.stderr)
                return 2
            except SyncError as exc:  # e.g. a CA file that does not exist
                print(f"Lỗi: {exc.user_message()}", file=sys.stderr)
                return 2
            except Locked as exc:  # encrypted data directory whose keys this process has not opened
                log.error("sync: data directory is locked")
                print(f"Lỗi: {exc.user_message()}", file=sys.stderr)
                return 2
        finally:
            cdb.close()


def _log_report(report: SyncReport) -> None:
    log.info("sync: %d entries synced (%d dossiers, %d files, %d progress), %d failed, %d parked, "
             "%d changed by the province, %d result documents",
             report.synced, report.dossiers_sent, report.files_uploaded, report.progress_sent, report.failed,
             report.parked, report.pulled, report.results_downloaded)
    if report.error is not None:
        log.warning("sync stopped: %s", report.error.message)


def _install_signal_handlers(stop: threading.Event) -> Callable[[], None]:
    """SIGTERM/SIGINT set ``stop`` (main thread only: Python allows handlers nowhere else)."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}

    def handler(signum: int, frame: object) -> None:
        stop.set()

    for sig in previous:
        signal.signal(sig, handler)

    def restore() -> None:
        for sig, old in previous.items():
            signal.signal(sig, old)

    return restore

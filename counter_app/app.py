"""Composition root. Start-up steps, in order:

1. Resolve the data directory (``--data-dir``, ``COUNTER_APP_DATA_DIR``, platform default) and create it.
2. Logging to ``logs/counter-app.log`` (rotating); ``crashlog``: faulthandler and fd 2 to ``logs/crash.log``,
   hooks for uncaught exceptions on every thread, a marker that tells the next start about a crash.
3. QApplication, then the database worker thread, which opens and migrates the database off the UI thread.
4. Show a neutral start-up screen at once (the main window only after the log-in); when the database
   is ready, run first-run setup if needed (encryption passphrase, printed recovery key), or open the
   encrypted data (Windows key store, else the passphrase / recovery key prompt), then the log-in,
   then load pages.
"""

from __future__ import annotations

import argparse
import logging
import logging.handlers
import sys
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from counter_app.crashlog import CrashRecorder
from counter_app.paths import DataDir, resolve_data_dir

if TYPE_CHECKING:
    from counter_app.db.database import CounterDB
    from counter_app.db.setup import SetupInput

log = logging.getLogger("counter_app")
_T0 = time.perf_counter()
_recorder: CrashRecorder | None = None


def setup_logging(data: DataDir, *, record_crashes: bool = True) -> None:
    """File logging for the app (the core modules only create loggers), and the crash record."""
    global _recorder
    handler = logging.handlers.RotatingFileHandler(
        data.logs / "counter-app.log", maxBytes=2_000_000, backupCount=5, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    from counter_app import logfilter

    logfilter.install()  # ID numbers and passwords never reach a log file
    if not record_crashes:
        return
    if _recorder is None:
        _recorder = CrashRecorder(data.logs)
        _recorder.start()
    else:
        _recorder.reopen()


def first_run_work(cdb: CounterDB, values: SetupInput, passphrase: str, *, demo: bool,
                   demo_dossiers: int = 2000, progress: Callable[[int, int], None] | None = None) -> str:
    """First-run setup on the DB worker; returns the recovery key to show (once).

    The keys come first, so everything written afterwards — the demo's scans and personal fields
    included — is encrypted from the start.
    """
    from counter_app.db.setup import load_default_catalogue_into, run_setup
    from counter_app.services.keys import DEMO_HINT_SETTING, DEMO_PASSPHRASE, ENCRYPTED_SETTING, prepare_encryption

    recovery = prepare_encryption(cdb.root, passphrase)
    run_setup(cdb, values)
    with cdb.write():
        cdb.set_setting(ENCRYPTED_SETTING, True)
        # The unlock prompt may remind a demo user of «demo»; any passphrase change clears this.
        cdb.set_setting(DEMO_HINT_SETTING, demo and passphrase == DEMO_PASSPHRASE)
    load_default_catalogue_into(cdb)
    if demo:
        from counter_app.demo import generate

        generate(cdb, cdb.root, demo_dossiers, progress=progress)
    return recovery


def close_file_logs() -> None:
    """Close the log and crash files inside the data directory (before it is moved aside)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, logging.FileHandler):
            root.removeHandler(handler)
            handler.close()
    if _recorder is not None:
        _recorder.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Start the GUI; on any normal return (the officer closed it, cancelled a dialog) mark a clean exit."""
    code = _main(argv)
    if _recorder is not None:
        _recorder.finish()  # the next start has nothing to report
    return code


def _close_cleanly_on_termination(app: Any) -> None:
    """SIGTERM (system shutdown on Linux, ``kill``) and the end of a Windows session close the app the way
    the officer's ✕ does, so the next start does not report a crash that was a shutdown."""
    import signal

    from counter_app.ui.qt import QApplication, QTimer

    def close_all() -> None:
        QApplication.closeAllWindows()  # each window's closeEvent stops its timers, scans and backups
        app.quit()

    def on_signal(signum: int, _frame: Any) -> None:
        log.warning("stopped by signal %d: closing as the window's close button would", signum)
        QTimer.singleShot(0, close_all)

    signal.signal(signal.SIGTERM, on_signal)
    # Python runs a signal handler only when it next gets control; an idle Qt loop may not give it any.
    pump = QTimer(app)
    pump.timeout.connect(lambda: None)
    pump.start(250)

    def session_ending(_manager: Any) -> None:
        # The OS is logging off or shutting down: this is not a crash even if it kills us after this.
        log.warning("the desktop session is ending")
        if _recorder is not None:
            _recorder.finish()

    app.commitDataRequest.connect(session_ending)


def _main(argv: Sequence[str] | None) -> int:
    p = argparse.ArgumentParser(prog="counter-app")
    p.add_argument("--data-dir")
    p.add_argument("--quit-after-shown", action="store_true", help="(benchmarks) print start-up time and exit")
    p.add_argument("--screenshot", help="(docs/tests) save a screenshot of the window after loading, then exit")
    args = p.parse_args(argv)

    data = resolve_data_dir(args.data_dir)
    from counter_app.db.backup import apply_pending_restore

    # A restore prepared from Cài đặt → Sao lưu: swap it in before any file of the data directory is
    # opened (Windows cannot rename a folder holding an open log or database file).
    restored = apply_pending_restore(data.root)
    data.ensure()
    setup_logging(data)
    if restored is not None:
        log.warning("%s", restored.message())

    from counter_app.ui.errors import show_exception
    from counter_app.ui.main_window import MainWindow
    from counter_app.ui.qt import QApplication, QTimer
    from counter_app.ui.tasks import DbWorker

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Quầy Một Cửa")
    app.setStyle("Fusion")
    from counter_app.ui.i18n import install_translations

    install_translations(app)  # Qt's own dialogs in Vietnamese (the translators are children of app)
    from counter_app.ui.qt_messages import install_qt_message_handler

    install_qt_message_handler()  # Qt's own warnings go to the app log, not to a console nobody sees
    _close_cleanly_on_termination(app)

    def excepthook(etype: type[BaseException], value: BaseException, tb: Any) -> None:
        log.critical("uncaught exception", exc_info=(etype, value, tb))
        show_exception(None, value)

    sys.excepthook = excepthook

    if data.database.exists():
        from counter_app.db import backup

        report = backup.startup_check(data)
        if not report.ok:
            from counter_app.ui.recovery import StartupRecoveryDialog

            log.error("start-up check failed: %s", "; ".join(report.problems))
            close_file_logs()  # Windows cannot move a folder holding an open log file aside
            dlg = StartupRecoveryDialog(report, data)
            if not dlg.exec() or dlg.applied is None:
                return 1
            data.ensure()
            setup_logging(data)
            log.warning("%s", dlg.applied.message())
            report = backup.startup_check(data)
            if not report.ok:  # the backup itself is damaged too: say so rather than open it
                from counter_app.ui.qt import QMessageBox

                QMessageBox.critical(None, "Dữ liệu bị lỗi", report.message())
                return 1
        backup.clean_temp_files(data)

    from counter_app.ui.main_window import StartupScreen

    worker = DbWorker(data.database)
    window = MainWindow(worker, str(data.root))
    # Until an officer has logged in, only a neutral screen shows (issue #14): the main window with
    # «Giám sát» and «Cài đặt» is not for whoever stands at the counter before the log-in.
    startup = StartupScreen()
    if args.quit_after_shown:
        window.show_fitted()  # the benchmark measures the window itself
    else:
        startup.show()
    if args.quit_after_shown:
        app.processEvents()
        print(f"window shown after {(time.perf_counter() - _T0) * 1000:.0f} ms (since module import)")

    def login() -> None:
        from datetime import datetime

        from counter_app.db import accounts
        from counter_app.ui.login import IdleLock, LoginDialog

        startup.idle("Đăng nhập để bắt đầu làm việc.")
        dlg = LoginDialog(worker, startup)
        if not dlg.exec() or dlg.user is None:
            app.quit()
            return
        session = accounts.Session(dlg.user, datetime.now())
        window.set_user(dlg.user)
        window.show_fitted()
        startup.close()

        def with_minutes(minutes: float) -> None:
            lock = IdleLock(window, worker, session, minutes)
            lock.switched.connect(lambda s: window.set_user(s.user))
            window.idle_lock = lock
            from counter_app.ui.qt import QKeySequence, QShortcut

            QShortcut(QKeySequence("Ctrl+L"), window).activated.connect(lock.lock)

        worker.submit(accounts.idle_lock_minutes, with_minutes)
        after_setup()

    def after_setup() -> None:
        window.start()
        previous = _recorder.previous if _recorder is not None else None
        if previous is not None:
            from counter_app.ui.qt import QMessageBox

            log.warning("told the officer: %s", previous.message())
            box = QMessageBox(QMessageBox.Icon.Warning, "Ứng dụng đã đóng bất thường", previous.message(),
                              QMessageBox.StandardButton.Ok, window)
            box.button(QMessageBox.StandardButton.Ok).setText("Đã hiểu")
            box.open()  # not exec(): the officer's work is not held up by it
        if args.screenshot:
            QTimer.singleShot(1500, lambda: (window.grab().save(args.screenshot), app.quit()))

    def on_ready() -> None:
        if args.quit_after_shown:
            app.quit()
            return
        from counter_app.ui.keys import startup_state

        worker.submit(startup_state, after_state)

    def after_state(state: dict[str, Any]) -> None:
        if not state["configured"]:
            first_run()
        elif state["encrypted"] and not state["unlocked"]:
            unlock(state)
        else:
            opened(state)

    def opened(state: dict[str, Any]) -> None:
        if state["pending"]:  # switching encryption on was interrupted: finish it first
            from counter_app.ui.keys import resume_pending

            resume_pending(worker, startup, login)
        else:
            login()

    def unlock(state: dict[str, Any]) -> None:
        # Before the log-in: without the keys, nothing of the citizens' data can be shown anyway.
        from counter_app.ui.keys import UnlockDialog

        startup.idle("Mở khóa dữ liệu để tiếp tục.")
        dlg = UnlockDialog(worker, state["root"], demo_hint=state["demo_hint"], parent=startup)
        if not dlg.exec() or dlg.ring is None:
            app.quit()
            return
        opened(state)

    def first_run() -> None:
        from counter_app.ui.setup_dialog import SetupDialog

        startup.idle("Cài đặt lần đầu.")
        dlg = SetupDialog(startup)
        if not dlg.exec():
            app.quit()
            return
        # Feedback at once: the keys (deliberately slow to derive) take seconds before any progress.
        startup.busy("Đang tạo khóa mã hóa và danh mục thủ tục…")
        values, demo, passphrase = dlg.value(), dlg.demo.isChecked(), dlg.encryption_passphrase()
        from counter_app.ui.keys import RecoveryKeyDialog
        from counter_app.ui.progress import run_with_progress

        def done(recovery: str) -> None:
            # Shown once, before anything else: the key exists nowhere but in this dialog now.
            startup.idle("Cất giữ khóa khôi phục.")
            RecoveryKeyDialog(recovery, values.agency_name, parent=startup).exec()
            login()

        def failed(exc: BaseException) -> None:
            show_exception(startup, exc)
            first_run()

        # Busy bar while the keys and the catalogue are made, then the demo's count.
        run_with_progress(worker, startup, "Cài đặt lần đầu",
                          lambda cdb, progress: first_run_work(cdb, values, passphrase, demo=demo,
                                                               progress=lambda n, total: progress("demo", n, total)),
                          done, failed)

    def open_failed(exc: BaseException) -> None:
        show_exception(startup, exc)
        app.quit()

    worker.ready.connect(on_ready)
    worker.failed_to_open.connect(open_failed)
    worker.start()
    try:
        return int(app.exec())
    finally:
        from counter_app.ui.qt import QThreadPool

        worker.stop()
        # Let image/PDF jobs finish writing (a scan page is on disk before it is listed).
        QThreadPool.globalInstance().waitForDone(10_000)
        from counter_app.ui.tasks import processing_pool

        processing_pool().waitForDone(10_000)


if __name__ == "__main__":
    raise SystemExit(main())

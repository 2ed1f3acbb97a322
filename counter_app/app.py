"""Composition root. Start-up steps, in order:

1. Resolve the data directory (``--data-dir``, ``COUNTER_APP_DATA_DIR``, platform default) and create it.
2. Logging to ``logs/counter-app.log`` (rotating), ``faulthandler`` to ``logs/crash.log``, an excepthook.
3. QApplication, then the database worker thread, which opens and migrates the database off the UI thread.
4. Show the window at once; when the database is ready, run first-run setup if needed, then load pages.
"""

from __future__ import annotations

import argparse
import faulthandler
import logging
import logging.handlers
import sys
import time
from collections.abc import Sequence
from typing import Any

from counter_app.paths import DataDir, resolve_data_dir

log = logging.getLogger("counter_app")
_T0 = time.perf_counter()
_crash_file: Any = None


def setup_logging(data: DataDir) -> None:
    """File logging for the app; the core modules only create loggers."""
    global _crash_file
    handler = logging.handlers.RotatingFileHandler(
        data.logs / "counter-app.log", maxBytes=2_000_000, backupCount=5, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    from counter_app import logfilter

    logfilter.install()  # ID numbers and passwords never reach a log file
    _crash_file = open(data.logs / "crash.log", "a", encoding="utf-8")  # noqa: SIM115 - lives for the process
    faulthandler.enable(_crash_file)


def main(argv: Sequence[str] | None = None) -> int:
    """Start the GUI."""
    p = argparse.ArgumentParser(prog="counter-app")
    p.add_argument("--data-dir")
    p.add_argument("--quit-after-shown", action="store_true", help="(benchmarks) print start-up time and exit")
    p.add_argument("--screenshot", help="(docs/tests) save a screenshot of the window after loading, then exit")
    args = p.parse_args(argv)

    data = resolve_data_dir(args.data_dir).ensure()
    setup_logging(data)

    from counter_app.ui.errors import show_exception
    from counter_app.ui.main_window import MainWindow
    from counter_app.ui.qt import QApplication, QProgressDialog, Qt, QTimer
    from counter_app.ui.tasks import DbWorker

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Quầy Một Cửa")
    app.setStyle("Fusion")

    def excepthook(etype: type[BaseException], value: BaseException, tb: Any) -> None:
        log.critical("uncaught exception", exc_info=(etype, value, tb))
        show_exception(None, value)

    sys.excepthook = excepthook

    if data.database.exists():
        from counter_app.db import backup

        report = backup.startup_check(data)
        if not report.ok:
            from counter_app.ui.qt import QMessageBox

            QMessageBox.critical(None, "Dữ liệu bị lỗi", report.message())
            return 1
        backup.clean_temp_files(data)

    worker = DbWorker(data.database)
    window = MainWindow(worker, str(data.root))
    window.show()
    if args.quit_after_shown:
        app.processEvents()
        print(f"window shown after {(time.perf_counter() - _T0) * 1000:.0f} ms (since module import)")

    def login() -> None:
        from datetime import datetime

        from counter_app.db import accounts
        from counter_app.ui.login import IdleLock, LoginDialog

        dlg = LoginDialog(worker, window)
        if not dlg.exec() or dlg.user is None:
            app.quit()
            return
        session = accounts.Session(dlg.user, datetime.now())
        window.set_user(dlg.user)

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
        if args.screenshot:
            QTimer.singleShot(1500, lambda: (window.grab().save(args.screenshot), app.quit()))

    def on_ready() -> None:
        if args.quit_after_shown:
            app.quit()
            return
        from counter_app.db.setup import is_configured

        worker.submit(is_configured, lambda ok: login() if ok else first_run())

    def first_run() -> None:
        from counter_app.ui.setup_dialog import SetupDialog

        dlg = SetupDialog(window)
        if not dlg.exec():
            app.quit()
            return
        values, demo = dlg.value(), dlg.demo.isChecked()
        progress = QProgressDialog("Đang cài đặt…", None, 0, 100, window)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(0)
        progress.setValue(0)

        def work(cdb: Any) -> None:
            from counter_app.db.setup import load_default_catalogue_into, run_setup

            run_setup(cdb, values)
            load_default_catalogue_into(cdb)
            if demo:
                from counter_app.demo import generate

                generate(cdb, data.root, 2000)

        def done(_: object) -> None:
            progress.close()
            login()

        def failed(exc: BaseException) -> None:
            progress.close()
            show_exception(window, exc)
            first_run()

        worker.submit(work, done, failed)

    def open_failed(exc: BaseException) -> None:
        show_exception(window, exc)
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

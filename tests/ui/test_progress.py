"""ui/progress.py: a long job on the real database worker behind a modal progress dialog."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from counter_app.db.database import CounterDB
from counter_app.ui.progress import run_with_progress
from counter_app.ui.qt import QProgressDialog, QPushButton, QThread, QWidget
from counter_app.ui.tasks import DbWorker
from tests.factories import make_db


def _worker(qtbot: QtBot, tmp_path: Path) -> DbWorker:
    make_db(tmp_path / "counter.sqlite3").close()
    worker = DbWorker(tmp_path / "counter.sqlite3")
    with qtbot.waitSignal(worker.ready, timeout=10000):
        worker.start()
    return worker


def test_progress_reaches_the_dialog_from_the_worker_then_it_closes(qtbot: QtBot, tmp_path: Path) -> None:
    worker = _worker(qtbot, tmp_path)
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    go = threading.Event()
    seen: dict[str, Any] = {}

    def job(cdb: CounterDB, report: Any) -> int:
        seen["thread"] = QThread.currentThread()
        report("files", 3, 10)
        assert go.wait(20), "the test never let the job finish"
        report("files", 10, 10)
        return int(cdb.scalar("SELECT count(*) FROM procedures"))

    done: list[Any] = []
    try:
        run_with_progress(worker, parent, "Bật mã hóa dữ liệu", job, done.append, done.append)
        [dialog] = parent.findChildren(QProgressDialog)
        # No cancel button: the jobs are resumable but stopping one half-way helps nobody.
        assert dialog.windowTitle() == "Bật mã hóa dữ liệu" and dialog.findChildren(QPushButton) == []
        qtbot.waitUntil(lambda: dialog.value() == 3, timeout=10000)
        assert dialog.maximum() == 10 and dialog.labelText() == "Đang mã hóa bản quét và giấy tờ đã lưu… 3/10"
        assert seen["thread"] is worker  # the job ran on the database thread, not the UI thread
        go.set()
        qtbot.waitUntil(lambda: bool(done), timeout=10000)
        assert done == [3] and not dialog.isVisible()
    finally:
        go.set()
        worker.stop()


def test_a_failed_job_closes_the_dialog_and_reaches_on_failed(qtbot: QtBot, tmp_path: Path) -> None:
    worker = _worker(qtbot, tmp_path)
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()

    def job(cdb: CounterDB, report: Any) -> None:
        report("fields", 1, 4)
        raise ValueError("hỏng giữa chừng")

    finished: list[Any] = []
    failed: list[BaseException] = []
    try:
        run_with_progress(worker, parent, "Hoàn tất mã hóa dữ liệu", job, finished.append, failed.append)
        [dialog] = parent.findChildren(QProgressDialog)
        qtbot.waitUntil(lambda: bool(failed), timeout=10000)
        assert finished == [] and isinstance(failed[0], ValueError) and not dialog.isVisible()
    finally:
        worker.stop()

"""Background work under churn: thousands of pool jobs and back-to-back scanner threads.

A CI run once aborted the whole process (SIGABRT, no Python frame) in the heartbeat test: objects
owned by Python were freed on the UI thread while a worker thread was still inside them. These
tests run the same paths hard enough that such a race shows up, and check every result arrives on
the UI thread exactly once.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pytestqt.qtbot import QtBot

from counter_app.ui.qt import QApplication, QThread, QThreadPool
from counter_app.ui.tasks import DbWorker, run_in_pool
from tests.factories import make_db


def test_pool_results_arrive_once_on_the_ui_thread(qtbot: QtBot) -> None:
    pool = QThreadPool()
    pool.setMaxThreadCount(4)
    ui_thread = QApplication.instance().thread()  # type: ignore[union-attr]
    done: list[int] = []
    failed: list[int] = []
    wrong_thread: list[int] = []
    n = 3000

    def job(i: int) -> int:
        # A little real work (numpy releases the GIL) so pool threads overlap with the UI thread.
        float(np.median(np.arange(200, dtype=np.float32)))
        if i % 7 == 0:
            raise ValueError(str(i))
        return i

    def ok(i: int) -> None:
        if QThread.currentThread() is not ui_thread:
            wrong_thread.append(i)
        done.append(i)

    def bad(exc: BaseException) -> None:
        if QThread.currentThread() is not ui_thread:
            wrong_thread.append(-1)
        failed.append(int(str(exc)))

    for i in range(n):
        run_in_pool(lambda i=i: job(i), ok, bad, pool)
    qtbot.waitUntil(lambda: len(done) + len(failed) == n, timeout=60000)
    pool.waitForDone(10000)
    assert not wrong_thread
    assert sorted(done) == [i for i in range(n) if i % 7]
    assert sorted(failed) == [i for i in range(n) if i % 7 == 0]


def test_back_to_back_batches_and_closing_mid_scan(qtbot: QtBot, tmp_path: Path) -> None:
    """Each batch's thread is freed only after it has finished; closing waits for a running one."""
    import cv2

    from counter_app.ui.scan_station import ScanStationPage
    from counter_dev.testpages import generate_set

    make_db(tmp_path / "counter.sqlite3").close()
    worker = DbWorker(tmp_path / "counter.sqlite3")
    with qtbot.waitSignal(worker.ready, timeout=10000):
        worker.start()
    page = ScanStationPage(worker, tmp_path)
    qtbot.addWidget(page)
    img = tmp_path / "p.png"
    cv2.imwrite(str(img), generate_set(3, 1)[0].image)
    for _ in range(25):
        page.import_files([str(img)])
        assert page.acquire_thread is not None
        qtbot.waitUntil(lambda: page.acquire_thread is None, timeout=30000)
    qtbot.waitUntil(lambda: page.pending == 0 and not page._ending, timeout=60000)
    assert page.session is not None and len(page.session.pages) == 25

    # Close while a long batch is still streaming: the thread stops after its page and is waited for.
    page.import_files([str(img)] * 200)
    running = page.acquire_thread
    assert running is not None
    page.shutdown()
    assert running.isFinished()
    qtbot.waitUntil(lambda: page.acquire_thread is None and page.pending == 0, timeout=60000)
    # shutdown() came right after the batch started: at most the page in hand (and one being read) is kept.
    assert len(page.session.pages) <= 25 + 3, "cancel did not stop the batch"
    worker.stop()

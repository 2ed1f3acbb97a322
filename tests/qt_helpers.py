"""Waiting on real conditions in Qt tests instead of fixed sleeps."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from counter_app.ui.tasks import DbWorker


def drain_worker(qtbot: QtBot, worker: DbWorker, timeout: int = 10_000) -> None:
    """Return once every job queued on ``worker`` so far has run and its callback has been delivered.

    The worker runs jobs in order on one thread and delivers results in order on the UI thread, so a
    no-op job's callback arriving proves everything queued before it is done — a negative assertion
    after this checks something, unlike one after ``qtbot.wait(200)``.
    """
    done: list[bool] = []
    worker.submit(lambda cdb: None, lambda _: done.append(True))
    qtbot.waitUntil(lambda: bool(done), timeout=timeout)

"""Background work for the GUI.

All database access goes through one :class:`DbWorker` thread that owns its own connection (Anki
serialises collection access the same way), so the UI thread never waits on SQLite. CPU work that
does not touch the database (image processing, PDF rendering) runs on the global QThreadPool via
:func:`run_in_pool`. Results come back to the UI thread through queued signals; workers never touch
widgets.
"""

from __future__ import annotations

import itertools
import logging
import os
import queue
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from counter_app.db.database import CounterDB
from counter_app.services.session import Actor
from counter_app.ui.qt import QCoreApplication, QObject, QThread, QThreadPool, Signal

log = logging.getLogger(__name__)

Callback = Callable[[Any], None]
ErrorCallback = Callable[[BaseException], None]


def _deliver(fn: Callable[[Any], None], value: Any) -> None:
    """Call a result callback; skip it if its widget was closed while the work ran."""
    try:
        fn(value)
    except RuntimeError as exc:
        if "already deleted" not in str(exc):
            raise
        log.debug("result for a closed widget dropped: %s", exc)


def _settle(on_done: Callback | None, on_error: ErrorCallback | None, result: object, error: object) -> None:
    """Hand a finished job's outcome to its callback; an error nobody handles is shown to the user."""
    if error is not None:
        if on_error:
            _deliver(on_error, error)
        else:
            from counter_app.ui.errors import show_exception

            show_exception(None, error)  # type: ignore[arg-type]
    elif on_done:
        _deliver(on_done, result)


class DbWorker(QThread):
    """A thread owning the app's database connection; runs submitted functions in order."""

    finished_job = Signal(int, object, object)  # job id, result, exception
    ready = Signal()
    failed_to_open = Signal(object)

    def __init__(self, db_path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db_path = db_path
        #: Who is signed in (set once by the main window at log-in and quick switch): operations that
        #: record an actor take it explicitly; jobs that read citizens' data, print or export record it.
        self.actor: Actor | None = None
        self._jobs: queue.Queue[tuple[int, Callable[[CounterDB], Any]] | None] = queue.Queue()
        self._callbacks: dict[int, tuple[Callback | None, ErrorCallback | None]] = {}
        self._ids = itertools.count(1)
        self.finished_job.connect(self._dispatch)

    @property
    def user_id(self) -> int | None:
        """The signed-in user's id, or ``None`` before log-in."""
        return self.actor.user_id if self.actor is not None else None

    def run(self) -> None:  # runs in the worker thread
        """Open the database, then serve jobs until :meth:`stop`."""
        try:
            cdb = CounterDB(self.db_path)
        except BaseException as exc:
            log.exception("cannot open database")
            self.failed_to_open.emit(exc)
            return
        self.ready.emit()
        try:
            while (job := self._jobs.get()) is not None:
                job_id, fn = job
                try:
                    result = fn(cdb)
                except BaseException as exc:
                    log.debug("job %d failed: %s", job_id, traceback.format_exc())
                    self.finished_job.emit(job_id, None, exc)
                else:
                    self.finished_job.emit(job_id, result, None)
        finally:
            cdb.close()

    def submit(self, fn: Callable[[CounterDB], Any], on_done: Callback | None = None,
               on_error: ErrorCallback | None = None) -> int:
        """Queue ``fn(cdb)``; ``on_done(result)`` or ``on_error(exc)`` is called on the UI thread."""
        job_id = next(self._ids)
        self._callbacks[job_id] = (on_done, on_error)
        self._jobs.put((job_id, fn))
        return job_id

    def _dispatch(self, job_id: int, result: object, error: object) -> None:
        _settle(*self._callbacks.pop(job_id, (None, None)), result, error)

    def stop(self, timeout_ms: int = 10000) -> None:
        """Finish queued jobs, close the connection and end the thread."""
        self._jobs.put(None)
        self.wait(timeout_ms)


class _PoolRelay(QObject):
    """One long-lived object on the UI thread that carries every pool result back to it.

    A per-job signals object would be freed by the UI thread (when its callback drops the last
    reference) while the pool thread may still be inside ``emit`` on it: a use-after-free that
    aborted a CI run. One relay that lives as long as the application has nothing to free.
    """

    finished = Signal(int, object, object)  # job id, result, exception


_relay: _PoolRelay | None = None
_pool_callbacks: dict[int, tuple[Callback | None, ErrorCallback | None]] = {}
_pool_ids = itertools.count(1)


def _pool_dispatch(job_id: int, result: object, error: object) -> None:
    _settle(*_pool_callbacks.pop(job_id, (None, None)), result, error)


def _pool_relay() -> _PoolRelay:
    global _relay
    if _relay is None:
        # The relay must belong to the UI thread, so that emits from pool threads are queued to it.
        _relay = _PoolRelay()
        app = QCoreApplication.instance()
        if app is not None and _relay.thread() is not app.thread():
            _relay.moveToThread(app.thread())
        _relay.finished.connect(_pool_dispatch)
    return _relay


_processing_pool: QThreadPool | None = None


def processing_pool() -> QThreadPool:
    """A pool for heavy image work that always leaves one core to the UI thread.

    On a 2-core counter PC two OpenCV threads plus the window would compete for the CPU and the
    event loop could stall; one low-priority worker keeps the window smooth (measured: worst
    event-loop gap 27 ms vs 113 ms under load with two workers).
    """
    global _processing_pool
    if _processing_pool is None:
        _processing_pool = QThreadPool()
        _processing_pool.setMaxThreadCount(max(1, (os.cpu_count() or 2) - 1))
        _processing_pool.setThreadPriority(QThread.Priority.LowPriority)
    return _processing_pool


def run_in_pool(fn: Callable[[], Any], on_done: Callback | None = None,
                on_error: ErrorCallback | None = None, pool: QThreadPool | None = None) -> None:
    """Run CPU work on a thread pool (the global one by default) and deliver the result on the UI thread."""
    relay = _pool_relay()
    job_id = next(_pool_ids)
    _pool_callbacks[job_id] = (on_done, on_error)

    def run() -> None:  # on a pool thread
        try:
            result = fn()
        except BaseException as exc:
            relay.finished.emit(job_id, None, exc)
        else:
            relay.finished.emit(job_id, result, None)

    # A plain callable: Qt owns the runnable it wraps and frees it on the pool thread after run().
    (pool or QThreadPool.globalInstance()).start(run)

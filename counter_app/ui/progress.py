"""A long job on the database worker behind a modal progress dialog.

The job reports ``(stage, done, total)`` from the worker thread; a queued signal carries it to the
UI thread, which alone touches the dialog (workers never touch widgets: ``docs/ARCHITECTURE.md``).
Used by the encryption panel, the unlock/resume path and the first-run setup (demo data).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from counter_app.db.database import CounterDB
from counter_app.ui.login import Submitter
from counter_app.ui.qt import QObject, QProgressDialog, Qt, QWidget, Signal
from counter_app.vnformat import number

__all__ = ["run_with_progress"]


class _Progress(QObject):
    """Carries progress from the DB worker thread to the UI thread (a queued signal)."""

    changed = Signal(str, int, int)


_STAGES = {"fields": "Đang mã hóa thông tin cá nhân của công dân",
           "files": "Đang mã hóa bản quét và giấy tờ đã lưu",
           "demo": "Đang tạo dữ liệu mẫu (hồ sơ)"}


def _show_progress(progress: QProgressDialog, stage: str, done: int, total: int) -> None:
    label = _STAGES.get(stage, "Đang mã hóa dữ liệu")
    progress.setLabelText(f"{label}… {number(done)}/{number(total)}" if total else f"{label}…")
    progress.setMaximum(max(total, 0))
    progress.setValue(min(done, total) if total else 0)


def run_with_progress(worker: Submitter, parent: QWidget | None, title: str,
                      job: Callable[[CounterDB, Callable[[str, int, int], None]], Any],
                      on_done: Callable[[Any], None], on_failed: Callable[[BaseException], None]) -> None:
    """Run a long ``job(cdb, progress)`` on the worker behind a modal progress dialog (no cancel:
    the jobs are resumable, but stopping one half-way helps nobody)."""
    progress = QProgressDialog(parent)
    progress.setLabelText("Đang chuẩn bị…")
    progress.setCancelButton(None)  # the (label, None, …) constructor does the same; its stubs refuse None
    progress.setRange(0, 0)
    progress.setWindowTitle(title)
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(0)
    progress.setAutoClose(False)
    progress.setAutoReset(False)
    bridge = _Progress(parent)
    bridge.changed.connect(lambda stage, done, total: _show_progress(progress, stage, done, total))

    def done(result: Any) -> None:
        progress.close()
        bridge.deleteLater()
        on_done(result)

    def failed(exc: BaseException) -> None:
        progress.close()
        bridge.deleteLater()
        on_failed(exc)

    worker.submit(lambda cdb: job(cdb, bridge.changed.emit), done, failed)


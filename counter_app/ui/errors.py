"""Exactly one place turns an exception into a dialog (Anki's show_exception)."""

from __future__ import annotations

import logging

from counter_app.errors import CounterError
from counter_app.ui.qt import QMessageBox, QWidget

log = logging.getLogger(__name__)


def show_exception(parent: QWidget | None, exc: BaseException) -> None:
    """Explain a known problem in Vietnamese, or report a bug with where to find the log."""
    if isinstance(exc, CounterError):
        QMessageBox.warning(parent, "Không thực hiện được", exc.user_message())
        return
    log.error("unexpected error", exc_info=(type(exc), exc, exc.__traceback__))
    QMessageBox.critical(
        parent,
        "Lỗi không mong đợi",
        "Đã xảy ra lỗi chương trình. Dữ liệu đã lưu không bị ảnh hưởng.\n"
        "Vui lòng báo cho quản trị kèm tệp nhật ký trong thư mục logs của thư mục dữ liệu.\n\n"
        f"{type(exc).__name__}: {exc}",
    )

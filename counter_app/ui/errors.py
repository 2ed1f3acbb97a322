"""Exactly one place turns an exception into a dialog (Anki's show_exception) or an inline message.

Inline messages (a label under a form, a status line) go through :func:`error_html` and
:func:`ok_html`, so every screen says a problem in the same colour and an unexpected exception is
logged with its traceback instead of being shown as Python text.
"""

from __future__ import annotations

import html
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


#: The one colour of an inline problem, and of a confirmation (dark enough on white for a counter screen).
ERROR_COLOUR = "#b00020"
OK_COLOUR = "#080"


def error_text(exc: BaseException, doing: str = "") -> str:
    """The plain Vietnamese text for ``exc``: a known problem's message, or — for a bug — a sentence
    that says where the log is (the traceback goes to the log, never to the screen).

    ``doing`` names the action for the bug sentence, e.g. ``"khi đăng nhập"``.
    """
    if isinstance(exc, CounterError):
        return exc.user_message()
    log.error("unexpected error%s", f" ({doing})" if doing else "", exc_info=(type(exc), exc, exc.__traceback__))
    where = f" {doing}" if doing else ""
    return (f"Lỗi chương trình{where}. Dữ liệu đã lưu không bị ảnh hưởng; "
            "báo quản trị viên kèm tệp nhật ký trong thư mục logs.")


def error_html(problem: BaseException | str, doing: str = "") -> str:
    """An inline problem as rich text in :data:`ERROR_COLOUR`.

    An exception's text is escaped (a message may quote what the officer typed); a ``str`` is our own
    markup and may hold ``<b>`` and the like.
    """
    if isinstance(problem, BaseException):
        body = html.escape(error_text(problem, doing), quote=False).replace("\n", "<br>")
    else:
        body = problem
    return f"<span style='color:{ERROR_COLOUR}'>{body}</span>"


def ok_html(text: str) -> str:
    """An inline confirmation («Đã lưu.») as rich text in :data:`OK_COLOUR` (``text`` is our own markup)."""
    return f"<span style='color:{OK_COLOUR}'>{text}</span>"

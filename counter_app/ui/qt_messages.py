"""Qt's own diagnostics (qWarning, qCritical, qFatal) into the app log instead of a console nobody sees."""

from __future__ import annotations

import logging

from counter_app.ui.qt import QMessageLogContext, QtMsgType, qInstallMessageHandler

log = logging.getLogger("qt")

_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _handler(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    where = f" ({context.file}:{context.line})" if context.file else ""
    log.log(_LEVELS.get(kind, logging.WARNING), "%s%s", message, where)


def install_qt_message_handler() -> None:
    """Route Qt's messages to the ``qt`` logger; a fatal one still aborts (Qt does that after the handler)."""
    qInstallMessageHandler(_handler)

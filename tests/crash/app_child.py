"""Child process for the crash-record tests: the real GUI (``counter_app.app.main``) on a data directory,
with one fault injected once the window is up.

Usage: python app_child.py DATA_DIR segv|fatal|none [app arguments…]

``segv`` raises SIGSEGV through ``faulthandler._sigsegv``; ``fatal`` calls CPython's ``Py_FatalError`` —
the path PySide6 6.12.0's "none_dealloc" took, which writes to fd 2 and switches faulthandler off.
"""

from __future__ import annotations

import ctypes
import faulthandler
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from counter_app import app
from counter_app.ui import main_window
from counter_app.ui.qt import QTimer


def main() -> int:
    data, fault, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
    original = main_window.MainWindow.show_fitted

    def show_then_fault(self: main_window.MainWindow) -> None:
        original(self)
        if fault == "segv":
            QTimer.singleShot(200, lambda: faulthandler._sigsegv())
        elif fault == "fatal":
            QTimer.singleShot(200, lambda: ctypes.pythonapi.Py_FatalError(b"injected by the crash-record test"))

    main_window.MainWindow.show_fitted = show_then_fault  # type: ignore[method-assign]
    # Since issue #14 the main window shows only after the log-in; before it, a neutral start-up
    # screen is the first window up (this child never logs in).
    original_startup = main_window.StartupScreen.show

    def startup_then_fault(self: main_window.StartupScreen) -> None:
        original_startup(self)
        if fault == "segv":
            QTimer.singleShot(200, lambda: faulthandler._sigsegv())
        elif fault == "fatal":
            QTimer.singleShot(200, lambda: ctypes.pythonapi.Py_FatalError(b"injected by the crash-record test"))

    main_window.StartupScreen.show = startup_then_fault  # type: ignore[method-assign]
    return app.main(["--data-dir", data, *rest])


if __name__ == "__main__":
    raise SystemExit(main())

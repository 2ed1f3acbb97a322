"""Window sizes that respect the screen a counter PC really has.

Ward PCs commonly have 1366×768 screens with a taskbar of about 40 pixels; a dialog sized for a
developer's monitor would put its buttons below the edge, where nobody can press them.
"""

from __future__ import annotations

from counter_app.ui.qt import QGuiApplication, QWidget

# Room left for the window's title bar and frame, which the available geometry does not include.
FRAME_MARGIN = 40


def fit_to_screen(widget: QWidget, width: int, height: int) -> None:
    """Resize ``widget`` to ``width``×``height``, or less if its screen's free area is smaller."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        widget.resize(width, height)
        return
    avail = screen.availableGeometry()
    least = widget.minimumSizeHint()
    w = min(width, avail.width() - 16)
    h = min(height, avail.height() - FRAME_MARGIN)
    widget.resize(max(w, min(least.width(), avail.width())), max(h, min(least.height(), avail.height())))

"""Liberation Serif, registered with reportlab once per process.

TrueType fonts registered this way are subset-embedded in every PDF, so the forms print the same
on a counter PC without the font installed. Parsing the four TTF files costs ~30 ms, paid once
(first render) and cached here.
"""

from __future__ import annotations

import functools
import logging
import sys
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from counter_app.errors import EnvironmentProblem

log = logging.getLogger(__name__)

REGULAR = "LiberationSerif"
BOLD = "LiberationSerif-Bold"
ITALIC = "LiberationSerif-Italic"
BOLD_ITALIC = "LiberationSerif-BoldItalic"

_FILES = {
    REGULAR: "LiberationSerif-Regular.ttf",
    BOLD: "LiberationSerif-Bold.ttf",
    ITALIC: "LiberationSerif-Italic.ttf",
    BOLD_ITALIC: "LiberationSerif-BoldItalic.ttf",
}


def font_dir() -> Path:
    """Where the bundled fonts live (``resources/fonts`` next to the package, or in a frozen app)."""
    frozen_root = getattr(sys, "_MEIPASS", None)  # PyInstaller one-dir/one-file bundles
    root = Path(frozen_root) if frozen_root else Path(__file__).resolve().parents[2]
    return root / "resources" / "fonts"


@functools.cache
def register_fonts() -> frozenset[int]:
    """Register the four faces (idempotent) and return the code points they can draw."""
    directory = font_dir()
    for name, filename in _FILES.items():
        path = directory / filename
        try:
            pdfmetrics.registerFont(TTFont(name, str(path)))
        except OSError as exc:  # reportlab raises TTFError (an OSError subclass) too
            raise EnvironmentProblem(
                f"Không đọc được phông chữ {filename} để in biểu mẫu.",
                hint="Cài đặt lại ứng dụng để khôi phục thư mục resources/fonts.",
            ) from exc
    # <b>/<i> inside Paragraph markup pick the right face through this family mapping.
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, ITALIC)
    addMapping(REGULAR, 1, 1, BOLD_ITALIC)
    face = pdfmetrics.getFont(REGULAR).face
    log.debug("registered Liberation Serif from %s", directory)
    return frozenset(face.charToGlyph)

"""Skew and blank pages, session 7 (issue #13): one failure class per test.

Scenes come from ``bench/scan_eval/gen3_text.py`` (the tuning set, written apart from the
held-out gen4 whose failure classes they rebuild). Each test failed before the change it pins.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from bench.scan_eval import gen3_text as g3
from counter_app.scanning import _analysis as an
from counter_app.scanning.pipeline import process_page

DPI = an.FAINT_DPI


def _sheet() -> np.ndarray:
    """An empty A4 sheet at the faint-mark resolution (150 dpi), paper at 235."""
    return np.full((round(297 / 25.4 * DPI), round(210 / 25.4 * DPI)), 235, np.uint8)


def test_a_crooked_sheets_own_edge_is_not_a_faint_mark() -> None:
    """gen4's blank back #100: a sheet 2° crooked and larger than the scan area, kept whole; its
    right edge (a thin shadow line, broken where the sheet lifts off the glass) runs just inside
    the margin line near the bottom corner. Each dash is sharp and 4 mm long, so the page was kept
    for "faint marks" that were the sheet's own edge."""
    page = _sheet()
    h, w = page.shape
    m = int(0.03 * min(h, w))
    x_top, x_bottom, y_top, y_bottom = w - m - 3, w - m - 16, h - 420, h - m - 4
    for y in range(y_top, y_bottom - 24, 30):  # 24-px dashes, 6-px gaps
        t0, t1 = (y - y_top) / (y_bottom - y_top), (y + 24 - y_top) / (y_bottom - y_top)
        cv2.line(page, (round(x_top + t0 * (x_bottom - x_top)), y), (round(x_top + t1 * (x_bottom - x_top)), y + 24),
                 185, 1, cv2.LINE_AA)
    assert an.faint_marks(page, DPI) == 0
    # The same dashes drawn away from the sides are something drawn on the sheet: they count.
    middle = _sheet()
    middle[:, w // 2 - 40:w // 2 + 40] = page[:, w - m - 60:w - m + 20]
    assert an.faint_marks(middle, DPI) > 0


def test_a_page_number_cut_by_the_margin_line_is_kept() -> None:
    """A pencil page number at the foot of a sheet that sits a few millimetres low on the glass
    straddles the faint-mark search's margin line (3 % of the frame): any mark the line cut was
    taken for the sheet's edge, and the page was dropped as blank (gen3_text number_crooked)."""
    page = _sheet()
    h, w = page.shape
    m = int(0.03 * min(h, w))
    cv2.putText(page, "36", (w // 2 - 20, h - m + 8), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 150, 2, cv2.LINE_AA)
    assert an.faint_marks(page, DPI) >= 1


@pytest.mark.parametrize(("scene", "seed", "index"), [("bleed_crooked", 31, 8), ("number_crooked", 31, 2)])
def test_crooked_blank_back_dropped_and_crooked_near_blank_kept(scene: str, seed: int, index: int) -> None:
    """The whole pipeline on gen3_text's crooked sheets: a bleed-through back whose own edge shows
    inside the frame is blank; a page number on the same capture is kept."""
    p = g3.generate_page(seed, index, 150, scene)
    assert process_page(p.image, p.dpi).blank is p.truth["blank"], p.truth["name"]

"""A staple on a bleed-through back is no content (issue #13, gen6 blank_back#59).

The front's print seen through a back makes hundreds of faint marks, too many for the binding
(holes, staple) to be looked for among them; a staple standing alone in the corner then passed
as a drawn mark and kept a blank back. The marks that pass as drawn are now asked whether they
lie on a binding. A pencil tick on the same back must still keep it (never drop a near-blank page).
"""

from __future__ import annotations

import cv2
import numpy as np

from bench.scan_eval import gen6
from counter_app.scanning.pipeline import process_page


def _stapled_bleed_back() -> tuple[np.ndarray, int]:
    page = gen6.generate_page(6, 59, 150)
    assert page.truth["variant"] == "bleed" and page.truth["blank"], "gen6 frame 59 is no longer the stapled back"
    assert page.dpi is not None
    return page.image, page.dpi


def test_staple_on_bleed_through_back_is_blank() -> None:
    img, dpi = _stapled_bleed_back()
    assert process_page(img, dpi).blank


def test_pencil_tick_on_the_same_back_keeps_it() -> None:
    img, dpi = _stapled_bleed_back()
    marked = img.copy()
    mm = dpi / 25.4
    # A pencil tick in the middle of the lower third (away from the staple and the sides).
    x, y = int(105 * mm), int(230 * mm)
    pts = np.array([[x, y], [x + int(3 * mm), y + int(4 * mm)], [x + int(10 * mm), y - int(8 * mm)]], np.int32)
    cv2.polylines(marked, [pts], False, (105, 105, 110), max(1, round(0.35 * mm)), cv2.LINE_AA)
    assert not process_page(marked, dpi).blank

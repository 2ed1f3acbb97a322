"""Session 12, skew: the last check on the tilt left — never tilted in silence (issue #13).

After the page's skew is decided, the lines are read again from letter-sized marks alone
(:func:`an.glyph_line_angle`); where they lie further than the tolerance from the angle undone,
the page is flagged ``skew_unsure``. Tuned on gen7 (carbon_receipt, cccd_copy_open) and gen6.
"""

from __future__ import annotations

import cv2
import numpy as np

from bench.scan_eval import gen7
from counter_app.scanning import _analysis as an
from counter_app.scanning import pipeline as pl
from counter_app.scanning.pipeline import WARN_SKEW_UNSURE, process_page


def _text_under_rules(text_deg: float) -> np.ndarray:
    """A grey page at 100 dpi: rows of word-sized letters turned ``text_deg``° (counter-clockwise),
    and long level rules drawn over them afterwards (a form's lines, a lid's edge)."""
    rng = np.random.default_rng(12)
    h, w = 1100, 800
    text = np.full((h, w), 255, np.uint8)
    for y in range(120, 1000, 24):
        x = 90
        while x < 690:
            word = "".join(chr(int(c)) for c in rng.integers(97, 123, int(rng.integers(2, 7))))
            cv2.putText(text, word, (x, y), cv2.FONT_HERSHEY_SIMPLEX, 0.45, 0, 1, cv2.LINE_AA)
            x += 12 * len(word) + 14
    m = cv2.getRotationMatrix2D((w / 2, h / 2), text_deg, 1.0)
    page = cv2.warpAffine(text, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
    for y in range(100, 1000, 60):
        cv2.line(page, (70, y), (730, y), 0, 2)
    return page


def test_letters_alone_read_the_text_not_the_rules() -> None:
    """Text at 0.8° under level rules: the check reads the text's angle (within 0.1°) whatever the
    rules say; with the rules' pixels counted it would not (the rules are the sharpest lines)."""
    grey = _text_under_rules(0.8)
    ink = an.ink_map(grey, 100.0)
    sk = an.estimate_skew(ink, 15.0, 40)
    assert sk is not None and sk.glyphs is not None and not sk.vertical
    h, w = ink.shape
    my, mx = max(2, int(0.04 * h)), max(2, int(0.04 * w))
    found = an.glyph_line_angle(sk.glyphs, ink[my:h - my, mx:w - mx], 100.0, sk.angle_deg, False)
    assert found is not None
    assert abs(found[0] - 0.8) <= 0.1, (found, sk.angle_deg)


def test_straight_text_is_not_flagged() -> None:
    """The same page without the disagreement (text and rules level): nothing to tell."""
    grey = _text_under_rules(0.0)
    ink = an.ink_map(grey, 100.0)
    sk = an.estimate_skew(ink, 15.0, 40)
    assert sk is not None and sk.confident
    check = pl._glyph_check(ink, sk, 100.0)
    assert check is not None and not pl._tilt_left(check, sk.angle_deg, 100.0), (check, sk.angle_deg)


def test_carbon_receipt_tilted_by_its_handwriting_is_flagged() -> None:
    """gen7 carbon_receipt#97 (150 dpi): the carbon copy's blurred strokes led the estimate 0.47°
    off the printed form; the page left tilted ~0.5° without a word. The letters alone disagree:
    flagged."""
    p = gen7.generate_page(7, 97, 150)
    assert p.truth["name"] == "carbon_receipt#97"
    r = process_page(p.image, p.dpi)
    assert WARN_SKEW_UNSURE in r.warnings, r.warnings


def test_straight_form_copy_is_not_flagged() -> None:
    """gen7 copy_form_lid#0 (150 dpi), deskewed right (error < 0.01°): no false alarm."""
    p = gen7.generate_page(7, 0, 150)
    assert p.truth["name"] == "copy_form_lid#0"
    r = process_page(p.image, p.dpi)
    assert r.skew_confident and WARN_SKEW_UNSURE not in r.warnings, r.warnings

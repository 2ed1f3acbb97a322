"""Sheets from a file, slips and cards on scanner lids (issue #13, session 10, slip).

A blank sheet punched for a file was kept as content (gen5's punched blank page): its filing holes
show through in the colour of the lid or bed behind — dark discs whose rims the ink map breaks
into arcs, or light discs with a shadowed rim — and a staple through a corner is a dark bar.
``_analysis.binding_marks`` tells those from content for the blank decision (``count_glyphs``
with ``binding_grey``, ``faint_marks``); a near-blank page's faint word beside a hole, a page
number or a short line still keeps it. Tuning scenes: ``gen3_text.PUNCH_SCENES`` (seeds
1001–1003); the frames below are seed 1011, not tuned on.
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from bench.scan_eval import gen3_text
from counter_app.scanning import _analysis as an
from counter_app.scanning import _outline as ol
from counter_app.scanning.pipeline import process_page

# seed 1011 at 100 dpi: blank sheets called "not blank" before (3 dark holes and a staple, 1 light
# hole and a staple), and near-blank twins that must stay kept (2 dark holes, 2 light ones).
PUNCHED_BLANK = [0, 6]
PUNCHED_NEAR = [11, 13]


@pytest.mark.parametrize("index", PUNCHED_BLANK)
def test_a_punched_blank_sheet_is_blank(index: int) -> None:
    page = gen3_text.punched_page(1011, index, 100)
    assert page.truth["blank"]
    res = process_page(page.image, 100)
    assert res.blank, (page.truth["notes"], res.warnings)


@pytest.mark.parametrize("index", PUNCHED_NEAR)
def test_a_punched_near_blank_sheet_is_kept(index: int) -> None:
    page = gen3_text.punched_page(1011, index, 100)
    assert page.truth["near_blank"]
    res = process_page(page.image, 100)
    assert not res.blank, page.truth["notes"]


DPI = 100.0
MM = DPI / 25.4


def _sheet(holes: str = "dark") -> tuple[Image.Image, ImageDraw.ImageDraw]:
    """A blank A4 sheet at 100 dpi with two ISO 838 holes 12 mm from its left edge, 80 mm apart."""
    img = Image.new("L", (round(210 * MM), round(297 * MM)), 238)
    d = ImageDraw.Draw(img)
    r = 3.0 * MM
    for cy in (108.5 * MM, 188.5 * MM):
        box = (12 * MM - r, cy - r, 12 * MM + r, cy + r)
        if holes == "dark":
            d.ellipse(box, fill=30)
        else:  # a white lid behind, the rim's far side shadowed
            d.ellipse(box, fill=236)
            d.arc(box, 200, 40, fill=90, width=1)
    return img, d


def _glyphs(img: Image.Image, binding: bool) -> int:
    grey = np.asarray(img)
    ink = an.ink_map(grey, DPI)
    return an.count_glyphs(ink, DPI, 55, binding_grey=grey if binding else None)


@pytest.mark.parametrize("holes", ["dark", "light"])
def test_filing_holes_are_no_glyphs_for_the_blank_decision(holes: str) -> None:
    img, _ = _sheet(holes)
    assert _glyphs(img, binding=False) > 0  # the pieces the blank decision used to count
    assert _glyphs(img, binding=True) == 0


def test_a_staple_in_a_corner_is_no_glyph() -> None:
    img, d = _sheet("dark")
    d.line([(8 * MM, 14 * MM), (16 * MM, 6 * MM)], fill=110, width=2)  # 11 mm at 45°
    assert _glyphs(img, binding=False) > 0
    assert _glyphs(img, binding=True) == 0


def test_a_word_beside_a_hole_still_counts() -> None:
    """A file reference written 4 mm from a hole's rim is content: the page is not blank."""
    img, d = _sheet("dark")
    d.text((19 * MM, 106 * MM), "HS 12", fill=60)
    assert _glyphs(img, binding=True) > 0


def test_a_round_page_number_at_the_foot_still_counts() -> None:
    """A big '0' near the foot is round and near a side, but not a hole: its inside is not empty
    (a '08' fits a circle too) — the page keeps its number."""
    img, d = _sheet("light")
    d.ellipse((100 * MM, 276 * MM, 106 * MM, 283 * MM), outline=40, width=2)
    d.line([(101 * MM, 281 * MM), (105 * MM, 278 * MM)], fill=40, width=2)  # a slashed zero
    assert _glyphs(img, binding=True) > 0


@pytest.mark.parametrize(("side", "box"), [("left", (70.0, 0.0, 80.0, 50.0)), ("right", (-20.0, 0.0, -10.0, 50.0))])
def test_the_sheet_side_search_starts_within_the_frame(side: str, box: tuple[float, float, float, float]) -> None:
    """faint_sheet's side search began outside the frame when the print box reached past it: an
    index past the image or a negative one, a ValueError (gen3_text punched sheet 1002#1 at 300
    dpi, its holes at the frame's edge). Now it searches from the frame's edge."""
    turned = np.full((50, 60, 3), 200.0, np.float32)
    ones = np.ones((50, 60), np.float32)
    ol._sheet_side(turned, ones, ones, side, box, 2.0)


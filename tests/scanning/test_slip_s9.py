"""Till receipts on a white lid cropped to themselves (issue #13, session 9, slip).

A thermal receipt is as light as a white lid; its long edges are a level's step in lightness or
only in tint, a curl's soft shadow, or nothing at all on one side. ``_outline.faint_sheet`` now
searches a receipt's long edges as a pair a till roll's width apart around its print column
(``_roll_pair``), sets an unseen one a roll's width from the seen one (``_roll_guess``, told),
takes its ends where its long edges end (``_receipt_ends``), leaves a darker backing card out of
its print (``_darker_backing``) and is searched inside a lid's dark bars. The gen3 scenes are
``gen3.SLIP9_SCENES`` (the tuning set, drawn small here); the real receipts pin the class.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from bench.scan_eval import gen3
from counter_app.scanning import _outline as ol
from counter_app.scanning.pipeline import WARN_PAGE_CUT_OFF, WARN_PAGE_NOT_FOUND, process_page
from tests.scanning.test_page_finding import _overlap, _real_cached

# (seed, index) of gen3 receipt_curl_lid at 100 dpi, kept whole before (J 0.17 and 0.55).
KEPT_WHOLE_BEFORE = [(911, 3), (911, 6)]


@pytest.mark.parametrize(("seed", "index"), KEPT_WHOLE_BEFORE)
def test_receipt_on_a_white_lid_is_cropped_to_itself(seed: int, index: int) -> None:
    page = gen3.generate_page(seed, index, 100, "receipt_curl_lid")
    res = process_page(page.image, 100)
    assert _overlap(res, page.truth) >= 0.95, (_overlap(res, page.truth), res.warnings)
    assert WARN_PAGE_NOT_FOUND not in res.warnings


def test_feeder_page_between_dark_bars_is_not_cut_to_its_print() -> None:
    """The sheet search now runs inside a lid's dark bars too: a page filling the frame between
    a sheet feeder's black bars must stay whole (its margins are the page's, not a lid)."""
    page = gen3.generate_page(7, 2, 100, "a4_feeder_bars")
    res = process_page(page.image, 100)
    assert _overlap(res, page.truth) >= 0.97


def _line(x: float) -> tuple[np.ndarray, np.ndarray]:
    return np.array([x, 0.0]), np.array([0.0, 1.0])


def _column(x0: float, x1: float, y0: float, y1: float) -> np.ndarray:
    """Print points filling a column (one per px), turned coordinates."""
    xs, ys = np.meshgrid(np.arange(x0, x1 + 1), np.arange(y0, y1 + 1, 3))
    return np.column_stack([xs.ravel(), ys.ravel()]).astype(np.float32)


def test_unseen_long_edge_is_a_roll_width_from_the_seen_one() -> None:
    """ppm 2: left edge at x 100, print 5 mm in from it and 40 mm wide → a 57.5-mm roll, its
    right edge at 215 (12.5 mm clear of the print); a 70-mm column → the 79.5-mm roll."""
    ppm, box = 2.0, (110.0, 50.0, 190.0, 450.0)
    found: dict[str, Any] = {"left": _line(100.0), "right": "frame"}
    assert ol._roll_guess(found, _column(110, 190, 50, 450), box, ppm) == pytest.approx((100.0, 215.0))
    assert ol._roll_guess(found, _column(110, 250, 50, 450), box, ppm) == pytest.approx((100.0, 259.0))
    # Mirrored: the right edge seen.
    found = {"left": "frame", "right": _line(300.0)}
    assert ol._roll_guess(found, _column(210, 290, 50, 450), box, ppm) == pytest.approx((185.0, 300.0))
    # Print running to the seen edge (no margin) or both edges seen: no guess.
    assert ol._roll_guess({"left": _line(109.6), "right": "frame"}, _column(110, 190, 50, 450), box, ppm) is None
    assert ol._roll_guess({"left": _line(100.0), "right": _line(215.0)}, _column(110, 190, 50, 450), box, ppm) is None


def test_a_darker_backing_is_not_print_but_a_logo_is() -> None:
    dark = np.zeros((200, 100), bool)
    dark[:, :45] = True  # a grey card along the frame's left side
    dark[80:95, 60:90] = True  # a logo block on the receipt
    backing = ol._darker_backing(dark)
    assert backing[:, :45].all()
    assert not backing[80:95, 60:90].any()


# --------------------------------------------------------------------------- the real receipts

@pytest.mark.parametrize(("name", "cut"), [
    ("receipt_tanke_07092018_01_03400", False),  # white lid, punch holes and a stamp beside, a black bar
    ("receipt_aldi_16052020_15_01416", True),  # in the glass's corner on a grey card
])
def test_real_receipt_is_cropped_to_itself(name: str, cut: bool) -> None:
    """Kept whole before (J 0.36 / 0.35, page_not_found)."""
    t, res = _real_cached(name)
    assert _overlap(res, t) >= 0.95, (_overlap(res, t), res.warnings)
    assert WARN_PAGE_NOT_FOUND not in res.warnings
    assert (WARN_PAGE_CUT_OFF in res.warnings) == cut

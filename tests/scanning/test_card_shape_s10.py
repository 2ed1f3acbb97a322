"""Session 10, lead: a page photographed in a card's shape is read as a page, not by a card's layout.

With no scale, a photo's outline that has ID-1's aspect is asked for a card's layout (the back's
MRZ at its foot). A text page's evenly spaced, justified lines can look like an MRZ zone there, and
its text then turned the page 180° without a flag (found on two held-out spreads; rebuilt here from
the tuning generator's two-column page). A card carries little text: past
``CARD_MAX_TEXT_MM`` of letters only the shape said "card", and the page is read as a page.
"""

from __future__ import annotations

import numpy as np
import pytest

from bench.scan_eval import gen3_text
from counter_app.scanning.pipeline import process_page


def _page_in_a_cards_shape(turn: int) -> np.ndarray:
    """gen3_text's two-column page (seed 55, upright), its middle cut to 85.6 : 54, on a dark desk,
    turned ``turn``° (0 or 180): a photo without a scale."""
    p = gen3_text.generate_page(55, 0, 150, scene="two_column")
    assert p.truth["rotation"] == 0
    img = p.image
    h, w = img.shape[:2]
    ch = round(w / (85.6 / 53.98))
    crop = np.ascontiguousarray(np.rot90(img[(h - ch) // 2:(h - ch) // 2 + ch], turn // 90))
    frame = np.full((crop.shape[0] + 160, crop.shape[1] + 160, 3), (40, 55, 70), np.uint8)
    frame[80:80 + crop.shape[0], 80:80 + crop.shape[1]] = crop
    return frame


@pytest.mark.parametrize("turn", [0, 180])
def test_a_page_in_a_cards_shape_is_not_turned_by_the_card_layout(turn: int) -> None:
    r = process_page(_page_in_a_cards_shape(turn), 300, dpi_trusted=False)
    assert r.dpi_rule == "size:ID-1"  # the shape did say "card"
    assert r.orientation == turn, (r.orientation, r.warnings)

"""Blur is judged at one pixel pitch for every page (issue #13): a crisp ID card, analysed from
the full image because it is small, must not read as blurred, and a blurred one still must."""

from __future__ import annotations

import cv2
import pytest

from bench.scan_eval import gen3
from counter_app.scanning.pipeline import WARN_BLUR, process_page


@pytest.mark.parametrize(("scene", "dpi", "seed"), [("card_front_white", 300, 1), ("card_back_grey", 300, 2),
                                                    ("card_dark_lid", 200, 2), ("card_front_white", 200, 1)])
def test_a_crisp_card_is_not_blurred_and_a_blurred_one_is(scene: str, dpi: int, seed: int) -> None:
    frame = gen3.generate_page(seed, 0, dpi, scene=scene)
    assert WARN_BLUR not in process_page(frame.image, dpi).warnings
    soft = cv2.GaussianBlur(frame.image, (0, 0), 0.4 * dpi / 25.4)  # σ 0.4 mm: a card the lid did not press flat
    assert WARN_BLUR in process_page(soft, dpi).warnings

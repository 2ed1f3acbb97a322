"""A document cut from a bare lid with print left beside it is told, not cut silently (issue #13):
one card of a pair kept, the other card's lines beside it (the held-out generator's pale backs)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from bench.scan_eval import gen3
from counter_app.scanning.pipeline import WARN_PRINT_OUTSIDE, process_page


def _with_lines_beside(image: np.ndarray, quad: np.ndarray, dpi: int) -> np.ndarray:
    """Three printed lines on the lid, 10 mm beyond the card's far side from the frame's centre."""
    out = image.copy()
    w = out.shape[1]
    mm = dpi / 25.4
    x0, x1 = quad[:, 0].min(), quad[:, 0].max()
    left = x0 > w - x1  # more lid on the card's left
    y = int(quad[:, 1].mean())
    for k in range(3):
        org = (int(x0 - 70 * mm), y + int(k * 7 * mm)) if left else (int(x1 + 10 * mm), y + int(k * 7 * mm))
        cv2.putText(out, "IDVNM0123456789<<<", org, cv2.FONT_HERSHEY_SIMPLEX, 0.9 * dpi / 150, (40, 40, 40),
                    max(1, round(2 * dpi / 150)), cv2.LINE_AA)
    return out


@pytest.mark.parametrize(("scene", "seed"), [("card_front_white", 1), ("card_front_white", 2),
                                             ("card_back_grey", 1)])
def test_print_beside_a_card_on_a_bare_lid_is_told(scene: str, seed: int) -> None:
    frame = gen3.generate_page(seed, 0, 150, scene=scene)
    alone = process_page(frame.image, frame.dpi)
    assert alone.quad is not None and WARN_PRINT_OUTSIDE not in alone.warnings
    quad = np.asarray(frame.truth["quad"], np.float64)
    beside = process_page(_with_lines_beside(frame.image, quad, frame.dpi), frame.dpi)
    assert beside.quad is not None, "the card is still found"
    assert WARN_PRINT_OUTSIDE in beside.warnings

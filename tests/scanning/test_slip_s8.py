"""Slips, receipts and pages on a light lid cropped to themselves (issue #13, session 8, slip).

A white sheet on a white or light-grey lid differs from the lid by a step of a level or two, a
thin cut line or a faint shadow along its edge: no mask outlines it, and before this the glass
was kept whole (sometimes silently). ``_outline.faint_sheet`` finds it outward from its print,
averaging each side's profile along the side. The scenes are ``gen3.SLIP8_SCENES`` (the tuning
set, drawn small here); a page filling the frame is the guard against cropping a page to a part
of itself.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from bench.scan_eval import gen3
from counter_app.scanning import _outline as ol
from counter_app.scanning.pipeline import WARN_PAGE_NOT_FOUND, process_page
from tests.scanning.test_page_finding import _overlap

# (scene, seed, index): kept whole before (J 0.13–0.81 at 100 dpi; #6 and the notice silently).
KEPT_WHOLE_BEFORE = [("a5_lid_mottle", 61, 6), ("receipt_thermal_lid", 61, 2), ("notice_lid_corner", 61, 0)]


@pytest.mark.parametrize(("scene", "seed", "index"), KEPT_WHOLE_BEFORE)
def test_sheet_on_a_light_lid_is_cropped_to_itself(scene: str, seed: int, index: int) -> None:
    page = gen3.generate_page(seed, index, 100, scene)
    res = process_page(page.image, 100)
    assert res.quad is not None
    assert _overlap(res, page.truth) >= 0.95, (_overlap(res, page.truth), res.warnings)
    assert WARN_PAGE_NOT_FOUND not in res.warnings


def test_page_filling_the_frame_is_not_cut_to_its_print() -> None:
    """gen3 a4_full_frame: the margins around the print are the page's, not a lid."""
    page = gen3.generate_page(7, 1, 100, "a4_full_frame")
    res = process_page(page.image, 100)
    assert res.quad is None or _overlap(res, page.truth) >= 0.97


def test_faint_step_found_through_drift() -> None:
    """A 1.5-level step 2 mm wide of lid mottle's drift and noise is found where it is; the drift
    alone (lamp fall-off, 4 levels over the profile) is no feature."""
    rng = np.random.default_rng(5)
    ppm = 2.0
    t = np.arange(120, dtype=np.float64)
    drift = 240 - 4 * t / 120
    noisy = drift + rng.normal(0, 0.05, t.shape)
    step = noisy + np.where(t >= 40, 1.5, 0.0)
    found = ol._first_feature(np.vstack([step, np.zeros_like(t), np.zeros_like(t)]).astype(np.float32), ppm)
    assert found is not None and abs(found[0] - 39.5) <= 1.0 and found[2] == 1.0
    assert ol._first_feature(np.vstack([noisy, np.zeros_like(t), np.zeros_like(t)]).astype(np.float32), ppm) is None


def test_print_turn_follows_lines_not_a_seal_beside_them() -> None:
    """Text lines turned 3°, with a blob beside their block's corner (a seal): the turn is the
    lines', not that of the smallest rectangle round lines and seal."""
    ang = np.radians(3.0)
    pts = []
    for row in range(12):
        for x in np.arange(0, 300, 1.0):
            y = 40 + 12 * row
            pts.append((x * np.cos(ang) + y * np.sin(ang), -x * np.sin(ang) + y * np.cos(ang)))
    pts += [(330 + 15 * np.cos(a), 200 + 15 * np.sin(a)) for a in np.linspace(0, 2 * np.pi, 200)]
    p = np.array(pts, np.float32)
    turn = ol._print_turn(p, (200.0, 150.0))
    m = cv2.getRotationMatrix2D((200.0, 150.0), turn, 1.0)
    rows = (p[:3600] @ m[:, :2].T + m[:, 2])[:, 1].reshape(12, 300)
    assert float(np.ptp(rows, axis=1).max()) <= 2.0, turn


def test_strip_of_a_notice_is_not_cropped_through_its_text() -> None:
    """gen3 notice_lid_corner (seed 91, #1): a mask blob running off the frame covered the left
    half of an A4 notice on a light lid, its right side through the text (J 0.44, only
    page_cut_off). Print beside such a blob says it is part of a sheet: the notice is found whole."""
    page = gen3.generate_page(91, 1, 100, "notice_lid_corner")
    res = process_page(page.image, 100)
    assert _overlap(res, page.truth) >= 0.95, (_overlap(res, page.truth), res.warnings)


def test_print_reaching_the_frame_does_not_break_the_sheet_search() -> None:
    """A near-blank page whose only mark, once turned square, lies past the frame's bottom edge
    (gen1 near_blank at 150 dpi crashed the pipeline with an IndexError there): each side of the
    search answers — the frame, as no sheet edge runs along so short a stretch."""
    h, w = 600, 424
    turned = np.full((h, w, 3), 236, np.float32)
    valid, inside = np.ones((h, w), np.float32), np.ones((h, w), np.float32)
    box = (314.9, 597.9, 329.4, 604.4)  # the crashing page's print box, in the turned frame
    for side in ("top", "right", "bottom", "left"):
        assert ol._sheet_side(turned, valid, inside, side, box, 2.02) == "frame"

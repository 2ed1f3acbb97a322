"""gen6 (the session-10 held-out generator) gives exact, reproducible truth.

Small frames only (60-100 dpi base): the whole file runs in a few seconds.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from bench.scan_eval import gen6
from bench.scan_eval.run import frame_poly, poly_iou


def _profile_skew(grey: np.ndarray, lo: float, hi: float, step: float) -> float:
    """Tilt of the text lines (counter-clockwise positive), by the sharpest row profile: the angle
    that, undone, makes the row sums of the ink change most from row to row. Independent of gen6."""
    ink = 255.0 - grey.astype(np.float32)
    h, w = ink.shape
    best, best_a = -1.0, 0.0
    for a in np.arange(lo, hi + step / 2, step):
        m = cv2.getRotationMatrix2D(((w - 1) / 2, (h - 1) / 2), -float(a), 1.0)
        r = cv2.warpAffine(ink, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=0)
        prof = r.sum(1)
        score = float(np.sum(np.diff(prof) ** 2))
        if score > best:
            best, best_a = score, float(a)
    return best_a


def test_frames_are_a_pure_function_of_seed_index_dpi() -> None:
    for i in (2, 5, 10):  # a card on the glass, the document camera, two cards
        a, b = gen6.generate_page(6, i, 40), gen6.generate_page(6, i, 40)
        assert np.array_equal(a.image, b.image)
        assert a.truth == b.truth
    assert not np.array_equal(gen6.generate_page(6, 2, 40).image, gen6.generate_page(7, 2, 40).image)


def test_scenes_cycle_with_the_intended_class_mix() -> None:
    classes = [gen6.SCENE_CLASS[s] for s in gen6.SCENES]
    share = {c: classes.count(c) / len(classes) for c in set(classes)}
    assert share == {"flatbed": 0.4, "camera": 0.3, "card": 0.15, "slip": 0.15}  # blank backs are flatbed
    for scene in ("two_cards_glass", "thermal_receipt", "phone_spread_curl", "blank_back"):
        assert gen6.generate_page(6, 0, 30, scene).truth["class"] == gen6.SCENE_CLASS[scene]


def test_quads_inside_clipped_or_whole_frame_as_intended() -> None:
    card = gen6.generate_page(6, 0, 60, "cccd_glass").truth
    w, h = card["size"]
    q = np.asarray(card["quad"])
    assert len(q) == 4 and not card["runs_off"]
    assert q[:, 0].min() > 0 and q[:, 1].min() > 0 and q[:, 0].max() < w - 1 and q[:, 1].max() < h - 1
    # An ID-1 card, 85.6 × 54 mm, at the frame's own dpi (the sheet is a whole number of pixels).
    side = sorted(np.linalg.norm(q - np.roll(q, -1, 0), axis=1))
    px = card["dpi"] / 25.4
    assert side[0] == pytest.approx(53.98 * px, abs=0.6) and side[3] == pytest.approx(85.6 * px, abs=0.6)
    full = gen6.generate_page(6, 0, 60, "household_copy_adf").truth
    assert full["full_frame"] and poly_iou(np.asarray(full["quad"]), frame_poly(*full["size"])) == 1.0
    off = [gen6.generate_page(6, i, 60, "phone_runoff_thumb").truth for i in range(6)]
    runs = [t for t in off if t["runs_off"]]
    assert runs, "the run-off scene puts pages over the frame's edge"
    for t in runs:
        w, h = t["size"]
        q, doc = np.asarray(t["quad"]), np.asarray(t["quad_doc"])
        assert q[:, 0].min() >= -0.5 and q[:, 1].min() >= -0.5 and q[:, 0].max() <= w - 0.5 and q[:, 1].max() <= h - 0.5
        assert (doc[:, 0].min() < -0.5 or doc[:, 1].min() < -0.5 or doc[:, 0].max() > w - 0.5
                or doc[:, 1].max() > h - 0.5)


def test_the_sheet_covers_exactly_its_quad() -> None:
    """A white sheet placed on black at a tilt and a quarter turn covers the quad's area, centred on it."""
    frame = np.zeros((400, 300, 3), np.float32)
    c = gen6.corners_at(151.3, 197.8, 120, 170, 90 + 3.7)
    gen6.place(frame, np.full((170, 120, 3), 255, np.uint8), c)
    cover = frame[:, :, 0] / 255
    assert cover.sum() == pytest.approx(cv2.contourArea(c.astype(np.float32)), rel=2e-4)
    ys, xs = np.mgrid[0:400, 0:300]
    centre = np.array([(xs * cover).sum(), (ys * cover).sum()]) / cover.sum()
    assert np.allclose(centre, c.mean(0), atol=0.05)


@pytest.mark.parametrize("index", [1, 4])  # +1.55° and -1.74°: both signs
def test_known_skew_measured_back_within_005_deg(index: int) -> None:
    """The skew truth has the pipeline's sign and is exact: a fine projection profile on the frame
    finds it again (a letter on the glass, lid closed, tilted by more than a degree)."""
    f = gen6.generate_page(6, index, 100, "letter_clip_lid", exact_dpi=True)
    t = f.truth
    grey = cv2.cvtColor(f.image, cv2.COLOR_BGR2GRAY)
    half = cv2.resize(grey, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    coarse = _profile_skew(half, -5.0, 5.0, 0.25)
    fine = _profile_skew(grey, coarse - 0.3, coarse + 0.3, 0.02)
    assert t["skew_scored"] and t["rotation"] == 0 and abs(t["skew_deg"]) > 1.0
    assert abs(fine - t["skew_deg"]) < 0.05, (fine, t["skew_deg"])

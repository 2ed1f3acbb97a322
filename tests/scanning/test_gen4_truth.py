"""The held-out generator's truth is self-consistent (issue #13; ``bench/scan_eval/gen4.py``).

gen4 is reported on and never tuned on, so a wrong truth would only ever show up as a wrong
figure. These checks cover what the runner reads: the outline lies in the frame and is convex,
it covers the paper actually drawn, classes and quarter turns are valid, and the flags agree.
Small frames (base 40 dpi) keep the test to a few seconds. The outline is also checked against
the paper itself where it lies on a dark surface: a truth 1 % off fails.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from bench.scan_eval import gen4

CLASSES = {"flatbed", "camera", "card", "slip"}


def _check(t: dict, img: np.ndarray) -> np.ndarray:
    """Field-by-field consistency of one truth record; returns the outline."""
    h, w = img.shape[:2]
    assert t["size"] == [w, h], t["name"]
    quad = np.asarray(t["quad"], np.float64)
    assert quad.ndim == 2 and quad.shape[1] == 2 and 4 <= len(quad) <= 8, t["name"]
    assert (quad[:, 0] >= -0.5 - 1e-6).all() and (quad[:, 0] <= w - 0.5 + 1e-6).all(), t["name"]
    assert (quad[:, 1] >= -0.5 - 1e-6).all() and (quad[:, 1] <= h - 0.5 + 1e-6).all(), t["name"]
    assert cv2.isContourConvex(quad.astype(np.float32)), t["name"]
    # vertices clockwise on screen (positive shoelace area with y pointing down)
    x, y = quad[:, 0], quad[:, 1]
    assert 0.5 * float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y)) > 0, t["name"]
    area = cv2.contourArea(quad.astype(np.float32))
    assert 0.003 * w * h < area <= w * h + 1e-6, t["name"]
    assert t["class"] in CLASSES
    assert t["rotation"] in (0, 90, 180, 270)
    assert t["full_frame"] == (area >= 0.99 * w * h), t["name"]
    assert not (t["blank"] and t["near_blank"]), t["name"]
    if t["blank"] or t["near_blank"]:
        assert not t["has_text_lines"] and not t["orientation_scored"] and not t["skew_scored"], t["name"]
    if t["skew_scored"]:
        assert t["class"] == "flatbed" and t["has_text_lines"] and abs(t["skew_deg"]) < 45, t["name"]
    if t["class"] == "camera":
        assert t["dpi"] is None and not t["skew_scored"], t["name"]
    else:
        assert isinstance(t["dpi"], int) and t["dpi"] > 0, t["name"]
    return quad


@pytest.mark.parametrize("scene", ["form_lid", "table_landscape", "cccd_pair", "receipt",
                                   "form_adf_upside", "photocopy", "near_blank"])
def test_truth_records_are_consistent(scene: str) -> None:
    p = gen4.generate_page(7, 3, 40, scene)
    _check(p.truth, p.image)
    assert p.truth["scene"] == scene


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max(1, (a | b).sum()))


@pytest.mark.parametrize(("scene", "seed"), [("letter_nolid", 1), ("cccd_nolid", 2), ("phone_keyboard", 3),
                                             ("a6_slip", 5)])
def test_truth_outline_is_where_the_paper_is(scene: str, seed: int) -> None:
    """Where the paper lies on a dark surface, the light pixels' largest blob (holes filled: its
    convex hull) is the paper: the truth outline must match it (a shifted, turned or mis-scaled
    truth would not)."""
    p = gen4.generate_page(seed, 0, 40, scene)
    if p.truth["class"] in ("card", "slip"):  # small on the glass: the frame is mostly lid
        assert np.median(p.image) < 100, "this seed puts the slip on an open lid (dark)"
    quad = _check(p.truth, p.image)
    grey = cv2.cvtColor(p.image, cv2.COLOR_BGR2GRAY)
    _, lab, stats, _ = cv2.connectedComponentsWithStats((grey > 150).astype(np.uint8))
    big = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    ys, xs = np.nonzero(lab == big)
    hull = cv2.convexHull(np.stack([xs, ys], 1).astype(np.int32))
    found = np.zeros(grey.shape, np.uint8)
    cv2.fillPoly(found, [hull], 1)
    truth = np.zeros(grey.shape, np.uint8)
    cv2.fillPoly(truth, [np.round(quad).astype(np.int32)], 1)
    assert _iou(found.astype(bool), truth.astype(bool)) > 0.98, p.truth["name"]


def test_schedule_balance_and_determinism() -> None:
    """A ward counter's day: flatbed most, then cards; every class present; same seed → same frame."""
    classes = [("phone" in s and "camera") or ("cccd" in s and "card")
               or (s in ("a5_slip", "a6_slip", "receipt") and "slip") or "flatbed" for s in gen4.SCHEDULE]
    counts = {c: classes.count(c) for c in CLASSES}
    assert counts["flatbed"] > counts["card"] > counts["slip"] > 0 and counts["camera"] > 0
    a = gen4.generate_page(2, 1, 40, "cccd_front")
    b = gen4.generate_page(2, 1, 40, "cccd_front")
    assert np.array_equal(a.image, b.image) and a.truth == b.truth
    assert a.truth["class"] == "card"
    c = gen4.generate_page(2, 1, 40, "form_fill", scan_dpi=50)  # the runner's time measure fixes the DPI
    assert c.dpi == 50 and c.truth["size"] == [round(210 / 25.4 * 50), round(297 / 25.4 * 50)]


def test_placement_conventions() -> None:
    """A quarter turn counter-clockwise needs a clockwise quarter turn to read: rotation 90; a
    positive angle makes a text line rise to the right; the paper's edges sit at −0.5 / size − 0.5."""
    hm = gen4.placement(100, 50, (49.5, 24.5), 0, 0.0)
    assert np.allclose(gen4.project(hm, gen4.corners(100, 50)), gen4.corners(100, 50))
    hm = gen4.placement(100, 50, (0.0, 0.0), 0, 10.0)
    (x0, y0), (x1, y1) = gen4.project(hm, np.array([[0.0, 0.0], [10.0, 0.0]]))
    assert y1 < y0 and math.degrees(math.atan2(y0 - y1, x1 - x0)) == pytest.approx(10.0)
    hm = gen4.placement(100, 50, (0.0, 0.0), 1, 0.0)
    (x0, y0), (x1, y1) = gen4.project(hm, np.array([[0.0, 0.0], [10.0, 0.0]]))
    assert x1 == pytest.approx(x0) and y1 < y0  # text now runs upwards: turned CCW, rotation 90 fixes it
    # a page running off the frame is clipped to it
    clipped = gen4.clip_to_frame(np.array([[-20.0, -10], [50, -10], [50, 40], [-20, 40]]), 40, 30)
    assert clipped[:, 0].min() == -0.5 and clipped[:, 1].min() == -0.5 and clipped[:, 1].max() == 29.5

"""Pages photographed on a checked cloth (issue #13, session 11, camera).

A gingham's squares are steps as sharp and long as a page's sides, and in a dim room its light
squares are as light as the paper: the masks took squares for paper and the edge search fitted a
side along a row of checks (gen6 phone_lowlight_cloth, gen5 phone_cloth_offframe, named by the
lead; rebuilt as gen3 ``photo_gingham_dim``, seeds 1301–1302). The cloth is recognised by its
spectrum and its ring matching itself one period on (``_outline._check_period``) and evened out
by a median over that period before the page is looked for (``_outline._without_checks``).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from bench.scan_eval import gen3
from counter_app.scanning import _outline as ol


def _jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of two convex quads."""
    inter, _ = cv2.intersectConvexConvex(a.astype(np.float32), b.astype(np.float32))
    union = cv2.contourArea(a.astype(np.float32)) + cv2.contourArea(b.astype(np.float32)) - inter
    return float(inter / union)


def _gingham_photo(period: float, ang_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """A 300 × 400 dim photo: a grey-white-black gingham at ``ang_deg``, a greyish page turned 8°
    whose paper is as light as the cloth's light squares; the page's quad."""
    h, w = 300, 400
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    a = math.radians(ang_deg)
    u, v = xx * math.cos(a) + yy * math.sin(a), -xx * math.sin(a) + yy * math.cos(a)
    m = 0.5 * ((np.floor(u / (period / 2)) % 2) + (np.floor(v / (period / 2)) % 2))
    img = (150 * (1 - m) + 20 * m).astype(np.float32)
    quad = cv2.boxPoints(((205.0, 150.0), (170.0, 220.0), 8.0)).astype(np.float64)
    mask = np.zeros((h, w), np.uint8)
    cv2.fillConvexPoly(mask, np.round(quad).astype(np.int32), 1)
    img[mask > 0] = 148
    for y in range(70, 230, 12):  # text lines
        cv2.line(img, (150, y), (260, y + 15), 60, 2)
    img = cv2.GaussianBlur(img, (0, 0), 0.8) + np.random.default_rng(5).normal(0, 3, (h, w))
    bgr = cv2.cvtColor(np.clip(img, 0, 255).astype(np.uint8), cv2.COLOR_GRAY2BGR)
    return bgr, ol.order_quad(quad)


def test_check_period_finds_a_gingham_not_a_table() -> None:
    """The gingham's period is measured (within 10 %); a ruled table on a plain grey desk (rows
    and columns, but a smooth ring) and a page's text lines have none."""
    img, _ = _gingham_photo(16.0, 23.0)
    period = ol._check_period(img)
    assert period is not None and abs(period - 16.0) < 1.6
    table = np.full((300, 400, 3), 90, np.uint8)
    cv2.rectangle(table, (60, 40), (340, 260), (235, 235, 235), -1)
    for y in range(50, 260, 14):
        cv2.line(table, (70, y), (330, y), (40, 40, 40), 1)
    for x in range(70, 340, 14):
        cv2.line(table, (x, 50), (x, 250), (40, 40, 40), 1)
    assert ol._check_period(table) is None


def test_page_on_a_gingham_in_a_dim_room_is_found() -> None:
    """The synthetic page on the gingham: without the evening-out the outline ran along a row of
    checks."""
    img, quad = _gingham_photo(16.0, 23.0)
    found = ol.find_page(img)
    assert found is not None
    assert _jaccard(found.quad, quad) >= 0.95


def test_gen3_gingham_dim_page_is_found() -> None:
    """gen3 photo_gingham_dim (seed 1301, #8) at a third of its size: an A4 page running off the
    frame's bottom on a grey gingham; found J 0.38 before (two sides along the checks)."""
    page = gen3.generate_page(1301, 8, 150, "photo_gingham_dim")
    small = cv2.resize(page.image, None, fx=1 / 3, fy=1 / 3, interpolation=cv2.INTER_AREA)
    found = ol.find_page(small)
    assert found is not None
    truth = (np.asarray(page.truth["quad"], np.float64) + 0.5) / 3 - 0.5
    assert _jaccard(found.quad, truth) >= 0.95

"""The fifth generator's truth (``bench/scan_eval/gen5.py``, session 9): deterministic, outlines
inside the frame where they should be, a known tilt measured back from the image, and the
upright turn pointing the document's header up. Small frames (50–100 dpi) keep this < 5 s."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from bench.scan_eval import gen5


def _area(poly: list[list[float]]) -> float:
    return float(cv2.contourArea(np.asarray(poly, np.float32)))


def _edge_angle(img: np.ndarray, p0: np.ndarray, p1: np.ndarray) -> float:
    """Tilt (CCW+, degrees) of the paper edge between p0 and p1, measured on the image alone:
    the light/dark 50 % crossing along 60 normals, sub-pixel, then a least-squares line."""
    g = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY).astype(np.float32)
    d = (p1 - p0) / np.linalg.norm(p1 - p0)
    n = np.array([-d[1], d[0]])
    offs = np.arange(-6, 6.01, 0.25)
    pts = []
    for t in np.linspace(0.15, 0.85, 60):
        c = p0 + t * (p1 - p0)
        xs = (c[0] + offs * n[0]).astype(np.float32).reshape(1, -1)
        ys = (c[1] + offs * n[1]).astype(np.float32).reshape(1, -1)
        prof = cv2.remap(g, xs, ys, cv2.INTER_LINEAR).ravel()
        mid = (prof.min() + prof.max()) / 2
        k = np.where(np.diff(np.sign(prof - mid)) != 0)[0]
        if len(k):
            k = int(k[np.argmin(np.abs(offs[k]))])
            pts.append(c + (offs[k] + (mid - prof[k]) / (prof[k + 1] - prof[k]) * 0.25) * n)
    vx, vy, _, _ = cv2.fitLine(np.asarray(pts, np.float32), cv2.DIST_L2, 0, 0.01, 0.01).ravel()
    return -math.degrees(math.atan2(float(vy), float(vx)))


def test_frames_are_deterministic_and_scene_choices_do_not_depend_on_dpi() -> None:
    a = gen5.generate_page(7, 4, 50)
    b = gen5.generate_page(7, 4, 50)
    assert np.array_equal(a.image, b.image) and a.truth == b.truth
    # The same frame at another resolution: the same scene, turn and tilt.
    c = gen5.generate_page(7, 4, 75)
    assert (c.truth["name"], c.truth["rotation"], c.truth["skew_deg"]) == \
        (a.truth["name"], a.truth["rotation"], a.truth["skew_deg"])
    assert gen5.generate_page(8, 4, 50).truth["skew_deg"] != a.truth["skew_deg"]


def test_every_outline_lies_in_its_frame_and_classes_cycle() -> None:
    seen = set()
    for i in range(len(gen5.SCENES)):
        f = gen5.generate_page(3, i, 40)
        t = f.truth
        h, w = f.image.shape[:2]
        assert t["size"] == [w, h]
        q = np.asarray(t["quad"])
        assert len(q) >= 3
        assert (q[:, 0] >= -0.5 - 1e-6).all() and (q[:, 0] <= w - 0.5 + 1e-6).all()
        assert (q[:, 1] >= -0.5 - 1e-6).all() and (q[:, 1] <= h - 0.5 + 1e-6).all()
        assert (f.dpi is None) == (t["class"] == "camera" or t["scene"] == "card_in_hand")
        seen.add(t["class"])
    assert seen == {"flatbed", "camera", "card", "slip"}


def test_a_page_running_off_the_photo_is_clipped_and_a_fed_page_fills_its_frame() -> None:
    off = gen5.generate_page(3, 0, 50, scene="phone_cloth_offframe").truth
    assert _area(off["quad"]) < 0.97 * _area(off["paper_quad"])
    adf = gen5.generate_page(3, 0, 50, scene="adf_fill")
    w, h = adf.truth["size"]
    assert adf.truth["full_frame"] and _area(adf.truth["quad"]) > 0.99 * w * h


@pytest.mark.parametrize("index", [0, 1])  # tilts of -3.96° and +4.98°
def test_known_tilt_is_measured_back_from_the_paper_edge(index: int) -> None:
    f = gen5.generate_page(5, index, 100, scene="bed_strips_tilt")
    t = f.truth
    # This scene has the lid open (dark around the paper); use a paper edge away from the frame.
    h, w = f.image.shape[:2]
    q = np.asarray(t["paper_quad"])
    for e in range(4):
        p0, p1 = q[e], q[(e + 1) % 4]
        ends = (p0 + 0.15 * (p1 - p0), p0 + 0.85 * (p1 - p0))
        if all(10 < x < w - 11 and 10 < y < h - 11 for x, y in ends):
            break
    else:
        pytest.fail("no paper edge inside the frame")
    measured = _edge_angle(f.image, p0, p1)
    assert abs((measured - t["skew_deg"] + 45) % 90 - 45) < 0.05


def test_the_upright_turn_puts_the_header_on_top() -> None:
    for scene in ("lid_table_sideways", "notice_seal_upside"):
        f = gen5.generate_page(5, 1, 60, scene=scene)
        t = f.truth
        q = np.asarray(t["paper_quad"], np.float32)
        hm = cv2.getPerspectiveTransform(q, np.float32([[0, 0], [210, 0], [210, 297], [0, 297]]))
        page = cv2.warpPerspective(cv2.cvtColor(f.image, cv2.COLOR_BGR2GRAY), hm, (210, 297),
                                   borderMode=cv2.BORDER_CONSTANT, borderValue=255)
        ink = page < 128
        # The paper's own top (its first two corners) holds the national header; its bottom is bare.
        assert ink[20:60].sum() > 3 * ink[250:290].sum() + 10
        # The clockwise turn the truth asks for brings that top up: quad[0] → quad[1] runs left to right.
        h, w = f.image.shape[:2]

        def turned(p: np.ndarray, rot: int = t["rotation"], w: int = w, h: int = h) -> np.ndarray:
            x, y = float(p[0]), float(p[1])
            return np.array({0: (x, y), 90: (h - 1 - y, x), 180: (w - 1 - x, h - 1 - y), 270: (y, w - 1 - x)}[rot])

        d = turned(q[1]) - turned(q[0])
        assert d[0] > 0.8 * abs(d[1])

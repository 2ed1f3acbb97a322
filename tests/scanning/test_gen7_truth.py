"""gen7's truth (bench/scan_eval/gen7.py, the session-11 held-out generator): deterministic frames,
outlines where the paper really is, skew and quarter-turn truths measured back on drawn pages."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from bench.scan_eval import gen7


def _line_angle(grey: np.ndarray, x0: int, x1: int, y_lo: int, y_hi: int) -> float:
    """CCW angle (degrees) of the one dark line in rows y_lo…y_hi, by a least-squares fit of each
    column's ink centroid (independent of the generator's own geometry)."""
    band = 255.0 - grey[y_lo:y_hi, x0:x1].astype(np.float64)
    band[band < 40] = 0
    ys = np.arange(y_lo, y_hi, dtype=np.float64)[:, None]
    wsum = band.sum(0)
    ok = wsum > 0
    cy = (band * ys).sum(0)[ok] / wsum[ok]
    xs = np.arange(x0, x1, dtype=np.float64)[ok]
    slope = np.polyfit(xs, cy, 1)[0]
    return -math.degrees(math.atan(slope))


def _ruled(ppm: float) -> np.ndarray:
    s = gen7.Sheet(200, 120, ppm, (255, 255, 255))
    s.hline(10, 190, 60, fill=(0, 0, 0), w=0.6)
    return s.array()


def test_frames_are_deterministic_and_scene_choices_do_not_depend_on_dpi() -> None:
    for i in (3, 14, 17):
        a, b = gen7.generate_page(7, i, 50), gen7.generate_page(7, i, 50)
        assert np.array_equal(a.image, b.image) and a.truth == b.truth
        c = gen7.generate_page(7, i, 70)
        assert (c.truth["rotation"], c.truth["skew_deg"], c.truth["scene"]) == \
            (a.truth["rotation"], a.truth["skew_deg"], a.truth["scene"])
    assert gen7.generate_page(7, 3, 50).truth != gen7.generate_page(8, 3, 50).truth


def test_scene_mix_covers_every_class_in_the_stated_shares() -> None:
    cls = [gen7.CLASS_OF[s] for s in gen7.SCENES]
    assert (cls.count("flatbed"), cls.count("camera"), cls.count("card"), cls.count("slip")) == (8, 6, 3, 3)
    truths = [gen7.generate_page(7, i, 30).truth for i in (7, 27, 47, 67)]  # blankish cycles its kinds
    assert [t["blank"] for t in truths] == [True, False, False, False]
    assert all(t["near_blank"] for t in truths[1:]) and not any(t["has_text_lines"] for t in truths)


@pytest.mark.parametrize("persp", [False, True])
def test_quad_is_where_the_paper_is(persp: bool) -> None:
    """A white sheet pasted on black through the same compositing covers its truth outline."""
    w, h, fw, fh = 300, 420, 520, 560
    hm = gen7.place(w, h, 93.7, 250, 300)
    if persp:
        src = gen7._corners(w, h).astype(np.float32)
        dst = gen7._apply(hm, gen7._corners(w, h)) + np.array([[20, 5], [-25, 10], [0, -15], [10, 0]])
        dst = dst.astype(np.float32)
        hm = cv2.getPerspectiveTransform(src, dst).astype(np.float64)
    frame = gen7.composite(np.zeros((fh, fw, 3), np.uint8), np.full((h, w, 3), 255, np.uint8), hm)
    g = gen7.truth_geometry(hm, w, h, fw, fh)
    q = np.asarray(g["quad"])
    m = frame[:, :, 0].astype(np.float64) / 255.0
    assert m.sum() == pytest.approx(gen7.poly_area(q), rel=3e-3)
    yy, xx = np.mgrid[0:fh, 0:fw]
    cen = np.array([(m * xx).sum(), (m * yy).sum()]) / m.sum()
    mom = cv2.moments(q.astype(np.float32))
    assert np.allclose(cen, [mom["m10"] / mom["m00"], mom["m01"] / mom["m00"]], atol=0.3)
    assert g["rotation"] == 90  # turned ~94° CCW: a clockwise quarter makes it upright


def test_clipped_quad_starts_at_the_documents_top_left_and_runs_clockwise() -> None:
    w, h = 200, 300
    hm = gen7.place(w, h, 181.0, 120, 100)  # upside down, running off the top of a 300 × 250 frame
    g = gen7.truth_geometry(hm, w, h, 300, 250)
    q = np.asarray(g["quad"])
    assert len(q) > 4 and q[:, 1].min() >= -0.5 - 1e-6
    area = 0.5 * np.sum(q[:, 0] * np.roll(q[:, 1], -1) - np.roll(q[:, 0], -1) * q[:, 1])
    assert area > 0  # clockwise on screen (y down)
    assert np.linalg.norm(q[0] - np.asarray(g["paper_quad"])[0]) < 1e-6  # the doc's top-left (bottom-right on screen)
    assert g["rotation"] == 180 and g["skew_deg"] == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize(("turn", "content", "sy"), [(1.73, 0.0, 1.0), (-2.41, 1.2, 1.0), (0.9, 0.0, 1.015)])
def test_skew_truth_is_measured_back(turn: float, content: float, sy: float) -> None:
    """A ruled line placed by the scanner geometry (tilt, a photocopy's own turn of the print, an
    ADF's stretch along the feed) is measured back within 0.05° of the truth skew."""
    ppm = 4.0
    doc = _ruled(ppm)
    if content:
        doc = gen7.photocopy(doc, np.random.default_rng(1), np.random.default_rng(2), ppm, content)
    h, w = doc.shape[:2]
    fw, fh = 900, 600
    hm = gen7.place(w, h, turn, fw / 2, fh / 2, sy=sy)
    frame = gen7.composite(np.full((fh, fw, 3), 255, np.uint8), doc, hm)
    g = gen7.truth_geometry(hm, w, h, fw, fh, content)
    grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    grey[grey < 120] = 0  # the line (photocopy toner speckle and streaks are paler or short)
    grey[grey >= 120] = 255
    measured = _line_angle(grey, 250, 650, 240, 360)
    assert measured == pytest.approx(g["skew_deg"], abs=0.05)
    assert abs(g["skew_deg"] - (turn + content)) < 0.05  # the stretch changes the angle only a little


def test_rotation_truth_turns_the_documents_top_left_mark_to_the_top_left() -> None:
    ppm = 2.0
    for q in range(4):
        s = gen7.Sheet(100, 140, ppm, (255, 255, 255))
        s.rect(5, 5, 25, 25, fill=(0, 0, 0))
        doc = s.array()
        h, w = doc.shape[:2]
        hm = gen7.place(w, h, 90 * q + 3.0, 200, 200)
        frame = gen7.composite(np.full((400, 400, 3), 255, np.uint8), doc, hm)
        g = gen7.truth_geometry(hm, w, h, 400, 400)
        k = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}.get(g["rotation"])
        up = frame if k is None else cv2.rotate(frame, k)
        ys, xs = np.nonzero(cv2.cvtColor(up, cv2.COLOR_BGR2GRAY) < 100)
        assert xs.mean() < 160 and ys.mean() < 160, (q, g["rotation"])

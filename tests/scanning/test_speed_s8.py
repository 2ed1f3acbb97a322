"""Time per page (issue #13, session 8): cheaper equivalents must give the very same results.

Each test compares a faster path with the computation it replaced (kept here as the reference),
so a change that alters a label, a statistic or a decision fails.
"""

from __future__ import annotations

import cv2
import numpy as np

from bench.scan_eval import gen3_text as g3
from counter_app.scanning import _analysis as an
from counter_app.scanning import _outline as ol
from counter_app.scanning._cc import components_with_stats


def _masks() -> list[np.ndarray]:
    """Binary masks like the pipeline's (a page's glyphs, line blobs, dense blobs) and noise."""
    rng = np.random.default_rng(8)
    page = g3.generate_page(3, 0, 150)
    grey = cv2.cvtColor(page.image, cv2.COLOR_BGR2GRAY)
    ink = an.ink_map(grey, 150)
    glyphs = (ink > 40).astype(np.uint8)
    lines = cv2.morphologyEx(glyphs, cv2.MORPH_CLOSE, np.ones((1, 25), np.uint8))
    out = [glyphs, lines, np.ascontiguousarray(glyphs[17:-23, 5:-9]), np.zeros((40, 50), np.uint8)]
    out += [(rng.random((int(rng.integers(32, 400)), int(rng.integers(32, 400)))) < d).astype(np.uint8)
            for d in (0.01, 0.1, 0.3, 0.6) for _ in range(3)]
    out.append((rng.random((300, 300)) < 0.2).astype(np.uint8) * 255)  # 0/255 masks too
    return out


def test_components_are_opencvs_default_labelling() -> None:
    """Same count, labels, stats and centroids as ``cv2.connectedComponentsWithStats``'s
    32-bit labelling, with 8- and 4-connectivity; 16-bit labels where they fit."""
    for m in _masks():
        for conn in (8, 4):
            want = cv2.connectedComponentsWithStats(m, connectivity=conn)
            got = components_with_stats(m, connectivity=conn)
            assert got[0] == want[0]
            for g, w in zip(got[1:], want[1:], strict=True):
                assert np.array_equal(g, w)
            assert got[1].dtype == np.uint16  # the cheap path was taken


def test_components_past_16_bits_fall_back_to_32() -> None:
    """122 501 single pixels: more than 16-bit labels can number. OpenCV refuses the 16-bit
    labelling; the 32-bit one gives every pixel its own label."""
    m = np.zeros((700, 700), np.uint8)
    m[::2, ::2] = 1
    n, labels, stats, _ = components_with_stats(m)
    assert n == 350 * 350 + 1
    assert labels.dtype == np.int32 and int(labels.max()) == 350 * 350
    assert (stats[1:, cv2.CC_STAT_AREA] == 1).all()


def _side_support_reference(quad: np.ndarray, outline: np.ndarray) -> float:
    """_side_support as it was (session 7): the 3×3 chamfer distance transform, ≤ 2 px."""
    h, w = outline.shape
    dist = cv2.distanceTransform((outline == 0).astype(np.uint8), cv2.DIST_L2, 3)
    hits = total = 0
    for i in range(4):
        p, q = quad[i], quad[(i + 1) % 4]
        t = np.linspace(0, 1, 64)[:, None]
        pts = p[None, :] * (1 - t) + q[None, :] * t
        xi, yi = np.round(pts[:, 0]).astype(int), np.round(pts[:, 1]).astype(int)
        ok = (xi >= 2) & (xi < w - 2) & (yi >= 2) & (yi < h - 2)
        total += int(ok.sum())
        hits += int((dist[yi[ok], xi[ok]] <= 2.0).sum())
    return hits / max(1, total)


def test_side_support_is_the_distance_transform_version() -> None:
    """Outlines drawn a little off the quad (0–4 px, so the 2-px boundary is crossed on every
    side), broken, with specks; quads partly outside the frame: the same share, exactly."""
    rng = np.random.default_rng(5)
    for _ in range(300):
        h, w = int(rng.integers(60, 400)), int(rng.integers(60, 400))
        outline = np.zeros((h, w), np.uint8)
        quad = np.array([[0.1 * w, 0.1 * h], [0.9 * w, 0.12 * h], [0.88 * w, 0.9 * h], [0.12 * w, 0.88 * h]])
        quad += rng.normal(0, 0.08 * min(h, w), (4, 2))
        drawn = quad + rng.uniform(-4, 4, (4, 2))
        cv2.polylines(outline, [np.round(drawn).astype(np.int32)], True, 255, 1)
        outline[rng.random((h, w)) < 0.3] &= 0  # breaks
        outline[rng.random((h, w)) < 0.002] = 255  # specks
        assert ol._side_support(quad, outline) == _side_support_reference(quad, outline)
    empty = np.zeros((80, 90), np.uint8)
    q = np.array([[10.0, 10], [80, 10], [80, 70], [10, 70]])
    assert ol._side_support(q, empty) == _side_support_reference(q, empty) == 0.0


def _fills_frame_reference(grey: np.ndarray, ink: np.ndarray, threshold: int) -> bool:
    """pipeline._fills_frame as it was (session 7): the marks' coordinates from np.nonzero."""
    h, w = grey.shape
    ring = max(2, int(0.02 * min(h, w)))
    border = np.concatenate([grey[:ring].ravel(), grey[-ring:].ravel(), grey[:, :ring].ravel(),
                             grey[:, -ring:].ravel()])
    paper = float(np.percentile(grey[::4, ::4], 90))
    if float(np.median(border)) < max(0.8 * paper, 90.0):
        return False
    ys, xs = np.nonzero(ink[ring:h - ring, ring:w - ring] > threshold)
    if len(xs) < 200:
        return True
    x0, x1 = np.percentile(xs, [1, 99])
    y0, y1 = np.percentile(ys, [1, 99])
    bw, bh = x1 - x0, y1 - y0
    small_patch = bw * bh < 0.15 * h * w and min(bw, bh) > 0.12 * min(h, w)
    return not small_patch


def test_fills_frame_is_the_nonzero_version() -> None:
    """Frames with marks in a patch of every size and place (the 0.15-of-the-frame boundary
    crossed both ways), spread marks, almost none: the same answer, and both answers occur."""
    from counter_app.scanning.pipeline import _fills_frame

    rng = np.random.default_rng(13)
    seen = set()
    for _ in range(400):
        h, w = int(rng.integers(40, 300)), int(rng.integers(40, 300))
        grey = np.full((h, w), 230, np.uint8)
        ink = np.zeros((h, w), np.uint8)
        pw, ph = int(rng.integers(1, w)), int(rng.integers(1, h))
        x, y = int(rng.integers(0, w - pw + 1)), int(rng.integers(0, h - ph + 1))
        density = rng.choice([0.002, 0.05, 0.3, 1.0])
        ink[y:y + ph, x:x + pw] = (rng.random((ph, pw)) < density) * rng.integers(0, 255, (ph, pw))
        got = _fills_frame(grey, ink, 40)
        assert got == _fills_frame_reference(grey, ink, 40)
        seen.add(got)
    assert seen == {True, False}

"""Session 10, speedfind: the quad searches made cheaper give the same answers as before.

The reference below is the loop ``_line_quads`` was until session 10; the array version must
yield the same quads (bit for bit) in the same order — the searches that consume them keep the
first of equal scores, so the order is part of the answer.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from itertools import combinations

import cv2
import numpy as np

from counter_app.scanning import _outline as ol


def _reference_line_quads(lines: list[tuple[float, float]], w: int, h: int) -> Iterator[np.ndarray]:
    n_lines = len(lines)
    cos_t = [math.cos(t) for _, t in lines]
    sin_t = [math.sin(t) for _, t in lines]
    apart: dict[tuple[int, int], float] = {}
    cross: dict[tuple[int, int], tuple[float, float] | None] = {}
    for i, j in combinations(range(n_lines), 2):
        apart[i, j] = apart[j, i] = abs((lines[i][1] - lines[j][1] + np.pi / 2) % np.pi - np.pi / 2)
        det = cos_t[i] * sin_t[j] - sin_t[i] * cos_t[j]
        pt = None if abs(det) < 0.3 else ((lines[i][0] * sin_t[j] - lines[j][0] * sin_t[i]) / det,
                                          (cos_t[i] * lines[j][0] - cos_t[j] * lines[i][0]) / det)
        cross[i, j] = cross[j, i] = pt
    for combo in combinations(range(n_lines), 4):
        pairs = None
        for a, b, c, d in ((0, 1, 2, 3), (0, 2, 1, 3), (0, 3, 1, 2)):
            if apart[combo[a], combo[b]] < 0.6 and apart[combo[c], combo[d]] < 0.6:
                pairs = (combo[a], combo[b], combo[c], combo[d])
                break
        if pairs is None:
            continue
        a, b, c, d = pairs
        pts = [cross[i, j] for i, j in ((a, c), (c, b), (b, d), (d, a))]
        if any(pt is None for pt in pts):
            continue
        quad = ol.order_quad(np.array(pts))
        if (np.abs(quad[:, 0] - w / 2) > 1.5 * w).any() or (np.abs(quad[:, 1] - h / 2) > 1.5 * h).any():
            continue
        if not cv2.isContourConvex(np.round(quad * 8).astype(np.int32)):
            continue
        yield quad


def _line_sets(n: int) -> Iterator[tuple[list[tuple[float, float]], int, int]]:
    rng = np.random.default_rng(10)
    for trial in range(n):
        w, h = int(rng.integers(100, 600)), int(rng.integers(100, 600))
        count = int(rng.integers(0, 13))
        if trial % 2:
            lines = [(float(rng.uniform(-100, 700)), float(rng.uniform(0, np.pi))) for _ in range(count)]
        else:  # near-axis lines, the frame's four edges (as the searches add them), equal angles
            lines = [(float(rng.uniform(0, 500)), float(rng.choice([0.0, np.pi / 2, 0.01, np.pi / 2 + 0.02])))
                     for _ in range(count)]
            lines += [(-0.5, np.pi / 2), (h - 0.5, np.pi / 2), (-0.5, 0.0), (w - 0.5, 0.0)]
        yield lines, w, h


def test_line_quads_same_quads_in_the_same_order() -> None:
    total = 0
    for lines, w, h in _line_sets(120):
        want = list(_reference_line_quads(lines, w, h))
        got = list(ol._line_quads(lines, w, h))
        assert len(got) == len(want)
        assert all(np.array_equal(g, r) for g, r in zip(got, want, strict=True))
        total += len(want)
    assert total > 400  # the sets do close quads (the comparison is not vacuous)


def test_order_quads_is_order_quad_bit_for_bit() -> None:
    rng = np.random.default_rng(11)
    pts = rng.uniform(-50, 500, (400, 4, 2))
    pts[:50] = np.round(pts[:50] / 40) * 40  # ties in angle and in x + y
    pts[50:60, :, 0] = pts[50:60, :1, 0]  # degenerate: four points on one vertical line
    got = ol._order_quads(pts[..., 0], pts[..., 1])
    for g, p in zip(got, pts, strict=True):
        assert np.array_equal(g, ol.order_quad(p))


def test_side_contrasts_in_one_go_as_one_by_one() -> None:
    # The edge search samples every quad's sides in one remap: each answer must be the one the
    # quad gets alone (bilinear sampling is per point, whatever else is sampled with it).
    rng = np.random.default_rng(12)
    h, w = 140, 180
    paper = cv2.GaussianBlur(rng.uniform(0, 255, (h, w)).astype(np.float32), (0, 0), 3) * 3
    paper[35:105, 45:135] += 40  # a lighter sheet: some sides do step
    quads = [ol.order_quad(rng.uniform(-0.3, 1.3, (4, 2)) * [w, h]) for _ in range(120)]
    quads[0] = np.array([[44.5, 34.5], [134.5, 34.5], [134.5, 104.5], [44.5, 104.5]])
    quads[1] = np.array([[-0.5, -0.5], [w - 0.5, -0.5], [w - 0.5, 80.0], [-0.5, 80.0]])  # on the frame
    together = ol._side_contrasts(paper, np.array(quads), 4.0, 8.0)
    assert min(together[0][0]) > 0.5  # the sheet's own outline: every side steps
    assert any(v < 0 for v in together[1][0])
    for quad, (sides, level) in zip(quads, together, strict=True):
        alone, alone_level = ol._side_contrast(paper, quad, 4.0, 8.0)
        assert sides == alone
        assert level == alone_level or (np.isinf(level) and np.isinf(alone_level))

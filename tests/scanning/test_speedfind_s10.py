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

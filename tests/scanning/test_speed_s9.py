"""Session 9 speed work (issue #13): the cheaper forms give the answers of the ones they replace."""

from __future__ import annotations

import cv2
import numpy as np

from counter_app.scanning import _outline as ol


def _print_turn_reference(pts: np.ndarray, centre: tuple[float, float]) -> float:
    """``_outline._print_turn`` as session 8 wrote it (one float32 × float64 product per turn)."""
    def energy(a: float) -> float:
        m = cv2.getRotationMatrix2D(centre, a, 1.0)
        tp = pts @ m[:, :2].T + m[:, 2]
        e = 0.0
        for c in (0, 1):
            v = np.round(tp[:, c]).astype(np.int64)
            e += float(np.sum(np.bincount(v - v.min()).astype(np.float64) ** 2))
        return e

    pts = pts[:: max(1, len(pts) // 6000)]
    best = max(np.arange(-15.0, 15.5, 1.0), key=energy)
    return float(max(np.arange(best - 0.9, best + 0.95, 0.1), key=energy))


def test_print_turn_is_the_reference_turn() -> None:
    """Pixel coordinates of print (whole numbers, as faint_sheet passes them) on text lines turned
    −12…12°, with specks, and pure noise: the same turn as the reference, to the bit."""
    rng = np.random.default_rng(9)
    for trial in range(24):
        w, h = int(rng.integers(200, 600)), int(rng.integers(150, 600))
        ang = float(rng.uniform(-12, 12))
        n = int(rng.integers(300, 13000))
        u, v = rng.uniform(0.1 * w, 0.9 * w, n), np.round(rng.uniform(0.1, 0.9, n) * 20) / 20 * h
        if trial % 4 == 3:  # noise: no lines at all
            v = rng.uniform(0, h, n)
        c, s = np.cos(np.radians(ang)), np.sin(np.radians(ang))
        x = np.clip(np.round((u - w / 2) * c - (v - h / 2) * s + w / 2), 0, w - 1)
        y = np.clip(np.round((u - w / 2) * s + (v - h / 2) * c + h / 2), 0, h - 1)
        pts = np.column_stack([x, y]).astype(np.float32)
        centre = ((w - 1) / 2, (h - 1) / 2)
        assert ol._print_turn(pts, centre) == _print_turn_reference(pts, centre), trial

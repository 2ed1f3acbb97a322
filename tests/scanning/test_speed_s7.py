"""Time per page (issue #13, session 7): cheaper equivalents must give the very same results.

Each test compares a faster path with the computation it replaced (kept here as the reference),
so a change that alters a decision, a quad or a pixel fails.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from bench.scan_eval import gen3_text as g3
from counter_app.scanning import _analysis as an
from counter_app.scanning import _outline as ol
from counter_app.scanning.pipeline import _warp


def _order_quad_reference(pts: np.ndarray) -> np.ndarray:
    """order_quad as it was written with NumPy array operations (before session 7)."""
    pts = np.asarray(pts, np.float64).reshape(4, 2)
    c = pts.mean(axis=0)
    p = pts[np.argsort(np.arctan2(pts[:, 1] - c[1], pts[:, 0] - c[0]))]
    return np.roll(p, -int(np.argmin(p.sum(axis=1))), axis=0)


def test_order_quad_is_the_numpy_version_bit_for_bit() -> None:
    """Random quads, rotated rectangles (float32 boxPoints) and integer points with ties and
    collinear triples (NumPy's argsort is not stable there: the same order must come out)."""
    rng = np.random.default_rng(7)
    cases: list[np.ndarray] = [rng.normal(0, 300, (4, 2)) for _ in range(3000)]
    cases += [cv2.boxPoints(((rng.uniform(0, 500), rng.uniform(0, 500)), (rng.uniform(1, 300), rng.uniform(1, 300)),
                             rng.uniform(-90, 90))) for _ in range(1000)]
    cases += [np.round(rng.uniform(0, 50, (4, 2))) for _ in range(20000)]
    cases += [np.array([[30, 27], [34, 27], [36, 8], [39, 46]]), np.full((4, 2), 5.0)]
    for c in cases:
        got, want = ol.order_quad(c), _order_quad_reference(c)
        assert got.dtype == want.dtype and got.shape == want.shape
        assert np.array_equal(got, want), (np.asarray(c).tolist(), got.tolist(), want.tolist())


@pytest.mark.parametrize("perspective", [False, True])
def test_warp_on_three_channels_gives_the_bgra_pixels(perspective: bool) -> None:
    """The final warp straight on BGR equals the former pad-to-BGRA warp, border colour included."""
    rng = np.random.default_rng(3)
    img = rng.integers(0, 256, (301, 233, 3), dtype=np.uint8)
    m = np.vstack([cv2.getRotationMatrix2D((116.0, 150.0), 2.7, 1.0), [0, 0, 1]])
    if perspective:
        m[2, :2] = (2e-4, -1e-4)
    fill = (201, 202, 203)
    got = _warp(img, m, (240, 310), fill)
    bgra = cv2.cvtColor(img, cv2.COLOR_BGR2BGRA)
    if perspective:
        ref = cv2.warpPerspective(bgra, m, (240, 310), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                                  borderValue=(*fill, 255))
    else:
        ref = cv2.warpAffine(bgra, m[:2], (240, 310), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                             borderValue=(*fill, 255))
    assert np.array_equal(got, cv2.cvtColor(ref, cv2.COLOR_BGRA2BGR))
    assert tuple(got[0, -1]) == fill or tuple(got[-1, 0]) == fill  # a corner the rotation uncovered


@pytest.mark.parametrize("scene", ["table", "num_table", "two_column"])
def test_axis_in_doubt_reuses_the_skew_glyph_mask(scene: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The ruled-page check takes estimate_skew's glyph mask instead of building it again: the mask
    is the one it would build, the answer is the same, and no second mask is made."""
    p = g3.generate_page(1, 0, 150, scene)
    grey = cv2.cvtColor(cv2.resize(p.image, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2GRAY)
    ink = an.ink_map(grey, 75.0)
    sk = an.estimate_skew(ink, 10.0, 40)
    assert sk is not None and sk.glyphs is not None
    h, w = ink.shape
    my, mx = max(2, int(0.04 * h)), max(2, int(0.04 * w))
    assert np.array_equal(sk.glyphs, an._glyph_mask(ink[my:h - my, mx:w - mx] > 40))
    want = an.axis_in_doubt(ink, 40, sk.angle_deg, 10.0, sk.vertical)

    def no_second_mask(binary: np.ndarray) -> np.ndarray:
        raise AssertionError("glyph mask built twice")

    monkeypatch.setattr(an, "_glyph_mask", no_second_mask)
    assert an.axis_in_doubt(ink, 40, sk.angle_deg, 10.0, sk.vertical, sk.glyphs) is want


def _profile_energy_reference(x: np.ndarray, y: np.ndarray, w: np.ndarray, angle_deg: float,
                              strip: np.ndarray | None = None, n_strips: int = 1) -> float:
    """_profile_energy as it was written with fresh temporaries (before session 7)."""
    a = math.radians(angle_deg)
    r = y * math.cos(a) + x * math.sin(a)
    r = r - r.min()
    i = r.astype(np.int64)
    f = r - i
    n = int(i.max()) + 2
    if strip is not None:
        i = i + strip * n
        n *= n_strips
    hist = np.bincount(i, w * (1 - f), n) + np.bincount(i + 1, w * f, n)
    return float(hist @ hist)


def test_profile_energy_in_place_is_the_same_energy_and_leaves_its_inputs() -> None:
    """Skew's projection energy, computed in place, equals the former one exactly (with and without
    column strips) and does not touch the caller's point arrays."""
    rng = np.random.default_rng(5)
    for n_pts in (300, 5000, 25000):
        x, y = rng.uniform(-400, 400, n_pts), rng.uniform(-550, 550, n_pts)
        w = rng.uniform(40, 255, n_pts)
        strip = np.minimum(((x + 400) / 800 * 3).astype(np.int64), 2)
        before = [v.copy() for v in (x, y, w, strip)]
        for angle in np.arange(-10.0, 10.0, 0.73):
            assert an._profile_energy(x, y, w, float(angle)) == _profile_energy_reference(x, y, w, float(angle))
            assert an._profile_energy(x, y, w, float(angle), strip, 3) == _profile_energy_reference(
                x, y, w, float(angle), strip, 3)
        assert all(np.array_equal(a, b) for a, b in zip((x, y, w, strip), before, strict=True))

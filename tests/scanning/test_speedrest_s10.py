"""Speed work after the page is found (issue #13, session 10 — speedrest): each faster path must
give what the plain numpy code it replaced gave."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from counter_app.scanning import _analysis as an


def _energy_reference(x: np.ndarray, y: np.ndarray, w: np.ndarray, angle_deg: float,
                      strip: np.ndarray, n_strips: int) -> float:
    """_profile_energy as it was before session 10 (``r - r.astype(int)``)."""
    a = math.radians(angle_deg)
    r = y * math.cos(a) + x * math.sin(a)
    r -= r.min()
    i = r.astype(np.int64)
    f = r - i
    n = int(i.max()) + 2
    i += strip * n
    n *= n_strips
    hist = np.bincount(i, w * (1 - f), n) + np.bincount(i + 1, w * f, n)
    return float(hist @ hist)


def test_profile_energy_same_bits_as_reference() -> None:
    rng = np.random.default_rng(7)
    x = rng.random(3000) * 600 - 300
    y = rng.random(3000) * 800 - 400
    w = rng.integers(41, 255, 3000).astype(np.float64)
    st = an._strips(x, 3)
    for a in (-7.0, -0.37, 0.0, 0.01, 2.5):
        assert an._profile_energy(x, y, w, a, st, 3) == _energy_reference(x, y, w, a, st, 3)


def test_counts_percentile_is_numpys_percentile() -> None:
    rng = np.random.default_rng(3)
    for _ in range(400):
        n = int(rng.integers(1, 2000))
        v = rng.integers(0, int(rng.integers(1, 256)), n).astype(np.uint8)
        for q in (0, 1, 10, 50, 80, 90, 99, 100):
            assert an.counts_percentile(np.bincount(v, minlength=256), q) == float(np.percentile(v, q))
    counts = rng.integers(0, 9, 500) * (rng.random(500) < 0.6)
    xs = np.repeat(np.arange(500), counts)
    assert [an.counts_percentile(counts, 1), an.counts_percentile(counts, 99)] == list(np.percentile(xs, [1, 99]))


def test_u8_percentile_with_mask() -> None:
    rng = np.random.default_rng(5)
    img = rng.integers(0, 256, (61, 83)).astype(np.uint8)
    mask = (rng.random((61, 83)) < 0.3).astype(np.uint8)
    assert an.u8_percentile(img, 90, mask) == float(np.percentile(img[mask > 0], 90))
    assert an.u8_percentile(img[::4, ::4], 90) == float(np.percentile(img[::4, ::4], 90))


def test_sharpness_as_numpy_measured_it() -> None:
    """The OpenCV-summed measure equals the boolean-indexed numpy one (to float32 rounding)."""
    rng = np.random.default_rng(11)
    grey = np.full((300, 240), 235, np.uint8)
    for _ in range(60):
        x, y = int(rng.integers(10, 200)), int(rng.integers(10, 280))
        cv2.putText(grey, "ab", (x, y), cv2.FONT_HERSHEY_SIMPLEX, 0.5, 30, 1)
    grey = cv2.GaussianBlur(grey, (3, 3), 0.8)
    ink = an.ink_map(grey, 100)
    mask = ink > 40
    edge = cv2.dilate(mask.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    lap = np.abs(cv2.Laplacian(grey, cv2.CV_32F, ksize=3))
    want = float(lap[edge].mean()) / max(1.0, float(np.percentile(ink[mask], 90)))
    got = an.sharpness(grey, ink, 40)
    assert got is not None and abs(got - want) <= 1e-6 * want
    assert an.sharpness(np.full((50, 50), 230, np.uint8), np.zeros((50, 50), np.uint8), 40) is None


def _glyph_mask_reference(binary: np.ndarray) -> np.ndarray:
    """_glyph_mask as session 9 left it (one look-up over the label image)."""
    b = binary.astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(b, connectivity=8)
    if n <= 1:
        return binary
    limit = 0.03 * min(b.shape)
    bw, bh = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    solid = stats[:, cv2.CC_STAT_AREA] > 0.8 * bw * bh
    big = ((bw > limit) & (bh > limit) & solid) | ((bh > 0.15 * b.shape[0]) & (bw <= limit))
    big[0] = False
    return binary & ~big[labels]


def test_glyph_mask_drops_the_same_marks() -> None:
    """Text with a few solid blocks and tall rules (cleared box by box), and a sheet of more
    big blocks than GLYPH_DROP_BOXES (the look-up path): the reference's mask, pixel for pixel."""
    rng = np.random.default_rng(4)
    few = np.zeros((400, 300), bool)
    for _ in range(300):
        x, y = int(rng.integers(0, 290)), int(rng.integers(0, 395))
        few[y:y + 3, x:x + int(rng.integers(2, 9))] = True
    few[50:120, 40:130] = True  # a photo
    few[20:380, 250:252] = True  # a column rule
    few[200:230, 100:200] |= rng.random((30, 100)) < 0.5  # a porous block: kept
    many = np.zeros((600, 600), bool)
    for k in range(90):
        y, x = 60 * (k // 10) + 5, 60 * (k % 10) + 5
        many[y:y + 30, x:x + 30] = True
    for m in (few, many):
        got = an._glyph_mask(m)
        assert got.dtype == np.bool_ and np.array_equal(got, _glyph_mask_reference(m))
    assert not an._glyph_mask(many).any() and an._glyph_mask(few).sum() < few.sum()


def test_upright_warp_made_beside_is_the_one_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """A tilted page left as it lies: step 6 takes the warp the helper thread made, and its bytes
    are those of the warp made in step 6 itself (helper warp switched off)."""
    from bench.scan_eval import gen3_text as g3
    from counter_app.scanning import pipeline as pl

    page = g3.generate_page(31, 1, 100)  # a table turned 0.9°
    made: list[np.ndarray] = []
    real = pl._upright_warp

    def spy(*args: object) -> tuple[np.ndarray, np.ndarray] | None:
        res = real(*args)  # type: ignore[arg-type]
        if res is not None:
            made.append(res[1])
        return res

    monkeypatch.setattr(pl, "_upright_warp", spy)
    with_helper = pl.process_page(page.image, page.dpi)
    assert with_helper.orientation == 0 and abs(with_helper.skew_deg) > 0.05
    assert len(made) == 1 and with_helper.image is made[0]
    monkeypatch.setattr(pl, "_upright_warp", lambda *args: None)
    alone = pl.process_page(page.image, page.dpi)
    assert np.array_equal(alone.image, with_helper.image) and alone.skew_deg == with_helper.skew_deg

"""Session 11 (issue #13, time after the page is found): the cheaper measurements give the old answers.

* ``pipeline._letter_marks`` takes its counts and means from the labelling's stats and its points
  from OpenCV: the same floats as the per-label bincounts it replaced (reference copy below).
* ``_analysis._profile_energy`` is summed over float32 points in the skew searches: the energies
  stay within ~1e-5 relative of float64 and the parabolic peak within 1e-3°.
"""

from __future__ import annotations

import cv2
import numpy as np

from counter_app.scanning import _analysis as an
from counter_app.scanning import pipeline as pl
from counter_app.scanning._cc import components_with_stats


def _letter_marks_reference(ink: np.ndarray, dpi: float, threshold: int) -> tuple[float, int]:
    """Session 10's ``_letter_marks`` (np.nonzero of the labels, bincounts for counts and means)."""
    h, w = ink.shape
    m = max(2, int(0.025 * min(h, w)))
    binary = (ink[m:h - m, m:w - m] > threshold).astype(np.uint8)
    n, labels, _, _ = components_with_stats(binary, connectivity=8)
    if n <= 1:
        return 0.0, 0
    ys, xs = np.nonzero(labels)
    lab = labels[ys, xs]
    x, y = xs.astype(np.float64), ys.astype(np.float64)
    cnt = np.maximum(np.bincount(lab, minlength=n), 1).astype(np.float64)
    mx, my = np.bincount(lab, x, n) / cnt, np.bincount(lab, y, n) / cnt
    sxx = np.bincount(lab, x * x, n) / cnt - mx * mx + 1 / 12
    syy = np.bincount(lab, y * y, n) / cnt - my * my + 1 / 12
    sxy = np.bincount(lab, x * y, n) / cnt - mx * my
    half, det = (sxx + syy) / 2, sxx * syy - sxy * sxy
    disc = np.sqrt(np.maximum(half * half - det, 0.0))
    px_mm = dpi / 25.4
    minor = np.sqrt(12 * np.maximum(half - disc, 0.0)) / px_mm
    major = np.sqrt(12 * (half + disc)) / px_mm
    porous = cnt <= pl.LETTER_MAX_FILL * (minor * px_mm) * (major * px_mm)
    ok = (minor >= min(1.0, 3 / px_mm)) & (minor <= 8.0) & (major <= 80.0) & porous
    ok[0] = False
    return float((major[ok] / minor[ok]).sum() * 2.0), int(ok.sum())


def _text_ink(seed: int, angle: float = 0.0) -> np.ndarray:
    """A small ink map (darkness below paper) of printed lines, some rules and a solid bar."""
    rng = np.random.default_rng(seed)
    paper = np.full((420, 300), 255, np.uint8)
    fonts = (cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_PLAIN, cv2.FONT_HERSHEY_DUPLEX)
    for row in range(30, 380, 16):
        words = "".join(chr(int(c)) for c in rng.integers(97, 123, 22))
        cv2.putText(paper, words, (14, row), fonts[row % 3], 0.45, 0, 1, cv2.LINE_AA)
    cv2.line(paper, (10, 395), (290, 396), 0, 1)
    cv2.rectangle(paper, (200, 300), (260, 312), 0, -1)
    if angle:
        m = cv2.getRotationMatrix2D((150, 210), angle, 1.0)
        paper = cv2.warpAffine(paper, m, (300, 420), borderValue=255)
    return cv2.subtract(np.full_like(paper, 255), paper)


def test_letter_marks_equal_to_session_10() -> None:
    for seed, dpi in ((1, 75.0), (2, 150.0), (3, 40.0)):
        ink = _text_ink(seed, angle=1.3 * seed)
        got = pl._letter_marks(ink, dpi, 40)
        assert got[1] > 0
        assert got == _letter_marks_reference(ink, dpi, 40)
    assert pl._letter_marks(np.zeros((64, 64), np.uint8), 75.0, 40) == (0.0, 0)


def test_float32_energies_keep_the_peak() -> None:
    ink = _text_ink(7, angle=0.73)
    pts = cv2.findNonZero((ink > 40).astype(np.uint8)).reshape(-1, 2)
    rng = np.random.default_rng(0)
    x = pts[:, 0] + rng.random(len(pts)) - 150.0
    y = pts[:, 1] + rng.random(len(pts)) - 210.0
    w = ink[pts[:, 1], pts[:, 0]].astype(np.float64)
    strip = an._strips(x, an.SKEW_STRIPS)
    found = an.estimate_skew(ink, 12.0, 40)
    assert found is not None and abs(abs(found.angle_deg) - 0.73) < 0.2  # the tilt, roughly (Hershey lines)
    angles = np.arange(found.angle_deg - 0.5, found.angle_deg + 0.5 + 1e-9, 0.05)
    e64 = np.array([an._profile_energy(x, y, w, float(a), strip, an.SKEW_STRIPS) for a in angles])
    x32, y32, w32 = x.astype(np.float32), y.astype(np.float32), w.astype(np.float32)
    e32 = np.array([an._profile_energy(x32, y32, w32, float(a), strip, an.SKEW_STRIPS) for a in angles])
    assert np.max(np.abs(e32 / e64 - 1)) < 1e-5
    peak64, peak32 = an._parabolic(angles, e64), an._parabolic(angles, e32)
    assert abs(peak32 - peak64) < 1e-3
    assert abs(peak64 - found.angle_deg) < 0.05

"""Session 9 speed work (issue #13): the cheaper forms give the answers of the ones they replace."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from counter_app.scanning import _outline as ol
from counter_app.scanning import pipeline as pl


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


def _text_page(level: int) -> np.ndarray:
    """A 100-dpi frame of paper at ``level`` with 20 dark text lines of word blocks."""
    img = np.full((800, 560, 3), level, np.uint8)
    rng = np.random.default_rng(3)
    for row in range(20):
        x = 60
        while x < 480:
            wd = int(rng.integers(15, 50))
            cv2.rectangle(img, (x, 80 + 30 * row), (min(x + wd, 500), 92 + 30 * row), (20, 20, 20), -1)
            x += wd + 10
    return img


def test_faint_edge_warning_keeps_its_place_when_it_runs_beside(monkeypatch: pytest.MonkeyPatch) -> None:
    """The faint-edge look runs on the helper thread and is collected at the end; its warning
    still comes where it was appended before (ahead of the darkness warning raised after it)."""
    monkeypatch.setattr(ol, "find_page", lambda det: None)
    monkeypatch.setattr(pl, "_dark_bars", lambda grey: None)
    monkeypatch.setattr(pl, "_fills_frame", lambda grey, ink, thr: True)
    monkeypatch.setattr(ol, "faint_sheet", lambda bgr, ppm, cancel=None: None)
    monkeypatch.setattr(ol, "faint_sheet_edge", lambda bgr, ppm: True)
    res = pl.process_page(_text_page(100), 100)
    assert pl.WARN_PAGE_NOT_FOUND in res.warnings and pl.WARN_TOO_DARK in res.warnings
    assert res.warnings.index(pl.WARN_PAGE_NOT_FOUND) < res.warnings.index(pl.WARN_TOO_DARK)
    monkeypatch.setattr(ol, "faint_sheet_edge", lambda bgr, ppm: False)
    assert pl.WARN_PAGE_NOT_FOUND not in pl.process_page(_text_page(100), 100).warnings


def test_sheet_search_beside_find_page_fails_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    """faint_sheet starts beside find_page before anyone knows whether it will be asked: its
    error reaches the caller when its answer is used (as it did when it ran in line), never
    when it is not (here a page was outlined on a dark bed instead)."""
    def broken(bgr: np.ndarray, ppm: float, cancel: object = None) -> None:
        raise RuntimeError("faint_sheet failed")

    found = ol.find_page
    monkeypatch.setattr(ol, "find_page", lambda det: None)
    monkeypatch.setattr(ol, "faint_sheet", broken)
    monkeypatch.setattr(pl, "_dark_bars", lambda grey: None)
    with pytest.raises(RuntimeError, match="faint_sheet failed"):
        pl.process_page(_text_page(235), 100)
    monkeypatch.setattr(ol, "find_page", found)
    bed = np.full((1000, 760, 3), 35, np.uint8)
    bed[100:900, 100:660] = _text_page(235)
    res = pl.process_page(bed, 100)
    assert res.quad is not None

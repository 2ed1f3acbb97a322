"""Session 11, speedfind: the white-sheet search started beside find_page is stopped when a page
is found (its answer is then never read), and a stopped search returns nothing.

faint_sheet (~35 ms CPU on an A4 scan) starts on the helper thread before anyone knows whether
its answer will be asked; it is asked only when no page was outlined. Where one was (every gen2
A4 sample, 5 of 8 gen1 ones) it ran to the end for nothing, and the helper's later jobs (the
fine view for the skew) queued behind it (issue #13, time).
"""

from __future__ import annotations

import threading

import cv2
import numpy as np
import pytest

from counter_app.scanning import _outline as ol
from counter_app.scanning import pipeline as pl


def _sheet_on_lid() -> np.ndarray:
    """A white sheet with lines of print on a light grey lid, at 100 dpi (≈ 3.9 px/mm)."""
    img = np.full((900, 700, 3), 205, np.uint8)
    img[150:733, 120:533] = 238  # A6 (105 × 148 mm)
    rng = np.random.default_rng(11)
    for row in range(13):
        x = 160
        while x < 480:
            wd = int(rng.integers(12, 40))
            cv2.rectangle(img, (x, 200 + 36 * row), (min(x + wd, 495), 210 + 36 * row), (30, 30, 30), -1)
            x += wd + 9
    return img


def test_a_stopped_sheet_search_returns_nothing() -> None:
    img, ppm = _sheet_on_lid(), 100 / 25.4
    found = ol.faint_sheet(img, ppm)
    assert found is not None  # the search does find this sheet…
    assert ol.faint_sheet(img, ppm, threading.Event()) is not None  # (an unset stop changes nothing)
    stop = threading.Event()
    stop.set()
    assert ol.faint_sheet(img, ppm, stop) is None  # …but not once it was told to stop


def _record(monkeypatch: pytest.MonkeyPatch) -> list[threading.Event]:
    seen: list[threading.Event] = []
    real = ol.faint_sheet

    def spy(bgr: np.ndarray, ppm: float, cancel: threading.Event | None = None) -> ol.FaintSheet | None:
        assert cancel is not None
        seen.append(cancel)
        return real(bgr, ppm, cancel)

    monkeypatch.setattr(ol, "faint_sheet", spy)
    return seen


def test_the_pipeline_stops_the_sheet_search_when_a_page_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _record(monkeypatch)
    bed = np.full((1000, 760, 3), 35, np.uint8)  # a page on a dark bed: outlined by find_page
    bed[100:900, 100:660] = 235
    cv2.rectangle(bed, (200, 300), (560, 320), (20, 20, 20), -1)
    res = pl.process_page(bed, 100)
    assert res.quad is not None
    assert len(seen) == 1 and seen[0].is_set()


def test_the_sheet_search_runs_on_when_its_answer_is_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _record(monkeypatch)
    monkeypatch.setattr(ol, "find_page", lambda det: None)  # no page outlined: the search is asked
    monkeypatch.setattr(pl, "_dark_bars", lambda grey: None)
    res = pl.process_page(_sheet_on_lid(), 100)
    assert len(seen) == 1 and not seen[0].is_set()
    assert res.quad is not None  # its sheet was cropped to

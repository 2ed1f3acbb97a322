"""Orientation, session 13 (issue #13): the first reading put to a ballot of every cue it asked.

Our ascender vote, the two view cues (glyph shapes, line ends) and Tesseract's confident reading:
where the first reading is not sure the view cues are asked on scans too and two net votes turn
the page; a sure reading any consulted cue goes against is flagged (and turned the ballot's way
when it loses it); a page found sideways but kept across for too few lines is turned sideways,
flagged, when all three of our cues read the same side.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from bench.scan_eval import gen7
from counter_app.scanning import _analysis as an
from counter_app.scanning import pipeline as pl
from counter_app.scanning.pipeline import WARN_ORIENTATION_UNSURE, PipelineOptions, process_page

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract-ocr not installed")


def _finding(vertical: bool = False) -> an.SkewFinding:
    z = np.zeros(30)
    return an.SkewFinding(0.0, vertical, True, z, z, z)


def _views() -> dict[str, object]:
    return {"osd_view": lambda: np.zeros((8, 8), np.uint8), "page_view": lambda: (np.zeros((8, 8), np.uint8), 150.0)}


def _cues(monkeypatch: pytest.MonkeyPatch, vote: tuple[float, int], asc: float, flush: float,
          osd: tuple[int, float] | None = None) -> None:
    monkeypatch.setattr(pl.an, "upside_down_score", lambda *a, **k: vote)
    monkeypatch.setattr(pl.an, "view_ascender_score", lambda *a, **k: asc)
    monkeypatch.setattr(pl.an, "view_flush_score", lambda *a, **k: (flush, 20))
    monkeypatch.setattr(pl, "tesseract_orientation", lambda *a, **k: osd)


def test_tesseract_keeping_a_photo_our_glyph_cues_read_turned_is_not_silent(monkeypatch: pytest.MonkeyPatch) -> None:
    """gen7 phone_on_pile#72 (upside down): our vote +0.175 (under a photo's 0.3), the glyph cue
    +0.32, line ends +0.03 (no vote), Tesseract "0" at 2.07 — Tesseract's keep was followed, sure.
    Two votes against one: turned, and flagged."""
    _cues(monkeypatch, (0.175, 68), 0.318, 0.034, (0, 2.07))
    assert pl._orientation(_finding(), PipelineOptions(), photo=True, **_views()) == (180, False)


def test_a_ruled_page_flipped_on_our_vote_against_tesseract_is_flagged(monkeypatch: pytest.MonkeyPatch) -> None:
    """real3 rtd_tractor_form_scan (a Chinese tractor-feed form, upright): our vote +0.32 on a
    ruled page, Tesseract "0" at 5.2, no view cue — flipped to 180° in silence. Now flagged."""
    _cues(monkeypatch, (0.318, 47), 0.0, 0.0, (0, 5.18))
    assert pl._orientation(_finding(), PipelineOptions(), ruled=True, photo=True, **_views()) == (180, False)


@pytest.mark.parametrize(("asc", "flush", "want"), [
    (0.23, 0.44, (180, True)),  # all three read it turned: turned, sure
    (0.23, 0.0, (180, False)),  # two votes: turned, flagged
    (0.0, 0.44, (180, False)),  # our vote and line ends: turned, flagged
    (-0.23, 0.44, (0, False)),  # the view cues disagree: kept, flagged
])
def test_an_unsure_scan_asks_the_view_cues(monkeypatch: pytest.MonkeyPatch, asc: float, flush: float,
                                           want: tuple[int, bool]) -> None:
    """gen7 carbon_receipt#57 (a scan, upside down): our vote +0.16 is under the flip's 0.25 and
    the scan was kept at 0; its glyph cue (+0.23) and line ends (+0.44) read it turned too."""
    _cues(monkeypatch, (0.164, 25), asc, flush)
    assert pl._orientation(_finding(), PipelineOptions(use_tesseract=False), **_views()) == want


@pytest.mark.parametrize(("ruled", "want"), [(False, (270, False)), (True, (0, False))])
def test_a_sideways_page_of_few_lines_is_turned_when_all_our_cues_agree(
    monkeypatch: pytest.MonkeyPatch, ruled: bool, want: tuple[int, bool]
) -> None:
    """gen7 dotmatrix_slip#79 (needs 270°): found sideways from 16 lines (under 20: the axis in
    doubt), so kept as scanned; our vote, glyph cue and line ends all read 270. Turned, flagged —
    but not on a ruled page, where the cues read a table's columns as lines (gen3_text num_table)."""
    _cues(monkeypatch, (0.363, 16), 0.436, 0.455)
    assert pl._orientation(_finding(vertical=True), PipelineOptions(use_tesseract=False), ruled=ruled,
                           **_views()) == want


def test_a_sure_scan_is_not_read_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """Our own sure vote on a scan is not put to the ballot: nothing more is read (no cost)."""
    def boom(*a: object, **k: object) -> float:
        raise AssertionError("asked")

    monkeypatch.setattr(pl.an, "upside_down_score", lambda *a, **k: (-0.3, 30))
    monkeypatch.setattr(pl.an, "view_ascender_score", boom)
    monkeypatch.setattr(pl, "tesseract_orientation", boom)
    assert pl._orientation(_finding(), PipelineOptions(), **_views()) == (0, True)


def test_the_upside_down_carbon_receipt_is_turned() -> None:
    """End to end, the generated page itself (gen7 seed 7 #57 at 100 dpi): a carbon copy scanned
    upside down was kept at 0 (flagged); its three cues agree, so it is turned."""
    p = gen7.generate_page(7, 57, 100)
    assert p.truth["rotation"] == 180
    r = process_page(p.image, p.dpi, PipelineOptions(use_tesseract=False))
    assert r.orientation == 180


@needs_tesseract
def test_the_real_tractor_feed_form_is_not_flipped_in_silence() -> None:
    """real3 rtd_tractor_form_scan: upright, was turned 180° with no warning."""
    from bench.scan_eval import run as R

    cases = [c for c in R.iter_real3() if c.name == "rtd_tractor_form_scan"]
    if not cases:
        pytest.skip("real3 cache absent (python -m bench.scan_eval.fetch_real3)")
    c = cases[0]
    r = process_page(c.image, c.dpi or 300, dpi_trusted=c.dpi is not None)
    assert r.orientation == 0 or WARN_ORIENTATION_UNSURE in r.warnings

"""Orientation, session 9 (issue #13): up or down on photographed pages, from two cues measured on
the straightened finer view — glyph shapes (ascenders, accents) and line ends (flush left) — which
must agree; a disagreement is flagged, never guessed."""

from __future__ import annotations

from functools import cache

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from bench.scan_eval import gen3_text as g3
from counter_app.scanning import _analysis as an
from counter_app.scanning import pipeline as pl
from counter_app.scanning.pipeline import WARN_ORIENTATION_UNSURE, PipelineOptions, process_page
from tests.real_scan_files import locate


def _ragged_paragraph(seed: int) -> np.ndarray:
    """A small grey page of ragged-right prose (lines flush left, ends wherever the words stop)."""
    rng = np.random.default_rng(seed)
    img = Image.new("L", (420, 330), 245)
    d = ImageDraw.Draw(img)
    f = g3._font("sans", 13)
    for k in range(14):
        text = " ".join(g3.PROSE[int(i)] for i in rng.integers(0, len(g3.PROSE), int(rng.integers(3, 8))))
        d.text((20, 12 + 22 * k), text, font=f, fill=30)
    return np.asarray(img)


def test_line_ends_tell_flush_left_from_flush_right() -> None:
    """Ragged-right prose scores negative (upright); the same page turned over scores positive."""
    grey = _ragged_paragraph(3)
    up, n = an.flush_side_score(an.ink_map(grey, 150), 40)
    down, _ = an.flush_side_score(an.ink_map(np.ascontiguousarray(grey[::-1, ::-1]), 150), 40)
    assert n >= 10
    assert up <= -0.5 and down >= 0.5


def test_lines_leaning_at_random_give_no_ascender_evidence() -> None:
    """Handwriting's loops: half the lines have ink above their band, half below, those above a
    little taller — a total lean, but not one the lines agree on beyond chance: no ascender
    evidence. The same lines all leaning one way are evidence."""
    def page(random: bool) -> np.ndarray:
        a = np.full((40 * 24, 600), 240, np.uint8)
        for k in range(40):
            y = 24 * k + 10
            a[y:y + 6, 20:560] = 40  # the line's core band
            if k % 2 == 0 or not random:
                a[y - 5:y, 20:560:9] = 40  # ascenders
            else:
                a[y + 6:y + 10, 20:560:9] = 40  # descenders
        return a

    asc_random = an.view_ascender_score(page(True), 150, 40, vertical=False)
    asc_agreed = an.view_ascender_score(page(False), 150, 40, vertical=False)
    assert asc_random == 0.0
    assert asc_agreed < -0.5


def _finding() -> an.SkewFinding:
    z = np.zeros(30)
    return an.SkewFinding(0.0, False, True, z, z, z)


def _views() -> dict[str, object]:
    return {"osd_view": lambda: np.zeros((8, 8), np.uint8), "page_view": lambda: (np.zeros((8, 8), np.uint8), 150.0)}


def _cues(monkeypatch: pytest.MonkeyPatch, asc: float, flush: float) -> None:
    monkeypatch.setattr(pl.an, "view_ascender_score", lambda *a, **k: asc)
    monkeypatch.setattr(pl.an, "view_flush_score", lambda *a, **k: (flush, 20))


@pytest.mark.parametrize(("vote", "cues", "want"), [
    ((-0.4, 30), (0.2, 0.2), (0, False)),  # strong vote, both view cues against: flagged
    ((-0.4, 30), (-0.2, -0.2), (0, True)),  # all agree
    ((-0.05, 30), (0.2, 0.15), (180, True)),  # weak vote: both view cues decide
    ((-0.05, 30), (0.2, -0.15), (0, False)),  # the view cues disagree: kept, flagged
    ((-0.2, 30), (0.2, 0.15), (0, False)),  # a vote ≥ orientation_min_evidence against them: flagged
    ((-0.05, 30), (0.02, 0.3), (0, False)),  # one cue too weak: kept, flagged
])
def test_a_photo_turns_only_when_both_view_cues_agree(monkeypatch: pytest.MonkeyPatch, vote: tuple[float, int],
                                                      cues: tuple[float, float], want: tuple[int, bool]) -> None:
    monkeypatch.setattr(pl.an, "upside_down_score", lambda *a, **k: vote)
    _cues(monkeypatch, *cues)
    opt = PipelineOptions(use_tesseract=False)
    assert pl._orientation(_finding(), opt, photo=True, **_views()) == want


def test_the_view_cues_pick_270_over_90_on_a_sideways_photo(monkeypatch: pytest.MonkeyPatch) -> None:
    """Found sideways (lines running down): the cues choose between 90 and 270, and a choice they
    agree on is sure (gen2 cam_rot: 270 kept at 90, flagged)."""
    monkeypatch.setattr(pl.an, "upside_down_score", lambda *a, **k: (0.02, 30))
    _cues(monkeypatch, 0.12, 0.2)
    z = np.zeros(30)
    sk = an.SkewFinding(0.0, True, True, z, z, z)
    assert pl._orientation(sk, PipelineOptions(use_tesseract=False), photo=True, **_views()) == (270, True)


def test_a_scan_is_not_judged_by_the_view_cues(monkeypatch: pytest.MonkeyPatch) -> None:
    """Scanned pages (not photographed) that our vote decides surely keep their rules: the view
    cues are not asked (session 13: they are asked where the vote is not sure)."""
    def boom(*a: object, **k: object) -> tuple[float, float, int]:
        raise AssertionError("asked")

    monkeypatch.setattr(pl.an, "view_ascender_score", boom)
    monkeypatch.setattr(pl.an, "view_flush_score", boom)
    monkeypatch.setattr(pl.an, "upside_down_score", lambda *a, **k: (-0.3, 30))
    assert pl._orientation(_finding(), PipelineOptions(use_tesseract=False), photo=False, **_views()) == (0, True)


@cache
def _photo_letter() -> g3.Gen3Page:
    return g3.generate_page(93, 5, 150, scene="photo_letter")


@pytest.mark.parametrize("turn", [0, 2])
def test_a_photographed_letter_is_turned_upright_without_tesseract(turn: int) -> None:
    """gen3_text photo_letter (a Vietnamese letter, phone-degraded, x-height ~7 px, no dpi), as
    photographed and turned over: upright both times and sure, with no Tesseract. Before the view
    cues it was kept as it lay and flagged."""
    p = _photo_letter()
    img = np.ascontiguousarray(np.rot90(p.image, turn))
    r = process_page(img, 300, PipelineOptions(use_tesseract=False), dpi_trusted=False)
    assert r.orientation == (p.truth["rotation"] + 90 * turn) % 360
    assert r.orientation_confident and WARN_ORIENTATION_UNSURE not in r.warnings


@pytest.mark.parametrize("turn", [0, 2])
def test_a_real_handwritten_photo_is_never_turned_wrong_in_silence(turn: int) -> None:
    """Real hwocr_page05 (a phone photo of a handwritten page, no dpi), as taken and turned over:
    handwriting's loops lean at random line by line, so the ascender cue must not count, and the
    page is either turned right or flagged — never wrong and sure (Tesseract off: the cues alone)."""
    path = locate("0d9a303865bc44abeecb1b6aa4db90d73b894b80945e44c4e050441468dd53d7", "hwocr_page05.jpg")
    if path is None:
        pytest.skip("real photo not fetched (bench.scan_eval.fetch_real)")
    img = cv2.imread(str(path))
    r = process_page(np.ascontiguousarray(np.rot90(img, turn)), 300, PipelineOptions(use_tesseract=False),
                     dpi_trusted=False)
    assert r.orientation == 90 * turn or WARN_ORIENTATION_UNSURE in r.warnings

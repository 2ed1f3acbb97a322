"""Orientation, session 7 (issue #13): till receipts and photographed pages, one class per test.

The classes behind the wrong turns on gen4 and real (upright till receipts turned 90°, upside-down
receipts kept "surely"), rebuilt in gen3_text's ``ORI3_SCENES`` with its own drawing and seeds.
"""

from __future__ import annotations

import shutil

import cv2
import numpy as np
import pytest

from bench.scan_eval import gen3_text as g3
from counter_app.scanning import _analysis as an
from counter_app.scanning import pipeline as pl
from counter_app.scanning.pipeline import WARN_ORIENTATION_UNSURE, PipelineOptions, process_page
from counter_app.scanning.sources.imageio import decode_single
from tests.real_scan_files import locate

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract-ocr not installed")
NO_OSD = PipelineOptions(use_tesseract=False)


def _till(index: int) -> g3.Gen3Page:
    return g3.generate_page(11, index, 150, "till_receipt")


def _ink(p: g3.Gen3Page) -> np.ndarray:
    grey = cv2.cvtColor(p.image, cv2.COLOR_BGR2GRAY)
    return an.ink_map(grey, float(p.dpi or 150))


@pytest.mark.parametrize("index", [11, 26, 30])
def test_an_upright_till_receipt_is_never_turned_sideways(index: int) -> None:
    """A till receipt's columns (names flush left, amounts flush right, a barcode's bars) made its
    lines look as if they ran down the strip, and upright receipts were turned 90° (gen4 receipt#9,
    #65, #93, #121; real receipt_thalia). Whatever Tesseract says, an upright receipt is not left
    sideways: without Tesseract it stays as scanned."""
    p = _till(index)
    assert p.truth["rotation"] == 0
    r = process_page(p.image, p.dpi, NO_OSD)
    assert r.orientation == 0


@pytest.mark.parametrize("index", [18, 19, 37])
def test_a_till_receipt_is_never_turned_or_kept_wrongly_in_silence(index: int) -> None:
    """Digits, capitals and amounts sit evenly about the x-height band: the ascender/descender
    vote of an upside-down receipt said "upright" and it was kept with no warning (page 18), an
    upright one was turned upside down (19) or to 270° (37), all "surely". A narrow slip's vote
    is no evidence: without Tesseract it is kept and flagged."""
    p = _till(index)
    r = process_page(p.image, p.dpi, NO_OSD)
    assert r.orientation == p.truth["rotation"] or WARN_ORIENTATION_UNSURE in r.warnings


@needs_tesseract
def test_tesseract_turns_an_upside_down_till_receipt() -> None:
    """With Tesseract the upside-down receipt is turned (flagged: Tesseract alone flipped it)."""
    p = _till(6)
    r = process_page(p.image, p.dpi, PipelineOptions(osd_timeout_s=60))
    assert r.orientation == 180 and WARN_ORIENTATION_UNSURE in r.warnings


def test_line_blobs_of_a_receipt_run_across() -> None:
    """The independent check of a sideways finding: a receipt's line blobs run across the strip,
    a page lying sideways still shows its lines as long blobs down."""
    receipt = _till(3)
    assert an.lines_run_across(_ink(receipt), 40, 12.0)
    sideways = g3.generate_page(11, 1, 150, "sideways_feeder")
    assert sideways.truth["rotation"] in (90, 270)
    small = cv2.resize(sideways.image, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    p = g3.Gen3Page(small, 75, sideways.truth)
    assert not an.lines_run_across(_ink(p), 40, 12.0)


@pytest.mark.parametrize(("w_mm", "h_mm", "narrow"), [(80, 200, True), (57, 130, True), (80, 125, True),
                                                      (70, 99, False), (54, 86, False), (210, 297, False),
                                                      (105, 297, False)])
def test_a_narrow_slip_is_a_till_receipt_shape(w_mm: float, h_mm: float, narrow: bool) -> None:
    """≤ 90 mm wide and at least 1.5 times as long (session 8: a short sale's receipt, gen3_text
    till_short), not card-sized: a till receipt, not a card or a page (an A4 page at a third of
    its size, 70 × 99 mm: a stated dpi three times too high)."""
    dpi = 200.0
    assert pl._narrow_slip(round(w_mm / 25.4 * dpi), round(h_mm / 25.4 * dpi), dpi) is narrow


@pytest.mark.parametrize(("turn", "conf", "expected"), [(0, 10.7, (0, False)), (0, 1.5, (90, False))])
def test_a_page_found_sideways_is_turned_back_across_only_on_tesseracts_strong_word(
    monkeypatch: pytest.MonkeyPatch, turn: int, conf: float, expected: tuple[int, bool]
) -> None:
    """Real receipt_thalia: found sideways from 23 lines with no lean worth the name, and Tesseract
    read it upright with confidence 10.7 — the line direction won and the receipt was turned 90°.
    Tesseract's strong reading across is now followed (flagged); a weak one is not."""
    monkeypatch.setattr(an, "upside_down_score", lambda *a: (0.1, 23))
    monkeypatch.setattr(pl, "tesseract_orientation", lambda *a, **k: (turn, conf))
    sk = an.SkewFinding(0.0, True, True, np.zeros(1), np.zeros(1), np.ones(1))
    opt = PipelineOptions(orientation_sideways_min_lines=20)
    assert pl._orientation(sk, opt, lambda: np.zeros((64, 64), np.uint8)) == expected


@needs_tesseract
def test_the_real_thalia_receipt_is_not_turned_sideways() -> None:
    """The real receipt (300 dpi, upright) that was turned 90°."""
    path = locate("d3e70c9dfa41a52ed0034e9f2cefdabbd3bc8419f4f1b15359e80323cf1d3eac",
                  "receipt_thalia_06052020_01_04990.jpg")
    if path is None:
        pytest.skip("real receipt not fetched (bench.scan_eval.fetch_real)")
    frame = decode_single(path)
    r = process_page(frame.image, frame.dpi or 300, PipelineOptions(osd_timeout_s=60))
    assert r.orientation == 0


# --------------------------------------------------------------------------- photographed pages


def _square(angle_deg: float) -> np.ndarray:
    a = np.radians(angle_deg)
    r = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    return np.array([[0, 0], [1000, 0], [1000, 1400], [0, 1400]], float) @ r.T + 500


@pytest.mark.parametrize(("quad", "rule", "photo"), [
    (None, "device", False), (None, "bed:A4", False), (_square(3.0), "device", False),
    (None, "size:A4", True), (None, "assumed", True),
    (np.array([[0, 0], [1000, 40], [960, 1400], [30, 1380]], float), "device", True),
])
def test_a_photo_is_told_by_its_dpi_or_its_perspective(quad: np.ndarray | None, rule: str, photo: bool) -> None:
    """A scanner states its dpi and sees the page square on (a crooked sheet is still a rectangle);
    a phone does neither."""
    assert pl._photographed(quad, rule) is photo


@pytest.mark.parametrize(("score", "photo", "expected"), [(-0.2, False, (0, True)), (-0.2, True, (180, False)),
                                                          (-0.35, True, (0, True))])
def test_on_a_photo_a_weak_lean_neither_stands_alone_nor_blocks_tesseract(
    monkeypatch: pytest.MonkeyPatch, score: float, photo: bool, expected: tuple[int, bool]
) -> None:
    """gen4 phone_spread#83 was kept upside down with no warning: on photos the ascender/descender
    vote loses the thin strokes it counts, and an upside-down photo scored −0.14 "upright". A lean
    under 0.3 on a photo is no longer sure: Tesseract's confident 180° is followed (flagged, as any
    flip on its word alone), a strong lean still decides."""
    monkeypatch.setattr(an, "upside_down_score", lambda *a: (score, 40))
    monkeypatch.setattr(pl, "tesseract_orientation", lambda *a, **k: (180, 5.0))
    sk = an.SkewFinding(0.0, False, True, np.zeros(1), np.zeros(1), np.ones(1))
    assert pl._orientation(sk, PipelineOptions(), lambda: np.zeros((64, 64), np.uint8), photo=photo) == expected


@pytest.mark.parametrize("index", [1, 20])
def test_a_washed_out_photo_is_never_turned_wrongly_in_silence(index: int) -> None:
    """gen3_text camera_flip: a sideways photo that scored −0.26 for the wrong side (page 1) and an
    upside-down one kept "surely" on −0.14 (page 20). Without Tesseract both are now flagged."""
    p = g3.generate_page(11, index, 150, "camera_flip")
    r = process_page(p.image, 300, NO_OSD, dpi_trusted=False)
    assert r.orientation == p.truth["rotation"] or WARN_ORIENTATION_UNSURE in r.warnings

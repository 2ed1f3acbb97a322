"""ID cards in a sleeve, cards filling the frame, the MRZ's filler as a way-up cue (issue #13, session 12).

Failure classes of the session-start code (c8aad2c), each rebuilt here with its own drawing:

* a card in a clear plastic sleeve on the glass, the sleeve running off the frame: the sleeve
  (no document's size) was dropped and the whole glass kept (gen7 card_sleeve, J 0.07);
* an ID card's back filling the frame (a specimen scanned and cropped tight): no outline, so no
  card layout was asked and the page's text reading turned it 180° (real2 pe_id_d, pe_id_si,
  mrz_resident_usa — pinned with those images where the bench cache is present);
* the MRZ of a card's back read as "long rows" of the back's upper text block when upside down
  (gen7 card_sleeve#34: turned 270 instead of 90, in silence).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from bench.scan_eval import gen7
from counter_app.scanning._card import mrz_turn
from counter_app.scanning.pipeline import WARN_ORIENTATION_UNSURE, WARN_PAGE_NOT_FOUND, process_page

DPI = 150
PPM = DPI / 25.4
REAL2 = Path(__file__).resolve().parents[2] / "out" / "scan_eval" / "cache" / "real2"


def _card(back: bool, seed: int) -> np.ndarray:
    return gen7.draw_card(np.random.default_rng(seed), PPM, back=back)


def _jaccard(quad: np.ndarray | None, truth: np.ndarray, w: int, h: int) -> float:
    a = np.zeros((h, w), np.uint8)
    b = np.zeros((h, w), np.uint8)
    if quad is None:
        a[:] = 1
    else:
        cv2.fillConvexPoly(a, np.round(quad).astype(np.int32), 1)
    cv2.fillConvexPoly(b, np.round(truth).astype(np.int32), 1)
    return float((a & b).sum() / max(1, (a | b).sum()))


def _sleeve_scene(seed: int, turn: float, back: bool) -> tuple[np.ndarray, np.ndarray]:
    """A card in a faint grey sleeve 8 mm larger all round, the sleeve running off the top of an
    A4 glass (light grey lid); returns the frame and the card's corners."""
    rng = np.random.default_rng(seed)
    h, w = round(297 * PPM), round(210 * PPM)
    frame = np.full((h, w, 3), 226, np.uint8)
    frame = np.clip(frame.astype(np.float32) + rng.normal(0, 1.5, frame.shape), 0, 255).astype(np.uint8)
    card = _card(back, seed)
    ch, cw = card.shape[:2]
    margin = 8 * PPM
    centre = (w * 0.35, ch / 2 + margin - 4 * PPM)  # the sleeve's top 4 mm off the frame
    m = cv2.getRotationMatrix2D((cw / 2, ch / 2), turn, 1.0)
    m[:, 2] += np.array(centre) - [cw / 2, ch / 2]
    corners = cv2.transform(np.array([[[0, 0], [cw, 0], [cw, ch], [0, ch]]], np.float64), m)[0]
    sleeve = cv2.transform(np.array([[[-margin, -margin], [cw + margin, -margin], [cw + margin, ch + margin],
                                      [-margin, ch + margin]]], np.float64), m)[0]
    cv2.fillConvexPoly(frame, np.round(sleeve * 16).astype(np.int32), (212, 212, 212), cv2.LINE_AA, 4)
    cv2.polylines(frame, [np.round(sleeve).astype(np.int32)], True, (150, 150, 150), 1, cv2.LINE_AA)
    warped = cv2.warpAffine(card, m, (w, h), flags=cv2.INTER_LINEAR)
    mask = cv2.warpAffine(np.full((ch, cw), 255, np.uint8), m, (w, h), flags=cv2.INTER_LINEAR)
    a = mask[..., None].astype(np.float32) / 255
    frame = (warped * a + frame * (1 - a)).astype(np.uint8)
    return frame, corners


@pytest.mark.parametrize(("seed", "turn", "back"), [(1, 2.0, False), (2, -3.0, True)])
def test_a_card_in_a_sleeve_is_cut_to_the_card(seed: int, turn: float, back: bool) -> None:
    """The sleeve is no document; the ID-1 card inside it is (c8aad2c: the whole glass kept)."""
    frame, corners = _sleeve_scene(seed, turn, back)
    res = process_page(frame, DPI)
    h, w = frame.shape[:2]
    assert WARN_PAGE_NOT_FOUND not in res.warnings
    assert _jaccard(res.quad, corners, w, h) >= 0.93


def test_the_mrz_filler_says_which_edge_is_the_bottom() -> None:
    """The back's MRZ ("<" filler runs) along one long edge gives the turn, all four ways; a
    front (no MRZ) gives none."""
    back = cv2.cvtColor(_card(True, 5), cv2.COLOR_BGR2GRAY)
    assert mrz_turn(back) == 0
    assert mrz_turn(cv2.rotate(back, cv2.ROTATE_180)) == 180
    assert mrz_turn(cv2.rotate(back, cv2.ROTATE_90_CLOCKWISE)) == 270
    assert mrz_turn(cv2.rotate(back, cv2.ROTATE_90_COUNTERCLOCKWISE)) == 90
    front = cv2.cvtColor(_card(False, 5), cv2.COLOR_BGR2GRAY)
    assert mrz_turn(front) is None
    assert mrz_turn(cv2.rotate(front, cv2.ROTATE_180)) is None


def test_an_upside_down_back_in_a_sleeve_is_turned_by_its_mrz() -> None:
    """The back's upper text block (two long lines) at the bottom when upside down read as an
    MRZ's rows; the filler says otherwise (gen7 card_sleeve#34: 270 for 90, in silence)."""
    frame, _ = _sleeve_scene(3, 1.5, True)
    frame = cv2.rotate(frame, cv2.ROTATE_180)
    res = process_page(frame, DPI)
    assert res.quad is not None
    assert res.orientation == 180
    assert WARN_ORIENTATION_UNSURE not in res.warnings


def test_a_back_filling_the_frame_is_turned_by_its_mrz() -> None:
    """A card's back cropped tight (no outline to find), upside down: turned upright, surely."""
    card = cv2.rotate(_card(True, 7), cv2.ROTATE_180)
    res = process_page(card, DPI)
    assert res.quad is None
    assert res.orientation == 180
    assert WARN_ORIENTATION_UNSURE not in res.warnings


@pytest.mark.parametrize("name", ["pe_id_d.jpg", "pe_id_si.jpg", "mrz_resident_usa.png"])
def test_real_specimen_backs_filling_the_frame_stay_upright(name: str) -> None:
    """Real specimen scans (real2; their truth: upright) that c8aad2c turned 180° (flagged)."""
    path = REAL2 / name
    if not path.exists():
        pytest.skip("real2 cache absent (python -m bench.scan_eval.fetch_real2)")
    from PIL import Image

    with Image.open(path) as im:
        dpi = im.info.get("dpi")
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    stated = round(float(dpi[0])) if dpi and float(dpi[0]) > 1 else None
    res = process_page(img, stated or 300, dpi_trusted=stated is not None)
    assert res.orientation == 0
    assert WARN_ORIENTATION_UNSURE not in res.warnings


def _real2(name: str) -> tuple[np.ndarray, int | None]:
    path = REAL2 / name
    if not path.exists():
        pytest.skip("real2 cache absent (python -m bench.scan_eval.fetch_real2)")
    from PIL import Image

    with Image.open(path) as im:
        dpi = im.info.get("dpi")
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    return img, (round(float(dpi[0])) if dpi and float(dpi[0]) > 1 else None)


def test_real_licence_filling_the_frame_is_not_cut() -> None:
    """real2 azure_driver_license_wv (truth: the whole frame): c8aad2c cut it below its header."""
    img, dpi = _real2("azure_driver_license_wv.png")
    res = process_page(img, dpi or 300, dpi_trusted=dpi is not None)
    h, w = img.shape[:2]
    assert res.quad is None or _jaccard(res.quad, np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float64), w, h) >= 0.97


def test_real_passport_card_in_a_hand_is_turned_by_its_mrz() -> None:
    """real2 mrzs_card_in_hand: a passport data card (ID-3, A-series' aspect: no ID-1 card by its
    shape) held in a hand; c8aad2c turned it 180° (flagged). Its MRZ filler says upright."""
    img, dpi = _real2("mrzs_card_in_hand.jpg")
    res = process_page(img, dpi or 300, dpi_trusted=dpi is not None)
    assert res.orientation == 0
    assert WARN_ORIENTATION_UNSURE not in res.warnings

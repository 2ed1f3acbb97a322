"""Card images printed on a sheet, and the MRZ filler against a sure text reading (issue #13, session 13).

Failure classes of the session-start code (4ea0cab), each rebuilt here with its own drawing:

* a copier's A4 page holding the images of a CCCD's two faces under a line of certification text
  was cut to the card images (gen8 photocopy_cards_copier, J 0.15): a card image printed on a page
  is the page's content, not a card on the glass;
* a passport's data page whose text lines read upside down "surely" was turned 180° in silence:
  its MRZ filler was asked only of pages in doubt (real3 mrzd_passport_est_scan — pinned with the
  real image where the bench cache is present).
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from bench.scan_eval import gen7
from counter_app.scanning.pipeline import WARN_ORIENTATION_UNSURE, _card_image_on_sheet, process_page

DPI = 150
PPM = DPI / 25.4
ROOT = Path(__file__).resolve().parents[2]
REAL3 = ROOT / "out" / "scan_eval" / "cache" / "real3"


def _sheet(seed: int, line: bool) -> tuple[np.ndarray, list[np.ndarray]]:
    """A white A4 page at DPI with a CCCD's back above its front printed on its lower half and,
    with ``line``, a certification block above them (a title line ~120 mm long, two shorter lines);
    returns the frame and the two card images' corners."""
    rng = np.random.default_rng(seed)
    h, w = round(297 * PPM), round(210 * PPM)
    page = np.clip(rng.normal(244, 1.5, (h, w, 3)), 0, 255).astype(np.uint8)
    corners = []
    for i, back in enumerate((True, False)):
        card = gen7.draw_card(np.random.default_rng(seed + i), PPM, back=back)
        ch, cw = card.shape[:2]
        x0, y0 = round((w - cw) / 2), round(h * 0.52 + i * (ch + 12 * PPM))
        page[y0:y0 + ch, x0:x0 + cw] = card
        corners.append(np.array([[x0, y0], [x0 + cw, y0], [x0 + cw, y0 + ch], [x0, y0 + ch]], np.float64))
    if line:
        for k, (text, scale) in enumerate((("CHUNG THUC BAN SAO DUNG VOI BAN CHINH", 1.45),
                                           ("So chung thuc: 9617 Quyen so: 01/2026-SCT/BS", 1.0),
                                           ("Thai Nguyen, ngay 16 thang 4 nam 2026", 1.0))):
            (tw, _), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 2)
            cv2.putText(page, text, (round((w - tw) / 2), round(h * 0.30 + k * 12 * PPM)),
                        cv2.FONT_HERSHEY_SIMPLEX, scale, (30, 30, 30), 2, cv2.LINE_AA)
    return page, corners


@pytest.mark.parametrize("turned", [False, True])
def test_a_copier_page_of_card_images_is_the_page(turned: bool) -> None:
    """The sheet is kept whole (4ea0cab: cut to the two card images) and turned by the printed back's
    MRZ filler, not read from its few lines."""
    page, _ = _sheet(3, line=True)
    if turned:
        page = cv2.rotate(page, cv2.ROTATE_180)
    res = process_page(page, DPI)
    h, w = page.shape[:2]
    if res.quad is not None:
        q = np.asarray(res.quad, np.float64)
        assert cv2.contourArea(q.astype(np.float32)) >= 0.97 * w * h
    assert res.orientation == (180 if turned else 0)


def test_print_beside_a_card_is_page_print_only_when_a_line_is_longer_than_a_card() -> None:
    """The rule itself: another card beside the outline is no page's print; a line of 120 mm is."""
    bare, corners = _sheet(5, line=False)
    lined, _ = _sheet(5, line=True)
    sdpi = DPI
    assert not _card_image_on_sheet(bare, corners[1], sdpi, 40)
    assert _card_image_on_sheet(lined, corners[1], sdpi, 40)
    # Not on a frame that is no sheet (a bed larger than any page: Legal is 356 mm long).
    big = cv2.copyMakeBorder(lined, 0, round(120 * PPM), 0, 0, cv2.BORDER_CONSTANT, value=(244, 244, 244))
    assert not _card_image_on_sheet(big, corners[1], sdpi, 40)


def _real3(name: str) -> tuple[np.ndarray, int, dict[str, object]]:
    pages = json.loads((ROOT / "bench" / "scan_eval" / "real3_truth.json").read_text(encoding="utf-8"))["pages"]
    truth = next(t for t in pages.values() if t["name"] == name)
    path = REAL3 / str(truth["file"])
    if not path.exists():
        pytest.skip("real3 cache absent (python -m bench.scan_eval.fetch_real3)")
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    return img, round(float(truth["dpi"][0])), truth


def test_a_passport_page_is_turned_by_its_mrz_not_its_lines() -> None:
    """real3 mrzd_passport_est_scan: upright, its lines read as upside down surely (4ea0cab: 180 in
    silence). Its filler says upright; the disagreement is told. Turned over, it comes back."""
    img, dpi, truth = _real3("mrzd_passport_est_scan")
    res = process_page(img, dpi)
    assert res.orientation == truth["rotation"] == 0
    flipped = process_page(cv2.rotate(img, cv2.ROTATE_180), dpi)
    assert flipped.orientation == 180
    # Wherever the filler overrules a sure reading, the officer is told.
    for r in (res, flipped):
        assert r.orientation_confident or WARN_ORIENTATION_UNSURE in r.warnings

"""Whole pages on a scanner's glass, cut exactly (issue #13, session 13, flatbed).

Classes named from gen4–gen8's flatbed frames (the pages drawn here are made in the test, with
own choices: bars of "words" on a flat sheet, a flat lid, sensor noise, 100 dpi):

* an A4 sheet on a white or light lid covers ~0.97 of an A4 glass (216 × 297 mm): the sheet
  was found from its print (``faint_sheet``) but refused as "filling 90 % of the frame", and
  the glass was kept with the lid's strips (J 0.93–0.96, silent). A frame of no paper size is
  a glass: the page on it is cropped (``pipeline._page_frame``); a frame of a page's size (a
  scan cropped to the page) is still kept whole;
* such a page lies flush with the glass's 297-mm side: no ``page_cut_off`` when the sheet still
  measures a whole paper size (``pipeline._whole_paper``); a page running off the glass is told;
* a sheet feeder's streak (a speck on its glass line: a thin dark line through backing and page
  alike, top to bottom) was taken for a side of the page: gen8 adf_trichluc#77 cut to a strip
  beside it (J 0.18) and turned the wrong way. Filled in before page finding
  (``_outline.without_streaks``); a page's own printed rule, which stops on the page, is kept;
* a driver writing a screen resolution (72/96 dpi) into the file: the page found on the glass
  measured 1.6× too large, no document, and the whole glass was kept (gen8 register_a3, J 0.50).
  A stated dpi outside ``PLAUSIBLE_DPI`` measures nothing; the bed's shape gives the scale.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from bench.scan_eval import gen8
from bench.scan_eval.run import frame_poly, in_frame, poly_iou
from counter_app.scanning import _outline as ol
from counter_app.scanning.pipeline import PipelineOptions, process_page

# Orientation is not what is asked here (bars of words have no way up): Tesseract is not run.
OPTIONS = PipelineOptions(orient=False)


def _sheet_on_glass(bed_mm: tuple[float, float], page_mm: tuple[float, float], at_mm: tuple[float, float],
                    angle: float = 0.0, lid: float = 244.0, paper: float = 252.0, dpi: float = 100.0,
                    seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A sheet with lines of print laid on a flat lid; the frame (BGR) and the sheet's corners."""
    ppm = dpi / 25.4
    rng = np.random.default_rng(seed)
    fw, fh = round(bed_mm[0] * ppm), round(bed_mm[1] * ppm)
    pw, ph = round(page_mm[0] * ppm), round(page_mm[1] * ppm)
    page = np.full((ph, pw), paper, np.float32)
    y = 25 * ppm
    while y < ph - 30 * ppm:
        x = 20 * ppm
        while x < pw - 25 * ppm:
            wl = rng.uniform(6, 18) * ppm
            cv2.rectangle(page, (int(x), int(y)), (int(x + wl), int(y + 2.2 * ppm)), 40, -1)
            x += wl + 2.5 * ppm
        y += 7 * ppm
    m = cv2.getRotationMatrix2D((0.0, 0.0), angle, 1.0)
    m[:, 2] += (at_mm[0] * ppm, at_mm[1] * ppm)
    warped = cv2.warpAffine(page, m, (fw, fh), flags=cv2.INTER_LINEAR, borderValue=0)
    cover = cv2.warpAffine(np.ones_like(page), m, (fw, fh), flags=cv2.INTER_LINEAR, borderValue=0)
    out = lid * (1 - cover) + warped + rng.normal(0, 1.2, (fh, fw))
    img = cv2.cvtColor(np.clip(out, 0, 255).astype(np.uint8), cv2.COLOR_GRAY2BGR)
    quad = cv2.transform(np.array([[[0, 0], [pw, 0], [pw, ph], [0, ph]]], np.float32) - 0.5, m)[0]
    return img, quad.astype(np.float64)


def _jaccard(img: np.ndarray, truth: np.ndarray, quad: np.ndarray | None) -> float:
    h, w = img.shape[:2]
    pred = frame_poly(w, h) if quad is None else in_frame(np.asarray(quad, np.float64), w, h)
    return poly_iou(pred, in_frame(truth, w, h))


# On 4ea0cab all three were kept whole: J 0.966 / 0.970 / 0.966.
@pytest.mark.parametrize(("at_mm", "angle", "lid"), [((3.0, 2.0), 0.0, 244.0), ((4.0, 1.0), 0.6, 244.0),
                                                     ((3.0, 2.0), 0.0, 248.0)])
def test_an_a4_page_on_a_light_lid_is_cut_from_an_a4_glass(at_mm: tuple[float, float], angle: float,
                                                            lid: float) -> None:
    img, truth = _sheet_on_glass((216.0, 297.0), (210.0, 297.0), at_mm, angle, lid=lid)
    res = process_page(img, 100, OPTIONS)
    assert res.quad is not None, res.warnings
    assert _jaccard(img, truth, res.quad) >= 0.98
    # Flush with the glass's long side, but whole: nothing to tell.
    assert "page_cut_off" not in res.warnings


def test_a_page_filling_a_page_sized_frame_is_kept_whole() -> None:
    # A scan cropped to the page (the frame is A4 itself): a faint step in its margin is no edge.
    img, truth = _sheet_on_glass((210.0, 297.0), (210.0, 297.0), (0.0, 0.0))
    res = process_page(img, 100, OPTIONS)
    assert _jaccard(img, truth, res.quad) >= 0.99


def test_a_page_running_off_the_glass_is_still_told() -> None:
    # 12 mm of the page lie beyond the glass's top: cropped to what is there, and told.
    img, truth = _sheet_on_glass((216.0, 297.0), (210.0, 297.0), (3.0, -12.0))
    res = process_page(img, 100, OPTIONS)
    assert res.quad is not None
    assert _jaccard(img, truth, res.quad) >= 0.97
    assert "page_cut_off" in res.warnings


# On 4ea0cab: kept whole at J 0.50 (the page measured 1.3–1.4× too large at the stated dpi).
@pytest.mark.parametrize(("scanned", "stated"), [(125.0, 96), (100.0, 72)])
def test_a_screen_resolution_in_the_file_does_not_hide_the_page(scanned: float, stated: int) -> None:
    # An A4 page on an A3 glass, the file saying 96 or 72 dpi.
    img, truth = _sheet_on_glass((297.0, 420.0), (210.0, 297.0), (3.0, 2.0), lid=240.0, dpi=scanned, seed=3)
    res = process_page(img, stated, OPTIONS)
    assert res.quad is not None, res.warnings
    assert _jaccard(img, truth, res.quad) >= 0.98


# On 9ce54d3 (this session's merge) the page was cut but not squared — the squaring asked the
# stated 72 dpi, not the bed's scale — and the skew reported was 0.34-0.54° off (held-out gen9
# tag72_scan: a 200-dpi scan tagged 72 dpi); on 4ea0cab the glass was kept whole.
# (Errors on 9ce54d3: 0.39° and 0.07°; now ≤ 0.003°. Still off, not pinned: the same page at
# -2.6° scanned at 150 dpi, 0.29-0.33° both before and after.)
@pytest.mark.parametrize(("scanned", "angle", "at_mm"), [(200.0, -2.6, (16.0, 4.0)), (150.0, 1.3, (6.0, 5.0))])
def test_a_page_off_two_sides_of_a_glass_tagged_72_dpi_is_squared(scanned: float, angle: float,
                                                                   at_mm: tuple[float, float]) -> None:
    img, truth = _sheet_on_glass((216.0, 297.0), (210.0, 297.0), at_mm, angle, lid=240.0, dpi=scanned, seed=5)
    res = process_page(img, 72, OPTIONS)
    assert res.quad is not None, res.warnings
    top = truth[1] - truth[0]
    tilt = float(np.degrees(np.arctan2(-top[1], top[0])))
    assert abs(res.skew_deg - tilt) < 0.05, (res.skew_deg, tilt)
    assert "page_cut_off" in res.warnings


def test_a_feeder_streak_is_filled_in_and_a_printed_rule_kept() -> None:
    img, _ = _sheet_on_glass((216.0, 305.0), (210.0, 297.0), (3.0, 4.0), lid=170.0)
    h = img.shape[0]
    img[60:h - 60, 300] = 30  # a rule printed on the page: it stops on the page
    img[:, 500:502] = (img[:, 500:502] * 0.6).astype(np.uint8)  # the streak: top to bottom
    out = ol.without_streaks(img)
    assert np.array_equal(out[:, 300], img[:, 300])
    assert np.array_equal(out[:, :495], img[:, :495]) and np.array_equal(out[:, 506:], img[:, 506:])
    # Filled in: as light as the columns beside it (the page's white between the print lines).
    assert abs(float(np.median(out[:, 500:502])) - float(np.median(img[:, 496]))) <= 3
    assert ol.without_streaks(out) is out  # nothing left to fill


# gen8 (held out last session, named since) at 100 dpi: on 4ea0cab cut to a strip beside the
# streak, J 0.18 (at 150 dpi: J 0.18, turned 180° wrong).
def test_a_feeder_streak_is_no_side_of_the_page() -> None:
    page = gen8.generate_page(8, 77, 100)
    res = process_page(page.image, page.dpi or 100, OPTIONS)
    h, w = page.image.shape[:2]
    pred = frame_poly(w, h) if res.quad is None else in_frame(np.asarray(res.quad, np.float64), w, h)
    assert poly_iou(pred, np.asarray(page.truth["quad"], np.float64)) >= 0.94

"""Page finding on what counters scan (issue #13): cards on the glass, slips on a lid, phone photos.

Each failure class of the issue is pinned by one image: a real one where the committed real
subset has it (``tests/data/real_scans``), otherwise a scene of ``bench/scan_eval/gen3.py`` —
the page-finding tuning set, written apart from the other two generators — drawn small in the
test. The outline is scored against the generator's (or the hand-checked) truth by the overlap
of the part inside the frame, as ``bench/scan_eval/run.py`` does.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from bench.scan_eval import gen3
from counter_app.scanning.pipeline import (
    WARN_PAGE_CUT_OFF,
    WARN_PAGE_NOT_FOUND,
    PageResult,
    PipelineOptions,
    process_page,
)
from counter_app.scanning.sources.imageio import decode_single
from tests.real_scan_files import locate

REAL = Path(__file__).resolve().parents[1] / "data" / "real_scans"


def _frame(w: int, h: int) -> np.ndarray:
    return np.array([[-0.5, -0.5], [w - 0.5, -0.5], [w - 0.5, h - 0.5], [-0.5, h - 0.5]], np.float32)


def _overlap(result: PageResult, truth: dict[str, Any]) -> float:
    """Jaccard of the returned outline (inside the frame; none = whole frame) and the truth polygon."""
    w, h = truth["size"]
    frame = _frame(w, h)
    pred = frame if result.quad is None else cv2.convexHull(np.asarray(result.quad, np.float32)).reshape(-1, 2)
    _, pred_in = cv2.intersectConvexConvex(pred, frame)
    pred = frame if pred_in is None else pred_in.reshape(-1, 2)
    true = cv2.convexHull(np.asarray(truth["quad"], np.float32)).reshape(-1, 2)
    inter, _ = cv2.intersectConvexConvex(pred, true)
    return float(inter / (cv2.contourArea(pred) + cv2.contourArea(true) - inter))


def _scene(scene: str, seed: int = 5, dpi: int = 75) -> tuple[gen3.Gen3Page, PageResult]:
    page = gen3.generate_page(seed, 0, dpi, scene)
    # As the importer does: a photo has no DPI, so the default is passed and flagged untrusted.
    return page, process_page(page.image, page.dpi or 300, dpi_trusted=page.dpi is not None)


def test_card_alone_on_the_glass_is_cropped_to_itself() -> None:
    """A CCCD on a white lid (13 of 30 held-out cards returned no outline)."""
    page, res = _scene("card_front_white", dpi=100)
    assert res.quad is not None, res.warnings
    assert _overlap(res, page.truth) >= 0.95


def test_two_cards_on_one_glass_are_one_component() -> None:
    """Front and back copied together: the outline holds both cards, not the larger one alone."""
    page, res = _scene("card_pair_grey", seed=4)
    assert res.quad is not None, res.warnings
    assert _overlap(res, page.truth) >= 0.93
    # The output has the shape of two cards stacked or side by side, not of one ID-1 card.
    h, w = res.image.shape[:2]
    assert not 1.45 <= max(h, w) / min(h, w) <= 1.72


def test_slip_on_a_light_grey_lid_is_cropped() -> None:
    """An A5 slip on a light-grey lid (kept whole in the held-out set)."""
    page, res = _scene("a5_grey_lid")
    assert res.quad is not None, res.warnings
    assert _overlap(res, page.truth) >= 0.95


@pytest.mark.parametrize("scene", ["photo_cloth", "photo_wood"])
def test_phone_photo_on_a_patterned_background(scene: str) -> None:
    """Patterned cloth (a plaid's colour steps) and wood grain are background, the page is found."""
    page, res = _scene(scene, seed=11)
    assert res.quad is not None, res.warnings
    assert _overlap(res, page.truth) >= 0.95


def test_photo_with_a_shadow_across_the_page_on_a_beige_desk() -> None:
    """A soft shadow darkens paper and desk alike and splits the lightness masks; the neutral
    paper still differs from the coloured desk in chroma."""
    page = gen3.generate_page(3, 37, 100, "photo_beige_desk")  # with a shadow across the sheet
    assert page.truth["kind"] == "photo_beige_desk"
    res = process_page(page.image, 300, dpi_trusted=False)
    assert res.quad is not None, res.warnings
    assert _overlap(res, page.truth) >= 0.95


def test_photo_of_a_page_running_off_the_frame() -> None:
    """The page leaves the photo at a corner: its sides meet outside, and the officer is told."""
    page, res = _scene("photo_off_frame", seed=7)
    assert res.quad is not None, res.warnings
    assert _overlap(res, page.truth) >= 0.95
    assert WARN_PAGE_CUT_OFF in res.warnings


def test_nothing_to_find_keeps_the_frame_and_says_so() -> None:
    """A bare granite desk: no page is invented; the frame is kept whole with page_not_found."""
    rng = np.random.default_rng(3)
    desk = np.clip(gen3.bg_granite(rng, 600, 800) * 0.6, 0, 255).astype(np.uint8)
    res = process_page(desk, 300, dpi_trusted=False)
    assert res.quad is None
    assert WARN_PAGE_NOT_FOUND in res.warnings


def test_dense_print_on_a_full_frame_page_is_not_a_sheet() -> None:
    """Dense small print fills a solid rectangle at the analysis scale; on a page filling the frame
    (the ring is paper) it has no document's size, so the page is kept whole (gen3_text's scene,
    written for the skew stage by another hand: page finding was not tuned on it)."""
    from bench.scan_eval import gen3_text

    page = gen3_text.generate_page(5, 16, 150)
    assert page.truth["full_frame"]
    res = process_page(page.image, 150)
    assert _overlap(res, page.truth) >= 0.97


def _real(name: str) -> tuple[dict[str, Any], PageResult]:
    pages = json.loads((REAL / "truth.json").read_text(encoding="utf-8"))["pages"]
    sha, t = next((s, p) for s, p in pages.items() if p["name"] == name)
    path = locate(sha, t["file"])
    if path is None:
        pytest.skip(f"{name}: a Leptonica sample, not committed; run bench.scan_eval.fetch_real")
    frame = decode_single(path)
    return t, process_page(frame.image, frame.dpi or 300, dpi_trusted=frame.dpi is not None)


def _real_cached(name: str) -> tuple[dict[str, Any], PageResult]:
    """A page of the full real set from the evaluation cache (``bench.scan_eval.fetch_real``)."""
    truth = json.loads((Path(__file__).resolve().parents[2] / "bench" / "scan_eval" / "real_truth.json")
                       .read_text(encoding="utf-8"))["pages"]
    sha, t = next((s, p) for s, p in truth.items() if p["name"] == name)
    path = locate(sha, t["file"])
    if path is None:
        pytest.skip(f"{name}: not in the evaluation cache; run bench.scan_eval.fetch_real")
    frame = decode_single(path)
    return t, process_page(frame.image, frame.dpi or 300, dpi_trusted=frame.dpi is not None)


def test_real_magazine_page_is_not_cropped_to_its_chart() -> None:
    """colorpage_030: bar charts are solid rectangles too; the page (not a chart) is the outline."""
    t, res = _real("colorpage_030")
    assert _overlap(res, t) >= 0.9


@pytest.mark.parametrize("name", ["lion-page_00016", "wet-day", "candelabrum_011"])
def test_real_full_frame_page_is_not_cropped_to_its_picture(name: str) -> None:
    """A picture, an illustration or an initial on a page that fills the frame is print, not a sheet
    on a lid: much darker than the paper ring around it. (Leptonica samples: skipped when absent.)"""
    t, res = _real_cached(name)
    assert _overlap(res, t) >= 0.97
    assert WARN_PAGE_NOT_FOUND not in res.warnings


def test_real_open_book_on_black_is_the_whole_spread() -> None:
    """binding-example_45: a two-page spread photographed on black keeps both pages."""
    t, res = _real("binding-example_45")
    assert _overlap(res, t) >= 0.9


# lid — cards and slips on the glass (2026-12-07). Scenes of gen3 at 100 dpi whose outline the
# code before this section got wrong; each says what it returned then.


def _lid_scene(scene: str, seed: int, index: int, *, trusted: bool = True) -> tuple[gen3.Gen3Page, PageResult]:
    page = gen3.generate_page(seed, index, 100, scene)
    return page, process_page(page.image, 100 if trusted else 300, dpi_trusted=trusted)


def test_white_slip_on_a_white_lid_is_found_by_the_line_of_its_edge() -> None:
    """An A6 as white as the lid, running off the glass's top: only the thin grey line of its cut
    edge and a faint lid-gap shadow show it (was kept whole, J 0.20, with no warning)."""
    page, res = _lid_scene("a6_white_lid", 3, 6)
    assert res.quad is not None, res.warnings
    assert _overlap(res, page.truth) >= 0.97


def test_card_edges_are_not_pushed_out_by_the_lid_gap_shadow() -> None:
    """A pale CCCD on a white lid whose shadow widens its blob by a few millimetres on two sides:
    the edges are found at the card, not at the shadow's outer edge (was J 0.905)."""
    page, res = _lid_scene("card_front_white", 1, 20)
    assert res.quad is not None, res.warnings
    assert _overlap(res, page.truth) >= 0.97


def test_two_cards_on_a_lid_as_light_as_paper_are_measured_card_by_card() -> None:
    """Front and back on a light lid: together they are no paper size, each is an ID-1 card (the
    pair was dropped as "not a document's size" and the glass kept whole, J 0.17)."""
    page, res = _lid_scene("card_pair_grey", 1, 4)
    assert res.quad is not None, res.warnings
    # One rectangle holds both cards; the truth is their convex hull (this pair's bound: 0.958).
    assert _overlap(res, page.truth) >= 0.94


def test_long_till_roll_on_a_white_lid_is_cropped() -> None:
    """A long thermal receipt on a white lid (no ID-1/A5/A6 shape: was kept whole, J 0.22)."""
    page, res = _lid_scene("receipt_long_white", 2, 21)
    assert res.quad is not None, res.warnings
    assert _overlap(res, page.truth) >= 0.97


@pytest.mark.parametrize(("scene", "seed", "index", "size_mm", "rule"), [
    ("card_front_white", 1, 0, (85.6, 53.98), "bed:Legal"),
    ("card_front_white", 2, 0, (85.6, 53.98), "bed:A4"),
    ("a6_white_lid", 1, 6, (148.0, 105.0), "bed:A4"),
    ("a6_white_lid", 2, 6, (148.0, 105.0), "bed:Legal"),
    ("receipt_long_white", 3, 21, None, "bed:Legal"),
])
def test_card_or_slip_without_dpi_gets_its_physical_size_from_the_bed(
        scene: str, seed: int, index: int, size_mm: tuple[float, float] | None, rule: str) -> None:
    """No dpi in the file: the frame is an A4 or a Legal glass, so its long side gives the scale and
    the PDF page has the card's or the slip's size ± 2 mm (an A6 on a Legal glass became an A4
    page at 50 dpi; a till roll was kept whole). A till roll's length is free: its width is 80 or
    57 mm."""
    _, res = _lid_scene(scene, seed, index, trusted=False)
    assert res.quad is not None and res.dpi_rule == rule
    got = sorted((s / res.effective_dpi * 25.4 for s in res.image.shape[:2]), reverse=True)
    if size_mm is None:
        assert min(abs(got[1] - 80.0), abs(got[1] - 57.0)) <= 2.0
    else:
        assert got == pytest.approx(list(size_mm), abs=2.0)


# --------------------------------------------------------------------------- camera page finding (cam)
# Phone photos whose sheet's blob runs into something as light as paper: another sheet under it,
# the bright end of a light desk, the other leaf of an open booklet; and close-ups where the page
# runs off three sides. The page is found by its straight paper edges (``_outline._edge_candidate``);
# each scene is one of gen3's camera scenes on which the mask-only finder failed.

_FAST = PipelineOptions(orient=False, detect_blank=False, deskew=False)


def _photo(scene: str, seed: int, index: int) -> tuple[gen3.Gen3Page, PageResult]:
    page = gen3.generate_page(seed, index, 100, scene)
    assert page.truth["kind"] == scene
    return page, process_page(page.image, 300, _FAST, dpi_trusted=False)


def test_photo_of_a_page_lying_on_other_sheets_is_the_page_alone() -> None:
    """Another form under the page merges with it in every mask (was J 0.71): the page's own four
    edges, paper inside and a shadow or desk outside, give its outline."""
    page, res = _photo("photo_sheets_clutter", 12, 0)
    assert res.quad is not None, res.warnings
    assert _overlap(res, page.truth) >= 0.97


def test_photo_on_a_light_desk_under_a_light_ramp() -> None:
    """The bright end of a beige desk is as light as paper and joins the page's blob (was J 0.79)."""
    page, res = _photo("photo_light_ramp", 11, 0)
    assert res.quad is not None, res.warnings
    assert _overlap(res, page.truth) >= 0.97
    assert WARN_PAGE_CUT_OFF not in res.warnings


def test_photo_of_an_open_booklet_is_the_whole_spread() -> None:
    """Two leaves with a dark fold between them are one document, as two cards on one glass are:
    the outer edges close one quad holding both leaves (was one leaf and a slice, J 0.90)."""
    page, res = _photo("photo_spread", 5, 1)
    assert res.quad is not None, res.warnings
    assert _overlap(res, page.truth) >= 0.97


def test_card_on_plaid_cloth_is_not_grown_over_a_stripe() -> None:
    """A cloth stripe's edge next to a card closes a larger quad with edges on every side; what it
    adds is cloth, not paper, so the card's own outline stands (a regression while building this)."""
    page, res = _photo("photo_card_desk", 12, 1)
    assert _overlap(res, page.truth) >= 0.9


def test_photo_of_a_page_running_off_three_sides_is_cropped_at_its_edge() -> None:
    """A close-up: the page leaves the photo on three sides and one edge crosses it. The mask cut
    into the page (was J 0.22); the crop now follows the visible edge and keeps all the paper."""
    page, res = _photo("photo_off_three", 5, 4)
    assert res.quad is not None, res.warnings
    assert _overlap(res, page.truth) >= 0.97
    assert WARN_PAGE_CUT_OFF in res.warnings


def test_real_photo_of_a_page_running_off_three_sides() -> None:
    """lyra_005 (Leptonica): a sideways title page running off three sides, the book's red edge
    beyond the fourth. It was kept whole with page_not_found (J 0.79)."""
    t, res = _real("lyra_005")
    assert res.quad is not None, res.warnings
    assert _overlap(res, t) >= 0.97
    assert WARN_PAGE_CUT_OFF in res.warnings


# rcpt (2026-12-07)
# Till receipts pushed into a corner of the glass on a grey card, the dark lid beyond the card:
# the frame's ring holds three lightness levels (bar, card, receipt). gen3's scene
# ``receipt_card_corner`` draws the class; a real scan pins it.


@pytest.mark.parametrize(("index", "was"), [(1, 0.14), (6, 0.28), (11, 0.13)])
def test_receipt_in_the_glass_corner_on_a_grey_card(index: int, was: float) -> None:
    """The card (on the dark lid) was taken for the page, or nothing stood out of a plane fitted
    through bar and card; the receipt is the lightest level, a rectangle on the card."""
    page = gen3.generate_page(7, index, 100, "receipt_card_corner")
    res = process_page(page.image, page.dpi or 300, dpi_trusted=True)
    assert res.quad is not None, res.warnings
    assert _overlap(res, page.truth) >= 0.95, f"was J {was}"
    assert WARN_PAGE_CUT_OFF in res.warnings  # it touches two frame edges


def test_lighter_rectangle_inside_a_page_on_a_dark_lid_does_not_replace_it() -> None:
    """A page on a dark lid is paper and print: Otsu inside it splits print from paper, and the
    lighter part is the page again — the three-level rule must not crop it to a text-free area."""
    page, res = _scene("card_dark_lid", dpi=100)
    assert _overlap(res, page.truth) >= 0.95


def test_real_receipt_on_a_grey_card_beside_the_dark_lid() -> None:
    """receipt_marktkauf (softmatic/vision-data): a receipt in the glass's top right corner on a
    grey card, the dark lid at the left; its full-width barcode cut the light blob in two. Kept
    whole with page_not_found before (J 0.44)."""
    t, res = _real_cached("receipt_marktkauf_04052020_11_03620")
    assert res.quad is not None, res.warnings
    assert _overlap(res, t) >= 0.95


def test_real_page_filling_the_frame_is_not_split_in_three_levels() -> None:
    """boxedpage: a page filling the frame, print and paper; the three-level rule took its paper
    (print being the "dark" class) for a receipt in the corner while it was built (J 0.88)."""
    t, res = _real_cached("boxedpage")
    assert res.quad is None or _overlap(res, t) >= 0.97

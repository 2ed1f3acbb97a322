"""Regression tests on real scans and photos nobody on this project made (issue #13).

``tests/data/real_scans`` holds a small subset of the independent evaluation set with
hand-checked truth (``truth.json``; sources and licences in ``SOURCES.md``). Each test pins one
failure class the issue traced on real material; the pipeline was not tuned on the full set.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from counter_app.scanning.pipeline import (
    WARN_ORIENTATION_UNSURE,
    WARN_PAGE_NOT_FOUND,
    WARN_SKEW_UNSURE,
    PageResult,
    process_page,
)
from counter_app.scanning.sources.imageio import decode_single
from counter_dev.scoring import quad_jaccard
from tests.real_scan_files import locate

ROOT = Path(__file__).resolve().parents[1] / "data" / "real_scans"


def _need(results: dict[str, Any], name: str) -> None:
    if name not in results:
        pytest.skip(f"{name}: from a fetched git snapshot, not committed; run bench.scan_eval.fetch_real")


def _truth() -> dict[str, dict[str, Any]]:
    pages = json.loads((ROOT / "truth.json").read_text(encoding="utf-8"))["pages"]
    return {p["name"]: p | {"sha256": sha} for sha, p in pages.items()}


@pytest.fixture(scope="module")
def results() -> dict[str, tuple[dict[str, Any], np.ndarray, PageResult]]:
    """Every real page on this machine decoded the way the importer does it and processed once."""
    out = {}
    for name, t in _truth().items():
        path = locate(t["sha256"], t["file"])
        if path is None:  # a Leptonica sample outside the evaluation cache (tests/data/real_scans/SOURCES.md)
            continue
        frame = decode_single(path)
        # The importer's contract: no believable dpi in the file → a default, flagged untrusted.
        r = process_page(frame.image, frame.dpi or 300, dpi_trusted=frame.dpi is not None)
        out[name] = (t, frame.image, r)
    return out


def _jaccard(t: dict[str, Any], r: PageResult) -> float:
    w, h = t["size"]
    truth_quad = None if t["full_frame"] else np.array(t["quad"], float)
    return quad_jaccard(r.quad, truth_quad, (w, h))


def test_set_is_present(results: dict[str, Any]) -> None:
    assert len(_truth()) >= 10, "tests/data/real_scans/truth.json lost its pages"
    assert len(results) >= 8, "the committed registry images are missing"


def test_no_page_leaves_tilted_without_a_warning(results: dict[str, tuple[dict, np.ndarray, PageResult]]) -> None:
    """Issue #13: 8 of 38 pages kept 0.5–4.7° of tilt with no warning (dense and two-column pages)."""
    for name, (t, _img, r) in results.items():
        # Scans only: a photo's "tilt" depends on its perspective (a book spread is not flat).
        if t["class"] != "flatbed" or not t["has_text_lines"] or WARN_SKEW_UNSURE in r.warnings:
            continue
        assert abs(r.skew_deg - t["skew_deg"]) <= 0.5, (name, r.skew_deg, t["skew_deg"])


@pytest.mark.parametrize("name", ["feyn", "colorpage_030", "witten", "contrast-orig-60",
                                  "ocrmypdf_skew", "ocrmypdf_rotated_skew"])
def test_dense_and_two_column_pages_are_straightened(
        results: dict[str, tuple[dict, np.ndarray, PageResult]], name: str) -> None:
    """The across/down decision compared raw peak heights: these pages went "sideways", then
    failed the confidence test and were left tilted."""
    _need(results, name)
    t, _img, r = results[name]
    assert r.skew_confident and WARN_SKEW_UNSURE not in r.warnings, name
    assert abs(r.skew_deg - t["skew_deg"]) <= 0.15, (name, r.skew_deg, t["skew_deg"])


def test_full_frame_pages_are_never_cropped_to_a_part(results: dict[str, tuple[dict, np.ndarray, PageResult]]) -> None:
    """A magazine page cropped to its bar chart; a two-page spread reduced to one page."""
    for name, (t, _img, r) in results.items():
        if t["full_frame"] or name == "colorpage_030":
            assert _jaccard(t, r) >= 0.95, (name, r.quad)


def test_orientation_is_right_or_flagged(results: dict[str, tuple[dict, np.ndarray, PageResult]]) -> None:
    """Wrong cases of the issue: a black scanner bar turned an upright page 90°; faint text was
    flipped 180° "confidently". A turn is either right or not applied silently."""
    for name, (t, _img, r) in results.items():
        if r.orientation != t["rotation"]:
            assert WARN_ORIENTATION_UNSURE in r.warnings, (name, r.orientation, t["rotation"])
            assert r.orientation in (0, 90), "an unsure page is never turned upside down"
    assert results["ocrmypdf_cardinal_2"][2].orientation == 270
    assert results["ocrmypdf_cardinal_4"][2].orientation == 90
    assert results["ocrmypdf_cardinal_3"][2].orientation == 180


@pytest.mark.parametrize("name", ["feyn", "lighttext"])
def test_upright_pages_stay_upright(results: dict[str, tuple[dict, np.ndarray, PageResult]], name: str) -> None:
    """feyn: a black scanner bar at the right edge turned it 90°; lighttext: faint text flipped 180°."""
    _need(results, name)
    assert results[name][2].orientation == 0


def test_physical_size_without_trustworthy_dpi(results: dict[str, tuple[dict, np.ndarray, PageResult]]) -> None:
    """No dpi in the file used to mean 300 dpi: a 1240×1754 A4 became an A6 page."""
    _t, _img, r = results["ocrmypdf_linn"]  # US letter at 300 dpi, no dpi in the PNG
    assert r.dpi_rule == "size:Letter"
    h, w = r.image.shape[:2]
    assert (w / r.effective_dpi * 25.4, h / r.effective_dpi * 25.4) == pytest.approx((215.9, 279.4), rel=0.02)
    if "witten" not in results:
        return  # the wrong-dpi case needs a Leptonica sample (see _need)
    _t, _img, witten = results["witten"]  # the file says 1200 dpi for a 2293-px-wide journal page
    assert witten.dpi_rule != "device"
    assert 150 <= witten.effective_dpi <= 400


def test_black_scanner_bars_are_removed(results: dict[str, tuple[dict, np.ndarray, PageResult]]) -> None:
    """Dark strips outside the paper are cropped when the page fills the frame."""
    present = [n for n in ("feyn", "contrast-orig-60") if n in results]
    if not present:
        _need(results, "feyn")
    for name in present:
        t, _img, r = results[name]
        assert r.quad is not None, name
        assert _jaccard(t, r) >= 0.94, name
        right = r.image[:, -max(2, r.image.shape[1] // 100):]
        assert float(np.median(right)) > 100, f"{name}: the dark bar is still at the right edge"


def test_kept_whole_means_told(results: dict[str, tuple[dict, np.ndarray, PageResult]]) -> None:
    """A photographed page that could not be outlined is kept whole and the officer is told."""
    for name, (t, _img, r) in results.items():
        if r.quad is None and not t["full_frame"] and t["class"] == "camera":
            assert WARN_PAGE_NOT_FOUND in r.warnings, name


@pytest.mark.parametrize("name", ["receipt_rossmann_20052020_03_01733", "receipt_dm_18052020_03_00355", "hwocr_test5"])
def test_slips_on_the_glass_and_sheets_on_cloth_are_outlined(
        results: dict[str, tuple[dict, np.ndarray, PageResult]], name: str) -> None:
    """Real receipts laid in the corner of the glass (dark lid, grey card) are cropped to themselves,
    and a phone photo of a sheet on patterned cloth is found. (Known failures, not pinned here: the
    same receipts on grey card when longer, on a white lid, and a card held in a hand; see
    docs/scan-evaluation.md, "More real images".)"""
    _need(results, name)
    t, _img, r = results[name]
    assert r.quad is not None and WARN_PAGE_NOT_FOUND not in r.warnings, (name, r.warnings)
    assert _jaccard(t, r) >= 0.95, (name, _jaccard(t, r))

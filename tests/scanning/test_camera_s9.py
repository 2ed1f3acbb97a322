"""Open spreads cropped to a leaf without a word (issue #13, session 9, camera).

A booklet photographed open, one leaf running off the photo or crossed by a shadow's edge: the
masks and the edges found a closed outline whose one side was the fold or the shadow's edge, and
the crop kept one leaf and a part (gen2 cam_spread#108 J 0.56, silent). Such a side is no cut
edge of a sheet — paper as light lies beyond the fold, paper in shade beyond a soft edge — and
the sheet's sides beside it run on past it with paper inside (``_outline._leaf_runs_on``); the
outline is carried on as far as they do, to the frame (then "cut off" is said). Scenes come from
``bench/scan_eval/gen3.py`` (``CAM9_SCENES``, page finding's tuning set).
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from bench.scan_eval import gen3
from counter_app.scanning import _outline as ol
from counter_app.scanning.pipeline import WARN_PAGE_CUT_OFF, PipelineOptions, process_page
from tests.scanning.test_page_finding import _overlap

_FAST = PipelineOptions(orient=False, detect_blank=False, deskew=False)


def _spread_lab(shade: float) -> tuple[np.ndarray, ol._Candidate]:
    """A Lab image (300 × 400): an open spread (two leaves of 200, a grey gutter between) on a dark
    desk, its left leaf running off the frame's left side, the outer part of that leaf (x < 60)
    in a soft shadow ``shade`` as light; and the outline of the rest (the lit part)."""
    h, w = 300, 400
    bgr = np.full((h, w, 3), (60, 70, 80), np.float32)
    bgr[60:240, 0:360] = 235.0
    bgr[60:240, 175:185] = 190.0  # the gutter's shade
    x = np.arange(w, dtype=np.float32)[None, :]
    m = 1 / (1 + np.exp(np.clip((x - 60) / 3.0, -30, 30)))  # 1 left of x = 60, a 13 px ramp
    bgr *= (1 - (1 - shade) * m)[..., None]
    lab = cv2.cvtColor(np.clip(bgr, 0, 255).astype(np.uint8), cv2.COLOR_BGR2LAB)
    lit = np.array([[60, 60], [359, 60], [359, 239], [60, 239]], np.float64)
    return lab, ol._Candidate(lit, 1.0, float(cv2.contourArea(lit.astype(np.float32))) / (h * w))


def test_a_shadow_edge_across_a_leaf_is_carried_to_the_frame() -> None:
    """The lit part's left side is a shadow's edge; the spread's top and bottom run on past it to
    the frame: the outline reaches the frame (and the page is then told cut off)."""
    lab, lit = _spread_lab(shade=0.55)
    grown = ol._leaf_runs_on(lab, lit)
    assert grown is not None
    assert grown.quad[:, 0].min() <= 0.5
    assert abs(grown.quad[:, 0].max() - 359) <= 1
    assert np.allclose(sorted(grown.quad[:, 1]), [60, 60, 239, 239], atol=1.0)


def test_a_sheets_own_edge_is_not_carried_on() -> None:
    """The same page lit all over, its outline the whole sheet: every side is a sharp step to the
    desk, nothing runs on past it."""
    lab, _ = _spread_lab(shade=1.0)
    lab = lab.copy()
    lab[:, :20] = lab[0, 399]  # desk left of the page (x < 20): the page no longer runs off
    page = np.array([[20, 60], [359, 60], [359, 239], [20, 239]], np.float64)
    assert ol._leaf_runs_on(lab, ol._Candidate(page, 1.0, 0.5)) is None
    paper = ol._paperness(lab)
    assert not ol._no_sheet_edge(paper, page[3], page[0], page.mean(axis=0), 4.0)
    # The gutter is no edge of a sheet: the other leaf lies beyond it, as light.
    leaf = np.array([[180, 60], [359, 60], [359, 239], [180, 239]], np.float64)
    assert ol._no_sheet_edge(paper, leaf[3], leaf[0], leaf.mean(axis=0), 4.0)


@pytest.mark.parametrize(("index", "was"), [(0, 0.62), (3, 0.46)])
def test_spread_with_a_shadowed_outer_leaf_is_not_cropped_to_a_part(index: int, was: float) -> None:
    """gen3 photo_spread_edge_shade: the outer leaf reaches the frame and a shadow's edge (seed 0)
    or the fold (seed 3) bounded the outline. J was ``was``, silent; now the spread."""
    page = gen3.generate_page(11, index, 100, "photo_spread_edge_shade")
    small = cv2.resize(page.image, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    truth = dict(page.truth, size=[small.shape[1], small.shape[0]],
                 quad=(np.asarray(page.truth["quad"], np.float64) * 0.5).tolist())
    res = process_page(small, 300, _FAST, dpi_trusted=False)
    assert res.quad is not None, res.warnings
    assert _overlap(res, truth) >= 0.95


def test_close_up_running_off_three_sides_is_not_grown_over_the_frame() -> None:
    """A close-up's one edge: both its neighbours lie on the frame, nothing is measured to run on
    (the page was grown to the whole frame and kept silently, J 0.71, in a first try)."""
    page = gen3.generate_page(23, 2, 100, "photo_off_three")
    small = cv2.resize(page.image, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    truth = dict(page.truth, size=[small.shape[1], small.shape[0]],
                 quad=(np.asarray(page.truth["quad"], np.float64) * 0.5).tolist())
    res = process_page(small, 300, _FAST, dpi_trusted=False)
    assert _overlap(res, truth) >= 0.95
    assert WARN_PAGE_CUT_OFF in res.warnings

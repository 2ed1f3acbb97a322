"""A page photographed lying on another sheet or a folder (issue #13, session 12, camera).

The page and the sheet under it are one paper blob, and the edge search's largest quad mixed
their sides (gen7 phone_on_pile, J 0.75–0.88). ``_outline._top_sheet`` picks the sheet on top: a
quad of sharp paper edges inside the outline that holds all the print, the rest blank and darker.
The images are drawn here (not gen7's renderer): a dark desk, a sheet under the page turned its
own way, a page with text lines and a drop shadow.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from counter_app.scanning import _outline as ol


def _jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of two convex quads."""
    inter, _ = cv2.intersectConvexConvex(a.astype(np.float32), b.astype(np.float32))
    union = cv2.contourArea(a.astype(np.float32)) + cv2.contourArea(b.astype(np.float32)) - inter
    return float(inter / union)


def _fill(img: np.ndarray, quad: np.ndarray, colour: tuple[int, int, int]) -> None:
    cv2.fillConvexPoly(img, np.round(quad * 16).astype(np.int32), colour, lineType=cv2.LINE_AA, shift=4)


def _page_on_sheet(under: tuple[int, int, int], seed: int, text: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """A 400 × 533 photo: a dark-brown desk, a sheet of colour ``under`` turned 9° and shifted,
    an A4-shaped white page turned -4° on it (its shadow falling right and down), text lines on
    the page; returns the BGR image and the page's quad."""
    h, w = 533, 400
    rng = np.random.default_rng(seed)
    img = np.zeros((h, w, 3), np.uint8)
    img[:] = (30, 45, 70)
    img = (img.astype(np.float32) + rng.normal(0, 4, (h, w, 1))).clip(0, 255).astype(np.uint8)
    page = cv2.boxPoints(((190.0, 250.0), (210.0, 297.0), -4.0)).astype(np.float64)
    sheet = cv2.boxPoints(((225.0, 290.0), (210.0, 297.0), 9.0)).astype(np.float64)
    _fill(img, sheet, under)
    shadow = np.zeros((h, w), np.float32)
    cv2.fillConvexPoly(shadow, np.round(page + np.array([4.0, 5.0])).astype(np.int32), 1.0)
    shadow = cv2.GaussianBlur(shadow, (0, 0), 4.0)
    img = (img.astype(np.float32) * (1 - 0.35 * shadow[..., None])).astype(np.uint8)
    _fill(img, page, (246, 248, 248))
    if text:
        # text lines inside the page, following its turn
        c, ang = page.mean(axis=0), np.radians(-4.0)
        rot = np.array([[np.cos(ang), -np.sin(ang)], [np.sin(ang), np.cos(ang)]])
        for y in range(-120, 120, 11):
            x = -80.0
            while x < 70.0:  # words of 6–20 px, gaps of 7
                n = float(rng.uniform(6, 20))
                p1, p2 = c + rot @ np.array([x, float(y)]), c + rot @ np.array([min(x + n, 80.0), float(y)])
                cv2.line(img, tuple(int(v) for v in np.round(p1)), tuple(int(v) for v in np.round(p2)),
                         (50, 50, 50), 2)
                x += n + 7
    img = cv2.GaussianBlur(img, (0, 0), 0.7)
    img = (img.astype(np.float32) + rng.normal(0, 2, img.shape)).clip(0, 255).astype(np.uint8)
    return img, ol.order_quad(page)


@pytest.mark.parametrize("under", [(226, 230, 232), (60, 150, 210)], ids=["white_sheet", "orange_folder"])
def test_page_on_another_sheet_is_the_page(under: tuple[int, int, int], monkeypatch: pytest.MonkeyPatch) -> None:
    """The page on top is found, not the page and the sheet under it together; without
    ``_top_sheet`` the outline takes in the sheet under it (so this test can fail)."""
    img, truth = _page_on_sheet(under, 3)
    found = ol.find_page(img)
    assert found is not None and _jaccard(found.quad, truth) >= 0.95
    monkeypatch.setattr(ol, "_top_sheet", lambda bgr, lab, chosen: None)
    without = ol.find_page(img)
    assert without is None or _jaccard(without.quad, truth) < 0.93


def test_blank_page_on_a_sheet_is_not_split(monkeypatch: pytest.MonkeyPatch) -> None:
    """With no print on the page there is nothing to say which sheet is on top: ``_top_sheet`` is
    asked (the outline holds both sheets) and declines."""
    img, _ = _page_on_sheet((226, 230, 232), 4, text=False)
    answers = []
    real = ol._top_sheet

    def spy(bgr: np.ndarray, lab: np.ndarray, chosen: ol._Candidate) -> ol._Candidate | None:
        answers.append(real(bgr, lab, chosen))
        return answers[-1]

    monkeypatch.setattr(ol, "_top_sheet", spy)
    ol.find_page(img)
    assert answers == [None]


def test_printed_frame_on_a_soft_photo_is_not_a_sheet() -> None:
    """A form whose printed frame (a thick rule inset from the paper's edge) holds all its print,
    photographed slightly out of focus: the frame's sides are ramps, not cut edges, and the band
    outside it is the page's own paper — no sheet on top of another."""
    h, w = 533, 400
    img = np.zeros((h, w, 3), np.uint8)
    img[:] = (40, 55, 80)
    page = np.array([[70.0, 60.0], [330.0, 60.0], [330.0, 470.0], [70.0, 470.0]])
    _fill(img, page, (240, 242, 242))
    cv2.rectangle(img, (88, 78), (312, 452), (60, 60, 60), 3)
    for y in range(100, 440, 12):
        cv2.line(img, (100, y), (300, y), (50, 50, 50), 2)
    img = cv2.GaussianBlur(img, (0, 0), 2.0)
    found = ol.find_page(img)
    assert found is not None and _jaccard(found.quad, page) >= 0.95

"""A photo pasted into a black canvas (issue #13, session 13, camera).

Phone pictures often arrive letterboxed: the photo in the middle of a larger black canvas (a
gallery export, a screenshot). The canvas is no desk: against it the whole photo — desk included
— read as the page (real3 di_receipt_fr_on_wood J 0.50, di_receipt_tips_on_wood 0.71), or nothing
was found and a black band stayed in the output, flagged only «blur» (tx_application_photo 0.72).
``pipeline._black_padding`` finds the canvas; a page not found clear of it is looked for in the
photo alone. The scenes are drawn here; the real frames run when the real3 cache is present.
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from bench.scan_eval.run import DEFAULT_CACHE, REAL3_TRUTH, _read_image
from counter_app.scanning.pipeline import _black_padding, process_page


def _iou(a: np.ndarray, b: np.ndarray, shape: tuple[int, ...]) -> float:
    """Overlap of two polygons (any number of corners) in a frame of ``shape``."""
    ma = np.zeros(shape[:2], np.uint8)
    mb = np.zeros(shape[:2], np.uint8)
    cv2.fillPoly(ma, [np.round(a).astype(np.int32)], 1)
    cv2.fillPoly(mb, [np.round(b).astype(np.int32)], 1)
    return float(np.count_nonzero(ma & mb)) / max(1.0, float(np.count_nonzero(ma | mb)))


def _receipt_on_wood(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A 300 × 400 photo: a light, grained wooden desk, a white till receipt (~35 % of the width)
    turned 2° with text lines; returns the BGR photo and the receipt's quad."""
    h, w = 400, 300
    rng = np.random.default_rng(seed)
    x = np.arange(w, dtype=np.float32)[None, :]
    y = np.arange(h, dtype=np.float32)[:, None]
    grain = 10 * np.sin(x / 3.1 + 2.0 * np.sin(y / 37.0)) + 6 * np.sin(x / 11.0)
    img = np.empty((h, w, 3), np.float32)
    for ch, base in enumerate((150.0, 178.0, 205.0)):
        img[..., ch] = base + grain + rng.normal(0, 3, (h, w))
    quad = cv2.boxPoints(((150.0, 200.0), (110.0, 320.0), 2.0)).astype(np.float64)
    cv2.fillConvexPoly(img, np.round(quad).astype(np.int32), (238, 240, 241))
    c, ang = quad.mean(axis=0), np.radians(2.0)
    rot = np.array([[np.cos(ang), -np.sin(ang)], [np.sin(ang), np.cos(ang)]])
    for yy in range(-130, 130, 12):
        x0, x1 = -40.0, float(rng.uniform(0, 40))
        p1, p2 = c + rot @ np.array([x0, float(yy)]), c + rot @ np.array([x1, float(yy)])
        cv2.line(img, tuple(int(v) for v in np.round(p1)), tuple(int(v) for v in np.round(p2)), (60, 60, 60), 2)
    img = cv2.GaussianBlur(img, (0, 0), 0.8)
    return img.clip(0, 255).astype(np.uint8), quad


def _on_canvas(photo: np.ndarray, left: int, top: int, width: int, height: int) -> np.ndarray:
    canvas = np.zeros((height, width, 3), np.uint8)
    canvas[top:top + photo.shape[0], left:left + photo.shape[1]] = photo
    return canvas


def test_the_canvas_is_found_and_a_black_desk_is_not_one() -> None:
    """The photo's rectangle inside pure-black bars; but a page on a black desk (its corner alone
    touches the black's bounding box) and a frame without bars have no canvas."""
    photo, _ = _receipt_on_wood(1)
    canvas = _on_canvas(photo, 170, 0, 640, 400)
    assert _black_padding(canvas) == (170, 0, 470, 400)
    assert _black_padding(photo) is None
    desk = np.zeros((400, 640, 3), np.uint8)
    page = cv2.boxPoints(((320.0, 200.0), (220.0, 310.0), 8.0)).astype(np.int32)
    cv2.fillConvexPoly(desk, page, (235, 238, 240))
    assert _black_padding(desk) is None


@pytest.mark.parametrize("seed", [1])
def test_a_receipt_on_wood_in_a_letterboxed_photo_is_cropped_to_the_receipt(seed: int) -> None:
    """The receipt, not the photo: before, the photo's wood was kept with it (the canvas read as a
    dark desk around a light "page")."""
    photo, quad = _receipt_on_wood(seed)
    canvas = _on_canvas(photo, 170, 0, 640, 400)
    res = process_page(canvas, 150, dpi_trusted=False)
    assert res.quad is not None, res.warnings
    assert _iou(res.quad, quad + np.array([170.0, 0.0]), canvas.shape) >= 0.9


def test_a_page_filling_the_photo_keeps_its_printed_border() -> None:
    """A scan pasted on a canvas: the page is the photo; the printed frame near its edge is no
    page's edge (real3 di_marriage_licence_scan went from J 0.95 to 0.88 without this rule)."""
    rng = np.random.default_rng(3)
    page = np.full((420, 300, 3), 236, np.uint8)
    cv2.rectangle(page, (12, 12), (287, 407), (150, 60, 20), 6)  # a certificate's blue border
    for yy in range(50, 380, 14):
        cv2.line(page, (40, yy), (40 + int(rng.uniform(120, 220)), yy), (40, 40, 40), 2)
    canvas = _on_canvas(page, 190, 0, 680, 420)
    res = process_page(canvas, 150, dpi_trusted=False)
    photo = np.array([[190, 0], [490, 0], [490, 420], [190, 420]], np.float64)
    got = photo if res.quad is None else res.quad
    assert _iou(got, photo, canvas.shape) >= 0.95


@pytest.mark.parametrize("name, least", [("di_receipt_fr_on_wood", 0.93), ("tx_application_photo", 0.97)])
def test_real_letterboxed_photos(name: str, least: float) -> None:
    """real3: two receipts photographed on wood in a pillarboxed picture (J 0.50 / 0.71 before) and
    a form above a black band (0.72, the band kept and flagged only «blur»)."""
    pages = json.loads(Path(REAL3_TRUTH).read_text(encoding="utf-8"))["pages"]
    t = next(v for v in pages.values() if v["name"] == name)
    path = DEFAULT_CACHE / "real3" / t["file"]
    if not path.exists():
        pytest.skip("real3 cache absent (python -m bench.scan_eval.fetch_real3)")
    img, dpi = _read_image(path)  # as the evaluation reads it: the file's own dpi, if any
    res = process_page(img, dpi or 300, dpi_trusted=dpi is not None)
    assert res.quad is not None, res.warnings
    assert _iou(res.quad, np.asarray(t["quad"], np.float64), img.shape) >= least

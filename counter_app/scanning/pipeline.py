"""Page pipeline: find the page, deskew, turn upright, flag blank pages (issue part 2).

``process_page(image, dpi)`` takes one acquired frame (BGR uint8) and returns a
:class:`PageResult`. All measurements run on a small analysis copy (about 1000 px on the long
side); the full-resolution image is touched once, by a single combined warp
(perspective crop × deskew × quarter-turn), which is what keeps the pipeline within twice the
cost of a JPEG decode + encode of the same page. Colour is never reduced (red seals stay red:
DOMAIN §6).

Stages (all but the last on the analysis copy):

1. page outline: lid/desk colour modelled from the frame's outer ring (a plane in Lab), a
   "not background" mask and a "bright" mask (Otsu) give blob candidates; the most rectangular
   wins; its sides are then re-located to sub-pixel precision along normal profiles;
2. the page is rectified into a small grey copy; ink = darkness below the local paper level;
3. blank: no glyph-sized (≥ 1.6 mm), clearly dark mark outside the margins — bleed-through is
   too faint, scanner noise and dust too small, a single page-number digit is enough to keep;
4. skew: projection-profile energy of the ink points (per column strip; solid masses and tall
   lines left out), coarse-to-fine down to 0.01° with parabolic interpolation, for horizontal
   and vertical lines (pages fed sideways; the sharper peak wins); a text-line estimator as
   second opinion; neither sure → left as is with ``skew_unsure``;
5. orientation: vertical lines → a quarter turn; upside down when the ink mass below the
   x-height band clearly outweighs the mass above it (capitals, ascenders and Vietnamese
   diacritics sit above, few descenders below); weak evidence → Tesseract's OSD if installed,
   else not applied and ``orientation_unsure``;
6. one warp of the full image.

Doubts are never silent (issue #13): ``page_not_found``, ``skew_unsure``, ``orientation_unsure``
and ``dpi_unknown`` join the quality warnings; :func:`describe_warning` words them for the
officer. Without a trustworthy dpi the page's size is inferred (:func:`infer_dpi`).

Conventions: ``quad`` is TL, TR, BR, BL of the page in input pixel coordinates (pixel centres
at integers) or ``None`` when the page fills the frame; ``skew_deg`` is the detected skew of the
content, positive = counter-clockwise; ``orientation`` is the clockwise quarter-turn applied so
the text reads upright.
"""

from __future__ import annotations

import logging
import math
import numbers
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import TypeVar

import cv2
import numpy as np

from counter_app.errors import ValidationError
from counter_app.scanning import _analysis as an
from counter_app.scanning import _outline as ol
from counter_app.scanning._card import card_within, cards_layout, mrz_turn, printed_cards_turn
from counter_app.scanning._cc import components_with_stats
from counter_app.scanning._osd import tesseract_orientation

__all__ = [
    "KNOWN_SIZES_MM",
    "WARNING_SHORT",
    "WARNING_TEXT",
    "WARN_BLUR",
    "WARN_DPI_UNKNOWN",
    "WARN_LOW_RESOLUTION",
    "WARN_ORIENTATION_UNSURE",
    "WARN_PAGE_CUT_OFF",
    "WARN_PAGE_NOT_FOUND",
    "WARN_PRINT_OUTSIDE",
    "WARN_SKEW_UNSURE",
    "WARN_TOO_DARK",
    "PageImageError",
    "PageResult",
    "PipelineOptions",
    "describe_warning",
    "infer_dpi",
    "process_page",
]

log = logging.getLogger(__name__)

WARN_BLUR = "blur"
WARN_TOO_DARK = "too_dark"
WARN_LOW_RESOLUTION = "low_resolution"
WARN_PAGE_CUT_OFF = "page_cut_off"
WARN_PAGE_NOT_FOUND = "page_not_found"  # kept whole: no page edge found, the frame is no paper size
WARN_SKEW_UNSURE = "skew_unsure"  # text found but its direction is uncertain: not straightened
WARN_ORIENTATION_UNSURE = "orientation_unsure"  # a quarter/half turn is a guess or was not applied
WARN_DPI_UNKNOWN = "dpi_unknown"  # no trustworthy dpi and no known paper size: physical size unsure
WARN_PRINT_OUTSIDE = "print_outside"  # a document cut from a glass, with more print left beside it

# What the officer reads on the thumbnail (never the internal code).
WARNING_TEXT: dict[str, str] = {
    WARN_BLUR: "Ảnh mờ — nên quét lại",
    WARN_TOO_DARK: "Ảnh quá tối — nên quét lại",
    WARN_LOW_RESOLUTION: "Độ phân giải dưới 200 dpi",
    WARN_PAGE_CUT_OFF: "Trang bị cắt mất mép — kiểm tra lại",
    WARN_PAGE_NOT_FOUND: "Không tìm thấy mép giấy — đã giữ nguyên cả ảnh, hãy chỉnh góc",
    WARN_SKEW_UNSURE: "Chưa chắc trang đã thẳng — hãy xem lại",
    WARN_ORIENTATION_UNSURE: "Chưa chắc chiều trang — bấm R để xoay nếu sai",
    WARN_DPI_UNKNOWN: "Không rõ khổ giấy thật — kiểm tra kích thước",
    WARN_PRINT_OUTSIDE: "Còn chữ in ngoài vùng đã cắt — có thể thiếu một phần giấy tờ, hãy chỉnh góc",
}


# Short forms for a 150-px thumbnail caption.
WARNING_SHORT: dict[str, str] = {
    WARN_BLUR: "Mờ",
    WARN_TOO_DARK: "Quá tối",
    WARN_LOW_RESOLUTION: "Dưới 200 dpi",
    WARN_PAGE_CUT_OFF: "Mất mép",
    WARN_PAGE_NOT_FOUND: "Chưa thấy mép giấy",
    WARN_SKEW_UNSURE: "Có thể còn nghiêng",
    WARN_ORIENTATION_UNSURE: "Chiều? (R để xoay)",
    WARN_DPI_UNKNOWN: "Khổ giấy?",
    WARN_PRINT_OUTSIDE: "Chữ ngoài vùng cắt",
}


def describe_warning(code: str, short: bool = False) -> str:
    """Plain Vietnamese for a warning code (an unknown code gets a generic sentence, not itself)."""
    if short:
        return WARNING_SHORT.get(code, "Cần xem lại")
    return WARNING_TEXT.get(code, "Trang cần xem lại")


# Pixel density at which text-edge sharpness is judged (an A4 page's analysis copy is 75–150 dpi).
SHARPNESS_DPI = 100.0

# Paper sizes an officer digitises (mm, portrait), in order of preference when only the aspect
# ratio tells them apart (A4, A5 and A6 share √2: a document with no dpi is taken as A4).
KNOWN_SIZES_MM: dict[str, tuple[float, float]] = {
    "A4": (210.0, 297.0),
    "Letter": (215.9, 279.4),
    "ID-1": (53.98, 85.6),  # CCCD / ID card (ISO/IEC 7810 ID-1)
    "A5": (148.0, 210.0),
    "A6": (105.0, 148.0),
    "Legal": (215.9, 355.6),
}
# Flatbed glasses: a frame of this shape without a dpi is taken as the whole bed (its long side
# gives the scale). Legal (8.5 × 14 in) is the long glass of many office scanners.
SCANNER_BEDS = ("A4", "Letter", "Legal")
# Till-roll receipts (thermal printers): their length is free, their width is one of these.
RECEIPT_WIDTHS_MM = (57.0, 80.0)
# A stated dpi outside this range is not believed (cameras write 72, some TIFFs 1 or 96000).
PLAUSIBLE_DPI = (100, 1200)


class PageImageError(ValidationError):
    """The frame handed to the pipeline is not a usable image."""


# Shortest side of the smallest real document (an ID card is 85.6 × 54 mm), with a margin for a
# wrongly reported dpi.
MIN_DOCUMENT_MM = 40.0

@dataclass(frozen=True)
class PipelineOptions:
    """Switches and thresholds; the defaults are what the counter uses."""

    detect_page: bool = True
    deskew: bool = True
    orient: bool = True
    detect_blank: bool = True
    analysis_side: int = 850  # long side of the analysis copy is between this and 2× this
    max_skew_deg: float = 12.0  # the issue asks for ±10°; a little margin
    min_skew_deg: float = 0.03  # below this the page is not rotated (no needless resampling)
    ink_threshold: int = 40  # grey levels below the local paper level that count as ink
    blank_ink_threshold: int = 55  # stricter for blankness: bleed-through stays below it
    blank_max_glyphs: int = 0  # a page with more glyph-sized marks than this is kept
    keep_faint_marks: bool = True  # a blank-looking page with a faint drawn stroke (pencil) is kept
    orientation_min_evidence: float = 0.12  # |asymmetry| for a sure decision (generated pages ≥ 0.18)
    orientation_flip_evidence: float = 0.25  # … to turn an upright-reading page by 180° or pick 90° vs 270°
    orientation_photo_evidence: float = 0.3  # … either way on a photographed page (:func:`_photographed`)
    orientation_min_lines: int = 4  # text lines behind it
    orientation_view_evidence: float = 0.05  # each of a photo's two view cues (pipeline._orientation)
    orientation_sideways_min_lines: int = 20  # fewer lines found sideways: axis checked (gen3_text ORI2_SCENES)
    use_tesseract: bool = True  # second opinion on unsure orientation when `tesseract` is installed
    osd_timeout_s: float = 4.0  # Tesseract's CPU seconds (its own clock: the answer must not depend on load)
    osd_wall_s: float = 30.0  # … given up on the wall clock only after this long without using CPU (hung)
    osd_window: int = 1600  # px at ~300 dpi around the text for Tesseract (a third of an A4 page) …
    osd_dpi: float = 225.0  # … handed to it reduced to this resolution (fewer, cleaner pixels)
    osd_min_confidence: float = 2.0  # Tesseract's "Orientation confidence" needed to follow it
    osd_axis_confidence: float = 4.0  # … to turn a page found sideways back across (flagged)
    osd_slip_confidence: float = 0.5  # … to turn a narrow slip, which we cannot judge ourselves (flagged)
    min_dpi: int = 200  # DOMAIN §6: at least 200 dpi
    dark_paper_level: int = 110  # paper darker than this (0-255) → "too_dark"
    blur_sharpness: float = 0.9  # text-edge sharpness below this → "blur" (≈ Gaussian blur σ 0.3 mm)
    max_pixels: int = 200_000_000  # larger frames are refused (A3 at 600 dpi is ~70 Mpx)


@dataclass
class PageResult:
    """What the pipeline did to one page and what it found."""

    image: np.ndarray  # processed page, BGR uint8
    quad: np.ndarray | None  # 4×2 float64, TL TR BR BL in input pixels; None = fills the frame
    skew_deg: float  # detected skew, counter-clockwise positive
    orientation: int  # clockwise quarter-turn applied: 0, 90, 180 or 270
    blank: bool
    warnings: list[str] = field(default_factory=list)
    effective_dpi: float = 0.0
    skew_confident: bool = False
    orientation_confident: bool = False
    dpi_rule: str = "device"  # how effective_dpi was set: device, size:<name>, bed:<name>, assumed


# --------------------------------------------------------------------------- input checks


def _as_bgr(image: object, max_pixels: int) -> np.ndarray:
    """Validate the frame and bring grey / BGRA frames to BGR; anything else is refused."""
    if not isinstance(image, np.ndarray):
        raise PageImageError("Dữ liệu ảnh trang không hợp lệ.", hint="Hãy quét lại trang.")
    if image.dtype != np.uint8:
        raise PageImageError(f"Ảnh trang có kiểu dữ liệu {image.dtype} không được hỗ trợ (cần ảnh 8 bit).",
                             hint="Hãy đặt máy quét ở chế độ màu 24 bit rồi quét lại.")
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] not in (3, 4)):
        raise PageImageError(f"Ảnh trang có kích thước {image.shape} không hợp lệ.",
                             hint="Hãy quét lại trang.")
    h, w = image.shape[:2]
    if h < 32 or w < 32:
        raise PageImageError("Ảnh trang rỗng hoặc quá nhỏ.", hint="Hãy kiểm tra máy quét rồi quét lại.")
    if max(h, w) > 20 * min(h, w):
        raise PageImageError(f"Ảnh trang có tỉ lệ bất thường ({w}×{h} điểm ảnh).",
                             hint="Hãy kiểm tra khổ giấy trong cài đặt máy quét rồi quét lại.")
    if h * w > max_pixels or max(h, w) > 60000:
        raise PageImageError(f"Ảnh trang quá lớn ({w}×{h} điểm ảnh).",
                             hint="Hãy quét với độ phân giải 300 dpi.")
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    return image


# --------------------------------------------------------------------------- geometry


def _to_full(pts: np.ndarray, k: int) -> np.ndarray:
    """Analysis pixel → input pixel for an integer INTER_AREA reduction by ``k``."""
    return (pts + 0.5) * k - 0.5


def _cut_page_square(quad: np.ndarray, w: int, h: int) -> np.ndarray | None:
    """A scanned page that runs off the frame, as the rectangle its own seen sides give.

    Where the page leaves the glass, the outline's side lies along the frame's border, not along
    the paper's edge. Mapped as a quad, such a side shears the page: its text lines fan out and
    the skew reported is off by up to the page's tilt (issue #13, found on the held-out gen5's
    lid-open tilted pages: −5.23° reported for a page tilted −4.11°). A scan has no perspective,
    so the page is the rectangle at the angle of its sides that are paper (those not along a
    border), holding the whole outline. ``None`` when there is nothing to square: no side along
    a border or every such side square with the paper (a page laid against the glass's edge),
    too little paper side seen, or paper sides that disagree (a photo's perspective).
    """
    tol = 0.012 * max(w, h)
    borders = (lambda p: p[0] + 0.5, lambda p: w - 0.5 - p[0], lambda p: p[1] + 0.5, lambda p: h - 0.5 - p[1])
    paper: list[np.ndarray] = []  # the sides that are paper, as vectors
    along: list[np.ndarray] = []  # the sides that lie along the frame's border
    for i in range(4):
        a, b = quad[i], quad[(i + 1) % 4]
        (along if any(f(a) <= tol and f(b) <= tol for f in borders) else paper).append(b - a)
    if not along or not paper or sum(float(np.hypot(*d)) for d in paper) < 0.25 * min(w, h):
        return None
    tilt = ol.sides_angle(paper)
    if any(_off_square(d, tilt) > 0.5 for d in paper):
        return None  # the paper's own sides are not square to each other: a photo, not a scan
    if all(_off_square(d, tilt) <= 0.3 for d in along):
        return None  # the border sides run with the paper: its own edges, laid against the glass's
    return _box_at(quad, tilt)


def _off_square(d: np.ndarray, tilt: float) -> float:
    """How far (degrees) the side vector ``d`` is from square with a sheet tilted ``tilt``."""
    return abs((math.degrees(math.atan2(-d[1], d[0])) - tilt + 45.0) % 90.0 - 45.0)


def _box_at(quad: np.ndarray, tilt: float) -> np.ndarray:
    """The rectangle at ``tilt`` (counter-clockwise degrees) that holds the whole outline."""
    centre = quad.mean(axis=0)
    # Into the page's own axes (undo its tilt), box the outline, and back.
    to_page = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), -tilt, 1.0)
    pts = quad @ to_page[:, :2].T + to_page[:, 2]
    x0, y0 = pts.min(axis=0)
    x1, y1 = pts.max(axis=0)
    box = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float64)
    back = cv2.invertAffineTransform(to_page)
    return np.asarray(box @ back[:, :2].T + back[:, 2], np.float64)


# A side this far (degrees) off the other three, which agree within FOLD_SQUARE_AGREE: a folded
# corner's diagonal (a dog-ear) or a crease pulled the fit there, not the paper's edge.
FOLD_SQUARE_OFF = (0.5, 20.0)
FOLD_SQUARE_AGREE = 0.3


def _folded_corner_square(quad: np.ndarray) -> np.ndarray | None:
    """A scanned sheet's outline with one side pulled off square (a dog-eared corner), as the
    rectangle its three square sides give; ``None`` when there is nothing to square.

    A scan has no perspective: what lies on the glass is a rectangle. A folded-over corner cuts
    a diagonal off it; the fitted side then runs from the fold to the far corner, a degree or more
    off its opposite side, and the warp shears the page (issue #13, gen6 stapled_fold_lid: the
    output's lines left −0.68° and −0.93° off level, in silence; gen3 ``stapled_fold_lid`` up to
    −3°). The three sides that agree give the sheet's angle; the rectangle at that angle that
    holds the whole outline runs the fourth side through its outer end (the true corner).
    """
    sides = [quad[(i + 1) % 4] - quad[i] for i in range(4)]
    for bad in range(4):
        good = [sides[i] for i in range(4) if i != bad]
        tilt = ol.sides_angle(good)
        if all(_off_square(d, tilt) <= FOLD_SQUARE_AGREE for d in good) and \
                FOLD_SQUARE_OFF[0] < _off_square(sides[bad], tilt) <= FOLD_SQUARE_OFF[1]:
            return _box_at(quad, tilt)
    return None


def _rect(w: float, h: float) -> np.ndarray:
    return np.array([[-0.5, -0.5], [w - 0.5, -0.5], [w - 0.5, h - 0.5], [-0.5, h - 0.5]], np.float32)


def _quarter_turn(o: int, w: int, h: int) -> tuple[np.ndarray, tuple[int, int]]:
    """Matrix of a clockwise quarter-turn of a w×h raster, and the new size."""
    if o == 90:
        return np.array([[0, -1, h - 1], [1, 0, 0], [0, 0, 1]], np.float64), (h, w)
    if o == 180:
        return np.array([[-1, 0, w - 1], [0, -1, h - 1], [0, 0, 1]], np.float64), (w, h)
    if o == 270:
        return np.array([[0, 1, 0], [-1, 0, w - 1], [0, 0, 1]], np.float64), (h, w)
    return np.eye(3), (w, h)


def _rotation(deg: float, w: int, h: int) -> np.ndarray:
    """Rotate content counter-clockwise by ``deg`` about the centre of a w×h raster."""
    m = cv2.getRotationMatrix2D(((w - 1) / 2, (h - 1) / 2), deg, 1.0)
    return np.vstack([m, [0, 0, 1]])


def _input_line_angle(h_page: np.ndarray, page_w: int, page_h: int, residual: float, vertical: bool) -> float:
    """Counter-clockwise angle in the input frame of text lines at ``residual``° on the rectified page.

    The line through the page centre is mapped back through the inverse of ``h_page``; for
    vertical lines (a page fed sideways) the angle is that of the line from the vertical, so it
    compares with the horizontal case modulo 90°.
    """
    r = np.radians(residual)
    d = np.array([np.sin(r), np.cos(r)]) if vertical else np.array([np.cos(r), -np.sin(r)])
    c = np.array([(page_w - 1) / 2, (page_h - 1) / 2])
    half = 0.25 * min(page_w, page_h)
    pts = np.array([c - half * d, c + half * d], np.float64).reshape(-1, 1, 2)
    a, b = cv2.perspectiveTransform(pts, np.linalg.inv(h_page)).reshape(2, 2)
    dx, dy = b - a
    # y grows downwards: a counter-clockwise turn of a horizontal line makes dy negative.
    deg = float(np.degrees(np.arctan2(dx, dy) if vertical else np.arctan2(-dy, dx)))
    return (deg + 45.0) % 90.0 - 45.0


def _paper_colour(small: np.ndarray, quad: np.ndarray | None) -> tuple[int, int, int]:
    """Median colour of the brightest half of the page: fills the corners a rotation uncovers."""
    if quad is not None:
        x0, y0 = np.maximum(quad.min(axis=0).astype(int), 0)
        x1, y1 = quad.max(axis=0).astype(int) + 1
        small = small[y0:y1, x0:x1]
    px = small.reshape(-1, 3)[:: max(1, small.size // 3 // 20000)]
    g = px.astype(np.int32).sum(axis=1)
    bright = px[g >= np.median(g)]
    if len(bright) == 0:
        return (255, 255, 255)
    c = np.median(bright, axis=0)
    return int(c[0]), int(c[1]), int(c[2])


def _warp(image: np.ndarray, m: np.ndarray, size: tuple[int, int], fill: tuple[int, int, int]) -> np.ndarray:
    """One resampling of the full-resolution image (affine when the perspective part is nil)."""
    w, h = size
    corners = _rect(w, h).astype(np.float64)
    inv = np.linalg.inv(m)
    src = np.hstack([corners, np.ones((4, 1))]) @ inv.T
    affine_src = np.hstack([corners, np.ones((4, 1))]) @ np.vstack([inv[:2] / inv[2, 2], [0, 0, 1]]).T
    # Straight on the 3 channels: with OpenCV 5 the same warp of an A4 300-dpi page costs ~40 %
    # less CPU than padding to BGRA and back (once ~25 % cheaper), with identical pixels.
    if np.abs(src[:, :2] / src[:, 2:3] - affine_src[:, :2]).max() < 0.25:
        am = (m / m[2, 2])[:2]
        return cv2.warpAffine(image, am, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                              borderValue=fill)
    return cv2.warpPerspective(image, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                               borderValue=fill)


# --------------------------------------------------------------------------- physical size


def _size_match(w_px: float, h_px: float, names: tuple[str, ...], tol: float = 0.03) -> str | None:
    """The first known size in ``names`` whose aspect ratio matches w×h within ``tol``."""
    if min(w_px, h_px) <= 0:
        return None
    ratio = max(w_px, h_px) / min(w_px, h_px)
    for name in names:
        a, b = KNOWN_SIZES_MM[name]
        if abs(ratio / (max(a, b) / min(a, b)) - 1) <= tol:
            return name
    return None


def _size_is(long_mm: float, short_mm: float, names: tuple[str, ...], tol: float = 0.1) -> bool:
    """Is a long × short mm rectangle one of the named paper sizes, within ``tol``?"""
    for name in names:
        a, b = KNOWN_SIZES_MM[name]
        if abs(long_mm / max(a, b) - 1) <= tol and abs(short_mm / min(a, b) - 1) <= tol:
            return True
    return False


def _card_pair_sized(long_mm: float, short_mm: float) -> bool:
    """Two ID-1 cards side by side, long sides together (≈ 171–190 × 54 mm) or short sides
    together (≈ 108–125 × 85.6 mm), a few millimetres apart at most, within 8 % across."""
    card_long, card_short = max(KNOWN_SIZES_MM["ID-1"]), min(KNOWN_SIZES_MM["ID-1"])
    return ((2 * card_long * 0.98 <= long_mm <= 2 * card_long * 1.1 and abs(short_mm / card_short - 1) <= 0.08)
            or (2 * card_short * 0.98 <= long_mm <= 2 * card_short * 1.15 and abs(short_mm / card_long - 1) <= 0.08))


def _part_of_framed_card(quad: np.ndarray, w: int, h: int) -> bool:
    """Whether an outline is a part of an ID card that fills the frame (issue #13, session 12).

    A card scanned or cropped edge to edge has a dark band of its own (a licence's coloured
    header) that reads as the ground around a lighter "page" running off three sides of the
    frame: the card was cut to 0.80 of itself (real2 azure_driver_license_wv). A frame of ID-1's
    aspect, an outline running off three or four of its sides, and that outline no card's
    shape: the card is the frame.
    """
    if abs(max(w, h) / max(1, min(w, h)) / ID1_ASPECT - 1) > CARD_PHOTO_ASPECT_TOL:
        return False
    q = np.asarray(quad, np.float64)
    tol = 1.5
    sides = sum((bool((q[:, 0] <= tol).sum() >= 2), bool((q[:, 0] >= w - 1 - tol).sum() >= 2),
                 bool((q[:, 1] <= tol).sum() >= 2), bool((q[:, 1] >= h - 1 - tol).sum() >= 2)))
    qw = float(np.linalg.norm(q[1] - q[0]) + np.linalg.norm(q[2] - q[3])) / 2
    qh = float(np.linalg.norm(q[3] - q[0]) + np.linalg.norm(q[2] - q[1])) / 2
    card_shaped = abs(max(qw, qh) / max(1.0, min(qw, qh)) / ID1_ASPECT - 1) <= CARD_PHOTO_ASPECT_TOL
    return sides >= 3 and not card_shaped


def _bed_dpi(frame_w: int, frame_h: int) -> float | None:
    """The dpi of a frame shaped like a scanner bed (:data:`SCANNER_BEDS`), or None."""
    bed = _size_match(frame_w, frame_h, SCANNER_BEDS)
    return None if bed is None else max(frame_w, frame_h) / max(KNOWN_SIZES_MM[bed]) * 25.4


def _receipt_sized(long_mm: float, short_mm: float) -> bool:
    """A till roll's width (57 or 80 mm, ±10 %) and at least twice as long as wide (a slip of it)."""
    return long_mm >= 2 * short_mm and any(abs(short_mm / r - 1) <= 0.1 for r in RECEIPT_WIDTHS_MM)


def _document_sized(finding: ol.QuadFinding, scale: float, dpi: float, rolls: bool = True) -> bool:
    """Does what was found measure as a document a counter lays on the glass, at ``dpi``?

    ``scale`` takes the finding's (detection-copy) pixels to input pixels. A known paper size or
    an ID card (ISO/IEC 7810 ID-1), or a till roll's width; two cards on one glass (front and
    back, issue #13) are measured card by card — together they are no paper size. ``rolls``: a
    till roll's width counts (its length is free).
    """
    names = ("ID-1",) if finding.parts else ("ID-1", "A4", "Letter", "A5", "A6")
    for quad in finding.parts or (finding.quad,):
        q = (np.asarray(quad, np.float64) + 0.5) * scale
        sides = [float(np.linalg.norm(q[(i + 1) % 4] - q[i])) for i in range(4)]
        # Two adjacent sides, or the means of opposite ones: a sheet running off the frame has
        # one or two sides cut short, and either reading may be the whole one.
        for a, b in ((sides[0], sides[1]), ((sides[0] + sides[2]) / 2, (sides[1] + sides[3]) / 2)):
            long_mm, short_mm = max(a, b) / dpi * 25.4, min(a, b) / dpi * 25.4
            if _size_is(long_mm, short_mm, names) or (
                    rolls and not finding.parts and any(abs(short_mm / r - 1) <= 0.1 for r in RECEIPT_WIDTHS_MM)):
                break
        else:
            return False
    return True


# A frame within this of a paper size (each side) is a scan cropped to the page, not a glass: an
# A4 bed is 216 × 297 mm (2.9 % wider than A4); generated and real page-cropped scans measure
# within 1 % of their page.
PAGE_FRAME_TOL = 0.02
# … and a sheet covering most of a glass is cut only when its sides are square within this
# (degrees), or can be squared from its paper sides: the skew target is 0.1°.
SHEET_SQUARE_DEG = 0.3
SHEET_COVER_TOL = 0.02  # … and measures a paper size this closely between its own edges,
SHEET_COVER_CUT = 0.96  # … and at least this share of it across a side on the frame


def _page_frame(w_mm: float, h_mm: float) -> bool:
    """Is a frame of w × h mm the size of a page (A4, Letter, Legal, A5, A6), within
    :data:`PAGE_FRAME_TOL`?"""
    return _size_is(max(w_mm, h_mm), min(w_mm, h_mm), ("A4", "Letter", "Legal", "A5", "A6"), PAGE_FRAME_TOL)


def _whole_paper(quad: np.ndarray, px_per_mm: float, tol: float = 0.015) -> bool:
    """Does an outline measure as a whole paper size (A4, Letter, A5, A6), each side within
    ``tol``?"""
    ln = [float(np.linalg.norm(quad[(i + 1) % 4] - quad[i])) / px_per_mm for i in range(4)]
    a, b = (ln[0] + ln[2]) / 2, (ln[1] + ln[3]) / 2
    return _size_is(max(a, b), min(a, b), ("A4", "Letter", "A5", "A6"), tol)


def _sheet_sized(sheet: ol.FaintSheet, px_per_mm: float, frame: tuple[int, int], page_frame: bool = False) -> bool:
    """Does a sheet found on a light lid (:func:`ol.faint_sheet`) measure as a document?

    A paper size (A4, Letter, A5, A6) within 6 %, or a till roll's width
    (:func:`_receipt_sized`, its length free). A side on the frame (the sheet pushed against
    the glass's edge, or running off it) only bounds its dimension from below: the sheet may be
    that much or longer. And it must leave some of the frame out: a sheet filling 90 % of a
    frame that is itself a page's size (a scan cropped to the page: ADF, copier, the driver's
    A4 area) is that page, kept whole — but a frame of no paper size is a glass, and a page on
    it is cropped however much of it the page covers (an A4 sheet covers 0.97 of a 216 × 297 mm
    bed: on a white lid it was kept with the lid's strips, J 0.93–0.96, issue #13).
    ``page_frame``: the caller's whole frame, dark bars and all, is a page's size (the sheet was
    searched within the bars: a feeder's page with its sides under them, gen6 household_copy_adf).
    """
    q = sheet.quad
    ln = [float(np.linalg.norm(q[(i + 1) % 4] - q[i])) / px_per_mm for i in range(4)]
    w_mm, h_mm = (ln[0] + ln[2]) / 2, (ln[1] + ln[3]) / 2
    # Sides top, right, bottom, left: a frame side on the left or right cuts the width.
    cut_w = "frame" in (sheet.sides[1], sheet.sides[3])
    cut_h = "frame" in (sheet.sides[0], sheet.sides[2])

    def fits(mm: float, size: float, cut: bool, tol: float = 0.06, least: float = 0.5) -> bool:
        return abs(mm / size - 1) <= tol or (cut and least * size <= mm <= (1 + tol) * size)

    if cv2.contourArea(q.astype(np.float32)) > 0.9 * frame[0] * frame[1]:
        if page_frame or _page_frame(frame[0] / px_per_mm, frame[1] / px_per_mm):
            return False
        # Covering most of a glass, the sheet is cut only when seen as the rectangle it is (its
        # sides square to each other, or squared from those that are paper): a side half along
        # the frame's border pulled askew shears the page (gen7 adf_notice#24: its lines 0.95°
        # off after the crop, 0.002° kept whole).
        sides = [q[(i + 1) % 4] - q[i] for i in range(4)]
        tilt = ol.sides_angle(sides)
        if max(_off_square(d, tilt) for d in sides) > SHEET_SQUARE_DEG and \
                _cut_page_square(q, frame[0], frame[1]) is None:
            return False
        # … and measured as a whole page between its own edges, within 2 %: a photocopy's grey
        # copied-page rectangle inside the copy sheet is a few mm short of it (gen5
        # photocopy_crooked#46: 203 × 286 mm, cut 0.978 → 0.938; pages on lids: 208–210 mm wide).
        # A side on the frame leaves its dimension nearly whole (≥ 96 %): a lid closes on a page
        # lying a few mm off the glass, and a shorter reach is a fold's or a crease's line taken
        # for the edge (gen6 stapled_fold_lid#34: 280 of 297 mm, cut 0.961 → 0.888).
        def whole(mm: float, size: float, cut: bool) -> bool:
            return fits(mm, size, cut, SHEET_COVER_TOL, SHEET_COVER_CUT)

        # A4 only: what covers most of a glass at a Vietnamese counter is an A4 page (Decree
        # 30/2020's format); a Letter reading was a creased A4 letter 280 mm down (the same #34).
        a, b = KNOWN_SIZES_MM["A4"]
        if not ((whole(w_mm, a, cut_w) and whole(h_mm, b, cut_h)) or (whole(w_mm, b, cut_w) and whole(h_mm, a, cut_h))):
            return False

    # Not an ID card: a card's rounded corners and printed face are the card search's business
    # (find_page); a faint sheet measured as a card was a part of one (gen1 card_glass).
    for name in ("A4", "Letter", "A5", "A6"):
        a, b = KNOWN_SIZES_MM[name]
        if (fits(w_mm, a, cut_w) and fits(h_mm, b, cut_h)) or (fits(w_mm, b, cut_w) and fits(h_mm, a, cut_h)):
            return True
    # A till roll: its width measured between two edges of its own, its length free.
    # Its length is free (a short till slip too) — but not an ID card's 85.6 × 54 mm, whose
    # short side is a narrow roll's width: a faint card is the card search's.
    def roll(width: float, length: float) -> bool:
        card = _size_is(length, width, ("ID-1",), tol=0.08)
        return length >= width and not card and _receipt_sized(max(length, 2 * width), width)

    if (not cut_w and roll(w_mm, h_mm)) or (not cut_h and roll(h_mm, w_mm)):
        return True
    # A receipt laid against the glass's side (into its corner: real aldi_16): one long side is
    # the frame's, the other its own edge a roll's width away (±6 %) — the width is then the
    # receipt's, not a cut-off part of a wider sheet (which a glass bigger than A4 seldom shows).
    # Cropped with page_cut_off, as every sheet with a side on the frame.
    def against_side(width: float, length: float, sides: tuple[str, str]) -> bool:
        return sides.count("frame") == 1 and length >= 2 * width and \
            any(abs(width / r - 1) <= 0.06 for r in RECEIPT_WIDTHS_MM)

    return against_side(w_mm, h_mm, (sheet.sides[1], sheet.sides[3])) or \
        against_side(h_mm, w_mm, (sheet.sides[0], sheet.sides[2]))


# A slip of no paper size (slip, issue #13): its paper's tone this far from the lid's (Lab), over
# this share of it at least — a white slip on a grey lid, a tinted leaflet on a white one. A
# picture or a chart on a page filling the frame has no flat tone of its own but the page's.
FREE_SLIP_TONE = 8.0
FREE_SLIP_SHARE = 0.3
# A found outline short of the slip's own edges by this much is replaced by them (less is the
# edge estimate's own difference: the outline's refinement keeps it).
FREE_SLIP_MOVED_MM = 2.0
FREE_SLIP_MAX_MM = 300.0  # no longer than a Legal page: a longer "sheet" is the glass's own edge


def _card_measured(quad: np.ndarray, sdpi: float) -> bool:
    """Does an (analysis-pixel) outline measure as an ID-1 card, within 8 %?"""
    sides = [float(np.linalg.norm(quad[(i + 1) % 4] - quad[i])) / sdpi * 25.4 for i in range(4)]
    a, b = (sides[0] + sides[2]) / 2, (sides[1] + sides[3]) / 2
    return _size_is(max(a, b), min(a, b), ("ID-1",), tol=0.08)


def _card_found(finding: ol.QuadFinding, scale: float, dpi: float, pair: bool = True) -> bool:
    """Does a found outline (det pixels, ``scale`` of them to a frame pixel) measure as one ID-1 card
    (or two side by side, with ``pair``), at ``dpi``?"""
    q = (finding.quad + 0.5) * scale
    a = float(np.linalg.norm(q[1] - q[0]) + np.linalg.norm(q[2] - q[3])) / 2 / dpi * 25.4
    b = float(np.linalg.norm(q[3] - q[0]) + np.linalg.norm(q[2] - q[1])) / 2 / dpi * 25.4
    return _size_is(max(a, b), min(a, b), ("ID-1",), tol=0.08) or (pair and _card_pair_sized(max(a, b), min(a, b)))


def _moved_mm(a: np.ndarray, b: np.ndarray, sdpi: float) -> float:
    """The largest distance between corresponding corners of two ordered quads, in mm."""
    return float(np.linalg.norm(np.asarray(a) - np.asarray(b), axis=1).max()) / sdpi * 25.4


def _free_slip(small: np.ndarray, finding: ol.QuadFinding, k2: int, sdpi: float, threshold: int) -> np.ndarray | None:
    """The outline (analysis pixels) of a slip of no paper size on a lid, or None.

    Counters receive slips of any size: a dot-matrix slip torn off continuous green-bar paper
    (120 × 100 mm, tractor holes down both sides), a bank's transfer slip, a small leaflet. The
    size test keeps a block of print or a picture on a page filling the frame from becoming
    "the page"; a slip passes instead when what is around it is a lid, not its own page: the
    outline, grown out to the sheet's own edges (:func:`ol.grow_to_sheet`: green bars and hole
    strips are the sheet's), has an edge on all four sides with lid beyond, a paper tone of its
    own (:data:`FREE_SLIP_TONE` from the lid's, over :data:`FREE_SLIP_SHARE` of it), is a
    rectangle (nothing lies crooked on a glass), a card's size or more, at most a Legal page
    long, under half the frame, and no print lies beside it or round it. Only for a solid
    outline (not texture alone, not two cards); ``sdpi`` is the analysis copy's dpi (the
    device's, or the scanner bed's).
    """
    if finding.weak or finding.parts or finding.area_fraction > 0.5:
        return None  # (a page, not a slip: not grown at all — the growing costs ~10 ms)
    rough = (finding.quad + 0.5) * k2 - 0.5
    got = ol.grow_to_sheet(small, rough, sdpi / 25.4)
    if got is None:
        return None
    quad, tone, share = got
    if tone < FREE_SLIP_TONE or share < FREE_SLIP_SHARE or not ol.flat_rectangle(quad, 0.06):
        return None
    sides = [float(np.linalg.norm(quad[(i + 1) % 4] - quad[i])) / sdpi * 25.4 for i in range(4)]
    sh, sw = small.shape[:2]
    if min(sides) < 0.95 * min(KNOWN_SIZES_MM["ID-1"]) or max(sides) > FREE_SLIP_MAX_MM or \
            cv2.contourArea(quad.astype(np.float32)) > 0.5 * sh * sw:
        return None
    if _print_outside(small, quad, sdpi, threshold) or _lies_on_print(small, quad, sdpi, threshold):
        return None
    return quad


def infer_dpi(doc_px: tuple[float, float], frame_px: tuple[int, int], found: bool,
              dpi: float, dpi_trusted: bool) -> tuple[float, str]:
    """The page's pixel density and the rule that set it (TT 01/2023: PDF pages at 100 % scale).

    ``doc_px`` is the document's size in pixels (the crop, or the frame when nothing was
    cropped), ``frame_px`` the frame's. Rules, first that applies:

    * ``device``: the dpi the scanner or the file states, when trusted and plausible;
    * ``bed:<size>``: a small object found on a frame shaped like a scanner bed (A4/Letter/Legal):
      the bed gives the scale, so a card stays card-sized;
    * ``size:<size>``: the document's aspect ratio matches a known size (A4 preferred among
      the √2 sizes: a 1240×1754 image is an A4 page at 150 dpi, not an A6 at 300);
    * ``assumed``: nothing matched: the frame's long side is taken as A4's 297 mm (and the
      officer is told).
    """
    dw, dh = doc_px
    fw, fh = frame_px
    # A stated dpi that makes the whole frame smaller than an ID card's short side is wrong
    # (a TIFF saying 1200 dpi for a 2293-px-wide journal page).
    if dpi_trusted and PLAUSIBLE_DPI[0] <= dpi <= PLAUSIBLE_DPI[1] and min(fw, fh) / dpi * 25.4 >= 50:
        return float(dpi), "device"
    if found and dw * dh < 0.5 * fw * fh:
        bed = _size_match(fw, fh, SCANNER_BEDS)
        if bed is not None:
            return max(fw, fh) / max(KNOWN_SIZES_MM[bed]) * 25.4, f"bed:{bed}"
    name = _size_match(dw, dh, ("A4", "Letter", "ID-1") if found else ("A4", "Letter"))
    if name is not None:
        return max(dw, dh) / max(KNOWN_SIZES_MM[name]) * 25.4, f"size:{name}"
    # Nothing to go by: the frame's long side is taken as an A4 page's (a page photo or scan is
    # about that; the caller's default 300 dpi made a 1240×1754 page an A6).
    return max(fw, fh) / max(KNOWN_SIZES_MM["A4"]) * 25.4, "assumed"


# Print beside a document cut from a glass: this many glyphs (a short line of text) outside it,
# more than this far from its outline, say that something printed was left out.
PRINT_OUTSIDE_GLYPHS = 12
PRINT_OUTSIDE_MARGIN_MM = 4.0


def _print_outside(small: np.ndarray, quad: np.ndarray, sdpi: float, threshold: int) -> bool:
    """Whether glyph-like print lies on the glass outside the found document (issue #13).

    A crop that keeps one card of a pair, or one part of a sheet the lid's colour half hid,
    leaves the rest of the print beside it. A lid is bare, so any line of text there means the
    officer must look; the frame's outer band (lid edges, scanner shadows) is not counted.
    """
    grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY) if small.ndim == 3 else small
    ink = an.ink_map(grey, sdpi)
    doc = np.zeros(grey.shape, np.uint8)
    cv2.fillConvexPoly(doc, np.round(quad).astype(np.int32), 1)
    r = max(1, round(PRINT_OUTSIDE_MARGIN_MM * sdpi / 25.4))
    near = cv2.dilate(doc, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1)))
    ink[near > 0] = 0
    return an.count_glyphs(ink, sdpi, threshold) >= PRINT_OUTSIDE_GLYPHS


# An object lying ON a sheet (a sticky note on a letter, issue #13 gen6 letter_clip_lid) is no page:
# the sheet's print lies all round it. Its centre inside the hull of the glyphs left outside it, that
# hull at least this many times its area: the crop would cut the page to something lying on it.
ON_SHEET_HULL_RATIO = 1.2
ON_SHEET_SIDE_GLYPHS = 3  # glyphs beyond one side of it (a word or two) for print to face that side


def _lies_on_print(small: np.ndarray, quad: np.ndarray, sdpi: float, threshold: int) -> bool:
    """Whether the found outline lies inside a printed sheet: glyph-like print outside it (beyond
    :data:`PRINT_OUTSIDE_MARGIN_MM`) surrounds its centre, over an area ≥ :data:`ON_SHEET_HULL_RATIO`
    times its own (issue #13: a letter on a white lid cut to the sticky note on it, J 0.05).

    One card of a pair, or a card beside a sheet, has print on one side only: its centre lies
    outside that print's hull. Asked only of outlines found on a light (paper-like) ground.
    """
    grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY) if small.ndim == 3 else small
    ink = an.ink_map(grey, sdpi)
    h, w = grey.shape
    doc = np.zeros(grey.shape, np.uint8)
    cv2.fillConvexPoly(doc, np.round(quad).astype(np.int32), 1)
    r = max(1, round(PRINT_OUTSIDE_MARGIN_MM * sdpi / 25.4))
    near = cv2.dilate(doc, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1)))
    ink[near > 0] = 0
    m = max(2, int(0.025 * min(h, w)))  # the frame's outer band: lid edges and shadows, as count_glyphs
    binary = np.zeros((h, w), np.uint8)
    binary[m:h - m, m:w - m] = ink[m:h - m, m:w - m] > threshold
    n, _, stats, cent = components_with_stats(binary, connectivity=8)
    if n <= PRINT_OUTSIDE_GLYPHS:
        return False
    mm = sdpi / 25.4
    big = np.maximum(stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT])
    ok = (big >= 1.6 * mm) & (big <= 60 * mm) & (stats[1:, cv2.CC_STAT_AREA] >= max(3.0, 0.4 * mm * mm))
    if int(ok.sum()) < PRINT_OUTSIDE_GLYPHS:
        return False
    pts = cent[1:][ok].astype(np.float32)
    hull = cv2.convexHull(pts)
    q = np.asarray(quad, np.float32)
    centre = q.mean(axis=0)
    if cv2.pointPolygonTest(hull, (float(centre[0]), float(centre[1])), False) > 0 and \
            cv2.contourArea(hull) >= ON_SHEET_HULL_RATIO * cv2.contourArea(q):
        return True
    # Or print facing three of its four sides, or two opposite ones (a note near a ragged margin):
    # each glyph placed in the outline's own coordinates (u across, v down, 0…1 inside); a side counts with
    # ON_SHEET_SIDE_GLYPHS glyphs beyond it and within its span. Print beside a card (one card
    # of a pair, a sheet next to it) faces one side, or two round a corner.
    to_unit = cv2.getPerspectiveTransform(q, np.array([[0, 0], [1, 0], [1, 1], [0, 1]], np.float32))
    uv = cv2.perspectiveTransform(pts[None], to_unit)[0]
    u, v = uv[:, 0], uv[:, 1]
    within_u, within_v = (u >= 0) & (u <= 1), (v >= 0) & (v <= 1)
    faced = [int(np.count_nonzero(within_u & (v < 0))), int(np.count_nonzero(within_v & (u > 1))),
             int(np.count_nonzero(within_u & (v > 1))), int(np.count_nonzero(within_v & (u < 0)))]
    seen = [n >= ON_SHEET_SIDE_GLYPHS for n in faced]
    # Three sides, or two opposite ones (a note over the margin, the letter's lines above and below).
    return sum(seen) >= 3 or (seen[0] and seen[2]) or (seen[1] and seen[3])


# A card image printed on a sheet (a copier's page of both faces of a CCCD, a certified copy) is the
# sheet's content, not a card on the glass: the sheet carries a line of page print outside the
# card(s) longer than any card is wide. A line is glyphs joined across word gaps (≤ SHEET_LINE_GAP_MM)
# running at least SHEET_LINE_MM along one axis, letters' height across.
SHEET_LINE_MM = 95.0
SHEET_LINE_GAP_MM = 4.0
SHEET_LINE_HEIGHT_MM = (1.2, 12.0)
SHEET_FRAME_TOL = 0.06  # the frame itself measures as a sheet (A4, Letter, Legal) within this
SHEET_LOOK_DPI = 75.0  # the line search is made at about this density (integer reduction)


def _card_image_on_sheet(small: np.ndarray, quad: np.ndarray, sdpi: float, threshold: int) -> bool:
    """Whether a card-sized outline found on a frame that is a whole sheet is a card *image printed
    on it* (issue #13, session 13: gen8 photocopy_cards_copier, an A4 copier page of a CCCD's two
    faces cut to the card images, J 0.15).

    A card on a bare lid has nothing but other cards beside it, and no card's text line is longer
    than the card (85.6 mm): a line of print outside the outline longer than
    :data:`SHEET_LINE_MM` is a page's, so the frame is that page. The frame's outer band (lid
    edges, shadows) and the outline's own margin are not looked at. ``quad`` and ``sdpi`` are in
    ``small``'s pixels.
    """
    grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY) if small.ndim == 3 else small
    h, w = grey.shape
    if not _size_is(max(h, w) / sdpi * 25.4, min(h, w) / sdpi * 25.4, SCANNER_BEDS, tol=SHEET_FRAME_TOL):
        return False
    f = int(sdpi // SHEET_LOOK_DPI)
    if f >= 2:
        # Lines of letters need no more than ~75 dpi (a 1.2-mm letter is 3.5 px): 60 → 7 ms CPU at 150 dpi.
        grey = cv2.resize(grey[: h // f * f, : w // f * f], (w // f, h // f), interpolation=cv2.INTER_AREA)
        quad, sdpi = (np.asarray(quad, np.float64) + 0.5) / f - 0.5, sdpi / f
        h, w = grey.shape
    ink = an.ink_map(grey, sdpi)
    # The outline and its margin: a quad drawn with a line as thick as the margin's two sides (round
    # ends), not an elliptical dilation of the whole frame (~95 ms CPU at 150 dpi, this ~1).
    near = np.zeros(grey.shape, np.uint8)
    poly = np.round(quad).astype(np.int32)
    r = max(1, round(PRINT_OUTSIDE_MARGIN_MM * sdpi / 25.4))
    cv2.fillConvexPoly(near, poly, 1)
    cv2.polylines(near, [poly], True, 1, 2 * r + 1)
    m = max(2, int(0.025 * min(h, w)))  # the frame's outer band, as _lies_on_print
    binary = np.zeros((h, w), np.uint8)
    binary[m:h - m, m:w - m] = (ink[m:h - m, m:w - m] > threshold) & (near[m:h - m, m:w - m] == 0)
    if an.count_glyphs(binary.astype(np.uint8) * 255, sdpi, threshold) < PRINT_OUTSIDE_GLYPHS:
        return False
    mm = sdpi / 25.4
    gap = max(1, round(SHEET_LINE_GAP_MM * mm / 2))
    lo, hi = SHEET_LINE_HEIGHT_MM[0] * mm, SHEET_LINE_HEIGHT_MM[1] * mm
    for kernel, along, across in (((2 * gap + 1, 1), cv2.CC_STAT_WIDTH, cv2.CC_STAT_HEIGHT),
                                  ((1, 2 * gap + 1), cv2.CC_STAT_HEIGHT, cv2.CC_STAT_WIDTH)):
        joined = cv2.dilate(binary, cv2.getStructuringElement(cv2.MORPH_RECT, kernel))
        _, _, stats, _ = components_with_stats(joined, connectivity=8)
        s = stats[1:]
        if np.any((s[:, along] >= SHEET_LINE_MM * mm) & (s[:, across] >= lo) & (s[:, across] <= hi)):
            return True
    return False


def _cuts_print(small: np.ndarray, quad: np.ndarray, sdpi: float, threshold: int) -> bool:
    """Whether the outline cuts through print: a word with ink both inside it and more than 4 mm
    outside it. A document's own edge runs in its margin, never through its text."""
    grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY) if small.ndim == 3 else small
    ink = (an.ink_map(grey, sdpi) > threshold).astype(np.uint8)
    mm = max(1, round(sdpi / 25.4))
    # Letters joined into words (gaps under ~1.5 mm), so one word straddling the edge is one blob.
    words = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, (2 * mm + 1, 1)))
    doc = np.zeros(grey.shape, np.uint8)
    cv2.fillConvexPoly(doc, np.round(quad).astype(np.int32), 1)
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * mm + 1, 2 * mm + 1))
    # Beyond: past the margin a misplaced edge may leave (a receipt's print runs to ~2 mm of it).
    far = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (8 * mm + 1, 8 * mm + 1))
    inside, beyond = cv2.erode(doc, disc) > 0, cv2.dilate(doc, far) == 0
    _, labels, stats, _ = cv2.connectedComponentsWithStats(words)
    crossing = np.intersect1d(labels[inside & (words > 0)], labels[beyond & (words > 0)])
    # A word is letters' height (> 1.5 mm); a fibre or scratch in a backing card is a hairline.
    return any(stats[c, cv2.CC_STAT_HEIGHT] > 1.5 * mm for c in crossing if c > 0)


def _dark_bars(grey: np.ndarray) -> tuple[float, float, float, float] | None:
    """Inner rectangle (analysis pixels, edges at ±0.5) left after dark bars along the frame's
    sides are cut, or ``None`` when there are none.

    A bar is a run of whole rows/columns from the edge inwards that are dark along at least 80 %
    of their length; at most 15 % of the frame per side (a dark page is not a bar). One more
    pixel goes with the bar: its blurred edge is not paper either.
    """
    h, w = grey.shape
    paper = float(np.percentile(grey[::4, ::4], 90))
    dark = min(100.0, 0.5 * paper)
    # Only the outer 15 % bands can hold a bar; every 4th pixel along a line is enough.
    bw, bh = max(1, int(0.15 * w)) + 2, max(1, int(0.15 * h)) + 2
    cols = np.ones(w, bool)
    rows = np.ones(h, bool)
    cols[:bw] = np.percentile(grey[::4, :bw], 80, axis=0) < dark
    cols[-bw:] = np.percentile(grey[::4, -bw:], 80, axis=0) < dark
    rows[:bh] = np.percentile(grey[:bh, ::4], 80, axis=1) < dark
    rows[-bh:] = np.percentile(grey[-bh:, ::4], 80, axis=1) < dark

    def run(flags: np.ndarray) -> int:
        n = int(np.argmin(flags)) if not flags.all() else len(flags)
        return n + 1 if n else 0

    left, right = run(cols), run(cols[::-1])
    top, bottom = run(rows), run(rows[::-1])
    if max(left, right) > 0.15 * w or max(top, bottom) > 0.15 * h:
        return None

    def paper_inside(line: np.ndarray) -> bool:
        # A scanner bar ends where the paper's margin begins, straight along the whole side; a
        # book or a tilted page photographed on black does not (its surround is no bar: the
        # photo's outline is found elsewhere or the frame is kept whole).
        return float(np.mean(line > dark)) >= 0.9

    left = left if left and paper_inside(grey[:, min(w - 1, left + 1)]) else 0
    right = right if right and paper_inside(grey[:, max(0, w - right - 2)]) else 0
    top = top if top and paper_inside(grey[min(h - 1, top + 1), left:w - right]) else 0
    bottom = bottom if bottom and paper_inside(grey[max(0, h - bottom - 2), left:w - right]) else 0
    if not (left or right or top or bottom):
        return None
    return left - 0.5, top - 0.5, w - right - 0.5, h - bottom - 0.5


def _fills_frame(grey: np.ndarray, ink: np.ndarray, threshold: int) -> bool:
    """Does an uncropped frame look like one page filling it? (analysis copy, grey and ink)

    No when its border is not paper (a desk, a dark lid, a cloth around a photographed page
    that could not be outlined — darker than the frame's paper, or simply dark: a bare desk
    has no lighter paper to compare with), or when the marks sit in one small dense patch of
    a large frame (a card or a slip on the glass that could not be told from the lid).
    """
    h, w = grey.shape
    ring = max(2, int(0.02 * min(h, w)))
    border = np.concatenate([grey[:ring].ravel(), grey[-ring:].ravel(), grey[:, :ring].ravel(),
                             grey[:, -ring:].ravel()])
    paper = an.u8_percentile(grey[::4, ::4], 90)  # = np.percentile(…, 90), from a histogram
    if float(np.median(border)) < max(0.8 * paper, 90.0):
        return False
    # The percentiles of the marks' columns and rows straight from per-column and per-row counts:
    # the same values as np.nonzero's coordinates would give (an.counts_percentile), without
    # listing hundreds of thousands of them.
    marks = (ink[ring:h - ring, ring:w - ring] > threshold).view(np.uint8)
    col_n: np.ndarray = cv2.reduce(marks, 0, cv2.REDUCE_SUM, dtype=cv2.CV_32S).ravel()
    row_n: np.ndarray = cv2.reduce(marks, 1, cv2.REDUCE_SUM, dtype=cv2.CV_32S).ravel()
    if int(col_n.sum()) < 200:
        return True  # blank or nearly: nothing to go by, and nothing lost by keeping it whole
    x0, x1 = an.counts_percentile(col_n, 1), an.counts_percentile(col_n, 99)
    y0, y1 = an.counts_percentile(row_n, 1), an.counts_percentile(row_n, 99)
    bw, bh = x1 - x0, y1 - y0
    small_patch = bw * bh < 0.15 * h * w and min(bw, bh) > 0.12 * min(h, w)
    return not small_patch


def _fine_grey(img: np.ndarray, h_page: np.ndarray, page_w: int, page_h: int, dpi: float
               ) -> tuple[np.ndarray, float]:
    """The rectified page in grey at about ``an.FAINT_DPI`` (never upsampled), and its dpi.

    An integer INTER_AREA reduction first (thin lines keep their darkness as an average instead
    of being skipped by a sampling warp), then one warp when the page has an outline.
    """
    kf = max(1, int(dpi / an.FAINT_DPI))
    grey = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    h, w = grey.shape
    kf = max(1, min(kf, min(h, w) // 32))
    if kf > 1:
        grey = cv2.resize(grey[: h // kf * kf, : w // kf * kf], (w // kf, h // kf), interpolation=cv2.INTER_AREA)
    if np.allclose(h_page, np.eye(3)):
        return grey, dpi / kf
    to_src = np.diag([1.0 / kf, 1.0 / kf, 1.0])
    to_src[:2, 2] = (1.0 / kf - 1) / 2  # centre-aligned pixel grids
    scale = np.diag([1.0 / kf, 1.0 / kf, 1.0])
    m = scale @ h_page @ np.linalg.inv(to_src)
    size = (max(1, round(page_w / kf)), max(1, round(page_h / kf)))
    return cv2.warpPerspective(grey, m, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE), dpi / kf


def _refined_skew(fine_view: Callable[[], tuple[np.ndarray, float]], dpi: float, a_dpi: float,
                  sk: an.SkewFinding, opt: PipelineOptions) -> float:
    """The skew to undo: ``sk``'s angle measured again at ~``an.FAINT_DPI`` when the image has at
    least 1.5× the analysis copy's pixel density (:func:`an.refine_skew`: at ~75 dpi the estimate
    depends on how the lines fall on the pixel grid by up to ~0.1°). Only the angle changes: the
    orientation keeps ``sk``'s rows and columns, whose ascender test was tuned on them.

    Tried and left out: the analysis copy enlarged 2× (cubic) for pages without finer pixels.
    It helped the grid set's 100-dpi book, column and sparse pages (its bent pages got worse) but
    moved real 60–75-dpi pages by 0.1–0.13° (their glyphs are a few pixels; interpolation invents
    their edges).
    """
    if sk.glyphs is None or dpi < 1.5 * a_dpi:
        return sk.angle_deg
    fine, fine_dpi = fine_view()
    if fine_dpi < 1.5 * a_dpi:
        return sk.angle_deg
    ref = an.refine_skew(an.ink_map(fine, fine_dpi), sk.glyphs, sk.angle_deg, sk.vertical, opt.ink_threshold)
    return sk.angle_deg if ref is None else ref


# A slip's outline (long side under this, A5 and smaller) is as good a skew estimate as its print
# when the two agree within this; beyond it the outline is no slip's own edge or the print is
# turned on it (a photocopy): the print's lines decide.
SLIP_LONG_MM = 215.0
SLIP_EDGE_TRUST_DEG = 1.0
SLIP_SPLIT_DEG = 0.3  # a split this large leaves a slip up to half of it off: told


def _slip_split(residual: float, slip_edges: bool, page_w: int, page_h: int, dpi: float) -> bool:
    """Do an outlined slip's edges and print disagree on its skew by :data:`SLIP_SPLIT_DEG` or
    more (within :data:`SLIP_EDGE_TRUST_DEG`, where the two are averaged)?

    gen7's thermal slip #138: its outline a little off (J 0.96), the average left it 0.58°
    tilted; its carbon receipts: the print 0.35–0.5° off. Either way half the split may remain.
    """
    return slip_edges and SLIP_SPLIT_DEG <= abs(residual) < SLIP_EDGE_TRUST_DEG and \
        max(page_w, page_h) / dpi * 25.4 < SLIP_LONG_MM and max(page_w, page_h) / dpi * 25.4 >= 120


def _card_residual(residual: float, outlined: bool, page_w: int, page_h: int, dpi: float,
                   slip_edges: bool = False) -> float:
    """The text lines' residual skew to undo, halved on an outlined card-sized page or slip.

    Card-sized: its text lines are only ~40 mm long and its edges only ~85 mm, so both estimates
    (the outline's and the lines') are noisy (~0.15°) and independent: average them
    (equal-variance weighting).
    """
    if outlined and abs(residual) < 0.5 and max(page_w, page_h) / dpi * 25.4 < 120:
        return residual * 0.5
    if slip_edges and abs(residual) < SLIP_EDGE_TRUST_DEG and 120 <= max(page_w, page_h) / dpi * 25.4 < SLIP_LONG_MM:
        # A slip (A5 or smaller, issue #13) outlined by its solid edges (``slip_edges``; not a
        # faint sheet's steps, whose sides are rougher than its print): its print is square to
        # its cut edges, and its few short lines — a carbon copy's handwriting, a form's dotted
        # fields — gave gen7's carbon receipts 0.3–0.5° the edges did not have (left tilted,
        # silent). Averaged too.
        return residual * 0.5
    return residual


def _upright_warp(img: np.ndarray, refined: Future[float], h_page: np.ndarray, page_w: int, page_h: int,
                  outlined: bool, dpi: float, min_skew_deg: float, fill: tuple[int, int, int],
                  slip_edges: bool = False) -> tuple[np.ndarray, np.ndarray] | None:
    """Step 6's warp of a page left as it lies (no quarter turn), made ahead on the helper thread:
    its matrix and the image, or ``None`` when step 6 would not warp (nothing outlined, no tilt).

    ``refined`` is the skew refinement's job (queued before this one on the same thread: done).
    The matrix is computed by the very expressions of step 6, which uses the image only when its
    own matrix equals this one.
    """
    residual = _card_residual(refined.result(), outlined, page_w, page_h, dpi, slip_edges)
    if not outlined and abs(residual) < min_skew_deg:
        return None
    rot = _rotation(-residual, page_w, page_h) if abs(residual) >= min_skew_deg else np.eye(3)
    turn, out_size = _quarter_turn(0, page_w, page_h)
    m = turn @ rot @ h_page
    return m, _warp(img, m, out_size, fill)


# --------------------------------------------------------------------------- the pipeline


_helper: tuple[int, ThreadPoolExecutor] | None = None  # (the process it belongs to, the pool)
_helper_lock = threading.Lock()


_T = TypeVar("_T")


def _beside(fn: Callable[..., _T], *args: object) -> Future[_T]:
    """``fn(*args)`` on the one helper thread, beside the caller's own work (see process_page).

    The helper runs searches whose inputs are known before their answer is needed: OpenCV and
    NumPy release the GIL for their work, so on a second core they cost the page no wall time.
    Pure functions of their inputs: the answer is the one the caller would have computed. A
    forked child gets a pool of its own (the parent's thread does not exist there).
    """
    global _helper
    with _helper_lock:
        if _helper is None or _helper[0] != os.getpid():
            _helper = (os.getpid(), ThreadPoolExecutor(max_workers=1, thread_name_prefix="scan-beside"))
        return _helper[1].submit(fn, *args)



PAD_LEVEL = 8  # a canvas' padding is pure black: a scanner's backing or a desk has noise above this
PAD_MIN_FRAC = 0.02  # thinner black strips are a scanner's edge, left to find_page's dark-border rule


def _black_padding(img: np.ndarray) -> tuple[int, int, int, int] | None:
    """The photo inside a black canvas (x0, y0, x1, y1, end exclusive), or None when there is none.

    A line counts as padding when ≥ 99.5 % of it (~512 samples) is black in all channels, and a
    band of them only when the line after it is ≥ 90 % not black (the photo's straight edge). Only the
    frame's outer lines are looked at unless one of them is black, so frames without padding pay
    four line reads. Bands thinner than ``PAD_MIN_FRAC`` of their side are ignored, and the photo
    must keep ≥ 40 % of each side (a dark frame is not a canvas).
    """
    h, w = img.shape[:2]
    # Every band of a canvas holds two of the frame's corners: most frames stop here.
    if int(img[[0, 0, h - 1, h - 1], [0, w - 1, 0, w - 1]].max(axis=-1).min()) > PAD_LEVEL:
        return None

    def black(line: np.ndarray) -> bool:
        return float(np.mean(line.max(axis=-1) <= PAD_LEVEL)) >= 0.995

    def depth(get: Callable[[int], np.ndarray], n: int) -> int:
        # Walked in strides of ~n/256 lines, then back line by line: a scanner's 60-px bar on an
        # A4 300-dpi frame costs a few line reads, not sixty (a canvas is a solid band).
        lim, step = int(0.6 * n), max(1, n // 256)
        i = 0
        while i < lim and black(get(i)):
            i += step
        j = max(0, i - step)
        while j < min(i, lim) and black(get(j)):
            j += 1
        # A canvas ends where the photo starts, along the whole line: the photo's edge. A page on
        # a black desk (real donut_document, a book on black cloth) starts with a corner only.
        if 0 < j < n and float(np.mean(get(j).max(axis=-1) > PAD_LEVEL)) < 0.9:
            return 0
        return j

    sx, sy = max(1, w // 512), max(1, h // 512)  # ~512 samples a line
    top = depth(lambda i: img[i, ::sx], h)
    bottom = depth(lambda i: img[h - 1 - i, ::sx], h)
    left = depth(lambda i: img[::sy, i], w)
    right = depth(lambda i: img[::sy, w - 1 - i], w)
    if max(top / h, bottom / h, left / w, right / w) < PAD_MIN_FRAC:
        return None
    x0, x1, y0, y1 = left, w - right, top, h - bottom
    if x1 - x0 < 0.4 * w or y1 - y0 < 0.4 * h or min(x1 - x0, y1 - y0) < 32:
        return None
    return x0, y0, x1, y1


def process_page(image: np.ndarray, dpi: int, options: PipelineOptions | None = None, *,
                 dpi_trusted: bool = True) -> PageResult:
    """Crop, deskew and turn one acquired page upright; flag blank pages and quality problems.

    ``image`` is BGR uint8 (grey and BGRA frames are converted); ``dpi`` is the acquisition
    resolution; ``dpi_trusted=False`` when it is only a default (a phone photo, a TIFF without
    a resolution tag): the page's physical size is then inferred (:func:`infer_dpi`). Raises
    :class:`PageImageError` (a ``ValidationError``, Vietnamese message) for frames that are not
    images. Never binarises: the output keeps the input's colour.
    """
    opt = options or PipelineOptions()
    if isinstance(dpi, bool) or not isinstance(dpi, numbers.Real) or not 10 <= dpi <= 4800:
        raise PageImageError(f"Độ phân giải {dpi!r} dpi không hợp lệ.", hint="Hãy kiểm tra cài đặt máy quét.")
    img = _as_bgr(image, opt.max_pixels)
    res = _process_frame(img, dpi, opt, dpi_trusted)
    pad = _black_padding(img)
    if pad is None:
        return res
    x0, y0, x1, y1 = pad
    # The photo was pasted into a larger black canvas (a letterboxed phone picture, a screenshot).
    # A page found clear of the canvas stands (the black beside the photo only darkened the
    # "desk"); one running to the canvas is the photo itself, desk included (real3
    # di_receipt_fr_on_wood: J 0.50), or was not found at all (tx_application_photo kept its black
    # band): then the page is looked for in the photo alone.
    if res.quad is not None:
        q = np.asarray(res.quad, np.float64)
        m = 0.01 * min(x1 - x0, y1 - y0)
        if (q[:, 0] >= x0 + m).all() and (q[:, 0] <= x1 - 1 - m).all() \
                and (q[:, 1] >= y0 + m).all() and (q[:, 1] <= y1 - 1 - m).all():
            return res
    photo = np.array([[0, 0], [x1 - x0, 0], [x1 - x0, y1 - y0], [0, y1 - y0]], np.float64) - 0.5
    inside = _process_frame(img[y0:y1, x0:x1], dpi, opt, dpi_trusted)
    if inside.quad is None:
        return replace(inside, quad=photo + np.array([x0, y0], np.float64))
    # A page filling the photo (found so on the canvas) is not overruled by a quad covering most
    # of the photo: that is the page's own printed border (real3 di_marriage_licence_scan, a scan
    # pasted on a canvas: J 0.95 → 0.88 without this). A page lying on a desk in the photo leaves
    # more desk than that around it (receipts on wood: 40–72 % of the photo).
    q_in = np.asarray(inside.quad, np.float64)
    share = float(cv2.contourArea(q_in.astype(np.float32))) / float((x1 - x0) * (y1 - y0))
    if res.quad is not None and share >= 0.8 and _covers(np.asarray(res.quad, np.float64),
                                                          photo + np.array([x0, y0], np.float64)):
        return res
    return replace(inside, quad=q_in + np.array([x0, y0], np.float64))


def _covers(quad: np.ndarray, rect: np.ndarray) -> bool:
    """Whether ``quad`` and ``rect`` (4×2, same pixels) overlap by ≥ 95 % of their union."""
    lo = np.floor(np.minimum(quad.min(axis=0), rect.min(axis=0))).astype(int)
    hi = np.ceil(np.maximum(quad.max(axis=0), rect.max(axis=0))).astype(int) - lo + 1
    a = np.zeros((hi[1], hi[0]), np.uint8)
    b = np.zeros_like(a)
    cv2.fillConvexPoly(a, np.round(quad - lo).astype(np.int32), 1)
    cv2.fillConvexPoly(b, np.round(rect - lo).astype(np.int32), 1)
    return float(np.count_nonzero(a & b)) >= 0.95 * float(np.count_nonzero(a | b))


def _process_frame(img: np.ndarray, dpi: int, opt: PipelineOptions, dpi_trusted: bool) -> PageResult:
    """:func:`process_page` on a frame already checked and brought to BGR."""
    h, w = img.shape[:2]
    warnings: list[str] = []

    # 1. Analysis copy: integer INTER_AREA reduction (OpenCV's fast path, ~4× cheaper).
    # Never thinner than 32 px: some OpenCV filters misbehave on slivers (a segfault on 4 px).
    k = max(1, min(max(h, w) // opt.analysis_side, min(h, w) // 32))
    small = img if k == 1 else cv2.resize(img[: h // k * k, : w // k * k], (w // k, h // k),
                                          interpolation=cv2.INTER_AREA)
    sh, sw = small.shape[:2]

    # 2. Page outline.
    # The outline is found on a ~500 px copy (masks and blobs need no more), then its edges are
    # re-located with sub-pixel precision on the analysis copy.
    k2 = max(1, -(-max(sh, sw) // 700))
    k2 = max(1, min(k2, min(sh, sw) // 32))
    det = small if k2 == 1 else cv2.resize(small[: sh // k2 * k2, : sw // k2 * k2], (sw // k2, sh // k2),
                                           interpolation=cv2.INTER_AREA)
    # Sizes are measured at the device's dpi, or without one at the scale a scanner bed gives
    # (a frame shaped like an A4/Letter/Legal glass: its long side is the bed's).
    # A stated dpi outside PLAUSIBLE_DPI (a driver writing a screen's 72 or 96) on a frame shaped
    # like a glass: the bed's shape gives the scale instead, as for a frame without a dpi (gen8
    # register_a3: an A4 register on an A3 glass stated at 96 dpi measured 1.6× too large, no
    # document; kept whole). (Other frames keep it: a 72-dpi photo is no glass, and the faint-edge
    # look it feeds still tells the officer of a page not found — real3 di_receipt_contoso_photo.)
    # (Nor is a frame a glass whose bed would be scanned at an implausible dpi: 455 × 330 px is
    # no A4 glass at 39 dpi — real2 pe_passport_nld, a passport page stated at 68 dpi.)
    bed_dpi = _bed_dpi(w, h)
    glass = bed_dpi is not None and PLAUSIBLE_DPI[0] <= bed_dpi <= PLAUSIBLE_DPI[1]
    mdpi = float(dpi) if dpi_trusted and (PLAUSIBLE_DPI[0] <= dpi <= PLAUSIBLE_DPI[1] or not glass) \
        else bed_dpi
    # The white-sheet search below (ol.faint_sheet) is asked of every scan that fills the frame
    # (7 of the 8 real A4 pages, ~35 ms CPU): its input is known now, so it runs on the helper
    # thread while find_page runs here. When a page is found, its answer is not used: the search
    # is then told to stop (its CPU is the other core's, and the helper's later jobs queue behind it).
    sheet_stop = threading.Event()
    sheet_job = (_beside(ol.faint_sheet, small, mdpi / 25.4 / k, sheet_stop)
                 if opt.detect_page and dpi_trusted and mdpi else None)
    # A feeder's streak runs through backing and page alike: not a side of the page.
    finding = ol.find_page(ol.without_streaks(det)) if opt.detect_page else None
    sleeve: np.ndarray | None = None  # the outline a card was found inside (its sleeve), det pixels
    printed: tuple[np.ndarray, bool] | None = None  # card images printed on a sheet (analysis pixels), a pair?
    if finding is not None and mdpi and dpi_trusted and not finding.parts \
            and not _document_sized(finding, k2 * k, mdpi, rolls=False):
        # No card's or sheet's size: perhaps a sleeve or a board with a card lying on it (gen7
        # card_sleeve: the sleeve dropped, the whole glass kept). The card inside, if there is one.
        # (A sleeve's short side may measure as a till roll's width: rolls are not asked here.)
        card = card_within(det, finding, mdpi / 25.4 / (k2 * k))
        if card is not None:
            sleeve, finding = finding.quad, card
    if finding is not None and _part_of_framed_card(finding.quad, det.shape[1], det.shape[0]):
        finding = None  # the card is the frame: kept whole
    misshapen = False  # something lay on a white lid that was no rectangle: not cropped, told
    sheet_found = False  # a sheet on a light lid found from its print (ol.faint_sheet) and cropped to
    free_quad: np.ndarray | None = None  # a slip of no paper size, out to its edges (analysis pixels)
    if finding is not None and dpi > 0:
        # Nothing an officer digitises is smaller than an ID card (54 mm short side). A smaller
        # solid rectangle is a detail of a page that fills the frame — typically the QR code of a
        # receipt, which must not become "the page".
        q = (finding.quad + 0.5) * k2 * k
        short_px = float(min(np.linalg.norm(q[1] - q[0]), np.linalg.norm(q[2] - q[1])))
        long_px = float(max(np.linalg.norm(q[1] - q[0]), np.linalg.norm(q[2] - q[1])))
        if mdpi and short_px / mdpi * 25.4 < MIN_DOCUMENT_MM:
            finding = None
        elif finding.weak and not (mdpi and (
                _size_is(long_px / mdpi * 25.4, short_px / mdpi * 25.4, ("ID-1", "A5", "A6"))
                or _receipt_sized(long_px / mdpi * 25.4, short_px / mdpi * 25.4))):
            # Texture alone also outlines a text block or a figure on a page that fills the
            # frame: such a crop needs a measured size that is a card's or a slip's.
            finding = None
        elif finding.on_paper and mdpi and dpi_trusted and not finding.touches_edge and not finding.parts \
                and not ol.flat_rectangle(np.asarray(finding.quad, np.float64), 0.1):
            # On a scanner's glass what lies on the lid is a rectangle (no perspective there): a
            # quad whose opposite sides differ is part of a sheet the lid's colour half hid (slip,
            # issue #13: a white slip cut along a diagonal, J 0.43, silent). Kept whole — and told.
            finding, misshapen = None, True
        elif finding.on_paper and mdpi and not _document_sized(finding, k2 * k, mdpi):
            # Around it is paper-light: a white lid, or the page itself filling the frame. A block
            # of dense print or a picture on that page is a solid rectangle too; what a counter
            # lays on a white lid has a document's size (a card, A4…A6, a receipt roll's width) —
            # or is a slip of no paper size, lighter than a grey lid and with edges all round.
            free_quad = _free_slip(small, finding, k2, mdpi / k, opt.ink_threshold)
            if free_quad is None:
                finding = None
        elif not dpi_trusted and short_px < 0.2 * min(h, w):
            # No dpi to measure with (a photo): a detail is what is small *in the frame*.
            finding = None
        elif finding.on_paper and mdpi and dpi_trusted and (finding.parts or _card_found(finding, k2 * k, mdpi)) \
                and _card_image_on_sheet(small, (finding.quad + 0.5) * k2 - 0.5, mdpi / k, opt.ink_threshold):
            # Card-sized, but the frame is a whole sheet with a page's line of print beside it: card
            # images printed on a copy (gen8 photocopy_cards_copier). The sheet is the page; the
            # cards' layout may still tell its way up (step 5).
            printed = ((finding.quad + 0.5) * k2 - 0.5, bool(finding.parts) or not _card_found(finding, k2 * k, mdpi,
                                                                                                 pair=False))
            finding = None
        elif finding.on_paper and mdpi and dpi_trusted and not finding.parts and _lies_on_print(
                small, ((finding.quad if sleeve is None else sleeve) + 0.5) * k2 - 0.5, mdpi / k, opt.ink_threshold):
            # Print all round it: something lying on a sheet (a sticky note on a letter), never the
            # page. The sheet is looked for from its print below, or the frame kept whole and told.
            # (A card in a sleeve: the sleeve is what lies there — its edges are no print round it.)
            finding = None
        elif finding.on_paper and (finding.touches_edge or finding.weak) and dpi_trusted and _print_outside(
                small, (finding.quad + 0.5) * k2 - 0.5, mdpi / k, opt.ink_threshold):
            # A blob running off a light lid's frame with lines of print beside it is part of a
            # sheet as light as the lid (gen3 notice_lid_corner: a strip of an A4 notice, cut
            # through its text): a crop must never cut print. The sheet is looked for from its
            # print below, or the frame kept whole and the officer told. So too for an outline
            # found by texture alone (weak) with print beside it: on a white lid it was a thermal
            # receipt's dense top block measuring as a card (gen3 receipt_curl_lid, J 0.44).
            finding = None
    if finding is not None and free_quad is None and finding.on_paper and mdpi and dpi_trusted:
        # A slip measured as a document may still be found only in part: a green-bar slip's
        # outline stopping at its first bar measured a roll's width (gen7 dotmatrix#19, J 0.89,
        # silent). When the sheet's own edges lie clearly beyond the outline, they are the slip's.
        # (Not a card: its rough outline is often millimetres off before its refinement, and the
        # rounded corners are the card path's — gen2 cards lost 0.003 J to the grown outline.)
        grown = _free_slip(small, finding, k2, mdpi / k, opt.ink_threshold)
        if grown is not None and _moved_mm(ol.order_quad((finding.quad + 0.5) * k2 - 0.5), grown,
                                           mdpi / k) >= FREE_SLIP_MOVED_MM and not _card_measured(grown, mdpi / k):
            free_quad = grown
    quad_full: np.ndarray | None = None
    inner = small  # what is kept when nothing is outlined (the frame, less any dark bars)
    if finding is not None:
        sheet_stop.set()  # the white-sheet search's answer is asked only when no page was found
        rough = (finding.quad + 0.5) * k2 - 0.5
        reach = max(5.0, 0.012 * min(sh, sw), 0.8 * k2 * max(3, int(0.012 * min(det.shape[:2]))))
        if finding.parts:
            # Two cards on one glass: each card's edges are found apart (the union's sides run
            # over the lid between them), then one rectangle holds both.
            corners = []
            fine: np.ndarray | None
            for part in finding.parts:
                p_rough = (part + 0.5) * k2 - 0.5
                p_fine = ol.refine_edges(small, p_rough, finding.background, finding.level, reach)
                corners.append(p_fine if p_fine is not None else p_rough)
            fine = ol.order_quad(cv2.boxPoints(cv2.minAreaRect(np.concatenate(corners).astype(np.float32))))
        elif free_quad is not None:
            # Already at its edges, to a fraction of a pixel; the lid model's refinement would
            # pull a side back to a green bar (the lid's tone as find_page saw it).
            fine = free_quad
        else:
            fine = ol.refine_edges(small, rough, finding.background, finding.level, reach)
        quad_full = _to_full(fine if fine is not None else rough, k)
        square = _cut_page_square(quad_full, w, h) if dpi_trusted and (mdpi or 0) >= 100 and not finding.parts else None
        lost = False
        # Only on a light lid (the class seen: gen6's creased copies on white lids); on dark beds the
        # squaring moved real pages' outlines by ~0.01 J for nothing (hwocr, dewarp_weimar).
        folded = _folded_corner_square(quad_full) if (square is None and dpi_trusted and finding.on_paper
                                                      and not finding.parts) else None
        if folded is not None:
            quad_full = folded  # a dog-eared sheet on the glass: its rectangle, not sheared
        if square is not None:
            quad_full = square  # a scan's page running off the frame: squared, not sheared
            # Told when more than a margin's sliver is off the glass (a feeder's slightly
            # crooked sheet loses ~1–2 mm of a corner's margin, no text).
            reach = float(np.max(np.concatenate([-0.5 - square, square - [w - 0.5, h - 0.5]])))
            lost = reach > 3.0 / 25.4 * dpi
        if finding.touches_edge or lost:
            warnings.append(WARN_PAGE_CUT_OFF)
        # Print left beside a document cut from a light, bare lid (one card of a pair kept): told.
        # Not on a desk or a dark lid, whose grain or texture is no print left out.
        # (A card in a sleeve: the sleeve is what lies on the lid, its drawn edge no print left out.)
        elif finding.on_paper and mdpi and _print_outside(
                small, (quad_full + 0.5) / k - 0.5 if sleeve is None else (sleeve + 0.5) * k2 - 0.5, mdpi / k,
                opt.ink_threshold):
            warnings.append(WARN_PRINT_OUTSIDE)
    elif opt.detect_page:
        # The page fills the frame: thin dark bars along its sides (a sheet-fed scanner's black
        # backing, the lid's shadow) are still cut away (issue #13).
        bars = _dark_bars(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY))
        if bars is not None:
            x0, y0, x1, y1 = bars
            inner = small[round(y0 + 0.5):round(y1 + 0.5), round(x0 + 0.5):round(x1 + 0.5)]
            quad_full = _to_full(np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float64), k)
        inner_at = np.array([round(bars[0] + 0.5), round(bars[1] + 0.5)], np.float64) if bars else np.zeros(2)
        if mdpi is not None and dpi_trusted:
            # A white sheet on a white or light lid that no mask outlined: found outward from its
            # print, by the faint steps of its edges averaged along each side (slip, issue #13).
            # Only on a scan (a stated dpi: a lid is a scanner's): on a photo or a book page
            # without one, an illustration's light edge in the margin reads as such a step.
            # Cropped to only when it measures as a document; kept whole otherwise — and told
            # when all four of its sides were seen in less than half the frame (a sheet lying
            # on the lid, whatever its size; two or three faint lines in a full page's margins
            # are no such thing).
            # Searched within the dark bars (a lid's black edge at the frame's side is no print).
            # Without bars the search started beside find_page (on the same image) is collected.
            if sheet_job is not None and inner is small:
                sheet = sheet_job.result()
            else:
                sheet_stop.set()  # searched within the bars below instead
                sheet = ol.faint_sheet(inner, mdpi / 25.4 / k)
            sheet_job = None
            ih, iw = inner.shape[:2]
            paged = _page_frame(w / mdpi * 25.4, h / mdpi * 25.4)
            if sheet is not None and sheet.guessed and _sheet_sized(sheet, mdpi / 25.4 / k, (iw, ih), paged) and \
                    _cuts_print(small, sheet.quad + inner_at, mdpi / k, opt.ink_threshold):
                # A long edge set a roll's width from the seen one that cuts through print is no
                # receipt's edge (gen3 a4_full_frame#131: a full A4 page cut to an 80-mm strip
                # through its title): kept whole, and told.
                misshapen = True
            elif sheet is not None and _sheet_sized(sheet, mdpi / 25.4 / k, (iw, ih), paged):
                misshapen, sheet_found = False, True
                quad_small = sheet.quad + inner_at
                quad_full = _to_full(quad_small, k)
                # A side on the frame lies along the border, not the paper: squared as a found
                # page running off the frame is, or the warp shears the page (gen7 adf_notice#24,
                # cropped at 0.96: its lines left 0.95° off).
                square = _cut_page_square(quad_full, w, h) if "frame" in sheet.sides and mdpi >= 100 else None
                if square is not None:
                    quad_full = square
                if ("frame" in sheet.sides and not _whole_paper(sheet.quad, mdpi / 25.4 / k)) or sheet.guessed:
                    # (A receipt's long edge set a roll's width from the other one is a guess:
                    # the officer is asked to check the edge.) A side on the frame loses nothing
                    # when the sheet still measures a whole paper size: an A4 page lies flush with
                    # an A4 bed's 297-mm side, and is not cut.
                    warnings.append(WARN_PAGE_CUT_OFF)
                elif _print_outside(small, quad_small, mdpi / k, opt.ink_threshold):
                    warnings.append(WARN_PRINT_OUTSIDE)
            elif sheet is not None and sheet.sides.count("edge") == 4 and \
                    cv2.contourArea(sheet.quad.astype(np.float32)) < 0.5 * iw * ih:
                misshapen = True

    # 3. Rectified analysis page P (grey) and the mapping input → rectified page.
    if quad_full is not None:
        pw = float((np.linalg.norm(quad_full[1] - quad_full[0]) + np.linalg.norm(quad_full[2] - quad_full[3])) / 2)
        ph = float((np.linalg.norm(quad_full[3] - quad_full[0]) + np.linalg.norm(quad_full[2] - quad_full[1])) / 2)
        page_w, page_h = max(1, round(pw)), max(1, round(ph))
        h_page = cv2.getPerspectiveTransform(quad_full.astype(np.float32), _rect(page_w, page_h))
        # Small pages (an ID card on a big bed) are analysed from the full image so the text
        # keeps enough pixels; large ones from the analysis copy (no aliasing, cheaper).
        ak = max(1.0, max(page_w, page_h) / (opt.analysis_side * 1.2))
        aw, ah = max(1, round(page_w / ak)), max(1, round(page_h / ak))
        a_scale = np.diag([aw / page_w, ah / page_h, 1.0])
        if max(page_w, page_h) / k >= 0.7 * opt.analysis_side:
            src, to_src = small, np.diag([1.0 / k, 1.0 / k, 1.0])
            to_src[:2, 2] = (1.0 / k - 1) / 2  # centre-aligned pixel grids
            src_to_a = a_scale @ h_page @ np.linalg.inv(to_src)
        else:
            src, src_to_a = img, a_scale @ h_page
        page_small = cv2.warpPerspective(src, src_to_a, (aw, ah), flags=cv2.INTER_LINEAR,
                                         borderMode=cv2.BORDER_REPLICATE)
        base_angle = ol.quad_angle(quad_full)
    else:
        page_w, page_h = w, h
        h_page = np.eye(3)
        page_small = small
        aw = w // k
        base_angle = 0.0
    effective_dpi, dpi_rule = infer_dpi((page_w, page_h), (w, h), quad_full is not None, float(dpi), dpi_trusted)
    if dpi_rule == "assumed":
        warnings.append(WARN_DPI_UNKNOWN)
    a_dpi = effective_dpi * aw / page_w
    grey = cv2.cvtColor(page_small, cv2.COLOR_BGR2GRAY)
    ink = an.ink_map(grey, a_dpi)
    if sheet_job is not None:
        sheet_job.cancel()  # not asked (a page was found): dropped if it has not started yet
    edge_job: tuple[Future[bool], int] | None = None
    if finding is None and opt.detect_page and not sheet_found:
        # Kept whole although it does not look like a page filling the frame — its border is
        # no paper, or a sheet's own faint straight edge shows well inside it (a white slip on a
        # white lid, too faint to crop to; asked only of a scan, whose scale is known: a lid is
        # a scanner's, and without a scale a photo's ruled lines or column gaps pass for edges):
        # the officer must look and set the corners (issue #13: never silent).
        if misshapen or not _fills_frame(grey, ink, opt.ink_threshold):
            warnings.append(WARN_PAGE_NOT_FOUND)
        elif mdpi is not None:
            # The faint-edge look (~18 ms CPU) decides only this warning: it runs on the helper
            # thread beside the quality and skew analysis; its warning takes this place in the list.
            edge_job = (_beside(ol.faint_sheet_edge, inner, mdpi / 25.4 / k), len(warnings))

    # 4. Quality and blankness.
    paper_level = an.u8_percentile(grey[:: 4, :: 4], 90)  # = np.percentile(…, 90), from a histogram
    if paper_level < opt.dark_paper_level:
        warnings.append(WARN_TOO_DARK)
    fine_memo: list[tuple[np.ndarray, float]] = []
    # The skew refinement asks for it on nearly every text page with finer pixels than the
    # analysis copy (~8 ms CPU on an A4 scan): made on the helper thread beside the blank and
    # skew analysis below.
    fine_job = (_beside(_fine_grey, img, h_page, page_w, page_h, effective_dpi)
                if opt.deskew and effective_dpi >= 1.5 * a_dpi else None)

    def fine_view() -> tuple[np.ndarray, float]:
        # The page at ~150 dpi, made once: the faint-marks look and the skew refinement share it.
        if not fine_memo:
            fine_memo.append(fine_job.result() if fine_job is not None
                             else _fine_grey(img, h_page, page_w, page_h, effective_dpi))
        return fine_memo[0]

    blank = False
    if opt.detect_blank:
        blank = (an.count_glyphs(ink, a_dpi, opt.blank_ink_threshold, binding_grey=grey)
                 <= opt.blank_max_glyphs)
        if blank and opt.keep_faint_marks:
            # Looks blank at the analysis scale, where a pencil line is a third of a pixel: look
            # again at ~150 dpi for faint drawn strokes (issue #13: a near-blank page is never
            # dropped). Only blank-looking pages pay for this.
            fine, fine_dpi = fine_view()
            # A photographed page was taken on purpose (nobody photographs an empty back): its
            # faint print is content even where it looks like a back's bleed-through, all alike
            # (issue #13, real3 tx_receipt_faded_photo: a receipt's washed-out lines dropped).
            blank = an.faint_marks(fine, fine_dpi, bleed=not _photographed(quad_full, dpi_rule)) == 0
    # The output keeps the input's pixel density (100 % scale, DOMAIN §6): cropping changes the
    # page's pixel count, not its dpi (unless the dpi was inferred from the page's size, above).
    if effective_dpi < opt.min_dpi:
        warnings.append(WARN_LOW_RESOLUTION)
    # The letter-like marks (~8 ms CPU on an A4 scan) need only the ink map: on a page with
    # something to orient they are measured on the helper thread, idle while the blur and skew
    # analysis below run here (its queue: the fine view first, the skew refinement after).
    letters_job = _beside(_letter_marks, ink, a_dpi, opt.ink_threshold) if opt.orient and not blank else None
    # The blur measure (~5 ms CPU on an A4 scan) decides only its warning: it is taken on the
    # helper thread, idle while the skew is estimated here, and its warning takes this place in
    # the list (session 13).
    blur_job = (_beside(_page_sharpness, grey, ink, a_dpi, opt.ink_threshold), len(warnings)) if not blank else None

    # 5. Skew and orientation (not for blank pages: nothing to measure, nothing to show).
    # An outline from a sheet's solid edges (not texture alone, not two cards' hull, not cut by
    # the frame — a side on the frame is the frame's): on a slip its angle is averaged with the
    # print's (_card_residual). (Real receipts cut off by the glass's edge: their print was right.)
    # Only with a device dpi: a photo's size in mm is a guess (real2 card in a hand was flagged).
    slip_edges = finding is not None and not finding.weak and not finding.parts and dpi_trusted and \
        WARN_PAGE_CUT_OFF not in warnings
    residual = 0.0
    orientation = 0
    skew_conf = orient_conf = False
    text_mm: float | None = None  # letter-like marks' length, where the way up was read
    refine_job: Future[float] | None = None
    check_job: Future[tuple[float, float | None] | None] | None = None
    warp_job: Future[tuple[np.ndarray, np.ndarray] | None] | None = None
    fill: tuple[int, int, int] | None = None  # the paper's colour, for the corners a rotation uncovers
    if not blank and (opt.deskew or opt.orient):
        sk = an.estimate_skew(ink, opt.max_skew_deg, opt.ink_threshold)
        if sk is not None and sk.confident:
            skew_conf = True
            if opt.deskew and sk.glyphs is not None and quad_full is not None \
                    and not (finding is not None and finding.parts) and _checks_tilt(page_w, page_h, effective_dpi) \
                    and not _photographed(quad_full, dpi_rule):
                # The last look at the tilt left, measured beside the orientation. Only on a scan
                # cut from its outline: there the lines were led astray (by the lid's edge, by a
                # carbon's strokes); on real pages filling the frame the check itself strayed
                # (a faint page, old print: flagged straight), and on phone photos (perspective,
                # handwriting filled in: gen4 phone_keyboard#26, level, read 0.6–1.3° off).
                check_job = _beside(_glyph_check, ink, sk, a_dpi)
            residual = sk.angle_deg if opt.deskew else 0.0
            if opt.deskew and sk.glyphs is not None and not opt.orient:
                residual = _refined_skew(fine_view, effective_dpi, a_dpi, sk, opt)
            elif opt.deskew and sk.glyphs is not None:
                # The refinement (~12 ms CPU) and the full-resolution warp of an upright page (~13)
                # need nothing the orientation decides: both run on the helper thread beside it.
                # The warp is used only if the page stays as it lies and its matrix is the one
                # step 6 computes (else it is made there as before): the same bytes either way.
                refine_job = _beside(_refined_skew, fine_view, effective_dpi, a_dpi, sk, opt)
                fill = _paper_colour(det, finding.quad if finding else None)
                warp_job = _beside(_upright_warp, img, refine_job, h_page, page_w, page_h, quad_full is not None,
                                   float(dpi), opt.min_skew_deg, fill, slip_edges)
            if opt.orient:
                view_memo: list[np.ndarray] = []

                def osd_view(sk: an.SkewFinding = sk) -> np.ndarray:
                    # Built once: a photo's view cues and Tesseract may both read it.
                    if not view_memo:
                        view_memo.append(_osd_view(img, h_page, page_w, page_h, sk.angle_deg, effective_dpi,
                                                   ink, opt))
                    return view_memo[0]

                ruled = an.axis_in_doubt(ink, opt.ink_threshold, sk.angle_deg, opt.max_skew_deg, sk.vertical,
                                          sk.glyphs)
                # Lines found running down while the line blobs run across (a receipt's columns):
                # the axis is in doubt as on a ruled page — Tesseract reads the characters, and
                # without its confident answer the page is left as scanned and flagged.
                ruled = ruled or (sk.vertical and an.lines_run_across(ink, opt.ink_threshold, opt.max_skew_deg))
                def page_view(sk: an.SkewFinding = sk) -> tuple[np.ndarray, float]:
                    # The whole page at ~150 dpi (never upsampled), its lines levelled.
                    fine, fine_dpi = fine_view()
                    fh, fw = fine.shape
                    return cv2.warpAffine(fine, _rotation(-sk.angle_deg, fw, fh)[:2], (fw, fh),
                                          flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE), fine_dpi

                text_mm, marks = letters_job.result() if letters_job is not None else \
                    _letter_marks(ink, a_dpi, opt.ink_threshold)
                if marks < ORIENT_ASK_LETTER_MARKS:
                    # No letters to read a way up from: the lines found are rules or a grid. No
                    # turn is made on such evidence; the page stays as scanned and the officer is
                    # asked (a card's layout may still decide, below).
                    orientation, orient_conf = 0, False
                else:
                    orientation, orient_conf = _orientation(
                        sk, opt, osd_view, ruled, narrow=_narrow_slip(page_w, page_h, effective_dpi),
                        photo=_photographed(quad_full, dpi_rule), page_view=page_view,
                        vote=an.flank_share(sk.rows, sk.cols, sk.weights) >= ORIENT_MIN_FLANK_SHARE)
                    # A few words (a short receipt, a sparse slip): Tesseract reading the characters
                    # may still turn it right, but a turn or a keep on so little is never sure.
                    orient_conf = orient_conf and text_mm >= ORIENT_MIN_TEXT_MM
                if not orient_conf:
                    warnings.append(WARN_ORIENTATION_UNSURE)
            if refine_job is not None:
                residual = refine_job.result()
            if check_job is not None and _tilt_left(check_job.result(), residual, a_dpi):
                # The letters alone read the lines at another angle than the one undone: a rule,
                # an edge or a scribble may have led the estimate (or the page holds two tilts,
                # e.g. two cards copied crooked). Told, never left in silence (issue #13).
                warnings.append(WARN_SKEW_UNSURE)
        elif sk is not None and len(sk.rows) >= 300:
            # Text, but no line direction either estimator trusts: left as it is, and said so
            # (issue #13: no page leaves tilted without a warning on its thumbnail). Without a
            # line direction the page's orientation was never judged either: a receipt photographed
            # upside down left silently as it was (ori2), so that is said too.
            if opt.deskew:
                warnings.append(WARN_SKEW_UNSURE)
            if opt.orient:
                warnings.append(WARN_ORIENTATION_UNSURE)
        elif opt.orient and (letters_job.result() if letters_job is not None
                             else _letter_marks(ink, a_dpi, opt.ink_threshold))[1] >= ORIENT_ASK_LETTER_MARKS:
            # A few words and no line direction (a near-blank page's one footer line, too little
            # ink even for an estimate): the way up was never judged, and the page may lie upside
            # down or sideways — said, not assumed (session 10: gen3_text glyph_poor footer lines
            # kept at 0 in silence).
            warnings.append(WARN_ORIENTATION_UNSURE)
    # A photo states no scale, and its perspective moves the outline's aspect off a card's by a
    # few per cent (size:ID-1 allows 3 %): a card held in a hand was taken for a page and left
    # upside down or turned a quarter (issue #13, session 10; gen3_text card_hand_photo). An
    # outline found in a photo whose aspect is ID-1's within CARD_PHOTO_ASPECT_TOL — A-series
    # 1.414 and till rolls ≥ 2 lie outside — is asked for a card's layout too, but a turn it
    # gives stands sure only where the page's own reading agrees (it may be no card). A card
    # carries little text: a page or a spread photographed at a slant can have a card's aspect
    # too (lead, session 10: two held-out spreads, 1371 and 1506 mm of letters, turned by the
    # card layout), so where only the shape says "card" (no scale: the size was assumed or set
    # from that very shape), one with more letters than CARD_MAX_TEXT_MM is read as a page.
    wordy = (dpi_rule == "assumed" or dpi_rule.startswith("size:")) and text_mm is not None \
        and text_mm > CARD_MAX_TEXT_MM
    loose_card = (dpi_rule == "assumed" and finding is not None and quad_full is not None and not finding.parts
                  and not wordy
                  and abs(max(page_w, page_h) / max(1, min(page_w, page_h)) / ID1_ASPECT - 1) <= CARD_PHOTO_ASPECT_TOL
                  and not _size_is(max(page_w, page_h) / effective_dpi * 25.4,
                                   min(page_w, page_h) / effective_dpi * 25.4, ("ID-1",)))
    # Two cards (a front and its back) side by side on the glass, found as one outline: each
    # card's layout is asked, half by half (session 11; before, the pair was no known size and
    # its few lines of text were read as one page's: turned wrong, flagged).
    pair = finding is not None and quad_full is not None and not finding.parts and not wordy \
        and dpi_rule != "assumed" and _card_pair_sized(max(page_w, page_h) / effective_dpi * 25.4,
                                                       min(page_w, page_h) / effective_dpi * 25.4)
    # A card filling the frame (a specimen scanned and cropped tight, a card scanned edge to edge:
    # no outline is found): read as a page, an ID card's back with its MRZ came out upside down
    # (real2 pe_id_d, pe_id_si, mrz_resident_usa; session 12). A frame of ID-1's aspect with a
    # card's few letters is asked for a card's layout too — as loosely as a photo's card shape.
    # (Its letters are measured at the scale the card's own width gives: a frame's dpi may be a
    # guess, and a page's assumed scale made a card's letters twice as long.)
    card_dpi = max(page_w, page_h) / ID1_MM_LONG * 25.4
    framed_card = (finding is None and not blank and text_mm is not None
                   and text_mm * effective_dpi / card_dpi <= CARD_MAX_TEXT_MM
                   and abs(max(page_w, page_h) / max(1, min(page_w, page_h)) / ID1_ASPECT - 1)
                   <= CARD_PHOTO_ASPECT_TOL)
    if framed_card and opt.orient and mrz_turn(grey) is None:
        # Only the MRZ's filler is taken as the word of a frame's shape: the other layout cues
        # (aligned lines, a title, a QR code, a photo) turned a US driving licence filling its
        # frame upside down (real2 azure_driver_license_wa).
        framed_card = False
    loose_card = loose_card or framed_card
    if (opt.orient and not blank and (framed_card or (finding is not None and quad_full is not None
            and (finding.parts or loose_card or pair
                 or (not wordy and _size_is(max(page_w, page_h) / effective_dpi * 25.4,
                                            min(page_w, page_h) / effective_dpi * 25.4, ("ID-1",))))))):
        # An ID card (or a front and back on one glass): its fixed layout (the back's MRZ at the
        # bottom, the front's QR code top-right) says which way up it lies, where its few short
        # lines of text do not (issue #13). Agreeing makes the decision sure; a card the layout
        # turns otherwise than a sure text-line reading is turned by the layout but flagged.
        parts = finding is not None and bool(finding.parts)
        layout = cards_layout(grey, parts or pair)
        card_turn = None if layout is None else layout[0]
        # The MRZ's "<" filler along one long edge is no habit of one card type (ICAO 9303): a
        # turn it gives is the layout's sure word even where only the shape said "card", and
        # where the text lines read otherwise.
        by_mrz = layout is not None and not parts and not pair and mrz_turn(grey) == layout[0]
        if (card_turn is None and not parts and not loose_card and not pair and page_h > page_w
                and orientation % 180 == 0
                and skew_conf and sk is not None and sk.vertical):
            # A card found standing on its side lies a quarter turned (an upright card is
            # landscape): left at 0/180 it is certainly wrong. Without a layout cue the text
            # lines' own lean picks 90 or 270 — flagged, as the cue is missing (session 8).
            lean, _ = an.upside_down_score(sk.rows, sk.cols, sk.weights)
            orientation, orient_conf = (270 if lean > 0 else 90), False
            if WARN_ORIENTATION_UNSURE not in warnings:
                warnings.append(WARN_ORIENTATION_UNSURE)
        if layout is not None:
            card_turn, layout_sure = layout
            was_sure = orient_conf and card_turn != orientation
            agreed = orient_conf and card_turn == orientation
            # A layout cue that is only one card type's habit (the chip CCCD's photo on the left,
            # its QR code top-right) or that another cue contradicts turns the card, flagged,
            # unless the text lines read the same turn surely (session 11: a driving licence
            # turned 180° in silence by the CCCD's photo rule).
            orientation = card_turn
            # The MRZ's filler outweighs a card's few lines of text read the other way (gen7
            # card_sleeve#34: a back upside down, its upper text block read as lines' way up).
            orient_conf = (True if by_mrz and layout_sure
                           else agreed if loose_card or not layout_sure else not was_sure)
            unsure = WARN_ORIENTATION_UNSURE in warnings
            if orient_conf and unsure:
                warnings.remove(WARN_ORIENTATION_UNSURE)
            elif not orient_conf and not unsure:
                warnings.append(WARN_ORIENTATION_UNSURE)
    elif (opt.orient and not blank and text_mm is not None
          and (WARN_ORIENTATION_UNSURE in warnings or dpi_rule == "device")
          and not (dpi_rule == "device" and max(page_w, page_h) / effective_dpi * 25.4 > MRZ_PAGE_MAX_MM)):
        # No card by its size or shape, and its way up in doubt: a passport's data page or an ID-3
        # card (125 × 88 mm, A-series' aspect) carries the same MRZ along its bottom edge (real2
        # mrzs_card_in_hand, held in a hand, turned 180 and flagged). Its filler is asked — only
        # where the way up was in doubt, and not of a scan measured larger than a passport page
        # (an A4 copy of one has its zone mid-page, never along the sheet's edge: 20–40 ms saved).
        # A scan no larger than a passport page is asked even where its lines read surely: the
        # filler is the stronger, specific cue (real3 mrzd_passport_est_scan, its text lines read
        # upside down "surely": 180 in silence). Where the two disagree the filler turns the page,
        # and the officer is told (two confident cues at odds: never silent).
        mrz = mrz_turn(grey)
        if mrz is not None and WARN_ORIENTATION_UNSURE in warnings:
            orientation, orient_conf = mrz, True
            warnings.remove(WARN_ORIENTATION_UNSURE)
        elif mrz is not None and mrz != orientation:
            orientation, orient_conf = mrz, False
            warnings.append(WARN_ORIENTATION_UNSURE)
    if printed is not None and opt.orient and not blank:
        # Card images printed on the sheet: the page's few lines may not say its way up; the cards'
        # layout does. Their MRZ filler decides a page in doubt surely; other layout cues turn it,
        # flagged. A sure reading of the page's own lines stays, flagged when the MRZ disagrees.
        quad_a = cv2.perspectiveTransform(((printed[0] + 0.5) * k - 0.5)[None].astype(np.float64), h_page)[0]
        quad_a = (quad_a + 0.5) * (aw / page_w) - 0.5
        cue = printed_cards_turn(grey, quad_a, printed[1])
        if cue is not None and not orient_conf:
            orientation, orient_conf = cue
        elif cue is not None and cue[1] and cue[0] != orientation:
            orient_conf = False
        if orient_conf and WARN_ORIENTATION_UNSURE in warnings:
            warnings.remove(WARN_ORIENTATION_UNSURE)
        elif not orient_conf and WARN_ORIENTATION_UNSURE not in warnings:
            warnings.append(WARN_ORIENTATION_UNSURE)
    if _slip_split(residual, slip_edges, page_w, page_h, float(dpi)) and WARN_SKEW_UNSURE not in warnings:
        # Its edges and its print disagree by more than either's own error: the average is
        # taken, and the officer told the slip may still lean (issue #13: never silent).
        warnings.append(WARN_SKEW_UNSURE)
    residual = _card_residual(residual, quad_full is not None, page_w, page_h, float(dpi), slip_edges)
    skew_total = base_angle + residual
    if skew_conf and quad_full is not None:
        # The skew reported is the text lines' direction in the input. A page cut off by the frame
        # (a feeder's crooked sheet, a corner out of the glass) may get a quad whose sides are not
        # all the paper's: the warp then shears, and the mean of the sides' angles plus the
        # residual measured on the warped copy is not the lines' angle (0.48° off on a sideways
        # page, issue #13). Mapping the straightened line direction back through the warp is.
        assert sk is not None  # skew_conf is set only from a finding
        lines = _input_line_angle(h_page, page_w, page_h, residual, sk.vertical)
        skew_total += (lines - skew_total + 45.0) % 90.0 - 45.0  # the same angle, on the old side of ±45°

    # 6. One warp of the full image: rectify × deskew × quarter-turn.
    rot = _rotation(-residual, page_w, page_h) if abs(residual) >= opt.min_skew_deg else np.eye(3)
    turn, out_size = _quarter_turn(orientation, page_w, page_h)
    m = turn @ rot @ h_page
    upright = warp_job.result() if warp_job is not None else None
    if quad_full is None and abs(residual) < opt.min_skew_deg:
        codes = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
        out = img.copy() if orientation == 0 else cv2.rotate(img, codes[orientation])
    elif upright is not None and orientation == 0 and np.array_equal(upright[0], m):
        out = upright[1]  # made beside the orientation (see step 5) from this very matrix
    else:
        out = _warp(img, m, out_size, fill or _paper_colour(det, finding.quad if finding else None))

    if fine_job is not None:
        fine_job.cancel()  # not asked (a blank page, no confident lines): dropped if not started
    if letters_job is not None:
        letters_job.cancel()  # not asked (text without a trusted line direction): likewise
    if blur_job is not None:
        sharp = blur_job[0].result()
        if sharp is not None and sharp < opt.blur_sharpness:
            warnings.insert(blur_job[1], WARN_BLUR)  # (before the faint-edge look's: its place is earlier)
    if edge_job is not None and edge_job[0].result():
        warnings.insert(edge_job[1], WARN_PAGE_NOT_FOUND)

    log.debug("page: quad=%s skew=%.2f orientation=%d blank=%s warnings=%s",
              quad_full is not None, skew_total, orientation, blank, warnings)
    return PageResult(image=out, quad=quad_full, skew_deg=float(skew_total), orientation=orientation,
                      blank=blank, warnings=warnings, effective_dpi=effective_dpi,
                      skew_confident=skew_conf, orientation_confident=orient_conf, dpi_rule=dpi_rule)


def _page_sharpness(grey: np.ndarray, ink: np.ndarray, a_dpi: float, threshold: int) -> float | None:
    """:func:`an.sharpness` of the analysis page, at one pixel pitch for every page.

    The measure is per pixel: a card is analysed from the full image at ~300 dpi, where a crisp
    print edge spans three times the pixels it does on an A4 page's analysis copy, and was read as
    blurred (issue #13). So pages finer than 1.5 × SHARPNESS_DPI are reduced to it first.
    """
    if a_dpi > 1.5 * SHARPNESS_DPI:
        f = SHARPNESS_DPI / a_dpi
        grey = cv2.resize(grey, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
        ink = cv2.resize(ink, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    return an.sharpness(grey, ink, threshold)


TILT_CHECK_DEG = 0.2  # letters' lines further than this from the angle undone: the tilt left is told
TILT_CHECK_DPI = 150.0  # analysis pages coarser than this get a wider tolerance (see _tilt_left)
TILT_CHECK_MIN_MM = 120.0  # pages shorter than this (ID cards) are not checked: their lines are ~40 mm


def _checks_tilt(page_w: int, page_h: int, dpi: float) -> bool:
    """Whether the tilt left on this page is checked (:func:`_glyph_check`): not on a card-sized
    one, nor on two cards side by side, whose few short lines measure no finer than the check's
    tolerance (gen2 card_pair#41, deskewed within 0.03°, read 0.24–0.32° off)."""
    long_mm, short_mm = max(page_w, page_h) / dpi * 25.4, min(page_w, page_h) / dpi * 25.4
    return long_mm >= TILT_CHECK_MIN_MM and not _card_pair_sized(long_mm, short_mm)


def _glyph_check(ink: np.ndarray, sk: an.SkewFinding, dpi: float) -> tuple[float, float | None] | None:
    """The text lines' angle on the analysis page from letter-sized marks alone, read twice
    (:func:`an.glyph_line_angle`; the second reading only where the first strays), for the last
    check of the tilt left; ``None``: no reading."""
    assert sk.glyphs is not None
    h, w = ink.shape
    my, mx = max(2, int(0.04 * h)), max(2, int(0.04 * w))  # the core estimate_skew measured
    return an.glyph_line_angle(sk.glyphs, ink[my:h - my, mx:w - mx], dpi, sk.angle_deg, sk.vertical,
                               second_beyond=TILT_CHECK_DEG - 0.05)


def _tilt_left(check: tuple[float, float | None] | None, residual: float, dpi: float) -> bool:
    """Whether both of the check's readings of the lines (``check``) leave more than
    ``TILT_CHECK_DEG`` of tilt, the same way, after undoing ``residual`` on an analysis page at ``dpi``.

    The tolerance grows on coarser analysis pages (below ``TILT_CHECK_DPI``, in proportion to the
    pixel's size): at 75 dpi a text line is ~5 pixels tall and the letters' projection peaks
    broadly. Either reading alone strayed on straight real pages (up to 0.9° on a faint page);
    both the same way by more than the tolerance: on three of the real set's 62 text pages.
    """
    if check is None or check[1] is None:
        return False
    tol = TILT_CHECK_DEG * max(1.0, TILT_CHECK_DPI / dpi)
    d1, d2 = check[0] - residual, check[1] - residual
    return min(abs(d1), abs(d2)) > tol and (d1 > 0) == (d2 > 0)


NARROW_SLIP_MM = 90.0  # a page no wider than this (a till roll is 57 or 80 mm) is read by Tesseract
NARROW_SLIP_ASPECT = 1.5  # … when longer than any paper size (A-series √2, letter 1.29) and not card-sized


def _narrow_slip(page_w: int, page_h: int, dpi: float) -> bool:
    """Is the page a narrow slip (a till receipt: ≤ 90 mm wide, at least 1.5 times as long)?

    On such a slip the ascender/descender vote has little to count: its lines are short and
    mostly capitals, digits and amounts, whose ink sits evenly about the x-height band. On
    gen3_text's till receipts an upright receipt and the same receipt turned over scored on the
    same side (−0.34 and −0.25), so upside-down receipts were kept "surely". The shape is asked
    too, not the width alone: a dpi-less photo's width in mm is a guess, and ID cards (1.59 times
    as long as wide) have their own cue. A short sale's receipt is torn off shorter than twice its
    width (gen3_text ``till_short``, 1.3–1.9: gen2's upright 80 × 137 mm receipt was found
    sideways and turned 90° with no warning), so 1.5, not 2 — but not 1.3 either: an A4 page
    whose stated dpi is three times too high measures 70 × 99 mm, and an A-series page's √2
    must never make it a slip.
    """
    short_mm, long_mm = sorted((page_w / max(dpi, 1.0) * 25.4, page_h / max(dpi, 1.0) * 25.4))
    return (short_mm <= NARROW_SLIP_MM and long_mm >= NARROW_SLIP_ASPECT * short_mm
            and not _size_is(long_mm, short_mm, ("ID-1",)))


# ID-1's aspect (85.6 / 53.98), and how far a photographed outline's may be off it to be asked
# for a card's layout (:func:`process_page`): A4's 1.414 is 11 % below, a till roll's ≥ 2 far above;
# gen3_text card_hand_photo's cards measured 5–6 % off in perspective.
# The longest page an MRZ lies along the edge of: a passport's data page (ICAO TD3, 125 × 88 mm).
MRZ_PAGE_MAX_MM = 140.0
ID1_MM_LONG = 85.6
ID1_ASPECT = ID1_MM_LONG / 53.98
CARD_PHOTO_ASPECT_TOL = 0.07
# The most letters (:func:`_letter_marks`' length) a photographed card can carry: gen3_text's
# card_hand_photo cards (CCCD fronts and backs, seed 101) measure 283–490; this leaves room for a
# denser card (a driving licence, the 2024 card's back) and is far below a page's or a spread's.
CARD_MAX_TEXT_MM = 800.0
PHOTO_CORNER_DEG = 2.0  # a found outline this far from right angles was seen in perspective


def _photographed(quad: np.ndarray | None, dpi_rule: str) -> bool:
    """Does the page look photographed rather than scanned?

    A scanner states its dpi (or its bed gives the scale) and sees the page square on; a phone
    states no believable dpi, or sees the page in perspective (corners off right angles). On a
    photo the ascender/descender vote is weak and can be wrong outright: defocus and washed-out
    ink take the thin strokes it counts (accents, ascender tops) first — on gen3_text's
    ``camera_flip`` pages a sideways photo scored −0.26 for the wrong side, upside-down ones
    −0.14 for "upright" (gen4 phone_spread#83 kept upside down with no warning).
    """
    if not (dpi_rule == "device" or dpi_rule.startswith("bed:")):
        return True
    if quad is None:
        return False
    worst = 0.0
    for i in range(4):
        a, b = quad[i - 1] - quad[i], quad[(i + 1) % 4] - quad[i]
        cos = float(np.dot(a, b) / max(1e-9, float(np.linalg.norm(a) * np.linalg.norm(b))))
        worst = max(worst, abs(math.degrees(math.acos(max(-1.0, min(1.0, cos)))) - 90.0))
    return worst > PHOTO_CORNER_DEG


def _osd_view(img: np.ndarray, h_page: np.ndarray, page_w: int, page_h: int, skew_deg: float, dpi: float,
              ink: np.ndarray, opt: PipelineOptions) -> np.ndarray:
    """What Tesseract's orientation detection reads: the straightened page in grey, a window of
    at most ``opt.osd_window`` px at ~300 dpi around the text, reduced to ``opt.osd_dpi``.

    The ~75-dpi analysis copy is far below what its classifier was trained on (x-heights of
    4–5 px): it answered wrongly or not at all on pages whose text reads easily at 300 dpi. A
    window around the ink keeps the call short on a page nobody could decide. 225 dpi rather than
    300 (the same page area): on gen3_text's asked pages, each also turned by 90/180/270
    (132 cases), Tesseract was confidently right on 114 instead of 110, never confidently wrong,
    with 9 % less CPU; 150 dpi lost two thirds of its answers and 255 dpi answered 11 wrongly.
    The reduction is an area average of the 300-dpi window: warping straight to 225 dpi aliased
    thin strokes and lost a form's answer.
    """
    scale = min(3.0, max(1.0, 300.0 / max(dpi, 1.0)))
    ah, aw = ink.shape
    ys, xs = np.nonzero(ink > opt.ink_threshold)
    # The window's centre: the middle of the inked area (analysis → page pixels).
    cx = float(np.median(xs)) * page_w / aw if len(xs) else page_w / 2
    cy = float(np.median(ys)) * page_h / ah if len(ys) else page_h / 2
    ow, oh = min(opt.osd_window, round(page_w * scale)), min(opt.osd_window, round(page_h * scale))
    x0 = min(max(0.0, cx * scale - ow / 2), page_w * scale - ow)
    y0 = min(max(0.0, cy * scale - oh / 2), page_h * scale - oh)
    window = np.array([[scale, 0, -x0], [0, scale, -y0], [0, 0, 1]], np.float64)
    m = window @ _rotation(-skew_deg, page_w, page_h) @ h_page
    grey = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    view = cv2.warpPerspective(grey, m, (max(1, ow), max(1, oh)), flags=cv2.INTER_CUBIC,
                               borderMode=cv2.BORDER_REPLICATE)
    f = opt.osd_dpi / 300.0
    if f < 1.0 and min(ow, oh) * f >= 32:
        view = cv2.resize(view, (max(1, round(ow * f)), max(1, round(oh * f))), interpolation=cv2.INTER_AREA)
    return view


# Letter-like marks (porous ink blobs whose narrow extent, measured along their own axis, is 1–8 mm
# and whose length is at most 80 mm: a glyph, or a word merged at the analysis scale) — what the
# up/down cues read. Rules, dashes and table grids (thin, or far longer) and a seal's ring are
# not letters, however many "lines" they make. A way up is decided only on at least
# ORIENT_MIN_TEXT_MM of them along the lines (~ two thirds of one A4 line; gen3_text ORI10
# glyph_poor pages measure 0–24 mm, the SCENES text pages 186 mm and more, a pencilled line up to
# 92 mm); with ORIENT_ASK_LETTER_MARKS of them and no line direction the officer is asked.
ORIENT_MIN_TEXT_MM = 100.0
ORIENT_ASK_LETTER_MARKS = 3
LETTER_MAX_FILL = 0.9
# Share of the lines' ink above/below their core bands (:func:`an.flank_share`) below which the
# ascender vote has nothing to weigh: text pages 0.10–0.18 and photos 0.14–0.23 on gen3_text
# (SCENES seed 5, ORI5 seed 7), a page of solid dashes 0.027 (PNG) and 0.052 (JPEG q95) — but a
# short till receipt's capitals and digits 0.050 too: so it only silences our vote (Tesseract,
# reading characters, still may turn the page), it does not forbid a turn.
ORIENT_MIN_FLANK_SHARE = 0.08


def _letter_marks(ink: np.ndarray, dpi: float, threshold: int) -> tuple[float, int]:
    """Total length and number of letter-like marks on the analysis page (see ORIENT_MIN_TEXT_MM);
    the length is counted in the marks' own heights × 2 mm (scale-free: a wrong dpi does not move it).

    Each mark's extents come from its second moments, so a rule tilted by a few degrees (whose
    bounding box is millimetres tall) still measures its own thickness. The frame's outer band is
    left out, as in :func:`an.count_glyphs` (scanner edge shadows).
    """
    h, w = ink.shape
    m = max(2, int(0.025 * min(h, w)))
    binary = cv2.threshold(np.ascontiguousarray(ink[m:h - m, m:w - m]), threshold, 1, cv2.THRESH_BINARY)[1]
    n, labels, stats, cent = components_with_stats(binary, connectivity=8)
    if n <= 1:
        return 0.0, 0
    # Counts and means from the labelling's own stats: integer sums (exact in float64 in any
    # order) over the same count, so the same numbers bit for bit as per-label bincounts; the
    # point list from OpenCV (~3× cheaper than np.nonzero of the labels). The background row is
    # never a mark (ok[0] below). Session 11: 11 → ~8 ms CPU on a real A4 page.
    pts = cv2.findNonZero(binary).reshape(-1, 2)
    xs, ys = pts[:, 0], pts[:, 1]
    lab = labels[ys, xs]
    x, y = xs.astype(np.float64), ys.astype(np.float64)
    cnt = np.maximum(stats[:, cv2.CC_STAT_AREA], 1).astype(np.float64)
    mx, my = cent[:, 0].astype(np.float64), cent[:, 1].astype(np.float64)
    cnt[0], mx[0], my[0] = 1.0, 0.0, 0.0  # the background's row as before (no points: no NaN)
    # Pixel extents: + 1/12 is a one-pixel square's own variance (a 1-px stroke is 1 px thick).
    sxx = np.bincount(lab, x * x, n) / cnt - mx * mx + 1 / 12
    syy = np.bincount(lab, y * y, n) / cnt - my * my + 1 / 12
    sxy = np.bincount(lab, x * y, n) / cnt - mx * my
    half, det = (sxx + syy) / 2, sxx * syy - sxy * sxy
    disc = np.sqrt(np.maximum(half * half - det, 0.0))
    px_mm = dpi / 25.4
    minor = np.sqrt(12 * np.maximum(half - disc, 0.0)) / px_mm  # a uniform bar's length is √12 σ
    major = np.sqrt(12 * (half + disc)) / px_mm
    # Porous, as letters are: a word merged at the analysis scale keeps gaps between and inside
    # its letters (fill of its extent 0.57–0.68 on gen3_text's pages); a solid bar or dash fills
    # it (0.99: session 9's page of dashes, turned 180° in silence after JPEG q95).
    porous = cnt <= LETTER_MAX_FILL * (minor * px_mm) * (major * px_mm)
    # 1 mm, or 3 analysis pixels where that is less: a stated dpi may be too high (gen1's 100-dpi
    # feeder page processed as 300 dpi has its letters a third of their size in "mm").
    ok = (minor >= min(1.0, 3 / px_mm)) & (minor <= 8.0) & (major <= 80.0) & porous
    ok[0] = False
    # The length in the marks' own heights, × 2 mm (a typical x-height): the same figure as mm on
    # a page whose dpi is right, and one that does not shrink when the stated dpi is wrong.
    return float((major[ok] / minor[ok]).sum() * 2.0), int(ok.sum())


# The cues' ballot (:func:`_orientation`, session 13): line ends count as a vote from this lean
# (gen7, 97 frames with the axis right: flush ≥ 0.1 never wrong, 0.05–0.1 wrong on 3), and go
# against a sure decision from ORIENT_FLUSH_STRONG.
ORIENT_FLUSH_VOTE = 0.1
ORIENT_FLUSH_STRONG = 0.2


def _vote_sign(value: float, at_least: float) -> int:
    """+1 (the page reads turned by 180° from the found axis), −1 (it reads as found), 0 (no vote)."""
    return 0 if abs(value) < at_least else (1 if value > 0 else -1)


def _orientation(sk: an.SkewFinding, opt: PipelineOptions, osd_view: Callable[[], np.ndarray],
                 ruled: bool = False, narrow: bool = False, photo: bool = False,
                 page_view: Callable[[], tuple[np.ndarray, float]] | None = None, vote: bool = True
                 ) -> tuple[int, bool]:
    """Clockwise quarter-turn that makes the text upright, and whether the decision is sure.

    The first reading (:func:`_first_reading`) is then put to a ballot of every cue it asked
    (session 13): our ascender vote on the analysis copy (``orientation_min_evidence``), the two
    view cues (glyph shapes on Tesseract's window, line ends on the levelled page) and Tesseract's
    confident reading on the same axis. Where the first reading is not sure the view cues are
    always asked (a few ms against Tesseract's ~0.5 s): two net votes one way turn the page that
    way, sure only when every vote agrees and both view cues voted (gen7 carbon_receipt#57, a
    scan whose three cues all read 180°, was kept at 0). A sure reading that any cue consulted
    goes against is flagged, and turned the ballot's way when it loses it: Tesseract keeping an
    upside-down photo our two glyph cues read turned (gen7 phone_on_pile#72) and a ruled form
    flipped on an ascender vote Tesseract read the other way (real3 rtd_tractor_form_scan, a
    Chinese form: no ascenders to count) were both silent. A sure reading of our own vote that
    needed nothing else stays as it was (nothing more is read: no cost on the common page).
    A page found sideways but left across for too few lines (not ruled, not a slip) is turned
    sideways, flagged, when our vote and both view cues read the same side (gen7 dotmatrix_slip).
    """
    memo: list[tuple[float, float]] = []

    def views() -> tuple[float, float]:
        # Both view cues, read once (the photo path may already have asked).
        if not memo:
            asc = an.view_ascender_score(osd_view(), opt.osd_dpi, opt.ink_threshold, sk.vertical)
            flush = 0.0
            if page_view is not None:
                level, level_dpi = page_view()
                flush, _ = an.view_flush_score(level, level_dpi, opt.ink_threshold, sk.vertical)
            memo.append((asc, flush))
        return memo[0]

    osd: list[tuple[int, float] | None] = []
    turn, sure, score, lines = _first_reading(sk, opt, osd_view, views, osd, ruled, narrow, photo, vote)
    if lines < opt.orientation_min_lines or (sure and not memo and not osd):
        return turn, sure
    base = 90 if sk.vertical else 0
    asc, flush = views()
    ours, glyphs = _vote_sign(score, opt.orientation_min_evidence), _vote_sign(asc, opt.orientation_view_evidence)
    ends = _vote_sign(flush, ORIENT_FLUSH_VOTE)
    tess = 0
    read = osd[0] if osd else None
    if read is not None and read[0] % 180 == base % 180 and read[1] >= opt.osd_min_confidence:
        tess = 1 if read[0] != base else -1
    votes = [v for v in (ours, glyphs, ends, tess) if v]
    total = sum(votes)
    if turn % 180 != base % 180:
        # Left across only for want of lines (not a ruled page's or a slip's doubt, where the
        # cues read columns as lines: gen3_text num_table #4 read all three "90" upright).
        if sk.vertical and turn == 0 and not (sure or ruled or narrow) and ours != 0 and ours == glyphs == ends:
            return (base + (180 if ours > 0 else 0)) % 360, False
        return turn, sure
    now = 1 if turn != base else -1
    if sure:
        if glyphs == -now or tess == -now or (ends == -now and abs(flush) >= ORIENT_FLUSH_STRONG):
            return ((base + (180 if total > 0 else 0)) % 360 if total * now < 0 else turn), False
        return turn, True
    if abs(total) >= 2:
        unanimous = abs(total) == len(votes) and glyphs != 0 and ends != 0
        axis_doubt = ruled or narrow or (sk.vertical and lines < opt.orientation_sideways_min_lines)
        return (base + (180 if total > 0 else 0)) % 360, unanimous and not axis_doubt
    return turn, sure


def _first_reading(sk: an.SkewFinding, opt: PipelineOptions, osd_view: Callable[[], np.ndarray],
                   views: Callable[[], tuple[float, float]], osd: list[tuple[int, float] | None],
                   ruled: bool = False, narrow: bool = False, photo: bool = False, vote: bool = True
                   ) -> tuple[int, bool, float, int]:
    """The orientation as our vote, a photo's view cues and Tesseract read it (sessions 7–12):
    the turn, whether it is sure, our vote as weighed (0 where it counts as none) and its lines.
    Tesseract's answer, when asked, is appended to ``osd``.

    Sideways (vertical lines) is sure when the skew finding is; which of 90/270 (and whether
    an upright page is upside down) rests on the ascender/descender asymmetry. A weak
    asymmetry or few lines is not enough to turn a page upside down (faint text, a banknote
    were flipped "confidently" on a 0.03 margin, issue #13): then Tesseract's orientation
    detection reads the page at ~225 dpi (``osd_view``, built only then); its answer is
    followed when it is confident, agrees with the line direction and is not against a lean
    of our own. Otherwise the page is not flipped and the caller warns, so the officer turns it
    with one key.

    ``ruled``: the page has long rules across and down and its text-line blobs do not run the
    way its lines were found (:func:`an.axis_in_doubt`). The line direction is then no evidence
    of how the page lies — a typewritten table of numbers has columns as sharp as its rows (real
    table_15 was turned 90° that way) — so Tesseract, which reads the characters, is asked even
    when our own evidence looks sure: when it confidently reads the other axis, its turn is
    followed but flagged (our two sources disagree). Otherwise a page found upright-ish keeps our
    decision, and a page found sideways is left as scanned and flagged.

    ``narrow``: a till receipt (:func:`_narrow_slip`). Its asymmetry is no evidence either way, so
    it counts as none: Tesseract decides (a flip on its word alone flagged, as above), and
    without its confident answer the slip is left as scanned and flagged.

    ``photo``: a photographed page (:func:`_photographed`): our vote decides alone only when it is
    strong (``orientation_photo_evidence``) either way; a weaker one neither stands without
    Tesseract's agreement nor blocks its confident reading.

    ``vote``: False when the lines carry next to no ink outside their cores (solid bars, not
    letters): our ascender score then counts as none.
    """
    score, lines = an.upside_down_score(sk.rows, sk.cols, sk.weights)
    if not vote:
        # Too little ink above and below the lines' cores (:func:`an.flank_share`): the score is a
        # ratio of two slivers of edge blur (solid dashes: +0.37 after JPEG q95, −0.61 before,
        # session 9) — no evidence either way; Tesseract, reading characters, may still decide.
        score = 0.0
    if narrow:
        # Neither our vote nor our axis: a receipt's two columns (names flush left, amounts flush
        # right) make "down" as sharp as its short lines across, either way round (gen3_text
        # till_short: receipts turned 90° found across, upright ones found sideways).
        score = 0.0
        ruled = True
    # A sideways finding from a handful of lines is as doubtful as a ruled page's: a receipt's
    # narrow column of short lines (item names flush left, prices flush right) and a photographed
    # handwritten page were found running down the page and turned 90° "surely" (ori2). Such a
    # page is treated like a ruled one: Tesseract reads its characters; without its confident
    # agreement the page is left as scanned and flagged. Sideways pages with many lines are
    # unchanged (no extra Tesseract call where we were right).
    ruled = ruled or (sk.vertical and lines < opt.orientation_sideways_min_lines)
    base = 90 if sk.vertical else 0
    lean = (base + (180 if score > 0 else 0)) % 360
    # Turning an upright-looking page upside down needs more than keeping it: a wrong flip
    # spoils a page that was right (faint newspaper text scored +0.23 over 28 lines). Choosing
    # between 90° and 270° is the same kind of choice (either way a wrong guess leaves the page
    # upside down): a sideways page scanned at 300 dpi and saved as JPEG q95 scored −0.14 for the
    # wrong side, so it needs the same stronger evidence, or Tesseract, or the officer.
    flip = sk.vertical or score > 0
    need = opt.orientation_flip_evidence if flip else opt.orientation_min_evidence
    lean_min = opt.orientation_min_evidence  # a lean this strong goes against Tesseract
    if photo:
        need = lean_min = max(need, opt.orientation_photo_evidence)
    sure = lines >= opt.orientation_min_lines and abs(score) >= need
    if photo and not narrow and not ruled and lines >= opt.orientation_min_lines:
        # A photo: the up/down question asked again, of finer views, by two cues that fail
        # differently — glyph shapes (ascenders and accents above the x-height band, measured on
        # Tesseract's ~225-dpi window: :func:`an.view_ascender_score`) and line ends (flush left,
        # ragged right, measured on the whole levelled page: :func:`an.view_flush_score`). Both
        # must lean the same way, each by ≥ ``orientation_view_evidence``. On gen3_text
        # ORI5_SCENES seed 91 and camera_flip seed 94 (84 photos whose axis was found right) they
        # agreed on 29, all right; alone each was wrong on 10–12. At 0.03 (35 there, all right)
        # seed 93 had three pages turned wrong in silence (two handwritten, a Latin letter whose
        # glyph cue read −0.35 upside down); at 0.05 one. Tesseract is not asked when they agree.
        asc, flush = views()
        agree = (min(abs(asc), abs(flush)) >= opt.orientation_view_evidence and (asc > 0) == (flush > 0))
        cue = (base + (180 if asc > 0 else 0)) % 360
        if sure:
            # Our vote is strong; both view cues against it is a disagreement, said, not hidden.
            return lean, not (agree and cue != lean), score, lines
        if agree and not (abs(score) >= opt.orientation_min_evidence and cue != lean):
            return cue, True, score, lines
    if sure and not ruled:
        return lean, True, score, lines
    fallback = 0 if ruled and sk.vertical else base
    contested = False
    # Tesseract only where there is text to read (a line or two is not worth a second).
    if opt.use_tesseract and lines >= opt.orientation_min_lines:
        read = tesseract_orientation(osd_view(), timeout_s=opt.osd_timeout_s, wall_s=opt.osd_wall_s)
        osd.append(read)
        if read is not None:
            turn, conf = read
            if turn % 180 != base % 180 and ruled:
                if conf >= opt.osd_min_confidence:
                    # The lines of a ruled page misled us; the characters are read the other way.
                    return turn, False, score, lines
                contested = True  # a weak reading the other way: not enough to turn, enough to ask
            elif turn % 180 != base % 180 and sk.vertical and conf >= opt.osd_axis_confidence:
                # Found sideways on too little evidence to be sure, and Tesseract reads the lines
                # across with high confidence: a receipt's columns made "down" look like lines
                # (real receipt_thalia: Tesseract 0° at 10.7). Followed, but flagged: our two
                # sources disagree.
                return turn, False, score, lines
            elif conf >= opt.osd_min_confidence and turn % 180 == base % 180:
                # Tesseract must agree with the line direction we found, and not go against a
                # lean of our own.
                against = abs(score) >= lean_min and turn != lean
                # Tesseract alone turning an upright-looking page upside down (our own lean not
                # saying so with ≥ orientation_min_evidence) is followed but flagged: on typeset
                # pages it is right (gen3_text forms), but it was confidently wrong (confidence
                # 2.3–4.2) on handwriting photographed on a desk and on a sheet holding two cards
                # (ori2, issue #13) — never a silent flip. Keeping the page is unchanged; choosing
                # 90°/270° sideways on Tesseract's word alone is flagged on a photo (gen2 cam_rot#26,
                # a far-off photo: "90" at 2.4 for a page at 270°, silent; gen3_text camera_far),
                # where its readings are known to be confidently wrong.
                alone = (turn != base if not sk.vertical else photo) and not (
                    turn == lean and abs(score) >= lean_min)
                if not against:
                    return turn, not alone, score, lines
                fallback = base
            if narrow and conf >= opt.osd_slip_confidence:
                # A slip we cannot judge at all: Tesseract's weak reading beats keeping it as it
                # lay (on gen3_text's till_short it was right on all 6 readings below 2.0);
                # flagged either way.
                return turn, False, score, lines
    if sure and not sk.vertical:
        # A ruled page found across: ours stands unless Tesseract read the page the other way.
        return lean, not contested, score, lines
    # Not flipped on weak evidence; sideways stays sideways (the direction is a guess), unless
    # the sideways finding itself is in doubt: then the page is left as it was scanned.
    return fallback, False, score, lines

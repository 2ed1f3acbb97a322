"""Which way up an ID card lies, from the card's own layout (issue #13, session 7).

Private to :mod:`counter_app.scanning.pipeline`. A CCCD carries too little running text for the
ascender/descender statistics pages are turned by (a few short lines, many in capitals), and
Tesseract's orientation detection reads its mixed print poorly. But both of its sides have a
fixed layout, each with one feature that is easy to find and says where the bottom is:

* the back: the machine-readable zone, three monospace lines of the same length (``IDVNM…<<``)
  along the bottom edge, each far longer than any other line on the card;
* the front: the QR code in the top-right corner — a square of dense black-and-white cells, the
  busiest patch of the card — and nothing of the sort in the bottom-left corner.

An upright card is landscape; so a portrait card lies on its side and only which of 90°/270°
is open, and a landscape one 0°/180°. When neither feature is clearly found the answer is
``None`` and the pipeline's own decision stands (flagged when unsure).
"""

from __future__ import annotations

import cv2
import numpy as np

from counter_app.scanning._cc import components_with_stats


def _long_rows(dark: np.ndarray) -> np.ndarray:
    """Centre rows (fraction of the height) of text lines spanning at least half the width.

    Characters are joined along the row by a closing about two character widths wide; a line is
    a joined piece at least half the card wide and thin (under a sixth of its height: a card
    tilted by a few degrees on the glass — each card of a pair lies its own way — makes its
    lines slanted bands, so no single pixel row holds a whole line).
    """
    h, w = dark.shape
    kw = max(3, int(0.035 * w))
    joined = cv2.morphologyEx(dark, cv2.MORPH_CLOSE, np.ones((1, kw), np.uint8))
    n, _, stats, centres = components_with_stats(joined, connectivity=8)
    rows = [centres[j, 1] / h for j in range(1, n)
            if stats[j, cv2.CC_STAT_WIDTH] >= 0.5 * w and stats[j, cv2.CC_STAT_HEIGHT] <= h / 6
            and stats[j, cv2.CC_STAT_HEIGHT] >= max(2, 0.012 * h)]
    return np.array(rows)


def _mrz_group(dark: np.ndarray) -> tuple[int, int]:
    """Lines in the bottom and top bands that form an MRZ: at least two, each over a third of the
    card wide, starting at the card's margin, their left *and* right ends aligned (within 3 % of the
    width), as a monospace zone of equal-length lines is and ragged lines of running text are not
    — whatever its print size
    (session 8: an MRZ printed small spans well under half the card). Counts (bottom, top).

    An MRZ printed smaller still (x-height 4–6 px on a card scanned at 150 dpi: its 30-character
    lines a fifth to a third of the card wide, session 10) counts only with the whole zone's
    shape, which short ragged lines of text lack: three such lines, aligned at both ends, evenly
    spaced (the gaps within a quarter of each other), the outermost in the card's outer fifth.
    """
    h, w = dark.shape
    kw = max(3, int(0.035 * w))
    joined = cv2.morphologyEx(dark, cv2.MORPH_CLOSE, np.ones((1, kw), np.uint8))
    n, _, stats, centres = components_with_stats(joined, connectivity=8)
    lines = [(centres[j, 1] / h, stats[j, cv2.CC_STAT_LEFT] / w,
              (stats[j, cv2.CC_STAT_LEFT] + stats[j, cv2.CC_STAT_WIDTH]) / w) for j in range(1, n)
             if stats[j, cv2.CC_STAT_WIDTH] >= w / 5 and max(2, 0.012 * h) <= stats[j, cv2.CC_STAT_HEIGHT] <= h / 6]

    def aligned(band: list[tuple[float, float, float]], top: bool) -> int:
        best = 0
        for _, a0, a1 in band:
            if (a1 < 0.85) if top else (a0 > 0.15):
                # The MRZ starts at the card's margin (ends at it, upside down); centred lines of
                # a title (CỘNG HÒA… / Độc lập…, gen1's front) may be as long as each other, but
                # start far in.
                continue
            group = sorted(y for y, b0, b1 in band if abs(a0 - b0) <= 0.03 and abs(a1 - b1) <= 0.03)
            if a1 - a0 < 1 / 3:
                gaps = np.diff(group)
                outer = group[0] if top else group[-1]
                if not (len(group) >= 3 and gaps.min() >= 0.75 * gaps.max()
                        and (outer < 0.2 if top else outer > 0.8)):
                    continue
            best = max(best, len(group))
        return best if best >= 2 else 0

    return aligned([ln for ln in lines if ln[0] > 0.6], False), aligned([ln for ln in lines if ln[0] < 0.4], True)


def _photo_side(grey: np.ndarray, paper: float) -> int | None:
    """0 when the front's portrait photo lies in the card's left part, 180 in its right, else None.

    On every CCCD front the holder's photo is on the left: a solid rectangle, a quarter of the
    card wide and half its height or more, clearly darker than the card. A median filter a twentieth
    of the card high keeps such solid areas and removes text (under half of any window is ink).
    """
    h, w = grey.shape
    k = max(3, int(0.05 * h) | 1)
    med = cv2.medianBlur(grey, k)
    solid = (med < paper - 30).astype(np.uint8)
    n, _, stats, centres = components_with_stats(solid, connectivity=8)
    found = [centres[j, 0] / w for j in range(1, n)
             if 0.12 * w <= stats[j, cv2.CC_STAT_WIDTH] <= 0.42 * w
             and 0.35 * h <= stats[j, cv2.CC_STAT_HEIGHT] <= 0.85 * h
             and stats[j, cv2.CC_STAT_AREA] >= 0.7 * stats[j, cv2.CC_STAT_WIDTH] * stats[j, cv2.CC_STAT_HEIGHT]]
    if len(found) != 1:
        return None
    x = found[0]
    return 0 if x < 0.4 else 180 if x > 0.6 else None


def _busy(grey: np.ndarray, dark: np.ndarray, x0: float, y0: float, x1: float, y1: float) -> float:
    """How much a box (fractions of the card) looks like a QR code: edge density × a dark share
    near a half (cells), 0 when the dark share is far from it (a photo, a plain area)."""
    h, w = grey.shape
    sl = np.s_[int(y0 * h):int(y1 * h), int(x0 * w):int(x1 * w)]
    box = grey[sl].astype(np.float32)
    if box.size == 0:
        return 0.0
    gx = np.abs(np.diff(box, axis=1))
    gy = np.abs(np.diff(box, axis=0))
    edges = (float((gx > 40).mean()) + float((gy > 40).mean())) / 2
    share = float(dark[sl].mean())
    return edges if 0.1 <= share <= 0.85 else 0.0


def _landscape_turn(grey: np.ndarray) -> tuple[int, float] | None:
    """0 or 180 (clockwise) for a landscape card, with the evidence's strength, or None."""
    paper = float(np.percentile(grey, 75))
    dark = (grey < min(paper - 70, 150)).astype(np.uint8)
    # The back's MRZ: two or three long lines in one outer band of the card.
    rows = _long_rows(dark)
    low, high = int((rows > 0.6).sum()), int((rows < 0.4).sum())
    # (A line of the back's upper text block may reach half the width too: one, not a group.)
    if max(low, high) >= 2 and min(low, high) < 2:
        return (0 if low > high else 180), float(max(low, high))
    if max(low, high) >= 2:
        return None  # groups of long lines at both ends: not the back's layout
    # (Here no group of long lines was found: one line of the upper text may still reach half.)
    # A small-print MRZ (aligned equal lines under half the card wide) — before the QR test, whose
    # bottom-left box such an MRZ fills with busy print (session 8: an upright back turned 180).
    g_low, g_high = _mrz_group(dark)
    if max(g_low, g_high) == 0:
        # A small MRZ's thin strokes, blurred by a 150-dpi scan, may stay lighter than the ink
        # threshold (session 10: 4-px x-height, strokes ~1 px): its zone asked again of paler ink.
        # The zone's shape (_mrz_group) — not the paler threshold — is what keeps this specific.
        g_low, g_high = _mrz_group((grey < paper - 40).astype(np.uint8))
    if max(g_low, g_high) >= 2 and min(g_low, g_high) == 0:
        return (0 if g_low else 180), float(max(g_low, g_high))
    # The front's QR code: top-right when upright, bottom-left when upside down.
    top_right = _busy(grey, dark, 0.75, 0.0, 1.0, 0.4)
    bottom_left = _busy(grey, dark, 0.0, 0.6, 0.25, 1.0)
    hi, lo = max(top_right, bottom_left), min(top_right, bottom_left)
    if hi >= 0.05 and hi >= 2.5 * lo and max(low, high) == 0:
        return (0 if top_right > bottom_left else 180), hi / max(lo, 1e-3)
    if max(g_low, g_high) == 0:
        # No MRZ, no QR code: the front's photo, on the left of an upright card.
        side = _photo_side(grey, paper)
        if side is not None:
            return side, 1.0
    return None


def card_orientation(grey: np.ndarray) -> int | None:
    """Clockwise quarter-turn that makes an ID card upright (its rectified grey image), or None.

    ``None`` when the card's layout does not say it clearly (the caller keeps its own decision).
    """
    h, w = grey.shape[:2]
    if min(h, w) < 60:
        return None
    if h > w:
        # On its side: turned a quarter clockwise it is landscape, upright or upside down.
        found = _landscape_turn(cv2.rotate(grey, cv2.ROTATE_90_CLOCKWISE))
        return None if found is None else (90 + found[0]) % 360
    found = _landscape_turn(grey)
    return None if found is None else found[0]


def cards_orientation(grey: np.ndarray, pair: bool) -> int | None:
    """:func:`card_orientation` of a card, or of two cards side by side on one page (``pair``).

    Two cards are the page's two halves along its long side; they must agree (or only one of
    them say anything): a front and a back copied together lie the same way up.
    """
    if not pair:
        return card_orientation(grey)
    h, w = grey.shape[:2]
    halves = (grey[:, : w // 2], grey[:, w - w // 2:]) if w >= h else (grey[: h // 2], grey[h - h // 2:])
    turns = {t for t in (card_orientation(half) for half in halves) if t is not None}
    return turns.pop() if len(turns) == 1 else None

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


def _title_side(dark: np.ndarray) -> int | None:
    """0 when a block of centred title lines lies along the card's top edge, 180 along its bottom.

    Every Vietnamese card side with a state title (a CCCD's or a 2024 Căn cước's front, a
    driving licence's front and back) carries it as centred lines of clearly different lengths
    — "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" over the shorter "Độc lập - Tự do - Hạnh phúc", then
    the red card title — along the top edge, wherever that card puts its emblem, photo or QR
    code (session 11: a licence, its photo on the right, was turned by the CCCD's "photo on the
    left"). Label lines ("Họ tên/Full name: …") are flush left and a table's rules as long as
    each other, so neither makes such a block. Solid areas (the emblem, the photo, a QR code)
    are taken out first, so a title line running up to the emblem still measures as a line.
    """
    h, w = dark.shape
    n, labels, stats, _ = components_with_stats(dark, connectivity=8)
    big = np.zeros(n, bool)
    big[1:] = stats[1:, cv2.CC_STAT_HEIGHT] > 0.1 * h
    text = np.where(big[labels], 0, dark).astype(np.uint8)
    kw = max(3, int(0.02 * w))
    joined = cv2.morphologyEx(text, cv2.MORPH_CLOSE, np.ones((1, kw), np.uint8))
    n, _, stats, centres = components_with_stats(joined, connectivity=8)
    lines = [(centres[j, 1] / h, stats[j, cv2.CC_STAT_LEFT] / w,
              (stats[j, cv2.CC_STAT_LEFT] + stats[j, cv2.CC_STAT_WIDTH]) / w, stats[j, cv2.CC_STAT_HEIGHT] / h)
             for j in range(1, n)
             if stats[j, cv2.CC_STAT_WIDTH] >= 0.12 * w and 0.025 * h <= stats[j, cv2.CC_STAT_HEIGHT] <= 0.1 * h
             # a line of letters closed into a bar fills its box; a rule slanted by the photo's
             # perspective spans the same box with a thread (a licence's table, session 11)
             and stats[j, cv2.CC_STAT_AREA] >= 0.3 * stats[j, cv2.CC_STAT_WIDTH] * stats[j, cv2.CC_STAT_HEIGHT]]
    lines = [ln for ln in lines if ln[1] > 0.04 and ln[2] < 0.96]  # centred lines keep off the card's edges
    sides = set()
    for y, a0, a1, _ in lines:
        top = y < 0.3
        if not (top or y > 0.7):
            continue
        # Lines centred on this one, of a clearly different length (both of their ends moved in),
        # next to it (a title's lines follow each other; a fifth of the card's height).
        mates = [(b0, b1) for yb, b0, b1, _ in lines
                 if abs(yb - y) <= 0.2 and abs((b0 + b1) - (a0 + a1)) / 2 <= 0.025
                 and min(b0 - a0, a1 - b1) >= 0.04]
        if a1 - a0 >= 0.3 and mates:
            sides.add(0 if top else 180)
    return sides.pop() if len(sides) == 1 else None


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


def _landscape_turn(grey: np.ndarray) -> tuple[int, float, str] | None:
    """0 or 180 (clockwise) for a landscape card, with the evidence's strength and which cue
    gave it ("rows": long lines in one outer band, "mrz": an aligned zone, "qr" or "photo"), or None."""
    paper = float(np.percentile(grey, 75))
    dark = (grey < min(paper - 70, 150)).astype(np.uint8)
    # The back's MRZ: two or three long lines in one outer band of the card.
    rows = _long_rows(dark)
    low, high = int((rows > 0.6).sum()), int((rows < 0.4).sum())
    # (A line of the back's upper text block may reach half the width too: one, not a group.)
    if max(low, high) >= 2 and min(low, high) < 2:
        turn = 0 if low > high else 180
        # Lines aligned at both ends, from the margin (an MRZ zone), or only long lines?
        g_low, g_high = _mrz_group(dark)
        zone = (g_low if turn == 0 else g_high) >= 2 and (g_high if turn == 0 else g_low) == 0
        return turn, float(max(g_low, g_high) if zone else max(low, high)), "mrz" if zone else "rows"
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
        return (0 if g_low else 180), float(max(g_low, g_high)), "mrz"
    # The front's QR code: top-right when upright, bottom-left when upside down.
    top_right = _busy(grey, dark, 0.75, 0.0, 1.0, 0.4)
    bottom_left = _busy(grey, dark, 0.0, 0.6, 0.25, 1.0)
    hi, lo = max(top_right, bottom_left), min(top_right, bottom_left)
    if hi >= 0.05 and hi >= 2.5 * lo and max(low, high) == 0:
        return (0 if top_right > bottom_left else 180), hi / max(lo, 1e-3), "qr"
    if max(g_low, g_high) == 0:
        # No MRZ, no QR code: the front's photo, on the left of an upright card.
        side = _photo_side(grey, paper)
        if side is not None:
            return side, 1.0, "photo"
    return None


def _landscape_layout(grey: np.ndarray) -> tuple[int, bool] | None:
    """0 or 180 for a landscape card and whether the layout says it surely, or None.

    The cues, by how far they hold beyond the chip CCCD the rules were first written for
    (session 11: a driving licence — its photo on the right — and a 2024 Căn cước — a QR code
    under its photo — were turned 180° in silence by the CCCD's photo and QR rules):

    * the MRZ (:func:`_mrz_group`): along the bottom edge of every card that has one (ICAO);
    * the state title (:func:`_title_side`): along the top of every card side that has one;
    * the QR code top-right and the photo on the left: the chip CCCD front's own layout.

    The MRZ decides (long lines in one band only where no title block says otherwise), flagged
    where a title block disagrees; else the title decides, flagged if a
    QR code says otherwise (a photo on the "wrong" side is only another card's layout); else the
    QR code and the photo decide only together — one of them alone turns the card, flagged.
    """
    found = _landscape_turn(grey)
    paper = float(np.percentile(grey, 75))
    title = _title_side((grey < min(paper - 70, 150)).astype(np.uint8))
    if title is None:
        title = _title_side((grey < paper - 40).astype(np.uint8))
    if found is not None and found[2] in ("rows", "mrz"):
        if title is None or title == found[0]:
            return found[0], True
        # Long lines in one band and a title block at the other end: a zone of three aligned lines
        # is the stronger word; mere long lines may be a licence's label lines, two lines aligned at
        # both ends its title and red card name (session 11). Flagged either way.
        return (found[0] if found[2] == "mrz" and found[1] >= 3 else title), False
    if title is not None:
        return title, found is None or found[2] != "qr" or found[0] == title
    if found is None:
        return None
    if found[2] == "qr":
        side = _photo_side(grey, paper)
        return found[0], side == found[0]
    return found[0], False


def card_layout(grey: np.ndarray) -> tuple[int, bool] | None:
    """Clockwise quarter-turn that makes an ID card upright (its rectified grey image) and whether
    its layout says so surely (:func:`_landscape_layout`), or None when the layout says nothing."""
    h, w = grey.shape[:2]
    if min(h, w) < 60:
        return None
    if h > w:
        # On its side: turned a quarter clockwise it is landscape, upright or upside down.
        found = _landscape_layout(cv2.rotate(grey, cv2.ROTATE_90_CLOCKWISE))
        return None if found is None else ((90 + found[0]) % 360, found[1])
    return _landscape_layout(grey)


def card_orientation(grey: np.ndarray) -> int | None:
    """Clockwise quarter-turn that makes an ID card upright (its rectified grey image), or None.

    ``None`` when the card's layout does not say it clearly (the caller keeps its own decision).
    """
    found = card_layout(grey)
    return None if found is None else found[0]


def cards_layout(grey: np.ndarray, pair: bool) -> tuple[int, bool] | None:
    """:func:`card_layout` of a card, or of two cards side by side on one page (``pair``).

    Two cards are the page's two halves along its long side; they must agree (or only one of
    them say anything): a front and a back copied together lie the same way up. The pair's turn
    is sure when one card says it surely and the other does not say otherwise.
    """
    if not pair:
        return card_layout(grey)
    h, w = grey.shape[:2]
    halves = (grey[:, : w // 2], grey[:, w - w // 2:]) if w >= h else (grey[: h // 2], grey[h - h // 2:])
    found = [f for f in (card_layout(half) for half in halves) if f is not None]
    turns = {t for t, _ in found}
    if len(turns) != 1:
        return None
    return turns.pop(), any(sure for _, sure in found)


def cards_orientation(grey: np.ndarray, pair: bool) -> int | None:
    """The turn of :func:`cards_layout`, or None."""
    found = cards_layout(grey, pair)
    return None if found is None else found[0]


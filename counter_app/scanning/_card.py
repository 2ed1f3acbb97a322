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

from counter_app.scanning import _outline as ol
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


# An MRZ line's filler: at least this many "<" in a row (identical marks at one pitch). TD1's
# shortest filler run (line 2, before the check digits) is 6–11; names leave 10 or more on line 3.
CHEVRON_RUN = 5


def _chevron(labels: np.ndarray, box: np.ndarray, label: int) -> bool:
    """Whether a mark is a "<" (or a ">", the card upside down): its ink at mid-height in its one
    outer column band and at the top and bottom — with nothing at mid-height — in the other."""
    x, y, bw, bh = (int(v) for v in box[:4])
    m = labels[y:y + bh, x:x + bw] == label
    band = max(1, bw // 4)  # (a 7-px chevron's arms reach mid-height one column in from its mouth)
    mid = slice(int(0.35 * bh), max(int(0.35 * bh) + 1, int(np.ceil(0.65 * bh))))
    e = max(1, bh // 4)
    for point, mouth in ((m[:, :band], m[:, bw - band:]), (m[:, bw - band:], m[:, :band])):
        if point[mid].any() and not point[:e].any() and not point[bh - e:].any() and mouth[0].any() \
                and mouth[-1].any() and not mouth[mid].any():
            return True
    return False


def _chevron_rows(dark: np.ndarray) -> list[tuple[float, int]]:
    """Rows of an MRZ's "<" filler: (centre row as a fraction of the height, run length).

    The machine-readable zone (ICAO 9303) pads every line with "<": a run of identical small
    marks at one constant pitch — monospace OCR-B — that no running text, label or date has
    (proportional letters differ in width; digits in area; diacritics stand apart). Each mark
    must be open (a chevron fills well under its box, a QR code's square module fills it).
    Found on the ink's marks directly, whatever the zone's print size, so it holds where the
    zone's lines do not join into long bars (thin chevrons at 150 dpi).
    """
    h, w = dark.shape
    n, labels, stats, cent = components_with_stats(dark, connectivity=8)
    if n < CHEVRON_RUN + 1:
        return []
    bw, bh = stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT]
    area = stats[1:, cv2.CC_STAT_AREA]
    ok = (bh >= max(3, 0.015 * h)) & (bh <= 0.1 * h) & (bw >= 3) & (bw <= 0.05 * w) & (area <= 0.7 * bw * bh)
    idx = np.flatnonzero(ok)
    if len(idx) < CHEVRON_RUN:
        return []
    cx, cy, mw, mh, ma = cent[1 + idx, 0], cent[1 + idx, 1], bw[idx], bh[idx], area[idx]
    step = max(2.0, float(np.median(mh)))
    rows: list[tuple[float, int]] = []
    taken: set[int] = set()
    # Marks grouped into rows by their centres (twice, the bins shifted by half: a row's marks on a
    # bin's border are all in one bin of the other grouping), left to right in each; a mark and
    # the next are linked when alike within a pixel's rounding (a 150-dpi chevron is ~7 px: one
    # pixel is 15 %) and a mark's width to 2.5 widths apart. Vectorised: a page has thousands.
    for shift in (0.0, 0.5):
        key = np.floor(cy / step + shift)
        order = np.lexsort((cx, key))
        k, x, y, ww, hh, aa = key[order], cx[order], cy[order], mw[order], mh[order], ma[order]
        dx = np.diff(x)
        link = ((k[1:] == k[:-1]) & (np.abs(np.diff(y)) <= 0.3 * hh[:-1] + 1)
                & (np.abs(np.diff(hh)) <= np.maximum(1.5, 0.2 * hh[:-1]))
                & (np.abs(np.diff(ww)) <= np.maximum(1.5, 0.25 * ww[:-1]))
                & (np.abs(aa[1:] / aa[:-1] - 1) <= 0.5) & (dx > ww[:-1]) & (dx <= 2.5 * ww[:-1]))
        pos = np.flatnonzero(link)
        p = 0
        while p < len(pos):
            # A run: consecutive links at one pitch (within a pixel and a half or 15 %).
            first = pos[p]
            end = first
            pitch = dx[first]
            while p + 1 < len(pos) and pos[p + 1] == end + 1 and abs(dx[end + 1] - pitch) <= max(1.5, 0.15 * pitch):
                p += 1
                end = pos[p]
            p += 1
            members = order[first:end + 2]
            if len(members) < CHEVRON_RUN or int(idx[members[0]]) in taken:
                continue
            # Each mark must be a chevron: a bold title's capitals are as alike and as evenly set.
            # (Looked at only here, for the few runs found: the shape test is the costly part.)
            if sum(_chevron(labels, stats[1 + idx[m]], 1 + idx[m]) for m in members) >= max(CHEVRON_RUN,
                                                                                         0.8 * len(members)):
                taken.update(int(idx[m]) for m in members)
                rows.append((float(np.mean(cy[members])) / h, len(members)))
    return rows


def _mrz_side(grey: np.ndarray, paper: float) -> int | None:
    """0 when an MRZ's filler runs (:func:`_chevron_rows`) lie along the card's bottom edge only,
    180 along its top only, else None.

    The zone is the card's outer third; two filler rows there, or one run of CHEVRON_RUN + 2 (a
    small zone at 150 dpi may keep only one line's chevrons apart), and no run at the other end
    at either ink threshold (the paler one keeps thin chevrons, the darker one splits marks a
    blur joined).
    """
    found = [_chevron_rows((grey < t).astype(np.uint8)) for t in (paper - 40, min(paper - 70, 150))]
    turns = set()
    for rows in found:
        low = [r for y, r in rows if y > 0.62]
        high = [r for y, r in rows if y < 0.38]
        for band, turn in ((low, 0), (high, 180)):
            if band and (len(band) >= 2 or max(band) >= CHEVRON_RUN + 2):
                turns.add(turn)
    if len(turns) != 1:
        return None
    turn = turns.pop()
    # No filler-like run at all in the other end's band.
    if any(y < 0.5 if turn == 0 else y > 0.5 for rows in found for y, _ in rows):
        return None
    return turn


def _landscape_turn(grey: np.ndarray) -> tuple[int, float, str] | None:
    """0 or 180 (clockwise) for a landscape card, with the evidence's strength and which cue
    gave it ("rows": long lines in one outer band, "mrz": an aligned zone, "qr" or "photo"), or None."""
    paper = float(np.percentile(grey, 75))
    # The MRZ's "<" filler is the plainest cue there is (ICAO: always along the bottom edge).
    side = _mrz_side(grey, paper)
    if side is not None:
        return side, 3.0, "mrz"
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
        if title == found[0] or (title is None and found[2] == "mrz"):
            return found[0], True
        if title is None:
            # Long lines in one band and nothing else: a back's upper text block upside down has
            # two such lines too (gen7 card_sleeve#34, turned 270 for 90 in silence). Turned, flagged.
            return found[0], False
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


def mrz_turn(grey: np.ndarray) -> int | None:
    """Clockwise quarter-turn that puts a card's MRZ filler (:func:`_mrz_side`) along its bottom
    edge, or None when no such zone is clearly found along one long edge. The plainest layout cue
    (ICAO 9303 puts the zone there on every card and passport page that has one): where it is
    found, a card's turn may be sure although nothing but its shape said "card"."""
    h, w = grey.shape[:2]
    if min(h, w) < 60:
        return None
    g = cv2.rotate(grey, cv2.ROTATE_90_CLOCKWISE) if h > w else grey
    side = _mrz_side(g, float(np.percentile(g, 75)))
    return None if side is None else ((90 if h > w else 0) + side) % 360


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



def printed_cards_turn(grey: np.ndarray, quad: np.ndarray, pair: bool) -> tuple[int, bool] | None:
    """The way up of a page read from the card images printed on it (issue #13, session 13), and
    whether it is the MRZ filler's word: ``quad`` outlines the card(s) in ``grey`` (the page's
    analysis grey), ``pair`` when it holds two cards.

    A copier page of a CCCD's two faces (gen8 photocopy_cards_copier) carries a few lines of
    certification text, too little to read its way up from; the cards copied on it lie as the
    page does, and their layout says which way that is. None when the cards' layout says nothing.
    """
    q = np.asarray(quad, np.float32)
    cw = round(float(np.linalg.norm(q[1] - q[0]) + np.linalg.norm(q[2] - q[3])) / 2)
    ch = round(float(np.linalg.norm(q[3] - q[0]) + np.linalg.norm(q[2] - q[1])) / 2)
    if min(cw, ch) < 60:
        return None
    rect = np.array([[0, 0], [cw - 1, 0], [cw - 1, ch - 1], [0, ch - 1]], np.float32)
    card = cv2.warpPerspective(grey, cv2.getPerspectiveTransform(q, rect), (cw, ch), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_REPLICATE)
    halves: list[np.ndarray] = [card]
    if pair:
        halves = [card[:, : cw // 2], card[:, cw - cw // 2:]] if cw >= ch else [card[: ch // 2], card[ch - ch // 2:]]
    mrz = {t for t in (mrz_turn(half) for half in halves) if t is not None}
    if len(mrz) == 1:
        return mrz.pop(), True
    layout = cards_layout(card, pair)
    return None if layout is None else (layout[0], False)


# ID-1 (ISO/IEC 7810): 85.6 × 53.98 mm. A card found inside another outline must measure as one
# within this fraction on each side (its rounded corners and a 150-dpi blur take ~3 % off).
ID1_MM = (85.6, 53.98)
INNER_CARD_TOL = 0.08


def _id1_sized(quad: np.ndarray, px_per_mm: float) -> bool:
    """Whether a quad (pixels at ``px_per_mm``) measures as an ID-1 card, side by side."""
    s = [float(np.linalg.norm(quad[(i + 1) % 4] - quad[i])) / px_per_mm for i in range(4)]
    long_mm, short_mm = max(s[0] + s[2], s[1] + s[3]) / 2, min(s[0] + s[2], s[1] + s[3]) / 2
    return abs(long_mm / ID1_MM[0] - 1) <= INNER_CARD_TOL and abs(short_mm / ID1_MM[1] - 1) <= INNER_CARD_TOL


def card_within(det: np.ndarray, outer: ol.QuadFinding, px_per_mm: float | None) -> ol.QuadFinding | None:
    """An ID-1 card lying inside an outline that is no document (issue #13, session 12), or None.

    A card in a clear plastic sleeve, or on a slip of grey board, is found as the sleeve: a faint
    rectangle 6–10 mm larger than the card, often running off the glass, which is no paper size —
    so it was dropped and the whole glass kept (gen7 card_sleeve, J 0.07). Inside that outline
    the sleeve is the ground the card lies on: the page search asked again of the outline's inside
    (the rest of the frame painted the sleeve's own colour, so its edge line and the lid do not
    count) finds the card on it. Only a result with an ID-1 card's physical size — the known size
    is the prior, not any scene's look — that is square-on (a card on a glass) and wholly inside
    is taken. Without a scale (``px_per_mm`` None: a photo) only ID-1's aspect is asked, closer,
    and the card must fill most of the outline (a board or a desk's strip around it, not a page
    with a card-shaped picture on it).
    """
    h, w = det.shape[:2]
    q = np.asarray(outer.quad, np.float64)
    x0, y0 = (int(v) for v in np.floor(q.min(axis=0)).clip(0))
    x1, y1 = min(int(np.ceil(q[:, 0].max())) + 1, w), min(int(np.ceil(q[:, 1].max())) + 1, h)
    # The sleeve must have room for a card and its margin: a card-sized outline is the card itself.
    if min(x1 - x0, y1 - y0) < 32 or (px_per_mm is not None and min(x1 - x0, y1 - y0) < 1.05 * ID1_MM[1] * px_per_mm):
        return None
    crop = det[y0:y1, x0:x1].copy()
    outline = np.zeros(crop.shape[:2], np.uint8)
    cv2.fillConvexPoly(outline, np.round((q - [x0, y0]) * 16).astype(np.int32), 1, shift=4)
    # 1.5 mm in from the outline: past the sleeve's drawn edge and its blur.
    inset = max(2, round(1.5 * px_per_mm) if px_per_mm is not None else round(0.01 * min(x1 - x0, y1 - y0)))
    disc = np.ones((2 * inset + 1, 2 * inset + 1), np.uint8)
    inside = cv2.erode(outline, disc)
    band = (inside > 0) & (cv2.erode(inside, disc) == 0)
    if not band.any():
        return None
    crop[inside == 0] = np.median(crop[band], axis=0).astype(np.uint8)
    found = ol.find_page(crop, even=False)
    if found is None or found.touches_edge or found.parts:
        return None
    quad = found.quad + np.array([x0, y0], np.float64)
    if px_per_mm is None:
        s = [float(np.linalg.norm(quad[(i + 1) % 4] - quad[i])) for i in range(4)]
        aspect = max(s[0] + s[2], s[1] + s[3]) / max(1.0, min(s[0] + s[2], s[1] + s[3]))
        filled = cv2.contourArea(quad.astype(np.float32)) / max(1.0, cv2.contourArea(q.astype(np.float32)))
        if abs(aspect / (ID1_MM[0] / ID1_MM[1]) - 1) > 0.04 or filled < 0.5 or not ol.flat_rectangle(quad, 0.1):
            return None
    elif not _id1_sized(quad, px_per_mm) or not ol.flat_rectangle(quad, 0.06):
        return None
    # The edges are refined against the sleeve, the card's own ground: its plane (fitted on the
    # crop, in the crop's normalised coordinates) taken to the frame's.
    ch, cw = crop.shape[:2]
    c = np.asarray(found.background, np.float64)
    plane = np.stack([c[0] - c[1] * x0 / cw - c[2] * y0 / ch, c[1] * w / cw, c[2] * h / ch])
    return ol.QuadFinding(quad=quad, touches_edge=False, area_fraction=float(found.area_fraction) * ch * cw / (h * w),
                          background=plane, level=found.level, weak=found.weak, on_paper=outer.on_paper)

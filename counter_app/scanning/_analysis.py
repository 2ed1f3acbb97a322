"""Measurements on the small analysis copy of a page: skew, orientation, blankness (outline: _outline).

Private to :mod:`counter_app.scanning.pipeline`. Everything here works on images of roughly
1000 pixels on the long side; nothing touches the full-resolution page, which is warped once at
the end by the pipeline.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass

import cv2
import numpy as np

from counter_app.scanning._cc import components_with_stats

# --------------------------------------------------------------------------- ink


def ink_map(grey: np.ndarray, dpi: float) -> np.ndarray:
    """Darkness of each pixel below its local paper level (0 = paper), uint8.

    The closing removes strokes narrower than ~2.5 mm, leaving the paper with its shading, so
    uneven light and shadows do not count as ink.
    """
    k = max(5, round(dpi * 0.1) | 1)
    bg = cv2.morphologyEx(grey, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    return cv2.subtract(bg, grey)


def counts_percentile(counts: np.ndarray, q: float) -> float:
    """``np.percentile(values, q)`` (its default linear method) from ``counts[v]``, how often each
    integer value ``v`` occurs: the same float, bit for bit (the same index, weight and rounding).

    A histogram is one cheap pass (``cv2.calcHist``, ``cv2.reduce``), where ``np.percentile``
    copies and partitions every value: an A4 page's 90th ink percentile, or the 1st and 99th of
    its marks' coordinates (hundreds of thousands of them), cost a millisecond or more each.
    """
    n = int(counts.sum())
    if n == 0:
        raise ValueError("no values")
    virtual = (n - 1) * (q / 100)  # numpy's "linear" virtual index
    prev = min(max(math.floor(virtual), 0), n - 1)
    nxt = min(prev + 1, n - 1)
    cum = np.cumsum(counts)
    a = float(np.searchsorted(cum, prev, side="right"))
    b = float(np.searchsorted(cum, nxt, side="right"))
    t = virtual - prev
    d = b - a
    # numpy's _lerp: from the nearer end (the same rounding as np.percentile)
    return b - d * (1 - t) if t >= 0.5 else a + d * t


def u8_percentile(img: np.ndarray, q: float, mask: np.ndarray | None = None) -> float:
    """``np.percentile(img[mask > 0] if mask else img, q)`` of a uint8 image, exactly, from its
    histogram (:func:`counts_percentile`)."""
    counts = cv2.calcHist([np.ascontiguousarray(img)], [0], mask, [256], [0, 256]).ravel()
    return counts_percentile(counts.astype(np.int64), q)


# --------------------------------------------------------------------------- skew


@dataclass(frozen=True)
class SkewFinding:
    """Text-line direction on the analysis page."""

    angle_deg: float  # counter-clockwise skew of the text lines
    vertical: bool  # lines run top-bottom: the page was fed sideways
    confident: bool
    rows: np.ndarray  # deskewed row coordinate of every ink point (for orientation)
    cols: np.ndarray  # deskewed column coordinate
    weights: np.ndarray
    sharpness: float = 0.0  # peak / median of the winning energy curve (1 = flat)
    method: str = "profile"  # which estimator decided: profile, profile+lines or lines
    glyphs: np.ndarray | None = None  # the glyph mask measured (core of the page): axis_in_doubt reuses it


def _profile_energy(x: np.ndarray, y: np.ndarray, w: np.ndarray, angle_deg: float,
                    strip: np.ndarray | None = None, n_strips: int = 1) -> float:
    """Sum of squares of the row projection after undoing ``angle_deg`` (linear binning).

    With ``strip`` (a strip number per point, vertical strips of the page), each strip has its
    own projection and the energies add up: the lines of one column then never "align" with the
    staggered lines of the next column at a wrong angle (a false peak ~1° off on two-column pages).
    """
    # In place where a temporary is not needed again: the same operations in the same order (the
    # same energies bit for bit), half the time on the fine stages' 25 000 points. The searches
    # pass float32 points (session 11): the arithmetic stays in their type (Python floats are
    # weak scalars), half the memory traffic, ~40 % less time; bin positions keep ~1e-4 px on a
    # 1500-px page and the energies ~1e-6 relative, far below what moves a peak (checked on the
    # speed-check frames: skew within 1e-4°, no decision changed).
    a = math.radians(angle_deg)
    r = y * math.cos(a)
    r += x * math.sin(a)
    r -= r.min()
    # r ≥ 0, so truncation is the floor: the same bins and fractions as ``r - r.astype(int)``,
    # without numpy's slow mixed int/float subtraction (a third of the call on 25 000 points).
    fl = np.floor(r)
    i = fl.astype(np.int64)
    f = np.subtract(r, fl, out=r)
    n = int(i.max()) + 2
    if strip is not None:
        i += strip * n
        n *= n_strips
    wf = w * f
    np.subtract(1, f, out=f)
    f *= w
    hist = np.bincount(i, f, n)
    i += 1
    hist += np.bincount(i, wf, n)
    return float(hist @ hist)


def _strips(x: np.ndarray, n_strips: int) -> np.ndarray:
    """Strip number (0 … n_strips-1) of each point by its column coordinate."""
    lo, hi = float(x.min()), float(x.max()) + 1e-6
    return np.minimum(((x - lo) / (hi - lo) * n_strips).astype(np.int64), n_strips - 1)


def _search(x: np.ndarray, y: np.ndarray, w: np.ndarray, lo: float, hi: float, step: float,
            strip: np.ndarray | None = None, n_strips: int = 1) -> tuple[float, np.ndarray]:
    angles = np.arange(lo, hi + step / 2, step)
    e = np.array([_profile_energy(x, y, w, float(a), strip, n_strips) for a in angles])
    return float(angles[int(np.argmax(e))]), e


def _parabolic(angles: np.ndarray, e: np.ndarray) -> float:
    i = int(np.argmax(e))
    if 0 < i < len(e) - 1:
        den = e[i - 1] - 2 * e[i] + e[i + 1]
        if den < 0:
            return float(angles[i] + 0.5 * (e[i - 1] - e[i + 1]) / den * (angles[1] - angles[0]))
    return float(angles[i])


def _peak_sharpness(e: np.ndarray) -> float:
    """How much the energy curve's peak stands out: peak / median over the searched angles.

    Raw peak heights of the two line directions are not comparable: a dense or two-column page
    has a high but *flat* "sideways" curve (its columns and justified margins make long vertical
    runs of ink at every angle), so the height picks the wrong direction and the flat curve then
    fails the confidence test (issue #13: pages left tilted by 0.5–4.7°). Text lines make a
    sharp peak at one angle; that is what decides.
    """
    return float(e.max()) / max(1e-9, float(np.median(e)))


# Vertical strips with their own projection (see _profile_energy): columns of a two-column page
# fall into different strips; a single-column line spans them all and peaks in each.
SKEW_STRIPS = 3


# Horizontal bands in which column gutters are looked for, and the most columns in one band.
GUTTER_BANDS = 8
MAX_COLUMNS = 4


def _deskewed(x: np.ndarray, y: np.ndarray, angle_deg: float) -> tuple[np.ndarray, np.ndarray, int]:
    """Points turned by ``angle_deg``: across (from 0) and down coordinates, and the width in columns."""
    a = math.radians(angle_deg)
    c = x * math.cos(a) - y * math.sin(a)
    c = c - c.min()
    return c, x * math.sin(a) + y * math.cos(a), int(c.max()) + 1


def _page_gutter_strips(x: np.ndarray, y: np.ndarray, w: np.ndarray, angle_deg: float) -> tuple[np.ndarray, int]:
    """Strip number of each point split at the page's column gutters (1 strip if none).

    A gutter is a run of columns (deskewed) empty in at least 2 of 4 horizontal bands (a
    heading or an abstract may cross it), at least 1.5 % of the text width wide, away from the
    outer 10 %. One-column pages keep whole-width lines, the most precise profile.
    """
    c, r, n = _deskewed(x, y, angle_deg)
    if n < 50:
        return np.zeros(len(x), np.int64), 1
    band = np.minimum(((r - r.min()) / (np.ptp(r) + 1e-6) * 4).astype(np.int64), 3)
    ci = c.astype(np.int64)
    votes = np.zeros(n, np.int64)
    for b in range(4):  # a gutter is empty in most horizontal bands (a heading may cross it)
        sel = band == b
        if not sel.any():
            continue
        prof = np.convolve(np.bincount(ci[sel], w[sel], n), np.ones(3) / 3, mode="same")
        votes += prof <= 0.05 * float(np.median(prof[prof > 0]))
    empty = votes >= 2
    edges = np.flatnonzero(np.diff(np.concatenate([[0], empty.astype(np.int8), [0]])))
    cuts = [(i + j) / 2 for i, j in zip(edges[::2], edges[1::2], strict=True)
            if j - i >= max(2, 0.015 * n) and 0.1 * n < (i + j) / 2 < 0.9 * n]
    if not cuts:
        return np.zeros(len(x), np.int64), 1
    return np.searchsorted(np.array(cuts), c).astype(np.int64), len(cuts) + 1


def _column_strips(x: np.ndarray, y: np.ndarray, w: np.ndarray, angle_deg: float) -> tuple[np.ndarray, int]:
    """Strip number of each point: split at the page's column gutters (:func:`_page_gutter_strips`)
    or, when the page has none, the page cut into horizontal bands, each band split at its own
    column gutters (a band without one stays whole).

    Side-by-side columns of the same body type have lines of the same pitch but out of step; in
    one whole-width projection their cross terms pull the peak (OCRmyPDF's cardinal pages: each
    column alone -0.08°, both together +0.2°). A gutter found for the whole page missed columns
    that fill only part of it (headings and full-width blocks above and below cross the gutter),
    so gutters are found per band: a run of empty columns (deskewed) at least 1.5 % of the text
    width wide, away from the outer 10 %. Full-width lines keep their whole width, the most
    precise profile.
    """
    strip, n_strips = _page_gutter_strips(x, y, w, angle_deg)
    if n_strips > 1:
        return strip, n_strips
    c, r, n = _deskewed(x, y, angle_deg)
    if n < 50:
        return np.zeros(len(x), np.int64), 1
    band = np.minimum(((r - r.min()) / (np.ptp(r) + 1e-6) * GUTTER_BANDS).astype(np.int64), GUTTER_BANDS - 1)
    ci = c.astype(np.int64)
    strip = np.zeros(len(x), np.int64)
    for b in range(GUTTER_BANDS):
        sel = band == b
        if sel.sum() < 50:
            continue
        prof = np.convolve(np.bincount(ci[sel], w[sel], n), np.ones(3) / 3, mode="same")
        empty = prof <= 0.05 * float(np.median(prof[prof > 0]))
        edges = np.flatnonzero(np.diff(np.concatenate([[0], empty.astype(np.int8), [0]])))
        cuts = [(i + j) / 2 for i, j in zip(edges[::2], edges[1::2], strict=True)
                if j - i >= max(2, 0.015 * n) and 0.1 * n < (i + j) / 2 < 0.9 * n][: MAX_COLUMNS - 1]
        if cuts:
            strip[sel] = np.searchsorted(np.array(cuts), c[sel])
    # The number is the column within its band: bands hold different rows, so the first column of
    # one band and that of another can share a projection (few, small histograms stay in cache:
    # a histogram per band and column made the fine stages 4× slower).
    return strip, int(strip.max()) + 1


GLYPH_DROP_BOXES = 64  # more big marks than this: dropped by one look-up over the label image


def _glyph_mask(binary: np.ndarray) -> np.ndarray:
    """Ink marks of glyph or rule size: blobs large in *both* directions are left out.

    Charts, photos, a dark blob of a book's edge or a scanner bar are big solid masses whose
    projection is the same at every angle: they flatten the energy curve of the text lines
    around them (a magazine page with bar charts stayed tilted, issue #13).
    """
    b = binary.view(np.uint8) if binary.dtype == np.bool_ else binary.astype(np.uint8)  # 0/1 bytes: no copy
    n, labels, stats, _ = components_with_stats(b, connectivity=8)
    if n <= 1:
        return binary
    limit = 0.03 * min(b.shape)
    bw, bh = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    # Tall straight marks too (a page edge, the gutter of a spread, a column rule): one long line
    # decides a whole projection and sends an upright page "sideways". Wide rules (tables, form
    # lines) stay: they are the sharpest evidence of an upright page's skew.
    # Big masses only when filled like a rectangle: a table's grid is one sparse component whose
    # rules are the best evidence there is, and at 75 dpi a paragraph's lines merge into one
    # porous blob that is still the text.
    solid = stats[:, cv2.CC_STAT_AREA] > 0.8 * bw * bh  # filled: a photo, a bar, a dark strip
    big = ((bw > limit) & (bh > limit) & solid) | ((bh > 0.15 * b.shape[0]) & (bw <= limit))
    big[0] = False
    if not big.any():
        return binary
    drop = np.flatnonzero(big)
    if len(drop) > GLYPH_DROP_BOXES:
        return binary & ~big[labels]
    # Few marks to drop: cleared inside their boxes, not by a look-up over every pixel's label (the
    # same mask, ~2 ms less on an A4 page).
    out = binary.copy()
    for lab in drop:
        x0, y0, x_n, y_n = (int(v) for v in stats[lab, :4])
        box = out[y0:y0 + y_n, x0:x0 + x_n]
        box[labels[y0:y0 + y_n, x0:x0 + x_n] == lab] = False
    return out


def estimate_skew(ink: np.ndarray, max_deg: float, threshold: int = 40) -> SkewFinding | None:
    """Text-line angle by maximising projection-profile energy over ink points.

    Coarse 1° search over ±``max_deg`` for both line directions (horizontal, and vertical for
    pages fed sideways; the sharper peak wins), then 0.1°, 0.03° and 0.01° refinements with
    parabolic interpolation. Works on point lists (bincount) instead of rotating images: ~50×
    cheaper per angle. When the winning peak is not sharp enough, a second, independent estimator
    (:func:`line_blob_skew`, the direction of the text-line blobs) is asked; the finding is
    confident only if one of the two is.
    """
    h, w = ink.shape
    # Leave out a 4 % margin: lid strips and the scanner's shadow line along the page edge are
    # long straight "ink" lines aligned with the detected quad and would pin the skew to it.
    my, mx = max(2, int(0.04 * h)), max(2, int(0.04 * w))
    core = ink[my:h - my, mx:w - mx]
    binary = _glyph_mask(core > threshold)
    # OpenCV's point list: np.nonzero's points in the same (raster) order, ~3× cheaper.
    found = cv2.findNonZero(binary.view(np.uint8))
    if found is None or len(found) < 50:
        return None
    found = found.reshape(-1, 2)
    xs, ys = found[:, 0], found[:, 1]
    wt = core[ys, xs].astype(np.float64)
    # Spread each point over its pixel (fixed dither): on the bare integer grid the projection
    # at exactly 0° bins without interpolation loss and wins spuriously, biasing small skews to 0.
    rng = np.random.default_rng(0)
    xs = xs + rng.random(len(xs)) - (w - 2 * mx) / 2
    ys = ys + rng.random(len(ys)) - (h - 2 * my) / 2
    # Point budgets: the coarse search needs only the line structure, the fine one precision.
    step = max(1, len(xs) // 5000)
    fine = max(1, len(xs) // 25000)
    # The energies are summed over float32 copies (see _profile_energy); strips, rows and
    # columns keep the float64 points.
    xs32, ys32, wt32 = xs.astype(np.float32), ys.astype(np.float32), wt.astype(np.float32)
    best = None
    for vertical in (False, True):
        # Turning the points 90° clockwise makes vertical lines horizontal; rotations commute,
        # so the skew found is the same counter-clockwise angle in the input.
        x, y = (-ys, xs) if vertical else (xs, ys)
        x32, y32 = (-ys32, xs32) if vertical else (xs32, ys32)
        a0, e = _search(x32[::step], y32[::step], wt32[::step], -max_deg, max_deg, 1.0,
                        _strips(x[::step], SKEW_STRIPS), SKEW_STRIPS)
        contrast = _peak_sharpness(e)
        if best is None or contrast > best[0]:
            best = (contrast, vertical, a0, x, y, x32, y32)
    assert best is not None
    contrast, vertical, a0, x, y, x32, y32 = best
    # Refinement: 0.1° steps over ±1° on the sparse points (the coarse grid can sit a step off a
    # narrow peak), then 0.03° and 0.01° on the dense ones.
    st = _strips(x[::step], SKEW_STRIPS)
    xs_, ys_, ws_ = x32[::step], y32[::step], wt32[::step]
    angles = np.arange(a0 - 1.0, a0 + 1.0 + 1e-9, 0.1)
    e = np.array([_profile_energy(xs_, ys_, ws_, float(a), st, SKEW_STRIPS) for a in angles])
    a0 = _parabolic(angles, e)
    wt_all = wt
    x, y, wt = x[::fine], y[::fine], wt[::fine]
    x32, y32, w32 = x32[::fine], y32[::fine], wt32[::fine]
    # Fine stages: whole-width lines give the sharpest peak; columns side by side get strips of
    # their own (_column_strips: their out-of-step lines would pull the peak).
    st, nf = _column_strips(x, y, wt, a0)
    angles = np.arange(a0 - 0.15, a0 + 0.15 + 1e-9, 0.03)
    e = np.array([_profile_energy(x32, y32, w32, float(a), st, nf) for a in angles])
    a1 = _parabolic(angles, e)
    angles = np.arange(a1 - 0.04, a1 + 0.04 + 1e-9, 0.01)
    e = np.array([_profile_energy(x32, y32, w32, float(a), st, nf) for a in angles])
    a2 = _parabolic(angles, e)
    # Few points or a flat energy curve: a lone page number or noise, not text lines.
    confident = len(xs) >= 300 and contrast > 1.25
    method = "profile"
    if not confident and len(xs) >= HALVES_MIN_POINTS:
        # Small dense print: its line pitch is a few analysis pixels, so the 1°-grid curve is
        # low and flat although the fine peak is exact (a 7-pt page left 2.1° tilted, warned).
        # Second estimate: the top and the bottom half of the page, each on its own, must put
        # the peak at the same angle — noise, a signature or a photo do not.
        halves = _half_angles(x, y, wt, a2, st, nf)
        if halves is not None and abs(halves[0] - halves[1]) <= HALVES_AGREE_DEG \
                and abs((halves[0] + halves[1]) / 2 - a2) <= HALVES_AGREE_DEG:
            confident, method = True, "profile+halves"
    if not confident and len(xs) >= 300:
        second = line_blob_skew(binary, max_deg)
        if second is not None:
            angle2, vertical2 = second
            if vertical2 == vertical and abs(angle2 - a2) <= 0.3:
                confident, method = True, "profile+lines"  # two independent estimators agree
            elif contrast < 1.12:
                # The profile has no peak worth the name; the text lines are the only evidence.
                vertical, a2, confident, method = vertical2, angle2, True, "lines"
                x, y = (-ys, xs) if vertical else (xs, ys)
                x, y, wt = x[::fine], y[::fine], wt_all[::fine]
    ar = math.radians(a2)
    rows = y * math.cos(ar) + x * math.sin(ar)
    cols = x * math.cos(ar) - y * math.sin(ar)
    if confident:
        # One faint stroke is no text block: a pencil signature or a single written line on an
        # otherwise empty sheet peaks at whatever angle it was drawn, and turning the sheet by
        # that tilted it (issue #13: never tilted silently). Fewer than MIN_TEXT_LINES lines
        # count only when they are printed dark (a lone printed line or heading is straight).
        ri = (rows - rows.min()).astype(np.int64)
        segs = [(i, j) for i, j in _line_segments(np.bincount(ri, wt)) if j - i >= 2]
        confident = len(segs) >= MIN_TEXT_LINES or float(np.median(wt)) >= PRINT_INK
    return SkewFinding(a2, vertical, confident, rows, cols, wt, float(contrast), method, binary)



# The fine refinement (refine_skew): points used at most, and the two searches (half-width, step).
REFINE_POINTS = 20000
REFINE_STAGES = ((0.1, 0.025), (0.03, 0.01))
REFINE_MAX_SHIFT = 0.15  # further from the analysis-scale angle: not the same peak, keep that one


def refine_skew(ink: np.ndarray, glyphs: np.ndarray, angle_deg: float, vertical: bool, threshold: int
                ) -> float | None:
    """The skew found by :func:`estimate_skew` (``angle_deg``) measured again on a finer ink map of
    the same page (``ink``, e.g. 150 dpi where the analysis copy was 75 dpi); ``None`` when there
    is too little ink or the peak moved further than ``REFINE_MAX_SHIFT``.

    At the analysis scale a text line is 5–6 pixels tall and its edges cross less than one pixel
    row over the page's width, so the fine peak depends on how the lines fall on the pixel grid:
    a real page turned by 1° before the pipeline got an estimate 0.13° different (patent, 300 dpi
    analysed 4× reduced); a two-column page in the grid set (gen3_text ``GRID_SCENES``) was off by
    up to 0.07°. Twice the resolution halves the staircase. Only the fine stages are run again,
    around the angle already found: the point list is ~4× longer, so it is subsampled to
    ``REFINE_POINTS`` and the search is narrow (12 profiles).

    ``glyphs`` is :attr:`SkewFinding.glyphs` (the analysis scale's mask without photos, bars and
    page edges), enlarged here so the same marks are measured; it covers the ink's core (4 %
    margins left out, as in :func:`estimate_skew`).
    """
    h, w = ink.shape
    my, mx = max(2, int(0.04 * h)), max(2, int(0.04 * w))
    core = ink[my:h - my, mx:w - mx]
    # One analysis pixel of slack round every mark: the two grids' margins differ by a rounding.
    g8 = glyphs.view(np.uint8) if glyphs.dtype == np.bool_ else glyphs.astype(np.uint8)  # bool: no copy
    keep = cv2.resize(cv2.dilate(g8, np.ones((3, 3), np.uint8)), (core.shape[1], core.shape[0]),
                      interpolation=cv2.INTER_NEAREST)
    # OpenCV's mask and point list: ~3× cheaper than numpy's on a 2-megapixel page (same raster order).
    mask = cv2.bitwise_and(cv2.threshold(core, threshold, 255, cv2.THRESH_BINARY)[1], keep)
    pts = cv2.findNonZero(mask)
    if pts is None or len(pts) < 300:
        return None
    pts = pts.reshape(-1, 2)
    xs, ys = pts[:, 0], pts[:, 1]
    step = max(1, len(xs) // REFINE_POINTS)
    ys, xs = ys[::step], xs[::step]
    wt = core[ys, xs].astype(np.float64)
    rng = np.random.default_rng(0)  # the same fixed dither as estimate_skew (see there)
    xf = xs + rng.random(len(xs)) - core.shape[1] / 2
    yf = ys + rng.random(len(ys)) - core.shape[0] / 2
    x, y = (-yf, xf) if vertical else (xf, yf)
    st, nf = _column_strips(x, y, wt, angle_deg)
    x32, y32, w32 = x.astype(np.float32), y.astype(np.float32), wt.astype(np.float32)  # see _profile_energy
    a = angle_deg
    for half, step_deg in REFINE_STAGES:
        angles = np.arange(a - half, a + half + 1e-9, step_deg)
        e = np.array([_profile_energy(x32, y32, w32, float(t), st, nf) for t in angles])
        a = _parabolic(angles, e)
    return a if abs(a - angle_deg) <= REFINE_MAX_SHIFT else None


MIN_TEXT_LINES = 3
PRINT_INK = 90  # median darkness below the paper of printed (toner, ink-jet) strokes; pencil is fainter


# Split-half check (see estimate_skew): enough ink for each half to hold several text lines, and
# how close the two halves' peaks must be.
HALVES_MIN_POINTS = 3000
HALVES_AGREE_DEG = 0.1


def _half_angles(x: np.ndarray, y: np.ndarray, w: np.ndarray, a: float, strip: np.ndarray, n_strips: int
                 ) -> tuple[float, float] | None:
    """Peak angle near ``a`` of the top half's and of the bottom half's points, each on its own.

    ``None`` when either half has no interior peak within ±0.6° (its curve rises to an end of the
    window: no line structure of its own there).
    """
    ar = math.radians(a)
    r = y * math.cos(ar) + x * math.sin(ar)
    mid = float(np.median(r))
    angles = np.arange(a - 0.6, a + 0.6 + 1e-9, 0.05)
    found = []
    for sel in (r < mid, r >= mid):
        # float32 copies for the energies (see _profile_energy)
        xh, yh, wh, sh = x[sel].astype(np.float32), y[sel].astype(np.float32), w[sel].astype(np.float32), strip[sel]
        if len(xh) < HALVES_MIN_POINTS // 3:
            return None
        e = np.array([_profile_energy(xh, yh, wh, float(t), sh, n_strips) for t in angles])
        i = int(np.argmax(e))
        if i in (0, len(e) - 1) or e[i] < 1.02 * min(e[0], e[-1]):
            return None
        found.append(_parabolic(angles, e))
    return found[0], found[1]


# The last check on the tilt left (glyph_line_angle): the marks it measures (letter-sized, in mm),
# how far round the applied angle it looks, and the points it uses at most.
CHECK_GLYPH_MIN_MM = 0.6
CHECK_GLYPH_MAX_MM = 6.0  # a letter's height, a capital's with its Vietnamese accent
CHECK_GLYPH_WIDE_MM = 8.0  # a word of a few letters merged at the analysis scale; no rule, no scribble
CHECK_SPAN_DEG = 1.5
CHECK_POINTS = 12000
CHECK_MIN_POINTS = 300
CHECK_STRIPS = 3


def glyph_line_angle(glyphs: np.ndarray, ink_core: np.ndarray, dpi: float, around_deg: float,
                     vertical: bool, second_beyond: float = math.inf) -> tuple[float, float | None] | None:
    """The text lines' angle measured from letter-sized marks alone, near ``around_deg``.

    A check of :func:`estimate_skew`'s answer on the same page (the pipeline's last look at the
    tilt it leaves, issue #13): ``glyphs`` is :attr:`SkewFinding.glyphs` and ``ink_core`` the ink
    under it. Only marks of a letter's size are kept — no rule, no page or lid edge, no sweep of
    carbon handwriting, no stamp — so what fooled the first estimate does not fool this one: a
    lid's shadow edge across an open-lid photocopy pulled the projection 1.3° off its two cards'
    text, a carbon copy's blurred strokes 0.5° off the printed form (gen7 cccd_copy_open#61,
    carbon_receipt#97).

    Two readings: with the page in ``CHECK_STRIPS`` vertical strips (columns side by side do not
    pull each other), and — only when that one lies further than ``second_beyond`` from
    ``around_deg`` — with whole-width lines (a sharper peak where the lines run across). Alone,
    each strayed 0.3–0.9° on some straight real pages (a faint page, a receipt's columns, old
    print), rarely both the same way. ``None`` when there are too few such marks or the first
    reading has no peak inside the window (second ``None`` likewise, or not asked).
    """
    g8 = glyphs.view(np.uint8) if glyphs.dtype == np.bool_ else glyphs.astype(np.uint8)
    n, labels, stats, _ = components_with_stats(g8, connectivity=8)
    if n <= 1:
        return None
    mm = dpi / 25.4
    bw, bh = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    if vertical:
        bw, bh = bh, bw
    keep = (bh >= CHECK_GLYPH_MIN_MM * mm) & (bh <= CHECK_GLYPH_MAX_MM * mm) & (bw <= CHECK_GLYPH_WIDE_MM * mm)
    keep[0] = False
    if not keep.any():
        return None
    # The marks' points subsampled first, their labels looked up after: a look-up over the whole
    # label image cost as much as the labelling itself.
    found = cv2.findNonZero(g8)
    if found is None:
        return None
    pts = found.reshape(-1, 2)
    if len(pts) > CHECK_POINTS:
        # A fixed random draw, not every n-th point: a stride through raster order beats with
        # the rows and columns of the print and moved the peak by up to 1° (real feyn, linn).
        pts = pts[np.random.default_rng(1).random(len(pts)) < CHECK_POINTS / len(pts)]
    pts = pts[keep[labels[pts[:, 1], pts[:, 0]]]]
    if len(pts) < CHECK_MIN_POINTS:
        return None
    xs, ys = pts[:, 0], pts[:, 1]
    wt = ink_core[ys, xs].astype(np.float32)
    rng = np.random.default_rng(0)  # the same fixed dither as estimate_skew (see there)
    xf = xs + rng.random(len(xs)) - glyphs.shape[1] / 2
    yf = ys + rng.random(len(ys)) - glyphs.shape[0] / 2
    x, y = (-yf, xf) if vertical else (xf, yf)
    x32, y32 = x.astype(np.float32), y.astype(np.float32)

    def reading(n_strips: int) -> float | None:
        st = _strips(x, n_strips)
        angles = np.arange(around_deg - CHECK_SPAN_DEG, around_deg + CHECK_SPAN_DEG + 1e-9, 0.1)
        e = np.array([_profile_energy(x32, y32, wt, float(t), st, n_strips) for t in angles])
        i = int(np.argmax(e))
        if i in (0, len(e) - 1):
            return None  # still rising at the window's end: no peak of its own near the angle
        a = _parabolic(angles, e)
        angles = np.arange(a - 0.1, a + 0.1 + 1e-9, 0.02)
        e = np.array([_profile_energy(x32, y32, wt, float(t), st, n_strips) for t in angles])
        return _parabolic(angles, e)

    first = reading(CHECK_STRIPS)
    if first is None:
        return None
    return first, (reading(1) if abs(first - around_deg) > second_beyond else None)


def line_blob_skew(binary: np.ndarray, max_deg: float) -> tuple[float, bool] | None:
    """Second skew estimator: the direction of text-line blobs (counter-clockwise degrees, vertical?).

    Ink is smeared along each candidate direction (a closing a few character widths long) so the
    characters of a line merge into long thin blobs; each elongated blob's principal axis
    (second moments) is one vote, weighted by its length; the weighted median of the votes is
    the angle. It does not care whether the lines of two columns line up, which is what flattens
    a whole-page projection. ``None`` when there are too few line-like blobs or they disagree.
    """
    b = binary.astype(np.uint8)
    h, w = b.shape
    size = max(5, int(0.03 * max(h, w)))
    best: tuple[float, float, bool] | None = None
    for vertical in (False, True):
        img = cv2.rotate(b, cv2.ROTATE_90_CLOCKWISE) if vertical else b
        closed = cv2.morphologyEx(img, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (size, 1)))
        n, labels, stats, _ = components_with_stats(closed, connectivity=8)
        if n <= 1:
            continue
        long_side = max(img.shape)
        ok = np.nonzero((stats[1:, cv2.CC_STAT_WIDTH] >= 4 * stats[1:, cv2.CC_STAT_HEIGHT])
                        & (stats[1:, cv2.CC_STAT_WIDTH] >= 0.08 * long_side)
                        & (stats[1:, cv2.CC_STAT_WIDTH] <= 0.98 * img.shape[1]))[0] + 1
        if len(ok) < 5:
            continue
        votes, weights = [], []
        for lab in ok[np.argsort(-stats[ok, cv2.CC_STAT_WIDTH])][:200]:
            x0, y0, bw, bh = stats[lab, :4]
            m = cv2.moments((labels[y0:y0 + bh, x0:x0 + bw] == lab).astype(np.uint8), binaryImage=True)
            if m["m00"] <= 0:
                continue
            # Principal axis of the blob; image y grows down, so minus = counter-clockwise positive.
            theta = 0.5 * math.degrees(math.atan2(2 * m["mu11"], m["mu20"] - m["mu02"]))
            if abs(theta) <= max_deg:
                votes.append(-theta)
                weights.append(float(bw))
        if len(votes) < 5:
            continue
        v, wts = np.array(votes), np.array(weights)
        order = np.argsort(v)
        cum = np.cumsum(wts[order])
        med = float(v[order][np.searchsorted(cum, cum[-1] / 2)])
        spread = float(np.average(np.abs(v - med), weights=wts))
        score = wts.sum() / (1.0 + spread)
        if spread <= 1.0 and (best is None or score > best[0]):
            # Refine: the length-weighted mean of the votes near the median.
            near = np.abs(v - med) <= max(0.3, 2 * spread)
            best = (score, float(np.average(v[near], weights=wts[near])), vertical)
    if best is None:
        return None
    return best[1], best[2]


# --------------------------------------------------------------------------- orientation


def _line_segments(prof: np.ndarray) -> list[tuple[int, int]]:
    """Runs of rows with ink (text lines) in a row profile."""
    level = 0.08 * float(np.percentile(prof[prof > 0], 90)) if (prof > 0).any() else 0.0
    on = np.concatenate([[False], prof > level, [False]])
    edges = np.flatnonzero(on[1:] != on[:-1])
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def upside_down_score(rows: np.ndarray, cols: np.ndarray, weights: np.ndarray, strips: int = 3
                      ) -> tuple[float, int]:
    """Evidence that deskewed horizontal text is upside down, in [-1, 1], and the line count.

    Latin script, and Vietnamese even more with its stacked diacritics, puts more ink above
    the x-height band (capitals, ascenders, accents) than below the baseline (descenders, dot
    below). Per text line: ink above the core band vs below it, summed over lines; positive
    means more ink hangs below, i.e. the page reads upside down.

    Lines are found in three vertical strips, so side-by-side blocks at slightly different
    heights (agency name | national motto) do not blur into one line; blocks much taller than
    a text line (tables whose rules join the rows) are left out — their rules, not their text,
    would decide the core band.
    """
    above = below = 0.0
    pairs = _line_asymmetries(rows, cols, weights, strips)
    for up, down in pairs:
        above += up
        below += down
    if above + below == 0:
        return 0.0, len(pairs)
    return (below - above) / (above + below), len(pairs)


def flank_share(rows: np.ndarray, cols: np.ndarray, weights: np.ndarray) -> float:
    """Share of the text lines' ink lying above or below their core bands (session 10).

    What :func:`upside_down_score` weighs is this ink: letters put ascenders, capitals, accents
    and descenders there; a line of solid bars or dashes only the blur of its edges — and then
    the score is a ratio of two slivers of blur, large either way (a page of dashes read +0.37
    after JPEG q95, −0.61 before, session 9). 0 when no line is found.
    """
    totals: list[float] = []
    pairs = _line_asymmetries(rows, cols, weights, totals=totals)
    total = sum(totals)
    return sum(u + d for u, d in pairs) / total if total > 0 else 0.0


# The last page's line asymmetries, by the content of their inputs: the pipeline asks
# :func:`flank_share` and :func:`upside_down_score` of the same points, one after the other
# (~4 ms CPU a call on an A4 page's analysis copy, session 13). One assignment: a reader on
# another thread sees the old entry or the new one.
_ASYMMETRIES: tuple[tuple[object, ...], list[tuple[float, float]], list[float]] | None = None


def _line_asymmetries(rows: np.ndarray, cols: np.ndarray, weights: np.ndarray, strips: int = 3,
                      totals: list[float] | None = None) -> list[tuple[float, float]]:
    """Per text line (see :func:`upside_down_score`): ink above its core band and ink below it
    (and, into ``totals`` when given, each such line's whole ink).

    A pure function of its inputs' values: a repeated question (the same points, by their bytes)
    is answered from the last answer, the same numbers.
    """
    global _ASYMMETRIES
    key = (strips, *((a.dtype.str, a.shape, zlib.crc32(np.ascontiguousarray(a).data)) for a in (rows, cols, weights)))
    cached = _ASYMMETRIES
    if cached is None or cached[0] != key:
        line_totals: list[float] = []
        cached = (key, _measure_asymmetries(rows, cols, weights, strips, line_totals), line_totals)
        _ASYMMETRIES = cached
    if totals is not None:
        totals.extend(cached[2])
    return list(cached[1])


def _measure_asymmetries(rows: np.ndarray, cols: np.ndarray, weights: np.ndarray, strips: int,
                         totals: list[float]) -> list[tuple[float, float]]:
    """:func:`_line_asymmetries` measured: the pairs, and each line's whole ink into ``totals``."""
    pairs: list[tuple[float, float]] = []
    if len(rows) < 20:
        return pairs
    r = rows - rows.min()
    c = cols - cols.min()
    n = int(r.max()) + 1
    if n < 8:
        return pairs
    ri = r.astype(np.int64)
    bounds = np.linspace(0.0, float(c.max()) + 1e-6, strips + 1)
    for s in range(strips):
        sel = (c >= bounds[s]) & (c < bounds[s + 1])
        if sel.sum() < 20:
            continue
        prof = np.bincount(ri[sel], weights[sel], n)
        segs = [(i, j) for i, j in _line_segments(prof) if j - i >= 4]
        if not segs:
            continue
        typical = float(np.median([j - i for i, j in segs]))
        for i, j in segs:
            if j - i > 2.0 * typical:
                continue
            seg = prof[i:j]
            core = np.nonzero(seg >= 0.5 * seg.max())[0]
            top, bot = int(core[0]), int(core[-1])
            up, down = float(seg[:top].sum()), float(seg[bot + 1:].sum())
            totals.append(float(seg.sum()))
            if up + down > 0:
                pairs.append((up, down))
    return pairs



# Line starts vs line ends (session 9): a text line's blob counts as aligned at one end when at
# least FLUSH_MIN_NEIGHBOURS other lines end within FLUSH_TOL line heights of it there.
FLUSH_TOL = 0.6
FLUSH_MIN_NEIGHBOURS = 2
VIEW_LINES_MIN_Z = 1.0  # the lines' ascender leanings agree beyond chance by this many σ (sign test)


def flush_side_score(ink: np.ndarray, threshold: int) -> tuple[float, int]:
    """Evidence that horizontal text lines are flush right rather than flush left, in [-1, 1].

    Lines of writing in Latin script (Vietnamese included) start at a common margin and end
    wherever the last word does: ragged-right prose, a justified paragraph's short last line, a
    form's labels. Turned by 180° the starts become the ragged side. The measure needs only each
    line's two ends, so it survives blur and a few pixels of x-height, where the
    ascender/descender asymmetry loses the thin strokes it counts (photos, issue #13): share of
    line ends aligned with ≥ 2 others minus the same share of line starts. Positive means the
    lines are flush right, i.e. the page reads upside down (the sign of :func:`upside_down_score`).
    Centred titles count on both sides alike; indents align with one another (a second margin).
    Returns the score and the number of line blobs behind it (0 when there are fewer than four).
    """
    binary = (ink > threshold).astype(np.uint8)
    prof = binary.sum(axis=1).astype(np.float64)
    segs = [(i, j) for i, j in _line_segments(prof) if j - i >= 2]
    if len(segs) < 3:
        return 0.0, 0
    lh = float(np.median([j - i for i, j in segs]))
    # Words of a line joined across their spaces (a space is under ~1.5 line heights), not lines
    # to one another (only horizontal closing).
    k = max(3, round(lh * 1.5))
    joined = cv2.morphologyEx(binary, cv2.MORPH_CLOSE, np.ones((1, k), np.uint8))
    _, _, st, _ = components_with_stats(joined, 8)
    st = st[1:]
    # A text line: about one line high and several long; rules, seals, pictures and lone words
    # are no line ends to compare.
    ok = (st[:, 3] >= 0.5 * lh) & (st[:, 3] <= 2.5 * lh) & (st[:, 2] >= 4 * lh)
    # A line cut by the view's edge ends where the view does, not where its words do (a window
    # on a two-column page lines up every cut line at its side: gen3_text camera_flip#11, seed 94).
    ok &= (st[:, 0] > 0) & (st[:, 0] + st[:, 2] < binary.shape[1])
    st = st[ok]
    if len(st) < 4:
        return 0.0, 0
    tol = max(1.0, FLUSH_TOL * lh)
    left = st[:, 0].astype(np.float64)
    right = (st[:, 0] + st[:, 2]).astype(np.float64)
    starts = (np.abs(left[:, None] - left[None, :]) <= tol).sum(axis=1) - 1 >= FLUSH_MIN_NEIGHBOURS
    ends = (np.abs(right[:, None] - right[None, :]) <= tol).sum(axis=1) - 1 >= FLUSH_MIN_NEIGHBOURS
    return float(ends.mean() - starts.mean()), len(st)


def _lines_across(grey: np.ndarray, vertical: bool) -> np.ndarray:
    """The view turned a quarter clockwise when its lines run down (the frame in which
    :class:`SkewFinding`'s rows run across), else as it is."""
    return np.ascontiguousarray(np.rot90(grey, -1)) if vertical else grey


def view_ascender_score(grey: np.ndarray, dpi: float, threshold: int, vertical: bool) -> float:
    """:func:`upside_down_score` measured on a straightened, finer view of the page.

    ``grey`` is the page deskewed but not quarter-turned (Tesseract's ~225-dpi window);
    ``vertical``: its lines run down. On a photo the analysis copy's points are few and the
    x-height a handful of pixels; the same page interpolated to ~225 dpi, every ink pixel counted,
    gives the vote more to go on (gen3_text ``ORI5_SCENES`` seed 91, 95 photographed pages: the
    sign right on 75 instead of 65). The score counts as 0 when the lines' own leanings do not
    agree beyond chance (``VIEW_LINES_MIN_Z``).
    """
    ink = ink_map(_lines_across(grey, vertical), dpi)
    ys, xs = np.nonzero(ink > threshold)
    pairs = _line_asymmetries(ys.astype(np.float64), xs.astype(np.float64), ink[ys, xs].astype(np.float64))
    above = sum(up for up, _ in pairs)
    below = sum(down for _, down in pairs)
    if above + below <= 0:
        return 0.0
    asc = (below - above) / (above + below)
    # The lines must agree more than chance: a sign test over the lines' own leanings, in
    # standard deviations. Print leans line after line; handwriting's loops lean at random, and
    # a total of a few strong lines is no page's evidence (gen3_text photo_hand#10, seed 91:
    # −0.10 from lines that split about evenly, upside down).
    votes = np.sign([down - up for up, down in pairs])
    z = float(votes.sum() * np.sign(asc)) / math.sqrt(len(votes))
    return asc if z >= VIEW_LINES_MIN_Z else 0.0


def view_flush_score(grey: np.ndarray, dpi: float, threshold: int, vertical: bool) -> tuple[float, int]:
    """:func:`flush_side_score` of a straightened view of the whole page (``vertical`` as above).

    The whole page, not a window: a window cuts lines, and cut lines end where it does.
    """
    return flush_side_score(ink_map(_lines_across(grey, vertical), dpi), threshold)


# A ruled page: long straight rules across and down. Rule length as a share of the page's short
# side, and how much of the ink they must make up in each direction (a form's boxes, a table's grid).
RULE_MIN_SHARE = 0.12
RULE_MIN_INK = 0.01


def ruled_both_ways(ink: np.ndarray, threshold: int, skew_deg: float = 0.0) -> bool:
    """Does the page carry long straight rules both across and down (a table, a boxed form)?

    On such a page the line direction from projection profiles is not evidence of which way the
    text runs: full-height column rules and figures aligned in columns (a typewritten table of
    numbers) make "down" as sharp as "across" — real table_15 and gen3_text's ``num_table`` were
    turned a quarter by it. Their characters still tell (Tesseract), so a quarter turn of a ruled
    page is not decided by the lines alone (``pipeline._orientation``).

    The ink is first turned by the page's skew (``skew_deg``, counter-clockwise), so a rule is
    one pixel row again; a thin rule at the analysis scale may still wobble by a pixel, which a
    3-pixel thickening across it absorbs.
    """
    h, w = ink.shape
    if abs(skew_deg) >= 0.05:
        m = cv2.getRotationMatrix2D(((w - 1) / 2, (h - 1) / 2), -skew_deg, 1.0)
        ink = cv2.warpAffine(ink, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    b = np.asarray(cv2.threshold(ink, threshold, 1, cv2.THRESH_BINARY)[1], np.uint8)
    n_ink = cv2.countNonZero(b)
    if n_ink < 200:
        return False
    length = max(15, int(RULE_MIN_SHARE * min(h, w)))
    # Rules down first: most pages have none (text lines make no long vertical runs), and then
    # the page is not ruled both ways whatever runs across — half the work saved per page.
    for line, across in (((1, length), (3, 1)), ((length, 1), (1, 3))):
        thick = cv2.dilate(b, cv2.getStructuringElement(cv2.MORPH_RECT, across))
        rules = np.asarray(cv2.morphologyEx(thick, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, line)),
                           np.uint8) & b
        if cv2.countNonZero(rules) < RULE_MIN_INK * n_ink:
            return False
    return True


def axis_in_doubt(ink: np.ndarray, threshold: int, skew_deg: float, max_deg: float, vertical: bool,
                  glyphs: np.ndarray | None = None) -> bool:
    """Is the line direction found (``vertical`` or across) no evidence of how the page lies?

    Yes on a ruled page (:func:`ruled_both_ways`) whose text-line blobs do not run the same way
    (:func:`line_blob_skew`, the independent estimator): a typewritten table of numbers joins
    into one grid with no elongated line blobs, and its rules and aligned figures make rows and
    columns equally sharp — read either way. A form scanned sideways still shows its text lines
    as long blobs between the rules (gen1/gen2 turned forms), so it is not in doubt.

    ``glyphs``: :attr:`SkewFinding.glyphs` of the same ``ink`` and ``threshold`` (the same mask,
    not built twice).
    """
    if not ruled_both_ways(ink, threshold, skew_deg):
        return False
    if glyphs is None:
        h, w = ink.shape
        my, mx = max(2, int(0.04 * h)), max(2, int(0.04 * w))  # as estimate_skew: no page-edge lines
        glyphs = _glyph_mask(ink[my:h - my, mx:w - mx] > threshold)
    second = line_blob_skew(glyphs, max_deg)
    return second is None or second[1] != vertical


def lines_run_across(ink: np.ndarray, threshold: int, max_deg: float) -> bool:
    """Do the text-line blobs (:func:`line_blob_skew`) say the lines run across the page?

    Asked of a page whose projection profiles found its lines running *down*: a till receipt's
    columns (names flush left, amounts flush right, a barcode's bars) make the down direction as
    sharp as the short lines across, and it was turned 90° (gen4 receipts, real receipt_thalia).
    Smearing along each direction joins a receipt's characters into line blobs only across, while
    a page really lying sideways still shows its lines as long blobs down. ``False`` when the
    blobs say nothing (too few, or in disagreement): then the finding stands.
    """
    h, w = ink.shape
    my, mx = max(2, int(0.04 * h)), max(2, int(0.04 * w))  # as estimate_skew: no page-edge lines
    second = line_blob_skew(_glyph_mask(ink[my:h - my, mx:w - mx] > threshold), max_deg)
    return second is not None and not second[1]


# --------------------------------------------------------------------------- blank


def count_glyphs(ink: np.ndarray, dpi: float, threshold: int, *, binding_grey: np.ndarray | None = None) -> int:
    """Number of glyph-sized dark marks (1.6–60 mm, clearly darker than paper).

    Bleed-through is too faint to pass ``threshold``; scanner noise and dust specks are too
    small. One digit of a page number is enough to keep a page. Given the page's grey levels
    ``binding_grey`` (the blank decision), a sheet's filing holes and a staple are not counted
    (``binding_marks``).
    """
    h, w = ink.shape
    m = max(2, int(0.025 * min(h, w)))  # scanner edge shadows and lid remnants live here
    core = np.ascontiguousarray(ink[m:h - m, m:w - m])
    binary = cv2.threshold(core, threshold, 1, cv2.THRESH_BINARY)[1]  # as (core > t), uint8
    n, labels, stats, _ = components_with_stats(binary, connectivity=8)
    if n <= 1:
        return 0
    mm = dpi / 25.4
    hh = stats[1:, cv2.CC_STAT_HEIGHT]
    ww = stats[1:, cv2.CC_STAT_WIDTH]
    big = np.maximum(hh, ww)
    ok = (big >= 1.6 * mm) & (big <= 60 * mm) & (stats[1:, cv2.CC_STAT_AREA] >= max(3.0, 0.4 * mm * mm))
    found = int(ok.sum())
    if binding_grey is not None and 0 < found <= BINDING_MAX_MARKS:
        binding = binding_marks(binary, mm, m, (h, w), binding_grey[m:h - m, m:w - m])
        if binding is not None:
            # A glyph-sized piece counts only when part of it lies outside the binding's marks.
            left = np.zeros(n, bool)
            left[np.asarray(labels[(binary > 0) & ~binding], np.intp)] = True
            found = int((ok & left[1:]).sum())
    return found


# A sheet from a file carries marks that are no content (issue #13: gen5's punched blank page
# kept as content; rebuilt in gen3_text ``PUNCH_SCENES``): filing holes seen through in the
# colour of the lid or bed behind — ISO 838 holes are 6 ± 0.5 mm across, centred 12 mm from the
# edge (a US 3-hole punch: 8 mm); a roughly set punch guide and a sheet lying off the glass's
# corner move them some mm — and a staple through a corner (a bar ~12 mm long, < 1 mm wide).
# A dark hole is a solid round blot far darker than paper; in the ink map (darkness below the
# local paper) only a few arcs of its rim show, so it is looked for on the grey page itself. A
# light hole (a white lid behind) shows as its rim, shadowed by the paper's thickness: marks
# lying on one circle of a hole's size near a side.
BINDING_HOLE_MM = (2.4, 4.8)  # radius (a 6 ± 0.5-mm hole, some punches 5 mm, US 8 mm)
BINDING_EMPTY = 0.6  # a hole's rim leaves its circle empty within this share of the radius
BINDING_SIDE_MM = 28.0  # a hole's centre, a staple's both ends: this near the sheet's side(s)
BINDING_FIT_MM = 0.6  # rms distance of the marks from their circle (a shadowed rim ~1.5 mm wide)
BINDING_GROUP_MM = 4.0  # marks this close taken together (a rim broken by noise)
BINDING_STAPLE_MM = (7.0, 16.0, 1.6)  # a staple's length range and most width (robust spread)
BINDING_ROUND = (1.35, 0.7)  # a dark hole's box: most aspect, least share of it filled (disc 0.785)
# A page with more glyph-sized marks is not blank whatever its binding (at most 4 holes in up to
# 4 arcs each, a staple): the binding is looked for only on pages this close to blank.
BINDING_MAX_MARKS = 24


def _dark_holes(grey: np.ndarray, mm: float, margin: int, shape: tuple[int, int]) -> np.ndarray | None:
    """Solid round blots of a punch hole's size near a side, far darker than the paper, grown by
    ~1.5 mm (their rim's halo): dark filing holes (``grey``: the page less ``margin`` all round)."""
    paper = float(np.percentile(grey[::4, ::4], 90))
    _, labels, stats, cent = components_with_stats((grey < 0.55 * paper).astype(np.uint8), connectivity=8)
    h, w = shape
    lo_r, hi_r = BINDING_HOLE_MM
    aspect, fill = BINDING_ROUND
    bw, bh = stats[1:, cv2.CC_STAT_WIDTH].astype(np.float64), stats[1:, cv2.CC_STAT_HEIGHT].astype(np.float64)
    cx, cy = cent[1:, 0] + margin, cent[1:, 1] + margin
    side = np.minimum(np.minimum(cx, cy), np.minimum(w - 1 - cx, h - 1 - cy))
    hole = ((np.minimum(bw, bh) >= 2 * lo_r * mm) & (np.maximum(bw, bh) <= 2 * hi_r * mm)
            & (np.maximum(bw, bh) <= aspect * np.minimum(bw, bh))
            & (stats[1:, cv2.CC_STAT_AREA] >= fill * bw * bh) & (side <= BINDING_SIDE_MM * mm))
    if not hole.any():
        return None
    keep = np.concatenate([[False], hole])
    k = max(3, round(3.0 * mm) | 1)
    return cv2.dilate(keep[labels].astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))) > 0


def binding_marks(mask: np.ndarray, mm: float, margin: int, shape: tuple[int, int],
                  grey: np.ndarray | None = None) -> np.ndarray | None:
    """Where a filing hole or a staple is: the pixels of ``mask`` that are one, and a dark hole's
    whole region grown by ~1.5 mm (``None``: there are none).

    ``mask`` is a page's dark marks with ``margin`` pixels cut off each side of the page's
    ``shape`` (``grey``, if given, the page's grey levels cut the same way); ``mm`` is pixels per
    millimetre. A dark hole is found on ``grey`` (``_dark_holes``); the marks around it are its
    rim. Other marks within ``BINDING_GROUP_MM`` of each other are taken together; a group is a
    (light) hole when its pixels lie on one circle of a punch hole's radius (least squares fit,
    small rms) centred near a side, a staple when it is a thin straight bar of a staple's length
    with its ends near a corner. A near-blank page's faint word or page number is neither: letters
    are smaller than a hole and do not lie on one circle, and a word written close beside a hole
    joins its group and spoils the fit, so that the page errs towards being kept.
    """
    out = _dark_holes(grey, mm, margin, shape) if grey is not None else None
    rest = mask > 0 if out is None else (mask > 0) & ~out
    k = max(3, round(BINDING_GROUP_MM * mm) | 1)
    groups = cv2.dilate(rest.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    n, labels, stats, _ = components_with_stats(groups, connectivity=8)
    h, w = shape
    band = BINDING_SIDE_MM * mm
    lo_r, hi_r = BINDING_HOLE_MM
    s_lo, s_hi, s_wide = BINDING_STAPLE_MM
    pad = k // 2  # the dilation's growth of a group's box
    marked = np.zeros(n, bool)  # staples: whole groups
    rim = np.zeros(mask.shape, bool)  # light holes: the marks on their circle
    ys, xs = np.nonzero(rest)
    lab = labels[ys, xs]
    for c in range(1, n):
        bw, bh = int(stats[c, cv2.CC_STAT_WIDTH]), int(stats[c, cv2.CC_STAT_HEIGHT])
        size = (max(bw, bh) - 2 * pad) / mm
        if not 2 * lo_r - 1.0 <= size <= s_hi + 1.0:
            continue
        sel = lab == c
        px = xs[sel].astype(np.float64) + margin
        py = ys[sel].astype(np.float64) + margin
        if len(px) < 5:
            continue
        # A circle through the marks, again through those on it (a speck of dust or a word
        # beside the rim joins its group: left out of the fit, and not marked).
        cx, cy, r = _circle(px, py)
        off = np.abs(np.hypot(px - cx, py - cy) - r)
        on = off <= max(3.0 * 1.4826 * float(np.median(off)), 0.5 * mm)
        if on.sum() >= max(5, 0.6 * len(px)):
            cx, cy, r = _circle(px[on], py[on])
            dist = np.hypot(px - cx, py - cy)
            rms = float(np.sqrt(np.mean((dist[on] - r) ** 2)))
            side = min(cx, cy, w - 1 - cx, h - 1 - cy)
            # A rim, not a glyph: nothing inside it (two digits side by side also fit a circle).
            inside = float(np.mean(dist < BINDING_EMPTY * r))
            if (lo_r * mm <= r <= hi_r * mm and rms <= max(BINDING_FIT_MM * mm, 0.75) and inside <= 0.02
                    and 0 <= side <= band):
                rim[ys[sel][on], xs[sel][on]] = True
                continue
        # A straight bar: its length along the main axis, its width as the spread across it
        # (5th–95th percentile: a speck of dust in the group does not widen it).
        q = np.column_stack([px - px.mean(), py - py.mean()])
        _, vecs = np.linalg.eigh(q.T @ q)
        along, across = q @ vecs[:, 1], q @ vecs[:, 0]
        length = float(np.ptp(along)) / mm
        wide = float(np.percentile(across, 95) - np.percentile(across, 5)) / mm
        near_x = min(px.min(), w - 1 - px.max()) <= band
        near_y = min(py.min(), h - 1 - py.max()) <= band
        if s_lo <= length <= s_hi and wide <= s_wide and near_x and near_y:
            marked[c] = True
    if marked.any():
        rim |= marked[labels] & rest
    if rim.any():
        out = rim if out is None else out | rim
    return out


def _circle(px: np.ndarray, py: np.ndarray) -> tuple[float, float, float]:
    """Centre and radius of the circle nearest the points (Kåsa: x² + y² = a x + b y + c)."""
    a = np.column_stack([px, py, np.ones_like(px)])
    sol, *_ = np.linalg.lstsq(a, px * px + py * py, rcond=None)
    cx, cy = float(sol[0]) / 2, float(sol[1]) / 2
    return cx, cy, float(np.sqrt(max(0.0, float(sol[2]) + cx * cx + cy * cy)))


# Faint marks (pencil) are judged at this resolution: at the ~75-dpi analysis scale a 0.2-mm
# pencil line is a third of a pixel and its contrast drops into the range of bleed-through.
FAINT_DPI = 150.0
# Darkness below the paper (grey levels, black-hat at FAINT_DPI): the weak level traces a stroke's
# extent; the strong one is its evidence. Bleed-through, blurred by the paper, peaks at ~20–25.
FAINT_WEAK = 12.0
FAINT_STRONG = 32.0
FAINT_LONG_MM = 4.0
# A mark with no dark core at all (a hard pencil, ~18–30 levels below the paper) counts on a clean
# sheet when its faint core runs FAINT_CLEAN_SPAN_MM: a faint page number or tick (gen3_text
# ``pencil_faint``). "Clean": at most FAINT_CLEAN_MAX marks ≥ 1 mm show at FAINT_CLEAN_LEVEL — the
# other side's print seen through the paper makes hundreds there, a pencil mark with dust a dozen.
FAINT_CLEAN_LEVEL = 8.0
FAINT_CLEAN_MAX = 40
FAINT_CLEAN_SPAN_MM = 2.0
# Share of the frame's short side left out all round: scanner edge shadows, lid remnants and
# feeder bars live there (a sheet's own edge further in is told by its shape, _sheet_edge_marks).
FAINT_MARGIN = 0.02


def faint_marks(grey: np.ndarray, dpi: float, *, bleed: bool = True) -> int:
    """Number of faint but *drawn* marks on a page that looks blank (``grey`` at ~``FAINT_DPI``).

    A pencil signature, one handwritten line, a tick or a pencil page number must keep a page
    (issue #13: never drop a near-blank page); bleed-through from the other side, paper grain,
    dust and JPEG noise must not. Two physical differences tell them apart:

    * a drawn stroke is *sharp*: its darkness is concentrated in a line about a pixel or two
      wide, so a small black-hat (0.85 mm) keeps nearly all of it; bleed-through has travelled
      through the paper and is blurred, so the same black-hat keeps only a fraction;
    * a stroke is *long*: connected faint pixels (hysteresis: a weak threshold for the extent, a
      strong core for the evidence) over at least 2 mm, where dust is a speck under 1 mm.

    Thresholds scale with the page's own noise (robust sigma of the black-hat), so a grainy
    recycled sheet does not become "marked". ``bleed=False`` (a photographed page): a population
    of faint marks all alike is not taken for a back's bleed-through (:func:`_stands_out`).
    """
    h, w = grey.shape
    m = max(2, int(FAINT_MARGIN * min(h, w)))  # edge shadows, lid remnants and feeder bars live here
    g = np.ascontiguousarray(grey[m:h - m, m:w - m])
    k = max(3, round(dpi * 0.85 / 25.4) | 1)
    ink = cv2.subtract(cv2.morphologyEx(g, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))), g)
    sample = ink[::3, ::3].astype(np.float32)
    noise = float(np.median(sample)) + 1.4826 * float(np.median(np.abs(sample - np.median(sample))))
    weak = max(FAINT_WEAK, 4.0 * noise)
    strong = max(FAINT_STRONG, 8.0 * noise)
    # Join a pencil line broken by the paper's tooth or by JPEG blocks (one pixel gaps).
    low = cv2.dilate((ink > weak).astype(np.uint8), np.ones((3, 3), np.uint8))
    n, labels, stats, _ = components_with_stats(low, connectivity=8)
    if n <= 1:
        return 0
    mm = dpi / 25.4
    extent = np.maximum(stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT]) - 2  # minus the dilation
    edge = _sheet_edge_marks(stats[1:], g.shape, mm, m)
    cand = np.flatnonzero((extent >= 2.0 * mm) & (extent <= 120 * mm) & ~edge) + 1

    def off_binding(marks: np.ndarray) -> np.ndarray:
        # A filing hole's rim or a staple is no drawn mark (count_glyphs, binding_marks): a mark
        # whose core (or, without one, whose extent) lies nearly all on them is dropped. Asked of
        # the strong core: the weak level's halo widens a staple to a word's height.
        core = ink > strong
        binding = binding_marks(core, mm, m, (h, w), g)
        if binding is None:
            return marks
        lab = np.asarray(labels, np.intp)
        on_low = np.bincount(lab[binding & (low > 0)], minlength=n)[marks]
        on_core = np.bincount(lab[binding & core], minlength=n)[marks]
        all_core = np.bincount(lab[core], minlength=n)[marks]
        gone = np.where(all_core > 0, on_core >= 0.8 * all_core, on_low >= 0.8 * stats[marks, cv2.CC_STAT_AREA])
        return marks[~gone]

    bound = 0 < len(cand) <= BINDING_MAX_MARKS
    if bound:
        cand = off_binding(cand)
    if len(cand) == 0:
        return 0
    # The strong core must itself be drawn out over ≥ 1.5 mm: a dust speck is dark too, and the
    # JPEG ringing around it can spread its weak halo over 2 mm, but its core stays a dot.
    # A fainter core counts when it runs longer (a light pencil tick): FAINT_LONG_MM at 3/4 of
    # the strong level; bleed-through's blurred glyphs break up into short pieces there.
    # Each mark's darkest pixel (over the weak level's pixels only: cheap on a near-blank page).
    wy, wx = np.nonzero(low)
    peak = np.zeros(n, np.float32)
    np.maximum.at(peak, np.asarray(labels[wy, wx], np.intp), ink[wy, wx].astype(np.float32))
    if len(cand) > 500:
        # A back with bleed-through holds hundreds; the darkest are looked at (a page number at the
        # foot came after the 500 first in reading order and was never seen).
        cand = cand[np.argsort(-peak[cand], kind="stable")]
    found = np.zeros(n, bool)
    tiers: list[tuple[float, float, np.ndarray | None]] = [(strong, 1.5, None), (0.75 * strong, FAINT_LONG_MM, None)]
    if _clean_sheet(ink, max(FAINT_CLEAN_LEVEL, 3.0 * noise), mm):
        # Only marks with no dark core: a dust speck's JPEG halo also runs ~2 mm at this level.
        tiers.append((0.75 * strong, FAINT_CLEAN_SPAN_MM, peak < 1.5 * strong))
    for level, span_mm, allowed in tiers:
        ys, xs = np.nonzero(ink > level)
        lab = labels[ys, xs]
        for c in cand[:500]:
            if found[c] or (allowed is not None and not allowed[c]):
                continue
            sel = lab == c
            if sel.sum() < 1.0 * mm:
                continue
            span = max(int(np.ptp(xs[sel])), int(np.ptp(ys[sel]))) + 1
            found[c] = span >= span_mm * mm
    if found.any() and bleed:
        found &= _stands_out(peak, labels, stats, extent, mm, np.flatnonzero(found))
    if not bound and 0 < found.sum() <= BINDING_MAX_MARKS:
        # A back with bleed-through has too many faint marks to look for its binding among them
        # all; the few that pass as drawn are asked instead (issue #13, gen6 blank_back#59: a
        # staple standing alone in the corner of a bleed-through back kept the page).
        drawn = off_binding(np.flatnonzero(found))
        found[:] = False
        found[drawn] = True
    return int(found.sum())


# The back of a printed page (issue #13: gen6 blank_back kept; gen3_text ``BLEED11_SCENES``): the
# front's print seen through shows as hundreds of faint glyph-sized marks, the darkest of them
# (a bold title: 30–55 levels) long and sharp enough to pass as pencil. They are one population,
# dimmed and blurred alike by the same paper, lying in lines of neighbours. A drawn mark is kept
# when it stands out of it by its darkness — a pencil tick or word measured 69–200 levels against
# a population's 90th percentile of 16–31, where the bleed-through's own darkest reached 1.3× that
# percentile — or by standing alone, no other faint mark within BLEED_ALONE_MM (a page number at
# the foot, a tick in a corner: the front's margins are the back's). Only on a page with more
# than BLEED_POPULATION such marks (a clean sheet or a few words is no bleed-through).
BLEED_POPULATION = 40
BLEED_STANDOUT = 1.6
BLEED_ALONE_MM = 4.0
# Bleed-through is weak: its population's 90th percentile measured 16–31 levels (gen3_text
# BLEED11, gen6 blank_back 18–22). A population darker than this is the page's own faint print — a
# washed-out receipt, a pale copy (issue #13: a scanned page of text 68 levels below its paper was
# dropped as blank, every line "alike" and none standing out).
BLEED_PRINT_LEVEL = 40.0


def _stands_out(peak: np.ndarray, labels: np.ndarray, stats: np.ndarray, extent: np.ndarray, mm: float,
                cand: np.ndarray) -> np.ndarray:
    """Which of the components ``cand`` (labels into ``labels``/``stats``; ``peak``: each one's
    darkest black-hat level) are no part of a page's bleed-through: darker than
    :data:`BLEED_STANDOUT` × the 90th percentile of the page's faint glyph-sized marks (extent ≥
    1 mm), or with none of those within :data:`BLEED_ALONE_MM`. All of them where there are no
    more than :data:`BLEED_POPULATION` such marks, or where those are as dark as print
    (:data:`BLEED_PRINT_LEVEL`)."""
    n = len(stats)
    keep = np.zeros(n, bool)
    keep[cand] = True
    marks = np.flatnonzero(extent >= 1.0 * mm) + 1
    if len(marks) <= BLEED_POPULATION:
        return keep
    p90 = float(np.percentile(peak[marks], 90))
    if p90 >= BLEED_PRINT_LEVEL:
        return keep
    lab = np.asarray(labels, np.intp)
    bar = BLEED_STANDOUT * p90
    is_mark = np.zeros(n, bool)
    is_mark[marks] = True
    r = max(1, round(BLEED_ALONE_MM * mm))
    h, w = lab.shape
    for c in cand:
        if peak[c] >= bar:
            continue
        x, y = int(stats[c, cv2.CC_STAT_LEFT]), int(stats[c, cv2.CC_STAT_TOP])
        bw, bh = int(stats[c, cv2.CC_STAT_WIDTH]), int(stats[c, cv2.CC_STAT_HEIGHT])
        near = np.unique(lab[max(0, y - r):min(h, y + bh + r), max(0, x - r):min(w, x + bw + r)])
        keep[c] = not bool(is_mark[near[near != c]].any())
    return keep


# A sheet's own edge inside the frame (a crooked sheet larger than the scan area, or off it): a
# thin straight line along a side, within SHEET_EDGE_BAND_MM of the frame's side (a sheet pivoting
# 3.5° about its far corner brings its edge ~8 mm in), at least SHEET_EDGE_ELONGATION times longer
# along that side than across it.
SHEET_EDGE_BAND_MM = 10.0
SHEET_EDGE_ELONGATION = 4.0


def _sheet_edge_marks(stats: np.ndarray, shape: tuple[int, ...], mm: float, margin: int) -> np.ndarray:
    """Which faint marks (``connectedComponentsWithStats`` rows, background row dropped) are the
    sheet's own edge rather than something drawn on it.

    A crooked sheet bigger than the scan area, or shifted off it, shows its edge as a thin shadow
    line near a side of the frame, with the backing in a wedge beyond it; the faint-mark search
    finds that line, sharp and long, and a blank back was kept for it (gen4's crooked blank back,
    rebuilt in gen3_text ``bleed_crooked``). Such a line runs *along* the side it is near and is
    thin across it; a page number or a signature near the foot is neither, and is kept even when
    the margin line cuts it (it was dropped when any mark touching the margin line counted as the
    edge: gen3_text ``number_crooked``). ``shape`` is the searched image's, ``margin`` the pixels
    already cut off each side of the frame.
    """
    x0, y0 = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_TOP]
    bw, bh = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    x1, y1 = x0 + bw, y0 + bh
    band = max(0.0, SHEET_EDGE_BAND_MM * mm - margin)
    # Thickness minus the 1-pixel dilation on each side (faint_marks joins broken strokes).
    tw, th = np.maximum(bw - 2, 1), np.maximum(bh - 2, 1)
    along_side = ((x0 <= band) | (x1 >= shape[1] - band)) & (th >= SHEET_EDGE_ELONGATION * tw)
    along_end = ((y0 <= band) | (y1 >= shape[0] - band)) & (tw >= SHEET_EDGE_ELONGATION * th)
    return along_side | along_end


def _clean_sheet(ink: np.ndarray, level: float, mm: float) -> bool:
    """Few marks ≥ 1 mm at ``level`` (black-hat darkness): no print showing through from the back."""
    _, _, stats, _ = components_with_stats((ink > level).astype(np.uint8), connectivity=8)
    extent = np.maximum(stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT])
    return int((extent >= 1.0 * mm).sum()) <= FAINT_CLEAN_MAX


def sharpness(grey: np.ndarray, ink: np.ndarray, threshold: int) -> float | None:
    """Edge sharpness of the text: mean |Laplacian| at ink edges / ink contrast (None: no text)."""
    # OpenCV masks and sums instead of numpy's boolean indexing (~4× cheaper on an A4 page): the
    # Laplacian of uint8 is integer, so its mean over the edge pixels is summed exactly here
    # (numpy's float32 mean was within ~1e-7 of it); the contrast is the same percentile.
    mask = cv2.threshold(ink, threshold, 1, cv2.THRESH_BINARY)[1]
    if cv2.countNonZero(mask) < 200:
        return None
    edge = cv2.dilate(mask, np.ones((3, 3), np.uint8))
    lap = cv2.Laplacian(grey, cv2.CV_16S, ksize=3)  # |values| ≤ 8 × 255: exact in 16 bits
    contrast = u8_percentile(ink, 90, mask)
    return float(cv2.mean(np.abs(lap), mask=edge)[0]) / max(1.0, contrast)

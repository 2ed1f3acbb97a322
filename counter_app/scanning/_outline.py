"""Page finding on the small analysis copy of a page: the sheet's (or card's) outline.

Private to :mod:`counter_app.scanning.pipeline`. Everything here works on images of roughly
1000 pixels on the long side; nothing touches the full-resolution page, which is warped once at
the end by the pipeline.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import combinations, pairwise
from threading import Event
from typing import Any, NamedTuple

import cv2
import numpy as np

from counter_app.scanning._analysis import BINDING_MAX_MARKS, binding_marks
from counter_app.scanning._cc import components_with_stats

CARD_ASPECT = 85.6 / 53.98  # ID-1 (ISO/IEC 7810), the CCCD's format

# --------------------------------------------------------------------------- page quad


@dataclass(frozen=True)
class QuadFinding:
    """A page outline found on the analysis image (coordinates of that image)."""

    quad: np.ndarray  # 4×2 float64, TL TR BR BL (rough: refine with refine_edges)
    touches_edge: bool  # the page runs off the frame (cut off)
    area_fraction: float  # page area / frame area
    background: np.ndarray  # 3×3 Lab plane of the lid/desk, normalised coordinates
    level: float  # detection threshold (background noise)
    dark_border: bool = False  # the page fills the frame but dark scanner bars surround it
    weak: bool = False  # found by texture alone (a card the lid hides): needs its size confirmed
    parts: tuple[np.ndarray, ...] = ()  # two cards on one glass: each card's rough quad (refined apart)
    on_paper: bool = False  # the surroundings are as light as paper (white lid, or the page itself)


class _Candidate(NamedTuple):
    quad: np.ndarray
    rect: float  # rectangularity (IoU of blob and quad)
    frac: float  # area fraction of the frame inside the quad
    parts: tuple[np.ndarray, ...] = ()


def order_quad(pts: np.ndarray) -> np.ndarray:
    """Order 4 points TL, TR, BR, BL as seen in the image (angle around the centroid)."""
    # On four points in plain Python: NumPy's per-call overhead made this ~10 % of finding the page
    # (the quad searches order every quad four lines close). The same sums in the same order.
    q = np.asarray(pts, np.float64).reshape(4, 2).tolist()
    cx = (q[0][0] + q[1][0] + q[2][0] + q[3][0]) / 4
    cy = (q[0][1] + q[1][1] + q[2][1] + q[3][1]) / 4
    # NumPy's arctan2 and argsort (not stable on ties) keep degenerate quads' order bit for bit.
    p = [q[i] for i in np.argsort(np.arctan2([v[1] - cy for v in q], [v[0] - cx for v in q])).tolist()]
    s = min(range(4), key=lambda i: p[i][0] + p[i][1])
    return np.array(p[s:] + p[:s], np.float64)


def _background_model(lab: np.ndarray, ring: int) -> tuple[np.ndarray, float]:
    """Fit a plane per Lab channel to the frame's outer ring (lid or desk); return it and the noise.

    The plane is in normalised coordinates (x / width, y / height), so it applies at any scale.

    A plane rather than one colour because scanner lids and desks are lit unevenly; the robust
    noise (MAD of the L residual) sets the detection threshold, so a textured desk raises it
    and a clean lid lowers it.
    """
    h, w = lab.shape[:2]
    yy, xx = np.mgrid[0:h:2, 0:w:2]
    ring_sel = (yy < ring) | (yy >= h - ring) | (xx < ring) | (xx >= w - ring)
    ys, xs = yy[ring_sel], xx[ring_sel]
    step = max(1, len(xs) // 4000)
    ys, xs = ys[::step], xs[::step]
    a = np.column_stack([np.ones(len(xs)), xs / w, ys / h])
    vals = lab[ys, xs].astype(np.float64)
    # Start from the darker half: if the page runs off the frame, the paper in the ring is the
    # bright part (paper is lighter than a lid or a desk); then refit on inliers.
    keep = vals[:, 0] <= np.median(vals[:, 0])
    for _ in range(4):
        # Refit on inliers: where the page runs off the frame, part of the ring is paper.
        coef, *_ = np.linalg.lstsq(a[keep], vals[keep], rcond=None)
        resid = vals[:, 0] - a @ coef[:, 0]
        sigma = 1.4826 * float(np.median(np.abs(resid[keep] - np.median(resid[keep]))))
        new_keep = np.abs(resid) <= max(3.0 * sigma, 2.0)
        if new_keep.sum() < 50 or (new_keep == keep).all():
            break
        keep = new_keep
    return coef, sigma


def _model_planes(coef: np.ndarray, h: int, w: int, channels: Sequence[int] = (0, 1, 2)) -> list[np.ndarray]:
    """The background plane of each Lab channel (of ``channels``) on an h×w grid (normalised
    coordinates).

    Per channel and 2-D: NumPy broadcasting over a trailing axis of 3 is ~10× slower.
    """
    xx = (np.arange(w, dtype=np.float32) / w)[None, :]
    yy = (np.arange(h, dtype=np.float32) / h)[:, None]
    return [np.float32(coef[0, c]) + xx * np.float32(coef[1, c]) + yy * np.float32(coef[2, c])
            for c in channels]


def _intersect(lines: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray | None:
    """Corners of four lines (point, direction) taken in order: corner i = side i-1 ∩ side i."""
    out = []
    for i in range(4):
        (p1, d1), (p2, d2) = lines[i - 1], lines[i]
        den = d1[0] * d2[1] - d1[1] * d2[0]
        if abs(den) < 1e-6:
            return None
        t = ((p2[0] - p1[0]) * d2[1] - (p2[1] - p1[1]) * d2[0]) / den
        out.append(p1 + t * d1)
    return np.array(out)


def refine_edges(bgr: np.ndarray, approx: np.ndarray, coef: np.ndarray, level: float, reach: float
                 ) -> np.ndarray | None:
    """Sub-pixel page edges around a rough quad (``bgr`` pixel coordinates), or None.

    Profiles along each side's inward normal are read from ``bgr`` in one ``cv2.remap`` and
    turned into a "paper-ness" field against the background plane ``coef``: lighter than the
    lid/desk or different in colour. The shadow line along a scanned edge is darker and grey,
    so it does not push the edge outwards. The edge point is where a profile crosses half its
    local step (outside level → inside level), linearly interpolated; a robust line through
    each side's points, intersected, gives the corners. Only the middle 76 % of each side is
    used: card corners are rounded and the rough corners are the least reliable part.

    Two passes. The rough quad comes from a mask in which the lid-gap shadow along two sides
    of a card or slip counts as "not lid" (it is darker), so those sides can lie a shadow's
    width (≈ the reach) outside the object: the first pass looks twice as far on both sides of
    each rough side; the second looks again at the normal reach around what the first found,
    where the local levels are measured close to the edge. A side with too few edge points
    keeps its rough line (a card's edge lost in its own pale print along one side still lets
    the other three be exact).
    """
    wide = _refine_pass(bgr, approx, coef, level, 2.0 * reach)
    if wide is None:
        return None
    near = _refine_pass(bgr, wide, coef, level, reach)
    return wide if near is None else near


def _refine_pass(bgr: np.ndarray, approx: np.ndarray, coef: np.ndarray, level: float, reach: float
                 ) -> np.ndarray | None:
    """One pass of :func:`refine_edges` with profiles of ±``reach`` pixels."""
    h, w = bgr.shape[:2]
    n_along, n_across = 48, int(2 * reach) + 1
    ts = np.linspace(0.12, 0.88, n_along)
    offs = np.linspace(-reach, reach, n_across)
    xs = np.empty((4, n_along, n_across), np.float32)
    ys = np.empty_like(xs)
    normals = []
    for i in range(4):
        p, q = approx[i], approx[(i + 1) % 4]
        d = q - p
        length = float(np.hypot(*d))
        if length < 8:
            return None
        u = d / length
        nrm = np.array([-u[1], u[0]])  # inward for TL→TR→BR→BL (clockwise on screen)
        normals.append(nrm)
        base = p[None, :] + ts[:, None] * d[None, :]
        pts = base[:, None, :] + offs[None, :, None] * nrm[None, None, :]
        xs[i], ys[i] = pts[..., 0], pts[..., 1]
    samples = cv2.remap(bgr, xs.reshape(-1, n_across), ys.reshape(-1, n_across), cv2.INTER_LINEAR,
                        borderMode=cv2.BORDER_REPLICATE)
    lab = cv2.cvtColor(samples, cv2.COLOR_BGR2LAB).astype(np.float32).reshape(4, n_along, n_across, 3)
    c = coef.astype(np.float32)
    model = c[0] + (xs / w)[..., None] * c[1] + (ys / h)[..., None] * c[2]
    diff = lab - model
    prof = np.maximum(diff[..., 0], 0) + 2 * np.sqrt(diff[..., 1] ** 2 + diff[..., 2] ** 2)
    # Smooth across (noise must not make a crossing) and along (neighbouring profiles agree).
    prof = cv2.GaussianBlur(prof.reshape(-1, n_across), (3, 3), 0.8).reshape(4, n_along, n_across)
    # Darker than the lid: what is left of a white sheet's edge on a white lid (the thin line of
    # its cut edge, the lid-gap shadow beside it) when it is no lighter and no more coloured.
    dark = cv2.GaussianBlur(np.maximum(-diff[..., 0], 0).reshape(-1, n_across), (3, 3), 0.8
                            ).reshape(4, n_along, n_across)
    third = max(1, n_across // 3)
    lows = np.median(prof[..., :third], axis=2)
    highs = np.median(prof[..., -third:], axis=2)
    lines = []
    found_sides = 0
    for i in range(4):
        p, q = approx[i], approx[(i + 1) % 4]
        # (Within 3 pixels: the rough quad comes from a coarser copy, where the frame's last pixel
        # covers two or three of these. Farther, a side is the sheet's own, even near the frame:
        # snapping it would tilt the page's outline.)
        tol = 3.0
        on_border = [abs(p[a] - e) <= tol and abs(q[a] - e) <= tol
                     for a, e in ((0, 0), (0, w - 1), (1, 0), (1, h - 1))]
        if any(on_border):
            # The page runs off the frame here: its edge is the frame's, and a profile would only
            # lock onto the first step inside — a text block's edge, cutting the page.
            a, e = next((a, e) for (a, e), hit in zip(((0, -0.5), (0, w - 0.5), (1, -0.5), (1, h - 0.5)),
                                                       on_border, strict=True) if hit)
            point = np.array([e, 0.0]) if a == 0 else np.array([0.0, e])
            lines.append((point, np.array([0.0, 1.0]) if a == 0 else np.array([1.0, 0.0])))
            found_sides += 1
            continue
        pts_i = []
        for j in range(n_along):
            o = _edge_offset(prof[i, j], lows[i, j], highs[i, j], level, offs)
            if o is not None:
                pts_i.append((xs[i, j, 0] + (o + reach) * normals[i][0],
                              ys[i, j, 0] + (o + reach) * normals[i][1]))
        if len(pts_i) < 8:
            pts_i = []
            for j in range(n_along):
                o = _dark_edge_offset(dark[i, j], level, offs)
                if o is not None:
                    pts_i.append((xs[i, j, 0] + (o + reach) * normals[i][0],
                                  ys[i, j, 0] + (o + reach) * normals[i][1]))
        if len(pts_i) < 8:
            lines.append((p.astype(np.float64), (q - p).astype(np.float64)))  # the rough side
            continue
        vx, vy, x0, y0 = cv2.fitLine(np.array(pts_i, np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        lines.append((np.array([x0, y0], np.float64), np.array([vx, vy], np.float64)))
        found_sides += 1
    if found_sides < 2:
        return None
    res = _intersect(lines)
    if res is None or np.abs(res - approx).max() > 0.1 * max(np.ptp(approx[:, 0]), np.ptp(approx[:, 1])):
        return None  # the fit ran away: keep the rough quad
    return order_quad(res)


def _edge_offset(prof: np.ndarray, low: float, high: float, level: float, offs: np.ndarray) -> float | None:
    """Where one paper-ness profile (outside → inside) steps from the background onto the object.

    The step is the *outermost* rise that clears the background by ``level`` and stays up: a
    pale card whose edge barely differs from a white lid has its photo or a dark print block a
    few millimetres inside, a far stronger step, and the half-way level between the lid and
    that print lies beyond the card's own edge. So the edge is found at half the local step —
    from the background to the plateau just past the first rise — not half the profile's
    overall range. ``None`` when the profile never clears the background (no edge seen).
    """
    if high - low < level:
        return None
    # Clearing the noise is not enough on a dark lid (its lightness noise is several levels):
    # the rise must also be a quarter of the way to the profile's inside level.
    up = prof > low + max(level, 0.25 * (high - low))
    # The first run of at least two samples above the background, from the outside in.
    run = np.nonzero(up[:-1] & up[1:])[0]
    if len(run) == 0:
        return None
    k0 = int(run[0])
    # Past the rise's blurred ramp (a few pixels), before whatever print lies further in.
    plateau = float(np.median(prof[k0 + 2:k0 + 6])) if k0 + 3 < len(prof) else float(prof[-1])
    v = prof - (low + plateau) / 2
    # The half-level crossing (outside → inside) of this rise: after its start on a strong step,
    # at or just before it on a faint one.
    k = k0
    if v[k] > 0:
        while k > 0 and v[k - 1] > 0:
            k -= 1
    else:
        while k < len(v) - 1 and v[k] <= 0:
            k += 1
    if k == 0 or v[k] <= 0:
        return None  # already up at the profile's outer end: no background seen outside
    return float(offs[k - 1] + v[k - 1] / (v[k - 1] - v[k]) * (offs[1] - offs[0]))


def _dark_edge_offset(dark: np.ndarray, level: float, offs: np.ndarray) -> float | None:
    """Where a sheet as light as the lid begins, from its edge's darkness (outside → inside).

    A white slip on a white lid differs from the lid only along its edge: the thin grey line of
    the cut edge, and on the sides away from the lamp the lid-gap shadow, darkest against the
    sheet and fading outwards. Either way the sheet begins where the outermost dark feature
    ends on its inner side: half-way down from its peak. Print further in is darker still, so
    the outermost peak that clears ``level`` is taken, not the darkest. ``None`` when there is
    none, or it does not end inside the profile.
    """
    n = len(dark)
    above = np.nonzero(dark > level)[0]
    if len(above) == 0 or above[0] == 0:
        return None
    m = int(above[0])
    while m + 1 < n and dark[m + 1] >= dark[m]:  # climb to this feature's peak
        m += 1
    half = dark[m] / 2
    k = m
    while k < n and dark[k] > half:
        k += 1
    if k >= n:
        return None
    return float(offs[k - 1] + (dark[k - 1] - half) / (dark[k - 1] - dark[k]) * (offs[1] - offs[0]))


def _fill_holes(mask: np.ndarray) -> np.ndarray:
    """``mask`` with every region not connected to the frame's border filled in."""
    h, w = mask.shape
    outside = np.zeros((h + 2, w + 2), np.uint8)
    outside[1:-1, 1:-1] = mask
    cv2.floodFill(outside, None, (0, 0), 2)
    return (outside[1:-1, 1:-1] != 2).astype(np.uint8)


def _frame_edges(p: np.ndarray, w: int, h: int, tol: float = 2.0) -> set[str]:
    """Which of the frame's edges (L, R, T, B) the point lies on."""
    out = set()
    if p[0] <= tol:
        out.add("L")
    if p[0] >= w - 1 - tol:
        out.add("R")
    if p[1] <= tol:
        out.add("T")
    if p[1] >= h - 1 - tol:
        out.add("B")
    return out


_FRAME_LINES = {"L": ((-0.5, 0.0), (0.0, 1.0)), "R": (None, (0.0, 1.0)), "T": ((0.0, -0.5), (1.0, 0.0)),
                "B": (None, (1.0, 0.0))}


def _quad_through_frame(poly: np.ndarray, w: int, h: int) -> np.ndarray | None:
    """The page's quad from the outline of its visible part when it runs off the frame, or None.

    The visible part of a sheet cut by the frame is a polygon of 5–8 vertices: page sides, and
    frame sides where the page leaves the frame. A run of frame sides along one frame edge
    becomes that edge (the crop stops at the frame); a run turning a frame corner means the
    page's own corner lies outside, where its two neighbouring page sides meet.
    """
    n = len(poly)
    kinds: list[str | None] = []
    for i in range(n):
        common = _frame_edges(poly[i], w, h) & _frame_edges(poly[(i + 1) % n], w, h)
        kinds.append(min(common) if common else None)
    if all(k is not None for k in kinds) or all(k is None for k in kinds):
        return None
    start = next(i for i in range(n) if kinds[i] is None)
    seq: list[tuple[np.ndarray, np.ndarray] | None] = []  # sides in order; None: the page leaves the frame
    run: set[str] = set()

    def close_run() -> None:
        # One frame edge: the crop follows it. More (around a frame corner): the page's own
        # corner, or a whole side, is outside the frame.
        if len(run) == 1:
            lab = next(iter(run))
            pt, d = _FRAME_LINES[lab]
            if pt is None:
                pt = (w - 0.5, 0.0) if lab == "R" else (0.0, h - 0.5)
            seq.append((np.array(pt, np.float64), np.array(d, np.float64)))
        elif run:
            seq.append(None)
        run.clear()

    for i in ((start + j) % n for j in range(n)):
        kind = kinds[i]
        if kind is not None:
            run.add(kind)
            continue
        close_run()
        p, q = poly[i], poly[(i + 1) % n]
        seq.append((p.astype(np.float64), (q - p).astype(np.float64)))
    close_run()
    lines = [x for x in seq if x is not None]
    if len(lines) == 3 and len(seq) == 4:
        # Three sides seen and the fourth outside the frame: it runs parallel to the side opposite
        # it, through the visible part's farthest point — the quad then holds all the paper the
        # frame shows, and what it holds beyond the frame is nothing.
        k = seq.index(None)
        p0, d0 = seq[(k + 2) % 4]  # type: ignore[misc]
        nrm = np.array([-d0[1], d0[0]]) / max(1e-9, float(np.hypot(*d0)))
        far = poly[int(np.argmax(np.abs((poly - p0) @ nrm)))].astype(np.float64)
        seq[k] = (far, d0)
        lines = [x for x in seq if x is not None]
    if len(lines) != 4 or sum(1 for i in range(n) if kinds[i] is None) < 2:
        return None
    corners = _intersect(lines)
    if corners is None:
        return None
    # A corner far outside the frame is a fit gone wrong (near-parallel sides), not a page.
    if (np.abs(corners[:, 0] - w / 2) > 1.5 * w).any() or (np.abs(corners[:, 1] - h / 2) > 1.5 * h).any():
        return None
    quad = order_quad(corners)
    if not cv2.isContourConvex(np.round(quad * 8).astype(np.int32)):
        return None
    return quad


def _fit_quad(hull: np.ndarray, w: int, h: int) -> np.ndarray | None:
    """Four corners for a convex outline: a polygon approximation, or sides extended past the frame."""
    peri = cv2.arcLength(hull, True)
    for eps in (0.01, 0.02, 0.03, 0.05, 0.08):
        a = cv2.approxPolyDP(hull, eps * peri, True).reshape(-1, 2).astype(np.float64)
        if len(a) == 4:
            return order_quad(a)
        if 5 <= len(a) <= 8:
            q = _quad_through_frame(a, w, h)
            if q is not None:
                return q
    return None


_COMBOS: dict[int, np.ndarray] = {}  # n → every 4 of range(n), in itertools' (lexicographic) order


def _line_quads(lines: list[tuple[float, float]], w: int, h: int) -> Iterator[np.ndarray]:
    """Every convex quad that four of ``lines`` (rho, theta) close, ordered TL TR BR BL.

    Four lines qualify as two pairs of roughly opposite sides (within 35°: perspective), each
    pair apart enough to cross the other (|det| ≥ 0.3); corners far outside the frame (over 1.5
    frame sizes from its centre) are a fit gone wrong. Every pair's angle and crossing is
    computed once (closed form), and the tests on every combination run as array operations
    (session 10: ~5 ms a call on 12 lines in Python loops); only the quads that pass are
    ordered (:func:`order_quad`, the same arithmetic) and checked for convexity one by one.
    The same quads in the same order as the loops gave.
    """
    n_lines = len(lines)
    if n_lines < 4:
        return
    combos = _COMBOS.get(n_lines)
    if combos is None:
        combos = _COMBOS[n_lines] = np.array(list(combinations(range(n_lines), 4)), np.intp).reshape(-1, 4)
    rho = np.array([r for r, _ in lines], np.float64)
    theta = np.array([t for _, t in lines], np.float64)
    # math.cos/sin as before (NumPy's vector routines may differ in the last bit).
    cos_t = np.array([math.cos(t) for t in theta.tolist()], np.float64)
    sin_t = np.array([math.sin(t) for t in theta.tolist()], np.float64)
    i, j = np.triu_indices(n_lines, 1)
    apart = np.zeros((n_lines, n_lines))
    apart[i, j] = np.abs((theta[i] - theta[j] + np.pi / 2) % np.pi - np.pi / 2)
    apart[j, i] = apart[i, j]
    det = cos_t[i] * sin_t[j] - sin_t[i] * cos_t[j]
    cx = np.zeros((n_lines, n_lines))
    cy = np.zeros((n_lines, n_lines))
    ok = np.zeros((n_lines, n_lines), bool)
    cx[i, j] = cx[j, i] = (rho[i] * sin_t[j] - rho[j] * sin_t[i]) / np.where(det == 0, 1.0, det)
    cy[i, j] = cy[j, i] = (cos_t[i] * rho[j] - cos_t[j] * rho[i]) / np.where(det == 0, 1.0, det)
    ok[i, j] = ok[j, i] = np.abs(det) >= 0.3
    # The first of the three pairings whose two pairs are each roughly parallel.
    pairings = np.array([(0, 1, 2, 3), (0, 2, 1, 3), (0, 3, 1, 2)], np.intp)
    cand = combos[:, pairings]  # C × 3 × 4 line indices
    fits = (apart[cand[..., 0], cand[..., 1]] < 0.6) & (apart[cand[..., 2], cand[..., 3]] < 0.6)
    has = fits.any(axis=1)
    pairs = cand[np.flatnonzero(has), np.argmax(fits[has], axis=1)]  # P × 4: a, b, c, d
    a, b, c, d = pairs.T
    corners = ((a, c), (c, b), (b, d), (d, a))
    crossed = np.logical_and.reduce([ok[u, v] for u, v in corners])
    px = np.stack([cx[u, v] for u, v in corners], axis=1)[crossed]
    py = np.stack([cy[u, v] for u, v in corners], axis=1)[crossed]
    for quad in _order_quads(px, py)[_near_frame(px, py, w, h)]:
        if cv2.isContourConvex(np.round(quad * 8).astype(np.int32)):
            yield quad


def _near_frame(px: np.ndarray, py: np.ndarray, w: int, h: int) -> np.ndarray:
    """Per quad (rows of corner x, y): no corner over 1.5 frame sizes from the frame's centre."""
    far = (np.abs(px - w / 2) > 1.5 * w).any(axis=1) | (np.abs(py - h / 2) > 1.5 * h).any(axis=1)
    return np.asarray(~far, bool)


def _order_quads(px: np.ndarray, py: np.ndarray) -> np.ndarray:
    """:func:`order_quad` for many quads at once (rows of corner x, y → N × 4 × 2), the same
    arithmetic in the same order: the same corners bit for bit."""
    cx = (((px[:, 0] + px[:, 1]) + px[:, 2]) + px[:, 3]) / 4
    cy = (((py[:, 0] + py[:, 1]) + py[:, 2]) + py[:, 3]) / 4
    by_angle = np.argsort(np.arctan2(py - cy[:, None], px - cx[:, None]), axis=1)
    sx, sy = np.take_along_axis(px, by_angle, axis=1), np.take_along_axis(py, by_angle, axis=1)
    first = np.argmin(sx + sy, axis=1)  # the first of equal sums, as min() takes
    roll = (first[:, None] + np.arange(4)[None, :]) % 4
    return np.stack([np.take_along_axis(sx, roll, axis=1), np.take_along_axis(sy, roll, axis=1)], axis=2)


def _quad_by_lines(contour: np.ndarray, blob: np.ndarray) -> tuple[np.ndarray, float] | None:
    """The best quad of straight contour lines around a blob with something stuck to it, or None.

    A page with glare, a shadow or a pen merged into its blob is no longer a convex 4-gon, but
    its own sides are still the longest straight runs of the outline. Straight lines are found
    on the outline (Hough), the frame's edges are added where the blob touches them (a sheet
    running off the photo), and of every four of them that close a convex quad, the one that
    best agrees with the blob (IoU on a small grid) and is supported along its sides wins.
    Returns (quad, share of its perimeter supported by the outline).
    """
    h, w = blob.shape
    outline = np.zeros((h, w), np.uint8)
    cv2.drawContours(outline, [contour], -1, 255, 1)
    outline[:2, :] = outline[-2:, :] = 0
    outline[:, :2] = outline[:, -2:] = 0
    votes = max(12, int(0.06 * min(h, w)))
    found = cv2.HoughLines(outline, 1, np.pi / 360, votes)
    lines: list[tuple[float, float]] = []
    for rho, theta in ([] if found is None else found[:, 0, :].tolist()):
        # One line per side: skip lines near one already kept (the Hough peak is a few bins wide).
        if all(abs(rho - r) > 0.02 * max(h, w) or abs((theta - t + np.pi / 2) % np.pi - np.pi / 2) > 0.05
               for r, t in lines):
            lines.append((rho, theta))
        if len(lines) == 8:
            break
    border = [(-0.5, np.pi / 2) if blob[0].any() else None, (h - 0.5, np.pi / 2) if blob[-1].any() else None,
              (-0.5, 0.0) if blob[:, 0].any() else None, (w - 0.5, 0.0) if blob[:, -1].any() else None]
    lines += [b for b in border if b is not None]
    if len(lines) < 4:
        return None
    s = min(1.0, 160 / max(h, w))
    small = np.asarray(cv2.resize(blob, (max(1, round(w * s)), max(1, round(h * s))),
                                  interpolation=cv2.INTER_NEAREST), np.uint8)
    n_blob = float(np.count_nonzero(small))
    best: tuple[float, np.ndarray, float] | None = None
    for quad in _line_quads(lines, w, h):
        qm = np.zeros(small.shape, np.uint8)
        cv2.fillConvexPoly(qm, np.round(((quad + 0.5) * s - 0.5) * 16).astype(np.int32), 1, shift=4)
        n_quad = float(np.count_nonzero(qm))
        if n_quad < 0.5 * n_blob:  # a sliver between two near-parallel lines, a detail
            continue
        inter = float(np.count_nonzero(qm & small))
        iou = inter / max(1.0, n_blob + n_quad - inter)
        if best is None or iou > best[0]:
            best = (iou, quad, iou)
    if best is None:
        return None
    return best[1], _side_support(best[1], outline)


_NEAR_2PX = np.array([[0, 0, 1, 0, 0], [0, 1, 1, 1, 0], [1, 1, 1, 1, 1], [0, 1, 1, 1, 0], [0, 0, 1, 0, 0]], np.uint8)


def _side_support(quad: np.ndarray, outline: np.ndarray) -> float:
    """Share of the quad's perimeter (inside the frame) running along the drawn ``outline``, ±2 px."""
    h, w = outline.shape
    # "Within 2 px" as the 3×3 chamfer distance (DIST_L2, mask 3: 0.955 a step across, 1.3693
    # diagonally) measures it — two steps across or one diagonal — as one dilation: the same
    # pixels as thresholding that distance transform, ~5× cheaper (issue #13, time).
    near = np.asarray(cv2.dilate(outline, _NEAR_2PX, borderType=cv2.BORDER_CONSTANT, borderValue=0))
    hits = total = 0
    for i in range(4):
        p, q = quad[i], quad[(i + 1) % 4]
        t = np.linspace(0, 1, 64)[:, None]
        pts = p[None, :] * (1 - t) + q[None, :] * t
        xi, yi = np.round(pts[:, 0]).astype(int), np.round(pts[:, 1]).astype(int)
        ok = (xi >= 2) & (xi < w - 2) & (yi >= 2) & (yi < h - 2)  # the frame's own edge is not drawn
        total += int(ok.sum())
        hits += int(np.count_nonzero(near[yi[ok], xi[ok]]))
    return hits / max(1, total)


def _quad_from_mask(mask: np.ndarray, k: int) -> _Candidate | None:
    """Largest solid blob of ``mask`` → (quad, rectangularity, area fraction in the frame), or None."""
    h, w = mask.shape
    # Opening removes text strokes, pens and thin clutter bridges; the sheet survives.
    opened = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    contours, _ = cv2.findContours(opened, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not contours:
        return None
    c = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(c)
    if area < 0.02 * h * w:
        return None
    hull = cv2.convexHull(c)
    solid = area / max(1.0, cv2.contourArea(hull)) >= 0.85
    blob = np.zeros((h, w), np.uint8)
    cv2.drawContours(blob, [c], -1, 1, -1)

    def rectangularity(quad: np.ndarray) -> tuple[float, np.ndarray]:
        # How much of the quad (inside the frame) the blob fills and vice versa (clutter stuck to
        # the page or a dent from a shadow both lower it).
        qmask = np.zeros((h, w), np.uint8)
        cv2.fillConvexPoly(qmask, np.round(quad * 16).astype(np.int32), 1, shift=4)
        inter = float(np.count_nonzero(qmask & blob))
        return inter / max(1.0, float(np.count_nonzero(qmask | blob))), qmask

    quad = _fit_quad(hull, w, h) if solid else None
    if quad is None and solid:
        quad = order_quad(cv2.boxPoints(cv2.minAreaRect(c)).astype(np.float64))
    rect, qmask = 0.0, np.zeros((h, w), np.uint8)
    if quad is not None:
        rect, qmask = rectangularity(quad)
    if quad is None or rect < 0.9:
        # Something merged into the sheet's blob (glare, a shadow, a pen, a desk object): its
        # straight sides still say where it is; the rest of the blob is left out.
        by_lines = _quad_by_lines(c, blob)
        if by_lines is None:
            return None
        quad, support = by_lines
        rect, qmask = rectangularity(quad)
        # Judged against the blob minus what sticks out of the quad (most of the quad is blob: a
        # dent where glare hides paper is allowed), and by its sides: most of its perimeter
        # runs along the blob's outline — the sheet's own straight edges, not a guess.
        cover = float(np.count_nonzero(qmask & blob)) / max(1.0, float(np.count_nonzero(qmask)))
        if cover < 0.85 or support < 0.7 or float(np.count_nonzero(qmask)) < 0.6 * area:
            return None
        rect = min(rect, cover) if rect >= 0.9 else 0.9 * cover
    inside = float(np.count_nonzero(qmask))
    if inside <= 0:
        return None
    # A solid region: most of the quad really differs from the background (a text block does not).
    if mask[qmask > 0].mean() < 0.6:
        return None
    other = _card_pair(contours, c, quad, w, h)
    if other is not None:
        both = order_quad(cv2.boxPoints(cv2.minAreaRect(np.concatenate([quad, other]).astype(np.float32))))
        return _Candidate(both, rect, float(cv2.contourArea(both.astype(np.float32))) / (h * w), (quad, other))
    return _Candidate(quad, rect, inside / (h * w))


def _is_card(quad: np.ndarray, tol: float = 0.08, squat: float | None = None) -> bool:
    """The quad has an ID-1 card's aspect (85.6 × 54 mm), within ``tol`` (``squat``: the
    tolerance towards a squarer shape, when it differs)."""
    sides = [float(np.linalg.norm(quad[(i + 1) % 4] - quad[i])) for i in range(4)]
    a, b = sides[0] + sides[2], sides[1] + sides[3]
    off = max(a, b) / max(1e-6, min(a, b)) / CARD_ASPECT - 1
    return -(tol if squat is None else squat) <= off <= tol


def _card_pair(contours: Sequence[np.ndarray], c: np.ndarray, quad: np.ndarray, w: int, h: int) -> np.ndarray | None:
    """The quad of a second ID card lying next to the card ``quad`` (front and back on one glass), or None.

    A counter copies both sides of a CCCD on one glass as one component: when the largest blob is
    a card and the next one is a card of the same size close to it, both are the document.
    """
    if not _is_card(quad) or len(contours) < 2:
        return None
    area = cv2.contourArea(c)
    others = sorted((o for o in contours if o is not c), key=cv2.contourArea, reverse=True)
    o = others[0]
    if not 0.6 <= cv2.contourArea(o) / max(1.0, area) <= 1.5:
        return None
    oq = _fit_quad(cv2.convexHull(o), w, h)
    if oq is None or not _is_card(oq):
        return None
    short = min(float(np.linalg.norm(quad[1] - quad[0])), float(np.linalg.norm(quad[2] - quad[1])))
    gap = cv2.pointPolygonTest(c, tuple(float(v) for v in oq.mean(axis=0)), True)
    if -gap > 2.5 * short:  # farther than a card's width apart: two separate things
        return None
    return oq


def _edge_line_candidate(bgr: np.ndarray, coef: np.ndarray, ring: int, k: int) -> _Candidate | None:
    """Candidate of a white sheet on a white lid, drawn by the dark line along its edge.

    When the slip is exactly as light as the lid and no more coloured, the only trace of it at
    this scale is along its edge: the thin grey line of the cut edge and, on the sides away
    from the lamp, the lid-gap shadow. Both are *darker* than the lid, on the raw image (the
    median filter the other masks use erases a one-pixel line). The darker-than-lid pixels of
    one connected piece that runs around a region — most of the piece on the region's convex
    outline, most of that outline (inside the frame) drawn — are the sheet's edge; or, when the
    paper itself is a few levels darker than the lid (a till roll), the piece fills its quad. A
    line of text is a thin dark piece too, but it encloses nothing; a table's grid has most of
    its rules inside its outline. Weak: the pipeline still wants a card's or a
    slip's size before it crops.
    """
    h, w = bgr.shape[:2]
    md = min(h, w)
    lum = cv2.cvtColor(bgr, cv2.COLOR_BGR2LAB)[..., 0].astype(np.float32)
    dark = _model_planes(coef, h, w, (0,))[0] - lum
    ring_d = np.concatenate([dark[:ring].ravel(), dark[-ring:].ravel(), dark[:, :ring].ravel(),
                             dark[:, -ring:].ravel()])
    noise = 1.4826 * float(np.median(np.abs(ring_d - np.median(ring_d))))
    mask = (dark > max(4.0, 5.0 * noise)).astype(np.uint8)
    _, labels, stats, _ = components_with_stats(mask, connectivity=8)
    # (Tested on the stats' columns at once: a text page has thousands of dark pieces.)
    pieces = (np.flatnonzero(np.maximum(stats[1:, 2], stats[1:, 3]) >= 0.2 * md) + 1).tolist()
    pieces.sort(key=lambda j: -int(stats[j, 2]) * int(stats[j, 3]))
    for j in pieces[:4]:
        piece = (labels == j).astype(np.uint8)
        pts = cv2.findNonZero(piece)
        hull = cv2.convexHull(pts)
        if cv2.contourArea(hull) < 0.03 * h * w:
            continue  # a line of text, a rule: encloses nothing
        region = np.zeros((h, w), np.uint8)
        cv2.fillConvexPoly(region, hull.reshape(-1, 2), 1)
        # The outline's band is as wide as the piece's mean width along the hull (a shadow is
        # several pixels wide), at most a tenth of the region.
        band = float(np.count_nonzero(piece)) / max(1.0, cv2.arcLength(hull, True))
        band = int(min(max(band + 1, k), 0.1 * min(stats[j, 2], stats[j, 3])))
        inner = np.asarray(cv2.erode(region, np.ones((2 * band + 1, 2 * band + 1), np.uint8)))
        found = _quad_from_mask(region, k)
        if found is None or found.frac > 0.6 or not inner.any():
            continue
        if float(mask[inner > 0].mean()) >= 0.5:
            # The paper itself is a few levels darker than the lid (a till roll, recycled paper):
            # too faint for the other masks, but solid — it must fill its quad. (A block of print
            # is not solid in this sense: between its letters the paper is as light as the lid.)
            filled = _fill_holes(cv2.morphologyEx(piece, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8)))
            qm = np.zeros((h, w), np.uint8)
            cv2.fillConvexPoly(qm, np.round(found.quad * 16).astype(np.int32), 1, shift=4)
            if float(np.count_nonzero(qm & filled)) / max(1.0, float(np.count_nonzero(qm | filled))) >= 0.85:
                return found
            continue
        # Most of the piece lies along the region's outline (within a shadow's width), not inside
        # — unless nothing at all is drawn outside it: then it is a sheet on a bare lid whatever
        # it holds (a slip with a ruled table, paper mottle joining its print to its edge), where
        # a grid on a page has the page's other print around it …
        outside = np.asarray(cv2.dilate(region, np.ones((4 * band + 1, 4 * band + 1), np.uint8))) == 0
        bare = outside.any() and float(mask[outside].mean()) < 0.002
        if not bare and float(np.count_nonzero(piece & inner)) > 0.5 * float(np.count_nonzero(piece)):
            continue
        # … and most of the quad's perimeter inside the frame is drawn by it: a closed outline.
        drawn = cv2.dilate(piece * 255, np.ones((3, 3), np.uint8))
        support = _side_support(found.quad, drawn)
        # A sheet wholly on the glass is the piece's smallest rectangle, when that fits the
        # region better than the corners fitted to its hull (a letter at the edge bends the hull
        # and the fit may cut a corner off).
        box = order_quad(cv2.boxPoints(cv2.minAreaRect(pts)).astype(np.float64))
        if (box >= 0).all() and (box[:, 0] <= w - 1).all() and (box[:, 1] <= h - 1).all():
            bm = np.zeros((h, w), np.uint8)
            cv2.fillConvexPoly(bm, np.round(box * 16).astype(np.int32), 1, shift=4)
            fit = float(np.count_nonzero(bm & region)) / max(1.0, float(np.count_nonzero(bm | region)))
            if fit > found.rect:
                found = _Candidate(box, fit, float(np.count_nonzero(bm)) / (h * w))
                support = _side_support(box, drawn)
        if support < 0.7:
            continue
        return found
    return None
# --------------------------------------------------------------------------- feeder streaks

STREAK_SHARE = 0.8  # of the frame's rows where a column is darker than both its neighbours …
STREAK_ENDS = 0.8  # … and of the rows at each end of the frame (on the lid or the backing)


def without_streaks(bgr: np.ndarray) -> np.ndarray:
    """``bgr`` with a sheet feeder's streaks filled in from the columns beside them (the same
    array when there are none).

    A speck or a scratch on a feeder's glass line darkens one to a few columns along the whole
    feed: a thin dark line from the frame's top to its bottom, across backing and page alike.
    Page finding took it for a side of the page (gen8 adf_trichluc#2, #77: the page cut to its
    printed border or to a strip beside the streak, J 0.77 and 0.18). A column counts when it is
    darker than both columns two pixels away on ≥ 80 % of the rows, and on ≥ 80 % of the rows at
    each end of the frame: a page's printed rule stops on the page (the backing beyond it has no
    line), a side of the page is a step, not a line.
    """
    h, w = bgr.shape[:2]
    if w < 8 or h < 30:
        return bgr
    g = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY).astype(np.int16)
    r = 2
    side = np.minimum(np.pad(g, ((0, 0), (r, 0)), mode="edge")[:, :w], np.pad(g, ((0, 0), (0, r)), mode="edge")[:, r:])
    darker = 100 * g < 97 * side
    end = max(1, h // 30)
    cols = (darker.mean(axis=0) >= STREAK_SHARE) & (darker[:end].mean(axis=0) >= STREAK_ENDS) & \
        (darker[-end:].mean(axis=0) >= STREAK_ENDS)
    cols[:r] = cols[w - r:] = False
    if not cols.any():
        return bgr
    out = bgr.copy()
    xs = np.nonzero(cols)[0]
    # Runs of neighbouring streak columns, each filled from the clean columns either side.
    for run in np.split(xs, np.nonzero(np.diff(xs) > 1)[0] + 1):
        a, b = max(0, int(run[0]) - r), min(w - 1, int(run[-1]) + r)
        t = ((np.arange(a + 1, b) - a) / (b - a)).astype(np.float32)[None, :, None]
        out[:, a + 1:b] = np.round(out[:, a:a + 1] * (1 - t) + out[:, b:b + 1] * t).astype(np.uint8)
    return out


# --------------------------------------------------------------------------- edges (camera photos)

_SIDE_SAMPLES = 48


def _paperness(lab: np.ndarray) -> np.ndarray:
    """Lightness minus twice the chroma, float32, with print closed away.

    Paper is light and neutral; a desk, a book's edge or a coloured object is darker or more
    coloured. A closing (as wide as a thick stroke) removes text, so a text line's edge is no
    paper edge; the page's own edge, a step over a wide area, survives.
    """
    h, w = lab.shape[:2]
    a = lab[..., 1].astype(np.float32) - 128
    b = lab[..., 2].astype(np.float32) - 128
    p = lab[..., 0].astype(np.float32) - 2 * cv2.sqrt(a * a + b * b)
    kk = max(5, int(0.025 * min(h, w)) | 1)
    return np.asarray(cv2.morphologyEx(p, cv2.MORPH_CLOSE, np.ones((kk, kk), np.uint8)))


def _side_contrast(paper: np.ndarray, quad: np.ndarray, step: float, delta: float) -> tuple[list[float], float]:
    """Per side of ``quad``: share of its length where the inside is more paper-like than the outside.

    Sampled at ``step`` pixels on either side of the side's line, over its middle 90 %. A side
    on the frame's edge (a page running off the photo) has no outside: there the inside must be
    as paper-like as the paper just inside the other sides (within ``2 * delta``), or a quad could
    run on from a page's corner over the desk to the frame. Returns the shares (a frame side's
    as ``-1 - share``) and that paper level.
    """
    return _side_contrasts(paper, quad[None], step, delta)[0]


def _side_contrasts(paper: np.ndarray, quads: np.ndarray, step: float, delta: float
                    ) -> list[tuple[list[float], float]]:
    """:func:`_side_contrast` of each of ``quads`` (N × 4 × 2), sampled in one remap (session 10:
    the edge search asks it of ~40 quads a page); each quad's answer is the one it gets alone."""
    h, w = paper.shape
    n = _SIDE_SAMPLES
    m = len(quads)
    if m == 0:
        return []
    ts = np.linspace(0.05, 0.95, n)[None, None, :, None]
    p, q = quads[:, :, None, :], np.roll(quads, -1, axis=1)[:, :, None, :]
    d = (q - p)[:, :, 0, :]
    nrm = np.stack([-d[..., 1], d[..., 0]], axis=-1) / np.maximum(1e-6, np.hypot(d[..., 0], d[..., 1]))[..., None]
    pts = p + ts * (q - p)  # N × 4 × n × 2; the normal points inward for TL→TR→BR→BL
    inner = pts + step * nrm[:, :, None, :]
    outer = pts - step * nrm[:, :, None, :]
    oks = (outer[..., 0] >= 0) & (outer[..., 0] <= w - 1) & (outer[..., 1] >= 0) & (outer[..., 1] <= h - 1)
    # One row of the maps per side and offset (remap wants fewer than 32767 rows).
    both = np.concatenate([inner, outer], axis=1).reshape(m * 8, n, 2).astype(np.float32)
    allvals = cv2.remap(paper, np.ascontiguousarray(both[..., 0]), np.ascontiguousarray(both[..., 1]),
                        cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE).reshape(m, 8, n)
    inside = allvals[:, :4]
    stepped = inside - np.where(oks, allvals[:, 4:], np.inf) >= delta
    frame_side = oks.mean(axis=2) < 0.5
    # The paper level of every quad at once (session 12: np.percentile per quad was half the
    # call): numpy's linear 25th percentile of the stepped samples inside its sides off the frame,
    # re-done on rows sorted with the other samples set to +inf — the same index, weight and
    # float32 rounding (q = 0.25 is a weak Python scalar there, so it runs in the values' type).
    seen = stepped & ~frame_side[:, :, None]
    cnt = np.count_nonzero(seen.reshape(m, -1), axis=1)
    vals = np.sort(np.where(seen, inside, np.inf).reshape(m, -1), axis=1)
    virtual = (np.maximum(cnt, 1) - 1).astype(np.float32) * np.float32(0.25)
    prev = np.floor(virtual)
    gamma = virtual - prev
    lo_i = prev.astype(np.intp)
    hi_i = np.minimum(lo_i + 1, np.maximum(cnt, 1) - 1)
    a, b = vals[np.arange(m), lo_i], vals[np.arange(m), hi_i]
    with np.errstate(invalid="ignore"):  # inf − inf where nothing was seen: that level is inf
        diff = b - a
        lerp = np.where(gamma >= 0.5, b - diff * (np.float32(1) - gamma), a + diff * gamma)
    levels = [v if c else np.inf for v, c in zip(lerp.tolist(), cnt.tolist(), strict=True)]
    n_stepped = np.count_nonzero(stepped, axis=2).tolist()
    out_all = []
    for i, level in enumerate(levels):
        on_frame = frame_side[i].tolist()
        n_in = np.count_nonzero(inside[i] >= level - 2 * delta, axis=1).tolist() if any(on_frame) else []
        out = [-1.0 - float(n_in[s]) / n if on_frame[s] else float(n_stepped[i][s]) / n for s in range(4)]
        out_all.append((out, level))
    return out_all


_SOFT_STEP = 3.0  # px at the edge path's ~400 px: a shadow's edge (gen3 cam8: 4–6; a sheet's 1–2)


def _step_width(paper: np.ndarray, p: np.ndarray, q: np.ndarray, step: float) -> tuple[float, float] | None:
    """How wide the step in paper-ness across the line p → q is (20 → 80 % of the rise, in
    pixels) and how light its left side is against its right (a ratio; left and right as seen
    going from p to q: for a quad's side TL→TR, outside and inside), medians over 24 profiles
    across its middle 80 %; ``None`` when fewer than 6 of them rise by 8 levels.

    A sheet's cut edge is a step one or two pixels wide at the edge path's scale, wherever it
    lies; the edge of a shadow (the phone's or the hand's over the page) or of a pool of light
    is a ramp several times wider — a lamp is no point, and the phone is 20–40 cm above the page
    (a penumbra of 0.5–8 cm). Each profile (±3 steps across the line, one pixel apart) is
    measured around its steepest point, so a rough side a few pixels off the edge still finds it.
    """
    d = (q - p).astype(np.float32)
    length = float(np.hypot(*d))
    if length < 4:
        return None
    nrm = np.array([-d[1], d[0]], np.float32) / length
    offs = np.arange(-3.0 * step, 3.0 * step + 0.5, 1.0, dtype=np.float32)
    ts = np.linspace(0.1, 0.9, 24, dtype=np.float32)
    base = p.astype(np.float32)[None, :] + ts[:, None] * d[None, :]
    pts = base[:, None, :] + offs[None, :, None] * nrm[None, None, :]
    prof = cv2.remap(paper, pts[..., 0].copy(), pts[..., 1].copy(), cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_REPLICATE)
    m = prof.shape[1]
    lo = np.median(prof[:, :m // 4], axis=1)
    hi = np.median(prof[:, -(m // 4):], axis=1)
    rise = hi - lo
    ok = np.abs(rise) >= 8
    if int(ok.sum()) < 6:
        return None
    v = (prof[ok] - lo[ok, None]) / rise[ok, None]  # 0 on one side … 1 on the other
    k = np.argmax(np.abs(np.diff(prof[ok], axis=1)), axis=1)[:, None]
    idx = np.arange(m)[None, :]
    a = np.where((v <= 0.2) & (idx <= k), idx, -1).max(axis=1)
    b = np.where((v >= 0.8) & (idx > k), idx, m).min(axis=1)
    return float(np.median(b - a - 1)), float(np.median(lo[ok] / np.maximum(1.0, hi[ok])))


def _soft_edge(paper: np.ndarray, quad: np.ndarray, sides: list[float], step: float) -> bool:
    """Is the one side of ``quad`` inside the frame (``sides`` ≥ 0, :func:`_side_contrast`) a
    shadow's edge — soft, with paper still beyond it (see :func:`_shadow_sided`)? Alone in the
    frame it has no other side to be compared with: judged by itself."""
    i = next(j for j, v in enumerate(sides) if v >= 0)
    got = _step_width(paper, quad[i], quad[(i + 1) % 4], step)
    return got is not None and got[0] >= _SOFT_STEP and 0.35 <= got[1] < 1.0


def _shadow_sided(paper: np.ndarray, quad: np.ndarray, step: float) -> bool:
    """Is one of ``quad``'s sides a shadow's edge, not the sheet's? Soft (≥ ``_SOFT_STEP``)
    where another side in the frame is at least 2.5 times sharper — a photo blurred all over
    softens every side alike, a shadow only its own — and with paper in shade beyond it: darker
    than inside, but at least 35 % as light (a shadow a reader can read through; the edge of a
    book's page stack, as soft, runs down to the dark desk; a card on a white lid has the
    lighter lid beyond its soft lid-gap shadow). Sides on the frame's edge are not judged."""
    h, w = paper.shape
    steps = []
    for i in range(4):
        p, q = quad[i], quad[(i + 1) % 4]
        mid = (p + q) / 2
        if min(mid[0], mid[1], w - 1 - mid[0], h - 1 - mid[1]) < 3:
            continue  # on the frame's edge: the page leaves the photo there
        got = _step_width(paper, p, q, step)
        if got is not None:
            steps.append(got)
    if len(steps) < 2:
        return False
    sharpest = max(1.0, min(width for width, _ in steps))
    return any(width >= _SOFT_STEP and width >= 2.5 * sharpest and 0.35 <= ratio < 1.0 for width, ratio in steps)


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of two convex quads."""
    inter, _ = cv2.intersectConvexConvex(a.astype(np.float32), b.astype(np.float32))
    union = cv2.contourArea(a.astype(np.float32)) + cv2.contourArea(b.astype(np.float32)) - float(inter)
    return float(inter) / max(1e-6, union)


def _adds_paper(edge: np.ndarray, quad: np.ndarray, smooth: np.ndarray) -> bool:
    """The edges' quad is ``quad`` sharpened, or ``quad`` grown over more blank paper — not over print.

    Nearly the same quad (IoU ≥ 0.9) passes. A larger one holding ``quad`` passes when what it
    adds is about as often smooth (blank) as ``quad`` itself: the mask may stop short where glare
    or a shadow crosses the margin, but a newspaper column beside the page is print throughout.
    """
    if _iou(edge, quad) >= 0.9:
        return True
    h, w = smooth.shape
    a = np.zeros((h, w), np.uint8)
    b = np.zeros((h, w), np.uint8)
    cv2.fillConvexPoly(a, np.round(edge * 16).astype(np.int32), 1, shift=4)
    cv2.fillConvexPoly(b, np.round(quad * 16).astype(np.int32), 1, shift=4)
    held = float(np.count_nonzero(a & b)) / max(1.0, float(np.count_nonzero(b)))
    extra = (a > 0) & (b == 0)
    if held < 0.95 or np.count_nonzero(extra) < 0.02 * np.count_nonzero(b):
        return held >= 0.95
    return float(smooth[extra].mean()) >= 0.5 * float(smooth[b > 0].mean())


def _quad_grid(quad: np.ndarray) -> np.ndarray:
    """A 16 × 16 grid of points inside ``quad``, 5 % in from its sides (float32, N×2)."""
    u = np.linspace(0.05, 0.95, 16)
    uu, vv = np.meshgrid(u, u)
    uu, vv = uu.ravel()[:, None], vv.ravel()[:, None]
    return ((1 - uu) * (1 - vv) * quad[0] + uu * (1 - vv) * quad[1] + uu * vv * quad[2]
            + (1 - uu) * vv * quad[3]).astype(np.float32)


def _sample(img: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """``img`` (float32) at the points ``pts`` (N×2 float32), bilinear."""
    return cv2.remap(img, pts[:, :1].copy(), pts[:, 1:].copy(), cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_REPLICATE).ravel()


def _paper_inside(paper: np.ndarray, quad: np.ndarray, level: float, delta: float) -> float:
    """Share of a grid inside ``quad`` as paper-like as ``level`` − 2·delta.

    A quad closed over a stripe of cloth or a desk object next to the page has its sides'
    contrast but not paper all through.
    """
    return float(np.mean(_sample(paper, _quad_grid(quad)) >= level - 2 * delta))


_EDGE_GROUPS: tuple[tuple[Any, ...], list[list[float]]] | None = None  # the last image's line groups


def _edge_lines(paper: np.ndarray, step: float, delta: float, max_lines: int = 8) -> list[tuple[float, float]]:
    """The longest straight paper edges, as (rho, theta) lines (:func:`_edge_groups`).

    The groups of the last image asked are kept: the edge search and the sheet-on-top search
    (:func:`_top_sheet`) ask of the same ~400 px copy, and grouping a wooden desk's many grain
    segments costs 10–40 ms (session 12).
    """
    global _EDGE_GROUPS
    key = (paper.shape, step, delta, zlib.crc32(np.ascontiguousarray(paper).data))
    cached = _EDGE_GROUPS
    if cached is not None and cached[0] == key:
        groups = cached[1]
    else:
        groups = _edge_groups(paper, step, delta)
        _EDGE_GROUPS = (key, groups)  # one assignment: a reader sees the old pair or the new
    h, w = paper.shape
    return [(g[0], g[1]) for g in groups[:max_lines] if g[2] >= 0.1 * min(h, w)]


def _edge_groups(paper: np.ndarray, step: float, delta: float) -> list[list[float]]:
    """The straight paper edges as [rho, theta, length] groups, longest first.

    Line segments (OpenCV's LSD) of the paper-ness image are grouped when they lie on one
    line; a group counts by the length of its segments that show a step of ``delta`` across
    them at ±``step`` (either way round): a sheet's side shows one all along, a smooth light
    ramp or glare makes no segment, and what print the closing left makes short ones.
    """
    h, w = paper.shape
    p8 = cv2.normalize(paper, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    segs = cv2.createLineSegmentDetector().detect(p8)[0]
    if segs is None:
        return []
    segs = segs.reshape(-1, 4).astype(np.float64)
    lengths = np.hypot(segs[:, 2] - segs[:, 0], segs[:, 3] - segs[:, 1])
    keep = lengths >= 0.03 * min(h, w)
    segs, lengths = segs[keep], lengths[keep]
    if not len(segs):
        return []
    # Contrast across each segment at its middle third and ends (cheap, one remap).
    d = (segs[:, 2:] - segs[:, :2]) / lengths[:, None]
    nrm = np.column_stack([-d[:, 1], d[:, 0]])
    ts = np.array([0.2, 0.5, 0.8])
    mids = segs[:, None, :2] + ts[None, :, None] * (segs[:, None, 2:] - segs[:, None, :2])
    pts = np.concatenate([(mids + step * nrm[:, None, :]).reshape(-1, 2),
                          (mids - step * nrm[:, None, :]).reshape(-1, 2)]).astype(np.float32)
    v = cv2.remap(paper, pts[:, :1].copy(), pts[:, 1:].copy(), cv2.INTER_LINEAR,
                  borderMode=cv2.BORDER_REPLICATE).reshape(2, -1, 3)
    stepped = np.median(np.abs(v[0] - v[1]), axis=1) >= 0.75 * delta
    segs, lengths = segs[stepped], lengths[stepped]
    theta = (np.arctan2(segs[:, 3] - segs[:, 1], segs[:, 2] - segs[:, 0]) + np.pi / 2) % np.pi
    rho = segs[:, 0] * np.cos(theta) + segs[:, 1] * np.sin(theta)
    groups: list[list[float]] = []  # rho, theta, total length
    # Python floats, not NumPy scalars: the same double arithmetic (% rounds as NumPy's does),
    # without boxing a scalar for every comparison of a text page's hundreds of segments (session 12).
    rho_l, theta_l, len_l = rho.tolist(), theta.tolist(), lengths.tolist()
    for i in np.argsort(-lengths).tolist():
        t_i = theta_l[i]
        for g in groups:
            dt = (t_i - g[1] + np.pi / 2) % np.pi - np.pi / 2
            # The same line, possibly with theta wrapped (rho then changes sign).
            r = rho_l[i] if abs(t_i - g[1]) < np.pi / 2 else -rho_l[i]
            if abs(dt) < 0.035 and abs(r - g[0]) < 0.012 * max(h, w):
                g[2] += len_l[i]
                break
        else:
            groups.append([rho_l[i], t_i, len_l[i]])
    groups.sort(key=lambda g: -g[2])
    # (A soft line is not dropped here, though a shadow's edge is one: the far edge of a page
    # photographed at a slant is as soft, out of focus, with a mid-light desk beyond it (tried:
    # gen2 cam_cloth#104 J 0.98 → 0.42). The quads' sides are judged instead, against each other.)
    return groups


def _beyond_is_desk(paper: np.ndarray, lum: np.ndarray, quad: np.ndarray, level: float, delta: float) -> bool:
    """The frame outside ``quad`` is mostly (70 %) not paper, not a scanner's black bar, and not inside.

    A thin black bar along a page that fills the frame is the pipeline's dark-bar rule's
    business (it removes it without calling the page cut off); a dark desk is wider.
    """
    h, w = paper.shape
    outside = np.ones((h, w), np.uint8)
    cv2.fillConvexPoly(outside, np.round(quad * 16).astype(np.int32), 0, shift=4)
    outside = np.asarray(cv2.erode(outside, np.ones((5, 5), np.uint8)), np.uint8)  # not the blurred edge itself
    if np.count_nonzero(outside) < 0.02 * h * w:
        return False
    sel = outside[::2, ::2] > 0
    bar = float(np.count_nonzero(outside)) < 0.05 * h * w and float(np.median(lum[::2, ::2][sel])) < 60
    if bar or float(np.mean(paper[::2, ::2][sel] < level - 2 * delta)) < 0.7:
        return False
    # And none of that inside: a page whose other sides were not found as lines (a dark lid
    # beyond them too) is no close-up. Paper in a shadow is darker, but still nearer the paper
    # than the desk.
    beyond = float(np.median(paper[::2, ::2][sel]))
    vals = _sample(paper, _quad_grid(quad))
    return float(np.mean(np.abs(vals - beyond) < 0.5 * np.abs(vals - level))) <= 0.1


def _edge_candidate(lab: np.ndarray, paper: np.ndarray, max_lines: int = 8) -> tuple[_Candidate, float, int] | None:
    """The largest quad of straight edges with paper inside along every side, or None.

    For phone photos where the sheet's blob merges with something as light as paper — another
    sheet under it, the bright end of a light desk, glare — or where an open booklet's two
    leaves split it. The page's own sides are still long straight steps from desk to paper,
    and the paper is on the inside. Lines are found on a "paper-ness" image (light and neutral,
    print closed away); the frame's edges are added (a page running off the photo); every four
    lines closing a convex quad are scored by how much of each side has paper inside and
    something else outside. A quad qualifies when each side it has in the frame holds that
    contrast along ≥ 50 % of its length (a pen, a shadow or a sheet under it may break the rest;
    85 % when it runs off one side), ≥ 75 % on average, and at least three of its sides are in
    the frame (or one, see below); of those, the largest wins, so an open spread's outer sides
    beat one leaf and its fold. Returns the candidate, its weakest side's support and how many
    of its sides are in the frame (4: a closed outline). ``max_lines``: how many of the longest
    edges are combined (the quads grow with its fourth power).
    """
    h, w = lab.shape[:2]
    step = max(3.0, 0.012 * min(h, w))
    delta = 8.0
    lines = _edge_lines(paper, step, delta, max_lines)
    if not lines:
        return None
    lines += [(-0.5, np.pi / 2), (h - 0.5, np.pi / 2), (-0.5, 0.0), (w - 0.5, 0.0)]
    best: tuple[tuple[int, float], np.ndarray, float] | None = None
    frame = np.array([[-0.5, -0.5], [w - 0.5, -0.5], [w - 0.5, h - 0.5], [-0.5, h - 0.5]], np.float32)
    sized = []  # (quad, its share of the frame) for the quads of a sheet's size
    for quad in _line_quads(lines, w, h):
        clipped, _ = cv2.intersectConvexConvex(quad.astype(np.float32), frame)
        frac = float(clipped) / (h * w)
        if 0.08 <= frac <= 0.97:
            sized.append((quad, frac))
    # Every side of every such quad sampled at once (the same values as one by one).
    contrasts = _side_contrasts(paper, np.array([q for q, _ in sized]).reshape(-1, 4, 2), step, delta)
    for (quad, frac), (sides, level) in zip(sized, contrasts, strict=True):
        sup = [v for v in sides if v >= 0]
        on_frame = [-1.0 - v for v in sides if v < 0]
        if len(sup) == 1:
            # The page runs off three sides (a phone held close over a book): one edge crosses
            # the whole photo. Only a clean edge, paper on one side all along it, and beyond
            # it something that is not paper (a book's edge, the desk). The paper's own
            # lightness is not compared across the frame: a close-up is lit unevenly.
            if len(on_frame) != 3 or sup[0] < 0.85 or not 0.5 <= frac <= 0.92 or not _beyond_is_desk(
                    paper, lab[..., 0], quad, level, delta) or _soft_edge(paper, quad, sides, step):
                continue
        elif (len(sup) < 3 or min(sup) < (0.85 if on_frame else 0.5) or sum(sup) / len(sup) < 0.75
              or (on_frame and min(on_frame) < 0.9)
              or _paper_inside(paper, quad, level, delta) < (0.5 if _edged_all_round(sup) else 0.85)):
            # (A page running off one side needs its three sides cleaner: with large print the
            # edge of a text line can close three sides that cut through the page.)
            continue
        # A quad closed by its own four sides beats one that runs to the frame (that one only
        # holds when the page really leaves the photo); then the larger wins.
        rank = (len(sup), frac)
        if best is None or rank > best[0]:
            best = (rank, quad, min(sup))
    if best is None:
        return None
    return _Candidate(best[1], 1.0, best[0][1]), best[2], best[0][0]


def _edged_all_round(sup: list[float]) -> bool:
    """Four sides in the frame, three with paper inside along ≥ 90 % of them, the fourth along
    half of it at least (a thumb over it, :func:`_edge_candidate`'s least for any side).

    Such an outline needs only half its inside paper-light, not 85 %: an ID card's photo, its
    emblem or a dark band fill a third of it (camera, issue #13: real docaligner_run_test_card, a
    card front whose photo is as dark as the desk, gen3 photo_card_hand_desk). Its own edges
    already show paper all round it; a quad closed over a stripe of cloth beside a page lacks
    the step on the side it shares with the page.
    """
    return len(sup) == 4 and sorted(sup)[1] >= 0.9


_EDGE_SIDE = 400  # px: the edge path's working size (LSD and the quad search cost ~ its pixels)


def _by_edges(lab: np.ndarray, chosen: _Candidate | None) -> tuple[_Candidate | None, bool]:
    """:func:`_by_edges_at` on a copy reduced to ~400 px (the pipeline refines the edges later).
    Returns the outline (``None``: none — ``chosen``, if any, was bounded by a shadow and no
    edges replace it) and whether ``chosen`` was bounded by a shadow."""
    h, w = lab.shape[:2]
    f = _EDGE_SIDE / max(h, w)
    if f >= 0.9:
        return _by_edges_at(lab, chosen)
    small = cv2.resize(lab, (max(32, round(w * f)), max(32, round(h * f))), interpolation=cv2.INTER_AREA)
    to_small = np.array([small.shape[1] / w, small.shape[0] / h])

    def scaled(q: np.ndarray, k: np.ndarray) -> np.ndarray:
        return (q + 0.5) * k - 0.5  # pixel centres at integers on both grids

    c_small = None if chosen is None else _Candidate(scaled(chosen.quad, to_small), chosen.rect, chosen.frac,
                                                      tuple(scaled(p, to_small) for p in chosen.parts))
    got, shadowed = _by_edges_at(small, c_small)
    if got is None or got is c_small:
        return (None if got is None else chosen), shadowed
    return _Candidate(scaled(got.quad, 1 / to_small), got.rect, got.frac), shadowed


def _print_ring(small_bgr: np.ndarray, lab: np.ndarray, ring: int) -> tuple[np.ndarray, int, float] | None:
    """Is the frame's ring print (a newspaper under the page)? Textured like print (upper-quartile
    local spread ≥ ``_PRINT_TEXTURE``) and neutral (median chroma < ``_PRINT_CHROMA``). Returns the
    grey frame, the spread window and the ring's upper-quartile spread when it is; None when not."""
    h, w = lab.shape[:2]
    lum = cv2.cvtColor(small_bgr, cv2.COLOR_BGR2GRAY).astype(np.float32)
    win = max(5, int(0.025 * min(h, w)) | 1)
    # The ring first, from strips just wide enough for the window (every scan and photo asks this;
    # the whole frame's spread only where print surrounds the page).
    t = ring + win
    ring_spread = np.concatenate([_spread(lum[:t], win)[:ring].ravel(), _spread(lum[-t:], win)[-ring:].ravel(),
                                  _spread(lum[:, :t], win)[:, :ring].ravel(),
                                  _spread(lum[:, -t:], win)[:, -ring:].ravel()])
    # The upper quartile: the ring may cross print on one side only (newspapers on a plain desk).
    ring_med = float(np.percentile(ring_spread, 75))
    if ring_med < _PRINT_TEXTURE:
        return None
    # And print is black on greyish paper: neutral. Wood, cloth or a plaid are textured too, but
    # coloured, and there the colour masks already tell the neutral page from them.
    ring_sel = np.ones((h, w), bool)
    ring_sel[ring:h - ring, ring:w - ring] = False
    a = lab[..., 1][ring_sel].astype(np.float32) - 128
    b = lab[..., 2][ring_sel].astype(np.float32) - 128
    if float(np.median(np.sqrt(a * a + b * b))) >= _PRINT_CHROMA:
        return None
    return lum, win, ring_med


def _closed_outline(lab: np.ndarray) -> _Candidate | None:
    """A closed outline of four paper edges (:func:`_edge_candidate`, on the ~400 px copy), or None.

    Asked only where the masks found no document on a desk (the weak searches are for pale cards
    on a white lid): a card held in a hand, a thumb over one of its sides (camera, issue #13:
    real docaligner_run_test_card, kept whole). That side's edge is short where the thumb hides
    it, so ten lines are combined, not eight: rarely asked, it may cost more.
    """
    h, w = lab.shape[:2]
    f = min(1.0, _EDGE_SIDE / max(h, w))
    small = lab if f >= 0.9 else cv2.resize(lab, (max(32, round(w * f)), max(32, round(h * f))),
                                            interpolation=cv2.INTER_AREA)
    found = _edge_candidate(small, _paperness(small), max_lines=10)
    if found is None or found[2] != 4:
        return None
    k = np.array([w / small.shape[1], h / small.shape[0]])
    return _Candidate((found[0].quad + 0.5) * k - 0.5, found[0].rect, found[0].frac)


def _by_edges_at(lab: np.ndarray, chosen: _Candidate | None) -> tuple[_Candidate | None, bool]:
    """The mask's candidate, or the edge candidate where the sides say the mask got it wrong.

    Both are judged by the same test: paper inside along each side. The mask's quad stands
    when its own sides pass it. It gives way when they do not (its blob ran into another sheet,
    a light part of the desk, clutter), when there was no mask candidate, when the mask ran to
    the frame around a closed outline of edges, or when the edge quad is a closed outline
    holding it and clearly larger (an open booklet: the mask found one leaf, the edges the
    spread). The mask's quad never stands when one of its sides is a shadow's edge
    (:func:`_shadow_sided`): then the edges' quad, or none. Returns the outline and that verdict.
    """
    paper = _paperness(lab)
    h, w = lab.shape[:2]
    step = max(3.0, 0.012 * min(h, w))
    # A blob bounded on one side by the edge of a shadow (the phone's, the hand's) is the lit part
    # of a page, not the page: the masks split paper by lightness (camera, issue #13).
    shadowed = chosen is not None and not chosen.parts and _shadow_sided(paper, chosen.quad, step)
    found = _edge_candidate(lab, paper)
    if found is None:
        return (None if shadowed else chosen), shadowed
    edge = found[0]
    if chosen is None:
        return edge, shadowed
    if chosen.parts:
        # Two blobs of one size side by side: two cards on a glass, or an open booklet's leaves.
        # One closed paper outline around both is the booklet (two cards leave the lid between
        # them, which no side can cross with paper inside).
        held = [cv2.intersectConvexConvex(p.astype(np.float32), edge.quad.astype(np.float32))[0]
                / max(1.0, cv2.contourArea(p.astype(np.float32))) for p in chosen.parts]
        return (edge if min(held) >= 0.95 and edge.frac <= 1.2 * chosen.frac else chosen), shadowed
    # The mask's quad is rough (an opened blob, a card's rounded corners): a few pixels off the
    # edge the lines find exactly. Each side is judged where it does best, as drawn or moved
    # by half a step either way (scaled about the centre) — not at a wider step, which would
    # take the soft edge of a shadow across the page for the sheet's.
    c = chosen.quad.mean(axis=0)
    reach = float(np.mean([abs(cv2.pointPolygonTest(chosen.quad.astype(np.float32), (float(c[0]), float(c[1])),
                                                    True))])) or 1.0
    tries = [_side_contrast(paper, c + (chosen.quad - c) * (1 + f * 0.5 * step / reach), step, 8.0)[0]
             for f in (0, -1, 1)]
    sides = [max(t[i] for t in tries) if tries[0][i] >= 0 else tries[0][i] for i in range(4)]
    sup = [v for v in sides if v >= 0]
    on_frame = [-1.0 - v for v in sides if v < 0]
    if found[2] == 1 and not on_frame:
        # A page running off three sides reaches the frame; a mask quad that does not is no
        # part of one (its rough sides on a light lid say nothing of a close-up).
        return chosen, shadowed
    sound = (len(sup) >= 2 and min(sup) >= 0.5 and sum(sup) / len(sup) >= 0.75
             and (not on_frame or min(on_frame) >= 0.9) and not shadowed)
    if not sound:
        return edge, shadowed
    inter, _ = cv2.intersectConvexConvex(chosen.quad.astype(np.float32), edge.quad.astype(np.float32))
    # Only a cleanly edged larger quad, and only if what it adds is paper like the mask's own
    # (the other leaf), or as neutral (the same paper in a shadow the mask stopped at): a stripe
    # of cloth next to a card is edged too.
    if (found[2] == 4 and edge.frac >= 1.1 * chosen.frac and float(inter) >= 0.95 * chosen.frac * h * w
            and found[1] >= 0.8 and _adds_like_paper(lab, paper, edge.quad, chosen.quad)):
        return edge, shadowed
    if (on_frame and found[2] == 4 and found[1] >= 0.8 and float(inter) >= 0.95 * edge.frac * h * w
            and not _adds_like_paper(lab, paper, chosen.quad, edge.quad)):
        # The mask ran to the frame, but a closed outline of paper edges lies inside it: the
        # page does not leave the photo, the mask went on over a light part of the desk. (Not
        # when what the mask holds beyond it is paper like it: an open booklet's other leaf,
        # running off the photo.)
        return edge, shadowed
    return chosen, shadowed


def _adds_like_paper(lab: np.ndarray, paper: np.ndarray, outer: np.ndarray, inner: np.ndarray) -> bool:
    """What ``outer`` holds beyond ``inner`` (≥ 8 points of a grid in ``outer``) is paper like
    ``inner``'s: paper-ness within 16 levels of it, or as neutral (chroma at most 3 more)."""
    grid = _quad_grid(outer)
    vals = _sample(paper, grid)
    a = lab[..., 1].astype(np.float32) - 128
    b = lab[..., 2].astype(np.float32) - 128
    chroma = _sample(cv2.sqrt(a * a + b * b), grid)
    extra = np.array([cv2.pointPolygonTest(inner.astype(np.float32), (float(x), float(y)), False) < 0
                      for x, y in grid])
    return bool(extra.sum() >= 8 and (float(np.median(vals[extra])) >= float(np.median(vals[~extra])) - 16
                                      or float(np.median(chroma[extra])) <= float(np.median(chroma[~extra])) + 3))


_PRINT_TEXTURE = 10.0  # grey levels: local spread of lightness over a background that reads as print
_PRINT_CHROMA = 12.0  # Lab units: newsprint's ring is near grey (gen3: 1–4), wood and cloth are not (25–37)


def _spread(lum: np.ndarray, win: int) -> np.ndarray:
    """Local standard deviation of ``lum`` (float32) over a ``win`` × ``win`` box."""
    lum = np.ascontiguousarray(lum)
    return np.asarray(cv2.sqrt(cv2.max(cv2.boxFilter(lum * lum, -1, (win, win))
                                       - cv2.boxFilter(lum, -1, (win, win)) ** 2, 0)))


def _smooth_paper_candidate(small_bgr: np.ndarray, lab: np.ndarray, ring: int, k: int
                            ) -> tuple[_Candidate, np.ndarray] | None:
    """Candidate of a page lying on print (newspapers, a poster, a printed tablecloth), or None.

    Newsprint is paper too: light, neutral, and with its type closed away about as light as
    the page, so neither the colour difference from the ring nor the paper-ness edges tell the
    two apart, and its columns and rules give long straight edges of their own. What does tell
    them apart is texture: the background is print all over, while a page has blank margins
    all round (and blank space between its lines). The local spread of lightness over a window
    of ~2.5 % of the frame is high on print and low on blank paper; the smooth, light pixels
    (the lighter Otsu class of paper-ness among the smooth ones: a halftone picture or a plain
    desk is smooth too, but darker) form a frame of margins whose inside is the page (holes
    filled). Only when the frame's ring is itself textured like print (upper-quartile spread ≥
    ``_PRINT_TEXTURE``, median chroma < ``_PRINT_CHROMA``): a lid or a plain desk says nothing
    here. The window erodes the smooth
    region by half its width where print lies beyond: it is grown back by as much. Returns the
    candidate and the smooth mask (which :func:`_adds_paper` asks).
    """
    h, w = lab.shape[:2]
    printed = _print_ring(small_bgr, lab, ring)
    if printed is None:
        return None
    lum, win, ring_med = printed
    spread = _spread(lum, win)
    # Blank paper's spread is sensor noise and JPEG (2–4 levels); print's is several times more.
    smooth = spread < max(3.0, 0.3 * ring_med)
    paper = _paperness(lab)
    vals = np.clip(paper[smooth], 0, 255).astype(np.uint8)
    if vals.size < 0.02 * h * w:
        return None
    t, _ = cv2.threshold(vals.reshape(1, -1), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    mask = (smooth & (paper > t)).astype(np.uint8)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    filled = cv2.dilate(_fill_holes(mask), np.ones((win, win), np.uint8))
    found = _quad_from_mask(filled, k)
    if found is None or found.rect < 0.85 or not 0.05 <= found.frac <= 0.9:
        return None
    # A page lying on print has print all round it. Blank paper reaching the frame's edge is a
    # page that fills the frame, its print running to the edges on the other sides (a scanned
    # page of dense text with a blank head): that page is the frame, not its blank part.
    q = found.quad
    if (q[:, 0] < 1.5).any() or (q[:, 1] < 1.5).any() or (q[:, 0] > w - 2.5).any() or (q[:, 1] > h - 2.5).any():
        return None
    # And print beyond its sides, just outside them (a window away) and inside the frame: a
    # smooth stretch of the background (a blurred or shadowed end of a cloth) that joined the
    # page has none beyond it, or runs to the frame.
    c = q.mean(axis=0)
    textured = []
    for i in range(4):
        a_, b_ = q[i], q[(i + 1) % 4]
        d = b_ - a_
        nrm = np.array([d[1], -d[0]]) / max(1e-6, float(np.hypot(*d)))
        if float(np.dot((a_ + b_) / 2 - c, nrm)) < 0:
            nrm = -nrm  # pointing outwards
        ts = np.linspace(0.1, 0.9, 24)[:, None]
        pts = a_ + ts * d + win * nrm
        inside = (pts[:, 0] >= 0) & (pts[:, 0] <= w - 1) & (pts[:, 1] >= 0) & (pts[:, 1] <= h - 1)
        if float(np.mean(inside)) < 0.8:
            return None
        textured.append(_sample(spread, pts.astype(np.float32)) >= 0.5 * ring_med)
    # (On average: a halftone picture beside one side is smooth too.)
    if float(np.mean(textured)) < 0.5:
        return None
    return found, smooth


def _outline_candidate(mask_bg: np.ndarray, k: int) -> _Candidate | None:
    """Candidate of a sheet as light as the lid, found by its closed outline.

    A white slip on a white lid differs from the lid only in patches (paper mottle, print), so
    its blob is full of holes — but its edge (the cut, the lid's thin shadow along it) differs
    all around and closes a loop: filling what the loop encloses gives the sheet. A box drawn on
    a page that fills the frame closes a loop too, so the inside must still differ from the
    background over a good part of it (paper is not the lid), and the result is weak (the
    pipeline wants a measured paper or card size before it crops).
    """
    h, w = mask_bg.shape
    closed = cv2.morphologyEx(mask_bg, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    found = _quad_from_mask(_fill_holes(closed), k)
    if found is None or found.frac > 0.6:
        return None
    qmask = np.zeros((h, w), np.uint8)
    cv2.fillConvexPoly(qmask, np.round(found.quad * 16).astype(np.int32), 1, shift=4)
    core = np.asarray(cv2.erode(qmask, np.ones((2 * k + 1, 2 * k + 1), np.uint8)))  # without the edge itself
    if not core.any() or float(mask_bg[core > 0].mean()) < 0.25:
        return None
    return found


def flat_rectangle(quad: np.ndarray, tol: float = 0.06) -> bool:
    """Are the quad's opposite sides equal within ``tol``? On a scanner's glass what lies on the
    lid is a rectangle seen square-on: a quad whose opposite sides differ is a fit gone astray."""
    sides = [float(np.linalg.norm(quad[(i + 1) % 4] - quad[i])) for i in range(4)]
    return all(abs(sides[i] - sides[i + 2]) <= tol * max(sides[i], sides[i + 2], 1e-6) for i in (0, 1))


def _corner_error(quad: np.ndarray) -> float:
    """Largest difference (degrees) of the quad's corner angles from a right angle."""
    worst = 0.0
    for i in range(4):
        a, b = quad[i - 1] - quad[i], quad[(i + 1) % 4] - quad[i]
        cos = float(np.dot(a, b)) / max(1e-9, float(np.linalg.norm(a) * np.linalg.norm(b)))
        worst = max(worst, abs(math.degrees(math.acos(max(-1.0, min(1.0, cos)))) - 90.0))
    return worst


def _quad_iou(a: np.ndarray, b: np.ndarray, h: int, w: int) -> float:
    """Overlap (IoU) of two quads rasterised on an h×w grid."""
    ma, mb = np.zeros((h, w), np.uint8), np.zeros((h, w), np.uint8)
    cv2.fillConvexPoly(ma, np.round(a * 16).astype(np.int32), 1, shift=4)
    cv2.fillConvexPoly(mb, np.round(b * 16).astype(np.int32), 1, shift=4)
    return float(np.count_nonzero(ma & mb)) / max(1.0, float(np.count_nonzero(ma | mb)))


def _faint_mask(dist: np.ndarray, ring_sel: np.ndarray) -> np.ndarray:
    """Where the frame differs from the lid by a small but *steady* amount: a pale card's area.

    A CCCD's back is printed on a card a few grey levels off a white lid; per pixel that is
    within the lid's noise, but averaged over a few millimetres (a Gaussian of 1 % of the frame)
    the noise drops several-fold while the card's offset (and its print) stays. The threshold is
    the blurred ring's own spread (median + 5 MAD, at least one level): a lid's unevenness is
    what the plane did not fit, and it is smooth, so it stays below that.
    """
    h, w = dist.shape
    blurred = cv2.GaussianBlur(dist, (0, 0), max(1.5, 0.01 * min(h, w)))
    ring_v = blurred[ring_sel]
    med = float(np.median(ring_v))
    thr = med + max(1.0, 5.0 * 1.4826 * float(np.median(np.abs(ring_v - med))))
    mask = _fill_holes((blurred > thr).astype(np.uint8))
    # The blur spreads a step over a few pixels each way: the low threshold draws the card
    # larger than it is (by ~10 % — no longer an ID-1 size). Its edge is where the blurred step
    # is half-way up: each region is cut again at half its own inner level (the flat card, the
    # lower quartile, not its print), within its own neighbourhood.
    n, labels, stats, _ = components_with_stats(mask, connectivity=8)
    out = np.zeros_like(mask)
    for j in range(1, n):
        if stats[j, cv2.CC_STAT_AREA] < 0.005 * h * w:
            continue
        x, y, bw, bh = stats[j, :4]
        pad = max(3, int(0.03 * min(h, w)))
        sl = np.s_[max(0, y - pad):y + bh + pad, max(0, x - pad):x + bw + pad]
        comp = labels[sl] == j
        level = float(np.percentile(blurred[sl][comp], 25))
        half = med + max(thr - med, 0.5 * (level - med))
        near = np.asarray(cv2.dilate(comp.astype(np.uint8), np.ones((2 * pad + 1, 2 * pad + 1), np.uint8))) > 0
        out[sl] |= ((blurred[sl] > half) & near).astype(np.uint8)
    return _fill_holes(out)


def _faint_card_candidate(faint: np.ndarray, k: int) -> _Candidate | None:
    """A card-shaped solid blob of the faint mask (:func:`_faint_mask`) — a pale card alone on a
    light lid — or None. Only an ID-1 card's shape qualifies (weak: the pipeline still checks
    its size). (Two pale cards touching are not split here: a faint till roll 57 or 80 mm wide
    has two cards' shape too.)"""
    found = _quad_from_mask(faint, k)
    if found is None or found.frac >= 0.4 or found.rect < 0.9:
        return None
    return found if _is_card(found.quad) else None


def _refined_faint_card(small_bgr: np.ndarray, faint: np.ndarray, coef: np.ndarray, sigma: float, k: int
                        ) -> _Candidate | None:
    """:func:`_faint_card_candidate`, its edges found again across each side where they hold."""
    card = _faint_card_candidate(faint, k)
    if card is None:
        return None
    h, w = faint.shape
    # The blurred blob holds the lid-gap shadow along two sides: the edges, found again across
    # each side (the shadow is no paper), give the card's own size.
    fine = refine_edges(small_bgr, card.quad, coef, max(1.5, 3.0 * sigma), 2.0 * k)
    # Only a refinement that is still a card near the blob (a side can lock onto the print block
    # inside a card this faint and fold the quad), and still a rectangle (one side tilted onto
    # the print makes a trapezoid of card size: session 8, gen3 card_back_alone).
    if fine is not None and _is_card(fine) and flat_rectangle(fine) and _quad_iou(fine, card.quad, h, w) >= 0.85:
        return card._replace(quad=fine)
    return card


def _faint_pair(faint: np.ndarray, card: _Candidate, h: int, w: int) -> _Candidate | None:
    """The card ``card`` and a pale twin lying against it, from the faint mask; or None.

    The faint mask's blob around the card then holds both: its centre lies half-way between the
    two cards, so the twin is the card moved by twice the offset of that centre — along one of
    the card's axes by a card's side (plus a gap of a few mm), and hardly across. The blob must
    be about two cards' area and filled by the two (a shadow or a smear on the lid is not).
    """
    quad = card.quad
    _, labels = cv2.connectedComponents(faint)
    cx, cy = np.round(quad.mean(axis=0)).astype(int)
    if not (0 <= cx < w and 0 <= cy < h) or labels[cy, cx] == 0:
        return None
    blob = (labels == labels[cy, cx]).astype(np.uint8)
    a_card = float(cv2.contourArea(quad.astype(np.float32)))
    a_blob = float(np.count_nonzero(blob))
    if not 1.3 <= a_blob / max(1.0, a_card) <= 2.5:
        return None
    ys, xs = np.nonzero(blob)
    centre = quad.mean(axis=0)
    shift = np.array([xs.mean(), ys.mean()]) - centre
    u = quad[1] - quad[0]
    v = quad[3] - quad[0]
    lu, lv = float(np.linalg.norm(u)), float(np.linalg.norm(v))
    su, sv = abs(float(shift @ u)) / lu, abs(float(shift @ v)) / lv
    axis, side, across = (u / lu, lu, sv) if su / lu > sv / lv else (v / lv, lv, su)
    if float(shift @ axis) < 0:
        axis = -axis
    # The twin's far edge is the blob's far end along that axis (the centroid alone is pulled
    # towards the bright card by its blurred halo); the twin's centre lies half a side inside it.
    far = float(np.percentile((np.column_stack([xs, ys]) - centre) @ axis, 99.5))
    along = far - side / 2
    # A side's length plus a gap of up to ~5 mm (6 % of a card's long side); hardly sideways.
    if along > side + 0.08 * max(lu, lv) or across > 0.15 * min(lu, lv):
        return None
    if along < 0.97 * side:
        # The twin's far part is as light as the lid (only its print differs): it touches the card.
        along = side
    other = quad + along * axis
    both = np.zeros((h, w), np.uint8)
    for q in (quad, other):
        cv2.fillConvexPoly(both, np.round(q * 16).astype(np.int32), 1, shift=4)
    # Most of the blob lies on the two cards (a strong card's blurred halo is the rest), and it
    # covers a good part of the twin (its print at least): a shadow or a smear on the lid beside
    # a card does neither.
    twin = np.zeros((h, w), np.uint8)
    cv2.fillConvexPoly(twin, np.round(other * 16).astype(np.int32), 1, shift=4)
    if (float(np.count_nonzero(both & blob)) < 0.75 * a_blob
            or float(np.count_nonzero(twin & blob)) < 0.4 * float(np.count_nonzero(twin))):
        return None
    if (other < -2).any() or (other[:, 0] > w + 1).any() or (other[:, 1] > h + 1).any():
        return None  # the twin would run off the frame: not a card lying there
    pts = np.concatenate([quad, other]).astype(np.float32)
    union = order_quad(cv2.boxPoints(cv2.minAreaRect(pts)).astype(np.float64))
    return _Candidate(union, card.rect, float(cv2.contourArea(union.astype(np.float32))) / (h * w), (quad, other))


def _card_twin(faint: np.ndarray, card: _Candidate, h: int, w: int) -> _Candidate | None:
    """The card ``card`` and a second card lying apart from it on the glass, or None (session 8).

    :func:`_faint_pair` reads a twin *touching* the card off the centre of their joint blob; a
    twin laid a few millimetres away, turned its own way (each card is put down by hand), joins
    the card's blob by a sliver or not at all. Here the card itself is cut out of the faint mask
    (with its blurred halo) and what remains is looked at blob by blob: a solid one of the
    card's own size (its rotated rectangle's sides within 12 % of the card's), lying within half
    a card's length of it, is the other side of the same card. Its rough quad is its rotated
    rectangle; the pipeline then finds each card's edges apart.
    """
    quad = card.quad
    # A card on a glass is seen square-on: a true rectangle. (A leaf of a booklet photographed
    # on a desk, card-shaped in perspective, once got the other leaf as its "twin".)
    if not flat_rectangle(quad, 0.04) or _corner_error(quad) > 3.0:
        return None
    lu = (float(np.linalg.norm(quad[1] - quad[0])) + float(np.linalg.norm(quad[2] - quad[3]))) / 2
    lv = (float(np.linalg.norm(quad[3] - quad[0])) + float(np.linalg.norm(quad[2] - quad[1]))) / 2
    long_side, short_side = max(lu, lv), min(lu, lv)
    # The faint mask's blur (1 % of the frame) draws the card's halo that far out: cut a little more.
    halo = max(2, round(0.015 * min(h, w)))
    own: np.ndarray = np.zeros((h, w), np.uint8)
    cv2.fillConvexPoly(own, np.round(quad * 16).astype(np.int32), 1, shift=4)
    own = cv2.dilate(own, np.ones((2 * halo + 1, 2 * halo + 1), np.uint8))
    rest: np.ndarray = faint & (1 - own)
    # Slivers joining the twin to the card's halo (or to the lid-gap shadow) are cut by an opening.
    rest = cv2.morphologyEx(rest, cv2.MORPH_OPEN, np.ones((2 * halo + 1, 2 * halo + 1), np.uint8))
    n, labels, stats, _ = components_with_stats(rest, connectivity=8)
    card_c = quad.mean(axis=0)
    best: tuple[float, np.ndarray] | None = None
    for j in range(1, n):
        if stats[j, cv2.CC_STAT_AREA] < 0.5 * long_side * short_side:
            continue
        ys, xs = np.nonzero(labels == j)
        pts = np.column_stack([xs, ys]).astype(np.float32)
        (cx, cy), (rw, rh), ang = cv2.minAreaRect(pts)
        # A few pixels lost to the cut (a twin 1–2 mm away), or gained by the blur and a lid-gap
        # shadow along two sides: the sides must still be about a card's.
        if not (0.88 * long_side <= max(rw, rh) <= 1.2 * long_side
                and 0.85 * short_side <= min(rw, rh) <= 1.25 * short_side):
            continue
        if stats[j, cv2.CC_STAT_AREA] < 0.85 * rw * rh:  # solid, not an L of shadow or a smear
            continue
        # Both are sides of one card: the twin has the card's size, placed and turned as its blob.
        size = (long_side, short_side) if rw >= rh else (short_side, long_side)
        other = order_quad(cv2.boxPoints(((cx, cy), size, ang)).astype(np.float64))
        gap = -cv2.pointPolygonTest(quad.astype(np.float32), (float(cx), float(cy)), True)
        # Its centre within half a card's length of the card's edge plus half its own size:
        # beside it, not across the glass.
        if gap > 0.5 * long_side + max(rw, rh) / 2:
            continue
        if (other < -2).any() or (other[:, 0] > w + 1).any() or (other[:, 1] > h + 1).any():
            continue
        d = float(np.linalg.norm(np.array([cx, cy]) - card_c))
        if best is None or d < best[0]:
            best = (d, other)
    if best is None:
        return None
    other = best[1]
    pts = np.concatenate([quad, other]).astype(np.float32)
    union = order_quad(cv2.boxPoints(cv2.minAreaRect(pts)).astype(np.float64))
    return _Candidate(union, card.rect, float(cv2.contourArea(union.astype(np.float32))) / (h * w), (quad, other))


def _textured_candidate(lab: np.ndarray, mask_bg: np.ndarray, ring: int, k: int
                        ) -> _Candidate | None:
    """Candidate of an object the lid's colour hides: see the comment inside."""
    h, w = mask_bg.shape
    # Only when the colour and brightness masks found nothing (the texture mask is looser: its
    # window blurs the outline by a few pixels). A near-white card or slip on a white lid may
    # have the lid's very lightness: its pale security print dips under the threshold in
    # stripes. It is still *textured* where the lid is smooth: local contrast above the ring's
    # own, or'ed with the difference mask, closed and with holes filled, is the object.
    lum_f = lab[..., 0].astype(np.float32)
    win = (k, k)
    tex = cv2.sqrt(cv2.max(cv2.boxFilter(lum_f * lum_f, -1, win) - cv2.boxFilter(lum_f, -1, win) ** 2, 0))
    ring_tex = np.concatenate([tex[:ring].ravel(), tex[-ring:].ravel(), tex[:, :ring].ravel(),
                               tex[:, -ring:].ravel()])
    t_med = float(np.median(ring_tex))
    t_thr = max(1.5, t_med + 6 * 1.4826 * float(np.median(np.abs(ring_tex - t_med))))
    textured = ((tex > t_thr) | (mask_bg > 0)).astype(np.uint8)
    # The outline comes out dashed where the print's stripes cross it: bridge gaps of ~6 %.
    kc = max(2 * k + 1, int(0.06 * min(h, w)) | 1)
    closed = cv2.morphologyEx(textured, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (kc, kc)))
    found = _quad_from_mask(_fill_holes(closed), k)
    if found is None:
        return None
    # Dense text, a table or a chart on a page that fills the frame is textured too: only a
    # small object shaped like what lies alone on a bed qualifies (an ID card, an A5/A6 slip).
    quad, frac = found.quad, found.frac
    sides = [float(np.linalg.norm(quad[(i + 1) % 4] - quad[i])) for i in range(4)]
    ratio = max(sides[0] + sides[2], sides[1] + sides[3]) / max(1e-6, min(sides[0] + sides[2], sides[1] + sides[3]))
    shaped = any(abs(ratio / r - 1) <= 0.05 for r in (85.6 / 53.98, math.sqrt(2)))
    return found if frac < 0.4 and shaped else None


def _check_period(small_bgr: np.ndarray) -> float | None:
    """The period (px) of a checked or gingham cloth around the page, or ``None``.

    A check is a texture periodic in two perpendicular directions with one period: two strong
    peaks of the spectrum at the same radius, 90° apart — and the frame's ring matches itself
    shifted by that period along both directions (a page's text lines are periodic in one
    direction only and lie inside the page; wood grain matches itself at any shift along the
    grain, granite at none).
    """
    lum = cv2.cvtColor(small_bgr, cv2.COLOR_BGR2GRAY).astype(np.float32)
    # Measured on a copy ~200 px across (time: most frames are asked this): checks of 2 % of the
    # frame or more keep ≥ 4 px there.
    q = max(1, min(lum.shape) // 200)
    if q > 1:
        lum = np.asarray(cv2.resize(lum, (lum.shape[1] // q, lum.shape[0] // q),
                                    interpolation=cv2.INTER_AREA), np.float32)
    h, w = lum.shape
    m = min(h, w)
    if m < 64:
        return None
    ring = max(3, int(0.12 * m))
    sel = np.ones((h, w), bool)
    sel[ring:h - ring, ring:w - ring] = False
    # Cheap gate first (most frames): a check's ring is rough all over at a few pixels' scale,
    # a lid's, a glass' or a plain desk's is not.
    if float(np.mean(np.abs(lum - cv2.blur(lum, (5, 5)))[sel] > 4)) < 0.25:
        return None
    # The page's own large shapes are no texture: a local mean an eighth of the frame wide off.
    hp = lum - cv2.blur(lum, (max(3, m // 8),) * 2)
    win = np.outer(np.hanning(h), np.hanning(w)).astype(np.float32)
    dh, dw = cv2.getOptimalDFTSize(h), cv2.getOptimalDFTSize(w)
    spec = cv2.dft(cv2.copyMakeBorder(hp * win, 0, dh - h, 0, dw - w, cv2.BORDER_CONSTANT, value=0),
                   flags=cv2.DFT_COMPLEX_OUTPUT)
    f = np.fft.fftshift(cv2.magnitude(spec[..., 0], spec[..., 1]))
    cy, cx = dh // 2, dw // 2
    fy = (np.arange(dh)[:, None] - cy) / dh
    fx = (np.arange(dw)[None, :] - cx) / dw
    r = np.hypot(fx, fy)
    # Checks from 2 % to 10 % of the frame's short side (a cloth's at phone distance).
    band = (r > 1 / (0.10 * m)) & (r < 1 / (0.02 * m)) & (fy >= 0)
    fb = np.where(band, f, 0).astype(np.float32)
    peaks = (fb == cv2.dilate(fb, np.ones((5, 5), np.uint8))) & (fb > 0)
    ys, xs = np.nonzero(peaks)
    if ys.size == 0:
        return None
    order = np.argsort(-fb[ys, xs])[:8]
    r3, f3, band3 = r[::2, ::2], f[::2, ::2], band[::2, ::2]  # the annulus' level, subsampled
    lum0 = hp - float(np.mean(hp[sel]))
    norm = float(np.mean(lum0[sel] ** 2)) + 1e-6

    def corr(vx: float, vy: float) -> float:
        """The ring's correlation with itself shifted by (vx, vy), rounded to whole pixels (a
        check's period is ≥ 4 px here: the rounding costs some of the match, not most)."""
        dx, dy = round(vx), round(vy)
        a = lum0[max(0, dy):h + min(0, dy), max(0, dx):w + min(0, dx)]
        b = lum0[max(0, -dy):h + min(0, -dy), max(0, -dx):w + min(0, -dx)]
        s = sel[max(0, dy):h + min(0, dy), max(0, dx):w + min(0, dx)]
        return float(np.mean((a * b)[s])) / norm if s.any() else 0.0

    found: list[tuple[float, float, float, float]] = []  # (pair score, radius, fx, fy)
    for j in order:
        py, px = int(ys[j]), int(xs[j])
        rr = float(r[py, px])
        ann = band3 & (np.abs(r3 - rr) < 0.1 * rr)
        med = (float(np.median(f3[ann])) if ann.any() else 0.0) + 1e-6
        vx, vy = float(fx[0, px]), float(fy[py, 0])
        qx, qy = round(cx - vy * dw), round(cy + vx * dh)  # the perpendicular frequency
        qx, qy = (2 * cx - qx, 2 * cy - qy) if vx < 0 else (qx, qy)
        part = f[max(0, qy - 2):qy + 3, max(0, qx - 2):qx + 3]
        if part.size and (sc := min(float(f[py, px]), float(part.max())) / med) >= 12:
            found.append((sc, rr, vx, vy))
    best, best_r = 0.0, 0.0
    for _, rr, vx, vy in sorted(found, reverse=True)[:4]:
        # Periodic in the ring itself, along both directions: the cloth matches itself one period
        # on (a square wave's third harmonic is no period: it matches less at its "period" than
        # at half of it).
        p2 = rr * rr
        ox, oy = -vy, vx
        score = min(corr(vx / p2, vy / p2) - corr(vx / p2 / 2, vy / p2 / 2),
                    corr(ox / p2, oy / p2) - corr(ox / p2 / 2, oy / p2 / 2))
        if score > best:
            best, best_r = score, rr
    # (gen3 photo_gingham_dim: 0.71–1.2; wood, granite, plaid, newsprint, text and tables on
    # the tuning frames: ≤ 0.2. A gingham's half-period shift flips one stripe system only: 0.)
    if best < 0.45:
        return None
    return q / best_r


def _without_checks(small_bgr: np.ndarray) -> tuple[np.ndarray, float] | None:
    """The frame with a checked cloth's pattern evened out (a median over one period) and the
    period, or ``None`` where there is no check around the page.

    A check's squares are steps as sharp and long as the page's sides: the masks take light squares
    for paper and the edge search fits sides along their rows (gingham photographed in a dim room,
    where the light squares are as light as the paper). A median over one period turns the cloth
    into one mid tone — and keeps the page's straight sides where they are (a median moves no
    straight step), only rounding the corners.
    """
    period = _check_period(small_bgr)
    if period is None:
        return None
    k = round(1.2 * period) | 1
    return cv2.medianBlur(small_bgr, k), period


def _snap_to_paper_steps(lum: np.ndarray, quad: np.ndarray, reach: int) -> np.ndarray:
    """``quad`` with each side moved (parallel, up to ``reach`` px) to where the frame steps most
    from light inside to darker outside, measured along the side's middle 80 %.

    The outline found on a check-evened frame is off by up to half the median's window where the
    paper's edge is shaded or the cloth's tones are close to it. On the original frame, along the
    page's true side, paper lies on one side and the cloth's *average* on the other; one check
    row further out the cloth lies on both (its rows cross the side at their own angle, so they
    average out along it).
    """
    h, w = lum.shape
    q = order_quad(quad).astype(np.float64)
    ctr = q.mean(axis=0)
    t = np.linspace(0.1, 0.9, 48)
    offs = np.arange(-reach, reach + 1, dtype=np.float64)
    lines: list[tuple[np.ndarray, np.ndarray]] = []
    for i in range(4):
        p0, p1 = q[i], q[(i + 1) % 4]
        d = p1 - p0
        ln = float(np.hypot(*d))
        if ln < 8:
            return quad
        n = np.array([d[1], -d[0]]) / ln
        if float(np.dot(ctr - p0, n)) > 0:
            n = -n  # outward
        pts = p0 + t[:, None] * d
        if (_frame_edges(p0, w, h) & _frame_edges(p1, w, h)
                or not ((pts[:, 0] > 1) & (pts[:, 0] < w - 2) & (pts[:, 1] > 1) & (pts[:, 1] < h - 2)).all()):
            lines.append((p0, d))  # a side on or past the frame's edge: nothing beyond it to see
            continue
        # Samples at every offset, 2 px either side of it: rows of (offset) × (along the side).
        ins = pts[None, :, :] + (offs[:, None, None] - 2.0) * n
        outs = pts[None, :, :] + (offs[:, None, None] + 2.0) * n
        both = np.concatenate([ins, outs], axis=0).astype(np.float32)
        vals = cv2.remap(lum, both[..., 0], both[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        step = (vals[:len(offs)] - vals[len(offs):]).mean(axis=1)
        j = int(np.argmax(step))
        lines.append((p0 + offs[j] * n, d) if step[j] > 0 else (p0, d))
    corners = []
    for i in range(4):
        a0, da = lines[i - 1]
        b0, db = lines[i]
        den = da[0] * db[1] - da[1] * db[0]
        if abs(den) < 1e-9:
            return quad
        s_ = ((b0[0] - a0[0]) * db[1] - (b0[1] - a0[1]) * db[0]) / den
        corners.append(a0 + s_ * da)
    out = np.asarray(corners, np.float64)
    if cv2.contourArea(out.astype(np.float32)) < 0.5 * cv2.contourArea(q.astype(np.float32)):
        return quad
    return order_quad(out)


def _side_steps(lum: np.ndarray, quad: np.ndarray) -> float:
    """The weakest step from light inside to darker outside along the quad's sides (their middle
    80 %, 2 px either side) that lie inside the frame; +inf when none does."""
    h, w = lum.shape
    q = order_quad(quad)
    ctr = q.mean(axis=0)
    t = np.linspace(0.1, 0.9, 48)
    worst = math.inf
    for i in range(4):
        p0, p1 = q[i], q[(i + 1) % 4]
        d = p1 - p0
        ln = float(np.hypot(*d))
        if ln < 8 or _frame_edges(p0, w, h) & _frame_edges(p1, w, h):
            continue
        n = np.array([d[1], -d[0]]) / ln
        n = -n if float(np.dot(ctr - p0, n)) > 0 else n
        pts = p0 + t[:, None] * d
        both = np.stack([pts - 2 * n, pts + 2 * n]).astype(np.float32)
        vals = cv2.remap(lum, both[..., 0], both[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        worst = min(worst, float(np.mean(vals[0] - vals[1])))
    return worst


def _checked_choice(small_bgr: np.ndarray, evened: np.ndarray, period: float) -> QuadFinding | None:
    """The page on a checked cloth: found on the photo and on the check-evened frame (its sides
    snapped back to the photo's steps); the outline whose weakest side steps more clearly from
    paper to cloth *in the photo* wins.

    Evening out helps where the checks' light squares are as light as the paper (a gingham in a
    dim room: sides had been fitted along check rows), but a two-tone check's median stays
    blocky along the check's own axes and can tilt a side that the photo alone had right. A
    side run along check rows has cloth on both sides for much of its length, a tilted one paper
    on its outside: either steps less than the page's true side.
    """
    plain = find_page(small_bgr, even=False)
    found = find_page(evened, even=False)
    if found is None or found.parts:
        return plain if found is None else found
    lum = cv2.cvtColor(small_bgr, cv2.COLOR_BGR2GRAY).astype(np.float32)
    snapped = replace(found, quad=_snap_to_paper_steps(lum, found.quad, 2 + round(0.6 * period)))
    if plain is None or plain.parts:
        return snapped
    return snapped if _side_steps(lum, snapped.quad) > _side_steps(lum, plain.quad) else plain


def find_page(small_bgr: np.ndarray, even: bool = True) -> QuadFinding | None:
    """Find the sheet (or card) on a scanner bed or a desk; ``None`` when it fills the frame.

    Two candidate masks, the better-fitting quad wins:

    * background difference: the frame's outer ring is the background (white lid or desk);
      pixels differing from it in colour or lightness by more than the ring's own noise are
      "not background" (white-on-white flatbeds, cards);
    * brightness (Otsu on lightness): the sheet is the bright thing on a dark desk, which keeps
      dark clutter touching the page out of the outline (camera shots).

    Text on a page that fills the frame does not qualify: the opening removes strokes, and the
    blob must be solid.

    Then the straight paper edges have their say (:func:`_by_edges`): where the chosen blob ran
    into another sheet or a light part of the desk, an open booklet gave one leaf, or no mask
    found anything (a close-up running off three sides), four (or one) long edges with paper
    inside give the outline.

    On a checked cloth (``even``, :func:`_checked_choice`) the page is looked for on the photo and
    on the photo with the checks evened out; the outline with the clearer steps wins.
    """
    h, w = small_bgr.shape[:2]
    if even:
        evened = _without_checks(small_bgr)
        if evened is not None:
            return _checked_choice(small_bgr, evened[0], evened[1])
    lab = cv2.cvtColor(cv2.medianBlur(small_bgr, 5), cv2.COLOR_BGR2LAB)
    ring = max(3, int(0.015 * min(h, w)))
    coef, sigma = _background_model(lab, ring)
    d_l, d_a, d_b = (ch.astype(np.float32) - m for ch, m in zip(cv2.split(lab), _model_planes(coef, h, w),
                                                                 strict=True))
    # Chroma counts double: a pastel card on a white lid differs mostly in colour.
    dist = cv2.sqrt(d_l * d_l + 4 * (d_a * d_a + d_b * d_b))
    ring_sel = np.ones((h, w), bool)
    ring_sel[ring:h - ring, ring:w - ring] = False
    # The noise the threshold must clear is the ring's own spread in this same distance: the L
    # residual alone misses a patterned cloth or a plaid whose colours alternate (its chroma
    # steps would all read as "not background"). Median + MAD, so paper in part of the ring
    # (a sheet running off the frame) does not raise it.
    ring_d = dist[ring_sel]
    med_d = float(np.median(ring_d))
    thr = max(5.0, 4.0 * sigma, med_d + 4.0 * 1.4826 * float(np.median(np.abs(ring_d - med_d))))
    k = max(3, int(0.012 * min(h, w)) | 1)
    candidates = []
    mask_bg = (dist > thr).astype(np.uint8)
    # A frame whose ring is mostly paper with a dark strip on one side (a sheet-fed page with
    # the scanner's backing showing) has no background to tell the page from: the plane through
    # the strip and the paper is a steep ramp that cuts the page in two. A lid or a desk is lit
    # unevenly, but not by 60 grey levels across the frame — unless the model still describes
    # most of the ring.
    ramp = abs(float(coef[1, 0])) + abs(float(coef[2, 0]))
    model_ok = ramp < 60 or float(np.mean(mask_bg[ring_sel] == 0)) >= 0.75
    lum = lab[..., 0]
    ring_level = float(np.median(np.concatenate([lum[:ring].ravel(), lum[-ring:].ravel(),
                                                 lum[:, :ring].ravel(), lum[:, -ring:].ravel()])))
    # When the ring is as light as the lightest part of the frame it is paper or a white lid.
    # Then a candidate much darker than it is print on a page that fills the frame (a picture,
    # an initial, a chart), not a sheet or a card lying on a lid: those are about as light as
    # the lid, or lighter.
    # (Old paper darkens towards its edges: 25 levels of slack.) A dark object on a white lid (a
    # passport cover) is lost to this rule and kept whole with a warning; a CCCD is light.
    paper_ring = ring_level >= float(np.percentile(lum[::2, ::2], 90)) - 25

    def keep(f: _Candidate) -> bool:
        if not paper_ring:
            return True
        qm = np.zeros((h, w), np.uint8)
        cv2.fillConvexPoly(qm, np.round(f.quad * 16).astype(np.int32), 1, shift=4)
        return ring_level - float(np.median(lum[qm > 0])) <= 40

    found = _quad_from_mask(mask_bg, k) if model_ok else None
    if found is not None and keep(found):
        candidates.append(found)
    otsu, bright = cv2.threshold(lum, 0, 1, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    if ring_level < otsu - 20:  # only meaningful when the surroundings are darker than paper
        found = _quad_from_mask(bright, k)
        if found is not None and keep(found):
            candidates.append(found)
    if not candidates and model_ok:
        # A shadow across a photographed page darkens paper and desk alike: the page splits in
        # the lightness masks. Its colour does not change much, so on a coloured desk (wood,
        # a tinted laminate) the neutral paper still differs from the desk in chroma alone.
        chroma = cv2.sqrt(d_a * d_a + d_b * d_b)
        ring_c = chroma[ring_sel]
        med_c = float(np.median(ring_c))
        thr_c = max(4.0, med_c + 4.0 * 1.4826 * float(np.median(np.abs(ring_c - med_c))))
        found = _quad_from_mask((chroma > thr_c).astype(np.uint8), k)
        # Only a sheet more neutral than the desk qualifies: a coloured chart or photo on a
        # page filling the frame differs in chroma too, but by being *more* coloured.
        if found is not None and keep(found):
            a_c, b_c = lab[..., 1].astype(np.float32) - 128, lab[..., 2].astype(np.float32) - 128
            neutral = cv2.sqrt(a_c * a_c + b_c * b_c)
            qm = np.zeros((h, w), np.uint8)
            cv2.fillConvexPoly(qm, np.round(found.quad * 16).astype(np.int32), 1, shift=4)
            if float(np.median(neutral[qm > 0])) < float(np.median(neutral[ring_sel])) - 5:
                candidates.append(found)
    smooth = _smooth_paper_candidate(small_bgr, lab, ring, k)
    on_print = smooth is not None and keep(smooth[0])
    if smooth is not None and on_print:
        # The frame's surroundings are print: the masks above took newsprint for paper (or
        # found nothing); the page's blank margins are the one cue that holds.
        candidates = [smooth[0]]
    levels3 = False
    # (Nothing, or only a blob smaller than any ID card on a glass — 6 % of the frame — which is
    # no document: a corner of the lid's bar stood out from the plane through bar and card.)
    if not candidates or max(f.frac for f in candidates) < 0.05:
        # Three lightness levels: a dark bar where a grey card (or the lid) stops short of the
        # glass, the card, and a receipt laid in the glass's corner on it, touching two frame
        # edges (rcpt, issue #13). The ring holds all three, so no plane fits a background and
        # the two-level Otsu splits bar from card+receipt. Paper is the lightest level: Otsu
        # again over what is lighter than the first split separates it from the card.
        upper = lum[lum > otsu]
        # The bar must reach the ring (a tenth of it dark): print on a page filling the frame is
        # a dark class too, but inside the page.
        ring_dark = float(np.mean(lum[ring_sel] <= otsu))
        if upper.size > 0.1 * h * w and ring_dark >= 0.1:
            otsu2, _ = cv2.threshold(upper.reshape(1, -1), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
            if ring_level < otsu2 - 20:
                found = _quad_from_mask(_closed((lum > otsu2).astype(np.uint8), k), k)
                # A till roll is at most 80 mm wide: well under 3/5 of any glass. And flat on the
                # glass it is a rectangle: three lightness levels in a phone photo (a dark strip of
                # desk, a page in a hand's shadow, its lit part in a corner) bound a lit part by the
                # shadow's slanting edge (camera, issue #13: gen3 photo_hand_shadow).
                if (found is not None and found.frac <= 0.6 and keep(found) and _in_corner(found.quad, w, h)
                        and _parallel_sides(found.quad)):
                    candidates = [found]
    weak = False
    faint: np.ndarray | None = None
    if not candidates and model_ok:
        # A pale card (a CCCD's back) a few grey levels off a white lid: too faint for the masks
        # above, but a card-shaped region of a steady small difference (issue #13, gen4 cards).
        found = _edge_line_candidate(small_bgr, coef, ring, k)
        if found is None:
            found = _outline_candidate(mask_bg, k)
        if found is None:
            found = _textured_candidate(lab, mask_bg, ring, k)
        folded = found is not None and _corner_error(found.quad) > 10.0
        # (Session 8: also a quad whose opposite sides differ — gen3 card_back_alone, a pale back
        # fitted as a trapezoid by the outline search, then kept whole as misshapen.)
        uneven = found is not None and not folded and not flat_rectangle(found.quad)
        if found is None or folded or uneven:
            # Last: a pale card (a CCCD's back) a few grey levels off a white lid — too faint
            # for everything above, but a card-shaped region of a steady small difference
            # (issue #13, gen4 cards). (Before the slip searches it took a card-shaped part of a
            # faint till roll.) Also when those found no rectangle: on a lid a sheet lies flat,
            # so a quad with corners far from square is a fit gone astray, not the sheet.
            faint = _faint_mask(dist, ring_sel)
            card = _refined_faint_card(small_bgr, faint, coef, sigma, k)
            # A crooked quad is replaced only by a card on the same spot (a card-shaped part of a
            # long slip the weak searches fitted badly is not that slip).
            if card is not None and uneven and found is not None and _quad_iou(card.quad, found.quad, h, w) < 0.6:
                card = None
            if card is not None:
                found = card
        if found is not None and keep(found):
            candidates.append(found)
            weak = True
    edged = False  # the outline is already the edges' (a closed one found where the masks failed)
    if (not candidates or weak) and model_ok and not paper_ring and _print_ring(small_bgr, lab, ring) is None:
        # On a desk, nothing the masks can stand by: the edges' closed outline, if there is one
        # (a card in a hand). An outline running to the frame is left to the search below. Not on
        # print: a newspaper's rules and columns close quads with the page (gen4 phone_newspaper#51
        # got a strip of newsprint above the page, silently, J 0.90).
        closed = _closed_outline(lab)
        if closed is not None:
            candidates, weak, edged = [closed], False, True
    chosen: _Candidate | None = None
    if candidates:
        # The most rectangular candidate, unless a larger one is nearly as rectangular: a text
        # block or a chart inside a page is a fine rectangle too, and cropping to it loses the
        # page. But only a clearly larger one (≥ 1/0.9 the area): a page with a desk object
        # stuck to it is a little larger and a little less rectangular than the page alone. In
        # doubt the larger wins: keeping a strip of desk loses nothing, cropping a book's page
        # edges away does.
        best = max(candidates, key=lambda f: f[1])
        larger = [f for f in candidates if f[1] >= best[1] - 0.04 and f[2] * 0.9 >= best[2]]
        chosen = max(larger, key=lambda f: f[2]) if larger else best
    if chosen is not None and not paper_ring and not weak:
        lighter = _lighter_inside(lum, chosen, k)
        if lighter is not None:
            chosen, levels3 = lighter, True
    # The edges do not overrule a three-level split: the card around the receipt is cleanly
    # edged and neutral too, but the split has just measured it as a darker level than paper.
    # On print they only sharpen the smooth paper's quad: newsprint's columns, rules and
    # pictures are long straight edges with light paper on one side, so a quad of them that
    # differs from the page's margins is the newspaper's.
    if not weak and not levels3 and not edged:
        by_edges, shadowed = _by_edges(lab, chosen)
        if by_edges is None and chosen is not None:
            # One side of the outline is a shadow's edge, and no edges replace it: one leaf of an
            # open booklet (its fold in shade is as soft) — the booklet; or the lit part of a
            # close-up running off the frame — kept whole (and told). Wholly inside the frame it
            # stands: the far edge of a page photographed at a slant is as soft (out of focus).
            leaves = None if paper_ring or not model_ok else _other_leaf(lab, mask_bg, chosen, k)
            runs_off = bool((chosen.quad[:, 0] < 1.5).any() or (chosen.quad[:, 1] < 1.5).any()
                            or (chosen.quad[:, 0] > w - 2.5).any() or (chosen.quad[:, 1] > h - 2.5).any())
            by_edges = leaves if leaves is not None else None if runs_off else chosen
            if by_edges is None:
                chosen = None
        # (Not when the smooth paper stopped at a shadow's edge: the shadowed rest of the page is
        # the paper the edges add.)
        if (smooth is not None and on_print and by_edges is not None and chosen is not None and not shadowed
                and not _adds_paper(by_edges.quad, chosen.quad, smooth[1])):
            by_edges = chosen
        if by_edges is not None and (by_edges is chosen or keep(by_edges)):
            # A cleanly edged grey card around the receipt is neutral "paper" to the edges; but a
            # clearly lighter rectangle on it says it is the board under the document.
            # (Only where a mask found something: a close-up's edge outline from nothing is the page.)
            lighter = (None if chosen is None or by_edges is chosen or paper_ring
                       else _lighter_inside(lum, by_edges, k))
            chosen = by_edges if lighter is None else lighter
    # (A loose card shape: the rough quad of a card with its lid-gap shadow is a little long.)
    # (An A6 slip, √2, is 11 % squarer than a card: only the long side gets the extra room.)
    if chosen is not None and not chosen.parts and model_ok and _is_card(chosen.quad, 0.12, squat=0.06):
        # A card whose twin lies against it (front and back touching on one glass): the pale back
        # is too faint for the masks, so only the coloured front was found (gen4 cccd_pair).
        faint = _faint_mask(dist, ring_sel) if faint is None else faint
        pair = _faint_pair(faint, chosen, h, w)
        if pair is None and paper_ring:
            # Not touching it: a twin a few millimetres away, turned its own way (session 8). Only
            # on a light lid: on a desk the faint mask is the desk's own grain, and a booklet's
            # other leaf beside a card-shaped leaf is no card.
            pair = _card_twin(faint, chosen, h, w)
        if pair is not None:
            chosen = pair
    if (chosen is not None and not chosen.parts and paper_ring and not weak and model_ok
            and not flat_rectangle(chosen.quad, 0.1) and chosen.frac < 0.2):
        # A pale card on a white lid whose faint corner the difference mask missed: fitted as a
        # trapezoid (then kept whole as misshapen). The faint card on the same spot is its
        # rectangle (session 8, gen3 card_portrait).
        faint = _faint_mask(dist, ring_sel) if faint is None else faint
        card = _refined_faint_card(small_bgr, faint, coef, sigma, k)
        if card is not None and _quad_iou(card.quad, chosen.quad, h, w) >= 0.6:
            chosen = card
    if chosen is not None and not paper_ring and not weak and not levels3 and model_ok and chosen.frac < 0.45:
        leaves = _other_leaf(lab, mask_bg, chosen, k)
        chosen = chosen if leaves is None else leaves
    if chosen is not None and not paper_ring and not weak and not levels3 and not chosen.parts:
        grown = _leaf_runs_on(lab, chosen)
        chosen = chosen if grown is None else grown
    if chosen is not None and not paper_ring and not weak and not levels3 and not chosen.parts and model_ok:
        top = _top_sheet(small_bgr, lab, chosen)
        chosen = chosen if top is None else top
    if chosen is None:
        return None
    quad, frac = chosen.quad, chosen.frac
    if frac > 0.93:
        # The page fills the frame: a crop would only shave the scanner margin — unless what
        # lies outside it is a dark bar (a sheet-fed scanner's black backing, the lid's shadow):
        # those bars are removed (issue #13), and the page is not "cut off" for touching an edge.
        if _dark_outside(lum, quad, otsu):
            return QuadFinding(quad, False, float(frac), coef, thr, dark_border=True)
        return None
    margin = 1.5
    touches = bool((quad[:, 0] < margin).any() or (quad[:, 1] < margin).any()
                   or (quad[:, 0] > w - 1 - margin).any() or (quad[:, 1] > h - 1 - margin).any())
    return QuadFinding(quad, touches, float(frac), coef, thr, weak=weak, parts=chosen.parts, on_paper=paper_ring)


_TOP_MIN, _TOP_MAX = 0.65, 0.92  # the top sheet's share of the outline: less than a booklet leaf's ½ never


def _top_sheet(small_bgr: np.ndarray, lab: np.ndarray, chosen: _Candidate) -> _Candidate | None:
    """The page lying on another sheet (or a folder) when ``chosen`` outlines both, or None.

    Session 12 (camera, issue #13: gen7 phone_on_pile, J 0.75–0.88): a page photographed on
    another sheet or a folder is one paper blob with it, and the edge search's largest quad mixes
    their sides. The page is the sheet on top: a quad of straight edges inside the outline
    (:func:`_edge_lines` on the ~400 px copy) that holds all of its print, with the rest of the
    outline blank and darker paper (the sheet under it is in the page's shade or another colour).
    Its sides are cut edges — steps one or two pixels wide all round (:func:`_step_width`): the
    edge of a shadow across a page, a fold or a form's printed frame seen through blur are
    wider ramps (gen4 phone_cloth, gen6 visualiser_mat). At least 65 % of the outline: one
    leaf of an open booklet whose other leaf is blank is half of it (gen5 phone_spread).
    """
    h, w = lab.shape[:2]
    f = min(1.0, _EDGE_SIDE / max(h, w))
    small = lab if f >= 0.9 else cv2.resize(lab, (max(32, round(w * f)), max(32, round(h * f))),
                                            interpolation=cv2.INTER_AREA)
    sh, sw = small.shape[:2]
    to_small = np.array([sw / w, sh / h])
    outer = (chosen.quad + 0.5) * to_small - 0.5
    area = float(cv2.contourArea(outer.astype(np.float32)))
    if area < 0.05 * sh * sw:
        return None
    # (From the photo itself: the median that evens the masks' Lab copy wipes out thin strokes.)
    lum = cv2.resize(cv2.cvtColor(small_bgr, cv2.COLOR_BGR2GRAY), (sw, sh), interpolation=cv2.INTER_AREA
                     ).astype(np.float32)
    # Print: darker by 25 levels than the paper around it (a closing as wide as a thick stroke).
    ink = (cv2.morphologyEx(lum, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8)) - lum > 25).astype(np.uint8)
    om = np.zeros((sh, sw), np.uint8)
    cv2.fillConvexPoly(om, np.round(outer * 16).astype(np.int32), 1, shift=4)
    om = np.asarray(cv2.erode(om, np.ones((5, 5), np.uint8)))  # not the outline's own dark edge
    ink &= om  # (a page with no print says nothing about which sheet is on top: see below)
    # Print is letters: small marks. A long dark streak is a sheet's shadow or edge, not print.
    n_cc, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    long_mark = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]) > 0.1 * min(sh, sw)
    long_mark[0] = True
    ink = (~long_mark[labels]).astype(np.uint8) if n_cc > 1 else ink
    n_ink = int(np.count_nonzero(ink))
    paper = _paperness(small)
    step = max(3.0, 0.012 * min(sh, sw))
    lines = _edge_lines(paper, step, 8.0, 10)
    if len(lines) < 3:
        return None
    lines += [(-0.5, np.pi / 2), (sh - 0.5, np.pi / 2), (-0.5, 0.0), (sw - 0.5, 0.0)]
    best: tuple[float, np.ndarray] | None = None
    for quad in _line_quads(lines, sw, sh):
        a = float(cv2.contourArea(quad.astype(np.float32)))
        if not _TOP_MIN * area <= a <= _TOP_MAX * area:
            continue
        inter, _ = cv2.intersectConvexConvex(quad.astype(np.float32), outer.astype(np.float32))
        if float(inter) < 0.97 * a:
            continue
        sides, _ = _side_contrast(paper, quad, step, 5.0)
        if any((v < 0.75) if v >= 0 else (-1.0 - v < 0.9) for v in sides):
            continue
        qm = np.zeros((sh, sw), np.uint8)
        cv2.fillConvexPoly(qm, np.round(quad * 16).astype(np.int32), 1, shift=4)
        # Print held: all of it within the quad grown by ~1 % of the frame (the page's own drop
        # shadow on the sheet under it is dark and narrow, like print, just outside its edge).
        near = np.asarray(cv2.dilate(qm, np.ones((9, 9), np.uint8))) > 0
        if n_ink < 0.005 * a or float(np.count_nonzero(ink[near])) < 0.97 * n_ink:
            continue
        sharp = True
        for i in range(4):
            if sides[i] < 0:
                continue  # on the frame's edge: the page leaves the photo there
            got = _step_width(paper, quad[i], quad[(i + 1) % 4], step)
            if got is None or got[0] >= _SOFT_STEP:
                sharp = False
                break
        if not sharp:
            continue
        band = (om > 0) & (np.asarray(cv2.dilate(qm, np.ones((7, 7), np.uint8))) == 0)
        core = np.asarray(cv2.erode(qm, np.ones((7, 7), np.uint8))) > 0
        if np.count_nonzero(band) < 50 or not core.any():
            continue
        if float(np.median(paper[band])) > float(np.median(paper[core])) - 5:
            continue  # the rest is the page's own paper (a blank leaf, a margin): no other sheet
        # The innermost such quad: one mixing the page's sides with the sheet's under it holds
        # the print too, and some of that sheet (a quad inside the page has no paper edge to run on).
        if best is None or a < best[0]:
            best = (a, quad)
    if best is None:
        return None
    quad = (best[1] + 0.5) / to_small - 0.5
    return _Candidate(quad, 1.0, float(cv2.contourArea(quad.astype(np.float32))) / (h * w))


def _other_leaf(lab: np.ndarray, mask_bg: np.ndarray, chosen: _Candidate, k: int) -> _Candidate | None:
    """The whole open booklet when ``chosen`` is one of its leaves, or None.

    A booklet that does not lie flat photographs as two planes: the leaf lifted towards the light
    is darker, the fold between them is in shadow, and the two leaves no longer close one
    rectangle — so every mask keeps the lighter leaf alone (and the edges find no quad around
    both). A leaf has a twin across its long side (the fold): the leaf mirrored across it.
    Where that mirror image lies (at least half of it) in the frame, is "not background" nearly
    all through there (≥ 85 %) and as neutral as the leaf (paper, in a shadow — not a coloured
    object or the desk), the spread is the blob of "not background" over both (grown by 15 % for
    a leaf bent out of the mirror's place), when it is a quad about the size of the leaf and of
    what the frame shows of its twin.
    """
    h, w = mask_bg.shape
    quad = chosen.quad
    sides = [float(np.linalg.norm(quad[(i + 1) % 4] - quad[i])) for i in range(4)]
    long_pair = (0, 2) if sides[0] + sides[2] > sides[1] + sides[3] else (1, 3)
    ratio = (sides[long_pair[0]] + sides[long_pair[1]]) / max(1e-6, sum(sides) - sides[long_pair[0]]
                                                                 - sides[long_pair[1]])
    if abs(ratio / math.sqrt(2) - 1) > 0.12:  # A5 and A6 leaves are √2 sheets
        return None
    a = lab[..., 1].astype(np.float32) - 128
    b = lab[..., 2].astype(np.float32) - 128
    chroma = cv2.sqrt(a * a + b * b)
    leaf_chroma = float(np.median(_sample(chroma, _quad_grid(quad))))
    frame = np.array([[-0.5, -0.5], [w - 0.5, -0.5], [w - 0.5, h - 0.5], [-0.5, h - 0.5]], np.float32)
    for i in long_pair:
        p, q = quad[i], quad[(i + 1) % 4]
        d = (q - p) / max(1e-6, float(np.linalg.norm(q - p)))
        rel = quad - p
        twin = p + 2 * np.outer(rel @ d, d) - rel  # the leaf mirrored across side i
        inter, _ = cv2.intersectConvexConvex(twin.astype(np.float32), frame)
        # (Half of it may lie beyond the frame: the phone held close to the other leaf.)
        if float(inter) < 0.5 * cv2.contourArea(twin.astype(np.float32)):
            continue
        grid = _quad_grid(twin)
        grid = grid[(grid[:, 0] >= 0) & (grid[:, 0] <= w - 1) & (grid[:, 1] >= 0) & (grid[:, 1] <= h - 1)]
        if (float(np.mean(_sample(mask_bg.astype(np.float32), grid) > 0.5)) < 0.85
                or float(np.median(_sample(chroma, grid))) > leaf_chroma + 6):
            continue
        both = order_quad(cv2.boxPoints(cv2.minAreaRect(np.concatenate([quad, twin]).astype(np.float32))))
        c = both.mean(axis=0)
        region = np.zeros((h, w), np.uint8)
        cv2.fillConvexPoly(region, np.round((c + 1.15 * (both - c)) * 16).astype(np.int32), 1, shift=4)
        found = _quad_from_mask(_fill_holes(_closed(mask_bg & region, k)), k)
        # About the leaf and what the frame shows of its twin.
        shown = chosen.frac + float(inter) / (h * w)
        if found is not None and found.rect >= 0.85 and 0.8 <= found.frac / shown <= 1.2:
            return found
    return None


def _toward(at: np.ndarray, along: np.ndarray, c: np.ndarray) -> np.ndarray:
    """The normal of the line through ``at`` along ``along`` that points to the side ``c`` is on."""
    nrm = np.array([-along[1], along[0]])
    return nrm if float(np.dot(c - at, nrm)) >= 0 else -nrm


def _clip_half(poly: np.ndarray, at: np.ndarray, nrm: np.ndarray) -> np.ndarray:
    """The part of the convex polygon ``poly`` where ``(x - at) · nrm ≥ 0`` (Sutherland–Hodgman)."""
    out = []
    n = len(poly)
    for i in range(n):
        a, b = poly[i], poly[(i + 1) % n]
        da, db = float(np.dot(a - at, nrm)), float(np.dot(b - at, nrm))
        if da >= 0:
            out.append(a)
        if (da >= 0) != (db >= 0):
            out.append(a + (b - a) * da / (da - db))
    return np.array(out, np.float64).reshape(-1, 2)


def _no_sheet_edge(paper: np.ndarray, p: np.ndarray, q: np.ndarray, c: np.ndarray, step: float) -> bool:
    """Is the side p → q (of an outline around ``c``) no cut edge of a sheet? A fold: paper as
    light as inside lies a little beyond it (the other leaf, past the gutter's shade). Or a
    shadow's edge: a soft step (as :func:`_shadow_sided` measures it) down to paper in shade, at
    least 35 % as light. A sheet's cut edge is a sharp step to the desk."""
    h, w = paper.shape
    d = (q - p) / max(1e-6, float(np.linalg.norm(q - p)))
    nrm = np.array([-d[1], d[0]])
    if float(np.dot(c - p, nrm)) < 0:
        nrm = -nrm  # inward
    ts = np.linspace(0.1, 0.9, 24)[:, None]
    line = p[None, :] + ts * (q - p)[None, :]
    inside = float(np.median(_sample(paper, (line + 2 * step * nrm).astype(np.float32))))
    beyond = [float(np.median(_sample(paper, (line - f * step * nrm).astype(np.float32)))) for f in (2.5, 3.5)]
    if max(beyond) >= inside - 16:
        return True
    got = _step_width(paper, p, q, step)
    soft = _SOFT_STEP * max(h, w) / _EDGE_SIDE  # (the edge path's scale is ~400 px)
    return got is not None and got[0] >= soft and 0.35 <= got[1] < 1.0


def _side_runs(paper: np.ndarray, start: np.ndarray, along: np.ndarray, inward: np.ndarray, step: float,
               delta: float, limit: float) -> float:
    """How far (pixels, up to ``limit``) a sheet's edge runs on from ``start`` in direction
    ``along`` with paper on its ``inward`` side: the distance to the last sample of a run that
    shows the step (inside more paper-like by ``delta``, at ±``step``, the line tried as given and
    shifted half a step either way — a leaf bends a little out of its twin's line), allowing gaps
    of up to three samples (a pen, a dark seal at the edge)."""
    h, w = paper.shape
    ts = np.arange(step, limit + 1e-6, step)
    if ts.size == 0:
        return 0.0
    pts = start[None, :] + ts[:, None] * along[None, :]
    ok = np.zeros(ts.size, bool)
    for off in (0.0, -0.5 * step, 0.5 * step):
        base = pts + off * inward[None, :]
        inner = _sample(paper, (base + step * inward[None, :]).astype(np.float32))
        outer = _sample(paper, (base - step * inward[None, :]).astype(np.float32))
        ok |= inner - outer >= delta
    # Outside the frame there is nothing to see: the run stops there.
    inside = ((pts[:, 0] >= -1) & (pts[:, 0] <= w) & (pts[:, 1] >= -1) & (pts[:, 1] <= h))
    reach, miss = 0.0, 0
    for t, good, seen in zip(ts, ok, inside, strict=True):
        if not seen:
            break
        if good:
            reach, miss = float(t), 0
        else:
            miss += 1
            if miss > 3:
                break
    return reach


def _leaf_runs_on(lab: np.ndarray, chosen: _Candidate) -> _Candidate | None:
    """The outline carried on past a side of ``chosen`` that is no edge of the paper, or None.

    A side of the outline may be a fold or a shadow's edge: an open booklet whose other leaf
    lies in shade or runs off the photo, the lit part of a spread. Then the sheet's sides beside
    it run on past it, with paper inside them (a page's side ends at the page's corner, beyond
    which both sides of its line are desk). Where both neighbouring sides run on by at least a
    sixth of their own length (or by less, when they reach the frame: a shadow's edge close to
    the photo's side) over paper no more coloured than the outline's, the outline is carried on
    as far as they do — to the frame and beyond when they reach it (the pipeline
    then says the page is cut off: a spread the photo does not hold whole is never cropped
    silently). Issue #13: gen2 cam_spread, gen3 photo_spread_edge_shade.
    """
    h, w = lab.shape[:2]
    paper = _paperness(lab)
    step = max(3.0, 0.012 * min(h, w))
    delta = 8.0
    quad = chosen.quad.astype(np.float64)
    a = lab[..., 1].astype(np.float32) - 128
    b = lab[..., 2].astype(np.float32) - 128
    chroma = cv2.sqrt(a * a + b * b)
    own_chroma = float(np.median(_sample(chroma, _quad_grid(quad))))
    c = quad.mean(axis=0)
    best: tuple[float, np.ndarray] | None = None
    for s in range(4):
        p, q = quad[s], quad[(s + 1) % 4]
        if _frame_edges(p, w, h) & _frame_edges(q, w, h):
            continue  # a side along the frame: nothing beyond it to look at
        prev_p, next_q = quad[(s + 3) % 4], quad[(s + 2) % 4]
        d_p = (p - prev_p) / max(1e-6, float(np.linalg.norm(p - prev_p)))  # along the side before, past p
        d_q = (q - next_q) / max(1e-6, float(np.linalg.norm(q - next_q)))
        if not _no_sheet_edge(paper, p, q, c, step):
            continue
        runs, measured = [], 0
        for corner, along, other in ((p, d_p, prev_p), (q, d_q, next_q)):
            nrm = np.array([-along[1], along[0]])
            mid_side = (corner + other) / 2
            inward = nrm if float(np.dot(c - mid_side, nrm)) > 0 else -nrm
            length = float(np.linalg.norm(corner - other))
            if _frame_edges(corner, w, h, tol=1.5 * step):
                # The corner lies on or beyond the frame: that side leaves the photo (it runs on).
                runs.append((1.5 * length, length))
                continue
            measured += 1
            runs.append((_side_runs(paper, corner, along, inward, step, delta, 1.5 * length), length))
        if not measured:
            continue  # both neighbours on the frame: a close-up's one edge, nothing to carry on
        new_p, new_q = p + runs[0][0] * d_p, q + runs[1][0] * d_q
        # A run counts when it is long (a sixth of its side), or when it reaches the frame
        # (a shadow's edge crossing the leaf close to where the photo ends).
        reached = [bool(_frame_edges(x, w, h, tol=2 * step)) for x in (new_p, new_q)]
        if min(r for r, _ in runs) < 3 * step or not (any(reached) or all(r >= ln / 6 for r, ln in runs)):
            continue
        ext = np.array([p, new_p, new_q, q])
        grid = _quad_grid(ext)
        grid = grid[(grid[:, 0] >= 0) & (grid[:, 0] <= w - 1) & (grid[:, 1] >= 0) & (grid[:, 1] <= h - 1)]
        if grid.shape[0] < 16 or float(np.median(_sample(chroma, grid))) > own_chroma + 3:
            continue
        # Where either side reached the frame, the page runs off it: the new side goes parallel
        # to the old through the farthest point the frame shows of the strip beyond it.
        if any(reached):
            side_dir = (q - p) / max(1e-6, float(np.linalg.norm(q - p)))
            out_n = np.array([-side_dir[1], side_dir[0]])
            if float(np.dot(c - p, out_n)) > 0:
                out_n = -out_n
            # What the frame shows beyond the side, between the neighbouring sides' lines.
            poly = np.array([[-0.5, -0.5], [w - 0.5, -0.5], [w - 0.5, h - 0.5], [-0.5, h - 0.5]])
            for at, keep in ((p, out_n), (p, _toward(p, d_p, c)), (q, _toward(q, d_q, c))):
                poly = _clip_half(poly, at, keep)
            if len(poly) < 3:
                continue
            far = float(np.max((poly - p) @ out_n))
            # The neighbouring sides' lines meet the far line at these distances along them.
            new_p = p + d_p * far / max(1e-6, float(np.dot(d_p, out_n)))
            new_q = q + d_q * far / max(1e-6, float(np.dot(d_q, out_n)))
        grown = quad.copy()
        grown[s], grown[(s + 1) % 4] = new_p, new_q
        grown = order_quad(grown)
        if not cv2.isContourConvex(np.round(grown * 8).astype(np.int32)):
            continue
        area = float(cv2.contourArea(grown.astype(np.float32)))
        inter, _ = cv2.intersectConvexConvex(grown.astype(np.float32), np.array(
            [[-0.5, -0.5], [w - 0.5, -0.5], [w - 0.5, h - 0.5], [-0.5, h - 0.5]], np.float32))
        if float(inter) > 0.9 * h * w:
            continue  # grown over the whole frame: no outline left to crop to (kept whole, told)
        if best is None or area > best[0]:
            best = (area, grown)
    if best is None:
        return None
    inter, _ = cv2.intersectConvexConvex(best[1].astype(np.float32), np.array(
        [[-0.5, -0.5], [w - 0.5, -0.5], [w - 0.5, h - 0.5], [-0.5, h - 0.5]], np.float32))
    return _Candidate(best[1], chosen.rect, float(inter) / (h * w))


def _closed(mask: np.ndarray, k: int) -> np.ndarray:
    """``mask`` closed over gaps of ~3 k: a receipt's full-width barcode or logo band would cut
    its lightness blob in two (the lid's level around it has no light pixels to bridge)."""
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (3 * k, 3 * k))
    return np.asarray(cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel))


def _lighter_inside(lum: np.ndarray, chosen: _Candidate, k: int) -> _Candidate | None:
    """A clearly lighter rectangle inside ``chosen``: a receipt on a grey card that stands out from
    a dark lid (rcpt, issue #13). The card is the blob, and the paper a level lighter on it.

    Otsu inside the candidate splits paper from what is darker. On a page that is its print,
    and the lighter part is the whole page again (or, around a dark picture, no rectangle):
    only a solid rectangle of clearly lighter paper, at most 3/4 of the candidate, with a broad
    darker level around it — a board, not print — wins.
    """
    h, w = lum.shape
    qm = np.zeros((h, w), np.uint8)
    cv2.fillConvexPoly(qm, np.round(chosen.quad * 16).astype(np.int32), 1, shift=4)
    vals = lum[qm > 0]
    if vals.size < 1000:
        return None
    t, _ = cv2.threshold(vals.reshape(1, -1), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    light = vals[vals > t]
    dark = vals[vals <= t]
    # Two broad levels well apart: print is a thin minority of a page's pixels, a board is not.
    if light.size == 0 or dark.size < 0.25 * vals.size or float(np.median(light)) - float(np.median(dark)) < 30:
        return None
    found = _quad_from_mask(_closed(((lum > t) & (qm > 0)).astype(np.uint8), k), k)
    if found is None or found.rect < 0.9 or found.frac > 0.75 * chosen.frac:
        return None
    # Pushed into a corner of the glass (a frame corner on two of its sides): a sheet in a photo
    # whose far end lies in shadow also splits into a light part and a darker one, but that
    # light part stops inside the frame where the light fades.
    # A receipt flat on the glass is a rectangle in the scan; a lit part of a photographed page
    # is bounded by a fading light, not by parallel edges.
    return found if _parallel_sides(found.quad) and _in_corner(found.quad, w, h) else None


def _parallel_sides(quad: np.ndarray, max_deg: float = 3.0) -> bool:
    """Both pairs of opposite sides of ``quad`` run parallel within ``max_deg``: a rectangle
    flat on a scanner's glass, not a perspective view or a part bounded by a shadow."""
    for i in (0, 1):
        a, b = quad[i + 1] - quad[i], quad[(i + 3) % 4] - quad[(i + 2) % 4]
        cos = abs(float(np.dot(a, b))) / max(1e-6, float(np.linalg.norm(a) * np.linalg.norm(b)))
        if cos < math.cos(math.radians(max_deg)):
            return False
    return True


def _in_corner(quad: np.ndarray, w: int, h: int) -> bool:
    """A corner of ``quad`` lies on two frame edges: pushed into a corner of the glass."""
    tol = max(3.0, 0.015 * min(h, w))
    return any(len(_frame_edges(p, w, h, tol)) == 2 for p in quad)


def _dark_outside(lum: np.ndarray, quad: np.ndarray, otsu: float) -> bool:
    """True when the frame outside ``quad`` is a dark bar: ≥ 0.5 % of the frame, mostly dark."""
    h, w = lum.shape
    inside = np.zeros((h, w), np.uint8)
    cv2.fillConvexPoly(inside, np.round(quad).astype(np.int32), 1)
    # A band of a few pixels along the quad is neither: the edge is blurred.
    grown = np.asarray(cv2.dilate(inside, np.ones((5, 5), np.uint8)))
    out = lum[grown == 0]
    if out.size < 0.005 * h * w:
        return False
    return float(np.median(out)) < min(100.0, otsu - 40)


def sides_angle(sides: Sequence[np.ndarray]) -> float:
    """In-plane rotation of a set of side vectors (dx, dy), degrees counter-clockwise: their
    length-weighted circular mean mod 90°, so a rectangle's four sides all vote for one angle."""
    s = c = 0.0
    for d in sides:
        a = math.atan2(-d[1], d[0])  # y grows downwards: minus makes counter-clockwise positive
        length = math.hypot(*d)
        s += length * math.sin(4 * a)
        c += length * math.cos(4 * a)
    return math.degrees(math.atan2(s, c) / 4)


def quad_angle(quad: np.ndarray) -> float:
    """In-plane rotation of a quad, degrees counter-clockwise (circular mean of its 4 sides mod 90)."""
    return sides_angle([quad[(i + 1) % 4] - quad[i] for i in range(4)])


# --------------------------------------------------------------------------- kept whole: a sheet's faint edge

_FAINT_SIDE = 420  # px: working size of the faint-edge look (LSD cost ~ its pixels)


def faint_sheet_edge(bgr: np.ndarray, px_per_mm: float | None) -> bool:
    """Does a frame kept whole show a sheet's own straight edge well inside it? (See
    :func:`_faint_edges`.)"""
    return bool(_faint_edges(bgr, px_per_mm))


def _faint_edges(bgr: np.ndarray, px_per_mm: float | None) -> list[tuple[float, float, float]]:
    """A sheet's own straight edges well inside a frame kept whole, as (rho, theta, length) in
    ``bgr``'s pixels.

    The question the pipeline asks when nothing was outlined (slip, issue #13): is this a page
    filling the frame, or a white slip or receipt on a white lid whose outline was too faint to
    trust? A sheet's cut edge on a white lid is a long straight *step* between two light levels
    (the paper a few levels lighter or darker, or bluer, than the lid), with no print along it.
    A page filling the frame has none inside it: its print's edges run along print, a picture's
    edge has a dark side, lamp fall-off is a ramp. Found on the "paper-ness" image (print closed
    away) by LSD; a segment counts when, along ≥ 80 % of it, one side is 2.5–25 levels above the
    other, both sides are paper-light, no print lies within a few mm of it, and it lies ≥ 8 mm
    (or 4 % of the frame, without a dpi) inside the frame's parallel border (a page a little
    smaller than the glass shows its edge there: that page is kept whole rightly). Collinear
    segments add up; one edge ≥ 40 mm (a quarter of the frame's short side without a dpi) is
    enough — the answer only decides a warning, never a crop.
    """
    h0, w0 = bgr.shape[:2]
    s = min(1.0, _FAINT_SIDE / max(h0, w0))
    small = bgr if s == 1.0 else cv2.resize(bgr, (max(32, round(w0 * s)), max(32, round(h0 * s))),
                                            interpolation=cv2.INTER_AREA)
    h, w = small.shape[:2]
    ppm = None if not px_per_mm else px_per_mm * w / w0
    lab = cv2.cvtColor(cv2.medianBlur(small, 3), cv2.COLOR_BGR2LAB)
    paper = _paperness(lab)
    # Print: clearly darker than the paper around it (the closing's value there).
    ink = (paper - lab[..., 0].astype(np.float32) > 25).astype(np.uint8)
    # (As float32 once, for the sampling below: it was converted again for every segment tested.)
    ink = np.asarray(cv2.dilate(ink, np.ones((3, 3), np.uint8))).astype(np.float32)
    faint = (paper - lab[..., 0].astype(np.float32) > 8).astype(np.float32)
    light = float(np.percentile(paper[::2, ::2], 90))
    p8 = cv2.normalize(np.clip(paper, light - 40, light + 10), None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    segs = cv2.createLineSegmentDetector().detect(p8)[0]
    if segs is None:
        return []
    segs = segs.reshape(-1, 4).astype(np.float64)
    lengths = np.hypot(segs[:, 2] - segs[:, 0], segs[:, 3] - segs[:, 1])
    step = max(2.0, 0.01 * min(h, w))
    inside = (0.04 * w, 0.04 * h) if ppm is None else (8 * ppm, 8 * ppm)
    need = 0.25 * min(h, w) if ppm is None else 40 * ppm
    groups: list[list[Any]] = []  # rho, theta, summed length, the segments' ends (n × 2 points)
    for i, d in _faint_steps(segs, lengths, paper, ink, (w, h), inside, step, light):
        seg, length = segs[i], lengths[i]
        theta = (math.atan2(d[1], d[0]) + math.pi / 2) % math.pi
        rho = seg[0] * math.cos(theta) + seg[1] * math.sin(theta)
        for g in groups:
            dt = (theta - g[1] + math.pi / 2) % math.pi - math.pi / 2
            r = rho if abs(theta - g[1]) < math.pi / 2 else -rho
            if abs(dt) < 0.035 and abs(r - g[0]) < 0.012 * max(h, w):
                g[2] += length
                g[3] = np.vstack([g[3], seg.reshape(2, 2)])
                break
        else:
            groups.append([rho, theta, float(length), seg.reshape(2, 2)])
    out = []
    for rho, theta, length, ends in groups:
        if length < need:
            continue
        # The whole edge, end to end, clear of the border: a page filling the frame turned a few
        # degrees shows its own edge in a corner, running into the frame's side.
        along = np.array([-math.sin(theta), math.cos(theta)])
        t = ends @ along
        a, b = ends[np.argmin(t)], ends[np.argmax(t)]
        if not _clear_of_border(np.concatenate([a, b]), w, h, inside):
            continue
        # And it stops where the sheet's corner is: the same step running on to the frame's
        # side is a page larger than the frame (its turned edge crossing a corner of it).
        if any(_step_runs_on(paper, p0, p0 - p1, step) for p0, p1 in ((a, b), (b, a))):
            continue
        # And one side of it, end to end, is bare — the lid — over a band as wide as 6 % of the
        # frame: not even faint print there (8 levels under the paper). Lighter and darker bands
        # of faint print on a newspaper (real lighttext) have print on both sides.
        pts = a + np.linspace(0.0, 1.0, 40)[:, None] * (b - a)
        nrm = np.array([math.cos(theta), math.sin(theta)])
        if min(_print_share(faint, pts, o * nrm, step, min(h, w)) for o in (1.0, -1.0)) > 0.01:
            continue
        out.append((rho / s, theta, length / s))
    return out


def _faint_steps(segs: np.ndarray, lengths: np.ndarray, paper: np.ndarray, ink: np.ndarray,
                 size: tuple[int, int], inside: tuple[float, float], step: float, light: float
                 ) -> list[tuple[int, np.ndarray]]:
    """The segments of :func:`_faint_edges` that are a faint step with no print along them, in
    order: (index, unit direction).

    A segment counts when it is long enough, clear of the border, along ≥ 80 % of it one side is
    2.5–25 levels above the other, both sides are paper-light, and no print lies within a few
    pixels of it. Tested for all segments at once (session 13: one at a time cost ~6 ms of
    Python a frame): the same float64 points and float32 samples (bilinear sampling is per
    point), each median and share over the segment's own 16 (96) samples — the same decisions.
    """
    w, h = size
    idx = [i for i in np.flatnonzero(lengths >= 0.06 * min(h, w)).tolist()
           if _clear_of_border(segs[i], w, h, inside)]
    if not idx:
        return []
    sel, length = segs[idx], lengths[idx]
    d = (sel[:, 2:] - sel[:, :2]) / length[:, None]
    nrm = np.stack([-d[:, 1], d[:, 0]], axis=1)[:, None, :]
    ts = np.linspace(0.05, 0.95, 16)
    pts = sel[:, None, :2] + ts[None, :, None] * (sel[:, None, 2:] - sel[:, None, :2])  # n × 16 × 2
    a = _sample_rows(paper, (pts + step * nrm).astype(np.float32))
    b = _sample_rows(paper, (pts - step * nrm).astype(np.float32))
    diff = a - b
    sign = np.where(np.median(diff, axis=1) >= 0, np.float32(1.0), np.float32(-1.0))[:, None]
    stepped = (sign * diff >= 2.5) & (sign * diff <= 25)
    ok = (np.mean(stepped, axis=1) >= 0.8) & \
        (np.minimum(np.median(a, axis=1), np.median(b, axis=1)).astype(np.float64) >= light - 25)
    # No print along it: a text line's or a table's edge runs along print.
    offsets = np.linspace(-2.5 * step, 2.5 * step, 6)
    near = (pts[:, None] + offsets[None, :, None, None] * nrm[:, None]).reshape(len(idx), -1, 2)
    ok &= np.mean(_sample_rows(ink, near.astype(np.float32)) > 0.5, axis=1) <= 0.02
    return [(idx[j], d[j]) for j in np.flatnonzero(ok).tolist()]


def _sample_rows(img: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """``img`` (float32) at the points ``pts`` (n × m × 2 float32), bilinear: n × m (as
    :func:`_sample` point by point; remap wants fewer than 32 767 rows a call)."""
    out = [cv2.remap(img, np.ascontiguousarray(part[..., 0]), np.ascontiguousarray(part[..., 1]), cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_REPLICATE) for part in np.array_split(pts, -(-len(pts) // 30000))]
    return out[0] if len(out) == 1 else np.concatenate(out)


def _print_share(faint: np.ndarray, pts: np.ndarray, out: np.ndarray, step: float, side: int) -> float:
    """Share of print pixels (``faint``) in the band from ``step`` to ``step`` + 6 % of ``side``
    beyond the points ``pts`` along the unit vector ``out``."""
    offs = np.linspace(step + 1, step + 1 + 0.06 * side, 12)
    band = np.concatenate([pts + o * out for o in offs]).astype(np.float32)
    return float(np.mean(_sample(faint, band) > 0.5))


def _step_runs_on(paper: np.ndarray, start: np.ndarray, direction: np.ndarray, step: float) -> bool:
    """Does the edge ending at ``start``, followed along ``direction``, run into the frame side it
    runs along (before the side across it), with the step across it going on all the way?

    That is a page larger than the frame, turned a few degrees: its edge crosses a corner of the
    frame. A sheet lying on the lid stops at its corner (lid on both sides beyond it); an edge
    heading for the side across it (a slip's side towards the bottom of the glass) is no turned
    page. Sampled 16 times from just before ``start``; it goes on when ≥ 70 % of the samples
    still show 2.5 levels of step the same way as at ``start``.
    """
    h, w = paper.shape
    d = direction / max(1e-9, float(np.linalg.norm(direction)))

    def to_side(pos: float, dv: float, size: int) -> float:
        return ((size - 1 - pos) / dv) if dv > 1e-9 else (-pos / dv) if dv < -1e-9 else np.inf

    along_x = abs(d[0]) >= abs(d[1])  # it runs along the top/bottom: its own sides are those
    own = to_side(start[1], d[1], h) if along_x else to_side(start[0], d[0], w)
    across = to_side(start[0], d[0], w) if along_x else to_side(start[1], d[1], h)
    if not np.isfinite(own) or own > across:
        return False
    nrm = np.array([-d[1], d[0]])
    ts = np.linspace(-2 * step, max(0.0, own - step), 16)
    pts = start + ts[:, None] * d
    diff = _sample(paper, (pts + step * nrm).astype(np.float32)) - _sample(paper, (pts - step * nrm).astype(np.float32))
    sign = 1.0 if diff[0] >= 0 else -1.0
    return float(np.mean(sign * diff[1:] >= 2.5)) >= 0.7


def _clear_of_border(seg: np.ndarray, w: int, h: int, inside: tuple[float, float]) -> bool:
    """Both ends of segment (x0, y0, x1, y1) lie ``inside`` (x, y) px from the frame border the
    segment runs along (the nearer-parallel one)."""
    d = np.abs(seg[2:] - seg[:2])
    if d[0] >= d[1]:  # along the top or bottom
        return min(seg[1], seg[3], h - 1 - seg[1], h - 1 - seg[3]) >= inside[1]
    return min(seg[0], seg[2], w - 1 - seg[0], w - 1 - seg[2]) >= inside[0]


# --------------------------------------------------------------------------- kept whole: the sheet from its print

_SHEET_SIDE = 600  # px: working size of the print-seeded sheet search (~1.7 px/mm on a Legal glass)


@dataclass(frozen=True)
class FaintSheet:
    """A sheet on a light lid found from its print and the faint steps around it."""

    quad: np.ndarray  # 4×2 float64, TL TR BR BL in the searched image's pixels
    sides: tuple[str, ...]  # per side of the print box (top, right, bottom, left): "edge" or "frame"
    # A receipt's long side not seen but set a roll's width from the one seen (the caller warns).
    guessed: bool = False


def faint_sheet(bgr: np.ndarray, px_per_mm: float, cancel: Event | None = None) -> FaintSheet | None:
    """The sheet a frame kept whole holds, found outward from its print (slip, issue #13).

    On a white or light lid a slip, a receipt or a page can be as light as the lid: no mask
    outlines it, and its edge is a step of a level or two in lightness or in tint, a thin grey
    cut line or a faint lid-gap shadow. Per pixel that is noise; averaged along a whole side it
    is not. The print says where the sheet is and how it is turned (text lines and columns run
    square to the paper): its main cluster's smallest rectangle gives the direction; from each
    side of that rectangle the L, a and b profiles outward, averaged along the side, are searched
    for the first feature clearly above their own noise (a step either way, or a dark line). The
    side's line is then fitted through the same feature in six stretches along it (a sheet's
    side is not quite square to its print box), which also requires the feature to run the
    side's length — a stray mark or a blotch of the lid does not. A side whose profiles reach the
    frame with no such feature is the frame's (a sheet pushed against the glass's edge).
    ``None`` without print, or when fewer than two sides are the sheet's own. What it found must
    still be measured as a document by the caller.

    ``cancel``: set by a caller that no longer wants the answer (the pipeline starts this search
    beside find_page, and drops it when a page is found): the search then stops at its next
    stage and returns None — an answer nobody reads (issue #13, time).
    """
    def dropped() -> bool:
        return cancel is not None and cancel.is_set()

    h0, w0 = bgr.shape[:2]
    s = min(1.0, _SHEET_SIDE / max(h0, w0))
    small = bgr if s == 1.0 else cv2.resize(bgr, (max(32, round(w0 * s)), max(32, round(h0 * s))),
                                            interpolation=cv2.INTER_AREA)
    h, w = small.shape[:2]
    ppm = px_per_mm * w / w0
    lab = cv2.cvtColor(cv2.medianBlur(small, 3), cv2.COLOR_BGR2LAB).astype(np.float32)
    lum = np.ascontiguousarray(lab[..., 0])
    # Print: clearly darker than the paper around it (a closing as wide as 2.5 mm removes it).
    kk = max(3, round(2.5 * ppm) | 1)
    below = cv2.morphologyEx(lum, cv2.MORPH_CLOSE, np.ones((kk, kk), np.uint8)) - lum
    # (And anything far darker than the lid: a solid logo block or a barcode's bars are wider
    # than the closing.)
    light = float(np.percentile(lum[::2, ::2], 90))
    ink = (((below > 30) | (lum < light - 50)) & ~_darker_backing(lum + below < light - 35)).astype(np.uint8)
    border = max(2, round(2 * ppm))
    ink[:border], ink[-border:], ink[:, :border], ink[:, -border:] = 0, 0, 0, 0
    if int(np.count_nonzero(ink)) < 20 or dropped():
        return None
    # A sheet's filing holes and staple are no print (the blank decision's binding_marks): on a
    # near-blank punched sheet a column of holes measured as a till roll's print, and the page
    # was cut to a roll's width (gen3_text PUNCH_SCENES). Looked for only among few marks.
    if cv2.connectedComponents(ink)[0] <= 4 * BINDING_MAX_MARKS:
        binding = binding_marks(ink, ppm, 0, (h, w), lum)
        if binding is not None:
            ink[binding] = 0
            if int(np.count_nonzero(ink)) < 20:
                return None
    # Clusters of print (marks closer than ~12 mm: a line, a block, a column of amounts); every
    # cluster of some size is the sheet's — a lid is bare — but dust and specks are not.
    r = max(2, round(6 * ppm))
    joined = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1)))
    n, labels = cv2.connectedComponents(joined)
    counts = np.bincount(labels[ink > 0], minlength=n)
    counts[0] = 0
    keep = counts >= max(20, 0.05 * counts.max())
    # Its extent with the glyphs' soft fringes (within 1 mm of clear print, 12 levels under the
    # paper): a side's search must start beyond them.
    core: np.ndarray = (keep[labels] & (ink > 0)).astype(np.uint8)
    grown: np.ndarray = cv2.dilate(core, np.ones((2 * max(1, round(ppm)) + 1,) * 2, np.uint8))
    fringe = grown & (below > 12)
    ys, xs = np.nonzero(fringe | core)
    if len(xs) < 20 or dropped():
        return None  # specks only (or no longer wanted)
    pts = np.column_stack([xs, ys]).astype(np.float32)
    ang = _print_turn(pts, ((w - 1) / 2, (h - 1) / 2))
    # The three channels turned so the print box is square to the axes; lightness of dark marks
    # clipped, tint held near the paper's (a stray mark on the lid must not pull an average far).
    chans = [np.maximum(lum, light - 15)]
    for c in (1, 2):
        med = float(np.median(lab[::2, ::2, c]))
        chans.append(np.clip(lab[..., c], med - 6, med + 6))
    rot = cv2.getRotationMatrix2D(((w - 1) / 2, (h - 1) / 2), ang, 1.0)
    turned = cv2.warpAffine(cv2.merge(chans), rot, (w, h), flags=cv2.INTER_LINEAR)
    # Averages leave out what lies within 1.5 mm of any mark (a glyph's fringe beside the print
    # box is no step of the paper) and what the turn brought in from beyond the frame.
    rm = max(1, round(0.8 * ppm))
    near = cv2.dilate((below > 12).astype(np.uint8), np.ones((2 * rm + 1, 2 * rm + 1), np.uint8))
    valid = cv2.warpAffine((1 - near).astype(np.float32), rot, (w, h), flags=cv2.INTER_NEAREST, borderValue=0.0)
    inside = cv2.warpAffine(np.ones((h, w), np.float32), rot, (w, h), flags=cv2.INTER_NEAREST, borderValue=0.0)
    tp = cv2.transform(pts[:, None, :], rot).reshape(-1, 2)
    box = (*tp.min(axis=0), *tp.max(axis=0))
    inv = cv2.invertAffineTransform(rot)
    lines: list[tuple[np.ndarray, np.ndarray]] = []
    sides: list[str] = []
    if dropped():
        return None
    found_sides = {side: _sheet_side(turned, valid, inside, side, box, ppm) for side in ("right", "left")}
    if dropped():
        return None
    # A till receipt's long edges, searched as a pair a roll's width apart, when each alone was
    # not found or they measure no sheet; its ends are then searched along the receipt only.
    # (Its column from all the print's faint strokes within its clusters' reach: a thermal
    # receipt's grey glyphs are mostly lighter than "clear print", a punch hole is not.)
    ty, tx = np.nonzero((below > 12) & keep[labels])
    strokes = cv2.transform(np.column_stack([tx, ty]).astype(np.float32)[:, None, :], rot).reshape(-1, 2)
    column_pts = strokes if len(strokes) >= 20 else tp
    pair = _receipt_sides(found_sides, turned, valid, column_pts, box, ppm)
    guessed = False
    if pair is None:
        pair = _roll_guess(found_sides, column_pts, box, ppm)
        guessed = pair is not None
    ends_box = box
    if pair is not None:
        found_sides["left"] = (np.array([pair[0], 0.0]), np.array([0.0, 1.0]))
        found_sides["right"] = (np.array([pair[1], 0.0]), np.array([0.0, 1.0]))
        inset = max(1.0, ppm)
        ends_box = (max(box[0], pair[0] + inset), box[1], min(box[2], pair[1] - inset), box[3])
    for side in ("top", "bottom"):
        found_sides[side] = _sheet_side(turned, valid, inside, side, ends_box, ppm)
    if dropped():
        return None
    _receipt_ends_checked(found_sides, turned, valid, box, ppm)
    # Sides in order top, right, bottom, left (the quad's corners are their crossings).
    for side in ("top", "right", "bottom", "left"):
        found = found_sides[side]
        if isinstance(found, str):  # "frame"
            sides.append("frame")
            lines.append(_frame_line(side, w, h))
            continue
        p, d = found
        q = cv2.transform(np.array([[p, p + d]], np.float32), inv).reshape(2, 2).astype(np.float64)
        lines.append((q[0], q[1] - q[0]))
        sides.append("edge")
    if sides.count("edge") < 2:
        return None
    corners = _intersect([lines[3], lines[0], lines[1], lines[2]])
    if corners is None:
        return None
    quad = order_quad(np.clip(corners, -0.5, [w - 0.5, h - 0.5]))
    return FaintSheet((quad + 0.5) / s - 0.5, tuple(sides), guessed)


def _receipt_ends_checked(found: dict[str, tuple[np.ndarray, np.ndarray] | str], turned: np.ndarray,
                          valid: np.ndarray, box: tuple[float, float, float, float], ppm: float) -> None:
    """A receipt's top and bottom (in ``found``, in place) where its long edges end
    (:func:`_receipt_ends`), when its two long edges were found a roll's width apart.

    An end found by its own step within 3 mm of there is kept (it is the sharper measure);
    otherwise the step was something on the receipt (the back's print showing through, real
    saturn_08) or on the lid beyond it, and the edges' end is taken.
    """
    left, right = found["left"], found["right"]
    if isinstance(left, str) or isinstance(right, str):
        return
    mid = (box[1] + box[3]) / 2
    if not _roll_width(((right[0][0] + right[1][0] * mid) - (left[0][0] + left[1][0] * mid)) / ppm):
        return
    ends, share = _receipt_ends(turned, valid, left, right, box, ppm)
    xm = (box[0] + box[2]) / 2  # an end's line is y = p + slope·x: read it mid-way across
    for side in ("top", "bottom"):
        end = ends[side]
        if end is None or share is None:
            continue
        own = found[side]
        if isinstance(own, str):
            found[side] = "frame" if not math.isfinite(end) else (np.array([0.0, end]), np.array([1.0, 0.0]))
            continue
        y = float(own[0][1] + own[1][1] * xm)
        if math.isfinite(end) and abs(y - end) <= 3 * ppm:
            continue
        # Replaced only when the edges clearly run on past the step (their contrast's median
        # share there ≥ 0.7: paper on both sides of it, so the step was on the receipt). Where
        # the share beyond the step is middling, the lid's own texture keeps the edges' contrast
        # from falling cleanly (gen3 receipt_white_faint #7): the step is the end.
        lo_y, hi_y = (max(0.0, end), y) if side == "top" else (y, min(float(len(share) - 1), end))
        past = share[max(0, round(lo_y)):max(0, round(hi_y)) + 1]
        if len(past) and float(np.median(past)) >= 0.7:
            found[side] = "frame" if not math.isfinite(end) else (np.array([0.0, end]), np.array([1.0, 0.0]))


def _darker_backing(dark: np.ndarray) -> np.ndarray:
    """The parts of ``dark`` (far darker than the paper once marks are closed away) that are a
    backing, not a sheet: regions over a tenth of the frame that reach its border (a grey card
    or a mid-grey lid beside a receipt laid in the glass's corner, real aldi_16). The specks and
    creases on it are its own, not a sheet's print. A logo block or a barcode is print:
    smaller, and on the sheet."""
    _, labels, stats, _ = components_with_stats(dark.astype(np.uint8), 4)
    h, w = dark.shape
    x, y, bw, bh, area = (stats[:, i] for i in range(5))
    backing = (area >= 0.1 * h * w) & ((x == 0) | (y == 0) | (x + bw == w) | (y + bh == h))
    backing[0] = False
    return np.asarray(backing[labels], bool)


def _print_column(tp: np.ndarray, ppm: float) -> tuple[float, float]:
    """Where most of the print's lines begin and end across (x, turned pixels): the 10th
    percentile of their left ends and the 90th of their right ends, in 2-mm bands down it."""
    band = np.floor(tp[:, 1] / max(1.0, 2 * ppm)).astype(np.int64)
    band -= band.min()
    starts = np.full(int(band.max()) + 1, np.inf)
    ends = np.full(int(band.max()) + 1, -np.inf)
    # One contiguous float64 column: ``ufunc.at`` takes its fast path only when the values'
    # type is the target's (a float32 column cast point by point cost ~9 ms a call on an A4
    # scan's print; min and max of the same values, so the same answer).
    x = np.ascontiguousarray(tp[:, 0], np.float64)
    np.minimum.at(starts, band, x)
    np.maximum.at(ends, band, x)
    used = np.isfinite(starts)
    return float(np.percentile(starts[used], 10)), float(np.percentile(ends[used], 90))


def _roll_guess(found: dict[str, tuple[np.ndarray, np.ndarray] | str], tp: np.ndarray,
                box: tuple[float, float, float, float], ppm: float) -> tuple[float, float] | None:
    """A receipt's unseen long edge set from the one seen (x of both, turned pixels), or ``None``.

    On a white lid one long edge of a thermal receipt can show no step at all (session 8:
    real saturn_08). The roll's width is known: the unseen edge is the narrower roll's (57.5 or
    79.5 mm) width from the seen one that still clears the print column by 1 mm — and by no
    more than 20 mm (a column is printed across most of its roll). A guess — the caller keeps
    the officer told.
    """
    left, right = found["left"], found["right"]
    if isinstance(left, str) == isinstance(right, str) or (box[3] - box[1]) / ppm < 30:
        return None  # both seen (or neither): nothing to guess from
    c0, c1 = _print_column(tp, ppm)
    mid = (box[1] + box[3]) / 2
    seen = left if not isinstance(left, str) else right
    assert not isinstance(seen, str)
    x = float(seen[0][0] + seen[1][0] * mid)
    margin = (c0 - x) if seen is left else (x - c1)
    if not 0.5 * ppm <= margin <= 20 * ppm:
        return None
    for roll in (57.5, 79.5):
        far = roll * ppm - margin - (c1 - c0)  # the unseen side's margin
        if ppm <= far <= 20 * ppm:
            return (x, x + roll * ppm) if seen is left else (x - roll * ppm, x)
    return None


def _receipt_sides(found: dict[str, tuple[np.ndarray, np.ndarray] | str], turned: np.ndarray, valid: np.ndarray,
                   tp: np.ndarray, box: tuple[float, float, float, float], ppm: float) -> tuple[float, float] | None:
    """A receipt's long edges (x in the turned image) from :func:`_roll_pair`, when the print is a
    receipt's column and the sides found one by one do not already measure a roll's or a
    sheet's width. ``tp`` are the print's points, turned.

    The column is where most of the print's lines begin and end (the 10th percentile of the
    lines' left ends, the 90th of their right ends, in 2-mm bands down the print): punch holes or
    a stamp on the lid beside a receipt (real tanke_07) widen the print's box, not its column.
    """
    c0, c1 = _print_column(tp, ppm)
    if (c1 - c0) / ppm > _ROLL_WIDTHS_MM[-1][1] or (box[3] - box[1]) / ppm < 30:
        return None
    left, right = found["left"], found["right"]
    if not isinstance(left, str) and not isinstance(right, str):
        mid = (box[1] + box[3]) / 2
        mm = ((right[0][0] + right[1][0] * mid) - (left[0][0] + left[1][0] * mid)) / ppm
        if _roll_width(mm) or any(abs(mm / s - 1) <= 0.03 for s in _SHEET_WIDTHS_MM):
            return None
    return _roll_pair(turned, valid, (box[1], box[3]), (c0, c1), ppm)


def _print_turn(pts: np.ndarray, centre: tuple[float, float]) -> float:
    """The turn (degrees, as ``cv2.getRotationMatrix2D`` takes it) that sets the print's lines
    square to the axes: the sharpest projection of its points across or down, within ±15°.

    Text lines, table rules and a receipt's columns are square to the paper's edges; the print's
    smallest rectangle is not, when a seal or a signature sticks out of a text block's corner.
    """
    def energy(a: float) -> float:
        m = cv2.getRotationMatrix2D(centre, a, 1.0)
        e = 0.0
        for c in (0, 1):
            # Per coordinate on float64 columns: a float32 × float64 matrix product took ~15×
            # longer (numpy casts and multiplies without BLAS), 50 turns a sheet. The sums may
            # differ from it in the last bit (no fused multiply-add): a rounding to whole pixels
            # changes only for a point within 1e-13 px of a half — and the energy is an integer
            # sum of squared counts, the same in any order.
            v = np.rint(xs * m[c, 0] + ys * m[c, 1] + m[c, 2]).astype(np.int64)
            n = np.bincount(v - v.min())
            e += float(n @ n)
        return e

    sub = pts[:: max(1, len(pts) // 6000)]
    xs, ys = sub[:, 0].astype(np.float64), sub[:, 1].astype(np.float64)
    best = max(np.arange(-15.0, 15.5, 1.0), key=energy)
    return float(max(np.arange(best - 0.9, best + 0.95, 0.1), key=energy))


def _frame_line(side: str, w: int, h: int) -> tuple[np.ndarray, np.ndarray]:
    """The frame border a side of the print box faces (turned by less than 45°, it faces the same one)."""
    return {"top": (np.array([0.0, -0.5]), np.array([1.0, 0.0])),
            "bottom": (np.array([0.0, h - 0.5]), np.array([1.0, 0.0])),
            "left": (np.array([-0.5, 0.0]), np.array([0.0, 1.0])),
            "right": (np.array([w - 0.5, 0.0]), np.array([0.0, 1.0]))}[side]


def _sheet_side(turned: np.ndarray, valid: np.ndarray, inside: np.ndarray, side: str,
                box: tuple[float, float, float, float], ppm: float) -> tuple[np.ndarray, np.ndarray] | str:
    """One side of :func:`faint_sheet`: its line (point, direction) in the turned image, or
    ``"frame"`` when the profiles run to the frame with no feature along the side's length.

    ``valid`` weighs the pixels averaged (0 near print or beyond the frame); ``inside`` is 1
    within the frame: a profile ends where the frame does."""
    u0, v0, u1, v1 = box
    gap = max(1.0, 0.7 * ppm)
    # As rows: profiles run along axis 1, outward; the side's length along axis 0.
    if side in ("left", "right"):
        img, val, ins, lo, hi = turned, valid, inside, v0, v1
        start, outward = (u0 - gap, -1) if side == "left" else (u1 + gap, 1)
    else:
        img, val, ins, lo, hi = turned.transpose(1, 0, 2), valid.T, inside.T, u0, u1
        start, outward = (v0 - gap, -1) if side == "top" else (v1 + gap, 1)
    # The print's box may reach past the frame (a near-blank page's specks at its very edge):
    # the side's stretch is only what the image holds.
    a0 = min(max(0, round(lo + 0.05 * (hi - lo))), img.shape[0])
    a1 = min(max(0, round(hi - 0.05 * (hi - lo)) + 1), img.shape[0])
    # Kept within the frame: a box past the frame put the first profile outside it (an index
    # past the image, or a negative one read from the far end: a crash on a punched blank page).
    s0 = min(math.floor(start), img.shape[1] - 1) if outward < 0 else max(math.ceil(start), 0)
    idx = np.arange(s0, -1, -1) if outward < 0 else np.arange(s0, img.shape[1])
    if a1 - a0 < 6 or len(idx) < 4:
        return "frame"

    # The side's region once, weighted, and summed cumulatively along the side: any stretch's
    # profile is then a difference of two rows.
    cols = slice(idx[0], None if idx[-1] == 0 else idx[-1] - 1, -1) if outward < 0 else slice(idx[0], idx[-1] + 1)
    wt = val[a0:a1, cols].astype(np.float32)
    cum_w = np.concatenate([np.zeros((1, len(idx)), np.float32), np.cumsum(wt, axis=0)])
    cum_v = np.concatenate([np.zeros((1, len(idx), 3), np.float32),
                            np.cumsum(img[a0:a1, cols] * wt[..., None], axis=0)])
    cum_i = np.concatenate([np.zeros((1, len(idx)), np.float32), np.cumsum(ins[a0:a1, cols], axis=0)])

    def profile(b0: int, b1: int) -> tuple[np.ndarray, int]:
        b0, b1 = b0 - a0, b1 - a0
        full = (cum_i[b1] - cum_i[b0]) >= 0.98 * (b1 - b0)
        end = int(np.argmin(full)) if not full.all() else len(idx)
        ws = (cum_w[b1] - cum_w[b0])[:end]
        # Where print leaves less than half of the band to average, the profile has not begun.
        ok = ws >= 0.5 * (b1 - b0)
        begin = int(np.argmax(ok)) if ok.any() else end
        prof = (cum_v[b1] - cum_v[b0])[:end] / np.maximum(ws, 1e-6)[:, None]
        return np.ascontiguousarray(prof.T[:, begin:]), begin  # 3 × (end − begin), and where it begins

    prof, begin = profile(a0, a1)
    edges = np.linspace(a0, a1, 7).round().astype(int)
    stretches = []
    for b0, b1 in pairwise(edges):
        p, b = profile(int(b0), int(b1))
        # Aligned with the whole side's profile (a stretch may begin sooner or later).
        pad = np.full((3, max(0, b - begin)), np.nan, np.float32)
        stretches.append(np.concatenate([pad, p], axis=1)[:, max(0, begin - b):])
    after = 0.0
    while True:
        feat = _first_feature(prof, ppm, after)
        if feat is None:
            return "frame"
        t, ch, sign, thr = feat
        # The same feature in six stretches along the side: a line through them.
        pts = []
        for (b0, b1), p in zip(pairwise(edges), stretches, strict=True):
            lo_t, hi_t = max(0, int(t - 3 * ppm)), min(p.shape[1], int(t + 3 * ppm) + 1)
            win = p[:, lo_t:hi_t]
            if win.shape[1] == 0 or np.isnan(win).any():
                continue
            hit = _first_feature(win, ppm, thr=0.5 * thr, channel=ch)
            if hit is not None and hit[2] == sign:
                pts.append(((b0 + b1 - 1) / 2, float(idx[0]) + outward * (begin + lo_t + hit[0])))
        if len(pts) >= 4:
            along = np.array([q[0] for q in pts])
            across = np.array([q[1] for q in pts])
            slope, icept = np.polyfit(along, across, 1)
            if float(np.abs(across - (slope * along + icept)).max()) <= max(1.5, ppm) and abs(slope) <= 0.05:
                break
        after = t + 2 * ppm  # not along the whole side: a mark, not the sheet's edge
    if side in ("left", "right"):
        return np.array([icept, 0.0]), np.array([slope, 1.0])  # x = icept + slope·y
    return np.array([0.0, icept]), np.array([1.0, slope])


def _first_feature(prof: np.ndarray, ppm: float, after: float = 0.0, thr: float | None = None,
                   channel: int | None = None) -> tuple[float, int, float, float] | None:
    """The first clear feature of a (channels × n) profile beyond ``after``: (sub-pixel
    position, channel, sign: +1 step up / −1 step down or dark line, the threshold it cleared).

    A step either way (the mean of the next 2 mm against the last 2 mm) or a dark line (darker
    than both sides) counts where it clears ``thr`` — by default six times the detector's own
    noise on that channel's profile, and at least 0.6 levels. Lamp fall-off and lid mottle drift
    over centimetres; a sheet's edge steps within a millimetre or two.
    """
    n = prof.shape[1]
    m = max(2, round(2.0 * ppm))
    if n < 2 * m + 3:
        return None
    best: tuple[float, int, float, float] | None = None
    for c in range(prof.shape[0]) if channel is None else (channel,):
        cs = np.concatenate([[0.0], np.cumsum(prof[c], dtype=np.float64)])
        t = np.arange(m, n - m)
        step = (cs[t + m + 1] - cs[t + 1]) / m - (cs[t] - cs[t - m]) / m  # next m minus last m samples
        # Darker than both sides: a line (a step's foot is only as dark as its lower side).
        dip = prof[c][t] - np.minimum(cs[t] - cs[t - m], cs[t + m + 1] - cs[t + 1]) / m
        if thr is None:
            noise = 1.4826 * float(np.median(np.abs(step - np.median(step))))
            th = max(0.6, 6.0 * noise)
        else:
            th = thr
        # A dark line counts in lightness only (a tint has no "darker").
        score = np.maximum(np.abs(step), np.maximum(-2 * dip, 0.0)) if c == 0 else np.abs(step)
        hits = np.nonzero((score >= th) & (t >= after))[0]
        if len(hits) == 0 or (best is not None and t[hits[0]] >= best[0]):
            continue
        k = int(hits[0])
        while k + 1 < len(score) and score[k + 1] >= score[k]:
            k += 1
        off = 0.0
        if 0 < k < len(score) - 1:
            den = score[k - 1] - 2 * score[k] + score[k + 1]
            off = 0.5 * (score[k - 1] - score[k + 1]) / den if den < 0 else 0.0
        sign = float(np.sign(step[k])) if abs(step[k]) >= -2 * dip[k] else -1.0
        best = (float(t[k]) + float(np.clip(off, -0.5, 0.5)), c, sign, th)
    return best


# Till rolls (slip, issue #13): 57/58 mm and 76/79/80 mm paper, cut a little narrower or measured
# a little wider on the glass. The sheet sizes are the widths a faint sheet's two edges may
# also measure (A4/Letter/A5/A6 either way round): a pair of edges at one of those is a sheet's.
_ROLL_WIDTHS_MM = ((55.0, 60.5), (74.0, 82.5))
_SHEET_WIDTHS_MM = (74.0, 105.0, 148.0, 210.0, 215.9, 279.4, 297.0)


def _roll_width(mm: float) -> bool:
    """Is ``mm`` a till roll's width (:data:`_ROLL_WIDTHS_MM`)?"""
    return any(lo <= mm <= hi for lo, hi in _ROLL_WIDTHS_MM)


def _roll_pair(turned: np.ndarray, valid: np.ndarray, rows: tuple[float, float], column: tuple[float, float],
               ppm: float) -> tuple[float, float] | None:
    """The two long edges of a till receipt around its print column, searched as a pair.

    A thermal receipt on a white lid is as light as the lid; one long edge may show a curl's
    soft shadow, the other only a level's step in tint, or nothing clear alone. But the roll's
    width is known (:data:`_ROLL_WIDTHS_MM`): two faint parallel features that far apart,
    one each side of the print column, are far less likely by chance than either one — so each
    needs only 3.5× its profile's noise, not the single side's 6×, and must run the side's
    length (the same sign and at least 40 % of its strength in each third of it).

    ``turned`` is the faint sheet's turned L, a, b image (print square to the axes), ``valid``
    its weights (0 near print), ``rows`` the print's extent down the image, ``column`` its
    extent across (a robust one: a punch hole or a stamp beside the receipt is not its print).
    Returns the two edges' x (turned pixels), or ``None``.
    """
    h, w = turned.shape[:2]
    a0, a1 = max(0, round(rows[0])), min(h, round(rows[1]) + 1)
    if a1 - a0 < 12:
        return None
    m = max(2, round(1.5 * ppm))
    thirds = np.linspace(a0, a1, 4).round().astype(int)

    def steps(r0: int, r1: int) -> tuple[np.ndarray, np.ndarray]:
        """Per channel, the step (next m columns minus last m) and the dark-line depth, NaN where
        marks leave less than a third of the rows to average."""
        wt = valid[r0:r1]
        sw = wt.sum(axis=0)
        prof = np.einsum("rxc,rx->cx", turned[r0:r1], wt) / np.maximum(sw, 1e-6)
        prof[:, sw < 0.33 * (r1 - r0)] = np.nan
        cs = np.concatenate([np.zeros((3, 1)), np.cumsum(prof, axis=1, dtype=np.float64)], axis=1)
        t = np.arange(m, w - m)
        nxt, last = (cs[:, t + m + 1] - cs[:, t + 1]) / m, (cs[:, t] - cs[:, t - m]) / m
        step = np.full((3, w), np.nan)
        dip = np.full((3, w), np.nan)
        step[:, t] = nxt - last
        dip[:, t] = np.maximum(np.minimum(nxt, last) - prof[:, t], 0.0)
        return step, dip

    step, dip = steps(a0, a1)
    z = np.zeros(w)
    chan = np.zeros(w, int)
    for c in range(3):
        s = step[c]
        ok = ~np.isnan(s)
        if ok.sum() < 4 * m:
            continue
        noise = max(1.4826 * float(np.median(np.abs(s[ok] - np.median(s[ok])))), 0.05)
        zc = np.abs(np.nan_to_num(s)) / noise
        if c == 0:  # a curl's shadow or a cut line: a dark line, in lightness only
            zc = np.maximum(zc, 2 * np.nan_to_num(dip[c]) / noise)
        better = zc > z
        z[better], chan[better] = zc[better], c
    # Each side's third-by-third check: the same feature (same channel and sign) along the side.
    parts = [steps(int(r0), int(r1)) for r0, r1 in pairwise(thirds)]

    def runs(x: int) -> bool:
        c = chan[x]
        whole, depth = step[c, x], dip[c, x] if c == 0 else 0.0
        if np.isnan(whole):
            return False
        # A third whose print leaves too little lid beside the edge says nothing; two must.
        if 2 * depth > abs(whole):  # a dark line
            seen = [float(d[c, x]) for _, d in parts if not np.isnan(d[c, x])]
            return len(seen) >= 2 and min(seen) >= 0.4 * depth
        seen = [float(s[c, x] * np.sign(whole)) for s, _ in parts if not np.isnan(s[c, x])]
        return len(seen) >= 2 and min(seen) >= 0.4 * abs(whole)

    gap = max(1, round(0.7 * ppm))
    left_end, right_start = math.floor(column[0]) - gap, math.ceil(column[1]) + gap
    if left_end < 1 or right_start > w - 2:
        return None
    zl = np.maximum.reduce([np.roll(z, s) for s in (-1, 0, 1)])  # ±1 px: the width's own rounding
    best: tuple[float, int, int] | None = None
    for lo, hi in _ROLL_WIDTHS_MM:
        for d in range(round(lo * ppm), round(hi * ppm) + 1):
            xl = np.arange(max(0, right_start - d), min(left_end, w - d))
            if len(xl) == 0:
                continue
            score = np.minimum(zl[xl], zl[xl + d])
            i = int(np.argmax(score))
            if best is None or score[i] > best[0]:
                best = (float(score[i]), int(xl[i]), int(xl[i] + d))
    if best is None or best[0] < 3.5:
        return None
    # The pair's own peaks (the ±1 px window picked the pair; each edge sits on its own peak).
    xs = []
    for x in best[1:]:
        seg = z[max(0, x - 1):x + 2]
        xs.append(max(0, x - 1) + int(np.argmax(seg)))
    if not all(runs(x) for x in xs):
        return None
    return float(xs[0]), float(xs[1])


def _receipt_ends(turned: np.ndarray, valid: np.ndarray, left: tuple[np.ndarray, np.ndarray],
                  right: tuple[np.ndarray, np.ndarray], box: tuple[float, float, float, float],
                  ppm: float) -> tuple[dict[str, float | None], np.ndarray | None]:
    """Where a receipt's long edges end, up and down: its top and bottom (turned y), ``-inf`` /
    ``+inf`` when an edge runs to the frame, ``None`` when it cannot be told; and the share
    described below, row by row (``None`` when there is none).

    A receipt's ends are often no clearer than its long sides, and inside it the back's print
    shows through (real saturn_08: a block of grey lines above the logo read as its top). But
    along a long edge found, the paper differs from the lid just across it; beyond the
    receipt's end there is lid on both sides. Row by row, the contrast across both long edges
    (2 mm in against 2 mm out, 0.7 mm clear of the line; marks left out) in the channel where it
    is clearest, as a share of its median beside the print, smoothed over 2 mm: the end is where
    that share falls below a half and stays below a third for the next 4 mm.

    ``left`` and ``right`` are the long edges as (point, direction) with x = p + slope·y.
    """
    h, w = turned.shape[:2]
    g, wd = max(1, round(0.7 * ppm)), max(2, round(2.0 * ppm))
    y = np.arange(h)
    v0, v1 = max(0, round(box[1])), min(h, round(box[3]) + 1)
    out: dict[str, float | None] = {"top": None, "bottom": None}
    if v1 - v0 < 10:
        return out, None
    shares = []
    for (p, d), inward in ((left, 1), (right, -1)):
        x = p[0] + d[0] * (y - p[1]) / d[1]
        offs = np.arange(g, g + wd)
        cin = np.clip(np.round(x[:, None] + inward * offs), 0, w - 1).astype(int)
        cout = np.clip(np.round(x[:, None] - inward * offs), 0, w - 1).astype(int)
        # Beyond the frame there is no contrast to read: such rows say nothing.
        seen = (x - inward * (g + wd) >= 0) & (x - inward * (g + wd) <= w - 1)
        win, wout = valid[y[:, None], cin], valid[y[:, None], cout]
        best: np.ndarray | None = None
        best_q = 0.0
        for c in range(3):
            vin = (turned[y[:, None], cin, c] * win).sum(1) / np.maximum(win.sum(1), 1e-6)
            vout = (turned[y[:, None], cout, c] * wout).sum(1) / np.maximum(wout.sum(1), 1e-6)
            ok = (win.sum(1) >= 0.3 * wd) & (wout.sum(1) >= 0.3 * wd) & seen
            con = np.where(ok, vin - vout, np.nan)
            ref = con[v0:v1][~np.isnan(con[v0:v1])]
            if len(ref) < 0.3 * (v1 - v0):
                continue
            med = float(np.median(ref))
            noise = 1.4826 * float(np.median(np.abs(ref - med))) + 1e-6
            if abs(med) / noise > best_q:
                best_q, best = abs(med) / noise, con / med
        if best is not None and best_q >= 1.0:
            shares.append(best)
    if not shares:
        return out, None
    stack = np.vstack(shares)
    seen_rows = np.sum(~np.isnan(stack), axis=0)
    share = np.where(seen_rows > 0, np.nansum(stack, axis=0) / np.maximum(seen_rows, 1), np.nan)
    known = ~np.isnan(share)
    if known.sum() < 10:
        return out, None
    # Unknown rows (print on both sides of an edge) take their neighbours' share.
    share = np.interp(y, y[known], share[known])
    k = max(1, round(2.0 * ppm))
    share = np.convolve(np.pad(share, (k // 2, k - 1 - k // 2), mode="edge"), np.ones(k) / k, mode="valid")
    run = max(2, round(4.0 * ppm))
    for side, rows in (("top", range(v0, -1, -1)), ("bottom", range(v1 - 1, h))):
        out[side] = -math.inf if side == "top" else math.inf
        step = -1 if side == "top" else 1
        for r in rows:
            if share[r] < 0.5:
                beyond = share[r:r + step * run:step] if step > 0 else share[max(0, r - run + 1):r + 1]
                if float(np.mean(beyond < 0.33)) >= 0.8:
                    out[side] = float(r) - 0.5 * step
                    break
    return out, share


# --------------------------------------------------------------------------- a slip of no paper size: out to its edges

# How far beyond a found outline a slip's own edge is looked for: an outline found from the
# paper's colour can stop at any green bar of a green-bar slip (a bar, a white band, a bar again:
# 38 mm short on a 100 mm slip), or at its strip of tractor holes.
_SHEET_GROW_MM = 60.0
_LID_AWAY_MM = 25.0  # the lid's colour is taken this far from the outline


def _off_lid(prof3: np.ndarray, lid: np.ndarray, lighter_sheet: bool) -> np.ndarray:
    """Lab distance of a (n × 3) profile from the lid's colour; for a sheet lighter than the lid,
    samples darker than the lid (a lid-gap shadow) count as lid."""
    dist = np.linalg.norm(prof3 - lid, axis=1)
    return np.where(prof3[:, 0] < lid[0] - 3, 0.0, dist) if lighter_sheet else dist


def grow_to_sheet(small_bgr: np.ndarray, quad: np.ndarray, ppm: float) -> tuple[np.ndarray, float, float] | None:
    """``quad`` with each side moved out to the sheet's own edge on a lid (re-fitted), the Lab
    distance of the sheet's paper tone from the lid's, and the share of the sheet in that tone;
    ``None`` when a side shows no edge of a sheet within reach (slip, issue #13).

    A slip of no paper size lies on a grey lid: a dot-matrix slip torn off green-bar paper, its
    tractor-feed strips punched with holes. The outline found from its colour against the lid
    stops where a green bar or a grey strip of holes is nearer the lid's tone than the white
    paper — but those are the sheet's, not the lid's. The lid's colour is taken well away from
    the outline; along each side (its middle 80 %) the Lab colour is averaged outward up to
    :data:`_SHEET_GROW_MM`, and the sheet ends where the first 3 mm of lid begin (within half
    the sheet's own distance from the lid's colour). The edge is then placed where the distance
    from the lid's colour *there* falls half-way from the sheet's last band, in five stretches
    along the side with a line fitted through them (the outline may be turned a little from the
    sheet). A side whose band runs on to the frame or the reach's end, that starts barely off
    the lid, or whose stretches are no straight line has no edge here: None. Coordinates are
    ``small_bgr``'s pixels.
    """
    h, w = small_bgr.shape[:2]
    q = order_quad(np.asarray(quad, np.float64))
    reach = max(4, round(_SHEET_GROW_MM * ppm))
    away = max(4, round(_LID_AWAY_MM * ppm))
    inside = np.zeros((h, w), np.uint8)
    cv2.fillConvexPoly(inside, np.round(q).astype(np.int32), 1)
    # (The lid's colour from every 4th pixel each way: a median needs no more, and the wide
    # dilation costs a sixteenth.)
    far = cv2.dilate(inside[::4, ::4], np.ones((2 * (away // 4) + 1,) * 2, np.uint8)) == 0
    if int(np.count_nonzero(far)) < 0.05 * far.size:
        return None  # too little lid left to know its colour
    lid = np.median(cv2.cvtColor(np.ascontiguousarray(small_bgr[::4, ::4]), cv2.COLOR_BGR2LAB)[far],
                    axis=0).astype(np.float32)
    lab8 = cv2.cvtColor(cv2.medianBlur(small_bgr, 3), cv2.COLOR_BGR2LAB)
    lab = lab8.astype(np.float32)
    ctr = q.mean(axis=0)
    t = np.linspace(0.1, 0.9, 40)
    back = max(2, round(2 * ppm))  # just inside the side: the sheet's own band there
    offs = np.arange(-back, reach + 1, dtype=np.float64)
    lines: list[tuple[np.ndarray, np.ndarray]] = []
    for i in range(4):
        p0, p1 = q[i], q[(i + 1) % 4]
        d = p1 - p0
        ln = float(np.hypot(*d))
        if ln < 8:
            return None
        n = np.array([d[1], -d[0]]) / ln
        if float(np.dot(ctr - p0, n)) > 0:
            n = -n  # outward
        pts = (p0 + t[:, None] * d)[None] + offs[:, None, None] * n
        # A slip pushed near the glass's side: the reach ends at the frame (one pixel in).
        # (A sheet turned with one corner on the frame: its sides' samples near that corner
        # leave the frame first; the profile is what the others see, while most are in.)
        inframe = (pts[..., 0] >= 1) & (pts[..., 1] >= 1) & (pts[..., 0] <= w - 2) & (pts[..., 1] <= h - 2)
        enough = inframe.mean(axis=1) >= 0.7
        stop = int(np.argmin(enough)) if not enough.all() else len(offs)
        if stop < back + round(1.5 * ppm) + 2:
            return None  # no room beyond the side for lid to show: no edge of its own here
        vals = cv2.remap(lab, pts[:stop, :, 0].astype(np.float32), pts[:stop, :, 1].astype(np.float32),
                         cv2.INTER_LINEAR)
        if inframe[:stop].all():
            prof3 = np.median(vals, axis=1)
        else:
            # The median of the samples within the frame (NaN sorts last; np.nanmedian is ~50×
            # slower on these small arrays).
            vals[~inframe[:stop]] = np.nan
            srt = np.sort(vals, axis=1)
            cnt = inframe[:stop].sum(axis=1)
            rows = np.arange(stop)
            prof3 = (srt[rows, (cnt - 1) // 2] + srt[rows, cnt // 2]) / 2
        # Where the sheet ends: the first stretch of 3 mm (less only where the frame comes
        # sooner) that is lid — within half the sheet's own distance from the lid's colour. The
        # lid's colour *there* then measures the edge (lamp fall-off shades a lid across the
        # glass), and must be near the lid's colour elsewhere — else it is no lid.
        lighter_sheet = float(np.median(prof3[:back, 0])) > lid[0]
        prof_g = _off_lid(prof3, lid, lighter_sheet)
        level_g = float(np.median(prof_g[:back]))
        run = max(2, round(3 * ppm))
        is_lid = prof_g[back:] <= max(4.0, level_g / 2)
        ok = np.convolve(is_lid.astype(np.int32), np.ones(run, np.int32), "valid") == run \
            if len(is_lid) >= run else np.zeros(0, bool)
        if ok.any():
            r = int(np.argmax(ok))
        else:
            # A slip pushed into the glass's corner shows only a millimetre or two of lid before
            # the frame: that strip, when it runs to the frame, is the lid.
            r = int(np.nonzero(~is_lid)[0].max()) + 1 if (~is_lid).any() else 0
            run = len(is_lid) - r
            if stop == len(offs) or run < max(2, round(ppm)):
                return None  # the band runs on to the frame or the reach's end: no edge of its own
        here = np.median(prof3[back + r:back + r + run], axis=0)
        if float(np.linalg.norm(here - lid)) > 12:
            return None
        # A sheet lighter than the lid: off the lid means lighter or tinted, and a lid-gap
        # shadow beyond its edge (darker than the lid) is lid, not sheet. (A sheet darker than
        # the lid keeps the shadow's width: under a millimetre.)
        lighter_sheet = float(np.median(prof3[:back, 0])) > here[0]
        prof = _off_lid(prof3, here, lighter_sheet)
        level = float(np.median(prof[:back]))
        # Off the lid: a third of the way to the sheet's level, and clear of the lid's own
        # mottle and shading over the stretch of lid found.
        thr = max(4.0, level / 3, float(np.percentile(prof[back + r:back + r + run], 90)) + 2.5)
        if level < 2 * thr:
            return None  # the sheet just inside is barely off the lid: no edge to follow
        off = prof[back:back + r + 1] > thr
        last = int(np.nonzero(off)[0].max()) if off.any() else -1
        # The edge itself: where the profile crosses half-way between the sheet's band just
        # inside its last stretch and the lid (a lid-gap shadow's foot lies beyond that) — in
        # five stretches along the side, a line through them (the outline found may be turned
        # a little from the sheet: the side is re-fitted, not only moved).
        j0 = back + last
        band = float(np.median(prof[max(0, j0 - round(1.5 * ppm)):j0 + 1])) if last >= 0 else level
        mid = band / 2
        win = max(2, round(3 * ppm))
        along, across = [], []
        for g in np.array_split(np.arange(len(t)), 5):
            if not inframe[:stop, g].all():
                continue  # a stretch running off the frame: the others fit the line
            pg = _off_lid(np.median(vals[:, g], axis=1), here, lighter_sheet)
            lo, hi = max(0, j0 - win), min(len(pg) - 1, j0 + win)
            seg = pg[lo:hi + 1] > mid
            if not seg.any() or seg[-1]:
                continue
            j = lo + int(np.nonzero(seg)[0].max())
            frac = float(np.clip((pg[j] - mid) / max(1e-6, pg[j] - pg[j + 1]), 0.0, 1.0))
            along.append(float(t[g].mean()))
            across.append(float(offs[j]) + frac)
        if len(along) < 3:
            return None
        slope, icept = np.polyfit(along, across, 1)
        if float(np.abs(np.asarray(across) - (slope * np.asarray(along) + icept)).max()) > max(2.0, ppm):
            return None  # not one straight edge along the side
        a0, a1 = p0 + icept * n, p0 + d + (icept + slope) * n
        lines.append((a0, a1 - a0))
    corners = _intersect(lines)  # corner i = side i-1 ∩ side i, as the quad's own
    if corners is None:
        return None
    grown = order_quad(corners)
    # The sheet's own paper: the tone of its lightest quarter (print, pictures and bars are
    # darker), how far it is from the lid's, and how much of the sheet is that tone.
    core = cv2.erode(inside, np.ones((5, 5), np.uint8))[::3, ::3] > 0
    px = lab8[::3, ::3][core].astype(np.float32)
    if len(px) < 50:
        return None
    light = px[px[:, 0] >= np.percentile(px[:, 0], 75)]
    tone = np.median(light, axis=0)
    share = float(np.mean(np.linalg.norm(px - tone, axis=1) <= 8))
    return grown, float(np.linalg.norm(tone - lid)), share

"""Third generated set: scenes for tuning page finding (issue #13, outline of the sheet or card).

``gen1`` (``counter_dev/testpages.py``) and ``gen2`` (``gen2.py``) are kept for reporting; the
page-finding stage is tuned here, on scenes written from scratch with choices neither makes:

* drawing with OpenCV only (Hershey faces, ``cv2`` primitives), not Pillow: documents are drawn
  at twice the needed resolution and placed by one homography whose corners are the truth;
* procedural backgrounds: wood grain (sine of a noise-bent coordinate), woven cloth (two thread
  systems, plaid colours), granite (multi-scale noise and specks), a cluttered desk (pens, coins,
  a phone, a keyboard, sticky notes — some lying across the page), a beige desk close to paper,
  white, light-grey and black scanner lids;
* objects: CCCD cards (ID-1 85.6 × 54 mm, corner radius 3.18 mm) front (pastel gradient,
  guilloche, photo, emblem, QR) and back (chip, fingerprints, MRZ lines), alone or front + back on
  one glass (truth: convex hull of both — a counter copies them as one component); A5 and A6
  slips, 80 mm receipts, tinted carbon copies; A4 pages on a larger glass, fed pages with dark
  bars, pages that fill the frame;
* capture: phone perspective, glare, a soft shadow, slight curl, vignetting, lid-gap shadow
  along an edge, sensor noise, JPEG q55–92; pages running off the photo (truth clipped);
* camera page finding (``_cam_scene``): a light desk under a ×0.7–1.3 light ramp, other sheets
  lying under the page's sides, open two-page spreads (truth: the whole spread), close-ups whose
  page runs off three sides.

Truth has the shape of ``real_truth.json``. Skew and orientation are not scored here (their
tuning set is ``gen3_text.py``). ``python -m bench.scan_eval.gen3`` scores the current
pipeline's outlines per scene; ``--look DIR`` writes one picture per scene with the truth drawn.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[2]

CARD_MM = (85.6, 53.98)
CARD_RADIUS_MM = 3.18
SIZES_MM = {"A4": (210.0, 297.0), "A5": (148.0, 210.0), "A6": (105.0, 148.0)}
FONTS = (cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_DUPLEX, cv2.FONT_HERSHEY_COMPLEX,
         cv2.FONT_HERSHEY_TRIPLEX, cv2.FONT_HERSHEY_PLAIN)


@dataclass
class Gen3Page:
    """One generated frame and its truth (same fields as the real set's truth)."""

    image: np.ndarray  # BGR uint8
    dpi: int | None  # what a reader of the file would see (None: a phone photo)
    truth: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- noise helpers


def _smooth_noise(rng: np.random.Generator, h: int, w: int, cells: int) -> np.ndarray:
    """Value noise in [-1, 1]: a ``cells``-wide random grid upscaled bicubically."""
    gh, gw = max(2, round(cells * h / max(h, w))), max(2, round(cells * w / max(h, w)))
    g = rng.uniform(-1, 1, (gh, gw)).astype(np.float32)
    return np.clip(cv2.resize(g, (w, h), interpolation=cv2.INTER_CUBIC), -1.5, 1.5)


def _fractal(rng: np.random.Generator, h: int, w: int, octaves: int = 4, base: int = 4) -> np.ndarray:
    """Sum of value-noise octaves, roughly in [-1, 1]."""
    out = np.zeros((h, w), np.float32)
    amp, total = 1.0, 0.0
    for o in range(octaves):
        out += amp * _smooth_noise(rng, h, w, base * 2 ** o)
        total += amp
        amp *= 0.5
    return out / total


def _colourise(v: np.ndarray, c0: tuple[float, float, float], c1: tuple[float, float, float]) -> np.ndarray:
    """Blend two BGR colours by ``v`` in [0, 1]."""
    v = np.clip(v, 0, 1)[..., None]
    return (np.array(c0, np.float32) * (1 - v) + np.array(c1, np.float32) * v)


# --------------------------------------------------------------------------- backgrounds


def bg_lid(rng: np.random.Generator, h: int, w: int, tone: str) -> np.ndarray:
    """A scanner lid: white, light grey or black (lid open), lit unevenly, with sensor grain."""
    levels = {"white": rng.uniform(232, 250), "grey": rng.uniform(188, 218), "dark": rng.uniform(14, 42)}
    # (The later tones draw their level after the first three: earlier scenes stay as they were.)
    level = levels[tone] if tone in levels else rng.uniform(*{"light": (218, 232), "open": (8, 30)}[tone])
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    ramp = rng.uniform(-6, 6) * xx / w + rng.uniform(-6, 6) * yy / h
    if tone == "open":
        # Lid open: the room seen through the glass, dark, with a ceiling light's soft glow.
        cx, cy, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(0.3, 0.8) * max(h, w)
        ramp = ramp + rng.uniform(15, 45) * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * r * r))
    tint = rng.uniform(-3, 3, 3)
    img = level + ramp[..., None] + tint + rng.normal(0, 1.2, (h, w, 1))
    return np.clip(img, 0, 255).astype(np.float32)


def bg_wood(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """Wood: rings of a sine along a coordinate bent by low-frequency noise, two browns."""
    ang = rng.uniform(0, math.pi)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    u = xx * math.cos(ang) + yy * math.sin(ang)
    bend = _smooth_noise(rng, h, w, 3) * rng.uniform(20, 60) + _smooth_noise(rng, h, w, 12) * 4
    period = rng.uniform(9, 30)
    grain = 0.5 + 0.5 * np.sin(2 * math.pi * (u + bend) / period)
    grain = grain ** rng.uniform(1.5, 4)
    fine = _smooth_noise(rng, h, w, 200) * 0.15
    dark = rng.uniform(0.45, 1.0)  # light pine … walnut
    c0 = (60 * dark + 30, 110 * dark + 40, 170 * dark + 50)
    c1 = (c * 0.62 for c in c0)
    base = _colourise(grain + fine, c0, tuple(c1))
    # planks: darker seams every so often across the grain
    v = xx * -math.sin(ang) + yy * math.cos(ang)
    seam = (np.abs(((v / rng.uniform(120, 300)) % 1.0) - 0.5) > 0.495).astype(np.float32)
    return base * (1 - 0.45 * seam[..., None])


def bg_cloth(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """Woven cloth: over/under threads of two systems and a plaid of coloured stripes."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    p = rng.uniform(3, 7)
    warp = 0.5 + 0.5 * np.sin(2 * math.pi * xx / p)
    weft = 0.5 + 0.5 * np.sin(2 * math.pi * yy / p)
    over = ((np.floor(xx / p) + np.floor(yy / p)) % 2).astype(np.float32)
    thread = over * warp + (1 - over) * weft
    hue_a = rng.uniform(0, 180)
    hue_b = (hue_a + rng.uniform(40, 140)) % 180
    band = rng.uniform(25, 80)
    sx = (np.floor(xx / band) % 2).astype(np.float32)
    sy = (np.floor(yy / (band * rng.uniform(0.7, 1.4))) % 2).astype(np.float32)
    mix = 0.5 * (sx + sy)
    hsv = np.zeros((h, w, 3), np.float32)
    hsv[..., 0] = hue_a * (1 - mix) + hue_b * mix
    hsv[..., 1] = rng.uniform(60, 200)
    hsv[..., 2] = rng.uniform(110, 230) * (0.75 + 0.25 * thread) * (0.85 + 0.15 * mix)
    bgr = cv2.cvtColor(np.clip(hsv, 0, 255).astype(np.uint8), cv2.COLOR_HSV2BGR).astype(np.float32)
    return bgr


def bg_granite(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """Granite or terrazzo: fractal mottling and specks of several tones."""
    base_tone = rng.uniform(90, 200)
    tint = rng.uniform(-15, 15, 3)
    img = base_tone + tint + 30 * _fractal(rng, h, w, 5, 6)[..., None]
    for tone, dens in ((rng.uniform(10, 60), 0.02), (rng.uniform(200, 250), 0.015), (rng.uniform(120, 180), 0.02)):
        specks = (rng.random((h, w)) < dens).astype(np.uint8)
        specks = cv2.dilate(specks, np.ones((2, 2), np.uint8))
        img[specks > 0] = tone + tint
    return cv2.GaussianBlur(img.astype(np.float32), (3, 3), 0.7)


def bg_desk(rng: np.random.Generator, h: int, w: int, tone: str) -> np.ndarray:
    """A plain desk: beige close to paper (``light``), mid grey-blue laminate or near-black."""
    level = {"light": rng.uniform(185, 215), "mid": rng.uniform(110, 160), "dark": rng.uniform(25, 60)}[tone]
    tint = {"light": (-18, -5, 8), "mid": (12, 2, -8), "dark": (2, 2, 2)}[tone]
    img = level + np.array(tint, np.float32) + 10 * _fractal(rng, h, w, 3, 3)[..., None]
    return img + rng.normal(0, 2.0, (h, w, 1)).astype(np.float32)


def _rotated_rect(img: np.ndarray, centre: tuple[float, float], size: tuple[float, float], angle: float,
                  colour: Any) -> None:
    box = cv2.boxPoints(((centre[0], centre[1]), size, angle))
    cv2.fillConvexPoly(img, np.round(box * 4).astype(np.int32), colour, cv2.LINE_AA, shift=2)


def clutter_objects(rng: np.random.Generator, img: np.ndarray, n: int, scale: float) -> None:
    """Desk objects drawn into ``img`` (float32 BGR): pens, coins, a phone, a keyboard, sticky notes."""
    h, w = img.shape[:2]
    for _ in range(n):
        kind = rng.choice(["pen", "pen", "coin", "phone", "keys", "note", "clip"])
        cx, cy = float(rng.uniform(0, w)), float(rng.uniform(0, h))
        ang = float(rng.uniform(0, 180))
        if kind == "pen":
            col = [(30, 30, 160), (150, 60, 20), (20, 20, 20), (40, 140, 40), (200, 200, 210)][rng.integers(5)]
            _rotated_rect(img, (cx, cy), (140 * scale, 9 * scale), ang, col)
        elif kind == "coin":
            r = int(12 * scale)
            cv2.circle(img, (int(cx), int(cy)), r, (90, 150, 185), -1, cv2.LINE_AA)
            cv2.circle(img, (int(cx), int(cy)), int(r * 0.8), (70, 120, 160), 1, cv2.LINE_AA)
        elif kind == "phone":
            _rotated_rect(img, (cx, cy), (75 * scale, 150 * scale), ang, (18, 18, 22))
            _rotated_rect(img, (cx, cy), (68 * scale, 138 * scale), ang, (60, 45, 35))
        elif kind == "keys":
            _rotated_rect(img, (cx, cy), (300 * scale, 110 * scale), ang, (45, 45, 48))
        elif kind == "note":
            col = [(120, 240, 250), (200, 170, 250), (170, 240, 170), (250, 220, 150)][rng.integers(4)]
            _rotated_rect(img, (cx, cy), (75 * scale, 75 * scale), ang, col)
        else:
            _rotated_rect(img, (cx, cy), (32 * scale, 8 * scale), ang, (170, 170, 175))


def background(rng: np.random.Generator, name: str, h: int, w: int) -> np.ndarray:
    """Any named background, float32 BGR."""
    if name.startswith("lid_"):
        return bg_lid(rng, h, w, name[4:])
    if name == "wood":
        return bg_wood(rng, h, w)
    if name == "cloth":
        return bg_cloth(rng, h, w)
    if name == "granite":
        return bg_granite(rng, h, w)
    if name.startswith("desk_"):
        return bg_desk(rng, h, w, name[5:])
    if name == "clutter":
        img = bg_desk(rng, h, w, str(rng.choice(["mid", "light", "dark"])))
        clutter_objects(rng, img, int(rng.integers(5, 11)), min(h, w) / 900)
        return img
    raise ValueError(name)


# --------------------------------------------------------------------------- documents


def _words(rng: np.random.Generator, n: int) -> str:
    letters = "abcdeghiklmnopqrstuvxy"
    return " ".join("".join(rng.choice(list(letters), int(rng.integers(1, 8)))) for _ in range(n))


def _paper_canvas(rng: np.random.Generator, w: int, h: int, tint: str = "white") -> np.ndarray:
    if tint == "white":
        col = np.array([rng.uniform(236, 252)] * 3) + rng.uniform(-4, 3, 3)
    else:  # carbon copies and coloured slips
        col = {"pink": (225, 215, 250), "yellow": (200, 245, 250), "blue": (250, 230, 215),
               "green": (215, 245, 220)}[tint] + rng.uniform(-5, 5, 3)
    img = np.empty((h, w, 3), np.float32)
    img[:] = col
    img += 2.5 * _fractal(rng, h, w, 3, 8)[..., None]
    return img


def _text_lines(rng: np.random.Generator, img: np.ndarray, x0: int, y0: int, x1: int, y1: int, px: float,
                colour: Any = (35, 30, 30)) -> None:
    font = FONTS[int(rng.integers(len(FONTS)))]
    scale = px / 22.0
    thick = max(1, round(px / 14))
    y = y0 + px
    while y < y1:
        n = int(rng.integers(4, 14))
        s = _words(rng, n)
        (tw, _), _ = cv2.getTextSize(s, font, scale, thick)
        while tw > x1 - x0 and len(s) > 4:
            s = s[: int(len(s) * 0.8)]
            (tw, _), _ = cv2.getTextSize(s, font, scale, thick)
        cv2.putText(img, s, (x0, int(y)), font, scale, colour, thick, cv2.LINE_AA)
        y += px * rng.uniform(1.5, 2.2)
        if rng.random() < 0.1:
            y += px * 1.5


def _seal(rng: np.random.Generator, img: np.ndarray, cx: int, cy: int, r: int) -> None:
    red = (40, 40, 215)
    cv2.circle(img, (cx, cy), r, red, max(2, r // 14), cv2.LINE_AA)
    cv2.circle(img, (cx, cy), int(r * 0.72), red, max(1, r // 25), cv2.LINE_AA)
    pts = np.array([(cx + r * 0.35 * math.cos(a), cy + r * 0.35 * math.sin(a))
                    for a in np.linspace(-math.pi / 2, 1.5 * math.pi, 11)[:10]])
    star = pts[[0, 4, 8, 2, 6]] if len(pts) >= 10 else pts
    cv2.fillPoly(img, [np.round(star).astype(np.int32)], red, cv2.LINE_AA)


def doc_page(rng: np.random.Generator, size_mm: tuple[float, float], ppm: float, kind: str = "form",
             tint: str = "white") -> np.ndarray:
    """A page or slip at ``ppm`` pixels per mm: headline, text blocks, maybe a table, a seal."""
    w, h = round(size_mm[0] * ppm), round(size_mm[1] * ppm)
    img = np.clip(_paper_canvas(rng, w, h, tint), 0, 255).astype(np.uint8)  # cv2.putText wants 8 bits
    m = round(rng.uniform(8, 22) * ppm)
    px = rng.uniform(2.2, 3.6) * ppm
    if kind == "receipt":
        m = round(4 * ppm)
        px = 2.4 * ppm
    y = m + px * 2
    cv2.putText(img, _words(rng, 3).upper(), (int(w * rng.uniform(0.2, 0.35)), int(y)), FONTS[1],
                px * 1.3 / 22, (20, 20, 20), max(1, round(px / 9)), cv2.LINE_AA)
    y += px * 3
    if kind == "table":
        cols = int(rng.integers(3, 6))
        rows = int(rng.integers(6, 16))
        th = (h - y - 2 * m) / rows
        for i in range(rows + 1):
            cv2.line(img, (m, int(y + i * th)), (w - m, int(y + i * th)), (40, 40, 40), max(1, round(ppm / 5)))
        for j in range(cols + 1):
            x = int(m + j * (w - 2 * m) / cols)
            cv2.line(img, (x, int(y)), (x, int(y + rows * th)), (40, 40, 40), max(1, round(ppm / 5)))
        for i in range(rows):
            for j in range(cols):
                cx = int(m + j * (w - 2 * m) / cols + ppm * 2)
                cv2.putText(img, _words(rng, 1), (cx, int(y + i * th + th * 0.7)), FONTS[0], px / 24,
                            (30, 30, 30), 1, cv2.LINE_AA)
    elif kind == "sparse":
        _text_lines(rng, img, m, int(y), w - m, int(y + (h - y) * 0.25), px)
    else:
        _text_lines(rng, img, m, int(y), w - m, h - m - int(px * 6), px)
    if kind != "receipt" and rng.random() < 0.5:
        _seal(rng, img, int(w * rng.uniform(0.55, 0.8)), int(h - m - px * 4), int(px * 4))
    if kind == "receipt":
        # a QR code and a barcode near the bottom, as on e-receipts
        q = round(18 * ppm)
        cell = max(1, q // 25)
        bits = rng.random((25, 25)) < 0.5
        qr = np.where(np.kron(bits, np.ones((cell, cell))) > 0, 20, 245).astype(np.uint8)
        qy, qx = h - m - qr.shape[0], (w - qr.shape[1]) // 2
        if qy > y:
            img[qy:qy + qr.shape[0], qx:qx + qr.shape[1]] = qr[..., None]
    return img.astype(np.float32)


def _rounded_mask(w: int, h: int, r: float) -> np.ndarray:
    """Anti-aliased alpha of a rounded rectangle (1 inside)."""
    s = 4
    m = np.zeros((h * s, w * s), np.uint8)
    rr = int(r * s)
    cv2.rectangle(m, (rr, 0), (w * s - rr - 1, h * s - 1), 255, -1)
    cv2.rectangle(m, (0, rr), (w * s - 1, h * s - rr - 1), 255, -1)
    for cx, cy in ((rr, rr), (w * s - rr - 1, rr), (rr, h * s - rr - 1), (w * s - rr - 1, h * s - rr - 1)):
        cv2.circle(m, (cx, cy), rr, 255, -1)
    return cv2.resize(m, (w, h), interpolation=cv2.INTER_AREA).astype(np.float32) / 255


def _qr_block(rng: np.random.Generator, img: np.ndarray, ppm: float, size_mm: float, n: int,
              margin_mm: float, levels: tuple[int, int]) -> None:
    """A random ``n``×``n`` QR-like block ``size_mm`` wide in the card's top-right corner."""
    bits = rng.random((n, n)) < 0.5
    cell = max(1, int(size_mm * ppm) // n)
    code = np.where(np.kron(bits, np.ones((cell, cell))) > 0, *levels).astype(np.uint8)
    qx, qy = img.shape[1] - int(margin_mm * ppm) - code.shape[1], int(margin_mm * ppm)
    img[qy:qy + code.shape[0], qx:qx + code.shape[1]] = code[..., None]


def doc_card(rng: np.random.Generator, ppm: float, back: bool) -> tuple[np.ndarray, np.ndarray]:
    """A CCCD-like card and its alpha (rounded corners): front or back."""
    w, h = round(CARD_MM[0] * ppm), round(CARD_MM[1] * ppm)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    if back:
        c0 = np.array([rng.uniform(225, 245), rng.uniform(225, 240), rng.uniform(215, 235)])
        c1 = c0 + rng.uniform(-20, 5, 3)
    else:
        c0 = np.array([rng.uniform(220, 250), rng.uniform(225, 250), rng.uniform(200, 240)])
        c1 = np.array([rng.uniform(200, 240), rng.uniform(215, 245), rng.uniform(225, 250)])
    t = (xx / w * 0.7 + yy / h * 0.3)[..., None]
    img = np.clip(c0 * (1 - t) + c1 * t + 2 * _fractal(rng, h, w, 2, 6)[..., None], 0, 255).astype(np.uint8)
    # guilloche: families of sine curves in a pale ink
    ink = c0 - rng.uniform(25, 60, 3)
    for k in range(int(rng.integers(10, 24))):
        amp = rng.uniform(0.05, 0.2) * h
        per = rng.uniform(0.2, 0.6) * w
        ph = rng.uniform(0, 2 * math.pi)
        y0 = h * k / 20
        xs = np.arange(0, w, 2, dtype=np.float32)
        ys = y0 + amp * np.sin(2 * math.pi * xs / per + ph)
        pts = np.stack([xs, ys], 1).astype(np.int32)
        cv2.polylines(img, [pts], False, tuple(float(v) for v in ink), 1, cv2.LINE_AA)
    px = 2.0 * ppm
    if not back:
        cv2.circle(img, (int(8 * ppm), int(8 * ppm)), int(5.5 * ppm), (30, 30, 200), -1, cv2.LINE_AA)
        cv2.circle(img, (int(8 * ppm), int(8 * ppm)), int(2.5 * ppm), (40, 210, 240), -1, cv2.LINE_AA)
        cv2.putText(img, "CAN CUOC CONG DAN", (int(22 * ppm), int(9 * ppm)), FONTS[1], px * 1.1 / 22,
                    (40, 40, 160), max(1, round(px / 8)), cv2.LINE_AA)
        x0, y0, x1, y1 = int(4 * ppm), int(17 * ppm), int(24 * ppm), int(47 * ppm)
        img[y0:y1, x0:x1] = (rng.uniform(150, 210), rng.uniform(150, 190), rng.uniform(140, 180))
        cv2.ellipse(img, ((x0 + x1) // 2, int(y0 + 11 * ppm)), (int(6 * ppm), int(8 * ppm)), 0, 0, 360,
                    (90, 100, 120), -1, cv2.LINE_AA)
        cv2.ellipse(img, ((x0 + x1) // 2, y1), (int(10 * ppm), int(9 * ppm)), 0, 180, 360, (60, 60, 70), -1,
                    cv2.LINE_AA)
        _text_lines(rng, img, int(28 * ppm), int(15 * ppm), int(70 * ppm), int(50 * ppm), px, (25, 25, 40))
        _qr_block(rng, img, ppm, 14, 21, 4, (25, 240))
    else:
        cv2.rectangle(img, (int(6 * ppm), int(6 * ppm)), (int(17 * ppm), int(15 * ppm)), (80, 170, 210), -1,
                      cv2.LINE_AA)
        for fx in (60, 75):
            cv2.ellipse(img, (int(fx * ppm), int(14 * ppm)), (int(5 * ppm), int(7 * ppm)), 0, 0, 360,
                        (120, 120, 130), 1, cv2.LINE_AA)
        _text_lines(rng, img, int(6 * ppm), int(18 * ppm), int(50 * ppm), int(33 * ppm), px * 0.9)
        mrz_font = cv2.FONT_HERSHEY_PLAIN
        for i in range(3):
            s = "IDVNM" + "".join(rng.choice(list("0123456789<"), 25)) if i == 0 else \
                "".join(rng.choice(list("ABCDEFGHKLMNOPQRSTUVXY<<<<"), 30))
            cv2.putText(img, s, (int(4 * ppm), int((39 + 5.5 * i) * ppm)), mrz_font, px * 1.2 / 13,
                        (20, 20, 20), max(1, round(px / 7)), cv2.LINE_AA)
    return img.astype(np.float32), _rounded_mask(w, h, CARD_RADIUS_MM * ppm)


# --------------------------------------------------------------------------- placing and capture


def _corners(w: int, h: int) -> np.ndarray:
    return np.array([[-0.5, -0.5], [w - 0.5, -0.5], [w - 0.5, h - 0.5], [-0.5, h - 0.5]], np.float64)


def _apply(hm: np.ndarray, pts: np.ndarray) -> np.ndarray:
    p = np.column_stack([pts, np.ones(len(pts))]) @ hm.T
    return p[:, :2] / p[:, 2:3]


def _curl(rng: np.random.Generator, doc: np.ndarray, alpha: np.ndarray, amount: float
          ) -> tuple[np.ndarray, np.ndarray]:
    """Bow the sheet slightly (edges bend by ≤ ``amount`` of its height; corners stay put)."""
    h, w = alpha.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    bow = amount * h * np.sin(math.pi * xx / max(1, w - 1)) * ((yy / max(1, h - 1)) ** 3 - 0.2 * (1 - yy / h) ** 3)
    mx, my = xx, yy - bow.astype(np.float32)
    doc2 = cv2.remap(doc, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    a2 = cv2.remap(alpha, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    return doc2, a2


def place(frame: np.ndarray, doc: np.ndarray, alpha: np.ndarray | None, hm: np.ndarray,
          shadow: float = 0.0) -> np.ndarray:
    """Composite ``doc`` onto ``frame`` (float32) by homography ``hm``; return the doc's corners there.

    ``shadow`` darkens a soft band just outside the sheet (a raised edge on a desk or under a lid).
    """
    fh, fw = frame.shape[:2]
    dh, dw = doc.shape[:2]
    a = np.ones((dh, dw), np.float32) if alpha is None else alpha
    # Supersample: warp at 2× and reduce, so edges are anti-aliased as a sensor would see them.
    s = 2.0
    hs = np.diag([s, s, 1.0]) @ hm
    hs[:2, 2] += (s - 1) / 2
    big = (fw * 2, fh * 2)
    warped = cv2.warpPerspective(doc, hs, big, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    wa = cv2.warpPerspective(a, hs, big, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    warped = cv2.resize(warped, (fw, fh), interpolation=cv2.INTER_AREA)
    wa = cv2.resize(wa, (fw, fh), interpolation=cv2.INTER_AREA)[..., None]
    if shadow > 0:
        k = max(3, int(0.012 * min(fh, fw)) | 1)
        sh = cv2.GaussianBlur(wa[..., 0], (0, 0), k / 2)[..., None]
        dx, dy = int(k * 0.4), int(k * 0.5)
        sh = np.roll(np.roll(sh, dy, 0), dx, 1)
        frame *= 1 - shadow * np.clip(sh - wa, 0, 1)
    frame[:] = frame * (1 - wa) + warped * wa
    return _apply(hm, _corners(dw, dh))


def _similarity(angle_deg: float, scale: float, cx: float, cy: float, dw: int, dh: int) -> np.ndarray:
    """Doc pixel → frame: scale, rotate by ``angle_deg`` (CCW on screen), centre at (cx, cy)."""
    a = math.radians(-angle_deg)
    c, s = math.cos(a) * scale, math.sin(a) * scale
    m = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1.0]])
    t = np.array([[1, 0, -(dw - 1) / 2], [0, 1, -(dh - 1) / 2], [0, 0, 1.0]])
    return np.array([[1, 0, cx], [0, 1, cy], [0, 0, 1.0]]) @ m @ t


def _perspective(rng: np.random.Generator, dw: int, dh: int, fw: int, fh: int, fill: float,
                 off_frame: bool = False) -> np.ndarray:
    """A phone's view of a sheet: a random convex quad covering ~``fill`` of the frame."""
    asp = dw / dh
    for attempt in range(400):
        area = fill * fw * fh * 0.99 ** attempt  # a long receipt turned 90° may not fit: shrink it
        qh = math.sqrt(area / asp)
        qw = qh * asp
        cx = fw / 2 + rng.uniform(-0.15, 0.15) * fw
        cy = fh / 2 + rng.uniform(-0.15, 0.15) * fh
        if off_frame:
            side = int(rng.integers(4))
            shift = rng.uniform(0.08, 0.2)
            cx += (shift * fw + qw * 0.5) * ((side == 0) - (side == 1)) * 0.6
            cy += (shift * fh + qh * 0.5) * ((side == 2) - (side == 3)) * 0.6
        ang = rng.uniform(-25, 25) if rng.random() < 0.7 else rng.uniform(-90, 90)
        base = _apply(_similarity(ang, 1.0, cx, cy, 2, 2), np.array([[-qw / 2 + 0.5, -qh / 2 + 0.5],
                                                                      [qw / 2 + 0.5, -qh / 2 + 0.5],
                                                                      [qw / 2 + 0.5, qh / 2 + 0.5],
                                                                      [-qw / 2 + 0.5, qh / 2 + 0.5]]))
        # keystone: one side shrinks towards its centre (the phone is tilted over the sheet)
        k = rng.uniform(0.0, 0.18)
        side = int(rng.integers(4))
        p, q = base[side].copy(), base[(side + 1) % 4].copy()
        mid = (p + q) / 2
        base[side] = p + (mid - p) * k
        base[(side + 1) % 4] = q + (mid - q) * k
        base += rng.normal(0, 0.01 * min(fw, fh), base.shape)
        inside = ((base[:, 0] > 2) & (base[:, 0] < fw - 3) & (base[:, 1] > 2) & (base[:, 1] < fh - 3))
        if (off_frame and not inside.all() and _clip_area(base, fw, fh) > 0.5 * cv2.contourArea(
                base.astype(np.float32))) or (not off_frame and inside.all()):
            return cv2.getPerspectiveTransform(_corners(dw, dh).astype(np.float32), base.astype(np.float32))
    raise RuntimeError("no placement")


def _clip_area(quad: np.ndarray, fw: int, fh: int) -> float:
    inter, _ = cv2.intersectConvexConvex(quad.astype(np.float32), _corners(fw, fh).astype(np.float32))
    return float(inter)


def clip_to_frame(poly: np.ndarray, fw: int, fh: int) -> list[list[float]]:
    """The part of a convex polygon inside the frame (−0.5 … size − 0.5)."""
    hull = cv2.convexHull(poly.astype(np.float32)).reshape(-1, 2)
    _, inter = cv2.intersectConvexConvex(hull, _corners(fw, fh).astype(np.float32))
    pts = inter.reshape(-1, 2) if inter is not None else hull
    return [[round(float(x), 3), round(float(y), 3)] for x, y in pts]


def _glare(rng: np.random.Generator, img: np.ndarray) -> None:
    h, w = img.shape[:2]
    cx, cy = rng.uniform(0.2, 0.8) * w, rng.uniform(0.2, 0.8) * h
    sx, sy = rng.uniform(0.04, 0.15) * w, rng.uniform(0.03, 0.1) * h
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    g = np.exp(-(((xx - cx) / sx) ** 2 + ((yy - cy) / sy) ** 2) / 2)
    img += rng.uniform(40, 110) * g[..., None]


def _soft_shadow(rng: np.random.Generator, img: np.ndarray) -> None:
    """A hand's or a phone's shadow: a blurred half-plane darkening one part of the scene."""
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    a = rng.uniform(0, 2 * math.pi)
    d = (xx - w / 2) * math.cos(a) + (yy - h / 2) * math.sin(a) - rng.uniform(0.1, 0.4) * min(h, w)
    m = 1 / (1 + np.exp(-d / (0.05 * min(h, w))))
    img *= (1 - rng.uniform(0.2, 0.45) * m)[..., None]


def _vignette(img: np.ndarray, strength: float) -> None:
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    r2 = ((xx - w / 2) / (w / 2)) ** 2 + ((yy - h / 2) / (h / 2)) ** 2
    img *= (1 - strength * r2 / 2)[..., None]


def _finish(rng: np.random.Generator, img: np.ndarray, noise: float, q: int, blur: float = 0.0) -> np.ndarray:
    if blur > 0:
        img = cv2.GaussianBlur(img, (0, 0), blur)
    img = img + rng.normal(0, noise, img.shape).astype(np.float32)
    out = np.clip(img, 0, 255).astype(np.uint8)
    _, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(q)])
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)


def _truth(name: str, cls: str, fw: int, fh: int, poly: np.ndarray, *, full_frame: bool = False,
           text: bool = True, true_dpi: float = 0.0, notes: str = "") -> dict[str, Any]:
    return {"name": name, "kind": name.split("#")[0], "class": cls, "size": [fw, fh],
            "quad": clip_to_frame(poly, fw, fh), "rotation": 0, "skew_deg": None, "skew_scored": False,
            "has_text_lines": False, "orientation_scored": False, "text": text, "blank": False,
            "near_blank": False, "red_seal": False, "two_page": False, "full_frame": full_frame,
            "true_dpi": true_dpi, "notes": notes}


# --------------------------------------------------------------------------- scenes

SCENES = ("card_front_white", "card_back_grey", "card_pair", "card_dark_lid", "card_pair_grey",
          "a5_grey_lid", "a6_white_lid", "receipt_grey_lid", "carbon_slip_white",
          "a4_glass", "a4_feeder_bars", "a4_full_frame",
          "photo_wood", "photo_cloth", "photo_granite", "photo_clutter", "photo_off_frame",
          "photo_beige_desk", "photo_card_desk", "photo_receipt_dark",
          "a5_light_grey_lid", "receipt_long_white", "a6_glass_corner", "card_pair_skewed", "card_open_lid",
          "photo_light_ramp", "photo_sheets_clutter", "photo_spread", "photo_off_three",  # these 4: cam
          "receipt_card_corner")  # rcpt


# Card scenes of session 7 (issue #13, 2026-12-07): reached by name only (``generate_page(...,
# scene=...)``), so the cycle of SCENES above and every seed that depends on it stay as they were.
CARD_SCENES = ("card_back_pale_lid", "card_pair_touching", "card_upside_down")


def doc_card_back_pale(rng: np.random.Generator, ppm: float, level: float) -> tuple[np.ndarray, np.ndarray]:
    """A pale CCCD back at ``level`` grey: grey guilloche, two fingerprint boxes, a red seal, MRZ lines.

    Its own layout, drawn for the card scenes of session 7: the title and the issuing text upper
    left, the seal under them, two boxed fingerprints on the right, three MRZ lines along the
    bottom (the first starting ``IDVNM``) — upright as a reader holds it.
    """
    w, h = round(CARD_MM[0] * ppm), round(CARD_MM[1] * ppm)
    img = np.empty((h, w, 3), np.float32)
    img[:] = level + rng.uniform(-3, 3, 3)
    img += 1.5 * _fractal(rng, h, w, 2, 5)[..., None]
    img = np.clip(img, 0, 255).astype(np.uint8)
    grey = tuple(float(level - rng.uniform(12, 30)) for _ in range(3))
    for k in range(int(rng.integers(6, 14))):  # fine rosettes: the guilloche
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        r0 = rng.uniform(0.1, 0.35) * h
        ts = np.linspace(0, 2 * math.pi, 400)
        lobes = int(rng.integers(5, 12))
        rr = r0 * (1 + 0.25 * np.sin(lobes * ts + k))
        pts = np.stack([cx + rr * np.cos(ts), cy + rr * np.sin(ts)], 1).astype(np.int32)
        cv2.polylines(img, [pts], True, grey, 1, cv2.LINE_AA)
    px = 1.8 * ppm
    ink = (45, 40, 40)
    _text_lines(rng, img, int(4 * ppm), int(4 * ppm), int(48 * ppm), int(22 * ppm), px * 0.8, ink)
    _seal(rng, img, int(rng.uniform(18, 30) * ppm), int(27 * ppm), int(5.5 * ppm))
    for fx in (53.0, 69.0):  # fingerprint boxes with a swirl inside
        x0, y0, x1, y1 = int(fx * ppm), int(5 * ppm), int((fx + 13) * ppm), int(24 * ppm)
        cv2.rectangle(img, (x0, y0), (x1, y1), (90, 90, 95), max(1, round(ppm / 6)), cv2.LINE_AA)
        for r in range(2, 12, 2):
            cv2.ellipse(img, ((x0 + x1) // 2, (y0 + y1) // 2), (int(r * ppm * 0.45), int(r * ppm * 0.65)), 15, 0,
                        330, (120, 120, 125), 1, cv2.LINE_AA)
    for i in range(3):
        # TD1: three lines of 30 characters.
        s = ("IDVNM" + "".join(rng.choice(list("0123456789"), 20)) + "<<" + "".join(rng.choice(list("0123456789"), 3))
             if i == 0 else "".join(rng.choice(list("0123456789ABCDEFGHKLMNPQRSTUVXY"), 20)) + "<<<<<<<<<<")
        cv2.putText(img, s, (int(4 * ppm), int((41 + 5 * i) * ppm)), cv2.FONT_HERSHEY_DUPLEX, px * 1.05 / 22,
                    (25, 25, 25), max(1, round(px / 8)), cv2.LINE_AA)
    return img.astype(np.float32), _rounded_mask(w, h, CARD_RADIUS_MM * ppm)


def _turned(doc: np.ndarray, alpha: np.ndarray, quarter: int) -> tuple[np.ndarray, np.ndarray]:
    """The card turned ``quarter`` × 90° clockwise on the glass."""
    return np.ascontiguousarray(np.rot90(doc, -quarter)), np.ascontiguousarray(np.rot90(alpha, -quarter))


def _card_scene(rng: np.random.Generator, dpi: int, lbl: str, name: str, ppm2: float,
                glass: tuple[float, float]) -> Gen3Page:
    """One of :data:`CARD_SCENES`: pale backs on light lids, touching pairs, upside-down cards.

    Truth ``rotation`` is the clockwise turn that makes the card upright again (scored).
    """
    ppm = dpi / 25.4
    fw, fh = round(glass[0] * ppm), round(glass[1] * ppm)
    quarter = int(rng.integers(4)) if name != "card_upside_down" else 2
    lid = "white" if rng.random() < 0.5 else "light"
    frame = bg_lid(rng, fh, fw, lid)
    lid_level = float(np.median(frame[fh // 2 - 5:fh // 2 + 5, :20]))
    if name == "card_back_pale_lid":  # the card a few grey levels off the lid, either way
        cards = [doc_card_back_pale(rng, ppm2, lid_level + rng.uniform(-12, 6))]
    elif name == "card_pair_touching":
        cards = [doc_card(rng, ppm2, back=False), doc_card_back_pale(rng, ppm2, lid_level + rng.uniform(-12, 6))]
    else:
        cards = [doc_card(rng, ppm2, back=False) if rng.random() < 0.5 else
                 doc_card_back_pale(rng, ppm2, lid_level + rng.uniform(-25, -5))]
        if rng.random() < 0.4:
            cards.append(doc_card_back_pale(rng, ppm2, lid_level + rng.uniform(-25, -5)))
    if len(cards) == 2:
        # Side by side, touching or 0–2 mm apart, one drawing: the pair is turned as one.
        (d0, a0), (d1, a1) = cards if rng.random() < 0.5 else cards[::-1]  # either on the left
        gap = 0 if rng.random() < 0.4 else round(rng.uniform(0.3, 2.0) * ppm2)
        dy = round(rng.uniform(-1.0, 1.0) * ppm2)
        h0, w0 = a0.shape
        cw, ch = 2 * w0 + gap, h0 + abs(dy)
        doc = np.zeros((ch, cw, 3), np.float32)
        alpha = np.zeros((ch, cw), np.float32)
        for (d, a), x, y in (((d0, a0), 0, max(0, -dy)), ((d1, a1), w0 + gap, max(0, dy))):
            doc[y:y + h0, x:x + w0] = d
            alpha[y:y + h0, x:x + w0] = a
        corners = [np.array([[0, y], [w0, y], [w0, y + h0], [0, y + h0]], np.float64) for y in (max(0, -dy),)]
        corners.append(np.array([[w0 + gap, max(0, dy)], [cw, max(0, dy)], [cw, max(0, dy) + h0],
                                 [w0 + gap, max(0, dy) + h0]], np.float64))
        pts_doc = np.concatenate(corners) - 0.5
    else:
        doc, alpha = cards[0]
        pts_doc = _corners(alpha.shape[1], alpha.shape[0])
    dh, dw = alpha.shape
    doc, alpha = _turned(doc, alpha, quarter)
    # The same points after the quarter turn (clockwise): (x, y) → (dh − 1 − y, x) per quarter.
    for _ in range(quarter):
        pts_doc = np.column_stack([dh - 1 - pts_doc[:, 1], pts_doc[:, 0]])
        dh, dw = dw, dh
    ang = rng.uniform(-5, 5)
    ca, sa = abs(math.cos(math.radians(ang))), abs(math.sin(math.radians(ang)))
    bw, bh = (dw * ca + dh * sa) * 0.25, (dw * sa + dh * ca) * 0.25
    cx = min(rng.uniform(3, 60) * ppm + bw, fw - bw - 5)
    cy = min(rng.uniform(3, 60) * ppm + bh, fh - bh - 5)
    hm = _similarity(ang, 0.5, cx, cy, dw, dh)
    place(frame, doc, alpha, hm, rng.uniform(0.0, 0.25) if rng.random() < 0.6 else 0.0)
    poly = _apply(hm, pts_doc)
    if len(poly) > 4:
        poly = cv2.boxPoints(cv2.minAreaRect(poly.astype(np.float32))).astype(np.float64)
    img = _finish(rng, frame, rng.uniform(1.0, 2.5), int(rng.integers(75, 93)), rng.uniform(0.3, 0.7))
    truth = _truth(lbl, "card", fw, fh, poly, true_dpi=dpi)
    truth.update(rotation=(360 - 90 * quarter) % 360, orientation_scored=True)
    return Gen3Page(img, dpi, truth)


# Card scenes of session 8 (issue #13): reached by name only, like CARD_SCENES.
CARD8_SCENES = ("card_pair_apart", "card_back_alone", "card_portrait")


def _card_rim(doc: np.ndarray, alpha: np.ndarray, rng: np.random.Generator) -> None:
    """Darken a card's outermost ~0.3 mm a little: the cut edge of a laminated card scans as a thin line."""
    a8 = (alpha > 0.5).astype(np.uint8)
    t = max(1, round(0.004 * min(alpha.shape)))
    inner = cv2.erode(a8, np.ones((2 * t + 1, 2 * t + 1), np.uint8))
    edge = (a8 > 0) & (inner == 0)
    doc[edge] -= rng.uniform(8, 35)


def doc_card_layout(rng: np.random.Generator, ppm: float, back: bool) -> tuple[np.ndarray, np.ndarray]:
    """A CCCD side drawn with its layout varied (session 8): what a layout cue may and may not lean on.

    Front: the emblem top-left or top-right, the photo on the left (high or centred), the QR code
    top-right or absent, the title in red, lines of text right of the photo. Back: three
    machine-readable lines along the bottom, 40–95 % of the card wide, a chip top-right or not,
    two fingerprint boxes on the right or top-right, issuing text upper left. Upright as read.
    """
    w, h = round(CARD_MM[0] * ppm), round(CARD_MM[1] * ppm)
    img = np.empty((h, w, 3), np.float32)
    base = np.array([rng.uniform(215, 248), rng.uniform(220, 248), rng.uniform(215, 248)])
    img[:] = base
    img += 2.0 * _fractal(rng, h, w, 2, 6)[..., None]
    img = np.clip(img, 0, 255).astype(np.uint8)
    line_ink = tuple(float(v) for v in base - rng.uniform(20, 45, 3))
    for _ in range(int(rng.integers(6, 16))):  # wavy security lines across the card
        y0, amp, per = rng.uniform(0, h), rng.uniform(0.02, 0.12) * h, rng.uniform(0.3, 0.9) * w
        xs = np.arange(0, w, 2, dtype=np.float32)
        ys = y0 + amp * np.sin(2 * math.pi * xs / per + rng.uniform(0, 6.3))
        cv2.polylines(img, [np.stack([xs, ys], 1).astype(np.int32)], False, line_ink, 1, cv2.LINE_AA)
    px = rng.uniform(1.6, 2.2) * ppm
    if not back:
        emblem_left = rng.random() < 0.6
        ex = int((7 if emblem_left else CARD_MM[0] - 7) * ppm)
        cv2.circle(img, (ex, int(7 * ppm)), int(5 * ppm), (35, 35, 205), -1, cv2.LINE_AA)
        cv2.circle(img, (ex, int(7 * ppm)), int(2.2 * ppm), (40, 205, 235), -1, cv2.LINE_AA)
        qr = rng.random() < 0.5 and emblem_left
        tx0 = int(15 * ppm) if emblem_left else int(5 * ppm)
        cv2.putText(img, "CAN CUOC CONG DAN", (tx0 + int(6 * ppm), int(10 * ppm)), FONTS[0], px * 1.05 / 22,
                    (45, 45, 175), max(1, round(px / 8)), cv2.LINE_AA)
        top = rng.uniform(13, 20)
        x0, y0, x1, y1 = int(3.5 * ppm), int(top * ppm), int(25 * ppm), int((top + 28) * ppm)
        img[y0:y1, x0:x1] = (rng.uniform(140, 205), rng.uniform(140, 200), rng.uniform(140, 200))
        cv2.ellipse(img, ((x0 + x1) // 2, int(y0 + 10 * ppm)), (int(5.5 * ppm), int(7 * ppm)), 0, 0, 360,
                    (85, 95, 115), -1, cv2.LINE_AA)
        cv2.ellipse(img, ((x0 + x1) // 2, y1), (int(9 * ppm), int(9 * ppm)), 0, 180, 360, (55, 55, 70), -1,
                    cv2.LINE_AA)
        _text_lines(rng, img, int(28 * ppm), int(17 * ppm), int((62 if qr else 80) * ppm), int(50 * ppm), px,
                    (30, 30, 45))
        if qr:
            _qr_block(rng, img, ppm, 15, 25, 3.5, (20, 245))
    else:
        if rng.random() < 0.6:
            cx0 = int(rng.uniform(62, 70) * ppm)
            cv2.rectangle(img, (cx0, int(5 * ppm)), (cx0 + int(11 * ppm), int(14 * ppm)), (70, 165, 215), -1,
                          cv2.LINE_AA)
            fy = 17.0
        else:
            fy = 5.0
        for fx in (50.0, 66.0):
            cv2.rectangle(img, (int(fx * ppm), int(fy * ppm)), (int((fx + 13) * ppm), int((fy + 14) * ppm)),
                          (100, 100, 105), 1, cv2.LINE_AA)
        span = rng.uniform(0.4, 0.95) * (CARD_MM[0] - 8) * ppm
        # The issuing text upper left: its lines shorter than the MRZ (on a CCCD those are the longest).
        _text_lines(rng, img, int(5 * ppm), int(4 * ppm), int(min(45 * ppm, 5 * ppm + 0.8 * span)), int(28 * ppm),
                    px * 0.85)
        font = cv2.FONT_HERSHEY_PLAIN if rng.random() < 0.5 else cv2.FONT_HERSHEY_DUPLEX
        for i in range(3):
            digits = "".join(rng.choice(list("0123456789"), 23))
            s = ("IDVNM" + digits[:20] + "<<" + digits[20:] if i == 0
                 else "".join(rng.choice(list("0123456789ABCDEFGHKLMNPQRSTUVXY"), 20)) + "<" * 10)
            (tw, th), _ = cv2.getTextSize(s, font, 1.0, 1)
            scale = span / tw
            cv2.putText(img, s, (int(4 * ppm), int((39.5 + 5 * i) * ppm)), font, scale, (25, 25, 25),
                        max(1, round(th * scale / 9)), cv2.LINE_AA)
    return img.astype(np.float32), _rounded_mask(w, h, CARD_RADIUS_MM * ppm)


def _card8_scene(rng: np.random.Generator, dpi: int, lbl: str, name: str, ppm2: float,
                 glass: tuple[float, float]) -> Gen3Page:
    """One of :data:`CARD8_SCENES` (session 8): cards placed one by one, each with its own tilt.

    * ``card_pair_apart``: a front and a back (pale or printed) lying side by side or one above
      the other, 0.5–12 mm apart, each turned its own way by up to 4°, on any lid; the truth is
      the one rectangle holding both (a pair on one glass is one document).
    * ``card_back_alone``: a pale back alone, 14 levels darker to 14 lighter than a white or
      light lid, its cut edge a thin line or not, a lid-gap shadow or not, any quarter turn.
    * ``card_portrait``: one card (:func:`doc_card_layout`'s front or back, or a pale back) turned a
      quarter either way,
      tilted by up to 5°; truth ``rotation`` 90 or 270 (scored).
    """
    ppm = dpi / 25.4
    fw, fh = round(glass[0] * ppm), round(glass[1] * ppm)
    if name == "card_pair_apart":
        lid = str(rng.choice(["white", "light", "grey", "dark"]))
    elif name == "card_back_alone":
        lid = str(rng.choice(["white", "light"]))
    else:
        lid = str(rng.choice(["white", "light", "grey", "dark"]))
    frame = bg_lid(rng, fh, fw, lid)
    lid_level = float(np.median(frame[fh // 2 - 5:fh // 2 + 5, :20]))
    pale_level = min(252.0, lid_level + rng.uniform(-14, 14)) if lid in ("white", "light") else rng.uniform(228, 248)
    rotation = 0
    if name == "card_pair_apart":
        front = doc_card(rng, ppm2, back=False)
        back = doc_card_back_pale(rng, ppm2, pale_level) if rng.random() < 0.7 else doc_card(rng, ppm2, back=True)
        items = [front, back] if rng.random() < 0.5 else [back, front]
        stacked = rng.random() < 0.3
        quarter = 0
    elif name == "card_back_alone":
        items = [doc_card_back_pale(rng, ppm2, pale_level)]
        quarter = int(rng.integers(4))
        stacked = False
    else:
        kind = int(rng.integers(3))
        items = [doc_card_layout(rng, ppm2, back=kind == 1) if kind < 2 else doc_card_back_pale(rng, ppm2, pale_level)]
        quarter = 1 if rng.random() < 0.5 else 3
        stacked = False
    rim = rng.random() < 0.6
    shadow = rng.uniform(0.05, 0.3) if lid != "dark" and rng.random() < 0.6 else 0.0
    scale = 0.5
    x = rng.uniform(4, 50) * ppm
    y = rng.uniform(4, 60) * ppm
    pts = []
    for doc, alpha in items:
        doc = doc.copy()
        if rim:
            _card_rim(doc, alpha, rng)
        doc, alpha = _turned(doc, alpha, quarter)
        dh, dw = alpha.shape
        ang = rng.uniform(-4, 4) if name == "card_pair_apart" else rng.uniform(-5, 5)
        ca, sa = abs(math.cos(math.radians(ang))), abs(math.sin(math.radians(ang)))
        bw, bh = (dw * ca + dh * sa) * scale / 2, (dw * sa + dh * ca) * scale / 2
        cx, cy = min(x + bw, fw - bw - 5), min(y + bh, fh - bh - 5)
        hm = _similarity(ang, scale, cx, cy, dw, dh)
        pts.append(place(frame, doc, alpha, hm, shadow))
        gap = rng.uniform(0.5, 12) * ppm
        across = rng.uniform(-4, 4) * ppm
        if stacked:
            y, x = cy + bh + gap, x + across
        else:
            x, y = cx + bw + gap, y + across
    poly = np.concatenate(pts)
    if len(poly) > 4:
        poly = cv2.boxPoints(cv2.minAreaRect(poly.astype(np.float32))).astype(np.float64)
    img = _finish(rng, frame, rng.uniform(1.0, 2.5), int(rng.integers(75, 93)), rng.uniform(0.3, 0.7))
    truth = _truth(lbl, "card", fw, fh, poly, true_dpi=dpi)
    rotation = (360 - 90 * quarter) % 360
    truth.update(rotation=rotation, orientation_scored=True)
    return Gen3Page(img, dpi, truth)


def _glass_scene(rng: np.random.Generator, dpi: int, name: str, cls: str, lid: str,
                 items: list[tuple[np.ndarray, np.ndarray | None]], glass_mm: tuple[float, float],
                 at_corner: bool = False, spread_deg: float = 0.0) -> Gen3Page:
    """Objects on a flatbed glass under a lid, near the glass's origin corner as people place them.

    ``at_corner``: pushed into the glass's corner (0–1.5 mm from both edges, nearly square to them);
    ``spread_deg``: each object turned independently by up to this much (two cards not aligned).
    """
    ppm = dpi / 25.4
    fw, fh = round(glass_mm[0] * ppm), round(glass_mm[1] * ppm)
    frame = background(rng, f"lid_{lid}", fh, fw)
    pts = []
    x = (rng.uniform(0, 1.5) if at_corner else rng.uniform(2, 25)) * ppm
    y = (rng.uniform(0, 1.5) if at_corner else rng.uniform(2, 25)) * ppm
    vertical = len(items) > 1 and (rng.random() < 0.5 or spread_deg > 0)  # turned apart: one above the other
    for doc, alpha in items:
        dh, dw = doc.shape[:2]
        scale = 0.5  # documents are drawn at 2 × the scan resolution
        ang = rng.uniform(-4, 4) if rng.random() < 0.7 or len(items) > 1 else rng.uniform(-15, 15)
        if at_corner:
            ang = rng.uniform(-0.6, 0.6)
        elif spread_deg:
            ang = rng.uniform(-spread_deg, spread_deg)
        cx, cy = x + dw * scale / 2, y + dh * scale / 2
        cx = min(cx, fw - dw * scale / 2 - 5)
        cy = min(cy, fh - dh * scale / 2 - 5)
        if at_corner or spread_deg:  # half the rotated bounding box from the corner: wholly on the glass
            ca, sa = abs(math.cos(math.radians(ang))), abs(math.sin(math.radians(ang)))
            bw, bh = (dw * ca + dh * sa) * scale / 2, (dw * sa + dh * ca) * scale / 2
            cx, cy = min(x + bw, fw - bw - 5), min(y + bh, fh - bh - 5)
        hm = _similarity(ang, scale, cx, cy, dw, dh)
        shadow = rng.uniform(0.1, 0.4) if lid not in ("dark", "open") else 0.0  # the lid's gap casts it
        pts.append(place(frame, doc, alpha, hm, shadow))
        gap = rng.uniform(8, 25) * ppm + (0.3 * dw * scale if spread_deg else 0.0)
        if vertical:
            y = cy + dh * scale / 2 + gap
        else:
            x = cx + dw * scale / 2 + gap
    poly = np.concatenate(pts)
    img = _finish(rng, frame, rng.uniform(1.0, 3.0), int(rng.integers(75, 93)), rng.uniform(0.3, 0.7))
    return Gen3Page(img, dpi, _truth(name, cls, fw, fh, poly, true_dpi=dpi))


def _lid_scene(rng: np.random.Generator, dpi: int, lbl: str, name: str, ppm2: float,
               glass: tuple[float, float]) -> Gen3Page:
    """Cards and slips on the glass that the first scenes leave out (issue #13, 2026-12-07)."""
    if name == "a5_light_grey_lid":  # a light-grey lid, a few levels under the paper
        size = SIZES_MM["A5"] if rng.random() < 0.5 else SIZES_MM["A5"][::-1]
        doc = doc_page(rng, size, ppm2, str(rng.choice(["form", "sparse", "table"])))
        return _glass_scene(rng, dpi, lbl, "slip", "light", [(doc, None)], glass)
    if name == "receipt_long_white":  # a long till roll (57 or 80 mm) on a white lid
        width = 57.0 if rng.random() < 0.5 else 80.0
        doc = doc_page(rng, (width, rng.uniform(200, 280)), ppm2, "receipt")
        return _glass_scene(rng, dpi, lbl, "slip", "white", [(doc, None)], (216.0, 356.0))
    if name == "a6_glass_corner":  # pushed into the glass's corner: two sides on the frame's edges
        size = SIZES_MM["A6"] if rng.random() < 0.5 else SIZES_MM["A6"][::-1]
        doc = doc_page(rng, size, ppm2, str(rng.choice(["form", "sparse", "table"])))
        return _glass_scene(rng, dpi, lbl, "slip", str(rng.choice(["white", "grey", "light"])), [(doc, None)],
                            glass, at_corner=True)
    if name == "card_pair_skewed":  # front and back, each turned its own way, a card's width apart
        cards = [doc_card(rng, ppm2, back=False), doc_card(rng, ppm2, back=True)]
        return _glass_scene(rng, dpi, lbl, "card", str(rng.choice(["white", "grey"])), cards, glass, spread_deg=9.0)
    # card_open_lid: the lid left open, the room dark behind the glass
    return _glass_scene(rng, dpi, lbl, "card", "open", [doc_card(rng, ppm2, back=bool(rng.random() < 0.5))], glass,
                        spread_deg=15.0)


def _receipt_card_corner(rng: np.random.Generator, dpi: int, lbl: str, ppm2: float) -> Gen3Page:
    """A till receipt pushed into a corner of the glass on a grey card, the dark lid beyond the card.

    The card (textured grey board, lighter than the lid, darker than the receipt) stops a few mm
    short of one or two frame sides, so the frame's ring holds three levels: the lid's dark bar,
    the card, and the receipt, which touches two frame edges and may run off a third.
    """
    ppm = dpi / 25.4
    fw, fh = round(216 * ppm), round(297 * ppm)
    frame = bg_lid(rng, fh, fw, "dark")
    # The card: its own level and a fibrous texture; the bar where it stops short of the glass.
    bar_l = rng.uniform(3, 40) * ppm
    bar_b = rng.uniform(0, 15) * ppm if rng.random() < 0.6 else 0.0
    bar_t = rng.uniform(1, 5) * ppm if rng.random() < 0.3 else 0.0
    level = rng.uniform(150, 185)
    card = level + 10 * _fractal(rng, fh, fw, 4, 16)[..., None] + rng.normal(0, 3, (fh, fw, 1))
    card = card + np.array([rng.uniform(-6, 0), rng.uniform(-3, 2), rng.uniform(0, 5)], np.float32)  # brownish
    x0, y0, y1 = int(bar_l), int(bar_t), fh - int(bar_b)
    frame[y0:y1, x0:] = card[y0:y1, x0:]
    # The receipt: a till roll's width, long enough to run off the bottom now and then.
    width = 57.0 if rng.random() < 0.4 else 80.0
    length = rng.uniform(90, 330)
    doc = doc_page(rng, (width, length), ppm2, "receipt")
    dh, dw = doc.shape[:2]
    ang = rng.uniform(-0.6, 0.6)
    ca, sa = abs(math.cos(math.radians(ang))), abs(math.sin(math.radians(ang)))
    bw, bh = (dw * ca + dh * sa) * 0.25, (dw * sa + dh * ca) * 0.25
    cx = fw - bw + rng.uniform(0, 2.5) * ppm  # against (a little past) the right edge
    cy = bh - rng.uniform(0, 2.5) * ppm  # and the top edge
    poly = place(frame, doc, None, _similarity(ang, 0.5, cx, cy, dw, dh), 0.0)
    img = _finish(rng, frame, rng.uniform(1.0, 3.0), int(rng.integers(75, 93)), rng.uniform(0.3, 0.7))
    # Any corner of the glass: flip the frame and the outline together.
    if rng.random() < 0.5:
        img, poly = img[:, ::-1], np.column_stack([fw - 1 - poly[:, 0], poly[:, 1]])
    if rng.random() < 0.3:
        img, poly = img[::-1], np.column_stack([poly[:, 0], fh - 1 - poly[:, 1]])
    return Gen3Page(np.ascontiguousarray(img), dpi, _truth(lbl, "slip", fw, fh, poly, true_dpi=dpi))


# slip (session 7): white sheets on white or light lids whose only trace is a faint step at the
# edge — no lid-gap shadow, or a soft one — and a page with wide margins on a white lid. Own
# tuple (not in ``SCENES``: the cycle other people's seeds index stays as it was); reached by
# ``generate_page(seed, i, dpi, scene=...)``.
SLIP_SCENES = ("slip_white_faint", "receipt_white_faint", "page_margins_white_lid")


def _white_on_white(rng: np.random.Generator, dpi: int, lbl: str, name: str, ppm2: float) -> Gen3Page:
    """A white slip, receipt or wide-margined page on a white / light-grey lid, as the held-out
    failures look: the paper a few levels lighter or darker than the lid (or the same), the lid
    a little bluer than the paper now and then, the cut edge a faint grey line or nothing, a
    lid-gap shadow absent or soft."""
    ppm = dpi / 25.4
    glass = (216.0, 297.0) if rng.random() < 0.6 else (216.0, 356.0)
    if name == "page_margins_white_lid":  # an A4 page needs a glass larger than itself
        glass = (216.0, 356.0) if rng.random() < 0.5 else (230.0, 320.0)
    fw, fh = round(glass[0] * ppm), round(glass[1] * ppm)
    lid = "white" if rng.random() < 0.6 else "light"
    frame = bg_lid(rng, fh, fw, lid)
    if rng.random() < 0.5:  # a bluish lid (real flatbeds' white lids often are)
        frame += np.array([rng.uniform(2, 6), rng.uniform(0, 2), rng.uniform(-4, -1)], np.float32)
    lid_level = float(np.median(frame[fh // 2, :, 1]))
    if name == "slip_white_faint":
        size = SIZES_MM["A5" if rng.random() < 0.5 else "A6"]
        if rng.random() < 0.5:
            size = (size[1], size[0])
        doc = doc_page(rng, size, ppm2, str(rng.choice(["form", "sparse", "table"])))
    elif name == "receipt_white_faint":
        doc = doc_page(rng, (57.0 if rng.random() < 0.4 else 80.0, rng.uniform(100, 280)), ppm2, "receipt")
    else:  # page_margins_white_lid: an A4 page, its print well inside wide margins
        mx, my = round(rng.uniform(25, 45) * ppm2), round(rng.uniform(25, 50) * ppm2)
        inner = doc_page(rng, (210 - 2 * mx / ppm2, 297 - 2 * my / ppm2), ppm2, str(rng.choice(["form", "table"])))
        ih, iw = inner.shape[:2]
        # The margins are the same sheet: the print block's own paper colour, its own mottle.
        doc = np.empty((round(297 * ppm2), round(210 * ppm2), 3), np.float32)
        doc[:] = np.percentile(inner[::4, ::4].reshape(-1, 3), 90, axis=0)
        doc += 2.5 * _fractal(rng, doc.shape[0], doc.shape[1], 3, 8)[..., None]
        doc[my:my + ih, mx:mx + iw] = inner
    # The paper's level against the lid's: the same, a little lighter or a little darker.
    paper = float(np.percentile(doc[::4, ::4, 1], 90))
    doc += lid_level + rng.uniform(-5, 6) - paper
    dh, dw = doc.shape[:2]
    ang = rng.uniform(-3, 3) if rng.random() < 0.8 else rng.uniform(-12, 12)
    ca, sa = abs(math.cos(math.radians(ang))), abs(math.sin(math.radians(ang)))
    bw, bh = (dw * ca + dh * sa) * 0.25, (dw * sa + dh * ca) * 0.25
    cx = min(fw - bw - 5, bw + rng.uniform(3, 30) * ppm)
    cy = min(fh - bh - 5, bh + rng.uniform(3, 30) * ppm)
    hm = _similarity(ang, 0.5, cx, cy, dw, dh)
    if rng.random() < 0.5:  # the cut edge: a thin grey line round the sheet
        alpha = np.ones((dh, dw), np.float32)
        edge = doc.copy()
        cv2.rectangle(edge, (0, 0), (dw - 1, dh - 1), (lid_level - rng.uniform(4, 14),) * 3, 2)
        doc = edge
    else:
        alpha = None
    shadow = 0.0 if rng.random() < 0.5 else rng.uniform(0.02, 0.08)
    poly = place(frame, doc, alpha, hm, shadow)
    img = _finish(rng, frame, rng.uniform(0.8, 2.0), int(rng.integers(80, 93)), rng.uniform(0.3, 0.6))
    if rng.random() < 0.5:
        img, poly = img[:, ::-1], np.column_stack([fw - 1 - poly[:, 0], poly[:, 1]])
    cls = "flatbed" if name == "page_margins_white_lid" else "slip"
    return Gen3Page(np.ascontiguousarray(img), dpi, _truth(lbl, cls, fw, fh, poly, true_dpi=dpi))


def generate_page(seed: int, index: int, dpi: int = 150, scene: str | None = None) -> Gen3Page:
    """Scene ``index`` of the cycle (or the named ``scene``), deterministic for (seed, index, dpi)."""
    name = scene or SCENES[index % len(SCENES)]
    rng = np.random.default_rng([seed, index, dpi, 3])
    ppm2 = 2 * dpi / 25.4  # documents drawn at 2× the scan resolution
    glass = (216.0, 297.0) if rng.random() < 0.5 else (216.0, 356.0)
    lbl = f"{name}#{index}"
    if name == "receipt_card_corner":
        return _receipt_card_corner(rng, dpi, lbl, ppm2)
    if name in SLIP_SCENES:
        return _white_on_white(rng, dpi, lbl, name, ppm2)
    if name in SLIP8_SCENES:
        return _slip8_scene(rng, dpi, lbl, name, ppm2)
    if name in SLIP9_SCENES:
        return _slip9_scene(rng, dpi, lbl, name)
    if name in SLIP10_SCENES:
        return _slip10_scene(rng, dpi, lbl)
    if name in LID11_SCENES:
        return _lid11_scene(rng, dpi, lbl, name, ppm2)
    if name in CARD_SCENES:
        return _card_scene(rng, dpi, lbl, name, ppm2, glass)
    if name in CARD8_SCENES:
        return _card8_scene(rng, dpi, lbl, name, ppm2, glass)
    if name in ("a5_light_grey_lid", "receipt_long_white", "a6_glass_corner", "card_pair_skewed", "card_open_lid"):
        return _lid_scene(rng, dpi, lbl, name, ppm2, glass)
    if name.startswith("card"):
        lid = {"card_front_white": "white", "card_back_grey": "grey", "card_pair": "white",
               "card_dark_lid": "dark", "card_pair_grey": "grey"}[name]
        cards = [doc_card(rng, ppm2, back=name == "card_back_grey" or bool(rng.random() < 0.3))]
        if "pair" in name:
            cards = [doc_card(rng, ppm2, back=False), doc_card(rng, ppm2, back=True)]
        page = _glass_scene(rng, dpi, lbl, "card", lid, cards, glass)
        return page
    if name in ("a5_grey_lid", "a6_white_lid", "receipt_grey_lid", "carbon_slip_white"):
        if name == "receipt_grey_lid":
            doc = doc_page(rng, (80.0, rng.uniform(120, 200)), ppm2, "receipt")
        elif name == "carbon_slip_white":
            doc = doc_page(rng, SIZES_MM["A5" if rng.random() < 0.5 else "A6"], ppm2, "form",
                           str(rng.choice(["pink", "yellow", "blue", "green"])))
        else:
            size = SIZES_MM["A5" if name.startswith("a5") else "A6"]
            if rng.random() < 0.5:
                size = (size[1], size[0])
            doc = doc_page(rng, size, ppm2, str(rng.choice(["form", "sparse", "table"])))
        lid = "grey" if "grey" in name else "white"
        return _glass_scene(rng, dpi, lbl, "slip", lid, [(doc, None)], glass)
    if name == "a4_glass":
        doc = doc_page(rng, SIZES_MM["A4"], ppm2, str(rng.choice(["form", "table", "sparse"])))
        return _glass_scene(rng, dpi, lbl, "flatbed", str(rng.choice(["white", "grey", "dark"])),
                            [(doc, None)], (222.0, 310.0) if rng.random() < 0.5 else (216.0, 356.0))
    if name in ("a4_feeder_bars", "a4_full_frame"):
        ppm = dpi / 25.4
        doc = doc_page(rng, SIZES_MM["A4"], ppm2, str(rng.choice(["form", "table", "sparse"])))
        dh, dw = doc.shape[:2]
        if name == "a4_full_frame":
            # the scan area is the page: a frame a little inside the sheet
            fw, fh = round(208 * ppm), round(294 * ppm)
            frame = np.zeros((fh, fw, 3), np.float32)
            hm = _similarity(rng.uniform(-0.8, 0.8), 0.5, fw / 2 + rng.uniform(-3, 3), fh / 2 + rng.uniform(-3, 3),
                             dw, dh)
            place(frame, doc, None, hm)
            img = _finish(rng, frame, 1.5, int(rng.integers(80, 93)), 0.5)
            return Gen3Page(img, dpi, _truth(lbl, "flatbed", fw, fh, _corners(fw, fh), full_frame=True,
                                             true_dpi=dpi))
        bar = rng.uniform(3, 9)
        fw, fh = round((210 + 2 * bar) * ppm), round(rng.uniform(290, 305) * ppm)
        frame = np.empty((fh, fw, 3), np.float32)
        frame[:] = rng.uniform(10, 45)
        frame += rng.normal(0, 2, (fh, fw, 1))
        hm = _similarity(rng.uniform(-1.5, 1.5), 0.5, fw / 2 + rng.uniform(-bar, bar) * ppm * 0.5,
                         fh / 2 + rng.uniform(-4, 4) * ppm, dw, dh)
        poly = place(frame, doc, None, hm)
        img = _finish(rng, frame, 1.5, int(rng.integers(80, 93)), 0.5)
        return Gen3Page(img, dpi, _truth(lbl, "flatbed", fw, fh, poly, full_frame=True, true_dpi=dpi))
    if name in _CAM_SCENES:
        return _cam_scene(rng, name, lbl)
    if name in CAM7_SCENES:
        return _cam7_scene(rng, name, lbl)
    if name in CAM8_SCENES:
        return _cam8_scene(rng, name, lbl)
    if name in CAM9_SCENES:
        return _cam9_scene(rng, name, lbl)
    if name in CAM10_SCENES:
        return _cam10_scene(rng, name, lbl)
    if name in CAM11_SCENES:
        return _cam11_scene(rng, name, lbl)
    # phone photos
    fw, fh = ((1600, 1200) if rng.random() < 0.5 else (1200, 1600)) if rng.random() < 0.8 else (2000, 1500)
    bgname = {"photo_wood": "wood", "photo_cloth": "cloth", "photo_granite": "granite",
              "photo_clutter": "clutter", "photo_off_frame": str(rng.choice(["wood", "desk_mid", "granite"])),
              "photo_beige_desk": "desk_light", "photo_card_desk": str(rng.choice(["wood", "desk_mid", "cloth"])),
              "photo_receipt_dark": "desk_dark"}[name]
    frame = background(rng, bgname, fh, fw)
    cls = "camera"
    ppm_doc = 1000 / 297 * 1.2
    if name == "photo_card_desk":
        doc, alpha = doc_card(rng, 12.0, back=bool(rng.random() < 0.5))
        fill, cls = rng.uniform(0.2, 0.5), "card"
    elif name == "photo_receipt_dark":
        doc, alpha = doc_page(rng, (80.0, rng.uniform(140, 220)), 8.0, "receipt"), None
        fill, cls = rng.uniform(0.15, 0.35), "slip"
    else:
        size = SIZES_MM["A4"] if rng.random() < 0.8 else SIZES_MM["A5"]
        doc, alpha = doc_page(rng, size, ppm_doc, str(rng.choice(["form", "table", "sparse"]))), None
        fill = rng.uniform(0.3, 0.65)
    if rng.random() < 0.5:
        amount = rng.uniform(0.002, 0.008)
        a0 = np.ones(doc.shape[:2], np.float32) if alpha is None else alpha
        doc, alpha = _curl(rng, doc, a0, amount)
    hm = _perspective(rng, doc.shape[1], doc.shape[0], fw, fh, fill, off_frame=name == "photo_off_frame")
    poly = place(frame, doc, alpha, hm, shadow=rng.uniform(0.1, 0.35))
    if rng.random() < 0.5:
        _soft_shadow(rng, frame)
    if rng.random() < 0.45:
        _glare(rng, frame)
    _vignette(frame, rng.uniform(0.05, 0.3))
    if name == "photo_clutter" and rng.random() < 0.5:
        # a pen lying across the page's edge
        c = poly.mean(axis=0)
        e = (poly[0] + poly[1]) / 2
        _rotated_rect(frame, (float(e[0] * 0.8 + c[0] * 0.2), float(e[1] * 0.8 + c[1] * 0.2)),
                      (0.15 * min(fw, fh), 0.008 * min(fw, fh)), float(rng.uniform(0, 180)), (140, 50, 20))
    img = _finish(rng, frame, rng.uniform(2, 5), int(rng.integers(55, 90)), rng.uniform(0.4, 1.0))
    return Gen3Page(img, None, _truth(lbl, cls, fw, fh, poly, full_frame=False))


_CAM_SCENES = ("photo_light_ramp", "photo_sheets_clutter", "photo_spread", "photo_off_three")


def _light_ramp(rng: np.random.Generator, img: np.ndarray) -> None:
    """Room light falling off across the photo: ×0.7 on one side up to ×1.3 on the other (clipped later).

    On a light desk the bright end of the ramp reaches paper white, so the desk there is as light
    as the page, and the ring's lightness changes by ~100 grey levels around the frame.
    """
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    a = rng.uniform(0, 2 * math.pi)
    t = ((xx - w / 2) * math.cos(a) + (yy - h / 2) * math.sin(a)) / (0.5 * math.hypot(w, h))
    img *= (1 + rng.uniform(0.2, 0.3) * t)[..., None]


def _other_sheet(rng: np.random.Generator, frame: np.ndarray, near: np.ndarray, ppm: float) -> None:
    """Another sheet (a form, a note, an envelope) lying on the desk so that it will touch the page."""
    size = (rng.uniform(90, 160), rng.uniform(60, 150))
    kind = str(rng.choice(["form", "sparse", "sparse"]))
    doc = doc_page(rng, size, ppm, kind, str(rng.choice(["white", "white", "yellow", "blue"])))
    side = int(rng.integers(4))
    p, q = near[side], near[(side + 1) % 4]
    t = rng.uniform(0.2, 0.8)
    c = near.mean(axis=0)
    e = p + t * (q - p)
    centre = e + (e - c) * rng.uniform(0.25, 0.6)  # its centre beyond the page's side: it runs under it
    hm = _similarity(float(rng.uniform(-40, 40)), 1.0, float(centre[0]), float(centre[1]),
                     doc.shape[1], doc.shape[0])
    place(frame, doc, None, hm, shadow=rng.uniform(0.05, 0.2))


def _cam_scene(rng: np.random.Generator, name: str, lbl: str) -> Gen3Page:
    """Phone photos for camera page finding: a light desk under a light ramp, other sheets touching the
    page, an open two-page spread (truth: the whole spread), a page running off three sides."""
    fw, fh = (1600, 1200) if rng.random() < 0.5 else (1200, 1600)
    ppm = 1000 / 297 * 1.2
    bgname = {"photo_light_ramp": "desk_light",
              "photo_sheets_clutter": str(rng.choice(["clutter", "desk_mid", "desk_light", "wood"])),
              "photo_spread": str(rng.choice(["wood", "desk_mid", "clutter", "desk_light", "granite"])),
              "photo_off_three": str(rng.choice(["wood", "desk_dark", "desk_mid", "clutter"]))}[name]
    frame = background(rng, bgname, fh, fw)
    size = SIZES_MM["A4"] if rng.random() < 0.7 else SIZES_MM["A5"]
    if name == "photo_spread":
        # Two facing pages of a booklet (A5 or A6 leaves): the fold darkens both pages towards
        # it, the leaves differ a little in tone, one may stand a little higher.
        leaf = SIZES_MM["A5" if rng.random() < 0.6 else "A6"]
        pages = [doc_page(rng, leaf, ppm, str(rng.choice(["form", "table", "sparse"]))) for _ in range(2)]
        lw = pages[0].shape[1]
        g = max(4, int(0.06 * lw))
        fold = np.linspace(1.0, rng.uniform(0.6, 0.8), g, dtype=np.float32)
        pages[0][:, -g:] *= fold[None, :, None]
        pages[1][:, :g] *= fold[::-1][None, :, None]
        pages[1] *= rng.uniform(0.95, 1.02)
        doc = np.hstack(pages)
        fill = rng.uniform(0.35, 0.65)
    else:
        doc = doc_page(rng, size, ppm, str(rng.choice(["form", "table", "sparse"])))
        fill = rng.uniform(0.3, 0.6)
    alpha = None
    if rng.random() < 0.5:
        doc, alpha = _curl(rng, doc, np.ones(doc.shape[:2], np.float32), rng.uniform(0.002, 0.006))
    dh, dw = doc.shape[:2]
    if name == "photo_off_three":
        # The page is closer than the frame: it runs off three sides and one of its edges (with
        # the book block or the desk beyond it) crosses the photo 8–30 % from the fourth side.
        side = int(rng.integers(4))  # the frame side the page does NOT reach
        gap = rng.uniform(0.08, 0.3)
        ang = rng.uniform(-4, 4)
        across = (fw if side in (0, 1) else fh) * (1 - gap)  # the page's visible extent across
        along = fh if side in (0, 1) else fw
        # Scale the page so that it covers the frame along, and ≥ the visible extent across.
        vertical_doc = side in (2, 3)  # the free side is top/bottom: the page's width spans fw
        scale = max(along * 1.15 / (dw if vertical_doc else dh), across * 1.2 / (dh if vertical_doc else dw))
        ext_w, ext_h = dw * scale, dh * scale
        if side == 0:    # free on the left: the page's left edge at x = gap·fw
            cx, cy = gap * fw + ext_w / 2, fh / 2 + rng.uniform(-0.1, 0.1) * fh
        elif side == 1:  # free on the right
            cx, cy = fw * (1 - gap) - ext_w / 2, fh / 2 + rng.uniform(-0.1, 0.1) * fh
        elif side == 2:  # free at the top
            cx, cy = fw / 2 + rng.uniform(-0.1, 0.1) * fw, gap * fh + ext_h / 2
        else:            # free at the bottom
            cx, cy = fw / 2 + rng.uniform(-0.1, 0.1) * fw, fh * (1 - gap) - ext_h / 2
        hm = _similarity(ang, scale, cx, cy, dw, dh)
        # A little perspective: the near edge is larger (the phone leans over the page).
        corners = _apply(hm, _corners(dw, dh)) + rng.normal(0, 0.01 * min(fw, fh), (4, 2))
        hm = cv2.getPerspectiveTransform(_corners(dw, dh).astype(np.float32), corners.astype(np.float32))
    else:
        hm = _perspective(rng, dw, dh, fw, fh, fill)
    corners = _apply(hm, _corners(dw, dh))
    if name == "photo_sheets_clutter":
        for _ in range(int(rng.integers(1, 3))):
            _other_sheet(rng, frame, corners, ppm)
    poly = place(frame, doc, alpha, hm, shadow=rng.uniform(0.1, 0.35))
    if name == "photo_sheets_clutter" and rng.random() < 0.7:
        # a pen or a sticky note across the page's edge, on top of it
        i = int(rng.integers(4))
        e = corners[i] + rng.uniform(0.2, 0.8) * (corners[(i + 1) % 4] - corners[i])
        if rng.random() < 0.5:
            _rotated_rect(frame, (float(e[0]), float(e[1])), (0.2 * min(fw, fh), 0.012 * min(fw, fh)),
                          float(rng.uniform(0, 180)), (30, 30, 160))
        else:
            _rotated_rect(frame, (float(e[0]), float(e[1])), (0.07 * min(fw, fh),) * 2,
                          float(rng.uniform(0, 90)), (120, 240, 250))
    return _phone_light(rng, frame, lbl, poly, ramp=name == "photo_light_ramp")


# Camera scenes of session 7 (issue #13): not in SCENES' cycle (the other scenes' indices stay as
# they were); named through ``generate_page(..., scene=...)`` and scored with ``--cam7``.
CAM7_SCENES = ("photo_newsprint", "photo_newsprint_light", "photo_spread_bent")


def bg_newsprint(rng: np.random.Generator, h: int, w: int, light: bool = False) -> np.ndarray:
    """Newspapers spread on the desk: greyish newsprint, dense columns of small type, headlines,
    rules and halftone pictures, one or two sheets at an angle over a plain desk.

    Under a closing the type is gone and newsprint is light and nearly neutral, a little darker
    than office paper (``light``: as light as it, only its type tells them apart).
    """
    img = bg_desk(rng, h, w, str(rng.choice(["mid", "dark", "light"])))
    for _ in range(int(rng.integers(1, 3))):
        sw, sh = int(rng.uniform(0.8, 1.3) * max(h, w)), int(rng.uniform(0.9, 1.4) * max(h, w))
        sheet = np.empty((sh, sw, 3), np.float32)
        tone = rng.uniform(225, 240) if light else rng.uniform(185, 215)
        sheet[:] = (tone - rng.uniform(4, 14), tone - rng.uniform(0, 5), tone)  # a yellowish grey
        sheet += 6 * _fractal(rng, sh, sw, 3, 4)[..., None]
        sheet = np.clip(sheet, 0, 255).astype(np.uint8)
        ink = (int(rng.uniform(30, 70)),) * 3
        px = rng.uniform(6, 11)  # type size in frame pixels
        cols = int(rng.integers(4, 8))
        m = int(0.04 * sw)
        cw = (sw - 2 * m) / cols
        y_head = m
        if rng.random() < 0.8:  # a masthead across the sheet
            cv2.putText(sheet, _words(rng, 2).upper(), (m, int(m + 5 * px)), FONTS[int(rng.integers(3))],
                        5 * px / 22, ink, max(2, int(px / 2)), cv2.LINE_AA)
            y_head = int(m + 7 * px)
            cv2.line(sheet, (m, y_head), (sw - m, y_head), ink, 2)
        for c in range(cols):
            x0, x1 = int(m + c * cw + 0.04 * cw), int(m + (c + 1) * cw - 0.04 * cw)
            y = y_head + 2 * px
            while y < sh - m:
                r = rng.random()
                if r < 0.08:  # a headline
                    cv2.putText(sheet, _words(rng, 2), (x0, int(y + 2 * px)), FONTS[1], 2 * px / 22, ink,
                                max(1, int(px / 4)), cv2.LINE_AA)
                    y += 3.5 * px
                elif r < 0.12:  # a halftone picture
                    ph = int(rng.uniform(4, 12) * px * 2)
                    yy, xx = np.mgrid[0:ph, 0:x1 - x0].astype(np.float32)
                    tone_p = 0.5 + 0.5 * _smooth_noise(rng, ph, x1 - x0, 3)
                    dots = (np.sin(xx * 1.3) * np.sin(yy * 1.3) + 1) / 2 < tone_p
                    y1 = min(int(y) + ph, sh)
                    sub = sheet[int(y):y1, x0:x1]
                    sub[dots[:y1 - int(y)]] = ink
                    y += ph + px
                else:
                    cv2.putText(sheet, _words(rng, 12), (x0, int(y + px)), FONTS[int(rng.integers(2))],
                                px / 22, ink, 1, cv2.LINE_AA)
                    y += 1.45 * px
            if c and rng.random() < 0.6:
                cv2.line(sheet, (int(m + c * cw), y_head), (int(m + c * cw), sh - m), ink, 1)
        hm = _similarity(float(rng.uniform(-30, 30)), 1.0, float(rng.uniform(0.3, 0.7) * w),
                         float(rng.uniform(0.3, 0.7) * h), sw, sh)
        place(img, sheet.astype(np.float32), None, hm, shadow=rng.uniform(0.05, 0.2))
    return img


def _bent_spread(rng: np.random.Generator, fw: int, fh: int, ppm: float) -> Gen3Page | None:
    """An open booklet that does not lie flat: each leaf its own plane (they meet at the fold), one
    leaf lifted towards the phone and darker (the light grazes it), the fold in shadow."""
    frame = background(rng, str(rng.choice(["wood", "desk_mid", "desk_light", "granite", "cloth"])), fh, fw)
    leaf = SIZES_MM["A5" if rng.random() < 0.6 else "A6"]
    pages = [doc_page(rng, leaf, ppm, str(rng.choice(["form", "table", "sparse"]))) for _ in range(2)]
    lh, lw = pages[0].shape[:2]
    g = max(4, int(rng.uniform(0.05, 0.12) * lw))
    for j, pg in enumerate(pages):
        ramp = np.linspace(1.0, rng.uniform(0.5, 0.75), g, dtype=np.float32)
        if j == 0:
            pg[:, -g:] *= ramp[None, :, None]
        else:
            pg[:, :g] *= ramp[::-1][None, :, None]
    dark = int(rng.integers(2))
    pages[dark] *= rng.uniform(0.68, 0.85)
    hm = _perspective(rng, 2 * lw, lh, fw, fh, rng.uniform(0.35, 0.6))
    whole = _apply(hm, _corners(2 * lw, lh))  # TL TR BR BL of the flat spread
    top = _apply(hm, np.array([[lw - 0.5, -0.5]]))[0]
    bot = _apply(hm, np.array([[lw - 0.5, lh - 0.5]]))[0]
    quads = [np.array([whole[0], top, bot, whole[3]]), np.array([top, whole[1], whole[2], bot])]
    # The lifted leaf's outer side comes nearer the phone: it grows away from the fold and moves a
    # little across it (the leaf bows up).
    q = quads[dark]
    outer = (0, 3) if dark == 0 else (1, 2)
    axis = (q[outer[0]] + q[outer[1]]) / 2 - (top + bot) / 2
    across = np.array([-axis[1], axis[0]]) / max(1e-6, float(np.hypot(*axis)))
    grow, shift = rng.uniform(0.03, 0.12), rng.uniform(-0.06, 0.06) * float(np.hypot(*axis))
    for c in outer:
        q[c] = q[c] + grow * axis + shift * across
    polys = []
    for pg, qd in zip(pages, quads, strict=True):
        h1 = cv2.getPerspectiveTransform(_corners(lw, lh).astype(np.float32), qd.astype(np.float32))
        polys.append(place(frame, pg, None, h1, shadow=rng.uniform(0.1, 0.3)))
    if rng.random() < 0.4:
        _soft_shadow(rng, frame)
    if rng.random() < 0.3:
        _glare(rng, frame)
    _vignette(frame, rng.uniform(0.05, 0.25))
    poly = cv2.convexHull(np.concatenate(polys).astype(np.float32)).reshape(-1, 2).astype(np.float64)
    if _clip_area(poly, fw, fh) < 0.98 * cv2.contourArea(poly.astype(np.float32)):
        return None  # the lifted leaf left the photo: draw again
    img = _finish(rng, frame, rng.uniform(2, 4), int(rng.integers(55, 90)), rng.uniform(0.4, 1.0))
    return Gen3Page(img, None, _truth("", "camera", fw, fh, poly, full_frame=False, notes="two_page"))


def _cam7_scene(rng: np.random.Generator, name: str, lbl: str) -> Gen3Page:
    """A page photographed lying on newspapers (a textured print background that reads like text),
    or an open booklet whose leaves do not lie flat (``photo_spread_bent``)."""
    fw, fh = (1600, 1200) if rng.random() < 0.5 else (1200, 1600)
    ppm = 1000 / 297 * 1.2
    if name == "photo_spread_bent":
        for _ in range(20):
            got = _bent_spread(rng, fw, fh, ppm)
            if got is not None:
                got.truth.update(name=lbl, kind=name, two_page=True)
                return got
        raise RuntimeError("no placement")
    frame = bg_newsprint(rng, fh, fw, light=name == "photo_newsprint_light")
    size = SIZES_MM["A4"] if rng.random() < 0.7 else SIZES_MM["A5"]
    doc = doc_page(rng, size, ppm, str(rng.choice(["form", "table", "sparse"])))
    alpha = None
    if rng.random() < 0.5:
        doc, alpha = _curl(rng, doc, np.ones(doc.shape[:2], np.float32), rng.uniform(0.002, 0.006))
    hm = _perspective(rng, doc.shape[1], doc.shape[0], fw, fh, rng.uniform(0.2, 0.55))
    poly = place(frame, doc, alpha, hm, shadow=rng.uniform(0.05, 0.3))
    return _phone_light(rng, frame, lbl, poly)


def _phone_light(rng: np.random.Generator, frame: np.ndarray, lbl: str, poly: np.ndarray,
                 ramp: bool = False) -> Gen3Page:
    """A phone photo's light and sensor on the composed scene: maybe a light ramp (always with
    ``ramp``), a soft shadow, glare, vignetting, then noise and JPEG; the camera frame's truth."""
    if ramp or rng.random() < 0.3:
        _light_ramp(rng, frame)
    if rng.random() < 0.4:
        _soft_shadow(rng, frame)
    return _phone_sensor(rng, frame, lbl, poly)


def _phone_sensor(rng: np.random.Generator, frame: np.ndarray, lbl: str, poly: np.ndarray) -> Gen3Page:
    """The phone's lens and sensor: maybe glare, vignetting, then noise, blur and JPEG; the truth."""
    fh, fw = frame.shape[:2]
    if rng.random() < 0.3:
        _glare(rng, frame)
    _vignette(frame, rng.uniform(0.05, 0.25))
    img = _finish(rng, frame, rng.uniform(2, 4), int(rng.integers(55, 90)), rng.uniform(0.4, 1.0))
    return Gen3Page(img, None, _truth(lbl, "camera", fw, fh, poly, full_frame=False))


# Camera scenes of session 8 (issue #13): not in SCENES' cycle; named through
# ``generate_page(..., scene=...)``. The shadow of the phone or of the hand holding it, with an
# edge sharp enough to look like a sheet's: across a close-up whose page fills nearly the whole
# frame (a strip of desk along one or two sides), over a page lying in that shadow on a dark
# desk while the sheets around it are lit, and across one leaf of an open spread; and an open
# spread whose one leaf runs off the photo (the phone held close to the other).
CAM8_SCENES = ("photo_hand_shadow", "photo_shadowed_among_sheets", "photo_shadow_edge", "photo_spread_off_side")


def _hard_shadow(rng: np.random.Generator, h: int, w: int, through: np.ndarray, width: float) -> np.ndarray:
    """Weight (0 lit … 1 shadowed) of a shadow on one side of a straight line through the point
    ``through`` at a random angle, the transition ``width`` pixels wide (10–90 % of a logistic
    ramp; a phone held 20–40 cm above the page casts an edge a few millimetres wide)."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    a = rng.uniform(0, 2 * math.pi)
    d = (xx - through[0]) * math.cos(a) + (yy - through[1]) * math.sin(a)
    return 1 / (1 + np.exp(-np.clip(d / max(0.5, width / 4.4), -30, 30)))


def _cam8_scene(rng: np.random.Generator, name: str, lbl: str) -> Gen3Page:
    """One of :data:`CAM8_SCENES` (see there); truth is the page (the whole spread for one)."""
    fw, fh = (1600, 1200) if rng.random() < 0.5 else (1200, 1600)
    ppm = 1000 / 297 * 1.2
    # The shadow edge's width: a lamp 5–40 cm across, 1.5–2.5 m up, a phone 20–40 cm over the page
    # (penumbra = height × lamp / distance): 0.5–8 cm; here 1.5–5 % of the frame (3–10 mm on a page
    # that fills it, more on one that does not).
    sharp = rng.uniform(0.015, 0.05) * min(fw, fh)
    if name == "photo_hand_shadow":
        # The page is nearer than the frame: it covers it but for a strip of desk 1–7 % wide along
        # one or two sides (perspective makes the strips taper).
        frame = background(rng, str(rng.choice(["desk_dark", "desk_mid", "wood"])), fh, fw)
        doc = doc_page(rng, SIZES_MM["A4"], ppm, str(rng.choice(["form", "table", "sparse"])))
        dh, dw = doc.shape[:2]
        strips = [rng.uniform(0.01, 0.07) if rng.random() < p else -rng.uniform(0.02, 0.1)
                  for p in (0.7, 0.3, 0.3, 0.3)]  # left, right, top, bottom: + desk shows, − page runs off
        rng.shuffle(strips)
        x0, x1 = strips[0] * fw, fw * (1 - strips[1])
        y0, y1 = strips[2] * fh, fh * (1 - strips[3])
        corners = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]]) + rng.normal(0, 0.012 * min(fw, fh), (4, 2))
        hm = cv2.getPerspectiveTransform(_corners(dw, dh).astype(np.float32), corners.astype(np.float32))
        poly = place(frame, doc, None, hm, shadow=rng.uniform(0.1, 0.3))
        # The shadow's edge crosses the frame so that a lit part stays in one of its corners.
        through = np.array([rng.uniform(0.25, 0.75) * fw, rng.uniform(0.25, 0.75) * fh])
        m = _hard_shadow(rng, fh, fw, through, sharp)
        frame *= (1 - rng.uniform(0.3, 0.55) * m)[..., None]
    elif name == "photo_shadowed_among_sheets":
        # A page on a dark desk over other sheets; the phone's shadow lies on the page, the
        # sheets around it stay lit: the page is a level darker than they are.
        frame = background(rng, str(rng.choice(["desk_dark", "desk_mid", "clutter"])), fh, fw)
        doc = doc_page(rng, SIZES_MM["A4"], ppm, str(rng.choice(["form", "table", "sparse"])))
        hm = _perspective(rng, doc.shape[1], doc.shape[0], fw, fh, rng.uniform(0.25, 0.45))
        near = _apply(hm, _corners(doc.shape[1], doc.shape[0]))
        for _ in range(int(rng.integers(1, 4))):
            _other_sheet(rng, frame, near, ppm)
        poly = place(frame, doc, None, hm, shadow=rng.uniform(0.1, 0.3))
        # The edge passes beside the page; the side holding the page is the shadowed one (the
        # phone is over the page).
        c = poly.mean(axis=0)
        r = 0.5 * min(float(np.ptp(poly[:, 0])), float(np.ptp(poly[:, 1])))
        m = _hard_shadow(rng, fh, fw, c + rng.uniform(1.05, 1.5) * r * np.array([1.0, 0.0]), sharp)
        inside = np.zeros((fh, fw), np.uint8)
        cv2.fillConvexPoly(inside, np.round(poly).astype(np.int32), 1)
        if float(m[inside > 0].mean()) < 0.5:
            m = 1 - m
        frame *= (1 - rng.uniform(0.3, 0.5) * m)[..., None]
    elif name == "photo_spread_off_side":
        # Two A5/A6 leaves, the fold darkened; placed so that the outer part of one leaf (10–45 %
        # of its width) lies beyond the frame's side; half the time a shadow over that leaf.
        frame = background(rng, str(rng.choice(["wood", "desk_mid", "desk_light", "granite", "cloth"])), fh, fw)
        leaf = SIZES_MM["A5" if rng.random() < 0.6 else "A6"]
        pages = [doc_page(rng, leaf, ppm, str(rng.choice(["form", "table", "sparse"]))) for _ in range(2)]
        lh, lw = pages[0].shape[:2]
        g = max(4, int(0.05 * lw))
        fold = np.linspace(1.0, rng.uniform(0.65, 0.85), g, dtype=np.float32)
        pages[0][:, -g:] *= fold[None, :, None]
        pages[1][:, :g] *= fold[::-1][None, :, None]
        doc = np.hstack(pages)
        dh, dw = doc.shape[:2]
        scale = rng.uniform(0.55, 0.85) * min(fw / (0.8 * dw), fh / dh)
        ang = rng.uniform(-12, 12)
        off = rng.uniform(0.1, 0.45) * lw * scale  # how much of the outer leaf is cut off
        right = bool(rng.random() < 0.5)
        cx = (fw + off - dw * scale / 2) if right else (dw * scale / 2 - off)
        cy = fh / 2 + rng.uniform(-0.1, 0.1) * fh
        corners = _apply(_similarity(ang, scale, cx, cy, dw, dh), _corners(dw, dh))
        corners += rng.normal(0, 0.01 * min(fw, fh), (4, 2))
        hm = cv2.getPerspectiveTransform(_corners(dw, dh).astype(np.float32), corners.astype(np.float32))
        poly = place(frame, doc, None, hm, shadow=rng.uniform(0.1, 0.3))
        if rng.random() < 0.5:
            leaf_c = _apply(hm, np.array([[(1.5 if right else 0.5) * lw, lh / 2]]))[0]
            m = _hard_shadow(rng, fh, fw, leaf_c, sharp)
            frame *= (1 - rng.uniform(0.2, 0.45) * m)[..., None]
    else:  # photo_shadow_edge: a page or an open spread wholly in the photo, the edge across it
        frame = background(rng, str(rng.choice(["wood", "desk_mid", "desk_light", "granite", "clutter"])), fh, fw)
        if rng.random() < 0.5:
            leaf = SIZES_MM["A5" if rng.random() < 0.6 else "A6"]
            pages = [doc_page(rng, leaf, ppm, str(rng.choice(["form", "table", "sparse"]))) for _ in range(2)]
            g = max(4, int(0.05 * pages[0].shape[1]))
            fold = np.linspace(1.0, rng.uniform(0.65, 0.85), g, dtype=np.float32)
            pages[0][:, -g:] *= fold[None, :, None]
            pages[1][:, :g] *= fold[::-1][None, :, None]
            doc = np.hstack(pages)
            fill = rng.uniform(0.35, 0.6)
        else:
            doc = doc_page(rng, SIZES_MM["A4" if rng.random() < 0.7 else "A5"], ppm,
                           str(rng.choice(["form", "table", "sparse"])))
            fill = rng.uniform(0.3, 0.55)
        hm = _perspective(rng, doc.shape[1], doc.shape[0], fw, fh, fill)
        poly = place(frame, doc, None, hm, shadow=rng.uniform(0.1, 0.3))
        # Through the page, a quarter to three quarters across it.
        c = poly.mean(axis=0)
        far = poly[int(rng.integers(4))]
        m = _hard_shadow(rng, fh, fw, c + rng.uniform(0.0, 0.6) * (far - c), sharp)
        frame *= (1 - rng.uniform(0.25, 0.5) * m)[..., None]
    return _phone_sensor(rng, frame, lbl, poly)


# Camera scenes of session 9 (issue #13), own rendering and choices; reached by name only:
# * photo_spread_shaded_leaf: an open booklet on a light or mid desk with a broad, soft shadow
#   (a person leaning over it, 10–30 % of the frame wide) lying over most of one leaf, so that
#   leaf is about as dark as the desk while the other stays lit; a gutter darkened by a Gaussian.
# * photo_spread_grain: a spread (or one page) on planks whose straight grain runs within a few
#   degrees of one of its sides, long high-contrast lines right beside the sheet.
# * photo_spread_edge_shade: a spread whose outer leaf reaches the frame's side (up to 15 % of that
#   leaf beyond it, or a sliver of desk left), a shadow edge crossing that leaf at an angle to the
#   fold: the lit part of the spread ends at a straight, fairly sharp line inside a leaf.
# * photo_card_in_hand: an ID card held up in a hand over a desk: a palm of skin behind it, a
#   thumb and maybe fingertips over its edges, the card a quarter to a half of the photo
#   (class "card"; truth: the whole card, fingers included).
CAM9_SCENES = ("photo_spread_shaded_leaf", "photo_spread_grain", "photo_spread_edge_shade", "photo_card_in_hand")


def _booklet(rng: np.random.Generator, ppm: float) -> tuple[np.ndarray, float]:
    """Two facing leaves of an A5/A6 booklet (a Gaussian gutter shade, a small tone step between
    the leaves); the leaf width."""
    leaf = SIZES_MM["A5" if rng.random() < 0.5 else "A6"]
    pages = [doc_page(rng, leaf, ppm, str(rng.choice(["form", "table", "sparse"]))) for _ in range(2)]
    lw = pages[0].shape[1]
    doc = np.hstack(pages)
    xx = np.arange(doc.shape[1], dtype=np.float32) - lw
    gut = 1 - rng.uniform(0.15, 0.4) * np.exp(-(xx / (rng.uniform(0.02, 0.06) * lw)) ** 2)
    doc *= gut[None, :, None]
    doc[:, lw:] *= rng.uniform(0.96, 1.03)
    return doc, float(lw)


def _cam9_scene(rng: np.random.Generator, name: str, lbl: str) -> Gen3Page:
    """One of :data:`CAM9_SCENES` (see there); truth is the whole spread (or the page)."""
    fw, fh = (1600, 1200) if rng.random() < 0.6 else (1200, 1600)
    ppm = 1000 / 297 * 1.2
    if name == "photo_spread_shaded_leaf":
        frame = bg_desk(rng, fh, fw, str(rng.choice(["light", "light", "mid"])))
        if rng.random() < 0.5:  # a pinkish or greenish cast on the desk
            frame += np.array(rng.uniform(-12, 12, 3), np.float32)
        doc, lw = _booklet(rng, ppm)
        dh, dw = doc.shape[:2]
        hm = _perspective(rng, dw, dh, fw, fh, rng.uniform(0.35, 0.7))
        poly = place(frame, doc, None, hm, shadow=rng.uniform(0.1, 0.3))
        # The shadow's edge runs near the fold (within 35° of it), over one leaf.
        fold = _apply(hm, np.array([[lw, 0.0], [lw, dh]]))
        leaf = _apply(hm, np.array([[(0.3 if rng.random() < 0.5 else 1.7) * lw, dh / 2]]))[0]
        f_dir = (fold[1] - fold[0]) / np.linalg.norm(fold[1] - fold[0])
        ang = math.atan2(f_dir[1], f_dir[0]) + math.radians(rng.uniform(-35, 35))
        normal = np.array([-math.sin(ang), math.cos(ang)])
        mid = fold.mean(axis=0) + rng.uniform(-0.25, 0.25) * (leaf - fold.mean(axis=0))
        yy, xx = np.mgrid[0:fh, 0:fw].astype(np.float32)
        d = (xx - mid[0]) * normal[0] + (yy - mid[1]) * normal[1]
        if float(np.dot(leaf - mid, normal)) < 0:
            d = -d
        width = rng.uniform(0.1, 0.3) * min(fw, fh)
        m = 1 / (1 + np.exp(-np.clip(d / (width / 4.4), -30, 30)))
        frame *= (1 - rng.uniform(0.3, 0.55) * m)[..., None]
    elif name == "photo_spread_edge_shade":
        frame = background(rng, str(rng.choice(["desk_light", "desk_mid", "wood", "granite"])), fh, fw)
        if rng.random() < 0.5:
            frame += np.array(rng.uniform(-12, 12, 3), np.float32)
        doc, lw = _booklet(rng, ppm)
        dh, dw = doc.shape[:2]
        scale = rng.uniform(0.6, 0.9) * min(fw / dw, fh / dh)
        off = rng.uniform(-0.04, 0.15) * lw * scale  # > 0: that much of the outer leaf beyond the side
        right = bool(rng.random() < 0.5)
        cx = (fw + off - dw * scale / 2) if right else (dw * scale / 2 - off)
        cy = fh / 2 + rng.uniform(-0.12, 0.12) * fh
        corners = _apply(_similarity(rng.uniform(-10, 10), scale, cx, cy, dw, dh), _corners(dw, dh))
        corners += rng.normal(0, 0.012 * min(fw, fh), (4, 2))
        hm = cv2.getPerspectiveTransform(_corners(dw, dh).astype(np.float32), corners.astype(np.float32))
        poly = place(frame, doc, None, hm, shadow=rng.uniform(0.1, 0.3))
        fold = _apply(hm, np.array([[lw, 0.0], [lw, dh]]))
        through = _apply(hm, np.array([[(2 - rng.uniform(0.25, 0.75) if right else rng.uniform(0.25, 0.75)) * lw,
                                        dh / 2]]))[0]
        f_dir = fold[1] - fold[0]
        ang = math.atan2(f_dir[1], f_dir[0]) + math.radians(rng.uniform(-30, 30))
        normal = np.array([-math.sin(ang), math.cos(ang)])
        yy, xx = np.mgrid[0:fh, 0:fw].astype(np.float32)
        d = (xx - through[0]) * normal[0] + (yy - through[1]) * normal[1]
        if float(np.dot(fold.mean(axis=0) - through, normal)) > 0:
            d = -d  # the shadow on the outer part of the leaf, away from the fold
        width = rng.uniform(0.02, 0.1) * min(fw, fh)
        m = 1 / (1 + np.exp(-np.clip(d / (width / 4.4), -30, 30)))
        frame *= (1 - rng.uniform(0.3, 0.55) * m)[..., None]
    elif name == "photo_card_in_hand":
        frame = background(rng, str(rng.choice(["desk_dark", "desk_mid", "wood", "cloth", "clutter"])), fh, fw)
        doc, alpha = doc_card(rng, ppm * 2.5, back=bool(rng.random() < 0.4))
        dh, dw = doc.shape[:2]
        hm = _perspective(rng, dw, dh, fw, fh, rng.uniform(0.2, 0.45))
        c = _apply(hm, _corners(dw, dh))
        skin = np.array([rng.uniform(110, 160), rng.uniform(140, 185), rng.uniform(185, 235)], np.float32)
        ctr = c.mean(axis=0)
        # The palm behind the card, showing around one long side and its ends.
        long_i = 0 if np.linalg.norm(c[1] - c[0]) > np.linalg.norm(c[2] - c[1]) else 1
        side = long_i + 2 * int(rng.integers(2))
        e0, e1 = c[side], c[(side + 1) % 4]
        out = (e0 + e1) / 2 - ctr
        palm_c = ctr + out * rng.uniform(0.6, 1.1)
        pm = np.zeros((fh, fw), np.float32)
        ax = (int(0.75 * np.linalg.norm(e1 - e0)), int(1.0 * np.linalg.norm(out)) + 1)
        cv2.ellipse(pm, (int(palm_c[0]), int(palm_c[1])), ax,
                    math.degrees(math.atan2(float((e1 - e0)[1]), float((e1 - e0)[0]))), 0, 360, 1.0, -1, cv2.LINE_AA)
        pm = cv2.GaussianBlur(pm, (0, 0), 3)
        shade = (1 + 0.12 * _smooth_noise(rng, fh, fw, 4))[..., None]
        frame[:] = frame * (1 - pm[..., None]) + (skin * shade) * pm[..., None]
        poly = place(frame, doc, alpha, hm, shadow=rng.uniform(0.1, 0.3))
        # A thumb over that side (from outside, onto the card), maybe fingertips on the opposite one.
        fingers = [(side, rng.uniform(0.2, 0.8))]
        if rng.random() < 0.5:
            fingers.append(((side + 2) % 4, rng.uniform(0.2, 0.8)))
        width = 0.09 * float(np.linalg.norm(c[(long_i + 1) % 4 + 0] - c[long_i]))
        for sd, t in fingers:
            a0, a1 = c[sd], c[(sd + 1) % 4]
            at = a0 + t * (a1 - a0)
            inward = ctr - (a0 + a1) / 2
            inward /= max(1e-6, float(np.linalg.norm(inward)))
            tip = at + inward * rng.uniform(0.08, 0.22) * float(np.linalg.norm(ctr - (a0 + a1) / 2)) * 2
            base_pt = at - inward * width * 6
            fm = np.zeros((fh, fw), np.float32)
            cv2.line(fm, (int(base_pt[0]), int(base_pt[1])), (int(tip[0]), int(tip[1])), 1.0,
                     max(3, int(rng.uniform(1.6, 2.4) * width)), cv2.LINE_AA)
            fm = cv2.GaussianBlur(fm, (0, 0), 2)
            frame[:] = frame * (1 - fm[..., None]) + (skin * 0.95 * shade) * fm[..., None]
        img = _finish(rng, frame, rng.uniform(2, 4), int(rng.integers(60, 90)), rng.uniform(0.4, 1.0))
        return Gen3Page(img, None, _truth(lbl, "card", fw, fh, poly, full_frame=False))
    else:  # photo_spread_grain
        spread = rng.random() < 0.7
        if spread:
            doc, _ = _booklet(rng, ppm)
        else:
            doc = doc_page(rng, SIZES_MM["A4"], ppm, str(rng.choice(["form", "table", "sparse"])))
        dh, dw = doc.shape[:2]
        fill = rng.uniform(0.3, 0.55)
        hm = _perspective(rng, dw, dh, fw, fh, fill)
        c = _apply(hm, _corners(dw, dh))
        side = int(rng.integers(4))
        e = c[(side + 1) % 4] - c[side]
        g_ang = math.atan2(e[1], e[0]) + math.radians(rng.uniform(-5, 5))
        # Planks: straight grain along g_ang, dark lines 1–3 px wide every 8–30 px, plank seams.
        yy, xx = np.mgrid[0:fh, 0:fw].astype(np.float32)
        v = -xx * math.sin(g_ang) + yy * math.cos(g_ang)
        period = rng.uniform(8, 30)
        jitter = _smooth_noise(rng, fh, fw, 2) * rng.uniform(0, 4)
        ph = ((v + jitter) / period) % 1.0
        line = np.exp(-((ph - 0.5) / rng.uniform(0.04, 0.12)) ** 2)
        tone = rng.uniform(70, 180)
        base = tone * (1 - rng.uniform(0.3, 0.6) * line) * (1 + 0.08 * _smooth_noise(rng, fh, fw, 6))
        tint = np.array([rng.uniform(0.75, 1.0), rng.uniform(0.85, 1.0), 1.0], np.float32)
        if rng.random() < 0.4:
            tint[:] = 1.0  # grey-stained wood
        frame = base[..., None] * tint
        seam = (np.abs(((v / rng.uniform(100, 250)) % 1.0) - 0.5) > 0.493).astype(np.float32)
        frame *= (1 - 0.5 * seam)[..., None]
        poly = place(frame, doc, None, hm, shadow=rng.uniform(0.1, 0.35))
    return _phone_light(rng, frame, lbl, poly)


def generate(seed: int, n: int, dpi: int = 150) -> list[Gen3Page]:
    """``n`` pages cycling through the scenes."""
    return [generate_page(seed, i, dpi) for i in range(n)]


# --------------------------------------------------------------------------- tuning report


def _score(pages_per_scene: int, seed: int, dpi: int) -> None:
    sys.path.insert(0, str(ROOT))
    from bench.scan_eval.run import frame_poly, in_frame, poly_iou
    from counter_app.scanning.pipeline import process_page

    per_scene: dict[str, list[float]] = defaultdict(list)
    per_class: dict[str, list[float]] = defaultdict(list)
    bad = []
    times = []
    for i in range(pages_per_scene * len(SCENES)):
        p = generate_page(seed, i, dpi)
        t0 = time.perf_counter()
        res = process_page(p.image, p.dpi or 300, dpi_trusted=p.dpi is not None)
        times.append(time.perf_counter() - t0)
        w, h = p.truth["size"]
        pred = frame_poly(w, h) if res.quad is None else in_frame(np.asarray(res.quad, np.float64), w, h)
        j = poly_iou(pred, np.asarray(p.truth["quad"], np.float64))
        per_scene[p.truth["kind"]].append(j)
        per_class[p.truth["class"]].append(j)
        if j < 0.95:
            bad.append(f"{p.truth['name']} J={j:.2f} {'none' if res.quad is None else ''} {','.join(res.warnings)}")
    allj = [j for v in per_class.values() for j in v]
    print(f"gen3 seed {seed}, {dpi} dpi: J mean {np.mean(allj):.3f} min {np.min(allj):.3f} "
          f"({len(allj)} pages, {np.median(times) * 1e3:.0f} ms median)")
    for k, v in sorted(per_class.items()):
        print(f"  class {k:8s} n={len(v):3d} J mean {np.mean(v):.3f} min {np.min(v):.3f}")
    for k, v in per_scene.items():
        print(f"  {k:20s} J mean {np.mean(v):.3f} min {np.min(v):.3f}")
    for b in bad:
        print("   ", b)


def main() -> None:
    """Score the pipeline on gen3 or write pictures of its scenes."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--look", type=Path, help="write one picture per scene (truth in red) to this folder")
    ap.add_argument("--per-scene", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--dpi", type=int, default=100)
    args = ap.parse_args()
    if args.look:
        args.look.mkdir(parents=True, exist_ok=True)
        for i, sc in enumerate(SCENES):
            p = generate_page(args.seed, i, args.dpi, sc)
            img = p.image.copy()
            cv2.polylines(img, [np.round(np.asarray(p.truth["quad"])).astype(np.int32)], True, (0, 0, 255), 2)
            s = 600 / max(img.shape[:2])
            cv2.imwrite(str(args.look / f"{i:02d}_{sc}.png"), cv2.resize(img, None, fx=s, fy=s,
                                                                          interpolation=cv2.INTER_AREA))
        return
    _score(args.per_scene, args.seed, args.dpi)


if __name__ == "__main__":
    main()


# slip (session 8): sheets on a light lid that differ from it by a faint step, each rendered here
# with its own choices (not those of SLIP_SCENES): a mottled lid with blotches a few levels deep
# and sometimes a lighter or darker strip along one side of the bed; the sheet anywhere on the
# glass, or pushed against its sides; a lid-gap shadow cast to a random side, or none; thermal
# receipts drawn as a narrow print column (logo block, dashed rules, totals, barcode) on bluish
# or neutral paper, in the roll widths shops use; A4 notices on a glass larger than A4. Own tuple,
# reached by name (``generate_page(seed, i, dpi, scene=...)``); SCENES' cycle is unchanged.
SLIP8_SCENES = ("a5_lid_mottle", "receipt_thermal_lid", "notice_lid_corner")


def _mottled_lid(rng: np.random.Generator, h: int, w: int, ppm: float) -> tuple[np.ndarray, float]:
    """A light lid: level, a gentle ramp, blotches 1–3 levels deep, sensor grain; its level."""
    level = rng.uniform(222, 248)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    img = np.empty((h, w, 3), np.float32)
    img[:] = level
    img += (rng.uniform(-5, 5) * xx / w + rng.uniform(-5, 5) * yy / h)[..., None]
    img += rng.uniform(1.0, 3.0) * _fractal(rng, h, w, 3, 6)[..., None]
    if rng.random() < 0.5:  # bluish
        img += np.array([rng.uniform(1, 5), rng.uniform(-1, 1), rng.uniform(-4, -1)], np.float32)
    if rng.random() < 0.35:  # the bed's frame or a lighter strip of lid along one side
        wid = round(rng.uniform(3, 12) * ppm)
        side = int(rng.integers(4))
        d = rng.uniform(4, 10) * (1 if rng.random() < 0.5 else -1)
        sl = [(slice(None), slice(0, wid)), (slice(None), slice(w - wid, w)),
              (slice(0, wid), slice(None)), (slice(h - wid, h), slice(None))][side]
        img[sl] += d
    return img, level


def _thermal_receipt(rng: np.random.Generator, width_mm: float, length_mm: float, ppm: float) -> np.ndarray:
    """A till receipt: a narrow print column on thermal paper (bluish or neutral white)."""
    w, h = round(width_mm * ppm), round(length_mm * ppm)
    col = np.array([248, 246, 244], np.float32) if rng.random() < 0.4 else np.array([250, 245, 239], np.float32)
    img = np.empty((h, w, 3), np.float32)
    img[:] = col + rng.uniform(-5, 3)
    img += 1.5 * _fractal(rng, h, w, 3, 10)[..., None]
    img = np.clip(img, 0, 255).astype(np.uint8)
    m = round(rng.uniform(2.5, 6.0) * ppm)  # the printer's side margin
    ink = (60, 55, 55) if rng.random() < 0.5 else (25, 25, 25)  # faded or fresh thermal print
    px = rng.uniform(2.0, 2.8) * ppm
    font = cv2.FONT_HERSHEY_PLAIN if rng.random() < 0.6 else cv2.FONT_HERSHEY_SIMPLEX
    y = round(rng.uniform(4, 10) * ppm)
    if rng.random() < 0.5:  # a logo block
        lh = round(rng.uniform(8, 14) * ppm)
        cv2.rectangle(img, (m, y), (w - m, y + lh), ink, -1)
        cv2.putText(img, _words(rng, 1).upper(), (m + round(3 * ppm), y + round(lh * 0.75)), FONTS[1],
                    lh / 30, (235, 235, 235), max(1, round(ppm / 2)), cv2.LINE_AA)
        y += lh + round(4 * ppm)
    bottom = h - round(rng.uniform(8, 20) * ppm)
    barcode = rng.random() < 0.6
    if barcode:
        bottom -= round(14 * ppm)
    while y < bottom:
        r = rng.random()
        if r < 0.12:  # dashed rule
            for x in range(m, w - m, round(1.6 * ppm)):
                cv2.line(img, (x, int(y)), (x + round(0.8 * ppm), int(y)), ink, 1)
            y += px
            continue
        scale = px / (13 if font == cv2.FONT_HERSHEY_PLAIN else 22)
        left = _words(rng, int(rng.integers(1, 4))).upper()
        room = (w - 2 * m) * (0.55 if r < 0.7 else 1.0)
        while len(left) > 2 and cv2.getTextSize(left, font, scale, 1)[0][0] > room:
            left = left[:-1]
        cv2.putText(img, left, (m, int(y + px)), font, scale, ink, max(1, round(px / 16)), cv2.LINE_AA)
        if r < 0.7:  # an amount at the right margin
            amount = f"{rng.integers(1, 999)}.{rng.integers(0, 99):02d}"
            (tw, _), _ = cv2.getTextSize(amount, font, scale, 1)
            cv2.putText(img, amount, (w - m - tw, int(y + px)), font, scale, ink, max(1, round(px / 16)),
                        cv2.LINE_AA)
        y += px * rng.uniform(1.4, 1.9)
    if barcode:
        x, bh = m + round(rng.uniform(0, 4) * ppm), round(10 * ppm)
        while x < w - m - round(rng.uniform(0, 4) * ppm):
            bw = int(rng.integers(1, 4)) * max(1, round(ppm / 3))
            if rng.random() < 0.55:
                cv2.rectangle(img, (x, int(bottom + 2 * ppm)), (x + bw - 1, int(bottom + 2 * ppm + bh)), ink, -1)
            x += bw
    return img.astype(np.float32)


def _lay(frame: np.ndarray, doc: np.ndarray, hm: np.ndarray, shadow: float, direction: float,
         edge_line: float) -> np.ndarray:
    """Composite ``doc`` by ``hm`` with a lid-gap shadow cast towards ``direction`` (radians) and,
    when ``edge_line`` > 0, its cut edge that many levels darker; return its corners."""
    fh, fw = frame.shape[:2]
    dh, dw = doc.shape[:2]
    if edge_line > 0:
        doc = doc.copy()
        cv2.rectangle(doc, (0, 0), (dw - 1, dh - 1), tuple(float(v) for v in doc[dh // 2, dw // 2] - edge_line), 1)
    s = 2.0
    hs = np.diag([s, s, 1.0]) @ hm
    hs[:2, 2] += (s - 1) / 2
    warped = cv2.resize(cv2.warpPerspective(doc, hs, (2 * fw, 2 * fh), flags=cv2.INTER_LINEAR), (fw, fh),
                        interpolation=cv2.INTER_AREA)
    wa = cv2.resize(cv2.warpPerspective(np.ones((dh, dw), np.float32), hs, (2 * fw, 2 * fh), flags=cv2.INTER_LINEAR),
                    (fw, fh), interpolation=cv2.INTER_AREA)
    if shadow > 0:
        r = max(2.0, 0.006 * min(fh, fw))
        sh = cv2.GaussianBlur(wa, (0, 0), r)
        m = np.float32([[1, 0, 1.2 * r * math.cos(direction)], [0, 1, 1.2 * r * math.sin(direction)]])
        sh = cv2.warpAffine(sh, m, (fw, fh))
        frame *= (1 - shadow * np.clip(sh - wa, 0, 1))[..., None]
    frame[:] = frame * (1 - wa[..., None]) + warped * wa[..., None]
    return _apply(hm, _corners(dw, dh))


def _slip8_scene(rng: np.random.Generator, dpi: int, lbl: str, name: str, ppm2: float) -> Gen3Page:
    """One of :data:`SLIP8_SCENES`."""
    ppm = dpi / 25.4
    if name == "notice_lid_corner":
        glass = (216.0, 356.0) if rng.random() < 0.5 else (230.0, 320.0)
        doc = doc_page(rng, SIZES_MM["A4"], ppm2, "form")
    elif name == "receipt_thermal_lid":
        glass = (216.0, 297.0) if rng.random() < 0.5 else (216.0, 356.0)
        width = float(rng.choice([57.0, 58.0, 76.0, 80.0]))
        doc = _thermal_receipt(rng, width, rng.uniform(90, 300), ppm2)
    else:  # a5_lid_mottle: an A5 or A6 slip, either way round
        glass = (216.0, 297.0) if rng.random() < 0.6 else (216.0, 356.0)
        size = SIZES_MM["A5" if rng.random() < 0.6 else "A6"]
        if rng.random() < 0.4:
            size = (size[1], size[0])
        doc = doc_page(rng, size, ppm2, str(rng.choice(["form", "table", "sparse"])))
    fw, fh = round(glass[0] * ppm), round(glass[1] * ppm)
    frame, lid_level = _mottled_lid(rng, fh, fw, ppm)
    # The paper against the lid: a few levels lighter mostly, sometimes the same or darker.
    paper = float(np.percentile(doc[::4, ::4, 1], 90))
    doc = doc + (lid_level + rng.uniform(-3, 10) - paper)
    dh, dw = doc.shape[:2]
    ang = rng.uniform(-2.5, 2.5) if rng.random() < 0.85 else 0.0
    ca, sa = abs(math.cos(math.radians(ang))), abs(math.sin(math.radians(ang)))
    bw, bh = (dw * ca + dh * sa) * 0.25, (dw * sa + dh * ca) * 0.25
    lo_x, hi_x, lo_y, hi_y = bw + 2 * ppm, fw - bw - 2 * ppm, bh + 2 * ppm, fh - bh - 2 * ppm
    cx = rng.uniform(lo_x, max(lo_x, hi_x))
    cy = rng.uniform(lo_y, max(lo_y, hi_y))
    if name == "notice_lid_corner" or rng.random() < 0.25:
        # Pushed against the glass's side(s), or a little past them (the truth is clipped).
        cx = bw - rng.uniform(-0.5, 2.0) * ppm if rng.random() < 0.5 else fw - bw + rng.uniform(-0.5, 2.0) * ppm
        if name == "notice_lid_corner" or rng.random() < 0.5:
            cy = bh - rng.uniform(-0.5, 2.0) * ppm if rng.random() < 0.5 else fh - bh + rng.uniform(-0.5, 2.0) * ppm
    hm = _similarity(ang, 0.5, cx, cy, dw, dh)
    shadow = rng.uniform(0.01, 0.06) if rng.random() < 0.6 else 0.0
    edge = rng.uniform(3, 10) if rng.random() < 0.3 else 0.0
    poly = _lay(frame, doc, hm, shadow, rng.uniform(0, 2 * math.pi), edge)
    img = _finish(rng, frame, rng.uniform(0.8, 2.0), int(rng.integers(78, 94)), rng.uniform(0.3, 0.6))
    cls = "flatbed" if name == "notice_lid_corner" else "slip"
    return Gen3Page(np.ascontiguousarray(img), dpi, _truth(lbl, cls, fw, fh, poly, true_dpi=dpi))


# --------------------------------------------------------------------------- session 9: slip (till receipts on a lid)

SLIP9_SCENES = ("receipt_curl_lid", "receipt_backing_corner")


def _slip9_lid(rng: np.random.Generator, h: int, w: int, ppm: float) -> tuple[np.ndarray, float, np.ndarray]:
    """A white or near-white lid (BGR float32), its level and tint: a slow ramp and mottle of a
    few levels, a finer grain, and sensor noise added later."""
    level = float(rng.uniform(224, 247))
    tint = np.array([rng.uniform(-2, 3), 0.0, rng.uniform(-3, 1)], np.float32)  # bluish or neutral
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    ramp = rng.uniform(-5, 5) * xx / w + rng.uniform(-5, 5) * yy / h
    mottle = rng.uniform(1, 4) * _smooth_noise(rng, h, w, int(rng.integers(5, 14)))
    grain = rng.uniform(0.3, 1.2) * cv2.GaussianBlur(rng.normal(0, 1, (h, w)).astype(np.float32), (0, 0), 0.6 * ppm)
    img = (level + ramp + mottle + grain * 3)[..., None] + tint
    return img.astype(np.float32), level, tint


def _slip9_print(rng: np.random.Generator, w: int, h: int, ppm: float, width_mm: float) -> np.ndarray:
    """A receipt's print as darkness in [0, 1] (w × h px): a column of text lines in a monospace
    till font, a logo block or big title, dashed rules, a barcode at the foot."""
    ink = np.zeros((h, w), np.uint8)  # (OpenCV draws text on 8 bits only)
    margin = rng.uniform(2.5, 6.0) * ppm
    x0, x1 = round(margin), round(w - margin)
    line = rng.uniform(3.2, 4.2) * ppm
    scale = line / 38.0  # Hershey simplex: ~30 px cap height at scale 1
    y = rng.uniform(4, 14) * ppm
    chars = max(8, int((x1 - x0) / (0.55 * line)))
    font = cv2.FONT_HERSHEY_SIMPLEX
    thick = max(1, round(0.3 * ppm))  # a thermal head prints strokes ~0.3 mm wide (two or three dots)
    if rng.random() < 0.6:  # a solid logo block, a store's name knocked out of it
        bh = rng.uniform(8, 16) * ppm
        bx0 = round(x0 + rng.uniform(0, 0.2) * (x1 - x0))
        bx1 = round(x1 - rng.uniform(0, 0.2) * (x1 - x0))
        ink[round(y):round(y + bh), bx0:bx1] = 255
        cv2.putText(ink, "MARKT", (bx0 + round(0.1 * (bx1 - bx0)), round(y + 0.75 * bh)), font,
                    bh / 40.0, 0, max(1, round(0.6 * ppm)))
        y += bh + rng.uniform(3, 6) * ppm
    letters = "ABCDEFGHIJKLMNOPRSTUVWZ0123456789.,:-/ "
    while y < h - rng.uniform(10, 30) * ppm:
        kind = rng.random()
        if kind < 0.08:  # a dashed rule
            for xs in range(x0, x1, max(2, round(2 * ppm))):
                ink[round(y - 0.5 * line):round(y - 0.5 * line) + thick, xs:xs + round(ppm)] = 255
        elif kind < 0.15:
            pass  # a blank line
        else:
            n = int(rng.integers(max(3, chars // 4), chars + 1))
            text = "".join(rng.choice(list(letters), n))
            if rng.random() < 0.35:  # an amount at the right margin
                text = text[: max(1, n - 9)].ljust(chars - 8) + f"{rng.uniform(0, 999):8.2f}"
            xs = x0 if rng.random() < 0.8 else round(x0 + rng.uniform(0, 0.3) * (x1 - x0))
            cv2.putText(ink, text[:chars], (xs, round(y)), font, scale, 255, thick, cv2.LINE_AA)
        y += line * rng.uniform(1.0, 1.5)
    if rng.random() < 0.6 and y + 14 * ppm < h:  # a barcode
        bx = x0 + round(rng.uniform(0, 0.2) * (x1 - x0))
        while bx < x1 - 0.15 * (x1 - x0):
            bw = round(rng.uniform(0.25, 0.9) * ppm)
            ink[round(y):round(y + 10 * ppm), bx:bx + bw] = 255
            bx += bw + round(rng.uniform(0.25, 0.9) * ppm)
    return ink.astype(np.float32) / 255.0


def _slip9_scene(rng: np.random.Generator, dpi: int, lbl: str, name: str) -> Gen3Page:
    """One of :data:`SLIP9_SCENES`: a thermal till receipt (57/58/79/80 mm roll) on a white lid.

    Its long edges differ from the lid by a level or two, in lightness or only in tint, one of
    them sometimes not at all; a curl lays a soft shadow along one long side (and a bright rim
    along the other); an end may be torn (serrated); the back's print may show through; on the
    lid, punch holes, a stamp, a black bar at the frame's side. ``receipt_backing_corner``: the
    receipt pushed into the glass's corner on a mid-grey card that fills the rest of the frame.
    """
    ppm = dpi / 25.4
    glass = (216.0, 297.0) if rng.random() < 0.6 else (216.0, 356.0)
    fw, fh = round(glass[0] * ppm), round(glass[1] * ppm)
    frame, level, tint = _slip9_lid(rng, fh, fw, ppm)
    width = float(rng.choice([57.0, 58.0, 79.0, 80.0])) + rng.uniform(-0.5, 0.5)
    length = float(rng.uniform(100, min(290.0, glass[1] - 12)))
    rw, rh = round(width * ppm), round(length * ppm)
    # The receipt's own image: paper a few levels off the lid (or none), tint its own.
    dl = rng.uniform(-2.5, 4.0) if rng.random() < 0.8 else 0.0
    paper_tint = tint + np.array([rng.uniform(-1.5, 1.5), 0.0, rng.uniform(-1.5, 1.5)], np.float32)
    doc = np.empty((rh, rw, 3), np.float32)
    doc[:] = level + dl + paper_tint
    doc += rng.normal(0, 0.6, (rh, rw, 1)).astype(np.float32)
    if rng.random() < 0.4:  # the back's print showing through: faint grey lines across
        back = _slip9_print(rng, rw, rh, ppm, width)
        doc -= rng.uniform(3, 9) * cv2.GaussianBlur(back[:, ::-1], (0, 0), 0.8 * ppm)[..., None]
    ink = _slip9_print(rng, rw, rh, ppm, width)
    dark = rng.uniform(70, 150)  # thermal print is grey, not black
    doc = doc * (1 - ink[..., None]) + (level + dl - dark) * ink[..., None]
    alpha = np.ones((rh, rw), np.float32)
    if rng.random() < 0.5:  # a torn end: teeth 1–2 mm deep, 2–4 mm apart
        depth, period = rng.uniform(1, 2) * ppm, rng.uniform(2, 4) * ppm
        xs = np.arange(rw)
        teeth = (depth * np.abs(((xs / period) % 1.0) * 2 - 1)).round().astype(int)
        top = rng.random() < 0.5
        for x, t in zip(xs, teeth, strict=True):
            if top:
                alpha[:t, x] = 0
            else:
                alpha[rh - t:, x] = 0
    # Laid on the lid: turned a little, anywhere (or into the corner on a backing card).
    ang = rng.uniform(-1.5, 1.5) if rng.random() < 0.8 else 0.0
    if name == "receipt_backing_corner":
        card = rng.uniform(150, 195)
        frame[:] = card + rng.uniform(-2, 2, 3).astype(np.float32) + \
            2 * _smooth_noise(rng, fh, fw, 40)[..., None] + rng.normal(0, 1.5, (fh, fw, 1)).astype(np.float32)
        right = rng.random() < 0.5
        cx = fw - rw / 2 + rng.uniform(0, 1.5) * ppm if right else rw / 2 - rng.uniform(0, 1.5) * ppm
        cy = rh / 2 - rng.uniform(0, 1.5) * ppm
        ang = 0.0
    else:
        cx = rng.uniform(rw / 2 + 4 * ppm, fw - rw / 2 - 4 * ppm)
        cy = rng.uniform(rh / 2 + 4 * ppm, fh - rh / 2 - 4 * ppm)
    m = cv2.getRotationMatrix2D((rw / 2, rh / 2), ang, 1.0)
    m[:, 2] += (cx - rw / 2, cy - rh / 2)
    a = cv2.warpAffine(alpha, m, (fw, fh), flags=cv2.INTER_LINEAR)
    # A curl: a soft shadow just outside one long side (and a bright rim just inside the other).
    if rng.random() < 0.6:
        side_x = 0 if rng.random() < 0.5 else rw - 1
        prof = np.zeros((rh, rw + 2 * round(4 * ppm)), np.float32)
        off = round(4 * ppm)
        sx = side_x + off + (-1 if side_x == 0 else 1)
        prof[:, sx] = 1.0
        prof = cv2.GaussianBlur(prof, (0, 0), rng.uniform(0.6, 2.0) * ppm)
        prof /= max(float(prof.max()), 1e-6)
        ms = m.copy()
        ms[:, 2] -= m[:, :2] @ np.array([off, 0.0])
        shade = cv2.warpAffine(prof, ms, (fw, fh), flags=cv2.INTER_LINEAR)
        frame -= rng.uniform(1.5, 6.0) * shade[..., None]
        if rng.random() < 0.6:
            rim_x = rw - 1 - side_x
            rim = np.zeros((rh, rw), np.float32)
            rim[:, max(0, rim_x - round(0.6 * ppm)):rim_x + 1] = rng.uniform(1.0, 3.0)
            doc += rim[..., None]
    d = cv2.warpAffine(doc, m, (fw, fh), flags=cv2.INTER_LINEAR)
    frame = frame * (1 - a[..., None]) + d * a[..., None]
    # The lid's own marks: punch holes of an earlier sheet, a "scanned" stamp, a black bar.
    if name != "receipt_backing_corner" and rng.random() < 0.3:
        hx = rng.uniform(8, 20) * ppm
        for hy in (0.35, 0.65):
            cv2.circle(frame, (round(hx), round(hy * fh)), round(3 * ppm), (60.0, 60.0, 60.0), -1, cv2.LINE_AA)
    if name != "receipt_backing_corner" and rng.random() < 0.25:
        sx, sy = rng.uniform(0.5, 0.8) * fw, rng.uniform(0.7, 0.95) * fh
        stamp = np.zeros((fh, fw), np.uint8)
        cv2.putText(stamp, "gescannt", (round(sx), round(sy)), cv2.FONT_HERSHEY_SIMPLEX, ppm / 5, 255,
                    max(1, round(0.5 * ppm)), cv2.LINE_AA)
        sa = stamp.astype(np.float32)[..., None] / 255.0
        frame = frame * (1 - sa) + 165.0 * sa
    if name != "receipt_backing_corner" and rng.random() < 0.3:
        frame[:, : round(rng.uniform(2, 7) * ppm)] = rng.uniform(15, 50)
    corners = np.array([[0, 0], [rw, 0], [rw, rh], [0, rh]], np.float64) - 0.5
    poly = corners @ m[:, :2].T + m[:, 2]
    img = _finish(rng, frame, rng.uniform(0.8, 2.2), int(rng.integers(80, 95)), rng.uniform(0.3, 0.7))
    return Gen3Page(np.ascontiguousarray(img), dpi, _truth(lbl, "slip", fw, fh, poly, true_dpi=dpi))


# Camera scenes of session 10 (issue #13), own rendering and choices; reached by name only:
# * photo_card_hand_desk: an ID card held in a hand a little above a desk. The hand holds it by
#   one end or one long side: a palm and 2–4 fingers behind and beyond that side (skin showing
#   *outside* the card along it, joined to the card's outline), a thumb lying over the card
#   across that side, sometimes a fingertip over the opposite side. Skin tones from dark brown
#   to a light tone close to the card's own; the desk (wood, mid or dark, cloth) sharp or blurred
#   by the lens' shallow focus, sometimes in a soft shadow; a sliver of a second card showing
#   behind it (20 %). Truth: the card (fingers over it included).
# * photo_spread_mottled_glare: an open A5/A6 booklet on a mottled cloth (soft blotches of a
#   greyish olive, khaki or brown, light patches nearly as light as the paper in the glare), a
#   lamp's glare over the spread's middle spilling onto the cloth, the phone at a slant.
#   Truth: the whole spread.
# * photo_checker_cloth: an A4/A5 page on a checked cloth (two-colour squares or a gingham of
#   crossing stripes, 1.5–5 % of the frame, dark red, purple, navy or green on a darker or a light
#   ground), its squares turned to lie within 12° of the page's sides — so their rows make long
#   straight steps beside and along the page; the page inside the frame or running off one side.
CAM10_SCENES = ("photo_card_hand_desk", "photo_spread_mottled_glare", "photo_checker_cloth")


def _skin(rng: np.random.Generator) -> np.ndarray:
    """A skin tone (BGR), from dark brown to a light tone near a card's own."""
    t = rng.uniform(0, 1)
    dark = np.array([55.0, 80.0, 115.0])
    light = np.array([175.0, 195.0, 232.0])
    return (dark + t * (light - dark) + rng.uniform(-8, 8, 3)).astype(np.float32)


def _blob_line(fh: int, fw: int, a: np.ndarray, b: np.ndarray, width: float, soft: float) -> np.ndarray:
    """A soft rounded stroke from ``a`` to ``b`` (a finger), as a 0…1 mask."""
    m = np.zeros((fh, fw), np.float32)
    cv2.line(m, (int(a[0]), int(a[1])), (int(b[0]), int(b[1])), 1.0, max(3, int(width)), cv2.LINE_AA)
    return cv2.GaussianBlur(m, (0, 0), soft)


def _cam10_scene(rng: np.random.Generator, name: str, lbl: str) -> Gen3Page:
    """One of :data:`CAM10_SCENES` (see there)."""
    fw, fh = (1600, 1200) if rng.random() < 0.6 else (1200, 1600)
    if name == "photo_checker_cloth":
        size = SIZES_MM["A4"] if rng.random() < 0.6 else SIZES_MM["A5"]
        doc = doc_page(rng, size, 1000 / 297 * 1.2, str(rng.choice(["form", "table", "sparse"])))
        dh, dw = doc.shape[:2]
        off = bool(rng.random() < 0.5)
        hm = _perspective(rng, dw, dh, fw, fh, rng.uniform(0.3, 0.6), off_frame=off)
        c = _apply(hm, _corners(dw, dh))
        e = c[1] - c[0]
        ang = math.atan2(float(e[1]), float(e[0])) + math.radians(rng.uniform(-12, 12))
        yy, xx = np.mgrid[0:fh, 0:fw].astype(np.float32)
        u = xx * math.cos(ang) + yy * math.sin(ang)
        v = -xx * math.sin(ang) + yy * math.cos(ang)
        sq = rng.uniform(0.015, 0.05) * min(fw, fh)
        cu, cv_ = (np.floor(u / sq) % 2).astype(np.float32), (np.floor(v / sq) % 2).astype(np.float32)
        ink = np.array(rng.choice([(40, 40, 150), (120, 40, 90), (110, 50, 30), (50, 100, 40)]), np.float32)
        ground = ink * rng.uniform(0.3, 0.6) if rng.random() < 0.6 else np.array([215.0, 220.0, 225.0])
        # Checks (alternate squares) or a gingham (stripes crossing, the crossings darkest).
        m = (cu + cv_) % 2 if rng.random() < 0.5 else 0.5 * (cu + cv_)
        frame = ground * (1 - m[..., None]) + ink * m[..., None]
        frame = cv2.GaussianBlur(frame, (0, 0), rng.uniform(0.5, 2.5))
        frame *= (1 + 0.06 * _smooth_noise(rng, fh, fw, 5))[..., None]
        poly = place(frame, doc, None, hm, shadow=rng.uniform(0.1, 0.3))
        return _phone_light(rng, frame, lbl, poly)
    if name == "photo_spread_mottled_glare":
        v = 0.5 + 0.5 * _fractal(rng, fh, fw, 3, int(rng.integers(2, 5)))
        dark = np.array(rng.choice([(70, 110, 120), (60, 95, 110), (70, 85, 100), (80, 100, 95)]), np.float32)
        light = dark + rng.uniform(90, 140)  # its light patches as light as the paper in the dim room
        frame = _colourise(np.clip((v - 0.5) * rng.uniform(1.5, 2.5) + 0.5, 0, 1), tuple(dark), tuple(light))
        frame += 4 * _fractal(rng, fh, fw, 2, 40)[..., None]
        doc, _ = _booklet(rng, 1000 / 297 * 1.2)
        dh, dw = doc.shape[:2]
        hm = _perspective(rng, dw, dh, fw, fh, rng.uniform(0.25, 0.5))
        poly = place(frame, doc, None, hm, shadow=rng.uniform(0.05, 0.2))
        frame *= rng.uniform(0.7, 0.9)  # a dim room: the paper greyish, the lamp's glare the light
        ctr = poly.mean(axis=0) + rng.normal(0, 0.05, 2) * [fw, fh]
        yy, xx = np.mgrid[0:fh, 0:fw].astype(np.float32)
        sx, sy = rng.uniform(0.06, 0.18) * fw, rng.uniform(0.08, 0.2) * fh
        frame += rng.uniform(50, 110) * np.exp(-(((xx - ctr[0]) / sx) ** 2 + ((yy - ctr[1]) / sy) ** 2) / 2)[..., None]
        _vignette(frame, rng.uniform(0.05, 0.25))
        img = _finish(rng, frame, rng.uniform(2, 4), int(rng.integers(55, 90)), rng.uniform(0.4, 1.2))
        return Gen3Page(img, None, _truth(lbl, "camera", fw, fh, poly))
    frame = background(rng, str(rng.choice(["wood", "wood", "desk_mid", "desk_dark", "cloth"])), fh, fw)
    if rng.random() < 0.5:  # the desk out of focus: the phone focused on the card held above it
        frame = cv2.GaussianBlur(frame, (0, 0), rng.uniform(4, 14))
    if rng.random() < 0.4:
        _soft_shadow(rng, frame)
    doc, alpha = doc_card(rng, 1000 / 297 * 1.2 * 2.5, back=bool(rng.random() < 0.35))
    dh, dw = doc.shape[:2]
    hm = _perspective(rng, dw, dh, fw, fh, rng.uniform(0.15, 0.4))
    c = _apply(hm, _corners(dw, dh))
    ctr = c.mean(axis=0)
    if rng.random() < 0.2:  # a second card behind, a sliver of it showing past one corner
        d2, a2 = doc_card(rng, 1000 / 297 * 1.2 * 2.5, back=bool(rng.random() < 0.5))
        shift = (c[int(rng.integers(4))] - ctr) * rng.uniform(0.05, 0.12)
        place(frame, d2, a2, np.array([[1, 0, shift[0]], [0, 1, shift[1]], [0, 0, 1.0]]) @ hm, shadow=0.2)
    skin = _skin(rng)
    shade = (1 + 0.1 * _smooth_noise(rng, fh, fw, 4))[..., None]
    side = int(rng.integers(4))  # the side the hand holds
    e0, e1 = c[side], c[(side + 1) % 4]
    mid = (e0 + e1) / 2
    out = mid - ctr
    out_u = out / max(1e-6, float(np.linalg.norm(out)))
    along = (e1 - e0) / max(1e-6, float(np.linalg.norm(e1 - e0)))
    depth = float(np.linalg.norm(out))  # centre to the held side
    span = float(np.linalg.norm(e1 - e0))
    fwid = rng.uniform(0.1, 0.16) * min(span, 2 * depth)  # a finger's width
    # Palm beyond the held side (behind the card), fingers curling out from behind along it.
    pm = np.zeros((fh, fw), np.float32)
    palm_c = mid + out_u * rng.uniform(0.6, 1.2) * depth + along * rng.uniform(-0.3, 0.3) * span
    cv2.ellipse(pm, (int(palm_c[0]), int(palm_c[1])), (int(0.45 * span), int(0.7 * depth) + 1),
                math.degrees(math.atan2(float(along[1]), float(along[0]))), 0, 360, 1.0, -1, cv2.LINE_AA)
    pm = cv2.GaussianBlur(pm, (0, 0), 3)
    n_f = int(rng.integers(2, 5))
    for t in np.linspace(rng.uniform(0.1, 0.35), rng.uniform(0.6, 0.9), n_f):
        base_pt = palm_c + along * (t - 0.5) * span * 0.8
        tip = e0 + t * (e1 - e0) + out_u * rng.uniform(-0.05, 0.15) * depth
        pm = np.maximum(pm, _blob_line(fh, fw, base_pt, tip, fwid, 2))
    frame[:] = frame * (1 - pm[..., None]) + skin * shade * pm[..., None]
    poly = place(frame, doc, alpha, hm, shadow=rng.uniform(0.1, 0.3))
    # A thumb over the held side, from outside onto the card; maybe a fingertip over the opposite side.
    tips = [(side, rng.uniform(0.2, 0.8), rng.uniform(0.15, 0.35))]
    if rng.random() < 0.4:
        tips.append(((side + 2) % 4, rng.uniform(0.2, 0.8), rng.uniform(0.06, 0.15)))
    for sd, t, reach in tips:
        a0, a1 = c[sd], c[(sd + 1) % 4]
        at = a0 + t * (a1 - a0)
        inward = ctr - (a0 + a1) / 2
        dist_in = float(np.linalg.norm(inward))
        inward /= max(1e-6, dist_in)
        tip = at + inward * reach * 2 * dist_in
        fm = _blob_line(fh, fw, at - inward * 4 * fwid, tip, 1.2 * fwid, 2)
        frame[:] = frame * (1 - fm[..., None]) + skin * 0.97 * shade * fm[..., None]
    return Gen3Page(_phone_sensor(rng, frame, lbl, poly).image, None, _truth(lbl, "card", fw, fh, poly))
# --------------------------------------------------------------------------- session 10 (slip)

# A till receipt laid crooked on a light lid and running off the glass (2026-12-07 session 10,
# slip; the class behind a held-out receipt cut to twice its width): turned 1.5–5° (a receipt
# dropped on the glass, not squared to it), one end past the frame's top or bottom edge by
# 5–60 mm, anywhere across the glass (often near a side); its long edges a level or two from
# the lid or nothing, a curl's shadow on one side only in some. Asked by name (``scene=``).
SLIP10_SCENES = ("receipt_crooked_off",)


def _slip10_scene(rng: np.random.Generator, dpi: int, lbl: str) -> Gen3Page:
    """:data:`SLIP10_SCENES`: a thermal receipt turned a few degrees, running off one end of the frame."""
    ppm = dpi / 25.4
    glass = (216.0, 297.0) if rng.random() < 0.5 else (216.0, 356.0)
    fw, fh = round(glass[0] * ppm), round(glass[1] * ppm)
    frame, level, tint = _slip9_lid(rng, fh, fw, ppm)
    frame += np.array([rng.uniform(-3, 0), rng.uniform(0, 3), rng.uniform(-3, 0)], np.float32)  # a greenish cast
    width = float(rng.choice([57.0, 58.0, 79.0, 80.0])) + rng.uniform(-0.5, 0.5)
    length = float(rng.uniform(150, 300))
    rw, rh = round(width * ppm), round(length * ppm)
    dl = rng.uniform(-3.0, 4.0) if rng.random() < 0.75 else 0.0
    doc = np.empty((rh, rw, 3), np.float32)
    doc[:] = level + dl + tint + np.array([rng.uniform(-1.5, 1.5), 0.0, rng.uniform(-1.5, 1.5)], np.float32)
    doc += rng.normal(0, 0.6, (rh, rw, 1)).astype(np.float32)
    ink = _slip9_print(rng, rw, rh, ppm, width)
    dark = rng.uniform(60, 150)
    doc = doc * (1 - ink[..., None]) + (level + dl - dark) * ink[..., None]
    ang = rng.uniform(1.5, 5.0) * (1 if rng.random() < 0.5 else -1)
    over = rng.uniform(5, 60) * ppm  # how far its end runs past the frame
    half_w = (rw * math.cos(math.radians(abs(ang))) + rh * math.sin(math.radians(abs(ang)))) / 2
    cx = rng.uniform(half_w + 2 * ppm, fw - half_w - 2 * ppm) if fw > 2 * half_w + 4 * ppm else fw / 2
    cy = fh - rh / 2 + over if rng.random() < 0.6 else rh / 2 - over
    m = cv2.getRotationMatrix2D((rw / 2, rh / 2), ang, 1.0)
    m[:, 2] += (cx - rw / 2, cy - rh / 2)
    a = cv2.warpAffine(np.ones((rh, rw), np.float32), m, (fw, fh), flags=cv2.INTER_LINEAR)
    if rng.random() < 0.4:  # a curl's soft shadow outside one long side
        side_x = 0 if rng.random() < 0.5 else rw - 1
        off = round(4 * ppm)
        prof = np.zeros((rh, rw + 2 * off), np.float32)
        prof[:, side_x + off + (-1 if side_x == 0 else 1)] = 1.0
        prof = cv2.GaussianBlur(prof, (0, 0), rng.uniform(0.6, 2.0) * ppm)
        prof /= max(float(prof.max()), 1e-6)
        ms = m.copy()
        ms[:, 2] -= m[:, :2] @ np.array([off, 0.0])
        frame -= rng.uniform(1.5, 5.0) * cv2.warpAffine(prof, ms, (fw, fh), flags=cv2.INTER_LINEAR)[..., None]
    d = cv2.warpAffine(doc, m, (fw, fh), flags=cv2.INTER_LINEAR)
    frame = frame * (1 - a[..., None]) + d * a[..., None]
    corners = np.array([[0, 0], [rw, 0], [rw, rh], [0, rh]], np.float64) - 0.5
    poly = corners @ m[:, :2].T + m[:, 2]
    img = _finish(rng, frame, rng.uniform(0.8, 2.0), int(rng.integers(80, 95)), rng.uniform(0.3, 0.7))
    return Gen3Page(np.ascontiguousarray(img), dpi, _truth(lbl, "slip", fw, fh, poly, true_dpi=dpi,
                                                          notes=f"turned {ang:.1f}°, {width:.0f} mm roll"))


# --------------------------------------------------------------------------- session 11: lid (objects on a sheet)

# Session 11 lid scenes (issue #13; classes named by the lead from gen6's frames, rebuilt here with
# own choices; reached by name, SCENES' cycle unchanged):
# - letter_note_lid: an A4 letter (a letterhead band, maybe a clip at its top edge) on a white lid,
#   a coloured sticky note (51–76 × 51–127 mm) stuck inside the page with two handwritten lines —
#   the note's strong edge must not become "the page";
# - stapled_fold_lid: a yellowed copy, creased (folded in three or four and flattened), one
#   corner dog-eared (folded over: a triangle of lid shows, the flap lies on the page), a staple
#   near a top corner, turned up to ±2.5° on a white lid. The truth is the sheet's outline as cut.
LID11_SCENES = ("letter_note_lid", "stapled_fold_lid")


def _lid11_scene(rng: np.random.Generator, dpi: int, lbl: str, name: str, ppm2: float) -> Gen3Page:
    """One of :data:`LID11_SCENES` (see there)."""
    ppm = dpi / 25.4
    glass = (216.0, 297.0) if rng.random() < 0.5 else (216.0, 356.0)
    fw, fh = round(glass[0] * ppm), round(glass[1] * ppm)
    frame, level = _mottled_lid(rng, fh, fw, ppm)
    aged = name == "stapled_fold_lid"
    # Drawn in 8 bits (cv2.putText wants them), toned in float at the end.
    doc = np.clip(doc_page(rng, SIZES_MM["A4"], ppm2, "form", "white"), 0, 255).astype(np.uint8)
    dh, dw = doc.shape[:2]
    if rng.random() < 0.7:  # a letterhead: a coloured band or a round logo and a rule
        col = tuple(float(v) for v in rng.uniform(40, 160, 3))
        y = round(rng.uniform(6, 12) * ppm2)
        cv2.circle(doc, (round(rng.uniform(14, 24) * ppm2), y + round(5 * ppm2)), round(5 * ppm2), col, -1, cv2.LINE_AA)
        cv2.line(doc, (round(10 * ppm2), y + round(12 * ppm2)), (dw - round(10 * ppm2), y + round(12 * ppm2)), col,
                 max(1, round(0.5 * ppm2)), cv2.LINE_AA)
    if aged:
        # Creases: a fold leaves a thin light ridge beside a thin shadow, across the sheet.
        folds = int(rng.integers(2, 4))
        for i in range(1, folds + 1):
            y = dh * i / (folds + 1) + rng.uniform(-6, 6) * ppm2
            d = rng.uniform(8, 20)
            cv2.line(doc, (0, round(y)), (dw, round(y + rng.uniform(-3, 3) * ppm2)),
                     tuple(float(v) - d for v in doc[dh // 2, 4]), max(1, round(0.4 * ppm2)), cv2.LINE_AA)
            cv2.line(doc, (0, round(y + 0.6 * ppm2)), (dw, round(y + 0.6 * ppm2)),
                     tuple(min(255.0, float(v) + d / 3) for v in doc[dh // 2, 4]), max(1, round(0.3 * ppm2)),
                     cv2.LINE_AA)
        if rng.random() < 0.5:  # a vertical fold too
            x = dw / 2 + rng.uniform(-5, 5) * ppm2
            cv2.line(doc, (round(x), 0), (round(x), dh), tuple(float(v) - 10 for v in doc[4, dw // 2]),
                     max(1, round(0.4 * ppm2)), cv2.LINE_AA)
        # A staple near a top corner, slanted.
        sx = round(rng.uniform(8, 18) * ppm2) if rng.random() < 0.7 else dw - round(rng.uniform(8, 18) * ppm2)
        sy = round(rng.uniform(8, 16) * ppm2)
        a = math.radians(rng.uniform(-50, 50))
        half = 6 * ppm2
        cv2.line(doc, (round(sx - half * math.cos(a)), round(sy - half * math.sin(a))),
                 (round(sx + half * math.cos(a)), round(sy + half * math.sin(a))), (120, 120, 125),
                 max(1, round(0.7 * ppm2)), cv2.LINE_AA)
    elif rng.random() < 0.6:  # a paper clip over the top edge: a grey wire loop
        cx = round(rng.uniform(0.3, 0.7) * dw)
        wid, hgt = round(8 * ppm2), round(rng.uniform(25, 35) * ppm2)
        cv2.rectangle(doc, (cx - wid // 2, -round(5 * ppm2)), (cx + wid // 2, hgt), (140, 140, 145),
                      max(1, round(0.6 * ppm2)), cv2.LINE_AA)
    alpha = np.ones((dh, dw), np.float32)
    if not aged:
        # The sticky note inside the page (never over an edge): bright yellow/pink/green, two
        # handwritten-looking lines.
        nw, nh = (rng.uniform(51, 76), rng.uniform(51, 76)) if rng.random() < 0.7 else (76.0, 127.0)
        if rng.random() < 0.3:
            nw, nh = nh, nw
        col = [(120, 235, 250), (200, 190, 250), (170, 245, 190)][int(rng.integers(3)) if rng.random() < 0.4 else 0]
        x0 = round(rng.uniform(12, 210 - 12 - nw) * ppm2)
        y0 = round(rng.uniform(40, 297 - 12 - nh) * ppm2)
        x1, y1 = x0 + round(nw * ppm2), y0 + round(nh * ppm2)
        if rng.random() < 0.6:  # its lifted lower edge casts a faint shadow
            under = doc[min(y1, dh - 1), min(x1, dw - 1)]
            cv2.rectangle(doc, (x0 + 3, y0 + 6), (x1 + 3, y1 + 6), tuple(float(v) - 25 for v in under), -1)
        doc[y0:y1, x0:x1] = np.clip(np.array(col, np.float32) + rng.uniform(-6, 4), 0, 255).astype(np.uint8)
        pen = (130, 60, 30) if rng.random() < 0.5 else (40, 40, 40)
        for j in range(2):
            cv2.putText(doc, _words(rng, 2), (x0 + round(5 * ppm2), y0 + round((15 + 18 * j) * ppm2)), FONTS[2],
                        4.5 * ppm2 / 22, pen, max(1, round(0.5 * ppm2)), cv2.LINE_AA)
    else:
        # The dog-ear: a corner folded over along a diagonal; the lid shows where the corner was
        # and the flap (the sheet's back, a little darker) lies mirrored on the page.
        c = int(rng.integers(4))
        s = round(rng.uniform(12, 35) * ppm2)
        t = round(s * rng.uniform(0.7, 1.3))
        cx, cy = (0, 0) if c == 0 else (dw - 1, 0) if c == 1 else (dw - 1, dh - 1) if c == 2 else (0, dh - 1)
        sx, sy = (1 if cx == 0 else -1), (1 if cy == 0 else -1)
        tri = np.array([[cx, cy], [cx + sx * s, cy], [cx, cy + sy * t]], np.int32)
        cv2.fillConvexPoly(alpha, tri, 0.0)
        # The flap: the corner reflected over the fold line.
        p, q = np.array([cx + sx * s, cy], np.float64), np.array([cx, cy + sy * t], np.float64)
        u = (q - p) / np.linalg.norm(q - p)
        v = np.array([cx, cy], np.float64) - p
        refl = p + 2 * (v @ u) * u - v
        flap = np.array([p, q, refl]).round().astype(np.int32)
        # The sheet's back, a little darker than its face (each channel drawn on its own).
        back = tuple(float(x) - float(rng.uniform(6, 18)) for x in doc[dh // 2, dw // 2])
        cv2.fillConvexPoly(doc, flap, back, cv2.LINE_AA)
        cv2.polylines(doc, [flap], True, tuple(float(x) - 30 for x in doc[dh // 2, dw // 2]), 1, cv2.LINE_AA)
    docf = doc.astype(np.float32)
    if aged:  # yellowed: blue drops most, a slow blotchy tone over the sheet
        docf += np.array([rng.uniform(-38, -18), rng.uniform(-12, -4), rng.uniform(-4, 0)], np.float32)
        docf += (4 * _fractal(rng, dh, dw, 3, 4))[..., None]
    doc = docf
    # The paper against the lid: about as light (a white lid), sometimes a few levels darker.
    paper = float(np.percentile(doc[::4, ::4, 1], 90))
    doc = doc + (level + rng.uniform(-6, 6) - paper) * (0.4 if aged else 1.0)
    ang = rng.uniform(-2.5, 2.5) if aged else (rng.uniform(-1.5, 1.5) if rng.random() < 0.7 else 0.0)
    ca, sa = abs(math.cos(math.radians(ang))), abs(math.sin(math.radians(ang)))
    bw, bh = (dw * ca + dh * sa) * 0.25, (dw * sa + dh * ca) * 0.25
    cx = fw / 2 + rng.uniform(-1, 1) * max(0.0, fw / 2 - bw - 1 * ppm)
    top = rng.random() < 0.6  # against the glass's top edge, or anywhere down it
    cy = bh + rng.uniform(1, 8) * ppm if top else fh / 2 + rng.uniform(-1, 1) * max(0.0, fh / 2 - bh - ppm)
    hm = _similarity(ang, 0.5, cx, cy, dw, dh)
    poly = place(frame, doc, alpha, hm, shadow=rng.uniform(0.0, 0.05))
    img = _finish(rng, frame, rng.uniform(0.8, 2.0), int(rng.integers(80, 94)), rng.uniform(0.3, 0.6))
    return Gen3Page(np.ascontiguousarray(img), dpi, _truth(lbl, "flatbed", fw, fh, poly, true_dpi=dpi,
                                                          notes=f"turned {ang:.2f}°"))
# --------------------------------------------------------------------------- session 11 (camera)

# Camera scenes of session 11 (issue #13), own rendering and choices; reached by name only:
# * photo_gingham_dim: an A4/A5 page on a gingham tablecloth (light, mid and dark squares: two
#   stripe systems crossing, the crossings darkest; neutral grey/black, or one colour) in a dim
#   room: the whole scene darkened to 45–75 %, so the cloth's light squares are as light as the
#   paper; the checks' period 2.5–6 % of the frame and their rows at *their own* angle, not the
#   page's; noisy sensor, sometimes out of focus; the page inside the frame or off one side.
# * photo_visualiser_mat: a document camera straight over a pale cutting mat (green, grey or pink,
#   a fine grid with a darker line every fifth), the page laid square-ish on it (±8°), a form with
#   a strong printed border inset 4–12 mm; the officer's fingertips over the page's edge at one or
#   two points; even light, a slight barrel distortion of the lens.
CAM11_SCENES = ("photo_gingham_dim", "photo_visualiser_mat")


def _gingham(rng: np.random.Generator, fh: int, fw: int, ang: float, period: float) -> np.ndarray:
    """A gingham (BGR float): stripes of one ink crossing at ``ang`` (radians); the ground light,
    one stripe system a mid tone, the crossings darkest."""
    yy, xx = np.mgrid[0:fh, 0:fw].astype(np.float32)
    u = xx * math.cos(ang) + yy * math.sin(ang) + rng.uniform(0, period)
    v = -xx * math.sin(ang) + yy * math.cos(ang) + rng.uniform(0, period)
    su = (np.floor(u / (period / 2)) % 2).astype(np.float32)
    sv = (np.floor(v / (period / 2)) % 2).astype(np.float32)
    m = 0.5 * (su + sv)  # 0 ground, 0.5 one stripe, 1 crossing
    if rng.random() < 0.5:
        ink = np.array([30.0, 30.0, 30.0]) * rng.uniform(0.5, 1.5)
    else:
        ink = np.array(rng.choice([(40, 40, 160), (140, 60, 30), (50, 110, 40), (110, 40, 100)]), np.float32)
    ground = np.array([232.0, 234.0, 236.0]) + rng.uniform(-12, 6)
    frame = ground * (1 - m[..., None]) + ink * m[..., None]
    # woven threads: a faint fine texture; the cloth's folds: a slow shading
    frame += 5 * rng.standard_normal((fh, fw, 1)).astype(np.float32)
    frame *= (1 + 0.08 * _smooth_noise(rng, fh, fw, 4))[..., None]
    return frame.astype(np.float32)


def _barrel(img: np.ndarray, k1: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A lens' barrel distortion of ``img``: (the distorted image, map_x, map_y) — the maps give,
    for each output pixel, where it comes from."""
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    cx, cy, r0 = (w - 1) / 2, (h - 1) / 2, math.hypot(w, h) / 2
    dx, dy = (xx - cx) / r0, (yy - cy) / r0
    f = 1 + k1 * (dx * dx + dy * dy)
    mx, my = cx + dx * f * r0, cy + dy * f * r0
    return cv2.remap(img, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT), mx, my


def _cam11_scene(rng: np.random.Generator, name: str, lbl: str) -> Gen3Page:
    """One of :data:`CAM11_SCENES` (see there)."""
    fw, fh = (1600, 1200) if rng.random() < 0.5 else (1200, 1600)
    ppm = 1000 / 297 * 1.2
    if name == "photo_gingham_dim":
        size = SIZES_MM["A4"] if rng.random() < 0.7 else SIZES_MM["A5"]
        doc = doc_page(rng, size, ppm, str(rng.choice(["form", "table", "sparse"])))
        dh, dw = doc.shape[:2]
        off = bool(rng.random() < 0.35)
        hm = _perspective(rng, dw, dh, fw, fh, rng.uniform(0.25, 0.55), off_frame=off)
        frame = _gingham(rng, fh, fw, math.radians(rng.uniform(0, 90)), rng.uniform(0.025, 0.06) * min(fw, fh))
        poly = place(frame, doc, None, hm, shadow=rng.uniform(0.1, 0.35))
        frame *= rng.uniform(0.45, 0.75)  # the dim room
        _vignette(frame, rng.uniform(0.1, 0.35))
        if rng.random() < 0.3:
            _soft_shadow(rng, frame)
        img = _finish(rng, frame, rng.uniform(3, 6), int(rng.integers(50, 85)),
                      rng.uniform(0.5, 2.0) if rng.random() < 0.4 else rng.uniform(0.3, 0.8))
        return Gen3Page(img, None, _truth(lbl, "camera", fw, fh, poly))
    # photo_visualiser_mat
    tint = np.array(rng.choice([(150, 190, 120), (185, 185, 180), (185, 175, 215)]), np.float32)
    tint += rng.uniform(-10, 15)
    frame = np.empty((fh, fw, 3), np.float32)
    frame[:] = tint
    cell = rng.uniform(0.012, 0.025) * min(fw, fh)  # a 1 cm grid at the camera's scale
    line = tint * rng.uniform(0.6, 0.8)
    x0, y0 = rng.uniform(0, cell), rng.uniform(0, cell)
    for i in range(int(max(fw, fh) / cell) + 2):
        thick = 2 if i % 5 == 0 else 1
        c = tuple(float(v) for v in (line * (0.85 if i % 5 == 0 else 1.0)))
        x, y = round(x0 + i * cell), round(y0 + i * cell)
        cv2.line(frame, (x, 0), (x, fh - 1), c, thick, cv2.LINE_AA)
        cv2.line(frame, (0, y), (fw - 1, y), c, thick, cv2.LINE_AA)
    size = SIZES_MM["A4"] if rng.random() < 0.7 else SIZES_MM["A5"]
    doc = doc_page(rng, size, ppm, str(rng.choice(["form", "table"])))
    dh, dw = doc.shape[:2]
    inset = rng.uniform(4, 12) * ppm
    bc = tuple(float(v) for v in rng.choice([(140, 60, 30), (40, 40, 40), (40, 40, 160)]))
    bt = max(2, int(rng.uniform(0.6, 1.5) * ppm))
    cv2.rectangle(doc, (int(inset), int(inset)), (int(dw - inset), int(dh - inset)), bc, bt, cv2.LINE_AA)
    if rng.random() < 0.5:  # a double rule
        g = int(bt + 1.5 * ppm)
        cv2.rectangle(doc, (int(inset) + g, int(inset) + g), (int(dw - inset) - g, int(dh - inset) - g), bc, 1,
                      cv2.LINE_AA)
    fill = rng.uniform(0.3, 0.6)
    scale = math.sqrt(fill * fw * fh / (dw * dh))
    hm = _similarity(rng.uniform(-8, 8), scale, fw / 2 + rng.uniform(-0.1, 0.1) * fw,
                     fh / 2 + rng.uniform(-0.08, 0.08) * fh, dw, dh)
    poly = place(frame, doc, None, hm, shadow=rng.uniform(0.05, 0.15))
    c = poly
    skin = _skin(rng)
    ctr = c.mean(axis=0)
    for _ in range(int(rng.integers(1, 3))):  # fingertips over the page's edge
        sd = int(rng.integers(4))
        a0, a1 = c[sd], c[(sd + 1) % 4]
        at = a0 + rng.uniform(0.15, 0.85) * (a1 - a0)
        inward = ctr - (a0 + a1) / 2
        inward /= max(1e-6, float(np.linalg.norm(inward)))
        wid = rng.uniform(0.025, 0.04) * min(fw, fh)
        fm = _blob_line(fh, fw, at - inward * 6 * wid, at + inward * rng.uniform(0.3, 1.0) * wid, wid, 2)
        frame[:] = frame * (1 - fm[..., None]) + skin * fm[..., None]
    frame *= rng.uniform(0.85, 1.0)
    frame, mx, my = _barrel(frame, rng.uniform(0.01, 0.04))
    # the truth's corners move with the lens: each goes where its distorted pixel lands
    mapped = []
    for x, y in poly:
        d = (mx - x) ** 2 + (my - y) ** 2
        j = int(np.argmin(d))
        mapped.append([j % fw, j // fw])
    poly = np.asarray(mapped, np.float64)
    img = _finish(rng, frame, rng.uniform(1.5, 3), int(rng.integers(70, 92)), rng.uniform(0.3, 0.7))
    return Gen3Page(img, None, _truth(lbl, "camera", fw, fh, poly))

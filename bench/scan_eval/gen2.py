"""A second generator of counter scans, written apart from ``counter_dev/testpages.py``.

Issue #13: a pipeline tuned against one generator learns that generator. This one is written
from scratch with other choices, so that a figure measured here says something the first
generator cannot:

* content: Vietnamese administrative forms, dense two-column notices, tables, receipts, CCCD
  cards (front with portrait box and emblem, back with chip, fingerprint boxes and MRZ lines),
  photocopies whose content is crooked on the sheet, blank sheets, near-blank sheets (one faint
  pencil stroke, one stamp, one page number), red seals;
* scenes: flatbed glass under a light-grey lid with a small object laid at the corner (ID-1
  card 85.6 × 54 mm, two cards side by side, A5 and A6 slips, receipts), sheet feeder frames with
  dark scanner bars, phone photos on wood, cloth, dark and light desks and cluttered desks, open
  two-page spreads, pages running off the photo;
* capture: perspective, sheet curl, glare, cast shadows, motion blur, JPEG artefacts, reported
  DPI missing or wrong; quarter turns 90/180/270 and skews of 0.2–5°.

Everything is seeded (``generate(seed, n, dpi)``) and each page comes with exact truth in the
same shape as ``real_truth.json``: the outline polygon of the paper (of both cards, of the
whole spread) clipped to the frame, the clockwise quarter-turn that makes it upright, the text
skew (counter-clockwise positive), blank / near-blank, red seal, class, and the DPI a reader of
the file would see. Only NumPy, OpenCV and Pillow; text in Liberation Serif (resources/fonts).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[2]
FONTS = ROOT / "resources" / "fonts"

# Paper sizes in mm (ISO 216; ID-1 from ISO/IEC 7810; an 80 mm thermal receipt roll).
A4 = (210.0, 297.0)
A5 = (148.0, 210.0)
A6 = (105.0, 148.0)
ID1 = (85.6, 54.0)
RECEIPT_W = 80.0
FLATBED_BED = (216.0, 297.0)  # a common A4 glass (letter width)

WORDS = (  # noqa: SIM905 - a sentence is easier to read and edit than 120 quoted words
    "Ủy ban nhân dân xã phường thị trấn đề nghị cấp giấy chứng nhận đăng ký khai sinh kết hôn "
    "hộ tịch thường trú tạm trú công dân căn cước số định danh cá nhân ngày tháng năm sinh "
    "quê quán nơi cư trú hồ sơ gồm bản sao chứng thực xác nhận tình trạng hôn nhân thời hạn "
    "giải quyết trả kết quả bộ phận một cửa tiếp nhận người nộp lệ phí biên lai thu tiền "
    "theo quy định tại nghị định thông tư quyết định của chủ tịch cán bộ công chức tư pháp "
    "địa chính đất đai quyền sử dụng thửa tờ bản đồ diện tích mục đích thời hạn nguồn gốc"
).split()
HEADER_L = ("ỦY BAN NHÂN DÂN", "XÃ AN BÌNH")
HEADER_R = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
TITLES = ("TỜ KHAI ĐĂNG KÝ KHAI SINH", "GIẤY TIẾP NHẬN HỒ SƠ", "ĐƠN ĐỀ NGHỊ", "BIÊN LAI THU LỆ PHÍ",
          "THÔNG BÁO", "GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN")


@dataclass
class Gen2Page:
    """One generated frame and its truth (same fields as the real set's truth)."""

    image: np.ndarray  # BGR uint8, what the scanner / phone delivered
    dpi: int | None  # the DPI a reader of the file would see (None: no DPI, as phones)
    truth: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- drawing helpers


@lru_cache(maxsize=64)
def _font(px: int, bold: bool = False, italic: bool = False) -> ImageFont.FreeTypeFont:
    style = {(False, False): "Regular", (True, False): "Bold", (False, True): "Italic",
             (True, True): "BoldItalic"}[(bold, italic)]
    return ImageFont.truetype(str(FONTS / f"LiberationSerif-{style}.ttf"), max(6, px))


def _px(mm: float, dpi: float) -> int:
    return max(1, round(mm / 25.4 * dpi))


def _sentence(rng: np.random.Generator, n: int) -> str:
    return " ".join(rng.choice(WORDS, n)).capitalize()


def _paper(rng: np.random.Generator, w: int, h: int, tone: int | None = None) -> Image.Image:
    """Off-white paper with a faint fibre texture (never pure 255, as real paper)."""
    base = int(tone if tone is not None else rng.integers(236, 252))
    tint = rng.integers(-4, 3, 3)
    arr = np.empty((h, w, 3), np.float32)
    arr[:] = base + tint
    small = rng.normal(0, 1.6, (max(2, h // 8), max(2, w // 8))).astype(np.float32)
    arr += cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)[:, :, None]
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def _seal(img: Image.Image, rng: np.random.Generator, cx: int, cy: int, r: int) -> None:
    """A round red seal (con dấu): two rings, a star, ring text; drawn translucent as real ink."""
    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    red = (int(rng.integers(190, 225)), int(rng.integers(20, 50)), int(rng.integers(30, 60)), 200)
    wd = max(2, r // 14)
    d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=red, width=wd)
    d.ellipse((cx - int(r * 0.72), cy - int(r * 0.72), cx + int(r * 0.72), cy + int(r * 0.72)),
              outline=red, width=max(1, wd // 2))
    pts = []
    for k in range(10):
        rad = r * (0.3 if k % 2 == 0 else 0.12)
        a = -math.pi / 2 + k * math.pi / 5
        pts.append((cx + rad * math.cos(a), cy + rad * math.sin(a)))
    d.polygon(pts, fill=red)
    f = _font(max(6, r // 6), bold=True)
    text = "ỦY BAN NHÂN DÂN * XÃ AN BÌNH *"
    for k, ch in enumerate(text):
        a = -math.pi + k * 2 * math.pi / len(text)
        d.text((cx + 0.86 * r * math.cos(a), cy + 0.86 * r * math.sin(a)), ch, font=f, fill=red, anchor="mm")
    img.paste(layer, (0, 0), layer)


def _lines_block(d: ImageDraw.ImageDraw, rng: np.random.Generator, x: int, y: int, width: int, bottom: int,
                 px: int, justify: bool = False) -> int:
    """Fill a column with paragraphs of text; returns the y where it stopped."""
    f = _font(px)
    lead = int(px * 1.35)
    while y + lead < bottom:
        words = list(rng.choice(WORDS, int(rng.integers(25, 70))))
        line: list[str] = []
        first = True
        for wd in words:
            trial = " ".join([*line, wd])
            indent = px * 2 if first else 0
            if d.textlength(trial, font=f) > width - indent and line:
                _draw_line(d, x + indent, y, line, f, width - indent, justify)
                y += lead
                line, first = [wd], False
                if y + lead >= bottom:
                    return y
            else:
                line.append(wd)
        if line:
            d.text((x + (px * 2 if first else 0), y), " ".join(line), font=f, fill=(25, 25, 30))
            y += lead
        y += lead // 3
    return y


def _draw_line(d: ImageDraw.ImageDraw, x: int, y: int, words: list[str], f: ImageFont.FreeTypeFont,
               width: int, justify: bool) -> None:
    if not justify or len(words) < 2:
        d.text((x, y), " ".join(words), font=f, fill=(25, 25, 30))
        return
    total = sum(d.textlength(w, font=f) for w in words)
    gap = (width - total) / (len(words) - 1)
    cx = float(x)
    for w in words:
        d.text((round(cx), y), w, font=f, fill=(25, 25, 30))
        cx += d.textlength(w, font=f) + gap


# --------------------------------------------------------------------------- documents (upright)


def doc_form(rng: np.random.Generator, dpi: float, size_mm: tuple[float, float], seal: bool) -> Image.Image:
    """A one-column administrative form with the national header, a title, text and dotted fields."""
    w, h = _px(size_mm[0], dpi), _px(size_mm[1], dpi)
    img = _paper(rng, w, h)
    d = ImageDraw.Draw(img)
    m = _px(18 if size_mm[0] > 150 else 10, dpi)
    pt = dpi / 72.0
    fs = max(7, round(pt * (11 if size_mm[0] > 150 else 9)))
    fb = _font(fs, bold=True)
    d.text((m + (w // 2 - m) // 2, m), HEADER_L[0], font=fb, fill=(20, 20, 20), anchor="ma")
    d.text((m + (w // 2 - m) // 2, m + int(fs * 1.3)), HEADER_L[1], font=fb, fill=(20, 20, 20), anchor="ma")
    d.text((w * 3 // 4 - m // 4, m), HEADER_R[0], font=_font(int(fs * 0.9), bold=True), fill=(20, 20, 20),
           anchor="ma")
    d.text((w * 3 // 4 - m // 4, m + int(fs * 1.3)), HEADER_R[1], font=fb, fill=(20, 20, 20), anchor="ma")
    y = m + int(fs * 4)
    d.text((w // 2, y), str(rng.choice(TITLES)), font=_font(int(fs * 1.3), bold=True), fill=(10, 10, 10), anchor="ma")
    y += int(fs * 3)
    f = _font(fs)
    for _ in range(int(rng.integers(4, 8))):  # labelled fields with dotted leaders
        label = _sentence(rng, int(rng.integers(2, 5))) + ":"
        d.text((m, y), label, font=f, fill=(25, 25, 30))
        x0 = m + int(d.textlength(label, font=f)) + fs // 2
        for x in range(x0, w - m, max(3, fs // 3)):
            d.point((x, y + int(fs * 0.9)), fill=(60, 60, 60))
        y += int(fs * 1.6)
    y = _lines_block(d, rng, m, y + fs, w - 2 * m, int(h * 0.72), fs, justify=True)
    sx = w * 3 // 4
    d.text((sx, int(h * 0.75)), "NGƯỜI NỘP HỒ SƠ", font=fb, fill=(20, 20, 20), anchor="ma")
    d.text((sx, int(h * 0.75) + int(fs * 1.3)), "(Ký, ghi rõ họ tên)", font=_font(fs, italic=True),
           fill=(20, 20, 20), anchor="ma")
    if seal:
        _seal(img, rng, sx - fs * 2, int(h * 0.8) + fs * 2, _px(19, dpi))
    return img


def doc_dense(rng: np.random.Generator, dpi: float) -> Image.Image:
    """A dense A4 notice in two justified columns of small type (the hard case for skew)."""
    w, h = _px(A4[0], dpi), _px(A4[1], dpi)
    img = _paper(rng, w, h)
    d = ImageDraw.Draw(img)
    m = _px(14, dpi)
    fs = max(6, round(dpi / 72.0 * 8.5))
    d.text((w // 2, m), str(rng.choice(TITLES)), font=_font(int(fs * 1.6), bold=True), fill=(10, 10, 10),
           anchor="ma")
    gut = _px(6, dpi)
    cw = (w - 2 * m - gut) // 2
    top = m + fs * 4
    for c in range(2):
        _lines_block(d, rng, m + c * (cw + gut), top, cw, h - m, fs, justify=True)
    return img


def doc_table(rng: np.random.Generator, dpi: float) -> Image.Image:
    """An A4 table of names and numbers with ruled lines."""
    w, h = _px(A4[0], dpi), _px(A4[1], dpi)
    img = _paper(rng, w, h)
    d = ImageDraw.Draw(img)
    m = _px(15, dpi)
    fs = max(6, round(dpi / 72.0 * 9))
    d.text((w // 2, m), "DANH SÁCH HỒ SƠ TIẾP NHẬN", font=_font(int(fs * 1.4), bold=True), fill=(10, 10, 10),
           anchor="ma")
    cols = [0, 0.08, 0.45, 0.7, 1.0]
    y0 = m + fs * 4
    rh = int(fs * 1.8)
    rows = int((h - m - y0) // rh) - 2
    for r in range(rows + 1):
        d.line((m, y0 + r * rh, w - m, y0 + r * rh), fill=(40, 40, 40), width=max(1, fs // 10))
    for c in cols:
        x = m + int(c * (w - 2 * m))
        d.line((x, y0, x, y0 + rows * rh), fill=(40, 40, 40), width=max(1, fs // 10))
    f = _font(fs)
    for r in range(rows):
        y = y0 + r * rh + rh // 5
        d.text((m + fs // 2, y), str(r + 1), font=f, fill=(20, 20, 20))
        d.text((m + int(0.08 * (w - 2 * m)) + fs // 2, y), _sentence(rng, 3), font=f, fill=(20, 20, 20))
        d.text((m + int(0.45 * (w - 2 * m)) + fs // 2, y), f"{rng.integers(10**8, 10**9)}", font=f, fill=(20, 20, 20))
        d.text((m + int(0.7 * (w - 2 * m)) + fs // 2, y), f"{rng.integers(1, 28):02d}/{rng.integers(1, 12):02d}/2026",
               font=f, fill=(20, 20, 20))
    return img


def doc_receipt(rng: np.random.Generator, dpi: float) -> Image.Image:
    """A thermal receipt, 80 mm wide, 110–160 mm long, grey-ish print."""
    w, h = _px(RECEIPT_W, dpi), _px(float(rng.uniform(110, 160)), dpi)
    img = _paper(rng, w, h, tone=int(rng.integers(242, 252)))
    d = ImageDraw.Draw(img)
    fs = max(6, round(dpi / 72.0 * 8))
    m = _px(5, dpi)
    y = m
    d.text((w // 2, y), "BIÊN LAI THU PHÍ, LỆ PHÍ", font=_font(int(fs * 1.15), bold=True), fill=(50, 50, 50),
           anchor="ma")
    y += int(fs * 2.2)
    f = _font(fs)
    while y < h - m - fs * 2:
        item = _sentence(rng, int(rng.integers(2, 4)))
        d.text((m, y), item[:28], font=f, fill=(60, 60, 60))
        d.text((w - m, y), f"{rng.integers(1, 50) * 1000:,}đ".replace(",", "."), font=f, fill=(60, 60, 60), anchor="ra")
        y += int(fs * 1.45)
    return img


def doc_card(rng: np.random.Generator, dpi: float, back: bool) -> Image.Image:
    """A CCCD-like ID-1 card (85.6 × 54 mm), rounded corners drawn by the caller's mask."""
    w, h = _px(ID1[0], dpi), _px(ID1[1], dpi)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    base = np.empty((h, w, 3), np.float32)
    # pale green-blue guilloche background, different on each side
    wave = np.sin(xx / (w / 40.0) + np.sin(yy / (h / 6.0)) * 2.0) * 6
    base[:] = (206, 228, 222) if not back else (220, 222, 232)
    base += wave[:, :, None]
    img = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8))
    d = ImageDraw.Draw(img)
    fs = max(6, round(dpi / 72.0 * 5.5))
    if not back:
        r = _px(6.5, dpi)
        d.ellipse((_px(4, dpi), _px(4, dpi), _px(4, dpi) + 2 * r, _px(4, dpi) + 2 * r), fill=(200, 40, 40))
        d.regular_polygon((_px(4, dpi) + r, _px(4, dpi) + r, r // 2), 5, fill=(250, 210, 40))
        d.text((w // 2 + _px(6, dpi), _px(4, dpi)), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", font=_font(fs, bold=True),
               fill=(30, 30, 60), anchor="ma")
        d.text((w // 2 + _px(6, dpi), _px(4, dpi) + int(fs * 1.3)), "CĂN CƯỚC CÔNG DÂN",
               font=_font(int(fs * 1.4), bold=True),
               fill=(170, 30, 30), anchor="ma")
        px0, py0 = _px(4, dpi), _px(20, dpi)
        d.rectangle((px0, py0, px0 + _px(20, dpi), py0 + _px(26, dpi)), fill=(150, 150, 160))
        d.ellipse((px0 + _px(5, dpi), py0 + _px(3, dpi), px0 + _px(15, dpi), py0 + _px(15, dpi)), fill=(110, 95, 90))
        x = _px(28, dpi)
        y = _px(18, dpi)
        for label in ("Số / No.: 0" + "".join(str(v) for v in rng.integers(0, 10, 11)),
                      "Họ và tên / Full name:", _sentence(rng, 3).upper(),
                      f"Ngày sinh: {rng.integers(1, 28):02d}/{rng.integers(1, 12):02d}/19{rng.integers(50, 99)}",
                      "Quê quán: " + _sentence(rng, 3), "Nơi thường trú: " + _sentence(rng, 4)):
            d.text((x, y), label[:40], font=_font(fs), fill=(25, 25, 35))
            y += int(fs * 1.45)
    else:
        d.rectangle((_px(6, dpi), _px(8, dpi), _px(18, dpi), _px(17, dpi)), fill=(200, 170, 80), outline=(140, 110, 40))
        for k in range(2):
            x0 = _px(58 + 13 * k, dpi)
            d.rounded_rectangle((x0, _px(5, dpi), x0 + _px(11, dpi), _px(19, dpi)), radius=_px(1.5, dpi),
                                outline=(60, 60, 70), width=max(1, dpi // 150))
        y = _px(7, dpi)
        for _ in range(3):
            d.text((_px(22, dpi), y), _sentence(rng, 4)[:30], font=_font(fs), fill=(25, 25, 35))
            y += int(fs * 1.5)
        mono = _font(int(fs * 1.25), bold=True)
        for k in range(3):
            line = ("IDVNM" + "".join(str(v) for v in rng.integers(0, 10, 20)) + "<<<")[:30]
            d.text((_px(4, dpi), _px(36 + 5.2 * k, dpi)), line.replace("0", "<", k), font=mono, fill=(20, 20, 20))
    return img


def doc_blank(rng: np.random.Generator, dpi: float, mark: str) -> Image.Image:
    """A blank A4 sheet; ``mark`` = '' (blank), 'pencil', 'stamp' or 'number' (near-blank: keep)."""
    w, h = _px(A4[0], dpi), _px(A4[1], dpi)
    img = _paper(rng, w, h)
    d = ImageDraw.Draw(img)
    if mark == "pencil":  # one faint handwritten word / tick in pencil
        x, y = int(rng.integers(w // 5, w * 3 // 5)), int(rng.integers(h // 5, h * 3 // 5))
        g = int(rng.integers(150, 175))
        pts = [(x + k * _px(2.5, dpi), y + int(math.sin(k * 1.3) * _px(2, dpi))) for k in range(12)]
        d.line(pts, fill=(g, g, g + 3), width=max(1, _px(0.35, dpi)))
    elif mark == "stamp":
        _seal(img, rng, int(rng.integers(w // 4, w * 3 // 4)), int(rng.integers(h // 4, h * 3 // 4)), _px(18, dpi))
    elif mark == "number":
        d.text((w // 2, h - _px(12, dpi)), str(int(rng.integers(2, 40))), font=_font(round(dpi / 72 * 11)),
               fill=(30, 30, 30), anchor="ma")
    return img


def photocopy(rng: np.random.Generator, doc: Image.Image, angle: float) -> Image.Image:
    """The content of ``doc`` copied crooked by ``angle`` degrees onto a grey sheet with toner specks."""
    a = np.asarray(doc.convert("L"), np.float32)
    h, w = a.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    rot = cv2.warpAffine(a, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=float(np.median(a)))
    rot = 70 + (rot / 255.0) ** 1.4 * (235 - 70)  # copier contrast curve, grey paper
    rot += rng.normal(0, 4, rot.shape)
    specks = rng.random(rot.shape) < 0.0007
    rot[specks] = 60
    edge = max(2, w // 120)  # the dark band a copier lid leaves along one edge
    rot[:, :edge] *= 0.55
    return Image.fromarray(np.clip(rot, 0, 255).astype(np.uint8)).convert("RGB")


# --------------------------------------------------------------------------- backgrounds


def bg_lid(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    """Light-grey scanner lid: close to paper white, slightly uneven."""
    v = int(rng.integers(200, 228))
    a = np.full((h, w, 3), v, np.float32)
    a += np.linspace(-5, 5, w, dtype=np.float32)[None, :, None]
    a += rng.standard_normal((h, w, 1), dtype=np.float32) * 1.5
    return np.clip(a, 0, 255).astype(np.uint8)


def bg_wood(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    """Wood grain: warped stripes in brown, with knots of darker rings."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    freq = float(rng.uniform(0.02, 0.05)) * 1000 / max(w, h)
    warp = cv2.resize(rng.normal(0, 1, (6, 6)).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC) * 25
    ang = float(rng.uniform(0, math.pi))
    t = (xx * math.cos(ang) + yy * math.sin(ang) + warp) * freq
    g = (np.sin(t) * 0.5 + 0.5) ** 2
    tone = np.array(rng.choice([(40, 80, 130), (60, 105, 160), (30, 55, 95)]), np.float32)  # BGR browns
    img = tone[None, None, :] * (0.75 + 0.45 * g[:, :, None])
    img += rng.normal(0, 4, (h, w, 1)).astype(np.float32)
    return np.clip(img, 0, 255).astype(np.uint8)


def bg_cloth(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    """Woven or checked tablecloth: two crossing periodic patterns in a colour."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    p = float(rng.uniform(12, 40)) * max(w, h) / 1600
    c1 = np.array(rng.integers(60, 230, 3), np.float32)
    c2 = np.array(rng.integers(30, 200, 3), np.float32)
    check = ((np.floor(xx / p) + np.floor(yy / p)) % 2)[:, :, None]
    weave = (np.sin(xx * 2.1) * np.sin(yy * 2.1))[:, :, None] * 10
    img = c1 * check + c2 * (1 - check) + weave
    return np.clip(img, 0, 255).astype(np.uint8)


def bg_desk(rng: np.random.Generator, w: int, h: int, dark: bool) -> np.ndarray:
    """Plain desk laminate, dark (black/grey) or light (beige/white-ish), with a soft gradient."""
    base = rng.integers(25, 70, 3) if dark else rng.integers(170, 215, 3)
    a = np.empty((h, w, 3), np.float32)
    a[:] = base
    a *= np.linspace(0.85, 1.1, h, dtype=np.float32)[:, None, None]
    a += rng.normal(0, 3, (h, w, 1)).astype(np.float32)
    return np.clip(a, 0, 255).astype(np.uint8)


def bg_clutter(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    """A desk with things on it: pens, a phone, sticky notes, a cup ring, a paper corner."""
    img = bg_desk(rng, w, h, dark=bool(rng.random() < 0.5))
    for _ in range(int(rng.integers(5, 10))):
        kind = int(rng.integers(0, 4))
        col = tuple(int(v) for v in rng.integers(0, 255, 3))
        cx, cy = int(rng.integers(0, w)), int(rng.integers(0, h))
        s = max(w, h)
        if kind == 0:  # pen
            ang = rng.uniform(0, math.pi)
            ln = s * rng.uniform(0.1, 0.2)
            p2 = (int(cx + ln * math.cos(ang)), int(cy + ln * math.sin(ang)))
            cv2.line(img, (cx, cy), p2, col, max(3, s // 120))
        elif kind == 1:  # sticky note / phone
            r = cv2.boxPoints(((cx, cy), (s * rng.uniform(0.05, 0.12), s * rng.uniform(0.05, 0.15)),
                               rng.uniform(0, 90)))
            cv2.fillPoly(img, [r.astype(np.int32)], col)
        elif kind == 2:  # cup ring
            cv2.circle(img, (cx, cy), int(s * rng.uniform(0.03, 0.06)), col, max(2, s // 200))
        else:  # corner of another white sheet
            r = cv2.boxPoints(((cx, cy), (s * 0.25, s * 0.3), rng.uniform(0, 90)))
            cv2.fillPoly(img, [r.astype(np.int32)], (235, 235, 232))
    return img


# --------------------------------------------------------------------------- placement and capture


def _to_bgr(img: Image.Image) -> np.ndarray:
    return cv2.cvtColor(np.asarray(img.convert("RGB")), cv2.COLOR_RGB2BGR)


def _quarter(doc: np.ndarray, k: int) -> np.ndarray:
    """Turn the upright document k quarter-turns counter-clockwise (it then needs k×90° clockwise)."""
    return np.ascontiguousarray(np.rot90(doc, k))


def _paste(frame: np.ndarray, doc: np.ndarray, h3: np.ndarray, mask_round: float = 0.0) -> np.ndarray:
    """Warp ``doc`` into ``frame`` with homography ``h3`` (anti-aliased edge); returns the corners."""
    fh, fw = frame.shape[:2]
    dh, dw = doc.shape[:2]
    c = np.array([[-0.5, -0.5], [dw - 0.5, -0.5], [dw - 0.5, dh - 0.5], [-0.5, dh - 0.5]], np.float64)
    corners = cv2.perspectiveTransform(c[None], h3)[0]
    # warp only into the document's bounding box: a card on a full glass is 5 % of the frame
    x0, y0 = (max(0, math.floor(v) - 2) for v in corners.min(axis=0))
    x1 = min(fw, math.ceil(corners[:, 0].max()) + 3)
    y1 = min(fh, math.ceil(corners[:, 1].max()) + 3)
    if x1 <= x0 or y1 <= y0:
        return corners
    shift = np.array([[1, 0, -x0], [0, 1, -y0], [0, 0, 1]], np.float64) @ h3
    roi = frame[y0:y1, x0:x1]
    warped = cv2.warpPerspective(doc, shift, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR,
                                 borderMode=cv2.BORDER_CONSTANT)
    m = np.full((dh, dw), 255, np.uint8)
    if mask_round > 0:  # card corners are rounded (ISO 7810: r = 3.18 mm)
        r = int(mask_round)
        m[:] = 0
        cv2.rectangle(m, (r, 0), (dw - 1 - r, dh - 1), 255, -1)
        cv2.rectangle(m, (0, r), (dw - 1, dh - 1 - r), 255, -1)
        for cx, cy in ((r, r), (dw - 1 - r, r), (r, dh - 1 - r), (dw - 1 - r, dh - 1 - r)):
            cv2.circle(m, (cx, cy), r, 255, -1)
    mk = cv2.warpPerspective(m, shift, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR).astype(np.float32)[:, :, None]
    mk /= 255.0
    roi[:] = (roi * (1 - mk) + warped * mk).astype(np.uint8)
    return corners


def _similarity(angle_deg: float, scale: float, cx: float, cy: float, dw: int, dh: int) -> np.ndarray:
    """Homography that scales, turns (counter-clockwise, degrees) and centres a dw×dh image at (cx, cy)."""
    m = cv2.getRotationMatrix2D((dw / 2, dh / 2), angle_deg, scale)
    m[0, 2] += cx - dw / 2
    m[1, 2] += cy - dh / 2
    return np.vstack([m, [0, 0, 1]])


def clip_to_frame(quad: np.ndarray, w: int, h: int) -> list[list[float]]:
    """The part of a convex outline inside the frame, as a convex polygon (truth for off-frame pages)."""
    frame = np.array([[-0.5, -0.5], [w - 0.5, -0.5], [w - 0.5, h - 0.5], [-0.5, h - 0.5]], np.float32)
    q = cv2.convexHull(np.asarray(quad, np.float32)).reshape(-1, 2)
    area, poly = cv2.intersectConvexConvex(q, frame)
    if poly is None or area <= 0:
        return frame.tolist()
    return np.round(poly.reshape(-1, 2).astype(np.float64), 2).tolist()


def _glare(rng: np.random.Generator, img: np.ndarray) -> None:
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    cx, cy = rng.uniform(0.2, 0.8) * w, rng.uniform(0.2, 0.8) * h
    sx, sy = rng.uniform(0.05, 0.15) * w, rng.uniform(0.03, 0.1) * h
    g = np.exp(-(((xx - cx) / sx) ** 2 + ((yy - cy) / sy) ** 2))[:, :, None] * rng.uniform(90, 160)
    img[:] = np.clip(img + g, 0, 255).astype(np.uint8)


def _shadow(rng: np.random.Generator, img: np.ndarray) -> None:
    """The soft shadow of a hand or phone across part of the frame."""
    h, w = img.shape[:2]
    m = np.zeros((h, w), np.float32)
    pts = np.array([[rng.uniform(0, w), 0], [rng.uniform(0, w), h], [w * 1.5, h], [w * 1.5, 0]], np.float32)
    if rng.random() < 0.5:
        pts[:, 0] = w - pts[:, 0]
    cv2.fillPoly(m, [pts.astype(np.int32)], 1.0)
    m = cv2.GaussianBlur(m, (0, 0), max(3.0, w / 40))
    img[:] = (img * (1 - rng.uniform(0.25, 0.45) * m[:, :, None])).astype(np.uint8)


def _curl(rng: np.random.Generator, img: np.ndarray) -> None:
    """Sheet curl: rows bend by a smooth sine (a few pixels), as paper that will not lie flat."""
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    amp = rng.uniform(0.004, 0.012) * h
    dy = amp * np.sin(xx / w * math.pi * rng.uniform(0.8, 1.6) + rng.uniform(0, math.pi))
    img[:] = cv2.remap(img, xx, yy + dy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def _motion_blur(rng: np.random.Generator, img: np.ndarray) -> None:
    n = int(rng.integers(5, 11))
    k = np.zeros((n, n), np.float32)
    k[n // 2, :] = 1.0 / n
    m = cv2.getRotationMatrix2D((n / 2 - 0.5, n / 2 - 0.5), float(rng.uniform(0, 180)), 1.0)
    k = cv2.warpAffine(k, m, (n, n))
    k /= max(k.sum(), 1e-6)
    img[:] = cv2.filter2D(img, -1, k)


def _jpeg(img: np.ndarray, q: int) -> np.ndarray:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, q])
    assert ok
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)


def _noise(rng: np.random.Generator, img: np.ndarray, sigma: float) -> np.ndarray:
    noise = rng.standard_normal((*img.shape[:2], 1), dtype=np.float32) * sigma
    return np.clip(img.astype(np.float32) + noise, 0, 255).astype(np.uint8)


# --------------------------------------------------------------------------- scenes


def _truth(kind: str, cls: str, w: int, h: int, quad: np.ndarray | list, rotation: int, skew: float | None,
           *, text: bool = True, skew_scored: bool = False, blank: bool = False, near_blank: bool = False,
           red_seal: bool = False, two_page: bool = False, full_frame: bool = False, true_dpi: float = 0,
           notes: str = "") -> dict[str, Any]:
    poly = clip_to_frame(np.asarray(quad, np.float64), w, h)
    return {"name": kind, "kind": kind, "class": cls, "size": [w, h], "quad": poly, "rotation": rotation,
            "skew_deg": None if skew is None else round(float((skew + 45) % 90 - 45), 4),
            "skew_scored": bool(skew_scored and text and skew is not None), "has_text_lines": text,
            "orientation_scored": bool(text and not blank and not near_blank),
            "blank": blank, "near_blank": near_blank, "red_seal": red_seal, "two_page": two_page,
            "full_frame": full_frame, "true_dpi": true_dpi, "notes": notes}


def _flatbed_scene(rng: np.random.Generator, dpi: int, doc: np.ndarray, kind: str, cls: str, *,
                   k: int = 0, text: bool = True, red: bool = False, skew_range: tuple[float, float] = (0.2, 5.0),
                   round_r: float = 0.0, content_skew: float = 0.0, near_blank: bool = False,
                   blank: bool = False) -> tuple[np.ndarray, dict[str, Any]]:
    """A small document laid near the glass's corner under a light-grey lid (full-bed frame)."""
    fw, fh = _px(FLATBED_BED[0], dpi), _px(FLATBED_BED[1], dpi)
    frame = bg_lid(rng, fw, fh)
    doc = _quarter(doc, k)
    dh, dw = doc.shape[:2]
    ang = float(rng.uniform(*skew_range)) * (1 if rng.random() < 0.5 else -1)
    # the page's centre, so that it stays on the glass, near the top-left corner where the guides are
    half = 0.5 * (abs(dw * math.cos(math.radians(ang))) + abs(dh * math.sin(math.radians(ang))))
    halfh = 0.5 * (abs(dw * math.sin(math.radians(ang))) + abs(dh * math.cos(math.radians(ang))))
    cx = half + _px(float(rng.uniform(2, 25)), dpi) if dw < fw * 0.8 else fw / 2
    cy = halfh + _px(float(rng.uniform(2, 25)), dpi) if dh < fh * 0.8 else fh / 2
    cx, cy = min(cx, fw - half), min(cy, fh - halfh)
    quad = _paste(frame, doc, _similarity(ang, 1.0, cx, cy, dw, dh), round_r)
    frame = _noise(rng, frame, 1.8)
    skew = ang + content_skew
    return frame, _truth(kind, cls, fw, fh, quad, 90 * k, skew, text=text, skew_scored=True, red_seal=red,
                         near_blank=near_blank, blank=blank, true_dpi=dpi)


def _feeder_scene(rng: np.random.Generator, dpi: int, doc: np.ndarray, kind: str, *, k: int = 0,
                  text: bool = True, red: bool = False, blank: bool = False, near_blank: bool = False,
                  bars: bool = True) -> tuple[np.ndarray, dict[str, Any]]:
    """A sheet-feeder frame: the page fills the frame; dark bars where the sheet did not cover the sensor."""
    doc = _quarter(doc, k)
    dh, dw = doc.shape[:2]
    ang = float(rng.uniform(0.2, 2.0)) * (1 if rng.random() < 0.5 else -1)
    bar_l = int(rng.integers(_px(1.5, dpi), _px(6, dpi))) if bars else 0
    bar_r = int(rng.integers(_px(1.5, dpi), _px(6, dpi))) if bars else 0
    # a feeder crops to its width: the frame is a little wider than the page, a little shorter
    grow = abs(math.sin(math.radians(ang))) * dh
    fw = dw + bar_l + bar_r + int(grow)
    fh = dh
    frame = np.zeros((fh, fw, 3), np.uint8)
    frame[:] = int(rng.integers(8, 40))  # scanner backing: black or dark grey
    quad = _paste(frame, doc, _similarity(ang, 1.0, bar_l + (fw - bar_l - bar_r) / 2, fh / 2, dw, dh))
    frame = _noise(rng, frame, 1.5)
    return frame, _truth(kind, "flatbed", fw, fh, quad, 90 * k, ang, text=text, skew_scored=True, blank=blank,
                         near_blank=near_blank, red_seal=red, true_dpi=dpi,
                         notes="feeder frame with dark bars" if bars else "feeder frame")


def _camera_scene(rng: np.random.Generator, doc: np.ndarray, kind: str, background: str, *, k: int = 0,
                  text: bool = True, red: bool = False, off_frame: bool = False, two_page: bool = False,
                  cls: str = "camera") -> tuple[np.ndarray, dict[str, Any]]:
    """A phone photo (4:3, 1600 px long side) of the document on a background, in perspective."""
    portrait = doc.shape[0] >= doc.shape[1]
    fw, fh = (1200, 1600) if portrait else (1600, 1200)
    maker = {"wood": bg_wood, "cloth": bg_cloth, "clutter": bg_clutter,
             "dark": lambda r, w, h: bg_desk(r, w, h, True), "light": lambda r, w, h: bg_desk(r, w, h, False)}
    frame = maker[background](rng, fw, fh)
    doc = _quarter(doc, k)
    dh, dw = doc.shape[:2]
    fill = float(rng.uniform(1.1, 1.3)) if off_frame else float(rng.uniform(0.6, 0.85))
    s = fill * min(fw / dw, fh / dh)
    src = np.array([[0, 0], [dw, 0], [dw, dh], [0, dh]], np.float32)
    ang = math.radians(float(rng.uniform(-8, 8)))
    c, sn = math.cos(ang), math.sin(ang)
    cx = fw / 2 + rng.uniform(-0.08, 0.08) * fw + (rng.uniform(0.1, 0.2) * fw * rng.choice([-1, 1]) if off_frame else 0)
    cy = fh / 2 + rng.uniform(-0.08, 0.08) * fh
    dst = []
    for x, y in src:
        px, py = (x - dw / 2) * s, (y - dh / 2) * s
        dst.append([cx + c * px - sn * py, cy + sn * px + c * py])
    dst_a = np.array(dst, np.float32)
    dst_a += rng.normal(0, 0.035 * min(fw, fh), (4, 2)).astype(np.float32)  # perspective: corners move
    h3 = cv2.getPerspectiveTransform(src, dst_a)
    if rng.random() < 0.5:  # a real sheet curls a little
        doc = doc.copy()
        _curl(rng, doc)
    quad = _paste(frame, doc, h3)
    if rng.random() < 0.6:
        _shadow(rng, frame)
    if rng.random() < 0.4:
        _glare(rng, frame)
    yy = np.linspace(0.8, 1.1, fh, dtype=np.float32)[:, None, None]
    frame = np.clip(frame * yy, 0, 255).astype(np.uint8)  # uneven room light
    if rng.random() < 0.3:
        _motion_blur(rng, frame)
    frame = _noise(rng, frame, 2.5)
    frame = _jpeg(frame, int(rng.integers(55, 88)))
    return frame, _truth(kind, cls, fw, fh, quad, 90 * k, None, text=text, red_seal=red, two_page=two_page,
                         notes=f"phone photo on {background}" + (", runs off the frame" if off_frame else ""))


def _card_glass(rng: np.random.Generator, dpi: int, pair: bool, k: int,
                back: bool | None = None) -> tuple[np.ndarray, dict[str, Any]]:
    """One CCCD card (or its front and back side by side) alone on the glass, full-bed frame."""
    cdpi = max(dpi, 300)  # cards are scanned at 300 dpi or more at counters
    fw, fh = _px(FLATBED_BED[0], cdpi), _px(FLATBED_BED[1], cdpi)
    frame = bg_lid(rng, fw, fh)
    rr = _px(3.18, cdpi)
    quads = []
    sides = [False, True] if pair else [bool(rng.random() < 0.4) if back is None else back]
    skew = float(rng.uniform(0.3, 4)) * (1 if rng.random() < 0.5 else -1)
    x = _px(float(rng.uniform(5, 25)), cdpi)
    y0 = _px(float(rng.uniform(5, 40)), cdpi)
    for i, back in enumerate(sides):
        card = _quarter(_to_bgr(doc_card(rng, cdpi, back)), k)
        dh, dw = card.shape[:2]
        cx = x + dw / 2 + i * (dw + _px(float(rng.uniform(4, 12)), cdpi)) if k % 2 == 0 else x + dw / 2
        cy = y0 + dh / 2 + (i * (dh + _px(float(rng.uniform(4, 12)), cdpi)) if k % 2 == 1 else 0)
        if pair and k % 2 == 0 and cx + dw / 2 > fw:  # two landscape cards do not fit side by side: stack
            cx, cy = x + dw / 2, y0 + dh / 2 + i * (dh + _px(8, cdpi))
        a = skew + float(rng.uniform(-0.8, 0.8)) * (i > 0)
        quads.append(_paste(frame, card, _similarity(a, 1.0, cx, cy, dw, dh), rr))
    frame = _noise(rng, frame, 1.8)
    hull = cv2.convexHull(np.vstack(quads).astype(np.float32)).reshape(-1, 2)
    kind = "card_pair" if pair else ("card_back" if sides[0] else "card_front")
    t = _truth(kind, "card", fw, fh, hull, 90 * k, skew, text=True, skew_scored=False, true_dpi=cdpi,
               notes="outline = both cards together (their convex hull)" if pair else "one card on the glass")
    return frame, t


SCENES = (
    "form_flat", "form_flat_rot90", "form_flat_rot180", "form_flat_rot270", "dense_flat", "table_feeder",
    "seal_feeder", "a5_lid", "a6_lid", "receipt_lid", "photocopy_flat", "card_front", "card_back",
    "card_pair", "card_rot", "blank_feeder", "pencil_feeder", "stamp_feeder", "number_feeder",
    "cam_wood", "cam_cloth", "cam_dark", "cam_light", "cam_clutter", "cam_spread", "cam_offframe", "cam_rot",
    "dense_wrongdpi",
)


def generate_page(seed: int, index: int, dpi: int = 150, scene: str | None = None) -> Gen2Page:
    """Page ``index`` of the set ``seed`` (scene chosen in turn unless given)."""
    rng = np.random.default_rng([seed, index, 20261206])
    scene = scene or SCENES[index % len(SCENES)]
    k = 0
    reported: int | None = dpi
    if scene.startswith("form_flat"):
        k = int(scene.rsplit("rot", 1)[1]) // 90 if "rot" in scene else 0
        red = bool(rng.random() < 0.5)
        frame, t = _feeder_scene(rng, dpi, _to_bgr(doc_form(rng, dpi, A4, red)), scene, k=k, red=red,
                                 bars=bool(rng.random() < 0.5))
    elif scene == "dense_flat":
        frame, t = _feeder_scene(rng, dpi, _to_bgr(doc_dense(rng, dpi)), scene, bars=True)
    elif scene == "dense_wrongdpi":
        frame, t = _feeder_scene(rng, dpi, _to_bgr(doc_dense(rng, dpi)), scene, bars=False)
        reported = int(rng.choice([72, 96, 600]))
        t["notes"] = f"file says {reported} dpi, the scan is {dpi} dpi"
    elif scene == "table_feeder":
        frame, t = _feeder_scene(rng, dpi, _to_bgr(doc_table(rng, dpi)), scene, k=int(rng.choice([0, 2])))
    elif scene == "seal_feeder":
        frame, t = _feeder_scene(rng, dpi, _to_bgr(doc_form(rng, dpi, A4, True)), scene, red=True)
    elif scene in ("a5_lid", "a6_lid"):
        size = A5 if scene == "a5_lid" else A6
        red = bool(rng.random() < 0.5)
        frame, t = _flatbed_scene(rng, dpi, _to_bgr(doc_form(rng, dpi, size, red)), scene, "slip", red=red,
                                  k=int(rng.choice([0, 0, 1, 2])))
    elif scene == "receipt_lid":
        frame, t = _flatbed_scene(rng, dpi, _to_bgr(doc_receipt(rng, dpi)), scene, "slip")
    elif scene == "photocopy_flat":
        crooked = float(rng.uniform(0.8, 3.0)) * (1 if rng.random() < 0.5 else -1)
        doc = photocopy(rng, doc_form(rng, dpi, A4, False), crooked)
        frame, t = _flatbed_scene(rng, dpi, _to_bgr(doc), scene, "flatbed", skew_range=(0.2, 1.5),
                                  content_skew=crooked)
        t["notes"] = f"photocopy, content {crooked:+.2f} deg crooked on the sheet; skew truth = text lines"
    elif scene.startswith("card"):
        k = int(rng.choice([1, 2, 3])) if scene == "card_rot" else 0
        side = {"card_front": False, "card_back": True}.get(scene)
        frame, t = _card_glass(rng, dpi, scene == "card_pair", k, side)
        reported = max(dpi, 300)
    elif scene.endswith("_feeder") and scene.split("_")[0] in ("blank", "pencil", "stamp", "number"):
        mark = {"blank": "", "pencil": "pencil", "stamp": "stamp", "number": "number"}[scene.split("_")[0]]
        frame, t = _feeder_scene(rng, dpi, _to_bgr(doc_blank(rng, dpi, mark)), scene, text=False,
                                 blank=mark == "", near_blank=mark != "", red=mark == "stamp")
    elif scene.startswith("cam_"):
        bg = {"cam_wood": "wood", "cam_cloth": "cloth", "cam_dark": "dark", "cam_light": "light",
              "cam_clutter": "clutter"}.get(scene, str(rng.choice(["wood", "cloth", "dark", "light", "clutter"])))
        reported = None  # phones write no usable DPI
        cdpi = 110
        if scene == "cam_spread":
            left = _to_bgr(doc_form(rng, cdpi, A5, False))
            right = _to_bgr(doc_form(rng, cdpi, A5, bool(rng.random() < 0.5)))
            gutter = np.linspace(1.0, 0.7, 12, dtype=np.float32)
            left[:, -12:] = (left[:, -12:] * gutter[None, :, None]).astype(np.uint8)
            right[:, :12] = (right[:, :12] * gutter[::-1][None, :, None]).astype(np.uint8)
            frame, t = _camera_scene(rng, np.hstack([left, right]), scene, bg, two_page=True)
        else:
            k = int(rng.choice([1, 3])) if scene == "cam_rot" else 0
            red = bool(rng.random() < 0.4)
            frame, t = _camera_scene(rng, _to_bgr(doc_form(rng, cdpi, A4, red)), scene, bg, k=k, red=red,
                                     off_frame=scene == "cam_offframe")
        if scene == "cam_offframe":
            t["full_frame"] = False
    else:
        raise ValueError(f"unknown scene {scene!r}")
    t["dpi"] = None if reported is None else [reported, reported]
    t["scene"] = scene
    t["name"] = f"{scene}#{index}"
    return Gen2Page(frame, reported, t)


def generate(seed: int, n: int, dpi: int = 150) -> list[Gen2Page]:
    """``n`` pages cycling through every scene, reproducible from ``seed``."""
    return [generate_page(seed, i, dpi) for i in range(n)]


def main() -> None:
    """Write a contact sheet of one page per scene with its truth outline (to look at)."""
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dpi", type=int, default=100)
    args = ap.parse_args()
    out = ROOT / "out" / "scan_eval" / "look"
    out.mkdir(parents=True, exist_ok=True)
    tiles = []
    for i, _ in enumerate(SCENES):
        p = generate_page(args.seed, i, args.dpi)
        img = p.image.copy()
        h, w = img.shape[:2]
        cv2.polylines(img, [np.round(np.asarray(p.truth["quad"])).astype(np.int32)], True, (0, 0, 255),
                      max(2, max(h, w) // 200))
        s = 300 / max(h, w)
        th = cv2.resize(img, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA)
        tile = np.full((330, 300, 3), 255, np.uint8)
        tile[:th.shape[0], :th.shape[1]] = th
        cv2.putText(tile, f"{p.truth['name']} r{p.truth['rotation']} s{p.truth['skew_deg']}", (2, 318),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.36, (0, 0, 0), 1)
        tiles.append(tile)
    while len(tiles) % 7:
        tiles.append(np.full_like(tiles[0], 255))
    sheet = np.vstack([np.hstack(tiles[r:r + 7]) for r in range(0, len(tiles), 7)])
    cv2.imwrite(str(out / "gen2_sheet.png"), sheet)
    print(out / "gen2_sheet.png")


if __name__ == "__main__":
    main()

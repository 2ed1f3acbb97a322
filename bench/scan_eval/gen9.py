"""gen9: the session-13 held-out generator, written from scratch without reading gen2…gen8 or the pipeline.

What a ward counter scans and photographs, with conditions picked to be unlike the older generators:
black-and-white (1-bit) ADF scans, greyscale scans, a 200-dpi scan tagged 72 dpi, an MFP auto-crop
that kept a thin dark rim, creases of a page folded in four, crumpled and curled pages, punched holes,
dog-ears and torn corners, coloured paper, carbon copies, a photocopy of a photocopy, a page with a large
photo, a full-bleed landscape table, a handwritten đơn on squared (ô li) paper, a certified copy heavy
with stamps; CCCD cards in a hand, on a wallet, laminated with glare, two on the glass, a passport spread,
a card at a steep angle; queue tickets, thermal receipts, A6 appointment slips, bank slips, lottery
tickets, a double feed; phone photos with the phone's shadow, glare, motion blur, low light, patterned
floors / sofas / newspaper under the page, a page held up in the air, flash, 16:9 frames and EXIF-less
quarter turns.

Text is drawn with fonts the other tools do not use (DejaVu Serif Bold / Italic, DejaVu Sans
ExtraLight, Liberation Sans Italic, Liberation Mono Bold, URW P052 / Nimbus Mono for unaccented
machine print) and the layouts are this file's own.

Truth comes only from the transforms that placed each sheet: ``quad`` is the sheet's outline (the
hull of both objects for two cards or a double feed, the whole spread for a passport) mapped into the
frame and clipped to it, starting at the document's top-left corner, clockwise on screen;
``rotation`` is the clockwise quarter turn that makes the document upright; ``skew_deg`` is the CCW
angle of the document's horizontal axis at its centre, modulo the quarter turn. Scene choices come
from a parameter generator that never draws pixel-sized arrays, so they do not depend on the DPI.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFont

_TT = "/usr/share/fonts/truetype/"
_OT = "/usr/share/fonts/opentype/urw-base35/"
FONTS = {
    "head": _TT + "dejavu/DejaVuSerif-Bold.ttf",
    "light": _TT + "dejavu/DejaVuSans-ExtraLight.ttf",
    "italic": _TT + "liberation2/LiberationSans-Italic.ttf",
    "hand": _TT + "dejavu/DejaVuSerif-Italic.ttf",
    "hand2": _TT + "dejavu/DejaVuSansCondensed-Oblique.ttf",
    "mono": _TT + "liberation2/LiberationMono-Bold.ttf",
    "p052": _OT + "P052-Roman.otf",  # no Vietnamese glyphs: unaccented machine print only
    "p052b": _OT + "P052-Bold.otf",
    "nmono": _OT + "NimbusMonoPS-Bold.otf",
}
_ASCII_ONLY = {"p052", "p052b", "nmono"}

WORDS = [
    'công', 'dân', 'đề', 'nghị', 'cấp', 'giấy', 'xác', 'nhận', 'tình', 'trạng', 'hôn', 'nhân', 'thường', 'trú',
    'tạm', 'trú', 'tại', 'phường', 'quận', 'thành', 'phố', 'hồ', 'sơ', 'gồm', 'bản', 'sao', 'chứng', 'thực', 'đăng',
    'ký', 'khai', 'sinh', 'kết', 'hôn', 'hộ', 'tịch', 'ủy', 'ban', 'nhân', 'dân', 'cán', 'bộ', 'tiếp', 'nhận',
    'thời', 'gian', 'giải', 'quyết', 'ngày', 'làm', 'việc', 'lệ', 'phí', 'theo', 'quy', 'định', 'của', 'pháp',
    'luật', 'tôi', 'xin', 'cam', 'đoan', 'những', 'lời', 'khai', 'trên', 'là', 'đúng', 'sự', 'thật', 'và', 'chịu',
    'trách', 'nhiệm', 'trước', 'về', 'nội', 'dung', 'đã', 'kê', 'khai', 'số', 'định', 'danh', 'cá', 'nhân', 'nơi',
    'cư', 'trú', 'hiện', 'nay', 'quê', 'quán', 'dân', 'tộc', 'kinh', 'quốc', 'tịch', 'việt', 'nam', 'nghề',
    'nghiệp', 'lý', 'do', 'mục', 'đích', 'sử', 'dụng', 'thửa', 'đất', 'diện', 'tích', 'người', 'yêu', 'cầu', 'được',
    'ủy', 'quyền', 'trả', 'kết', 'quả',
]
NAMES = ["Nguyễn Văn An", "Trần Thị Bích Ngọc", "Lê Hoàng Minh", "Phạm Thu Hằng", "Đỗ Quang Huy",
         "Vũ Thị Lan", "Hoàng Đức Thắng", "Bùi Thị Mỹ Duyên", "Đặng Văn Lợi", "Ngô Thị Ánh Tuyết"]
TITLES = ["ĐƠN ĐỀ NGHỊ", "TỜ KHAI ĐĂNG KÝ KHAI SINH", "ĐƠN XIN XÁC NHẬN", "GIẤY ỦY QUYỀN",
          "TỜ KHAI THAY ĐỔI THÔNG TIN CƯ TRÚ", "ĐƠN ĐĂNG KÝ KẾT HÔN", "BIÊN BẢN GIAO NHẬN HỒ SƠ"]
UNITS = ["UBND PHƯỜNG BẾN THÀNH", "UBND XÃ TÂN PHÚ", "UBND PHƯỜNG HOÀN KIẾM", "UBND XÃ AN HÒA",
         "TRUNG TÂM PHỤC VỤ HCC"]


def _fmt(fmt: str, *args: object) -> str:
    """printf-style formatting for the numbered fields of forms (zero-padded numbers read as on paper)."""
    return fmt % args


def _plain(s: str) -> str:
    """Vietnamese without diacritics, as old till and bank systems print it."""
    s = s.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn")


@lru_cache(maxsize=256)
def _font(name: str, px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONTS[name], max(1, px))


def _width_mm(text: str, font: str, size_mm: float) -> float:
    """Printed width in mm, measured on a fixed reference size so the layout does not depend on the DPI."""
    if font in _ASCII_ONLY:
        text = _plain(text)
    return float(_font(font, 200).getlength(text)) / 200.0 * size_mm


# --------------------------------------------------------------------------- the sheet being drawn


class Sheet:
    """A document drawn in millimetres at ``ppm`` pixels per mm (PIL RGB)."""

    def __init__(self, w_mm: float, h_mm: float, ppm: float, paper: tuple[int, int, int] = (250, 250, 247)):
        self.w_mm, self.h_mm, self.ppm = w_mm, h_mm, ppm
        self.im = Image.new("RGB", (max(4, round(w_mm * ppm)), max(4, round(h_mm * ppm))), paper)
        self.d = ImageDraw.Draw(self.im)

    def p(self, x: float, y: float) -> tuple[float, float]:
        return (x * self.ppm, y * self.ppm)

    def text(self, x: float, y: float, s: str, size: float, font: str = "light",
             fill: tuple[int, int, int] = (20, 20, 25), anchor: str = "ls") -> None:
        if font in _ASCII_ONLY:
            s = _plain(s)
        f = _font(font, round(size * self.ppm))
        self.d.text(self.p(x, y), s, font=f, fill=fill, anchor=anchor)

    def line(self, x0: float, y0: float, x1: float, y1: float, w: float = 0.3,
             fill: tuple[int, int, int] = (20, 20, 20)) -> None:
        self.d.line([self.p(x0, y0), self.p(x1, y1)], fill=fill, width=max(1, round(w * self.ppm)))

    def rect(self, x0: float, y0: float, x1: float, y1: float, fill: Any = None, outline: Any = None,
             w: float = 0.3) -> None:
        self.d.rectangle([self.p(x0, y0), self.p(x1, y1)], fill=fill, outline=outline,
                         width=max(1, round(w * self.ppm)))

    def ellipse(self, x0: float, y0: float, x1: float, y1: float, fill: Any = None, outline: Any = None,
                w: float = 0.3) -> None:
        self.d.ellipse([self.p(x0, y0), self.p(x1, y1)], fill=fill, outline=outline,
                       width=max(1, round(w * self.ppm)))

    def ink_layer(self, draw: Callable[[Sheet], None]) -> None:
        """Draw translucent ink (stamps, signatures): multiplied over what is printed, never hiding it."""
        layer = Sheet(self.w_mm, self.h_mm, self.ppm, (255, 255, 255))
        layer.im = Image.new("RGB", self.im.size, (255, 255, 255))
        layer.d = ImageDraw.Draw(layer.im)
        draw(layer)
        self.im = ImageChops.multiply(self.im, layer.im)
        self.d = ImageDraw.Draw(self.im)

    def bgr(self) -> np.ndarray:
        return np.ascontiguousarray(np.asarray(self.im)[:, :, ::-1])


def _line_words(rp: np.random.Generator, font: str, size: float, width: float) -> str:
    words: list[str] = []
    while True:
        w = str(rp.choice(WORDS))
        if words and _width_mm(" ".join([*words, w]), font, size) > width:
            return " ".join(words)
        words.append(w)


def _signature(rp: np.random.Generator, x: float, y: float, size: float,
               colour: tuple[int, int, int] = (30, 40, 150)) -> Callable[[Sheet], None]:
    n = 40
    t = np.linspace(0, 1, n)
    f1, f2, ph = rp.uniform(2, 5), rp.uniform(6, 11), rp.uniform(0, 6)
    xs = x + t * size + 0.15 * size * np.sin(f2 * t * 6.28 + ph)
    ys = y + 0.25 * size * np.sin(f1 * t * 6.28) * (1 - t * 0.5)

    def draw(s: Sheet) -> None:
        pts = [s.p(a, b) for a, b in zip(xs, ys, strict=True)]
        s.d.line(pts, fill=colour, width=max(1, round(0.45 * s.ppm)), joint="curve")
    return draw


def _round_seal(rp: np.random.Generator, cx: float, cy: float, r: float,
                colour: tuple[int, int, int] = (205, 35, 45)) -> Callable[[Sheet], None]:
    marks = rp.uniform(0.0, 0.06, 36)

    def draw(s: Sheet) -> None:
        s.ellipse(cx - r, cy - r, cx + r, cy + r, outline=colour, w=0.9)
        s.ellipse(cx - 0.72 * r, cy - 0.72 * r, cx + 0.72 * r, cy + 0.72 * r, outline=colour, w=0.4)
        for k, m in enumerate(marks):  # letters around the ring
            a = k / len(marks) * 2 * math.pi
            r0, r1 = 0.77 * r, (0.92 - m) * r
            s.line(cx + r0 * math.cos(a), cy + r0 * math.sin(a), cx + r1 * math.cos(a), cy + r1 * math.sin(a),
                   0.5, colour)
        pts = []
        for k in range(10):  # the star
            a = -math.pi / 2 + k * math.pi / 5
            rr = 0.3 * r if k % 2 == 0 else 0.12 * r
            pts.append(s.p(cx + rr * math.cos(a), cy + rr * math.sin(a)))
        s.d.polygon(pts, fill=colour)
    return draw


def _saoy(x: float, y: float, colour: tuple[int, int, int] = (200, 40, 50)) -> Callable[[Sheet], None]:
    def draw(s: Sheet) -> None:
        s.rect(x, y, x + 46, y + 11, outline=colour, w=0.7)
        s.text(x + 23, y + 8, "SAO Y BẢN CHÍNH", 5.0, "head", colour, "ms")
    return draw


def draw_form(s: Sheet, rp: np.random.Generator, body_font: str = "light", n_lines: int | None = None,
              ink: tuple[int, int, int] = (25, 25, 30), top: float = 18.0) -> float:
    """An A4/A5 administrative form or đơn: national heading, title, body, dotted fields, signature.
    Returns the y (mm) where the content ends."""
    W = s.w_mm
    left, right = 0.13 * W, W - 0.08 * W
    hs = 0.0155 * W
    s.text(left + 0.16 * W, top, str(rp.choice(UNITS)), hs * 0.85, "head", ink, "ms")
    s.text(0.68 * W, top, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", hs * 0.85, "head", ink, "ms")
    s.text(0.68 * W, top + hs * 1.5, "Độc lập - Tự do - Hạnh phúc", hs * 0.95, "head", ink, "ms")
    s.line(0.56 * W, top + hs * 1.9, 0.80 * W, top + hs * 1.9, 0.25, ink)
    y = top + hs * 5
    s.text(W / 2, y, str(rp.choice(TITLES)), hs * 1.35, "head", ink, "ms")
    y += hs * 3
    bs = hs * 0.95
    body = body_font
    s.text(left + 0.1 * W, y, "Kính gửi: " + str(rp.choice(UNITS)).title(), bs, body, ink)
    y += bs * 2.0
    n = n_lines if n_lines is not None else int(rp.integers(8, 17))
    for k in range(n):
        if rp.random() < 0.3:
            label = str(rp.choice(["Họ và tên", "Ngày sinh", "Số định danh", "Nơi cư trú", "Điện thoại",
                                   "Quan hệ với người được khai"]))
            s.text(left, y, label + ": " + (str(rp.choice(NAMES)) if k % 2 else ""), bs, body, ink)
            x0 = left + _width_mm(label + ": ", body, bs) + (0.3 * W if k % 2 else 0)
            s.line(x0, y + 0.3, right, y + 0.3, 0.15, (120, 120, 120))
        else:
            ind = 0.06 * W if rp.random() < 0.2 else 0.0
            s.text(left + ind, y, _line_words(rp, body, bs, right - left - ind), bs, body, ink)
        y += bs * float(rp.uniform(1.75, 2.1))
    y += bs
    s.text(0.72 * W, y, _fmt("ngày %d tháng %d năm 2026", rp.integers(1, 29), rp.integers(1, 13)), bs * 0.9,
           "italic", ink, "ms")
    s.text(0.72 * W, y + bs * 1.8, "NGƯỜI LÀM ĐƠN", bs, "head", ink, "ms")
    s.ink_layer(_signature(rp, 0.64 * W, y + bs * 4.5, 0.16 * W))
    s.text(0.72 * W, y + bs * 7.5, str(rp.choice(NAMES)), bs, "head", ink, "ms")
    return y + bs * 8


def draw_table(s: Sheet, rp: np.random.Generator, margin: float, ink: tuple[int, int, int] = (20, 20, 20),
               title: bool = True) -> None:
    """A register-like table (Mẫu 06 style) filling the sheet within ``margin`` mm."""
    W, H = s.w_mm, s.h_mm
    y0 = margin
    if title:
        s.text(W / 2, margin + 7, "SỔ THEO DÕI HỒ SƠ", 6.0, "head", ink, "ms")
        y0 = margin + 12
    ncol = int(rp.integers(6, 10))
    cw = rp.uniform(0.6, 1.6, ncol)
    xs = margin + np.concatenate([[0], np.cumsum(cw / cw.sum() * (W - 2 * margin))])
    rh = float(rp.uniform(7, 10))
    nrow = int((H - margin - y0) // rh)
    for r in range(nrow + 1):
        s.line(xs[0], y0 + r * rh, xs[-1], y0 + r * rh, 0.35 if r < 2 else 0.2, ink)
    for x in xs:
        s.line(x, y0, x, y0 + nrow * rh, 0.3, ink)
    heads = ["TT", "Mã hồ sơ", "Tên TTHC", "Người nộp", "Địa chỉ", "Ngày nhận", "Ngày hẹn", "Ghi chú", "Ký"]
    for c in range(ncol):
        s.text(xs[c] + 1.2, y0 + rh * 0.68, heads[c % len(heads)], 3.0, "head", ink)
    for r in range(1, nrow):
        for c in range(ncol):
            if rp.random() < 0.8:
                cell = str(r) if c == 0 else _line_words(rp, "light", 2.9, max(3.0, xs[c + 1] - xs[c] - 2.5))
                s.text(xs[c] + 1.2, y0 + r * rh + rh * 0.68, cell, 2.9, "light", ink)


def draw_oli(s: Sheet, rp: np.random.Generator) -> None:
    """A handwritten đơn on squared school paper: 2-mm grid, bold 8-mm squares, red margin; blue ink."""
    W, H = s.w_mm, s.h_mm
    for k in range(int(W / 2) + 1):
        s.line(k * 2, 0, k * 2, H, 0.08 if k % 4 else 0.16, (190, 170, 220))
    for k in range(int(H / 2) + 1):
        s.line(0, k * 2, W, k * 2, 0.08 if k % 4 else 0.16, (190, 170, 220))
    s.line(26, 0, 26, H, 0.3, (225, 90, 100))
    ink = (35, 45, 160)
    font = "hand" if rp.random() < 0.5 else "hand2"
    s.text(W / 2, 24, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 4.2, font, ink, "ms")
    s.text(W / 2, 32, "Độc lập - Tự do - Hạnh phúc", 4.2, font, ink, "ms")
    s.text(W / 2, 48, str(rp.choice(TITLES)).capitalize(), 6.0, font, ink, "ms")
    y = 64.0
    while y < H - 50:
        words = _line_words(rp, font, 4.6, W - 46)
        x = 30.0
        for w in words.split():  # each word a little off the ruled line, as a hand writes
            s.text(x, y + float(rp.uniform(-0.3, 0.3)), w, 4.6, font, ink)
            x += _width_mm(w + " ", font, 4.6)
        y += 8.0
    s.ink_layer(_signature(rp, W * 0.62, H - 30, 34, ink))


def draw_card_front(s: Sheet, rp: np.random.Generator) -> None:
    """A CCCD / Căn cước front: guilloche, emblem, photo, fields, QR."""
    W = s.w_mm
    for k in range(26):
        pts = [s.p(x, 6 + k * 2 + 1.5 * math.sin(x / 6 + k)) for x in np.linspace(0, W, 60)]
        s.d.line(pts, fill=(185, 220, 215), width=max(1, round(0.15 * s.ppm)))
    s.ellipse(4, 4, 16, 16, fill=(210, 40, 40))
    s.d.polygon([s.p(10 + (3.8 if k % 2 == 0 else 1.5) * math.cos(-math.pi / 2 + k * math.pi / 5),
                     10 + (3.8 if k % 2 == 0 else 1.5) * math.sin(-math.pi / 2 + k * math.pi / 5)) for k in range(10)],
                fill=(250, 215, 60))
    s.text(W / 2 + 6, 7.5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 2.5, "head", (30, 30, 80), "ms")
    s.text(W / 2 + 6, 11, "Độc lập - Tự do - Hạnh phúc", 2.4, "head", (30, 30, 80), "ms")
    s.text(W / 2 + 6, 16, str(rp.choice(["CĂN CƯỚC CÔNG DÂN", "CĂN CƯỚC"])), 3.6, "head", (200, 30, 30), "ms")
    s.rect(4, 20, 24, 46, fill=(205, 215, 225))
    s.ellipse(8.5, 23, 19.5, 36, fill=(150, 120, 105))
    s.ellipse(5, 36, 23, 52, fill=(40, 45, 60))
    s.rect(4, 46, 24, 52, fill=(242, 246, 240))
    fields = [("Số / No.:", _fmt("0%02d%d%02d%06d", rp.integers(1, 96), rp.integers(0, 4), rp.integers(50, 99),
                                                   rp.integers(0, 999999))),
              ("Họ và tên / Full name:", str(rp.choice(NAMES)).upper()),
              ("Ngày sinh / Date of birth:", _fmt("%02d/%02d/19%02d", rp.integers(1, 29), rp.integers(1, 13),
                                                                     rp.integers(50, 99))),
              ("Quê quán / Place of origin:", str(rp.choice(UNITS)).title())]
    y = 22.0
    for label, val in fields:
        s.text(27, y, label, 2.1, "light", (40, 40, 60))
        s.text(27, y + 3.6, val, 3.0, "head", (20, 20, 30))
        y += 7.6
    q = rp.random((21, 21)) < 0.5
    m = 0.75
    for i in range(21):
        for j in range(21):
            fin = (i < 7 and j < 7) or (i < 7 and j > 13) or (i > 13 and j < 7)
            on = ((i % 6 in (0, 6) or j % 6 in (0, 6)) or (2 <= i % 14 <= 4 and 2 <= j % 14 <= 4)) if fin else q[i, j]
            if on:
                s.rect(W - 20 + j * m, 19 + i * m, W - 20 + (j + 1) * m, 19 + (i + 1) * m, fill=(10, 10, 10))


def draw_card_back(s: Sheet, rp: np.random.Generator) -> None:
    """A card back: chip, fingerprints, features, issuing seal, three MRZ lines."""
    W, H = s.w_mm, s.h_mm
    s.rect(6, 8, 18, 17, fill=(205, 175, 90), outline=(150, 120, 50), w=0.2)
    for k, x in enumerate((W - 44, W - 22)):
        s.ellipse(x, 6, x + 17, 27, fill=(235, 235, 235), outline=(120, 120, 120), w=0.2)
        for r in range(1, 8):
            s.ellipse(x + 8.5 - r, 16.5 - r * 1.2, x + 8.5 + r, 16.5 + r * 1.2, outline=(90, 90, 90), w=0.15)
        s.text(x + 8.5, 30, ["Ngón trỏ trái", "Ngón trỏ phải"][k], 1.9, "light", (30, 30, 30), "ms")
    s.text(5, 24, "Đặc điểm nhân dạng: nốt ruồi", 2.1, "light", (30, 30, 30))
    s.text(5, 28, _fmt("Ngày %02d tháng %02d năm 20%02d", rp.integers(1, 29), rp.integers(1, 13),
                                                        rp.integers(16, 26)), 2.1, "light", (30, 30, 30))
    s.ink_layer(_round_seal(rp, 16, 36, 6.5))
    num = _fmt("%012d", rp.integers(0, 10**12))
    mrz = [f"IDVNM{num[:9]}<<{num[9:]}<<<<<",
           _fmt("%02d%02d%02d1M%02d%02d%02d7VNM<<<<<<<<<<<8", *rp.integers(1, 28, 6)),
           _plain(str(rp.choice(NAMES))).upper().replace(" ", "<") + "<<<<<<<<"]
    for k, line in enumerate(mrz):
        s.text(4, H - 12 + k * 4.0, line[:30], 3.3, "nmono", (15, 15, 15))


def draw_passport(s: Sheet, rp: np.random.Generator) -> None:
    """An open passport: the visa page above, the data page below (spread 125 × 176 mm)."""
    W, H = s.w_mm, s.h_mm
    for k in range(40):
        pts = [s.p(x, 4 + k * 2.1 + 2 * math.sin(x / 9 + k * 0.7)) for x in np.linspace(0, W, 50)]
        s.d.line(pts, fill=(215, 225, 205), width=1)
    s.text(W / 2, 40, "THỊ THỰC / VISAS", 5, "head", (150, 160, 150), "ms")
    s.line(0, H / 2, W, H / 2, 0.2, (150, 150, 150))
    y0 = H / 2 + 4
    s.text(W / 2, y0 + 4, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 3.0, "head", (40, 40, 90), "ms")
    s.text(W / 2, y0 + 8, "HỘ CHIẾU / PASSPORT", 3.2, "head", (40, 40, 90), "ms")
    s.rect(6, y0 + 12, 38, y0 + 52, fill=(200, 210, 220))
    s.ellipse(13, y0 + 16, 31, y0 + 38, fill=(150, 120, 100))
    s.ellipse(8, y0 + 37, 36, y0 + 62, fill=(40, 40, 55))
    s.rect(6, y0 + 52, 38, y0 + 62, fill=(243, 243, 238))
    y = y0 + 15
    for label in ("Họ / Surname", "Tên / Given names", "Ngày sinh / Date of birth", "Nơi sinh / Place of birth",
                  "Ngày cấp / Date of issue", "Có giá trị đến / Date of expiry"):
        s.text(42, y, label, 2.2, "light", (40, 40, 60))
        s.text(42, y + 3.4, _plain(str(rp.choice(NAMES))).upper() if "Surname" in label or "Given" in label
               else _fmt("%02d/%02d/20%02d", rp.integers(1, 29), rp.integers(1, 13), rp.integers(10, 35)),
               3.0, "head", (20, 20, 30))
        y += 7.2
    num = _fmt("C%07d", rp.integers(0, 10**7))
    s.text(4, H - 8, ("P<VNM" + _plain(str(rp.choice(NAMES))).upper().replace(" ", "<") + "<" * 40)[:44], 3.4,
           "nmono", (15, 15, 15))
    s.text(4, H - 3.5, (num + "<6VNM8501017M3001019" + "<" * 20)[:44], 3.4, "nmono", (15, 15, 15))


def draw_receipt(s: Sheet, rp: np.random.Generator) -> None:
    """A thermal till / fee receipt in mono print, unaccented as most tills print."""
    W, H = s.w_mm, s.h_mm
    ink = (45, 45, 50)
    s.text(W / 2, 8, "TRUNG TAM PHUC VU HCC", 3.2, "nmono", ink, "ms")
    s.text(W / 2, 13, "BIEN LAI THU PHI, LE PHI", 3.0, "nmono", ink, "ms")
    y = 20.0
    while y < H - 22:
        if rp.random() < 0.2:
            s.text(3, y, "-" * 40, 2.6, "nmono", ink)
        else:
            item = _plain(" ".join(rp.choice(WORDS, 3)))[:18]
            s.text(3, y, item, 2.6, "mono", ink)
            s.text(W - 3, y, f"{int(rp.integers(1, 200)) * 1000:,}", 2.6, "mono", ink, "rs")
        y += 4.2
    s.text(3, H - 16, "TONG CONG", 3.2, "nmono", ink)
    for k in range(36):
        if rp.random() < 0.6:
            s.rect(6 + k * 1.1, H - 12, 6 + k * 1.1 + float(rp.choice([0.3, 0.6])), H - 4, fill=ink)


def draw_queue_ticket(s: Sheet, rp: np.random.Generator) -> None:
    W = s.w_mm
    ink = (30, 30, 30)
    s.text(W / 2, 9, "BỘ PHẬN MỘT CỬA", 3.4, "head", ink, "ms")
    s.text(W / 2, 15, "Số thứ tự của bạn", 3.0, "italic", ink, "ms")
    s.text(W / 2, 32, _fmt("%s%03d", rp.choice(list("ABCD")), rp.integers(1, 400)), 13, "head", ink, "ms")
    s.text(W / 2, 41, _fmt("Quầy số %d", rp.integers(1, 9)), 3.6, "italic", ink, "ms")
    s.text(W / 2, 48, _fmt("%02d:%02d  %02d/%02d/2026", rp.integers(7, 17), rp.integers(0, 60), rp.integers(1, 29),
                                                    rp.integers(1, 13)), 3.0, "mono", ink, "ms")
    s.text(W / 2, 54, _fmt("Đang chờ: %d người", rp.integers(1, 30)), 3.0, "italic", ink, "ms")


def draw_lottery(s: Sheet, rp: np.random.Generator) -> None:
    W, H = s.w_mm, s.h_mm
    col = [(210, 50, 60), (40, 90, 170), (30, 130, 70)][int(rp.integers(0, 3))]
    s.rect(2, 2, W - 2, H - 2, outline=col, w=0.8)
    s.text(W / 2, 14, "XO SO KIEN THIET", 5.5, "p052b", col, "ms")
    s.text(W / 2, 22, _fmt("Mở thưởng thứ %d ngày %02d-%02d-2026", rp.integers(2, 8), rp.integers(1, 29),
                                                               rp.integers(1, 13)), 3.2, "italic", col, "ms")
    s.text(W / 2, 42, _fmt("%06d", rp.integers(0, 10**6)), 13, "p052b", (20, 20, 20), "ms")
    s.text(W / 2, 52, "Giá 10.000đ", 3.6, "head", col, "ms")
    for k in range(10):
        s.ellipse(6 + k * 12, 58, 12 + k * 12, 64, outline=col, w=0.3)


def draw_appointment(s: Sheet, rp: np.random.Generator) -> None:
    """Mẫu 01 on A6: receipt of a dossier with its appointment date."""
    W = s.w_mm
    ink = (25, 25, 30)
    s.text(W * 0.27, 8, "BỘ PHẬN TIẾP NHẬN", 2.3, "head", ink, "ms")
    s.text(W * 0.27, 11, "VÀ TRẢ KẾT QUẢ", 2.3, "head", ink, "ms")
    s.text(W * 0.72, 8, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 2.0, "head", ink, "ms")
    s.text(W * 0.72, 11, "Độc lập - Tự do - Hạnh phúc", 2.2, "head", ink, "ms")
    s.text(W / 2, 20, "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", 3.1, "head", ink, "ms")
    s.text(W / 2, 25, _fmt("Mã hồ sơ: H15.50.05.%02d-26%02d%02d-%04d", rp.integers(1, 40), rp.integers(1, 13),
                                                                 rp.integers(1, 29), rp.integers(1, 9999)),
           2.6, "italic", ink, "ms")
    y = 32.0
    for _ in range(int(rp.integers(8, 12))):
        s.text(7, y, _line_words(rp, "light", 2.7, W - 14), 2.7, "light", ink)
        y += 4.6
    s.ink_layer(_round_seal(rp, W * 0.7, y + 4, 7))
    s.ink_layer(_signature(rp, W * 0.6, y + 6, 18))


def draw_bankslip(s: Sheet, rp: np.random.Generator) -> None:
    W = s.w_mm
    ink = (30, 40, 90)
    s.text(8, 10, "NGAN HANG TMCP", 3.0, "p052b", ink)
    s.text(W / 2, 18, "UY NHIEM CHI / PAYMENT ORDER", 4.6, "p052b", ink, "ms")
    y = 28.0
    for label in ("Ten don vi tra tien", "So tai khoan", "Tai ngan hang", "Ten don vi nhan tien",
                  "So tai khoan", "So tien bang so", "So tien bang chu", "Noi dung"):
        s.text(8, y, label + ":", 3.0, "p052", ink)
        s.line(8 + _width_mm(label + ": ", "p052", 3.0), y + 0.5, W - 8, y + 0.5, 0.15, (130, 130, 150))
        if rp.random() < 0.8:
            s.text(60, y - 0.4, _plain(_line_words(rp, "light", 3.2, W - 75)).upper(), 3.2, "nmono", (20, 20, 20))
        y += 7.5
    for k, lab in enumerate(("Ke toan", "Chu tai khoan", "Giao dich vien", "Kiem soat")):
        s.text(15 + k * (W - 30) / 4 + 10, y + 5, lab, 2.8, "p052b", ink, "ms")
    s.ink_layer(_signature(rp, 30, y + 14, 20))


def draw_photo_page(s: Sheet, rp: np.random.Generator) -> None:
    """A page whose upper half is a large photo (a house / land plot picture in a dossier)."""
    W, H = s.w_mm, s.h_mm
    s.text(W / 2, 20, "ẢNH CHỤP HIỆN TRẠNG THỬA ĐẤT", 5.5, "head", (20, 20, 20), "ms")
    x0, y0, x1, y1 = 22, 28, W - 16, 28 + float(rp.uniform(0.45, 0.6)) * H
    s.rect(x0, y0, x1, (y0 + y1) / 2, fill=(120, 165, 215))
    s.rect(x0, (y0 + y1) / 2, x1, y1, fill=(75, 110, 60))
    s.d.polygon([s.p(x0 + 30, (y0 + y1) / 2 + 5), s.p(x0 + 60, y0 + 25), s.p(x0 + 95, (y0 + y1) / 2 + 5)],
                fill=(140, 60, 40))
    s.rect(x0 + 36, (y0 + y1) / 2 + 5, x0 + 86, y1 - 12, fill=(225, 215, 190))
    s.rect(x0 + 55, y1 - 40, x0 + 67, y1 - 12, fill=(70, 45, 30))
    y = y1 + 12
    while y < H - 25:
        s.text(22, y, _line_words(rp, "light", 4.3, W - 38), 4.3, "light", (25, 25, 25))
        y += 8.5


# --------------------------------------------------------------------------- geometry and truth


def corners(w: int, h: int) -> np.ndarray:
    """A w × h image's outline in its pixel coordinates (pixel centres on integers)."""
    return np.array([[-0.5, -0.5], [w - 0.5, -0.5], [w - 0.5, h - 0.5], [-0.5, h - 0.5]], np.float64)


def apply_h(hm: np.ndarray, pts: np.ndarray) -> np.ndarray:
    p = np.c_[np.asarray(pts, np.float64), np.ones(len(pts))] @ hm.T
    return p[:, :2] / p[:, 2:3]


def place(w: int, h: int, angle: float, cx: float, cy: float, scale: float = 1.0) -> np.ndarray:
    """Homography turning a w × h document by ``angle`` degrees CCW on screen about its centre, scaled,
    with its centre at (cx, cy)."""
    a = math.radians(angle)
    c, s = math.cos(a) * scale, math.sin(a) * scale
    ox, oy = (w - 1) / 2, (h - 1) / 2
    # y points down: a CCW turn on screen maps (1, 0) to (cos, -sin).
    return np.array([[c, s, cx - c * ox - s * oy], [-s, c, cy + s * ox - c * oy], [0, 0, 1]], np.float64)


def perspective(hm: np.ndarray, w: int, h: int, jitter: np.ndarray) -> np.ndarray:
    """``hm`` followed by moving the mapped corners by ``jitter`` (4 × 2 px)."""
    src = corners(w, h).astype(np.float32)
    dst = (apply_h(hm, corners(w, h)) + jitter).astype(np.float32)
    return cv2.getPerspectiveTransform(src, dst).astype(np.float64)


def poly_area(q: np.ndarray) -> float:
    """Signed area, positive when clockwise on screen (y down)."""
    q = np.asarray(q, np.float64)
    return float(0.5 * np.sum(q[:, 0] * np.roll(q[:, 1], -1) - np.roll(q[:, 0], -1) * q[:, 1]))


def clip_to_frame(poly: np.ndarray, fw: int, fh: int, start: np.ndarray) -> np.ndarray:
    """The convex polygon's part inside the frame, clockwise, from the vertex nearest ``start``."""
    fr = corners(fw, fh).astype(np.float32)
    hull = cv2.convexHull(np.asarray(poly, np.float32)).reshape(-1, 2)
    _, inter = cv2.intersectConvexConvex(hull, fr)
    q = inter.reshape(-1, 2).astype(np.float64)
    if poly_area(q) < 0:
        q = q[::-1]
    k = int(np.argmin(np.linalg.norm(q - start, axis=1)))
    return np.roll(q, -k, axis=0)


def axis_angle(hm: np.ndarray, w: int, h: int) -> float:
    """CCW angle (deg) on screen of the document's horizontal axis at its centre."""
    c = np.array([(w - 1) / 2, (h - 1) / 2])
    half = np.array([0.5, 0.0])
    p = apply_h(hm, np.array([c - half, c + half]))
    return math.degrees(math.atan2(-(p[1, 1] - p[0, 1]), p[1, 0] - p[0, 0]))


def turn_of(angle: float) -> tuple[int, float]:
    """(clockwise quarter turn that makes it upright, residual skew CCW in [-45, 45))."""
    q = round(angle / 90.0)
    skew = angle - 90.0 * q
    if skew >= 45.0:
        skew -= 90.0
        q += 1
    return int(q % 4) * 90, float(skew)


def composite(bg: np.ndarray, doc: np.ndarray, hm: np.ndarray, alpha: np.ndarray | None = None) -> np.ndarray:
    """Lay ``doc`` over ``bg`` through ``hm``; the sheet's edge is antialiased by the warped mask."""
    fh, fw = bg.shape[:2]
    a = np.full(doc.shape[:2], 255, np.uint8) if alpha is None else alpha
    warped = cv2.warpPerspective(doc, hm, (fw, fh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    m = cv2.warpPerspective(a, hm, (fw, fh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    m = m.astype(np.float32) * np.float32(1 / 255)
    return cv2.blendLinear(warped, bg, m, 1.0 - m)


def rounded_alpha(w: int, h: int, r_px: float) -> np.ndarray:
    a = np.full((h, w), 255, np.uint8)
    r = max(1, round(r_px))
    a[:r, :r] = a[:r, -r:] = a[-r:, :r] = a[-r:, -r:] = 0
    for cx, cy in ((r, r), (w - 1 - r, r), (r, h - 1 - r), (w - 1 - r, h - 1 - r)):
        cv2.circle(a, (cx, cy), r, 255, -1, cv2.LINE_AA)
    return a


@dataclass
class Page:
    """One generated frame: BGR image, stated DPI (None for photos) and its truth."""

    image: np.ndarray
    dpi: int | None
    truth: dict[str, Any]


@dataclass
class Ctx:
    seed: int
    index: int
    dpi: int
    scene: str
    rp: np.random.Generator  # scene parameters: never pixel-sized draws, so choices do not depend on DPI
    rn: np.random.Generator  # pixel noise and textures


def finish(ctx: Ctx, frame: np.ndarray, dpi: int | None, objs: list[tuple[np.ndarray, np.ndarray]],
           main: tuple[np.ndarray, int, int], *, text: bool, skew_scored: bool | None = None,
           blank: bool = False, near_blank: bool = False, orientation_scored: bool | None = None,
           **extra: Any) -> Page:
    """Truth from the placing transforms. ``objs``: (homography, outline in document pixels) of every
    object that makes the page; ``main``: the homography and size giving the page's axes."""
    fh, fw = frame.shape[:2]
    hm, w, h = main
    pts = np.vstack([apply_h(H, poly) for H, poly in objs])
    start = apply_h(hm, corners(w, h)[:1])[0]
    q = clip_to_frame(pts, fw, fh, start)
    rotation, skew = turn_of(axis_angle(hm, w, h))
    cls = CLASS_OF[ctx.scene]
    if skew_scored is None:
        skew_scored = text and cls == "flatbed"
    t = {
        "name": f"{ctx.scene}#{ctx.index}", "scene": ctx.scene, "class": cls, "size": [fw, fh],
        "quad": [[round(float(x), 3), round(float(y), 3)] for x, y in q],
        "rotation": rotation, "skew_deg": round(skew, 4), "skew_scored": bool(skew_scored and text),
        "has_text_lines": bool(text), "orientation_scored": bool(text if orientation_scored is None
                                                                 else orientation_scored),
        "blank": blank, "near_blank": near_blank,
        "full_frame": bool(abs(poly_area(q)) >= 0.98 * fw * fh), "dpi_stated": dpi,
    }
    t.update(extra)
    return Page(np.ascontiguousarray(frame), dpi, t)


# --------------------------------------------------------------------------- backgrounds and effects


def smooth_noise(rn: np.random.Generator, fw: int, fh: int, cells: int, ch: int = 1) -> np.ndarray:
    gw, gh = max(2, cells), max(2, round(cells * fh / fw))
    small = rn.random((gh, gw, ch)).astype(np.float32)
    big = cv2.resize(small, (fw, fh), interpolation=cv2.INTER_CUBIC)
    return big.reshape(fh, fw, ch)


def gauss(rn: np.random.Generator, shape: tuple[int, ...], sigma: float) -> np.ndarray:
    """Gaussian noise (float32), drawn by OpenCV from a seed taken off ``rn``: many times faster than numpy."""
    cv2.setRNGSeed(int(rn.integers(0, 2**31 - 1)))
    out = np.empty(shape, np.float32)
    cv2.randn(out, 0.0, float(sigma))
    return out


def bg_plain(rn: np.random.Generator, fw: int, fh: int, bgr: tuple[int, int, int], var: float = 6.0) -> np.ndarray:
    shade = (smooth_noise(rn, fw, fh, 6)[:, :, 0] - 0.5) * np.float32(2 * var) + gauss(rn, (fh, fw), 1.5)
    out = shade[:, :, None] + np.array(bgr, np.float32)[None, None, :]
    return np.clip(out, 0, 255).astype(np.uint8)


def bg_wood(rn: np.random.Generator, fw: int, fh: int, dark: bool) -> np.ndarray:
    yy = np.arange(fh, dtype=np.float32)[:, None]
    warp = smooth_noise(rn, fw, fh, 4)[:, :, 0] * 5
    grain = 0.5 + 0.5 * np.sin(yy / max(1, fh) * 110 + warp + np.arange(fw, dtype=np.float32)[None, :] / max(1, fw) * 4)
    base = np.array([35, 50, 75] if dark else [90, 140, 185], np.float32)
    out = base[None, None, :] * (0.75 + 0.35 * grain[:, :, None])
    out += gauss(rn, (fh, fw, 1), 3)
    return np.clip(out, 0, 255).astype(np.uint8)


def bg_tiles(rn: np.random.Generator, fw: int, fh: int, k: float) -> np.ndarray:
    t = max(8, round(140 * k))
    yy, xx = np.mgrid[0:fh, 0:fw]
    chk = ((yy // t + xx // t) % 2).astype(np.float32)[:, :, None]
    a, b = np.array([170, 200, 215], np.float32), np.array([60, 90, 160], np.float32)
    out = a * chk + b * (1 - chk)
    grout = ((yy % t) < max(1, t // 25)) | ((xx % t) < max(1, t // 25))
    out[grout] = (215, 215, 210)
    out += gauss(rn, (fh, fw, 1), 4)
    return np.clip(out, 0, 255).astype(np.uint8)


def bg_sofa(rn: np.random.Generator, fw: int, fh: int, k: float) -> np.ndarray:
    yy, xx = np.mgrid[0:fh, 0:fw].astype(np.float32)
    p = max(6.0, 60 * k)
    plaid = 0.5 + 0.25 * np.sin(xx / p * 2 * np.pi) + 0.25 * np.sin(yy / p * 2 * np.pi)
    stripes = (np.sin(xx / (p / 5) * 2 * np.pi) > 0.85) | (np.sin(yy / (p / 5) * 2 * np.pi) > 0.85)
    out = np.stack([60 + 80 * plaid, 50 + 40 * plaid, 120 + 90 * plaid], -1)
    out[stripes] = (220, 225, 235)
    return np.clip(out + gauss(rn, (fh, fw, 1), 5), 0, 255).astype(np.uint8)


def bg_newspaper(rn: np.random.Generator, fw: int, fh: int, k: float) -> np.ndarray:
    out = np.full((fh, fw, 3), (200, 212, 218), np.uint8)
    col_w = max(20, round(330 * k))
    lh = max(2, round(14 * k))
    for cx in range(0, fw, col_w):
        y = int(rn.integers(0, lh * 3))
        while y < fh:
            x = cx + max(1, round(12 * k))
            while x < cx + col_w - max(2, round(20 * k)):
                ww = int(rn.integers(max(2, round(15 * k)), max(3, round(70 * k))))
                cv2.rectangle(out, (x, y), (min(x + ww, cx + col_w - 10), y + max(1, lh // 2)), (90, 90, 95), -1)
                x += ww + max(1, round(8 * k))
            y += lh
    return cv2.GaussianBlur(out, (0, 0), max(0.5, 1.2 * k))


def bg_room(rn: np.random.Generator, fw: int, fh: int) -> np.ndarray:
    """A room behind: soft light and dark masses, mostly greys with a little colour."""
    lum = smooth_noise(rn, fw, fh, 4)[:, :, 0] * 130 + 50
    tint = (smooth_noise(rn, fw, fh, 3, 3) - 0.5) * 40
    return np.clip(lum[:, :, None] + tint, 0, 255).astype(np.uint8)


def light(img: np.ndarray, rn: np.random.Generator, lo: float, hi: float) -> np.ndarray:
    """Uneven light: a linear ramp from ``lo`` to ``hi`` across the frame in a random direction."""
    fh, fw = img.shape[:2]
    a = rn.uniform(0, 2 * np.pi)
    gx = (math.cos(a) * np.arange(fw, dtype=np.float32) / fw)[None, :]
    gy = (math.sin(a) * np.arange(fh, dtype=np.float32) / fh)[:, None]
    g = gx + gy
    g0, g1 = float(gx.min() + gy.min()), float(gx.max() + gy.max())
    f = (lo + (hi - lo) * (g - g0) / max(1e-6, g1 - g0)).astype(np.float32)
    return np.clip(img * f[:, :, None], 0, 255).astype(np.uint8)


def shade_poly(img: np.ndarray, poly: np.ndarray, depth: float, soft: float) -> np.ndarray:
    """A soft shadow over ``poly``; the soft edge is blurred on a quarter-size mask (a wide blur is slow)."""
    fh, fw = img.shape[:2]
    q = 4
    m = np.zeros(((fh + q - 1) // q, (fw + q - 1) // q), np.float32)
    cv2.fillPoly(m, [np.round(np.asarray(poly) / q).astype(np.int32)], 1.0)
    m = cv2.GaussianBlur(m, (0, 0), max(0.5, soft / q))
    m = cv2.resize(m, (fw, fh), interpolation=cv2.INTER_LINEAR)
    return np.clip(img * (1 - depth * m)[:, :, None], 0, 255).astype(np.uint8)


def glare(img: np.ndarray, cx: float, cy: float, r: float, strength: float) -> np.ndarray:
    fh, fw = img.shape[:2]
    gx = np.exp(-((np.arange(fw, dtype=np.float32) - cx) ** 2) / (2 * r * r))[None, :]
    gy = np.exp(-((np.arange(fh, dtype=np.float32) - cy) ** 2) / (2 * r * r))[:, None]
    g = np.minimum(np.float32(1.0), gx * gy * np.float32(strength))
    return np.clip(img + (np.float32(265) - img) * g[:, :, None], 0, 255).astype(np.uint8)


def noise(img: np.ndarray, rn: np.random.Generator, sigma: float) -> np.ndarray:
    n = gauss(rn, img.shape[:2], sigma)
    return np.clip(img + n[:, :, None], 0, 255).astype(np.uint8)


def blur(img: np.ndarray, sigma: float) -> np.ndarray:
    return img if sigma < 0.25 else cv2.GaussianBlur(img, (0, 0), sigma)


def motion(img: np.ndarray, length: float, angle: float) -> np.ndarray:
    n = max(3, round(length) | 1)
    k = np.zeros((n, n), np.float32)
    c = n // 2
    dx, dy = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    cv2.line(k, (round(c - dx * c), round(c - dy * c)), (round(c + dx * c), round(c + dy * c)), 1.0, 1)
    return cv2.filter2D(img, -1, k / k.sum())


def grey3(img: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)


def hand(img: np.ndarray, x: float, y: float, dx: float, dy: float, size: float) -> np.ndarray:
    """A thumb (and the hand behind it) reaching from outside along (dx, dy) to (x, y)."""
    out = img.copy()
    n = math.hypot(dx, dy) or 1.0
    ux, uy = dx / n, dy / n
    col = (105, 140, 200)
    cv2.ellipse(out, (round(x - ux * size * 0.8), round(y - uy * size * 0.8)),
                (max(1, round(size * 1.1)), max(1, round(size * 0.45))),
                math.degrees(math.atan2(uy, ux)), 0, 360, col, -1, cv2.LINE_AA)
    cv2.ellipse(out, (round(x - ux * size * 2.6), round(y - uy * size * 2.6)),
                (max(1, round(size * 2.2)), max(1, round(size * 1.5))),
                math.degrees(math.atan2(uy, ux)), 0, 360, (90, 120, 175), -1, cv2.LINE_AA)
    return cv2.GaussianBlur(out, (0, 0), max(0.5, size * 0.03))


# --------------------------------------------------------------------------- capture set-ups


def ppm_of(dpi: float) -> float:
    return dpi / 25.4


def flatbed(ctx: Ctx, doc: np.ndarray, angle: float, dpi: float, lid: tuple[int, int, int] = (244, 244, 242),
            bed_mm: tuple[float, float] = (216.0, 297.0), off_mm: tuple[float, float] = (2.0, 2.0),
            alpha: np.ndarray | None = None, landscape_bed: bool = False,
            fit: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Lay a document on a scanner bed: its corner ``off_mm`` from the bed's origin corner, turned by
    ``angle``; the frame is the whole bed. Returns (frame, homography)."""
    k = ppm_of(dpi)
    bw, bh = (bed_mm[1], bed_mm[0]) if landscape_bed else bed_mm
    fw, fh = round(bw * k), round(bh * k)
    h, w = doc.shape[:2]
    hm = place(w, h, angle, 0, 0)
    c = apply_h(hm, corners(w, h))
    if fit:  # a small document is laid wholly on the glass
        ext = c.max(0) - c.min(0)
        off_mm = (min(off_mm[0], max(0.0, bw - ext[0] / k - 1.0)), min(off_mm[1], max(0.0, bh - ext[1] / k - 1.0)))
    hm = np.array([[1, 0, off_mm[0] * k - c[:, 0].min()], [0, 1, off_mm[1] * k - c[:, 1].min()], [0, 0, 1]]) @ hm
    frame = composite(bg_plain(ctx.rn, fw, fh, lid, 3.0), doc, hm, alpha)
    return frame, hm


def scanner_finish(ctx: Ctx, img: np.ndarray, dpi: float) -> np.ndarray:
    return noise(blur(img, 0.05 * ppm_of(dpi)), ctx.rn, 1.8)


def photo(ctx: Ctx, doc: np.ndarray, fw: int, fh: int, bg: np.ndarray, angle: float, fill: float,
          persp: float, centre: tuple[float, float] = (0.5, 0.5), alpha: np.ndarray | None = None,
          keystone: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """A phone photo of a document: turned, scaled so its long side spans ``fill`` of the frame's short
    side, corners moved by ``persp`` of its size (random draws from the parameter generator), and an
    optional keystone (far edge shorter) for steep views."""
    rp = ctx.rp
    h, w = doc.shape[:2]
    s = fill * min(fw, fh) / max(w, h)
    hm = place(w, h, angle, centre[0] * fw, centre[1] * fh, s)
    size = max(w, h) * s
    jit = rp.uniform(-persp, persp, (4, 2)) * size
    if keystone:
        c = apply_h(hm, corners(w, h))
        mid = c.mean(0)
        # Pull the two corners of the document's top edge towards each other (they are further away).
        for i in (0, 1):
            jit[i] += (mid - c[i]) * np.array([keystone, keystone * 0.6])
    hm = perspective(hm, w, h, jit)
    return composite(bg, doc, hm, alpha), hm


def photo_frame(ctx: Ctx, ratio: tuple[int, int] = (4, 3), portrait: bool = False) -> tuple[int, int, float]:
    """Frame size of a phone photo, scaled with the run's DPI (150 dpi → 2000-px long side)."""
    k = ctx.dpi / 150.0
    long = round(2000 * k)
    short = round(long * ratio[1] / ratio[0])
    return (short, long, k) if portrait else (long, short, k)


def doc_ppm_for(ctx: Ctx, frac_px: float, w_mm: float) -> float:
    """Pixels per mm to draw a photographed document at about the size it will have in the frame."""
    return max(0.6, frac_px / w_mm)


# --------------------------------------------------------------------------- scenes


def _small_skew(rp: np.random.Generator, big: bool = False) -> float:
    s = rp.uniform(0.1, 3.0) if not big else rp.uniform(3.0, 12.0)
    return float(s if rp.random() < 0.5 else -s)


def s_bw_adf_don(ctx: Ctx) -> Page:
    """1-bit ADF scan: the page fills the frame but is fed a little askew; black or white backing
    shows in the corners; thresholded, no greys at all."""
    rp = ctx.rp
    ang = _small_skew(rp) + (180.0 if rp.random() < 0.2 else 0.0)
    black = bool(rp.random() < 0.5)
    thr = float(rp.uniform(120, 170))
    sh = Sheet(210, 297, ppm_of(ctx.dpi))
    draw_form(sh, rp, str(rp.choice(["light", "italic", "p052"])))
    doc = sh.bgr()
    h, w = doc.shape[:2]
    fw, fh = w, h  # ADF output: the page size, the page turned inside it
    hm = place(w, h, ang, (fw - 1) / 2 + rp.uniform(-1.5, 1.5) * ppm_of(ctx.dpi),
               (fh - 1) / 2 + rp.uniform(-2, 2) * ppm_of(ctx.dpi))
    bg = np.full((fh, fw, 3), 25 if black else 235, np.uint8)
    frame = blur(composite(bg, doc, hm), 0.04 * ppm_of(ctx.dpi))
    g = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    frame = cv2.cvtColor(np.where(g < thr, 0, 255).astype(np.uint8), cv2.COLOR_GRAY2BGR)
    return finish(ctx, frame, ctx.dpi, [(hm, corners(w, h))], (hm, w, h), text=True, backing="black" if black
                  else "white", mode="1-bit")


def s_grey_tokhai(ctx: Ctx) -> Page:
    rp = ctx.rp
    ang = _small_skew(rp)
    sh = Sheet(210, 297, ppm_of(ctx.dpi), (255, 255, 255))
    draw_form(sh, rp, "light", n_lines=int(rp.integers(14, 22)))
    doc = sh.bgr()
    h, w = doc.shape[:2]
    frame, hm = flatbed(ctx, doc, ang, ctx.dpi, off_mm=(float(rp.uniform(0.5, 5)), float(rp.uniform(0.5, 5))))
    frame = grey3(scanner_finish(ctx, frame, ctx.dpi))
    return finish(ctx, frame, ctx.dpi, [(hm, corners(w, h))], (hm, w, h), text=True, mode="grey")


def s_tag72_scan(ctx: Ctx) -> Page:
    """Scanned at 200 dpi (4/3 of the run's DPI), the file says 72 dpi."""
    rp = ctx.rp
    ang = _small_skew(rp) + (180.0 if rp.random() < 0.25 else 0.0)
    real = ctx.dpi * 4 / 3
    sh = Sheet(210, 297, ppm_of(real))
    draw_form(sh, rp, "italic")
    doc = sh.bgr()
    h, w = doc.shape[:2]
    frame, hm = flatbed(ctx, doc, ang, real, off_mm=(float(rp.uniform(1, 5)), float(rp.uniform(1, 6))))
    frame = scanner_finish(ctx, frame, real)
    return finish(ctx, frame, 72, [(hm, corners(w, h))], (hm, w, h), text=True, dpi_true=round(real))


def s_autocrop_rim(ctx: Ctx) -> Page:
    """An MFP's auto-crop: the box around the slightly turned page plus a thin dark rim on some sides."""
    rp = ctx.rp
    ang = _small_skew(rp)
    rims = rp.uniform(0.3, 2.0, 4) * (rp.random(4) < 0.6)
    k = ppm_of(ctx.dpi)
    sh = Sheet(210, 297, k)
    draw_form(sh, rp, "light")
    doc = sh.bgr()
    h, w = doc.shape[:2]
    hm = place(w, h, ang, 0, 0)
    c = apply_h(hm, corners(w, h))
    left, top, right, bottom = (rims * k).tolist()
    hm = np.array([[1, 0, left - c[:, 0].min() - 0.5], [0, 1, top - c[:, 1].min() - 0.5], [0, 0, 1]]) @ hm
    c = apply_h(hm, corners(w, h))
    fw, fh = round(c[:, 0].max() + 0.5 + right), round(c[:, 1].max() + 0.5 + bottom)
    bg = bg_plain(ctx.rn, fw, fh, (38, 38, 40), 4)
    frame = scanner_finish(ctx, composite(bg, doc, hm), ctx.dpi)
    return finish(ctx, frame, ctx.dpi, [(hm, corners(w, h))], (hm, w, h), text=True)


def s_folded_four(ctx: Ctx) -> Page:
    """A page that was folded in four: crease shadows across the middle both ways."""
    rp = ctx.rp
    ang = _small_skew(rp)
    k = ppm_of(ctx.dpi)
    sh = Sheet(210, 297, k)
    draw_form(sh, rp, str(rp.choice(["light", "italic"])))
    doc = sh.bgr().astype(np.float32)
    h, w = doc.shape[:2]
    xs, ys = np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32)
    fx, fy = w / 2 + rp.uniform(-4, 4) * k, h / 2 + rp.uniform(-6, 6) * k
    d1, d2 = float(rp.uniform(0.12, 0.3)), float(rp.uniform(0.1, 0.25))
    cw = 2.0 * k
    sx = 1 - d1 * np.exp(-((xs - fx) / cw) ** 2) + 0.05 * np.tanh((xs - fx) / (8 * k))
    sy = 1 - d2 * np.exp(-((ys - fy) / cw) ** 2) - 0.04 * np.tanh((ys - fy) / (8 * k))
    doc = np.clip(doc * (sy[:, None] * sx[None, :])[:, :, None], 0, 255).astype(np.uint8)
    frame, hm = flatbed(ctx, doc, ang, ctx.dpi, off_mm=(float(rp.uniform(1, 5)), float(rp.uniform(1, 5))))
    return finish(ctx, scanner_finish(ctx, frame, ctx.dpi), ctx.dpi, [(hm, corners(w, h))], (hm, w, h),
                  text=True)


def s_crumpled(ctx: Ctx) -> Page:
    """A crumpled page flattened on the glass: the print wanders (outline kept straight by the glass),
    with creases' light and shade. Skew not scored: lines are no longer straight."""
    rp = ctx.rp
    ang = _small_skew(rp)
    k = ppm_of(ctx.dpi)
    sh = Sheet(210, 297, k)
    draw_form(sh, rp, "light")
    doc = sh.bgr()
    h, w = doc.shape[:2]
    amp = float(rp.uniform(1.0, 2.5)) * k
    dx = (smooth_noise(ctx.rn, w, h, 7)[:, :, 0] - 0.5) * 2 * amp
    dy = (smooth_noise(ctx.rn, w, h, 7)[:, :, 0] - 0.5) * 2 * amp
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    win = np.minimum(np.minimum(xx, w - 1 - xx), np.minimum(yy, h - 1 - yy)) / (6 * k)
    win = np.clip(win, 0, 1)
    doc = cv2.remap(doc, xx + dx * win, yy + dy * win, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    gx = cv2.Sobel(dx, cv2.CV_32F, 1, 0, ksize=3) / max(1e-3, amp) * 1.5
    shade = np.clip(1.0 + 0.15 * gx + (smooth_noise(ctx.rn, w, h, 12)[:, :, 0] - 0.5) * 0.12, 0.7, 1.08)
    doc = np.clip(doc.astype(np.float32) * shade[:, :, None], 0, 255).astype(np.uint8)
    frame, hm = flatbed(ctx, doc, ang, ctx.dpi, off_mm=(float(rp.uniform(1, 5)), float(rp.uniform(1, 5))))
    return finish(ctx, scanner_finish(ctx, frame, ctx.dpi), ctx.dpi, [(hm, corners(w, h))], (hm, w, h),
                  text=True, skew_scored=False)


def s_punched_dogear(ctx: Ctx) -> Page:
    """Two punched holes (the lid shows through) and a dog-eared corner folded over; or a torn-off
    corner (then the outline has five sides)."""
    rp = ctx.rp
    ang = _small_skew(rp) + (180.0 if rp.random() < 0.25 else 0.0)
    torn = bool(rp.random() < 0.5)
    corner = int(rp.integers(0, 4))
    cut = float(rp.uniform(10, 25))
    k = ppm_of(ctx.dpi)
    sh = Sheet(210, 297, k)
    draw_form(sh, rp, str(rp.choice(["light", "p052"])))
    doc = sh.bgr()
    h, w = doc.shape[:2]
    alpha = np.full((h, w), 255, np.uint8)
    for yh in (297 / 2 - 40, 297 / 2 + 40):
        cv2.circle(alpha, (round(12 * k), round(yh * k)), max(1, round(3 * k)), 0, -1, cv2.LINE_AA)
    cn = corners(w, h)
    cpx = cut * k
    cx, cy = cn[corner]
    sx, sy = (1 if corner in (0, 3) else -1), (1 if corner in (0, 1) else -1)
    tri = np.array([[cx, cy], [cx + sx * cpx, cy], [cx, cy + sy * cpx]])
    if torn:
        cv2.fillPoly(alpha, [np.round(tri * 16).astype(np.int32)], 0, cv2.LINE_AA, 4)
        poly = np.vstack([cn[:corner], tri[1:] if corner in (0, 2) else tri[:0:-1], cn[corner + 1:]])
    else:  # a dog-ear: the corner folded onto the page, its back (a little grey) up; no paper left at the corner
        flap = np.array([[cx + sx * cpx, cy], [cx, cy + sy * cpx], [cx + sx * cpx, cy + sy * cpx]])
        cv2.fillPoly(alpha, [np.round(tri * 16).astype(np.int32)], 0, cv2.LINE_AA, 4)
        cv2.fillPoly(doc, [np.round(flap * 16).astype(np.int32)], (222, 224, 224), cv2.LINE_AA, 4)
        cv2.line(doc, tuple(np.round(flap[0]).astype(int)), tuple(np.round(flap[1]).astype(int)), (150, 150, 150),
                 1, cv2.LINE_AA)
        poly = np.vstack([cn[:corner], tri[1:] if corner in (0, 2) else tri[:0:-1], cn[corner + 1:]])
    lid = (244, 244, 242) if rp.random() < 0.6 else (60, 60, 62)
    frame, hm = flatbed(ctx, doc, ang, ctx.dpi, lid=lid, alpha=alpha,
                        off_mm=(float(rp.uniform(1, 5)), float(rp.uniform(1, 5))))
    return finish(ctx, scanner_finish(ctx, frame, ctx.dpi), ctx.dpi, [(hm, poly)], (hm, w, h), text=True,
                  torn=torn)


def s_coloured_paper(ctx: Ctx) -> Page:
    rp = ctx.rp
    ang = _small_skew(rp)
    paper = [(248, 205, 215), (250, 240, 170), (190, 215, 245), (200, 235, 200)][int(rp.integers(0, 4))]
    sh = Sheet(210, 297, ppm_of(ctx.dpi), paper)
    draw_form(sh, rp, "light")
    doc = sh.bgr()
    h, w = doc.shape[:2]
    frame, hm = flatbed(ctx, doc, ang, ctx.dpi, off_mm=(float(rp.uniform(1, 8)), float(rp.uniform(1, 8))))
    return finish(ctx, scanner_finish(ctx, frame, ctx.dpi), ctx.dpi, [(hm, corners(w, h))], (hm, w, h),
                  text=True, paper=paper)


def s_photocopy2(ctx: Ctx) -> Page:
    """A copy of a copy: grey ground, hard print, toner specks, dark bands where the earlier copy's
    glass edge was, all on a white sheet."""
    rp = ctx.rp
    ang = _small_skew(rp) + (180.0 if rp.random() < 0.2 else 0.0)
    k = ppm_of(ctx.dpi)
    sh = Sheet(210, 297, k, (255, 255, 255))
    draw_form(sh, rp, "light")
    doc = sh.bgr().astype(np.float32)
    h, w = doc.shape[:2]
    ground = float(rp.uniform(185, 215))
    doc = np.clip((doc - 255) * 1.5 + ground, 0, 255)
    band_side = int(rp.integers(0, 4))
    band = float(rp.uniform(3, 12)) * k
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    dist = [yy, w - 1 - xx, h - 1 - yy, xx][band_side]
    doc = np.where((dist < band)[:, :, None], doc * 0.25, doc)
    speck = ctx.rn.random((h, w)) < 0.002
    doc[speck] = 30
    doc = blur(doc.astype(np.uint8), 0.06 * k)
    doc = grey3(noise(doc, ctx.rn, 6))
    frame, hm = flatbed(ctx, doc, ang, ctx.dpi, off_mm=(float(rp.uniform(1, 5)), float(rp.uniform(1, 5))))
    return finish(ctx, scanner_finish(ctx, frame, ctx.dpi), ctx.dpi, [(hm, corners(w, h))], (hm, w, h),
                  text=True, band_side=band_side)


def s_photo_page(ctx: Ctx) -> Page:
    rp = ctx.rp
    ang = _small_skew(rp)
    sh = Sheet(210, 297, ppm_of(ctx.dpi))
    draw_photo_page(sh, rp)
    doc = sh.bgr()
    h, w = doc.shape[:2]
    frame, hm = flatbed(ctx, doc, ang, ctx.dpi, off_mm=(float(rp.uniform(1, 5)), float(rp.uniform(1, 5))))
    return finish(ctx, scanner_finish(ctx, frame, ctx.dpi), ctx.dpi, [(hm, corners(w, h))], (hm, w, h),
                  text=True)


def s_landscape_table(ctx: Ctx) -> Page:
    """A landscape register printed full-bleed, laid portrait on the bed (a quarter turn)."""
    rp = ctx.rp
    ang = _small_skew(rp) + float(rp.choice([90.0, -90.0]))
    sh = Sheet(297, 210, ppm_of(ctx.dpi))
    draw_table(sh, rp, float(rp.uniform(2.5, 5)))
    doc = sh.bgr()
    h, w = doc.shape[:2]
    frame, hm = flatbed(ctx, doc, ang, ctx.dpi, off_mm=(float(rp.uniform(1, 5)), float(rp.uniform(1, 5))))
    return finish(ctx, scanner_finish(ctx, frame, ctx.dpi), ctx.dpi, [(hm, corners(w, h))], (hm, w, h),
                  text=True)


def s_oli_handwritten(ctx: Ctx) -> Page:
    """A handwritten đơn on squared (ô li) school paper, a bit smaller than A4."""
    rp = ctx.rp
    ang = _small_skew(rp)
    sh = Sheet(200, 280, ppm_of(ctx.dpi), (252, 252, 246))
    draw_oli(sh, rp)
    doc = sh.bgr()
    h, w = doc.shape[:2]
    frame, hm = flatbed(ctx, doc, ang, ctx.dpi, off_mm=(float(rp.uniform(2, 12)), float(rp.uniform(2, 12))))
    return finish(ctx, scanner_finish(ctx, frame, ctx.dpi), ctx.dpi, [(hm, corners(w, h))], (hm, w, h),
                  text=True)


def s_saoy_stamps(ctx: Ctx) -> Page:
    """A certified copy: a grey photocopy of a document with colour stamps over it (SAO Y BẢN CHÍNH,
    round seals, signatures)."""
    rp = ctx.rp
    ang = _small_skew(rp)
    k = ppm_of(ctx.dpi)
    sh = Sheet(210, 297, k, (255, 255, 255))
    y_end = draw_form(sh, rp, "light")
    g = grey3(sh.bgr())
    sh.im = Image.fromarray(np.ascontiguousarray(g[:, :, ::-1]))
    sh.d = ImageDraw.Draw(sh.im)
    sh.ink_layer(_saoy(float(rp.uniform(15, 40)), float(rp.uniform(8, 30))))
    for _ in range(int(rp.integers(2, 4))):
        sh.ink_layer(_round_seal(rp, float(rp.uniform(40, 170)), float(rp.uniform(60, min(270, y_end))),
                                 float(rp.uniform(14, 20))))
    sh.ink_layer(_signature(rp, 130, 265, 30))
    sh.text(150, 285, _fmt("Số chứng thực: %d  Quyển số: %02d-SCT/BS", rp.integers(100, 9999), rp.integers(1, 20)),
            3.2, "italic", (30, 30, 30), "ms")
    doc = sh.bgr()
    h, w = doc.shape[:2]
    frame, hm = flatbed(ctx, doc, ang, ctx.dpi, off_mm=(float(rp.uniform(1, 5)), float(rp.uniform(1, 5))))
    return finish(ctx, scanner_finish(ctx, frame, ctx.dpi), ctx.dpi, [(hm, corners(w, h))], (hm, w, h),
                  text=True, red_seals=True)


def s_blank_back(ctx: Ctx) -> Page:
    """The blank back of a duplex ADF scan, with the front's print showing through faintly (mirrored)."""
    rp = ctx.rp
    ang = _small_skew(rp)
    k = ppm_of(ctx.dpi)
    sh = Sheet(210, 297, k, (255, 255, 255))
    draw_form(sh, rp, "light")
    front = cv2.cvtColor(sh.bgr(), cv2.COLOR_BGR2GRAY).astype(np.float32)
    h, w = front.shape
    strength = float(rp.uniform(0.04, 0.1))
    through = cv2.GaussianBlur(front[:, ::-1], (0, 0), max(0.5, 0.25 * k))
    paper = float(rp.uniform(236, 250))
    doc = np.clip(paper - (255 - through) * strength, 0, 255).astype(np.uint8)
    doc = cv2.cvtColor(doc, cv2.COLOR_GRAY2BGR)
    frame, hm = flatbed(ctx, doc, ang, ctx.dpi, lid=(70, 70, 72) if rp.random() < 0.3 else (244, 244, 242),
                        off_mm=(float(rp.uniform(1, 5)), float(rp.uniform(1, 5))))
    return finish(ctx, scanner_finish(ctx, frame, ctx.dpi), ctx.dpi, [(hm, corners(w, h))], (hm, w, h),
                  text=False, blank=True, bleed=round(strength, 3))


def s_near_blank(ctx: Ctx) -> Page:
    """Almost nothing on the page, but something that must be kept: a page number, a short note and a
    signature, or one small stamp."""
    rp = ctx.rp
    ang = _small_skew(rp)
    kind = ["page_number", "note", "stamp"][ctx.index // len(SCENES) % 3]
    k = ppm_of(ctx.dpi)
    sh = Sheet(210, 297, k, (253, 253, 251))
    if kind == "page_number":
        sh.text(105, 285, _fmt("- %d -", rp.integers(2, 9)), 4.2, "light", (20, 20, 20), "ms")
        sh.text(float(rp.uniform(40, 150)), float(rp.uniform(40, 120)), _fmt("Trang %d", rp.integers(2, 9)), 4.0,
                "light", (20, 20, 20))
    elif kind == "note":
        sh.text(float(rp.uniform(30, 110)), float(rp.uniform(60, 200)), "Đã nhận đủ hồ sơ", 5.0, "hand",
                (35, 45, 160))
        sh.ink_layer(_signature(rp, float(rp.uniform(100, 150)), float(rp.uniform(220, 260)), 28))
    else:
        sh.ink_layer(_round_seal(rp, float(rp.uniform(40, 170)), float(rp.uniform(50, 250)), 12))
    doc = sh.bgr()
    h, w = doc.shape[:2]
    frame, hm = flatbed(ctx, doc, ang, ctx.dpi, off_mm=(float(rp.uniform(1, 5)), float(rp.uniform(1, 5))))
    return finish(ctx, scanner_finish(ctx, frame, ctx.dpi), ctx.dpi, [(hm, corners(w, h))], (hm, w, h),
                  text=False, near_blank=True, kind=kind)


def s_booklet_curl(ctx: Ctx) -> Page:
    """An open booklet (sổ, two A5 pages) on the glass: print curves and darkens towards the spine.
    The outline is the whole spread; skew not scored (lines bend)."""
    rp = ctx.rp
    ang = _small_skew(rp)
    k = ppm_of(ctx.dpi)
    sh = Sheet(296, 210, k, (246, 243, 232))
    for half in (0, 1):
        sub = Sheet(148, 210, k, (246, 243, 232))
        draw_form(sub, rp, "light", n_lines=int(rp.integers(6, 10)), top=14)
        sh.im.paste(sub.im, (round(half * 148 * k), 0))
    doc = sh.bgr()
    h, w = doc.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    sp = (w - 1) / 2
    near = np.clip(1 - np.abs(xx - sp) / (28 * k), 0, 1) ** 2
    bend = float(rp.uniform(0.03, 0.08))
    win = np.clip(np.minimum(yy, h - 1 - yy) / (10 * k), 0, 1)
    doc = cv2.remap(doc, xx + np.sign(xx - sp) * near * 6 * k * win, yy + (yy - h / 2) * bend * near,
                    cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    doc = np.clip(doc.astype(np.float32) * (1 - 0.55 * near)[:, :, None], 0, 255).astype(np.uint8)
    frame, hm = flatbed(ctx, doc, ang, ctx.dpi, landscape_bed=True,
                        off_mm=(float(rp.uniform(0, 1)), float(rp.uniform(1, 5))))
    return finish(ctx, scanner_finish(ctx, frame, ctx.dpi), ctx.dpi, [(hm, corners(w, h))], (hm, w, h),
                  text=True, skew_scored=False)


# cards


def _card_doc(ctx: Ctx, ppm: float, back: bool) -> tuple[np.ndarray, np.ndarray]:
    sh = Sheet(85.6, 53.98, ppm, (232, 240, 236) if not back else (236, 238, 240))
    (draw_card_back if back else draw_card_front)(sh, ctx.rp)
    doc = sh.bgr()
    h, w = doc.shape[:2]
    return doc, rounded_alpha(w, h, 3.18 * ppm)


def s_cccd_hand(ctx: Ctx) -> Page:
    """A card held in a hand for the phone: thumb over one edge, room behind."""
    rp = ctx.rp
    back = bool(rp.random() < 0.4)
    ang = float(rp.uniform(-25, 25)) + float(rp.choice([0, 0, 90, -90, 180]))
    fill = float(rp.uniform(0.55, 0.85))
    fw, fh, _k = photo_frame(ctx, portrait=bool(rp.random() < 0.4))
    doc, alpha = _card_doc(ctx, doc_ppm_for(ctx, fill * min(fw, fh), 85.6), back)
    h, w = doc.shape[:2]
    frame, hm = photo(ctx, doc, fw, fh, bg_room(ctx.rn, fw, fh), ang, fill, 0.05, alpha=alpha,
                      centre=(float(rp.uniform(0.42, 0.58)), float(rp.uniform(0.42, 0.58))))
    c = apply_h(hm, corners(w, h))
    e = int(rp.integers(0, 4))
    p = c[e] + (c[(e + 1) % 4] - c[e]) * float(rp.uniform(0.3, 0.7))
    inward = c.mean(0) - p
    frame = hand(frame, *(p + inward * 0.12), *inward, size=0.05 * min(fw, fh))
    frame = noise(light(frame, ctx.rn, 0.7, 1.05), ctx.rn, 3)
    return finish(ctx, frame, None, [(hm, corners(w, h))], (hm, w, h), text=True, back=back)


def s_cccd_wallet(ctx: Ctx) -> Page:
    rp = ctx.rp
    back = bool(rp.random() < 0.5)
    ang = float(rp.uniform(-15, 15)) + float(rp.choice([0, 90, 180, 270]))
    fill = float(rp.uniform(0.45, 0.75))
    fw, fh, _k = photo_frame(ctx)
    doc, alpha = _card_doc(ctx, doc_ppm_for(ctx, fill * min(fw, fh), 85.6), back)
    h, w = doc.shape[:2]
    leather = bg_plain(ctx.rn, fw, fh, (25, 38, 60), 12)
    frame, hm = photo(ctx, doc, fw, fh, leather, ang, fill, 0.04, alpha=alpha)
    frame = noise(light(frame, ctx.rn, 0.6, 1.0), ctx.rn, 4)
    return finish(ctx, frame, None, [(hm, corners(w, h))], (hm, w, h), text=True, back=back)


def s_laminated_glare(ctx: Ctx) -> Page:
    """An old laminated card: the clear pouch (its outline is the object) around the card, glare on it."""
    rp = ctx.rp
    ang = float(rp.uniform(-10, 10)) + float(rp.choice([0, 0, 180, 90]))
    fill = float(rp.uniform(0.5, 0.8))
    fw, fh, k = photo_frame(ctx)
    ppm = doc_ppm_for(ctx, fill * min(fw, fh), 95.0)
    card, calpha = _card_doc(ctx, ppm, bool(rp.random() < 0.3))
    ch, cw = card.shape[:2]
    pad = round(4.5 * ppm)
    doc = np.full((ch + 2 * pad, cw + 2 * pad, 3), 0, np.uint8)
    bgc = bg_wood(ctx.rn, doc.shape[1], doc.shape[0], False)
    doc[:] = (bgc.astype(np.float32) * 0.85 + 30).clip(0, 255).astype(np.uint8)  # the desk seen through the pouch
    roi = doc[pad:pad + ch, pad:pad + cw]
    m = (calpha.astype(np.float32) / 255)[:, :, None]
    roi[:] = (card * m + roi * (1 - m)).astype(np.uint8)
    h, w = doc.shape[:2]
    alpha = rounded_alpha(w, h, 2 * ppm)
    gx, gy = float(rp.uniform(0.3, 0.7)), float(rp.uniform(0.3, 0.7))
    gr = float(rp.uniform(0.06, 0.14))
    bgw = bg_wood(ctx.rn, fw, fh, False)
    frame, hm = photo(ctx, doc, fw, fh, bgw, ang, fill, 0.05, alpha=alpha)
    # The pouch's own outline catches the light: a thin bright rim, as the plastic edge does.
    c = apply_h(hm, corners(w, h))
    cv2.polylines(frame, [np.round(c).astype(np.int32)], True, (235, 235, 235), max(1, round(1.5 * k)), cv2.LINE_AA)
    p = apply_h(hm, np.array([[gx * w, gy * h]]))[0]
    frame = glare(frame, p[0], p[1], gr * min(fw, fh), float(rp.uniform(1.2, 2.0)))
    frame = noise(frame, ctx.rn, 3)
    return finish(ctx, frame, None, [(hm, corners(w, h))], (hm, w, h), text=True, laminated=True)


def s_two_cards_glass(ctx: Ctx) -> Page:
    """Front and back side by side on the flatbed glass (outline: both cards)."""
    rp = ctx.rp
    k = ppm_of(ctx.dpi)
    a1 = _small_skew(rp) + float(rp.choice([0.0, 180.0, 90.0]))
    a2 = a1 + float(rp.uniform(-3, 3))
    p1 = (float(rp.uniform(45, 60)), float(rp.uniform(35, 60)))
    p2 = (p1[0] + float(rp.uniform(85, 110)), p1[1] + float(rp.uniform(-10, 10)))
    if rp.random() < 0.5:  # one above the other
        p2 = (p1[0] + float(rp.uniform(-8, 8)), p1[1] + float(rp.uniform(70, 100)))
    d1, al1 = _card_doc(ctx, k, False)
    d2, al2 = _card_doc(ctx, k, True)
    h, w = d1.shape[:2]
    fw, fh = round(216 * k), round(297 * k)
    lid = (244, 244, 242) if rp.random() < 0.6 else (30, 30, 32)
    h1 = place(w, h, a1, p1[0] * k, p1[1] * k)
    h2 = place(d2.shape[1], d2.shape[0], a2, p2[0] * k, p2[1] * k)
    frame = composite(composite(bg_plain(ctx.rn, fw, fh, lid, 3), d1, h1, al1), d2, h2, al2)
    frame = scanner_finish(ctx, frame, ctx.dpi)
    return finish(ctx, frame, ctx.dpi, [(h1, corners(w, h)), (h2, corners(d2.shape[1], d2.shape[0]))],
                  (h1, w, h), text=True)


def s_passport_glass(ctx: Ctx) -> Page:
    """An open passport on the glass, the data page towards the bed's edge; the lid cannot close, so
    the room shows dark around it."""
    rp = ctx.rp
    k = ppm_of(ctx.dpi)
    ang = _small_skew(rp) + float(rp.choice([0.0, 180.0, 90.0, -90.0]))
    sh = Sheet(125, 176, k, (236, 240, 228))
    draw_passport(sh, rp)
    doc = sh.bgr()
    h, w = doc.shape[:2]
    frame, hm = flatbed(ctx, doc, ang, ctx.dpi, lid=(45, 42, 40),
                        off_mm=(float(rp.uniform(3, 40)), float(rp.uniform(3, 60))), fit=True)
    return finish(ctx, scanner_finish(ctx, frame, ctx.dpi), ctx.dpi, [(hm, corners(w, h))], (hm, w, h),
                  text=True)


def s_card_steep(ctx: Ctx) -> Page:
    """A card photographed at a steep angle on a desk: its far edge much shorter."""
    rp = ctx.rp
    ang = float(rp.uniform(-20, 20)) + float(rp.choice([0, 0, 90, 180]))
    fill = float(rp.uniform(0.55, 0.8))
    fw, fh, _k = photo_frame(ctx)
    doc, alpha = _card_doc(ctx, doc_ppm_for(ctx, fill * min(fw, fh), 85.6), bool(rp.random() < 0.4))
    h, w = doc.shape[:2]
    desk = bg_wood(ctx.rn, fw, fh, bool(rp.random() < 0.5))
    frame, hm = photo(ctx, doc, fw, fh, desk, ang, fill, 0.02, alpha=alpha, keystone=float(rp.uniform(0.25, 0.45)))
    frame = noise(light(frame, ctx.rn, 0.7, 1.05), ctx.rn, 3)
    return finish(ctx, frame, None, [(hm, corners(w, h))], (hm, w, h), text=True)


# slips


def _slip_on_lid(ctx: Ctx, doc: np.ndarray, lid: tuple[int, int, int], ang: float) -> tuple[np.ndarray, np.ndarray]:
    rp = ctx.rp
    return flatbed(ctx, doc, ang, ctx.dpi, lid=lid, off_mm=(float(rp.uniform(5, 90)), float(rp.uniform(5, 150))),
                   fit=True)


def s_queue_ticket(ctx: Ctx) -> Page:
    rp = ctx.rp
    ang = float(rp.uniform(-8, 8)) + float(rp.choice([0, 90, 180, 270]))
    sh = Sheet(58, 62, ppm_of(ctx.dpi), (246, 246, 240))
    draw_queue_ticket(sh, rp)
    doc = sh.bgr()
    h, w = doc.shape[:2]
    frame, hm = _slip_on_lid(ctx, doc, (244, 244, 242), ang)
    return finish(ctx, scanner_finish(ctx, frame, ctx.dpi), ctx.dpi, [(hm, corners(w, h))], (hm, w, h),
                  text=True)


def s_thermal_desk(ctx: Ctx) -> Page:
    """A long thermal receipt photographed on a dark desk: it curls (shading across), faded print."""
    rp = ctx.rp
    ang = float(rp.uniform(-12, 12)) + float(rp.choice([0, 90, 180]))
    fill = float(rp.uniform(0.75, 0.92))
    fw, fh, _k = photo_frame(ctx, portrait=bool(rp.random() < 0.6))
    L = float(rp.uniform(110, 170))
    sh = Sheet(58, L, doc_ppm_for(ctx, fill * min(fw, fh), L), (240, 240, 236))
    draw_receipt(sh, rp)
    doc = sh.bgr().astype(np.float32)
    h, w = doc.shape[:2]
    fade = float(rp.uniform(0.45, 0.8))
    doc = 255 - (255 - doc) * fade
    xs = np.linspace(-1, 1, w, dtype=np.float32)
    doc = doc * (1 - 0.18 * xs ** 2)[None, :, None]
    doc = np.clip(doc, 0, 255).astype(np.uint8)
    frame, hm = photo(ctx, doc, fw, fh, bg_wood(ctx.rn, fw, fh, True), ang, fill, 0.04)
    frame = noise(light(frame, ctx.rn, 0.65, 1.0), ctx.rn, 3.5)
    return finish(ctx, frame, None, [(hm, corners(w, h))], (hm, w, h), text=True, orientation_scored=True)


def s_a6_appointment(ctx: Ctx) -> Page:
    rp = ctx.rp
    ang = _small_skew(rp) + float(rp.choice([0, 0, 90, 180, 270]))
    sh = Sheet(105, 148, ppm_of(ctx.dpi))
    draw_appointment(sh, rp)
    doc = sh.bgr()
    h, w = doc.shape[:2]
    frame, hm = _slip_on_lid(ctx, doc, (244, 244, 242), ang)
    return finish(ctx, scanner_finish(ctx, frame, ctx.dpi), ctx.dpi, [(hm, corners(w, h))], (hm, w, h),
                  text=True)


def s_bank_slip(ctx: Ctx) -> Page:
    """A light-coloured bank payment order (A5 landscape) on a dark open lid."""
    rp = ctx.rp
    ang = _small_skew(rp) + float(rp.choice([0, 0, 180, 90]))
    paper = [(235, 245, 250), (250, 240, 225), (240, 250, 235)][int(rp.integers(0, 3))]
    sh = Sheet(210, 110, ppm_of(ctx.dpi), paper)
    draw_bankslip(sh, rp)
    doc = sh.bgr()
    h, w = doc.shape[:2]
    frame, hm = flatbed(ctx, doc, ang, ctx.dpi, lid=(35, 35, 38),
                        off_mm=(float(rp.uniform(1, 4)), float(rp.uniform(5, 120))), fit=True)
    return finish(ctx, scanner_finish(ctx, frame, ctx.dpi), ctx.dpi, [(hm, corners(w, h))], (hm, w, h),
                  text=True)


def s_lottery_desk(ctx: Ctx) -> Page:
    rp = ctx.rp
    ang = float(rp.uniform(-20, 20)) + float(rp.choice([0, 90, 180]))
    fill = float(rp.uniform(0.5, 0.8))
    fw, fh, k = photo_frame(ctx)
    sh = Sheet(130, 68, doc_ppm_for(ctx, fill * min(fw, fh), 130), (248, 246, 236))
    draw_lottery(sh, rp)
    doc = sh.bgr()
    h, w = doc.shape[:2]
    bg = bg_tiles(ctx.rn, fw, fh, k) if rp.random() < 0.5 else bg_wood(ctx.rn, fw, fh, True)
    frame, hm = photo(ctx, doc, fw, fh, bg, ang, fill, 0.05)
    frame = noise(light(frame, ctx.rn, 0.7, 1.05), ctx.rn, 3)
    return finish(ctx, frame, None, [(hm, corners(w, h))], (hm, w, h), text=True)


def s_double_feed(ctx: Ctx) -> Page:
    """An ADF double feed: two A6 slips pulled through together, overlapping and askew (outline: both)."""
    rp = ctx.rp
    k = ppm_of(ctx.dpi)
    a1, a2 = _small_skew(rp, big=bool(rp.random() < 0.5)), _small_skew(rp, big=True)
    dy = float(rp.uniform(40, 110))
    dx = float(rp.uniform(-10, 10))
    s1, s2 = Sheet(105, 148, k), Sheet(105, 148, k)
    draw_appointment(s1, rp)
    draw_appointment(s2, rp)
    d1, d2 = s1.bgr(), s2.bgr()
    h, w = d1.shape[:2]
    fw, fh = round(216 * k), round(356 * k)
    bg = bg_plain(ctx.rn, fw, fh, (30, 30, 32), 3)
    x0 = 108 * k
    h2 = place(w, h, a2, x0 + dx * k, (20 + 74 + dy) * k)
    h1 = place(w, h, a1, x0, (20 + 74) * k)
    frame = composite(composite(bg, d2, h2), d1, h1)
    frame = scanner_finish(ctx, frame, ctx.dpi)
    return finish(ctx, frame, ctx.dpi, [(h1, corners(w, h)), (h2, corners(w, h))], (h1, w, h), text=True)


def s_carbon_copy(ctx: Ctx) -> Page:
    """Liên 2 of a carbon-copied A5 receipt: violet carbon print, blurred, with smudges, thin grey paper."""
    rp = ctx.rp
    ang = _small_skew(rp) + float(rp.choice([0, 0, 180]))
    k = ppm_of(ctx.dpi)
    sh = Sheet(148, 210, k, (238, 236, 232))
    draw_form(sh, rp, "italic", ink=(120, 70, 100), n_lines=int(rp.integers(6, 11)), top=14)
    doc = blur(sh.bgr(), 0.12 * k)
    sm = smooth_noise(ctx.rn, doc.shape[1], doc.shape[0], 10)[:, :, 0]
    doc = np.clip(doc.astype(np.float32) * (1 - 0.05 * np.clip(sm - 0.6, 0, 1) * 2.5)[:, :, None], 0, 255)
    doc = doc.astype(np.uint8)
    h, w = doc.shape[:2]
    frame, hm = _slip_on_lid(ctx, doc, (244, 244, 242), ang)
    return finish(ctx, scanner_finish(ctx, frame, ctx.dpi), ctx.dpi, [(hm, corners(w, h))], (hm, w, h),
                  text=True)


# camera


def _a4_for_photo(ctx: Ctx, fill: float, fh_short: int) -> tuple[np.ndarray, int, int]:
    sh = Sheet(210, 297, doc_ppm_for(ctx, fill * fh_short, 297))
    draw_form(sh, ctx.rp, str(ctx.rp.choice(["light", "italic", "p052"])))
    doc = sh.bgr()
    return doc, doc.shape[1], doc.shape[0]


def s_shadow_glare(ctx: Ctx) -> Page:
    """A page on a table with the phone's own shadow across it and a lamp's glare spot."""
    rp = ctx.rp
    ang = float(rp.uniform(-8, 8)) + float(rp.choice([0, 0, 0, 90, 180]))
    fill = float(rp.uniform(0.8, 0.95))
    fw, fh, _k = photo_frame(ctx, portrait=bool(rp.random() < 0.5))
    doc, w, h = _a4_for_photo(ctx, fill, min(fw, fh))
    sx, sy, sw = float(rp.uniform(0.2, 0.8)), float(rp.uniform(0.3, 0.75)), float(rp.uniform(0.25, 0.45))
    depth = float(rp.uniform(0.3, 0.55))
    gx, gy = float(rp.uniform(0.2, 0.8)), float(rp.uniform(0.1, 0.6))
    frame, hm = photo(ctx, doc, fw, fh, bg_wood(ctx.rn, fw, fh, bool(rp.random() < 0.5)), ang, fill, 0.05)
    shadow = np.array([[sx - sw / 2, sy], [sx + sw / 2, sy], [sx + sw / 2 + 0.1, 1.2], [sx - sw / 2 - 0.1, 1.2]])
    frame = shade_poly(frame, shadow * [fw, fh], depth, 0.02 * min(fw, fh))
    frame = glare(frame, gx * fw, gy * fh, 0.06 * min(fw, fh), float(rp.uniform(0.9, 1.6)))
    frame = noise(frame, ctx.rn, 3)
    return finish(ctx, frame, None, [(hm, corners(w, h))], (hm, w, h), text=True)


def s_motion_lowlight(ctx: Ctx) -> Page:
    rp = ctx.rp
    ang = float(rp.uniform(-6, 6)) + float(rp.choice([0, 0, 180, 90]))
    fill = float(rp.uniform(0.7, 0.92))
    fw, fh, k = photo_frame(ctx, portrait=bool(rp.random() < 0.5))
    doc, w, h = _a4_for_photo(ctx, fill, min(fw, fh))
    mlen, mang = float(rp.uniform(3, 10)) * k, float(rp.uniform(0, 180))
    dark = float(rp.uniform(0.3, 0.5))
    frame, hm = photo(ctx, doc, fw, fh, bg_plain(ctx.rn, fw, fh, (70, 85, 100), 15), ang, fill, 0.05)
    frame = motion(frame, mlen, mang)
    frame = (frame.astype(np.float32) * dark * np.array([0.9, 1.0, 1.15], np.float32)).clip(0, 255).astype(np.uint8)
    frame = noise(frame, ctx.rn, 7)
    frame = (frame + gauss(ctx.rn, frame.shape, 4)).clip(0, 255).astype(np.uint8)
    return finish(ctx, frame, None, [(hm, corners(w, h))], (hm, w, h), text=True, motion_px=round(mlen, 1))


def s_pattern_under(ctx: Ctx) -> Page:
    """A page on a patterned floor, a check sofa or a newspaper."""
    rp = ctx.rp
    kind = ["tiles", "sofa", "newspaper"][ctx.index // len(SCENES) % 3]
    ang = float(rp.uniform(-15, 15)) + float(rp.choice([0, 0, 90, 180, 270]))
    fill = float(rp.uniform(0.65, 0.9))
    fw, fh, k = photo_frame(ctx, portrait=bool(rp.random() < 0.5))
    doc, w, h = _a4_for_photo(ctx, fill, min(fw, fh))
    bg = {"tiles": bg_tiles, "sofa": bg_sofa, "newspaper": bg_newspaper}[kind](ctx.rn, fw, fh, k)
    frame, hm = photo(ctx, doc, fw, fh, bg, ang, fill, 0.07)
    frame = noise(light(frame, ctx.rn, 0.7, 1.05), ctx.rn, 3)
    return finish(ctx, frame, None, [(hm, corners(w, h))], (hm, w, h), text=True, kind=kind)


def s_held_in_air(ctx: Ctx) -> Page:
    """A page held up by both hands against a room: thumbs on the side edges, its bottom out of frame."""
    rp = ctx.rp
    ang = float(rp.uniform(-7, 7))
    fill = float(rp.uniform(0.95, 1.15))
    fw, fh, k = photo_frame(ctx, portrait=True)
    doc, w, h = _a4_for_photo(ctx, fill, min(fw, fh))
    cy = float(rp.uniform(0.5, 0.62))
    frame, hm = photo(ctx, doc, fw, fh, blur(bg_room(ctx.rn, fw, fh), 6 * k), ang, fill, 0.04, centre=(0.5, cy))
    c = apply_h(hm, corners(w, h))
    for a, b in ((0, 3), (1, 2)):
        p = c[a] + (c[b] - c[a]) * float(rp.uniform(0.35, 0.6))
        inward = c.mean(0) - p
        frame = hand(frame, *(p + inward * 0.06), *inward, size=0.06 * fw)
    frame = noise(light(frame, ctx.rn, 0.75, 1.05), ctx.rn, 3)
    return finish(ctx, frame, None, [(hm, corners(w, h))], (hm, w, h), text=True)


def s_flash_169(ctx: Ctx) -> Page:
    """A 16:9 photo taken with the flash: a hot spot near the middle and dark corners."""
    rp = ctx.rp
    ang = float(rp.uniform(-10, 10)) + float(rp.choice([0, 90, -90, 180]))
    fill = float(rp.uniform(0.8, 0.98))
    fw, fh, _k = photo_frame(ctx, ratio=(16, 9), portrait=bool(rp.random() < 0.5))
    doc, w, h = _a4_for_photo(ctx, fill, min(fw, fh))
    gx, gy = float(rp.uniform(0.4, 0.6)), float(rp.uniform(0.35, 0.6))
    frame, hm = photo(ctx, doc, fw, fh, bg_plain(ctx.rn, fw, fh, (95, 110, 120), 10), ang, fill, 0.04)
    xx = np.arange(fw, dtype=np.float32)[None, :]
    yy = np.arange(fh, dtype=np.float32)[:, None]
    vig = 1 - 0.55 * (((xx - fw / 2) / fw) ** 2 + ((yy - fh / 2) / fh) ** 2) * 2
    frame = (frame.astype(np.float32) * vig[:, :, None]).clip(0, 255).astype(np.uint8)
    frame = glare(frame, gx * fw, gy * fh, 0.08 * min(fw, fh), float(rp.uniform(1.0, 1.8)))
    return finish(ctx, noise(frame, ctx.rn, 3), None, [(hm, corners(w, h))], (hm, w, h), text=True)


def s_rot90_exifless(ctx: Ctx) -> Page:
    """A portrait photo stored landscape without an EXIF turn: the page lies on its side."""
    rp = ctx.rp
    ang = float(rp.uniform(-5, 5)) + float(rp.choice([90.0, -90.0]))
    fill = float(rp.uniform(0.8, 0.95))
    fw, fh, _k = photo_frame(ctx)
    doc, w, h = _a4_for_photo(ctx, fill, min(fw, fh))
    bg = bg_plain(ctx.rn, fw, fh, (150, 160, 165), 20)
    frame, hm = photo(ctx, doc, fw, fh, bg, ang, fill, 0.06)
    frame = noise(light(frame, ctx.rn, 0.75, 1.05), ctx.rn, 3)
    return finish(ctx, frame, None, [(hm, corners(w, h))], (hm, w, h), text=True)


_SCENES: dict[str, tuple[str, Callable[[Ctx], Page]]] = {
    "bw_adf_don": ("flatbed", s_bw_adf_don),
    "grey_tokhai": ("flatbed", s_grey_tokhai),
    "tag72_scan": ("flatbed", s_tag72_scan),
    "autocrop_rim": ("flatbed", s_autocrop_rim),
    "folded_four": ("flatbed", s_folded_four),
    "crumpled": ("flatbed", s_crumpled),
    "punched_dogear": ("flatbed", s_punched_dogear),
    "coloured_paper": ("flatbed", s_coloured_paper),
    "photocopy2": ("flatbed", s_photocopy2),
    "photo_page": ("flatbed", s_photo_page),
    "landscape_table": ("flatbed", s_landscape_table),
    "oli_handwritten": ("flatbed", s_oli_handwritten),
    "saoy_stamps": ("flatbed", s_saoy_stamps),
    "blank_back": ("flatbed", s_blank_back),
    "near_blank": ("flatbed", s_near_blank),
    "booklet_curl": ("flatbed", s_booklet_curl),
    "cccd_hand": ("card", s_cccd_hand),
    "cccd_wallet": ("card", s_cccd_wallet),
    "laminated_glare": ("card", s_laminated_glare),
    "two_cards_glass": ("card", s_two_cards_glass),
    "passport_glass": ("card", s_passport_glass),
    "card_steep": ("card", s_card_steep),
    "queue_ticket": ("slip", s_queue_ticket),
    "thermal_desk": ("slip", s_thermal_desk),
    "a6_appointment": ("slip", s_a6_appointment),
    "bank_slip": ("slip", s_bank_slip),
    "lottery_desk": ("slip", s_lottery_desk),
    "double_feed": ("slip", s_double_feed),
    "carbon_copy": ("slip", s_carbon_copy),
    "shadow_glare": ("camera", s_shadow_glare),
    "motion_lowlight": ("camera", s_motion_lowlight),
    "pattern_under": ("camera", s_pattern_under),
    "held_in_air": ("camera", s_held_in_air),
    "flash_169": ("camera", s_flash_169),
    "rot90_exifless": ("camera", s_rot90_exifless),
}
SCENES: list[str] = list(_SCENES)
CLASS_OF: dict[str, str] = {k: v[0] for k, v in _SCENES.items()}
_PHOTO_SCENES = {k for k, v in _SCENES.items() if v[0] == "camera"} | {
    "cccd_hand", "cccd_wallet", "laminated_glare", "card_steep", "thermal_desk", "lottery_desk"}


def generate_page(seed: int, index: int, dpi: int = 150) -> Page:
    """Frame ``index`` of the set ``seed`` at ``dpi`` (scans at that DPI; photos scale with it)."""
    scene = SCENES[index % len(SCENES)]
    ctx = Ctx(seed, index, dpi, scene, np.random.default_rng([seed, index, 1]), np.random.default_rng([seed, index, 2]))
    return _SCENES[scene][1](ctx)

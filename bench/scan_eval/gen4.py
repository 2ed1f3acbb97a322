"""gen4: a held-out generator of counter scans that nobody tunes the pipeline on (issue #13).

The issue's lesson is that a pipeline tuned against one generator learns that generator; an
independent checker keeps its own generator outside the project. This is our stand-in for it:
written from scratch without reading the pipeline's internals or the other generators, with its
own choices, and **only reported on** (``run.py`` lists it as held out). Do not tune on it: when a
gen4 frame fails, reproduce the failure class in a tuning generator and fix it there.

Choices made here:

* Documents are typeset with reportlab into a PDF (DejaVu Serif Condensed / Sans Condensed /
  Sans Mono, TrueType, full Vietnamese) and rasterised by poppler's ``pdftoppm`` at the frame's
  resolution: Vietnamese administrative forms (Quốc hiệu and tiêu ngữ, dotted fields filled in a
  jittered blue "handwriting", tick boxes, signature scribbles, red round seals with the
  organisation's name around the rim), decisions with numbered articles in justified text,
  ruled tables (portrait, or landscape turned on a portrait sheet), an A5 appointment slip, an A6
  fee receipt on tinted paper, thermal till receipts (57/80 mm, long, grey print), CCCD-like ID-1
  cards (front: emblem, flag-like wave pattern, photo, QR, chip; back: fingerprints, seal, MRZ),
  near-blank sheets (a faint pencil line, one handwritten line, a violet date stamp) and blank
  backs with bleed-through.
* Photocopies are made in image space: grey toner, speckle, the content crooked on the copy,
  black copier borders along the copy's edges.
* Capture models: flatbed glass (A4 preset filling the frame, full glass with white or grey lid,
  lid open over a dark room) at 1–3× the base DPI, automatic document feeder (dark or light
  backing, narrow side margins, skew 0.05–3°, vertical dust streaks, corners cut by the frame),
  phone photos (no DPI; perspective, barrel distortion, vignetting, white-balance cast, glare,
  a hand's shadow, a curled lower edge, motion blur or defocus, JPEG q55–92, pages running off
  1–3 sides, a two-page booklet spread) on procedural backgrounds designed here: printed oilcloth,
  plank laminate, a glass desk with window reflections, newspaper under the page, a dark desk
  with a keyboard, a mouse and its cable.

Truth (the format ``run.py`` scores): the paper's outline mapped through the very transform that
placed it, clipped to the frame (pixel centres at integers, frame edges at −0.5 / size − 0.5; a
clipped outline may have up to 8 vertices, scored as a convex polygon); two cards on one glass:
the convex hull of both; a spread: the whole open booklet. ``rotation`` is the clockwise quarter
turn that makes the content upright, ``skew_deg`` the text lines' angle in the frame
(counter-clockwise positive; on a photocopy the angle of the *content*, sheet plus copy).

``python -m bench.scan_eval.gen4 --out DIR -n N`` writes PNGs and ``truth.json`` (the real set's
format, readable by ``overlay.py --truth DIR/truth.json --images DIR``).
"""

from __future__ import annotations

import argparse
import io
import json
import math
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np

MM = 72.0 / 25.4  # PDF points per millimetre
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONTS = {  # reportlab name -> TrueType file (all carry Vietnamese)
    "R": "DejaVuSerifCondensed.ttf", "RB": "DejaVuSerifCondensed-Bold.ttf",
    "RI": "DejaVuSerifCondensed-Italic.ttf", "S": "DejaVuSansCondensed.ttf",
    "SB": "DejaVuSansCondensed-Bold.ttf", "H": "DejaVuSans-Oblique.ttf", "M": "DejaVuSansMono.ttf",
    "MB": "DejaVuSansMono-Bold.ttf",
}
CLASSES = ("flatbed", "camera", "card", "slip")

# A ward counter's day: mostly A4 on the flatbed, many ID cards, some slips and phone photos.
# 28 entries so that a quick run (28 frames) sees every scene once or twice.
SCHEDULE = (
    "form_lid", "cccd_front", "notice_adf", "a5_slip", "form_fill", "phone_cloth", "table_adf",
    "cccd_pair", "photocopy", "receipt", "letter_nolid", "cccd_back", "near_blank", "phone_laminate",
    "form_adf_upside", "cccd_turned", "blank_back", "a6_slip", "table_landscape", "phone_glass",
    "notice_lid", "cccd_nolid", "near_blank", "phone_newspaper", "form_fill", "cccd_pair",
    "phone_keyboard", "phone_spread",
)


@dataclass
class Gen4Page:
    """One generated frame: the image (BGR uint8), the DPI its file states (None: a phone photo),
    and its truth in the real set's format."""

    image: np.ndarray
    dpi: int | None
    truth: dict[str, Any]


# =========================================================================== text material

PLACES = ("Bến Nghé", "Tân Định", "Phúc Xá", "Hàng Bạc", "Thạch Thang", "Vĩnh Ninh", "An Hải Bắc",
          "Xuân Phú", "Lê Lợi", "Cửa Nam", "Phú Hội", "Hoà Cường")
CITIES = ("Hà Nội", "Huế", "Đà Nẵng", "TP. Hồ Chí Minh", "Hải Phòng", "Cần Thơ", "Nha Trang")
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô")
MIDDLE = ("Văn", "Thị", "Đức", "Minh", "Ngọc", "Hữu", "Thanh", "Quốc", "Xuân")
GIVEN = ("An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hùng", "Lan", "Long", "Mai", "Nam", "Phương",
         "Quân", "Sơn", "Thảo", "Trang", "Tuấn", "Yến")
REQUESTS = ("CẤP BẢN SAO TRÍCH LỤC KHAI SINH", "XÁC NHẬN TÌNH TRẠNG HÔN NHÂN", "ĐĂNG KÝ THƯỜNG TRÚ",
            "CHỨNG THỰC BẢN SAO TỪ BẢN CHÍNH", "ĐĂNG KÝ KẾT HÔN", "CẤP GIẤY PHÉP XÂY DỰNG",
            "HỖ TRỢ HỘ NGHÈO", "ĐĂNG KÝ TẠM TRÚ")
WORDS = ("công dân", "hồ sơ", "Ủy ban nhân dân", "phường", "thủ tục", "hành chính", "theo quy định",
         "của pháp luật", "có trách nhiệm", "thực hiện", "kể từ ngày", "ký ban hành", "các cơ quan",
         "đơn vị", "cá nhân", "có liên quan", "chịu trách nhiệm", "thi hành", "quyết định này",
         "tổ chức", "kiểm tra", "giám sát", "việc", "tiếp nhận", "giải quyết", "trả kết quả", "đúng hạn",
         "bộ phận", "một cửa", "niêm yết", "công khai", "tại trụ sở", "trên cổng dịch vụ công",
         "đối với", "trường hợp", "đủ điều kiện", "không đủ", "hướng dẫn", "bổ sung", "trong thời hạn",
         "năm ngày làm việc", "lệ phí", "miễn", "người đề nghị", "thông tin", "chính xác", "đầy đủ")
FIELDS = ("Họ, chữ đệm và tên", "Ngày, tháng, năm sinh", "Giới tính", "Dân tộc", "Quốc tịch",
          "Số định danh cá nhân", "Nơi thường trú", "Nơi ở hiện tại", "Số điện thoại", "Nghề nghiệp",
          "Quan hệ với chủ hộ", "Lý do đề nghị", "Số lượng bản sao", "Giấy tờ kèm theo")


def _name(rng: np.random.Generator) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def _sentence(rng: np.random.Generator, n: int) -> str:
    s = " ".join(str(rng.choice(WORDS)) for _ in range(n))
    return s[0].upper() + s[1:] + "."


def _fill(rng: np.random.Generator, label: str) -> str:
    """A plausible handwritten answer for a form field."""
    if "sinh" in label:
        return f"{rng.integers(1, 29):02d}/{rng.integers(1, 13):02d}/{rng.integers(1950, 2006)}"
    if "định danh" in label or "điện thoại" in label:
        return "0" + "".join(str(d) for d in rng.integers(0, 10, 11 if "danh" in label else 9))
    if "tên" in label:
        return _name(rng)
    if "Giới" in label:
        return str(rng.choice(("Nam", "Nữ")))
    if "Dân tộc" in label:
        return "Kinh"
    if "Quốc" in label:
        return "Việt Nam"
    if "trú" in label or "ở" in label:
        return f"{rng.integers(1, 300)} {rng.choice(('Lê Lợi', 'Trần Phú', 'Hai Bà Trưng', 'Nguyễn Huệ'))}, " \
               f"P. {rng.choice(PLACES)}"
    if "bản sao" in label:
        return f"{rng.integers(1, 6):02d} bản"
    return " ".join(str(rng.choice(WORDS)) for _ in range(int(rng.integers(2, 5))))


# =========================================================================== typesetting (reportlab)


@cache
def _fonts() -> None:
    """Register the TrueType faces once."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for name, file in FONTS.items():
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / file)))


class Sheet:
    """A reportlab canvas measured in millimetres from the top-left corner (as one reads a page)."""

    def __init__(self, w_mm: float, h_mm: float) -> None:
        from reportlab.pdfgen import canvas

        _fonts()
        self.w, self.h = w_mm, h_mm
        self.buf = io.BytesIO()
        self.c = canvas.Canvas(self.buf, pagesize=(w_mm * MM, h_mm * MM))
        self.c.setLineCap(1)

    def P(self, x: float, y: float) -> tuple[float, float]:
        """Millimetres from the top-left → PDF points from the bottom-left."""
        return x * MM, (self.h - y) * MM

    def ink(self, rgb: tuple[float, float, float], alpha: float = 1.0) -> None:
        self.c.setFillColorRGB(*rgb)
        self.c.setStrokeColorRGB(*rgb)
        self.c.setFillAlpha(alpha)
        self.c.setStrokeAlpha(alpha)

    def text(self, x: float, y: float, s: str, font: str = "R", size: float = 12, align: str = "l") -> float:
        """Draw ``s`` with its baseline at y mm; return its width in mm."""
        c = self.c
        c.setFont(font, size)
        px, py = self.P(x, y)
        wpt = c.stringWidth(s, font, size)
        {"l": c.drawString, "c": c.drawCentredString, "r": c.drawRightString}[align](px, py, s)
        return wpt / MM

    def width(self, s: str, font: str, size: float) -> float:
        return self.c.stringWidth(s, font, size) / MM

    def line(self, x0: float, y0: float, x1: float, y1: float, lw: float = 0.5,
             dash: list[float] | None = None) -> None:
        c = self.c
        c.setLineWidth(lw)
        c.setDash(dash or [])
        c.line(*self.P(x0, y0), *self.P(x1, y1))
        c.setDash([])

    def rect(self, x: float, y: float, w: float, h: float, lw: float = 0.5, fill: bool = False,
             stroke: bool = True, r: float = 0.0) -> None:
        c = self.c
        c.setLineWidth(lw)
        px, py = self.P(x, y + h)
        if r > 0:
            c.roundRect(px, py, w * MM, h * MM, r * MM, stroke=int(stroke), fill=int(fill))
        else:
            c.rect(px, py, w * MM, h * MM, stroke=int(stroke), fill=int(fill))

    def para(self, x: float, y: float, width: float, s: str, font: str = "R", size: float = 12,
             lead: float = 1.35, justify: bool = True, indent: float = 0.0) -> float:
        """Word-wrapped, justified paragraph from baseline y; returns the next baseline."""
        words = s.split()
        step = size * lead / MM
        line: list[str] = []
        first = True
        while words:
            avail = width - (indent if first else 0.0)
            line = [words.pop(0)]
            while words and self.width(" ".join([*line, words[0]]), font, size) <= avail:
                line.append(words.pop(0))
            x0 = x + (indent if first else 0.0)
            if justify and words and len(line) > 1:
                gap = (avail - sum(self.width(w, font, size) for w in line)) / (len(line) - 1)
                cx = x0
                for w in line:
                    cx += self.text(cx, y, w, font, size) + gap
            else:
                self.text(x0, y, " ".join(line), font, size)
            y += step
            first = False
        return y

    def hand(self, x: float, y: float, s: str, rng: np.random.Generator, size: float = 12,
             rgb: tuple[float, float, float] = (0.08, 0.14, 0.55)) -> float:
        """Handwriting-like fill-in: each letter jittered in size, baseline and slant; returns its end x."""
        c = self.c
        self.ink(rgb, 0.92)
        drift = rng.normal(0, 0.15)  # the writer's line wanders a little off the dotted line
        for k, ch in enumerate(s):
            sz = size * rng.uniform(0.88, 1.1)
            c.saveState()
            px, py = self.P(x, y + drift * k / max(1, len(s)) + rng.normal(0, 0.12))
            c.translate(px, py)
            c.rotate(rng.normal(0, 3.5))
            c.setFont("H", sz)
            c.drawString(0, 0, ch)
            c.restoreState()
            x += self.width(ch, "H", sz) * rng.uniform(0.92, 1.04)
        self.ink((0, 0, 0))
        return x

    def scribble(self, x: float, y: float, w: float, h: float, rng: np.random.Generator,
                 rgb: tuple[float, float, float] = (0.08, 0.12, 0.5), lw: float = 0.7, n: int = 5) -> None:
        """A signature: a run of Bézier loops across a w×h mm box (x, y = its left baseline)."""
        c = self.c
        self.ink(rgb, 0.95)
        c.setLineWidth(lw)
        p = c.beginPath()
        p.moveTo(*self.P(x, y - rng.uniform(0, h)))
        for k in range(n):
            x1 = x + w * (k + 1) / n
            pts = [self.P(x + w * (k + rng.uniform(0.1, 0.9)) / n, y - rng.uniform(-0.2, 1.1) * h) for _ in range(2)]
            p.curveTo(*pts[0], *pts[1], *self.P(x1, y - rng.uniform(0, 0.8) * h))
        c.drawPath(p, stroke=1, fill=0)
        # the flourish underneath
        c.setLineWidth(lw * 0.8)
        c.bezier(*self.P(x - 2, y + 1), *self.P(x + w * 0.3, y + 3), *self.P(x + w * 0.7, y - 1),
                 *self.P(x + w * 1.05, y + 0.5))
        self.ink((0, 0, 0))

    def seal(self, cx: float, cy: float, r: float, rim: str, centre: str, rng: np.random.Generator) -> None:
        """A red round seal: two rings, the organisation's name around the rim, a star in the middle."""
        c = self.c
        red = (0.86 + rng.uniform(-0.05, 0.06), 0.08 + rng.uniform(0, 0.08), 0.12 + rng.uniform(0, 0.06))
        self.ink(red, float(rng.uniform(0.72, 0.9)))
        px, py = self.P(cx, cy)
        c.setLineWidth(1.6)
        c.circle(px, py, r * MM, stroke=1, fill=0)
        c.setLineWidth(0.7)
        c.circle(px, py, r * 0.72 * MM, stroke=1, fill=0)
        size = r * 0.2 * MM
        span = 300.0  # degrees of the rim the name covers, centred on the top
        n = len(rim)
        for k, ch in enumerate(rim):
            a = 90 + span / 2 - span * (k + 0.5) / n  # from the left round over the top to the right
            c.saveState()
            c.translate(px + r * 0.86 * MM * math.cos(math.radians(a)), py + r * 0.86 * MM * math.sin(math.radians(a)))
            c.rotate(a - 90)
            c.setFont("SB", size)
            c.drawCentredString(0, -size * 0.35, ch)
            c.restoreState()
        # a five-pointed star
        star = c.beginPath()
        for k in range(10):
            a = math.radians(90 + 36 * k)
            rr = (r * 0.22 if k % 2 == 0 else r * 0.09) * MM
            (star.moveTo if k == 0 else star.lineTo)(px + rr * math.cos(a), py + 0.12 * r * MM + rr * math.sin(a))
        star.close()
        c.drawPath(star, stroke=0, fill=1)
        c.setFont("SB", r * 0.17 * MM)
        c.drawCentredString(px, py - 0.38 * r * MM, centre)
        self.ink((0, 0, 0))

    def pdf(self) -> bytes:
        self.c.showPage()
        self.c.save()
        return self.buf.getvalue()


def rasterise(pdf: bytes, dpi: float) -> np.ndarray:
    """Render a one-page PDF with poppler's pdftoppm (PPM on stdout) as BGR uint8."""
    out = subprocess.run(["pdftoppm", "-r", f"{dpi:.3f}", "-aa", "yes", "-aaVector", "yes", "-"],
                         input=pdf, capture_output=True, check=True).stdout
    img = cv2.imdecode(np.frombuffer(out, np.uint8), cv2.IMREAD_COLOR)
    if img is None:
        raise RuntimeError("pdftoppm returned no image")
    return img


@dataclass
class Doc:
    """A typeset document before capture: its PDF and what it holds."""

    pdf: bytes
    w_mm: float
    h_mm: float
    text: bool = True  # has lines of text (orientation and skew can be scored)
    seal: bool = False  # red seal ink on it
    card: bool = False  # ID-1 with rounded corners
    paper: tuple[int, int, int] = (244, 246, 247)  # BGR of the paper
    blank: bool = False
    near_blank: bool = False


# --------------------------------------------------------------------------- the documents


def _header(s: Sheet, rng: np.random.Generator, top: float, ward: str) -> float:
    """Cơ quan on the left, Quốc hiệu and tiêu ngữ on the right (decree 30/2020's layout)."""
    left, right = 25.0, s.w - 15.0
    lx = left + 30
    s.text(lx, top, "ỦY BAN NHÂN DÂN", "R", 12, "c")
    s.text(lx, top + 5.2, f"PHƯỜNG {ward.upper()}", "RB", 12, "c")
    s.line(lx - 12, top + 6.8, lx + 12, top + 6.8, 0.5)
    rx = right - 52
    s.text(rx, top, "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM", "RB", 11.5, "c")
    tw = s.text(rx, top + 5.2, "Độc lập - Tự do - Hạnh phúc", "RB", 12.5, "c")
    s.line(rx - tw / 2, top + 6.8, rx + tw / 2, top + 6.8, 0.5)
    return top + 14


def _signature_block(s: Sheet, rng: np.random.Generator, x: float, y: float, title: str,
                     seal: bool, ward: str) -> None:
    s.text(x, y, title, "RB", 12, "c")
    s.text(x, y + 5, "(Ký, ghi rõ họ tên)" if not seal else "(Ký tên, đóng dấu)", "RI", 11, "c")
    s.scribble(x - 18, y + 22, 34, 8, rng)
    name = _name(rng)
    if seal:
        s.seal(x - 14 + rng.uniform(-3, 3), y + 18 + rng.uniform(-3, 3), 17 + rng.uniform(-1, 2),
               f"ỦY BAN NHÂN DÂN PHƯỜNG {ward.upper()}", "UBND", rng)
        s.text(x, y + 33, name, "RB", 12, "c")
    else:
        s.hand(x - s.width(name, "H", 12) / 2, y + 33, name, rng)


def doc_form(rng: np.random.Generator, w_mm: float = 210, h_mm: float = 297) -> Doc:
    """Đơn đề nghị: header, title, Kính gửi, dotted fields with fill-ins, tick boxes, signature."""
    s = Sheet(w_mm, h_mm)
    ward = str(rng.choice(PLACES))
    y = _header(s, rng, 20 + rng.uniform(0, 4), ward)
    s.text(w_mm / 2 + 5, y + 8, f"ĐƠN ĐỀ NGHỊ {rng.choice(REQUESTS)}"[:60], "RB", 13.5, "c")
    y += 18
    s.text(45, y, "Kính gửi:", "RI", 12.5)
    s.text(66, y, f"Ủy ban nhân dân phường {ward}", "R", 12.5)
    y += 10
    left, right = 25.0, w_mm - 18.0
    for label in rng.permutation(FIELDS)[: int(rng.integers(8, 13))]:
        end = s.text(left, y, f"{label}:", "R", 12.5) + left + 1.5
        s.ink((0.35, 0.35, 0.35))
        s.line(end, y + 0.6, right, y + 0.6, 0.5, [0.4 * MM, 1.2 * MM])
        s.ink((0, 0, 0))
        if rng.random() < 0.85:
            s.hand(end + rng.uniform(1, 8), y - 0.4, _fill(rng, str(label)), rng, 12.5)
        y += 8.6
    y += 2
    s.text(left, y, "Hồ sơ kèm theo:", "RB", 12.5)
    y += 7
    for item in ("Bản sao giấy khai sinh", "Căn cước công dân (bản chụp)", "Giấy tờ khác"):
        s.rect(left + 3, y - 3.4, 3.6, 3.6, 0.5)
        if rng.random() < 0.6:
            s.ink((0.08, 0.14, 0.55))
            s.line(left + 3.5, y - 1.8, left + 4.6, y - 0.3, 0.9)
            s.line(left + 4.6, y - 0.3, left + 7.2, y - 4.4, 0.9)
            s.ink((0, 0, 0))
        s.text(left + 9, y, item, "R", 12.5)
        y += 7
    y = s.para(left, y + 3, right - left, "Tôi xin cam đoan những nội dung khai trên là đúng sự thật và "
               "chịu trách nhiệm trước pháp luật về lời khai của mình. " + _sentence(rng, 8), "R", 12.5,
               indent=10)
    y = min(y + 4, h_mm - 70)
    sx = w_mm - 60
    s.text(sx, y, f"{rng.choice(PLACES)}, ngày      tháng      năm 20", "RI", 12, "c")
    s.hand(sx - 14, y - 0.5, str(rng.integers(1, 29)), rng, 12)
    s.hand(sx + 2, y - 0.5, str(rng.integers(1, 13)), rng, 12)
    seal = bool(rng.random() < 0.5)
    _signature_block(s, rng, sx, y + 7, "NGƯỜI VIẾT ĐƠN", False, ward)
    if seal:
        _signature_block(s, rng, 60, y + 7, "XÁC NHẬN CỦA UBND", True, ward)
    return Doc(s.pdf(), w_mm, h_mm, seal=seal)


def doc_notice(rng: np.random.Generator, dense: bool = False) -> Doc:
    """Quyết định: số/ký hiệu, căn cứ in italics, numbered articles in justified text, seal."""
    s = Sheet(210, 297)
    ward = str(rng.choice(PLACES))
    y = _header(s, rng, 18, ward)
    s.text(55, y - 2, f"Số: {rng.integers(10, 999)}/QĐ-UBND", "R", 12, "c")
    s.text(150, y - 2, f"{ward}, ngày {rng.integers(1, 29)} tháng {rng.integers(1, 13)} năm 2026", "RI", 12, "c")
    y += 10
    s.text(105, y, "QUYẾT ĐỊNH", "RB", 14, "c")
    s.text(105, y + 6, f"Về việc {_sentence(rng, 3)[:-1].lower()}", "RB", 12.5, "c")
    y += 16
    s.text(105, y, f"CHỦ TỊCH ỦY BAN NHÂN DÂN PHƯỜNG {ward.upper()}", "RB", 12.5, "c")
    y += 9
    size = float(rng.uniform(9.5, 10.5)) if dense else 12.5
    left, width = 25.0, 170.0
    for law in ("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
                "Căn cứ Nghị định số 61/2018/NĐ-CP ngày 23 tháng 4 năm 2018 của Chính phủ;",
                f"Theo đề nghị của {rng.choice(('Công chức Tư pháp - Hộ tịch', 'Văn phòng HĐND và UBND'))}."):
        y = s.para(left, y, width, law, "RI", size, indent=10)
    y += 3
    s.text(105, y, "QUYẾT ĐỊNH:", "RB", 13, "c")
    y += 8
    for k in range(1, 4 + int(dense) * 3):
        body = f"Điều {k}. " + " ".join(_sentence(rng, int(rng.integers(8, 16))) for _ in range(
            int(rng.integers(2, 5 if not dense else 7))))
        y = s.para(left, y, width, body, "R", size, indent=10) + 1.5
        if y > 225:
            break
    y = min(y + 4, 232)
    s.text(left, y, "Nơi nhận:", "RB", 10.5)
    for k, who in enumerate(("- Như Điều 3;", "- UBND Quận (để b/c);", "- Lưu: VT.")):
        s.text(left, y + 4.5 * (k + 1), who, "R", 9.5)
    seal = bool(rng.random() < 0.8)
    s.text(150, y, "TM. ỦY BAN NHÂN DÂN", "RB", 12, "c")
    s.text(150, y + 5, "CHỦ TỊCH", "RB", 12, "c")
    s.scribble(134, y + 25, 32, 9, rng, (0.05, 0.1, 0.45))
    if seal:
        s.seal(136 + rng.uniform(-3, 3), y + 20, 17.5, f"ỦY BAN NHÂN DÂN PHƯỜNG {ward.upper()}", "UBND", rng)
    s.text(150, y + 38, _name(rng), "RB", 12, "c")
    return Doc(s.pdf(), 210, 297, seal=seal)


def doc_table(rng: np.random.Generator, landscape: bool = False) -> Doc:
    """Danh sách: a ruled table with printed and handwritten cells."""
    w, h = (297.0, 210.0) if landscape else (210.0, 297.0)
    s = Sheet(w, h)
    ward = str(rng.choice(PLACES))
    y = _header(s, rng, 15, ward) if not landscape else 20.0
    s.text(w / 2, y + 4, f"DANH SÁCH {rng.choice(('HỘ GIA ĐÌNH', 'CÔNG DÂN', 'HỒ SƠ'))} "
           f"{rng.choice(('ĐỀ NGHỊ HỖ TRỢ', 'ĐÃ TIẾP NHẬN', 'TRẢ KẾT QUẢ'))}", "RB", 13, "c")
    s.text(w / 2, y + 10, f"(Kèm theo Tờ trình số {rng.integers(10, 99)}/TTr-UBND)", "RI", 11, "c")
    y += 17
    cols = [("STT", 12), ("Họ và tên", 48), ("Năm sinh", 20), ("Địa chỉ", 55), ("Số CCCD", 35), ("Ghi chú", 0)]
    left, right = 18.0, w - 14.0
    fixed = sum(c[1] for c in cols)
    widths = [c[1] or (right - left - fixed) for c in cols]
    rows = int(rng.integers(12, 22 if not landscape else 13))
    rh = 8.0
    xs = np.cumsum([left, *widths])
    s.rect(left, y, right - left, rh * (rows + 1), 0.8)
    for x in xs[1:-1]:
        s.line(x, y, x, y + rh * (rows + 1), 0.5)
    for k in range(1, rows + 1):
        s.line(left, y + rh * k, right, y + rh * k, 0.8 if k == 1 else 0.4)
    for (name, _), x0, cw in zip(cols, xs, widths, strict=False):
        s.text(x0 + cw / 2, y + 5.6, name, "RB", 10.5, "c")
    for k in range(rows):
        yy = y + rh * (k + 1) + 5.6
        s.text(xs[0] + 6, yy, str(k + 1), "R", 10.5, "c")
        s.text(xs[1] + 1.5, yy, _name(rng), "R", 10.5)
        s.text(xs[2] + 10, yy, str(rng.integers(1940, 2010)), "R", 10.5, "c")
        s.text(xs[3] + 1.5, yy, _fill(rng, "Nơi thường trú")[:30], "R", 9.5)
        s.text(xs[4] + 1.5, yy, "0" + "".join(str(d) for d in rng.integers(0, 10, 11)), "M", 9)
        if rng.random() < 0.25:
            s.hand(xs[5] + 2, yy, str(rng.choice(("đã nhận", "bổ sung", "hẹn 15/12", "x"))), rng, 10)
    y += rh * (rows + 1) + 10
    if y < h - 40:
        s.text(right - 40, y, "NGƯỜI LẬP BIỂU", "RB", 11.5, "c")
        s.scribble(right - 55, y + 16, 28, 7, rng)
    return Doc(s.pdf(), w, h)


def doc_slip_a5(rng: np.random.Generator) -> Doc:
    """Giấy tiếp nhận hồ sơ và hẹn trả kết quả (A5 portrait), a small seal on half of them."""
    s = Sheet(148, 210)
    ward = str(rng.choice(PLACES))
    s.text(37, 14, "UBND PHƯỜNG", "R", 9.5, "c")
    s.text(37, 18.5, ward.upper(), "RB", 9.5, "c")
    s.text(102, 14, "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM", "RB", 8.5, "c")
    tw = s.text(102, 18.5, "Độc lập - Tự do - Hạnh phúc", "RB", 9.5, "c")
    s.line(102 - tw / 2, 19.7, 102 + tw / 2, 19.7, 0.4)
    s.text(74, 32, "GIẤY TIẾP NHẬN HỒ SƠ", "RB", 12, "c")
    s.text(74, 37.5, "VÀ HẸN TRẢ KẾT QUẢ", "RB", 12, "c")
    s.text(74, 43, f"Mã hồ sơ: {rng.integers(100, 999)}.{rng.integers(10, 99)}.26.H{rng.integers(10, 60)}",
           "M", 9.5, "c")
    y = 52.0
    for label in ("Tiếp nhận hồ sơ của", "Địa chỉ", "Số điện thoại", "Nội dung yêu cầu"):
        end = s.text(12, y, f"{label}:", "R", 10) + 13
        s.line(end, y + 0.5, 136, y + 0.5, 0.4, [0.3 * MM, 1.0 * MM])
        s.hand(end + 2, y - 0.3, _fill(rng, label)[:34], rng, 10)
        y += 7.5
    s.text(12, y + 1, "Thành phần hồ sơ gồm:", "RB", 10)
    y += 5
    s.rect(12, y, 124, 7 * 4, 0.5)
    for k in range(1, 4):
        s.line(12, y + 7 * k, 136, y + 7 * k, 0.35)
    s.line(22, y, 22, y + 28, 0.35)
    s.line(116, y, 116, y + 28, 0.35)
    for k, item in enumerate(("Tờ khai theo mẫu", "Bản sao CCCD", "Giấy tờ chứng minh", "")):
        if item:
            s.text(17, y + 7 * k + 5, str(k + 1), "R", 9.5, "c")
            s.text(24, y + 7 * k + 5, item, "R", 9.5)
            s.text(126, y + 7 * k + 5, "01", "R", 9.5, "c")
    y += 36
    s.text(12, y, f"Ngày hẹn trả kết quả: {rng.integers(1, 29):02d}/{rng.integers(1, 13):02d}/2026", "RB", 10)
    y += 10
    s.text(38, y, "NGƯỜI NỘP HỒ SƠ", "RB", 9.5, "c")
    s.text(108, y, "NGƯỜI TIẾP NHẬN", "RB", 9.5, "c")
    s.scribble(26, y + 16, 24, 6, rng)
    s.scribble(96, y + 16, 24, 6, rng)
    seal = bool(rng.random() < 0.5)
    if seal:
        s.seal(98, y + 12, 12, f"ỦY BAN NHÂN DÂN PHƯỜNG {ward.upper()}", "UBND", rng)
    return Doc(s.pdf(), 148, 210, seal=seal)


def doc_slip_a6(rng: np.random.Generator) -> Doc:
    """Biên lai thu phí, lệ phí (A6), on pink or yellow carbon paper."""
    s = Sheet(105, 148)
    s.text(52.5, 12, f"UBND PHƯỜNG {str(rng.choice(PLACES)).upper()}", "SB", 8.5, "c")
    s.text(52.5, 22, "BIÊN LAI THU PHÍ, LỆ PHÍ", "SB", 11, "c")
    s.text(52.5, 27, f"Ký hiệu: BL-26E   Số: {rng.integers(1000, 99999):07d}", "S", 8, "c")
    y = 37.0
    for label in ("Tên người nộp", "Địa chỉ", "Nội dung thu", "Số tiền", "Bằng chữ"):
        end = s.text(7, y, f"{label}:", "S", 9) + 8
        s.line(end, y + 0.5, 98, y + 0.5, 0.35, [0.3 * MM, 0.9 * MM])
        val = f"{rng.integers(1, 20) * 5}.000 đ" if label == "Số tiền" else _fill(rng, label)[:26]
        s.hand(end + 1.5, y - 0.3, val, rng, 9.5)
        y += 7.5
    s.text(75, y + 6, f"Ngày {rng.integers(1, 29)}/{rng.integers(1, 13)}/2026", "S", 8, "c")
    s.text(75, y + 11, "Người thu tiền", "SB", 8.5, "c")
    s.scribble(64, y + 25, 22, 6, rng)
    paper = [(236, 232, 252), (205, 246, 252), (250, 240, 236)][int(rng.integers(0, 3))]  # pink, yellow, blue
    return Doc(s.pdf(), 105, 148, paper=paper)


def doc_receipt(rng: np.random.Generator) -> Doc:
    """Thermal till receipt, 57 or 80 mm wide and long, in grey print."""
    w = float(rng.choice((57.0, 80.0)))
    n = int(rng.integers(4, 14))
    h = 70 + 6.0 * n + float(rng.uniform(0, 40))
    s = Sheet(w, h)
    grey = float(rng.uniform(0.2, 0.42))
    s.ink((grey, grey, grey))
    fs = 7.5 if w < 60 else 9.0
    c = w / 2
    s.text(c, 8, "TRUNG TÂM PHỤC VỤ HCC", "MB", fs, "c")
    s.text(c, 12, f"P. {rng.choice(PLACES)}", "M", fs, "c")
    s.text(c, 19, "PHIẾU THU", "MB", fs + 2, "c")
    y = 26.0
    s.line(3, y, w - 3, y, 0.4, [1.2 * MM, 0.8 * MM])
    y += 5
    total = 0
    for _ in range(n):
        price = int(rng.integers(1, 40)) * 5000
        total += price
        s.text(3, y, str(rng.choice(("Lệ phí chứng thực", "Sao y bản chính", "Trích lục", "Phô tô", "Bản sao")))[:15],
               "M", fs)
        s.text(w - 3, y, f"{price:,}".replace(",", "."), "M", fs, "r")
        y += 6
    s.line(3, y - 2, w - 3, y - 2, 0.4, [1.2 * MM, 0.8 * MM])
    s.text(3, y + 4, "TỔNG CỘNG", "MB", fs + 1)
    s.text(w - 3, y + 4, f"{total:,}".replace(",", "."), "MB", fs + 1, "r")
    y += 14
    x = c - 22
    for bar in rng.integers(1, 4, 40):  # a barcode
        s.rect(x, y, 0.33 * bar, 10, 0, fill=True, stroke=False)
        x += 0.33 * bar + 0.4 * rng.integers(1, 3)
    s.text(c, y + 17, "Cảm ơn quý khách!", "M", fs, "c")
    return Doc(s.pdf(), w, h, paper=(246, 244, 240))


def _guilloche(s: Sheet, rng: np.random.Generator, rgb: tuple[float, float, float]) -> None:
    """Fine interleaved sine curves, the security print of a card."""
    s.ink(rgb, 0.5)
    c = s.c
    c.setLineWidth(0.2)
    ph = rng.uniform(0, 6.28)
    for k in range(22):
        p = c.beginPath()
        for j in range(0, 87):
            x = j
            y = 2.5 * k + 1.8 * math.sin(j / 6.0 + k * 0.4 + ph)
            (p.moveTo if j == 0 else p.lineTo)(*s.P(x, y))
        c.drawPath(p, stroke=1, fill=0)
    s.ink((0, 0, 0))


def _qr(s: Sheet, rng: np.random.Generator, x: float, y: float, size: float) -> None:
    n = 25
    m = rng.random((n, n)) < 0.5
    for fx, fy in ((0, 0), (n - 7, 0), (0, n - 7)):  # finder patterns
        m[fy:fy + 7, fx:fx + 7] = False
        m[fy:fy + 7, fx] = m[fy:fy + 7, fx + 6] = True
        m[fy, fx:fx + 7] = m[fy + 6, fx:fx + 7] = True
        m[fy + 2:fy + 5, fx + 2:fx + 5] = True
    cell = size / n
    for j, i in zip(*np.nonzero(m), strict=True):
        s.rect(x + i * cell, y + j * cell, cell * 1.02, cell * 1.02, 0, fill=True, stroke=False)


def doc_card_front(rng: np.random.Generator) -> Doc:
    """CCCD-like front: emblem, flag-like red wave, photo, QR, chip, bilingual fields."""
    s = Sheet(85.6, 54.0)
    bg = (0.93, 0.95, 0.98) if rng.random() < 0.5 else (0.97, 0.95, 0.9)
    s.ink(bg)
    s.rect(0, 0, 85.6, 54, 0, fill=True, stroke=False)
    _guilloche(s, rng, (0.55, 0.7, 0.85))
    # the flag-like red wave across the lower half, with a faint star
    s.ink((0.9, 0.35, 0.3), 0.22)
    p = s.c.beginPath()
    p.moveTo(*s.P(0, 54))
    for j in range(0, 87, 3):
        p.lineTo(*s.P(j, 36 + 4 * math.sin(j / 12.0)))
    p.lineTo(*s.P(85.6, 54))
    p.close()
    s.c.drawPath(p, stroke=0, fill=1)
    s.ink((0.8, 0.1, 0.1))
    cx, cy = s.P(9, 9)
    s.c.circle(cx, cy, 5.5 * MM, stroke=0, fill=1)  # emblem
    s.ink((0.98, 0.85, 0.2))
    s.c.circle(cx, cy, 2 * MM, stroke=0, fill=1)
    s.ink((0.1, 0.1, 0.1))
    s.text(46, 5.2, "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM", "SB", 5.2, "c")
    s.text(46, 8.0, "Độc lập - Tự do - Hạnh phúc", "SB", 4.8, "c")
    s.ink((0.75, 0.1, 0.12))
    s.text(46, 12.6, "CĂN CƯỚC CÔNG DÂN", "SB", 8.2, "c")
    s.ink((0.2, 0.2, 0.2))
    s.text(46, 15.3, "Citizen Identity Card", "S", 4.5, "c")
    # photo: a grey-blue frame with a head and shoulders
    s.ink((0.78, 0.82, 0.88))
    s.rect(3.5, 19, 19, 25, 0, fill=True, stroke=False)
    s.ink((0.35, 0.32, 0.3))
    hx, hy = s.P(13, 27)
    s.c.ellipse(hx - 4.3 * MM, hy - 5.2 * MM, hx + 4.3 * MM, hy + 5.2 * MM, stroke=0, fill=1)
    s.ink((0.15, 0.18, 0.3))
    sx, sy = s.P(13, 44)
    s.c.ellipse(sx - 9 * MM, sy - 4 * MM, sx + 9 * MM, sy + 9 * MM, stroke=0, fill=1)
    _qr(s, rng, 70.5, 2.5, 12.5)
    s.ink((0.82, 0.68, 0.3))  # chip
    s.rect(5, 46, 10, 7, 0.3, fill=True, r=1.2)
    s.ink((0.45, 0.35, 0.1))
    s.line(10, 46, 10, 53, 0.25)
    s.line(5, 49.5, 15, 49.5, 0.25)
    s.ink((0.05, 0.05, 0.1))
    num = "0" + "".join(str(d) for d in rng.integers(0, 10, 11))
    s.text(26, 20, "Số / No.:", "S", 5.5)
    s.text(38, 20.3, num, "SB", 8.5)
    lines = [("Họ và tên / Full name:", _name(rng).upper()),
             ("Ngày sinh / Date of birth:",
              f"{rng.integers(1, 29):02d}/{rng.integers(1, 13):02d}/{rng.integers(1950, 2006)}"),
             ("Giới tính / Sex:", str(rng.choice(("Nam", "Nữ"))) + "     Quốc tịch / Nationality: Việt Nam"),
             ("Quê quán / Place of origin:", f"{rng.choice(PLACES)}, {rng.choice(CITIES)}"),
             ("Nơi thường trú / Place of residence:", _fill(rng, "Nơi thường trú")[:32])]
    y = 24.5
    for label, value in lines:
        s.text(26, y, label, "S", 4.6)
        if label.startswith("Họ") or label.startswith("Quê") or label.startswith("Nơi"):
            y += 3.4
            s.text(26, y, value, "SB", 6.0)
        else:
            s.text(26 + s.width(label, "S", 4.6) + 1.0, y, value, "SB", 5.4)
        y += 3.8
    s.text(26, 51.5, f"Có giá trị đến / Date of expiry: {rng.integers(1, 29):02d}/{rng.integers(1, 13):02d}/"
           f"20{rng.integers(30, 60)}", "S", 4.2)
    return Doc(s.pdf(), 85.6, 54.0, card=True, seal=False)


def _fingerprint(s: Sheet, rng: np.random.Generator, cx: float, cy: float) -> None:
    """Concentric wavy loops in a box: a printed fingerprint."""
    c = s.c
    s.ink((0.25, 0.25, 0.28), 0.8)
    c.setLineWidth(0.28)
    for k in range(1, 12):
        p = c.beginPath()
        for j in range(41):
            a = 2 * math.pi * j / 40
            r = 0.55 * k * (1 + 0.06 * math.sin(5 * a + k))
            x, y = cx + r * math.cos(a) * 0.8, cy + r * math.sin(a) * 1.05
            (p.moveTo if j == 0 else p.lineTo)(*s.P(x, y))
        c.drawPath(p, stroke=1, fill=0)
    s.ink((0, 0, 0))


def doc_card_back(rng: np.random.Generator) -> Doc:
    """CCCD-like back: identifying marks, date, signer and seal, two fingerprints, the MRZ."""
    s = Sheet(85.6, 54.0)
    s.ink((0.95, 0.96, 0.97))
    s.rect(0, 0, 85.6, 54, 0, fill=True, stroke=False)
    _guilloche(s, rng, (0.7, 0.75, 0.8))
    s.ink((0.05, 0.05, 0.1))
    s.text(3, 5, "Đặc điểm nhân dạng / Personal identification:", "S", 4.4)
    s.text(3, 8.2, f"Nốt ruồi C:{rng.integers(1, 4)}cm {rng.choice(('trên', 'dưới'))} trước mép phải", "SB", 5)
    s.text(3, 12.5, f"Ngày, tháng, năm / Date, month, year: {rng.integers(1, 29):02d}/"
           f"{rng.integers(1, 13):02d}/20{rng.integers(21, 26)}", "S", 4.6)
    s.text(3, 16.5, "CỤC TRƯỞNG CỤC CẢNH SÁT", "SB", 4.6)
    s.text(3, 19.2, "QUẢN LÝ HÀNH CHÍNH VỀ TRẬT TỰ XÃ HỘI", "SB", 4.6)
    seal = bool(rng.random() < 0.7)
    if seal:
        s.seal(12, 25.5, 6.5, "BỘ CÔNG AN • CỤC CẢNH SÁT", "C06", rng)
    s.scribble(12, 29, 16, 3, rng, (0.1, 0.1, 0.2), 0.45)
    s.text(8, 33.5, _name(rng).upper(), "SB", 4.6)
    for k, lab in enumerate(("Ngón trỏ trái", "Ngón trỏ phải")):
        x0 = 48 + 19 * k
        s.rect(x0, 3, 17, 22, 0.3)
        _fingerprint(s, rng, x0 + 8.5, 13)
        s.text(x0 + 8.5, 28, lab, "S", 3.8, "c")
    num = "".join(str(d) for d in rng.integers(0, 10, 12))
    mrz = (f"IDVNM{num[:9]}{rng.integers(0, 10)}{num}<<{rng.integers(0, 10)}",
           f"{rng.integers(50, 99)}0101{rng.integers(0, 10)}M3{rng.integers(100000, 999999)}VNM"
           f"<<<<<<<<<<<{rng.integers(0, 10)}",
           ("<<".join(_name(rng).upper().split(" ", 1)).replace(" ", "<") + "<" * 30)[:30])
    ascii_mrz = tuple(m.translate(str.maketrans("ĐÀÁẢÃẠĂẮẰẲẴẶÂẤẦẨẪẬÈÉẺẼẸÊẾỀỂỄỆÌÍỈĨỊÒÓỎÕỌÔỐỒỔỖỘƠỚỜỞỠỢÙÚỦŨỤƯỨỪỬỮỰỲÝỶỸỴ",
                                                      "DAAAAAAAAAAAAAAAAAEEEEEEEEEEEIIIIIOOOOOOOOOOOOOOOOOUUUUUUUUUUUYYYYY"))
                      for m in mrz)
    s.ink((0.02, 0.02, 0.05))
    for k, m in enumerate(ascii_mrz):
        s.text(4, 41 + 4.6 * k, m[:30], "M", 7.6)
    return Doc(s.pdf(), 85.6, 54.0, card=True, seal=seal)


def doc_near_blank(rng: np.random.Generator, kind: str) -> Doc:
    """An A4 sheet with one small mark: a faint pencil line, one handwritten line, or a date stamp."""
    s = Sheet(210, 297)
    x, y = float(rng.uniform(30, 120)), float(rng.uniform(40, 250))
    if kind == "pencil":
        g = float(rng.uniform(0.5, 0.62))
        s.ink((g, g, g), 0.9)
        s.c.setLineWidth(0.45)
        s.c.bezier(*s.P(x, y), *s.P(x + 15, y - 4), *s.P(x + 30, y + 3), *s.P(x + float(rng.uniform(35, 70)), y - 1))
    elif kind == "line":
        s.hand(x, y, f"Đã nhận đủ hồ sơ - {_name(rng)}", rng, 12)
    else:  # a violet date stamp
        s.ink((0.42, 0.2, 0.6), 0.85)
        s.rect(x, y, 46, 15, 0.9)
        s.text(x + 23, y + 6, "ĐÃ TIẾP NHẬN", "SB", 10, "c")
        s.text(x + 23, y + 12, f"Ngày {rng.integers(1, 29):02d}/{rng.integers(1, 13):02d}/2026", "S", 9, "c")
    return Doc(s.pdf(), 210, 297, text=False, near_blank=True)


# =========================================================================== image-space material


def _paper(doc: Doc, img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Rendered page (white 255 = paper) on the paper's own colour, with a faint fibre texture."""
    h, w = img.shape[:2]
    tint = np.asarray(doc.paper, np.float32) / 255.0
    fibre = cv2.resize(rng.normal(0, 1, (max(2, h // 6), max(2, w // 6))).astype(np.float32), (w, h))
    out = img.astype(np.float32) * tint[None, None, :] + 1.6 * fibre[:, :, None]
    return np.clip(out, 0, 255).astype(np.uint8)


def _bleed_through(rng: np.random.Generator, dpi: float) -> np.ndarray:
    """A blank back: the front's print seen through the sheet (mirrored, blurred, faint)."""
    front = cv2.cvtColor(rasterise(doc_notice(rng).pdf, dpi), cv2.COLOR_BGR2GRAY).astype(np.float32)
    ghost = cv2.GaussianBlur(front[:, ::-1], (0, 0), max(1.0, dpi / 60))
    strength = float(rng.uniform(0.04, 0.09))
    page = 246 - strength * (255 - ghost)
    page += cv2.resize(rng.normal(0, 1.2, (page.shape[0] // 5, page.shape[1] // 5)).astype(np.float32),
                       page.shape[::-1])
    return cv2.cvtColor(np.clip(page, 0, 255).astype(np.uint8), cv2.COLOR_GRAY2BGR)


def _photocopy(rng: np.random.Generator, dpi: float) -> tuple[np.ndarray, float]:
    """A photocopy of a form: grey toner, speckle, the content crooked on the sheet, and black bands
    where the copier's glass was not covered. Returns the sheet and the content's angle on it (CCW+)."""
    src = cv2.cvtColor(rasterise(doc_form(rng).pdf, dpi), cv2.COLOR_BGR2GRAY)
    h, w = src.shape
    ang = float(rng.uniform(0.3, 2.5) * rng.choice((-1, 1)))
    shift = rng.uniform(-0.02, 0.02, 2) * (w, h)
    m = cv2.getRotationMatrix2D(((w - 1) / 2, (h - 1) / 2), ang, 1.0)  # OpenCV: positive = CCW on screen
    m[:, 2] += shift
    # outside the original, the copier sees its open lid: black
    content = cv2.warpAffine(src, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=0)
    cover = cv2.warpAffine(np.full_like(src, 255), m, (w, h), flags=cv2.INTER_LINEAR, borderValue=0)
    toner_black = float(rng.uniform(40, 80))
    base = float(rng.uniform(228, 240))
    grey = base - (base - toner_black) * (1 - content.astype(np.float32) / 255.0)
    grey = grey * (cover / 255.0) + float(rng.uniform(15, 35)) * (1 - cover / 255.0)
    # toner speckle and a slight smear
    speck = rng.random((h, w)) < 0.0015
    grey[speck] = np.minimum(grey[speck], rng.uniform(60, 160, int(speck.sum())))
    grey = cv2.GaussianBlur(grey, (0, 0), 0.6)
    grey += rng.normal(0, 3.0, grey.shape)
    return cv2.cvtColor(np.clip(grey, 0, 255).astype(np.uint8), cv2.COLOR_GRAY2BGR), ang


def _card_alpha(h: int, w: int, dpi: float) -> np.ndarray:
    """The rounded corners of an ID-1 card (r = 3.18 mm) as coverage 0..1."""
    r = 3.18 / 25.4 * dpi
    a = np.zeros((h * 4, w * 4), np.uint8)
    cv2.rectangle(a, (round(4 * r), 0), (4 * w - 1 - round(4 * r), 4 * h - 1), 255, -1)
    cv2.rectangle(a, (0, round(4 * r)), (4 * w - 1, 4 * h - 1 - round(4 * r)), 255, -1)
    for cx, cy in ((4 * r, 4 * r), (4 * w - 1 - 4 * r, 4 * r), (4 * r, 4 * h - 1 - 4 * r),
                   (4 * w - 1 - 4 * r, 4 * h - 1 - 4 * r)):
        cv2.circle(a, (round(cx), round(cy)), round(4 * r), 255, -1)
    return cv2.resize(a, (w, h), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0


# --------------------------------------------------------------------------- backgrounds


def _noise(rng: np.random.Generator, h: int, w: int, cell: int) -> np.ndarray:
    """Smooth value noise in [-1, 1] with features about ``cell`` pixels across."""
    g = rng.uniform(-1, 1, (max(2, h // cell + 2), max(2, w // cell + 2))).astype(np.float32)
    return cv2.resize(g, (w, h), interpolation=cv2.INTER_CUBIC)


def bg_lid(rng: np.random.Generator, h: int, w: int, tone: str) -> np.ndarray:
    """Scanner lid: white foam, light-grey plastic, or the lid open over a dark room."""
    if tone == "dark":
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        glow = 18 + 22 * np.exp(-(((xx - w * rng.uniform(0.2, 0.8)) / w) ** 2 + ((yy - h * 0.5) / h) ** 2) * 3)
        img = glow[:, :, None] + rng.normal(0, 2.5, (h, w, 1))
        return np.clip(np.repeat(img, 3, 2), 0, 255).astype(np.uint8)
    level = rng.uniform(236, 250) if tone == "white" else rng.uniform(196, 214)
    img = level + 2.0 * _noise(rng, h, w, 3) + 1.5 * _noise(rng, h, w, 40)
    return np.clip(np.repeat(img[:, :, None], 3, 2) + np.array([0, 1, 2]) * rng.uniform(-1, 1), 0, 255).astype(np.uint8)


def bg_oilcloth(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """Printed oilcloth: a pastel ground with repeated five-petal flowers and a fold crease."""
    base = rng.uniform(120, 230, 3)
    img = np.empty((h, w, 3), np.float32)
    img[:] = base
    step = int(rng.uniform(0.06, 0.1) * max(h, w))
    petal = rng.uniform(40, 220, 3)
    heart = rng.uniform(0, 255, 3)
    for yy in range(-step, h + step, step):
        for xx in range(-step, w + step, step):
            ox = xx + (step // 2 if (yy // step) % 2 else 0)
            r = step * 0.12
            for k in range(5):
                a = 2 * math.pi * k / 5 + 0.3
                cv2.circle(img, (int(ox + 1.6 * r * math.cos(a)), int(yy + 1.6 * r * math.sin(a))), int(r),
                           petal.tolist(), -1, cv2.LINE_AA)
            cv2.circle(img, (int(ox), int(yy)), int(r * 0.7), heart.tolist(), -1, cv2.LINE_AA)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    crease = 1 - 0.18 * np.exp(-(((xx * 0.8 + yy * 0.3) - w * rng.uniform(0.3, 0.7)) / (0.01 * w)) ** 2)
    return np.clip(img * crease[:, :, None], 0, 255).astype(np.uint8)


def bg_laminate(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """Plank laminate: planks of printed grain (the same print repeats), dark seams between."""
    plank = int(rng.uniform(0.12, 0.2) * min(h, w))
    tone = np.array([rng.uniform(60, 120), rng.uniform(100, 150), rng.uniform(140, 200)])  # BGR, oak to walnut
    if rng.random() < 0.3:
        tone = np.full(3, rng.uniform(120, 170))  # grey oak
    grain = np.cumsum(rng.normal(0, 1, (plank, 1)), 0).astype(np.float32)
    grain = (grain - grain.mean()) / (grain.std() + 1e-6)
    streaks = cv2.resize(rng.normal(0, 1, (plank, 40)).astype(np.float32), (w, plank), interpolation=cv2.INTER_LINEAR)
    print_ = 0.12 * grain + 0.06 * streaks
    img = np.empty((h, w, 3), np.float32)
    for k, y0 in enumerate(range(0, h, plank)):
        rows = min(plank, h - y0)
        shift = int(rng.integers(0, w))
        block = np.roll(print_, shift, axis=1)[:rows]
        img[y0:y0 + rows] = tone * (1 + block[:, :, None]) * (1 + 0.05 * (k % 3 - 1))
        img[y0:y0 + 2] *= 0.55
    return np.clip(img, 0, 255).astype(np.uint8)


def bg_glass(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """A glass desk over a dark surface: a green-blue tint, bright window reflections, dust."""
    img = np.empty((h, w, 3), np.float32)
    img[:] = (rng.uniform(50, 80), rng.uniform(55, 80), rng.uniform(30, 50))
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    for _ in range(int(rng.integers(1, 3))):
        u = (xx * math.cos(0.6) + yy * math.sin(0.6)) - rng.uniform(0, w + h)
        band = np.exp(-(u / (rng.uniform(0.04, 0.12) * w)) ** 2) * rng.uniform(60, 130)
        img += band[:, :, None]
    dust = rng.random((h, w)) < 0.0005
    img[dust] += 90
    return np.clip(img, 0, 255).astype(np.uint8)


def bg_newspaper(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """Newsprint: greyish paper, columns of small text lines, a headline, a halftone photo."""
    img = np.full((h, w, 3), rng.uniform(195, 215), np.float32)
    img[:, :, 0] -= 12  # newsprint is yellowish
    cols = int(rng.integers(4, 7))
    cw = w / cols
    line_h = max(3, int(h / 160))
    ink = float(rng.uniform(40, 70))
    for cidx in range(cols):
        x0 = int(cidx * cw + cw * 0.06)
        x1 = int((cidx + 1) * cw - cw * 0.06)
        y = int(rng.uniform(0.02, 0.15) * h)
        while y < h:
            if rng.random() < 0.04:  # a photo block
                bh = min(int(rng.uniform(0.08, 0.2) * h), h - y)
                dots = (rng.random((bh, x1 - x0)) < 0.5) * 1.0
                img[y:y + bh, x0:x1] = (120 + 60 * cv2.GaussianBlur(dots.astype(np.float32), (0, 0), 2))[:, :, None]
                y += bh + line_h * 2
                continue
            x = x0
            while x < x1:  # words as dark dashes
                ww = int(rng.uniform(0.03, 0.12) * cw)
                img[y:y + max(1, line_h // 2), x:min(x + ww, x1)] = ink
                x += ww + max(2, line_h // 2)
            y += line_h
    hy = int(rng.uniform(0, 0.1) * h)
    img[hy:hy + 3 * line_h, int(0.05 * w):int(rng.uniform(0.5, 0.9) * w)] = 25
    return np.clip(cv2.GaussianBlur(img, (0, 0), 0.8), 0, 255).astype(np.uint8)


def bg_keyboard(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """A dark desk with a keyboard (rows of keycaps), a mouse and its cable."""
    img = np.empty((h, w, 3), np.float32)
    img[:] = rng.uniform(35, 70)
    img += 4 * _noise(rng, h, w, 8)[:, :, None]
    kw, kh = int(0.75 * w), int(0.25 * h)
    kx, ky = int(rng.uniform(-0.2, 0.4) * w), int(rng.choice((rng.uniform(-0.1, 0.05), rng.uniform(0.7, 0.85))) * h)
    cv2.rectangle(img, (kx, ky), (kx + kw, ky + kh), (28, 28, 30), -1)
    key = kw / 16
    for r in range(5):
        for k in range(15):
            x0, y0 = int(kx + key * (0.3 + k + 0.3 * r)), int(ky + key * (0.3 + r * 1.05))
            cv2.rectangle(img, (x0, y0), (int(x0 + key * 0.85), int(y0 + key * 0.85)), (52, 52, 55), -1)
            cv2.rectangle(img, (int(x0 + key * 0.25), int(y0 + key * 0.3)), (int(x0 + key * 0.4), int(y0 + key * 0.45)),
                          (200, 200, 200), -1)
    mx, my = int(rng.uniform(0.75, 0.95) * w), int(rng.uniform(0.3, 0.7) * h)
    cv2.ellipse(img, (mx, my), (int(0.035 * w), int(0.06 * w)), float(rng.uniform(-20, 20)), 0, 360,
                (rng.uniform(150, 230),) * 3, -1, cv2.LINE_AA)
    pts = np.array([[mx, my - int(0.06 * w)], [mx + int(0.05 * w), int(my * 0.5)], [mx - int(0.1 * w), 0]], np.int32)
    cv2.polylines(img, [pts], False, (20, 20, 20), max(2, w // 300), cv2.LINE_AA)
    return np.clip(img, 0, 255).astype(np.uint8)


BACKGROUNDS: dict[str, Callable[[np.random.Generator, int, int], np.ndarray]] = {
    "phone_cloth": bg_oilcloth, "phone_laminate": bg_laminate, "phone_glass": bg_glass,
    "phone_newspaper": bg_newspaper, "phone_keyboard": bg_keyboard, "phone_spread": bg_laminate,
}


# =========================================================================== geometry and capture


def placement(w: int, h: int, centre: tuple[float, float], turn: int, angle: float, scale: float = 1.0) -> np.ndarray:
    """Homography putting a w×h raster with its centre at ``centre``, turned ``turn`` quarter turns
    plus ``angle`` degrees counter-clockwise on screen (y down), scaled."""
    phi = math.radians(90 * turn + angle)
    c, s = math.cos(phi) * scale, math.sin(phi) * scale
    rot = np.array([[c, s, 0], [-s, c, 0], [0, 0, 1]], np.float64)  # (1, 0) → (cos, −sin): rises to the right
    t0 = np.array([[1, 0, -(w - 1) / 2], [0, 1, -(h - 1) / 2], [0, 0, 1]], np.float64)
    t1 = np.array([[1, 0, centre[0]], [0, 1, centre[1]], [0, 0, 1]], np.float64)
    return t1 @ rot @ t0


def corners(w: int, h: int) -> np.ndarray:
    """A w×h raster's paper outline: pixel centres at integers, so its edges are at −0.5 and size − 0.5."""
    return np.array([[-0.5, -0.5], [w - 0.5, -0.5], [w - 0.5, h - 0.5], [-0.5, h - 0.5]], np.float64)


def project(hm: np.ndarray, pts: np.ndarray) -> np.ndarray:
    return cv2.perspectiveTransform(pts.reshape(-1, 1, 2).astype(np.float64), hm).reshape(-1, 2)


def composite(frame: np.ndarray, layer: np.ndarray, alpha: np.ndarray, hm: np.ndarray) -> None:
    """Warp ``layer`` (with its coverage ``alpha``) into ``frame`` in place. Linear interpolation
    with a zero border gives the paper's edge a half-covered pixel where it falls mid-pixel."""
    size = (frame.shape[1], frame.shape[0])
    warped = cv2.warpPerspective(layer, hm, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    a = cv2.warpPerspective(alpha, hm, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)[:, :, None]
    ys, xs = np.nonzero(a[:, :, 0] > 0)
    if len(ys) == 0:
        return
    sl = (slice(ys.min(), ys.max() + 1), slice(xs.min(), xs.max() + 1))  # only the touched box: speed
    f = frame[sl].astype(np.float32)
    frame[sl] = np.clip(f * (1 - a[sl]) + warped[sl].astype(np.float32) * a[sl], 0, 255).astype(np.uint8)


def clip_to_frame(poly: np.ndarray, w: int, h: int) -> np.ndarray:
    """The part of a convex outline inside the frame (the truth keeps only what the frame holds)."""
    frame = corners(w, h).astype(np.float32)
    hull = cv2.convexHull(poly.astype(np.float32)).reshape(-1, 2)
    inside = ((hull[:, 0] >= -0.5 - 1e-3) & (hull[:, 0] <= w - 0.5 + 1e-3) & (hull[:, 1] >= -0.5 - 1e-3)
              & (hull[:, 1] <= h - 0.5 + 1e-3)).all()
    if inside:
        out = hull.astype(np.float64)
    else:
        area, inter = cv2.intersectConvexConvex(hull, frame)
        out = inter.reshape(-1, 2).astype(np.float64) if inter is not None and area > 0 else np.zeros((0, 2))
        out[:, 0] = np.clip(out[:, 0], -0.5, w - 0.5)
        out[:, 1] = np.clip(out[:, 1], -0.5, h - 0.5)
    return order(out)


def order(poly: np.ndarray) -> np.ndarray:
    """Vertices clockwise on screen (TL, TR, BR, BL for a quad), starting nearest the top-left."""
    if len(poly) < 3:
        return poly
    c = poly.mean(0)
    ang = np.arctan2(poly[:, 1] - c[1], poly[:, 0] - c[0])
    p = poly[np.argsort(ang)]
    start = int(np.argmin(p[:, 0] + p[:, 1]))
    p = np.roll(p, -start, axis=0)
    # drop vertices that coincide (a corner exactly on the frame edge)
    keep = [0] + [k for k in range(1, len(p)) if np.hypot(*(p[k] - p[k - 1])) > 1e-3]
    p = p[keep]
    if len(p) > 1 and np.hypot(*(p[-1] - p[0])) <= 1e-3:
        p = p[:-1]
    return p


def _scanner_finish(img: np.ndarray, rng: np.random.Generator, dpi: float, jpeg: bool) -> np.ndarray:
    """A scanner's optics and sensor: slight blur (more at high DPI), noise, maybe JPEG."""
    out = cv2.GaussianBlur(img, (0, 0), 0.35 * max(1.0, dpi / 200))
    noise = rng.normal(0, float(rng.uniform(1.0, 2.5)), out.shape[:2]).astype(np.float32)
    out = np.clip(out.astype(np.float32) + noise[:, :, None], 0, 255).astype(np.uint8)
    if jpeg:
        q = int(rng.integers(75, 96))
        out = cv2.imdecode(cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, q])[1], cv2.IMREAD_COLOR)
    return out


# --------------------------------------------------------------------------- the page record


def _truth(name: str, cls: str, frame: np.ndarray, poly: np.ndarray, rotation: int, skew: float | None,
           doc_text: bool, *, skew_scored: bool, blank: bool = False, near_blank: bool = False,
           red_seal: bool = False, dpi: int | None, scene: str) -> dict[str, Any]:
    h, w = frame.shape[:2]
    q = clip_to_frame(poly, w, h)
    area = float(cv2.contourArea(q.astype(np.float32)))
    full = area >= 0.99 * w * h  # the paper fills the frame: nothing of it may be cropped away
    text = doc_text and not blank and not near_blank
    return {
        "name": name, "class": cls, "scene": scene, "size": [w, h], "quad": [[round(float(x), 3), round(float(y), 3)]
                                                                            for x, y in q],
        "rotation": int(rotation) % 360, "skew_deg": None if skew is None else round(float(skew), 4),
        "skew_scored": bool(skew_scored and text and skew is not None), "orientation_scored": bool(text),
        "has_text_lines": bool(text), "blank": bool(blank), "near_blank": bool(near_blank), "full_frame": bool(full),
        "red_seal": bool(red_seal), "dpi": dpi,
    }


def _spot(rng: np.random.Generator, w_mm: float, h_mm: float, turn: int, angle: float,
          glass: tuple[float, float] = (216.0, 297.0), margin: float = 3.0) -> tuple[float, float]:
    """A random centre (mm) for an object laid on the glass, wholly on it with ``margin`` to spare
    (an object longer than the glass starts near its top and runs past its end)."""
    a = math.radians(angle + 90 * turn)
    ew = abs(math.cos(a)) * w_mm + abs(math.sin(a)) * h_mm
    eh = abs(math.sin(a)) * w_mm + abs(math.cos(a)) * h_mm
    x = rng.uniform(ew / 2 + margin, max(ew / 2 + margin, glass[0] - ew / 2 - margin))
    if eh + 2 * margin > glass[1]:
        return float(x), float(eh / 2 + rng.uniform(margin, 3 * margin))
    return float(x), float(rng.uniform(eh / 2 + margin, glass[1] - eh / 2 - margin))


def _skew_angle(rng: np.random.Generator, lo: float, hi: float) -> float:
    """Log-uniform magnitude in [lo, hi] degrees, random sign: small skews are the common case."""
    return float(math.exp(rng.uniform(math.log(lo), math.log(hi))) * rng.choice((-1, 1)))


# --------------------------------------------------------------------------- flatbed, feeder, glass


def _flatbed(rng: np.random.Generator, name: str, scene: str, dpi: int, doc_img: np.ndarray, alpha: np.ndarray,
             doc: Doc, *, glass_mm: tuple[float, float], lid: str, turn: int, angle: float,
             at: tuple[float, float] | None, cls: str, skew_scored: bool, content_angle: float = 0.0,
             stop_mm: tuple[float, float] = (0.0, 3.0)) -> Gen4Page:
    """A page (or card, slip) laid on the glass: ``at`` is its centre in mm (None: against the
    registration corner at the top-left, ``stop_mm`` off it; negative: past the scanned area)."""
    fw, fh = round(glass_mm[0] / 25.4 * dpi), round(glass_mm[1] / 25.4 * dpi)
    frame = bg_lid(rng, fh, fw, lid)
    h, w = doc_img.shape[:2]
    if at is None:
        # corners of the turned page's bounding box pushed against the top-left stop, 0–3 mm off it
        hm0 = placement(w, h, (0, 0), turn, angle)
        box = project(hm0, corners(w, h))
        off = rng.uniform(*stop_mm, 2) / 25.4 * dpi
        centre = (-box[:, 0].min() - 0.5 + off[0], -box[:, 1].min() - 0.5 + off[1])
    else:
        centre = (at[0] / 25.4 * dpi, at[1] / 25.4 * dpi)
    hm = placement(w, h, centre, turn, angle)
    if lid != "dark":  # the sheet's edge throws a thin shadow on the lid (light from the top-left)
        shadow = np.zeros((fh, fw), np.float32)
        cv2.fillPoly(shadow, [np.round(project(hm, corners(w, h)) + np.array([1.2, 1.6])).astype(np.int32)], 1.0)
        shadow = cv2.GaussianBlur(shadow, (0, 0), 1.2) * float(rng.uniform(0.1, 0.3))
        frame = (frame.astype(np.float32) * (1 - shadow[:, :, None])).astype(np.uint8)
    composite(frame, doc_img, alpha, hm)
    img = _scanner_finish(frame, rng, dpi, jpeg=bool(rng.random() < 0.4))
    poly = project(hm, corners(w, h))
    truth = _truth(name, cls, img, poly, (90 * turn) % 360, angle + content_angle, doc.text,
                   skew_scored=skew_scored, blank=doc.blank, near_blank=doc.near_blank,
                   red_seal=doc.seal, dpi=dpi, scene=scene)
    return Gen4Page(img, dpi, truth)


def _feeder(rng: np.random.Generator, name: str, scene: str, dpi: int, doc_img: np.ndarray, doc: Doc,
            turn: int) -> Gen4Page:
    """ADF: the page runs past a backing (dark grey or white) with narrow side margins; skew
    0.05–3°; the frame's length is the page's plus a little overscan, so a skewed page's corners
    can be cut; dust on the glass makes vertical streaks the whole frame long."""
    h, w = doc_img.shape[:2]
    angle = _skew_angle(rng, 0.05, 3.0)
    side = rng.uniform(2, 6) / 25.4 * dpi
    fw = round(w + 2 * side)
    fh = round(h + rng.uniform(-3, 5) / 25.4 * dpi)
    backing = rng.uniform(35, 70) if rng.random() < 0.65 else rng.uniform(215, 235)
    frame = np.full((fh, fw, 3), backing, np.uint8)
    centre = (fw / 2 - 0.5 + rng.uniform(-1.5, 1.5) / 25.4 * dpi, fh / 2 - 0.5 + rng.uniform(-1, 1) / 25.4 * dpi)
    hm = placement(w, h, centre, turn, angle)
    composite(frame, doc_img, np.ones((h, w), np.float32), hm)
    f = frame.astype(np.float32)
    for _ in range(int(rng.integers(1, 5))):
        x = int(rng.integers(0, fw))
        wid = int(rng.integers(1, 3))
        f[:, x:x + wid] += rng.uniform(-45, 25)
    img = _scanner_finish(np.clip(f, 0, 255).astype(np.uint8), rng, dpi, jpeg=bool(rng.random() < 0.6))
    truth = _truth(name, "flatbed", img, project(hm, corners(w, h)), (90 * turn) % 360, angle, doc.text,
                   skew_scored=True, blank=doc.blank, near_blank=doc.near_blank, red_seal=doc.seal, dpi=dpi,
                   scene=scene)
    return Gen4Page(img, dpi, truth)


# --------------------------------------------------------------------------- phone camera


def _barrel(img: np.ndarray, k: float) -> np.ndarray:
    """Lens distortion: the output at radius r shows the scene at r·(1 + k·r²) (r: half-diagonal = 1)."""
    h, w = img.shape[:2]
    cx, cy, rn = (w - 1) / 2, (h - 1) / 2, math.hypot(w, h) / 2
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    dx, dy = (xx - cx) / rn, (yy - cy) / rn
    f = 1 + k * (dx * dx + dy * dy)
    return cv2.remap(img, (cx + dx * f * rn).astype(np.float32), (cy + dy * f * rn).astype(np.float32),
                     cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def _barrel_forward(pts: np.ndarray, w: int, h: int, k: float) -> np.ndarray:
    """Where scene points land in the distorted photo (inverse of ``_barrel``'s sampling, by Newton)."""
    cx, cy, rn = (w - 1) / 2, (h - 1) / 2, math.hypot(w, h) / 2
    out = []
    for x, y in pts:
        dx, dy = (x - cx) / rn, (y - cy) / rn
        rq = math.hypot(dx, dy)
        r = rq
        for _ in range(30):
            r -= (r * (1 + k * r * r) - rq) / (1 + 3 * k * r * r)
        s = r / rq if rq > 0 else 1.0
        out.append((cx + dx * s * rn, cy + dy * s * rn))
    return np.asarray(out)


def _hand_shadow(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """A soft shadow of a hand and fingers reaching in from one side, as a light multiplier."""
    m = np.zeros((h, w), np.float32)
    side = int(rng.integers(0, 4))
    s = min(h, w)
    cx, cy = [(rng.uniform(0.2, 0.8) * w, -0.05 * h), (1.05 * w, rng.uniform(0.2, 0.8) * h),
              (rng.uniform(0.2, 0.8) * w, 1.05 * h), (-0.05 * w, rng.uniform(0.2, 0.8) * h)][side]
    ux, uy = [(0, 1), (-1, 0), (0, -1), (1, 0)][side]
    cv2.ellipse(m, (int(cx), int(cy)), (int(0.22 * s), int(0.16 * s)), math.degrees(math.atan2(uy, ux)), 0, 360,
                1.0, -1)
    for k in range(4):
        off = (k - 1.5) * 0.07 * s
        fx, fy = cx + ux * 0.25 * s - uy * off, cy + uy * 0.25 * s + ux * off
        cv2.ellipse(m, (int(fx), int(fy)), (int(0.14 * s), int(0.025 * s)), math.degrees(math.atan2(uy, ux)), 0, 360,
                    1.0, -1)
    m = cv2.GaussianBlur(m, (0, 0), 0.04 * s)
    return 1 - float(rng.uniform(0.25, 0.5)) * m


def _curl(img: np.ndarray, alpha: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The lower edge lifts and bows a little (its corners stay put), with shading where it rises."""
    h, w = img.shape[:2]
    a = float(rng.uniform(0.002, 0.006)) * h
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    lift = a * np.sin(np.pi * (xx + 0.5) / w) * ((yy + 0.5) / h) ** 4
    mx, my = xx, yy + lift
    out = cv2.remap(img, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0))
    al = cv2.remap(alpha, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    shade = 1 - 0.12 * ((yy + 0.5) / h) ** 6
    return np.clip(out * shade[:, :, None], 0, 255).astype(np.uint8), al


def _camera(rng: np.random.Generator, name: str, scene: str, doc_img: np.ndarray, doc: Doc,
            off_sides: int, cls: str = "camera") -> Gen4Page:
    """A phone photo of the page: no DPI, perspective, lens, light, blur, JPEG."""
    fw, fh = [(1600, 1200), (2048, 1536), (1920, 1440), (1632, 1224)][int(rng.integers(0, 4))]
    if rng.random() < 0.5:
        fw, fh = fh, fw
    frame = BACKGROUNDS[scene](rng, fh, fw)
    h, w = doc_img.shape[:2]
    turn = int(rng.choice((0, 0, 0, 0, 1, 3, 2)))
    tw, th = (w, h) if turn % 2 == 0 else (h, w)
    fill = rng.uniform(0.6, 0.85) if off_sides == 0 else rng.uniform(0.95, 1.25)
    scale = fill * min(fw / tw, fh / th)
    centre = np.array([fw / 2, fh / 2]) + rng.uniform(-0.06, 0.06, 2) * (fw, fh)
    hm = placement(w, h, (float(centre[0]), float(centre[1])), turn, float(rng.uniform(-12, 12)), scale)
    quad = project(hm, corners(w, h))
    if off_sides:
        # push the page out over ``off_sides`` frame edges by 3–15 % of its size
        sides = rng.permutation(4)[:off_sides]
        shift = np.zeros(2)
        for sd in sides:
            over = rng.uniform(0.03, 0.15)
            if sd == 0:
                shift[0] += -quad[:, 0].min() - over * tw * scale  # left
            elif sd == 1:
                shift[0] += fw - quad[:, 0].max() + over * tw * scale  # right
            elif sd == 2:
                shift[1] += -quad[:, 1].min() - over * th * scale  # top
            else:
                shift[1] += fh - quad[:, 1].max() + over * th * scale  # bottom
        quad = quad + shift
    # perspective: each corner moves by up to 6 % of the page's size (a camera not square above it)
    persp = quad + rng.uniform(-0.06, 0.06, (4, 2)) * scale * max(tw, th)
    if not cv2.isContourConvex(persp.astype(np.float32)):
        persp = quad
    hm = cv2.getPerspectiveTransform(corners(w, h).astype(np.float32), persp.astype(np.float32)).astype(np.float64)
    alpha = np.ones((h, w), np.float32)
    if rng.random() < 0.6:
        doc_img, alpha = _curl(doc_img, alpha, rng)
    # the page's own soft shadow on the surface
    shadow = np.zeros((fh, fw), np.float32)
    cv2.fillPoly(shadow, [np.round(persp + rng.uniform(2, 8, 2)).astype(np.int32)], 1.0)
    shadow = cv2.GaussianBlur(shadow, (0, 0), 6) * 0.35
    frame = (frame.astype(np.float32) * (1 - shadow[:, :, None])).astype(np.uint8)
    composite(frame, doc_img, alpha, hm)
    f = frame.astype(np.float32)
    # light: a vignette and a gradient across the scene, a hand's shadow, glare on the page
    yy, xx = np.mgrid[0:fh, 0:fw].astype(np.float32)
    r2 = ((xx - fw / 2) / (fw / 2)) ** 2 + ((yy - fh / 2) / (fh / 2)) ** 2
    light = (1 - rng.uniform(0.1, 0.3) * r2 / 2) * (1 + rng.uniform(-0.12, 0.12) * (xx / fw - 0.5)
                                                   + rng.uniform(-0.12, 0.12) * (yy / fh - 0.5))
    if rng.random() < 0.45:
        light = light * _hand_shadow(rng, fh, fw)
    f *= light[:, :, None]
    if rng.random() < 0.45:
        gx, gy = project(hm, np.array([[rng.uniform(0.2, 0.8) * w, rng.uniform(0.2, 0.8) * h]]))[0]
        g = np.exp(-(((xx - gx) / (0.12 * fw)) ** 2 + ((yy - gy) / (0.08 * fh)) ** 2))
        f += rng.uniform(40, 110) * g[:, :, None]
    f *= np.array([1 + rng.uniform(-0.08, 0.08), 1 + rng.uniform(-0.04, 0.04), 1 + rng.uniform(-0.08, 0.08)])
    img = np.clip(f, 0, 255).astype(np.uint8)
    k = float(rng.uniform(-0.02, 0.035))
    img = _barrel(img, k)
    blur = rng.random()
    if blur < 0.3:  # a shaking hand
        n = int(rng.integers(5, 14))
        ker = np.zeros((n, n), np.float32)
        cv2.line(ker, (0, n // 2), (n - 1, n // 2), 1.0, 1)
        ker = cv2.warpAffine(ker, cv2.getRotationMatrix2D(((n - 1) / 2, (n - 1) / 2), float(rng.uniform(0, 180)), 1),
                             (n, n))
        img = cv2.filter2D(img, -1, ker / max(ker.sum(), 1e-6))
    elif blur < 0.5:  # focused on the desk, not the page
        img = cv2.GaussianBlur(img, (0, 0), float(rng.uniform(1.2, 2.5)))
    img = np.clip(img.astype(np.float32) + rng.normal(0, rng.uniform(2, 5), img.shape[:2])[:, :, None], 0, 255)
    q = int(rng.integers(55, 93))
    img = cv2.imdecode(cv2.imencode(".jpg", img.astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, q])[1], cv2.IMREAD_COLOR)
    poly = _barrel_forward(persp, fw, fh, k)
    truth = _truth(name, cls, img, poly, (90 * turn) % 360, None, doc.text, skew_scored=False,
                   red_seal=doc.seal, dpi=None, scene=scene)
    return Gen4Page(img, None, truth)


def _spread(rng: np.random.Generator, dpi: float) -> tuple[np.ndarray, Doc]:
    """An open booklet: two A5 pages side by side, the fold shaded, thin page edges at the sides."""
    left = _paper(Doc(b"", 148, 210), rasterise(doc_slip_a5(rng).pdf, dpi), rng)
    right = _paper(Doc(b"", 148, 210), rasterise(doc_form(rng, 148, 210).pdf, dpi), rng)
    h = min(left.shape[0], right.shape[0])
    img = np.hstack([left[:h], right[:h]]).astype(np.float32)
    w = img.shape[1]
    xx = np.arange(w, dtype=np.float32)
    fold = 1 - 0.35 * np.exp(-((xx - w / 2) / (0.025 * w)) ** 2)
    img *= fold[None, :, None]
    edge = max(2, int(0.004 * w))  # stacked page edges, slightly darker
    img[:, :edge] *= 0.85
    img[:, -edge:] *= 0.85
    return np.clip(img, 0, 255).astype(np.uint8), Doc(b"", 296, 210)


# =========================================================================== scenes


def generate_page(seed: int, i: int, dpi: int = 150, scene: str | None = None,
                  scan_dpi: int | None = None) -> Gen4Page:
    """Frame ``i`` of the stream ``seed``: its scene from ``SCHEDULE`` (or ``scene``), everything else
    drawn from a generator seeded by (seed, i). ``dpi`` is the base resolution: flatbed pages are
    scanned at 1–2×, cards at 2–3× it; phone photos have none. ``scan_dpi`` fixes the flatbed,
    feeder and slip resolution instead (the runner's time measure wants A4 at 300 dpi)."""
    scene = scene or SCHEDULE[i % len(SCHEDULE)]
    rng = np.random.default_rng([seed, i, 4])
    name = f"{scene}#{i}"
    if scene.startswith("phone_"):
        if scene == "phone_spread":
            img, doc = _spread(rng, 150)
            return _camera(rng, name, scene, img, doc, off_sides=0)
        doc = (doc_form if rng.random() < 0.6 else doc_notice)(rng)
        off = {"phone_keyboard": int(rng.integers(1, 4)), "phone_newspaper": int(rng.integers(0, 2))}.get(
            scene, int(rng.random() < 0.3))
        return _camera(rng, name, scene, _paper(doc, rasterise(doc.pdf, 125), rng), doc, off_sides=off)
    if scene.startswith("cccd"):
        cdpi = int(dpi * float(rng.choice((2.0, 3.0))))
        lid = "dark" if scene == "cccd_nolid" else str(rng.choice(("white", "white", "grey")))
        fronts = [doc_card_front(rng), doc_card_back(rng)]
        turn = int(rng.integers(0, 4)) if scene == "cccd_turned" else int(rng.choice((0, 0, 0, 1)))
        if scene == "cccd_pair":
            return _card_pair(rng, name, scene, cdpi, fronts, lid)
        doc = fronts[1] if scene == "cccd_back" else fronts[0]
        img = _paper(doc, rasterise(doc.pdf, cdpi), rng)
        angle = float(rng.uniform(-8, 8))
        return _flatbed(rng, name, scene, cdpi, img, _card_alpha(*img.shape[:2], cdpi), doc, glass_mm=(216, 297),
                        lid=lid, turn=turn, angle=angle, at=_spot(rng, 85.6, 54.0, turn, angle), cls="card",
                        skew_scored=False)
    fdpi = int(dpi * float(rng.choice((1.0, 1.0, 1.5, 2.0))))
    fdpi = scan_dpi or fdpi
    if scene in ("a5_slip", "a6_slip", "receipt"):
        doc = {"a5_slip": doc_slip_a5, "a6_slip": doc_slip_a6, "receipt": doc_receipt}[scene](rng)
        img = _paper(doc, rasterise(doc.pdf, fdpi), rng)
        turn = int(rng.choice((0, 0, 0, 1, 2, 3))) if scene != "receipt" else int(rng.choice((0, 0, 2)))
        angle = float(rng.uniform(-6, 6))
        return _flatbed(rng, name, scene, fdpi, img, np.ones(img.shape[:2], np.float32), doc, glass_mm=(216, 297),
                        lid=str(rng.choice(("white", "white", "grey", "dark"))), turn=turn, angle=angle,
                        at=_spot(rng, doc.w_mm, doc.h_mm, turn, angle), cls="slip", skew_scored=False)
    if scene in ("notice_adf", "table_adf", "form_adf_upside", "blank_back"):
        if scene == "blank_back":
            doc = Doc(b"", 210, 297, text=False, blank=True)
            img = _bleed_through(rng, fdpi)
        else:
            doc = {"notice_adf": lambda r: doc_notice(r, dense=bool(r.random() < 0.6)), "table_adf": doc_table,
                   "form_adf_upside": doc_form}[scene](rng)
            img = _paper(doc, rasterise(doc.pdf, fdpi), rng)
        return _feeder(rng, name, scene, fdpi, img, doc, 2 if scene == "form_adf_upside" else 0)
    # flatbed A4 / letter pages
    content = 0.0
    glass = (216.0, 297.0)
    stop = (0.0, 3.0)
    lid = str(rng.choice(("white", "white", "grey")))
    turn, angle = 0, _skew_angle(rng, 0.05, 1.5)
    if scene == "photocopy":
        img, content = _photocopy(rng, fdpi)
        doc = Doc(b"", 210, 297)
    elif scene == "near_blank":
        doc = doc_near_blank(rng, str(rng.choice(("pencil", "line", "stamp"))))
        img = _paper(doc, rasterise(doc.pdf, fdpi), rng)
    elif scene == "table_landscape":
        doc = doc_table(rng, landscape=True)
        img = _paper(doc, rasterise(doc.pdf, fdpi), rng)
        turn = int(rng.choice((1, 3)))  # a landscape table on a portrait glass
    elif scene == "letter_nolid":
        doc = doc_form(rng, 215.9, 279.4)
        img = _paper(doc, rasterise(doc.pdf, fdpi), rng)
        glass, lid = (216.0, 297.0), "dark"
        angle = _skew_angle(rng, 0.1, 4.0)
    elif scene == "notice_lid":
        doc = doc_notice(rng, dense=bool(rng.random() < 0.5))
        img = _paper(doc, rasterise(doc.pdf, fdpi), rng)
        glass = (216.0, 356.0)  # a legal-size glass: a lid strip below the page
    else:  # form_lid, form_fill
        doc = doc_form(rng)
        img = _paper(doc, rasterise(doc.pdf, fdpi), rng)
        if scene == "form_fill":
            # the A4 preset: the page, pushed against the stop, fills the frame (or runs a little past it)
            glass, angle, stop = (210.0, 297.0), _skew_angle(rng, 0.03, 0.35), (-1.0, 0.6)
    return _flatbed(rng, name, scene, fdpi, img, np.ones(img.shape[:2], np.float32), doc, glass_mm=glass, lid=lid,
                    turn=turn, angle=angle, at=None, cls="flatbed", skew_scored=True, content_angle=content,
                    stop_mm=stop)


def _card_pair(rng: np.random.Generator, name: str, scene: str, dpi: int, docs: list[Doc], lid: str) -> Gen4Page:
    """Front and back on one glass, side by side or one above the other; truth: the convex hull of both."""
    fw, fh = round(216 / 25.4 * dpi), round(297 / 25.4 * dpi)
    frame = bg_lid(rng, fh, fw, lid)
    polys = []
    beside = bool(rng.random() < 0.5)
    base = np.array([rng.uniform(50, 60) if beside else rng.uniform(50, 160),
                     rng.uniform(35, 200) if beside else rng.uniform(35, 190)])
    gap = rng.uniform(6, 20)  # apart: each card may also turn ±3° (its corner moves ~2 mm)
    turn = int(rng.choice((0, 0, 2)))
    for k, doc in enumerate(docs):
        img = _paper(doc, rasterise(doc.pdf, dpi), rng)
        h, w = img.shape[:2]
        step = np.array([(85.6 + gap) * k, rng.uniform(-3, 3)] if beside else [rng.uniform(-3, 3), (54 + gap) * k])
        c_mm = base + step
        hm = placement(w, h, (c_mm[0] / 25.4 * dpi, c_mm[1] / 25.4 * dpi), turn, float(rng.uniform(-3, 3)))
        composite(frame, img, _card_alpha(h, w, dpi), hm)
        polys.append(project(hm, corners(w, h)))
    img = _scanner_finish(frame, rng, dpi, jpeg=bool(rng.random() < 0.4))
    hull = cv2.convexHull(np.vstack(polys).astype(np.float32)).reshape(-1, 2).astype(np.float64)
    truth = _truth(name, "card", img, hull, (90 * turn) % 360, None, True, skew_scored=False,
                   red_seal=any(d.seal for d in docs), dpi=dpi, scene=scene)
    return Gen4Page(img, dpi, truth)


# =========================================================================== command line


def main() -> None:
    """Write N frames as PNG (with their DPI) and truth.json in the real set's format."""
    ap = argparse.ArgumentParser(description="gen4: held-out scans (report only, never tune on it)")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("-n", type=int, default=28)
    ap.add_argument("--seed", type=int, default=4)
    ap.add_argument("--dpi", type=int, default=100)
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--scene", default=None)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    from PIL import Image

    pages: dict[str, dict[str, Any]] = {}
    for i in range(args.start, args.start + args.n):
        p = generate_page(args.seed, i, args.dpi, args.scene)
        file = p.truth["name"].replace("#", "_") + ".png"
        im = Image.fromarray(cv2.cvtColor(p.image, cv2.COLOR_BGR2RGB))
        im.save(args.out / file, **({"dpi": (p.dpi, p.dpi)} if p.dpi else {}))
        pages[f"{args.seed}-{i}"] = {**p.truth, "file": file}
        print(p.truth["name"], p.truth["class"], p.truth["size"], len(p.truth["quad"]), "vertices")
    (args.out / "truth.json").write_text(json.dumps({"pages": pages}, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()

"""A sixth generator of counter scans and phone photos (issue #13, session 10): held out, report only.

Written from scratch, without reading the earlier generators or the pipeline's internals, as an
honest check of the page pipeline on material nobody tuned it on. Nobody may tune on it.

What a Vietnamese one-stop counter receives (``/work/shared/DOMAIN.md``) drawn with its own
layout engine on Liberation Serif (the free Times New Roman equivalent with Vietnamese glyphs):
hand-filled declarations (tờ khai) in blue ink, birth/marriage certificate extracts with ornamental
borders, pink land-use certificates, household papers, yellowed old pages, letters with a
letterhead, multi-column notices, sticky notes and paper clips, stapled copies with a dog-ear and
fold creases; chip CCCD and 2024 "Căn cước" cards (front and back), a driving licence, a passport
data page; A5 receipts of dossiers, A6 appointment slips, thermal receipts; blank backs and
near-blank pages. Captured as counters capture them: a flatbed with the lid closed (white or grey
lid) or open (black room), an ADF filling the frame (edge shadows, a dust streak, a dark bar), a
document camera (visualiser) over a pale desk mat with slight barrel distortion, and phone photos
(flash hot-spot, low light, heavy JPEG, perspective, a thumb, pages running off, curled spreads,
clutter, motion blur).

Truth, per frame, in the real set's format (``real_truth.json``): ``quad`` is the paper (or both
cards, or the whole spread: their convex hull) clipped to the frame, corners in input pixels with
pixel centres at integers (frame edges at -0.5 and size - 0.5), ordered TL, TR, BR, BL as seen in
the frame (as the real set and ``PageResult.quad``); ``quad_doc`` gives the unclipped corners in
the document's own order (its top-left first, clockwise, after the upright turn). ``rotation`` is
the clockwise quarter-turn that makes the text upright; ``skew_deg`` the tilt of the text lines,
counter-clockwise positive (the same sign as ``PageResult.skew_deg``).

Every frame is a pure function of ``(seed, index, dpi)``; ``dpi`` is the base resolution (a
flatbed scan is taken at ``dpi`` or 4/3 of it; a phone photo's size scales with it but carries no
DPI).
"""

from __future__ import annotations

import functools
import inspect
import math
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONTS = Path(__file__).resolve().parents[2] / "resources" / "fonts"
MM = 25.4


@dataclass
class Frame:
    """One generated frame: the image (BGR uint8), its DPI (None: a photo) and its truth."""

    image: np.ndarray
    dpi: int | None
    truth: dict[str, Any]


# --------------------------------------------------------------------------- text material

SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ",
            "Ngô", "Dương", "Lý", "Trịnh", "Đinh", "Lương", "Mai")
MIDDLES = ("Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quang", "Thu", "Kim", "Xuân", "Bảo")
GIVEN = ("An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hòa", "Hùng", "Khánh", "Lan", "Linh",
         "Long", "Mai", "Nam", "Nga", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vy", "Yến")
PLACES = ("xã Tân Phú", "phường Hòa Khánh", "xã Đông Hưng", "phường Bến Thành", "xã Quỳnh Lưu",
          "phường Thạch Thang", "xã Ea Kar", "phường Ninh Kiều", "xã Yên Thế", "đặc khu Phú Quốc")
PROVINCES = ("Hà Nội", "Nghệ An", "Đà Nẵng", "Cần Thơ", "Đắk Lắk", "Thái Bình", "Khánh Hòa", "An Giang",
             "Quảng Ninh", "TP. Hồ Chí Minh")
WORDS = ("hồ sơ", "công dân", "thủ tục", "đề nghị", "cơ quan", "giải quyết", "thời hạn", "theo quy định",
         "ủy ban nhân dân", "tiếp nhận", "kết quả", "bản sao", "chứng thực", "nơi cư trú", "thường trú",
         "tạm trú", "đăng ký", "khai sinh", "kết hôn", "quyền sử dụng đất", "thửa đất", "diện tích",
         "mục đích sử dụng", "thời hạn sử dụng", "nguồn gốc", "người nộp", "xác nhận", "căn cứ", "điều",
         "khoản", "nghị định", "thông tư", "năm", "tháng", "ngày", "làm việc", "bổ sung", "thông báo",
         "các", "của", "và", "được", "cho", "với", "tại", "trong", "không", "phải", "đã", "sẽ", "này",
         "những", "người", "gia đình", "hộ", "chủ hộ", "thành viên", "số", "địa chỉ", "điện thoại",
         "trách nhiệm", "thực hiện", "quản lý", "hành chính", "một cửa", "phục vụ", "nhân dân", "lệ phí",
         "miễn", "nộp", "trả", "hẹn", "ngày làm việc", "đúng hạn", "chậm", "xin lỗi", "gia hạn")
LABELS = ("Họ, chữ đệm và tên:", "Ngày, tháng, năm sinh:", "Giới tính:", "Số định danh cá nhân:",
          "Dân tộc:", "Quốc tịch:", "Quê quán:", "Nơi thường trú:", "Nơi ở hiện tại:", "Nghề nghiệp:",
          "Số điện thoại liên hệ:", "Email:", "Quan hệ với chủ hộ:", "Nội dung đề nghị:",
          "Lý do thay đổi:", "Nơi đăng ký khai sinh:", "Họ và tên cha:", "Họ và tên mẹ:")
TITLES_FORM = ("TỜ KHAI THAY ĐỔI THÔNG TIN CƯ TRÚ", "TỜ KHAI ĐĂNG KÝ KHAI SINH", "TỜ KHAI ĐĂNG KÝ KẾT HÔN",
               "ĐƠN ĐỀ NGHỊ CẤP BẢN SAO", "TỜ KHAI CẤP ĐỔI GIẤY PHÉP LÁI XE", "PHIẾU ĐỀ NGHỊ GIẢI QUYẾT")
AGENCIES = ("ỦY BAN NHÂN DÂN", "CÔNG AN", "SỞ TƯ PHÁP", "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG",
            "VĂN PHÒNG ĐĂNG KÝ ĐẤT ĐAI", "CÔNG TY TNHH THƯƠNG MẠI")

INK_BLACK = (28, 26, 30)  # RGB: laser toner, never pure black
INK_BLUE = (30, 50, 150)  # ballpoint
INK_RED = (205, 35, 40)  # seal ink
INK_GREY = (70, 70, 72)  # thermal print


def _name(rng: np.random.Generator) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLES)} {rng.choice(GIVEN)}"


def _sentence(rng: np.random.Generator, n: int) -> str:
    s = " ".join(str(rng.choice(WORDS)) for _ in range(n))
    return s[0].upper() + s[1:] + "."


@functools.lru_cache(maxsize=64)
def _font(style: str, px: int) -> ImageFont.FreeTypeFont:
    files = {"r": "LiberationSerif-Regular.ttf", "b": "LiberationSerif-Bold.ttf",
             "i": "LiberationSerif-Italic.ttf", "bi": "LiberationSerif-BoldItalic.ttf"}
    return ImageFont.truetype(str(FONTS / files[style]), max(6, px))


# --------------------------------------------------------------------------- textures


def _gauss(rng: np.random.Generator, h: int, w: int, sigma: float, ch: int = 1) -> np.ndarray:
    """Gaussian noise, float32 (h, w, ch), from OpenCV's fast generator seeded from ``rng``
    (so a frame stays a pure function of its seed)."""
    cv2.setRNGSeed(int(rng.integers(0, 2**31 - 1)))
    out = np.empty((h, w, ch), np.float32)
    cv2.randn(out, 0.0, float(sigma))
    return out


def _field(rng: np.random.Generator, h: int, w: int, cell: float) -> np.ndarray:
    """Smooth noise in about [-1, 1]: a coarse random grid (one value per ``cell`` px), bicubic up."""
    gh, gw = max(2, int(h / cell) + 2), max(2, int(w / cell) + 2)
    g = rng.standard_normal((gh, gw)).astype(np.float32)
    return cv2.resize(g, (w, h), interpolation=cv2.INTER_CUBIC) * 0.8


def _paper(rng: np.random.Generator, h: int, w: int, rgb: tuple[float, float, float], px_mm: float,
           age: float = 0.0) -> np.ndarray:
    """Paper colour per pixel (float32 RGB 0-255): tint, cloudy formation, fine grain, and with
    ``age`` > 0 yellowing toward the edges plus a few foxing spots. The smooth parts are made on a
    quarter-size grid (about 1 px per mm at 100 dpi) and enlarged."""
    q = 4
    hs, ws = max(2, -(-h // q)), max(2, -(-w // q))
    pm = px_mm / q
    base = np.empty((hs, ws, 3), np.float32)
    base[:] = rgb
    cloud = _field(rng, hs, ws, 12 * pm) * 2.5 + _field(rng, hs, ws, max(2.0, 2 * pm)) * 1.2
    base += cloud[:, :, None]
    if age > 0:
        yy, xx = np.mgrid[0:hs, 0:ws].astype(np.float32)
        edge = np.minimum(np.minimum(xx, ws - 1 - xx), np.minimum(yy, hs - 1 - yy)) / (15 * pm)
        rim = np.exp(-edge)[:, :, None] * age
        base -= rim * np.array([8, 18, 45], np.float32)
        spot = np.zeros((hs, ws), np.float32)
        for _ in range(int(rng.integers(3, 12))):
            c = (int(rng.integers(0, ws)), int(rng.integers(0, hs)))
            cv2.circle(spot, c, max(1, int(rng.uniform(0.4, 1.6) * pm)), 1.0, -1)
        spot = cv2.GaussianBlur(spot, (0, 0), max(0.6, 0.6 * pm))
        base -= spot[:, :, None] * np.array([25, 40, 60], np.float32) * age
    full = cv2.resize(base, (w, h), interpolation=cv2.INTER_LINEAR)
    full += _gauss(rng, h, w, 1.6)
    return full


# --------------------------------------------------------------------------- layout engine


class Sheet:
    """A document being drawn upright: an ink layer (RGB, white = no ink) in millimetres."""

    def __init__(self, w_mm: float, h_mm: float, px_mm: float) -> None:
        self.w_mm, self.h_mm, self.s = w_mm, h_mm, px_mm
        self.w, self.h = max(8, round(w_mm * px_mm)), max(8, round(h_mm * px_mm))
        self.ink = np.full((self.h, self.w, 3), 255, np.uint8)
        self._pil: Image.Image | None = None
        self.red = False
        self.lines = 0  # text lines drawn (for has_text_lines)

    # Text is drawn with PIL, shapes with OpenCV; switching between them copies once.
    def draw(self) -> ImageDraw.ImageDraw:
        if self._pil is None:
            self._pil = Image.fromarray(self.ink)
        return ImageDraw.Draw(self._pil)

    def arr(self) -> np.ndarray:
        if self._pil is not None:
            self.ink = np.asarray(self._pil).copy()
            self._pil = None
        return self.ink

    def px(self, mm: float) -> int:
        return round(mm * self.s)

    def text(self, x_mm: float, y_mm: float, s: str, pt: float, style: str = "r",
             color: tuple[int, int, int] = INK_BLACK, align: str = "l", count: bool = True) -> float:
        """Draw one line with its baseline-ish top at y; returns its width in mm."""
        f = _font(style, self.px(pt * 0.3528))
        d = self.draw()
        wpx = d.textlength(s, font=f)
        x = self.px(x_mm)
        if align == "c":
            x -= wpx / 2
        elif align == "r":
            x -= wpx
        d.text((x, self.px(y_mm)), s, font=f, fill=color)
        if count and len(s) > 12:
            self.lines += 1
        return wpx / self.s

    def hand(self, rng: np.random.Generator, x_mm: float, y_mm: float, s: str, pt: float,
             color: tuple[int, int, int] = INK_BLUE) -> None:
        """Handwriting: italic, word by word with a wandering baseline and uneven spacing."""
        f = _font("i", self.px(pt * 0.3528))
        d = self.draw()
        x, drift = float(self.px(x_mm)), 0.0
        for word in s.split():
            drift = float(np.clip(drift + rng.normal(0, 0.25 * self.s), -0.8 * self.s, 0.8 * self.s))
            d.text((x, self.px(y_mm) + drift), word, font=f, fill=color)
            x += d.textlength(word + " ", font=f) * rng.uniform(0.95, 1.25)

    def paragraph(self, rng: np.random.Generator, x_mm: float, y_mm: float, w_mm: float, n_lines: int,
                  pt: float, lead: float = 1.45, indent: float = 8.0, style: str = "r") -> float:
        """Justified-looking filler text; returns the y after it."""
        f = _font(style, self.px(pt * 0.3528))
        d = self.draw()
        step = pt * 0.3528 * lead
        for i in range(n_lines):
            x0 = x_mm + (indent if i == 0 else 0)
            width = w_mm - (indent if i == 0 else 0)
            if i == n_lines - 1:
                width *= rng.uniform(0.3, 0.8)
            words, line = [], ""
            while True:
                cand = (line + " " + str(rng.choice(WORDS))).strip()
                if d.textlength(cand, font=f) / self.s > width:
                    break
                line = cand
                words.append(cand)
            if line:
                self.text(x0, y_mm, line, pt, style)
            y_mm += step
        return y_mm

    def rule(self, x0: float, y0: float, x1: float, y1: float, t_mm: float = 0.25,
             color: tuple[int, int, int] = INK_BLACK, dotted: bool = False) -> None:
        a = self.arr()
        t = max(1, self.px(t_mm))
        if dotted:
            n = int(math.hypot(x1 - x0, y1 - y0) / 1.2)
            for k in range(n):
                u = k / max(n, 1)
                cv2.circle(a, (self.px(x0 + u * (x1 - x0)), self.px(y0 + u * (y1 - y0))), max(1, t // 2), color, -1)
        else:
            cv2.line(a, (self.px(x0), self.px(y0)), (self.px(x1), self.px(y1)), color, t, cv2.LINE_AA)

    def box(self, x0: float, y0: float, x1: float, y1: float, t_mm: float = 0.25,
            color: tuple[int, int, int] = INK_BLACK, fill: tuple[int, int, int] | None = None) -> None:
        a = self.arr()
        p0, p1 = (self.px(x0), self.px(y0)), (self.px(x1), self.px(y1))
        if fill is not None:
            cv2.rectangle(a, p0, p1, fill, -1)
        if t_mm > 0:
            cv2.rectangle(a, p0, p1, color, max(1, self.px(t_mm)), cv2.LINE_AA)

    def seal(self, rng: np.random.Generator, cx: float, cy: float, r_mm: float = 18.0) -> None:
        """A round red seal (con dấu): double ring, ticks for its lettering, a star; over it a signature."""
        a = self.arr()
        c = (self.px(cx), self.px(cy))
        r = self.px(r_mm)
        col = tuple(int(v) for v in np.clip(np.array(INK_RED) + rng.integers(-15, 15, 3), 0, 255))
        cv2.circle(a, c, r, col, max(2, self.px(0.9)), cv2.LINE_AA)
        cv2.circle(a, c, int(r * 0.72), col, max(1, self.px(0.4)), cv2.LINE_AA)
        for k in range(36):  # the ring's lettering, as short strokes
            ang = 2 * math.pi * k / 36 + rng.uniform(-0.03, 0.03)
            p0 = (int(c[0] + 0.8 * r * math.cos(ang)), int(c[1] + 0.8 * r * math.sin(ang)))
            p1 = (int(c[0] + 0.93 * r * math.cos(ang)), int(c[1] + 0.93 * r * math.sin(ang)))
            cv2.line(a, p0, p1, col, max(1, self.px(0.5)), cv2.LINE_AA)
        star = [(c[0] + 0.3 * r * math.cos(-math.pi / 2 + k * 4 * math.pi / 5),
                 c[1] + 0.3 * r * math.sin(-math.pi / 2 + k * 4 * math.pi / 5)) for k in range(5)]
        cv2.fillPoly(a, [np.array(star, np.int32)], col)
        self.signature(rng, cx + r_mm * 0.3, cy - r_mm * 0.1, 30.0)
        self.red = True

    def signature(self, rng: np.random.Generator, cx: float, cy: float, w_mm: float,
                  color: tuple[int, int, int] = INK_BLUE) -> None:
        a = self.arr()
        t = np.linspace(0, 1, 60)
        x = cx - w_mm / 2 + w_mm * t
        y = cy + 3 * np.sin(t * rng.uniform(8, 18) + rng.uniform(0, 6)) * np.exp(-t) + rng.normal(0, 0.3, 60)
        pts = np.stack([x * self.s, y * self.s], 1).astype(np.int32)
        cv2.polylines(a, [pts], False, color, max(1, self.px(0.35)), cv2.LINE_AA)

    def emblem(self, cx: float, cy: float, r_mm: float) -> None:
        """The national emblem, simplified: a red disc with a yellow star and a gold rim."""
        a = self.arr()
        c, r = (self.px(cx), self.px(cy)), self.px(r_mm)
        cv2.circle(a, c, r, (215, 170, 40), -1, cv2.LINE_AA)
        cv2.circle(a, c, int(r * 0.78), (200, 30, 35), -1, cv2.LINE_AA)
        star = [(c[0] + 0.5 * r * math.cos(-math.pi / 2 + k * 4 * math.pi / 5),
                 c[1] + 0.5 * r * math.sin(-math.pi / 2 + k * 4 * math.pi / 5)) for k in range(5)]
        cv2.fillPoly(a, [np.array(star, np.int32)], (250, 215, 40))


def _header(sh: Sheet, rng: np.random.Generator, y: float, pt: float = 12.5) -> float:
    """The state heading every administrative paper carries (agency left, motto right)."""
    w = sh.w_mm
    left = w * 0.27
    sh.text(left, y, str(rng.choice(AGENCIES)), pt * 0.9, "b", align="c")
    sh.text(left, y + pt * 0.5, str(rng.choice(PLACES)).upper(), pt * 0.9, "b", align="c")
    sh.text(w * 0.66, y, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", pt * 0.9, "b", align="c")
    sh.text(w * 0.66, y + pt * 0.5, "Độc lập - Tự do - Hạnh phúc", pt, "b", align="c")
    sh.rule(w * 0.66 - 22, y + pt * 0.95, w * 0.66 + 22, y + pt * 0.95, 0.2)
    return y + pt * 1.4


# --------------------------------------------------------------------------- documents
# Each returns (Sheet, paper RGB, age): the ink is multiplied onto the paper at the end, so ink on a
# tinted page takes its tint as real ink does.


def doc_form(rng: np.random.Generator, s: float) -> tuple[Sheet, tuple[float, float, float], float]:
    """A hand-filled declaration (tờ khai): printed labels, dotted lines, blue handwriting."""
    sh = Sheet(210, 297, s)
    y = _header(sh, rng, 12)
    sh.text(105, y + 4, str(rng.choice(TITLES_FORM)), 15, "b", align="c")
    sh.text(105, y + 11, f"Kính gửi: Ủy ban nhân dân {rng.choice(PLACES)}", 12.5, "i", align="c")
    y += 22
    for k in range(int(rng.integers(9, 15))):
        lab = f"{k + 1}. {rng.choice(LABELS)}"
        wl = sh.text(20, y, lab, 12.5)
        sh.rule(22 + wl, y + 4.6, 190, y + 4.6, 0.2, dotted=True)
        if rng.random() < 0.85:
            val = _name(rng) if "tên" in lab else " ".join(str(rng.choice(WORDS)) for _ in range(rng.integers(2, 6)))
            sh.hand(rng, 24 + wl + rng.uniform(0, 6), y - 1.2, val, 13.5)
        y += rng.uniform(8.0, 9.5)
    y += 4
    y = sh.paragraph(rng, 20, y, 170, int(rng.integers(2, 5)), 12.5)
    y += 6
    sh.text(150, y, f"{rng.choice(PROVINCES)}, ngày {rng.integers(1, 29)} tháng {rng.integers(1, 13)} năm 2026",
            12, "i", align="c")
    sh.text(150, y + 6, "NGƯỜI KÊ KHAI", 12.5, "b", align="c")
    sh.signature(rng, 150, y + 20, 32)
    sh.hand(rng, 132, y + 30, _name(rng), 13)
    return sh, (250, 250, 247), 0.0


def doc_certificate(rng: np.random.Generator, s: float) -> tuple[Sheet, tuple[float, float, float], float]:
    """A birth or marriage certificate extract: an ornamental double border, the emblem, a seal."""
    sh = Sheet(210, 297, s)
    a = sh.arr()
    col = (150, 110, 40) if rng.random() < 0.5 else (40, 90, 140)
    sh.box(8, 8, 202, 289, 0.8, col)
    sh.box(11, 11, 199, 286, 0.3, col)
    step = 6.0
    for k in range(int(194 / step)):  # a running chain of small diamonds between the two rules
        for (x, y) in ((12 + k * step, 9.6), (12 + k * step, 287.4)):
            d = np.array([[x, y - 1.2], [x + 1.2, y], [x, y + 1.2], [x - 1.2, y]]) * s
            cv2.fillPoly(a, [d.astype(np.int32)], col, cv2.LINE_AA)
    for k in range(int(277 / step)):
        for (x, y) in ((9.6, 12 + k * step), (200.4, 12 + k * step)):
            cv2.circle(a, (sh.px(x), sh.px(y)), max(1, sh.px(0.9)), col, -1, cv2.LINE_AA)
    sh.emblem(105, 30, 10)
    sh.text(105, 44, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 13, "b", align="c")
    sh.text(105, 50, "Độc lập - Tự do - Hạnh phúc", 13, "b", align="c")
    title = "TRÍCH LỤC KHAI SINH" if rng.random() < 0.5 else "GIẤY CHỨNG NHẬN KẾT HÔN"
    sh.text(105, 62, title, 18, "b", color=(170, 30, 35) if rng.random() < 0.5 else INK_BLACK, align="c")
    sh.text(105, 71, f"Số: {rng.integers(10, 999)}/TLKS-BS", 12, "i", align="c")
    y = 84.0
    for _ in range(int(rng.integers(8, 12))):
        wl = sh.text(22, y, str(rng.choice(LABELS)), 13)
        sh.text(26 + wl, y, _name(rng) if rng.random() < 0.4 else " ".join(
            str(rng.choice(WORDS)) for _ in range(rng.integers(2, 5))), 13, "b")
        y += 10
    sh.text(145, 235, "TM. ỦY BAN NHÂN DÂN", 12.5, "b", align="c")
    sh.text(145, 241, "CHỦ TỊCH", 12.5, "b", align="c")
    sh.seal(rng, 138, 258, 17)
    sh.text(145, 275, _name(rng), 13, "b", align="c")
    return sh, (248, 246, 238), float(rng.uniform(0, 0.6))


def doc_landuse(rng: np.random.Generator, s: float) -> tuple[Sheet, tuple[float, float, float], float]:
    """One page of a land-use certificate (sổ hồng): pink paper, a printed guilloche band, a seal."""
    sh = Sheet(190, 265, s)
    a = sh.arr()
    xs = np.linspace(0, 190, 240)
    for k in range(26):  # a wavy security band at the top, drawn as thin sines
        ys = 14 + k * 0.45 + 2.5 * np.sin(xs / 6 + k * 0.4)
        pts = np.stack([xs * s, ys * s], 1).astype(np.int32)
        cv2.polylines(a, [pts], False, (215, 120, 140), 1, cv2.LINE_AA)
    sh.emblem(95, 38, 9)
    sh.text(95, 51, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12.5, "b", align="c")
    sh.text(95, 57, "Độc lập - Tự do - Hạnh phúc", 12.5, "b", align="c")
    sh.text(95, 70, "GIẤY CHỨNG NHẬN", 17, "b", color=(185, 30, 40), align="c")
    sh.text(95, 78, "QUYỀN SỬ DỤNG ĐẤT, QUYỀN SỞ HỮU TÀI SẢN GẮN LIỀN VỚI ĐẤT", 11, "b", align="c")
    y = 92.0
    sh.text(18, y, "I. Người sử dụng đất, chủ sở hữu tài sản gắn liền với đất", 12.5, "b")
    y += 8
    for _ in range(3):
        sh.text(24, y, f"{rng.choice(('Ông', 'Bà'))}: {_name(rng)}, năm sinh {rng.integers(1950, 2000)}", 12.5)
        y += 7
    sh.text(18, y + 2, "II. Thửa đất, nhà ở và tài sản khác gắn liền với đất", 12.5, "b")
    y += 10
    for lab in ("a) Thửa đất số:", "b) Tờ bản đồ số:", "c) Địa chỉ:", "d) Diện tích:", "đ) Hình thức sử dụng:",
                "e) Mục đích sử dụng:", "g) Thời hạn sử dụng:", "h) Nguồn gốc sử dụng:"):
        wl = sh.text(24, y, lab, 12.5)
        sh.text(27 + wl, y, " ".join(str(rng.choice(WORDS)) for _ in range(rng.integers(2, 5))), 12.5)
        y += 7
    sh.seal(rng, 130, 228, 16)
    sh.text(130, 248, _name(rng), 12.5, "b", align="c")
    return sh, (246, 222, 226), float(rng.uniform(0, 0.3))


def doc_letter(rng: np.random.Generator, s: float) -> tuple[Sheet, tuple[float, float, float], float]:
    """A letter with a coloured letterhead band and a logo, body paragraphs, a signature."""
    sh = Sheet(210, 297, s)
    col = tuple(int(v) for v in rng.integers(20, 160, 3))
    sh.box(0, 0, 210, 4, 0, fill=col)
    a = sh.arr()
    cv2.circle(a, (sh.px(26), sh.px(20)), sh.px(9), col, -1, cv2.LINE_AA)
    sh.text(40, 13, str(rng.choice(AGENCIES)) + " " + str(rng.choice(PROVINCES)).upper(), 13, "b", color=col)
    sh.text(40, 20, f"Địa chỉ: số {rng.integers(1, 300)} đường {rng.choice(GIVEN)} {rng.choice(GIVEN)}, "
                    f"{rng.choice(PLACES)} - ĐT: 0{rng.integers(200, 299)} {rng.integers(1000000, 9999999)}", 10)
    sh.rule(15, 28, 195, 28, 0.4, col)
    y = 40.0
    sh.text(195, y, f"{rng.choice(PROVINCES)}, ngày {rng.integers(1, 29)} tháng {rng.integers(1, 13)} năm 2026",
            12, "i", align="r")
    y += 12
    sh.text(25, y, f"Kính gửi: {rng.choice(AGENCIES).title()} {rng.choice(PLACES)}", 13, "b")
    y += 12
    for _ in range(int(rng.integers(3, 6))):
        y = sh.paragraph(rng, 25, y, 162, int(rng.integers(3, 7)), 12.5) + 3
    sh.text(150, y + 6, "Trân trọng,", 12.5, "i", align="c")
    sh.signature(rng, 150, y + 20, 35)
    sh.text(150, y + 30, _name(rng), 12.5, "b", align="c")
    return sh, (252, 252, 250), 0.0


def doc_notice(rng: np.random.Generator, s: float) -> tuple[Sheet, tuple[float, float, float], float]:
    """A multi-column notice (thông báo) with a boxed heading and a small table."""
    sh = Sheet(210, 297, s)
    y = _header(sh, rng, 10)
    sh.box(30, y + 2, 180, y + 16, 0.5)
    sh.text(105, y + 4.5, "THÔNG BÁO", 17, "b", align="c")
    y += 24
    ncol = int(rng.integers(2, 4))
    gap = 7.0
    cw = (180 - gap * (ncol - 1)) / ncol
    n_lines = int(rng.integers(20, 32))
    for c in range(ncol):
        x = 15 + c * (cw + gap)
        sh.text(x, y, f"{c + 1}. {rng.choice(WORDS).capitalize()} {rng.choice(WORDS)}", 11.5, "b")
        sh.paragraph(rng, x, y + 6, cw, n_lines - int(rng.integers(0, 6)), 10.5, lead=1.4, indent=4)
    y += n_lines * 10.5 * 0.3528 * 1.4 + 14
    rows = 5
    for r in range(rows + 1):
        sh.rule(15, y + r * 7, 195, y + r * 7, 0.25)
    for x in (15, 30, 110, 150, 195):
        sh.rule(x, y, x, y + rows * 7, 0.25)
    for r in range(rows):
        sh.text(22, y + r * 7 + 1.2, str(r + 1), 10.5, align="c", count=False)
        sh.text(33, y + r * 7 + 1.2, " ".join(str(rng.choice(WORDS)) for _ in range(3)), 10.5)
    return sh, (250, 250, 250), 0.0


def doc_household(rng: np.random.Generator, s: float) -> tuple[Sheet, tuple[float, float, float], float]:
    """A household paper (thông tin thành viên hộ): a ruled table of members, photocopied on aged paper."""
    sh = Sheet(210, 297, s)
    y = _header(sh, rng, 12)
    sh.text(105, y + 5, "XÁC NHẬN THÔNG TIN VỀ CƯ TRÚ", 15, "b", align="c")
    y += 18
    y = sh.paragraph(rng, 18, y, 174, 3, 12.5)
    y += 4
    cols = (18, 28, 80, 108, 125, 160, 192)
    heads = ("TT", "Họ và tên", "Ngày sinh", "Giới", "Số định danh", "Quan hệ")
    sh.box(18, y, 192, y + 9, 0.3, fill=(225, 225, 225))
    for x, hd in zip(cols[:-1], heads, strict=False):
        sh.text(x + 1.5, y + 2, hd, 11, "b", count=False)
    rows = int(rng.integers(4, 9))
    for r in range(rows + 1):
        sh.rule(18, y + 9 + r * 9, 192, y + 9 + r * 9, 0.3)
    for x in cols:
        sh.rule(x, y, x, y + 9 + rows * 9, 0.3)
    for r in range(rows):
        yy = y + 9 + r * 9 + 2
        born = f"{rng.integers(1, 29):02d}/{rng.integers(1, 13):02d}/{rng.integers(1950, 2024)}"
        vals = (str(r + 1), _name(rng), born,
                str(rng.choice(("Nam", "Nữ"))), f"0{rng.integers(10, 96)}{rng.integers(10**7, 10**8)}",
                str(rng.choice(("Chủ hộ", "Vợ", "Chồng", "Con", "Mẹ", "Cháu"))))
        for x, v in zip(cols[:-1], vals, strict=False):
            sh.text(x + 1.5, yy, v, 11)
        sh.lines += 1
    y += 9 + rows * 9 + 8
    y = sh.paragraph(rng, 18, y, 174, int(rng.integers(2, 5)), 12.5)
    sh.seal(rng, 145, y + 24, 17)
    return sh, (244, 240, 226), float(rng.uniform(0.3, 1.0))


def doc_slip_a5(rng: np.random.Generator, s: float) -> tuple[Sheet, tuple[float, float, float], float]:
    """Mẫu 01 on A5: receipt of a dossier and the appointment to return the result."""
    sh = Sheet(148, 210, s)
    a = sh.arr()
    q = sh.px(18)
    cells = rng.random((21, 21)) < 0.5  # a QR-like block top-left, as the decree places it
    cells[:7, :7] = cells[:7, -7:] = cells[-7:, :7] = False
    big = cv2.resize((~cells).astype(np.uint8) * 255, (q, q), interpolation=cv2.INTER_NEAREST)
    a[sh.px(8):sh.px(8) + q, sh.px(8):sh.px(8) + q] = big[:, :, None]
    for (r0, c0) in ((0, 0), (0, 14), (14, 0)):
        x0, y0 = sh.px(8) + c0 * q // 21, sh.px(8) + r0 * q // 21
        cv2.rectangle(a, (x0, y0), (x0 + 7 * q // 21, y0 + 7 * q // 21), (0, 0, 0), max(1, q // 21))
    sh.text(88, 9, "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ", 9.5, "b", align="c")
    sh.text(88, 14, str(rng.choice(PLACES)).upper(), 9.5, "b", align="c")
    sh.text(74, 32, "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", 12, "b", align="c")
    sh.text(74, 38, f"Mã hồ sơ: H{rng.integers(10, 99)}.{rng.integers(10, 99)}.{rng.integers(10, 99)}-"
                    f"2612{rng.integers(10, 28)}-{rng.integers(1, 9999):04d}", 10.5, "b", align="c")
    y = 47.0
    for lab in ("Tiếp nhận hồ sơ của:", "Địa chỉ:", "Số điện thoại:", "Nội dung yêu cầu giải quyết:"):
        wl = sh.text(10, y, lab, 10.5)
        sh.text(12 + wl, y, _name(rng) if "của" in lab else " ".join(str(rng.choice(WORDS)) for _ in range(3)), 10.5)
        y += 6
    for k in range(int(rng.integers(3, 6))):
        sh.text(14, y, f"{k + 1}. {_sentence(rng, 4)}", 10.5)
        y += 5.5
    sh.text(10, y + 2, f"Thời gian trả kết quả: {rng.integers(7, 17)} giờ 00 phút, ngày {rng.integers(1, 29)} "
                       f"tháng {rng.integers(1, 13)} năm 2026", 10.5, "i")
    sh.text(40, y + 12, "NGƯỜI NỘP HỒ SƠ", 10, "b", align="c")
    sh.text(108, y + 12, "NGƯỜI TIẾP NHẬN HỒ SƠ", 10, "b", align="c")
    sh.signature(rng, 40, y + 24, 22)
    sh.signature(rng, 108, y + 24, 22, INK_BLACK)
    return sh, (251, 251, 249), 0.0


def doc_appointment_a6(rng: np.random.Generator, s: float) -> tuple[Sheet, tuple[float, float, float], float]:
    """An A6 appointment slip (phiếu hẹn), often on coloured paper."""
    sh = Sheet(105, 148, s)
    sh.text(52, 8, str(rng.choice(AGENCIES)), 9, "b", align="c")
    sh.text(52, 20, "PHIẾU HẸN", 15, "b", align="c")
    y = 32.0
    for lab in ("Họ tên:", "Số hồ sơ:", "Thủ tục:", "Ngày hẹn trả:", "Quầy số:"):
        wl = sh.text(8, y, lab, 10.5)
        sh.rule(10 + wl, y + 4, 97, y + 4, 0.2, dotted=True)
        sh.hand(rng, 11 + wl, y - 1, _name(rng) if "tên" in lab else str(rng.choice(WORDS)), 11.5)
        y += 9
    sh.paragraph(rng, 8, y + 2, 89, 3, 9.5, indent=0)
    tint = ((250, 250, 250), (250, 238, 200), (222, 238, 250), (232, 248, 222))[int(rng.integers(0, 4))]
    return sh, tint, 0.0


def doc_receipt(rng: np.random.Generator, s: float) -> tuple[Sheet, tuple[float, float, float], float]:
    """A thermal receipt for fees (biên lai thu phí, lệ phí): 80 mm wide, grey print, long."""
    h = float(rng.uniform(140, 230))
    sh = Sheet(80, h, s)
    sh.text(40, 5, "BIÊN LAI THU PHÍ, LỆ PHÍ", 11, "b", INK_GREY, align="c")
    sh.text(40, 11, str(rng.choice(PLACES)), 9.5, "r", INK_GREY, align="c")
    y = 19.0
    while y < h - 30:
        sh.rule(4, y, 76, y, 0.15, INK_GREY, dotted=rng.random() < 0.5)
        y += 3
        for _ in range(int(rng.integers(2, 5))):
            sh.text(4, y, " ".join(str(rng.choice(WORDS)) for _ in range(2)), 9.5, "r", INK_GREY)
            sh.text(76, y, f"{rng.integers(1, 500) * 1000:,}đ".replace(",", "."), 9.5, "r", INK_GREY, align="r")
            y += 5
        y += 2
    sh.text(4, y, "TỔNG CỘNG", 11, "b", INK_GREY)
    sh.text(76, y, f"{rng.integers(50, 900) * 1000:,}đ".replace(",", "."), 11, "b", INK_GREY, align="r")
    sh.text(40, y + 8, "Cảm ơn quý khách", 9.5, "i", INK_GREY, align="c")
    return sh, (247, 247, 245), 0.0


def _guilloche(sh: Sheet, rng: np.random.Generator, col: tuple[int, int, int]) -> None:
    a = sh.arr()
    xs = np.linspace(0, sh.w_mm, 200)
    for k in range(40):
        ys = (k + 0.5) * sh.h_mm / 40 + 1.3 * np.sin(xs / rng.uniform(2.5, 4.0) + k)
        cv2.polylines(a, [np.stack([xs * sh.s, ys * sh.s], 1).astype(np.int32)], False, col, 1, cv2.LINE_AA)


def _photo(sh: Sheet, rng: np.random.Generator, x: float, y: float, w: float, h: float) -> None:
    a = sh.arr()
    sh.box(x, y, x + w, y + h, 0, fill=tuple(int(v) for v in rng.integers(190, 230, 3)))
    cx, cy = sh.px(x + w / 2), sh.px(y + h * 0.45)
    cv2.ellipse(a, (cx, sh.px(y + h * 0.92)), (sh.px(w * 0.48), sh.px(h * 0.3)), 0, 180, 360, (50, 50, 60), -1)
    cv2.ellipse(a, (cx, cy - sh.px(h * 0.08)), (sh.px(w * 0.3), sh.px(h * 0.27)), 0, 0, 360, (35, 30, 30), -1)
    cv2.ellipse(a, (cx, cy), (sh.px(w * 0.25), sh.px(h * 0.26)), 0, 0, 360, (200, 160, 130), -1)


Doc = tuple[Sheet, tuple[float, float, float], float]  # the ink, the paper's RGB tint, its age


def doc_card(rng: np.random.Generator, s: float, kind: str, side: str) -> Doc:
    """An ID-1 card (85.6 × 54 mm): chip CCCD, 2024 Căn cước, or a PET driving licence; front or back."""
    sh = Sheet(85.6, 53.98, s)
    if kind == "licence":
        _guilloche(sh, rng, (235, 200, 205))
        sh.emblem(9, 9, 5)
        sh.text(48, 3, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 6, "b", align="c")
        sh.text(48, 9, "GIẤY PHÉP LÁI XE / DRIVER'S LICENSE", 7.5, "b", (160, 30, 40), align="c")
        if side == "front":
            _photo(sh, rng, 4, 17, 20, 26)
            y = 17.0
            for lab in ("Số/No:", "Họ tên/Full name:", "Ngày sinh/DOB:", "Hạng/Class:", "Có giá trị đến:"):
                w = sh.text(27, y, lab, 6.5)
                sh.text(28 + w, y, _name(rng) if "name" in lab else str(rng.integers(10**5, 10**9)), 7, "b")
                y += 5.5
        else:
            for r in range(6):
                sh.rule(4, 16 + r * 5.5, 82, 16 + r * 5.5, 0.15)
                sh.text(6, 16.8 + r * 5.5, f"{('A1', 'A', 'B1', 'B', 'C1', 'C')[r]}  " + _sentence(rng, 3), 6.5)
        return sh, (238, 232, 240), 0.0
    can_cuoc = kind == "cancuoc"
    _guilloche(sh, rng, (200, 225, 235) if can_cuoc else (205, 230, 215))
    if side == "front":
        sh.emblem(10, 10, 6)
        sh.text(50, 3.5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 6.5, "b", align="c")
        sh.text(50, 7.5, "Độc lập - Tự do - Hạnh phúc", 6, "b", align="c")
        sh.text(50, 12, "CĂN CƯỚC" if can_cuoc else "CĂN CƯỚC CÔNG DÂN", 10, "b", (190, 30, 40), align="c")
        _photo(sh, rng, 3.5, 19, 20, 27)
        num = f"0{rng.integers(1, 96):02d}{rng.integers(0, 4)}{rng.integers(10, 99)}{rng.integers(0, 10**6):06d}"
        sh.text(27, 18, f"Số định danh cá nhân: {num}" if can_cuoc else f"Số: {num}", 7.5, "b")
        y = 24.0
        for lab in ("Họ, chữ đệm và tên:", "Ngày sinh:", "Giới tính:   Quốc tịch: Việt Nam"):
            sh.text(27, y, lab, 6)
            if "tên" in lab:
                sh.text(27, y + 3.5, _name(rng).upper(), 8, "b")
                y += 4
            y += 4.5
        if can_cuoc:
            a = sh.arr()
            cells = rng.random((21, 21)) < 0.5
            qr = cv2.resize((~cells).astype(np.uint8) * 255, (sh.px(13), sh.px(13)), interpolation=cv2.INTER_NEAREST)
            x0, y0 = sh.px(69), sh.px(17)
            a[y0:y0 + qr.shape[0], x0:x0 + qr.shape[1]] = qr[:, :, None]
    else:
        a = sh.arr()
        cx, cy = sh.px(8 if can_cuoc else 70), sh.px(12)
        cv2.rectangle(a, (cx - sh.px(5), cy - sh.px(4)), (cx + sh.px(5), cy + sh.px(4)), (205, 170, 80), -1)
        cv2.rectangle(a, (cx - sh.px(5), cy - sh.px(4)), (cx + sh.px(5), cy + sh.px(4)), (140, 110, 50), 1)
        for k in range(2):
            cv2.ellipse(a, (sh.px(12 + k * 12), sh.px(24)), (sh.px(5), sh.px(6.5)), 0, 0, 360, (120, 120, 130), 1)
        sh.text(40 if can_cuoc else 5, 6, "Nơi cư trú:", 6)
        sh.text(40 if can_cuoc else 5, 9.5, f"{rng.choice(PLACES)}, {rng.choice(PROVINCES)}", 6.5)
        sh.text(45, 18, f"Ngày cấp: {rng.integers(1, 29)}/{rng.integers(1, 13)}/202{rng.integers(1, 6)}", 6.5)
        sh.text(45, 23, "BỘ CÔNG AN", 7, "b")
        nm = _name(rng).upper().replace(" ", "<")
        mrz = (f"IDVNM{rng.integers(10**8, 10**9)}<{rng.integers(10**11, 10**12)}<<{rng.integers(0, 10)}",
               f"{rng.integers(10**6, 10**7)}M{rng.integers(10**6, 10**7)}VNM<<<<<<<<<<<{rng.integers(0, 10)}",
               (nm + "<" * 30)[:30])
        for k, m in enumerate(mrz):
            sh.text(4, 37 + k * 5, m, 8.5, "r")
    return sh, (238, 244, 246), 0.0


def doc_passport(rng: np.random.Generator, s: float) -> tuple[Sheet, tuple[float, float, float], float]:
    """A passport data page (ID-3, 125 × 88 mm) with its two MRZ lines."""
    sh = Sheet(125, 88, s)
    _guilloche(sh, rng, (215, 225, 200))
    sh.text(62, 4, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 7.5, "b", align="c")
    sh.text(62, 9, "HỘ CHIẾU / PASSPORT", 9, "b", (60, 40, 130), align="c")
    _photo(sh, rng, 5, 16, 30, 40)
    y = 16.0
    for lab in ("Loại/Type: P   Mã số/Code: VNM", "Họ và tên/Full name:", "Quốc tịch/Nationality: VIỆT NAM",
                "Ngày sinh/Date of birth:", "Nơi sinh/Place of birth:", "Ngày cấp/Date of issue:"):
        sh.text(40, y, lab, 7)
        sh.text(42, y + 3.3, _name(rng).upper() if "name" in lab else str(rng.choice(PROVINCES)), 7.5, "b")
        y += 7.5
    nm = _name(rng).upper().replace(" ", "<")
    sh.text(4, 70, (f"P<VNM{nm}" + "<" * 44)[:44], 10)
    sh.text(4, 77, (f"C{rng.integers(10**6, 10**7)}<{rng.integers(0, 10)}VNM{rng.integers(10**6, 10**7)}F"
                    f"{rng.integers(10**6, 10**7)}" + "<" * 44)[:44], 10)
    return sh, (240, 242, 232), 0.0


def doc_blank(rng: np.random.Generator, s: float, variant: str) -> tuple[Sheet, tuple[float, float, float], float]:
    """An empty back (blank) or a page with very little on it that must be kept (near-blank)."""
    sh = Sheet(210, 297, s)
    a = sh.arr()
    if variant == "bleed":  # the back of a printed page: its text faintly through the paper, mirrored
        ghost = Sheet(210, 297, s)
        y = 30.0
        for _ in range(10):
            y = ghost.paragraph(rng, 20, y, 170, 2, 12.5) + 8
        g = ghost.arr()[:, ::-1].astype(np.float32)
        a[:] = (255 - (255 - g) * rng.uniform(0.05, 0.12)).astype(np.uint8)
    elif variant == "page_number":
        sh.text(105, 282, f"- {rng.integers(2, 30)} -", 11, align="c", count=False)
        sh.signature(rng, 160, 250, 28)
    elif variant == "note":  # a pencil tick and a short handwritten note
        sh.hand(rng, rng.uniform(20, 100), rng.uniform(40, 200), "Đã kiểm tra, đủ hồ sơ", 13, (95, 95, 100))
        sh.rule(150, 60, 154, 65, 0.4, (110, 110, 115))
        sh.rule(154, 65, 164, 50, 0.4, (110, 110, 115))
    return sh, (250, 250, 248), 0.0


def finish_doc(rng: np.random.Generator, doc: tuple[Sheet, tuple[float, float, float], float]) -> np.ndarray:
    """Ink × paper, as RGB uint8."""
    sh, tint, age = doc
    ink = sh.arr().astype(np.float32) / 255
    paper = _paper(rng, sh.h, sh.w, tint, sh.s, age)
    return np.clip(ink * paper, 0, 255).astype(np.uint8)


# --------------------------------------------------------------------------- on-page additions


def add_crease(rng: np.random.Generator, img: np.ndarray, s: float, folds: int) -> None:
    """Fold lines of a page folded in three or four and flattened: a thin dark valley with a light ridge."""
    h, w = img.shape[:2]
    f = img.astype(np.float32)
    for k in range(folds):
        y = int(h * (k + 1) / (folds + 1) + rng.normal(0, 2 * s))
        tilt = rng.normal(0, 0.004) * w
        prof = np.zeros((h, 1), np.float32)
        for dy, v in ((-1, 10), (0, -28), (1, -14), (2, 8)):
            yy = min(max(y + dy, 0), h - 1)
            prof[yy] = v
        prof = cv2.GaussianBlur(prof, (1, 0), 0.8 + 0.2 * s / 6)
        shift = np.linspace(0, tilt, w).astype(np.int32)
        for x0 in range(0, w, 64):  # a slightly slanted crease, in strips
            seg = np.roll(prof, int(shift[x0]), axis=0)
            f[:, x0:x0 + 64] += seg[:, :, None] if f.ndim == 3 else seg
    np.clip(f, 0, 255, out=f)
    img[:] = f.astype(np.uint8)


def add_sticky(rng: np.random.Generator, img: np.ndarray, s: float) -> None:
    """A yellow sticky note with a handwritten line, fully on the page (lower right area)."""
    h, w = img.shape[:2]
    sw, shh = int(60 * s), int(55 * s)
    x0 = int(rng.uniform(0.45, 0.62) * w)
    y0 = int(rng.uniform(0.55, 0.72) * h)
    x1, y1 = min(w - 2, x0 + sw), min(h - 2, y0 + shh)
    note = Sheet((x1 - x0) / s, (y1 - y0) / s, s)
    note.hand(rng, 4, 8, "Bổ sung bản sao", 13)
    note.hand(rng, 4, 17, f"hẹn {rng.integers(1, 29)}/{rng.integers(1, 13)}", 13)
    ink = note.arr().astype(np.float32) / 255
    col = np.array((250, 236, 120), np.float32)
    region = ink * col
    cv2.rectangle(img, (x0 + 3, y0 + 3), (x1 + 3, y1 + 3), (150, 150, 140), -1)  # its shadow
    img[y0:y1, x0:x1] = np.clip(region[: y1 - y0, : x1 - x0], 0, 255).astype(np.uint8)


def add_clip_and_staple(rng: np.random.Generator, img: np.ndarray, s: float, clip: bool, staple: bool) -> None:
    """A paper clip (inside the page, near the top edge) and/or a staple at the top-left corner."""
    if clip:
        x = int(rng.uniform(0.3, 0.7) * img.shape[1])
        t = max(1, int(0.7 * s))
        for (a, b) in (((0, 1), (0, 28)), ((6, 1), (6, 22)), ((3, 5), (3, 18))):
            cv2.line(img, (x + int(a[0] * s), int(a[1] * s)), (x + int(b[0] * s), int(b[1] * s)), (120, 125, 130), t,
                     cv2.LINE_AA)
        cv2.ellipse(img, (x + int(3 * s), int(28 * s)), (int(3 * s), int(3 * s)), 0, 0, 180, (120, 125, 130), t)
    if staple:
        p0 = (int(8 * s), int(14 * s))
        p1 = (int(20 * s), int(6 * s))
        cv2.line(img, p0, p1, (90, 92, 98), max(1, int(0.6 * s)), cv2.LINE_AA)


def dog_ear(img: np.ndarray, s: float, size_mm: float, corner: int) -> np.ndarray:
    """A folded corner: the triangle turned over (its back, greyer, drawn over the page) and the
    triangle it leaves uncovered; returns a mask (255 = paper still there) used when placing."""
    h, w = img.shape[:2]
    d = int(size_mm * s)
    mask = np.full((h, w), 255, np.uint8)
    cx, cy = (w - 1, h - 1) if corner == 2 else (w - 1, 0)
    sx, sy = (-1, -1) if corner == 2 else (-1, 1)
    gone = np.array([[cx, cy], [cx + sx * d, cy], [cx, cy + sy * d]], np.int32)
    back = np.array([[cx + sx * d, cy + sy * d], [cx + sx * d, cy], [cx, cy + sy * d]], np.int32)
    cv2.fillPoly(mask, [gone], 0)
    cv2.fillPoly(img, [back], (218, 216, 210))
    cv2.polylines(img, [back], True, (170, 168, 165), 1, cv2.LINE_AA)
    return mask


# --------------------------------------------------------------------------- backgrounds


def bg_lid(rng: np.random.Generator, h: int, w: int, grey: bool) -> np.ndarray:
    """A closed scanner lid: white foam or grey plastic, faint smooth shading, sensor noise."""
    level = rng.uniform(196, 222) if grey else rng.uniform(236, 250)
    b = np.full((h, w, 3), level, np.float32)
    b += _field(rng, h, w, max(h, w) / 3)[:, :, None] * 3
    b += _gauss(rng, h, w, 1.5)
    return b


def bg_open(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """Lid open: the room above the glass, near black, a little ambient glow from one side."""
    b = np.full((h, w, 3), rng.uniform(8, 30), np.float32)
    ramp = np.linspace(0, 1, w if rng.random() < 0.5 else h, dtype=np.float32) ** 2 * rng.uniform(0, 25)
    b += (ramp[None, :, None] if ramp.size == w else ramp[:, None, None])
    b += _gauss(rng, h, w, 3)
    return b


def bg_wood(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """A wooden desk (veneer): narrow dark latewood lines that wander slowly, fine pore streaks
    along the grain, brown tones; the grain runs along one side of the photo."""
    hh, wh = -(-h // 2), -(-w // 2)  # smooth except across the grain: made at half size
    yy, xx = np.mgrid[0:hh, 0:wh].astype(np.float32)
    across = xx if rng.random() < 0.5 else yy
    phase = across + _field(rng, hh, wh, max(hh, wh) / 3) * rng.uniform(8, 25)
    period = rng.uniform(0.01, 0.03) * max(hh, wh)
    rings = np.abs(np.sin(phase * np.pi / period)) ** 4  # late wood: thin dark lines
    fine = rng.standard_normal(int(max(hh, wh) * 1.5) + 64).astype(np.float32)
    fine = cv2.GaussianBlur(fine.reshape(1, -1), (0, 0), 0.8).ravel()
    pores = fine[np.clip((phase + 32).astype(np.int32), 0, fine.size - 1)]
    g = 0.85 + 0.1 * (1 - rings) + 0.03 * pores
    g = cv2.resize(g, (w, h), interpolation=cv2.INTER_LINEAR)
    base = np.array([rng.uniform(60, 110), rng.uniform(100, 150), rng.uniform(150, 200)], np.float32)  # BGR
    return base * g[:, :, None] + _gauss(rng, h, w, 3)


def bg_cloth(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """A checked tablecloth (gingham) with a fine weave."""
    xx, yy = np.arange(w, dtype=np.float32)[None, :], np.arange(h, dtype=np.float32)[:, None]
    p = rng.uniform(0.03, 0.07) * max(h, w)
    a = (np.sin(xx * 2 * np.pi / p) > 0).astype(np.float32)
    b = (np.sin(yy * 2 * np.pi / p) > 0).astype(np.float32)
    col = np.array(rng.choice([(60, 60, 190), (170, 90, 40), (60, 130, 60), (40, 40, 40)]), np.float32)
    white = np.array([235, 235, 235], np.float32)
    t = (a + b)[:, :, None] / 2
    img = white * (1 - t) + col * t
    weave = (np.sin(xx * 2.1) * np.sin(yy * 2.1))[:, :, None] * 8
    return img + weave + _gauss(rng, h, w, 3)


def bg_mat(rng: np.random.Generator, h: int, w: int, px_mm: float) -> np.ndarray:
    """A pale desk mat under a document camera: a cutting mat with a 10 mm grid, or pale felt."""
    base = np.array(rng.choice([(200, 215, 190), (205, 205, 200), (215, 210, 225)]), np.float32)
    img = np.empty((h, w, 3), np.float32)
    img[:] = base
    img += _field(rng, h, w, max(h, w) / 4)[:, :, None] * 4
    if rng.random() < 0.6:
        step = 10 * px_mm
        g = img
        for k in range(int(w / step) + 1):
            x = int(k * step)
            cv2.line(g, (x, 0), (x, h - 1), tuple(float(v) for v in base * 0.8), 1)
        for k in range(int(h / step) + 1):
            y = int(k * step)
            cv2.line(g, (0, y), (w - 1, y), tuple(float(v) for v in base * 0.8), 1)
    return img + _gauss(rng, h, w, 2)


def bg_dark(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """A dark laminate desk with speckle."""
    b = np.full((h, w, 3), rng.uniform(30, 60), np.float32)
    b[:, :, 0] += rng.uniform(0, 12)
    b += _field(rng, h, w, 8)[:, :, None] * 6
    return b + _gauss(rng, h, w, 4)


def add_clutter(rng: np.random.Generator, bg: np.ndarray, keep_out: np.ndarray) -> None:
    """Things on a desk: pens, a phone, a mug ring, a keyboard edge (never over the page's area)."""
    h, w = bg.shape[:2]
    free = cv2.dilate(keep_out, np.ones((9, 9), np.uint8)) == 0
    for _ in range(int(rng.integers(3, 7))):
        layer = np.zeros((h, w), np.uint8)
        kind = rng.integers(0, 4)
        col = tuple(float(v) for v in rng.integers(10, 230, 3))
        cx, cy = int(rng.uniform(0, w)), int(rng.uniform(0, h))
        if kind == 0:  # pen
            ang = rng.uniform(0, np.pi)
            L = rng.uniform(0.15, 0.3) * max(h, w)
            p0 = (int(cx - L / 2 * math.cos(ang)), int(cy - L / 2 * math.sin(ang)))
            p1 = (int(cx + L / 2 * math.cos(ang)), int(cy + L / 2 * math.sin(ang)))
            cv2.line(layer, p0, p1, 255, max(3, int(0.012 * max(h, w))), cv2.LINE_AA)
        elif kind == 1:  # phone
            r = cv2.boxPoints(((cx, cy), (0.08 * max(h, w), 0.16 * max(h, w)), rng.uniform(0, 180)))
            cv2.fillPoly(layer, [r.astype(np.int32)], 255)
            col = (20.0, 20.0, 22.0)
        elif kind == 2:  # mug ring
            cv2.circle(layer, (cx, cy), int(0.05 * max(h, w)), 255, max(3, int(0.01 * max(h, w))), cv2.LINE_AA)
        else:  # keyboard edge at a frame side
            side = int(rng.integers(0, 2))
            r = cv2.boxPoints(((cx, h - 1 if side else 0), (0.6 * w, 0.12 * h), rng.uniform(-8, 8)))
            cv2.fillPoly(layer, [r.astype(np.int32)], 255)
            col = (45.0, 45.0, 48.0)
        m = (layer.astype(np.float32) / 255) * free
        bg *= 1 - m[:, :, None]
        bg += m[:, :, None] * np.array(col, np.float32)


# --------------------------------------------------------------------------- placement and capture


def corners_at(cx: float, cy: float, w: float, h: float, phi_deg: float) -> np.ndarray:
    """Frame positions of a w × h document's corners (its own TL, TR, BR, BL, pixel edges), centred at
    (cx, cy) and turned counter-clockwise on screen by ``phi_deg`` (y points down)."""
    p = math.radians(phi_deg)
    c, s = math.cos(p), math.sin(p)
    out = []
    for x, y in ((-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)):
        out.append((cx + x * c + y * s, cy - x * s + y * c))
    return np.array(out, np.float64)


def place(frame: np.ndarray, doc: np.ndarray, corners: np.ndarray, mask: np.ndarray | None = None,
          shade: np.ndarray | None = None) -> None:
    """Warp the document (RGB uint8) onto the frame (float BGR) so its corner pixel edges land on
    ``corners``; edges anti-aliased through a warped coverage mask."""
    h, w = doc.shape[:2]
    src = np.array([[-0.5, -0.5], [w - 0.5, -0.5], [w - 0.5, h - 0.5], [-0.5, h - 0.5]], np.float32)
    H = cv2.getPerspectiveTransform(src, corners.astype(np.float32))
    fh, fw = frame.shape[:2]
    x0, y0 = np.floor(corners.min(0)).astype(int) - 2
    x1, y1 = np.ceil(corners.max(0)).astype(int) + 2
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(fw, x1), min(fh, y1)
    if x1 <= x0 or y1 <= y0:
        return
    T = np.array([[1, 0, -x0], [0, 1, -y0], [0, 0, 1]], np.float64) @ H
    bgr = cv2.cvtColor(doc, cv2.COLOR_RGB2BGR)
    warped = cv2.warpPerspective(bgr, T, (x1 - x0, y1 - y0), flags=cv2.INTER_AREA if False else cv2.INTER_LINEAR,
                                 borderMode=cv2.BORDER_REPLICATE).astype(np.float32)
    # Coverage: a supersampled mask of the document's own area (so edges blend like a real sensor).
    m = np.full((h, w), 255, np.uint8) if mask is None else mask
    cov = cv2.warpPerspective(m, T, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                              borderValue=0).astype(np.float32) / 255
    # The pixel-edge corners mean a pixel half inside is half covered; the mask warp is point-sampled,
    # so blur it by a third of a pixel to get that right.
    cov = cv2.GaussianBlur(cov, (3, 3), 0.45)[:, :, None]
    if shade is not None:
        warped *= shade[y0:y1, x0:x1, None]
    roi = frame[y0:y1, x0:x1]
    roi *= 1 - cov
    roi += warped * cov


def edge_shadow(frame: np.ndarray, corners: np.ndarray, px: float, strength: float, dx: float, dy: float) -> None:
    """The thin shadow a sheet's edge casts on a lid under the scanner lamp (offset toward one side)."""
    fh, fw = frame.shape[:2]
    pad = int(abs(dx) + abs(dy) + 4 * max(0.8, px)) + 2
    x0, y0 = np.maximum(np.floor(corners.min(0)).astype(int) - pad, 0)
    x1, y1 = np.minimum(np.ceil(corners.max(0)).astype(int) + pad, [fw, fh])
    if x1 <= x0 or y1 <= y0:
        return
    off = np.array([x0, y0])
    m = np.zeros((y1 - y0, x1 - x0), np.float32)
    cv2.fillPoly(m, [np.round(corners + np.array([dx, dy]) - off).astype(np.int32)], 1.0)
    m = cv2.GaussianBlur(m, (0, 0), max(0.8, px))
    inside = np.zeros_like(m)
    cv2.fillPoly(inside, [np.round(corners - off).astype(np.int32)], 1.0)
    frame[y0:y1, x0:x1] *= (1 - strength * m * (1 - inside))[:, :, None]


def finish_scan(rng: np.random.Generator, frame: np.ndarray, s: float) -> np.ndarray:
    """A flatbed/ADF sensor: slight optical blur, noise, and sometimes the scanner's own JPEG."""
    f = cv2.GaussianBlur(frame, (0, 0), 0.45 + 0.1 * rng.random())
    f += _gauss(rng, f.shape[0], f.shape[1], 1.4)
    out = np.clip(f, 0, 255, out=f).astype(np.uint8)
    if rng.random() < 0.5:
        q = int(rng.integers(80, 95))
        out = cv2.imdecode(cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, q])[1], cv2.IMREAD_COLOR)
    return out


def finish_photo(rng: np.random.Generator, frame: np.ndarray, *, flash: bool = False, low: bool = False,
                 blur: bool = False, barrel: float = 0.0, even: bool = False) -> tuple[np.ndarray, Any]:
    """A camera: light falloff and an uneven room light (or the even light of a visualiser), a flash
    hot-spot, motion blur, lens barrel distortion, sensor noise (strong in low light), JPEG.

    Returns the image and a function mapping undistorted frame points to the output's."""
    h, w = frame.shape[:2]
    # Light varies smoothly: computed on an 8× smaller grid and enlarged.
    q = 8
    hs, ws = -(-h // q), -(-w // q)
    yy, xx = np.mgrid[0:hs, 0:ws].astype(np.float32) * q
    r2 = ((xx - w / 2) ** 2 + (yy - h / 2) ** 2) / ((w / 2) ** 2 + (h / 2) ** 2)
    if even:
        light = 1.0 - 0.08 * r2
    else:
        gx, gy = rng.uniform(-0.25, 0.25, 2)
        light = (1.0 - rng.uniform(0.15, 0.35) * r2) * (1 + gx * (xx / w - 0.5) + gy * (yy / h - 0.5))
        if rng.random() < 0.4:  # the shadow of the phone and the hand holding it, soft-edged
            ang = rng.uniform(0, 2 * np.pi)
            d = (xx - w / 2) * math.cos(ang) + (yy - h / 2) * math.sin(ang)
            m = (d > rng.uniform(0.1, 0.35) * min(h, w)).astype(np.float32)
            m = cv2.GaussianBlur(m, (0, 0), 0.04 * max(h, w) / q)
            light = light * (1 - rng.uniform(0.2, 0.4) * m)
    add = np.zeros_like(light)
    if flash:
        fx, fy = rng.uniform(0.35, 0.65) * w, rng.uniform(0.3, 0.6) * h
        sg = rng.uniform(0.06, 0.12) * max(h, w)
        add = np.exp(-((xx - fx) ** 2 + (yy - fy) ** 2) / (2 * sg * sg)) * rng.uniform(90, 170)
    gain = rng.uniform(0.45, 0.65) if low else 1.0
    light = cv2.resize(light.astype(np.float32) * gain, (w, h), interpolation=cv2.INTER_LINEAR)
    add = cv2.resize(add.astype(np.float32) * gain, (w, h), interpolation=cv2.INTER_LINEAR)
    f = frame * light[:, :, None] + add[:, :, None]
    if blur:
        L = int(rng.integers(3, 8))
        k = np.zeros((L, L), np.float32)
        k[L // 2, :] = 1
        rot = cv2.getRotationMatrix2D((L / 2 - 0.5, L / 2 - 0.5), float(rng.uniform(0, 180)), 1)
        k = cv2.warpAffine(k, rot, (L, L))
        f = cv2.filter2D(f, -1, k / max(k.sum(), 1e-6))
    mapper = None
    if barrel:
        c = np.array([w / 2, h / 2])
        R = math.hypot(w / 2, h / 2)
        # Output pixel p shows the scene at c + (p - c)(1 + k |p - c|² / R²): barrel for k > 0.
        # The map is smooth: made on a 4× smaller grid and enlarged (error well under 0.01 px).
        gy, gx = np.mgrid[0:-(-h // 4) + 1, 0:-(-w // 4) + 1].astype(np.float32) * 4
        dx, dy = gx - w / 2, gy - h / 2
        fac = 1 + barrel * (dx * dx + dy * dy) / (R * R)
        mx, my = _grid_up(w / 2 + dx * fac, h, w), _grid_up(h / 2 + dy * fac, h, w)
        f = cv2.remap(f, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)

        def mapper(pts: np.ndarray) -> np.ndarray:
            out = []
            for qq in np.asarray(pts, np.float64):
                p = qq.copy()
                for _ in range(30):  # invert q = c + (p - c)(1 + k r²) by fixed-point iteration
                    d = p - c
                    p = c + (qq - c) / (1 + barrel * float(d @ d) / (R * R))
                out.append(p)
            return np.array(out)
    sigma = rng.uniform(7, 12) if low else rng.uniform(1.5, 3.5)
    f += _gauss(rng, h, w, sigma)
    if low:  # chroma noise too
        f += _gauss(rng, h, w, sigma * 0.5, 3)
    out = np.clip(f, 0, 255, out=f).astype(np.uint8)
    q = int(rng.integers(30, 55)) if low else int(rng.integers(60, 88))
    out = cv2.imdecode(cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, q])[1], cv2.IMREAD_COLOR)
    return out, mapper


def _grid_up(g: np.ndarray, h: int, w: int) -> np.ndarray:
    """Values on a grid of every 4th pixel, interpolated to every pixel (bilinear, exact on the grid)."""
    _gh, _gw = g.shape
    ys = np.arange(h, dtype=np.float32) / 4
    xs = np.arange(w, dtype=np.float32) / 4
    mx = np.tile(xs[None, :], (h, 1))
    my = np.tile(ys[:, None], (1, w))
    return cv2.remap(g.astype(np.float32), mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def add_fingers(rng: np.random.Generator, frame: np.ndarray, at: np.ndarray, size: float, n: int,
                toward: np.ndarray) -> None:
    """Fingertips or a thumb (skin-toned, rounded, side by side) centred at ``at`` and pointing
    toward ``toward``; ``size`` is a finger's length."""
    h, w = frame.shape[:2]
    skin = np.array((rng.uniform(120, 160), rng.uniform(150, 185), rng.uniform(190, 230)), np.float32)  # BGR
    d = np.asarray(toward, np.float64) - at
    d /= max(float(np.linalg.norm(d)), 1e-6)
    ang = math.degrees(math.atan2(d[1], d[0]))
    perp = np.array([-d[1], d[0]])
    for k in range(n):
        cx, cy = at + perp * (k - (n - 1) / 2) * size * 0.42 + d * rng.normal(0, 0.08) * size
        m = np.zeros((h, w), np.uint8)
        cv2.ellipse(m, (int(cx), int(cy)), (int(size * 0.5), int(size * 0.2)), ang + rng.normal(0, 6), 0, 360, 255,
                    -1, cv2.LINE_AA)
        cm = cv2.GaussianBlur(m, (0, 0), 1.5).astype(np.float32)[:, :, None] / 255
        tone = skin * (0.9 + 0.1 * _field(rng, h, w, size / 2)[:, :, None])
        frame *= 1 - cm
        frame += tone * cm


# --------------------------------------------------------------------------- truth


def _order_frame(q: np.ndarray) -> np.ndarray:
    """Start at the corner nearest the frame's top-left (smallest x + y), keep clockwise order."""
    q = np.asarray(q, np.float64)
    # Make sure the order is clockwise on screen (positive shoelace area with y down).
    area = 0.5 * float(np.sum(q[:, 0] * np.roll(q[:, 1], -1) - np.roll(q[:, 0], -1) * q[:, 1]))
    if area < 0:
        q = q[::-1]
    k = int(np.argmin(q[:, 0] + q[:, 1]))
    return np.roll(q, -k, axis=0)


def clip_to_frame(poly: np.ndarray, w: int, h: int) -> np.ndarray:
    """The convex polygon clipped to the frame (edges at -0.5 and size - 0.5)."""
    fr = np.array([[-0.5, -0.5], [w - 0.5, -0.5], [w - 0.5, h - 0.5], [-0.5, h - 0.5]], np.float32)
    hull = cv2.convexHull(np.asarray(poly, np.float32)).reshape(-1, 2)
    _, inter = cv2.intersectConvexConvex(hull, fr)
    if inter is None:
        return np.asarray(poly, np.float64)
    return inter.reshape(-1, 2).astype(np.float64)


def make_truth(name: str, cls: str, w: int, h: int, outline: np.ndarray, rotation: int, skew: float | None,
               *, text: bool, blank: bool = False, near_blank: bool = False, red: bool = False,
               full_frame: bool = False, doc_corners: np.ndarray | None = None, **extra: Any) -> dict[str, Any]:
    """A truth dict in the real set's format (see the module docstring)."""
    inside = bool(np.all(outline[:, 0] >= -0.5 - 1e-6) and np.all(outline[:, 0] <= w - 0.5 + 1e-6)
                  and np.all(outline[:, 1] >= -0.5 - 1e-6) and np.all(outline[:, 1] <= h - 0.5 + 1e-6))
    if full_frame:
        quad = np.array([[-0.5, -0.5], [w - 0.5, -0.5], [w - 0.5, h - 0.5], [-0.5, h - 0.5]])
    elif len(outline) == 4 and inside:
        quad = _order_frame(outline)
    else:
        poly = clip_to_frame(outline, w, h)
        quad = _order_frame(poly) if len(poly) == 4 else poly
    t = {"name": name, "class": cls, "size": [w, h], "quad": np.round(quad, 3).tolist(),
         "quad_doc": None if doc_corners is None else np.round(doc_corners, 3).tolist(),
         "runs_off": not inside and not full_frame,
         "rotation": int(rotation) % 360, "skew_deg": None if skew is None else round(float(skew), 4),
         "skew_scored": bool(skew is not None and text and cls == "flatbed"),
         "orientation_scored": bool(text and not blank), "has_text_lines": bool(text),
         "blank": bool(blank), "near_blank": bool(near_blank), "full_frame": bool(full_frame),
         "red_seal": bool(red), "two_page": False}
    t.update(extra)
    return t


# --------------------------------------------------------------------------- scenes

Scene = tuple[np.ndarray, int | None, dict]  # the frame, its DPI (None: a photo), its truth


def _tilt(rng: np.random.Generator, most: float) -> float:
    """A hand-placed sheet's tilt: mostly small, now and then up to ``most`` degrees, either way."""
    return float(rng.choice((-1, 1)) * most * rng.random() ** 1.6)


def _turn(rng: np.random.Generator, p: tuple[float, float, float, float]) -> int:
    return int(rng.choice((0, 90, 180, 270), p=np.array(p) / sum(p)))


def _scan_dpi(rng: np.random.Generator, dpi: int, exact: bool) -> int:
    """Counters scan at 150 to 300 dpi: here the base, or 4/3 of it (e.g. 150 → 200)."""
    return dpi if exact else round(dpi * (1.0 if rng.random() < 0.6 else 4 / 3))


def _crooked(ink: np.ndarray, deg: float) -> np.ndarray:
    """The print itself turned on the sheet (a photocopy of a crooked original), white outside."""
    h, w = ink.shape[:2]
    M = cv2.getRotationMatrix2D(((w - 1) / 2, (h - 1) / 2), deg, 1.0)
    return cv2.warpAffine(ink, M, (w, h), flags=cv2.INTER_LINEAR, borderValue=(255, 255, 255))


def _glass_scene(rng: np.random.Generator, dpi: int, doc_img: np.ndarray, glass_mm: tuple[float, float],
                 bg: str, tilt: float, turn: int, *, margin_mm: float = 4.0, mask: np.ndarray | None = None,
                 corner_anchor: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """A sheet laid on a flatbed: near the registration corner (or anywhere), tilted, turned.

    Returns the frame (float BGR) and the sheet's corners in document order."""
    s = dpi / MM
    W, H = round(glass_mm[0] * s), round(glass_mm[1] * s)
    frame = {"white": lambda: bg_lid(rng, H, W, False), "grey": lambda: bg_lid(rng, H, W, True),
             "open": lambda: bg_open(rng, H, W)}[bg]()
    dh, dw = doc_img.shape[:2]
    phi = turn + tilt
    c0 = corners_at(0, 0, dw, dh, phi)
    ext = c0.max(0) - c0.min(0)
    m = margin_mm * s
    if corner_anchor:  # pushed toward the glass's reference corner, as people do
        cx = -c0[:, 0].min() + m * rng.uniform(0.3, 2.0)
        cy = -c0[:, 1].min() + m * rng.uniform(0.3, 2.0)
    else:
        cx = rng.uniform(min(ext[0] / 2 + m, W / 2), max(W - ext[0] / 2 - m, W / 2))
        cy = rng.uniform(min(ext[1] / 2 + m, H / 2), max(H - ext[1] / 2 - m, H / 2))
    corners = corners_at(cx, cy, dw, dh, phi)
    if bg != "open":
        ang = rng.uniform(0, 2 * np.pi)
        edge_shadow(frame, corners, 0.4 * s, rng.uniform(0.1, 0.25), math.cos(ang) * 0.5 * s, math.sin(ang) * 0.5 * s)
    place(frame, doc_img, corners, mask)
    return frame, corners


def _frame_out(rng: np.random.Generator, frame: np.ndarray, s: float) -> np.ndarray:
    return finish_scan(rng, frame, s)


def scene_tokhai_lid(rng: np.random.Generator, dpi: int, exact: bool) -> tuple[np.ndarray, int | None, dict]:
    """A hand-filled declaration on an A4 flatbed, lid closed (white or grey); upright or upside down."""
    d = _scan_dpi(rng, dpi, exact)
    s = d / MM
    doc = doc_form(rng, s)
    img = finish_doc(rng, doc)
    turn = _turn(rng, (0.75, 0, 0.25, 0))
    tilt = _tilt(rng, 3.0)
    frame, c = _glass_scene(rng, d, img, (216, 297), "grey" if rng.random() < 0.4 else "white", tilt, turn,
                            margin_mm=1.5)
    out = _frame_out(rng, frame, s)
    h, w = out.shape[:2]
    return out, d, make_truth("", "flatbed", w, h, c, turn, tilt, text=True, red=doc[0].red, doc_corners=c)


def scene_certificate_a3_open(rng: np.random.Generator, dpi: int, exact: bool) -> tuple[np.ndarray, int | None, dict]:
    """A birth/marriage certificate extract on an office copier's A3 glass, lid left open (black room)."""
    d = _scan_dpi(rng, dpi, exact)
    s = d / MM
    doc = doc_certificate(rng, s)
    img = finish_doc(rng, doc)
    turn = _turn(rng, (0.5, 0.2, 0.1, 0.2))
    tilt = _tilt(rng, 5.0)
    frame, c = _glass_scene(rng, d, img, (297, 420), "open", tilt, turn, margin_mm=6, corner_anchor=rng.random() < 0.5)
    out = _frame_out(rng, frame, s)
    h, w = out.shape[:2]
    return out, d, make_truth("", "flatbed", w, h, c, turn, tilt, text=True, red=True, doc_corners=c)


def scene_landuse_adf(rng: np.random.Generator, dpi: int, exact: bool) -> tuple[np.ndarray, int | None, dict]:
    """A land-use certificate page through an ADF set to A4 width: fed slightly crooked over a grey or
    black backing (dark bars beside the narrower page), shadows at the leading/trailing edges, and
    sometimes a dust streak along the feed direction."""
    d = _scan_dpi(rng, dpi, exact)
    s = d / MM
    doc = doc_landuse(rng, s)
    img = finish_doc(rng, doc)
    dh, dw = img.shape[:2]
    W, H = round(210 * s), round(297 * s)
    back = rng.uniform(150, 190) if rng.random() < 0.5 else rng.uniform(10, 35)
    frame = np.full((H, W, 3), back, np.float32) + _gauss(rng, H, W, 2)
    turn = _turn(rng, (0.6, 0, 0.4, 0))
    tilt = _tilt(rng, 1.5)
    cx = W / 2 + rng.uniform(-8, 8) * s
    cy = H / 2 + rng.uniform(-6, 6) * s
    c = corners_at(cx, cy, dw, dh, turn + tilt)
    place(frame, img, c)
    for y0, sign in ((0, 1), (H - 1, -1)):  # the feed rollers' shadow at the top and bottom of the frame
        ramp = np.exp(-np.arange(int(6 * s)) / (1.5 * s)).astype(np.float32) * rng.uniform(0.1, 0.3)
        rows = np.arange(int(6 * s)) * sign + y0
        frame[rows] *= (1 - ramp)[:, None, None]
    if rng.random() < 0.5:
        x = int(rng.uniform(0.1, 0.9) * W)
        frame[:, x:x + max(1, int(0.15 * s))] *= rng.uniform(0.75, 0.9)
    out = _frame_out(rng, frame, s)
    return out, d, make_truth("", "flatbed", W, H, c, turn, tilt, text=True, red=True, doc_corners=c)


def scene_letter_clip_lid(rng: np.random.Generator, dpi: int, exact: bool) -> tuple[np.ndarray, int | None, dict]:
    """A letter with a letterhead, a paper clip at the top and a sticky note, on an A4 flatbed (grey lid)."""
    d = _scan_dpi(rng, dpi, exact)
    s = d / MM
    doc = doc_letter(rng, s)
    img = finish_doc(rng, doc)
    if rng.random() < 0.7:
        add_sticky(rng, img, s)
    add_clip_and_staple(rng, img, s, clip=True, staple=False)
    tilt = _tilt(rng, 2.5)
    frame, c = _glass_scene(rng, d, img, (216, 297), "grey", tilt, 0, margin_mm=1.5)
    out = _frame_out(rng, frame, s)
    h, w = out.shape[:2]
    return out, d, make_truth("", "flatbed", w, h, c, 0, tilt, text=True, doc_corners=c)


def scene_notice_a3_open(rng: np.random.Generator, dpi: int, exact: bool) -> tuple[np.ndarray, int | None, dict]:
    """A multi-column notice laid sideways on an A3 copier glass, lid open."""
    d = _scan_dpi(rng, dpi, exact)
    s = d / MM
    doc = doc_notice(rng, s)
    img = finish_doc(rng, doc)
    turn = _turn(rng, (0.3, 0.35, 0, 0.35))
    tilt = _tilt(rng, 4.0)
    glass = (420, 297) if rng.random() < 0.5 else (297, 420)
    frame, c = _glass_scene(rng, d, img, glass, "open", tilt, turn, margin_mm=8, corner_anchor=False)
    out = _frame_out(rng, frame, s)
    h, w = out.shape[:2]
    return out, d, make_truth("", "flatbed", w, h, c, turn, tilt, text=True, red=doc[0].red, doc_corners=c)


def scene_stapled_fold_lid(rng: np.random.Generator, dpi: int, exact: bool) -> tuple[np.ndarray, int | None, dict]:
    """An old, yellowed, once-folded copy with a staple and a dog-eared corner, on a white lid."""
    d = _scan_dpi(rng, dpi, exact)
    s = d / MM
    doc = doc_form(rng, s) if rng.random() < 0.5 else doc_letter(rng, s)
    sh, _, _ = doc
    img = finish_doc(rng, (sh, (240, 232, 205), float(rng.uniform(0.6, 1.2))))
    add_crease(rng, img, s, int(rng.integers(2, 4)))
    add_clip_and_staple(rng, img, s, clip=False, staple=True)
    mask = dog_ear(img, s, rng.uniform(10, 22), int(rng.choice((1, 2))))
    turn = _turn(rng, (0.7, 0, 0.3, 0))
    tilt = _tilt(rng, 3.0)
    frame, c = _glass_scene(rng, d, img, (216, 297), "white", tilt, turn, margin_mm=1.5, mask=mask)
    out = _frame_out(rng, frame, s)
    h, w = out.shape[:2]
    return out, d, make_truth("", "flatbed", w, h, c, turn, tilt, text=True, doc_corners=c, dog_ear=True)


def scene_household_copy_adf(rng: np.random.Generator, dpi: int, exact: bool) -> tuple[np.ndarray, int | None, dict]:
    """A photocopy of a household paper, through an ADF that crops to the sheet: the sheet fills the
    frame, but the copy's print is crooked and carries the copier's dark edge band and toner specks."""
    d = _scan_dpi(rng, dpi, exact)
    s = d / MM
    doc = doc_household(rng, s)
    sh, _tint, _age = doc
    theta = _tilt(rng, 2.5)
    ink = _crooked(sh.arr(), theta)
    band = int(rng.uniform(2, 7) * s)
    side = int(rng.integers(0, 4))  # the copier lid's dark margin along one side of the copy
    if side == 0:
        ink[:, :band] = (ink[:, :band] * 0.25).astype(np.uint8)
    elif side == 1:
        ink[:band] = (ink[:band] * 0.25).astype(np.uint8)
    elif side == 2:
        ink[:, -band:] = (ink[:, -band:] * 0.25).astype(np.uint8)
    n = int(ink.shape[0] * ink.shape[1] / (s * s) / 400)
    ys, xs = rng.integers(0, ink.shape[0], n), rng.integers(0, ink.shape[1], n)
    ink[ys, xs] = 90
    sh.ink = ink
    grey = cv2.cvtColor(finish_doc(rng, (sh, (248, 248, 246), 0.0)), cv2.COLOR_RGB2GRAY)
    img = cv2.cvtColor(grey, cv2.COLOR_GRAY2RGB)
    turn = _turn(rng, (0.5, 0, 0.5, 0))
    if turn == 180:
        img = np.ascontiguousarray(img[::-1, ::-1])
    H, W = img.shape[:2]
    frame = cv2.cvtColor(img, cv2.COLOR_RGB2BGR).astype(np.float32)
    for y0, sign in ((0, 1), (H - 1, -1)):
        ramp = np.exp(-np.arange(int(4 * s)) / (1.0 * s)).astype(np.float32) * rng.uniform(0.05, 0.2)
        frame[np.arange(int(4 * s)) * sign + y0] *= (1 - ramp)[:, None, None]
    out = _frame_out(rng, frame, s)
    c = corners_at((W - 1) / 2, (H - 1) / 2, W, H, turn)
    return out, d, make_truth("", "flatbed", W, H, c, turn, theta, text=True, red=False, full_frame=True,
                              doc_corners=c, photocopy=True)


def scene_blank_back(rng: np.random.Generator, dpi: int, exact: bool, k: int = 0) -> Scene:
    """A blank back (plain, punched holes, a staple, bleed-through) or a near-blank page to keep (a
    page number with a signature, a pencil note), fed through the ADF or laid on the glass. The
    variant cycles with ``k`` (the scene's turn in the stream) so every stretch has each kind."""
    d = _scan_dpi(rng, dpi, exact)
    s = d / MM
    variant = ("plain", "page_number", "bleed", "note")[k % 4]
    doc = doc_blank(rng, s, variant)
    img = finish_doc(rng, doc)
    holes = variant in ("plain", "bleed") and rng.random() < 0.6
    if rng.random() < 0.4:
        add_clip_and_staple(rng, img, s, clip=False, staple=True)
    blank = variant in ("plain", "bleed")
    adf = rng.random() < 0.5
    # Punched holes show what is behind the sheet: the ADF's backing (black or grey), or the lid.
    centres = [(int(12 * s), int(y * img.shape[0])) for y in (0.35, 0.65)] if holes else []
    mask = np.full(img.shape[:2], 255, np.uint8)
    for ctr in centres:
        if adf:
            back = int(rng.choice((35, 165)))
            cv2.circle(img, ctr, int(3 * s), (back, back, back), -1, cv2.LINE_AA)
        else:
            cv2.circle(mask, ctr, int(3 * s), 0, -1, cv2.LINE_AA)
    if adf:
        H, W = img.shape[:2]
        out = _frame_out(rng, cv2.cvtColor(img, cv2.COLOR_RGB2BGR).astype(np.float32), s)
        c = corners_at((W - 1) / 2, (H - 1) / 2, W, H, 0)
        t = make_truth("", "flatbed", W, H, c, 0, None, text=False, blank=blank, near_blank=not blank,
                       full_frame=True, doc_corners=c, variant=variant, holes=holes)
        return out, d, t
    tilt = _tilt(rng, 2.0)
    frame, c = _glass_scene(rng, d, img, (216, 297), "white", tilt, 0, margin_mm=1.5, mask=mask)
    out = _frame_out(rng, frame, s)
    h, w = out.shape[:2]
    return out, d, make_truth("", "flatbed", w, h, c, 0, tilt, text=False, blank=blank, near_blank=not blank,
                              doc_corners=c, variant=variant, holes=holes)


# ---- slips


def scene_a5_receipt_lid(rng: np.random.Generator, dpi: int, exact: bool) -> tuple[np.ndarray, int | None, dict]:
    """Mẫu 01 on A5 on an A4 flatbed, lid closed (mostly light grey), any way round."""
    d = _scan_dpi(rng, dpi, exact)
    s = d / MM
    doc = doc_slip_a5(rng, s)
    img = finish_doc(rng, doc)
    turn = _turn(rng, (0.45, 0.25, 0.1, 0.2))
    tilt = _tilt(rng, 4.0)
    frame, c = _glass_scene(rng, d, img, (216, 297), "grey" if rng.random() < 0.6 else "white", tilt, turn,
                            corner_anchor=rng.random() < 0.6)
    out = _frame_out(rng, frame, s)
    h, w = out.shape[:2]
    return out, d, make_truth("", "slip", w, h, c, turn, tilt, text=True, doc_corners=c)


def scene_thermal_receipt(rng: np.random.Generator, dpi: int, exact: bool) -> tuple[np.ndarray, int | None, dict]:
    """A long thermal fee receipt on the glass: white on a white lid (little contrast) or on black."""
    d = _scan_dpi(rng, dpi, exact)
    s = d / MM
    doc = doc_receipt(rng, s)
    img = finish_doc(rng, doc)
    turn = _turn(rng, (0.6, 0.15, 0.1, 0.15))
    tilt = _tilt(rng, 6.0)
    frame, c = _glass_scene(rng, d, img, (216, 297), "white" if rng.random() < 0.6 else "open", tilt, turn,
                            margin_mm=10, corner_anchor=False)
    out = _frame_out(rng, frame, s)
    h, w = out.shape[:2]
    return out, d, make_truth("", "slip", w, h, c, turn, tilt, text=True, doc_corners=c)


def scene_a6_appointment(rng: np.random.Generator, dpi: int, exact: bool) -> tuple[np.ndarray, int | None, dict]:
    """An A6 appointment slip (often tinted) anywhere on the glass, lid open or closed."""
    d = _scan_dpi(rng, dpi, exact)
    s = d / MM
    doc = doc_appointment_a6(rng, s)
    img = finish_doc(rng, doc)
    turn = _turn(rng, (0.4, 0.2, 0.2, 0.2))
    tilt = _tilt(rng, 8.0)
    bg = str(rng.choice(("white", "grey", "open")))
    frame, c = _glass_scene(rng, d, img, (216, 297), bg, tilt, turn, margin_mm=10, corner_anchor=False)
    out = _frame_out(rng, frame, s)
    h, w = out.shape[:2]
    return out, d, make_truth("", "slip", w, h, c, turn, tilt, text=True, doc_corners=c)


# ---- cards


def _card_img(rng: np.random.Generator, s: float, side: str | None = None, kind: str | None = None) -> np.ndarray:
    kind = kind or str(rng.choice(("cccd", "cancuoc", "licence"), p=(0.4, 0.4, 0.2)))
    side = side or str(rng.choice(("front", "back")))
    img = finish_doc(rng, doc_card(rng, s, kind, side))
    # Rounded corners (3.18 mm radius, ISO 7810): the corner pixels are not card.
    _h, _w = img.shape[:2]
    return img


def _card_mask(img: np.ndarray, s: float) -> np.ndarray:
    h, w = img.shape[:2]
    r = max(1, int(3.18 * s))
    m = np.zeros((h, w), np.uint8)
    cv2.rectangle(m, (r, 0), (w - 1 - r, h - 1), 255, -1)
    cv2.rectangle(m, (0, r), (w - 1, h - 1 - r), 255, -1)
    for cx, cy in ((r, r), (w - 1 - r, r), (w - 1 - r, h - 1 - r), (r, h - 1 - r)):
        cv2.circle(m, (cx, cy), r, 255, -1, cv2.LINE_AA)
    return m


def scene_cccd_glass(rng: np.random.Generator, dpi: int, exact: bool) -> tuple[np.ndarray, int | None, dict]:
    """One identity card alone on the whole A4 glass (the scanner's default area), any way round."""
    d = _scan_dpi(rng, dpi, exact)
    s = d / MM
    img = _card_img(rng, s)
    turn = _turn(rng, (0.4, 0.2, 0.2, 0.2))
    tilt = _tilt(rng, 10.0)
    bg = str(rng.choice(("white", "grey", "open"), p=(0.45, 0.35, 0.2)))
    frame, c = _glass_scene(rng, d, img, (216, 297), bg, tilt, turn, margin_mm=10,
                            mask=_card_mask(img, s), corner_anchor=rng.random() < 0.5)
    out = _frame_out(rng, frame, s)
    h, w = out.shape[:2]
    return out, d, make_truth("", "card", w, h, c, turn, tilt, text=True, doc_corners=c)


def scene_two_cards_glass(rng: np.random.Generator, dpi: int, exact: bool) -> tuple[np.ndarray, int | None, dict]:
    """Front and back of one card side by side (or one above the other) on the glass, to copy both
    sides on one page; the truth is their convex hull, both turned the same way."""
    d = _scan_dpi(rng, dpi, exact)
    s = d / MM
    kind = str(rng.choice(("cccd", "cancuoc", "licence"), p=(0.4, 0.4, 0.2)))  # one card, both its sides
    a, b = _card_img(rng, s, "front", kind), _card_img(rng, s, "back", kind)
    W, H = round(216 * s), round(297 * s)
    bg = str(rng.choice(("white", "grey", "open")))
    frame = {"white": lambda: bg_lid(rng, H, W, False), "grey": lambda: bg_lid(rng, H, W, True),
             "open": lambda: bg_open(rng, H, W)}[bg]()
    turn = _turn(rng, (0.55, 0.15, 0.15, 0.15))
    stacked = rng.random() < 0.6
    cw, ch = a.shape[1], a.shape[0]
    pts = []
    for k in range(2):  # laid out first, then the pair moved onto the glass as a whole (both fit)
        tilt = _tilt(rng, 4.0)
        off = (0, k * (ch + rng.uniform(5, 25) * s)) if stacked else (k * (cw + rng.uniform(5, 25) * s), 0)
        if turn in (90, 270):
            off = (off[1], off[0])
        pts.append(corners_at(off[0], off[1], cw, ch, turn + tilt))
    lo, hi = np.concatenate(pts).min(0), np.concatenate(pts).max(0)
    m = 6 * s
    shift = np.array([rng.uniform(m - lo[0], max(m - lo[0], W - m - hi[0])),
                      rng.uniform(m - lo[1], max(m - lo[1], H - m - hi[1]))])
    pts = [c + shift for c in pts]
    for img, c in zip((a, b), pts, strict=True):
        if bg != "open":
            edge_shadow(frame, c, 0.4 * s, 0.2, 0.4 * s, 0.4 * s)
        place(frame, img, c, _card_mask(img, s))
    out = _frame_out(rng, frame, s)
    hull = cv2.convexHull(np.concatenate(pts).astype(np.float32)).reshape(-1, 2).astype(np.float64)
    t = make_truth("", "card", W, H, hull, turn, None, text=True, doc_corners=None, two_cards=True,
                   cards=[np.round(p, 3).tolist() for p in pts])
    return out, d, t


def scene_card_in_hand(rng: np.random.Generator, dpi: int, exact: bool, k: int = 0) -> Scene:
    """Three ways a card arrives that are not 'alone on the glass': held in fingers for a phone photo
    (no DPI), a driving licence on the glass with the lid open, a passport opened at its data page
    (the truth: the open booklet, as for any spread). The variant cycles with ``k``."""
    variant = ("hand", "licence_open", "passport")[k % 3]
    if variant == "hand":
        Wf, Hf = _photo_size(dpi, (4, 3))
        frame = (bg_dark(rng, Hf, Wf) if rng.random() < 0.5 else bg_cloth(rng, Hf, Wf))
        cw_target = rng.uniform(0.45, 0.7) * Wf
        s = cw_target / 85.6
        img = _card_img(rng, s)
        turn = _turn(rng, (0.6, 0.15, 0.1, 0.15))
        tilt = float(rng.uniform(-12, 12))
        c = corners_at(Wf / 2 + rng.normal(0, 0.05) * Wf, Hf / 2 + rng.normal(0, 0.05) * Hf, img.shape[1],
                       img.shape[0], turn + tilt)
        c = _perspective(rng, c, 0.04)
        place(frame, img, c, _card_mask(img, s))
        # A thumb over one long edge, the other fingers behind (unseen).
        e = int(rng.integers(0, 4))
        mid = (c[e] + c[(e + 1) % 4]) / 2
        out_dir = (mid - c.mean(0)) / max(float(np.linalg.norm(mid - c.mean(0))), 1e-6)
        thumb = 0.5 * cw_target  # a thumb ~ 43 mm long, 17 mm wide, its tip ~ 8 mm over the card
        add_fingers(rng, frame, mid + out_dir * 0.3 * thumb, thumb, 1, c.mean(0))
        out, _ = finish_photo(rng, frame, flash=rng.random() < 0.3, low=rng.random() < 0.25)
        return out, None, make_truth("", "card", Wf, Hf, c, turn, None, text=True, doc_corners=c, variant=variant)
    d = _scan_dpi(rng, dpi, exact)
    s = d / MM
    if variant == "licence_open":
        img = finish_doc(rng, doc_card(rng, s, "licence", str(rng.choice(("front", "back")))))
        mask = _card_mask(img, s)
    else:  # the booklet open: the data page below, the facing page above (truth: the open booklet)
        page = finish_doc(rng, doc_passport(rng, s))
        facing = finish_doc(rng, doc_blank(rng, s, "plain"))[: page.shape[0], : page.shape[1]]
        facing = cv2.resize(facing, (page.shape[1], page.shape[0]))
        facing = (facing.astype(np.float32) * np.array([0.93, 0.95, 0.9], np.float32)).astype(np.uint8)
        img = np.concatenate([facing, page], 0)
        mask = None
    turn = _turn(rng, (0.5, 0.2, 0.1, 0.2))
    tilt = _tilt(rng, 6.0)
    bg = "open" if variant == "licence_open" else str(rng.choice(("white", "grey")))
    frame, c = _glass_scene(rng, d, img, (216, 297), bg, tilt, turn, margin_mm=10, mask=mask,
                            corner_anchor=rng.random() < 0.5)
    out = _frame_out(rng, frame, s)
    h, w = out.shape[:2]
    return out, d, make_truth("", "card", w, h, c, turn, tilt, text=True, doc_corners=c, variant=variant,
                              two_page=variant == "passport")


# ---- cameras


def _photo_size(dpi: int, aspect: tuple[int, int]) -> tuple[int, int]:
    """A photo's size grows with the base dpi (1600 px long side at 150), no DPI attached."""
    L = round(1600 * dpi / 150)
    return L, round(L * aspect[1] / aspect[0])


def _perspective(rng: np.random.Generator, c: np.ndarray, amount: float) -> np.ndarray:
    """A phone not held square: foreshortening one way and each corner nudged."""
    size = float(np.linalg.norm(c[2] - c[0]))
    out = c.copy()
    e = int(rng.integers(0, 4))  # the far edge shrinks toward its middle
    shrink = rng.uniform(0, 2.5 * amount)
    for k in (e, (e + 1) % 4):
        mid = (c[e] + c[(e + 1) % 4]) / 2
        out[k] = mid + (c[k] - mid) * (1 - shrink)
    out += rng.normal(0, amount * 0.4 * size, (4, 2))
    # keep it convex and the same way round
    hull = cv2.convexHull(out.astype(np.float32), returnPoints=False)
    if len(hull) < 4:
        return c
    return out


def _pick_doc(rng: np.random.Generator, s: float) -> tuple[Sheet, tuple[float, float, float], float]:
    f = (doc_form, doc_certificate, doc_letter, doc_notice, doc_household, doc_landuse)[int(rng.integers(0, 6))]
    return f(rng, s)


def scene_visualiser_mat(rng: np.random.Generator, dpi: int, exact: bool) -> tuple[np.ndarray, int | None, dict]:
    """A document camera over the counter: 16:9, overhead and square-on, even light, a pale desk mat,
    a slight barrel distortion; the page laid any way round."""
    Wf, Hf = _photo_size(dpi, (16, 9))
    px_mm = Hf / rng.uniform(300, 360)  # the camera's fixed height sees about 30-36 cm top to bottom
    frame = bg_mat(rng, Hf, Wf, px_mm)
    doc = _pick_doc(rng, px_mm)
    img = finish_doc(rng, doc)
    turn = _turn(rng, (0.5, 0.25, 0.0, 0.25))
    tilt = float(rng.uniform(-6, 6))
    dh, dw = img.shape[:2]
    c = corners_at(Wf / 2 + rng.normal(0, 0.06) * Wf, Hf / 2 + rng.normal(0, 0.03) * Hf, dw, dh, turn + tilt)
    place(frame, img, c)
    if rng.random() < 0.4:  # the officer's fingertips holding the page flat at one side
        k = int(rng.integers(0, 4))
        edge = c[k] * 0.8 + c[(k + 1) % 4] * 0.2
        out_dir = (edge - c.mean(0)) / max(float(np.linalg.norm(edge - c.mean(0))), 1e-6)
        add_fingers(rng, frame, edge + out_dir * 0.03 * Wf, 0.1 * Wf, 3, c.mean(0))
    out, mapper = finish_photo(rng, frame, even=True, barrel=float(rng.uniform(0.01, 0.03)))
    cc = mapper(c)
    return out, None, make_truth("", "camera", Wf, Hf, cc, turn, tilt, text=True, red=doc[0].red, doc_corners=cc,
                                 barrel=True)


def _phone(rng: np.random.Generator, dpi: int, bgfn: Any, *, fill: tuple[float, float], turn_p: tuple,
           tilt: float, persp: float, runoff: bool = False, clutter: bool = False,
           doc: tuple[Sheet, tuple[float, float, float], float] | None = None,
           img: np.ndarray | None = None, mask: np.ndarray | None = None,
           aspect: tuple[int, int] = (4, 3)) -> tuple[np.ndarray, np.ndarray, int, float, Any, bool]:
    """A page on a surface seen by a phone: returns the frame (float), corners, turn, tilt, doc, red."""
    Wf, Hf = _photo_size(dpi, aspect)
    turn = _turn(rng, turn_p)
    if rng.random() < 0.5:  # portrait photo
        Wf, Hf = Hf, Wf
    frame = bgfn(Hf, Wf)
    if doc is None and img is None:
        f = fill[0] + (fill[1] - fill[0]) * rng.random()
        side = Hf if turn in (0, 180) else Wf
        px_mm = f * min(side, (Wf if turn in (0, 180) else Hf) * 297 / 210) / 297
        doc = _pick_doc(rng, px_mm)
    if img is None:
        img = finish_doc(rng, doc)
    dh, dw = img.shape[:2]
    th = float(rng.uniform(-tilt, tilt))
    cx, cy = Wf / 2 + rng.normal(0, 0.04) * Wf, Hf / 2 + rng.normal(0, 0.04) * Hf
    if runoff:  # zoomed in: the page spills over one or two frame sides
        k = rng.uniform(1.15, 1.4)
        img = cv2.resize(img, (int(dw * k), int(dh * k)))
        if mask is not None:
            mask = cv2.resize(mask, (int(dw * k), int(dh * k)))
        dh, dw = img.shape[:2]
        cx += rng.choice((-1, 1)) * rng.uniform(0.05, 0.15) * Wf
        cy += rng.choice((-1, 1)) * rng.uniform(0.05, 0.15) * Hf
    c = corners_at(cx, cy, dw, dh, turn + th)
    c = _perspective(rng, c, persp)
    if clutter:
        keep = np.zeros((Hf, Wf), np.uint8)
        cv2.fillPoly(keep, [np.round(c).astype(np.int32)], 1)
        add_clutter(rng, frame, keep)
    # a soft contact shadow under the page on the desk
    edge_shadow(frame, c, 0.004 * max(Wf, Hf), 0.25, 0.002 * Wf, 0.003 * Hf)
    place(frame, img, c, mask)
    red = bool(doc[0].red) if doc is not None else False
    return frame, c, turn, th, doc, red


def scene_phone_flash_wood(rng: np.random.Generator, dpi: int, exact: bool) -> tuple[np.ndarray, int | None, dict]:
    """A phone photo with the flash on, page on a wooden desk, held at an angle."""
    frame, c, turn, th, _doc, red = _phone(rng, dpi, lambda h, w: bg_wood(rng, h, w), fill=(0.6, 0.85),
                                          turn_p=(0.7, 0.1, 0.1, 0.1), tilt=8, persp=0.05)
    out, _ = finish_photo(rng, frame, flash=True)
    h, w = out.shape[:2]
    return out, None, make_truth("", "camera", w, h, c, turn, th, text=True, red=red, doc_corners=c)


def scene_phone_lowlight_cloth(rng: np.random.Generator, dpi: int, exact: bool) -> tuple[np.ndarray, int | None, dict]:
    """Evening light: noisy, heavily compressed, a page on a checked tablecloth."""
    frame, c, turn, th, _doc, red = _phone(rng, dpi, lambda h, w: bg_cloth(rng, h, w), fill=(0.55, 0.85),
                                          turn_p=(0.6, 0.15, 0.1, 0.15), tilt=10, persp=0.06)
    out, _ = finish_photo(rng, frame, low=True, blur=rng.random() < 0.3)
    h, w = out.shape[:2]
    return out, None, make_truth("", "camera", w, h, c, turn, th, text=True, red=red, doc_corners=c)


def scene_phone_runoff_thumb(rng: np.random.Generator, dpi: int, exact: bool) -> tuple[np.ndarray, int | None, dict]:
    """Too close: the page runs off the photo on one or two sides; a thumb at the frame's edge."""
    bgf = (lambda h, w: bg_dark(rng, h, w)) if rng.random() < 0.5 else (lambda h, w: bg_wood(rng, h, w))
    frame, c, turn, th, _doc, red = _phone(rng, dpi, bgf, fill=(0.7, 0.85), turn_p=(0.7, 0.1, 0.1, 0.1),
                                          tilt=6, persp=0.04, runoff=True)
    h, w = frame.shape[:2]
    side = int(rng.integers(0, 4))
    at = np.array([(rng.uniform(0.2, 0.8) * w, h + 0.02 * h), (-0.02 * w, rng.uniform(0.2, 0.8) * h),
                   (w + 0.02 * w, rng.uniform(0.2, 0.8) * h), (rng.uniform(0.2, 0.8) * w, h + 0.02 * h)][side])
    add_fingers(rng, frame, at, 0.3 * min(h, w), 1, np.array([w / 2, h / 2]))
    out, _ = finish_photo(rng, frame, flash=rng.random() < 0.3)
    return out, None, make_truth("", "camera", w, h, c, turn, th, text=True, red=red, doc_corners=c)


def scene_phone_spread_curl(rng: np.random.Generator, dpi: int, exact: bool) -> tuple[np.ndarray, int | None, dict]:
    """A booklet opened flat-ish (two facing pages): the pages curl down into the gutter, which is
    shaded; the truth is the whole spread."""
    Wf, Hf = _photo_size(dpi, (4, 3))
    pw_mm, ph_mm = (130, 190) if rng.random() < 0.5 else (148, 210)
    px_mm = rng.uniform(0.7, 0.88) * Wf / (2 * pw_mm)
    px_mm = min(px_mm, 0.92 * Hf / ph_mm)
    pages = []
    red = False
    for _ in range(2):
        sh = Sheet(pw_mm, ph_mm, px_mm)
        y = 12.0
        sh.text(pw_mm / 2, y, str(rng.choice(TITLES_FORM))[:28], 12, "b", align="c")
        y = sh.paragraph(rng, 12, y + 10, pw_mm - 24, int(rng.integers(14, 24)), 11)
        if rng.random() < 0.4:
            sh.seal(rng, pw_mm * 0.65, min(ph_mm - 25, y + 20), 14)
            red = True
        pages.append(finish_doc(rng, (sh, (246, 240, 228), 0.3)))
    spread = np.concatenate(pages, 1)
    h, w = spread.shape[:2]
    xx = np.arange(w, dtype=np.float32)
    g = np.exp(-((xx - w / 2) / (0.12 * w)) ** 2)
    shade = 1 - 0.35 * g
    spread = (spread.astype(np.float32) * shade[None, :, None]).astype(np.uint8)
    a = rng.uniform(0.02, 0.05)
    yy = np.arange(h, dtype=np.float32)
    mx = np.tile(xx[None, :], (h, 1))
    my = ((h - 1) / 2 + (yy[:, None] - (h - 1) / 2) * (1 + a * g[None, :])).astype(np.float32)
    spread = cv2.remap(spread, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    mask = cv2.remap(np.full((h, w), 255, np.uint8), mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                     borderValue=0)
    bgf = (lambda hh, ww: bg_wood(rng, hh, ww)) if rng.random() < 0.5 else (lambda hh, ww: bg_dark(rng, hh, ww))
    frame = bgf(Hf, Wf)
    turn = _turn(rng, (0.8, 0.0, 0.2, 0.0))
    th = float(rng.uniform(-6, 6))
    c = corners_at(Wf / 2 + rng.normal(0, 0.03) * Wf, Hf / 2 + rng.normal(0, 0.03) * Hf, w, h, turn + th)
    c = _perspective(rng, c, 0.04)
    place(frame, spread, c, mask)
    out, _ = finish_photo(rng, frame, flash=rng.random() < 0.3, blur=rng.random() < 0.3)
    return out, None, make_truth("", "camera", Wf, Hf, c, turn, th, text=True, red=red, doc_corners=c,
                                 two_page=True)


def scene_phone_sideways_clutter(rng: np.random.Generator, dpi: int, exact: bool) -> Scene:
    """A landscape photo of a portrait page on a cluttered desk (pens, a phone, a mug ring, a keyboard),
    sometimes with motion blur."""
    bgf = (lambda h, w: bg_dark(rng, h, w)) if rng.random() < 0.5 else (lambda h, w: bg_wood(rng, h, w))
    frame, c, turn, th, _doc, red = _phone(rng, dpi, bgf, fill=(0.45, 0.7), turn_p=(0.2, 0.4, 0.0, 0.4),
                                          tilt=10, persp=0.05, clutter=True)
    out, _ = finish_photo(rng, frame, blur=rng.random() < 0.5, flash=rng.random() < 0.2)
    h, w = out.shape[:2]
    return out, None, make_truth("", "camera", w, h, c, turn, th, text=True, red=red, doc_corners=c)


SCENES = (
    "tokhai_lid", "phone_flash_wood", "cccd_glass", "a5_receipt_lid", "certificate_a3_open", "visualiser_mat",
    "landuse_adf", "thermal_receipt", "phone_lowlight_cloth", "letter_clip_lid", "two_cards_glass",
    "phone_runoff_thumb", "notice_a3_open", "a6_appointment", "stapled_fold_lid", "phone_spread_curl",
    "card_in_hand", "household_copy_adf", "phone_sideways_clutter", "blank_back",
)
SCENE_CLASS = {s: ("camera" if s.startswith(("phone", "visualiser")) else
                   "card" if s in ("cccd_glass", "two_cards_glass", "card_in_hand") else
                   "slip" if s in ("a5_receipt_lid", "thermal_receipt", "a6_appointment") else "flatbed")
               for s in SCENES}
# Flatbed scenes whose frame is an A4 sheet or an A4 glass (the time table's A4 300-dpi frames).
FLATBED_SCENES = ("tokhai_lid", "landuse_adf", "letter_clip_lid", "stapled_fold_lid", "household_copy_adf")


def generate_page(seed: int, index: int, dpi: int = 150, scene: str | None = None, *,
                  exact_dpi: bool = False) -> Frame:
    """Frame ``index`` of the stream ``seed`` at base resolution ``dpi``; the scene cycles through
    :data:`SCENES` unless one is named. ``exact_dpi`` scans flatbed scenes at exactly ``dpi``."""
    name = scene or SCENES[index % len(SCENES)]
    key = zlib.crc32(f"gen6|{seed}|{index}|{dpi}|{name}".encode())
    rng = np.random.default_rng(key)
    fn = globals()[f"scene_{name}"]
    turn = {"k": index // len(SCENES)} if "k" in inspect.signature(fn).parameters else {}
    img, d, truth = fn(rng, int(dpi), exact_dpi, **turn)
    truth["name"] = f"{name}#{index}"
    truth["scene"] = name
    truth["dpi"] = d
    return Frame(np.ascontiguousarray(img), d, truth)

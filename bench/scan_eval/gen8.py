"""gen8: the session-12 held-out generator, written from scratch without reading the other generators
or the pipeline (issue #13: judge this session's fixes on frames nobody tuned on).

Every frame is built the same way: a document is drawn flat at the frame's own scale (``Canvas``, text in
the URW base-35 faces with Vietnamese tone marks drawn by hand, since those faces stop at Latin
Extended-A), then placed on a capture (flatbed bed, ADF, copier, document camera, phone) by one
homography ``H`` that maps the document's pixel centres to the frame's. The truth is read from ``H``
alone (:func:`truth_geometry`): the paper outline clipped to the frame, the clockwise quarter turn that
makes the document upright and the skew left after it (counter-clockwise positive), never from any
pipeline. Phone frames may add a radial lens distortion, applied to the outline's densified edges too.

Scenes (``SCENES``, cycled by frame index) and their class: 12 flatbed, 6 camera, 4 card, 3 slip.
``generate_page(seed, index, dpi)`` returns a :class:`Page` (``image`` BGR uint8, ``dpi`` or ``None`` for
photos and for scans saved without a resolution, ``truth`` dict as gen2…gen7). Scene choices are drawn
from a generator independent of ``dpi`` so a frame is the same scene at any resolution.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT_DIR = Path("/usr/share/fonts/opentype/urw-base35")
FONTS = {
    "serif": "C059-Roman",
    "serif_b": "C059-Bold",
    "serif_i": "C059-Italic",
    "pal": "P052-Roman",
    "pal_b": "P052-Bold",
    "pal_i": "P052-Italic",
    "book": "URWBookman-Light",
    "book_b": "URWBookman-Demi",
    "sans": "NimbusSans-Regular",
    "sans_b": "NimbusSans-Bold",
    "narrow": "NimbusSansNarrow-Regular",
    "narrow_b": "NimbusSansNarrow-Bold",
    "gothic": "URWGothic-Book",
    "gothic_b": "URWGothic-Demi",
    "mono": "NimbusMonoPS-Bold",
    "hand": "Z003-MediumItalic",
}

RGB = tuple[int, int, int]


@lru_cache(maxsize=256)
def _font(name: str, px: int) -> Any:
    path = FONT_DIR / f"{FONTS[name]}.otf"
    try:
        return ImageFont.truetype(str(path), max(4, px))
    except OSError:  # the bench machine has them; elsewhere a plain face keeps the frames drawable
        return ImageFont.load_default(max(4, px))


_ABOVE = {
    "\u0301": "acute",
    "\u0300": "grave",
    "\u0309": "hook",
    "\u0303": "tilde",
    "\u0302": "circ",
    "\u0306": "breve",
}


@lru_cache(maxsize=8192)
def _split_char(ch: str) -> tuple[str, tuple[str, ...]]:
    """A character the URW faces can draw, plus the marks to draw by hand (they end at U+017F)."""
    if ord(ch) <= 0x17F:
        return ch, ()
    parts = unicodedata.normalize("NFD", ch)
    base, marks = parts[0], list(parts[1:])
    for m in list(marks):  # fold one mark back in when the composed letter exists in the face
        c = unicodedata.normalize("NFC", base + m)
        if len(c) == 1 and ord(c) <= 0x17F:
            base = c
            marks.remove(m)
            break
    return base, tuple(marks)


@lru_cache(maxsize=4096)
def _split(text: str) -> tuple[str, tuple[tuple[int, str], ...]]:
    base, marks = [], []
    for ch in unicodedata.normalize("NFC", text):
        b, ms = _split_char(ch)
        for m in ms:
            marks.append((len(base), m))
        base.append(b)
    return "".join(base), tuple(marks)


class Canvas:
    """A flat document drawn in millimetres at ``ppm`` pixels per millimetre."""

    def __init__(self, w_mm: float, h_mm: float, ppm: float, paper: RGB = (255, 255, 255)) -> None:
        self.ppm, self.w_mm, self.h_mm = ppm, w_mm, h_mm
        self.img = Image.new("RGB", (max(8, round(w_mm * ppm)), max(8, round(h_mm * ppm))), paper)
        self.d = ImageDraw.Draw(self.img)
        self.seal = Image.new("L", self.img.size, 0)  # red ink laid over the print (multiplied)
        self.seal_rgb: RGB = (205, 32, 44)

    def p(self, v: float) -> float:
        return v * self.ppm

    def width(self, s: str, size: float, font: str = "serif") -> float:
        """Width of ``s`` in mm at em size ``size`` mm."""
        base, _ = _split(s)
        return float(_font(font, round(self.p(size))).getlength(base)) / self.ppm

    def text(
        self,
        x: float,
        y: float,
        s: str,
        size: float,
        font: str = "serif",
        fill: RGB = (25, 25, 25),
        align: str = "l",
        draw: ImageDraw.ImageDraw | None = None,
    ) -> float:
        """Draw ``s`` with its baseline at ``y`` mm; ``align`` l / c / r about ``x``. Returns the width (mm)."""
        d = draw or self.d
        px = round(self.p(size))
        f = _font(font, px)
        base, marks = _split(s)
        wpx = float(f.getlength(base))
        x0 = self.p(x) - (wpx / 2 if align == "c" else wpx if align == "r" else 0.0)
        yb = self.p(y)
        d.text((x0, yb), base, font=f, fill=fill, anchor="ls")
        lw = max(1, round(0.075 * px))
        for i, m in marks:
            cx = x0 + f.getlength(base[:i]) + 0.5 * f.getlength(base[i])
            ch = base[i]
            tall = ch.isupper() or ch in "bdhklt" or ord(ch) > 0x7F
            top = yb - (0.74 if tall else 0.5) * px
            s_ = 0.09 * px
            if m == "\u0323":  # dot below
                r = max(0.8, 0.055 * px)
                d.ellipse((cx - r, yb + 0.13 * px - r, cx + r, yb + 0.13 * px + r), fill=fill)
            elif m == "\u031b":  # horn: a short hook off the letter's upper right
                hx = x0 + f.getlength(base[: i + 1]) - 0.06 * px
                hy = yb - (0.7 if ch.isupper() else 0.46) * px
                d.line(
                    [
                        (hx - 0.04 * px, hy + 0.03 * px),
                        (hx + 0.05 * px, hy - 0.05 * px),
                        (hx + 0.04 * px, hy - 0.12 * px),
                    ],
                    fill=fill,
                    width=lw,
                )
            else:
                ym = top - 0.14 * px
                if _ABOVE.get(m) == "acute":
                    d.line([(cx - s_ * 0.5, ym + s_ * 0.6), (cx + s_ * 0.7, ym - s_ * 0.8)], fill=fill, width=lw)
                elif _ABOVE.get(m) == "grave":
                    d.line([(cx + s_ * 0.5, ym + s_ * 0.6), (cx - s_ * 0.7, ym - s_ * 0.8)], fill=fill, width=lw)
                elif _ABOVE.get(m) == "tilde":
                    pts = [(cx + s_ * (t - 1.2), ym - 0.45 * s_ * math.sin(t * 2.6)) for t in np.linspace(0, 2.4, 7)]
                    d.line(pts, fill=fill, width=lw)
                elif _ABOVE.get(m) == "hook":
                    pts = [
                        (cx - 0.45 * s_, ym - 0.6 * s_),
                        (cx + 0.1 * s_, ym - 1.0 * s_),
                        (cx + 0.55 * s_, ym - 0.55 * s_),
                        (cx + 0.05 * s_, ym - 0.1 * s_),
                        (cx, ym + 0.5 * s_),
                    ]
                    d.line(pts, fill=fill, width=lw)
                elif _ABOVE.get(m) == "circ":
                    d.line(
                        [(cx - s_, ym + 0.4 * s_), (cx, ym - 0.6 * s_), (cx + s_, ym + 0.4 * s_)], fill=fill, width=lw
                    )
                elif _ABOVE.get(m) == "breve":
                    d.arc((cx - s_, ym - s_, cx + s_, ym + 0.6 * s_), 20, 160, fill=fill, width=lw)
        return wpx / self.ppm

    def line(self, x0: float, y0: float, x1: float, y1: float, w: float = 0.25, fill: RGB = (30, 30, 30)) -> None:
        self.d.line([(self.p(x0), self.p(y0)), (self.p(x1), self.p(y1))], fill=fill, width=max(1, round(self.p(w))))

    def rect(
        self,
        x0: float,
        y0: float,
        x1: float,
        y1: float,
        fill: RGB | None = None,
        outline: RGB | None = None,
        w: float = 0.25,
    ) -> None:
        self.d.rectangle(
            (self.p(x0), self.p(y0), self.p(x1), self.p(y1)),
            fill=fill,
            outline=outline,
            width=max(1, round(self.p(w))) if outline else 0,
        )

    def dots(self, x0: float, x1: float, y: float, fill: RGB = (60, 60, 60)) -> None:
        """A dotted leader (the blanks of a printed form)."""
        r = max(0.5, self.p(0.12))
        for x in np.arange(x0, x1, 1.1):
            cx, cy = self.p(float(x)), self.p(y)
            self.d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=fill)

    def paragraph(
        self,
        x: float,
        y: float,
        width: float,
        text: str,
        size: float,
        lead: float,
        font: str = "serif",
        fill: RGB = (25, 25, 25),
        indent: float = 8.0,
    ) -> float:
        """Word-wrapped, left-aligned text from baseline ``y``; returns the baseline after the last line."""
        words = text.split()
        line: list[str] = []
        first = True
        while words:
            ind = indent if first else 0.0
            line = [words.pop(0)]
            while words and self.width(" ".join([*line, words[0]]), size, font) < width - ind:
                line.append(words.pop(0))
            self.text(x + ind, y, " ".join(line), size, font, fill)
            y += lead
            first = False
        return y

    def signature(self, x: float, y: float, w: float, rng: np.random.Generator, fill: RGB = (30, 40, 120)) -> None:
        """A pen signature: a few loops along a rising stroke."""
        t = np.linspace(0, 1, 120)
        k = rng.uniform(3, 6)
        xs = x + w * t + 0.12 * w * np.sin(2 * math.pi * k * t + rng.uniform(0, 6))
        ys = y - 0.18 * w * t + 0.12 * w * np.cos(2 * math.pi * k * t) * (1 - 0.5 * t)
        self.d.line(
            [(self.p(a), self.p(b)) for a, b in zip(xs, ys, strict=False)], fill=fill, width=max(1, round(self.p(0.35)))
        )
        self.d.line(
            [(self.p(x), self.p(y + 1.5)), (self.p(x + w * 1.05), self.p(y - 0.5))],
            fill=fill,
            width=max(1, round(self.p(0.3))),
        )

    def stamp_seal(self, cx: float, cy: float, r: float, rng: np.random.Generator, strength: float = 0.85) -> None:
        """A round red seal: two rings, lettering as radial marks, a star; partly inked."""
        sd = ImageDraw.Draw(self.seal)
        v = round(255 * strength)
        for rr, w in ((r, 0.7), (r - 1.4, 0.35), (0.52 * r, 0.3)):
            sd.ellipse(
                (self.p(cx - rr), self.p(cy - rr), self.p(cx + rr), self.p(cy + rr)),
                outline=v,
                width=max(1, round(self.p(w))),
            )
        n = int(2 * math.pi * (r - 3.3) / 1.5)
        for i in range(n):
            a = 2 * math.pi * i / n
            if 0.35 * math.pi < a % (2 * math.pi) < 0.65 * math.pi:
                continue  # the gap at the bottom of the lettering
            r0, r1 = r - 4.6, r - 2.2
            sd.line(
                [
                    (self.p(cx + r0 * math.cos(a)), self.p(cy + r0 * math.sin(a))),
                    (self.p(cx + r1 * math.cos(a + 0.03)), self.p(cy + r1 * math.sin(a + 0.03))),
                ],
                fill=v,
                width=max(1, round(self.p(0.45))),
            )
        pts = []
        for i in range(10):
            rr = 0.3 * r if i % 2 == 0 else 0.12 * r
            a = -math.pi / 2 + i * math.pi / 5
            pts.append((self.p(cx + rr * math.cos(a)), self.p(cy + rr * math.sin(a))))
        sd.polygon(pts, fill=v)
        # Ink is never even: a patchy field dims part of the impression.
        mask = np.asarray(self.seal, np.float32)
        h, w = mask.shape
        g = cv2.resize(rng.uniform(0.55, 1.0, (6, 6)).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
        self.seal = Image.fromarray(np.clip(mask * g, 0, 255).astype(np.uint8))

    def paste(self, arr_rgb: np.ndarray, x: float, y: float, mask: np.ndarray | None = None) -> None:
        self.img.paste(
            Image.fromarray(arr_rgb),
            (round(self.p(x)), round(self.p(y))),
            None if mask is None else Image.fromarray(mask),
        )

    def bgr(self) -> np.ndarray:
        out = np.asarray(self.img, np.float32)
        a = np.asarray(self.seal, np.float32)[:, :, None] / 255.0
        if a.max() > 0:
            ink = out * (np.asarray(self.seal_rgb, np.float32) / 255.0)
            out = out * (1 - a) + ink * a
        return np.ascontiguousarray(np.clip(out, 0, 255).astype(np.uint8)[:, :, ::-1])


# --------------------------------------------------------------------------- words

FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Trịnh",
    "Đinh",
]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Thu", "Xuân", "Gia", "Bảo"]
GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hùng",
    "Hương",
    "Khánh",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Phúc",
    "Quân",
    "Sơn",
    "Thảo",
    "Trang",
    "Tuấn",
    "Vy",
    "Yến",
    "Khoa",
]
PLACES = [
    "Phường Bến Thành, Thành phố Hồ Chí Minh",
    "Xã Tân Cương, tỉnh Thái Nguyên",
    "Phường Hoàn Kiếm, Thành phố Hà Nội",
    "Xã Hòa Vang, Thành phố Đà Nẵng",
    "Phường Ninh Kiều, Thành phố Cần Thơ",
    "Xã Quỳnh Lưu, tỉnh Nghệ An",
    "Phường Hạc Thành, tỉnh Thanh Hóa",
    "Xã Mỹ Đức, Thành phố Hà Nội",
    "Phường Vũng Tàu, Thành phố Hồ Chí Minh",
]
SENTENCES = [
    "Tôi cam đoan những nội dung khai trên đây là đúng sự thật và chịu trách nhiệm trước pháp luật "
    "về lời khai của mình.",
    "Đề nghị cơ quan có thẩm quyền xem xét, giải quyết hồ sơ theo quy định của pháp luật hiện hành.",
    "Căn cứ Nghị định số 118/2025/NĐ-CP ngày 09 tháng 6 năm 2025 của Chính phủ về thực hiện thủ tục hành chính "
    "theo cơ chế một cửa, một cửa liên thông.",
    "Hồ sơ gồm bản chính giấy tờ tùy thân, bản sao giấy khai sinh và các giấy tờ có liên quan khác.",
    "Thời hạn giải quyết là năm ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ.",
    "Trường hợp hồ sơ chưa đầy đủ, cơ quan tiếp nhận hướng dẫn người nộp bổ sung, hoàn thiện theo quy định.",
    "Người nộp hồ sơ có trách nhiệm xuất trình bản chính để đối chiếu khi nhận kết quả giải quyết.",
    "Kết quả được trả tại Bộ phận tiếp nhận và trả kết quả hoặc qua dịch vụ bưu chính công ích theo yêu cầu.",
    "Mọi thắc mắc xin liên hệ đường dây nóng của Trung tâm Phục vụ hành chính công cấp xã trong giờ hành chính.",
    "Lý do đề nghị: bản chính bị mất trong quá trình chuyển nơi ở, cần bản sao để bổ sung hồ sơ nhập học cho con.",
    "Gia đình chúng tôi thường trú tại địa chỉ trên từ năm 2012 đến nay, chấp hành tốt các quy định của địa phương.",
    "Kính đề nghị Ủy ban nhân dân xác nhận để tôi hoàn thiện thủ tục vay vốn tại ngân hàng chính sách xã hội.",
]
LABELS = [
    "Họ, chữ đệm và tên",
    "Ngày, tháng, năm sinh",
    "Giới tính",
    "Dân tộc",
    "Quốc tịch",
    "Số định danh cá nhân",
    "Nơi cư trú",
    "Số điện thoại liên hệ",
    "Quan hệ với người được khai sinh",
    "Nghề nghiệp",
    "Quê quán",
    "Nơi đăng ký khai sinh",
    "Địa chỉ thư điện tử",
]
INK: RGB = (22, 22, 26)
BLUE_INK: RGB = (25, 45, 140)


def _name(rng: np.random.Generator) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def _value(rng: np.random.Generator, label: str) -> str:
    if "tên" in label:
        return _name(rng)
    if "sinh" in label and "Ngày" in label:
        return f"{rng.integers(1, 29):02d}/{rng.integers(1, 13):02d}/{rng.integers(1950, 2024)}"
    if "Giới" in label:
        return str(rng.choice(["Nam", "Nữ"]))
    if "định danh" in label:
        return "0" + "".join(str(v) for v in rng.integers(0, 10, 11))
    if "điện thoại" in label:
        return "09" + "".join(str(v) for v in rng.integers(0, 10, 8))
    if "Dân tộc" in label:
        return str(rng.choice(["Kinh", "Tày", "Mường", "Khmer", "Thái"]))
    if "Quan hệ" in label:
        return str(rng.choice(["Cha", "Mẹ", "Ông nội", "Bà ngoại"]))
    if "thư điện tử" in label:
        user = f"{rng.choice(['an', 'binh', 'lan', 'hung', 'mai'])}{rng.integers(70, 99)}"
        return f"{user}@{rng.choice(['gmail.com', 'yahoo.com.vn'])}"
    if "Nghề" in label:
        return str(rng.choice(["Giáo viên", "Nông dân", "Kế toán", "Công nhân", "Kinh doanh"]))
    if "Quốc" in label:
        return "Việt Nam"
    return str(rng.choice(PLACES))


def _national_header(
    c: Canvas, y: float, left: str | None, size: float, bold: str = "serif_b", regular: str = "serif"
) -> float:
    """The state header: agency on the left (optional), motto on the right or centred."""
    if left:
        lx = 25 + 0.2 * (c.w_mm - 45)
        for k, ln in enumerate(left.split("\n")):
            c.text(lx, y + k * size * 1.2, ln, size * 0.95, bold if k else regular, INK, "c")
        c.line(
            lx - 10, y + size * 1.2 * (left.count("\n")) + 1.6, lx + 10, y + size * 1.2 * (left.count("\n")) + 1.6, 0.2
        )
        mx = c.w_mm - 20 - 0.28 * (c.w_mm - 45)
    else:
        mx = c.w_mm / 2
    c.text(mx, y, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size, bold, INK, "c")
    w = c.text(mx, y + size * 1.25, "Độc lập - Tự do - Hạnh phúc", size * 1.05, bold, INK, "c")
    c.line(mx - w / 2, y + size * 1.25 + 1.3, mx + w / 2, y + size * 1.25 + 1.3, 0.22)
    return y + size * 1.25 + 1.3


def _qr(rng: np.random.Generator, n: int = 25) -> np.ndarray:
    """A QR-looking matrix (three finder squares, random modules), 1 = dark."""
    m = (rng.random((n, n)) < 0.5).astype(np.uint8)
    for oy, ox in ((0, 0), (0, n - 7), (n - 7, 0)):
        f = np.ones((7, 7), np.uint8)
        f[1:6, 1:6] = 0
        f[2:5, 2:5] = 1
        m[oy : oy + 7, ox : ox + 7] = f
        y0, y1, x0, x1 = max(0, oy - 1), min(n, oy + 8), max(0, ox - 1), min(n, ox + 8)
        sub = m[y0:y1, x0:x1]
        ring = np.ones_like(sub, bool)
        ring[oy - y0 : oy - y0 + 7, ox - x0 : ox - x0 + 7] = False
        sub[ring] = 0
    return m


def _draw_qr(c: Canvas, x: float, y: float, size: float, rng: np.random.Generator, ink: RGB = INK) -> None:
    m = _qr(rng)
    n = m.shape[0]
    cell = size / n
    c.rect(x - cell, y - cell, x + size + cell, y + size + cell, fill=(255, 255, 255))
    for r, q in zip(*np.nonzero(m), strict=False):
        c.rect(x + q * cell, y + r * cell, x + (q + 1) * cell, y + (r + 1) * cell, fill=ink)


def _signature_block(
    c: Canvas, x: float, y: float, rng: np.random.Generator, title: str, size: float, seal: bool
) -> None:
    c.text(
        x,
        y,
        f"{rng.choice(['Hà Nội', 'Thái Nguyên', 'Cần Thơ', 'Đà Nẵng', 'Nghệ An'])}, ngày "
        f"{rng.integers(1, 29)} tháng {rng.integers(1, 13)} năm 2026",
        size * 0.95,
        "serif_i",
        INK,
        "c",
    )
    c.text(x, y + size * 1.5, title, size, "serif_b", INK, "c")
    c.text(x, y + size * 2.8, "(Ký, ghi rõ họ tên)", size * 0.9, "serif_i", INK, "c")
    c.signature(x - 14, y + size * 6.5, 26, rng)
    c.text(x, y + size * 9.5, _name(rng), size, "serif_b", INK, "c")
    if seal:
        c.stamp_seal(x - rng.uniform(8, 16), y + size * rng.uniform(5, 6.5), rng.uniform(17, 20), rng)


def doc_form(rng: np.random.Generator, ppm: float, kind: str) -> Canvas:
    """An A4 administrative form: state header, title, filled fields with dotted leaders, maybe a
    table, a closing paragraph and a signature block (a red seal on some)."""
    c = Canvas(210, 297, ppm, (255, 255, 255) if rng.random() < 0.6 else (250, 249, 244))
    body = "serif" if kind != "birth" else "book"
    size = rng.uniform(4.2, 4.8)
    lead = size * rng.uniform(1.45, 1.75)
    left = {
        "to_khai": None,
        "don": None,
        "birth": "ỦY BAN NHÂN DÂN\nXÃ " + str(rng.choice(["TÂN CƯƠNG", "HÒA VANG", "MỸ ĐỨC"])),
    }[kind]
    y = _national_header(c, 22.0, left, size * 0.9, "book_b" if kind == "birth" else "serif_b", body)
    title = {
        "to_khai": "TỜ KHAI ĐĂNG KÝ KHAI SINH",
        "don": "ĐƠN ĐỀ NGHỊ XÁC NHẬN THÔNG TIN CƯ TRÚ",
        "birth": "TRÍCH LỤC KHAI SINH",
    }[kind]
    y += 13
    c.text(105, y, title, size * 1.3, "book_b" if kind == "birth" else "serif_b", INK, "c")
    if kind == "birth":
        c.text(105, y + 6, "(Bản sao)", size * 0.9, "serif_i", INK, "c")
        c.rect(12, 12, 198, 285, outline=(40, 40, 40), w=0.6)
        c.rect(14, 14, 196, 283, outline=(40, 40, 40), w=0.25)
    y += 13
    c.text(30, y, "Kính gửi: Ủy ban nhân dân " + str(rng.choice(PLACES)).split(",")[0], size, body, INK)
    y += lead * 1.3
    labels = list(rng.permutation(LABELS))[: int(rng.integers(6, 10))]
    fill = BLUE_INK if kind == "don" and rng.random() < 0.5 else INK
    for lab in labels:
        w = c.text(30, y, f"{lab}: ", size, body, INK)
        v = _value(rng, str(lab))
        vw = c.text(30 + w, y, v, size * (1.1 if fill == BLUE_INK else 1.0), "hand" if fill == BLUE_INK else body, fill)
        c.dots(30 + w + vw + 1.5, 190, y)
        y += lead
    if kind != "don" and rng.random() < 0.7:
        y += 3
        cols = [30, 42, 110, 140, 190]
        heads = ["TT", "Thành phần hồ sơ", "Bản chính", "Bản sao"]
        rows = int(rng.integers(3, 6))
        rh = lead * 1.05
        for k in range(rows + 2):
            c.line(cols[0], y + k * rh, cols[-1], y + k * rh, 0.25)
        for x in cols:
            c.line(x, y, x, y + (rows + 1) * rh, 0.25)
        for x0, x1, hd in zip(cols[:-1], cols[1:], heads, strict=False):
            c.text((x0 + x1) / 2, y + rh * 0.7, hd, size * 0.9, "serif_b", INK, "c")
        for k in range(rows):
            yy = y + (k + 1.7) * rh
            c.text(36, yy, str(k + 1), size * 0.9, body, INK, "c")
            c.text(
                44,
                yy,
                str(
                    rng.choice(
                        [
                            "Giấy khai sinh",
                            "Căn cước",
                            "Sổ hộ khẩu",
                            "Giấy chứng nhận kết hôn",
                            "Giấy ủy quyền",
                            "Văn bản xác nhận",
                        ]
                    )
                ),
                size * 0.9,
                body,
                INK,
            )
            c.text(125, yy, str(rng.integers(0, 3)), size * 0.9, body, INK, "c")
            c.text(165, yy, str(rng.integers(0, 3)), size * 0.9, body, INK, "c")
        y += (rows + 1) * rh + lead
    y += 2
    for _ in range(int(rng.integers(1, 3))):
        y = c.paragraph(30, y, 160, str(rng.choice(SENTENCES)) + " " + str(rng.choice(SENTENCES)), size, lead, body)
    y = min(y + 6, 297 - 62)
    _signature_block(
        c,
        140,
        y,
        rng,
        {"to_khai": "NGƯỜI ĐI KHAI SINH", "don": "NGƯỜI LÀM ĐƠN", "birth": "NGƯỜI KÝ TRÍCH LỤC"}[kind],
        size,
        kind == "birth" or rng.random() < 0.3,
    )
    if rng.random() < 0.5:
        c.text(105, 289, f"Trang {rng.integers(1, 4)}", size * 0.8, body, INK, "c")
    return c


def doc_letter(rng: np.random.Generator, ppm: float) -> Canvas:
    """A handwritten letter on ruled school paper (blue rules, red margin), blue ballpoint."""
    c = Canvas(205, 290, ppm, (252, 252, 247))
    pitch = rng.uniform(8.0, 9.5)
    y0 = 30.0
    for k in range(int((290 - y0 - 10) / pitch)):
        c.line(0, y0 + k * pitch, 205, y0 + k * pitch, 0.15, (150, 175, 225))
    c.line(28, 0, 28, 290, 0.25, (225, 110, 120))
    size = pitch * rng.uniform(0.8, 0.95)
    c.text(
        105,
        y0 + pitch - 1.0,
        str(rng.choice(["ĐƠN XIN XÁC NHẬN", "ĐƠN TRÌNH BÀY", "GIẤY CAM KẾT"])),
        size * 1.05,
        "hand",
        BLUE_INK,
        "c",
    )
    words = " ".join(rng.choice(SENTENCES, 6)).split()
    wobble = rng.uniform(0, 0.4, len(words))  # drawn up front: how many words fit depends on the dpi
    y = y0 + 3 * pitch - 1.0
    k = 0
    while y < 290 - 3 * pitch and k < len(words):
        x = 33.0 + (rng.uniform(6, 12) if k == 0 else 0)
        while k < len(words):
            w = c.width(words[k], size, "hand")
            if x + w > 196:
                break
            c.text(x, y - wobble[k], words[k], size, "hand", BLUE_INK)
            x += w + size * 0.32
            k += 1
        y += pitch
    c.signature(130, y + pitch, 30, rng, BLUE_INK)
    return c


def _guilloche(
    w: int, h: int, ppm: float, rng: np.random.Generator, base: RGB, ink: RGB, amp: float = 0.35
) -> np.ndarray:
    """Security-print waves: thin crossing sine lines over a tint (RGB array)."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32) / ppm
    f1, f2 = rng.uniform(0.08, 0.2, 2)
    v = np.sin(xx * f1 + 3 * np.sin(yy * 0.05)) * np.cos(yy * f2 + 2 * np.sin(xx * 0.04))
    lines = np.exp(-(((v * 6) % 1.0 - 0.5) ** 2) / 0.01)
    out = (
        np.asarray(base, np.float32) * (1 - amp * lines[..., None])
        + np.asarray(ink, np.float32) * amp * lines[..., None]
    )
    return np.clip(out, 0, 255).astype(np.uint8)


def doc_land(rng: np.random.Generator, ppm: float) -> Canvas:
    """A land-use right certificate page: pink security tint, ornamental border, red title, a parcel sketch."""
    c = Canvas(190, 265, ppm, (250, 232, 228))
    w, h = c.img.size
    c.img.paste(Image.fromarray(_guilloche(w, h, ppm, rng, (250, 232, 228), (230, 170, 170), 0.25)))
    c.d = ImageDraw.Draw(c.img)
    red = (190, 40, 40)
    c.rect(8, 8, 182, 257, outline=red, w=1.0)
    c.rect(10.5, 10.5, 179.5, 254.5, outline=red, w=0.3)
    size = 4.0
    y = _national_header(c, 24, None, size, "pal_b", "pal")
    c.text(95, y + 14, "GIẤY CHỨNG NHẬN", size * 1.6, "pal_b", red, "c")
    c.text(95, y + 22, "QUYỀN SỬ DỤNG ĐẤT, QUYỀN SỞ HỮU TÀI SẢN GẮN LIỀN VỚI ĐẤT", size * 0.95, "pal_b", red, "c")
    y += 36
    for lab in (
        "Người sử dụng đất",
        "Năm sinh",
        "Số định danh cá nhân",
        "Địa chỉ",
        "Thửa đất số",
        "Tờ bản đồ số",
        "Diện tích",
        "Hình thức sử dụng",
        "Mục đích sử dụng",
        "Thời hạn sử dụng",
        "Nguồn gốc sử dụng",
    ):
        wl = c.text(20, y, f"{lab}: ", size, "pal", INK)
        v = {
            "Thửa đất số": str(rng.integers(10, 900)),
            "Tờ bản đồ số": str(rng.integers(1, 60)),
            "Diện tích": f"{rng.uniform(60, 400):.1f} m²",
            "Năm sinh": str(rng.integers(1950, 2000)),
            "Hình thức sử dụng": "Sử dụng riêng",
            "Mục đích sử dụng": "Đất ở tại nông thôn",
            "Thời hạn sử dụng": "Lâu dài",
            "Nguồn gốc sử dụng": "Nhà nước công nhận quyền sử dụng đất",
        }.get(lab)
        c.text(20 + wl, y, v or _value(rng, lab if lab != "Người sử dụng đất" else "tên"), size, "pal", INK)
        y += size * 1.7
    # Parcel sketch: an irregular lot with side lengths.
    cx, cy = 95, y + 38
    pts = [
        (cx + r * math.cos(a), cy + 0.8 * r * math.sin(a))
        for a, r in zip(np.sort(rng.uniform(0, 2 * math.pi, 5)), rng.uniform(18, 30, 5), strict=False)
    ]
    c.d.polygon([(c.p(a), c.p(b)) for a, b in pts], outline=INK, width=max(1, round(c.p(0.3))))
    for (a0, b0), (a1, b1) in zip(pts, pts[1:] + pts[:1], strict=False):
        c.text((a0 + a1) / 2 + 2, (b0 + b1) / 2, f"{math.hypot(a1 - a0, b1 - b0) * 0.5:.2f}", size * 0.7, "pal", INK)
    c.text(95, cy - 36, "Sơ đồ thửa đất", size, "pal_b", INK, "c")
    c.stamp_seal(140, 232, 18, rng)
    c.signature(128, 236, 24, rng)
    return c


def doc_register(rng: np.random.Generator, ppm: float) -> Canvas:
    """Form 06, the dossier register: a landscape A4 table filled by hand."""
    c = Canvas(297, 210, ppm)
    size = 3.4
    c.text(148, 18, "SỔ THEO DÕI HỒ SƠ", size * 1.5, "serif_b", INK, "c")
    c.text(148, 24, "(Mẫu số 06, Thông tư số 01/2018/TT-VPCP)", size * 0.85, "serif_i", INK, "c")
    cols = [12, 22, 60, 110, 125, 165, 200, 225, 250, 285]
    heads = ["TT", "Mã hồ sơ", "Tên thủ tục", "Số lượng", "Tên cá nhân", "Địa chỉ", "Ngày nhận", "Hẹn trả", "Ghi chú"]
    y = 32.0
    rh = 10.0
    c.rect(cols[0], y, cols[-1], y + rh, fill=(235, 235, 235))
    nrows = 15
    for k in range(nrows + 2):
        c.line(cols[0], y + k * rh, cols[-1], y + k * rh, 0.25)
    for x in cols:
        c.line(x, y, x, y + (nrows + 1) * rh, 0.25)
    for x0, x1, hd in zip(cols[:-1], cols[1:], heads, strict=False):
        c.text((x0 + x1) / 2, y + 6.5, hd, size * 0.9, "serif_b", INK, "c")
    for k in range(int(rng.integers(6, nrows))):
        yy = y + (k + 1) * rh + 6.5
        c.text(17, yy, str(k + 1), size, "serif", INK, "c")
        c.text(23, yy, f"H15.50-2610{rng.integers(10, 31)}-{rng.integers(1, 9999):04d}", size * 0.75, "serif", INK)
        c.text(
            62,
            yy,
            str(rng.choice(["Đăng ký khai sinh", "Chứng thực bản sao", "Xác nhận cư trú", "Đăng ký kết hôn"])),
            size,
            "hand",
            BLUE_INK,
        )
        c.text(117, yy, str(rng.integers(1, 4)), size, "hand", BLUE_INK, "c")
        c.text(127, yy, _name(rng), size * 0.95, "hand", BLUE_INK)
        c.text(167, yy, str(rng.choice(PLACES)).split(",")[0], size * 0.8, "hand", BLUE_INK)
        c.text(212, yy, f"{rng.integers(1, 29)}/10", size, "hand", BLUE_INK, "c")
        c.text(237, yy, f"{rng.integers(1, 29)}/11", size, "hand", BLUE_INK, "c")
    return c


def doc_bill(rng: np.random.Generator, ppm: float) -> Canvas:
    """A utility bill: coloured band, logo, consumption table, amount in words, barcode."""
    c = Canvas(210, 297, ppm)
    band = [(20, 90, 170), (0, 130, 90), (200, 90, 20)][int(rng.integers(0, 3))]
    c.rect(0, 0, 210, 30, fill=band)
    c.d.ellipse((c.p(12), c.p(5), c.p(32), c.p(25)), fill=(255, 255, 255))
    c.text(22, 18, "EVN" if band[0] == 20 else "NƯỚC", 5 if band[0] == 20 else 3.5, "sans_b", band, "c")
    c.text(40, 14, "TỔNG CÔNG TY ĐIỆN LỰC" if band[0] == 20 else "CÔNG TY CẤP NƯỚC SẠCH", 5, "sans_b", (255, 255, 255))
    c.text(40, 22, "Chăm sóc khách hàng: 1900 1006 - Hotline 24/7", 3.6, "sans", (255, 255, 255))
    c.text(105, 45, "HÓA ĐƠN GIÁ TRỊ GIA TĂNG", 6.5, "sans_b", INK, "c")
    c.text(105, 52, f"Kỳ thanh toán: tháng {rng.integers(1, 13)}/2026", 4, "sans", INK, "c")
    y = 66.0
    for lab in ("Tên khách hàng", "Địa chỉ", "Mã khách hàng", "Số công tơ", "Số điện thoại liên hệ"):
        w = c.text(18, y, lab + ": ", 3.8, "sans", INK)
        v = {"Mã khách hàng": f"PE{rng.integers(10**8, 10**9)}", "Số công tơ": str(rng.integers(10**6, 10**7))}.get(lab)
        c.text(18 + w, y, v or _value(rng, lab if lab != "Tên khách hàng" else "tên"), 3.8, "sans_b", INK)
        y += 6.4
    y += 4
    cols = [18, 60, 95, 130, 160, 192]
    heads = ["Bậc", "Chỉ số cũ", "Chỉ số mới", "Sản lượng", "Thành tiền"]
    for k in range(9):
        c.line(18, y + k * 7, 192, y + k * 7, 0.2, (90, 90, 90))
    for x in cols:
        c.line(x, y, x, y + 56, 0.2, (90, 90, 90))
    for x0, x1, hd in zip(cols[:-1], cols[1:], heads, strict=False):
        c.text((x0 + x1) / 2, y + 5, hd, 3.6, "sans_b", INK, "c")
    for k in range(7):
        vals = [
            f"Bậc {k + 1}",
            str(rng.integers(1000, 9000)),
            str(rng.integers(1000, 9000)),
            str(rng.integers(10, 200)),
            f"{rng.integers(10, 900) * 1000:,}".replace(",", "."),
        ]
        for x0, x1, v in zip(cols[:-1], cols[1:], vals, strict=False):
            c.text((x0 + x1) / 2, y + 12 + k * 7, v, 3.6, "sans", INK, "c")
    y += 70
    c.text(
        18,
        y,
        f"Tổng cộng tiền thanh toán: {rng.integers(100, 3000) * 1000:,} đồng".replace(",", "."),
        4.4,
        "sans_b",
        INK,
    )
    y = c.paragraph(18, y + 8, 174, "Số tiền viết bằng chữ: " + str(rng.choice(SENTENCES)), 3.8, 6.0, "sans", INK, 0)
    for k in range(60):  # barcode
        if rng.random() < 0.55:
            c.rect(120 + k * 1.1, 250, 120 + k * 1.1 + rng.choice([0.4, 0.8]), 268, fill=INK)
    return c


def _card_base(rng: np.random.Generator, ppm: float, tint: RGB, ink: RGB) -> Canvas:
    c = Canvas(85.6, 53.98, ppm, tint)
    w, h = c.img.size
    c.img.paste(Image.fromarray(_guilloche(w, h, ppm, rng, tint, ink, 0.22)))
    c.d = ImageDraw.Draw(c.img)
    return c


def _emblem(c: Canvas, x: float, y: float, r: float) -> None:
    c.d.ellipse(
        (c.p(x - r), c.p(y - r), c.p(x + r), c.p(y + r)),
        fill=(200, 30, 40),
        outline=(220, 180, 40),
        width=max(1, round(c.p(0.5))),
    )
    pts = []
    for i in range(10):
        rr = 0.65 * r if i % 2 == 0 else 0.26 * r
        a = -math.pi / 2 + i * math.pi / 5
        pts.append((c.p(x + rr * math.cos(a)), c.p(y + rr * math.sin(a))))
    c.d.polygon(pts, fill=(250, 215, 40))


def _face(c: Canvas, x: float, y: float, w: float, h: float) -> None:
    c.rect(x, y, x + w, y + h, fill=(200, 212, 228))
    c.d.ellipse((c.p(x + 0.25 * w), c.p(y + 0.12 * h), c.p(x + 0.75 * w), c.p(y + 0.62 * h)), fill=(150, 125, 110))
    c.d.chord((c.p(x + 0.05 * w), c.p(y + 0.62 * h), c.p(x + 0.95 * w), c.p(y + 1.38 * h)), 180, 360, fill=(50, 55, 70))


def doc_card(rng: np.random.Generator, ppm: float, kind: str) -> Canvas:
    """ID-1 cards: chip ID front / back (MRZ, QR), the 2024 Căn cước, health insurance, driving licence."""
    ink = (20, 25, 60)
    if kind in ("cccd_front", "cccd_back", "cancuoc"):
        c = _card_base(rng, ppm, (222, 236, 240) if kind != "cancuoc" else (236, 228, 214), (150, 190, 205))
    elif kind == "bhyt":
        c = _card_base(rng, ppm, (245, 248, 252), (120, 160, 220))
    else:
        c = _card_base(rng, ppm, (246, 226, 200), (220, 160, 120))
    s = 2.3
    if kind in ("cccd_front", "cancuoc"):
        _emblem(c, 9, 9, 5.5)
        c.text(47, 6.5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", s * 0.95, "sans_b", ink, "c")
        c.text(47, 9.6, "Độc lập - Tự do - Hạnh phúc", s * 0.9, "sans_b", ink, "c")
        c.text(
            47,
            14.5,
            "CĂN CƯỚC CÔNG DÂN" if kind == "cccd_front" else "CĂN CƯỚC",
            s * 1.5,
            "gothic_b",
            (190, 30, 40),
            "c",
        )
        _face(c, 4, 18, 20, 25)
        if kind == "cccd_front":
            _draw_qr(c, 70, 3, 12, rng, ink)
        else:
            c.rect(5, 45, 16, 52, fill=(215, 180, 90), outline=(150, 120, 60), w=0.2)  # chip
        y = 20.5
        for lab, v in (
            ("Số / No.:", "0" + "".join(str(v) for v in rng.integers(0, 10, 11))),
            ("Họ và tên / Full name:", None),
            ("Ngày sinh / Date of birth:", None),
            ("Giới tính / Sex:", "Nam" if rng.random() < 0.5 else "Nữ"),
            ("Quốc tịch / Nationality:", "Việt Nam"),
            ("Quê quán / Place of origin:", None),
            ("Nơi thường trú / Residence:", None),
        ):
            if v is None:
                c.text(27, y, lab, s * 0.75, "sans", ink)
                y += 2.9
                v = (
                    _name(rng).upper()
                    if "tên" in lab
                    else (
                        f"{rng.integers(1, 29):02d}/{rng.integers(1, 13):02d}/{rng.integers(1960, 2006)}"
                        if "sinh" in lab
                        else str(rng.choice(PLACES)).split(",")[0]
                    )
                )
            else:
                w = c.text(27, y, lab + " ", s * 0.75, "sans", ink)
                c.text(27 + w, y, v, s * (1.15 if "No" in lab else 0.95), "sans_b", ink)
                y += 3.2
                continue
            c.text(27, y, v, s * 0.95, "sans_b", ink)
            y += 3.2
    elif kind == "cccd_back":
        c.rect(6, 5, 18, 14, fill=(215, 180, 90), outline=(150, 120, 60), w=0.2)  # chip
        _draw_qr(c, 70, 3, 12, rng, ink)
        c.text(22, 8, "Đặc điểm nhân dạng: Nốt ruồi cách 2cm", s * 0.8, "sans", ink)
        c.text(22, 11.5, "dưới sau mép phải", s * 0.8, "sans", ink)
        c.text(
            22, 17, f"Ngày, tháng, năm: {rng.integers(1, 29):02d}/{rng.integers(1, 13):02d}/2024", s * 0.8, "sans", ink
        )
        c.text(22, 21, "CỤC TRƯỞNG CỤC CẢNH SÁT", s * 0.8, "sans_b", ink)
        c.text(22, 24.5, "QUẢN LÝ HÀNH CHÍNH VỀ TRẬT TỰ XÃ HỘI", s * 0.8, "sans_b", ink)
        c.signature(30, 30, 14, rng, ink)
        for k, x in enumerate((4, 14)):
            c.rect(x, 16 + 0, x + 9, 16 + 13, outline=(90, 90, 110), w=0.2)
            c.text(x + 4.5, 31.5, "Ngón trỏ trái" if k == 0 else "Ngón trỏ phải", s * 0.5, "sans", ink, "c")
        c.rect(0, 37.5, 85.6, 53.98, fill=(248, 248, 248))
        digits = "".join(str(v) for v in rng.integers(0, 10, 12))
        mrz = [
            f"IDVNM{digits[3:12]}{digits[-1]}{digits}<<{rng.integers(0, 10)}",
            f"{rng.integers(60, 99)}0{rng.integers(1, 10)}{rng.integers(10, 29)}{rng.integers(0, 10)}"
            f"{'M' if rng.random() < 0.5 else 'F'}3{rng.integers(1, 10)}0{rng.integers(10, 29)}{rng.integers(0, 10)}"
            f"VNM<<<<<<<<<<<{rng.integers(0, 10)}",
            (str(rng.choice(FAMILY)) + "<<" + str(rng.choice(MIDDLE)) + "<" + str(rng.choice(GIVEN))),
        ]
        for k, ln in enumerate(mrz):
            ln = unicodedata.normalize("NFD", ln.upper())
            ln = "".join(ch for ch in ln if not unicodedata.combining(ch)).replace("Đ", "D")
            ln = (ln + "<" * 30)[:30]
            c.text(3.5, 43 + k * 4.3, ln, 3.4, "mono", (10, 10, 10))
    elif kind == "bhyt":
        c.rect(0, 0, 85.6, 11, fill=(25, 90, 170))
        c.text(42.8, 7.5, "THẺ BẢO HIỂM Y TẾ", 4.2, "sans_b", (255, 255, 255), "c")
        y = 17.0
        c.text(
            5,
            y,
            f"Mã số: DN{rng.integers(1, 5)}{rng.integers(10, 99)}{rng.integers(10**9, 10**10)}",
            2.8,
            "sans_b",
            ink,
        )
        for lab in ("Họ và tên", "Ngày sinh", "Giới tính", "Địa chỉ", "Nơi ĐKKCB ban đầu", "Giá trị sử dụng"):
            y += 4.6
            v = {
                "Họ và tên": _name(rng).upper(),
                "Ngày sinh": f"{rng.integers(1, 29):02d}/{rng.integers(1, 13):02d}/1988",
                "Giới tính": "Nữ",
                "Giá trị sử dụng": "01/01/2026 đến 31/12/2026",
                "Nơi ĐKKCB ban đầu": "Trạm y tế xã",
            }.get(lab) or str(rng.choice(PLACES)).split(",")[0]
            c.text(5, y, f"{lab}: {v}", 2.4, "sans", ink)
        _face(c, 66, 15, 15, 19)
    else:  # driving licence
        _emblem(c, 8, 9, 5)
        c.text(50, 6.5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 2.1, "sans_b", ink, "c")
        c.text(50, 12, "GIẤY PHÉP LÁI XE / DRIVER'S LICENSE", 2.6, "sans_b", (190, 30, 40), "c")
        _face(c, 4, 17, 18, 23)
        y = 19.0
        for lab, v in (
            ("Số/No", str(rng.integers(10**11, 10**12))),
            ("Họ tên/Full name", _name(rng).upper()),
            ("Ngày sinh/Date of Birth", "12/03/1990"),
            ("Quốc tịch/Nationality", "VIỆT NAM"),
            ("Hạng/Class", str(rng.choice(["A1", "B", "C1"]))),
            ("Có giá trị đến/Expires", "12/03/2036"),
        ):
            w = c.text(25, y, lab + ": ", 2.1, "sans", ink)
            c.text(25 + w, y, v, 2.3, "sans_b", ink)
            y += 4.4
        c.stamp_seal(66, 44, 7.5, rng, 0.7)
    return c


def doc_receipt(rng: np.random.Generator, ppm: float) -> Canvas:
    """A thermal receipt: 80 mm roll, monospace, faded grey print."""
    length = float(rng.uniform(130, 210))
    c = Canvas(80, length, ppm, (250, 250, 247))
    ink = tuple(int(v) for v in rng.integers(70, 120, 3))
    ink_t: RGB = (ink[0], ink[0], ink[0] + 10)
    c.text(40, 10, "TRUNG TÂM PHỤC VỤ HCC", 3.4, "narrow_b", ink_t, "c")
    c.text(40, 15, "BIÊN LAI THU PHÍ, LỆ PHÍ", 3.6, "narrow_b", ink_t, "c")
    c.text(40, 20, f"Số: {rng.integers(1000, 99999):07d}", 3.0, "mono", ink_t, "c")
    y = 28.0
    while y < length - 40:
        item = str(
            rng.choice(
                [
                    "Lệ phí chứng thực",
                    "Phí sao y bản chính",
                    "Lệ phí hộ tịch",
                    "Phí cung cấp thông tin",
                    "Phí tra cứu dữ liệu",
                ]
            )
        )
        c.text(5, y, item, 3.0, "narrow", ink_t)
        c.text(75, y, f"{rng.integers(2, 60) * 1000:,}".replace(",", "."), 3.0, "mono", ink_t, "r")
        y += 5.0
    c.line(5, y, 75, y, 0.2, ink_t)
    c.text(5, y + 6, "TỔNG CỘNG", 3.4, "narrow_b", ink_t)
    c.text(75, y + 6, f"{rng.integers(20, 300) * 1000:,}".replace(",", "."), 3.4, "mono", ink_t, "r")
    _draw_qr(c, 28, y + 10, 22, rng, ink_t)
    return c


def doc_slip_a5(rng: np.random.Generator, ppm: float) -> Canvas:
    """Form 01 on A5: receipt of a dossier and appointment, QR top-left, two signatures."""
    c = Canvas(148, 210, ppm)
    size = 3.5
    _draw_qr(c, 10, 8, 17, rng)
    c.text(48, 12, "UBND XÃ " + str(rng.choice(["TÂN CƯƠNG", "HÒA VANG", "QUỲNH LƯU"])), size * 0.9, "pal", INK, "c")
    c.text(48, 16.5, "TRUNG TÂM PHỤC VỤ HCC", size * 0.9, "pal_b", INK, "c")
    c.text(108, 12, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size * 0.8, "pal_b", INK, "c")
    w = c.text(108, 16.5, "Độc lập - Tự do - Hạnh phúc", size * 0.85, "pal_b", INK, "c")
    c.line(108 - w / 2, 17.6, 108 + w / 2, 17.6, 0.2)
    c.text(74, 36, "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", size * 1.15, "pal_b", INK, "c")
    c.text(
        74,
        41.5,
        f"Mã hồ sơ: H15.50.05.13-2610{rng.integers(10, 31)}-{rng.integers(1, 9999):04d}",
        size * 0.9,
        "pal_i",
        INK,
        "c",
    )
    y = 52.0
    for lab in ("Tiếp nhận hồ sơ của", "Địa chỉ", "Số điện thoại liên hệ", "Nội dung yêu cầu giải quyết"):
        wl = c.text(12, y, lab + ": ", size, "pal", INK)
        v = "Chứng thực bản sao từ bản chính" if "Nội" in lab else _value(rng, lab if "của" not in lab else "tên")
        c.text(12 + wl, y, v, size, "pal", INK)
        y += size * 1.8
    for ln in (
        "1. Thành phần hồ sơ: bản chính và bản sao giấy tờ",
        "2. Số lượng hồ sơ: 01 bộ",
        "3. Thời gian giải quyết: 02 ngày làm việc",
        f"4. Thời gian nhận hồ sơ: 9 giờ {rng.integers(10, 59)} phút, ngày {rng.integers(1, 29)}/10/2026",
        f"5. Thời gian trả kết quả: ngày {rng.integers(1, 29)}/11/2026",
        "6. Đăng ký nhận kết quả tại: Trung tâm Phục vụ hành chính công",
    ):
        c.text(12, y, ln, size, "pal", INK)
        y += size * 1.8
    y += 4
    c.text(40, y, "NGƯỜI NỘP HỒ SƠ", size, "pal_b", INK, "c")
    c.text(108, y, "NGƯỜI TIẾP NHẬN HỒ SƠ", size, "pal_b", INK, "c")
    c.signature(30, y + 18, 20, rng)
    c.signature(98, y + 18, 20, rng)
    c.text(40, y + 30, _name(rng), size, "pal", INK, "c")
    c.text(108, y + 30, _name(rng), size, "pal", INK, "c")
    return c


def doc_bank_slip(rng: np.random.Generator, ppm: float) -> Canvas:
    """A bank transfer order on a third of A4: tinted stock, boxed fields, handwriting, a blue stamp."""
    tint = [(232, 242, 250), (250, 236, 240), (240, 248, 232)][int(rng.integers(0, 3))]
    c = Canvas(210, 99, ppm, tint)
    frame = (40, 80, 150)
    c.text(105, 11, "ỦY NHIỆM CHI / PAYMENT ORDER", 5, "sans_b", frame, "c")
    c.text(190, 11, f"Số: {rng.integers(100, 999)}", 3.4, "sans", frame, "r")
    rows = [
        ("Tên tài khoản trích nợ", _name(rng).upper()),
        ("Số tài khoản", str(rng.integers(10**11, 10**12))),
        ("Tại ngân hàng", "Ngân hàng Nông nghiệp và Phát triển Nông thôn"),
        ("Tên tài khoản ghi có", "KHO BẠC NHÀ NƯỚC"),
        ("Số tiền bằng số", f"{rng.integers(50, 5000) * 1000:,} VND".replace(",", ".")),
        ("Nội dung", "Nộp lệ phí cấp giấy chứng nhận"),
    ]
    y = 18.0
    for lab, v in rows:
        c.rect(8, y, 202, y + 9, outline=frame, w=0.25)
        wl = c.text(10, y + 6.3, lab + ":", 3.2, "sans", frame)
        c.text(14 + wl, y + 6.5, v, 4.0, "hand", BLUE_INK)
        y += 9
    for k, hd in enumerate(("Kế toán", "Chủ tài khoản", "Ngân hàng A", "Ngân hàng B")):
        c.text(30 + k * 50, y + 5, hd, 3.0, "sans_b", frame, "c")
    return c


def doc_photocopy_cards(rng: np.random.Generator, ppm: float) -> tuple[Canvas, float]:
    """A certified photocopy: the chip ID's two faces copied onto A4 in grey toner, a certification line
    and a red seal. Returns the canvas and the cards' turn (degrees CCW) relative to the page."""
    c = Canvas(210, 297, ppm, (248, 248, 248))
    turn = float(rng.uniform(-1.5, 1.5))
    for k, kind in enumerate(("cccd_front", "cccd_back")):
        card = doc_card(rng, ppm, kind).bgr()
        g = cv2.cvtColor(card, cv2.COLOR_BGR2GRAY).astype(np.float32)
        g = np.clip((g - 110) * 1.6 + 150, 0, 255)
        gi = cv2.cvtColor(g.astype(np.uint8), cv2.COLOR_GRAY2RGB)
        h, w = gi.shape[:2]
        m = cv2.getRotationMatrix2D(((w - 1) / 2, (h - 1) / 2), turn, 1.0)
        rot = cv2.warpAffine(gi, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        mask = cv2.warpAffine(np.full((h, w), 255, np.uint8), m, (w, h), flags=cv2.INTER_LINEAR)
        c.paste(rot, 62, 30 + k * 68, mask)
    size = 4.0
    c.text(105, 172, "CHỨNG THỰC BẢN SAO ĐÚNG VỚI BẢN CHÍNH", size * 1.1, "serif_b", INK, "c")
    c.text(105, 180, f"Số chứng thực: {rng.integers(100, 9999)} Quyển số: 01/2026-SCT/BS", size, "serif", INK, "c")
    _signature_block(c, 140, 192, rng, "NGƯỜI THỰC HIỆN CHỨNG THỰC", size, True)
    return c, turn


# --------------------------------------------------------------------------- geometry and truth


def _apply(hm: np.ndarray, pts: np.ndarray) -> np.ndarray:
    p = np.c_[np.asarray(pts, np.float64), np.ones(len(pts))] @ hm.T
    return p[:, :2] / p[:, 2:3]


def place(w: int, h: int, angle: float, fx: float, fy: float, scale: float = 1.0, sy: float = 1.0) -> np.ndarray:
    """Homography turning a w × h document ``angle`` degrees counter-clockwise (as seen on screen) about
    its centre, scaling it (``sy``: extra stretch along the document's y) and putting its centre at (fx, fy)."""
    a = math.radians(angle)
    cx, cy = (w - 1) / 2, (h - 1) / 2
    t0 = np.array([[1, 0, -cx], [0, 1, -cy], [0, 0, 1]], np.float64)
    s = np.diag([scale, scale * sy, 1.0])
    r = np.array([[math.cos(a), math.sin(a), 0], [-math.sin(a), math.cos(a), 0], [0, 0, 1]], np.float64)
    t1 = np.array([[1, 0, fx], [0, 1, fy], [0, 0, 1]], np.float64)
    return t1 @ r @ s @ t0


def corners(w: int, h: int) -> np.ndarray:
    """The paper's outer corners in its own pixel-centre coordinates, TL TR BR BL."""
    return np.array([[-0.5, -0.5], [w - 0.5, -0.5], [w - 0.5, h - 0.5], [-0.5, h - 0.5]], np.float64)


def _clip(poly: np.ndarray, fw: int, fh: int) -> np.ndarray:
    """Sutherland–Hodgman clip to the frame [-0.5, size - 0.5]; keeps the order and the first vertex."""
    out = [tuple(p) for p in poly]
    for axis, lim, keep_less in ((0, -0.5, False), (0, fw - 0.5, True), (1, -0.5, False), (1, fh - 0.5, True)):
        src, out = out, []
        if not src:
            break
        for i, cur in enumerate(src):
            prev = src[i - 1]
            cin = cur[axis] <= lim if keep_less else cur[axis] >= lim
            pin = prev[axis] <= lim if keep_less else prev[axis] >= lim
            if cin != pin:
                t = (lim - prev[axis]) / (cur[axis] - prev[axis])
                out.append((prev[0] + t * (cur[0] - prev[0]), prev[1] + t * (cur[1] - prev[1])))
            if cin:
                out.append(cur)
        # the edge crossing was appended before the vertex, so a first vertex inside stays first
    keep = [p for i, p in enumerate(out) if math.dist(p, out[i - 1]) > 1e-6]  # crossings on a vertex
    res = np.array(keep or out, np.float64)
    if len(res) and len(poly) and not np.allclose(res[0], poly[0]):
        d = np.linalg.norm(res - poly[0], axis=1)
        res = np.roll(res, -int(np.argmin(d)), axis=0)
    return res


def poly_area(q: np.ndarray) -> float:
    q = np.asarray(q, np.float64)
    return float(0.5 * abs(np.sum(q[:, 0] * np.roll(q[:, 1], -1) - np.roll(q[:, 0], -1) * q[:, 1])))


def truth_geometry(
    hm: np.ndarray,
    w: int,
    h: int,
    fw: int,
    fh: int,
    content: float = 0.0,
    lens: Callable[[np.ndarray], np.ndarray] | None = None,
) -> dict[str, Any]:
    """Outline, quarter turn and skew of a w × h document put into a fw × fh frame by ``hm``.

    ``content``: the print's own turn on the paper (degrees CCW, a crooked photocopy). ``lens`` maps
    frame points through a lens distortion applied after the homography (edges are densified)."""
    cs = corners(w, h)
    if lens is None:
        paper = _apply(hm, cs)
    else:
        t = np.linspace(0, 1, 24, endpoint=False)[:, None]
        dense = np.concatenate([cs[i] + t * (cs[(i + 1) % 4] - cs[i]) for i in range(4)])
        paper = lens(_apply(hm, dense))
    c = np.array([[(w - 1) / 2, (h - 1) / 2]])
    p0 = _apply(hm, c)[0]
    p1 = _apply(hm, c + np.array([[1.0, 0.0]]))[0]  # one pixel along the document's x axis
    theta = math.degrees(math.atan2(-(p1[1] - p0[1]), p1[0] - p0[0])) + content
    q = round(theta / 90.0)
    return {
        "quad": _clip(paper, fw, fh).tolist(),
        "paper_quad": paper.tolist(),
        "rotation": int(q * 90) % 360,
        "skew_deg": float(theta - 90 * q),
    }


def composite(bg: np.ndarray, doc: np.ndarray, hm: np.ndarray, alpha: np.ndarray | None = None) -> np.ndarray:
    """Lay the document on the frame through ``hm``; edge pixels are blended by the area they cover."""
    fh, fw = bg.shape[:2]
    a = np.full(doc.shape[:2], 255, np.uint8) if alpha is None else alpha
    # With an alpha the colour is extended past the edge and weighted by the warped alpha; without
    # one, the zero border premultiplies the edge pixels by the area they cover (linear interpolation).
    warped = cv2.warpPerspective(
        doc,
        hm,
        (fw, fh),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT if alpha is None else cv2.BORDER_REPLICATE,
    )
    m = (
        cv2.warpPerspective(
            a, hm, (fw, fh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0
        ).astype(np.float32)[:, :, None]
        / 255.0
    )
    if alpha is not None:
        warped = warped.astype(np.float32) * m
    out = bg.astype(np.float32) * (1 - m) + warped.astype(np.float32)
    return np.clip(out, 0, 255).astype(np.uint8)


def _rounded(doc: np.ndarray, r_px: float) -> np.ndarray:
    """Alpha of a card with rounded corners."""
    h, w = doc.shape[:2]
    a = np.full((h, w), 255, np.uint8)
    r = max(1, round(r_px))
    corner = np.zeros((r, r), np.uint8)
    cv2.circle(corner, (r - 1, r - 1), r - 1, 255, -1, cv2.LINE_AA)
    a[:r, :r] = corner
    a[:r, w - r :] = corner[:, ::-1]
    a[h - r :, :r] = corner[::-1]
    a[h - r :, w - r :] = corner[::-1, ::-1]
    return a


# --------------------------------------------------------------------------- surfaces


def surface(kind: str, fw: int, fh: int, px_mm: float, rng: np.random.Generator) -> np.ndarray:
    """A background (BGR uint8) at ``px_mm`` pixels per millimetre of the scene."""
    yy, xx = np.mgrid[0:fh, 0:fw].astype(np.float32)
    xm, ym = xx / px_mm, yy / px_mm
    if kind == "lid_white":
        v = np.full((fh, fw, 3), rng.uniform(236, 250), np.float32)
    elif kind == "lid_grey":
        v = np.full((fh, fw, 3), rng.uniform(150, 200), np.float32)
    elif kind == "lid_black":
        v = np.full((fh, fw, 3), rng.uniform(14, 34), np.float32)
    elif kind == "lid_open":
        # Room light falls through the open lid: dark, brighter toward one side of the glass.
        side = xm / max(1.0, fw / px_mm) if rng.random() < 0.5 else ym / max(1.0, fh / px_mm)
        v = (20 + 120 * side**2)[..., None] * np.ones(3, np.float32)
    elif kind == "tiles":
        t = rng.uniform(90, 160)
        base = np.asarray(rng.uniform([170, 180, 190], [215, 220, 230]), np.float32)
        ix, iy = np.floor(xm / t), np.floor(ym / t)
        jitter = (np.sin(ix * 12.9898 + iy * 78.233) * 43758.5453) % 1.0
        v = base * (0.9 + 0.12 * jitter)[..., None]
        grout = (np.minimum(xm % t, t - xm % t) < 1.5) | (np.minimum(ym % t, t - ym % t) < 1.5)
        v[grout] = (120, 125, 130)
    elif kind == "wood":
        g = np.sin((xm * 0.9 + 4 * np.sin(ym * 0.05) + 2 * np.sin(ym * 0.21)) * rng.uniform(0.4, 0.9))
        v = np.stack([45 + 15 * g, 85 + 25 * g, 130 + 30 * g], -1)
    elif kind == "tablecloth":
        p = rng.uniform(12, 22)
        col = np.asarray([(60, 60, 200), (170, 90, 40), (60, 140, 60)][int(rng.integers(0, 3))], np.float32)
        a = ((xm // p) % 2 == 0).astype(np.float32)
        b = ((ym // p) % 2 == 0).astype(np.float32)
        dens = (0.5 * a + 0.5 * b)[..., None]
        v = 245 * (1 - dens) + (0.55 * col + 0.45 * 245) * dens
    elif kind == "counter":
        v = np.full((fh, fw, 3), rng.uniform(110, 150), np.float32) + rng.normal(0, 14, (fh, fw, 1)).astype(np.float32)
    else:  # desk: laminate
        v = np.broadcast_to(np.asarray(rng.uniform([120, 140, 160], [170, 180, 200]), np.float32), (fh, fw, 3)).copy()
    return np.clip(v, 0, 255).astype(np.uint8)


def _keyboard(bg: np.ndarray, px_mm: float, rng: np.random.Generator) -> None:
    """A keyboard across the top of a document-camera frame."""
    fw = bg.shape[1]
    depth = int(rng.uniform(45, 70) * px_mm)
    bg[:depth] = (40, 40, 44)
    key = 18 * px_mm
    for r in range(int(depth / key)):
        off = (r * 0.4 * key) % key
        for k in range(int(fw / key) + 1):
            x0, y0 = int(off + k * key + 2 * px_mm), int(r * key + 2 * px_mm)
            cv2.rectangle(bg, (x0, y0), (int(x0 + key - 4 * px_mm), int(y0 + key - 4 * px_mm)), (70, 70, 76), -1)


def _other_papers(bg: np.ndarray, px_mm: float, rng: np.random.Generator) -> None:
    """Other sheets under the document: white, printed lines, turned."""
    fh, fw = bg.shape[:2]
    for _ in range(int(rng.integers(2, 4))):
        w, h = rng.uniform(150, 215) * px_mm, rng.uniform(200, 300) * px_mm
        cx, cy = rng.uniform(0, fw), rng.uniform(0, fh)
        a = rng.uniform(0, 180)
        box = cv2.boxPoints(((cx, cy), (w, h), a)).astype(np.int32)
        cv2.fillPoly(bg, [box], (238, 240, 242))
        m = cv2.getRotationMatrix2D((cx, cy), -a, 1.0)
        for k in range(14):
            y = cy - h / 2 + (25 + 12 * k) * px_mm
            pts = np.array([[cx - w / 2 + 20 * px_mm, y], [cx + w / 2 - 20 * px_mm, y]])
            pts = (np.c_[pts, np.ones(2)] @ m.T).astype(np.int32)
            cv2.line(bg, tuple(pts[0]), tuple(pts[1]), (110, 110, 110), max(1, int(1.6 * px_mm)))


def _fingers(img: np.ndarray, paper: np.ndarray, px_mm: float, rng: np.random.Generator) -> None:
    """A thumb holding the page down from a side: skin over the paper's edge."""
    fh, fw = img.shape[:2]
    left = rng.random() < 0.5
    xs = paper[:, 0]
    edge_x = xs.min() if left else xs.max()
    y = rng.uniform(paper[:, 1].min() + 0.25 * np.ptp(paper[:, 1]), paper[:, 1].max() - 0.25 * np.ptp(paper[:, 1]))
    tip = edge_x + (1 if left else -1) * rng.uniform(10, 22) * px_mm
    root = -40 * px_mm if left else fw + 40 * px_mm
    wdt = rng.uniform(16, 21) * px_mm
    layer = np.zeros((fh, fw), np.uint8)
    cv2.line(layer, (int(root), int(y + 15 * px_mm)), (int(tip), int(y)), 255, int(wdt))
    cv2.circle(layer, (int(tip), int(y)), int(wdt / 2), 255, -1)
    m = cv2.GaussianBlur(layer, (0, 0), 1.2 * px_mm).astype(np.float32)[..., None] / 255
    skin = np.asarray(rng.uniform([95, 125, 170], [130, 160, 215]), np.float32)
    shade = cv2.GaussianBlur(layer, (0, 0), 6 * px_mm).astype(np.float32)[..., None] / 255
    col = skin * (0.75 + 0.25 * shade)
    img[:] = np.clip(img * (1 - m) + col * m, 0, 255).astype(np.uint8)


# --------------------------------------------------------------------------- capture finish


def _jpeg(img: np.ndarray, q: int, sub420: bool) -> np.ndarray:
    params = [
        cv2.IMWRITE_JPEG_QUALITY,
        q,
        cv2.IMWRITE_JPEG_SAMPLING_FACTOR,
        cv2.IMWRITE_JPEG_SAMPLING_FACTOR_420 if sub420 else cv2.IMWRITE_JPEG_SAMPLING_FACTOR_444,
    ]
    ok, buf = cv2.imencode(".jpg", img, params)
    return cv2.imdecode(buf, cv2.IMREAD_COLOR) if ok else img


def scanner_finish(
    img: np.ndarray, rng: np.random.Generator, nrng: np.random.Generator, streaks: bool = False
) -> np.ndarray:
    """Sensor noise, a slight optical blur, ADF streaks (a speck on the glass line), JPEG."""
    out = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.35, 0.7)).astype(np.float32)
    if streaks:
        fw = img.shape[1]
        for _ in range(int(rng.integers(1, 4))):
            x = int(rng.uniform(0.05, 0.95) * fw)
            wd = int(rng.integers(1, 4))
            out[:, x : x + wd] *= rng.uniform(0.55, 0.85)
    out += nrng.normal(0, rng.uniform(1.0, 2.5), out.shape[:2])[..., None].astype(np.float32)
    res = np.clip(out, 0, 255).astype(np.uint8)
    return _jpeg(res, int(rng.integers(85, 96)), bool(rng.random() < 0.3))


def photo_finish(
    img: np.ndarray, rng: np.random.Generator, nrng: np.random.Generator, top_light: bool = False, shadow: bool = False
) -> np.ndarray:
    """Uneven light, vignetting, white balance, a shadow, defocus, shot noise, JPEG 4:2:0."""
    fh, fw = img.shape[:2]
    yy, xx = np.mgrid[0:fh, 0:fw].astype(np.float32)
    xn, yn = xx / fw - 0.5, yy / fh - 0.5
    gx, gy = rng.uniform(-0.35, 0.35, 2)
    light = 1.0 + gx * xn + gy * yn - rng.uniform(0.15, 0.4) * (xn**2 + yn**2)
    if top_light:
        cx, cy = rng.uniform(-0.2, 0.2, 2)
        light += 0.25 * np.exp(-((xn - cx) ** 2 + (yn - cy) ** 2) / 0.03)
    if shadow:
        a = rng.uniform(0, math.pi)
        d = xn * math.cos(a) + yn * math.sin(a) - rng.uniform(-0.15, 0.15)
        light *= 1 - rng.uniform(0.25, 0.45) / (1 + np.exp(-d / 0.02))
    wb = rng.uniform([0.85, 0.95, 0.95], [1.0, 1.0, 1.1]).astype(np.float32)
    out = img.astype(np.float32) * light[..., None] * wb
    out = cv2.GaussianBlur(out, (0, 0), rng.uniform(0.6, 1.3))
    sig = rng.uniform(2.5, 6.0)
    out += nrng.normal(0, 1, out.shape).astype(np.float32) * sig * np.sqrt(np.clip(out, 1, 255) / 128)
    res = np.clip(out, 0, 255).astype(np.uint8)
    return _jpeg(res, int(rng.integers(72, 90)), True)


def lens_maps(fw: int, fh: int, k: float) -> tuple[np.ndarray, np.ndarray, Callable[[np.ndarray], np.ndarray]]:
    """Barrel distortion: remap grids and the forward map of points (for the truth outline)."""
    cx, cy, r0 = (fw - 1) / 2, (fh - 1) / 2, math.hypot(fw, fh) / 2
    yy, xx = np.mgrid[0:fh, 0:fw].astype(np.float32)
    dx, dy = (xx - cx) / r0, (yy - cy) / r0
    f = 1 + k * (dx * dx + dy * dy)
    mx, my = (cx + dx * f * r0).astype(np.float32), (cy + dy * f * r0).astype(np.float32)

    def forward(pts: np.ndarray) -> np.ndarray:
        s = (np.asarray(pts, np.float64) - [cx, cy]) / r0
        p = s.copy()
        for _ in range(30):  # p (1 + k |p|²) = s, by fixed point
            p = s / (1 + k * np.sum(p * p, axis=1, keepdims=True))
        return p * r0 + [cx, cy]

    return mx, my, forward


# --------------------------------------------------------------------------- scenes


@dataclass
class Page:
    """One generated frame: ``image`` BGR uint8, ``dpi`` (None: unknown), ``truth`` (see module doc)."""

    image: np.ndarray
    dpi: int | None
    truth: dict[str, Any]


@dataclass
class Ctx:
    rng: np.random.Generator  # scene choices: independent of dpi
    nrng: np.random.Generator  # pixel noise
    dpi: int

    @property
    def ppm(self) -> float:
        return self.dpi / 25.4


def _flatbed(
    ctx: Ctx,
    doc: np.ndarray,
    bed_mm: tuple[float, float],
    lid: str,
    angle: float,
    at: str = "corner",
    alpha: np.ndarray | None = None,
    under: int = 0,
    streaks: bool = False,
    sy: float = 1.0,
    content: float = 0.0,
) -> tuple[np.ndarray, dict[str, Any]]:
    """A flatbed (or ADF) scan: the document on a bed of ``bed_mm`` at the frame's own resolution."""
    rng = ctx.rng
    fw, fh = round(bed_mm[0] * ctx.ppm), round(bed_mm[1] * ctx.ppm)
    h, w = doc.shape[:2]
    bg = surface(lid, fw, fh, ctx.ppm, rng)
    hm0 = place(w, h, angle, 0, 0, sy=sy)
    pc = _apply(hm0, corners(w, h))
    if at == "corner":  # pushed against the registration corner, a few mm off
        off = rng.uniform(0.5, 5, 2) * ctx.ppm
        fx, fy = off[0] - pc[:, 0].min(), off[1] - pc[:, 1].min()
    else:
        span_x = max(0.0, fw - np.ptp(pc[:, 0]))
        span_y = max(0.0, fh - np.ptp(pc[:, 1]))
        fx = rng.uniform(0.1, 0.9) * span_x - pc[:, 0].min()
        fy = rng.uniform(0.1, 0.9) * span_y - pc[:, 1].min()
    hm = place(w, h, angle, fx, fy, sy=sy)
    img = bg
    for k in range(under):  # pages stapled beneath, peeking out a little
        dx, dy = rng.uniform(1.0, 3.5, 2) * ctx.ppm
        sheet = np.full_like(doc, int(rng.uniform(236, 248)))
        hu = place(w, h, angle + rng.uniform(-0.8, 0.8), fx + dx * (k + 1), fy + dy * (k + 1), sy=sy)
        img = composite(img, sheet, hu)
    img = composite(img, doc, hm, alpha)
    tr = truth_geometry(hm, w, h, fw, fh, content)
    return scanner_finish(img, rng, ctx.nrng, streaks), tr


def _photo(
    ctx: Ctx,
    doc: np.ndarray,
    bg_kind: str,
    angle: float,
    fill: float = 0.75,
    persp: float = 0.06,
    lens_k: float = 0.0,
    fingers: bool = False,
    extra: str = "",
    shadow: bool = False,
    top_light: bool = False,
    alpha: np.ndarray | None = None,
    off_edge: bool = False,
    landscape: bool | None = None,
) -> tuple[np.ndarray, dict[str, Any]]:
    """A phone or document-camera photo of the document; truth through the same homography and lens."""
    rng = ctx.rng
    long_side = round(1900 * ctx.dpi / 150)
    h, w = doc.shape[:2]
    if landscape is None:
        landscape = bool(rng.random() < 0.4)
    fw, fh = (long_side, round(long_side * 0.75)) if landscape else (round(long_side * 0.75), long_side)
    # Scale: the document's turned bounding box takes ``fill`` of the frame.
    pc = _apply(place(w, h, angle, 0, 0), corners(w, h))
    scale = fill * min(fw / np.ptp(pc[:, 0]), fh / np.ptp(pc[:, 1]))
    px_mm = scale * ctx.ppm
    # A lens draws into the frame what lay beyond it: the scene is laid out on a margin it can pull in.
    pad = math.ceil(lens_k * max(fw, fh) / 2) + 2 if lens_k else 0
    bg = surface(bg_kind, fw + 2 * pad, fh + 2 * pad, px_mm, rng)
    if extra == "keyboard":
        _keyboard(bg, px_mm, rng)
    elif extra == "papers":
        _other_papers(bg, px_mm, rng)
    room = (1 - fill) / 2
    fx = fw * (0.5 + rng.uniform(-room, room) * 0.8)
    fy = fh * (0.5 + rng.uniform(-room, room) * 0.8)
    if off_edge:  # the page runs off one side of the frame
        side = int(rng.integers(0, 4))
        shift = rng.uniform(0.06, 0.14)
        fx += (-1, 1, 0, 0)[side] * shift * fw
        fy += (0, 0, -1, 1)[side] * shift * fh
    hm = place(w, h, angle, fx, fy, scale)
    dst = _apply(hm, corners(w, h)) + rng.uniform(-1, 1, (4, 2)) * persp * np.array([fw, fh]) * 0.5
    hm = cv2.getPerspectiveTransform(corners(w, h).astype(np.float32), dst.astype(np.float32)).astype(np.float64)
    shift = np.array([[1, 0, pad], [0, 1, pad], [0, 0, 1]], np.float64)
    img = composite(bg, doc, shift @ hm, alpha)
    lens = None
    if lens_k:
        mx, my, lens = lens_maps(fw, fh, lens_k)
        img = cv2.remap(img, mx + pad, my + pad, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    tr = truth_geometry(hm, w, h, fw, fh, 0.0, lens)
    if fingers:
        _fingers(img, np.asarray(tr["paper_quad"]), px_mm, rng)
    return photo_finish(img, rng, ctx.nrng, top_light, shadow), tr


def _turn(rng: np.random.Generator, quarters: tuple[int, ...], spread: float, small: float = 0.0) -> float:
    """An angle: a quarter turn from ``quarters`` plus a tilt of ±``spread`` (at least ``small`` away from 0)."""
    t = rng.uniform(small, spread) * (1 if rng.random() < 0.5 else -1)
    return 90.0 * float(rng.choice(quarters)) + t


def _sticky(doc: Canvas, rng: np.random.Generator) -> None:
    """A yellow sticky note with a handwritten reminder, slightly turned, on the page."""
    note = Canvas(48, 48, doc.ppm, (252, 236, 120))
    note.text(5, 14, str(rng.choice(["Bổ sung", "Gấp!", "Trả lại"])), 6, "hand", (30, 30, 90))
    note.text(5, 26, "bản sao CCCD", 5, "hand", (30, 30, 90))
    arr = np.asarray(note.img)
    h, w = arr.shape[:2]
    m = cv2.getRotationMatrix2D(((w - 1) / 2, (h - 1) / 2), rng.uniform(-8, 8), 1.0)
    rot = cv2.warpAffine(arr, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    mask = cv2.warpAffine(np.full((h, w), 255, np.uint8), m, (w, h), flags=cv2.INTER_LINEAR)
    doc.paste(rot, rng.uniform(120, 150), rng.uniform(60, 200), mask)


def _staple(doc: Canvas) -> None:
    doc.d.line([(doc.p(6), doc.p(14)), (doc.p(14), doc.p(6))], fill=(130, 130, 135), width=max(1, round(doc.p(0.8))))


BED_A4 = (216.0, 297.0)
BED_A3 = (297.0, 420.0)


def _blank_doc(rng: np.random.Generator, ppm: float) -> tuple[np.ndarray, str]:
    kind = str(rng.choice(["bleed", "copier", "plain"]))
    c = Canvas(210, 297, ppm, (253, 253, 251))
    arr = c.bgr().astype(np.float32)
    h, w = arr.shape[:2]
    if kind == "bleed":
        back = doc_form(rng, ppm, "don").bgr().astype(np.float32)[:, ::-1]
        back = cv2.GaussianBlur(back, (0, 0), 1.5 * ppm / 5.9)
        arr = arr - (255 - back) * rng.uniform(0.035, 0.06)
    elif kind == "copier":
        arr += (cv2.resize(rng.normal(0, 1, (30, 21)).astype(np.float32), (w, h)) * 3)[..., None]
        pts = (rng.random((int(rng.integers(40, 120)), 2)) * [w, h]).astype(int)
        for x, y in pts:
            arr[max(0, y - 1) : y + 1, max(0, x - 1) : x + 1] -= rng.uniform(40, 120)
    return np.clip(arr, 0, 255).astype(np.uint8), kind


def _near_blank_doc(rng: np.random.Generator, ppm: float) -> tuple[np.ndarray, str]:
    c = Canvas(210, 297, ppm, (254, 254, 252))
    kind = str(rng.choice(["page_number", "signature", "date_only"]))
    if kind == "page_number":
        c.text(105, 285, f"- {rng.integers(2, 9)} -", 4.2, "serif", INK, "c")
    elif kind == "signature":
        c.signature(rng.uniform(110, 150), rng.uniform(200, 250), 28, rng, (120, 130, 170))
    else:
        c.text(
            140,
            rng.uniform(120, 250),
            f"ngày {rng.integers(1, 29)} tháng {rng.integers(1, 13)} năm 2026",
            4.4,
            "serif_i",
            (90, 90, 90),
            "c",
        )
    return c.bgr(), kind


def _build(scene: str, ctx: Ctx) -> tuple[np.ndarray, int | None, dict[str, Any]]:
    """Draw the scene; returns the frame, its stated dpi and the scene's truth (geometry + flags)."""
    rng, ppm, dpi = ctx.rng, ctx.ppm, ctx.dpi
    cls = CLASS_OF[scene]
    flags = {"has_text_lines": True, "skew_scored": cls == "flatbed", "blank": False, "near_blank": False}
    out_dpi: int | None = dpi
    if scene == "tokhai_whitelid":
        doc = doc_form(rng, ppm, "to_khai").bgr()
        img, tr = _flatbed(ctx, doc, BED_A4, "lid_white", _turn(rng, (0, 0, 0, 2), 3.0, 0.1))
    elif scene == "dondenghi_lidopen":
        doc = doc_form(rng, ppm, "don").bgr()
        img, tr = _flatbed(ctx, doc, BED_A4, "lid_open", _turn(rng, (0,), 2.5), at="centre")
    elif scene == "adf_trichluc":
        doc = doc_form(rng, ppm, "birth").bgr()
        img, tr = _flatbed(
            ctx,
            doc,
            (216.0, 305.0),
            "lid_grey",
            _turn(rng, (0, 0, 2), 1.5),
            at="centre",
            streaks=True,
            sy=float(rng.uniform(1.0, 1.012)),
        )
        out_dpi = None if rng.random() < 0.5 else dpi  # the ADF app saved a JPEG without a resolution
    elif scene == "land_cert_greylid":
        doc = doc_land(rng, ppm).bgr()
        img, tr = _flatbed(ctx, doc, BED_A4, "lid_grey", _turn(rng, (0, 2), 2.0), at="centre")
    elif scene == "letter_ruled":
        doc = doc_letter(rng, ppm).bgr()
        img, tr = _flatbed(ctx, doc, BED_A4, "lid_white", _turn(rng, (0,), 3.0, 0.2))
    elif scene == "photocopy_cards_copier":
        c, _card_turn = doc_photocopy_cards(rng, ppm)
        doc = c.bgr()
        h, w = doc.shape[:2]
        q = int(rng.choice([0, 2]))
        hm = place(w, h, 90.0 * q, (w - 1) / 2, (h - 1) / 2)
        img = composite(np.zeros_like(doc), doc, hm)
        tr = truth_geometry(hm, w, h, w, h)
        img = scanner_finish(img, rng, ctx.nrng)
        flags["skew_scored"] = False  # the certification lines and the copied cards disagree by ``turn``
        tr["skew_deg"] = 0.0
    elif scene == "stapled_sticky":
        c = doc_form(rng, ppm, "to_khai")
        _sticky(c, rng)
        _staple(c)
        img, tr = _flatbed(
            ctx, c.bgr(), BED_A4, "lid_black", _turn(rng, (0,), 1.5), at="centre", under=int(rng.integers(1, 3))
        )
    elif scene == "register_a3":
        doc = doc_register(rng, ppm).bgr()
        img, tr = _flatbed(ctx, doc, BED_A3, "lid_white", _turn(rng, (1, 3), 2.0), at="corner")
        out_dpi = int(rng.choice([96, 72]))  # a driver that writes a screen resolution into the file
    elif scene == "booklet_spread":
        left, right = doc_form(rng, ppm, "don"), doc_letter(rng, ppm)
        a = cv2.resize(left.bgr(), (round(125 * ppm), round(176 * ppm)), interpolation=cv2.INTER_AREA)
        b = cv2.resize(right.bgr(), (round(125 * ppm), round(176 * ppm)), interpolation=cv2.INTER_AREA)
        spread = np.concatenate([a, b], 1).astype(np.float32)
        w = spread.shape[1]
        x = np.arange(w, dtype=np.float32)
        gutter = 1 - 0.45 * np.exp(-(((x - w / 2) / (6 * ppm)) ** 2))
        doc = np.clip(spread * gutter[None, :, None], 0, 255).astype(np.uint8)
        img, tr = _flatbed(ctx, doc, BED_A4, "lid_open", _turn(rng, (1, 3), 2.0), at="centre")
    elif scene == "bill_fullframe":
        doc = doc_bill(rng, ppm).bgr()
        h, w = doc.shape[:2]
        q = int(rng.choice([0, 1, 2, 3]))
        fw, fh = (w, h) if q % 2 == 0 else (h, w)
        hm = place(w, h, 90.0 * q, (fw - 1) / 2, (fh - 1) / 2)
        img = scanner_finish(composite(np.zeros((fh, fw, 3), np.uint8), doc, hm), rng, ctx.nrng)
        tr = truth_geometry(hm, w, h, fw, fh)
    elif scene == "near_blank":
        doc, kind = _near_blank_doc(rng, ppm)
        img, tr = _flatbed(ctx, doc, BED_A4, str(rng.choice(["lid_white", "lid_black"])), _turn(rng, (0,), 1.5))
        flags.update(has_text_lines=False, skew_scored=False, near_blank=True)
        tr["kind"] = kind
    elif scene == "blank_page":
        doc, kind = _blank_doc(rng, ppm)
        img, tr = _flatbed(ctx, doc, BED_A4, str(rng.choice(["lid_white", "lid_grey"])), _turn(rng, (0,), 1.0))
        flags.update(has_text_lines=False, skew_scored=False, blank=True)
        tr["kind"] = kind
    elif scene == "phone_tiles":
        doc = doc_form(rng, ppm, str(rng.choice(["to_khai", "birth"]))).bgr()
        img, tr = _photo(
            ctx,
            doc,
            "tiles",
            _turn(rng, (0,), 8.0),
            fill=rng.uniform(0.7, 0.88),
            persp=rng.uniform(0.03, 0.09),
            lens_k=rng.uniform(0.02, 0.06),
        )
    elif scene == "phone_wood_fingers":
        doc = doc_form(rng, ppm, "don").bgr()
        img, tr = _photo(
            ctx,
            doc,
            "wood",
            _turn(rng, (0,), 6.0),
            fill=rng.uniform(0.78, 0.92),
            persp=rng.uniform(0.02, 0.07),
            fingers=True,
            off_edge=bool(rng.random() < 0.5),
        )
    elif scene == "phone_tablecloth":
        doc = (doc_letter(rng, ppm) if rng.random() < 0.5 else doc_bill(rng, ppm)).bgr()
        img, tr = _photo(
            ctx,
            doc,
            "tablecloth",
            _turn(rng, (0, 0, 2), 10.0),
            fill=rng.uniform(0.6, 0.8),
            persp=rng.uniform(0.04, 0.1),
            lens_k=rng.uniform(0.0, 0.04),
        )
    elif scene == "doccam_keyboard":
        doc = doc_form(rng, ppm, "to_khai").bgr()
        img, tr = _photo(
            ctx,
            doc,
            "desk",
            _turn(rng, (0,), 3.0),
            fill=rng.uniform(0.6, 0.75),
            persp=0.015,
            extra="keyboard",
            top_light=True,
            landscape=True,
        )
    elif scene == "phone_on_papers":
        doc = doc_form(rng, ppm, str(rng.choice(["don", "birth"]))).bgr()
        img, tr = _photo(
            ctx,
            doc,
            "counter",
            _turn(rng, (0,), 12.0),
            fill=rng.uniform(0.65, 0.8),
            persp=rng.uniform(0.03, 0.08),
            extra="papers",
        )
    elif scene == "phone_turned_shadow":
        doc = doc_form(rng, ppm, "to_khai").bgr()
        img, tr = _photo(
            ctx,
            doc,
            "counter",
            _turn(rng, (1, 3), 5.0),
            fill=rng.uniform(0.7, 0.85),
            persp=rng.uniform(0.03, 0.08),
            shadow=True,
            landscape=True,
        )
    elif scene == "cccd_front_scan":
        doc = doc_card(rng, ppm, "cccd_front").bgr()
        img, tr = _flatbed(
            ctx, doc, BED_A4, "lid_white", _turn(rng, (0, 0, 1, 2), 6.0), at="centre", alpha=_rounded(doc, 3.2 * ppm)
        )
    elif scene == "cccd_back_photo":
        doc = doc_card(rng, ppm, "cccd_back").bgr()
        img, tr = _photo(
            ctx,
            doc,
            str(rng.choice(["wood", "counter"])),
            _turn(rng, (0, 0, 2), 15.0),
            fill=rng.uniform(0.45, 0.75),
            persp=rng.uniform(0.02, 0.07),
            alpha=_rounded(doc, 3.2 * ppm),
        )
    elif scene == "cancuoc_tablecloth":
        doc = doc_card(rng, ppm, "cancuoc").bgr()
        img, tr = _photo(
            ctx,
            doc,
            "tablecloth",
            _turn(rng, (0, 1, 3), 10.0),
            fill=rng.uniform(0.5, 0.7),
            persp=rng.uniform(0.02, 0.06),
            alpha=_rounded(doc, 3.2 * ppm),
        )
    elif scene == "bhyt_licence_blacklid":
        doc = doc_card(rng, ppm, str(rng.choice(["bhyt", "licence"]))).bgr()
        img, tr = _flatbed(
            ctx, doc, BED_A4, "lid_black", _turn(rng, (0, 1, 2, 3), 4.0), at="centre", alpha=_rounded(doc, 3.2 * ppm)
        )
    elif scene == "thermal_receipt":
        doc = doc_receipt(rng, ppm).bgr()
        img, tr = _flatbed(
            ctx, doc, BED_A4, str(rng.choice(["lid_black", "lid_white"])), _turn(rng, (0, 0, 2), 4.0), at="centre"
        )
    elif scene == "a5_hen_tra":
        doc = doc_slip_a5(rng, ppm).bgr()
        img, tr = _flatbed(ctx, doc, BED_A4, "lid_white", _turn(rng, (0, 1, 2, 3), 2.0), at="corner")
    elif scene == "bank_slip_photo":
        doc = doc_bank_slip(rng, ppm).bgr()
        img, tr = _photo(
            ctx,
            doc,
            str(rng.choice(["desk", "wood"])),
            _turn(rng, (0, 0, 2), 7.0),
            fill=rng.uniform(0.7, 0.9),
            persp=rng.uniform(0.02, 0.06),
            landscape=True,
        )
    else:
        raise ValueError(scene)
    return img, out_dpi, {**tr, **flags}


# Scene → class. Flatbed: full pages scanned (incl. blank and near-blank); camera: photographed pages;
# card: ID-1 cards however captured; slip: receipts, A5 and bank slips however captured.
CLASS_OF: dict[str, str] = {
    "tokhai_whitelid": "flatbed",
    "dondenghi_lidopen": "flatbed",
    "adf_trichluc": "flatbed",
    "land_cert_greylid": "flatbed",
    "letter_ruled": "flatbed",
    "photocopy_cards_copier": "flatbed",
    "stapled_sticky": "flatbed",
    "register_a3": "flatbed",
    "booklet_spread": "flatbed",
    "bill_fullframe": "flatbed",
    "near_blank": "flatbed",
    "blank_page": "flatbed",
    "phone_tiles": "camera",
    "phone_wood_fingers": "camera",
    "phone_tablecloth": "camera",
    "doccam_keyboard": "camera",
    "phone_on_papers": "camera",
    "phone_turned_shadow": "camera",
    "cccd_front_scan": "card",
    "cccd_back_photo": "card",
    "cancuoc_tablecloth": "card",
    "bhyt_licence_blacklid": "card",
    "thermal_receipt": "slip",
    "a5_hen_tra": "slip",
    "bank_slip_photo": "slip",
}
SCENES: tuple[str, ...] = tuple(CLASS_OF)


def generate_page(seed: int, index: int, dpi: int, scene: str | None = None) -> Page:
    """Frame ``index`` of the set ``seed`` at base resolution ``dpi`` (``scene`` forces one scene)."""
    sc = scene or SCENES[index % len(SCENES)]
    ctx = Ctx(np.random.default_rng([seed, index, 8]), np.random.default_rng([seed, index, 8, dpi]), int(dpi))
    img, out_dpi, t = _build(sc, ctx)
    fh, fw = img.shape[:2]
    quad = np.asarray(t["quad"])
    full = poly_area(quad) >= 0.99 * fw * fh
    truth = {
        "name": f"{sc}#{index}",
        "scene": sc,
        "class": CLASS_OF[sc],
        "size": [fw, fh],
        "quad": t["quad"],
        "paper_quad": t["paper_quad"],
        "rotation": t["rotation"],
        "skew_deg": round(float(t["skew_deg"]), 4),
        "skew_scored": bool(t["skew_scored"]),
        "has_text_lines": bool(t["has_text_lines"]),
        "orientation_scored": bool(t["has_text_lines"]) and not t["blank"],
        "blank": bool(t["blank"]),
        "near_blank": bool(t["near_blank"]),
        "full_frame": bool(full),
        "dpi_stated": out_dpi if sc not in _PHOTO_SCENES else None,
    }
    if "kind" in t:
        truth["kind"] = t["kind"]
    return Page(img, out_dpi if sc not in _PHOTO_SCENES else None, truth)


_PHOTO_SCENES = {
    "phone_tiles",
    "phone_wood_fingers",
    "phone_tablecloth",
    "doccam_keyboard",
    "phone_on_papers",
    "phone_turned_shadow",
    "cccd_back_photo",
    "cancuoc_tablecloth",
    "bank_slip_photo",
}

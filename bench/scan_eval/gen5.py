"""Fifth page generator (issue #13): a held-out check written from scratch, session 9.

Nobody tunes the pipeline on this set: it is reported on only. It was written without reading
the other generators or the pipeline's internals; its choices come from what a Vietnamese
one-stop counter scans and from how flatbed scanners, feeders and phones capture paper.

Model, in three independent stages:

1. **The document** is drawn upright at its own resolution as *ink coverage layers* (black
   toner, red seal ink, blue pen) over a paper albedo, and combined subtractively (each ink
   multiplies the light the paper reflects), so a red seal over black text looks like ink on
   ink and stays red. Layouts follow Nghị định 30/2020 (Times-style serif, margins
   20–25 / 30–35 / 15–20 mm, the two-column national header, signature block on the right);
   the A5 slip is Mẫu 01 of Thông tư 01/2018 / 03/2025 (Giấy tiếp nhận hồ sơ và hẹn trả kết
   quả); the card is a CCCD (ID-1, 85.6 × 54 mm).
2. **The placement** is one homography from the document's pixels to the frame (turn, tilt,
   registration offset, perspective), optionally with a bend that keeps the corners fixed. The
   truth comes from the same matrix: the outline is the homography of the document's edges
   (pixel edges at −0.5 and size − 0.5), clipped to the frame; ``rotation`` is the clockwise
   quarter-turn that makes the document upright; ``skew_deg`` is the text lines' tilt in the
   frame, counter-clockwise positive, reduced to (−45°, 45°].
3. **The capture**: a scanner (optics blur, sensor noise, lid or feeder backing, dark bed
   strips, the paper's edge shadow, JPEG) or a phone (light falloff, soft shadows, glare,
   motion blur, sharpening halo, chroma noise, JPEG). Backgrounds (wood, cloth, laminate,
   clutter) are synthesised here from value noise.

Every frame is deterministic in ``(seed, index, dpi)``: scene choices depend on ``(seed,
index)`` only, so the same frame at another resolution is the same scene. Scenes cycle so that
any 20 consecutive frames hold every scene once (35 % flatbed incl. 5 % blank / near-blank,
30 % camera, 20 % card, 15 % slip).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT_DIR = Path(__file__).resolve().parents[2] / "resources" / "fonts"
MM = 1 / 25.4  # inches per millimetre

# One entry per scene, in the order frames cycle through them.
SCENES: tuple[str, ...] = (
    "lid_form", "phone_wood", "card_front_dark", "slip_a5_lid", "lid_table_sideways",
    "phone_cloth_offframe", "photocopy_crooked", "till_receipt", "phone_spread", "card_back_light",
    "adf_fill", "phone_clutter", "blankish", "bed_strips_tilt", "slip_a6_turned",
    "card_pair", "phone_bent_blur", "notice_seal_upside", "card_in_hand", "phone_dark_desk",
)
FLATBED_SCENES: tuple[str, ...] = ("lid_form", "lid_table_sideways", "photocopy_crooked", "adf_fill",
                                   "bed_strips_tilt", "notice_seal_upside")
SCENE_CLASS: dict[str, str] = {s: ("camera" if s.startswith("phone") else "card" if s.startswith("card")
                                   else "slip" if s.startswith(("slip", "till")) else "flatbed") for s in SCENES}


@dataclass
class Frame:
    """One generated frame: the image as a device would deliver it, its DPI (None for a phone
    photo) and its truth in the real set's format (see ``bench/scan_eval/real_truth.json``)."""

    image: np.ndarray
    dpi: int | None
    truth: dict[str, Any]


# --------------------------------------------------------------------------- words

AGENCIES = ("ỦY BAN NHÂN DÂN", "UBND PHƯỜNG HÒA BÌNH", "UBND XÃ TÂN PHÚ", "CÔNG AN PHƯỜNG", "UBND XÃ ĐỒNG TÂM")
PLACES = ("Hà Nội", "Đà Nẵng", "Cần Thơ", "Huế", "Hải Phòng", "Nghệ An", "Lâm Đồng", "Quảng Ninh")
TITLES = ("THÔNG BÁO", "TỜ KHAI ĐĂNG KÝ KHAI SINH", "ĐƠN ĐỀ NGHỊ CẤP BẢN SAO", "GIẤY XÁC NHẬN",
          "PHIẾU YÊU CẦU BỔ SUNG HỒ SƠ", "QUYẾT ĐỊNH", "BIÊN BẢN TIẾP NHẬN", "TỜ KHAI THAY ĐỔI THÔNG TIN CƯ TRÚ")
PHRASES = (
    "Căn cứ Luật Tổ chức chính quyền địa phương", "theo đề nghị của công dân", "về việc giải quyết thủ tục hành chính",
    "hồ sơ gồm các thành phần sau đây", "bản sao có chứng thực", "đã được tiếp nhận đầy đủ và hợp lệ",
    "trong thời hạn mười lăm ngày làm việc", "kể từ ngày nhận đủ hồ sơ", "Bộ phận tiếp nhận và trả kết quả",
    "người nộp hồ sơ có trách nhiệm", "xuất trình bản chính để đối chiếu", "nơi thường trú hiện nay",
    "giấy tờ chứng minh nhân thân", "theo quy định tại Nghị định số 118/2025/NĐ-CP", "đề nghị cơ quan có thẩm quyền",
    "xem xét và giải quyết", "các cơ quan, tổ chức, cá nhân có liên quan", "chịu trách nhiệm thi hành",
    "thông tin đã khai là đúng sự thật", "nếu sai tôi xin chịu trách nhiệm trước pháp luật", "số định danh cá nhân",
    "đăng ký thường trú tại địa chỉ", "phí, lệ phí theo quy định", "ngày hẹn trả kết quả", "quá hạn giải quyết",
    "văn bản này có hiệu lực kể từ ngày ký", "Trung tâm Phục vụ hành chính công", "cán bộ tiếp nhận hướng dẫn",
    "thành phần hồ sơ còn thiếu", "được lưu trữ theo quy định", "Ủy ban nhân dân cấp xã", "chứng thực chữ ký",
)
NAMES = ("Nguyễn Văn An", "Trần Thị Bích Ngọc", "Lê Hoàng Phúc", "Phạm Minh Đức", "Võ Thị Hằng", "Đặng Quốc Huy",
         "Bùi Thị Thu Trang", "Hoàng Đức Thắng", "Đỗ Thị Mai Anh", "Huỳnh Tấn Lộc")
FIELDS = ("Họ và tên", "Ngày, tháng, năm sinh", "Giới tính", "Dân tộc", "Quốc tịch", "Số định danh cá nhân",
          "Nơi cư trú", "Số điện thoại", "Nghề nghiệp", "Quan hệ với chủ hộ", "Nội dung đề nghị", "Địa chỉ email")
GOODS = ("Nước suối 500ml", "Bánh mì thịt", "Cà phê sữa đá", "Phí photo A4", "Bút bi Thiên Long", "Bìa hồ sơ",
         "Phong bì thư", "Tem bưu chính", "Kẹp giấy", "Trà đá", "Sữa chua", "Mì gói Hảo Hảo")


@functools.lru_cache(maxsize=96)
def _font(style: str, px: int) -> ImageFont.FreeTypeFont:
    """Liberation Serif (Times metric, Vietnamese glyphs), cached per style and pixel size."""
    return ImageFont.truetype(str(FONT_DIR / f"LiberationSerif-{style}.ttf"), max(6, px))


def _sentence(rng: np.random.Generator, n: int) -> str:
    words = [PHRASES[int(k)] for k in rng.integers(0, len(PHRASES), n)]
    s = ", ".join(words)
    return s[0].upper() + s[1:] + "."


# --------------------------------------------------------------------------- the document


class Sheet:
    """A document drawn upright: paper size in pixels and three ink-coverage layers (0–255)."""

    def __init__(self, w_mm: float, h_mm: float, dpi: float) -> None:
        self.dpi = dpi
        self.w, self.h = max(8, round(w_mm * MM * dpi)), max(8, round(h_mm * MM * dpi))
        self.black = Image.new("L", (self.w, self.h), 0)
        self.red = Image.new("L", (self.w, self.h), 0)
        self.blue = Image.new("L", (self.w, self.h), 0)
        self.db, self.dr, self.du = (ImageDraw.Draw(x) for x in (self.black, self.red, self.blue))
        self.text_lines = 0

    def px(self, mm: float) -> float:
        """Millimetres on the paper to pixels."""
        return mm * MM * self.dpi

    def pt(self, points: float) -> int:
        """A type size in points to pixels."""
        return max(6, round(points / 72 * self.dpi))

    def text(self, x: float, y: float, s: str, size: float, style: str = "Regular", anchor: str = "la",
             layer: str = "black") -> float:
        """Draw one line; returns its advance width in pixels."""
        f = _font(style, self.pt(size))
        d = {"black": self.db, "red": self.dr, "blue": self.du}[layer]
        d.text((x, y), s, font=f, fill=255, anchor=anchor)
        if layer == "black" and len(s) > 12:
            self.text_lines += 1
        return float(f.getlength(s))

    def rule(self, x0: float, y0: float, x1: float, y1: float, width_mm: float = 0.25, layer: str = "black") -> None:
        """A straight ruled line."""
        d = {"black": self.db, "red": self.dr, "blue": self.du}[layer]
        d.line((x0, y0, x1, y1), fill=255, width=max(1, round(self.px(width_mm))))

    def paragraph(self, x: float, y: float, width: float, s: str, size: float, indent: float = 0.0,
                  style: str = "Regular", leading: float = 1.35) -> float:
        """Wrap ``s`` into ``width`` pixels (first line indented); returns the y below it."""
        f = _font(style, self.pt(size))
        step = self.pt(size) * leading
        line, lx = "", x + indent
        for word in s.split():
            cand = f"{line} {word}" if line else word
            if f.getlength(cand) > width - (lx - x) and line:
                self.text(lx, y, line, size, style)
                y, line, lx = y + step, word, x
            else:
                line = cand
        if line:
            self.text(lx, y, line, size, style)
            y += step
        return y

    def compose(self, rng: np.random.Generator, paper: tuple[float, float, float] = (0.95, 0.95, 0.93),
                ink_black: tuple[float, float, float] = (0.10, 0.10, 0.12), fibre: float = 0.012) -> np.ndarray:
        """Paper albedo × each ink's transmittance → BGR float32 reflectance in [0, 1].

        Subtractive, because ink filters the light the paper reflects: red over black stays dark,
        red over paper stays seal-red (the pipeline must keep it red: DOMAIN.md §6).
        """
        rng = _child(rng)
        h, w = self.h, self.w
        # Paper is not flat white: a faint cloudy formation (pulp flocs).
        cloud = _value_noise(rng, h, w, cell=max(4, round(self.px(6))), octaves=2)
        grain = cv2.addWeighted(cloud, 2.0 * fibre, cloud, 0.0, 1.0 - fibre)
        chans = [grain * np.float32(p) for p in paper]
        for layer, trans in ((self.black, ink_black), (self.blue, (0.80, 0.40, 0.18)),
                             (self.red, (0.20, 0.17, 0.88))):
            box = layer.getbbox()
            if box is None:
                continue
            x0, y0, x1, y1 = box  # only where this ink is: seals and signatures are small
            cov = np.asarray(layer.crop(box), np.float32) * np.float32(1 / 255.0)
            for c in range(3):
                chans[c][y0:y1, x0:x1] *= 1.0 - cov * np.float32(1.0 - trans[c])
        base = cv2.merge(chans)
        return base


def _tint(field: np.ndarray, colour: Any) -> np.ndarray:
    """A grey field (H×W) times a BGR colour → H×W×3 float32 (cheaper than numpy broadcasting)."""
    f = field.astype(np.float32, copy=False)
    return cv2.merge([f * np.float32(c) for c in colour])


def _mul(img: np.ndarray, field: np.ndarray) -> np.ndarray:
    """Each channel of ``img`` times the grey field ``field``."""
    f = field.astype(np.float32, copy=False)
    return cv2.merge([ch * f for ch in cv2.split(img)])


def _child(rng: np.random.Generator) -> np.random.Generator:
    """An independent stream for work whose draws depend on the resolution (noise fields, text
    wrapping), so the scene's own choices (turn, tilt, place) stay the same at every DPI."""
    return np.random.default_rng(int(rng.integers(0, 2**63 - 1)))


def _value_noise(rng: np.random.Generator, h: int, w: int, cell: int, octaves: int = 3) -> np.ndarray:
    """Smooth noise in [0, 1] (bicubic-interpolated random lattices, summed over octaves)."""
    # Summed at a quarter of the size, then enlarged once: the finest octave is ≥ 8 px anyway.
    k = 4 if min(h, w) >= 64 else 1
    sh, sw = max(2, h // k), max(2, w // k)
    cell = max(2, cell // k)
    out = np.zeros((sh, sw), np.float32)
    amp, total = 1.0, 0.0
    for _ in range(octaves):
        gh, gw = max(2, sh // cell + 2), max(2, sw // cell + 2)
        g = rng.random((gh, gw), dtype=np.float32)
        out += amp * cv2.resize(g, (sw, sh), interpolation=cv2.INTER_CUBIC)
        total += amp
        amp *= 0.5
        cell = max(2, cell // 2)
    lo, hi = float(out.min()), float(out.max())
    out = (out - lo) / (hi - lo + 1e-6)
    return out if k == 1 else cv2.resize(out, (w, h), interpolation=cv2.INTER_LINEAR)


def _signature(sheet: Sheet, rng: np.random.Generator, cx: float, cy: float, size_mm: float) -> None:
    """A signature: one fast, looping pen stroke (Catmull-Rom through random points) in blue."""
    n = int(rng.integers(6, 11))
    s = sheet.px(size_mm)
    xs = cx + np.linspace(-s / 2, s / 2, n) + rng.normal(0, s * 0.06, n)
    ys = cy + rng.normal(0, s * 0.16, n)
    pts = np.stack([xs, ys], 1)
    curve = []
    for i in range(n - 1):
        p0, p1, p2, p3 = pts[max(0, i - 1)], pts[i], pts[i + 1], pts[min(n - 1, i + 2)]
        for t in np.linspace(0, 1, 10, endpoint=False):
            t2, t3 = t * t, t * t * t
            curve.append(0.5 * ((2 * p1) + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t2
                                + (-p0 + 3 * p1 - 3 * p2 + p3) * t3))
    arr = np.asarray(curve, np.float64)
    sheet.du.line([tuple(p) for p in arr], fill=255, width=max(1, round(sheet.px(0.45))), joint="curve")
    # The flourish underneath.
    sheet.du.line((xs[0], ys.max() + s * 0.1, xs[-1] + s * 0.15, ys.max() + s * 0.02), fill=255,
                  width=max(1, round(sheet.px(0.35))))


def _seal(sheet: Sheet, rng: np.random.Generator, cx: float, cy: float, ring_text: str, diam_mm: float = 36) -> None:
    """A round red seal: two rings, the agency name around, a star in the middle, uneven inking."""
    rng = _child(rng)
    r = sheet.px(diam_mm) / 2
    size = int(2 * r + 8)
    im = Image.new("L", (size, size), 0)
    d = ImageDraw.Draw(im)
    c = size / 2
    lw = max(1, round(sheet.px(0.7)))
    d.ellipse((c - r, c - r, c + r, c + r), outline=255, width=lw)
    ri = r * 0.66
    d.ellipse((c - ri, c - ri, c + ri, c + ri), outline=255, width=max(1, lw // 2))
    star = [(c + (ri * 0.55 if k % 2 == 0 else ri * 0.22) * math.sin(k * math.pi / 5),
             c - (ri * 0.55 if k % 2 == 0 else ri * 0.22) * math.cos(k * math.pi / 5)) for k in range(10)]
    d.polygon(star, fill=255)
    f = _font("Bold", max(6, round(r * 0.2)))
    chars = list(ring_text + " ★ ")
    rr = (r + ri) / 2
    for k, ch in enumerate(chars):
        a = -math.pi * 0.95 + 1.9 * math.pi * k / len(chars)
        g = Image.new("L", (int(r * 0.3) + 4, int(r * 0.3) + 4), 0)
        ImageDraw.Draw(g).text((g.width / 2, g.height / 2), ch, font=f, fill=255, anchor="mm")
        g = g.rotate(-math.degrees(a), resample=Image.BILINEAR)
        x, y = c + rr * math.sin(a) - g.width / 2, c - rr * math.cos(a) - g.height / 2
        im.paste(255, (round(x), round(y)), g)
    im = im.rotate(float(rng.uniform(-25, 25)), resample=Image.BILINEAR)
    # Uneven inking: a stamp is pressed harder on one side and leaves gaps.
    a = np.asarray(im, np.float32) * (0.55 + 0.45 * _value_noise(rng, size, size, cell=max(3, size // 6)))
    box = (round(cx - c), round(cy - c), round(cx - c) + size, round(cy - c) + size)
    a = np.maximum(a, np.asarray(sheet.red.crop(box), np.float32))  # ink over ink already there
    sheet.red.paste(Image.fromarray(np.clip(a, 0, 255).astype(np.uint8)), box[:2])


# --------------------------------------------------------------------------- layouts


def _national_header(sheet: Sheet, rng: np.random.Generator, top: float, left: float, right: float) -> float:
    """The two-column header of every Vietnamese administrative document (Nghị định 30/2020)."""
    mid_l = left + (right - left) * 0.2
    mid_r = left + (right - left) * 0.68
    agency = AGENCIES[int(rng.integers(len(AGENCIES)))]
    sheet.text(mid_l, top, agency, 12, "Regular", "ma")
    sheet.text(mid_l, top + sheet.pt(16), "BỘ PHẬN MỘT CỬA", 12, "Bold", "ma")
    sheet.rule(mid_l - sheet.px(12), top + sheet.pt(34), mid_l + sheet.px(12), top + sheet.pt(34))
    sheet.text(mid_l, top + sheet.pt(42), f"Số: {int(rng.integers(10, 999))}/TB-UBND", 13, "Regular", "ma")
    sheet.text(mid_r, top, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12, "Bold", "ma")
    sheet.text(mid_r, top + sheet.pt(16), "Độc lập - Tự do - Hạnh phúc", 13, "Bold", "ma")
    sheet.rule(mid_r - sheet.px(28), top + sheet.pt(34), mid_r + sheet.px(28), top + sheet.pt(34))
    place = PLACES[int(rng.integers(len(PLACES)))]
    sheet.text(mid_r, top + sheet.pt(42), f"{place}, ngày {int(rng.integers(1, 29))} tháng {int(rng.integers(1, 13))}"
               f" năm 2026", 13, "Italic", "ma")
    return top + sheet.pt(72)


def _sign_block(sheet: Sheet, rng: np.random.Generator, y: float, right: float, seal: bool) -> float:
    """'TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH', a signature, the seal over its left half, the name."""
    cx = right - sheet.px(38)
    sheet.text(cx, y, "TM. ỦY BAN NHÂN DÂN", 13, "Bold", "ma")
    sheet.text(cx, y + sheet.pt(17), "CHỦ TỊCH", 13, "Bold", "ma")
    _signature(sheet, rng, cx, y + sheet.px(24), 30)
    if seal:
        _seal(sheet, rng, cx - sheet.px(14), y + sheet.px(20), AGENCIES[int(rng.integers(len(AGENCIES)))],
              float(rng.uniform(32, 40)))
    name = NAMES[int(rng.integers(len(NAMES)))]
    sheet.text(cx, y + sheet.px(40), name, 13, "Bold", "ma")
    return y + sheet.px(48)


def _admin_page(sheet: Sheet, rng: np.random.Generator, kind: str, seal: bool) -> None:
    """An A4 administrative document: header, title, then body by kind, signature block."""
    rng = _child(rng)
    left, right = sheet.px(rng.uniform(30, 35)), sheet.w - sheet.px(rng.uniform(15, 20))
    top, bottom = sheet.px(rng.uniform(20, 25)), sheet.h - sheet.px(rng.uniform(20, 25))
    y = _national_header(sheet, rng, top, left, right)
    sheet.text((left + right) / 2, y, TITLES[int(rng.integers(len(TITLES)))], 14, "Bold", "ma")
    y += sheet.pt(30)
    if kind == "table":
        y = _table(sheet, rng, y, left, right, bottom - sheet.px(75))
    elif kind == "form":
        for fld in rng.permutation(len(FIELDS))[: int(rng.integers(7, 11))]:
            w = sheet.text(left, y, f"{FIELDS[int(fld)]}: ", 13)
            x = left + w
            # Dotted leader, filled in by hand (blue) on most lines.
            f = _font("Regular", sheet.pt(13))
            dots = "." * max(1, int((right - x) / max(1.0, f.getlength("."))))
            sheet.db.text((x, y), dots, font=f, fill=255)
            if rng.random() < 0.8:
                sheet.text(x + sheet.px(3), y - sheet.pt(3), NAMES[int(rng.integers(len(NAMES)))]
                           if rng.random() < 0.5 else f"{int(rng.integers(1, 99))} {PLACES[int(rng.integers(8))]}",
                           13, "Italic", layer="blue")
            y += sheet.pt(13) * 1.9
        y = sheet.paragraph(left, y + sheet.pt(6), right - left, _sentence(rng, 5), 13, indent=sheet.px(10))
    else:
        for _ in range(int(rng.integers(3, 6))):
            if y > bottom - sheet.px(70):
                break
            y = sheet.paragraph(left, y, right - left, _sentence(rng, int(rng.integers(4, 9))), 13,
                                indent=sheet.px(10)) + sheet.pt(5)
    y = min(max(y + sheet.px(6), sheet.h * 0.55), bottom - sheet.px(50))
    sheet.text(left, y, "Nơi nhận:", 12, "BoldItalic")
    sheet.text(left, y + sheet.pt(15), "- Như trên;", 11)
    sheet.text(left, y + sheet.pt(28), "- Lưu: VT.", 11)
    _sign_block(sheet, rng, y, right, seal)


def _table(sheet: Sheet, rng: np.random.Generator, y: float, left: float, right: float, limit: float) -> float:
    """A ruled register (Mẫu 06 style): TT / mã hồ sơ / họ tên / ngày nhận / ghi chú."""
    cols = np.array([0, 0.07, 0.33, 0.62, 0.82, 1.0]) * (right - left) + left
    heads = ("TT", "Mã hồ sơ", "Họ và tên", "Ngày nhận", "Ghi chú")
    row_h = sheet.pt(13) * 1.7
    n_rows = int(min(rng.integers(10, 24), (limit - y) // row_h - 1))
    y0 = y
    for k in range(n_rows + 1):
        for c in range(5):
            if k == 0:
                s, st = heads[c], "Bold"
            else:
                code = (f"H15.{int(rng.integers(10, 99))}-2610{int(rng.integers(10, 28))}"
                        f"-{int(rng.integers(1000, 9999))}")
                s = (str(k), code,
                     NAMES[int(rng.integers(len(NAMES)))], f"{int(rng.integers(1, 29)):02d}/10/2026",
                     "đúng hạn" if rng.random() < 0.7 else "")[c]
                st = "Regular"
            sheet.text(cols[c] + sheet.px(1.5), y + row_h * 0.18, s, 11, st)
        y += row_h
    for k in range(n_rows + 2):
        sheet.rule(left, y0 + k * row_h, right, y0 + k * row_h, 0.2)
    for x in cols:
        sheet.rule(x, y0, x, y0 + (n_rows + 1) * row_h, 0.2)
    sheet.text_lines += n_rows
    return y + sheet.pt(8)


def _appointment_slip(sheet: Sheet, rng: np.random.Generator, seal: bool) -> None:
    """Mẫu 01 (Giấy tiếp nhận hồ sơ và hẹn trả kết quả), on A5 or, cut short, on A6."""
    rng = _child(rng)
    small = sheet.w < sheet.px(120)
    s = 9.5 if small else 11.5
    left, right = sheet.px(8 if small else 14), sheet.w - sheet.px(6 if small else 10)
    y = sheet.px(7 if small else 12)
    mid = (left + right) / 2
    sheet.text(mid, y, "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ", s, "Bold", "ma")
    y += sheet.pt(s) * 1.6
    sheet.text(mid, y, "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", s + 1, "Bold", "ma")
    y += sheet.pt(s) * 1.5
    sheet.text(mid, y, f"Mã hồ sơ: H15.50.05.13-2610{int(rng.integers(10, 28))}-{int(rng.integers(1000, 9999))}",
               s, "Italic", "ma")
    y += sheet.pt(s) * 2.0
    for label in ("Tiếp nhận hồ sơ của", "Địa chỉ", "Số điện thoại", "Nội dung yêu cầu giải quyết"):
        w = sheet.text(left, y, f"{label}: ", s)
        sheet.text(left + w, y, NAMES[int(rng.integers(len(NAMES)))] if label.startswith("Tiếp")
                   else _sentence(rng, 1)[:40], s)
        y += sheet.pt(s) * 1.55
    sheet.text(left, y, "1. Thành phần hồ sơ:", s, "Bold")
    y += sheet.pt(s) * 1.55
    for _ in range(int(rng.integers(2, 5 if small else 7))):
        sheet.text(left + sheet.px(4), y, f"- {PHRASES[int(rng.integers(len(PHRASES)))]}", s)
        y += sheet.pt(s) * 1.45
    sheet.text(left, y, f"2. Thời gian trả kết quả: ngày {int(rng.integers(1, 29))}/11/2026", s, "Bold")
    y += sheet.pt(s) * 2.0
    if y < sheet.h - sheet.px(25):
        q = (left + right) * 0.5
        sheet.text(left + (q - left) / 2, y, "NGƯỜI NỘP HỒ SƠ", s, "Bold", "ma")
        sheet.text(q + (right - q) / 2, y, "NGƯỜI TIẾP NHẬN", s, "Bold", "ma")
        _signature(sheet, rng, q + (right - q) / 2, y + sheet.px(11), 20)
        _signature(sheet, rng, left + (q - left) / 2, y + sheet.px(11), 18)
        if seal:
            _seal(sheet, rng, q + (right - q) / 2 - sheet.px(9), y + sheet.px(10), "BỘ PHẬN MỘT CỬA", 28)


def _till_receipt(sheet: Sheet, rng: np.random.Generator) -> None:
    """A thermal till receipt: centred shop, items with right-aligned prices, dashed rules."""
    rng = _child(rng)
    left, right = sheet.px(4), sheet.w - sheet.px(4)
    y, mid, s = sheet.px(6), sheet.w / 2, 8.5
    sheet.text(mid, y, "CỬA HÀNG TIỆN LỢI", s + 2, "Bold", "ma")
    y += sheet.pt(s) * 1.9
    sheet.text(mid, y, f"{int(rng.integers(1, 300))} Lê Lợi, {PLACES[int(rng.integers(8))]}", s, "Regular", "ma")
    y += sheet.pt(s) * 1.5
    sheet.text(mid, y, f"HÓA ĐƠN BÁN LẺ  {int(rng.integers(10000, 99999))}", s, "Regular", "ma")
    y += sheet.pt(s) * 1.6
    total = 0
    while y < sheet.h - sheet.px(30):
        sheet.text(left, y, "-" * 60, s)
        y += sheet.pt(s) * 1.2
        for _ in range(int(rng.integers(2, 5))):
            price = int(rng.integers(5, 90)) * 1000
            total += price
            sheet.text(left, y, GOODS[int(rng.integers(len(GOODS)))], s)
            sheet.text(right, y, f"{price:,}".replace(",", "."), s, anchor="ra")
            y += sheet.pt(s) * 1.4
            if y > sheet.h - sheet.px(30):
                break
    sheet.text(left, y, "TỔNG CỘNG", s + 1, "Bold")
    sheet.text(right, y, f"{total:,} đ".replace(",", "."), s + 1, "Bold", anchor="ra")
    sheet.text(mid, y + sheet.pt(s) * 2, "Cảm ơn quý khách!", s, "Italic", "ma")


def _cccd(sheet: Sheet, rng: np.random.Generator, back: bool) -> None:
    """A CCCD (căn cước công dân) side, drawn at its 85.6 × 54 mm size; a guilloche in pale ink."""
    rng = _child(rng)
    w, h = sheet.w, sheet.h
    # Guilloche: interfering sine families, drawn faintly in the black layer (it prints pale).
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    k = 2 * math.pi / max(4.0, sheet.px(2.2))
    g = 0.5 + 0.5 * np.sin(k * xx + 3.0 * np.sin(yy * k * 0.25)) * np.sin(k * yy * 0.7 + 2.0 * np.cos(xx * k * 0.2))
    guil = Image.fromarray((g * 28).astype(np.uint8))
    sheet.black.paste(guil)
    s = 6.2
    if not back:

        emb_r = sheet.px(5.5)
        ex, ey = sheet.px(9), sheet.px(9)
        sheet.dr.ellipse((ex - emb_r, ey - emb_r, ex + emb_r, ey + emb_r), fill=235)
        sheet.text(w / 2 + sheet.px(6), sheet.px(3.5), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", s, "Bold", "ma")
        sheet.text(w / 2 + sheet.px(6), sheet.px(7), "Độc lập - Tự do - Hạnh phúc", s, "Bold", "ma")
        sheet.text(w / 2 + sheet.px(6), sheet.px(11.5), "CĂN CƯỚC CÔNG DÂN", s + 3, "Bold", "ma")
        # Photo: a grey rectangle with a head-and-shoulders silhouette.
        px0, py0, px1, py1 = sheet.px(3), sheet.px(19), sheet.px(23), sheet.px(45)
        sheet.db.rectangle((px0, py0, px1, py1), fill=70)
        cx = (px0 + px1) / 2
        sheet.db.ellipse((cx - sheet.px(5), py0 + sheet.px(4), cx + sheet.px(5), py0 + sheet.px(16)), fill=200)
        sheet.db.pieslice((px0 + sheet.px(1), py0 + sheet.px(17), px1 - sheet.px(1), py1 + sheet.px(14)), 180, 360,
                          fill=210)
        x, y = sheet.px(26), sheet.px(17)
        num = f"0{int(rng.integers(1, 96)):02d}{int(rng.integers(0, 4))}{int(rng.integers(50, 99))}" \
              f"{int(rng.integers(100000, 999999))}"
        sheet.text(x, y, f"Số / No.: {num}", s + 1.5, "Bold")
        rows = (("Họ và tên / Full name:", NAMES[int(rng.integers(len(NAMES)))].upper()),
                ("Ngày sinh / Date of birth:", f"{int(rng.integers(1, 29)):02d}/0{int(rng.integers(1, 9))}/19"
                                               f"{int(rng.integers(50, 99))}"),
                ("Quê quán / Place of origin:", PLACES[int(rng.integers(8))]),
                ("Nơi thường trú / Place of residence:",
                 f"Tổ {int(rng.integers(1, 30))}, {PLACES[int(rng.integers(8))]}"))
        y += sheet.px(5)
        for lab, val in rows:
            sheet.text(x, y, lab, s - 0.5)
            sheet.text(x, y + sheet.px(2.6), val, s + 0.5, "Bold")
            y += sheet.px(6.6)
        sheet.text(sheet.px(3), sheet.px(47), "Có giá trị đến: 2041", s - 1, "Italic")
    else:
        # Chip, two fingerprint boxes, features, issue date, issuer signature with seal, MRZ.
        sheet.db.rounded_rectangle((sheet.px(6), sheet.px(8), sheet.px(17), sheet.px(17)), radius=sheet.px(1.5),
                                   fill=110)
        for fx in (sheet.px(58), sheet.px(72)):
            box = (fx, sheet.px(4), fx + sheet.px(12), sheet.px(19))
            sheet.db.rectangle(box, outline=200, width=max(1, round(sheet.px(0.2))))
            for r in range(3, 20, 2):
                rr = sheet.px(r * 0.3)
                c = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
                sheet.db.arc((c[0] - rr, c[1] - rr * 1.3, c[0] + rr, c[1] + rr * 1.3), 200, 520, fill=150)
        sheet.text(sheet.px(4), sheet.px(21), "Đặc điểm nhân dạng / Personal identification:", s - 0.5)
        sheet.text(sheet.px(4), sheet.px(24.5), "Nốt ruồi C:1cm trên sau mép phải", s)
        sheet.text(sheet.px(4), sheet.px(29), f"Ngày, tháng, năm / Date: {int(rng.integers(1, 29)):02d}/03/2023",
                   s - 0.5)
        sheet.text(sheet.px(58), sheet.px(22), "CỤC TRƯỞNG CỤC CẢNH SÁT", s - 1, "Bold", "ma")
        sheet.text(sheet.px(58), sheet.px(25), "QUẢN LÝ HÀNH CHÍNH VỀ TTXH", s - 1, "Bold", "ma")
        _signature(sheet, rng, sheet.px(60), sheet.px(31), 12)
        _seal(sheet, rng, sheet.px(51), sheet.px(30), "BỘ CÔNG AN", 13)
        for k, line in enumerate((f"IDVNM{int(rng.integers(10**9, 10**10))}<<{int(rng.integers(1, 9))}",
                                  f"{int(rng.integers(500101, 991231))}M{int(rng.integers(3001010, 4912319))}VNM<<<<<<",
                                  "NGUYEN<<VAN<AN<<<<<<<<<<<<<<<")):
            sheet.text(sheet.px(4), sheet.px(38 + 5 * k), line, s + 1.5)


def _spread(sheet: Sheet, rng: np.random.Generator) -> None:
    """A land-use certificate opened flat (a folded A3: two A4-ish pages side by side) with its
    ornamental border, text on both pages, the red national emblem and a seal."""
    rng = _child(rng)
    w, h = sheet.w, sheet.h
    for off, lay in ((0, sheet.dr), (sheet.w / 2, sheet.dr)):
        m = sheet.px(8)
        lay.rectangle((off + m, m, off + w / 2 - m, h - m), outline=200, width=max(1, round(sheet.px(1.2))))
        lay.rectangle((off + m + sheet.px(2), m + sheet.px(2), off + w / 2 - m - sheet.px(2), h - m - sheet.px(2)),
                      outline=150, width=max(1, round(sheet.px(0.4))))
    cx = w * 0.25
    sheet.dr.ellipse((cx - sheet.px(12), sheet.px(22), cx + sheet.px(12), sheet.px(46)), fill=240)
    sheet.text(cx, sheet.px(52), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12, "Bold", "ma")
    sheet.text(cx, sheet.px(59), "Độc lập - Tự do - Hạnh phúc", 12, "Bold", "ma")
    sheet.text(cx, sheet.px(75), "GIẤY CHỨNG NHẬN", 20, "Bold", "ma", layer="red")
    sheet.text(cx, sheet.px(85), "QUYỀN SỬ DỤNG ĐẤT", 14, "Bold", "ma", layer="red")
    sheet.text(cx, sheet.px(92), "QUYỀN SỞ HỮU TÀI SẢN GẮN LIỀN VỚI ĐẤT", 12, "Bold", "ma", layer="red")
    y = sheet.px(110)
    y = sheet.paragraph(sheet.px(20), y, w / 2 - sheet.px(40), _sentence(rng, 6), 12, indent=sheet.px(8))
    _seal(sheet, rng, w * 0.36, h - sheet.px(45), "ỦY BAN NHÂN DÂN TỈNH", 34)
    _signature(sheet, rng, w * 0.38, h - sheet.px(42), 26)
    x0 = w / 2 + sheet.px(20)
    y = sheet.px(22)
    sheet.text(x0, y, "I. Người sử dụng đất, chủ sở hữu tài sản gắn liền với đất", 12, "Bold")
    y += sheet.pt(20)
    for _ in range(3):
        y = sheet.paragraph(x0, y, w / 2 - sheet.px(40), _sentence(rng, 5), 12, indent=sheet.px(6)) + sheet.pt(4)
    sheet.text(x0, y, "II. Thửa đất, nhà ở và tài sản khác gắn liền với đất", 12, "Bold")
    y += sheet.pt(20)
    for _ in range(4):
        if y > h - sheet.px(40):
            break
        y = sheet.paragraph(x0, y, w / 2 - sheet.px(40), _sentence(rng, 4), 12) + sheet.pt(3)


# --------------------------------------------------------------------------- geometry and truth


def _rot(phi_deg: float) -> np.ndarray:
    """Counter-clockwise turn as seen on screen (y down), as a 3×3 matrix."""
    a = math.radians(phi_deg)
    c, s = math.cos(a), math.sin(a)
    return np.array([[c, s, 0], [-s, c, 0], [0, 0, 1]], np.float64)


def _shift(dx: float, dy: float) -> np.ndarray:
    return np.array([[1, 0, dx], [0, 1, dy], [0, 0, 1]], np.float64)


def _scale(k: float) -> np.ndarray:
    return np.diag([k, k, 1.0])


def _apply(hm: np.ndarray, pts: np.ndarray) -> np.ndarray:
    p = np.c_[pts, np.ones(len(pts))] @ hm.T
    return p[:, :2] / p[:, 2:3]


def _corners(w: int, h: int) -> np.ndarray:
    """A document's own corners TL TR BR BL at its pixel edges (centres are integers)."""
    return np.array([[-0.5, -0.5], [w - 0.5, -0.5], [w - 0.5, h - 0.5], [-0.5, h - 0.5]], np.float64)


def _frame_poly(w: int, h: int) -> np.ndarray:
    return _corners(w, h)


def _clip(poly: np.ndarray, w: int, h: int) -> list[list[float]]:
    """The part of a convex outline the frame holds, clockwise (on screen) from the vertex nearest
    the outline's first point; the outline itself when it lies wholly inside."""
    poly = np.asarray(poly, np.float64)
    inside = ((poly[:, 0] >= -0.5) & (poly[:, 0] <= w - 0.5) & (poly[:, 1] >= -0.5) & (poly[:, 1] <= h - 0.5)).all()
    if inside:
        return [[round(float(x), 2), round(float(y), 2)] for x, y in poly]
    _, inter = cv2.intersectConvexConvex(cv2.convexHull(poly.astype(np.float32)).reshape(-1, 2),
                                         _frame_poly(w, h).astype(np.float32))
    if inter is None:
        return []
    pts = inter.reshape(-1, 2).astype(np.float64)
    c = pts.mean(0)
    ang = np.arctan2(pts[:, 1] - c[1], pts[:, 0] - c[0])  # increasing = clockwise on screen
    pts = pts[np.argsort(ang)]
    start = int(np.argmin(((pts - poly[0]) ** 2).sum(1)))
    pts = np.roll(pts, -start, 0)
    return [[round(float(x), 2), round(float(y), 2)] for x, y in pts]


def _paper(hm: np.ndarray, sheet: Sheet) -> list[list[float]]:
    """The paper's own corners (TL TR BR BL of the document) in the frame, unclipped."""
    return np.round(_apply(hm, _corners(sheet.w, sheet.h)), 2).tolist()


def _turn_truth(phi: float) -> tuple[int, float]:
    """From the document's on-screen CCW angle: the clockwise quarter-turn that makes it upright
    and the residual tilt of its text lines (CCW positive, in (−45°, 45°])."""
    q = round(phi / 90.0)
    return int((q * 90) % 360), float(phi - 90 * q)


# --------------------------------------------------------------------------- rendering into a frame


def _render(doc: np.ndarray, hm: np.ndarray, bg: np.ndarray, bend: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Lay a document (reflectance, float32) onto a background through ``hm`` (document pixels →
    frame pixels); ``bend`` (pixels of the document) bows its top and bottom edges with the
    corners fixed, as a sheet lifting in the middle. Returns the scene and the paper's coverage."""
    fh, fw = bg.shape[:2]
    dh, dw = doc.shape[:2]
    ones = np.ones((dh, dw), np.float32)
    if bend == 0.0:
        warped = cv2.warpPerspective(doc, hm, (fw, fh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
        m = cv2.warpPerspective(ones, hm, (fw, fh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    else:
        yy, xx = np.mgrid[0:fh, 0:fw].astype(np.float32)
        inv = np.linalg.inv(hm).astype(np.float32)
        zz = inv[2, 0] * xx + inv[2, 1] * yy + inv[2, 2]
        u = (inv[0, 0] * xx + inv[0, 1] * yy + inv[0, 2]) / zz
        v = (inv[1, 0] * xx + inv[1, 1] * yy + inv[1, 2]) / zz
        v -= bend * np.sin(np.pi * np.clip((u + 0.5) / dw, 0, 1))
        warped = cv2.remap(doc, u, v, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
        m = cv2.remap(ones, u, v, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    out = bg - bg * cv2.merge([m, m, m]) + warped
    return out, m


def _edge_shadow(bg: np.ndarray, hm: np.ndarray, dw: int, dh: int, strength: float, offset: float) -> np.ndarray:
    """Darken the background just outside the paper's edge (lid not pressing the sheet flat)."""
    fh, fw = bg.shape[:2]
    m = np.zeros((fh, fw), np.float32)
    pts = _apply(_shift(offset, offset) @ hm, _corners(dw, dh))
    cv2.fillConvexPoly(m, np.round((pts + 0.5) * 4).astype(np.int32), 1.0, cv2.LINE_AA, shift=2)
    m = cv2.GaussianBlur(m, (0, 0), max(0.6, offset))
    return _mul(bg, 1.0 - np.float32(strength) * m)


def _scanner_capture(img: np.ndarray, rng: np.random.Generator, dpi: int) -> np.ndarray:
    """A CIS/CCD flatbed: slight optical blur, sensor noise, a little gain error per channel, JPEG."""
    rng = _child(rng)
    sigma = 0.35 + 0.25 * dpi / 150
    img = cv2.GaussianBlur(img, (0, 0), sigma)
    img *= np.asarray(rng.uniform(0.97, 1.03, 3), np.float32)
    noise = np.empty(img.shape[:2], np.float32)
    cv2.setRNGSeed(int(rng.integers(0, 2**31 - 1)))  # OpenCV's generator is global: seed it per frame
    cv2.randn(noise, 0.0, float(rng.uniform(0.004, 0.010)))
    img += cv2.merge([noise] * 3)  # a CIS sensor's noise is mostly common to its three LED exposures
    return _jpeg(img, int(rng.integers(82, 95)))


def _jpeg(img: np.ndarray, q: int) -> np.ndarray:
    u8 = cv2.convertScaleAbs(img, alpha=255.0)  # saturating, rounding: the sensor's 8-bit output
    ok, buf = cv2.imencode(".jpg", u8, [cv2.IMWRITE_JPEG_QUALITY, q])
    return cv2.imdecode(buf, cv2.IMREAD_COLOR) if ok else u8


def _phone_capture(img: np.ndarray, rng: np.random.Generator, paper: np.ndarray, glare: bool, shadow: bool,
                   blur: bool) -> np.ndarray:
    """A phone camera: white-balance cast, light falloff, soft shadow, glare on the paper, motion
    blur, sensor noise (stronger in the dark), sharpening halo, JPEG."""
    rng = _child(rng)
    fh, fw = img.shape[:2]
    # The light and the glare are smooth: model them on a quarter-size grid, enlarge once.
    qh, qw = max(2, fh // 4), max(2, fw // 4)
    yy, xx = np.mgrid[0:qh, 0:qw].astype(np.float32)
    cx, cy = qw * rng.uniform(0.3, 0.7), qh * rng.uniform(0.3, 0.7)
    r2 = ((xx - cx) ** 2 + (yy - cy) ** 2) / float(qw * qw + qh * qh)
    light = (1.0 - rng.uniform(0.25, 0.6) * r2).astype(np.float32)  # lamp falloff and lens vignetting
    light *= np.float32(rng.uniform(0.75, 1.05))
    if shadow:
        # The phone's (or the officer's) shadow: a soft-edged blob of a quarter of the frame.
        sm = np.zeros((qh, qw), np.float32)
        c = (int(rng.integers(0, qw)), int(rng.integers(0, qh)))
        cv2.ellipse(sm, c, (int(qw * rng.uniform(0.2, 0.4)), int(qh * rng.uniform(0.2, 0.5))),
                    float(rng.uniform(0, 180)), 0, 360, 1.0, -1)
        sm = cv2.GaussianBlur(sm, (0, 0), qw * 0.04)
        light *= 1.0 - np.float32(rng.uniform(0.25, 0.5)) * sm
    light = cv2.resize(light, (fw, fh), interpolation=cv2.INTER_LINEAR)
    cast = rng.uniform([0.85, 0.95, 1.0], [0.95, 1.0, 1.1])  # warm indoor light (BGR gains)
    img = cv2.merge([img[:, :, c] * (light * np.float32(cast[c])) for c in range(3)])
    if glare:
        g = np.exp(-(((xx - qw * rng.uniform(0.3, 0.7)) / (qw * rng.uniform(0.05, 0.12))) ** 2
                     + ((yy - qh * rng.uniform(0.3, 0.7)) / (qh * rng.uniform(0.04, 0.1))) ** 2)).astype(np.float32)
        g = cv2.resize(g * np.float32(rng.uniform(0.35, 0.7)), (fw, fh), interpolation=cv2.INTER_LINEAR) * paper
        img = cv2.merge([img[:, :, c] + g * (1.15 - img[:, :, c]) for c in range(3)])
    if blur:
        n = int(rng.integers(5, 11))
        k = np.zeros((n, n), np.float32)
        a = rng.uniform(0, math.pi)
        for t in np.linspace(-0.5, 0.5, 3 * n):
            k[round((n - 1) / 2 + t * (n - 1) * math.sin(a)), round((n - 1) / 2 + t * (n - 1) * math.cos(a))] = 1
        img = cv2.filter2D(img, -1, k / k.sum())
    else:
        img = cv2.GaussianBlur(img, (0, 0), float(rng.uniform(0.6, 1.0)))
    # Noise: luminance noise, stronger in the dark (shot noise), plus blotchy low-frequency chroma
    # noise (what is left after a phone's demosaicing and noise reduction).
    cv2.setRNGSeed(int(rng.integers(0, 2**31 - 1)))  # OpenCV's generator is global: seed it per frame
    lum = np.empty((fh, fw), np.float32)
    cv2.randn(lum, 0.0, 1.0)
    grey = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    lum *= (0.008 + 0.03 * np.sqrt(np.clip(1.0 - grey, 0, 1))) * np.float32(rng.uniform(0.6, 1.2))
    chroma = np.empty((qh, qw, 3), np.float32)
    cv2.randn(chroma, 0.0, float(rng.uniform(0.004, 0.012)))
    chroma = cv2.resize(chroma, (fw, fh), interpolation=cv2.INTER_LINEAR)
    img = img + chroma + cv2.merge([lum] * 3)
    soft = cv2.GaussianBlur(img, (0, 0), 1.6)
    amt = float(rng.uniform(0.3, 0.8))
    img = cv2.addWeighted(img, 1.0 + amt, soft, -amt, 0.0)  # the phone's sharpening halo
    return _jpeg(img, int(rng.integers(72, 90)))


# --------------------------------------------------------------------------- backgrounds


def _bg_lid(rng: np.random.Generator, h: int, w: int, closed: bool) -> np.ndarray:
    """A scanner lid: closed = the white foam pad (mottled, near paper white); open = the room,
    dark, lit unevenly from one side."""
    rng = _child(rng)
    n = _value_noise(rng, h, w, cell=max(8, w // 24), octaves=3)
    if closed:
        tone = rng.uniform(0.86, 0.97)
        out = _tint(tone + 0.03 * (n - 0.5), rng.uniform([0.97, 0.98, 0.99], [1.0, 1.0, 1.01]))
    else:
        ramp = np.linspace(0, 1, w, dtype=np.float32)[None, :] if rng.random() < 0.5 else \
            np.linspace(0, 1, h, dtype=np.float32)[:, None]
        out = _tint(rng.uniform(0.02, 0.07) + rng.uniform(0.0, 0.12) * ramp + 0.03 * n, (1.0, 1.0, 1.0))
    return out.astype(np.float32)


def _bg_strips(bg: np.ndarray, rng: np.random.Generator, dpi: int) -> None:
    """The scan area's dark border strips (the bed's frame beyond the glass) on one or two sides."""
    rng = _child(rng)
    h, w = bg.shape[:2]
    for side in rng.choice(4, int(rng.integers(1, 3)), replace=False):
        t = max(2, round(rng.uniform(1.0, 6.0) * MM * dpi))
        v = np.float32(rng.uniform(0.03, 0.25))
        if side == 0:
            bg[:t] = v
        elif side == 1:
            bg[:, w - t:] = v
        elif side == 2:
            bg[h - t:] = v
        else:
            bg[:, :t] = v


def _bg_wood(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """Wood: growth rings as a sine of a distorted distance, grain streaks, a brown ramp."""
    rng = _child(rng)
    s = 4
    hs, ws = h // s + 1, w // s + 1
    yy, xx = np.mgrid[0:hs, 0:ws].astype(np.float32)
    a = rng.uniform(0, math.pi)
    along = xx * math.cos(a) + yy * math.sin(a)
    across = -xx * math.sin(a) + yy * math.cos(a)
    warp = _value_noise(rng, hs, ws, cell=max(4, ws // 6), octaves=2) * rng.uniform(8, 25)
    rings = 0.5 + 0.5 * np.sin((across + warp + 0.002 * np.abs(along) ** 1.5 / max(1, ws ** 0.5)) * 2 * math.pi
                               / rng.uniform(6, 14))
    streak = cv2.resize(rng.random((hs, 1), dtype=np.float32) if a < 0.1 else rng.random((hs, ws // 40 + 2),
                        dtype=np.float32), (ws, hs), interpolation=cv2.INTER_LINEAR)
    t = 0.65 * rings + 0.35 * streak
    dark = np.asarray(rng.uniform([0.10, 0.18, 0.30], [0.18, 0.28, 0.45]), np.float32)  # BGR
    light = dark * np.float32(rng.uniform(1.4, 1.9))
    img = dark + t[:, :, None] * (light - dark)
    return cv2.resize(img, (w, h), interpolation=cv2.INTER_LINEAR)


def _bg_cloth(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """A tablecloth: a woven check in one colour with soft folds."""
    rng = _child(rng)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    p = rng.uniform(14, 40)
    check = ((np.floor(xx / p) + np.floor(yy / p)) % 2).astype(np.float32)
    weave = 0.5 + 0.5 * np.sin(xx * 1.9) * np.sin(yy * 1.9)
    folds = _value_noise(rng, h, w, cell=max(8, w // 5), octaves=2)
    col = np.asarray(rng.uniform([0.1, 0.1, 0.1], [0.7, 0.6, 0.7]), np.float32)
    base = (0.55 + 0.35 * check + 0.1 * weave) * (0.7 + 0.5 * folds)
    return _tint(base, col)


def _bg_desk(rng: np.random.Generator, h: int, w: int, light: bool) -> np.ndarray:
    """A laminate desk: light (beige, near the paper) or dark (near-black), fine speckle, sheen."""
    rng = _child(rng)
    n = _value_noise(rng, h, w, cell=max(6, w // 12), octaves=4)
    if light:
        col = np.asarray(rng.uniform([0.68, 0.74, 0.78], [0.80, 0.86, 0.90]), np.float32)
    else:
        col = np.asarray(rng.uniform([0.05, 0.05, 0.06], [0.16, 0.15, 0.16]), np.float32)
    return _tint(0.85 + 0.3 * n, col)


def _clutter(bg: np.ndarray, rng: np.random.Generator, keep_out: np.ndarray | None) -> None:
    """Things on a counter desk: pens, sticky notes, a keyboard corner, a mug rim, a phone."""
    rng = _child(rng)
    h, w = bg.shape[:2]
    for _ in range(int(rng.integers(4, 8))):
        kind = int(rng.integers(0, 5))
        c = (float(rng.uniform(0, w)), float(rng.uniform(0, h)))
        col = tuple(float(v) for v in rng.uniform(0.05, 0.9, 3))
        if kind == 0:  # pen
            L, t = w * rng.uniform(0.1, 0.2), max(3.0, w * 0.008)
            box = cv2.boxPoints((c, (L, t), float(rng.uniform(0, 180))))
            cv2.fillConvexPoly(bg, np.round(box).astype(np.int32), col, cv2.LINE_AA)
        elif kind == 1:  # sticky note
            s = w * rng.uniform(0.06, 0.1)
            box = cv2.boxPoints((c, (s, s), float(rng.uniform(0, 90))))
            cv2.fillConvexPoly(bg, np.round(box).astype(np.int32), (0.45, 0.88, 0.95), cv2.LINE_AA)
        elif kind == 2:  # keyboard corner
            kx, ky = int(c[0]), int(c[1])
            cv2.rectangle(bg, (kx, ky), (kx + int(w * 0.4), ky + int(h * 0.2)), (0.12, 0.12, 0.13), -1)
            step = max(6, int(w * 0.025))
            for yk in range(ky + 3, ky + int(h * 0.2), step):
                for xk in range(kx + 3, kx + int(w * 0.4), step):
                    cv2.rectangle(bg, (xk, yk), (xk + step - 4, yk + step - 4), (0.22, 0.22, 0.24), -1)
        elif kind == 3:  # mug rim
            r = int(w * rng.uniform(0.05, 0.08))
            cv2.circle(bg, (int(c[0]), int(c[1])), r, col, -1, cv2.LINE_AA)
            cv2.circle(bg, (int(c[0]), int(c[1])), int(r * 0.8), (0.1, 0.15, 0.2), -1, cv2.LINE_AA)
        else:  # phone
            box = cv2.boxPoints((c, (w * 0.08, w * 0.16), float(rng.uniform(0, 180))))
            cv2.fillConvexPoly(bg, np.round(box).astype(np.int32), (0.05, 0.05, 0.05), cv2.LINE_AA)


# --------------------------------------------------------------------------- scenes


def _truth(name: str, cls: str, size: tuple[int, int], quad: list[list[float]], rotation: int, skew: float | None,
           **kw: Any) -> dict[str, Any]:
    t: dict[str, Any] = {"name": name, "class": cls, "size": [int(size[0]), int(size[1])], "quad": quad,
                         "rotation": int(rotation), "skew_deg": None if skew is None else round(float(skew), 4),
                         "skew_scored": False, "orientation_scored": True, "has_text_lines": True, "blank": False,
                         "near_blank": False, "full_frame": False, "two_page": False, "red_seal": False}
    t.update(kw)
    return t


def _a4_doc(rng: np.random.Generator, dpi: float, kind: str, seal: bool) -> tuple[Sheet, np.ndarray]:
    sheet = Sheet(210, 297, dpi)
    _admin_page(sheet, rng, kind, seal)
    return sheet, sheet.compose(rng, paper=tuple(rng.uniform([0.92, 0.93, 0.92], [0.97, 0.97, 0.96])))


def _bed(rng: np.random.Generator, dpi: int) -> tuple[int, int]:
    """The scan area: A4 bed (216 × 297 mm) mostly, sometimes a legal bed or a slightly larger one."""
    wmm, hmm = ((216, 297), (216, 356), (220, 300))[int(rng.choice(3, p=[0.6, 0.2, 0.2]))]
    return round(wmm * MM * dpi), round(hmm * MM * dpi)


def _on_bed(dw: int, dh: int, fw: int, fh: int, dpi: int, phi: float, rng: np.random.Generator,
            corner: bool = True) -> np.ndarray:
    """Document → frame on a scanner at 1:1 scale: turned by ``phi`` (CCW) about its centre, then
    pushed against the registration corner (top-left) with a small gap, or placed anywhere."""
    hm = _rot(phi) @ _shift(-(dw - 1) / 2, -(dh - 1) / 2)
    pts = _apply(hm, _corners(dw, dh))
    lo, hi = pts.min(0), pts.max(0)
    if corner:
        gap = rng.uniform(0.5, 3.0, 2) * MM * dpi
        tx, ty = -0.5 - lo[0] + gap[0], -0.5 - lo[1] + gap[1]
    else:
        tx = rng.uniform(-0.5 - lo[0], max(-0.5 - lo[0], fw - 0.5 - hi[0]))
        ty = rng.uniform(-0.5 - lo[1], max(-0.5 - lo[1], fh - 0.5 - hi[1]))
    return _shift(tx, ty) @ hm


def _flatbed_scene(scene: str, rng: np.random.Generator, dpi: int, bed: tuple[int, int] | None = None
                   ) -> tuple[np.ndarray, dict[str, Any]]:
    fw, fh = bed or _bed(rng, dpi)
    kind = {"lid_table_sideways": "table", "lid_form": "form"}.get(scene, str(rng.choice(["notice", "form",
                                                                                          "table"])))
    seal = scene == "notice_seal_upside" or rng.random() < 0.5
    sheet, doc = _a4_doc(rng, dpi, kind, seal)
    tilt = float(rng.uniform(-5, 5)) if scene == "bed_strips_tilt" else float(rng.uniform(-2.5, 2.5))
    quarter = {"lid_table_sideways": int(rng.choice([90, 270])), "notice_seal_upside": 180}.get(
        scene, int(rng.choice([0, 180], p=[0.8, 0.2])))
    content_tilt = 0.0
    notes = ""
    if scene == "photocopy_crooked":
        # The original lay crooked on the copier: the content is turned on the copy sheet.
        content_tilt = float(rng.uniform(-3.5, 3.5))
        doc = _photocopy(doc, sheet, rng, content_tilt)
        notes = f"photocopy, content turned {content_tilt:+.2f}° on the sheet"
        tilt = float(rng.uniform(-1.5, 1.5))
    if scene == "adf_fill":
        # A feeder scans its nominal size: the paper (a little larger than the area) fills the frame.
        fw, fh = round(208 * MM * dpi), round(294 * MM * dpi)
        if quarter in (90, 270):
            fw, fh = fh, fw
        tilt = float(rng.uniform(-0.6, 0.6))
        phi = quarter + tilt
        hm = _shift((fw - 1) / 2, (fh - 1) / 2) @ _rot(phi) @ _shift(-(sheet.w - 1) / 2, -(sheet.h - 1) / 2)
        bg = np.full((fh, fw, 3), np.float32(rng.uniform(0.05, 0.9)), np.float32)
    else:
        if quarter in (90, 270):
            fw, fh = fh, fw  # the officer turned the bed's scan the way the page lies
        phi = quarter + tilt
        hm = _on_bed(sheet.w, sheet.h, fw, fh, dpi, phi, rng, corner=rng.random() < 0.7)
        closed = scene not in ("bed_strips_tilt",) and rng.random() < 0.75
        bg = _bg_lid(rng, fh, fw, closed)
        if closed:
            bg = _edge_shadow(bg, hm, sheet.w, sheet.h, float(rng.uniform(0.15, 0.4)), float(rng.uniform(1, 3)))
        if scene == "bed_strips_tilt" or rng.random() < 0.15:
            _bg_strips(bg, rng, dpi)
    img, _ = _render(doc, hm, bg)
    rotation, skew = _turn_truth(phi + content_tilt)
    quad = _clip(_apply(hm, _corners(sheet.w, sheet.h)), fw, fh)
    full = scene == "adf_fill"
    t = _truth("", "flatbed", (fw, fh), quad, rotation, skew, skew_scored=sheet.text_lines >= 5,
               has_text_lines=sheet.text_lines >= 5, full_frame=full, red_seal=seal, notes=notes,
               paper_quad=_paper(hm, sheet))
    return _scanner_capture(img, rng, dpi), t


def _photocopy(doc: np.ndarray, sheet: Sheet, rng: np.random.Generator, turn: float) -> np.ndarray:
    """A photocopy: the original turned on the glass, greyed toner, speckle, the original's edge."""
    rng = _child(rng)
    h, w = doc.shape[:2]
    m = cv2.getRotationMatrix2D(((w - 1) / 2, (h - 1) / 2), turn, float(rng.uniform(0.96, 0.99)))
    paper = np.float32(rng.uniform(0.93, 0.97))
    grey = cv2.cvtColor(doc, cv2.COLOR_BGR2GRAY)
    grey = cv2.warpAffine(grey, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=1.0)
    # Toner: contrast up, a grey cast where the original's paper was, the original's edge as a line.
    ink = np.clip((1.0 - grey) * 1.4, 0, 1)
    orig = np.ones((h, w), np.float32)
    orig = cv2.warpAffine(orig, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    edge = cv2.morphologyEx(orig, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8)) * 0.6
    speck = (rng.random((h, w), dtype=np.float32) > 0.9985).astype(np.float32)
    speck = cv2.dilate(speck, np.ones((2, 2), np.uint8))
    tone = 1.0 - np.clip(ink + edge + 0.06 * orig + 0.7 * speck, 0, 1)
    return _tint(paper * tone, (1.0, 1.0, 1.0))


def _blankish(rng: np.random.Generator, dpi: int, index: int) -> tuple[np.ndarray, dict[str, Any]]:
    """A page with no content (blank = True) or almost none (near_blank: must be kept)."""
    variant = ("empty", "pencil", "bleed", "holes", "stamp_only")[(index // len(SCENES)) % 5]
    fw, fh = _bed(rng, dpi)
    sheet = Sheet(210, 297, dpi)
    blank, near = True, False
    red = False
    if variant == "pencil":
        # A faint pencil note in a corner (an officer's dossier number): content, keep it.
        x, y = sheet.px(rng.uniform(25, 120)), sheet.px(rng.uniform(20, 60))
        sheet.text(x, y, f"HS {int(rng.integers(100, 999))} - đã nhận", 12, "Italic")
        blank, near = False, True
    elif variant == "stamp_only":
        _seal(sheet, rng, sheet.px(rng.uniform(50, 160)), sheet.px(rng.uniform(60, 240)), "BẢN SAO ĐÚNG BẢN CHÍNH", 34)
        blank, near, red = False, True, True
    paper = tuple(rng.uniform([0.92, 0.93, 0.92], [0.97, 0.97, 0.96]))
    ink = (0.62, 0.62, 0.64) if variant == "pencil" else (0.10, 0.10, 0.12)
    doc = sheet.compose(rng, paper=paper, ink_black=ink, fibre=0.02)
    if variant == "bleed":
        # The back of a printed page: its text seen through the paper, mirrored, blurred, faint.
        back = Sheet(210, 297, dpi)
        _admin_page(back, rng, "notice", False)
        cov = cv2.GaussianBlur(np.asarray(back.black, np.float32)[:, ::-1] / 255.0, (0, 0), max(0.8, dpi / 100))
        doc = _mul(doc, 1.0 - np.float32(rng.uniform(0.04, 0.08)) * cov)
    phi = float(rng.uniform(-1.5, 1.5)) + int(rng.choice([0, 180]))
    hm = _on_bed(sheet.w, sheet.h, fw, fh, dpi, phi, rng)
    closed = rng.random() < 0.7
    bg = _bg_lid(rng, fh, fw, closed)
    img, _ = _render(doc, hm, bg)
    if variant == "holes":
        # Two punched holes (ISO 838: 6 mm holes 80 mm apart, 12 mm from the edge) show the lid.
        for yy in (148.5 - 40, 148.5 + 40):
            c = _apply(hm, np.array([[sheet.px(12), sheet.px(yy)]]))[0]
            cv2.circle(img, (int(c[0] * 4), int(c[1] * 4)), int(sheet.px(3) * 4),
                       tuple(float(v) for v in bg[min(fh - 1, max(0, int(c[1]))), min(fw - 1, max(0, int(c[0])))]),
                       -1, cv2.LINE_AA, shift=2)
    rotation, _ = _turn_truth(phi)
    quad = _clip(_apply(hm, _corners(sheet.w, sheet.h)), fw, fh)
    t = _truth("", "flatbed", (fw, fh), quad, rotation, None, paper_quad=_paper(hm, sheet),
               has_text_lines=False, orientation_scored=False,
               blank=blank, near_blank=near, red_seal=red, notes=f"blank variant: {variant}")
    return _scanner_capture(img, rng, dpi), t


def _slip_scene(scene: str, rng: np.random.Generator, dpi: int) -> tuple[np.ndarray, dict[str, Any]]:
    """A5 / A6 appointment slips and till receipts on a light (closed) lid, any way round."""
    fw, fh = _bed(rng, dpi)
    notes = ""
    if scene == "till_receipt":
        length = float(rng.uniform(110, 220))
        sheet = Sheet(float(rng.choice([58, 80])), length, dpi)
        _till_receipt(sheet, rng)
        # Thermal paper: bluish white, grey print that fades.
        doc = sheet.compose(rng, paper=(0.97, 0.95, 0.93), ink_black=tuple([float(rng.uniform(0.2, 0.4))] * 3))
        phi = float(rng.uniform(-12, 12)) + int(rng.choice([0, 90, 180, 270], p=[0.6, 0.15, 0.1, 0.15]))
        seal = False
        notes = "thermal till receipt"
    else:
        a6 = scene == "slip_a6_turned"
        sheet = Sheet(105, 148, dpi) if a6 else Sheet(148, 210, dpi)
        seal = rng.random() < 0.6
        _appointment_slip(sheet, rng, seal)
        doc = sheet.compose(rng, paper=tuple(rng.uniform([0.90, 0.93, 0.93], [0.97, 0.98, 0.98])))
        quarter = int(rng.choice([0, 90, 180, 270])) if a6 else int(rng.choice([0, 90], p=[0.7, 0.3]))
        phi = quarter + float(rng.uniform(-6, 6))
        notes = "Mẫu 01 slip, A6" if a6 else "Mẫu 01 slip, A5"
    hm = _on_bed(sheet.w, sheet.h, fw, fh, dpi, phi, rng, corner=rng.random() < 0.4)
    bg = _bg_lid(rng, fh, fw, closed=True)
    bg = _edge_shadow(bg, hm, sheet.w, sheet.h, float(rng.uniform(0.1, 0.35)), float(rng.uniform(1, 3)))
    img, _ = _render(doc, hm, bg)
    rotation, skew = _turn_truth(phi)
    quad = _clip(_apply(hm, _corners(sheet.w, sheet.h)), fw, fh)
    t = _truth("", "slip", (fw, fh), quad, rotation, skew, paper_quad=_paper(hm, sheet), red_seal=seal, notes=notes)
    return _scanner_capture(img, rng, dpi), t


def _card_doc(rng: np.random.Generator, dpi: float, back: bool) -> tuple[Sheet, np.ndarray]:
    sheet = Sheet(85.6, 54, dpi)
    _cccd(sheet, rng, back)
    tint = (0.90, 0.93, 0.90) if not back else (0.92, 0.92, 0.90)
    doc = sheet.compose(rng, paper=tint, fibre=0.004)
    # Rounded corners (ISO/IEC 7810: 3.18 mm radius): the card's corner pixels are background.
    r = max(2, round(sheet.px(3.18)))
    cm = np.zeros((sheet.h, sheet.w), np.uint8)
    cv2.rectangle(cm, (r, 0), (sheet.w - 1 - r, sheet.h - 1), 1, -1)
    cv2.rectangle(cm, (0, r), (sheet.w - 1, sheet.h - 1 - r), 1, -1)
    for cx, cy in ((r, r), (sheet.w - 1 - r, r), (r, sheet.h - 1 - r), (sheet.w - 1 - r, sheet.h - 1 - r)):
        cv2.circle(cm, (cx, cy), r, 1, -1, cv2.LINE_AA)
    return sheet, doc * cm[:, :, None].astype(np.float32) + (1 - cm[:, :, None].astype(np.float32)) * -1.0


def _card_scene(scene: str, rng: np.random.Generator, dpi: int) -> tuple[np.ndarray, int | None, dict[str, Any]]:
    """CCCD sides on the scanner glass (lid open or closed), a pair on one glass, or held in a hand."""
    if scene == "card_in_hand":
        return _card_in_hand(rng, dpi)
    fw, fh = _bed(rng, dpi)
    closed = scene == "card_back_light" or (scene == "card_pair" and rng.random() < 0.5)
    bg = _bg_lid(rng, fh, fw, closed)
    sides = [scene == "card_back_light"] if scene != "card_pair" else [False, bool(rng.random() < 0.5)]
    quarter = int(rng.choice([0, 90, 180, 270]))
    base = quarter + float(rng.uniform(-30, 30)) if scene != "card_pair" else quarter + float(rng.uniform(-8, 8))
    img = bg
    all_pts = []
    hms = []
    for k, back in enumerate(sides):
        sheet, doc = _card_doc(rng, dpi, back)
        phi = base + (float(rng.uniform(-3, 3)) if k else 0.0)
        hm = _rot(phi) @ _shift(-(sheet.w - 1) / 2, -(sheet.h - 1) / 2)
        if scene == "card_pair":
            # Laid one above the other (in the cards' own frame) with a 10–30 mm gap.
            gap = sheet.px(54 + rng.uniform(10, 30))
            off = _apply(_rot(base), np.array([[0.0, gap * (k - 0.5)]]))[0]
            hm = _shift(fw / 2 + off[0] + rng.uniform(-0.2, 0.2) * fw, fh * 0.35 + off[1]) @ hm
        else:
            hm = _shift(rng.uniform(0.2, 0.8) * fw, rng.uniform(0.15, 0.6) * fh) @ hm
        pts = _apply(hm, _corners(sheet.w, sheet.h))
        # Keep the card on the glass.
        lo, hi = pts.min(0), pts.max(0)
        dx = max(0.0, -0.5 + 4 - lo[0]) - max(0.0, hi[0] - (fw - 4.5))
        dy = max(0.0, -0.5 + 4 - lo[1]) - max(0.0, hi[1] - (fh - 4.5))
        hm = _shift(dx, dy) @ hm
        hms.append(hm)
        # The card's rounded-off corners carry -1: composite them as background.
        m_doc = (doc[:, :, 0] >= 0).astype(np.float32)
        warped, _ = _render(np.clip(doc, 0, None) * m_doc[:, :, None], hm, np.zeros_like(bg))
        mm = cv2.warpPerspective(m_doc, hm, (fw, fh), flags=cv2.INTER_LINEAR)
        img = img - _mul(img, mm) + warped
        all_pts.append(_apply(hm, _corners(sheet.w, sheet.h)))
    rotation, skew = _turn_truth(base)
    if len(all_pts) == 1:
        outline = all_pts[0]
    else:
        # Both cards make one page: the smallest rectangle holding them (a crop is a rectangle, so
        # their hull — a hexagon when they lie staggered — is no outline any crop could match),
        # listed clockwise from the corner nearest the first card's top-left.
        box = cv2.boxPoints(cv2.minAreaRect(np.concatenate(all_pts).astype(np.float32))).astype(np.float64)
        if cv2.contourArea(box.astype(np.float32), True) < 0:
            box = box[::-1]
        outline = np.roll(box, -int(np.argmin(((box - all_pts[0][0]) ** 2).sum(1))), 0)
    quad = _clip(outline, fw, fh)
    t = _truth("", "card", (fw, fh), quad, rotation, skew, red_seal=True,
               notes=("two cards on one glass; the outline: the least rectangle holding both" if len(sides) == 2 else
                      f"CCCD {'back' if sides[0] else 'front'}, lid {'closed' if closed else 'open'}"))
    return _scanner_capture(img, rng, dpi), dpi, t


def _camera_frame_size(rng: np.random.Generator, dpi: int, portrait: bool) -> tuple[int, int]:
    long_side = round(dpi * 10.67)  # 1600 px at 150 "dpi": a phone photo as a messaging app sends it
    short = round(long_side * 0.75)
    return (short, long_side) if portrait else (long_side, short)


def _perspective(rng: np.random.Generator, dw: int, dh: int, fw: int, fh: int, phi: float, fill: float,
                 tilt_amount: float, centre: tuple[float, float] | None = None) -> np.ndarray:
    """Document → frame as a phone sees it: turned by ``phi``, scaled to ``fill`` of the frame,
    then each corner pulled as a camera pitched/yawed off the page's normal would pull it."""
    src = _corners(dw, dh).astype(np.float32)
    turned = _apply(_rot(phi) @ _shift(-(dw - 1) / 2, -(dh - 1) / 2), src.astype(np.float64))
    span = turned.max(0) - turned.min(0)
    k = fill * min(fw / span[0], fh / span[1])
    c = centre or (fw / 2, fh / 2)
    dst = turned * k + np.array(c)
    # Keystone: the far edge (in frame terms, a random side) shrinks toward its middle.
    side = rng.uniform(0, 2 * math.pi)
    axis = np.array([math.cos(side), math.sin(side)])
    proj = (dst - np.array(c)) @ axis
    proj /= max(1e-6, np.abs(proj).max())
    shrink = 1.0 - tilt_amount * (proj + 1) / 2
    dst = np.array(c) + (dst - np.array(c)) * shrink[:, None]
    dst += rng.normal(0, 0.012 * min(fw, fh), dst.shape)
    return cv2.getPerspectiveTransform(src, dst.astype(np.float32)).astype(np.float64)


def _camera_scene(scene: str, rng: np.random.Generator, dpi: int) -> tuple[np.ndarray, dict[str, Any]]:
    """A page (or a spread) photographed on a desk."""
    spread = scene == "phone_spread"
    quarter = int(rng.choice([0, 90, 180, 270], p=[0.55, 0.2, 0.05, 0.2]))
    portrait = (quarter in (0, 180)) != spread
    fw, fh = _camera_frame_size(rng, dpi, portrait)
    doc_dpi = 0.95 * max(fw, fh) / (297 * MM) if not spread else 0.95 * max(fw, fh) / (420 * MM)
    if spread:
        sheet = Sheet(420, 297, doc_dpi)
        _spread(sheet, rng)
        doc = sheet.compose(rng, paper=tuple(rng.uniform([0.80, 0.82, 0.92], [0.86, 0.88, 0.97])))
        # The fold: a soft dark valley down the middle.
        xs = np.arange(sheet.w, dtype=np.float32)
        valley = 1.0 - 0.35 * np.exp(-((xs - sheet.w / 2) / (sheet.w * 0.02)) ** 2)
        doc *= valley[None, :, None]
        seal = True
    else:
        seal = rng.random() < 0.6
        sheet, doc = _a4_doc(rng, doc_dpi, str(rng.choice(["notice", "form", "table"])), seal)
    phi = quarter + float(rng.uniform(-12, 12))
    if scene == "phone_wood":
        bg = _bg_wood(rng, fh, fw)
    elif scene == "phone_cloth_offframe":
        bg = _bg_cloth(rng, fh, fw)
    elif scene == "phone_dark_desk":
        bg = _bg_desk(rng, fh, fw, light=False)
    elif scene == "phone_bent_blur":
        bg = _bg_desk(rng, fh, fw, light=True)
    else:
        bg = _bg_desk(rng, fh, fw, light=bool(rng.random() < 0.5))
    if scene == "phone_clutter":
        _clutter(bg, rng, None)
    off = scene == "phone_cloth_offframe"
    fill = float(rng.uniform(1.0, 1.15)) if off else float(rng.uniform(0.6, 0.88))
    centre = (fw * rng.uniform(0.35, 0.65), fh * rng.uniform(0.35, 0.65)) if off else None
    hm = _perspective(rng, sheet.w, sheet.h, fw, fh, phi, fill, float(rng.uniform(0.03, 0.2)), centre)
    bend = float(rng.uniform(0.01, 0.03)) * sheet.h * float(rng.choice([-1, 1])) if scene == "phone_bent_blur" else 0.0
    img, m = _render(doc, hm, bg, bend)
    if scene == "phone_clutter" and rng.random() < 0.7:
        # A pen lying across the page's edge: the paper's outline does not change.
        c = _apply(hm, np.array([[sheet.w * rng.uniform(0.2, 0.8), sheet.h - 1.0]]))[0]
        box = cv2.boxPoints(((float(c[0]), float(c[1])), (fw * 0.18, max(4.0, fw * 0.01)), float(rng.uniform(0, 180))))
        cv2.fillConvexPoly(img, np.round(box).astype(np.int32), (0.6, 0.2, 0.1), cv2.LINE_AA)
    glare = scene in ("phone_clutter", "phone_spread") or rng.random() < 0.3
    out = _phone_capture(img, rng, m, glare=glare, shadow=rng.random() < 0.6, blur=scene == "phone_bent_blur")
    rotation, skew = _turn_truth(phi)
    quad = _clip(_apply(hm, _corners(sheet.w, sheet.h)), fw, fh)
    t = _truth("", "camera", (fw, fh), quad, rotation, skew, paper_quad=_paper(hm, sheet), two_page=spread,
               red_seal=seal,
               notes="land-use certificate spread; the outline is the whole spread" if spread else
               ("page runs off the photo" if off else ""))
    return out, t


def _card_in_hand(rng: np.random.Generator, dpi: int) -> tuple[np.ndarray, int | None, dict[str, Any]]:
    """A phone photo of a CCCD held between thumb and fingers over a desk."""
    quarter = int(rng.choice([0, 90, 270], p=[0.7, 0.15, 0.15]))
    fw, fh = _camera_frame_size(rng, dpi, portrait=bool(rng.random() < 0.5))
    doc_dpi = 0.7 * max(fw, fh) / (85.6 * MM)
    sheet, doc = _card_doc(rng, doc_dpi, back=bool(rng.random() < 0.3))
    bg = _bg_wood(rng, fh, fw) if rng.random() < 0.5 else _bg_desk(rng, fh, fw, light=bool(rng.random() < 0.5))
    phi = quarter + float(rng.uniform(-15, 15))
    hm = _perspective(rng, sheet.w, sheet.h, fw, fh, phi, float(rng.uniform(0.45, 0.75)),
                      float(rng.uniform(0.03, 0.15)))
    m_doc = (doc[:, :, 0] >= 0).astype(np.float32)
    warped, _ = _render(np.clip(doc, 0, None) * m_doc[:, :, None], hm, np.zeros_like(bg))
    mm = cv2.warpPerspective(m_doc, hm, (fw, fh), flags=cv2.INTER_LINEAR)
    img = bg - _mul(bg, mm) + warped
    # The thumb over the card's left edge (in the card's own frame), the fingers behind the right.
    skin = np.asarray(rng.uniform([0.45, 0.55, 0.72], [0.6, 0.7, 0.88]), np.float32)
    tl = _apply(hm, np.array([[sheet.w * 0.04, sheet.h * rng.uniform(0.35, 0.65)], [-sheet.w * 1.5, sheet.h * 1.6]]))
    tw = float(np.linalg.norm(_apply(hm, np.array([[0.0, 0.0], [sheet.w * 0.2, 0.0]]))[1]
                              - _apply(hm, np.array([[0.0, 0.0]]))[0]))
    cv2.line(img, tuple(int(v) for v in tl[0]), tuple(int(v) for v in tl[1]), tuple(float(v) for v in skin),
             max(4, int(tw)), cv2.LINE_AA)
    cv2.circle(img, tuple(int(v) for v in tl[0]), max(2, int(tw / 2)), tuple(float(v) for v in skin * 1.05), -1,
               cv2.LINE_AA)
    out = _phone_capture(img, rng, mm, glare=bool(rng.random() < 0.5), shadow=bool(rng.random() < 0.4), blur=False)
    rotation, skew = _turn_truth(phi)
    quad = _clip(_apply(hm, _corners(sheet.w, sheet.h)), fw, fh)
    t = _truth("", "card", (fw, fh), quad, rotation, skew, red_seal=True,
               notes="CCCD held in a hand (phone photo); a thumb covers part of the left edge",
               paper_quad=_paper(hm, sheet))
    return out, None, t


# --------------------------------------------------------------------------- entry point


def generate_page(seed: int, index: int, dpi: int = 150, scene: str | None = None) -> Frame:
    """Frame ``index`` of the sequence ``seed`` at ``dpi`` (scanner frames; phone photos scale
    their pixel size with it but carry no DPI). ``scene`` overrides the cycled scene."""
    scene = scene or SCENES[index % len(SCENES)]
    if scene not in SCENE_CLASS:
        raise ValueError(f"unknown gen5 scene {scene!r}")
    rng = np.random.default_rng([seed, index, 5])
    out_dpi: int | None = dpi
    if scene == "blankish":
        img, t = _blankish(rng, dpi, index)
    elif scene.startswith("card"):
        img, out_dpi, t = _card_scene(scene, rng, dpi)
    elif scene.startswith("phone"):
        img, t = _camera_scene(scene, rng, dpi)
        out_dpi = None
    elif SCENE_CLASS[scene] == "slip":
        img, t = _slip_scene(scene, rng, dpi)
    else:
        img, t = _flatbed_scene(scene, rng, dpi)
    t["name"] = f"{scene}#{index}"
    t["scene"] = scene
    t["dpi"] = out_dpi
    return Frame(img, out_dpi, t)

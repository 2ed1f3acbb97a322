"""gen7: a held-out generator of what a ward counter scans and photographs (issue #13, session 11).

Written from scratch without reading the pipeline's page finding or the other generators; report
only: nobody tunes on it. Documents: photocopies (toner haze, copier streaks, a dark copied border,
content crooked on the copy; a copy of a CCCD's two sides on A4), forms on coloured paper with a
highlighter and handwritten margin notes, an MFP form with a red seal, an ADF notice, a household
register booklet open on the glass, carbon duplicate receipts, faded thermal slips, dot-matrix slips
on green-bar paper, CCCD cards (in a plastic sleeve, several on the glass, held by two fingers), blank
and near-blank pages (copier toner speckle, a "BẢN SAO" stamp only, one signature, a pencil page
number). Captures: MFP scans with auto-crop off (lid closed, or open in a bright room: grey-green
surround), an ADF page (leading-edge shadow, slight stretch along the feed), scans saved in landscape,
a document camera over a dark wooden desk with a keyboard edge, scanning-app photos (page nearly
filling the frame), phone photos with strong perspective, motion blur, the phone's shadow, mixed
warm/cool light, a page lying on another page.

Every frame is a pure function of (seed, index, dpi): the scene's choices come from a stream that
does not depend on the DPI, so the same frame at another DPI is the same scene. Truth is computed
from the one homography that places the document (document pixels → frame pixels).

Truth (run.py / real_truth.json format): ``quad`` = the document's outline clipped to the frame
(pixel centres at integers, frame edges at −0.5 and size − 0.5), listed clockwise starting from the
corner nearest the document's own top-left (``paper_quad`` = the unclipped four corners in that
order); several cards and an open booklet are one outline (the convex hull / the whole booklet);
``rotation`` = the clockwise quarter-turn that makes the text upright; ``skew_deg`` = the
counter-clockwise tilt of the text lines left after that turn (a photocopy: the print's, not the
sheet's), scored on flatbed frames with text lines and one straight print.

``python -m bench.scan_eval.gen7 [N]`` writes overlay sheets of the truth to ``out/gen7/``.
"""

from __future__ import annotations

import math
import sys
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONTS = Path(__file__).resolve().parents[2] / "resources" / "fonts"

# 20 scenes cycled: 7 flatbed + 1 blank/near-blank (counted as flatbed), 6 camera, 3 card, 3 slip.
SCENES = (
    "copy_form_lid", "cccd_copy_open", "colour_form_notes", "booklet_glass", "adf_notice",
    "seal_form_mfp", "copy_notice_landscape", "blankish",
    "doccam_wood", "app_scan", "phone_steep", "phone_shadow", "phone_on_pile", "booklet_phone",
    "card_sleeve", "cards_glass", "card_fingers",
    "carbon_receipt", "thermal_faded", "dotmatrix_slip",
)
CLASS_OF = {s: "flatbed" for s in SCENES[:8]} | {s: "camera" for s in SCENES[8:14]} | \
    {s: "card" for s in SCENES[14:17]} | {s: "slip" for s in SCENES[17:]}
# A4 scanner scenes for the 300-dpi time table (run.py's _a4_300_jpegs).
FLATBED_SCENES = ("copy_form_lid", "colour_form_notes", "adf_notice", "seal_form_mfp")

VI = (
    "Căn cứ Nghị định số 118/2025/NĐ-CP về thực hiện thủ tục hành chính theo cơ chế một cửa",
    "Bộ phận tiếp nhận và trả kết quả đã nhận hồ sơ của ông bà có các thành phần sau đây",
    "Đề nghị công dân mang theo bản chính giấy tờ để đối chiếu khi nhận kết quả giải quyết",
    "Thời gian giải quyết theo quy định là mười ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ",
    "Trường hợp hồ sơ chưa đầy đủ, cán bộ hướng dẫn bổ sung một lần bằng văn bản",
    "Ủy ban nhân dân phường thông báo lịch tiếp công dân định kỳ trong tháng",
    "Người nộp hồ sơ chịu trách nhiệm về tính chính xác của các thông tin đã kê khai",
    "Xác nhận nơi cư trú hiện tại của công dân theo dữ liệu quốc gia về dân cư",
    "Đăng ký khai sinh, khai tử, kết hôn và cấp bản sao trích lục hộ tịch",
    "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền cấp",
    "Phí, lệ phí thu theo nghị quyết của hội đồng nhân dân tỉnh đã được công khai",
    "Kết quả được trả tại bộ phận một cửa hoặc qua dịch vụ bưu chính công ích",
    "Số hóa thành phần hồ sơ và ký số bản sao điện tử theo quy định hiện hành",
    "Thửa đất số 245, tờ bản đồ số 12, diện tích 96,5 mét vuông, mục đích sử dụng đất ở",
    "Họ và tên chủ hộ, quan hệ với chủ hộ, ngày tháng năm sinh, nghề nghiệp, nơi làm việc",
    "Biên lai thu tiền phí, lệ phí không in sẵn mệnh giá, liên hai giao người nộp tiền",
)
HEAD = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
TITLES = ("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
          "TỜ KHAI ĐĂNG KÝ THƯỜNG TRÚ", "ĐƠN ĐỀ NGHỊ CHỨNG THỰC", "THÔNG BÁO", "BIÊN BẢN XÁC MINH")


@dataclass
class GeneratedPage:
    """One frame and its truth (run.py's dict format)."""

    image: np.ndarray
    dpi: int | None
    truth: dict[str, Any]


# --------------------------------------------------------------------------- drawing documents


@lru_cache(maxsize=64)
def _font(px: int, bold: bool = False, italic: bool = False) -> ImageFont.FreeTypeFont:
    name = "LiberationSerif-" + ("BoldItalic" if bold and italic else "Bold" if bold else
                                 "Italic" if italic else "Regular") + ".ttf"
    return ImageFont.truetype(str(FONTS / name), max(6, px))


class Sheet:
    """A document page drawn in millimetres on a Pillow canvas (``ppm`` pixels per millimetre)."""

    def __init__(self, w_mm: float, h_mm: float, ppm: float, paper: tuple[int, int, int] = (250, 250, 247)):
        self.w_mm, self.h_mm, self.ppm = w_mm, h_mm, ppm
        self.im = Image.new("RGB", (max(8, round(w_mm * ppm)), max(8, round(h_mm * ppm))), paper)
        self.d = ImageDraw.Draw(self.im)

    def px(self, v: float) -> int:
        return round(v * self.ppm)

    def text(self, x: float, y: float, s: str, pt: float, fill: Any = (25, 25, 30), bold: bool = False,
             italic: bool = False, anchor: str = "la") -> float:
        """Draw ``s`` at (x, y) mm, ``pt`` points; returns its width in mm."""
        f = _font(round(pt * 0.3528 * self.ppm), bold, italic)
        self.d.text((self.px(x), self.px(y)), s, font=f, fill=fill, anchor=anchor)
        return float(self.d.textlength(s, font=f)) / self.ppm

    def para(self, x: float, y: float, width: float, words: list[str], pt: float, lead: float = 1.45,
             fill: Any = (25, 25, 30), max_lines: int = 99) -> float:
        """Wrap words into lines of ``width`` mm from (x, y); returns the y below the paragraph."""
        f = _font(round(pt * 0.3528 * self.ppm))
        line: list[str] = []
        n = 0
        for wd in [*words, ""]:
            trial = " ".join([*line, wd]) if wd else ""
            if wd and self.d.textlength(trial, font=f) / self.ppm <= width:
                line.append(wd)
                continue
            if line:
                self.d.text((self.px(x), self.px(y)), " ".join(line), font=f, fill=fill)
                y += pt * 0.3528 * lead
                n += 1
                if n >= max_lines:
                    break
            line = [wd] if wd else []
        return y

    def hline(self, x0: float, x1: float, y: float, fill: Any = (30, 30, 30), w: float = 0.25,
              dotted: bool = False) -> None:
        if dotted:
            step = 1.0
            xs = np.arange(x0, x1, step)
            for xa in xs:
                self.d.point((self.px(xa), self.px(y)), fill=fill)
            return
        self.d.line([(self.px(x0), self.px(y)), (self.px(x1), self.px(y))], fill=fill, width=max(1, self.px(w)))

    def rect(self, x0: float, y0: float, x1: float, y1: float, outline: Any = None, fill: Any = None,
             w: float = 0.25) -> None:
        self.d.rectangle([self.px(x0), self.px(y0), self.px(x1), self.px(y1)], outline=outline, fill=fill,
                         width=max(1, self.px(w)))

    def array(self) -> np.ndarray:
        """BGR uint8."""
        return cv2.cvtColor(np.asarray(self.im), cv2.COLOR_RGB2BGR)


def _words(rng: np.random.Generator, n: int) -> list[str]:
    out: list[str] = []
    while len(out) < n:
        out += VI[int(rng.integers(len(VI)))].split() + (["."] if rng.random() < 0.3 else [])
    return out[:n]


def _scribble(sheet: Sheet, rng: np.random.Generator, x: float, y: float, length: float, height: float,
              colour: Any, width_mm: float = 0.35) -> None:
    """Handwriting-like loops (a signature or a margin note) from (x, y) over ``length`` mm."""
    t = np.linspace(0, 1, max(20, int(length * 3)))
    freq = rng.uniform(0.6, 1.1) * length
    yy = y + height * (0.5 * np.sin(2 * np.pi * freq * t / 3.0 + rng.uniform(0, 6)) +
                       0.25 * np.sin(2 * np.pi * freq * t * 0.37) + rng.normal(0, 0.05, t.size))
    xx = x + length * t + 0.8 * height * np.cos(2 * np.pi * freq * t / 3.0)
    pts = [(sheet.px(a), sheet.px(b)) for a, b in zip(xx, yy, strict=True)]
    sheet.d.line(pts, fill=colour, width=max(1, sheet.px(width_mm)), joint="curve")


def _seal(sheet: Sheet, rng: np.random.Generator, cx: float, cy: float, r: float = 18.0) -> None:
    """A round red seal: two rings, a star, letters round the rim, a name across."""
    red = (int(rng.integers(185, 215)), int(rng.integers(20, 45)), int(rng.integers(30, 55)))
    layer = Image.new("L", sheet.im.size, 0)
    d = ImageDraw.Draw(layer)
    p = sheet.px
    for rr, ww in ((r, 0.9), (r * 0.72, 0.45)):
        d.ellipse([p(cx - rr), p(cy - rr), p(cx + rr), p(cy + rr)], outline=255, width=max(1, p(ww)))
    star = [(cx + (r * 0.22 if k % 2 == 0 else r * 0.09) * math.sin(k * math.pi / 5),
             cy - (r * 0.22 if k % 2 == 0 else r * 0.09) * math.cos(k * math.pi / 5)) for k in range(10)]
    d.polygon([(p(a), p(b)) for a, b in star], fill=255)
    f = _font(round(2.6 * sheet.ppm), True)
    for k, ch in enumerate("ỦY BAN NHÂN DÂN PHƯỜNG"):
        a = -math.pi * 0.85 + k * (1.7 * math.pi / 22)
        d.text((p(cx + r * 0.86 * math.sin(a)), p(cy - r * 0.86 * math.cos(a))), ch, font=f, fill=255, anchor="mm")
    d.text((p(cx), p(cy + r * 0.42)), "CÔNG AN", font=_font(round(2.4 * sheet.ppm), True), fill=255, anchor="mm")
    a = np.asarray(layer, np.float32) / 255.0 * rng.uniform(0.75, 0.95)
    base = np.asarray(sheet.im, np.float32)
    ink = np.array(red, np.float32) / 255.0
    out = base * (1 - a[..., None] * (1 - ink))
    sheet.im = Image.fromarray(np.clip(out, 0, 255).astype(np.uint8))
    sheet.d = ImageDraw.Draw(sheet.im)


def _highlight(sheet: Sheet, rng: np.random.Generator, x: float, y: float, w: float, pt: float) -> None:
    """A translucent highlighter stroke over a text line (multiplied, as ink on paper)."""
    col = ((255, 240, 60), (140, 240, 120), (255, 150, 200))[int(rng.integers(3))]
    layer = Image.new("RGB", sheet.im.size, (255, 255, 255))
    ImageDraw.Draw(layer).rectangle([sheet.px(x - 1), sheet.px(y - pt * 0.1), sheet.px(x + w),
                                     sheet.px(y + pt * 0.42)], fill=col)
    a = np.asarray(sheet.im, np.float32) * np.asarray(layer, np.float32) / 255.0
    sheet.im = Image.fromarray(a.astype(np.uint8))
    sheet.d = ImageDraw.Draw(sheet.im)


def draw_form(rng: np.random.Generator, ppm: float, paper: tuple[int, int, int] = (250, 250, 247),
              w_mm: float = 210.0, h_mm: float = 297.0, seal: bool = False, notes: bool = False,
              highlight: bool = False, dense: bool = False) -> Sheet:
    """An A4 administrative form or notice: national header, title, fields, a table, signatures."""
    s = Sheet(w_mm, h_mm, ppm, paper)
    m = float(rng.uniform(18, 25))
    right = w_mm - m * 0.8
    s.text(m + 28, 14, "UBND PHƯỜNG " + ("BẾN THÀNH", "HOÀNG MAI", "NINH KIỀU", "HẢI CHÂU")[int(rng.integers(4))],
           10, anchor="ma")
    s.text(m + 28, 19, "BỘ PHẬN MỘT CỬA", 10, bold=True, anchor="ma")
    s.text(w_mm * 0.66, 14, HEAD[0], 10.5, bold=True, anchor="ma")
    s.text(w_mm * 0.66, 19.5, HEAD[1], 11, bold=True, anchor="ma")
    s.hline(w_mm * 0.66 - 22, w_mm * 0.66 + 22, 25, w=0.3)
    s.text(w_mm * 0.62, 30, f"ngày {int(rng.integers(1, 29))} tháng {int(rng.integers(1, 13))} năm 2026", 10,
           italic=True)
    y = 42.0
    s.text(w_mm / 2, y, TITLES[int(rng.integers(len(TITLES)))], 13, bold=True, anchor="ma")
    y += 10
    pt = 11.5 if not dense else 10.0
    if dense:
        y = s.para(m, y, right - m, _words(rng, 420), pt, lead=1.35)
    else:
        for k in range(int(rng.integers(5, 8))):
            label = ("Họ và tên:", "Ngày sinh:", "Số định danh cá nhân:", "Địa chỉ thường trú:", "Số điện thoại:",
                     "Nội dung yêu cầu:", "Mã hồ sơ:")[k % 7]
            wlab = s.text(m, y, label, pt)
            s.hline(m + wlab + 1, right, y + pt * 0.3528 * 0.95, dotted=True, fill=(60, 60, 60))
            if rng.random() < 0.6:
                _scribble(s, rng, m + wlab + 4, y + 1.5, rng.uniform(25, 70), 1.6, (30, 40, 150), 0.3)
            y += pt * 0.3528 * 1.9
        y = s.para(m, y + 2, right - m, _words(rng, 90), pt)
        rows = int(rng.integers(4, 7))
        cw = [(right - m) * f for f in (0.08, 0.52, 0.2, 0.2)]
        th = 7.5
        for r in range(rows + 1):
            s.hline(m, right, y + r * th, w=0.25)
        xs = np.cumsum([m, *cw])
        for xx in xs:
            s.d.line([(s.px(xx), s.px(y)), (s.px(xx), s.px(y + rows * th))], fill=(30, 30, 30),
                     width=max(1, s.px(0.25)))
        for r in range(rows):
            s.text(xs[0] + 2, y + r * th + 1.6, "TT" if r == 0 else str(r), 10, bold=r == 0)
            s.text(xs[1] + 2, y + r * th + 1.6, "Thành phần hồ sơ" if r == 0 else
                   " ".join(_words(rng, int(rng.integers(3, 6)))), 10, bold=r == 0)
            s.text(xs[2] + 2, y + r * th + 1.6, "Bản chính" if r == 0 else str(int(rng.integers(0, 3))), 10,
                   bold=r == 0)
            s.text(xs[3] + 2, y + r * th + 1.6, "Bản sao" if r == 0 else str(int(rng.integers(0, 3))), 10,
                   bold=r == 0)
        y += rows * th + 6
        y = s.para(m, y, right - m, _words(rng, 70), pt)
    y = min(y + 6, h_mm - 55)
    s.text(m + 30, y, "NGƯỜI NỘP HỒ SƠ", 10.5, bold=True, anchor="ma")
    s.text(w_mm * 0.7, y, "NGƯỜI TIẾP NHẬN", 10.5, bold=True, anchor="ma")
    _scribble(s, rng, m + 18, y + 14, 24, 3.5, (25, 30, 120), 0.4)
    _scribble(s, rng, w_mm * 0.7 - 12, y + 14, 24, 3.5, (25, 30, 120), 0.4)
    if highlight:
        for _ in range(int(rng.integers(1, 3))):
            _highlight(s, rng, m, float(rng.uniform(60, 120)), float(rng.uniform(40, right - m)), pt)
    if notes:
        # Handwritten notes in the margin, turned with the page (a note across the margin).
        for _ in range(int(rng.integers(1, 3))):
            _scribble(s, rng, float(rng.uniform(m, right - 50)), float(rng.uniform(y + 25, h_mm - 12)),
                      float(rng.uniform(25, 50)), 2.0, (20, 40, 170) if rng.random() < 0.7 else (40, 40, 40), 0.35)
    if seal:
        _seal(s, rng, w_mm * 0.7 + rng.uniform(-8, 2), y + 14 + rng.uniform(-3, 3))
    return s


def draw_card(rng: np.random.Generator, ppm: float, back: bool = False) -> np.ndarray:
    """A CCCD (chip citizen ID card), ID-1 85.6 × 54 mm, front or back; rounded corners left white
    (the caller composites the card through its own rounded mask)."""
    s = Sheet(85.6, 54.0, ppm, (228, 238, 236) if not back else (236, 236, 228))
    h = s.im.size[1]
    arr = np.asarray(s.im, np.float32).copy()
    yy = np.arange(h)[:, None] / ppm
    xx = np.arange(s.im.size[0])[None, :] / ppm
    guil = 0.5 + 0.5 * np.sin(xx * 1.7 + 3 * np.sin(yy * 0.9))  # guilloche-like security pattern
    arr *= (1 - 0.05 * guil)[..., None]
    s.im = Image.fromarray(arr.astype(np.uint8))
    s.d = ImageDraw.Draw(s.im)
    if not back:
        s.d.ellipse([s.px(3), s.px(3), s.px(14), s.px(14)], fill=(200, 30, 35))
        s.d.regular_polygon((s.px(8.5), s.px(8.5), s.px(3)), 5, fill=(250, 215, 40))
        s.text(50, 3.5, HEAD[0], 6.2, bold=True, anchor="ma")
        s.text(50, 7.3, HEAD[1], 6, bold=True, anchor="ma")
        s.text(50, 12, "CĂN CƯỚC CÔNG DÂN", 9, bold=True, fill=(180, 30, 30), anchor="ma")
        s.rect(3, 18, 23, 44, fill=(150, 155, 165))
        s.d.ellipse([s.px(8), s.px(22), s.px(18), s.px(33)], fill=(90, 80, 80))
        for k, lab in enumerate(("Số / No.: 0012060" + str(int(rng.integers(10000, 99999))), "Họ và tên / Full name:",
                                 "NGUYỄN VĂN " + ("AN", "BÌNH", "CƯỜNG", "DŨNG")[int(rng.integers(4))],
                                 "Ngày sinh: 0" + str(int(rng.integers(1, 9))) + "/05/1987  Giới tính: Nam",
                                 "Quê quán: Hoài Nhơn, Bình Định", "Nơi thường trú: Quy Nhơn, Bình Định")):
            s.text(26, 17 + k * 5.4, lab, 6.2, bold=k == 2)
        s.rect(71, 40, 82, 51, fill=(20, 20, 20))
        s.rect(73, 42, 80, 49, fill=(236, 236, 228))
    else:
        s.rect(4, 4, 17, 14, fill=(200, 170, 80))  # the chip
        s.text(22, 5, "Đặc điểm nhân dạng: Nốt ruồi cách 2 cm trên mép trái", 6, )
        s.text(22, 10, "Ngày, tháng, năm: 12/08/2021", 6)
        s.text(22, 14.5, "CỤC TRƯỞNG CỤC CẢNH SÁT QLHC VỀ TTXH", 5.6, bold=True)
        for k in range(2):
            s.rect(4 + k * 20, 18, 20 + k * 20, 34, outline=(80, 80, 80), w=0.3)
            s.d.ellipse([s.px(7 + k * 20), s.px(20), s.px(17 + k * 20), s.px(32)], outline=(110, 110, 110),
                        width=max(1, s.px(0.5)))
        for k, line in enumerate(("IDVNM0870" + str(int(rng.integers(1000, 9999))) + "7<<<<<<<<<<<<",
                                  "8705123M2705121VNM<<<<<<<<<<8", "NGUYEN<<VAN<AN<<<<<<<<<<<<<<")):
            s.text(4, 38 + k * 4.6, line, 7.2, fill=(30, 30, 30))
    return s.array()


def _round_mask(h: int, w: int, r_px: float) -> np.ndarray:
    """A card's rounded-corner mask (1 inside), ``r_px`` corner radius (ID-1: 3.18 mm)."""
    m = np.zeros((h, w), np.uint8)
    r = max(1, round(r_px))
    cv2.rectangle(m, (r, 0), (w - 1 - r, h - 1), 255, -1)
    cv2.rectangle(m, (0, r), (w - 1, h - 1 - r), 255, -1)
    for cx, cy in ((r, r), (w - 1 - r, r), (r, h - 1 - r), (w - 1 - r, h - 1 - r)):
        cv2.circle(m, (cx, cy), r, 255, -1, cv2.LINE_AA)
    return m


# --------------------------------------------------------------------------- paper effects


def photocopy(doc: np.ndarray, rng: np.random.Generator, nrng: np.random.Generator, ppm: float,
              content_turn: float) -> np.ndarray:
    """A B/W copier's copy of ``doc`` on a sheet of the same size: the print turned by
    ``content_turn`` degrees (CCW) and shifted, a dark band where the copier saw beyond the
    original (lid up), grey toner haze, streaks along the feed, toner speckle."""
    h, w = doc.shape[:2]
    grey = cv2.cvtColor(doc, cv2.COLOR_BGR2GRAY).astype(np.float32)
    grey = np.clip((grey - 60) * 1.25, 0, 255)  # copier contrast: ink darker, pale colours gone
    dx, dy = rng.uniform(2, 9) * ppm * rng.choice([-1, 1]), rng.uniform(2, 9) * ppm * rng.choice([-1, 1])
    m = cv2.getRotationMatrix2D((w / 2 - 0.5, h / 2 - 0.5), content_turn, rng.uniform(0.97, 1.0))
    m[:, 2] += (dx, dy)
    dark = float(rng.uniform(25, 70))
    out = cv2.warpAffine(grey, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=dark)
    haze = float(rng.uniform(8, 28))
    low = cv2.resize(nrng.normal(0, 1, (8, 6)).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
    out = out * (1 - haze / 255) - haze * 0.15 * low
    for _ in range(int(rng.integers(1, 5))):  # streaks along the feed direction
        x = int(rng.integers(0, w))
        ww = max(1, int(rng.uniform(0.2, 1.2) * ppm))
        out[:, x:x + ww] -= float(rng.uniform(10, 45))
    k = int(h * w * rng.uniform(2e-4, 1.5e-3))
    out[nrng.integers(0, h, k), nrng.integers(0, w, k)] -= 120  # toner specks
    out += _noise(h, w, 3)
    out = np.clip(out, 0, 255).astype(np.uint8)
    return cv2.cvtColor(out, cv2.COLOR_GRAY2BGR)


def paper_grain(doc: np.ndarray, nrng: np.random.Generator, amp: float = 3.0) -> np.ndarray:
    """Fibre-like fine texture and a little unevenness of the paper's tone."""
    h, w = doc.shape[:2]
    g = cv2.resize(cv2.GaussianBlur(_noise(h // 2 + 1, w // 2 + 1, amp), (0, 0), 0.8), (w, h),
                   interpolation=cv2.INTER_LINEAR)
    return cv2.add(doc, cv2.cvtColor(g, cv2.COLOR_GRAY2BGR), dtype=cv2.CV_8U)


# --------------------------------------------------------------------------- geometry


def _rot(deg: float) -> np.ndarray:
    """Counter-clockwise on screen (y down) by ``deg``."""
    a = math.radians(deg)
    return np.array([[math.cos(a), math.sin(a), 0], [-math.sin(a), math.cos(a), 0], [0, 0, 1]])


def _tr(x: float, y: float) -> np.ndarray:
    return np.array([[1, 0, x], [0, 1, y], [0, 0, 1]], np.float64)


def _sc(sx: float, sy: float | None = None) -> np.ndarray:
    return np.diag([sx, sx if sy is None else sy, 1.0])


def _apply(h: np.ndarray, pts: np.ndarray) -> np.ndarray:
    p = np.c_[np.asarray(pts, np.float64), np.ones(len(pts))] @ h.T
    return p[:, :2] / p[:, 2:3]


def _corners(w: int, h: int) -> np.ndarray:
    return np.array([[-0.5, -0.5], [w - 0.5, -0.5], [w - 0.5, h - 0.5], [-0.5, h - 0.5]], np.float64)


def place(w: int, h: int, turn: float, cx: float, cy: float, scale: float = 1.0, sy: float = 1.0) -> np.ndarray:
    """Document pixels → frame: scaled about its centre, turned ``turn`` degrees CCW, centre at (cx, cy)."""
    return _tr(cx, cy) @ _sc(1.0, sy) @ _rot(turn) @ _sc(scale) @ _tr(-(w - 1) / 2, -(h - 1) / 2)


def placed_bbox(h_mat: np.ndarray, w: int, h: int) -> tuple[float, float, float, float]:
    c = _apply(h_mat, _corners(w, h))
    return float(c[:, 0].min()), float(c[:, 1].min()), float(c[:, 0].max()), float(c[:, 1].max())


def composite(frame: np.ndarray, doc: np.ndarray, h_mat: np.ndarray, alpha: np.ndarray | None = None) -> np.ndarray:
    """Paste ``doc`` into ``frame`` through the homography, with anti-aliased edges (the warped
    mask is ½ exactly on the document's edge at −0.5 / size − 0.5)."""
    fh, fw = frame.shape[:2]
    warped = cv2.warpPerspective(doc, h_mat, (fw, fh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    a = np.full(doc.shape[:2], 255, np.uint8) if alpha is None else alpha
    wa = cv2.warpPerspective(a, h_mat, (fw, fh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                             borderValue=0).astype(np.float32) / 255.0
    return cv2.blendLinear(warped, frame, wa, 1.0 - wa)


def shadow_under(frame: np.ndarray, quad: np.ndarray, offset: tuple[float, float], blur: float,
                 strength: float) -> np.ndarray:
    """A soft shadow of a polygon (drawn before the document is pasted)."""
    fh, fw = frame.shape[:2]
    m = np.zeros((fh, fw), np.uint8)
    cv2.fillPoly(m, [np.round((quad + offset) * 4).astype(np.int32)], 255, cv2.LINE_AA, shift=2)
    m = cv2.GaussianBlur(m, (0, 0), max(0.5, blur)).astype(np.float32) / 255.0
    return _shade(frame, 1 - strength * m)


def truth_geometry(h_mat: np.ndarray, w: int, h: int, fw: int, fh: int,
                   content_turn: float = 0.0, outline: np.ndarray | None = None) -> dict[str, Any]:
    """quad (clipped, from the document's top-left, clockwise), paper_quad, rotation, skew."""
    paper = _apply(h_mat, _corners(w, h)) if outline is None else outline
    frame = np.array([[-0.5, -0.5], [fw - 0.5, -0.5], [fw - 0.5, fh - 0.5], [-0.5, fh - 0.5]], np.float32)
    hull = cv2.convexHull(paper.astype(np.float32), clockwise=False).reshape(-1, 2)
    _, inter = cv2.intersectConvexConvex(hull, frame)
    poly = paper if inter is None else inter.reshape(-1, 2).astype(np.float64)
    # clockwise on screen (y down) = positive shoelace area
    area = 0.5 * float(np.sum(poly[:, 0] * np.roll(poly[:, 1], -1) - np.roll(poly[:, 0], -1) * poly[:, 1]))
    if area < 0:
        poly = poly[::-1]
    start = int(np.argmin(np.linalg.norm(poly - paper[0], axis=1)))
    poly = np.roll(poly, -start, axis=0)
    c = np.array([[(w - 1) / 2, (h - 1) / 2]])
    a = math.radians(content_turn)
    d = _apply(h_mat, np.r_[c, c + 20 * np.array([[math.cos(a), -math.sin(a)]])])
    ang = math.degrees(math.atan2(-(d[1, 1] - d[0, 1]), d[1, 0] - d[0, 0]))
    q = round(ang / 90.0)
    return {"quad": [[round(float(x), 3), round(float(y), 3)] for x, y in poly],
            "paper_quad": [[round(float(x), 3), round(float(y), 3)] for x, y in paper],
            "rotation": int(q * 90) % 360, "skew_deg": round(ang - 90 * q, 4),
            "full_frame": bool(abs(poly_area(poly) - fw * fh) < 1e-3 * fw * fh)}


def poly_area(p: np.ndarray) -> float:
    return abs(0.5 * float(np.sum(p[:, 0] * np.roll(p[:, 1], -1) - np.roll(p[:, 0], -1) * p[:, 1])))


def _noise(h: int, w: int, sigma: float) -> np.ndarray:
    """Gaussian noise from OpenCV's generator (seeded per frame in generate_page: deterministic)."""
    n = np.empty((h, w), np.float32)
    cv2.randn(n, 0.0, float(sigma))
    return n


def _shade(img: np.ndarray, field: np.ndarray) -> np.ndarray:
    """``img`` × ``field`` (float, 0 … 1.27; one channel or three), saturated, in uint8 arithmetic."""
    f8 = cv2.convertScaleAbs(field, alpha=200.0)
    if f8.ndim == 2 and img.ndim == 3:
        f8 = cv2.cvtColor(f8, cv2.COLOR_GRAY2BGR)
    return cv2.multiply(img, f8, scale=1 / 200.0)


# --------------------------------------------------------------------------- backgrounds and light


def _lowfreq(nrng: np.random.Generator, fw: int, fh: int, cells: int = 6) -> np.ndarray:
    g = nrng.normal(0, 1, (cells, cells)).astype(np.float32)
    return cv2.resize(g, (fw, fh), interpolation=cv2.INTER_CUBIC)


def bg_lid(rng: np.random.Generator, nrng: np.random.Generator, fw: int, fh: int) -> np.ndarray:
    """A closed scanner lid: white to light grey foam, a slight lamp fall-off, fine texture."""
    base = float(rng.uniform(214, 246))
    tint = np.array([rng.uniform(-3, 3), rng.uniform(-2, 2), rng.uniform(-3, 3)], np.float32)
    ramp = np.linspace(0, 1, fh, dtype=np.float32)[:, None] * rng.uniform(-8, 4)
    f = base + ramp + 2.0 * _lowfreq(nrng, fw, fh) + _noise(fh, fw, 1.8)
    return np.clip(f[..., None] + tint, 0, 255).astype(np.uint8)


def bg_open_room(rng: np.random.Generator, nrng: np.random.Generator, fw: int, fh: int) -> np.ndarray:
    """Lid up in a bright office: the glass sees the room, a grey-green haze, out-of-focus lights."""
    col = np.array([rng.uniform(120, 175), rng.uniform(135, 185), rng.uniform(115, 160)], np.float32)  # BGR
    sh, sw = max(8, fh // 8), max(8, fw // 8)  # smooth: drawn small, resized up
    f = np.ones((sh, sw, 3), np.float32) * col
    f += (18 * _lowfreq(nrng, sw, sh, 4))[..., None]
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    yy, xx = yy * fh / sh, xx * fw / sw
    for _ in range(int(rng.integers(1, 4))):  # ceiling lights, blurred
        cx, cy, r = rng.uniform(0, fw), rng.uniform(0, fh), rng.uniform(0.08, 0.25) * fw
        f += (60 * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * r * r)))[..., None]
    f = cv2.resize(np.clip(f, 0, 255).astype(np.uint8), (fw, fh), interpolation=cv2.INTER_LINEAR)
    return cv2.add(f, cv2.cvtColor(_noise(fh, fw, 3), cv2.COLOR_GRAY2BGR), dtype=cv2.CV_8U)


def bg_dark_open(rng: np.random.Generator, nrng: np.random.Generator, fw: int, fh: int) -> np.ndarray:
    """Lid propped on a thick booklet: nearly black with light leaking in from one side."""
    yy, xx = np.mgrid[0:fh, 0:fw].astype(np.float32)
    side = rng.integers(4)
    d = (xx / fw, 1 - xx / fw, yy / fh, 1 - yy / fh)[side]
    f = rng.uniform(15, 35) + rng.uniform(30, 90) * np.exp(-d * rng.uniform(3, 8))
    f = f[..., None] + _noise(fh, fw, 2.5)[..., None]
    return np.clip(f * np.array([1.0, 1.0, 1.04], np.float32), 0, 255).astype(np.uint8)


def bg_wood(rng: np.random.Generator, nrng: np.random.Generator, fw: int, fh: int, dark: bool = True) -> np.ndarray:
    """A wooden desk: grain along one axis, ring distortions, varnish tone."""
    yy, xx = np.mgrid[0:fh, 0:fw].astype(np.float32)
    along = rng.random() < 0.5
    v = yy if along else xx
    warp = 25 * _lowfreq(nrng, fw, fh, 5)
    grain = np.sin((v + warp) / fw * rng.uniform(60, 140)) * 0.5 + 0.5
    fine = cv2.GaussianBlur(_noise(fh, fw, 1), (0, 0), 1.5) * 6
    base = np.array([30, 55, 95] if dark else [120, 165, 205], np.float32) * rng.uniform(0.8, 1.2)
    f = base * (0.84 + 0.22 * grain[..., None]) + fine[..., None]
    return np.clip(f, 0, 255).astype(np.uint8)


def bg_desk(rng: np.random.Generator, nrng: np.random.Generator, fw: int, fh: int) -> np.ndarray:
    """A light laminate or grey office desk (low contrast with white paper)."""
    col = np.array([rng.uniform(150, 200), rng.uniform(160, 205), rng.uniform(165, 215)], np.float32)
    f = col + (10 * _lowfreq(nrng, fw, fh, 5))[..., None] + _noise(fh, fw, 3)[..., None]
    return np.clip(f, 0, 255).astype(np.uint8)


def keyboard_edge(frame: np.ndarray, rng: np.random.Generator, side_px: int) -> np.ndarray:
    """A dark keyboard along the frame's bottom edge (keys as a lighter grid)."""
    fh, fw = frame.shape[:2]
    out = frame.copy()
    y0 = fh - side_px
    out[y0:] = (38, 38, 40)
    key = max(4, side_px // 3)
    for r in range(3):
        for c in range(0, fw, key + 3):
            y = y0 + 4 + r * (key + 3)
            if y + key < fh:
                cv2.rectangle(out, (c + 2, y), (c + key, y + key - 2), (62, 62, 66), -1)
    return out


def light_field(rng: np.random.Generator, fw: int, fh: int, strength: float) -> np.ndarray:
    """A multiplicative light: warm on one side and cool on the other, vignetting (per channel, BGR)."""
    sh, sw = max(8, fh // 8), max(8, fw // 8)  # smooth: drawn small, resized up
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    yy, xx = yy * fh / sh, xx * fw / sw
    a = rng.uniform(0, 2 * math.pi)
    t = ((xx / fw - 0.5) * math.cos(a) + (yy / fh - 0.5) * math.sin(a))
    warm = np.stack([1 - 0.18 * strength * t, np.ones_like(t), 1 + 0.14 * strength * t], -1)  # B down, R up
    r2 = ((xx / fw - 0.5) ** 2 + (yy / fh - 0.5) ** 2)
    vig = (1 - rng.uniform(0.15, 0.4) * strength * r2)[..., None]
    bright = 1 + rng.uniform(-0.12, 0.08) + 0.1 * strength * (rng.uniform(-1, 1) * t)[..., None]
    return cv2.resize((warm * vig * bright).astype(np.float32), (fw, fh), interpolation=cv2.INTER_LINEAR)


def cast_shadow(frame: np.ndarray, rng: np.random.Generator, strength: float) -> np.ndarray:
    """The soft shadow of the phone and hand across part of the frame."""
    fh, fw = frame.shape[:2]
    m = np.zeros((fh, fw), np.uint8)
    side = rng.integers(4)
    cx, cy = [(fw * rng.uniform(0.2, 0.8), -fh * 0.05), (fw * 1.05, fh * rng.uniform(0.2, 0.8)),
              (fw * rng.uniform(0.2, 0.8), fh * 1.05), (-fw * 0.05, fh * rng.uniform(0.2, 0.8))][side]
    ax = (int(fw * rng.uniform(0.15, 0.3)), int(fh * rng.uniform(0.3, 0.55)))
    cv2.ellipse(m, (int(cx), int(cy)), ax, float(rng.uniform(0, 180)), 0, 360, 255, -1)
    m = cv2.GaussianBlur(m, (0, 0), fw * rng.uniform(0.02, 0.05)).astype(np.float32) / 255.0
    return _shade(frame, 1 - strength * m)


def motion_blur(img: np.ndarray, rng: np.random.Generator, length: float) -> np.ndarray:
    if length < 1.5:
        return img
    k = math.ceil(length) | 1
    ker = np.zeros((k, k), np.float32)
    a = rng.uniform(0, math.pi)
    c = k // 2
    cv2.line(ker, (int(c - math.cos(a) * c), int(c - math.sin(a) * c)),
             (int(c + math.cos(a) * c), int(c + math.sin(a) * c)), 1.0, 1, cv2.LINE_AA)
    return cv2.filter2D(img, -1, ker / ker.sum())


def finish(frame: np.ndarray, rng: np.random.Generator, nrng: np.random.Generator, blur: float, noise: float,
           jpeg: int | None) -> np.ndarray:
    """Optics blur, sensor noise, JPEG round trip."""
    f = cv2.GaussianBlur(frame, (0, 0), blur) if blur > 0.2 else frame
    if noise > 0:
        n = _noise(f.shape[0], f.shape[1], noise)
        f = cv2.add(f, cv2.cvtColor(n, cv2.COLOR_GRAY2BGR), dtype=cv2.CV_8U)
    if jpeg:
        f = cv2.imdecode(cv2.imencode(".jpg", f, [cv2.IMWRITE_JPEG_QUALITY, jpeg])[1], cv2.IMREAD_COLOR)
    return f


# --------------------------------------------------------------------------- documents per scene


def _doc_for(scene: str, rng: np.random.Generator, nrng: np.random.Generator, ppm: float,
             variant: int) -> tuple[np.ndarray, dict[str, Any]]:
    """The document image for a scene and facts about it (content turn, text, seal, blank…)."""
    facts: dict[str, Any] = {"content_turn": 0.0, "has_text_lines": True, "skew_scored": True, "blank": False,
                             "near_blank": False, "red_seal": False, "alpha": None, "outline_doc": None}
    if scene in ("copy_form_lid", "copy_notice_landscape"):
        orig = draw_form(rng, ppm, dense=scene == "copy_notice_landscape", seal=rng.random() < 0.4).array()
        turn = float(rng.uniform(-2.5, 2.5))
        facts["content_turn"] = turn
        return photocopy(orig, rng, nrng, ppm, turn), facts
    if scene == "cccd_copy_open":
        sheet = np.full((round(297 * ppm), round(210 * ppm), 3), 250, np.uint8)
        for k, cy in enumerate((80.0, 170.0)):
            card = draw_card(rng, ppm, back=k == 1)
            ch, cw = card.shape[:2]
            hm = place(cw, ch, float(rng.uniform(-3, 3)), 105 * ppm + rng.uniform(-10, 10) * ppm, cy * ppm)
            sheet = composite(sheet, card, hm, _round_mask(ch, cw, 3.18 * ppm))
        cp = photocopy(sheet, rng, nrng, ppm, 0.0)
        facts["skew_scored"] = False  # each card lay crooked on the copier on its own: no single skew
        return cp, facts
    if scene == "colour_form_notes":
        paper = ((225, 238, 250), (222, 245, 226), (250, 246, 200), (250, 228, 232))[variant % 4]  # RGB
        doc = draw_form(rng, ppm, paper=paper, notes=True, highlight=True).array()
        return paper_grain(doc, nrng, 2.5), facts
    if scene == "seal_form_mfp":
        doc = draw_form(rng, ppm, seal=True, notes=rng.random() < 0.3).array()
        facts["red_seal"] = True
        return paper_grain(doc, nrng), facts
    if scene == "adf_notice":
        return paper_grain(draw_form(rng, ppm, dense=True, seal=rng.random() < 0.5).array(), nrng), facts
    if scene in ("booklet_glass", "booklet_phone"):
        return _booklet(rng, nrng, ppm, red=variant % 2 == 1), facts
    if scene in ("doccam_wood", "app_scan", "phone_steep", "phone_shadow", "phone_on_pile"):
        doc = draw_form(rng, ppm, seal=rng.random() < 0.5, dense=rng.random() < 0.3,
                        notes=rng.random() < 0.3, highlight=rng.random() < 0.25).array()
        facts["skew_scored"] = False
        return paper_grain(doc, nrng), facts
    if scene in ("card_sleeve", "cards_glass", "card_fingers"):
        facts["skew_scored"] = False
        return draw_card(rng, ppm, back=variant % 2 == 1), facts
    if scene == "carbon_receipt":
        return _carbon(rng, nrng, ppm), facts | {"skew_scored": False}
    if scene == "thermal_faded":
        return _thermal(rng, nrng, ppm), facts | {"skew_scored": False}
    if scene == "dotmatrix_slip":
        return _dotmatrix(rng, nrng, ppm), facts | {"skew_scored": False}
    if scene == "blankish":
        return _blankish(rng, nrng, ppm, variant, facts), facts
    raise ValueError(scene)


def _booklet(rng: np.random.Generator, nrng: np.random.Generator, ppm: float, red: bool) -> np.ndarray:
    """A household-register style booklet open flat: cover rim, two pages, a gutter shadow, printed
    ruled entries (the spread is upright when the spine is vertical)."""
    pw, ph, rim = 120.0, 170.0, 3.0
    W, H = 2 * pw + 2 * rim, ph + 2 * rim
    cover = (170, 40, 45) if red else (40, 70, 120)  # RGB: sổ đỏ's red, the blue household book
    s = Sheet(W, H, ppm, cover)
    s.rect(rim, rim, W - rim, H - rim, fill=(246, 240, 226))
    for k in range(2):
        x0 = rim + k * pw + 8
        y = rim + 10
        if k == 0:
            s.text(x0 + pw / 2 - 8, y, "SỔ HỘ KHẨU" if not red else "GIẤY CHỨNG NHẬN", 12, bold=True, anchor="ma")
            y += 9
        for _ in range(int(rng.integers(14, 20))):
            wl = s.text(x0, y, " ".join(_words(rng, int(rng.integers(4, 9)))), 9.5)
            s.hline(min(x0 + wl + 1, x0 + pw - 18), x0 + pw - 16, y + 3.2, dotted=True, fill=(90, 90, 90))
            y += 7.6
            if y > rim + ph - 12:
                break
    doc = s.array().astype(np.float32)
    # gutter shadow: darker towards the spine
    xs = (np.arange(doc.shape[1], dtype=np.float32) / ppm - W / 2)
    g = 1 - 0.45 * np.exp(-(xs / rng.uniform(6, 12)) ** 2)
    doc[:, :, :] *= g[None, :, None]
    return paper_grain(np.clip(doc, 0, 255).astype(np.uint8), nrng, 2.5)


def _carbon(rng: np.random.Generator, nrng: np.random.Generator, ppm: float) -> np.ndarray:
    """A carbon duplicate receipt (liên 2) on pink or yellow paper: red printed form, blue carbon
    writing (blurred strokes), a perforated stub at the top."""
    w, h = 100.0, 140.0
    paper = ((250, 222, 226), (250, 244, 190), (236, 240, 250))[int(rng.integers(3))]
    s = Sheet(w, h, ppm, paper)
    red = (175, 45, 55)
    s.text(w / 2, 8, "BIÊN LAI THU TIỀN PHÍ, LỆ PHÍ", 10, fill=red, bold=True, anchor="ma")
    s.text(w / 2, 13.5, "Liên 2: Giao người nộp tiền", 8, fill=red, italic=True, anchor="ma")
    y = 22.0
    for lab in ("Tên đơn vị:", "Người nộp:", "Địa chỉ:", "Nội dung:", "Số tiền:", "Bằng chữ:", "Hình thức:"):
        wl = s.text(6, y, lab, 9, fill=red)
        s.hline(6 + wl + 1, w - 6, y + 3.4, fill=red, dotted=True)
        y += 9
    carbon = Sheet(w, h, ppm, (255, 255, 255))
    yy = 22.0
    for _ in range(7):
        _scribble(carbon, rng, float(rng.uniform(26, 32)), yy + 1, float(rng.uniform(25, 60)), 1.5, (0, 0, 0), 0.45)
        yy += 9
    cy = y + 8
    s.text(w * 0.7, cy, "Người thu tiền", 9, fill=red, bold=True, anchor="ma")
    _scribble(carbon, rng, w * 0.7 - 10, cy + 12, 20, 3, (0, 0, 0), 0.5)
    a = cv2.GaussianBlur(255 - np.asarray(carbon.im.convert("L"), np.float32), (0, 0), 0.35 * ppm) / 255.0
    a = np.clip(a * 1.6, 0, 0.85)
    base = np.asarray(s.im, np.float32)
    ink = np.array([45, 55, 140], np.float32) / 255.0
    out = base * (1 - a[..., None] * (1 - ink))
    px_perf = round(4 * ppm)
    for x in range(0, out.shape[1], max(2, round(2.2 * ppm))):
        out[px_perf - 1:px_perf + 1, x:x + max(1, round(ppm))] *= 0.8
    doc = cv2.cvtColor(np.clip(out, 0, 255).astype(np.uint8), cv2.COLOR_RGB2BGR)
    return paper_grain(doc, nrng, 2.0)


def _thermal(rng: np.random.Generator, nrng: np.random.Generator, ppm: float) -> np.ndarray:
    """An 80 mm thermal slip, faded: grey print getting paler along its length, yellowed paper."""
    w, h = 80.0, float(rng.uniform(130, 190))
    s = Sheet(w, h, ppm, (247, 244, 232))
    y = 6.0
    s.text(w / 2, y, "TRUNG TÂM PHỤC VỤ HCC", 9.5, bold=True, anchor="ma")
    y += 6
    s.text(w / 2, y, "PHIẾU THỨ TỰ / BIÊN NHẬN", 9, anchor="ma")
    y += 9
    while y < h - 10:
        s.text(4, y, " ".join(_words(rng, int(rng.integers(3, 7)))), 8)
        s.text(w - 4, y, f"{int(rng.integers(1, 99)) * 1000:,}".replace(",", "."), 8, anchor="ra")
        y += 4.8
    arr = np.asarray(s.im, np.float32)
    fade = np.linspace(rng.uniform(0.35, 0.6), rng.uniform(0.7, 0.9), arr.shape[0], dtype=np.float32)
    if rng.random() < 0.5:
        fade = fade[::-1]
    paper = np.array([247, 244, 232], np.float32)
    arr = paper - (paper - arr) * (1 - fade)[:, None, None]
    doc = cv2.cvtColor(np.clip(arr, 0, 255).astype(np.uint8), cv2.COLOR_RGB2BGR)
    return paper_grain(doc, nrng, 2.0)


def _dotmatrix(rng: np.random.Generator, nrng: np.random.Generator, ppm: float) -> np.ndarray:
    """A dot-matrix slip torn off continuous green-bar paper: tractor holes in side strips, text
    printed as dots, a worn ribbon."""
    w, h = 120.0, float(rng.uniform(90, 110))
    s = Sheet(w, h, ppm, (246, 248, 242))
    for k in range(0, int(h), 25):  # the green bars
        s.rect(13, k, w - 13, k + 12.7, fill=(222, 240, 222))
    for y in np.arange(6.35, h, 12.7):
        for x in (6.35, w - 6.35):
            s.d.ellipse([s.px(x - 2), s.px(y - 2), s.px(x + 2), s.px(y + 2)], fill=(200, 200, 200))
    txt = Sheet(w, h, ppm, (255, 255, 255))
    y = 8.0
    txt.text(18, y, "PHIEU NOP TIEN VAO NGAN SACH", 10, fill=(0, 0, 0), bold=True)
    y += 8
    while y < h - 8:
        txt.text(18, y, " ".join(_words(rng, int(rng.integers(4, 9)))), 8.5, fill=(0, 0, 0))
        y += 5.5
    ink = (255 - np.asarray(txt.im.convert("L"), np.float32)) / 255.0
    pitch = max(2, round(0.3 * ppm))
    dots = np.zeros_like(ink)
    dots[::pitch, ::pitch] = 1
    dots = cv2.dilate(dots, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (max(2, pitch), max(2, pitch))))
    a = np.clip(cv2.GaussianBlur(ink * dots, (0, 0), 0.25 * pitch) * rng.uniform(0.6, 0.9), 0, 1)
    a *= (0.75 + 0.25 * np.sin(np.arange(a.shape[0]) / a.shape[0] * 7))[:, None]  # uneven ribbon
    arr = np.asarray(s.im, np.float32) * (1 - a[..., None] * 0.85)
    doc = cv2.cvtColor(np.clip(arr, 0, 255).astype(np.uint8), cv2.COLOR_RGB2BGR)
    return paper_grain(doc, nrng, 2.0)


def _blankish(rng: np.random.Generator, nrng: np.random.Generator, ppm: float, variant: int,
              facts: dict[str, Any]) -> np.ndarray:
    """Blank and near-blank A4 pages: copier blank with toner speckle (blank), a 'BẢN SAO' stamp
    only, one signature, a faint pencil page number (near-blank: to keep)."""
    kind = ("copier_blank", "stamp", "signature", "pencil")[variant % 4]
    facts.update(has_text_lines=False, skew_scored=False)
    s = Sheet(210, 297, ppm, (248, 248, 245))
    if kind == "copier_blank":
        facts["blank"] = True
        doc = s.array().astype(np.float32) - rng.uniform(4, 12)
        k = int(doc.shape[0] * doc.shape[1] * 4e-4)
        doc[nrng.integers(0, doc.shape[0], k), nrng.integers(0, doc.shape[1], k)] -= 90  # toner specks
        return np.clip(doc + _noise(doc.shape[0], doc.shape[1], 2.5)[..., None], 0, 255).astype(np.uint8)
    facts["near_blank"] = True
    if kind == "stamp":
        x, y = float(rng.uniform(20, 130)), float(rng.uniform(15, 60))
        red = (190, 35, 45)
        s.rect(x, y, x + 42, y + 14, outline=red, w=0.8)
        s.text(x + 21, y + 3, "BẢN SAO", 16, fill=red, bold=True, anchor="ma")
        facts["red_seal"] = True
    elif kind == "signature":
        _scribble(s, rng, float(rng.uniform(100, 150)), float(rng.uniform(200, 260)), 35, 4, (25, 30, 120), 0.45)
    else:
        s.text(105, 285, str(int(rng.integers(2, 40))), 11, fill=(165, 165, 165), anchor="ma")
    return paper_grain(s.array(), nrng, 2.0)


# --------------------------------------------------------------------------- scenes


def generate_page(seed: int, index: int, dpi: int = 150, scene: str | None = None,
                  exact_dpi: bool = False) -> GeneratedPage:
    """Frame ``index`` of the cycle (or of ``scene``), base resolution ``dpi``.

    Scanner frames state their DPI (the base, or 4/3 of it for the 200-dpi-at-150 MFP variants;
    ``exact_dpi`` keeps the base); phone and document-camera frames carry none.
    """
    scene = scene or SCENES[index % len(SCENES)]
    key = zlib.crc32(f"{scene}".encode())
    rng = np.random.default_rng([seed, index, key, 7])  # scene choices: independent of dpi
    nrng = np.random.default_rng([seed, index, key, dpi, 77])  # noise fields
    cv2.setRNGSeed(zlib.crc32(f"{seed}/{index}/{scene}/{dpi}".encode()) & 0x7FFFFFFF)  # and OpenCV's noise
    variant = index // len(SCENES)
    cls = CLASS_OF[scene]
    camera = scene in ("doccam_wood", "app_scan", "phone_steep", "phone_shadow", "phone_on_pile",
                       "booklet_phone", "card_fingers")
    scan_dpi = dpi
    if not camera and not exact_dpi and scene in ("copy_form_lid", "seal_form_mfp", "cards_glass") and \
            rng.random() < 0.5:
        scan_dpi = round(dpi * 4 / 3)  # the MFP set to 200 where the base is 150
    ppm = scan_dpi / 25.4
    if camera:
        # the document is drawn near the size it will have in the photo (no waste, no blur)
        ppm = dpi / 25.4 * (0.9 if cls != "card" else 2.2)
    doc, facts = _doc_for(scene, rng, nrng, ppm, variant)
    h, w = doc.shape[:2]
    if camera:
        frame, hm, extra = _camera_scene(scene, rng, nrng, doc, facts, dpi, variant)
        out_dpi = None
    else:
        frame, hm, extra = _scanner_scene(scene, rng, nrng, doc, facts, scan_dpi, variant)
        out_dpi = scan_dpi
    fh, fw = frame.shape[:2]
    geo = truth_geometry(hm, w, h, fw, fh, facts["content_turn"], extra.get("outline"))
    if facts["blank"] or facts["near_blank"] or scene == "cccd_copy_open":
        # no text lines or no single print: the skew is the sheet's, kept as information
        pass
    name = f"{scene}#{index}"
    truth = {"name": name, "class": cls, "size": [fw, fh], **geo,
             "skew_scored": bool(facts["skew_scored"] and cls == "flatbed" and facts["has_text_lines"]),
             "orientation_scored": bool(facts["has_text_lines"]), "has_text_lines": bool(facts["has_text_lines"]),
             "blank": bool(facts["blank"]), "near_blank": bool(facts["near_blank"]),
             "red_seal": bool(facts["red_seal"]), "two_page": scene.startswith("booklet"),
             "dpi": out_dpi, "scene": scene, "notes": extra.get("notes", "")}
    return GeneratedPage(frame, out_dpi, truth)


def _scanner_scene(scene: str, rng: np.random.Generator, nrng: np.random.Generator, doc: np.ndarray,
                   facts: dict[str, Any], dpi: int, variant: int) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Flatbed, ADF and glass scenes: the frame is the glass (auto-crop off) at ``dpi``."""
    ppm = dpi / 25.4
    h, w = doc.shape[:2]
    extra: dict[str, Any] = {}
    gw, gh = 216.0, 297.0  # an A4/Letter glass, auto-crop off
    if scene == "adf_notice":
        gw, gh = 216.0, 297.0 + rng.uniform(4, 12)
    fw, fh = round(gw * ppm), round(gh * ppm)
    lid_open = scene in ("cccd_copy_open", "thermal_faded") or (scene == "colour_form_notes" and variant % 2 == 0)
    if scene == "booklet_glass":
        bg = bg_dark_open(rng, nrng, fw, fh)
    elif lid_open:
        bg = bg_open_room(rng, nrng, fw, fh)
    else:
        bg = bg_lid(rng, nrng, fw, fh)
    tilt = float(rng.uniform(0, 4)) * rng.choice([-1, 1])
    if scene in ("seal_form_mfp", "adf_notice") and variant % 2 == 0:
        tilt = float(rng.uniform(0, 0.6)) * rng.choice([-1, 1])  # nearly straight, as most pages come
    small = w < 0.8 * fw and h < 0.8 * fh
    # Turns: an A4 page can only lie upright or upside down on an A4 glass; small documents any way;
    # the booklet only across (the spread is wider than the glass); the "landscape" scene is saved turned.
    if scene == "booklet_glass":
        quarter = (1, 3)[variant % 2]
    elif small:
        quarter = variant % 4
    else:
        quarter = (0, 2, 0, 0, 2)[variant % 5] if scene not in ("blankish",) else variant % 2 * 2
    turn = 90 * quarter + tilt
    extent = place(w, h, turn, 0, 0)
    x0, y0, x1, y1 = placed_bbox(extent, w, h)
    if scene == "adf_notice":
        # fed by rollers: centred across, a few mm from the leading edge, stretched along the feed
        sy = 1 + rng.uniform(0.005, 0.02)
        cx = fw / 2 + rng.uniform(-2, 2) * ppm
        cy = -y0 * sy + rng.uniform(1, 3) * ppm
        hm = place(w, h, turn, cx, cy, sy=sy)
        extra["notes"] = f"ADF, stretch {sy:.3f} along the feed"
    else:
        gap = rng.uniform(0.5, 4) * ppm if rng.random() < 0.65 else rng.uniform(5, 40) * ppm
        # into the registration corner (top-left) mostly; otherwise anywhere that fits
        cx = -x0 + gap if rng.random() < 0.7 else rng.uniform(-x0, max(-x0 + 1, fw - x1))
        cy = -y0 + rng.uniform(0.5, 4) * ppm if rng.random() < 0.7 else rng.uniform(-y0, max(-y0 + 1, fh - y1))
        cx = min(cx, fw - x1 - 0.5) if fw - x1 > -x0 else cx
        cy = min(cy, fh - y1 - 0.5) if fh - y1 > -y0 else cy
        hm = place(w, h, turn, cx, cy)
    quad = _apply(hm, _corners(w, h))
    alpha = None
    if scene in ("card_sleeve", "cards_glass"):
        alpha = _round_mask(h, w, 3.18 * ppm)
    if scene == "card_sleeve":
        # the clear sleeve: 6–10 mm larger, faintly grey, its edge a thin line, glare on the card
        m = rng.uniform(6, 10) * ppm
        sl = place(w + 2 * m, h + 2 * m, turn, *_apply(hm, np.array([[(w - 1) / 2, (h - 1) / 2]]))[0])
        sq = _apply(sl, _corners(round(w + 2 * m), round(h + 2 * m)))
        bg = shadow_under(bg, sq, (0, 0), 0.6, 0.10)
        cv2.polylines(bg, [np.round(sq).astype(np.int32)], True, (150, 150, 150), 1, cv2.LINE_AA)
    if scene == "cards_glass":
        # a second (and third) card below the first, each crooked on its own; outline = their hull
        outlines = [quad]
        frame = composite(shadow_under(bg, quad, (1, 1), 1.5, 0.25), doc, hm, alpha)
        for k in range(1 + variant % 2):
            card2 = draw_card(rng, ppm, back=(variant + k) % 2 == 0)
            h2, w2 = card2.shape[:2]
            c0 = _apply(hm, np.array([[(w - 1) / 2, (h - 1) / 2]]))[0]
            step = (max(h, w) if quarter % 2 else h) + rng.uniform(4, 15) * ppm
            hm2 = place(w2, h2, 90 * quarter + float(rng.uniform(-4, 4)), c0[0] + rng.uniform(-5, 5) * ppm,
                        c0[1] + (k + 1) * step)
            q2 = _apply(hm2, _corners(w2, h2))
            if q2[:, 1].max() > fh - 2:
                break
            frame = composite(shadow_under(frame, q2, (1, 1), 1.5, 0.25), card2, hm2, _round_mask(h2, w2, 3.18 * ppm))
            outlines.append(q2)
        hull = cv2.convexHull(np.concatenate(outlines).astype(np.float32)).reshape(-1, 2).astype(np.float64)
        # start the hull at the first card's own top-left (its orientation decides the page's)
        extra["outline"] = np.roll(hull, -int(np.argmin(np.linalg.norm(hull - quad[0], axis=1))), axis=0)
        if len(extra["outline"]) and poly_area(extra["outline"]) > 0:
            area = 0.5 * float(np.sum(hull[:, 0] * np.roll(hull[:, 1], -1) - np.roll(hull[:, 0], -1) * hull[:, 1]))
            if area < 0:
                extra["outline"] = np.roll(hull[::-1], -int(np.argmin(np.linalg.norm(hull[::-1] - quad[0], axis=1))),
                                           axis=0)
        extra["notes"] = f"{len(outlines)} cards on the glass; outline = their hull"
    else:
        # paper edge shadow: a lid closed on paper casts a thin grey line; open, a soft halo
        frame = shadow_under(bg, quad, (0.6, 0.8), 1.2 if not lid_open else 3.0, 0.18 if not lid_open else 0.3)
        frame = composite(frame, doc, hm, alpha)
    if scene == "card_sleeve":
        frame = _glare(frame, rng, quad, 0.35)
    if scene == "adf_notice":
        # leading-edge shadow: a dark band where the paper's front edge lifts off the glass
        top = quad[:, 1].min()
        yy = np.arange(fh, dtype=np.float32)[:, None]
        band = np.exp(-np.clip(yy - top, 0, None) / (rng.uniform(0.6, 1.5) * ppm)) * (yy >= top - 1)
        frame = (frame.astype(np.float32) * (1 - rng.uniform(0.25, 0.45) * band[..., None])).astype(np.uint8)
    if scene == "copy_notice_landscape":
        # the MFP set to landscape output: the whole saved frame turned a quarter (CW or CCW)
        k = 1 if variant % 2 == 0 else 3
        frame = np.ascontiguousarray(np.rot90(frame, k))  # k=1 is CCW on screen
        fw, fh = fh, fw
        hm = (_tr(0, fh - 1) @ _rot(90) if k == 1 else _tr(fw - 1, 0) @ _rot(-90)) @ hm
        extra["notes"] = "scan saved in landscape"
    lamp = 1 + np.linspace(-1, 1, frame.shape[0], dtype=np.float32)[:, None] * rng.uniform(-0.03, 0.03)
    frame = _shade(frame, np.repeat(lamp, frame.shape[1], axis=1))
    frame = finish(frame, rng, nrng, float(rng.uniform(0.3, 0.7)), float(rng.uniform(1.0, 2.5)),
                   int(rng.integers(78, 95)))
    return frame, hm, extra


def _glare(frame: np.ndarray, rng: np.random.Generator, quad: np.ndarray, strength: float) -> np.ndarray:
    """A specular highlight on a plastic surface: a soft, bright, elongated blob over part of ``quad``."""
    fh, fw = frame.shape[:2]
    c = quad.mean(0) + (quad[1] - quad[0]) * rng.uniform(-0.3, 0.3)
    size = np.linalg.norm(quad[1] - quad[0])
    m = np.zeros((fh // 4 + 1, fw // 4 + 1), np.uint8)  # smooth: drawn at ¼ size, resized up
    cv2.ellipse(m, (int(c[0] / 4), int(c[1] / 4)), (max(1, int(size * 0.075)), max(1, int(size * 0.02))),
                float(rng.uniform(0, 180)), 0, 360, 255, -1)
    m = cv2.GaussianBlur(m, (0, 0), max(0.5, size * 0.01))
    m = cv2.resize(m, (fw, fh), interpolation=cv2.INTER_LINEAR).astype(np.float32) / 255.0 * strength
    return cv2.blendLinear(np.full_like(frame, 255), frame, m, 1.0 - m)


def _camera_scene(scene: str, rng: np.random.Generator, nrng: np.random.Generator, doc: np.ndarray,
                  facts: dict[str, Any], dpi: int, variant: int) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Phone and document-camera frames: the document placed by a homography (turn, then a keystone)."""
    h, w = doc.shape[:2]
    s = dpi / 150.0
    extra: dict[str, Any] = {}
    landscape = scene in ("doccam_wood", "booklet_phone") or (scene == "card_fingers" and variant % 2 == 0)
    fw, fh = (round(1600 * s), round(1200 * s)) if landscape else (round(1200 * s), round(1600 * s))
    if scene == "doccam_wood":
        bg = bg_wood(rng, nrng, fw, fh, dark=True)
        bg = keyboard_edge(bg, rng, round(fh * rng.uniform(0.06, 0.12)))
        fill, persp, quarter = rng.uniform(0.55, 0.75), 0.04, (0, 1, 3, 0, 2)[variant % 5]
    elif scene == "app_scan":
        bg = bg_desk(rng, nrng, fw, fh) if variant % 2 else bg_wood(rng, nrng, fw, fh, dark=False)
        fill, persp, quarter = rng.uniform(0.9, 0.97), 0.05, (0, 0, 2, 0, 1)[variant % 5]
    elif scene == "phone_steep":
        bg = bg_wood(rng, nrng, fw, fh, dark=rng.random() < 0.5)
        fill, persp, quarter = rng.uniform(0.6, 0.8), 0.22, (0, 0, 1, 0, 3)[variant % 5]
    elif scene == "phone_shadow":
        bg = bg_desk(rng, nrng, fw, fh)
        fill, persp, quarter = rng.uniform(0.65, 0.85), 0.1, (0, 2, 0, 0, 0)[variant % 5]
    elif scene == "phone_on_pile":
        bg = bg_wood(rng, nrng, fw, fh, dark=True)
        fill, persp, quarter = rng.uniform(0.6, 0.78), 0.1, (0, 0, 0, 2, 0)[variant % 5]
    elif scene == "booklet_phone":
        bg = bg_wood(rng, nrng, fw, fh, dark=variant % 2 == 0)
        fill, persp, quarter = rng.uniform(0.65, 0.85), 0.1, (0, 0, 2, 0)[variant % 4]
    else:  # card_fingers
        bg = bg_desk(rng, nrng, fw, fh) if variant % 2 else bg_wood(rng, nrng, fw, fh, dark=False)
        bg = cv2.GaussianBlur(bg, (0, 0), 4 * s)  # the desk far behind the card, out of focus
        fill, persp, quarter = rng.uniform(0.5, 0.7), 0.14, (0, 0, 1, 2, 0, 3)[variant % 6]
    tilt = float(rng.uniform(-8, 8))
    turn = 90 * quarter + tilt
    ext = place(w, h, turn, 0, 0)
    x0, y0, x1, y1 = placed_bbox(ext, w, h)
    scale = fill * min(fw / (x1 - x0), fh / (y1 - y0))
    cx = fw / 2 + rng.uniform(-1, 1) * max(0.0, fw - scale * (x1 - x0)) / 2
    cy = fh / 2 + rng.uniform(-1, 1) * max(0.0, fh - scale * (y1 - y0)) / 2
    if scene == "doccam_wood":
        cy = min(cy, fh * 0.45 + scale * (y1 - y0) * 0.02)
    affine = place(w, h, turn, cx, cy, scale=scale)
    base = _apply(affine, _corners(w, h))
    # keystone: move the four corners (one side shrunk, as a phone tilted towards that side) plus jitter
    side = int(rng.integers(4))
    d = persp * rng.uniform(0.6, 1.0)
    tgt = base.copy()
    ctr = base.mean(0)
    a, b = [(0, 1), (1, 2), (2, 3), (3, 0)][side]
    tgt[a] += (ctr - base[a]) * d
    tgt[b] += (ctr - base[b]) * d
    tgt += rng.normal(0, 0.008, (4, 2)) * np.array([fw, fh])
    hm = cv2.getPerspectiveTransform(_corners(w, h).astype(np.float32), tgt.astype(np.float32)).astype(np.float64)
    quad = _apply(hm, _corners(w, h))
    frame = bg
    if scene == "phone_on_pile":
        # the page lies on another sheet or a folder that shows beside it, turned a little
        under = np.full((h, w, 3), (235, 238, 240) if rng.random() < 0.5 else (60, 150, 210), np.uint8)
        off = (rng.uniform(-0.25, 0.25) * w * scale, rng.uniform(-0.2, 0.2) * h * scale)
        hu = _tr(*off) @ _tr(cx, cy) @ _rot(rng.uniform(-12, 12)) @ _tr(-cx, -cy) @ hm
        frame = composite(shadow_under(frame, _apply(hu, _corners(w, h)), (4 * s, 5 * s), 6 * s, 0.35), under, hu)
        extra["notes"] = "page on another sheet"
    alpha = _round_mask(h, w, 3.18 * (h / 54.0)) if scene == "card_fingers" else None
    frame = shadow_under(frame, quad, (3 * s, 4 * s), 5 * s, 0.35)
    frame = composite(frame, doc, hm, alpha)
    if scene == "card_fingers":
        frame = _fingers(frame, rng, quad, s)
        if variant % 3 == 0:
            frame = _glare(frame, rng, quad, 0.5)  # laminated
    light = light_field(rng, fw, fh, 1.0 if scene != "app_scan" else 0.5)
    frame = _shade(frame, light)
    if scene == "phone_shadow" or (scene == "phone_steep" and variant % 2):
        frame = cast_shadow(frame, rng, float(rng.uniform(0.3, 0.55)))
    blur = float(rng.uniform(3, 9) * s) if scene in ("phone_steep", "phone_shadow") and variant % 3 == 1 else 0.0
    frame = motion_blur(frame, rng, blur)
    frame = finish(frame, rng, nrng, float(rng.uniform(0.4, 1.0) * s), float(rng.uniform(2, 5)),
                   int(rng.integers(60, 90)))
    return frame, hm, extra


def _fingers(frame: np.ndarray, rng: np.random.Generator, quad: np.ndarray, s: float) -> np.ndarray:
    """Two fingertips holding the card by opposite edges (skin tones, soft shading)."""
    out = frame.copy()
    skin = np.array([rng.uniform(120, 160), rng.uniform(150, 185), rng.uniform(195, 230)])  # BGR
    for e in ((0, 3), (1, 2)) if rng.random() < 0.5 else ((0, 1), (3, 2)):
        t = rng.uniform(0.3, 0.7)
        p = quad[e[0]] + (quad[e[1]] - quad[e[0]]) * t
        out_dir = p - quad.mean(0)
        out_dir /= np.linalg.norm(out_dir) + 1e-9
        u = float(np.linalg.norm(quad[1] - quad[0])) / 85.6  # pixels per mm on the card
        c = p + out_dir * 14 * u  # a fingertip ~16 mm wide overlapping the edge by ~6 mm
        ang = math.degrees(math.atan2(out_dir[1], out_dir[0]))
        cv2.ellipse(out, (int(c[0]), int(c[1])), (int(22 * u), int(8.5 * u)), ang, 0, 360, skin.tolist(), -1,
                    cv2.LINE_AA)
        cv2.ellipse(out, (int(c[0] - out_dir[0] * 12 * u), int(c[1] - out_dir[1] * 12 * u)),
                    (int(6 * u), int(5.5 * u)), ang, 0, 360, (skin * 0.92 + 18).tolist(), -1, cv2.LINE_AA)
    return cv2.addWeighted(out, 0.9, frame, 0.1, 0)


# --------------------------------------------------------------------------- overlays


def overlay(p: GeneratedPage, side: int = 360) -> np.ndarray:
    """A thumbnail with the truth outline (red), the document's own top-left (blue dot), and beside
    it the frame turned by the truth rotation (must read upright)."""
    t = p.truth
    img = p.image.copy()
    q = np.asarray(t["quad"], np.float64)
    th = max(2, img.shape[1] // 300)
    cv2.polylines(img, [np.round(q).astype(np.int32)], True, (0, 0, 255), th)
    cv2.circle(img, tuple(int(v) for v in np.round(q[0])), th * 5, (255, 0, 0), -1)
    k = {0: None, 90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}[
        t["rotation"]]
    up = img if k is None else cv2.rotate(img, k)
    tiles = []
    for im in (img, up):
        sc = side / max(im.shape[:2])
        tiles.append(cv2.resize(im, (round(im.shape[1] * sc), round(im.shape[0] * sc)), interpolation=cv2.INTER_AREA))
    tiles = [cv2.copyMakeBorder(x, 0, side - x.shape[0] + 4, 0, side - x.shape[1] + 4, cv2.BORDER_CONSTANT,
                                value=(255, 255, 255)) for x in tiles]
    out = np.hstack(tiles)
    cv2.putText(out, f"{t['name']} r{t['rotation']} s{t['skew_deg']:+.2f}", (4, 14), cv2.FONT_HERSHEY_SIMPLEX,
                0.45, (0, 120, 0), 1)
    return out


def main() -> None:
    """Sheets of overlays, one per class, of the first N frames (default 80) at 100 dpi."""
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 80
    out = Path(__file__).resolve().parents[2] / "out" / "gen7"
    out.mkdir(parents=True, exist_ok=True)
    by: dict[str, list[np.ndarray]] = {}
    for i in range(n):
        p = generate_page(7, i, 100)
        by.setdefault(p.truth["class"], []).append(overlay(p))
    for cls, tiles in by.items():
        rows = [np.hstack(tiles[k:k + 3] + [np.full_like(tiles[0], 255)] * (3 - len(tiles[k:k + 3])))
                for k in range(0, len(tiles), 3)]
        hh = max(r.shape[0] for r in rows)
        ww = max(r.shape[1] for r in rows)
        rows = [cv2.copyMakeBorder(r, 0, hh - r.shape[0], 0, ww - r.shape[1], cv2.BORDER_CONSTANT,
                                   value=(255, 255, 255)) for r in rows]
        for k in range(0, len(rows), 4):
            cv2.imwrite(str(out / f"{cls}_{k // 4}.png"), np.vstack(rows[k:k + 4]))


if __name__ == "__main__":
    main()
